//! The version check against the real binary (wire.md §3.7 UpdateCheck(S), §3.11
//! updatecheck.asp): both surfaces report the demo product's update fields set by
//! `--demo` and `unlockd product update` / `option replaced-by`, from one decision
//! (ActionToTake 0/1/2, errata E-21 ReplacedBy); UpdateCheck answers validate against
//! `schema/`; refusals use the client codes (errata E-15: 5010, 5008, 5002) or the PP4
//! Error Responses (100, 200, 300 per rules EXP-3) and write one attempt row only
//! (errata E-3).

use unlockd_tests::{extract_text, TestApp};

use crate::bad_input::assert_refused_and_logged;
use crate::schema::validate;

const PATH: &str = "/solo/webservices/XmlLicenseService.asmx";
const SCRIPT: &str = "/solo/customers/updatecheck.asp";

fn check(license: i32, password: &str, extra: &str) -> String {
    format!("<LicenseUpdateCheck><LicenseID>{license}</LicenseID><Password>{password}</Password><ProductID>1</ProductID><ProductName>Demo Product</ProductName><LanguageCode>en</LanguageCode>{extra}</LicenseUpdateCheck>")
}

fn soap11(app: &TestApp, inner: &str) -> String {
    app.call_at(PATH, "UpdateCheckS", inner)
}

fn soap12(app: &TestApp, inner: &str) -> String {
    app.call12_at(PATH, "UpdateCheckS", inner)
}

fn post(app: &TestApp, inner: &str) -> String {
    app.post_at(PATH, "UpdateCheck", inner)
}

fn field(doc: &str, name: &str) -> String {
    extract_text(doc, name).unwrap_or_else(|| panic!("no {name} in {doc}"))
}

