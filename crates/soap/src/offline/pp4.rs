//! PP4 manual activation (wire.md §7.4, rules OFF-1): activation files carried by
//! hand, and the User Code form of ManualTriggerCodes.aspx. Both run the trigger-code
//! pipeline (ACT-2) without an EncryptionKeyID, with the submitter's IP (IP-3).
//!
//! File checks, in E-12 order: 5001 unreadable file → 5002 bad field → 5009 no
//! OffAct Key (OFF-1) → 5005 MAC → 5030 `Created` older than the TTL / 5022 ahead →
//! 5029 (LicenseID, UserCode1) already answered → rules.

use unlockd_core::activation::ActivationRequest;
use unlockd_core::offact::{OffActError, OffActKey, OffActRequest, OffActResponse};
use unlockd_core::{
    ActivationPath, ComputerId, ComputerKey, LicenseId, OptionId, Password, ProductId, Refusal,
    Version,
};

use super::OfflineAnswer;
use crate::error::{InputError, OpError, Refused};
use crate::frame::Caller;
use crate::handler::SoapConfig;
use crate::result_code;
use crate::service::{Attempt, ClientService, ManualContext, OfflineClaim};
use crate::value;

/// Operation name of activation files in the attempt history.
const FILE_OPERATION: &str = "OffActFile";
/// Operation name of ManualTriggerCodes.aspx in the attempt history.
const FORM_OPERATION: &str = "ManualTriggerCodes";

/// User Codes and credentials of a manual trigger-code activation, as typed or filed.
#[derive(Debug)]
pub(crate) struct ManualInputs {
    pub license_id: LicenseId,
    pub password: Password,
    pub product_id: Option<ProductId>,
    pub option_id: Option<OptionId>,
    pub version: Option<Version>,
    pub user_code1: i32,
    pub computer_id: ComputerId,
}

impl ManualInputs {
    /// Parses the text fields (5002 on a bad one).
    pub(crate) fn parse(
        license_id: &str,
        password: &str,
        product_id: &str,
        option_id: &str,
        version: &str,
        user_code1: &str,
        user_code2: &str,
    ) -> Result<Self, InputError> {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let invalid = |field| move |cause| InputError::Invalid { field, cause };
        Ok(Self {
            license_id: LicenseId::parse(license_id.trim()).map_err(invalid("LicenseID"))?,
            password: Password::parse(password).map_err(invalid("Password"))?,
            product_id: opt(product_id)
                .map(|s| ProductId::parse(&s))
                .transpose()
                .map_err(invalid("ProductID"))?,
            option_id: opt(option_id)
                .map(|s| OptionId::parse(&s))
                .transpose()
                .map_err(invalid("ProductOptionID"))?,
            version: opt(version).and_then(|s| Version::parse_request(&s)),
            user_code1: value::int(user_code1.trim()).map_err(invalid("UserCode1"))?,
            computer_id: ComputerId::parse(user_code2.trim()).map_err(invalid("UserCode2"))?,
        })
    }
}

/// Activation Codes 1 and 2 with what the response file and page show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Codes {
    pub regkey1: i32,
    pub regkey2: i32,
    pub license_update: String,
    pub activations_left: i32,
    pub update_counter: i64,
}

/// Runs the trigger-code pipeline for `inputs`, claiming `claim` in its transaction.
async fn activate<S: ClientService>(
    svc: &S,
    inputs: ManualInputs,
    claim: Option<OfflineClaim>,
    caller: &Caller,
) -> Result<Codes, OpError> {
    let request = ActivationRequest {
        license_id: inputs.license_id,
        password: inputs.password,
        product_id: inputs.product_id,
        option_id: inputs.option_id,
        version: inputs.version,
        user_code1: Some(inputs.user_code1),
        session_code: None,
        key: ComputerKey::ComputerId(inputs.computer_id),
        require_registration: false,
        client_ip: caller.client_ip,
        client_time: None,
        path: ActivationPath::TriggerCode,
    };
    let ctx = ManualContext {
        client_ip: caller.client_ip,
        request_id: caller.request_id.clone(),
        offline: claim,
    };
    let activation = svc.activate_manual(request, ctx).await?;
    let (regkey1, regkey2) = activation
        .grant
        .codes
        .ok_or_else(|| OpError::Internal("trigger-code grant without codes".to_owned()))?;
    Ok(Codes {
        regkey1,
        regkey2,
        license_update: activation.license_update,
        activations_left: activation.grant.activations_left,
        update_counter: activation.grant.update_counter,
    })
}

