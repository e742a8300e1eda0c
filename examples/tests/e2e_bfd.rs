//! End to end: BFD (50 ms x 3) in the seed's anycast topology (root only).
//!
//! The seed topology (three servers 10.0.0.1-3 with 172.16.0.1/32 on their loopback, the
//! router at 10.0.0.254), BFD with FRR's profile `fast` (`receive-interval 50`,
//! `transmit-interval 50`, `detect-multiplier 3`) and `ip ospf bfd profile fast` on every
//! LAN interface, servers and router. OSPF's dead interval is 10 s, so a path that leaves
//! within a few hundred milliseconds can only have been taken out by BFD. (It is 10 s, not
//! 40 s, because a LAN router waits a whole dead interval before its first DR election,
//! RFC 2328 §9.4, and CI time is dear; 10 s is still 25 times the slowest bound here.)
//!
//! Two line-ups, our `server-speaker`s as the servers in both:
//!
//! 1. our `ecmp-router`: bound 170 ms;
//! 2. FRR 8.4 (zebra, bfdd, ospfd): bound 400 ms.
//!
//! Two failures, each repeated: (a) a server goes silent: its bridge port stops forwarding
//! (STP state disabled), both ends of its link stay up, carrier included, so only BFD can
//! tell; (b) `kill -9` of a speaker, whose BFD dies with it. Each sample is the time from
//! the instant before the cut to the arrival of the rtnetlink notification after which
//! the router's kernel route to 172.16.0.1/32 no longer has the server as a next hop
//! ([`RouteMonitor`], subscribed in the router's namespace). Every sample is asserted;
//! the distribution is printed and written to `target/testbed/e2e-bfd-*.json`.

#[path = "common/seed.rs"]
mod seed;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ospf_testbed::{
    Frr, Netns, ProcGuard, RouteMonitor, ScratchDir, SeedTopology, Signal, example_binary,
    frr_conf, require_root, require_tool, wait_for,
};
use seed::{all_but, all_servers, ms, wait_paths, write_result};
use serde_json::{Value, json};

/// One line-up at a time: the samples are timings.
static SERIAL: Mutex<()> = Mutex::new(());

/// FRR's bfdd syntax; our `ospfd.conf` reader takes the same block.
const PROFILE: &str = "bfd\n profile fast\n  detect-multiplier 3\n  receive-interval 50\n  transmit-interval 50\n exit\nexit\n";
/// Hello 1 s, dead 10 s, BFD with profile `fast`.
const IFACE: &str = " ip ospf hello-interval 1\n ip ospf dead-interval 10\n ip ospf bfd\n ip ospf bfd profile fast\n";
/// Samples of each failure and line-up (CI time: the test costs about a minute per
/// line-up; the README's figures gather several runs).
const SAMPLES: usize = 2;

/// A server's file: the seed's, plus BFD and the test's timers; priority 0 (a server
/// never becomes DR, not even while it is cut off).
fn speaker_conf(i: usize) -> String {
    format!(
        "hostname server{n}\n{PROFILE}interface eth0\n{IFACE} ip ospf priority 0\nrouter ospf\n ospf router-id {id}\n network 10.0.0.0/24 area 0\n network 172.16.0.1/32 area 0\n",
        n = i + 1,
        id = SeedTopology::server_addr(i)
    )
}

/// The router, ours (IOS `network` lines) or FRR's (prefix `network` lines).
fn router_conf(frr: bool) -> String {
    let nets = if frr {
        " network 10.0.0.0/24 area 0\n network 192.168.0.0/24 area 0\n"
    } else {
        " network 10.0.0.0 0.0.0.255 area 0\n network 192.168.0.0 0.0.0.255 area 0\n"
    };
    let profile = if frr { "" } else { PROFILE };
    // FRR: its default initial SPF delay (0: a change in a quiet network is computed at
    // once, which is what the samples time) with the hold capped at 1 s instead of 5 s,
    // so that the network is quiet again sooner between samples (CI time).
    let router = if frr {
        "router ospf\n timers throttle spf 0 50 1000"
    } else {
        "router ospf 1"
    };
    format!(
        "hostname router\n{profile}interface eth0\n{IFACE}!\n{router}\n ospf router-id 10.0.0.254\n{nets} passive-interface eth1\n!\n"
    )
}

/// Scratch files, logs and control sockets.
struct Bed {
    dir: ScratchDir,
}

