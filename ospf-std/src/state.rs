//! The router's state as plain Rust values: interfaces (with their counters), neighbors,
//! the LSDB and the routing table.
//!
//! A [`Snapshot`] copies them out of an engine at one instant ([`Snapshot::capture`]), so
//! the same values serve the typed queries of [`crate::api::Handle`], the show renderer
//! ([`crate::show`]), the text control protocol and the simulator (the demo). The values
//! own their data: they can cross threads and outlive the engine.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ospf_core::config::InterfaceType;
use ospf_core::instance::{Instance, NeighborRole};
use ospf_core::interface::{InterfaceCounters, InterfaceState};
use ospf_core::lsdb::Scope;
use ospf_core::neighbor::NeighborState;
use ospf_core::spf::{Route, RouteType};
use ospf_core::time::Instant;

use crate::Prefix;

/// One OSPF interface (an address OSPF runs on).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterfaceStatus {
    /// The engine's key (the interface index, or the key of a further loopback address).
    pub ifindex: u32,
    /// Interface name.
    pub name: String,
    /// Address.
    pub address: Ipv4Addr,
    /// Prefix length.
    pub prefix_len: u8,
    /// Area.
    pub area: Ipv4Addr,
    /// Network type.
    pub network_type: InterfaceType,
    /// Output cost.
    pub cost: u16,
    /// Interface state (RFC 2328 §9.1).
    pub state: InterfaceState,
    /// Router priority.
    pub priority: u8,
    /// DR (router ID, address).
    pub dr: Option<(Ipv4Addr, Ipv4Addr)>,
    /// BDR (router ID, address).
    pub bdr: Option<(Ipv4Addr, Ipv4Addr)>,
    /// Hello interval, s.
    pub hello: u16,
    /// Dead interval, s.
    pub dead: u32,
    /// Retransmit interval, s.
    pub rxmt: u16,
    /// Transmit delay, s.
    pub transmit_delay: u16,
    /// Passive (no Hellos).
    pub passive: bool,
    /// Neighbors known.
    pub neighbors: usize,
    /// Adjacent (Full) neighbors.
    pub adjacent: usize,
    /// Packets sent, received, and dropped by reason
    /// ([`InterfaceCounters::dropped`] with a [`DropReason`](ospf_core::interface::DropReason)),
    /// and LSAs received, sent and retransmitted.
    pub counters: InterfaceCounters,
    /// On a virtual link (FRR's `VLINKn`): its endpoint and transit area.
    pub virtual_link: Option<VirtualLinkStatus>,
}

/// A virtual link (RFC 2328 §15) beside its interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VirtualLinkStatus {
    /// The other endpoint's router ID.
    pub peer: Ipv4Addr,
    /// The transit area.
    pub transit_area: Ipv4Addr,
    /// The endpoint's address in the transit area (0.0.0.0 while down).
    pub peer_addr: Ipv4Addr,
}

/// One neighbor.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NeighborStatus {
    /// Router ID.
    pub router_id: Ipv4Addr,
    /// Priority.
    pub priority: u8,
    /// State (RFC 2328 §10.1).
    pub state: NeighborState,
    /// The neighbor is our DR, BDR or neither.
    pub role: NeighborRole,
    /// Milliseconds until the neighbor is declared dead.
    pub dead_ms: u64,
    /// Interface address of the neighbor.
    pub address: Ipv4Addr,
    /// Our interface's name.
    pub interface: String,
    /// Our address on that interface.
    pub local: Ipv4Addr,
    /// Retransmission list length.
    pub rxmt: usize,
    /// Request list length.
    pub req: usize,
    /// We help it restart (RFC 3623 §3).
    pub gr_helper: Option<GrHelperStatus>,
}

/// Graceful restart help given to a neighbor (RFC 3623 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrHelperStatus {
    /// Grace period granted, in seconds.
    pub grace_period: u32,
    /// Milliseconds of it left.
    pub remaining_ms: u64,
    /// Restart reason the neighbor announced.
    pub reason: ospf_core::wire::RestartReason,
}

