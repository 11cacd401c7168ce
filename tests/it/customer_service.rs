//! XmlCustomerService and licenseserver.asmx AddLicenseAndUnregisteredCustomer (wire.md
//! §3.8) against the real binary over SOAP 1.1, SOAP 1.2 and HTTP POST; answers
//! validated with xmllint against `schema/`; another author's customers and options,
//! wrong credentials, NUL, over-long fields and unknown IDs get their documented
//! codes (5001, 5002, 5040, 5042) and write nothing but one attempt row (errata E-3).

use std::collections::BTreeMap;

use unlockd_tests::{extract_text, RawResponse, TestApp, NS};

use crate::bad_input::{assert_refused_and_logged, snapshot};
use crate::schema::validate;

const PATH: &str = "/solo/webservices/XmlCustomerService.asmx";
const LICENSE_SERVER: &str = "/solo/webservices/licenseserver.asmx";
const AUTH: &str = "<AuthorID>1</AuthorID><UserID>demo</UserID><UserPassword>demo</UserPassword>";
const OTHER: &str =
    "<AuthorID>2</AuthorID><UserID>other</UserID><UserPassword>secret</UserPassword>";

/// Calls `{method}` over SOAP 1.1 and returns the unescaped inner answer.
fn soap11(app: &TestApp, method: &str, inner: &str) -> String {
    app.call_at(PATH, method, inner)
}

/// Calls `{method}` over SOAP 1.2.
fn soap12(app: &TestApp, method: &str, inner: &str) -> String {
    app.call12_at(PATH, method, inner)
}

/// Calls `{segment}` over HTTP POST (`xml=`).
fn post(app: &TestApp, segment: &str, inner: &str) -> String {
    app.post_at(PATH, segment, inner)
}

fn code(doc: &str) -> i32 {
    extract_text(doc, "ResultCode")
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no ResultCode in {doc}"))
}

fn add(auth: &str, customer: &str) -> String {
    format!("<CustomerAdd>{auth}<Customer>{customer}</Customer></CustomerAdd>")
}

fn get(auth: &str, id: &str) -> String {
    format!(
        "<GetCustomerDataByAuthor>{auth}<CustomerID>{id}</CustomerID></GetCustomerDataByAuthor>"
    )
}

fn search(auth: &str, email: &str) -> String {
    format!("<CustomerSearch>{auth}<Email>{email}</Email></CustomerSearch>")
}

fn update(auth: &str, customer: &str) -> String {
    format!("<CustomerUpdate>{auth}<Customer>{customer}</Customer></CustomerUpdate>")
}

/// Author 2 with API user other/secret, product 20 and option 200.
fn other_author(app: &TestApp) {
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
}

/// The digests of every table but `api_users`, whose failed-login counter a wrong
/// password moves on purpose.
fn without_api_users(app: &TestApp) -> (BTreeMap<String, (i64, String)>, i64) {
    let (mut tables, history) = snapshot(app);
    tables.retain(|name, _| name != "api_users");
    (tables, history)
}

