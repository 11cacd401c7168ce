//! Bounded properties of the activation and deactivation rules over an in-memory
//! model: random operation sequences, with the staged effects applied as the store
//! commits them (CON-2, CON-3, E-16, ACT-8).

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use time::Duration;

use super::*;
use crate::deactivation::{deactivate, DeactivationRequest};
use crate::model::{DeactivationReason, RecordState};
use crate::test_support::{cid, iid, record, Case, NoSessionDate};

/// One client or clock action.
#[derive(Debug, Clone)]
enum Op {
    /// Activate from computer `1000 + computer` with User Code 1 `session`.
    Activate { computer: i32, session: i32 },
    /// Deactivate the `pick`-th known installation, optionally sending its key.
    Deactivate { pick: usize, with_key: bool },
    /// Let time pass.
    Wait { minutes: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..4i32, 0..3i32).prop_map(|(computer, session)| Op::Activate { computer, session }),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(pick, with_key)| Op::Deactivate { pick, with_key }),
        1 => (1..3000i64).prop_map(|minutes| Op::Wait { minutes }),
    ]
}

/// Option and license setup.
#[derive(Debug, Clone)]
struct Setup {
    iid: bool,
    ad: bool,
    rea: bool,
    days: u32,
    left: i32,
    extra_allowance: i32,
    dl: i32,
    /// Consumed Active installations already held when the sequence starts.
    held: u8,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        (any::<bool>(), any::<bool>(), any::<bool>()),
        prop_oneof![Just(0u32), Just(1u32)],
        (0..4i32, 0..2i32, -1..3i32, 0..3u8),
    )
        .prop_map(
            |((iid, ad, rea), days, (left, extra_allowance, dl, held))| Setup {
                iid,
                ad,
                rea,
                days,
                left,
                extra_allowance,
                dl,
                held,
            },
        )
}

/// The EX defaults changed by `s`, holding `s.held` earlier Counted installations.
fn start(s: &Setup) -> Case {
    let mut case = Case::new();
    case.rules.issue_installation_id = s.iid;
    case.rules.allow_deactivations = s.ad;
    case.rules.allow_reactivation = s.rea;
    case.rules.additional_days = s.days;
    case.license.activations_left = s.left;
    case.license.activations_allowed = s.left + s.extra_allowance;
    case.license.deactivations_left = s.dl;
    let granted = case.now - Duration::hours(1);
    for n in 0..s.held {
        let mut held = record(i64::from(n) + 1, cid(2000 + i32::from(n)), granted);
        held.installation_id = s.iid.then(|| iid(100 + n));
        case.records.push(held);
        case.last_counted_at = Some(granted);
        case.has_grant = true;
    }
    case
}

/// The records [`history_query`] tells the store to load.
fn loaded(case: &Case) -> Vec<ActivationRecord> {
    let q = history_query(&case.req, &case.rules);
    case.records
        .iter()
        .filter(|r| {
            let by_key = q.key_fingerprint.is_some() && r.key.fingerprint() == q.key_fingerprint;
            let by_window = match (q.computer_id_window, r.key.computer_id()) {
                (Some((lo, hi)), Some(c)) => (lo..=hi).contains(&i64::from(c.get())),
                _ => false,
            };
            by_key || by_window
        })
        .cloned()
        .collect()
}

/// Model bookkeeping beyond the license row.
struct Ledger {
    initial_left: i32,
    counted: i32,
    refunds: i32,
    /// Seats the license may hold at most: its allowance, or more if it started
    /// over-allocated (an admin lowered the allowance below the seats in use).
    seat_bound: i32,
}

/// Active consumed records: the seats the license holds.
fn seats_in_use(case: &Case) -> i32 {
    case.records
        .iter()
        .filter(|r| r.state == RecordState::Active && r.consumed)
        .count() as i32
}

fn apply_activate(case: &mut Case, rng: &mut ChaCha20Rng, ledger: &mut Ledger) {
    let records = loaded(case);
    let snap = ActivationSnapshot {
        license: Some(&case.license),
        rules: Some(&case.rules),
        records: &records,
        last_counted_at: case.last_counted_at,
        has_grant: case.has_grant,
    };
    let before = case.license.activations_left;
    match activate(
        &snap,
        &case.req,
        case.now,
        &Policy::default(),
        &NoSessionDate,
        rng,
    ) {
        Ok(Decision::Grant(g)) => {
            if g.kind == GrantKind::Counted {
                ledger.counted += 1;
                assert_eq!(g.activations_left, before - 1, "Counted takes exactly one");
            } else {
                assert_eq!(g.activations_left, before, "<TH and #DAYS do not consume");
            }
            case.commit(&g);
        }
        Ok(Decision::Replay { .. }) | Err(_) => {}
    }
}

