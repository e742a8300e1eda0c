//! The route calculation inside the engine: every LSDB change is fed to the [`Spf`], runs
//! are scheduled with the RFC 8405 back-off ([`SpfScheduler`]) as an engine timer, each run
//! reports [`Event::RouteChange`]s, and as an area border router the engine originates and
//! withdraws the Summary-LSAs and NSSA translations the calculation asks for.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use super::{Event, Instance, LsdbChange};
use crate::config::InterfaceType;
use crate::interface::InterfaceState;
use crate::lsdb::{LsaKey, Scope};
use crate::spf::{
    AreaKind, InterfaceKind, Prefix, Route, RouteChange, RouteType, RouterRoute, Spf, SpfConfig,
    SpfInterface, SummaryKind,
};
use crate::time::Instant;
use crate::timer::InstanceTimer;
use crate::wire::{ExtPrefix, LSA_HEADER_LEN, LsaType, OpaqueLsa, ext_prefix_tlvs};

/// What we originate as an ABR: (area, LS type, Link State ID) -> (mask, metric), and for
/// translated type-5 LSAs (AS scope, keyed by Link State ID) the whole translation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AbrOrigination {
    pub(crate) summaries: BTreeMap<(Ipv4Addr, u8, Ipv4Addr), (Ipv4Addr, u32)>,
    pub(crate) translations: BTreeMap<Ipv4Addr, crate::spf::Translation>,
}

pub(crate) fn spf_config(c: &crate::config::InstanceConfig) -> SpfConfig {
    c.spf.with_rfc1583_compatible(c.rfc1583_compat)
}

impl Instance {
    /// Feeds one LSDB change to the route calculation and schedules a run if needed.
    pub(crate) fn spf_lsdb_changed(
        &mut self,
        now: Instant,
        scope: Scope,
        key: LsaKey,
        change: LsdbChange,
    ) {
        if !matches!(
            change,
            LsdbChange::Installed {
                content_changed: false
            }
        ) {
            self.gr_prepare_topology_note(key.ls_type());
        }
        let area = match scope {
            Scope::Area(a) => a,
            Scope::As => Ipv4Addr::UNSPECIFIED,
            Scope::Link(_) => return,
        };
        if let Scope::Area(a) = scope {
            if ExtPrefix::is_ext_prefix(key.lsa_type, key.lsid) {
                if self.prefix_weights_changed(now, a, key, change) {
                    self.schedule_spf(now);
                }
                return;
            }
        }
        let needed = match change {
            LsdbChange::Installed {
                content_changed: false,
            } => false,
            LsdbChange::Installed { .. } => match match scope {
                Scope::Area(a) => self.areas.get(&a).map(|x| &x.lsdb),
                _ => Some(&self.as_lsdb),
            }
            .and_then(|d| d.get(&key))
            {
                Some(e) if e.is_max_age(now) => {
                    self.spf
                        .lsa_remove(area, key.lsa_type, key.lsid, key.adv_router)
                }
                // Types the calculation does not use are refused: nothing to do.
                Some(e) => self.spf.lsa_update(area, e.raw()).unwrap_or(false),
                None => false,
            },
            // A MaxAge LSA no longer counts for routing (RFC 2328 §14, §16).
            LsdbChange::Flushed | LsdbChange::Removed => {
                self.spf
                    .lsa_remove(area, key.lsa_type, key.lsid, key.adv_router)
            }
        };
        if needed {
            self.schedule_spf(now);
        }
    }

    pub(crate) fn schedule_spf(&mut self, now: Instant) {
        if self.gr_restarting.is_some() {
            // RFC 3623 §2.2: no calculation is installed while restarting; the first
            // runs when restarting mode ends.
            return;
        }
        let due = self.spf_sched.on_change(now);
        self.timers.set(InstanceTimer::Spf, due);
    }

