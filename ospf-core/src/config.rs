//! Configuration of an [`Instance`](crate::instance::Instance): the instance itself, its
//! areas and its interfaces.
//!
//! Every type is `#[non_exhaustive]` with a [`Default`] and chainable setters, so that new
//! options can be added without breaking callers:
//!
//! ```
//! use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
//! use core::net::Ipv4Addr;
//!
//! let inst = InstanceConfig::new(Ipv4Addr::new(10, 0, 0, 1)).jitter_seed(7);
//! let lan = InterfaceConfig::new(Ipv4Addr::new(10, 0, 0, 1), 24)
//!     .if_type(InterfaceType::Broadcast)
//!     .priority(10)
//!     .cost(10);
//! assert_eq!(lan.hello_interval, 10);
//! assert_eq!(inst.router_id, Ipv4Addr::new(10, 0, 0, 1));
//! ```

use alloc::vec::Vec;
use core::net::Ipv4Addr;

pub use crate::auth::{AuthConfig, CryptoAlgorithm, CryptoKey};

/// Instance-wide configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstanceConfig {
    /// Router ID (must be unique in the AS).
    pub router_id: Ipv4Addr,
    /// RFC 1583 compatibility (RFC 2328 §16.4.1); used by the route calculation.
    pub rfc1583_compat: bool,
    /// Seed of the engine's PRNG (DD sequence numbers, timer jitter). Same seed, same run.
    pub jitter_seed: u64,
    /// Upper bound on the number of LSAs held (all scopes); LSAs received beyond it are
    /// not installed, not flooded and not acknowledged-then-kept: they are dropped and
    /// counted ([`DropReason::LsdbFull`](crate::interface::DropReason::LsdbFull)), and
    /// acknowledged so that the sender stops retransmitting them. LSAs under our current
    /// router ID are never refused (a former router ID's are). The Link State Request
    /// list of each neighbor is bounded by it too.
    /// `None`: unbounded.
    pub max_lsas: Option<usize>,
    /// RFC 1765's `ospfExtLsdbLimit`: upper bound on the number of non-default
    /// AS-external LSAs (type 5, Link State ID other than 0.0.0.0) held. When the count
    /// reaches it the instance enters OverflowState (RFC 1765 §2.2): it flushes its own
    /// non-default AS-external LSAs and originates none until it leaves (see
    /// [`exit_overflow_interval`](Self::exit_overflow_interval)); new ones received are
    /// refused like those beyond [`max_lsas`](Self::max_lsas) (acknowledged, unlike
    /// §2.3.1, so that a neighbor does not retransmit them for ever). Not affected by
    /// [`lsa_limit_warning_only`](Self::lsa_limit_warning_only). `None`: no such limit.
    pub max_external_lsas: Option<usize>,
    /// RFC 1765's `ospfExitOverflowInterval`: how long after entering OverflowState the
    /// instance tries to leave it (it leaves when the non-default AS-external count is
    /// below [`max_external_lsas`](Self::max_external_lsas), else it tries again after
    /// the same interval). `None` (the RFC's 0): it stays until reconfigured.
    pub exit_overflow_interval: Option<crate::time::Duration>,
    /// Cisco's `max-lsa N ignore-time M [ignore-count C] [reset-time R]`: what happens to
    /// the neighbor whose flooding crossed [`max_lsas`](Self::max_lsas). `None`: it
    /// stays; only the excess LSAs are refused.
    pub lsa_limit_ignore: Option<IgnorePolicy>,
    /// Percentage (1-100) of a limit at which an [`Event::LsdbLimit`] warning is raised
    /// (Cisco's `max-lsa N threshold`; default 75).
    ///
    /// [`Event::LsdbLimit`]: crate::instance::Event::LsdbLimit
    pub lsa_warning_threshold: u8,
    /// Cisco's `warning-only`: the limits only raise warnings; nothing is refused.
    pub lsa_limit_warning_only: bool,
    /// A wall-clock value (e.g. seconds since the Unix epoch) from which cryptographic
    /// sequence numbers start, so that they keep rising across restarts.
    pub crypto_seq_seed: u32,
    /// Report every LSDB change as an [`Event`](crate::instance::Event).
    pub lsdb_events: bool,
    /// MinLSInterval: the least time between two originations of one LSA (RFC 2328
    /// default 5 s). A deployment where every router takes LSAs faster (see
    /// `min_ls_arrival`) converges after an adjacency change within this time instead.
    pub min_ls_interval: crate::time::Duration,
    /// MinLSArrival: the least time between two instances of one LSA accepted from
    /// flooding; a newer instance arriving sooner is discarded (RFC 2328 default 1 s).
    pub min_ls_arrival: crate::time::Duration,
    /// Route calculation: ECMP width and the SPF back-off delays.
    pub spf: crate::spf::SpfConfig,
    /// Graceful restart helper mode (RFC 3623 §3).
    pub gr_helper: GrHelperConfig,
}

