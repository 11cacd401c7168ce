//! Network floating sessions (rules FLT-1..6, CON-8, errata E-5): every seat
//! mutation runs in [`Store::write`] (SQLite `BEGIN IMMEDIATE`, PostgreSQL READ
//! COMMITTED), locks the license row first (`db::lock_license`), re-reads the license
//! and counts its live sessions, calls core, and writes the session, the update counter
//! and a success history row. Two openers, in one process or several, therefore never
//! both see the last seat free.

use diesel::prelude::*;
use rand::RngCore;
use time::OffsetDateTime;
use unlockd_core::activation::Policy;
use unlockd_core::floating::{
    self, FloatingRules, FloatingSnapshot, OpenRequest, SessionAction, SessionGrant, SessionId,
    SessionRequest, SessionState,
};
use unlockd_core::{EncryptionKeyId, LicenseId, SystemIdentifier};

use crate::activation::check_key;
use crate::convert::{self, from_db_time, to_db_time};
use crate::db::{self, direct, Conn};
use crate::error::StoreError;
use crate::history;
use crate::load::LicenseFacts;
use crate::rows::{FloatingSetRow, SessionRow};
use crate::schema::{floating_sessions, licenses, network_floating_sets, product_options};
use crate::Store;

/// A Network Floating Options set to insert (rules FLT-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFloatingSet {
    /// Wanted ID.
    pub id: i32,
    /// Display name.
    pub name: String,
    /// The rules.
    pub rules: FloatingRules,
}

impl Store {
    /// FLT-4 OpenSession in one transaction: re-reads the license and its live
    /// sessions under the write lock, lets core decide, deletes this license's
    /// sessions that errata E-5 allows to purge, inserts the new session, bumps the
    /// update counter and writes a success history row. `key_id` must belong to the
    /// license's author (checked after the decision, 5003).
    pub fn open_session(
        &self,
        req: &OpenRequest,
        installation_name: Option<&str>,
        key_id: EncryptionKeyId,
        now: OffsetDateTime,
        policy: &Policy,
        rng: &mut dyn RngCore,
    ) -> Result<SessionGrant, StoreError> {
        self.write(|conn| open_in(conn, req, installation_name, key_id, now, policy, &mut *rng))
    }

    /// Poll, Close, Checkout or Checkin (FLT-5, FLT-6) in one transaction: the
    /// session, its license and that license's live sessions are read under the write
    /// lock; a refusal writes nothing.
    pub fn session_action(
        &self,
        req: &SessionRequest,
        key_id: EncryptionKeyId,
        now: OffsetDateTime,
        policy: &Policy,
    ) -> Result<SessionGrant, StoreError> {
        self.write(|conn| act_in(conn, req, key_id, now, policy))
    }

    /// Inserts a Network Floating Options set (FLT-1) after checking its domain.
    pub fn insert_floating_set(&self, set: &NewFloatingSet) -> Result<(), StoreError> {
        let r = &set.rules;
        let int = |v: u32, what: &str| {
            i32::try_from(v).map_err(|_| StoreError::Config(format!("{what} out of range")))
        };
        if r.poll_frequency == 0 || r.poll_retry_frequency == 0 {
            return Err(StoreError::Config(
                "FLT-1: poll and retry frequency must be > 0".into(),
            ));
        }
        let row = FloatingSetRow {
            id: set.id,
            name: set.name.clone(),
            poll_frequency: int(r.poll_frequency, "poll frequency")?,
            poll_retry_frequency: int(r.poll_retry_frequency, "poll retry frequency")?,
            poll_retry_count: int(r.poll_retry_count, "poll retry count")?,
            allow_overages: r.overage_seconds.is_some(),
            overage_seconds: int(r.overage_seconds.unwrap_or(0), "overage period")?,
            checkout_min_hours: int(r.checkout_min_hours, "checkout minimum")?,
            checkout_max_hours: int(r.checkout_max_hours, "checkout maximum")?,
        };
        self.write(|conn| {
            diesel::insert_into(network_floating_sets::table)
                .values(row.clone())
                .execute(conn)?;
            Ok(())
        })
    }

    /// The SystemIdentifiers a session was opened with, as sent (wire.md §3), for
    /// tests and admin views; `None` if the session is unknown.
    pub fn session_identifiers(
        &self,
        id: &SessionId,
    ) -> Result<Option<Vec<SystemIdentifier>>, StoreError> {
        self.read(|conn| {
            let stored: Option<String> = floating_sessions::table
                .find(id.as_str())
                .select(floating_sessions::identifiers)
                .get_result(conn)
                .optional()?;
            stored
                .map(|text| {
                    convert::parse_identifiers(&text).ok_or_else(|| {
                        StoreError::Config(format!(
                            "floating_sessions {id}: stored identifiers are invalid"
                        ))
                    })
                })
                .transpose()
        })
    }

    /// The live sessions of a license at `now` (FLT-3), for tests and admin views.
    pub fn live_sessions(
        &self,
        license: LicenseId,
        now: OffsetDateTime,
    ) -> Result<Vec<SessionState>, StoreError> {
        self.read(|conn| live(conn, license.get(), now))
    }
}

