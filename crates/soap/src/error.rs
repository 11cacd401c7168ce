//! The façade's error layer: why an inner document did not get a ResultCode of 0.
//! Wire numbers and texts are chosen only in [`crate::result_code`].

use unlockd_core::{ParseError, Refusal};

use crate::service::{BackOfficeRefusal, ServiceError};

/// A defect of the inner document's fields (answered 5002, errata E-12).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// A required element is absent or empty.
    #[error("{0} is missing")]
    Missing(&'static str),
    /// A known element appears more than once (wire.md §0).
    #[error("{0} appears more than once")]
    Duplicate(&'static str),
    /// A value does not have the element's type or is out of range.
    #[error("{field} is invalid: {cause}")]
    Invalid {
        /// The element.
        field: &'static str,
        /// Why.
        cause: ParseError,
    },
}

/// Why an operation did not succeed (style.md: `Input | Refused | Internal`).
#[derive(Debug, Clone, thiserror::Error)]
pub enum OpError {
    /// The fields did not parse (5002).
    #[error(transparent)]
    Input(#[from] InputError),
    /// The rules or the façade refused (see [`crate::result_code`]).
    #[error(transparent)]
    Refused(#[from] Refused),
    /// Something broke after framing; nothing changed (5099).
    #[error("internal error: {0}")]
    Internal(String),
}

/// A refusal with a ResultCode: a rules outcome or a façade check (wire.md §4.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Inner document unparsable or wrong root (5001).
    #[error("inner document unparsable")]
    Document,
    /// EncryptionKeyID missing, unknown, revoked or not for this license (5003).
    #[error("encryption key not valid")]
    Key,
    /// Signature missing where required, or invalid (5005).
    #[error("signature missing or invalid")]
    Signature,
    /// The protected part could not be decrypted (5004).
    #[error("undecryptable")]
    Decrypt,
    /// RequestMethod names another method (5006).
    #[error("RequestMethod mismatch")]
    RequestMethod,
    /// An offline request already answered once (wire.md §7.3: 5029).
    #[error("offline request already used")]
    OfflineReused,
    /// An offline request older than `offline_request_ttl` (wire.md §7.3: 5030).
    #[error("offline request too old")]
    OfflineTooOld,
    /// A rules outcome.
    #[error(transparent)]
    Rules(Refusal),
    /// A back-office refusal (wire.md §3: 5040-5044).
    #[error(transparent)]
    BackOffice(BackOfficeRefusal),
}

impl From<Refusal> for OpError {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(Refused::Rules(refusal))
    }
}

impl From<ServiceError> for OpError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Refused(refusal) => refusal.into(),
            ServiceError::KeyNotForLicense => Self::Refused(Refused::Key),
            ServiceError::OfflineReused => Self::Refused(Refused::OfflineReused),
            ServiceError::BackOffice(refusal) => Self::Refused(Refused::BackOffice(refusal)),
            ServiceError::Internal(detail) => Self::Internal(detail),
        }
    }
}
