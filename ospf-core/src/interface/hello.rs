//! The Hello protocol: sending Hellos (RFC 2328 §9.5) with their jittered timer, and
//! receiving them (§10.5), which creates neighbors and drives both state machines.

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use super::{DropReason, Interface, InterfaceEvent, InterfaceState};
use crate::config::{AreaKind, InterfaceType};
use crate::instance::{ALL_SPF_ROUTERS, Instance};
use crate::neighbor::{Neighbor, NeighborEvent, NeighborState};
use crate::time::{Duration, Instant};
use crate::timer::InterfaceTimer;
use crate::wire::{BodyRepr, HelloRepr, List, Options};

/// Hello jitter: up to HelloInterval / this.
const HELLO_JITTER_DIVISOR: u64 = 10;

impl Instance {
    /// Sends the Hello when its timer is due and re-arms the timer (§9.5).
    pub(crate) fn run_hello_timer(&mut self, now: Instant, ii: usize) {
        if self.interfaces[ii]
            .timers
            .is_due(InterfaceTimer::Hello, now)
        {
            self.send_hello(now, ii);
            let period = self.interfaces[ii].config.hello_period();
            let next = self.hello_after(period);
            self.interfaces[ii]
                .timers
                .set(InterfaceTimer::Hello, now + next);
        }
    }

    /// The delay until the next Hello: HelloInterval shortened by a random jitter of up
    /// to a tenth of it (never longer than the interval, so RouterDeadInterval holds),
    /// so that routers started together do not keep sending in lockstep (RFC 2328 §4.4
    /// advises against synchronized timers). Drawn from the seeded PRNG: deterministic.
    fn hello_after(&mut self, period: Duration) -> Duration {
        let iv = period.as_micros();
        let jitter = self.prng.below(iv / HELLO_JITTER_DIVISOR + 1);
        Duration::from_micros(iv - jitter)
    }

    /// Sends a Hello out of interface `ii` (§9.5), listing every neighbor heard from.
    fn send_hello(&mut self, now: Instant, ii: usize) {
        let iface = &self.interfaces[ii];
        if !iface.enabled || !iface.is_active() {
            return;
        }
        let neighbors: Vec<Ipv4Addr> = iface
            .neighbors
            .iter()
            .filter(|n| n.state >= NeighborState::Init)
            .map(|n| n.router_id)
            .collect();
        // An unnumbered point-to-point link (a /32) advertises mask 0.0.0.0.
        let unnumbered = iface.is_p2p() && iface.config.prefix_len >= 32;
        let hello = HelloRepr {
            network_mask: if unnumbered {
                Ipv4Addr::UNSPECIFIED
            } else {
                iface.mask()
            },
            hello_interval: iface.config.wire_hello_interval(),
            options: self.hello_options(ii),
            priority: iface.config.priority,
            dead_interval: iface.config.dead_interval,
            dr: iface.dr,
            bdr: iface.bdr,
            neighbors: List::Slice(&neighbors),
        };
        if let Some(v) = &iface.vlink {
            let dst = v.peer_addr;
            self.send(ii, dst, BodyRepr::Hello(hello));
            return;
        }
        if !iface.config.if_type.is_non_broadcast() {
            self.send(ii, ALL_SPF_ROUTERS, BodyRepr::Hello(hello));
            return;
        }
        let dsts = self.hello_unicast_targets(now, ii);
        if dsts.is_empty() {
            return;
        }
        if let Some(bytes) = self.encode(ii, BodyRepr::Hello(hello)) {
            for dst in dsts {
                self.queue_tx(ii, dst, bytes.clone());
            }
        }
    }

    /// Where the Hellos of a non-broadcast interface go (§9.5.1), as FRR sends them:
    /// on NBMA, to every neighbor heard from that is eligible to become DR, and to the
    /// ineligible ones too while we are eligible and not DROther; to every configured
    /// neighbor not heard from (down) once per PollInterval. On non-broadcast
    /// point-to-multipoint, to every neighbor, configured or heard, each HelloInterval.
    fn hello_unicast_targets(&mut self, now: Instant, ii: usize) -> Vec<Ipv4Addr> {
        let iface = &mut self.interfaces[ii];
        let nbma = iface.config.if_type == InterfaceType::Nbma;
        let we_eligible = iface.config.priority > 0 && iface.state != InterfaceState::DrOther;
        let mut dsts: Vec<Ipv4Addr> = iface
            .neighbors
            .iter()
            .filter(|n| n.state >= NeighborState::Init)
            .filter(|n| !nbma || n.priority > 0 || we_eligible)
            .map(|n| n.address)
            .collect();
        let Interface {
            config,
            neighbors,
            next_poll,
            ..
        } = iface;
        for (k, s) in config.neighbors.iter().enumerate() {
            if neighbors
                .iter()
                .any(|n| n.address == s.address && n.state >= NeighborState::Init)
            {
                continue;
            }
            if !nbma {
                dsts.push(s.address);
                continue;
            }
            let Some(at) = next_poll.get_mut(k) else {
                continue;
            };
            if now >= *at {
                *at = now + Duration::from_secs(u64::from(s.poll_interval.max(1)));
                dsts.push(s.address);
            }
        }
        dsts
    }

