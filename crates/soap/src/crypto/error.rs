//! Errors of the crypto layer: one enum for key handling and sealing, one for
//! opening received documents (mapped to result codes by the façade).

use openssl::error::ErrorStack;

/// Key material could not be made, read or used, or a document could not be sealed.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// RSA size outside 1024..=4096 bits (wire.md §5.1).
    #[error("RSA key size {0} outside 1024..=4096 bits")]
    KeySize(u32),
    /// A PEM or XML key is not a usable RSA key.
    #[error("unusable key material: {0}")]
    Key(&'static str),
    /// An Envelope could not be decrypted, parsed or verified.
    #[error("envelope not valid: {0}")]
    Envelope(&'static str),
    /// A caller-supplied document part is not acceptable (bad root name, malformed XML).
    #[error("invalid input: {0}")]
    Input(&'static str),
    /// OpenSSL failed.
    #[error("OpenSSL: {0}")]
    OpenSsl(#[from] ErrorStack),
}

/// Why a received protected document was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// The signature is malformed, uses another algorithm or key, or does not
    /// verify (5005).
    #[error("signature not valid")]
    Signature,
    /// The encrypted PrivateData cannot be decrypted with this key (5004).
    #[error("cannot decrypt PrivateData")]
    Decrypt,
    /// Not a well-formed protected document: unparsable, or not exactly one
    /// PrivateData / EncryptedData under the root.
    #[error("malformed protected document")]
    Malformed,
}
