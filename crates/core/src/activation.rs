//! Activation (rules ACT-1..8 with REA, THR, DAYS, IP, VER, EXP, TC, CLK, STS/UPG).
//!
//! The store calls [`history_query`] to learn which records to load under the license
//! lock, builds an [`ActivationSnapshot`], and commits the [`Grant`] that [`activate`]
//! stages, or only an attempt-log row for a [`Refusal`].

use std::net::IpAddr;

use rand::RngCore;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

use crate::credentials;
use crate::ids::{
    ComputerKey, InstallationId, LicenseId, OptionId, Password, ProductId, SessionCode,
};
use crate::ip;
use crate::model::{
    ActivationPath, ActivationRecord, GrantKind, LicenseState, OptionRules, RecordId,
};
use crate::refusal::Refusal;
use crate::status;
use crate::trigger::TriggerCodeAlgorithm;
use crate::version::Version;

mod event_data;
mod gates;
#[cfg(test)]
mod properties;
mod replay;
mod seat;
mod stored_reply;
#[cfg(test)]
mod tests;

/// Tunables of the rules that are configuration, not option fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// CLK-1 tolerance for client clocks (default 24 h).
    pub clock_tolerance: Duration,
    /// ACT-7 retry window (default 10 min).
    pub retry_window: Duration,
    /// Errata E-2: the request was carried offline, so CLK-1 refuses only a client
    /// clock (or session date) ahead of the server; its age is the TTL's business.
    pub offline: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            clock_tolerance: Duration::hours(24),
            retry_window: Duration::minutes(10),
            offline: false,
        }
    }
}

/// An activation attempt, already parsed at the edge (ACT-1).
#[derive(Debug, Clone, PartialEq)]
pub struct ActivationRequest {
    /// License to activate.
    pub license_id: LicenseId,
    /// Activation Password or customer password (ACT-3).
    pub password: Password,
    /// Optional product scope check (A3).
    pub product_id: Option<ProductId>,
    /// Optional option scope check (A3).
    pub option_id: Option<OptionId>,
    /// Client version (VER-2); `None` when absent or unparsable.
    pub version: Option<Version>,
    /// Trigger-code path: User Code 1 (the session code, an i32).
    pub user_code1: Option<i32>,
    /// License-file path: the client's session code (echoed; ACT-7 key).
    pub session_code: Option<SessionCode>,
    /// The computer key (C-4): Computer ID or identifier triples.
    pub key: ComputerKey,
    /// RequireRegistration (A7).
    pub require_registration: bool,
    /// Client address for IP rules (IP-3/4).
    pub client_ip: Option<IpAddr>,
    /// ClientTimestamp, if the client sent one (CLK-1).
    pub client_time: Option<OffsetDateTime>,
    /// Which path the request came through (C-5).
    pub path: ActivationPath,
}

impl ActivationRequest {
    /// The session text recorded with a grant and compared by ACT-7: the session code
    /// on the license-file path, User Code 1 in decimal on the trigger-code path.
    pub fn session_text(&self) -> Option<String> {
        match self.path {
            ActivationPath::LicenseFile => {
                self.session_code.as_ref().map(|c| c.as_str().to_owned())
            }
            ActivationPath::TriggerCode => self.user_code1.map(|uc1| uc1.to_string()),
        }
    }
}

/// Which activation records the store must load for a decision, so that it never
/// loads a license's whole history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    /// Load every record of the license whose key fingerprint equals this
    /// (REA-1, REA-4, THR exact, ACT-7). `None`: no key, nothing matches (C-4).
    pub key_fingerprint: Option<String>,
    /// Trigger-code path with threshold N > 0 (THR-2): also load every grant whose
    /// Computer ID lies in this inclusive i64 window.
    pub computer_id_window: Option<(i64, i64)>,
}

/// Computes what to load for `req` against `rules` (see [`HistoryQuery`]).
pub fn history_query(req: &ActivationRequest, rules: &OptionRules) -> HistoryQuery {
    // THR-4: a threshold on an IID option acts as −1; THR-2: 0 is the exact key,
    // which the fingerprint already covers.
    let threshold = (!rules.issue_installation_id && rules.unlock_threshold > 0)
        .then_some(i64::from(rules.unlock_threshold));
    let computer_id_window = match (req.path, req.key.computer_id(), threshold) {
        (ActivationPath::TriggerCode, Some(c), Some(n)) => {
            let c = i64::from(c.get());
            Some((c - n, c + n))
        }
        _ => None,
    };
    HistoryQuery {
        key_fingerprint: req.key.fingerprint(),
        computer_id_window,
    }
}

/// State read under the license lock (CON-1).
#[derive(Debug, Clone, Copy)]
pub struct ActivationSnapshot<'a> {
    /// The license row, `None` if the ID is unknown (A2 answers E-CRED, ERR-1).
    pub license: Option<&'a LicenseState>,
    /// The license's option.
    pub rules: Option<&'a OptionRules>,
    /// The records selected by [`history_query`] (any state, any kind).
    pub records: &'a [ActivationRecord],
    /// granted_at of the latest Counted grant of the license (DAYS-1 anchor).
    pub last_counted_at: Option<OffsetDateTime>,
    /// Whether the license has any earlier grant (EXP-2 "no earlier grant").
    pub has_grant: bool,
}

