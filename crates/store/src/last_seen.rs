//! The background last-seen writer (errata E-16): CheckInstallationStatus notes
//! (record, time) in a shared map and returns; one thread takes the map every
//! [`FLUSH_EVERY`] and writes it in one transaction. Last-seen is informative, never
//! worth delaying or failing an answer, nor worth a commit (and its fsync) or a thread
//! wake-up per check: a writer woken per note took a fifth of the server's CPU under a
//! check load and contended with activations for SQLite's write lock (issue 5). A full
//! map drops the note, and a failed batch is logged and forgotten.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use diesel::prelude::*;
use time::OffsetDateTime;
use unlockd_core::RecordId;

use crate::convert::to_db_time;
use crate::db::{self, direct, DbPool, TxKind};
use crate::error::StoreError;
use crate::schema::activation_records;

/// Most distinct records held between two flushes; notes on further records are
/// dropped until the next flush.
const PENDING: usize = 65_536;
/// How long notes gather before they are written: one commit per interval at most.
const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// Most records updated in one transaction, so that a large flush never holds
/// SQLite's write lock for long.
const CHUNK: usize = 512;

/// The latest time noted per record since the last flush.
type Pending = HashMap<RecordId, OffsetDateTime>;

/// What the request threads and the writer share.
#[derive(Default)]
struct Shared {
    pending: Mutex<Pending>,
    closing: AtomicBool,
}

/// Handle to the writer thread; dropping it flushes what is noted and joins the thread.
pub(crate) struct LastSeen {
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
}

impl LastSeen {
    /// Starts the writer over `pool`.
    pub(crate) fn start(pool: DbPool) -> Self {
        let shared = Arc::new(Shared::default());
        let theirs = Arc::clone(&shared);
        let worker = std::thread::Builder::new()
            .name("unlockd-last-seen".to_owned())
            .spawn(move || run(&pool, &theirs));
        let worker = match worker {
            Ok(handle) => Some(handle),
            Err(e) => {
                tracing::warn!(error = %e, "last-seen writer not started; last-seen times stay unset");
                shared.closing.store(true, Ordering::Relaxed);
                None
            }
        };
        Self { shared, worker }
    }

    /// Notes "record `id` was seen at `at`" without waiting on the database.
    pub(crate) fn note(&self, id: RecordId, at: OffsetDateTime) {
        if self.worker.is_none() {
            return;
        }
        let mut pending = self
            .shared
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if pending.len() >= PENDING && !pending.contains_key(&id) {
            tracing::debug!(record = id, "last-seen batch full; note dropped");
            return;
        }
        let latest = pending.entry(id).or_insert(at);
        *latest = (*latest).max(at);
    }
}

impl Drop for LastSeen {
    fn drop(&mut self) {
        self.shared.closing.store(true, Ordering::Release);
        if let Some(worker) = self.worker.take() {
            worker.thread().unpark();
            if worker.join().is_err() {
                tracing::warn!("last-seen writer panicked");
            }
        }
    }
}

fn run(pool: &DbPool, shared: &Shared) {
    loop {
        // Woken early only when the store closes (a spurious wake-up merely flushes
        // sooner).
        std::thread::park_timeout(FLUSH_EVERY);
        let closing = shared.closing.load(Ordering::Acquire);
        let batch = std::mem::take(
            &mut *shared
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        if !batch.is_empty() {
            if let Err(e) = write(pool, &batch) {
                tracing::debug!(error = %e, records = batch.len(), "last-seen batch not written");
            }
        }
        if closing {
            return;
        }
    }
}

fn write(pool: &DbPool, batch: &Pending) -> Result<(), StoreError> {
    let notes: Vec<(&RecordId, &OffsetDateTime)> = batch.iter().collect();
    let mut conn = pool.get()?;
    for chunk in notes.chunks(CHUNK) {
        db::transaction(&mut conn, TxKind::Write, |conn| {
            for &(id, at) in chunk {
                direct!(conn, |c| diesel::update(
                    activation_records::table.find(*id)
                )
                .set(activation_records::last_seen_at.eq(Some(to_db_time(*at))))
                .execute(c))?;
            }
            Ok(())
        })?;
    }
    Ok(())
}
