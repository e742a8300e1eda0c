//! The Linux kernel FIB over rtnetlink, with nexthop objects and groups.

use std::collections::HashMap;
use std::io;
use std::net::Ipv4Addr;
use std::time::Duration;

use tracing::{debug, warn};

use super::plan::{Keep, Op, Table};
use super::{Fib, FibError, NextHop, NextHopSet, Prefix, Rejected, Route, RouteChange};
use crate::netlink::{Batch, NLM_F_CREATE, NLM_F_REPLACE, NLM_F_REQUEST, NlSocket, attrs, u32_of};

const RTM_NEWROUTE: u16 = 24;
const RTM_DELROUTE: u16 = 25;
const RTM_GETROUTE: u16 = 26;
const RTM_NEWNEXTHOP: u16 = 104;
const RTM_DELNEXTHOP: u16 = 105;
const RTM_GETNEXTHOP: u16 = 106;

const NLM_F_EXCL: u16 = 0x200;

const AF_UNSPEC: u8 = 0;
const AF_INET: u8 = libc::AF_INET as u8;

const RTA_DST: u16 = 1;
const RTA_PRIORITY: u16 = 6;
const RTA_TABLE: u16 = 15;
const RTA_NH_ID: u16 = 30;

const RT_SCOPE_UNIVERSE: u8 = 0;
const RT_SCOPE_NOWHERE: u8 = 255;
const RTN_UNICAST: u8 = 1;
const RTN_BLACKHOLE: u8 = 6;
const RT_TABLE_UNSPEC: u8 = 0;

const NHA_ID: u16 = 1;
const NHA_GROUP: u16 = 2;
const NHA_GROUP_TYPE: u16 = 3;
const NHA_OIF: u16 = 5;
const NHA_GATEWAY: u16 = 6;
/// `RTNH_F_ONLINK`: the gateway is on the link though no address of ours covers it.
const RTNH_F_ONLINK: u32 = 4;
const NHA_RES_GROUP: u16 = 12;
const NHA_RES_GROUP_BUCKETS: u16 = 1;
const NHA_RES_GROUP_IDLE_TIMER: u16 = 2;
const NHA_RES_GROUP_UNBALANCED_TIMER: u16 = 3;
const NEXTHOP_GRP_TYPE_MPATH: u16 = 0;
const NEXTHOP_GRP_TYPE_RES: u16 = 1;

/// The routing protocol number of OSPF routes (`RTPROT_OSPF`, shown as `proto ospf`).
pub const RTPROT_OSPF: u8 = 188;

/// Settings of resilient nexthop groups (Linux 5.13+): the group is a table of buckets;
/// when a member leaves only its buckets move, so flows to the other members stay put.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resilient {
    /// Number of buckets (the kernel's default is 128).
    pub buckets: u16,
    /// A bucket idle this long may be moved to rebalance after a member joins.
    pub idle_timer: Duration,
    /// After this long unbalanced, buckets are moved even if busy (zero: never).
    pub unbalanced_timer: Duration,
}

impl Default for Resilient {
    fn default() -> Self {
        Resilient {
            buckets: 128,
            idle_timer: Duration::from_secs(120),
            unbalanced_timer: Duration::ZERO,
        }
    }
}

/// Settings of a [`KernelFib`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelFibConfig {
    /// Routing table (254 is `main`).
    pub table: u32,
    /// Kernel route metric (`RTA_PRIORITY`) of our routes. FRR's zebra uses 20.
    pub priority: u32,
    /// Protocol number that marks our routes and nexthop objects.
    pub protocol: u8,
    /// First nexthop object id to allocate (ids are global in a network namespace).
    pub first_id: u32,
    /// Use resilient groups instead of hash-threshold groups.
    pub resilient: Option<Resilient>,
    /// Delete routes and nexthop objects with our protocol left by an earlier run when
    /// the FIB is opened.
    pub remove_stale: bool,
    /// Remove our routes when the FIB is dropped.
    pub flush_on_drop: bool,
    /// Instead of deleting the routes and nexthop objects of an earlier run at the start
    /// (`remove_stale`), keep them forwarding for a graceful restart: routes of ours
    /// replace them one by one, and [`Fib::remove_stale_routes`] deletes the rest.
    pub adopt_stale: bool,
    /// Ask for an ack of every request. By default only the last request of each window
    /// of up to 1024 asks; failures are answered either way, matched by sequence number.
    pub ack_all: bool,
}

impl Default for KernelFibConfig {
    fn default() -> Self {
        KernelFibConfig {
            table: 254,
            priority: 20,
            protocol: RTPROT_OSPF,
            first_id: 0x0f5f_0000,
            resilient: None,
            remove_stale: true,
            flush_on_drop: true,
            adopt_stale: false,
            ack_all: false,
        }
    }
}

