//! FLT table tests (rules EX 71-74, FLT-1..6, errata E-5) and a bounded property:
//! never more live sessions than seats, except through an FLT-5 overage resume.

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::*;
use crate::model::LicenseStatus;
use crate::test_support::{license, rules, NOW, PASSWORD};

/// Demo option 3 figures: pf 60, rf 10, rc 6, checkout 1..72 h, overage off.
fn demo_floating() -> FloatingRules {
    FloatingRules {
        poll_frequency: 60,
        poll_retry_frequency: 10,
        poll_retry_count: 6,
        overage_seconds: None,
        checkout_min_hours: 1,
        checkout_max_hours: 72,
    }
}

fn licensed(counter: Option<i64>) -> LicenseState {
    let mut l = license();
    l.license_counter = counter;
    l
}

fn open_req() -> OpenRequest {
    OpenRequest {
        license_id: LicenseId::new(1000).unwrap(),
        password: Password::parse(PASSWORD).unwrap(),
        client_time: None,
        identifiers: Vec::new(),
    }
}

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(7)
}

fn session(n: u8, until: OffsetDateTime) -> SessionState {
    SessionState {
        id: SessionId::parse(&format!("{n:032X}")).unwrap(),
        license_id: LicenseId::new(1000).unwrap(),
        opened_at: NOW - Duration::minutes(10),
        allocated_until: until,
        checked_out: false,
        closed: false,
    }
}

/// The snapshot the store would load at NOW for a call on a session other than the
/// listed ones (open) — see [`snapshot_at`].
fn snapshot<'a>(
    l: &'a LicenseState,
    o: &'a OptionRules,
    f: Option<&'a FloatingRules>,
    sessions: &'a [SessionState],
) -> FloatingSnapshot<'a> {
    snapshot_at(l, o, f, sessions, NOW, None)
}

/// The store's snapshot at `now`: live sessions counted except `target` (FLT-3).
fn snapshot_at<'a>(
    l: &'a LicenseState,
    o: &'a OptionRules,
    f: Option<&'a FloatingRules>,
    sessions: &[SessionState],
    now: OffsetDateTime,
    target: Option<&SessionId>,
) -> FloatingSnapshot<'a> {
    FloatingSnapshot {
        license: Some(l),
        rules: Some(o),
        floating: f,
        live_others: sessions
            .iter()
            .filter(|s| Some(&s.id) != target && s.is_live(now))
            .count() as i64,
    }
}

fn on(s: &SessionState, action: SessionAction) -> SessionRequest {
    SessionRequest {
        session_id: s.id.clone(),
        license_id: Some(s.license_id),
        action,
        client_time: None,
    }
}

#[test]
fn ex_71_flt_4_counter_2_with_1_live_2_live_or_no_counter() {
    let (o, f) = (rules(), demo_floating());
    let l = licensed(Some(2));
    let one = [session(1, NOW + Duration::seconds(30))];
    let opened = open(
        &snapshot(&l, &o, Some(&f), &one),
        &open_req(),
        NOW,
        &Policy::default(),
        &mut rng(),
    );
    assert_eq!(opened.map(|g| g.seats_available), Ok(0));
    let two = [one[0].clone(), session(2, NOW + Duration::seconds(30))];
    let full = open(
        &snapshot(&l, &o, Some(&f), &two),
        &open_req(),
        NOW,
        &Policy::default(),
        &mut rng(),
    );
    assert_eq!(full, Err(Refusal::Seats));
    let none = licensed(None);
    let no_counter = open(
        &snapshot(&none, &o, Some(&f), &[]),
        &open_req(),
        NOW,
        &Policy::default(),
        &mut rng(),
    );
    assert_eq!(
        no_counter,
        Err(Refusal::Seats),
        "FLT-2: absent counter = 0 seats"
    );
}

