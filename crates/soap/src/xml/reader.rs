//! The hardened reader: quick-xml events in, an owned [`Element`] tree out.

use std::borrow::Cow;

use quick_xml::escape::EscapeError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::{Attribute, Element, Limits, XmlError};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses one UTF-8 document (an optional BOM is skipped) under `limits`.
pub fn parse(input: &[u8], limits: &Limits) -> Result<Element, XmlError> {
    let input = input.strip_prefix(BOM).unwrap_or(input);
    let text = std::str::from_utf8(input).map_err(|_| XmlError::Encoding)?;
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements = 0usize;
    let mut first_event = true;
    loop {
        let (namespace, event) = reader.read_resolved_event().map_err(reader_error)?;
        let at_start = std::mem::replace(&mut first_event, false);
        match event {
            Event::Decl(decl) => {
                if !at_start {
                    return Err(XmlError::ProcessingInstruction);
                }
                if let Some(encoding) = decl.encoding() {
                    let encoding = encoding.map_err(|e| malformed(&e.to_string()))?;
                    let utf8 = encoding.eq_ignore_ascii_case(b"utf-8")
                        || encoding.eq_ignore_ascii_case(b"utf8");
                    if !utf8 {
                        return Err(XmlError::Encoding);
                    }
                }
            }
            Event::PI(_) => return Err(XmlError::ProcessingInstruction),
            Event::DocType(_) => return Err(XmlError::Dtd),
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(malformed("content after the root element"));
            }
            Event::Start(start) => {
                check_limits(&mut elements, stack.len(), limits)?;
                let namespace = resolved(namespace)?;
                stack.push(element(&reader, namespace, &start, limits)?);
            }
            Event::Empty(start) => {
                check_limits(&mut elements, stack.len(), limits)?;
                let namespace = resolved(namespace)?;
                let done = element(&reader, namespace, &start, limits)?;
                attach(&mut stack, &mut root, done);
            }
            Event::End(_) => {
                let done = stack.pop().ok_or_else(|| malformed("unmatched end tag"))?;
                attach(&mut stack, &mut root, done);
            }
            Event::Text(text) => {
                let text = text.unescape().map_err(reader_error)?;
                match stack.last_mut() {
                    Some(top) => append(&mut top.text, text),
                    None if text.trim().is_empty() => {}
                    None => return Err(malformed("text outside the root element")),
                }
            }
            Event::CData(data) => {
                let data = std::str::from_utf8(data.as_ref()).map_err(|_| XmlError::Encoding)?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(data),
                    None => return Err(malformed("CDATA outside the root element")),
                }
            }
            Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(malformed("unclosed element"));
    }
    root.ok_or_else(|| malformed("no root element"))
}

fn check_limits(elements: &mut usize, depth: usize, limits: &Limits) -> Result<(), XmlError> {
    *elements += 1;
    if *elements > limits.max_elements {
        return Err(XmlError::TooManyElements);
    }
    if depth + 1 > limits.max_depth {
        return Err(XmlError::TooDeep);
    }
    Ok(())
}

/// Appends character data, taking over an owned buffer when it is the first piece.
fn append(text: &mut String, piece: Cow<'_, str>) {
    if text.is_empty() {
        *text = piece.into_owned();
    } else {
        text.push_str(&piece);
    }
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, done: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None => *root = Some(done),
    }
}

fn element(
    reader: &NsReader<&[u8]>,
    namespace: Option<String>,
    start: &BytesStart<'_>,
    limits: &Limits,
) -> Result<Element, XmlError> {
    let name = utf8(start.local_name().into_inner())?;
    let mut attributes = Vec::new();
    for (count, attribute) in start.attributes().enumerate() {
        if count >= limits.max_attributes {
            return Err(malformed("too many attributes"));
        }
        let attribute = attribute.map_err(|e| malformed(&e.to_string()))?;
        let key = attribute.key.as_ref();
        if key == b"xmlns" || key.starts_with(b"xmlns:") {
            continue;
        }
        let (attr_namespace, local) = reader.resolve_attribute(attribute.key);
        attributes.push(Attribute {
            namespace: resolved(attr_namespace)?,
            name: utf8(local.into_inner())?,
            value: attribute
                .unescape_value()
                .map_err(reader_error)?
                .into_owned(),
        });
    }
    Ok(Element {
        namespace,
        name,
        attributes,
        children: Vec::new(),
        text: String::new(),
    })
}

