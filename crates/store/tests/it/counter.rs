//! DecrementLicenseCounter (CNT-2) and its TransactionID replay (wire.md §3.5).

use time::Duration;
use unlockd_core::activation::Policy;
use unlockd_core::counter::DecrementRequest;
use unlockd_core::{CounterType, LicenseId, Password, Refusal};
use unlockd_store::{CounterSource, StoreError};

use crate::support::{Fixture, NOW, PASSWORD};

fn decrementing(f: &Fixture) -> LicenseId {
    let option = f.option(|o| {
        o.counter_source = CounterSource::SpecifiedValue;
        o.counter_value = 10;
        o.counter_type = CounterType::Decrementing;
    });
    f.license(option, |_| {})
}

fn take(license: LicenseId, amount: u32) -> DecrementRequest {
    DecrementRequest {
        license_id: license,
        password: Password::parse(PASSWORD).unwrap(),
        amount,
        client_time: None,
    }
}

fn counter(f: &Fixture, license: LicenseId) -> Option<i64> {
    f.store
        .license_state(license)
        .unwrap()
        .unwrap()
        .license_counter
}

#[test]
fn cnt_2_ex_63_decrement_moves_the_counter_or_refuses_and_writes_nothing() {
    let f = Fixture::new();
    let license = decrementing(&f);
    let policy = Policy::default();
    let done = f
        .store
        .decrement_counter(&take(license, 3), None, NOW, &policy)
        .unwrap();
    assert_eq!(done.counter, 7);
    assert_eq!(counter(&f, license), Some(7));
    let before = f.store.table_digests().unwrap();
    assert!(matches!(
        f.store
            .decrement_counter(&take(license, 11), None, NOW, &policy),
        Err(StoreError::Refused(Refusal::Counter))
    ));
    assert_eq!(f.store.table_digests().unwrap(), before);
}

#[test]
fn a_repeated_transaction_id_within_24_hours_replays_and_moves_nothing() {
    let f = Fixture::new();
    let license = decrementing(&f);
    let policy = Policy::default();
    let first = f
        .store
        .decrement_counter(&take(license, 2), Some("tx-1"), NOW, &policy)
        .unwrap();
    let before = f.store.table_digests().unwrap();
    let replay = f
        .store
        .decrement_counter(
            &take(license, 2),
            Some("tx-1"),
            NOW + Duration::hours(23),
            &policy,
        )
        .unwrap();
    assert_eq!(replay, first);
    assert_eq!(counter(&f, license), Some(8));
    assert_eq!(f.store.table_digests().unwrap(), before);

    // The stored answer still needs the password (ERR-1).
    let mut wrong = take(license, 2);
    wrong.password = Password::parse("nope").unwrap();
    assert!(matches!(
        f.store
            .decrement_counter(&wrong, Some("tx-1"), NOW, &policy),
        Err(StoreError::Refused(Refusal::Credentials))
    ));

    // A new ID moves the counter; an expired one counts as new.
    f.store
        .decrement_counter(&take(license, 2), Some("tx-2"), NOW, &policy)
        .unwrap();
    let late = f
        .store
        .decrement_counter(
            &take(license, 2),
            Some("tx-1"),
            NOW + Duration::hours(25),
            &policy,
        )
        .unwrap();
    assert_eq!(late.counter, 4);
    assert_eq!(counter(&f, license), Some(4));
}
