//! PP4 offline activation files (wire.md §7.4, rules OFF-1): the request a PP4
//! application writes and the response the server hands back, each a small text file
//! of `Name=value` lines closed by an HMAC-SHA-256 `MAC` keyed with the option's
//! OffAct Key. Pure: formatting, parsing and MAC checks only.
//!
//! ```text
//! unlockd-offact-request 1          unlockd-offact-response 1
//! LicenseID=1002                    LicenseID=1002
//! Password=demo1002                 UserCode1=321990713
//! ProductID=1                       UserCode2=123456789
//! ProductOptionID=  (opt)           RegKey1=533723300
//! ProductVersion=   (opt)           RegKey2=0
//! UserCode1=321990713               LicenseUpdate=  (opt)
//! UserCode2=123456789               ActivationsLeft=1
//! Created=2026-11-26T10:00:00Z      UpdateCounter=1
//! MAC=…                             Issued=2026-11-26T10:05:00Z
//!                                   MAC=…
//! ```
//! `MAC` = lower-case hex HMAC-SHA-256 over every preceding line as `line + "\n"`
//! (also when the file uses CRLF). Optional lines are omitted when empty.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// First line of a request file.
pub const REQUEST_MAGIC: &str = "unlockd-offact-request 1";
/// First line of a response file.
pub const RESPONSE_MAGIC: &str = "unlockd-offact-response 1";

/// Why an activation file was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OffActError {
    /// Not an activation file of this version, a line out of order, or a bad value.
    #[error("malformed activation file: {0}")]
    Malformed(&'static str),
    /// The MAC does not match the OffAct Key (wire.md §7.4: 5005).
    #[error("activation file MAC does not match")]
    BadMac,
}

/// The OffAct Key of an option (rules OPT table: `[A-Za-z0-9]{8,64}`).
#[derive(Clone, PartialEq, Eq)]
pub struct OffActKey(String);

impl OffActKey {
    /// Parses an OffAct Key; `None` if it is not 8..=64 ASCII letters and digits.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = (8..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric());
        ok.then(|| Self(s.to_owned()))
    }

    /// Lower-case hex HMAC-SHA-256 of `body` under this key.
    pub fn mac_hex(&self, body: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(body.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn verify(&self, body: &str, mac_hex: &str) -> bool {
        let Some(bytes) = hex_decode(mac_hex) else {
            return false;
        };
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(body.as_bytes());
        // constant-time comparison
        mac.verify_slice(&bytes).is_ok()
    }
}

impl std::fmt::Debug for OffActKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OffActKey(…)")
    }
}

/// A PP4 offline activation request (wire.md §7.4). Values are kept as text exactly
/// as written so the MAC covers what the application sent; the server parses them
/// with the online rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffActRequest {
    /// `LicenseID`.
    pub license_id: String,
    /// `Password`.
    pub password: String,
    /// `ProductID`.
    pub product_id: String,
    /// `ProductOptionID` (omitted when empty).
    pub product_option_id: String,
    /// `ProductVersion` (omitted when empty).
    pub product_version: String,
    /// `UserCode1` (session code).
    pub user_code1: String,
    /// `UserCode2` (computer ID).
    pub user_code2: String,
    /// `Created`, the client's time (wire.md §7.3 TTL, 5030).
    pub created: String,
}

/// A PP4 offline activation response (wire.md §7.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffActResponse {
    /// `LicenseID`.
    pub license_id: String,
    /// `UserCode1`, echoed.
    pub user_code1: String,
    /// `UserCode2`, echoed.
    pub user_code2: String,
    /// `RegKey1` (Activation Code 1).
    pub regkey1: String,
    /// `RegKey2` (Activation Code 2).
    pub regkey2: String,
    /// `LicenseUpdate` (omitted when empty).
    pub license_update: String,
    /// `ActivationsLeft`.
    pub activations_left: String,
    /// `UpdateCounter` (wire.md §7.3).
    pub update_counter: String,
    /// `Issued`, the server's time.
    pub issued: String,
}

/// One line: `(name, value, optional)`.
type Line<'a> = (&'static str, &'a str, bool);

impl OffActRequest {
    fn lines(&self) -> [Line<'_>; 8] {
        [
            ("LicenseID", &self.license_id, false),
            ("Password", &self.password, false),
            ("ProductID", &self.product_id, false),
            ("ProductOptionID", &self.product_option_id, true),
            ("ProductVersion", &self.product_version, true),
            ("UserCode1", &self.user_code1, false),
            ("UserCode2", &self.user_code2, false),
            ("Created", &self.created, false),
        ]
    }

