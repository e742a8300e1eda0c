//! The anycast policy: which configured loopback addresses are announced (health, drain,
//! one-by-one withdrawal, host stub costs) and which prefixes are announced as externals.
//!
//! Pure bookkeeping: the runtime asks [`Anycast::announces`] when it binds interfaces and
//! applies the answer to the engine.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant as StdInstant};

use crate::Prefix;

/// What is announced, and why not.
#[derive(Debug, Clone)]
pub(crate) struct Anycast {
    /// Loopback addresses taken out one by one (`withdraw`).
    withdrawn: BTreeSet<Prefix>,
    /// Host stub costs of loopback addresses (`announce PREFIX metric N`).
    pub(crate) costs: BTreeMap<Prefix, u16>,
    /// Prefixes announced as external routes, with their metric.
    pub(crate) externals: BTreeMap<Prefix, Option<u32>>,
    /// The service is healthy.
    pub(crate) healthy: bool,
    /// A drain is under way (since when).
    pub(crate) drain: Option<StdInstant>,
}

impl Default for Anycast {
    fn default() -> Self {
        Anycast {
            withdrawn: BTreeSet::new(),
            costs: BTreeMap::new(),
            externals: BTreeMap::new(),
            healthy: true,
            drain: None,
        }
    }
}

impl Anycast {
    /// Whether a configured loopback address is announced now. Addresses of 127/8 are
    /// always kept (they are the router's own, not a service's).
    pub(crate) fn announces(&self, addr: Ipv4Addr) -> bool {
        addr.is_loopback()
            || (self.healthy
                && self.drain.is_none()
                && !self.withdrawn.contains(&Prefix::host(addr)))
    }

    /// The host stub cost of a loopback address.
    pub(crate) fn cost(&self, addr: Ipv4Addr) -> u16 {
        self.costs.get(&Prefix::host(addr)).copied().unwrap_or(0)
    }

    /// Takes a loopback address out; false if it already was.
    pub(crate) fn withdraw(&mut self, p: Prefix) -> bool {
        self.withdrawn.insert(p)
    }

    /// Puts a loopback address back; false if it was not withdrawn one by one.
    pub(crate) fn restore(&mut self, p: Prefix) -> bool {
        self.withdrawn.remove(&p)
    }

    /// Whether a drain has run for at least `settle` (the caller checks the flooding).
    pub(crate) fn drain_settled(&self, now: StdInstant, settle: Duration) -> bool {
        self.drain
            .is_some_and(|since| now.saturating_duration_since(since) >= settle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Ipv4Addr = Ipv4Addr::new(172, 16, 0, 1);
    const B: Ipv4Addr = Ipv4Addr::new(172, 16, 0, 2);

    #[test]
    fn health_drain_and_withdrawal_each_take_addresses_out() {
        let mut a = Anycast::default();
        assert!(a.announces(A) && a.announces(B));
        assert!(a.withdraw(Prefix::host(A)));
        assert!(!a.withdraw(Prefix::host(A)), "already withdrawn");
        assert!(!a.announces(A) && a.announces(B));
        a.healthy = false;
        assert!(!a.announces(B));
        assert!(a.announces(Ipv4Addr::LOCALHOST), "127/8 is never withdrawn");
        a.healthy = true;
        let t = StdInstant::now();
        a.drain = Some(t);
        assert!(!a.announces(B));
        assert!(!a.drain_settled(t, Duration::from_millis(200)));
        assert!(a.drain_settled(t + Duration::from_millis(200), Duration::from_millis(200)));
        a.drain = None;
        assert!(a.restore(Prefix::host(A)));
        assert!(!a.restore(Prefix::host(A)));
        assert!(a.announces(A));
    }

    #[test]
    fn host_costs_default_to_zero() {
        let mut a = Anycast::default();
        assert_eq!(a.cost(A), 0);
        a.costs.insert(Prefix::host(A), 100);
        assert_eq!(a.cost(A), 100);
        assert_eq!(a.cost(B), 0);
    }
}
