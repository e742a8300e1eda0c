//! End to end: stopping an anycast server while clients keep opening connections (root
//! only).
//!
//! The seed topology (clients on 192.168.0.0/24, our `ecmp-router` at .254, three servers
//! on 10.0.0.0/24 with 172.16.0.1/32 on their loopback; hello 1 s, dead 4 s). Client
//! threads in the client namespace open a new connection for every HTTP GET to
//! 172.16.0.1 (1 s connect and read timeouts) and count successes, failures and which
//! server answered, while one server is stopped:
//!
//! 1. `anycast-http` (web server and speaker in one process), stopped with SIGTERM: it
//!    drains, lingers, then stops. Asserted: no request fails because of the stop (none
//!    refused, cut or timed out), the server's path leaves the router's kernel route, the
//!    other servers keep answering, exit status 0. The one failure no server can prevent
//!    is allowed and counted: a connection opened towards the server an instant before
//!    the router switches, whose request then reaches another server and is reset (at
//!    most one per client thread; see `reset_at_switch`).
//! 2. The usual split: `server-speaker` with an HTTP health check (every 200 ms, fall 2)
//!    next to a separate web server (the harness's `HttpServer`), stopped in the two
//!    usual orders: (a) the web server first (`systemctl stop nginx`; the health check
//!    withdraws the address), (b) the speaker first (SIGTERM, a graceful OSPF drain) and
//!    the web server right after, as a shutdown script does. The failed requests are only
//!    measured.
//!
//! The numbers go to `target/testbed/e2e-drain.json` and are printed.

use std::net::Ipv4Addr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

// The harness: the dev-only `ospf-testbed` package.
use ospf_testbed::{Netns, ProcGuard, SeedTopology, Signal, require_root};
use seed::{Bed, all_servers, index_of, ms, topology, wait_paths};
use serde_json::{Value, json};

#[path = "common/seed.rs"]
mod seed;

#[path = "common/load.rs"]
mod load;
use load::{CLIENT_TIMEOUT, CLIENTS, Load, Outcome};

/// One line-up at a time, so that timings are not skewed.
static SERIAL: Mutex<()> = Mutex::new(());

/// Server `i`'s configuration.
fn speaker_conf(i: usize) -> String {
    seed::speaker_conf(i, "")
}

impl Bed {
    /// Our `ecmp-router` (resilient nexthop groups).
    fn router(&self, ns: &Netns) -> ProcGuard {
        let args = vec![
            "--config".into(),
            self.file("router.conf", &seed::router_conf("")),
            "--socket".into(),
            self.sock("router"),
            "--idle-timer".into(),
            "1".into(),
        ];
        self.spawn(ns, "router", "ecmp-router", &args)
    }

    /// `anycast-http` for server `i`, serving a file naming the server.
    fn anycast_http(&self, ns: &Netns, i: usize, listen: &str) -> ProcGuard {
        let name = format!("server{}", i + 1);
        let root = self.path(&format!("www{}", i + 1));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("index.html"), SeedTopology::server_id(i)).unwrap();
        let args = vec![
            "--config".into(),
            self.file(&format!("{name}.conf"), &speaker_conf(i)),
            "--socket".into(),
            self.sock(&name),
            "--listen".into(),
            listen.into(),
            "--root".into(),
            root.to_string_lossy().into_owned(),
        ];
        self.spawn(ns, &name, "anycast-http", &args)
    }

    /// `server-speaker` for server `i`, checking the web server on port 80.
    fn server_speaker(&self, ns: &Netns, i: usize) -> ProcGuard {
        let name = format!("server{}", i + 1);
        let args: Vec<String> = [
            "--config",
            &self.file(&format!("{name}.conf"), &speaker_conf(i)),
            "--socket",
            &self.sock(&name),
            "--check-http",
            "http://127.0.0.1:80/",
            "--check-interval",
            "200",
            "--check-timeout",
            "150",
            "--check-fall",
            "2",
            "--check-rise",
            "2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        self.spawn(ns, &name, "server-speaker", &args)
    }

    fn logs(&self) -> String {
        seed::log_tails(
            self.dir.path(),
            &["router", "server1", "server2", "server3"],
        )
    }
}

