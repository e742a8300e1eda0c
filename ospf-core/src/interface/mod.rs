//! OSPF interfaces (RFC 2328 §9): states, events, per-interface data, counters and the
//! Designated Router election of §9.4.
//!
//! * this file: [`InterfaceState`], [`InterfaceEvent`], [`DropReason`], the counters and
//!   the per-interface data;
//! * `fsm.rs`: the interface state machine (§9.3), the application of the DR election
//!   (§9.4: new state, AdjOK?, LSAs) and the interface timers;
//! * `election.rs`: the DR/BDR election proper (§9.4 steps 2 to 4);
//! * `hello.rs`: the Hello protocol, sending (§9.5) and receiving (§10.5).

mod election;
mod fsm;
mod hello;

use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::config::InterfaceConfig;
use crate::lsdb::Lsdb;
use crate::neighbor::{Neighbor, NeighborState};
use crate::timer::InterfaceTimers;
use crate::wire::LsaHeader;

/// Interface state (RFC 2328 §9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum InterfaceState {
    /// Not operational.
    Down,
    /// A loopback interface.
    Loopback,
    /// Waiting to learn the DR and BDR before electing.
    Waiting,
    /// A point-to-point interface.
    PointToPoint,
    /// A broadcast interface where this router is neither DR nor BDR.
    DrOther,
    /// This router is the Backup Designated Router.
    Backup,
    /// This router is the Designated Router.
    Dr,
}

/// Interface events (RFC 2328 §9.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InterfaceEvent {
    /// The lower layer is up.
    InterfaceUp,
    /// The Wait timer fired.
    WaitTimer,
    /// A neighbor declared itself BDR (or DR with no BDR) while Waiting.
    BackupSeen,
    /// Bidirectional communication or DR/BDR declarations of a neighbor changed.
    NeighborChange,
    /// The interface was found looped back.
    LoopInd,
    /// No longer looped back.
    UnloopInd,
    /// The lower layer is down.
    InterfaceDown,
}

/// Why a received packet was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum DropReason {
    /// Not a valid OSPFv2 packet (lengths, version, type, body).
    Malformed,
    /// The packet checksum did not verify.
    BadChecksum,
    /// Authentication type, key or digest mismatch, or a replayed sequence number.
    AuthFailed,
    /// The area ID differs from the interface's.
    AreaMismatch,
    /// Sent by this router (our own address: a loop).
    OwnPacket,
    /// Another router uses our router ID (RFC 2328 §10.5, §8.2).
    DuplicateRouterId,
    /// Hello parameters (mask, intervals, options) disagree with the interface.
    HelloMismatch,
    /// A non-Hello packet from a router that is not a known neighbor.
    UnknownNeighbor,
    /// The packet is not acceptable in the neighbor's state (e.g. DD in 2-Way).
    WrongState,
    /// Database Description with a larger MTU than ours.
    MtuMismatch,
    /// An LSA with a bad checksum, length or sequence number, or of an unknown type.
    BadLsa,
    /// Sent to AllDRouters while we are neither DR nor BDR, or from another subnet.
    WrongDestination,
    /// The interface is down, passive or a loopback.
    InterfaceInactive,
    /// The LSDB is at its configured limit.
    LsdbFull,
    /// A Hello from a new router on an interface that already has as many neighbors as
    /// one Hello at the interface MTU can list (RFC 2328 §9.5: every Hello lists them all).
    TooManyNeighbors,
    /// From a neighbor that is being ignored because its flooding crossed the LSDB
    /// limit ([`IgnorePolicy`](crate::config::IgnorePolicy), Cisco's `max-lsa ...
    /// ignore-time`).
    NeighborIgnored,
}

impl DropReason {
    /// Number of reasons.
    pub const COUNT: usize = 16;
    /// Every reason, in counter order.
    pub const ALL: [DropReason; Self::COUNT] = [
        DropReason::Malformed,
        DropReason::BadChecksum,
        DropReason::AuthFailed,
        DropReason::AreaMismatch,
        DropReason::OwnPacket,
        DropReason::DuplicateRouterId,
        DropReason::HelloMismatch,
        DropReason::UnknownNeighbor,
        DropReason::WrongState,
        DropReason::MtuMismatch,
        DropReason::BadLsa,
        DropReason::WrongDestination,
        DropReason::InterfaceInactive,
        DropReason::LsdbFull,
        DropReason::TooManyNeighbors,
        DropReason::NeighborIgnored,
    ];
}