#[test]
fn adds_reads_searches_and_updates_a_customer_on_every_binding() {
    let app = TestApp::spawn();
    let doc = soap11(
        &app,
        "CustomerAddS",
        &add(
            AUTH,
            "<CompanyName>Acme &amp; Sons</CompanyName><FirstName>Ada</FirstName><LastName>Lovelace</LastName><City>London</City><Email>Ada@Example.com</Email>",
        ),
    );
    assert_eq!(code(&doc), 0, "{doc}");
    validate("CustomerAdd", &doc);
    assert!(
        doc.contains("<CustomerData xmlns:xsd="),
        "root CustomerData: {doc}"
    );
    let id = extract_text(&doc, "CustomerID").expect("id");
    assert_ne!(id, "1", "a new customer, not the demo one");
    assert_eq!(
        extract_text(&doc, "Registered").as_deref(),
        Some("true"),
        "ACT-6: contact data entered"
    );

    let read = soap12(&app, "GetCustomerDataByAuthorS", &get(AUTH, &id));
    assert_eq!(code(&read), 0, "{read}");
    validate("GetCustomerDataByAuthor", &read);
    assert_eq!(
        extract_text(&read, "CompanyName").as_deref(),
        Some("Acme & Sons")
    );

    // Exact e-mail, ignoring case; another address finds nothing (ResultCode 0).
    let found = post(&app, "CustomerSearchS", &search(AUTH, "ada@EXAMPLE.com"));
    assert_eq!(code(&found), 0, "{found}");
    validate("CustomerSearch", &found);
    assert_eq!(found.matches("<Customer>").count(), 1, "{found}");
    let none = soap11(&app, "CustomerSearchS", &search(AUTH, "ada@example.co"));
    assert_eq!(code(&none), 0, "{none}");
    assert!(!none.contains("<Customer>"), "{none}");

    // HTTP POST to …/CustomerUpdate is served as CustomerUpdateS; absent children stay.
    let changed = post(
        &app,
        "CustomerUpdate",
        &update(
            AUTH,
            &format!("<CustomerID>{id}</CustomerID><City>Paris</City><Phone/>"),
        ),
    );
    assert_eq!(code(&changed), 0, "{changed}");
    validate("CustomerUpdate", &changed);
    assert_eq!(extract_text(&changed, "City").as_deref(), Some("Paris"));
    assert_eq!(extract_text(&changed, "FirstName").as_deref(), Some("Ada"));
    assert_eq!(
        extract_text(&changed, "Email").as_deref(),
        Some("Ada@Example.com")
    );

    // The demo customer holds the demo author's licenses, so it is the author's.
    let demo = soap11(&app, "GetCustomerDataByAuthorS", &get(AUTH, "1"));
    assert_eq!(code(&demo), 0, "{demo}");
    assert_eq!(
        extract_text(&demo, "Email").as_deref(),
        Some("demo@example.com")
    );
}

#[test]
fn customer_add_without_contact_data_is_unregistered_and_op_forms_carry_child_xml() {
    let app = TestApp::spawn();
    let inner = add(
        AUTH,
        "<Registered>false</Registered><Email>x@example.com</Email>",
    )
    .replace("<CustomerAdd>", "<CustomerAdd xmlns=\"\">");
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><CustomerAdd xmlns=\"{NS}\"><xml>{inner}</xml></CustomerAdd></soap:Body></soap:Envelope>"
    );
    let r = app.post(
        PATH,
        &[("Content-Type", "text/xml; charset=utf-8")],
        body.as_bytes(),
    );
    let text = r.text();
    assert_eq!(r.status, 200, "{text}");
    let start = text.find("<CustomerData").expect("child XML");
    let end = text.find("</CustomerData>").expect("end") + "</CustomerData>".len();
    let doc = text[start..end].replacen(" xmlns=\"\"", "", 1);
    assert_eq!(code(&doc), 0, "{doc}");
    validate("CustomerAdd", &doc);
    assert_eq!(
        extract_text(&doc, "Registered").as_deref(),
        Some("false"),
        "Registered given wins over ACT-6's default"
    );
}

#[test]
fn one_author_never_sees_or_changes_another_authors_customers() {
    let app = TestApp::spawn();
    other_author(&app);
    let theirs = soap11(
        &app,
        "CustomerAddS",
        &add(OTHER, "<Email>shared@example.com</Email>"),
    );
    assert_eq!(code(&theirs), 0, "{theirs}");
    let their_id = extract_text(&theirs, "CustomerID").expect("id");
    let mine = soap11(
        &app,
        "CustomerAddS",
        &add(AUTH, "<Email>SHARED@example.com</Email>"),
    );
    let my_id = extract_text(&mine, "CustomerID").expect("id");

    let found = soap11(&app, "CustomerSearchS", &search(AUTH, "shared@example.com"));
    assert_eq!(found.matches("<Customer>").count(), 1, "{found}");
    assert_eq!(extract_text(&found, "CustomerID"), Some(my_id.clone()));

    let doc = assert_refused_and_logged(&app, || {
        soap11(&app, "GetCustomerDataByAuthorS", &get(AUTH, &their_id))
    });
    assert_eq!(code(&doc), 5042, "{doc}");
    validate("GetCustomerDataByAuthor", &doc);
    assert!(!doc.contains("<Customer>"), "{doc}");
    let doc = assert_refused_and_logged(&app, || {
        soap12(
            &app,
            "CustomerUpdateS",
            &update(
                OTHER,
                &format!("<CustomerID>{my_id}</CustomerID><City>x</City>"),
            ),
        )
    });
    assert_eq!(code(&doc), 5042, "{doc}");
    // The demo customer holds only author 1's licenses: invisible to author 2.
    let doc = assert_refused_and_logged(&app, || {
        post(&app, "GetCustomerDataByAuthorS", &get(OTHER, "1"))
    });
    assert_eq!(code(&doc), 5042, "{doc}");
}

