//! Reader for the Quagga/FRR `ospfd.conf` dialect (plus IOS `network ... WILDCARD area N`).
//!
//! [`OspfdConf::parse`] turns the text of a configuration file into a typed tree. Every
//! command it accepts is either applied (it changes what the daemon does) or purely
//! informational, as listed below; every other line is a [`ConfError`] that names the line
//! number, so a typo or an FRR feature this implementation lacks never silently changes
//! the protocol's behaviour. FRR commands that are recognised but not implemented give
//! [`ConfError::Unsupported`] (`line 7: 'ip ospf ldp-sync' is not supported`).
//!
//! Areas are written as a decimal number (`0`) or a dotted quad (`0.0.0.0`).
//!
//! # Top level
//!
//! | keyword | effect |
//! |---|---|
//! | `!` and `#` comments, blank lines | ignored |
//! | `hostname NAME` | informational: recorded in [`OspfdConf::hostname`], not otherwise used |
//! | `password X`, `enable password X` | informational: there is no vty to protect |
//! | `log stdout\|stderr\|syslog [LEVEL]`, `log file PATH [LEVEL]` | applied: where and at which level the daemon logs (`syslog` writes to stderr, for the service manager). Only one `log` line is allowed; a second one is an error because it could not be honoured |
//! | `interface IF [vrf default]` | applied: opens the interface's block. A repeated block for the same interface is merged into the first, as FRR's vtysh does when it re-enters the interface node |
//! | `router ospf [N]` | applied: opens the router block. The instance number `N` is informational (one instance runs); a second `router ospf` with another number is an error |
//! | `line vty` with `exec-timeout`, `access-class`, `ipv6 access-class`, `login`, `no ...` under it | informational: vty settings |
//! | `exit`, `end`, `quit`, `exit-vrf` | structure: leave the current block |
//! | `bfd` / ` profile NAME` / `  detect-multiplier N` / `  receive-interval MS` / `  transmit-interval MS` / ` exit` / `exit` | applied: BFD profiles (FRR's bfdd syntax) that `ip ospf bfd profile NAME` refers to; other profile commands (`echo-mode`, `passive-mode`, `minimum-ttl`, `shutdown`) and `peer` blocks are rejected as not supported |
//! | `anycast-service NAME` / ` address A.B.C.D/32` / ` check SPEC` (repeatable) / ` check-interval MS` / ` check-timeout MS` / ` check-fall N` / ` check-rise N` / ` check-initial up\|down` / ` on-failure withdraw\|degrade` / ` degrade-cost N` / ` weight N` / ` [no] last-one-standing` / `exit` | applied (our own block, FRR has no health checks): one anycast service of a speaker ([`crate::service`]); checks in the `--check-*` syntax; `weight` (1–255) is the server's anycast weight, changed by a reload; changing anything else of a block needs a restart |
//! | `frr ...`, `service ...`, `debug ...`, `access-list`, `ip ...`, `ipv6 ...`, `route-map`, `key chain`, `vrf`, `router bgp\|rip\|...`, ... | rejected: not supported |
//!
//! # `interface IF`
//!
//! | keyword | effect |
//! |---|---|
//! | `description TEXT` | informational |
//! | `bandwidth N` | applied: the interface's bandwidth in Mbit/s (FRR's zebra command, 1-1000000) for the automatic cost, instead of the link speed |
//! | `ip ospf hello-interval N` | applied: HelloInterval |
//! | `ip ospf dead-interval N` | applied: RouterDeadInterval; must be greater than the hello interval (10 s when not set) |
//! | `ip ospf dead-interval minimal hello-multiplier N` | applied: N hellos a second, dead interval 1 s |
//! | `ip ospf retransmit-interval N`, `ip ospf transmit-delay N`, `ip ospf priority N` | applied |
//! | `ip ospf cost N` | applied: the interface cost; without it the cost is computed from `auto-cost reference-bandwidth` |
//! | `ip ospf network point-to-point\|broadcast\|non-broadcast\|point-to-multipoint [non-broadcast]` | applied: the network type (default: from the link's flags). `non-broadcast` (NBMA) and `point-to-multipoint non-broadcast` send every packet unicast to the `neighbor`s of `router ospf` on the interface's subnet (and to neighbors heard from). `point-to-multipoint delay-reflood` and `point-to-point dmvpn` are rejected as not supported |
//! | `ip ospf authentication [message-digest\|null]` | applied: overrides the area's authentication. `message-digest` without any key on the interface is an error |
//! | `ip ospf authentication-key KEY` | applied: the simple password (at most 8 characters) |
//! | `ip ospf message-digest-key N md5 KEY` | applied: a keyed-MD5 key (at most 16 characters) |
//! | `ip ospf hmac-sha1-key N KEY` (also `-sha256-`, `-sha384-`, `-sha512-`) | applied: an RFC 5709 key; an extension of this implementation (FRR configures HMAC-SHA through key chains) |
//! | `ip ospf mtu-ignore`, `no ip ospf mtu-ignore` | applied: skip (or do) the MTU check of Database Description packets |
//! | `ip ospf area AREA` | applied: runs OSPF on every address of the interface in that area |
//! | `ip ospf passive`, `no ip ospf passive` | applied: no hellos; the network is announced as a stub |
//! | `ip ospf bfd [profile NAME]` | applied: BFD (RFC 5880/5881) with every neighbor from 2-Way on; a BFD failure takes the neighbor down at once. Without a profile (or with one no `bfd` block defines, as FRR allows) FRR's defaults: 300 ms, multiplier 3 |
//! | `ip ospf authentication key-chain`, `ip address`, `ipv6 ...`, `shutdown`, `link-detect`, ... | rejected: not supported |
//!
//! # `router ospf [N]`
//!
//! | keyword | effect |
//! |---|---|
//! | `ospf router-id A.B.C.D`, `router-id A.B.C.D` | applied: the router ID. `0.0.0.0` and a second router-id line are errors |
//! | `network A.B.C.D/M area AREA`, `network A.B.C.D WILDCARD area AREA` | applied: addresses inside the prefix run OSPF in that area. A `/M` prefix with host bits set is an error (FRR masks them silently, which hides typos such as `10.0.0.1/24` meant as a host) |
//! | `passive-interface IF\|default`, `no passive-interface IF` | applied |
//! | `area AREA stub [no-summary]`, `area AREA nssa [no-summary] [translate-candidate\|translate-never\|translate-always] [default-information-originate [metric N] [metric-type 1\|2]] [suppress-fa]` | applied: the area's kind, and for an NSSA (RFC 3101) the translator role (`translate-always` also sets the Nt bit), a type-7 default with the P bit clear originated as border router (FRR's defaults: metric 1, type 2), and `suppress-fa` (translated type-5 LSAs carry forwarding address 0.0.0.0). Lines add up, so FRR 8.4's separate lines (`area A nssa translate-always`, `area A nssa no-summary`, `area A nssa suppress-fa`) and later FRR's single line both read (FRR 8.4 has no NSSA `default-information-originate`) |
//! | `area AREA default-cost N` | applied: the cost of the default summary a border router originates into the stub area or NSSA (after `area AREA stub\|nssa`, as FRR requires) |
//! | `area AREA range A.B.C.D/M [advertise [cost N]\|not-advertise]`, `area AREA range A.B.C.D/M {cost N\|substitute A.B.C.D/M}` | applied (RFC 2328 §12.4.3, FRR 8.4's forms) as an area border router: the area's intra-area networks inside the range are announced to the other areas as one summary while at least one exists, with the largest component cost or `cost N`, under the substitute prefix if given, with a discard (blackhole) route for the range; `not-advertise` hides them. On an NSSA the range also aggregates the type-7 routes translated into type 5 (RFC 3101 §3.2; FRR 8.4 has no `area AREA nssa range`, and translates each type-7 LSA alone even inside such a range). Changed by `reload` without a restart |
//! | `summary-address A.B.C.D/M [tag N]`, `summary-address A.B.C.D/M no-advertise` | applied (FRR's forms): the redistributed routes inside the prefix are announced as one AS-external LSA (type 2, metric 20, FRR's default; the tag) while at least one exists, or not at all with `no-advertise`. Unlike FRR (`aggregation timer`, 5 s) without delay |
//! | `default-information originate [always] [metric N] [metric-type 1\|2]` | applied (FRR's defaults: type 2, metric 10, or 1 with `always`): announces 0.0.0.0/0 as an AS-external route; without `always` only while the kernel's main table has a default route that is not ours (checked at start, on link changes and on `reload`, like `redistribute kernel`). `route-map` is rejected as not supported |
//! | `area AREA authentication [message-digest]` | applied: the area's authentication type |
//! | `redistribute connected\|static\|kernel [metric N] [metric-type 1\|2]` | applied: external routes from those sources |
//! | `neighbor A.B.C.D [priority N] [poll-interval S]` | applied (FRR 8.4's syntax and defaults: priority 0, poll interval 120 s): a neighbor of the non-broadcast interface whose subnet holds A.B.C.D, polled every S seconds while down (NBMA); its priority counts until its Hellos tell. On other network types the line has no effect, as in FRR |
//! | `log-adjacency-changes [detail]` | accepted: the daemon always logs every neighbor state change (FRR's `detail`) |
//! | `auto-cost reference-bandwidth N` | applied: interfaces without `ip ospf cost` get cost = reference / bandwidth (Mbit/s, rounded, 1-65535; default reference 100000 Mbit/s as in FRR) |
//! | `max-lsa N [PERCENT] [warning-only] [ignore-time M] [ignore-count C] [reset-time R]` | applied (Cisco IOS syntax): at most N LSAs from other routers in the LSDB (our own are never refused); LSAs beyond it are not installed, flooded nor routed, but acknowledged and counted (`LsdbFull`). A warning is logged at PERCENT of N (default 75) and at N. `warning-only` only logs. Without the line the limit is [`DEFAULT_MAX_LSA`]. Without `ignore-*`/`reset-time` the adjacencies stay. With them (Cisco semantics scoped to one neighbor, where IOS takes the whole process down and clears its LSDB): the neighbor that flooded an LSA beyond N is taken down and its packets dropped (`NeighborIgnored`) for M minutes (1-17895, default 5); after C such periods in a row (1-65534, default 5) each further offence keeps it out for R minutes (2-17895, default 2 x M), and a neighbor that behaves for R minutes after its last period starts afresh. Other adjacencies and the LSDB stay. `show ip ospf` lists ignored neighbors |
//! | `overflow database external MAX [SECONDS]` | applied: RFC 1765's external LSDB limit (`ospfExtLsdbLimit`, 1-2147483647) and exit overflow interval (`ospfExitOverflowInterval`, 0-65535 s, default 300; 0: never leave). When the non-default AS-external LSAs reach MAX the router enters OverflowState: it flushes its own non-default externals and originates none, refuses (acknowledges and counts as `LsdbFull`) new ones, and after SECONDS leaves once below MAX. FRR has no keyword for it; this is the spelling of ZebOS (which, like FRR, descends from GNU Zebra) and mirrors Cisco's `max-lsa` order (limit first). Like the RFC says, set the same MAX on every router |
//! | `graceful-restart helper enable [A.B.C.D]`, `graceful-restart helper planned-only`, `graceful-restart helper strict-lsa-checking`, `graceful-restart helper supported-grace-time N`, and their `no` forms | applied (FRR 8.4's spelling and defaults): graceful restart helper mode (RFC 3623 §3) for every neighbor or for one router ID, only planned restarts, strict LSA checking (on by default), the longest grace period granted (10-1800 s, default 1800) |
//! | `capability opaque`, `ospf opaque-lsa` | accepted: opaque LSAs (RFC 5250) are always on (graceful restart and anycast weights use them); `no capability opaque` is refused |
//! | `graceful-restart [grace-period N]`, `no graceful-restart` | applied: graceful restart, restarting side (RFC 3623 §2; grace period 1-1800 s, default 120 as FRR). `graceful-restart prepare ip ospf` (control socket, `Handle::graceful_restart_prepare`) floods Grace-LSAs, reports when they are acknowledged and records the grace period's end in the state directory; the process then exits (SIGTERM) without flushing its LSAs or removing its kernel routes. The next process keeps those routes while it re-forms its adjacencies without originating or flushing LSAs, then takes them over and deletes the ones it no longer has. After a crash (no record, but routes of ours in the kernel) it does the same for this grace period, announcing the restart with Grace-LSAs (reason unknown) before its first Hellos. Without the line, routes of an earlier run are deleted at start |
//! | `area AREA virtual-link A.B.C.D {hello-interval N\|retransmit-interval N\|transmit-delay N\|dead-interval N}`, `area AREA virtual-link A.B.C.D [authentication [message-digest\|null]] [message-digest-key N md5 KEY\|authentication-key KEY]` | applied (RFC 2328 §15, FRR 8.4's two forms; several lines for one endpoint are merged, as FRR writes them): a backbone adjacency with the ABR of that router ID across the transit area, up while the transit area reaches it. Defaults: hello 10 s, dead 40 s, retransmit 5 s, transmit delay 1 s; without `authentication` the backbone's (`area 0 authentication`). The backbone, a stub area or an NSSA as transit area is an error (either order of the lines). Changed by `reload` (a changed link is taken down and brought up again) |
//! | `area AREA shortcut\|...`, `default-metric`, `aggregation timer`, `distance`, `timers`, `max-metric`, `redistribute bgp\|...`, ... | rejected: not supported |
//!
//! ```
//! use ospf_std::conf::OspfdConf;
//! let conf = OspfdConf::parse(
//!     "hostname server1\ninterface eth0\nrouter ospf\n\tospf router-id 10.0.0.1\n\
//!      \tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n",
//! )
//! .unwrap();
//! let router = conf.router.as_ref().unwrap();
//! assert_eq!(router.router_id, Some("10.0.0.1".parse().unwrap()));
//! assert_eq!(router.networks.len(), 2);
//!
//! let err = OspfdConf::parse("interface eth0\n ip ospf ldp-sync\n").unwrap_err();
//! assert_eq!(err.to_string(), "line 2: 'ip ospf ldp-sync' is not supported");
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::path::Path;

/// A parsed `ospfd.conf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OspfdConf {
    /// `hostname NAME`.
    pub hostname: Option<String>,
    /// `interface IF` blocks, in the order they first appear (repeated blocks are merged).
    pub interfaces: Vec<InterfaceConf>,
    /// The `router ospf` block, if present.
    pub router: Option<RouterConf>,
    /// `log ...` destination (at most one).
    pub log: Vec<LogTarget>,
    /// `bfd` / `profile NAME` blocks, in file order (a repeated profile is merged).
    pub bfd_profiles: Vec<BfdProfile>,
    /// `anycast-service NAME` blocks ([`crate::service`]), in file order.
    pub services: Vec<ServiceConf>,
}

/// An `anycast-service NAME` block: one anycast service of a speaker with its own checks
/// and failure action ([`crate::service`]). Not an FRR command: FRR has no health checks.
///
/// ```text
/// anycast-service web
///  address 172.16.0.1/32
///  check http://127.0.0.1/
///  check tcp:127.0.0.1:443
///  check-interval 200
///  check-timeout 500
///  check-fall 2
///  check-rise 2
///  check-initial up
///  on-failure degrade
///  degrade-cost 60000
///  weight 2
///  no last-one-standing
/// exit
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceConf {
    /// The service's name.
    pub name: String,
    /// Line of its `anycast-service` line.
    pub line: usize,
    /// `address A.B.C.D/32` (required).
    pub address: Option<crate::Prefix>,
    /// `check SPEC` lines, in order (the `--check-*` syntax: `http://URL`, `tcp:ADDR:PORT`,
    /// `cmd:COMMAND`, `dns:NAME[@SERVER][/TYPE]`).
    pub checks: Vec<String>,
    /// `check-interval MS`.
    pub interval_ms: Option<u64>,
    /// `check-timeout MS`.
    pub timeout_ms: Option<u64>,
    /// `check-fall N`.
    pub fall: Option<u32>,
    /// `check-rise N`.
    pub rise: Option<u32>,
    /// `check-initial up|down`.
    pub initial_up: Option<bool>,
    /// `on-failure withdraw|degrade`.
    pub on_failure: crate::service::OnFailure,
    /// `degrade-cost N`.
    pub degrade_cost: Option<u16>,
    /// `weight N` (1–255): the server's anycast weight.
    pub weight: Option<u8>,
    /// `no last-one-standing` sets it false.
    pub last_one_standing: bool,
}

/// A `profile NAME` block under `bfd` (FRR's bfdd syntax). `None`: FRR's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BfdProfile {
    /// Profile name.
    pub name: String,
    /// Line of its first `profile` line.
    pub line: usize,
    /// `detect-multiplier N` (2-255; default 3).
    pub detect_multiplier: Option<u8>,
    /// `receive-interval MS` (10-60000; default 300).
    pub receive_interval: Option<u32>,
    /// `transmit-interval MS` (10-60000; default 300).
    pub transmit_interval: Option<u32>,
}

/// `ip ospf bfd [profile NAME]` on an interface.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterfaceBfd {
    /// The profile, if one is named.
    pub profile: Option<String>,
    /// Line of the `ip ospf bfd` command.
    pub line: usize,
}

impl OspfdConf {
    /// The profile called `name`, if a `bfd` block defines it.
    pub fn bfd_profile(&self, name: &str) -> Option<&BfdProfile> {
        self.bfd_profiles.iter().find(|p| p.name == name)
    }
}

