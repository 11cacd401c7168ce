//! Service metadata (wire.md §1.2): the WSDL with its address filled in, the request
//! and response schemas, and small HTML help pages.

use crate::ops::Operation;
use crate::xml::escape_text;

/// The published WSDL; its addresses are rewritten per request.
const WSDL: &str = include_str!("../../../wsdl/XmlActivationService.wsdl");
/// The address the stored WSDL carries.
const WSDL_ADDRESS: &str = "http://localhost/solo/webservices/XmlActivationService.asmx";

/// `schema/{Name}.xsd` by file name.
const SCHEMAS: [(&str, &str); 12] = [
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

/// The WSDL with every endpoint address set to `address`.
pub fn wsdl(address: &str) -> String {
    let mut escaped = String::new();
    escape_text(address, &mut escaped);
    WSDL.replace(WSDL_ADDRESS, &escaped.replace('"', "&quot;"))
}

/// A schema by file name (ASCII case-insensitive).
pub fn schema(name: &str) -> Option<&'static str> {
    SCHEMAS
        .iter()
        .find(|(file, _)| file.eq_ignore_ascii_case(name))
        .map(|(_, text)| *text)
}

/// The service help page: one link per operation.
pub fn service_page() -> String {
    let items: String = Operation::KNOWN
        .iter()
        .map(|op| format!(r#"<li><a href="?op={0}">{0}</a></li>"#, op.name()))
        .collect();
    page(
        "XmlActivationService",
        &format!(r#"<p>Operations (<a href="?WSDL">service description</a>):</p><ul>{items}</ul>"#),
    )
}

/// The help page of one operation.
pub fn operation_page(op: Operation) -> String {
    let name = op.name();
    page(
        name,
        &format!(
            concat!(
                "<p>SOAP 1.1: POST XmlActivationService.asmx, <code>text/xml</code>, ",
                "SOAPAction <code>\"http://secure.softwarekey.com/solo/webservices/{0}\"</code>.</p>",
                "<p>SOAP 1.2: POST XmlActivationService.asmx, <code>application/soap+xml</code>.</p>",
                "<p>HTTP POST: XmlActivationService.asmx/{0}, form field <code>xml</code>.</p>",
                "<p>Schemas: <a href=\"schema/{0}Input.xsd\">{0}Input.xsd</a>, ",
                "<a href=\"schema/{0}Output.xsd\">{0}Output.xsd</a>.</p>"
            ),
            name
        ),
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
    )
}