    /// Our interfaces and areas as the calculation sees them.
    fn sync_spf_topology(&mut self) {
        let ifaces: Vec<SpfInterface> = self
            .interfaces
            .iter()
            .map(|i| SpfInterface {
                ifindex: i.ifindex,
                area: i.config.area,
                addr: i.config.address,
                prefix_len: i.config.prefix_len,
                cost: i.config.cost,
                kind: match i.config.if_type {
                    InterfaceType::PointToPoint
                    | InterfaceType::PointToMultipoint
                    | InterfaceType::PointToMultipointNonBroadcast => InterfaceKind::PointToPoint,
                    InterfaceType::Loopback => InterfaceKind::Loopback,
                    InterfaceType::VirtualLink => match &i.vlink {
                        Some(v) => InterfaceKind::Virtual {
                            transit_area: v.config.transit_area,
                            endpoint: v.config.peer,
                        },
                        None => InterfaceKind::PointToPoint,
                    },
                    _ => InterfaceKind::Broadcast,
                },
                up: i.state != InterfaceState::Down,
                peer: match i.neighbors.first() {
                    Some(n) if i.is_p2p() && i.config.prefix_len >= 32 => n.address,
                    _ => Ipv4Addr::UNSPECIFIED,
                },
            })
            .collect();
        self.spf.set_interfaces(&ifaces);
        let areas: Vec<(Ipv4Addr, AreaKind)> = self
            .areas
            .values()
            .map(|a| (a.config.id, a.config.kind))
            .collect();
        if !self.spf.areas().eq(areas.iter().copied()) {
            self.spf.set_areas(&areas);
        }
        let ranges: Vec<(Ipv4Addr, crate::config::AreaRange)> = self
            .areas
            .values()
            .flat_map(|a| a.config.ranges.iter().map(|r| (a.config.id, *r)))
            .collect();
        self.spf.set_ranges(&ranges);
    }

    /// A fresh calculation fed with the whole LSDB (after a router ID change).
    fn rebuild_spf(&mut self, now: Instant) {
        let mut spf = Spf::new(self.router_id, spf_config(&self.config));
        for (id, a) in &self.areas {
            for (_, e) in a.lsdb.iter() {
                if !e.is_max_age(now) {
                    let _ = spf.lsa_update(*id, e.raw());
                }
            }
        }
        for (_, e) in self.as_lsdb.iter() {
            if !e.is_max_age(now) {
                let _ = spf.lsa_update(Ipv4Addr::UNSPECIFIED, e.raw());
            }
        }
        self.spf = spf;
    }

    /// Runs the calculation when it is due.
    pub(crate) fn run_spf_if_due(&mut self, now: Instant) {
        if self.timers.is_due(InstanceTimer::Spf, now) {
            self.run_spf(now);
        }
    }

    pub(crate) fn run_spf(&mut self, now: Instant) {
        self.timers.stop(InstanceTimer::Spf);
        self.spf_sched.on_run(now);
        self.spf_runs += 1;
        let changes = if self.spf.router_id() != self.router_id {
            // A new router ID: a new calculation, diffed with the old table by prefix.
            let old: BTreeMap<Prefix, Route> = self.spf.routes().collect();
            self.rebuild_spf(now);
            self.sync_spf_topology();
            self.spf.calculate();
            let new: BTreeMap<Prefix, Route> = self.spf.routes().collect();
            diff_tables(&old, &new)
        } else {
            self.sync_spf_topology();
            self.spf.calculate()
        };
        // The transit areas' paths decide the virtual links' state (§15, §16.1).
        self.update_virtual_links(now);
        let table_has = |spf: &Spf, p: Prefix| spf.route(p).is_some();
        let mut changes = changes;
        if !self.prefix_weights.is_empty() || !self.weighted_routes.is_empty() {
            self.apply_weights(&mut changes);
        }
        for c in changes {
            self.event(Event::RouteChange(c));
        }
        // Discard routes for active ranges: a route of the table for the same prefix
        // wins (its own change was reported above, so no delete of ours follows it).
        let discards = self.spf.discards();
        if discards != self.discards {
            let old = core::mem::replace(&mut self.discards, discards);
            for p in &old {
                if !self.discards.contains(p) && !table_has(&self.spf, *p) {
                    self.event(Event::RouteChange(RouteChange::Delete { prefix: *p }));
                }
            }
            for p in self.discards.clone() {
                if !old.contains(&p) {
                    self.event(Event::RouteChange(RouteChange::Add {
                        prefix: p,
                        route: discard_route(),
                    }));
                }
            }
        }
        self.update_abr_origination();
    }

    /// Updates the anycast weights announced by another router after a change of one of
    /// its Extended Prefix Opaque LSAs; true if they changed. Our own LSAs and TLVs that
    /// do not parse (or carry no weight) count as no weight.
    fn prefix_weights_changed(
        &mut self,
        now: Instant,
        area: Ipv4Addr,
        key: LsaKey,
        change: LsdbChange,
    ) -> bool {
        let id = (area, key.adv_router, key.lsid);
        let mut new = Vec::new();
        if key.adv_router != self.router_id {
            if let LsdbChange::Installed { .. } = change {
                let entry = self.areas.get(&area).and_then(|x| x.lsdb.get(&key));
                if let Some(e) = entry.filter(|e| !e.is_max_age(now)) {
                    let body = e.raw().get(LSA_HEADER_LEN..).unwrap_or(&[]);
                    let lsa = OpaqueLsa::parse(key.lsid, body);
                    if let Ok(tlvs) = ext_prefix_tlvs(&lsa) {
                        for t in tlvs {
                            let Ok(t) = t else { break };
                            let (Ok(Some(w)), Some(p)) =
                                (t.weight(), Prefix::try_new(t.prefix, t.prefix_len))
                            else {
                                continue;
                            };
                            if !new.iter().any(|(q, _)| *q == p) {
                                new.push((p, w));
                            }
                        }
                    }
                }
            }
        }
        let old = if new.is_empty() {
            self.prefix_weights.remove(&id)
        } else {
            self.prefix_weights.insert(id, new.clone())
        };
        old.unwrap_or_default() != new
    }

