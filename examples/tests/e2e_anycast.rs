//! End to end: the seed's anycast topology in network namespaces (root only).
//!
//! Clients on 192.168.0.0/24, servers 10.0.0.1-3 on 10.0.0.0/24 with 172.16.0.1/32 on
//! their loopback and an HTTP server answering with the server id, the router at .254 on
//! both (hello 1 s, dead 4 s). Three line-ups:
//!
//! 1. our `server-speaker`s behind our `ecmp-router`,
//! 2. our speakers behind FRR's ospfd,
//! 3. FRR speakers behind our router,
//!
//! and (4) ours with sub-second Hellos (`--fast-hello 4`, or the configuration file's
//! `ip ospf dead-interval minimal hello-multiplier 4`). Each asserts three next hops in the router's kernel
//! table, 300 client requests spread over all three servers, a path withdrawn on SIGTERM,
//! on a failed health check (and back on recovery), and on kill -9 after the dead
//! interval; and records, for 1000 client flows, which path the router's kernel picks
//! before and after a server leaves. The measured times go to `target/testbed/e2e-*.json`
//! and are printed.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ospf_testbed::{
    Frr, HttpServer, Netns, ProcGuard, ScratchDir, SeedTopology, Signal, example_binary,
    flows_moved, frr_conf, require_root, require_tool, wait_for,
};
use seed::{all_servers, index_of, ms, topology, wait_paths, write_result as write};
use serde_json::{Value, json};

#[path = "common/seed.rs"]
mod seed;

/// The line-ups share the machine: one at a time, so that timings are not skewed.
static SERIAL: Mutex<()> = Mutex::new(());

/// Fast Hellos on the command line (`--fast-hello 4`) except for the third server, which
/// takes them from its configuration file (`ip ospf dead-interval minimal
/// hello-multiplier 4`).
fn cli_fast_hello(i: usize, fast_hello: bool) -> bool {
    fast_hello && i != 2
}

fn speaker_conf(i: usize, fast_hello: bool) -> String {
    let id = SeedTopology::server_addr(i);
    let timers = if cli_fast_hello(i, fast_hello) {
        String::new()
    } else if fast_hello {
        "\tip ospf dead-interval minimal hello-multiplier 4\n".to_string()
    } else {
        "\tip ospf hello-interval 1\n\tip ospf dead-interval 4\n".to_string()
    };
    // The seed's file, verbatim, plus the hello/dead intervals of the test.
    format!(
        "hostname server{n}\ninterface eth0\n{timers}router ospf\n\tospf router-id {id}\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n",
        n = i + 1
    )
}

fn router_conf(fast_hello: bool) -> String {
    let timers = if fast_hello {
        ""
    } else {
        " ip ospf hello-interval 1\n ip ospf dead-interval 4\n"
    };
    // The seed's Cisco router, in IOS syntax.
    format!(
        "hostname router\ninterface eth0\n{timers}!\nrouter ospf 1\n router-id 10.0.0.254\n network 10.0.0.0 0.0.0.255 area 0\n network 192.168.0.0 0.0.0.255 area 0\n passive-interface eth1\n!\n"
    )
}

struct Ours {
    bin: PathBuf,
    dir: ScratchDir,
}

