//! Network floating sessions (rules FLT-1..6, CON-8, errata E-5, E-13).
//!
//! Seats are the license's License Counter (FLT-2, CNT-3; the counter already holds
//! value × quantity, CNT-1). A session is *live* while it is not closed and
//! `now <= allocated_until` (FLT-3); expiry is lazy: nothing sweeps, an expired
//! session simply stops counting at the next allocation. The store calls these
//! functions under the license lock with the number of live sessions it counted and
//! commits the staged [`SessionState`].

use rand::RngCore;
use time::{Duration, OffsetDateTime};

use crate::activation::Policy;
use crate::clock;
use crate::credentials;
use crate::ids::{LicenseId, ParseError, Password, SystemIdentifier};
use crate::model::{LicenseState, OptionRules};
use crate::refusal::Refusal;
use crate::status;

/// A floating session ID: 32 upper-case hex digits (wire.md §3.10); input is
/// case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(String);

impl SessionId {
    /// Parses 32 hex digits (either case) into the upper-case form.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(s.to_ascii_uppercase()))
        } else {
            Err(ParseError::Text)
        }
    }

    /// 128 random bits from `rng` as 32 upper-case hex digits.
    pub fn random(rng: &mut dyn RngCore) -> Self {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        Self(hex::encode_upper(bytes))
    }

    /// The 32 upper-case hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The option's Network Floating Options set (rules FLT-1), validated by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloatingRules {
    /// Poll Frequency `pf` in seconds (> 0).
    pub poll_frequency: u32,
    /// Poll Retry Frequency `rf` in seconds (> 0).
    pub poll_retry_frequency: u32,
    /// Poll Retry Count `rc` (≥ 0).
    pub poll_retry_count: u32,
    /// Overages: `None` off, else the maximum overage period `mo` in seconds.
    pub overage_seconds: Option<u32>,
    /// Checkout Duration Minimum in hours (0 with the maximum 0: no checkout).
    pub checkout_min_hours: u32,
    /// Checkout Duration Maximum in hours.
    pub checkout_max_hours: u32,
}

impl FloatingRules {
    /// The lease a poll buys: `pf + rc × rf` seconds (FLT-4, wire.md §3.10).
    pub fn lease(&self) -> Duration {
        Duration::seconds(
            i64::from(self.poll_frequency)
                + i64::from(self.poll_retry_count) * i64::from(self.poll_retry_frequency),
        )
    }

    /// FLT-1/wire.md §3.10: checkout is allowed iff both durations are > 0 and min ≤ max.
    pub fn checkout_allowed(&self) -> bool {
        self.checkout_min_hours > 0
            && self.checkout_max_hours > 0
            && self.checkout_min_hours <= self.checkout_max_hours
    }

    /// The overage margin `mo` (zero when overages are off).
    pub fn overage_margin(&self) -> Duration {
        Duration::seconds(i64::from(self.overage_seconds.unwrap_or(0)))
    }

    /// Errata E-5: a cleanup job may delete a session only once its allocated-until
    /// time plus the overage margin has passed (so an FLT-5 resume still finds it).
    pub fn purgeable(&self, session: &SessionState, now: OffsetDateTime) -> bool {
        session.closed || now > session.allocated_until + self.overage_margin()
    }
}

/// One floating session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionState {
    /// Its ID.
    pub id: SessionId,
    /// The license whose seat it holds.
    pub license_id: LicenseId,
    /// When it was opened.
    pub opened_at: OffsetDateTime,
    /// Until when it holds its seat without another poll.
    pub allocated_until: OffsetDateTime,
    /// Borrowed offline (FLT-6) until `allocated_until`.
    pub checked_out: bool,
    /// Closed by the client (FLT-6).
    pub closed: bool,
}

impl SessionState {
    /// FLT-3: live = not closed and `now <= allocated_until`.
    pub fn is_live(&self, now: OffsetDateTime) -> bool {
        !self.closed && now <= self.allocated_until
    }
}

/// What the floating rules read, loaded under the license lock.
#[derive(Debug, Clone, Copy)]
pub struct FloatingSnapshot<'a> {
    /// The license, if it exists.
    pub license: Option<&'a LicenseState>,
    /// Its option.
    pub rules: Option<&'a OptionRules>,
    /// The option's floating set; `None` when the option has none (5009).
    pub floating: Option<&'a FloatingRules>,
    /// FLT-3: how many sessions of the license are live at `now`, not counting the
    /// session a [`act`] call acts on (the store counts them under the lock).
    pub live_others: i64,
}

impl FloatingSnapshot<'_> {
    /// FLT-2: seats = License Counter; an absent counter means 0.
    pub fn seats(&self) -> i64 {
        self.license.and_then(|l| l.license_counter).unwrap_or(0)
    }
}

/// OpenSession, parsed at the edge.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenRequest {
    /// The license.
    pub license_id: LicenseId,
    /// Its password (ACT-3).
    pub password: Password,
    /// ClientTimestamp (CLK-1, errata E-13).
    pub client_time: Option<OffsetDateTime>,
    /// The SystemIdentifiers sent, in order; stored with the session, untouched
    /// (wire.md §3).
    pub identifiers: Vec<SystemIdentifier>,
}

/// A call on an existing session, parsed at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAction {
    /// PollSession (FLT-5).
    Poll,
    /// CloseSession (FLT-6, idempotent).
    Close,
    /// CheckoutSession for this many hours (FLT-6).
    Checkout(u32),
    /// CheckinSession (FLT-6).
    Checkin,
}

