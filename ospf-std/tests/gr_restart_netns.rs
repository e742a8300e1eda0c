//! Graceful restart of our router (RFC 3623 §2), planned and unplanned, in network
//! namespaces the test creates, with FRR 8.4 (`graceful-restart helper enable`) and BIRD
//! 2.0 (`graceful restart aware`) as helpers on one LAN:
//!
//! * planned: `graceful-restart prepare ip ospf`, our process exits once the Grace-LSAs
//!   are acknowledged, leaving its kernel routes; the next process (same state
//!   directory) keeps them while it re-forms its adjacencies, then takes each one over
//!   (same nexthop group: nothing changes in the kernel) and deletes the one it no
//!   longer has;
//! * unplanned: the process dies (no state file); the next one finds its old routes,
//!   announces its restart with Grace-LSAs before its first Hello, and does the same.
//!
//! Throughout, route monitors in our namespace see every kernel change of the routes
//! through FRR and BIRD (none may leave), and FRR's and BIRD's kernels are polled for
//! their routes through us. Needs root, FRR and BIRD; without them the test prints why
//! and returns (CI requires them).

mod common;
mod interop;

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use common::TempDir;
use interop::{TIMERS, can_run, wait};
use ospf_std::api::Event;
use ospf_testbed::{Bird, Bridge, Frr, Netns, OspfRs, RouteMonitor, bird_conf, frr_conf};

const US: &str = "10.0.0.1";
const FRR_ID: &str = "10.0.0.2";
const BIRD_ID: &str = "10.0.0.3";
const OUR_LO: &str = "172.16.0.1";
const FRR_LO: &str = "192.168.100.1";
const BIRD_NET: &str = "192.168.200.0/24";
/// A route of ours the new process will not have (it stands for a prefix that went
/// away while we restarted): it must be deleted when restarting mode ends.
const STALE: &str = "198.51.100.0/24";

fn our_conf() -> String {
    format!(
        "hostname us\ninterface eth0\n{TIMERS} ip ospf priority 100\nrouter ospf\n \
         ospf router-id {US}\n graceful-restart grace-period 60\n \
         network 10.0.0.0/24 area 0\n network {OUR_LO}/32 area 0\n"
    )
}

fn route_via(ns: &Netns, prefix: &str, via: &str) -> bool {
    ns.ip_line(&format!("-4 route show {prefix}"))
        .is_ok_and(|r| r.contains(&format!("via {via}")))
}

/// The `nhid` our route to `prefix` points at.
fn nhid(ns: &Netns, prefix: &str) -> Option<String> {
    let r = ns.ip_line(&format!("-4 route show {prefix}")).ok()?;
    let mut w = r.split_whitespace();
    w.find(|x| *x == "nhid")?;
    w.next().map(str::to_owned)
}

fn done(rx: &Receiver<Event>) -> Option<(&'static str, usize)> {
    std::iter::from_fn(|| rx.try_recv().ok()).find_map(|e| match e {
        Event::GracefulRestartDone {
            reason,
            stale_removed,
        } => Some((reason, stale_removed)),
        _ => None,
    })
}

struct Net {
    us: Netns,
    f: Netns,
    b: Netns,
    frr: Frr,
    bird: Bird,
    _lan: Bridge,
}

impl Net {
    /// FRR and BIRD hold their routes through us, we ours through them.
    fn routes_ok(&self) -> Option<String> {
        let checks = [
            (&self.f, OUR_LO, US, "FRR's route through us"),
            (&self.b, OUR_LO, US, "BIRD's route through us"),
            (&self.us, FRR_LO, FRR_ID, "our route through FRR"),
            (&self.us, BIRD_NET, BIRD_ID, "our route through BIRD"),
        ];
        checks
            .iter()
            .find(|(ns, p, via, _)| !route_via(ns, p, via))
            .map(|(.., what)| format!("{what} is missing"))
    }

    fn neighbors_full(&self, ours: &OspfRs) -> bool {
        ours.full_neighbors() == 2
            && self.frr.full_neighbors() == 2
            && self.bird.full_neighbors() == 2
    }
}