/// Answers a PP4 activation file with a response file (§7.4).
pub(super) async fn respond<S: ClientService>(
    svc: &S,
    cfg: &SoapConfig,
    text: &str,
    caller: &Caller,
) -> OfflineAnswer {
    let mut license_id = None;
    match file(svc, cfg, text, caller, &mut license_id).await {
        Ok(text) => OfflineAnswer::Response {
            text,
            file_name: "ManualResponse.txt",
            license_id: license_id.map(LicenseId::get),
        },
        Err(error) => refuse(svc, FILE_OPERATION, license_id, &error, caller).await,
    }
}

async fn file<S: ClientService>(
    svc: &S,
    cfg: &SoapConfig,
    text: &str,
    caller: &Caller,
    license_id: &mut Option<LicenseId>,
) -> Result<String, OpError> {
    let (req, signed) = OffActRequest::parse(text).map_err(|_| Refused::Document)?;
    let inputs = ManualInputs::parse(
        &req.license_id,
        &req.password,
        &req.product_id,
        &req.product_option_id,
        &req.product_version,
        &req.user_code1,
        &req.user_code2,
    )?;
    let created = value::date_time(&req.created).map_err(|cause| InputError::Invalid {
        field: "Created",
        cause,
    })?;
    *license_id = Some(inputs.license_id);
    let key = svc
        .offact_key(inputs.license_id)
        .await?
        .ok_or(Refusal::OptionType)?;
    let key = OffActKey::parse(&key).ok_or(Refusal::Config)?;
    signed.verify(&key).map_err(|e| match e {
        OffActError::BadMac => Refused::Signature,
        OffActError::Malformed(_) => Refused::Document,
    })?;
    let now = svc.now();
    if created < now - cfg.offline_request_ttl {
        return Err(Refused::OfflineTooOld.into());
    }
    if created > now + cfg.clock_tolerance {
        return Err(Refusal::Clock.into());
    }
    let claim = OfflineClaim {
        key: "offact".to_owned(),
        subject: format!("L{}", inputs.license_id),
        session_code: inputs.user_code1.to_string(),
    };
    let (user_code1, computer) = (inputs.user_code1, inputs.computer_id);
    let codes = activate(svc, inputs, Some(claim), caller).await?;
    Ok(OffActResponse {
        license_id: req.license_id.trim().to_owned(),
        user_code1: user_code1.to_string(),
        user_code2: computer.get().to_string(),
        regkey1: codes.regkey1.to_string(),
        regkey2: codes.regkey2.to_string(),
        license_update: codes.license_update,
        activations_left: codes.activations_left.to_string(),
        update_counter: codes.update_counter.to_string(),
        issued: value::format_date_time(now),
    }
    .to_file(&key))
}

/// ManualTriggerCodes.aspx: the codes for typed User Codes, if the license's author
/// allows the page (else 5009, like a missing OffAct Key). Refusals are recorded.
pub(crate) async fn manual_codes<S: ClientService>(
    svc: &S,
    inputs: Result<ManualInputs, InputError>,
    caller: &Caller,
) -> Result<Codes, OfflineAnswer> {
    let mut license_id = None;
    let result = async {
        let inputs = inputs?;
        license_id = Some(inputs.license_id);
        // An unknown license runs the pipeline and answers E-CRED (ERR-1).
        if svc.manual_trigger_codes_allowed(inputs.license_id).await? == Some(false) {
            return Err(Refusal::OptionType.into());
        }
        activate(svc, inputs, None, caller).await
    }
    .await;
    match result {
        Ok(codes) => Ok(codes),
        Err(error) => Err(refuse(svc, FORM_OPERATION, license_id, &error, caller).await),
    }
}

/// Records one attempt row (errata E-3) and turns the error into the shown refusal.
async fn refuse<S: ClientService>(
    svc: &S,
    operation: &str,
    license_id: Option<LicenseId>,
    error: &OpError,
    caller: &Caller,
) -> OfflineAnswer {
    let code = result_code::of(error);
    if let OpError::Internal(detail) = error {
        tracing::error!(operation, %detail, "internal error");
    }
    let attempt = Attempt {
        operation: operation.to_owned(),
        license_id,
        installation_id: None,
        result_code: code.number,
        reason: code.reason.to_owned(),
        client_ip: caller.client_ip,
    };
    let id = license_id.map(LicenseId::get);
    if let Err(e) = svc.record_attempt(attempt).await {
        tracing::error!(error = %e, "attempt history not written");
        return OfflineAnswer::refused(&OpError::Internal(e.to_string()), id);
    }
    OfflineAnswer::refused(error, id)
}
