//! PP4 `countpost.asp` (wire.md §3.11): LicenseID, counter1..counter5 (i64, errata
//! E-19), optional Password (checked if given [ours]). The five values become the
//! license's last usage counters: `Counter update result = 0` and `License Update`;
//! else `Error Response = N` (100 blank ID or bad credentials, 500 any other bad
//! field), nothing changed (errata E-3).

use unlockd_core::pp4_post::UsageCounters;
use unlockd_core::{LicenseId, Password, Refusal};

use super::script::{self, line, refusal_of, ScriptFields};
use crate::handler::{HttpRequest, HttpResponse};
use crate::service::LegacyService;
use crate::value;

/// The script name, for logs and the attempt history.
const NAME: &str = "countpost";

/// Answers countpost.asp.
pub(crate) async fn handle<S: LegacyService>(svc: &S, req: &HttpRequest<'_>) -> HttpResponse {
    let Some(fields) = ScriptFields::read(req) else {
        return HttpResponse::method_not_allowed("GET, POST");
    };
    let license_text = fields.get("LicenseID");
    let blank = license_text.is_empty();
    let result = match parse(&fields, &license_text) {
        Ok((license, password, counters)) => svc
            .post_usage_counters(license, password, counters)
            .await
            .map_err(refusal_of),
        Err(refusal) => Err(Some(refusal)),
    };
    match result {
        Ok(license_update) => script::respond(
            NAME,
            [
                line("Counter update result", "0"),
                line("License Update", &license_update),
            ]
            .concat(),
            license_text.parse().ok(),
            0,
        ),
        Err(refusal) => {
            script::refuse(svc, NAME, &license_text, refusal, blank, req.client_ip).await
        }
    }
}

/// The fields; any bad one is E-PARAM (A1). All five counters are required.
fn parse(
    fields: &ScriptFields,
    license_text: &str,
) -> Result<(LicenseId, Option<Password>, UsageCounters), Refusal> {
    let license = value::int(license_text)
        .ok()
        .and_then(|v| LicenseId::new(v).ok())
        .ok_or(Refusal::Param)?;
    let password = match fields.get("Password").as_str() {
        "" => None,
        p => Some(Password::parse(p).map_err(|_| Refusal::Param)?),
    };
    let mut counters = [0i64; 5];
    for (i, slot) in counters.iter_mut().enumerate() {
        let text = fields.get(&format!("counter{}", i + 1));
        *slot = text.parse().map_err(|_| Refusal::Param)?;
    }
    Ok((license, password, UsageCounters::new(counters)?))
}
