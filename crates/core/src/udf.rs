//! UpdateUserDefinedFields (rules UDF-1, errata E-13, E-15): a client changes the
//! user-defined fields it names, if the option makes them writable.

use time::OffsetDateTime;

use crate::activation::Policy;
use crate::clock;
use crate::credentials;
use crate::ids::{LicenseId, Password};
use crate::license_record::UserDefinedFields;
use crate::model::{LicenseState, OptionRules};
use crate::refusal::Refusal;
use crate::status;

/// The fields a request names: `None` leaves a field unchanged, `Some(None)` clears
/// it (an empty element), `Some(Some(v))` sets it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UdfChanges {
    /// UDefChar1..UDefChar10.
    pub chars: [Option<Option<String>>; 10],
    /// UDefNum1..UDefNum5.
    pub nums: [Option<Option<i64>>; 5],
}

impl UdfChanges {
    /// UDF-1: only the named fields change.
    pub fn apply(&self, current: &UserDefinedFields) -> UserDefinedFields {
        let mut next = current.clone();
        for (slot, change) in next.chars.iter_mut().zip(&self.chars) {
            if let Some(value) = change {
                slot.clone_from(value);
            }
        }
        for (slot, change) in next.nums.iter_mut().zip(&self.nums) {
            if let Some(value) = change {
                *slot = *value;
            }
        }
        next
    }
}

/// An UpdateUserDefinedFields request, parsed at the edge.
#[derive(Debug, Clone, PartialEq)]
pub struct UdfRequest {
    /// The license.
    pub license_id: LicenseId,
    /// Its password (ACT-3).
    pub password: Password,
    /// What to change.
    pub changes: UdfChanges,
    /// ClientTimestamp (CLK-1, errata E-13).
    pub client_time: Option<OffsetDateTime>,
}

/// A committed UpdateUserDefinedFields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdfUpdated {
    /// Every field after the change.
    pub fields: UserDefinedFields,
    /// The license's update counter after this answer (wire.md §7.3).
    pub update_counter: i64,
}

/// UDF-1 in order: A2 credentials (ERR-1), CLK-1 right after the lookup (E-13),
/// STS-3, then the option's "User Defined Fields Writable" (else E-UDF). Returns the
/// license's update counter after this answer (wire.md §7.3: the license changes).
pub fn check(
    found: Option<(&LicenseState, &OptionRules)>,
    udf_writable: bool,
    req: &UdfRequest,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<i64, Refusal> {
    let license = credentials::check(found.map(|(l, _)| l), &req.password)?;
    let rules = found.map(|(_, r)| r).ok_or(Refusal::Config)?;
    clock::check_client_time(req.client_time, now, policy.clock_tolerance)?;
    status::check_running(license.status, rules.upgrade_behavior)?;
    if !udf_writable {
        return Err(Refusal::UdfReadOnly);
    }
    license.update_counter.checked_add(1).ok_or(Refusal::Config)
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;
    use crate::model::{LicenseStatus, UpgradeBehavior};
    use crate::test_support::{license, rules, NOW, PASSWORD};

    fn request(password: &str, client_time: Option<OffsetDateTime>) -> UdfRequest {
        UdfRequest {
            license_id: LicenseId::new(1000).unwrap(),
            password: Password::parse(password).unwrap(),
            changes: UdfChanges::default(),
            client_time,
        }
    }

    #[test]
    fn udf_1_checks_credentials_clock_status_then_writable_in_that_order() {
        let (l, o) = (license(), rules());
        let policy = Policy::default();
        let ok = request(PASSWORD, None);
        assert_eq!(
            check(Some((&l, &o)), true, &ok, NOW, &policy),
            Ok(l.update_counter + 1)
        );
        assert_eq!(
            check(Some((&l, &o)), false, &ok, NOW, &policy),
            Err(Refusal::UdfReadOnly)
        );
        let bad = request("nope", Some(NOW + Duration::hours(48)));
        assert_eq!(
            check(Some((&l, &o)), false, &bad, NOW, &policy),
            Err(Refusal::Credentials)
        );
        assert_eq!(
            check(None, true, &ok, NOW, &policy),
            Err(Refusal::Credentials)
        );
        let late = request(PASSWORD, Some(NOW + Duration::hours(48)));
        let mut void = l.clone();
        void.status = LicenseStatus::Void;
        assert_eq!(
            check(Some((&void, &o)), false, &late, NOW, &policy),
            Err(Refusal::Clock),
            "E-13: CLK-1 right after the lookup"
        );
        assert_eq!(
            check(Some((&void, &o)), false, &ok, NOW, &policy),
            Err(Refusal::Status),
            "STS-3 before the writable flag"
        );
    }

    #[test]
    fn udf_1_sts_3_lets_upgrade_with_allow_execution_write() {
        let mut l = license();
        l.status = LicenseStatus::Upgrade;
        let mut o = rules();
        o.upgrade_behavior = UpgradeBehavior::AllowExecution;
        let req = request(PASSWORD, None);
        assert!(check(Some((&l, &o)), true, &req, NOW, &Policy::default()).is_ok());
        o.upgrade_behavior = UpgradeBehavior::Deactivate;
        assert_eq!(
            check(Some((&l, &o)), true, &req, NOW, &Policy::default()),
            Err(Refusal::Status)
        );
    }

    #[test]
    fn udf_1_only_named_fields_change() {
        let mut current = UserDefinedFields::default();
        current.chars[0] = Some("keep".into());
        current.chars[1] = Some("old".into());
        current.nums[0] = Some(7);
        current.nums[1] = Some(8);
        let mut changes = UdfChanges::default();
        changes.chars[1] = Some(Some("new".into()));
        changes.chars[2] = Some(Some("added".into()));
        changes.nums[1] = Some(None);
        let next = changes.apply(&current);
        assert_eq!(next.chars[0].as_deref(), Some("keep"));
        assert_eq!(next.chars[1].as_deref(), Some("new"));
        assert_eq!(next.chars[2].as_deref(), Some("added"));
        assert_eq!(next.nums, [Some(7), None, None, None, None]);
    }
}
