//! What the runtime counts about itself (route calculations, FIB operations, state
//! transitions, health), for metrics: [`Handle::runtime_stats`](super::Handle::runtime_stats).
//!
//! The runtime's thread updates one [`RuntimeStats`] behind a mutex in the shared state;
//! readers copy it out. Counting starts when the runtime is created, so no transition is
//! missed by a reader that comes later (unlike an event subscriber).

use std::collections::BTreeMap;
use std::time::Duration;

/// Upper bounds (seconds) of the route-calculation duration histogram
/// ([`RuntimeStats::spf_buckets`]); a last, implicit bucket is `+Inf`.
pub const SPF_DURATION_BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

/// Counters of the runtime, copied out at one instant.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct RuntimeStats {
    /// Route calculations run.
    pub spf_runs: u64,
    /// Sum of their durations, in seconds (the duration of the engine call that ran the
    /// calculation, measured by the runtime).
    pub spf_seconds: f64,
    /// Calculations per duration bucket (not cumulative): one entry per bound of
    /// [`SPF_DURATION_BUCKETS`], then the `+Inf` bucket.
    pub spf_buckets: Vec<u64>,
    /// Route changes (add, replace, delete) handed to the FIB, retries included.
    pub fib_operations: u64,
    /// Route changes the FIB refused or failed (they are retried).
    pub fib_errors: u64,
    /// Changes of the routing table reported by the route calculation.
    pub route_changes: u64,
    /// Neighbor state transitions, by the new state (FRR's names: `FULL`, `2WAY`, ...).
    pub neighbor_transitions: BTreeMap<&'static str, u64>,
    /// Interface state transitions, by the new state (FRR's names: `DR`, `DROTHER`, ...).
    pub interface_transitions: BTreeMap<&'static str, u64>,
    /// The service health as the runtime uses it (announcing or withdrawing anycast).
    pub healthy: bool,
    /// Changes of the service health.
    pub health_transitions: u64,
    /// How long the health probe behind the latest health-check verdict took (`None`
    /// before the first verdict of an attached checker).
    pub health_probe_duration: Option<Duration>,
}

impl RuntimeStats {
    pub(crate) fn new(healthy: bool) -> Self {
        RuntimeStats {
            spf_buckets: vec![0; SPF_DURATION_BUCKETS.len() + 1],
            healthy,
            ..RuntimeStats::default()
        }
    }

    /// Notes one route calculation that took `d`.
    pub(crate) fn spf_ran(&mut self, d: Duration) {
        let secs = d.as_secs_f64();
        self.spf_runs += 1;
        self.spf_seconds += secs;
        let i = SPF_DURATION_BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(SPF_DURATION_BUCKETS.len());
        if let Some(n) = self.spf_buckets.get_mut(i) {
            *n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spf_durations_land_in_their_bucket_and_sum() {
        let mut s = RuntimeStats::new(true);
        s.spf_ran(Duration::from_micros(50));
        s.spf_ran(Duration::from_millis(3));
        s.spf_ran(Duration::from_secs(5));
        assert_eq!(s.spf_runs, 3);
        assert_eq!(s.spf_buckets[0], 1);
        assert_eq!(s.spf_buckets[5], 1, "3 ms is in the 5 ms bucket");
        assert_eq!(s.spf_buckets[SPF_DURATION_BUCKETS.len()], 1, "+Inf");
        assert_eq!(s.spf_buckets.iter().sum::<u64>(), 3);
        assert!((s.spf_seconds - 5.00305).abs() < 1e-9);
    }
}
