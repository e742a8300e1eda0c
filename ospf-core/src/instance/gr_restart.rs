//! Graceful restart, restarting side (RFC 3623 §2): the first step of a planned restart.
//!
//! [`Instance::graceful_restart_prepare`] originates a Grace-LSA (link-local opaque type
//! 3, [`GraceLsa`]) on every active interface, with the grace period, the reason and the
//! interface's address, and floods it to the opaque-capable neighbors. Once every
//! neighbor has acknowledged it and the neighbors can help (nothing of types 1-5 or 7
//! in flight, adjacencies settled: see `gr_restart_progress`),
//! [`Event::GracefulRestartReady`] is reported (once): the
//! process may then exit without [`Instance::shutdown`] (which would flush our LSAs),
//! leaving its routes in the forwarding table for the new process.
//!
//! The new process starts its instance in restarting mode
//! ([`Instance::start_graceful_restart`], §2.2): it re-forms its adjacencies but neither
//! originates nor flushes LSAs of types 1-5 and 7 (its pre-restart LSAs, received back
//! from its neighbors, are accepted as they are), re-elects itself DR where its neighbors
//! still name it, and runs no route calculation: the forwarding table the old process
//! left keeps forwarding. It leaves restarting mode (§2.3) when every adjacency listed in
//! its pre-restart Router-LSA (and, where it was DR, Network-LSA) is Full again, when the
//! grace period ends, or when a neighbor's Router-LSA or a Network-LSA no longer lists it;
//! then it originates its LSAs afresh, flushes its Grace-LSAs, calculates its routes and
//! reports [`Event::GracefulRestartDone`] after their [`Event::RouteChange`]s.

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use super::{ConfigError, Event, Instance};
use crate::interface::InterfaceState;
use crate::lsdb::{LsaKey, Scope};
use crate::neighbor::NeighborState;
use crate::time::Instant;
use crate::timer::{InstanceTimer, InterfaceTimer};
use crate::wire::{GraceLsa, LinkType, LsaType, NetworkLsa, RestartReason, RouterLsa};

/// After an unplanned restart, how long the first Hello waits behind the Grace-LSA.
const GRACE_BEFORE_HELLO: crate::time::Duration = crate::time::Duration::from_millis(20);

/// How long after leaving restarting mode our Grace-LSAs are flushed.
const GRACE_FLUSH_DELAY: crate::time::Duration = crate::time::Duration::from_millis(100);

/// Beyond RxmtInterval, how long a new adjacency settles before a prepared restart is
/// ready (a delayed acknowledgment's time; see `gr_restart_progress`).
const SETTLE_ACK_DELAY: crate::time::Duration = crate::time::Duration::from_secs(1);

/// The longest grace period (RFC 3623 Appendix B: LSRefreshTime, 1800 s; FRR's limit).
pub const MAX_GRACE_PERIOD: u32 = 1800;

/// A planned restart in preparation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RestartState {
    pub(crate) grace_period: u32,
    pub(crate) reason: RestartReason,
    pub(crate) ready_reported: bool,
    /// An LSA of types 1-5 or 7 changed, or was retransmitted to a neighbor, since our
    /// Grace-LSAs went out: a helper with strict LSA checking (RFC 3623 §3.2 (3), FRR's
    /// default) that receives it stops helping, so the Grace-LSAs go out again once
    /// everything is acknowledged.
    pub(crate) topology_changed: bool,
}

/// The LSA types whose change is a topology change to a helper (RFC 3623 §3.1 (2)):
/// 1-5 and 7.
pub(crate) fn is_topology_lsa(t: LsaType) -> bool {
    matches!(
        t,
        LsaType::Router
            | LsaType::Network
            | LsaType::SummaryNetwork
            | LsaType::SummaryAsbr
            | LsaType::AsExternal
            | LsaType::Nssa
    )
}

/// Why an instance left restarting mode (RFC 3623 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestartExitReason {
    /// Every pre-restart adjacency is Full again: the restart succeeded.
    Completed,
    /// The grace period ended first.
    GracePeriodExpired,
    /// A neighbor's Router-LSA, or a Network-LSA, no longer lists this router: the
    /// neighbors gave up helping (or never helped).
    TopologyChanged,
    /// [`Instance::shutdown`] was called.
    Shutdown,
}

