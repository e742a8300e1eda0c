//! Public value types of the route calculation: prefixes, next hops, routes, changes.

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use super::parse::len_mask;
pub use crate::prefix::Prefix;

/// One next hop: a gateway on an interface, or the interface alone for a directly attached
/// network (then `addr` is `0.0.0.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NextHop {
    /// Gateway address; `0.0.0.0` when the destination is directly attached.
    pub addr: Ipv4Addr,
    /// Outgoing interface.
    pub ifindex: u32,
}

impl Default for NextHop {
    fn default() -> Self {
        NextHop::direct(0)
    }
}

impl NextHop {
    /// A next hop through gateway `addr` on `ifindex`.
    pub const fn via(addr: Ipv4Addr, ifindex: u32) -> Self {
        NextHop { addr, ifindex }
    }
    /// A directly attached destination on `ifindex`.
    pub const fn direct(ifindex: u32) -> Self {
        NextHop {
            addr: Ipv4Addr::UNSPECIFIED,
            ifindex,
        }
    }
    /// Whether the destination is directly attached (no gateway).
    pub fn is_direct(&self) -> bool {
        self.addr.is_unspecified()
    }
}

/// Path type of a route, in order of preference (RFC 2328 §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteType {
    /// Intra-area.
    IntraArea,
    /// Inter-area (from Summary-LSAs).
    InterArea,
    /// AS-external, type 1 metric.
    External1,
    /// AS-external, type 2 metric.
    External2,
    /// A discard route (RFC 2328 §11.1) for an active address range of an area border
    /// router: packets to the range's addresses that no more specific route covers are
    /// dropped. It has no next hops; a FIB installs it as a blackhole.
    Discard,
}

impl RouteType {
    /// FRR's code for the type in `show ip ospf route`: "N", "N IA", "N E1", "N E2".
    pub const fn frr_code(self) -> &'static str {
        match self {
            RouteType::IntraArea => "N",
            RouteType::InterArea => "N IA",
            RouteType::External1 => "N E1",
            RouteType::External2 => "N E2",
            RouteType::Discard => "D IA",
        }
    }
    /// Whether the route is AS-external.
    pub const fn is_external(self) -> bool {
        matches!(self, RouteType::External1 | RouteType::External2)
    }
}

/// A network route with its whole set of equal-cost next hops.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    /// Path type.
    pub route_type: RouteType,
    /// Cost: the whole path for intra-area, inter-area and type-1 external routes; for a
    /// type-2 external route, the cost to the ASBR or forwarding address.
    pub cost: u32,
    /// Type-2 external metric (0 for other types).
    pub type2_cost: u32,
    /// Area the path goes through (`None` for external routes).
    pub area: Option<Ipv4Addr>,
    /// External route tag (0 for other types).
    pub tag: u32,
    /// Equal-cost next hops, sorted, at most `max_paths`.
    pub nexthops: Vec<NextHop>,
    /// Anycast weights of the next hops, one per entry of `nexthops` in the same order, or
    /// empty (the common case, no allocation) when every next hop weighs the same. Filled
    /// by the engine from the weights that the routers announcing the prefix send in
    /// Extended Prefix Opaque LSAs ([`crate::wire::ExtPrefix`]): a next hop weighs the
    /// sum of the weights of the announcing routers it leads to on a shortest path, a
    /// router without a weight counting 1. The calculation itself leaves it empty.
    pub weights: Vec<u16>,
}

impl Route {
    /// The weight of next hop `i` (1 when the route has no weights).
    pub fn weight(&self, i: usize) -> u16 {
        self.weights.get(i).copied().unwrap_or(1)
    }
}

/// A change of the routing table after a calculation: apply each one atomically.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RouteChange {
    /// A new route.
    Add {
        /// Destination.
        prefix: Prefix,
        /// The route.
        route: Route,
    },
    /// A route whose cost, type, area or next-hop set changed: the complete new route.
    Replace {
        /// Destination.
        prefix: Prefix,
        /// The new route.
        route: Route,
    },
    /// A route that is gone.
    Delete {
        /// Destination.
        prefix: Prefix,
    },
}

impl RouteChange {
    /// The destination of the change.
    pub fn prefix(&self) -> Prefix {
        match self {
            RouteChange::Add { prefix, .. }
            | RouteChange::Replace { prefix, .. }
            | RouteChange::Delete { prefix } => *prefix,
        }
    }
}

/// A route to an area border or AS boundary router (RFC 2328 §11, "router routing table").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouterRoute {
    /// The router's ID.
    pub router_id: Ipv4Addr,
    /// Area the path goes through.
    pub area: Ipv4Addr,
    /// Path cost.
    pub cost: u32,
    /// The router is an area border router (B bit).
    pub abr: bool,
    /// The router is an AS boundary router (E bit, or learned from an ASBR-summary).
    pub asbr: bool,
    /// Learned from an ASBR-summary-LSA (inter-area path).
    pub inter_area: bool,
    /// Equal-cost next hops.
    pub nexthops: Vec<NextHop>,
}

pub use crate::config::AreaKind;

/// Kind of one of our interfaces, as the route calculation needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum InterfaceKind {
    /// Broadcast or NBMA: neighbors are reached through transit networks.
    #[default]
    Broadcast,
    /// Point-to-point.
    PointToPoint,
    /// Loopback: only a host stub.
    Loopback,
    /// A virtual link of the backbone (RFC 2328 §15): paths over it leave through the
    /// transit area's path to the endpoint (§16.1.1).
    Virtual {
        /// The transit area.
        transit_area: Ipv4Addr,
        /// The other endpoint's router ID.
        endpoint: Ipv4Addr,
    },
}

/// One of our interfaces: the calculation maps links of our own Router-LSA to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpfInterface {
    /// Interface index (the next hops carry it).
    pub ifindex: u32,
    /// Area the interface belongs to.
    pub area: Ipv4Addr,
    /// Our address on it (for unnumbered links, any address; matched by ifindex).
    pub addr: Ipv4Addr,
    /// Prefix length of the subnet.
    pub prefix_len: u8,
    /// Output cost.
    pub cost: u16,
    /// Kind.
    pub kind: InterfaceKind,
    /// Operational state: down interfaces carry no routes.
    pub up: bool,
    /// The neighbor's address on an unnumbered point-to-point link (a /32 interface),
    /// the next hop through it (§16.1.1); `0.0.0.0` when unknown or not unnumbered.
    pub peer: Ipv4Addr,
}

impl SpfInterface {
    /// Whether `a` is on this interface's subnet.
    pub fn on_subnet(&self, a: u32) -> bool {
        let m = len_mask(self.prefix_len);
        a & m == u32::from(self.addr) & m
    }
}

/// What the route calculation found for a virtual link (RFC 2328 §15, §16.1): the
/// path through the transit area to the other endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VirtualLinkPath {
    /// Cost of the path (the virtual interface's cost).
    pub cost: u32,
    /// Our interface in the transit area the path leaves through.
    pub out_ifindex: u32,
    /// Our address on that interface (the virtual interface's IP address).
    pub local_addr: Ipv4Addr,
    /// The endpoint's address (the virtual neighbor's IP address).
    pub peer_addr: Ipv4Addr,
}
