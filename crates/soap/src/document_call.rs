//! The frame shared by the back-office services whose operations carry one inner
//! document (XmlLicenseService §3.7, XmlCustomerService §3.8): finding the parameter,
//! reading the inner document in the `OpS` form (escaped string, wire.md §2.1) or the
//! `Op` form (child XML, §2.3), recording a refusal
//! (errata E-3) and wrapping the answer in the binding's response.

use crate::binding::{Binding, SERVICE_NS};
use crate::envelope::Rejected;
use crate::error::OpError;
use crate::fault::FaultCode;
use crate::handler::{HttpRequest, HttpResponse, SoapConfig};
use crate::ops::Operation;
use crate::result_code::{self, WireCode};
use crate::service::{ActivationService, Attempt};
use crate::xml::{self, Element, Limits, XmlWriter};
use unlockd_core::LicenseId;

/// `xmlns:xsd`/`xmlns:xsi` of back-office output roots (wire.md §2.2).
const ROOT_NAMESPACES: [(&str, &str); 2] = [
    ("xmlns:xsd", "http://www.w3.org/2001/XMLSchema"),
    ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
];

/// The parameter of a SOAP call: `<xml>` (unqualified or in the service namespace),
/// else the call's only child; neither is the MissingParameter fault.
pub(crate) fn parameter(call: &Element, operation: Operation) -> Result<&Element, Rejected> {
    call.children
        .iter()
        .find(|c| c.name == "xml" && matches!(c.namespace.as_deref(), None | Some(SERVICE_NS)))
        .or(match call.children.as_slice() {
            [only] => Some(only),
            _ => None,
        })
        .ok_or(Rejected {
            code: FaultCode::MissingParameter,
            operation,
        })
}

/// The inner document of `parameter`: parsed from its text in the string form, its
/// first child in the node form. `None` when there is none or it does not parse (5001).
pub(crate) fn inner_document(
    parameter: &Element,
    node_form: bool,
    limits: &Limits,
) -> Option<Element> {
    if node_form {
        parameter.children.first().cloned()
    } else {
        xml::parse(parameter.text.as_bytes(), limits).ok()
    }
}

/// Records a refusal with `code` in the attempt history before it is answered (errata
/// E-3). When the row cannot be written the answer becomes the internal error, which
/// the caller answers without outputs: `Err` carries that code.
pub(crate) async fn record_refusal<S: ActivationService>(
    svc: &S,
    req: &HttpRequest<'_>,
    operation: Operation,
    license_id: Option<LicenseId>,
    code: WireCode,
) -> Result<(), WireCode> {
    let attempt = Attempt {
        operation: operation.name().to_owned(),
        license_id,
        installation_id: None,
        result_code: code.number,
        reason: code.reason.to_owned(),
        client_ip: req.client_ip,
    };
    svc.record_attempt(attempt).await.map_err(|error| {
        tracing::error!(%error, "attempt history not written");
        result_code::of(&OpError::Internal(error.to_string()))
    })
}

/// Starts the output document: `root` with the schema namespaces, `ResultCode` and
/// `ErrorMessage`. In the node form the root sits inside `{Op}Result` in the service
/// namespace and resets the default namespace (inner documents have none, §1.2).
pub(crate) fn start_result(root: &str, code: WireCode, node_form: bool) -> XmlWriter {
    let mut w = if node_form {
        XmlWriter::fragment()
    } else {
        XmlWriter::document()
    };
    let mut attributes = ROOT_NAMESPACES.to_vec();
    if node_form {
        attributes.insert(0, ("xmlns", ""));
    }
    w.start(root, &attributes)
        .element("ResultCode", &code.number.to_string())
        .element("ErrorMessage", code.text);
    w
}

/// Wraps the answered inner document in `binding`'s response to `operation`, noting the
/// operation and ResultCode for the request log.
pub(crate) fn respond(
    binding: Binding,
    cfg: &SoapConfig,
    operation: Operation,
    code: i32,
    inner: &str,
    node_form: bool,
) -> HttpResponse {
    let mut response = if node_form {
        binding.answer_node(operation, inner)
    } else {
        binding.answer(operation, inner, cfg.post_raw_response)
    };
    response.operation = Some(operation.name());
    response.result_code = Some(code);
    response
}
