//! CheckInstallationStatus: is this installation still active? (wire.md §3.3, rules
//! CHK-1). Changes only a last-seen time.

use unlockd_core::status_check::{CheckRefused, CheckRequest, InstallationStatus};
use unlockd_core::{ComputerKey, InstallationId, SessionCode};

use super::{Failed, OpContext, Reply};
use crate::error::{InputError, OpError};
use crate::fields::Fields;
use crate::service::ActivationService;
use crate::value;
use crate::xml::XmlWriter;

/// A parsed CheckInstallationStatus request.
#[derive(Debug)]
pub(crate) struct CheckInstallationStatus {
    installation_id: InstallationId,
    key: Option<ComputerKey>,
}

impl CheckInstallationStatus {
    /// Reads the §3.3 input fields (ProductVersion is accepted and not used).
    pub(crate) fn parse(f: &Fields<'_>) -> Result<Self, InputError> {
        f.parse("SessionCode", SessionCode::parse)?;
        Ok(Self {
            installation_id: f.parse_required("InstallationID", InstallationId::parse)?,
            key: f.optional_key()?,
        })
    }

    /// The installation asked about.
    pub(crate) fn installation_id(&self) -> InstallationId {
        self.installation_id
    }

    /// Checks and writes LicenseID, InstallationID, LicenseStatus, ExpirationDate,
    /// DeactivatedDate and LicenseUpdate (also on 5016 and 5017).
    #[tracing::instrument(skip_all, fields(installation_id = %self.installation_id))]
    pub(crate) async fn apply<S: ActivationService>(
        self,
        svc: &S,
        ctx: OpContext<'_>,
    ) -> Result<Reply, Failed> {
        let request = CheckRequest {
            installation_id: self.installation_id,
            key: self.key,
            client_time: ctx.client_time,
        };
        match svc.check_installation(request, ctx.request).await? {
            Ok(status) => Ok(Reply {
                update_counter: None,
                outputs: outputs(&status),
            }),
            Err(CheckRefused { refusal, info }) => Err(Failed {
                error: OpError::from(refusal),
                outputs: info.as_ref().map(outputs).unwrap_or_default(),
            }),
        }
    }
}

fn outputs(s: &InstallationStatus) -> String {
    let mut w = XmlWriter::fragment();
    w.element_display("LicenseID", s.license_id)
        .element_display("InstallationID", s.installation_id)
        .element("LicenseStatus", s.status.name());
    if let Some(expiration) = s.expiration {
        w.element("ExpirationDate", &value::format_day(expiration));
    }
    if let Some(at) = s.deactivated_at {
        w.element("DeactivatedDate", &value::format_date_time(at));
    }
    w.element("LicenseUpdate", &s.license_update);
    w.finish()
}
