//! XmlLicenseService (wire.md §3.7) against the real binary: AddS, Add,
//! AddMultiple(S), InfoCheck(S) in both modes, GetLicenseCustomData(S),
//! UpdateLicenseCustomData(S), UpdateActivationFields(S) and UpdateUserDefinedFields
//! over SOAP 1.1, SOAP 1.2 and HTTP POST, answers validated with xmllint; bad input and
//! foreign objects give their documented codes (5002, 5010, 5017, 5022, 5023, 5040,
//! 5042-5045) and write nothing but one attempt row (errata E-3, E-17).

use std::collections::BTreeMap;

use unlockd_tests::{escape, extract_text, TestApp, DEMO_KEY_ID, NS};

use crate::bad_input::{assert_refused_and_logged, snapshot};
use crate::schema::validate;

const PATH: &str = "/solo/webservices/XmlLicenseService.asmx";
const AUTH: &str = "<AuthorID>1</AuthorID><UserID>demo</UserID><UserPassword>demo</UserPassword>";

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

fn add_multiple(fields: &str) -> String {
    format!("<LicenseAddMultiple>{AUTH}<ProductOptionID>1</ProductOptionID><UnitPrice>10.00</UnitPrice>{fields}</LicenseAddMultiple>")
}

/// Every text of `<tag>` in document order.
fn all_texts(doc: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    doc.split(open.as_str())
        .skip(1)
        .filter_map(|part| part.split(close.as_str()).next().map(str::to_owned))
        .collect()
}

/// The IDs of an AddMultiple answer, checked to be one gap-free block (SEQ-2).
fn gap_free_block(doc: &str, count: i32) -> (i32, i32) {
    let ids: Vec<i32> = all_texts(doc, "LicenseID")
        .iter()
        .map(|id| id.parse().expect("LicenseID"))
        .collect();
    assert_eq!(
        ids.len(),
        usize::try_from(count).unwrap(),
        "one Item per license"
    );
    let (first, last) = (ids[0], ids[ids.len() - 1]);
    assert!(
        ids.iter().zip(first..).all(|(id, want)| *id == want),
        "SEQ-2: not one gap-free block"
    );
    (first, last)
}

#[test]
fn two_concurrent_sequential_add_multiple_batches_get_disjoint_gap_free_blocks() {
    let app = TestApp::spawn();
    let batch = add_multiple("<Count>5000</Count><ReqSequential>true</ReqSequential>");
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| soap11(&app, "AddMultipleS", &batch));
        let b = s.spawn(|| soap12(&app, "AddMultipleS", &batch));
        (a.join().expect("batch a"), b.join().expect("batch b"))
    });
    assert_eq!(code(&a), 0, "{}", &a[..a.len().min(500)]);
    assert_eq!(code(&b), 0, "{}", &b[..b.len().min(500)]);
    validate("LicenseAddMultiple", &a);
    let mut blocks = [gap_free_block(&a, 5000), gap_free_block(&b, 5000)];
    blocks.sort_unstable();
    // SEQ-2: both after the demo's highest license 1004, one right after the other.
    assert_eq!(blocks[0].0, 1005, "{blocks:?}");
    assert_eq!(
        blocks[1].0,
        blocks[0].1 + 1,
        "disjoint and adjacent: {blocks:?}"
    );
    // BLK-1: without CustomerID every license has its own new customer.
    let customers: std::collections::BTreeSet<String> =
        all_texts(&a, "CustomerID").into_iter().collect();
    assert_eq!(customers.len(), 5000);
    // The last license is visible to InfoCheck (the batch is published).
    let last = blocks[1].1;
    let info = post(
        &app,
        "InfoCheckS",
        &format!("<InfoCheck>{AUTH}<LicenseID>{last}</LicenseID></InfoCheck>"),
    );
    assert_eq!(code(&info), 0, "{info}");
}

