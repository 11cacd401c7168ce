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

use crate::binding::Binding;
use crate::document_call;
use crate::envelope;
use crate::error::{OpError, Refused};
use crate::fields::Fields;
use crate::handler::{HttpRequest, HttpResponse, SoapConfig};
use crate::ops::{Operation, Service};
use crate::result_code::{self, WireCode};
use crate::service::{CustomerRecord, CustomerService};
use crate::xml::{self, Element};

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
    let parameter = match document_call::parameter(&call, operation) {
        Ok(parameter) => parameter,
        Err(rejected) => return crate::handler::fault(svc, req, binding, rejected).await,
    };
    let node_form = string_form(operation) != Some(operation);
    let document = document_call::inner_document(parameter, node_form, &cfg.limits);
    let (code, inner) = answer(svc, req, operation, document, node_form).await;
    document_call::respond(binding, cfg, operation, code, &inner, node_form)
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
    if let Err(refused) = crate::binding::check_post_form(req) {
        return Some(refused);
    }
    let call = match envelope::read_form(operation, req.body) {
        Ok(call) => call,
        Err(rejected) => {
            return Some(crate::handler::fault(svc, req, Binding::HttpPost, rejected).await)
        }
    };
    let document = xml::parse(call.xml.as_bytes(), &cfg.limits).ok();
    let (code, inner) = answer(svc, req, operation, document, false).await;
    Some(document_call::respond(
        Binding::HttpPost,
        cfg,
        operation,
        code,
        &inner,
        false,
    ))
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
        if let Err(internal) = document_call::record_refusal(svc, req, operation, None, code).await
        {
            code = internal;
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
    let mut w = document_call::start_result(ROOT, code, node_form);
    for customer in customers {
        record::write(&mut w, customer);
    }
    w.end(ROOT);
    w.finish()
}
