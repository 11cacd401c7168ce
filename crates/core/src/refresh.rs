//! GetLicenseFile: the license file again for an installation that is still active
//! (wire.md §3.6, rules CHK-1). Unlike CheckInstallationStatus it issues an artifact,
//! so the license's UpdateCounter moves (wire.md §7.3).

use time::OffsetDateTime;

use crate::activation::Policy;
use crate::ids::{ComputerKey, InstallationId, LicenseId};
use crate::model::{ActivationRecord, LicenseState, OptionRules, RecordId};
use crate::refusal::Refusal;
use crate::status_check::{check_installation, CheckRequest, InstallationFacts};

/// A GetLicenseFile request.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshRequest {
    /// The installation asking.
    pub installation_id: InstallationId,
    /// The license the client believes it holds; must own the installation (§3.6).
    pub license_id: Option<LicenseId>,
    /// Its computer key, if sent (E-COMPID on mismatch).
    pub key: Option<ComputerKey>,
    /// ClientTimestamp (CLK-1, errata E-13).
    pub client_time: Option<OffsetDateTime>,
}

/// What a granted refresh stages: the record the file describes and the license's
/// next UpdateCounter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refreshed {
    /// The activation record holding the installation.
    pub record_id: RecordId,
    /// The license's UpdateCounter after this answer (§7.3: one more).
    pub update_counter: i64,
}

/// CHK-1 for a refresh: a LicenseID that does not own the installation counts as an
/// unknown installation (E-INSTNOTFOUND, §3.6); then the checks of
/// [`check_installation`] in their order; a pass moves the UpdateCounter by one.
/// `found` is the record holding the installation ID with its license and option.
pub fn refresh(
    found: Option<(&LicenseState, &OptionRules, &ActivationRecord)>,
    req: &RefreshRequest,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<Refreshed, Refusal> {
    let owned = found.filter(|(license, ..)| req.license_id.is_none_or(|id| id == license.id));
    let Some((license, rules, record)) = owned else {
        return Err(Refusal::InstallationNotFound);
    };
    let check = CheckRequest {
        installation_id: req.installation_id,
        key: req.key.clone(),
        client_time: req.client_time,
    };
    let facts = InstallationFacts::new(license, rules, record);
    check_installation(Some(&facts), &check, now, policy).map_err(|refused| refused.refusal)?;
    Ok(Refreshed {
        record_id: record.id,
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
    use crate::model::{DeactivationReason, LicenseStatus, RecordState};
    use crate::test_support::{cid, iid, license, record, rules, COMPUTER, NOW};

    fn setup() -> (LicenseState, OptionRules, ActivationRecord) {
        let mut rec = record(1, cid(COMPUTER), NOW - Duration::days(1));
        rec.installation_id = Some(iid(1));
        (license(), rules(), rec)
    }

    fn req() -> RefreshRequest {
        RefreshRequest {
            installation_id: iid(1),
            license_id: None,
            key: None,
            client_time: None,
        }
    }

    fn run(
        l: &LicenseState,
        o: &OptionRules,
        r: &ActivationRecord,
        q: &RefreshRequest,
    ) -> Result<Refreshed, Refusal> {
        refresh(Some((l, o, r)), q, NOW, &Policy::default())
    }

    #[test]
    fn chk_1_refresh_of_an_active_installation_moves_the_update_counter() {
        let (l, o, r) = setup();
        let out = run(&l, &o, &r, &req()).unwrap();
        assert_eq!(out.record_id, r.id);
        assert_eq!(out.update_counter, l.update_counter + 1);
    }

    #[test]
    fn chk_1_refresh_refusals_in_order() {
        let (mut l, o, mut r) = setup();
        assert_eq!(
            refresh(None, &req(), NOW, &Policy::default()),
            Err(Refusal::InstallationNotFound)
        );
        let mut other_license = req();
        other_license.license_id = Some(LicenseId::new(l.id.get() + 1).unwrap());
        assert_eq!(
            run(&l, &o, &r, &other_license),
            Err(Refusal::InstallationNotFound),
            "§3.6: a LicenseID not owning the installation is 5015"
        );
        let mut own_license = req();
        own_license.license_id = Some(l.id);
        assert!(run(&l, &o, &r, &own_license).is_ok());

        let mut other_computer = req();
        other_computer.key = Some(cid(COMPUTER + 1));
        assert_eq!(run(&l, &o, &r, &other_computer), Err(Refusal::ComputerId));

        let at = datetime!(2025-03-01 00:00 UTC);
        r.state = RecordState::Deactivated {
            at,
            reason: DeactivationReason::Client,
        };
        assert_eq!(
            run(&l, &o, &r, &req()),
            Err(Refusal::InstallationDeactivated { at })
        );
        r.state = RecordState::Active;
        l.status = LicenseStatus::Void;
        assert_eq!(run(&l, &o, &r, &req()), Err(Refusal::Status));
    }

    #[test]
    fn e_13_refresh_checks_the_clock_after_the_lookup() {
        let (l, o, r) = setup();
        let mut q = req();
        q.client_time = Some(NOW + Duration::hours(25));
        assert_eq!(run(&l, &o, &r, &q), Err(Refusal::Clock));
        assert_eq!(
            refresh(None, &q, NOW, &Policy::default()),
            Err(Refusal::InstallationNotFound)
        );
    }
}
