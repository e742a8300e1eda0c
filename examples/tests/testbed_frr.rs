//! Tests of the namespace testbed against real FRR and BIRD daemons (root only).
//!
//! (a) two FRR routers on a point-to-point veth reach Full; (b) the anycast seed topology with
//! FRR only, measuring the baseline figures our own speaker and router are compared against;
//! (c) one BIRD and one FRR router on a point-to-point veth reach Full.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ospf_testbed::{
    Bird, Frr, Netns, SeedTopology, Signal, flows_moved, frr_conf, require_root, require_tool,
    veth, wait_for,
};

const POLL: Duration = Duration::from_millis(5);

fn frr_p2p(ns: &Netns, router_id: &str, net: &str) -> Frr {
    let conf = frr_conf::ospfd(router_id, &[("eth0", true)], 1, 4, &[net], &[]);
    Frr::start(ns, &frr_conf::zebra(router_id), &conf).expect("start FRR")
}

#[test]
fn frr_frr_p2p_reach_full() {
    if !(require_root("frr_frr_p2p_reach_full", "network namespaces")
        && require_tool("frr_frr_p2p_reach_full", "frr"))
    {
        return;
    }
    let a = Netns::new("p2pa").unwrap();
    let b = Netns::new("p2pb").unwrap();
    veth(&a, "eth0", &b, "eth0").unwrap();
    a.add_addr("eth0", "10.1.0.1/30").unwrap();
    b.add_addr("eth0", "10.1.0.2/30").unwrap();
    let fa = frr_p2p(&a, "10.1.0.1", "10.1.0.0/30");
    let fb = frr_p2p(&b, "10.1.0.2", "10.1.0.0/30");
    let (_, took) = wait_for(Duration::from_secs(30), Duration::from_millis(100), || {
        (fa.full_neighbors() == 1 && fb.full_neighbors() == 1).then_some(())
    })
    .unwrap_or_else(|e| {
        panic!(
            "no adjacency: {e}; a sees {:?}, b sees {:?}",
            fa.ospf_neighbors(),
            fb.ospf_neighbors()
        )
    });
    let na = fa.ospf_neighbors().unwrap();
    assert_eq!(na.len(), 1);
    assert_eq!(na[0].0, "10.1.0.2");
    assert!(na[0].1.starts_with("Full"), "{na:?}");
    eprintln!("FRR-FRR p2p Full after {took:?}");

    // A crash and restart of one side's ospfd: the harness brings it back and both sides
    // reach Full again.
    let mut fb = fb;
    fb.signal_ospfd(Signal::Kill).unwrap();
    fb.ospfd()
        .unwrap()
        .wait_exit(Duration::from_secs(2))
        .unwrap();
    fb.restart_ospfd(&b).unwrap();
    let (_, again) = wait_for(Duration::from_secs(30), Duration::from_millis(100), || {
        (fa.full_neighbors() == 1 && fb.full_neighbors() == 1).then_some(())
    })
    .unwrap_or_else(|e| panic!("no adjacency after restart: {e}"));
    eprintln!("FRR-FRR p2p Full again {again:?} after an ospfd restart");
}

#[test]
fn bird_frr_p2p_reach_full() {
    if !(require_root("bird_frr_p2p_reach_full", "network namespaces")
        && require_tool("bird_frr_p2p_reach_full", "frr")
        && require_tool("bird_frr_p2p_reach_full", "bird"))
    {
        return;
    }
    let a = Netns::new("birda").unwrap();
    let b = Netns::new("birdb").unwrap();
    veth(&a, "eth0", &b, "eth0").unwrap();
    a.add_addr("eth0", "10.2.0.1/30").unwrap();
    b.add_addr("eth0", "10.2.0.2/30").unwrap();
    a.add_loopback_addr("10.2.1.1/32").unwrap();
    let fa = frr_p2p(&a, "10.2.0.1", "10.2.0.0/30");
    let conf = "router id 10.2.0.2;\n\
        protocol device {}\n\
        protocol kernel { ipv4 { export all; }; merge paths on; }\n\
        protocol ospf v2 {\n  ipv4 { import all; };\n  ecmp yes;\n  area 0 {\n    \
        interface \"eth0\" { type ptp; hello 1; dead 4; };\n  };\n}\n";
    let bird = Bird::start(&b, conf).unwrap();
    let (_, took) = wait_for(Duration::from_secs(30), Duration::from_millis(100), || {
        (fa.full_neighbors() == 1 && bird.full_neighbors() == 1).then_some(())
    })
    .unwrap_or_else(|e| {
        panic!(
            "no adjacency: {e}; FRR sees {:?}, BIRD sees {:?}",
            fa.ospf_neighbors(),
            bird.birdc("show ospf neighbors")
        )
    });
    let nb = bird.ospf_neighbors().unwrap();
    assert_eq!(nb.len(), 1);
    assert_eq!(nb[0].0, "10.2.0.1");
    eprintln!("BIRD-FRR p2p Full after {took:?}");
}

