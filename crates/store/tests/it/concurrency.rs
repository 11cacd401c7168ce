//! CON-1..3 and CON-10 under real concurrency on one database (SQLite file or
//! PostgreSQL, see `support`).

use std::sync::Barrier;

use diesel::connection::SimpleConnection;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use unlockd_core::activation::Policy;
use unlockd_core::deactivation::DeactivationRequest;
use unlockd_core::{GrantKind, RecordState, Refusal};
use unlockd_store::{StoreError, StoreOptions};

use crate::support::{session, trigger_request, Fixture, NOW};

const THREADS: usize = 32;

#[test]
fn con_2_thirty_two_concurrent_activations_on_left_k_grant_exactly_k() {
    let k = 5;
    let f = Fixture::with_options(StoreOptions {
        pool_size: 8,
        ..StoreOptions::default()
    });
    let license = f.license(f.option(|_| {}), |l| l.activations_left = Some(k));
    let barrier = Barrier::new(THREADS);
    let outcomes: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|i| {
                let (f, barrier) = (&f, &barrier);
                s.spawn(move || {
                    let mut rng = ChaCha20Rng::seed_from_u64(i as u64);
                    let req = trigger_request(license, 10_000 + i as i32);
                    barrier.wait();
                    f.store
                        .activate(&req, f.key, NOW, &Policy::default(), &mut rng)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let granted = outcomes.iter().filter(|o| o.is_ok()).count();
    let refused = outcomes
        .iter()
        .filter(|o| matches!(o, Err(StoreError::Refused(Refusal::NoActivations))))
        .count();
    assert_eq!(granted, k as usize);
    assert_eq!(
        refused,
        THREADS - k as usize,
        "every other answer is E-NOACT: {outcomes:?}"
    );
    assert_eq!(f.left(license), 0);
    let records = f.store.records(license).unwrap();
    assert_eq!(records.len(), k as usize);
    assert!(records.iter().all(|r| r.kind == GrantKind::Counted));
    assert_eq!(f.store.history_count().unwrap(), i64::from(k));
}

#[test]
fn con_3_ex_30_one_computer_twice_at_once_gives_one_counted_and_one_move() {
    let f = Fixture::new();
    let option = f.option(|o| {
        o.issue_installation_id = true;
        o.allow_reactivation = true;
    });
    let license = f.license(option, |l| l.activations_left = Some(5));
    let barrier = Barrier::new(2);
    let grants: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|i| {
                let (f, barrier) = (&f, &barrier);
                s.spawn(move || {
                    let mut req = trigger_request(license, 1234);
                    // Two sessions: neither is an ACT-7 retry of the other.
                    req.user_code1 = Some(session(555 + i));
                    let mut rng = ChaCha20Rng::seed_from_u64(i as u64);
                    barrier.wait();
                    f.store
                        .activate(&req, f.key, NOW, &Policy::default(), &mut rng)
                        .unwrap()
                        .0
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut kinds: Vec<_> = grants.iter().map(|g| g.kind.name()).collect();
    kinds.sort();
    assert_eq!(kinds, ["Counted", "Threshold"]);
    assert_eq!(grants[0].installation_id, grants[1].installation_id);
    assert_eq!(f.left(license), 4);
    let active: Vec<_> = f
        .store
        .records(license)
        .unwrap()
        .into_iter()
        .filter(|r| r.state == RecordState::Active)
        .collect();
    assert_eq!(
        active.len(),
        1,
        "CON-3: one Active record per installation ID"
    );
}

#[test]
fn con_3_the_database_refuses_a_second_active_record_for_one_installation_id() {
    let f = Fixture::new();
    let option = f.option(|o| o.issue_installation_id = true);
    let license = f.license(option, |_| {});
    let (grant, _) = f.activate(&trigger_request(license, 1234)).unwrap();
    let iid = grant.installation_id.unwrap();
    let mut raw = f.db.raw();
    let duplicate = format!(
        "INSERT INTO activation_records (license_id, installation_id, kind, consumed, state, \
         granted_at, path, option_id) VALUES ({}, '{iid}', 'Counted', TRUE, 'Active', \
         '2025-03-10 12:00:00', 'TriggerCode', {})",
        license.get(),
        option.get()
    );
    let err = raw.batch_execute(&duplicate).unwrap_err();
    assert!(err.to_string().to_lowercase().contains("unique"), "{err}");
    // A deactivated record may keep the ID (REA-3 leaves it on the old record).
    raw.batch_execute(&duplicate.replace("'Active'", "'Deactivated'"))
        .unwrap();
}

#[test]
fn con_10_a_held_license_lock_times_out_as_busy_and_consumes_nothing() {
    let f = Fixture::with_options(StoreOptions {
        pool_size: 2,
        busy_timeout: std::time::Duration::from_millis(50),
    });
    let license = f.license(f.option(|_| {}), |_| {});
    let before = f.store.table_digests().unwrap();
    let mut holder = f.db.raw();
    holder.hold_license_lock(license);
    let outcome = f.activate(&trigger_request(license, 1234));
    holder.batch_execute("ROLLBACK;").unwrap();
    assert!(matches!(outcome, Err(StoreError::Busy)), "{outcome:?}");
    assert_eq!(f.store.table_digests().unwrap(), before);
    assert_eq!(f.left(license), 3);
}

#[test]
fn con_2_concurrent_activations_and_deactivations_keep_every_seat_accounted_for() {
    let f = Fixture::with_options(StoreOptions {
        pool_size: 4,
        ..StoreOptions::default()
    });
    let option = f.option(|o| {
        o.issue_installation_id = true;
        o.allow_deactivations = true;
        o.deactivations_per_unit = -1;
    });
    let license = f.license(option, |l| l.activations_left = Some(4));
    let threads = 12;
    let barrier = Barrier::new(threads);
    let granted: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (f, barrier) = (&f, &barrier);
                s.spawn(move || {
                    let mut rng = ChaCha20Rng::seed_from_u64(t as u64);
                    let policy = Policy::default();
                    barrier.wait();
                    let mut granted = 0;
                    for round in 0..4 {
                        let req = trigger_request(license, (t * 100 + round + 1) as i32);
                        match f.store.activate(&req, f.key, NOW, &policy, &mut rng) {
                            Ok((grant, _)) => {
                                granted += 1;
                                let iid = grant.installation_id.unwrap();
                                let off = DeactivationRequest {
                                    installation_id: iid,
                                    key: None,
                                    client_time: None,
                                };
                                f.store.deactivate(&off, NOW, &policy).unwrap();
                            }
                            Err(StoreError::Refused(Refusal::NoActivations)) => {}
                            Err(other) => panic!("unexpected {other:?}"),
                        }
                    }
                    granted
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert!(granted >= 4, "at least the first four seats are granted");
    // Every seat came back: left is the allowance again, nothing is Active, and no
    // refund ever pushed left above the allowance (the CHECK and E-16 cap).
    let state = f.store.license_state(license).unwrap().unwrap();
    assert_eq!(state.activations_left, 4);
    assert_eq!(state.deactivations_left, -1);
    let records = f.store.records(license).unwrap();
    assert_eq!(records.len(), granted);
    assert!(records
        .iter()
        .all(|r| !matches!(r.state, RecordState::Active)));
    assert_eq!(f.store.history_count().unwrap(), 2 * granted as i64);
}

#[test]
fn con_5_concurrent_creators_on_two_pools_get_distinct_gap_free_ids() {
    // Two stores (two pools, as two server or admin processes would have) create
    // customers without explicit IDs at once: max+1 runs under the allocation lock.
    let f = Fixture::new();
    let other = crate::support::open(&f.db, StoreOptions::default());
    let stores = [&f.store, &other];
    let barrier = Barrier::new(16);
    let ids: Vec<i32> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let (store, barrier) = (stores[i % 2], &barrier);
                s.spawn(move || {
                    barrier.wait();
                    store
                        .insert_customer(&unlockd_store::NewCustomer::new(NOW))
                        .expect("insert customer")
                        .get()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    let first = f.customer.get() + 1;
    assert_eq!(sorted, (first..first + 16).collect::<Vec<_>>(), "{ids:?}");
}