/// Linux routes over rtnetlink.
///
/// Every distinct next hop becomes one nexthop object and every distinct next-hop set one
/// group (shared by all routes with that set); routes point at their group with
/// `RTA_NH_ID`. When all routes of a group move to the same new set, the group is rewritten
/// in place (one request). Requests of a batch are sent together and their acks matched
/// by sequence number. Needs `CAP_NET_ADMIN`.
///
/// Our routes show as `proto ospf` in `ip route`; other routing daemons in the same
/// network namespace must not use protocol 188 in the same table, since stale-route
/// removal deletes every route with it.
pub struct KernelFib {
    sock: NlSocket,
    cfg: KernelFibConfig,
    table: Table,
    batch: Batch,
    /// Interfaces whose gateways are on-link without a shared subnet (unnumbered).
    onlink: std::collections::BTreeSet<u32>,
    /// Our blackhole routes (discard routes of address ranges), outside the nexthop
    /// bookkeeping: they have no next hop.
    blackholes: std::collections::BTreeSet<Prefix>,
    /// Routes of an earlier run kept for a graceful restart (see
    /// [`KernelFibConfig::adopt_stale`]) that could not be taken over (not pointing at
    /// a nexthop object of ours of the kind configured), and such nexthop objects
    /// (groups first): deleted by [`Fib::remove_stale_routes`].
    stale: Vec<StaleRoute>,
    stale_objects: Vec<u32>,
    /// Routes of the earlier run taken over with their nexthop objects, that no change
    /// of ours has confirmed yet: deleted by [`Fib::remove_stale_routes`].
    adopted: std::collections::HashSet<Prefix>,
    /// The prefixes of the batch being applied that take over a route of the earlier run.
    takeover: Vec<Prefix>,
    /// Routes of the earlier run kept because the kernel refused their replacement:
    /// [`Fib::remove_stale_routes`] leaves them (and says so).
    kept: std::collections::BTreeSet<Prefix>,
}

/// A route found in our table at the start: destination, length, TOS, metric.
type StaleRoute = ([u8; 4], u8, u8, Option<u32>);

/// What a dump of our table and nexthop objects found.
#[derive(Debug, Default)]
struct Dumped {
    /// Routes, with the nexthop object they point at.
    routes: Vec<(StaleRoute, Option<u32>)>,
    /// Single nexthop objects: id, gateway, interface.
    singles: Vec<(u32, Option<NextHop>)>,
    /// Groups: id, member ids, resilient, buckets.
    groups: Vec<(u32, Vec<u32>, bool, Option<u16>)>,
}

impl std::fmt::Debug for KernelFib {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KernelFib")
            .field("cfg", &self.cfg)
            .field("routes", &self.table.routes.len())
            .field("groups", &self.table.groups.len())
            .field("nexthops", &self.table.nhs.len())
            .finish()
    }
}

impl KernelFib {
    /// Opens a rtnetlink socket and, if configured, removes stale routes of ours.
    pub fn new(cfg: KernelFibConfig) -> io::Result<Self> {
        let mut fib = KernelFib {
            sock: NlSocket::new()?,
            table: Table::new(cfg.first_id),
            cfg,
            batch: Batch::new(),
            blackholes: std::collections::BTreeSet::new(),
            stale: Vec::new(),
            stale_objects: Vec::new(),
            takeover: Vec::new(),
            kept: Default::default(),
            adopted: std::collections::HashSet::new(),
            onlink: std::collections::BTreeSet::new(),
        };
        if fib.cfg.adopt_stale {
            let dumped = fib.dump()?;
            fib.adopt(dumped);
            if fib.stale_route_count() > 0 {
                debug!(
                    adopted = fib.adopted.len(),
                    other = fib.stale.len(),
                    "kept the routes of an earlier run"
                );
            }
        } else if fib.cfg.remove_stale {
            let (routes, objects) = fib.remove_stale()?;
            if routes + objects > 0 {
                debug!(routes, objects, "removed stale routes and nexthop objects");
            }
        }
        Ok(fib)
    }

    /// The settings in use.
    pub fn config(&self) -> &KernelFibConfig {
        &self.cfg
    }

    /// Number of nexthop groups in use.
    pub fn group_count(&self) -> usize {
        self.table.groups.len()
    }

    /// Number of nexthop objects (single next hops) in use.
    pub fn nexthop_count(&self) -> usize {
        self.table.nhs.len()
    }

    /// The kernel id of the group that serves `set`, if there is one.
    pub fn group_id(&self, set: &NextHopSet) -> Option<u32> {
        self.table.groups.get(set).map(|o| o.id)
    }

