//! The two offline pages (wire.md §1, §7.2, §7.4): plain server-rendered HTML forms
//! that work without JavaScript.
//!
//! - `ManualRequest.aspx`: GET shows the form (file `requestFile` or textarea
//!   `request`); POST (multipart or urlencoded) answers with the response in a
//!   read-only textarea and a `data:` link named `ManualResponse.xml` (or `.txt` for a
//!   PP4 file), or with the error code and text.
//! - `ManualTriggerCodes.aspx`: GET shows the User Code form; POST shows Activation
//!   Codes 1 and 2 or the error.

use base64::Engine;

use super::multipart;
use super::pp4::{self, ManualInputs};
use super::OfflineAnswer;
use crate::binding::{is_media_type, FORM_URLENCODED};
use crate::frame::Caller;
use crate::handler::{HttpRequest, HttpResponse, SoapConfig};
use crate::service::ClientService;
use crate::xml::escape_text;

/// ManualRequest.aspx, GET or POST.
pub(crate) async fn manual_request<S: ClientService>(
    svc: &S,
    cfg: &SoapConfig,
    req: &HttpRequest<'_>,
) -> HttpResponse {
    if req.method.eq_ignore_ascii_case("GET") {
        return html(200, "Manual activation", REQUEST_FORM);
    }
    let submitted = match submitted_request(req) {
        Ok(text) => text,
        Err(status) => return html(status, "Manual activation", "<p>Unreadable form.</p>"),
    };
    let answer = super::respond(svc, cfg, &submitted, req.client_ip, req.request_id).await;
    let (body, license_id) = match &answer {
        OfflineAnswer::Response {
            text,
            file_name,
            license_id,
        } => {
            let data = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
            let mime = if file_name.ends_with(".xml") {
                "application/xml"
            } else {
                "text/plain"
            };
            (
                format!(
                    "<p>Result code <span id=\"code\">0</span>. Take this response back to the \
                     application.</p>\n<p><textarea id=\"response\" name=\"response\" rows=\"16\" \
                     cols=\"100\" readonly>{}</textarea></p>\n<p><a id=\"download\" \
                     download=\"{file_name}\" href=\"data:{mime};base64,{data}\">Download \
                     {file_name}</a></p>\n{BACK}",
                    escaped(text)
                ),
                *license_id,
            )
        }
        OfflineAnswer::Refused {
            code,
            message,
            license_id,
        } => (error_html(*code, message), *license_id),
    };
    let mut response = html(200, "Manual activation", &body);
    response.operation = Some("ManualRequest");
    response.license_id = license_id;
    response.result_code = Some(answer.code());
    response
}

