//! The activation flows of issue 3 end to end over raw SOAP 1.1 (rules ACT-2, REA-3,
//! THR-2, DEA-1, CHK-1, CNT-2, STS-2).

use unlockd_core::trigger::{Tc1, TriggerCodeAlgorithm};
use unlockd_tests::{extract_text, todays_session_code, TestApp, DEMO_KEY_ID};

fn result_code(doc: &str) -> i32 {
    extract_text(doc, "ResultCode")
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no ResultCode in {doc}"))
}

fn field(doc: &str, name: &str) -> String {
    extract_text(doc, name).unwrap_or_else(|| panic!("no {name} in {doc}"))
}

pub(crate) fn license_file_request(
    license: i32,
    password: &str,
    computer: &str,
    session: &str,
) -> String {
    format!(
        "<ActivateInstallationLicenseFile><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>\
<LicenseID>{license}</LicenseID><Password>{password}</Password><SessionCode>{session}</SessionCode>\
<SystemIdentifiers><SystemIdentifier name=\"ComputerName\" type=\"20\" value=\"{computer}\"/>\
<SystemIdentifier name=\"NIC\" type=\"10\" value=\"mac-{computer}\"/></SystemIdentifiers>\
</PrivateData></ActivateInstallationLicenseFile>"
    )
}

fn installation_request(method: &str, installation: &str) -> String {
    format!(
        "<{method}><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>\
<InstallationID>{installation}</InstallationID></PrivateData></{method}>"
    )
}

fn decrement_request(amount: i32) -> String {
    format!(
        "<DecrementLicenseCounter><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>\
<LicenseID>1001</LicenseID><Password>demo1001</Password><Amount>{amount}</Amount></PrivateData></DecrementLicenseCounter>"
    )
}

fn trigger_request(license: i32, password: &str, session: i32, computer: i32) -> String {
    format!(
        "<ActivateInstallation><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>\
<LicenseID>{license}</LicenseID><Password>{password}</Password><UserCode1>{session}</UserCode1>\
<UserCode2>{computer}</UserCode2></PrivateData></ActivateInstallation>"
    )
}

#[test]
fn license_1001_grants_three_seats_then_refuses_then_frees_one_by_deactivation() {
    let app = TestApp::spawn();
    let mut installations = Vec::new();
    for (i, pc) in ["PC1", "PC2", "PC3"].iter().enumerate() {
        let doc = app.call(
            "ActivateInstallationLicenseFile",
            &license_file_request(1001, "demo1001", pc, &format!("S{i}")),
        );
        assert_eq!(result_code(&doc), 0, "{doc}");
        assert_eq!(field(&doc, "ActivationsLeft"), (2 - i).to_string());
        assert_eq!(field(&doc, "SessionCode"), format!("S{i}"));
        installations.push(field(&doc, "InstallationID"));
    }
    installations.dedup();
    assert_eq!(
        installations.len(),
        3,
        "every Counted grant gets its own installation ID (ACT-5)"
    );

    // rules A14: no activations left -> E-NOACT (5011), ActivationsLeft still reported.
    let doc = app.call(
        "ActivateInstallationLicenseFile",
        &license_file_request(1001, "demo1001", "PC4", "S4"),
    );
    assert_eq!(result_code(&doc), 5011, "{doc}");
    assert_eq!(field(&doc, "ActivationsLeft"), "0");

    // rules DEA-1: deactivating a consumed installation refunds it and spends one dl.
    let doc = app.call(
        "DeactivateInstallation",
        &installation_request("DeactivateInstallation", &installations[1]),
    );
    assert_eq!(result_code(&doc), 0, "{doc}");
    assert_eq!(field(&doc, "ActivationsLeft"), "1");
    assert_eq!(field(&doc, "DeactivationsLeft"), "1");

    let doc = app.call(
        "ActivateInstallationLicenseFile",
        &license_file_request(1001, "demo1001", "PC4", "S5"),
    );
    assert_eq!(result_code(&doc), 0, "{doc}");
    assert_eq!(field(&doc, "ActivationsLeft"), "0");

    // rules CHK-1: an active installation reports its license; a deactivated one 5016.
    let doc = app.call(
        "CheckInstallationStatus",
        &installation_request("CheckInstallationStatus", &installations[0]),
    );
    assert_eq!(result_code(&doc), 0, "{doc}");
    assert_eq!(field(&doc, "LicenseID"), "1001");
    assert_eq!(field(&doc, "LicenseStatus"), "OK");
    let doc = app.call(
        "CheckInstallationStatus",
        &installation_request("CheckInstallationStatus", &installations[1]),
    );
    assert_eq!(result_code(&doc), 5016, "{doc}");
    assert!(extract_text(&doc, "DeactivatedDate").is_some(), "{doc}");

    // rules DEA-1: deactivating it again is idempotent (E-INSTDEACT, 5016), nothing refunded.
    let doc = app.call(
        "DeactivateInstallation",
        &installation_request("DeactivateInstallation", &installations[1]),
    );
    assert_eq!(result_code(&doc), 5016, "{doc}");
}

