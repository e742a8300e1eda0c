//! Side by side with FRR and BIRD on the same generated networks (issue 13).
//!
//! For each topology (N emulated routers, 4N point-to-point links, N/50 LANs, M
//! AS-externals, two gateways; `ospf_std::emulator`) and each sample, ours (the `ospf-rsd`
//! daemon, built with this bench's profile), FRR (`zebra` + `ospfd`) and BIRD, one after
//! the other, each fresh in a namespace of its own, face the emulator over two
//! point-to-point veths and install routes in their kernel table. Measured per run:
//!
//! * `adjacency_to_routes` (ms): from the emulator's first Database Description (ExStart
//!   on gateway 0) to the moment the router's main table holds every expected route (the
//!   table's size read from `/proc/net/route` in its namespace every 5 ms, or every twice
//!   the time a read takes when the table is large);
//! * `change_to_kernel` (ms): after `PEERS_QUIET_SECS` (default 12) without change, one
//!   link's cost deep in the area goes to 1000 (a change picked so that a prefix moves
//!   from one gateway to the other); from the emulator's flood of the new Router-LSA to the
//!   rtnetlink notification of that prefix's new next hop (a route monitor in the router's
//!   namespace);
//! * `rss` (MB) of the router's processes once loaded, and `bytes_per_lsa`: the RSS growth
//!   from start to loaded over the number of LSAs;
//! * `cpu` (s): user + system CPU of the router's processes from start to loaded.
//!
//! Environment: `PEERS_TOPOLOGIES` (default `1000:0,1000:100000,10000:0`: routers:externals
//! pairs), `PEERS_SAMPLES` (default 3), `PEERS_IMPLS` (default `ours,frr,bird`),
//! `PEERS_QUIET_SECS`. Writes `target/peers/report.json` (one object per implementation ×
//! topology × metric: `impl`, `topology`, `metric`, `median`, `unit`, `samples`) and
//! `target/peers/report.md`, with the ratios ours/FRR and ours/BIRD of the same run (a
//! smoke run writes `target/peers-smoke/` instead, so it never replaces a bench's report).
//! Root, FRR and BIRD needed; otherwise it prints why and benches nothing. Without
//! `--bench` (`cargo test --all-targets`) it is a smoke test: 100 routers, 100 externals,
//! one sample, no quiet wait.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ospf_std::emulator::{SpeakerEvent, Topology, TopologySpec};
use ospf_testbed::peers::{Impl, Lab, Router};
use ospf_testbed::{RouteMonitor, require_root, require_tool};

const TIMEOUT: Duration = Duration::from_secs(300);

fn env_str(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `ospf-rsd` of this binary's profile: built afresh for `cargo bench` (release); for a
/// smoke run, the one `cargo test --all-targets` built beside this binary, built only if
/// missing (building it with `ospf-std`'s own features would rebuild half the workspace).
fn ospf_rsd(bench_mode: bool) -> io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| io::Error::other("no target directory"))?;
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let target = profile_dir
        .parent()
        .ok_or_else(|| io::Error::other("no target directory"))?;
    let path = profile_dir.join("ospf-rsd");
    if !bench_mode && path.exists() {
        return Ok(path);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.args([
        "build",
        "-q",
        "-p",
        "ospf-std",
        "--bin",
        "ospf-rsd",
        "--target-dir",
    ])
    .arg(target);
    if release {
        cmd.arg("--release");
    }
    let st = cmd.status()?;
    if !st.success() {
        return Err(io::Error::other("cargo build of ospf-rsd failed"));
    }
    Ok(path)
}

/// Lines of the namespace's `/proc/net/route` (the main table's IPv4 routes).
fn route_count(ns_name: &str) -> io::Result<usize> {
    let name = ns_name.to_owned();
    std::thread::spawn(move || -> io::Result<usize> {
        let _in = ospf_testbed::netns::enter_named(&name)?;
        Ok(fs::read_to_string("/proc/thread-self/net/route")?
            .lines()
            .count()
            .saturating_sub(1))
    })
    .join()
    .map_err(|_| io::Error::other("route count thread panicked"))?
}

/// Whether process `pid` has exited (gone, or a zombie).
fn exited(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| {
        s.rsplit_once(')')
            .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
    })
}

/// Waits until the namespace's main table holds at least `want` routes; returns the
/// start of the first read that saw them. Fails when one of `pids` exits meanwhile.
fn wait_routes(ns_name: &str, want: usize, timeout: Duration, pids: &[u32]) -> io::Result<Instant> {
    let name = ns_name.to_owned();
    let pids = pids.to_vec();
    std::thread::spawn(move || -> io::Result<Instant> {
        let _in = ospf_testbed::netns::enter_named(&name)?;
        let deadline = Instant::now() + timeout;
        let mut last = 0;
        loop {
            let t = Instant::now();
            let n = fs::read_to_string("/proc/thread-self/net/route")?
                .lines()
                .count()
                .saturating_sub(1);
            if n >= want {
                return Ok(t);
            }
            last = last.max(n);
            if let Some(pid) = pids.iter().find(|p| exited(**p)) {
                return Err(io::Error::other(format!(
                    "process {pid} exited with {last} routes of {want} in the table"
                )));
            }
            if Instant::now() > deadline {
                return Err(io::Error::other(format!(
                    "{last} routes of {want} after {timeout:?}"
                )));
            }
            let read = t.elapsed();
            std::thread::sleep((read * 2).max(Duration::from_millis(5)));
        }
    })
    .join()
    .map_err(|_| io::Error::other("route wait thread panicked"))?
}

