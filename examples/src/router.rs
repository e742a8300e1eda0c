//! The anycast router's side: engine settings for fast failover, route ages for the show
//! commands, and route changes for a FIB.
//!
//! The engine computes the routes itself ([`Instance::routes`], [`Event::RouteChange`]);
//! [`RouteAges`] remembers when each route last changed (the uptime column of
//! `show ip route ospf`) and [`fib_change`] turns a change into one for a
//! [`Fib`](ospf_std::fib::Fib).
//!
//! ```
//! use core::net::Ipv4Addr;
//! use ospf_core::config::{InstanceConfig, InterfaceConfig};
//! use ospf_core::instance::{Event, Instance, Output};
//! use ospf_core::time::Instant;
//! use ospf_examples::router::{RouteAges, fast_failover};
//!
//! let now = Instant::from_secs(1);
//! let cfg = fast_failover(InstanceConfig::new(Ipv4Addr::new(10, 0, 0, 254)));
//! let mut ospf = Instance::new(cfg, now);
//! ospf.add_interface(now, 2, InterfaceConfig::new(Ipv4Addr::new(10, 0, 0, 254), 24)).unwrap();
//! let mut ages = RouteAges::default();
//! let mut buf = [0u8; 1500];
//! let mut t = now;
//! for _ in 0..3 {
//!     while let Some(out) = ospf.poll_output(t, &mut buf) {
//!         match out {
//!             Output::Event(Event::RouteChange(c)) => ages.observe(t, &c),
//!             Output::Timeout(at) => t = at.max(t),
//!             _ => {}
//!         }
//!     }
//!     ospf.handle_timeout(t);
//! }
//! // Our own network is in the table.
//! assert_eq!(ospf.routes().count(), 1);
//! ```

use std::collections::BTreeMap;

use ospf_core::config::{InstanceConfig, InterfaceConfig};
#[cfg(doc)]
use ospf_core::instance::{Event, Instance};
use ospf_core::spf::{Prefix, RouteChange, SpfTimers};
use ospf_core::time::{Duration, Instant};

/// MinLSInterval of the speaker and the router.
pub const MIN_LS_INTERVAL: Duration = Duration::from_millis(100);

/// Engine settings for an anycast deployment where every OSPF router is ours: LSAs
/// re-originated within 100 ms and accepted without MinLSArrival, and a route calculation
/// that runs at once on the first change (RFC 8405 back-off: 0 ms initial, 10 ms short,
/// 100 ms long delay, back to quiet after 1 s without changes).
///
/// With RFC 2328's MinLSInterval 5 s and MinLSArrival 1 s a new adjacency costs five
/// seconds twice over: the DR's second Network-LSA (the next neighbor reaches Full a
/// millisecond after the first) waits out MinLSInterval, and a speaker's Router-LSA with
/// the transit link, flooded just after the router took the previous instance in the
/// database exchange, is discarded under MinLSArrival and returns only with the
/// retransmission five seconds later.
pub fn fast_failover(cfg: InstanceConfig) -> InstanceConfig {
    let timers = SpfTimers::default()
        .with_delays(
            Duration::ZERO,
            Duration::from_millis(10),
            Duration::from_millis(100),
        )
        .with_intervals(Duration::from_secs(1), Duration::from_millis(500));
    let spf = cfg.spf.with_timers(timers);
    cfg.min_ls_interval(MIN_LS_INTERVAL)
        .min_ls_arrival(Duration::ZERO)
        .spf(spf)
}

/// Sub-second Hellos on an interface: `n` Hellos a second and a dead interval of 1 s
/// (FRR's `ip ospf dead-interval minimal hello-multiplier N`): a crashed server leaves the
/// router's table within a second.
pub fn fast_hello(cfg: InterfaceConfig, n: u8) -> InterfaceConfig {
    cfg.hello_multiplier(n.max(1))
}

/// When each route last changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteAges {
    since: BTreeMap<Prefix, Instant>,
    changes: u64,
}

impl RouteAges {
    /// Notes a route change at `now`.
    pub fn observe(&mut self, now: Instant, change: &RouteChange) {
        self.changes += 1;
        match change {
            RouteChange::Add { prefix, .. } | RouteChange::Replace { prefix, .. } => {
                self.since.insert(*prefix, now);
            }
            RouteChange::Delete { prefix } => {
                self.since.remove(prefix);
            }
        }
    }

    /// When the route to `prefix` last changed (`fallback` if never seen).
    pub fn since(&self, prefix: &Prefix, fallback: Instant) -> Instant {
        self.since.get(prefix).copied().unwrap_or(fallback)
    }

    /// Route changes observed.
    pub fn changes(&self) -> u64 {
        self.changes
    }
}

/// Converts a route change of the calculation into one for a FIB: directly attached
/// routes are left out (the kernel has them as connected routes), next hops become
/// gateways.
pub fn fib_change(c: &RouteChange) -> Option<ospf_std::fib::RouteChange> {
    use ospf_std::fib::{self, NextHop};
    let prefix = c.prefix();
    let fp = fib::Prefix::try_new(prefix.addr(), crate::show::prefix_len(&prefix))?;
    match c {
        RouteChange::Add { route, .. } | RouteChange::Replace { route, .. } => {
            let hops: Vec<NextHop> = route
                .nexthops
                .iter()
                .filter(|h| !h.is_direct())
                .map(|h| NextHop::new(h.addr, h.ifindex))
                .collect();
            if hops.is_empty() {
                return Some(ospf_std::fib::RouteChange::Delete(fp));
            }
            Some(ospf_std::fib::RouteChange::Replace(fib::Route::new(
                fp, hops,
            )))
        }
        RouteChange::Delete { .. } => Some(ospf_std::fib::RouteChange::Delete(fp)),
    }
}