#[test]
fn rea_3_same_computer_reactivation_keeps_the_installation_id_and_the_count() {
    let app = TestApp::spawn();
    let first = app.call(
        "ActivateInstallationLicenseFile",
        &license_file_request(1001, "demo1001", "PC1", "A1"),
    );
    assert_eq!(result_code(&first), 0, "{first}");
    let again = app.call(
        "ActivateInstallationLicenseFile",
        &license_file_request(1001, "demo1001", "PC1", "A2"),
    );
    assert_eq!(result_code(&again), 0, "{again}");
    assert_eq!(
        field(&again, "InstallationID"),
        field(&first, "InstallationID")
    );
    assert_eq!(field(&again, "ActivationsLeft"), "2");
}

#[test]
fn void_license_1003_is_refused_with_5017() {
    let app = TestApp::spawn();
    let doc = app.call(
        "ActivateInstallationLicenseFile",
        &license_file_request(1003, "demo1003", "PC1", "V1"),
    );
    assert_eq!(result_code(&doc), 5017, "{doc}");
}

#[test]
fn wrong_password_and_unknown_license_get_the_same_code() {
    // rules ERR-1: no license ID enumeration.
    let app = TestApp::spawn();
    let wrong = app.call(
        "ActivateInstallationLicenseFile",
        &license_file_request(1001, "nope", "PC1", "W1"),
    );
    let unknown = app.call(
        "ActivateInstallationLicenseFile",
        &license_file_request(999_999, "nope", "PC1", "W2"),
    );
    assert_eq!(result_code(&wrong), 5010);
    assert_eq!(result_code(&unknown), 5010);
    assert_eq!(
        field(&wrong, "ErrorMessage"),
        field(&unknown, "ErrorMessage")
    );
}

#[test]
fn cnt_2_decrement_is_all_or_nothing() {
    let app = TestApp::spawn();
    let doc = app.call("DecrementLicenseCounter", &decrement_request(5));
    assert_eq!(result_code(&doc), 0, "{doc}");
    assert_eq!(field(&doc, "LicenseCounter"), "95");
    let doc = app.call("DecrementLicenseCounter", &decrement_request(1000));
    assert_eq!(result_code(&doc), 5021, "{doc}");
    let doc = app.call("DecrementLicenseCounter", &decrement_request(95));
    assert_eq!(result_code(&doc), 0, "{doc}");
    assert_eq!(field(&doc, "LicenseCounter"), "0");
}

#[test]
fn pp4_trigger_codes_follow_unlockd_tc1_and_threshold_0_matches_the_same_computer() {
    let app = TestApp::spawn();
    let session = todays_session_code(4242);
    let doc = app.call(
        "ActivateInstallation",
        &trigger_request(1002, "demo1002", session, 123_456_789),
    );
    assert_eq!(result_code(&doc), 0, "{doc}");
    let expected = Tc1.generate(1, session, 123_456_789, 1234);
    assert_eq!(field(&doc, "ActivationCode1"), expected.to_string());
    assert_eq!(Tc1.validate(expected, session, 123_456_789, 1234), Some(1));
    assert_eq!(
        field(&doc, "ActivationCode2"),
        "0",
        "ActivationCode carries no data (TC-2)"
    );
    assert_eq!(field(&doc, "ActivationsLeft"), "1");

    // THR-2 with threshold 0: the same Computer ID is a `<TH` grant and costs nothing.
    let doc = app.call(
        "ActivateInstallation",
        &trigger_request(1002, "demo1002", session + 1, 123_456_789),
    );
    assert_eq!(result_code(&doc), 0, "{doc}");
    assert_eq!(field(&doc, "ActivationsLeft"), "1");

    let doc = app.call(
        "ActivateInstallation",
        &trigger_request(1002, "demo1002", session + 2, 123_456_790),
    );
    assert_eq!(result_code(&doc), 0, "{doc}");
    assert_eq!(field(&doc, "ActivationsLeft"), "0");
    let doc = app.call(
        "ActivateInstallation",
        &trigger_request(1002, "demo1002", session + 3, 5),
    );
    assert_eq!(result_code(&doc), 5011, "{doc}");

    // rules A1: Computer ID 0 is E-COMPID (5007).
    let doc = app.call(
        "ActivateInstallation",
        &trigger_request(1002, "demo1002", session, 0),
    );
    assert_eq!(result_code(&doc), 5007, "{doc}");
}

#[test]
fn clk_1_a_session_code_dated_days_away_is_refused_with_5022() {
    let app = TestApp::spawn();
    let stale = todays_session_code(1) - 3 * 32_768;
    let doc = app.call(
        "ActivateInstallation",
        &trigger_request(1002, "demo1002", stale, 77),
    );
    assert_eq!(result_code(&doc), 5022, "{doc}");
}