/// Settings of one `interface IF` block. `None` means "not configured: use the default".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterfaceConf {
    /// Interface name (`eth0`, `lo`).
    pub name: String,
    /// Line number of the first `interface` line for this interface.
    pub line: usize,
    /// `description TEXT`.
    pub description: Option<String>,
    /// `bandwidth N` (Mbit/s).
    pub bandwidth: Option<u32>,
    /// `ip ospf hello-interval N` (seconds).
    pub hello_interval: Option<u16>,
    /// `ip ospf dead-interval ...`.
    pub dead_interval: Option<DeadInterval>,
    /// `ip ospf retransmit-interval N` (seconds).
    pub retransmit_interval: Option<u16>,
    /// `ip ospf transmit-delay N` (seconds).
    pub transmit_delay: Option<u16>,
    /// `ip ospf cost N`.
    pub cost: Option<u16>,
    /// `ip ospf priority N`.
    pub priority: Option<u8>,
    /// `ip ospf network ...`.
    pub network_type: Option<NetworkType>,
    /// `ip ospf authentication [...]`: overrides the area's authentication.
    pub authentication: Option<AuthMode>,
    /// `ip ospf authentication-key KEY` (simple password, at most 8 bytes).
    pub authentication_key: Option<String>,
    /// `ip ospf message-digest-key N md5 KEY` and the HMAC-SHA extensions, in file order.
    pub digest_keys: Vec<DigestKey>,
    /// `ip ospf mtu-ignore`.
    pub mtu_ignore: bool,
    /// `ip ospf area AREA`: enables OSPF on every address of the interface in that area.
    pub area: Option<Ipv4Addr>,
    /// `ip ospf passive`.
    pub passive: bool,
    /// `ip ospf bfd [profile NAME]`.
    pub bfd: Option<InterfaceBfd>,
}

/// `ip ospf dead-interval` forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadInterval {
    /// `ip ospf dead-interval N`: N seconds.
    Seconds(u16),
    /// `ip ospf dead-interval minimal hello-multiplier N`: a dead interval of one second with
    /// N hellos per second.
    Minimal {
        /// Hellos sent per second.
        hello_multiplier: u8,
    },
}

/// `ip ospf network` types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkType {
    /// `point-to-point`.
    PointToPoint,
    /// `broadcast`.
    Broadcast,
    /// `non-broadcast` (NBMA: a DR, unicast to the `neighbor`s of `router ospf`).
    NonBroadcast,
    /// `point-to-multipoint`.
    PointToMultipoint,
    /// `point-to-multipoint non-broadcast` (unicast to the `neighbor`s of `router ospf`).
    PointToMultipointNonBroadcast,
}

/// Authentication type of an interface or area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// No authentication (`ip ospf authentication null`).
    Null,
    /// Simple password (`ip ospf authentication`).
    Simple,
    /// Cryptographic authentication (`ip ospf authentication message-digest`).
    MessageDigest,
}

/// Algorithm of a cryptographic key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// Keyed MD5 (RFC 2328 appendix D).
    Md5,
    /// HMAC-SHA-1 (RFC 5709).
    HmacSha1,
    /// HMAC-SHA-256 (RFC 5709).
    HmacSha256,
    /// HMAC-SHA-384 (RFC 5709).
    HmacSha384,
    /// HMAC-SHA-512 (RFC 5709).
    HmacSha512,
}

/// One cryptographic key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestKey {
    /// Key id (1..=255).
    pub id: u8,
    /// Algorithm.
    pub algorithm: DigestAlgorithm,
    /// The key as written in the file.
    pub key: String,
}

/// FRR's default `auto-cost reference-bandwidth`, in Mbit/s: `OSPF_DEFAULT_REF_BANDWIDTH`
/// (100000) in FRR's `lib/libospf.h`, compared with interface speeds in Mbit/s, i.e.
/// 100 Gbit/s. (FRR's user manual still says 100 Mbit/s; the code is what runs.)
pub const DEFAULT_REFERENCE_BANDWIDTH: u32 = 100_000;

/// The LSDB limit when `max-lsa` is not configured: 200,000 LSAs. The engine holds about
/// 314 bytes per AS-external LSA (LSDB, route calculation, routing table; measured by
/// `ospf-core/tests/engine_storm_memory.rs`) and the issue-14 storm measured about 420 bytes
/// of daemon memory per LSA all told (with the FIB), so this bounds a storm's cost near
/// 65-85 MB, which a small host (1 GB) can afford, while staying an order of magnitude
/// above the largest OSPF domains in practice (tens of thousands of LSAs). Raise it with
/// `max-lsa N`.
pub const DEFAULT_MAX_LSA: u32 = 200_000;

/// `max-lsa N [PERCENT] [warning-only] [ignore-time M] [ignore-count C] [reset-time R]`
/// (Cisco IOS syntax).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MaxLsa {
    /// The most LSAs from other routers held.
    pub limit: u32,
    /// Percentage of `limit` at which a warning is logged (default 75).
    pub threshold: u8,
    /// Only log; refuse nothing.
    pub warning_only: bool,
    /// `ignore-time M`: minutes an offending neighbor is ignored.
    pub ignore_time: Option<u32>,
    /// `ignore-count C`: ignore periods in a row before the reset-time one.
    pub ignore_count: Option<u32>,
    /// `reset-time R`: minutes of good behaviour that restart the count.
    pub reset_time: Option<u32>,
    /// Line number.
    pub line: usize,
}

impl MaxLsa {
    /// The engine's policy for offending neighbors: `Some` when any of `ignore-time`,
    /// `ignore-count`, `reset-time` is given (the others take Cisco's defaults: 5
    /// minutes, 5 times, twice the ignore time).
    pub fn ignore_policy(&self) -> Option<ospf_core::config::IgnorePolicy> {
        if self.ignore_time.is_none() && self.ignore_count.is_none() && self.reset_time.is_none() {
            return None;
        }
        let minutes = |m: u32| ospf_core::time::Duration::from_secs(u64::from(m) * 60);
        let mut p = ospf_core::config::IgnorePolicy::new(minutes(self.ignore_time.unwrap_or(5)));
        if let Some(c) = self.ignore_count {
            p = p.ignore_count(c);
        }
        if let Some(r) = self.reset_time {
            p = p.reset_time(minutes(r));
        }
        Some(p)
    }
}

/// `overflow database external MAX [SECONDS]`: RFC 1765's external LSDB limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExternalOverflow {
    /// `ospfExtLsdbLimit`: the most non-default AS-external LSAs held.
    pub limit: u32,
    /// `ospfExitOverflowInterval` in seconds (0: OverflowState is never left).
    pub exit_interval: u16,
    /// Line number.
    pub line: usize,
}

/// The `router ospf` block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouterConf {
    /// Line number of the `router ospf` line.
    pub line: usize,
    /// `router ospf N`: the instance (IOS process id) if given.
    pub instance: Option<u16>,
    /// `ospf router-id A.B.C.D` or `router-id A.B.C.D`.
    pub router_id: Option<Ipv4Addr>,
    /// `network` statements in file order.
    pub networks: Vec<NetworkStatement>,
    /// `passive-interface default`.
    pub passive_default: bool,
    /// `passive-interface IF`.
    pub passive_interfaces: Vec<String>,
    /// `no passive-interface IF` (exceptions to `passive-interface default`).
    pub active_interfaces: Vec<String>,
    /// Per-area settings.
    pub areas: BTreeMap<Ipv4Addr, AreaConf>,
    /// `redistribute ...`.
    pub redistribute: Vec<Redistribute>,
    /// `log-adjacency-changes [detail]`: `Some(detail)`.
    pub log_adjacency_changes: Option<bool>,
    /// `auto-cost reference-bandwidth N` (Mbit/s); [`DEFAULT_REFERENCE_BANDWIDTH`] when
    /// `None`.
    pub reference_bandwidth: Option<u32>,
    /// `max-lsa ...`; a limit of [`DEFAULT_MAX_LSA`] applies when `None`.
    pub max_lsa: Option<MaxLsa>,
    /// `graceful-restart helper ...` lines (FRR's defaults when absent: helping off,
    /// strict LSA checking on, grace periods up to 1800 s).
    pub gr_helper: GrHelperConfig,
    /// `graceful-restart [grace-period N]`: planned restarts allowed, with this grace
    /// period in seconds.
    pub graceful_restart: Option<u32>,
    /// `overflow database external MAX [SECONDS]` (RFC 1765).
    pub overflow_external: Option<ExternalOverflow>,
    /// `summary-address A.B.C.D/M [tag N]` and `summary-address A.B.C.D/M no-advertise`,
    /// in file order (a repeated prefix replaces the earlier line).
    pub summary_addresses: Vec<SummaryAddress>,
    /// `default-information originate ...`.
    pub default_information: Option<DefaultInformation>,
    /// `neighbor A.B.C.D [priority N] [poll-interval S]`: the neighbors of
    /// non-broadcast networks (NBMA and non-broadcast point-to-multipoint), in file order;
    /// each applies to the interface whose subnet holds its address.
    pub neighbors: Vec<NeighborConf>,
    /// `area AREA virtual-link A.B.C.D ...`: the virtual links, in the order first
    /// named (FRR's several lines for one link merged into one entry).
    pub virtual_links: Vec<VirtualLinkConf>,
}

/// A virtual link (RFC 2328 §15): FRR 8.4's `area AREA virtual-link A.B.C.D
/// {hello-interval N|retransmit-interval N|transmit-delay N|dead-interval N}` and `area
/// AREA virtual-link A.B.C.D [authentication [message-digest|null]]
/// [message-digest-key N md5 KEY|authentication-key KEY]`, the lines for one endpoint
/// merged as FRR does (it writes them as separate lines).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VirtualLinkConf {
    /// The transit area.
    pub area: Ipv4Addr,
    /// The other endpoint's router ID.
    pub peer: Ipv4Addr,
    /// `hello-interval N` (default 10).
    pub hello_interval: Option<u16>,
    /// `dead-interval N` (default 40, whatever the hello interval, as FRR).
    pub dead_interval: Option<u16>,
    /// `retransmit-interval N` (default 5).
    pub retransmit_interval: Option<u16>,
    /// `transmit-delay N` (default 1).
    pub transmit_delay: Option<u16>,
    /// `authentication [message-digest|null]`; without it the backbone's
    /// (`area 0 authentication ...`).
    pub authentication: Option<AuthMode>,
    /// `authentication-key KEY` (at most 8 characters).
    pub authentication_key: Option<String>,
    /// `message-digest-key N md5 KEY`, in file order.
    pub digest_keys: Vec<DigestKey>,
    /// Line number of the first line naming the link.
    pub line: usize,
}

impl VirtualLinkConf {
    /// A virtual link across transit area `area` to the ABR whose router ID is `peer`,
    /// with FRR's defaults (no line of its own: `line` 0).
    pub fn new(area: Ipv4Addr, peer: Ipv4Addr) -> Self {
        VirtualLinkConf {
            area,
            peer,
            hello_interval: None,
            dead_interval: None,
            retransmit_interval: None,
            transmit_delay: None,
            authentication: None,
            authentication_key: None,
            digest_keys: Vec::new(),
            line: 0,
        }
    }
}

/// A `neighbor` line of `router ospf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NeighborConf {
    /// The neighbor's interface address.
    pub addr: Ipv4Addr,
    /// `priority N` (0-255; FRR's default 0).
    pub priority: u8,
    /// `poll-interval S` (1-65535 s; FRR's default 120).
    pub poll_interval: u16,
    /// Line number.
    pub line: usize,
}

/// The grace period of `graceful-restart` without `grace-period N`: FRR's 120 s.
pub const DEFAULT_GRACE_PERIOD: u32 = 120;

/// Graceful restart helper settings: the engine's own type.
pub use ospf_core::config::GrHelperConfig;

/// `network PREFIX area AREA`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkStatement {
    /// Network address (host bits clear).
    pub addr: Ipv4Addr,
    /// Prefix length.
    pub len: u8,
    /// Area.
    pub area: Ipv4Addr,
    /// Line number.
    pub line: usize,
}

impl NetworkStatement {
    /// Whether `addr` lies inside this statement's prefix.
    pub fn contains(&self, addr: Ipv4Addr) -> bool {
        mask_addr(addr, self.len) == self.addr
    }
}

/// Per-area settings from `area AREA ...` lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AreaConf {
    /// `area AREA stub|nssa [no-summary]`.
    pub kind: AreaKind,
    /// `area AREA authentication [message-digest]`.
    pub authentication: Option<AuthMode>,
    /// `area AREA default-cost N`: the cost of the default summary a border router
    /// originates into this stub area or NSSA (1 when absent).
    pub default_cost: Option<u32>,
    /// `area AREA range A.B.C.D/M [advertise [cost N]|not-advertise|cost N|substitute
    /// A.B.C.D/M]`, in file order (a repeated prefix replaces the earlier line).
    pub ranges: Vec<AreaRange>,
}

/// An area address range: the engine's own type (`area AREA range ...`).
pub use ospf_core::config::AreaRange;

/// A `summary-address` aggregate: the engine's own type.
pub use ospf_core::config::SummaryAddress;

/// `default-information originate [always] [metric N] [metric-type 1|2]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DefaultInformation {
    /// `always`: announce 0.0.0.0/0 even when this router has no default route.
    pub always: bool,
    /// `metric N`; FRR's defaults when absent: 10, or 1 with `always`.
    pub metric: Option<u32>,
    /// `metric-type 1|2` (default 2).
    pub metric_type: Option<u8>,
}

impl DefaultInformation {
    /// The metric announced: the configured one, else FRR's (1 with `always`, else 10).
    pub fn effective_metric(&self) -> u32 {
        self.metric.unwrap_or(if self.always { 1 } else { 10 })
    }
}

/// Kind of area: the engine's own type (`area AREA stub|nssa [no-summary]`).
pub use ospf_core::config::AreaKind;

/// The type-7 default of `area AREA nssa default-information-originate`: the engine's own
/// type.
pub use ospf_core::config::NssaDefault;

/// `redistribute SOURCE [metric N] [metric-type 1|2]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Redistribute {
    /// What is redistributed.
    pub source: RedistributeSource,
    /// `metric N`.
    pub metric: Option<u32>,
    /// `metric-type 1|2`.
    pub metric_type: Option<u8>,
}

/// Sources of redistributed routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedistributeSource {
    /// Connected networks.
    Connected,
    /// Static routes.
    Static,
    /// Kernel routes.
    Kernel,
}

/// `log` destinations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// `log stdout [LEVEL]`.
    Stdout(Option<String>),
    /// `log stderr [LEVEL]`.
    Stderr(Option<String>),
    /// `log syslog [LEVEL]`.
    Syslog(Option<String>),
    /// `log file PATH [LEVEL]`.
    File(String, Option<String>),
}

/// Longest piece of the input an error repeats, in characters.
const ECHO_MAX: usize = 80;

/// At most [`ECHO_MAX`] characters of `s`, with `...` when cut.
fn clip(s: &str) -> String {
    match s.char_indices().nth(ECHO_MAX) {
        None => s.to_string(),
        Some((i, _)) => format!("{}...", &s[..i]),
    }
}

/// Why a configuration file was refused. Every variant but [`ConfError::Io`] carries the
/// 1-based line number; `Display` reads `line N: ...`. Pieces of the input repeated in a
/// message are cut to 80 characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfError {
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// A line that is not a command of its block, or a value out of range.
    #[error("line {line}: expected {expected} in `{text}`")]
    Syntax {
        /// Line number.
        line: usize,
        /// The line, trimmed and cut to 80 characters.
        text: String,
        /// What was expected at that point.
        expected: String,
    },
    /// An FRR command (or form of one) that this implementation does not implement.
    #[error("line {line}: '{keyword}' is not supported")]
    Unsupported {
        /// Line number.
        line: usize,
        /// The command's leading words (`ip ospf bfd`).
        keyword: String,
    },
    /// `ospf router-id 0.0.0.0`.
    #[error("line {line}: 0.0.0.0 is not a valid router id")]
    ZeroRouterId {
        /// Line number.
        line: usize,
    },
    /// A second `ospf router-id` (or `router-id`) line.
    #[error("line {line}: 'ospf router-id' given twice (first on line {first})")]
    DuplicateRouterId {
        /// Line number of the second one.
        line: usize,
        /// Line number of the first one.
        first: usize,
    },
    /// `network A.B.C.D/M` with bits set beyond the prefix length.
    #[error(
        "line {line}: 'network {addr}/{len}' has host bits set (the network is {network}/{len})"
    )]
    HostBitsSet {
        /// Line number.
        line: usize,
        /// The address as written.
        addr: Ipv4Addr,
        /// The prefix length.
        len: u8,
        /// The address with the host bits cleared.
        network: Ipv4Addr,
    },
    /// `ip ospf dead-interval N` not greater than the interface's hello interval.
    #[error(
        "line {line}: 'ip ospf dead-interval {dead}' of interface {interface} is not greater than its hello interval ({hello} s)"
    )]
    DeadIntervalTooShort {
        /// Line number of the later of the two settings.
        line: usize,
        /// The interface.
        interface: String,
        /// Dead interval (seconds).
        dead: u16,
        /// Hello interval (seconds; 10 when not configured).
        hello: u16,
    },
    /// Cryptographic authentication on an interface without any key.
    #[error(
        "line {line}: interface {interface} uses message-digest authentication but has no 'ip ospf message-digest-key'"
    )]
    MissingDigestKey {
        /// Line number of the setting that asks for message-digest authentication.
        line: usize,
        /// The interface.
        interface: String,
    },
    /// A second `log` line.
    #[error(
        "line {line}: a second 'log' destination is not supported (the first is on line {first})"
    )]
    DuplicateLog {
        /// Line number of the second one.
        line: usize,
        /// Line number of the first one.
        first: usize,
    },
}

