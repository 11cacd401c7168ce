//! The background last-seen writer (errata E-16): CheckInstallationStatus queues
//! (record, time) and returns; one thread applies the queue in batches. A full queue
//! drops the note, and a failed batch is logged and forgotten: last-seen is
//! informative, never worth delaying or failing an answer.

use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

use diesel::prelude::*;
use time::OffsetDateTime;
use unlockd_core::RecordId;

use crate::convert::to_db_time;
use crate::db::{self, DbPool, TxKind};
use crate::error::StoreError;
use crate::schema::activation_records;

/// Notes waiting for the writer; beyond this they are dropped.
const QUEUE: usize = 4096;
/// Most records updated in one transaction.
const BATCH: usize = 512;

type Note = (RecordId, OffsetDateTime);

/// Handle to the writer thread; dropping it flushes the queue and joins the thread.
pub(crate) struct LastSeen {
    tx: Option<SyncSender<Note>>,
    worker: Option<JoinHandle<()>>,
}

impl LastSeen {
    /// Starts the writer over `pool`.
    pub(crate) fn start(pool: DbPool) -> Self {
        let (tx, rx) = sync_channel(QUEUE);
        let worker = std::thread::Builder::new()
            .name("unlockd-last-seen".to_owned())
            .spawn(move || run(&pool, &rx));
        match worker {
            Ok(handle) => Self {
                tx: Some(tx),
                worker: Some(handle),
            },
            Err(e) => {
                tracing::warn!(error = %e, "last-seen writer not started; last-seen times stay unset");
                Self {
                    tx: None,
                    worker: None,
                }
            }
        }
    }

    /// Queues "record `id` was seen at `at`" without ever blocking.
    pub(crate) fn note(&self, id: RecordId, at: OffsetDateTime) {
        if let Some(tx) = &self.tx {
            if let Err(TrySendError::Full(_)) = tx.try_send((id, at)) {
                tracing::debug!(record = id, "last-seen queue full; note dropped");
            }
        }
    }
}

impl Drop for LastSeen {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(worker) = self.worker.take() {
            if worker.join().is_err() {
                tracing::warn!("last-seen writer panicked");
            }
        }
    }
}

fn run(pool: &DbPool, rx: &Receiver<Note>) {
    while let Ok((id, at)) = rx.recv() {
        let mut batch = BTreeMap::from([(id, at)]);
        while batch.len() < BATCH {
            let Ok((id, at)) = rx.try_recv() else { break };
            let latest = batch.entry(id).or_insert(at);
            *latest = (*latest).max(at);
        }
        if let Err(e) = write(pool, &batch) {
            tracing::debug!(error = %e, records = batch.len(), "last-seen batch not written");
        }
    }
}

fn write(pool: &DbPool, batch: &BTreeMap<RecordId, OffsetDateTime>) -> Result<(), StoreError> {
    let mut conn = pool.get()?;
    db::transaction(&mut conn, TxKind::Write, |conn| {
        for (id, at) in batch {
            diesel::update(activation_records::table.find(*id))
                .set(activation_records::last_seen_at.eq(Some(to_db_time(*at))))
                .execute(conn)?;
        }
        Ok(())
    })
}
