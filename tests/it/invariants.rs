//! The invariant checker of the storm and crash tests: reads the database after the
//! fact and proves rules CON-2 (errata E-16) and CON-3 for each license, and that
//! the history agrees with the counts.

use std::collections::HashSet;

use diesel::dsl::sql;
use diesel::sql_types::BigInt;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use unlockd_core::{ActivationRecord, DeactivationReason, LicenseId, LicenseState, RecordState};
use unlockd_store::{DatabaseUrl, Store, StoreOptions};

/// One `SELECT COUNT(*) …` on the database at `url`, either backend.
pub(crate) fn count(url: &str, query: &str) -> i64 {
    let select = diesel::select(sql::<BigInt>(&format!("({query})")));
    match url.strip_prefix("sqlite://") {
        Some(path) => select
            .get_result(&mut SqliteConnection::establish(path).expect("open SQLite"))
            .expect("count"),
        None => select
            .get_result(&mut PgConnection::establish(url).expect("connect PostgreSQL"))
            .expect("count"),
    }
}

/// The store of the database at `url`.
pub(crate) fn open_store(url: &str) -> Store {
    let url = DatabaseUrl::parse(url).expect("database URL");
    Store::open(&url, StoreOptions::default()).expect("open store")
}

/// What the database holds about one license.
pub(crate) struct LicenseView {
    pub state: LicenseState,
    pub records: Vec<ActivationRecord>,
}

impl LicenseView {
    pub(crate) fn load(store: &Store, id: i32) -> Self {
        let id = LicenseId::new(id).expect("license ID");
        Self {
            state: store.license_state(id).expect("read").expect("license"),
            records: store.records(id).expect("records"),
        }
    }
}

/// Asserts CON-2, CON-3 and history consistency for license `id`: left within
/// [0, allowed], dl ≥ −1, counter ≥ 0, seats taken = consumed active records, one
/// success row per record created and per client deactivation.
pub(crate) fn assert_license_invariants(url: &str, store: &Store, id: i32) -> LicenseView {
    let view = LicenseView::load(store, id);
    let s = &view.state;
    assert!(
        (0..=s.activations_allowed).contains(&s.activations_left),
        "CON-2: license {id} left {} outside 0..={}",
        s.activations_left,
        s.activations_allowed
    );
    assert!(
        s.deactivations_left >= -1,
        "CON-2: license {id} dl {}",
        s.deactivations_left
    );
    if let Some(counter) = s.license_counter {
        assert!(counter >= 0, "CON-2: license {id} counter {counter}");
    }
    let active: Vec<_> = view
        .records
        .iter()
        .filter(|r| r.state == RecordState::Active)
        .collect();
    let seats_taken = active.iter().filter(|r| r.consumed).count() as i32;
    assert_eq!(
        s.activations_allowed - s.activations_left,
        seats_taken,
        "license {id}: seats taken = consumed active records"
    );
    let mut ids = HashSet::new();
    for r in &active {
        if let Some(iid) = &r.installation_id {
            assert!(ids.insert(iid.to_string()), "CON-3: {iid} active twice");
        }
    }
    let mut keys = HashSet::new();
    for r in &active {
        assert!(
            keys.insert(format!("{:?}", r.key)),
            "CON-3: two active records for one computer on license {id}"
        );
    }
    let activations = count(
        url,
        &format!(
            "SELECT COUNT(*) FROM activation_history WHERE license_id = {id} AND result_code = 0 \
             AND operation IN ('ActivateInstallationLicenseFile', 'ActivateInstallation')"
        ),
    );
    assert_eq!(
        activations,
        view.records.len() as i64,
        "license {id}: one success row per record created"
    );
    let client_deactivations = view
        .records
        .iter()
        .filter(|r| {
            matches!(
                r.state,
                RecordState::Deactivated {
                    reason: DeactivationReason::Client,
                    ..
                }
            )
        })
        .count() as i64;
    let deactivations = count(
        url,
        &format!(
            "SELECT COUNT(*) FROM activation_history WHERE license_id = {id} AND result_code = 0 \
             AND operation = 'DeactivateInstallation'"
        ),
    );
    assert_eq!(
        deactivations, client_deactivations,
        "license {id}: one success row per client deactivation"
    );
    view
}
