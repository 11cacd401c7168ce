//! rules.md EX cases for the activation pipeline (ACT-2 and the groups it runs),
//! named by rule and EX number. Per errata E-1 they use [`NoSessionDate`].

use std::net::IpAddr;

use rand::SeedableRng;
use time::macros::{date, datetime};
use time::Duration;

use super::*;
use crate::ids::{ComputerId, SystemIdentifier};
use crate::model::{IpMode, LicenseStatus, OptionType, RecordState, UpgradeBehavior};
use crate::test_support::{cid, iid, record, Case, NoSessionDate, COMPUTER, NOW, SESSION};
use crate::trigger::Tc1;

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

fn expected_codes(event: u8, session: i32, computer: i32, seed: u32) -> i32 {
    Tc1.generate(event, session, computer, seed)
}

// --- ACT-2 / ERR-1 / A1..A7 ------------------------------------------------------

#[test]
fn ex_1_act_2_defaults_grant_counted_left_2_regkey2_0() {
    let case = Case::new();
    let g = case.grant();
    assert_eq!(g.kind, GrantKind::Counted);
    assert!(g.consumed);
    assert_eq!(g.activations_left, 2);
    assert_eq!(g.installation_id, None, "IID off");
    assert_eq!(g.event_data, None);
    let rk1 = expected_codes(1, SESSION, COMPUTER, 4321);
    assert_eq!(g.codes, Some((rk1, 0)));
    assert_eq!(g.update_counter, 1);
    assert_eq!(
        (g.supersedes, g.first_ip, g.new_expiration),
        (None, None, None)
    );
}

#[test]
fn ex_2_err_1_wrong_password_and_unknown_id_both_give_credentials() {
    let mut case = Case::new();
    case.req.password = Password::parse("demo1001").unwrap();
    assert_eq!(case.refusal(), Refusal::Credentials);

    let case = Case::new();
    let snap = ActivationSnapshot {
        license: None,
        rules: None,
        records: &[],
        last_counted_at: None,
        has_grant: false,
    };
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    let out = activate(
        &snap,
        &case.req,
        NOW,
        &Policy::default(),
        &NoSessionDate,
        &mut rng,
    );
    assert_eq!(out, Err(Refusal::Credentials));
}

#[test]
fn act_3_customer_password_is_accepted_and_case_matters() {
    let mut case = Case::new();
    case.req.password = Password::parse("customer-pw").unwrap();
    assert_eq!(case.grant().kind, GrantKind::Counted);
    case.req.password = Password::parse("DEMO1000").unwrap();
    assert_eq!(case.refusal(), Refusal::Credentials);
}

#[test]
fn ex_3_a3_other_product_is_refused() {
    let mut case = Case::new();
    case.req.product_id = Some(ProductId::new(77).unwrap());
    assert_eq!(case.refusal(), Refusal::Product);
    case.req.product_id = Some(ProductId::new(76).unwrap());
    case.req.option_id = Some(OptionId::new(2).unwrap());
    assert_eq!(case.refusal(), Refusal::Product);
}

#[test]
fn ex_4_a1_computer_0_and_act_4_shipped_goods_are_refused() {
    let mut case = Case::new();
    case.req.key = cid(0);
    assert_eq!(case.refusal(), Refusal::ComputerId);

    let mut case = Case::new();
    case.rules.option_type = OptionType::ShippedGoods;
    assert_eq!(case.refusal(), Refusal::OptionType);
}

#[test]
fn a1_comes_before_a2_and_needs_user_code_1() {
    let mut case = Case::new();
    case.req.key = cid(0);
    case.req.password = Password::parse("wrong").unwrap();
    assert_eq!(case.refusal(), Refusal::ComputerId, "C-3: first cause wins");
    let mut case = Case::new();
    case.req.user_code1 = None;
    assert_eq!(case.refusal(), Refusal::Param);
}

#[test]
fn act_4_type_by_path() {
    let lf = |t: OptionType| {
        let mut case = license_file_case();
        case.rules.option_type = t;
        case.run().map(|_| ())
    };
    let tc = |t: OptionType| {
        let mut case = Case::new();
        case.rules.option_type = t;
        case.run().map(|_| ())
    };
    let tcv = OptionType::DownloadableLicenseWithTriggerCodeValidation;
    assert_eq!(tc(tcv), Ok(()));
    assert_eq!(lf(tcv), Err(Refusal::OptionType));
    assert_eq!(lf(OptionType::VolumeLicense), Ok(()));
    assert_eq!(tc(OptionType::VolumeLicense), Err(Refusal::OptionType));
    for t in [OptionType::DownloadableGoods, OptionType::ServiceFee] {
        assert_eq!(tc(t), Err(Refusal::OptionType));
        assert_eq!(lf(t), Err(Refusal::OptionType));
    }
    assert_eq!(lf(OptionType::ActivationCode), Ok(()));
}

