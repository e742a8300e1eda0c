//! BFD soak: many idle BFD sessions at 50 ms x 3 between two of our runtimes while both
//! cores are kept busy, counting false detections (root only; a benchmark, not a test).
//!
//! ```text
//! sudo cargo run --release --example bfd-soak -- --sessions 100 --duration 600
//! ```
//!
//! Two network namespaces joined by `--sessions` veth pairs (one point-to-point OSPF
//! interface each, `ip ospf bfd profile soak`); each namespace runs an
//! [`ospf_std::api`] runtime on a thread of this process, so every VLAN has one OSPF
//! adjacency and one BFD session. Once every session is Up on both sides, `--load` threads
//! (default: one per core) spin at the runtimes' own priority for `--duration` seconds.
//! Nothing fails on the link, so every session that leaves Up is a false detection. At the
//! end it prints sessions, packets sent and received, false Down transitions, sessions and
//! adjacencies not Up, the CPU time of the runtimes' threads, the load average and how late
//! a thread sleeping 10 ms at a time woke up (the scheduler's share of any stall; one line
//! of JSON with `--json`), and exits with 1 if there was a false detection.
//!
//! The namespaces (`ospfrs-soak-*`) are deleted on exit.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use ospf_core::bfd::wire::State;
use ospf_core::neighbor::NeighborState;
use ospf_std::api::{Builder, Handle};
use ospf_testbed::Netns;
use serde_json::json;

/// Options of bfd-soak.
#[derive(Debug, Parser)]
#[command(about = "Idle BFD sessions at 50 ms x 3 under CPU load: counts false detections")]
struct Args {
    /// BFD sessions (one veth pair, OSPF adjacency and session each), 1 to 4094.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=4094))]
    sessions: u16,
    /// Seconds of soak once every session is Up.
    #[arg(long, default_value_t = 600)]
    duration: u64,
    /// Spinning load threads (default: one per core).
    #[arg(long)]
    load: Option<usize>,
    /// BFD transmit and receive interval, milliseconds.
    #[arg(long, default_value_t = 50)]
    interval: u32,
    /// BFD detect multiplier.
    #[arg(long, default_value_t = 3)]
    multiplier: u8,
    /// Print progress every this many seconds.
    #[arg(long, default_value_t = 10)]
    every: u64,
    /// The result as one line of JSON.
    #[arg(long)]
    json: bool,
}

/// The address of side `side` (1 or 2) on link `i` (from 1): 10.64.0.0/16 in /30s.
fn addr(i: u16, side: u8) -> String {
    let base = u32::from(i) * 4;
    format!("10.64.{}.{}", base >> 8, (base & 0xff) + u32::from(side))
}

fn conf(args: &Args, side: u8) -> String {
    let mut s = format!(
        "hostname soak{side}\nbfd\n profile soak\n  detect-multiplier {m}\n  receive-interval {i}\n  transmit-interval {i}\n exit\nexit\n",
        m = args.multiplier,
        i = args.interval
    );
    for i in 1..=args.sessions {
        s.push_str(&format!(
            "interface v{i}\n ip ospf network point-to-point\n ip ospf bfd\n ip ospf bfd profile soak\n"
        ));
    }
    s.push_str(&format!(
        "router ospf\n ospf router-id 10.255.255.{side}\n network 10.64.0.0/16 area 0\n"
    ));
    s
}

