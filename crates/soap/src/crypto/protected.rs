//! Protected documents (wire.md §2.5, §5.3): a root holding clear fields, then
//! `PrivateData` or its `EncryptedData` replacement, then an enveloped Signature.
//! Sign after encrypting; on receipt verify before decrypting.

use std::borrow::Cow;

use unlockd_core::EncryptionKeyId;

use super::error::{CryptoError, OpenError};
use super::keys::{KeySet, OwnKey, PeerKey};
use super::tree::{self, Element};
use super::xmldsig::{self, NS_DSIG};
use super::xmlenc::{self, NS_XENC};

/// A received protected document, verified and decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The `PrivateData` element as UTF-8 text (decrypted, or as it appeared).
    pub private_data_xml: String,
    /// Whether a signature was present (and therefore verified).
    pub signed: bool,
    /// Whether PrivateData arrived encrypted.
    pub encrypted: bool,
}

/// Builds `<{root}>PrivateData-or-EncryptedData Signature</{root}>` for an answer or a
/// license file (root `SoftwareKey`, always `encrypt = true`): `private_data_xml` is
/// the whole PrivateData element, encrypted to the ClientKey when `encrypt`; the
/// document is signed with the ServerKey (wire.md §5.3, E-9).
pub fn seal(
    root: &str,
    private_data_xml: &str,
    keys: &KeySet,
    encrypt: bool,
) -> Result<String, CryptoError> {
    seal_with(
        root,
        "",
        private_data_xml,
        encrypt.then_some(&keys.client),
        Some(&keys.server),
    )
}

/// Signs a standalone document with the ServerKey, unencrypted: the floating
/// certificate `NetworkSession` (wire.md §3.10, §5.3 table, errata E-10). The
/// Signature becomes the root's last child and covers the root (`URI=""`).
pub fn sign_standalone(document: &str, keys: &KeySet) -> Result<String, CryptoError> {
    xmldsig::sign(document, &keys.server)
}

/// Opens a request (wire.md §2.5): verifies a ClientKey signature if present, then
/// decrypts `EncryptedData[@Id="PrivateData"]` with the ServerKey. Whether a
/// signature is required is the caller's policy (`require_signed`).
pub fn open_request(xml: &str, keys: &KeySet) -> Result<Opened, OpenError> {
    open_with(xml, &keys.server, &keys.client, keys.id)
}

/// Assembles and protects a document: `clear_fields` go before PrivateData in clear;
/// `encrypt_to` encrypts PrivateData, `sign_with` appends the Signature.
pub(crate) fn seal_with(
    root: &str,
    clear_fields: &str,
    private_data_xml: &str,
    encrypt_to: Option<&PeerKey>,
    sign_with: Option<&OwnKey>,
) -> Result<String, CryptoError> {
    if !is_plain_name(root) {
        return Err(CryptoError::Input("root is not a plain XML name"));
    }
    let body = match encrypt_to {
        Some(recipient) => Cow::Owned(xmlenc::encrypt_private_data(private_data_xml, recipient)?),
        None => Cow::Borrowed(private_data_xml),
    };
    let document = format!("<{root}>{clear_fields}{body}</{root}>");
    match sign_with {
        Some(key) => xmldsig::sign(&document, key),
        None => Ok(document),
    }
}

/// Opens a document protected for `own`, signed (if at all) by `peer` under `id`.
pub(crate) fn open_with(
    xml: &str,
    own: &OwnKey,
    peer: &PeerKey,
    id: EncryptionKeyId,
) -> Result<Opened, OpenError> {
    let root = tree::parse(xml).map_err(|_| OpenError::Malformed)?;
    let body = only(&root, |e| {
        e.is("", "PrivateData") || e.is(NS_XENC, "EncryptedData")
    })
    .ok_or(OpenError::Malformed)?;
    let mut signatures = root.elements().filter(|e| e.is(NS_DSIG, "Signature"));
    let signature = signatures.next();
    if signatures.next().is_some() {
        return Err(OpenError::Signature);
    }
    if let Some(signature) = signature {
        xmldsig::verify(&root, signature, peer, id)?;
    }
    let encrypted = body.is(NS_XENC, "EncryptedData");
    let private_data_xml = if encrypted {
        xmlenc::decrypt_private_data(body, own)?
    } else {
        xml[body.span.clone()].to_owned()
    };
    Ok(Opened {
        private_data_xml,
        signed: signature.is_some(),
        encrypted,
    })
}

/// The only child element of `root` matching `pred`.
fn only(root: &Element, pred: impl Fn(&Element) -> bool) -> Option<&Element> {
    let mut found = root.elements().filter(|e| pred(e));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// ASCII letters, digits, `_`, `-`, `.`; not starting with a digit, `-` or `.`.
fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}
