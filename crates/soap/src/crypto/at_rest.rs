//! Private keys at rest (issue 7): the ServerKey and ClientKey private PEMs in the
//! key ring are sealed with AES-256-GCM under an operator master key
//! (`UNLOCKD_MASTER_KEY` or `[keys] master_key`), bound to their EncryptionKeyID and
//! role as associated data so a sealed value cannot be moved to another row.
//!
//! Stored form: `unlockd-aes256gcm:v1:` + base64(nonce(12) ‖ ciphertext ‖ tag(16)).
//! A value without that prefix is a clear PEM (rows written before a master key was
//! configured); it is read as is.

use base64::Engine;
use openssl::rand::rand_bytes;
use openssl::symm::{decrypt_aead, encrypt_aead, Cipher};

use super::error::CryptoError;

/// Prefix of a sealed value.
const PREFIX: &str = "unlockd-aes256gcm:v1:";
const NONCE: usize = 12;
const TAG: usize = 16;

/// The operator's 256-bit master key. `Debug` never shows it.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl MasterKey {
    /// Parses 32 bytes given as 64 hex digits or as base64.
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..64)
                .step_by(2)
                .map(|i| u8::from_str_radix(&text[i..i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| CryptoError::Key("master key is not hex"))?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| CryptoError::Key("master key is neither hex nor base64"))?
        };
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::Key("master key must be 32 bytes"))?;
        Ok(Self(key))
    }

    /// Seals `secret`, binding it to `context` (e.g. `{EncryptionKeyID}/server`).
    pub fn seal(&self, secret: &str, context: &str) -> Result<String, CryptoError> {
        let mut nonce = [0u8; NONCE];
        rand_bytes(&mut nonce)?;
        let mut tag = [0u8; TAG];
        let ciphertext = encrypt_aead(
            Cipher::aes_256_gcm(),
            &self.0,
            Some(&nonce),
            context.as_bytes(),
            secret.as_bytes(),
            &mut tag,
        )?;
        let mut blob = Vec::with_capacity(NONCE + ciphertext.len() + TAG);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ciphertext);
        blob.extend_from_slice(&tag);
        Ok(format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(blob)
        ))
    }

    /// Opens a value sealed by [`MasterKey::seal`] with the same `context`; a clear
    /// value is returned unchanged.
    pub fn open(&self, stored: &str, context: &str) -> Result<String, CryptoError> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let blob = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| CryptoError::Key("sealed key is not base64"))?;
        if blob.len() < NONCE + TAG {
            return Err(CryptoError::Key("sealed key too short"));
        }
        let (nonce, rest) = blob.split_at(NONCE);
        let (ciphertext, tag) = rest.split_at(rest.len() - TAG);
        let plain = decrypt_aead(
            Cipher::aes_256_gcm(),
            &self.0,
            Some(nonce),
            context.as_bytes(),
            ciphertext,
            tag,
        )
        .map_err(|_| CryptoError::Key("sealed key does not open with this master key"))?;
        String::from_utf8(plain).map_err(|_| CryptoError::Key("sealed key is not UTF-8"))
    }
}

/// Whether a stored value is sealed (and so needs the master key).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MasterKey {
        MasterKey::parse(&"11".repeat(32)).unwrap()
    }

    #[test]
    fn seals_and_opens_bound_to_context() {
        let sealed = key()
            .seal("-----BEGIN PRIVATE KEY-----", "ID/server")
            .unwrap();
        assert!(is_sealed(&sealed) && !sealed.contains("BEGIN"));
        assert_eq!(
            key().open(&sealed, "ID/server").unwrap(),
            "-----BEGIN PRIVATE KEY-----"
        );
        assert!(
            key().open(&sealed, "ID/client").is_err(),
            "moved to another row"
        );
        let other =
            MasterKey::parse(&base64::engine::general_purpose::STANDARD.encode([7u8; 32])).unwrap();
        assert!(other.open(&sealed, "ID/server").is_err());
        assert_eq!(key().open("clear pem", "ID/server").unwrap(), "clear pem");
    }

    #[test]
    fn master_key_must_be_32_bytes() {
        assert!(MasterKey::parse("abcd").is_err());
        assert!(MasterKey::parse(&"zz".repeat(32)).is_err());
    }
}
