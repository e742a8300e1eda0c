//! The sans-IO OSPFv2 engine: one [`Instance`] per router.
//!
//! # Driving an instance
//!
//! The instance never reads a clock, never performs I/O and draws randomness only from the
//! seeded PRNG of its [`InstanceConfig`]. The caller feeds it:
//!
//! * commands ([`Instance::add_interface`], [`Instance::set_interface_up`],
//!   [`Instance::redistribute`], [`Instance::set_stub_router`], [`Instance::shutdown`], ...),
//! * received packets ([`Instance::handle_packet`]),
//! * the passage of time ([`Instance::handle_timeout`]),
//!
//! each with the current time `now` (monotonic, never going backwards). After **every** such
//! call the caller drains the outputs with [`Instance::poll_output`] until it returns `None`:
//! packets to transmit, events, and finally, once, the instant at which
//! [`Instance::handle_timeout`] must be called next:
//!
//! ```
//! use core::net::Ipv4Addr;
//! use ospf_core::config::{InstanceConfig, InterfaceConfig};
//! use ospf_core::instance::{ALL_SPF_ROUTERS, Instance, Output};
//! use ospf_core::time::Instant;
//!
//! let mut now = Instant::from_secs(1);
//! let mut ospf = Instance::new(InstanceConfig::new(Ipv4Addr::new(10, 0, 0, 1)), now);
//! ospf.add_interface(now, 2, InterfaceConfig::new(Ipv4Addr::new(10, 0, 0, 1), 24))
//!     .unwrap();
//! let mut buf = [0u8; 1500];
//! let mut hellos = 0;
//! // The event loop: drain, sleep until the timeout (or a packet), feed, repeat.
//! for _ in 0..3 {
//!     let mut wake_at = None;
//!     while let Some(out) = ospf.poll_output(now, &mut buf) {
//!         match out {
//!             Output::Transmit(t) => {
//!                 // Send buf[..t.len] out of interface t.ifindex to t.dst, from t.src
//!                 // (IP protocol 89, TTL 1, precedence Internetwork Control).
//!                 assert_eq!((t.ifindex, t.dst), (2, ALL_SPF_ROUTERS));
//!                 hellos += 1;
//!             }
//!             Output::Event(e) => { /* log, update a FIB, ... */ let _ = e; }
//!             Output::Timeout(at) => wake_at = Some(at),
//!             _ => {}
//!         }
//!     }
//!     // Nothing received here: sleep until the deadline, then let the timers run.
//!     now = now.max(wake_at.expect("a timeout is always reported"));
//!     ospf.handle_timeout(now);
//! }
//! assert!(hellos >= 1);
//! ```
//!
//! `buf` must hold the largest interface MTU (minus the 20-byte IP header); a packet that
//! does not fit is dropped. The polling contract in short: *one mutation, then drain*.
//! [`Instance::poll_timeout`] returns the next deadline at any time.

mod bfd_client;
pub(crate) mod gr_helper;
pub(crate) mod gr_restart;
mod limits;
mod origin;
mod packet;
mod routing;
mod vlink;

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use crate::config::{
    AreaConfig, AreaKind, InstanceConfig, InterfaceConfig, InterfaceType, Prng, prefix_mask,
};
use crate::interface::{Interface, InterfaceCounters, InterfaceEvent, InterfaceState};
use crate::lsdb::{LsaEntry, LsaKey, Lsdb, MAX_AGE, Scope, ScopeClass, scope_class};
use crate::neighbor::{NeighborEvent, NeighborState};
use crate::time::{Duration, Instant};
use crate::timer::{InstanceTimer, InstanceTimers, InterfaceTimer, NeighborTimer};
use crate::wire::LsaHeader;

pub use crate::interface::DropReason;
pub use gr_helper::{GrHelperChange, GrHelperInfo, HelperExitReason, HelperRejectReason};
pub use gr_restart::{
    GrPrepared, GrRestartStatus, GrRestarting, MAX_GRACE_PERIOD, RestartExitReason,
};
pub(crate) use limits::is_non_default_external as limits_key_counts;
pub use limits::{IgnoredNeighbor, LimitState};
pub use vlink::{VIRTUAL_LINK_IFINDEX_BASE, VirtualLinkInfo};

/// AllSPFRouters, 224.0.0.5.
pub const ALL_SPF_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 5);
/// AllDRouters, 224.0.0.6.
pub const ALL_D_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 6);

/// Interval of the LSDB walk that ages LSAs out and refreshes our own.
const WALK_INTERVAL: Duration = Duration::from_secs(1);

/// How many queued outputs' room the output queue keeps once drained (see
/// `Instance::queue_drained`).
const QUEUE_RETAINED: usize = 256;

/// How many former router IDs are remembered (see `Instance::previous_router_ids`).
const MAX_PREVIOUS_ROUTER_IDS: usize = 4;
/// What the caller must do next; see the [module documentation](self).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// Send the first `len` bytes of the buffer passed to `poll_output`.
    Transmit(Transmit),
    /// Something happened.
    Event(Event),
    /// Nothing more to do: call [`Instance::handle_timeout`] at this instant (or earlier,
    /// when a packet arrives).
    Timeout(Instant),
}

/// A packet to send: an OSPF packet (header, body, authentication trailer) to be carried
/// in an IPv4 datagram with protocol 89, TTL 1 and precedence Internetwork Control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    /// Interface to send on.
    pub ifindex: u32,
    /// IP source address (the interface's address).
    pub src: Ipv4Addr,
    /// IP destination: [`ALL_SPF_ROUTERS`], [`ALL_D_ROUTERS`] or a neighbor's address.
    pub dst: Ipv4Addr,
    /// Bytes written at the start of the caller's buffer.
    pub len: usize,
}

/// What happened in the LSDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LsdbChange {
    /// A new LSA or a new instance was installed.
    Installed {
        /// False when only the header changed (sequence number, age): a route
        /// calculation is not needed for it.
        content_changed: bool,
    },
    /// The LSA reached MaxAge (it aged out, or its originator flushed it): it no longer
    /// counts for routing and is removed once every neighbor has acknowledged it.
    Flushed,
    /// The LSA was removed (after its MaxAge flush).
    Removed,
}