/// Why authentication failed ([`DropReason::AuthFailed`] broken down, RFC 2328 D.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The packet's AuType is not the interface's.
    TypeMismatch,
    /// No key with the packet's key ID is configured.
    UnknownKey,
    /// The digest (or the simple password) does not match.
    BadDigest,
    /// The cryptographic sequence number went backwards (a replay, D.3).
    Replay,
    /// The authentication data is missing or of the wrong length.
    BadLength,
}

impl AuthFailure {
    /// Number of kinds.
    pub const COUNT: usize = 5;
    /// Every kind, in counter order.
    pub const ALL: [AuthFailure; Self::COUNT] = [
        AuthFailure::TypeMismatch,
        AuthFailure::UnknownKey,
        AuthFailure::BadDigest,
        AuthFailure::Replay,
        AuthFailure::BadLength,
    ];
}

/// Packets counted by OSPF packet type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PacketCounts {
    /// Hellos.
    pub hello: u64,
    /// Database Descriptions.
    pub db_desc: u64,
    /// Link State Requests.
    pub ls_request: u64,
    /// Link State Updates.
    pub ls_update: u64,
    /// Link State Acknowledgments.
    pub ls_ack: u64,
}

impl PacketCounts {
    /// Sum over all types.
    pub fn total(&self) -> u64 {
        self.hello + self.db_desc + self.ls_request + self.ls_update + self.ls_ack
    }
    pub(crate) fn bump(&mut self, ptype: u8) {
        match ptype {
            1 => self.hello += 1,
            2 => self.db_desc += 1,
            3 => self.ls_request += 1,
            4 => self.ls_update += 1,
            5 => self.ls_ack += 1,
            _ => {}
        }
    }
}

/// Per-interface counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InterfaceCounters {
    /// Packets sent.
    pub sent: PacketCounts,
    /// Packets received and accepted.
    pub received: PacketCounts,
    /// Packets (or LSAs within them) dropped, indexed by [`DropReason`] as `usize`.
    pub dropped: [u64; DropReason::COUNT],
    /// The [`DropReason::AuthFailed`] drops by kind, indexed by [`AuthFailure`] as
    /// `usize` (they add up to that counter).
    pub auth_failures: [u64; AuthFailure::COUNT],
    /// LSAs received in accepted Link State Updates, each LSA of each packet (new,
    /// duplicate or older instances alike; those refused are also counted in
    /// [`dropped`](Self::dropped)).
    pub lsas_received: u64,
    /// LSAs sent in Link State Updates for the first time: flooded (RFC 2328 §13.3),
    /// answering a Link State Request (§10.9) or sent back as the newer instance
    /// (§13 step 8). Retransmissions are counted apart.
    pub lsas_sent: u64,
    /// LSAs sent again from neighbors' retransmission lists because no acknowledgment
    /// came within RxmtInterval (§13.6).
    pub lsas_retransmitted: u64,
}

impl InterfaceCounters {
    /// Drops counted for `reason`.
    pub fn dropped(&self, reason: DropReason) -> u64 {
        self.dropped[reason as usize]
    }
    /// All drops.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.iter().sum()
    }
    /// Authentication failures of one kind.
    pub fn auth_failures(&self, kind: AuthFailure) -> u64 {
        self.auth_failures[kind as usize]
    }
    pub(crate) fn drop(&mut self, reason: DropReason) {
        self.dropped[reason as usize] += 1;
    }
    pub(crate) fn auth_failed(&mut self, kind: AuthFailure) {
        self.auth_failures[kind as usize] += 1;
    }
}

