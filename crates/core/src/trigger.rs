//! PLUS 4 trigger codes (wire.md §6, rules TC-1..5): the pluggable algorithm trait and
//! the default `unlockd-tc1`.

/// A trigger-code algorithm (wire.md §6.2). Pure: no clock, no RNG (TC-3).
pub trait TriggerCodeAlgorithm: Send + Sync {
    /// Registry id, e.g. `unlockd-tc1`.
    fn id(&self) -> &'static str;
    /// RegKey1 for (event, session, computer, seed).
    fn generate(&self, event: u8, session: i32, computer: i32, tc_seed: u32) -> i32;
    /// The event a RegKey1 encodes, or `None`.
    fn validate(&self, regkey1: i32, session: i32, computer: i32, tc_seed: u32) -> Option<u8>;
    /// RegKey2 for event data 0..=16383.
    fn encrypt(&self, data: u16, rk2_seed: u8) -> i32;
    /// The data a RegKey2 encodes, or `None`.
    fn decrypt(&self, regkey2: i32, rk2_seed: u8) -> Option<u16>;
    /// The date a session code encodes; `None` skips CLK-1.
    fn session_date(&self, session: i32) -> Option<time::Date>;
}

/// The default algorithm `unlockd-tc1` (wire.md §6.3, errata E-22).
#[derive(Debug, Clone, Copy, Default)]
pub struct Tc1;

/// Looks an algorithm up by id; `None` for an unknown id (E-CONFIG at activation).
pub fn algorithm(id: &str) -> Option<&'static dyn TriggerCodeAlgorithm> {
    let _ = id;
    todo!("core helper")
}
