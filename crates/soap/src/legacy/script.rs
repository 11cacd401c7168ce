//! What the PP4 automation scripts share (wire.md §3.11): fields from the query and
//! a form body over GET or POST (the body overrides the query; names ASCII
//! case-insensitive; non-UTF-8 values read as Windows-1252), and `text/html` answers
//! of `Label = value<br>\r\n` lines.

use crate::envelope::percent_decode;
use crate::handler::{HttpRequest, HttpResponse};

/// The decoded fields of one script request.
pub(crate) struct ScriptFields(Vec<(String, String)>);

impl ScriptFields {
    /// Reads query and body; `None` for a method other than GET or POST.
    pub(crate) fn read(req: &HttpRequest<'_>) -> Option<Self> {
        let is = |m: &str| req.method.eq_ignore_ascii_case(m);
        if !(is("GET") || is("POST")) {
            return None;
        }
        let mut fields = decode_fields(req.query.unwrap_or_default().as_bytes());
        if is("POST") {
            let body = decode_fields(req.body);
            fields.retain(|(k, _)| !body.iter().any(|(b, _)| b.eq_ignore_ascii_case(k)));
            fields.extend(body);
        }
        Some(Self(fields))
    }

    /// The trimmed value of `name` (last one wins), empty when absent.
    pub(crate) fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }
}

/// The `200 text/html` answer with the span fields set.
pub(crate) fn respond(
    name: &'static str,
    lines: String,
    license_id: Option<i32>,
    code: i32,
) -> HttpResponse {
    let mut response = HttpResponse::new(200, "text/html; charset=utf-8", lines.into_bytes());
    response.operation = Some(name);
    response.license_id = license_id;
    response.result_code = Some(code);
    response
}

/// `Label = value<br>\r\n`, ASCII only (others `?`), no markup from the value.
pub(crate) fn line(label: &str, value: &str) -> String {
    let clean: String = value
        .chars()
        .map(|c| match c {
            '<' | '>' | '\r' | '\n' => '?',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '?',
        })
        .collect();
    format!("{label} = {clean}<br>\r\n")
}

/// Form or query fields; values that are not UTF-8 are read as Windows-1252
/// (wire.md §3.11), approximated by Latin-1 with `?` for 0x80..=0x9F.
fn decode_fields(raw: &[u8]) -> Vec<(String, String)> {
    raw.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut parts = pair.splitn(2, |b| *b == b'=');
            let key = text(&percent_decode(parts.next().unwrap_or_default()));
            let value = text(&percent_decode(parts.next().unwrap_or_default()));
            (key, value)
        })
        .collect()
}

fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes
            .iter()
            .map(|&b| {
                if (0x80..0xA0).contains(&b) {
                    '?'
                } else {
                    char::from(b)
                }
            })
            .collect(),
    }
}

/// The `Error Response = N` answer of a refused posting script (wire.md §4.1: 100 for
/// blank or bad credentials, else 500), after its attempt row (errata E-3); 500 if
/// that row could not be written. `refusal` `None` is an internal error.
pub(crate) async fn refuse<S: crate::service::LegacyService>(
    svc: &S,
    name: &'static str,
    license_text: &str,
    refusal: Option<unlockd_core::Refusal>,
    blank: bool,
    client_ip: Option<std::net::IpAddr>,
) -> HttpResponse {
    use crate::result_code::{self, Pp4Error};
    let number = match result_code::pp4(refusal.as_ref(), blank) {
        Pp4Error::Code(n) => n,
        Pp4Error::NoMoreKeys => 500,
    };
    let reason = refusal
        .map(|r| result_code::of(&r.into()).reason)
        .unwrap_or("E-INTERNAL");
    let license_id = license_text.parse().ok();
    let written = super::record(
        svc,
        name,
        license_id.unwrap_or(0),
        number,
        reason,
        client_ip,
    )
    .await;
    let number = if written { number } else { 500 };
    respond(
        name,
        line("Error Response", &number.to_string()),
        license_id,
        number,
    )
}

/// The refusal behind a service error (`None`: internal).
pub(crate) fn refusal_of(error: crate::service::ServiceError) -> Option<unlockd_core::Refusal> {
    match error {
        crate::service::ServiceError::Refused(r) => Some(r),
        _ => None,
    }
}
