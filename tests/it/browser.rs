//! The air gap through a real browser (issue 7): the reference client's request file
//! is uploaded on ManualRequest.aspx in the system's headless Chromium with
//! JavaScript disabled (tests/browser/manual_request.mjs, playwright-core), and the
//! response the page shows is imported by the client. `scripts/test` installs
//! Chromium and the npm package.

use std::process::Command;

use time::OffsetDateTime;
use unlockd_tests::{workspace_root, TestApp};

use crate::offline::{client, computer};

#[test]
fn manual_request_page_round_trip_in_headless_chromium() {
    let driver = workspace_root().join("tests/browser/manual_request.mjs");
    assert!(
        workspace_root()
            .join("tests/browser/node_modules/playwright-core")
            .is_dir()
            && std::path::Path::new("/usr/bin/chromium").exists(),
        "needs /usr/bin/chromium and tests/browser/node_modules: run scripts/test once"
    );
    let app = TestApp::spawn();
    let mut client = client(&app);
    let dir = tempfile::tempdir().expect("temp dir");
    let request_file = dir.path().join("ManualActivationRequest.xml");
    let response_file = dir.path().join("ManualResponse.xml");
    let request = client
        .activation_request(
            1001,
            "demo1001",
            "browser1",
            &computer("bb"),
            OffsetDateTime::now_utc(),
        )
        .expect("request");
    std::fs::write(&request_file, request).expect("write request");
    let out = Command::new("node")
        .arg(&driver)
        .arg(format!("http://{}", app.addr))
        .arg(&request_file)
        .arg(&response_file)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "browser run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let response = std::fs::read_to_string(&response_file).expect("response saved");
    let license = client
        .import_activation(&response, "browser1")
        .expect("the client accepts the page's response");
    assert_eq!(license.license_id, 1001);
}
