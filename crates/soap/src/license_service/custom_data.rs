//! GetLicenseCustomData(S) and UpdateLicenseCustomData(S) (wire.md §3.7): in
//! LicenseID (+ LicenseCustomData string(65536), Format `Text`|`Xml` for the update);
//! out LicenseID (+ LicenseCustomData, Format for the read). `Xml` data must be a
//! well-formed fragment under the hardening rules of §2.6, else 5002.

use unlockd_core::license_record::{CustomData, CustomDataFormat};
use unlockd_core::{LicenseId, ParseError};

use super::{authenticate, Outputs};
use crate::error::InputError;
use crate::fields::Fields;
use crate::service::{BackOfficeService, Permission};
use crate::xml::{self, Limits, XmlWriter};

/// Most characters of `LicenseCustomData`.
const MAX_CUSTOM_DATA: usize = 65_536;

/// GetLicenseCustomData: needs View Licenses.
pub(super) async fn get<S: BackOfficeService>(svc: &S, fields: &Fields<'_>) -> Outputs {
    let license_id = fields.parse_required("LicenseID", LicenseId::parse)?;
    let author = authenticate(svc, fields, Permission::ViewLicenses).await?;
    let custom = svc.license_custom_data(author, license_id).await?;
    let mut w = XmlWriter::fragment();
    w.element("LicenseID", &license_id.get().to_string())
        .element(
            "LicenseCustomData",
            custom.data.as_deref().unwrap_or_default(),
        )
        .element("Format", custom.format.name());
    Ok(w.finish())
}

/// UpdateLicenseCustomData: needs Edit Licenses; absent or empty data clears it.
pub(super) async fn update<S: BackOfficeService>(svc: &S, fields: &Fields<'_>) -> Outputs {
    let license_id = fields.parse_required("LicenseID", LicenseId::parse)?;
    let format = fields
        .parse("Format", |s| {
            CustomDataFormat::from_name(s.trim()).ok_or(ParseError::Text)
        })?
        .unwrap_or_default();
    let data = fields.bounded("LicenseCustomData", MAX_CUSTOM_DATA)?;
    if format == CustomDataFormat::Xml {
        if let Some(fragment) = &data {
            check_fragment(fragment)?;
        }
    }
    let author = authenticate(svc, fields, Permission::EditLicenses).await?;
    svc.update_license_custom_data(author, license_id, CustomData { data, format })
        .await?;
    let mut w = XmlWriter::fragment();
    w.element("LicenseID", &license_id.get().to_string());
    Ok(w.finish())
}

/// A well-formed fragment: parses under a wrapper with the default limits (§2.6).
fn check_fragment(fragment: &str) -> Result<(), InputError> {
    let wrapped = format!("<f>{fragment}</f>");
    xml::parse(wrapped.as_bytes(), &Limits::default())
        .map(|_| ())
        .map_err(|_| InputError::Invalid {
            field: "LicenseCustomData",
            cause: ParseError::Text,
        })
}
