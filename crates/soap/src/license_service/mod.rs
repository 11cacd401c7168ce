//! XmlLicenseService (wire.md §3.7), the back office over SOAP 1.1, SOAP 1.2 and HTTP
//! POST: Add/AddS, AddMultiple(S), GetLicenseCustomData(S),
//! UpdateLicenseCustomData(S), UpdateActivationFields(S), InfoCheck(S), one file per
//! operation. Every back-office document starts with the API user's triple (wire.md
//! §3), checked by [`BackOfficeService::authenticate`] before anything is read or
//! written; InfoCheck without the triple is the client mode (LicenseID + Password,
//! errata E-15). UpdateUserDefinedFields is client-facing: it runs in the client
//! frame of §2.5 (`crate::frame`) and has no S form (E-15).
//!
//! `OpS` takes and answers the inner document as an escaped string (§2.1); `Op` carries
//! it as child XML of `<xml>` and `{Op}Result` (§2.3). HTTP POST serves `…/Op` as
//! `…/OpS`. Output roots are the canonical input root + `Result` (errata E-20).

mod add;
mod add_multiple;
mod custom_data;
mod info_check;
mod record;
mod update_activation_fields;
mod update_check;
mod update_user_defined_fields;

pub(crate) use update_user_defined_fields::UpdateUserDefinedFields;

use crate::binding::Binding;
use crate::document_call;
use crate::envelope::{self, Call};
use crate::error::{InputError, OpError, Refused};
use crate::fields::Fields;
use crate::handler::{HttpRequest, HttpResponse, SoapConfig};
use crate::ops::{Operation, Service};
use crate::result_code::{self, WireCode};
use crate::service::{ApiCredentials, BackOfficeService, ClientService, Permission};
use crate::value;
use crate::xml::{self, Element};
use unlockd_core::{AuthorId, LicenseId};

/// A successful operation's outputs, serialised after `ErrorMessage`.
type Outputs = Result<String, OpError>;

/// Serves a SOAP 1.1 / 1.2 POST to XmlLicenseService.asmx.
pub(crate) async fn soap<S: ClientService + BackOfficeService>(
    svc: &S,
    cfg: &SoapConfig,
    req: &HttpRequest<'_>,
    binding: Binding,
    content_type: &str,
) -> HttpResponse {
    let read = envelope::read_body(
        Service::License,
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
    if operation == Operation::UpdateUserDefinedFields {
        let call = Call {
            operation,
            xml: parameter.text.clone(),
        };
        return crate::handler::dispatch(svc, cfg, req, binding, Ok(call)).await;
    }
    let node_form = !is_string_form(operation);
    let document = document_call::inner_document(parameter, node_form, &cfg.limits);
    let (code, inner) = answer(svc, cfg, req, operation, document, node_form).await;
    document_call::respond(binding, cfg, operation, code, &inner, node_form)
}

/// Serves an HTTP POST form to `XmlLicenseService.asmx/{segment}`; `Op` is served as
/// `OpS` (wire.md §2.3). `None` when the segment names no operation (404).
pub(crate) async fn post<S: ClientService + BackOfficeService>(
    svc: &S,
    cfg: &SoapConfig,
    req: &HttpRequest<'_>,
    segment: &str,
) -> Option<HttpResponse> {
    let named = Service::License.operation_of_segment(segment);
    let client_frame = named == Operation::UpdateUserDefinedFields;
    let operation = if client_frame {
        named
    } else {
        string_form(named)?
    };
    if let Err(refused) = crate::binding::check_post_form(req) {
        return Some(refused);
    }
    if client_frame {
        let call = envelope::read_form(operation, req.body);
        return Some(crate::handler::dispatch(svc, cfg, req, Binding::HttpPost, call).await);
    }
    let call = match envelope::read_form(operation, req.body) {
        Ok(call) => call,
        Err(rejected) => {
            return Some(crate::handler::fault(svc, req, Binding::HttpPost, rejected).await)
        }
    };
    let document = xml::parse(call.xml.as_bytes(), &cfg.limits).ok();
    let (code, inner) = answer(svc, cfg, req, operation, document, false).await;
    Some(document_call::respond(
        Binding::HttpPost,
        cfg,
        operation,
        code,
        &inner,
        false,
    ))
}

fn is_string_form(op: Operation) -> bool {
    matches!(
        op,
        Operation::AddS
            | Operation::GetLicenseCustomDataS
            | Operation::UpdateLicenseCustomDataS
            | Operation::InfoCheckS
            | Operation::AddMultipleS
            | Operation::UpdateActivationFieldsS
            | Operation::UpdateCheckS
    )
}

/// The `OpS` of an XmlLicenseService operation; `None` for anything else.
fn string_form(op: Operation) -> Option<Operation> {
    Some(match op {
        Operation::Add | Operation::AddS => Operation::AddS,
        Operation::GetLicenseCustomData | Operation::GetLicenseCustomDataS => {
            Operation::GetLicenseCustomDataS
        }
        Operation::UpdateLicenseCustomData | Operation::UpdateLicenseCustomDataS => {
            Operation::UpdateLicenseCustomDataS
        }
        Operation::InfoCheck | Operation::InfoCheckS => Operation::InfoCheckS,
        Operation::AddMultiple | Operation::AddMultipleS => Operation::AddMultipleS,
        Operation::UpdateActivationFields | Operation::UpdateActivationFieldsS => {
            Operation::UpdateActivationFieldsS
        }
        Operation::UpdateCheck | Operation::UpdateCheckS => Operation::UpdateCheckS,
        _ => return None,
    })
}

/// The canonical input root of an operation (wire.md §3.7).
fn input_root(op: Operation) -> &'static str {
    match string_form(op) {
        Some(Operation::AddS) => "LicenseAdd",
        Some(Operation::GetLicenseCustomDataS) => "GetLicenseCustomData",
        Some(Operation::InfoCheckS) => "InfoCheck",
        Some(Operation::AddMultipleS) => "LicenseAddMultiple",
        Some(Operation::UpdateActivationFieldsS) => "UpdateActivationFields",
        Some(Operation::UpdateCheckS) => "LicenseUpdateCheck",
        _ => "UpdateLicenseCustomData",
    }
}

