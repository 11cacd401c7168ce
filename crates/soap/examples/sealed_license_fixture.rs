//! Writes a fresh key export and a sealed license into a directory, for the
//! independent Python verifier (tests/python/test_verify_license.py).
//!
//! Usage: `cargo run -p unlockd-soap --example sealed_license_fixture -- DIR`
//! Writes `DIR/keys.json` (the `unlockd key export` shape, E-23), `DIR/license.xml`
//! (a SoftwareKey) and `DIR/answer.xml` (a signed answer whose PrivateData/License
//! holds the same SoftwareKey, E-10) and `DIR/c14n.xml` (a signed answer whose
//! PrivateData exercises exclusive C14N's namespace, ordering and escaping rules).
//! Each `DIR/c14n-input-*.xml` found (a PrivateData element) is sealed into a signed
//! answer `DIR/c14n-sealed-*.xml`, for differential tests against other C14N code.

use std::path::PathBuf;

use unlockd_core::EncryptionKeyId;
use unlockd_soap::crypto::{seal, GeneratedKey};

const PRIVATE_DATA: &str = "<PrivateData><License><LicenseID>1002</LicenseID>\
    <InstallationID>6F9619FF-8B86-D011-B42D-00C04FC964FF</InstallationID><TriggerCode>1</TriggerCode>\
    <Customer><CompanyName>A &amp; B</CompanyName></Customer></License></PrivateData>";

/// Namespace and escaping cases that the two C14N implementations must agree on.
const C14N_PRIVATE_DATA: &str = "<PrivateData xmlns:unused=\"urn:unused\">\
    <a:One xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" b:z=\"1\" y=\"2\" a:x=\"3\" xml:lang=\"en\">\
    <Two xmlns=\"urn:default\"><Three xmlns=\"\"/><a:Four xmlns:a=\"urn:other\"/></Two>\
    <a:Five xmlns:a=\"urn:a\">t&#13;&#9;x &lt;&amp;&gt; \"q\" 'a'<![CDATA[<c>]]></a:Five></a:One>\
    <Six v=\"&lt;&amp;&quot;&#9;&#10;&#13;&gt;'\" w='\"'/>\r\n<Seven>line\r\nbreak</Seven></PrivateData>";

fn json_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: sealed_license_fixture DIR")?,
    );
    let id = EncryptionKeyId::parse("3F2504E0-4F89-11D3-9A0C-0305E82C3301")?;
    let key = GeneratedKey::generate(id, 2048)?;
    let keys = key.key_set()?;
    let license = seal("SoftwareKey", PRIVATE_DATA, &keys, true)?;
    let answer = seal(
        "ActivateInstallationLicenseFile",
        &format!(
            "<PrivateData><ResultCode>0</ResultCode><License>{license}</License></PrivateData>"
        ),
        &keys,
        false,
    )?;
    let c14n_cases = seal("Answer", C14N_PRIVATE_DATA, &keys, false)?;
    let export = format!(
        "{{\"EncryptionKeyID\": {}, \"Envelope\": {}, \"EnvelopeKey\": {}, \
         \"ClientKeyPrivatePem\": {}, \"ServerKeyPublicPem\": {}}}\n",
        json_string(&key.id().to_string()),
        json_string(key.envelope()),
        json_string(key.envelope_key()),
        json_string(key.client_private_pem()),
        json_string(key.server_public_pem()),
    );
    std::fs::write(dir.join("keys.json"), export)?;
    std::fs::write(dir.join("license.xml"), license)?;
    std::fs::write(dir.join("answer.xml"), answer)?;
    std::fs::write(dir.join("c14n.xml"), c14n_cases)?;
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if let Some(rest) = name.strip_prefix("c14n-input-") {
            let private_data = std::fs::read_to_string(&path)?;
            let sealed = seal("Answer", &private_data, &keys, false)?;
            std::fs::write(dir.join(format!("c14n-sealed-{rest}")), sealed)?;
        }
    }
    Ok(())
}
