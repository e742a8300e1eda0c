//! Helpers of the end-to-end tests on the seed topology (`e2e_anycast`, `e2e_drain`,
//! `e2e_bfd`): the topology with the servers' default routes, the router's anycast paths,
//! daemon logs, the JSON results under `target/testbed/`, the servers' and the router's
//! `ospfd.conf`, and a scratch directory that starts the example programs.
#![allow(dead_code)]

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ospf_testbed::{Netns, ProcGuard, ScratchDir, SeedTopology, example_binary, wait_for};
use serde_json::Value;

/// How often the router's kernel route is looked at while waiting for it.
pub const POLL: Duration = Duration::from_millis(1);

/// The seed topology with a default route on each server (towards the router), as servers
/// have: our speaker announces, it installs no routes.
pub fn topology() -> SeedTopology {
    let topo = SeedTopology::build(3).unwrap();
    for s in &topo.servers {
        s.add_route(&["default", "via", &SeedTopology::ROUTER_LAN.to_string()])
            .unwrap();
    }
    topo
}

/// `v`, sorted.
pub fn sorted(mut v: Vec<Ipv4Addr>) -> Vec<Ipv4Addr> {
    v.sort();
    v
}

/// The three servers' LAN addresses.
pub fn all_servers() -> Vec<Ipv4Addr> {
    (0..3).map(SeedTopology::server_addr).collect()
}

/// Every server but `gone`.
pub fn all_but(gone: Ipv4Addr) -> Vec<Ipv4Addr> {
    all_servers().into_iter().filter(|a| *a != gone).collect()
}

/// The index of the server whose LAN address is `addr`.
pub fn index_of(addr: Ipv4Addr) -> usize {
    (0..3)
        .find(|i| SeedTopology::server_addr(*i) == addr)
        .unwrap()
}

/// Milliseconds with one decimal.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e4).round() / 10.0
}

/// Waits until the router's kernel route has exactly `want` as next hops; returns how
/// long that took. `ctx` explains a timeout (daemon logs).
pub fn wait_paths(
    topo: &SeedTopology,
    want: &[Ipv4Addr],
    timeout: Duration,
    ctx: &dyn Fn() -> String,
) -> Duration {
    let want = sorted(want.to_vec());
    wait_for(timeout, POLL, || {
        (sorted(topo.anycast_paths()) == want).then_some(())
    })
    .unwrap_or_else(|e| {
        panic!(
            "expected paths {want:?}: {e}; now {:?}\n{}",
            topo.anycast_paths(),
            ctx()
        )
    })
    .1
}

/// The last 30 lines of each `NAME.log` in `dir`, for a failure message.
pub fn log_tails(dir: &Path, names: &[&str]) -> String {
    let mut s = String::new();
    for name in names {
        if let Ok(t) = std::fs::read_to_string(dir.join(format!("{name}.log"))) {
            let tail: Vec<&str> = t.lines().rev().take(30).collect();
            s.push_str(&format!("--- {name}.log (last lines)\n"));
            for l in tail.into_iter().rev() {
                s.push_str(l);
                s.push('\n');
            }
        }
    }
    s
}

/// Writes `v` to `target/testbed/e2e-NAME.json` and prints it.
pub fn write_result(name: &str, v: &Value) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../testbed");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("e2e-{name}.json"));
    let text = serde_json::to_string_pretty(v).unwrap();
    std::fs::write(&path, &text).unwrap();
    eprintln!("{name}: {text}\nwritten to {}", path.display());
}

/// Server `i`'s `ospfd.conf` (the seed's server file with hello 1 s, dead 4 s), with
/// `extra` lines under `router ospf`.
pub fn speaker_conf(i: usize, extra: &str) -> String {
    format!(
        "hostname server{n}\ninterface eth0\n\tip ospf hello-interval 1\n\tip ospf dead-interval 4\nrouter ospf\n\tospf router-id {id}\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\n{extra}log stdout\n",
        n = i + 1,
        id = SeedTopology::server_addr(i)
    )
}

/// The router's `ospfd.conf` (hello 1 s, dead 4 s; the client LAN passive), with `extra`
/// lines under `router ospf`.
pub fn router_conf(extra: &str) -> String {
    format!(
        "hostname router\ninterface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n!\nrouter ospf 1\n router-id 10.0.0.254\n{extra} network 10.0.0.0 0.0.0.255 area 0\n network 192.168.0.0 0.0.0.255 area 0\n passive-interface eth1\n!\n"
    )
}

/// A scratch directory for a test's files, logs and control sockets, and the example
/// programs started from it.
pub struct Bed {
    /// The directory (removed on drop).
    pub dir: ScratchDir,
}

impl Bed {
    /// A new scratch directory named after `tag`.
    pub fn new(tag: &str) -> Bed {
        Bed {
            dir: ScratchDir::new(tag).unwrap(),
        }
    }

    /// A path inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Starts example `program` in `ns` with `args`, logging to `log`.log.
    pub fn spawn(&self, ns: &Netns, log: &str, program: &str, args: &[String]) -> ProcGuard {
        let bin =
            example_binary("ospf-examples", program).unwrap_or_else(|e| panic!("{program}: {e}"));
        let mut argv = vec![bin.to_string_lossy().into_owned()];
        argv.extend(args.iter().cloned());
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        ns.spawn(&argv, Some(&self.path(&format!("{log}.log"))))
            .unwrap()
    }

    /// Writes `text` to file `name`; returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    }

    /// The control socket path of daemon `name`.
    pub fn sock(&self, name: &str) -> String {
        self.path(&format!("{name}.sock"))
            .to_string_lossy()
            .into_owned()
    }
}