/// The body of [`Store::open_session`], inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn open_in(
    conn: &mut Conn,
    req: &OpenRequest,
    installation_name: Option<&str>,
    key_id: EncryptionKeyId,
    now: OffsetDateTime,
    policy: &Policy,
    rng: &mut dyn RngCore,
) -> Result<SessionGrant, StoreError> {
    db::lock_license(conn, req.license_id.get())?;
    let loaded = Loaded::load(conn, req.license_id.get(), now, None)?;
    let grant = floating::open(&loaded.snapshot(), req, now, policy, rng)?;
    loaded.check_key(conn, key_id)?;
    if let Some(rules) = &loaded.floating {
        purge(conn, req.license_id, rules, now)?;
    }
    diesel::insert_into(floating_sessions::table)
        .values(row(
            &grant.session,
            now,
            installation_name,
            &req.identifiers,
        ))
        .execute(conn)?;
    commit(conn, &grant, "OpenSession", now)?;
    Ok(grant)
}

/// The body of [`Store::session_action`], inside the caller's transaction.
pub(crate) fn act_in(
    conn: &mut Conn,
    req: &SessionRequest,
    key_id: EncryptionKeyId,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<SessionGrant, StoreError> {
    // CON-1: find the session's license, lock it, then read the session again:
    // another transaction may have changed it in between (PostgreSQL).
    if let Some(first) = session(conn, &req.session_id)? {
        db::lock_license(conn, first.license_id.get())?;
    }
    let found = session(conn, &req.session_id)?;
    let license_id = found.as_ref().map_or(0, |s| s.license_id.get());
    let loaded = Loaded::load(conn, license_id, now, Some(&req.session_id))?;
    let grant = floating::act(&loaded.snapshot(), found.as_ref(), req, now, policy)?;
    loaded.check_key(conn, key_id)?;
    let s = &grant.session;
    let polled = matches!(req.action, SessionAction::Poll | SessionAction::Checkin);
    let session = floating_sessions::table.find(s.id.as_str());
    let kept = (
        floating_sessions::allocated_until.eq(to_db_time(s.allocated_until)),
        floating_sessions::checked_out.eq(s.checked_out),
        floating_sessions::closed.eq(s.closed),
    );
    if polled {
        let polled_at = floating_sessions::last_poll_at.eq(to_db_time(now));
        direct!(conn, |c| diesel::update(session)
            .set((kept, polled_at))
            .execute(c))?;
    } else {
        direct!(conn, |c| diesel::update(session).set(kept).execute(c))?;
    }
    commit(conn, &grant, operation(req.action), now)?;
    Ok(grant)
}

/// The history operation name of a session action.
fn operation(action: SessionAction) -> &'static str {
    match action {
        SessionAction::Poll => "PollSession",
        SessionAction::Close => "CloseSession",
        SessionAction::Checkout(_) => "CheckoutSession",
        SessionAction::Checkin => "CheckinSession",
    }
}

/// A license with its option's floating set and live sessions, read under the lock.
struct Loaded {
    facts: Option<LicenseFacts>,
    floating: Option<FloatingRules>,
    live_others: i64,
}

impl Loaded {
    /// Loads license `license_id` and counts its sessions live at `now` (FLT-3) other
    /// than `except`.
    fn load(
        conn: &mut Conn,
        license_id: i32,
        now: OffsetDateTime,
        except: Option<&SessionId>,
    ) -> Result<Self, StoreError> {
        let facts = LicenseFacts::load(conn, license_id)?;
        let floating = match &facts {
            Some(f) => floating_rules(conn, f.rules.option_id.get())?,
            None => None,
        };
        let live_others = match &facts {
            Some(_) => count_live(conn, license_id, now, except)?,
            None => 0,
        };
        Ok(Self {
            facts,
            floating,
            live_others,
        })
    }

    fn snapshot(&self) -> FloatingSnapshot<'_> {
        FloatingSnapshot {
            license: self.facts.as_ref().map(|f| &f.license),
            rules: self.facts.as_ref().map(|f| &f.rules),
            floating: self.floating.as_ref(),
            live_others: self.live_others,
        }
    }

    fn check_key(&self, conn: &mut Conn, key_id: EncryptionKeyId) -> Result<(), StoreError> {
        match &self.facts {
            Some(f) => check_key(conn, Some(key_id), f.product.author_id),
            None => Err(StoreError::KeyNotForLicense),
        }
    }
}