/// An event reported through [`Output::Event`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// An interface changed state.
    InterfaceState {
        /// Interface.
        ifindex: u32,
        /// State before.
        old: InterfaceState,
        /// State now.
        new: InterfaceState,
    },
    /// A neighbor changed state.
    NeighborState {
        /// Interface.
        ifindex: u32,
        /// The neighbor's router ID.
        router_id: Ipv4Addr,
        /// The neighbor's address.
        address: Ipv4Addr,
        /// State before.
        old: NeighborState,
        /// State now.
        new: NeighborState,
        /// The event that caused the change.
        reason: NeighborEvent,
    },
    /// The LSDB changed (reported when [`InstanceConfig::lsdb_events`] is on).
    Lsdb {
        /// Flooding scope.
        scope: Scope,
        /// The LSA.
        key: LsaKey,
        /// What changed.
        change: LsdbChange,
    },
    /// The routing table changed after a route calculation: add, replace (with the
    /// complete next-hop set) or delete one prefix. Apply each one atomically.
    RouteChange(crate::spf::RouteChange),
    /// The LSDB crossed the warning threshold of one of its limits, or reached the limit
    /// ([`InstanceConfig::max_lsas`], [`InstanceConfig::max_external_lsas`]). Reported
    /// once per crossing: again only after the count fell below the threshold.
    LsdbLimit {
        /// LSAs held (of the kind limited: all, or AS-external).
        count: usize,
        /// The limit.
        limit: usize,
        /// The AS-external limit (RFC 1765) rather than the total.
        external: bool,
        /// The limit itself was reached (new LSAs are refused unless warning-only);
        /// false: only the warning threshold.
        reached: bool,
    },
    /// Graceful restart helper mode (RFC 3623 §3) of a neighbor changed, or a Grace-LSA
    /// of its was not acted on.
    GrHelper {
        /// Interface.
        ifindex: u32,
        /// The restarting neighbor's router ID.
        router_id: Ipv4Addr,
        /// Its address.
        address: Ipv4Addr,
        /// What happened.
        change: GrHelperChange,
    },
    /// After [`Instance::graceful_restart_prepare`]: every neighbor acknowledged our
    /// Grace-LSAs (RFC 3623 §2.1) and holds our view of the topology (no LSA of types
    /// 1-5 or 7 awaits an acknowledgment, none changed since the Grace-LSAs went out, or
    /// the Grace-LSAs were sent again after it); the process may exit, leaving its
    /// routes installed.
    GracefulRestartReady,
    /// The instance left graceful restart mode ([`Instance::start_graceful_restart`],
    /// RFC 3623 §2.3): its LSAs are originated again and the route changes of its first
    /// calculation (the whole table) were reported just before. Replace the previous
    /// process's routes with these and remove the rest of them.
    GracefulRestartDone {
        /// Why it left.
        reason: RestartExitReason,
    },
    /// A neighbor whose flooding crossed [`InstanceConfig::max_lsas`] was taken down and
    /// is ignored until `until` ([`InstanceConfig::lsa_limit_ignore`]).
    NeighborIgnored {
        /// Interface it was on.
        ifindex: u32,
        /// Its router ID.
        router_id: Ipv4Addr,
        /// Its packets are dropped until then.
        until: Instant,
        /// Ignore periods in a row, this one included.
        count: u32,
    },
    /// An ignore period ended: the neighbor's Hellos are heard again.
    NeighborIgnoreEnded {
        /// Its router ID.
        router_id: Ipv4Addr,
    },
    /// RFC 1765: OverflowState was entered (the non-default AS-external count reached
    /// [`InstanceConfig::max_external_lsas`]; our own non-default AS-external LSAs are
    /// flushed) or left (they are originated again).
    Overflow {
        /// Entered (true) or left.
        entered: bool,
        /// Non-default AS-external LSAs held.
        external_count: usize,
    },
    /// After [`Instance::shutdown`]: every self-originated LSA has been flushed and
    /// acknowledged (or no neighbor is left to tell); the caller may exit.
    ShutdownComplete,
}

/// Errors of configuration commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// An interface with this ifindex exists already.
    #[error("interface {0} exists")]
    InterfaceExists(u32),
    /// No interface with this ifindex.
    #[error("no interface {0}")]
    NoSuchInterface(u32),
    /// The value is not acceptable (e.g. a zero interval).
    #[error("invalid value: {0}")]
    Invalid(&'static str),
}

/// A prefix redistributed into OSPF as an AS-External LSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExternalRoute {
    /// Prefix (host bits are cleared).
    pub prefix: Ipv4Addr,
    /// Prefix length.
    pub prefix_len: u8,
    /// 24-bit metric.
    pub metric: u32,
    /// Type 2 metric (E bit).
    pub e2: bool,
    /// Forwarding address (0.0.0.0: this router).
    pub forwarding: Ipv4Addr,
    /// Route tag.
    pub tag: u32,
}

impl ExternalRoute {
    /// A type-2 external route with metric 20, like `redistribute` in FRR.
    pub fn new(prefix: Ipv4Addr, prefix_len: u8) -> Self {
        ExternalRoute {
            prefix,
            prefix_len,
            metric: 20,
            e2: true,
            forwarding: Ipv4Addr::UNSPECIFIED,
            tag: 0,
        }
    }
    /// Sets the metric.
    pub fn metric(mut self, metric: u32) -> Self {
        self.metric = metric;
        self
    }
    /// Sets the metric type (true: E2).
    pub fn e2(mut self, e2: bool) -> Self {
        self.e2 = e2;
        self
    }
    /// Sets the forwarding address.
    pub fn forwarding(mut self, fwd: Ipv4Addr) -> Self {
        self.forwarding = fwd;
        self
    }
    /// Sets the tag.
    pub fn tag(mut self, tag: u32) -> Self {
        self.tag = tag;
        self
    }
}

/// Read-only view of an interface, for `show ip ospf interface`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterfaceInfo<'a> {
    /// Caller's interface index.
    pub ifindex: u32,
    /// Configuration (address, area, type, intervals, cost, ...).
    pub config: &'a InterfaceConfig,
    /// State.
    pub state: InterfaceState,
    /// Designated Router (router ID, address), if any.
    pub dr: Option<(Ipv4Addr, Ipv4Addr)>,
    /// Backup Designated Router (router ID, address), if any.
    pub bdr: Option<(Ipv4Addr, Ipv4Addr)>,
    /// Neighbors known (any state).
    pub neighbor_count: usize,
    /// Neighbors in state Full.
    pub adjacent_count: usize,
    /// When the next Hello is due.
    pub hello_due: Option<Instant>,
    /// Counters.
    pub counters: &'a InterfaceCounters,
}

/// Read-only view of a neighbor, for `show ip ospf neighbor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NeighborInfo {
    /// Interface the neighbor is on.
    pub ifindex: u32,
    /// Router ID.
    pub router_id: Ipv4Addr,
    /// Interface address of the neighbor.
    pub address: Ipv4Addr,
    /// Router priority.
    pub priority: u8,
    /// State.
    pub state: NeighborState,
    /// The neighbor is our DR, BDR or neither (from our interface's point of view).
    pub role: NeighborRole,
    /// The DR the neighbor declares in its Hellos (0.0.0.0: none).
    pub declared_dr: Ipv4Addr,
    /// The BDR the neighbor declares in its Hellos (0.0.0.0: none).
    pub declared_bdr: Ipv4Addr,
    /// When the neighbor will be declared dead.
    pub dead_at: Instant,
    /// Entries on the Link State Request list.
    pub ls_request_count: usize,
    /// Entries on the Link State Retransmission list.
    pub ls_retransmit_count: usize,
    /// We are master of the database exchange.
    pub we_are_master: bool,
    /// We help the neighbor restart (RFC 3623): it counts as Full meanwhile.
    pub gr_helper: Option<GrHelperInfo>,
}

/// Role of a neighbor on a broadcast network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NeighborRole {
    /// The Designated Router.
    Dr,
    /// The Backup Designated Router.
    Backup,
    /// Neither (or a point-to-point neighbor).
    DrOther,
}

/// Read-only view of an LSA, for `show ip ospf database`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct LsaInfo<'a> {
    /// Flooding scope.
    pub scope: Scope,
    /// Key.
    pub key: LsaKey,
    /// Header, with the LS age as of the query.
    pub header: LsaHeader,
    /// The LSA's wire image (its age field holds the age when installed).
    pub raw: &'a [u8],
    /// Originated by this router.
    pub self_originated: bool,
}

