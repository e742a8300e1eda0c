//! `ospf-rsd`: an OSPFv2 daemon for Linux that reads a Quagga/FRR `ospfd.conf`.
//!
//! ```text
//! ospf-rsd [-f CONFIG] [--control PATH] [--fib kernel|none] [--resilient BUCKETS]
//!          [--table N] [--metrics ADDR:PORT] [--check]
//! ```
//!
//! * `-f CONFIG`: the configuration (default `/etc/frr/ospfd.conf`).
//! * `--control PATH` (or `--socket PATH`, as the example daemons spell it): control socket
//!   for `ospfctl` (default [`DEFAULT_SOCKET`], shared with every daemon of the project;
//!   `--control none`: no control socket).
//! * `--fib kernel` (default) installs routes with nexthop objects; `--fib none` installs
//!   nothing (an anycast server that only announces).
//! * `--resilient BUCKETS`: resilient nexthop groups with that many buckets.
//! * `--table N`: kernel routing table (default 254, `main`).
//! * `--metrics ADDR:PORT`: serve Prometheus metrics on `http://ADDR:PORT/metrics`.
//! * `--check`: read and check the configuration, then exit.
//!
//! Under systemd (`Type=notify`), `READY=1` follows the first route calculation (with
//! `--fib none`: the first Full adjacency), and `WATCHDOG=1` every half `WatchdogSec=`.
//!
//! SIGINT or SIGTERM: our LSAs are flushed, then our routes removed, then the daemon
//! exits. Needs CAP_NET_RAW and CAP_NET_ADMIN only.

use std::process::ExitCode;

use ospf_std::api::Builder;
use ospf_std::conf::OspfdConf;
use ospf_std::fib::{KernelFibConfig, NoopFib, Resilient};
use ospf_std::presets::DEFAULT_SOCKET;

struct Args {
    config: String,
    control: Option<String>,
    kernel_fib: bool,
    resilient: Option<u16>,
    table: u32,
    metrics: Option<std::net::SocketAddr>,
    check: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        config: "/etc/frr/ospfd.conf".into(),
        control: Some(DEFAULT_SOCKET.into()),
        kernel_fib: true,
        resilient: None,
        table: 254,
        metrics: None,
        check: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-f" | "--config" => a.config = value("-f")?,
            "--control" | "--socket" => {
                a.control = Some(value("--control")?).filter(|p| p != "none")
            }
            "--fib" => {
                a.kernel_fib = match value("--fib")?.as_str() {
                    "kernel" => true,
                    "none" => false,
                    other => return Err(format!("--fib kernel|none, not `{other}`")),
                }
            }
            "--resilient" => {
                let v = value("--resilient")?;
                a.resilient = Some(v.parse().map_err(|_| format!("bad bucket count `{v}`"))?);
            }
            "--table" => {
                let v = value("--table")?;
                a.table = v.parse().map_err(|_| format!("bad table `{v}`"))?;
            }
            "--metrics" => {
                let v = value("--metrics")?;
                a.metrics = Some(v.parse().map_err(|_| format!("bad ADDR:PORT `{v}`"))?);
            }
            "--check" => a.check = true,
            "-h" | "--help" => {
                return Err("usage: ospf-rsd [-f CONFIG] [--control PATH] [--fib kernel|none] [--resilient BUCKETS] [--table N] [--metrics ADDR:PORT] [--check]".into());
            }
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ospf-rsd: {e}");
            return ExitCode::from(2);
        }
    };
    let conf = match OspfdConf::from_file(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ospf-rsd: {}: {e}", args.config);
            return ExitCode::from(2);
        }
    };
    if args.check {
        println!("{}: configuration OK", args.config);
        return ExitCode::SUCCESS;
    }
    if let Err(e) = ospf_std::logging::init(&conf.log) {
        eprintln!("ospf-rsd: log: {e}");
        return ExitCode::from(2);
    }
    // The same defaults as every daemon of the project (ospf_std::presets): fast
    // failover timers, signals handled, the same control socket.
    let mut builder = Builder::router()
        .config(conf)
        .control_socket(args.control.map(Into::into))
        .state_dir(Some(ospf_std::presets::DEFAULT_STATE_DIR.into()))
        .handle_signals(true);
    if args.kernel_fib {
        builder = builder.kernel_fib(KernelFibConfig {
            table: args.table,
            resilient: args.resilient.map(|buckets| Resilient {
                buckets,
                ..Default::default()
            }),
            ..Default::default()
        });
    } else {
        builder = builder.fib(NoopFib);
    }
    let result = builder.build().and_then(|mut rt| {
        #[cfg(feature = "metrics")]
        let _metrics = match args.metrics {
            Some(addr) => Some(ospf_std::metrics::serve(addr, rt.handle())?),
            None => None,
        };
        #[cfg(not(feature = "metrics"))]
        if args.metrics.is_some() {
            eprintln!("ospf-rsd: built without the `metrics` feature: --metrics ignored");
        }
        // Under systemd (Type=notify): ready after the first route calculation, or for
        // an announcing-only daemon (`--fib none`) once an adjacency is Full.
        #[cfg(feature = "systemd")]
        let _notifier = ospf_std::systemd::notify_when_ready(
            rt.handle(),
            if args.kernel_fib {
                ospf_std::systemd::Readiness::FirstRouteCalculation
            } else {
                ospf_std::systemd::Readiness::FirstFullAdjacency
            },
        )?;
        rt.run()
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ospf-rsd: {e}");
            ExitCode::FAILURE
        }
    }
}
