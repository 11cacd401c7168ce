//! Activation transactions: grants, refusals, replays, REA-3, keys, license files.

use time::macros::date;
use unlockd_core::{DeactivationReason, GrantKind, IpMode, LicenseStatus, RecordState, Refusal};
use unlockd_store::StoreError;

use crate::support::{file_request, new_key, session, trigger_request, Fixture, NOW};

#[test]
fn act_2_ex_1_a_grant_commits_the_record_the_count_and_one_success_row() {
    let f = Fixture::new();
    let license = f.license(f.option(|_| {}), |_| {});
    let (grant, file) = f.activate(&trigger_request(license, 1234)).unwrap();
    assert_eq!(grant.kind, GrantKind::Counted);
    assert_eq!(grant.activations_left, 2);
    assert!(file.is_none());
    let state = f.store.license_state(license).unwrap().unwrap();
    assert_eq!(state.activations_left, 2);
    assert_eq!(state.update_counter, grant.update_counter);
    let records = f.store.records(license).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].kind, GrantKind::Counted);
    assert!(records[0].consumed);
    assert_eq!(records[0].state, RecordState::Active);
    assert_eq!(records[0].granted_at, NOW);
    assert_eq!(
        records[0].stored_reply.as_deref(),
        Some(grant.to_stored_reply().as_str())
    );
    assert_eq!(f.store.history_count().unwrap(), 1);
}

#[test]
fn e_3_a_refusal_writes_nothing() {
    let f = Fixture::new();
    let license = f.license(f.option(|_| {}), |_| {});
    let before = f.store.table_digests().unwrap();
    let mut wrong = trigger_request(license, 1234);
    wrong.password = unlockd_core::Password::parse("wrong").unwrap();
    assert!(matches!(
        f.activate(&wrong),
        Err(StoreError::Refused(Refusal::Credentials))
    ));
    let mut unknown = trigger_request(license, 1234);
    unknown.license_id = unlockd_core::LicenseId::new(999_999).unwrap();
    assert!(matches!(
        f.activate(&unknown),
        Err(StoreError::Refused(Refusal::Credentials))
    ));
    assert_eq!(f.store.table_digests().unwrap(), before);
    assert_eq!(f.store.history_count().unwrap(), 0);
    // The façade then logs the refusal: one history row, nothing else changes.
    let attempt = unlockd_core::history::Attempt {
        operation: "ActivateInstallation".to_owned(),
        license_id: Some(license),
        installation_id: None,
        result_code: 5010,
        reason: "Credentials".to_owned(),
        client_ip: wrong.client_ip,
    };
    f.store.record_attempt(&attempt, NOW).unwrap();
    assert_eq!(f.store.history_count().unwrap(), 1);
    assert_eq!(f.store.table_digests().unwrap(), before);
}

#[test]
fn ip_5_ex_18_no_activation_left_keeps_the_first_ip_unset() {
    let f = Fixture::new();
    let option = f.option(|o| {
        o.ip_mode = IpMode::FirstActivationIp;
        o.ip_mask = "255.255.0.0".parse().unwrap();
    });
    let license = f.license(option, |l| l.activations_left = Some(0));
    let before = f.store.table_digests().unwrap();
    assert!(matches!(
        f.activate(&trigger_request(license, 1234)),
        Err(StoreError::Refused(Refusal::NoActivations))
    ));
    assert_eq!(f.store.table_digests().unwrap(), before);
    assert_eq!(
        f.store.license_state(license).unwrap().unwrap().allowed_ips,
        None
    );
}

#[test]
fn ip_4_ex_16_and_exp_2_ex_47_staged_license_writes_commit_with_the_grant() {
    let f = Fixture::new();
    let option = f.option(|o| {
        o.ip_mode = IpMode::FirstActivationIp;
        o.ip_mask = "255.255.0.0".parse().unwrap();
        o.reset_expiration = true;
        o.days_to_download = 30;
    });
    let license = f.license(option, |l| l.expiration = Some(date!(2025 - 01 - 31)));
    let mut req = trigger_request(license, 1234);
    req.client_ip = Some("192.168.5.9".parse().unwrap());
    let (grant, _) = f.activate(&req).unwrap();
    let state = f.store.license_state(license).unwrap().unwrap();
    assert!(grant.first_ip.is_some());
    assert_eq!(state.allowed_ips, grant.first_ip);
    assert_eq!(state.expiration, Some(date!(2025 - 04 - 09)));
}