/// The anycast seed topology with FRR everywhere.
struct Seed {
    topo: SeedTopology,
    router_frr: Frr,
    server_frr: Vec<Frr>,
    /// When the first FRR daemon was started.
    started: Instant,
    /// When the last ospfd answered on its vty socket.
    all_up: Instant,
}

const ANYCAST: Ipv4Addr = SeedTopology::ANYCAST;

fn build_seed() -> Seed {
    let topo = SeedTopology::build(3).unwrap();
    let started = Instant::now();
    let rconf = frr_conf::ospfd(
        "10.0.0.254",
        &[("eth0", false)],
        1,
        4,
        &["10.0.0.0/24", "192.168.0.0/24"],
        &["eth1"],
    );
    let router_frr = Frr::start(&topo.router, &frr_conf::zebra("router"), &rconf).unwrap();
    let server_frr = topo
        .servers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let id = SeedTopology::server_addr(i).to_string();
            let conf = frr_conf::ospfd(
                &id,
                &[("eth0", false)],
                1,
                4,
                &["10.0.0.0/24", "172.16.0.1/32"],
                &[],
            );
            Frr::start(s, &frr_conf::zebra(&id), &conf).unwrap()
        })
        .collect();
    let all_up = Instant::now();
    Seed {
        topo,
        router_frr,
        server_frr,
        started,
        all_up,
    }
}

fn wait_paths(topo: &SeedTopology, n: usize, timeout: Duration) -> (Vec<Ipv4Addr>, Duration) {
    wait_for(timeout, POLL, || {
        let p = topo.anycast_paths();
        (p.len() == n).then_some(p)
    })
    .unwrap_or_else(|e| {
        panic!(
            "expected {n} paths to {ANYCAST}: {e}; now {:?}",
            topo.anycast_paths()
        )
    })
}

