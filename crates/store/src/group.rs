//! Group commit on SQLite (errata E-16): the writes of several concurrent requests
//! share one `BEGIN IMMEDIATE … COMMIT`, so one fsync makes all of them durable.
//!
//! SQLite admits one writer per file, and with `synchronous=FULL` each commit waits
//! for an fsync; one transaction per request bounds a process to the disk's commit
//! rate. Here the writers of this process take turns on one connection holding one
//! open write transaction (a *batch*): each runs its change inside a savepoint of its
//! own (a failing or refused change rolls back alone and poisons no other), then hands
//! the connection to the next waiting writer. The writer that finds nobody waiting, or
//! the batch full, commits; every member of the batch waits for that commit and only
//! then returns, so a reply of success still means durable (CON-6), and a failed commit
//! fails every member. Each change still runs under the database's write lock and
//! re-reads what it decides on (CON-1): it sees the changes of the members before it.
//! Other processes on the same file meet `BEGIN IMMEDIATE` and the busy timeout as
//! before; writers of this process queue here, bounded by the same timeout (CON-10).

use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::Connection;

use crate::db::{Conn, PooledConn};
use crate::StoreError;

/// Most changes committed by one batch: bounds how long the first member waits.
const MAX_BATCH: usize = 64;

/// How a batch ended: committed, or the reason none of it was written.
type Outcome = Arc<OnceLock<Result<(), String>>>;

/// The writers of one process and the batch they share.
#[derive(Default)]
pub(crate) struct GroupCommit {
    state: Mutex<State>,
    /// The connection was handed on (or the writer holding it left).
    handed: Condvar,
    /// A batch settled, or a batch lost the writer it was handed to.
    settled: Condvar,
}

#[derive(Default)]
struct State {
    /// Some writer runs on the connection (opening, changing or committing a batch).
    held: bool,
    /// The open batch while no writer runs on it.
    idle: Option<Batch>,
    /// Writers waiting for the connection.
    waiting: usize,
    /// Batches committed or failed so far.
    settled: u64,
}

/// An open write transaction and the members that changed something in it.
struct Batch {
    conn: PooledConn,
    members: usize,
    outcome: Outcome,
}

/// The batch while this writer runs on it; returns it on an unwinding panic.
struct Holding<'g> {
    group: &'g GroupCommit,
    batch: Option<Batch>,
}

