//! The HTTP-agnostic entry point: the server hands over a request's parts and gets a
//! complete response back (routing of wire.md §1, §1.1, §1.2).

use std::net::IpAddr;

use crate::binding::Binding;
use crate::envelope::{self, Call, Rejected};
use crate::frame::{self, Caller, FrameConfig};
use crate::legacy;
use crate::metadata;
use crate::offline;
use crate::ops::{Operation, Service};
use crate::service::{Attempt, ClientService, CustomerService, LegacyService};
use crate::xml::Limits;

/// The parts of an HTTP request the façade reads.
#[derive(Debug, Clone, Copy)]
pub struct HttpRequest<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// The path, without the query.
    pub path: &'a str,
    /// The query string, without `?`.
    pub query: Option<&'a str>,
    /// `Content-Type`.
    pub content_type: Option<&'a str>,
    /// `SOAPAction`.
    pub soap_action: Option<&'a str>,
    /// `Host`, for WSDL addresses when no public base URL is configured.
    pub host: Option<&'a str>,
    /// The whole body (the server has enforced the size limit).
    pub body: &'a [u8],
    /// The client address after trusted-proxy resolution.
    pub client_ip: Option<IpAddr>,
    /// The request ID of the log span.
    pub request_id: &'a str,
}

/// A complete HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: String,
    /// Further headers (e.g. `Allow`).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
    /// The operation, for the request span.
    pub operation: Option<&'static str>,
    /// The license the request named, for the request span.
    pub license_id: Option<i32>,
    /// The ResultCode, for the request span.
    pub result_code: Option<i32>,
}

impl HttpResponse {
    /// A response without span fields or extra headers.
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type: content_type.to_owned(),
            headers: Vec::new(),
            body,
            operation: None,
            license_id: None,
            result_code: None,
        }
    }

    pub(crate) fn text(status: u16, text: &str) -> Self {
        Self::new(
            status,
            "text/plain; charset=utf-8",
            text.as_bytes().to_vec(),
        )
    }

    pub(crate) fn not_found() -> Self {
        Self::text(404, "not found")
    }

    pub(crate) fn method_not_allowed(allow: &str) -> Self {
        let mut response = Self::text(405, "method not allowed");
        response
            .headers
            .push(("Allow".to_owned(), allow.to_owned()));
        response
    }
}

/// Façade settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SoapConfig {
    /// Path prefix of every endpoint (default `/solo`).
    pub prefix: String,
    /// Base URL for WSDL addresses; else `http://{Host}`.
    pub public_base_url: Option<String>,
    /// Parsing limits (wire.md §2.6).
    pub limits: Limits,
    /// HTTP POST answers the bare inner document instead of `<string>` (wire.md §2.1).
    pub post_raw_response: bool,
    /// Refuse unsigned client requests with 5005 (wire.md §2.5).
    pub require_signed: bool,
    /// Offline requests with an older ClientTimestamp / Created get 5030 (wire.md
    /// §7.3; default 30 days).
    pub offline_request_ttl: time::Duration,
    /// CLK-1 tolerance for offline requests whose clock is ahead (errata E-2; 24 h).
    pub clock_tolerance: time::Duration,
    /// Most licenses one AddMultiple may create (errata E-6 `bulk_max`; above: 5002).
    pub bulk_max: u32,
}

impl Default for SoapConfig {
    fn default() -> Self {
        Self {
            prefix: "/solo".to_owned(),
            public_base_url: None,
            limits: Limits::default(),
            post_raw_response: false,
            require_signed: false,
            offline_request_ttl: time::Duration::days(30),
            clock_tolerance: time::Duration::hours(24),
            bulk_max: unlockd_core::bulk::DEFAULT_BULK_MAX,
        }
    }
}

