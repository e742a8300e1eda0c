//! The anycast server's OSPF speaker: announces the loopback addresses of its
//! `ospfd.conf` (e.g. 172.16.0.1/32) as host stubs while the service's health checks pass,
//! and drains gracefully on SIGTERM. Several services, each with its own checks:
//! `--service web@172.16.0.1/32=http://127.0.0.1/ --service dns@172.16.0.2/32=dns:example.com@127.0.0.1`.
//! SIGUSR1 runs every check at once. Runs in the foreground and logs to stderr.
//!
//! ```text
//! cargo run --example server-speaker -- --config /etc/ospfd.conf \
//!     --check-http http://127.0.0.1/ --check-interval 200 --check-fall 2 --check-rise 2
//! ```
//!
//! The daemon is [`ospf_std::api::Builder::speaker`] with the shared defaults of
//! [`ospf_std::presets`]; the health checks ([`ospf_std::health`]) run inside it. Needs CAP_NET_RAW. `ospfctl --socket PATH show ip ospf neighbor`
//! queries it.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ospf_examples::args::SpeakerArgs;
use ospf_examples::daemon;
use ospf_std::api::Builder;
use ospf_std::systemd::Readiness;

fn main() -> ExitCode {
    let args = SpeakerArgs::parse();
    let builder = match args.daemon.builder(Builder::speaker()) {
        Ok(b) => b.shutdown_timeout(Duration::from_millis(args.drain_timeout)),
        Err(e) => {
            eprintln!("server-speaker: {e}");
            return ExitCode::from(2);
        }
    };
    let builder = match args.health.checker() {
        Some(checker) => builder.health_checks(checker),
        None => builder,
    };
    let builder = match args.health.services() {
        Ok(services) => services.into_iter().fold(builder, Builder::service),
        Err(e) => {
            eprintln!("server-speaker: --service: {e}");
            return ExitCode::from(2);
        }
    };
    daemon::run(
        "server-speaker",
        &args.daemon,
        builder,
        Readiness::FirstFullAdjacency,
    )
}
