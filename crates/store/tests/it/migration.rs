//! Migrations and connection setup.

use diesel::prelude::*;
use diesel::sql_types::Text;
use unlockd_store::{DatabaseUrl, Store, StoreOptions};

use crate::support::{open, trigger_request, Fixture, TestDb};

#[derive(QueryableByName)]
struct Mode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

#[test]
fn migrations_are_idempotent_across_runs_and_reopens() {
    let f = Fixture::new();
    let license = f.license(f.option(|_| {}), |_| {});
    f.activate(&trigger_request(license, 1234)).unwrap();
    let before = f.store.table_digests().unwrap();
    f.store.migrate().unwrap();
    assert_eq!(f.store.table_digests().unwrap(), before);
    let Fixture { db, store, .. } = f;
    drop(store);
    let reopened = open(&db, StoreOptions::default());
    reopened.migrate().unwrap();
    assert_eq!(reopened.table_digests().unwrap(), before);
    assert_eq!(reopened.history_count().unwrap(), 1);
}

#[test]
fn open_creates_an_empty_schema_and_an_sqlite_file_in_wal_mode() {
    let db = TestDb::new();
    let store = Store::open(&db.url(), StoreOptions::default()).unwrap();
    store.migrate().unwrap();
    let digests = store.table_digests().unwrap();
    assert!(digests.contains_key("licenses"));
    assert!(!digests.contains_key("activation_history"));
    assert!(digests.values().all(|(rows, _)| *rows == 0));
    if let Some(dir) = db.sqlite_dir() {
        // The URL form creates a file that did not exist, in WAL mode (CON-6).
        let path = dir.join("nested.db");
        let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).unwrap();
        Store::open(&url, StoreOptions::default()).unwrap();
        assert!(path.exists());
        let mut raw = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
            .get_result(&mut raw)
            .unwrap();
        assert_eq!(mode.journal_mode, "wal");
    }
}
