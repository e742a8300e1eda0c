//! The route calculation (RFC 2328 §16, RFC 3101): intra-area Dijkstra with every
//! equal-cost path, inter-area and AS-external routes, the ABR's summaries and NSSA
//! translations, and the routing table as a diff a FIB can apply atomically.
//!
//! [`Spf`] is independent of the protocol engine: it keeps its own compact topology, fed
//! with raw LSA bytes ([`Spf::lsa_update`], [`Spf::lsa_remove`]) and our interfaces
//! ([`Spf::set_interfaces`]). [`Spf::calculate`] returns the [`RouteChange`]s since the last
//! calculation. Each LSA change is classified when it arrives, so that a calculation runs
//! Dijkstra only in areas whose graph changed; when only AS-external LSAs changed, only
//! their prefixes are recomputed.
//!
//! ```
//! use ospf_core::spf::{Spf, SpfConfig};
//! use core::net::Ipv4Addr;
//! let mut spf = Spf::new(Ipv4Addr::new(10, 0, 0, 1), SpfConfig::default());
//! assert!(spf.calculate().is_empty());
//! assert_eq!(spf.routes().count(), 0);
//! ```
//!
//! [`SpfScheduler`] is the RFC 8405 back-off that decides when to calculate.

mod abr;
mod nexthops;
mod parse;
mod prefixes;
mod radix;
mod sched;
mod table;
mod topo;
mod types;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

pub use abr::{ActiveRange, SummaryKind, SummaryOrigination, Translation};
pub use parse::{LS_INFINITY, LsaError};
pub use sched::{BackoffState, SpfScheduler, SpfTimers};
pub use types::{
    AreaKind, InterfaceKind, NextHop, Prefix, Route, RouteChange, RouteType, RouterRoute,
    SpfInterface, VirtualLinkPath,
};

use nexthops::{Hops, NO_SET, NhArena, Set};
use parse::*;
use prefixes::PrefixIndex;
use table::{Entry, Table};
use topo::{Change, Graph, K_FLAGS_SHIFT, K_NET, LINK_P2P, LINK_TRANSIT, LINK_VIRTUAL};

const INF: u32 = u32::MAX;
const NONE: u32 = u32::MAX;
const FLAG_B: u8 = 0x01;
const FLAG_E: u8 = 0x02;
/// Router-LSA V bit: an endpoint of a Full virtual link across the area (§12.4.1).
const FLAG_V: u8 = 0x04;
const BACKBONE: u32 = 0;

/// Settings of the route calculation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SpfConfig {
    /// Most equal-cost next hops kept per destination (default 64).
    pub max_paths: usize,
    /// RFC 1583 compatibility (RFC 2328 §16.4.1): when off (the default, as in FRR), intra-area
    /// paths to an ASBR through non-backbone areas are preferred.
    pub rfc1583_compatible: bool,
    /// Delays of the SPF back-off.
    pub timers: SpfTimers,
}

impl Default for SpfConfig {
    fn default() -> Self {
        SpfConfig {
            max_paths: 64,
            rfc1583_compatible: false,
            timers: SpfTimers::default(),
        }
    }
}

impl SpfConfig {
    /// The same settings with `max_paths` replaced (at least 1).
    pub const fn with_max_paths(mut self, max_paths: usize) -> Self {
        self.max_paths = if max_paths == 0 { 1 } else { max_paths };
        self
    }
    /// The same settings with RFC 1583 compatibility on or off.
    pub const fn with_rfc1583_compatible(mut self, on: bool) -> Self {
        self.rfc1583_compatible = on;
        self
    }
    /// The same settings with other SPF delays.
    pub const fn with_timers(mut self, timers: SpfTimers) -> Self {
        self.timers = timers;
        self
    }
}

/// What the last [`Spf::calculate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct CalcStats {
    /// Areas where Dijkstra ran.
    pub dijkstra_runs: u32,
    /// The whole table was rebuilt (else only the listed external prefixes).
    pub full_table: bool,
    /// Prefixes recomputed one by one (external-only changes).
    pub prefixes_recomputed: u32,
}

#[derive(Debug, Clone, Copy)]
struct Sum {
    /// Prefix slot (type 3) or router ID (type 4).
    target: u32,
    metric: u32,
}

#[derive(Debug, Clone, Default)]
struct AreaState {
    id: u32,
    kind: AreaKind,
    graph: Graph,
    /// (type, lsid, adv) -> summary.
    summaries: BTreeMap<(u8, u32, u32), Sum>,
    topo_dirty: bool,
    root: u32,
    /// Per vertex: distance, next-hop set, DONE / ATTACHED flags (one cache line access).
    st: Vec<VState>,
    /// Vertices in the order Dijkstra settled them.
    order: Vec<u32>,
    sets: NhArena,
}

const DONE: u32 = 1;
/// A network directly attached to the root.
const ATTACHED: u32 = 2;

#[derive(Debug, Clone, Copy)]
struct VState {
    dist: u32,
    nh: Set,
    fl: u32,
}

const UNREACHED: VState = VState {
    dist: INF,
    nh: NO_SET,
    fl: 0,
};

impl AreaState {
    fn new(id: u32, kind: AreaKind) -> Self {
        AreaState {
            id,
            kind,
            topo_dirty: true,
            root: NONE,
            ..AreaState::default()
        }
    }
    /// We have a Router-LSA with links in the area.
    fn is_attached(&self) -> bool {
        self.root != NONE
            && self
                .graph
                .verts
                .get(self.root as usize)
                .is_some_and(|v| v.present && (!v.edges.is_empty() || !v.stubs.is_empty()))
    }
    fn reached(&self, v: u32) -> Option<(u32, &[NextHop])> {
        let s = *self.st.get(v as usize)?;
        if s.dist == INF || s.fl & DONE == 0 {
            return None;
        }
        Some((s.dist, self.sets.get(s.nh)))
    }
    /// §16.2 (1)–(4): the Summary-LSAs of the area that count (not LSInfinity, not ours,
    /// from an area border router this area's calculation reached), each with its type,
    /// the cost through that router and the router's next hops.
    fn usable_summaries(&self, rid: u32) -> impl Iterator<Item = (u8, Sum, u32, &[NextHop])> {
        self.summaries
            .iter()
            .filter_map(move |(&(t, _lsid, adv), s)| {
                if s.metric >= LS_INFINITY || adv == rid {
                    return None;
                }
                let bv = self.graph.router(adv)?;
                if self.graph.verts[bv as usize].flags & FLAG_B == 0 {
                    return None;
                }
                let (d, hops) = self.reached(bv)?;
                Some((t, *s, d.saturating_add(s.metric), hops))
            })
    }
}

#[derive(Debug, Clone, Copy)]
struct ExtRec {
    live: bool,
    t7: bool,
    pbit: bool,
    area: u32,
    adv: u32,
    prefix: u32,
    e2: bool,
    metric: u32,
    fa: u32,
    tag: u32,
    next: u32,
}

#[derive(Debug, Clone, Default)]
struct ExtStore {
    recs: Vec<ExtRec>,
    /// (area or 0 for type 5, type, lsid, adv) -> record.
    map: BTreeMap<(u32, u8, u32, u32), u32>,
    free: Vec<u32>,
    /// Per prefix slot: first record (chained through `next`).
    heads: Vec<u32>,
}