#[test]
fn add_multiple_follows_the_password_rules_and_checks_the_invoice() {
    let app = TestApp::spawn();
    app.admin(&[
        "invoice",
        "add",
        "--number",
        "INV-7",
        "--customer",
        "1",
        "--charged",
        "50.00",
    ]);
    app.admin(&["distributor", "add", "--customer", "1"]);
    // PWD-1/2: prefix + numeric random part for the new customers' passwords; PWD-3
    // default activation passwords; INV-1: 5 × 10.00 = 50.00 charged → balanced.
    let doc = post(
        &app,
        "AddMultiple",
        &add_multiple(
            "<Count>5</Count><InvoiceNumber>INV-7</InvoiceNumber><DistributorID>1</DistributorID>\
             <PasswordPrefix>AB-</PasswordPrefix><PasswordLength>9</PasswordLength>\
             <NumericPassword>true</NumericPassword><ListCustomerDetails>1</ListCustomerDetails>\
             <LicenseNotes>batch</LicenseNotes>\
             <CustomParameters><Parameter name=\"erp\">42</Parameter></CustomParameters>",
        ),
    );
    assert_eq!(code(&doc), 0, "{doc}");
    validate("LicenseAddMultiple", &doc);
    assert_eq!(
        extract_text(&doc, "InvoiceBalanced").as_deref(),
        Some("true")
    );
    assert_eq!(
        extract_text(&doc, "InvoiceDifference").as_deref(),
        Some("0.0000")
    );
    let customer_passwords = all_texts(&doc, "CustomerPassword");
    assert_eq!(
        customer_passwords.len(),
        5,
        "BLK-4: listed for new customers"
    );
    for p in &customer_passwords {
        assert!(p.len() == 9 && p.starts_with("AB-"), "PWD-1: {p}");
        assert!(p[3..].bytes().all(|b| b.is_ascii_digit()), "PWD-2: {p}");
    }
    for p in all_texts(&doc, "ActivationPassword") {
        assert_eq!(p.len(), 10, "PWD-3 default length: {p}");
        assert!(!p.contains(['0', 'O', 'o', '1', 'l', 'I']), "PWD-3: {p}");
    }
    let first = all_texts(&doc, "LicenseID")[0].clone();
    let info = soap11(
        &app,
        "InfoCheckS",
        &format!("<InfoCheck>{AUTH}<LicenseID>{first}</LicenseID></InfoCheck>"),
    );
    assert_eq!(
        extract_text(&info, "InvoiceNumber").as_deref(),
        Some("INV-7")
    );
    assert_eq!(extract_text(&info, "DistributorID").as_deref(), Some("1"));

    // The same invoice again: the second line unbalances it by 50.00 (a warning).
    // With UsePasswordRulesForActivationPassword the activation passwords follow the
    // rules; an existing customer's password is never listed (BLK-4).
    let doc = soap12(
        &app,
        "AddMultipleS",
        &add_multiple(
            "<Count>5</Count><CustomerID>1</CustomerID><InvoiceNumber>INV-7</InvoiceNumber>\
             <PasswordPrefix>ZZ</PasswordPrefix><UsePasswordRulesForActivationPassword>true</UsePasswordRulesForActivationPassword>\
             <ListCustomerDetails>true</ListCustomerDetails>",
        ),
    );
    assert_eq!(code(&doc), 0, "{doc}");
    validate("LicenseAddMultiple", &doc);
    assert_eq!(
        extract_text(&doc, "InvoiceBalanced").as_deref(),
        Some("false")
    );
    assert_eq!(
        extract_text(&doc, "InvoiceDifference").as_deref(),
        Some("-50.0000")
    );
    assert!(all_texts(&doc, "CustomerPassword").is_empty(), "{doc}");
    assert!(all_texts(&doc, "CustomerID").iter().all(|c| c == "1"));
    for p in all_texts(&doc, "ActivationPassword") {
        assert!(
            p.len() == 8 && p.starts_with("ZZ"),
            "PWD-1 for activation: {p}"
        );
    }
}

