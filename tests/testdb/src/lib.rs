//! A fresh, empty database of the backend under test, for the store's tests and the
//! black-box tests alike. The backend comes from `UNLOCKD_TEST_DATABASE`: `sqlite`
//! (default, a file in a temp dir) or `postgres` (a database `unlockd_test_<pid>_<n>`
//! of its own on 127.0.0.1:5432, trust auth, dropped with the guard).

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

/// The PostgreSQL server's maintenance database (trust auth).
const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Whether this run tests PostgreSQL (`UNLOCKD_TEST_DATABASE=postgres`).
pub fn on_postgres() -> bool {
    match std::env::var("UNLOCKD_TEST_DATABASE").as_deref() {
        Ok("postgres" | "postgresql") => true,
        Ok("sqlite" | "") | Err(_) => false,
        Ok(other) => panic!("UNLOCKD_TEST_DATABASE={other}: use sqlite or postgres"),
    }
}

/// A fresh, empty database of the backend under test; removed on drop.
pub struct TestDatabase {
    url: String,
    place: Place,
}

enum Place {
    /// The temp dir; its drop deletes the file.
    Sqlite { dir: tempfile::TempDir },
    /// The database name.
    Postgres(String),
}

impl TestDatabase {
    /// A temp SQLite file, or a new PostgreSQL database `unlockd_test_<pid>_<n>`.
    pub fn new() -> Self {
        if on_postgres() {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let name = format!(
                "unlockd_test_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            );
            let mut admin = PgConnection::establish(PG_ADMIN_URL).expect("PostgreSQL");
            // A leftover of an earlier run with the same pid goes first.
            admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .expect("drop old test database");
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create test database");
            Self {
                url: format!("postgres://postgres@127.0.0.1:5432/{name}"),
                place: Place::Postgres(name),
            }
        } else {
            let dir = tempfile::tempdir().expect("temp dir");
            Self {
                url: format!("sqlite://{}", dir.path().join("unlockd.db").display()),
                place: Place::Sqlite { dir },
            }
        }
    }

    /// The `--database-url` of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The temp dir holding the SQLite file; `None` on PostgreSQL.
    pub fn sqlite_dir(&self) -> Option<&Path> {
        match &self.place {
            Place::Sqlite { dir } => Some(dir.path()),
            Place::Postgres(_) => None,
        }
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Place::Postgres(name) = &self.place {
            if let Ok(mut admin) = PgConnection::establish(PG_ADMIN_URL) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}
