//! Wire spellings of scalar values (wire.md §0 types, errata E-7, E-19).

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};
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
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Formats a day (ExpirationDate, EffectiveEndDate) as `YYYY-MM-DDT00:00:00Z` (E-19).
pub fn format_day(d: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}T00:00:00Z",
        d.year(),
        u8::from(d.month()),
        d.day()
    )
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
    fn booleans_accept_one_and_zero_on_input() {
        assert_eq!(boolean("1"), Ok(true));
        assert_eq!(boolean("false"), Ok(false));
        assert!(boolean("yes").is_err());
    }
}
