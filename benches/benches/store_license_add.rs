//! AddS single-license latency (issue 4, wire.md §3.7), split into its two costs: the
//! store transaction on SQLite (author check of option and customer, ID allocation
//! under the allocation lock, insert, read-back of the License record, durable commit)
//! and the argon2id verification of the API user's password that precedes it.

mod fixture;

use fixture::{Fixture, NOW, PASSWORD};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use criterion::{criterion_group, criterion_main, Criterion};
use unlockd_core::license_record::CustomDataFormat;
use unlockd_store::NewLicense;

fn bench_store_add(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = Fixture::new(&dir);
    let option = f.store.insert_option(&f.option()).expect("option");
    let license = NewLicense::new(option, f.customer, PASSWORD, NOW);
    let (store, author) = (&f.store, f.author);
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