/// The option's floating set, `None` when it has none (5009).
fn floating_rules(conn: &mut Conn, option_id: i32) -> Result<Option<FloatingRules>, StoreError> {
    // One statement: the option's set, if it has one.
    let row: Option<FloatingSetRow> = direct!(conn, |c| network_floating_sets::table
        .filter(
            network_floating_sets::id
                .nullable()
                .eq(product_options::table
                    .find(option_id)
                    .select(product_options::network_floating_set_id)
                    .single_value()),
        )
        .select(FloatingSetRow::as_select())
        .get_result(c)
        .optional())?;
    let Some(r) = row else {
        return Ok(None);
    };
    let set_id = r.id;
    let nat = |v: i32, column: &str| {
        u32::try_from(v).map_err(|_| {
            StoreError::Config(format!("network_floating_sets {set_id}: {column} {v}"))
        })
    };
    Ok(Some(FloatingRules {
        poll_frequency: nat(r.poll_frequency, "poll_frequency")?,
        poll_retry_frequency: nat(r.poll_retry_frequency, "poll_retry_frequency")?,
        poll_retry_count: nat(r.poll_retry_count, "poll_retry_count")?,
        overage_seconds: if r.allow_overages {
            Some(nat(r.overage_seconds, "overage_seconds")?)
        } else {
            None
        },
        checkout_min_hours: nat(r.checkout_min_hours, "checkout_min_hours")?,
        checkout_max_hours: nat(r.checkout_max_hours, "checkout_max_hours")?,
    }))
}

/// Sessions of `license_id` live at `now` (FLT-3): not closed, `now <= allocated_until`.
fn live(
    conn: &mut Conn,
    license_id: i32,
    now: OffsetDateTime,
) -> Result<Vec<SessionState>, StoreError> {
    let rows: Vec<SessionRow> = floating_sessions::table
        .filter(floating_sessions::license_id.eq(license_id))
        .filter(floating_sessions::closed.eq(false))
        .filter(floating_sessions::allocated_until.ge(to_db_time(now)))
        .select(SessionRow::as_select())
        .load(conn)?;
    rows.iter().map(state).collect()
}

/// The session `id` as stored, if any.
fn session(conn: &mut Conn, id: &SessionId) -> Result<Option<SessionState>, StoreError> {
    let row: Option<SessionRow> = direct!(conn, |c| floating_sessions::table
        .find(id.as_str())
        .select(SessionRow::as_select())
        .get_result(c)
        .optional())?;
    row.map(|r| state(&r)).transpose()
}

/// FLT-3: how many sessions of `license_id` are live at `now`, not counting `except`.
fn count_live(
    conn: &mut Conn,
    license_id: i32,
    now: OffsetDateTime,
    except: Option<&SessionId>,
) -> Result<i64, StoreError> {
    // Two fixed shapes rather than one boxed query: each stays prepared (issue 5).
    let live = floating_sessions::table
        .filter(floating_sessions::license_id.eq(license_id))
        .filter(floating_sessions::closed.eq(false))
        .filter(floating_sessions::allocated_until.ge(to_db_time(now)));
    Ok(match except {
        None => direct!(conn, |c| live.count().get_result(c))?,
        Some(id) => direct!(conn, |c| live
            .filter(floating_sessions::id.ne(id.as_str()))
            .count()
            .get_result(c))?,
    })
}

/// Errata E-5: deletes the license's sessions that are closed, or whose
/// allocated-until plus the overage margin has passed; nothing else.
fn purge(
    conn: &mut Conn,
    license: LicenseId,
    rules: &FloatingRules,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let cutoff = to_db_time(now - rules.overage_margin());
    diesel::delete(
        floating_sessions::table
            .filter(floating_sessions::license_id.eq(license.get()))
            .filter(
                floating_sessions::closed
                    .eq(true)
                    .or(floating_sessions::allocated_until.lt(cutoff)),
            ),
    )
    .execute(conn)?;
    Ok(())
}

/// The license's update counter and a success history row, in the caller's
/// transaction (wire.md §7.3, errata E-3).
fn commit(
    conn: &mut Conn,
    grant: &SessionGrant,
    operation: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    direct!(conn, |c| diesel::update(
        licenses::table.find(grant.session.license_id.get())
    )
    .set(licenses::update_counter.eq(grant.update_counter))
    .execute(c))?;
    history::record_success(
        conn,
        now,
        operation,
        grant.session.license_id,
        None,
        &format!("session {}", grant.session.id),
        None,
    )
}

fn row(
    s: &SessionState,
    now: OffsetDateTime,
    installation_name: Option<&str>,
    identifiers: &[SystemIdentifier],
) -> SessionRow {
    SessionRow {
        id: s.id.as_str().to_owned(),
        license_id: s.license_id.get(),
        opened_at: to_db_time(s.opened_at),
        last_poll_at: to_db_time(now),
        allocated_until: to_db_time(s.allocated_until),
        checked_out: s.checked_out,
        closed: s.closed,
        installation_name: installation_name.map(str::to_owned),
        identifiers: convert::identifiers_json(identifiers),
    }
}

fn state(r: &SessionRow) -> Result<SessionState, StoreError> {
    let corrupt = |column: &str| {
        StoreError::Config(format!(
            "floating_sessions {}: stored {column} is invalid",
            r.id
        ))
    };
    Ok(SessionState {
        id: SessionId::parse(&r.id).map_err(|_| corrupt("id"))?,
        license_id: LicenseId::new(r.license_id).map_err(|_| corrupt("license_id"))?,
        opened_at: from_db_time(r.opened_at),
        allocated_until: from_db_time(r.allocated_until),
        checked_out: r.checked_out,
        closed: r.closed,
    })
}
