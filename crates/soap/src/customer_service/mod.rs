//! XmlCustomerService (wire.md §3.8) over SOAP 1.1, SOAP 1.2 and HTTP POST:
//! GetCustomerDataByAuthor(S), CustomerSearch(S), CustomerAdd(S), CustomerUpdate(S),
//! one file per operation. Every document starts with the API user's triple (wire.md
//! §3), checked by [`BackOfficeService::authenticate`]; every pair answers the root
//! `CustomerData` (ResultCode, ErrorMessage, `Customer*`).
//!
//! As in XmlLicenseService, `OpS` carries the inner documents as escaped strings
//! (§2.1), `Op` as child XML of `<xml>` and `{Op}Result` (§2.3), and HTTP POST serves
//! `…/Op` as `…/OpS`. Refusals write one attempt row (errata E-3).

mod add;
mod get;
mod record;
mod search;
mod update;

use crate::binding::{Binding, SERVICE_NS};
use crate::envelope::{self, Rejected};
use crate::error::{OpError, Refused};
use crate::fault::FaultCode;
use crate::fields::Fields;
use crate::handler::{HttpRequest, HttpResponse, SoapConfig};
use crate::license_service::ROOT_NAMESPACES;
use crate::ops::{Operation, Service};
use crate::result_code::{self, WireCode};
use crate::service::{Attempt, CustomerRecord, CustomerService};
use crate::xml::{self, Element, XmlWriter};

/// The answer root of every XmlCustomerService operation (wire.md §3.8).
const ROOT: &str = "CustomerData";

/// The customers a successful operation answers.
type Outputs = Result<Vec<CustomerRecord>, OpError>;

/// Serves a SOAP 1.1 / 1.2 POST to XmlCustomerService.asmx.
pub(crate) async fn soap<S: CustomerService>(
    svc: &S,
    cfg: &SoapConfig,
    req: &HttpRequest<'_>,
    binding: Binding,
    content_type: &str,
) -> HttpResponse {
    let read = envelope::read_body(
        Service::Customer,
        binding,
        req.body,
        content_type,
        req.soap_action,
        &cfg.limits,
    );
    let (operation, call) = match read {
        Ok(found) => found,
        Err(rejected) => return crate::handler::fault(svc, req, binding, rejected).await,
    };
    let parameter = call
        .children
        .iter()
        .find(|c| c.name == "xml" && matches!(c.namespace.as_deref(), None | Some(SERVICE_NS)))
        .or(match call.children.as_slice() {
            [only] => Some(only),
            _ => None,
        });
    let Some(parameter) = parameter else {
        let rejected = Rejected {
            code: FaultCode::MissingParameter,
            operation,
        };
        return crate::handler::fault(svc, req, binding, rejected).await;
    };
    let node_form = string_form(operation) != Some(operation);
    let document = if node_form {
        parameter.children.first().cloned()
    } else {
        xml::parse(parameter.text.as_bytes(), &cfg.limits).ok()
    };
    let (code, inner) = answer(svc, req, operation, document, node_form).await;
    let mut response = if node_form {
        binding.answer_node(operation, &inner)
    } else {
        binding.answer(operation, &inner, cfg.post_raw_response)
    };
    response.operation = Some(operation.name());
    response.result_code = Some(code);
    response
}

/// Serves an HTTP POST form to `XmlCustomerService.asmx/{segment}`; `Op` is served as
/// `OpS` (wire.md §2.3). `None` when the segment names no operation (404).
pub(crate) async fn post<S: CustomerService>(
    svc: &S,
    cfg: &SoapConfig,
    req: &HttpRequest<'_>,
    segment: &str,
) -> Option<HttpResponse> {
    let operation = string_form(Service::Customer.operation_of_segment(segment))?;
    if !req.method.eq_ignore_ascii_case("POST") {
        return Some(HttpResponse::method_not_allowed("POST"));
    }
    let form = crate::binding::media_type(req.content_type.unwrap_or_default());
    if form != "application/x-www-form-urlencoded" {
        return Some(HttpResponse::text(415, "unsupported media type"));
    }
    let call = match envelope::read_form(operation, req.body) {
        Ok(call) => call,
        Err(rejected) => {
            return Some(crate::handler::fault(svc, req, Binding::HttpPost, rejected).await)
        }
    };
    let document = xml::parse(call.xml.as_bytes(), &cfg.limits).ok();
    let (code, inner) = answer(svc, req, operation, document, false).await;
    let mut response = Binding::HttpPost.answer(operation, &inner, cfg.post_raw_response);
    response.operation = Some(operation.name());
    response.result_code = Some(code);
    Some(response)
}

