//! A small read-only XML tree, namespace-resolved, for signing, verifying and
//! decrypting protected documents (wire.md §5.3).
//!
//! Values are stored the way the XML data model sees them: line ends normalised,
//! attribute whitespace normalised, references expanded. Comments are dropped
//! (canonical form without comments); DTDs and processing instructions are refused
//! (wire.md §2.6), so canonical forms are well defined.

use std::borrow::Cow;
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Nesting limit; deeper documents are refused (wire.md §2.6 allows 64).
const MAX_DEPTH: usize = 128;

/// The namespace bound to the `xml` prefix.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML: {0}")]
pub(crate) struct Malformed(pub(crate) Cow<'static, str>);

impl Malformed {
    fn new(why: &'static str) -> Self {
        Self(Cow::Borrowed(why))
    }
}

/// An element with its namespace declarations, attributes and children.
#[derive(Debug)]
pub(crate) struct Element {
    /// Qualified name as written (`prefix:local` or `local`).
    pub(crate) qname: String,
    /// Namespace URI of the element; empty for none.
    pub(crate) ns: String,
    /// Namespace declarations on this element: (prefix, URI); prefix `""` is the default.
    pub(crate) ns_decls: Vec<(String, String)>,
    /// Ordinary attributes (not `xmlns`), in document order.
    pub(crate) attrs: Vec<Attr>,
    /// Child nodes in document order; adjacent text is merged.
    pub(crate) children: Vec<Node>,
    /// Byte range of the element in the source, start tag to end tag inclusive.
    pub(crate) span: Range<usize>,
}

/// An attribute with its resolved namespace and normalised value.
#[derive(Debug)]
pub(crate) struct Attr {
    /// Qualified name as written.
    pub(crate) qname: String,
    /// Namespace URI; empty for an unprefixed attribute.
    pub(crate) ns: String,
    /// Value after normalisation and reference expansion.
    pub(crate) value: String,
}

/// A child node.
#[derive(Debug)]
pub(crate) enum Node {
    /// A nested element.
    Element(Element),
    /// Character data (text and CDATA, merged).
    Text(String),
}

/// Splits a qualified name into (prefix, local); the prefix is `""` when absent.
pub(crate) fn split_qname(qname: &str) -> (&str, &str) {
    qname.split_once(':').unwrap_or(("", qname))
}

impl Element {
    /// The prefix of the element name, `""` when unprefixed.
    pub(crate) fn prefix(&self) -> &str {
        split_qname(&self.qname).0
    }

    /// The local part of the element name.
    pub(crate) fn local_name(&self) -> &str {
        split_qname(&self.qname).1
    }

    /// Whether this element is `{ns}local`.
    pub(crate) fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local_name() == local
    }

    /// The value of the unprefixed attribute `name`.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.qname == name)
            .map(|a| a.value.as_str())
    }

    /// Child elements in document order.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The only child element `{ns}local`; `None` if absent or repeated.
    pub(crate) fn only_child(&self, ns: &str, local: &str) -> Option<&Element> {
        let mut found = self.elements().filter(|e| e.is(ns, local));
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// The concatenated character data of the direct children.
    pub(crate) fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    /// Depth-first search (document order) for the first element named `local`,
    /// in any namespace, including `self`.
    pub(crate) fn find_local(&self, local: &str) -> Option<&Element> {
        if self.local_name() == local {
            return Some(self);
        }
        self.elements().find_map(|e| e.find_local(local))
    }
}

/// In-scope namespace bindings while parsing.
#[derive(Default)]
struct Scope(Vec<(String, String)>);

impl Scope {
    fn resolve(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        self.0
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, uri)| uri.as_str())
    }

    fn truncate(&mut self, by: usize) {
        self.0.truncate(self.0.len().saturating_sub(by));
    }
}

