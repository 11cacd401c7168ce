//! Exclusive XML canonicalisation without comments
//! (`http://www.w3.org/2001/10/xml-exc-c14n#`, no InclusiveNamespaces prefix list)
//! over a [`tree`](super::tree) element, optionally leaving one descendant out (the
//! enveloped-signature transform).
//!
//! Rendering follows Exclusive C14N §3 on top of C14N 1.0: a namespace declaration is
//! output on an element only if the element's name or one of its attributes visibly
//! uses the prefix and the nearest output ancestor did not already output the same
//! binding; `xmlns=""` appears only to undo a default namespace output above.
//! Declarations are sorted by prefix, attributes by (namespace URI, local name);
//! empty elements get an end tag; text and attribute values use C14N's escapes
//! (namespace URIs are written unescaped).

use super::tree::{split_qname, Element, Node};

/// The exclusive canonical form of `apex` as a document subset, without the
/// subtree `omit` (compared by identity) when given.
pub(crate) fn canonicalize(apex: &Element, omit: Option<&Element>) -> Vec<u8> {
    let mut out = Vec::with_capacity(apex.span.len() + apex.span.len() / 8);
    let mut rendered = Vec::new();
    render(apex, omit, &mut rendered, &mut out);
    out
}

/// Namespace bindings output on the current chain of output ancestors.
type Rendered<'a> = Vec<(&'a str, &'a str)>;

fn nearest_rendered<'a>(rendered: &Rendered<'a>, prefix: &str) -> Option<&'a str> {
    rendered
        .iter()
        .rev()
        .find(|(p, _)| *p == prefix)
        .map(|(_, uri)| *uri)
}

fn render<'a>(
    element: &'a Element,
    omit: Option<&Element>,
    rendered: &mut Rendered<'a>,
    out: &mut Vec<u8>,
) {
    let mark = rendered.len();
    // Visibly utilised prefixes: the element's own, then each prefixed attribute's.
    let mut used: Vec<(&str, &str)> = vec![(element.prefix(), element.ns.as_str())];
    for attr in &element.attrs {
        let prefix = split_qname(&attr.qname).0;
        if !prefix.is_empty() && prefix != "xml" && !used.iter().any(|(p, _)| *p == prefix) {
            used.push((prefix, attr.ns.as_str()));
        }
    }
    used.retain(|&(prefix, uri)| {
        let above = nearest_rendered(rendered, prefix);
        if prefix.is_empty() {
            above.unwrap_or("") != uri
        } else {
            above != Some(uri)
        }
    });
    used.sort_unstable_by(|a, b| a.0.cmp(b.0));

    out.push(b'<');
    out.extend_from_slice(element.qname.as_bytes());
    for &(prefix, uri) in &used {
        out.extend_from_slice(b" xmlns");
        if !prefix.is_empty() {
            out.push(b':');
            out.extend_from_slice(prefix.as_bytes());
        }
        // C14N §2.3 writes a namespace node's string value as is (no escaping), as
        // libxml2 does; legal URIs hold no `"` or `<`.
        out.extend_from_slice(b"=\"");
        out.extend_from_slice(uri.as_bytes());
        out.push(b'"');
        rendered.push((prefix, uri));
    }
    let mut attrs: Vec<_> = element.attrs.iter().collect();
    attrs.sort_unstable_by(|a, b| {
        (a.ns.as_str(), split_qname(&a.qname).1).cmp(&(b.ns.as_str(), split_qname(&b.qname).1))
    });
    for attr in attrs {
        out.push(b' ');
        out.extend_from_slice(attr.qname.as_bytes());
        out.extend_from_slice(b"=\"");
        escape_attribute(&attr.value, out);
        out.push(b'"');
    }
    out.push(b'>');
    for child in &element.children {
        match child {
            Node::Element(e) if omit.is_some_and(|o| std::ptr::eq(o, e)) => {}
            Node::Element(e) => render(e, omit, rendered, out),
            Node::Text(t) => escape_text(t, out),
        }
    }
    out.extend_from_slice(b"</");
    out.extend_from_slice(element.qname.as_bytes());
    out.push(b'>');
    rendered.truncate(mark);
}

/// C14N text escapes: `&`, `<`, `>` and CR.
fn escape_text(text: &str, out: &mut Vec<u8>) {
    for c in text.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\r' => out.extend_from_slice(b"&#xD;"),
            c => push_char(c, out),
        }
    }
}