impl Ours {
    fn new() -> Ours {
        Ours {
            bin: example_binary("ospf-examples", "server-speaker").expect("server-speaker binary"),
            dir: ScratchDir::new("e2e").unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn speaker(&self, ns: &Netns, i: usize, fast_hello: bool) -> ProcGuard {
        let conf = self.path(&format!("server{}.conf", i + 1));
        std::fs::write(&conf, speaker_conf(i, fast_hello)).unwrap();
        let sock = self.path(&format!("server{}.sock", i + 1));
        let log = self.path(&format!("server{}.log", i + 1));
        let mut argv = vec![
            self.bin.to_string_lossy().into_owned(),
            "--config".into(),
            conf.to_string_lossy().into_owned(),
            "--socket".into(),
            sock.to_string_lossy().into_owned(),
            "--check-http".into(),
            "http://127.0.0.1:80/".into(),
            "--check-interval".into(),
            "200".into(),
            "--check-timeout".into(),
            "150".into(),
            "--check-fall".into(),
            "2".into(),
            "--check-rise".into(),
            "2".into(),
        ];
        if cli_fast_hello(i, fast_hello) {
            argv.extend(["--fast-hello".into(), "4".into()]);
        }
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        ns.spawn(&argv, Some(&log)).unwrap()
    }

    fn router(&self, ns: &Netns, fast_hello: bool) -> ProcGuard {
        let bin = example_binary("ospf-examples", "ecmp-router").expect("ecmp-router binary");
        let conf = self.path("router.conf");
        std::fs::write(&conf, router_conf(fast_hello)).unwrap();
        let sock = self.path("router.sock");
        let log = self.path("router.log");
        let mut argv = vec![
            bin.to_string_lossy().into_owned(),
            "--config".into(),
            conf.to_string_lossy().into_owned(),
            "--socket".into(),
            sock.to_string_lossy().into_owned(),
            // Rebalance a rejoined server within a second (see `wait_balanced`).
            "--idle-timer".into(),
            "1".into(),
        ];
        if fast_hello {
            argv.extend(["--fast-hello".into(), "4".into()]);
        }
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        ns.spawn(&argv, Some(&log)).unwrap()
    }

    fn logs(&self) -> String {
        seed::log_tails(
            self.dir.path(),
            &["router", "server1", "server2", "server3"],
        )
    }
}

fn ctl(sock: &Path, line: &str) -> String {
    let bin = example_binary("ospf-examples", "ospfctl").expect("ospfctl binary");
    let out = std::process::Command::new(bin)
        .arg("--socket")
        .arg(sock)
        .args(line.split_whitespace())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether process `pid` still runs (not gone, not a zombie).
fn process_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .is_some_and(|r| r.trim_start().starts_with('Z'))
    })
}

/// SIGKILL by pid (the HTTP server of a server: its health check starts failing).
fn kill9(pid: u32) {
    let ok = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill -9 {pid}");
}

fn check_requests(topo: &SeedTopology, ctx: &dyn Fn() -> String) -> Value {
    let sports: Vec<u16> = (30000..30300).collect();
    let (per_server, failed) = topo.requests(&sports, Duration::from_secs(2)).unwrap();
    eprintln!("300 requests -> {per_server:?}, {failed} failed");
    assert_eq!(failed, 0, "requests failed: {per_server:?}\n{}", ctx());
    assert_eq!(
        per_server.keys().cloned().collect::<Vec<_>>(),
        vec!["server-1", "server-2", "server-3"],
        "{}",
        ctx()
    );
    json!({"total": 300, "per_server": per_server, "failed": failed})
}

/// Restarts server `i`'s HTTP server (after a simulated failure).
fn restart_http(topo: &mut SeedTopology, i: usize) {
    topo.http[i] = HttpServer::start(
        &topo.servers[i],
        SeedTopology::HTTP_PORT,
        &SeedTopology::server_id(i),
    )
    .unwrap();
}

/// A resilient group: (group id, unbalanced time in seconds, buckets per member id).
type GroupState = (u64, f64, Vec<(u64, usize)>);

/// The router's resilient group of the anycast route; `None` when the route uses no
/// nexthop object (FRR).
fn group_buckets(topo: &SeedTopology) -> Option<GroupState> {
    let route: Value = serde_json::from_str(
        &topo
            .router
            .ip(&[
                "-j",
                "route",
                "show",
                &format!("{}/32", SeedTopology::ANYCAST),
            ])
            .ok()?,
    )
    .ok()?;
    let gid = route.get(0)?.get("nhid")?.as_u64()?;
    let group: Value = serde_json::from_str(
        &topo
            .router
            .ip(&["-j", "nexthop", "show", "id", &gid.to_string()])
            .ok()?,
    )
    .ok()?;
    let group = group.get(0)?;
    let unbalanced = group["resilient_args"]["unbalanced_time"]
        .as_f64()
        .unwrap_or(0.0);
    let mut members: Vec<(u64, usize)> = group["group"]
        .as_array()?
        .iter()
        .filter_map(|m| Some((m["id"].as_u64()?, 0)))
        .collect();
    let buckets: Value = serde_json::from_str(
        &topo
            .router
            .ip(&["-j", "nexthop", "bucket", "show", "id", &gid.to_string()])
            .ok()?,
    )
    .ok()?;
    for b in buckets.as_array()? {
        let nh = b["bucket"]["nhid"].as_u64()?;
        if let Some(m) = members.iter_mut().find(|m| m.0 == nh) {
            m.1 += 1;
        }
    }
    Some((gid, unbalanced, members))
}

