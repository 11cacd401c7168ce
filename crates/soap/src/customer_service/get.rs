//! GetCustomerDataByAuthor(S) (wire.md §3.8): AuthorID, UserID, UserPassword,
//! CustomerID; answers the customer if it is the author's, else 5042. Needs View
//! Customers.

use unlockd_core::CustomerId;

use super::Outputs;
use crate::fields::Fields;
use crate::license_service::authenticate;
use crate::service::{CustomerService, Permission};

/// Reads one customer of the authenticated author.
pub(super) async fn run<S: CustomerService>(svc: &S, fields: &Fields<'_>) -> Outputs {
    let id = fields.parse_required("CustomerID", CustomerId::parse)?;
    let author = authenticate(svc, fields, Permission::ViewCustomers).await?;
    Ok(vec![svc.customer(author, id).await?])
}