/// A call on an existing session: the session, the LicenseID the client named (it
/// must own the session, else 5027) and the action.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRequest {
    /// The session.
    pub session_id: SessionId,
    /// The license the client names, optional on the wire.
    pub license_id: Option<LicenseId>,
    /// What to do.
    pub action: SessionAction,
    /// ClientTimestamp (CLK-1, errata E-13).
    pub client_time: Option<OffsetDateTime>,
}

/// A successful floating call: the session to store and the certificate figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionGrant {
    /// The session after the call (insert on open, update otherwise).
    pub session: SessionState,
    /// Seats left after the call; negative while an FLT-5 overage resume holds one.
    pub seats_available: i64,
    /// License Counter (FLT-2).
    pub total_seats: i64,
    /// The option's floating set, for the certificate.
    pub rules: FloatingRules,
    /// The license's update counter after this answer (wire.md §7.3).
    pub update_counter: i64,
    /// The instant the call was decided at: the certificate's ServerTimestamp, so that
    /// `AllocatedUntilDate - ServerTimestamp` is exactly the lease (FLT-3).
    pub issued_at: OffsetDateTime,
}

/// FLT-4 OpenSession: A2 credentials (ERR-1), CLK-1 right after them (E-13), a
/// floating set (else E-OPTTYPE, 5009), STS-2; then `live < seats` ⇒ a new session leased for
/// `pf + rc × rf`, else E-SEATS: overage never applies to a new session (E-5, CON-8).
pub fn open(
    snap: &FloatingSnapshot<'_>,
    req: &OpenRequest,
    now: OffsetDateTime,
    policy: &Policy,
    rng: &mut dyn RngCore,
) -> Result<SessionGrant, Refusal> {
    let license = credentials::check(snap.license, &req.password)?;
    clock::check_client_time(req.client_time, now, policy.clock_tolerance)?;
    let rules = snap.rules.ok_or(Refusal::Config)?;
    let floating = snap.floating.ok_or(Refusal::OptionType)?;
    status::check_new_activation(license.status, rules.upgrade_behavior)?;
    let seats = snap.seats();
    let live = snap.live_others;
    if live >= seats {
        return Err(Refusal::Seats);
    }
    // 128 random bits: a repeat means a broken RNG; the store's primary key refuses it.
    let session = SessionState {
        id: SessionId::random(rng),
        license_id: license.id,
        opened_at: now,
        allocated_until: now + floating.lease(),
        checked_out: false,
        closed: false,
    };
    grant(license, floating, seats, live + 1, session, now)
}

/// Poll, Close, Checkout and Checkin on the session `req.session_id` (FLT-5, FLT-6).
///
/// `found` is the session as loaded (`None`: unknown); `snap` is its license's state.
/// An unknown session, or one whose license differs from the LicenseID the client
/// named, is E-SESSION (5027, errata E-5). Then CLK-1 (E-13), the floating set, STS-3. A poll after
/// the lease but within the overage margin resumes the session even when that drives
/// the available seats below zero (FLT-5); later, or when closed, E-SESSION.
/// Checkout needs the option's checkout durations (else E-OPTTYPE, 5009) and hours in
/// min..=max (else E-PARAM); checkin re-arms polling. Close is idempotent. A refused
/// call stages nothing: an expired session is already not live (FLT-3), so FLT-5's
/// "close" needs no write.
pub fn act(
    snap: &FloatingSnapshot<'_>,
    found: Option<&SessionState>,
    req: &SessionRequest,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<SessionGrant, Refusal> {
    let session = found.ok_or(Refusal::Session)?;
    if req.license_id.is_some_and(|id| id != session.license_id) {
        return Err(Refusal::Session);
    }
    let license = snap.license.ok_or(Refusal::Session)?;
    clock::check_client_time(req.client_time, now, policy.clock_tolerance)?;
    let rules = snap.rules.ok_or(Refusal::Config)?;
    let floating = snap.floating.ok_or(Refusal::OptionType)?;
    status::check_running(license.status, rules.upgrade_behavior)?;
    let others = snap.live_others;
    let seats = snap.seats();
    let mut next = session.clone();
    match req.action {
        SessionAction::Close => {
            next.closed = true;
            return grant(license, floating, seats, others, next, now);
        }
        _ if session.closed => return Err(Refusal::Session),
        SessionAction::Poll => {
            let in_margin = floating.overage_seconds.is_some()
                && now <= session.allocated_until + floating.overage_margin();
            if !(session.is_live(now) || in_margin) {
                return Err(Refusal::Session);
            }
            // A checked-out session keeps its borrowed time; polling never shortens it.
            next.allocated_until = (now + floating.lease()).max(session.allocated_until);
        }
        SessionAction::Checkout(hours) => {
            if !session.is_live(now) {
                return Err(Refusal::Session);
            }
            if !floating.checkout_allowed() {
                return Err(Refusal::OptionType);
            }
            if !(floating.checkout_min_hours..=floating.checkout_max_hours).contains(&hours) {
                return Err(Refusal::Param);
            }
            next.checked_out = true;
            next.allocated_until = now + Duration::hours(i64::from(hours));
        }
        SessionAction::Checkin => {
            if !session.is_live(now) {
                return Err(Refusal::Session);
            }
            next.checked_out = false;
            next.allocated_until = now + floating.lease();
        }
    }
    grant(license, floating, seats, others + 1, next, now)
}

fn grant(
    license: &LicenseState,
    floating: &FloatingRules,
    seats: i64,
    live_after: i64,
    session: SessionState,
    now: OffsetDateTime,
) -> Result<SessionGrant, Refusal> {
    Ok(SessionGrant {
        session,
        seats_available: seats - live_after,
        total_seats: seats,
        rules: *floating,
        update_counter: license
            .update_counter
            .checked_add(1)
            .ok_or(Refusal::Config)?,
        issued_at: now,
    })
}

#[cfg(test)]
mod tests;