fn apply_deactivate(case: &mut Case, pick: usize, with_key: bool, ledger: &mut Ledger) {
    let mut ids: Vec<InstallationId> = case
        .records
        .iter()
        .filter_map(|r| r.installation_id)
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return;
    }
    let id = ids[pick % ids.len()];
    // The store's lookup: the Active record holding the ID, else the latest.
    let holder = case
        .records
        .iter()
        .filter(|r| r.installation_id == Some(id))
        .max_by_key(|r| (r.state == RecordState::Active, r.granted_at, r.id))
        .cloned();
    let req = DeactivationRequest {
        installation_id: id,
        key: with_key
            .then(|| holder.as_ref().map(|r| r.key.clone()))
            .flatten(),
        client_time: None,
    };
    let out = deactivate(
        &case.license,
        &case.rules,
        holder.as_ref(),
        &req,
        case.now,
        &Policy::default(),
    );
    if let Ok(d) = out {
        assert!(
            d.activations_left <= case.license.activations_allowed,
            "E-16: a refund never lifts left above the allowance"
        );
        if d.activations_left > case.license.activations_left {
            ledger.refunds += 1;
        }
        let rec = case
            .records
            .iter_mut()
            .find(|r| r.id == d.record_id)
            .unwrap();
        rec.state = RecordState::Deactivated {
            at: d.at,
            reason: DeactivationReason::Client,
        };
        case.license.activations_left = d.activations_left;
        case.license.deactivations_left = d.deactivations_left;
        case.license.update_counter = d.update_counter;
    }
}

fn check_invariants(case: &Case, ledger: &Ledger) {
    let lic = &case.license;
    assert!(
        (0..=lic.activations_allowed).contains(&lic.activations_left),
        "left {} outside 0..={}",
        lic.activations_left,
        lic.activations_allowed
    );
    assert!(
        lic.deactivations_left >= -1,
        "dl {}",
        lic.deactivations_left
    );
    assert!(
        ledger.counted <= ledger.initial_left + ledger.refunds,
        "CON-2: {} Counted grants > {} + {} refunds",
        ledger.counted,
        ledger.initial_left,
        ledger.refunds
    );
    // E-16 / REA-3: consumed flags only move, so free plus held seats never grow.
    assert!(
        lic.activations_left + seats_in_use(case) <= ledger.seat_bound,
        "left {} + seats {} > {}",
        lic.activations_left,
        seats_in_use(case),
        ledger.seat_bound
    );
    // CON-3: an installation ID is Active on at most one record; with REA at most one
    // Active record per key.
    let active: Vec<&ActivationRecord> = case
        .records
        .iter()
        .filter(|r| r.state == RecordState::Active)
        .collect();
    for (i, a) in active.iter().enumerate() {
        for b in &active[i + 1..] {
            if a.installation_id.is_some() {
                assert_ne!(a.installation_id, b.installation_id, "CON-3");
            }
            if case.rules.issue_installation_id && case.rules.allow_reactivation {
                assert!(!a.key.same_computer(&b.key), "CON-3 with REA");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn con_2_grants_never_exceed_allowance_plus_refunds(
        s in setup(),
        ops in proptest::collection::vec(op(), 1..40),
        seed: u64,
    ) {
        let mut case = start(&s);
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let mut ledger = Ledger {
            initial_left: s.left,
            counted: 0,
            refunds: 0,
            seat_bound: (s.left + s.extra_allowance).max(s.left + i32::from(s.held)),
        };
        check_invariants(&case, &ledger);
        for op in ops {
            match op {
                Op::Activate { computer, session } => {
                    case.req.key = cid(1000 + computer);
                    case.req.user_code1 = Some(session);
                    apply_activate(&mut case, &mut rng, &mut ledger);
                }
                Op::Deactivate { pick, with_key } => {
                    apply_deactivate(&mut case, pick, with_key, &mut ledger);
                }
                Op::Wait { minutes } => case.now += Duration::minutes(minutes),
            }
            check_invariants(&case, &ledger);
        }
    }
}
