//! Serialisation with the escaping of wire.md §2.2: no indentation, no whitespace
//! between elements, `&`, `<`, `>` and CR escaped, quotes literal in text.

use std::fmt::{self, Write as _};

/// The declaration every inner output document begins with (wire.md §2.2).
pub const DECLARATION: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

/// Appends `text` escaped for character data (`&`, `<`, `>`, CR).
pub fn escape_text(text: &str, out: &mut String) {
    out.reserve(text.len());
    let mut rest = text;
    while let Some(at) = rest.bytes().position(|b| text_entity(b).is_some()) {
        let (clean, tail) = rest.split_at(at);
        let (special, tail) = tail.split_at(1);
        out.push_str(clean);
        out.push_str(
            special
                .bytes()
                .next()
                .and_then(text_entity)
                .unwrap_or(special),
        );
        rest = tail;
    }
    out.push_str(rest);
}

/// The entity a byte of character data is written as, if it needs one.
fn text_entity(byte: u8) -> Option<&'static str> {
    match byte {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'\r' => Some("&#xD;"),
        _ => None,
    }
}

fn escape_attribute(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#xA;"),
            '\t' => out.push_str("&#x9;"),
            c => escape_text(c.encode_utf8(&mut [0; 4]), out),
        }
    }
}

/// A `fmt::Write` that escapes what is written into it as character data.
struct EscapedText<'a>(&'a mut String);

impl fmt::Write for EscapedText<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        escape_text(s, self.0);
        Ok(())
    }
}

/// What a writer reserves up front: most answers fit, so the buffer is not regrown.
const INITIAL_CAPACITY: usize = 512;

/// A compact XML writer over a `String`.
#[derive(Debug)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    /// A writer whose output starts with the XML declaration.
    pub fn document() -> Self {
        let mut writer = Self::fragment();
        writer.out.push_str(DECLARATION);
        writer
    }

    /// A writer for a fragment (no declaration).
    pub fn fragment() -> Self {
        Self {
            out: String::with_capacity(INITIAL_CAPACITY),
        }
    }

    /// Opens `<name attr="v"…>`.
    pub fn start(&mut self, name: &str, attributes: &[(&str, &str)]) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_attribute(value, &mut self.out);
            self.out.push('"');
        }
        self.out.push('>');
        self
    }

    /// Writes `<name attr="v"…/>`.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) -> &mut Self {
        self.start(name, attributes);
        self.out.pop();
        self.out.push_str("/>");
        self
    }

    /// Closes `</name>`.
    pub fn end(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// Writes `<name>text</name>` (an empty string still writes the element).
    pub fn element(&mut self, name: &str, text: &str) -> &mut Self {
        self.start(name, &[]);
        escape_text(text, &mut self.out);
        self.end(name)
    }

    /// Writes `<name>value</name>` with `value` formatted and escaped in place, without
    /// an intermediate `String`.
    pub fn element_display(&mut self, name: &str, value: impl fmt::Display) -> &mut Self {
        self.start(name, &[]);
        // `EscapedText` never fails, and the values written here format infallibly.
        let _ = write!(EscapedText(&mut self.out), "{value}");
        self.end(name)
    }

    /// Writes escaped character data.
    pub fn text(&mut self, text: &str) -> &mut Self {
        escape_text(text, &mut self.out);
        self
    }

    /// Writes already-serialised XML verbatim.
    pub fn raw(&mut self, xml: &str) -> &mut Self {
        self.out.push_str(xml);
        self
    }

    /// The serialised text.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_per_wire_2_2() {
        let mut w = XmlWriter::document();
        w.start("R", &[("a", "x\"<")])
            .element("E", "a&b<c>d\r\"'")
            .empty("F", &[])
            .element_display("G", 42)
            .element_display("H", "<&>")
            .end("R");
        assert_eq!(
            w.finish(),
            r#"<?xml version="1.0" encoding="utf-8"?><R a="x&quot;&lt;"><E>a&amp;b&lt;c&gt;d&#xD;"'</E><F/><G>42</G><H>&lt;&amp;&gt;</H></R>"#
        );
    }
}
