//! Enveloped XML signatures exactly as wire.md §5.3 writes them: one `URI=""`
//! Reference, transforms enveloped-signature then exclusive C14N, RSA PKCS#1 v1.5.
//! Version 1 emits SHA-1; SHA-256 is also accepted on input.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use openssl::hash::{hash, MessageDigest};
use unlockd_core::EncryptionKeyId;

use super::c14n::canonicalize;
use super::error::{CryptoError, OpenError};
use super::key_value::decode_base64;
use super::keys::{OwnKey, PeerKey};
use super::tree::{self, Element};

/// The XML-DSig namespace.
pub(crate) const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const ALG_EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ALG_ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const ALG_RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
const ALG_RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const ALG_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
const ALG_SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// Adds an enveloped Signature by `key` as the last child of the document's root.
pub(crate) fn sign(document: &str, key: &OwnKey) -> Result<String, CryptoError> {
    let root = tree::parse(document)
        .map_err(|_| CryptoError::Input("document to sign is not well-formed XML"))?;
    let digest = STANDARD.encode(hash(MessageDigest::sha1(), &canonicalize(&root, None))?);
    let signature_value = STANDARD.encode(key.sign(
        MessageDigest::sha1(),
        signed_info(&digest, Form::Canonical).as_bytes(),
    )?);
    let signature = format!(
        "<Signature xmlns=\"{NS_DSIG}\">{}<SignatureValue>{signature_value}</SignatureValue>{}</Signature>",
        signed_info(&digest, Form::Emitted),
        key.key_info_xml(),
    );

    let element = &document[root.span.clone()];
    let mut out = String::with_capacity(document.len() + signature.len() + root.qname.len() + 3);
    if element.ends_with("/>") {
        out.push_str(&document[..root.span.end - 2]);
        out.push('>');
        out.push_str(&signature);
        out.push_str("</");
        out.push_str(&root.qname);
        out.push('>');
    } else {
        let close = element
            .rfind("</")
            .map(|at| root.span.start + at)
            .ok_or(CryptoError::Input("root end tag not found"))?;
        out.push_str(&document[..close]);
        out.push_str(&signature);
        out.push_str(&document[close..root.span.end]);
    }
    out.push_str(&document[root.span.end..]);
    Ok(out)
}

/// How SignedInfo is spelled: as emitted (self-closing, namespace inherited) or in
/// its exclusive canonical form (what is signed).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Emitted,
    Canonical,
}

fn signed_info(digest: &str, form: Form) -> String {
    let method = |name: &str, algorithm: &str| match form {
        Form::Emitted => format!("<{name} Algorithm=\"{algorithm}\"/>"),
        Form::Canonical => format!("<{name} Algorithm=\"{algorithm}\"></{name}>"),
    };
    let xmlns = match form {
        Form::Emitted => String::new(),
        Form::Canonical => format!(" xmlns=\"{NS_DSIG}\""),
    };
    format!(
        "<SignedInfo{xmlns}>{}{}<Reference URI=\"\"><Transforms>{}{}</Transforms>{}\
         <DigestValue>{digest}</DigestValue></Reference></SignedInfo>",
        method("CanonicalizationMethod", ALG_EXC_C14N),
        method("SignatureMethod", ALG_RSA_SHA1),
        method("Transform", ALG_ENVELOPED),
        method("Transform", ALG_EXC_C14N),
        method("DigestMethod", ALG_SHA1),
    )
}