#[test]
fn bad_add_multiple_input_gets_its_code_and_writes_nothing() {
    let app = TestApp::spawn();
    app.admin(&["author", "add", "--id", "2", "--name", "Other"]);
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
    let cases: [(&str, String, i32); 11] = [
        ("Count 0", add_multiple("<Count>0</Count>"), 5002),
        ("Count above bulk_max", add_multiple("<Count>10001</Count>"), 5002),
        ("Count missing", add_multiple(""), 5002),
        (
            "another author's option",
            add_multiple("<Count>2</Count>").replace("<ProductOptionID>1<", "<ProductOptionID>200<"),
            5042,
        ),
        (
            "unknown invoice",
            add_multiple("<Count>2</Count><InvoiceNumber>NOPE</InvoiceNumber>"),
            5042,
        ),
        (
            "NUL character",
            add_multiple("<Count>2</Count><LicenseNotes>a\u{0}b</LicenseNotes>"),
            5002,
        ),
        (
            "over-long prefix",
            add_multiple(&format!("<Count>2</Count><PasswordPrefix>{}</PasswordPrefix>", "P".repeat(21))),
            5002,
        ),
        (
            "E-14: a space in the prefix",
            add_multiple("<Count>2</Count><PasswordPrefix>A B</PasswordPrefix>"),
            5002,
        ),
        (
            "E-14: activation passwords at most 32",
            add_multiple("<Count>2</Count><PasswordLength>40</PasswordLength><UsePasswordRulesForActivationPassword>true</UsePasswordRulesForActivationPassword>"),
            5002,
        ),
        (
            "negative unit price",
            add_multiple("<Count>2</Count>").replace("<UnitPrice>10.00<", "<UnitPrice>-1<"),
            5002,
        ),
        (
            "a parameter named twice",
            add_multiple("<Count>2</Count><CustomParameters><Parameter name=\"a\">1</Parameter><Parameter name=\"a\">2</Parameter></CustomParameters>"),
            5002,
        ),
    ];
    for (what, inner, expected) in cases {
        let doc = assert_refused_and_logged(&app, || post(&app, "AddMultipleS", &inner));
        assert_eq!(code(&doc), expected, "{what}: {doc}");
        validate("LicenseAddMultiple", &doc);
    }
    // SEQ-3: the refusals used no IDs.
    let doc = soap11(&app, "AddMultipleS", &add_multiple("<Count>2</Count>"));
    assert_eq!(gap_free_block(&doc, 2).0, 1005, "{doc}");
}

#[test]
fn the_back_office_section_sets_bulk_max_and_the_throttle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("unlockd.toml");
    std::fs::write(
        &config,
        "[back_office]\nbulk_max = 3\nthrottle_failures = 2\nthrottle_minutes = 60\n",
    )
    .expect("config");
    let app = TestApp::spawn_with(&["--config", config.to_str().expect("utf-8 path")]);
    let doc = assert_refused_and_logged(&app, || {
        post(&app, "AddMultipleS", &add_multiple("<Count>4</Count>"))
    });
    assert_eq!(code(&doc), 5002, "E-6: above bulk_max: {doc}");
    let doc = post(&app, "AddMultipleS", &add_multiple("<Count>3</Count>"));
    assert_eq!(code(&doc), 0, "{doc}");
    let wrong = license_add("").replace("<UserPassword>demo<", "<UserPassword>nope<");
    for _ in 0..2 {
        assert_eq!(code(&post(&app, "AddS", &wrong)), 5040);
    }
    assert_eq!(
        code(&post(&app, "AddS", &license_add(""))),
        5044,
        "throttled after 2"
    );
}

fn update_fields(license: &str, fields: &str) -> String {
    format!("<UpdateActivationFields>{AUTH}<LicenseID>{license}</LicenseID>{fields}</UpdateActivationFields>")
}

