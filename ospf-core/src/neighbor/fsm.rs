//! The neighbor state machine (RFC 2328 §10.3) and the neighbor timers.
//!
//! Events come from Hellos (`interface::hello`), the database exchange (`dd`),
//! the LS Request list (`lsreq`), the interface state machine and the timers;
//! each transition is reported as [`Event::NeighborState`].

use alloc::vec::Vec;

use super::{NeighborEvent, NeighborState, SummaryCursor};
use crate::instance::{Event, HelperExitReason, Instance};
use crate::interface::{InterfaceEvent, InterfaceState};
use crate::lsdb::LsaKey;
use crate::time::{Duration, Instant};
use crate::timer::{InterfaceTimer, NeighborTimer};

impl Instance {
    /// Runs the due timers of every neighbor on interface `ii`: inactivity (§10.2), the
    /// slave's DD hold (§10.8), DD retransmission (§10.8), LS Request retransmission
    /// (§10.9) and LSA retransmission (§13.6).
    pub(crate) fn run_neighbor_timers(&mut self, now: Instant, ii: usize) {
        let mut ni = 0;
        while ni < self.interfaces[ii].neighbors.len() {
            if self.interfaces[ii].neighbors[ni]
                .timers
                .expire(NeighborTimer::GracePeriod, now)
            {
                self.gr_helper_exit(now, ii, ni, HelperExitReason::GraceTimeout);
            }
            let dead = Duration::from_secs(u64::from(self.interfaces[ii].config.dead_interval));
            let n = &mut self.interfaces[ii].neighbors[ni];
            if n.timers.is_due(NeighborTimer::Inactivity, now) {
                if n.gr_helper.is_some() {
                    // RFC 3623 §3: a restarting neighbor is silent; its grace period,
                    // not its dead interval, bounds the wait. Dead once help ends.
                    n.timers.set(NeighborTimer::Inactivity, now + dead);
                } else {
                    self.nbr_event(now, ii, ni, NeighborEvent::InactivityTimer);
                    // The neighbor was removed; the same index now holds the next one.
                    continue;
                }
            }
            if n.timers.expire(NeighborTimer::DdHold, now) {
                n.last_tx_dd.clear();
            }
            if n.timers.is_due(NeighborTimer::DdRxmt, now) {
                self.retransmit_dd(now, ii, ni);
            }
            let n = &mut self.interfaces[ii].neighbors[ni];
            if n.timers.expire(NeighborTimer::LsRequestRxmt, now) {
                n.lsr_last = None;
                self.send_ls_request(now, ii, ni);
            }
            if self.interfaces[ii].neighbors[ni]
                .timers
                .is_due(NeighborTimer::LsRxmt, now)
            {
                self.retransmit_lsas(now, ii, ni);
            }
            ni += 1;
        }
    }

    /// True when an adjacency should form with neighbor `ni` (§10.4).
    fn adjacency_wanted(&self, ii: usize, ni: usize) -> bool {
        let i = &self.interfaces[ii];
        if !i.elects_dr() {
            return true;
        }
        let n = &i.neighbors[ni];
        i.is_dr_or_backup() || n.address == i.dr || n.address == i.bdr
    }

    /// Moves neighbor `ni` to `new` and reports it; entering or leaving Full marks our
    /// Router-LSA (and, as DR, our Network-LSA) for re-origination.
    fn set_nbr_state(&mut self, ii: usize, ni: usize, new: NeighborState, reason: NeighborEvent) {
        let clock = self.clock;
        let iface = &mut self.interfaces[ii];
        let n = &mut iface.neighbors[ni];
        let old = n.state;
        if old == new {
            return;
        }
        n.state = new;
        n.full_since = (new == NeighborState::Full).then_some(clock);
        if old == NeighborState::Full {
            if let Some(h) = n.gr_helper.as_mut() {
                // RFC 3623: the restarted neighbor resynchronises; Full again completes it.
                h.resyncing = true;
            }
        }
        let (router_id, address) = (n.router_id, n.address);
        let ifindex = iface.ifindex;
        let area = iface.config.area;
        let is_dr = iface.state == InterfaceState::Dr;
        if new == NeighborState::Full {
            iface.remember_adjacent(router_id);
        }
        self.event(Event::NeighborState {
            ifindex,
            router_id,
            address,
            old,
            new,
            reason,
        });
        if (old == NeighborState::Full) != (new == NeighborState::Full) {
            self.gr_restart_note();
            self.mark_router_lsa(area);
            // The V bit of the transit area's Router-LSA follows the virtual adjacency.
            if let Some(t) = self.interfaces[ii]
                .vlink
                .as_ref()
                .map(|v| v.config.transit_area)
            {
                self.mark_router_lsa(t);
            }
            if is_dr {
                self.mark_network_lsa(ii);
            }
        }
    }

    /// Enters ExStart: picks a DD sequence number and starts sending empty I|M|MS DDs.
    fn start_exstart(&mut self, now: Instant, ii: usize, ni: usize, reason: NeighborEvent) {
        let seq = (self.prng.next_u64() as u32) & 0x7FFF_FFFF;
        let n = &mut self.interfaces[ii].neighbors[ni];
        n.clear_lists();
        n.dd_seq = seq.max(1);
        n.master = true;
        n.last_tx_more = true;
        self.set_nbr_state(ii, ni, NeighborState::ExStart, reason);
        self.send_dd(now, ii, ni);
    }

