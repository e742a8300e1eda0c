//! Database synchronization over a point-to-point veth pair (hello 1 s): one side originates
//! N = 100k AS-external LSAs, the other starts fresh with an empty LSDB; timed from the
//! receiver's first Hello from its neighbor (the neighbor appears, state Init) to Full.
//!
//! Four pairs, originator → receiver: ours → ours, FRR → ours, ours → FRR, FRR → FRR.
//! Both originators redistribute the same N kernel routes (loaded with `ip -batch`: FRR by
//! `redistribute kernel` through zebra, ours by `redistribute kernel` at start). Our receiver
//! is timed from its own neighbor state (checked after every runtime step), FRR's from its
//! adjacency log (`log-adjacency-changes detail`, millisecond timestamps). Our receiver
//! keeps routes in memory; FRR's zebra installs them into the kernel (after Full).
//!
//! A custom measurement loop (a fresh receiver per sample, `DBSYNC_SAMPLES` samples per pair,
//! default 5) prints every sample and the median; `DBSYNC_LSAS` overrides N. Runs as root in
//! two network namespaces it creates, with FRR installed; otherwise it prints why and
//! benches nothing.

use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use ospf_core::neighbor::NeighborState;
use ospf_std::conf::OspfdConf;
use ospf_std::runtime::{Runtime, RuntimeConfig};
use ospf_testbed::{Frr, Netns, OspfRs, ScratchDir, require_root, require_tool, veth};

const P2P: &str = "interface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 40\n ip ospf network point-to-point\n";
const TIMEOUT: Duration = Duration::from_secs(180);

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The number in FRR's `show ip ospf` line "Number of external LSA N".
fn frr_external_count(frr: &Frr) -> usize {
    frr.vtysh("show ip ospf")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Number of external LSA ")
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.trim_end_matches('.').parse().ok())
        })
        .unwrap_or(0)
}

fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Seconds since midnight of an FRR log line starting `YYYY/MM/DD HH:MM:SS.mmm`.
fn log_time(line: &str) -> Option<Duration> {
    let t = line.split_whitespace().nth(1)?;
    let mut parts = t.split(':');
    let h: u64 = parts.next()?.parse().ok()?;
    let m: u64 = parts.next()?.parse().ok()?;
    let (sec, ms) = parts.next()?.split_once('.')?;
    let sec: u64 = sec.parse().ok()?;
    let ms: u64 = ms.get(..3)?.parse().ok()?;
    Some(Duration::from_millis(((h * 60 + m) * 60 + sec) * 1000 + ms))
}

/// Time from the first change to Init to the following change to Full in an FRR log.
fn adjacency_time(log: &str) -> Option<Duration> {
    let mut start = None;
    let mut full = None;
    for l in log.lines() {
        if start.is_none() && l.contains("-> Init") {
            start = log_time(l);
        } else if l.contains("-> Full") && start.is_some() {
            full = log_time(l);
        }
    }
    full?.checked_sub(start?)
}

/// A fresh link for the next receiver: the originator drops the old adjacency on carrier loss.
fn flap(r: &Netns) {
    r.ip_line("link set eth0 down").unwrap();
    r.ip_line("link set eth0 up").unwrap();
}

/// One sync with our runtime as the receiver.
fn ours_receives(r: &Netns, n: usize) -> Duration {
    flap(r);
    let conf = OspfdConf::parse(&format!(
        "hostname receiver\n{P2P}router ospf\n ospf router-id 10.0.0.1\n network 10.0.0.0/24 area 0\n"
    ))
    .unwrap();
    let name = r.name().to_owned();
    std::thread::spawn(move || {
        let _in = ospf_testbed::netns::enter_named(&name).unwrap();
        let mut cfg = RuntimeConfig::new(conf);
        cfg.handle_signals = false;
        let mut rt = Runtime::new(cfg).unwrap();
        let deadline = Instant::now() + TIMEOUT;
        let mut first_hello = None;
        let mut exstart = None;
        loop {
            rt.step(Some(Duration::from_millis(2))).unwrap();
            let state = rt.instance().neighbors().map(|n| n.state).max();
            if first_hello.is_none() && state.is_some() {
                first_hello = Some(Instant::now());
            }
            if exstart.is_none() && state >= Some(NeighborState::ExStart) {
                exstart = Some(Instant::now());
            }
            if state == Some(NeighborState::Full) && rt.instance().lsdb_len() >= n {
                let (h, x) = (
                    first_hello.unwrap_or_else(Instant::now),
                    exstart.unwrap_or_else(Instant::now),
                );
                println!(
                    "  our receiver: first Hello to ExStart {:.0} ms, ExStart to Full {:.0} ms",
                    (x - h).as_secs_f64() * 1e3,
                    x.elapsed().as_secs_f64() * 1e3
                );
                return h.elapsed();
            }
            assert!(Instant::now() < deadline, "our receiver did not reach Full");
        }
    })
    .join()
    .unwrap()
}

