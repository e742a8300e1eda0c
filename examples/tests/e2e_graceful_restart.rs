//! End to end: a planned graceful restart (RFC 3623) of the router in the seed topology
//! while clients keep opening connections (root only).
//!
//! The seed topology (clients on 192.168.0.0/24, the router at .254, three servers on
//! 10.0.0.0/24 announcing 172.16.0.1/32; hello 1 s, dead 4 s). Four client threads open a
//! new connection for every HTTP GET to 172.16.0.1 while the router restarts:
//! `graceful-restart prepare ip ospf` (FRR's command, through `ospfctl`), then, once the
//! servers acknowledged the Grace-LSAs, SIGTERM and a new router process. Three
//! line-ups:
//!
//! 1. our `ecmp-router` with our `server-speaker`s as helpers,
//! 2. our `ecmp-router` with FRR 8.4 speakers as helpers,
//! 3. FRR 8.4 as the router (`graceful-restart prepare ip ospf`, ospfd restarted; zebra
//!    keeps the routes) with our speakers as helpers: measured the same way, for
//!    comparison, when `OSPF_RS_GR_COMPARE=1` (it asserts nothing and takes ~40 s).
//!
//! For ours, with our speakers and with FRR speakers, asserted: no failed request, no
//! flow of 1000 sampled client flows moved (the kernel's choice of server for each,
//! before and after), and the router's kernel route to 172.16.0.1 never had fewer than
//! three next hops (a route monitor follows every change). The numbers go to
//! `target/testbed/e2e-graceful-restart.json` and are printed.
//!
//! Helpers check strictly (an LSA of types 1-5 or 7 awaiting the restarting router's
//! acknowledgment refuses help, a changed one ends it): our router reports itself ready
//! only once no such LSA awaits a neighbor's acknowledgment, none changed since its
//! Grace-LSAs went out (it sends them again otherwise), and every adjacency has been
//! Full for RxmtInterval and a second (a neighbor may still hold LSAs of the database
//! exchange for us: a BDR floods the DR what the DR already has). So "ready" can take a
//! few seconds here, where the restart follows the adjacencies closely.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use load::{CLIENTS, Load, Outcome};
use ospf_testbed::{
    Frr, Netns, ProcGuard, RouteMonitor, SeedTopology, Signal, example_binary, frr_conf,
    require_root, require_tool, wait_for,
};
use seed::{Bed, all_servers, ms, topology, wait_paths};
use serde_json::{Value, json};

#[path = "common/load.rs"]
mod load;
#[path = "common/seed.rs"]
mod seed;

/// Helper mode, ours and FRR's (which needs opaque LSAs switched on).
const HELPER: &str = " graceful-restart helper enable\n";
const FRR_HELPER: &str = " capability opaque\n graceful-restart helper enable\n";

fn speaker_conf(i: usize) -> String {
    seed::speaker_conf(i, HELPER)
}

fn router_conf() -> String {
    seed::router_conf(" graceful-restart grace-period 60\n")
}

impl Bed {
    /// Our `ecmp-router` (resilient groups), logging to `log`.log; its state directory
    /// survives its restarts.
    fn router(&self, ns: &Netns, log: &str) -> ProcGuard {
        let args = vec![
            "--config".into(),
            self.file("router.conf", &router_conf()),
            "--socket".into(),
            self.sock("router"),
            "--state-dir".into(),
            self.path("router-state").to_string_lossy().into_owned(),
            "--idle-timer".into(),
            "1".into(),
        ];
        self.spawn(ns, log, "ecmp-router", &args)
    }

