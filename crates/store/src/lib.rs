//! unlockd-store: diesel persistence on SQLite (bundled) or PostgreSQL, chosen by the
//! [`DatabaseUrl`]: one `schema.rs`, one diesel `MultiConnection` (`db::Conn`),
//! migrations per backend (`migrations/sqlite`, `migrations/postgresql`).
//!
//! **Invariant:** the store alone writes SQL. Every license mutation is one write
//! transaction ([`Store::write`]) that first takes the license lock
//! (`db::lock_license`), then re-reads the license row, loads what core's rules ask
//! for, calls core, and writes the staged effects (rules CON-1..3), so a seat is
//! re-read and taken under one lock and can never be oversold, by one process or by
//! several sharing a PostgreSQL database. All calls are synchronous; the server runs
//! them on the blocking pool.

mod activation;
mod admin;
mod back_office;
mod bulk;
mod convert;
mod counter;
mod customer_office;
mod db;
mod digest;
mod error;
mod floating;
mod grant_update;
mod group;
mod history;
mod inputs;
mod installation;
mod keys;
mod last_seen;
mod license_fields;
mod license_office;
mod load;
mod offline;
mod pp4;
mod refresh;
mod rows;
mod schema;
mod update_check;
mod url;

use std::time::Duration;

use diesel::RunQueryDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub use activation::Activated;
pub use back_office::{LicenseFilter, LicenseListing, NewDistributor, NewInvoice};
pub use bulk::{BulkAdd, BulkListed, BulkOutcome};
pub use customer_office::{LicenseWithCustomer, SEARCH_LIMIT};
pub use error::StoreError;
pub use floating::NewFloatingSet;
pub use inputs::{
    CounterSource, NewApiUser, NewAuthor, NewCustomer, NewLicense, NewOption, NewProduct,
    QuantityMode,
};
pub use keys::{KeyRow, KeyState, NewKey, PrivateParts};
pub use license_office::{ApiUserRecord, ThrottlePolicy};
pub use offline::OfflineClaim;
pub use update_check::ProductUpdatesChange;
pub use url::{DatabaseUrl, DatabaseUrlError};

use crate::db::{Conn, DbPool, PooledConn, TxKind};
use crate::group::GroupCommit;
use crate::last_seen::LastSeen;

/// The SQLite migrations, compiled into the binary.
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// The PostgreSQL migrations: one twin per SQLite migration, same directory names.
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgresql");
/// Key of the PostgreSQL advisory lock that serialises `migrate` across processes.
const MIGRATION_LOCK_KEY: i64 = 0x0075_6e6c_6f63_6b64; // "unlockd" in ASCII
/// How often a write transaction runs again after a PostgreSQL serialization
/// failure or deadlock before the error is returned.
const WRITE_RETRIES: u32 = 5;

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
    /// SQLite only: this process's writers share batches (group commit, errata E-16).
    group: Option<GroupCommit>,
    /// The CON-10 bound on waiting for the write connection.
    busy_timeout: Duration,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `url`: an SQLite file (created if it does not exist) in
    /// WAL mode with synchronous=FULL (CON-6), busy_timeout (CON-10) and foreign
    /// keys; or an existing PostgreSQL database with synchronous_commit=on (CON-6)
    /// and lock_timeout = the busy timeout (CON-10). Call [`Store::migrate`] before
    /// use.
    pub fn open(url: &DatabaseUrl, opts: StoreOptions) -> Result<Self, StoreError> {
        let pool = match url {
            DatabaseUrl::Sqlite(path) => db::open_sqlite(path, opts.pool_size, opts.busy_timeout)?,
            DatabaseUrl::Postgres(url) => {
                db::open_postgres(url, opts.pool_size, opts.busy_timeout)?
            }
        };
        let last_seen = LastSeen::start(pool.clone());
        let group = matches!(url, DatabaseUrl::Sqlite(_)).then(GroupCommit::default);
        Ok(Self {
            pool,
            last_seen,
            group,
            busy_timeout: opts.busy_timeout,
        })
    }

    /// Runs every pending migration of the backend; running it again is a no-op.
    /// On PostgreSQL an advisory lock serialises processes migrating at once.
    pub fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let migration_error =
            |e: Box<dyn std::error::Error + Send + Sync>| StoreError::Migration(e.to_string());
        match &mut *conn {
            Conn::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|_| ())
                .map_err(migration_error),
            Conn::Pg(c) => {
                diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                    .execute(c)?;
                let ran = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|_| ())
                    .map_err(migration_error);
                diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                    .execute(c)?;
                ran
            }
        }
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

    /// Runs `f` in one write transaction and commits only if it returns `Ok`.
    ///
    /// SQLite: `f` runs in a savepoint of the process's current group-commit batch
    /// (`group.rs`, errata E-16), one `BEGIN IMMEDIATE` transaction holding the write
    /// lock (CON-1) shared by concurrent writers; this returns after the batch's
    /// durable commit (CON-6), and `Err` from `f` rolls back `f`'s changes only. Each
    /// waits at most the busy timeout (CON-10). PostgreSQL: READ
    /// COMMITTED; `f` must call `db::lock_license` before reading a license it
    /// changes (CON-1), and a serialization failure or deadlock runs `f` again, at
    /// most [`WRITE_RETRIES`] more times (hence `FnMut`: `f` must not keep state
    /// across runs, nothing of a failed run was committed).
    pub(crate) fn write<T>(
        &self,
        mut f: impl FnMut(&mut Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if let Some(group) = &self.group {
            return group.run(self.busy_timeout, || self.conn(), f);
        }
        let mut conn = self.conn()?;
        let mut retries = 0;
        loop {
            match db::transaction(&mut conn, TxKind::Write, &mut f) {
                Err(e) if retries < WRITE_RETRIES && db::is_retryable(&e) => {
                    retries += 1;
                    tracing::debug!(error = %e, retries, "write transaction retried");
                    std::thread::sleep(Duration::from_millis(1 << retries));
                }
                done => return done,
            }
        }
    }

    /// Runs `f` in a read transaction (one consistent snapshot).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn()?;
        db::transaction(&mut conn, TxKind::Read, f)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    /// Migration directory names under `migrations/<backend>`.
    fn migration_names(backend: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| {
                let path = entry.unwrap().path();
                for file in ["up.sql", "down.sql"] {
                    assert!(path.join(file).is_file(), "{} lacks {file}", path.display());
                }
                path.file_name().unwrap().to_string_lossy().into_owned()
            })
            .collect()
    }

    #[test]
    fn every_sqlite_migration_has_a_postgresql_twin() {
        let sqlite = migration_names("sqlite");
        assert!(!sqlite.is_empty());
        assert_eq!(
            sqlite,
            migration_names("postgresql"),
            "each migrations/sqlite/<name> needs migrations/postgresql/<name> and back"
        );
    }
}
