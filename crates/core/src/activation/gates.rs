//! The refusing checks of the ACT-2 pipeline that stage nothing but the expiry reset:
//! A1 shape, A3 scope, A4 type, A5 clock, A7 registration, A8 ban, A9 version,
//! A11 expiry.

use time::{Date, Duration, OffsetDateTime};

use super::{ActivationRequest, Policy};
use crate::clock;
use crate::ids::ComputerKey;
use crate::model::{
    ActivationPath, ActivationRecord, LicenseState, OptionRules, OptionType, RecordState,
};
use crate::refusal::Refusal;
use crate::trigger::TriggerCodeAlgorithm;
use crate::version::Version;

/// The trigger-code inputs A1 proved present: (User Code 1, Computer ID).
#[derive(Debug, Clone, Copy)]
pub(super) struct TriggerInputs {
    pub(super) session: i32,
    pub(super) computer: i32,
}

/// A1: the newtypes already guarantee id > 0 and a non-empty password. The
/// trigger-code path needs User Code 1 (E-PARAM) and a non-zero Computer ID
/// (E-COMPID, ref); the license-file path needs its session code (E-PARAM).
pub(super) fn shape(req: &ActivationRequest) -> Result<Option<TriggerInputs>, Refusal> {
    match req.path {
        ActivationPath::TriggerCode => {
            let session = req.user_code1.ok_or(Refusal::Param)?;
            match req.key {
                ComputerKey::ComputerId(c) if c.get() != 0 => Ok(Some(TriggerInputs {
                    session,
                    computer: c.get(),
                })),
                _ => Err(Refusal::ComputerId),
            }
        }
        ActivationPath::LicenseFile => match req.session_code {
            Some(_) => Ok(None),
            None => Err(Refusal::Param),
        },
    }
}

/// A3: product and option, when given, are the license's (E-PRODUCT).
pub(super) fn scope(license: &LicenseState, req: &ActivationRequest) -> Result<(), Refusal> {
    let product_ok = req.product_id.is_none_or(|p| p == license.product_id);
    let option_ok = req.option_id.is_none_or(|o| o == license.option_id);
    if product_ok && option_ok {
        Ok(())
    } else {
        Err(Refusal::Product)
    }
}

/// A4, ACT-4 type × path: PLUS types on both paths; TcValidation on the trigger-code
/// path only (TC-4); VolumeLicense on the license-file path only, and after its first
/// file only with Allow Reactivations (VOL-1); no-licensing types never (E-OPTTYPE).
pub(super) fn option_type(
    rules: &OptionRules,
    path: ActivationPath,
    has_grant: bool,
) -> Result<(), Refusal> {
    use OptionType as T;
    let ok = match (rules.option_type, path) {
        (
            T::ActivationCode
            | T::ActivationCodeWithQuantity
            | T::ActivationCodeWithFixedValue
            | T::ActivationCodeWithDaysLeft
            | T::ActivationCodeWithLicenseCounter,
            _,
        ) => true,
        (T::DownloadableLicenseWithTriggerCodeValidation, ActivationPath::TriggerCode) => true,
        (T::VolumeLicense, ActivationPath::LicenseFile) => !has_grant || rules.allow_reactivation,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Refusal::OptionType)
    }
}

/// A5, CLK-1 with E-1: the session date (trigger-code path, except TcValidation whose
/// User Code 1 is the License ID) within one whole UTC day, and the ClientTimestamp
/// within the policy tolerance (E-CLOCK).
pub(super) fn clock(
    trigger: Option<TriggerInputs>,
    rules: &OptionRules,
    client_time: Option<OffsetDateTime>,
    now: OffsetDateTime,
    today: Date,
    policy: &Policy,
    alg: &dyn TriggerCodeAlgorithm,
) -> Result<(), Refusal> {
    if let Some(t) = trigger {
        if rules.option_type != OptionType::DownloadableLicenseWithTriggerCodeValidation {
            let date = alg.session_date(t.session);
            if policy.offline {
                clock::check_session_date_not_ahead(date, today)?;
            } else {
                clock::check_session_date(date, today)?;
            }
        }
    }
    if policy.offline {
        clock::check_client_time_not_ahead(client_time, now, policy.clock_tolerance)
    } else {
        clock::check_client_time(client_time, now, policy.clock_tolerance)
    }
}

/// A7, ACT-6: `require_registration` ⇒ the customer is registered (E-UNREG).
pub(super) fn registration(req: &ActivationRequest, license: &LicenseState) -> Result<(), Refusal> {
    if req.require_registration && !license.customer_registered {
        Err(Refusal::Unregistered)
    } else {
        Ok(())
    }
}

/// A8, REA-4: with IID, a key equal to any Banned record's ⇒ E-BANNED, regardless of
/// REA and left.
pub(super) fn ban(
    rules: &OptionRules,
    records: &[ActivationRecord],
    key: &ComputerKey,
) -> Result<(), Refusal> {
    let banned = rules.issue_installation_id
        && records
            .iter()
            .any(|r| matches!(r.state, RecordState::Banned { .. }) && r.key.same_computer(key));
    if banned {
        Err(Refusal::Banned)
    } else {
        Ok(())
    }
}

/// A9, VER-3: no minimum passes; a minimum with no version, or a lower one, is
/// E-VERSION carrying the minimum and URL; equal passes.
pub(super) fn version(rules: &OptionRules, version: Option<Version>) -> Result<(), Refusal> {
    match rules.min_version {
        Some(minimum) if version.is_none_or(|v| v < minimum) => Err(Refusal::Version {
            minimum,
            url: rules.min_version_url.clone(),
        }),
        _ => Ok(()),
    }
}

/// A11, EXP-2: Reset on, n > 0 and no earlier grant ⇒ expiration := max(existing,
/// today + n). A perpetual license stays perpetual; `Some` only when the date moves.
/// The store commits it only with the grant.
pub(super) fn expiration_reset(
    license: &LicenseState,
    rules: &OptionRules,
    has_grant: bool,
    today: Date,
) -> Result<Option<Date>, Refusal> {
    if !rules.reset_expiration || rules.days_to_download == 0 || has_grant {
        return Ok(None);
    }
    let Some(existing) = license.expiration else {
        return Ok(None);
    };
    let reset = today
        .checked_add(Duration::days(i64::from(rules.days_to_download)))
        .ok_or(Refusal::Config)?;
    Ok((reset > existing).then_some(reset))
}