impl RestartExitReason {
    /// A short name, as in FRR's `show ip ospf graceful-restart` ("completed",
    /// "grace period expired", "topology change", "shutdown").
    pub fn as_str(self) -> &'static str {
        match self {
            RestartExitReason::Completed => "completed",
            RestartExitReason::GracePeriodExpired => "grace period expired",
            RestartExitReason::TopologyChanged => "topology change",
            RestartExitReason::Shutdown => "shutdown",
        }
    }
}

/// The restarting side of graceful restart (RFC 3623 §2) as it stands: for `show ip
/// ospf graceful-restart` ([`Instance::graceful_restart_status`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrRestartStatus {
    /// A planned restart prepared by this instance ([`Instance::graceful_restart_prepare`]).
    pub prepared: Option<GrPrepared>,
    /// Restarting mode, while it lasts ([`Instance::start_graceful_restart`]).
    pub restarting: Option<GrRestarting>,
    /// How restarting mode last ended, and when.
    pub last_exit: Option<(RestartExitReason, Instant)>,
}

/// A prepared planned restart (RFC 3623 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrPrepared {
    /// The grace period announced, in seconds.
    pub grace_period: u32,
    /// The reason announced.
    pub reason: RestartReason,
    /// Whether [`Event::GracefulRestartReady`] was reported: the process may exit.
    pub ready: bool,
}

/// Restarting mode in progress (RFC 3623 §2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrRestarting {
    /// When it began.
    pub since: Instant,
    /// When the grace period ends.
    pub until: Instant,
    /// A planned restart (the previous process prepared it), or an unplanned one.
    pub planned: bool,
    /// The restart reason (planned restarts of this project are software restarts).
    pub reason: RestartReason,
    /// Router IDs of the neighbors whose adjacency is still awaited (§2.3 (1)): not
    /// Full yet, or still exchanging databases.
    pub awaited: Vec<Ipv4Addr>,
}

/// Restarting mode (§2.2): until when, and whether the adjacencies need a look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Restarting {
    pub(crate) since: Instant,
    pub(crate) planned: bool,
    pub(crate) until: Instant,
    /// An adjacency or an LSA changed: check the exit conditions at the end of the input.
    pub(crate) check: bool,
}

impl Instance {
    /// Starts this (new) instance in graceful restart mode (RFC 3623 §2.2), until the
    /// grace period ends at `grace_until` at the latest: call it before adding the
    /// interfaces. After an unplanned restart (`planned` false: the process died, no
    /// Grace-LSA was sent), a Grace-LSA (reason unknown, the grace period left) goes out
    /// on each interface before its first Hello (§2.1), so that neighbors that still
    /// count us Full can help. Until it leaves restarting mode the instance originates and flushes
    /// none of its LSAs but Grace-LSAs and reports no [`Event::RouteChange`]: the caller
    /// keeps the forwarding table of the previous process. Leaving it is reported by
    /// [`Event::GracefulRestartDone`], after the route changes of the first calculation
    /// (the whole table): the caller then replaces the old routes with these and
    /// removes the old ones that are not among them.
    pub fn start_graceful_restart(
        &mut self,
        now: Instant,
        grace_until: Instant,
        planned: bool,
    ) -> Result<(), ConfigError> {
        self.clock = self.clock.max(now);
        if grace_until <= now {
            return Err(ConfigError::Invalid("grace period already over"));
        }
        if self.shutting_down {
            return Err(ConfigError::Invalid("shutting down"));
        }
        self.gr_restarting = Some(Restarting {
            since: now,
            planned,
            until: grace_until,
            check: false,
        });
        if !planned {
            let left = (grace_until - now)
                .as_secs()
                .clamp(1, u64::from(MAX_GRACE_PERIOD));
            self.gr_restart = Some(RestartState {
                grace_period: left as u32,
                reason: RestartReason::Unknown,
                ready_reported: true,
                topology_changed: false,
            });
        }
        self.timers.set(InstanceTimer::GraceRestart, grace_until);
        self.timers.stop(InstanceTimer::Spf);
        self.after_input(now);
        Ok(())
    }

    /// True while in graceful restart mode ([`Instance::start_graceful_restart`]).
    pub fn is_graceful_restarting(&self) -> bool {
        self.gr_restarting.is_some()
    }

    /// When the grace period of the restart in progress ends.
    pub fn graceful_restart_until(&self) -> Option<Instant> {
        self.gr_restarting.map(|r| r.until)
    }

