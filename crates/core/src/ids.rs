//! Domain newtypes, parsed once at the edge (wire.md §0 types).
//!
//! Each type has a private field, a `parse` that returns `Result`, and cheap getters;
//! code past the façade never re-checks them.

use std::fmt;

use sha2::{Digest, Sha256};

/// Why a wire value could not become a domain value (answered as 5002 by the façade).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not a decimal integer in the type's range.
    #[error("not an integer in range")]
    Integer,
    /// Not an 8-4-4-4-12 hex GUID.
    #[error("not a GUID")]
    Guid,
    /// Too long, empty where required, or holding forbidden characters.
    #[error("invalid text")]
    Text,
    /// Outside the documented domain (e.g. trigger code 0).
    #[error("out of range")]
    Range,
}

macro_rules! positive_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(i32);

        impl $name {
            /// Parses a decimal `1..=2147483647` (surrounding whitespace tolerated).
            pub fn parse(s: &str) -> Result<Self, ParseError> {
                let v: i32 = s.trim().parse().map_err(|_| ParseError::Integer)?;
                Self::new(v)
            }

            /// Wraps an already-numeric value, refusing `<= 0`.
            pub fn new(v: i32) -> Result<Self, ParseError> {
                if v > 0 { Ok(Self(v)) } else { Err(ParseError::Range) }
            }

            /// The numeric value.
            pub fn get(self) -> i32 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

positive_id!(
    /// A license number (wire.md §0: int 1..=2147483647).
    LicenseId
);
positive_id!(
    /// A product number.
    ProductId
);
positive_id!(
    /// A product option number.
    OptionId
);
positive_id!(
    /// A customer number.
    CustomerId
);
positive_id!(
    /// An author (vendor account) number.
    AuthorId
);

/// A 128-bit GUID; printed upper-case 8-4-4-4-12, parsed case-insensitively with
/// optional braces (wire.md §0 `guid`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid([u8; 16]);

impl Guid {
    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, braces and case tolerated.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim();
        let s = s
            .strip_prefix('{')
            .and_then(|r| r.strip_suffix('}'))
            .unwrap_or(s);
        let b = s.as_bytes();
        if b.len() != 36 {
            return Err(ParseError::Guid);
        }
        let mut out = [0u8; 16];
        let mut n = 0;
        let mut i = 0;
        while i < 36 {
            if matches!(i, 8 | 13 | 18 | 23) {
                if b[i] != b'-' {
                    return Err(ParseError::Guid);
                }
                i += 1;
                continue;
            }
            let hi = hex_val(b[i]).ok_or(ParseError::Guid)?;
            let lo = hex_val(b[i + 1]).ok_or(ParseError::Guid)?;
            out[n] = hi << 4 | lo;
            n += 1;
            i += 2;
        }
        Ok(Self(out))
    }

    /// Builds a GUID from raw bytes (e.g. 128 RNG bits, rules ACT-5).
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl Guid {
    /// The canonical text form in a stack buffer (36 ASCII bytes). Formatting goes
    /// through here rather than one `{:02X}` per byte: GUIDs are printed on every
    /// request (record lookups, answers), where the formatter machinery showed in
    /// profiles (issue 5).
    fn encode(&self) -> [u8; 36] {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut out = [b'-'; 36];
        let mut at = 0;
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                at += 1;
            }
            out[at] = HEX[usize::from(byte >> 4)];
            out[at + 1] = HEX[usize::from(byte & 0x0F)];
            at += 2;
        }
        out
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.encode();
        // Only ASCII hex digits and dashes were written.
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Guid({self})")
    }
}

