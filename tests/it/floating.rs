//! XmlNetworkFloatingService against the real binary over real sockets, on demo
//! license 1004 (2 seats, lease 60 + 6 × 10 s = 120 s, checkout 1..72 h): the
//! session lifecycle, CON-8 under a race, FLT-3 expiry on the test clock (errata
//! E-23), and bad input that changes nothing (errata E-3, E-5).

use std::sync::Barrier;

use unlockd_tests::{extract_text, on_postgres, TestApp, DEMO_KEY_ID};

use crate::bad_input::assert_refused_and_logged;
use crate::schema::validate;

fn code(doc: &str) -> i32 {
    extract_text(doc, "ResultCode")
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no ResultCode in {doc}"))
}

fn request(method: &str, fields: &str) -> String {
    format!("<{method}><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>{fields}</PrivateData></{method}>")
}

fn open(app: &TestApp, license: i32, password: &str) -> String {
    app.call_floating(
        "OpenSession",
        &request(
            "OpenSession",
            &format!("<LicenseID>{license}</LicenseID><Password>{password}</Password><InstallationName>bench</InstallationName>"),
        ),
    )
}

fn on(app: &TestApp, method: &str, session: &str, extra: &str) -> String {
    app.call_floating(
        method,
        &request(method, &format!("<SessionID>{session}</SessionID>{extra}")),
    )
}

fn session_id(doc: &str) -> String {
    extract_text(doc, "SessionID").unwrap_or_else(|| panic!("no SessionID in {doc}"))
}

#[test]
fn flt_lifecycle_open_poll_checkout_checkin_close_validates_against_the_xsds() {
    let app = TestApp::spawn();
    let opened = open(&app, 1004, "demo1004");
    assert_eq!(code(&opened), 0, "{opened}");
    validate("OpenSession", &opened);
    for (field, value) in [
        ("SeatsAvailable", "1"),
        ("TotalSeats", "2"),
        ("CheckedOut", "false"),
        ("CheckoutDurationMinimum", "1"),
        ("CheckoutDurationMaximum", "72"),
        ("PollFrequency", "60"),
        ("PollRetryFrequency", "10"),
        ("PollRetryCount", "6"),
    ] {
        assert_eq!(
            extract_text(&opened, field).as_deref(),
            Some(value),
            "{field}"
        );
    }
    let id = session_id(&opened);
    assert_eq!(id.len(), 32);

    let polled = on(&app, "PollSession", &id, "<LicenseID>1004</LicenseID>");
    assert_eq!(code(&polled), 0, "{polled}");
    validate("PollSession", &polled);
    let out = on(
        &app,
        "CheckoutSession",
        &id,
        "<CheckoutHours>24</CheckoutHours>",
    );
    assert_eq!(code(&out), 0, "{out}");
    validate("CheckoutSession", &out);
    assert_eq!(extract_text(&out, "CheckedOut").as_deref(), Some("true"));
    // A checked-out seat outlives the poll lease (FLT-6).
    app.advance_clock(3 * 3600);
    let back = on(&app, "CheckinSession", &id, "");
    assert_eq!(code(&back), 0, "{back}");
    validate("CheckinSession", &back);
    assert_eq!(extract_text(&back, "CheckedOut").as_deref(), Some("false"));
    let closed = on(&app, "CloseSession", &id, "");
    assert_eq!(code(&closed), 0, "{closed}");
    validate("CloseSession", &closed);
    assert_eq!(
        code(&on(&app, "CloseSession", &id, "")),
        0,
        "close is idempotent (FLT-6)"
    );
    let after = on(&app, "PollSession", &id, "");
    assert_eq!(code(&after), 5027, "poll after close");
    validate("PollSession", &after);
}

/// CON-8: on PostgreSQL the clients alternate between two `unlockd serve` processes
/// sharing the database; on SQLite they all use one.
#[test]
fn con_8_twelve_clients_racing_over_sockets_for_two_seats_get_exactly_two() {
    const CLIENTS: usize = 12;
    let app = TestApp::spawn();
    let peer = on_postgres().then(|| app.spawn_peer());
    let barrier = Barrier::new(CLIENTS);
    let codes: Vec<i32> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let app = match &peer {
                    Some(peer) if i % 2 == 1 => peer,
                    _ => &app,
                };
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    code(&open(app, 1004, "demo1004"))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 2, "{codes:?}");
    assert_eq!(
        codes.iter().filter(|c| **c == 5024).count(),
        CLIENTS - 2,
        "{codes:?}"
    );
}

