//! HTTP-level behaviour of the binary: routing, methods, content types, the test clock
//! switch and graceful shutdown.

use unlockd_tests::{TestApp, ACTIVATION_PATH};

#[test]
fn paths_are_case_insensitive_and_unknown_ones_are_404() {
    let app = TestApp::spawn();
    let r = app.get("/SOLO/WebServices/xmlactivationservice.ASMX?wsdl");
    assert_eq!(r.status, 200);
    assert_eq!(app.get("/solo/webservices/Nope.asmx").status, 404);
}

#[test]
fn get_on_a_post_method_is_405_and_other_content_types_415() {
    let app = TestApp::spawn();
    let r = app.get(&format!("{ACTIVATION_PATH}/CheckInstallationStatus"));
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    let r = app.post(
        &format!("{ACTIVATION_PATH}/CheckInstallationStatus"),
        &[("Content-Type", "application/json")],
        b"{}",
    );
    assert_eq!(r.status, 415);
}

#[test]
fn the_test_clock_exists_only_with_its_flag() {
    let app = TestApp::spawn();
    app.advance_clock(60);
    // A server started without --test-clock answers 404 on the same path: the flag is
    // always given by TestApp, so check the negative through a second binary run.
    let db = unlockd_tests::TestDatabase::new();
    let mut child = std::process::Command::new(unlockd_tests::binary())
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("UNLOCKD_DATABASE_URL", db.url())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).expect("line");
    let addr: std::net::SocketAddr = line
        .trim()
        .trim_start_matches("unlockd listening on http://")
        .parse()
        .expect("addr");
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    std::io::Write::write_all(
        &mut s,
        b"POST /_test/clock HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 18\r\n\r\nadvance_seconds=60",
    )
    .expect("write");
    let mut buf = String::new();
    std::io::Read::read_to_string(&mut s, &mut buf).expect("read");
    assert!(buf.starts_with("HTTP/1.1 404"), "{buf}");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let app = TestApp::spawn();
    assert_eq!(app.get(&format!("{ACTIVATION_PATH}?wsdl")).status, 200);
    let status = app.stop();
    assert!(status.success(), "exit status {status:?}");
}