#[test]
fn vol_1_later_volume_files_need_allow_reactivations() {
    let mut case = license_file_case();
    case.rules.option_type = OptionType::VolumeLicense;
    case.has_grant = true;
    assert_eq!(case.refusal(), Refusal::OptionType);
    case.rules.allow_reactivation = true;
    assert_eq!(case.grant().kind, GrantKind::Counted);
}

#[test]
fn ex_5_a7_unregistered_customer_with_require_registration() {
    let mut case = Case::new();
    case.license.customer_registered = false;
    assert_eq!(case.grant().kind, GrantKind::Counted, "not required");
    case.req.require_registration = true;
    assert_eq!(case.refusal(), Refusal::Unregistered);
}

#[test]
fn ex_6_a14_left_0_is_no_activations() {
    let mut case = Case::new();
    case.license.activations_left = 0;
    assert_eq!(case.refusal(), Refusal::NoActivations);
}

#[test]
fn ex_7_con_2_left_1_one_counted_then_no_activations() {
    let mut case = Case::new();
    case.license.activations_left = 1;
    let a = case.grant();
    assert_eq!((a.kind, a.activations_left), (GrantKind::Counted, 0));
    case.commit(&a);
    case.req.key = cid(5678);
    case.req.user_code1 = Some(556);
    assert_eq!(case.refusal(), Refusal::NoActivations);
    assert_eq!(case.license.activations_left, 0);
}

#[test]
fn ex_8_act_7_retry_within_10_minutes_replays_after_counts_again() {
    let mut case = Case::new();
    let first = case.grant();
    let id = case.commit(&first);

    case.now = NOW + Duration::minutes(3);
    match case.run() {
        Ok(Decision::Replay { record_id, grant }) => {
            assert_eq!(record_id, id);
            assert_eq!(grant, first, "same codes, left 2");
        }
        other => panic!("expected a replay, got {other:?}"),
    }

    case.now = NOW + Duration::minutes(11);
    let again = case.grant();
    assert_eq!(
        (again.kind, again.activations_left),
        (GrantKind::Counted, 1)
    );
    assert_eq!(again.codes, first.codes, "TC-3 is a function of its inputs");
}

#[test]
fn act_7_replay_needs_same_session_key_path_and_option() {
    let mut case = Case::new();
    let first = case.grant();
    case.commit(&first);
    case.now = NOW + Duration::minutes(1);

    let mut other_session = clone_case(&case);
    other_session.req.user_code1 = Some(SESSION + 1);
    assert!(matches!(other_session.run(), Ok(Decision::Grant(_))));

    let mut other_computer = clone_case(&case);
    other_computer.req.key = cid(COMPUTER + 1);
    assert!(matches!(other_computer.run(), Ok(Decision::Grant(_))));

    let mut other_option = clone_case(&case);
    other_option.rules.option_id = OptionId::new(2).unwrap();
    other_option.license.option_id = OptionId::new(2).unwrap();
    assert!(matches!(other_option.run(), Ok(Decision::Grant(_))));

    assert!(matches!(case.run(), Ok(Decision::Replay { .. })));
}

#[test]
fn act_7_a_refusing_check_still_comes_before_the_replay() {
    let mut case = Case::new();
    let first = case.grant();
    case.commit(&first);
    case.now = NOW + Duration::minutes(1);
    case.license.status = LicenseStatus::Void;
    assert_eq!(case.refusal(), Refusal::Status);
}

#[test]
fn ex_10_sts_2_void_and_expired_are_refused() {
    for status in [LicenseStatus::Void, LicenseStatus::Expired] {
        let mut case = Case::new();
        case.license.status = status;
        assert_eq!(case.refusal(), Refusal::Status, "{status:?}");
    }
}

#[test]
fn ex_11_upg_1_upgrade_with_allow_activation_counts() {
    let mut case = Case::new();
    case.license.status = LicenseStatus::Upgrade;
    case.rules.upgrade_behavior = UpgradeBehavior::AllowActivation;
    assert_eq!(case.grant().kind, GrantKind::Counted);
}

