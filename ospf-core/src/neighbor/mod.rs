//! Neighbors (RFC 2328 §10): states, events, the database exchange bookkeeping, the Link
//! State Request list and the Link State Retransmission list.
//!
//! * this file: [`NeighborState`], [`NeighborEvent`] and the per-neighbor data;
//! * `fsm.rs`: the neighbor state machine (§10.3, §10.4) and the neighbor timers;
//! * `dd.rs`: the database exchange (§10.6 receiving, §10.8 sending DD packets);
//! * `lsreq.rs`: Link State Requests (§10.7 receiving, §10.9 sending).
//!
//! Hellos (§10.5) are in `interface::hello`; the retransmission list is worked by
//! flooding (§13.6, `flood.rs`).

mod dd;
mod fsm;
mod lsreq;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::lsdb::{LsaInstance, LsaKey};
use crate::time::Instant;
use crate::timer::{NeighborTimer, NeighborTimers};
use crate::wire::{DdFlags, LsaHeader, Options};

/// Neighbor state (RFC 2328 §10.1), in order of progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum NeighborState {
    /// Nothing heard recently.
    Down,
    /// NBMA only: trying to contact.
    Attempt,
    /// A Hello was seen, but not yet bidirectional.
    Init,
    /// Bidirectional communication.
    TwoWay,
    /// Negotiating master/slave for the database exchange.
    ExStart,
    /// Exchanging Database Description packets.
    Exchange,
    /// Requesting the LSAs found missing or outdated.
    Loading,
    /// Fully adjacent.
    Full,
}

/// Neighbor events (RFC 2328 §10.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NeighborEvent {
    /// A Hello was received.
    HelloReceived,
    /// NBMA: start sending Hellos.
    Start,
    /// Bidirectional communication established.
    TwoWayReceived,
    /// Master/slave negotiated.
    NegotiationDone,
    /// Both sides sent their whole database summary.
    ExchangeDone,
    /// A requested LSA is not in the neighbor's database.
    BadLsReq,
    /// The Link State Request list emptied.
    LoadingDone,
    /// Re-check whether an adjacency should exist.
    AdjOk,
    /// A Database Description packet out of sequence or otherwise wrong.
    SeqNumberMismatch,
    /// A Hello not listing us.
    OneWayReceived,
    /// The neighbor is to be removed.
    KillNbr,
    /// No Hello within RouterDeadInterval.
    InactivityTimer,
    /// The lower layer went down.
    LlDown,
}

/// Position in the database summary (area scope, then AS scope, then link scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SummaryCursor {
    /// 0: area, 1: AS, 2: link-local, 3: done.
    pub(crate) phase: u8,
    /// Last key described in the current phase.
    pub(crate) last: Option<LsaKey>,
}

impl SummaryCursor {
    pub(crate) const START: SummaryCursor = SummaryCursor {
        phase: 0,
        last: None,
    };
    pub(crate) fn done(&self) -> bool {
        self.phase >= 3
    }
}

