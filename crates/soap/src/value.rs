//! Wire spellings of scalar values (wire.md §0 types, errata E-7, E-19).

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};
use unlockd_core::ParseError;

/// Parses a decimal i32 (surrounding whitespace tolerated).
pub fn int(s: &str) -> Result<i32, ParseError> {
    s.trim().parse().map_err(|_| ParseError::Integer)
}

/// Parses a wire `bool`: `true|false`, also `1|0`.
pub fn boolean(s: &str) -> Result<bool, ParseError> {
    match s.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ParseError::Text),
    }
}

/// Parses any `xs:dateTime`; without an offset it is UTC.
pub fn date_time(s: &str) -> Result<OffsetDateTime, ParseError> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.to_offset(UtcOffset::UTC));
    }
    let local = format_description!(
        version = 2,
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(s, local)
        .map(PrimitiveDateTime::assume_utc)
        .map_err(|_| ParseError::Text)
}

/// Checks a `string(n)`: at most `max` characters and no NUL (errata E-17).
pub fn bounded(s: &str, max: usize) -> Result<&str, ParseError> {
    if s.chars().count() > max || s.contains('\0') {
        Err(ParseError::Text)
    } else {
        Ok(s)
    }
}

/// Formats a `dateTime` output: UTC `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_date_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    timestamp(t.date(), t.time())
}

/// Formats a day (ExpirationDate, EffectiveEndDate) as `YYYY-MM-DDT00:00:00Z` (E-19).
pub fn format_day(d: Date) -> String {
    timestamp(d, Time::MIDNIGHT)
}

/// `YYYY-MM-DDTHH:MM:SSZ`, digit by digit: every answer carries one, and six padded
/// formatter calls cost several times as much. Other than four-digit years go through
/// `format!`.
fn timestamp(d: Date, t: Time) -> String {
    let Some(year) = u16::try_from(d.year()).ok().filter(|y| *y <= 9999) else {
        return format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            d.year(),
            u8::from(d.month()),
            d.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
    };
    let mut out = String::with_capacity(TIMESTAMP_LEN);
    push_digits(&mut out, year, 4);
    for (separator, part) in [
        ('-', u8::from(d.month())),
        ('-', d.day()),
        ('T', t.hour()),
        (':', t.minute()),
        (':', t.second()),
    ] {
        out.push(separator);
        push_digits(&mut out, part.into(), 2);
    }
    out.push('Z');
    out
}

/// The length of `YYYY-MM-DDTHH:MM:SSZ`.
const TIMESTAMP_LEN: usize = 20;

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_digits(out: &mut String, value: u16, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10u16.pow(place) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

/// Formats a `bool` output.
pub fn format_bool(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn date_times_without_offset_are_utc_and_output_is_z() {
        let t = date_time("2026-11-26T10:00:00").unwrap();
        assert_eq!(t, datetime!(2026-11-26 10:00:00 UTC));
        let t = date_time("2026-11-26T12:00:00.5+02:00").unwrap();
        assert_eq!(format_date_time(t), "2026-11-26T10:00:00Z");
        assert!(date_time("26.11.2026").is_err());
    }

    #[test]
    fn e_19_days_print_midnight_utc() {
        assert_eq!(format_day(date!(2025 - 04 - 09)), "2025-04-09T00:00:00Z");
    }

    #[test]
    fn timestamps_are_zero_padded_and_wide_years_keep_their_digits() {
        let t = datetime!(0987-01-02 03:04:05 UTC);
        assert_eq!(format_date_time(t), "0987-01-02T03:04:05Z");
        let t = datetime!(2026-12-31 23:59:59.999 +01:00);
        assert_eq!(format_date_time(t), "2026-12-31T22:59:59Z");
        assert_eq!(format_day(date!(-0001 - 03 - 04)), "-001-03-04T00:00:00Z");
    }

    #[test]
    fn booleans_accept_one_and_zero_on_input() {
        assert_eq!(boolean("1"), Ok(true));
        assert_eq!(boolean("false"), Ok(false));
        assert!(boolean("yes").is_err());
    }
}