impl ConfError {
    /// The 1-based line number the error is about (`None` for [`ConfError::Io`]).
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfError::Io { .. } => None,
            ConfError::Syntax { line, .. }
            | ConfError::Unsupported { line, .. }
            | ConfError::ZeroRouterId { line }
            | ConfError::DuplicateRouterId { line, .. }
            | ConfError::HostBitsSet { line, .. }
            | ConfError::DeadIntervalTooShort { line, .. }
            | ConfError::MissingDigestKey { line, .. }
            | ConfError::DuplicateLog { line, .. } => Some(*line),
        }
    }
}

const LOG_LEVELS: &[&str] = &[
    "emergencies",
    "alerts",
    "critical",
    "errors",
    "warnings",
    "notifications",
    "informational",
    "debugging",
];

/// FRR `ip ospf` settings that are not implemented.
const IP_OSPF_UNSUPPORTED: &[&str] = &[
    "graceful-restart",
    "ldp-sync",
    "prefix-suppression",
    "capability",
    "neighbor-filter",
    "gr",
];

/// FRR interface-node commands (of zebra and other daemons) that are not implemented.
const INTERFACE_UNSUPPORTED: &[&str] = &[
    "ipv6",
    "shutdown",
    "link-detect",
    "multicast",
    "link-params",
    "evpn",
    "mpls",
    "vrrp",
    "isis",
    "openfabric",
    "pbr-policy",
];

/// FRR `router ospf` commands that are not implemented.
const ROUTER_UNSUPPORTED: &[&str] = &[
    "default-metric",
    "distance",
    "distribute-list",
    "timers",
    "max-metric",
    "compatible",
    "refresh",
    "pce",
    "mpls-te",
    "mpls",
    "segment-routing",
    "maximum-paths",
    "write-multiplier",
    "fast-reroute",
    "proactive-arp",
    "socket-buffer",
    "table",
    "aggregation",
    "bfd",
    "router-info",
    "flood-reduction",
];

/// `area AREA X` forms of FRR that are not implemented.
const AREA_UNSUPPORTED: &[&str] = &[
    "shortcut",
    "export-list",
    "import-list",
    "filter-list",
    "flood-reduction",
];

/// `area AREA nssa` options of FRR that are not implemented.
const NSSA_UNSUPPORTED: &[&str] = &["range"];

/// `area AREA nssa [no-summary] [translate-candidate|translate-never|translate-always]
/// [default-information-originate [metric N] [metric-type 1|2]] [suppress-fa]`, the
/// options in any order, each at most once. The line adds what it names to the area's
/// NSSA settings (`prev`, when the area is already an NSSA): FRR 8.4 writes them as
/// separate lines (`area 1 nssa translate-always`, `area 1 nssa no-summary`, `area 1
/// nssa suppress-fa`), later FRR versions as one.
fn nssa_kind(l: &Line<'_>, prev: AreaKind) -> Result<AreaKind, ConfError> {
    let AreaKind::Nssa {
        no_summary: prev_no_summary,
        default_cost,
        translate_always,
        translate_never,
        default_originate,
        suppress_fa: prev_suppress_fa,
    } = prev
    else {
        return nssa_kind(l, AreaKind::nssa(false));
    };
    let (mut no_summary, mut translate, mut default, mut suppress_fa) = (false, None, None, false);
    let mut i = 3;
    while let Some(&w) = l.words.get(i) {
        i += 1;
        let seen = match w {
            "no-summary" => std::mem::replace(&mut no_summary, true),
            "suppress-fa" => std::mem::replace(&mut suppress_fa, true),
            "translate-candidate" | "translate-never" | "translate-always" => {
                translate.replace(w).is_some()
            }
            "default-information-originate" => {
                let mut d = NssaDefault::default();
                let (mut metric, mut metric_type) = (false, false);
                loop {
                    match l.words.get(i) {
                        Some(&"metric") if !metric => {
                            d.metric = l.num(i + 1, "a metric", 0, 16_777_214)?;
                            metric = true;
                        }
                        Some(&"metric-type") if !metric_type => {
                            d.e2 = l.num::<u8>(i + 1, "a metric type", 1, 2)? == 2;
                            metric_type = true;
                        }
                        _ => break,
                    }
                    i += 2;
                }
                default.replace(d).is_some()
            }
            w if NSSA_UNSUPPORTED.contains(&w) => {
                return Err(ConfError::Unsupported {
                    line: l.no,
                    keyword: format!("area nssa {w}"),
                });
            }
            _ => true,
        };
        if seen {
            return Err(l.err(format!(
                "end of line, `no-summary`, `translate-candidate|translate-never|translate-always`, \
                 `default-information-originate [metric N] [metric-type 1|2]` or `suppress-fa` \
                 (each once), not `{}`",
                clip(w)
            )));
        }
    }
    Ok(AreaKind::Nssa {
        no_summary: prev_no_summary || no_summary,
        default_cost,
        translate_always: translate.map_or(translate_always, |t| t == "translate-always"),
        translate_never: translate.map_or(translate_never, |t| t == "translate-never"),
        default_originate: default.or(default_originate),
        suppress_fa: prev_suppress_fa || suppress_fa,
    })
}

/// `redistribute` sources of FRR that are not implemented.
const REDISTRIBUTE_UNSUPPORTED: &[&str] = &[
    "babel",
    "bgp",
    "eigrp",
    "isis",
    "openfabric",
    "ospf",
    "rip",
    "sharp",
    "table",
    "table-direct",
    "nhrp",
    "vnc",
];

/// Top-level FRR commands that are not implemented.
const TOP_UNSUPPORTED: &[&str] = &[
    "frr",
    "service",
    "debug",
    "access-list",
    "ip",
    "ipv6",
    "route-map",
    "key",
    "vrf",
    "agentx",
    "banner",
    "username",
    "segment-routing",
    "mpls",
    "no",
    "fpm",
    "zebra",
    "allow-external-route-update",
    "bgp",
    "nexthop-group",
    "pbr-map",
];

/// Commands of FRR's `line vty` node, accepted there as informational.
const VTY_COMMANDS: &[&str] = &["exec-timeout", "access-class", "ipv6", "login", "no"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Top,
    Interface(usize),
    Router,
    Vty,
    /// `bfd`
    Bfd,
    /// `bfd` / `profile NAME` (index into `bfd_profiles`)
    BfdProfile(usize),
    /// `anycast-service NAME` (index into `services`)
    Service(usize),
}

struct Line<'a> {
    no: usize,
    text: &'a str,
    words: Vec<&'a str>,
}

impl Line<'_> {
    fn err(&self, expected: impl Into<String>) -> ConfError {
        ConfError::Syntax {
            line: self.no,
            text: clip(self.text),
            expected: expected.into(),
        }
    }

    /// The first `n` words as an unsupported command.
    fn unsupported(&self, n: usize) -> ConfError {
        let n = n.min(self.words.len());
        ConfError::Unsupported {
            line: self.no,
            keyword: clip(&self.words[..n].join(" ")),
        }
    }

    fn word(&self, i: usize, expected: &str) -> Result<&str, ConfError> {
        self.words.get(i).copied().ok_or_else(|| self.err(expected))
    }

    fn end(&self, i: usize) -> Result<(), ConfError> {
        match self.words.get(i) {
            None => Ok(()),
            Some(w) => Err(self.err(format!("end of line, not `{}`", clip(w)))),
        }
    }

    fn num<T: std::str::FromStr + PartialOrd + fmt::Display + Copy>(
        &self,
        i: usize,
        what: &str,
        min: T,
        max: T,
    ) -> Result<T, ConfError> {
        let expected = format!("{what} ({min}-{max})");
        let w = self.word(i, &expected)?;
        match w.parse::<T>() {
            Ok(v) if v >= min && v <= max => Ok(v),
            _ => Err(self.err(expected)),
        }
    }

    fn addr(&self, i: usize, what: &str) -> Result<Ipv4Addr, ConfError> {
        let expected = format!("{what} (A.B.C.D)");
        self.word(i, &expected)?
            .parse()
            .map_err(|_| self.err(expected))
    }

    /// A prefix `A.B.C.D/M` without host bits (FRR would mask them: a typo stays visible).
    fn prefix(&self, i: usize) -> Result<crate::Prefix, ConfError> {
        let w = self.word(i, "A.B.C.D/M")?;
        let (a, m) = w.split_once('/').ok_or_else(|| self.err("A.B.C.D/M"))?;
        let addr: Ipv4Addr = a.parse().map_err(|_| self.err("A.B.C.D/M"))?;
        let len: u8 = match m.parse() {
            Ok(len) if len <= 32 => len,
            _ => return Err(self.err("a prefix length (0-32)")),
        };
        let network = mask_addr(addr, len);
        if network != addr {
            return Err(ConfError::HostBitsSet {
                line: self.no,
                addr,
                len,
                network,
            });
        }
        Ok(crate::Prefix::new(addr, len))
    }

    fn area(&self, i: usize) -> Result<Ipv4Addr, ConfError> {
        let expected = "an area id (a number or A.B.C.D)";
        parse_area(self.word(i, expected)?).ok_or_else(|| self.err(expected))
    }
}

/// The options of an `area AREA virtual-link A.B.C.D` line (from word 4): FRR 8.4's
/// interval form (`{hello-interval N|retransmit-interval N|transmit-delay N|dead-interval
/// N}`, each at most once) or its authentication form (`[authentication
/// [message-digest|null]] [message-digest-key N md5 KEY|authentication-key KEY]`).
fn virtual_link_line(l: &Line<'_>, v: &mut VirtualLinkConf) -> Result<(), ConfError> {
    const INTERVALS: [&str; 4] = [
        "hello-interval",
        "retransmit-interval",
        "transmit-delay",
        "dead-interval",
    ];
    let mut i = 4;
    if l.words.get(i).is_some_and(|w| INTERVALS.contains(w)) {
        let mut seen = Vec::new();
        while let Some(w) = l.words.get(i) {
            if !INTERVALS.contains(w) || seen.contains(w) {
                return Err(l.err(
                    "`hello-interval N`, `retransmit-interval N`, `transmit-delay N`, `dead-interval N` (each once) or end of line",
                ));
            }
            seen.push(*w);
            let n = Some(l.num(i + 1, "seconds", 1, 65535)?);
            match *w {
                "hello-interval" => v.hello_interval = n,
                "retransmit-interval" => v.retransmit_interval = n,
                "transmit-delay" => v.transmit_delay = n,
                _ => v.dead_interval = n,
            }
            i += 2;
        }
        return Ok(());
    }
    if l.words.get(i) == Some(&"authentication") {
        i += 1;
        v.authentication = Some(match l.words.get(i) {
            Some(&"message-digest") => {
                i += 1;
                AuthMode::MessageDigest
            }
            Some(&"null") => {
                i += 1;
                AuthMode::Null
            }
            _ => AuthMode::Simple,
        });
    }
    match l.words.get(i) {
        None => Ok(()),
        Some(&"authentication-key") => {
            let key = l.word(i + 1, "a password of at most 8 characters")?;
            if key.len() > 8 {
                return Err(l.err("a password of at most 8 characters"));
            }
            l.end(i + 2)?;
            v.authentication_key = Some(key.to_string());
            Ok(())
        }
        Some(&"message-digest-key") => {
            let id = l.num(i + 1, "a key id", 1, 255)?;
            if l.words.get(i + 2) != Some(&"md5") {
                return Err(l.err("`md5 KEY`"));
            }
            let key = l.word(i + 3, "a key of at most 16 characters")?;
            if key.len() > 16 {
                return Err(l.err("a key of at most 16 characters"));
            }
            l.end(i + 4)?;
            v.digest_keys.retain(|k| k.id != id);
            v.digest_keys.push(DigestKey {
                id,
                algorithm: DigestAlgorithm::Md5,
                key: key.to_string(),
            });
            Ok(())
        }
        Some(_) if i == 4 => Err(l.err(
            "end of line, the intervals (`hello-interval N` ...) or the authentication (`authentication [message-digest|null]`, `authentication-key KEY`, `message-digest-key N md5 KEY`)",
        )),
        Some(_) => Err(l.err(
            "end of line, `authentication-key KEY` or `message-digest-key N md5 KEY`",
        )),
    }
}

/// `area AREA range A.B.C.D/M [advertise [cost N]|not-advertise]` or `area AREA range
/// A.B.C.D/M {cost N|substitute A.B.C.D/M}` (FRR 8.4's forms).
fn range_line(l: &Line<'_>) -> Result<AreaRange, ConfError> {
    let mut range = AreaRange::new(l.prefix(3)?);
    let mut i = 4;
    let mut advertise_given = false;
    while let Some(w) = l.words.get(i) {
        match *w {
            "advertise" if !advertise_given && i == 4 => {
                advertise_given = true;
                i += 1;
            }
            "not-advertise" if i == 4 => {
                l.end(5)?;
                return Ok(range.advertise(false));
            }
            "cost" if range.cost.is_none() => {
                range = range.cost(Some(l.num(i + 1, "a cost", 0, 16_777_215)?));
                i += 2;
            }
            "substitute" if range.substitute.is_none() && !advertise_given => {
                range = range.substitute(Some(l.prefix(i + 1)?));
                i += 2;
            }
            _ => {
                return Err(l.err(
                    "`advertise [cost N]`, `not-advertise`, `cost N` or `substitute A.B.C.D/M`",
                ));
            }
        }
    }
    Ok(range)
}

/// Parses an area id written as a decimal number or a dotted quad.
pub fn parse_area(s: &str) -> Option<Ipv4Addr> {
    if s.contains('.') {
        s.parse().ok()
    } else if s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse::<u32>().ok().map(Ipv4Addr::from)
    } else {
        None
    }
}

fn mask_addr(addr: Ipv4Addr, len: u8) -> Ipv4Addr {
    addr & ospf_core::wire::prefix_mask(len)
}

/// Prefix length of a contiguous IOS wildcard (inverse mask) such as `0.0.0.255`.
fn wildcard_len(w: Ipv4Addr) -> Option<u8> {
    let inv = !u32::from(w);
    // A contiguous netmask has all its ones on the left.
    if inv.leading_ones() + inv.trailing_zeros() == 32 {
        Some(ospf_core::wire::mask_len(inv))
    } else {
        None
    }
}

/// Where some settings of one interface block were written, for checks at the end.
#[derive(Default, Clone, Copy)]
struct InterfaceLines {
    hello: Option<usize>,
    dead: Option<usize>,
    auth: Option<usize>,
    area: Option<usize>,
}

/// Parser state: the tree being built and the line numbers the final checks need.
#[derive(Default)]
struct Parser {
    conf: OspfdConf,
    iface_lines: Vec<InterfaceLines>,
    router_id_line: Option<usize>,
    log_line: Option<usize>,
}

impl OspfdConf {
    /// Reads and parses a file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| ConfError::Io {
            path: clip(&path.display().to_string()),
            reason: e.to_string(),
        })?;
        Self::parse(&text)
    }

    /// Parses the text of an `ospfd.conf`, then checks what no single line shows: a dead
    /// interval not above the hello interval, message-digest authentication without a key.
    pub fn parse(text: &str) -> Result<Self, ConfError> {
        let mut p = Parser::default();
        let mut ctx = Ctx::Top;
        for (i, raw) in text.lines().enumerate() {
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('!') || trimmed.starts_with('#') {
                continue;
            }
            let line = Line {
                no: i + 1,
                text: trimmed,
                words: trimmed.split_whitespace().collect(),
            };
            ctx = p.line(ctx, &line)?;
        }
        p.check()?;
        Ok(p.conf)
    }

    /// The interface block for `name`, if any.
    pub fn interface(&self, name: &str) -> Option<&InterfaceConf> {
        self.interfaces.iter().find(|i| i.name == name)
    }
}

impl Parser {
    fn line(&mut self, ctx: Ctx, l: &Line<'_>) -> Result<Ctx, ConfError> {
        // Commands of the current block first, then top-level commands (which also end
        // the block, as in vtysh).
        match ctx {
            Ctx::Interface(idx)
                if matches!(l.words[0], "ip" | "description" | "no" | "bandwidth") =>
            {
                self.interface_line(idx, l)?;
                return Ok(ctx);
            }
            Ctx::Interface(_) if INTERFACE_UNSUPPORTED.contains(&l.words[0]) => {
                return Err(l.unsupported(if l.words[0] == "ipv6" { 2 } else { 1 }));
            }
            Ctx::Router if is_router_command(l.words[0]) => {
                self.router_line(l)?;
                return Ok(ctx);
            }
            Ctx::Router if ROUTER_UNSUPPORTED.contains(&l.words[0]) => {
                let n = if matches!(l.words[0], "mpls" | "max-metric") {
                    2
                } else {
                    1
                };
                return Err(l.unsupported(n));
            }
            // vty settings: informational.
            Ctx::Vty if VTY_COMMANDS.contains(&l.words[0]) => return Ok(ctx),
            Ctx::Bfd | Ctx::BfdProfile(_) => {
                if let Some(next) = self.bfd_line(ctx, l)? {
                    return Ok(next);
                }
            }
            Ctx::Service(idx) if l.words[0] != "exit" && !is_top_command(l.words[0]) => {
                self.service_line(idx, l)?;
                return Ok(ctx);
            }
            _ => {}
        }
        self.top_line(ctx, l)
    }

