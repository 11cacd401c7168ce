//! CustomerSearch(S) (wire.md §3.8): the triple + Email; answers the author's
//! customers whose e-mail equals it ignoring case, up to 100, lowest ID first (none
//! is ResultCode 0 with no Customer). Needs View Customers.

use unlockd_core::pp4_post::MAX_CONTACT_LEN;

use super::Outputs;
use crate::error::InputError;
use crate::fields::Fields;
use crate::license_service::authenticate;
use crate::service::{CustomerService, Permission};

/// Searches the authenticated author's customers by e-mail.
pub(super) async fn run<S: CustomerService>(svc: &S, fields: &Fields<'_>) -> Outputs {
    let email = fields
        .bounded("Email", MAX_CONTACT_LEN)?
        .ok_or(InputError::Missing("Email"))?;
    let author = authenticate(svc, fields, Permission::ViewCustomers).await?;
    Ok(svc.search_customers(author, email).await?)
}