    fn speaker(&self, ns: &Netns, i: usize) -> ProcGuard {
        let name = format!("server{}", i + 1);
        let args = vec![
            "--config".into(),
            self.file(&format!("{name}.conf"), &speaker_conf(i)),
            "--socket".into(),
            self.sock(&name),
        ];
        self.spawn(ns, &name, "server-speaker", &args)
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(&format!("{name}.log"))).unwrap_or_default()
    }

    fn logs(&self) -> String {
        seed::log_tails(
            self.dir.path(),
            &[
                "router",
                "router-restarted",
                "server1",
                "server2",
                "server3",
            ],
        )
    }

    fn ctl(&self, sock: &str, line: &str) -> String {
        let bin = example_binary("ospf-examples", "ospfctl").expect("ospfctl binary");
        let out = std::process::Command::new(bin)
            .arg("--socket")
            .arg(sock)
            .args(line.split_whitespace())
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// Waits until `name`.log contains `text`; returns how long that took.
    fn wait_log(&self, name: &str, text: &str, timeout: Duration) -> Duration {
        wait_for(timeout, Duration::from_millis(10), || {
            self.log(name).contains(text).then_some(())
        })
        .unwrap_or_else(|e| panic!("{name}.log: no {text:?}: {e}\n{}", self.logs()))
        .1
    }
}

/// What a restart under load did.
struct Measured {
    outcomes: Vec<Outcome>,
    moved: usize,
    flows: usize,
    /// The route's next-hop sets seen by the monitor meanwhile (changes only), with
    /// when (ms since the restart began).
    route_changes: Vec<(f64, Vec<Ipv4Addr>)>,
    restart: Value,
}

/// Runs the load, samples the flows, calls `restart` (which returns its own timings),
/// then samples again.
fn under_load(topo: &SeedTopology, restart: impl FnOnce() -> Value) -> Measured {
    let monitor = RouteMonitor::start(&topo.router, "172.16.0.1/32").unwrap();
    let flows = SeedTopology::flows(20000, 1000);
    let before = topo.router.route_get_flows(&flows).unwrap();
    assert!(before.iter().all(Option::is_some), "every flow has a path");
    let load = Load::start(&topo.client);
    std::thread::sleep(Duration::from_secs(2));
    let began = Instant::now();
    let restart = restart();
    std::thread::sleep(Duration::from_secs(2));
    let outcomes = load.stop();
    let after = topo.router.route_get_flows(&flows).unwrap();
    let moved = before.iter().zip(&after).filter(|(b, a)| b != a).count();
    let route_changes = monitor
        .changes()
        .into_iter()
        .map(|c| {
            let at = c.at.checked_duration_since(began).map_or(0.0, ms);
            (at, c.gateways.into_iter().collect())
        })
        .collect();
    Measured {
        outcomes,
        moved,
        flows: flows.len(),
        route_changes,
        restart,
    }
}

fn summary(m: &Measured) -> Value {
    let failed: Vec<&Outcome> = m.outcomes.iter().filter(|o| o.2.is_err()).collect();
    let mut per_server = std::collections::BTreeMap::<String, usize>::new();
    for o in &m.outcomes {
        if let Ok(id) = &o.2 {
            *per_server.entry(id.clone()).or_default() += 1;
        }
    }
    let errors: Vec<String> = failed
        .iter()
        .take(10)
        .map(|o| format!("{:.3} s: {:?}", o.0.as_secs_f64(), o.2))
        .collect();
    json!({
        "requests": m.outcomes.len(), "failed": failed.len(), "errors": errors,
        "per_server": per_server, "flows_sampled": m.flows, "flows_moved": m.moved,
        "route_changes": m.route_changes.iter().map(|(at, g)| format!("{at} ms: {g:?}")).collect::<Vec<_>>(),
        "restart": m.restart,
    })
}

/// Asserts what a restart of our router must keep.
fn assert_kept(what: &str, m: &Measured, bed: &Bed) {
    let s = summary(m);
    assert_eq!(
        s["failed"].as_u64(),
        Some(0),
        "{what}: failed requests {s}\n{}",
        bed.logs()
    );
    assert_eq!(m.moved, 0, "{what}: flows moved: {s}");
    let all = seed::sorted(all_servers());
    assert!(
        m.route_changes
            .iter()
            .all(|(_, g)| seed::sorted(g.clone()) == all),
        "{what}: the route lost a next hop: {s}"
    );
    assert_eq!(
        s["per_server"].as_object().map(|o| o.len()),
        Some(3),
        "{what}: all three served: {s}"
    );
    assert!(
        s["requests"].as_u64() >= Some(100),
        "{what}: clients kept going: {s}"
    );
}

