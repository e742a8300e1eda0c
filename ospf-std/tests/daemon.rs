//! The `ospf-rsd` daemon as a process: configuration check, and a run in a network
//! namespace with only CAP_NET_RAW and CAP_NET_ADMIN, ended by SIGTERM (graceful
//! shutdown: LSAs flushed, kernel routes removed, exit status 0).

mod common;

use std::fs;
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{TempDir, wait};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use ospf_std::control::{self, Command as Ctl};
use ospf_std::runtime::RuntimeHandle;
use ospf_testbed::{Netns, require_root};

const DAEMON: &str = env!("CARGO_BIN_EXE_ospf-rsd");
const SEED: &str = "hostname server1\ninterface eth0\nrouter ospf\n\tospf router-id 10.0.0.1\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n";

#[test]
fn check_accepts_the_seed_file_and_names_bad_lines() {
    let dir = TempDir::new("ospfstd-check");
    let good = dir.0.join("ospfd.conf");
    fs::write(&good, SEED).unwrap();
    let out = Command::new(DAEMON)
        .arg("--check")
        .arg("-f")
        .arg(&good)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("configuration OK"));

    let bad = dir.0.join("bad.conf");
    fs::write(
        &bad,
        "router ospf\n ospf router-id 10.0.0.1\n network 10.0.0.0/24 area zero\n",
    )
    .unwrap();
    let out = Command::new(DAEMON)
        .arg("--check")
        .arg("-f")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3:") && err.contains("area id"), "{err}");
}

fn start_server(ns: &Netns, conf: &str) -> (RuntimeHandle, JoinHandle<()>) {
    common::spawn_runtime(ns, conf, |_| {}, |mut rt| rt.run().unwrap())
}

#[test]
fn sigterm_flushes_lsas_and_removes_routes_with_only_net_raw_and_net_admin() {
    if !require_root(
        "sigterm_flushes_lsas_and_removes_routes_with_only_net_raw_and_net_admin",
        "network namespaces",
    ) {
        return;
    }
    let (r, s) = common::joined(
        ("ospfstd-dr", "10.0.0.254/24"),
        ("ospfstd-ds", "10.0.0.1/24"),
    );
    s.ip_line("addr add 172.16.0.1/32 dev lo").unwrap();
    let fast = "interface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 40\n ip ospf network point-to-point\n";
    let dir = TempDir::new("ospfstd-daemon");
    let conf = dir.0.join("ospfd.conf");
    fs::write(
        &conf,
        format!("hostname router\n{fast}router ospf\n ospf router-id 10.0.0.254\n network 10.0.0.0/24 area 0\nlog stderr informational\n"),
    )
    .unwrap();
    let ctl = dir.0.join("ctl.sock");
    let log = fs::File::create(dir.0.join("daemon.log")).unwrap();
    // Every capability but CAP_NET_RAW and CAP_NET_ADMIN is dropped before exec.
    let mut daemon = r
        .command("setpriv")
        .args([
            "--bounding-set=-all,+net_raw,+net_admin",
            "--inh-caps=-all",
            "--",
        ])
        .arg(DAEMON)
        .arg("-f")
        .arg(&conf)
        .arg("--control")
        .arg(&ctl)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let (server, ts) = start_server(
        &s,
        &format!(
            "hostname server1\n{fast}router ospf\n\tospf router-id 10.0.0.1\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n"
        ),
    );
    wait(
        "the daemon's route to the anycast address",
        Duration::from_secs(30),
        || {
            r.ip_line("-4 route show 172.16.0.1")
                .is_ok_and(|x| x.contains("via 10.0.0.1") && x.contains("proto ospf"))
        },
    );
    let n = control::request(&ctl, "show neighbors").unwrap();
    assert!(n.contains("10.0.0.1") && n.contains("Full"), "{n}");
    let caps = fs::read_to_string(format!("/proc/{}/status", daemon.id())).unwrap_or_default();
    // (The pid is setpriv's, which exec'd the daemon.)
    let eff = caps
        .lines()
        .find(|l| l.starts_with("CapEff:"))
        .and_then(|l| u64::from_str_radix(l.split_whitespace().nth(1)?, 16).ok())
        .unwrap();
    // CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13.
    assert_eq!(
        eff,
        (1 << 12) | (1 << 13),
        "effective capabilities {eff:#x}"
    );

    let pid = daemon.id();
    kill(Pid::from_raw(pid as i32), Signal::SIGTERM).unwrap();
    let t = Instant::now();
    let status = loop {
        if let Some(st) = daemon.try_wait().unwrap() {
            break st;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "daemon did not exit");
        std::thread::sleep(Duration::from_millis(50));
    };
    let _guard = Kill(daemon);
    assert!(
        status.success(),
        "{status:?}: {}",
        fs::read_to_string(dir.0.join("daemon.log")).unwrap_or_default()
    );
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "graceful shutdown took {:?}",
        t.elapsed()
    );
    assert!(r.ip_line("-4 route show proto ospf").unwrap().is_empty());
    assert!(r.ip_line("nexthop show").unwrap().is_empty());
    assert!(!ctl.exists());
    // The server saw our Router-LSA flushed, long before the 40 s dead interval.
    wait(
        "the flushed Router-LSA leaves the server's LSDB",
        Duration::from_secs(10),
        || {
            !server
                .request(Ctl::ShowDatabase)
                .lines()
                .any(|l| l.starts_with('1') && l.contains("10.0.0.254"))
        },
    );
    server.shutdown();
    ts.join().unwrap();
}
