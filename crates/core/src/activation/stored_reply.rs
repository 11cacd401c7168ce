//! The stored reply of a grant (ACT-7): a compact, versioned text the store keeps in
//! `activation_records.stored_reply` and replays to a retried request.
//!
//! Version 1 is eleven `;`-separated fields, `-` marking an absent value:
//!
//! ```text
//! v1;kind;installation_id;consumed;left;supersedes;new_expiration;event_data;codes;update_counter;first_ip
//! v1;Counted;6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99;1;2;-;2025-04-09;30;533723300,883933214;5;
//! ```
//!
//! `consumed` is `1|0`, `codes` is `RegKey1,RegKey2`, dates are `YYYY-MM-DD`. The
//! first-IP field comes last, empty when absent and `=`-prefixed when present, so any
//! text round-trips.

use std::fmt;

use time::{Date, Month};

use super::Grant;
use crate::ids::InstallationId;
use crate::model::GrantKind;

/// The format tag of this encoding; a decoder refuses any other.
const TAG: &str = "v1";
/// Number of fields, tag included.
const FIELDS: usize = 11;

/// Prints an optional value, `-` when absent.
struct Opt<T>(Option<T>);

impl<T: fmt::Display> fmt::Display for Opt<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str("-"),
        }
    }
}

/// A date as `YYYY-MM-DD` (negative years keep their sign).
struct Day(Date);

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )
    }
}

/// RegKey1 and RegKey2 as `r1,r2`.
struct Codes((i32, i32));

impl fmt::Display for Codes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.0 .0, self.0 .1)
    }
}

impl Grant {
    /// Serialises the grant for `activation_records.stored_reply` (ACT-7).
    pub fn to_stored_reply(&self) -> String {
        let first_ip = match &self.first_ip {
            Some(ip) => format!("={ip}"),
            None => String::new(),
        };
        format!(
            "{TAG};{};{};{};{};{};{};{};{};{};{first_ip}",
            self.kind.name(),
            Opt(self.installation_id),
            u8::from(self.consumed),
            self.activations_left,
            Opt(self.supersedes),
            Opt(self.new_expiration.map(Day)),
            Opt(self.event_data),
            Opt(self.codes.map(Codes)),
            self.update_counter,
        )
    }

    /// Decodes a stored reply written by [`Grant::to_stored_reply`].
    pub fn from_stored_reply(s: &str) -> Option<Grant> {
        let mut f = s.splitn(FIELDS, ';');
        if f.next()? != TAG {
            return None;
        }
        let kind = GrantKind::from_name(f.next()?)?;
        let installation_id = optional(f.next()?, InstallationId::parse)?;
        let consumed = match f.next()? {
            "1" => true,
            "0" => false,
            _ => return None,
        };
        let activations_left = f.next()?.parse().ok()?;
        let supersedes = optional(f.next()?, str::parse)?;
        let new_expiration = optional(f.next()?, parse_day)?;
        let event_data = optional(f.next()?, str::parse)?;
        let codes = optional(f.next()?, parse_codes)?;
        let update_counter = f.next()?.parse().ok()?;
        let first_ip = match f.next()? {
            "" => None,
            v => Some(v.strip_prefix('=')?.to_owned()),
        };
        Some(Grant {
            kind,
            installation_id,
            consumed,
            activations_left,
            supersedes,
            first_ip,
            new_expiration,
            event_data,
            codes,
            update_counter,
        })
    }
}

/// `-` ⇒ `Some(None)`; otherwise the parsed value, or `None` if it does not parse.
fn optional<T, E>(field: &str, parse: impl Fn(&str) -> Result<T, E>) -> Option<Option<T>> {
    if field == "-" {
        Some(None)
    } else {
        parse(field).ok().map(Some)
    }
}

/// Why a stored field did not decode (the caller only needs "it did not").
#[derive(Debug)]
struct Malformed;

