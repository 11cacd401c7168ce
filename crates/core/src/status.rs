//! License status gates (rules STS-2, STS-3, UPG-1).

use crate::model::{LicenseStatus, UpgradeBehavior};
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

#[cfg(test)]
mod tests {
    use super::*;

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
