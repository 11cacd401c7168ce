//! Connections: the backend alias, the r2d2 pool and the per-connection PRAGMAs.

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{Connection, SqliteConnection};

use crate::error::StoreError;

/// The connection type of this build (only SQLite is built, see `Cargo.toml`).
pub(crate) type Conn = SqliteConnection;
/// The pool.
pub(crate) type DbPool = Pool<ConnectionManager<Conn>>;
/// A connection checked out of the pool.
pub(crate) type PooledConn = PooledConnection<ConnectionManager<Conn>>;

/// Sets the per-connection PRAGMAs on every connection the pool opens.
#[derive(Debug, Clone, Copy)]
struct Pragmas {
    busy_timeout: Duration,
}

impl CustomizeConnection<Conn, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&per_connection_pragmas(self.busy_timeout))
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// busy_timeout first, so that the other statements already wait for locks (CON-10);
/// synchronous=FULL makes every commit durable before the reply (CON-6);
/// foreign keys are enforced.
fn per_connection_pragmas(busy_timeout: Duration) -> String {
    format!(
        "PRAGMA busy_timeout = {}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        busy_timeout.as_millis()
    )
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
    let mut first = SqliteConnection::establish(&url)
        .map_err(|e| StoreError::Config(format!("cannot open {}: {e}", path.display())))?;
    first.batch_execute(&per_connection_pragmas(busy_timeout))?;
    first.batch_execute("PRAGMA journal_mode = WAL;")?;
    drop(first);
    let pool = Pool::builder()
        .max_size(pool_size.max(1))
        // Waiting for a connection counts against the same CON-10 budget.
        .connection_timeout(busy_timeout)
        .connection_customizer(Box::new(Pragmas { busy_timeout }))
        .build(ConnectionManager::<Conn>::new(url))?;
    Ok(pool)
}