    fn top_line(&mut self, ctx: Ctx, l: &Line<'_>) -> Result<Ctx, ConfError> {
        match l.words[0] {
            "hostname" => {
                let name = l.word(1, "a host name")?;
                l.end(2)?;
                self.conf.hostname = Some(name.to_string());
                Ok(Ctx::Top)
            }
            "password" => {
                l.word(1, "a password")?;
                Ok(Ctx::Top)
            }
            "enable" => {
                if l.words.get(1) != Some(&"password") {
                    return Err(l.err("`enable password PASSWORD`"));
                }
                l.word(2, "a password")?;
                Ok(Ctx::Top)
            }
            "log" => {
                let target = log_line(l)?;
                if let Some(first) = self.log_line {
                    return Err(ConfError::DuplicateLog { line: l.no, first });
                }
                self.log_line = Some(l.no);
                self.conf.log.push(target);
                Ok(Ctx::Top)
            }
            "interface" => {
                let name = l.word(1, "an interface name")?;
                // Linux interface names are at most IFNAMSIZ - 1 bytes.
                if name.len() > 15 {
                    return Err(l.err("an interface name of at most 15 characters"));
                }
                match l.words.get(2) {
                    None => {}
                    Some(&"vrf") if l.words.get(3) == Some(&"default") => l.end(4)?,
                    Some(&"vrf") => return Err(l.unsupported(3)),
                    Some(_) => return Err(l.err("end of line or `vrf default`")),
                }
                let idx = match self.conf.interfaces.iter().position(|i| i.name == name) {
                    Some(idx) => idx,
                    None => {
                        self.conf.interfaces.push(InterfaceConf {
                            name: name.to_string(),
                            line: l.no,
                            ..Default::default()
                        });
                        self.iface_lines.push(InterfaceLines::default());
                        self.conf.interfaces.len() - 1
                    }
                };
                Ok(Ctx::Interface(idx))
            }
            "router" => {
                match l.words.get(1) {
                    Some(&"ospf") => {}
                    Some(_) => return Err(l.unsupported(2)),
                    None => return Err(l.err("`router ospf [N]`")),
                }
                let instance = match l.words.get(2) {
                    None => None,
                    Some(&"vrf") => return Err(l.unsupported(3)),
                    Some(_) => Some(l.num::<u16>(2, "an instance number", 1, 65535)?),
                };
                l.end(if instance.is_some() { 3 } else { 2 })?;
                match &mut self.conf.router {
                    Some(r) if r.instance != instance => {
                        return Err(l.err("the same `router ospf` instance as before (only one instance is supported)"));
                    }
                    Some(_) => {}
                    None => {
                        self.conf.router = Some(RouterConf {
                            line: l.no,
                            instance,
                            ..Default::default()
                        })
                    }
                }
                Ok(Ctx::Router)
            }
            "bfd" => {
                l.end(1)?;
                Ok(Ctx::Bfd)
            }
            "anycast-service" => {
                let name = l.word(1, "a service name")?;
                l.end(2)?;
                if !crate::service::valid_name(name) {
                    return Err(l.err("a service name of 1-64 letters, digits, '-', '_' or '.'"));
                }
                if self.conf.services.iter().any(|s| s.name == name) {
                    return Err(l.err("a service name not used before"));
                }
                self.conf.services.push(ServiceConf {
                    name: name.to_string(),
                    line: l.no,
                    last_one_standing: true,
                    ..Default::default()
                });
                Ok(Ctx::Service(self.conf.services.len() - 1))
            }
            "line" => {
                if l.words.get(1) != Some(&"vty") {
                    return Err(l.err("`line vty`"));
                }
                Ok(Ctx::Vty)
            }
            "exit" | "end" | "quit" | "exit-vrf" => {
                l.end(1)?;
                Ok(Ctx::Top)
            }
            "ip" if l.words.get(1) == Some(&"ospf") => {
                Err(l.err("an `interface IF` line before interface commands"))
            }
            "description" | "bandwidth" => {
                Err(l.err("an `interface IF` line before interface commands"))
            }
            w if TOP_UNSUPPORTED.contains(&w) => {
                Err(l.unsupported(if w == "debug" || w == "frr" { 1 } else { 2 }))
            }
            w if is_router_command(w) => {
                Err(l.err("a `router ospf` line before router commands"))
            }
            _ => Err(l.err(match ctx {
                Ctx::Interface(_) => "an interface command (`ip ospf ...`, `description`, `bandwidth`) or a top-level command",
                Ctx::Router => "a `router ospf` command (`ospf router-id`, `network`, `area`, `passive-interface`, `redistribute`, ...) or a top-level command",
                _ => "a top-level command (`hostname`, `interface`, `router ospf`, `log`, `!`)",
            })),
        }
    }

    /// A line inside `bfd` (or one of its profiles): `Some(next context)` when it is a
    /// BFD command, `None` for a top-level command (which ends the block).
    fn bfd_line(&mut self, ctx: Ctx, l: &Line<'_>) -> Result<Option<Ctx>, ConfError> {
        match (ctx, l.words[0]) {
            (Ctx::BfdProfile(_), "exit") => {
                l.end(1)?;
                Ok(Some(Ctx::Bfd))
            }
            (_, "profile") => {
                let name = l.word(1, "a profile name")?;
                l.end(2)?;
                let idx = match self.conf.bfd_profiles.iter().position(|p| p.name == name) {
                    Some(i) => i,
                    None => {
                        self.conf.bfd_profiles.push(BfdProfile {
                            name: name.to_string(),
                            line: l.no,
                            ..Default::default()
                        });
                        self.conf.bfd_profiles.len() - 1
                    }
                };
                Ok(Some(Ctx::BfdProfile(idx)))
            }
            (Ctx::BfdProfile(i), "detect-multiplier") => {
                self.conf.bfd_profiles[i].detect_multiplier =
                    Some(l.num(1, "a detection multiplier", 2, 255)?);
                l.end(2)?;
                Ok(Some(ctx))
            }
            (Ctx::BfdProfile(i), "receive-interval") => {
                self.conf.bfd_profiles[i].receive_interval =
                    Some(l.num(1, "milliseconds", 10, 60_000)?);
                l.end(2)?;
                Ok(Some(ctx))
            }
            (Ctx::BfdProfile(i), "transmit-interval") => {
                self.conf.bfd_profiles[i].transmit_interval =
                    Some(l.num(1, "milliseconds", 10, 60_000)?);
                l.end(2)?;
                Ok(Some(ctx))
            }
            (
                Ctx::BfdProfile(_),
                "echo-mode" | "echo" | "echo-interval" | "passive-mode" | "minimum-ttl"
                | "shutdown" | "no",
            ) => Err(l.unsupported(1)),
            (Ctx::Bfd, "peer") => Err(l.unsupported(1)),
            _ => Ok(None),
        }
    }

    /// A line inside `anycast-service NAME`.
    fn service_line(&mut self, idx: usize, l: &Line<'_>) -> Result<(), ConfError> {
        let svc = &mut self.conf.services[idx];
        match l.words[0] {
            "address" => {
                let w = l.word(1, "an address A.B.C.D/32")?;
                let p: crate::Prefix = w
                    .parse()
                    .map_err(|_| l.err("an address A.B.C.D/32"))?;
                if p.prefix_len() != 32 {
                    return Err(l.err("a /32 (a service is one anycast address)"));
                }
                svc.address = Some(p);
                l.end(2)
            }
            "check" => {
                let spec = l.text.trim_start()["check".len()..].trim();
                if spec.is_empty() {
                    return Err(l.err("a check: http://URL, https://URL, tcp:ADDR:PORT, cmd:COMMAND or dns:NAME"));
                }
                #[cfg(feature = "health")]
                if let Err(e) = spec.parse::<crate::health::Check>() {
                    return Err(l.err(format!("a valid check ({})", clip(&e.to_string()))));
                }
                svc.checks.push(spec.to_string());
                Ok(())
            }
            "check-interval" => {
                svc.interval_ms = Some(l.num(1, "milliseconds", 1, 86_400_000)?);
                l.end(2)
            }
            "check-timeout" => {
                svc.timeout_ms = Some(l.num(1, "milliseconds", 1, 3_600_000)?);
                l.end(2)
            }
            "check-fall" => {
                svc.fall = Some(l.num(1, "a probe count", 1, 1000)?);
                l.end(2)
            }
            "check-rise" => {
                svc.rise = Some(l.num(1, "a probe count", 1, 1000)?);
                l.end(2)
            }
            "check-initial" => {
                svc.initial_up = Some(match l.words.get(1) {
                    Some(&"up") => true,
                    Some(&"down") => false,
                    _ => return Err(l.err("`up` or `down`")),
                });
                l.end(2)
            }
            "on-failure" => {
                svc.on_failure = l
                    .word(1, "`withdraw` or `degrade`")?
                    .parse()
                    .map_err(|_| l.err("`withdraw` or `degrade`"))?;
                l.end(2)
            }
            "degrade-cost" => {
                svc.degrade_cost = Some(l.num(1, "a stub cost", 1, 65535)?);
                l.end(2)
            }
            "weight" => {
                svc.weight = Some(l.num(1, "a weight", 1, 255)?);
                l.end(2)
            }
            "last-one-standing" => {
                svc.last_one_standing = true;
                l.end(1)
            }
            "no" if l.words.get(1) == Some(&"last-one-standing") => {
                svc.last_one_standing = false;
                l.end(2)
            }
            _ => Err(l.err("an anycast-service command (address, check, check-interval, check-timeout, check-fall, check-rise, check-initial, on-failure, degrade-cost, weight, [no] last-one-standing) or `exit`")),
        }
    }

    fn interface_line(&mut self, idx: usize, l: &Line<'_>) -> Result<(), ConfError> {
        let iface = &mut self.conf.interfaces[idx];
        let lines = &mut self.iface_lines[idx];
        match l.words[0] {
            "description" => {
                let text = l.text["description".len()..].trim();
                iface.description = Some(text.to_string());
                return Ok(());
            }
            "bandwidth" => {
                // FRR's zebra: `bandwidth (1-1000000)`, in Mbit/s.
                iface.bandwidth = Some(l.num(1, "Mbit/s", 1, 1_000_000)?);
                return l.end(2);
            }
            "no" => {
                // `no ip ospf passive` and friends are what a fresh file already means.
                if l.words.get(1) == Some(&"ip") && l.words.get(2) == Some(&"ospf") {
                    match l.words.get(3) {
                        Some(&"passive") => {
                            l.end(4)?;
                            iface.passive = false;
                            return Ok(());
                        }
                        Some(&"mtu-ignore") => {
                            l.end(4)?;
                            iface.mtu_ignore = false;
                            return Ok(());
                        }
                        _ => {}
                    }
                }
                return Err(l.err("`no ip ospf passive` or `no ip ospf mtu-ignore`"));
            }
            _ => {}
        }
        if l.words.get(1) != Some(&"ospf") {
            return Err(match l.words.get(1) {
                Some(_) => l.unsupported(2),
                None => l.err("`ip ospf ...`"),
            });
        }
        let what = "an `ip ospf` setting (hello-interval, dead-interval, retransmit-interval, transmit-delay, cost, priority, network, authentication, authentication-key, message-digest-key, hmac-sha*-key, mtu-ignore, area, passive)";
        match l.word(2, what)? {
            "hello-interval" => {
                iface.hello_interval = Some(l.num(3, "seconds", 1, 65535)?);
                lines.hello = Some(l.no);
                l.end(4)
            }
            "dead-interval" => {
                lines.dead = Some(l.no);
                if l.words.get(3) == Some(&"minimal") {
                    if l.words.get(4) != Some(&"hello-multiplier") {
                        return Err(l.err("`hello-multiplier N`"));
                    }
                    let m = l.num(5, "a hello multiplier", 1, 10)?;
                    l.end(6)?;
                    iface.dead_interval = Some(DeadInterval::Minimal {
                        hello_multiplier: m,
                    });
                    Ok(())
                } else {
                    iface.dead_interval = Some(DeadInterval::Seconds(l.num(
                        3,
                        "seconds or `minimal hello-multiplier N`",
                        1,
                        65535,
                    )?));
                    l.end(4)
                }
            }
            "retransmit-interval" => {
                iface.retransmit_interval = Some(l.num(3, "seconds", 1, 65535)?);
                l.end(4)
            }
            "transmit-delay" => {
                iface.transmit_delay = Some(l.num(3, "seconds", 1, 65535)?);
                l.end(4)
            }
            "cost" => {
                iface.cost = Some(l.num(3, "a cost", 1, 65535)?);
                l.end(4)
            }
            "priority" => {
                iface.priority = Some(l.num(3, "a priority", 0, 255)?);
                l.end(4)
            }
            "network" => {
                const TYPES: &str = "broadcast, non-broadcast, point-to-multipoint [non-broadcast] or point-to-point";
                let (t, next) = match (l.word(3, TYPES)?, l.words.get(4).copied()) {
                    ("point-to-point", Some("dmvpn")) => return Err(l.unsupported(5)),
                    ("point-to-point", _) => (NetworkType::PointToPoint, 4),
                    ("broadcast", _) => (NetworkType::Broadcast, 4),
                    ("non-broadcast", _) => (NetworkType::NonBroadcast, 4),
                    ("point-to-multipoint", Some("non-broadcast")) => {
                        (NetworkType::PointToMultipointNonBroadcast, 5)
                    }
                    ("point-to-multipoint", Some("delay-reflood")) => {
                        return Err(l.unsupported(5));
                    }
                    ("point-to-multipoint", _) => (NetworkType::PointToMultipoint, 4),
                    _ => return Err(l.err(TYPES)),
                };
                iface.network_type = Some(t);
                l.end(next)
            }
            "authentication" => {
                iface.authentication = Some(match l.words.get(3) {
                    None => AuthMode::Simple,
                    Some(&"message-digest") => AuthMode::MessageDigest,
                    Some(&"null") => AuthMode::Null,
                    Some(&"key-chain") => return Err(l.unsupported(4)),
                    Some(_) => return Err(l.err("nothing, `message-digest` or `null`")),
                });
                lines.auth = Some(l.no);
                l.end(4)
            }
            "authentication-key" => {
                let key = l.word(3, "a password of at most 8 characters")?;
                if key.len() > 8 {
                    return Err(l.err("a password of at most 8 characters"));
                }
                l.end(4)?;
                iface.authentication_key = Some(key.to_string());
                Ok(())
            }
            "message-digest-key" => {
                let id = l.num(3, "a key id", 1, 255)?;
                if l.words.get(4) != Some(&"md5") {
                    return Err(l.err("`md5 KEY`"));
                }
                let key = l.word(5, "a key of at most 16 characters")?;
                if key.len() > 16 {
                    return Err(l.err("a key of at most 16 characters"));
                }
                l.end(6)?;
                set_key(iface, id, DigestAlgorithm::Md5, key);
                Ok(())
            }
            alg @ ("hmac-sha1-key" | "hmac-sha256-key" | "hmac-sha384-key" | "hmac-sha512-key") => {
                let algorithm = match alg {
                    "hmac-sha1-key" => DigestAlgorithm::HmacSha1,
                    "hmac-sha256-key" => DigestAlgorithm::HmacSha256,
                    "hmac-sha384-key" => DigestAlgorithm::HmacSha384,
                    _ => DigestAlgorithm::HmacSha512,
                };
                let id = l.num(3, "a key id", 1, 255)?;
                let key = l.word(4, "a key")?;
                l.end(5)?;
                set_key(iface, id, algorithm, key);
                Ok(())
            }
            "mtu-ignore" => {
                iface.mtu_ignore = true;
                l.end(3)
            }
            "passive" => {
                iface.passive = true;
                l.end(3)
            }
            "bfd" => {
                let profile = match l.words.get(3) {
                    // FRR writes `ip ospf bfd` before `ip ospf bfd profile NAME`; a
                    // plain one keeps a profile named before.
                    None => iface.bfd.take().and_then(|b| b.profile),
                    Some(&"profile") => {
                        let name = l.word(4, "a BFD profile name")?;
                        l.end(5)?;
                        Some(name.to_string())
                    }
                    Some(_) => return Err(l.err("end of line or `profile NAME`")),
                };
                iface.bfd = Some(InterfaceBfd {
                    profile,
                    line: l.no,
                });
                Ok(())
            }
            "area" => {
                iface.area = Some(l.area(3)?);
                lines.area = Some(l.no);
                l.end(4)
            }
            w if IP_OSPF_UNSUPPORTED.contains(&w) => Err(l.unsupported(3)),
            _ => Err(l.err(what)),
        }
    }

