//! Floating sessions on a real SQLite file (rules FLT-3..6, CON-8, errata E-5).

use std::sync::Barrier;

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use time::Duration;
use unlockd_core::activation::Policy;
use unlockd_core::floating::{
    FloatingRules, OpenRequest, SessionAction, SessionId, SessionRequest,
};
use unlockd_core::{LicenseId, Password, Refusal, SystemIdentifier};
use unlockd_store::{CounterSource, NewFloatingSet, StoreError, StoreOptions};

use crate::support::{Fixture, NOW, PASSWORD};

const RULES: FloatingRules = FloatingRules {
    poll_frequency: 60,
    poll_retry_frequency: 10,
    poll_retry_count: 6,
    overage_seconds: None,
    checkout_min_hours: 1,
    checkout_max_hours: 72,
};

fn floating_license(f: &Fixture, seats: i64) -> LicenseId {
    f.store
        .insert_floating_set(&NewFloatingSet {
            id: 1,
            name: "demo".into(),
            rules: RULES,
        })
        .unwrap();
    let option = f.option(|o| {
        o.counter_source = CounterSource::SpecifiedValue;
        o.counter_value = seats;
        o.network_floating_set_id = Some(1);
    });
    f.license(option, |_| {})
}

fn open_req(license: LicenseId) -> OpenRequest {
    OpenRequest {
        license_id: license,
        password: Password::parse(PASSWORD).unwrap(),
        client_time: None,
        identifiers: Vec::new(),
    }
}

#[test]
fn con_8_sixteen_racers_for_two_seats_get_exactly_two() {
    const RACERS: usize = 16;
    let f = Fixture::with_options(StoreOptions {
        pool_size: 8,
        ..StoreOptions::default()
    });
    let license = floating_license(&f, 2);
    let barrier = Barrier::new(RACERS);
    let outcomes: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..RACERS)
            .map(|i| {
                let (f, barrier) = (&f, &barrier);
                s.spawn(move || {
                    let mut rng = ChaCha20Rng::seed_from_u64(i as u64);
                    barrier.wait();
                    f.store.open_session(
                        &open_req(license),
                        None,
                        f.key,
                        NOW,
                        &Policy::default(),
                        &mut rng,
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let opened = outcomes.iter().filter(|o| o.is_ok()).count();
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, Err(StoreError::Refused(Refusal::Seats))))
        .count();
    assert_eq!((opened, refused), (2, RACERS - 2), "{outcomes:?}");
    assert_eq!(f.store.live_sessions(license, NOW).unwrap().len(), 2);
}

#[test]
fn flt_3_a_silent_client_loses_its_seat_after_the_lease_and_its_poll_is_5027() {
    let f = Fixture::new();
    let license = floating_license(&f, 1);
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let policy = Policy::default();
    let first = f
        .store
        .open_session(&open_req(license), Some("A"), f.key, NOW, &policy, &mut rng)
        .unwrap();
    assert_eq!(first.session.allocated_until, NOW + Duration::seconds(120));
    let full = f.store.open_session(
        &open_req(license),
        None,
        f.key,
        NOW + Duration::seconds(120),
        &policy,
        &mut rng,
    );
    assert!(
        matches!(full, Err(StoreError::Refused(Refusal::Seats))),
        "{full:?}"
    );
    let later = NOW + Duration::seconds(121);
    let second = f
        .store
        .open_session(
            &open_req(license),
            Some("B"),
            f.key,
            later,
            &policy,
            &mut rng,
        )
        .unwrap();
    assert_eq!(second.seats_available, 0);
    let poll = SessionRequest {
        session_id: first.session.id.clone(),
        license_id: Some(license),
        action: SessionAction::Poll,
        client_time: None,
    };
    let late = f.store.session_action(&poll, f.key, later, &policy);
    assert!(
        matches!(late, Err(StoreError::Refused(Refusal::Session))),
        "{late:?}"
    );
    let mut poll2 = poll.clone();
    poll2.session_id = second.session.id.clone();
    let ok = f
        .store
        .session_action(&poll2, f.key, later + Duration::seconds(60), &policy)
        .unwrap();
    assert_eq!(ok.session.allocated_until, later + Duration::seconds(180));
    assert_eq!(ok.update_counter, 3);
}

#[test]
fn flt_5_a_refused_poll_changes_nothing() {
    let f = Fixture::new();
    let license = floating_license(&f, 1);
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let policy = Policy::default();
    let s = f
        .store
        .open_session(&open_req(license), None, f.key, NOW, &policy, &mut rng)
        .unwrap();
    let before = f.store.table_digests().unwrap();
    for (action, at) in [
        (SessionAction::Poll, NOW + Duration::seconds(121)),
        (SessionAction::Checkout(73), NOW),
        (SessionAction::Checkout(0), NOW),
    ] {
        let req = SessionRequest {
            session_id: s.session.id.clone(),
            license_id: None,
            action,
            client_time: None,
        };
        assert!(f.store.session_action(&req, f.key, at, &policy).is_err());
    }
    assert_eq!(before, f.store.table_digests().unwrap());
}

#[test]
fn open_session_stores_its_system_identifiers_as_sent() {
    let f = Fixture::new();
    let license = floating_license(&f, 1);
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let sent = vec![
        SystemIdentifier::new(20, "ComputerName", "zeta").unwrap(),
        SystemIdentifier::new(10, "NIC", "aa").unwrap(),
    ];
    let req = OpenRequest {
        identifiers: sent.clone(),
        ..open_req(license)
    };
    let grant = f
        .store
        .open_session(&req, None, f.key, NOW, &Policy::default(), &mut rng)
        .unwrap();
    assert_eq!(
        f.store.session_identifiers(&grant.session.id).unwrap(),
        Some(sent),
        "wire.md §3: stored untouched, in the order sent"
    );
    let unknown = SessionId::parse("0123456789ABCDEF0123456789ABCDEF").unwrap();
    assert_eq!(f.store.session_identifiers(&unknown).unwrap(), None);
}