impl Bed {
    fn new() -> Bed {
        Bed {
            dir: ScratchDir::new("e2e-bfd").unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn spawn(&self, ns: &Netns, name: &str, program: &str, conf: &str) -> ProcGuard {
        let bin =
            example_binary("ospf-examples", program).unwrap_or_else(|e| panic!("{program}: {e}"));
        let conf_path = self.path(&format!("{name}.conf"));
        std::fs::write(&conf_path, conf).unwrap();
        let argv = [
            bin.to_string_lossy().into_owned(),
            "--config".into(),
            conf_path.to_string_lossy().into_owned(),
            "--socket".into(),
            self.sock(name).to_string_lossy().into_owned(),
        ];
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        ns.spawn(&argv, Some(&self.path(&format!("{name}.log"))))
            .unwrap()
    }

    fn sock(&self, name: &str) -> PathBuf {
        self.path(&format!("{name}.sock"))
    }

    fn speaker(&self, topo: &SeedTopology, i: usize) -> ProcGuard {
        let name = format!("server{}", i + 1);
        self.spawn(&topo.servers[i], &name, "server-speaker", &speaker_conf(i))
    }

    fn logs(&self) -> String {
        seed::log_tails(
            self.dir.path(),
            &["router", "server1", "server2", "server3"],
        )
    }
}

/// The router under test.
enum Router {
    Ours(#[allow(dead_code)] ProcGuard, PathBuf),
    Frr(Frr),
}

impl Router {
    /// `show bfd peers json`, as a list of peers.
    fn bfd_peers(&self) -> Vec<Value> {
        let text = match self {
            Router::Ours(_, sock) => {
                ospf_std::control::request(sock, "show bfd peers json").unwrap_or_default()
            }
            Router::Frr(f) => f.vtysh("show bfd peers json").unwrap_or_default(),
        };
        serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
    }

    /// The peers whose session is up.
    fn bfd_up(&self) -> BTreeSet<Ipv4Addr> {
        self.bfd_peers()
            .iter()
            .filter(|p| p["status"] == "up")
            .filter_map(|p| p["peer"].as_str()?.parse().ok())
            .collect()
    }

    fn context(&self) -> String {
        match self {
            Router::Ours(_, sock) => {
                ospf_std::control::request(sock, "show bfd peers").unwrap_or_else(|e| e.to_string())
            }
            Router::Frr(f) => format!(
                "{}\n--- bfdd.log\n{}",
                f.vtysh("show bfd peers").unwrap_or_default(),
                std::fs::read_to_string(f.dir().join("bfdd.log")).unwrap_or_default()
            ),
        }
    }
}

/// How a server fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// Its bridge port stops forwarding; both ends of its link stay up.
    Silent,
    /// `kill -9` of its speaker.
    Kill9,
}

/// Waits until the router has three paths and three BFD sessions Up, then `settle` more.
fn ready(topo: &SeedTopology, router: &Router, settle: Duration, ctx: &dyn Fn() -> String) {
    let t = Instant::now();
    let paths = wait_paths(topo, &all_servers(), Duration::from_secs(60), ctx);
    let all: BTreeSet<Ipv4Addr> = all_servers().into_iter().collect();
    let res = wait_for(Duration::from_secs(20), Duration::from_millis(50), || {
        (router.bfd_up() == all).then_some(())
    });
    if let Err(e) = res {
        panic!(
            "BFD sessions not Up on the router: {e}\n{}\n{}",
            router.context(),
            ctx()
        );
    }
    eprintln!(
        "three paths after {paths:?}, three BFD sessions Up after {:?}",
        t.elapsed()
    );
    // Up sessions speed up from 1 s to 50 ms with a Poll sequence; give it time, and
    // (FRR) let the route calculation's hold-down expire.
    std::thread::sleep(settle);
    wait_paths(topo, &all_servers(), Duration::from_secs(5), ctx);
}

/// Runs both failures [`SAMPLES`] times each; returns the samples.
fn line_up(frr: bool, bound: Duration) -> Value {
    // Built before anything is timed.
    for program in ["server-speaker", "ecmp-router"] {
        example_binary("ospf-examples", program).unwrap_or_else(|e| panic!("{program}: {e}"));
    }
    let topo = seed::topology();
    let bed = Bed::new();
    let t0 = Instant::now();
    let router = if frr {
        Router::Frr(
            Frr::start_with_bfdd(
                &topo.router,
                &frr_conf::zebra("router"),
                PROFILE,
                &router_conf(true),
            )
            .expect("start FRR"),
        )
    } else {
        let g = bed.spawn(&topo.router, "router", "ecmp-router", &router_conf(false));
        Router::Ours(g, bed.sock("router"))
    };
    let mut speakers: Vec<ProcGuard> = (0..3).map(|i| bed.speaker(&topo, i)).collect();
    let ctx = || format!("{}\n{}", router.context(), bed.logs());
    // A failure is timed in a quiet network: the route calculation's back-off must have
    // gone quiet after the previous sample's recovery, or the sample would time the
    // back-off's delay rather than BFD (ours: RFC 8405, back to quiet after 1 s without
    // changes, else up to 100 ms of delay; FRR: a hold that doubles up to 1 s here, see
    // `router_conf`).
    let settle = Duration::from_millis(1500);
    ready(&topo, &router, settle, &ctx);
    let converged = t0.elapsed();
    let monitor = RouteMonitor::start(&topo.router, "172.16.0.1/32").expect("route monitor");
    assert_eq!(
        monitor.gateways(),
        all_servers().into_iter().collect::<BTreeSet<_>>(),
        "the monitor's picture of the route"
    );
    let mut samples: Vec<(Failure, Ipv4Addr, Duration)> = Vec::new();
    for round in 0..SAMPLES {
        for failure in [Failure::Silent, Failure::Kill9] {
            let i = (round + usize::from(failure == Failure::Kill9)) % 3;
            let victim = SeedTopology::server_addr(i);
            let start = Instant::now();
            match failure {
                Failure::Silent => topo.lan.set_forwarding(i + 1, false).unwrap(),
                Failure::Kill9 => speakers[i].signal(Signal::Kill).unwrap(),
            }
            let change = monitor
                .wait_change(start, Duration::from_secs(15), |g| !g.contains(&victim))
                .unwrap_or_else(|e| panic!("{failure:?} of {victim}: {e}\n{}", ctx()));
            let took = change.at.duration_since(start);
            eprintln!(
                "{}: {failure:?} of {victim} -> path gone after {took:?} (next hops now {:?})",
                if frr { "FRR router" } else { "our router" },
                change.gateways
            );
            assert_eq!(
                change.gateways,
                all_but(victim).into_iter().collect::<BTreeSet<_>>(),
                "only {victim} leaves"
            );
            samples.push((failure, victim, took));
            if std::env::var_os("E2E_LOGS").is_some() {
                eprintln!(
                    "cut at {:?} (wall clock)\n{}",
                    std::time::SystemTime::now() - took,
                    bed.logs()
                );
            }
            // Back to three paths for the next sample.
            match failure {
                Failure::Silent => topo.lan.set_forwarding(i + 1, true).unwrap(),
                Failure::Kill9 => {
                    let _ = speakers[i].wait_exit(Duration::from_secs(5));
                    speakers[i] = bed.speaker(&topo, i);
                }
            }
            ready(&topo, &router, settle, &ctx);
        }
    }
    let report = |f: Failure| -> Vec<f64> {
        samples
            .iter()
            .filter(|s| s.0 == f)
            .map(|s| ms(s.2))
            .collect()
    };
    let v = json!({
        "router": if frr { "FRR 8.4 zebra + bfdd + ospfd" } else { "ospf-rs ecmp-router" },
        "servers": "ospf-rs server-speaker x3",
        "bfd": {"transmit_interval_ms": 50, "receive_interval_ms": 50, "detect_multiplier": 3},
        "hello_interval_s": 1,
        "dead_interval_s": 10,
        "bound_ms": ms(bound),
        "time_to_3_paths_and_bfd_up_ms": ms(converged),
        "silent_link_path_gone_ms": report(Failure::Silent),
        "kill9_path_gone_ms": report(Failure::Kill9),
    });
    write_result(if frr { "bfd-frr-router" } else { "bfd-ours" }, &v);
    for (failure, victim, took) in &samples {
        assert!(
            *took <= bound,
            "{failure:?} of {victim}: path gone after {took:?}, more than {bound:?}; all: {v}"
        );
    }
    v
}

#[test]
fn e2e_bfd_our_router() {
    if !require_root(
        "e2e_bfd_our_router",
        "network namespaces, raw sockets and kernel routes",
    ) {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    line_up(false, Duration::from_millis(170));
}

#[test]
fn e2e_bfd_frr_router() {
    if !(require_root(
        "e2e_bfd_frr_router",
        "network namespaces, raw sockets and kernel routes",
    ) && require_tool("e2e_bfd_frr_router", "frr")
        && require_tool("e2e_bfd_frr_router", ospf_testbed::FRR_BFDD))
    {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    line_up(true, Duration::from_millis(400));
}