#[test]
fn bad_customer_input_gets_its_code_and_writes_nothing() {
    let app = TestApp::spawn();
    let cases: [(&str, &str, String, i32); 9] = [
        (
            "unknown customer",
            "GetCustomerDataByAuthorS",
            get(AUTH, "999"),
            5042,
        ),
        (
            "customer ID 0",
            "GetCustomerDataByAuthorS",
            get(AUTH, "0"),
            5002,
        ),
        (
            "update of an unknown customer",
            "CustomerUpdateS",
            update(AUTH, "<CustomerID>999</CustomerID><City>x</City>"),
            5042,
        ),
        (
            "update without CustomerID",
            "CustomerUpdateS",
            update(AUTH, "<City>x</City>"),
            5002,
        ),
        (
            "over-long e-mail",
            "CustomerAddS",
            add(AUTH, &format!("<Email>{}</Email>", "x".repeat(256))),
            5002,
        ),
        (
            "NUL character",
            "CustomerAddS",
            add(AUTH, "<City>a\u{0}b</City>"),
            5002,
        ),
        (
            "missing Customer",
            "CustomerAddS",
            format!("<CustomerAdd>{AUTH}</CustomerAdd>"),
            5002,
        ),
        (
            "search without Email",
            "CustomerSearchS",
            format!("<CustomerSearch>{AUTH}</CustomerSearch>"),
            5002,
        ),
        (
            "unparsable",
            "CustomerAddS",
            "<CustomerAdd><AuthorID>1".to_owned(),
            5001,
        ),
    ];
    for (what, method, inner, expected) in cases {
        let doc = assert_refused_and_logged(&app, || post(&app, method, &inner));
        assert_eq!(code(&doc), expected, "{what}: {doc}");
        validate(method.trim_end_matches('S'), &doc);
    }
    // Wrong credentials: 5040; only the failed-login counter and one attempt row move.
    let (before, history) = without_api_users(&app);
    let wrong = add(AUTH, "<City>x</City>").replace("<UserPassword>demo<", "<UserPassword>nope<");
    let doc = soap11(&app, "CustomerAddS", &wrong);
    assert_eq!(code(&doc), 5040, "{doc}");
    assert_eq!(without_api_users(&app), (before, history + 1));
}

/// Calls licenseserver.asmx AddLicenseAndUnregisteredCustomer over SOAP 1.1 with the
/// given parameter elements; returns the whole response.
fn add_license_soap11(app: &TestApp, params: &str) -> RawResponse {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><AddLicenseAndUnregisteredCustomer xmlns=\"{NS}\">{params}</AddLicenseAndUnregisteredCustomer></soap:Body></soap:Envelope>"
    );
    let action = format!("\"{NS}AddLicenseAndUnregisteredCustomer\"");
    app.post(
        LICENSE_SERVER,
        &[
            ("Content-Type", "text/xml; charset=utf-8"),
            ("SOAPAction", &action),
        ],
        body.as_bytes(),
    )
}

fn typed(author: &str, user: &str, password: &str, option: &str, rest: &str) -> String {
    format!("<authorID>{author}</authorID><userID>{user}</userID><userPassword>{password}</userPassword><prodOptionID>{option}</prodOptionID>{rest}")
}

fn error_code(text: &str) -> i32 {
    extract_text(text, "ErrorCode")
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no ErrorCode in {text}"))
}

