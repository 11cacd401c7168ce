//! End-to-end tests of the crypto module: the server seals, the application opens
//! (and the reverse), tampering and wrong keys are refused (wire.md §5.3, E-9, E-10).

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use unlockd_core::EncryptionKeyId;

use super::client::{extract_element, ClientKeys};
use super::{open_request, seal, CryptoError, GeneratedKey, KeySet, OpenError, Opened};

const LICENSE: &str = "<PrivateData><License><LicenseID>1002</LicenseID>\
    <InstallationID>6F9619FF-8B86-D011-B42D-00C04FC964FF</InstallationID>\
    <TriggerCode>1</TriggerCode><Customer><CompanyName>A &amp; B &lt;Ltd&gt;</CompanyName></Customer>\
    <ActivationData><Identifiers><SystemIdentifier name=\"NIC\" type=\"NicIdentifier\" value=\"ab:cd\"/>\
    </Identifiers></ActivationData></License></PrivateData>";

struct Fixture {
    generated: GeneratedKey,
    keys: KeySet,
    client: ClientKeys,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let id = EncryptionKeyId::parse("6A3D51C2-5B0E-4F7A-9C1D-2E8F4B6A7C90").unwrap();
        let generated = GeneratedKey::generate(id, 2048).unwrap();
        let keys = generated.key_set().unwrap();
        let client =
            ClientKeys::from_envelope(generated.envelope(), generated.envelope_key()).unwrap();
        Fixture {
            generated,
            keys,
            client,
        }
    })
}

/// A second, unrelated key ring entry under the same ID.
fn other() -> &'static Fixture {
    static OTHER: OnceLock<Fixture> = OnceLock::new();
    OTHER.get_or_init(|| {
        let generated = GeneratedKey::generate(fixture().keys.id, 1024).unwrap();
        let keys = generated.key_set().unwrap();
        let client =
            ClientKeys::from_envelope(generated.envelope(), generated.envelope_key()).unwrap();
        Fixture {
            generated,
            keys,
            client,
        }
    })
}

fn license_file() -> String {
    seal("SoftwareKey", LICENSE, &fixture().keys, true).unwrap()
}

/// Replaces the text of the first `<{element}>` with `edit(text)`.
fn edit_text(xml: &str, element: &str, edit: impl Fn(&str) -> String) -> String {
    let open = format!("<{element}>");
    let start = xml.find(&open).unwrap() + open.len();
    let end = start + xml[start..].find('<').unwrap();
    format!("{}{}{}", &xml[..start], edit(&xml[start..end]), &xml[end..])
}

/// Flips one bit of the base64-decoded value, keeping it valid base64.
fn flip_bit(b64: &str) -> String {
    let mut bytes = STANDARD.decode(b64).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    STANDARD.encode(bytes)
}

#[test]
fn license_file_round_trips_e9() {
    let opened = fixture().client.open(&license_file()).unwrap();
    assert_eq!(
        opened,
        Opened {
            private_data_xml: LICENSE.to_owned(),
            signed: true,
            encrypted: true,
        }
    );
}

#[test]
fn license_file_has_the_normative_shape_5_3() {
    let file = license_file();
    assert!(file.starts_with(
        "<SoftwareKey><EncryptedData xmlns=\"http://www.w3.org/2001/04/xmlenc#\" Id=\"PrivateData\" \
         Type=\"http://www.w3.org/2001/04/xmlenc#Element\"><EncryptionMethod \
         Algorithm=\"http://www.w3.org/2001/04/xmlenc#aes256-cbc\"/><KeyInfo \
         xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><EncryptedKey xmlns=\"http://www.w3.org/2001/04/xmlenc#\">\
         <EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p\"/><CipherData><CipherValue>"
    ));
    assert!(file.contains(
        "</EncryptedData><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo>\
         <CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\
         <SignatureMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#rsa-sha1\"/><Reference URI=\"\">\
         <Transforms><Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>\
         <Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></Transforms>\
         <DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/><DigestValue>"
    ));
    let key_name = format!(
        "<KeyInfo><KeyName>{}</KeyName><KeyValue><RSAKeyValue><Modulus>",
        fixture().keys.id
    );
    assert!(file.contains(&key_name));
    assert!(
        file.ends_with("</Exponent></RSAKeyValue></KeyValue></KeyInfo></Signature></SoftwareKey>")
    );
    assert!(!file.contains("LicenseID"));
}

#[test]
fn plain_signed_answer_round_trips() {
    let answer = seal("CheckInstallationStatus", LICENSE, &fixture().keys, false).unwrap();
    assert!(answer.starts_with(&format!("<CheckInstallationStatus>{LICENSE}<Signature")));
    let opened = fixture().client.open(&answer).unwrap();
    assert_eq!(opened.private_data_xml, LICENSE);
    assert!(opened.signed && !opened.encrypted);
}

