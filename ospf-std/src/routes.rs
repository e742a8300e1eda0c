//! Route ages: when each route of the routing table last changed (the uptime column of
//! `show ip route ospf`), kept by the runtime and by the simulator alike.
//!
//! ```
//! use std::net::Ipv4Addr;
//! use ospf_core::spf::{Route, RouteChange, RouteType};
//! use ospf_core::time::Instant;
//! use ospf_std::{Prefix, routes::RouteAges};
//!
//! let p = Prefix::host(Ipv4Addr::new(172, 16, 0, 1));
//! let mut ages = RouteAges::default();
//! ages.observe(Instant::from_secs(5), &RouteChange::Delete { prefix: p });
//! assert_eq!(ages.since(&p, Instant::from_secs(1)), Instant::from_secs(1));
//! assert_eq!(ages.changes(), 1);
//! ```

use std::collections::BTreeMap;

use ospf_core::spf::RouteChange;
use ospf_core::time::Instant;

use crate::Prefix;

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

    /// When the route to `prefix` last changed, if it is known.
    pub fn changed_at(&self, prefix: &Prefix) -> Option<Instant> {
        self.since.get(prefix).copied()
    }

    /// Route changes observed.
    pub fn changes(&self) -> u64 {
        self.changes
    }
}