/// What [`activate`] decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// A new grant to commit.
    Grant(Grant),
    /// ACT-7: an identical request was granted less than the retry window ago; answer
    /// with that grant's stored reply (decoded by [`Grant::from_stored_reply`]) and
    /// change nothing.
    Replay {
        /// The earlier grant.
        record_id: RecordId,
        /// Its stored reply.
        grant: Grant,
    },
}

/// A grant and every effect it stages (ACT-2 A17 commits them or none).
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// Counted, `<TH` or `#DAYS` (ACT-5).
    pub kind: GrantKind,
    /// The installation ID of the new record: fresh for Counted/`#DAYS` with IID,
    /// moved from the superseded record under REA-3, `None` otherwise.
    pub installation_id: Option<InstallationId>,
    /// Whether the new record is consumed (ACT-5, REA-3).
    pub consumed: bool,
    /// activations_left after the grant (the reply reports it).
    pub activations_left: i32,
    /// REA-3: the record to mark Deactivated(now, Reactivated) with
    /// related_installation_id = `installation_id`, and clear its consumed flag.
    pub supersedes: Option<RecordId>,
    /// IP-4 FirstActivationIp: the value to write to Allowed Activation IPs.
    pub first_ip: Option<String>,
    /// EXP-2: the new expiration date when the reset applies.
    pub new_expiration: Option<Date>,
    /// TC-2 event data (RegKey2 payload / TriggerCodeData).
    pub event_data: Option<u16>,
    /// Trigger-code path only (E-11): (RegKey1, RegKey2) per TC-3.
    pub codes: Option<(i32, i32)>,
    /// The license's update counter after this answer (wire.md §7.3).
    pub update_counter: i64,
}

/// Runs the ACT-2 pipeline A1..A15 on `snap` (A16/A18 plugins are not configured in
/// this version; A17 is the store's commit).
pub fn activate(
    snap: &ActivationSnapshot<'_>,
    req: &ActivationRequest,
    now: OffsetDateTime,
    policy: &Policy,
    alg: &dyn TriggerCodeAlgorithm,
    rng: &mut dyn RngCore,
) -> Result<Decision, Refusal> {
    // C-3: each step refuses with the first failing cause and stages nothing else.
    let trigger = gates::shape(req)?; // A1
    let license = credentials::check(snap.license, &req.password)?; // A2 (ACT-3, ERR-1)
    let rules = snap.rules.ok_or(Refusal::Config)?;
    gates::scope(license, req)?; // A3
    gates::option_type(rules, req.path, snap.has_grant)?; // A4 (ACT-4, VOL-1)
    let today = now.to_offset(UtcOffset::UTC).date(); // C-1
    gates::clock(trigger, rules, req.client_time, now, today, policy, alg)?; // A5 (CLK-1, E-1)
    status::check_new_activation(license.status, rules.upgrade_behavior)?; // A6 (STS-2, UPG-1)
    gates::registration(req, license)?; // A7 (ACT-6)
    gates::ban(rules, snap.records, &req.key)?; // A8 (REA-4)
    gates::version(rules, req.version)?; // A9 (VER-3)
    let first_ip = ip::check(
        rules.ip_mode,
        rules.ip_mask,
        license.allowed_ips.as_deref(),
        req.client_ip,
    )?; // A10 (IP-4)
    let new_expiration = gates::expiration_reset(license, rules, snap.has_grant, today)?; // A11 (EXP-2)
    let retry = replay::find(snap.records, req, rules.option_id, now, policy.retry_window);
    if let Some((record_id, grant)) = retry {
        return Ok(Decision::Replay { record_id, grant }); // A12 (ACT-7)
    }
    let seat = match seat::same_machine(snap.records, req, rules) {
        Some(seat) => seat,                                              // A13
        None => seat::count(license, rules, snap.last_counted_at, now)?, // A14
    };
    // A15: TC-2 reads the expiration after a staged reset (EX-49).
    let expiration = new_expiration.or(license.expiration);
    let event_data = event_data::event_data(rules, license, expiration, today)?;
    // E-11: codes only on the trigger-code path.
    let codes = trigger
        .map(|t| event_data::codes(alg, rules, license.id, t.session, t.computer, event_data));
    let update_counter = license
        .update_counter
        .checked_add(1)
        .ok_or(Refusal::Config)?;
    // ACT-8: left is reported, never below 0.
    let left = license.activations_left.max(0);
    let terms = seat.terms(left, rules.issue_installation_id, rng);
    Ok(Decision::Grant(Grant {
        kind: terms.kind,
        installation_id: terms.installation_id,
        consumed: terms.consumed,
        activations_left: terms.activations_left,
        supersedes: terms.supersedes,
        first_ip,
        new_expiration,
        event_data,
        codes,
        update_counter,
    }))
}
