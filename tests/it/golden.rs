//! Raw SOAP 1.1, SOAP 1.2 and POST-form exchanges compared byte for byte with golden
//! files, masking only what errata E-4 lists. `UPDATE_GOLDEN=1` rewrites the files.

use std::path::PathBuf;

use unlockd_tests::{
    extract_text, soap11_envelope, soap12_envelope, unescape, workspace_root, RawResponse, TestApp,
    ACTIVATION_PATH, DEMO_KEY_ID, NS,
};

use crate::activation::license_file_request;

/// Elements whose content errata E-4 masks.
const MASKED: [&str; 6] = [
    "InstallationID",
    "SessionID",
    "CipherValue",
    "DigestValue",
    "SignatureValue",
    "Modulus",
];

/// Replaces E-4 fields (escaped or not) and every `YYYY-MM-DDTHH:MM:SSZ` timestamp.
fn mask(text: &str) -> String {
    let mut out = text.to_owned();
    for tag in MASKED {
        for (open, close) in [
            (format!("<{tag}>"), "<".to_owned()),
            (format!("&lt;{tag}&gt;"), "&lt;".to_owned()),
        ] {
            let mut from = 0;
            while let Some(i) = out[from..].find(&open) {
                let start = from + i + open.len();
                let Some(len) = out[start..].find(&close) else {
                    break;
                };
                out.replace_range(start..start + len, "***");
                from = start + 3;
            }
        }
    }
    mask_timestamps(&out)
}

fn mask_timestamps(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if i + 20 <= b.len() && is_timestamp(&b[i..i + 20]) {
            out.push_str("<timestamp>");
            i += 20;
        } else {
            let ch = s[i..].chars().next().unwrap_or('?');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn is_timestamp(b: &[u8]) -> bool {
    const SHAPE: &[u8; 20] = b"dddd-dd-ddTdd:dd:ddZ";
    b.iter().zip(SHAPE).all(|(c, s)| match s {
        b'd' => c.is_ascii_digit(),
        _ => c == s,
    })
}

fn render(r: &RawResponse) -> String {
    format!(
        "HTTP {}\ncontent-type: {}\n\n{}\n",
        r.status,
        r.header("content-type").unwrap_or(""),
        mask(&r.text())
    )
}

fn check(case: &str, response: &RawResponse) {
    let path: PathBuf = workspace_root().join(format!("tests/fixtures/golden/{case}.txt"));
    let actual = render(response);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    assert_eq!(actual, expected, "golden mismatch for {case}");
}

#[test]
fn golden_exchanges_over_all_three_bindings() {
    let app = TestApp::spawn();

    let r = app.soap11(
        "ActivateInstallationLicenseFile",
        &license_file_request(1001, "demo1001", "GOLD1", "G1"),
    );
    check("soap11_activate_installation_license_file", &r);
    let installation =
        extract_text(&unescape(&r.text()), "InstallationID").expect("installation id");

    let check_doc = format!(
        "<CheckInstallationStatus><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData><InstallationID>{installation}</InstallationID></PrivateData></CheckInstallationStatus>"
    );
    let r = app.post(
        ACTIVATION_PATH,
        &[("Content-Type", "application/soap+xml; charset=utf-8")],
        soap12_envelope("CheckInstallationStatus", &check_doc).as_bytes(),
    );
    check("soap12_check_installation_status", &r);

    let unknown = format!(
        "<DeactivateInstallation><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData><InstallationID>11111111-2222-3333-4444-555555555555</InstallationID></PrivateData></DeactivateInstallation>"
    );
    let r = app.post(
        ACTIVATION_PATH,
        &[(
            "Content-Type",
            &format!("application/soap+xml; charset=utf-8; action=\"{NS}DeactivateInstallation\""),
        )],
        soap12_envelope("DeactivateInstallation", &unknown).as_bytes(),
    );
    check("soap12_deactivate_unknown_installation", &r);

    let decrement = format!(
        "<DecrementLicenseCounter><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData><LicenseID>1001</LicenseID><Password>demo1001</Password><Amount>3</Amount></PrivateData></DecrementLicenseCounter>"
    );
    let form = format!("xml={}", form_escape(&decrement));
    let r = app.post(
        &format!("{ACTIVATION_PATH}/DecrementLicenseCounter"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    check("post_decrement_license_counter", &r);

    let stale = format!(
        "<ActivateInstallation><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData><LicenseID>1002</LicenseID><Password>demo1002</Password><UserCode1>1</UserCode1><UserCode2>123456789</UserCode2></PrivateData></ActivateInstallation>"
    );
    let form = format!("xml={}", form_escape(&stale));
    let r = app.post(
        &format!("{ACTIVATION_PATH}/activateinstallation"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    check("post_activate_installation_clock_refused", &r);

    let r = app.post(
        ACTIVATION_PATH,
        &[
            ("Content-Type", "text/xml; charset=utf-8"),
            ("SOAPAction", "\"\""),
        ],
        b"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>",
    );
    check("soap11_fault_malformed_xml", &r);

    let r = app.post(
        ACTIVATION_PATH,
        &[("Content-Type", "application/soap+xml; charset=utf-8")],
        soap12_envelope("NoSuchMethod", "<x/>").as_bytes(),
    );
    check("soap12_fault_unknown_operation", &r);

    let r = app.post(
        ACTIVATION_PATH,
        &[
            ("Content-Type", "text/xml; charset=utf-8"),
            (
                "SOAPAction",
                &format!("\"{NS}ActivateInstallationLicenseFile\""),
            ),
        ],
        soap11_envelope(
            "ActivateInstallationLicenseFile",
            &license_file_request(1003, "demo1003", "GOLD2", "G2"),
        )
        .as_bytes(),
    );
    check("soap11_activate_void_license", &r);
}

/// `application/x-www-form-urlencoded` escaping of a field value.
fn form_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
