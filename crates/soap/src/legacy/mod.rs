//! The legacy surfaces (wire.md §3.9, §3.11): activationserver.asmx ActivateLicense, a
//! typed ASMX operation over SOAP 1.1, SOAP 1.2 and HTTP POST, and the PP4 automation
//! scripts getcode.asp, getlicensestatus.asp, postregdata.asp, countpost.asp and
//! updatecheck.asp. Both run the same rules core as XmlActivationService through
//! [`LegacyService`]; their numbers come from [`crate::result_code`].

mod activate_license;
mod countpost;
mod getcode;
mod getlicensestatus;
pub(crate) mod license_server;
mod postregdata;
mod script;
mod updatecheck;

use std::net::IpAddr;

use unlockd_core::activation::ActivationRequest;
use unlockd_core::{
    ActivationPath, ComputerId, ComputerKey, LicenseId, Password, ProductId, Refusal,
};

use crate::handler::{HttpRequest, HttpResponse, SoapConfig};
use crate::service::{Attempt, LegacyService, UpdateCheckService};

/// The legacy endpoint a path names, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LegacyRoute<'p> {
    /// `{prefix}/webservices/activationserver.asmx`.
    ActivationServer,
    /// `{prefix}/webservices/activationserver.asmx/{Method}`.
    ActivationServerMethod(&'p str),
    /// `{prefix}/unlock/getcode.asp`.
    GetCode,
    /// `{prefix}/customers/getlicensestatus.asp`.
    GetLicenseStatus,
    /// `{prefix}/postings/postregdata.asp`.
    PostRegData,
    /// `{prefix}/postings/countpost.asp`.
    CountPost,
    /// `{prefix}/customers/updatecheck.asp`.
    UpdateCheck,
}

/// Matches `path` (ASCII case-insensitive, wire.md §1) against the legacy endpoints.
pub(crate) fn route<'p>(cfg: &SoapConfig, path: &'p str) -> Option<LegacyRoute<'p>> {
    let prefix = cfg.prefix.trim_end_matches('/');
    let rest = path
        .get(..prefix.len())
        .filter(|p| p.eq_ignore_ascii_case(prefix))
        .map(|_| &path[prefix.len()..])?;
    let asmx = "/webservices/activationserver.asmx";
    if rest.eq_ignore_ascii_case("/unlock/getcode.asp") {
        return Some(LegacyRoute::GetCode);
    }
    if rest.eq_ignore_ascii_case("/customers/getlicensestatus.asp") {
        return Some(LegacyRoute::GetLicenseStatus);
    }
    if rest.eq_ignore_ascii_case("/postings/postregdata.asp") {
        return Some(LegacyRoute::PostRegData);
    }
    if rest.eq_ignore_ascii_case("/postings/countpost.asp") {
        return Some(LegacyRoute::CountPost);
    }
    if rest.eq_ignore_ascii_case("/customers/updatecheck.asp") {
        return Some(LegacyRoute::UpdateCheck);
    }
    let head = rest
        .get(..asmx.len())
        .filter(|h| h.eq_ignore_ascii_case(asmx))?;
    match &rest[head.len()..] {
        "" => Some(LegacyRoute::ActivationServer),
        tail => tail
            .strip_prefix('/')
            .filter(|m| !m.contains('/'))
            .map(LegacyRoute::ActivationServerMethod),
    }
}

/// Answers a request on a legacy endpoint.
pub(crate) async fn handle<S: LegacyService + UpdateCheckService>(
    svc: &S,
    cfg: &SoapConfig,
    route: LegacyRoute<'_>,
    req: &HttpRequest<'_>,
) -> HttpResponse {
    match route {
        LegacyRoute::GetCode => getcode::handle(svc, req).await,
        LegacyRoute::GetLicenseStatus => getlicensestatus::handle(svc, req).await,
        LegacyRoute::PostRegData => postregdata::handle(svc, req).await,
        LegacyRoute::CountPost => countpost::handle(svc, req).await,
        LegacyRoute::UpdateCheck => updatecheck::handle(svc, req).await,
        LegacyRoute::ActivationServer => activate_license::handle_service(svc, cfg, req).await,
        LegacyRoute::ActivationServerMethod(m) => activate_license::handle_post(svc, m, req).await,
    }
}

/// The fields every legacy activation carries, as sent (i32 where the wire says int).
#[derive(Debug, Clone, Default)]
pub(crate) struct LegacyInput {
    /// License ID as sent (may be ≤ 0: E-PARAM).
    pub license_id: i32,
    /// Password as sent (may be empty: E-PARAM).
    pub password: String,
    /// 0 = absent (errata E-21).
    pub product_id: i32,
    /// User Code 1 (session).
    pub code1: i32,
    /// User Code 2 (computer ID).
    pub code2: i32,
    /// Require registration.
    pub require_registration: bool,
}

impl LegacyInput {
    /// The core request on the trigger-code path (rules C-5); a non-positive License
    /// ID, an empty or over-long password or a negative product ID are E-PARAM (A1).
    pub(crate) fn request(&self, client_ip: Option<IpAddr>) -> Result<ActivationRequest, Refusal> {
        let product_id = match self.product_id {
            0 => None,
            id => Some(ProductId::new(id).map_err(|_| Refusal::Param)?),
        };
        Ok(ActivationRequest {
            license_id: LicenseId::new(self.license_id).map_err(|_| Refusal::Param)?,
            password: Password::parse(&self.password).map_err(|_| Refusal::Param)?,
            product_id,
            option_id: None,
            version: None,
            user_code1: Some(self.code1),
            session_code: None,
            key: ComputerKey::ComputerId(ComputerId::new(self.code2)),
            require_registration: self.require_registration,
            client_ip,
            client_time: None,
            path: ActivationPath::TriggerCode,
        })
    }
}

/// Records one refused legacy request (errata E-3); `false` if the row could not be
/// written (the caller then answers its internal-error code).
pub(crate) async fn record<S: LegacyService>(
    svc: &S,
    operation: &str,
    license_id: i32,
    code: i32,
    reason: &str,
    client_ip: Option<IpAddr>,
) -> bool {
    let attempt = Attempt {
        operation: operation.to_owned(),
        license_id: LicenseId::new(license_id).ok(),
        installation_id: None,
        result_code: code,
        reason: reason.to_owned(),
        client_ip,
    };
    match svc.record_attempt(attempt).await {
        Ok(()) => true,
        Err(error) => {
            tracing::error!(%error, "attempt history not written");
            false
        }
    }
}
