//! End to end: weighted anycast servers in the seed topology (root only).
//!
//! Three `server-speaker`s announce 172.16.0.1 as an `anycast-service` with weights 2, 1
//! and 1 (`weight N` in the block: an RFC 7684 Extended Prefix Opaque LSA with our weight
//! sub-TLV beside the host stub). One topology, two routers in turn:
//!
//! 1. our `ecmp-router`: its resilient nexthop group carries the weights (buckets 64/32/32
//!    of 128), and 1,000 client flows (distinct source ports; the router's kernel decides
//!    each one, as for real packets) split within ±5 points of 50/25/25; real HTTP
//!    requests reach every server. Then server 1's weight goes to 1 by a reload of its
//!    file: the same group is rewritten in place, the shares come within ±5 points of
//!    a third each, and the only flows that move are flows of server 1 — as many as it
//!    lost (the minimum: a flow of a server whose share grew never moves).
//! 2. FRR's ospfd (8.4, `capability opaque`): it keeps the opaque LSAs in its database,
//!    stays Full with every server, and spreads the flows equally (±5 points of 33).
//!
//! The shares and moved flows go to `target/testbed/e2e-weights.json` and are printed.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ospf_testbed::{
    Frr, ProcGuard, ScratchDir, SeedTopology, example_binary, frr_conf, require_root, require_tool,
    wait_for,
};
use seed::{all_servers, log_tails, topology, wait_paths, write_result};
use serde_json::json;

#[path = "common/seed.rs"]
mod seed;

/// Flows counted per measurement.
const FLOWS: u16 = 1000;
/// Buckets of our router's resilient group.
const BUCKETS: usize = 128;

fn speaker_conf(i: usize, weight: u8) -> String {
    let id = SeedTopology::server_addr(i);
    format!(
        "hostname server{n}\ninterface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n ip ospf priority 0\nanycast-service web\n address 172.16.0.1/32\n weight {weight}\nexit\nrouter ospf\n ospf router-id {id}\n network 10.0.0.0/24 area 0\n network 172.16.0.1/32 area 0\n",
        n = i + 1
    )
}

struct Lineup {
    dir: ScratchDir,
    /// Stopped (by pid) when the line-up is dropped.
    _speakers: Vec<ProcGuard>,
}

impl Lineup {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn ctl(&self, sock: &str, line: &str) -> String {
        let bin = example_binary("ospf-examples", "ospfctl").expect("ospfctl binary");
        let out = std::process::Command::new(bin)
            .arg("--socket")
            .arg(self.path(sock))
            .args(line.split_whitespace())
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// Rewrites server `i`'s file with `weight` and reloads it.
    fn set_weight(&self, i: usize, weight: u8) {
        std::fs::write(
            self.path(&format!("srv{}.conf", i + 1)),
            speaker_conf(i, weight),
        )
        .unwrap();
        let out = self.ctl(&format!("srv{}.sock", i + 1), "reload");
        assert!(!out.contains("error"), "reload: {out}");
    }

