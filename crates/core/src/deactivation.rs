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

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use time::Duration;

    use super::*;
    use crate::model::{DeactivationReason, GrantKind, LicenseStatus, UpgradeBehavior};
    use crate::test_support::{cid, iid, license, record, rules, COMPUTER, NOW};

    /// AD on (with IID), dl 2, left 0, allowance 3; an Active Counted I1 on 1234.
    fn setup() -> (LicenseState, OptionRules, ActivationRecord) {
        let mut lic = license();
        lic.activations_left = 0;
        let mut opt = rules();
        opt.issue_installation_id = true;
        opt.allow_deactivations = true;
        let mut rec = record(1, cid(COMPUTER), NOW - Duration::days(1));
        rec.installation_id = Some(iid(1));
        (lic, opt, rec)
    }

    fn req() -> DeactivationRequest {
        DeactivationRequest {
            installation_id: iid(1),
            key: None,
            client_time: None,
        }
    }

    fn run(
        lic: &LicenseState,
        opt: &OptionRules,
        rec: Option<&ActivationRecord>,
        req: &DeactivationRequest,
    ) -> Result<Deactivated, Refusal> {
        deactivate(lic, opt, rec, req, NOW, &Policy::default())
    }

    #[test]
    fn ex_50_dea_1_refunds_a_counted_installation_and_spends_dl() {
        let (lic, opt, rec) = setup();
        let out = run(&lic, &opt, Some(&rec), &req()).unwrap();
        assert_eq!(
            out,
            Deactivated {
                record_id: 1,
                at: NOW,
                activations_left: 1,
                deactivations_left: 1,
                update_counter: 1,
            }
        );
    }

    #[test]
    fn ex_51_dea_1_dl_0_or_ad_off_is_no_deactivations() {
        let (mut lic, mut opt, rec) = setup();
        lic.deactivations_left = 0;
        assert_eq!(
            run(&lic, &opt, Some(&rec), &req()),
            Err(Refusal::NoDeactivations)
        );
        lic.deactivations_left = 2;
        opt.allow_deactivations = false;
        assert_eq!(
            run(&lic, &opt, Some(&rec), &req()),
            Err(Refusal::NoDeactivations)
        );
        opt.allow_deactivations = true;
        opt.issue_installation_id = false;
        assert_eq!(
            run(&lic, &opt, Some(&rec), &req()),
            Err(Refusal::NoDeactivations)
        );
    }

    #[test]
    fn ex_52_dea_1_unlimited_unknown_and_already_deactivated() {
        let (mut lic, opt, mut rec) = setup();
        lic.deactivations_left = -1;
        let out = run(&lic, &opt, Some(&rec), &req()).unwrap();
        assert_eq!((out.deactivations_left, out.activations_left), (-1, 1));

        assert_eq!(
            run(&lic, &opt, None, &req()),
            Err(Refusal::InstallationNotFound)
        );

        let at = datetime!(2025-03-01 08:00 UTC);
        rec.state = RecordState::Deactivated {
            at,
            reason: DeactivationReason::Client,
        };
        assert_eq!(
            run(&lic, &opt, Some(&rec), &req()),
            Err(Refusal::InstallationDeactivated { at })
        );
        rec.state = RecordState::Banned { at };
        assert_eq!(
            run(&lic, &opt, Some(&rec), &req()),
            Err(Refusal::InstallationDeactivated { at })
        );
    }

    #[test]
    fn ex_53_dea_1_days_record_spends_dl_without_refund() {
        let (lic, opt, mut rec) = setup();
        rec.kind = GrantKind::Days;
        rec.consumed = false;
        let out = run(&lic, &opt, Some(&rec), &req()).unwrap();
        assert_eq!((out.deactivations_left, out.activations_left), (1, 0));
    }

    #[test]
    fn ex_54_dea_1_threshold_record_holding_a_counted_id_refunds() {
        let (lic, opt, mut rec) = setup();
        rec.kind = GrantKind::Threshold;
        rec.consumed = true; // moved by REA-3
        let out = run(&lic, &opt, Some(&rec), &req()).unwrap();
        assert_eq!(out.activations_left, 1);
    }

    #[test]
    fn e_16_dea_1_refund_never_exceeds_the_allowance() {
        let (mut lic, opt, rec) = setup();
        lic.activations_left = 3;
        lic.activations_allowed = 3;
        let out = run(&lic, &opt, Some(&rec), &req()).unwrap();
        assert_eq!(out.activations_left, 3);
    }

    #[test]
    fn dea_1_a_given_key_must_match() {
        let (lic, opt, rec) = setup();
        let mut r = req();
        r.key = Some(cid(COMPUTER));
        assert!(run(&lic, &opt, Some(&rec), &r).is_ok());
        r.key = Some(cid(COMPUTER + 1));
        assert_eq!(run(&lic, &opt, Some(&rec), &r), Err(Refusal::ComputerId));
    }

    #[test]
    fn dea_1_sts_3_status_gate() {
        let (mut lic, mut opt, rec) = setup();
        lic.status = LicenseStatus::Void;
        assert_eq!(run(&lic, &opt, Some(&rec), &req()), Err(Refusal::Status));
        lic.status = LicenseStatus::Upgrade;
        opt.upgrade_behavior = UpgradeBehavior::AllowExecution;
        assert!(run(&lic, &opt, Some(&rec), &req()).is_ok());
    }

    #[test]
    fn e_13_dea_1_clock_runs_right_after_the_lookup() {
        let (mut lic, opt, rec) = setup();
        let mut r = req();
        r.client_time = Some(NOW + Duration::hours(30));
        assert_eq!(
            run(&lic, &opt, None, &r),
            Err(Refusal::InstallationNotFound)
        );
        lic.status = LicenseStatus::Void;
        assert_eq!(run(&lic, &opt, Some(&rec), &r), Err(Refusal::Clock));
    }
}