    /// An interface came up while restarting after an unplanned restart: our Grace-LSA
    /// goes out on it before the first Hello (§2.1), to AllSPFRouters (the neighbors
    /// that still count us Full accept it; the others ignore it).
    pub(crate) fn gr_restart_interface_up(&mut self, now: Instant, ii: usize) {
        if self.gr_restarting.is_none() || self.gr_restart.is_none() {
            return;
        }
        let key = self.grace_key();
        let scope = Scope::Link(self.interfaces[ii].ifindex);
        super::origin::Refresh::force(self, now, scope, key);
        if self.lsdb_of(scope).is_some_and(|d| d.get(&key).is_some()) {
            self.send_lsas(now, ii, super::ALL_SPF_ROUTERS, &[key]);
            // The first Hello (which does not list the neighbors yet) follows a moment
            // later, so that it cannot overtake the Grace-LSA on the way.
            self.interfaces[ii]
                .timers
                .set(InterfaceTimer::Hello, now + GRACE_BEFORE_HELLO);
        }
    }

    /// Notes that an adjacency or an LSA changed while restarting.
    pub(crate) fn gr_restart_note(&mut self) {
        if let Some(r) = self.gr_restarting.as_mut() {
            r.check = true;
        }
    }

    /// The exit conditions of §2.3, checked at the end of every input while restarting.
    pub(crate) fn gr_restart_check(&mut self, now: Instant) {
        let Some(r) = self.gr_restarting else {
            return;
        };
        if now >= r.until {
            self.gr_restart_exit(now, RestartExitReason::GracePeriodExpired);
            return;
        }
        if !r.check {
            return;
        }
        if let Some(x) = self.gr_restarting.as_mut() {
            x.check = false;
        }
        if self.gr_topology_changed(now) {
            self.gr_restart_exit(now, RestartExitReason::TopologyChanged);
        } else if self.gr_adjacencies_restored(now) {
            self.gr_restart_exit(now, RestartExitReason::Completed);
        }
    }

    /// Our pre-restart Router-LSA of each area, parsed links as (type, id, data).
    fn gr_pre_restart_links(&self, now: Instant) -> Vec<(Ipv4Addr, LinkType, Ipv4Addr, Ipv4Addr)> {
        let rid = self.router_id;
        let key = LsaKey::new(LsaType::Router, rid, rid);
        let mut out = Vec::new();
        for (area, a) in &self.areas {
            let Some(e) = a.lsdb.get(&key) else {
                continue;
            };
            if e.is_max_age(now) {
                continue;
            }
            let Ok(lsa) = RouterLsa::parse(e.body()) else {
                continue;
            };
            out.extend(lsa.links.iter().map(|l| (*area, l.link_type, l.id, l.data)));
        }
        out
    }

    /// §2.3 (1): every adjacency of our pre-restart Router-LSA (and, where we were DR,
    /// of our pre-restart Network-LSA) is Full again, no database exchange is still
    /// going on, and at least one neighbor is Full (before that, what we had is not
    /// known yet).
    fn gr_adjacencies_restored(&self, now: Instant) -> bool {
        self.interfaces
            .iter()
            .flat_map(|i| i.neighbors.iter())
            .any(|n| n.state == NeighborState::Full)
            && self.gr_awaited(now).is_empty()
    }

