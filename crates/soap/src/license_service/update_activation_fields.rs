//! UpdateActivationFields(S) (wire.md §3.7): the call that changes a license's
//! Status, and its ActivationsLeft, DeactivationsLeft, LicenseCounter,
//! ExpirationDate, AllowedActivationIPs and LicenseUpdate. An absent element leaves
//! its field unchanged; an empty ExpirationDate or AllowedActivationIPs clears it.
//! Needs Edit Licenses; a transition errata E-18 forbids (leaving Delete, setting
//! Upgrade outside UPG-2) is 5045. Out: the License record.

use unlockd_core::license_record::ActivationFieldChanges;
use unlockd_core::{ip, LicenseId, LicenseStatus, ParseError};

use super::record::{self, View};
use super::{authenticate, opt_int, Outputs};
use crate::error::InputError;
use crate::fields::Fields;
use crate::service::{BackOfficeService, Permission};
use crate::value;

/// Most characters of AllowedActivationIPs (wire.md §3.7).
const MAX_ALLOWED_IPS: usize = 1024;
/// Most characters of LicenseUpdate (wire.md §3.7).
const MAX_LICENSE_UPDATE: usize = 55;

/// Parses, authenticates and applies the changes under the license lock.
pub(super) async fn run<S: BackOfficeService>(svc: &S, fields: &Fields<'_>) -> Outputs {
    let license_id = fields.parse_required("LicenseID", LicenseId::parse)?;
    let changes = parse(fields)?;
    let author = authenticate(svc, fields, Permission::EditLicenses).await?;
    let license = svc
        .update_activation_fields(author, license_id, changes)
        .await?;
    Ok(record::license(&license, View::BackOffice))
}

fn parse(f: &Fields<'_>) -> Result<ActivationFieldChanges, InputError> {
    let at_least = |name: &'static str, min: i32| -> Result<Option<i32>, InputError> {
        match opt_int(f, name)? {
            Some(v) if v < min => Err(InputError::Invalid {
                field: name,
                cause: ParseError::Range,
            }),
            v => Ok(v),
        }
    };
    Ok(ActivationFieldChanges {
        status: f.parse("Status", |s| {
            LicenseStatus::from_name(s.trim()).ok_or(ParseError::Text)
        })?,
        // CON-2: left ≥ 0, dl ≥ −1 (unlimited), counter ≥ 0.
        activations_left: at_least("ActivationsLeft", 0)?,
        deactivations_left: at_least("DeactivationsLeft", -1)?,
        license_counter: f.parse("LicenseCounter", |s| {
            s.trim()
                .parse::<i64>()
                .map_err(|_| ParseError::Integer)
                .and_then(|v| if v < 0 { Err(ParseError::Range) } else { Ok(v) })
        })?,
        // A day (errata E-19): the time part is dropped.
        expiration: clearable(f, "ExpirationDate", |s| {
            value::date_time(s).map(|t| t.date())
        })?,
        // IP-1: malformed entries are refused on save.
        allowed_ips: clearable(f, "AllowedActivationIPs", |s| {
            let text = value::bounded(s, MAX_ALLOWED_IPS)?;
            ip::parse_allowed(text).map_err(|_| ParseError::Text)?;
            Ok(text.to_owned())
        })?,
        license_update: match f.element("LicenseUpdate")? {
            None => None,
            Some(_) => Some(
                f.bounded("LicenseUpdate", MAX_LICENSE_UPDATE)?
                    .unwrap_or_default(),
            ),
        },
    })
}

/// An element that is absent (`None`: unchanged), empty (`Some(None)`: cleared) or
/// holds a value.
fn clearable<T>(
    f: &Fields<'_>,
    name: &'static str,
    parse: impl FnOnce(&str) -> Result<T, ParseError>,
) -> Result<Option<Option<T>>, InputError> {
    if f.element(name)?.is_none() {
        return Ok(None);
    }
    Ok(Some(f.parse(name, parse)?))
}