impl InstanceConfig {
    /// Defaults with the given router ID.
    pub fn new(router_id: Ipv4Addr) -> Self {
        InstanceConfig {
            router_id,
            ..Default::default()
        }
    }
    /// Sets the router ID.
    pub fn router_id(mut self, id: Ipv4Addr) -> Self {
        self.router_id = id;
        self
    }
    /// Sets RFC 1583 compatibility.
    pub fn rfc1583_compat(mut self, on: bool) -> Self {
        self.rfc1583_compat = on;
        self
    }
    /// Sets the PRNG seed.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = seed;
        self
    }
    /// Sets the LSA limit.
    pub fn max_lsas(mut self, max: Option<usize>) -> Self {
        self.max_lsas = max;
        self
    }
    /// Sets the AS-external LSA limit (RFC 1765).
    pub fn max_external_lsas(mut self, max: Option<usize>) -> Self {
        self.max_external_lsas = max;
        self
    }
    /// Sets RFC 1765's ExitOverflowInterval (`None`: never leave OverflowState).
    pub fn exit_overflow_interval(mut self, d: Option<crate::time::Duration>) -> Self {
        self.exit_overflow_interval = d;
        self
    }
    /// Sets what happens to a neighbor whose flooding crossed the LSA limit.
    pub fn lsa_limit_ignore(mut self, policy: Option<IgnorePolicy>) -> Self {
        self.lsa_limit_ignore = policy;
        self
    }
    /// Sets the warning threshold of the LSA limits, in percent (clamped to 1-100).
    pub fn lsa_warning_threshold(mut self, percent: u8) -> Self {
        self.lsa_warning_threshold = percent.clamp(1, 100);
        self
    }
    /// Makes the LSA limits warn only (nothing refused).
    pub fn lsa_limit_warning_only(mut self, on: bool) -> Self {
        self.lsa_limit_warning_only = on;
        self
    }
    /// Sets the wall-clock seed of cryptographic sequence numbers.
    pub fn crypto_seq_seed(mut self, seed: u32) -> Self {
        self.crypto_seq_seed = seed;
        self
    }
    /// Turns LSDB change events on or off.
    pub fn lsdb_events(mut self, on: bool) -> Self {
        self.lsdb_events = on;
        self
    }
    /// Sets MinLSInterval.
    pub fn min_ls_interval(mut self, d: crate::time::Duration) -> Self {
        self.min_ls_interval = d;
        self
    }
    /// Sets MinLSArrival.
    pub fn min_ls_arrival(mut self, d: crate::time::Duration) -> Self {
        self.min_ls_arrival = d;
        self
    }
    /// Sets the route calculation settings.
    pub fn spf(mut self, spf: crate::spf::SpfConfig) -> Self {
        self.spf = spf;
        self
    }
    /// Sets the graceful restart helper settings.
    pub fn gr_helper(mut self, gr_helper: GrHelperConfig) -> Self {
        self.gr_helper = gr_helper;
        self
    }
}

/// Graceful restart helper mode (RFC 3623 §3), with FRR's settings and defaults: off
/// unless enabled (for every neighbor or for some router IDs), strict LSA checking on,
/// grace periods accepted up to 1800 s.
///
/// ```
/// use ospf_core::config::GrHelperConfig;
///
/// // graceful-restart helper enable / graceful-restart helper planned-only
/// let h = GrHelperConfig::default().enabled(true).planned_only(true);
/// assert!(h.strict_lsa_checking);
/// assert!(h.helps(core::net::Ipv4Addr::new(10, 0, 0, 2)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrHelperConfig {
    /// Help every neighbor (`graceful-restart helper enable`).
    pub enabled: bool,
    /// Help these router IDs even when `enabled` is off
    /// (`graceful-restart helper enable A.B.C.D`).
    pub enabled_routers: alloc::vec::Vec<Ipv4Addr>,
    /// Help planned restarts only: a Grace-LSA with restart reason 0 (unknown) is
    /// refused (`graceful-restart helper planned-only`).
    pub planned_only: bool,
    /// Refuse to help, and stop helping, when the LSDB changes in a way the restarting
    /// router would have to hear about (RFC 3623 §3.1 item 2, §3.2 item 3;
    /// `graceful-restart helper strict-lsa-checking`, on by default).
    pub strict_lsa_checking: bool,
    /// The longest grace period granted, in seconds; a longer one is cut to this
    /// (`graceful-restart helper supported-grace-time N`, 10-1800, default 1800).
    pub supported_grace_time: u32,
}