/// An area and its LSDB.
#[derive(Debug)]
pub(crate) struct Area {
    pub(crate) config: AreaConfig,
    pub(crate) lsdb: Lsdb,
}

/// A queued output.
#[derive(Debug)]
pub(crate) enum Queued {
    Tx {
        ifindex: u32,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        bytes: Vec<u8>,
    },
    Event(Event),
}

/// An OSPFv2 router: interfaces, neighbors, LSDB, flooding and origination. See the
/// [module documentation](self) for how to drive it.
#[derive(Debug)]
pub struct Instance {
    pub(crate) config: InstanceConfig,
    pub(crate) router_id: Ipv4Addr,
    /// Router IDs we used before and when we left them (latest last, a few at most):
    /// for MaxAge after the change, LSAs of theirs that come back are ours to flush
    /// (§13.4), e.g. when the flush sent at the change was lost. After that, any such LSA
    /// has aged out, and the ID may belong to another router.
    pub(crate) previous_router_ids: Vec<(Ipv4Addr, Instant)>,
    pub(crate) prng: Prng,
    pub(crate) areas: BTreeMap<Ipv4Addr, Area>,
    pub(crate) as_lsdb: Lsdb,
    pub(crate) interfaces: Vec<Interface>,
    pub(crate) queue: VecDeque<Queued>,
    timeout_reported: bool,
    /// What we announce as AS-external: the redistributed routes after aggregation by
    /// the summary addresses (components replaced by their aggregate).
    pub(crate) redistributed: BTreeMap<(Ipv4Addr, u8), ExternalRoute>,
    /// The routes redistributed into OSPF, as the caller gave them.
    pub(crate) redistribution_input: BTreeMap<(Ipv4Addr, u8), ExternalRoute>,
    /// `summary-address` aggregates of redistributed routes.
    pub(crate) summary_addresses: Vec<crate::config::SummaryAddress>,
    pub(crate) stub_router: bool,
    pub(crate) shutting_down: bool,
    shutdown_reported: bool,
    /// Self-originated LSAs to (re)build at the end of the current input.
    pub(crate) dirty: BTreeSet<(Scope, LsaKey)>,
    /// (area, Link State ID) of every Extended Prefix Opaque LSA we originate or did
    /// (anycast weights), so that a change or a withdrawal rebuilds or flushes it.
    pub(crate) ext_prefix_keys: BTreeSet<(Ipv4Addr, Ipv4Addr)>,
    /// Anycast weights announced by other routers, from their Extended Prefix Opaque LSAs:
    /// (area, advertising router, Link State ID) -> (prefix, weight) for each TLV with a
    /// weight.
    pub(crate) prefix_weights: BTreeMap<(Ipv4Addr, Ipv4Addr, Ipv4Addr), Vec<(crate::Prefix, u8)>>,
    /// The next-hop weights last reported per route (only routes with unequal weights).
    pub(crate) weighted_routes: BTreeMap<crate::Prefix, Vec<u16>>,
    /// Originations held back by MinLSInterval, with their due time.
    pub(crate) deferred: BTreeMap<(Scope, LsaKey), Instant>,
    /// LSAs at MaxAge waiting to be removed (RFC 2328 §14).
    pub(crate) maxage: BTreeSet<(Scope, LsaKey)>,
    /// Instances (sequence number, checksum) of MaxAge LSAs removed lately, and when:
    /// late duplicates of them are discarded (see [`crate::lsdb::REMOVED_MEMORY`]).
    pub(crate) recently_removed: BTreeMap<(Scope, LsaKey), (u32, u16, Instant)>,
    walks: u32,
    /// When the instance was created and the latest time it was given.
    start: Instant,
    pub(crate) clock: Instant,
    /// Drops of packets for unknown interfaces.
    pub(crate) unknown_ifindex_drops: u64,
    pub(crate) lsa_count: usize,
    /// Non-default AS-external (type 5) LSAs held, for
    /// [`InstanceConfig::max_external_lsas`] (RFC 1765).
    pub(crate) external_count: usize,
    /// Ignored neighbors and RFC 1765's OverflowState.
    pub(crate) limits: limits::Limits,
    /// Level last reported by [`Event::LsdbLimit`] for the total and the external limit:
    /// 0 below the threshold, 1 at or above it, 2 at the limit.
    pub(crate) limit_level: [u8; 2],
    /// The route calculation, fed from every LSDB change.
    pub(crate) spf: crate::spf::Spf,
    pub(crate) spf_sched: crate::spf::SpfScheduler,
    /// Route calculations run so far.
    pub(crate) spf_runs: u64,
    /// The instance's timers: the LSDB walk and the route calculation. Interfaces and
    /// neighbors hold their own tables; `poll_timeout` is the minimum over all of them.
    pub(crate) timers: InstanceTimers,
    /// Summary-LSAs and NSSA translations we originate as an ABR.
    pub(crate) abr_origination: routing::AbrOrigination,
    /// Discard routes reported for active address ranges (sorted).
    pub(crate) discards: Vec<crate::spf::Prefix>,
    /// LSDB changes that may start or end graceful restart helper mode, acted on at
    /// the end of the input.
    pub(crate) gr_notes: Vec<gr_helper::GrNote>,
    /// LSAs installed lately as answers to our LS Requests (not "received via
    /// flooding": RFC 2328 §13 step 5a's MinLSArrival does not apply to them), with
    /// their install time; forgotten after MinLSArrival.
    pub(crate) unflooded_installs: BTreeMap<(Scope, LsaKey), Instant>,
    /// A planned restart being prepared (RFC 3623 §2.1).
    pub(crate) gr_restart: Option<gr_restart::RestartState>,
    /// Restarting mode after a restart (RFC 3623 §2.2).
    pub(crate) gr_restarting: Option<gr_restart::Restarting>,
    /// How the last restarting mode of this instance ended, and when.
    pub(crate) gr_last_exit: Option<(RestartExitReason, Instant)>,
}

impl Instance {
    /// A new instance with no interfaces, at time `now`.
    pub fn new(config: InstanceConfig, now: Instant) -> Self {
        let prng = Prng::new(config.jitter_seed ^ u64::from(u32::from(config.router_id)));
        let mut areas = BTreeMap::new();
        areas.insert(
            Ipv4Addr::UNSPECIFIED,
            Area {
                config: AreaConfig::new(Ipv4Addr::UNSPECIFIED),
                lsdb: Lsdb::new(),
            },
        );
        let spf = crate::spf::Spf::new(config.router_id, routing::spf_config(&config));
        let spf_sched = crate::spf::SpfScheduler::new(config.spf.timers);
        let mut timers = InstanceTimers::new();
        timers.set(InstanceTimer::LsdbWalk, now + WALK_INTERVAL);
        Instance {
            router_id: config.router_id,
            previous_router_ids: Vec::new(),
            spf,
            spf_sched,
            spf_runs: 0,
            timers,
            abr_origination: routing::AbrOrigination::default(),
            discards: Vec::new(),
            config,
            prng,
            areas,
            as_lsdb: Lsdb::new(),
            interfaces: Vec::new(),
            queue: VecDeque::new(),
            timeout_reported: false,
            redistributed: BTreeMap::new(),
            redistribution_input: BTreeMap::new(),
            summary_addresses: Vec::new(),
            stub_router: false,
            shutting_down: false,
            shutdown_reported: false,
            dirty: BTreeSet::new(),
            ext_prefix_keys: BTreeSet::new(),
            prefix_weights: BTreeMap::new(),
            weighted_routes: BTreeMap::new(),
            deferred: BTreeMap::new(),
            maxage: BTreeSet::new(),
            recently_removed: BTreeMap::new(),
            walks: 0,
            start: now,
            clock: now,
            unknown_ifindex_drops: 0,
            lsa_count: 0,
            external_count: 0,
            limits: limits::Limits::default(),
            limit_level: [0; 2],
            gr_notes: Vec::new(),
            unflooded_installs: BTreeMap::new(),
            gr_restart: None,
            gr_restarting: None,
            gr_last_exit: None,
        }
    }

