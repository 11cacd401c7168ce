//! activationserver.asmx ActivateLicense (wire.md §3.9, §2.4): one element (SOAP) or
//! form field (HTTP POST) per parameter, all required; a missing one is the fault
//! MissingParameter, an unparsable one InvalidParameter; the answer is the
//! `ActivateLicenseResult` structure with ErrorCodes 0, 40, 50, 75, 100, 150, 200,
//! 300, 400, 450, 500.

use unlockd_core::Refusal;

use super::{record, LegacyInput};
use crate::binding::{check_post_form, Binding, SERVICE_NS};
use crate::envelope::{self, Rejected};
use crate::error::OpError;
use crate::fault::FaultCode;
use crate::handler::{HttpRequest, HttpResponse, SoapConfig};
use crate::metadata;
use crate::ops::{Operation, Service};
use crate::result_code;
use crate::service::LegacyService;
use crate::value;
use crate::xml::{XmlWriter, DECLARATION};

/// The operation name.
const NAME: &str = "ActivateLicense";

/// The parameters of wire.md §3.9, in order.
const PARAMS: [&str; 7] = [
    "licenseID",
    "password",
    "productID",
    "code1",
    "code2",
    "serialNumber",
    "requireRegistration",
];

/// `{prefix}/webservices/activationserver.asmx`: GET (WSDL, help) or a SOAP call.
pub(crate) async fn handle_service<S: LegacyService>(
    svc: &S,
    cfg: &SoapConfig,
    req: &HttpRequest<'_>,
) -> HttpResponse {
    if req.method.eq_ignore_ascii_case("GET") {
        return metadata::service_get(Service::LegacyActivation, cfg, req);
    }
    if !req.method.eq_ignore_ascii_case("POST") {
        return HttpResponse::method_not_allowed("GET, POST");
    }
    let content_type = req.content_type.unwrap_or_default();
    let Some(binding) = Binding::of_content_type(content_type) else {
        return HttpResponse::text(415, "unsupported media type");
    };
    let read = envelope::read_body(
        Service::LegacyActivation,
        binding,
        req.body,
        content_type,
        req.soap_action,
        &cfg.limits,
    )
    .and_then(|(_, call)| {
        parse(|name| {
            let found = call.children.iter().find(|c| {
                c.name == name && matches!(c.namespace.as_deref(), None | Some(SERVICE_NS))
            });
            found.map(|c| c.text.clone())
        })
    });
    answer(svc, req, binding, read).await
}

/// `POST {prefix}/webservices/activationserver.asmx/{Method}` with a form body.
pub(crate) async fn handle_post<S: LegacyService>(
    svc: &S,
    method: &str,
    req: &HttpRequest<'_>,
) -> HttpResponse {
    if !method.eq_ignore_ascii_case(NAME) {
        return HttpResponse::not_found();
    }
    if let Err(refused) = check_post_form(req) {
        return refused;
    }
    let read = envelope::form_fields(req.body)
        .ok_or(rejected(FaultCode::UnsupportedEncoding))
        .and_then(|fields| {
            parse(|name| {
                fields
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
            })
        });
    answer(svc, req, Binding::HttpPost, read).await
}

fn rejected(code: FaultCode) -> Rejected {
    Rejected {
        code,
        operation: Operation::ActivateLicense,
    }
}

/// Reads the seven parameters through `get`.
fn parse(get: impl Fn(&str) -> Option<String>) -> Result<(LegacyInput, i32), Rejected> {
    let mut values = Vec::with_capacity(PARAMS.len());
    for name in PARAMS {
        values.push(get(name).ok_or(rejected(FaultCode::MissingParameter))?);
    }
    let int =
        |i: usize| value::int(values[i].trim()).map_err(|_| rejected(FaultCode::InvalidParameter));
    let input = LegacyInput {
        license_id: int(0)?,
        password: values[1].clone(),
        product_id: int(2)?,
        code1: int(3)?,
        code2: int(4)?,
        require_registration: value::boolean(values[6].trim())
            .map_err(|_| rejected(FaultCode::InvalidParameter))?,
    };
    Ok((input, int(5)?))
}