    /// The next-hop weights of `route` to `prefix`, or empty when they would all be equal:
    /// each next hop weighs the sum of the weights of the routers announcing the prefix at
    /// the route's cost through it (a router without a weight counts 1).
    fn route_weights(&self, prefix: Prefix, route: &Route) -> Vec<u16> {
        let Some(area) = route
            .area
            .filter(|_| route.route_type == RouteType::IntraArea)
        else {
            return Vec::new();
        };
        let weight_of = |rid: Ipv4Addr| -> Option<u8> {
            self.prefix_weights
                .range((area, rid, Ipv4Addr::UNSPECIFIED)..=(area, rid, Ipv4Addr::BROADCAST))
                .find_map(|(_, v)| v.iter().find(|(p, _)| *p == prefix).map(|(_, w)| *w))
        };
        let mut weights = alloc::vec![0u16; route.nexthops.len()];
        let mut any = false;
        for (rid, cost, hops) in self.spf.announcers(area, prefix) {
            if cost != route.cost {
                continue;
            }
            let w = weight_of(rid);
            any |= w.is_some();
            let w = u16::from(w.unwrap_or(1));
            for h in hops {
                if let Ok(i) = route.nexthops.binary_search(h) {
                    weights[i] = weights[i].saturating_add(w);
                }
            }
        }
        for w in &mut weights {
            *w = (*w).max(1);
        }
        if !any || weights.windows(2).all(|p| p[0] == p[1]) {
            weights.clear();
        }
        weights
    }

    /// Puts the anycast weights into the route changes of a calculation, and reports a
    /// `Replace` for each route whose weights alone changed (a weight announced, changed
    /// or withdrawn).
    fn apply_weights(&mut self, changes: &mut Vec<RouteChange>) {
        let mut seen = BTreeSet::new();
        for c in changes.iter_mut() {
            seen.insert(c.prefix());
            match c {
                RouteChange::Add { prefix, route } | RouteChange::Replace { prefix, route } => {
                    route.weights = self.route_weights(*prefix, route);
                    if route.weights.is_empty() {
                        self.weighted_routes.remove(prefix);
                    } else {
                        self.weighted_routes.insert(*prefix, route.weights.clone());
                    }
                }
                RouteChange::Delete { prefix } => {
                    self.weighted_routes.remove(prefix);
                }
            }
        }
        let mut candidates: BTreeSet<Prefix> = self.weighted_routes.keys().copied().collect();
        for v in self.prefix_weights.values() {
            candidates.extend(v.iter().map(|(p, _)| *p));
        }
        for prefix in candidates.difference(&seen) {
            let Some(mut route) = self.spf.route(*prefix) else {
                continue;
            };
            route.weights = self.route_weights(*prefix, &route);
            let old = self
                .weighted_routes
                .get(prefix)
                .cloned()
                .unwrap_or_default();
            if old == route.weights {
                continue;
            }
            if route.weights.is_empty() {
                self.weighted_routes.remove(prefix);
            } else {
                self.weighted_routes.insert(*prefix, route.weights.clone());
            }
            changes.push(RouteChange::Replace {
                prefix: *prefix,
                route,
            });
        }
    }

    /// Compares what the calculation wants us to originate as an ABR with what we do, and
    /// marks the difference for (re)origination or flushing.
    fn update_abr_origination(&mut self) {
        let mut want = AbrOrigination::default();
        for s in self.spf.summaries() {
            let (t, lsid, mask) = match s.kind {
                SummaryKind::Network(p) => (LsaType::SummaryNetwork, p.addr(), p.mask()),
                SummaryKind::Asbr(id) => (LsaType::SummaryAsbr, id, Ipv4Addr::UNSPECIFIED),
            };
            // Two prefixes with one address (RFC 2328 Appendix E): the first one wins.
            want.summaries
                .entry((s.area, t.into(), lsid))
                .or_insert((mask, s.metric));
        }
        for t in self.spf.translations() {
            let lsid = t.prefix.addr();
            if !self
                .redistributed
                .range((lsid, 0)..=(lsid, 32))
                .any(|_| true)
            {
                want.translations.entry(lsid).or_insert(t);
            }
        }
        if want == self.abr_origination {
            return;
        }
        let rid = self.router_id;
        let translating = !want.translations.is_empty();
        let old = core::mem::replace(&mut self.abr_origination, want);
        if translating == old.translations.is_empty() {
            // The E bit of our Router-LSAs follows.
            self.mark_all_router_lsas();
        }
        let new = &self.abr_origination;
        for k in old.summaries.keys().chain(new.summaries.keys()) {
            if old.summaries.get(k) != new.summaries.get(k) {
                let key = LsaKey {
                    lsa_type: k.1,
                    lsid: k.2,
                    adv_router: rid,
                };
                self.dirty.insert((Scope::Area(k.0), key));
            }
        }
        for k in old.translations.keys().chain(new.translations.keys()) {
            if old.translations.get(k) != new.translations.get(k) {
                let key = LsaKey::new(LsaType::AsExternal, *k, rid);
                self.dirty.insert((Scope::As, key));
            }
        }
    }

