//! Service metadata (wire.md §1.2): the WSDL with its address filled in, the request
//! and response schemas, and small HTML help pages.

use crate::handler::{HttpRequest, HttpResponse, SoapConfig};
use crate::ops::{Operation, Service};
use crate::xml::escape_text;

/// The published WSDLs; their addresses are rewritten per request.
const ACTIVATION_WSDL: &str = include_str!("../../../wsdl/XmlActivationService.wsdl");
const FLOATING_WSDL: &str = include_str!("../../../wsdl/XmlNetworkFloatingService.wsdl");
/// The addresses the stored WSDLs carry.
const ACTIVATION_ADDRESS: &str = "http://localhost/solo/webservices/XmlActivationService.asmx";
const FLOATING_ADDRESS: &str = "http://localhost/solo/webservices/XmlNetworkFloatingService.asmx";
const LICENSE_FILE_WSDL: &str = include_str!("../../../wsdl/XmlLicenseFileService.wsdl");
const LICENSE_FILE_ADDRESS: &str = "http://localhost/solo/webservices/XmlLicenseFileService.asmx";
const LEGACY_WSDL: &str = include_str!("../../../wsdl/activationserver.wsdl");
const LEGACY_ADDRESS: &str = "http://localhost/solo/webservices/activationserver.asmx";
const LICENSE_WSDL: &str = include_str!("../../../wsdl/XmlLicenseService.wsdl");
const LICENSE_ADDRESS: &str = "http://localhost/solo/webservices/XmlLicenseService.asmx";
const CUSTOMER_WSDL: &str = include_str!("../../../wsdl/XmlCustomerService.wsdl");
const CUSTOMER_ADDRESS: &str = "http://localhost/solo/webservices/XmlCustomerService.asmx";
const LICENSE_SERVER_WSDL: &str = include_str!("../../../wsdl/licenseserver.wsdl");
const LICENSE_SERVER_ADDRESS: &str = "http://localhost/solo/webservices/licenseserver.asmx";