#[test]
fn ex_12_upg_1_upgrade_with_allow_execution_refuses_activation() {
    let mut case = Case::new();
    case.license.status = LicenseStatus::Upgrade;
    case.rules.upgrade_behavior = UpgradeBehavior::AllowExecution;
    assert_eq!(case.refusal(), Refusal::Status);
}

// --- IP ----------------------------------------------------------------------------

#[test]
fn ex_15_ip_4_allow_override_at_activation() {
    let mut case = Case::new();
    case.rules.ip_mode = IpMode::NoRestrictionsAllowOverride;
    case.license.allowed_ips = Some("10.0.0.0/255.255.255.0".to_owned());
    case.req.client_ip = ip("10.0.0.77");
    assert_eq!(case.grant().kind, GrantKind::Counted);
    case.req.client_ip = ip("10.0.1.1");
    assert_eq!(case.refusal(), Refusal::Ip);
}

#[test]
fn ex_16_ex_17_ip_4_first_activation_ip_stages_then_restricts() {
    let mut case = Case::new();
    case.rules.ip_mode = IpMode::FirstActivationIp;
    case.rules.ip_mask = "255.255.0.0".parse().unwrap();
    case.req.client_ip = ip("192.168.5.9");
    let g = case.grant();
    assert_eq!(g.first_ip.as_deref(), Some("192.168.5.9/255.255.0.0"));
    case.commit(&g);

    case.req.user_code1 = Some(SESSION + 1);
    case.req.client_ip = ip("192.168.77.1");
    let second = case.grant();
    assert_eq!(second.first_ip, None, "the field is set now");
    case.req.client_ip = ip("192.169.0.1");
    assert_eq!(case.refusal(), Refusal::Ip);
}

#[test]
fn ex_18_ip_5_first_ip_is_not_staged_by_a_refusal() {
    let mut case = Case::new();
    case.rules.ip_mode = IpMode::FirstActivationIp;
    case.rules.ip_mask = "255.255.0.0".parse().unwrap();
    case.license.activations_left = 0;
    case.req.client_ip = ip("192.168.5.9");
    assert_eq!(case.refusal(), Refusal::NoActivations);
}

#[test]
fn ex_19_ip_3_mapped_ipv6_at_activation() {
    let mut case = Case::new();
    case.rules.ip_mode = IpMode::SpecifiedActivationIp;
    case.license.allowed_ips = Some("203.0.113.5".to_owned());
    case.req.client_ip = ip("::ffff:203.0.113.5");
    assert_eq!(case.grant().kind, GrantKind::Counted);
    case.req.client_ip = ip("2001:db8::1");
    assert_eq!(case.refusal(), Refusal::Ip);
}

#[test]
fn ex_20_ip_4_specified_prefix_passes_unset_refuses() {
    let mut case = Case::new();
    case.rules.ip_mode = IpMode::SpecifiedActivationIp;
    case.req.client_ip = ip("10.200.1.1");
    case.license.allowed_ips = Some("10.0.0.0/8".to_owned());
    assert_eq!(case.grant().kind, GrantKind::Counted);
    case.license.allowed_ips = None;
    assert_eq!(case.refusal(), Refusal::Ip);
}

#[test]
fn ex_21_con_4_second_first_activation_ip_sees_the_committed_field() {
    let mut case = Case::new();
    case.rules.ip_mode = IpMode::FirstActivationIp;
    case.req.client_ip = ip("192.0.2.1");
    let first = case.grant();
    case.commit(&first);
    case.req.client_ip = ip("192.0.2.2");
    case.req.user_code1 = Some(SESSION + 1);
    assert_eq!(case.refusal(), Refusal::Ip);
}

// --- VER -----------------------------------------------------------------------------

#[test]
fn ex_22_ver_3_lower_version_returns_minimum_and_url() {
    let mut case = Case::new();
    case.rules.min_version = Some(Version::parse_minimum("3.0.0.0").unwrap());
    case.rules.min_version_url = Some("https://example.invalid/upgrade".to_owned());
    case.req.version = Version::parse_request("2.9.9.9");
    assert_eq!(
        case.refusal(),
        Refusal::Version {
            minimum: Version::parse_minimum("3.0.0.0").unwrap(),
            url: Some("https://example.invalid/upgrade".to_owned()),
        }
    );
}