    /// The file text with LF line ends, MAC keyed with `key`.
    pub fn to_file(&self, key: &OffActKey) -> String {
        write(REQUEST_MAGIC, &self.lines(), key)
    }

    /// Parses a request file without checking its MAC; the MAC line comes back for
    /// [`OffActRequest::verify`] once the OffAct Key of the named license is known.
    pub fn parse(text: &str) -> Result<(Self, Signed), OffActError> {
        let (values, signed) = read(text, REQUEST_MAGIC, &REQUEST_NAMES)?;
        let [license_id, password, product_id, product_option_id, product_version, user_code1, user_code2, created] =
            values;
        Ok((
            Self {
                license_id,
                password,
                product_id,
                product_option_id,
                product_version,
                user_code1,
                user_code2,
                created,
            },
            signed,
        ))
    }
}

impl OffActResponse {
    fn lines(&self) -> [Line<'_>; 9] {
        [
            ("LicenseID", &self.license_id, false),
            ("UserCode1", &self.user_code1, false),
            ("UserCode2", &self.user_code2, false),
            ("RegKey1", &self.regkey1, false),
            ("RegKey2", &self.regkey2, false),
            ("LicenseUpdate", &self.license_update, true),
            ("ActivationsLeft", &self.activations_left, false),
            ("UpdateCounter", &self.update_counter, false),
            ("Issued", &self.issued, false),
        ]
    }

    /// The file text with LF line ends, MAC keyed with `key`.
    pub fn to_file(&self, key: &OffActKey) -> String {
        write(RESPONSE_MAGIC, &self.lines(), key)
    }

    /// Parses a response file and checks its MAC with `key` (the client side).
    pub fn parse_verified(text: &str, key: &OffActKey) -> Result<Self, OffActError> {
        let (values, signed) = read(text, RESPONSE_MAGIC, &RESPONSE_NAMES)?;
        signed.verify(key)?;
        let [license_id, user_code1, user_code2, regkey1, regkey2, license_update, activations_left, update_counter, issued] =
            values;
        Ok(Self {
            license_id,
            user_code1,
            user_code2,
            regkey1,
            regkey2,
            license_update,
            activations_left,
            update_counter,
            issued,
        })
    }
}

/// The MAC'd part of a parsed file and its MAC, checked once the key is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    body: String,
    mac: String,
}

impl Signed {
    /// Checks the MAC with `key` (constant time); [`OffActError::BadMac`] if it differs.
    pub fn verify(&self, key: &OffActKey) -> Result<(), OffActError> {
        if key.verify(&self.body, &self.mac) {
            Ok(())
        } else {
            Err(OffActError::BadMac)
        }
    }
}

/// Whether `text` starts like a PP4 request file (wire.md §7.4: recognised by the
/// first line).
pub fn is_request_file(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .lines()
        .next()
        .is_some_and(|l| l.trim_end_matches('\r') == REQUEST_MAGIC)
}

/// `(name, optional)` of the request lines, in order.
const REQUEST_NAMES: [(&str, bool); 8] = [
    ("LicenseID", false),
    ("Password", false),
    ("ProductID", false),
    ("ProductOptionID", true),
    ("ProductVersion", true),
    ("UserCode1", false),
    ("UserCode2", false),
    ("Created", false),
];

/// `(name, optional)` of the response lines, in order.
const RESPONSE_NAMES: [(&str, bool); 9] = [
    ("LicenseID", false),
    ("UserCode1", false),
    ("UserCode2", false),
    ("RegKey1", false),
    ("RegKey2", false),
    ("LicenseUpdate", true),
    ("ActivationsLeft", false),
    ("UpdateCounter", false),
    ("Issued", false),
];

