//! UpdateCheck(S) (wire.md §3.7), client mode (errata E-15): root `LicenseUpdateCheck`
//! with LicenseID and Password (ACT-3), optional ProductID (A3) and ProductVersion
//! (VER-2: anything unusable counts as no version, errata E-7); ProductName and
//! LanguageCode are read by nobody. Client codes: 5010 bad credentials, 5008 another
//! product. Out LicenseStatus, ReplacedBy (0 none, E-21), LicenseUpdate, LatestVersion,
//! ActionToTake (0/1/2), URLInfo, URLFile, LatestFreeVersion opt, ReleaseDate opt (a
//! day, E-19), ShortMessage. The decision is `unlockd_core::update_check`.

use unlockd_core::{LicenseId, Password, ProductId, Version};

use super::Outputs;
use crate::error::InputError;
use crate::fields::Fields;
use crate::service::{BackOfficeService, UpdateCheckRequest, UpdateReport};
use crate::value;
use crate::xml::XmlWriter;

/// Runs the check and writes its outputs.
pub(super) async fn run<S: BackOfficeService>(svc: &S, fields: &Fields<'_>) -> Outputs {
    let license_id = fields.parse_required("LicenseID", LicenseId::parse)?;
    let password = fields
        .parse("Password", Password::parse)?
        .ok_or(InputError::Missing("Password"))?;
    let product_id = fields.parse("ProductID", ProductId::parse)?;
    let version = fields
        .text("ProductVersion")?
        .and_then(Version::parse_request);
    let req = UpdateCheckRequest {
        password,
        product_id,
        version,
    };
    let report = svc.update_check(license_id, req).await?;
    Ok(outputs(&report))
}

fn outputs(r: &UpdateReport) -> String {
    let u = &r.updates;
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    let mut w = XmlWriter::fragment();
    w.element("LicenseStatus", r.status.name())
        .element(
            "ReplacedBy",
            &r.replaced_by.map_or(0, |o| o.get()).to_string(),
        )
        .element("LicenseUpdate", &r.license_update)
        .element(
            "LatestVersion",
            &u.latest_version.map(|v| v.to_string()).unwrap_or_default(),
        )
        .element("ActionToTake", &r.action.code().to_string())
        .element("URLInfo", &text(&u.url_info))
        .element("URLFile", &text(&u.url_file));
    if let Some(free) = u.latest_free_version {
        w.element("LatestFreeVersion", &free.to_string());
    }
    if let Some(day) = u.release_date {
        w.element("ReleaseDate", &value::format_day(day));
    }
    w.element("ShortMessage", &text(&u.short_message));
    w.finish()
}