/// Parses a whole document into its root element.
pub(crate) fn parse(xml: &str) -> Result<Element, Malformed> {
    let mut reader = Reader::from_str(xml);
    let mut scope = Scope::default();
    let mut open: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut seen_markup = false;
    loop {
        let start = to_usize(reader.buffer_position())?;
        let event = reader
            .read_event()
            .map_err(|e| Malformed(Cow::Owned(e.to_string())))?;
        let end = to_usize(reader.buffer_position())?;
        match event {
            Event::Start(tag) => {
                if open.len() >= MAX_DEPTH {
                    return Err(Malformed::new("too deep"));
                }
                open.push(start_element(&tag, start..end, &mut scope)?);
            }
            Event::Empty(tag) => {
                let element = start_element(&tag, start..end, &mut scope)?;
                scope.truncate(element.ns_decls.len());
                attach(element, &mut open, &mut root)?;
            }
            Event::End(_) => {
                let mut element = open.pop().ok_or(Malformed::new("unbalanced end tag"))?;
                element.span.end = end;
                scope.truncate(element.ns_decls.len());
                attach(element, &mut open, &mut root)?;
            }
            Event::Text(text) => {
                let raw = utf8(&text)?;
                match open.last_mut() {
                    Some(parent) => {
                        let value = quick_xml::escape::unescape(&normalize_line_ends(raw))
                            .map_err(|e| Malformed(Cow::Owned(e.to_string())))?
                            .into_owned();
                        push_text(parent, value);
                    }
                    None if raw.trim().is_empty() => {}
                    None => return Err(Malformed::new("text outside the root element")),
                }
            }
            Event::CData(data) => {
                let parent = open
                    .last_mut()
                    .ok_or(Malformed::new("CDATA outside the root element"))?;
                push_text(parent, normalize_line_ends(utf8(&data)?).into_owned());
            }
            Event::Comment(_) => {}
            Event::Decl(_) if !seen_markup => {}
            Event::Decl(_) => return Err(Malformed::new("misplaced XML declaration")),
            Event::PI(_) => return Err(Malformed::new("processing instruction")),
            Event::DocType(_) => return Err(Malformed::new("document type declaration")),
            Event::Eof => break,
        }
        seen_markup = true;
    }
    if !open.is_empty() {
        return Err(Malformed::new("unclosed element"));
    }
    root.ok_or(Malformed::new("no root element"))
}

fn to_usize(pos: u64) -> Result<usize, Malformed> {
    usize::try_from(pos).map_err(|_| Malformed::new("document too large"))
}

fn utf8(bytes: &[u8]) -> Result<&str, Malformed> {
    std::str::from_utf8(bytes).map_err(|_| Malformed::new("invalid UTF-8"))
}

fn attach(
    element: Element,
    open: &mut [Element],
    root: &mut Option<Element>,
) -> Result<(), Malformed> {
    match open.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None if root.is_none() => *root = Some(element),
        None => return Err(Malformed::new("more than one root element")),
    }
    Ok(())
}

fn push_text(parent: &mut Element, value: String) {
    match parent.children.last_mut() {
        Some(Node::Text(previous)) => previous.push_str(&value),
        _ => parent.children.push(Node::Text(value)),
    }
}

/// XML 1.0 §2.11: CR LF and lone CR become LF.
fn normalize_line_ends(raw: &str) -> Cow<'_, str> {
    if raw.contains('\r') {
        Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(raw)
    }
}

/// XML 1.0 §3.3.3 for CDATA-typed attributes: each literal whitespace character
/// (after line-end normalisation) becomes a space; references are kept as written.
fn normalize_attribute(raw: &str) -> Cow<'_, str> {
    if raw.contains(['\r', '\n', '\t']) {
        Cow::Owned(raw.replace("\r\n", " ").replace(['\r', '\n', '\t'], " "))
    } else {
        Cow::Borrowed(raw)
    }
}

