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

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;
    use crate::model::LicenseStatus;
    use crate::test_support::{license, rules, NOW, PASSWORD};

    fn setup() -> (LicenseState, OptionRules) {
        let mut l = license();
        l.license_counter = Some(10);
        let mut o = rules();
        o.counter_type = CounterType::Decrementing;
        (l, o)
    }

    fn req(amount: u32) -> DecrementRequest {
        DecrementRequest {
            license_id: LicenseId::new(1000).unwrap(),
            password: Password::parse(PASSWORD).unwrap(),
            amount,
            client_time: None,
        }
    }

    fn run(
        l: &LicenseState,
        o: &OptionRules,
        r: &DecrementRequest,
    ) -> Result<Decremented, Refusal> {
        decrement_counter(Some((l, o)), r, NOW, &Policy::default())
    }

    #[test]
    fn ex_63_cnt_2_decrements_all_or_nothing() {
        let (l, o) = setup();
        assert_eq!(
            run(&l, &o, &req(3)),
            Ok(Decremented {
                counter: 7,
                update_counter: 1
            })
        );
        assert_eq!(run(&l, &o, &req(11)), Err(Refusal::Counter));
        assert_eq!(run(&l, &o, &req(10)).map(|d| d.counter), Ok(0));
    }

    #[test]
    fn cnt_2_static_or_absent_counter_is_config() {
        let (mut l, mut o) = setup();
        o.counter_type = CounterType::Static;
        assert_eq!(run(&l, &o, &req(1)), Err(Refusal::Config));
        o.counter_type = CounterType::Decrementing;
        l.license_counter = None;
        assert_eq!(run(&l, &o, &req(1)), Err(Refusal::Config));
    }

    #[test]
    fn err_1_cnt_2_unknown_license_and_wrong_password_look_alike() {
        let (l, o) = setup();
        let unknown = decrement_counter(None, &req(1), NOW, &Policy::default());
        assert_eq!(unknown, Err(Refusal::Credentials));
        let mut bad = req(1);
        bad.password = Password::parse("nope").unwrap();
        assert_eq!(run(&l, &o, &bad), Err(Refusal::Credentials));
    }

    #[test]
    fn cnt_2_status_and_e_13_clock() {
        let (mut l, o) = setup();
        l.status = LicenseStatus::Void;
        assert_eq!(run(&l, &o, &req(1)), Err(Refusal::Status));
        let mut late = req(1);
        late.client_time = Some(NOW + Duration::hours(48));
        assert_eq!(run(&l, &o, &late), Err(Refusal::Clock), "CLK-1 before A6");
    }
}
