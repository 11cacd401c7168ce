//! ActivateInstallation: PP4 trigger-code activation (wire.md §3.1, rules ACT-2 path
//! trigger-code). Answers Activation Codes 1 and 2 for User Codes 1 and 2.

use unlockd_core::activation::ActivationRequest;
use unlockd_core::{
    ActivationPath, ComputerId, ComputerKey, InstallationId, LicenseId, OptionId, Password,
    ProductId, Refusal, Version,
};

use super::{Failed, OpContext, Reply};
use crate::error::{InputError, OpError, Refused};
use crate::fields::Fields;
use crate::service::ActivationService;
use crate::value;
use crate::xml::XmlWriter;

/// A parsed ActivateInstallation request.
#[derive(Debug)]
pub(crate) struct ActivateInstallation {
    license_id: LicenseId,
    password: Password,
    product_id: Option<ProductId>,
    option_id: Option<OptionId>,
    version: Option<Version>,
    user_code1: i32,
    computer_id: ComputerId,
    require_registration: bool,
    installation_id: Option<InstallationId>,
}

impl ActivateInstallation {
    /// Reads the §3.1 input fields.
    pub(crate) fn parse(f: &Fields<'_>) -> Result<Self, InputError> {
        let request = Self {
            license_id: f.parse_required("LicenseID", LicenseId::parse)?,
            password: f.parse_required("Password", Password::parse)?,
            product_id: f.parse("ProductID", ProductId::parse)?,
            option_id: f.parse("ProductOptionID", OptionId::parse)?,
            version: f.text("ProductVersion")?.and_then(Version::parse_request),
            user_code1: f.parse_required("UserCode1", value::int)?,
            computer_id: f.parse_required("UserCode2", ComputerId::parse)?,
            require_registration: f
                .parse("RequireRegistration", value::boolean)?
                .unwrap_or(false),
            installation_id: f.parse("InstallationID", InstallationId::parse)?,
        };
        // Checked for shape only: matching is by Computer ID on this path (C-4).
        f.bounded("SerialNumber", 64)?;
        f.bounded("LicenseKey", 128)?;
        f.bounded("InstallationName", 255)?;
        f.identifiers()?;
        Ok(request)
    }

    /// The license asked for.
    pub(crate) fn license_id(&self) -> LicenseId {
        self.license_id
    }

    /// The installation the client named (logged only).
    pub(crate) fn installation_id(&self) -> Option<InstallationId> {
        self.installation_id
    }

    /// Activates and writes InstallationID, ActivationCode1/2, LicenseUpdate,
    /// ActivationsLeft and the minimum version (also on 5013).
    #[tracing::instrument(skip_all, fields(license_id = %self.license_id))]
    pub(crate) async fn apply<S: ActivationService>(
        self,
        svc: &S,
        ctx: OpContext<'_>,
    ) -> Result<Reply, Failed> {
        let request = ActivationRequest {
            license_id: self.license_id,
            password: self.password,
            product_id: self.product_id,
            option_id: self.option_id,
            version: self.version,
            user_code1: Some(self.user_code1),
            session_code: None,
            key: ComputerKey::ComputerId(self.computer_id),
            require_registration: self.require_registration,
            client_ip: ctx.request.client_ip,
            client_time: ctx.client_time,
            path: ActivationPath::TriggerCode,
        };
        let activation = match svc.activate(request, ctx.request).await {
            Ok(activation) => activation,
            Err(error) => return Err(refused_with_minimum(error.into())),
        };
        let grant = &activation.grant;
        let (code1, code2) = grant
            .codes
            .ok_or_else(|| OpError::Internal("trigger-code grant without codes".to_owned()))?;
        let mut w = XmlWriter::fragment();
        if let Some(id) = grant.installation_id {
            w.element("InstallationID", &id.to_string());
        }
        w.element("ActivationCode1", &code1.to_string())
            .element("ActivationCode2", &code2.to_string())
            .element("LicenseUpdate", &activation.license_update)
            .element("ActivationsLeft", &grant.activations_left.to_string());
        write_minimum(
            &mut w,
            activation.minimum_version.as_ref(),
            activation.minimum_version_url.as_deref(),
        );
        Ok(Reply {
            update_counter: Some(grant.update_counter),
            outputs: w.finish(),
        })
    }
}

/// 5013 carries MinimumVersion and MinimumVersionURL (wire.md §3.1).
fn refused_with_minimum(error: OpError) -> Failed {
    let mut w = XmlWriter::fragment();
    if let OpError::Refused(Refused::Rules(Refusal::Version { minimum, url })) = &error {
        write_minimum(&mut w, Some(minimum), url.as_deref());
    }
    Failed {
        error,
        outputs: w.finish(),
    }
}

fn write_minimum(w: &mut XmlWriter, minimum: Option<&Version>, url: Option<&str>) {
    if let Some(minimum) = minimum {
        w.element("MinimumVersion", &minimum.to_string());
    }
    if let Some(url) = url {
        w.element("MinimumVersionURL", url);
    }
}