impl Default for GrHelperConfig {
    fn default() -> Self {
        GrHelperConfig {
            enabled: false,
            enabled_routers: alloc::vec::Vec::new(),
            planned_only: false,
            strict_lsa_checking: true,
            supported_grace_time: 1800,
        }
    }
}

impl GrHelperConfig {
    /// Helps every neighbor (or none but [`enabled_routers`](Self::enabled_routers)).
    pub fn enabled(mut self, on: bool) -> Self {
        self.enabled = on;
        self
    }
    /// Adds a router ID to help even when helping is not enabled for all.
    pub fn enable_router(mut self, router_id: Ipv4Addr) -> Self {
        if !self.enabled_routers.contains(&router_id) {
            self.enabled_routers.push(router_id);
        }
        self
    }
    /// Helps planned restarts only.
    pub fn planned_only(mut self, on: bool) -> Self {
        self.planned_only = on;
        self
    }
    /// Turns strict LSA checking on or off.
    pub fn strict_lsa_checking(mut self, on: bool) -> Self {
        self.strict_lsa_checking = on;
        self
    }
    /// Sets the longest grace period granted, in seconds.
    pub fn supported_grace_time(mut self, secs: u32) -> Self {
        self.supported_grace_time = secs;
        self
    }
    /// True when a restart of this router would be helped.
    pub fn helps(&self, router_id: Ipv4Addr) -> bool {
        self.enabled || self.enabled_routers.contains(&router_id)
    }
}

impl Default for InstanceConfig {
    fn default() -> Self {
        InstanceConfig {
            router_id: Ipv4Addr::UNSPECIFIED,
            rfc1583_compat: false,
            jitter_seed: 0x005E_ED0F_05BF,
            max_lsas: None,
            max_external_lsas: None,
            exit_overflow_interval: None,
            lsa_limit_ignore: None,
            lsa_warning_threshold: 75,
            lsa_limit_warning_only: false,
            crypto_seq_seed: 0,
            lsdb_events: true,
            min_ls_interval: crate::time::Duration::from_secs(5),
            min_ls_arrival: crate::time::Duration::from_secs(1),
            spf: crate::spf::SpfConfig::default(),
            gr_helper: GrHelperConfig::default(),
        }
    }
}

/// What happens to a neighbor that floods LSAs beyond [`InstanceConfig::max_lsas`]
/// (Cisco's `max-lsa N ignore-time M ignore-count C reset-time R`, applied to the
/// offending neighbor instead of the whole process).
///
/// The neighbor from which an LSA was refused because the LSDB was full is taken down
/// (KillNbr) and every packet with its router ID is dropped
/// ([`DropReason::NeighborIgnored`](crate::interface::DropReason::NeighborIgnored)) for
/// `ignore_time`. The other adjacencies and the LSDB stay. After `ignore_count` such
/// periods in a row, the next offence keeps it out for `reset_time` instead; a neighbor
/// that behaves for `reset_time` after its last period starts again from zero.
///
/// ```
/// use ospf_core::config::IgnorePolicy;
/// use ospf_core::time::Duration;
///
/// let cisco = IgnorePolicy::default();
/// assert_eq!(cisco.ignore_time, Duration::from_secs(300));
/// assert_eq!((cisco.ignore_count, cisco.reset_time), (5, Duration::from_secs(600)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct IgnorePolicy {
    /// How long an offending neighbor is ignored (Cisco's default: 5 minutes).
    pub ignore_time: crate::time::Duration,
    /// How many ignore periods in a row before the longer one (default 5).
    pub ignore_count: u32,
    /// How long a neighbor must behave before its count restarts, and how long it is
    /// ignored once the count is used up (Cisco's default: 10 minutes).
    pub reset_time: crate::time::Duration,
}

impl IgnorePolicy {
    /// Cisco's defaults with the given ignore time (reset time: twice the ignore time).
    pub fn new(ignore_time: crate::time::Duration) -> Self {
        IgnorePolicy {
            ignore_time,
            ignore_count: 5,
            reset_time: ignore_time + ignore_time,
        }
    }
    /// Sets the number of ignore periods before the longer one.
    pub fn ignore_count(mut self, count: u32) -> Self {
        self.ignore_count = count;
        self
    }
    /// Sets the reset time.
    pub fn reset_time(mut self, d: crate::time::Duration) -> Self {
        self.reset_time = d;
        self
    }
}