#[test]
fn act_7_a_retry_returns_the_stored_grant_and_writes_nothing() {
    let f = Fixture::new();
    let license = f.license(f.option(|_| {}), |_| {});
    let req = trigger_request(license, 1234);
    let (first, _) = f.activate(&req).unwrap();
    let before = f.store.table_digests().unwrap();
    let history = f.store.history_count().unwrap();
    let (again, _) = f.activate_seeded(&req, 99).unwrap();
    assert_eq!(again, first);
    assert_eq!(f.store.table_digests().unwrap(), before);
    assert_eq!(f.store.history_count().unwrap(), history);
    assert_eq!(f.left(license), 2);
}

#[test]
fn rea_3_ex_26_the_swap_is_persisted() {
    let f = Fixture::new();
    let option = f.option(|o| {
        o.issue_installation_id = true;
        o.allow_reactivation = true;
    });
    let license = f.license(option, |l| l.activations_left = Some(1));
    let (first, _) = f.activate(&trigger_request(license, 1234)).unwrap();
    let i1 = first
        .installation_id
        .expect("IID option issues an installation ID");
    assert_eq!(f.left(license), 0);
    // Another session from the same computer: not an ACT-7 retry.
    let mut again = trigger_request(license, 1234);
    again.user_code1 = Some(session(556));
    let (second, _) = f.activate(&again).unwrap();
    assert_eq!(second.kind, GrantKind::Threshold);
    assert_eq!(second.installation_id, Some(i1));
    assert_eq!(f.left(license), 0);
    let records = f.store.records(license).unwrap();
    assert_eq!(records.len(), 2);
    assert!(matches!(
        records[0].state,
        RecordState::Deactivated { at, reason: DeactivationReason::Reactivated } if at == NOW
    ));
    assert!(!records[0].consumed, "REA-3: the consumed flag moved away");
    assert_eq!(records[1].state, RecordState::Active);
    assert!(records[1].consumed);
    assert_eq!(records[1].installation_id, Some(i1));
    let mut other = trigger_request(license, 1235);
    other.user_code1 = Some(session(557));
    assert!(matches!(
        f.activate(&other),
        Err(StoreError::Refused(Refusal::NoActivations))
    ));
}

#[test]
fn act_5_a_colliding_installation_id_is_redrawn() {
    let f = Fixture::new();
    let option = f.option(|o| o.issue_installation_id = true);
    let a = f.license(option, |_| {});
    let b = f.license(option, |_| {});
    // Same seed ⇒ core draws the same ID for both licenses.
    let (first, _) = f.activate_seeded(&trigger_request(a, 1234), 42).unwrap();
    let (second, _) = f.activate_seeded(&trigger_request(b, 1234), 42).unwrap();
    assert!(first.installation_id.is_some());
    assert!(second.installation_id.is_some());
    assert_ne!(first.installation_id, second.installation_id);
    let stored = f.store.records(b).unwrap();
    assert_eq!(stored[0].installation_id, second.installation_id);
    assert_eq!(
        stored[0].stored_reply.as_deref(),
        Some(second.to_stored_reply().as_str()),
        "the stored reply carries the redrawn ID"
    );
}

#[test]
fn license_file_path_returns_the_content_read_in_the_grant_transaction() {
    let f = Fixture::new();
    let option = f.option(|o| {
        o.issue_installation_id = true;
        o.custom_data = Some("<x/>".to_owned());
    });
    let license = f.license(option, |l| {
        l.udef_chars[1] = Some("two".to_owned());
        l.udef_nums[0] = Some(1 << 40);
    });
    let req = file_request(license, "host-a", "sess-1");
    let (grant, file) = f.activate(&req).unwrap();
    let file = file.expect("license-file path returns file content");
    assert_eq!(file.license_id, license);
    assert_eq!(file.installation_id, grant.installation_id);
    assert_eq!(file.update_counter, grant.update_counter);
    assert_eq!(file.effective_start, NOW);
    assert_eq!(file.product_name, "Demo Product");
    assert_eq!(file.option_custom_data.as_deref(), Some("<x/>"));
    assert_eq!(file.customer.first_name, "Ada");
    assert_eq!(file.identifiers, req.key.identifiers());
    assert_eq!(
        file.user_defined_fields,
        vec![
            ("UDefChar2".to_owned(), "two".to_owned()),
            ("UDefNum1".to_owned(), (1_i64 << 40).to_string()),
        ]
    );
    // The identifiers survive the round trip: the same computer matches (C-4).
    let records = f.store.records(license).unwrap();
    assert_eq!(records[0].key, req.key);
}

