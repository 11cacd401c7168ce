//! The `License` record of wire.md §3.7, in its listed order (`opt` fields omitted
//! when not set).

use unlockd_core::license_record::{LicenseRecord, UserDefinedFields};

use super::add::udef_names;
use crate::value;
use crate::xml::XmlWriter;

/// Who reads the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum View {
    /// An API user of the license's author: every field.
    BackOffice,
    /// The license's own client (InfoCheck client mode): without ActivationPassword,
    /// CustomData and AllowedActivationIPs (wire.md §3.7).
    Client,
}

/// Serialises `<License>…</License>`.
pub(super) fn license(l: &LicenseRecord, view: View) -> String {
    let full = view == View::BackOffice;
    let mut w = XmlWriter::fragment();
    w.start("License", &[])
        .element("LicenseID", &l.license_id.get().to_string());
    if full {
        w.element("ActivationPassword", &l.activation_password);
    }
    w.element("CustomerID", &l.customer_id.get().to_string())
        .element("ProductID", &l.product_id.get().to_string())
        .element("ProductOptionID", &l.option_id.get().to_string())
        .element("Quantity", &l.quantity.to_string())
        .element("Status", l.status.name())
        .element("ActivationsLeft", &l.activations_left.to_string())
        .element("DeactivationsLeft", &l.deactivations_left.to_string());
    if let Some(counter) = l.license_counter {
        w.element("LicenseCounter", &counter.to_string());
    }
    if let Some(day) = l.expiration {
        w.element("ExpirationDate", &value::format_day(day));
    }
    w.element("EnteredDate", &value::format_date_time(l.entered_date));
    if let Some(distributor) = l.distributor_id {
        w.element("DistributorID", &distributor.get().to_string());
    }
    if let Some(invoice) = &l.invoice_number {
        w.element("InvoiceNumber", invoice);
    }
    w.element("LicenseUpdate", &l.license_update);
    if let Some(ips) = l.allowed_ips.as_ref().filter(|_| full) {
        w.element("AllowedActivationIPs", ips);
    }
    let udf = &l.user_defined_fields;
    if !udf.is_empty() {
        w.raw(&user_defined_fields(udf));
    }
    if let Some(data) = l.custom_data.as_ref().filter(|_| full) {
        w.element("CustomData", data);
    }
    w.end("License");
    w.finish()
}

/// Serialises `<UserDefinedFields>` with the fields that are set, in §3.7 order.
pub(super) fn user_defined_fields(udf: &UserDefinedFields) -> String {
    let (chars, nums) = udef_names();
    let mut w = XmlWriter::fragment();
    w.start("UserDefinedFields", &[]);
    for (value, name) in udf.chars.iter().zip(chars) {
        if let Some(v) = value {
            w.element(name, v);
        }
    }
    for (value, name) in udf.nums.iter().zip(nums) {
        if let Some(v) = value {
            w.element(name, &v.to_string());
        }
    }
    w.end("UserDefinedFields");
    w.finish()
}