/// The header of one LSA of the LSDB.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LsaSummary {
    /// Area (`None`: AS scope; link scope is shown under its interface's area).
    pub area: Option<Ipv4Addr>,
    /// LS type.
    pub lsa_type: u8,
    /// Link State ID.
    pub lsid: Ipv4Addr,
    /// Advertising router.
    pub adv_router: Ipv4Addr,
    /// Age, s.
    pub age: u16,
    /// Sequence number.
    pub seq: u32,
    /// Checksum.
    pub checksum: u16,
    /// Router-LSA: number of links.
    pub links: Option<u16>,
    /// Network-LSA, summary, external: the prefix (mask from the body).
    pub prefix: Option<Prefix>,
    /// AS-external and NSSA LSAs: `Some(true)` for a type-2 metric (E bit set).
    pub external_type2: Option<bool>,
    /// AS-external and NSSA LSAs: the external route tag.
    pub tag: Option<u32>,
}

/// How many LSAs of each type the LSDB holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LsdbSummary {
    /// LSAs by LS type.
    pub by_type: BTreeMap<u8, usize>,
    /// All LSAs.
    pub total: usize,
}

impl LsdbSummary {
    /// Counts the LSAs of `lsas`.
    pub fn of(lsas: &[LsaSummary]) -> LsdbSummary {
        let mut by_type = BTreeMap::new();
        for l in lsas {
            *by_type.entry(l.lsa_type).or_insert(0) += 1;
        }
        LsdbSummary {
            by_type,
            total: lsas.len(),
        }
    }
}

/// One path of a route.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoutePath {
    /// Gateway (`0.0.0.0`: directly attached).
    pub gateway: Ipv4Addr,
    /// Outgoing interface's name.
    pub interface: String,
    /// Outgoing interface's engine key.
    pub ifindex: u32,
    /// Anycast weight of the path (1 unless the servers behind the route announce
    /// unequal weights: [`ospf_core::spf::Route::weights`]).
    pub weight: u16,
}

impl RoutePath {
    /// A path through `gateway` on `interface`, of weight 1.
    pub fn new(gateway: Ipv4Addr, interface: impl Into<String>, ifindex: u32) -> Self {
        RoutePath {
            gateway,
            interface: interface.into(),
            ifindex,
            weight: 1,
        }
    }
}

impl RouteEntry {
    /// Whether the paths have unequal weights (shown only then).
    pub fn is_weighted(&self) -> bool {
        self.paths.windows(2).any(|p| p[0].weight != p[1].weight)
    }
}

/// One route of the OSPF routing table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteEntry {
    /// Destination.
    pub prefix: Prefix,
    /// Path type.
    pub route_type: RouteType,
    /// Cost (for type-2 externals, the type-2 metric).
    pub cost: u32,
    /// Cost of the path inside the AS (for type-2 externals, to the ASBR or forwarding
    /// address; otherwise equal to `cost`).
    pub path_cost: u32,
    /// Equal-cost paths.
    pub paths: Vec<RoutePath>,
    /// Seconds since the route last changed.
    pub uptime_s: u64,
    /// The area of an intra- or inter-area route (`None` for externals).
    pub area: Option<Ipv4Addr>,
    /// The route tag of an external route (0 otherwise).
    pub tag: u32,
}

impl RouteEntry {
    /// A route to `prefix` of `route_type` and `cost` over `paths`, unchanged for
    /// `uptime_s` seconds.
    pub fn new(
        prefix: Prefix,
        route_type: RouteType,
        cost: u32,
        paths: Vec<RoutePath>,
        uptime_s: u64,
    ) -> Self {
        RouteEntry {
            prefix,
            route_type,
            cost,
            path_cost: cost,
            paths,
            uptime_s,
            area: None,
            tag: 0,
        }
    }
}