#[test]
fn update_activation_fields_changes_what_is_named_and_guards_the_status() {
    let app = TestApp::spawn();
    let added = soap11(
        &app,
        "AddS",
        &license_add(
            "<LicenseID>7300</LicenseID><ExpirationDate>2030-01-01T08:00:00Z</ExpirationDate>",
        ),
    );
    assert_eq!(code(&added), 0, "{added}");
    let doc = soap11(
        &app,
        "UpdateActivationFieldsS",
        &update_fields(
            "7300",
            "<Status>Void</Status><ActivationsLeft>7</ActivationsLeft><DeactivationsLeft>-1</DeactivationsLeft>\
             <LicenseCounter>9000000000</LicenseCounter><AllowedActivationIPs>10.0.0.0/8</AllowedActivationIPs>\
             <LicenseUpdate>call us</LicenseUpdate>",
        ),
    );
    assert_eq!(code(&doc), 0, "{doc}");
    validate("UpdateActivationFields", &doc);
    for (field, want) in [
        ("Status", "Void"),
        ("ActivationsLeft", "7"),
        ("DeactivationsLeft", "-1"),
        ("LicenseCounter", "9000000000"),
        ("AllowedActivationIPs", "10.0.0.0/8"),
        ("LicenseUpdate", "call us"),
        ("ExpirationDate", "2030-01-01T00:00:00Z"),
    ] {
        assert_eq!(
            extract_text(&doc, field).as_deref(),
            Some(want),
            "{field}: {doc}"
        );
    }
    // Empty date and IPs clear them; absent fields stay; E-18: any status to any other.
    let doc = soap12(
        &app,
        "UpdateActivationFieldsS",
        &update_fields("7300", "<ExpirationDate/><AllowedActivationIPs></AllowedActivationIPs><Status>Expired</Status>"),
    );
    assert_eq!(code(&doc), 0, "{doc}");
    assert_eq!(extract_text(&doc, "ExpirationDate"), None, "{doc}");
    assert_eq!(extract_text(&doc, "AllowedActivationIPs"), None, "{doc}");
    assert_eq!(extract_text(&doc, "ActivationsLeft").as_deref(), Some("7"));
    assert_eq!(extract_text(&doc, "Status").as_deref(), Some("Expired"));

    let doc = post(
        &app,
        "UpdateActivationFields",
        &update_fields("7300", "<Status>Delete</Status>"),
    );
    assert_eq!(code(&doc), 0, "{doc}");
    let cases: [(&str, String, i32); 6] = [
        (
            "E-18: nothing leaves Delete",
            update_fields("7300", "<Status>OK</Status>"),
            5045,
        ),
        (
            "E-18: Upgrade only via UPG-2",
            update_fields("1001", "<Status>Upgrade</Status>"),
            5045,
        ),
        (
            "IP-1: malformed IPs",
            update_fields(
                "1001",
                "<AllowedActivationIPs>10.0.0.300</AllowedActivationIPs>",
            ),
            5002,
        ),
        (
            "CON-2: dl below -1",
            update_fields("1001", "<DeactivationsLeft>-2</DeactivationsLeft>"),
            5002,
        ),
        (
            "unknown status",
            update_fields("1001", "<Status>Gone</Status>"),
            5002,
        ),
        (
            "unknown license",
            update_fields("9999", "<Status>OK</Status>"),
            5042,
        ),
    ];
    for (what, inner, expected) in cases {
        let doc = assert_refused_and_logged(&app, || post(&app, "UpdateActivationFieldsS", &inner));
        assert_eq!(code(&doc), expected, "{what}: {doc}");
        validate("UpdateActivationFields", &doc);
    }
    // Deleted stays deleted; keeping Delete is no transition.
    let doc = soap11(
        &app,
        "UpdateActivationFieldsS",
        &update_fields(
            "7300",
            "<Status>Delete</Status><ActivationsLeft>1</ActivationsLeft>",
        ),
    );
    assert_eq!(code(&doc), 0, "{doc}");
}

#[test]
fn info_check_in_client_mode_needs_the_license_password_and_hides_secrets() {
    let app = TestApp::spawn();
    let doc = soap11(
        &app,
        "AddS",
        &license_add("<LicenseID>7400</LicenseID><ActivationPassword>pw7400</ActivationPassword><CustomData>secret</CustomData>"),
    );
    assert_eq!(code(&doc), 0, "{doc}");
    soap11(
        &app,
        "UpdateActivationFieldsS",
        &update_fields(
            "7400",
            "<AllowedActivationIPs>10.0.0.1</AllowedActivationIPs>",
        ),
    );
    let client = "<InfoCheck><LicenseID>7400</LicenseID><Password>pw7400</Password></InfoCheck>";
    for doc in [
        soap11(&app, "InfoCheckS", client),
        soap12(&app, "InfoCheckS", client),
        post(&app, "InfoCheck", client),
    ] {
        assert_eq!(code(&doc), 0, "{doc}");
        validate("InfoCheck", &doc);
        assert_eq!(extract_text(&doc, "LicenseID").as_deref(), Some("7400"));
        for hidden in ["ActivationPassword", "CustomData", "AllowedActivationIPs"] {
            assert_eq!(extract_text(&doc, hidden), None, "{hidden} shown: {doc}");
        }
    }
    // E-15: client codes; an unknown license and a wrong password look alike (ERR-1).
    for inner in [
        "<InfoCheck><LicenseID>7400</LicenseID><Password>nope</Password></InfoCheck>",
        "<InfoCheck><LicenseID>9999</LicenseID><Password>pw7400</Password></InfoCheck>",
    ] {
        let doc = assert_refused_and_logged(&app, || post(&app, "InfoCheckS", inner));
        assert_eq!(code(&doc), 5010, "{doc}");
        validate("InfoCheck", &doc);
    }
}

fn udf_request(license: &str, password: &str, fields: &str, extra: &str) -> String {
    format!(
        "<UpdateUserDefinedFields><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>{extra}\
         <LicenseID>{license}</LicenseID><Password>{password}</Password>\
         <UserDefinedFields>{fields}</UserDefinedFields></PrivateData></UpdateUserDefinedFields>"
    )
}