    /// The cryptographic sequence number to send now: the caller's wall-clock seed plus
    /// the seconds since the instance started. It never decreases, also across restarts
    /// (a restarted instance gets a later wall-clock seed), and packets sent within the
    /// same second share it (RFC 2328 D.3 accepts equal numbers).
    pub(crate) fn crypto_seq_now(&self) -> u32 {
        let secs = (self.clock - self.start).as_secs();
        self.config.crypto_seq_seed.wrapping_add(secs as u32)
    }

    /// How many route calculations (SPF runs) the instance has run: a runtime that sees
    /// it grow during a call knows that call ran one (for metrics).
    pub fn spf_runs(&self) -> u64 {
        self.spf_runs
    }

    /// The router ID.
    pub fn router_id(&self) -> Ipv4Addr {
        self.router_id
    }

    /// The configuration.
    pub fn config(&self) -> &InstanceConfig {
        &self.config
    }

    // ----------------------------------------------------------------------------------
    // Commands
    // ----------------------------------------------------------------------------------

    /// Adds or reconfigures an area (its kind: normal, stub, NSSA; its address ranges).
    /// Areas referred to by interfaces are created as normal areas when not configured.
    /// A change of kind restarts the area's interfaces; a change of ranges only changes
    /// what we announce as an area border router.
    pub fn add_area(&mut self, now: Instant, config: AreaConfig) {
        self.clock = self.clock.max(now);
        match self.areas.get_mut(&config.id) {
            Some(a) => {
                if a.config.ranges != config.ranges {
                    // Ranges change only what an ABR announces: a new calculation.
                    a.config.ranges = config.ranges.clone();
                    self.schedule_spf(now);
                }
                let Some(a) = self.areas.get_mut(&config.id) else {
                    return;
                };
                if a.config != config {
                    let id = config.id;
                    let same_type = core::mem::discriminant(&a.config.kind)
                        == core::mem::discriminant(&config.kind);
                    a.config = config;
                    // Type-7 LSAs exist only in NSSAs (and the type-7 default follows
                    // the NSSA's options).
                    self.mark_all_externals();
                    if same_type {
                        // The options of a stub area or NSSA (default summary and its
                        // cost, translator role, type-7 default, forwarding addresses)
                        // change what we announce, not the Hello options: the
                        // adjacencies stay.
                        self.mark_all_router_lsas();
                        self.schedule_spf(now);
                    } else {
                        // Hello options change: restart the area's interfaces.
                        let idx: Vec<usize> = (0..self.interfaces.len())
                            .filter(|&i| self.interfaces[i].config.area == id)
                            .collect();
                        for i in idx {
                            self.restart_interface(now, i);
                        }
                    }
                }
            }
            None => {
                self.areas.insert(
                    config.id,
                    Area {
                        config,
                        lsdb: Lsdb::new(),
                    },
                );
            }
        }
        self.after_input(now);
    }

    /// Adds an interface, identified by the caller's `ifindex`, and brings it up.
    pub fn add_interface(
        &mut self,
        now: Instant,
        ifindex: u32,
        config: InterfaceConfig,
    ) -> Result<(), ConfigError> {
        self.clock = self.clock.max(now);
        if self.iface_idx(ifindex).is_some() {
            return Err(ConfigError::InterfaceExists(ifindex));
        }
        if config.hello_interval == 0 || config.dead_interval == 0 || config.rxmt_interval == 0 {
            return Err(ConfigError::Invalid("zero interval"));
        }
        if config.mtu < 100 {
            return Err(ConfigError::Invalid("MTU below 100"));
        }
        self.ensure_area(config.area);
        self.interfaces.push(Interface::new(ifindex, config));
        let i = self.interfaces.len() - 1;
        self.iface_event(now, i, InterfaceEvent::InterfaceUp);
        self.after_input(now);
        Ok(())
    }

    /// Removes an interface (its neighbors go down, its networks are withdrawn).
    pub fn remove_interface(&mut self, now: Instant, ifindex: u32) -> Result<(), ConfigError> {
        self.clock = self.clock.max(now);
        let i = self
            .iface_idx(ifindex)
            .ok_or(ConfigError::NoSuchInterface(ifindex))?;
        self.iface_event(now, i, InterfaceEvent::InterfaceDown);
        let area = self.interfaces[i].config.area;
        self.interfaces.remove(i);
        self.mark_router_lsa(area);
        self.after_input(now);
        Ok(())
    }

    /// Signals that an interface's link went up or down (carrier, admin state).
    pub fn set_interface_up(
        &mut self,
        now: Instant,
        ifindex: u32,
        up: bool,
    ) -> Result<(), ConfigError> {
        self.clock = self.clock.max(now);
        let i = self
            .iface_idx(ifindex)
            .ok_or(ConfigError::NoSuchInterface(ifindex))?;
        let was = self.interfaces[i].enabled;
        self.interfaces[i].enabled = up;
        if up && !was {
            self.iface_event(now, i, InterfaceEvent::InterfaceUp);
        } else if !up && was {
            self.iface_event(now, i, InterfaceEvent::InterfaceDown);
        }
        self.after_input(now);
        Ok(())
    }

    /// Changes an interface's address: the interface is restarted with it.
    pub fn set_interface_address(
        &mut self,
        now: Instant,
        ifindex: u32,
        address: Ipv4Addr,
        prefix_len: u8,
    ) -> Result<(), ConfigError> {
        self.clock = self.clock.max(now);
        let i = self
            .iface_idx(ifindex)
            .ok_or(ConfigError::NoSuchInterface(ifindex))?;
        let c = &mut self.interfaces[i].config;
        if c.address != address || c.prefix_len != prefix_len {
            // Our Network-LSA keyed by the old address goes away with the DR role.
            self.iface_event(now, i, InterfaceEvent::InterfaceDown);
            let c = &mut self.interfaces[i].config;
            c.address = address;
            c.prefix_len = prefix_len;
            if self.interfaces[i].enabled {
                self.iface_event(now, i, InterfaceEvent::InterfaceUp);
            }
        }
        self.after_input(now);
        Ok(())
    }

