//! Key ring and admin inserts (OPT-1/2/3, QTY-1..4, CNT-1, EXP-1).

use time::macros::{date, datetime};
use unlockd_core::{CounterType, LicenseId, LicenseStatus, OptionType, TriggerCode};
use unlockd_store::{CounterSource, KeyState, NewLicense, NewOption, QuantityMode, StoreError};

use crate::support::{new_key, Fixture, KEY, NOW, PASSWORD};

#[test]
fn keys_round_trip_and_move_through_retired_and_revoked() {
    let f = Fixture::new();
    let row = f.store.key(f.key).unwrap().unwrap();
    assert_eq!(row.author_id, f.author);
    assert_eq!(row.state, KeyState::Active);
    assert_eq!(row.server_private_pem, "server-private");
    assert_eq!(row.envelope_key, "envelope-key");
    let shown = format!("{row:?}");
    assert!(!shown.contains("server-private") && !shown.contains("envelope-key"));
    f.store.retire_key(f.key, NOW).unwrap();
    assert_eq!(
        f.store.key(f.key).unwrap().unwrap().state,
        KeyState::Retired
    );
    f.store.revoke_key(f.key, NOW).unwrap();
    let revoked = f.store.key(f.key).unwrap().unwrap();
    assert_eq!(revoked.state, KeyState::Revoked);
    assert_eq!(revoked.revoked_at, Some(NOW));
    assert_eq!(f.store.keys().unwrap().len(), 1);
    let unknown = new_key("00000000-0000-0000-0000-00000000000F").id;
    assert!(f.store.key(unknown).unwrap().is_none());
    assert!(matches!(
        f.store.revoke_key(unknown, NOW),
        Err(StoreError::NotFound)
    ));
    assert!(
        f.store.insert_key(f.author, &new_key(KEY)).is_err(),
        "IDs are unique"
    );
}

#[test]
fn qty_2_ex_60_and_cnt_1_ex_61_multiple_activations_multiply_a_d_and_the_counter() {
    let f = Fixture::new();
    let option = f.option(|o| {
        o.quantity_mode = QuantityMode::MultipleActivations;
        o.activations_per_unit = 2;
        o.issue_installation_id = true;
        o.allow_deactivations = true;
        o.deactivations_per_unit = 1;
        o.counter_source = CounterSource::SpecifiedValue;
        o.counter_value = 5;
    });
    let license = f.license(option, |l| {
        l.activations_left = None;
        l.quantity = 3;
    });
    let state = f.store.license_state(license).unwrap().unwrap();
    assert_eq!(state.activations_left, 6);
    assert_eq!(state.activations_allowed, 6);
    assert_eq!(state.deactivations_left, 3);
    assert_eq!(state.license_counter, Some(15));
}

#[test]
fn qty_3_ex_41_with_quantity_keeps_one_activation_and_cnt_1_quantity_source() {
    let f = Fixture::new();
    let option = f.option(|o| {
        o.option_type = OptionType::ActivationCodeWithQuantity;
        o.quantity_mode = QuantityMode::MultipleActivations;
        o.counter_source = CounterSource::Quantity;
    });
    let license = f.license(option, |l| {
        l.activations_left = None;
        l.quantity = 25;
    });
    let state = f.store.license_state(license).unwrap().unwrap();
    assert_eq!(state.activations_left, 1);
    assert_eq!(state.license_counter, Some(25));
}

#[test]
fn opt_1_d_without_iid_and_ad_is_stored_as_zero_and_exp_1_ex_46_sets_the_expiration() {
    let f = Fixture::new();
    let option = f.option(|o| {
        o.deactivations_per_unit = 3;
        o.days_to_download = 365;
    });
    let mut l = NewLicense::new(
        option,
        f.customer,
        PASSWORD,
        datetime!(2025-01-01 09:00 UTC),
    );
    l.activations_left = None;
    let license = f.store.insert_license(&l).unwrap();
    let state = f.store.license_state(license).unwrap().unwrap();
    assert_eq!(state.deactivations_left, 0);
    assert_eq!(state.activations_left, 1);
    assert_eq!(state.license_counter, None);
    assert_eq!(state.expiration, Some(date!(2026 - 01 - 01)));
}

#[test]
fn qty_4_ex_62_an_overflowing_allowance_is_e_config() {
    let f = Fixture::new();
    let option = f.option(|o| {
        o.quantity_mode = QuantityMode::MultipleActivations;
        o.activations_per_unit = 1 << 30;
    });
    let mut l = NewLicense::new(option, f.customer, PASSWORD, NOW);
    l.quantity = 4;
    assert!(matches!(
        f.store.insert_license(&l),
        Err(StoreError::Config(_))
    ));
}

#[test]
fn opt_2_a_disabled_option_is_hidden_and_ids_are_assigned_or_kept() {
    let f = Fixture::new();
    let mut o = NewOption::new(
        f.product,
        "Off",
        OptionType::ActivationCode,
        TriggerCode::new(3).unwrap(),
    );
    o.enabled = false;
    o.id = Some(unlockd_core::OptionId::new(40).unwrap());
    o.counter_type = CounterType::Decrementing;
    assert_eq!(f.store.insert_option(&o).unwrap().get(), 40);
    let next = f.option(|_| {});
    assert_eq!(next.get(), 41);
    let wanted = f.license(next, |l| l.id = Some(LicenseId::new(1001).unwrap()));
    assert_eq!(wanted.get(), 1001);
    assert_eq!(f.license(next, |_| {}).get(), 1002);
}

#[test]
fn license_exists_and_status_updates_report_missing_licenses() {
    let f = Fixture::new();
    let license = f.license(f.option(|_| {}), |_| {});
    assert!(f.store.license_exists(license).unwrap());
    let missing = LicenseId::new(424_242).unwrap();
    assert!(!f.store.license_exists(missing).unwrap());
    f.store
        .set_license_status(license, LicenseStatus::Expired)
        .unwrap();
    assert_eq!(
        f.store.license_state(license).unwrap().unwrap().status,
        LicenseStatus::Expired
    );
    assert!(matches!(
        f.store.set_license_status(missing, LicenseStatus::Ok),
        Err(StoreError::NotFound)
    ));
}