/// An OSPF interface.
#[derive(Debug)]
pub(crate) struct Interface {
    pub(crate) ifindex: u32,
    pub(crate) config: InterfaceConfig,
    pub(crate) enabled: bool,
    pub(crate) state: InterfaceState,
    /// DR and BDR as interface addresses (0.0.0.0: none).
    pub(crate) dr: Ipv4Addr,
    pub(crate) bdr: Ipv4Addr,
    pub(crate) neighbors: Vec<Neighbor>,
    /// Hello, Wait and delayed-acknowledgment timers.
    pub(crate) timers: InterfaceTimers,
    pub(crate) delayed_acks: Vec<LsaHeader>,
    /// LSAs (keys) to flood out of this interface at the end of the current input.
    pub(crate) flood_queue: Vec<crate::lsdb::LsaKey>,
    pub(crate) link_lsdb: Lsdb,
    pub(crate) counters: InterfaceCounters,
    /// Router IDs that were Full on this interface, least recently first (at most
    /// [`Interface::max_neighbors`]): under a Hello flood they are admitted first.
    pub(crate) adjacent_before: Vec<Ipv4Addr>,
    /// Non-broadcast networks: when each configured neighbor
    /// ([`InterfaceConfig::neighbors`], same order) that is down is polled next
    /// (§9.5.1: every PollInterval).
    pub(crate) next_poll: Vec<crate::time::Instant>,
    /// A virtual link (RFC 2328 §15): its configuration and what the transit area's
    /// calculation found for it. `None` on every other interface.
    pub(crate) vlink: Option<Vlink>,
}

/// A virtual link's state beside its interface: the configured endpoint and transit
/// area, and (while up) the path through the transit area (§16.1: cost, our address on
/// the path's first interface, the endpoint's address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Vlink {
    pub(crate) config: crate::config::VirtualLinkConfig,
    /// The endpoint's address (the virtual neighbor's IP address); 0.0.0.0 while down.
    pub(crate) peer_addr: Ipv4Addr,
    /// Our interface in the transit area the path leaves through.
    pub(crate) out_ifindex: u32,
    /// Cost of the path through the transit area (the virtual interface's cost).
    pub(crate) cost: u32,
}

impl Interface {
    /// The most neighbors this interface keeps: as many router IDs as one Hello can list
    /// at the interface MTU, after the IP header, the OSPF header, the Hello's fixed
    /// fields and the longest authentication digest (HMAC-SHA-512). A flood of Hellos
    /// from forged router IDs can then neither grow our state without bound nor push
    /// our own Hello past the MTU and cost the real adjacencies.
    pub fn max_neighbors(&self) -> usize {
        const OVERHEAD: usize = 20 + crate::wire::HEADER_LEN + crate::wire::HELLO_FIXED_LEN + 64;
        (usize::from(self.config.mtu).saturating_sub(OVERHEAD) / 4).max(1)
    }

    pub(crate) fn new(ifindex: u32, config: InterfaceConfig) -> Self {
        Interface {
            ifindex,
            config,
            enabled: true,
            state: InterfaceState::Down,
            dr: Ipv4Addr::UNSPECIFIED,
            bdr: Ipv4Addr::UNSPECIFIED,
            neighbors: Vec::new(),
            timers: InterfaceTimers::new(),
            delayed_acks: Vec::new(),
            flood_queue: Vec::new(),
            link_lsdb: Lsdb::new(),
            counters: InterfaceCounters::default(),
            adjacent_before: Vec::new(),
            next_poll: Vec::new(),
            vlink: None,
        }
    }

    /// Records that `router_id` reached Full here (bounded, least recently used out).
    pub(crate) fn remember_adjacent(&mut self, router_id: Ipv4Addr) {
        self.adjacent_before.retain(|r| *r != router_id);
        if self.adjacent_before.len() >= self.max_neighbors() {
            self.adjacent_before.remove(0);
        }
        self.adjacent_before.push(router_id);
    }

