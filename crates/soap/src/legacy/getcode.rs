//! PP4 `getcode.asp` (wire.md §3.11, §6.1): LicenseID, CustomerPW, code1 (session),
//! code2 (computer ID), optional ProdID, ProdOptionID, ProductVersion, over GET or
//! POST (the body overrides the query). The answer is `text/html` lines
//! `Label = value<br>\r\n`: `Registration code1`, `Registration code2`,
//! `License Update`; or `Error Response = N`; or `No More Keys available!<br>\r\n`.

use unlockd_core::{OptionId, Refusal, Version};

use super::script::{self, line, ScriptFields};
use super::{record, LegacyInput};
use crate::handler::{HttpRequest, HttpResponse};
use crate::result_code::{self, Pp4Error};
use crate::service::LegacyService;
use crate::value;

/// The script name, for logs and the attempt history.
const NAME: &str = "getcode";

/// Answers getcode.asp.
pub(crate) async fn handle<S: LegacyService>(svc: &S, req: &HttpRequest<'_>) -> HttpResponse {
    let Some(fields) = ScriptFields::read(req) else {
        return HttpResponse::method_not_allowed("GET, POST");
    };
    let get = |name: &str| fields.get(name);
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
    script::respond(NAME, lines, license_text.parse().ok(), code)
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