/// Waits until the router's resilient group is balanced: a member that rejoined gets its
/// share of buckets only from buckets idle for the group's idle timer, and such a
/// migration, whenever it happens, moves flows between surviving servers. Measuring a
/// leave on an unbalanced group would count that rebalancing as flows moved by the leave.
/// Returns how long the wait took (zero without a nexthop group, as behind FRR).
fn wait_balanced(topo: &SeedTopology, ctx: &dyn Fn() -> String) -> Duration {
    let t = Instant::now();
    let first = group_buckets(topo);
    let res = wait_for(
        Duration::from_secs(10),
        Duration::from_millis(50),
        || match group_buckets(topo) {
            None => Some(()),
            Some((_, unbalanced, members)) => {
                (unbalanced == 0.0 && members.iter().all(|m| m.1 > 0)).then_some(())
            }
        },
    );
    if let Err(e) = res {
        panic!(
            "resilient group not balanced: {e}; {:?}\n{}",
            group_buckets(topo),
            ctx()
        );
    }
    let took = t.elapsed();
    eprintln!(
        "group before the wait {first:?}, balanced after {took:?}: {:?}",
        group_buckets(topo)
    );
    took
}

/// Flows before/after a server leaves: returns (moved, on_survivors).
fn flows_after_leaving(
    topo: &SeedTopology,
    leave: impl FnOnce(),
    gone: Ipv4Addr,
    ctx: &dyn Fn() -> String,
) -> (Duration, usize, usize) {
    let (took, moved, on_survivors, ()) = flows_after_leaving_probe(topo, leave, || (), gone, ctx);
    (took, moved, on_survivors)
}

/// As [`flows_after_leaving`]; `probe` runs the moment the path is gone.
fn flows_after_leaving_probe<T>(
    topo: &SeedTopology,
    leave: impl FnOnce(),
    probe: impl FnOnce() -> T,
    gone: Ipv4Addr,
    ctx: &dyn Fn() -> String,
) -> (Duration, usize, usize, T) {
    let rest: Vec<Ipv4Addr> = topo
        .anycast_paths()
        .into_iter()
        .filter(|a| *a != gone)
        .collect();
    wait_balanced(topo, ctx);
    let group_before = group_buckets(topo);
    let flows = SeedTopology::flows(20000, 1000);
    let before = topo.router.route_get_flows(&flows).unwrap();
    assert!(before.iter().all(Option::is_some), "every flow has a path");
    let t0 = Instant::now();
    leave();
    wait_paths(topo, &rest, Duration::from_secs(10), ctx);
    let took = t0.elapsed();
    let probed = probe();
    let after = topo.router.route_get_flows(&flows).unwrap();
    let (moved, on_survivors) = flows_moved(&before, &after, gone);
    if moved > 0 && group_before.is_some() {
        // A survivor whose nexthop id changed left and came back within the window (its
        // buckets went to the others); same ids and counts that changed beyond the gone
        // member's share: buckets migrated by the kernel's rebalancing.
        eprintln!(
            "{moved} flows on surviving servers moved; group (id, unbalanced s, buckets per nexthop id) before {group_before:?}, after {:?}",
            group_buckets(topo)
        );
    }
    assert!(after.iter().flatten().all(|g| *g != gone));
    (took, moved, on_survivors, probed)
}