/// Verifies `signature`, a child of `root`, against `key` registered under `id`.
pub(crate) fn verify(
    root: &Element,
    signature: &Element,
    key: &PeerKey,
    id: EncryptionKeyId,
) -> Result<(), OpenError> {
    let mut parts = signature.elements();
    let signed_info = next_named(&mut parts, "SignedInfo")?;
    let signature_value = next_named(&mut parts, "SignatureValue")?;
    if let Some(key_info) = parts.next() {
        check_key_info(key_info, key, id)?;
    }
    if parts.next().is_some() {
        return Err(OpenError::Signature);
    }

    let mut info = signed_info.elements();
    expect_algorithm(
        next_named(&mut info, "CanonicalizationMethod")?,
        ALG_EXC_C14N,
    )?;
    let signature_digest = match algorithm(next_named(&mut info, "SignatureMethod")?)? {
        ALG_RSA_SHA1 => MessageDigest::sha1(),
        ALG_RSA_SHA256 => MessageDigest::sha256(),
        _ => return Err(OpenError::Signature),
    };
    let reference = next_named(&mut info, "Reference")?;
    if info.next().is_some() || reference.attr("URI") != Some("") {
        return Err(OpenError::Signature);
    }

    let mut reference_parts = reference.elements();
    let mut transforms = next_named(&mut reference_parts, "Transforms")?.elements();
    expect_algorithm(next_named(&mut transforms, "Transform")?, ALG_ENVELOPED)?;
    expect_algorithm(next_named(&mut transforms, "Transform")?, ALG_EXC_C14N)?;
    let reference_digest = match algorithm(next_named(&mut reference_parts, "DigestMethod")?)? {
        ALG_SHA1 => MessageDigest::sha1(),
        ALG_SHA256 => MessageDigest::sha256(),
        _ => return Err(OpenError::Signature),
    };
    let digest_value = next_named(&mut reference_parts, "DigestValue")?;
    if transforms.next().is_some() || reference_parts.next().is_some() {
        return Err(OpenError::Signature);
    }

    let expected = decode_base64(&digest_value.text()).ok_or(OpenError::Signature)?;
    let actual = hash(reference_digest, &canonicalize(root, Some(signature)))
        .map_err(|_| OpenError::Signature)?;
    if expected.len() != actual.len() || !openssl::memcmp::eq(&expected, &actual) {
        return Err(OpenError::Signature);
    }
    let signature_bytes = decode_base64(&signature_value.text()).ok_or(OpenError::Signature)?;
    if key.verify(
        signature_digest,
        &canonicalize(signed_info, None),
        &signature_bytes,
    ) {
        Ok(())
    } else {
        Err(OpenError::Signature)
    }
}

/// Verifiers never trust KeyInfo; they only check it names and carries their key.
fn check_key_info(key_info: &Element, key: &PeerKey, id: EncryptionKeyId) -> Result<(), OpenError> {
    if !key_info.is(NS_DSIG, "KeyInfo") {
        return Err(OpenError::Signature);
    }
    for part in key_info.elements() {
        if part.is(NS_DSIG, "KeyName") && EncryptionKeyId::parse(&part.text()) != Ok(id) {
            return Err(OpenError::Signature);
        }
        if part.is(NS_DSIG, "KeyValue") {
            let rsa = part
                .only_child(NS_DSIG, "RSAKeyValue")
                .ok_or(OpenError::Signature)?;
            let component = |name| {
                rsa.only_child(NS_DSIG, name)
                    .and_then(|e| decode_base64(&e.text()))
                    .ok_or(OpenError::Signature)
            };
            if !key.matches(&component("Modulus")?, &component("Exponent")?) {
                return Err(OpenError::Signature);
            }
        }
    }
    Ok(())
}

fn next_named<'a>(
    parts: &mut impl Iterator<Item = &'a Element>,
    local: &str,
) -> Result<&'a Element, OpenError> {
    parts
        .next()
        .filter(|e| e.is(NS_DSIG, local))
        .ok_or(OpenError::Signature)
}

/// The Algorithm of a method element, which must have no element content (so no
/// InclusiveNamespaces or XPath parameters).
fn algorithm(method: &Element) -> Result<&str, OpenError> {
    if method.elements().next().is_some() {
        return Err(OpenError::Signature);
    }
    method.attr("Algorithm").ok_or(OpenError::Signature)
}

fn expect_algorithm(method: &Element, expected: &str) -> Result<(), OpenError> {
    if algorithm(method)? == expected {
        Ok(())
    } else {
        Err(OpenError::Signature)
    }
}

#[cfg(test)]
mod tests {
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;

    use super::*;

    const DOCUMENT: &str = "<Root><PrivateData><A>1</A></PrivateData></Root>";

    fn id() -> EncryptionKeyId {
        EncryptionKeyId::parse("11111111-2222-3333-4444-555555555555").unwrap()
    }

    fn key_pair() -> (OwnKey, PeerKey) {
        let rsa = Rsa::generate(1024).unwrap();
        let public = PKey::public_key_from_der(&rsa.public_key_to_der().unwrap()).unwrap();
        (
            OwnKey::new(PKey::from_rsa(rsa).unwrap(), id()).unwrap(),
            PeerKey::new(public).unwrap(),
        )
    }