    /// Runs neighbor event `ev` on neighbor `ni` of interface `ii` (§10.3). After
    /// KillNbr, LLDown and InactivityTimer the neighbor is removed from the list.
    pub(crate) fn nbr_event(&mut self, now: Instant, ii: usize, ni: usize, ev: NeighborEvent) {
        use NeighborState as S;
        let state = self.interfaces[ii].neighbors[ni].state;
        let dead = Duration::from_secs(u64::from(self.interfaces[ii].config.dead_interval));
        match ev {
            NeighborEvent::HelloReceived => {
                self.interfaces[ii].neighbors[ni]
                    .timers
                    .set(NeighborTimer::Inactivity, now + dead);
                if state < S::Init {
                    self.set_nbr_state(ii, ni, S::Init, ev);
                    // Answer a new neighbor at once so that it sees itself listed
                    // without waiting a whole HelloInterval.
                    self.interfaces[ii]
                        .timers
                        .set_no_later(InterfaceTimer::Hello, now);
                }
            }
            NeighborEvent::TwoWayReceived => {
                if state == S::Init {
                    if self.adjacency_wanted(ii, ni) {
                        self.start_exstart(now, ii, ni, ev);
                    } else {
                        self.set_nbr_state(ii, ni, S::TwoWay, ev);
                    }
                    // §9.2: bidirectional communication established, however it was
                    // learned (a Hello, or a DD packet received in Init).
                    if self.interfaces[ii].elects_dr() {
                        self.iface_event(now, ii, InterfaceEvent::NeighborChange);
                    }
                }
            }
            NeighborEvent::NegotiationDone => {
                if state == S::ExStart {
                    self.interfaces[ii].neighbors[ni].summary = SummaryCursor::START;
                    self.set_nbr_state(ii, ni, S::Exchange, ev);
                    self.queue_maxage_for(now, ii, ni);
                }
            }
            NeighborEvent::ExchangeDone => {
                if state == S::Exchange {
                    let n = &mut self.interfaces[ii].neighbors[ni];
                    n.timers.stop(NeighborTimer::DdRxmt);
                    if n.ls_req.is_empty() {
                        self.set_nbr_state(ii, ni, S::Full, ev);
                        self.gr_full_again(now, ii, ni);
                    } else {
                        self.set_nbr_state(ii, ni, S::Loading, ev);
                    }
                }
            }
            NeighborEvent::LoadingDone => {
                if state == S::Loading {
                    let n = &mut self.interfaces[ii].neighbors[ni];
                    n.timers.stop(NeighborTimer::LsRequestRxmt);
                    n.lsr_last = None;
                    self.set_nbr_state(ii, ni, S::Full, ev);
                    self.gr_full_again(now, ii, ni);
                }
            }
            NeighborEvent::AdjOk => {
                let wanted = self.adjacency_wanted(ii, ni);
                if state == S::TwoWay && wanted {
                    self.start_exstart(now, ii, ni, ev);
                } else if state >= S::ExStart && !wanted {
                    self.interfaces[ii].neighbors[ni].clear_lists();
                    self.set_nbr_state(ii, ni, S::TwoWay, ev);
                }
            }
            NeighborEvent::SeqNumberMismatch | NeighborEvent::BadLsReq => {
                if state >= S::Exchange {
                    self.start_exstart(now, ii, ni, ev);
                }
            }
            NeighborEvent::OneWayReceived => {
                if state >= S::TwoWay {
                    self.interfaces[ii].neighbors[ni].clear_lists();
                    self.set_nbr_state(ii, ni, S::Init, ev);
                    if self.interfaces[ii].elects_dr() {
                        self.iface_event(now, ii, InterfaceEvent::NeighborChange);
                    }
                }
            }
            NeighborEvent::KillNbr | NeighborEvent::LlDown | NeighborEvent::InactivityTimer => {
                let was_two_way = state >= S::TwoWay;
                self.gr_helper_exit(now, ii, ni, HelperExitReason::NeighborDown);
                self.interfaces[ii].neighbors[ni].clear_lists();
                self.set_nbr_state(ii, ni, S::Down, ev);
                self.interfaces[ii].neighbors.remove(ni);
                if was_two_way
                    && self.interfaces[ii].elects_dr()
                    && self.interfaces[ii].state != InterfaceState::Down
                {
                    self.iface_event(now, ii, InterfaceEvent::NeighborChange);
                }
            }
            NeighborEvent::Start => {}
        }
    }

    /// §10.3 NegotiationDone: LSAs at MaxAge are not described in the database summary
    /// but put on the neighbor's retransmission list, so that a flush in progress
    /// reaches a neighbor that was not adjacent when it was flooded.
    fn queue_maxage_for(&mut self, now: Instant, ii: usize, ni: usize) {
        let items: Vec<(LsaKey, crate::lsdb::LsaInstance)> = self
            .maxage
            .iter()
            .filter(|(scope, _)| self.iface_in_scope(ii, *scope))
            .filter_map(|(scope, key)| {
                let e = self.lsdb_of(*scope)?.get(key)?;
                e.is_max_age(now).then(|| (*key, e.instance(now)))
            })
            .collect();
        let rxmt = Duration::from_secs(u64::from(self.interfaces[ii].config.rxmt_interval));
        let n = &mut self.interfaces[ii].neighbors[ni];
        // Opaque LSAs only to a neighbor that takes them (RFC 5250 §3.1).
        let items: Vec<_> = items
            .into_iter()
            .filter(|(k, _)| n.takes(k.lsa_type))
            .collect();
        if items.is_empty() {
            return;
        }
        n.rxmt.extend(items);
        n.timers.set_if_stopped(NeighborTimer::LsRxmt, now + rxmt);
    }
}
