//! Forwarding information base: where computed OSPF routes go.
//!
//! [`Fib`] takes batches of [`RouteChange`]s (add / replace / delete, each carrying the
//! whole next-hop set so that it can be applied atomically). Implementations:
//!
//! * [`KernelFib`]: Linux routes over rtnetlink, protocol `ospf` (188), ECMP through nexthop
//!   objects and groups, optional resilient groups, batched requests.
//! * [`MemoryFib`]: an in-memory table for tests and simulations.
//! * [`NoopFib`]: accepts and forgets everything (a speaker that installs no routes).
//!
//! ```
//! use ospf_std::fib::{Fib, MemoryFib, NextHop, Prefix, Route, RouteChange};
//! let mut fib = MemoryFib::new();
//! let prefix = Prefix::try_new("172.16.0.1".parse().unwrap(), 32).unwrap();
//! let route = Route::new(prefix, [NextHop::new("10.0.0.2".parse().unwrap(), 2)]);
//! fib.apply(&[RouteChange::Add(route)]).unwrap();
//! assert_eq!(fib.get(&prefix).unwrap().len(), 1);
//! ```

mod kernel;
mod plan;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::Ipv4Addr;

pub use kernel::{
    KernelFib, KernelFibConfig, RTPROT_OSPF, Resilient, kernel_default_route, kernel_prefixes,
};

pub use ospf_core::Prefix;

/// One next hop: a gateway (or `0.0.0.0` for a directly attached network) on an interface,
/// with its weight in the route's group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NextHop {
    /// Gateway address; unspecified for a device-only next hop.
    pub gateway: Ipv4Addr,
    /// Outgoing interface index.
    pub ifindex: u32,
    /// Weight in the nexthop group, 1–[`MAX_WEIGHT`] (1 for equal-cost multipath): a next
    /// hop of weight 2 gets twice the flows (twice the buckets of a resilient group) of one
    /// of weight 1.
    pub weight: u16,
}

/// The largest next-hop weight the kernel takes (`struct nexthop_grp` holds weight - 1 in
/// a byte).
pub const MAX_WEIGHT: u16 = 256;

impl NextHop {
    /// A next hop through `gateway` on interface `ifindex`, of weight 1.
    pub fn new(gateway: Ipv4Addr, ifindex: u32) -> Self {
        NextHop {
            gateway,
            ifindex,
            weight: 1,
        }
    }

    /// The same next hop with weight `weight`, clamped to 1–[`MAX_WEIGHT`].
    pub fn with_weight(mut self, weight: u16) -> Self {
        self.weight = weight.clamp(1, MAX_WEIGHT);
        self
    }
}

impl fmt::Display for NextHop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%{}", self.gateway, self.ifindex)
    }
}

/// A set of equal-cost next hops, kept sorted and without duplicates, so that equal sets
/// compare (and hash) equal.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NextHopSet(Vec<NextHop>);

impl NextHopSet {
    /// The next hops, sorted.
    pub fn as_slice(&self) -> &[NextHop] {
        &self.0
    }

    /// Iterates over the next hops.
    pub fn iter(&self) -> std::slice::Iter<'_, NextHop> {
        self.0.iter()
    }

    /// Number of next hops.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no next hop.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<NextHop> for NextHopSet {
    fn from_iter<I: IntoIterator<Item = NextHop>>(iter: I) -> Self {
        let mut v: Vec<NextHop> = iter.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        NextHopSet(v)
    }
}

impl<'a> IntoIterator for &'a NextHopSet {
    type Item = &'a NextHop;
    type IntoIter = std::slice::Iter<'a, NextHop>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A route: a prefix and its next-hop set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    /// Destination.
    pub prefix: Prefix,
    /// Equal-cost next hops.
    pub nexthops: NextHopSet,
}

impl Route {
    /// A route to `prefix` through `nexthops`.
    pub fn new(prefix: Prefix, nexthops: impl IntoIterator<Item = NextHop>) -> Self {
        Route {
            prefix,
            nexthops: nexthops.into_iter().collect(),
        }
    }
}

