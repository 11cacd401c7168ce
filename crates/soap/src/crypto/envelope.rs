//! Key generation and the Envelope (wire.md §5.1, §5.2): a fresh ClientKey and
//! ServerKey pair, and the AES-256-CBC encrypted, ServerKey-signed XML that hands the
//! application its ClientKey private part and ServerKey public part.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use openssl::pkey::PKey;
use openssl::rand::rand_bytes;
use openssl::rsa::Rsa;
use openssl::symm::{decrypt, encrypt, Cipher};
use unlockd_core::EncryptionKeyId;

use super::error::CryptoError;
use super::key_value::{self, decode_base64};
use super::keys::{check_bits, KeySet, OwnKey, PeerKey};
use super::tree::{self, Element};
use super::xmldsig::{self, NS_DSIG};

/// EnvelopeKey length: AES-256 key (0-31) then CBC IV (32-47).
const ENVELOPE_KEY_LEN: usize = 48;

/// A newly generated key ring entry with everything the server stores and the
/// author hands to the application.
pub struct GeneratedKey {
    id: EncryptionKeyId,
    bits: u32,
    client_private_pem: String,
    client_public_pem: String,
    server_private_pem: String,
    server_public_pem: String,
    envelope: String,
    envelope_key: String,
}

impl GeneratedKey {
    /// Generates ClientKey and ServerKey (`bits` in 1024..=4096; 2048 is the
    /// default unlockd uses) and seals the Envelope under a random EnvelopeKey.
    pub fn generate(id: EncryptionKeyId, bits: u32) -> Result<GeneratedKey, CryptoError> {
        check_bits(bits)?;
        let client = Rsa::generate(bits)?;
        let server = Rsa::generate(bits)?;
        let document = format!(
            "<Envelope><PrivateData><EncryptionKeyID>{id}</EncryptionKeyID>\
             <ClientKey>{}</ClientKey><ServerKey>{}</ServerKey></PrivateData></Envelope>",
            key_value::private_xml(&client)?,
            key_value::public_xml(&server),
        );
        let client = PKey::from_rsa(client)?;
        let server = PKey::from_rsa(server)?;
        let signed = xmldsig::sign(&document, &OwnKey::new(server.clone(), id)?)?;

        let mut envelope_key = [0u8; ENVELOPE_KEY_LEN];
        rand_bytes(&mut envelope_key)?;
        let envelope = encrypt(
            Cipher::aes_256_cbc(),
            &envelope_key[..32],
            Some(&envelope_key[32..]),
            signed.as_bytes(),
        )?;
        let pem = |bytes: Vec<u8>| {
            String::from_utf8(bytes).map_err(|_| CryptoError::Key("PEM output is not UTF-8"))
        };
        Ok(GeneratedKey {
            id,
            bits,
            client_private_pem: pem(client.private_key_to_pem_pkcs8()?)?,
            client_public_pem: pem(client.public_key_to_pem()?)?,
            server_private_pem: pem(server.private_key_to_pem_pkcs8()?)?,
            server_public_pem: pem(server.public_key_to_pem()?)?,
            envelope: STANDARD.encode(envelope),
            envelope_key: STANDARD.encode(envelope_key),
        })
    }

    /// The EncryptionKeyID.
    pub fn id(&self) -> EncryptionKeyId {
        self.id
    }

    /// RSA modulus size of both keys, in bits.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// ClientKey private part, PKCS#8 PEM.
    pub fn client_private_pem(&self) -> &str {
        &self.client_private_pem
    }

    /// ClientKey public part, SubjectPublicKeyInfo PEM.
    pub fn client_public_pem(&self) -> &str {
        &self.client_public_pem
    }

    /// ServerKey private part, PKCS#8 PEM.
    pub fn server_private_pem(&self) -> &str {
        &self.server_private_pem
    }

    /// ServerKey public part, SubjectPublicKeyInfo PEM.
    pub fn server_public_pem(&self) -> &str {
        &self.server_public_pem
    }

    /// The Envelope, base64.
    pub fn envelope(&self) -> &str {
        &self.envelope
    }

    /// The EnvelopeKey, base64 of 48 bytes.
    pub fn envelope_key(&self) -> &str {
        &self.envelope_key
    }

    /// The server's [`KeySet`] for this entry.
    pub fn key_set(&self) -> Result<KeySet, CryptoError> {
        KeySet::from_pems(self.id, &self.server_private_pem, &self.client_public_pem)
    }
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// What an opened Envelope gives the application (E-9).
pub(crate) struct EnvelopeContents {
    pub(crate) id: EncryptionKeyId,
    pub(crate) client: OwnKey,
    pub(crate) server: PeerKey,
}

/// Decrypts an Envelope with its EnvelopeKey and verifies its ServerKey signature.
pub(crate) fn open(
    envelope_b64: &str,
    envelope_key_b64: &str,
) -> Result<EnvelopeContents, CryptoError> {
    let key = decode_base64(envelope_key_b64)
        .filter(|k| k.len() == ENVELOPE_KEY_LEN)
        .ok_or(CryptoError::Envelope(
            "EnvelopeKey is not base64 of 48 bytes",
        ))?;
    let data =
        decode_base64(envelope_b64).ok_or(CryptoError::Envelope("Envelope is not base64"))?;
    let plain = decrypt(Cipher::aes_256_cbc(), &key[..32], Some(&key[32..]), &data)
        .map_err(|_| CryptoError::Envelope("cannot decrypt with this EnvelopeKey"))?;
    let text = String::from_utf8(plain).map_err(|_| CryptoError::Envelope("not UTF-8"))?;
    let root = tree::parse(&text).map_err(|_| CryptoError::Envelope("not well-formed XML"))?;
    let shape = || {
        CryptoError::Envelope("not Envelope/PrivateData/{EncryptionKeyID, ClientKey, ServerKey}")
    };
    let private_data = Some(&root)
        .filter(|r| r.is("", "Envelope"))
        .and_then(|r| r.only_child("", "PrivateData"))
        .ok_or_else(shape)?;
    let id = private_data
        .only_child("", "EncryptionKeyID")
        .and_then(|e| EncryptionKeyId::parse(&e.text()).ok())
        .ok_or_else(shape)?;
    let rsa_key_value = |holder: &str| -> Result<&Element, CryptoError> {
        private_data
            .only_child("", holder)
            .and_then(|h| h.only_child("", "RSAKeyValue"))
            .ok_or_else(shape)
    };
    let server_rsa = key_value::parse_public(rsa_key_value("ServerKey")?)?;
    let server = PeerKey::new(PKey::from_rsa(server_rsa)?)?;
    let signature = root
        .only_child(NS_DSIG, "Signature")
        .ok_or(CryptoError::Envelope("not signed"))?;
    xmldsig::verify(&root, signature, &server, id).map_err(|_| {
        CryptoError::Envelope("signature does not verify with the enclosed ServerKey")
    })?;
    let client_rsa = key_value::parse_private(rsa_key_value("ClientKey")?)?;
    let client = OwnKey::new(PKey::from_rsa(client_rsa)?, id)?;
    Ok(EnvelopeContents { id, client, server })
}