    fn check(signed: &str, peer: &PeerKey, id: EncryptionKeyId) -> Result<(), OpenError> {
        let root = tree::parse(signed).unwrap();
        let signature = root.only_child(NS_DSIG, "Signature").unwrap();
        verify(&root, signature, peer, id)
    }

    /// A §5.3 signature with SHA-256 digest and rsa-sha256, built independently of `sign`.
    fn sign_sha256(own: &OwnKey) -> String {
        let root = tree::parse(DOCUMENT).unwrap();
        let digest =
            STANDARD.encode(hash(MessageDigest::sha256(), &canonicalize(&root, None)).unwrap());
        let signed_info = format!(
            "<SignedInfo xmlns=\"{NS_DSIG}\"><CanonicalizationMethod Algorithm=\"{ALG_EXC_C14N}\">\
             </CanonicalizationMethod><SignatureMethod Algorithm=\"{ALG_RSA_SHA256}\"></SignatureMethod>\
             <Reference URI=\"\"><Transforms><Transform Algorithm=\"{ALG_ENVELOPED}\"></Transform>\
             <Transform Algorithm=\"{ALG_EXC_C14N}\"></Transform></Transforms><DigestMethod \
             Algorithm=\"{ALG_SHA256}\"></DigestMethod><DigestValue>{digest}</DigestValue></Reference></SignedInfo>"
        );
        let value = STANDARD.encode(
            own.sign(MessageDigest::sha256(), signed_info.as_bytes())
                .unwrap(),
        );
        DOCUMENT.replace(
            "</Root>",
            &format!(
                "<Signature xmlns=\"{NS_DSIG}\">{}<SignatureValue>{value}</SignatureValue></Signature></Root>",
                signed_info.replacen(&format!(" xmlns=\"{NS_DSIG}\""), "", 1)
            ),
        )
    }

    #[test]
    fn rsa_sha256_with_sha256_digest_is_accepted_5_3() {
        let (own, peer) = key_pair();
        assert_eq!(check(&sign_sha256(&own), &peer, id()), Ok(()));
    }

    #[test]
    fn emitted_signed_info_canonicalises_to_the_signed_form() {
        let wrapped = format!(
            "<Signature xmlns=\"{NS_DSIG}\">{}</Signature>",
            signed_info("AAAA", Form::Emitted)
        );
        let root = tree::parse(&wrapped).unwrap();
        let emitted = root.only_child(NS_DSIG, "SignedInfo").unwrap();
        assert_eq!(
            String::from_utf8(canonicalize(emitted, None)).unwrap(),
            signed_info("AAAA", Form::Canonical)
        );
    }

    #[test]
    fn signature_is_appended_to_an_empty_root_and_keeps_trailing_text() {
        let (own, peer) = key_pair();
        let signed = sign("<?xml version=\"1.0\"?><Root a=\"1\"/>\n", &own).unwrap();
        assert!(signed.starts_with("<?xml version=\"1.0\"?><Root a=\"1\"><Signature "));
        assert!(signed.ends_with("</Signature></Root>\n"));
        assert_eq!(check(&signed, &peer, id()), Ok(()));
    }

    #[test]
    fn key_name_of_another_key_ring_entry_is_refused() {
        let (own, peer) = key_pair();
        let signed = sign(DOCUMENT, &own).unwrap();
        assert_eq!(check(&signed, &peer, id()), Ok(()));
        let other = EncryptionKeyId::parse("99999999-2222-3333-4444-555555555555").unwrap();
        assert_eq!(check(&signed, &peer, other), Err(OpenError::Signature));
    }

    #[test]
    fn a_signature_of_another_key_is_refused() {
        let (own, _) = key_pair();
        let (_, other_peer) = key_pair();
        let signed = sign(DOCUMENT, &own).unwrap();
        assert_eq!(check(&signed, &other_peer, id()), Err(OpenError::Signature));
        // Without KeyInfo the RSA check itself refuses it.
        let start = signed.find("<KeyInfo>").unwrap();
        let end = signed.find("</KeyInfo>").unwrap() + "</KeyInfo>".len();
        let bare = format!("{}{}", &signed[..start], &signed[end..]);
        assert_eq!(check(&bare, &other_peer, id()), Err(OpenError::Signature));
    }
}