/// Where a path leads.
enum Route<'p> {
    ManualRequest,
    ManualTriggerCodes,
    Service(Service),
    Method(Service, &'p str),
    Schema(&'p str),
}

/// The `{Service}.asmx` file name under `{prefix}/webservices/`.
pub(crate) fn file_name(service: Service) -> String {
    format!("{}.asmx", service.name())
}

fn route<'p>(cfg: &SoapConfig, path: &'p str) -> Option<Route<'p>> {
    // Allocation-free: this runs on every request (issue 5).
    let base = strip_ignore_case(path, cfg.prefix.trim_end_matches('/'))?;
    if let Some(page) = strip_ignore_case(base, "/customers/") {
        return if page.eq_ignore_ascii_case("ManualRequest.aspx") {
            Some(Route::ManualRequest)
        } else if page.eq_ignore_ascii_case("ManualTriggerCodes.aspx") {
            Some(Route::ManualTriggerCodes)
        } else {
            None
        };
    }
    let rest = strip_ignore_case(base, "/webservices/")?;
    // XmlLicenseServer.asmx is an alias of XmlLicenseService (wire.md §1).
    let services = [
        (Service::Activation, Service::Activation.name()),
        (Service::NetworkFloating, Service::NetworkFloating.name()),
        (Service::LicenseFile, Service::LicenseFile.name()),
        (Service::License, Service::License.name()),
        (Service::License, "XmlLicenseServer"),
        (Service::Customer, Service::Customer.name()),
        (Service::LicenseServer, Service::LicenseServer.name()),
    ];
    for (service, name) in services {
        let Some(after) = strip_ignore_case(rest, name).and_then(|r| strip_ignore_case(r, ".asmx"))
        else {
            continue;
        };
        if after.is_empty() {
            return Some(Route::Service(service));
        }
        if let Some(method) = after.strip_prefix('/') {
            return (!method.contains('/')).then_some(Route::Method(service, method));
        }
    }
    let name = strip_ignore_case(rest, "schema/")?;
    (!name.contains('/')).then_some(Route::Schema(name))
}

/// `s` without its leading `head`, compared ASCII case-insensitively.
fn strip_ignore_case<'s>(s: &'s str, head: &str) -> Option<&'s str> {
    s.get(..head.len())
        .filter(|h| h.eq_ignore_ascii_case(head))
        .map(|_| &s[head.len()..])
}

