//! unlockd-store: diesel persistence on SQLite (bundled), shaped so that a PostgreSQL
//! backend can be added as a feature (one `schema.rs`, migrations per backend).
//!
//! **Invariant:** the store alone writes SQL. Every license mutation is one
//! `BEGIN IMMEDIATE` transaction that re-reads the license row, loads what core's
//! rules ask for, calls core, and writes the staged effects (rules CON-1..3), so a
//! seat is re-read and taken under one lock and can never be oversold. All calls are
//! synchronous; the server runs them on the blocking pool.

#[cfg(not(feature = "sqlite"))]
compile_error!("unlockd-store needs a database backend feature; enable `sqlite`");

mod activation;
mod admin;
mod convert;
mod counter;
mod db;
mod digest;
mod error;
mod history;
mod inputs;
mod installation;
mod keys;
mod last_seen;
mod load;
mod rows;
mod schema;
mod url;

use std::time::Duration;

use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use activation::Activated;
pub use error::StoreError;
pub use inputs::{
    CounterSource, NewApiUser, NewAuthor, NewCustomer, NewLicense, NewOption, NewProduct,
    QuantityMode,
};
pub use keys::{KeyRow, KeyState, NewKey};
pub use url::{DatabaseUrl, DatabaseUrlError};

use crate::db::{Conn, DbPool, PooledConn};
use crate::last_seen::LastSeen;

/// The SQLite migrations, compiled into the binary.
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Connection settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Connections in the pool.
    pub pool_size: u32,
    /// How long a request waits for the write lock before [`StoreError::Busy`]
    /// (rules CON-10: 5 s).
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            pool_size: 8,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// The database: a connection pool plus the background last-seen writer.
pub struct Store {
    pool: DbPool,
    last_seen: LastSeen,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `url`, creating an SQLite file if it does not exist, in
    /// WAL mode with synchronous=FULL (CON-6), busy_timeout (CON-10) and foreign keys.
    /// Call [`Store::migrate`] before use.
    pub fn open(url: &DatabaseUrl, opts: StoreOptions) -> Result<Self, StoreError> {
        let pool = match url {
            DatabaseUrl::Sqlite(path) => db::open_sqlite(path, opts.pool_size, opts.busy_timeout)?,
        };
        let last_seen = LastSeen::start(pool.clone());
        Ok(Self { pool, last_seen })
    }

    /// Runs every pending migration; running it again is a no-op.
    pub fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        conn.run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|_| ())
            .map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// A pooled connection. A healthy pool (it holds connections) that has none free
    /// within the busy timeout is contention: [`StoreError::Busy`] (CON-10).
    fn conn(&self) -> Result<PooledConn, StoreError> {
        self.pool.get().map_err(|e| {
            if self.pool.state().connections > 0 {
                StoreError::Busy
            } else {
                StoreError::Pool(e)
            }
        })
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: it holds the write lock from the
    /// first statement (CON-1), waits at most the busy timeout for it (CON-10), and
    /// commits only if `f` returns `Ok`.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.conn()?.immediate_transaction(f)
    }

    /// Runs `f` in a read transaction (one consistent snapshot).
    fn read<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.conn()?;
        let conn: &mut Conn = &mut conn;
        conn.transaction(f)
    }
}