    fn router_line(&mut self, l: &Line<'_>) -> Result<(), ConfError> {
        let Some(r) = self.conf.router.as_mut() else {
            return Err(l.err("a `router ospf` line first"));
        };
        match l.words[0] {
            "ospf" | "router-id" => {
                let at = if l.words[0] == "ospf" {
                    match l.words.get(1) {
                        Some(&"router-id") => 2,
                        Some(&"opaque-lsa") => return l.end(2),
                        Some(_) => return Err(l.unsupported(2)),
                        None => return Err(l.err("`ospf router-id A.B.C.D`")),
                    }
                } else {
                    1
                };
                let id = l.addr(at, "a router id")?;
                l.end(at + 1)?;
                if id.is_unspecified() {
                    return Err(ConfError::ZeroRouterId { line: l.no });
                }
                if let Some(first) = self.router_id_line {
                    return Err(ConfError::DuplicateRouterId { line: l.no, first });
                }
                self.router_id_line = Some(l.no);
                r.router_id = Some(id);
                Ok(())
            }
            "network" => {
                let first = l.word(1, "A.B.C.D/M or A.B.C.D WILDCARD")?;
                let (addr, len, next) = if let Some((a, m)) = first.split_once('/') {
                    let addr: Ipv4Addr = a.parse().map_err(|_| l.err("A.B.C.D/M"))?;
                    let len: u8 = match m.parse() {
                        Ok(len) if len <= 32 => len,
                        _ => return Err(l.err("a prefix length (0-32)")),
                    };
                    let network = mask_addr(addr, len);
                    if network != addr {
                        return Err(ConfError::HostBitsSet {
                            line: l.no,
                            addr,
                            len,
                            network,
                        });
                    }
                    (addr, len, 2)
                } else {
                    // An IOS wildcard marks the bits it covers as "don't care": bits set
                    // there are not an error.
                    let addr: Ipv4Addr = first
                        .parse()
                        .map_err(|_| l.err("A.B.C.D/M or A.B.C.D WILDCARD"))?;
                    let wildcard = l.addr(2, "a wildcard mask")?;
                    let len = wildcard_len(wildcard)
                        .ok_or_else(|| l.err("a contiguous wildcard mask such as 0.0.0.255"))?;
                    (addr, len, 3)
                };
                if l.words.get(next) != Some(&"area") {
                    return Err(l.err("`area AREA`"));
                }
                let area = l.area(next + 1)?;
                l.end(next + 2)?;
                r.networks.push(NetworkStatement {
                    addr: mask_addr(addr, len),
                    len,
                    area,
                    line: l.no,
                });
                Ok(())
            }
            "passive-interface" => {
                let name = l.word(1, "an interface name or `default`")?;
                l.end(2)?;
                if name == "default" {
                    r.passive_default = true;
                } else if !r.passive_interfaces.iter().any(|n| n == name) {
                    r.passive_interfaces.push(name.to_string());
                }
                Ok(())
            }
            // Opaque LSAs (RFC 5250) are always on: graceful restart and anycast weights
            // need them. FRR's `capability opaque` (and `ospf opaque-lsa`) is accepted.
            "capability" => {
                if l.words.get(1) != Some(&"opaque") {
                    return Err(l.unsupported(2));
                }
                l.end(2)
            }
            "no" if l.words.get(1) == Some(&"capability") => Err(l.err(
                "`capability opaque` (opaque LSAs are always on: graceful restart and anycast weights need them)",
            )),
            "graceful-restart" => gr_line(&mut r.gr_helper, &mut r.graceful_restart, l, 1, false),
            "no" if l.words.get(1) == Some(&"graceful-restart") => {
                gr_line(&mut r.gr_helper, &mut r.graceful_restart, l, 2, true)
            }
            "no" => {
                if l.words.get(1) != Some(&"passive-interface") {
                    return Err(
                        l.err("`no passive-interface IF` or `no graceful-restart helper ...`")
                    );
                }
                let name = l.word(2, "an interface name")?;
                l.end(3)?;
                r.passive_interfaces.retain(|n| n != name);
                r.active_interfaces.push(name.to_string());
                Ok(())
            }
            "area" if l.words.get(2) == Some(&"virtual-link") => {
                let area = l.area(1)?;
                if area.is_unspecified() {
                    return Err(l.err(
                        "a transit area other than the backbone (FRR: \"Configuring VLs over the backbone is not allowed\")",
                    ));
                }
                if r.areas.get(&area).is_some_and(|a| a.kind != AreaKind::Normal) {
                    return Err(l.err("a transit area that is not a stub area or NSSA"));
                }
                let peer = l.addr(3, "the endpoint's router ID")?;
                let at = match r
                    .virtual_links
                    .iter()
                    .position(|v| v.area == area && v.peer == peer)
                {
                    Some(i) => i,
                    None => {
                        r.virtual_links.push(VirtualLinkConf {
                            line: l.no,
                            ..VirtualLinkConf::new(area, peer)
                        });
                        r.virtual_links.len() - 1
                    }
                };
                virtual_link_line(l, &mut r.virtual_links[at])
            }
            "area" if l.words.get(2) == Some(&"range") => {
                let id = l.area(1)?;
                let range = range_line(l)?;
                let a = r.areas.entry(id).or_default();
                a.ranges.retain(|x| x.prefix != range.prefix);
                a.ranges.push(range);
                Ok(())
            }
            "summary-address" => {
                let prefix = l.prefix(1)?;
                let mut sa = SummaryAddress::new(prefix);
                match l.words.get(2) {
                    None => {}
                    Some(&"no-advertise") => {
                        l.end(3)?;
                        sa = sa.advertise(false);
                    }
                    Some(&"tag") => {
                        sa = sa.tag(l.num(3, "a tag", 1u32, u32::MAX)?);
                        l.end(4)?;
                    }
                    Some(_) => return Err(l.err("end of line, `tag N` or `no-advertise`")),
                }
                r.summary_addresses.retain(|x| x.prefix != prefix);
                r.summary_addresses.push(sa);
                Ok(())
            }
            "default-information" => {
                if l.words.get(1) != Some(&"originate") {
                    return Err(l.err("`default-information originate`"));
                }
                let mut d = DefaultInformation {
                    always: false,
                    metric: None,
                    metric_type: None,
                };
                let mut i = 2;
                while let Some(w) = l.words.get(i) {
                    match *w {
                        "always" => {
                            d.always = true;
                            i += 1;
                        }
                        "metric" => {
                            d.metric = Some(l.num(i + 1, "a metric", 0, 16_777_214)?);
                            i += 2;
                        }
                        "metric-type" => {
                            d.metric_type = Some(l.num(i + 1, "a metric type", 1, 2)?);
                            i += 2;
                        }
                        "route-map" => {
                            return Err(ConfError::Unsupported {
                                line: l.no,
                                keyword: "default-information originate ... route-map".into(),
                            });
                        }
                        _ => {
                            return Err(l.err("`always`, `metric N` or `metric-type 1|2`"));
                        }
                    }
                }
                r.default_information = Some(d);
                Ok(())
            }
            "area" => {
                let id = l.area(1)?;
                let what = l.word(2, "stub, nssa, default-cost, authentication or range")?;
                if AREA_UNSUPPORTED.contains(&what) {
                    return Err(ConfError::Unsupported {
                        line: l.no,
                        keyword: format!("area {what}"),
                    });
                }
                let no_summary = |i: usize| -> Result<bool, ConfError> {
                    match l.words.get(i) {
                        None => Ok(false),
                        Some(&"no-summary") => l.end(i + 1).map(|()| true),
                        Some(_) => Err(l.err("end of line or `no-summary`")),
                    }
                };
                if what == "default-cost" {
                    let cost: u32 = l.num(3, "a cost", 0, 16_777_215)?;
                    l.end(4)?;
                    let area = r.areas.entry(id).or_default();
                    // As FRR: only a stub area or NSSA has a default summary to cost.
                    if area.kind == AreaKind::Normal {
                        return Err(l.err("`area AREA stub` or `area AREA nssa` before `default-cost`"));
                    }
                    area.default_cost = Some(cost);
                    return Ok(());
                }
                let kind = match what {
                    "stub" => Some(AreaKind::stub(no_summary(3)?)),
                    "nssa" => Some(nssa_kind(
                        l,
                        r.areas.get(&id).map_or(AreaKind::Normal, |a| a.kind),
                    )?),
                    _ => None,
                };
                let authentication = match what {
                    "stub" | "nssa" => None,
                    "authentication" => Some(match l.words.get(3) {
                        None => AuthMode::Simple,
                        Some(&"message-digest") => {
                            l.end(4)?;
                            AuthMode::MessageDigest
                        }
                        Some(_) => return Err(l.err("end of line or `message-digest`")),
                    }),
                    _ => return Err(l.err("stub, nssa, default-cost, authentication or range")),
                };
                if kind.is_some() && r.virtual_links.iter().any(|v| v.area == id) {
                    return Err(l.err(
                        "no stub or nssa for a virtual link's transit area (FRR: \"Area cannot be stub as it contains a virtual link\")",
                    ));
                }
                let area = r.areas.entry(id).or_default();
                if let Some(kind) = kind {
                    area.kind = kind;
                }
                if authentication.is_some() {
                    area.authentication = authentication;
                }
                Ok(())
            }
            "redistribute" => {
                let source = match l.word(1, "connected, static or kernel")? {
                    "connected" => RedistributeSource::Connected,
                    "static" => RedistributeSource::Static,
                    "kernel" => RedistributeSource::Kernel,
                    w if REDISTRIBUTE_UNSUPPORTED.contains(&w) => return Err(l.unsupported(2)),
                    _ => return Err(l.err("connected, static or kernel")),
                };
                let mut red = Redistribute {
                    source,
                    metric: None,
                    metric_type: None,
                };
                let mut i = 2;
                while let Some(w) = l.words.get(i) {
                    match *w {
                        "metric" => red.metric = Some(l.num(i + 1, "a metric", 0, 16_777_214)?),
                        "metric-type" => {
                            red.metric_type = Some(l.num(i + 1, "a metric type", 1, 2)?)
                        }
                        "route-map" => {
                            return Err(ConfError::Unsupported {
                                line: l.no,
                                keyword: "redistribute ... route-map".into(),
                            });
                        }
                        _ => return Err(l.err("`metric N` or `metric-type 1|2`")),
                    }
                    i += 2;
                }
                r.redistribute.retain(|x| x.source != source);
                r.redistribute.push(red);
                Ok(())
            }
            "neighbor" => {
                // FRR 8.4: `neighbor A.B.C.D [priority (0-255) [poll-interval (1-65535)]]`
                // and `neighbor A.B.C.D poll-interval (1-65535) [priority (0-255)]`.
                let addr = l.addr(1, "the neighbor's address")?;
                let mut n = NeighborConf {
                    addr,
                    priority: 0,
                    poll_interval: 120,
                    line: l.no,
                };
                let (mut prio_seen, mut poll_seen) = (false, false);
                let mut i = 2;
                while let Some(w) = l.words.get(i) {
                    match *w {
                        "priority" if !prio_seen => {
                            n.priority = l.num(i + 1, "a priority", 0, 255)?;
                            prio_seen = true;
                        }
                        "poll-interval" if !poll_seen => {
                            n.poll_interval = l.num(i + 1, "seconds", 1, 65535)?;
                            poll_seen = true;
                        }
                        _ => return Err(l.err("`priority N`, `poll-interval S` or end of line")),
                    }
                    i += 2;
                }
                r.neighbors.retain(|x| x.addr != addr);
                r.neighbors.push(n);
                Ok(())
            }
            "log-adjacency-changes" => {
                let detail = match l.words.get(1) {
                    None => false,
                    Some(&"detail") => true,
                    Some(_) => return Err(l.err("end of line or `detail`")),
                };
                l.end(if detail { 2 } else { 1 })?;
                r.log_adjacency_changes = Some(detail);
                Ok(())
            }
            "auto-cost" => {
                if l.words.get(1) != Some(&"reference-bandwidth") {
                    return Err(l.err("`auto-cost reference-bandwidth N`"));
                }
                r.reference_bandwidth = Some(l.num(2, "Mbit/s", 1, 4_294_967)?);
                l.end(3)
            }
            "max-lsa" => {
                let limit = l.num(1, "a number of LSAs", 1, u32::MAX - 1)?;
                let mut m = MaxLsa {
                    limit,
                    threshold: 75,
                    warning_only: false,
                    ignore_time: None,
                    ignore_count: None,
                    reset_time: None,
                    line: l.no,
                };
                let mut i = 2;
                if l.words.get(i).is_some_and(|w| w.parse::<u8>().is_ok()) {
                    m.threshold = l.num(i, "a threshold percentage", 1, 100)?;
                    i += 1;
                }
                while let Some(w) = l.words.get(i) {
                    match *w {
                        "warning-only" => m.warning_only = true,
                        "ignore-time" => {
                            m.ignore_time = Some(l.num(i + 1, "minutes", 1, 17_895)?);
                            i += 1;
                        }
                        "ignore-count" => {
                            m.ignore_count = Some(l.num(i + 1, "a count", 1, 65_534)?);
                            i += 1;
                        }
                        "reset-time" => {
                            m.reset_time = Some(l.num(i + 1, "minutes", 2, 17_895)?);
                            i += 1;
                        }
                        _ => {
                            return Err(l.err(
                                "end of line, a percentage, `warning-only`, `ignore-time M`, \
                                 `ignore-count N` or `reset-time M`",
                            ));
                        }
                    }
                    i += 1;
                }
                r.max_lsa = Some(m);
                Ok(())
            }
            "overflow" => {
                if l.words.get(1) != Some(&"database") || l.words.get(2) != Some(&"external") {
                    return Err(l.err("`overflow database external MAX [SECONDS]`"));
                }
                let limit = l.num(3, "a number of AS-external LSAs", 1, 2_147_483_647)?;
                let exit_interval = if l.words.len() > 4 {
                    l.num(4, "seconds", 0, 65_535)?
                } else {
                    300
                };
                r.overflow_external = Some(ExternalOverflow {
                    limit,
                    exit_interval,
                    line: l.no,
                });
                l.end(if l.words.len() > 4 { 5 } else { 4 })
            }
            _ => Err(l.err("a `router ospf` command")),
        }
    }

    /// Checks across lines, once the whole file is read.
    fn check(&self) -> Result<(), ConfError> {
        for (i, svc) in self.conf.services.iter().enumerate() {
            let Some(addr) = svc.address else {
                return Err(ConfError::Syntax {
                    line: svc.line,
                    text: clip(&format!("anycast-service {}", svc.name)),
                    expected: "an `address A.B.C.D/32` line in the block".into(),
                });
            };
            if let Some(other) = self.conf.services[..i]
                .iter()
                .find(|o| o.address == Some(addr))
            {
                return Err(ConfError::Syntax {
                    line: svc.line,
                    text: clip(&format!("anycast-service {}", svc.name)),
                    expected: format!("an address not used by service {}", other.name),
                });
            }
        }
        let areas = self.conf.router.as_ref().map(|r| &r.areas);
        for (iface, lines) in self.conf.interfaces.iter().zip(&self.iface_lines) {
            if let (Some(DeadInterval::Seconds(dead)), Some(dead_line)) =
                (iface.dead_interval, lines.dead)
            {
                let hello = iface.hello_interval.unwrap_or(10);
                if dead <= hello {
                    return Err(ConfError::DeadIntervalTooShort {
                        line: dead_line.max(lines.hello.unwrap_or(0)),
                        interface: iface.name.clone(),
                        dead,
                        hello,
                    });
                }
            }
            if !iface.digest_keys.is_empty() {
                continue;
            }
            // The interface's own setting, else its `ip ospf area`'s (the area of an
            // address bound by a `network` line is only known once bound).
            let md_line = match (iface.authentication, lines.auth) {
                (Some(AuthMode::MessageDigest), line) => line,
                (Some(_), _) => None,
                (None, _) => iface
                    .area
                    .and_then(|a| areas?.get(&a))
                    .filter(|a| a.authentication == Some(AuthMode::MessageDigest))
                    .and(lines.area),
            };
            if let Some(line) = md_line {
                return Err(ConfError::MissingDigestKey {
                    line,
                    interface: iface.name.clone(),
                });
            }
        }
        Ok(())
    }
}

/// `[no] graceful-restart [grace-period N]` and `[no] graceful-restart helper enable
/// [A.B.C.D] | planned-only | strict-lsa-checking | supported-grace-time N` (FRR 8.4's
/// spelling); `words[at]` follows `graceful-restart`.
fn gr_line(
    h: &mut GrHelperConfig,
    restart: &mut Option<u32>,
    l: &Line<'_>,
    at: usize,
    no: bool,
) -> Result<(), ConfError> {
    match l.words.get(at) {
        Some(&"helper") => {}
        None => {
            *restart = (!no).then_some(DEFAULT_GRACE_PERIOD);
            return Ok(());
        }
        Some(&"grace-period") => {
            let period = l.num(at + 1, "a grace period (1-1800 s)", 1, 1800)?;
            l.end(at + 2)?;
            *restart = (!no).then_some(period);
            return Ok(());
        }
        Some(_) => return Err(l.err("`helper` or `grace-period N`")),
    }
    let what = l.word(
        at + 1,
        "enable, planned-only, strict-lsa-checking or supported-grace-time",
    )?;
    match what {
        "enable" => match l.words.get(at + 2) {
            None => h.enabled = !no,
            Some(_) => {
                let id = l.addr(at + 2, "a router id")?;
                l.end(at + 3)?;
                if no {
                    h.enabled_routers.retain(|r| *r != id);
                } else if !h.enabled_routers.contains(&id) {
                    h.enabled_routers.push(id);
                }
            }
        },
        "planned-only" => {
            l.end(at + 2)?;
            h.planned_only = !no;
        }
        "strict-lsa-checking" => {
            l.end(at + 2)?;
            h.strict_lsa_checking = !no;
        }
        "supported-grace-time" => {
            if no {
                // FRR wants the value back in the `no` form; any value resets it.
                if l.words.get(at + 2).is_some() {
                    l.num::<u32>(at + 2, "seconds (10-1800)", 10, 1800)?;
                    l.end(at + 3)?;
                }
                h.supported_grace_time = GrHelperConfig::default().supported_grace_time;
            } else {
                h.supported_grace_time = l.num(at + 2, "seconds (10-1800)", 10, 1800)?;
                l.end(at + 3)?;
            }
        }
        _ => {
            return Err(l.err("enable, planned-only, strict-lsa-checking or supported-grace-time"));
        }
    }
    Ok(())
}

