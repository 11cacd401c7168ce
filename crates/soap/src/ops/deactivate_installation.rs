//! DeactivateInstallation: give a seat back (wire.md §3.4, rules DEA-1).

use unlockd_core::deactivation::DeactivationRequest;
use unlockd_core::{ComputerKey, InstallationId, Refusal, SessionCode};

use super::{Failed, OpContext, Reply};
use crate::error::{InputError, OpError, Refused};
use crate::fields::Fields;
use crate::service::ActivationService;
use crate::value;
use crate::xml::XmlWriter;

/// A parsed DeactivateInstallation request.
#[derive(Debug)]
pub(crate) struct DeactivateInstallation {
    installation_id: InstallationId,
    key: Option<ComputerKey>,
}

impl DeactivateInstallation {
    /// Reads the §3.4 input fields.
    pub(crate) fn parse(f: &Fields<'_>) -> Result<Self, InputError> {
        f.parse("SessionCode", SessionCode::parse)?;
        Ok(Self {
            installation_id: f.parse_required("InstallationID", InstallationId::parse)?,
            key: f.optional_key()?,
        })
    }

    /// The installation to deactivate.
    pub(crate) fn installation_id(&self) -> InstallationId {
        self.installation_id
    }

    /// Deactivates and writes DeactivatedDate, ActivationsLeft and DeactivationsLeft;
    /// on 5016 only the original DeactivatedDate.
    #[tracing::instrument(skip_all, fields(installation_id = %self.installation_id))]
    pub(crate) async fn apply<S: ActivationService>(
        self,
        svc: &S,
        ctx: OpContext<'_>,
    ) -> Result<Reply, Failed> {
        let request = DeactivationRequest {
            installation_id: self.installation_id,
            key: self.key,
            client_time: ctx.client_time,
        };
        match svc.deactivate(request, ctx.request).await {
            Ok(done) => {
                let mut w = XmlWriter::fragment();
                w.element("DeactivatedDate", &value::format_date_time(done.at))
                    .element("ActivationsLeft", &done.activations_left.to_string())
                    .element("DeactivationsLeft", &done.deactivations_left.to_string());
                Ok(Reply {
                    update_counter: Some(done.update_counter),
                    outputs: w.finish(),
                })
            }
            Err(error) => {
                let error = OpError::from(error);
                let mut w = XmlWriter::fragment();
                if let OpError::Refused(Refused::Rules(Refusal::InstallationDeactivated { at })) =
                    &error
                {
                    w.element("DeactivatedDate", &value::format_date_time(*at));
                }
                Err(Failed {
                    error,
                    outputs: w.finish(),
                })
            }
        }
    }
}