    /// Changes an interface's output cost (e.g. to drain an anycast server gracefully);
    /// on a loopback, the cost of its host stub ([`InterfaceConfig::host_cost`]).
    pub fn set_interface_cost(
        &mut self,
        now: Instant,
        ifindex: u32,
        cost: u16,
    ) -> Result<(), ConfigError> {
        self.clock = self.clock.max(now);
        let i = self
            .iface_idx(ifindex)
            .ok_or(ConfigError::NoSuchInterface(ifindex))?;
        let c = &mut self.interfaces[i].config;
        if c.if_type == InterfaceType::Loopback {
            c.host_cost = cost;
        } else {
            c.cost = cost;
        }
        let area = self.interfaces[i].config.area;
        self.mark_router_lsa(area);
        self.after_input(now);
        Ok(())
    }

    /// Changes the anycast weight of a loopback's host stub ([`InterfaceConfig::weight`]):
    /// its Extended Prefix Opaque LSA is originated, refreshed or flushed accordingly.
    pub fn set_interface_weight(
        &mut self,
        now: Instant,
        ifindex: u32,
        weight: Option<u8>,
    ) -> Result<(), ConfigError> {
        self.clock = self.clock.max(now);
        let i = self
            .iface_idx(ifindex)
            .ok_or(ConfigError::NoSuchInterface(ifindex))?;
        let weight = weight.filter(|w| *w != 0);
        if self.interfaces[i].config.weight != weight {
            self.interfaces[i].config.weight = weight;
            let area = self.interfaces[i].config.area;
            self.mark_router_lsa(area);
        }
        self.after_input(now);
        Ok(())
    }

    /// Changes the router ID: self-originated LSAs of the old ID are flushed and every
    /// interface restarts (new adjacencies, DR/BDR re-election).
    pub fn set_router_id(&mut self, now: Instant, router_id: Ipv4Addr) {
        self.clock = self.clock.max(now);
        if router_id == self.router_id {
            return;
        }
        self.flush_self_originated(now);
        self.flush_floods(now);
        for i in 0..self.interfaces.len() {
            self.iface_event(now, i, InterfaceEvent::InterfaceDown);
        }
        self.previous_router_ids.retain(|(r, _)| *r != router_id);
        if self.previous_router_ids.len() >= MAX_PREVIOUS_ROUTER_IDS {
            self.previous_router_ids.remove(0);
        }
        self.previous_router_ids.push((self.router_id, now));
        self.router_id = router_id;
        self.config.router_id = router_id;
        self.adopt_lsas_of_new_router_id(now);
        for i in 0..self.interfaces.len() {
            if self.interfaces[i].enabled {
                self.iface_event(now, i, InterfaceEvent::InterfaceUp);
            }
        }
        self.after_input(now);
    }

    /// Announces (or updates) a prefix: as an AS-External LSA when attached to a normal
    /// area, as a type-7 LSA in every attached NSSA (RFC 3101 §2.4), in stub areas not
    /// at all. Prefixes sharing a network address get distinct Link State IDs (RFC 2328
    /// Appendix E: the less specific one takes the address with its host bits set).
    pub fn redistribute(&mut self, now: Instant, route: ExternalRoute) {
        self.clock = self.clock.max(now);
        let prefix_len = route.prefix_len.min(32);
        let mask = u32::from(prefix_mask(prefix_len));
        let prefix = Ipv4Addr::from(u32::from(route.prefix) & mask);
        let route = ExternalRoute {
            prefix,
            prefix_len,
            ..route
        };
        self.redistribution_input
            .insert((prefix, route.prefix_len), route);
        self.reaggregate(crate::Prefix::new(prefix, prefix_len));
        self.after_input(now);
    }

    /// Replaces the aggregates of redistributed routes (FRR's `summary-address`): the
    /// redistributed prefixes inside one are announced as one AS-external LSA for the
    /// aggregate (none with `no-advertise`) while at least one of them exists.
    pub fn set_summary_addresses(
        &mut self,
        now: Instant,
        summaries: Vec<crate::config::SummaryAddress>,
    ) {
        self.clock = self.clock.max(now);
        if summaries != self.summary_addresses {
            self.summary_addresses = summaries;
            self.aggregate_externals();
        }
        self.after_input(now);
    }

    /// The aggregates of redistributed routes and how many redistributed prefixes each
    /// covers now (0: inactive).
    pub fn summary_addresses(&self) -> Vec<(crate::config::SummaryAddress, usize)> {
        self.summary_addresses
            .iter()
            .map(|s| {
                let n = self
                    .redistribution_input
                    .values()
                    .filter(|r| {
                        self.aggregate_of(crate::Prefix::new(r.prefix, r.prefix_len))
                            .is_some_and(|a| a.prefix == s.prefix)
                    })
                    .count();
                (*s, n)
            })
            .collect()
    }

    /// The most specific summary address covering `p`.
    fn aggregate_of(&self, p: crate::Prefix) -> Option<crate::config::SummaryAddress> {
        self.summary_addresses
            .iter()
            .filter(|s| s.prefix.covers(p))
            .max_by_key(|s| s.prefix.prefix_len())
            .copied()
    }

    /// What we announce for prefix `k` after aggregation: the aggregate's route if `k` is
    /// an advertised summary address with a component, else the redistributed route if
    /// no summary address covers it.
    fn announced_external(&self, k: crate::Prefix) -> Option<ExternalRoute> {
        let key = (k.addr(), k.prefix_len());
        if let Some(a) = self.summary_addresses.iter().find(|a| a.prefix == k) {
            let hi = Ipv4Addr::from(u32::from(k.addr()) | !u32::from(k.mask()));
            let active = self
                .redistribution_input
                .range((k.addr(), 0)..=(hi, 32))
                .any(|(c, _)| {
                    self.aggregate_of(crate::Prefix::new(c.0, c.1))
                        .is_some_and(|x| x.prefix == k)
                });
            return (a.advertise && active).then_some(ExternalRoute {
                prefix: key.0,
                prefix_len: key.1,
                metric: a.metric,
                e2: true,
                forwarding: Ipv4Addr::UNSPECIFIED,
                tag: a.tag,
            });
        }
        let r = self.redistribution_input.get(&key)?;
        self.aggregate_of(k).is_none().then_some(*r)
    }

    /// Brings what we announce in line after the redistributed route `p` changed: `p`
    /// itself and the aggregate it belongs to, if any (one lookup each, so that
    /// redistributing many prefixes stays linear).
    fn reaggregate(&mut self, p: crate::Prefix) {
        let was_asbr = !self.redistributed.is_empty();
        let keys = [Some(p), self.aggregate_of(p).map(|a| a.prefix)];
        for k in keys.into_iter().flatten() {
            let key = (k.addr(), k.prefix_len());
            let want = self.announced_external(k);
            if self.redistributed.get(&key) != want.as_ref() {
                match want {
                    Some(r) => self.redistributed.insert(key, r),
                    None => self.redistributed.remove(&key),
                };
                self.mark_external(key.0, key.1);
            }
        }
        if was_asbr == self.redistributed.is_empty() {
            self.mark_all_router_lsas();
        }
    }

