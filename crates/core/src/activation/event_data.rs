//! A15: TC-2 event data and TC-3 trigger codes.

use time::Date;

use crate::ids::LicenseId;
use crate::model::{LicenseState, OptionRules, OptionType};
use crate::refusal::Refusal;
use crate::trigger::TriggerCodeAlgorithm;

/// The largest value a RegKey2 carries (14 bits, TC-1).
const DATA_MAX: u16 = 16_383;
/// WithLicenseCounter carries counters "less than 16383" (TC-2).
const COUNTER_MAX: i64 = 16_382;

/// TC-2 event data for the option's type. `expiration` is the license's date after a
/// staged EXP-2 reset; `today` the UTC date of the request.
pub(super) fn event_data(
    rules: &OptionRules,
    license: &LicenseState,
    expiration: Option<Date>,
    today: Date,
) -> Result<Option<u16>, Refusal> {
    use OptionType as T;
    match rules.option_type {
        // No data: RegKey2 = 0 [ours]; PLUS 5 types carry none either.
        T::ActivationCode | T::VolumeLicense | T::DownloadableLicenseWithTriggerCodeValidation => {
            Ok(None)
        }
        // QTY-3: the license quantity; above 14 bits is E-CONFIG [ours].
        T::ActivationCodeWithQuantity => u16::try_from(license.quantity)
            .ok()
            .filter(|q| *q <= DATA_MAX)
            .map(Some)
            .ok_or(Refusal::Config),
        T::ActivationCodeWithFixedValue => {
            if rules.tc_fixed_value <= DATA_MAX {
                Ok(Some(rules.tc_fixed_value))
            } else {
                Err(Refusal::Config)
            }
        }
        // EXP-4: data 0 on the day itself; no date ⇒ 16383; capped at 16383.
        T::ActivationCodeWithDaysLeft => match expiration {
            None => Ok(Some(DATA_MAX)),
            Some(end) => {
                let days = (end - today).whole_days();
                if days < 0 {
                    Err(Refusal::Expired)
                } else {
                    Ok(Some(days.min(i64::from(DATA_MAX)) as u16))
                }
            }
        },
        T::ActivationCodeWithLicenseCounter => match license.license_counter {
            Some(c) if (0..=COUNTER_MAX).contains(&c) => Ok(Some(c as u16)),
            _ => Err(Refusal::Config),
        },
        // ACT-4 refused these at A4 already.
        T::DownloadableGoods | T::ShippedGoods | T::ServiceFee => Err(Refusal::OptionType),
    }
}

/// TC-3 codes (RegKey1, RegKey2); TC-4: TcValidation uses the License ID as the
/// session whatever the client sent. No data ⇒ RegKey2 = 0.
pub(super) fn codes(
    alg: &dyn TriggerCodeAlgorithm,
    rules: &OptionRules,
    license_id: LicenseId,
    session: i32,
    computer: i32,
    data: Option<u16>,
) -> (i32, i32) {
    let session = match rules.option_type {
        OptionType::DownloadableLicenseWithTriggerCodeValidation => license_id.get(),
        _ => session,
    };
    let regkey1 = alg.generate(rules.trigger_code.get(), session, computer, rules.tc_seed);
    let regkey2 = data.map_or(0, |d| alg.encrypt(d, rules.rk2_seed));
    (regkey1, regkey2)
}
