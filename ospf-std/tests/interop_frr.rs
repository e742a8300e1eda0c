//! Interoperability with FRR (zebra + ospfd) on a LAN between two network namespaces the
//! test creates. Our runtime runs the seed's server configuration (with fast timers) and
//! installs FRR's routes in its kernel table; FRR installs ours.
//!
//! Needs root and FRR (`/usr/lib/frr/zebra`, `/usr/lib/frr/ospfd`, `vtysh`); without them
//! each test prints why and returns.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ospf_std::conf::OspfdConf;
use ospf_std::control::Command as Ctl;
use ospf_std::fib::{KernelFib, KernelFibConfig, Prefix};
use ospf_std::netns::{NetNs, is_root};
use ospf_std::runtime::{Runtime, RuntimeConfig, RuntimeHandle};

const ZEBRA: &str = "/usr/lib/frr/zebra";
const OSPFD: &str = "/usr/lib/frr/ospfd";

fn can_run(test: &str) -> bool {
    if !is_root() {
        eprintln!("skipping {test}: needs root for network namespaces and raw sockets");
        return false;
    }
    if !Path::new(ZEBRA).exists() || !Path::new(OSPFD).exists() {
        eprintln!("skipping {test}: FRR is not installed ({ZEBRA}, {OSPFD})");
        return false;
    }
    true
}

/// FRR's zebra and ospfd in a namespace; stopped by pid on drop.
struct Frr {
    ns: String,
    dir: PathBuf,
    children: Vec<Child>,
}

impl Frr {
    fn start(ns: &NetNs, ospfd_conf: &str) -> Frr {
        let dir = std::env::temp_dir().join(format!("{}-frr", ns.name()));
        fs::create_dir_all(&dir).unwrap();
        // The daemons drop to the frr user and write their sockets here.
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
            wait_until(
                &format!("{name} vty socket"),
                Duration::from_secs(10),
                || sock.exists(),
            );
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

fn start(ns: &NetNs, conf: &str, kernel_fib: bool) -> (RuntimeHandle, JoinHandle<()>) {
    let conf = OspfdConf::parse(conf).unwrap();
    let name = ns.name().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    let t = std::thread::spawn(move || {
        let ns_file = fs::File::open(format!("/run/netns/{name}")).unwrap();
        nix::sched::setns(&ns_file, nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
        let mut cfg = RuntimeConfig::new(conf);
        cfg.handle_signals = false;
        cfg.shutdown_timeout = Duration::from_secs(3);
        if kernel_fib {
            cfg.fib = Box::new(KernelFib::new(KernelFibConfig::default()).unwrap());
        }
        let mut rt = Runtime::new(cfg).unwrap();
        tx.send(rt.handle()).unwrap();
        rt.run().unwrap();
    });
    (rx.recv().unwrap(), t)
}

fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("timed out waiting for {what}");
}

/// FRR and our server on one LAN; `auth` is the interface authentication block both use.
fn lan_with_frr(tag: &str, auth: &str) {
    let f = NetNs::new(&format!("ospfstd-{tag}f")).unwrap();
    let s = NetNs::new(&format!("ospfstd-{tag}s")).unwrap();
    f.ip(&format!(
        "link add eth0 type veth peer name eth0 netns {}",
        s.name()
    ))
    .unwrap();
    f.ip("addr add 10.0.0.254/24 dev eth0").unwrap();
    f.ip("addr add 192.168.100.1/32 dev lo").unwrap();
    s.ip("addr add 10.0.0.1/24 dev eth0").unwrap();
    s.ip("addr add 172.16.0.1/32 dev lo").unwrap();
    f.ip("link set eth0 up").unwrap();
    s.ip("link set eth0 up").unwrap();

    let timers = " ip ospf hello-interval 1\n ip ospf dead-interval 4\n";
    let frr = Frr::start(
        &f,
        &format!(
            "hostname frr\ninterface eth0\n{timers}{auth}router ospf\n ospf router-id 10.0.0.254\n network 10.0.0.0/24 area 0\n network 192.168.100.1/32 area 0\n"
        ),
    );
    // The seed's server configuration, with FRR's fast timers and the authentication.
    let (ours, t) = start(
        &s,
        &format!(
            "hostname server1\ninterface eth0\n{timers}{auth}router ospf\n\tospf router-id 10.0.0.1\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n"
        ),
        true,
    );

    wait_until("Full with FRR", Duration::from_secs(30), || {
        frr.vtysh("show ip ospf neighbor").contains("Full")
            && ours.request(Ctl::ShowNeighbors).contains("Full")
    });
    // FRR installs the anycast host route through us ...
    wait_until(
        "FRR's route to the anycast address",
        Duration::from_secs(15),
        || {
            f.ip("-4 route show 172.16.0.1")
                .is_ok_and(|r| r.contains("via 10.0.0.1") && r.contains("proto ospf"))
        },
    );
    // ... and we install FRR's loopback through it.
    wait_until(
        "our route to FRR's loopback",
        Duration::from_secs(15),
        || {
            s.ip("-4 route show 192.168.100.1")
                .is_ok_and(|r| r.contains("via 10.0.0.254") && r.contains("proto ospf"))
        },
    );
    // Our LSAs are in FRR's database, checksums and all.
    let db = frr.vtysh("show ip ospf database router 10.0.0.1");
    assert!(db.contains("Link State ID: 10.0.0.1"), "{db}");
    assert!(db.contains("172.16.0.1"), "{db}");

    // Drain the server: FRR drops the route.
    let p = Prefix::host("172.16.0.1".parse().unwrap());
    assert_eq!(ours.request(Ctl::Withdraw(p)), "withdrawn 172.16.0.1/32");
    wait_until(
        "FRR drops the withdrawn route",
        Duration::from_secs(15),
        || f.ip("-4 route show 172.16.0.1").is_ok_and(|r| r.is_empty()),
    );
    assert_eq!(ours.request(Ctl::Announce(p)), "announced 172.16.0.1/32");
    wait_until("FRR's route is back", Duration::from_secs(15), || {
        f.ip("-4 route show 172.16.0.1")
            .is_ok_and(|r| r.contains("via 10.0.0.1"))
    });

    // Graceful shutdown: our LSAs are flushed, FRR drops the route well before its dead
    // interval would matter, and our kernel routes are gone.
    ours.shutdown();
    t.join().unwrap();
    assert!(s.ip("-4 route show proto ospf").unwrap().is_empty());
    wait_until(
        "FRR forgets the route after our shutdown",
        Duration::from_secs(10),
        || f.ip("-4 route show 172.16.0.1").is_ok_and(|r| r.is_empty()),
    );
    drop(frr);
}

#[test]
fn frr_lan_adjacency_routes_both_ways_withdraw_and_shutdown() {
    if !can_run("frr_lan_adjacency_routes_both_ways_withdraw_and_shutdown") {
        return;
    }
    lan_with_frr("fa", "");
}

#[test]
fn frr_lan_with_md5_authentication() {
    if !can_run("frr_lan_with_md5_authentication") {
        return;
    }
    lan_with_frr(
        "fm",
        " ip ospf authentication message-digest\n ip ospf message-digest-key 1 md5 s3cret\n",
    );
}