impl Default for IgnorePolicy {
    fn default() -> Self {
        IgnorePolicy::new(crate::time::Duration::from_secs(300))
    }
}

/// What kind of area (RFC 2328 §3.6, RFC 3101): the one area-kind type of the project
/// (configuration, engine, route calculation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AreaKind {
    /// A normal area: AS-External LSAs are flooded into it.
    #[default]
    Normal,
    /// A stub area: no AS-External LSAs; the ABR injects a default summary.
    Stub {
        /// Totally stubby: the ABR sends only the default summary, no other type-3.
        no_summary: bool,
        /// Cost of the default summary the ABR originates (`area N default-cost`).
        default_cost: u32,
    },
    /// A not-so-stubby area (RFC 3101): type-7 LSAs inside, translated to type 5 by an ABR.
    Nssa {
        /// The ABR sends only a default type-3 summary into the area.
        no_summary: bool,
        /// Cost of the default summary.
        default_cost: u32,
        /// Translate type-7 LSAs whatever the NSSA translator election says
        /// (`translate-always`), and announce it with the Nt bit.
        translate_always: bool,
        /// Never translate, even when elected (`translate-never`).
        translate_never: bool,
        /// As a border router, originate a type-7 default into the area (RFC 3101 §2.7;
        /// `default-information-originate`), with the P bit clear so that no translator
        /// carries it out of the area.
        default_originate: Option<NssaDefault>,
        /// As translator, set the forwarding address of the type-5 LSAs to 0.0.0.0
        /// (`suppress-fa`, RFC 3101 §2.5 (3)'s "forwarding address suppression"): the
        /// rest of the AS then routes to the translator instead of the NSSA's ASBR.
        suppress_fa: bool,
    },
}

/// The type-7 default an NSSA border router originates into the area
/// (`area A nssa default-information-originate [metric N] [metric-type 1|2]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NssaDefault {
    /// Metric (FRR's default: 1).
    pub metric: u32,
    /// Type-2 metric (the default) rather than type 1.
    pub e2: bool,
}

impl Default for NssaDefault {
    fn default() -> Self {
        NssaDefault {
            metric: 1,
            e2: true,
        }
    }
}

impl AreaKind {
    /// A stub area (totally stubby with `no_summary`), default summary cost 1.
    pub const fn stub(no_summary: bool) -> Self {
        AreaKind::Stub {
            no_summary,
            default_cost: 1,
        }
    }

    /// An NSSA (no type-3 summaries but the default with `no_summary`), default summary
    /// cost 1, translator elected.
    pub const fn nssa(no_summary: bool) -> Self {
        AreaKind::Nssa {
            no_summary,
            default_cost: 1,
            translate_always: false,
            translate_never: false,
            default_originate: None,
            suppress_fa: false,
        }
    }

    /// The same kind with the cost of the default summary a border router originates into
    /// a stub area or NSSA (`area A default-cost N`); a normal area has none.
    pub const fn with_default_cost(self, cost: u32) -> Self {
        match self {
            AreaKind::Stub { no_summary, .. } => AreaKind::Stub {
                no_summary,
                default_cost: cost,
            },
            AreaKind::Nssa {
                no_summary,
                translate_always,
                translate_never,
                default_originate,
                suppress_fa,
                ..
            } => AreaKind::Nssa {
                no_summary,
                default_cost: cost,
                translate_always,
                translate_never,
                default_originate,
                suppress_fa,
            },
            AreaKind::Normal => AreaKind::Normal,
        }
    }

    /// True when AS-External LSAs are flooded into the area (the E option).
    pub const fn external_routing(self) -> bool {
        matches!(self, AreaKind::Normal)
    }

    /// Whether type-5 LSAs are kept out of the area (stub and NSSA).
    pub const fn is_stubby(self) -> bool {
        !matches!(self, AreaKind::Normal)
    }
}

