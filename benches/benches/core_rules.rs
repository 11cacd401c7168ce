//! Hot paths of the pure rules core: trigger-code generation (TC-3), RegKey2
//! encryption, and one full ACT-2 activation decision on a typical snapshot.
//! Target: at most 1 µs each (≥ 1,000,000 per second).

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use unlockd_core::activation::{activate, ActivationRequest, ActivationSnapshot, Policy};
use unlockd_core::trigger::{algorithm, Tc1, TriggerCodeAlgorithm};
use unlockd_core::{
    ActivationPath, ActivationRecord, ComputerId, ComputerKey, CounterType, CustomerId, GrantKind,
    Guid, InstallationId, IpMode, LicenseId, LicenseState, LicenseStatus, OptionId, OptionRules,
    OptionType, Password, ProductId, RecordState, SessionCode, TriggerCode, UpgradeBehavior,
};

/// wire.md §6.3: 321990713 encodes 2026-11-26, so CLK-1 passes with the real Tc1.
const SESSION: i32 = 321_990_713;
const NOW: OffsetDateTime = datetime!(2026-11-26 10:00 UTC);

fn rules() -> OptionRules {
    OptionRules {
        option_id: OptionId::new(1).expect("positive"),
        product_id: ProductId::new(1).expect("positive"),
        option_type: OptionType::ActivationCodeWithDaysLeft,
        issue_installation_id: true,
        allow_deactivations: true,
        allow_reactivation: true,
        ip_mode: IpMode::NoRestrictionsAllowOverride,
        ip_mask: Ipv4Addr::BROADCAST,
        additional_days: 7,
        min_version: None,
        min_version_url: None,
        unlock_threshold: -1,
        trigger_code: TriggerCode::new(1).expect("1..=50"),
        tc_seed: 4321,
        rk2_seed: 77,
        tc_fixed_value: 0,
        days_to_download: 365,
        reset_expiration: false,
        upgrade_behavior: UpgradeBehavior::Deactivate,
        counter_type: CounterType::Static,
        tc_algorithm: "unlockd-tc1".to_owned(),
    }
}

fn license() -> LicenseState {
    LicenseState {
        id: LicenseId::new(1002).expect("positive"),
        product_id: ProductId::new(1).expect("positive"),
        option_id: OptionId::new(1).expect("positive"),
        customer_id: CustomerId::new(7).expect("positive"),
        status: LicenseStatus::Ok,
        activation_password: "demo1002".to_owned(),
        customer_password: Some("customer-secret".to_owned()),
        customer_registered: true,
        quantity: 1,
        activations_left: 3,
        activations_allowed: 5,
        deactivations_left: 2,
        license_counter: Some(100),
        expiration: Some(datetime!(2027-06-30 00:00 UTC).date()),
        allowed_ips: Some("198.51.100.0/24, 203.0.113.0/255.255.255.0".to_owned()),
        license_update: String::new(),
        update_counter: 41,
    }
}

/// Records loaded for the request's key: an older grant from this computer that a
/// client deactivated, and a Counted grant from a computer inside a loaded window.
fn records() -> Vec<ActivationRecord> {
    let grant = |id: i64, computer: i32, state: RecordState| ActivationRecord {
        id,
        installation_id: Some(InstallationId::from_guid(Guid::from_bytes([id as u8; 16]))),
        key: ComputerKey::ComputerId(ComputerId::new(computer)),
        kind: GrantKind::Counted,
        consumed: state == RecordState::Active,
        state,
        granted_at: NOW - Duration::days(40),
        path: ActivationPath::TriggerCode,
        option_id: OptionId::new(1).expect("positive"),
        session_code: SessionCode::parse("318758912").ok(),
        stored_reply: None,
    };
    vec![
        grant(
            1,
            123_456_789,
            RecordState::Deactivated {
                at: NOW - Duration::days(30),
                reason: unlockd_core::DeactivationReason::Client,
            },
        ),
        grant(2, 123_456_700, RecordState::Active),
    ]
}

fn request() -> ActivationRequest {
    ActivationRequest {
        license_id: LicenseId::new(1002).expect("positive"),
        password: Password::parse("demo1002").expect("valid password"),
        product_id: Some(ProductId::new(1).expect("positive")),
        option_id: None,
        version: None,
        user_code1: Some(SESSION),
        session_code: None,
        key: ComputerKey::ComputerId(ComputerId::new(123_456_789)),
        require_registration: false,
        client_ip: Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7))),
        client_time: Some(NOW - Duration::minutes(2)),
        path: ActivationPath::TriggerCode,
    }
}

fn trigger_codes(c: &mut Criterion) {
    c.bench_function("tc1_generate_regkey1", |b| {
        b.iter(|| {
            Tc1.generate(
                black_box(1),
                black_box(SESSION),
                black_box(123_456_789),
                1234,
            )
        })
    });
    c.bench_function("tc1_encrypt_regkey2", |b| {
        b.iter(|| Tc1.encrypt(black_box(365), black_box(77)))
    });
}

fn activation_decision(c: &mut Criterion) {
    let license = license();
    let rules = rules();
    let records = records();
    let req = request();
    let policy = Policy::default();
    let alg = algorithm(&rules.tc_algorithm).expect("unlockd-tc1 is registered");
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let snap = ActivationSnapshot {
        license: Some(&license),
        rules: Some(&rules),
        records: &records,
        last_counted_at: Some(NOW - Duration::days(40)),
        has_grant: true,
    };
    c.bench_function("activate_typical_trigger_code", |b| {
        b.iter(|| {
            activate(
                black_box(&snap),
                black_box(&req),
                NOW,
                &policy,
                alg,
                &mut rng,
            )
        })
    });
}

criterion_group!(benches, trigger_codes, activation_decision);
criterion_main!(benches);
