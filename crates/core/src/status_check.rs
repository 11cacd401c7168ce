//! CheckInstallationStatus (rules CHK-1).

use time::{Date, OffsetDateTime};

use crate::activation::Policy;
use crate::clock;
use crate::ids::{ComputerKey, InstallationId, LicenseId};
use crate::model::{
    ActivationRecord, LicenseState, LicenseStatus, OptionRules, RecordState, UpgradeBehavior,
};
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

/// What CHK-1 decides on: the record holding the installation ID and the few facts of
/// its license and option that the answer reports or the status rule reads. A status
/// check is the most frequent call, so the store reads only these (issue 5).
#[derive(Debug, Clone, PartialEq)]
pub struct InstallationFacts {
    /// The record's license.
    pub license_id: LicenseId,
    /// License status (STS-3).
    pub status: LicenseStatus,
    /// License expiration, if any.
    pub expiration: Option<Date>,
    /// License Update text.
    pub license_update: String,
    /// The option's upgrade behaviour (STS-3).
    pub upgrade_behavior: UpgradeBehavior,
    /// The record's state.
    pub record_state: RecordState,
    /// The record's computer key as its fingerprint ([`ComputerKey::fingerprint`]),
    /// which the E-COMPID comparison needs (equal keys have equal fingerprints), so
    /// a check never parses the stored identifiers.
    pub record_key_fingerprint: Option<String>,
}

