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
use ospf_examples::args::RouterArgs;
use ospf_examples::daemon;
use ospf_std::api::Builder;
use ospf_std::fib::{KernelFibConfig, Resilient};
use ospf_std::presets::DEFAULT_SHUTDOWN_TIMEOUT;
use ospf_std::systemd::Readiness;

fn main() -> ExitCode {
    let args = RouterArgs::parse();
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
