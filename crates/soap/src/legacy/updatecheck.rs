//! PP4 `updatecheck.asp` (wire.md §3.11): LicenseID, Password, ProductID, Ver1-Ver4
//! (VER-2; missing parts 0, none at all = no version), optional VerifyDaysToDL; Flags,
//! Options, ProdName and LanguageCode are ignored. Answers `License Status` (the PP4
//! number, §4.2), `License ReplacedBy` (0 none, errata E-21), `License Update`,
//! `VersionString` (the Latest Version), `ActionToTake`, `URLInfo`, `URLFile`,
//! `LatestFreeVersion`, `ReleaseDate` (YYYY-MM-DD), `ShortMessage` — the values of
//! UpdateCheck (§3.7), from the same decision (`unlockd_core::update_check`). Else
//! `Error Response = N`: 100 blank or bad credentials, 200 another product, 300 with
//! VerifyDaysToDL = 1 once downloads are over (rules EXP-3), 500 otherwise; one attempt
//! row each (errata E-3).

use unlockd_core::{LicenseId, Password, ProductId, Refusal, Version};

use super::script::{self, line, refusal_of, ScriptFields};
use crate::handler::{HttpRequest, HttpResponse};
use crate::result_code;
use crate::service::{LegacyService, UpdateCheckRequest, UpdateCheckService, UpdateReport};
use crate::value;

/// The script name, for logs and the attempt history.
const NAME: &str = "updatecheck";

/// Answers updatecheck.asp.
pub(crate) async fn handle<S: LegacyService + UpdateCheckService>(
    svc: &S,
    req: &HttpRequest<'_>,
) -> HttpResponse {
    let Some(fields) = ScriptFields::read(req) else {
        return HttpResponse::method_not_allowed("GET, POST");
    };
    let license_text = fields.get("LicenseID");
    let blank = license_text.is_empty() || fields.get("Password").is_empty();
    let verify_downloads = fields.get("VerifyDaysToDL") == "1";
    let result = match parse(&fields, &license_text) {
        Ok((license, request)) => svc.update_check(license, request).await.map_err(refusal_of),
        Err(refusal) => Err(Some(refusal)),
    };
    match result {
        Ok(report) if verify_downloads && !report.downloads_allowed => {
            let code = result_code::PP4_DOWNLOADS_OVER;
            let license_id = license_text.parse().ok();
            let written = super::record(
                svc,
                NAME,
                license_id.unwrap_or(0),
                code.number,
                code.reason,
                req.client_ip,
            )
            .await;
            let number = if written { code.number } else { 500 };
            script::respond(
                NAME,
                line("Error Response", &number.to_string()),
                license_id,
                number,
            )
        }
        Ok(report) => script::respond(NAME, lines(&report), license_text.parse().ok(), 0),
        Err(refusal) => {
            script::refuse(svc, NAME, &license_text, refusal, blank, req.client_ip).await
        }
    }
}

/// The fields; a bad License ID, password or product is E-PARAM (A1).
fn parse(
    fields: &ScriptFields,
    license_text: &str,
) -> Result<(LicenseId, UpdateCheckRequest), Refusal> {
    let license = value::int(license_text)
        .ok()
        .and_then(|v| LicenseId::new(v).ok())
        .ok_or(Refusal::Param)?;
    let password = Password::parse(&fields.get("Password")).map_err(|_| Refusal::Param)?;
    let product_id = match fields.get("ProductID").as_str() {
        "" | "0" => None,
        v => Some(
            value::int(v)
                .ok()
                .and_then(|v| ProductId::new(v).ok())
                .ok_or(Refusal::Param)?,
        ),
    };
    Ok((
        license,
        UpdateCheckRequest {
            password,
            product_id,
            version: version(fields),
        },
    ))
}

/// Ver1..Ver4 as one request version (VER-2): missing parts are 0; without Ver1, or
/// with any part that is not a number, there is no version.
fn version(fields: &ScriptFields) -> Option<Version> {
    let parts: Vec<String> = (1..=4).map(|i| fields.get(&format!("Ver{i}"))).collect();
    if parts[0].is_empty() {
        return None;
    }
    let joined: Vec<&str> = parts
        .iter()
        .map(|p| if p.is_empty() { "0" } else { p.as_str() })
        .collect();
    Version::parse_request(&joined.join("."))
}

fn lines(r: &UpdateReport) -> String {
    let u = &r.updates;
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    let version = |v: Option<Version>| v.map(|v| v.to_string()).unwrap_or_default();
    let day = u
        .release_date
        .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
        .unwrap_or_default();
    [
        line("License Status", &r.status.number().to_string()),
        line(
            "License ReplacedBy",
            &r.replaced_by.map_or(0, |o| o.get()).to_string(),
        ),
        line("License Update", &r.license_update),
        line("VersionString", &version(u.latest_version)),
        line("ActionToTake", &r.action.code().to_string()),
        line("URLInfo", &text(&u.url_info)),
        line("URLFile", &text(&u.url_file)),
        line("LatestFreeVersion", &version(u.latest_free_version)),
        line("ReleaseDate", &day),
        line("ShortMessage", &text(&u.short_message)),
    ]
    .concat()
}
