//! Database synchronisation with FRR: our runtime forms an adjacency with FRR's ospfd,
//! which holds N AS-external LSAs (10k kernel routes it redistributes). Timed from the
//! neighbor reaching ExStart (the database exchange starts) to Full with every LSA
//! installed; throughput is LSAs per second. `frr_ospfd` is the same with FRR's ospfd as
//! the receiver, timed from its adjacency log (millisecond timestamps).
//!
//! Runs as root in two network namespaces it creates, with FRR installed; otherwise it
//! prints why and benches nothing.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ospf_core::neighbor::NeighborState;
use ospf_std::conf::OspfdConf;
use ospf_std::netns::{NetNs, is_root};
use ospf_std::runtime::{Runtime, RuntimeConfig};

const ZEBRA: &str = "/usr/lib/frr/zebra";
const OSPFD: &str = "/usr/lib/frr/ospfd";
const SIZES: [u32; 1] = [10_000];

struct Frr {
    ns: String,
    dir: PathBuf,
    children: Vec<Child>,
}

impl Frr {
    fn start(ns: &NetNs, ospfd_conf: &str) -> Frr {
        let dir = std::env::temp_dir().join(format!("{}-frr", ns.name()));
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        fs::write(dir.join("zebra.conf"), "hostname frr\n").unwrap();
        fs::write(dir.join("ospfd.conf"), ospfd_conf).unwrap();
        let mut frr = Frr {
            ns: ns.name().to_string(),
            dir,
            children: Vec::new(),
        };
        for (bin, name) in [(ZEBRA, "zebra"), (OSPFD, "ospfd")] {
            let d = frr.dir.to_string_lossy().into_owned();
            let log = fs::File::create(frr.dir.join(format!("{name}.log"))).unwrap();
            let child = ns
                .command(bin)
                .args(["-u", "frr", "-g", "frr"])
                .args(["-i", &format!("{d}/{name}.pid")])
                .args(["-z", &format!("{d}/zserv.api")])
                .args(["--vty_socket", &d])
                .args(["-f", &format!("{d}/{name}.conf")])
                .args(["--log", "stdout"])
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap();
            frr.children.push(child);
            let sock = frr.dir.join(format!("{name}.vty"));
            wait_until(Duration::from_secs(10), || sock.exists());
        }
        frr
    }

    fn vtysh(&self, cmd: &str) -> String {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.ns, "vtysh", "--vty_socket"])
            .arg(&self.dir)
            .args(["-c", cmd])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Frr {
    fn drop(&mut self) {
        for c in self.children.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// The number in FRR's `show ip ospf` line "Number of external LSA N".
fn frr_external_count(frr: &Frr) -> u32 {
    frr.vtysh("show ip ospf")
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Number of external LSA ")
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.trim_end_matches('.').parse().ok())
        })
        .unwrap_or(0)
}

