//! End to end: several anycast services per speaker in the seed topology (root only).
//!
//! Three servers run our `server-speaker` with two services each, `web` on 172.16.0.1
//! and `dns` on 172.16.0.2 (`--service NAME@PREFIX=CHECK`), checked by a command that
//! fails while a marker file exists. Servers 1 and 2 withdraw a failing service, server 3
//! degrades it (`--on-failure degrade`). The checks run once a minute, so every change
//! below is seen only because the test sends SIGUSR1 (an immediate re-check). Behind our
//! `ecmp-router` and behind FRR's ospfd, the router's kernel table shows:
//!
//! 1. each service through all three servers;
//! 2. `web` failing on server 1: `web` through 2 and 3, `dns` untouched;
//! 3. `web` failing on server 3 too: only server 2 (3 is degraded: a worse cost);
//! 4. `web` failing everywhere: no server withdraws the last healthy-looking copy, all
//!    three stand degraded at one cost, and clients still get answers;
//! 5. `web` back on server 1: through server 1 only (2 withdraws, 3 stays worse);
//! 6. `ospfctl drain web` on server 1: `web` through 2 and 3 (degraded), its adjacency
//!    stays Full, `dns` untouched; `undrain web` brings it back.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use ospf_testbed::{
    Frr, ProcGuard, ScratchDir, SeedTopology, Signal, example_binary, frr_conf, require_root,
    require_tool, wait_for,
};

/// One line-up at a time: they share the machine.
static SERIAL: Mutex<()> = Mutex::new(());

const WEB: &str = "172.16.0.1/32";
const DNS: &str = "172.16.0.2/32";

struct Servers {
    dir: ScratchDir,
    speakers: Vec<ProcGuard>,
}

impl Servers {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Marks (or clears) `service` on server `i` as failing; the next check sees it.
    fn fail(&mut self, i: usize, service: &str, failing: bool) {
        let marker = self.path(&format!("srv{}-{service}.down", i + 1));
        if failing {
            std::fs::write(&marker, b"").unwrap();
        } else {
            let _ = std::fs::remove_file(&marker);
        }
        self.speakers[i].signal(Signal::Usr1).unwrap();
    }