/// The ActivateLicenseResult fields (wire.md §3.9 order).
#[derive(Debug, Default)]
struct LicenseResult {
    error_code: i32,
    error_message: &'static str,
    product: String,
    license_id: i32,
    quantity: i32,
    reg_code1: i32,
    reg_code2: i32,
    license_update: String,
    unlocks_left: i32,
}

async fn answer<S: LegacyService>(
    svc: &S,
    req: &HttpRequest<'_>,
    binding: Binding,
    read: Result<(LegacyInput, i32), Rejected>,
) -> HttpResponse {
    let (input, serial) = match read {
        Ok(read) => read,
        Err(rejected) => {
            tracing::info!(
                fault = rejected.code.name(),
                "ActivateLicense refused with a fault"
            );
            let ok = record(svc, NAME, 0, 0, rejected.code.name(), req.client_ip).await;
            let code = if ok {
                rejected.code
            } else {
                FaultCode::Internal
            };
            let mut response = binding.fault(code);
            response.operation = Some(NAME);
            return response;
        }
    };
    let result = run(svc, req, &input, serial).await;
    let mut response = render(binding, &result);
    response.operation = Some(NAME);
    response.license_id = Some(input.license_id);
    response.result_code = Some(result.error_code);
    response
}

async fn run<S: LegacyService>(
    svc: &S,
    req: &HttpRequest<'_>,
    input: &LegacyInput,
    serial: i32,
) -> LicenseResult {
    let outcome = match input.request(req.client_ip) {
        Ok(request) => svc
            .activate_legacy(request, (serial != 0).then_some(serial))
            .await
            .map_err(|r| (r.error, r.license_status)),
        Err(refusal) => Err((refusal.into(), None)),
    };
    let mut out = LicenseResult {
        license_id: input.license_id,
        ..LicenseResult::default()
    };
    match outcome {
        Ok(granted) => {
            let (rk1, rk2) = granted.grant.codes.unwrap_or((0, 0));
            out.error_message = "";
            out.product = granted.product_name;
            out.quantity = granted.quantity;
            out.reg_code1 = rk1;
            out.reg_code2 = rk2;
            out.license_update = granted.license_update;
            out.unlocks_left = granted.grant.activations_left;
        }
        Err((error, status)) => {
            let op_error = OpError::from(error);
            let refusal: Option<Refusal> = match &op_error {
                OpError::Refused(crate::error::Refused::Rules(r)) => Some(r.clone()),
                _ => None,
            };
            let (code, text) = result_code::activate_license(refusal.as_ref(), status);
            let reason = result_code::of(&op_error).reason;
            let recorded = record(svc, NAME, input.license_id, code, reason, req.client_ip).await;
            (out.error_code, out.error_message) = if recorded {
                (code, text)
            } else {
                result_code::activate_license(None, None)
            };
        }
    }
    out
}

fn render(binding: Binding, r: &LicenseResult) -> HttpResponse {
    let mut w = XmlWriter::fragment();
    w.element("ErrorCode", &r.error_code.to_string())
        .element("ErrorMessage", r.error_message)
        .element("Product", &r.product)
        .element("LicenseID", &r.license_id.to_string())
        .element("Quantity", &r.quantity.to_string())
        .element("RegCode1", &r.reg_code1.to_string())
        .element("RegCode2", &r.reg_code2.to_string())
        .element("LicenseUpdate", &r.license_update)
        .element("UnlocksLeft", &r.unlocks_left.to_string());
    let fields = w.finish();
    let (body, content_type) = match binding.envelope_namespace() {
        Some(ns) => (
            format!(
                r#"{DECLARATION}<soap:Envelope xmlns:soap="{ns}"><soap:Body><ActivateLicenseResponse xmlns="{SERVICE_NS}"><ActivateLicenseResult>{fields}</ActivateLicenseResult></ActivateLicenseResponse></soap:Body></soap:Envelope>"#
            ),
            if binding == Binding::Soap12 {
                "application/soap+xml; charset=utf-8"
            } else {
                "text/xml; charset=utf-8"
            },
        ),
        None => (
            format!(
                r#"{DECLARATION}<ActivateLicenseResult xmlns="{SERVICE_NS}">{fields}</ActivateLicenseResult>"#
            ),
            "text/xml; charset=utf-8",
        ),
    };
    HttpResponse::new(200, content_type, body.into_bytes())
}
