//! Graceful restart (RFC 3623) with BIRD 2.0 as the restarting router and our runtime as
//! its helper, in network namespaces the test creates: BIRD (`graceful restart yes` in
//! its OSPF protocol) does a planned restart as BIRD does it, `birdc graceful restart`
//! (Grace-LSAs flooded and acknowledged, then BIRD exits without flushing) followed by
//! `bird -R` (recovery). We keep the adjacency Full while BIRD is away, and BIRD announced
//! and the kernel route through it until helper mode ends, the restart completed, when
//! BIRD is Full again. What BIRD does after that (it flushes its pre-restart Router-LSA
//! and re-originates it a second later) is measured and reported.
//!
//! Needs root and BIRD; without them the test prints why and returns (CI requires them).

mod common;
mod interop;

use std::time::{Duration, Instant};

use interop::{can_run, help_until_exit, helper_events, ospf_route_via as route_via, wait};
use ospf_core::instance::{GrHelperChange, HelperExitReason};
use ospf_core::neighbor::NeighborState;
use ospf_testbed::{Bird, Netns, OspfRs, RouteMonitor, bird_conf, veth};

/// BIRD's router ID (and address on the link), and the network it announces.
const BIRD_ID: &str = "10.0.1.2";
const BIRD_NET: &str = "192.168.100.0/24";