#[test]
fn ex_72_flt_4_lease_is_pf_plus_rc_times_rf() {
    let (o, f) = (rules(), demo_floating());
    let l = licensed(Some(2));
    let g = open(
        &snapshot(&l, &o, Some(&f), &[]),
        &open_req(),
        NOW,
        &Policy::default(),
        &mut rng(),
    )
    .unwrap();
    assert_eq!(g.session.allocated_until, NOW + Duration::seconds(120));
    assert_eq!(
        (g.seats_available, g.total_seats, g.update_counter),
        (1, 2, 1)
    );
    assert_eq!(g.session.id.as_str().len(), 32);
    assert!(g
        .session
        .id
        .as_str()
        .bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
}

#[test]
fn flt_3_expired_sessions_free_their_seat_lazily() {
    let (o, f) = (rules(), demo_floating());
    let l = licensed(Some(1));
    let dead = [session(1, NOW - Duration::seconds(1))];
    let g = open(
        &snapshot(&l, &o, Some(&f), &dead),
        &open_req(),
        NOW,
        &Policy::default(),
        &mut rng(),
    );
    assert_eq!(g.map(|g| g.seats_available), Ok(0));
    let edge = [session(1, NOW)];
    let g = open(
        &snapshot(&l, &o, Some(&f), &edge),
        &open_req(),
        NOW,
        &Policy::default(),
        &mut rng(),
    );
    assert_eq!(
        g,
        Err(Refusal::Seats),
        "now == allocated_until is still live"
    );
}

#[test]
fn ex_73_flt_5_overages_off_poll_one_second_late_is_5027() {
    let (o, f) = (rules(), demo_floating());
    let l = licensed(Some(2));
    let s = session(1, NOW - Duration::seconds(1));
    let snap = snapshot(&l, &o, Some(&f), std::slice::from_ref(&s));
    let r = act(
        &snap,
        Some(&s),
        &on(&s, SessionAction::Poll),
        NOW,
        &Policy::default(),
    );
    assert_eq!(r, Err(Refusal::Session));
}

#[test]
fn flt_5_poll_in_time_extends_the_lease() {
    let (o, f) = (rules(), demo_floating());
    let l = licensed(Some(2));
    let s = session(1, NOW + Duration::seconds(5));
    let snap = snapshot_at(&l, &o, Some(&f), std::slice::from_ref(&s), NOW, Some(&s.id));
    let g = act(
        &snap,
        Some(&s),
        &on(&s, SessionAction::Poll),
        NOW,
        &Policy::default(),
    )
    .unwrap();
    assert_eq!(g.session.allocated_until, NOW + Duration::seconds(120));
    assert_eq!(g.seats_available, 1);
}

#[test]
fn ex_74_flt_5_overage_resume_goes_negative_and_open_still_refuses() {
    let o = rules();
    let f = FloatingRules {
        overage_seconds: Some(300),
        ..demo_floating()
    };
    let l = licensed(Some(1));
    let old = session(1, NOW - Duration::seconds(100));
    let retaken = session(2, NOW + Duration::seconds(60));
    let sessions = [old.clone(), retaken];
    let snap = snapshot(&l, &o, Some(&f), &sessions);
    let g = act(
        &snap,
        Some(&old),
        &on(&old, SessionAction::Poll),
        NOW,
        &Policy::default(),
    )
    .unwrap();
    assert_eq!(g.seats_available, -1);
    let resumed = [g.session, sessions[1].clone()];
    let snap = snapshot(&l, &o, Some(&f), &resumed);
    let r = open(&snap, &open_req(), NOW, &Policy::default(), &mut rng());
    assert_eq!(
        r,
        Err(Refusal::Seats),
        "E-5: OpenSession never exceeds the seats"
    );
    let too_late = session(3, NOW - Duration::seconds(301));
    let snap = snapshot(&l, &o, Some(&f), std::slice::from_ref(&too_late));
    let r = act(
        &snap,
        Some(&too_late),
        &on(&too_late, SessionAction::Poll),
        NOW,
        &Policy::default(),
    );
    assert_eq!(r, Err(Refusal::Session));
}

#[test]
fn e_5_unknown_or_foreign_sessions_are_5027() {
    let (o, f) = (rules(), demo_floating());
    let l = licensed(Some(2));
    let s = session(1, NOW + Duration::seconds(60));
    let snap = snapshot(&l, &o, Some(&f), std::slice::from_ref(&s));
    let r = act(
        &snap,
        None,
        &on(&s, SessionAction::Poll),
        NOW,
        &Policy::default(),
    );
    assert_eq!(r, Err(Refusal::Session));
    let mut foreign = on(&s, SessionAction::Poll);
    foreign.license_id = Some(LicenseId::new(1001).unwrap());
    assert_eq!(
        act(&snap, Some(&s), &foreign, NOW, &Policy::default()),
        Err(Refusal::Session)
    );
}

#[test]
fn flt_6_close_is_idempotent_and_poll_after_close_is_5027() {
    let (o, f) = (rules(), demo_floating());
    let l = licensed(Some(2));
    let s = session(1, NOW + Duration::seconds(60));
    let snap = snapshot_at(&l, &o, Some(&f), std::slice::from_ref(&s), NOW, Some(&s.id));
    let closed = act(
        &snap,
        Some(&s),
        &on(&s, SessionAction::Close),
        NOW,
        &Policy::default(),
    )
    .unwrap();
    assert!(closed.session.closed);
    assert_eq!(closed.seats_available, 2);
    let c = closed.session;
    let snap = snapshot(&l, &o, Some(&f), std::slice::from_ref(&c));
    assert!(act(
        &snap,
        Some(&c),
        &on(&c, SessionAction::Close),
        NOW,
        &Policy::default()
    )
    .is_ok());
    for action in [
        SessionAction::Poll,
        SessionAction::Checkin,
        SessionAction::Checkout(2),
    ] {
        let r = act(&snap, Some(&c), &on(&c, action), NOW, &Policy::default());
        assert_eq!(r, Err(Refusal::Session), "{action:?}");
    }
}

#[test]
fn flt_6_checkout_bounds_hold_the_seat_and_checkin_rearms_polling() {
    let (o, f) = (rules(), demo_floating());
    let l = licensed(Some(2));
    let s = session(1, NOW + Duration::seconds(60));
    let snap = snapshot(&l, &o, Some(&f), std::slice::from_ref(&s));
    for bad in [0, 73] {
        let r = act(
            &snap,
            Some(&s),
            &on(&s, SessionAction::Checkout(bad)),
            NOW,
            &Policy::default(),
        );
        assert_eq!(r, Err(Refusal::Param), "{bad} h");
    }
    let out = act(
        &snap,
        Some(&s),
        &on(&s, SessionAction::Checkout(72)),
        NOW,
        &Policy::default(),
    )
    .unwrap();
    assert!(out.session.checked_out);
    assert_eq!(out.session.allocated_until, NOW + Duration::hours(72));
    // Still holding the seat two days later without polling.
    let later = NOW + Duration::hours(48);
    let held = [out.session.clone()];
    let snap2 = snapshot(&l, &o, Some(&f), &held);
    let g = act(
        &snap2,
        Some(&held[0]),
        &on(&held[0], SessionAction::Poll),
        later,
        &Policy::default(),
    )
    .unwrap();
    assert_eq!(
        g.session.allocated_until,
        NOW + Duration::hours(72),
        "a poll never shortens a checkout"
    );
    let back = act(
        &snap2,
        Some(&held[0]),
        &on(&held[0], SessionAction::Checkin),
        later,
        &Policy::default(),
    )
    .unwrap();
    assert!(!back.session.checked_out);
    assert_eq!(back.session.allocated_until, later + Duration::seconds(120));
}

#[test]
fn e_5_checkout_not_allowed_by_the_option_is_5009_and_no_floating_set_is_5009() {
    let o = rules();
    let f = FloatingRules {
        checkout_min_hours: 0,
        checkout_max_hours: 0,
        ..demo_floating()
    };
    let l = licensed(Some(2));
    let s = session(1, NOW + Duration::seconds(60));
    let snap = snapshot(&l, &o, Some(&f), std::slice::from_ref(&s));
    let r = act(
        &snap,
        Some(&s),
        &on(&s, SessionAction::Checkout(1)),
        NOW,
        &Policy::default(),
    );
    assert_eq!(r, Err(Refusal::OptionType));
    let none = snapshot(&l, &o, None, &[]);
    assert_eq!(
        open(&none, &open_req(), NOW, &Policy::default(), &mut rng()),
        Err(Refusal::OptionType)
    );
}

#[test]
fn flt_4_credentials_status_and_e_13_clock() {
    let (o, f) = (rules(), demo_floating());
    let mut l = licensed(Some(2));
    let unknown = FloatingSnapshot {
        license: None,
        rules: None,
        floating: None,
        live_others: 0,
    };
    assert_eq!(
        open(&unknown, &open_req(), NOW, &Policy::default(), &mut rng()),
        Err(Refusal::Credentials)
    );
    let mut bad = open_req();
    bad.password = Password::parse("wrong").unwrap();
    assert_eq!(
        open(
            &snapshot(&l, &o, Some(&f), &[]),
            &bad,
            NOW,
            &Policy::default(),
            &mut rng()
        ),
        Err(Refusal::Credentials)
    );
    let mut late = open_req();
    late.client_time = Some(NOW + Duration::hours(30));
    assert_eq!(
        open(
            &snapshot(&l, &o, Some(&f), &[]),
            &late,
            NOW,
            &Policy::default(),
            &mut rng()
        ),
        Err(Refusal::Clock)
    );
    l.status = LicenseStatus::Void;
    assert_eq!(
        open(
            &snapshot(&l, &o, Some(&f), &[]),
            &open_req(),
            NOW,
            &Policy::default(),
            &mut rng()
        ),
        Err(Refusal::Status)
    );
    let s = session(1, NOW + Duration::seconds(60));
    let snap = snapshot(&l, &o, Some(&f), std::slice::from_ref(&s));
    assert_eq!(
        act(
            &snap,
            Some(&s),
            &on(&s, SessionAction::Poll),
            NOW,
            &Policy::default()
        ),
        Err(Refusal::Status),
        "STS-3"
    );
}

#[test]
fn e_13_clk_1_runs_right_after_the_credentials() {
    let (o, l) = (rules(), licensed(Some(2)));
    let mut late = open_req();
    late.client_time = Some(NOW - Duration::hours(30));
    let no_set = snapshot(&l, &o, None, &[]);
    let r = open(&no_set, &late, NOW, &Policy::default(), &mut rng());
    assert_eq!(r, Err(Refusal::Clock), "before the 5009 floating-set check");
}

#[test]
fn e_5_cleanup_only_past_the_overage_margin() {
    let f = FloatingRules {
        overage_seconds: Some(300),
        ..demo_floating()
    };
    let s = session(1, NOW - Duration::seconds(100));
    assert!(!f.purgeable(&s, NOW), "still resumable");
    assert!(f.purgeable(&s, NOW + Duration::seconds(201)));
    assert!(demo_floating().purgeable(&s, NOW));
}

#[test]
fn session_id_parses_case_insensitively_into_upper_case() {
    let id = SessionId::parse("0123456789abcdef0123456789ABCDEF").unwrap();
    assert_eq!(id.as_str(), "0123456789ABCDEF0123456789ABCDEF");
    assert!(SessionId::parse("0123").is_err());
    assert!(SessionId::parse(&"G".repeat(32)).is_err());
}

/// One step of a random floating workload.
#[derive(Debug, Clone)]
enum Step {
    Open,
    Act(usize, SessionAction),
    Wait(i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::Open),
        3 => (0usize..8).prop_map(|i| Step::Act(i, SessionAction::Poll)),
        1 => (0usize..8).prop_map(|i| Step::Act(i, SessionAction::Close)),
        1 => (0usize..8, 0u32..5).prop_map(|(i, h)| Step::Act(i, SessionAction::Checkout(h))),
        1 => (0usize..8).prop_map(|i| Step::Act(i, SessionAction::Checkin)),
        2 => (1i64..400).prop_map(Step::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// CON-8: live sessions exceed the seats only through an FLT-5 resume, and by at
    /// most the sessions resumed; with overages off, never.
    #[test]
    fn con_8_never_more_live_sessions_than_seats_plus_resumes(
        seats in 0i64..4,
        overage in prop_oneof![Just(None), (1u32..300).prop_map(Some)],
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        let o = rules();
        let f = FloatingRules { overage_seconds: overage, checkout_max_hours: 3, ..demo_floating() };
        let mut l = licensed(Some(seats));
        let mut sessions: Vec<SessionState> = Vec::new();
        let mut now = NOW;
        let mut rng = rng();
        let mut resumed = 0i64;
        for s in steps {
            match s {
                Step::Open => {
                    let snap = snapshot_at(&l, &o, Some(&f), &sessions, now, None);
                    let live_before = snap.live_others;
                    if let Ok(g) = open(&snap, &open_req(), now, &Policy::default(), &mut rng) {
                        prop_assert!(live_before < seats);
                        l.update_counter = g.update_counter;
                        sessions.push(g.session);
                    }
                }
                Step::Act(i, action) => {
                    let Some(target) = sessions.get(i).cloned() else { continue };
                    let snap = snapshot_at(&l, &o, Some(&f), &sessions, now, Some(&target.id));
                    if let Ok(g) = act(&snap, Some(&target), &on(&target, action), now, &Policy::default()) {
                        if action == SessionAction::Poll && !target.is_live(now) {
                            resumed += 1;
                        }
                        l.update_counter = g.update_counter;
                        sessions[i] = g.session;
                    }
                }
                Step::Wait(secs) => now += Duration::seconds(secs),
            }
            let live = sessions.iter().filter(|s| s.is_live(now)).count() as i64;
            if overage.is_none() {
                prop_assert!(live <= seats, "live {live} > seats {seats}");
            } else {
                prop_assert!(live <= seats + resumed, "live {live} > seats {seats} + resumes {resumed}");
            }
        }
    }
}
