//! The air gap (wire.md §7, issue 7), end to end with the reference client: request
//! files answered by ManualRequest.aspx and by `unlockd offline respond`, responses
//! imported by the client, offline deactivation; every refusal keeps the database
//! unchanged but for one attempt row (errata E-3).

use std::process::Command;

use time::OffsetDateTime;
use unlockd_client::plus5::{ClientError, Identifier, Plus5Client};
use unlockd_client::pp4::{self, Seeds};
use unlockd_client::{offact::OffActKey, ClientKeys};
use unlockd_tests::{binary, TestApp};

use crate::bad_input::snapshot;
use crate::license_file::exported_keys;

pub(crate) fn client(app: &TestApp) -> Plus5Client {
    let keys = exported_keys(app);
    Plus5Client::new(
        ClientKeys::from_envelope(
            keys["Envelope"].as_str().expect("Envelope"),
            keys["EnvelopeKey"].as_str().expect("EnvelopeKey"),
        )
        .expect("envelope opens"),
    )
}

pub(crate) fn computer(nic: &str) -> Vec<Identifier> {
    vec![Identifier {
        kind: 10,
        name: "NIC".into(),
        value: nic.into(),
    }]
}

/// ManualRequest.aspx: the answer text, or the shown error code.
fn via_page(app: &TestApp, request: &str) -> Result<String, i32> {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("request", request)
        .finish();
    let r = app.post(
        "/solo/customers/ManualRequest.aspx",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 200);
    let page = r.text();
    match page.find("readonly>") {
        Some(i) => {
            let rest = &page[i + 9..];
            let text = &rest[..rest.find("</textarea>").expect("textarea end")];
            Ok(text
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#xD;", "\r")
                .replace("&amp;", "&"))
        }
        None => {
            let i = page.find("<span id=\"code\">").expect("error code") + 16;
            Err(page[i..i + 4].parse().expect("code"))
        }
    }
}

/// `unlockd offline respond`: stdout on exit 0, else the code printed on stderr.
fn via_cli(app: &TestApp, request: &str) -> Result<String, i32> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("request.xml");
    std::fs::write(&file, request).expect("write request");
    let out = Command::new(binary())
        .args(["offline", "respond"])
        .arg(&file)
        .env("UNLOCKD_DATABASE_URL", app.database_url())
        .env("RUST_LOG", "error")
        .output()
        .expect("run offline respond");
    if out.status.success() {
        return Ok(String::from_utf8(out.stdout).expect("utf-8"));
    }
    assert_eq!(out.status.code(), Some(2), "documented exit code");
    let stderr = String::from_utf8_lossy(&out.stderr);
    Err(stderr[..4]
        .parse()
        .unwrap_or_else(|_| panic!("code on stderr: {stderr}")))
}

#[test]
fn air_gap_round_trip_page_and_cli_then_offline_deactivation_frees_the_seat() {
    let app = TestApp::spawn();
    let mut client = client(&app);
    let now = OffsetDateTime::now_utc();

    let first = client
        .activation_request(1001, "demo1001", "sessA", &computer("aa"), now)
        .expect("request");
    let answer = via_page(&app, &first).expect("page answers");
    let license = client
        .import_activation(&answer, "sessA")
        .expect("client accepts the answer");
    assert_eq!(license.license_id, 1001);
    assert!(!license.installation_id.is_empty());
    client
        .read_license_file(&license.file)
        .expect("the saved license file verifies again");

    let second = client
        .activation_request(1001, "demo1001", "sessB", &computer("bb"), now)
        .expect("request");
    let answer = via_cli(&app, &second).expect("CLI answers");
    let other = client
        .import_activation(&answer, "sessB")
        .expect("accepted");
    assert!(
        other.update_counter > license.update_counter,
        "§7.3 monotonic"
    );

    let proof = client
        .deactivation_request(&license.installation_id, "sessC", &computer("aa"), now)
        .expect("proof");
    let receipt = via_cli(&app, &proof).expect("deactivation answered");
    let receipt = client
        .import_deactivation(&receipt, "sessC", 1001)
        .expect("receipt accepted");
    // 3 activations, 2 used, 1 given back.
    assert_eq!(receipt.activations_left, 2, "the seat is free again");
    assert_eq!(via_page(&app, &proof), Err(5029), "a proof counts once");
}

#[test]
fn offline_refusals_change_nothing_and_stale_answers_are_refused_by_the_client() {
    let app = TestApp::spawn();
    let mut client = client(&app);
    let now = OffsetDateTime::now_utc();
    let good = client
        .activation_request(1001, "demo1001", "s1", &computer("aa"), now)
        .expect("request");
    let later = client
        .activation_request(1001, "demo1001", "s2", &computer("bb"), now)
        .expect("request");
    let answer_1 = via_page(&app, &good).expect("answered");
    let answer_2 = via_page(&app, &later).expect("answered");

    let tampered = {
        let i = good.rfind("<CipherValue>").expect("cipher value") + 13;
        let flip = if &good[i..i + 1] == "A" { "B" } else { "A" };
        format!("{}{flip}{}", &good[..i], &good[i + 1..])
    };
    let wrong_key = good.replace(
        unlockd_tests::DEMO_KEY_ID,
        "00000000-1111-2222-3333-444444444444",
    );
    let expired = client
        .activation_request(
            1001,
            "demo1001",
            "s3",
            &computer("cc"),
            now - time::Duration::days(31),
        )
        .expect("request");
    for (name, request, code) in [
        ("tampered request", tampered, 5005),
        ("wrong key ID", wrong_key, 5003),
        ("expired request", expired, 5030),
        ("replayed request", good.clone(), 5029),
    ] {
        let (before, history) = snapshot(&app);
        assert_eq!(via_cli(&app, &request), Err(code), "{name}");
        let (after, history_after) = snapshot(&app);
        assert_eq!(before, after, "{name} changed the database");
        assert_eq!(history_after, history + 1, "{name}: one attempt row");
    }

    // Tampered response: refused by the client before anything is saved.
    let i = answer_1.rfind("<SignatureValue>").expect("signature") + 16;
    let flip = if &answer_1[i..i + 1] == "A" { "B" } else { "A" };
    let tampered_answer = format!("{}{flip}{}", &answer_1[..i], &answer_1[i + 1..]);
    assert!(matches!(
        client.import_activation(&tampered_answer, "s1"),
        Err(ClientError::Open(_))
    ));
    // Rollback: once the newer answer is in, the older one is refused (§7.3).
    client.import_activation(&answer_2, "s2").expect("newer");
    assert!(matches!(
        client.import_activation(&answer_1, "s1"),
        Err(ClientError::Rollback { .. })
    ));
    // And an answer for another request's session is refused.
    assert!(matches!(
        client.import_activation(&answer_2, "s9"),
        Err(ClientError::SessionMismatch)
    ));
}

