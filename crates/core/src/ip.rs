//! IP activation modes (rules IP-1..6), IPv4 only, via ipnet.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::Ipv4Net;

use crate::model::IpMode;
use crate::refusal::Refusal;

/// Parses an Allowed Activation IPs field (IP-1): entries split by `,` `;` or
/// whitespace; `a.b.c.d`, `a.b.c.d/m.m.m.m` or `a.b.c.d/n`. `Err` on any malformed
/// entry (refused on save; never matches if imported).
///
/// Whitespace means ASCII whitespace. A dotted mask must be contiguous
/// (`255.255.0.0`, not `255.0.255.0`); the refusal is [`Refusal::Config`]. An empty
/// or blank field parses to no entries (*unset*).
pub fn parse_allowed(field: &str) -> Result<Vec<Ipv4Net>, Refusal> {
    entries(field).collect()
}

/// IP-1 separators: `,` `;` or ASCII whitespace.
fn is_separator(b: &u8) -> bool {
    matches!(b, b',' | b';') || b.is_ascii_whitespace()
}

/// The entries of a field, parsed lazily in one byte-level pass, allocating nothing.
fn entries(field: &str) -> impl Iterator<Item = Result<Ipv4Net, Refusal>> + '_ {
    field
        .as_bytes()
        .split(is_separator)
        .filter(|e| !e.is_empty())
        .map(parse_entry)
}

/// One IP-1 entry; no mask means /32.
fn parse_entry(entry: &[u8]) -> Result<Ipv4Net, Refusal> {
    let (addr, mask) = match entry.iter().position(|b| *b == b'/') {
        Some(at) => (&entry[..at], Some(&entry[at + 1..])),
        None => (entry, None),
    };
    let addr = parse_v4(addr).ok_or(Refusal::Config)?;
    match mask {
        None => Ok(Ipv4Net::from(addr)),
        Some(m) if m.contains(&b'.') => {
            let mask = parse_v4(m).ok_or(Refusal::Config)?;
            Ipv4Net::with_netmask(addr, mask).map_err(|_| Refusal::Config)
        }
        Some(n) => {
            let len = parse_decimal(n, 2).ok_or(Refusal::Config)?;
            let len = u8::try_from(len).map_err(|_| Refusal::Config)?;
            Ipv4Net::new(addr, len).map_err(|_| Refusal::Config)
        }
    }
}

/// Dotted-quad IPv4 as `std` spells it: four decimal octets 0..=255 of one to three
/// digits, no leading zeros. Byte-level, because it runs on every restricted
/// activation.
fn parse_v4(s: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split(|b| *b == b'.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.len() > 1 && part[0] == b'0' {
            return None;
        }
        *octet = u8::try_from(parse_decimal(part, 3)?).ok()?;
    }
    match parts.next() {
        Some(_) => None,
        None => Some(Ipv4Addr::from(octets)),
    }
}