#[test]
fn ex_23_ver_3_equal_and_integer_greater_versions_pass() {
    for (min, version) in [("3.0.0.0", "3.0.0.0"), ("1.9.0.0", "1.10.0.0")] {
        let mut case = Case::new();
        case.rules.min_version = Some(Version::parse_minimum(min).unwrap());
        case.req.version = Version::parse_request(version);
        assert_eq!(case.grant().kind, GrantKind::Counted, "{min} vs {version}");
    }
}

#[test]
fn ex_24_ver_2_short_version_passes_none_and_garbage_refuse() {
    let mut case = Case::new();
    case.rules.min_version = Some(Version::parse_minimum("3.0.0.0").unwrap());
    case.req.version = Version::parse_request("3");
    assert_eq!(case.grant().kind, GrantKind::Counted);
    for absent in [None, Version::parse_request("abc")] {
        case.req.version = absent;
        assert!(matches!(case.refusal(), Refusal::Version { .. }));
    }
}

// --- REA / THR -----------------------------------------------------------------------

fn iid_case(allow_reactivation: bool) -> Case {
    let mut case = Case::new();
    case.rules.issue_installation_id = true;
    case.rules.allow_reactivation = allow_reactivation;
    case
}

fn record_with_iid(id: i64, key: ComputerKey, n: u8) -> ActivationRecord {
    ActivationRecord {
        installation_id: Some(iid(n)),
        ..record(id, key, NOW - Duration::days(1))
    }
}

#[test]
fn ex_26_rea_3_reactivation_moves_installation_id() {
    let mut case = iid_case(true);
    case.license.activations_left = 0;
    case.records = vec![record_with_iid(1, cid(COMPUTER), 1)];
    let g = case.grant();
    assert_eq!(g.kind, GrantKind::Threshold);
    assert_eq!(g.installation_id, Some(iid(1)));
    assert!(g.consumed, "consumed moves with the ID");
    assert_eq!(g.supersedes, Some(1));
    assert_eq!(g.activations_left, 0);

    case.req.key = cid(COMPUTER + 1);
    assert_eq!(case.refusal(), Refusal::NoActivations);
}

#[test]
fn rea_1_latest_active_candidate_wins_then_highest_id() {
    let mut case = iid_case(true);
    let mut older = record_with_iid(7, cid(COMPUTER), 7);
    older.granted_at = NOW - Duration::days(3);
    let tie_low = record_with_iid(8, cid(COMPUTER), 8);
    let tie_high = record_with_iid(9, cid(COMPUTER), 9);
    let mut newest_but_gone = record_with_iid(10, cid(COMPUTER), 10);
    newest_but_gone.granted_at = NOW - Duration::hours(1);
    newest_but_gone.state = RecordState::Deactivated {
        at: NOW - Duration::minutes(30),
        reason: crate::model::DeactivationReason::Client,
    };
    case.records = vec![older, tie_high, tie_low, newest_but_gone];
    let g = case.grant();
    assert_eq!((g.supersedes, g.installation_id), (Some(9), Some(iid(9))));
}

#[test]
fn ex_27_rea_5_without_reactivation_a_repeat_is_counted_with_a_new_id() {
    let mut case = iid_case(false);
    case.license.activations_left = 2;
    case.records = vec![record_with_iid(1, cid(COMPUTER), 1)];
    let g = case.grant();
    assert_eq!(
        (g.kind, g.activations_left, g.supersedes),
        (GrantKind::Counted, 1, None)
    );
    let fresh = g.installation_id.unwrap();
    assert_ne!(fresh, iid(1));
}

#[test]
fn ex_28_rea_2_deactivated_records_are_never_candidates() {
    let mut case = iid_case(true);
    case.license.activations_left = 1;
    let mut gone = record_with_iid(1, cid(COMPUTER), 1);
    gone.state = RecordState::Deactivated {
        at: NOW - Duration::hours(2),
        reason: crate::model::DeactivationReason::Client,
    };
    case.records = vec![gone];
    let g = case.grant();
    assert_eq!((g.kind, g.activations_left), (GrantKind::Counted, 0));
}

#[test]
fn ex_29_rea_4_banned_key_is_refused_regardless_of_left() {
    let mut case = iid_case(false);
    case.license.activations_left = 5;
    let mut banned = record_with_iid(1, cid(COMPUTER), 1);
    banned.state = RecordState::Banned {
        at: NOW - Duration::days(1),
    };
    case.records = vec![banned];
    assert_eq!(case.refusal(), Refusal::Banned);
    case.rules.allow_reactivation = true;
    assert_eq!(case.refusal(), Refusal::Banned);
    case.rules.issue_installation_id = false;
    assert_eq!(case.grant().kind, GrantKind::Counted, "REA-4 needs IID");
}

