//! The interface state machine (RFC 2328 §9.3) and the application of the Designated
//! Router election (§9.4): the new state, AdjOK? on every neighbor, the LSAs to
//! re-originate. The election itself (who wins) is in `election.rs`.

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use super::election::{Candidate, elect_dr};
use super::{InterfaceEvent, InterfaceState};
use crate::config::InterfaceType;
use crate::instance::{Event, Instance};
use crate::lsdb::{LsaKey, Scope};
use crate::neighbor::{NeighborEvent, NeighborState};
use crate::time::{Duration, Instant};
use crate::timer::InterfaceTimer;

impl Instance {
    /// Runs the due timers of interface `ii`: Wait (§9.4), Hello (§9.5) and delayed
    /// acknowledgments (§13.5), in that order.
    pub(crate) fn run_interface_timers(&mut self, now: Instant, ii: usize) {
        let timers = &mut self.interfaces[ii].timers;
        if timers.expire(InterfaceTimer::Wait, now) {
            self.iface_event(now, ii, InterfaceEvent::WaitTimer);
        }
        self.run_hello_timer(now, ii);
        if self.interfaces[ii]
            .timers
            .expire(InterfaceTimer::DelayedAck, now)
        {
            self.send_delayed_acks(ii);
        }
    }

    /// Moves interface `ii` to `new` and reports it; marks the LSAs that depend on the
    /// interface's state for re-origination.
    pub(crate) fn set_iface_state(&mut self, ii: usize, new: InterfaceState) {
        let old = self.interfaces[ii].state;
        if old == new {
            return;
        }
        let was_attached = self.attached_to_normal_area();
        let was_border = self.is_border_router();
        let iface = &mut self.interfaces[ii];
        iface.state = new;
        let (ifindex, area) = (iface.ifindex, iface.config.area);
        self.event(Event::InterfaceState { ifindex, old, new });
        self.mark_router_lsa(area);
        // Becoming or ceasing to be a border router changes the B bit of every area's
        // Router-LSA (and the type-7 defaults we originate as one).
        if was_border != self.is_border_router() {
            self.mark_all_router_lsas();
        }
        // Attachment to a normal area decides between type-5 and type-7 announcements
        // and the P bit (RFC 3101 §2.4).
        // Only a change of that attachment, or of an NSSA interface (type-7 forwarding
        // addresses), touches them: re-checking every redistributed prefix on each
        // interface change would cost O(prefixes) per adjacency.
        if (old == InterfaceState::Down) != (new == InterfaceState::Down)
            && (was_attached != self.attached_to_normal_area()
                || matches!(self.area_kind(area), crate::config::AreaKind::Nssa { .. }))
        {
            self.mark_all_externals();
        }
        // Our Network-LSA exists only while DR.
        if old == InterfaceState::Dr || new == InterfaceState::Dr {
            self.mark_network_lsa(ii);
        }
    }

