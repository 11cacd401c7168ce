//! ActivateInstallationLicenseFile: PLUS 5 activation answered with a license file
//! (wire.md §3.2, §5.4; rules ACT-2 path license-file, errata E-11).

use time::OffsetDateTime;
use unlockd_core::activation::ActivationRequest;
use unlockd_core::{
    ActivationPath, ComputerKey, InstallationId, LicenseId, OptionId, Password, ProductId, Refusal,
    SessionCode, Version,
};

use super::{Failed, OpContext, Reply};
use crate::crypto::{self, KeySet};
use crate::error::{InputError, OpError, Refused};
use crate::fields::Fields;
use crate::service::{ActivationService, LicenseFileData};
use crate::value;
use crate::xml::{XmlWriter, DECLARATION};

/// A parsed ActivateInstallationLicenseFile request.
#[derive(Debug)]
pub(crate) struct ActivateInstallationLicenseFile {
    license_id: LicenseId,
    password: Password,
    session_code: SessionCode,
    key: ComputerKey,
    product_id: Option<ProductId>,
    option_id: Option<OptionId>,
    version: Option<Version>,
    require_registration: bool,
    installation_id: Option<InstallationId>,
}

impl ActivateInstallationLicenseFile {
    /// Reads the §3.2 input fields.
    pub(crate) fn parse(f: &Fields<'_>) -> Result<Self, InputError> {
        let request = Self {
            license_id: f.parse_required("LicenseID", LicenseId::parse)?,
            password: f.parse_required("Password", Password::parse)?,
            session_code: f.parse_required("SessionCode", SessionCode::parse)?,
            key: f
                .element("SystemIdentifiers")?
                .map_or(Err(InputError::Missing("SystemIdentifiers")), |_| {
                    f.identifiers().map(ComputerKey::from_identifiers)
                })?,
            product_id: f.parse("ProductID", ProductId::parse)?,
            option_id: f.parse("ProductOptionID", OptionId::parse)?,
            version: f.text("ProductVersion")?.and_then(Version::parse_request),
            require_registration: f
                .parse("RequireRegistration", value::boolean)?
                .unwrap_or(false),
            installation_id: f.parse("InstallationID", InstallationId::parse)?,
        };
        f.bounded("InstallationName", 255)?;
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

    /// Activates and writes ActivationsLeft, InstallationID (iff the grant holds one,
    /// E-11) and License (an encrypted, signed SoftwareKey document, §5.4).
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
            user_code1: None,
            session_code: Some(self.session_code),
            key: self.key,
            require_registration: self.require_registration,
            client_ip: ctx.request.client_ip,
            client_time: ctx.client_time,
            path: ActivationPath::LicenseFile,
        };
        let keys = ctx.keys;
        let activation = match svc.activate(request, ctx.request).await {
            Ok(activation) => activation,
            Err(error) => {
                let error = OpError::from(error);
                // §3.2: ActivationsLeft is also reported with 5011.
                let outputs = match &error {
                    OpError::Refused(Refused::Rules(Refusal::NoActivations)) => {
                        let mut w = XmlWriter::fragment();
                        w.element("ActivationsLeft", "0");
                        w.finish()
                    }
                    _ => String::new(),
                };
                return Err(Failed { error, outputs });
            }
        };
        let data = activation
            .license_file
            .as_ref()
            .ok_or_else(|| OpError::Internal("license-file grant without its data".to_owned()))?;
        let license = seal_license(data, svc.now(), keys)?;
        let grant = &activation.grant;
        let mut w = XmlWriter::fragment();
        w.element("ActivationsLeft", &grant.activations_left.to_string());
        if let Some(id) = grant.installation_id {
            w.element("InstallationID", &id.to_string());
        }
        w.start("License", &[]).raw(&license).end("License");
        Ok(Reply {
            update_counter: Some(grant.update_counter),
            outputs: w.finish(),
        })
    }
}

/// The license file: `SoftwareKey` encrypted to the ClientKey and signed by the
/// ServerKey (§5.4, errata E-9), without its XML declaration so it nests as child XML.
pub(super) fn seal_license(
    data: &LicenseFileData,
    now: OffsetDateTime,
    keys: &KeySet,
) -> Result<String, OpError> {
    let private_data = license_private_data(data, now);
    let sealed = crypto::seal("SoftwareKey", &private_data, keys, true)
        .map_err(|e| OpError::Internal(format!("sealing the license file: {e}")))?;
    Ok(sealed
        .strip_prefix(DECLARATION)
        .unwrap_or(&sealed)
        .to_owned())
}

/// `PrivateData/License` of §5.4, elements in the listed order.
pub(crate) fn license_private_data(d: &LicenseFileData, now: OffsetDateTime) -> String {
    let mut w = XmlWriter::fragment();
    w.start("PrivateData", &[]).start("License", &[]);
    w.element("LicenseID", &d.license_id.to_string()).element(
        "InstallationID",
        &d.installation_id.map(|i| i.to_string()).unwrap_or_default(),
    );
    w.element("TriggerCode", &d.trigger_code.get().to_string());
    if let Some(data) = d.trigger_code_data {
        w.element("TriggerCodeData", &data.to_string());
    }
    w.element(
        "EffectiveStartDate",
        &value::format_date_time(d.effective_start),
    );
    if let Some(end) = d.effective_end {
        w.element("EffectiveEndDate", &value::format_day(end));
    }
    w.element("SignatureDate", &value::format_date_time(now))
        .element("Quantity", &d.quantity.to_string());
    if let Some(counter) = d.license_counter {
        w.element("LicenseCounter", &counter.to_string());
    }
    w.element("UpdateCounter", &d.update_counter.to_string());
    w.start("Product", &[])
        .element("ProductID", &d.product_id.to_string())
        .element("ProductName", &d.product_name);
    if let Some(latest) = &d.latest_version {
        w.element("LatestVersion", latest);
    }
    w.end("Product").start("ProductOption", &[]);
    w.element("ProductOptionID", &d.option_id.to_string())
        .element("OptionName", &d.option_name)
        .element("OptionType", d.option_type.name());
    if let Some(custom) = &d.option_custom_data {
        w.element("CustomData", custom);
    }
    let c = &d.customer;
    w.end("ProductOption")
        .start("Customer", &[])
        .element("CustomerID", &c.id.to_string())
        .element("CompanyName", &c.company_name)
        .element("FirstName", &c.first_name)
        .element("LastName", &c.last_name)
        .element("Email", &c.email)
        .element("Registered", value::format_bool(c.registered))
        .end("Customer");
    if !d.user_defined_fields.is_empty() {
        w.start("UserDefinedFields", &[]);
        for (name, text) in &d.user_defined_fields {
            w.element(name, text);
        }
        w.end("UserDefinedFields");
    }
    if let Some(custom) = &d.custom_data {
        w.element("CustomData", custom);
    }
    w.start("ActivationData", &[]).start("Identifiers", &[]);
    for id in &d.identifiers {
        let kind = id.kind().to_string();
        w.empty(
            "SystemIdentifier",
            &[("name", id.name()), ("type", &kind), ("value", id.value())],
        );
    }
    w.end("Identifiers").end("ActivationData");
    w.end("License").end("PrivateData");
    w.finish()
}
