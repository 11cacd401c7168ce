//! The published conformance vectors of `tests/vectors/` against the implementation
//! (issue 7): trigger codes (wire.md §6.3), license files (§5.3, §5.4), offline
//! request/response pairs (§7.2-7.4), floating certificates (§3.10) and offline
//! GetLicenseFile/OpenSession pairs (§3.6, §3.10, §7.2).

use std::path::PathBuf;

use serde_json::Value;
use unlockd_client::offact::{OffActKey, OffActRequest, OffActResponse};
use unlockd_client::plus5::{ClientError, Plus5Client};
use unlockd_client::{vectors, ClientKeys};
use unlockd_core::trigger::{Tc1, TriggerCodeAlgorithm};
use unlockd_core::EncryptionKeyId;
use unlockd_soap::crypto::{open_request, sign_standalone, KeySet};

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("vector JSON")
}

fn int(v: &Value) -> i64 {
    v.as_i64().expect("integer")
}

fn text(v: &Value) -> &str {
    v.as_str().expect("string")
}

fn client_keys(keys: &Value) -> ClientKeys {
    ClientKeys::from_envelope(text(&keys["Envelope"]), text(&keys["EnvelopeKey"]))
        .expect("envelope opens")
}

#[test]
fn trigger_code_vectors_match_and_regenerate_identically() {
    let file = load("trigger-codes-v1.json");
    assert_eq!(
        file,
        vectors::trigger_codes(vectors::TRIGGER_CODES_SEED),
        "deterministic"
    );
    let rk1 = file["regkey1"].as_array().expect("regkey1");
    let rk2 = file["regkey2"].as_array().expect("regkey2");
    assert!(rk1.len() + rk2.len() >= 200);
    // wire.md §6.3's published values lead the file.
    assert_eq!(int(&rk1[0]["regkey1"]), 533_723_300);
    assert_eq!(int(&rk1[6]["regkey1"]), 2_113_819_427);
    assert_eq!(int(&rk2[1]["regkey2"]), 201_342_975);
    for case in rk1 {
        let (e, s, c, k) = (
            int(&case["event"]) as u8,
            int(&case["session"]) as i32,
            int(&case["computer"]) as i32,
            int(&case["tc_seed"]) as u32,
        );
        let code = int(&case["regkey1"]) as i32;
        assert_eq!(Tc1.generate(e, s, c, k), code, "{case}");
        assert_eq!(Tc1.validate(code, s, c, k), Some(e), "{case}");
    }
    for case in rk2 {
        let (d, k) = (int(&case["data"]) as u16, int(&case["rk2_seed"]) as u8);
        let code = int(&case["regkey2"]) as i32;
        assert_eq!(Tc1.encrypt(d, k), code, "{case}");
        assert_eq!(Tc1.decrypt(code, k), Some(d), "{case}");
    }
    let events: Vec<i64> = rk1.iter().map(|c| int(&c["event"])).collect();
    let data: Vec<i64> = rk2.iter().map(|c| int(&c["data"])).collect();
    let seeds: Vec<i64> = rk2.iter().map(|c| int(&c["rk2_seed"])).collect();
    for (list, wanted) in [(&events, [1, 50]), (&data, [0, 16383]), (&seeds, [1, 255])] {
        assert!(
            wanted.iter().all(|w| list.contains(w)),
            "boundaries {wanted:?}"
        );
    }
}

#[test]
fn license_file_vectors_open_and_verify() {
    let file = load("license-file-v1.json");
    let keys = client_keys(&file["keys"]);
    let client = Plus5Client::new(client_keys(&file["keys"]));
    for case in file["cases"].as_array().expect("cases") {
        let opened = keys
            .open(text(&case["document"]))
            .expect("verifies and decrypts");
        assert!(opened.signed && opened.encrypted);
        assert_eq!(opened.private_data_xml, text(&case["plaintext"]));
        assert!(text(&case["document"]).contains(text(&case["signature_value"])));
        let license = client
            .read_license_file(text(&case["document"]))
            .expect("reference client reads it");
        assert_eq!(license.license_id, 1001);
        let tampered = text(&case["document"]).replacen("<CipherValue>", "<CipherValue>AB", 1);
        assert!(keys.open(&tampered).is_err());
    }
}

