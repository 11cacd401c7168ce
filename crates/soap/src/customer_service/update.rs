//! CustomerUpdate(S) (wire.md §3.8): the triple + `Customer` with CustomerID; present
//! children replace the stored values, absent ones stay (ACT-6 as in CustomerAdd).
//! Another author's customer: 5042. Needs Edit Customers.

use unlockd_core::CustomerId;

use super::{record, Outputs};
use crate::error::InputError;
use crate::fields::Fields;
use crate::license_service::authenticate;
use crate::service::{CustomerService, Permission};

/// Changes the customer and answers it as stored.
pub(super) async fn run<S: CustomerService>(svc: &S, fields: &Fields<'_>) -> Outputs {
    let customer = fields
        .element("Customer")?
        .ok_or(InputError::Missing("Customer"))?;
    let customer = Fields::new(customer);
    let id = customer.parse_required("CustomerID", CustomerId::parse)?;
    let changes = record::changes(&customer)?;
    let author = authenticate(svc, fields, Permission::EditCustomers).await?;
    Ok(vec![svc.update_customer(author, id, changes).await?])
}