/// Everything the show commands print, copied out of one router.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Snapshot {
    /// Router ID.
    pub router_id: Option<Ipv4Addr>,
    /// Interfaces.
    pub interfaces: Vec<InterfaceStatus>,
    /// Neighbors.
    pub neighbors: Vec<NeighborStatus>,
    /// LSDB.
    pub lsas: Vec<LsaSummary>,
    /// Routing table (OSPF routes).
    pub routes: Vec<RouteEntry>,
    /// Graceful restart helper settings.
    pub gr_helper: ospf_core::config::GrHelperConfig,
    /// LSDB limits: counts, RFC 1765's OverflowState, ignored neighbors.
    pub limits: LimitStatus,
    /// Area ranges and summary addresses, with what they aggregate now.
    pub aggregation: AggregationStatus,
    /// Graceful restart, restarting side (RFC 3623 §2).
    pub gr_restart: GrRestartShow,
}

/// The restarting side of graceful restart, for `show ip ospf graceful-restart`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrRestartShow {
    /// The configured grace period (`graceful-restart [grace-period N]`), when graceful
    /// restart is configured (filled in by the runtime, which reads the configuration).
    pub grace_period: Option<u32>,
    /// A planned restart prepared (`graceful-restart prepare ip ospf`): the grace period
    /// announced, the reason, whether the process may exit now.
    pub prepared: Option<(u32, ospf_core::wire::RestartReason, bool)>,
    /// Restarting mode now.
    pub restarting: Option<GrRestartingShow>,
    /// How restarting mode last ended, and how long ago (ms).
    pub last_exit: Option<(ospf_core::instance::RestartExitReason, u64)>,
}

/// Restarting mode in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrRestartingShow {
    /// Planned (prepared by the previous process) or unplanned.
    pub planned: bool,
    /// The restart reason.
    pub reason: ospf_core::wire::RestartReason,
    /// Milliseconds since it began.
    pub since_ms: u64,
    /// Milliseconds of grace period left.
    pub remaining_ms: u64,
    /// Router IDs of the neighbors whose adjacency is still awaited.
    pub awaited: Vec<Ipv4Addr>,
}

/// The restarting side's state of `ospf` at `now` (the configured grace period is left
/// to the caller).
pub fn gr_restart(ospf: &Instance, now: Instant) -> GrRestartShow {
    let st = ospf.graceful_restart_status(now);
    GrRestartShow {
        grace_period: None,
        prepared: st.prepared.map(|p| (p.grace_period, p.reason, p.ready)),
        restarting: st.restarting.map(|r| GrRestartingShow {
            planned: r.planned,
            reason: r.reason,
            since_ms: now.saturating_duration_since(r.since).as_millis(),
            remaining_ms: r.until.saturating_duration_since(now).as_millis(),
            awaited: r.awaited,
        }),
        last_exit: st
            .last_exit
            .map(|(reason, at)| (reason, now.saturating_duration_since(at).as_millis())),
    }
}

/// Address ranges (`area AREA range`) and `summary-address` aggregates, for
/// `show ip ospf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AggregationStatus {
    /// Every configured range: (area, range, largest component cost while active).
    pub ranges: Vec<(Ipv4Addr, ospf_core::config::AreaRange, Option<u32>)>,
    /// Every `summary-address` and how many redistributed prefixes it aggregates.
    pub summary_addresses: Vec<(ospf_core::config::SummaryAddress, usize)>,
}

/// The aggregation state of `ospf`.
pub fn aggregation(ospf: &Instance) -> AggregationStatus {
    let active = ospf.route_calculation().active_ranges();
    let ranges = ospf
        .areas()
        .flat_map(|a| {
            a.ranges.iter().map(|r| {
                let cost = active
                    .iter()
                    .find(|x| x.area() == a.id && x.range.prefix == r.prefix)
                    .map(|x| x.cost);
                (a.id, *r, cost)
            })
        })
        .collect();
    AggregationStatus {
        ranges,
        summary_addresses: ospf.summary_addresses(),
    }
}

/// A neighbor ignored for flooding beyond `max-lsa` (`ignore-time`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IgnoredNeighborStatus {
    /// Router ID.
    pub router_id: Ipv4Addr,
    /// Milliseconds until it is heard again.
    pub remaining_ms: u64,
    /// Ignore periods in a row, this one included.
    pub count: u32,
}

