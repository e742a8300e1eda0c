//! The anycast router: OSPF with equal-cost multipath routes installed in the kernel
//! through nexthop groups, resilient by default (a server that leaves moves only its own
//! flows). Takes `router ospf 1` and IOS `network 10.0.0.0 0.0.0.255 area 0` lines as well
//! as the FRR forms.
//!
//! ```text
//! cargo run --example ecmp-router -- --config /etc/ospfd.conf
//! ```
//!
//! The daemon is [`ospf_std::api::Builder::router`] (a kernel FIB) with the shared
//! defaults of [`ospf_std::presets`]. Needs CAP_NET_RAW and CAP_NET_ADMIN. `ospfctl --socket PATH show ip route ospf`
//! queries it.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ospf_examples::daemon::{self, DaemonArgs};
use ospf_std::api::Builder;
use ospf_std::fib::{KernelFibConfig, Resilient};
use ospf_std::presets::DEFAULT_SHUTDOWN_TIMEOUT;
use ospf_std::systemd::Readiness;

/// Options of the router.
#[derive(Debug, Parser)]
#[command(about = "OSPF router installing ECMP routes (resilient nexthop groups) in the kernel")]
struct Args {
    #[command(flatten)]
    daemon: DaemonArgs,
    /// Hash-threshold groups instead of resilient ones (flows of every server may move
    /// when one leaves).
    #[arg(long = "no-resilient")]
    no_resilient: bool,
    /// Buckets of a resilient group.
    #[arg(long, default_value_t = 128)]
    buckets: u16,
    /// Idle timer of a resilient group, in seconds: after a server joins (or comes back)
    /// the group is unbalanced, and the kernel moves to it only buckets that carried no
    /// packet for this long. A short timer balances sooner but moves flows of connections
    /// that were merely quiet for that long (a keep-alive connection idle for 2 s breaks
    /// with `--idle-timer 1`); the default, 120 s, is the kernel's: only connections
    /// quiet for two minutes can move.
    #[arg(long = "idle-timer", value_name = "SECS", default_value_t = 120,
          value_parser = clap::value_parser!(u32).range(1..=3600))]
    idle_timer: u32,
    /// Kernel routing table.
    #[arg(long, default_value_t = 254)]
    table: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let builder = match args.daemon.builder(Builder::router()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("ecmp-router: {e}");
            return ExitCode::from(2);
        }
    };
    let fib = KernelFibConfig {
        table: args.table,
        resilient: (!args.no_resilient).then(|| Resilient {
            buckets: args.buckets.max(2),
            idle_timer: Duration::from_secs(args.idle_timer.into()),
            ..Resilient::default()
        }),
        ..KernelFibConfig::default()
    };
    let builder = builder
        .kernel_fib(fib)
        .shutdown_timeout(DEFAULT_SHUTDOWN_TIMEOUT);
    daemon::run(
        "ecmp-router",
        &args.daemon,
        builder,
        Readiness::FirstRouteCalculation,
    )
}
