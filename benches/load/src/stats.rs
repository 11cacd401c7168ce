//! Latency percentiles and the printed summary.

use std::collections::BTreeMap;
use std::time::Duration;

/// What one load run measured.
#[derive(Debug, Default)]
pub struct Summary {
    /// Latencies of all answered requests, in microseconds.
    pub latencies_us: Vec<u64>,
    /// Answers with ResultCode 0.
    pub ok: u64,
    /// Other outcomes by label (`result 5011`, `http 500`, `io`, …).
    pub errors: BTreeMap<String, u64>,
    /// Wall time of the measured phase.
    pub elapsed: Duration,
}

impl Summary {
    /// Merges a worker's figures into this one.
    pub fn absorb(&mut self, other: Summary) {
        self.latencies_us.extend(other.latencies_us);
        self.ok += other.ok;
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
    }

    /// The `q` quantile (0..=1) in milliseconds of sorted latencies.
    fn quantile_ms(sorted: &[u64], q: f64) -> f64 {
        if sorted.is_empty() {
            return 0.0;
        }
        let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
        sorted[i] as f64 / 1000.0
    }

    /// One line per figure, `key=value`, easy to grep.
    pub fn print(&mut self, label: &str) {
        self.latencies_us.sort_unstable();
        let n = self.latencies_us.len() as u64;
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let errors: u64 = self.errors.values().sum();
        println!(
            "{label}: requests={n} ok={} errors={errors} seconds={secs:.2} req_per_s={:.0} ok_per_s={:.0} p50_ms={:.2} p99_ms={:.2} p999_ms={:.2} max_ms={:.2}",
            self.ok,
            n as f64 / secs,
            self.ok as f64 / secs,
            Self::quantile_ms(&self.latencies_us, 0.50),
            Self::quantile_ms(&self.latencies_us, 0.99),
            Self::quantile_ms(&self.latencies_us, 0.999),
            Self::quantile_ms(&self.latencies_us, 1.0),
        );
        for (k, v) in &self.errors {
            println!("{label}: error {k} x{v}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_pick_the_nearest_rank() {
        let v: Vec<u64> = (1..=1000).map(|i| i * 1000).collect();
        assert_eq!(Summary::quantile_ms(&v, 0.5), 500.0);
        assert_eq!(Summary::quantile_ms(&v, 0.99), 990.0);
        assert_eq!(Summary::quantile_ms(&v, 0.999), 999.0);
        assert_eq!(Summary::quantile_ms(&[], 0.5), 0.0);
    }
}