/// Whether a failed request was reset while under way at some point between the stop
/// (`stop_at`) and the moment the path was seen gone (`gone_at`).
///
/// With anycast-http (whose server keeps serving well past the switch) only the router's
/// switch itself resets: the router moves every flow of the removed next hop at once (a
/// stateless ECMP router cannot do otherwise), so a connection still open towards the
/// drained server at that instant (its request, or the ACKs of the answer's segments,
/// leave the client after the switch) reaches another server, which resets it. No
/// server-side drain can prevent that; each client thread has at most one connection
/// open at that instant. (For the split line-ups the window also holds the resets of a
/// web server that dies mid-answer.)
fn reset_at_switch(o: &Outcome, stop_at: Duration, gone_at: Duration) -> bool {
    let (at, took, r) = o;
    matches!(r, Err(e) if e.contains("os error 104")) && *at <= gone_at && *at + *took >= stop_at
}

/// Counts of a stretch of client requests; `stop_at` and `gone_at`: when the server was
/// stopped and when its path was seen gone, since the load began.
fn summary(outcomes: &[Outcome], stop_at: Duration, gone_at: Duration) -> Value {
    let mut per_server = std::collections::BTreeMap::<String, usize>::new();
    let mut errors = std::collections::BTreeMap::<String, usize>::new();
    let mut failed_at = Vec::new();
    let mut at_switch = 0;
    for o in outcomes {
        let (at, took, r) = o;
        match r {
            Ok(id) => *per_server.entry(id.clone()).or_default() += 1,
            Err(e) => {
                if reset_at_switch(o, stop_at, gone_at) {
                    at_switch += 1;
                }
                *errors.entry(e.clone()).or_default() += 1;
                if failed_at.len() < 20 {
                    let since = at.as_secs_f64() - stop_at.as_secs_f64();
                    failed_at.push(
                        json!({"started_ms": (since * 1e4).round() / 10.0, "took_ms": ms(*took)}),
                    );
                }
            }
        }
    }
    let failed: usize = errors.values().sum();
    json!({"requests": outcomes.len(), "failed": failed,
        "reset_between_stop_and_path_gone": at_switch,
        "failed_otherwise": failed - at_switch,
        "per_server": per_server, "errors": errors,
        "failures_since_stop": failed_at})
}

fn failed(v: &Value) -> u64 {
    v["failed"].as_u64().unwrap()
}