/// Our router's planned restart: prepare, SIGTERM once acknowledged, start again.
fn restart_ours(bed: &Bed, topo: &SeedTopology, router: &mut ProcGuard) -> (Value, ProcGuard) {
    let t0 = Instant::now();
    let answer = bed.ctl(&bed.sock("router"), "graceful-restart prepare ip ospf");
    assert!(!answer.contains("rror"), "prepare: {answer}");
    let acked = bed.wait_log(
        "router",
        "every neighbor acknowledged our Grace-LSAs",
        Duration::from_secs(15),
    );
    router.signal(Signal::Term).unwrap();
    let exit = router.wait_exit(Duration::from_secs(5)).unwrap();
    assert!(exit.success(), "{exit:?}\n{}", bed.logs());
    let exited = t0.elapsed();
    assert_eq!(
        seed::sorted(topo.anycast_paths()),
        seed::sorted(all_servers())
    );
    let new = bed.router(&topo.router, "router-restarted");
    let done = bed.wait_log(
        "router-restarted",
        "graceful restart done",
        Duration::from_secs(30),
    );
    let line = bed
        .log("router-restarted")
        .lines()
        .find(|l| l.contains("graceful restart done"))
        .unwrap_or_default()
        .to_string();
    assert!(line.contains("completed"), "{line}");
    let v = json!({
        "grace_lsas_acknowledged_ms": ms(acked),
        "old_process_exited_ms": ms(exited),
        "restarting_mode_ms": ms(done),
        "total_ms": ms(t0.elapsed()),
    });
    eprintln!("restart: {v}; {line}");
    (v, new)
}

fn ours_with_our_speakers() -> Value {
    let topo = topology();
    let bed = Bed::new("gr-e2e");
    let ctx = || bed.logs();
    let mut router = bed.router(&topo.router, "router");
    let _speakers: Vec<ProcGuard> = (0..3).map(|i| bed.speaker(&topo.servers[i], i)).collect();
    wait_paths(&topo, &all_servers(), Duration::from_secs(30), &ctx);
    // Our LSAs re-originated as the adjacencies came up are acknowledged (strict LSA
    // checking), and the resilient group is balanced.
    std::thread::sleep(Duration::from_secs(2));
    let mut new = None;
    let m = under_load(&topo, || {
        let (v, n) = restart_ours(&bed, &topo, &mut router);
        new = Some(n);
        v
    });
    let s = summary(&m);
    eprintln!("our router, our speakers: {s}");
    assert_kept("our router, our speakers", &m, &bed);
    drop(new);
    s
}

fn frr_speaker(topo: &SeedTopology, i: usize) -> Frr {
    let id = SeedTopology::server_addr(i).to_string();
    let conf = frr_conf::ospfd(
        &id,
        &[("eth0", false)],
        1,
        4,
        &["10.0.0.0/24", "172.16.0.1/32"],
        &[],
    )
    .replace("router ospf\n", &format!("router ospf\n{FRR_HELPER}"));
    Frr::start(&topo.servers[i], &frr_conf::zebra(&id), &conf).unwrap()
}

fn ours_with_frr_speakers() -> Value {
    let topo = topology();
    let bed = Bed::new("gr-e2e");
    let ctx = || bed.logs();
    let mut router = bed.router(&topo.router, "router");
    let _frr: Vec<Frr> = (0..3).map(|i| frr_speaker(&topo, i)).collect();
    wait_paths(&topo, &all_servers(), Duration::from_secs(40), &ctx);
    // FRR's strict LSA checking: our LSAs of the start are acknowledged.
    std::thread::sleep(Duration::from_secs(2));
    let mut new = None;
    let m = under_load(&topo, || {
        let (v, n) = restart_ours(&bed, &topo, &mut router);
        new = Some(n);
        v
    });
    let s = summary(&m);
    eprintln!("our router, FRR speakers: {s}");
    assert_kept("our router, FRR speakers", &m, &bed);
    drop(new);
    s
}