/// An unsigned decimal of 1..=`max_digits` ASCII digits.
fn parse_decimal(digits: &[u8], max_digits: usize) -> Option<u32> {
    if digits.is_empty() || digits.len() > max_digits {
        return None;
    }
    digits.iter().try_fold(0u32, |acc, d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

/// IP-3: IPv4, or IPv4-mapped IPv6 as IPv4; any other IPv6 has no IPv4 form.
fn client_v4(client: Option<IpAddr>) -> Option<Ipv4Addr> {
    match client? {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => v6.to_ipv4_mapped(),
    }
}

/// What a license field says about a client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldMatch {
    /// No field, or a field without entries (IP-1).
    Unset,
    /// IP-2: `(client & mask) == (addr & mask)` for some entry.
    Hit,
    /// No entry matches, a malformed entry makes the field match nothing (IP-1), and
    /// a non-IPv4 client matches nothing (IP-3).
    Miss,
}

/// Scans the field once: set-ness, well-formedness and IP-2 matching together.
fn scan(field: Option<&str>, client: Option<Ipv4Addr>) -> FieldMatch {
    let Some(field) = field else {
        return FieldMatch::Unset;
    };
    let mut any = false;
    let mut hit = false;
    for entry in entries(field) {
        any = true;
        match entry {
            Ok(net) => hit |= client.is_some_and(|c| net.contains(&c)),
            Err(_) => return FieldMatch::Miss,
        }
    }
    match (any, hit) {
        (false, _) => FieldMatch::Unset,
        (true, true) => FieldMatch::Hit,
        (true, false) => FieldMatch::Miss,
    }
}

/// The field value FirstActivationIp stages: `client/IP Mask` in the dotted form
/// [`parse_allowed`] reads back (EX-16: `192.168.5.9/255.255.0.0`).
fn first_ip_field(client: Ipv4Addr, mask: Ipv4Addr) -> Result<String, Refusal> {
    // A non-contiguous option mask could not be parsed back: data invalid (E-CONFIG).
    Ipv4Net::with_netmask(client, mask).map_err(|_| Refusal::Config)?;
    Ok(format!("{client}/{mask}"))
}

/// IP-4: decides whether `client` may activate; `Ok(Some(field))` stages the
/// FirstActivationIp write (IP-5 commits it only with a grant).
///
/// `allowed` is the license's field; `None` or no entries means unset. `client` is the
/// address after IP-3; `None` (unknown) matches nothing, like a non-IPv4 address.
pub fn check(
    mode: IpMode,
    mask: Ipv4Addr,
    allowed: Option<&str>,
    client: Option<IpAddr>,
) -> Result<Option<String>, Refusal> {
    let client = client_v4(client);
    if mode == IpMode::NoRestrictions {
        return Ok(None);
    }
    match (mode, scan(allowed, client)) {
        (_, FieldMatch::Hit)
        | (IpMode::NoRestrictions | IpMode::NoRestrictionsAllowOverride, FieldMatch::Unset) => {
            Ok(None)
        }
        (IpMode::FirstActivationIp, FieldMatch::Unset) => match client {
            Some(v4) => first_ip_field(v4, mask).map(Some),
            None => Err(Refusal::Ip),
        },
        (_, FieldMatch::Miss) | (IpMode::SpecifiedActivationIp, FieldMatch::Unset) => {
            Err(Refusal::Ip)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: Ipv4Addr = Ipv4Addr::BROADCAST;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn ip_1_parses_plain_dotted_mask_and_prefix_entries() {
        let nets =
            parse_allowed("10.0.0.1, 192.168.0.0/255.255.0.0;172.16.0.0/12\t8.8.8.8").unwrap();
        let shown: Vec<String> = nets.iter().map(|n| n.to_string()).collect();
        assert_eq!(
            shown,
            [
                "10.0.0.1/32",
                "192.168.0.0/16",
                "172.16.0.0/12",
                "8.8.8.8/32"
            ]
        );
        assert_eq!(parse_allowed("  ").unwrap(), Vec::new());
    }

    #[test]
    fn ip_1_refuses_malformed_entries() {
        for bad in [
            "10.0.0",
            "10.0.0.1/33",
            "10.0.0.1/",
            "10.0.0.1/+8",
            "10.0.0.1/255.0.255.0",
            "10.0.0.1/255.255.0",
            "2001:db8::1",
            "10.0.0.1, nonsense",
            "010.0.0.1",
        ] {
            assert_eq!(parse_allowed(bad), Err(Refusal::Config), "{bad}");
        }
    }

    #[test]
    fn ip_1_dotted_quads_parse_like_std() {
        for s in [
            "0.0.0.0",
            "255.255.255.255",
            "10.0.0.1",
            "1.2.3",
            "1.2.3.4.5",
            "256.0.0.1",
            "01.0.0.1",
            "1..2.3",
            "",
            "1.2.3.4 ",
            "+1.2.3.4",
            "1.2.3.-4",
            "1000.1.1.1",
        ] {
            assert_eq!(parse_v4(s.as_bytes()), s.parse::<Ipv4Addr>().ok(), "{s:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn ip_1_dotted_quads_agree_with_std_on_any_digits_and_dots(s in "[0-9.]{0,16}") {
            proptest::prop_assert_eq!(parse_v4(s.as_bytes()), s.parse::<Ipv4Addr>().ok());
        }
    }

    #[test]
    fn ex_15_ip_4_allow_override_matches_the_masked_network() {
        let field = Some("10.0.0.0/255.255.255.0");
        let mode = IpMode::NoRestrictionsAllowOverride;
        assert_eq!(check(mode, FULL, field, ip("10.0.0.77")), Ok(None));
        assert_eq!(check(mode, FULL, field, ip("10.0.1.1")), Err(Refusal::Ip));
        assert_eq!(check(mode, FULL, None, ip("10.0.1.1")), Ok(None));
    }

    #[test]
    fn ex_16_ip_4_first_activation_stages_client_with_mask() {
        let mask = Ipv4Addr::new(255, 255, 0, 0);
        let staged = check(IpMode::FirstActivationIp, mask, None, ip("192.168.5.9"));
        assert_eq!(staged, Ok(Some("192.168.5.9/255.255.0.0".to_owned())));
    }

    #[test]
    fn ex_17_ip_4_first_activation_field_then_restricts() {
        let mask = Ipv4Addr::new(255, 255, 0, 0);
        let field = Some("192.168.5.9/255.255.0.0");
        let mode = IpMode::FirstActivationIp;
        assert_eq!(check(mode, mask, field, ip("192.168.77.1")), Ok(None));
        assert_eq!(
            check(mode, mask, field, ip("192.169.0.1")),
            Err(Refusal::Ip)
        );
    }

    #[test]
    fn ip_4_first_activation_refuses_a_non_ipv4_client() {
        let mode = IpMode::FirstActivationIp;
        assert_eq!(check(mode, FULL, None, ip("2001:db8::1")), Err(Refusal::Ip));
        assert_eq!(check(mode, FULL, None, None), Err(Refusal::Ip));
        let staged = check(mode, FULL, None, ip("::ffff:192.0.2.1"));
        assert_eq!(staged, Ok(Some("192.0.2.1/255.255.255.255".to_owned())));
    }

    #[test]
    fn ex_19_ip_3_mapped_ipv6_counts_as_ipv4_other_ipv6_matches_nothing() {
        let field = Some("203.0.113.5");
        let mode = IpMode::SpecifiedActivationIp;
        assert_eq!(check(mode, FULL, field, ip("::ffff:203.0.113.5")), Ok(None));
        assert_eq!(
            check(mode, FULL, field, ip("2001:db8::1")),
            Err(Refusal::Ip)
        );
    }

    #[test]
    fn ex_20_ip_1_ip_4_specified_prefix_and_unset() {
        let mode = IpMode::SpecifiedActivationIp;
        assert_eq!(
            check(mode, FULL, Some("10.0.0.0/8"), ip("10.200.1.1")),
            Ok(None)
        );
        assert_eq!(check(mode, FULL, None, ip("10.200.1.1")), Err(Refusal::Ip));
        assert_eq!(
            check(mode, FULL, Some(" "), ip("10.200.1.1")),
            Err(Refusal::Ip)
        );
    }

    #[test]
    fn ip_1_an_imported_malformed_field_never_matches() {
        let mode = IpMode::NoRestrictionsAllowOverride;
        let field = Some("10.0.0.0/8, 10.0.0.300");
        assert_eq!(check(mode, FULL, field, ip("10.1.1.1")), Err(Refusal::Ip));
    }

    #[test]
    fn ip_1_a_field_of_separators_only_is_unset() {
        let mode = IpMode::SpecifiedActivationIp;
        assert_eq!(
            check(mode, FULL, Some(" ,; "), ip("10.0.0.1")),
            Err(Refusal::Ip)
        );
        let mode = IpMode::NoRestrictionsAllowOverride;
        assert_eq!(check(mode, FULL, Some(" ,; "), ip("10.0.0.1")), Ok(None));
    }

    #[test]
    fn ip_4_no_restrictions_always_passes() {
        let field = Some("10.0.0.1");
        assert_eq!(
            check(IpMode::NoRestrictions, FULL, field, ip("2001:db8::1")),
            Ok(None)
        );
        assert_eq!(check(IpMode::NoRestrictions, FULL, None, None), Ok(None));
    }
}