macro_rules! guid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Guid);

        impl $name {
            /// Parses the wire GUID form (wire.md §0).
            pub fn parse(s: &str) -> Result<Self, ParseError> {
                Guid::parse(s).map(Self)
            }

            /// Wraps a GUID.
            pub fn from_guid(g: Guid) -> Self {
                Self(g)
            }

            /// The GUID.
            pub fn guid(&self) -> Guid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

guid_id!(
    /// The ID of one installation (one activation record's seat), rules ACT-5.
    InstallationId
);
guid_id!(
    /// Names a key ring entry: ClientKey + ServerKey pair (wire.md §5.1).
    EncryptionKeyId
);

/// The Computer ID of the trigger-code path (User Code 2, an i32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComputerId(i32);

impl ComputerId {
    /// Parses a decimal i32. Zero parses; rule A1 refuses it on the trigger-code path.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        s.trim().parse().map(Self).map_err(|_| ParseError::Integer)
    }

    /// Wraps a value.
    pub fn new(v: i32) -> Self {
        Self(v)
    }

    /// The value.
    pub fn get(self) -> i32 {
        self.0
    }
}

/// A client session code: string(128) of `[A-Za-z0-9+/=_-]` (wire.md §0), echoed byte
/// for byte (wire.md §5.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionCode(String);

impl SessionCode {
    /// Parses a session code; empty, too long or foreign characters are refused.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let ok = !s.is_empty()
            && s.len() <= 128
            && s.bytes().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'_' | b'-')
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ParseError::Text)
        }
    }

    /// The code as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A license or customer password (string(64)); `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Parses a non-empty password of at most 64 characters without NUL.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if s.is_empty() || s.chars().count() > 64 || s.contains('\0') {
            return Err(ParseError::Text);
        }
        Ok(Self(s.to_owned()))
    }

    /// The secret itself; compare it only with [`Password::matches`].
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison with a stored password (rules ACT-3, ERR-1).
    pub fn matches(&self, stored: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), stored.as_bytes())
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let len = a.len().max(b.len());
    let mut diff = (a.len() ^ b.len()) as u8 | u8::from(a.len() != b.len());
    for i in 0..len {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= x ^ y;
    }
    diff == 0
}

/// A Protection PLUS trigger code event number, 1..=50 (rules TC-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TriggerCode(u8);

impl TriggerCode {
    /// Wraps an event number, refusing anything outside 1..=50.
    pub fn new(v: i64) -> Result<Self, ParseError> {
        if (1..=50).contains(&v) {
            Ok(Self(v as u8))
        } else {
            Err(ParseError::Range)
        }
    }

    /// The event number.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// One system identifier triple sent by a PLUS 5 client (wire.md §3 `SystemIdentifiers`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SystemIdentifier {
    kind: i32,
    name: String,
    value: String,
}

impl SystemIdentifier {
    /// Builds a triple: name string(64), value string(512), neither holding NUL.
    pub fn new(kind: i32, name: &str, value: &str) -> Result<Self, ParseError> {
        if name.chars().count() > 64
            || value.chars().count() > 512
            || name.contains('\0')
            || value.contains('\0')
        {
            return Err(ParseError::Text);
        }
        Ok(Self {
            kind,
            name: name.to_owned(),
            value: value.to_owned(),
        })
    }

    /// The identifier type (10 NIC, 20 computer name, …).
    pub fn kind(&self) -> i32 {
        self.kind
    }

    /// The identifier name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The (client-hashed) value, stored and echoed untouched.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// What identifies "the same computer" (rules C-4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ComputerKey {
    /// Trigger-code path: the Computer ID (User Code 2).
    ComputerId(ComputerId),
    /// License-file path: the sorted, deduplicated identifier triples.
    Identifiers(Vec<SystemIdentifier>),
}

impl ComputerKey {
    /// Builds the license-file key: sorts and deduplicates the triples (C-4).
    pub fn from_identifiers(mut ids: Vec<SystemIdentifier>) -> Self {
        ids.sort();
        ids.dedup();
        Self::Identifiers(ids)
    }

