//! InfoCheck(S) (wire.md §3.7). Back-office mode: LicenseID plus the API user's
//! triple, needs View Licenses, out the whole License record. Client mode: LicenseID
//! plus `Password` (the Activation or customer password, ACT-3) and no `AuthorID`;
//! it uses the client codes (errata E-15: 5010 for unknown license or wrong password,
//! ERR-1) and answers the License without ActivationPassword, CustomData and
//! AllowedActivationIPs. Either mode reports any status (a query, like the PP4 status
//! script: no STS gate).

use unlockd_core::{LicenseId, Password};

use super::record::{self, View};
use super::{authenticate, Outputs};
use crate::fields::Fields;
use crate::service::{BackOfficeService, Permission};

/// Reads the license in the mode the document asks for.
pub(super) async fn run<S: BackOfficeService>(svc: &S, fields: &Fields<'_>) -> Outputs {
    let license_id = fields.parse_required("LicenseID", LicenseId::parse)?;
    if fields.element("AuthorID")?.is_none() {
        if let Some(password) = fields.parse("Password", Password::parse)? {
            let license = svc.license_info_for_client(license_id, password).await?;
            return Ok(record::license(&license, View::Client));
        }
    }
    let author = authenticate(svc, fields, Permission::ViewLicenses).await?;
    let license = svc.license_info(author, license_id).await?;
    Ok(record::license(&license, View::BackOffice))
}
