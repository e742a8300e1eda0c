//! Rate-limited log lines for dropped packets: the engine counts every drop by reason
//! ([`InterfaceCounters`]); the runtime turns the counters' growth into at most one log
//! line per reason and interface every [`DROP_LOG_INTERVAL`], which says how many drops it
//! stands for. A flood of bad packets thus costs a few lines, and none goes unreported.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ospf_core::interface::{AuthFailure, DropReason, InterfaceCounters};

/// At most one log line per drop reason and interface in this time.
pub const DROP_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// One log line's worth of drops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DropReport {
    pub(crate) ifindex: u32,
    pub(crate) reason: DropReason,
    /// Drops since the previous line (the first is logged, the rest were suppressed).
    pub(crate) count: u64,
    /// For [`DropReason::AuthFailed`]: the same drops by kind.
    pub(crate) auth: [u64; AuthFailure::COUNT],
}

impl DropReport {
    /// The drops this line stands for beyond the one it reports.
    pub(crate) fn suppressed(&self) -> u64 {
        self.count.saturating_sub(1)
    }

    /// `unknownKey=2 badDigest=1` for authentication failures, empty otherwise.
    pub(crate) fn auth_kinds(&self) -> String {
        AuthFailure::ALL
            .iter()
            .zip(self.auth)
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{}={n}", lower_first(&format!("{k:?}"))))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `UnknownKey` → `unknownKey`, as the JSON keys of [`crate::show::drop_reason_key`].
fn lower_first(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Slot {
    /// Counter value last seen.
    seen: u64,
    /// Drops seen and not yet reported.
    pending: u64,
    logged_at: Option<Instant>,
}

/// The rate limiter.
#[derive(Debug)]
pub(crate) struct DropLog {
    interval: Duration,
    slots: BTreeMap<(u32, usize), Slot>,
    /// Authentication failures by kind: last seen, and not yet reported.
    auth: BTreeMap<u32, ([u64; AuthFailure::COUNT], [u64; AuthFailure::COUNT])>,
}

impl DropLog {
    pub(crate) fn new(interval: Duration) -> Self {
        DropLog {
            interval,
            slots: BTreeMap::new(),
            auth: BTreeMap::new(),
        }
    }

    /// Looks at an interface's counters at `now`; returns the lines due.
    pub(crate) fn observe(
        &mut self,
        now: Instant,
        ifindex: u32,
        c: &InterfaceCounters,
    ) -> Vec<DropReport> {
        let (auth_seen, auth_pending) = self.auth.entry(ifindex).or_default();
        for (k, v) in c.auth_failures.iter().enumerate() {
            // A counter below what was seen: the interface was re-created.
            auth_pending[k] += if *v >= auth_seen[k] {
                v - auth_seen[k]
            } else {
                *v
            };
            auth_seen[k] = *v;
        }
        let mut out = Vec::new();
        for reason in DropReason::ALL {
            let i = reason as usize;
            let v = c.dropped[i];
            let slot = self.slots.entry((ifindex, i)).or_default();
            slot.pending += if v >= slot.seen { v - slot.seen } else { v };
            slot.seen = v;
            let due = slot
                .logged_at
                .is_none_or(|t| now.saturating_duration_since(t) >= self.interval);
            if slot.pending > 0 && due {
                let mut auth = [0; AuthFailure::COUNT];
                if reason == DropReason::AuthFailed {
                    auth = std::mem::take(auth_pending);
                }
                out.push(DropReport {
                    ifindex,
                    reason,
                    count: slot.pending,
                    auth,
                });
                slot.pending = 0;
                slot.logged_at = Some(now);
            }
        }
        out
    }

    /// Forgets an interface.
    pub(crate) fn forget(&mut self, ifindex: u32) {
        self.slots.retain(|(i, _), _| *i != ifindex);
        self.auth.remove(&ifindex);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_reason_and_interval_with_the_suppressed_count() {
        let t0 = Instant::now();
        let mut log = DropLog::new(Duration::from_secs(10));
        let mut c = InterfaceCounters::default();
        // Nothing dropped: nothing logged.
        assert!(log.observe(t0, 1, &c).is_empty());
        // The first drop is logged at once.
        c.dropped[DropReason::Malformed as usize] = 1;
        let r = log.observe(t0, 1, &c);
        assert_eq!(r.len(), 1);
        assert_eq!(
            (r[0].reason, r[0].count, r[0].suppressed()),
            (DropReason::Malformed, 1, 0)
        );
        // A flood within the interval: silent.
        for k in 2..10_000 {
            c.dropped[DropReason::Malformed as usize] = k;
            assert!(log.observe(t0 + Duration::from_secs(1), 1, &c).is_empty());
        }
        // Another reason is not held back by the first one.
        c.dropped[DropReason::TooManyNeighbors as usize] = 3;
        let r = log.observe(t0 + Duration::from_secs(2), 1, &c);
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].reason, r[0].count), (DropReason::TooManyNeighbors, 3));
        // Nor another interface.
        assert_eq!(log.observe(t0 + Duration::from_secs(2), 2, &c).len(), 2);
        // After the interval, one line tells how many were suppressed.
        let r = log.observe(t0 + Duration::from_secs(10), 1, &c);
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].count, r[0].suppressed()), (9_998, 9_997));
        // And then silence until something new is dropped.
        assert!(log.observe(t0 + Duration::from_secs(30), 1, &c).is_empty());
    }

    #[test]
    fn authentication_failures_are_reported_by_kind() {
        let t0 = Instant::now();
        let mut log = DropLog::new(Duration::from_secs(10));
        let mut c = InterfaceCounters::default();
        c.dropped[DropReason::AuthFailed as usize] = 3;
        c.auth_failures[AuthFailure::UnknownKey as usize] = 2;
        c.auth_failures[AuthFailure::Replay as usize] = 1;
        let r = log.observe(t0, 7, &c);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].auth_kinds(), "unknownKey=2 replay=1");
        // A re-created interface starts its counters again: still reported.
        log.forget(7);
        let mut c = InterfaceCounters::default();
        c.dropped[DropReason::BadChecksum as usize] = 1;
        assert_eq!(log.observe(t0, 7, &c).len(), 1);
    }
}
