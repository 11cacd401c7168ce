//! CheckInstallationStatus (rules CHK-1).

use time::{Date, OffsetDateTime};

use crate::activation::Policy;
use crate::clock;
use crate::ids::{ComputerKey, InstallationId, LicenseId};
use crate::model::{ActivationRecord, LicenseState, LicenseStatus, OptionRules, RecordState};
use crate::refusal::Refusal;
use crate::status;

/// A status check request.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRequest {
    /// The installation asking.
    pub installation_id: InstallationId,
    /// Its computer key, if sent (E-COMPID on mismatch).
    pub key: Option<ComputerKey>,
    /// ClientTimestamp (CLK-1, errata E-13).
    pub client_time: Option<OffsetDateTime>,
}

/// What the reply reports about the installation (wire.md §3.3 outputs).
#[derive(Debug, Clone, PartialEq)]
pub struct InstallationStatus {
    /// The installation's license.
    pub license_id: LicenseId,
    /// The installation.
    pub installation_id: InstallationId,
    /// License status.
    pub status: LicenseStatus,
    /// License expiration, if any.
    pub expiration: Option<Date>,
    /// When the installation was deactivated or banned, if it was.
    pub deactivated_at: Option<OffsetDateTime>,
    /// License Update text.
    pub license_update: String,
}

/// A refused check; E-INSTDEACT and E-STATUS still carry the outputs (wire.md §3.3).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRefused {
    /// Why.
    pub refusal: Refusal,
    /// Outputs to include with the refusal, when §3.3 says so.
    pub info: Option<InstallationStatus>,
}

/// CHK-1 in order: unknown ⇒ E-INSTNOTFOUND; CLK-1; Deactivated/Banned ⇒ E-INSTDEACT
/// with the date; key mismatch ⇒ E-COMPID; STS-3 fails ⇒ E-STATUS; else OK.
/// `found` is the record holding the installation ID with its license and option.
pub fn check_installation(
    found: Option<(&LicenseState, &OptionRules, &ActivationRecord)>,
    req: &CheckRequest,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<InstallationStatus, CheckRefused> {
    let refused = |refusal| CheckRefused {
        refusal,
        info: None,
    };
    let (license, rules, record) = found.ok_or(refused(Refusal::InstallationNotFound))?;
    // E-13: CLK-1 right after the lookup.
    clock::check_client_time(req.client_time, now, policy.clock_tolerance).map_err(refused)?;
    let deactivated_at = match record.state {
        RecordState::Active => None,
        RecordState::Deactivated { at, .. } | RecordState::Banned { at } => Some(at),
    };
    let info = InstallationStatus {
        license_id: license.id,
        installation_id: req.installation_id,
        status: license.status,
        expiration: license.expiration,
        deactivated_at,
        license_update: license.license_update.clone(),
    };
    // wire.md §3.3: outputs travel with E-INSTDEACT and E-STATUS.
    if let Some(at) = deactivated_at {
        return Err(CheckRefused {
            refusal: Refusal::InstallationDeactivated { at },
            info: Some(info),
        });
    }
    if req
        .key
        .as_ref()
        .is_some_and(|k| !k.same_computer(&record.key))
    {
        return Err(refused(Refusal::ComputerId));
    }
    if let Err(refusal) = status::check_running(license.status, rules.upgrade_behavior) {
        return Err(CheckRefused {
            refusal,
            info: Some(info),
        });
    }
    Ok(info)
}
