//! The `Customer` element of wire.md §3.8: written in its listed order, and read as
//! the changes of a CustomerAdd / CustomerUpdate (a present element, even empty,
//! replaces the stored value; an absent one leaves it).

use unlockd_core::customer_record::{CustomerChanges, CustomerRecord};
use unlockd_core::pp4_post::MAX_CONTACT_LEN;

use crate::error::InputError;
use crate::fields::Fields;
use crate::value;
use crate::xml::XmlWriter;

/// Writes `<Customer>…</Customer>`.
pub(super) fn write(w: &mut XmlWriter, c: &CustomerRecord) {
    let contact = &c.contact;
    w.start("Customer", &[])
        .element("CustomerID", &c.customer_id.get().to_string())
        .element("CompanyName", &contact.company_name)
        .element("FirstName", &contact.first_name)
        .element("LastName", &contact.last_name)
        .element("Address1", &contact.address1)
        .element("Address2", &contact.address2)
        .element("City", &contact.city)
        .element("State", &contact.state)
        .element("PostalCode", &contact.postal_code)
        .element("Country", &contact.country)
        .element("Phone", &contact.phone)
        .element("Fax", &contact.fax)
        .element("Email", &contact.email)
        .element("Registered", value::format_bool(c.registered))
        .element("EnteredDate", &value::format_date_time(c.entered_date))
        .end("Customer");
}

/// Reads the children of a `Customer` element as changes; every text field is a
/// string(255) without NUL (wire.md §3.8 Email; ours for the rest; errata E-17).
pub(super) fn changes(f: &Fields<'_>) -> Result<CustomerChanges, InputError> {
    let text = |name: &'static str| -> Result<Option<String>, InputError> {
        f.element(name)?
            .map(|e| {
                value::bounded(&e.text, MAX_CONTACT_LEN)
                    .map(str::to_owned)
                    .map_err(|cause| InputError::Invalid { field: name, cause })
            })
            .transpose()
    };
    Ok(CustomerChanges {
        company_name: text("CompanyName")?,
        first_name: text("FirstName")?,
        last_name: text("LastName")?,
        address1: text("Address1")?,
        address2: text("Address2")?,
        city: text("City")?,
        state: text("State")?,
        postal_code: text("PostalCode")?,
        country: text("Country")?,
        phone: text("Phone")?,
        fax: text("Fax")?,
        email: text("Email")?,
        registered: f.parse("Registered", value::boolean)?,
    })
}
