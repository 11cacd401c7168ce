//! Writes the conformance vectors of `tests/vectors/` (issue 7).
//!
//! `cargo run -p unlockd-client --example gen_vectors -- [DIR] [--crypto]`
//!
//! `trigger-codes-v1.json` is deterministic (seeded ChaCha20): regenerating it gives
//! the same bytes, and a test checks that. With `--crypto` it also writes each missing
//! crypto file (`license-file-v1.json`, `offline-v1.json`,
//! `floating-certificate-v1.json`, `offline-sessions-v1.json`) from a freshly
//! generated test key; RSA key generation, RSA-OAEP and the AES IVs are randomised, so
//! those files are generated once and published, never overwritten, and checked by the
//! Rust tests and `tests/python/test_vectors.py`.

use std::path::PathBuf;

use serde_json::{json, Value};
use unlockd_client::offact::{OffActKey, OffActRequest, OffActResponse};
use unlockd_client::{vectors, ClientKeys};
use unlockd_core::EncryptionKeyId;
use unlockd_soap::crypto::{self, GeneratedKey};

/// The test key of the crypto vectors (never used by a real deployment).
const KEY_ID: &str = "0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let crypto_too = args.iter().any(|a| a == "--crypto");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("tests/vectors"));
    std::fs::create_dir_all(&dir)?;
    write(
        &dir.join("trigger-codes-v1.json"),
        &vectors::trigger_codes(vectors::TRIGGER_CODES_SEED),
    )?;
    if crypto_too {
        type Make = fn(&GeneratedKey) -> Result<Value, Box<dyn std::error::Error>>;
        let files: [(&str, Make); 4] = [
            ("license-file-v1.json", license_file),
            ("offline-v1.json", offline),
            ("floating-certificate-v1.json", floating_certificate),
            ("offline-sessions-v1.json", offline_sessions),
        ];
        for (name, make) in files {
            let path = dir.join(name);
            if path.exists() {
                println!("kept published {}", path.display());
                continue;
            }
            let key = GeneratedKey::generate(EncryptionKeyId::parse(KEY_ID)?, 2048)?;
            write(&path, &make(&key)?)?;
        }
    }
    Ok(())
}

fn write(path: &std::path::Path, value: &Value) -> Result<(), Box<dyn std::error::Error>> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    std::fs::write(path, text)?;
    println!("wrote {}", path.display());
    Ok(())
}

fn keys_json(key: &GeneratedKey) -> Value {
    json!({
        "EncryptionKeyID": key.id().to_string(),
        "ClientKeyPrivatePem": key.client_private_pem(),
        "ClientKeyPublicPem": key.client_public_pem(),
        "ServerKeyPrivatePem": key.server_private_pem(),
        "ServerKeyPublicPem": key.server_public_pem(),
        "Envelope": key.envelope(),
        "EnvelopeKey": key.envelope_key(),
    })
}

/// wire.md §5.4 PrivateData of a license file.
fn license_plaintext(update_counter: i64) -> String {
    format!(
        "<PrivateData><License><LicenseID>1001</LicenseID><InstallationID>6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99</InstallationID><TriggerCode>1</TriggerCode><EffectiveStartDate>2026-11-26T10:00:00Z</EffectiveStartDate><EffectiveEndDate>2027-11-26T00:00:00Z</EffectiveEndDate><SignatureDate>2026-11-26T10:00:00Z</SignatureDate><Quantity>1</Quantity><LicenseCounter>100</LicenseCounter><UpdateCounter>{update_counter}</UpdateCounter><Product><ProductID>1</ProductID><ProductName>Demo &amp; Product</ProductName><LatestVersion>1.0.0.0</LatestVersion></Product><ProductOption><ProductOptionID>1</ProductOptionID><OptionName>PLUS 5 License File</OptionName><OptionType>ActivationCode</OptionType></ProductOption><Customer><CustomerID>1</CustomerID><CompanyName>Demo Customer</CompanyName><FirstName>Dana</FirstName><LastName>Demo</LastName><Email>demo@example.com</Email><Registered>true</Registered></Customer><ActivationData><Identifiers><SystemIdentifier name=\"NIC\" type=\"10\" value=\"aa\"/></Identifiers></ActivationData></License></PrivateData>"
    )
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    text.rfind(open)
        .map(|i| &text[i + open.len()..])
        .and_then(|rest| rest.find(close).map(|j| &rest[..j]))
        .unwrap_or_default()
}