fn resolved(result: ResolveResult<'_>) -> Result<Option<String>, XmlError> {
    match result {
        ResolveResult::Bound(namespace) => utf8(namespace.into_inner()).map(Some),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(_) => Err(malformed("unbound namespace prefix")),
    }
}

fn utf8(bytes: &[u8]) -> Result<String, XmlError> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| XmlError::Encoding)
}

fn malformed(what: &str) -> XmlError {
    XmlError::Malformed(what.to_owned())
}

fn reader_error(error: quick_xml::Error) -> XmlError {
    match error {
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(..)) => XmlError::Entity,
        quick_xml::Error::Encoding(_) => XmlError::Encoding,
        other => XmlError::Malformed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Result<Element, XmlError> {
        parse(s.as_bytes(), &Limits::default())
    }

    #[test]
    fn builds_a_namespace_resolved_tree() {
        let root = read(r#"<?xml version="1.0" encoding="utf-8"?><a:R xmlns:a="urn:x" k="v&amp;w"><C>t&lt;1&#x41;<![CDATA[<z>]]></C><D/></a:R>"#).unwrap();
        assert!(root.is(Some("urn:x"), "R"));
        assert_eq!(root.attribute("k"), Some("v&w"));
        assert_eq!(root.children[0].text, "t<1A<z>");
        assert!(root.children[1].is(None, "D"));
    }

    #[test]
    fn refuses_doctype_and_entities() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
        assert_eq!(read(xxe), Err(XmlError::Dtd));
        assert_eq!(read("<r>&x;</r>"), Err(XmlError::Entity));
        assert_eq!(read(r#"<r a="&x;"/>"#), Err(XmlError::Entity));
    }

    #[test]
    fn refuses_processing_instructions_but_not_the_declaration() {
        assert_eq!(
            read("<r><?php x?></r>"),
            Err(XmlError::ProcessingInstruction)
        );
        assert_eq!(
            read("<r/><?xml version=\"1.0\"?>"),
            Err(XmlError::ProcessingInstruction)
        );
        assert!(read("\u{feff}<?xml version=\"1.0\"?><r/>").is_ok());
    }

    #[test]
    fn refuses_other_encodings() {
        assert_eq!(
            parse(b"<r>\xE9</r>", &Limits::default()),
            Err(XmlError::Encoding)
        );
        assert_eq!(
            read(r#"<?xml version="1.0" encoding="ISO-8859-1"?><r/>"#),
            Err(XmlError::Encoding)
        );
    }

    #[test]
    fn enforces_depth_element_and_attribute_limits() {
        let deep = "<a>".repeat(10_000) + &"</a>".repeat(10_000);
        assert_eq!(read(&deep), Err(XmlError::TooDeep));
        let ok = "<a>".repeat(64) + &"</a>".repeat(64);
        assert!(read(&ok).is_ok());
        let wide = format!("<r>{}</r>", "<a/>".repeat(10_000));
        assert_eq!(read(&wide), Err(XmlError::TooManyElements));
        let attrs: String = (0..33).map(|i| format!(" a{i}=\"1\"")).collect();
        assert!(matches!(
            read(&format!("<r{attrs}/>")),
            Err(XmlError::Malformed(_))
        ));
    }

    #[test]
    fn refuses_ill_formed_documents() {
        for bad in [
            "",
            "<r>",
            "<r></s>",
            "<r/><s/>",
            "x<r/>",
            "<p:r/>",
            "<r a=\"1\" a=\"2\"/>",
        ] {
            assert!(matches!(read(bad), Err(XmlError::Malformed(_))), "{bad}");
        }
    }
}