fn log_line(l: &Line<'_>) -> Result<LogTarget, ConfError> {
    let level = |i: usize| -> Result<Option<String>, ConfError> {
        match l.words.get(i) {
            None => Ok(None),
            Some(w) if LOG_LEVELS.contains(w) => {
                l.end(i + 1)?;
                Ok(Some(w.to_string()))
            }
            Some(_) => Err(l.err(format!("a log level ({})", LOG_LEVELS.join("|")))),
        }
    };
    match l.word(1, "a log destination (stdout|stderr|syslog|file PATH)")? {
        "stdout" => Ok(LogTarget::Stdout(level(2)?)),
        "stderr" => Ok(LogTarget::Stderr(level(2)?)),
        "syslog" => Ok(LogTarget::Syslog(level(2)?)),
        "file" => {
            let path = l.word(2, "a log file path")?;
            Ok(LogTarget::File(path.to_string(), level(3)?))
        }
        "timestamp" | "record-priority" | "commands" | "facility" | "monitor" | "unique-id"
        | "filtered-file" | "filter-text" | "trap" | "immediate-mode" | "daemon" | "extended"
        | "error-category" => Err(l.unsupported(2)),
        _ => Err(l.err("a log destination (stdout|stderr|syslog|file PATH)")),
    }
}

fn set_key(iface: &mut InterfaceConf, id: u8, algorithm: DigestAlgorithm, key: &str) {
    iface.digest_keys.retain(|k| k.id != id);
    iface.digest_keys.push(DigestKey {
        id,
        algorithm,
        key: key.to_string(),
    });
}

/// Commands that start (or end) a top-level block, which also end an
/// `anycast-service` block.
fn is_top_command(w: &str) -> bool {
    matches!(
        w,
        "hostname"
            | "password"
            | "enable"
            | "log"
            | "interface"
            | "router"
            | "bfd"
            | "anycast-service"
            | "line"
            | "end"
            | "quit"
    ) || (w != "no" && TOP_UNSUPPORTED.contains(&w))
}

