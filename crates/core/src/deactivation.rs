//! Client deactivation (rules DEA-1) and the admin actions DEA-2..4.

use time::OffsetDateTime;

use crate::activation::Policy;
use crate::clock;
use crate::ids::{ComputerKey, InstallationId};
use crate::model::{ActivationRecord, LicenseState, OptionRules, RecordId, RecordState};
use crate::refusal::Refusal;
use crate::status;

/// A DeactivateInstallation request.
#[derive(Debug, Clone, PartialEq)]
pub struct DeactivationRequest {
    /// The installation to deactivate.
    pub installation_id: InstallationId,
    /// The computer key, if the client sent identifiers (checked when given).
    pub key: Option<ComputerKey>,
    /// ClientTimestamp (CLK-1 per errata E-13).
    pub client_time: Option<OffsetDateTime>,
}

/// A successful deactivation, staged for commit.
#[derive(Debug, Clone, PartialEq)]
pub struct Deactivated {
    /// The record to mark Deactivated(now, Client).
    pub record_id: RecordId,
    /// The deactivation time (`now`).
    pub at: OffsetDateTime,
    /// activations_left after the refund (if the record was consumed), capped (E-16).
    pub activations_left: i32,
    /// deactivations_left after the call (−1 stays −1).
    pub deactivations_left: i32,
    /// The license's update counter after this answer.
    pub update_counter: i64,
}

/// Deactivations left meaning "unlimited".
const UNLIMITED: i32 = -1;

/// DEA-1 in order: unknown ⇒ E-INSTNOTFOUND; CLK-1; STS-3 ⇒ E-STATUS; ¬(IID ∧ AD) ⇒
/// E-NODEACT; already Deactivated/Banned ⇒ E-INSTDEACT (original date); key differs ⇒
/// E-COMPID; dl = 0 ⇒ E-NODEACT.
///
/// `record` is the record holding the installation ID (the Active one if any, else
/// the latest); `license`/`rules` are its license and option.
pub fn deactivate(
    license: &LicenseState,
    rules: &OptionRules,
    record: Option<&ActivationRecord>,
    req: &DeactivationRequest,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<Deactivated, Refusal> {
    let record = record.ok_or(Refusal::InstallationNotFound)?;
    // E-13: CLK-1 right after the lookup.
    clock::check_client_time(req.client_time, now, policy.clock_tolerance)?;
    status::check_running(license.status, rules.upgrade_behavior)?; // STS-3, UPG-1
    if !(rules.issue_installation_id && rules.allow_deactivations) {
        return Err(Refusal::NoDeactivations);
    }
    match record.state {
        RecordState::Active => {}
        // Idempotent: the original date, no change.
        RecordState::Deactivated { at, .. } | RecordState::Banned { at } => {
            return Err(Refusal::InstallationDeactivated { at });
        }
    }
    if req
        .key
        .as_ref()
        .is_some_and(|k| !k.same_computer(&record.key))
    {
        return Err(Refusal::ComputerId);
    }
    let deactivations_left = match license.deactivations_left {
        UNLIMITED => UNLIMITED,
        dl if dl >= 1 => dl - 1,
        _ => return Err(Refusal::NoDeactivations),
    };
    // Refund iff consumed, never above the allowance (E-16), never below 0 (CON-2).
    let left = license.activations_left.max(0);
    let activations_left = if record.consumed && left < license.activations_allowed {
        left + 1
    } else {
        left
    };
    Ok(Deactivated {
        record_id: record.id,
        at: now,
        activations_left,
        deactivations_left,
        update_counter: license
            .update_counter
            .checked_add(1)
            .ok_or(Refusal::Config)?,
    })
}