/// A neighbor on an interface.
#[derive(Debug)]
pub(crate) struct Neighbor {
    pub(crate) router_id: Ipv4Addr,
    pub(crate) address: Ipv4Addr,
    pub(crate) priority: u8,
    /// DR and BDR the neighbor declares in its Hellos.
    pub(crate) dr: Ipv4Addr,
    pub(crate) bdr: Ipv4Addr,
    pub(crate) options: Options,
    /// Options of the neighbor's Database Description packets: its O bit says whether it
    /// takes opaque LSAs (RFC 5250 §3.1).
    pub(crate) dd_options: Options,
    pub(crate) state: NeighborState,
    /// Inactivity, DD retransmission/hold, LS Request and LSA retransmission timers.
    pub(crate) timers: NeighborTimers,
    // Database exchange.
    pub(crate) master: bool,
    pub(crate) dd_seq: u32,
    pub(crate) last_rx_dd: Option<(DdFlags, Options, u32)>,
    /// The last DD packet sent (for retransmission), with its destination.
    pub(crate) last_tx_dd: Vec<u8>,
    pub(crate) last_tx_more: bool,
    pub(crate) summary: SummaryCursor,
    /// Link State Request list: wanted LSAs and the instance the neighbor described.
    pub(crate) ls_req: BTreeMap<LsaKey, LsaHeader>,
    /// Last key of the LS Request in flight.
    pub(crate) lsr_last: Option<LsaKey>,
    /// Link State Retransmission list.
    pub(crate) rxmt: BTreeMap<LsaKey, LsaInstance>,
    /// Highest cryptographic sequence number accepted from this neighbor.
    pub(crate) crypto_seq: Option<u32>,
    /// Time an LSA was last sent back to this neighbor because ours was newer (§13 step 8).
    pub(crate) last_newer_sent: BTreeMap<LsaKey, Instant>,
    /// We help it restart (RFC 3623 §3): it counts as Full meanwhile.
    pub(crate) gr_helper: Option<crate::instance::gr_helper::HelperState>,
    /// Since when the adjacency is Full (None below Full).
    pub(crate) full_since: Option<Instant>,
}

impl Neighbor {
    pub(crate) fn new(router_id: Ipv4Addr, address: Ipv4Addr, now: Instant) -> Self {
        let mut timers = NeighborTimers::new();
        timers.set(NeighborTimer::Inactivity, now);
        Neighbor {
            router_id,
            address,
            priority: 0,
            dr: Ipv4Addr::UNSPECIFIED,
            bdr: Ipv4Addr::UNSPECIFIED,
            options: Options::empty(),
            dd_options: Options::empty(),
            state: NeighborState::Down,
            timers,
            master: false,
            dd_seq: 0,
            last_rx_dd: None,
            last_tx_dd: Vec::new(),
            last_tx_more: true,
            summary: SummaryCursor::START,
            ls_req: BTreeMap::new(),
            lsr_last: None,
            rxmt: BTreeMap::new(),
            crypto_seq: None,
            last_newer_sent: BTreeMap::new(),
            gr_helper: None,
            full_since: None,
        }
    }

    /// Clears the database exchange state and both lists (leaving ExStart and above).
    pub(crate) fn clear_lists(&mut self) {
        self.ls_req.clear();
        self.lsr_last = None;
        self.timers.stop(NeighborTimer::LsRequestRxmt);
        self.rxmt.clear();
        self.timers.stop(NeighborTimer::LsRxmt);
        self.summary = SummaryCursor::START;
        self.last_rx_dd = None;
        self.last_tx_dd.clear();
        self.timers.stop(NeighborTimer::DdRxmt);
        self.timers.stop(NeighborTimer::DdHold);
        self.last_newer_sent.clear();
    }

    /// True when the neighbor may be sent LSAs of type `lsa_type`: opaque LSAs only if
    /// its DD packets carry the O bit (RFC 5250 §3.1).
    pub(crate) fn takes(&self, lsa_type: u8) -> bool {
        !crate::lsdb::is_opaque(lsa_type) || self.dd_options.contains(Options::O)
    }

    /// True when the neighbor is Full, or counts as Full because we help it restart
    /// (RFC 3623 §3): what our Router- and Network-LSAs list.
    pub(crate) fn counts_as_full(&self) -> bool {
        self.state == NeighborState::Full || self.gr_helper.is_some()
    }

    /// True when the neighbor declares itself DR.
    pub(crate) fn declares_dr(&self) -> bool {
        self.dr == self.address
    }

    /// True when the neighbor declares itself BDR.
    pub(crate) fn declares_bdr(&self) -> bool {
        self.bdr == self.address
    }

    /// When the neighbor will be declared dead (its inactivity timer).
    pub(crate) fn dead_at(&self) -> Instant {
        self.timers
            .get(NeighborTimer::Inactivity)
            .unwrap_or(Instant::MAX)
    }
}