    fn logs(&self) -> String {
        log_tails(self.dir.path(), &["srv1", "srv2", "srv3", "router"])
    }
}

fn start_speakers(topo: &SeedTopology, weights: [u8; 3]) -> Lineup {
    let bin = example_binary("ospf-examples", "server-speaker").expect("server-speaker binary");
    let dir = ScratchDir::new("e2ewt").unwrap();
    let mut speakers = Vec::new();
    for (i, ns) in topo.servers.iter().enumerate() {
        let conf = dir.path().join(format!("srv{}.conf", i + 1));
        std::fs::write(&conf, speaker_conf(i, weights[i])).unwrap();
        let sock = dir.path().join(format!("srv{}.sock", i + 1));
        let log = dir.path().join(format!("srv{}.log", i + 1));
        speakers.push(
            ns.spawn(
                &[
                    bin.to_str().unwrap(),
                    "--config",
                    conf.to_str().unwrap(),
                    "--socket",
                    sock.to_str().unwrap(),
                ],
                Some(&log),
            )
            .unwrap(),
        );
    }
    Lineup {
        dir,
        _speakers: speakers,
    }
}

/// The router's group for the anycast route: gateway -> buckets held (empty behind FRR,
/// which installs a plain multipath route).
fn buckets(topo: &SeedTopology) -> BTreeMap<Ipv4Addr, usize> {
    let mut out = BTreeMap::new();
    let route = topo
        .router
        .ip(&["route", "show", "172.16.0.1/32"])
        .unwrap_or_default();
    let Some(gid) = route
        .split_whitespace()
        .skip_while(|w| *w != "nhid")
        .nth(1)
        .map(str::to_string)
    else {
        return out;
    };
    let objects = topo.router.ip(&["nexthop", "show"]).unwrap_or_default();
    let gw_of = |id: &str| -> Option<Ipv4Addr> {
        objects.lines().find_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w.get(1) == Some(&id) && w.get(2) == Some(&"via"))
                .then(|| w.get(3)?.parse().ok())
                .flatten()
        })
    };
    let table = topo
        .router
        .ip(&["nexthop", "bucket", "show", "id", &gid])
        .unwrap_or_default();
    for l in table.lines() {
        let w: Vec<&str> = l.split_whitespace().collect();
        let gw = w
            .iter()
            .position(|x| *x == "nhid")
            .and_then(|p| w.get(p + 1))
            .and_then(|nh| gw_of(nh));
        if let Some(gw) = gw {
            *out.entry(gw).or_insert(0) += 1;
        }
    }
    out
}

/// Waits until the group's buckets split as `weights` ask (within one bucket).
fn wait_buckets(topo: &SeedTopology, weights: [u32; 3], ctx: &dyn Fn() -> String) -> Duration {
    let total: u32 = weights.iter().sum();
    let want: Vec<f64> = weights
        .iter()
        .map(|w| BUCKETS as f64 * f64::from(*w) / f64::from(total))
        .collect();
    let ok = |b: &BTreeMap<Ipv4Addr, usize>| {
        b.values().sum::<usize>() == BUCKETS
            && all_servers()
                .iter()
                .zip(&want)
                .all(|(s, w)| (b.get(s).copied().unwrap_or(0) as f64 - w).abs() <= 1.0)
    };
    match wait_for(Duration::from_secs(20), Duration::from_millis(50), || {
        ok(&buckets(topo)).then_some(())
    }) {
        Ok(((), took)) => took,
        Err(e) => panic!(
            "buckets should follow {weights:?}: {e}; now {:?}\n{}",
            buckets(topo),
            ctx()
        ),
    }
}

/// The server each of the 1,000 flows goes to, as the router's kernel decides.
fn flows(topo: &SeedTopology) -> Vec<Ipv4Addr> {
    let f = SeedTopology::flows(30000, FLOWS);
    topo.router
        .route_get_flows(&f)
        .unwrap()
        .into_iter()
        .map(|g| g.expect("every flow has a path"))
        .collect()
}

/// Percent of flows per server, in server order.
fn shares(flows: &[Ipv4Addr]) -> Vec<f64> {
    all_servers()
        .iter()
        .map(|s| 100.0 * flows.iter().filter(|f| *f == s).count() as f64 / flows.len() as f64)
        .collect()
}

fn assert_shares(what: &str, got: &[f64], want: [f64; 3], ctx: &dyn Fn() -> String) {
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 5.0,
            "{what}: shares {got:?}, want {want:?} ±5 points\n{}",
            ctx()
        );
    }
    eprintln!("{what}: shares {got:?} (want {want:?} ±5)");
}