#[test]
fn ex_30_con_3_second_request_from_the_same_computer_reactivates() {
    let mut case = iid_case(true);
    case.license.activations_left = 5;
    let first = case.grant();
    assert_eq!(first.kind, GrantKind::Counted);
    let i1 = first.installation_id.unwrap();
    let first_id = case.commit(&first);
    case.req.user_code1 = Some(SESSION + 1);
    let second = case.grant();
    assert_eq!(second.kind, GrantKind::Threshold);
    assert_eq!(second.installation_id, Some(i1));
    assert_eq!(second.supersedes, Some(first_id));
    assert_eq!(second.activations_left, 4);
}

#[test]
fn ex_31_thr_2_threshold_0_is_the_exact_computer() {
    let mut case = Case::new();
    case.rules.unlock_threshold = 0;
    case.license.activations_left = 0;
    case.records = vec![record(1, cid(1234), NOW - Duration::days(2))];
    let g = case.grant();
    assert_eq!(g.kind, GrantKind::Threshold);
    assert_eq!(
        (g.installation_id, g.consumed, g.supersedes),
        (None, false, None)
    );
    case.req.key = cid(1235);
    assert_eq!(case.refusal(), Refusal::NoActivations);
}

#[test]
fn ex_32_thr_2_threshold_20_is_inclusive() {
    let mut case = Case::new();
    case.rules.unlock_threshold = 20;
    case.license.activations_left = 0;
    case.records = vec![record(1, cid(1000), NOW - Duration::days(2))];
    for (computer, expected) in [(1020, true), (980, true), (1021, false), (979, false)] {
        case.req.key = cid(computer);
        let granted =
            matches!(case.run(), Ok(Decision::Grant(ref g)) if g.kind == GrantKind::Threshold);
        assert_eq!(granted, expected, "computer {computer}");
    }
}

#[test]
fn ex_33_thr_2_no_wrap_across_the_i32_range() {
    let mut case = Case::new();
    case.rules.unlock_threshold = 65_535;
    case.license.activations_left = 0;
    case.records = vec![record(1, cid(i32::MIN), NOW - Duration::days(2))];
    case.req.key = cid(i32::MAX);
    assert_eq!(case.refusal(), Refusal::NoActivations);
}

#[test]
fn ex_34_thr_1_refused_attempts_are_not_candidates() {
    // A refused attempt leaves no activation record, only an attempt-history row.
    let mut case = Case::new();
    case.rules.unlock_threshold = 0;
    case.license.activations_left = 0;
    assert_eq!(case.refusal(), Refusal::NoActivations);
}

#[test]
fn ex_35_thr_4_threshold_on_an_iid_option_acts_as_off() {
    let mut case = iid_case(false);
    case.rules.unlock_threshold = 0;
    case.license.activations_left = 0;
    case.records = vec![record_with_iid(1, cid(COMPUTER), 1)];
    assert_eq!(case.refusal(), Refusal::NoActivations);
}

#[test]
fn thr_2_license_file_path_needs_the_exact_key() {
    let mut case = license_file_case();
    case.rules.unlock_threshold = 5;
    case.license.activations_left = 0;
    let mut old = record(1, case.req.key.clone(), NOW - Duration::days(1));
    old.path = ActivationPath::LicenseFile;
    case.records = vec![old];
    assert_eq!(case.grant().kind, GrantKind::Threshold);
    case.req.key =
        ComputerKey::from_identifiers(vec![SystemIdentifier::new(10, "NIC", "other").unwrap()]);
    assert_eq!(case.refusal(), Refusal::NoActivations);
    case.req.key = ComputerKey::from_identifiers(vec![]);
    case.records[0].key = ComputerKey::from_identifiers(vec![]);
    assert_eq!(
        case.refusal(),
        Refusal::NoActivations,
        "C-4: no key never matches"
    );
}

// --- DAYS ----------------------------------------------------------------------------

#[test]
fn ex_37_days_1_inside_the_window_grants_days_left_1_counts() {
    let mut case = Case::new();
    case.rules.additional_days = 7;
    case.last_counted_at = Some(NOW - Duration::days(3));
    case.license.activations_left = 0;
    let g = case.grant();
    assert_eq!(
        (g.kind, g.activations_left, g.consumed),
        (GrantKind::Days, 0, false)
    );
    case.license.activations_left = 1;
    let g = case.grant();
    assert_eq!((g.kind, g.activations_left), (GrantKind::Counted, 0));
}

