//! Connections: the two-backend connection enum, the r2d2 pool, the per-connection
//! settings, transactions, and the license lock every license mutation takes first.
//!
//! **Locking invariant (rules CON-1, CON-2):** every store operation that changes a
//! license or its records runs inside [`Store::write`](crate::Store) and calls
//! [`lock_license`] before it reads anything it decides on. On SQLite the write
//! transaction is `BEGIN IMMEDIATE`, which already serialises all writers, so the lock
//! is a no-op; on PostgreSQL the transaction is READ COMMITTED and the lock is
//! `SELECT … FOR UPDATE` on the license row: every later statement of the transaction
//! sees what the previous holder committed, and licenses still run in parallel.

use std::path::Path;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{Pool, PooledConnection, R2D2Connection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{PgConnection, SqliteConnection};

use crate::error::StoreError;
use crate::schema::licenses;

/// A database connection of either backend (diesel `MultiConnection`): queries built
/// with the DSL run on both; backend-specific SQL matches on the variant.
#[derive(diesel::MultiConnection)]
pub(crate) enum Conn {
    /// An SQLite file (WAL, synchronous=FULL).
    Sqlite(SqliteConnection),
    /// A PostgreSQL database (synchronous_commit=on, lock_timeout).
    Pg(PgConnection),
}

/// Runs `$body` with `$c` bound to the backend connection inside `$conn` (a
/// `&mut Conn`), once per backend arm, rather than through [`Conn`]'s
/// `MultiConnection` layer, which renders the query's SQL text two or three times on
/// every call (to decide cacheability, collect binds and key its statement cache).
/// On the backend connection a query of static shape finds its prepared statement by
/// type and renders nothing. Every client call's path goes through here (issue 5: the
/// wrapper was 27 % of the CPU of a CheckInstallationStatus load).
///
/// ```ignore
/// let row = direct!(conn, |c| licenses::table.find(id).select(LicenseRow::as_select()).get_result(c))?;
/// ```
macro_rules! direct {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite($c) => $body,
            $crate::db::Conn::Pg($c) => $body,
        }
    };
}
pub(crate) use direct;

/// The pool.
pub(crate) type DbPool = Pool<Manager>;
/// A connection checked out of the pool.
pub(crate) type PooledConn = PooledConnection<Manager>;

/// Where the pool's connections go.
#[derive(Debug, Clone)]
enum Target {
    /// SQLite file path (UTF-8).
    Sqlite(String),
    /// libpq connection URL.
    Pg(String),
}

/// The r2d2 connection manager: opens the configured backend only (never guesses
/// from the URL text), then applies that backend's per-connection settings.
#[derive(Debug, Clone)]
pub(crate) struct Manager {
    target: Target,
    busy_timeout: Duration,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        let mut conn = match &self.target {
            Target::Sqlite(path) => Conn::Sqlite(
                SqliteConnection::establish(path).map_err(diesel::r2d2::Error::ConnectionError)?,
            ),
            Target::Pg(url) => Conn::Pg(
                PgConnection::establish(url).map_err(diesel::r2d2::Error::ConnectionError)?,
            ),
        };
        conn.batch_execute(&session_settings(&conn, self.busy_timeout))
            .map_err(diesel::r2d2::Error::QueryError)?;
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// Per-connection settings.
///
/// SQLite: busy_timeout first, so that the other statements already wait for locks
/// (CON-10); synchronous=FULL makes every commit durable before the reply (CON-6);
/// foreign keys are enforced.
/// PostgreSQL: lock_timeout bounds the wait for a license row lock (CON-10);
/// synchronous_commit=on makes the commit durable before the reply (CON-6); UTC.
fn session_settings(conn: &Conn, busy_timeout: Duration) -> String {
    let ms = busy_timeout.as_millis();
    match conn {
        Conn::Sqlite(_) => format!(
            "PRAGMA busy_timeout = {ms}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
        ),
        Conn::Pg(_) => format!(
            "SET lock_timeout = '{ms}ms'; SET synchronous_commit = on; SET TIME ZONE 'UTC';"
        ),
    }
}

/// The least a pool checkout may wait (rules CON-10: a client request waits ≤ 5 s).
const CHECKOUT_BUDGET: Duration = Duration::from_secs(5);

fn pool(manager: Manager, pool_size: u32, busy_timeout: Duration) -> Result<DbPool, StoreError> {
    Ok(Pool::builder()
        .max_size(pool_size.max(1))
        // No `SELECT 1` before every checkout (a round trip per request on
        // PostgreSQL); a connection that broke is dropped when it is returned
        // (`has_broken`), and the next checkout opens a fresh one.
        .test_on_check_out(false)
        // A checkout (which may open a connection) waits up to CON-10's 5 s client
        // budget even when lock waits are set shorter: a short lock timeout must not
        // turn a slow connect on a loaded machine into a failure to open the store.
        .connection_timeout(busy_timeout.max(CHECKOUT_BUDGET))
        .build(manager)?)
}

/// Opens (creating) the SQLite file, switches it to WAL once (the mode is persistent,
/// and switching from several pool connections at once could itself hit the lock),
/// then builds the pool.
pub(crate) fn open_sqlite(
    path: &Path,
    pool_size: u32,
    busy_timeout: Duration,
) -> Result<DbPool, StoreError> {
    let url = path
        .to_str()
        .ok_or_else(|| {
            StoreError::Config(format!("database path {} is not UTF-8", path.display()))
        })?
        .to_owned();
    let manager = Manager {
        target: Target::Sqlite(url),
        busy_timeout,
    };
    let mut first = r2d2::ManageConnection::connect(&manager)
        .map_err(|e| StoreError::Config(format!("cannot open {}: {e}", path.display())))?;
    first.batch_execute("PRAGMA journal_mode = WAL;")?;
    drop(first);
    pool(manager, pool_size, busy_timeout)
}

/// Connects to the PostgreSQL database at `url` (it must exist; `unlockd migrate`
/// creates the tables) and builds the pool. Errors never repeat the URL, which may
/// hold a password.
pub(crate) fn open_postgres(
    url: &str,
    pool_size: u32,
    busy_timeout: Duration,
) -> Result<DbPool, StoreError> {
    let manager = Manager {
        target: Target::Pg(url.to_owned()),
        busy_timeout,
    };
    let first = r2d2::ManageConnection::connect(&manager)
        .map_err(|e| StoreError::Config(format!("cannot connect to PostgreSQL: {e}")))?;
    drop(first);
    pool(manager, pool_size, busy_timeout)
}

/// What a transaction is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxKind {
    /// A change: SQLite `BEGIN IMMEDIATE` (the write lock from the first statement,
    /// CON-1), PostgreSQL READ COMMITTED (each statement after [`lock_license`] sees
    /// the previous lock holder's commit).
    Write,
    /// A consistent read: SQLite deferred `BEGIN`, PostgreSQL REPEATABLE READ (one
    /// snapshot for every statement).
    Read,
}

