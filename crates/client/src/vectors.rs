//! The published trigger-code conformance vectors (`tests/vectors/trigger-codes-v1.json`,
//! wire.md §6.3): the vectors of wire.md, boundary cases (events 1 and 50, data 0 and
//! 16383, RegKey2 seeds 0, 1, 255, extreme sessions, computers and TC seeds) and
//! cases drawn from a ChaCha20 generator with a fixed seed, so regenerating gives the
//! same file byte for byte. Computed with this crate's [`Tc1`] use, and checked
//! independently by `tests/python/test_vectors.py`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use unlockd_core::trigger::{Tc1, TriggerCodeAlgorithm};

/// The RNG seed of version 1 of the file.
pub const TRIGGER_CODES_SEED: u64 = 20_261_127;

/// `(event, session, computer, tc_seed)` of wire.md §6.3's RegKey1 table.
const WIRE_RK1: [(u8, i32, i32, u32); 7] = [
    (1, 321_990_713, 123_456_789, 1234),
    (50, 321_990_713, 123_456_789, 1234),
    (1, 321_990_713, 123_456_790, 1234),
    (1, 321_990_713, -1, 1234),
    (1, i32::MIN, 0, 0),
    (19, 1, 1, 84_395),
    (28, 1002, 987_654_321, 2_147_483_647),
];

/// `(data, rk2_seed)` of wire.md §6.3's RegKey2 list.
const WIRE_RK2: [(u16, u8); 6] = [(0, 1), (16383, 255), (30, 77), (365, 77), (0, 77), (5, 0)];

/// The whole vector document for `seed` (version 1 uses [`TRIGGER_CODES_SEED`]).
pub fn trigger_codes(seed: u64) -> Value {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut rk1: Vec<(u8, i32, i32, u32)> = WIRE_RK1.to_vec();
    for event in [1, 50] {
        for session in [i32::MIN, -1, 0, 1, i32::MAX] {
            for computer in [i32::MIN, 0, i32::MAX] {
                rk1.push((event, session, computer, 1234));
            }
        }
        for tc_seed in [0, 1, i32::MAX as u32] {
            rk1.push((event, 321_990_713, 123_456_789, tc_seed));
        }
    }
    for _ in 0..130 {
        rk1.push((
            rng.random_range(1..=50),
            rng.random(),
            rng.random(),
            rng.random_range(0..=i32::MAX as u32),
        ));
    }
    let mut rk2: Vec<(u16, u8)> = WIRE_RK2.to_vec();
    for data in [0, 1, 16383] {
        for seed in [0, 1, 77, 254, 255] {
            rk2.push((data, seed));
        }
    }
    for _ in 0..60 {
        rk2.push((rng.random_range(0..=16383), rng.random()));
    }
    let sessions = [321_990_713, 0, 32_767, 32_768, -1, i32::MIN, i32::MAX];
    json!({
        "name": "unlockd trigger-code conformance vectors",
        "version": 1,
        "algorithm": "unlockd-tc1",
        "spec": "wire.md §6.3, errata E-22",
        "generator": {"rng": "ChaCha20", "seed": seed},
        "regkey1": rk1.iter().map(|&(event, session, computer, tc_seed)| json!({
            "event": event,
            "session": session,
            "computer": computer,
            "tc_seed": tc_seed,
            "regkey1": Tc1.generate(event, session, computer, tc_seed),
        })).collect::<Vec<_>>(),
        "regkey2": rk2.iter().map(|&(data, rk2_seed)| json!({
            "data": data,
            "rk2_seed": rk2_seed,
            "regkey2": Tc1.encrypt(data, rk2_seed),
        })).collect::<Vec<_>>(),
        "session_dates": sessions.iter().map(|&s| json!({
            "session": s,
            "date": Tc1.session_date(s).map(|d| d.to_string()),
        })).collect::<Vec<_>>(),
    })
}