fn bench_dbsync(c: &mut Criterion) {
    if !is_root() {
        eprintln!("dbsync bench: skipped, needs root (network namespaces, raw sockets)");
        return;
    }
    if !Path::new(ZEBRA).exists() || !Path::new(OSPFD).exists() {
        eprintln!("dbsync bench: skipped, FRR is not installed ({ZEBRA}, {OSPFD})");
        return;
    }
    let mut g = c.benchmark_group("dbsync_from_frr");
    g.sample_size(10);
    for n in SIZES {
        let f = NetNs::new("ospfbench-dbf").unwrap();
        let s = NetNs::new("ospfbench-dbs").unwrap();
        f.ip(&format!(
            "link add eth0 type veth peer name eth0 netns {}",
            s.name()
        ))
        .unwrap();
        f.ip("addr add 10.0.0.254/24 dev eth0").unwrap();
        s.ip("addr add 10.0.0.1/24 dev eth0").unwrap();
        f.ip("link set eth0 up").unwrap();
        s.ip("link set eth0 up").unwrap();
        // N kernel routes for FRR to redistribute.
        let batch = std::env::temp_dir().join(format!("{}-routes", f.name()));
        {
            let mut w = std::io::BufWriter::new(fs::File::create(&batch).unwrap());
            for i in 0..n {
                let a = std::net::Ipv4Addr::from(0x2000_0000 + (i << 8));
                writeln!(w, "route add blackhole {a}/24").unwrap();
            }
        }
        let p2p = "interface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 40\n ip ospf network point-to-point\n";
        let frr = Frr::start(
            &f,
            &format!(
                "hostname frr\n{p2p}router ospf\n ospf router-id 10.0.0.254\n network 10.0.0.0/24 area 0\n redistribute kernel\n"
            ),
        );
        let st = f.command("ip").arg("-batch").arg(&batch).status().unwrap();
        assert!(st.success());
        let _ = fs::remove_file(&batch);
        if !wait_until(Duration::from_secs(60), || frr_external_count(&frr) >= n) {
            eprintln!("dbsync bench: FRR did not originate {n} external LSAs; skipped");
            continue;
        }
        let conf = OspfdConf::parse(&format!(
            "hostname server1\n{p2p}router ospf\n ospf router-id 10.0.0.1\n network 10.0.0.0/24 area 0\n"
        ))
        .unwrap();
        let _in = s.enter().unwrap();
        g.throughput(Throughput::Elements(u64::from(n)));
        g.bench_with_input(BenchmarkId::new("ospf_std_runtime", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    // A fresh adjacency: FRR drops the old one on carrier loss.
                    s.ip("link set eth0 down").unwrap();
                    s.ip("link set eth0 up").unwrap();
                    let mut cfg = RuntimeConfig::new(conf.clone());
                    cfg.handle_signals = false;
                    let mut rt = Runtime::new(cfg).unwrap();
                    let deadline = Instant::now() + Duration::from_secs(60);
                    let mut started = None;
                    loop {
                        rt.step(Some(Duration::from_millis(2))).unwrap();
                        let state = rt.instance().neighbors().map(|n| n.state).max();
                        if started.is_none() && state >= Some(NeighborState::ExStart) {
                            started = Some(Instant::now());
                        }
                        if state == Some(NeighborState::Full)
                            && rt.instance().lsdb_len() >= n as usize
                        {
                            break;
                        }
                        assert!(Instant::now() < deadline, "no Full adjacency with FRR");
                    }
                    total += started.map(|t| t.elapsed()).unwrap_or_default();
                }
                total
            })
        });
        drop(_in);

        // The same sync with a fresh FRR ospfd as the receiver (an empty LSDB, as ours),
        // timed from its own log (adjacency changes with millisecond timestamps).
        let receiver_conf = format!(
            "hostname frr-receiver\nlog timestamp precision 3\n{p2p}router ospf\n ospf router-id 10.0.0.1\n log-adjacency-changes detail\n network 10.0.0.0/24 area 0\n"
        );
        g.bench_with_input(BenchmarkId::new("frr_ospfd", n), &n, |b, _| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    s.ip("link set eth0 down").unwrap();
                    s.ip("link set eth0 up").unwrap();
                    let receiver = Frr::start(&s, &receiver_conf);
                    let log = receiver.dir.join("ospfd.log");
                    let mut took = None;
                    let ok = wait_until(Duration::from_secs(60), || {
                        let text = fs::read_to_string(&log).unwrap_or_default();
                        took = adjacency_time(&text);
                        took.is_some()
                    });
                    assert!(ok, "FRR receiver did not reach Full");
                    total += took.unwrap_or_default();
                    drop(receiver);
                }
                total
            })
        });
        drop(frr);
    }
    g.finish();
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

/// Time from the last change to ExStart to the following change to Full, if both are in
/// `log`.
fn adjacency_time(log: &str) -> Option<Duration> {
    let mut start = None;
    let mut full = None;
    for l in log.lines() {
        if l.contains("-> ExStart") {
            start = log_time(l);
            full = None;
        } else if l.contains("-> Full") && start.is_some() {
            full = log_time(l);
        }
    }
    full?.checked_sub(start?)
}

criterion_group!(benches, bench_dbsync);
criterion_main!(benches);