/// `schema/{Name}.xsd` by file name.
const SCHEMAS: [(&str, &str); 51] = [
    (
        "LicenseUpdateCheckInput.xsd",
        include_str!("../../../schema/LicenseUpdateCheckInput.xsd"),
    ),
    (
        "LicenseUpdateCheckOutput.xsd",
        include_str!("../../../schema/LicenseUpdateCheckOutput.xsd"),
    ),
    (
        "GetLicenseFileInput.xsd",
        include_str!("../../../schema/GetLicenseFileInput.xsd"),
    ),
    (
        "GetLicenseFileOutput.xsd",
        include_str!("../../../schema/GetLicenseFileOutput.xsd"),
    ),
    ("Customer.xsd", include_str!("../../../schema/Customer.xsd")),
    (
        "GetCustomerDataByAuthorInput.xsd",
        include_str!("../../../schema/GetCustomerDataByAuthorInput.xsd"),
    ),
    (
        "GetCustomerDataByAuthorOutput.xsd",
        include_str!("../../../schema/GetCustomerDataByAuthorOutput.xsd"),
    ),
    (
        "CustomerSearchInput.xsd",
        include_str!("../../../schema/CustomerSearchInput.xsd"),
    ),
    (
        "CustomerSearchOutput.xsd",
        include_str!("../../../schema/CustomerSearchOutput.xsd"),
    ),
    (
        "CustomerAddInput.xsd",
        include_str!("../../../schema/CustomerAddInput.xsd"),
    ),
    (
        "CustomerAddOutput.xsd",
        include_str!("../../../schema/CustomerAddOutput.xsd"),
    ),
    (
        "CustomerUpdateInput.xsd",
        include_str!("../../../schema/CustomerUpdateInput.xsd"),
    ),
    (
        "CustomerUpdateOutput.xsd",
        include_str!("../../../schema/CustomerUpdateOutput.xsd"),
    ),
    (
        "InfoCheckInput.xsd",
        include_str!("../../../schema/InfoCheckInput.xsd"),
    ),
    (
        "InfoCheckOutput.xsd",
        include_str!("../../../schema/InfoCheckOutput.xsd"),
    ),
    (
        "BackOffice.xsd",
        include_str!("../../../schema/BackOffice.xsd"),
    ),
    (
        "LicenseAddInput.xsd",
        include_str!("../../../schema/LicenseAddInput.xsd"),
    ),
    (
        "LicenseAddOutput.xsd",
        include_str!("../../../schema/LicenseAddOutput.xsd"),
    ),
    (
        "GetLicenseCustomDataInput.xsd",
        include_str!("../../../schema/GetLicenseCustomDataInput.xsd"),
    ),
    (
        "GetLicenseCustomDataOutput.xsd",
        include_str!("../../../schema/GetLicenseCustomDataOutput.xsd"),
    ),
    (
        "UpdateLicenseCustomDataInput.xsd",
        include_str!("../../../schema/UpdateLicenseCustomDataInput.xsd"),
    ),
    (
        "UpdateLicenseCustomDataOutput.xsd",
        include_str!("../../../schema/UpdateLicenseCustomDataOutput.xsd"),
    ),
    (
        "LicenseAddMultipleInput.xsd",
        include_str!("../../../schema/LicenseAddMultipleInput.xsd"),
    ),
    (
        "LicenseAddMultipleOutput.xsd",
        include_str!("../../../schema/LicenseAddMultipleOutput.xsd"),
    ),
    (
        "UpdateActivationFieldsInput.xsd",
        include_str!("../../../schema/UpdateActivationFieldsInput.xsd"),
    ),
    (
        "UpdateActivationFieldsOutput.xsd",
        include_str!("../../../schema/UpdateActivationFieldsOutput.xsd"),
    ),
    (
        "UpdateUserDefinedFieldsInput.xsd",
        include_str!("../../../schema/UpdateUserDefinedFieldsInput.xsd"),
    ),
    (
        "UpdateUserDefinedFieldsOutput.xsd",
        include_str!("../../../schema/UpdateUserDefinedFieldsOutput.xsd"),
    ),
    (
        "NetworkSession.xsd",
        include_str!("../../../schema/NetworkSession.xsd"),
    ),
    (
        "OpenSessionInput.xsd",
        include_str!("../../../schema/OpenSessionInput.xsd"),
    ),
    (
        "OpenSessionOutput.xsd",
        include_str!("../../../schema/OpenSessionOutput.xsd"),
    ),
    (
        "PollSessionInput.xsd",
        include_str!("../../../schema/PollSessionInput.xsd"),
    ),
    (
        "PollSessionOutput.xsd",
        include_str!("../../../schema/PollSessionOutput.xsd"),
    ),
    (
        "CloseSessionInput.xsd",
        include_str!("../../../schema/CloseSessionInput.xsd"),
    ),
    (
        "CloseSessionOutput.xsd",
        include_str!("../../../schema/CloseSessionOutput.xsd"),
    ),
    (
        "CheckoutSessionInput.xsd",
        include_str!("../../../schema/CheckoutSessionInput.xsd"),
    ),
    (
        "CheckoutSessionOutput.xsd",
        include_str!("../../../schema/CheckoutSessionOutput.xsd"),
    ),
    (
        "CheckinSessionInput.xsd",
        include_str!("../../../schema/CheckinSessionInput.xsd"),
    ),
    (
        "CheckinSessionOutput.xsd",
        include_str!("../../../schema/CheckinSessionOutput.xsd"),
    ),
    ("Common.xsd", include_str!("../../../schema/Common.xsd")),
    ("License.xsd", include_str!("../../../schema/License.xsd")),
    (
        "ActivateInstallationInput.xsd",
        include_str!("../../../schema/ActivateInstallationInput.xsd"),
    ),
    (
        "ActivateInstallationOutput.xsd",
        include_str!("../../../schema/ActivateInstallationOutput.xsd"),
    ),
    (
        "ActivateInstallationLicenseFileInput.xsd",
        include_str!("../../../schema/ActivateInstallationLicenseFileInput.xsd"),
    ),
    (
        "ActivateInstallationLicenseFileOutput.xsd",
        include_str!("../../../schema/ActivateInstallationLicenseFileOutput.xsd"),
    ),
    (
        "CheckInstallationStatusInput.xsd",
        include_str!("../../../schema/CheckInstallationStatusInput.xsd"),
    ),
    (
        "CheckInstallationStatusOutput.xsd",
        include_str!("../../../schema/CheckInstallationStatusOutput.xsd"),
    ),
    (
        "DeactivateInstallationInput.xsd",
        include_str!("../../../schema/DeactivateInstallationInput.xsd"),
    ),
    (
        "DeactivateInstallationOutput.xsd",
        include_str!("../../../schema/DeactivateInstallationOutput.xsd"),
    ),
    (
        "DecrementLicenseCounterInput.xsd",
        include_str!("../../../schema/DecrementLicenseCounterInput.xsd"),
    ),
    (
        "DecrementLicenseCounterOutput.xsd",
        include_str!("../../../schema/DecrementLicenseCounterOutput.xsd"),
    ),
];

/// The service's WSDL with every endpoint address set to `address`.
pub fn wsdl(service: Service, address: &str) -> String {
    let mut escaped = String::new();
    escape_text(address, &mut escaped);
    let (wsdl, stored) = match service {
        Service::Activation => (ACTIVATION_WSDL, ACTIVATION_ADDRESS),
        Service::NetworkFloating => (FLOATING_WSDL, FLOATING_ADDRESS),
        Service::LicenseFile => (LICENSE_FILE_WSDL, LICENSE_FILE_ADDRESS),
        Service::LegacyActivation => (LEGACY_WSDL, LEGACY_ADDRESS),
        Service::License => (LICENSE_WSDL, LICENSE_ADDRESS),
        Service::Customer => (CUSTOMER_WSDL, CUSTOMER_ADDRESS),
        Service::LicenseServer => (LICENSE_SERVER_WSDL, LICENSE_SERVER_ADDRESS),
    };
    wsdl.replace(stored, &escaped.replace('"', "&quot;"))
}