/// One restart: the old process is gone, a new one starts in the same namespace and
/// state directory. Returns the new runtime once restarting mode ended, with the time
/// it took, after checking the kernels every 50 ms meanwhile.
fn restart(net: &Net, state: &TempDir, what: &str) -> (OspfRs, Duration, &'static str, usize) {
    let start = Instant::now();
    let ours = OspfRs::start_graceful(&net.us, &our_conf(), &state.0).expect("start again");
    let events = ours.handle().subscribe();
    assert_eq!(
        ours.with(|rt| rt.instance().is_graceful_restarting()),
        Some(true),
        "{what}: the new process restarts gracefully"
    );
    let mut polls = 0;
    loop {
        if let Some(why) = net.routes_ok() {
            let t = start.elapsed();
            std::thread::sleep(Duration::from_millis(300));
            let log = std::fs::read_to_string(net.frr.dir().join("ospfd.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!(
                "FRR log:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
            let blog = std::fs::read_to_string(net.bird.dir().join("bird.log")).unwrap_or_default();
            let tail: Vec<&str> = blog.lines().rev().take(30).collect();
            eprintln!(
                "BIRD log:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
            panic!(
                "{what}: {why} {t:?} after the new start\nFRR: {}\nBIRD: {}",
                net.frr
                    .vtysh("show ip ospf graceful-restart helper detail")
                    .unwrap_or_default(),
                net.bird.birdc("show ospf neighbors").unwrap_or_default()
            );
        }
        polls += 1;
        if let Some((reason, removed)) = done(&events) {
            let took = start.elapsed();
            eprintln!("{what}: restarting mode left after {took:?} ({reason}), {polls} polls");
            // `show ip ospf graceful-restart`: no restart in progress, the last one ended
            // as reported, with the configured grace period.
            let show = ours
                .with(|rt| rt.answer_line("show ip ospf graceful-restart json"))
                .unwrap_or_default();
            let v: serde_json::Value = serde_json::from_str(&show).expect(&show);
            assert_eq!(
                (
                    &v["restartInProgress"],
                    v["lastExitReason"].as_str(),
                    &v["gracePeriod"]
                ),
                (
                    &serde_json::json!(false),
                    Some(reason),
                    &serde_json::json!(60)
                ),
                "{what}: {show}"
            );
            return (ours, took, reason, removed);
        }
        assert!(
            start.elapsed() < Duration::from_secs(50),
            "{what}: restarting mode not left within 50 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn our_planned_and_unplanned_restarts_with_frr_and_bird_helping() {
    if !can_run("gr_restart_netns", true, true) {
        return;
    }
    let lan = Bridge::new("grrlan").unwrap();
    let (us, f, b) = (
        Netns::new("grrus").unwrap(),
        Netns::new("grrfrr").unwrap(),
        Netns::new("grrbird").unwrap(),
    );
    for (ns, addr) in [(&us, US), (&f, FRR_ID), (&b, BIRD_ID)] {
        lan.attach(ns, "eth0").unwrap();
        ns.add_addr("eth0", &format!("{addr}/24")).unwrap();
    }
    us.add_loopback_addr(&format!("{OUR_LO}/32")).unwrap();
    f.add_loopback_addr(&format!("{FRR_LO}/32")).unwrap();
    b.ip_line("link add stub0 type veth peer name stub1")
        .unwrap();
    b.add_addr("stub0", "192.168.200.1/24").unwrap();
    b.link_up("stub1").unwrap();
    let frr = Frr::start_in_pathspace(
        &f,
        &frr_conf::zebra(FRR_ID),
        &format!(
            "hostname frr\ndebug ospf graceful-restart\ninterface eth0\n{TIMERS} ip ospf priority 10\nrouter ospf\n \
             ospf router-id {FRR_ID}\n capability opaque\n graceful-restart helper enable\n \
             network 10.0.0.0/24 area 0\n network {FRR_LO}/32 area 0\n"
        ),
    )
    .expect("start FRR");
    let bird = Bird::start(
        &b,
        &bird_conf(
            BIRD_ID,
            &[
                ("eth0", "type broadcast; hello 1; dead 4; priority 5;"),
                ("stub0", "stub yes;"),
            ],
        )
        .replace("  ecmp yes;\n", "  ecmp yes;\n  graceful restart aware;\n"),
    )
    .expect("start BIRD");
    let net = Net {
        us,
        f,
        b,
        frr,
        bird,
        _lan: lan,
    };
    let state = TempDir::new("grr-state");
    let ours = OspfRs::start_graceful(&net.us, &our_conf(), &state.0).expect("start ours");
    wait("Full with FRR and BIRD", Duration::from_secs(40), || {
        net.neighbors_full(&ours)
    });
    wait("routes both ways", Duration::from_secs(20), || {
        net.routes_ok().is_none()
    });
    // A converged network: helpers with strict LSA checking refuse while LSAs of ours
    // are still being acknowledged.
    std::thread::sleep(Duration::from_secs(6));
    let monitors = [
        RouteMonitor::start(&net.us, &format!("{FRR_LO}/32")).unwrap(),
        RouteMonitor::start(&net.us, BIRD_NET).unwrap(),
    ];
    let nhid_before = nhid(&net.us, &format!("{FRR_LO}/32")).expect("our route has an nhid");

    // --- Planned ------------------------------------------------------------------
    let events = ours.handle().subscribe();
    ours.handle()
        .graceful_restart_prepare()
        .expect("graceful restart prepare");
    wait("Grace-LSAs acknowledged", Duration::from_secs(10), || {
        std::iter::from_fn(|| events.try_recv().ok()).any(|e| e == Event::GracefulRestartReady)
    });
    assert!(state.0.join("graceful-restart").exists());
    ours.shutdown().expect("exit after prepare");
    // A route of ours the next process will not compute.
    net.us
        .ip_line(&format!(
            "route add {STALE} via {FRR_ID} proto 188 metric 20"
        ))
        .unwrap();
    // Gone past the dead interval: the helpers keep us and our routes stay.
    let gone = Instant::now();
    while gone.elapsed() < Duration::from_secs(5) {
        if let Some(why) = net.routes_ok() {
            panic!("planned, process gone: {why}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let (ours, took_planned, reason, removed) = restart(&net, &state, "planned");
    assert_eq!(reason, "completed");
    assert_eq!(removed, 1, "the route we no longer have is deleted");
    assert!(
        !route_via(&net.us, STALE, FRR_ID),
        "stale route left behind"
    );
    assert!(
        !state.0.join("graceful-restart").exists(),
        "the record is used once"
    );
    let nhid_after = nhid(&net.us, &format!("{FRR_LO}/32")).unwrap();
    assert_eq!(
        nhid_before, nhid_after,
        "the new process took the route over with its nexthop group, unchanged"
    );
    wait(
        "Full again after the planned restart",
        Duration::from_secs(10),
        || net.neighbors_full(&ours),
    );
    interop::lsdbs_equal("FRR", &ours, 4, || net.frr.lsdb());
    interop::lsdbs_equal("BIRD", &ours, 4, || net.bird.lsdb());

    // --- Unplanned ----------------------------------------------------------------
    // Our LSAs re-originated at the end of the restart are in (MinLSInterval 5 s).
    std::thread::sleep(Duration::from_secs(5));
    ours.kill();
    std::thread::sleep(Duration::from_millis(500));
    if let Some(why) = net.routes_ok() {
        panic!("unplanned, process gone: {why}");
    }
    let (ours, took_unplanned, reason, _) = restart(&net, &state, "unplanned");
    assert_eq!(
        reason, "completed",
        "FRR and BIRD helped (Grace-LSA before Hellos)"
    );
    wait(
        "Full again after the unplanned restart",
        Duration::from_secs(10),
        || net.neighbors_full(&ours),
    );
    holds_for_routes(&net, Duration::from_secs(3));
    interop::lsdbs_equal("FRR", &ours, 4, || net.frr.lsdb());
    interop::lsdbs_equal("BIRD", &ours, 4, || net.bird.lsdb());

    for (m, p) in monitors.iter().zip([FRR_LO, BIRD_NET]) {
        let changes = m.changes();
        assert!(
            changes.iter().all(|c| !c.gateways.is_empty()),
            "our route to {p} left the kernel: {changes:?}"
        );
    }
    eprintln!(
        "our restarts with FRR and BIRD helping: planned {:.2} s, unplanned {:.2} s in \
         restarting mode; no route left any kernel; route changes seen in ours: {:?}",
        took_planned.as_secs_f64(),
        took_unplanned.as_secs_f64(),
        monitors
            .iter()
            .map(|m| m.changes().len())
            .collect::<Vec<_>>()
    );
    ours.shutdown().unwrap();
}

fn holds_for_routes(net: &Net, d: Duration) {
    interop::holds_for(d, || net.routes_ok());
}
