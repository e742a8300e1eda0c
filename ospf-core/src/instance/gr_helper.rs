//! Graceful restart, helper side (RFC 3623 §3).
//!
//! A neighbor about to restart its OSPF process floods Grace-LSAs (link-local opaque
//! type 3, [`GraceLsa`]). When helping is allowed ([`GrHelperConfig`]) and the §3.1
//! conditions hold, we enter helper mode for it:
//!
//! * the neighbor keeps counting as Full: our Router-LSA (and Network-LSA as DR) still
//!   list it, even while it goes through ExStart..Loading again after its restart;
//! * its Hellos keep it alive but neither its silence (the inactivity timer is re-armed)
//!   nor Hellos that do not list us (1-WayReceived) nor the DR/BDR/priority it declares
//!   change anything: FRR's reading of §3.1 ("maintains X as the Designated Router
//!   until the helping relationship is terminated");
//! * its LSAs stay in the LSDB, so routes through it stay.
//!
//! We leave helper mode (§3.2) when its Grace-LSA is flushed or the neighbor is Full
//! again after resynchronising (the restart completed), when the grace period expires,
//! when (under strict LSA checking) an LSA of type 1-5 or 7 that would be flooded to it
//! changes, or when helping is switched off. Leaving re-originates our Router-LSA (and
//! Network-LSA as DR) and re-runs the DR election on a broadcast network.
//!
//! LSDB changes are noted as they happen (`gr_note_lsdb_change`, called from
//! `lsdb_changed`) and acted on at the end of the input (`gr_process`), so that helper
//! state never changes in the middle of a flood.

use super::{Event, Instance, LsdbChange};
use crate::config::GrHelperConfig;
use crate::interface::{InterfaceEvent, InterfaceState};
use crate::lsdb::{LsaKey, Scope};
use crate::time::{Duration, Instant};
use crate::timer::NeighborTimer;
use crate::wire::{GraceLsa, OpaqueLsa, RestartReason};

/// Our helper state for one restarting neighbor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HelperState {
    /// Grace period granted, in seconds (the neighbor's, at most the supported time).
    pub(crate) grace_period: u32,
    /// When it ends.
    pub(crate) grace_until: Instant,
    /// Restart reason of the Grace-LSA.
    pub(crate) reason: RestartReason,
    /// The neighbor left Full (it restarted and is resynchronising): reaching Full
    /// again completes the restart.
    pub(crate) resyncing: bool,
}

/// Helper mode of one neighbor, as reported by
/// [`Instance::neighbors`](super::Instance::neighbors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrHelperInfo {
    /// Grace period granted, in seconds.
    pub grace_period: u32,
    /// When the grace period ends.
    pub grace_until: Instant,
    /// Restart reason the neighbor announced.
    pub reason: RestartReason,
}

/// Why we did not enter helper mode for a neighbor's Grace-LSA (RFC 3623 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HelperRejectReason {
    /// Helping is not enabled for this router.
    Disabled,
    /// The neighbor is not Full (§3.1 item 1).
    NotFull,
    /// Only planned restarts are helped and the reason is unknown.
    PlannedOnly,
    /// Strict LSA checking: changed LSAs await the neighbor's acknowledgment (§3.1
    /// item 2).
    TopologyChange,
    /// The grace period is over already (§3.1 item 3), or the Grace-LSA has none.
    GracePeriodExpired,
    /// The Grace-LSA's TLVs are malformed.
    Malformed,
}

/// Why we left helper mode (RFC 3623 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HelperExitReason {
    /// The restart completed: the neighbor flushed its Grace-LSA, or it is Full again
    /// after resynchronising.
    Completed,
    /// The grace period expired.
    GraceTimeout,
    /// Strict LSA checking: an LSA that would be flooded to the neighbor changed.
    TopologyChange,
    /// Helping was switched off for this router.
    Disabled,
    /// The neighbor was removed (interface down, or killed).
    NeighborDown,
}

/// A change of helper mode, reported as [`Event::GrHelper`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GrHelperChange {
    /// We help the neighbor restart (again, with a new grace period, when it sent a
    /// new Grace-LSA while we helped it).
    Entered {
        /// Grace period granted, in seconds.
        grace_period: u32,
        /// Restart reason announced.
        reason: RestartReason,
    },
    /// We did not enter helper mode for its Grace-LSA.
    Rejected(HelperRejectReason),
    /// We stopped helping.
    Exited(HelperExitReason),
}

/// An LSDB change noted for the end of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GrNote {
    /// A Grace-LSA was installed (or a new instance of one).
    Grace(Scope, LsaKey),
    /// A Grace-LSA reached MaxAge.
    GraceFlushed(Scope, LsaKey),
    /// The content of an LSA of type 1-5 or 7 changed in this scope.
    Topology(Scope),
}

