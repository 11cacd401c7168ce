//! IP activation modes (rules IP-1..6), IPv4 only, via ipnet.

use std::net::{IpAddr, Ipv4Addr};

use crate::model::IpMode;
use crate::refusal::Refusal;

/// Parses an Allowed Activation IPs field (IP-1): entries split by `,` `;` or
/// whitespace; `a.b.c.d`, `a.b.c.d/m.m.m.m` or `a.b.c.d/n`. `Err` on any malformed
/// entry (refused on save; never matches if imported).
pub fn parse_allowed(field: &str) -> Result<Vec<ipnet::Ipv4Net>, Refusal> {
    let _ = field;
    todo!("core helper")
}

/// IP-4: decides whether `client` may activate; `Ok(Some(field))` stages the
/// FirstActivationIp write (IP-5 commits it only with a grant).
pub fn check(
    mode: IpMode,
    mask: Ipv4Addr,
    allowed: Option<&str>,
    client: Option<IpAddr>,
) -> Result<Option<String>, Refusal> {
    let _ = (mode, mask, allowed, client);
    todo!("core helper")
}