#[test]
fn offline_vectors_requests_open_on_the_server_and_responses_on_the_client() {
    let file = load("offline-v1.json");
    let k = &file["keys"];
    let id = EncryptionKeyId::parse(text(&k["EncryptionKeyID"])).expect("key id");
    let server = KeySet::from_pems(
        id,
        text(&k["ServerKeyPrivatePem"]),
        text(&k["ClientKeyPublicPem"]),
    )
    .expect("server key set");
    let mut client = Plus5Client::new(client_keys(k));
    let cases = file["plus5"].as_array().expect("plus5");
    for case in cases {
        let opened = open_request(text(&case["request"]), &server).expect("request opens");
        assert!(opened.signed && opened.encrypted);
        assert_eq!(opened.private_data_xml, text(&case["request_plaintext"]));
        let answer = client
            .keys()
            .open(text(&case["response"]))
            .expect("response opens");
        assert_eq!(answer.private_data_xml, text(&case["response_plaintext"]));
    }
    // In order they import; the older one after the newer is a rollback (§7.3).
    let session = |c: &Value| text(&c["session_code"]).to_owned();
    client
        .import_activation(text(&cases[1]["response"]), &session(&cases[1]))
        .expect("newest imports");
    assert!(matches!(
        client.import_activation(text(&cases[0]["response"]), &session(&cases[0])),
        Err(ClientError::Rollback { .. })
    ));

    let pp4 = &file["pp4"];
    let key = OffActKey::parse(text(&pp4["offact_key"])).expect("OffAct Key");
    let (request, signed) = OffActRequest::parse(text(&pp4["request"])).expect("request");
    signed.verify(&key).expect("request MAC");
    assert_eq!(request.to_file(&key), text(&pp4["request"]));
    assert!(text(&pp4["request"])
        .ends_with("MAC=4e1d3aa624b51e4a8bac241c39e9d3b3da920ae57c54fa593c2619fa25cff094\n"));
    OffActResponse::parse_verified(text(&pp4["response"]), &key).expect("response MAC");
    assert!(text(&pp4["response"])
        .ends_with("MAC=210a1055ffaa29d638c15e05a9d72b7744fdec618439dd57f75f382c793880e8\n"));
}

fn server_keys(k: &Value) -> KeySet {
    let id = EncryptionKeyId::parse(text(&k["EncryptionKeyID"])).expect("key id");
    KeySet::from_pems(
        id,
        text(&k["ServerKeyPrivatePem"]),
        text(&k["ClientKeyPublicPem"]),
    )
    .expect("server key set")
}

#[test]
fn floating_certificate_vectors_resign_identically_and_verify() {
    let file = load("floating-certificate-v1.json");
    let server = server_keys(&file["keys"]);
    let client = client_keys(&file["keys"]);
    for case in file["cases"].as_array().expect("cases") {
        let document = text(&case["document"]);
        // RSASSA-PKCS1-v1_5 is deterministic: the implementation signs the published
        // plaintext into the published document (wire.md §3.10, E-10).
        assert_eq!(
            sign_standalone(text(&case["plaintext"]), &server).expect("signs"),
            document
        );
        assert!(document.contains(text(&case["signature_value"])));
        assert!(document.contains(text(&case["digest_value"])));
        client.verify_signed(document).expect("verifies");
        let tampered = document.replacen("<TotalSeats>2<", "<TotalSeats>3<", 1);
        assert!(client.verify_signed(&tampered).is_err());
    }
}

#[test]
fn offline_refresh_and_session_vectors_open_on_both_sides_and_import() {
    let file = load("offline-sessions-v1.json");
    let server = server_keys(&file["keys"]);
    let mut client = Plus5Client::new(client_keys(&file["keys"]));
    for case in file["plus5"].as_array().expect("plus5") {
        let opened = open_request(text(&case["request"]), &server).expect("request opens");
        assert!(opened.signed && opened.encrypted);
        assert_eq!(opened.private_data_xml, text(&case["request_plaintext"]));
        let answer = client
            .keys()
            .open(text(&case["response"]))
            .expect("response opens");
        assert_eq!(answer.private_data_xml, text(&case["response_plaintext"]));
        let (response, session) = (text(&case["response"]), text(&case["session_code"]));
        let counter = match text(&case["method"]) {
            "GetLicenseFile" => {
                client
                    .import_refresh(response, session)
                    .expect("refresh imports")
                    .update_counter
            }
            "OpenSession" => {
                client
                    .import_session(response, session)
                    .expect("session imports")
                    .update_counter
            }
            other => panic!("unexpected method {other}"),
        };
        assert_eq!(counter, int(&case["update_counter"]));
        let license = int(&case["license_id"]) as i32;
        assert_eq!(client.highest_update_counter(license), Some(counter));
        // Imported once, the same answer again is a replay (§7.3).
        let again = match text(&case["method"]) {
            "GetLicenseFile" => client.import_refresh(response, session).map(|_| ()),
            _ => client.import_session(response, session).map(|_| ()),
        };
        assert!(matches!(again, Err(ClientError::Rollback { .. })));
    }
}
