//! Calls on an installation: CheckInstallationStatus (rules CHK-1) and
//! DeactivateInstallation (rules DEA-1).

use diesel::prelude::*;
use time::OffsetDateTime;
use unlockd_core::activation::Policy;
use unlockd_core::deactivation::{self, Deactivated, DeactivationRequest};
use unlockd_core::status_check::{self, CheckRefused, CheckRequest, InstallationStatus};
use unlockd_core::{DeactivationReason, Refusal};

use crate::convert::{self, to_db_time, STATE_ACTIVE, STATE_DEACTIVATED};
use crate::db::{self, Conn};
use crate::error::StoreError;
use crate::history;
use crate::load::{self, LicenseFacts};
use crate::schema::{activation_records, licenses};
use crate::Store;

impl Store {
    /// CheckInstallationStatus (CHK-1). Reads only, in one statement; the
    /// record's last-seen time is queued for a background write that never delays or fails
    /// this answer (errata E-16: best effort, not durable).
    pub fn check_installation(
        &self,
        req: &CheckRequest,
        now: OffsetDateTime,
        policy: &Policy,
    ) -> Result<Result<InstallationStatus, CheckRefused>, StoreError> {
        let mut conn = self.conn()?;
        self.check_installation_on(&mut conn, req, now, policy)
    }

    /// [`Store::check_installation`] if it can run on the caller's thread without
    /// waiting: on SQLite (WAL: a reader never waits for a writer; the read comes
    /// from the page cache) with a pooled connection free at once. `None` otherwise
    /// (PostgreSQL waits for the network): call [`Store::check_installation`] where
    /// blocking is fine.
    pub fn try_check_installation_now(
        &self,
        req: &CheckRequest,
        now: OffsetDateTime,
        policy: &Policy,
    ) -> Option<Result<Result<InstallationStatus, CheckRefused>, StoreError>> {
        // Only SQLite stores have a group committer; PostgreSQL reads wait for the network.
        let _sqlite = self.group.as_ref()?;
        let mut conn = self.pool.try_get()?;
        Some(self.check_installation_on(&mut conn, req, now, policy))
    }

    fn check_installation_on(
        &self,
        conn: &mut Conn,
        req: &CheckRequest,
        now: OffsetDateTime,
        policy: &Policy,
    ) -> Result<Result<InstallationStatus, CheckRefused>, StoreError> {
        // One statement: its snapshot is consistent without a transaction.
        let found = load::installation_facts(conn, &req.installation_id)?;
        let answer =
            status_check::check_installation(found.as_ref().map(|(_, f)| f), req, now, policy);
        if let Some((record_id, _)) = found {
            self.last_seen.note(record_id, now);
        }
        Ok(answer)
    }

    /// DeactivateInstallation (DEA-1) in one transaction: the record becomes
    /// Deactivated(now, Client), a consumed record refunds one activation (capped by
    /// core, E-16), dl and the update counter move, and a success history row is
    /// written. Refusals write nothing.
    pub fn deactivate(
        &self,
        req: &DeactivationRequest,
        now: OffsetDateTime,
        policy: &Policy,
    ) -> Result<Deactivated, StoreError> {
        self.write(|conn| deactivate_in(conn, req, now, policy))
    }
}

/// The body of [`Store::deactivate`], inside the caller's transaction.
pub(crate) fn deactivate_in(
    conn: &mut Conn,
    req: &DeactivationRequest,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<Deactivated, StoreError> {
    let Some(found) = load::record_by_installation(conn, &req.installation_id)? else {
        return Err(StoreError::Refused(Refusal::InstallationNotFound));
    };
    // CON-1: lock the record's license, then read the record again: another
    // transaction may have changed it between the lookup and the lock (PostgreSQL).
    db::lock_license(conn, found.license_id)?;
    let row = load::record_by_installation(conn, &req.installation_id)?
        .ok_or(StoreError::Refused(Refusal::InstallationNotFound))?;
    let LicenseFacts { license, rules, .. } =
        LicenseFacts::load(conn, row.license_id)?.ok_or(StoreError::NotFound)?;
    let record = convert::record(&row)?;
    let done = deactivation::deactivate(&license, &rules, Some(&record), req, now, policy)?;
    let changed = diesel::update(
        activation_records::table
            .find(done.record_id)
            .filter(activation_records::state.eq(STATE_ACTIVE)),
    )
    .set((
        activation_records::state.eq(STATE_DEACTIVATED),
        activation_records::deactivated_at.eq(Some(to_db_time(done.at))),
        activation_records::deactivation_reason.eq(Some(DeactivationReason::Client.name())),
        // The refund (if any) is paid now; the record holds no seat any more.
        activation_records::consumed.eq(false),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(StoreError::Config(format!(
            "activation record {} to deactivate is not active",
            done.record_id
        )));
    }
    diesel::update(licenses::table.find(row.license_id))
        .set((
            licenses::activations_left.eq(done.activations_left),
            licenses::deactivations_left.eq(done.deactivations_left),
            licenses::update_counter.eq(done.update_counter),
        ))
        .execute(conn)?;
    history::record_success(
        conn,
        now,
        history::DEACTIVATE_OPERATION,
        license.id,
        Some(&req.installation_id),
        DeactivationReason::Client.name(),
        None,
    )?;
    Ok(done)
}