#[test]
fn a_key_of_another_author_or_a_revoked_key_is_refused_after_the_credentials() {
    let f = Fixture::new();
    let license = f.license(f.option(|_| {}), |_| {});
    let other = f
        .store
        .insert_author(&unlockd_store::NewAuthor {
            id: None,
            name: "Other".to_owned(),
            created_at: NOW,
        })
        .unwrap();
    let foreign = new_key("00000000-0000-0000-0000-000000000001");
    f.store.insert_key(other, &foreign).unwrap();
    let before = f.store.table_digests().unwrap();
    let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::seed_from_u64(1);
    let policy = Default::default();
    let req = trigger_request(license, 1234);
    assert!(matches!(
        f.store.activate(&req, foreign.id, NOW, &policy, &mut rng),
        Err(StoreError::KeyNotForLicense)
    ));
    // ERR-1: a wrong password still answers E-CRED, whatever the key.
    let mut wrong = req.clone();
    wrong.password = unlockd_core::Password::parse("nope").unwrap();
    assert!(matches!(
        f.store.activate(&wrong, foreign.id, NOW, &policy, &mut rng),
        Err(StoreError::Refused(Refusal::Credentials))
    ));
    f.store.revoke_key(f.key, NOW).unwrap();
    let before_revoked = f.store.table_digests().unwrap();
    assert!(matches!(
        f.activate(&req),
        Err(StoreError::KeyNotForLicense)
    ));
    assert_eq!(f.store.table_digests().unwrap(), before_revoked);
    assert_eq!(before.get("licenses"), before_revoked.get("licenses"));
    assert_eq!(f.store.history_count().unwrap(), 0);
}

#[test]
fn an_unknown_trigger_code_algorithm_is_e_config() {
    let f = Fixture::new();
    let license = f.license(
        f.option(|o| o.tc_algorithm = "pp4-secret".to_owned()),
        |_| {},
    );
    assert!(matches!(
        f.activate(&trigger_request(license, 1234)),
        Err(StoreError::Refused(Refusal::Config))
    ));
}

#[test]
fn sts_2_status_changes_are_seen_by_the_next_activation() {
    let f = Fixture::new();
    let license = f.license(f.option(|_| {}), |_| {});
    f.store
        .set_license_status(license, LicenseStatus::Void)
        .unwrap();
    assert!(matches!(
        f.activate(&trigger_request(license, 1234)),
        Err(StoreError::Refused(Refusal::Status))
    ));
}

#[test]
fn activate_detailed_carries_license_update_and_the_minimum_version_read_with_the_grant() {
    let f = Fixture::new();
    let option = f.option(|o| {
        o.min_version = Some(unlockd_core::Version::parse_minimum("3.0.0.0").unwrap());
        o.min_version_url = Some("https://example.invalid/upgrade".to_owned());
    });
    let license = f.license(option, |l| l.license_update = "Renew soon".to_owned());
    let mut req = trigger_request(license, 1234);
    req.version = unlockd_core::Version::parse_request("3.1");
    let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::seed_from_u64(3);
    let done = f
        .store
        .activate_detailed(&req, f.key, NOW, &Default::default(), &mut rng)
        .unwrap();
    assert_eq!(done.grant.kind, GrantKind::Counted);
    assert_eq!(done.license_update, "Renew soon");
    assert_eq!(
        done.minimum_version.map(|v| v.to_string()).as_deref(),
        Some("3.0.0.0")
    );
    assert_eq!(
        done.minimum_version_url.as_deref(),
        Some("https://example.invalid/upgrade")
    );
    // VER-3: below the minimum, the refusal itself carries minimum and URL.
    let mut old = trigger_request(license, 1235);
    old.version = unlockd_core::Version::parse_request("2.9.9.9");
    assert!(matches!(
        f.activate(&old),
        Err(StoreError::Refused(Refusal::Version { url: Some(_), .. }))
    ));
}
