//! The client version check behind XmlLicenseService UpdateCheck(S) and the PP4 script
//! updatecheck.asp (wire.md §3.7, §3.11): one pure decision both surfaces spell.
//!
//! Order: A2 credentials (ACT-3, ERR-1) and A3 product scope through
//! [`crate::status::query`]; no STS gate, since the status is reported
//! (`LicenseStatus`), not enforced. Then the product's update fields decide
//! `ActionToTake` [ours, wire.md §3.7: 0 current, 1 free update, 2 paid upgrade]:
//! - the option has a Replaced By option (errata E-21) ⇒ 2: the license's line is
//!   succeeded by another option, which is bought, not downloaded;
//! - no Latest Version configured, or the client's version (VER-2; none counts as
//!   0.0.0.0, so an unknown version is offered the update) is at least it ⇒ 0;
//! - else, without a Latest Free Version every newer version is free ⇒ 1; with one,
//!   a client below it may update free (to it) ⇒ 1, a client at or above it pays ⇒ 2.
//!
//! EXP-3: the download check updatecheck.asp asks for with VerifyDaysToDL needs STS-3
//! and today ≤ the license's expiration (none = no limit); the decision reports it,
//! the script answers 300 when it fails.

use time::Date;

use crate::ids::{OptionId, Password, ProductId};
use crate::model::{LicenseState, LicenseStatus, UpgradeBehavior};
use crate::refusal::Refusal;
use crate::status;
use crate::version::Version;

/// What to tell the client to do (wire.md §3.7 `ActionToTake`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateAction {
    /// 0: the client runs the current version.
    Current,
    /// 1: a newer version may be installed free of charge.
    FreeUpdate,
    /// 2: a newer version or a replacing option must be bought.
    PaidUpgrade,
}

impl UpdateAction {
    /// The wire number.
    pub fn code(self) -> i32 {
        match self {
            Self::Current => 0,
            Self::FreeUpdate => 1,
            Self::PaidUpgrade => 2,
        }
    }
}

/// A product's update fields (seed 001 "Latest Version"; the rest [ours]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductUpdates {
    /// Latest Version.
    pub latest_version: Option<Version>,
    /// The newest version a license may install free of charge.
    pub latest_free_version: Option<Version>,
    /// URLInfo: a page about the latest version.
    pub url_info: Option<String>,
    /// URLFile: where the latest version is downloaded.
    pub url_file: Option<String>,
    /// ReleaseDate of the latest version.
    pub release_date: Option<Date>,
    /// ShortMessage (string(255)).
    pub short_message: Option<String>,
}

/// One version check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateCheckRequest {
    /// The password (ACT-3: activation or customer password).
    pub password: Password,
    /// The product the client names, if any (A3).
    pub product_id: Option<ProductId>,
    /// The client's version (VER-2), if it sent a valid one.
    pub version: Option<Version>,
}

/// The answer of both surfaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateReport {
    /// License Status.
    pub status: LicenseStatus,
    /// The replacing option (errata E-21), if any.
    pub replaced_by: Option<OptionId>,
    /// License Update.
    pub license_update: String,
    /// What the client should do.
    pub action: UpdateAction,
    /// The product's update fields, as configured.
    pub updates: ProductUpdates,
    /// EXP-3: whether downloads are still allowed.
    pub downloads_allowed: bool,
}