impl ExtStore {
    fn unlink(&mut self, r: u32) {
        let p = self.recs[r as usize].prefix as usize;
        let next = self.recs[r as usize].next;
        if self.heads.get(p) == Some(&r) {
            self.heads[p] = next;
            return;
        }
        let mut cur = self.heads.get(p).copied().unwrap_or(NONE);
        while cur != NONE {
            let n = self.recs[cur as usize].next;
            if n == r {
                self.recs[cur as usize].next = next;
                return;
            }
            cur = n;
        }
    }
    fn link(&mut self, r: u32) {
        let p = self.recs[r as usize].prefix as usize;
        if self.heads.len() <= p {
            self.heads.resize(p + 1, NONE);
        }
        self.recs[r as usize].next = self.heads[p];
        self.heads[p] = r;
    }
}

#[derive(Debug, Clone)]
struct RtrEntry {
    id: u32,
    area: u32,
    stubby: bool,
    cost: u32,
    abr: bool,
    asbr: bool,
    inter: bool,
    hops: Hops,
}

impl RtrEntry {
    fn to_route(&self) -> RouterRoute {
        RouterRoute {
            router_id: ip(self.id),
            area: ip(self.area),
            cost: self.cost,
            abr: self.abr,
            asbr: self.asbr,
            inter_area: self.inter,
            nexthops: self.hops.as_slice().to_vec(),
        }
    }
}

/// The route calculation of one OSPF instance. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Spf {
    rid: u32,
    cfg: SpfConfig,
    ifaces: Vec<SpfInterface>,
    areas: Vec<AreaState>,
    prefixes: PrefixIndex,
    ext: ExtStore,
    table: Table,
    next: Table,
    /// ABR/ASBR routes (intra- and inter-area), sorted by router ID.
    routers: Vec<RtrEntry>,
    full: bool,
    /// Prefix slots touched by stub-only Router-LSA changes.
    stub_dirty: Vec<u32>,
    ext_dirty: Vec<u32>,
    ext_mark: Vec<bool>,
    heap: radix::Queue,
    scratch: Vec<NextHop>,
    scratch2: Vec<NextHop>,
    stats: CalcStats,
    /// Address ranges of the areas (area ID, range), for what an ABR announces.
    ranges: Vec<(u32, crate::config::AreaRange)>,
}

impl Spf {
    /// A calculation for router `router_id`, with no areas, interfaces or LSAs yet.
    pub fn new(router_id: Ipv4Addr, config: SpfConfig) -> Self {
        Spf {
            rid: u32::from(router_id),
            cfg: config.with_max_paths(config.max_paths),
            ifaces: Vec::new(),
            areas: Vec::new(),
            prefixes: PrefixIndex::default(),
            ext: ExtStore::default(),
            table: Table::default(),
            next: Table::default(),
            routers: Vec::new(),
            full: true,
            stub_dirty: Vec::new(),
            ext_dirty: Vec::new(),
            ext_mark: Vec::new(),
            heap: radix::Queue::default(),
            scratch: Vec::new(),
            ranges: Vec::new(),
            scratch2: Vec::new(),
            stats: CalcStats::default(),
        }
    }

    /// Our router ID.
    pub fn router_id(&self) -> Ipv4Addr {
        ip(self.rid)
    }

    /// The settings.
    pub fn config(&self) -> &SpfConfig {
        &self.cfg
    }

    /// Replaces the settings (the next calculation rebuilds the table).
    pub fn set_config(&mut self, config: SpfConfig) {
        self.cfg = config.with_max_paths(config.max_paths);
        self.invalidate();
    }

    /// Our interfaces: links of our own Router-LSAs are mapped to them by address (or by
    /// ifindex for unnumbered links).
    pub fn set_interfaces(&mut self, interfaces: &[SpfInterface]) {
        if self.ifaces != interfaces {
            self.ifaces = interfaces.to_vec();
            self.invalidate();
        }
    }

    /// The interfaces in use.
    pub fn interfaces(&self) -> &[SpfInterface] {
        &self.ifaces
    }

    /// The areas we take part in and their kinds. Areas not listed are dropped with their
    /// LSAs; LSAs for an area not yet listed create it as [`AreaKind::Normal`].
    pub fn set_areas(&mut self, areas: &[(Ipv4Addr, AreaKind)]) {
        let keep = |a: &AreaState| areas.iter().any(|(id, _)| u32::from(*id) == a.id);
        let dropped: Vec<u32> = self
            .areas
            .iter()
            .filter(|a| !keep(a))
            .map(|a| a.id)
            .collect();
        for id in dropped {
            self.drop_area(id);
        }
        for &(id, kind) in areas {
            let i = self.area_index(u32::from(id));
            if self.areas[i].kind != kind {
                self.areas[i].kind = kind;
            }
        }
        self.invalidate();
    }

    /// Sets the address ranges of the areas (RFC 2328 §12.4.3): they change what an ABR
    /// announces ([`summaries`](Self::summaries), [`translations`](Self::translations))
    /// and its discard routes ([`discards`](Self::discards)), not the routing table.
    pub fn set_ranges(&mut self, ranges: &[(Ipv4Addr, crate::config::AreaRange)]) {
        self.ranges = ranges.iter().map(|(a, r)| (u32::from(*a), *r)).collect();
    }

