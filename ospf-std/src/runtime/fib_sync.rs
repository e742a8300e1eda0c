//! Keeps the FIB in step with the routing table: the route calculation's changes of one
//! drain go to the [`Fib`] as one batch ([`RouteChange::from_calculation`]); changes the
//! FIB refuses are retried every [`RETRY_INTERVAL`] until they succeed or a newer change
//! of the same prefix replaces them. Route ages ([`RouteAges`]) are kept here too.

use std::collections::BTreeMap;
use std::time::{Duration, Instant as StdInstant};

use ospf_core::spf;
use ospf_core::time::Instant;
use tracing::{debug, warn};

use crate::Prefix;
use crate::fib::{Fib, FibError, RouteChange};
use crate::routes::RouteAges;

/// How often changes the FIB refused are tried again.
pub const RETRY_INTERVAL: Duration = Duration::from_secs(1);

/// The FIB, the changes waiting for it and those it refused.
pub(crate) struct FibSync {
    pub(crate) fib: Box<dyn Fib + Send>,
    /// Route changes collected while draining the engine, applied together.
    pending: Vec<spf::RouteChange>,
    /// Changes the FIB refused, by prefix.
    retry: BTreeMap<Prefix, RouteChange>,
    pub(crate) retry_at: Option<StdInstant>,
    pub(crate) ages: RouteAges,
    /// Route changes handed to the FIB so far (metrics).
    pub(crate) operations: u64,
    /// Interfaces whose gateways are on-link (unnumbered point-to-point links).
    onlink: std::collections::BTreeSet<u32>,
}

/// A refusal of the FIB, for the runtime's events.
pub(crate) struct Refusal {
    pub(crate) message: String,
    pub(crate) prefixes: Vec<Prefix>,
}

impl FibSync {
    pub(crate) fn new(fib: Box<dyn Fib + Send>) -> Self {
        FibSync {
            fib,
            pending: Vec::new(),
            retry: BTreeMap::new(),
            retry_at: None,
            ages: RouteAges::default(),
            operations: 0,
            onlink: std::collections::BTreeSet::new(),
        }
    }

    /// The interfaces whose next hops are on-link (unnumbered), for the FIB and for
    /// [`RouteChange::without_self_gateways`].
    pub(crate) fn set_onlink(&mut self, ifindexes: &[u32]) {
        self.onlink = ifindexes.iter().copied().collect();
        self.fib.set_onlink_interfaces(ifindexes);
    }

    /// Notes a change of the routing table at `now`.
    pub(crate) fn note(&mut self, now: Instant, c: spf::RouteChange) {
        self.ages.observe(now, &c);
        self.pending.push(c);
    }

    /// Applies the changes noted since the last flush.
    pub(crate) fn flush(&mut self) -> Option<Refusal> {
        if self.pending.is_empty() {
            return None;
        }
        let changes: Vec<RouteChange> = std::mem::take(&mut self.pending)
            .iter()
            .map(|c| {
                RouteChange::from_calculation(c).without_self_gateways(|i| self.onlink.contains(&i))
            })
            .collect();
        debug!(routes = changes.len(), "routing table changed");
        self.apply(&changes)
    }

    /// Applies `changes` to the FIB; what it refuses is tried again later.
    pub(crate) fn apply(&mut self, changes: &[RouteChange]) -> Option<Refusal> {
        if changes.is_empty() {
            return None;
        }
        for c in changes {
            self.retry.remove(&c.prefix());
        }
        self.operations += changes.len() as u64;
        match self.fib.apply(changes) {
            Ok(()) => {
                debug!(count = changes.len(), "FIB updated");
                None
            }
            Err(FibError::Rejected(rejected)) => {
                let message = FibError::Rejected(rejected.clone()).to_string();
                warn!("FIB update incomplete: {message}; retrying");
                let mut prefixes = Vec::new();
                for r in rejected {
                    if let Some(c) = changes.iter().rev().find(|c| c.prefix() == r.prefix) {
                        self.retry.insert(r.prefix, c.clone());
                        prefixes.push(r.prefix);
                    }
                }
                self.retry_at = Some(StdInstant::now() + RETRY_INTERVAL);
                Some(Refusal { message, prefixes })
            }
            Err(e) => {
                warn!("FIB update failed: {e}; retrying");
                for c in changes {
                    self.retry.insert(c.prefix(), c.clone());
                }
                self.retry_at = Some(StdInstant::now() + RETRY_INTERVAL);
                Some(Refusal {
                    message: e.to_string(),
                    prefixes: changes.iter().map(|c| c.prefix()).collect(),
                })
            }
        }
    }

