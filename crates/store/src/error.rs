//! The store's one error enum.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use unlockd_core::Refusal;

/// Why a store call did not produce its answer. A failed call commits nothing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The rules refused the request; nothing was written (the façade records the
    /// attempt separately, errata E-3).
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The request's EncryptionKeyID is unknown, revoked, or belongs to another
    /// author than the license's product (wire.md §4.1: 5003).
    #[error("encryption key not valid for this license")]
    KeyNotForLicense,
    /// The license lock was not obtained within the busy timeout (rules CON-10).
    #[error("database busy: lock wait timed out")]
    Busy,
    /// The offline request was already answered once (wire.md §7.3: 5029); nothing
    /// was written.
    #[error("offline request already used")]
    OfflineReused,
    /// The addressed row does not exist.
    #[error("not found")]
    NotFound,
    /// A referenced object (option, customer, distributor, invoice) does not exist, is
    /// disabled, or belongs to another author (wire.md §4.1: 5042).
    #[error("unknown {0}")]
    UnknownReference(&'static str),
    /// The caller cancelled a bulk add; nothing was written (BLK-3).
    #[error("cancelled")]
    Cancelled,
    /// The wanted license ID is taken or reserved by a running bulk add (5043).
    #[error("license ID taken")]
    IdTaken,
    /// Stored or given data breaks a constraint of the rules (E-CONFIG territory).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The database answered with an error.
    #[error("database error: {0}")]
    Database(#[source] DieselError),
    /// No pooled connection could be obtained.
    #[error("connection pool error: {0}")]
    Pool(#[source] r2d2::Error),
    /// The group-commit batch this change shared failed to commit, so nothing of it
    /// was written (errata E-16).
    #[error("group commit failed: {0}")]
    GroupCommitFailed(String),
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        if is_lock_timeout(&e) {
            Self::Busy
        } else {
            Self::Database(e)
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        Self::Pool(e)
    }
}

impl From<Refusal> for StoreError {
    fn from(r: Refusal) -> Self {
        Self::Refused(r)
    }
}

/// SQLite reports an expired busy timeout as `SQLITE_BUSY` ("database is locked") or
/// `SQLITE_LOCKED` ("database table is locked"); PostgreSQL an expired lock_timeout as
/// 55P03 "canceling statement due to lock timeout". diesel passes only the message on.
fn is_lock_timeout(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            let msg = info.message();
            msg.contains("database is locked")
                || msg.contains("database table is locked")
                || msg.contains("due to lock timeout")
        }
        _ => false,
    }
}