    /// Runs interface event `ev` on interface `ii` (§9.3).
    pub(crate) fn iface_event(&mut self, now: Instant, ii: usize, ev: InterfaceEvent) {
        use InterfaceState as S;
        let state = self.interfaces[ii].state;
        match ev {
            InterfaceEvent::InterfaceUp => {
                if state != S::Down {
                    return;
                }
                // A virtual link comes up only with a path to its endpoint (§15).
                if self.interfaces[ii]
                    .vlink
                    .as_ref()
                    .is_some_and(|v| v.peer_addr.is_unspecified())
                {
                    return;
                }
                let cfg = &self.interfaces[ii].config;
                let (t, passive, prio) = (cfg.if_type, cfg.passive, cfg.priority);
                let dead = Duration::from_secs(u64::from(cfg.dead_interval));
                let new = match t {
                    InterfaceType::Loopback => S::Loopback,
                    // §9.3: point-to-multipoint interfaces enter Point-to-point too.
                    InterfaceType::PointToPoint
                    | InterfaceType::PointToMultipoint
                    | InterfaceType::PointToMultipointNonBroadcast
                    | InterfaceType::VirtualLink => S::PointToPoint,
                    InterfaceType::Broadcast | InterfaceType::Nbma if prio == 0 => S::DrOther,
                    InterfaceType::Broadcast | InterfaceType::Nbma => S::Waiting,
                };
                let iface = &mut self.interfaces[ii];
                // §9.3 (NBMA): the configured neighbors are polled (event Start) with
                // the first Hello.
                let polls = iface.config.neighbors.len();
                iface.next_poll.clear();
                iface.next_poll.resize(polls, now);
                if !passive && new != S::Loopback {
                    // First Hello right away, then every HelloInterval.
                    iface.timers.set(InterfaceTimer::Hello, now);
                    if new == S::Waiting {
                        iface.timers.set(InterfaceTimer::Wait, now + dead);
                    }
                }
                self.set_iface_state(ii, new);
                if !passive && new != S::Loopback {
                    self.gr_restart_interface_up(now, ii);
                }
            }
            InterfaceEvent::WaitTimer | InterfaceEvent::BackupSeen => {
                if state == S::Waiting {
                    self.interfaces[ii].timers.stop(InterfaceTimer::Wait);
                    self.elect(now, ii);
                }
            }
            InterfaceEvent::NeighborChange => {
                if matches!(state, S::DrOther | S::Backup | S::Dr) {
                    self.elect(now, ii);
                }
            }
            InterfaceEvent::InterfaceDown | InterfaceEvent::LoopInd => {
                while !self.interfaces[ii].neighbors.is_empty() {
                    self.nbr_event(now, ii, 0, NeighborEvent::KillNbr);
                }
                let iface = &mut self.interfaces[ii];
                iface.timers.stop(InterfaceTimer::Hello);
                iface.timers.stop(InterfaceTimer::Wait);
                iface.timers.stop(InterfaceTimer::DelayedAck);
                iface.delayed_acks.clear();
                iface.flood_queue.clear();
                iface.dr = Ipv4Addr::UNSPECIFIED;
                iface.bdr = Ipv4Addr::UNSPECIFIED;
                let scope = Scope::Link(iface.ifindex);
                let keys: Vec<LsaKey> = iface.link_lsdb.iter().map(|(k, _)| *k).collect();
                for key in keys {
                    self.remove_lsa(now, scope, &key);
                }
                self.set_iface_state(ii, S::Down);
            }
            InterfaceEvent::UnloopInd => {}
        }
    }

    /// Runs the DR election (§9.4) and applies its outcome: the interface state, the
    /// adjacencies to (re)consider (AdjOK?), our LSAs, and a Hello at once.
    fn elect(&mut self, now: Instant, ii: usize) {
        let rid = self.router_id;
        let iface = &self.interfaces[ii];
        // RFC 3623 §2.2 (3): restarting, we were DR where a neighbor still names us:
        // we declare ourselves DR again in the first election.
        let was_dr = self.gr_restarting.is_some()
            && iface.state == InterfaceState::Waiting
            && iface.config.priority > 0
            && iface
                .neighbors
                .iter()
                .any(|n| n.state >= NeighborState::TwoWay && n.dr == iface.config.address);
        let me = Candidate {
            router_id: rid,
            address: iface.config.address,
            priority: iface.config.priority,
            dr: if was_dr {
                iface.config.address
            } else {
                iface.dr
            },
            bdr: iface.bdr,
        };
        let others: Vec<Candidate> = iface
            .neighbors
            .iter()
            .filter(|n| n.state >= NeighborState::TwoWay)
            .map(|n| Candidate {
                router_id: n.router_id,
                address: n.address,
                priority: n.priority,
                dr: n.dr,
                bdr: n.bdr,
            })
            .collect();
        let (dr, bdr) = elect_dr(me, &others);
        let (old_dr, old_bdr) = (iface.dr, iface.bdr);
        let addr = iface.config.address;
        let iface = &mut self.interfaces[ii];
        iface.dr = dr;
        iface.bdr = bdr;
        let new = if dr == addr {
            InterfaceState::Dr
        } else if bdr == addr {
            InterfaceState::Backup
        } else {
            InterfaceState::DrOther
        };
        self.set_iface_state(ii, new);
        // Restarting (RFC 3623 §2.3): the outcome may contradict our pre-restart LSAs.
        self.gr_restart_note();
        if old_dr != dr || old_bdr != bdr {
            // Adjacencies depend on who is DR/BDR.
            let mut ni = 0;
            while ni < self.interfaces[ii].neighbors.len() {
                let before = self.interfaces[ii].neighbors.len();
                if self.interfaces[ii].neighbors[ni].state >= NeighborState::TwoWay {
                    self.nbr_event(now, ii, ni, NeighborEvent::AdjOk);
                }
                if self.interfaces[ii].neighbors.len() == before {
                    ni += 1;
                }
            }
            // A changed DR changes our transit link and maybe our Network-LSA.
            let area = self.interfaces[ii].config.area;
            self.mark_router_lsa(area);
            self.mark_network_lsa(ii);
            // Hello at once so the others learn the outcome (as FRR and BIRD do).
            self.interfaces[ii].timers.set(InterfaceTimer::Hello, now);
        }
    }
}