/// C14N attribute escapes: `&`, `<`, `"`, TAB, LF and CR.
fn escape_attribute(value: &str, out: &mut Vec<u8>) {
    for c in value.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '\t' => out.extend_from_slice(b"&#x9;"),
            '\n' => out.extend_from_slice(b"&#xA;"),
            '\r' => out.extend_from_slice(b"&#xD;"),
            c => push_char(c, out),
        }
    }
}

fn push_char(c: char, out: &mut Vec<u8>) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    fn check(xml: &str, expected: &str) {
        let root = parse(xml).unwrap();
        assert_eq!(
            String::from_utf8(canonicalize(&root, None)).unwrap(),
            expected
        );
    }

    #[test]
    fn drops_declaration_expands_empty_elements_and_sorts_attributes() {
        check(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a b='2' a=\"1\"><e/></a>\n",
            r#"<a a="1" b="2"><e></e></a>"#,
        );
    }

    #[test]
    fn renders_only_visibly_utilised_namespaces() {
        check(
            r#"<p:a xmlns:p="urn:p" xmlns:q="urn:q" xmlns:unused="urn:u"><b/><q:c/></p:a>"#,
            r#"<p:a xmlns:p="urn:p"><b></b><q:c xmlns:q="urn:q"></q:c></p:a>"#,
        );
    }

    #[test]
    fn does_not_repeat_a_binding_output_by_an_ancestor() {
        check(
            r#"<a xmlns="urn:d"><b xmlns="urn:d"><c xmlns:p="urn:p" p:x="1"><p:d xmlns:p="urn:p"/></c></b></a>"#,
            r#"<a xmlns="urn:d"><b><c xmlns:p="urn:p" p:x="1"><p:d></p:d></c></b></a>"#,
        );
    }

    #[test]
    fn undoes_a_rendered_default_namespace_with_empty_xmlns() {
        check(
            r#"<a xmlns="urn:d"><b xmlns=""><c/></b></a>"#,
            r#"<a xmlns="urn:d"><b xmlns=""><c></c></b></a>"#,
        );
        // Nothing to undo: no default namespace was output.
        check(r#"<a><b xmlns=""/></a>"#, r#"<a><b></b></a>"#);
    }

    #[test]
    fn redeclares_a_prefix_bound_to_another_uri() {
        check(
            r#"<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"/></p:a>"#,
            r#"<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"></p:b></p:a>"#,
        );
    }

    #[test]
    fn sorts_namespaces_by_prefix_and_attributes_by_uri_then_local_name() {
        check(
            r#"<a xmlns="urn:d" xmlns:z="urn:a" xmlns:b="urn:z" b:y="1" z:y="2" x="3" xml:lang="en"/>"#,
            r#"<a xmlns="urn:d" xmlns:b="urn:z" xmlns:z="urn:a" x="3" xml:lang="en" z:y="2" b:y="1"></a>"#,
        );
    }

    #[test]
    fn subset_apex_renders_inherited_namespaces_it_uses() {
        let root = parse(
            r#"<r xmlns:ds="urn:ds"><Signature xmlns="urn:sig"><SignedInfo><ds:x/></SignedInfo></Signature></r>"#,
        )
        .unwrap();
        let signed_info = root.find_local("SignedInfo").unwrap();
        assert_eq!(
            String::from_utf8(canonicalize(signed_info, None)).unwrap(),
            r#"<SignedInfo xmlns="urn:sig"><ds:x xmlns:ds="urn:ds"></ds:x></SignedInfo>"#
        );
    }

    #[test]
    fn omits_the_given_subtree() {
        let root = parse(r#"<r><a/><Signature xmlns="urn:s"><x/></Signature>tail</r>"#).unwrap();
        let signature = root.find_local("Signature").unwrap();
        assert_eq!(
            String::from_utf8(canonicalize(&root, Some(signature))).unwrap(),
            "<r><a></a>tail</r>"
        );
    }

    #[test]
    fn writes_namespace_uris_unescaped_like_libxml2() {
        check(
            r#"<p:a xmlns:p="http://x/y?z&amp;w"/>"#,
            r#"<p:a xmlns:p="http://x/y?z&w"></p:a>"#,
        );
    }

    #[test]
    fn escapes_text_and_attributes_per_c14n() {
        check(
            "<a v=\"&lt;&amp;&gt;&quot;'&#9;&#10;&#13;\">&lt;&amp;&gt;\"'&#13;<![CDATA[<x>]]></a>",
            "<a v=\"&lt;&amp;>&quot;'&#x9;&#xA;&#xD;\">&lt;&amp;&gt;\"'&#xD;&lt;x&gt;</a>",
        );
    }
}
