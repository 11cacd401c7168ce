//! The client clock check (rules CLK-1, errata E-1 and E-13).

use time::{Date, Duration, OffsetDateTime};

use crate::refusal::Refusal;

/// CLK-1 for a ClientTimestamp: `|client − now| > tolerance` ⇒ [`Refusal::Clock`];
/// no timestamp ⇒ skip.
pub fn check_client_time(
    client: Option<OffsetDateTime>,
    now: OffsetDateTime,
    tolerance: Duration,
) -> Result<(), Refusal> {
    match client {
        Some(t) if (t - now).abs() > tolerance => Err(Refusal::Clock),
        _ => Ok(()),
    }
}

/// CLK-1 for a decoded session date, per E-1 in whole UTC days:
/// `|session_date − today| > 1` ⇒ [`Refusal::Clock`]; no date ⇒ skip.
pub fn check_session_date(session_date: Option<Date>, today: Date) -> Result<(), Refusal> {
    match session_date {
        Some(d) if (d - today).whole_days().abs() > 1 => Err(Refusal::Clock),
        _ => Ok(()),
    }
}

/// CLK-1 for offline requests (errata E-2): only a client time ahead of `now` by more
/// than the tolerance is refused.
pub fn check_client_time_not_ahead(
    client: Option<OffsetDateTime>,
    now: OffsetDateTime,
    tolerance: Duration,
) -> Result<(), Refusal> {
    match client {
        Some(t) if t - now > tolerance => Err(Refusal::Clock),
        _ => Ok(()),
    }
}

/// CLK-1 for the session date of an offline request (errata E-1, E-2): only a date
/// more than one whole day ahead of `today` is refused.
pub fn check_session_date_not_ahead(
    session_date: Option<Date>,
    today: Date,
) -> Result<(), Refusal> {
    match session_date {
        Some(d) if (d - today).whole_days() > 1 => Err(Refusal::Clock),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2025-03-10 12:00 UTC);

    #[test]
    fn ex_58_clk_1_client_off_by_30_hours_is_refused_2_hours_passes() {
        let tol = Duration::hours(24);
        let off30 = Some(NOW - Duration::hours(30));
        let off2 = Some(NOW + Duration::hours(2));
        assert_eq!(check_client_time(off30, NOW, tol), Err(Refusal::Clock));
        assert_eq!(check_client_time(off2, NOW, tol), Ok(()));
        assert_eq!(check_client_time(None, NOW, tol), Ok(()));
    }

    #[test]
    fn clk_1_tolerance_boundary_is_inclusive() {
        let tol = Duration::hours(24);
        assert_eq!(check_client_time(Some(NOW + tol), NOW, tol), Ok(()));
        let beyond = Some(NOW + tol + Duration::seconds(1));
        assert_eq!(check_client_time(beyond, NOW, tol), Err(Refusal::Clock));
    }

    #[test]
    fn e_2_offline_refuses_only_clocks_ahead() {
        let tol = Duration::hours(24);
        let old = Some(NOW - Duration::days(20));
        assert_eq!(check_client_time_not_ahead(old, NOW, tol), Ok(()));
        let ahead = Some(NOW + Duration::hours(25));
        assert_eq!(
            check_client_time_not_ahead(ahead, NOW, tol),
            Err(Refusal::Clock)
        );
        let today = date!(2025 - 03 - 10);
        assert_eq!(
            check_session_date_not_ahead(Some(date!(2025 - 02 - 20)), today),
            Ok(())
        );
        assert_eq!(
            check_session_date_not_ahead(Some(date!(2025 - 03 - 11)), today),
            Ok(())
        );
        assert_eq!(
            check_session_date_not_ahead(Some(date!(2025 - 03 - 12)), today),
            Err(Refusal::Clock)
        );
    }

    #[test]
    fn e_1_clk_1_session_date_compares_whole_days() {
        let today = date!(2025 - 03 - 10);
        assert_eq!(
            check_session_date(Some(date!(2025 - 03 - 09)), today),
            Ok(())
        );
        assert_eq!(
            check_session_date(Some(date!(2025 - 03 - 11)), today),
            Ok(())
        );
        let two_back = Some(date!(2025 - 03 - 08));
        assert_eq!(check_session_date(two_back, today), Err(Refusal::Clock));
        let two_ahead = Some(date!(2025 - 03 - 12));
        assert_eq!(check_session_date(two_ahead, today), Err(Refusal::Clock));
        assert_eq!(check_session_date(None, today), Ok(()));
    }
}
