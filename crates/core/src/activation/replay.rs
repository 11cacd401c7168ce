//! A12, ACT-7 retry: an identical request granted less than the retry window ago gets
//! that grant's stored reply and moves nothing.

use time::{Duration, OffsetDateTime};

use super::{ActivationRequest, Grant};
use crate::ids::OptionId;
use crate::model::{ActivationPath, ActivationRecord, RecordId};

/// The latest grant with the same path, option, session text and key as `req`,
/// granted less than `window` before `now`, whose stored reply decodes.
pub(super) fn find(
    records: &[ActivationRecord],
    req: &ActivationRequest,
    option: OptionId,
    now: OffsetDateTime,
    window: Duration,
) -> Option<(RecordId, Grant)> {
    records
        .iter()
        .filter(|r| {
            r.path == req.path
                && r.option_id == option
                && now - r.granted_at < window
                && r.key.same_computer(&req.key)
                && r.session_code
                    .as_ref()
                    .is_some_and(|s| same_session(s.as_str(), req))
        })
        .filter_map(|r| {
            let grant = Grant::from_stored_reply(r.stored_reply.as_deref()?)?;
            Some((r.granted_at, r.id, grant))
        })
        .max_by_key(|(at, id, _)| (*at, *id))
        .map(|(_, id, grant)| (id, grant))
}

/// Whether a recorded session text equals the request's
/// ([`ActivationRequest::session_text`]), without allocating.
fn same_session(recorded: &str, req: &ActivationRequest) -> bool {
    match req.path {
        ActivationPath::LicenseFile => req
            .session_code
            .as_ref()
            .is_some_and(|c| c.as_str() == recorded),
        ActivationPath::TriggerCode => req.user_code1.is_some_and(|uc1| {
            let mut buf = [0u8; 11];
            decimal(uc1, &mut buf) == recorded.as_bytes()
        }),
    }
}

/// `v` in decimal, as `i32::to_string` spells it, written into `buf`.
fn decimal(v: i32, buf: &mut [u8; 11]) -> &[u8] {
    let mut n = v.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    &buf[at..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_spells_like_to_string() {
        for v in [
            0,
            7,
            -7,
            555,
            i32::MAX,
            i32::MIN,
            1_000_000_000,
            -1_000_000_000,
        ] {
            let mut buf = [0u8; 11];
            assert_eq!(decimal(v, &mut buf), v.to_string().as_bytes());
        }
    }
}
