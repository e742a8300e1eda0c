//! The routing table of a router, computed from an engine's LSDB.
//!
//! [`RouteTable::update`] looks at the [`Instance`]'s LSDB after an input; when an LSA
//! changed (a new instance, a flush, one gone) or an interface changed state, it runs the
//! route calculation ([`ospf_core::spf::Spf`]) at once (no hold-down: an anycast server
//! that leaves must leave the kernel's table within milliseconds) and returns the routes
//! that changed, each with its whole next-hop set, ready for a FIB.
//!
//! ```
//! use core::net::Ipv4Addr;
//! use ospf_core::config::{InstanceConfig, InterfaceConfig};
//! use ospf_core::instance::Instance;
//! use ospf_core::time::Instant;
//! use ospf_examples::router::RouteTable;
//!
//! let now = Instant::from_secs(1);
//! let mut ospf = Instance::new(InstanceConfig::new(Ipv4Addr::new(10, 0, 0, 254)), now);
//! ospf.add_interface(now, 2, InterfaceConfig::new(Ipv4Addr::new(10, 0, 0, 254), 24)).unwrap();
//! let mut table = RouteTable::new(ospf.router_id());
//! // Our own network is directly attached.
//! let changes = table.update(&ospf, now);
//! assert_eq!(changes.len(), 1);
//! assert!(table.update(&ospf, now).is_empty());
//! ```

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ospf_core::config::InterfaceType;
use ospf_core::instance::Instance;
use ospf_core::interface::InterfaceState;
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::spf::{
    AreaKind, InterfaceKind, Prefix, Route, RouteChange, Spf, SpfConfig, SpfInterface,
};
use ospf_core::time::Instant;

/// What the route calculation depends on: every LSA's identity and instance, and the
/// interfaces. Equal fingerprints give equal tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Fingerprint {
    lsas: Vec<(Scope, LsaKey, u32, u16, bool)>,
    interfaces: Vec<SpfInterface>,
}

/// The routing table of one router, kept in step with its LSDB. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct RouteTable {
    router_id: Ipv4Addr,
    config: SpfConfig,
    seen: Fingerprint,
    routes: BTreeMap<Prefix, (Route, Instant)>,
    runs: u64,
}

impl RouteTable {
    /// An empty table for router `router_id`.
    pub fn new(router_id: Ipv4Addr) -> Self {
        RouteTable {
            router_id,
            config: SpfConfig::default(),
            seen: Fingerprint::default(),
            routes: BTreeMap::new(),
            runs: 0,
        }
    }

    /// Limits the number of equal-cost paths per destination.
    pub fn set_max_paths(&mut self, max_paths: usize) {
        self.config = self.config.with_max_paths(max_paths);
        self.seen = Fingerprint::default();
    }

    fn interfaces(ospf: &Instance) -> Vec<SpfInterface> {
        ospf.interfaces()
            .map(|i| SpfInterface {
                ifindex: i.ifindex,
                area: i.config.area,
                addr: i.config.address,
                prefix_len: i.config.prefix_len,
                cost: i.config.cost,
                kind: match i.config.if_type {
                    InterfaceType::PointToPoint => InterfaceKind::PointToPoint,
                    InterfaceType::Loopback => InterfaceKind::Loopback,
                    _ => InterfaceKind::Broadcast,
                },
                up: i.state != InterfaceState::Down,
            })
            .collect()
    }

    /// Recalculates when the LSDB or the interfaces of `ospf` changed since the last call;
    /// returns the changes of the table (empty when nothing changed).
    pub fn update(&mut self, ospf: &Instance, now: Instant) -> Vec<RouteChange> {
        if ospf.router_id() != self.router_id {
            self.router_id = ospf.router_id();
            self.seen = Fingerprint::default();
        }
        let fp = Fingerprint {
            lsas: ospf
                .lsdb(now)
                .filter(|l| !matches!(l.scope, Scope::Link(_)))
                .map(|l| {
                    (
                        l.scope,
                        l.key,
                        l.header.seq,
                        l.header.checksum,
                        l.header.age >= 3600,
                    )
                })
                .collect(),
            interfaces: Self::interfaces(ospf),
        };
        if fp == self.seen {
            return Vec::new();
        }
        let mut spf = Spf::new(self.router_id, self.config);
        let areas: Vec<(Ipv4Addr, AreaKind)> = ospf
            .areas()
            .map(|a| {
                let kind = match a.kind {
                    ospf_core::config::AreaKind::Normal => AreaKind::Normal,
                    _ => AreaKind::Stub {
                        no_summary: false,
                        default_cost: 1,
                    },
                };
                (a.id, kind)
            })
            .collect();
        spf.set_areas(&areas);
        spf.set_interfaces(&fp.interfaces);
        for l in ospf.lsdb(now) {
            let area = match l.scope {
                Scope::Area(a) => a,
                Scope::As => Ipv4Addr::UNSPECIFIED,
                Scope::Link(_) => continue,
            };
            if l.header.age >= 3600 {
                continue;
            }
            // A malformed LSA is left out of the calculation, as any router would.
            let _ = spf.lsa_update(area, l.raw);
        }
        spf.calculate();
        self.runs += 1;
        self.seen = fp;
        let new: BTreeMap<Prefix, Route> = spf.routes().collect();
        let mut changes = Vec::new();
        for (p, r) in &new {
            match self.routes.get(p) {
                None => changes.push(RouteChange::Add {
                    prefix: *p,
                    route: r.clone(),
                }),
                Some((old, _)) if old != r => changes.push(RouteChange::Replace {
                    prefix: *p,
                    route: r.clone(),
                }),
                Some(_) => {}
            }
        }
        for p in self.routes.keys() {
            if !new.contains_key(p) {
                changes.push(RouteChange::Delete { prefix: *p });
            }
        }
        for c in &changes {
            match c {
                RouteChange::Add { prefix, route } | RouteChange::Replace { prefix, route } => {
                    self.routes.insert(*prefix, (route.clone(), now));
                }
                RouteChange::Delete { prefix } => {
                    self.routes.remove(prefix);
                }
            }
        }
        changes
    }

    /// The route to `prefix`.
    pub fn route(&self, prefix: Prefix) -> Option<&Route> {
        self.routes.get(&prefix).map(|(r, _)| r)
    }

    /// Every route with the time it last changed, by prefix.
    pub fn routes(&self) -> impl Iterator<Item = (&Prefix, &Route, Instant)> + '_ {
        self.routes.iter().map(|(p, (r, t))| (p, r, *t))
    }

    /// Number of route calculations run so far.
    pub fn runs(&self) -> u64 {
        self.runs
    }
}

/// Converts a route change of the calculation into one for a FIB: directly attached
/// routes are left out (the kernel has them as connected routes), next hops become
/// gateways.
pub fn fib_change(c: &RouteChange) -> Option<ospf_std::fib::RouteChange> {
    use ospf_std::fib::{self, NextHop};
    let prefix = c.prefix();
    let fp = fib::Prefix::new(prefix.addr(), crate::show::prefix_len(&prefix))?;
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
