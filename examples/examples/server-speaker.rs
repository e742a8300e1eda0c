//! The anycast server's OSPF speaker: announces the loopback addresses of its
//! `ospfd.conf` (e.g. 172.16.0.1/32) as host stubs while the service's health checks pass,
//! and drains gracefully on SIGTERM. Runs in the foreground and logs to stderr.
//!
//! ```text
//! cargo run --example server-speaker -- --config /etc/ospfd.conf \
//!     --check-http http://127.0.0.1/ --check-interval 200 --check-fall 2 --check-rise 2
//! ```
//!
//! The daemon is [`ospf_std::api::Builder::speaker`] with the shared defaults of
//! [`ospf_std::presets`]; the health checks ([`ospf_std::health`]) run inside it. Needs CAP_NET_RAW. `ospfctl --socket PATH show ip ospf neighbor`
//! queries it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ospf_examples::health::HealthArgs;
use ospf_std::api::Builder;
use ospf_std::presets::DEFAULT_SOCKET;

/// Options of the speaker.
#[derive(Debug, Parser)]
#[command(about = "OSPF speaker for an anycast server (announces its loopback /32 while healthy)")]
struct Args {
    /// The ospfd.conf (Quagga/FRR dialect).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: PathBuf,
    /// Control socket for ospfctl.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_SOCKET)]
    socket: PathBuf,
    /// Sub-second Hellos: N a second with a dead interval of 1 s (FRR's `dead-interval
    /// minimal hello-multiplier N`); every router on the segment must agree.
    #[arg(long = "fast-hello", value_name = "N", value_parser = clap::value_parser!(u8).range(1..=20))]
    fast_hello: Option<u8>,
    /// RFC 2328 LSA timers (MinLSInterval 5 s, MinLSArrival 1 s) instead of the fast ones.
    #[arg(long = "rfc-timers")]
    rfc_timers: bool,
    /// Milliseconds to wait for the router to acknowledge the flush at shutdown.
    #[arg(long = "drain-timeout", value_name = "MS", default_value_t = 2000)]
    drain_timeout: u64,
    #[command(flatten)]
    health: HealthArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let builder = match Builder::speaker().config_file(&args.config) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("server-speaker: {}: {e}", args.config.display());
            return ExitCode::from(2);
        }
    };
    let _ = ospf_std::logging::init_stderr(builder.conf());
    let built = builder
        .control_socket(Some(args.socket.clone()))
        .fast_hello(args.fast_hello)
        .rfc_timers(args.rfc_timers)
        .shutdown_timeout(Duration::from_millis(args.drain_timeout))
        .handle_signals(true);
    let built = match args.health.checker() {
        Some(checker) => built.health_checks(checker),
        None => built,
    }
    .build();
    let mut runtime = match built {
        Ok(r) => r,
        Err(e) => {
            eprintln!("server-speaker: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server-speaker: {e}");
            ExitCode::from(1)
        }
    }
}
