//! InfoCheck(S) in back-office mode (wire.md §3.7): LicenseID plus the API user's
//! triple; out the License record. Needs View Licenses. The client mode (LicenseID +
//! Password, errata E-15) is not served by this version: without the triple it is 5002.

use unlockd_core::LicenseId;

use super::{authenticate, record, Outputs};
use crate::fields::Fields;
use crate::service::{BackOfficeService, Permission};

/// Reads the license of the authenticated author.
pub(super) async fn run<S: BackOfficeService>(svc: &S, fields: &Fields<'_>) -> Outputs {
    let license_id = fields.parse_required("LicenseID", LicenseId::parse)?;
    let author = authenticate(svc, fields, Permission::ViewLicenses).await?;
    let license = svc.license_info(author, license_id).await?;
    Ok(record::license(&license))
}
