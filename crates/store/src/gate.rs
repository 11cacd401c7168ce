//! The SQLite writer gate: one write transaction of this process at a time, queued
//! in the process instead of in SQLite's busy handler.
//!
//! SQLite admits one writer per file; `BEGIN IMMEDIATE` losers wait in the busy
//! handler, which sleeps and polls with backoff (up to 100 ms a nap). Under load
//! that turned into second-long tails and CON-10 timeouts (measured with
//! `unlockd-load`, benches/RESULTS.md). Waiting here wakes the next writer as soon as
//! the previous one committed. Other processes on the same file still meet
//! `BEGIN IMMEDIATE` and the busy timeout, so locking stays correct without the gate.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use crate::StoreError;

/// A bounded-wait binary semaphore.
#[derive(Debug, Default)]
pub(crate) struct WriterGate {
    busy: Mutex<bool>,
    freed: Condvar,
}

/// Holding this is holding the gate; dropping it lets the next writer in.
pub(crate) struct GatePass<'a>(&'a WriterGate);

impl WriterGate {
    /// Waits at most `timeout` for the gate (CON-10: then [`StoreError::Busy`]).
    pub(crate) fn enter(&self, timeout: Duration) -> Result<GatePass<'_>, StoreError> {
        let busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut busy, waited) = self
            .freed
            .wait_timeout_while(busy, timeout, |busy| *busy)
            .unwrap_or_else(PoisonError::into_inner);
        if waited.timed_out() && *busy {
            return Err(StoreError::Busy);
        }
        *busy = true;
        Ok(GatePass(self))
    }
}

impl Drop for GatePass<'_> {
    fn drop(&mut self) {
        *self.0.busy.lock().unwrap_or_else(PoisonError::into_inner) = false;
        self.0.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn con_10_a_held_gate_times_out_as_busy_and_opens_when_released() {
        let gate = WriterGate::default();
        let pass = gate.enter(Duration::from_millis(10)).expect("free gate");
        assert!(matches!(
            gate.enter(Duration::from_millis(20)),
            Err(StoreError::Busy)
        ));
        drop(pass);
        assert!(gate.enter(Duration::from_millis(10)).is_ok());
    }
}