fn license_file(key: &GeneratedKey) -> Result<Value, Box<dyn std::error::Error>> {
    let plaintext = license_plaintext(1);
    let document = crypto::seal("SoftwareKey", &plaintext, &key.key_set()?, true)?;
    Ok(json!({
        "name": "unlockd license-file vectors",
        "version": 1,
        "spec": "wire.md §5.3, §5.4, errata E-9",
        "note": "Test key only. Encrypted to the ClientKey, signed by the ServerKey; RSA-OAEP and IVs are randomised, so verify, do not regenerate.",
        "keys": keys_json(key),
        "cases": [{
            "plaintext": plaintext,
            "document": document,
            "cipher_value": between(&document, "<CipherValue>", "</CipherValue>"),
            "signature_value": between(&document, "<SignatureValue>", "</SignatureValue>"),
        }],
    }))
}

fn offline(key: &GeneratedKey) -> Result<Value, Box<dyn std::error::Error>> {
    let set = key.key_set()?;
    let client = ClientKeys::from_envelope(key.envelope(), key.envelope_key())?;
    let mut cases = Vec::new();
    for (session, counter) in [("sessA", 1_i64), ("sessB", 2)] {
        let request_plain = format!(
            "<PrivateData><ClientTimestamp>2026-11-26T10:00:00Z</ClientTimestamp><LicenseID>1001</LicenseID><Password>demo1001</Password><SessionCode>{session}</SessionCode><SystemIdentifiers><SystemIdentifier name=\"NIC\" type=\"10\" value=\"aa\"/></SystemIdentifiers></PrivateData>"
        );
        let request = client.seal_request(
            "ActivateInstallationLicenseFile",
            &request_plain,
            true,
            true,
        )?;
        let license = crypto::seal("SoftwareKey", &license_plaintext(counter), &set, true)?;
        let license = license
            .strip_prefix(unlockd_soap::xml::DECLARATION)
            .unwrap_or(&license);
        let response_plain = format!(
            "<PrivateData><ResultCode>0</ResultCode><ErrorMessage></ErrorMessage><ServerTimestamp>2026-11-26T10:05:00Z</ServerTimestamp><SessionCode>{session}</SessionCode><UpdateCounter>{counter}</UpdateCounter><ActivationsLeft>2</ActivationsLeft><InstallationID>6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99</InstallationID><License>{license}</License></PrivateData>"
        );
        let response = crypto::seal(
            "ActivateInstallationLicenseFile",
            &response_plain,
            &set,
            true,
        )?;
        cases.push(json!({
            "method": "ActivateInstallationLicenseFile",
            "session_code": session,
            "update_counter": counter,
            "request_plaintext": request_plain,
            "request": request,
            "response_plaintext": response_plain,
            "response": response,
        }));
    }
    let offact_key = OffActKey::parse("K7Q2M9X4TZ").ok_or("OffAct Key")?;
    let pp4_request = OffActRequest {
        license_id: "1002".into(),
        password: "demo1002".into(),
        product_id: "1".into(),
        product_option_id: String::new(),
        product_version: String::new(),
        user_code1: "321990713".into(),
        user_code2: "123456789".into(),
        created: "2026-11-26T10:00:00Z".into(),
    };
    let pp4_response = OffActResponse {
        license_id: "1002".into(),
        user_code1: "321990713".into(),
        user_code2: "123456789".into(),
        regkey1: "533723300".into(),
        regkey2: "0".into(),
        license_update: String::new(),
        activations_left: "1".into(),
        update_counter: "1".into(),
        issued: "2026-11-26T10:05:00Z".into(),
    };
    Ok(json!({
        "name": "unlockd offline request/response vectors",
        "version": 1,
        "spec": "wire.md §2.5, §5.3, §7.2-7.4",
        "note": "Test key only. PLUS 5 requests are encrypted to the ServerKey and signed by the ClientKey; responses the other way round. Cases are in UpdateCounter order: importing the second then the first is a rollback (§7.3).",
        "keys": keys_json(key),
        "plus5": cases,
        "pp4": {
            "offact_key": "K7Q2M9X4TZ",
            "request": pp4_request.to_file(&offact_key),
            "response": pp4_response.to_file(&offact_key),
        },
    }))
}

/// wire.md §3.10 `NetworkSession` before its signature.
fn certificate_plaintext(checked_out: bool, seats_available: i32, update_counter: i64) -> String {
    let until = if checked_out {
        "2026-11-27T10:00:00Z"
    } else {
        "2026-11-26T10:02:00Z"
    };
    format!(
        "<NetworkSession><SessionID>0123456789ABCDEF0123456789ABCDEF</SessionID><LicenseID>1004</LicenseID><ServerTimestamp>2026-11-26T10:00:00Z</ServerTimestamp><AllocatedUntilDate>{until}</AllocatedUntilDate><SeatsAvailable>{seats_available}</SeatsAvailable><TotalSeats>2</TotalSeats><CheckedOut>{checked_out}</CheckedOut><CheckoutDurationMinimum>1</CheckoutDurationMinimum><CheckoutDurationMaximum>72</CheckoutDurationMaximum><PollFrequency>60</PollFrequency><PollRetryFrequency>10</PollRetryFrequency><PollRetryCount>6</PollRetryCount><UpdateCounter>{update_counter}</UpdateCounter></NetworkSession>"
    )
}