    /// Attached areas and their kinds.
    pub fn areas(&self) -> impl Iterator<Item = (Ipv4Addr, AreaKind)> + '_ {
        self.areas.iter().map(|a| (ip(a.id), a.kind))
    }

    fn drop_area(&mut self, id: u32) {
        let Ok(i) = self.areas.binary_search_by_key(&id, |a| a.id) else {
            return;
        };
        let a = self.areas.remove(i);
        for v in &a.graph.verts {
            for s in &v.stubs {
                self.prefixes.release(s.prefix);
            }
            if v.is_net && v.present && v.net_prefix != NONE {
                self.prefixes.release(v.net_prefix);
            }
        }
        for ((t, _, _), s) in &a.summaries {
            if *t == LSA_SUMMARY_NET {
                self.prefixes.release(s.target);
            }
        }
        let t7: Vec<(u32, u8, u32, u32)> = self
            .ext
            .map
            .keys()
            .filter(|k| k.0 == id && k.1 == LSA_NSSA)
            .copied()
            .collect();
        for (ar, _, lsid, adv) in t7 {
            self.ext_remove(ar, LSA_NSSA, lsid, adv);
        }
    }

    fn area_index(&mut self, id: u32) -> usize {
        match self.areas.binary_search_by_key(&id, |a| a.id) {
            Ok(i) => i,
            Err(i) => {
                self.areas.insert(i, AreaState::new(id, AreaKind::Normal));
                self.full = true;
                i
            }
        }
    }

    /// Forces the next calculation to rerun Dijkstra everywhere and rebuild the table.
    pub fn invalidate(&mut self) {
        self.full = true;
        for a in &mut self.areas {
            a.topo_dirty = true;
        }
    }

    /// Whether changes wait for a calculation.
    pub fn is_dirty(&self) -> bool {
        self.full || !self.ext_dirty.is_empty() || !self.stub_dirty.is_empty()
    }

    /// Takes in a new instance of an LSA of `area` (area ignored for AS-scope LSAs). A MaxAge
    /// instance removes the LSA. Returns whether the change needs a calculation.
    pub fn lsa_update(&mut self, area: Ipv4Addr, raw: &[u8]) -> Result<bool, LsaError> {
        let (h, body) = head(raw)?;
        if h.age >= MAX_AGE {
            return Ok(self.lsa_remove(area, h.lsa_type, ip(h.lsid), ip(h.adv)));
        }
        let area = u32::from(area);
        match h.lsa_type {
            LSA_ROUTER => {
                let i = self.area_index(area);
                let a = &mut self.areas[i];
                let mut touched = core::mem::take(&mut self.stub_dirty);
                let ch = a
                    .graph
                    .router_update(h.adv, body, &mut self.prefixes, &mut touched);
                self.stub_dirty = touched;
                let ch = ch?;
                if h.adv == self.rid {
                    a.root = a.graph.router(self.rid).unwrap_or(NONE);
                }
                Ok(self.note(i, ch))
            }
            LSA_NETWORK => {
                let i = self.area_index(area);
                let ch =
                    self.areas[i]
                        .graph
                        .network_update(h.lsid, h.adv, body, &mut self.prefixes)?;
                Ok(self.note(i, ch))
            }
            LSA_SUMMARY_NET | LSA_SUMMARY_ASBR => {
                let (mask, metric) = summary_body(body)?;
                let i = self.area_index(area);
                let target = if h.lsa_type == LSA_SUMMARY_NET {
                    self.prefixes
                        .acquire(Prefix::new(ip(h.lsid), mask_len(mask)))
                } else {
                    h.lsid
                };
                let key = (h.lsa_type, h.lsid, h.adv);
                let old = self.areas[i].summaries.insert(key, Sum { target, metric });
                if let Some(o) = old {
                    if h.lsa_type == LSA_SUMMARY_NET {
                        self.prefixes.release(o.target);
                    }
                    if o.target == target && o.metric == metric {
                        return Ok(false);
                    }
                }
                self.full = true;
                Ok(true)
            }
            LSA_EXTERNAL | LSA_NSSA => {
                let e = external_body(body)?;
                let scope = if h.lsa_type == LSA_NSSA {
                    self.area_index(area);
                    area
                } else {
                    0
                };
                Ok(self.ext_update(scope, &h, e))
            }
            _ => Err(LsaError::Ignored),
        }
    }

    fn note(&mut self, area: usize, ch: Change) -> bool {
        match ch {
            Change::None => false,
            // Only the touched prefixes are recomputed (or the whole table when that is
            // not enough; see `stub_run`).
            Change::Stubs => true,
            Change::Topology => {
                self.full = true;
                self.areas[area].topo_dirty = true;
                true
            }
        }
    }

    fn mark_ext(&mut self, p: u32) {
        let p = p as usize;
        if self.ext_mark.len() <= p {
            self.ext_mark.resize(p + 1, false);
        }
        if !self.ext_mark[p] {
            self.ext_mark[p] = true;
            self.ext_dirty.push(p as u32);
        }
    }

    fn ext_update(&mut self, scope: u32, h: &Head, e: Ext) -> bool {
        let key = (scope, h.lsa_type, h.lsid, h.adv);
        let prefix = self
            .prefixes
            .acquire(Prefix::new(ip(h.lsid), mask_len(e.mask)));
        let rec = ExtRec {
            live: true,
            t7: h.lsa_type == LSA_NSSA,
            pbit: h.options & 0x08 != 0,
            area: scope,
            adv: h.adv,
            prefix,
            e2: e.e2,
            metric: e.metric,
            fa: e.fa,
            tag: e.tag,
            next: NONE,
        };
        if let Some(&r) = self.ext.map.get(&key) {
            let old = self.ext.recs[r as usize];
            self.prefixes.release(old.prefix);
            let same = (old.prefix, old.e2, old.metric, old.fa, old.tag, old.pbit)
                == (prefix, e.e2, e.metric, e.fa, e.tag, rec.pbit);
            if same {
                return false;
            }
            self.ext.unlink(r);
            self.ext.recs[r as usize] = rec;
            self.ext.link(r);
            self.mark_ext(old.prefix);
        } else {
            let r = match self.ext.free.pop() {
                Some(r) => {
                    self.ext.recs[r as usize] = rec;
                    r
                }
                None => {
                    self.ext.recs.push(rec);
                    (self.ext.recs.len() - 1) as u32
                }
            };
            self.ext.map.insert(key, r);
            self.ext.link(r);
        }
        self.mark_ext(prefix);
        true
    }

    fn ext_remove(&mut self, scope: u32, t: u8, lsid: u32, adv: u32) -> bool {
        let Some(r) = self.ext.map.remove(&(scope, t, lsid, adv)) else {
            return false;
        };
        self.ext.unlink(r);
        let rec = &mut self.ext.recs[r as usize];
        rec.live = false;
        let p = rec.prefix;
        self.ext.free.push(r);
        self.mark_ext(p);
        self.prefixes.release(p);
        true
    }

    /// Removes an LSA (flushed or aged out). AS-scope LSAs ignore `area`. Returns whether
    /// the change needs a calculation.
    pub fn lsa_remove(
        &mut self,
        area: Ipv4Addr,
        lsa_type: u8,
        lsid: Ipv4Addr,
        adv: Ipv4Addr,
    ) -> bool {
        let (area, lsid, adv) = (u32::from(area), u32::from(lsid), u32::from(adv));
        match lsa_type {
            LSA_ROUTER | LSA_NETWORK => {
                let Ok(i) = self.areas.binary_search_by_key(&area, |a| a.id) else {
                    return false;
                };
                let a = &mut self.areas[i];
                let ch = if lsa_type == LSA_ROUTER {
                    a.graph.router_remove(adv, &mut self.prefixes)
                } else {
                    a.graph.network_remove(lsid, adv, &mut self.prefixes)
                };
                self.note(i, ch)
            }
            LSA_SUMMARY_NET | LSA_SUMMARY_ASBR => {
                let Ok(i) = self.areas.binary_search_by_key(&area, |a| a.id) else {
                    return false;
                };
                match self.areas[i].summaries.remove(&(lsa_type, lsid, adv)) {
                    Some(o) => {
                        if lsa_type == LSA_SUMMARY_NET {
                            self.prefixes.release(o.target);
                        }
                        self.full = true;
                        true
                    }
                    None => false,
                }
            }
            LSA_EXTERNAL => self.ext_remove(0, LSA_EXTERNAL, lsid, adv),
            LSA_NSSA => self.ext_remove(area, LSA_NSSA, lsid, adv),
            _ => false,
        }
    }

    /// What the last calculation did.
    pub fn last_stats(&self) -> CalcStats {
        self.stats
    }

    /// Runs the calculation and returns the changes of the routing table since the last
    /// one (empty when nothing changed).
    pub fn calculate(&mut self) -> Vec<RouteChange> {
        let mut out = Vec::new();
        self.calculate_into(&mut out);
        out
    }

    /// As [`calculate`](Self::calculate), appending to `out`.
    pub fn calculate_into(&mut self, out: &mut Vec<RouteChange>) {
        self.stats = CalcStats::default();
        if !self.full && !self.stub_dirty.is_empty() {
            self.stub_run(out);
        }
        if self.full {
            self.full_run(out);
        } else if !self.ext_dirty.is_empty() {
            self.external_run(out);
        }
        self.stub_dirty.clear();
        for &p in &self.ext_dirty {
            if let Some(m) = self.ext_mark.get_mut(p as usize) {
                *m = false;
            }
        }
        self.ext_dirty.clear();
        self.prefixes.recycle();
    }

    fn full_run(&mut self, out: &mut Vec<RouteChange>) {
        self.stats.full_table = true;
        // With virtual links the backbone's next hops come from the transit areas'
        // paths (§16.1.1): those areas first, and the backbone again after any of them.
        let virtual_links = self
            .ifaces
            .iter()
            .any(|f| matches!(f.kind, InterfaceKind::Virtual { .. }));
        let transit_ran =
            virtual_links && self.areas.iter().any(|a| a.id != BACKBONE && a.topo_dirty);
        // Areas are sorted by ID: the backbone, if any, is the first; it goes last.
        let bb = usize::from(self.areas.first().is_some_and(|a| a.id == BACKBONE));
        for i in (bb..self.areas.len()).chain(0..bb) {
            if self.areas[i].topo_dirty || (transit_ran && self.areas[i].id == BACKBONE) {
                self.dijkstra(i);
                self.areas[i].topo_dirty = false;
                self.stats.dijkstra_runs += 1;
            }
        }
        let slots = self.prefixes.slots();
        let mut next = core::mem::take(&mut self.next);
        if self.areas.is_empty() {
            next.reset(slots);
        } else {
            // The first area's walk writes every slot in order.
            next.ent.clear();
            next.ent.reserve_exact(slots);
            next.arena.clear();
        }
        self.routers.clear();
        for i in 0..self.areas.len() {
            self.intra_routes(i, &mut next, (i == 0).then_some(slots));
        }
        self.routers.sort_by_key(|r| r.id);
        self.inter_routes(&mut next);
        self.transit_routes(&mut next);
        self.routers.sort_by_key(|r| (r.id, r.inter, r.area));
        let mut hops = core::mem::take(&mut self.scratch2);
        for p in 0..self.ext.heads.len().min(slots) {
            if self.ext.heads[p] != NONE && next.ent[p].is_none() {
                let e = self.best_external(p as u32, &next, &mut hops);
                next.set(p as u32, e.map(|e| (e, hops.as_slice())));
            }
        }
        self.scratch2 = hops;
        // diff
        let n = self.table.ent.len().max(next.ent.len());
        self.table.grow(n);
        next.grow(n);
        for (p, (a, b)) in self.table.ent.iter().zip(&next.ent).enumerate() {
            if !self.table.same_entry(a, &next, b) {
                push_change(&self.prefixes, p as u32, &self.table, &next, out);
            }
        }
        core::mem::swap(&mut self.table, &mut next);
        self.next = next;
        self.full = false;
    }

    /// Stub-only Router-LSA changes (an anycast server draining): recomputes the intra-area
    /// routes of the touched prefixes only. Falls back to a whole-table rebuild (still
    /// without Dijkstra) when a touched prefix loses its intra-area route (inter-area or
    /// external routes may then apply) or when forwarding addresses could depend on it.
    fn stub_run(&mut self, out: &mut Vec<RouteChange>) {
        let mut dirty = core::mem::take(&mut self.stub_dirty);
        dirty.sort_unstable();
        dirty.dedup();
        let fa_externals = self.ext.recs.iter().any(|r| r.live && r.fa != 0);
        if fa_externals || dirty.len() > 64 {
            self.full = true;
            return;
        }
        let max = self.cfg.max_paths;
        let mut scratch = core::mem::take(&mut self.scratch);
        let mut tmp = Table::default();
        let mut old = Table::default();
        let mut changes = Vec::new();
        let mut fallback = false;
        for &p in &dirty {
            tmp.reset(1);
            for a in &mut self.areas {
                a.graph.csr();
            }
            for a in &self.areas {
                let csr = a.graph.csr_ref();
                let lo = csr.by_prefix.partition_point(|e| e.0 < p);
                for &(_, v, m) in csr.by_prefix[lo..].iter().take_while(|e| e.0 == p) {
                    let Some(sv) = a.st.get(v as usize) else {
                        continue;
                    };
                    if sv.fl & DONE == 0 {
                        continue;
                    }
                    if v == a.root {
                        if let Some(h) = self.own_stub_hop(a.id, p) {
                            tmp.offer(0, RouteType::IntraArea, m, a.id, &[h], max, &mut scratch);
                        }
                        continue;
                    }
                    let hops = a.sets.get(sv.nh);
                    let cost = sv.dist.saturating_add(m);
                    tmp.offer(0, RouteType::IntraArea, cost, a.id, hops, max, &mut scratch);
                }
            }
            let Some(new) = tmp.get(0).copied() else {
                // No intra-area route left: inter-area or external routes may apply.
                fallback = true;
                break;
            };
            old.reset(1);
            if let Some(e) = self.table.get(p).copied() {
                old.set(0, Some((e, self.table.hops(&e))));
            }
            changes.push((p, new, tmp.hops(&new).to_vec(), old.clone()));
        }
        self.scratch = scratch;
        if fallback {
            self.full = true;
            return;
        }
        for (p, new, hops, old) in changes {
            self.table.set(p, Some((new, &hops)));
            self.stats.prefixes_recomputed += 1;
            push_one(&self.prefixes, p, &old, 0, &self.table, out);
        }
        self.table.compact_if_needed();
    }

    fn external_run(&mut self, out: &mut Vec<RouteChange>) {
        let dirty = core::mem::take(&mut self.ext_dirty);
        let mut hops = core::mem::take(&mut self.scratch2);
        let mut old = Table::default();
        for &p in &dirty {
            if self.table.get(p).is_some_and(|e| !e.rtype.is_external()) {
                continue;
            }
            self.stats.prefixes_recomputed += 1;
            let new = self.best_external(p, &self.table, &mut hops);
            // Old entry into a one-entry table, for the diff.
            old.reset(1);
            if let Some(e) = self.table.get(p).copied() {
                old.set(0, Some((e, self.table.hops(&e))));
            }
            self.table.set(p, new.map(|e| (e, hops.as_slice())));
            push_one(&self.prefixes, p, &old, 0, &self.table, out);
        }
        self.table.compact_if_needed();
        self.scratch2 = hops;
        self.ext_dirty = dirty;
    }

    fn find_iface(&self, area: u32, data: u32) -> Option<&SpfInterface> {
        self.ifaces
            .iter()
            .find(|f| u32::from(f.area) == area && u32::from(f.addr) == data)
            .or_else(|| {
                self.ifaces
                    .iter()
                    .find(|f| u32::from(f.area) == area && f.ifindex == data)
            })
    }

    /// RFC 2328 §16.1 with the next hops of §16.1.1.
    fn dijkstra(&mut self, ai: usize) {
        let max = self.cfg.max_paths;
        let mut heap = core::mem::take(&mut self.heap);
        let mut scratch = core::mem::take(&mut self.scratch);
        let area_id = self.areas[ai].id;
        let root = self.areas[ai].graph.router(self.rid).unwrap_or(NONE);
        // Next hops of the root's two-way links, in CSR order; those of virtual links
        // (by CSR position) are the transit area's next hops to the endpoint (§16.1.1).
        let mut root_hops: Vec<Option<NextHop>> = Vec::new();
        let mut virtual_hops: Vec<(usize, Vec<NextHop>)> = Vec::new();
        {
            let g = &self.areas[ai].graph;
            if let Some(rv) = g.verts.get(root as usize).filter(|v| v.present) {
                for e in rv.edges.iter().filter(|e| e.bidir) {
                    if e.kind == LINK_VIRTUAL {
                        let endpoint = g.verts[e.to as usize].id;
                        if let Some(p) = self.virtual_path_to(endpoint) {
                            virtual_hops.push((root_hops.len(), p));
                        }
                        root_hops.push(None);
                        continue;
                    }
                    let f = self.find_iface(area_id, e.data).filter(|f| f.up);
                    root_hops.push(f.map(|f| {
                        if e.kind == LINK_TRANSIT {
                            NextHop::direct(f.ifindex)
                        } else if f.kind == InterfaceKind::PointToPoint
                            && f.prefix_len >= 32
                            && !f.peer.is_unspecified()
                        {
                            // Unnumbered: the neighbor's link data is its ifIndex, not
                            // an address; its Hellos' source address is the next hop.
                            NextHop::via(f.peer, f.ifindex)
                        } else {
                            // The neighbor's address on the link back to us, preferring
                            // the one on this interface's subnet (parallel links).
                            let mut gw = None;
                            let back = g.verts[e.to as usize]
                                .edges
                                .iter()
                                .filter(|b| b.to == root && b.kind == LINK_P2P);
                            for b in back {
                                if gw.is_none() || f.on_subnet(b.data) {
                                    gw = Some(b.data);
                                }
                                if f.on_subnet(b.data) {
                                    break;
                                }
                            }
                            NextHop::via(ip(gw.unwrap_or(0)), f.ifindex)
                        }
                    }));
                }
            }
        }
        let a = &mut self.areas[ai];
        a.graph.csr();
        let AreaState {
            graph,
            st,
            order,
            sets,
            root: aroot,
            ..
        } = a;
        *aroot = root;
        let csr = graph.csr_ref();
        let verts = &graph.verts;
        let n = verts.len();
        st.clear();
        st.resize(n, UNREACHED);
        order.clear();
        sets.clear();
        if root == NONE || !verts[root as usize].present {
            self.heap = heap;
            self.scratch = scratch;
            return;
        }
        // Keys are `2 * distance + (router)`; a shortest path has fewer than n edges.
        let max_dist = u64::from(csr.max_metric)
            .saturating_mul(n as u64)
            .min(u64::from(INF));
        heap.reset(2 * max_dist + 1, 2 * u64::from(csr.max_metric) + 1);
        st[root as usize].dist = 0;
        heap.push(0, root);
        while let Some(v) = heap.pop() {
            let vi = v as usize;
            let sv = st[vi];
            if sv.fl & DONE != 0 {
                continue;
            }
            st[vi].fl |= DONE;
            order.push(v);
            let (d, vnh) = (sv.dist, sv.nh);
            let attached = sv.fl & ATTACHED != 0;
            let (lo, hi) = csr.span[vi];
            let (lo, hi) = (lo as usize, hi as usize);
            for (k, &(w, m)) in csr.adj[lo..hi].iter().enumerate() {
                let wi = w as usize;
                let sw = st[wi];
                let nd = d.saturating_add(m);
                if sw.fl & DONE != 0 || nd > sw.dist {
                    continue;
                }
                let w_net = csr.kind[wi] & K_NET != 0;
                let set = if v == root {
                    match root_hops.get(k) {
                        Some(Some(h)) => sets.single(*h),
                        _ => match virtual_hops.iter().find(|(i, _)| *i == k) {
                            Some((_, hops)) => sets.push(hops),
                            None => continue,
                        },
                    }
                } else if attached && !w_net {
                    // §16.1.1: through a network attached to the root, the next hop is
                    // W's address on that network.
                    let gw = verts[wi]
                        .edges
                        .iter()
                        .find(|b| b.to == v && b.kind == LINK_TRANSIT)
                        .map_or(0, |b| b.data);
                    scratch.clear();
                    for h in sets.get(vnh) {
                        scratch.push(if h.is_direct() {
                            NextHop::via(ip(gw), h.ifindex)
                        } else {
                            *h
                        });
                    }
                    scratch.sort_unstable();
                    scratch.dedup();
                    scratch.truncate(max);
                    sets.push(&scratch)
                } else {
                    vnh
                };
                let att = if v == root && w_net { ATTACHED } else { 0 };
                if nd < sw.dist {
                    st[wi] = VState {
                        dist: nd,
                        nh: set,
                        fl: att,
                    };
                    // Networks before routers at equal distance (zero-cost network links).
                    heap.push((u64::from(nd) << 1) | u64::from(!w_net), w);
                } else {
                    st[wi].nh = sets.union(sw.nh, set, max);
                    st[wi].fl |= att;
                }
            }
        }
        graph.settle_layout(order);
        self.heap = heap;
        self.scratch = scratch;
    }

    /// The transit area's next hops to the endpoint of one of our up virtual links
    /// (router ID `endpoint`), if it is reachable there.
    fn virtual_path_to(&self, endpoint: u32) -> Option<Vec<NextHop>> {
        let transit = self.ifaces.iter().find_map(|f| match f.kind {
            InterfaceKind::Virtual {
                transit_area,
                endpoint: e,
            } if f.up && u32::from(e) == endpoint => Some(u32::from(transit_area)),
            _ => None,
        })?;
        let a = self.areas.iter().find(|a| a.id == transit)?;
        let (_, hops) = a.reached(a.graph.router(endpoint)?)?;
        (!hops.is_empty()).then(|| hops.to_vec())
    }

    /// What the last calculation found for a virtual link to router `endpoint` across
    /// `transit_area` (RFC 2328 §15, §16.1): `None` while the endpoint is unreachable
    /// there, else the path's cost, our interface the path leaves through and its
    /// address, and the endpoint's address: the interface address of its transit-area
    /// Router-LSA's link nearest to us.
    pub fn virtual_link_path(
        &self,
        transit_area: Ipv4Addr,
        endpoint: Ipv4Addr,
    ) -> Option<VirtualLinkPath> {
        let a = self
            .areas
            .iter()
            .find(|a| a.id == u32::from(transit_area))?;
        let v = a.graph.router(u32::from(endpoint))?;
        let (cost, hops) = a.reached(v)?;
        if cost >= LS_INFINITY || v == a.root {
            return None;
        }
        let first = hops.first()?;
        let out = self.ifaces.iter().find(|f| {
            f.ifindex == first.ifindex
                && f.area == transit_area
                && !matches!(f.kind, InterfaceKind::Virtual { .. })
        })?;
        let mut best: Option<(u32, u32)> = None;
        for e in a.graph.verts[v as usize]
            .edges
            .iter()
            .filter(|e| e.bidir && (e.kind == LINK_P2P || e.kind == LINK_TRANSIT))
        {
            let Some(d) = a.st.get(e.to as usize).filter(|s| s.fl & DONE != 0) else {
                continue;
            };
            if best.is_none_or(|(bd, _)| d.dist < bd) {
                best = Some((d.dist, e.data));
            }
        }
        let (_, peer) = best?;
        Some(VirtualLinkPath {
            cost,
            out_ifindex: out.ifindex,
            local_addr: out.addr,
            peer_addr: ip(peer),
        })
    }

    /// True when every next hop leaves through an interface of `area` (§12.4.3: a route
    /// whose next hops are in area A is not summarized into A; with virtual links, the
    /// backbone routes learned over them through their transit area).
    fn hops_in_area(&self, hops: &[NextHop], area: u32) -> bool {
        !hops.is_empty()
            && hops.iter().all(|h| {
                self.ifaces.iter().any(|f| {
                    f.ifindex == h.ifindex
                        && u32::from(f.area) == area
                        && !matches!(f.kind, InterfaceKind::Virtual { .. })
                })
            })
    }

    /// The next hop to one of our own stubs (prefix slot `p` in area `area`): directly
    /// attached through the up interface of that area holding it.
    fn own_stub_hop(&self, area: u32, p: u32) -> Option<NextHop> {
        let pfx = self.prefixes.prefix(p);
        self.ifaces
            .iter()
            .find(|f| {
                f.up && u32::from(f.area) == area
                    && pfx.contains(f.addr)
                    && !matches!(f.kind, InterfaceKind::Virtual { .. })
            })
            .map(|f| NextHop::direct(f.ifindex))
    }

    /// Intra-area routes of one area (§16.1 step 2 stubs, network vertices) and its router
    /// entries. With `fill = Some(slots)`, `next` starts empty and is filled to `slots`
    /// entries on the way (one sequential pass instead of clearing it first).
    fn intra_routes(&mut self, ai: usize, next: &mut Table, fill: Option<usize>) {
        let max = self.cfg.max_paths;
        let mut scratch = core::mem::take(&mut self.scratch);
        self.areas[ai].graph.csr();
        let a = &self.areas[ai];
        let csr = a.graph.csr_ref();
        // In prefix-slot order: the table is filled sequentially.
        for &(p, v, m) in &csr.by_prefix {
            if let Some(slots) = fill {
                let pi = p as usize;
                if pi < slots {
                    while next.ent.len() <= pi {
                        next.ent.push(None);
                    }
                }
            }
            let Some(sv) = a.st.get(v as usize) else {
                continue;
            };
            if sv.fl & DONE == 0 {
                continue;
            }
            if v == a.root {
                if let Some(h) = self.own_stub_hop(a.id, p) {
                    next.offer(p, RouteType::IntraArea, m, a.id, &[h], max, &mut scratch);
                }
                continue;
            }
            let cost = sv.dist.saturating_add(m);
            let hops = a.sets.get(sv.nh);
            next.offer(p, RouteType::IntraArea, cost, a.id, hops, max, &mut scratch);
        }
        if let Some(slots) = fill {
            next.ent.resize(slots, None);
        }
        self.scratch = scratch;
        // Router entries of area border and AS boundary routers.
        let stubby = a.kind.is_stubby();
        for (vi, &kind) in csr.kind.iter().enumerate() {
            let flags = kind >> K_FLAGS_SHIFT;
            if kind & K_NET != 0 || flags & (FLAG_B | FLAG_E) == 0 || vi as u32 == a.root {
                continue;
            }
            let sv = a.st[vi];
            if sv.fl & DONE == 0 {
                continue;
            }
            self.routers.push(RtrEntry {
                id: a.graph.verts[vi].id,
                area: a.id,
                stubby,
                cost: sv.dist,
                abr: flags & FLAG_B != 0,
                asbr: flags & FLAG_E != 0,
                inter: false,
                hops: Hops::from_slice(a.sets.get(sv.nh)),
            });
        }
    }

    fn attached_count(&self) -> usize {
        self.areas.iter().filter(|a| a.is_attached()).count()
    }

    /// Whether we are an area border router (attached to more than one area).
    pub fn is_abr(&self) -> bool {
        self.attached_count() > 1
    }

    /// §16.2: inter-area routes from Summary-LSAs.
    fn inter_routes(&mut self, next: &mut Table) {
        let max = self.cfg.max_paths;
        let mut scratch = core::mem::take(&mut self.scratch);
        let abr = self.is_abr();
        let mut inter_rtrs: Vec<RtrEntry> = Vec::new();
        for a in &self.areas {
            if (abr && a.id != BACKBONE) || !a.is_attached() {
                continue;
            }
            for (t, s, cost, hops) in a.usable_summaries(self.rid) {
                if t == LSA_SUMMARY_NET {
                    next.offer(
                        s.target,
                        RouteType::InterArea,
                        cost,
                        a.id,
                        hops,
                        max,
                        &mut scratch,
                    );
                } else {
                    let id = s.target;
                    if id == self.rid {
                        continue;
                    }
                    let lo = self.routers.partition_point(|r| r.id < id);
                    if self.routers.get(lo).is_some_and(|r| r.id == id) {
                        continue; // an intra-area path exists
                    }
                    if let Some(e) = inter_rtrs.iter_mut().find(|r| r.id == id) {
                        if cost < e.cost {
                            e.cost = cost;
                            e.hops = Hops::from_slice(hops);
                        } else if cost == e.cost {
                            e.hops.merge(hops, max);
                        }
                    } else {
                        inter_rtrs.push(RtrEntry {
                            id,
                            area: a.id,
                            stubby: a.kind.is_stubby(),
                            cost,
                            abr: false,
                            asbr: true,
                            inter: true,
                            hops: Hops::from_slice(hops),
                        });
                    }
                }
            }
        }
        self.routers.extend(inter_rtrs);
        self.scratch = scratch;
    }

    /// §16.3: in each transit area (one whose Router-LSAs carry the V bit), the
    /// summary-LSAs of its other area border routers may offer better (or equally good)
    /// paths to backbone destinations and AS boundary routers than the backbone's own
    /// (e.g. than a path over a virtual link): such a route keeps its type and area but
    /// takes the cheaper path's cost and next hops, or adds those of an equal one.
    fn transit_routes(&mut self, next: &mut Table) {
        if !self.is_abr() {
            return;
        }
        let max = self.cfg.max_paths;
        let mut scratch = core::mem::take(&mut self.scratch);
        for a in &self.areas {
            let transit = a.id != BACKBONE
                && a.is_attached()
                && a.graph
                    .verts
                    .iter()
                    .any(|v| v.present && !v.is_net && v.flags & FLAG_V != 0);
            if !transit {
                continue;
            }
            for (t, s, cost, hops) in a.usable_summaries(self.rid) {
                if t == LSA_SUMMARY_NET {
                    let Some(e) = next.get(s.target).copied() else {
                        continue;
                    };
                    let through_backbone = e.area == BACKBONE
                        && matches!(e.rtype, RouteType::IntraArea | RouteType::InterArea);
                    if through_backbone && cost <= e.cost {
                        next.offer(s.target, e.rtype, cost, BACKBONE, hops, max, &mut scratch);
                    }
                } else {
                    for r in self
                        .routers
                        .iter_mut()
                        .filter(|r| r.id == s.target && r.area == BACKBONE)
                    {
                        if cost < r.cost {
                            r.cost = cost;
                            r.hops = Hops::from_slice(hops);
                        } else if cost == r.cost {
                            r.hops.merge(hops, max);
                        }
                    }
                }
            }
        }
        self.scratch = scratch;
    }

    fn is_own_addr(&self, a: u32) -> bool {
        self.ifaces.iter().any(|f| u32::from(f.addr) == a)
    }

    /// §16.4 for one prefix, with the RFC 3101 rules for type-7 LSAs. The route's next
    /// hops are left in `out`. `table` holds the intra- and inter-area routes (forwarding
    /// addresses are resolved through them).
    fn best_external(&self, p: u32, table: &Table, out: &mut Vec<NextHop>) -> Option<Entry> {
        let max = self.cfg.max_paths;
        let mut best: Option<(Entry, bool)> = None;
        let mut cand_hops: Vec<NextHop> = Vec::new();
        out.clear();
        let mut r = self.ext.heads.get(p as usize).copied().unwrap_or(NONE);
        while r != NONE {
            let ri = r;
            let rec = self.ext.recs[r as usize];
            r = rec.next;
            if !rec.live || rec.metric >= LS_INFINITY || rec.adv == self.rid {
                continue;
            }
            // The ASBR.
            let asbr = if rec.t7 {
                let Ok(ai) = self.areas.binary_search_by_key(&rec.area, |a| a.id) else {
                    continue;
                };
                if !matches!(self.areas[ai].kind, AreaKind::Nssa { .. })
                    || !self.areas[ai].is_attached()
                {
                    continue;
                }
                // RFC 3101 §2.4: a border router installs a type-7 default only if its
                // P bit is set (another border router's default, P clear, would loop).
                if !rec.pbit && self.prefixes.prefix(p).is_default() && self.is_abr() {
                    continue;
                }
                self.asbr_route(rec.adv, Some(rec.area))
            } else {
                self.asbr_route(rec.adv, None)
            };
            let Some(asbr) = asbr else {
                continue;
            };
            cand_hops.clear();
            let x = if rec.fa != 0 {
                if self.is_own_addr(rec.fa) {
                    continue;
                }
                let m = self.prefixes.longest_match(rec.fa, |i| {
                    table.get(i).is_some_and(|e| !e.rtype.is_external())
                });
                let Some(fe) = m.and_then(|i| table.get(i)) else {
                    continue;
                };
                cand_hops.extend(table.hops(fe).iter().map(|h| {
                    if h.is_direct() {
                        NextHop::via(ip(rec.fa), h.ifindex)
                    } else {
                        *h
                    }
                }));
                cand_hops.sort_unstable();
                cand_hops.dedup();
                fe.cost
            } else {
                cand_hops.extend_from_slice(asbr.hops.as_slice());
                asbr.cost
            };
            if cand_hops.is_empty() {
                continue;
            }
            let cand = if rec.e2 {
                Entry::new(RouteType::External2, 0, x, rec.metric, rec.tag, ri)
            } else {
                Entry::new(
                    RouteType::External1,
                    0,
                    x.saturating_add(rec.metric),
                    0,
                    rec.tag,
                    ri,
                )
            };
            let rank = |e: &Entry, t7: bool| (e.rtype, e.cost2, e.cost, t7);
            match &best {
                None => {
                    best = Some((cand, rec.t7));
                    out.clear();
                    out.extend_from_slice(&cand_hops[..cand_hops.len().min(max)]);
                }
                Some((b, b7)) => {
                    let (rb, rc) = (rank(b, *b7), rank(&cand, rec.t7));
                    if rc < rb {
                        best = Some((cand, rec.t7));
                        out.clear();
                        out.extend_from_slice(&cand_hops[..cand_hops.len().min(max)]);
                    } else if rc == rb {
                        let mut merged = Vec::new();
                        nexthops::merge_into(out, &cand_hops, max, &mut merged);
                        *out = merged;
                    }
                }
            }
        }
        best.map(|(e, _)| e)
    }

    /// The preferred route to ASBR `id` (§16.4.1): for a type-7 LSA, the intra-area one in
    /// its NSSA; else among paths through non-stub areas.
    fn asbr_route(&self, id: u32, nssa: Option<u32>) -> Option<&RtrEntry> {
        let lo = self.routers.partition_point(|r| r.id < id);
        let cands = self.routers[lo..].iter().take_while(|r| r.id == id);
        let mut best: Option<(&RtrEntry, (u8, u32))> = None;
        for r in cands {
            // RFC 3101 §2.5 (3): a type-7 LSA leads to the NSSA ASBR or border router
            // that originated it (a border router's type-7 default: B bit, maybe no E).
            if !(r.asbr || nssa.is_some() && r.abr) {
                continue;
            }
            match nssa {
                Some(area) => {
                    if r.inter || r.area != area {
                        continue;
                    }
                }
                None => {
                    if r.stubby {
                        continue;
                    }
                }
            }
            let class = if self.cfg.rfc1583_compatible || (!r.inter && r.area != BACKBONE) {
                0
            } else {
                1
            };
            let k = (class, r.cost);
            if best.as_ref().is_none_or(|(_, bk)| k < *bk) {
                best = Some((r, k));
            }
        }
        best.map(|(r, _)| r)
    }

    /// The routing table: network destinations and their routes, sorted by prefix.
    pub fn routes(&self) -> impl Iterator<Item = (Prefix, Route)> + '_ {
        let mut v: Vec<(Prefix, u32)> = self
            .table
            .ent
            .iter()
            .enumerate()
            .filter(|(_, e)| e.is_some())
            .map(|(i, _)| (self.prefixes.prefix(i as u32), i as u32))
            .collect();
        v.sort_unstable();
        v.into_iter()
            .filter_map(move |(p, i)| self.table.get(i).map(|e| (p, self.table.route(e))))
    }

    /// The route to exactly `prefix`, if any.
    pub fn route(&self, prefix: Prefix) -> Option<Route> {
        let i = self.prefixes.get(prefix)?;
        self.table.get(i).map(|e| self.table.route(e))
    }

    /// Number of network routes.
    pub fn route_count(&self) -> usize {
        self.table.ent.iter().filter(|e| e.is_some()).count()
    }

    /// Routes to area border and AS boundary routers, sorted by router ID.
    pub fn router_routes(&self) -> Vec<RouterRoute> {
        self.routers.iter().map(RtrEntry::to_route).collect()
    }

    /// Every router reached inside an attached area (FRR's "reachable routers"), sorted by
    /// router ID then area.
    pub fn reachable_routers(&self) -> Vec<RouterRoute> {
        let mut v = Vec::new();
        for a in &self.areas {
            for &x in &a.order {
                let vx = &a.graph.verts[x as usize];
                if vx.is_net || x == a.root {
                    continue;
                }
                let VState { dist: cost, nh, .. } = a.st[x as usize];
                v.push(RouterRoute {
                    router_id: ip(vx.id),
                    area: ip(a.id),
                    cost,
                    abr: vx.flags & FLAG_B != 0,
                    asbr: vx.flags & FLAG_E != 0,
                    inter_area: false,
                    nexthops: a.sets.get(nh).to_vec(),
                });
            }
        }
        v.sort_by_key(|r| (r.router_id, r.area));
        v
    }

    /// The routers of `area` (other than us) whose Router-LSA announces exactly `prefix`
    /// as a stub link, reached in the last calculation: each with the cost of the path to
    /// the prefix through it (distance + stub metric) and the next hops to it. As of the
    /// last [`calculate`](Self::calculate) (LSAs given since then are not seen).
    pub fn announcers(&self, area: Ipv4Addr, prefix: Prefix) -> Vec<(Ipv4Addr, u32, &[NextHop])> {
        let mut out = Vec::new();
        let (Some(p), Some(a)) = (
            self.prefixes.get(prefix),
            self.areas.iter().find(|a| a.id == u32::from(area)),
        ) else {
            return out;
        };
        let csr = a.graph.csr_ref();
        let lo = csr.by_prefix.partition_point(|e| e.0 < p);
        for &(_, v, m) in csr.by_prefix[lo..].iter().take_while(|e| e.0 == p) {
            let Some(vx) = a.graph.verts.get(v as usize) else {
                continue;
            };
            if v == a.root || vx.is_net {
                continue;
            }
            if let Some((dist, hops)) = a.reached(v) {
                out.push((ip(vx.id), dist.saturating_add(m), hops));
            }
        }
        out
    }

    /// Approximate heap bytes held by the topology, the LSA records and the table.
    pub fn memory_bytes(&self) -> usize {
        let areas: usize = self
            .areas
            .iter()
            .map(|a| {
                a.graph.heap_bytes()
                    + a.summaries.len() * 48
                    + a.st.capacity() * core::mem::size_of::<VState>()
                    + a.order.capacity() * 4
            })
            .sum();
        areas
            + self.prefixes.heap_bytes()
            + self.ext.recs.capacity() * core::mem::size_of::<ExtRec>()
            + self.ext.map.len() * 40
            + self.ext.heads.capacity() * 4
            + self.table.heap_bytes()
            + self.next.heap_bytes()
    }
}