#[test]
fn pp4_offline_file_round_trip_through_the_cli() {
    let app = TestApp::spawn();
    let key = OffActKey::parse("K7Q2M9X4TZ").expect("demo OffAct Key");
    // Written five days ago: errata E-2 lets the TTL, not CLK-1, judge its age.
    let written = OffsetDateTime::now_utc() - time::Duration::days(5);
    let session = pp4::session_code_with(written, 4242);
    let request = pp4::offline_request(&key, 1002, "demo1002", 1, session, 123_456_789, written);
    let response = via_cli(&app, &request).expect("answered");
    let seeds = Seeds {
        tc_seed: 1234,
        rk2_seed: 77,
    };
    let (unlocked, counter) =
        pp4::import_offline_response(&response, &key, session, 123_456_789, seeds, None)
            .expect("client accepts the codes");
    assert_eq!(unlocked.event, 1);
    assert!(matches!(
        pp4::import_offline_response(&response, &key, session, 123_456_789, seeds, Some(counter)),
        Err(pp4::Pp4Error::Rollback { .. })
    ));
    let (before, _) = snapshot(&app);
    assert_eq!(via_cli(&app, &request), Err(5029));
    assert_eq!(snapshot(&app).0, before);
}

#[test]
fn offline_refresh_and_floating_sessions_answer_once_wire_7_2() {
    let app = TestApp::spawn();
    let mut client = client(&app);
    let now = OffsetDateTime::now_utc();

    // GetLicenseFile carried by hand: CLI answers, the page refuses the replay.
    let request = client
        .activation_request(1001, "demo1001", "act", &computer("aa"), now)
        .expect("request");
    let license = client
        .import_activation(&via_page(&app, &request).expect("answered"), "act")
        .expect("activated");
    let refresh = client
        .refresh_request(
            &license.installation_id,
            Some(1001),
            "ref",
            &computer("aa"),
            now,
        )
        .expect("request");
    let refreshed = client
        .import_refresh(&via_cli(&app, &refresh).expect("CLI answers"), "ref")
        .expect("refreshed");
    assert!(refreshed.update_counter > license.update_counter, "§7.3");
    let (before, history) = snapshot(&app);
    assert_eq!(via_page(&app, &refresh), Err(5029), "one use");
    assert_eq!(snapshot(&app), (before, history + 1), "E-3");
    let expired = client
        .refresh_request(
            &license.installation_id,
            None,
            "old",
            &[],
            now - time::Duration::days(31),
        )
        .expect("request");
    assert_eq!(via_cli(&app, &expired), Err(5030));

    // A floating seat opened, checked out and checked in through the air gap.
    let open = client
        .open_session_request(1004, "demo1004", "open", &computer("ff"), now)
        .expect("request");
    let session = client
        .import_session(&via_page(&app, &open).expect("page answers"), "open")
        .expect("certificate verifies");
    assert_eq!(session.license_id, 1004);
    assert_eq!(via_cli(&app, &open), Err(5029), "one use");
    let checkout = client
        .checkout_request(&session.session_id, 1004, 24, "out", now)
        .expect("request");
    let out = client
        .import_session(&via_cli(&app, &checkout).expect("CLI answers"), "out")
        .expect("certificate verifies");
    assert!(out.checked_out && out.update_counter > session.update_counter);
    assert_eq!(via_page(&app, &checkout), Err(5029), "one use");
    let checkin = client
        .checkin_request(&session.session_id, 1004, "in", now)
        .expect("request");
    let back = client
        .import_session(&via_page(&app, &checkin).expect("page answers"), "in")
        .expect("certificate verifies");
    assert!(!back.checked_out && back.update_counter > out.update_counter);
    assert_eq!(via_cli(&app, &checkin), Err(5029), "one use");

    // PollSession is not an offline method (§7.2): 5006, nothing changed.
    let poll = client
        .keys()
        .seal_request(
            "PollSession",
            &format!(
                "<PrivateData><ClientTimestamp>{}</ClientTimestamp><SessionID>{}</SessionID><SessionCode>poll</SessionCode></PrivateData>",
                now.replace_nanosecond(0)
                    .expect("ns")
                    .format(&time::format_description::well_known::Rfc3339)
                    .expect("format"),
                session.session_id
            ),
            true,
            true,
        )
        .expect("request");
    let (before, history) = snapshot(&app);
    assert_eq!(via_cli(&app, &poll), Err(5006));
    assert_eq!(snapshot(&app), (before, history + 1), "E-3");
}
