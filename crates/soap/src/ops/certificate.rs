//! The floating session certificate `NetworkSession` (wire.md §3.10): written in the
//! listed order and signed on its own with the ServerKey, never encrypted (§5.3,
//! errata E-10), then carried as child XML of the answer's PrivateData.

use unlockd_core::floating::SessionGrant;

use super::Failed;
use crate::crypto::{self, KeySet};
use crate::error::OpError;
use crate::value;
use crate::xml::XmlWriter;

/// The signed certificate of `grant`, stamped with the instant the grant was decided.
pub(crate) fn signed(grant: &SessionGrant, keys: &KeySet) -> Result<String, Failed> {
    let s = &grant.session;
    let r = &grant.rules;
    let mut w = XmlWriter::fragment();
    w.start("NetworkSession", &[])
        .element("SessionID", s.id.as_str())
        .element("LicenseID", &s.license_id.get().to_string())
        .element("ServerTimestamp", &value::format_date_time(grant.issued_at))
        .element(
            "AllocatedUntilDate",
            &value::format_date_time(s.allocated_until),
        )
        .element("SeatsAvailable", &clamp(grant.seats_available).to_string())
        .element("TotalSeats", &clamp(grant.total_seats).to_string())
        .element("CheckedOut", value::format_bool(s.checked_out))
        .element("CheckoutDurationMinimum", &r.checkout_min_hours.to_string())
        .element("CheckoutDurationMaximum", &r.checkout_max_hours.to_string())
        .element("PollFrequency", &r.poll_frequency.to_string())
        .element("PollRetryFrequency", &r.poll_retry_frequency.to_string())
        .element("PollRetryCount", &r.poll_retry_count.to_string())
        .element("UpdateCounter", &grant.update_counter.to_string())
        .end("NetworkSession");
    crypto::sign_standalone(&w.finish(), keys)
        .map_err(|e| Failed::from(OpError::Internal(format!("certificate not signed: {e}"))))
}

/// `SeatsAvailable` and `TotalSeats` are `int` on the wire; a License Counter beyond
/// i32 is reported as i32::MAX seats.
fn clamp(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX })
}