fn push_change(
    prefixes: &PrefixIndex,
    p: u32,
    old: &Table,
    new: &Table,
    out: &mut Vec<RouteChange>,
) {
    push_one(prefixes, p, old, p, new, out)
}

/// The change from slot `po` of `old` to slot `pn` of `new`, reported for prefix slot `p`.
fn push_one(
    prefixes: &PrefixIndex,
    p: u32,
    old: &Table,
    po: u32,
    new: &Table,
    out: &mut Vec<RouteChange>,
) {
    match (old.get(po), new.get(p)) {
        (None, None) => {}
        (None, Some(n)) => out.push(RouteChange::Add {
            prefix: prefixes.prefix(p),
            route: new.route(n),
        }),
        (Some(_), None) => out.push(RouteChange::Delete {
            prefix: prefixes.prefix(p),
        }),
        (Some(o), Some(n)) => {
            if !old.same(o, new, n) {
                out.push(RouteChange::Replace {
                    prefix: prefixes.prefix(p),
                    route: new.route(n),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router_lsa(id: u32, links: &[(u8, u32, u32, u16)]) -> Vec<u8> {
        let mut v = alloc::vec![0u8; 20];
        v[2] = 2;
        v[3] = LSA_ROUTER;
        v[4..8].copy_from_slice(&id.to_be_bytes());
        v[8..12].copy_from_slice(&id.to_be_bytes());
        v[12..16].copy_from_slice(&0x8000_0001u32.to_be_bytes());
        v.extend_from_slice(&[0, 0]);
        v.extend_from_slice(&(links.len() as u16).to_be_bytes());
        for &(t, lid, data, m) in links {
            v.extend_from_slice(&lid.to_be_bytes());
            v.extend_from_slice(&data.to_be_bytes());
            v.extend_from_slice(&[t, 0]);
            v.extend_from_slice(&m.to_be_bytes());
        }
        let len = v.len() as u16;
        v[18..20].copy_from_slice(&len.to_be_bytes());
        v
    }

    /// A random p2p topology (with parallel equal-cost paths) whose metrics are multiplied
    /// by `scale`.
    fn random_spf(seed: u64, n: usize, scale: u16) -> Spf {
        let mut x = seed;
        let mut below = |k: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % k
        };
        let mut links = Vec::new();
        for v in 1..n {
            links.push((below(v as u64) as usize, v, 1 + below(3) as u16));
        }
        for _ in 0..2 * n {
            let (u, v) = (below(n as u64) as usize, below(n as u64) as usize);
            if u != v {
                links.push((u, v, 1 + below(3) as u16));
            }
        }
        let rid = |i: usize| 0x0100_0000 + i as u32;
        let mut rs: Vec<Vec<(u8, u32, u32, u16)>> = alloc::vec![Vec::new(); n];
        let mut ifs = Vec::new();
        for (k, &(u, v, c)) in links.iter().enumerate() {
            let base = 0x0A00_0000 + 4 * k as u32;
            let c = c * scale;
            rs[u].push((LINK_P2P, rid(v), base + 1, c));
            rs[u].push((3, base, 0xFFFF_FFFC, c));
            rs[v].push((LINK_P2P, rid(u), base + 2, c));
            rs[v].push((3, base, 0xFFFF_FFFC, c));
            for (end, addr) in [(u, base + 1), (v, base + 2)] {
                if end == 0 {
                    ifs.push(SpfInterface {
                        ifindex: ifs.len() as u32 + 1,
                        area: Ipv4Addr::UNSPECIFIED,
                        addr: ip(addr),
                        prefix_len: 30,
                        cost: c,
                        kind: InterfaceKind::PointToPoint,
                        up: true,
                        peer: core::net::Ipv4Addr::UNSPECIFIED,
                    });
                }
            }
        }
        let mut spf = Spf::new(ip(rid(0)), SpfConfig::default());
        spf.set_interfaces(&ifs);
        for (i, r) in rs.iter().enumerate() {
            spf.lsa_update(Ipv4Addr::UNSPECIFIED, &router_lsa(rid(i), r))
                .unwrap();
        }
        spf.calculate();
        spf
    }

    /// Small metrics run Dijkstra on the bucket queue, large ones on the radix heap: both
    /// give the same paths (costs scaled) and the same equal-cost next hops, before and
    /// after the edges are laid out in settle order.
    #[test]
    fn rfc2328_16_1_bucket_queue_and_radix_heap_agree() {
        for seed in 1..40u64 {
            let n = 2 + (seed as usize * 7) % 60;
            let mut small = random_spf(seed, n, 1);
            let mut large = random_spf(seed, n, 3000);
            for _ in 0..2 {
                let a: Vec<_> = small.routes().collect();
                let b: Vec<_> = large.routes().collect();
                assert_eq!(a.len(), b.len());
                assert!(!a.is_empty());
                for ((pa, ra), (pb, rb)) in a.iter().zip(&b) {
                    assert_eq!(pa, pb);
                    assert_eq!(ra.cost * 3000, rb.cost, "{pa} seed {seed}");
                    assert_eq!(ra.nexthops, rb.nexthops, "{pa} seed {seed}");
                }
                small.invalidate();
                large.invalidate();
                assert!(small.calculate().is_empty());
                assert!(large.calculate().is_empty());
            }
        }
    }
}