/// Validates a client-frame answer against `{method}Output.xsd`.
fn validate_client(doc: &str) {
    validate("UpdateUserDefinedFields", doc);
}

#[test]
fn update_user_defined_fields_changes_only_the_named_fields_in_the_client_frame() {
    let app = TestApp::spawn();
    let added = soap11(
        &app,
        "AddS",
        &license_add("<LicenseID>7500</LicenseID><ActivationPassword>pw7500</ActivationPassword><UserDefinedFields><UDefChar1>keep</UDefChar1><UDefChar2>old</UDefChar2><UDefNum1>5</UDefNum1></UserDefinedFields>"),
    );
    assert_eq!(code(&added), 0, "{added}");
    let doc = soap11(
        &app,
        "UpdateUserDefinedFields",
        &udf_request(
            "7500",
            "pw7500",
            "<UDefChar2>new</UDefChar2><UDefNum3>-9000000000</UDefNum3>",
            "",
        ),
    );
    assert_eq!(code(&doc), 0, "{doc}");
    validate_client(&doc);
    assert_eq!(
        extract_text(&doc, "UDefChar1").as_deref(),
        Some("keep"),
        "UDF-1: unnamed stays"
    );
    assert_eq!(extract_text(&doc, "UDefChar2").as_deref(), Some("new"));
    assert_eq!(extract_text(&doc, "UDefNum1").as_deref(), Some("5"));
    assert_eq!(
        extract_text(&doc, "UDefNum3").as_deref(),
        Some("-9000000000")
    );
    assert_eq!(
        extract_text(&doc, "UpdateCounter").as_deref(),
        Some("1"),
        "wire.md §7.3"
    );
    // SOAP 1.2, then HTTP POST: an empty element clears its field.
    let doc = soap12(
        &app,
        "UpdateUserDefinedFields",
        &udf_request("7500", "pw7500", "<UDefChar1/>", ""),
    );
    assert_eq!(code(&doc), 0, "{doc}");
    let doc = post(
        &app,
        "UpdateUserDefinedFields",
        &udf_request("7500", "pw7500", "<UDefNum1></UDefNum1>", ""),
    );
    assert_eq!(code(&doc), 0, "{doc}");
    validate_client(&doc);
    assert_eq!(extract_text(&doc, "UDefChar1"), None, "{doc}");
    assert_eq!(extract_text(&doc, "UDefNum1"), None, "{doc}");
    assert_eq!(extract_text(&doc, "UDefChar2").as_deref(), Some("new"));
    let info = soap11(
        &app,
        "InfoCheckS",
        &format!("<InfoCheck>{AUTH}<LicenseID>7500</LicenseID></InfoCheck>"),
    );
    assert_eq!(
        extract_text(&info, "UDefNum3").as_deref(),
        Some("-9000000000")
    );

    let ahead = "<ClientTimestamp>2099-01-01T00:00:00Z</ClientTimestamp>";
    let cases: [(&str, String, i32); 6] = [
        (
            "wrong password",
            udf_request("7500", "nope", "<UDefChar1>x</UDefChar1>", ""),
            5010,
        ),
        (
            "E-13: clock right after the lookup",
            udf_request("7500", "pw7500", "<UDefChar1>x</UDefChar1>", ahead),
            5022,
        ),
        (
            "UDF-1: option 2 is not writable",
            udf_request("1002", "demo1002", "<UDefChar1>x</UDefChar1>", ""),
            5023,
        ),
        (
            "STS-3: license 1003 is Void",
            udf_request("1003", "demo1003", "<UDefChar1>x</UDefChar1>", ""),
            5017,
        ),
        (
            "not a long",
            udf_request("7500", "pw7500", "<UDefNum1>x</UDefNum1>", ""),
            5002,
        ),
        (
            "unknown key",
            udf_request("7500", "pw7500", "<UDefChar1>x</UDefChar1>", "")
                .replace(DEMO_KEY_ID, "00000000-0000-0000-0000-000000000000"),
            5003,
        ),
    ];
    for (what, inner, expected) in cases {
        let doc = assert_refused_and_logged(&app, || post(&app, "UpdateUserDefinedFields", &inner));
        assert_eq!(code(&doc), expected, "{what}: {doc}");
        validate_client(&doc);
    }
}
