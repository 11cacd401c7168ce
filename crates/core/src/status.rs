//! License status gates (rules STS-2, STS-3, UPG-1).

use crate::credentials;
use crate::ids::{Password, ProductId};
use crate::model::{LicenseState, LicenseStatus, UpgradeBehavior};
use crate::refusal::Refusal;

/// STS-2 / UPG-1: a new activation needs OK, or Upgrade with AllowActivation.
pub fn check_new_activation(
    status: LicenseStatus,
    behavior: UpgradeBehavior,
) -> Result<(), Refusal> {
    match (status, behavior) {
        (LicenseStatus::Ok, _) | (LicenseStatus::Upgrade, UpgradeBehavior::AllowActivation) => {
            Ok(())
        }
        _ => Err(Refusal::Status),
    }
}

/// STS-3 / UPG-1: a running installation needs OK, or Upgrade with AllowExecution or
/// AllowActivation.
pub fn check_running(status: LicenseStatus, behavior: UpgradeBehavior) -> Result<(), Refusal> {
    match (status, behavior) {
        (LicenseStatus::Ok, _)
        | (
            LicenseStatus::Upgrade,
            UpgradeBehavior::AllowExecution | UpgradeBehavior::AllowActivation,
        ) => Ok(()),
        _ => Err(Refusal::Status),
    }
}

/// Errata E-18: any status may change to any other, except that nothing leaves
/// Delete and Upgrade is set only through UPG-2 (an upgrade order), never by an edit.
/// Keeping the current status is always allowed.
pub fn check_transition(from: LicenseStatus, to: LicenseStatus) -> Result<(), Refusal> {
    if from == to {
        return Ok(());
    }
    if from == LicenseStatus::Delete || to == LicenseStatus::Upgrade {
        return Err(Refusal::Transition);
    }
    Ok(())
}

/// The PP4 status query (getlicensestatus.asp, wire.md §3.11): A2 credentials
/// (ACT-3, ERR-1), then A3 scope for an optional product; reports whatever the status
/// is (a query, not an activation, so no STS gate).
pub fn query<'a>(
    license: Option<&'a LicenseState>,
    password: &Password,
    product_id: Option<ProductId>,
) -> Result<&'a LicenseState, Refusal> {
    let license = credentials::check(license, password)?;
    if product_id.is_some_and(|p| p != license.product_id) {
        return Err(Refusal::Product);
    }
    Ok(license)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{license, PASSWORD};

    #[test]
    fn status_query_needs_credentials_and_the_product() {
        let mut l = license();
        l.status = LicenseStatus::Void;
        let pw = Password::parse(PASSWORD).unwrap();
        assert_eq!(
            query(Some(&l), &pw, None).map(|l| l.status),
            Ok(LicenseStatus::Void)
        );
        let other = ProductId::new(77).ok();
        assert_eq!(query(Some(&l), &pw, other), Err(Refusal::Product));
        let bad = Password::parse("nope").unwrap();
        assert_eq!(query(Some(&l), &bad, None), Err(Refusal::Credentials));
        assert_eq!(query(None, &pw, None), Err(Refusal::Credentials));
    }

    #[test]
    fn e_18_nothing_leaves_delete_and_upgrade_only_through_upg_2() {
        for from in LicenseStatus::ALL {
            for to in LicenseStatus::ALL {
                let allowed =
                    from == to || (from != LicenseStatus::Delete && to != LicenseStatus::Upgrade);
                assert_eq!(
                    check_transition(from, to).is_ok(),
                    allowed,
                    "{from:?} -> {to:?}"
                );
            }
        }
        assert_eq!(
            check_transition(LicenseStatus::Upgrade, LicenseStatus::Ok),
            Ok(()),
            "leaving Upgrade is an ordinary edit"
        );
    }

    #[test]
    fn sts_2_only_ok_or_upgrade_allow_activation_activates() {
        for status in LicenseStatus::ALL {
            for behavior in [
                UpgradeBehavior::Deactivate,
                UpgradeBehavior::AllowExecution,
                UpgradeBehavior::AllowActivation,
            ] {
                let expected = status == LicenseStatus::Ok
                    || (status == LicenseStatus::Upgrade
                        && behavior == UpgradeBehavior::AllowActivation);
                assert_eq!(
                    check_new_activation(status, behavior).is_ok(),
                    expected,
                    "{status:?} {behavior:?}"
                );
            }
        }
    }

    #[test]
    fn upg_1_running_installations_follow_the_table() {
        let up = LicenseStatus::Upgrade;
        assert_eq!(
            check_running(up, UpgradeBehavior::Deactivate),
            Err(Refusal::Status)
        );
        assert_eq!(check_running(up, UpgradeBehavior::AllowExecution), Ok(()));
        assert_eq!(check_running(up, UpgradeBehavior::AllowActivation), Ok(()));
        assert_eq!(
            check_running(LicenseStatus::Void, UpgradeBehavior::AllowActivation),
            Err(Refusal::Status)
        );
    }
}
