//! The PP4 posting scripts against the real binary (wire.md §3.11, §4.1):
//! postregdata.asp registers the customer (rules ACT-6, checked through ActivateLicense
//! with requireRegistration: E-UNREG 150 before, granted after), countpost.asp stores
//! the five usage counters; malformed or refused posts answer their documented
//! `Error Response` and change nothing but one attempt row (errata E-3).

use unlockd_tests::{extract_text, todays_session_code, TestApp};

use crate::bad_input::{assert_refused_and_logged, snapshot};

const POSTREG: &str = "/solo/postings/postregdata.asp";
const COUNTPOST: &str = "/solo/postings/countpost.asp";
const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

fn post(app: &TestApp, path: &str, body: &str) -> String {
    let r = app.post(path, &[FORM], body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    r.text()
}

/// ActivateLicense over HTTP POST with requireRegistration; its ErrorCode.
fn activate_requiring_registration(app: &TestApp, license: i32, password: &str) -> i32 {
    let session = todays_session_code(3);
    let body = format!("licenseID={license}&password={password}&productID=0&code1={session}&code2=77&serialNumber=0&requireRegistration=true");
    let text = post_asmx(app, &body);
    extract_text(&text, "ErrorCode")
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no ErrorCode in {text}"))
}

fn post_asmx(app: &TestApp, body: &str) -> String {
    let r = app.post(
        "/solo/webservices/activationserver.asmx/ActivateLicense",
        &[FORM],
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.text()
}

const CONTACT: &str = "CompanyName=Acme%20GmbH&Firstname=Ann&Lastname=Lee&address1=Main%20St%201&address2=&city=Ulm&state=BW&postalcode=89073&country=DE&phone=123&fax=&email=ann%40acme.example";

fn flags() -> String {
    format!("1{}", "0".repeat(31))
}

#[test]
fn act_6_postregdata_asp_registers_the_customer() {
    let app = TestApp::spawn();
    app.admin(&["customer", "add", "--id", "50", "--company", "Unregistered"]);
    app.admin(&[
        "license",
        "add",
        "--id",
        "2001",
        "--option",
        "2",
        "--customer",
        "50",
        "--password",
        "pw2001",
    ]);
    // A7: registration required and the customer is not registered yet (E-UNREG, 150).
    assert_eq!(activate_requiring_registration(&app, 2001, "pw2001"), 150);

    let good = format!("LicenseID=2001&Password=pw2001&flags={}&{CONTACT}", flags());
    let refusals = [
        // Blank ID or password, or wrong credentials: 100 (wire.md §4.1).
        (good.replace("LicenseID=2001", "LicenseID="), 100),
        (good.replace("Password=pw2001", "Password="), 100),
        (good.replace("Password=pw2001", "Password=wrong"), 100),
        (good.replace("LicenseID=2001", "LicenseID=9999"), 100),
        // Any other bad field: 500.
        (good.replace("LicenseID=2001", "LicenseID=20x1"), 500),
        (good.replace(&flags(), "1010"), 500),
        (good.replace(&flags(), &flags().replace('1', "2")), 500),
        (
            good.replace("city=Ulm", &format!("city={}", "u".repeat(256))),
            500,
        ),
        (good.replace("city=Ulm", "city=U%00lm"), 500),
    ];
    for (body, code) in refusals {
        let text = assert_refused_and_logged(&app, || post(&app, POSTREG, &body));
        assert_eq!(text, format!("Error Response = {code}<br>\r\n"), "{body}");
    }

    let (before, _) = snapshot(&app);
    assert_eq!(
        post(&app, POSTREG, &good),
        "Registration Result = 0<br>\r\n"
    );
    let (after, _) = snapshot(&app);
    let changed: Vec<&String> = before
        .keys()
        .filter(|table| before.get(*table) != after.get(*table))
        .collect();
    assert_eq!(changed, ["customers"], "only the customer row changes");
    // ACT-6: the customer is registered now, so A7 passes.
    assert_eq!(activate_requiring_registration(&app, 2001, "pw2001"), 0);
}

#[test]
fn countpost_asp_stores_the_last_usage_counters() {
    let app = TestApp::spawn();
    let url = unlockd_store::DatabaseUrl::parse(&app.database_url()).expect("url");
    let store =
        unlockd_store::Store::open(&url, unlockd_store::StoreOptions::default()).expect("open");
    let license = unlockd_core::LicenseId::new(1002).expect("id");
    assert_eq!(store.usage_counters(license).expect("read"), None);

    let good = "LicenseID=1002&counter1=1&counter2=20&counter3=300&counter4=0&counter5=9000000000";
    assert_eq!(
        post(&app, COUNTPOST, good),
        "Counter update result = 0<br>\r\nLicense Update = <br>\r\n"
    );
    assert_eq!(
        store.usage_counters(license).expect("read"),
        Some([1, 20, 300, 0, 9_000_000_000])
    );
    // The optional Password is checked when given [ours]; GET works like POST.
    let r = app.get(&format!(
        "{COUNTPOST}?{}&Password=demo1002",
        good.replace("counter1=1", "counter1=2")
    ));
    assert_eq!(
        r.text(),
        "Counter update result = 0<br>\r\nLicense Update = <br>\r\n"
    );
    assert_eq!(
        store.usage_counters(license).expect("read"),
        Some([2, 20, 300, 0, 9_000_000_000])
    );

    for (body, code) in [
        (good.replace("LicenseID=1002", "LicenseID="), 100),
        (good.replace("LicenseID=1002", "LicenseID=9999"), 100),
        (format!("{good}&Password=wrong"), 100),
        (good.replace("LicenseID=1002", "LicenseID=abc"), 500),
        (good.replace("&counter5=9000000000", ""), 500),
        (good.replace("counter3=300", "counter3=3x"), 500),
        (good.replace("counter3=300", "counter3=-3"), 500),
    ] {
        let text = assert_refused_and_logged(&app, || post(&app, COUNTPOST, &body));
        assert_eq!(text, format!("Error Response = {code}<br>\r\n"), "{body}");
    }
    assert_eq!(
        store.usage_counters(license).expect("read"),
        Some([2, 20, 300, 0, 9_000_000_000]),
        "refusals keep the last counters"
    );
}

#[test]
fn scripts_without_a_public_field_list_answer_404() {
    // wire.md §3.11: not served in this version [ours].
    let app = TestApp::spawn();
    for path in [
        "/solo/customers/getregdata.asp",
        "/solo/customers/getlicenseinfo1.asp",
        "/solo/customers/license_return.asp",
        "/solo/customers/download.asp",
        "/solo/customers/DownloadFile.aspx",
        "/solo/customers/trialsignup.asp",
        "/solo/customers/getinvoicelicenseidlist.asp",
    ] {
        assert_eq!(
            app.get(&format!("{path}?LicenseID=1002")).status,
            404,
            "{path}"
        );
    }
}