/// The `OpS` of an XmlCustomerService operation; `None` for anything else.
fn string_form(op: Operation) -> Option<Operation> {
    Some(match op {
        Operation::GetCustomerDataByAuthor | Operation::GetCustomerDataByAuthorS => {
            Operation::GetCustomerDataByAuthorS
        }
        Operation::CustomerSearch | Operation::CustomerSearchS => Operation::CustomerSearchS,
        Operation::CustomerAdd | Operation::CustomerAddS => Operation::CustomerAddS,
        Operation::CustomerUpdate | Operation::CustomerUpdateS => Operation::CustomerUpdateS,
        _ => return None,
    })
}

/// Runs the operation on its document (`None`: unparsable, 5001) and writes
/// `CustomerData`; a refusal is recorded in the attempt history first (errata E-3).
/// Returns the ResultCode and the document (with declaration unless `node_form`).
async fn answer<S: CustomerService>(
    svc: &S,
    req: &HttpRequest<'_>,
    operation: Operation,
    document: Option<Element>,
    node_form: bool,
) -> (i32, String) {
    let outcome = match document {
        None => Err(OpError::Refused(Refused::Document)),
        Some(document) => run(svc, operation, &document).await,
    };
    let (mut code, mut customers) = match outcome {
        Ok(customers) => (result_code::OK, customers),
        Err(error) => {
            tracing::info!(%error, "customer call refused");
            (result_code::of(&error), Vec::new())
        }
    };
    if code.number != 0 {
        let attempt = Attempt {
            operation: operation.name().to_owned(),
            license_id: None,
            installation_id: None,
            result_code: code.number,
            reason: code.reason.to_owned(),
            client_ip: req.client_ip,
        };
        if let Err(error) = svc.record_attempt(attempt).await {
            tracing::error!(%error, "attempt history not written");
            code = result_code::of(&OpError::Internal(error.to_string()));
            customers.clear();
        }
    }
    (code.number, document_text(code, &customers, node_form))
}

async fn run<S: CustomerService>(svc: &S, op: Operation, doc: &Element) -> Outputs {
    let fields = Fields::new(doc);
    match string_form(op) {
        Some(Operation::GetCustomerDataByAuthorS) => get::run(svc, &fields).await,
        Some(Operation::CustomerSearchS) => search::run(svc, &fields).await,
        Some(Operation::CustomerAddS) => add::run(svc, &fields).await,
        Some(Operation::CustomerUpdateS) => update::run(svc, &fields).await,
        _ => Err(OpError::Refused(Refused::Document)),
    }
}

/// `CustomerData`: ResultCode, ErrorMessage, then every customer (wire.md §3.8).
fn document_text(code: WireCode, customers: &[CustomerRecord], node_form: bool) -> String {
    let mut w = if node_form {
        XmlWriter::fragment()
    } else {
        XmlWriter::document()
    };
    let mut attributes = ROOT_NAMESPACES.to_vec();
    if node_form {
        // Inside `{Op}Result` in the service namespace; inner documents have none.
        attributes.insert(0, ("xmlns", ""));
    }
    w.start(ROOT, &attributes)
        .element("ResultCode", &code.number.to_string())
        .element("ErrorMessage", code.text);
    for customer in customers {
        record::write(&mut w, customer);
    }
    w.end(ROOT);
    w.finish()
}