#[test]
fn days_1_with_iid_a_days_grant_gets_a_fresh_installation_id() {
    let mut case = iid_case(false);
    case.rules.additional_days = 7;
    case.last_counted_at = Some(NOW - Duration::days(3));
    case.license.activations_left = 0;
    let g = case.grant();
    assert_eq!(g.kind, GrantKind::Days);
    assert!(g.installation_id.is_some());
}

#[test]
fn ex_38_days_1_window_end_is_exclusive() {
    let mut case = Case::new();
    case.rules.additional_days = 7;
    case.last_counted_at = Some(NOW - Duration::seconds(7 * 86_400));
    case.license.activations_left = 0;
    assert_eq!(case.refusal(), Refusal::NoActivations);
    case.last_counted_at = Some(NOW - Duration::seconds(7 * 86_400 - 1));
    assert_eq!(case.grant().kind, GrantKind::Days);
}

#[test]
fn ex_39_days_1_the_window_does_not_roll_with_days_grants() {
    let mut case = Case::new();
    case.rules.additional_days = 7;
    case.license.activations_left = 0;
    case.last_counted_at = Some(NOW - Duration::days(10));
    let mut days = record(2, cid(99), NOW - Duration::days(2));
    days.kind = GrantKind::Days;
    days.consumed = false;
    case.records = vec![record(1, cid(98), NOW - Duration::days(10)), days];
    assert_eq!(case.refusal(), Refusal::NoActivations);
}

#[test]
fn days_3_zero_days_disables_the_window() {
    let mut case = Case::new();
    case.license.activations_left = 0;
    case.last_counted_at = Some(NOW - Duration::hours(1));
    assert_eq!(case.refusal(), Refusal::NoActivations);
}

// --- TC --------------------------------------------------------------------------------

#[test]
fn ex_40_tc_2_fixed_value_is_encrypted_with_the_regkey2_seed() {
    let mut case = Case::new();
    case.rules.option_type = OptionType::ActivationCodeWithFixedValue;
    case.rules.tc_fixed_value = 500;
    case.rules.rk2_seed = 17;
    let g = case.grant();
    assert_eq!(g.event_data, Some(500));
    assert_eq!(g.codes.unwrap().1, Tc1.encrypt(500, 17));
}

#[test]
fn ex_41_qty_3_with_quantity_carries_the_quantity() {
    let mut case = Case::new();
    case.rules.option_type = OptionType::ActivationCodeWithQuantity;
    case.license.quantity = 25;
    case.license.activations_left = 1;
    let g = case.grant();
    assert_eq!((g.event_data, g.activations_left), (Some(25), 0));
    assert_eq!(g.codes.unwrap().1, Tc1.encrypt(25, 17));
    case.license.quantity = 16_384;
    assert_eq!(case.refusal(), Refusal::Config);
}

#[test]
fn ex_42_tc_2_days_left_counts_whole_days() {
    let cases = [
        (Some(date!(2025 - 03 - 20)), Ok(Some(10))),
        (Some(date!(2025 - 03 - 10)), Ok(Some(0))),
        (Some(date!(2025 - 03 - 09)), Err(Refusal::Expired)),
        (None, Ok(Some(16_383))),
        (Some(date!(2099 - 01 - 01)), Ok(Some(16_383))),
    ];
    for (expiration, expected) in cases {
        let mut case = Case::new();
        case.rules.option_type = OptionType::ActivationCodeWithDaysLeft;
        case.license.expiration = expiration;
        let got = case.run().map(|d| match d {
            Decision::Grant(g) => g.event_data,
            Decision::Replay { .. } => panic!("no replay expected"),
        });
        assert_eq!(got, expected, "{expiration:?}");
    }
}

#[test]
fn ex_43_tc_2_license_counter_must_be_below_16383() {
    for (counter, expected) in [
        (Some(16_382), Ok(Some(16_382))),
        (Some(16_383), Err(Refusal::Config)),
        (None, Err(Refusal::Config)),
        (Some(-1), Err(Refusal::Config)),
    ] {
        let mut case = Case::new();
        case.rules.option_type = OptionType::ActivationCodeWithLicenseCounter;
        case.license.license_counter = counter;
        let got = case.run().map(|d| match d {
            Decision::Grant(g) => g.event_data,
            Decision::Replay { .. } => panic!("no replay expected"),
        });
        assert_eq!(got, expected, "{counter:?}");
    }
}