    /// Deletes every route in our table and every nexthop object with our protocol
    /// (whoever installed them). Returns how many routes and objects were deleted.
    pub fn remove_stale(&mut self) -> io::Result<(usize, usize)> {
        let (routes, objects) = self.dump_stale()?;
        self.delete_stale(&routes, &objects)?;
        Ok((routes.len(), objects.len()))
    }

    /// Our routes in our table and our nexthop objects (groups first), as the kernel
    /// holds them now.
    fn dump_stale(&mut self) -> io::Result<(Vec<StaleRoute>, Vec<u32>)> {
        let d = self.dump()?;
        let routes = d.routes.into_iter().map(|(r, _)| r).collect();
        let mut objects: Vec<u32> = d.groups.iter().map(|g| g.0).collect();
        objects.extend(d.singles.iter().map(|s| s.0));
        Ok((routes, objects))
    }

    /// Takes over what an earlier run left (a graceful restart): its routes that point at
    /// one of its groups of the kind we create (hash-threshold or resilient with our
    /// bucket count) keep their group, shared with our routes of the same next-hop set,
    /// so that replacing them changes nothing in the kernel and moves no flow. The rest
    /// is kept as it is until [`Fib::remove_stale_routes`].
    fn adopt(&mut self, d: Dumped) {
        let singles: HashMap<u32, NextHop> = d
            .singles
            .iter()
            .filter_map(|(id, nh)| Some((*id, (*nh)?)))
            .collect();
        let want_res = self.cfg.resilient.map(|r| r.buckets);
        let mut groups: HashMap<u32, NextHopSet> = HashMap::new();
        let mut sets: std::collections::HashSet<NextHopSet> = std::collections::HashSet::new();
        for (id, members, resilient, buckets) in &d.groups {
            let kind_ok = match want_res {
                None => !resilient,
                Some(b) => *resilient && *buckets == Some(b),
            };
            let set: Option<NextHopSet> = members.iter().map(|m| singles.get(m).copied()).collect();
            match set {
                Some(set) if kind_ok && !set.is_empty() && sets.insert(set.clone()) => {
                    groups.insert(*id, set);
                }
                _ => {}
            }
        }
        let mut routes = Vec::new();
        for ((dst, len, tos, metric), nh_id) in d.routes {
            let prefix = Prefix::try_new(Ipv4Addr::from(dst), len);
            match (prefix, nh_id) {
                (Some(p), Some(id))
                    if tos == 0
                        && metric.unwrap_or(0) == self.cfg.priority
                        && groups.contains_key(&id) =>
                {
                    routes.push((p, id));
                    self.adopted.insert(p);
                }
                _ => self.stale.push((dst, len, tos, metric)),
            }
        }
        let used: std::collections::HashSet<u32> = groups
            .values()
            .flat_map(|s| {
                s.iter()
                    .filter_map(|nh| singles.iter().find(|(_, n)| *n == nh))
            })
            .map(|(id, _)| *id)
            .collect();
        for (id, ..) in &d.groups {
            if !groups.contains_key(id) {
                self.stale_objects.push(*id);
            }
        }
        for (id, _) in &d.singles {
            if !used.contains(id) {
                self.stale_objects.push(*id);
            }
        }
        self.table.reserve_ids(self.stale_objects.iter().copied());
        let nhs: Vec<(NextHop, u32)> = singles
            .iter()
            .filter(|(id, _)| used.contains(id))
            .map(|(id, nh)| (*nh, *id))
            .collect();
        let groups: Vec<(NextHopSet, u32)> = groups.into_iter().map(|(id, s)| (s, id)).collect();
        self.table.adopt(&nhs, &groups, &routes);
    }

