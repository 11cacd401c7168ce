//! The service trait the SOAP façade calls. It speaks core types only; the server
//! implements it over the store on the blocking pool, unit tests over a fake.

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

use time::OffsetDateTime;
use unlockd_core::activation::{ActivationRequest, Grant};
use unlockd_core::counter::{DecrementRequest, Decremented};
use unlockd_core::deactivation::{Deactivated, DeactivationRequest};
pub use unlockd_core::history::Attempt;
pub use unlockd_core::license_file::{CustomerInfo, LicenseFileData};
use unlockd_core::status_check::{CheckRefused, CheckRequest, InstallationStatus};
use unlockd_core::{EncryptionKeyId, Refusal, Version};

use crate::crypto::KeySet;

/// Why a service call did not produce its answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ServiceError {
    /// A rules refusal (already decided, nothing committed).
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The request's EncryptionKeyID does not belong to the license's author (5003).
    #[error("encryption key not valid for this license")]
    KeyNotForLicense,
    /// Something broke; nothing was committed (5099).
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<Refusal> for ServiceError {
    fn from(r: Refusal) -> Self {
        Self::Refused(r)
    }
}

/// Who is asking, for logs, IP rules and the attempt history.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestContext {
    /// The client address after trusted-proxy resolution (wire.md §1).
    pub client_ip: Option<IpAddr>,
    /// The EncryptionKeyID the request named.
    pub key_id: EncryptionKeyId,
    /// The request ID of the log span.
    pub request_id: String,
}

/// A successful activation as the façade needs it to build the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Activation {
    /// The committed (or ACT-7 replayed) grant.
    pub grant: Grant,
    /// Everything a PLUS 5 license file carries (license-file path only).
    pub license_file: Option<LicenseFileData>,
    /// The license's License Update text (§3.1 `LicenseUpdate`, required).
    pub license_update: String,
    /// The option's minimum version, if configured (§3.1 `MinimumVersion`).
    pub minimum_version: Option<Version>,
    /// The option's Minimum Activation URL, if configured (§3.1 `MinimumVersionURL`).
    pub minimum_version_url: Option<String>,
}

/// Everything XmlActivationService needs from the rest of unlockd.
pub trait ActivationService: Send + Sync + 'static {
    /// The server's current time, for `ServerTimestamp` and `SignatureDate`. Override
    /// it when the server runs on an injected clock.
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    /// The key set of an EncryptionKeyID; `None` if unknown or revoked (5003).
    fn key_set(
        &self,
        id: EncryptionKeyId,
    ) -> impl Future<Output = Result<Option<Arc<KeySet>>, ServiceError>> + Send;

    /// Activates (trigger-code or license-file path per `req.path`), committing the
    /// grant and its success history row durably before returning (CON-6). A refusal
    /// commits nothing; the façade then records it with [`ActivationService::record_attempt`].
    fn activate(
        &self,
        req: ActivationRequest,
        ctx: RequestContext,
    ) -> impl Future<Output = Result<Activation, ServiceError>> + Send;

    /// CheckInstallationStatus (CHK-1); updates only last-seen.
    fn check_installation(
        &self,
        req: CheckRequest,
        ctx: RequestContext,
    ) -> impl Future<Output = Result<Result<InstallationStatus, CheckRefused>, ServiceError>> + Send;

    /// DeactivateInstallation (DEA-1).
    fn deactivate(
        &self,
        req: DeactivationRequest,
        ctx: RequestContext,
    ) -> impl Future<Output = Result<Deactivated, ServiceError>> + Send;

    /// DecrementLicenseCounter (CNT-2); a repeated `transaction_id` on the same license
    /// within 24 h returns the stored answer and moves nothing.
    fn decrement_counter(
        &self,
        req: DecrementRequest,
        transaction_id: Option<String>,
        ctx: RequestContext,
    ) -> impl Future<Output = Result<Decremented, ServiceError>> + Send;

    /// Writes one attempt-history row for a refused or faulted request. Must be
    /// durable before the answer is sent (errata E-3).
    fn record_attempt(
        &self,
        attempt: Attempt,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send;
}