#[test]
fn ex_44_tc_4_tc_validation_uses_the_license_id_as_session() {
    let mut case = Case::new();
    case.rules.option_type = OptionType::DownloadableLicenseWithTriggerCodeValidation;
    case.license.id = LicenseId::new(4711).unwrap();
    case.req.license_id = case.license.id;
    let g = case.grant();
    assert_eq!(g.codes, Some((expected_codes(1, 4711, COMPUTER, 4321), 0)));
}

#[test]
fn e_11_license_file_path_has_event_data_but_no_codes() {
    let mut case = license_file_case();
    case.rules.option_type = OptionType::ActivationCodeWithFixedValue;
    case.rules.tc_fixed_value = 42;
    let g = case.grant();
    assert_eq!((g.event_data, g.codes), (Some(42), None));
}

// --- EXP -------------------------------------------------------------------------------

#[test]
fn ex_47_exp_2_reset_takes_the_later_date() {
    let mut case = Case::new();
    case.rules.reset_expiration = true;
    case.rules.days_to_download = 30;
    case.license.expiration = Some(date!(2025 - 01 - 31));
    assert_eq!(case.grant().new_expiration, Some(date!(2025 - 04 - 09)));
    case.license.expiration = Some(date!(2025 - 12 - 31));
    assert_eq!(case.grant().new_expiration, None, "unchanged");
}

#[test]
fn exp_2_reset_only_first_grant_never_perpetual_never_n_0() {
    let mut case = Case::new();
    case.rules.reset_expiration = true;
    case.rules.days_to_download = 30;
    case.license.expiration = Some(date!(2025 - 01 - 31));
    case.has_grant = true;
    assert_eq!(case.grant().new_expiration, None, "an earlier grant exists");
    case.has_grant = false;
    case.license.expiration = None;
    assert_eq!(
        case.grant().new_expiration,
        None,
        "perpetual stays perpetual"
    );
    case.license.expiration = Some(date!(2025 - 01 - 31));
    case.rules.days_to_download = 0;
    assert_eq!(case.grant().new_expiration, None, "n = 0 never resets");
}

#[test]
fn ex_48_exp_2_a_refusal_does_not_spend_the_reset() {
    let mut case = Case::new();
    case.rules.reset_expiration = true;
    case.rules.days_to_download = 30;
    case.rules.ip_mode = IpMode::SpecifiedActivationIp;
    case.license.allowed_ips = Some("203.0.113.5".to_owned());
    case.license.expiration = Some(date!(2025 - 01 - 31));
    assert_eq!(case.refusal(), Refusal::Ip);
    case.req.client_ip = ip("203.0.113.5");
    assert_eq!(case.grant().new_expiration, Some(date!(2025 - 04 - 09)));
}

#[test]
fn ex_49_exp_2_days_left_reads_the_reset_date() {
    let mut case = Case::new();
    case.rules.option_type = OptionType::ActivationCodeWithDaysLeft;
    case.rules.reset_expiration = true;
    case.rules.days_to_download = 30;
    case.license.expiration = Some(date!(2025 - 01 - 31));
    let g = case.grant();
    assert_eq!(
        (g.new_expiration, g.event_data),
        (Some(date!(2025 - 04 - 09)), Some(30))
    );
}

// --- CLK -------------------------------------------------------------------------------

#[test]
fn ex_58_clk_1_client_timestamp_off_by_30_hours_refused_2_hours_passes() {
    let mut case = Case::new();
    case.req.client_time = Some(NOW - Duration::hours(30));
    assert_eq!(case.refusal(), Refusal::Clock);
    case.req.client_time = Some(NOW + Duration::hours(2));
    assert_eq!(case.grant().kind, GrantKind::Counted);
}

#[test]
fn e_1_clk_1_tc1_session_date_within_one_day_passes() {
    let mut case = Case::new();
    case.req.user_code1 = Some(321_990_713); // 2026-11-26
    case.now = datetime!(2026-11-27 23:59 UTC);
    assert!(matches!(case.run_with(&Tc1), Ok(Decision::Grant(_))));
    case.now = datetime!(2026-11-28 00:00 UTC);
    assert_eq!(case.run_with(&Tc1), Err(Refusal::Clock));
    case.now = datetime!(2026-11-24 12:00 UTC);
    assert_eq!(case.run_with(&Tc1), Err(Refusal::Clock));
}