    /// Recomputes what we announce from the redistributed routes and the summary
    /// addresses, and marks the AS-external (and type-7) LSAs that change.
    fn aggregate_externals(&mut self) {
        let mut eff: BTreeMap<(Ipv4Addr, u8), ExternalRoute> = BTreeMap::new();
        let mut aggregates: Vec<crate::config::SummaryAddress> = Vec::new();
        for (k, r) in &self.redistribution_input {
            match self.aggregate_of(crate::Prefix::new(r.prefix, r.prefix_len)) {
                Some(a) => {
                    if !aggregates.contains(&a) {
                        aggregates.push(a);
                    }
                }
                None => {
                    eff.insert(*k, *r);
                }
            }
        }
        for a in aggregates.iter().filter(|a| a.advertise) {
            let key = (a.prefix.addr(), a.prefix.prefix_len());
            eff.insert(
                key,
                ExternalRoute {
                    prefix: key.0,
                    prefix_len: key.1,
                    metric: a.metric,
                    e2: true,
                    forwarding: Ipv4Addr::UNSPECIFIED,
                    tag: a.tag,
                },
            );
        }
        if eff == self.redistributed {
            return;
        }
        let was_asbr = !self.redistributed.is_empty();
        let old = core::mem::replace(&mut self.redistributed, eff);
        let changed: Vec<(Ipv4Addr, u8)> = old
            .iter()
            .filter(|(k, r)| self.redistributed.get(k) != Some(r))
            .map(|(k, _)| *k)
            .chain(
                self.redistributed
                    .iter()
                    .filter(|(k, r)| old.get(k) != Some(r))
                    .map(|(k, _)| *k),
            )
            .collect();
        for (p, l) in changed {
            self.mark_external(p, l);
        }
        let is_asbr = !self.redistributed.is_empty();
        if was_asbr != is_asbr {
            self.mark_all_router_lsas();
        }
    }

    /// Withdraws a redistributed prefix (its AS-External LSA is flushed).
    pub fn withdraw(&mut self, now: Instant, prefix: Ipv4Addr, prefix_len: u8) {
        self.clock = self.clock.max(now);
        let prefix_len = prefix_len.min(32);
        let mask = u32::from(prefix_mask(prefix_len));
        let prefix = Ipv4Addr::from(u32::from(prefix) & mask);
        if self
            .redistribution_input
            .remove(&(prefix, prefix_len))
            .is_some()
        {
            self.reaggregate(crate::Prefix::new(prefix, prefix_len));
        }
        self.after_input(now);
    }

    /// Enters or leaves stub-router mode (RFC 6987): transit links are announced with
    /// MaxLinkMetric (0xFFFF) so that no transit traffic is routed through us.
    pub fn set_stub_router(&mut self, now: Instant, on: bool) {
        self.clock = self.clock.max(now);
        if self.stub_router != on {
            self.stub_router = on;
            self.mark_all_router_lsas();
        }
        self.after_input(now);
    }

    /// Replaces the graceful restart helper settings (RFC 3623 §3); neighbors we help
    /// that the new settings no longer allow are let go (§3.2 actions).
    pub fn set_gr_helper(&mut self, now: Instant, config: crate::config::GrHelperConfig) {
        self.clock = self.clock.max(now);
        self.config.gr_helper = config;
        self.gr_helper_reconfigured(now);
        self.after_input(now);
    }

    /// True in stub-router mode.
    pub fn is_stub_router(&self) -> bool {
        self.stub_router
    }

    /// Starts a graceful shutdown: every self-originated LSA is flushed (premature aging,
    /// RFC 2328 §14.1) so that neighbors drop our routes at once. Keep driving the instance
    /// until [`Event::ShutdownComplete`] (or [`Instance::is_shutdown_complete`]), then exit.
    pub fn shutdown(&mut self, now: Instant) {
        self.clock = self.clock.max(now);
        if !self.shutting_down {
            self.gr_restart_exit(now, RestartExitReason::Shutdown);
            self.shutting_down = true;
            self.flush_self_originated(now);
            // Retransmissions already scheduled at RxmtInterval come sooner now.
            for ii in 0..self.interfaces.len() {
                let soon = now + self.lsa_rxmt_interval(ii);
                for n in &mut self.interfaces[ii].neighbors {
                    n.timers.advance_to(NeighborTimer::LsRxmt, soon);
                }
            }
        }
        self.after_input(now);
    }

    /// True once a shutdown has flushed every self-originated LSA and its flush was
    /// acknowledged by every neighbor (or no adjacent neighbor is left).
    pub fn is_shutdown_complete(&self) -> bool {
        self.shutting_down
            && !self.maxage.iter().any(|(scope, key)| {
                key.adv_router == self.router_id && self.on_any_rxmt_list(*scope, key)
            })
    }

    /// True when our LSAs have reached every adjacent neighbor: no origination is waiting
    /// (MinLSInterval) and none of our LSAs is on a neighbor's retransmission list. After
    /// a change of what we announce (a withdrawn anycast address, stub-router mode), this
    /// is the moment the neighbors hold the new LSAs.
    pub fn is_flooding_acknowledged(&self) -> bool {
        self.dirty.is_empty()
            && self.deferred.is_empty()
            && !self.interfaces.iter().any(|i| {
                i.neighbors
                    .iter()
                    .any(|n| n.rxmt.keys().any(|k| k.adv_router == self.router_id))
            })
    }

    // ----------------------------------------------------------------------------------
    // Inputs
    // ----------------------------------------------------------------------------------

    /// Handles one received OSPF packet (the IP payload) from `src` to `dst` on `ifindex`.
    ///
    /// Malformed, unauthenticated or out-of-place packets are dropped and counted in the
    /// interface's [`InterfaceCounters`]; nothing here can panic.
    pub fn handle_packet(
        &mut self,
        now: Instant,
        ifindex: u32,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        bytes: &[u8],
    ) {
        self.clock = self.clock.max(now);
        self.receive(now, ifindex, src, dst, bytes);
        self.after_input(now);
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.clock = self.clock.max(now);
        self.run_timers(now);
        self.after_input(now);
    }

    // ----------------------------------------------------------------------------------
    // Outputs
    // ----------------------------------------------------------------------------------

    /// The next output; see the [module documentation](self). Transmitted packets are
    /// written to the start of `buf`.
    pub fn poll_output(&mut self, _now: Instant, buf: &mut [u8]) -> Option<Output> {
        loop {
            match self.queue.pop_front() {
                Some(Queued::Event(e)) => return Some(Output::Event(e)),
                Some(Queued::Tx {
                    ifindex,
                    src,
                    dst,
                    bytes,
                }) => {
                    let Some(out) = buf.get_mut(..bytes.len()) else {
                        continue;
                    };
                    out.copy_from_slice(&bytes);
                    return Some(Output::Transmit(Transmit {
                        ifindex,
                        src,
                        dst,
                        len: bytes.len(),
                    }));
                }
                None => {
                    self.queue_drained();
                    if self.timeout_reported {
                        return None;
                    }
                    self.timeout_reported = true;
                    return Some(Output::Timeout(self.poll_timeout().unwrap_or(Instant::MAX)));
                }
            }
        }
    }

    /// Pops the next queued output without copying (for in-crate drivers).
    #[cfg(feature = "sim")]
    pub(crate) fn pop_queued(&mut self) -> Option<Queued> {
        let q = self.queue.pop_front();
        if q.is_none() {
            self.queue_drained();
        }
        q
    }

