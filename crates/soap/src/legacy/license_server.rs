//! licenseserver.asmx AddLicenseAndUnregisteredCustomer (wire.md §3.8, §2.4, errata
//! E-20): typed parameters `authorID`, `userID`, `userPassword`, `prodOptionID`
//! (required), `distributorID` (0 = none), `quantity` (1), `licenseNotes`; one
//! element (SOAP) or form field (HTTP POST) each. A missing required parameter is the
//! fault MissingParameter, an unparsable int InvalidParameter. Needs Add Single
//! Customer and Add Licenses. Answers `AddLicenseResult`: ErrorCode (the Xml*
//! numbers of §4.1), ErrorMessage, LicenseID, ActivationPassword, CustomerID,
//! CustomerPassword; the new customer is unregistered (ACT-6). One transaction:
//! nothing is written on refusal but one attempt row (errata E-3).

use unlockd_core::{AuthorId, CustomerId, OptionId, ParseError};

use crate::binding::{check_post_form, Binding, SERVICE_NS};
use crate::envelope::{self, Rejected};
use crate::error::{InputError, OpError};
use crate::fault::FaultCode;
use crate::handler::{HttpRequest, HttpResponse, SoapConfig};
use crate::ops::{Operation, Service};
use crate::result_code::{self, WireCode};
use crate::service::{
    ApiCredentials, Attempt, CustomerService, LicenseWithCustomer, Permission, UnregisteredOrder,
};
use crate::value;
use crate::xml::{XmlWriter, DECLARATION};

/// The operation.
const OPERATION: Operation = Operation::AddLicenseAndUnregisteredCustomer;
/// The result type, also the HTTP POST answer root (ASMX names it after the type).
const RESULT_TYPE: &str = "AddLicenseResult";
/// Both permissions the call needs (wire.md §3.8 [confirmed]).
const PERMISSIONS: &[Permission] = &[Permission::AddSingleCustomer, Permission::AddLicenses];
/// Most characters of `licenseNotes` (as Add's Notes, wire.md §3.7).
const MAX_NOTES: usize = 4000;

/// The parameters as sent, before the values are checked.
#[derive(Debug, Default)]
struct Params {
    author_id: i32,
    user_id: String,
    user_password: String,
    option_id: i32,
    distributor_id: i32,
    quantity: i32,
    notes: String,
}

/// A SOAP 1.1 / 1.2 POST to `{prefix}/webservices/licenseserver.asmx`.
pub(crate) async fn soap<S: CustomerService>(
    svc: &S,
    cfg: &SoapConfig,
    req: &HttpRequest<'_>,
    binding: Binding,
    content_type: &str,
) -> HttpResponse {
    let read = envelope::read_body(
        Service::LicenseServer,
        binding,
        req.body,
        content_type,
        req.soap_action,
        &cfg.limits,
    )
    .and_then(|(_, call)| {
        parse(|name| {
            call.children
                .iter()
                .find(|c| {
                    c.name == name && matches!(c.namespace.as_deref(), None | Some(SERVICE_NS))
                })
                .map(|c| c.text.clone())
        })
    });
    answer(svc, req, binding, read).await
}

/// `POST {prefix}/webservices/licenseserver.asmx/{Method}` with a form body.
pub(crate) async fn post<S: CustomerService>(
    svc: &S,
    req: &HttpRequest<'_>,
    method: &str,
) -> HttpResponse {
    if Service::LicenseServer.operation_of_segment(method) != OPERATION {
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
        operation: OPERATION,
    }
}

/// Reads the parameters through `get`: the four required ones, then the optional
/// ones (absent or empty: their defaults).
fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Params, Rejected> {
    let required = |name: &str| get(name).ok_or(rejected(FaultCode::MissingParameter));
    let int = |text: String| value::int(&text).map_err(|_| rejected(FaultCode::InvalidParameter));
    let optional_int = |name: &str, default: i32| match get(name) {
        Some(text) if !text.trim().is_empty() => int(text),
        _ => Ok(default),
    };
    Ok(Params {
        author_id: int(required("authorID")?)?,
        user_id: required("userID")?,
        user_password: required("userPassword")?,
        option_id: int(required("prodOptionID")?)?,
        distributor_id: optional_int("distributorID", 0)?,
        quantity: optional_int("quantity", 1)?,
        notes: get("licenseNotes").unwrap_or_default(),
    })
}