    fn ctl(&self, i: usize, line: &str) -> String {
        let bin = example_binary("ospf-examples", "ospfctl").expect("ospfctl binary");
        let out = std::process::Command::new(bin)
            .arg("--socket")
            .arg(self.path(&format!("srv{}.sock", i + 1)))
            .args(line.split_whitespace())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// The last lines of the speakers' logs in `dir`.
fn logs(dir: &std::path::Path) -> String {
    let mut s = String::new();
    for i in 0..3 {
        if let Ok(t) = std::fs::read_to_string(dir.join(format!("srv{}.log", i + 1))) {
            let tail: Vec<&str> = t.lines().rev().take(15).collect();
            s.push_str(&format!("--- srv{}.log (last lines)\n", i + 1));
            for l in tail.into_iter().rev() {
                s.push_str(l);
                s.push('\n');
            }
        }
    }
    s
}

/// Starts the three speakers, each with `web` and `dns`.
fn start_servers(topo: &SeedTopology) -> Servers {
    let bin = example_binary("ospf-examples", "server-speaker").expect("server-speaker binary");
    let dir = ScratchDir::new("e2esvc").unwrap();
    let mut speakers = Vec::new();
    for (i, ns) in topo.servers.iter().enumerate() {
        ns.add_loopback_addr(DNS).unwrap();
        // The way back to the clients (the speakers install no routes).
        ns.add_route(&["default", "via", &SeedTopology::ROUTER_LAN.to_string()])
            .unwrap();
        let id = SeedTopology::server_addr(i);
        let conf = dir.path().join(format!("srv{}.conf", i + 1));
        std::fs::write(
            &conf,
            format!(
                "hostname server{n}\ninterface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\nrouter ospf\n ospf router-id {id}\n network 10.0.0.0/24 area 0\n network {WEB} area 0\n network {DNS} area 0\n",
                n = i + 1
            ),
        )
        .unwrap();
        let check = |svc: &str| {
            let marker = dir.path().join(format!("srv{}-{svc}.down", i + 1));
            format!("cmd:test ! -e {}", marker.display())
        };
        let mut argv: Vec<String> = vec![
            bin.to_string_lossy().into_owned(),
            "--config".into(),
            conf.to_string_lossy().into_owned(),
            "--socket".into(),
            dir.path()
                .join(format!("srv{}.sock", i + 1))
                .to_string_lossy()
                .into_owned(),
            "--service".into(),
            format!("web@{WEB}={}", check("web")),
            "--service".into(),
            format!("dns@{DNS}={}", check("dns")),
            // Once a minute: only SIGUSR1 makes a change visible within the test.
            "--check-interval".into(),
            "60000".into(),
            "--check-fall".into(),
            "1".into(),
            "--check-rise".into(),
            "1".into(),
            "--check-initial".into(),
            "up".into(),
            "--degrade-cost".into(),
            "5000".into(),
        ];
        if i == 2 {
            argv.extend(["--on-failure".into(), "degrade".into()]);
        }
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let log = dir.path().join(format!("srv{}.log", i + 1));
        speakers.push(ns.spawn(&argv, Some(&log)).unwrap());
    }
    Servers { dir, speakers }
}

fn servers(which: &[usize]) -> Vec<Ipv4Addr> {
    which
        .iter()
        .map(|&i| SeedTopology::server_addr(i))
        .collect()
}

/// Waits until the router's kernel route to `prefix` goes exactly through `want`.
fn wait_route(
    topo: &SeedTopology,
    prefix: &str,
    want: &[usize],
    what: &str,
    ctx: &dyn Fn() -> String,
) {
    let mut want = servers(want);
    want.sort();
    let t0 = std::time::Instant::now();
    let got = wait_for(Duration::from_secs(20), Duration::from_millis(20), || {
        let mut v = topo.router.route_nexthops(prefix).unwrap_or_default();
        v.sort();
        (v == want).then_some(())
    });
    assert!(
        got.is_ok(),
        "{what}: {prefix} should go through {want:?}, goes through {:?}\n{}",
        topo.router.route_nexthops(prefix),
        ctx()
    );
    eprintln!("{what}: {prefix} through {want:?} after {:?}", t0.elapsed());
}

/// The scenario of the module documentation, whichever router runs.
fn scenario(topo: &SeedTopology, s: &mut Servers, router_ctx: &dyn Fn() -> String) {
    let dir = s.dir.path().to_path_buf();
    let ctx = || format!("{}\n{}", router_ctx(), logs(&dir));
    wait_route(topo, WEB, &[0, 1, 2], "start", &ctx);
    wait_route(topo, DNS, &[0, 1, 2], "start", &ctx);

    s.fail(0, "web", true);
    wait_route(topo, WEB, &[1, 2], "web fails on server 1", &ctx);
    wait_route(topo, DNS, &[0, 1, 2], "dns untouched", &ctx);
    assert!(
        s.ctl(0, "show anycast services")
            .lines()
            .any(|l| l.starts_with("web") && l.contains("down") && l.contains("withdrawn")),
        "{}",
        s.ctl(0, "show anycast services")
    );

    s.fail(2, "web", true);
    wait_route(topo, WEB, &[1], "web degraded on server 3", &ctx);

    s.fail(1, "web", true);
    wait_route(topo, WEB, &[0, 1, 2], "web failing everywhere stands", &ctx);
    let sports: Vec<u16> = (41000..41030).collect();
    let (per_server, failed) = topo.requests(&sports, Duration::from_secs(2)).unwrap();
    assert_eq!(failed, 0, "clients lost the address: {per_server:?}");

    s.fail(0, "web", false);
    wait_route(topo, WEB, &[0], "web back on server 1", &ctx);

    let states = |s: &Servers| -> Vec<(String, String)> {
        s.ctl(0, "show ip ospf neighbor")
            .lines()
            .filter_map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                (w.len() > 3 && w[0].parse::<Ipv4Addr>().is_ok())
                    .then(|| (w[0].to_string(), w[2].to_string()))
            })
            .collect()
    };
    let before = states(s);
    assert!(
        before.iter().any(|(_, st)| st.starts_with("FULL")),
        "{before:?}"
    );
    let out = s.ctl(0, "drain web");
    assert!(out.contains("draining service web"), "{out}");
    wait_route(topo, WEB, &[1, 2], "web drained on server 1", &ctx);
    wait_route(topo, DNS, &[0, 1, 2], "dns untouched by the drain", &ctx);
    assert_eq!(states(s), before, "the drain kept the adjacencies");
    let out = s.ctl(0, "undrain web");
    assert!(out.contains("ended"), "{out}");
    wait_route(topo, WEB, &[0], "web undrained on server 1", &ctx);
}

fn router_conf() -> String {
    "hostname router\ninterface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n!\nrouter ospf 1\n router-id 10.0.0.254\n network 10.0.0.0 0.0.0.255 area 0\n network 192.168.0.0 0.0.0.255 area 0\n passive-interface eth1\n!\n".into()
}

#[test]
fn e2e_services_behind_our_router() {
    if !require_root(
        "e2e_services_behind_our_router",
        "network namespaces, raw sockets and kernel routes",
    ) {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let topo = SeedTopology::build(3).unwrap();
    let mut s = start_servers(&topo);
    let bin = example_binary("ospf-examples", "ecmp-router").expect("ecmp-router binary");
    let conf = s.path("router.conf");
    std::fs::write(&conf, router_conf()).unwrap();
    let log = s.path("router.log");
    let _router = topo
        .router
        .spawn(
            &[
                bin.to_str().unwrap(),
                "--config",
                conf.to_str().unwrap(),
                "--socket",
                s.path("router.sock").to_str().unwrap(),
            ],
            Some(&log),
        )
        .unwrap();
    let router_ctx = || {
        let t = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = t.lines().rev().take(15).collect();
        format!(
            "--- router.log\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    };
    scenario(&topo, &mut s, &router_ctx);
}

#[test]
fn e2e_services_behind_frr_router() {
    if !(require_root(
        "e2e_services_behind_frr_router",
        "network namespaces, raw sockets and kernel routes",
    ) && require_tool("e2e_services_behind_frr_router", "frr"))
    {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let topo = SeedTopology::build(3).unwrap();
    let rconf = frr_conf::ospfd(
        "10.0.0.254",
        &[("eth0", false)],
        1,
        4,
        &["10.0.0.0/24", "192.168.0.0/24"],
        &["eth1"],
    );
    let frr = Frr::start(&topo.router, &frr_conf::zebra("router"), &rconf).unwrap();
    let mut s = start_servers(&topo);
    let router_ctx = || format!("FRR neighbors: {:?}", frr.ospf_neighbors());
    scenario(&topo, &mut s, &router_ctx);
}