impl GroupCommit {
    /// Runs `f` as one member of a batch and returns its result once the batch is
    /// durably committed. `open` gives the connection for a new batch. Waits at most
    /// `timeout` for the connection (CON-10: then [`StoreError::Busy`]); `Err` from
    /// `f` rolls back `f`'s changes only.
    pub(crate) fn run<T>(
        &self,
        timeout: Duration,
        open: impl FnOnce() -> Result<PooledConn, StoreError>,
        f: impl FnOnce(&mut Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut holding = self.enter(timeout, open)?;
        let batch = holding.batch.as_mut().expect("entered with a batch");
        let result = match member(&mut batch.conn, f) {
            Ok(result) => result,
            Err(broken) => {
                // The savepoint could not be undone: nothing of this batch is safe.
                let mut batch = holding.batch.take().expect("entered with a batch");
                let _ = <Conn as Connection>::TransactionManager::rollback_transaction(
                    &mut *batch.conn,
                );
                self.settle(batch, Err(broken.to_string()));
                return Err(broken);
            }
        };
        let batch = holding.batch.take().expect("entered with a batch");
        let outcome = Arc::clone(&batch.outcome);
        self.leave(batch);
        self.wait(&outcome)?;
        result
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the connection: the open batch, or a new one.
    fn enter(
        &self,
        timeout: Duration,
        open: impl FnOnce() -> Result<PooledConn, StoreError>,
    ) -> Result<Holding<'_>, StoreError> {
        let mut s = self.lock();
        s.waiting += 1;
        let (mut s, _) = self
            .handed
            .wait_timeout_while(s, timeout, |s| s.held)
            .unwrap_or_else(PoisonError::into_inner);
        s.waiting -= 1;
        if s.held {
            // A batch handed on because of us must not wait for us.
            self.settled.notify_all();
            return Err(StoreError::Busy);
        }
        s.held = true;
        if let Some(batch) = s.idle.take() {
            return Ok(Holding {
                group: self,
                batch: Some(batch),
            });
        }
        drop(s);
        match begin(open) {
            Ok(conn) => Ok(Holding {
                group: self,
                batch: Some(Batch {
                    conn,
                    members: 0,
                    outcome: Arc::default(),
                }),
            }),
            Err(e) => {
                self.release();
                Err(e)
            }
        }
    }

    /// Lets go of the connection without a batch.
    fn release(&self) {
        self.lock().held = false;
        self.handed.notify_one();
    }

    /// Hands the batch to the next waiting writer, or commits it.
    fn leave(&self, mut batch: Batch) {
        batch.members += 1;
        let mut s = self.lock();
        if s.waiting > 0 && batch.members < MAX_BATCH {
            s.idle = Some(batch);
            s.held = false;
            drop(s);
            self.handed.notify_one();
        } else {
            drop(s);
            self.commit(batch);
        }
    }

    /// Commits the batch (one fsync) and tells its members.
    fn commit(&self, mut batch: Batch) {
        let done = <Conn as Connection>::TransactionManager::commit_transaction(&mut *batch.conn)
            .map_err(|e| e.to_string());
        if done.is_err() {
            // Leaves the connection clean for the next batch; the error is the commit's.
            let _ =
                <Conn as Connection>::TransactionManager::rollback_transaction(&mut *batch.conn);
        }
        tracing::trace!(writers = batch.members, ok = done.is_ok(), "group commit");
        self.settle(batch, done);
    }

    /// Records the batch's outcome, gives the connection back and wakes everyone.
    fn settle(&self, batch: Batch, outcome: Result<(), String>) {
        let _ = batch.outcome.set(outcome);
        drop(batch.conn);
        let mut s = self.lock();
        s.held = false;
        s.settled += 1;
        drop(s);
        self.handed.notify_one();
        self.settled.notify_all();
    }

    /// Waits until the batch settled; commits it if it was handed to a writer that
    /// gave up waiting and nobody else is left to.
    fn wait(&self, outcome: &Outcome) -> Result<(), StoreError> {
        let mut s = self.lock();
        loop {
            if let Some(done) = outcome.get() {
                return done.clone().map_err(StoreError::GroupCommitFailed);
            }
            let orphaned = !s.held
                && s.waiting == 0
                && s.idle
                    .as_ref()
                    .is_some_and(|b| Arc::ptr_eq(&b.outcome, outcome));
            if orphaned {
                let batch = s.idle.take().expect("checked above");
                s.held = true;
                drop(s);
                self.commit(batch);
                s = self.lock();
                continue;
            }
            s = self.settled.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Batches committed or failed so far.
    #[cfg(test)]
    fn settled_batches(&self) -> u64 {
        self.lock().settled
    }

    /// Writers waiting for the connection.
    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.lock().waiting
    }
}

impl Drop for Holding<'_> {
    fn drop(&mut self) {
        // Only when a member panicked: the pool discards the connection, which rolls
        // the transaction back; the other members learn that their batch failed.
        if let Some(batch) = self.batch.take() {
            self.group
                .settle(batch, Err("a writer of this batch panicked".to_owned()));
        }
    }
}

/// A new batch: a connection in `BEGIN IMMEDIATE` (the write lock from the start).
fn begin(open: impl FnOnce() -> Result<PooledConn, StoreError>) -> Result<PooledConn, StoreError> {
    let mut conn = open()?;
    match &mut *conn {
        Conn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        Conn::Pg(_) => {
            return Err(StoreError::Config(
                "group commit is for SQLite connections".to_owned(),
            ))
        }
    }
    Ok(conn)
}

/// Runs `f` in a savepoint of the batch: kept on `Ok`, rolled back on `Err`. The outer
/// `Err` means the savepoint itself failed and the batch cannot go on.
fn member<T>(
    conn: &mut Conn,
    f: impl FnOnce(&mut Conn) -> Result<T, StoreError>,
) -> Result<Result<T, StoreError>, StoreError> {
    type Tm = <Conn as Connection>::TransactionManager;
    Tm::begin_transaction(conn)?;
    let result = f(conn);
    match &result {
        Ok(_) => Tm::commit_transaction(conn)?,
        Err(_) => Tm::rollback_transaction(conn)?,
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::BigInt;
    use diesel::RunQueryDsl;
    use unlockd_core::Refusal;

    use crate::db::{self, DbPool};

    const WAIT: Duration = Duration::from_secs(5);

    #[derive(diesel::QueryableByName)]
    struct Value {
        #[diesel(sql_type = BigInt)]
        v: i64,
    }

    fn pool(dir: &std::path::Path) -> DbPool {
        let pool = db::open_sqlite(&dir.join("group.db"), 4, WAIT).expect("open");
        pool.get()
            .expect("conn")
            .batch_execute("CREATE TABLE t (v INTEGER NOT NULL)")
            .expect("table");
        pool
    }

    fn insert(conn: &mut Conn, v: i64) -> Result<(), StoreError> {
        diesel::sql_query(format!("INSERT INTO t (v) VALUES ({v})")).execute(conn)?;
        Ok(())
    }

    fn values(pool: &DbPool) -> Vec<i64> {
        diesel::sql_query("SELECT v FROM t ORDER BY v")
            .load::<Value>(&mut *pool.get().expect("conn"))
            .expect("select")
            .into_iter()
            .map(|r| r.v)
            .collect()
    }

    /// Errata E-16: three writers in one batch, one commit; the refused one's insert
    /// is rolled back to its savepoint and the others are committed.
    #[test]
    fn e_16_one_batch_commits_its_members_and_a_refusal_rolls_back_alone() {
        let dir = std::env::temp_dir().join(format!("unlockd-group-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let pool = pool(&dir);
        let group = GroupCommit::default();
        let open = || pool.get().map_err(StoreError::from);
        std::thread::scope(|scope| {
            let first = scope.spawn(|| {
                group.run(WAIT, open, |conn| {
                    insert(conn, 1)?;
                    // Hold the batch until both other writers queue behind us.
                    while group.waiting() < 2 {
                        std::thread::yield_now();
                    }
                    Ok("first")
                })
            });
            while !group.lock().held {
                std::thread::yield_now();
            }
            let refused = scope.spawn(|| {
                group.run(WAIT, open, |conn| {
                    insert(conn, 2)?;
                    Err::<(), _>(StoreError::Refused(Refusal::NoActivations))
                })
            });
            let third = scope.spawn(|| group.run(WAIT, open, |conn| insert(conn, 3)));
            assert_eq!(first.join().expect("first").expect("committed"), "first");
            assert!(matches!(
                refused.join().expect("refused"),
                Err(StoreError::Refused(Refusal::NoActivations))
            ));
            third.join().expect("third").expect("committed");
        });
        assert_eq!(values(&pool), [1, 3]);
        assert_eq!(
            group.settled_batches(),
            1,
            "one commit for the three writers"
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A writer alone commits its own batch; the next one opens a new batch.
    #[test]
    fn con_6_a_lone_writer_returns_after_its_own_commit() {
        let dir = std::env::temp_dir().join(format!("unlockd-group-lone-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let pool = pool(&dir);
        let group = GroupCommit::default();
        let open = || pool.get().map_err(StoreError::from);
        group
            .run(WAIT, open, |conn| insert(conn, 7))
            .expect("first");
        assert_eq!(
            values(&pool),
            [7],
            "visible to another connection: committed"
        );
        group
            .run(WAIT, open, |conn| insert(conn, 8))
            .expect("second");
        assert_eq!(values(&pool), [7, 8]);
        assert_eq!(group.settled_batches(), 2);
        std::fs::remove_dir_all(&dir).ok();
    }
}
