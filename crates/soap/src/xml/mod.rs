//! Hardened XML for envelopes and inner documents (wire.md §2.6).
//!
//! [`parse`] reads a document with quick-xml 0.37's namespace-aware event reader into a
//! small owned [`Element`] tree, refusing DOCTYPE, processing instructions (the XML
//! declaration excepted), entity references other than the five predefined ones and
//! character references, anything but UTF-8 (a BOM is allowed), and documents over the
//! configured [`Limits`]. Operations then read their fields from the tree.
//!
//! yaserde (serde-style derive over XML) is deliberately not used: a derived struct
//! keeps the last of two equal elements silently, so it cannot report a duplicated
//! known element (wire.md §0: 5002), and it folds "missing" and "mistyped" into one
//! deserialisation error, while the wire needs each field's absence, repetition and
//! type checked on its own.

mod reader;
mod writer;

pub use reader::parse;
pub use writer::{escape_text, XmlWriter, DECLARATION};

/// Size limits applied while reading (wire.md §2.6; body size is the server's job).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum element nesting depth per document (default 64).
    pub max_depth: usize,
    /// Maximum number of elements per document (default 10 000).
    pub max_elements: usize,
    /// Maximum number of attributes per element (default 32).
    pub max_attributes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_elements: 10_000,
            max_attributes: 32,
        }
    }
}

/// Why a document was refused; each maps to one fault code of wire.md §2.6.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Not well-formed (also: too many attributes, unbound prefix).
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// A DOCTYPE declaration.
    #[error("DOCTYPE is not allowed")]
    Dtd,
    /// A processing instruction other than the XML declaration.
    #[error("processing instructions are not allowed")]
    ProcessingInstruction,
    /// An entity reference other than the predefined five.
    #[error("entity references are not allowed")]
    Entity,
    /// Nesting deeper than [`Limits::max_depth`].
    #[error("document nested too deeply")]
    TooDeep,
    /// More elements than [`Limits::max_elements`].
    #[error("document has too many elements")]
    TooManyElements,
    /// Not UTF-8, or declared in another encoding.
    #[error("document is not UTF-8")]
    Encoding,
}

/// One attribute with its namespace-resolved name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Namespace URI, `None` when unprefixed.
    pub namespace: Option<String>,
    /// Local name.
    pub name: String,
    /// Unescaped value.
    pub value: String,
}

/// One element: resolved name, attributes, child elements and its own text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Namespace URI, `None` when not in a namespace.
    pub namespace: Option<String>,
    /// Local name.
    pub name: String,
    /// Attributes in document order (namespace declarations excluded).
    pub attributes: Vec<Attribute>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// The concatenated character data directly inside this element (CDATA included).
    pub text: String,
}

impl Element {
    /// Whether this element is `{namespace}name`.
    pub fn is(&self, namespace: Option<&str>, name: &str) -> bool {
        self.name == name && self.namespace.as_deref() == namespace
    }

    /// The children whose local name is `name`, in any namespace.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The value of the unprefixed attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.name == name)
            .map(|a| a.value.as_str())
    }
}