/// The LSDB limits and their state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LimitStatus {
    /// LSAs held (all scopes).
    pub lsa_count: usize,
    /// `max-lsa N` (`None`: unbounded).
    pub max_lsa: Option<usize>,
    /// `max-lsa ... warning-only`.
    pub warning_only: bool,
    /// Non-default AS-external LSAs held.
    pub external_count: usize,
    /// RFC 1765's external limit (`overflow database external MAX`).
    pub external_limit: Option<usize>,
    /// In OverflowState for this many milliseconds (`None`: not in OverflowState).
    pub overflow_ms: Option<u64>,
    /// Milliseconds until the next attempt to leave OverflowState (`None`: no attempt
    /// scheduled).
    pub overflow_exit_ms: Option<u64>,
    /// Times OverflowState was entered.
    pub overflow_entries: u64,
    /// Neighbors ignored now.
    pub ignored: Vec<IgnoredNeighborStatus>,
}

/// The LSDB limits of `ospf` at `now`.
pub fn limits(ospf: &Instance, now: Instant) -> LimitStatus {
    let st = ospf.limit_state(now);
    let c = ospf.config();
    LimitStatus {
        lsa_count: st.lsa_count,
        max_lsa: c.max_lsas,
        warning_only: c.lsa_limit_warning_only,
        external_count: st.external_count,
        external_limit: c.max_external_lsas,
        overflow_ms: st
            .overflow_since
            .map(|t| now.saturating_duration_since(t).as_millis()),
        overflow_exit_ms: st
            .overflow_exit_at
            .map(|t| t.saturating_duration_since(now).as_millis()),
        overflow_entries: st.overflow_entries,
        ignored: st
            .ignored
            .iter()
            .map(|n| IgnoredNeighborStatus {
                router_id: n.router_id,
                remaining_ms: n.until.saturating_duration_since(now).as_millis(),
                count: n.count,
            })
            .collect(),
    }
}

fn lsa_details(raw: &[u8], lsa_type: u8) -> (Option<u16>, Option<Prefix>) {
    let be16 = |o: usize| raw.get(o..o + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let mask_len = |o: usize| {
        raw.get(o..o + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]).leading_ones() as u8)
    };
    let lsid = raw
        .get(4..8)
        .map(|b| Ipv4Addr::new(b[0], b[1], b[2], b[3]))
        .unwrap_or(Ipv4Addr::UNSPECIFIED);
    match lsa_type {
        1 => (be16(22), None),
        2 | 3 | 5 | 7 => (None, mask_len(20).map(|l| Prefix::new(lsid, l))),
        _ => (None, None),
    }
}

/// The interfaces of `ospf`, named by `ifname`.
pub fn interfaces(ospf: &Instance, ifname: &dyn Fn(u32) -> String) -> Vec<InterfaceStatus> {
    ospf.interfaces()
        .map(|i| {
            let c = i.config;
            InterfaceStatus {
                ifindex: i.ifindex,
                name: ifname(i.ifindex),
                address: c.address,
                prefix_len: c.prefix_len,
                area: c.area,
                network_type: c.if_type,
                cost: c.cost,
                state: i.state,
                priority: c.priority,
                dr: i.dr,
                bdr: i.bdr,
                hello: c.hello_interval,
                dead: c.dead_interval,
                rxmt: c.rxmt_interval,
                transmit_delay: c.transmit_delay,
                passive: c.passive,
                neighbors: i.neighbor_count,
                adjacent: i.adjacent_count,
                counters: *i.counters,
                virtual_link: ospf
                    .virtual_links()
                    .find(|v| v.ifindex == i.ifindex)
                    .map(|v| VirtualLinkStatus {
                        peer: v.peer,
                        transit_area: v.transit_area,
                        peer_addr: v.peer_addr,
                    }),
            }
        })
        .collect()
}

