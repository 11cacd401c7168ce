//! The legacy surfaces against the real binary (wire.md §3.9, §3.11, §4.1): typed
//! ActivateLicense over SOAP 1.2 and HTTP POST with the trigger-code algorithm, PP4
//! getcode.asp lines, and malformed legacy form fields that change nothing (E-3).

use unlockd_core::trigger::{Tc1, TriggerCodeAlgorithm};
use unlockd_tests::{extract_text, todays_session_code, TestApp, NS};

use crate::bad_input::assert_refused_and_logged;

const ASMX: &str = "/solo/webservices/activationserver.asmx";

fn activate_license_12(
    app: &TestApp,
    license: i32,
    password: &str,
    code1: i32,
    code2: i32,
) -> String {
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap12:Envelope xmlns:soap12="http://www.w3.org/2003/05/soap-envelope"><soap12:Body><ActivateLicense xmlns="{NS}"><licenseID>{license}</licenseID><password>{password}</password><productID>0</productID><code1>{code1}</code1><code2>{code2}</code2><serialNumber>0</serialNumber><requireRegistration>false</requireRegistration></ActivateLicense></soap12:Body></soap12:Envelope>"#
    );
    let r = app.post(
        ASMX,
        &[("Content-Type", "application/soap+xml; charset=utf-8")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.text()
}

fn error_code(doc: &str) -> i32 {
    extract_text(doc, "ErrorCode")
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no ErrorCode in {doc}"))
}

#[test]
fn tc_3_activate_license_returns_the_trigger_codes_of_the_option() {
    let app = TestApp::spawn();
    let session = todays_session_code(5);
    let doc = activate_license_12(&app, 1002, "demo1002", session, 123456789);
    assert_eq!(error_code(&doc), 0, "{doc}");
    let expected = Tc1.generate(1, session, 123456789, 1234);
    assert_eq!(extract_text(&doc, "RegCode1"), Some(expected.to_string()));
    assert_eq!(extract_text(&doc, "RegCode2").as_deref(), Some("0"));
    assert_eq!(extract_text(&doc, "UnlocksLeft").as_deref(), Some("1"));
    let refused = assert_refused_and_logged(&app, || {
        activate_license_12(&app, 1002, "nope", session, 123456789)
    });
    assert_eq!(error_code(&refused), 100);
    let refused = assert_refused_and_logged(&app, || activate_license_12(&app, 0, "x", session, 1));
    assert_eq!(error_code(&refused), 50);
}

#[test]
fn malformed_legacy_form_fields_are_faults_and_change_nothing() {
    let app = TestApp::spawn();
    let session = todays_session_code(9);
    let good = format!("licenseID=1002&password=demo1002&productID=0&code1={session}&code2=42&serialNumber=0&requireRegistration=false");
    for (body, fault) in [
        (
            good.replace("code2=42", "code2=forty-two"),
            "InvalidParameter",
        ),
        (good.replace("&serialNumber=0", ""), "MissingParameter"),
        (
            good.replace("requireRegistration=false", "requireRegistration=maybe"),
            "InvalidParameter",
        ),
    ] {
        let text = assert_refused_and_logged(&app, || {
            let r = app.post(
                &format!("{ASMX}/ActivateLicense"),
                &[("Content-Type", "application/x-www-form-urlencoded")],
                body.as_bytes(),
            );
            assert_eq!(r.status, 400, "{}", r.text());
            r.text()
        });
        assert!(text.starts_with(fault), "{text}");
    }
    let r = app.post(
        &format!("{ASMX}/activatelicense"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        good.as_bytes(),
    );
    assert_eq!(r.status, 200);
    let text = r.text();
    assert!(
        text.contains(&format!(
            "<ActivateLicenseResult xmlns=\"{NS}\"><ErrorCode>0</ErrorCode>"
        )),
        "{text}"
    );
}

#[test]
fn getcode_asp_lines_then_no_more_keys() {
    let app = TestApp::spawn();
    let session = todays_session_code(11);
    let get = |computer: i32| {
        app.get(&format!(
            "/solo/unlock/getcode.asp?LicenseID=1002&CustomerPW=demo1002&code1={session}&code2={computer}"
        ))
    };
    let first = get(1001);
    assert_eq!(first.status, 200);
    assert_eq!(
        first.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let code1 = Tc1.generate(1, session, 1001, 1234);
    assert_eq!(
        first.text(),
        format!("Registration code1 = {code1}<br>\r\nRegistration code2 = 0<br>\r\nLicense Update = <br>\r\n")
    );
    assert_eq!(get(1002).status, 200);
    let none = assert_refused_and_logged(&app, || get(1003).text());
    assert_eq!(none, "No More Keys available!<br>\r\n");
    let blank = assert_refused_and_logged(&app, || {
        app.get("/solo/unlock/getcode.asp?LicenseID=1002&code1=1&code2=2")
            .text()
    });
    assert_eq!(blank, "Error Response = 100<br>\r\n");
    let posted = assert_refused_and_logged(&app, || {
        app.post(
            "/solo/unlock/GETCODE.ASP?LicenseID=1002",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            format!("CustomerPW=demo1002&code1={session}&code2=0").as_bytes(),
        )
        .text()
    });
    assert_eq!(posted, "Error Response = 103<br>\r\n");
}

#[test]
fn getlicensestatus_asp_reports_the_pp4_status_number() {
    let app = TestApp::spawn();
    let ok = app.get("/solo/customers/getlicensestatus.asp?LicenseID=1003&CustomerPW=demo1003");
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.text(),
        "License Status = 6<br>\r\nLicense ReplacedBy = 0<br>\r\nLicense Update = <br>\r\n",
        "Void is 6 (wire.md §4.2)"
    );
    for (query, expected) in [
        (
            "LicenseID=1002&CustomerPW=wrong",
            "Error Response = 100<br>\r\n",
        ),
        (
            "LicenseID=1002&CustomerPW=demo1002&ProdID=77",
            "Error Response = 200<br>\r\n",
        ),
        (
            "LicenseID=&CustomerPW=demo1002",
            "Error Response = 100<br>\r\n",
        ),
        (
            "LicenseID=12x&CustomerPW=demo1002",
            "Error Response = 500<br>\r\n",
        ),
    ] {
        let text = assert_refused_and_logged(&app, || {
            app.get(&format!("/solo/customers/getlicensestatus.asp?{query}"))
                .text()
        });
        assert_eq!(text, expected, "{query}");
    }
}
