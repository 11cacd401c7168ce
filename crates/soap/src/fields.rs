//! Reading an inner document's fields (wire.md §0 inputs): any order, unknown
//! elements ignored, a known element twice is 5002, empty optional elements count as
//! absent.

use unlockd_core::{ComputerKey, ParseError, SystemIdentifier};

use crate::error::InputError;
use crate::value;
use crate::xml::Element;

/// Most identifier triples one request may carry (wire.md §3).
const MAX_IDENTIFIERS: usize = 32;

/// The children of one element, read by name.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    parent: &'a Element,
}

impl<'a> Fields<'a> {
    /// Reads the children of `parent`.
    pub fn new(parent: &'a Element) -> Self {
        Self { parent }
    }

    /// The child `name`, if present once; twice is [`InputError::Duplicate`].
    pub fn element(&self, name: &'static str) -> Result<Option<&'a Element>, InputError> {
        let mut found = self.parent.children.iter().filter(|c| c.name == name);
        let first = found.next();
        if found.next().is_some() {
            return Err(InputError::Duplicate(name));
        }
        Ok(first)
    }

    /// The text of `name`; absent or empty is `None`.
    pub fn text(&self, name: &'static str) -> Result<Option<&'a str>, InputError> {
        Ok(self
            .element(name)?
            .map(|e| e.text.as_str())
            .filter(|t| !t.is_empty()))
    }

    /// Parses an optional element with `parse`.
    pub fn parse<T>(
        &self,
        name: &'static str,
        parse: impl FnOnce(&'a str) -> Result<T, ParseError>,
    ) -> Result<Option<T>, InputError> {
        self.text(name)?
            .map(|t| parse(t).map_err(|cause| InputError::Invalid { field: name, cause }))
            .transpose()
    }

    /// Parses a required element with `parse`.
    pub fn parse_required<T>(
        &self,
        name: &'static str,
        parse: impl FnOnce(&'a str) -> Result<T, ParseError>,
    ) -> Result<T, InputError> {
        self.parse(name, parse)?.ok_or(InputError::Missing(name))
    }

    /// An optional `string(max)`, checked and owned.
    pub fn bounded(&self, name: &'static str, max: usize) -> Result<Option<String>, InputError> {
        self.parse(name, |s| value::bounded(s, max).map(str::to_owned))
    }

    /// `SystemIdentifiers/SystemIdentifier*` (1..=32 triples, each `@name @type @value`)
    /// plus a PP4-style `SystemIdentifier` string(512), which counts as one triple of
    /// type 0 named `SystemIdentifier` (wire.md §3).
    pub fn identifiers(&self) -> Result<Vec<SystemIdentifier>, InputError> {
        const LIST: &str = "SystemIdentifiers";
        const SINGLE: &str = "SystemIdentifier";
        let mut triples = Vec::new();
        if let Some(list) = self.element(LIST)? {
            for item in list.children_named(SINGLE) {
                let invalid = |cause| InputError::Invalid { field: LIST, cause };
                let kind = value::int(
                    item.attribute("type")
                        .ok_or(ParseError::Text)
                        .map_err(invalid)?,
                )
                .map_err(invalid)?;
                let name = item
                    .attribute("name")
                    .ok_or(ParseError::Text)
                    .map_err(invalid)?;
                let value = item
                    .attribute("value")
                    .ok_or(ParseError::Text)
                    .map_err(invalid)?;
                triples.push(SystemIdentifier::new(kind, name, value).map_err(invalid)?);
            }
            if triples.is_empty() || triples.len() > MAX_IDENTIFIERS {
                return Err(InputError::Invalid {
                    field: LIST,
                    cause: ParseError::Range,
                });
            }
        }
        if let Some(single) = self.parse(SINGLE, |s| SystemIdentifier::new(0, SINGLE, s))? {
            triples.push(single);
        }
        Ok(triples)
    }

    /// The computer key of the sent identifiers, `None` when none were sent.
    pub fn optional_key(&self) -> Result<Option<ComputerKey>, InputError> {
        let ids = self.identifiers()?;
        Ok((!ids.is_empty()).then(|| ComputerKey::from_identifiers(ids)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{parse, Limits};

    fn doc(s: &str) -> Element {
        parse(s.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn a_known_element_twice_is_a_duplicate_unknown_ones_are_ignored() {
        let d = doc("<P><A>1</A><A>2</A><Zzz>9</Zzz><Zzz>9</Zzz><B></B></P>");
        let f = Fields::new(&d);
        assert_eq!(f.text("A"), Err(InputError::Duplicate("A")));
        assert_eq!(f.text("B"), Ok(None));
        assert_eq!(f.parse_required("B", Ok), Err(InputError::Missing("B")));
    }

    #[test]
    fn identifiers_read_triples_and_the_pp4_string() {
        let d = doc(
            r#"<P><SystemIdentifiers><SystemIdentifier name="NIC" type="10" value="ab"/></SystemIdentifiers><SystemIdentifier>xyz</SystemIdentifier></P>"#,
        );
        let ids = Fields::new(&d).identifiers().unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(
            (ids[1].kind(), ids[1].name(), ids[1].value()),
            (0, "SystemIdentifier", "xyz")
        );
        let bad = doc(
            r#"<P><SystemIdentifiers><SystemIdentifier name="NIC" type="x" value="ab"/></SystemIdentifiers></P>"#,
        );
        assert!(Fields::new(&bad).identifiers().is_err());
        let empty = doc("<P><SystemIdentifiers/></P>");
        assert!(Fields::new(&empty).identifiers().is_err());
    }
}
