//! The server's clock. Core never reads time; it is handed `now` from here.

use std::sync::atomic::{AtomicI64, Ordering};

use time::{Duration, OffsetDateTime};

/// A source of the current UTC time.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> OffsetDateTime;
}

/// The real clock, optionally shifted forward by a test offset (errata E-23: only when
/// `serve --test-clock` is given can the offset move).
#[derive(Debug, Default)]
pub struct ServerClock {
    offset_seconds: AtomicI64,
}

impl ServerClock {
    /// Moves the clock forward by `seconds` (negative values are refused by the caller).
    pub fn advance(&self, seconds: i64) {
        self.offset_seconds.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ServerClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + Duration::seconds(self.offset_seconds.load(Ordering::SeqCst))
    }
}