/// Checks the values (5002 on the first bad one, errata E-12/E-17): IDs positive,
/// quantity at least 1, strings within their limits and without NUL.
fn checked(p: Params) -> Result<(ApiCredentials, UnregisteredOrder), InputError> {
    let invalid =
        |field: &'static str| move |cause: ParseError| InputError::Invalid { field, cause };
    let text = |field: &'static str, s: String, max: usize| {
        value::bounded(&s, max)
            .map(str::to_owned)
            .map_err(invalid(field))
    };
    let credentials = ApiCredentials {
        author_id: AuthorId::new(p.author_id).map_err(invalid("authorID"))?,
        user_id: text("userID", p.user_id, 64)?,
        password: text("userPassword", p.user_password, 128)?,
    };
    let distributor_id = match p.distributor_id {
        0 => None,
        id => Some(CustomerId::new(id).map_err(invalid("distributorID"))?),
    };
    if p.quantity < 1 {
        return Err(invalid("quantity")(ParseError::Range));
    }
    let order = UnregisteredOrder {
        option_id: OptionId::new(p.option_id).map_err(invalid("prodOptionID"))?,
        distributor_id,
        quantity: p.quantity,
        notes: text("licenseNotes", p.notes, MAX_NOTES)?,
    };
    Ok((credentials, order))
}

async fn answer<S: CustomerService>(
    svc: &S,
    req: &HttpRequest<'_>,
    binding: Binding,
    read: Result<Params, Rejected>,
) -> HttpResponse {
    let params = match read {
        Ok(params) => params,
        Err(rejected) => return crate::handler::fault(svc, req, binding, rejected).await,
    };
    let outcome = run(svc, params).await;
    let (code, created) = match outcome {
        Ok(created) => (result_code::OK, Some(created)),
        Err(error) => {
            tracing::info!(%error, "AddLicenseAndUnregisteredCustomer refused");
            let mut code = result_code::of(&error);
            let attempt = Attempt {
                operation: OPERATION.name().to_owned(),
                license_id: None,
                installation_id: None,
                result_code: code.number,
                reason: code.reason.to_owned(),
                client_ip: req.client_ip,
            };
            if let Err(error) = svc.record_attempt(attempt).await {
                tracing::error!(%error, "attempt history not written");
                code = result_code::of(&OpError::Internal(error.to_string()));
            }
            (code, None)
        }
    };
    let mut response = render(binding, code, created.as_ref());
    response.operation = Some(OPERATION.name());
    response.license_id = created.as_ref().map(|c| c.license.license_id.get());
    response.result_code = Some(code.number);
    response
}

async fn run<S: CustomerService>(svc: &S, params: Params) -> Result<LicenseWithCustomer, OpError> {
    let (credentials, order) = checked(params)?;
    let author = svc.authenticate_all(credentials, PERMISSIONS).await?;
    Ok(svc
        .add_license_and_unregistered_customer(author, order)
        .await?)
}

/// The `AddLicenseResult` fields; on refusal the IDs are 0 and the strings empty.
fn render(binding: Binding, code: WireCode, created: Option<&LicenseWithCustomer>) -> HttpResponse {
    let mut w = XmlWriter::fragment();
    let id = |n: Option<i32>| n.unwrap_or(0).to_string();
    w.element("ErrorCode", &code.number.to_string())
        .element("ErrorMessage", code.text)
        .element(
            "LicenseID",
            &id(created.map(|c| c.license.license_id.get())),
        )
        .element(
            "ActivationPassword",
            created.map_or("", |c| &c.license.activation_password),
        )
        .element(
            "CustomerID",
            &id(created.map(|c| c.license.customer_id.get())),
        )
        .element(
            "CustomerPassword",
            created.map_or("", |c| &c.customer_password),
        );
    let fields = w.finish();
    let name = OPERATION.name();
    let (body, content_type) = match binding.envelope_namespace() {
        Some(ns) => (
            format!(
                r#"{DECLARATION}<soap:Envelope xmlns:soap="{ns}"><soap:Body><{name}Response xmlns="{SERVICE_NS}"><{name}Result>{fields}</{name}Result></{name}Response></soap:Body></soap:Envelope>"#
            ),
            if binding == Binding::Soap12 {
                "application/soap+xml; charset=utf-8"
            } else {
                "text/xml; charset=utf-8"
            },
        ),
        None => (
            format!(r#"{DECLARATION}<{RESULT_TYPE} xmlns="{SERVICE_NS}">{fields}</{RESULT_TYPE}>"#),
            "text/xml; charset=utf-8",
        ),
    };
    HttpResponse::new(200, content_type, body.into_bytes())
}
