//! AddS single-license latency (issue 4, wire.md §3.7), split into its two costs: the
//! store transaction on SQLite (author check of option and customer, ID allocation
//! under the allocation lock, insert, read-back of the License record, durable commit)
//! and the argon2id verification of the API user's password that precedes it.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use criterion::{criterion_group, criterion_main, Criterion};
use time::macros::datetime;
use time::OffsetDateTime;
use unlockd_core::license_record::CustomDataFormat;
use unlockd_core::{OptionType, TriggerCode};
use unlockd_store::{
    DatabaseUrl, NewAuthor, NewCustomer, NewLicense, NewOption, NewProduct, Store, StoreOptions,
};

const NOW: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);

fn bench_store_add(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
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
    let option = store
        .insert_option(&NewOption::new(
            product,
            "Bench",
            OptionType::ActivationCode,
            TriggerCode::new(1).expect("1..=50"),
        ))
        .expect("option");
    let customer = store
        .insert_customer(&NewCustomer::new(NOW))
        .expect("customer");
    let license = NewLicense::new(option, customer, "bench-password", NOW);
    c.bench_function("adds_store_transaction_sqlite", |b| {
        b.iter(|| {
            store
                .add_license_for(author, &license, CustomDataFormat::Text)
                .expect("add")
        })
    });
}

fn bench_verify(c: &mut Criterion) {
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(b"demo", &salt)
        .expect("hash")
        .to_string();
    let parsed = PasswordHash::new(&hash).expect("phc");
    c.bench_function("adds_api_user_argon2id_verify", |b| {
        b.iter(|| Argon2::default().verify_password(b"demo", &parsed).is_ok())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_store_add, bench_verify
}
criterion_main!(benches);
