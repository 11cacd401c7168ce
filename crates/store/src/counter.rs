//! DecrementLicenseCounter (rules CNT-2) with TransactionID replay (wire.md §3.5).

use diesel::prelude::*;
use time::{Duration, OffsetDateTime};
use unlockd_core::activation::Policy;
use unlockd_core::counter::{self, DecrementRequest, Decremented};

use crate::convert::{from_db_time, to_db_time};
use crate::db::{self, Conn};
use crate::error::StoreError;
use crate::history;
use crate::load::LicenseFacts;
use crate::rows::{CounterTxRow, NewCounterTxRow};
use crate::schema::{counter_transactions, licenses};
use crate::Store;

/// How long a TransactionID answers with its stored result (wire.md §3.5).
const REPLAY_WINDOW: Duration = Duration::hours(24);

impl Store {
    /// Decrements the License Counter per CNT-2 in one transaction. A
    /// `transaction_id` already answered on this license less than 24 h ago returns
    /// the stored answer and moves nothing, once the credentials pass.
    pub fn decrement_counter(
        &self,
        req: &DecrementRequest,
        transaction_id: Option<&str>,
        now: OffsetDateTime,
        policy: &Policy,
    ) -> Result<Decremented, StoreError> {
        self.write(|conn| decrement_in(conn, req, transaction_id, now, policy))
    }
}

fn decrement_in(
    conn: &mut Conn,
    req: &DecrementRequest,
    transaction_id: Option<&str>,
    now: OffsetDateTime,
    policy: &Policy,
) -> Result<Decremented, StoreError> {
    let license_id = req.license_id.get();
    // CON-1: the counter is read and moved under the license lock.
    db::lock_license(conn, license_id)?;
    let facts = LicenseFacts::load(conn, license_id)?;
    let state = facts.map(|f| (f.license, f.rules));
    if let (Some((license, _)), Some(tx)) = (&state, transaction_id) {
        if let Some(previous) = replay(conn, license_id, tx, now)? {
            // ACT-3/ERR-1 still gate the stored answer.
            unlockd_core::credentials::check(Some(license), &req.password)?;
            return Ok(previous);
        }
    }
    let done = counter::decrement_counter(state.as_ref().map(|(l, o)| (l, o)), req, now, policy)?;
    diesel::update(licenses::table.find(license_id))
        .set((
            licenses::license_counter.eq(Some(done.counter)),
            licenses::update_counter.eq(done.update_counter),
        ))
        .execute(conn)?;
    if let Some(tx) = transaction_id {
        // A stale entry (older than the window) is replaced by this answer.
        diesel::delete(
            counter_transactions::table
                .filter(counter_transactions::license_id.eq(license_id))
                .filter(counter_transactions::transaction_id.eq(tx)),
        )
        .execute(conn)?;
        diesel::insert_into(counter_transactions::table)
            .values(NewCounterTxRow {
                license_id,
                transaction_id: tx,
                counter: done.counter,
                update_counter: done.update_counter,
                at: to_db_time(now),
            })
            .execute(conn)?;
    }
    history::record_success(
        conn,
        now,
        history::DECREMENT_OPERATION,
        req.license_id,
        None,
        &format!("amount {}", req.amount),
        None,
    )?;
    Ok(done)
}

/// The stored answer of `tx` on this license if it is younger than the window.
fn replay(
    conn: &mut Conn,
    license_id: i32,
    tx: &str,
    now: OffsetDateTime,
) -> Result<Option<Decremented>, StoreError> {
    let row: Option<CounterTxRow> = counter_transactions::table
        .filter(counter_transactions::license_id.eq(license_id))
        .filter(counter_transactions::transaction_id.eq(tx))
        .select(CounterTxRow::as_select())
        .get_result(conn)
        .optional()?;
    Ok(row
        .filter(|r| now - from_db_time(r.at) < REPLAY_WINDOW)
        .map(|r| Decremented {
            counter: r.counter,
            update_counter: r.update_counter,
        }))
}