/// Runs `f` in one transaction of `kind`, committing only if it returns `Ok`.
pub(crate) fn transaction<T>(
    conn: &mut Conn,
    kind: TxKind,
    f: impl FnOnce(&mut Conn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    match (&mut *conn, kind) {
        (Conn::Sqlite(c), TxKind::Write) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
        }
        (Conn::Sqlite(c), TxKind::Read) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?;
        }
        (Conn::Pg(c), TxKind::Write) => {
            AnsiTransactionManager::begin_transaction_sql(
                c,
                "BEGIN ISOLATION LEVEL READ COMMITTED",
            )?;
        }
        (Conn::Pg(c), TxKind::Read) => {
            AnsiTransactionManager::begin_transaction_sql(
                c,
                "BEGIN ISOLATION LEVEL REPEATABLE READ",
            )?;
        }
    }
    match f(&mut *conn) {
        Ok(value) => {
            <Conn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match <Conn as Connection>::TransactionManager::rollback_transaction(conn) {
            // The original error is the interesting one (diesel does the same).
            Ok(()) | Err(DieselError::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// Whether a failed write transaction may simply run again: PostgreSQL reported a
/// serialization failure (40001) or a deadlock (40P01). Nothing was committed.
pub(crate) fn is_retryable(e: &StoreError) -> bool {
    match e {
        StoreError::Database(DieselError::DatabaseError(kind, info)) => {
            matches!(kind, DatabaseErrorKind::SerializationFailure)
                || info.message().contains("deadlock detected")
        }
        _ => false,
    }
}

/// Takes the lock on license `id` for the rest of the write transaction (rules
/// CON-1): PostgreSQL `SELECT id FROM licenses WHERE id = $1 FOR UPDATE`, waiting at
/// most the lock timeout (CON-10 ⇒ [`StoreError::Busy`]); SQLite nothing, because
/// `BEGIN IMMEDIATE` already holds the database's write lock. Call it first in every
/// operation that changes a license or its records, before reading what the decision
/// is based on. An unknown `id` locks nothing and is not an error (the caller's read
/// answers "not found", ERR-1).
pub(crate) fn lock_license(conn: &mut Conn, id: i32) -> Result<(), StoreError> {
    match conn {
        Conn::Sqlite(_) => Ok(()),
        Conn::Pg(c) => {
            licenses::table
                .find(id)
                .select(licenses::id)
                .for_update()
                .get_result::<i32>(c)
                .optional()?;
            Ok(())
        }
    }
}

/// Key of the PostgreSQL advisory lock that serialises license and customer ID
/// allocation (rules SEQ-2, errata E-6).
const ID_ALLOCATION_LOCK_KEY: i64 = 0x756e_6c6f_636b_6964;

/// Serialises ID allocation (max + 1 and bulk reservations, rules SEQ-1/SEQ-2) for the
/// rest of the write transaction: PostgreSQL `pg_advisory_xact_lock` (errata E-6: an
/// advisory lock, never a table lock, so activations are not blocked); SQLite nothing,
/// because `BEGIN IMMEDIATE` already serialises writers.
pub(crate) fn lock_id_allocation(conn: &mut Conn) -> Result<(), StoreError> {
    match conn {
        Conn::Sqlite(_) => Ok(()),
        Conn::Pg(c) => {
            diesel::sql_query(format!(
                "SELECT pg_advisory_xact_lock({ID_ALLOCATION_LOCK_KEY})"
            ))
            .execute(c)?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn serialization_failures_and_deadlocks_rerun_other_errors_do_not() {
        let retryable = |kind, message| is_retryable(&db_error(kind, message).into());
        assert!(retryable(
            DatabaseErrorKind::SerializationFailure,
            "could not serialize access due to concurrent update"
        ));
        assert!(retryable(DatabaseErrorKind::Unknown, "deadlock detected"));
        assert!(!retryable(
            DatabaseErrorKind::UniqueViolation,
            "duplicate key value violates unique constraint"
        ));
        assert!(!is_retryable(&StoreError::Busy));
    }

    #[test]
    fn con_10_an_expired_postgres_lock_timeout_is_busy() {
        let e: StoreError = db_error(
            DatabaseErrorKind::Unknown,
            "canceling statement due to lock timeout",
        )
        .into();
        assert!(matches!(e, StoreError::Busy), "{e:?}");
    }
}
