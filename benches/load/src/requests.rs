//! The SOAP 1.1 requests the load sends and the one field it reads back.

/// The SOAP/ASMX namespace (wire.md §1.1).
pub const NS: &str = "http://secure.softwarekey.com/solo/webservices/";
/// Path of the activation service.
pub const ACTIVATION_PATH: &str = "/solo/webservices/XmlActivationService.asmx";
/// Path of the network floating service.
pub const FLOATING_PATH: &str = "/solo/webservices/XmlNetworkFloatingService.asmx";
/// The demo EncryptionKeyID (`unlockd serve --demo`).
pub const DEMO_KEY_ID: &str = "6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99";

/// One SOAP call: the service path, the method (for SOAPAction) and the whole
/// envelope.
pub struct Call {
    /// The service's path.
    pub path: &'static str,
    /// `"NS/Method"` with quotes, the SOAPAction header.
    pub action: String,
    /// The request body.
    pub body: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn envelope(method: &str, inner: &str) -> Call {
    Call {
        path: ACTIVATION_PATH,
        action: format!("\"{NS}{method}\""),
        body: format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><{method} xmlns=\"{NS}\"><xml>{}</xml></{method}></soap:Body></soap:Envelope>",
            escape(inner)
        ),
    }
}

/// PLUS 5 license-file activation from computer `LOAD-<computer>`.
pub fn license_file(license: i32, password: &str, computer: u64) -> Call {
    envelope(
        "ActivateInstallationLicenseFile",
        &format!(
            "<ActivateInstallationLicenseFile><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>\
<LicenseID>{license}</LicenseID><Password>{password}</Password><SessionCode>L{computer}</SessionCode>\
<SystemIdentifiers><SystemIdentifier name=\"ComputerName\" type=\"20\" value=\"LOAD-{computer}\"/>\
<SystemIdentifier name=\"NIC\" type=\"10\" value=\"mac-{computer}\"/></SystemIdentifiers>\
</PrivateData></ActivateInstallationLicenseFile>"
        ),
    )
}

/// PP4 trigger-code activation (UserCode1 = today's session code, UserCode2 = the
/// computer number).
pub fn trigger_code(license: i32, password: &str, computer: u64) -> Call {
    let computer = 1 + computer % 2_000_000_000;
    envelope(
        "ActivateInstallation",
        &format!(
            "<ActivateInstallation><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>\
<LicenseID>{license}</LicenseID><Password>{password}</Password><UserCode1>{}</UserCode1>\
<UserCode2>{computer}</UserCode2></PrivateData></ActivateInstallation>",
            todays_session_code((computer & 0x7fff) as i32)
        ),
    )
}

/// CheckInstallationStatus of one installation.
pub fn check(installation: &str) -> Call {
    envelope(
        "CheckInstallationStatus",
        &format!(
            "<CheckInstallationStatus><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>\
<InstallationID>{installation}</InstallationID></PrivateData></CheckInstallationStatus>"
        ),
    )
}

/// OpenSession on a floating license (FLT-4) for installation `LOAD-<n>`.
pub fn open_session(license: i32, password: &str, n: u64) -> Call {
    Call {
        path: FLOATING_PATH,
        ..envelope(
            "OpenSession",
            &format!(
                "<OpenSession><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>\
<LicenseID>{license}</LicenseID><Password>{password}</Password>\
<InstallationName>LOAD-{n}</InstallationName></PrivateData></OpenSession>"
            ),
        )
    }
}

/// PollSession of an open session (FLT-5).
pub fn poll_session(session: &str) -> Call {
    Call {
        path: FLOATING_PATH,
        ..envelope(
            "PollSession",
            &format!(
                "<PollSession><EncryptionKeyID>{DEMO_KEY_ID}</EncryptionKeyID><PrivateData>\
<SessionID>{session}</SessionID></PrivateData></PollSession>"
            ),
        )
    }
}

/// A session code the default trigger-code algorithm dates to today (wire.md §6.3).
fn todays_session_code(low_bits: i32) -> i32 {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64
        - 10_957;
    (32_768 * days + i64::from(low_bits & 0x7fff)) as i32
}

/// The text of the first `<tag>` of the escaped inner answer inside a SOAP body.
pub fn inner_field<'a>(body: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("&lt;{tag}&gt;");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find("&lt;/")? + start;
    Some(&body[start..end])
}

/// The fixed answer of the echo server: a CheckInstallationStatus success.
pub const ECHO_BODY: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><CheckInstallationStatusResponse xmlns=\"http://secure.softwarekey.com/solo/webservices/\"><CheckInstallationStatusResult>&lt;CheckInstallationStatus&gt;&lt;PrivateData&gt;&lt;ResultCode&gt;0&lt;/ResultCode&gt;&lt;InstallationID&gt;ECHO&lt;/InstallationID&gt;&lt;LicenseID&gt;1001&lt;/LicenseID&gt;&lt;LicenseStatus&gt;OK&lt;/LicenseStatus&gt;&lt;/PrivateData&gt;&lt;/CheckInstallationStatus&gt;</CheckInstallationStatusResult></CheckInstallationStatusResponse></soap:Body></soap:Envelope>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_field_reads_the_escaped_result_code() {
        assert_eq!(inner_field(ECHO_BODY, "ResultCode"), Some("0"));
        assert_eq!(inner_field(ECHO_BODY, "InstallationID"), Some("ECHO"));
        assert_eq!(inner_field(ECHO_BODY, "Nope"), None);
    }
}