    /// The neighbor to evict for a newcomer when the table is full (issue 14: a Hello
    /// flood from forged router IDs must not lock out real routers): the
    /// least-recently-heard neighbor that never reached 2-Way; if there is none and the
    /// newcomer was adjacent before, the least-recently-heard one short of Full that was
    /// never adjacent. `None`: nobody may be evicted.
    pub(crate) fn eviction_candidate(&self, newcomer_was_adjacent: bool) -> Option<usize> {
        let oldest = |pred: &dyn Fn(&Neighbor) -> bool| {
            self.neighbors
                .iter()
                .enumerate()
                .filter(|(_, n)| pred(n))
                .min_by_key(|(_, n)| n.dead_at())
                .map(|(i, _)| i)
        };
        oldest(&|n| n.state < NeighborState::TwoWay).or_else(|| {
            if newcomer_was_adjacent {
                oldest(&|n| !n.counts_as_full() && !self.adjacent_before.contains(&n.router_id))
            } else {
                None
            }
        })
    }

    /// True when the interface sends and receives OSPF packets.
    pub(crate) fn is_active(&self) -> bool {
        !self.config.passive
            && !matches!(self.state, InterfaceState::Down | InterfaceState::Loopback)
    }

    /// True on broadcast and NBMA networks: a DR is elected (§9.4).
    pub(crate) fn elects_dr(&self) -> bool {
        self.config.if_type.elects_dr()
    }

    /// True on a point-to-point link: one neighbor, identified by router ID, packets to
    /// AllSPFRouters (§8.1, §8.2).
    pub(crate) fn is_p2p(&self) -> bool {
        matches!(
            self.config.if_type,
            crate::config::InterfaceType::PointToPoint | crate::config::InterfaceType::VirtualLink
        )
    }

    /// True on a virtual link (§15).
    pub(crate) fn is_virtual(&self) -> bool {
        self.vlink.is_some()
    }

    /// True when received packets must come from our subnet (§8.2): every multi-access
    /// type, except a point-to-multipoint interface with a /32 (nothing is on-link).
    pub(crate) fn checks_subnet(&self) -> bool {
        let p2mp_host =
            self.config.if_type.is_point_to_multipoint() && self.config.prefix_len >= 32;
        !(self.is_p2p() || p2mp_host)
    }

    pub(crate) fn is_dr_or_backup(&self) -> bool {
        matches!(self.state, InterfaceState::Dr | InterfaceState::Backup)
    }

    pub(crate) fn mask(&self) -> Ipv4Addr {
        self.config.mask()
    }

    pub(crate) fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.config.address) & u32::from(self.mask()))
    }

    /// True when `addr` is on this interface's subnet.
    pub(crate) fn on_subnet(&self, addr: Ipv4Addr) -> bool {
        let m = u32::from(self.mask());
        u32::from(addr) & m == u32::from(self.config.address) & m
    }

    pub(crate) fn find_neighbor_by_addr(&self, addr: Ipv4Addr) -> Option<usize> {
        self.neighbors.iter().position(|n| n.address == addr)
    }

    pub(crate) fn find_neighbor_by_id(&self, id: Ipv4Addr) -> Option<usize> {
        self.neighbors.iter().position(|n| n.router_id == id)
    }

    /// The neighbor a packet from (`router_id`, `src`) belongs to: by address on
    /// broadcast, NBMA and point-to-multipoint networks, by router ID on point-to-point
    /// links (RFC 2328 §8.2).
    pub(crate) fn find_neighbor(&self, router_id: Ipv4Addr, src: Ipv4Addr) -> Option<usize> {
        if !self.is_p2p() {
            self.find_neighbor_by_addr(src)
        } else {
            self.find_neighbor_by_id(router_id)
        }
    }

    pub(crate) fn addr_to_router_id(&self, addr: Ipv4Addr, own_id: Ipv4Addr) -> Option<Ipv4Addr> {
        if addr.is_unspecified() {
            None
        } else if addr == self.config.address {
            Some(own_id)
        } else {
            self.find_neighbor_by_addr(addr)
                .map(|i| self.neighbors[i].router_id)
        }
    }

    /// Count of neighbors in state Full, or counting as Full while we help them restart.
    pub(crate) fn full_neighbors(&self) -> usize {
        self.neighbors.iter().filter(|n| n.counts_as_full()).count()
    }
}