/// One sync with a fresh FRR ospfd as the receiver, timed from its adjacency log.
fn frr_receives(r: &Netns) -> Duration {
    flap(r);
    let receiver = Frr::start(
        r,
        "hostname frr-receiver\n",
        &format!(
            "hostname frr-receiver\nlog timestamp precision 3\n{P2P}router ospf\n ospf router-id 10.0.0.1\n log-adjacency-changes detail\n network 10.0.0.0/24 area 0\n"
        ),
    )
    .unwrap();
    let log = receiver.dir().join("ospfd.log");
    let mut took = None;
    let ok = wait_until(TIMEOUT, || {
        took = adjacency_time(&fs::read_to_string(&log).unwrap_or_default());
        took.is_some()
    });
    assert!(ok, "FRR receiver did not reach Full");
    took.unwrap_or_default()
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn measure(label: &str, samples: usize, n: usize, mut one: impl FnMut() -> Duration) -> Duration {
    let mut v: Vec<Duration> = (0..samples).map(|_| one()).collect();
    let mut line = String::new();
    for d in &v {
        let _ = write!(line, " {:.0}", d.as_secs_f64() * 1e3);
    }
    let m = median(&mut v);
    println!(
        "dbsync/{label}/{n}: median {:.0} ms ({:.0} LSAs/s); samples (ms):{line}",
        m.as_secs_f64() * 1e3,
        n as f64 / m.as_secs_f64()
    );
    m
}

fn main() {
    if !(require_root("dbsync bench", "network namespaces and raw sockets")
        && require_tool("dbsync bench", "frr"))
    {
        return;
    }
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this binary without it
    // (often as a debug build): then it is a smoke test of all four pairs with 1k LSAs,
    // one sample each, as criterion benches run once in test mode.
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let (default_n, default_samples) = if bench_mode { (100_000, 5) } else { (1_000, 1) };
    let n = env_num("DBSYNC_LSAS", default_n);
    let samples = env_num("DBSYNC_SAMPLES", default_samples).max(1);
    let o = Netns::new("dbo").unwrap();
    let r = Netns::new("dbr").unwrap();
    veth(&o, "eth0", &r, "eth0").unwrap();
    o.add_addr("eth0", "10.0.0.254/24").unwrap();
    r.add_addr("eth0", "10.0.0.1/24").unwrap();
    // N kernel routes on the originator's side, for either originator to redistribute.
    let scratch = ScratchDir::new("dbsync").unwrap();
    let batch = scratch.path().join("routes");
    {
        let mut w = std::io::BufWriter::new(fs::File::create(&batch).unwrap());
        for i in 0..n as u32 {
            let a = Ipv4Addr::from(0x2000_0000 + (i << 8));
            writeln!(w, "route add blackhole {a}/24").unwrap();
        }
    }
    o.ip(&["-batch", &batch.to_string_lossy()]).unwrap();
    let mut results = Vec::new();

    // FRR originates.
    let frr = Frr::start(
        &o,
        "hostname originator\n",
        &format!(
            "hostname originator\n{P2P}router ospf\n ospf router-id 10.0.0.254\n network 10.0.0.0/24 area 0\n redistribute kernel\n"
        ),
    )
    .unwrap();
    if wait_until(TIMEOUT, || frr_external_count(&frr) >= n) {
        results.push((
            "frr_to_ours",
            measure("frr_to_ours", samples, n, || ours_receives(&r, n)),
        ));
        results.push((
            "frr_to_frr",
            measure("frr_to_frr", samples, n, || frr_receives(&r)),
        ));
    } else {
        eprintln!("dbsync bench: FRR did not originate {n} external LSAs; FRR originator skipped");
    }
    drop(frr);

    // Ours originates.
    let ours = OspfRs::start(
        &o,
        &format!(
            "hostname originator\n{P2P}router ospf\n ospf router-id 10.0.0.254\n network 10.0.0.0/24 area 0\n redistribute kernel\n"
        ),
        false,
    )
    .unwrap();
    if wait_until(TIMEOUT, || {
        ours.with(|rt| rt.instance().lsdb_len()).unwrap_or(0) > n
    }) {
        results.push((
            "ours_to_ours",
            measure("ours_to_ours", samples, n, || ours_receives(&r, n)),
        ));
        results.push((
            "ours_to_frr",
            measure("ours_to_frr", samples, n, || frr_receives(&r)),
        ));
    } else {
        eprintln!("dbsync bench: our runtime did not originate {n} external LSAs; skipped");
    }
    drop(ours);
    println!("dbsync medians ({n} AS-external LSAs, first Hello to Full):");
    for (l, m) in results {
        println!("  {l:<13} {:>8.0} ms", m.as_secs_f64() * 1e3);
    }
}
