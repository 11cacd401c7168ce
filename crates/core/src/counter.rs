//! DecrementLicenseCounter (rules CNT-2).

use time::OffsetDateTime;

use crate::activation::Policy;
use crate::clock;
use crate::credentials;
use crate::ids::{LicenseId, Password};
use crate::model::{CounterType, LicenseState, OptionRules};
use crate::refusal::Refusal;
use crate::status;

/// A decrement request; `amount` is 1..=1_000_000 (wire.md §3.5), checked at the edge.
#[derive(Debug, Clone, PartialEq)]
pub struct DecrementRequest {
    /// The license.
    pub license_id: LicenseId,
    /// Its password (ACT-3).
    pub password: Password,
    /// How much to take.
    pub amount: u32,
    /// ClientTimestamp (CLK-1, errata E-13).
    pub client_time: Option<OffsetDateTime>,
}

/// A successful decrement, staged for commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decremented {
    /// The counter after the decrement.
    pub counter: i64,
    /// The license's update counter after this answer.
    pub update_counter: i64,
}

/// CNT-2: A2 credentials (ERR-1), CLK-1, A6 status (STS-2), counter type Decrementing
/// (else E-CONFIG), counter ≥ amount (else E-COUNTER, unchanged). An uninitialised
/// counter is data invalid for the type (E-CONFIG).
pub fn decrement_counter(
    found: Option<(&LicenseState, &OptionRules)>,
    req: &DecrementRequest,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<Decremented, Refusal> {
    // A2 with ERR-1: an unknown license costs the same compares as a wrong password.
    let license = credentials::check(found.map(|(l, _)| l), &req.password)?;
    let rules = found.map(|(_, r)| r).ok_or(Refusal::Config)?;
    // E-13: CLK-1 right after the lookup.
    clock::check_client_time(req.client_time, now, policy.clock_tolerance)?;
    status::check_new_activation(license.status, rules.upgrade_behavior)?; // A6
    if rules.counter_type != CounterType::Decrementing {
        return Err(Refusal::Config);
    }
    let counter = license.license_counter.ok_or(Refusal::Config)?;
    if counter < i64::from(req.amount) {
        return Err(Refusal::Counter);
    }
    Ok(Decremented {
        counter: counter - i64::from(req.amount),
        update_counter: license
            .update_counter
            .checked_add(1)
            .ok_or(Refusal::Config)?,
    })
}