/// An address range of an area (RFC 2328 §12.4.3, §3.5; FRR's `area A range P/M
/// [advertise [cost N]|not-advertise|substitute P/M]`).
///
/// On an area border router, the intra-area routes of the area that fall inside the range
/// are not announced one by one into the other areas: while at least one of them exists
/// (the range is *active*), one Type-3 Summary-LSA for the range is announced instead,
/// with the cost of the costliest component (or the configured cost), and a discard route
/// for the range keeps packets to its unused parts from looping. `not-advertise` hides
/// the components and announces nothing. On an NSSA the range aggregates the type-7
/// LSAs the router translates into type 5 (RFC 3101 §3.2).
///
/// ```
/// use ospf_core::config::AreaRange;
/// let r = AreaRange::new("10.1.0.0/16".parse().unwrap()).cost(Some(50));
/// assert!(r.advertise);
/// assert_eq!(r.announced(), "10.1.0.0/16".parse().unwrap());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct AreaRange {
    /// The range.
    pub prefix: crate::Prefix,
    /// Announce the range (`advertise`, the default) or hide it (`not-advertise`).
    pub advertise: bool,
    /// The cost announced (`cost N`); `None`: the largest cost of the components.
    pub cost: Option<u32>,
    /// Announce this prefix instead of the range (`substitute P/M`).
    pub substitute: Option<crate::Prefix>,
}

impl AreaRange {
    /// An advertised range with the cost of its costliest component.
    pub fn new(prefix: crate::Prefix) -> Self {
        AreaRange {
            prefix,
            advertise: true,
            cost: None,
            substitute: None,
        }
    }
    /// Sets whether the range is announced.
    pub fn advertise(mut self, on: bool) -> Self {
        self.advertise = on;
        self
    }
    /// Sets the announced cost (`None`: the largest component cost).
    pub fn cost(mut self, cost: Option<u32>) -> Self {
        self.cost = cost;
        self
    }
    /// Sets the prefix announced in place of the range.
    pub fn substitute(mut self, p: Option<crate::Prefix>) -> Self {
        self.substitute = p;
        self
    }
    /// The prefix the Summary-LSA describes: the substitute, else the range.
    pub fn announced(&self) -> crate::Prefix {
        self.substitute.unwrap_or(self.prefix)
    }
}

/// An aggregate of redistributed (AS-external) routes on an AS boundary router (FRR's
/// `summary-address A.B.C.D/M [tag N]` and `summary-address A.B.C.D/M no-advertise`).
///
/// While at least one redistributed prefix falls inside it, the components are not
/// announced; one AS-external LSA for the aggregate is, as FRR does it: type-2 metric 20
/// (FRR's default metric), forwarding address 0.0.0.0, the configured tag. With
/// `no-advertise` nothing is announced for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct SummaryAddress {
    /// The aggregate.
    pub prefix: crate::Prefix,
    /// Announce the aggregate (`false`: `no-advertise`).
    pub advertise: bool,
    /// Route tag of the aggregate's LSA.
    pub tag: u32,
    /// Metric of the aggregate's LSA (default 20, type 2).
    pub metric: u32,
}

impl SummaryAddress {
    /// An advertised aggregate, tag 0, metric 20.
    pub fn new(prefix: crate::Prefix) -> Self {
        SummaryAddress {
            prefix,
            advertise: true,
            tag: 0,
            metric: 20,
        }
    }
    /// Sets whether the aggregate is announced.
    pub fn advertise(mut self, on: bool) -> Self {
        self.advertise = on;
        self
    }
    /// Sets the route tag.
    pub fn tag(mut self, tag: u32) -> Self {
        self.tag = tag;
        self
    }
    /// Sets the metric (type 2).
    pub fn metric(mut self, metric: u32) -> Self {
        self.metric = metric;
        self
    }
}

/// Area configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AreaConfig {
    /// Area ID.
    pub id: Ipv4Addr,
    /// Kind of area.
    pub kind: AreaKind,
    /// Address ranges (RFC 2328 §12.4.3), used when we are an area border router.
    pub ranges: alloc::vec::Vec<AreaRange>,
}

impl Default for AreaConfig {
    fn default() -> Self {
        AreaConfig::new(Ipv4Addr::UNSPECIFIED)
    }
}

impl AreaConfig {
    /// A normal area.
    pub fn new(id: Ipv4Addr) -> Self {
        AreaConfig {
            id,
            kind: AreaKind::Normal,
            ranges: alloc::vec::Vec::new(),
        }
    }
    /// Sets the kind.
    pub fn kind(mut self, kind: AreaKind) -> Self {
        self.kind = kind;
        self
    }
    /// Adds an address range (one per prefix: a second one with the same prefix
    /// replaces the first).
    pub fn range(mut self, range: AreaRange) -> Self {
        self.ranges.retain(|r| r.prefix != range.prefix);
        self.ranges.push(range);
        self
    }
}

