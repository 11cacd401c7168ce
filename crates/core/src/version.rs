//! Product versions `A.B.C.D` (rules VER-1, VER-2; errata E-7).

use std::fmt;

use crate::ids::ParseError;

/// A four-part version, each part 0..=99999; compared as an integer 4-tuple
/// (`1.10` > `1.9`, rules VER-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version([u32; 4]);

const PART_MAX: u32 = 99_999;

impl Version {
    /// Parses a configured minimum (VER-1): exactly four parts, each 0..=99999;
    /// leading zeros are dropped (`03.00.0.0` is `3.0.0.0`).
    pub fn parse_minimum(s: &str) -> Result<Self, ParseError> {
        let parts = parse_parts(s).ok_or(ParseError::Range)?;
        if parts.len() != 4 {
            return Err(ParseError::Range);
        }
        Ok(Self([parts[0], parts[1], parts[2], parts[3]]))
    }

    /// Parses a request version (VER-2, E-7): 1–4 parts, missing parts are 0;
    /// anything else is `None` ("no version"), never an error.
    pub fn parse_request(s: &str) -> Option<Self> {
        let parts = parse_parts(s)?;
        if parts.is_empty() || parts.len() > 4 {
            return None;
        }
        let mut v = [0u32; 4];
        v[..parts.len()].copy_from_slice(&parts);
        Some(Self(v))
    }

    /// Builds a version from its parts, refusing parts above 99999.
    pub fn new(parts: [u32; 4]) -> Result<Self, ParseError> {
        if parts.iter().all(|p| *p <= PART_MAX) {
            Ok(Self(parts))
        } else {
            Err(ParseError::Range)
        }
    }

    /// The four parts.
    pub fn parts(&self) -> [u32; 4] {
        self.0
    }
}

fn parse_parts(s: &str) -> Option<Vec<u32>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    s.split('.')
        .map(|p| {
            if p.is_empty() || p.len() > 10 || !p.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            p.parse::<u32>().ok().filter(|v| *v <= PART_MAX)
        })
        .collect()
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.0;
        write!(f, "{a}.{b}.{c}.{d}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ver_1_minimum_needs_four_parts_in_range_and_normalises_zeros() {
        // rules EX-25
        assert!(Version::parse_minimum("3.0").is_err());
        assert!(Version::parse_minimum("100000.0.0.0").is_err());
        assert_eq!(
            Version::parse_minimum("03.00.0.0").unwrap().to_string(),
            "3.0.0.0"
        );
    }

    #[test]
    fn ver_2_request_version_takes_one_to_four_parts() {
        // rules EX-24
        assert_eq!(Version::parse_request("3").unwrap().to_string(), "3.0.0.0");
        assert!(Version::parse_request("abc").is_none());
        assert!(Version::parse_request("1.2.3.4.5").is_none());
        assert!(Version::parse_request("").is_none());
    }

    #[test]
    fn ver_3_compares_as_integers() {
        // rules EX-23
        assert!(Version::parse_request("1.10").unwrap() > Version::parse_request("1.9").unwrap());
    }
}
