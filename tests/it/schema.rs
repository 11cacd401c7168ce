//! Every answer validates against the XSDs we publish in `schema/` (checked with
//! xmllint, an independent validator), and the WSDL is served with our address.

use std::io::Write;
use std::process::{Command, Stdio};

use unlockd_tests::{extract_text, workspace_root, TestApp, ACTIVATION_PATH, DEMO_KEY_ID};

use crate::activation::license_file_request;

pub(crate) fn validate(method: &str, doc: &str) {
    let xsd = workspace_root().join(format!("schema/{method}Output.xsd"));
    let mut child = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xmllint is installed by scripts/test");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(doc.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("xmllint");
    assert!(
        out.status.success(),
        "{method} answer does not validate against {}:\n{}\n{doc}",
        xsd.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn answers_validate_against_the_published_schemas() {
    let app = TestApp::spawn();
    let ok = app.call(
        "ActivateInstallationLicenseFile",
        &license_file_request(1001, "demo1001", "XSD1", "X1"),
    );
    validate("ActivateInstallationLicenseFile", &ok);
    let refused = app.call(
        "ActivateInstallationLicenseFile",
        &license_file_request(1003, "demo1003", "XSD1", "X2"),
    );
    validate("ActivateInstallationLicenseFile", &refused);

    let installation = extract_text(&ok, "InstallationID").expect("installation");
    for method in ["CheckInstallationStatus", "DeactivateInstallation"] {
        let doc = app.call(
            method,
            &format!("<{method}><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData><InstallationID>{installation}</InstallationID></PrivateData></{method}>"),
        );
        validate(method, &doc);
    }
    let doc = app.call(
        "DecrementLicenseCounter",
        &format!("<DecrementLicenseCounter><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData><LicenseID>1001</LicenseID><Password>demo1001</Password></PrivateData></DecrementLicenseCounter>"),
    );
    validate("DecrementLicenseCounter", &doc);
    let session = unlockd_tests::todays_session_code(7);
    let doc = app.call(
        "ActivateInstallation",
        &format!("<ActivateInstallation><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData><LicenseID>1002</LicenseID><Password>demo1002</Password><UserCode1>{session}</UserCode1><UserCode2>42</UserCode2></PrivateData></ActivateInstallation>"),
    );
    validate("ActivateInstallation", &doc);
}

#[test]
fn wsdl_is_served_with_this_servers_address() {
    let app = TestApp::spawn();
    for query in ["?WSDL", "?wsdl"] {
        let r = app.get(&format!("{ACTIVATION_PATH}{query}"));
        assert_eq!(r.status, 200);
        assert!(r
            .header("content-type")
            .unwrap_or("")
            .starts_with("text/xml"));
        let text = r.text();
        assert!(text.contains("XmlActivationServiceSoap12"), "{text}");
        assert!(
            text.contains(&format!("http://{}{ACTIVATION_PATH}", app.addr)),
            "address of this server in the WSDL"
        );
    }
}
