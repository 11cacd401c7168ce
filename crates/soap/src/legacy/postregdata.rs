//! PP4 `postregdata.asp` (wire.md §3.11; rules ACT-6): LicenseID, Password, flags (32
//! characters `0`/`1`, MSB first) and the contact fields CompanyName, Firstname,
//! Lastname, address1, address2, city, state, postalcode, country, phone, fax, email.
//! With matching credentials the license's customer takes the contact data and becomes
//! registered: `Registration Result = 0`; else `Error Response = N` (100 blank or bad
//! credentials, 500 any other bad field), nothing changed (errata E-3).

use unlockd_core::pp4_post::{ContactData, RegistrationFlags};
use unlockd_core::{LicenseId, Password, Refusal};

use super::script::{self, line, refusal_of, ScriptFields};
use crate::handler::{HttpRequest, HttpResponse};
use crate::service::LegacyService;
use crate::value;

/// The script name, for logs and the attempt history.
const NAME: &str = "postregdata";

/// Answers postregdata.asp.
pub(crate) async fn handle<S: LegacyService>(svc: &S, req: &HttpRequest<'_>) -> HttpResponse {
    let Some(fields) = ScriptFields::read(req) else {
        return HttpResponse::method_not_allowed("GET, POST");
    };
    let (license_text, password) = (fields.get("LicenseID"), fields.get("Password"));
    let blank = license_text.is_empty() || password.is_empty();
    let result = match parse(&fields, &license_text, &password) {
        Ok((license, password, contact)) => svc
            .register_customer(license, password, contact)
            .await
            .map_err(refusal_of),
        Err(refusal) => Err(Some(refusal)),
    };
    match result {
        Ok(()) => script::respond(
            NAME,
            line("Registration Result", "0"),
            license_text.parse().ok(),
            0,
        ),
        Err(refusal) => {
            script::refuse(svc, NAME, &license_text, refusal, blank, req.client_ip).await
        }
    }
}

/// The fields; any bad one is E-PARAM (A1).
fn parse(
    fields: &ScriptFields,
    license_text: &str,
    password: &str,
) -> Result<(LicenseId, Password, ContactData), Refusal> {
    let license = value::int(license_text)
        .ok()
        .and_then(|v| LicenseId::new(v).ok())
        .ok_or(Refusal::Param)?;
    let password = Password::parse(password).map_err(|_| Refusal::Param)?;
    // The flags carry no rule of ours yet; they must still be well formed.
    RegistrationFlags::parse(&fields.get("flags"))?;
    let contact = ContactData {
        company_name: fields.get("CompanyName"),
        first_name: fields.get("Firstname"),
        last_name: fields.get("Lastname"),
        address1: fields.get("address1"),
        address2: fields.get("address2"),
        city: fields.get("city"),
        state: fields.get("state"),
        postal_code: fields.get("postalcode"),
        country: fields.get("country"),
        phone: fields.get("phone"),
        fax: fields.get("fax"),
        email: fields.get("email"),
    }
    .validate()?;
    Ok((license, password, contact))
}