    /// The router IDs (sorted) of the neighbors restarting mode still waits for: those
    /// exchanging databases, those heard but not adjacent yet that are to become
    /// adjacent (we are DR or BDR, or they are, or the link is point-to-point: our
    /// pre-restart LSAs may not name a neighbor that joined late, and our Network-LSA
    /// re-originated without it would take its routes away for a moment), and those of
    /// our pre-restart Router-LSA (and, as DR, Network-LSA) not Full yet (a DR we do
    /// not hear yet by its interface address).
    fn gr_awaited(&self, now: Instant) -> Vec<Ipv4Addr> {
        let mut out = Vec::new();
        for i in &self.interfaces {
            for n in &i.neighbors {
                let exchanging = n.state > NeighborState::TwoWay && n.state < NeighborState::Full;
                let pending = n.state >= NeighborState::Init
                    && n.state < NeighborState::Full
                    && (!i.elects_dr()
                        || i.is_dr_or_backup()
                        || n.address == i.dr
                        || n.address == i.bdr);
                if exchanging || pending {
                    out.push(n.router_id);
                }
            }
        }
        let rid = self.router_id;
        let full_on = |ii: usize, f: &dyn Fn(&crate::neighbor::Neighbor) -> bool| {
            self.interfaces[ii]
                .neighbors
                .iter()
                .any(|n| f(n) && n.state == NeighborState::Full)
        };
        for (area, t, id, data) in self.gr_pre_restart_links(now) {
            match t {
                LinkType::PointToPoint => {
                    let found = (0..self.interfaces.len()).any(|ii| {
                        self.interfaces[ii].config.area == area
                            && full_on(ii, &|n| n.router_id == id)
                    });
                    if !found {
                        out.push(id);
                    }
                }
                LinkType::Transit => {
                    let Some(ii) = self.interfaces.iter().position(|i| {
                        i.config.area == area && i.config.address == data && i.enabled
                    }) else {
                        // The interface is gone: nothing to wait for there.
                        continue;
                    };
                    if id == data {
                        // We were DR: every router of our Network-LSA is to be Full.
                        let key = LsaKey::new(LsaType::Network, id, rid);
                        let Some(e) = self.areas.get(&area).and_then(|a| a.lsdb.get(&key)) else {
                            continue;
                        };
                        let Ok(net) = NetworkLsa::parse(e.body()) else {
                            continue;
                        };
                        out.extend(
                            net.routers
                                .iter()
                                .filter(|r| *r != rid)
                                .filter(|r| !full_on(ii, &|n| n.router_id == *r)),
                        );
                    } else if !full_on(ii, &|n| n.address == id) {
                        let nbr = self.interfaces[ii]
                            .neighbors
                            .iter()
                            .find(|n| n.address == id);
                        out.push(nbr.map_or(id, |n| n.router_id));
                    }
                }
                _ => {}
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The restarting side's state (RFC 3623 §2): a prepared restart, restarting mode
    /// with the adjacencies it still waits for, and how it last ended.
    pub fn graceful_restart_status(&self, now: Instant) -> GrRestartStatus {
        let prepared = match (self.gr_restart, self.gr_restarting) {
            (Some(r), None) => Some(GrPrepared {
                grace_period: r.grace_period,
                reason: r.reason,
                ready: r.ready_reported,
            }),
            _ => None,
        };
        let restarting = self.gr_restarting.map(|r| GrRestarting {
            since: r.since,
            until: r.until,
            planned: r.planned,
            reason: match self.gr_restart {
                Some(x) => x.reason,
                None => RestartReason::SoftwareRestart,
            },
            awaited: self.gr_awaited(now),
        });
        GrRestartStatus {
            prepared,
            restarting,
            last_exit: self.gr_last_exit,
        }
    }

    /// §2.3 (3): a neighbor of our pre-restart point-to-point links whose Router-LSA
    /// has no link back to us, a segment of our pre-restart transit links that elected
    /// another DR, or a Network-LSA of a segment we were attached to (by another DR)
    /// that no longer lists us.
    fn gr_topology_changed(&self, now: Instant) -> bool {
        let rid = self.router_id;
        for (area, t, id, data) in self.gr_pre_restart_links(now) {
            let Some(db) = self.areas.get(&area).map(|a| &a.lsdb) else {
                continue;
            };
            match t {
                LinkType::PointToPoint => {
                    let key = LsaKey::new(LsaType::Router, id, id);
                    let Some(e) = db.get(&key) else { continue };
                    let back = e.is_max_age(now)
                        || RouterLsa::parse(e.body()).is_ok_and(|l| {
                            l.links
                                .iter()
                                .any(|x| x.link_type == LinkType::PointToPoint && x.id == rid)
                        });
                    if !back {
                        return true;
                    }
                }
                LinkType::Transit => {
                    // The segment elected another DR than the one our Router-LSA names
                    // (a neighbor that did not help took over): the adjacencies we
                    // wait for may never form.
                    let elected = self.interfaces.iter().any(|i| {
                        i.config.area == area
                            && i.config.address == data
                            && i.enabled
                            && matches!(
                                i.state,
                                InterfaceState::Dr
                                    | InterfaceState::Backup
                                    | InterfaceState::DrOther
                            )
                            && i.dr != id
                    });
                    if elected {
                        return true;
                    }
                    // The DR's Network-LSA (another router's: ours is ours to judge).
                    let Some((_, e)) = db.iter().find(|(k, _)| {
                        k.ls_type() == LsaType::Network && k.lsid == id && k.adv_router != rid
                    }) else {
                        continue;
                    };
                    if e.is_max_age(now) {
                        continue;
                    }
                    if NetworkLsa::parse(e.body())
                        .is_ok_and(|n| !n.routers.iter().any(|r| r == rid))
                    {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// Leaves restarting mode (§2.3): our LSAs are originated afresh (those we no longer
    /// want, old Grace-LSAs among them, flushed), the routes calculated and reported.
    pub(crate) fn gr_restart_exit(&mut self, now: Instant, reason: RestartExitReason) {
        if self.gr_restarting.take().is_none() {
            return;
        }
        self.timers.stop(InstanceTimer::GraceRestart);
        self.gr_last_exit = Some((reason, now));
        // Grace-LSAs of a prepared restart: ours are flushed below.
        self.gr_restart = None;
        if reason != RestartExitReason::Shutdown {
            let rid = self.router_id;
            let mut own: Vec<(Scope, LsaKey)> = self
                .lsdb(now)
                .filter(|l| l.key.adv_router == rid)
                .map(|l| (l.scope, l.key))
                .collect();
            for ii in 0..self.interfaces.len() {
                let i = &self.interfaces[ii];
                own.push((
                    Scope::Area(i.config.area),
                    LsaKey::new(LsaType::Network, i.config.address, rid),
                ));
            }
            // Our Grace-LSAs are flushed a moment later: a neighbor still finishing its
            // database exchange with us (its last DD may be behind our flush) would
            // otherwise stop helping before it is Full again, and announce us as not
            // adjacent meanwhile.
            let grace = self.grace_key();
            for (scope, key) in own {
                if key == grace {
                    self.deferred.insert((scope, key), now + GRACE_FLUSH_DELAY);
                } else {
                    self.dirty.insert((scope, key));
                }
            }
            self.mark_all_router_lsas();
            self.mark_all_externals();
            self.process_dirty(now);
            self.flush_floods(now);
            self.run_spf(now);
            self.process_dirty(now);
            self.flush_floods(now);
        }
        self.event(Event::GracefulRestartDone { reason });
    }

    /// Prepares a planned graceful restart (RFC 3623 §2.1, FRR's `graceful-restart
    /// prepare ip ospf`): originates and floods a Grace-LSA with `grace_period` seconds
    /// (1-1800) and `reason` on every active interface; [`Event::GracefulRestartReady`]
    /// follows once every neighbor has acknowledged it. Calling it again restarts the
    /// grace period with new Grace-LSAs.
    pub fn graceful_restart_prepare(
        &mut self,
        now: Instant,
        grace_period: u32,
        reason: RestartReason,
    ) -> Result<(), ConfigError> {
        if !(1..=MAX_GRACE_PERIOD).contains(&grace_period) {
            return Err(ConfigError::Invalid("grace period (1-1800 s)"));
        }
        self.clock = self.clock.max(now);
        self.gr_restart = Some(RestartState {
            grace_period,
            reason,
            ready_reported: false,
            topology_changed: false,
        });
        let key = self.grace_key();
        let scopes: Vec<Scope> = (0..self.interfaces.len())
            .filter(|&ii| self.interfaces[ii].is_active())
            .map(|ii| Scope::Link(self.interfaces[ii].ifindex))
            .collect();
        for scope in scopes {
            // A new instance even when the body is unchanged: the age restarts the
            // grace period at the neighbors.
            super::origin::Refresh::force(self, now, scope, key);
        }
        self.after_input(now);
        Ok(())
    }

    /// True once a planned restart was prepared and every neighbor acknowledged our
    /// Grace-LSAs.
    pub fn is_graceful_restart_ready(&self) -> bool {
        self.gr_restart.is_some() && self.is_flooding_acknowledged()
    }

    /// The sequence number of a Grace-LSA originated afresh: above InitialSequenceNumber
    /// by the wall-clock seconds of the crypto sequence seed. A neighbor may still hold
    /// the flushed Grace-LSA of our previous restart (FRR keeps MaxAge LSAs for 60 s),
    /// and a MaxAge copy of the same sequence number counts as more recent (RFC 2328
    /// §13.1): a new process starting from InitialSequenceNumber would be ignored.
    pub(crate) fn fresh_grace_seq(&self) -> u32 {
        crate::lsdb::INITIAL_SEQ.wrapping_add(self.crypto_seq_now() & 0x3FFF_FFFF)
    }

    /// The key of our Grace-LSA (opaque ID 0, as FRR and BIRD).
    pub(crate) fn grace_key(&self) -> LsaKey {
        LsaKey::new(LsaType::OpaqueLink, GraceLsa::lsid(0), self.router_id)
    }

    /// The body of our Grace-LSA on interface `ifindex`, while a restart is prepared.
    pub(crate) fn grace_body(&self, ifindex: u32) -> Option<Vec<u8>> {
        let r = self.gr_restart?;
        let ii = self.iface_idx(ifindex)?;
        let g = GraceLsa {
            grace_period: Some(r.grace_period),
            reason: Some(r.reason),
            interface_address: Some(self.interfaces[ii].config.address),
        };
        let mut body = alloc::vec![0u8; g.buffer_len()];
        g.emit(&mut body).ok()?;
        Some(body)
    }

    /// A planned restart is being prepared and an LSA of type `t` changed in our LSDB
    /// or went to a neighbor again (a retransmission: the neighbor had an older copy):
    /// a strict helper may see it as a topology change and give up (RFC 3623 §3.2 (3)).
    pub(crate) fn gr_prepare_topology_note(&mut self, t: LsaType) {
        if self.gr_restarting.is_some() || !is_topology_lsa(t) {
            return;
        }
        if let Some(r) = self.gr_restart.as_mut() {
            if !r.ready_reported {
                r.topology_changed = true;
            }
        }
    }

    /// Reports [`Event::GracefulRestartReady`] once the Grace-LSAs are acknowledged and
    /// the neighbors hold our view of the topology: every adjacency has been Full for
    /// RxmtInterval and a second (what a neighbor may still retransmit to us from the
    /// database exchange has come and been acknowledged), no LSA of types 1-5 or 7 is
    /// waiting for a neighbor's acknowledgment (a strict helper refuses to help, or
    /// stops, when such an LSA reaches it), and none changed or was retransmitted since
    /// the Grace-LSAs went out. If one did, the helpers that gave up get new Grace-LSAs
    /// (they help again when nothing is pending) and the acknowledgments are awaited again.
    ///
    /// FRR 8.4 shows why: its BDR, reaching Full, floods two instances of its
    /// Router-LSA in one LS Update; the DROthers keep the first (MinLSArrival drops the
    /// second) and get the second only with our retransmission as DR, RxmtInterval
    /// later. A restart prepared in between was abandoned by every FRR helper (`Last
    /// Helper exit Reason: Topology Change`) the moment that retransmission arrived.
    pub(crate) fn gr_restart_progress(&mut self, now: Instant) {
        let Some(r) = self.gr_restart else {
            return;
        };
        if r.ready_reported || !self.is_flooding_acknowledged() {
            return;
        }
        // A neighbor may hold, on its retransmission list for us, LSAs of its database
        // exchange with us that we already have (a BDR puts there what it learns from
        // others meanwhile, and the DR never floods it back): it sends them again one
        // RxmtInterval later, and a strict helper refuses to help until then. So every
        // adjacency is Full for RxmtInterval, and our acknowledgment's delay, first.
        let settled = (0..self.interfaces.len()).all(|ii| {
            let wait = self.lsa_rxmt_interval(ii) + SETTLE_ACK_DELAY;
            self.interfaces[ii]
                .neighbors
                .iter()
                .all(|n| n.full_since.is_none_or(|t| now >= t + wait))
        });
        if !settled {
            return;
        }
        let pending = self.interfaces.iter().any(|i| {
            i.neighbors
                .iter()
                .any(|n| n.rxmt.keys().any(|k| is_topology_lsa(k.ls_type())))
        });
        if pending {
            return;
        }
        if r.topology_changed {
            if let Some(x) = self.gr_restart.as_mut() {
                x.topology_changed = false;
            }
            let key = self.grace_key();
            let scopes: Vec<Scope> = (0..self.interfaces.len())
                .filter(|&ii| self.interfaces[ii].is_active())
                .map(|ii| Scope::Link(self.interfaces[ii].ifindex))
                .collect();
            for scope in scopes {
                // At once, MinLSInterval or not: a deferred copy with the same body
                // would not go out at all, and the acknowledgments pace these anyway.
                self.refresh_self(now, scope, key, super::origin::Refresh::Takeover);
            }
            self.process_dirty(now);
            self.flush_floods(now);
            return;
        }
        if let Some(r) = self.gr_restart.as_mut() {
            r.ready_reported = true;
        }
        self.event(Event::GracefulRestartReady);
    }
}
