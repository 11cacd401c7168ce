//! AddMultiple(S) (wire.md §3.7; seed 000, rules BLK-1..4, SEQ-1..3, PWD-1..4, INV-1,
//! DST-1, errata E-6, E-14): root `LicenseAddMultiple`; `Count` licenses of one
//! option of the author, all or nothing, one gap-free ID block. Count outside
//! 1..=`bulk_max` is 5002. Needs Add Licenses. Out: InvoiceBalanced and
//! InvoiceDifference when an invoice was named, then `Licenses/Item*`.

use std::collections::BTreeSet;

use unlockd_core::bulk::BulkCount;
use unlockd_core::invoice::Money;
use unlockd_core::password::{PasswordRules, DEFAULT_ACTIVATION_LENGTH};
use unlockd_core::{CustomerId, OptionId, ParseError};

use super::{authenticate, opt_int, Outputs};
use crate::error::InputError;
use crate::fields::Fields;
use crate::service::{AddedMultiple, BackOfficeService, LicenseAddMultiple, Permission};
use crate::value;
use crate::xml::XmlWriter;

/// Field limits of §3.7.
const MAX_INVOICE: usize = 50;
const MAX_PREFIX: usize = 20;
const MAX_NOTES: usize = 4000;
const MAX_PARAMETER_NAME: usize = 64;
const MAX_PARAMETER_VALUE: usize = 255;

/// Parses (Count against `bulk_max`), authenticates and creates the batch.
pub(super) async fn run<S: BackOfficeService>(
    svc: &S,
    fields: &Fields<'_>,
    bulk_max: u32,
) -> Outputs {
    let add = parse(fields, bulk_max)?;
    let list_customer_details = add.list_customer_details;
    let author = authenticate(svc, fields, Permission::AddLicenses).await?;
    let added = svc.add_multiple(author, add).await?;
    Ok(outputs(&added, list_customer_details))
}

fn parse(f: &Fields<'_>, bulk_max: u32) -> Result<LicenseAddMultiple, InputError> {
    let invalid = |field: &'static str, cause: ParseError| InputError::Invalid { field, cause };
    let count = f.parse_required("Count", value::int)?;
    // E-6: 1..=bulk_max over SOAP.
    let count = BulkCount::new(i64::from(count), Some(bulk_max))
        .map_err(|_| invalid("Count", ParseError::Range))?;
    let unit_price = f.parse_required("UnitPrice", |s| {
        Money::parse_non_negative(s.trim()).map_err(|_| ParseError::Range)
    })?;
    let prefix = f.bounded("PasswordPrefix", MAX_PREFIX)?.unwrap_or_default();
    let length = match opt_int(f, "PasswordLength")? {
        None => None,
        Some(l) => {
            Some(usize::try_from(l).map_err(|_| invalid("PasswordLength", ParseError::Range))?)
        }
    };
    let flag = |name: &'static str| -> Result<bool, InputError> {
        Ok(f.parse(name, value::boolean)?.unwrap_or(false))
    };
    // PWD-1..3 and E-14 (prefix characters, L ≤ 32 for activation passwords).
    let passwords = PasswordRules::new(
        &prefix,
        length,
        flag("NumericPassword")?,
        flag("UsePasswordRulesForActivationPassword")?,
        DEFAULT_ACTIVATION_LENGTH,
    )
    .map_err(|_| invalid("PasswordLength", ParseError::Range))?;
    Ok(LicenseAddMultiple {
        option_id: f.parse_required("ProductOptionID", OptionId::parse)?,
        count,
        unit_price,
        customer_id: f.parse("CustomerID", CustomerId::parse)?,
        invoice_number: f.bounded("InvoiceNumber", MAX_INVOICE)?,
        passwords,
        distributor_id: f.parse("DistributorID", CustomerId::parse)?,
        notes: f.bounded("LicenseNotes", MAX_NOTES)?.unwrap_or_default(),
        list_customer_details: flag("ListCustomerDetails")?,
        sequential: flag("ReqSequential")?,
        parameters: parameters(f)?,
    })
}

/// `CustomParameters/Parameter*` with `@name` string(64) and text string(255); a name
/// given twice is 5002.
fn parameters(f: &Fields<'_>) -> Result<Vec<(String, String)>, InputError> {
    const FIELD: &str = "CustomParameters";
    let invalid = || InputError::Invalid {
        field: FIELD,
        cause: ParseError::Text,
    };
    let Some(list) = f.element(FIELD)? else {
        return Ok(Vec::new());
    };
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for p in list.children.iter().filter(|c| c.is(None, "Parameter")) {
        let name = p
            .attributes
            .iter()
            .find(|a| a.name == "name" && a.namespace.is_none())
            .map(|a| a.value.as_str())
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(invalid)?;
        let name = value::bounded(name, MAX_PARAMETER_NAME).map_err(|_| invalid())?;
        let text = value::bounded(&p.text, MAX_PARAMETER_VALUE).map_err(|_| invalid())?;
        if !seen.insert(name.to_owned()) {
            return Err(InputError::Duplicate("Parameter"));
        }
        out.push((name.to_owned(), text.to_owned()));
    }
    Ok(out)
}

/// InvoiceBalanced, InvoiceDifference (opt), `Licenses/Item*`; CustomerPassword only
/// for new customers when ListCustomerDetails is set (BLK-4).
fn outputs(added: &AddedMultiple, list_customer_details: bool) -> String {
    let mut w = XmlWriter::fragment();
    if let Some(balance) = added.balance {
        w.element("InvoiceBalanced", value::format_bool(balance.is_balanced()))
            .element("InvoiceDifference", &balance.difference().to_string());
    }
    w.start("Licenses", &[]);
    for l in &added.licenses {
        w.start("Item", &[])
            .element("LicenseID", &l.license_id.get().to_string())
            .element("ActivationPassword", &l.activation_password)
            .element("CustomerID", &l.customer_id.get().to_string());
        if let Some(password) = l
            .customer_password
            .as_ref()
            .filter(|_| list_customer_details)
        {
            w.element("CustomerPassword", password);
        }
        w.end("Item");
    }
    w.end("Licenses");
    w.finish()
}
