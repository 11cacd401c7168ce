//! Client deactivation (rules DEA-1) and the admin actions DEA-2..4.

use time::OffsetDateTime;

use crate::activation::Policy;
use crate::ids::{ComputerKey, InstallationId};
use crate::model::{ActivationRecord, LicenseState, OptionRules, RecordId};
use crate::refusal::Refusal;

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
    let _ = (license, rules, record, req, now, policy);
    todo!("core helper")
}