/// The OSPF interface type (RFC 2328 §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum InterfaceType {
    /// A broadcast network (Ethernet): Hellos to AllSPFRouters, DR/BDR election.
    #[default]
    Broadcast,
    /// A point-to-point link: one neighbor, no election.
    PointToPoint,
    /// A loopback: no packets; its address is announced as a host stub (a /32 of cost 0).
    Loopback,
    /// A non-broadcast multi-access network (§9, FRR's `ip ospf network non-broadcast`):
    /// as [`Broadcast`](Self::Broadcast) (DR/BDR election, Network-LSA) but every packet
    /// is unicast; neighbors are configured ([`InterfaceConfig::neighbors`]) and polled
    /// every PollInterval while down (§9.5.1).
    Nbma,
    /// Point-to-multipoint (§C.3, FRR's `ip ospf network point-to-multipoint`): no DR,
    /// an adjacency with every neighbor, a /32 host stub for our address and one
    /// point-to-point link per Full neighbor in the Router-LSA. Hellos and floods are
    /// multicast (the segment carries multicast).
    PointToMultipoint,
    /// Point-to-multipoint without multicast (FRR's `ip ospf network
    /// point-to-multipoint non-broadcast`): as
    /// [`PointToMultipoint`](Self::PointToMultipoint), but every packet is unicast to the
    /// configured (or heard) neighbors.
    PointToMultipointNonBroadcast,
    /// A virtual link (RFC 2328 §15): a backbone interface over a transit area, created
    /// by [`Instance::add_virtual_link`](crate::instance::Instance::add_virtual_link),
    /// never by `add_interface`. Point-to-point-like: one neighbor, identified by router
    /// ID, every packet unicast to its address in the transit area.
    VirtualLink,
}

impl InterfaceType {
    /// True on network types with a Designated Router (broadcast and NBMA, §9.4).
    pub fn elects_dr(self) -> bool {
        matches!(self, InterfaceType::Broadcast | InterfaceType::Nbma)
    }
    /// True on network types that cannot carry multicast: every packet goes unicast to
    /// each neighbor (§8.1: NBMA and non-broadcast point-to-multipoint).
    pub fn is_non_broadcast(self) -> bool {
        matches!(
            self,
            InterfaceType::Nbma | InterfaceType::PointToMultipointNonBroadcast
        )
    }
    /// True for both point-to-multipoint variants.
    pub fn is_point_to_multipoint(self) -> bool {
        matches!(
            self,
            InterfaceType::PointToMultipoint | InterfaceType::PointToMultipointNonBroadcast
        )
    }
}

/// A virtual link (RFC 2328 §15, C.4; FRR's `area A virtual-link R [hello-interval N]
/// [retransmit-interval N] [transmit-delay N] [dead-interval N]` and its authentication
/// forms): a backbone adjacency with area border router `peer` across the non-backbone
/// `transit_area`.
///
/// ```
/// use ospf_core::config::VirtualLinkConfig;
/// use core::net::Ipv4Addr;
///
/// let vl = VirtualLinkConfig::new(Ipv4Addr::new(0, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 3))
///     .hello_interval(2)
///     .dead_interval(8);
/// assert_eq!(vl.rxmt_interval, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VirtualLinkConfig {
    /// The transit area (neither the backbone nor a stub area or NSSA).
    pub transit_area: Ipv4Addr,
    /// Router ID of the other endpoint.
    pub peer: Ipv4Addr,
    /// HelloInterval (default 10).
    pub hello_interval: u16,
    /// RouterDeadInterval (default 40).
    pub dead_interval: u32,
    /// RxmtInterval (default 5).
    pub rxmt_interval: u16,
    /// InfTransDelay (default 1).
    pub transmit_delay: u16,
    /// Authentication of the virtual link's packets.
    pub auth: AuthConfig,
}

impl VirtualLinkConfig {
    /// A virtual link to `peer` across `transit_area`, with the RFC's default intervals
    /// and no authentication.
    pub fn new(transit_area: Ipv4Addr, peer: Ipv4Addr) -> Self {
        VirtualLinkConfig {
            transit_area,
            peer,
            hello_interval: 10,
            dead_interval: 40,
            rxmt_interval: 5,
            transmit_delay: 1,
            auth: AuthConfig::Null,
        }
    }
    /// Sets HelloInterval.
    pub fn hello_interval(mut self, s: u16) -> Self {
        self.hello_interval = s;
        self
    }
    /// Sets RouterDeadInterval.
    pub fn dead_interval(mut self, s: u32) -> Self {
        self.dead_interval = s;
        self
    }
    /// Sets RxmtInterval.
    pub fn rxmt_interval(mut self, s: u16) -> Self {
        self.rxmt_interval = s;
        self
    }
    /// Sets InfTransDelay.
    pub fn transmit_delay(mut self, s: u16) -> Self {
        self.transmit_delay = s;
        self
    }
    /// Sets authentication.
    pub fn auth(mut self, auth: AuthConfig) -> Self {
        self.auth = auth;
        self
    }
}