    /// Tries the refused changes again, if it is time.
    pub(crate) fn retry_if_due(&mut self) -> Option<Refusal> {
        if self.retry_at.is_none_or(|t| StdInstant::now() < t) {
            return None;
        }
        self.retry_at = None;
        // Empty next-hop sets are never retried (they cannot succeed).
        let changes: Vec<RouteChange> = std::mem::take(&mut self.retry)
            .into_values()
            .filter(|c| match c {
                RouteChange::Add(r) | RouteChange::Replace(r) => !r.nexthops.is_empty(),
                RouteChange::Delete(_) | RouteChange::Blackhole(_) => true,
            })
            .collect();
        self.apply(&changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fib::{MemoryFib, NextHopSet, Rejected, Route};
    use ospf_core::spf::{NextHop, Route as CalcRoute, RouteType};
    use std::net::Ipv4Addr;
    use std::sync::{Arc, Mutex};

    /// A FIB that refuses one prefix until told otherwise.
    struct Picky {
        inner: MemoryFib,
        refuse: Arc<Mutex<Option<Prefix>>>,
    }

    impl Fib for Picky {
        fn apply(&mut self, changes: &[RouteChange]) -> Result<(), FibError> {
            let refuse = *self.refuse.lock().unwrap();
            let (bad, good): (Vec<_>, Vec<_>) = changes
                .iter()
                .cloned()
                .partition(|c| Some(c.prefix()) == refuse);
            self.inner.apply(&good)?;
            if bad.is_empty() {
                Ok(())
            } else {
                Err(FibError::Rejected(
                    bad.iter()
                        .map(|c| Rejected {
                            prefix: c.prefix(),
                            errno: 19,
                        })
                        .collect(),
                ))
            }
        }
        fn get(&self, prefix: &Prefix) -> Option<&NextHopSet> {
            self.inner.get(prefix)
        }
        fn flush(&mut self) -> Result<(), FibError> {
            self.inner.flush()
        }
        fn len(&self) -> usize {
            self.inner.len()
        }
        fn routes(&self) -> Vec<Route> {
            self.inner.routes()
        }
    }

    fn add(p: Prefix, hops: &[(Ipv4Addr, u32)]) -> spf::RouteChange {
        spf::RouteChange::Add {
            prefix: p,
            route: CalcRoute {
                route_type: RouteType::IntraArea,
                cost: 10,
                type2_cost: 0,
                area: Some(Ipv4Addr::UNSPECIFIED),
                tag: 0,
                nexthops: hops.iter().map(|(a, i)| NextHop::via(*a, *i)).collect(),
                weights: Vec::new(),
            },
        }
    }

    #[test]
    fn directly_attached_routes_are_left_to_the_kernel_and_refusals_are_retried() {
        let refuse = Arc::new(Mutex::new(None));
        let mut sync = FibSync::new(Box::new(Picky {
            inner: MemoryFib::new(),
            refuse: refuse.clone(),
        }));
        let anycast = Prefix::host(Ipv4Addr::new(172, 16, 0, 1));
        let lan = Prefix::new(Ipv4Addr::new(10, 0, 0, 0), 24);
        let gw = |n| (Ipv4Addr::new(10, 0, 0, n), 2);
        *refuse.lock().unwrap() = Some(anycast);
        sync.note(Instant::from_secs(2), add(anycast, &[gw(1), gw(2)]));
        sync.note(
            Instant::from_secs(2),
            add(lan, &[(Ipv4Addr::UNSPECIFIED, 2), gw(3)]),
        );
        let refusal = sync.flush().expect("the anycast route is refused");
        assert_eq!(refusal.prefixes, vec![anycast]);
        assert!(sync.fib.get(&anycast).is_none());
        // A directly attached next hop leaves the route to the kernel's connected route.
        assert!(sync.fib.get(&lan).is_none());
        assert_eq!(sync.ages.changed_at(&anycast), Some(Instant::from_secs(2)));
        // Not yet due: nothing happens.
        assert!(sync.retry_if_due().is_none());
        assert!(sync.fib.get(&anycast).is_none());
        *refuse.lock().unwrap() = None;
        sync.retry_at = Some(StdInstant::now());
        assert!(sync.retry_if_due().is_none());
        assert_eq!(sync.fib.get(&anycast).map(|s| s.len()), Some(2));
        assert!(sync.retry_at.is_none());
    }

    #[test]
    fn a_newer_change_replaces_a_refused_one() {
        let refuse = Arc::new(Mutex::new(None));
        let mut sync = FibSync::new(Box::new(Picky {
            inner: MemoryFib::new(),
            refuse: refuse.clone(),
        }));
        let p = Prefix::new(Ipv4Addr::new(192, 0, 2, 0), 24);
        *refuse.lock().unwrap() = Some(p);
        sync.note(
            Instant::from_secs(2),
            add(p, &[(Ipv4Addr::new(10, 0, 0, 1), 2)]),
        );
        assert!(sync.flush().is_some());
        *refuse.lock().unwrap() = None;
        sync.note(
            Instant::from_secs(3),
            spf::RouteChange::Delete { prefix: p },
        );
        assert!(sync.flush().is_none());
        sync.retry_at = Some(StdInstant::now());
        assert!(sync.retry_if_due().is_none());
        assert!(sync.fib.get(&p).is_none(), "the stale Add is not retried");
        assert_eq!(sync.ages.changed_at(&p), None);
    }
}
