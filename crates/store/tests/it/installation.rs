//! CheckInstallationStatus (CHK-1) and DeactivateInstallation (DEA-1).

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use time::Duration;
use unlockd_core::activation::Policy;
use unlockd_core::deactivation::DeactivationRequest;
use unlockd_core::status_check::CheckRequest;
use unlockd_core::{InstallationId, LicenseStatus, RecordState, Refusal};
use unlockd_store::StoreError;

use crate::support::{trigger_request, Fixture, NOW};

fn deactivatable(f: &Fixture, left: i32) -> (unlockd_core::LicenseId, InstallationId) {
    let option = f.option(|o| {
        o.issue_installation_id = true;
        o.allow_deactivations = true;
        o.deactivations_per_unit = 2;
    });
    let license = f.license(option, |l| l.activations_left = Some(left));
    let (grant, _) = f.activate(&trigger_request(license, 1234)).unwrap();
    (license, grant.installation_id.unwrap())
}

fn check(iid: InstallationId) -> CheckRequest {
    CheckRequest {
        installation_id: iid,
        key: None,
        client_time: None,
    }
}

fn deactivation(iid: InstallationId) -> DeactivationRequest {
    DeactivationRequest {
        installation_id: iid,
        key: None,
        client_time: None,
    }
}

#[derive(QueryableByName)]
struct LastSeen {
    #[diesel(sql_type = Nullable<Text>)]
    last_seen_at: Option<String>,
}

#[test]
fn chk_1_a_check_answers_changes_nothing_and_notes_last_seen_in_the_background() {
    let f = Fixture::new();
    let (license, iid) = deactivatable(&f, 3);
    let before = f.store.table_digests().unwrap();
    let later = NOW + Duration::hours(1);
    let status = f
        .store
        .check_installation(&check(iid), later, &Policy::default())
        .unwrap()
        .unwrap();
    assert_eq!(status.license_id, license);
    assert_eq!(status.status, LicenseStatus::Ok);
    assert_eq!(f.store.table_digests().unwrap(), before);
    // Dropping the store flushes the last-seen queue (E-16: best effort, no wait
    // in the answer).
    let Fixture { db, store, .. } = f;
    drop(store);
    let seen: LastSeen = diesel::sql_query(
        "SELECT CAST(last_seen_at AS TEXT) AS last_seen_at FROM activation_records",
    )
    .get_result(&mut db.raw())
    .unwrap();
    assert_eq!(seen.last_seen_at.as_deref(), Some("2025-03-10 13:00:00"));
}

#[test]
fn chk_1_an_unknown_installation_is_refused() {
    let f = Fixture::new();
    let iid = InstallationId::parse("11111111-2222-3333-4444-555555555555").unwrap();
    let answer = f
        .store
        .check_installation(&check(iid), NOW, &Policy::default())
        .unwrap();
    assert_eq!(answer.unwrap_err().refusal, Refusal::InstallationNotFound);
}

#[test]
fn dea_1_ex_50_deactivation_refunds_a_consumed_seat_and_spends_one_deactivation() {
    let f = Fixture::new();
    let (license, iid) = deactivatable(&f, 1);
    assert_eq!(f.left(license), 0);
    let later = NOW + Duration::minutes(5);
    let done = f
        .store
        .deactivate(&deactivation(iid), later, &Policy::default())
        .unwrap();
    assert_eq!(done.activations_left, 1);
    assert_eq!(done.deactivations_left, 1);
    let state = f.store.license_state(license).unwrap().unwrap();
    assert_eq!(state.activations_left, 1);
    assert_eq!(state.deactivations_left, 1);
    assert_eq!(state.update_counter, done.update_counter);
    let record = &f.store.records(license).unwrap()[0];
    assert!(matches!(record.state, RecordState::Deactivated { at, .. } if at == later));
    assert_eq!(f.store.history_count().unwrap(), 2);

    // ex 52: already deactivated ⇒ E-INSTDEACT with the original date, no change.
    let before = f.store.table_digests().unwrap();
    let again = f.store.deactivate(
        &deactivation(iid),
        later + Duration::hours(1),
        &Policy::default(),
    );
    assert!(matches!(
        again,
        Err(StoreError::Refused(Refusal::InstallationDeactivated { at })) if at == later
    ));
    assert_eq!(f.store.table_digests().unwrap(), before);
}

#[test]
fn dea_1_an_unknown_installation_is_e_instnotfound() {
    let f = Fixture::new();
    let iid = InstallationId::parse("11111111-2222-3333-4444-555555555555").unwrap();
    assert!(matches!(
        f.store
            .deactivate(&deactivation(iid), NOW, &Policy::default()),
        Err(StoreError::Refused(Refusal::InstallationNotFound))
    ));
}