/// One change of a routing table diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteChange {
    /// A new route. Adding a prefix that is present replaces it.
    Add(Route),
    /// A route whose next-hop set changed. Replacing a prefix that is absent adds it.
    Replace(Route),
    /// A route that is gone. Deleting an absent prefix does nothing.
    Delete(Prefix),
    /// A discard route (the calculation's
    /// [`RouteType::Discard`](ospf_core::spf::RouteType::Discard), for an area border
    /// router's active address range): packets to the prefix are dropped (Linux:
    /// `blackhole`). It replaces a route to the same prefix; [`Fib::get`] then answers
    /// an empty next-hop set.
    Blackhole(Prefix),
}

impl RouteChange {
    /// The FIB's side of a change of the route calculation — the one conversion of the
    /// project. A route with a directly attached next hop is left to the kernel's
    /// connected route (a `Delete` of ours), as is a route without next hops; other next
    /// hops become gateways on their interfaces; a discard route becomes a
    /// [`Blackhole`](RouteChange::Blackhole).
    pub fn from_calculation(c: &ospf_core::spf::RouteChange) -> RouteChange {
        use ospf_core::spf::RouteChange as Calc;
        match c {
            Calc::Add { prefix, route } | Calc::Replace { prefix, route }
                if route.route_type == ospf_core::spf::RouteType::Discard =>
            {
                RouteChange::Blackhole(*prefix)
            }
            Calc::Add { prefix, route } | Calc::Replace { prefix, route } => {
                if route.nexthops.is_empty() || route.nexthops.iter().any(|h| h.is_direct()) {
                    RouteChange::Delete(*prefix)
                } else {
                    let hops =
                        route.nexthops.iter().enumerate().map(|(i, h)| {
                            NextHop::new(h.addr, h.ifindex).with_weight(route.weight(i))
                        });
                    RouteChange::Replace(Route::new(*prefix, hops))
                }
            }
            Calc::Delete { prefix } => RouteChange::Delete(*prefix),
        }
    }

    /// Drops the next hops of a host route (`/32`) that go through the host itself,
    /// unless they are on-link (`onlink(ifindex)`: an unnumbered link, where the
    /// neighbor's own address is the gateway): the gateway would have to be resolved
    /// through the very route. FRR's zebra refuses such next hops likewise ("a max
    /// prefixlength route through itself"); a point-to-multipoint neighbor's /32 is the
    /// case, which the connected subnet reaches already. A route left without next hops
    /// becomes a `Delete`.
    pub fn without_self_gateways(self, onlink: impl Fn(u32) -> bool) -> RouteChange {
        match self {
            RouteChange::Add(ref r) | RouteChange::Replace(ref r)
                if r.prefix.prefix_len() == 32
                    && r.nexthops
                        .iter()
                        .any(|h| h.gateway == r.prefix.addr() && !onlink(h.ifindex)) =>
            {
                let host = r.prefix.addr();
                let kept: Vec<NextHop> = r
                    .nexthops
                    .iter()
                    .filter(|h| h.gateway != host || onlink(h.ifindex))
                    .copied()
                    .collect();
                if kept.is_empty() {
                    RouteChange::Delete(r.prefix)
                } else {
                    RouteChange::Replace(Route::new(r.prefix, kept))
                }
            }
            other => other,
        }
    }

    /// The prefix this change is about.
    pub fn prefix(&self) -> Prefix {
        match self {
            RouteChange::Add(r) | RouteChange::Replace(r) => r.prefix,
            RouteChange::Delete(p) | RouteChange::Blackhole(p) => *p,
        }
    }
}

/// A change that the FIB refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The route concerned.
    pub prefix: Prefix,
    /// Why (an errno from the kernel, or `EINVAL` for an empty next-hop set).
    pub errno: i32,
}

/// Errors of [`Fib`] operations.
#[derive(Debug)]
#[non_exhaustive]
pub enum FibError {
    /// Talking to the kernel failed; the table may be partly updated.
    Io(io::Error),
    /// Some changes were refused; all others were applied.
    Rejected(Vec<Rejected>),
}