#[test]
fn frr_seed_topology_baseline() {
    if !(require_root("frr_seed_topology_baseline", "network namespaces")
        && require_tool("frr_seed_topology_baseline", "frr"))
    {
        return;
    }
    let mut seed = build_seed();

    // Three equal-cost paths, one per server.
    // The router's adjacencies with all three servers, then the three paths in its kernel.
    wait_for(Duration::from_secs(40), Duration::from_millis(50), || {
        (seed.router_frr.full_neighbors() == 3).then_some(())
    })
    .unwrap_or_else(|e| {
        panic!(
            "router adjacencies: {e}: {:?}",
            seed.router_frr.ospf_neighbors()
        )
    });
    let to_full = seed.started.elapsed();
    let (paths, _) = wait_paths(&seed.topo, 3, Duration::from_secs(40));
    let to_paths = seed.started.elapsed();
    let to_paths_all_up = seed.all_up.elapsed();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec![
            SeedTopology::server_addr(0),
            SeedTopology::server_addr(1),
            SeedTopology::server_addr(2)
        ]
    );
    eprintln!(
        "FRR baseline: router Full with 3 servers {to_full:?}, 3 paths {to_paths:?} after the \
         first daemon started ({to_paths_all_up:?} after the last); group order {paths:?}"
    );
    assert_eq!(seed.router_frr.full_neighbors(), 3);

    // The servers must also know the way back to the clients before requests can succeed.
    for f in &seed.server_frr {
        wait_for(Duration::from_secs(20), Duration::from_millis(50), || {
            f.vtysh_json("show ip route 192.168.0.0/24 json")
                .ok()
                .filter(|v| v.get("192.168.0.0/24").is_some())
        })
        .expect("server learns the client network");
    }
    for s in &seed.topo.servers {
        wait_for(Duration::from_secs(10), Duration::from_millis(20), || {
            s.routes("192.168.0.0/24")
                .ok()
                .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
        })
        .expect("client route in a server's kernel");
    }

    // 300 requests with distinct source ports spread over all three servers.
    let sports: Vec<u16> = (30000..30300).collect();
    let (per_server, failed) = seed.topo.requests(&sports, Duration::from_secs(2)).unwrap();
    eprintln!("FRR baseline: 300 requests -> {per_server:?}, {failed} failed");
    assert_eq!(failed, 0, "requests failed: {per_server:?}");
    assert_eq!(
        per_server.keys().cloned().collect::<Vec<_>>(),
        vec!["server-1", "server-2", "server-3"]
    );

    // Measure failures in steady state, not inside the router's SPF hold-down after convergence.
    let settle1 = settle(&seed.router_frr);
    // Flows before the first server of the group leaves (graceful: SIGTERM on its ospfd).
    let flows = SeedTopology::flows(20000, 1000);
    let before = seed.topo.router.route_get_flows(&flows).unwrap();
    assert!(before.iter().all(Option::is_some), "every flow has a path");
    let first = paths[0];
    let first_idx = (0..3)
        .find(|i| SeedTopology::server_addr(*i) == first)
        .unwrap();
    seed.server_frr[first_idx]
        .signal_ospfd(Signal::Term)
        .unwrap();
    let t0 = Instant::now();
    let (left, _) = wait_paths(&seed.topo, 2, Duration::from_secs(10));
    let sigterm_gone = t0.elapsed();
    assert!(!left.contains(&first), "{first} still a next hop: {left:?}");
    let after = seed.topo.router.route_get_flows(&flows).unwrap();
    let (moved, on_survivors) = flows_moved(&before, &after, first);
    assert!(on_survivors > 0);
    assert!(after.iter().flatten().all(|g| *g != first));
    eprintln!(
        "FRR baseline: SIGTERM on {first}'s ospfd -> path gone in {sigterm_gone:?}; \
         {moved} of {on_survivors} flows on surviving servers moved ({:.1}%)",
        100.0 * moved as f64 / on_survivors as f64
    );

    let settle2 = settle(&seed.router_frr);
    // A crash (kill -9) of another server's ospfd: the path goes when the dead interval ends.
    let victim = left[0];
    let victim_idx = (0..3)
        .find(|i| SeedTopology::server_addr(*i) == victim)
        .unwrap();
    seed.server_frr[victim_idx]
        .signal_ospfd(Signal::Kill)
        .unwrap();
    let t1 = Instant::now();
    let (remaining, _) = wait_paths(&seed.topo, 1, Duration::from_secs(15));
    let kill_gone = t1.elapsed();
    assert!(!remaining.contains(&victim));
    eprintln!("FRR baseline: kill -9 on {victim}'s ospfd -> path gone in {kill_gone:?}");
    // Dead interval 4 s plus SPF/zebra delays and polling.
    assert!(
        kill_gone <= Duration::from_secs(4) + Duration::from_secs(3),
        "{kill_gone:?}"
    );

    write_baseline(serde_json::json!({
        "settle_before_failures_ms": [settle1.as_millis() as u64, settle2.as_millis() as u64],
        "implementation": "FRR ospfd (router and servers)",
        "hello_interval_s": 1,
        "dead_interval_s": 4,
        "time_to_3_full_adjacencies_ms": to_full.as_millis() as u64,
        "time_to_3_paths_ms": to_paths.as_millis() as u64,
        "time_to_3_paths_after_last_daemon_ms": to_paths_all_up.as_millis() as u64,
        "requests": {"total": 300, "per_server": per_server, "failed": failed},
        "sigterm_path_gone_ms": sigterm_gone.as_secs_f64() * 1e3,
        "kill9_path_gone_ms": kill_gone.as_secs_f64() * 1e3,
        "flows": {
            "total": flows.len(),
            "removed_next_hop": first.to_string(),
            "on_surviving_servers": on_survivors,
            "moved": moved,
            "moved_percent": 100.0 * moved as f64 / on_survivors as f64,
        },
    }));
}

/// Waits until the router's last SPF run is longer ago than FRR's maximum SPF hold time (5 s),
/// so that the next change is computed at once; returns how long that took.
fn settle(frr: &Frr) -> Duration {
    let quiet = |v: &serde_json::Value| {
        let hold_max = v.get("holdtimeMaxMsecs").and_then(|x| x.as_u64())?;
        let last = v.get("spfLastExecutedMsecs").and_then(|x| x.as_u64())?;
        (last > hold_max + 500).then_some(())
    };
    let (_, took) = wait_for(Duration::from_secs(15), Duration::from_millis(100), || {
        frr.vtysh_json("show ip ospf json")
            .ok()
            .as_ref()
            .and_then(quiet)
    })
    .unwrap_or_else(|e| {
        panic!(
            "router SPF never went quiet: {e}: {:?}",
            frr.vtysh_json("show ip ospf json")
        )
    });
    took
}

fn write_baseline(v: serde_json::Value) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../testbed");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("frr-baseline.json");
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    eprintln!("FRR baseline written to {}", path.display());
}
