//! One full in-process activation on SQLite: BEGIN IMMEDIATE, license re-read,
//! candidate records, core decision, record + license + history writes, durable
//! commit (WAL, synchronous=FULL: one fsync per activation, rules CON-6). Each
//! iteration activates a new computer on a license with a huge allowance, so every
//! one is a Counted grant. Throughput is reported in activations per second.
//!
//! Beside it, the read path: one CheckInstallationStatus of an active installation
//! (rules CHK-1, one statement, no write; issue 5).

mod fixture;

use fixture::{Fixture, NOW, PASSWORD};

use std::net::{IpAddr, Ipv4Addr};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use unlockd_core::activation::{ActivationRequest, Policy};
use unlockd_core::status_check::CheckRequest;
use unlockd_core::{ActivationPath, ComputerId, ComputerKey, EncryptionKeyId, LicenseId, Password};
use unlockd_store::{NewKey, NewLicense, Store};

/// wire.md §6.3: 321990713 encodes 2026-11-26, so CLK-1 passes with the real Tc1.
const SESSION: i32 = 321_990_713;

fn setup(dir: &tempfile::TempDir) -> (Store, LicenseId, EncryptionKeyId) {
    let f = Fixture::new(dir);
    let (store, author) = (&f.store, f.author);
    let mut option = f.option();
    option.issue_installation_id = true;
    option.tc_seed = 4321;
    let option = store.insert_option(&option).expect("option");
    let customer = f.customer;
    let mut license = NewLicense::new(option, customer, PASSWORD, NOW);
    license.activations_left = Some(i32::MAX);
    let license = store.insert_license(&license).expect("license");
    let key = NewKey {
        id: EncryptionKeyId::parse("0B5E55ED-0000-4000-8000-000000000001").expect("guid"),
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
    (f.store, license, key.id)
}

fn request(license: LicenseId, computer: i32) -> ActivationRequest {
    ActivationRequest {
        license_id: license,
        password: Password::parse(PASSWORD).expect("password"),
        product_id: None,
        option_id: None,
        version: None,
        user_code1: Some(SESSION),
        session_code: None,
        key: ComputerKey::ComputerId(ComputerId::new(computer)),
        require_registration: false,
        client_ip: Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7))),
        client_time: None,
        path: ActivationPath::TriggerCode,
    }
}

fn store_activation(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, license, key) = setup(&dir);
    let policy = Policy::default();
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let mut computer = 0_i32;
    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(1));
    group.bench_function("activate_sqlite_durable", |b| {
        b.iter(|| {
            computer += 1;
            store
                .activate(&request(license, computer), key, NOW, &policy, &mut rng)
                .expect("a Counted grant")
        })
    });
    let installation = store
        .activate(&request(license, computer + 1), key, NOW, &policy, &mut rng)
        .expect("a grant")
        .0
        .installation_id
        .expect("the option issues installation IDs");
    let check = CheckRequest {
        installation_id: installation,
        key: None,
        client_time: None,
    };
    group.bench_function("check_installation_sqlite", |b| {
        b.iter(|| {
            store
                .check_installation(&check, NOW, &policy)
                .expect("the store answers")
                .expect("the installation is active")
        })
    });
    group.finish();
}

criterion_group!(benches, store_activation);
criterion_main!(benches);
