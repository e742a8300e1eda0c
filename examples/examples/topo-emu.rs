//! `topo-emu`: plays a generated OSPF area to a router under test (issue 13).
//!
//! ```text
//! topo-emu stats [--routers N] [--externals M] [--gateways K] [--seed S]
//! topo-emu run --ifname g0 [--ifname g1 ...] [--routers N] [--externals M] [--seed S]
//!              [--change-after SECS] [--duration SECS]
//! ```
//!
//! `stats` prints what the seed generates: LSAs, the routes the router under test should
//! compute, how many have several next hops, the router deepest in the area and the metric
//! change there that moves a route. `run` speaks as the emulated gateways on the given
//! interfaces of the current network namespace (gateway `k` on the `k`-th `--ifname`, which
//! must hold `10.254.k.2/24`; the router under test is `10.254.k.1`, router ID 10.0.0.1,
//! point-to-point, hello 1, dead 40) and prints every adjacency event with its time since
//! start; `--change-after` floods that metric change once and prints when. Root (raw
//! sockets). See `ospf_std::emulator` and `cargo bench -p ospf-benches --bench peers`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use ospf_std::emulator::topology::gateway_addr;
use ospf_std::emulator::{Speaker, SpeakerConfig, Topology, TopologySpec};
use ospf_std::socket::OspfSocket;

#[derive(Debug, Parser)]
#[command(about = "Plays a generated OSPF area to a router under test")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Args)]
struct Gen {
    /// Emulated routers (links: 4 per router; one LAN per 50 routers).
    #[arg(long, default_value_t = 1000)]
    routers: usize,
    /// AS-external LSAs.
    #[arg(long, default_value_t = 0)]
    externals: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Prints what the seed generates.
    Stats {
        #[command(flatten)]
        gen_args: Gen,
        /// Gateways (adjacencies with the router under test).
        #[arg(long, default_value_t = 2)]
        gateways: usize,
    },
    /// Speaks as the gateways on these interfaces.
    Run {
        #[command(flatten)]
        gen_args: Gen,
        /// Interface of gateway k (repeat, in order).
        #[arg(long = "ifname", required = true)]
        ifnames: Vec<String>,
        /// Floods the deep metric change this many seconds after start.
        #[arg(long)]
        change_after: Option<u64>,
        /// Stops after this many seconds (default: run until killed).
        #[arg(long)]
        duration: Option<u64>,
    },
}

fn generate(g: &Gen, gateways: usize) -> Result<Topology, String> {
    let spec = TopologySpec::new(g.routers, g.externals)
        .gateways(gateways)
        .seed(g.seed);
    Topology::generate(spec).map_err(|e| e.to_string())
}

fn ifindex(name: &str) -> Result<u32, String> {
    nix::net::if_::if_nametoindex(name).map_err(|e| format!("interface {name}: {e}"))
}

fn run() -> Result<(), String> {
    match Cli::parse().cmd {
        Cmd::Stats { gen_args, gateways } => {
            let t = generate(&gen_args, gateways)?;
            let (routes, reached) = t.expected_routes();
            let ecmp = routes.values().filter(|nh| nh.len() > 1).count();
            println!(
                "{} routers ({reached} reached), {} p2p links, {} LSAs, {} routes ({ecmp} with several next hops)",
                gen_args.routers,
                t.p2p_links(),
                t.lsas().len(),
                routes.len()
            );
            let (deep, hops) = t.deepest_router();
            println!("deepest router: {deep} ({hops} hops from gateway 0)");
            match t.deep_metric_change(1000) {
                Some(((r, to, old), moved)) => println!(
                    "deep change: router {r}'s link to {to}, cost {old} -> 1000, moves {} routes (first {}/{})",
                    moved.len(),
                    moved[0].0.addr(),
                    moved[0].0.prefix_len()
                ),
                None => println!("no single metric change moves a route (one gateway?)"),
            }
            Ok(())
        }
        Cmd::Run {
            gen_args,
            ifnames,
            change_after,
            duration,
        } => {
            let mut t = generate(&gen_args, ifnames.len())?;
            let change = t.deep_metric_change(1000);
            let sockets = ifnames
                .iter()
                .enumerate()
                .map(|(k, n)| {
                    OspfSocket::open(n, ifindex(n)?, gateway_addr(k)).map_err(|e| e.to_string())
                })
                .collect::<Result<Vec<_>, String>>()?;
            let speaker =
                Speaker::spawn(&t, sockets, SpeakerConfig::default()).map_err(|e| e.to_string())?;
            let start = Instant::now();
            println!("speaking for {} LSAs", t.lsas().len());
            let mut changed = false;
            loop {
                if let Some(e) = speaker.wait_event(Duration::from_millis(100), |_| true) {
                    println!("{:>10.3} s  {e:?}", start.elapsed().as_secs_f64());
                }
                let secs = start.elapsed().as_secs();
                if !changed && change_after.is_some_and(|c| secs >= c) {
                    changed = true;
                    let picked = change.as_ref().map(|((r, to, _), _)| (*r, *to));
                    if let Some((r, to, lsa)) = picked
                        .and_then(|(r, to)| t.set_link_metric(r, to, 1000).map(|l| (r, to, l)))
                    {
                        let at = speaker.flood(vec![lsa]).map_err(|e| e.to_string())?;
                        println!(
                            "{:>10.3} s  flooded: router {r}'s link to {to} at cost 1000",
                            at.duration_since(start).as_secs_f64()
                        );
                    }
                }
                if duration.is_some_and(|d| secs >= d) {
                    return speaker.stop().map_err(|e| e.to_string());
                }
            }
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("topo-emu: {e}");
            ExitCode::FAILURE
        }
    }
}