#[test]
fn requests_round_trip_in_every_protection_mode() {
    let private_data =
        "<PrivateData><LicenseID>1</LicenseID><Password>p&amp;w</Password></PrivateData>";
    for (encrypt, sign) in [(false, false), (true, false), (false, true), (true, true)] {
        let request = fixture()
            .client
            .seal_request(
                "ActivateInstallationLicenseFile",
                private_data,
                encrypt,
                sign,
            )
            .unwrap();
        assert!(request.starts_with(&format!(
            "<ActivateInstallationLicenseFile><EncryptionKeyID>{}</EncryptionKeyID>\
             <RequestMethod>ActivateInstallationLicenseFile</RequestMethod>",
            fixture().keys.id
        )));
        let opened = open_request(&request, &fixture().keys).unwrap();
        assert_eq!(opened.private_data_xml, private_data);
        assert_eq!((opened.encrypted, opened.signed), (encrypt, sign));
    }
}

#[test]
fn license_nested_in_an_answer_is_extracted_and_opened_e10() {
    let file = license_file();
    let inner =
        format!("<PrivateData><ResultCode>0</ResultCode><License>{file}</License></PrivateData>");
    let answer = seal(
        "ActivateInstallationLicenseFile",
        &inner,
        &fixture().keys,
        true,
    )
    .unwrap();
    let opened = fixture().client.open(&answer).unwrap();
    let extracted = extract_element(&opened.private_data_xml, "SoftwareKey").unwrap();
    assert_eq!(extracted, file);
    assert_eq!(
        fixture().client.open(extracted).unwrap().private_data_xml,
        LICENSE
    );
}

#[test]
fn outer_signature_leaves_a_nested_license_signature_in_its_digest_e10() {
    let file = license_file();
    let inner = format!("<PrivateData><License>{file}</License></PrivateData>");
    let answer = seal("GetLicenseFile", &inner, &fixture().keys, false).unwrap();
    assert_eq!(
        fixture().client.open(&answer).unwrap().private_data_xml,
        inner
    );
    // The nested Signature is signed content of the answer.
    let tampered = answer.replacen("<SignatureValue>", "<SignatureValue> ", 1);
    assert_eq!(fixture().client.open(&tampered), Err(OpenError::Signature));
    let extracted = extract_element(&answer, "SoftwareKey").unwrap();
    assert!(fixture().client.open(extracted).unwrap().signed);
}

#[test]
fn extract_element_reports_a_missing_element() {
    assert_eq!(
        extract_element("<a><b/></a>", "SoftwareKey"),
        Err(OpenError::Malformed)
    );
}

#[test]
fn tampered_cipher_values_fail_the_signature() {
    let file = license_file();
    let tampered = edit_text(&file, "CipherValue", flip_bit);
    assert_eq!(fixture().client.open(&tampered), Err(OpenError::Signature));
    let data_value = file.rfind("<CipherValue>").unwrap();
    let tampered = format!(
        "{}{}",
        &file[..data_value],
        edit_text(&file[data_value..], "CipherValue", flip_bit)
    );
    assert_eq!(fixture().client.open(&tampered), Err(OpenError::Signature));
}

#[test]
fn tampered_digest_or_signature_value_fails() {
    let file = license_file();
    for element in ["DigestValue", "SignatureValue"] {
        let tampered = edit_text(&file, element, flip_bit);
        assert_eq!(
            fixture().client.open(&tampered),
            Err(OpenError::Signature),
            "{element}"
        );
    }
}

#[test]
fn tampered_signed_plain_content_fails() {
    let answer = seal("CheckInstallationStatus", LICENSE, &fixture().keys, false).unwrap();
    let tampered = answer.replacen("<LicenseID>1002<", "<LicenseID>1003<", 1);
    assert_ne!(tampered, answer);
    assert_eq!(fixture().client.open(&tampered), Err(OpenError::Signature));
    let attribute = answer.replacen("value=\"ab:cd\"", "value=\"ab:ce\"", 1);
    assert_eq!(fixture().client.open(&attribute), Err(OpenError::Signature));
}

#[test]
fn formatting_changes_that_keep_the_canonical_form_still_verify() {
    let answer = seal("CheckInstallationStatus", LICENSE, &fixture().keys, false).unwrap();
    let reformatted = answer
        .replacen("<TriggerCode>1</TriggerCode>", "<TriggerCode >&#49;</TriggerCode>", 1)
        .replacen(
            "<SystemIdentifier name=\"NIC\" type=\"NicIdentifier\" value=\"ab:cd\"/>",
            "<SystemIdentifier value='ab:cd' type=\"NicIdentifier\" name=\"NIC\"></SystemIdentifier>",
            1,
        );
    assert_ne!(reformatted, answer);
    assert!(fixture().client.open(&reformatted).unwrap().signed);
}