/// A schema by file name (ASCII case-insensitive).
pub fn schema(name: &str) -> Option<&'static str> {
    SCHEMAS
        .iter()
        .find(|(file, _)| file.eq_ignore_ascii_case(name))
        .map(|(_, text)| *text)
}

/// The service help page: one link per operation.
pub fn service_page(service: Service) -> String {
    let items: String = service
        .operations()
        .iter()
        .map(|op| format!(r#"<li><a href="?op={0}">{0}</a></li>"#, op.name()))
        .collect();
    page(
        service.name(),
        &format!(r#"<p>Operations (<a href="?WSDL">service description</a>):</p><ul>{items}</ul>"#),
    )
}

/// The help page of one operation, linking the schemas of its inner documents where
/// it has them (typed operations are described by the WSDL alone).
pub fn operation_page(service: Service, op: Operation) -> String {
    let name = op.name();
    let svc = service.name();
    let schemas = match schema_root(name) {
        Some(root) => format!(
            concat!(
                "<p>Schemas: <a href=\"schema/{0}Input.xsd\">{0}Input.xsd</a>, ",
                "<a href=\"schema/{0}Output.xsd\">{0}Output.xsd</a>.</p>"
            ),
            root
        ),
        None => "<p>Typed operation: see the service description.</p>".to_owned(),
    };
    page(
        name,
        &format!(
            concat!(
                "<p>SOAP 1.1: POST {1}.asmx, <code>text/xml</code>, ",
                "SOAPAction <code>\"http://secure.softwarekey.com/solo/webservices/{0}\"</code>.</p>",
                "<p>SOAP 1.2: POST {1}.asmx, <code>application/soap+xml</code>.</p>",
                "<p>HTTP POST: {1}.asmx/{0}, form field <code>xml</code>.</p>",
                "{2}"
            ),
            name, svc, schemas
        ),
    )
}

/// The root naming an operation's `{Root}Input.xsd`: the operation's name, without the
/// `S` of a string form, or with the `License` prefix of the back-office roots
/// (`LicenseAdd`, `LicenseAddMultiple`, `LicenseUpdateCheck`; wire.md §3.7).
fn schema_root(name: &str) -> Option<String> {
    let base = name.strip_suffix('S').unwrap_or(name);
    [name.to_owned(), base.to_owned(), format!("License{base}")]
        .into_iter()
        .find(|root| {
            schema(&format!("{root}Input.xsd")).is_some()
                && schema(&format!("{root}Output.xsd")).is_some()
        })
}

/// `GET {svc}.asmx`: `?WSDL`, `?op=Method` or the service help page.
pub(crate) fn service_get(
    service: Service,
    cfg: &SoapConfig,
    req: &HttpRequest<'_>,
) -> HttpResponse {
    let mut op = None;
    for pair in req.query.unwrap_or_default().split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key.eq_ignore_ascii_case("wsdl") {
            let base = cfg
                .public_base_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", req.host.unwrap_or("localhost")));
            let address = format!(
                "{}{}/webservices/{}",
                base.trim_end_matches('/'),
                cfg.prefix.trim_end_matches('/'),
                crate::handler::file_name(service)
            );
            return HttpResponse::new(
                200,
                "text/xml; charset=utf-8",
                wsdl(service, &address).into_bytes(),
            );
        }
        if key.eq_ignore_ascii_case("op") {
            op = Some(value);
        }
    }
    let page = match op.map(|o| service.operation_of_segment(o)) {
        Some(Operation::Unknown) => return HttpResponse::not_found(),
        Some(operation) => operation_page(service, operation),
        None => service_page(service),
    };
    HttpResponse::new(200, "text/html; charset=utf-8", page.into_bytes())
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation's help page links only schemas this server serves, and every
    /// document operation links its pair.
    #[test]
    fn help_pages_link_only_served_schemas() {
        let services = [
            Service::Activation,
            Service::NetworkFloating,
            Service::LicenseFile,
            Service::LegacyActivation,
            Service::License,
            Service::Customer,
            Service::LicenseServer,
        ];
        for service in services {
            for &op in service.operations() {
                let page = operation_page(service, op);
                for link in page.split("href=\"schema/").skip(1) {
                    let file = link.split('"').next().unwrap_or_default();
                    assert!(schema(file).is_some(), "{}: {file}", op.name());
                }
                let typed = matches!(service, Service::LegacyActivation | Service::LicenseServer);
                assert_eq!(page.contains("Input.xsd"), !typed, "{}", op.name());
            }
        }
    }
}
