//! XmlLicenseFileService.GetLicenseFile (wire.md §3.6, rules CHK-1, §7.3): the
//! reference client refreshes its license file against the real binary; every refusal
//! leaves the database unchanged but for one attempt row (errata E-3).

use time::{Duration, OffsetDateTime};
use unlockd_client::plus5::ClientError;
use unlockd_tests::{extract_text, TestApp, DEMO_KEY_ID, LICENSE_FILE_PATH};

use crate::bad_input::assert_refused_and_logged;
use crate::offline::{client, computer};
use crate::schema::validate;

fn refresh(app: &TestApp, request: &str) -> String {
    app.call_at(LICENSE_FILE_PATH, "GetLicenseFile", request)
}

#[test]
fn chk_1_client_refreshes_its_license_file_with_a_higher_update_counter() {
    let app = TestApp::spawn();
    let mut client = client(&app);
    let now = OffsetDateTime::now_utc();
    let request = client
        .activation_request(1001, "demo1001", "act", &computer("aa"), now)
        .expect("request");
    let answer = app.call("ActivateInstallationLicenseFile", &request);
    let first = client.import_activation(&answer, "act").expect("activated");

    let request = client
        .refresh_request(
            &first.installation_id,
            Some(1001),
            "ref1",
            &computer("aa"),
            now,
        )
        .expect("request");
    let answer = refresh(&app, &request);
    validate("GetLicenseFile", &answer);
    let refreshed = client.import_refresh(&answer, "ref1").expect("refreshed");
    assert_eq!(refreshed.license_id, 1001);
    assert_eq!(refreshed.installation_id, first.installation_id);
    assert_eq!(
        refreshed.update_counter,
        first.update_counter + 1,
        "§7.3: a refresh issues an artifact"
    );
    let opened = client
        .keys()
        .open(&refreshed.file)
        .expect("the saved file verifies");
    assert!(
        opened.private_data_xml.contains("value=\"aa\""),
        "§5.4 ActivationData carries the installation's identifiers: {}",
        opened.private_data_xml
    );

    // Without LicenseID and identifiers it is still the installation's file.
    let request = client
        .refresh_request(&first.installation_id, None, "ref2", &[], now)
        .expect("request");
    let again = client
        .import_refresh(&refresh(&app, &request), "ref2")
        .expect("refreshed");
    assert_eq!(again.update_counter, refreshed.update_counter + 1);
    // The older answer is now a rollback for the client.
    assert!(matches!(
        client.import_refresh(&answer, "ref1"),
        Err(ClientError::Rollback { .. })
    ));
}

#[test]
fn chk_1_refresh_refusals_5015_5007_5022_5016_5017_change_nothing() {
    let app = TestApp::spawn();
    let mut client = client(&app);
    let now = OffsetDateTime::now_utc();
    let request = client
        .activation_request(1001, "demo1001", "act", &computer("aa"), now)
        .expect("request");
    let answer = app.call("ActivateInstallationLicenseFile", &request);
    let installation = client
        .import_activation(&answer, "act")
        .expect("activated")
        .installation_id;

    let plain = |private_data: &str| {
        format!("<GetLicenseFile><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>{private_data}</PrivateData></GetLicenseFile>")
    };
    let ahead = (now + Duration::days(2)).replace_nanosecond(0).expect("ns");
    let ahead = ahead
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let cases = [
        (
            "unknown installation",
            plain("<InstallationID>00000000-0000-0000-0000-000000000001</InstallationID><SessionCode>s</SessionCode>"),
            5015,
        ),
        (
            "LicenseID not owning it",
            plain(&format!("<InstallationID>{installation}</InstallationID><LicenseID>1002</LicenseID><SessionCode>s</SessionCode>")),
            5015,
        ),
        (
            "another computer",
            plain(&format!("<InstallationID>{installation}</InstallationID><SessionCode>s</SessionCode><SystemIdentifiers><SystemIdentifier name=\"NIC\" type=\"10\" value=\"bb\"/></SystemIdentifiers>")),
            5007,
        ),
        (
            "clock ahead",
            plain(&format!("<ClientTimestamp>{ahead}</ClientTimestamp><InstallationID>{installation}</InstallationID><SessionCode>s</SessionCode>")),
            5022,
        ),
        (
            "no SessionCode",
            plain(&format!("<InstallationID>{installation}</InstallationID>")),
            5002,
        ),
    ];
    for (name, request, code) in cases {
        let answer = assert_refused_and_logged(&app, || refresh(&app, &request));
        assert_eq!(
            extract_text(&answer, "ResultCode"),
            Some(code.to_string()),
            "{name}: {answer}"
        );
        assert!(!answer.contains("<License>"), "{name}: no file on refusal");
        validate("GetLicenseFile", &answer);
    }

    app.admin(&["license", "set-status", "--id", "1001", "--status", "Void"]);
    let void = plain(&format!(
        "<InstallationID>{installation}</InstallationID><SessionCode>s</SessionCode>"
    ));
    let answer = assert_refused_and_logged(&app, || refresh(&app, &void));
    assert_eq!(extract_text(&answer, "ResultCode").as_deref(), Some("5017"));
    app.admin(&["license", "set-status", "--id", "1001", "--status", "OK"]);

    let proof = client
        .deactivation_request(&installation, "dea", &computer("aa"), now)
        .expect("proof");
    let receipt = app.call("DeactivateInstallation", &proof);
    client
        .import_deactivation(&receipt, "dea", 1001)
        .expect("deactivated");
    let answer = assert_refused_and_logged(&app, || refresh(&app, &void));
    assert_eq!(
        extract_text(&answer, "ResultCode").as_deref(),
        Some("5016"),
        "the client drops its license (§3.6)"
    );
}