    /// Receives a Hello (§10.5): checks its parameters against the interface, finds or
    /// creates the neighbor, and raises the neighbor and interface events it implies.
    pub(crate) fn recv_hello(
        &mut self,
        now: Instant,
        ii: usize,
        src: Ipv4Addr,
        router_id: Ipv4Addr,
        h: &HelloRepr<'_>,
        crypto_seq: Option<u32>,
    ) -> Result<(), DropReason> {
        let iface = &self.interfaces[ii];
        let cfg = &iface.config;
        // §10.5: the mask is checked except on point-to-point links (and, as FRR does, on
        // point-to-multipoint interfaces with a /32, where nothing shares a subnet).
        if iface.checks_subnet() && h.network_mask != iface.mask() {
            return Err(DropReason::HelloMismatch);
        }
        if h.hello_interval != cfg.wire_hello_interval() || h.dead_interval != cfg.dead_interval {
            return Err(DropReason::HelloMismatch);
        }
        let kind = self.area_kind(cfg.area);
        if h.options.contains(Options::E) != kind.external_routing()
            || h.options.contains(Options::NP) != matches!(kind, AreaKind::Nssa { .. })
        {
            return Err(DropReason::HelloMismatch);
        }
        let ni = match iface.find_neighbor(router_id, src) {
            Some(ni) => ni,
            None => {
                let iface = &self.interfaces[ii];
                if iface.neighbors.len() >= iface.max_neighbors() {
                    // The table is full. A router that sees us (bidirectional) or was
                    // adjacent before is admitted in place of one that never got past
                    // Init; anyone else is dropped. The table stays bounded either way.
                    let rid = self.router_id;
                    let sees_us = h.neighbors.iter().any(|x| x == rid);
                    let was_adjacent = iface.adjacent_before.contains(&router_id);
                    if !sees_us && !was_adjacent {
                        return Err(DropReason::TooManyNeighbors);
                    }
                    let Some(victim) = iface.eviction_candidate(was_adjacent) else {
                        return Err(DropReason::TooManyNeighbors);
                    };
                    self.nbr_event(now, ii, victim, NeighborEvent::KillNbr);
                }
                let iface = &mut self.interfaces[ii];
                iface.neighbors.push(Neighbor::new(router_id, src, now));
                iface.neighbors.len() - 1
            }
        };
        self.check_crypto_seq(ii, ni, crypto_seq)?;
        let n = &mut self.interfaces[ii].neighbors[ni];
        n.address = src;
        n.router_id = router_id;
        if n.gr_helper.is_some() {
            // RFC 3623 §3: while we help it restart, its Hellos keep it alive and no
            // more. It stays Full though they may not list us yet, and the DR, BDR and
            // priority it declares are taken once help ends (as FRR does).
            self.nbr_event(now, ii, ni, NeighborEvent::HelloReceived);
            if h.neighbors.iter().any(|x| x == self.router_id) {
                self.nbr_event(now, ii, ni, NeighborEvent::TwoWayReceived);
            }
            return Ok(());
        }
        let (old_prio, old_dr_decl, old_bdr_decl) = (n.priority, n.declares_dr(), n.declares_bdr());
        let fields_changed = n.dr != h.dr || n.bdr != h.bdr;
        n.priority = h.priority;
        n.dr = h.dr;
        n.bdr = h.bdr;
        n.options = h.options;
        let (dr_decl, bdr_decl) = (n.declares_dr(), n.declares_bdr());
        let bdr_none = h.bdr.is_unspecified();
        self.nbr_event(now, ii, ni, NeighborEvent::HelloReceived);
        let rid = self.router_id;
        if !h.neighbors.iter().any(|x| x == rid) {
            self.nbr_event(now, ii, ni, NeighborEvent::OneWayReceived);
            return Ok(());
        }
        self.nbr_event(now, ii, ni, NeighborEvent::TwoWayReceived);
        if !self.interfaces[ii].elects_dr() {
            return Ok(());
        }
        let waiting = self.interfaces[ii].state == InterfaceState::Waiting;
        // Beyond §10.5 (which reacts only to a neighbor declaring or undeclaring itself),
        // any change of the DR/BDR a neighbor reports re-runs the election, as BIRD does:
        // an election run on partial information is then never left standing.
        let mut change = old_prio != h.priority || fields_changed;
        let mut backup_seen = false;
        if dr_decl && bdr_none && waiting {
            backup_seen = true;
        } else if dr_decl != old_dr_decl {
            change = true;
        }
        if bdr_decl && waiting {
            backup_seen = true;
        } else if bdr_decl != old_bdr_decl {
            change = true;
        }
        // RFC 3623 §2.2 (3): restarting, we were DR where a neighbor still names us.
        let me = self.interfaces[ii].config.address;
        // The election (at once) then declares us DR again (see `elect`).
        if self.gr_restarting.is_some() && h.dr == me && waiting {
            backup_seen = true;
        }
        if backup_seen {
            self.iface_event(now, ii, InterfaceEvent::BackupSeen);
        }
        if change {
            self.iface_event(now, ii, InterfaceEvent::NeighborChange);
        }
        Ok(())
    }
}
