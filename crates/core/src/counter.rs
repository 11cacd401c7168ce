//! DecrementLicenseCounter (rules CNT-2).

use time::OffsetDateTime;

use crate::activation::Policy;
use crate::ids::{LicenseId, Password};
use crate::model::{LicenseState, OptionRules};
use crate::refusal::Refusal;

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
/// (else E-CONFIG), counter ≥ amount (else E-COUNTER, unchanged).
pub fn decrement_counter(
    found: Option<(&LicenseState, &OptionRules)>,
    req: &DecrementRequest,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<Decremented, Refusal> {
    let _ = (found, req, now, policy);
    todo!("core helper")
}
