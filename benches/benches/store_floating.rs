//! PollSession on SQLite with 1,000 open sessions on one license (issue 6): BEGIN
//! IMMEDIATE, session + license re-read, the license's live sessions loaded for the
//! seat count (FLT-3), core decision, session + update counter + history writes,
//! durable commit (synchronous=FULL). Each iteration polls the next session in turn.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use time::macros::datetime;
use time::OffsetDateTime;
use unlockd_core::activation::Policy;
use unlockd_core::floating::{
    FloatingRules, OpenRequest, SessionAction, SessionId, SessionRequest,
};
use unlockd_core::{EncryptionKeyId, OptionType, Password, TriggerCode};
use unlockd_store::{
    CounterSource, DatabaseUrl, NewAuthor, NewCustomer, NewFloatingSet, NewKey, NewLicense,
    NewOption, NewProduct, Store, StoreOptions,
};

const NOW: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);
const PASSWORD: &str = "bench-password";
const SESSIONS: usize = 1_000;

fn setup(dir: &tempfile::TempDir) -> (Store, EncryptionKeyId, Vec<SessionId>) {
    let url = DatabaseUrl::Sqlite(dir.path().join("bench.db"));
    let store = Store::open(&url, StoreOptions::default()).expect("open");
    store.migrate().expect("migrate");
    let author = store
        .insert_author(&NewAuthor {
            id: None,
            name: "Bench".to_owned(),
            created_at: NOW,
        })
        .expect("author");
    let product = store
        .insert_product(&NewProduct {
            id: None,
            author_id: author,
            name: "Bench".to_owned(),
            latest_version: None,
        })
        .expect("product");
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
    let mut option = NewOption::new(
        product,
        "Bench",
        OptionType::ActivationCode,
        TriggerCode::new(1).expect("1..=50"),
    );
    option.counter_source = CounterSource::SpecifiedValue;
    option.counter_value = SESSIONS as i64;
    option.network_floating_set_id = Some(1);
    let option = store.insert_option(&option).expect("option");
    let customer = store
        .insert_customer(&NewCustomer::new(NOW))
        .expect("customer");
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
    (store, key.id, ids)
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