    /// The output queue is empty: gives back the room a burst left in it (a calculation
    /// reporting a route change per external, a whole database sent in one go), which
    /// would otherwise stay allocated, empty, for the life of the instance.
    fn queue_drained(&mut self) {
        if self.queue.capacity() > QUEUE_RETAINED {
            self.queue.shrink_to(QUEUE_RETAINED);
        }
    }

    /// When [`Instance::handle_timeout`] must be called next (`None`: no timer).
    pub fn poll_timeout(&self) -> Option<Instant> {
        let interfaces = self.interfaces.iter().flat_map(|i| {
            let neighbors = i.neighbors.iter().map(|n| n.timers.next());
            core::iter::once(i.timers.next()).chain(neighbors)
        });
        core::iter::once(self.timers.next())
            .chain(interfaces)
            .flatten()
            .chain(self.deferred.values().copied())
            .chain(self.limits.next_deadline())
            .min()
    }

    // ----------------------------------------------------------------------------------
    // Queries
    // ----------------------------------------------------------------------------------

    /// All interfaces, in the order they were added.
    pub fn interfaces(&self) -> impl Iterator<Item = InterfaceInfo<'_>> + '_ {
        self.interfaces.iter().map(move |i| self.iface_info(i))
    }

    /// One interface.
    pub fn interface(&self, ifindex: u32) -> Option<InterfaceInfo<'_>> {
        self.iface_idx(ifindex)
            .map(|i| self.iface_info(&self.interfaces[i]))
    }

    /// Counters of one interface.
    pub fn counters(&self, ifindex: u32) -> Option<&InterfaceCounters> {
        self.iface_idx(ifindex)
            .map(|i| &self.interfaces[i].counters)
    }

    /// Packets dropped because their ifindex is unknown.
    pub fn unknown_interface_drops(&self) -> u64 {
        self.unknown_ifindex_drops
    }

    /// All neighbors of all interfaces.
    pub fn neighbors(&self) -> impl Iterator<Item = NeighborInfo> + '_ {
        self.interfaces.iter().flat_map(|i| {
            i.neighbors.iter().map(move |n| NeighborInfo {
                ifindex: i.ifindex,
                router_id: n.router_id,
                address: n.address,
                priority: n.priority,
                state: n.state,
                role: if i.elects_dr() && n.address == i.dr {
                    NeighborRole::Dr
                } else if i.elects_dr() && n.address == i.bdr {
                    NeighborRole::Backup
                } else {
                    NeighborRole::DrOther
                },
                declared_dr: n.dr,
                declared_bdr: n.bdr,
                dead_at: n.dead_at(),
                ls_request_count: n.ls_req.len(),
                ls_retransmit_count: n.rxmt.len(),
                we_are_master: n.master,
                gr_helper: n.gr_helper.map(|h| GrHelperInfo {
                    grace_period: h.grace_period,
                    grace_until: h.grace_until,
                    reason: h.reason,
                }),
            })
        })
    }

    /// Every LSA: per area (in area order), then AS scope, then link scope per interface.
    pub fn lsdb(&self, now: Instant) -> impl Iterator<Item = LsaInfo<'_>> + '_ {
        let areas = self
            .areas
            .iter()
            .flat_map(|(id, a)| a.lsdb.iter().map(move |(k, e)| (Scope::Area(*id), k, e)));
        let ext = self.as_lsdb.iter().map(|(k, e)| (Scope::As, k, e));
        let links = self.interfaces.iter().flat_map(|i| {
            i.link_lsdb
                .iter()
                .map(move |(k, e)| (Scope::Link(i.ifindex), k, e))
        });
        let rid = self.router_id;
        areas.chain(ext).chain(links).map(move |(scope, key, e)| {
            let mut header = e.header();
            header.age = e.age(now);
            LsaInfo {
                scope,
                key: *key,
                header,
                raw: e.raw(),
                self_originated: key.adv_router == rid,
            }
        })
    }

    /// Number of LSAs held (all scopes).
    pub fn lsdb_len(&self) -> usize {
        self.lsa_count
    }

    /// The LSA with this key in this scope.
    pub fn lsa(&self, scope: Scope, key: &LsaKey) -> Option<&LsaEntry> {
        self.lsdb_of(scope)?.get(key)
    }

    /// The area IDs known to this instance.
    pub fn areas(&self) -> impl Iterator<Item = &AreaConfig> + '_ {
        self.areas.values().map(|a| &a.config)
    }

    /// The LSDB of an area (crate-internal read access for the route calculation).
    pub(crate) fn area_lsdb(&self, area: Ipv4Addr) -> Option<&Lsdb> {
        self.areas.get(&area).map(|a| &a.lsdb)
    }

    /// The AS-scope LSDB (crate-internal read access for the route calculation).
    #[allow(dead_code)]
    pub(crate) fn as_lsdb(&self) -> &Lsdb {
        &self.as_lsdb
    }

    // ----------------------------------------------------------------------------------
    // Internals shared by the submodules
    // ----------------------------------------------------------------------------------

    fn iface_info<'a>(&'a self, i: &'a Interface) -> InterfaceInfo<'a> {
        let who = |addr: Ipv4Addr| {
            i.addr_to_router_id(addr, self.router_id)
                .map(|id| (id, addr))
        };
        InterfaceInfo {
            ifindex: i.ifindex,
            config: &i.config,
            state: i.state,
            dr: who(i.dr),
            bdr: who(i.bdr),
            neighbor_count: i.neighbors.len(),
            adjacent_count: i.full_neighbors(),
            hello_due: i.timers.get(InterfaceTimer::Hello),
            counters: &i.counters,
        }
    }

    pub(crate) fn iface_idx(&self, ifindex: u32) -> Option<usize> {
        self.interfaces.iter().position(|i| i.ifindex == ifindex)
    }

    fn ensure_area(&mut self, id: Ipv4Addr) {
        self.areas.entry(id).or_insert_with(|| Area {
            config: AreaConfig::new(id),
            lsdb: Lsdb::new(),
        });
    }

    pub(crate) fn area_kind(&self, id: Ipv4Addr) -> AreaKind {
        self.areas
            .get(&id)
            .map_or(AreaKind::Normal, |a| a.config.kind)
    }

    /// The scope an LSA of `key`'s type has when received on interface `ii`.
    pub(crate) fn scope_on(&self, ii: usize, key: &LsaKey) -> Option<Scope> {
        let iface = &self.interfaces[ii];
        Some(match scope_class(key.ls_type())? {
            ScopeClass::Link => Scope::Link(iface.ifindex),
            ScopeClass::Area => Scope::Area(iface.config.area),
            ScopeClass::As => Scope::As,
        })
    }

    pub(crate) fn lsdb_of(&self, scope: Scope) -> Option<&Lsdb> {
        match scope {
            Scope::Area(a) => self.areas.get(&a).map(|a| &a.lsdb),
            Scope::As => Some(&self.as_lsdb),
            Scope::Link(ifx) => self
                .interfaces
                .iter()
                .find(|i| i.ifindex == ifx)
                .map(|i| &i.link_lsdb),
        }
    }

    pub(crate) fn lsdb_of_mut(&mut self, scope: Scope) -> Option<&mut Lsdb> {
        match scope {
            Scope::Area(a) => self.areas.get_mut(&a).map(|a| &mut a.lsdb),
            Scope::As => Some(&mut self.as_lsdb),
            Scope::Link(ifx) => self
                .interfaces
                .iter_mut()
                .find(|i| i.ifindex == ifx)
                .map(|i| &mut i.link_lsdb),
        }
    }

    /// True when interface `ii` floods LSAs of `scope`.
    pub(crate) fn iface_in_scope(&self, ii: usize, scope: Scope) -> bool {
        let i = &self.interfaces[ii];
        match scope {
            Scope::Area(a) => i.config.area == a,
            // §13.3: AS-external LSAs are not flooded over virtual links.
            Scope::As => !i.is_virtual() && self.area_kind(i.config.area).external_routing(),
            Scope::Link(ifx) => i.ifindex == ifx,
        }
    }

    pub(crate) fn event(&mut self, e: Event) {
        self.queue.push_back(Queued::Event(e));
    }

    /// Restarts an interface (down then up, when enabled).
    fn restart_interface(&mut self, now: Instant, i: usize) {
        self.iface_event(now, i, InterfaceEvent::InterfaceDown);
        if self.interfaces[i].enabled {
            self.iface_event(now, i, InterfaceEvent::InterfaceUp);
        }
    }

    /// Work done at the end of every input: originations, queued floods, requests,
    /// delayed acknowledgments, MaxAge removal.
    fn after_input(&mut self, now: Instant) {
        self.timeout_reported = false;
        self.gr_process(now);
        self.process_dirty(now);
        self.flush_floods(now);
        self.progress_exchanges(now);
        self.schedule_acks(now);
        self.purge_maxage(now);
        // Removals may call for re-originations (sequence wrap).
        if !self.dirty.is_empty() {
            self.process_dirty(now);
            self.flush_floods(now);
        }
        // Graceful restart mode ends (§2.3) before the calculation it enables.
        self.gr_restart_check(now);
        // The route calculation, when due (at once in a quiet network): its Summary-LSA
        // changes are originated right away.
        if self.timers.is_due(InstanceTimer::Spf, now) {
            self.run_spf_if_due(now);
            self.process_dirty(now);
            self.flush_floods(now);
        }
        // Originations of this input may end graceful restart help (strict LSA checking).
        if !self.gr_notes.is_empty() {
            self.gr_process(now);
            self.process_dirty(now);
            self.flush_floods(now);
        }
        self.gr_restart_progress(now);
        if self.shutting_down && !self.shutdown_reported && self.is_shutdown_complete() {
            self.shutdown_reported = true;
            self.event(Event::ShutdownComplete);
        }
    }

    fn run_timers(&mut self, now: Instant) {
        for ii in 0..self.interfaces.len() {
            self.run_interface_timers(now, ii);
            self.run_neighbor_timers(now, ii);
        }
        let due: Vec<(Scope, LsaKey)> = self
            .deferred
            .iter()
            .filter(|(_, t)| **t <= now)
            .map(|(k, _)| *k)
            .collect();
        for k in due {
            self.deferred.remove(&k);
            self.dirty.insert(k);
        }
        self.run_limit_timers(now);
        if self.timers.is_due(InstanceTimer::LsdbWalk, now) {
            self.timers
                .set(InstanceTimer::LsdbWalk, now + WALK_INTERVAL);
            self.walk_lsdb(now);
        }
    }

    /// Walks the LSDB: floods LSAs that reached MaxAge, refreshes our own at
    /// LSRefreshTime (each a little earlier, by a per-LSA offset, so that LSAs originated
    /// together are not all refreshed in one burst), and every CheckAge re-verifies
    /// checksums.
    fn walk_lsdb(&mut self, now: Instant) {
        self.walks = self.walks.wrapping_add(1);
        let check = self.walks % u32::from(crate::lsdb::CHECK_AGE) == 0;
        let rid = self.router_id;
        let seed = self.config.jitter_seed;
        self.recently_removed
            .retain(|_, (_, _, at)| now < *at + crate::lsdb::REMOVED_MEMORY);
        let arrival = self.config.min_ls_arrival;
        self.unflooded_installs.retain(|_, at| now < *at + arrival);
        let mut expired: Vec<(Scope, LsaKey)> = Vec::new();
        let mut refresh: Vec<(Scope, LsaKey)> = Vec::new();
        let mut corrupt: Vec<(Scope, LsaKey)> = Vec::new();
        let mut visit = |scope: Scope, db: &Lsdb, maxage: &BTreeSet<(Scope, LsaKey)>| {
            for (k, e) in db.iter() {
                let age = e.age(now);
                if age >= MAX_AGE {
                    if !maxage.contains(&(scope, *k)) {
                        expired.push((scope, *k));
                    }
                } else if k.adv_router == rid && age >= crate::lsdb::refresh_age(seed, k) {
                    refresh.push((scope, *k));
                }
                if check && !crate::lsdb::lsa_checksum_ok(e.raw()) {
                    corrupt.push((scope, *k));
                }
            }
        };
        for (id, a) in &self.areas {
            visit(Scope::Area(*id), &a.lsdb, &self.maxage);
        }
        visit(Scope::As, &self.as_lsdb, &self.maxage);
        for i in &self.interfaces {
            visit(Scope::Link(i.ifindex), &i.link_lsdb, &self.maxage);
        }
        for (scope, key) in corrupt {
            self.remove_lsa(now, scope, &key);
        }
        for (scope, key) in expired {
            // §14: reflood at MaxAge, remove once acknowledged.
            if self.lsdb_of(scope).is_some_and(|d| d.get(&key).is_some()) {
                self.maxage.insert((scope, key));
                self.lsdb_changed(now, scope, key, LsdbChange::Flushed);
                if let Some(inst) = self
                    .lsdb_of(scope)
                    .and_then(|d| d.get(&key))
                    .map(|e| e.instance(now))
                {
                    self.flood(now, scope, key, inst, None);
                }
            }
        }
        for (scope, key) in refresh {
            origin::Refresh::force(self, now, scope, key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A burst of outputs (a calculation reporting 10,000 route changes, here interface
    /// state changes) comes out whole and in order, and the drained queue gives its room
    /// back instead of holding it empty.
    #[test]
    fn drained_queue_gives_back_the_room_of_a_burst() {
        let now = Instant::from_secs(1);
        let mut inst = Instance::new(InstanceConfig::new(Ipv4Addr::new(1, 1, 1, 1)), now);
        let mut buf = [0u8; 64];
        while inst.poll_output(now, &mut buf).is_some() {}
        const BURST: u32 = 10_000;
        for ifindex in 0..BURST {
            inst.event(Event::InterfaceState {
                ifindex,
                old: InterfaceState::Down,
                new: InterfaceState::Loopback,
            });
        }
        assert!(inst.queue.capacity() >= BURST as usize);
        for i in 0..BURST {
            match inst.poll_output(now, &mut buf) {
                Some(Output::Event(Event::InterfaceState { ifindex, .. })) => {
                    assert_eq!(ifindex, i)
                }
                other => panic!("output {i}: {other:?}"),
            }
        }
        assert!(matches!(
            inst.poll_output(now, &mut buf),
            None | Some(Output::Timeout(_))
        ));
        assert!(inst.queue.is_empty());
        assert!(inst.queue.capacity() <= QUEUE_RETAINED);
    }
}
