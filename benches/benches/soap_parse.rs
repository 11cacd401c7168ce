//! Parse a typical ActivateInstallationLicenseFile SOAP 1.1 request (envelope, then
//! the inner document) and serialise its response envelope, without the RSA part.
//! Target: ≤ 20 µs per request.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use unlockd_soap::xml::{escape_text, parse, Element, Limits, XmlWriter};

const NS: &str = "http://secure.softwarekey.com/solo/webservices/";

fn request() -> String {
    let inner = r#"<ActivateInstallationLicenseFile><EncryptionKeyID>11111111-2222-3333-4444-555555555555</EncryptionKeyID><PrivateData><ClientTimestamp>2026-11-26T11:59:00Z</ClientTimestamp><LicenseID>1001</LicenseID><Password>demo1001</Password><SessionCode>0a1b2c3d4e5f6a7b8c9d</SessionCode><ProductID>1</ProductID><ProductVersion>2.1.0.0</ProductVersion><InstallationName>Workstation 7</InstallationName><SystemIdentifiers><SystemIdentifier name="NIC" type="10" value="3f7a9c0e1b2d4f6a8c0e2b4d6f8a0c2e"/><SystemIdentifier name="ComputerName" type="20" value="9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"/><SystemIdentifier name="HardDiskVolumeSerial" type="30" value="1234567890abcdef1234567890abcdef"/></SystemIdentifiers></PrivateData></ActivateInstallationLicenseFile>"#;
    let mut escaped = String::new();
    escape_text(inner, &mut escaped);
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ActivateInstallationLicenseFile xmlns="{NS}"><xml>{escaped}</xml></ActivateInstallationLicenseFile></soap:Body></soap:Envelope>"#
    )
}

fn child<'a>(e: &'a Element, name: &str) -> Option<&'a Element> {
    e.children.iter().find(|c| c.name == name)
}

fn round_trip(body: &[u8], limits: &Limits) -> Vec<u8> {
    let envelope = parse(body, limits).expect("envelope");
    let call = child(&envelope, "Body")
        .and_then(|b| b.children.first())
        .expect("body");
    let xml = child(call, "xml").expect("xml");
    let doc = parse(xml.text.as_bytes(), limits).expect("inner");
    let private = child(&doc, "PrivateData").expect("PrivateData");
    let session = child(private, "SessionCode")
        .map(|s| s.text.as_str())
        .unwrap_or_default();
    let ids = child(private, "SystemIdentifiers").map_or(0, |s| s.children.len());

    let mut inner = XmlWriter::document();
    inner
        .start("ActivateInstallationLicenseFile", &[])
        .start("PrivateData", &[])
        .element("ResultCode", "0")
        .element("ErrorMessage", "")
        .element("ServerTimestamp", "2026-11-26T12:00:00Z")
        .element("SessionCode", session)
        .element("UpdateCounter", "7")
        .element("ActivationsLeft", &ids.to_string())
        .element("InstallationID", "6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99")
        .start("License", &[])
        .start("SoftwareKey", &[])
        .element("PrivateData", "sealed elsewhere")
        .end("SoftwareKey")
        .end("License")
        .end("PrivateData")
        .end("ActivateInstallationLicenseFile");
    let inner = inner.finish();
    let mut out = XmlWriter::document();
    out.start(
        "soap:Envelope",
        &[("xmlns:soap", "http://schemas.xmlsoap.org/soap/envelope/")],
    )
    .start("soap:Body", &[])
    .start("ActivateInstallationLicenseFileResponse", &[("xmlns", NS)])
    .element("ActivateInstallationLicenseFileResult", &inner)
    .end("ActivateInstallationLicenseFileResponse")
    .end("soap:Body")
    .end("soap:Envelope");
    out.finish().into_bytes()
}

fn soap_parse(c: &mut Criterion) {
    let body = request();
    let limits = Limits::default();
    c.bench_function("soap11_alf_parse_and_serialise", |b| {
        b.iter(|| round_trip(black_box(body.as_bytes()), &limits))
    });
}

criterion_group!(benches, soap_parse);
criterion_main!(benches);
