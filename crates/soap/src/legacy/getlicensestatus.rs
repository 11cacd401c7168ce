//! PP4 `getlicensestatus.asp` (wire.md §3.11, §4.2): LicenseID, CustomerPW, optional
//! ProdID; answers `License Status` (the PP4 number), `License ReplacedBy` (0 none,
//! errata E-21) and `License Update`, or `Error Response = N` (100 blank or bad
//! credentials, 200 wrong product, 500 otherwise).

use unlockd_core::{LicenseId, Password, ProductId, Refusal};

use super::record;
use super::script::{self, line, ScriptFields};
use crate::handler::{HttpRequest, HttpResponse};
use crate::result_code;
use crate::service::{LegacyService, ServiceError};
use crate::value;

/// The script name, for logs and the attempt history.
const NAME: &str = "getlicensestatus";

/// Answers getlicensestatus.asp.
pub(crate) async fn handle<S: LegacyService>(svc: &S, req: &HttpRequest<'_>) -> HttpResponse {
    let Some(fields) = ScriptFields::read(req) else {
        return HttpResponse::method_not_allowed("GET, POST");
    };
    let (license_text, password) = (fields.get("LicenseID"), fields.get("CustomerPW"));
    let blank = license_text.is_empty() || password.is_empty();
    let parsed = (|| {
        let license = value::int(&license_text)
            .ok()
            .and_then(|v| LicenseId::new(v).ok());
        let product = match fields.get("ProdID").as_str() {
            "" | "0" => Ok(None),
            v => value::int(v)
                .ok()
                .and_then(|v| ProductId::new(v).ok())
                .map(Some)
                .ok_or(()),
        };
        Some((license?, Password::parse(&password).ok()?, product.ok()?))
    })();
    let result = match parsed {
        Some((license, password, product)) => svc
            .license_status(license, password, product)
            .await
            .map_err(|e| match e {
                ServiceError::Refused(r) => Some(r),
                _ => None,
            }),
        None => Err(Some(Refusal::Param)),
    };
    let license_id = license_text.parse().ok();
    match result {
        Ok(report) => {
            let lines = [
                line("License Status", &report.status.number().to_string()),
                line("License ReplacedBy", &report.replaced_by.to_string()),
                line("License Update", &report.license_update),
            ]
            .concat();
            script::respond(NAME, lines, license_id, 0)
        }
        Err(refusal) => {
            let number = match result_code::pp4(refusal.as_ref(), blank) {
                result_code::Pp4Error::Code(n) => n,
                result_code::Pp4Error::NoMoreKeys => 500,
            };
            let reason = refusal
                .as_ref()
                .map(|r| result_code::of(&r.clone().into()).reason)
                .unwrap_or("E-INTERNAL");
            let ok = record(
                svc,
                NAME,
                license_id.unwrap_or(0),
                number,
                reason,
                req.client_ip,
            )
            .await;
            let number = if ok { number } else { 500 };
            script::respond(
                NAME,
                line("Error Response", &number.to_string()),
                license_id,
                number,
            )
        }
    }
}