#[test]
fn flt_3_a_client_that_stops_polling_loses_its_seat_after_120_s_and_another_gets_it() {
    let app = TestApp::spawn();
    let silent = session_id(&open(&app, 1004, "demo1004"));
    let polling = session_id(&open(&app, 1004, "demo1004"));
    assert_eq!(
        code(&open(&app, 1004, "demo1004")),
        5024,
        "both seats taken"
    );
    app.advance_clock(60);
    assert_eq!(code(&on(&app, "PollSession", &polling, "")), 0);
    app.advance_clock(61); // 121 s after opening: the silent session's lease is over
    let newcomer = open(&app, 1004, "demo1004");
    assert_eq!(code(&newcomer), 0, "{newcomer}");
    assert_eq!(
        extract_text(&newcomer, "SeatsAvailable").as_deref(),
        Some("0")
    );
    assert_eq!(code(&open(&app, 1004, "demo1004")), 5024);
    assert_eq!(code(&on(&app, "PollSession", &silent, "")), 5027);
    assert_eq!(code(&on(&app, "PollSession", &polling, "")), 0);
}

#[test]
fn bad_floating_input_gets_documented_codes_and_changes_nothing() {
    let app = TestApp::spawn();
    let id = session_id(&open(&app, 1004, "demo1004"));
    let closed = session_id(&open(&app, 1004, "demo1004"));
    assert_eq!(code(&on(&app, "CloseSession", &closed, "")), 0);
    let cases: Vec<(String, String, i32)> = vec![
        (
            "PollSession".into(),
            format!("<SessionID>{}</SessionID>", "A".repeat(32)),
            5027,
        ),
        (
            "PollSession".into(),
            format!("<SessionID>{id}</SessionID><LicenseID>1001</LicenseID>"),
            5027,
        ),
        (
            "PollSession".into(),
            format!("<SessionID>{closed}</SessionID>"),
            5027,
        ),
        (
            "CheckinSession".into(),
            format!("<SessionID>{closed}</SessionID>"),
            5027,
        ),
        (
            "CheckoutSession".into(),
            format!("<SessionID>{id}</SessionID><CheckoutHours>73</CheckoutHours>"),
            5002,
        ),
        (
            "CheckoutSession".into(),
            format!("<SessionID>{id}</SessionID><CheckoutHours>0</CheckoutHours>"),
            5002,
        ),
        (
            "CheckoutSession".into(),
            format!("<SessionID>{id}</SessionID>"),
            5002,
        ),
        (
            "PollSession".into(),
            "<SessionID>not-hex</SessionID>".into(),
            5002,
        ),
        (
            "OpenSession".into(),
            "<LicenseID>1004</LicenseID><Password>wrong</Password>".into(),
            5010,
        ),
        (
            "OpenSession".into(),
            "<LicenseID>1001</LicenseID><Password>demo1001</Password>".into(),
            5009,
        ),
    ];
    for (method, fields, expected) in cases {
        let doc = assert_refused_and_logged(&app, || {
            app.call_floating(&method, &request(&method, &fields))
        });
        assert_eq!(code(&doc), expected, "{method} {fields}: {doc}");
    }
}

#[test]
fn flt_encrypted_and_signed_open_session_answers_protected_with_a_verifiable_certificate() {
    use unlockd_soap::crypto::client::{extract_element, ClientKeys};

    let app = TestApp::spawn();
    let keys = crate::license_file::exported_keys(&app);
    let client = ClientKeys::from_envelope(
        keys["Envelope"].as_str().expect("Envelope"),
        keys["EnvelopeKey"].as_str().expect("EnvelopeKey"),
    )
    .expect("envelope");
    let request = client
        .seal_request(
            "OpenSession",
            "<PrivateData><LicenseID>1004</LicenseID><Password>demo1004</Password><SessionCode>S1</SessionCode></PrivateData>",
            true,
            true,
        )
        .expect("sealed request");
    let answer = app.call_floating("OpenSession", &request);
    let opened = client.open(&answer).expect("answer verifies and decrypts");
    assert!(
        opened.signed && opened.encrypted,
        "answered like the request (wire.md §2.5)"
    );
    let private = &opened.private_data_xml;
    assert_eq!(code(private), 0, "{private}");
    assert_eq!(extract_text(private, "SessionCode").as_deref(), Some("S1"));
    let certificate = extract_element(private, "NetworkSession").expect("certificate");
    client
        .verify_signed(certificate)
        .expect("the certificate verifies on its own with the ServerKey (E-10)");
    let forged = certificate.replace("<TotalSeats>2</TotalSeats>", "<TotalSeats>9</TotalSeats>");
    assert!(client.verify_signed(&forged).is_err());
}
