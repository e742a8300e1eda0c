//! The command lines of the packaged programs (`server-speaker`, `ecmp-router`,
//! `ospfctl`), kept in the library so that their manual pages ([`crate::man`]) are
//! generated from the very definitions the programs parse.

use std::path::PathBuf;

use clap::Parser;
use ospf_std::presets::DEFAULT_SOCKET;

use crate::daemon::DaemonArgs;
use crate::health::HealthArgs;

/// Options of `server-speaker`.
#[derive(Debug, Parser)]
#[command(
    name = "server-speaker",
    version,
    about = "OSPF speaker for an anycast server (announces its loopback /32 while healthy)",
    long_about = "OSPF speaker for an anycast server. It reads an ospfd.conf (Quagga/FRR \
dialect), forms adjacencies on the networks it names and announces the loopback addresses \
it matches (e.g. network 172.16.0.1/32 area 0) as host stub links of cost 0 in its \
Router-LSA, while every configured health check passes. A failing service is withdrawn \
after --check-fall failed probes and announced again after --check-rise good ones. \
With --service (or anycast-service blocks in the file) each service address has its own \
checks: a failing one is withdrawn, or with --on-failure degrade announced at \
--degrade-cost, and the last server standing keeps it rather than black-holing it. \
SIGUSR1 runs every check at once. On SIGTERM it drains: it flushes its LSAs, waits until the router acknowledged the flush \
(at most --drain-timeout), then exits. It installs no routes. It runs in the foreground \
and logs to standard error."
)]
pub struct SpeakerArgs {
    /// Options shared by the daemons.
    #[command(flatten)]
    pub daemon: DaemonArgs,
    /// Milliseconds to wait for the router to acknowledge the flush at shutdown.
    #[arg(long = "drain-timeout", value_name = "MS", default_value_t = 2000)]
    pub drain_timeout: u64,
    /// Health checks.
    #[command(flatten)]
    pub health: HealthArgs,
}

/// Options of `ecmp-router`.
#[derive(Debug, Parser)]
#[command(
    name = "ecmp-router",
    version,
    about = "OSPF router installing ECMP routes (resilient nexthop groups) in the kernel",
    long_about = "OSPF router for the front of an anycast service. It reads an ospfd.conf \
(Quagga/FRR dialect; IOS wildcard network lines accepted), computes the routing table with \
equal-cost multipath and installs it in the kernel with nexthop objects and groups, \
resilient by default so that a server that leaves moves only its own flows. On SIGTERM it \
flushes its LSAs, removes its routes and exits. It runs in the foreground and logs to \
standard error."
)]
pub struct RouterArgs {
    /// Options shared by the daemons.
    #[command(flatten)]
    pub daemon: DaemonArgs,
    /// Hash-threshold groups instead of resilient ones (flows of every server may move
    /// when one leaves).
    #[arg(long = "no-resilient")]
    pub no_resilient: bool,
    /// Buckets of a resilient group.
    #[arg(long, default_value_t = 128)]
    pub buckets: u16,
    /// Idle timer of a resilient group, in seconds: after a server joins (or comes back)
    /// the group is unbalanced, and the kernel moves to it only buckets that carried no
    /// packet for this long. A short timer balances sooner but moves flows of connections
    /// that were merely quiet for that long (a keep-alive connection idle for 2 s breaks
    /// with `--idle-timer 1`); the default, 120 s, is the kernel's: only connections
    /// quiet for two minutes can move.
    #[arg(long = "idle-timer", value_name = "SECS", default_value_t = 120,
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub idle_timer: u32,
    /// Kernel routing table.
    #[arg(long, default_value_t = 254)]
    pub table: u32,
}

/// The commands of `ospfctl` (its `--help` and manual page list them).
pub const CTL_COMMANDS: &[(&str, &str)] = &[
    (
        "show ip ospf neighbor [--json]",
        "The neighbors: router ID, priority, state, dead time, address, interface.",
    ),
    (
        "show ip ospf interface [--json]",
        "The OSPF interfaces: state, DR and BDR, timers, neighbor and adjacency counts.",
    ),
    (
        "show ip ospf database [--json]",
        "The link-state database by area and LSA type.",
    ),
    (
        "show ip ospf route [--json]",
        "The OSPF routing table (networks, routers, external routes).",
    ),
    (
        "show ip route ospf [--json]",
        "The routes as installed, with their next hops.",
    ),
    (
        "show bfd peers [--json]",
        "The BFD sessions and their state.",
    ),
    (
        "watch [--json]",
        "Streams events (neighbor, interface and route changes, health, announcements, \
reloads), one line each, until interrupted.",
    ),
    (
        "announce A.B.C.D[/M] [metric N]",
        "Announces a prefix (a host stub for /32) until withdrawn.",
    ),
    ("withdraw A.B.C.D[/M]", "Withdraws an announced prefix."),
    (
        "health up|down",
        "Sets the service health by hand: down withdraws the anycast addresses.",
    ),
    (
        "drain | undrain",
        "Withdraws everything gracefully (and waits for the router), or undoes it.",
    ),
    (
        "[no] max-metric router-lsa administrative",
        "Stub router (RFC 6987): transit links at the maximum metric, or back to normal.",
    ),
    (
        "reload",
        "Reads the configuration file again and applies what changed.",
    ),
    ("shutdown", "Stops the daemon gracefully, as SIGTERM does."),
];

/// Options of `ospfctl`.
#[derive(Debug, Parser)]
#[command(
    name = "ospfctl",
    version,
    about = "Query and control a server-speaker, ecmp-router or ospf-rsd",
    long_about = "Query and control a running server-speaker, ecmp-router or ospf-rsd over \
its control socket (a Unix socket). The show commands print the layout of FRR's vtysh; with \
--json their output has the keys and nesting of FRR 8.4's JSON, so scripts written for FRR \
read it.",
    after_help = "Commands: show ip ospf neighbor|database|interface|route [--json], show ip route ospf [--json], show bfd peers [--json], watch [--json], announce A.B.C.D[/M] [metric N], withdraw A.B.C.D[/M], health up|down, drain [SERVICE|all], undrain [SERVICE|all], service NAME health up|down, recheck, show anycast services [--json], show ip ospf graceful-restart [helper] [--json], graceful-restart prepare ip ospf, [no] max-metric router-lsa administrative, reload, shutdown"
)]
pub struct CtlArgs {
    /// The daemon's control socket.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_SOCKET)]
    pub socket: PathBuf,
    /// JSON output (also accepted as a trailing `json` word).
    #[arg(long)]
    pub json: bool,
    /// The command, e.g. `show ip ospf neighbor`.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}
