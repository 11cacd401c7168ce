//! Reading a request's envelope or form into (operation, inner document): the
//! dispatch rules of wire.md §1.1 and the parameter lookup of §2.1.

use crate::binding::{action_parameter, unquote, Binding, SERVICE_NS};
use crate::fault::FaultCode;
use crate::ops::{Operation, Service};
use crate::xml::{self, Element, Limits};

/// The name of the one string parameter (wire.md §2.1).
const PARAMETER: &str = "xml";

/// A dispatched call: the operation and its unescaped inner document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Call {
    /// The operation.
    pub operation: Operation,
    /// The `xml` parameter's text.
    pub xml: String,
}

/// A request refused with a fault, with the operation if it was known by then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rejected {
    /// The fault.
    pub code: FaultCode,
    /// The operation, `Unknown` before dispatch.
    pub operation: Operation,
}

impl From<FaultCode> for Rejected {
    fn from(code: FaultCode) -> Self {
        Self {
            code,
            operation: Operation::Unknown,
        }
    }
}

/// Reads a SOAP 1.1 or 1.2 request announced as `binding` by its Content-Type.
pub(crate) fn read_soap(
    service: Service,
    binding: Binding,
    body: &[u8],
    content_type: &str,
    soap_action: Option<&str>,
    limits: &Limits,
) -> Result<Call, Rejected> {
    let (operation, mut call) =
        read_body(service, binding, body, content_type, soap_action, limits)?;
    let parameter = call
        .children
        .iter()
        .position(|c| {
            c.name == PARAMETER && matches!(c.namespace.as_deref(), None | Some(SERVICE_NS))
        })
        .or((call.children.len() == 1).then_some(0))
        .ok_or(Rejected {
            code: FaultCode::MissingParameter,
            operation,
        })?;
    Ok(Call {
        operation,
        xml: std::mem::take(&mut call.children[parameter].text),
    })
}

/// Steps (1)-(3) of the dispatch rules (wire.md §1.1): the operation and its Body
/// element, whose children are the parameters (typed operations read them as such,
/// §2.4).
pub(crate) fn read_body(
    service: Service,
    binding: Binding,
    body: &[u8],
    content_type: &str,
    soap_action: Option<&str>,
    limits: &Limits,
) -> Result<(Operation, Element), Rejected> {
    let mut envelope = xml::parse(body, limits).map_err(FaultCode::from)?;
    // (1) The envelope namespace must be the one the Content-Type announced.
    let ns = binding.envelope_namespace().unwrap_or_default();
    if !envelope.is(Some(ns), "Envelope") {
        return Err(FaultCode::VersionMismatch.into());
    }
    if let Some(header) = child(&envelope, ns, "Header") {
        let must_understand = header.children.iter().any(|h| {
            h.attributes.iter().any(|a| {
                a.name == "mustUnderstand"
                    && a.namespace.as_deref() == Some(ns)
                    && matches!(a.value.trim(), "1" | "true")
            })
        });
        if must_understand {
            return Err(FaultCode::MustUnderstand.into());
        }
    }
    let body = take_child(&mut envelope, ns, "Body").ok_or(FaultCode::MalformedXml)?;
    // (2) Operation = first Body child in the service namespace.
    let call = body
        .children
        .into_iter()
        .next()
        .ok_or(FaultCode::UnknownOperation)?;
    let operation = if call.namespace.as_deref() == Some(SERVICE_NS) {
        service.operation(&call.name)
    } else {
        Operation::Unknown
    };
    if operation == Operation::Unknown {
        return Err(FaultCode::UnknownOperation.into());
    }
    let rejected = |code| Rejected { code, operation };
    // (3) A non-empty SOAPAction / action must name the same operation.
    let action = match binding {
        Binding::Soap12 => action_parameter(content_type),
        Binding::Soap11 | Binding::HttpPost => soap_action,
    };
    let action = action.map(|a| unquote(a.trim())).unwrap_or_default();
    if !action.is_empty() && (action.strip_prefix(SERVICE_NS) != Some(operation.name())) {
        return Err(rejected(FaultCode::SoapActionMismatch));
    }
    Ok((operation, call))
}

/// Reads an HTTP POST form for `operation` (wire.md §2.1: field `xml`, else the only
/// field; names ASCII case-insensitive).
pub(crate) fn read_form(operation: Operation, body: &[u8]) -> Result<Call, Rejected> {
    let rejected = |code| Rejected { code, operation };
    let fields = form_fields(body).ok_or(rejected(FaultCode::UnsupportedEncoding))?;
    let value = match fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(PARAMETER))
    {
        Some((_, v)) => v,
        None => match fields.as_slice() {
            [(_, only)] => only,
            _ => return Err(rejected(FaultCode::MissingParameter)),
        },
    };
    Ok(Call {
        operation,
        xml: value.clone(),
    })
}

fn child<'a>(parent: &'a Element, ns: &str, name: &str) -> Option<&'a Element> {
    parent.children.iter().find(|c| c.is(Some(ns), name))
}

/// Moves the first child `{ns}name` out of `parent`.
fn take_child(parent: &mut Element, ns: &str, name: &str) -> Option<Element> {
    let at = parent.children.iter().position(|c| c.is(Some(ns), name))?;
    Some(parent.children.swap_remove(at))
}

/// Decodes `application/x-www-form-urlencoded` strictly: `None` if a name or value
/// is not UTF-8 after percent-decoding (UnsupportedEncoding).
pub(crate) fn form_fields(body: &[u8]) -> Option<Vec<(String, String)>> {
    body.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut parts = pair.splitn(2, |b| *b == b'=');
            let key = decode(parts.next().unwrap_or_default())?;
            let value = decode(parts.next().unwrap_or_default())?;
            Some((key, value))
        })
        .collect()
}

fn decode(raw: &[u8]) -> Option<String> {
    String::from_utf8(percent_decode(raw)).ok()
}

/// `+` → space and `%XX` → byte; a malformed escape stays literal.
pub(crate) fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_decode_strictly() {
        assert_eq!(
            form_fields(b"XML=%3Ca%3E+b&x=1"),
            Some(vec![
                ("XML".into(), "<a> b".into()),
                ("x".into(), "1".into())
            ])
        );
        assert_eq!(form_fields(b"xml=%E9"), None);
        let call = read_form(Operation::CheckInstallationStatus, b"other=%3Cr%2F%3E").unwrap();
        assert_eq!(call.xml, "<r/>");
        let missing = read_form(Operation::CheckInstallationStatus, b"a=1&b=2").unwrap_err();
        assert_eq!(missing.code, FaultCode::MissingParameter);
    }
}
