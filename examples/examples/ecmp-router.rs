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

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ospf_std::api::Builder;
use ospf_std::fib::{KernelFibConfig, Resilient};
use ospf_std::presets::{DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_SOCKET};

/// Options of the router.
#[derive(Debug, Parser)]
#[command(about = "OSPF router installing ECMP routes (resilient nexthop groups) in the kernel")]
struct Args {
    /// The ospfd.conf (FRR dialect; IOS wildcard `network` lines accepted).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: PathBuf,
    /// Control socket for ospfctl.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_SOCKET)]
    socket: PathBuf,
    /// Serve Prometheus metrics on http://ADDR:PORT/metrics.
    #[arg(long, value_name = "ADDR:PORT")]
    metrics: Option<std::net::SocketAddr>,
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
    /// Sub-second Hellos: N a second with a dead interval of 1 s.
    #[arg(long = "fast-hello", value_name = "N", value_parser = clap::value_parser!(u8).range(1..=20))]
    fast_hello: Option<u8>,
    /// RFC 2328 LSA timers (MinLSInterval 5 s, MinLSArrival 1 s) instead of the fast ones.
    #[arg(long = "rfc-timers")]
    rfc_timers: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let builder = match Builder::router().config_file(&args.config) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("ecmp-router: {}: {e}", args.config.display());
            return ExitCode::from(2);
        }
    };
    let _ = ospf_std::logging::init_stderr(builder.conf());
    let fib = KernelFibConfig {
        table: args.table,
        resilient: (!args.no_resilient).then(|| Resilient {
            buckets: args.buckets.max(2),
            idle_timer: Duration::from_secs(args.idle_timer.into()),
            ..Resilient::default()
        }),
        ..KernelFibConfig::default()
    };
    let built = builder
        .kernel_fib(fib)
        .control_socket(Some(args.socket.clone()))
        .fast_hello(args.fast_hello)
        .rfc_timers(args.rfc_timers)
        .shutdown_timeout(DEFAULT_SHUTDOWN_TIMEOUT)
        .handle_signals(true)
        .build();
    let mut runtime = match built {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ecmp-router: {e}");
            return ExitCode::from(1);
        }
    };
    // The endpoint runs on its own thread and asks the runtime through a handle.
    let _metrics = match args
        .metrics
        .map(|a| ospf_std::metrics::serve(a, runtime.handle()))
    {
        Some(Err(e)) => {
            eprintln!("ecmp-router: --metrics: {e}");
            return ExitCode::from(1);
        }
        other => other.and_then(Result::ok),
    };
    // Under systemd (Type=notify): READY=1 when useful, WATCHDOG=1 while alive.
    let readiness = ospf_std::systemd::Readiness::FirstRouteCalculation;
    // Dropped after run() returns: STOPPING=1.
    let _notifier = ospf_std::systemd::notify_when_ready(runtime.handle(), readiness)
        .unwrap_or_else(|e| {
            eprintln!("sd_notify: {e}");
            None
        });
    match runtime.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ecmp-router: {e}");
            ExitCode::from(1)
        }
    }
}
