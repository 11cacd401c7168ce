//! The three bindings of every `.asmx` operation (wire.md §1.1, §2.1): how a request
//! announces itself and how answers and faults are spelled for each.

use crate::fault::FaultCode;
use crate::handler::{HttpRequest, HttpResponse};
use crate::ops::Operation;
use crate::xml::{escape_text, DECLARATION};

/// The service namespace of every operation, element and SOAP action.
pub const SERVICE_NS: &str = "http://secure.softwarekey.com/solo/webservices/";
/// SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace.
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// Detail namespace of unlockd faults.
const FAULT_NS: &str = "urn:unlockd:fault:1";

const TEXT_XML: &str = "text/xml; charset=utf-8";
const SOAP12_XML: &str = "application/soap+xml; charset=utf-8";
const TEXT_PLAIN: &str = "text/plain; charset=utf-8";
/// The media type of HTTP POST forms.
pub(crate) const FORM_URLENCODED: &str = "application/x-www-form-urlencoded";

/// How a request reached the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// `text/xml` + SOAPAction.
    Soap11,
    /// `application/soap+xml` with optional `action=`.
    Soap12,
    /// `POST {svc}.asmx/{Method}`, form field `xml`.
    HttpPost,
}

impl Binding {
    /// The SOAP binding a Content-Type announces (`None`: not a SOAP media type).
    pub fn of_content_type(content_type: &str) -> Option<Self> {
        if is_media_type(content_type, "text/xml") {
            Some(Self::Soap11)
        } else if is_media_type(content_type, "application/soap+xml") {
            Some(Self::Soap12)
        } else {
            None
        }
    }

    /// The envelope namespace of a SOAP binding.
    pub fn envelope_namespace(self) -> Option<&'static str> {
        match self {
            Self::Soap11 => Some(SOAP11_NS),
            Self::Soap12 => Some(SOAP12_NS),
            Self::HttpPost => None,
        }
    }

    /// The successful answer carrying the inner document `inner`.
    pub fn answer(self, op: Operation, inner: &str, post_raw: bool) -> HttpResponse {
        match self.envelope_namespace() {
            Some(ns) => soap_answer(self, ns, op, inner),
            None if post_raw => HttpResponse::new(200, TEXT_XML, inner.as_bytes().to_vec()),
            None => {
                let mut body = String::with_capacity(inner.len() * 11 / 10 + 128);
                body.push_str(DECLARATION);
                body.push_str(r#"<string xmlns=""#);
                body.push_str(SERVICE_NS);
                body.push_str(r#"">"#);
                escape_text(inner, &mut body);
                body.push_str("</string>");
                HttpResponse::new(200, TEXT_XML, body.into_bytes())
            }
        }
    }

    /// The fault answer (wire.md §2.6).
    pub fn fault(self, code: FaultCode) -> HttpResponse {
        let mut message = String::new();
        escape_text(&code.message(), &mut message);
        let detail = format!(
            r#"<Fault xmlns="{FAULT_NS}"><Code>{}</Code></Fault>"#,
            code.name()
        );
        match self {
            Self::HttpPost => {
                HttpResponse::new(code.post_status(), TEXT_PLAIN, code.message().into_bytes())
            }
            Self::Soap11 => {
                let body = format!(
                    r#"{DECLARATION}<soap:Envelope xmlns:soap="{SOAP11_NS}"><soap:Body><soap:Fault><faultcode>{}</faultcode><faultstring>{message}</faultstring><detail>{detail}</detail></soap:Fault></soap:Body></soap:Envelope>"#,
                    code.soap11_code()
                );
                HttpResponse::new(code.soap11_status(), TEXT_XML, body.into_bytes())
            }
            Self::Soap12 => {
                let body = format!(
                    r#"{DECLARATION}<env:Envelope xmlns:env="{SOAP12_NS}"><env:Body><env:Fault><env:Code><env:Value>{}</env:Value></env:Code><env:Reason><env:Text xml:lang="en">{message}</env:Text></env:Reason><env:Detail>{detail}</env:Detail></env:Fault></env:Body></env:Envelope>"#,
                    code.soap12_code()
                );
                HttpResponse::new(code.soap12_status(), SOAP12_XML, body.into_bytes())
            }
        }
    }
}

/// `{Op}Response/{Op}Result` in a SOAP envelope (wire.md §2.1).
impl Binding {
    /// A SOAP answer of an XmlDocument-form operation (wire.md §2.3): `inner` is
    /// serialised XML placed as child content of `{Op}Result`, not escaped. Over HTTP
    /// POST (which serves only `…S`) it falls back to [`Binding::answer`].
    pub fn answer_node(self, op: Operation, inner: &str) -> HttpResponse {
        match self.envelope_namespace() {
            Some(ns) => soap_answer_with(self, ns, op, inner, false),
            None => self.answer(op, inner, false),
        }
    }
}

fn soap_answer(binding: Binding, ns: &str, op: Operation, inner: &str) -> HttpResponse {
    soap_answer_with(binding, ns, op, inner, true)
}

fn soap_answer_with(
    binding: Binding,
    ns: &str,
    op: Operation,
    inner: &str,
    escape: bool,
) -> HttpResponse {
    let name = op.name();
    let mut body = String::with_capacity(inner.len() * 11 / 10 + 512);
    body.push_str(DECLARATION);
    body.push_str(r#"<soap:Envelope xmlns:soap=""#);
    body.push_str(ns);
    body.push_str(r#""><soap:Body><"#);
    body.push_str(name);
    body.push_str(r#"Response xmlns=""#);
    body.push_str(SERVICE_NS);
    body.push_str(r#""><"#);
    body.push_str(name);
    body.push_str("Result>");
    if escape {
        escape_text(inner, &mut body);
    } else {
        body.push_str(inner);
    }
    body.push_str("</");
    body.push_str(name);
    body.push_str("Result></");
    body.push_str(name);
    body.push_str("Response></soap:Body></soap:Envelope>");
    let content_type = if binding == Binding::Soap12 {
        SOAP12_XML
    } else {
        TEXT_XML
    };
    HttpResponse::new(200, content_type, body.into_bytes())
}

/// Whether the media type of a Content-Type (parameters dropped) is `media`, ASCII
/// case-insensitively.
pub fn is_media_type(content_type: &str, media: &str) -> bool {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .eq_ignore_ascii_case(media)
}

/// The `action` parameter of a SOAP 1.2 Content-Type, unquoted.
pub fn action_parameter(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("action")
            .then(|| unquote(value.trim()))
    })
}

/// Strips one pair of surrounding double quotes.
pub fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(s)
}

/// Checks an HTTP POST binding call (wire.md §1.1): POST only (405) with a form body
/// (415).
pub(crate) fn check_post_form(req: &HttpRequest<'_>) -> Result<(), HttpResponse> {
    if !req.method.eq_ignore_ascii_case("POST") {
        return Err(HttpResponse::method_not_allowed("POST"));
    }
    let content_type = req.content_type.unwrap_or_default();
    if !is_media_type(content_type, FORM_URLENCODED) {
        return Err(HttpResponse::text(415, "unsupported media type"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_pick_the_binding() {
        assert_eq!(
            Binding::of_content_type("Text/XML; charset=utf-8"),
            Some(Binding::Soap11)
        );
        assert_eq!(
            Binding::of_content_type("application/soap+xml;charset=utf-8;action=\"x\""),
            Some(Binding::Soap12)
        );
        assert_eq!(Binding::of_content_type("application/json"), None);
        assert_eq!(
            action_parameter("application/soap+xml; charset=utf-8; action=\"urn:a\""),
            Some("urn:a")
        );
    }
}