/// (RSS bytes, CPU seconds) summed over `pids`.
fn usage(pids: &[u32]) -> (u64, f64) {
    let mut rss = 0;
    let mut cpu = 0.0;
    let tick = 100.0; // USER_HZ
    for pid in pids {
        if let Ok(s) = fs::read_to_string(format!("/proc/{pid}/status")) {
            rss += s
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                .unwrap_or(0)
                * 1024;
        }
        if let Ok(s) = fs::read_to_string(format!("/proc/{pid}/stat")) {
            // fields after the command's closing parenthesis: utime is the 12th, stime the 13th
            if let Some(rest) = s.rsplit_once(')').map(|(_, r)| r) {
                let f: Vec<&str> = rest.split_whitespace().collect();
                let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
                cpu += (t(11) + t(12)) / tick;
            }
        }
    }
    (rss, cpu)
}

#[derive(Debug, Default, Clone)]
struct Sample {
    adjacency_to_routes_ms: f64,
    change_to_kernel_ms: Option<f64>,
    rss_mb: f64,
    bytes_per_lsa: f64,
    cpu_s: f64,
}

fn one_run(
    which: Impl,
    topology: &Topology,
    expected: usize,
    change: Option<&((usize, usize, u16), String)>,
    quiet: Duration,
    rsd: &Path,
) -> io::Result<Sample> {
    let lab = Lab::new(&format!("pb{}", which.name()), topology.clone())?;
    let base = route_count(lab.rut.name())?;
    let router = match which {
        Impl::Ours => lab.start_ours_process(rsd)?,
        other => lab.start(other)?,
    };
    let pids = router.pids();
    // Each starts small; wait a moment for its own start-up to finish.
    std::thread::sleep(Duration::from_millis(300));
    let (rss0, _) = usage(&pids);
    let start = lab
        .speaker
        .wait_event(Duration::from_secs(60), |e| {
            matches!(e, SpeakerEvent::ExStart { gateway: 0, .. })
        })
        .and_then(|e| match e {
            SpeakerEvent::ExStart { at, .. } => Some(at),
            _ => None,
        })
        .ok_or_else(|| io::Error::other(format!("{}: no adjacency", which.name())))?;
    let done = wait_routes(lab.rut.name(), base + expected, TIMEOUT, &pids)?;
    let (rss, cpu) = usage(&pids);
    let lsas = topology.lsas().len() as f64;
    let mut s = Sample {
        adjacency_to_routes_ms: done.saturating_duration_since(start).as_secs_f64() * 1e3,
        change_to_kernel_ms: None,
        rss_mb: rss as f64 / 1e6,
        bytes_per_lsa: rss.saturating_sub(rss0) as f64 / lsas,
        cpu_s: cpu,
    };
    if let Some(((r, to, _), witness)) = change {
        std::thread::sleep(quiet);
        let mon = RouteMonitor::start(&lab.rut, witness)?;
        let before = mon.gateways();
        let mut lab = lab;
        let lsa = lab
            .topology
            .set_link_metric(*r, *to, 1000)
            .ok_or_else(|| io::Error::other("no such link"))?;
        let t0 = lab.speaker.flood(vec![lsa])?;
        let c = mon.wait_change(t0, Duration::from_secs(30), |g| {
            *g != before && !g.is_empty()
        })?;
        s.change_to_kernel_ms = Some(c.at.saturating_duration_since(t0).as_secs_f64() * 1e3);
    }
    stop(router);
    Ok(s)
}

