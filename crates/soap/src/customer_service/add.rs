//! CustomerAdd(S) (wire.md §3.8): the triple + `Customer`; creates a customer of the
//! author (absent fields empty; registered once contact data is entered unless
//! `Registered` says otherwise, rules ACT-6) and answers it. Needs Add Single
//! Customer [confirmed].

use super::{record, Outputs};
use crate::error::InputError;
use crate::fields::Fields;
use crate::license_service::authenticate;
use crate::service::{CustomerService, Permission};

/// Creates the customer.
pub(super) async fn run<S: CustomerService>(svc: &S, fields: &Fields<'_>) -> Outputs {
    let customer = fields
        .element("Customer")?
        .ok_or(InputError::Missing("Customer"))?;
    let changes = record::changes(&Fields::new(customer))?;
    let author = authenticate(svc, fields, Permission::AddSingleCustomer).await?;
    Ok(vec![svc.add_customer(author, changes).await?])
}