#[test]
fn wrong_keys_are_refused() {
    let file = license_file();
    // Signed by our ServerKey, checked against another: KeyInfo and signature mismatch.
    assert_eq!(other().client.open(&file), Err(OpenError::Signature));
    // Unsigned but encrypted to our ClientKey: another ClientKey cannot decrypt.
    let unsigned = file[..file.find("<Signature").unwrap()].to_owned() + "</SoftwareKey>";
    assert_eq!(
        fixture().client.open(&unsigned).unwrap().private_data_xml,
        LICENSE
    );
    assert_eq!(other().client.open(&unsigned), Err(OpenError::Decrypt));
    // A request signed by another ClientKey.
    let request = other()
        .client
        .seal_request("CheckInstallationStatus", "<PrivateData/>", false, true)
        .unwrap();
    assert_eq!(
        open_request(&request, &fixture().keys),
        Err(OpenError::Signature)
    );
}

#[test]
fn signature_with_a_foreign_key_value_is_refused_even_if_it_verifies() {
    // Signed by another ServerKey whose KeyValue is honest: must not be trusted.
    let forged = seal("SoftwareKey", LICENSE, &other().keys, false).unwrap();
    assert_eq!(fixture().client.open(&forged), Err(OpenError::Signature));
}

#[test]
fn only_the_exact_reference_shape_is_accepted() {
    let file = license_file();
    let cases = [
        file.replacen("<Reference URI=\"\">", "<Reference URI=\"#PrivateData\">", 1),
        file.replacen(
            "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
            "",
            1,
        ),
        file.replacen(
            "</Reference>",
            "</Reference><Reference URI=\"\"><Transforms/><DigestMethod Algorithm=\"x\"/><DigestValue/></Reference>",
            1,
        ),
        file.replacen("xmldsig#rsa-sha1", "xmldsig#dsa-sha1", 1),
    ];
    for tampered in cases {
        assert_eq!(fixture().client.open(&tampered), Err(OpenError::Signature));
    }
}

#[test]
fn two_signatures_or_bodies_are_refused() {
    let file = license_file();
    let signature = &file[file.find("<Signature").unwrap()..file.len() - "</SoftwareKey>".len()];
    let doubled = file.replacen("</SoftwareKey>", &format!("{signature}</SoftwareKey>"), 1);
    assert_eq!(fixture().client.open(&doubled), Err(OpenError::Signature));
    let two_bodies = "<A><PrivateData/><PrivateData/></A>";
    assert_eq!(
        open_request(two_bodies, &fixture().keys),
        Err(OpenError::Malformed)
    );
    assert_eq!(
        open_request("<A>", &fixture().keys),
        Err(OpenError::Malformed)
    );
}

#[test]
fn decrypt_refuses_bad_padding_without_telling_it_apart() {
    // Encrypted to the ClientKey, so opened by a client; corrupt the last block.
    let file = license_file();
    let unsigned = file[..file.find("<Signature").unwrap()].to_owned() + "</SoftwareKey>";
    let data_value = unsigned.rfind("<CipherValue>").unwrap();
    let corrupt = format!(
        "{}{}",
        &unsigned[..data_value],
        edit_text(&unsigned[data_value..], "CipherValue", |b64| {
            let mut bytes = STANDARD.decode(b64).unwrap();
            let last = bytes.len() - 1;
            bytes[last] ^= 0xff;
            STANDARD.encode(bytes)
        })
    );
    assert_eq!(fixture().client.open(&corrupt), Err(OpenError::Decrypt));
}

#[test]
fn envelope_round_trips_and_matches_the_pems_5_2() {
    let fixture = fixture();
    assert_eq!(fixture.client.id(), fixture.keys.id);
    assert_eq!(fixture.generated.bits(), 2048);
    assert_eq!(
        STANDARD
            .decode(fixture.generated.envelope_key())
            .unwrap()
            .len(),
        48
    );
    assert!(fixture
        .generated
        .client_private_pem()
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(fixture
        .generated
        .server_private_pem()
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(fixture
        .generated
        .server_public_pem()
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    // The ClientKey public PEM and the envelope's ClientKey are one pair: a request
    // signed with the envelope's key verifies under the PEM.
    let keys = KeySet::from_pems(
        fixture.keys.id,
        fixture.generated.server_private_pem(),
        fixture.generated.client_public_pem(),
    )
    .unwrap();
    let request = fixture
        .client
        .seal_request("CheckInstallationStatus", "<PrivateData/>", true, true)
        .unwrap();
    assert!(open_request(&request, &keys).unwrap().signed);
}

#[test]
fn envelope_with_the_wrong_key_or_a_bad_size_is_refused() {
    let generated = &fixture().generated;
    assert!(matches!(
        ClientKeys::from_envelope(generated.envelope(), other().generated.envelope_key()),
        Err(CryptoError::Envelope(_))
    ));
    assert!(matches!(
        ClientKeys::from_envelope(generated.envelope(), "AAAA"),
        Err(CryptoError::Envelope(_))
    ));
    assert!(matches!(
        GeneratedKey::generate(fixture().keys.id, 512),
        Err(CryptoError::KeySize(512))
    ));
}

#[test]
fn seal_refuses_a_root_that_is_not_a_plain_name() {
    assert!(matches!(
        seal("a b", LICENSE, &fixture().keys, true),
        Err(CryptoError::Input(_))
    ));
}