/// The neighbor a Grace-LSA speaks for: interface and neighbor indices, and the LSA's
/// TLVs with its age (`None`: malformed TLVs).
type Restarter = (usize, usize, Option<(GraceLsa, u16)>);

fn is_topology_type(t: u8) -> bool {
    matches!(t, 1..=5 | 7)
}

impl Instance {
    /// Notes an LSDB change that may start or end helper mode (see the module docs).
    pub(crate) fn gr_note_lsdb_change(&mut self, scope: Scope, key: LsaKey, change: LsdbChange) {
        if key.adv_router == self.router_id {
            if !is_topology_type(key.lsa_type) {
                return;
            }
        } else if GraceLsa::is_grace(key.lsa_type, key.lsid) {
            match change {
                LsdbChange::Installed { .. } => self.gr_notes.push(GrNote::Grace(scope, key)),
                LsdbChange::Flushed => self.gr_notes.push(GrNote::GraceFlushed(scope, key)),
                LsdbChange::Removed => {}
            }
            return;
        }
        let changed = match change {
            LsdbChange::Installed { content_changed } => content_changed,
            LsdbChange::Flushed => true,
            LsdbChange::Removed => false,
        };
        if changed && is_topology_type(key.lsa_type) && self.helping_any() {
            self.gr_notes.push(GrNote::Topology(scope));
        }
    }

    /// True when we help at least one neighbor.
    pub(crate) fn helping_any(&self) -> bool {
        self.interfaces
            .iter()
            .any(|i| i.neighbors.iter().any(|n| n.gr_helper.is_some()))
    }

    /// Acts on the notes of this input, in order.
    pub(crate) fn gr_process(&mut self, now: Instant) {
        if self.gr_notes.is_empty() {
            return;
        }
        let notes = core::mem::take(&mut self.gr_notes);
        for note in notes {
            match note {
                GrNote::Grace(scope, key) => self.grace_lsa_received(now, scope, key),
                GrNote::GraceFlushed(scope, key) => {
                    // (No let chain: the crates build with Rust 1.86.)
                    if let Some((ii, ni, _)) = self.grace_restarter(scope, &key, now) {
                        if self.interfaces[ii].neighbors[ni].gr_helper.is_some() {
                            self.gr_helper_exit(now, ii, ni, HelperExitReason::Completed);
                        }
                    }
                }
                GrNote::Topology(scope) => {
                    if !self.config.gr_helper.strict_lsa_checking {
                        continue;
                    }
                    for ii in 0..self.interfaces.len() {
                        if !self.iface_in_scope(ii, scope) {
                            continue;
                        }
                        for ni in 0..self.interfaces[ii].neighbors.len() {
                            if self.interfaces[ii].neighbors[ni].gr_helper.is_some() {
                                self.gr_helper_exit(now, ii, ni, HelperExitReason::TopologyChange);
                            }
                        }
                    }
                }
            }
        }
    }

    /// The restarting neighbor a Grace-LSA speaks for: on a point-to-point interface its
    /// advertising router, elsewhere the neighbor with the address of its IP interface
    /// address TLV (as FRR: a DR refloods a DROther's Grace-LSA to us), falling back to
    /// the advertising router when the TLV is absent. Returns the interface, the
    /// neighbor and the parsed LSA with its age (`None` when its TLVs are malformed).
    fn grace_restarter(&self, scope: Scope, key: &LsaKey, now: Instant) -> Option<Restarter> {
        let Scope::Link(ifindex) = scope else {
            return None;
        };
        let ii = self.iface_idx(ifindex)?;
        let e = self.lsdb_of(scope)?.get(key)?;
        let parsed = GraceLsa::parse(&OpaqueLsa::parse(key.lsid, e.body()))
            .ok()
            .map(|g| (g, e.age(now)));
        let iface = &self.interfaces[ii];
        let by_addr = match &parsed {
            Some((g, _)) if !iface.is_p2p() => g.interface_address,
            _ => None,
        };
        let ni = match by_addr {
            Some(a) => iface.neighbors.iter().position(|n| n.address == a)?,
            None => iface
                .neighbors
                .iter()
                .position(|n| n.router_id == key.adv_router)?,
        };
        Some((ii, ni, parsed))
    }