/// The links: `sessions` veth pairs `v1`.. between `a` (side 1) and `b` (side 2), with
/// their addresses, created with one `ip -batch` per side. (One veth with VLANs would do,
/// but kernels without the 8021q module are common in containers.)
fn links(a: &Netns, b: &Netns, sessions: u16) -> Result<(), String> {
    let mut batch_a = String::new();
    let mut batch_b = String::new();
    for i in 1..=sessions {
        batch_a.push_str(&format!(
            "link add v{i} type veth peer name v{i} netns {}\naddr add {}/30 dev v{i}\nlink set v{i} up\n",
            b.name(),
            addr(i, 1)
        ));
        batch_b.push_str(&format!(
            "addr add {}/30 dev v{i}\nlink set v{i} up\n",
            addr(i, 2)
        ));
    }
    for (ns, batch) in [(a, batch_a), (b, batch_b)] {
        let path = std::env::temp_dir().join(format!("{}.batch", ns.name()));
        std::fs::write(&path, batch).map_err(|e| e.to_string())?;
        let res = ns.ip(&["-batch", &path.to_string_lossy()]);
        let _ = std::fs::remove_file(&path);
        res.map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn spawn(ns: &Netns, conf: &str) -> Result<Handle, String> {
    let _inside = ns.enter().map_err(|e| e.to_string())?;
    let (h, _thread) = Builder::speaker()
        .config_text(conf)
        .map_err(|e| e.to_string())?
        .control_socket(None)
        .spawn()
        .map_err(|e| e.to_string())?;
    Ok(h)
}

/// Totals over one side's sessions.
#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    up: usize,
    packets_in: u64,
    packets_out: u64,
    downs: u64,
    full: usize,
}

fn totals(h: &Handle) -> Totals {
    let mut t = Totals::default();
    for p in h.bfd_peers().unwrap_or_default() {
        t.up += usize::from(p.state == State::Up);
        t.packets_in += p.packets_in;
        t.packets_out += p.packets_out;
        t.downs += p.session_down;
    }
    t.full = h
        .neighbors()
        .unwrap_or_default()
        .iter()
        .filter(|n| n.state == NeighborState::Full)
        .count();
    t
}

/// CPU seconds (user + system) of this process's threads named `name`.
fn thread_cpu(name: &str) -> f64 {
    let mut ticks = 0u64;
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    for task in dir.flatten() {
        let path = task.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
        // Fields after the command's closing parenthesis: state is the 3rd field of the
        // line, utime and stime the 14th and 15th.
        let rest: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, r)| r.split_whitespace().collect())
            .unwrap_or_default();
        ticks += rest
            .get(11)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        ticks += rest
            .get(12)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
    }
    // USER_HZ is 100 on Linux.
    ticks as f64 / 100.0
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(clean) => {
            if clean {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("bfd-soak: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<bool, String> {
    if !nix::unistd::geteuid().is_root() {
        return Err("needs root (network namespaces)".into());
    }
    let n = usize::from(args.sessions);
    let a = Netns::new("soak-a").map_err(|e| e.to_string())?;
    let b = Netns::new("soak-b").map_err(|e| e.to_string())?;
    links(&a, &b, args.sessions)?;
    let ha = spawn(&a, &conf(args, 1))?;
    let hb = spawn(&b, &conf(args, 2))?;
    let t = Instant::now();
    let limit = Duration::from_secs(60 + args.sessions as u64 / 10);
    loop {
        let (ta, tb) = (totals(&ha), totals(&hb));
        if ta.up == n && tb.up == n {
            break;
        }
        if t.elapsed() > limit {
            return Err(format!(
                "sessions not Up after {limit:?}: {} and {} of {n}",
                ta.up, tb.up
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let setup = t.elapsed();
    if !args.json {
        println!(
            "{n} sessions Up on both sides after {setup:.1?}; soaking {} s",
            args.duration
        );
    }
    let (a0, b0) = (totals(&ha), totals(&hb));
    let cpu0 = thread_cpu("ospf");
    let stop = Arc::new(AtomicBool::new(false));
    let load = args
        .load
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));
    let spinners: Vec<_> = (0..load)
        .map(|k| {
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name(format!("soak-load-{k}"))
                .spawn(move || {
                    let mut x = 1u64 + k as u64;
                    while !stop.load(Ordering::Relaxed) {
                        for _ in 0..10_000 {
                            x = std::hint::black_box(
                                x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1),
                            );
                        }
                    }
                    x
                })
                .expect("load thread")
        })
        .collect();
    // A thread that sleeps 10 ms at a time, at the runtimes' priority, and notes how late
    // it wakes: a false detection with a late sleeper is the scheduler's doing (the
    // runtimes did not get the CPU in time), one without is ours.
    let probe = {
        let stop = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("soak-probe".into())
            .spawn(move || {
                let (mut worst, mut over_50, mut over_100) = (Duration::ZERO, 0u64, 0u64);
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    std::thread::sleep(Duration::from_millis(10));
                    let late = t.elapsed().saturating_sub(Duration::from_millis(10));
                    worst = worst.max(late);
                    over_50 += u64::from(late > Duration::from_millis(50));
                    over_100 += u64::from(late > Duration::from_millis(100));
                }
                (worst, over_50, over_100)
            })
            .expect("probe thread")
    };
    let start = Instant::now();
    let end = start + Duration::from_secs(args.duration);
    let mut worst_not_up = 0usize;
    while Instant::now() < end {
        let step = Duration::from_secs(args.every.max(1)).min(end - Instant::now());
        std::thread::sleep(step);
        let (ta, tb) = (totals(&ha), totals(&hb));
        worst_not_up = worst_not_up.max(2 * n - ta.up - tb.up);
        if !args.json {
            println!(
                "{:>5.0} s: packets {} + {} sent, false downs {} + {}, sessions Up {} + {}, load {}",
                start.elapsed().as_secs_f64(),
                ta.packets_out - a0.packets_out,
                tb.packets_out - b0.packets_out,
                ta.downs - a0.downs,
                tb.downs - b0.downs,
                ta.up,
                tb.up,
                loadavg()
            );
        }
    }
    let soaked = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    for s in spinners {
        let _ = s.join();
    }
    let (late_worst, late_50, late_100) = probe.join().unwrap_or_default();
    let cpu = thread_cpu("ospf") - cpu0;
    let (a1, b1) = (totals(&ha), totals(&hb));
    ha.shutdown();
    hb.shutdown();
    let sent = (a1.packets_out - a0.packets_out) + (b1.packets_out - b0.packets_out);
    let received = (a1.packets_in - a0.packets_in) + (b1.packets_in - b0.packets_in);
    let false_downs = (a1.downs - a0.downs) + (b1.downs - b0.downs);
    let secs = soaked.as_secs_f64();
    let result = json!({
        "sessions": n,
        "interval_ms": args.interval,
        "detect_multiplier": args.multiplier,
        "setup_s": (setup.as_secs_f64() * 10.0).round() / 10.0,
        "soak_s": (secs * 10.0).round() / 10.0,
        "load_threads": load,
        "packets_sent": sent,
        "packets_received": received,
        "packets_per_s": (sent as f64 / secs).round(),
        "false_down_transitions": false_downs,
        "sessions_not_up_at_end": 2 * n - a1.up - b1.up,
        "sessions_not_up_worst_sample": worst_not_up,
        "ospf_full_at_end": [a1.full, b1.full],
        "runtime_cpu_s": (cpu * 100.0).round() / 100.0,
        "runtime_cpu_percent_of_one_core": (cpu / secs * 1000.0).round() / 10.0,
        "loadavg_at_end": loadavg(),
        "sleeper_worst_late_ms": (late_worst.as_secs_f64() * 1e4).round() / 10.0,
        "sleeper_late_over_50ms": late_50,
        "sleeper_late_over_100ms": late_100,
    });
    if args.json {
        println!("{result}");
    } else {
        println!(
            "{n} sessions x 2 sides, {secs:.0} s at {} ms x {} with {load} spinning threads: \
             {sent} packets sent, {received} received ({:.0}/s), {false_downs} false Down \
             transitions, {} sessions not Up at the end, OSPF Full {} + {}; runtimes used \
             {cpu:.2} s of CPU ({:.1}% of one core); load average {}; a 10 ms sleeper woke \
             up to {late_worst:.1?} late ({late_50} times > 50 ms, {late_100} > 100 ms)",
            args.interval,
            args.multiplier,
            sent as f64 / secs,
            2 * n - a1.up - b1.up,
            a1.full,
            b1.full,
            cpu / secs * 100.0,
            loadavg()
        );
    }
    Ok(false_downs == 0 && a1.up == n && b1.up == n && worst_not_up == 0)
}
