//! The seed's anycast topology in the simulator: three servers announce 172.16.0.1/32,
//! a router computes three equal-cost paths; then a graceful drain, a crash, a failed
//! health check and a recovery, in virtual time. No root, no network.
//!
//! ```text
//! cargo run --release --example anycast-demo
//! ```

use clap::Parser;
use ospf_examples::demo::{DemoConfig, run};

/// Options of the demo.
#[derive(Debug, Parser)]
#[command(about = "The anycast seed topology in the simulator, in virtual time")]
struct Args {
    /// Hello interval on the server LAN, s.
    #[arg(long, default_value_t = 1)]
    hello: u16,
    /// Dead interval on the server LAN, s.
    #[arg(long, default_value_t = 4)]
    dead: u32,
    /// Milliseconds between health checks.
    #[arg(long = "check-interval", default_value_t = 200)]
    check_interval: u64,
    /// Failed checks before the anycast prefix is withdrawn.
    #[arg(long = "check-fall", default_value_t = 2)]
    fall: u32,
    /// Good checks before it is announced again.
    #[arg(long = "check-rise", default_value_t = 2)]
    rise: u32,
    /// Seed of the simulation.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() {
    let a = Args::parse();
    let cfg = DemoConfig {
        hello: a.hello.max(1),
        dead: a.dead.max(1),
        check_interval_ms: a.check_interval.max(1),
        fall: a.fall.max(1),
        rise: a.rise.max(1),
        seed: a.seed,
    };
    let report = run(&cfg, &mut std::io::stdout());
    if report.initial_paths != 3 {
        std::process::exit(1);
    }
}