#[test]
fn e_1_clk_1_tc_validation_skips_the_session_date() {
    let mut case = Case::new();
    case.rules.option_type = OptionType::DownloadableLicenseWithTriggerCodeValidation;
    case.req.user_code1 = Some(321_990_713);
    case.now = datetime!(2030-01-01 00:00 UTC);
    assert!(matches!(case.run_with(&Tc1), Ok(Decision::Grant(_))));
}

#[test]
fn a5_clock_comes_before_a6_status() {
    let mut case = Case::new();
    case.license.status = LicenseStatus::Void;
    case.req.client_time = Some(NOW + Duration::days(3));
    assert_eq!(case.refusal(), Refusal::Clock);
}

// --- helpers and history query ------------------------------------------------------

fn license_file_case() -> Case {
    let mut case = Case::new();
    case.req.path = ActivationPath::LicenseFile;
    case.req.user_code1 = None;
    case.req.session_code = Some(SessionCode::parse("abcDEF123+/=").unwrap());
    case.req.key = ComputerKey::from_identifiers(vec![
        SystemIdentifier::new(10, "NIC", "aa-bb").unwrap(),
        SystemIdentifier::new(20, "ComputerName", "host").unwrap(),
    ]);
    case
}

fn clone_case(case: &Case) -> Case {
    Case {
        license: case.license.clone(),
        rules: case.rules.clone(),
        records: case.records.clone(),
        last_counted_at: case.last_counted_at,
        has_grant: case.has_grant,
        req: case.req.clone(),
        now: case.now,
    }
}

#[test]
fn license_file_path_grants_and_replays_by_session_code() {
    let mut case = license_file_case();
    case.rules.issue_installation_id = true;
    let g = case.grant();
    assert_eq!((g.kind, g.codes), (GrantKind::Counted, None));
    assert!(g.installation_id.is_some());
    case.commit(&g);
    case.now = NOW + Duration::minutes(2);
    assert!(matches!(case.run(), Ok(Decision::Replay { .. })));
    case.req.session_code = Some(SessionCode::parse("another").unwrap());
    assert!(matches!(case.run(), Ok(Decision::Grant(_))));
    case.req.session_code = None;
    assert_eq!(case.refusal(), Refusal::Param);
}

#[test]
fn session_text_is_the_code_or_user_code_1_in_decimal() {
    let case = Case::new();
    assert_eq!(case.req.session_text().as_deref(), Some("555"));
    let mut req = case.req.clone();
    req.user_code1 = Some(-42);
    assert_eq!(req.session_text().as_deref(), Some("-42"));
    let lf = license_file_case();
    assert_eq!(lf.req.session_text().as_deref(), Some("abcDEF123+/="));
}

#[test]
fn history_query_loads_the_key_and_the_thr_2_window() {
    let mut case = Case::new();
    let q = history_query(&case.req, &case.rules);
    assert_eq!(q.key_fingerprint, case.req.key.fingerprint());
    assert_eq!(q.computer_id_window, None, "threshold off");

    case.rules.unlock_threshold = 20;
    let q = history_query(&case.req, &case.rules);
    assert_eq!(q.computer_id_window, Some((1214, 1254)));

    case.req.key = ComputerKey::ComputerId(ComputerId::new(i32::MAX));
    case.rules.unlock_threshold = 65_535;
    let q = history_query(&case.req, &case.rules);
    assert_eq!(
        q.computer_id_window,
        Some((i64::from(i32::MAX) - 65_535, i64::from(i32::MAX) + 65_535))
    );

    case.rules.issue_installation_id = true;
    assert_eq!(
        history_query(&case.req, &case.rules).computer_id_window,
        None,
        "THR-4"
    );

    let lf = license_file_case();
    let mut rules = lf.rules.clone();
    rules.unlock_threshold = 20;
    let q = history_query(&lf.req, &rules);
    assert_eq!(
        q.computer_id_window, None,
        "license-file path: exact key only"
    );
    assert!(q.key_fingerprint.is_some());
}

#[test]
fn act_5_installation_ids_come_from_the_injected_rng() {
    let mut case = iid_case(false);
    let a = case.grant().installation_id;
    let b = case.grant().installation_id;
    assert!(a.is_some());
    assert_eq!(a, b, "same seed, same ID");
    case.rules.issue_installation_id = false;
    assert_eq!(case.grant().installation_id, None);
}