/// Decides one version check on the license read for it (`None`: unknown ID).
pub fn decide(
    license: Option<&LicenseState>,
    upgrade_behavior: UpgradeBehavior,
    replaced_by: Option<OptionId>,
    updates: ProductUpdates,
    req: &UpdateCheckRequest,
    today: Date,
) -> Result<UpdateReport, Refusal> {
    let license = status::query(license, &req.password, req.product_id)?;
    // VER-2: no version orders below every version (`None < Some(_)`), as 0.0.0.0.
    let client = req.version;
    let action = if replaced_by.is_some() {
        UpdateAction::PaidUpgrade
    } else {
        match updates.latest_version {
            Some(latest) if client < Some(latest) => match updates.latest_free_version {
                Some(free) if client >= Some(free) => UpdateAction::PaidUpgrade,
                _ => UpdateAction::FreeUpdate,
            },
            _ => UpdateAction::Current,
        }
    };
    let downloads_allowed = status::check_running(license.status, upgrade_behavior).is_ok()
        && license.expiration.is_none_or(|end| today <= end);
    Ok(UpdateReport {
        status: license.status,
        replaced_by,
        license_update: license.license_update.clone(),
        action,
        updates,
        downloads_allowed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{license, PASSWORD};
    use time::macros::date;

    fn v(s: &str) -> Option<Version> {
        Version::parse_request(s)
    }

    fn request(version: &str) -> UpdateCheckRequest {
        UpdateCheckRequest {
            password: Password::parse(PASSWORD).unwrap(),
            product_id: None,
            version: v(version),
        }
    }

    fn updates(latest: &str, free: &str) -> ProductUpdates {
        ProductUpdates {
            latest_version: v(latest),
            latest_free_version: v(free),
            ..ProductUpdates::default()
        }
    }

    fn action(u: ProductUpdates, replaced: Option<OptionId>, version: &str) -> UpdateAction {
        let l = license();
        decide(
            Some(&l),
            UpgradeBehavior::Deactivate,
            replaced,
            u,
            &request(version),
            date!(2025 - 03 - 10),
        )
        .unwrap()
        .action
    }

    #[test]
    fn current_when_at_or_above_the_latest_version_or_none_is_configured() {
        assert_eq!(
            action(updates("2.0", ""), None, "2.0.0.0"),
            UpdateAction::Current
        );
        assert_eq!(
            action(updates("2.0", ""), None, "2.1"),
            UpdateAction::Current
        );
        assert_eq!(action(updates("", ""), None, "1.0"), UpdateAction::Current);
    }

    #[test]
    fn free_update_below_the_latest_without_or_below_the_latest_free_version() {
        assert_eq!(
            action(updates("2.0", ""), None, "1.9"),
            UpdateAction::FreeUpdate
        );
        assert_eq!(
            action(updates("3.0", "2.5"), None, "2.4.9"),
            UpdateAction::FreeUpdate
        );
        // VER-2: no version counts as 0.0.0.0 and is offered the update.
        assert_eq!(
            action(updates("2.0", ""), None, "abc"),
            UpdateAction::FreeUpdate
        );
    }

    #[test]
    fn paid_upgrade_at_or_above_the_latest_free_version_or_when_replaced_e_21() {
        assert_eq!(
            action(updates("3.0", "2.5"), None, "2.5"),
            UpdateAction::PaidUpgrade
        );
        let replacing = OptionId::new(9).ok();
        assert_eq!(
            action(updates("2.0", ""), replacing, "2.0"),
            UpdateAction::PaidUpgrade
        );
    }

    #[test]
    fn credentials_and_product_come_first_act_3_a3() {
        let l = license();
        let mut bad = request("1.0");
        bad.password = Password::parse("nope").unwrap();
        let today = date!(2025 - 03 - 10);
        let run = |l: Option<&LicenseState>, r: &UpdateCheckRequest| {
            decide(
                l,
                UpgradeBehavior::Deactivate,
                None,
                ProductUpdates::default(),
                r,
                today,
            )
        };
        assert_eq!(run(Some(&l), &bad), Err(Refusal::Credentials));
        assert_eq!(run(None, &request("1.0")), Err(Refusal::Credentials));
        let mut other = request("1.0");
        other.product_id = ProductId::new(77).ok();
        assert_eq!(run(Some(&l), &other), Err(Refusal::Product));
    }

    #[test]
    fn exp_3_downloads_need_a_running_status_and_an_unexpired_license() {
        let today = date!(2025 - 03 - 10);
        let allowed = |status, expiration| {
            let mut l = license();
            l.status = status;
            l.expiration = expiration;
            decide(
                Some(&l),
                UpgradeBehavior::Deactivate,
                None,
                ProductUpdates::default(),
                &request("1.0"),
                today,
            )
            .unwrap()
            .downloads_allowed
        };
        assert!(allowed(LicenseStatus::Ok, None));
        assert!(
            allowed(LicenseStatus::Ok, Some(today)),
            "the day itself counts"
        );
        assert!(!allowed(LicenseStatus::Ok, Some(date!(2025 - 03 - 09))));
        assert!(!allowed(LicenseStatus::Void, None), "STS-3");
    }
}