fn is_router_command(w: &str) -> bool {
    matches!(
        w,
        "ospf"
            | "router-id"
            | "network"
            | "passive-interface"
            | "no"
            | "area"
            | "redistribute"
            | "log-adjacency-changes"
            | "auto-cost"
            | "max-lsa"
            | "graceful-restart"
            | "overflow"
            | "summary-address"
            | "default-information"
            | "capability"
            | "neighbor"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "hostname server1\ninterface eth0\nrouter ospf\n\tospf router-id 10.0.0.1\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n";

    fn a(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn seed_file_loads_verbatim() {
        let c = OspfdConf::parse(SEED).unwrap();
        assert_eq!(c.hostname.as_deref(), Some("server1"));
        assert_eq!(c.interfaces.len(), 1);
        assert_eq!(c.interfaces[0].name, "eth0");
        assert_eq!(c.interfaces[0].line, 2);
        let r = c.router.unwrap();
        assert_eq!(r.instance, None);
        assert_eq!(r.router_id, Some(a("10.0.0.1")));
        assert_eq!(
            r.networks,
            vec![
                NetworkStatement {
                    addr: a("10.0.0.0"),
                    len: 24,
                    area: a("0.0.0.0"),
                    line: 5
                },
                NetworkStatement {
                    addr: a("172.16.0.1"),
                    len: 32,
                    area: a("0.0.0.0"),
                    line: 6
                },
            ]
        );
        assert_eq!(c.log, vec![LogTarget::Stdout(None)]);
    }

    #[test]
    fn frr_interface_options() {
        let text = "! comment\n\ninterface lo\ninterface eth1\n ip ospf hello-interval 2\n ip ospf dead-interval minimal hello-multiplier 4\n ip ospf retransmit-interval 7\n ip ospf cost 15\n ip ospf priority 0\n ip ospf network point-to-point\n ip ospf authentication message-digest\n ip ospf message-digest-key 1 md5 secret\n ip ospf mtu-ignore\n ip ospf hmac-sha256-key 2 longsecret\n!\ninterface eth2\n ip ospf dead-interval 19\n ip ospf authentication\n ip ospf authentication-key pass\nrouter ospf 1\n network 10.0.0.0 0.0.0.255 area 0.0.0.0\n area 1 stub no-summary\n area 2 nssa\n area 0 authentication message-digest\n passive-interface lo\n redistribute connected metric 20 metric-type 1\n redistribute static\n router-id 1.2.3.4\n";
        let c = OspfdConf::parse(text).unwrap();
        assert_eq!(c.interfaces.len(), 3);
        let e1 = c.interface("eth1").unwrap();
        // FRR's own order: `ip ospf bfd`, then the profile; the reverse keeps it too.
        for text in [
            "interface eth1\n ip ospf bfd\n ip ospf bfd profile fast\n",
            "interface eth1\n ip ospf bfd profile fast\n ip ospf bfd\n",
        ] {
            let c = OspfdConf::parse(text).unwrap();
            let b = c.interface("eth1").unwrap().bfd.clone().unwrap();
            assert_eq!(b.profile.as_deref(), Some("fast"), "{text:?}");
        }
        assert_eq!(e1.hello_interval, Some(2));
        assert_eq!(
            e1.dead_interval,
            Some(DeadInterval::Minimal {
                hello_multiplier: 4
            })
        );
        assert_eq!(e1.retransmit_interval, Some(7));
        assert_eq!(e1.cost, Some(15));
        assert_eq!(e1.priority, Some(0));
        assert_eq!(e1.network_type, Some(NetworkType::PointToPoint));
        assert_eq!(e1.authentication, Some(AuthMode::MessageDigest));
        assert!(e1.mtu_ignore);
        assert_eq!(e1.digest_keys.len(), 2);
        assert_eq!(e1.digest_keys[0].algorithm, DigestAlgorithm::Md5);
        assert_eq!(e1.digest_keys[0].key, "secret");
        assert_eq!(e1.digest_keys[1].algorithm, DigestAlgorithm::HmacSha256);
        assert_eq!(e1.digest_keys[1].id, 2);
        let e2 = c.interface("eth2").unwrap();
        assert_eq!(e2.dead_interval, Some(DeadInterval::Seconds(19)));
        assert_eq!(e2.authentication, Some(AuthMode::Simple));
        assert_eq!(e2.authentication_key.as_deref(), Some("pass"));
        let r = c.router.unwrap();
        assert_eq!(r.instance, Some(1));
        assert_eq!(r.router_id, Some(a("1.2.3.4")));
        assert_eq!(r.networks[0].addr, a("10.0.0.0"));
        assert_eq!(r.networks[0].len, 24);
        assert_eq!(r.networks[0].area, a("0.0.0.0"));
        assert_eq!(r.areas[&a("0.0.0.1")].kind, AreaKind::stub(true));
        assert_eq!(r.areas[&a("0.0.0.2")].kind, AreaKind::nssa(false));
        assert_eq!(
            r.areas[&a("0.0.0.0")].authentication,
            Some(AuthMode::MessageDigest)
        );
        assert_eq!(r.passive_interfaces, vec!["lo".to_string()]);
        assert_eq!(r.redistribute.len(), 2);
        assert_eq!(r.redistribute[0].metric, Some(20));
        assert_eq!(r.redistribute[0].metric_type, Some(1));
        assert_eq!(r.redistribute[1].source, RedistributeSource::Static);
    }

    #[test]
    fn areas_as_number_or_dotted_quad() {
        assert_eq!(parse_area("0"), Some(a("0.0.0.0")));
        assert_eq!(parse_area("0.0.0.0"), Some(a("0.0.0.0")));
        assert_eq!(parse_area("257"), Some(a("0.0.1.1")));
        assert_eq!(parse_area("x"), None);
        assert_eq!(parse_area("-1"), None);
    }

    #[test]
    fn ios_wildcards() {
        assert_eq!(wildcard_len(a("0.0.0.255")), Some(24));
        assert_eq!(wildcard_len(a("0.0.0.0")), Some(32));
        assert_eq!(wildcard_len(a("255.255.255.255")), Some(0));
        assert_eq!(wildcard_len(a("0.0.255.0")), None);
        let e =
            OspfdConf::parse("router ospf 1\n network 10.0.0.0 0.0.255.0 area 0\n").unwrap_err();
        assert_eq!(e.line(), Some(2));
        assert!(e.to_string().contains("contiguous wildcard"), "{e}");
    }

    #[test]
    fn host_bits_in_a_prefix_are_an_error_but_wildcards_mask_them() {
        let e = OspfdConf::parse("router ospf\n network 10.0.0.77/24 area 0\n").unwrap_err();
        assert_eq!(
            e,
            ConfError::HostBitsSet {
                line: 2,
                addr: a("10.0.0.77"),
                len: 24,
                network: a("10.0.0.0")
            }
        );
        assert_eq!(
            e.to_string(),
            "line 2: 'network 10.0.0.77/24' has host bits set (the network is 10.0.0.0/24)"
        );
        // IOS wildcard bits are "don't care": masked, as IOS does.
        let c = OspfdConf::parse("router ospf\n network 10.0.0.77 0.0.0.255 area 0\n").unwrap();
        let n = c.router.unwrap().networks[0];
        assert_eq!((n.addr, n.len), (a("10.0.0.0"), 24));
        assert!(n.contains(a("10.0.0.200")));
        assert!(!n.contains(a("10.0.1.1")));
    }

    #[test]
    fn area_ranges_summary_addresses_and_default_information_in_frr_syntax() {
        let conf = OspfdConf::parse(
            "router ospf\n\
             area 1 range 10.1.0.0/16\n\
             area 1 range 10.2.0.0/16 advertise cost 50\n\
             area 0.0.0.1 range 10.3.0.0/16 not-advertise\n\
             area 2 range 10.4.0.0/16 substitute 10.5.0.0/16\n\
             area 2 range 10.6.0.0/16 cost 7 substitute 10.7.0.0/16\n\
             area 1 range 10.2.0.0/16 cost 60\n\
             summary-address 172.20.0.0/16 tag 42\n\
             summary-address 172.21.0.0/16 no-advertise\n\
             summary-address 172.22.0.0/16\n\
             default-information originate always metric 33 metric-type 1\n",
        )
        .unwrap();
        let r = conf.router.as_ref().unwrap();
        let p = |s: &str| -> crate::Prefix { s.parse().unwrap() };
        let a1 = &r.areas[&Ipv4Addr::new(0, 0, 0, 1)].ranges;
        assert_eq!(
            a1,
            &vec![
                AreaRange::new(p("10.1.0.0/16")),
                AreaRange::new(p("10.3.0.0/16")).advertise(false),
                // The repeated prefix replaced its first line.
                AreaRange::new(p("10.2.0.0/16")).cost(Some(60)),
            ]
        );
        let a2 = &r.areas[&Ipv4Addr::new(0, 0, 0, 2)].ranges;
        assert_eq!(a2[0].announced(), p("10.5.0.0/16"));
        assert_eq!((a2[1].cost, a2[1].announced()), (Some(7), p("10.7.0.0/16")));
        assert_eq!(
            r.summary_addresses,
            vec![
                SummaryAddress::new(p("172.20.0.0/16")).tag(42),
                SummaryAddress::new(p("172.21.0.0/16")).advertise(false),
                SummaryAddress::new(p("172.22.0.0/16")),
            ]
        );
        let d = r.default_information.unwrap();
        assert!(d.always);
        assert_eq!((d.effective_metric(), d.metric_type), (33, Some(1)));
        // FRR's default metrics: 10, or 1 with `always`.
        let d = |text: &str| {
            OspfdConf::parse(text)
                .unwrap()
                .router
                .unwrap()
                .default_information
                .unwrap()
        };
        assert_eq!(
            d("router ospf\n default-information originate\n").effective_metric(),
            10
        );
        assert_eq!(
            d("router ospf\n default-information originate always\n").effective_metric(),
            1
        );
        // The engine gets the ranges with the area.
        let areas = crate::core_config::area_configs(&conf);
        assert_eq!(areas[0].ranges.len(), 3);
        assert_eq!(crate::core_config::summary_addresses(&conf).len(), 3);
    }

    #[test]
    fn aggregation_lines_with_errors_name_the_line() {
        let cases: &[(&str, usize, &str)] = &[
            ("router ospf\n area 1 range 10.1.0.0\n", 2, "A.B.C.D/M"),
            ("router ospf\n\n area 1 range 10.1.0.1/16\n", 3, "host bits"),
            (
                "router ospf\n area 1 range 10.1.0.0/16 cost 16777216\n",
                2,
                "a cost (0-16777215)",
            ),
            (
                "router ospf\n area 1 range 10.1.0.0/16 not-advertise cost 3\n",
                2,
                "end of line",
            ),
            (
                "router ospf\n area 1 range 10.1.0.0/16 advertise substitute 10.2.0.0/16\n",
                2,
                "substitute",
            ),
            (
                "router ospf\n area 1 range 10.1.0.0/16 bogus\n",
                2,
                "not-advertise",
            ),
            (
                "router ospf\n summary-address 10.0.0.0/8 tag 0\n",
                2,
                "a tag (1-4294967295)",
            ),
            (
                "router ospf\n summary-address 10.0.0.0/8 not-advertise\n",
                2,
                "no-advertise",
            ),
            (
                "router ospf\n default-information\n",
                2,
                "default-information originate",
            ),
            (
                "router ospf\n default-information originate metric-type 3\n",
                2,
                "a metric type (1-2)",
            ),
            (
                "router ospf\n default-information originate metric 16777215\n",
                2,
                "a metric",
            ),
        ];
        for (text, line, needle) in cases {
            let e = OspfdConf::parse(text).unwrap_err();
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("line {line}:")), "{text:?}: {msg}");
            assert!(msg.contains(needle), "{text:?}: {msg}");
        }
    }

    /// RFC 3101 options of `area AREA nssa` in FRR 8.4's grammar (any order, each once, the
    /// line saying all) and `area AREA default-cost`.
    #[test]
    fn nssa_options_and_default_cost() {
        let r = |text: &str| OspfdConf::parse(text).map(|c| c.router.unwrap());
        let kind = |text: &str| r(text).unwrap().areas[&a("0.0.0.1")].kind;
        assert_eq!(kind("router ospf\n area 1 nssa\n"), AreaKind::nssa(false));
        let k = kind(
            "router ospf\n area 1 nssa suppress-fa default-information-originate metric 7 \
             metric-type 1 translate-always no-summary\n",
        );
        assert_eq!(
            k,
            AreaKind::Nssa {
                no_summary: true,
                default_cost: 1,
                translate_always: true,
                translate_never: false,
                default_originate: Some(NssaDefault {
                    metric: 7,
                    e2: false
                }),
                suppress_fa: true,
            }
        );
        // FRR 8.4's separate lines add up; a translator role replaces the earlier one.
        // FRR's default metric 1, type 2.
        let k = kind(
            "router ospf\n area 1 nssa translate-always\n area 1 nssa no-summary\n \
             area 1 nssa suppress-fa\n area 1 nssa\n area 1 nssa translate-never \
             default-information-originate\n",
        );
        assert_eq!(
            k,
            AreaKind::Nssa {
                no_summary: true,
                default_cost: 1,
                translate_always: false,
                translate_never: true,
                default_originate: Some(NssaDefault::default()),
                suppress_fa: true,
            }
        );
        // A stub area made an NSSA starts from the NSSA defaults.
        assert_eq!(
            kind("router ospf\n area 1 stub no-summary\n area 1 nssa\n"),
            AreaKind::nssa(false)
        );
        assert_eq!(
            NssaDefault::default(),
            NssaDefault {
                metric: 1,
                e2: true
            }
        );
        // default-cost: after the kind, kept when the kind line comes again, applied to
        // the engine's area.
        let text = "router ospf\n area 1 stub\n area 1 default-cost 25\n area 1 stub no-summary\n";
        let conf = OspfdConf::parse(text).unwrap();
        assert_eq!(
            conf.router.as_ref().unwrap().areas[&a("0.0.0.1")].default_cost,
            Some(25)
        );
        for (text, line, expected) in [
            (
                "router ospf\n area 1 default-cost 5\n",
                2,
                "before `default-cost`",
            ),
            (
                "router ospf\n area 1 nssa\n area 1 default-cost 16777216\n",
                3,
                "a cost (0-16777215)",
            ),
            (
                "router ospf\n area 1 nssa no-summary no-summary\n",
                2,
                "not `no-summary`",
            ),
            (
                "router ospf\n area 1 nssa translate-never translate-always\n",
                2,
                "not `translate-always`",
            ),
            (
                "router ospf\n area 1 nssa default-information-originate metric-type 3\n",
                2,
                "a metric type (1-2)",
            ),
            (
                "router ospf\n area 1 nssa default-information-originate metric 16777215\n",
                2,
                "a metric (0-16777214)",
            ),
            (
                "router ospf\n area 1 nssa frobnicate\n",
                2,
                "not `frobnicate`",
            ),
        ] {
            match OspfdConf::parse(text) {
                Err(ConfError::Syntax {
                    line: l,
                    expected: e,
                    ..
                }) => {
                    assert_eq!(l, line, "{text:?}");
                    assert!(e.contains(expected), "{text:?}: {e}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn errors_name_the_line_and_what_was_expected() {
        let cases: &[(&str, usize, &str)] = &[
            ("hostname a\nfrobnicate\n", 2, "top-level command"),
            (
                "interface eth0\n ip ospf hello-interval x\n",
                2,
                "seconds (1-65535)",
            ),
            (
                "interface eth0\n ip ospf hello-interval 0\n",
                2,
                "seconds (1-65535)",
            ),
            (
                "interface eth0\n ip ospf priority 256\n",
                2,
                "priority (0-255)",
            ),
            (
                "interface eth0\n ip ospf network nbma\n",
                2,
                "non-broadcast, point-to-multipoint [non-broadcast] or point-to-point",
            ),
            ("interface eth0\n ip ospf cost 10 extra\n", 2, "end of line"),
            (
                "interface eth0\n ip ospf authentication-key 123456789\n",
                2,
                "at most 8",
            ),
            (
                "interface eth0\n ip ospf message-digest-key 1 sha KEY\n",
                2,
                "`md5 KEY`",
            ),
            ("interface eth0\n ip ospf frob\n", 2, "an `ip ospf` setting"),
            (
                "router ospf\n capability opaque\n no capability opaque\n",
                3,
                "opaque LSAs are always on",
            ),
            ("router ospf\n capability opaque extra\n", 2, "end of line"),
            ("ip ospf cost 5\n", 1, "`interface IF`"),
            ("network 10.0.0.0/8 area 0\n", 1, "`router ospf`"),
            (
                "router ospf\n network 10.0.0.0/33 area 0\n",
                2,
                "prefix length",
            ),
            ("router ospf\n network 10.0.0.0/8\n", 2, "`area AREA`"),
            ("router ospf\n network 10.0.0.0/8 area x\n", 2, "area id"),
            ("router ospf\n ospf router-id 1.2.3\n", 2, "router id"),
            (
                "router ospf\n area 1 totally\n",
                2,
                "stub, nssa, default-cost, authentication or range",
            ),
            (
                "router ospf\n redistribute babble\n",
                2,
                "connected, static or kernel",
            ),
            ("\n\nlog printer\n", 3, "log destination"),
            ("router ospf 1\nrouter ospf 2\n", 2, "same `router ospf`"),
            (
                "line vty\n exec-timeout 0\n frobnicate\n",
                3,
                "top-level command",
            ),
            ("line console\n", 1, "`line vty`"),
        ];
        for (text, line, expected) in cases {
            let e = OspfdConf::parse(text).unwrap_err();
            assert_eq!(e.line(), Some(*line), "{text:?}: {e}");
            assert!(matches!(e, ConfError::Syntax { .. }), "{text:?}: {e:?}");
            assert!(e.to_string().contains(expected), "{text:?}: {e}");
            assert!(e.to_string().starts_with(&format!("line {line}:")));
        }
    }

    #[test]
    fn top_level_commands_end_blocks() {
        let c = OspfdConf::parse(
            "interface eth0\n ip ospf cost 3\nrouter ospf\n network 10.0.0.0/8 area 0\ninterface eth0\n ip ospf priority 9\nlog file /tmp/x debugging\nline vty\n exec-timeout 0\nend\n",
        )
        .unwrap();
        assert_eq!(c.interfaces.len(), 1);
        assert_eq!(c.interfaces[0].cost, Some(3));
        assert_eq!(c.interfaces[0].priority, Some(9));
        assert_eq!(
            c.log,
            vec![LogTarget::File("/tmp/x".into(), Some("debugging".into()))]
        );
    }

    #[test]
    fn anycast_service_blocks_are_read_and_checked() {
        let text = "anycast-service web\n address 172.16.0.1/32\n check http://127.0.0.1/ expect=204\n check tcp:127.0.0.1:443\n check-interval 200\n check-timeout 150\n check-fall 2\n check-rise 3\n check-initial up\n on-failure degrade\n degrade-cost 60000\n weight 3\n no last-one-standing\nexit\nanycast-service dns\n address 172.16.0.2/32\nrouter ospf\n network 172.16.0.0/30 area 0\n";
        let c = OspfdConf::parse(text).unwrap();
        assert_eq!(c.services.len(), 2);
        let web = &c.services[0];
        assert_eq!(web.name, "web");
        assert_eq!(web.address.unwrap().to_string(), "172.16.0.1/32");
        assert_eq!(
            web.checks,
            ["http://127.0.0.1/ expect=204", "tcp:127.0.0.1:443"]
        );
        assert_eq!(
            (
                web.interval_ms,
                web.timeout_ms,
                web.fall,
                web.rise,
                web.initial_up
            ),
            (Some(200), Some(150), Some(2), Some(3), Some(true))
        );
        assert_eq!(web.on_failure, crate::service::OnFailure::Degrade);
        assert_eq!(
            (web.degrade_cost, web.last_one_standing),
            (Some(60000), false)
        );
        assert_eq!(web.weight, Some(3));
        let dns = &c.services[1];
        assert!(dns.checks.is_empty() && dns.last_one_standing);
        assert_eq!(dns.weight, None);
        assert!(c.router.is_some(), "a top-level command ends the block");
        let services = crate::service::from_conf(&c).unwrap();
        assert_eq!(services.len(), 2);
        assert_eq!(services[0].name(), "web");
        assert_eq!(services[0].weight_of(), Some(3));
        assert_eq!(services[1].weight_of(), None);

        for (text, line, want) in [
            ("anycast-service web\n check tcp:1.2.3.4:5\n", 1, "address"),
            ("anycast-service web\n address 172.16.0.0/24\n", 2, "/32"),
            (
                "anycast-service web\n address 172.16.0.1/32\n check\n",
                3,
                "a check",
            ),
            (
                "anycast-service web\n address 172.16.0.1/32\n check ftp://x\n",
                3,
                "valid check",
            ),
            (
                "anycast-service web\n address 172.16.0.1/32\n on-failure explode\n",
                3,
                "degrade",
            ),
            (
                "anycast-service web\n address 172.16.0.1/32\n degrade-cost 0\n",
                3,
                "stub cost",
            ),
            (
                "anycast-service web\n address 172.16.0.1/32\n weight 0\n",
                3,
                "a weight (1-255)",
            ),
            (
                "anycast-service web\n address 172.16.0.1/32\n weight 256\n",
                3,
                "a weight (1-255)",
            ),
            (
                "anycast-service web\n address 172.16.0.1/32\n weight\n",
                3,
                "a weight (1-255)",
            ),
            (
                "anycast-service web\n address 172.16.0.1/32\n weight 2 3\n",
                3,
                "",
            ),
            (
                "anycast-service web\n address 172.16.0.1/32\n frobnicate\n",
                3,
                "anycast-service command",
            ),
            ("anycast-service a;b\n", 1, "service name"),
            (
                "anycast-service w\n address 172.16.0.1/32\nanycast-service w\n",
                3,
                "not used before",
            ),
            (
                "anycast-service a\n address 172.16.0.1/32\nanycast-service b\n address 172.16.0.1/32\n",
                3,
                "not used by service a",
            ),
        ] {
            let e = OspfdConf::parse(text).unwrap_err();
            assert_eq!(e.line(), Some(line), "{text}: {e}");
            assert!(e.to_string().contains(want), "{text}: {e}");
        }
    }

    #[test]
    fn overflow_database_external_sets_rfc1765s_limit() {
        let c = OspfdConf::parse("router ospf\n overflow database external 5000 60\n").unwrap();
        let o = c.router.unwrap().overflow_external.unwrap();
        assert_eq!((o.limit, o.exit_interval, o.line), (5000, 60, 2));
        let c = OspfdConf::parse("router ospf\n overflow database external 10\n").unwrap();
        let o = c.router.unwrap().overflow_external.unwrap();
        assert_eq!((o.limit, o.exit_interval), (10, 300));
        for bad in [
            "overflow",
            "overflow database",
            "overflow database 10",
            "overflow database external",
            "overflow database external 0",
            "overflow database external 10 70000",
            "overflow database external 10 60 more",
        ] {
            let e = OspfdConf::parse(&format!("router ospf\n {bad}\n")).unwrap_err();
            assert_eq!(e.line(), Some(2), "{bad}: {e}");
        }
    }

    #[test]
    fn max_lsa_and_its_ignore_options_are_read() {
        let c = OspfdConf::parse("router ospf\n max-lsa 5000 80 warning-only\n").unwrap();
        let m = c.router.unwrap().max_lsa.unwrap();
        assert_eq!(
            (m.limit, m.threshold, m.warning_only, m.line),
            (5000, 80, true, 2)
        );
        let c = OspfdConf::parse("router ospf\n max-lsa 12000\n").unwrap();
        let m = c.router.unwrap().max_lsa.unwrap();
        assert_eq!((m.limit, m.threshold, m.warning_only), (12000, 75, false));
        let c = OspfdConf::parse(
            "router ospf\n max-lsa 100 90 ignore-time 2 ignore-count 3 reset-time 20\n",
        )
        .unwrap();
        let m = c.router.unwrap().max_lsa.unwrap();
        assert_eq!(
            (m.threshold, m.ignore_time, m.ignore_count, m.reset_time),
            (90, Some(2), Some(3), Some(20))
        );
        let p = m.ignore_policy().unwrap();
        let min = |n: u64| ospf_core::time::Duration::from_secs(n * 60);
        assert_eq!(
            (p.ignore_time, p.ignore_count, p.reset_time),
            (min(2), 3, min(20))
        );
        // Cisco's defaults for what is not given; no policy without any of them.
        let c = OspfdConf::parse("router ospf\n max-lsa 100 ignore-count 2\n").unwrap();
        let p = c.router.unwrap().max_lsa.unwrap().ignore_policy().unwrap();
        assert_eq!(
            (p.ignore_time, p.ignore_count, p.reset_time),
            (min(5), 2, min(10))
        );
        let c = OspfdConf::parse("router ospf\n max-lsa 100 warning-only\n").unwrap();
        assert_eq!(c.router.unwrap().max_lsa.unwrap().ignore_policy(), None);
        for bad in [
            "max-lsa",
            "max-lsa 0",
            "max-lsa 10 101",
            "max-lsa 10 bogus",
            "max-lsa 10 ignore-time",
            "max-lsa 10 ignore-time 0",
            "max-lsa 10 ignore-count x",
            "max-lsa 10 reset-time 1",
        ] {
            let e = OspfdConf::parse(&format!("router ospf\n {bad}\n")).unwrap_err();
            assert_eq!(e.line(), Some(2), "{bad}: {e}");
        }
    }

    #[test]
    fn graceful_restart_helper_lines_use_frr_spelling_and_defaults() {
        let h = |body: &str| {
            OspfdConf::parse(&format!("router ospf\n{body}")).map(|c| c.router.unwrap().gr_helper)
        };
        // FRR's defaults: helping off, strict LSA checking on, 1800 s.
        let d = h("").unwrap();
        assert_eq!(d, GrHelperConfig::default());
        assert!(!d.enabled && d.strict_lsa_checking && !d.planned_only);
        assert_eq!(d.supported_grace_time, 1800);
        let c = h(
            " graceful-restart helper enable\n graceful-restart helper planned-only\n \
                   no graceful-restart helper strict-lsa-checking\n \
                   graceful-restart helper supported-grace-time 120\n",
        )
        .unwrap();
        assert!(c.enabled && c.planned_only && !c.strict_lsa_checking);
        assert_eq!(c.supported_grace_time, 120);
        // Per router ID, and the `no` forms undo.
        let c = h(" graceful-restart helper enable 10.0.0.2\n graceful-restart helper enable 10.0.0.3\n \
                   no graceful-restart helper enable 10.0.0.2\n graceful-restart helper planned-only\n \
                   no graceful-restart helper planned-only\n \
                   graceful-restart helper supported-grace-time 60\n \
                   no graceful-restart helper supported-grace-time 60\n")
        .unwrap();
        assert!(!c.enabled);
        assert_eq!(c.enabled_routers, vec![a("10.0.0.3")]);
        assert!(!c.planned_only);
        assert_eq!(c.supported_grace_time, 1800);
        let c = h(" graceful-restart helper enable\n no graceful-restart helper enable\n").unwrap();
        assert!(!c.enabled);
        // Errors name the line.
        for bad in [
            "graceful-restart helper",
            "graceful-restart helper enable 10.0.0",
            "graceful-restart helper enable 10.0.0.2 extra",
            "graceful-restart helper supported-grace-time 5",
            "graceful-restart helper supported-grace-time 1801",
            "graceful-restart helper planned-only now",
            "graceful-restart helper bogus",
            "graceful-restart bogus",
        ] {
            let e = h(&format!("!\n {bad}\n")).unwrap_err();
            assert_eq!(e.line(), Some(3), "{bad}: {e}");
        }
        // Restarting: FRR's default grace period, a given one, `no`, and bad values.
        let gr = |body: &str| {
            OspfdConf::parse(&format!("router ospf\n{body}"))
                .map(|c| c.router.unwrap().graceful_restart)
        };
        assert_eq!(gr(""), Ok(None));
        assert_eq!(gr(" graceful-restart\n"), Ok(Some(DEFAULT_GRACE_PERIOD)));
        assert_eq!(gr(" graceful-restart grace-period 60\n"), Ok(Some(60)));
        assert_eq!(
            gr(" graceful-restart grace-period 60\n no graceful-restart\n"),
            Ok(None)
        );
        for bad in [
            "graceful-restart grace-period 0",
            "graceful-restart grace-period 1801",
            "graceful-restart grace-period",
            "graceful-restart grace-period 60 x",
        ] {
            assert_eq!(
                gr(&format!(" {bad}\n")).unwrap_err().line(),
                Some(2),
                "{bad}"
            );
        }
    }

    #[test]
    fn network_types_and_neighbors_parse_as_frr_8_4_writes_them() {
        let c = OspfdConf::parse(
            "interface a\n ip ospf network non-broadcast\ninterface b\n ip ospf network point-to-multipoint\n\
             interface c\n ip ospf network point-to-multipoint non-broadcast\n\
             router ospf\n neighbor 10.0.0.2\n neighbor 10.0.0.3 priority 7\n \
             neighbor 10.0.0.4 priority 1 poll-interval 60\n neighbor 10.0.0.5 poll-interval 9 priority 2\n \
             neighbor 10.0.0.2 priority 3\n",
        )
        .unwrap();
        let t = |n: &str| c.interface(n).unwrap().network_type;
        assert_eq!(t("a"), Some(NetworkType::NonBroadcast));
        assert_eq!(t("b"), Some(NetworkType::PointToMultipoint));
        assert_eq!(t("c"), Some(NetworkType::PointToMultipointNonBroadcast));
        let n: Vec<(Ipv4Addr, u8, u16, usize)> = c
            .router
            .unwrap()
            .neighbors
            .iter()
            .map(|n| (n.addr, n.priority, n.poll_interval, n.line))
            .collect();
        let a = |x: u8| Ipv4Addr::new(10, 0, 0, x);
        // A repeated neighbor replaces the earlier line (as FRR's running config shows).
        assert_eq!(
            n,
            vec![
                (a(3), 7, 120, 9),
                (a(4), 1, 60, 10),
                (a(5), 2, 9, 11),
                (a(2), 3, 120, 12),
            ]
        );
        for (bad, expected) in [
            (
                "router ospf\n neighbor 10.0.0.300\n",
                "the neighbor's address",
            ),
            (
                "router ospf\n neighbor 10.0.0.2 priority 256\n",
                "a priority (0-255)",
            ),
            (
                "router ospf\n neighbor 10.0.0.2 poll-interval 0\n",
                "seconds (1-65535)",
            ),
            (
                "router ospf\n neighbor 10.0.0.2 priority 1 priority 2\n",
                "`priority N`",
            ),
            ("router ospf\n neighbor 10.0.0.2 cost 1\n", "`priority N`"),
            ("interface e\n ip ospf network nbma\n", "non-broadcast"),
        ] {
            let err = OspfdConf::parse(bad).unwrap_err().to_string();
            assert!(err.contains(expected), "{bad:?}: {err}");
        }
    }

    #[test]
    fn unsupported_frr_commands_are_named() {
        let cases: &[(&str, usize, &str)] = &[
            ("interface eth0\n ip ospf ldp-sync\n", 2, "ip ospf ldp-sync"),
            ("bfd\n profile p\n  echo-mode\n", 3, "echo-mode"),
            ("bfd\n peer 10.0.0.2\n", 2, "peer"),
            (
                "interface eth0\n ip ospf network point-to-multipoint delay-reflood\n",
                2,
                "ip ospf network point-to-multipoint delay-reflood",
            ),
            (
                "interface eth0\n ip ospf network point-to-point dmvpn\n",
                2,
                "ip ospf network point-to-point dmvpn",
            ),
            (
                "interface eth0\n ip ospf authentication key-chain k\n",
                2,
                "ip ospf authentication key-chain",
            ),
            ("interface eth0\n ip address 10.0.0.1/24\n", 2, "ip address"),
            ("interface eth0\n ipv6 ospf6 cost 3\n", 2, "ipv6 ospf6"),
            ("interface eth0\n shutdown\n", 2, "shutdown"),
            ("interface eth0 vrf red\n", 1, "interface eth0 vrf"),
            ("frr version 8.1\n", 1, "frr"),
            ("ip prefix-list p seq 5 permit any\n", 1, "ip prefix-list"),
            ("router bgp 65000\n", 1, "router bgp"),
            ("router ospf vrf red\n", 1, "router ospf vrf"),
            (
                "router ospf\n default-information originate route-map x\n",
                2,
                "default-information originate ... route-map",
            ),
            (
                "router ospf\n area 1 nssa range 10.0.0.0/8\n",
                2,
                "area nssa range",
            ),
            ("router ospf\n aggregation timer 5\n", 2, "aggregation"),
            ("router ospf\n timers throttle spf 0 50 5000\n", 2, "timers"),
            (
                "router ospf\n max-metric router-lsa administrative\n",
                2,
                "max-metric router-lsa",
            ),
            ("router ospf\n ospf abr-type cisco\n", 2, "ospf abr-type"),
            ("router ospf\n redistribute bgp\n", 2, "redistribute bgp"),
            (
                "router ospf\n redistribute kernel route-map RM\n",
                2,
                "redistribute ... route-map",
            ),
            ("log timestamp precision 3\n", 1, "log timestamp"),
        ];
        for (text, line, keyword) in cases {
            let e = OspfdConf::parse(text).unwrap_err();
            assert_eq!(
                e,
                ConfError::Unsupported {
                    line: *line,
                    keyword: keyword.to_string()
                },
                "{text:?}"
            );
            assert_eq!(
                e.to_string(),
                format!("line {line}: '{keyword}' is not supported")
            );
        }
    }

    #[test]
    fn capability_opaque_is_accepted_and_always_on() {
        let c = OspfdConf::parse("router ospf\n capability opaque\n ospf opaque-lsa\n").unwrap();
        assert!(c.router.is_some());
        let e = OspfdConf::parse("router ospf\n capability cspf\n").unwrap_err();
        assert!(e.to_string().contains("capability cspf"), "{e}");
    }

    #[test]
    fn router_id_zero_and_twice_are_errors() {
        let e = OspfdConf::parse("router ospf\n ospf router-id 0.0.0.0\n").unwrap_err();
        assert_eq!(e, ConfError::ZeroRouterId { line: 2 });
        assert_eq!(e.to_string(), "line 2: 0.0.0.0 is not a valid router id");
        let e = OspfdConf::parse(
            "router ospf\n ospf router-id 1.1.1.1\n network 10.0.0.0/8 area 0\n router-id 2.2.2.2\n",
        )
        .unwrap_err();
        assert_eq!(e, ConfError::DuplicateRouterId { line: 4, first: 2 });
        // Also across a re-entered `router ospf` block (the same instance).
        let e = OspfdConf::parse(
            "router ospf\n ospf router-id 1.1.1.1\ninterface eth0\nrouter ospf\n ospf router-id 1.1.1.1\n",
        )
        .unwrap_err();
        assert_eq!(e, ConfError::DuplicateRouterId { line: 5, first: 2 });
    }

    #[test]
    fn dead_interval_must_exceed_hello_interval() {
        let e = OspfdConf::parse(
            "interface eth0\n ip ospf hello-interval 5\n ip ospf dead-interval 5\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            ConfError::DeadIntervalTooShort {
                line: 3,
                interface: "eth0".into(),
                dead: 5,
                hello: 5
            }
        );
        // The hello line comes later: the error points at it.
        let e = OspfdConf::parse(
            "interface eth0\n ip ospf dead-interval 3\n ip ospf hello-interval 4\n",
        )
        .unwrap_err();
        assert_eq!(e.line(), Some(3));
        // Against the default hello interval (10 s).
        let e = OspfdConf::parse("interface eth1\n ip ospf dead-interval 10\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("line 2: 'ip ospf dead-interval 10' of interface eth1"),
            "{e}"
        );
        // Fine: greater, the minimal form, and a merged block.
        OspfdConf::parse("interface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 2\n")
            .unwrap();
        OspfdConf::parse("interface eth0\n ip ospf dead-interval 11\n").unwrap();
        OspfdConf::parse("interface eth0\n ip ospf hello-interval 30\n ip ospf dead-interval minimal hello-multiplier 3\n").unwrap();
    }

    #[test]
    fn message_digest_without_a_key_is_an_error_at_load() {
        let e = OspfdConf::parse(
            "interface eth0\n description up\n ip ospf authentication message-digest\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            ConfError::MissingDigestKey {
                line: 3,
                interface: "eth0".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "line 3: interface eth0 uses message-digest authentication but has no 'ip ospf message-digest-key'"
        );
        // Through the area of `ip ospf area`.
        let e = OspfdConf::parse(
            "interface eth0\n ip ospf area 1\nrouter ospf\n area 1 authentication message-digest\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            ConfError::MissingDigestKey {
                line: 2,
                interface: "eth0".into()
            }
        );
        // A key (MD5 or HMAC-SHA) in the same or a merged block, or an override, is fine.
        OspfdConf::parse("interface eth0\n ip ospf authentication message-digest\ninterface eth0\n ip ospf message-digest-key 1 md5 k\n").unwrap();
        OspfdConf::parse("interface eth0\n ip ospf authentication message-digest\n ip ospf hmac-sha256-key 1 k\n").unwrap();
        OspfdConf::parse("interface eth0\n ip ospf area 1\n ip ospf authentication null\nrouter ospf\n area 1 authentication message-digest\n").unwrap();
    }

    #[test]
    fn only_one_log_destination() {
        let e = OspfdConf::parse("log stdout\nhostname x\nlog file /tmp/x\n").unwrap_err();
        assert_eq!(e, ConfError::DuplicateLog { line: 3, first: 1 });
    }

    #[test]
    fn bandwidth_and_reference_bandwidth() {
        let c = OspfdConf::parse(
            "interface eth0\n bandwidth 1000\nrouter ospf\n auto-cost reference-bandwidth 40000\n",
        )
        .unwrap();
        assert_eq!(c.interfaces[0].bandwidth, Some(1000));
        assert_eq!(c.router.unwrap().reference_bandwidth, Some(40000));
        for bad in [
            "interface eth0\n bandwidth 0\n",
            "interface eth0\n bandwidth 1000001\n",
        ] {
            let e = OspfdConf::parse(bad).unwrap_err();
            assert_eq!(e.line(), Some(2), "{e}");
        }
        assert_eq!(
            OspfdConf::parse("bandwidth 10\n").unwrap_err().line(),
            Some(1)
        );
    }

    #[test]
    fn errors_never_echo_more_than_80_characters_of_input() {
        let huge = "x".repeat(3 << 20);
        let texts = [
            format!("{huge}\n"),
            format!("hostname a {huge}\n"),
            format!("interface eth0\n ip ospf cost 10 {huge}\n"),
            format!("interface eth0\n ip ospf {huge}\n"),
            format!("interface eth0\n ip {huge}\n"),
            format!("interface {huge}\n"),
            format!("router {huge}\n"),
            format!("router ospf\n network 10.0.0.0/8 area {huge}\n"),
            format!("router ospf\n redistribute bgp {huge}\n"),
            format!("log stdout {huge}\n"),
            format!("frr {huge}\n"),
            format!("ip {huge}\n"),
            "ü".repeat(1 << 20),
        ];
        for text in &texts {
            let e = OspfdConf::parse(text).unwrap_err();
            let shown = e.to_string();
            assert!(
                shown.len() < 400,
                "{} bytes: {}",
                shown.len(),
                &shown[..400]
            );
            assert!(shown.starts_with("line "), "{shown}");
        }
    }

    #[test]
    fn io_errors_have_no_line() {
        let e = OspfdConf::from_file("/nonexistent/ospfd.conf").unwrap_err();
        assert!(matches!(e, ConfError::Io { .. }));
        assert_eq!(e.line(), None);
        assert!(
            e.to_string()
                .starts_with("cannot read /nonexistent/ospfd.conf"),
            "{e}"
        );
    }

    /// Words the reader knows, so that random lines often get past the first word.
    const WORDS: &[&str] = &[
        "interface",
        "router",
        "ospf",
        "ip",
        "no",
        "network",
        "neighbor",
        "non-broadcast",
        "point-to-multipoint",
        "poll-interval",
        "area",
        "0",
        "1",
        "10.0.0.0/8",
        "10.0.0.1/8",
        "0.0.0.255",
        "10.0.0.1",
        "0.0.0.0",
        "router-id",
        "hello-interval",
        "dead-interval",
        "minimal",
        "hello-multiplier",
        "cost",
        "priority",
        "authentication",
        "message-digest",
        "message-digest-key",
        "md5",
        "key",
        "stub",
        "nssa",
        "no-summary",
        "redistribute",
        "kernel",
        "metric",
        "metric-type",
        "log",
        "stdout",
        "file",
        "eth0",
        "lo",
        "passive",
        "passive-interface",
        "default",
        "auto-cost",
        "reference-bandwidth",
        "bandwidth",
        "description",
        "line",
        "vty",
        "end",
        "exit",
        "hostname",
        "!",
        "65535",
        "4294967295",
        "-1",
        "\u{fc}",
        "vrf",
        "bfd",
        "range",
    ];

    proptest::proptest! {
        #[test]
        fn never_panics_and_errors_are_short(
            lines in proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(WORDS), 0..7),
                0..12,
            ),
            noise in ".{0,40}",
        ) {
            let mut text: String = lines
                .iter()
                .map(|l| format!(" {}\n", l.join(" ")))
                .collect();
            text.push_str(&noise);
            if let Err(e) = OspfdConf::parse(&text) {
                let shown = e.to_string();
                proptest::prop_assert!(shown.starts_with("line "), "{}", shown);
                proptest::prop_assert!(e.line().is_some_and(|n| (1..=13).contains(&n)));
            }
        }
    }
}