#[test]
fn bird_planned_restart_we_help_adjacency_and_routes_stay() {
    if !can_run("gr_helper_bird", false, true) {
        return;
    }
    let s = Netns::new("grhbus").unwrap();
    let b = Netns::new("grhbbird").unwrap();
    veth(&s, "eth0", &b, "eth0").unwrap();
    s.add_addr("eth0", "10.0.1.1/30").unwrap();
    s.add_loopback_addr("172.16.0.1/32").unwrap();
    b.add_addr("eth0", "10.0.1.2/30").unwrap();
    // A network of BIRD's own to announce (one end of a veth pair, so that it is up).
    b.ip_line("link add stub0 type veth peer name stub1")
        .unwrap();
    b.add_addr("stub0", "192.168.100.1/24").unwrap();
    b.link_up("stub1").unwrap();
    // BIRD restarts gracefully (grace period 60 s) and keeps its kernel routes across.
    let conf = bird_conf(
        BIRD_ID,
        &[
            // Retransmit 2 s (BIRD's least; default 5): BIRD's first DD after its return
            // meets our Full neighbor and is dropped (SeqNumberMismatch), so its
            // retransmission is what resynchronises.
            ("eth0", "type pointopoint; hello 1; dead 4; retransmit 2;"),
            ("stub0", "stub yes;"),
        ],
    )
    .replace(
        "ecmp yes;",
        "ecmp yes;\n  graceful restart yes;\n  graceful restart time 60;",
    )
    .replace(
        "merge paths on;",
        "merge paths on; persist; graceful restart on;",
    );
    let mut bird = Bird::start(&b, &conf).expect("start BIRD");
    let ours = OspfRs::start(
        &s,
        "hostname us\ninterface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n \
         ip ospf network point-to-point\nrouter ospf\n ospf router-id 10.0.0.1\n \
         graceful-restart helper enable\n \
         network 10.0.1.0/30 area 0\n network 172.16.0.1/32 area 0\n",
        true,
    )
    .expect("start our runtime");
    let events = ours.handle().subscribe();
    wait("Full with BIRD", Duration::from_secs(30), || {
        ours.full_neighbors() == 1 && bird.full_neighbors() == 1
    });
    wait("our route through BIRD", Duration::from_secs(15), || {
        route_via(&s, BIRD_NET, BIRD_ID)
    });
    interop::lsdbs_equal("BIRD", &ours, 2, || bird.lsdb());
    let monitor = RouteMonitor::start(&s, BIRD_NET).expect("route monitor");
    // BIRD's own route to us, in its namespace: BIRD's business, reported only.
    let bird_monitor = RouteMonitor::start(&b, "172.16.0.1/32").expect("route monitor");

    // BIRD announces its restart and exits; a new BIRD starts in recovery.
    let nbr = |ours: &OspfRs| {
        ours.handle()
            .neighbors()
            .ok()
            .and_then(|n| n.into_iter().next())
    };
    let our_rlsa = |ours: &OspfRs| {
        ours.lsdb()
            .into_iter()
            .find(|l| l.lsa_type == 1 && l.adv_router.to_string() == "10.0.0.1")
    };
    let rlsa_before = our_rlsa(&ours).expect("our Router-LSA");
    let started = Instant::now();
    let exited = bird
        .graceful_restart_exit()
        .expect("birdc graceful restart");
    let mut seen = Vec::new();
    helper_events(&events, &mut seen);
    assert!(
        matches!(
            seen[..],
            [GrHelperChange::Entered {
                grace_period: 60,
                ..
            }]
        ),
        "helper mode entered, with BIRD's grace period, by the time BIRD exited: {seen:?}"
    );
    // Throughout: BIRD stays our neighbor and helped, our Router-LSA keeps the link to
    // it (the same instance: not re-originated without it), and the route stays.
    let mut polls = 0;
    let mut check = |what: &str| {
        let n = nbr(&ours).expect("BIRD is still our neighbor");
        assert!(n.gr_helper.is_some(), "{what}: still helping");
        assert_eq!(
            our_rlsa(&ours).as_ref(),
            Some(&rlsa_before),
            "{what}: our Router-LSA changed while helping"
        );
        assert!(
            route_via(&s, BIRD_NET, BIRD_ID),
            "{what}: the route through BIRD left the kernel"
        );
        polls += 1;
        n.state
    };
    // BIRD stays away for 1.5 dead intervals: the adjacency stays Full.
    while started.elapsed() < Duration::from_secs(6) {
        assert_eq!(check("BIRD down"), NeighborState::Full, "BIRD down");
        std::thread::sleep(Duration::from_millis(50));
    }
    bird.start_recovery(&b).expect("bird -R");
    let back_at = Instant::now();
    // Until helper mode ends, as BIRD resynchronises (its database exchange takes the
    // neighbor through ExStart..Loading; RFC 3623 keeps it announced as Full).
    let states = help_until_exit(&events, &mut seen, "BIRD", || check("BIRD back"));
    let completed = back_at.elapsed();
    let helper_left = Instant::now();
    assert_eq!(
        seen[1..],
        [GrHelperChange::Exited(HelperExitReason::Completed)],
        "the restart completed (states seen meanwhile: {states:?})"
    );
    assert!(nbr(&ours).and_then(|n| n.gr_helper).is_none());
    let during = monitor.changes();
    assert!(
        during.iter().all(|c| !c.gateways.is_empty()),
        "the kernel lost the route through BIRD while we helped: {during:?}"
    );
    // Out of its recovery, BIRD 2.0.12 flushes the pre-restart Router-LSA it got back
    // in the database exchange (MaxAge), and originates its new one only at its next
    // tick (1 s later): for that second no router has a Router-LSA of BIRD's, and the
    // route through BIRD goes. That is after helper mode, and BIRD's doing (RFC 3623
    // §2: a restarting router re-originates, it does not flush), so it is measured and
    // reported here, not asserted: how long BIRD's Router-LSA was missing from our LSDB,
    // and how long the route was. The latter also has our SPF back-off in it (RFC 8405,
    // the runtime's default timers): BIRD's flush and its new Router-LSA come about 1 s
    // apart, past TIME_TO_LEARN (500 ms), so the second waits LONG_SPF_DELAY (5 s).
    // Shown by experiment: with TIME_TO_LEARN at 2 s the route was gone 0.55 s (BIRD's
    // 0.50 s and the 50 ms short delay) instead of 5.5-6.0 s. Asserted: no more than
    // BIRD's gap, that long delay and 1 s.
    let bird_rlsa = |ours: &OspfRs| {
        ours.lsdb()
            .into_iter()
            .any(|l| l.lsa_type == 1 && l.adv_router.to_string() == BIRD_ID)
    };
    // Until BIRD's Router-LSA and the route are both back after a gap, or 3 s pass
    // without one (a BIRD that does not flush).
    let (mut rlsa_missing, mut last, mut gap) = (Duration::ZERO, Instant::now(), false);
    while helper_left.elapsed() < Duration::from_secs(15) {
        let now = Instant::now();
        let (rlsa, route) = (bird_rlsa(&ours), route_via(&s, BIRD_NET, BIRD_ID));
        if !rlsa {
            rlsa_missing += now - last;
        }
        gap |= !rlsa || !route;
        if rlsa && route && (gap || helper_left.elapsed() > Duration::from_secs(3)) {
            break;
        }
        last = now;
        std::thread::sleep(Duration::from_millis(50));
    }
    wait(
        "the route through BIRD after its restart",
        Duration::from_secs(10),
        || route_via(&s, BIRD_NET, BIRD_ID),
    );
    wait(
        "Full both ways after the restart",
        Duration::from_secs(10),
        || ours.full_neighbors() == 1 && bird.full_neighbors() == 1,
    );
    interop::lsdbs_equal("BIRD", &ours, 2, || bird.lsdb());
    let changes = monitor.changes();
    let gone = changes.iter().find(|c| c.gateways.is_empty()).map(|c| c.at);
    let route_gap = gone.map(|g| {
        let back = changes
            .iter()
            .find(|c| c.at > g && !c.gateways.is_empty())
            .map_or_else(Instant::now, |c| c.at);
        (
            g.duration_since(helper_left).as_secs_f64(),
            back.duration_since(g).as_secs_f64(),
        )
    });
    if let Some((_, for_s)) = route_gap {
        let long = ospf_core::spf::SpfTimers::default().long;
        let bound = rlsa_missing.as_secs_f64() + long.as_secs() as f64 + 1.0;
        assert!(
            for_s <= bound,
            "the route through BIRD was gone {for_s:.2} s, more than BIRD's gap and our \
             LONG_SPF_DELAY ({bound:.2} s)"
        );
    }
    eprintln!(
        "BIRD planned restart: BIRD exited {:.0} ms after `birdc graceful restart`, was \
         down {:.1} s; helper mode left (completed) {:.2} s after `bird -R` answered; \
         {polls} polls while helping: adjacency kept (states {states:?}), our Router-LSA \
         unchanged, route kept. After helper mode: BIRD's Router-LSA missing from our \
         LSDB {:.2} s; route through BIRD (gone s after helper mode, for s): {route_gap:?}. \
         BIRD's kernel route to us, changes: {:?}",
        exited.as_secs_f64() * 1000.0,
        back_at.duration_since(started).as_secs_f64(),
        completed.as_secs_f64(),
        rlsa_missing.as_secs_f64(),
        bird_monitor
            .changes()
            .iter()
            .map(|c| (c.at.duration_since(started).as_secs_f64(), c.gateways.len()))
            .collect::<Vec<_>>(),
    );
}