    /// A stable SHA-256 fingerprint (lower-case hex) used to index equal keys.
    /// An empty identifier list has no fingerprint: no key never matches (C-4).
    pub fn fingerprint(&self) -> Option<String> {
        let mut h = Sha256::new();
        match self {
            Self::ComputerId(c) => {
                h.update(b"cid:");
                h.update(c.get().to_be_bytes());
            }
            Self::Identifiers(ids) => {
                if ids.is_empty() {
                    return None;
                }
                h.update(b"ids:");
                for id in ids {
                    h.update(id.kind.to_be_bytes());
                    for part in [&id.name, &id.value] {
                        h.update((part.len() as u32).to_be_bytes());
                        h.update(part.as_bytes());
                    }
                }
            }
        }
        // hex, not one format! per byte: every activation computes this twice (issue 5).
        Some(hex::encode(h.finalize()))
    }

    /// C-4 "same computer": the keys are equal and not empty (no key never matches).
    /// Both keys must come from [`ComputerKey::from_identifiers`] (or be Computer IDs).
    pub fn same_computer(&self, other: &ComputerKey) -> bool {
        let empty = matches!(self, Self::Identifiers(ids) if ids.is_empty());
        !empty && self == other
    }

    /// The Computer ID when this is a trigger-code key.
    pub fn computer_id(&self) -> Option<ComputerId> {
        match self {
            Self::ComputerId(c) => Some(*c),
            Self::Identifiers(_) => None,
        }
    }

    /// The identifier triples when this is a license-file key.
    pub fn identifiers(&self) -> &[SystemIdentifier] {
        match self {
            Self::Identifiers(ids) => ids,
            Self::ComputerId(_) => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_round_trips_upper_case_and_tolerates_braces() {
        let g = Guid::parse("{6f1c2e7a-0d4b-4c8e-9b1a-5e3d2c1b0a99}").unwrap();
        assert_eq!(g.to_string(), "6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99");
        assert!(Guid::parse("6F1C2E7A0D4B-4C8E-9B1A-5E3D2C1B0A99").is_err());
        assert!(Guid::parse("6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A9Z").is_err());
    }

    #[test]
    fn license_id_refuses_zero_negative_and_overflow() {
        assert!(LicenseId::parse("0").is_err());
        assert!(LicenseId::parse("-5").is_err());
        assert!(LicenseId::parse("2147483648").is_err());
        assert_eq!(LicenseId::parse(" 1001 ").unwrap().get(), 1001);
    }

    #[test]
    fn password_debug_is_redacted() {
        let p = Password::parse("demo1001").unwrap();
        assert_eq!(format!("{p:?}"), "Password(<redacted>)");
        assert!(p.matches("demo1001"));
        assert!(!p.matches("demo100"));
        assert!(!p.matches("Demo1001"));
    }

    #[test]
    fn session_code_refuses_foreign_characters_and_length() {
        assert!(SessionCode::parse("abc+/=_-09").is_ok());
        assert!(SessionCode::parse("a b").is_err());
        assert!(SessionCode::parse("").is_err());
        assert!(SessionCode::parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn computer_key_is_order_and_duplicate_insensitive() {
        let a = SystemIdentifier::new(10, "NIC", "x").unwrap();
        let b = SystemIdentifier::new(20, "Name", "y").unwrap();
        let k1 = ComputerKey::from_identifiers(vec![a.clone(), b.clone()]);
        let k2 = ComputerKey::from_identifiers(vec![b, a.clone(), a]);
        assert_eq!(k1.fingerprint(), k2.fingerprint());
        assert!(ComputerKey::from_identifiers(vec![])
            .fingerprint()
            .is_none());
    }

    #[test]
    fn c_4_no_key_never_matches_and_kinds_never_mix() {
        let none = ComputerKey::from_identifiers(vec![]);
        assert!(!none.same_computer(&none.clone()));
        let cid = ComputerKey::ComputerId(ComputerId::new(1234));
        assert!(cid.same_computer(&ComputerKey::ComputerId(ComputerId::new(1234))));
        assert!(!cid.same_computer(&ComputerKey::ComputerId(ComputerId::new(1235))));
        let ids = ComputerKey::from_identifiers(vec![SystemIdentifier::new(
            0,
            "SystemIdentifier",
            "1234",
        )
        .unwrap()]);
        assert!(!cid.same_computer(&ids));
        assert!(ids.same_computer(&ids.clone()));
    }
}
