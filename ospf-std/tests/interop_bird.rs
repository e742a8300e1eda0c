//! Interoperability with BIRD 2 on a LAN between two network namespaces the test creates:
//! adjacency, routes both ways through the kernel, withdraw and graceful shutdown.
//!
//! Needs root and BIRD (`bird`, `birdc`); without them the test prints why and returns.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ospf_std::conf::OspfdConf;
use ospf_std::control::Command as Ctl;
use ospf_std::fib::{KernelFib, KernelFibConfig, Prefix};
use ospf_std::netns::{NetNs, is_root};
use ospf_std::runtime::{Runtime, RuntimeConfig, RuntimeHandle};

fn which(p: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(p))
        .find(|f| f.exists())
}

/// BIRD in a namespace; stopped by pid on drop.
struct Bird {
    ns: String,
    dir: PathBuf,
    child: Child,
}

impl Bird {
    fn start(ns: &NetNs, conf: &str) -> Bird {
        let dir = std::env::temp_dir().join(format!("{}-bird", ns.name()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("bird.conf"), conf).unwrap();
        let log = fs::File::create(dir.join("bird.log")).unwrap();
        let child = ns
            .command("bird")
            .arg("-f")
            .arg("-c")
            .arg(dir.join("bird.conf"))
            .arg("-s")
            .arg(dir.join("bird.ctl"))
            .arg("-P")
            .arg(dir.join("bird.pid"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let bird = Bird {
            ns: ns.name().to_string(),
            dir,
            child,
        };
        let sock = bird.dir.join("bird.ctl");
        wait_until("bird control socket", Duration::from_secs(10), || {
            sock.exists()
        });
        bird
    }

    fn birdc(&self, cmd: &str) -> String {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.ns, "birdc", "-s"])
            .arg(self.dir.join("bird.ctl"))
            .args(cmd.split_whitespace())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Bird {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
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

#[test]
fn bird_lan_adjacency_routes_both_ways_withdraw_and_shutdown() {
    if !is_root() {
        eprintln!(
            "skipping bird_lan_adjacency_routes_both_ways_withdraw_and_shutdown: needs root for network namespaces and raw sockets"
        );
        return;
    }
    if which("bird").is_none() || which("birdc").is_none() {
        eprintln!(
            "skipping bird_lan_adjacency_routes_both_ways_withdraw_and_shutdown: BIRD is not installed"
        );
        return;
    }
    let b = NetNs::new("ospfstd-bb").unwrap();
    let s = NetNs::new("ospfstd-bs").unwrap();
    b.ip(&format!(
        "link add eth0 type veth peer name eth0 netns {}",
        s.name()
    ))
    .unwrap();
    b.ip("addr add 10.0.0.254/24 dev eth0").unwrap();
    b.ip("link add stub0 type veth peer name stub1").unwrap();
    b.ip("addr add 192.168.100.1/24 dev stub0").unwrap();
    b.ip("link set stub1 up").unwrap();
    b.ip("link set stub0 up").unwrap();
    s.ip("addr add 10.0.0.1/24 dev eth0").unwrap();
    s.ip("addr add 172.16.0.1/32 dev lo").unwrap();
    b.ip("link set eth0 up").unwrap();
    s.ip("link set eth0 up").unwrap();

    let bird = Bird::start(
        &b,
        "router id 10.0.0.254;\n\
         protocol device { scan time 1; }\n\
         protocol kernel { ipv4 { export all; }; }\n\
         protocol ospf v2 {\n\
           ipv4 { import all; export none; };\n\
           area 0 {\n\
             interface \"eth0\" { type broadcast; hello 1; dead 4; };\n\
             interface \"stub0\" { stub yes; };\n\
           };\n\
         }\n",
    );
    let (ours, t) = start(
        &s,
        "hostname server1\ninterface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\nrouter ospf\n\tospf router-id 10.0.0.1\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n",
        true,
    );
    wait_until("Full with BIRD", Duration::from_secs(30), || {
        bird.birdc("show ospf neighbors").contains("Full")
            && ours.request(Ctl::ShowNeighbors).contains("Full")
    });
    wait_until(
        "BIRD's route to the anycast address",
        Duration::from_secs(15),
        || {
            b.ip("-4 route show 172.16.0.1")
                .is_ok_and(|r| r.contains("via 10.0.0.1") && r.contains("proto bird"))
        },
    );
    wait_until(
        "our route to BIRD's stub network",
        Duration::from_secs(15),
        || {
            s.ip("-4 route show 192.168.100.0/24")
                .is_ok_and(|r| r.contains("via 10.0.0.254") && r.contains("proto ospf"))
        },
    );
    let p = Prefix::host("172.16.0.1".parse().unwrap());
    assert_eq!(ours.request(Ctl::Withdraw(p)), "withdrawn 172.16.0.1/32");
    wait_until(
        "BIRD drops the withdrawn route",
        Duration::from_secs(15),
        || b.ip("-4 route show 172.16.0.1").is_ok_and(|r| r.is_empty()),
    );
    assert_eq!(ours.request(Ctl::Announce(p)), "announced 172.16.0.1/32");
    wait_until("BIRD's route is back", Duration::from_secs(15), || {
        b.ip("-4 route show 172.16.0.1")
            .is_ok_and(|r| r.contains("via 10.0.0.1"))
    });
    ours.shutdown();
    t.join().unwrap();
    assert!(s.ip("-4 route show proto ospf").unwrap().is_empty());
    wait_until(
        "BIRD forgets the route after our shutdown",
        Duration::from_secs(10),
        || b.ip("-4 route show 172.16.0.1").is_ok_and(|r| r.is_empty()),
    );
    drop(bird);
}