/// Line-up 1: anycast-http, SIGTERM on one server under load.
fn anycast_http_drain() -> Value {
    let mut topo = topology();
    // anycast-http replaces the harness's web servers on port 80.
    topo.http.clear();
    let bed = Bed::new("drain");
    let ctx = || bed.logs();
    let listen = format!("{}:{}", SeedTopology::ANYCAST, SeedTopology::HTTP_PORT);

    // An address no `network A/32` line announces is refused.
    let mut bad = bed.anycast_http(&topo.servers[0], 0, "10.0.0.1:8080");
    let st = bad.wait_exit(Duration::from_secs(10)).unwrap();
    assert_eq!(st.code(), Some(2), "{st:?}\n{}", ctx());
    let msg = std::fs::read_to_string(bed.path("server1.log")).unwrap();
    assert!(msg.contains("network 10.0.0.1/32"), "{msg}");

    let t0 = Instant::now();
    let _router = bed.router(&topo.router);
    let mut servers: Vec<ProcGuard> = (0..3)
        .map(|i| bed.anycast_http(&topo.servers[i], i, &listen))
        .collect();
    wait_paths(&topo, &all_servers(), Duration::from_secs(30), &ctx);
    let converge = t0.elapsed();
    eprintln!("anycast-http: three paths {converge:?} after start");
    // The route calculation's back-off goes quiet (1 s).
    std::thread::sleep(Duration::from_millis(1500));

    let victim = topo.anycast_paths()[0];
    let vi = index_of(victim);
    let rest: Vec<Ipv4Addr> = all_servers().into_iter().filter(|a| *a != victim).collect();
    let load = Load::start(&topo.client);
    std::thread::sleep(Duration::from_secs(2));
    let stop_at = load.now();
    servers[vi].signal(Signal::Term).unwrap();
    wait_paths(&topo, &rest, Duration::from_secs(10), &ctx);
    // Timed from before the signal is sent (`kill` takes a few ms to run).
    let gone_at = load.now();
    let gone = gone_at - stop_at;
    let exit = servers[vi].wait_exit(Duration::from_secs(15)).unwrap();
    let exit_at = load.now();
    std::thread::sleep(Duration::from_secs(2));
    let outcomes = load.stop();
    let log =
        std::fs::read_to_string(bed.path(&format!("server{}.log", vi + 1))).unwrap_or_default();
    eprintln!("--- server{}.log, the drained anycast-http:\n{log}", vi + 1);
    eprintln!(
        "anycast-http: SIGTERM on {victim} -> path gone in {gone:?}, exit {exit:?} after {:?}",
        exit_at - stop_at
    );
    let before: Vec<Outcome> = outcomes.iter().filter(|o| o.0 < stop_at).cloned().collect();
    let after: Vec<Outcome> = outcomes.iter().filter(|o| o.0 > exit_at).cloned().collect();
    let all = summary(&outcomes, stop_at, gone_at);
    let (sb, sa) = (
        summary(&before, stop_at, gone_at),
        summary(&after, stop_at, gone_at),
    );
    eprintln!("anycast-http: all {all}\n before SIGTERM {sb}\n after exit {sa}");
    let victim_id = SeedTopology::server_id(vi);
    // No request fails because of the stop: none refused, none cut by the server, none
    // timed out. Only the router's switch can reset a request in flight at that instant.
    assert_eq!(
        all["failed_otherwise"].as_u64(),
        Some(0),
        "failed requests: {all}\n{}",
        ctx()
    );
    assert!(
        failed(&all) <= CLIENTS as u64,
        "at most one request per client is in flight at the switch: {all}"
    );
    assert!(exit.success(), "{exit:?}\n{}", ctx());
    assert_eq!(
        sb["per_server"].as_object().unwrap().len(),
        3,
        "all three served before: {sb}"
    );
    assert!(sb["per_server"][&victim_id].as_u64() > Some(0), "{sb}");
    let served_after: Vec<&String> = sa["per_server"].as_object().unwrap().keys().collect();
    assert_eq!(
        served_after.len(),
        2,
        "the two others serve after the exit: {sa}"
    );
    assert!(!served_after.contains(&&victim_id), "{sa}");
    assert!(
        sa["requests"].as_u64() >= Some(20),
        "clients kept going: {sa}"
    );
    json!({
        "implementation": "anycast-http x3 (axum + speaker on one tokio runtime, linger 500 ms) + ecmp-router",
        "stopped": victim.to_string(),
        "stop": "SIGTERM to anycast-http",
        "time_to_3_paths_ms": ms(converge),
        "path_gone_ms": ms(gone),
        "exit_after_sigterm_ms": ms(exit_at - stop_at),
        "exit_status": exit.code(),
        "requests": all,
        "before_sigterm": sb,
        "after_exit": sa,
    })
}

/// SIGTERM by pid (to a child of ours that is not reaped yet: the pid is not reused).
fn sigterm(pid: u32) {
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill -TERM {pid}");
}

/// Stops server `vi` of line-up 2 with `stop` under load; counts the requests.
fn split_stop(
    topo: &SeedTopology,
    bed: &Bed,
    stop: impl FnOnce(),
    victim: Ipv4Addr,
    rest: &[Ipv4Addr],
) -> (Value, Duration) {
    let ctx = || bed.logs();
    let load = Load::start(&topo.client);
    std::thread::sleep(Duration::from_secs(2));
    let stop_at = load.now();
    stop();
    wait_paths(topo, rest, Duration::from_secs(10), &ctx);
    let gone_at = load.now();
    let gone = gone_at - stop_at;
    std::thread::sleep(Duration::from_secs(2));
    let outcomes = load.stop();
    let s = summary(&outcomes, stop_at, gone_at);
    eprintln!("split: {victim} stopped, path gone in {gone:?}; requests {s}");
    (s, gone)
}

