//! OSPF interfaces (RFC 2328 §9): states, events, per-interface data, counters and the
//! Designated Router election of §9.4.

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
}

impl DropReason {
    /// Number of reasons.
    pub const COUNT: usize = 15;
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
    pub(crate) fn drop(&mut self, reason: DropReason) {
        self.dropped[reason as usize] += 1;
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
        }
    }

    /// True when the interface sends and receives OSPF packets.
    pub(crate) fn is_active(&self) -> bool {
        !self.config.passive
            && !matches!(self.state, InterfaceState::Down | InterfaceState::Loopback)
    }

    pub(crate) fn is_broadcast(&self) -> bool {
        matches!(self.config.if_type, crate::config::InterfaceType::Broadcast)
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
    /// broadcast networks, by router ID on point-to-point links (RFC 2328 §8.2).
    pub(crate) fn find_neighbor(&self, router_id: Ipv4Addr, src: Ipv4Addr) -> Option<usize> {
        if self.is_broadcast() {
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

    /// Count of neighbors in state Full.
    pub(crate) fn full_neighbors(&self) -> usize {
        self.neighbors
            .iter()
            .filter(|n| n.state == NeighborState::Full)
            .count()
    }
}

/// One router taking part in the DR election.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub(crate) router_id: Ipv4Addr,
    pub(crate) address: Ipv4Addr,
    pub(crate) priority: u8,
    /// The DR it declares (an address, 0.0.0.0 if none).
    pub(crate) dr: Ipv4Addr,
    /// The BDR it declares.
    pub(crate) bdr: Ipv4Addr,
}

impl Candidate {
    fn declares_dr(&self) -> bool {
        self.dr == self.address
    }
    fn declares_bdr(&self) -> bool {
        self.bdr == self.address
    }
    fn rank(&self) -> (u8, Ipv4Addr) {
        (self.priority, self.router_id)
    }
}

/// Elects the BDR then the DR among `cands` (RFC 2328 §9.4 steps 2 and 3); returns their
/// addresses (0.0.0.0 for none). Candidates with priority 0 must not be passed.
fn elect_once(cands: &[Candidate]) -> (Ipv4Addr, Ipv4Addr) {
    let best = |it: &mut dyn Iterator<Item = &Candidate>| -> Option<Candidate> {
        it.max_by_key(|c| c.rank()).copied()
    };
    // Step 2: BDR among those not declaring themselves DR.
    let bdr = best(
        &mut cands
            .iter()
            .filter(|c| !c.declares_dr() && c.declares_bdr()),
    )
    .or_else(|| best(&mut cands.iter().filter(|c| !c.declares_dr())));
    // Step 3: DR among those declaring themselves DR, else the new BDR.
    let dr = best(&mut cands.iter().filter(|c| c.declares_dr())).or(bdr);
    let addr = |c: Option<Candidate>| c.map_or(Ipv4Addr::UNSPECIFIED, |c| c.address);
    (addr(dr), addr(bdr))
}

/// The whole §9.4 election: `me` is the calculating router (with its current DR/BDR),
/// `others` the neighbors in state 2-Way or higher. Returns the new (DR, BDR) addresses.
pub(crate) fn elect_dr(me: Candidate, others: &[Candidate]) -> (Ipv4Addr, Ipv4Addr) {
    let mut cands: Vec<Candidate> = others.iter().filter(|c| c.priority > 0).copied().collect();
    let me_idx = if me.priority > 0 {
        cands.push(me);
        Some(cands.len() - 1)
    } else {
        None
    };
    let (mut dr, mut bdr) = elect_once(&cands);
    // Step 4: if we newly became or stopped being DR or BDR, repeat steps 2 and 3.
    let was_dr = me.dr == me.address;
    let was_bdr = me.bdr == me.address;
    let is_dr = dr == me.address;
    let is_bdr = bdr == me.address;
    if let Some(i) = me_idx {
        if was_dr != is_dr || was_bdr != is_bdr {
            cands[i].dr = dr;
            cands[i].bdr = bdr;
            (dr, bdr) = elect_once(&cands);
        }
    }
    (dr, bdr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: u8, prio: u8, dr: u8, bdr: u8) -> Candidate {
        let a = |x: u8| {
            if x == 0 {
                Ipv4Addr::UNSPECIFIED
            } else {
                Ipv4Addr::new(10, 0, 0, x)
            }
        };
        Candidate {
            router_id: Ipv4Addr::new(id, 0, 0, 0),
            address: a(id),
            priority: prio,
            dr: a(dr),
            bdr: a(bdr),
        }
    }

    #[test]
    fn rfc2328_9_4_highest_priority_wins_fresh_network() {
        // Seen from router 1: no one declares anything yet, so the best (2) is elected
        // BDR and promoted to DR; 1's own status did not change, so no second pass.
        let me = c(1, 1, 0, 0);
        let others = [c(2, 5, 0, 0), c(3, 3, 0, 0), c(4, 0, 0, 0)];
        let two = Ipv4Addr::new(10, 0, 0, 2);
        assert_eq!(elect_dr(me, &others), (two, two));
        // Seen from router 2: it becomes DR, so step 4 re-runs and 3 becomes BDR.
        let me = c(2, 5, 0, 0);
        let others = [c(1, 1, 0, 0), c(3, 3, 0, 0), c(4, 0, 0, 0)];
        let (dr, bdr) = elect_dr(me, &others);
        assert_eq!(dr, two);
        assert_eq!(bdr, Ipv4Addr::new(10, 0, 0, 3));
    }

    #[test]
    fn rfc2328_9_4_existing_dr_is_kept() {
        // Router 5 (priority 1) is DR already; a higher-priority newcomer does not preempt.
        let me = c(9, 200, 0, 0);
        let others = [c(5, 1, 5, 6), c(6, 1, 5, 6)];
        let (dr, bdr) = elect_dr(me, &others);
        assert_eq!(dr, Ipv4Addr::new(10, 0, 0, 5));
        assert_eq!(bdr, Ipv4Addr::new(10, 0, 0, 6));
    }

    #[test]
    fn rfc2328_9_4_priority_zero_never_elected() {
        let me = c(1, 0, 0, 0);
        let others = [c(2, 0, 0, 0)];
        assert_eq!(
            elect_dr(me, &others),
            (Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED)
        );
    }

    #[test]
    fn rfc2328_9_4_router_id_breaks_ties() {
        let me = c(7, 1, 0, 0);
        let others = [c(1, 1, 0, 0), c(3, 1, 0, 0)];
        let (dr, bdr) = elect_dr(me, &others);
        assert_eq!(dr, Ipv4Addr::new(10, 0, 0, 7));
        assert_eq!(bdr, Ipv4Addr::new(10, 0, 0, 3));
    }

    #[test]
    fn rfc2328_9_4_bdr_promoted_when_dr_leaves() {
        // Old DR (2) is gone; we (3) were BDR: we become DR, 4 becomes BDR.
        let me = c(3, 1, 2, 3);
        let others = [c(4, 1, 2, 3)];
        let (dr, bdr) = elect_dr(me, &others);
        assert_eq!(dr, Ipv4Addr::new(10, 0, 0, 3));
        assert_eq!(bdr, Ipv4Addr::new(10, 0, 0, 4));
    }
}
