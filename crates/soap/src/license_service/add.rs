//! Add(S) (wire.md §3.7): one license on an option of the author for an existing
//! customer; needs Add Licenses. Root `LicenseAdd`; the answer carries the License.

use unlockd_core::license_record::UserDefinedFields;
use unlockd_core::{CustomerId, LicenseId, LicenseStatus, OptionId, ParseError};

use super::record::{self, View};
use super::{authenticate, opt_int, Outputs};
use crate::error::InputError;
use crate::fields::Fields;
use crate::service::{BackOfficeService, LicenseAdd, Permission};
use crate::value;

/// Field limits of §3.7.
const MAX_PASSWORD: usize = 32;
const MAX_INVOICE: usize = 50;
const MAX_NOTES: usize = 4000;
const MAX_CUSTOM_DATA: usize = 65_536;
const MAX_UDEF_CHAR: usize = 255;

/// UDefChar1..10 and UDefNum1..5.
const UDEF_CHARS: [&str; 10] = [
    "UDefChar1",
    "UDefChar2",
    "UDefChar3",
    "UDefChar4",
    "UDefChar5",
    "UDefChar6",
    "UDefChar7",
    "UDefChar8",
    "UDefChar9",
    "UDefChar10",
];
const UDEF_NUMS: [&str; 5] = ["UDefNum1", "UDefNum2", "UDefNum3", "UDefNum4", "UDefNum5"];

/// Parses, authenticates and creates the license.
pub(super) async fn run<S: BackOfficeService>(svc: &S, fields: &Fields<'_>) -> Outputs {
    let add = parse(fields)?;
    let author = authenticate(svc, fields, Permission::AddLicenses).await?;
    let created = svc.add_license(author, add).await?;
    Ok(record::license(&created, View::BackOffice))
}

fn parse(f: &Fields<'_>) -> Result<LicenseAdd, InputError> {
    let non_negative = |name: &'static str| -> Result<Option<i32>, InputError> {
        match opt_int(f, name)? {
            Some(v) if v < 0 => Err(InputError::Invalid {
                field: name,
                cause: ParseError::Range,
            }),
            v => Ok(v),
        }
    };
    let quantity = match opt_int(f, "Quantity")? {
        None => 1,
        Some(q) if q >= 1 => q,
        Some(_) => {
            return Err(InputError::Invalid {
                field: "Quantity",
                cause: ParseError::Range,
            })
        }
    };
    Ok(LicenseAdd {
        customer_id: f.parse_required("CustomerID", CustomerId::parse)?,
        option_id: f.parse_required("ProductOptionID", OptionId::parse)?,
        quantity,
        license_id: f.parse("LicenseID", LicenseId::parse)?,
        activation_password: f.bounded("ActivationPassword", MAX_PASSWORD)?,
        // A day (errata E-19): the time part of the dateTime is dropped.
        expiration: f.parse("ExpirationDate", |s| value::date_time(s).map(|t| t.date()))?,
        status: f
            .parse("Status", |s| {
                LicenseStatus::from_name(s.trim()).ok_or(ParseError::Text)
            })?
            .unwrap_or(LicenseStatus::Ok),
        activations_left: non_negative("ActivationsLeft")?,
        deactivations_left: non_negative("DeactivationsLeft")?,
        license_counter: f.parse("LicenseCounter", |s| {
            s.trim().parse::<i64>().map_err(|_| ParseError::Integer)
        })?,
        distributor_id: f.parse("DistributorID", CustomerId::parse)?,
        invoice_number: f.bounded("InvoiceNumber", MAX_INVOICE)?,
        notes: f.bounded("Notes", MAX_NOTES)?.unwrap_or_default(),
        user_defined_fields: user_defined_fields(f)?,
        custom_data: f.bounded("CustomData", MAX_CUSTOM_DATA)?,
    })
}

/// `UserDefinedFields` (UDefChar1..10 string(255), UDefNum1..5 long), optional.
fn user_defined_fields(f: &Fields<'_>) -> Result<UserDefinedFields, InputError> {
    let mut udf = UserDefinedFields::default();
    let Some(element) = f.element("UserDefinedFields")? else {
        return Ok(udf);
    };
    let inner = Fields::new(element);
    for (slot, name) in udf.chars.iter_mut().zip(UDEF_CHARS) {
        *slot = inner.bounded(name, MAX_UDEF_CHAR)?;
    }
    for (slot, name) in udf.nums.iter_mut().zip(UDEF_NUMS) {
        *slot = inner.parse(name, |s| {
            s.trim().parse::<i64>().map_err(|_| ParseError::Integer)
        })?;
    }
    Ok(udf)
}

/// The UDF element names, for the writer.
pub(super) fn udef_names() -> ([&'static str; 10], [&'static str; 5]) {
    (UDEF_CHARS, UDEF_NUMS)
}