impl InstallationFacts {
    /// The facts of a full license, option and record.
    pub fn new(license: &LicenseState, rules: &OptionRules, record: &ActivationRecord) -> Self {
        Self {
            license_id: license.id,
            status: license.status,
            expiration: license.expiration,
            license_update: license.license_update.clone(),
            upgrade_behavior: rules.upgrade_behavior,
            record_state: record.state,
            record_key_fingerprint: record.key.fingerprint(),
        }
    }
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
/// `found` describes the record holding the installation ID.
pub fn check_installation(
    found: Option<&InstallationFacts>,
    req: &CheckRequest,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<InstallationStatus, CheckRefused> {
    let refused = |refusal| CheckRefused {
        refusal,
        info: None,
    };
    let facts = found.ok_or(refused(Refusal::InstallationNotFound))?;
    // E-13: CLK-1 right after the lookup.
    clock::check_client_time(req.client_time, now, policy.clock_tolerance).map_err(refused)?;
    let deactivated_at = match facts.record_state {
        RecordState::Active => None,
        RecordState::Deactivated { at, .. } | RecordState::Banned { at } => Some(at),
    };
    let info = InstallationStatus {
        license_id: facts.license_id,
        installation_id: req.installation_id,
        status: facts.status,
        expiration: facts.expiration,
        deactivated_at,
        license_update: facts.license_update.clone(),
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
        .is_some_and(|k| !same_computer(k, facts.record_key_fingerprint.as_deref()))
    {
        return Err(refused(Refusal::ComputerId));
    }
    if let Err(refusal) = status::check_running(facts.status, facts.upgrade_behavior) {
        return Err(CheckRefused {
            refusal,
            info: Some(info),
        });
    }
    Ok(info)
}

/// C-4 "same computer" by fingerprint: the request's key is not empty and has the
/// record's fingerprint ([`ComputerKey::same_computer`] on stored keys).
fn same_computer(key: &ComputerKey, record: Option<&str>) -> bool {
    key.fingerprint()
        .is_some_and(|f| record.is_some_and(|r| r == f))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use time::Duration;

    use super::*;
    use crate::model::{DeactivationReason, UpgradeBehavior};
    use crate::test_support::{cid, iid, license, record, rules, COMPUTER, NOW};

    fn setup() -> (LicenseState, OptionRules, ActivationRecord) {
        let mut rec = record(1, cid(COMPUTER), NOW - Duration::days(1));
        rec.installation_id = Some(iid(1));
        (license(), rules(), rec)
    }

    fn req() -> CheckRequest {
        CheckRequest {
            installation_id: iid(1),
            key: None,
            client_time: None,
        }
    }

    fn run(
        l: &LicenseState,
        o: &OptionRules,
        r: &ActivationRecord,
        req: &CheckRequest,
    ) -> Result<InstallationStatus, CheckRefused> {
        check_installation(
            Some(&InstallationFacts::new(l, o, r)),
            req,
            NOW,
            &Policy::default(),
        )
    }

    #[test]
    fn chk_1_active_installation_reports_its_license() {
        let (l, o, r) = setup();
        let out = run(&l, &o, &r, &req()).unwrap();
        assert_eq!(out.license_id, l.id);
        assert_eq!(out.installation_id, iid(1));
        assert_eq!(out.status, LicenseStatus::Ok);
        assert_eq!(out.deactivated_at, None);
    }

    #[test]
    fn ex_57_chk_1_deactivated_installation_and_void_license() {
        let (mut l, o, mut r) = setup();
        let at = datetime!(2025-03-01 00:00 UTC);
        r.state = RecordState::Deactivated {
            at,
            reason: DeactivationReason::Client,
        };
        let refused = run(&l, &o, &r, &req()).unwrap_err();
        assert_eq!(refused.refusal, Refusal::InstallationDeactivated { at });
        assert_eq!(refused.info.unwrap().deactivated_at, Some(at));

        r.state = RecordState::Active;
        l.status = LicenseStatus::Void;
        let refused = run(&l, &o, &r, &req()).unwrap_err();
        assert_eq!(refused.refusal, Refusal::Status);
        assert_eq!(refused.info.unwrap().status, LicenseStatus::Void);
    }

    #[test]
    fn ex_12_ex_13_upg_1_check_in_by_upgrade_behavior() {
        let (mut l, mut o, r) = setup();
        l.status = LicenseStatus::Upgrade;
        o.upgrade_behavior = UpgradeBehavior::AllowExecution;
        assert!(run(&l, &o, &r, &req()).is_ok(), "EX-12");
        o.upgrade_behavior = UpgradeBehavior::Deactivate;
        assert_eq!(
            run(&l, &o, &r, &req()).unwrap_err().refusal,
            Refusal::Status,
            "EX-13"
        );
    }

    #[test]
    fn chk_1_unknown_installation_and_key_mismatch() {
        let (l, o, r) = setup();
        let out = check_installation(None, &req(), NOW, &Policy::default());
        assert_eq!(
            out,
            Err(CheckRefused {
                refusal: Refusal::InstallationNotFound,
                info: None
            })
        );
        let mut q = req();
        q.key = Some(cid(COMPUTER + 1));
        assert_eq!(
            run(&l, &o, &r, &q).unwrap_err().refusal,
            Refusal::ComputerId
        );
    }

    #[test]
    fn chk_1_key_comparison_by_fingerprint_is_c_4_same_computer() {
        let ids = |v: &str| {
            ComputerKey::from_identifiers(vec![
                crate::ids::SystemIdentifier::new(1, "Nic", v).unwrap(),
                crate::ids::SystemIdentifier::new(2, "Disk", "D1").unwrap(),
            ])
        };
        let keys = [
            cid(COMPUTER),
            cid(COMPUTER + 1),
            ids("A"),
            ids("B"),
            ComputerKey::from_identifiers(Vec::new()),
        ];
        for stored in &keys {
            for asked in &keys {
                assert_eq!(
                    same_computer(asked, stored.fingerprint().as_deref()),
                    asked.same_computer(stored),
                    "{asked:?} against {stored:?}"
                );
            }
        }
    }

    #[test]
    fn e_13_chk_1_clock_runs_before_the_state_checks() {
        let (l, o, mut r) = setup();
        r.state = RecordState::Banned { at: NOW };
        let mut q = req();
        q.client_time = Some(NOW - Duration::hours(25));
        let refused = run(&l, &o, &r, &q).unwrap_err();
        assert_eq!((refused.refusal, refused.info), (Refusal::Clock, None));
    }
}