#[test]
fn e2e_weighted_servers_behind_our_router_then_frr() {
    if !(require_root(
        "e2e_weighted_servers_behind_our_router_then_frr",
        "network namespaces, raw sockets and kernel routes",
    ) && require_tool("e2e_weighted_servers_behind_our_router_then_frr", "frr"))
    {
        return;
    }
    let t_start = Instant::now();
    let topo = topology();
    eprintln!("topology built in {:?}", t_start.elapsed());
    let lineup = start_speakers(&topo, [2, 1, 1]);
    eprintln!("speakers started at {:?}", t_start.elapsed());

    // 1. Our router.
    let bin = example_binary("ospf-examples", "ecmp-router").expect("ecmp-router binary");
    let rconf = lineup.path("router.conf");
    std::fs::write(
        &rconf,
        "hostname router\ninterface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\nrouter ospf\n router-id 10.0.0.254\n network 10.0.0.0/24 area 0\n network 192.168.0.0/24 area 0\n passive-interface eth1\n",
    )
    .unwrap();
    let mut router = topo
        .router
        .spawn(
            &[
                bin.to_str().unwrap(),
                "--config",
                rconf.to_str().unwrap(),
                "--socket",
                lineup.path("router.sock").to_str().unwrap(),
                "--buckets",
                &BUCKETS.to_string(),
                // Idle buckets move after 1 s: the test's flows are short, and the group
                // must follow each weight change within the test.
                "--idle-timer",
                "1",
            ],
            Some(&lineup.path("router.log")),
        )
        .unwrap();
    let ctx = || lineup.logs();
    let converged = wait_paths(&topo, &all_servers(), Duration::from_secs(30), &ctx);
    let balanced = wait_buckets(&topo, [2, 1, 1], &ctx);
    eprintln!(
        "ours: 3 paths after {converged:?}, buckets 2:1:1 after {balanced:?} more ({:?} since start)",
        t_start.elapsed()
    );
    let route = lineup.ctl("router.sock", "show ip ospf route");
    assert!(
        route.contains("via 10.0.0.1, eth0, weight 2")
            && route.contains("via 10.0.0.2, eth0, weight 1"),
        "{route}"
    );
    let svc = lineup.ctl("srv1.sock", "show anycast services");
    assert!(svc.contains("weight 2"), "{svc}");

    let before = flows(&topo);
    let weighted = shares(&before);
    assert_shares("ours, weights 2:1:1", &weighted, [50.0, 25.0, 25.0], &ctx);
    let sports: Vec<u16> = (42000..42060).collect();
    let (per_server, failed) = topo.requests(&sports, Duration::from_secs(2)).unwrap();
    assert_eq!(failed, 0, "{per_server:?}");
    assert_eq!(per_server.len(), 3, "every server answers: {per_server:?}");

    // 2:1:1 -> 1:1:1 by a reload of server 1's file.
    let nhid = |topo: &SeedTopology| -> Option<String> {
        let r = topo.router.ip(&["route", "show", "172.16.0.1/32"]).ok()?;
        r.split_whitespace()
            .skip_while(|w| *w != "nhid")
            .nth(1)
            .map(str::to_string)
    };
    let group_before = nhid(&topo);
    assert!(group_before.is_some());
    let t = Instant::now();
    lineup.set_weight(0, 1);
    let rebalanced = wait_buckets(&topo, [1, 1, 1], &ctx);
    let rebalance_took = t.elapsed();
    eprintln!(
        "ours: reload to buckets 1:1:1 in {rebalance_took:?} ({:?} since start)",
        t_start.elapsed()
    );
    assert_eq!(
        nhid(&topo),
        group_before,
        "the route keeps its group (rewritten in place)"
    );
    let after = flows(&topo);
    let equal = shares(&after);
    let third = 100.0 / 3.0;
    assert_shares("ours, weights 1:1:1", &equal, [third; 3], &ctx);
    let s1 = SeedTopology::server_addr(0);
    let moved: Vec<(Ipv4Addr, Ipv4Addr)> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, a)| (*b, *a))
        .collect();
    assert!(
        moved.iter().all(|(from, _)| *from == s1),
        "only flows of server 1 (whose share shrank) may move: {:?}",
        moved
            .iter()
            .filter(|(f, _)| *f != s1)
            .take(5)
            .collect::<Vec<_>>()
    );
    let lost =
        before.iter().filter(|s| **s == s1).count() - after.iter().filter(|s| **s == s1).count();
    assert_eq!(moved.len(), lost, "moved = what server 1 lost: the minimum");
    eprintln!(
        "ours: 2:1:1 -> 1:1:1 moved {} of {FLOWS} flows (all from server 1; the minimum for its share change {:.1} -> {:.1} %)",
        moved.len(),
        weighted[0],
        equal[0]
    );
    let svc = lineup.ctl("srv1.sock", "show anycast services");
    assert!(svc.contains("weight 1"), "{svc}");

    // 2. FRR in place of our router, weights back to 2:1:1: equal shares.
    router.stop(Duration::from_secs(5));
    wait_paths(&topo, &[], Duration::from_secs(10), &ctx);
    lineup.set_weight(0, 2);
    let mut rconf = frr_conf::ospfd(
        "10.0.0.254",
        &[("eth0", false)],
        1,
        4,
        &["10.0.0.0/24", "192.168.0.0/24"],
        &["eth1"],
    );
    rconf = rconf.replace("router ospf\n", "router ospf\n capability opaque\n");
    let frr = Frr::start(&topo.router, &frr_conf::zebra("router"), &rconf).unwrap();
    let frr_ctx = || {
        format!(
            "FRR neighbors: {:?}\n{}",
            frr.ospf_neighbors(),
            lineup.logs()
        )
    };
    wait_paths(&topo, &all_servers(), Duration::from_secs(30), &frr_ctx);
    let opaque = wait_for(Duration::from_secs(10), Duration::from_millis(100), || {
        let db = frr
            .vtysh("show ip ospf database opaque-area")
            .unwrap_or_default();
        let from: Vec<Ipv4Addr> = all_servers()
            .into_iter()
            .filter(|s| db.contains(&format!("Advertising Router: {s}")))
            .collect();
        (from.len() == 3).then_some(db)
    });
    let db = match opaque {
        Ok((db, _)) => db,
        Err(e) => panic!(
            "FRR should hold the 3 Extended Prefix LSAs: {e}\n{}\n{}",
            frr.vtysh("show ip ospf database opaque-area")
                .unwrap_or_default(),
            frr_ctx()
        ),
    };
    assert!(db.contains("7.16.0.1"), "Link State ID 7.16.0.1: {db}");
    // The servers have priority 0: FRR is DR and Full with each of them.
    let nbrs = frr.ospf_neighbors().unwrap();
    assert_eq!(
        nbrs.iter().filter(|(_, s)| s.starts_with("Full")).count(),
        3,
        "{nbrs:?}"
    );
    eprintln!(
        "FRR: Full with {nbrs:?}, opaque LSAs in its database ({:?} since start)",
        t_start.elapsed()
    );
    let frr_flows = flows(&topo);
    let frr_shares = shares(&frr_flows);
    assert_shares(
        "FRR, weights 2:1:1 ignored",
        &frr_shares,
        [third; 3],
        &frr_ctx,
    );
    let (per_server, failed) = topo.requests(&sports, Duration::from_secs(2)).unwrap();
    assert_eq!(failed, 0, "{per_server:?}");
    assert_eq!(per_server.len(), 3, "{per_server:?}");
    drop(lineup);

    write_result(
        "weights",
        &json!({
            "flows": FLOWS,
            "buckets": BUCKETS,
            "ours_converged_ms": seed::ms(converged),
            "ours_buckets_2_1_1_after_ms": seed::ms(balanced),
            "ours_shares_2_1_1_pct": weighted,
            "ours_shares_1_1_1_pct": equal,
            "ours_reload_to_rebalanced_ms": seed::ms(rebalance_took),
            "ours_buckets_1_1_1_wait_ms": seed::ms(rebalanced),
            "ours_flows_moved_on_2_1_1_to_1_1_1": moved.len(),
            "frr_shares_2_1_1_ignored_pct": frr_shares,
            "test_s": t_start.elapsed().as_secs_f64(),
        }),
    );
}