#[cfg(test)]
mod bfd_tests {
    use super::*;

    const FRR: &str = "\
frr defaults traditional
!
bfd
 profile fast
  detect-multiplier 4
  receive-interval 50
  transmit-interval 60
 exit
 !
 profile slow
  receive-interval 1000
 exit
 !
exit
!
interface eth0
 ip ospf bfd
!
interface eth1
 ip ospf bfd profile fast
 ip ospf cost 5
!
router ospf
 network 10.0.0.0/24 area 0
";

    #[test]
    fn bfd_profiles_and_interface_bfd_are_read() {
        // `frr defaults` is refused as before; the rest is the FRR layout.
        let text = FRR.replace("frr defaults traditional\n", "");
        let c = OspfdConf::parse(&text).unwrap();
        assert_eq!(c.bfd_profiles.len(), 2);
        let fast = c.bfd_profile("fast").unwrap();
        assert_eq!(fast.line, 3);
        assert_eq!(fast.detect_multiplier, Some(4));
        assert_eq!(fast.receive_interval, Some(50));
        assert_eq!(fast.transmit_interval, Some(60));
        let slow = c.bfd_profile("slow").unwrap();
        assert_eq!(slow.receive_interval, Some(1000));
        assert_eq!(slow.detect_multiplier, None);
        let e0 = c.interface("eth0").unwrap().bfd.clone().unwrap();
        assert_eq!(e0.profile, None);
        assert_eq!(e0.line, 16);
        let e1 = c.interface("eth1").unwrap();
        // FRR's own order: `ip ospf bfd`, then the profile; the reverse keeps it too.
        for text in [
            "interface eth1\n ip ospf bfd\n ip ospf bfd profile fast\n",
            "interface eth1\n ip ospf bfd profile fast\n ip ospf bfd\n",
        ] {
            let c = OspfdConf::parse(text).unwrap();
            let b = c.interface("eth1").unwrap().bfd.clone().unwrap();
            assert_eq!(b.profile.as_deref(), Some("fast"), "{text:?}");
        }
        assert_eq!(e1.bfd.as_ref().unwrap().profile.as_deref(), Some("fast"));
        assert_eq!(e1.cost, Some(5));
        assert!(c.router.is_some());
        assert!(c.interface("eth2").is_none());
    }

    #[test]
    fn bfd_block_ends_at_a_top_level_command_without_exit() {
        let c = OspfdConf::parse(
            "bfd\n profile a\n  transmit-interval 20\ninterface eth0\n ip ospf bfd profile a\n",
        )
        .unwrap();
        assert_eq!(c.bfd_profile("a").unwrap().transmit_interval, Some(20));
        assert!(c.interface("eth0").unwrap().bfd.is_some());
        // A profile can be named before (or without) its definition, as in FRR.
        let c = OspfdConf::parse("interface eth0\n ip ospf bfd profile later\n").unwrap();
        assert_eq!(
            c.interface("eth0")
                .unwrap()
                .bfd
                .as_ref()
                .unwrap()
                .profile
                .as_deref(),
            Some("later")
        );
    }

    #[test]
    fn bfd_bad_values_are_named_with_their_line() {
        for (text, line) in [
            ("bfd\n profile a\n  detect-multiplier 1\n", 3),
            ("bfd\n profile a\n  receive-interval 5\n", 3),
            ("bfd\n profile a\n  transmit-interval 70000\n", 3),
            ("bfd\n profile a\n  transmit-interval 50 x\n", 3),
            ("bfd\n detect-multiplier 3\n", 2),
            ("bfd\n profile\n", 2),
            ("bfd x\n", 1),
            ("interface eth0\n ip ospf bfd fast\n", 2),
            ("interface eth0\n ip ospf bfd profile\n", 2),
            ("interface eth0\n ip ospf bfd profile a b\n", 2),
        ] {
            let e = OspfdConf::parse(text).unwrap_err();
            assert_eq!(e.line(), Some(line), "{text:?}: {e}");
        }
    }

    #[test]
    fn exit_inside_a_profile_returns_to_bfd() {
        // After ` exit` from the profile, `profile b` is still a BFD command.
        let c =
            OspfdConf::parse("bfd\n profile a\n exit\n profile b\n  detect-multiplier 9\nexit\n")
                .unwrap();
        assert_eq!(c.bfd_profiles.len(), 2);
        assert_eq!(c.bfd_profile("b").unwrap().detect_multiplier, Some(9));
        // After the final `exit`, `profile` is no top-level command.
        assert!(OspfdConf::parse("bfd\n profile a\n exit\nexit\nprofile b\n").is_err());
    }
}

#[cfg(test)]
mod virtual_link_tests {
    use super::*;

    fn router(text: &str) -> RouterConf {
        OspfdConf::parse(text).unwrap().router.unwrap()
    }

    fn err(text: &str) -> String {
        OspfdConf::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn frr_written_virtual_link_lines_are_merged_per_endpoint() {
        // As FRR 8.4 writes a virtual link with timers and MD5 (one line per aspect).
        let r = router(
            "router ospf\n \
             area 0.0.0.1 virtual-link 10.0.0.3 hello-interval 2 retransmit-interval 5 transmit-delay 1 dead-interval 8\n \
             area 0.0.0.1 virtual-link 10.0.0.3 authentication message-digest\n \
             area 0.0.0.1 virtual-link 10.0.0.3 message-digest-key 1 md5 s3cret\n \
             area 1 virtual-link 10.0.0.9\n \
             area 2 virtual-link 10.0.0.3 authentication-key abc\n",
        );
        assert_eq!(r.virtual_links.len(), 3);
        let v = &r.virtual_links[0];
        assert_eq!(
            (v.area, v.peer, v.line),
            ("0.0.0.1".parse().unwrap(), "10.0.0.3".parse().unwrap(), 2)
        );
        assert_eq!(
            (
                v.hello_interval,
                v.retransmit_interval,
                v.transmit_delay,
                v.dead_interval
            ),
            (Some(2), Some(5), Some(1), Some(8))
        );
        assert_eq!(v.authentication, Some(AuthMode::MessageDigest));
        assert_eq!(v.digest_keys.len(), 1);
        assert_eq!(
            (v.digest_keys[0].id, v.digest_keys[0].key.as_str()),
            (1, "s3cret")
        );
        let w = &r.virtual_links[1];
        assert_eq!(w.peer, "10.0.0.9".parse::<Ipv4Addr>().unwrap());
        assert_eq!((w.hello_interval, w.authentication), (None, None));
        let s = &r.virtual_links[2];
        assert_eq!(s.area, "0.0.0.2".parse::<Ipv4Addr>().unwrap());
        assert_eq!(s.authentication_key.as_deref(), Some("abc"));
        // The other forms of FRR's grammar.
        let r = router(
            "router ospf\n area 1 virtual-link 10.0.0.3 dead-interval 12 hello-interval 3\n \
             area 1 virtual-link 10.0.0.3 authentication null\n \
             area 1 virtual-link 10.0.0.4 authentication\n \
             area 1 virtual-link 10.0.0.5 authentication message-digest message-digest-key 2 md5 k\n",
        );
        let v = &r.virtual_links;
        assert_eq!(
            (v[0].hello_interval, v[0].dead_interval),
            (Some(3), Some(12))
        );
        assert_eq!(v[0].authentication, Some(AuthMode::Null));
        assert_eq!(v[1].authentication, Some(AuthMode::Simple));
        assert_eq!(v[2].authentication, Some(AuthMode::MessageDigest));
        assert_eq!(v[2].digest_keys[0].id, 2);
    }

    #[test]
    fn rfc2328_15_transit_area_errors_name_the_line() {
        assert!(err("router ospf\n area 0 virtual-link 10.0.0.3\n").starts_with("line 2: "));
        assert!(err("router ospf\n area 0 virtual-link 10.0.0.3\n").contains("backbone"));
        // A stub or NSSA transit area, whichever line comes first.
        let e = err("router ospf\n area 1 stub\n area 1 virtual-link 10.0.0.3\n");
        assert!(e.starts_with("line 3: ") && e.contains("stub"), "{e}");
        let e = err("router ospf\n area 1 virtual-link 10.0.0.3\n area 1 nssa\n");
        assert!(e.starts_with("line 3: ") && e.contains("stub"), "{e}");
        for (text, line) in [
            ("router ospf\n area 1 virtual-link\n", 2),
            ("router ospf\n area 1 virtual-link 10.0.0\n", 2),
            (
                "router ospf\n area 1 virtual-link 10.0.0.3 hello-interval 0\n",
                2,
            ),
            (
                "router ospf\n area 1 virtual-link 10.0.0.3 hello-interval 2 hello-interval 3\n",
                2,
            ),
            (
                "router ospf\n area 1 virtual-link 10.0.0.3 hello-interval\n",
                2,
            ),
            (
                "router ospf\n area 1 virtual-link 10.0.0.3 retransmit-window 100\n",
                2,
            ),
            (
                "router ospf\n area 1 virtual-link 10.0.0.3 authentication-key 123456789\n",
                2,
            ),
            (
                "router ospf\n area 1 virtual-link 10.0.0.3 message-digest-key 1 sha1 k\n",
                2,
            ),
            (
                "router ospf\n area 1 virtual-link 10.0.0.3 message-digest-key 1 md5 k extra\n",
                2,
            ),
            (
                "router ospf\n area 1 virtual-link 10.0.0.3 authentication hello-interval 2\n",
                2,
            ),
        ] {
            let e = err(text);
            assert!(e.starts_with(&format!("line {line}: ")), "{text:?}: {e}");
        }
    }
}
