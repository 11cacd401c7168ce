//! XmlLicenseService (wire.md §3.7) against the real binary: AddS, Add, InfoCheck(S),
//! GetLicenseCustomData(S) and UpdateLicenseCustomData(S) over SOAP 1.1, SOAP 1.2 and
//! HTTP POST, answers validated with xmllint; bad input and foreign objects give their
//! documented codes (5002, 5040, 5042, 5043, 5044) and write nothing but one attempt
//! row (errata E-3, E-17).

use std::collections::BTreeMap;

use unlockd_tests::{escape, extract_text, soap11_envelope, soap12_envelope, TestApp, NS};

use crate::bad_input::{assert_refused_and_logged, snapshot};
use crate::schema::validate;

const PATH: &str = "/solo/webservices/XmlLicenseService.asmx";
const AUTH: &str = "<AuthorID>1</AuthorID><UserID>demo</UserID><UserPassword>demo</UserPassword>";

/// Calls `{method}` over SOAP 1.1 and returns the unescaped inner answer.
fn soap11(app: &TestApp, method: &str, inner: &str) -> String {
    let action = format!("\"{NS}{method}\"");
    let r = app.post(
        PATH,
        &[
            ("Content-Type", "text/xml; charset=utf-8"),
            ("SOAPAction", &action),
        ],
        soap11_envelope(method, inner).as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    extract_text(&r.text(), &format!("{method}Result")).expect("result")
}

/// Calls `{method}` over SOAP 1.2.
fn soap12(app: &TestApp, method: &str, inner: &str) -> String {
    let r = app.post(
        PATH,
        &[("Content-Type", "application/soap+xml; charset=utf-8")],
        soap12_envelope(method, inner).as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    extract_text(&r.text(), &format!("{method}Result")).expect("result")
}

/// Calls `{segment}` over HTTP POST (`xml=`).
fn post(app: &TestApp, segment: &str, inner: &str) -> String {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("xml", inner)
        .finish();
    let r = app.post(
        &format!("{PATH}/{segment}"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    extract_text(&r.text(), "string").expect("string")
}

fn code(doc: &str) -> i32 {
    extract_text(doc, "ResultCode")
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no ResultCode in {doc}"))
}

fn license_add(fields: &str) -> String {
    format!("<LicenseAdd>{AUTH}<CustomerID>1</CustomerID><ProductOptionID>1</ProductOptionID>{fields}</LicenseAdd>")
}

/// The digests of every table but `api_users`, whose failed-login counter a wrong
/// password moves on purpose.
fn without_api_users(app: &TestApp) -> (BTreeMap<String, (i64, String)>, i64) {
    let (mut tables, history) = snapshot(app);
    tables.retain(|name, _| name != "api_users");
    (tables, history)
}

#[test]
fn adds_s_a_license_reads_and_updates_its_custom_data_on_every_binding() {
    let app = TestApp::spawn();
    let doc = soap11(
        &app,
        "AddS",
        &license_add(
            "<LicenseID>7001</LicenseID><ExpirationDate>2031-05-06T13:14:15Z</ExpirationDate><InvoiceNumber>INV-1</InvoiceNumber><UserDefinedFields><UDefChar1>a&amp;b</UDefChar1><UDefNum2>-9000000000</UDefNum2></UserDefinedFields><CustomData>hello</CustomData>",
        ),
    );
    assert_eq!(code(&doc), 0, "{doc}");
    validate("LicenseAdd", &doc);
    assert_eq!(extract_text(&doc, "LicenseID").as_deref(), Some("7001"));
    assert_eq!(
        extract_text(&doc, "ExpirationDate").as_deref(),
        Some("2031-05-06T00:00:00Z"),
        "E-19: a day"
    );
    assert_eq!(extract_text(&doc, "UDefChar1").as_deref(), Some("a&b"));
    let password = extract_text(&doc, "ActivationPassword").expect("password");
    assert_eq!(password.len(), 10, "PWD-3 default length");
    assert!(!password.contains(['0', 'O', 'o', '1', 'l', 'I']), "PWD-3");

    // SOAP 1.2 AddS with a generated ID; HTTP POST to …/Add is served as AddS.
    let doc = soap12(
        &app,
        "AddS",
        &license_add("<ActivationPassword>pw</ActivationPassword>"),
    );
    assert_eq!(code(&doc), 0, "{doc}");
    validate("LicenseAdd", &doc);
    let doc = post(&app, "Add", &license_add(""));
    assert_eq!(code(&doc), 0, "{doc}");
    validate("LicenseAdd", &doc);

    let info = soap12(
        &app,
        "InfoCheckS",
        &format!("<InfoCheck>{AUTH}<LicenseID>7001</LicenseID></InfoCheck>"),
    );
    assert_eq!(code(&info), 0, "{info}");
    validate("InfoCheck", &info);
    assert_eq!(
        extract_text(&info, "InvoiceNumber").as_deref(),
        Some("INV-1")
    );
    assert_eq!(
        extract_text(&info, "UDefNum2").as_deref(),
        Some("-9000000000")
    );

    let get =
        format!("<GetLicenseCustomData>{AUTH}<LicenseID>7001</LicenseID></GetLicenseCustomData>");
    let doc = post(&app, "GetLicenseCustomDataS", &get);
    validate("GetLicenseCustomData", &doc);
    assert_eq!(
        extract_text(&doc, "LicenseCustomData").as_deref(),
        Some("hello")
    );
    assert_eq!(extract_text(&doc, "Format").as_deref(), Some("Text"));

    let update = format!(
        "<UpdateLicenseCustomData>{AUTH}<LicenseID>7001</LicenseID><LicenseCustomData>{}</LicenseCustomData><Format>Xml</Format></UpdateLicenseCustomData>",
        escape("<cfg seats=\"3\"/>")
    );
    let doc = soap12(&app, "UpdateLicenseCustomDataS", &update);
    assert_eq!(code(&doc), 0, "{doc}");
    validate("UpdateLicenseCustomData", &doc);
    let doc = soap11(&app, "GetLicenseCustomDataS", &get);
    assert_eq!(
        extract_text(&doc, "LicenseCustomData").as_deref(),
        Some("<cfg seats=\"3\"/>")
    );
    assert_eq!(extract_text(&doc, "Format").as_deref(), Some("Xml"));
}

#[test]
fn add_carries_the_documents_as_child_xml() {
    let app = TestApp::spawn();
    let inner = license_add("<LicenseID>7100</LicenseID>");
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><Add xmlns=\"{NS}\"><xml>{}</xml></Add></soap:Body></soap:Envelope>",
        inner.replace("<LicenseAdd>", "<LicenseAdd xmlns=\"\">")
    );
    let r = app.post(
        PATH,
        &[("Content-Type", "text/xml; charset=utf-8")],
        body.as_bytes(),
    );
    let text = r.text();
    assert_eq!(r.status, 200, "{text}");
    let start = text.find("<LicenseAddResult").expect("child XML");
    let end = text.find("</LicenseAddResult>").expect("end") + "</LicenseAddResult>".len();
    let doc = text[start..end].replacen(" xmlns=\"\"", "", 1);
    assert_eq!(code(&doc), 0, "{doc}");
    validate("LicenseAdd", &doc);
    assert_eq!(extract_text(&doc, "LicenseID").as_deref(), Some("7100"));
}

#[test]
fn bad_back_office_input_gets_its_code_and_writes_nothing() {
    let app = TestApp::spawn();
    // Another author with its own option and API user.
    app.admin(&["author", "add", "--id", "2", "--name", "Other"]);
    app.admin(&[
        "author",
        "add-user",
        "--author",
        "2",
        "--user",
        "other",
        "--password",
        "secret",
    ]);
    app.admin(&[
        "product", "add", "--id", "20", "--author", "2", "--name", "Theirs",
    ]);
    app.admin(&[
        "option",
        "add",
        "--id",
        "200",
        "--product",
        "20",
        "--name",
        "Theirs",
    ]);
    let ok = soap11(&app, "AddS", &license_add("<LicenseID>7200</LicenseID>"));
    assert_eq!(code(&ok), 0, "{ok}");

    let cases: [(&str, String, i32); 8] = [
        (
            "another author's option",
            license_add("").replace("<ProductOptionID>1<", "<ProductOptionID>200<"),
            5042,
        ),
        (
            "unknown customer",
            license_add("").replace("<CustomerID>1<", "<CustomerID>999<"),
            5042,
        ),
        (
            "duplicate license ID",
            license_add("<LicenseID>7200</LicenseID>"),
            5043,
        ),
        (
            "over-long field",
            license_add(&format!(
                "<InvoiceNumber>{}</InvoiceNumber>",
                "x".repeat(51)
            )),
            5002,
        ),
        ("NUL character", license_add("<Notes>a\u{0}b</Notes>"), 5002),
        (
            "invalid date",
            license_add("<ExpirationDate>31.12.2030</ExpirationDate>"),
            5002,
        ),
        ("quantity 0", license_add("<Quantity>0</Quantity>"), 5002),
        ("unparsable", "<LicenseAdd><AuthorID>1".to_owned(), 5001),
    ];
    for (what, inner, expected) in cases {
        let doc = assert_refused_and_logged(&app, || post(&app, "AddS", &inner));
        assert_eq!(code(&doc), expected, "{what}: {doc}");
        validate("LicenseAdd", &doc);
    }
    // Another author's license is as unknown as a missing one (5042).
    let theirs = "<GetLicenseCustomData><AuthorID>2</AuthorID><UserID>other</UserID><UserPassword>secret</UserPassword><LicenseID>7200</LicenseID></GetLicenseCustomData>";
    let doc = assert_refused_and_logged(&app, || soap11(&app, "GetLicenseCustomDataS", theirs));
    assert_eq!(code(&doc), 5042, "{doc}");
    let theirs = "<InfoCheck><AuthorID>2</AuthorID><UserID>other</UserID><UserPassword>secret</UserPassword><LicenseID>7200</LicenseID></InfoCheck>";
    let doc = assert_refused_and_logged(&app, || post(&app, "InfoCheck", theirs));
    assert_eq!(code(&doc), 5042, "{doc}");
    validate("InfoCheck", &doc);
    let update = format!("<UpdateLicenseCustomData>{AUTH}<LicenseID>7200</LicenseID><LicenseCustomData>&lt;open</LicenseCustomData><Format>Xml</Format></UpdateLicenseCustomData>");
    let doc = assert_refused_and_logged(&app, || soap11(&app, "UpdateLicenseCustomDataS", &update));
    assert_eq!(code(&doc), 5002, "not a well-formed fragment: {doc}");
}

#[test]
fn wrong_credentials_are_counted_and_throttled() {
    let app = TestApp::spawn();
    let wrong = license_add("").replace("<UserPassword>demo<", "<UserPassword>nope<");
    for attempt in 1..=5 {
        let (before, history) = without_api_users(&app);
        let doc = post(&app, "AddS", &wrong);
        assert_eq!(code(&doc), 5040, "attempt {attempt}: {doc}");
        validate("LicenseAdd", &doc);
        let (after, history_after) = without_api_users(&app);
        assert_eq!(before, after, "a refused login wrote something");
        assert_eq!(history_after, history + 1, "one attempt row");
    }
    // Five failures throttle the user: even the right password is refused now.
    let doc = post(&app, "AddS", &license_add(""));
    assert_eq!(code(&doc), 5044, "{doc}");
    let unknown = license_add("").replace("<UserID>demo<", "<UserID>nobody<");
    let doc = post(&app, "AddS", &unknown);
    assert_eq!(code(&doc), 5040, "{doc}");
}

#[test]
fn the_wsdl_and_schemas_are_served() {
    let app = TestApp::spawn();
    let r = app.get(&format!("{PATH}?WSDL"));
    assert_eq!(r.status, 200);
    let text = r.text();
    assert!(text.contains("XmlLicenseServiceSoap12"), "{text}");
    assert!(text.contains("soapAction=\"http://secure.softwarekey.com/solo/webservices/AddS\""));
    let r = app.get("/solo/webservices/XmlLicenseServer.asmx?wsdl");
    assert_eq!(r.status, 200, "alias of wire.md §1");
    for name in ["BackOffice", "LicenseAddInput", "LicenseAddOutput"] {
        let r = app.get(&format!("/solo/webservices/schema/{name}.xsd"));
        assert_eq!(r.status, 200, "{name}");
    }
}
