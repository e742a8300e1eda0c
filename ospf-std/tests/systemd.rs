//! systemd readiness and watchdog of `ospf-rsd` (root only), with a `NOTIFY_SOCKET` the
//! test creates (a Unix datagram socket) instead of systemd: an announcing-only daemon
//! (`--fib none`) is not ready before its first Full adjacency and is then; a router is
//! ready after its first route calculation; `WATCHDOG=1` comes every half
//! `WATCHDOG_USEC`; SIGTERM brings `STOPPING=1`.

mod common;

use std::os::unix::net::UnixDatagram;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::TempDir;
use ospf_std::runtime::RuntimeConfig;
use ospf_testbed::{Netns, require_root};

const P2P: &str = "interface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n ip ospf network point-to-point\n";

fn conf(id: u8) -> String {
    format!("{P2P}router ospf\n ospf router-id 10.0.0.{id}\n network 10.0.0.0/24 area 0\n")
}

/// The daemon, killed when dropped.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ospf-rsd` in `ns` with the notify socket `sock` and a watchdog period.
fn start(ns: &Netns, dir: &TempDir, sock: &std::path::Path, extra: &[&str]) -> Daemon {
    let cfg = dir.0.join(format!("{}.conf", ns.name()));
    std::fs::write(&cfg, conf(1)).unwrap();
    let log = std::fs::File::create(dir.0.join(format!("{}.log", ns.name()))).unwrap();
    // Each daemon its own control socket: the tests run in parallel, and a second
    // daemon on the default path would refuse to start (socket in use).
    let control = dir.0.join(format!("{}.ctl", ns.name()));
    let child = ns
        .command(env!("CARGO_BIN_EXE_ospf-rsd"))
        .args(["-f", cfg.to_str().unwrap()])
        .args(["--control", control.to_str().unwrap()])
        .args(extra)
        .env("NOTIFY_SOCKET", sock)
        .env("WATCHDOG_USEC", "400000")
        .env_remove("WATCHDOG_PID")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    Daemon(child)
}

/// Every notification received within `period`.
fn collect(sock: &UnixDatagram, period: Duration) -> Vec<String> {
    let end = Instant::now() + period;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        sock.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        if let Ok(n) = sock.recv(&mut buf) {
            out.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    }
    out
}

/// Waits up to `timeout` for a notification containing `line`; returns what came.
fn wait_for(sock: &UnixDatagram, line: &str, timeout: Duration) -> Vec<String> {
    let end = Instant::now() + timeout;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        sock.set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        if let Ok(n) = sock.recv(&mut buf) {
            let m = String::from_utf8_lossy(&buf[..n]).into_owned();
            let hit = m.lines().any(|l| l == line);
            seen.push(m);
            if hit {
                return seen;
            }
        }
    }
    panic!("no {line} within {timeout:?}; got {seen:?}");
}

fn has(msgs: &[String], line: &str) -> usize {
    msgs.iter().filter(|m| m.lines().any(|l| l == line)).count()
}

#[test]
fn speaker_is_ready_at_its_first_full_adjacency_and_pings_the_watchdog() {
    if !require_root(
        "speaker_is_ready_at_its_first_full_adjacency_and_pings_the_watchdog",
        "network namespaces and raw sockets",
    ) {
        return;
    }
    let (a, b) = common::joined(("sdn-a", "10.0.0.1/24"), ("sdn-b", "10.0.0.2/24"));
    let dir = TempDir::new("ospfstd-sdnotify-speaker");
    let path = dir.0.join("notify.sock");
    let sock = UnixDatagram::bind(&path).unwrap();
    let mut daemon = start(&a, &dir, &path, &["--fib", "none"]);

    // Alone on its link: alive (watchdog pings every 200 ms) but not ready.
    let alone = collect(&sock, Duration::from_secs(3));
    assert_eq!(
        has(&alone, "READY=1"),
        0,
        "ready without a neighbor: {alone:?}"
    );
    assert!(has(&alone, "WATCHDOG=1") >= 5, "{alone:?}");

    // A neighbor comes: Full, then READY=1.
    let quick = |cfg: &mut RuntimeConfig| cfg.shutdown_timeout = Duration::from_secs(1);
    let (hb, tb) = common::spawn_runtime(&b, &conf(2), quick, |mut rt| rt.run().unwrap());
    wait_for(&sock, "READY=1", Duration::from_secs(20));

    // SIGTERM: STOPPING=1, then the daemon exits.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(daemon.0.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    wait_for(&sock, "STOPPING=1", Duration::from_secs(10));
    let end = Instant::now() + Duration::from_secs(10);
    while daemon.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < end, "the daemon did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
    hb.shutdown();
    tb.join().unwrap();
}

#[test]
fn router_is_ready_after_its_first_route_calculation() {
    if !require_root(
        "router_is_ready_after_its_first_route_calculation",
        "network namespaces and raw sockets",
    ) {
        return;
    }
    let (a, _b) = common::joined(("sdr-a", "10.0.0.1/24"), ("sdr-b", "10.0.0.2/24"));
    let dir = TempDir::new("ospfstd-sdnotify-router");
    let path = dir.0.join("notify.sock");
    let sock = UnixDatagram::bind(&path).unwrap();
    let _daemon = start(&a, &dir, &path, &[]);
    let got = wait_for(&sock, "READY=1", Duration::from_secs(15));
    assert!(got.iter().any(|m| m.contains("STATUS=running")), "{got:?}");
}