/// FRR 8.4 as the router, our speakers helping: the same planned restart, measured.
fn frr_router() -> Value {
    let topo = topology();
    let bed = Bed::new("gr-e2e");
    let rconf = frr_conf::ospfd(
        "10.0.0.254",
        &[("eth0", false)],
        1,
        4,
        &["10.0.0.0/24", "192.168.0.0/24"],
        &["eth1"],
    )
    .replace(
        "router ospf\n",
        "router ospf\n capability opaque\n graceful-restart grace-period 60\n",
    );
    let mut frr = Frr::start(&topo.router, &frr_conf::zebra("router"), &rconf).unwrap();
    let _speakers: Vec<ProcGuard> = (0..3).map(|i| bed.speaker(&topo.servers[i], i)).collect();
    let ctx = || format!("FRR: {:?}\n{}", frr.ospf_neighbors(), bed.logs());
    wait_paths(&topo, &all_servers(), Duration::from_secs(40), &ctx);
    // FRR's SPF hold-down after the start.
    std::thread::sleep(Duration::from_secs(6));
    let m = under_load(&topo, || {
        let t0 = Instant::now();
        frr.vtysh("graceful-restart prepare ip ospf").unwrap();
        // FRR reports no acknowledgment; its Grace-LSAs are acknowledged within
        // milliseconds on this LAN.
        std::thread::sleep(Duration::from_millis(500));
        frr.signal_ospfd(Signal::Term).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        frr.restart_ospfd(&topo.router).unwrap();
        let back = t0.elapsed();
        let full = wait_for(Duration::from_secs(30), Duration::from_millis(20), || {
            (frr.full_neighbors() == 3).then_some(())
        })
        .map(|(_, d)| ms(d))
        .ok();
        json!({"ospfd_restarted_ms": ms(back), "full_again_after_restart_ms": full})
    });
    let s = summary(&m);
    eprintln!("FRR router, our speakers: {s}");
    s
}

#[test]
fn e2e_graceful_restart_of_the_router_under_load() {
    let name = "e2e_graceful_restart_of_the_router_under_load";
    if !(require_root(name, "network namespaces, raw sockets and kernel routes")
        && require_tool(name, "frr"))
    {
        return;
    }
    // Built before any clock runs (a first `cargo build` of an example takes minutes).
    for bin in ["ecmp-router", "server-speaker", "ospfctl"] {
        example_binary("ospf-examples", bin).unwrap_or_else(|e| panic!("{bin}: {e}"));
    }
    let ours = ours_with_our_speakers();
    let ours_frr = ours_with_frr_speakers();
    // FRR's own restart asserts nothing of ours and costs ~40 s (FRR's router takes
    // 19 s to converge): a measurement, run on demand.
    let frr = if std::env::var("OSPF_RS_GR_COMPARE").as_deref() == Ok("1") {
        frr_router()
    } else {
        eprintln!("FRR router line-up skipped (OSPF_RS_GR_COMPARE=1 runs it)");
        json!({"skipped": "set OSPF_RS_GR_COMPARE=1"})
    };
    let line = |v: &Value| {
        format!(
            "{} of {} requests failed, {} of {} flows moved",
            v["failed"], v["requests"], v["flows_moved"], v["flows_sampled"]
        )
    };
    eprintln!(
        "planned restart of the router under load ({CLIENTS} client threads, a new \
         connection per request): our router + our speakers: {}; our router + FRR \
         speakers: {}; FRR router + our speakers: {}",
        line(&ours),
        line(&ours_frr),
        line(&frr)
    );
    seed::write_result(
        "graceful-restart",
        &json!({
            "clients": {"threads": CLIENTS, "new_connection_per_request": true},
            "hello_interval_s": 1, "dead_interval_s": 4,
            "our_router_our_speakers": ours,
            "our_router_frr_speakers": ours_frr,
            "frr_router_our_speakers": frr,
        }),
    );
}