    /// §3.1: a Grace-LSA arrived; enter (or renew) helper mode when allowed.
    fn grace_lsa_received(&mut self, now: Instant, scope: Scope, key: LsaKey) {
        let Some((ii, ni, parsed)) = self.grace_restarter(scope, &key, now) else {
            return;
        };
        let cfg: &GrHelperConfig = &self.config.gr_helper;
        let n = &self.interfaces[ii].neighbors[ni];
        let helping = n.gr_helper.is_some();
        let reject =
            |inst: &mut Instance, why| inst.gr_event(ii, ni, GrHelperChange::Rejected(why));
        if !cfg.helps(n.router_id) {
            return reject(self, HelperRejectReason::Disabled);
        }
        let Some((grace, age)) = parsed else {
            return reject(self, HelperRejectReason::Malformed);
        };
        if n.state != crate::neighbor::NeighborState::Full && !helping {
            return reject(self, HelperRejectReason::NotFull);
        }
        let reason = grace.reason.unwrap_or(RestartReason::Unknown);
        if cfg.planned_only && !reason.is_planned() {
            return reject(self, HelperRejectReason::PlannedOnly);
        }
        // §3.1 item 2 (FRR's reading): a changed LSA still waiting for the neighbor's
        // acknowledgment. Our retransmission list does not tell a changed LSA from a
        // refresh, so any LSA of type 1-5 or 7 on it counts.
        if cfg.strict_lsa_checking
            && !helping
            && n.rxmt.keys().any(|k| is_topology_type(k.lsa_type))
        {
            return reject(self, HelperRejectReason::TopologyChange);
        }
        let Some(period) = grace.grace_period else {
            return reject(self, HelperRejectReason::GracePeriodExpired);
        };
        if u32::from(age) >= period {
            return reject(self, HelperRejectReason::GracePeriodExpired);
        }
        let granted = period.min(cfg.supported_grace_time);
        let remaining = granted.saturating_sub(u32::from(age));
        let grace_until = now + Duration::from_secs(u64::from(remaining));
        let n = &mut self.interfaces[ii].neighbors[ni];
        let resyncing = n.gr_helper.is_some_and(|h| h.resyncing);
        n.gr_helper = Some(HelperState {
            grace_period: granted,
            grace_until,
            reason,
            resyncing,
        });
        n.timers.set(NeighborTimer::GracePeriod, grace_until);
        self.gr_event(
            ii,
            ni,
            GrHelperChange::Entered {
                grace_period: granted,
                reason,
            },
        );
    }

    /// §3.2: stops helping neighbor `ni` of interface `ii`: re-originates our
    /// Router-LSA (and Network-LSA as DR), and re-runs the DR election on a broadcast
    /// network.
    pub(crate) fn gr_helper_exit(
        &mut self,
        now: Instant,
        ii: usize,
        ni: usize,
        reason: HelperExitReason,
    ) {
        let n = &mut self.interfaces[ii].neighbors[ni];
        if n.gr_helper.take().is_none() {
            return;
        }
        n.timers.stop(NeighborTimer::GracePeriod);
        self.gr_event(ii, ni, GrHelperChange::Exited(reason));
        let iface = &self.interfaces[ii];
        let (area, is_dr, broadcast) = (
            iface.config.area,
            iface.state == InterfaceState::Dr,
            iface.elects_dr(),
        );
        self.mark_router_lsa(area);
        if is_dr {
            self.mark_network_lsa(ii);
        }
        if broadcast && reason != HelperExitReason::NeighborDown {
            self.iface_event(now, ii, InterfaceEvent::NeighborChange);
        }
    }

    /// RFC 3623 §3.2: a neighbor we help is Full again after resynchronising: its
    /// restart completed.
    pub(crate) fn gr_full_again(&mut self, now: Instant, ii: usize, ni: usize) {
        if self.interfaces[ii].neighbors[ni]
            .gr_helper
            .is_some_and(|h| h.resyncing)
        {
            self.gr_helper_exit(now, ii, ni, HelperExitReason::Completed);
        }
    }

    /// Applies new helper settings: neighbors no longer allowed help are let go.
    pub(crate) fn gr_helper_reconfigured(&mut self, now: Instant) {
        for ii in 0..self.interfaces.len() {
            for ni in 0..self.interfaces[ii].neighbors.len() {
                let n = &self.interfaces[ii].neighbors[ni];
                if n.gr_helper.is_some() && !self.config.gr_helper.helps(n.router_id) {
                    self.gr_helper_exit(now, ii, ni, HelperExitReason::Disabled);
                }
            }
        }
    }

    fn gr_event(&mut self, ii: usize, ni: usize, change: GrHelperChange) {
        let iface = &self.interfaces[ii];
        let n = &iface.neighbors[ni];
        self.event(Event::GrHelper {
            ifindex: iface.ifindex,
            router_id: n.router_id,
            address: n.address,
            change,
        });
    }
}