/// Line-up 2: server-speaker + a separate web server, both orders.
fn split_speaker_and_web_server() -> Value {
    let mut topo = topology();
    let bed = Bed::new("drain");
    let ctx = || bed.logs();
    let t0 = Instant::now();
    let _router = bed.router(&topo.router);
    let mut speakers: Vec<ProcGuard> = (0..3)
        .map(|i| bed.server_speaker(&topo.servers[i], i))
        .collect();
    wait_paths(&topo, &all_servers(), Duration::from_secs(30), &ctx);
    eprintln!("split: three paths {:?} after start", t0.elapsed());
    std::thread::sleep(Duration::from_millis(1500));
    let group = topo.anycast_paths();

    // (a) The web server first; the health check withdraws.
    let a = group[0];
    let ai = index_of(a);
    let rest: Vec<Ipv4Addr> = all_servers().into_iter().filter(|x| *x != a).collect();
    let web = topo.http[ai].process().pid();
    let (web_first, web_gone) = split_stop(&topo, &bed, || sigterm(web), a, &rest);
    std::thread::sleep(Duration::from_millis(1500));

    // (b) The speaker first (graceful drain on SIGTERM), the web server right after.
    let b = group[1];
    let bi = index_of(b);
    let rest: Vec<Ipv4Addr> = rest.into_iter().filter(|x| *x != b).collect();
    let (speaker, web) = (speakers[bi].pid(), topo.http[bi].process().pid());
    let (speaker_first, speaker_gone) = split_stop(
        &topo,
        &bed,
        || {
            sigterm(speaker);
            sigterm(web);
        },
        b,
        &rest,
    );
    let exit = speakers[bi].wait_exit(Duration::from_secs(10)).ok();
    // Both runs were measured while the clients kept going.
    for s in [&web_first, &speaker_first] {
        assert!(s["requests"].as_u64() >= Some(50), "{s}");
    }
    json!({
        "implementation": "server-speaker x3 (HTTP health check every 200 ms, fall 2) + python3 http.server + ecmp-router",
        "web_server_first": {"stopped": a.to_string(),
            "stop": "SIGTERM to the web server (systemctl stop of the web server); the health check withdraws",
            "path_gone_ms": ms(web_gone), "requests": web_first},
        "speaker_first": {"stopped": b.to_string(),
            "stop": "SIGTERM to server-speaker, then at once SIGTERM to the web server",
            "path_gone_ms": ms(speaker_gone), "speaker_exit": exit.and_then(|e| e.code()),
            "requests": speaker_first},
    })
}

#[test]
fn e2e_drain_anycast_http_vs_split() {
    if !require_root(
        "e2e_drain_anycast_http_vs_split",
        "network namespaces, raw sockets and kernel routes",
    ) {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let ours = anycast_http_drain();
    let split = split_speaker_and_web_server();
    let v = json!({
        "clients": {"threads": CLIENTS, "new_connection_per_request": true,
            "timeout_ms": ms(CLIENT_TIMEOUT)},
        "hello_interval_s": 1, "dead_interval_s": 4,
        "anycast_http": ours,
        "server_speaker_plus_web_server": split,
    });
    let n = |v: &Value| {
        format!(
            "{} ({} of them reset between the stop and the path seen gone)",
            v["failed"], v["reset_between_stop_and_path_gone"]
        )
    };
    let split = &v["server_speaker_plus_web_server"];
    eprintln!(
        "failed requests: anycast-http drain {}; server-speaker + web server: web server first {}, speaker first {}",
        n(&v["anycast_http"]["requests"]),
        n(&split["web_server_first"]["requests"]),
        n(&split["speaker_first"]["requests"]),
    );
    seed::write_result("drain", &v);
}