fn parse_day(s: &str) -> Result<Date, Malformed> {
    let mut parts = s.rsplitn(3, '-');
    let day = parts
        .next()
        .ok_or(Malformed)?
        .parse()
        .map_err(|_| Malformed)?;
    let month: u8 = parts
        .next()
        .ok_or(Malformed)?
        .parse()
        .map_err(|_| Malformed)?;
    let year = parts
        .next()
        .ok_or(Malformed)?
        .parse()
        .map_err(|_| Malformed)?;
    let month = Month::try_from(month).map_err(|_| Malformed)?;
    Date::from_calendar_date(year, month, day).map_err(|_| Malformed)
}

fn parse_codes(s: &str) -> Result<(i32, i32), Malformed> {
    let (a, b) = s.split_once(',').ok_or(Malformed)?;
    Ok((
        a.parse().map_err(|_| Malformed)?,
        b.parse().map_err(|_| Malformed)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    use crate::ids::Guid;

    fn sample() -> Grant {
        Grant {
            kind: GrantKind::Counted,
            installation_id: Some(
                InstallationId::parse("6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99").unwrap(),
            ),
            consumed: true,
            activations_left: 2,
            supersedes: None,
            first_ip: None,
            new_expiration: Some(date!(2025 - 04 - 09)),
            event_data: Some(30),
            codes: Some((533_723_300, 883_933_214)),
            update_counter: 5,
        }
    }

    #[test]
    fn act_7_stored_reply_has_the_documented_v1_shape() {
        assert_eq!(
            sample().to_stored_reply(),
            "v1;Counted;6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99;1;2;-;2025-04-09;30;533723300,883933214;5;"
        );
    }

    #[test]
    fn act_7_stored_reply_round_trips_a_reactivation_with_first_ip() {
        let g = Grant {
            kind: GrantKind::Threshold,
            supersedes: Some(41),
            consumed: false,
            first_ip: Some("192.168.5.9/255.255.0.0".to_owned()),
            new_expiration: None,
            event_data: None,
            codes: None,
            ..sample()
        };
        let s = g.to_stored_reply();
        assert!(s.ends_with(";=192.168.5.9/255.255.0.0"), "{s}");
        assert_eq!(Grant::from_stored_reply(&s), Some(g));
    }

    #[test]
    fn act_7_stored_reply_refuses_other_versions_and_garbage() {
        let good = sample().to_stored_reply();
        assert!(Grant::from_stored_reply(&good.replacen("v1", "v2", 1)).is_none());
        assert!(Grant::from_stored_reply("").is_none());
        assert!(Grant::from_stored_reply("v1;Counted").is_none());
        assert!(Grant::from_stored_reply(&good.replace(";1;2;", ";yes;2;")).is_none());
        assert!(Grant::from_stored_reply(&format!("{good}x")).is_none());
        assert!(Grant::from_stored_reply(&good.replace("2025-04-09", "2025-02-30")).is_none());
    }

    fn arb_grant() -> impl Strategy<Value = Grant> {
        let kind = prop_oneof![
            Just(GrantKind::Counted),
            Just(GrantKind::Threshold),
            Just(GrantKind::Days)
        ];
        let day =
            (-9999i32..=9999, 1u16..=365).prop_map(|(y, o)| Date::from_ordinal_date(y, o).unwrap());
        (
            (
                kind,
                proptest::option::of(any::<[u8; 16]>()),
                any::<bool>(),
                any::<i32>(),
            ),
            (
                proptest::option::of(any::<i64>()),
                proptest::option::of(".*"),
            ),
            (
                proptest::option::of(day),
                proptest::option::of(any::<u16>()),
            ),
            (proptest::option::of(any::<(i32, i32)>()), any::<i64>()),
        )
            .prop_map(
                |((kind, iid, consumed, left), (sup, ip), (exp, data), (codes, uc))| Grant {
                    kind,
                    installation_id: iid.map(|b| InstallationId::from_guid(Guid::from_bytes(b))),
                    consumed,
                    activations_left: left,
                    supersedes: sup,
                    first_ip: ip,
                    new_expiration: exp,
                    event_data: data,
                    codes,
                    update_counter: uc,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn act_7_any_grant_round_trips(g in arb_grant()) {
            prop_assert_eq!(Grant::from_stored_reply(&g.to_stored_reply()), Some(g));
        }
    }
}