impl fmt::Display for FibError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FibError::Io(e) => write!(f, "netlink: {e}"),
            FibError::Rejected(r) => {
                write!(f, "{} route(s) refused", r.len())?;
                for x in r.iter().take(5) {
                    write!(
                        f,
                        "; {}: {}",
                        x.prefix,
                        io::Error::from_raw_os_error(x.errno)
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for FibError {}

impl From<io::Error> for FibError {
    fn from(e: io::Error) -> Self {
        FibError::Io(e)
    }
}

/// A forwarding table that OSPF routes are installed into.
pub trait Fib {
    /// Applies a batch of changes in order. Changes that fail are reported in
    /// [`FibError::Rejected`]; the others take effect.
    fn apply(&mut self, changes: &[RouteChange]) -> Result<(), FibError>;

    /// Removes every route this FIB installed.
    fn flush(&mut self) -> Result<(), FibError>;

    /// The next hops of an installed route (an empty set for a blackhole).
    fn get(&self, prefix: &Prefix) -> Option<&NextHopSet>;

    /// Number of installed routes.
    fn len(&self) -> usize;

    /// The installed routes, sorted by prefix.
    fn routes(&self) -> Vec<Route>;

    /// Whether no route is installed.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Routes of an earlier run that this FIB found at its start and keeps forwarding
    /// (a graceful restart, RFC 3623), until [`Fib::remove_stale_routes`].
    fn stale_route_count(&self) -> usize {
        0
    }

    /// Ends a graceful restart: removes the routes of the earlier run that were not
    /// replaced by routes of ours since (each of ours replaced its old one atomically).
    /// Returns how many were removed.
    fn remove_stale_routes(&mut self) -> Result<usize, FibError> {
        Ok(0)
    }

    /// Leaves our routes in place when the FIB is dropped (before a graceful restart).
    fn keep_routes_on_exit(&mut self) {}

    /// The interfaces whose gateways are reached on-link (unnumbered point-to-point
    /// links: the neighbor's address is on no subnet of ours), so that next hops through
    /// them are installed with the kernel's `onlink` flag. Does nothing by default.
    fn set_onlink_interfaces(&mut self, ifindexes: &[u32]) {
        let _ = ifindexes;
    }
}

/// An in-memory [`Fib`] for tests and simulations.
#[derive(Debug, Clone, Default)]
pub struct MemoryFib {
    routes: BTreeMap<Prefix, NextHopSet>,
    changes: usize,
}

impl MemoryFib {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many changes altered the table since it was created.
    pub fn changes(&self) -> usize {
        self.changes
    }
}

impl Fib for MemoryFib {
    fn apply(&mut self, changes: &[RouteChange]) -> Result<(), FibError> {
        let mut rejected = Vec::new();
        for c in changes {
            match c {
                RouteChange::Add(r) | RouteChange::Replace(r) => {
                    if r.nexthops.is_empty() {
                        rejected.push(Rejected {
                            prefix: r.prefix,
                            errno: libc::EINVAL,
                        });
                        continue;
                    }
                    if self.routes.get(&r.prefix) != Some(&r.nexthops) {
                        self.routes.insert(r.prefix, r.nexthops.clone());
                        self.changes += 1;
                    }
                }
                RouteChange::Delete(p) => {
                    if self.routes.remove(p).is_some() {
                        self.changes += 1;
                    }
                }
                RouteChange::Blackhole(p) => {
                    if self.routes.insert(*p, NextHopSet::default()).as_ref()
                        != Some(&NextHopSet::default())
                    {
                        self.changes += 1;
                    }
                }
            }
        }
        if rejected.is_empty() {
            Ok(())
        } else {
            Err(FibError::Rejected(rejected))
        }
    }

    fn flush(&mut self) -> Result<(), FibError> {
        self.changes += self.routes.len();
        self.routes.clear();
        Ok(())
    }

    fn get(&self, prefix: &Prefix) -> Option<&NextHopSet> {
        self.routes.get(prefix)
    }

    fn len(&self) -> usize {
        self.routes.len()
    }

    fn routes(&self) -> Vec<Route> {
        self.routes
            .iter()
            .map(|(p, s)| Route {
                prefix: *p,
                nexthops: s.clone(),
            })
            .collect()
    }
}

/// A [`Fib`] that installs nothing (for a speaker that only announces).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopFib;

impl Fib for NoopFib {
    fn apply(&mut self, _changes: &[RouteChange]) -> Result<(), FibError> {
        Ok(())
    }

    fn flush(&mut self) -> Result<(), FibError> {
        Ok(())
    }

    fn get(&self, _prefix: &Prefix) -> Option<&NextHopSet> {
        None
    }

    fn len(&self) -> usize {
        0
    }

    fn routes(&self) -> Vec<Route> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nh(last: u8, ifindex: u32) -> NextHop {
        NextHop::new(Ipv4Addr::new(10, 0, 0, last), ifindex)
    }

    #[test]
    fn prefixes_are_normalised() {
        let p = Prefix::try_new(Ipv4Addr::new(10, 1, 2, 3), 16).unwrap();
        assert_eq!(p.addr(), Ipv4Addr::new(10, 1, 0, 0));
        assert_eq!(p.to_string(), "10.1.0.0/16");
        assert_eq!(
            Prefix::try_new(Ipv4Addr::new(1, 2, 3, 4), 0)
                .unwrap()
                .addr(),
            Ipv4Addr::UNSPECIFIED
        );
        assert!(Prefix::try_new(Ipv4Addr::LOCALHOST, 33).is_none());
    }

    #[test]
    fn host_routes_through_themselves_are_dropped_unless_on_link() {
        let host = Prefix::host(Ipv4Addr::new(10, 0, 0, 2));
        let r = |hops: &[NextHop]| RouteChange::Replace(Route::new(host, hops.iter().copied()));
        // A P2MP neighbor's /32 through itself: nothing left, the route goes.
        assert_eq!(
            r(&[nh(2, 1)]).without_self_gateways(|_| false),
            RouteChange::Delete(host)
        );
        // Other next hops stay.
        assert_eq!(
            r(&[nh(2, 1), nh(3, 1)]).without_self_gateways(|_| false),
            r(&[nh(3, 1)])
        );
        // On an unnumbered (on-link) interface the neighbor's address is the gateway.
        assert_eq!(
            r(&[nh(2, 5)]).without_self_gateways(|i| i == 5),
            r(&[nh(2, 5)])
        );
        // Shorter prefixes are untouched.
        let net = Prefix::new(Ipv4Addr::new(10, 0, 0, 0), 24);
        let c = RouteChange::Add(Route::new(
            net,
            [NextHop::new(Ipv4Addr::new(10, 0, 0, 0), 1)],
        ));
        assert_eq!(c.clone().without_self_gateways(|_| false), c);
    }

    #[test]
    fn nexthop_sets_ignore_order_and_duplicates() {
        let a: NextHopSet = [nh(3, 1), nh(2, 1), nh(3, 1)].into_iter().collect();
        let b: NextHopSet = [nh(2, 1), nh(3, 1)].into_iter().collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
        assert_eq!(a.as_slice()[0], nh(2, 1));
    }

    #[test]
    fn memory_fib_add_replace_delete() {
        let mut fib = MemoryFib::new();
        let p = Prefix::host(Ipv4Addr::new(172, 16, 0, 1));
        fib.apply(&[RouteChange::Add(Route::new(p, [nh(2, 1), nh(3, 1)]))])
            .unwrap();
        assert_eq!(fib.get(&p).unwrap().len(), 2);
        fib.apply(&[RouteChange::Replace(Route::new(p, [nh(2, 1)]))])
            .unwrap();
        assert_eq!(fib.get(&p).unwrap().as_slice(), &[nh(2, 1)]);
        assert_eq!(fib.routes(), vec![Route::new(p, [nh(2, 1)])]);
        // Same set again changes nothing.
        let before = fib.changes();
        fib.apply(&[RouteChange::Add(Route::new(p, [nh(2, 1)]))])
            .unwrap();
        assert_eq!(fib.changes(), before);
        fib.apply(&[RouteChange::Delete(p), RouteChange::Delete(p)])
            .unwrap();
        assert!(fib.is_empty());
        match fib.apply(&[RouteChange::Add(Route::new(p, []))]) {
            Err(FibError::Rejected(r)) => assert_eq!(r[0].prefix, p),
            other => panic!("{other:?}"),
        }
    }
}