/// A configured neighbor on a non-broadcast network (RFC 2328 §9.5.1, C.5; FRR's
/// `neighbor A.B.C.D [priority N [poll-interval S]]` under `router ospf`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StaticNeighbor {
    /// The neighbor's interface address.
    pub address: Ipv4Addr,
    /// Its Router Priority, until its Hellos tell (default 0, as FRR's).
    pub priority: u8,
    /// PollInterval: seconds between Hellos while the neighbor is down (default 120).
    pub poll_interval: u16,
}

impl StaticNeighbor {
    /// A neighbor at `address` with FRR's defaults (priority 0, poll interval 120 s).
    pub fn new(address: Ipv4Addr) -> Self {
        StaticNeighbor {
            address,
            priority: 0,
            poll_interval: 120,
        }
    }
    /// Sets the priority.
    pub fn priority(mut self, p: u8) -> Self {
        self.priority = p;
        self
    }
    /// Sets PollInterval (seconds, at least 1).
    pub fn poll_interval(mut self, s: u16) -> Self {
        self.poll_interval = s.max(1);
        self
    }
}

/// Interface configuration. Intervals are in seconds, as on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterfaceConfig {
    /// Interface type.
    pub if_type: InterfaceType,
    /// Area the interface belongs to.
    pub area: Ipv4Addr,
    /// The interface's IPv4 address.
    pub address: Ipv4Addr,
    /// Prefix length of the attached network.
    pub prefix_len: u8,
    /// HelloInterval (default 10).
    pub hello_interval: u16,
    /// RouterDeadInterval (default 40).
    pub dead_interval: u32,
    /// RxmtInterval (default 5).
    pub rxmt_interval: u16,
    /// InfTransDelay (default 1).
    pub transmit_delay: u16,
    /// Output cost (default 10).
    pub cost: u16,
    /// Cost of a loopback's host stub (default 0, as RFC 2328 §12.4.1.4 and FRR announce
    /// it). A higher cost keeps an anycast address reachable through this router but
    /// makes the others preferred (a degraded server).
    pub host_cost: u16,
    /// Anycast weight of a loopback's host stub (1–255; `None`, the default: no weight,
    /// every server counts the same). With a weight, the engine originates an RFC 7684
    /// Extended Prefix Opaque LSA for the address beside the stub, carrying the weight in
    /// our sub-TLV ([`crate::wire::ExtPrefix`]); a router of ours spreads flows over the
    /// servers in proportion (see [`crate::spf::Route::weights`]). 0 counts as `None`.
    pub weight: Option<u8>,
    /// Router priority (default 1; 0: never DR or BDR).
    pub priority: u8,
    /// IP MTU of the interface (default 1500).
    pub mtu: u16,
    /// Accept Database Description packets whatever their MTU.
    pub mtu_ignore: bool,
    /// Passive: the network is announced but no packets are sent or accepted.
    pub passive: bool,
    /// Authentication (null, simple password, keyed MD5 or HMAC-SHA keys).
    pub auth: AuthConfig,
    /// Sub-second Hellos (FRR's `dead-interval minimal hello-multiplier N`): when not 0,
    /// this many Hellos a second, RouterDeadInterval 1 s, and HelloInterval 0 on the wire
    /// (as FRR sends it; neighbors must agree). `hello_interval` is then ignored.
    pub hello_multiplier: u8,
    /// Configured neighbors of a non-broadcast network ([`InterfaceType::Nbma`],
    /// [`InterfaceType::PointToMultipointNonBroadcast`]); ignored on other types.
    pub neighbors: Vec<StaticNeighbor>,
}