/// Stops the router (its guards kill it by pid) before its namespaces go.
fn stop(router: Router) {
    drop(router);
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let test = "peers bench";
    if !(require_root(test, "network namespaces and raw sockets")
        && require_tool(test, "frr")
        && require_tool(test, "bird"))
    {
        return;
    }
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let topologies = env_str(
        "PEERS_TOPOLOGIES",
        if bench_mode {
            "1000:0,1000:100000,10000:0"
        } else {
            "100:100"
        },
    );
    let samples = env_num("PEERS_SAMPLES", if bench_mode { 3 } else { 1 }).max(1) as usize;
    let quiet = Duration::from_secs(env_num("PEERS_QUIET_SECS", if bench_mode { 12 } else { 0 }));
    let impls: Vec<Impl> = env_str("PEERS_IMPLS", "ours,frr,bird")
        .split(',')
        .filter_map(|s| match s.trim() {
            "ours" => Some(Impl::Ours),
            "frr" => Some(Impl::Frr),
            "bird" => Some(Impl::Bird),
            _ => None,
        })
        .collect();
    let rsd = ospf_rsd(bench_mode).expect("ospf-rsd");
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("peers: load average at start {}", load.trim());
    // (impl, topology, metric) -> samples
    let mut results: BTreeMap<(String, String, &'static str), Vec<f64>> = BTreeMap::new();
    let mut names = Vec::new();
    for t in topologies.split(',') {
        let Some((n, m)) = t.split_once(':') else {
            panic!("PEERS_TOPOLOGIES: routers:externals, not {t}");
        };
        let spec =
            TopologySpec::new(n.trim().parse().unwrap(), m.trim().parse().unwrap()).gateways(2);
        let topology = Topology::generate(spec).unwrap();
        let (routes, reached) = topology.expected_routes();
        assert_eq!(reached, spec.routers);
        let change = topology.deep_metric_change(1000).map(|(c, moved)| {
            let p = moved[0].0;
            (c, format!("{}/{}", p.addr(), p.prefix_len()))
        });
        let name = format!(
            "{}r/{}l/{}ext",
            spec.routers,
            topology.p2p_links(),
            spec.externals
        );
        println!(
            "peers/{name}: {} LSAs, {} routes, deepest router {:?}, change {:?}",
            topology.lsas().len(),
            routes.len(),
            topology.deepest_router(),
            change
        );
        names.push(name.clone());
        for i in 0..samples {
            for &which in &impls {
                match one_run(which, &topology, routes.len(), change.as_ref(), quiet, &rsd) {
                    Ok(s) => {
                        println!(
                            "peers/{name}/{} sample {i}: adjacency to routes {:.0} ms, change to kernel {} ms, RSS {:.1} MB, {:.0} B/LSA, CPU {:.2} s",
                            which.name(),
                            s.adjacency_to_routes_ms,
                            s.change_to_kernel_ms
                                .map_or("-".into(), |v| format!("{v:.2}")),
                            s.rss_mb,
                            s.bytes_per_lsa,
                            s.cpu_s
                        );
                        let key = |m| (which.name().to_owned(), name.clone(), m);
                        results
                            .entry(key("adjacency_to_routes"))
                            .or_default()
                            .push(s.adjacency_to_routes_ms);
                        if let Some(c) = s.change_to_kernel_ms {
                            results.entry(key("change_to_kernel")).or_default().push(c);
                        }
                        results.entry(key("rss")).or_default().push(s.rss_mb);
                        results
                            .entry(key("bytes_per_lsa"))
                            .or_default()
                            .push(s.bytes_per_lsa);
                        results.entry(key("cpu")).or_default().push(s.cpu_s);
                    }
                    // A smoke run (cargo test) must not pass on a failure.
                    Err(e) if !bench_mode => panic!("peers/{name}/{}: {e}", which.name()),
                    Err(e) => println!("peers/{name}/{} sample {i}: failed: {e}", which.name()),
                }
            }
        }
    }
    let unit = |m: &str| match m {
        "adjacency_to_routes" | "change_to_kernel" => "ms",
        "rss" => "MB",
        "bytes_per_lsa" => "B",
        _ => "s",
    };
    let mut json = Vec::new();
    let mut medians: BTreeMap<(String, String, &'static str), f64> = BTreeMap::new();
    for ((i, t, m), v) in &results {
        let mut v2 = v.clone();
        let med = median(&mut v2);
        medians.insert((i.clone(), t.clone(), m), med);
        json.push(serde_json::json!({
            "impl": i, "topology": t, "metric": m, "median": med, "unit": unit(m), "samples": v,
        }));
    }
    let load_end = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut md = String::from(
        "| topology | metric | ours | FRR | BIRD | ours/FRR | ours/BIRD |\n|---|---|---|---|---|---|---|\n",
    );
    for t in &names {
        for m in [
            "adjacency_to_routes",
            "change_to_kernel",
            "rss",
            "bytes_per_lsa",
            "cpu",
        ] {
            let get = |i: &str| medians.get(&(i.to_owned(), t.clone(), m)).copied();
            let (o, f, b) = (get("ours"), get("frr"), get("bird"));
            if o.is_none() && f.is_none() && b.is_none() {
                continue;
            }
            let fmt =
                |v: Option<f64>| v.map_or("–".to_owned(), |v| format!("{v:.1} {}", unit(m)));
            let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
                _ => "–".to_owned(),
            };
            let _ = writeln!(
                md,
                "| {t} | {m} | {} | {} | {} | {} | {} |",
                fmt(o),
                fmt(f),
                fmt(b),
                ratio(o, f),
                ratio(o, b)
            );
        }
    }
    let _ = write!(
        md,
        "\nMedians of {samples} samples; load average {} at the start, {} at the end.\n",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        load_end
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let dir = rsd
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
        .join(if bench_mode { "peers" } else { "peers-smoke" });
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("report.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
    fs::write(dir.join("report.md"), &md).unwrap();
    println!("{md}\nwritten to {}", dir.display());
}
