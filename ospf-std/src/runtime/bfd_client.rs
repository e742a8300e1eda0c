//! OSPF as a BFD client (RFC 5882): on interfaces with `ip ospf bfd`, a session per
//! neighbor from 2-Way on; a session that fails (Up to Down, not AdminDown) kills the
//! neighbor at once instead of after the dead interval. A neighbor that never answers
//! BFD keeps its adjacency: its session simply never comes Up.

use std::net::Ipv4Addr;

use ospf_core::bfd::wire::State;
use ospf_core::bfd::{SessionConfig, SessionKey};
use ospf_core::neighbor::NeighborState;
use tracing::{info, warn};

use super::{Event, Runtime};
use crate::bfd::BfdPeer;

impl Runtime {
    /// The BFD settings of the interface behind engine key `key`, if `ip ospf bfd` is on.
    fn bfd_config(&self, key: u32) -> Option<SessionConfig> {
        let name = &self.active.get(&key)?.bound.name;
        let ib = self.conf.interface(name)?.bfd.as_ref()?;
        let p = ib.profile.as_deref().and_then(|n| self.conf.bfd_profile(n));
        let tx = p.and_then(|p| p.transmit_interval).unwrap_or(300);
        let rx = p.and_then(|p| p.receive_interval).unwrap_or(300);
        let mult = p.and_then(|p| p.detect_multiplier).unwrap_or(3);
        Some(SessionConfig::new(tx.into(), rx.into(), mult))
    }

    /// Starts or ends the BFD session of a neighbor whose state changed.
    pub(super) fn bfd_neighbor(
        &mut self,
        key: u32,
        router_id: Ipv4Addr,
        address: Ipv4Addr,
        old: NeighborState,
        new: NeighborState,
    ) {
        let Some(a) = self.active.get(&key) else {
            return;
        };
        let (ifindex, name, local) = (a.bound.ifindex, a.bound.name.clone(), a.bound.addr);
        let skey = SessionKey {
            ifindex,
            peer: address,
        };
        let now = self.now();
        if new >= NeighborState::TwoWay && old < NeighborState::TwoWay {
            let Some(cfg) = self.bfd_config(key) else {
                return;
            };
            match self.bfd.add_peer(now, &name, ifindex, local, address, cfg) {
                Ok(()) => {
                    self.bfd_clients.insert(skey, (key, router_id));
                }
                Err(e) => warn!(interface = %name, peer = %address, "BFD session not started: {e}"),
            }
        } else if new < NeighborState::TwoWay && old >= NeighborState::TwoWay {
            // A neighbor BFD took down keeps its (Down) session, which comes Up again
            // with the path; any other loss of the neighbor ends the session.
            if self.bfd_killed.remove(&skey) {
                return;
            }
            if self.bfd_clients.remove(&skey).is_some() {
                self.bfd.remove_peer(now, ifindex, address);
            }
        }
    }

    /// After a reload: new timers go to the running sessions (a Poll Sequence, RFC 5880
    /// §6.5), sessions of interfaces without `ip ospf bfd` end, and neighbors at 2-Way or
    /// more on interfaces that now have it get a session.
    pub(super) fn bfd_reconfigure(&mut self) {
        let now = self.now();
        let clients: Vec<(SessionKey, u32)> = self
            .bfd_clients
            .iter()
            .map(|(s, (k, _))| (*s, *k))
            .collect();
        for (skey, key) in clients {
            let bound = self
                .active
                .get(&key)
                .map(|a| (a.bound.name.clone(), a.bound.addr));
            match (self.bfd_config(key), bound) {
                (Some(cfg), Some((name, local))) => {
                    if let Err(e) =
                        self.bfd
                            .add_peer(now, &name, skey.ifindex, local, skey.peer, cfg)
                    {
                        warn!(peer = %skey.peer, "BFD session not updated: {e}");
                    }
                }
                _ => {
                    self.bfd_clients.remove(&skey);
                    self.bfd_killed.remove(&skey);
                    self.bfd.remove_peer(now, skey.ifindex, skey.peer);
                }
            }
        }
        let new: Vec<_> = self
            .ospf
            .neighbors()
            .filter(|n| n.state >= NeighborState::TwoWay)
            .map(|n| (n.ifindex, n.router_id, n.address, n.state))
            .collect();
        for (key, rid, addr, state) in new {
            let known = self.bfd_clients.keys().any(|k| {
                k.peer == addr
                    && self
                        .active
                        .get(&key)
                        .is_some_and(|a| a.bound.ifindex == k.ifindex)
            });
            if !known {
                self.bfd_neighbor(key, rid, addr, NeighborState::Down, state);
            }
        }
        self.bfd_drain();
    }

    /// Reads the BFD socket of `ifindex`.
    pub(super) fn bfd_read(&mut self, ifindex: u32) {
        let now = self.now();
        self.bfd.read(now, ifindex);
        self.bfd_drain();
    }

    /// Runs BFD's timers when due.
    pub(super) fn bfd_timers(&mut self) {
        let now = self.now();
        if self.bfd.poll_timeout().is_some_and(|t| t <= now) {
            self.bfd.handle_timeout(now);
        }
        self.bfd_drain();
    }

    /// Sends BFD's packets and acts on its events.
    pub(super) fn bfd_drain(&mut self) {
        let now = self.now();
        for e in self.bfd.drain(now) {
            let t = e.transition;
            info!(ifindex = e.key.ifindex, peer = %e.key.peer, from = ?t.from, to = ?t.to, diag = t.diag.name(), "BFD session state");
            if self.shared.has_subscribers() {
                self.emit(Event::Bfd {
                    interface: self.ifname(e.key.ifindex),
                    peer: e.key.peer,
                    old: t.from,
                    new: t.to,
                    diagnostic: t.diag,
                });
            }
            if t.is_failure() {
                if let Some((key, rid)) = self.bfd_clients.get(&e.key).copied() {
                    info!(%rid, peer = %e.key.peer, "BFD session down: OSPF neighbor taken down");
                    self.bfd_killed.insert(e.key);
                    if !self.ospf.neighbor_down(now, key, rid) {
                        self.bfd_killed.remove(&e.key);
                    }
                    self.drain();
                }
            } else if t.to == State::Up {
                self.bfd_killed.remove(&e.key);
            }
        }
    }

    /// The BFD sessions, as `show bfd peers` reports them.
    pub fn bfd_peers(&self) -> Vec<BfdPeer> {
        let now = self.now();
        self.bfd
            .status()
            .iter()
            .map(|s| {
                let client = self.bfd_clients.get(&s.key);
                let local = client
                    .and_then(|(k, _)| self.active.get(k))
                    .map_or(Ipv4Addr::UNSPECIFIED, |a| a.bound.addr);
                BfdPeer::from_status(
                    s,
                    now,
                    self.ifname(s.key.ifindex),
                    local,
                    client.map(|(_, r)| *r),
                )
            })
            .collect()
    }
}