#[test]
fn e2e_our_speakers_behind_our_router() {
    if !require_root(
        "e2e_our_speakers_behind_our_router",
        "network namespaces, raw sockets and kernel routes",
    ) {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut topo = topology();
    let ours = Ours::new();
    let ctx = || ours.logs();
    let t0 = Instant::now();
    let _router = ours.router(&topo.router, false);
    let mut speakers: Vec<ProcGuard> = (0..3)
        .map(|i| ours.speaker(&topo.servers[i], i, false))
        .collect();
    let converge = wait_paths(&topo, &all_servers(), Duration::from_secs(30), &ctx);
    let converge = converge.max(t0.elapsed());
    let group = topo.anycast_paths();
    eprintln!("ours: three paths {converge:?} after start; group order {group:?}");
    if std::env::var_os("E2E_LOGS").is_some() {
        eprintln!("{}", ours.logs());
    }
    let requests = check_requests(&topo, &ctx);

    // Show commands answer in the IOS/FRR layout.
    let rsock = ours.path("router.sock");
    let table = ctl(&rsock, "show ip route ospf");
    eprintln!("router# show ip route ospf\n{table}");
    assert_eq!(
        table
            .lines()
            .filter(|l| l.contains("[110/10] via 10.0.0."))
            .count(),
        3,
        "{table}"
    );
    eprintln!(
        "router$ ip route show 172.16.0.1\n{}",
        topo.router
            .ip(&["route", "show", "172.16.0.1"])
            .unwrap_or_default()
    );
    let nbrs = ctl(&rsock, "show ip ospf neighbor");
    eprintln!("router# show ip ospf neighbor\n{nbrs}");
    eprintln!(
        "server1# show ip ospf database\n{}",
        ctl(&ours.path("server1.sock"), "show ip ospf database")
    );
    eprintln!(
        "server1# show ip ospf interface\n{}",
        ctl(&ours.path("server1.sock"), "show ip ospf interface")
    );
    assert_eq!(nbrs.matches("FULL/").count(), 3, "{nbrs}");
    let j: Value = serde_json::from_str(&ctl(&rsock, "show ip route ospf --json")).unwrap();
    assert_eq!(
        j["172.16.0.1/32"][0]["nexthops"].as_array().map(Vec::len),
        Some(3)
    );
    assert!(ctl(&rsock, "show ip ospf database").contains("Router Link States"));
    assert!(ctl(&rsock, "show ip ospf interface").contains("Internet Address 10.0.0.254/24"));

    // Let the route calculation's back-off go quiet (1 s), as the FRR baseline waits for
    // FRR's SPF hold-down.
    std::thread::sleep(Duration::from_millis(1500));

    // SIGTERM on the first server of the group: graceful drain.
    let first = group[0];
    let fi = index_of(first);
    let pid = speakers[fi].pid();
    let (sigterm, moved, on_survivors, drained_before_exit) = flows_after_leaving_probe(
        &topo,
        || speakers[fi].signal(Signal::Term).unwrap(),
        || process_alive(pid),
        first,
        &ctx,
    );
    eprintln!(
        "ours: SIGTERM on {first} -> path gone in {sigterm:?}; {moved} of {on_survivors} flows on surviving servers moved"
    );
    assert_eq!(moved, 0, "resilient groups keep surviving flows in place");
    // Graceful: the router dropped the path while the speaker still waited for the
    // acknowledgment of its flush.
    let exit = speakers[fi].wait_exit(Duration::from_secs(5)).unwrap();
    eprintln!(
        "ours: speaker still running when its path was gone: {drained_before_exit}; exit {exit:?}"
    );
    assert!(
        drained_before_exit,
        "the path must be gone before the speaker exits"
    );
    assert!(exit.success(), "{exit:?}");
    let t = Instant::now();
    speakers[fi] = ours.speaker(&topo.servers[fi], fi, false);
    wait_paths(&topo, &all_servers(), Duration::from_secs(30), &ctx);
    let rejoin = t.elapsed();
    eprintln!("ours: restarted speaker back in {rejoin:?}");
    std::thread::sleep(Duration::from_millis(1500));

    // A failed health check on another server: its HTTP server dies.
    let victim = group[1];
    let vi = index_of(victim);
    let http_pid = topo.http[vi].process().pid();
    let (health_down, hmoved, hsurv) =
        flows_after_leaving(&topo, move || kill9(http_pid), victim, &ctx);
    eprintln!("ours: HTTP server of {victim} killed -> path gone in {health_down:?}");
    assert_eq!(hmoved, 0);
    restart_http(&mut topo, vi);
    let t = Instant::now();
    wait_paths(&topo, &all_servers(), Duration::from_secs(10), &ctx);
    let health_up = t.elapsed();
    eprintln!("ours: HTTP server of {victim} back -> path back in {health_up:?}");
    std::thread::sleep(Duration::from_millis(1500));

    // kill -9 of a speaker: the dead interval (4 s) finds it.
    let victim2 = group[2];
    let v2 = index_of(victim2);
    let (kill9, kmoved, ksurv) = flows_after_leaving(
        &topo,
        || speakers[v2].signal(Signal::Kill).unwrap(),
        victim2,
        &ctx,
    );
    eprintln!("ours: kill -9 on {victim2}'s speaker -> path gone in {kill9:?}");
    assert_eq!(
        kmoved,
        0,
        "{kmoved} of {ksurv} flows on surviving servers moved\n{}",
        ctx()
    );
    assert!(kill9 <= Duration::from_millis(4500), "{kill9:?}");

    write(
        "ours",
        &json!({
            "implementation": "ospf-rs server-speaker x3 + ecmp-router (resilient nexthop groups)",
            "hello_interval_s": 1,
            "dead_interval_s": 4,
            "time_to_3_paths_ms": ms(converge),
            "requests": requests,
            "sigterm_path_gone_ms": ms(sigterm),
            "sigterm_path_gone_before_exit": drained_before_exit,
            "restart_path_back_ms": ms(rejoin),
            "health_check": {"interval_ms": 200, "fall": 2, "rise": 2,
                "path_gone_ms": ms(health_down), "path_back_ms": ms(health_up)},
            "kill9_path_gone_ms": ms(kill9),
            "flows": {"total": 1000,
                "sigterm": {"removed_next_hop": first.to_string(), "on_surviving_servers": on_survivors, "moved": moved},
                "health": {"removed_next_hop": victim.to_string(), "on_surviving_servers": hsurv, "moved": hmoved},
                "kill9": {"removed_next_hop": victim2.to_string(), "on_surviving_servers": ksurv, "moved": kmoved}},
        }),
    );
    assert!(converge <= Duration::from_secs(5), "converge {converge:?}");
    assert!(sigterm <= Duration::from_millis(100), "SIGTERM {sigterm:?}");
    assert!(
        health_down <= Duration::from_millis(700),
        "health {health_down:?}"
    );
}

#[test]
fn e2e_fast_hello_kill9() {
    if !require_root(
        "e2e_fast_hello_kill9",
        "network namespaces, raw sockets and kernel routes",
    ) {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let topo = topology();
    let ours = Ours::new();
    let ctx = || ours.logs();
    let t0 = Instant::now();
    let _router = ours.router(&topo.router, true);
    let mut speakers: Vec<ProcGuard> = (0..3)
        .map(|i| ours.speaker(&topo.servers[i], i, true))
        .collect();
    wait_paths(&topo, &all_servers(), Duration::from_secs(30), &ctx);
    let converge = t0.elapsed();
    // The configuration file's sub-second Hellos are the engine's: Hello 0 on the wire.
    let third = ctl(&ours.path("server3.sock"), "show ip ospf interface json");
    let j: Value = serde_json::from_str(&third).unwrap_or_else(|e| panic!("{e}: {third}"));
    assert_eq!(
        j["interfaces"]["eth0"]["timerDeadSecs"],
        json!(1),
        "{third}"
    );
    std::thread::sleep(Duration::from_millis(1500));

    let victim = topo.anycast_paths()[0];
    let vi = index_of(victim);
    let (kill9, moved, on_survivors) = flows_after_leaving(
        &topo,
        || speakers[vi].signal(Signal::Kill).unwrap(),
        victim,
        &ctx,
    );
    eprintln!("fast hello: kill -9 on {victim} -> path gone in {kill9:?}");
    // The health verdict by hand, over the control socket, on a surviving server: its
    // path leaves and returns. (After the crash, so that the crash is timed from the
    // same point of the Hello schedule as before.)
    let other = all_servers()
        .into_iter()
        .find(|a| *a != victim)
        .expect("a surviving server");
    let sock = ours.path(&format!("server{}.sock", index_of(other) + 1));
    let left = |gone: &[Ipv4Addr]| -> Vec<Ipv4Addr> {
        all_servers()
            .into_iter()
            .filter(|a| !gone.contains(a))
            .collect()
    };
    let t = Instant::now();
    assert!(ctl(&sock, "health down").contains("withdrawn"));
    wait_paths(&topo, &left(&[victim, other]), Duration::from_secs(5), &ctx);
    let manual_down = t.elapsed();
    let t = Instant::now();
    assert!(ctl(&sock, "health up").contains("announced"));
    wait_paths(&topo, &left(&[victim]), Duration::from_secs(5), &ctx);
    let manual_up = t.elapsed();
    eprintln!(
        "fast hello: `health down` on {other} -> gone in {manual_down:?}, `health up` -> back in {manual_up:?}"
    );
    write(
        "ours-fast-hello",
        &json!({
            "implementation": "ospf-rs, 4 Hellos a second (dead interval 1 s) on speakers and router: --fast-hello 4, server3 by `ip ospf dead-interval minimal hello-multiplier 4`",
            "time_to_3_paths_ms": ms(converge),
            "kill9_path_gone_ms": ms(kill9),
            "health_down_by_hand_path_gone_ms": ms(manual_down),
            "health_up_by_hand_path_back_ms": ms(manual_up),
            "flows": {"total": 1000, "on_surviving_servers": on_survivors, "moved": moved},
        }),
    );
    assert!(kill9 <= Duration::from_millis(1100), "{kill9:?}");
    assert!(manual_down <= Duration::from_millis(300), "{manual_down:?}");
    assert_eq!(moved, 0);
}

#[test]
fn e2e_our_speakers_behind_frr_router() {
    if !(require_root(
        "e2e_our_speakers_behind_frr_router",
        "network namespaces, raw sockets and kernel routes",
    ) && require_tool("e2e_our_speakers_behind_frr_router", "frr"))
    {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut topo = topology();
    let ours = Ours::new();
    let ctx = || ours.logs();
    let t0 = Instant::now();
    let rconf = frr_conf::ospfd(
        "10.0.0.254",
        &[("eth0", false)],
        1,
        4,
        &["10.0.0.0/24", "192.168.0.0/24"],
        &["eth1"],
    );
    let frr = Frr::start(&topo.router, &frr_conf::zebra("router"), &rconf).unwrap();
    let mut speakers: Vec<ProcGuard> = (0..3)
        .map(|i| ours.speaker(&topo.servers[i], i, false))
        .collect();
    let frr_ctx = || format!("FRR: {:?}\n{}", frr.ospf_neighbors(), ours.logs());
    wait_paths(&topo, &all_servers(), Duration::from_secs(40), &frr_ctx);
    let converge = t0.elapsed();
    let group = topo.anycast_paths();
    eprintln!("FRR router: three paths {converge:?} after start; group {group:?}");
    let requests = check_requests(&topo, &ctx);
    // FRR's SPF hold-down (up to 5 s after the last change) must pass.
    std::thread::sleep(Duration::from_secs(11));
    let first = group[0];
    let fi = index_of(first);
    let (sigterm, moved, on_survivors) = flows_after_leaving(
        &topo,
        || speakers[fi].signal(Signal::Term).unwrap(),
        first,
        &frr_ctx,
    );
    eprintln!(
        "FRR router: SIGTERM on our speaker {first} -> gone in {sigterm:?}; {moved} of {on_survivors} surviving flows moved"
    );
    std::thread::sleep(Duration::from_secs(11));
    let victim = group[1];
    let vi = index_of(victim);
    let http_pid = topo.http[vi].process().pid();
    let (health_down, _, _) = flows_after_leaving(&topo, move || kill9(http_pid), victim, &frr_ctx);
    eprintln!("FRR router: health check on {victim} -> gone in {health_down:?}");
    restart_http(&mut topo, vi);
    std::thread::sleep(Duration::from_secs(11));
    let victim2 = group[2];
    let v2 = index_of(victim2);
    // Only two paths left now (server `first` is drained): kill -9 leaves one.
    let t = Instant::now();
    speakers[v2].signal(Signal::Kill).unwrap();
    let expect: Vec<Ipv4Addr> = all_servers()
        .into_iter()
        .filter(|a| *a != victim2 && *a != first)
        .collect();
    wait_paths(&topo, &expect, Duration::from_secs(15), &frr_ctx);
    let kill9 = t.elapsed();
    eprintln!("FRR router: kill -9 on {victim2} -> gone in {kill9:?}");
    write(
        "frr-router",
        &json!({
            "implementation": "ospf-rs server-speaker x3 + FRR ospfd router",
            "hello_interval_s": 1,
            "dead_interval_s": 4,
            "time_to_3_paths_ms": ms(converge),
            "requests": requests,
            "sigterm_path_gone_ms": ms(sigterm),
            "health_check_path_gone_ms": ms(health_down),
            "kill9_path_gone_ms": ms(kill9),
            "flows": {"total": 1000, "removed_next_hop": first.to_string(),
                "on_surviving_servers": on_survivors, "moved": moved},
        }),
    );
}

#[test]
fn e2e_frr_speakers_behind_our_router() {
    if !(require_root(
        "e2e_frr_speakers_behind_our_router",
        "network namespaces, raw sockets and kernel routes",
    ) && require_tool("e2e_frr_speakers_behind_our_router", "frr"))
    {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let topo = topology();
    let ours = Ours::new();
    let ctx = || ours.logs();
    let t0 = Instant::now();
    let _router = ours.router(&topo.router, false);
    let mut frr: Vec<Frr> = (0..3)
        .map(|i| {
            let id = SeedTopology::server_addr(i).to_string();
            let conf = frr_conf::ospfd(
                &id,
                &[("eth0", false)],
                1,
                4,
                &["10.0.0.0/24", "172.16.0.1/32"],
                &[],
            );
            Frr::start(&topo.servers[i], &frr_conf::zebra(&id), &conf).unwrap()
        })
        .collect();
    wait_paths(&topo, &all_servers(), Duration::from_secs(40), &ctx);
    let converge = t0.elapsed();
    let group = topo.anycast_paths();
    eprintln!("our router, FRR speakers: three paths {converge:?} after start; group {group:?}");
    let requests = check_requests(&topo, &ctx);
    std::thread::sleep(Duration::from_millis(1500));
    let first = group[0];
    let fi = index_of(first);
    let (sigterm, moved, on_survivors) = flows_after_leaving(
        &topo,
        || frr[fi].signal_ospfd(Signal::Term).unwrap(),
        first,
        &ctx,
    );
    eprintln!(
        "our router: SIGTERM on FRR speaker {first} -> gone in {sigterm:?}; {moved} of {on_survivors} surviving flows moved"
    );
    assert_eq!(moved, 0, "resilient groups keep surviving flows in place");
    std::thread::sleep(Duration::from_millis(1500));
    let victim = group[1];
    let vi = index_of(victim);
    let (kill9, kmoved, _) = flows_after_leaving(
        &topo,
        || frr[vi].signal_ospfd(Signal::Kill).unwrap(),
        victim,
        &ctx,
    );
    let _ = &mut frr;
    eprintln!("our router: kill -9 on FRR speaker {victim} -> gone in {kill9:?}");
    assert_eq!(kmoved, 0);
    write(
        "frr-speakers",
        &json!({
            "implementation": "FRR ospfd x3 (speakers) + ospf-rs ecmp-router",
            "hello_interval_s": 1,
            "dead_interval_s": 4,
            "time_to_3_paths_ms": ms(converge),
            "requests": requests,
            "sigterm_path_gone_ms": ms(sigterm),
            "kill9_path_gone_ms": ms(kill9),
            "flows": {"total": 1000, "removed_next_hop": first.to_string(),
                "on_surviving_servers": on_survivors, "moved": moved},
        }),
    );
}