/// ManualTriggerCodes.aspx, GET or POST.
pub(crate) async fn manual_trigger_codes<S: ClientService>(
    svc: &S,
    req: &HttpRequest<'_>,
) -> HttpResponse {
    if req.method.eq_ignore_ascii_case("GET") {
        return html(200, "Manual trigger codes", CODES_FORM);
    }
    if !is_media_type(req.content_type.unwrap_or_default(), FORM_URLENCODED) {
        return html(
            415,
            "Manual trigger codes",
            "<p>Unsupported form encoding.</p>",
        );
    }
    let field = |name: &str| {
        form_urlencoded::parse(req.body)
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let inputs = ManualInputs::parse(
        &field("LicenseID"),
        &field("Password"),
        &field("ProductID"),
        &field("ProductOptionID"),
        &field("ProductVersion"),
        &field("UserCode1"),
        &field("UserCode2"),
    );
    let caller = Caller {
        client_ip: req.client_ip,
        request_id: req.request_id.to_owned(),
    };
    let (body, code) = match pp4::manual_codes(svc, inputs, &caller).await {
        Ok(c) => (
            format!(
                "<p>Result code <span id=\"code\">0</span>.</p>\n<dl>\n<dt>Activation Code 1</dt>\
                 <dd id=\"ActivationCode1\">{}</dd>\n<dt>Activation Code 2</dt>\
                 <dd id=\"ActivationCode2\">{}</dd>\n<dt>Activations left</dt>\
                 <dd id=\"ActivationsLeft\">{}</dd>\n</dl>\n{BACK_CODES}",
                c.regkey1, c.regkey2, c.activations_left
            ),
            0,
        ),
        Err(refused) => {
            let code = refused.code();
            let message = match &refused {
                OfflineAnswer::Refused { message, .. } => message.as_str(),
                OfflineAnswer::Response { .. } => "",
            };
            (error_html(code, message), code)
        }
    };
    let mut response = html(200, "Manual trigger codes", &body);
    response.operation = Some("ManualTriggerCodes");
    response.result_code = Some(code);
    response
}

/// The request text: the uploaded file if one was chosen, else the textarea.
fn submitted_request(req: &HttpRequest<'_>) -> Result<String, u16> {
    let content_type = req.content_type.unwrap_or_default();
    if is_media_type(content_type, FORM_URLENCODED) {
        return Ok(form_urlencoded::parse(req.body)
            .find(|(k, _)| k.eq_ignore_ascii_case("request"))
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default());
    }
    let boundary = multipart::boundary(content_type).ok_or(415_u16)?;
    let parts = multipart::parts(req.body, &boundary).ok_or(400_u16)?;
    let named = |name: &str| {
        parts
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name) && !p.body.is_empty())
    };
    let part = named("requestFile").or_else(|| named("request"));
    // Not UTF-8: no document can be found in it, which answers 5001.
    Ok(part
        .map(|p| String::from_utf8_lossy(p.body).into_owned())
        .unwrap_or_default())
}

fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_text(text, &mut out);
    out.replace('"', "&quot;")
}

fn error_html(code: i32, message: &str) -> String {
    format!(
        "<p id=\"error\">Error <span id=\"code\">{code}</span>: <span id=\"message\">{}</span></p>\n{BACK}",
        escaped(message)
    )
}

fn html(status: u16, title: &str, body: &str) -> HttpResponse {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body>\n<h1>{title}</h1>\n{body}\n</body>\n</html>\n"
    );
    HttpResponse::new(status, "text/html; charset=utf-8", page.into_bytes())
}

const BACK: &str = "<p><a href=\"ManualRequest.aspx\">Another request</a></p>";
const BACK_CODES: &str = "<p><a href=\"ManualTriggerCodes.aspx\">Other codes</a></p>";

const REQUEST_FORM: &str = "<p>Upload the request file your application saved, or paste its \
text, to get the response file to take back.</p>
<form method=\"post\" action=\"ManualRequest.aspx\" enctype=\"multipart/form-data\">
<p><label for=\"requestFile\">Request file</label> <input type=\"file\" id=\"requestFile\" name=\"requestFile\"></p>
<p><label for=\"request\">or paste the request</label><br><textarea id=\"request\" name=\"request\" rows=\"12\" cols=\"100\"></textarea></p>
<p><button type=\"submit\" id=\"submit\">Get the response</button></p>
</form>";

const CODES_FORM: &str = "<p>Type the User Codes your application shows.</p>
<form method=\"post\" action=\"ManualTriggerCodes.aspx\">
<p><label for=\"LicenseID\">License ID</label> <input id=\"LicenseID\" name=\"LicenseID\" inputmode=\"numeric\"></p>
<p><label for=\"Password\">Password</label> <input id=\"Password\" name=\"Password\" type=\"password\"></p>
<p><label for=\"UserCode1\">User Code 1</label> <input id=\"UserCode1\" name=\"UserCode1\"></p>
<p><label for=\"UserCode2\">User Code 2</label> <input id=\"UserCode2\" name=\"UserCode2\"></p>
<p><label for=\"ProductVersion\">Product version (optional)</label> <input id=\"ProductVersion\" name=\"ProductVersion\"></p>
<p><button type=\"submit\" id=\"submit\">Get the codes</button></p>
</form>";
