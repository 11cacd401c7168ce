//! GetLicenseFile: XmlLicenseFileService's refresh of an installation's license file
//! (wire.md §3.6, §5.4; rules CHK-1). The answer is the license file of §3.2 with the
//! license's UpdateCounter moved by one (§7.3).

use unlockd_core::refresh::RefreshRequest;
use unlockd_core::{InstallationId, LicenseId, SessionCode};

use super::activate_installation_license_file::seal_license;
use super::{Failed, OpContext, Reply};
use crate::error::InputError;
use crate::fields::Fields;
use crate::service::LicenseFileService;
use crate::xml::XmlWriter;

/// A parsed GetLicenseFile request.
#[derive(Debug)]
pub(crate) struct GetLicenseFile {
    request: RefreshRequest,
}

impl GetLicenseFile {
    /// Reads InstallationID, LicenseID (must own it, else 5015), SessionCode (required;
    /// the frame echoes it) and SystemIdentifiers (checked against the installation's,
    /// 5007 on mismatch).
    pub(crate) fn parse(f: &Fields<'_>) -> Result<Self, InputError> {
        f.parse_required("SessionCode", SessionCode::parse)?;
        Ok(Self {
            request: RefreshRequest {
                installation_id: f.parse_required("InstallationID", InstallationId::parse)?,
                license_id: f.parse("LicenseID", LicenseId::parse)?,
                key: f.optional_key()?,
                client_time: None,
            },
        })
    }

    /// The installation asked about.
    pub(crate) fn installation_id(&self) -> InstallationId {
        self.request.installation_id
    }

    /// The license the client named, if any.
    pub(crate) fn license_id(&self) -> Option<LicenseId> {
        self.request.license_id
    }

    /// Refreshes and writes `License` (an encrypted, signed SoftwareKey document).
    #[tracing::instrument(skip_all, fields(installation_id = %self.request.installation_id))]
    pub(crate) async fn apply<S: LicenseFileService>(
        self,
        svc: &S,
        ctx: OpContext<'_>,
    ) -> Result<Reply, Failed> {
        let request = RefreshRequest {
            client_time: ctx.client_time,
            ..self.request
        };
        let keys = ctx.keys;
        let data = svc.refresh_license_file(request, ctx.request).await?;
        let license = seal_license(&data, svc.now(), keys)?;
        let mut w = XmlWriter::fragment();
        w.start("License", &[]).raw(&license).end("License");
        Ok(Reply {
            update_counter: Some(data.update_counter),
            outputs: w.finish(),
        })
    }
}
