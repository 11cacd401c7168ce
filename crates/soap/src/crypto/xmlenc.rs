//! XML encryption of the PrivateData element (wire.md §5.3): AES-256-CBC under a
//! fresh key K, K wrapped with RSA-OAEP (SHA-1, MGF1-SHA-1) to the recipient.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use openssl::rand::rand_bytes;
use openssl::symm::{encrypt, Cipher, Crypter, Mode};

use super::error::{CryptoError, OpenError};
use super::key_value::decode_base64;
use super::keys::{OwnKey, PeerKey};
use super::tree::{self, Element};
use super::xmldsig::NS_DSIG;

/// The XML-Enc namespace.
pub(crate) const NS_XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
const ALG_AES256_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
const ALG_RSA_OAEP: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const ALG_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
const TYPE_ELEMENT: &str = "http://www.w3.org/2001/04/xmlenc#Element";
const BLOCK: usize = 16;

/// Encrypts the serialised PrivateData element to `recipient`; returns the
/// `EncryptedData` element that replaces it.
pub(crate) fn encrypt_private_data(
    private_data_xml: &str,
    recipient: &PeerKey,
) -> Result<String, CryptoError> {
    let mut key = [0u8; 32];
    let mut iv = [0u8; BLOCK];
    rand_bytes(&mut key)?;
    rand_bytes(&mut iv)?;
    let mut data = iv.to_vec();
    data.extend(encrypt(
        Cipher::aes_256_cbc(),
        &key,
        Some(&iv),
        private_data_xml.as_bytes(),
    )?);
    let wrapped = recipient.encrypt_oaep(&key)?;
    Ok(format!(
        "<EncryptedData xmlns=\"{NS_XENC}\" Id=\"PrivateData\" Type=\"{TYPE_ELEMENT}\">\
         <EncryptionMethod Algorithm=\"{ALG_AES256_CBC}\"/><KeyInfo xmlns=\"{NS_DSIG}\">\
         <EncryptedKey xmlns=\"{NS_XENC}\"><EncryptionMethod Algorithm=\"{ALG_RSA_OAEP}\"/>\
         <CipherData><CipherValue>{}</CipherValue></CipherData></EncryptedKey></KeyInfo>\
         <CipherData><CipherValue>{}</CipherValue></CipherData></EncryptedData>",
        STANDARD.encode(wrapped),
        STANDARD.encode(data),
    ))
}

/// Decrypts `EncryptedData[@Id="PrivateData"]` with our key and returns the
/// PrivateData element's text. Every failure after the structure check is one
/// [`OpenError::Decrypt`], so padding and parse outcomes are not told apart.
pub(crate) fn decrypt_private_data(encrypted: &Element, own: &OwnKey) -> Result<String, OpenError> {
    let structure = || OpenError::Malformed;
    if encrypted.attr("Id") != Some("PrivateData")
        || encrypted.attr("Type").is_some_and(|t| t != TYPE_ELEMENT)
    {
        return Err(structure());
    }
    let method = encrypted
        .only_child(NS_XENC, "EncryptionMethod")
        .and_then(|m| m.attr("Algorithm"));
    if method != Some(ALG_AES256_CBC) {
        return Err(OpenError::Decrypt);
    }
    let encrypted_key = encrypted
        .only_child(NS_DSIG, "KeyInfo")
        .and_then(|k| k.only_child(NS_XENC, "EncryptedKey"))
        .ok_or_else(structure)?;
    check_key_transport(encrypted_key)?;
    let wrapped = cipher_value(encrypted_key)?;
    let data = cipher_value(encrypted)?;

    let key = own.decrypt_oaep(&wrapped).ok_or(OpenError::Decrypt)?;
    if key.len() != 32 || data.len() < 2 * BLOCK || data.len() % BLOCK != 0 {
        return Err(OpenError::Decrypt);
    }
    let (iv, body) = data.split_at(BLOCK);
    let mut plain = aes_256_cbc_unpadded(&key, iv, body).ok_or(OpenError::Decrypt)?;
    // XML-Enc padding: only the last byte (the pad length, 1..=16) is defined.
    let pad = usize::from(plain.last().copied().unwrap_or(0));
    if !(1..=BLOCK).contains(&pad) {
        return Err(OpenError::Decrypt);
    }
    plain.truncate(plain.len() - pad);
    let text = String::from_utf8(plain).map_err(|_| OpenError::Decrypt)?;
    tree::parse(&text).map_err(|_| OpenError::Decrypt)?;
    Ok(text)
}

fn check_key_transport(encrypted_key: &Element) -> Result<(), OpenError> {
    let method = encrypted_key
        .only_child(NS_XENC, "EncryptionMethod")
        .ok_or(OpenError::Malformed)?;
    let digest_ok = match method.only_child(NS_DSIG, "DigestMethod") {
        Some(digest) => digest.attr("Algorithm") == Some(ALG_SHA1),
        None => true,
    };
    if method.attr("Algorithm") == Some(ALG_RSA_OAEP) && digest_ok {
        Ok(())
    } else {
        Err(OpenError::Decrypt)
    }
}

fn cipher_value(parent: &Element) -> Result<Vec<u8>, OpenError> {
    let value = parent
        .only_child(NS_XENC, "CipherData")
        .and_then(|d| d.only_child(NS_XENC, "CipherValue"))
        .ok_or(OpenError::Malformed)?;
    decode_base64(&value.text()).ok_or(OpenError::Decrypt)
}

fn aes_256_cbc_unpadded(key: &[u8], iv: &[u8], body: &[u8]) -> Option<Vec<u8>> {
    let cipher = Cipher::aes_256_cbc();
    let mut crypter = Crypter::new(cipher, Mode::Decrypt, key, Some(iv)).ok()?;
    crypter.pad(false);
    let mut out = vec![0; body.len() + cipher.block_size()];
    let mut len = crypter.update(body, &mut out).ok()?;
    len += crypter.finalize(&mut out[len..]).ok()?;
    out.truncate(len);
    Some(out)
}