/// Runs the operation on its document (`None`: unparsable, 5001) and writes the
/// output document; refusals are recorded in the attempt history first (errata E-3).
/// Returns the ResultCode and the document (with declaration unless `node_form`).
async fn answer<S: BackOfficeService>(
    svc: &S,
    cfg: &SoapConfig,
    req: &HttpRequest<'_>,
    operation: Operation,
    document: Option<Element>,
    node_form: bool,
) -> (i32, String) {
    let license_id = document
        .as_ref()
        .and_then(|d| Fields::new(d).parse("LicenseID", LicenseId::parse).ok())
        .flatten();
    let outcome = match document {
        None => Err(OpError::Refused(Refused::Document)),
        Some(document) => run(svc, cfg, operation, &document).await,
    };
    let (mut code, mut outputs) = match outcome {
        Ok(outputs) => (result_code::OK, outputs),
        Err(error) => {
            tracing::info!(%error, "back-office call refused");
            (result_code::of(&error), String::new())
        }
    };
    if code.number != 0 {
        if let Err(internal) =
            document_call::record_refusal(svc, req, operation, license_id, code).await
        {
            code = internal;
            outputs.clear();
        }
    }
    (
        code.number,
        document_text(operation, code, &outputs, node_form),
    )
}

async fn run<S: BackOfficeService>(
    svc: &S,
    cfg: &SoapConfig,
    op: Operation,
    doc: &Element,
) -> Outputs {
    let fields = Fields::new(doc);
    match string_form(op) {
        Some(Operation::AddS) => add::run(svc, &fields).await,
        Some(Operation::AddMultipleS) => add_multiple::run(svc, &fields, cfg.bulk_max).await,
        Some(Operation::UpdateActivationFieldsS) => {
            update_activation_fields::run(svc, &fields).await
        }
        Some(Operation::GetLicenseCustomDataS) => custom_data::get(svc, &fields).await,
        Some(Operation::UpdateLicenseCustomDataS) => custom_data::update(svc, &fields).await,
        Some(Operation::InfoCheckS) => info_check::run(svc, &fields).await,
        Some(Operation::UpdateCheckS) => update_check::run(svc, &fields).await,
        _ => Err(OpError::Refused(Refused::Document)),
    }
}

/// Reads the triple (wire.md §3: AuthorID int, UserID string(64), UserPassword
/// string(128)) and authenticates it for `permission`.
pub(crate) async fn authenticate<S: BackOfficeService>(
    svc: &S,
    fields: &Fields<'_>,
    permission: Permission,
) -> Result<AuthorId, OpError> {
    let credentials = credentials(fields)?;
    Ok(svc.authenticate(credentials, permission).await?)
}

fn credentials(fields: &Fields<'_>) -> Result<ApiCredentials, InputError> {
    Ok(ApiCredentials {
        author_id: fields.parse_required("AuthorID", AuthorId::parse)?,
        user_id: fields
            .bounded("UserID", 64)?
            .ok_or(InputError::Missing("UserID"))?,
        password: fields
            .bounded("UserPassword", 128)?
            .ok_or(InputError::Missing("UserPassword"))?,
    })
}

fn document_text(op: Operation, code: WireCode, outputs: &str, node_form: bool) -> String {
    let root = format!("{}Result", input_root(op));
    let mut w = document_call::start_result(&root, code, node_form);
    w.raw(outputs).end(&root);
    w.finish()
}

/// Parses an optional `int` field.
fn opt_int(fields: &Fields<'_>, name: &'static str) -> Result<Option<i32>, InputError> {
    fields.parse(name, value::int)
}