    /// Body of one of our Summary-LSAs (types 3 and 4), if we originate it.
    pub(crate) fn summary_body(&self, area: Ipv4Addr, t: u8, lsid: Ipv4Addr) -> Option<Vec<u8>> {
        let (mask, metric) = self.abr_origination.summaries.get(&(area, t, lsid))?;
        let mut body = Vec::with_capacity(8);
        body.extend_from_slice(&mask.octets());
        body.extend_from_slice(&metric.min(&0x00FF_FFFF).to_be_bytes());
        Some(body)
    }

    /// Body of a type-5 LSA translated from a type-7 one (RFC 3101 §3.2), if any.
    pub(crate) fn translated_body(&self, lsid: Ipv4Addr) -> Option<Vec<u8>> {
        let t = self.abr_origination.translations.get(&lsid)?;
        let mut body = Vec::with_capacity(16);
        body.extend_from_slice(&t.prefix.mask().octets());
        let e = if t.e2 { 0x80u32 << 24 } else { 0 };
        body.extend_from_slice(&(e | t.metric.min(0x00FF_FFFF)).to_be_bytes());
        body.extend_from_slice(&t.forwarding.octets());
        body.extend_from_slice(&t.tag.to_be_bytes());
        Some(body)
    }

    // ----------------------------------------------------------------------------------
    // Queries
    // ----------------------------------------------------------------------------------

    /// The routing table (network destinations), sorted by prefix, as of the last
    /// calculation, with the discard routes of active address ranges
    /// ([`RouteType::Discard`]).
    pub fn routes(&self) -> impl Iterator<Item = (Prefix, Route)> + '_ {
        let mut v: Vec<(Prefix, Route)> = self
            .spf
            .routes()
            .map(|(p, mut r)| {
                if let Some(w) = self.weighted_routes.get(&p) {
                    if w.len() == r.nexthops.len() {
                        r.weights = w.clone();
                    }
                }
                (p, r)
            })
            .collect();
        if !self.discards.is_empty() {
            v.extend(self.discards.iter().map(|p| (*p, discard_route())));
            v.sort_by_key(|(p, _)| *p);
        }
        v.into_iter()
    }

    /// The discard routes installed for active address ranges, sorted.
    pub fn discard_routes(&self) -> &[Prefix] {
        &self.discards
    }

    /// Routes to area border and AS boundary routers.
    pub fn router_routes(&self) -> Vec<RouterRoute> {
        self.spf.router_routes()
    }

    /// The route calculation (table, reachable routers, ABR originations).
    pub fn route_calculation(&self) -> &Spf {
        &self.spf
    }

    /// When the next route calculation is due, if one is pending.
    pub fn spf_due(&self) -> Option<Instant> {
        self.timers.get(InstanceTimer::Spf)
    }
}

/// The route of a discard prefix: no next hops, nothing else.
fn discard_route() -> Route {
    Route {
        route_type: crate::spf::RouteType::Discard,
        cost: 0,
        type2_cost: 0,
        area: None,
        tag: 0,
        nexthops: Vec::new(),
        weights: Vec::new(),
    }
}

/// The changes from one table to another.
fn diff_tables(old: &BTreeMap<Prefix, Route>, new: &BTreeMap<Prefix, Route>) -> Vec<RouteChange> {
    let mut out = Vec::new();
    for (p, r) in old {
        match new.get(p) {
            None => out.push(RouteChange::Delete { prefix: *p }),
            Some(n) if n != r => out.push(RouteChange::Replace {
                prefix: *p,
                route: n.clone(),
            }),
            Some(_) => {}
        }
    }
    for (p, r) in new {
        if !old.contains_key(p) {
            out.push(RouteChange::Add {
                prefix: *p,
                route: r.clone(),
            });
        }
    }
    out
}
