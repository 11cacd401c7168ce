//! The PP4 posting scripts (wire.md §3.11): postregdata.asp registers the license's
//! customer with the posted contact data (rules ACT-6), countpost.asp stores five
//! usage counters as the license's last ones. Parsed at the edge into these types;
//! the credentials are A2 (ACT-3, ERR-1) through [`crate::credentials`].

use crate::refusal::Refusal;

/// The longest contact field accepted (wire.md §3.8: Email string(255); ours for the rest).
pub const MAX_CONTACT_LEN: usize = 255;

/// The 32 registration flags of postregdata.asp, `0`/`1` characters MSB first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrationFlags(u32);

impl RegistrationFlags {
    /// Parses exactly 32 characters `0`/`1` (MSB first); anything else is E-PARAM.
    pub fn parse(s: &str) -> Result<Self, Refusal> {
        if s.len() != 32 || !s.bytes().all(|b| b == b'0' || b == b'1') {
            return Err(Refusal::Param);
        }
        u32::from_str_radix(s, 2)
            .map(Self)
            .map_err(|_| Refusal::Param)
    }

    /// The flags as a number (bit 31 = the first character).
    pub fn bits(self) -> u32 {
        self.0
    }
}

/// The contact data postregdata.asp posts; every field at most [`MAX_CONTACT_LEN`]
/// characters, without NUL (errata E-17), else E-PARAM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactData {
    /// CompanyName.
    pub company_name: String,
    /// Firstname.
    pub first_name: String,
    /// Lastname.
    pub last_name: String,
    /// address1.
    pub address1: String,
    /// address2.
    pub address2: String,
    /// city.
    pub city: String,
    /// state.
    pub state: String,
    /// postalcode.
    pub postal_code: String,
    /// country.
    pub country: String,
    /// phone.
    pub phone: String,
    /// fax.
    pub fax: String,
    /// email.
    pub email: String,
}

impl ContactData {
    /// Checks every field's length and content (E-PARAM on the first bad one).
    pub fn validate(self) -> Result<Self, Refusal> {
        let fields = [
            &self.company_name,
            &self.first_name,
            &self.last_name,
            &self.address1,
            &self.address2,
            &self.city,
            &self.state,
            &self.postal_code,
            &self.country,
            &self.phone,
            &self.fax,
            &self.email,
        ];
        if fields
            .iter()
            .any(|f| f.chars().count() > MAX_CONTACT_LEN || f.contains('\0'))
        {
            return Err(Refusal::Param);
        }
        Ok(self)
    }
}

/// The five usage counters countpost.asp posts (counter1..counter5, i64 per errata
/// E-19; a counter is a usage figure, so a negative one is E-PARAM [ours]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageCounters([i64; 5]);

impl UsageCounters {
    /// Accepts five non-negative counters.
    pub fn new(values: [i64; 5]) -> Result<Self, Refusal> {
        if values.iter().any(|v| *v < 0) {
            return Err(Refusal::Param);
        }
        Ok(Self(values))
    }

    /// counter1..counter5.
    pub fn values(self) -> [i64; 5] {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_32_binary_digits_msb_first() {
        let mut s = "0".repeat(31);
        s.insert(0, '1');
        assert_eq!(RegistrationFlags::parse(&s).map(|f| f.bits()), Ok(1 << 31));
        assert_eq!(
            RegistrationFlags::parse(&"0".repeat(31)),
            Err(Refusal::Param)
        );
        assert_eq!(
            RegistrationFlags::parse(&format!("2{}", "0".repeat(31))),
            Err(Refusal::Param)
        );
    }

    #[test]
    fn contact_fields_are_bounded_and_counters_non_negative() {
        let long = ContactData {
            email: "a".repeat(MAX_CONTACT_LEN + 1),
            ..ContactData::default()
        };
        assert_eq!(long.validate(), Err(Refusal::Param));
        let nul = ContactData {
            city: "a\0b".into(),
            ..ContactData::default()
        };
        assert_eq!(nul.validate(), Err(Refusal::Param));
        assert!(ContactData::default().validate().is_ok());
        assert!(UsageCounters::new([0, 1, 2, 3, i64::MAX]).is_ok());
        assert_eq!(UsageCounters::new([0, -1, 0, 0, 0]), Err(Refusal::Param));
    }
}