#[test]
fn add_license_and_unregistered_customer_creates_both_on_every_binding() {
    let app = TestApp::spawn();
    let r = add_license_soap11(
        &app,
        &typed(
            "1",
            "demo",
            "demo",
            "2",
            "<distributorID>0</distributorID><quantity>1</quantity><licenseNotes>web shop</licenseNotes>",
        ),
    );
    let text = r.text();
    assert_eq!(r.status, 200, "{text}");
    assert!(
        text.contains("<AddLicenseAndUnregisteredCustomerResponse xmlns=")
            && text.contains("<AddLicenseAndUnregisteredCustomerResult>"),
        "errata E-20: {text}"
    );
    assert_eq!(error_code(&text), 0, "{text}");
    let license = extract_text(&text, "LicenseID").expect("license");
    let customer = extract_text(&text, "CustomerID").expect("customer");
    let activation = extract_text(&text, "ActivationPassword").expect("password");
    let customer_password = extract_text(&text, "CustomerPassword").expect("password");
    assert_eq!(activation.len(), 10, "PWD-3 default length");
    assert_eq!(customer_password.len(), 6, "PWD-1 default length");

    // The customer is the author's and unregistered; the license is on option 2.
    let doc = soap11(&app, "GetCustomerDataByAuthorS", &get(AUTH, &customer));
    assert_eq!(extract_text(&doc, "Registered").as_deref(), Some("false"));
    let info = app.post(
        "/solo/webservices/XmlLicenseService.asmx/InfoCheckS",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form_urlencoded::Serializer::new(String::new())
            .append_pair(
                "xml",
                &format!("<InfoCheck>{AUTH}<LicenseID>{license}</LicenseID></InfoCheck>"),
            )
            .finish()
            .as_bytes(),
    );
    let info = extract_text(&info.text(), "string").expect("string");
    assert_eq!(extract_text(&info, "CustomerID"), Some(customer));
    assert_eq!(extract_text(&info, "ProductOptionID").as_deref(), Some("2"));

    // SOAP 1.2 with only the required parameters; HTTP POST form fields.
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap12:Envelope xmlns:soap12=\"http://www.w3.org/2003/05/soap-envelope\"><soap12:Body><AddLicenseAndUnregisteredCustomer xmlns=\"{NS}\">{}</AddLicenseAndUnregisteredCustomer></soap12:Body></soap12:Envelope>",
        typed("1", "demo", "demo", "1", "")
    );
    let r = app.post(
        LICENSE_SERVER,
        &[("Content-Type", "application/soap+xml; charset=utf-8")],
        body.as_bytes(),
    );
    assert_eq!(error_code(&r.text()), 0, "{}", r.text());
    let form = "authorID=1&userID=demo&userPassword=demo&prodOptionID=1&distributorID=0&quantity=2&licenseNotes=";
    let r = app.post(
        &format!("{LICENSE_SERVER}/AddLicenseAndUnregisteredCustomer"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    let text = r.text();
    assert!(text.contains("<AddLicenseResult xmlns="), "{text}");
    assert_eq!(error_code(&text), 0, "{text}");

    let wsdl = app.get(&format!("{LICENSE_SERVER}?WSDL"));
    assert_eq!(wsdl.status, 200);
    assert!(wsdl.text().contains("AddLicenseResult"));
}

#[test]
fn refused_add_license_and_unregistered_customer_writes_nothing() {
    let app = TestApp::spawn();
    other_author(&app);
    let cases: [(&str, String, i32); 6] = [
        (
            "another author's option",
            typed("1", "demo", "demo", "200", ""),
            5042,
        ),
        (
            "unknown option",
            typed("1", "demo", "demo", "999", ""),
            5042,
        ),
        (
            "unknown distributor",
            typed(
                "1",
                "demo",
                "demo",
                "1",
                "<distributorID>999</distributorID>",
            ),
            5042,
        ),
        (
            "quantity 0",
            typed("1", "demo", "demo", "1", "<quantity>0</quantity>"),
            5002,
        ),
        (
            "over-long notes",
            typed(
                "1",
                "demo",
                "demo",
                "1",
                &format!("<licenseNotes>{}</licenseNotes>", "n".repeat(4001)),
            ),
            5002,
        ),
        (
            "NUL in userID",
            typed("1", "de\u{0}mo", "demo", "1", ""),
            5002,
        ),
    ];
    for (what, params, expected) in cases {
        let text = assert_refused_and_logged(&app, || add_license_soap11(&app, &params).text());
        assert_eq!(error_code(&text), expected, "{what}: {text}");
        assert_eq!(extract_text(&text, "LicenseID").as_deref(), Some("0"));
    }
    // A missing required parameter is a fault; still one attempt row.
    let text = assert_refused_and_logged(&app, || {
        add_license_soap11(&app, "<authorID>1</authorID><userID>demo</userID>").text()
    });
    assert!(text.contains("MissingParameter"), "{text}");
    let (before, history) = without_api_users(&app);
    let text = add_license_soap11(&app, &typed("1", "demo", "wrong", "1", "")).text();
    assert_eq!(error_code(&text), 5040, "{text}");
    assert_eq!(without_api_users(&app), (before, history + 1));
}