/// Answers one HTTP request: SOAP 1.1, SOAP 1.2 and HTTP POST calls of
/// XmlActivationService, XmlNetworkFloatingService, XmlLicenseFileService,
/// XmlLicenseService, XmlCustomerService and licenseserver.asmx, their WSDLs, schemas
/// and help pages; the legacy activationserver.asmx and the PP4 scripts; anything else
/// 404.
pub async fn handle<S: ClientService + LegacyService + CustomerService>(
    svc: &S,
    cfg: &SoapConfig,
    req: HttpRequest<'_>,
) -> HttpResponse {
    if let Some(legacy) = legacy::route(cfg, req.path) {
        return legacy::handle(svc, cfg, legacy, &req).await;
    }
    let is = |m: &str| req.method.eq_ignore_ascii_case(m);
    match route(cfg, req.path) {
        None => HttpResponse::not_found(),
        Some(Route::ManualRequest) if is("GET") || is("POST") => {
            offline::page::manual_request(svc, cfg, &req).await
        }
        Some(Route::ManualTriggerCodes) if is("GET") || is("POST") => {
            offline::page::manual_trigger_codes(svc, &req).await
        }
        Some(Route::ManualRequest | Route::ManualTriggerCodes) => {
            HttpResponse::method_not_allowed("GET, POST")
        }
        Some(Route::Schema(name)) if is("GET") => metadata::schema(name)
            .map(|xsd| HttpResponse::new(200, "text/xml; charset=utf-8", xsd.as_bytes().to_vec()))
            .unwrap_or_else(HttpResponse::not_found),
        Some(Route::Schema(_)) => HttpResponse::method_not_allowed("GET"),
        Some(Route::Service(service)) if is("GET") => metadata::service_get(service, cfg, &req),
        Some(Route::Service(service)) if is("POST") => {
            let content_type = req.content_type.unwrap_or_default();
            match Binding::of_content_type(content_type) {
                Some(binding) if service == Service::License => {
                    crate::license_service::soap(svc, cfg, &req, binding, content_type).await
                }
                Some(binding) if service == Service::Customer => {
                    crate::customer_service::soap(svc, cfg, &req, binding, content_type).await
                }
                Some(binding) if service == Service::LicenseServer => {
                    legacy::license_server::soap(svc, cfg, &req, binding, content_type).await
                }
                Some(binding) => {
                    let call = envelope::read_soap(
                        service,
                        binding,
                        req.body,
                        content_type,
                        req.soap_action,
                        &cfg.limits,
                    );
                    dispatch(svc, cfg, &req, binding, call).await
                }
                None => HttpResponse::text(415, "unsupported media type"),
            }
        }
        Some(Route::Service(_)) => HttpResponse::method_not_allowed("GET, POST"),
        Some(Route::Method(Service::License, segment)) => {
            crate::license_service::post(svc, cfg, &req, segment)
                .await
                .unwrap_or_else(HttpResponse::not_found)
        }
        Some(Route::Method(Service::Customer, segment)) => {
            crate::customer_service::post(svc, cfg, &req, segment)
                .await
                .unwrap_or_else(HttpResponse::not_found)
        }
        Some(Route::Method(Service::LicenseServer, segment)) => {
            legacy::license_server::post(svc, &req, segment).await
        }
        Some(Route::Method(service, segment)) => {
            let operation = service.operation_of_segment(segment);
            if operation == Operation::Unknown {
                return HttpResponse::not_found();
            }
            if let Err(refused) = crate::binding::check_post_form(&req) {
                return refused;
            }
            let call = envelope::read_form(operation, req.body);
            dispatch(svc, cfg, &req, Binding::HttpPost, call).await
        }
    }
}

/// Answers a client-frame call (wire.md §2.5) on `binding`.
pub(crate) async fn dispatch<S: ClientService>(
    svc: &S,
    cfg: &SoapConfig,
    req: &HttpRequest<'_>,
    binding: Binding,
    call: Result<Call, Rejected>,
) -> HttpResponse {
    let call = match call {
        Ok(call) => call,
        Err(rejected) => return fault(svc, req, binding, rejected).await,
    };
    let caller = Caller {
        client_ip: req.client_ip,
        request_id: req.request_id.to_owned(),
    };
    let frame = FrameConfig {
        limits: cfg.limits,
        require_signed: cfg.require_signed,
        offline: None,
    };
    let answer = frame::answer(svc, frame, call.operation, &call.xml, &caller).await;
    let mut response = binding.answer(call.operation, &answer.document, cfg.post_raw_response);
    response.operation = Some(call.operation.name());
    response.license_id = answer.license_id.map(|id| id.get());
    response.result_code = Some(answer.result_code);
    response
}

/// Records the faulted request (errata E-3) and answers the fault.
pub(crate) async fn fault<S: crate::service::ActivationService>(
    svc: &S,
    req: &HttpRequest<'_>,
    binding: Binding,
    rejected: Rejected,
) -> HttpResponse {
    tracing::info!(fault = rejected.code.name(), "request refused with a fault");
    let attempt = Attempt {
        operation: rejected.operation.name().to_owned(),
        license_id: None,
        installation_id: None,
        result_code: 0,
        reason: rejected.code.name().to_owned(),
        client_ip: req.client_ip,
    };
    let code = match svc.record_attempt(attempt).await {
        Ok(()) => rejected.code,
        Err(error) => {
            tracing::error!(%error, "attempt history not written");
            crate::fault::FaultCode::Internal
        }
    };
    let mut response = binding.fault(code);
    response.operation = Some(rejected.operation.name());
    response
}
