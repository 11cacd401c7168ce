//! The PLUS 4 application side (wire.md §6, §7.4): session codes, decoding the
//! Activation Codes the server (or ManualTriggerCodes.aspx) returns, and offline
//! activation files.
//!
//! Codes (`unlockd-tc1`, §6.3): RegKey1 = 50 × (T[0..4] of HMAC-SHA-256(
//! "unlockd-tc1" ‖ be32(tc_seed), be32(session) ‖ be32(computer) ‖ event) mod
//! 42949672) + (event − 1); RegKey2 = 16384 × T[0..2] of HMAC-SHA-256("unlockd-rk2" ‖
//! rk2_seed, be16(value)) + value. An app compiles in its seeds and decodes with them.

use rand::RngCore;
use time::{Date, Month, OffsetDateTime};
use unlockd_core::offact::{OffActError, OffActKey, OffActRequest, OffActResponse};
use unlockd_core::trigger::{Tc1, TriggerCodeAlgorithm};

/// What a PP4 application compiles in for one product option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeds {
    /// The option's TC Seed.
    pub tc_seed: u32,
    /// The option's RegKey2 Seed.
    pub rk2_seed: u8,
}

/// Activation Codes 1 and 2 decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unlocked {
    /// The trigger-code event 1..=50 (the app decides what it means, rules TC-5).
    pub event: u8,
    /// The event data 0..=16383 carried by RegKey2; `None` when RegKey2 is 0, which
    /// the server sends when the option type carries no data (wire.md §3.1).
    pub value: Option<u16>,
}

/// A session code of the reference client for `now` (wire.md §6.3): 32768 × days
/// since 2000-01-01 UTC + 15 random bits.
pub fn session_code(now: OffsetDateTime, rng: &mut dyn RngCore) -> i32 {
    session_code_with(now, rng.next_u32())
}

/// [`session_code`] with the random bits given (the low 15 bits of `random` are used).
pub fn session_code_with(now: OffsetDateTime, random: u32) -> i32 {
    let epoch = Date::from_calendar_date(2000, Month::January, 1)
        .unwrap_or_else(|_| unreachable!("2000-01-01 is a date"));
    let days = (now.date() - epoch).whole_days();
    let low = i64::from(random & 0x7fff);
    i32::try_from(32_768 * days + low).unwrap_or(i32::MAX)
}

/// Decodes RegKey1/RegKey2 for this session and computer; `None` if either code does
/// not validate (a typo, another computer, another session).
pub fn decode(
    regkey1: i32,
    regkey2: i32,
    session: i32,
    computer: i32,
    seeds: Seeds,
) -> Option<Unlocked> {
    let event = Tc1.validate(regkey1, session, computer, seeds.tc_seed)?;
    let value = match regkey2 {
        0 => None,
        code => Some(Tc1.decrypt(code, seeds.rk2_seed)?),
    };
    Some(Unlocked { event, value })
}

/// Writes an offline activation request file (§7.4) for `license_id`/`password`,
/// stamped `created`.
pub fn offline_request(
    key: &OffActKey,
    license_id: i32,
    password: &str,
    product_id: i32,
    session: i32,
    computer: i32,
    created: OffsetDateTime,
) -> String {
    let created = created
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    OffActRequest {
        license_id: license_id.to_string(),
        password: password.to_owned(),
        product_id: product_id.to_string(),
        product_option_id: String::new(),
        product_version: String::new(),
        user_code1: session.to_string(),
        user_code2: computer.to_string(),
        created,
    }
    .to_file(key)
}

/// Why an offline response was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Pp4Error {
    /// The file is malformed or its MAC does not match.
    #[error(transparent)]
    File(#[from] OffActError),
    /// It answers another session or computer.
    #[error("response answers another request")]
    OtherRequest,
    /// The codes do not validate.
    #[error("activation codes do not validate")]
    BadCodes,
    /// The UpdateCounter is not above the last accepted one (§7.3).
    #[error("response is older than the last one (UpdateCounter {got} <= {highest})")]
    Rollback {
        /// The response's counter.
        got: i64,
        /// The highest accepted counter.
        highest: i64,
    },
}

/// Imports an offline response file: MAC, echo of `session`/`computer`, codes, and
/// an UpdateCounter above `highest` (what the app stored last). Returns the decoded
/// codes and the new counter to store.
pub fn import_offline_response(
    text: &str,
    key: &OffActKey,
    session: i32,
    computer: i32,
    seeds: Seeds,
    highest: Option<i64>,
) -> Result<(Unlocked, i64), Pp4Error> {
    let r = OffActResponse::parse_verified(text, key)?;
    if r.user_code1 != session.to_string() || r.user_code2 != computer.to_string() {
        return Err(Pp4Error::OtherRequest);
    }
    let code = |s: &str| s.parse::<i32>().map_err(|_| Pp4Error::BadCodes);
    let unlocked = decode(
        code(&r.regkey1)?,
        code(&r.regkey2)?,
        session,
        computer,
        seeds,
    )
    .ok_or(Pp4Error::BadCodes)?;
    let counter: i64 = r
        .update_counter
        .parse()
        .map_err(|_| Pp4Error::File(OffActError::Malformed("UpdateCounter")))?;
    if let Some(highest) = highest {
        if counter <= highest {
            return Err(Pp4Error::Rollback {
                got: counter,
                highest,
            });
        }
    }
    Ok((unlocked, counter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_wire_6_3_vector() {
        // 533723300 = RegKey1(event 1, 321990713, 123456789, 1234); 883933214 = RegKey2(30, 77)
        let seeds = Seeds {
            tc_seed: 1234,
            rk2_seed: 77,
        };
        assert_eq!(
            decode(533_723_300, 883_933_214, 321_990_713, 123_456_789, seeds),
            Some(Unlocked {
                event: 1,
                value: Some(30)
            })
        );
        assert_eq!(
            decode(533_723_300, 883_933_214, 321_990_713, 123_456_780, seeds),
            None
        );
    }

    #[test]
    fn regkey2_zero_means_no_data() {
        let seeds = Seeds {
            tc_seed: 1234,
            rk2_seed: 77,
        };
        let unlocked = decode(533_723_300, 0, 321_990_713, 123_456_789, seeds).unwrap();
        assert_eq!(unlocked.value, None);
        assert_eq!(
            decode(533_723_300, 5, 321_990_713, 123_456_789, seeds),
            None
        );
    }

    #[test]
    fn session_code_dates_to_today() {
        let now = time::macros::datetime!(2026-11-26 10:00 UTC);
        let s = session_code_with(now, 12_345);
        assert_eq!(s, 321_990_713);
        assert_eq!(Tc1.session_date(s), Some(now.date()));
    }
}
