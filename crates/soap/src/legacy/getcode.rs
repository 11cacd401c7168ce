//! PP4 `getcode.asp` (wire.md §3.11, §6.1): LicenseID, CustomerPW, code1 (session),
//! code2 (computer ID), optional ProdID, ProdOptionID, ProductVersion, over GET or
//! POST (the body overrides the query). The answer is `text/html` lines
//! `Label = value<br>\r\n`: `Registration code1`, `Registration code2`,
//! `License Update`; or `Error Response = N`; or `No More Keys available!<br>\r\n`.

use unlockd_core::{OptionId, Refusal, Version};

use super::{record, LegacyInput};
use crate::envelope::percent_decode;
use crate::handler::{HttpRequest, HttpResponse};
use crate::result_code::{self, Pp4Error};
use crate::service::LegacyService;
use crate::value;

/// The script name, for logs and the attempt history.
const NAME: &str = "getcode";

/// Answers getcode.asp.
pub(crate) async fn handle<S: LegacyService>(svc: &S, req: &HttpRequest<'_>) -> HttpResponse {
    let is = |m: &str| req.method.eq_ignore_ascii_case(m);
    if !(is("GET") || is("POST")) {
        return HttpResponse::method_not_allowed("GET, POST");
    }
    let mut fields = decode_fields(req.query.unwrap_or_default().as_bytes());
    if is("POST") {
        // The body overrides the query (wire.md §3.11).
        let body = decode_fields(req.body);
        fields.retain(|(k, _)| !body.iter().any(|(b, _)| b.eq_ignore_ascii_case(k)));
        fields.extend(body);
    }
    let get = |name: &str| {
        fields
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let (license_text, password) = (get("LicenseID"), get("CustomerPW"));
    let blank = license_text.is_empty() || password.is_empty();
    let result = match parse(&get, license_text.as_str(), password) {
        Ok(input) => activate(svc, req, &input).await,
        Err(refusal) => Err(refusal),
    };
    let (lines, code) = match result {
        Ok(lines) => (lines, 0),
        Err(refusal) => {
            let answer = result_code::pp4(refusal.as_ref(), blank);
            let number = match answer {
                Pp4Error::Code(n) => n,
                Pp4Error::NoMoreKeys => 300,
            };
            let reason = refusal
                .as_ref()
                .map(|r| result_code::of(&r.clone().into()).reason)
                .unwrap_or("E-INTERNAL");
            let license_id = license_text.parse().unwrap_or(0);
            let answer = if record(svc, NAME, license_id, number, reason, req.client_ip).await {
                answer
            } else {
                Pp4Error::Code(500)
            };
            match answer {
                Pp4Error::Code(n) => (line("Error Response", &n.to_string()), n),
                Pp4Error::NoMoreKeys => ("No More Keys available!<br>\r\n".to_owned(), number),
            }
        }
    };
    let mut response = HttpResponse::new(200, "text/html; charset=utf-8", lines.into_bytes());
    response.operation = Some(NAME);
    response.license_id = license_text.parse().ok();
    response.result_code = Some(code);
    response
}

/// The fields; a refusal here is E-PARAM (A1).
fn parse(
    get: &impl Fn(&str) -> String,
    license_id: &str,
    password: String,
) -> Result<(LegacyInput, Option<OptionId>, Option<String>), Option<Refusal>> {
    let int = |s: &str| value::int(s).map_err(|_| Some(Refusal::Param));
    let optional = |name: &str| -> Result<i32, Option<Refusal>> {
        match get(name).as_str() {
            "" => Ok(0),
            v => int(v),
        }
    };
    if license_id.is_empty() || password.is_empty() {
        return Err(Some(Refusal::Param));
    }
    let option = match optional("ProdOptionID")? {
        0 => None,
        v => Some(OptionId::new(v).map_err(|_| Some(Refusal::Param))?),
    };
    let version = get("ProductVersion");
    Ok((
        LegacyInput {
            license_id: int(license_id)?,
            password,
            product_id: optional("ProdID")?,
            code1: int(&get("code1"))?,
            code2: int(&get("code2"))?,
            require_registration: false,
        },
        option,
        (!version.is_empty()).then_some(version),
    ))
}

async fn activate<S: LegacyService>(
    svc: &S,
    req: &HttpRequest<'_>,
    (input, option, version): &(LegacyInput, Option<OptionId>, Option<String>),
) -> Result<String, Option<Refusal>> {
    let mut request = input.request(req.client_ip).map_err(Some)?;
    request.option_id = *option;
    request.version = version.as_deref().and_then(Version::parse_request);
    match svc.activate_legacy(request, None).await {
        Ok(granted) => {
            let (rk1, rk2) = granted.grant.codes.unwrap_or((0, 0));
            Ok([
                line("Registration code1", &rk1.to_string()),
                line("Registration code2", &rk2.to_string()),
                line("License Update", &granted.license_update),
            ]
            .concat())
        }
        Err(refused) => Err(match refused.error {
            crate::service::ServiceError::Refused(r) => Some(r),
            _ => None,
        }),
    }
}

/// `Label = value<br>\r\n`, ASCII only (others `?`), no markup from the value.
fn line(label: &str, value: &str) -> String {
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
