//! Parsed RSA keys, each kept in the form its operations need so that sealing and
//! opening never reparse (wire.md §5.1).

use openssl::encrypt::{Decrypter, Encrypter};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::rsa::Padding;
use openssl::sign::{Signer, Verifier};
use unlockd_core::EncryptionKeyId;

use super::error::CryptoError;
use super::key_value;

/// Sizes wire.md §5.1 handles.
const BITS: std::ops::RangeInclusive<u32> = 1024..=4096;

/// Our private key: signs what we send, decrypts what is encrypted to us.
pub(crate) struct OwnKey {
    pkey: PKey<Private>,
    /// `<KeyInfo>` naming the key ring entry and carrying our public key (§5.3).
    key_info_xml: String,
}

impl OwnKey {
    /// Wraps an RSA private key of an accepted size.
    pub(crate) fn new(pkey: PKey<Private>, id: EncryptionKeyId) -> Result<Self, CryptoError> {
        let rsa = pkey.rsa().map_err(|_| CryptoError::Key("not an RSA key"))?;
        check_bits(rsa.size() * 8)?;
        let key_info_xml = format!(
            "<KeyInfo><KeyName>{id}</KeyName><KeyValue>{}</KeyValue></KeyInfo>",
            key_value::public_xml(&rsa)
        );
        Ok(Self { pkey, key_info_xml })
    }

    /// The `<KeyInfo>` element put into our signatures.
    pub(crate) fn key_info_xml(&self) -> &str {
        &self.key_info_xml
    }

    /// RSASSA-PKCS1-v1_5 over `data` with `digest`.
    pub(crate) fn sign(&self, digest: MessageDigest, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut signer = Signer::new(digest, &self.pkey)?;
        Ok(signer.sign_oneshot_to_vec(data)?)
    }

    /// RSA-OAEP (SHA-1, MGF1-SHA-1) decryption.
    pub(crate) fn decrypt_oaep(&self, data: &[u8]) -> Option<Vec<u8>> {
        let mut decrypter = Decrypter::new(&self.pkey).ok()?;
        decrypter.set_rsa_padding(Padding::PKCS1_OAEP).ok()?;
        decrypter.set_rsa_oaep_md(MessageDigest::sha1()).ok()?;
        decrypter.set_rsa_mgf1_md(MessageDigest::sha1()).ok()?;
        let mut out = vec![0; decrypter.decrypt_len(data).ok()?];
        let len = decrypter.decrypt(data, &mut out).ok()?;
        out.truncate(len);
        Some(out)
    }
}

/// The other party's public key: verifies what it signed, encrypts what we send it.
pub(crate) struct PeerKey {
    pkey: PKey<Public>,
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl PeerKey {
    /// Wraps an RSA public key of an accepted size.
    pub(crate) fn new(pkey: PKey<Public>) -> Result<Self, CryptoError> {
        let rsa = pkey.rsa().map_err(|_| CryptoError::Key("not an RSA key"))?;
        check_bits(rsa.size() * 8)?;
        Ok(Self {
            modulus: rsa.n().to_vec(),
            exponent: rsa.e().to_vec(),
            pkey,
        })
    }

    /// Whether big-endian `modulus` and `exponent` (leading zeros allowed) are this key's.
    pub(crate) fn matches(&self, modulus: &[u8], exponent: &[u8]) -> bool {
        fn trim(b: &[u8]) -> &[u8] {
            let zeros = b.iter().take_while(|&&x| x == 0).count();
            &b[zeros..]
        }
        trim(modulus) == self.modulus.as_slice() && trim(exponent) == self.exponent.as_slice()
    }

    /// Checks an RSASSA-PKCS1-v1_5 signature.
    pub(crate) fn verify(&self, digest: MessageDigest, data: &[u8], signature: &[u8]) -> bool {
        Verifier::new(digest, &self.pkey)
            .and_then(|mut v| v.verify_oneshot(signature, data))
            .unwrap_or(false)
    }

    /// RSA-OAEP (SHA-1, MGF1-SHA-1) encryption.
    pub(crate) fn encrypt_oaep(&self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut encrypter = Encrypter::new(&self.pkey)?;
        encrypter.set_rsa_padding(Padding::PKCS1_OAEP)?;
        encrypter.set_rsa_oaep_md(MessageDigest::sha1())?;
        encrypter.set_rsa_mgf1_md(MessageDigest::sha1())?;
        let mut out = vec![0; encrypter.encrypt_len(data)?];
        let len = encrypter.encrypt(data, &mut out)?;
        out.truncate(len);
        Ok(out)
    }
}

/// Refuses an RSA size outside 1024..=4096 bits.
pub(crate) fn check_bits(bits: u32) -> Result<(), CryptoError> {
    if BITS.contains(&bits) {
        Ok(())
    } else {
        Err(CryptoError::KeySize(bits))
    }
}

/// The server's keys for one EncryptionKeyID: ServerKey private (signs answers and
/// license files, decrypts requests) and ClientKey public (verifies requests,
/// encrypts answers and license files). Parsed once; share it through `Arc`.
pub struct KeySet {
    /// The key ring entry.
    pub id: EncryptionKeyId,
    pub(crate) server: OwnKey,
    pub(crate) client: PeerKey,
}

impl KeySet {
    /// Parses the ServerKey private part (PKCS#8 or PKCS#1 PEM) and the ClientKey
    /// public part (SubjectPublicKeyInfo PEM).
    pub fn from_pems(
        id: EncryptionKeyId,
        server_private_pem: &str,
        client_public_pem: &str,
    ) -> Result<KeySet, CryptoError> {
        let server = PKey::private_key_from_pem(server_private_pem.as_bytes())
            .map_err(|_| CryptoError::Key("ServerKey private PEM not readable"))?;
        let client = PKey::public_key_from_pem(client_public_pem.as_bytes())
            .map_err(|_| CryptoError::Key("ClientKey public PEM not readable"))?;
        Ok(KeySet {
            id,
            server: OwnKey::new(server, id)?,
            client: PeerKey::new(client)?,
        })
    }
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::rsa::Rsa;

    fn id() -> EncryptionKeyId {
        EncryptionKeyId::parse("0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0").unwrap()
    }

    fn pems(bits: u32) -> (String, String) {
        let server = PKey::from_rsa(Rsa::generate(bits).unwrap()).unwrap();
        let client = PKey::from_rsa(Rsa::generate(bits).unwrap()).unwrap();
        (
            String::from_utf8(server.private_key_to_pem_pkcs8().unwrap()).unwrap(),
            String::from_utf8(client.public_key_to_pem().unwrap()).unwrap(),
        )
    }

    #[test]
    fn key_set_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<KeySet>();
    }

    #[test]
    fn from_pems_reads_pkcs8_and_spki() {
        let (server, client) = pems(1024);
        let keys = KeySet::from_pems(id(), &server, &client).unwrap();
        assert_eq!(keys.id, id());
        assert!(keys.server.key_info_xml().contains(&id().to_string()));
    }

    #[test]
    fn from_pems_refuses_swapped_or_small_keys() {
        let (server, client) = pems(1024);
        assert!(matches!(
            KeySet::from_pems(id(), &client, &server),
            Err(CryptoError::Key(_))
        ));
        let small = PKey::from_rsa(Rsa::generate(512).unwrap()).unwrap();
        let small_pem = String::from_utf8(small.private_key_to_pem_pkcs8().unwrap()).unwrap();
        assert!(matches!(
            KeySet::from_pems(id(), &small_pem, &client),
            Err(CryptoError::KeySize(512))
        ));
    }
}