    /// Our routes in our table (with the object each points at) and our nexthop objects.
    fn dump(&mut self) -> io::Result<Dumped> {
        let proto = self.cfg.protocol;
        let table = self.cfg.table;
        let mut routes = Vec::new();
        self.sock.dump(
            RTM_GETROUTE,
            &[AF_INET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            |t, p| {
                if t != RTM_NEWROUTE || p.len() < 12 || p[0] != AF_INET || p[5] != proto {
                    return;
                }
                let mut rt_table = u32::from(p[4]);
                let mut dst = [0u8; 4];
                let mut priority = None;
                let mut nh_id = None;
                for (k, v) in attrs(&p[12..]) {
                    match k {
                        RTA_TABLE => rt_table = u32_of(v).unwrap_or(rt_table),
                        RTA_DST if v.len() == 4 => dst.copy_from_slice(v),
                        RTA_PRIORITY => priority = u32_of(v),
                        RTA_NH_ID => nh_id = u32_of(v),
                        _ => {}
                    }
                }
                if rt_table == table {
                    routes.push(((dst, p[1], p[3], priority), nh_id));
                }
            },
        )?;
        let mut groups = Vec::new();
        let mut singles = Vec::new();
        let dumped = self
            .sock
            .dump(RTM_GETNEXTHOP, &[AF_UNSPEC, 0, 0, 0, 0, 0, 0, 0], |t, p| {
                if t != RTM_NEWNEXTHOP || p.len() < 8 || p[2] != proto {
                    return;
                }
                let mut id = None;
                let mut members: Option<Vec<u32>> = None;
                let mut resilient = false;
                let mut buckets = None;
                let mut oif = None;
                let mut gateway = Ipv4Addr::UNSPECIFIED;
                for (k, v) in attrs(&p[8..]) {
                    match k {
                        NHA_ID => id = u32_of(v),
                        // struct nexthop_grp { u32 id; u8 weight; u8; u16; }
                        NHA_GROUP => members = Some(v.chunks_exact(8).filter_map(u32_of).collect()),
                        NHA_GROUP_TYPE => {
                            resilient = v.get(..2).map(|b| u16::from_ne_bytes([b[0], b[1]]))
                                == Some(NEXTHOP_GRP_TYPE_RES)
                        }
                        NHA_RES_GROUP => {
                            buckets = attrs(v)
                                .find(|(t, _)| *t == NHA_RES_GROUP_BUCKETS)
                                .and_then(|(_, b)| {
                                    Some(u16::from_ne_bytes([*b.first()?, *b.get(1)?]))
                                })
                        }
                        NHA_OIF => oif = u32_of(v),
                        NHA_GATEWAY if v.len() == 4 => {
                            gateway = Ipv4Addr::new(v[0], v[1], v[2], v[3])
                        }
                        _ => {}
                    }
                }
                if let Some(id) = id {
                    match members {
                        Some(m) => groups.push((id, m, resilient, buckets)),
                        None => singles.push((id, oif.map(|o| NextHop::new(gateway, o)))),
                    }
                }
            });
        if let Err(e) = dumped {
            // Kernels without nexthop objects answer EOPNOTSUPP or EINVAL.
            debug!("nexthop dump failed: {e}");
        }
        Ok(Dumped {
            routes,
            singles,
            groups,
        })
    }

    /// Deletes these routes, then these nexthop objects.
    fn delete_stale(&mut self, routes: &[StaleRoute], objects: &[u32]) -> io::Result<()> {
        let table = self.cfg.table;
        let proto = self.cfg.protocol;
        let b = &mut self.batch;
        b.clear();
        for (dst, len, tos, priority) in routes {
            b.begin(RTM_DELROUTE, NLM_F_REQUEST);
            b.put(&route_header(*len, *tos, table, proto, RT_SCOPE_NOWHERE, 0));
            if *len > 0 {
                b.attr(RTA_DST, dst);
            }
            if table > 255 {
                b.attr_u32(RTA_TABLE, table);
            }
            if let Some(p) = priority {
                b.attr_u32(RTA_PRIORITY, *p);
            }
            b.end();
        }
        for id in objects {
            del_obj(b, *id);
        }
        let results = self.sock.execute(b)?;
        let failed = results
            .iter()
            .filter(|&&e| e != 0 && e != libc::ESRCH && e != libc::ENOENT)
            .count();
        if failed > 0 {
            warn!(
                failed,
                "could not remove some stale routes or nexthop objects"
            );
        }
        Ok(())
    }

    fn encode(&mut self, ops: &[Op]) {
        let cfg = &self.cfg;
        let b = &mut self.batch;
        b.clear();
        for op in ops {
            match op {
                Op::NewNh { id, nh } => {
                    b.begin(RTM_NEWNEXTHOP, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
                    // struct nhmsg: family, scope, protocol, reserved, flags (u32).
                    let flags: u32 = if nh.gateway != Ipv4Addr::UNSPECIFIED
                        && self.onlink.contains(&nh.ifindex)
                    {
                        RTNH_F_ONLINK
                    } else {
                        0
                    };
                    b.put(&[AF_INET, 0, cfg.protocol, 0]);
                    b.put(&flags.to_ne_bytes());
                    b.attr_u32(NHA_ID, *id);
                    b.attr_u32(NHA_OIF, nh.ifindex);
                    if nh.gateway != Ipv4Addr::UNSPECIFIED {
                        b.attr(NHA_GATEWAY, &nh.gateway.octets());
                    }
                    b.end();
                }
                Op::SetGroup {
                    id,
                    members,
                    replace,
                } => {
                    let flags = if *replace {
                        NLM_F_REQUEST | NLM_F_REPLACE
                    } else {
                        NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL
                    };
                    b.begin(RTM_NEWNEXTHOP, flags);
                    b.put(&[AF_UNSPEC, 0, cfg.protocol, 0, 0, 0, 0, 0]);
                    b.attr_u32(NHA_ID, *id);
                    let mut grp = Vec::with_capacity(members.len() * 8);
                    for (m, weight) in members {
                        // struct nexthop_grp { u32 id; u8 weight - 1; u8; u16; }
                        let w = weight.clamp(&1, &super::MAX_WEIGHT) - 1;
                        grp.extend_from_slice(&m.to_ne_bytes());
                        grp.extend_from_slice(&[w as u8, 0, 0, 0]);
                    }
                    b.attr(NHA_GROUP, &grp);
                    match cfg.resilient {
                        None => b.attr_u16(NHA_GROUP_TYPE, NEXTHOP_GRP_TYPE_MPATH),
                        Some(r) => {
                            b.attr_u16(NHA_GROUP_TYPE, NEXTHOP_GRP_TYPE_RES);
                            b.nest_begin(NHA_RES_GROUP);
                            b.attr_u16(NHA_RES_GROUP_BUCKETS, r.buckets);
                            b.attr_u32(NHA_RES_GROUP_IDLE_TIMER, clock_t(r.idle_timer));
                            b.attr_u32(NHA_RES_GROUP_UNBALANCED_TIMER, clock_t(r.unbalanced_timer));
                            b.nest_end();
                        }
                    }
                    b.end();
                }
                Op::SetRoute { prefix, group } => {
                    b.begin(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);
                    b.put(&route_header(
                        prefix.prefix_len(),
                        0,
                        cfg.table,
                        cfg.protocol,
                        RT_SCOPE_UNIVERSE,
                        RTN_UNICAST,
                    ));
                    route_attrs(b, prefix, cfg);
                    b.attr_u32(RTA_NH_ID, *group);
                    b.end();
                }
                Op::DelRoute { prefix } => {
                    b.begin(RTM_DELROUTE, NLM_F_REQUEST);
                    b.put(&route_header(
                        prefix.prefix_len(),
                        0,
                        cfg.table,
                        cfg.protocol,
                        RT_SCOPE_NOWHERE,
                        0,
                    ));
                    route_attrs(b, prefix, cfg);
                    b.end();
                }
                Op::DelObj { id } => del_obj(b, *id),
                Op::SetBlackhole { prefix } => {
                    b.begin(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);
                    b.put(&route_header(
                        prefix.prefix_len(),
                        0,
                        cfg.table,
                        cfg.protocol,
                        RT_SCOPE_UNIVERSE,
                        RTN_BLACKHOLE,
                    ));
                    route_attrs(b, prefix, cfg);
                    b.end();
                }
            }
        }
    }

    fn run(&mut self, ops: &[Op]) -> io::Result<Vec<i32>> {
        if ops.is_empty() {
            return Ok(Vec::new());
        }
        self.encode(ops);
        self.sock.execute_with(&mut self.batch, self.cfg.ack_all)
    }
}

fn clock_t(d: Duration) -> u32 {
    // USER_HZ is 100 on every Linux architecture's ABI.
    u32::try_from(d.as_millis() / 10).unwrap_or(u32::MAX)
}

fn route_header(len: u8, tos: u8, table: u32, proto: u8, scope: u8, kind: u8) -> [u8; 12] {
    let table = if table > 255 {
        RT_TABLE_UNSPEC
    } else {
        table as u8
    };
    [AF_INET, len, 0, tos, table, proto, scope, kind, 0, 0, 0, 0]
}

fn route_attrs(b: &mut Batch, prefix: &Prefix, cfg: &KernelFibConfig) {
    if prefix.prefix_len() > 0 {
        b.attr(RTA_DST, &prefix.addr().octets());
    }
    if cfg.table > 255 {
        b.attr_u32(RTA_TABLE, cfg.table);
    }
    b.attr_u32(RTA_PRIORITY, cfg.priority);
}

fn del_obj(b: &mut Batch, id: u32) {
    b.begin(RTM_DELNEXTHOP, NLM_F_REQUEST);
    b.put(&[AF_UNSPEC, 0, 0, 0, 0, 0, 0, 0]);
    b.attr_u32(NHA_ID, id);
    b.end();
}

impl KernelFib {
    /// Blackhole routes: the last change of each prefix that is or becomes one decides.
    /// Returns the changes for the nexthop planner (a blackhole replaces a route there:
    /// a delete) and the blackhole requests to send after its requests.
    fn split_blackholes(&mut self, changes: &[RouteChange]) -> (Vec<RouteChange>, Vec<Op>) {
        let mut planned: Vec<RouteChange> = Vec::with_capacity(changes.len());
        let mut last: std::collections::BTreeMap<Prefix, &RouteChange> = Default::default();
        for c in changes {
            if matches!(c, RouteChange::Blackhole(_)) || self.blackholes.contains(&c.prefix()) {
                last.insert(c.prefix(), c);
            }
            if !matches!(c, RouteChange::Blackhole(_)) {
                planned.push(c.clone());
            }
        }
        let mut ops = Vec::new();
        for (p, c) in last {
            match c {
                RouteChange::Blackhole(_) => {
                    planned.push(RouteChange::Delete(p));
                    if self.blackholes.insert(p) {
                        ops.push(Op::SetBlackhole { prefix: p });
                    }
                }
                RouteChange::Delete(_) => {
                    self.blackholes.remove(&p);
                    ops.push(Op::DelRoute { prefix: p });
                }
                // A route of the planner replaces the blackhole (NLM_F_REPLACE).
                RouteChange::Add(_) | RouteChange::Replace(_) => {
                    self.blackholes.remove(&p);
                }
            }
        }
        (planned, ops)
    }
}

impl Fib for KernelFib {
    fn set_onlink_interfaces(&mut self, ifindexes: &[u32]) {
        self.onlink = ifindexes.iter().copied().collect();
    }

    fn apply(&mut self, changes: &[RouteChange]) -> Result<(), FibError> {
        // Routes of the earlier run that these changes take over: kept as they are if
        // the kernel refuses their replacement (see `apply_planned`).
        self.takeover.clear();
        if !self.adopted.is_empty() || !self.stale.is_empty() {
            let stale = self.stale_prefixes();
            for c in changes {
                let p = c.prefix();
                if self.adopted.contains(&p) || stale.contains(&p) {
                    self.takeover.push(p);
                }
            }
        }
        for c in changes {
            self.adopted.remove(&c.prefix());
        }
        if changes
            .iter()
            .all(|c| !matches!(c, RouteChange::Blackhole(_)))
            && (self.blackholes.is_empty()
                || changes
                    .iter()
                    .all(|c| !self.blackholes.contains(&c.prefix())))
        {
            return self.apply_planned(changes);
        }
        let (planned, bh_ops) = self.split_blackholes(changes);
        let first = self.apply_planned(&planned);
        let results = self.run(&bh_ops)?;
        let mut rejected = match first {
            Ok(()) => Vec::new(),
            Err(FibError::Rejected(r)) => r,
            Err(e) => return Err(e),
        };
        for (op, e) in bh_ops.iter().zip(&results) {
            if let Op::SetBlackhole { prefix } | Op::DelRoute { prefix } = op {
                let gone = *e == libc::ESRCH || *e == libc::ENOENT;
                if *e != 0 && !(matches!(op, Op::DelRoute { .. }) && gone) {
                    debug!(?op, errno = e, "kernel refused a blackhole request");
                    self.blackholes.remove(prefix);
                    rejected.retain(|r| r.prefix != *prefix);
                    rejected.push(Rejected {
                        prefix: *prefix,
                        errno: *e,
                    });
                }
            }
        }
        if rejected.is_empty() {
            Ok(())
        } else {
            rejected.sort_by_key(|r| r.prefix);
            Err(FibError::Rejected(rejected))
        }
    }

    fn stale_route_count(&self) -> usize {
        self.adopted.len() + self.stale.len()
    }

    fn remove_stale_routes(&mut self) -> Result<usize, FibError> {
        // Taken-over routes no change of ours confirmed: deleted like ours (their groups
        // go once unused).
        let gone: Vec<RouteChange> = self
            .adopted
            .iter()
            .map(|p| RouteChange::Delete(*p))
            .collect();
        let mut removed = gone.len();
        let result = self.apply(&gone);
        let priority = self.cfg.priority;
        let kept = std::mem::take(&mut self.kept);
        if !kept.is_empty() {
            warn!(
                routes = kept.len(),
                "graceful restart: routes of the previous process kept, the kernel refused \
                 their replacement: {kept:?}"
            );
        }
        let routes: Vec<StaleRoute> = std::mem::take(&mut self.stale)
            .into_iter()
            .filter(|(dst, len, tos, metric)| {
                // Kept: its replacement was refused.
                if Prefix::try_new(Ipv4Addr::from(*dst), *len).is_some_and(|p| kept.contains(&p)) {
                    return false;
                }
                // Replaced in place by one of ours (same key: prefix, TOS, metric)?
                let ours = Prefix::try_new(Ipv4Addr::from(*dst), *len).is_some_and(|p| {
                    self.table.routes.contains_key(&p) || self.blackholes.contains(&p)
                });
                !(ours && *tos == 0 && metric.unwrap_or(0) == priority)
            })
            .collect();
        removed += routes.len();
        let objects = std::mem::take(&mut self.stale_objects);
        self.delete_stale(&routes, &objects)?;
        result.map(|()| removed)
    }

    fn keep_routes_on_exit(&mut self) {
        self.cfg.flush_on_drop = false;
    }

    fn flush(&mut self) -> Result<(), FibError> {
        let ops: Vec<Op> = std::mem::take(&mut self.blackholes)
            .into_iter()
            .map(|prefix| Op::DelRoute { prefix })
            .collect();
        self.run(&ops)?;
        self.flush_planned()
    }

    fn get(&self, prefix: &Prefix) -> Option<&NextHopSet> {
        static NONE: NextHopSet = NextHopSet(Vec::new());
        if self.blackholes.contains(prefix) {
            return Some(&NONE);
        }
        self.table.route(prefix)
    }

    fn len(&self) -> usize {
        self.table.routes.len() + self.blackholes.len()
    }

    fn routes(&self) -> Vec<Route> {
        let mut v: Vec<Route> = self
            .table
            .routes
            .keys()
            .filter_map(|p| {
                Some(Route {
                    prefix: *p,
                    nexthops: self.table.route(p)?.clone(),
                })
            })
            .collect();
        v.extend(self.blackholes.iter().map(|p| Route::new(*p, [])));
        v.sort_by_key(|r| r.prefix);
        v
    }
}

impl KernelFib {
    /// The prefixes of the earlier run's routes still in the kernel outside our
    /// bookkeeping (those a route of ours would replace: TOS 0, our metric).
    fn stale_prefixes(&self) -> std::collections::HashSet<Prefix> {
        let priority = self.cfg.priority;
        self.stale
            .iter()
            .filter(|(_, _, tos, metric)| *tos == 0 && metric.unwrap_or(0) == priority)
            .filter_map(|(dst, len, ..)| Prefix::try_new(Ipv4Addr::from(*dst), *len))
            .collect()
    }

    /// Runs a plan that takes over routes of an earlier run: creations and
    /// re-pointings first, deletions after, without those of the objects a refused
    /// replacement still uses (the old route keeps forwarding). Returns the requests
    /// run and their results.
    fn run_takeover(&mut self, ops: Vec<Op>, keep: &Keep) -> io::Result<(Vec<Op>, Vec<i32>)> {
        let (mut first, later): (Vec<Op>, Vec<Op>) = ops
            .into_iter()
            .partition(|op| !matches!(op, Op::DelRoute { .. } | Op::DelObj { .. }));
        let mut results = self.run(&first)?;
        let failed: Vec<&Op> = first
            .iter()
            .zip(&results)
            .filter(|(_, e)| **e != 0)
            .map(|(op, _)| op)
            .collect();
        let held = keep.held_ids(&failed);
        let later: Vec<Op> = later
            .into_iter()
            .filter(|op| !matches!(op, Op::DelObj { id } if held.contains(id)))
            .collect();
        results.extend(self.run(&later)?);
        first.extend(later);
        Ok((first, results))
    }

    fn apply_planned(&mut self, changes: &[RouteChange]) -> Result<(), FibError> {
        let keep = if self.takeover.is_empty() {
            Keep::default()
        } else {
            self.table.keep_for(self.takeover.iter().copied())
        };
        let ops = self.table.plan(changes);
        let (ops, results) = if keep.is_empty() {
            let r = self.run(&ops)?;
            (ops, r)
        } else {
            self.run_takeover(ops, &keep)?
        };
        let failed: Vec<(&Op, i32)> = ops
            .iter()
            .zip(&results)
            .filter(|(op, e)| {
                // Deleting what is already gone is not a failure.
                **e != 0
                    && !(matches!(op, Op::DelRoute { .. } | Op::DelObj { .. })
                        && (**e == libc::ESRCH || **e == libc::ENOENT))
            })
            .map(|(op, e)| (op, *e))
            .collect();
        let mut rejected = Vec::new();
        let mut errno_of: HashMap<Prefix, i32> = HashMap::new();
        let first_errno = failed.first().map(|f| f.1);
        for (op, e) in &failed {
            debug!(?op, errno = e, "kernel refused a FIB request");
            if let Op::SetRoute { prefix, .. } | Op::DelRoute { prefix } = op {
                errno_of.insert(*prefix, *e);
                if keep.foreign.contains(prefix) || self.takeover.contains(prefix) {
                    warn!(
                        %prefix,
                        errno = e,
                        "graceful restart: the kernel refused the new route; the previous \
                         process's route stays"
                    );
                    self.kept.insert(*prefix);
                }
            }
        }
        if !failed.is_empty() {
            let ops: Vec<&Op> = failed.iter().map(|f| f.0).collect();
            let cleanup = self.table.repair(&ops, &keep);
            if let Err(e) = self.run(&cleanup) {
                warn!("FIB clean-up after refused requests failed: {e}");
            }
        }
        let any_empty = changes.iter().any(
            |c| matches!(c, RouteChange::Add(r) | RouteChange::Replace(r) if r.nexthops.is_empty()),
        );
        if failed.is_empty() && !any_empty {
            return Ok(());
        }
        // Report every change whose prefix did not end up as asked.
        let mut last: HashMap<Prefix, Option<&NextHopSet>> = HashMap::new();
        for c in changes {
            last.insert(
                c.prefix(),
                match c {
                    RouteChange::Add(r) | RouteChange::Replace(r) => Some(&r.nexthops),
                    RouteChange::Delete(_) | RouteChange::Blackhole(_) => None,
                },
            );
        }
        for (prefix, want) in last {
            let ok = match want {
                Some(set) if set.is_empty() => {
                    rejected.push(Rejected {
                        prefix,
                        errno: libc::EINVAL,
                    });
                    continue;
                }
                Some(set) => self.table.route(&prefix) == Some(set),
                None => !self.table.routes.contains_key(&prefix),
            };
            if !ok {
                rejected.push(Rejected {
                    prefix,
                    errno: errno_of
                        .get(&prefix)
                        .copied()
                        .or(first_errno)
                        .unwrap_or(libc::EIO),
                });
            }
        }
        if rejected.is_empty() {
            Ok(())
        } else {
            rejected.sort_by_key(|r| r.prefix);
            Err(FibError::Rejected(rejected))
        }
    }

    fn flush_planned(&mut self) -> Result<(), FibError> {
        // Deleting a nexthop object deletes the routes that use it.
        let mut ops: Vec<Op> = self
            .table
            .groups
            .values()
            .map(|o| Op::DelObj { id: o.id })
            .collect();
        ops.extend(self.table.nhs.values().map(|o| Op::DelObj { id: o.id }));
        let results = self.run(&ops)?;
        self.table.clear();
        let failed = results
            .iter()
            .filter(|&&e| e != 0 && e != libc::ENOENT)
            .count();
        if failed > 0 {
            warn!(failed, "some nexthop objects could not be deleted");
        }
        Ok(())
    }
}

/// The IPv4 prefixes of table `table` installed with protocol `protocol` (for example
/// `RTPROT_STATIC` = 4 for `redistribute static`).
pub fn kernel_prefixes(table: u32, protocol: u8) -> io::Result<Vec<Prefix>> {
    dump_prefixes(table, |p| p == protocol)
}

/// Whether table `table` has a default route (0.0.0.0/0) installed with a protocol other
/// than `not_protocol` (our own: `default-information originate` follows the default
/// routes of other sources only, as FRR's).
pub fn kernel_default_route(table: u32, not_protocol: u8) -> io::Result<bool> {
    Ok(dump_prefixes(table, |p| p != not_protocol)?
        .iter()
        .any(Prefix::is_default))
}

fn dump_prefixes(table: u32, protocol: impl Fn(u8) -> bool) -> io::Result<Vec<Prefix>> {
    let mut sock = NlSocket::new()?;
    let mut out = Vec::new();
    sock.dump(
        RTM_GETROUTE,
        &[AF_INET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        |t, p| {
            if t != RTM_NEWROUTE || p.len() < 12 || p[0] != AF_INET || !protocol(p[5]) {
                return;
            }
            let mut rt_table = u32::from(p[4]);
            let mut dst = [0u8; 4];
            for (k, v) in attrs(&p[12..]) {
                match k {
                    RTA_TABLE => rt_table = u32_of(v).unwrap_or(rt_table),
                    RTA_DST if v.len() == 4 => dst.copy_from_slice(v),
                    _ => {}
                }
            }
            if rt_table == table {
                if let Some(prefix) = Prefix::try_new(Ipv4Addr::from(dst), p[1]) {
                    out.push(prefix);
                }
            }
        },
    )?;
    out.sort();
    out.dedup();
    Ok(out)
}

impl Drop for KernelFib {
    fn drop(&mut self) {
        if self.cfg.flush_on_drop && !(self.table.routes.is_empty() && self.table.nhs.is_empty()) {
            if let Err(e) = self.flush() {
                warn!("removing our routes on exit failed: {e}");
            }
        }
    }
}