fn start_element(
    tag: &BytesStart<'_>,
    span: Range<usize>,
    scope: &mut Scope,
) -> Result<Element, Malformed> {
    let qname = utf8(tag.name().as_ref())?.to_owned();
    let mut ns_decls = Vec::new();
    let mut raw_attrs = Vec::new();
    for attr in tag.attributes() {
        let attr = attr.map_err(|e| Malformed(Cow::Owned(e.to_string())))?;
        let key = utf8(attr.key.as_ref())?;
        let value = quick_xml::escape::unescape(&normalize_attribute(utf8(&attr.value)?))
            .map_err(|e| Malformed(Cow::Owned(e.to_string())))?
            .into_owned();
        if key == "xmlns" {
            ns_decls.push((String::new(), value));
        } else if let Some(prefix) = key.strip_prefix("xmlns:") {
            if value.is_empty() || prefix == "xml" || prefix == "xmlns" {
                return Err(Malformed::new("illegal namespace declaration"));
            }
            ns_decls.push((prefix.to_owned(), value));
        } else {
            raw_attrs.push((key.to_owned(), value));
        }
    }
    scope.0.extend(ns_decls.iter().cloned());
    let resolved = resolve_names(&qname, raw_attrs, scope);
    if resolved.is_err() {
        scope.truncate(ns_decls.len());
    }
    let (ns, attrs) = resolved?;
    Ok(Element {
        qname,
        ns,
        ns_decls,
        attrs,
        children: Vec::new(),
        span,
    })
}

fn resolve_names(
    qname: &str,
    raw_attrs: Vec<(String, String)>,
    scope: &Scope,
) -> Result<(String, Vec<Attr>), Malformed> {
    let unbound = || Malformed::new("unbound namespace prefix");
    let ns = scope
        .resolve(split_qname(qname).0)
        .or_else(|| split_qname(qname).0.is_empty().then_some(""))
        .ok_or_else(unbound)?
        .to_owned();
    let attrs = raw_attrs
        .into_iter()
        .map(|(qname, value)| {
            let prefix = split_qname(&qname).0;
            let ns = if prefix.is_empty() {
                String::new()
            } else {
                scope.resolve(prefix).ok_or_else(unbound)?.to_owned()
            };
            Ok(Attr { qname, ns, value })
        })
        .collect::<Result<_, Malformed>>()?;
    Ok((ns, attrs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_start_to_end_tag() {
        let xml = "<?xml version=\"1.0\"?>\n<a><b x=\"1\">t</b><c/></a>";
        let root = parse(xml).unwrap();
        let b = root.elements().next().unwrap();
        assert_eq!(&xml[b.span.clone()], "<b x=\"1\">t</b>");
        let c = root.elements().nth(1).unwrap();
        assert_eq!(&xml[c.span.clone()], "<c/>");
        assert_eq!(&xml[root.span.clone()], "<a><b x=\"1\">t</b><c/></a>");
    }

    #[test]
    fn resolves_default_and_prefixed_namespaces() {
        let root =
            parse(r#"<a xmlns="urn:d" xmlns:p="urn:p"><p:b p:x="1" y="2"/><c xmlns=""/></a>"#)
                .unwrap();
        assert_eq!(root.ns, "urn:d");
        let b = root.elements().next().unwrap();
        assert!(b.is("urn:p", "b"));
        assert_eq!(b.attrs[0].ns, "urn:p");
        assert_eq!(b.attrs[1].ns, "");
        assert!(root.elements().nth(1).unwrap().is("", "c"));
    }

    #[test]
    fn normalises_text_and_attribute_values() {
        let root = parse("<a v=\"x\ty&#9;z\r\n\">1\r\n2\r3&#13;&lt;</a>").unwrap();
        assert_eq!(root.attr("v"), Some("x y\tz "));
        assert_eq!(root.text(), "1\n2\n3\r<");
    }

    #[test]
    fn refuses_what_the_hardened_parser_refuses() {
        for bad in [
            "<!DOCTYPE a><a/>",
            "<a><?pi x?></a>",
            "<a/><b/>",
            "<a>",
            "<p:a/>",
            "text<a/>",
            "<a>&custom;</a>",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn drops_comments() {
        let root = parse("<a>x<!-- c -->y</a>").unwrap();
        assert_eq!(root.children.len(), 1);
        assert_eq!(root.text(), "xy");
    }
}
