//! PollSession on SQLite with 1,000 open sessions on one license (issue 6): BEGIN
//! IMMEDIATE, session + license re-read, the license's live sessions loaded for the
//! seat count (FLT-3), core decision, session + update counter + history writes,
//! durable commit (synchronous=FULL). Each iteration polls the next session in turn.

mod fixture;

use fixture::{Fixture, NOW, PASSWORD};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use unlockd_core::activation::Policy;
use unlockd_core::floating::{
    FloatingRules, OpenRequest, SessionAction, SessionId, SessionRequest,
};
use unlockd_core::{EncryptionKeyId, Password};
use unlockd_store::{CounterSource, NewFloatingSet, NewKey, NewLicense, Store};

const SESSIONS: usize = 1_000;

fn setup(dir: &tempfile::TempDir) -> (Store, EncryptionKeyId, Vec<SessionId>) {
    let f = Fixture::new(dir);
    let (store, author) = (&f.store, f.author);
    store
        .insert_floating_set(&NewFloatingSet {
            id: 1,
            name: "bench".to_owned(),
            rules: FloatingRules {
                poll_frequency: 3600,
                poll_retry_frequency: 60,
                poll_retry_count: 6,
                overage_seconds: None,
                checkout_min_hours: 1,
                checkout_max_hours: 72,
            },
        })
        .expect("floating set");
    let mut option = f.option();
    option.counter_source = CounterSource::SpecifiedValue;
    option.counter_value = SESSIONS as i64;
    option.network_floating_set_id = Some(1);
    let option = store.insert_option(&option).expect("option");
    let customer = f.customer;
    let license = store
        .insert_license(&NewLicense::new(option, customer, PASSWORD, NOW))
        .expect("license");
    let key = NewKey {
        id: EncryptionKeyId::parse("0B5E55ED-0000-4000-8000-000000000002").expect("guid"),
        algorithm: "RSA-2048".to_owned(),
        created_at: NOW,
        client_private_pem: String::new(),
        client_public_pem: String::new(),
        server_private_pem: String::new(),
        server_public_pem: String::new(),
        envelope: String::new(),
        envelope_key: String::new(),
    };
    store.insert_key(author, &key).expect("key");
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let open = OpenRequest {
        license_id: license,
        password: Password::parse(PASSWORD).expect("password"),
        client_time: None,
        identifiers: Vec::new(),
    };
    let ids = (0..SESSIONS)
        .map(|_| {
            store
                .open_session(&open, None, key.id, NOW, &Policy::default(), &mut rng)
                .expect("open")
                .session
                .id
        })
        .collect();
    (f.store, key.id, ids)
}

fn poll_session(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, key, ids) = setup(&dir);
    let policy = Policy::default();
    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(1));
    let mut next = 0usize;
    group.bench_function("poll_session_sqlite_1000_open", |b| {
        b.iter(|| {
            let req = SessionRequest {
                session_id: ids[next % ids.len()].clone(),
                license_id: None,
                action: SessionAction::Poll,
                client_time: None,
            };
            next += 1;
            store.session_action(&req, key, NOW, &policy).expect("poll")
        })
    });
    group.finish();
}

criterion_group!(benches, poll_session);
criterion_main!(benches);
