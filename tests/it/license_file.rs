//! The PLUS 5 license file of an activation opens with the ClientKey taken from the
//! demo Envelope (errata E-9) and verifies with the ServerKey public key, using the
//! reference client side of our crypto module; `tests/python` checks the same with an
//! independent implementation.

use std::process::Command;

use unlockd_soap::crypto::client::ClientKeys;
use unlockd_tests::{binary, extract_text, TestApp, DEMO_KEY_ID};

use crate::activation::license_file_request;

pub(crate) fn exported_keys(app: &TestApp) -> serde_json::Value {
    let out = Command::new(binary())
        .args(["key", "export", "--id", DEMO_KEY_ID])
        .env("UNLOCKD_DATABASE_URL", app.database_url())
        .env("RUST_LOG", "error")
        .output()
        .expect("run key export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("key export prints JSON")
}

fn software_key(answer: &str) -> &str {
    let start = answer.find("<SoftwareKey").expect("SoftwareKey in answer");
    let end = answer.find("</SoftwareKey>").expect("end of SoftwareKey") + "</SoftwareKey>".len();
    &answer[start..end]
}

#[test]
fn license_file_opens_with_the_envelope_client_key_and_verifies() {
    let app = TestApp::spawn();
    let answer = app.call(
        "ActivateInstallationLicenseFile",
        &license_file_request(1001, "demo1001", "LF1", "L1"),
    );
    assert_eq!(
        extract_text(&answer, "ResultCode").as_deref(),
        Some("0"),
        "{answer}"
    );
    let keys = exported_keys(&app);
    assert_eq!(keys["EncryptionKeyID"], DEMO_KEY_ID);
    let client = ClientKeys::from_envelope(
        keys["Envelope"].as_str().expect("Envelope"),
        keys["EnvelopeKey"].as_str().expect("EnvelopeKey"),
    )
    .expect("the envelope opens with its key");

    let opened = client
        .open(software_key(&answer))
        .expect("license verifies and decrypts");
    assert!(
        opened.signed && opened.encrypted,
        "license files are always protected (wire.md §5.4)"
    );
    let license = &opened.private_data_xml;
    assert_eq!(extract_text(license, "LicenseID").as_deref(), Some("1001"));
    assert_eq!(
        extract_text(license, "InstallationID"),
        extract_text(&answer, "InstallationID")
    );
    assert_eq!(extract_text(license, "TriggerCode").as_deref(), Some("1"));
    assert_eq!(
        extract_text(license, "ProductName").as_deref(),
        Some("Demo Product")
    );
    assert_eq!(
        extract_text(license, "LicenseCounter").as_deref(),
        Some("100")
    );
    assert!(
        license.contains("value=\"LF1\""),
        "identifiers are echoed: {license}"
    );

    // One flipped character in the signed content breaks verification.
    let tampered = software_key(&answer).replacen("<CipherValue>", "<CipherValue>AAAA", 1);
    assert!(client.open(&tampered).is_err());
}
