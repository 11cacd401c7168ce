//! Bad input gets its documented fault or result code, is logged as exactly one
//! attempt-history row, and leaves every other table unchanged (errata E-3).

use std::collections::BTreeMap;

use unlockd_tests::{extract_text, soap11_envelope, TestApp, ACTIVATION_PATH, DEMO_KEY_ID, NS};

use crate::activation::license_file_request;

/// Row counts and checksums of every table but the attempt history, plus its count.
pub(crate) fn snapshot(app: &TestApp) -> (BTreeMap<String, (i64, String)>, i64) {
    let url = unlockd_store::DatabaseUrl::parse(&app.database_url()).expect("url");
    let store =
        unlockd_store::Store::open(&url, unlockd_store::StoreOptions::default()).expect("open");
    (
        store.table_digests().expect("digests"),
        store.history_count().expect("history count"),
    )
}

/// Sends `send` and asserts: the database is unchanged but for exactly one new
/// attempt row.
pub(crate) fn assert_refused_and_logged(app: &TestApp, send: impl FnOnce() -> String) -> String {
    let (before, history_before) = snapshot(app);
    let answer = send();
    let (after, history_after) = snapshot(app);
    assert_eq!(
        before, after,
        "a refused request changed the database\n{answer}"
    );
    assert_eq!(
        history_after,
        history_before + 1,
        "exactly one attempt row\n{answer}"
    );
    answer
}

fn soap11_raw(app: &TestApp, body: &[u8], action: &str) -> unlockd_tests::RawResponse {
    let action = format!("\"{NS}{action}\"");
    app.post(
        ACTIVATION_PATH,
        &[
            ("Content-Type", "text/xml; charset=utf-8"),
            ("SOAPAction", &action),
        ],
        body,
    )
}

fn fault_code(text: &str) -> String {
    extract_text(text, "Code")
        .or_else(|| extract_text(text, "faultcode"))
        .unwrap_or_default()
}

fn inner_code(app: &TestApp, inner: &str) -> i32 {
    let doc = app.call("ActivateInstallationLicenseFile", inner);
    extract_text(&doc, "ResultCode")
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no ResultCode in {doc}"))
}

#[test]
fn envelope_defects_are_soap_faults_and_change_nothing() {
    let app = TestApp::spawn();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("MalformedXml", b"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>".to_vec(), "ActivateInstallationLicenseFile"),
        (
            "DtdForbidden",
            br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ActivateInstallationLicenseFile xmlns="http://secure.softwarekey.com/solo/webservices/"><xml>&xxe;</xml></ActivateInstallationLicenseFile></soap:Body></soap:Envelope>"#.to_vec(),
            "ActivateInstallationLicenseFile",
        ),
        (
            "DtdForbidden",
            br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x>&lol3;</x></soap:Body></soap:Envelope>"#.to_vec(),
            "ActivateInstallationLicenseFile",
        ),
        ("TooDeep", {
            let mut b = b"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>".to_vec();
            b.extend(std::iter::repeat_n(b"<a>".as_slice(), 10_000).flatten());
            b.extend(std::iter::repeat_n(b"</a>".as_slice(), 10_000).flatten());
            b.extend_from_slice(b"</soap:Body></soap:Envelope>");
            b
        }, "ActivateInstallationLicenseFile"),
        ("UnsupportedEncoding", {
            let mut b = soap11_envelope("ActivateInstallationLicenseFile", &license_file_request(1001, "demo1001", "PC1", "X")).into_bytes();
            let at = b.len() - 40;
            b[at] = 0xff;
            b[at + 1] = 0xfe;
            b
        }, "ActivateInstallationLicenseFile"),
        ("SoapActionMismatch", soap11_envelope("ActivateInstallationLicenseFile", &license_file_request(1001, "demo1001", "PC1", "X")).into_bytes(), "DeactivateInstallation"),
        ("UnknownOperation", soap11_envelope("StealLicenses", "<x/>").into_bytes(), "StealLicenses"),
        ("MissingParameter", br#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ActivateInstallationLicenseFile xmlns="http://secure.softwarekey.com/solo/webservices/"></ActivateInstallationLicenseFile></soap:Body></soap:Envelope>"#.to_vec(), "ActivateInstallationLicenseFile"),
        ("VersionMismatch", br#"<e:Envelope xmlns:e="urn:not-soap"><e:Body/></e:Envelope>"#.to_vec(), "ActivateInstallationLicenseFile"),
    ];
    for (code, body, action) in cases {
        let text = assert_refused_and_logged(&app, || {
            let r = soap11_raw(&app, &body, action);
            assert_eq!(r.status, 500, "{code}: HTTP status; {}", r.text());
            r.text()
        });
        assert_eq!(fault_code(&text), code, "{text}");
    }
}

#[test]
fn a_20_mb_body_is_refused_with_413_before_parsing() {
    let app = TestApp::spawn();
    assert_refused_and_logged(&app, || {
        let head = format!(
            "POST {ACTIVATION_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            20 * 1024 * 1024
        );
        let r = app.raw(head.as_bytes());
        assert_eq!(r.status, 413);
        r.text()
    });
}

#[test]
fn inner_document_defects_and_unknown_ids_get_result_codes() {
    let app = TestApp::spawn();
    let base = license_file_request(1001, "demo1001", "PC1", "B1");
    let cases: Vec<(i32, String)> = vec![
        (
            5001,
            "<ActivateInstallationLicenseFile><EncryptionKeyID>".to_owned(),
        ),
        (5001, format!("<!DOCTYPE a [<!ENTITY x \"y\">]>{base}")),
        (5001, "<SomethingElse/>".to_owned()),
        (
            5003,
            base.replace(DEMO_KEY_ID, "00000000-0000-0000-0000-000000000001"),
        ),
        (5002, base.replace("<Password>demo1001</Password>", "")),
        (
            5002,
            base.replace("<LicenseID>1001</LicenseID>", "<LicenseID>ten</LicenseID>"),
        ),
        (
            5002,
            base.replace(
                "<LicenseID>1001</LicenseID>",
                "<LicenseID>1001</LicenseID><LicenseID>1001</LicenseID>",
            ),
        ),
        (5010, license_file_request(424_242, "demo1001", "PC1", "B2")),
        (5010, license_file_request(1001, "wrong", "PC1", "B3")),
        (
            5008,
            base.replace(
                "<Password>demo1001</Password>",
                "<Password>demo1001</Password><ProductID>77</ProductID>",
            ),
        ),
    ];
    for (expected, inner) in cases {
        let code = {
            let mut got = 0;
            assert_refused_and_logged(&app, || {
                got = inner_code(&app, &inner);
                String::new()
            });
            got
        };
        assert_eq!(code, expected, "for {inner}");
    }
}