fn write(magic: &str, lines: &[Line<'_>], key: &OffActKey) -> String {
    let mut body = format!("{magic}\n");
    for (name, value, optional) in lines {
        if *optional && value.is_empty() {
            continue;
        }
        body.push_str(name);
        body.push('=');
        body.push_str(value);
        body.push('\n');
    }
    let mac = key.mac_hex(&body);
    body.push_str("MAC=");
    body.push_str(&mac);
    body.push('\n');
    body
}

fn read<const N: usize>(
    text: &str,
    magic: &str,
    names: &[(&'static str, bool); N],
) -> Result<([String; N], Signed), OffActError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .peekable();
    if lines.next() != Some(magic) {
        return Err(OffActError::Malformed("first line"));
    }
    let mut body = format!("{magic}\n");
    let mut values: [String; N] = std::array::from_fn(|_| String::new());
    for (slot, (name, optional)) in values.iter_mut().zip(names) {
        let line = lines.peek().ok_or(OffActError::Malformed("missing line"))?;
        match line.split_once('=') {
            Some((n, v)) if n == *name => {
                if v.is_empty() {
                    return Err(OffActError::Malformed("empty value"));
                }
                *slot = v.to_owned();
                body.push_str(line);
                body.push('\n');
                lines.next();
            }
            _ if *optional => {}
            _ => return Err(OffActError::Malformed("line out of order")),
        }
    }
    let mac = lines
        .next()
        .and_then(|l| l.strip_prefix("MAC="))
        .ok_or(OffActError::Malformed("MAC line"))?
        .to_owned();
    if lines.next().is_some() {
        return Err(OffActError::Malformed("text after the MAC"));
    }
    Ok((values, Signed { body, mac }))
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> OffActKey {
        OffActKey::parse("K7Q2M9X4TZ").unwrap()
    }

    fn request() -> OffActRequest {
        OffActRequest {
            license_id: "1002".into(),
            password: "demo1002".into(),
            product_id: "1".into(),
            product_option_id: String::new(),
            product_version: String::new(),
            user_code1: "321990713".into(),
            user_code2: "123456789".into(),
            created: "2026-11-26T10:00:00Z".into(),
        }
    }

    fn response() -> OffActResponse {
        OffActResponse {
            license_id: "1002".into(),
            user_code1: "321990713".into(),
            user_code2: "123456789".into(),
            regkey1: "533723300".into(),
            regkey2: "0".into(),
            license_update: String::new(),
            activations_left: "1".into(),
            update_counter: "1".into(),
            issued: "2026-11-26T10:05:00Z".into(),
        }
    }

    #[test]
    fn wire_7_4_vector_macs() {
        let req = request().to_file(&key());
        assert!(
            req.ends_with("MAC=4e1d3aa624b51e4a8bac241c39e9d3b3da920ae57c54fa593c2619fa25cff094\n")
        );
        let resp = response().to_file(&key());
        assert!(resp
            .ends_with("MAC=210a1055ffaa29d638c15e05a9d72b7744fdec618439dd57f75f382c793880e8\n"));
    }

    #[test]
    fn request_round_trips_with_crlf_and_detects_tampering() {
        let file = request().to_file(&key()).replace('\n', "\r\n");
        assert!(is_request_file(&file));
        let (parsed, signed) = OffActRequest::parse(&file).unwrap();
        assert_eq!(parsed, request());
        signed.verify(&key()).unwrap();
        let other = OffActKey::parse("OTHERKEY1").unwrap();
        assert_eq!(signed.verify(&other), Err(OffActError::BadMac));
        let tampered = file.replace("UserCode2=123456789", "UserCode2=123456780");
        let (_, signed) = OffActRequest::parse(&tampered).unwrap();
        assert_eq!(signed.verify(&key()), Err(OffActError::BadMac));
    }

    #[test]
    fn optional_lines_round_trip_and_order_is_enforced() {
        let mut r = request();
        r.product_version = "2.1.0.0".into();
        let file = r.to_file(&key());
        assert_eq!(OffActRequest::parse(&file).unwrap().0, r);
        let swapped = file.replace(
            "LicenseID=1002\nPassword=demo1002",
            "Password=demo1002\nLicenseID=1002",
        );
        assert!(matches!(
            OffActRequest::parse(&swapped),
            Err(OffActError::Malformed(_))
        ));
        let resp = response().to_file(&key());
        assert_eq!(
            OffActResponse::parse_verified(&resp, &key()).unwrap(),
            response()
        );
    }

    #[test]
    fn offact_key_domain() {
        assert!(OffActKey::parse("short").is_none());
        assert!(OffActKey::parse("K7Q2M9X4T!").is_none());
        assert!(OffActKey::parse(&"A".repeat(64)).is_some());
        assert!(OffActKey::parse(&"A".repeat(65)).is_none());
    }
}