/// The neighbors of `ospf` at `now`.
pub fn neighbors(
    ospf: &Instance,
    now: Instant,
    ifname: &dyn Fn(u32) -> String,
) -> Vec<NeighborStatus> {
    let if_addr: BTreeMap<u32, Ipv4Addr> = ospf
        .interfaces()
        .map(|i| (i.ifindex, i.config.address))
        .collect();
    ospf.neighbors()
        .map(|n| NeighborStatus {
            router_id: n.router_id,
            priority: n.priority,
            state: n.state,
            role: n.role,
            dead_ms: n.dead_at.saturating_duration_since(now).as_millis(),
            address: n.address,
            interface: ifname(n.ifindex),
            local: if_addr
                .get(&n.ifindex)
                .copied()
                .unwrap_or(Ipv4Addr::UNSPECIFIED),
            rxmt: n.ls_retransmit_count,
            req: n.ls_request_count,
            gr_helper: n.gr_helper.map(|h| GrHelperStatus {
                grace_period: h.grace_period,
                remaining_ms: h.grace_until.saturating_duration_since(now).as_millis(),
                reason: h.reason,
            }),
        })
        .collect()
}

/// The LSDB of `ospf` at `now`, one header per LSA.
pub fn lsdb(ospf: &Instance, now: Instant) -> Vec<LsaSummary> {
    let if_area: BTreeMap<u32, Ipv4Addr> = ospf
        .interfaces()
        .map(|i| (i.ifindex, i.config.area))
        .collect();
    ospf.lsdb(now)
        .map(|l| {
            let (links, prefix) = lsa_details(l.raw, l.key.lsa_type);
            let external = matches!(l.key.lsa_type, 5 | 7).then_some(l.raw);
            let external_type2 = external.and_then(|r| r.get(24)).map(|b| b & 0x80 != 0);
            let tag = external
                .and_then(|r| r.get(32..36))
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
            LsaSummary {
                area: match l.scope {
                    Scope::Area(a) => Some(a),
                    Scope::Link(i) => if_area.get(&i).copied(),
                    Scope::As => None,
                },
                lsa_type: l.key.lsa_type,
                lsid: l.key.lsid,
                adv_router: l.key.adv_router,
                age: l.header.age,
                seq: l.header.seq,
                checksum: l.header.checksum,
                links,
                prefix,
                external_type2,
                tag,
            }
        })
        .collect()
}

/// The routing table of `ospf` at `now`, with the time each route last changed
/// (`since`) and interface names.
pub fn routes(
    ospf: &Instance,
    now: Instant,
    since: &dyn Fn(&Prefix) -> Instant,
    ifname: &dyn Fn(u32) -> String,
) -> Vec<RouteEntry> {
    ospf.routes()
        .map(|(p, r)| route_entry(&p, &r, now, since(&p), ifname))
        .collect()
}

fn route_entry(
    p: &Prefix,
    r: &Route,
    now: Instant,
    since: Instant,
    ifname: &dyn Fn(u32) -> String,
) -> RouteEntry {
    RouteEntry {
        prefix: *p,
        route_type: r.route_type,
        cost: if r.route_type == RouteType::External2 {
            r.type2_cost
        } else {
            r.cost
        },
        path_cost: r.cost,
        paths: r
            .nexthops
            .iter()
            .enumerate()
            .map(|(i, h)| RoutePath {
                gateway: h.addr,
                interface: ifname(h.ifindex),
                ifindex: h.ifindex,
                weight: r.weight(i),
            })
            .collect(),
        uptime_s: now.saturating_duration_since(since).as_secs(),
        area: match r.route_type {
            RouteType::IntraArea | RouteType::InterArea => r.area,
            _ => None,
        },
        tag: r.tag,
    }
}

impl Snapshot {
    /// Copies the interfaces, neighbors, LSDB and routing table of `ospf` at `now`.
    /// `since` tells when each route last changed ([`crate::routes::RouteAges`]),
    /// `ifname` names an interface index.
    pub fn capture(
        ospf: &Instance,
        now: Instant,
        since: &dyn Fn(&Prefix) -> Instant,
        ifname: &dyn Fn(u32) -> String,
    ) -> Snapshot {
        Snapshot {
            router_id: Some(ospf.router_id()),
            interfaces: interfaces(ospf, ifname),
            neighbors: neighbors(ospf, now, ifname),
            lsas: lsdb(ospf, now),
            routes: routes(ospf, now, since, ifname),
            gr_helper: ospf.config().gr_helper.clone(),
            limits: limits(ospf, now),
            aggregation: aggregation(ospf),
            gr_restart: gr_restart(ospf, now),
        }
    }
}