fn floating_certificate(key: &GeneratedKey) -> Result<Value, Box<dyn std::error::Error>> {
    let set = key.key_set()?;
    let mut cases = Vec::new();
    for (checked_out, seats, counter) in [(false, 1, 1_i64), (true, -1, 2)] {
        let plaintext = certificate_plaintext(checked_out, seats, counter);
        let document = crypto::sign_standalone(&plaintext, &set)?;
        cases.push(json!({
            "plaintext": plaintext,
            "document": document,
            "digest_value": between(&document, "<DigestValue>", "</DigestValue>"),
            "signature_value": between(&document, "<SignatureValue>", "</SignatureValue>"),
        }));
    }
    Ok(json!({
        "name": "unlockd floating certificate vectors",
        "version": 1,
        "spec": "wire.md §3.10, §5.3, errata E-10",
        "note": "Test key only. NetworkSession signed on its own by the ServerKey, not encrypted. RSASSA-PKCS1-v1_5 is deterministic: signing the plaintext with the ServerKey gives the document byte for byte.",
        "keys": keys_json(key),
        "cases": cases,
    }))
}

fn offline_sessions(key: &GeneratedKey) -> Result<Value, Box<dyn std::error::Error>> {
    let set = key.key_set()?;
    let client = ClientKeys::from_envelope(key.envelope(), key.envelope_key())?;
    let refresh_request = "<PrivateData><ClientTimestamp>2026-11-26T10:00:00Z</ClientTimestamp><InstallationID>6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99</InstallationID><LicenseID>1001</LicenseID><SessionCode>sessR</SessionCode><SystemIdentifiers><SystemIdentifier name=\"NIC\" type=\"10\" value=\"aa\"/></SystemIdentifiers></PrivateData>";
    let license = crypto::seal("SoftwareKey", &license_plaintext(3), &set, true)?;
    let license = license
        .strip_prefix(unlockd_soap::xml::DECLARATION)
        .unwrap_or(&license)
        .to_owned();
    let refresh_response = format!("<PrivateData><ResultCode>0</ResultCode><ErrorMessage></ErrorMessage><ServerTimestamp>2026-11-26T10:05:00Z</ServerTimestamp><SessionCode>sessR</SessionCode><UpdateCounter>3</UpdateCounter><License>{license}</License></PrivateData>");
    let open_request = "<PrivateData><ClientTimestamp>2026-11-26T10:00:00Z</ClientTimestamp><LicenseID>1004</LicenseID><Password>demo1004</Password><SessionCode>sessO</SessionCode><SystemIdentifiers><SystemIdentifier name=\"NIC\" type=\"10\" value=\"ff\"/></SystemIdentifiers></PrivateData>";
    let certificate = crypto::sign_standalone(&certificate_plaintext(false, 1, 1), &set)?;
    let certificate = certificate
        .strip_prefix(unlockd_soap::xml::DECLARATION)
        .unwrap_or(&certificate)
        .to_owned();
    let open_response = format!("<PrivateData><ResultCode>0</ResultCode><ErrorMessage></ErrorMessage><ServerTimestamp>2026-11-26T10:05:00Z</ServerTimestamp><SessionCode>sessO</SessionCode><UpdateCounter>1</UpdateCounter>{certificate}</PrivateData>");
    let mut cases = Vec::new();
    for (method, session, license_id, counter, request_plain, response_plain) in [
        (
            "GetLicenseFile",
            "sessR",
            1001,
            3_i64,
            refresh_request.to_owned(),
            refresh_response,
        ),
        (
            "OpenSession",
            "sessO",
            1004,
            1,
            open_request.to_owned(),
            open_response,
        ),
    ] {
        cases.push(json!({
            "method": method,
            "session_code": session,
            "license_id": license_id,
            "update_counter": counter,
            "request_plaintext": request_plain,
            "request": client.seal_request(method, &request_plain, true, true)?,
            "response_plaintext": response_plain,
            "response": crypto::seal(method, &response_plain, &set, true)?,
        }));
    }
    Ok(json!({
        "name": "unlockd offline refresh and floating-session vectors",
        "version": 1,
        "spec": "wire.md §3.6, §3.10, §5.3, §7.2, §7.3, errata E-10",
        "note": "Test key only. Requests are encrypted to the ServerKey and signed by the ClientKey, responses the other way round; the GetLicenseFile response carries a license file (UpdateCounter 3 of license 1001), the OpenSession response a NetworkSession certificate (UpdateCounter 1 of license 1004) signed on its own.",
        "keys": keys_json(key),
        "plus5": cases,
    }))
}