impl InterfaceConfig {
    /// Defaults for an interface with this address and prefix length.
    pub fn new(address: Ipv4Addr, prefix_len: u8) -> Self {
        InterfaceConfig {
            address,
            prefix_len,
            ..Default::default()
        }
    }
    /// Sets the type.
    pub fn if_type(mut self, t: InterfaceType) -> Self {
        self.if_type = t;
        self
    }
    /// Sets the area.
    pub fn area(mut self, area: Ipv4Addr) -> Self {
        self.area = area;
        self
    }
    /// Sets HelloInterval.
    pub fn hello_interval(mut self, s: u16) -> Self {
        self.hello_interval = s;
        self
    }
    /// Sets RouterDeadInterval.
    pub fn dead_interval(mut self, s: u32) -> Self {
        self.dead_interval = s;
        self
    }
    /// Sets RxmtInterval.
    pub fn rxmt_interval(mut self, s: u16) -> Self {
        self.rxmt_interval = s;
        self
    }
    /// Sets InfTransDelay.
    pub fn transmit_delay(mut self, s: u16) -> Self {
        self.transmit_delay = s;
        self
    }
    /// Sets the cost.
    pub fn cost(mut self, cost: u16) -> Self {
        self.cost = cost;
        self
    }
    /// Sets the cost of a loopback's host stub.
    pub fn host_cost(mut self, cost: u16) -> Self {
        self.host_cost = cost;
        self
    }
    /// Sets the anycast weight of a loopback's host stub ([`InterfaceConfig::weight`]).
    pub fn weight(mut self, weight: Option<u8>) -> Self {
        self.weight = weight.filter(|w| *w != 0);
        self
    }
    /// Sets the priority.
    pub fn priority(mut self, p: u8) -> Self {
        self.priority = p;
        self
    }
    /// Sets the MTU.
    pub fn mtu(mut self, mtu: u16) -> Self {
        self.mtu = mtu;
        self
    }
    /// Sets mtu-ignore.
    pub fn mtu_ignore(mut self, on: bool) -> Self {
        self.mtu_ignore = on;
        self
    }
    /// Sets passive.
    pub fn passive(mut self, on: bool) -> Self {
        self.passive = on;
        self
    }
    /// Sets authentication.
    pub fn auth(mut self, auth: AuthConfig) -> Self {
        self.auth = auth;
        self
    }
    /// Sets sub-second Hellos: `n` a second with a dead interval of 1 s (0: off).
    pub fn hello_multiplier(mut self, n: u8) -> Self {
        self.hello_multiplier = n;
        if n > 0 {
            self.dead_interval = 1;
        }
        self
    }
    /// Adds a configured neighbor (non-broadcast networks).
    pub fn neighbor(mut self, n: StaticNeighbor) -> Self {
        self.neighbors.retain(|x| x.address != n.address);
        self.neighbors.push(n);
        self
    }
    /// Time between two Hellos.
    pub fn hello_period(&self) -> crate::time::Duration {
        match self.hello_multiplier {
            0 => crate::time::Duration::from_secs(u64::from(self.hello_interval)),
            n => crate::time::Duration::from_micros(1_000_000 / u64::from(n)),
        }
    }
    /// HelloInterval as carried in (and expected from) Hello packets.
    pub fn wire_hello_interval(&self) -> u16 {
        if self.hello_multiplier > 0 {
            0
        } else {
            self.hello_interval
        }
    }
    /// The network mask for `prefix_len`.
    pub fn mask(&self) -> Ipv4Addr {
        prefix_mask(self.prefix_len)
    }
}

impl Default for InterfaceConfig {
    fn default() -> Self {
        InterfaceConfig {
            if_type: InterfaceType::Broadcast,
            area: Ipv4Addr::UNSPECIFIED,
            address: Ipv4Addr::UNSPECIFIED,
            prefix_len: 24,
            hello_interval: 10,
            dead_interval: 40,
            rxmt_interval: 5,
            transmit_delay: 1,
            cost: 10,
            host_cost: 0,
            weight: None,
            priority: 1,
            mtu: 1500,
            mtu_ignore: false,
            passive: false,
            auth: AuthConfig::Null,
            hello_multiplier: 0,
            neighbors: Vec::new(),
        }
    }
}

pub use crate::wire::prefix_mask;

/// A tiny xorshift64* PRNG: deterministic for a seed, no platform randomness.
#[derive(Debug, Clone)]
pub struct Prng(u64);

impl Prng {
    /// A generator for `seed` (0 is mapped to a fixed non-zero state).
    pub fn new(seed: u64) -> Self {
        Prng(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
    /// True with probability `p` (0.0..=1.0), in parts per million.
    pub fn chance_ppm(&mut self, ppm: u32) -> bool {
        self.below(1_000_000) < u64::from(ppm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prng_is_deterministic() {
        let mut a = Prng::new(42);
        let mut b = Prng::new(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert!(Prng::new(0).next_u64() != 0);
    }
}