fn script(app: &TestApp, query: &str) -> String {
    let r = app.get(&format!("{SCRIPT}?{query}"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    r.text()
}

#[test]
fn update_check_s_reports_the_demo_products_update_fields_on_every_binding() {
    let app = TestApp::spawn();
    let doc = soap11(
        &app,
        &check(1001, "demo1001", "<ProductVersion>1.0</ProductVersion>"),
    );
    assert_eq!(field(&doc, "ResultCode"), "0", "{doc}");
    validate("LicenseUpdateCheck", &doc);
    assert!(
        doc.contains("<LicenseUpdateCheckResult xmlns:xsd="),
        "E-20: {doc}"
    );
    assert_eq!(field(&doc, "LicenseStatus"), "OK");
    assert_eq!(field(&doc, "ReplacedBy"), "0");
    assert_eq!(field(&doc, "LatestVersion"), "1.2.0.0");
    assert_eq!(field(&doc, "LatestFreeVersion"), "1.1.0.0");
    assert_eq!(field(&doc, "ActionToTake"), "1", "below the free version");
    assert_eq!(field(&doc, "ReleaseDate"), "2026-11-01T00:00:00Z", "E-19");
    assert_eq!(
        field(&doc, "URLFile"),
        "https://example.com/demo-product/DemoProduct-1.2.0.0.exe"
    );
    assert_eq!(
        field(&doc, "ShortMessage"),
        "Demo Product 1.2 is available."
    );

    let doc = soap12(
        &app,
        &check(1001, "demo1001", "<ProductVersion>1.1.5</ProductVersion>"),
    );
    assert_eq!(
        field(&doc, "ActionToTake"),
        "2",
        "at or above the free version"
    );
    // A current client has nothing to do.
    let doc = post(
        &app,
        &check(1002, "demo1002", "<ProductVersion>1.2.0.0</ProductVersion>"),
    );
    assert_eq!(field(&doc, "ActionToTake"), "0", "{doc}");
    validate("LicenseUpdateCheck", &doc);
    // A Void license still gets its report: the status is reported, not enforced.
    let doc = post(&app, &check(1003, "demo1003", ""));
    assert_eq!(field(&doc, "LicenseStatus"), "Void", "{doc}");
    assert_eq!(field(&doc, "ActionToTake"), "1", "VER-2: no version");

    // Set by the admin CLI: a replacing option is a paid upgrade (E-21); fields clear.
    app.admin(&["option", "replaced-by", "--id", "1", "--by", "2"]);
    app.admin(&[
        "product",
        "update",
        "--id",
        "1",
        "--latest-free-version",
        "",
        "--short-message",
        "Moved to the PP4 option.",
    ]);
    let doc = soap11(
        &app,
        &check(1001, "demo1001", "<ProductVersion>1.2.0.0</ProductVersion>"),
    );
    assert_eq!(field(&doc, "ReplacedBy"), "2");
    assert_eq!(field(&doc, "ActionToTake"), "2", "{doc}");
    assert!(!doc.contains("LatestFreeVersion"), "cleared: {doc}");
    assert_eq!(field(&doc, "ShortMessage"), "Moved to the PP4 option.");
    validate("LicenseUpdateCheck", &doc);
    let lines = script(&app, "LicenseID=1001&Password=demo1001&Ver1=1&Ver2=2");
    assert!(lines.contains("License ReplacedBy = 2<br>\r\n"), "{lines}");
}

#[test]
fn update_check_refusals_use_the_client_codes_and_write_nothing() {
    let app = TestApp::spawn();
    let cases: [(&str, String, &str); 5] = [
        ("wrong password", check(1001, "nope", ""), "5010"),
        ("unknown license", check(4242, "demo1001", ""), "5010"),
        (
            "another product",
            check(1001, "demo1001", "").replace("<ProductID>1<", "<ProductID>9<"),
            "5008",
        ),
        (
            "no password",
            "<LicenseUpdateCheck><LicenseID>1001</LicenseID></LicenseUpdateCheck>".to_owned(),
            "5002",
        ),
        (
            "unparsable",
            "<LicenseUpdateCheck><LicenseID>".to_owned(),
            "5001",
        ),
    ];
    for (what, inner, expected) in cases {
        let doc = assert_refused_and_logged(&app, || soap11(&app, &inner));
        assert_eq!(field(&doc, "ResultCode"), expected, "{what}: {doc}");
        validate("LicenseUpdateCheck", &doc);
        assert!(!doc.contains("ActionToTake"), "{what}: {doc}");
    }
}

#[test]
fn updatecheck_asp_answers_the_same_values_as_label_lines() {
    let app = TestApp::spawn();
    let get = script(
        &app,
        "Flags=0&Options=0&LicenseID=1001&Password=demo1001&ProductID=1&ProdName=Demo&LanguageCode=en&Ver1=1&Ver2=0&Ver3=0&Ver4=0",
    );
    let expected = concat!(
        "License Status = 0<br>\r\n",
        "License ReplacedBy = 0<br>\r\n",
        "License Update = <br>\r\n",
        "VersionString = 1.2.0.0<br>\r\n",
        "ActionToTake = 1<br>\r\n",
        "URLInfo = https://example.com/demo-product/whats-new<br>\r\n",
        "URLFile = https://example.com/demo-product/DemoProduct-1.2.0.0.exe<br>\r\n",
        "LatestFreeVersion = 1.1.0.0<br>\r\n",
        "ReleaseDate = 2026-11-01<br>\r\n",
        "ShortMessage = Demo Product 1.2 is available.<br>\r\n",
    );
    assert_eq!(get, expected);
    // POST, path case-insensitive; VerifyDaysToDL on an unexpired OK license passes.
    let r = app.post(
        "/solo/Customers/UpdateCheck.asp",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"LicenseID=1001&Password=demo1001&Ver1=1&Ver2=1&VerifyDaysToDL=1",
    );
    assert_eq!(r.status, 200);
    assert!(
        r.text().contains("ActionToTake = 2<br>\r\n"),
        "{}",
        r.text()
    );
}

#[test]
fn updatecheck_asp_error_responses_write_one_attempt_row() {
    let app = TestApp::spawn();
    let cases = [
        ("wrong password", "LicenseID=1001&Password=nope", "100"),
        ("blank password", "LicenseID=1001&Password=", "100"),
        ("blank license", "LicenseID=&Password=demo1001", "100"),
        (
            "another product",
            "LicenseID=1001&Password=demo1001&ProductID=9",
            "200",
        ),
        (
            "bad product",
            "LicenseID=1001&Password=demo1001&ProductID=x",
            "500",
        ),
        (
            "EXP-3: downloads of a Void license",
            "LicenseID=1003&Password=demo1003&VerifyDaysToDL=1",
            "300",
        ),
    ];
    for (what, query, expected) in cases {
        let text = assert_refused_and_logged(&app, || script(&app, query));
        assert_eq!(
            text,
            format!("Error Response = {expected}<br>\r\n"),
            "{what}"
        );
    }
}
