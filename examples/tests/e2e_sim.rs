//! The engine behaviours the anycast deployment relies on, in the simulator (no root):
//! the database exchange does not stall when neighbors leave Waiting a moment apart,
//! sub-second Hellos, and the fast LSA timers.

use std::net::Ipv4Addr;

use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::Event;
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{NodeId, Sim, SimConfig};
use ospf_core::spf::Prefix;
use ospf_core::time::{Duration, Instant};
use ospf_std::presets::{fast_failover, fast_hello};

const ROUTER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 254);
const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

fn sim() -> Sim {
    let l = Duration::from_micros(200);
    Sim::new(SimConfig::seeded(7).latency(l, l))
}

fn lan(addr: Ipv4Addr) -> InterfaceConfig {
    InterfaceConfig::new(addr, 24)
        .hello_interval(1)
        .dead_interval(4)
}

fn full_at(sim: &Sim, node: NodeId, peer: Ipv4Addr) -> Option<Instant> {
    sim.events(node).iter().find_map(|(t, e)| match e {
        Event::NeighborState { router_id, new, .. }
            if *router_id == peer && *new == NeighborState::Full =>
        {
            Some(*t)
        }
        _ => None,
    })
}

/// The DR leaves Waiting 2 ms before the other router and sends its initial DD while the
/// other still ignores DDs (2-Way); when the other's own initial DD arrives, the DR sends
/// its initial DD again at once, instead of after RxmtInterval (5 s).
#[test]
fn rfc2328_10_6_master_answers_the_slaves_initial_dd_at_once() {
    let mut sim = sim();
    let seg = sim.add_segment();
    let r = sim.add_router(InstanceConfig::new(ROUTER));
    sim.attach(r, seg, lan(ROUTER));
    sim.run_for(Duration::from_millis(2));
    let s = sim.add_router(InstanceConfig::new(SERVER));
    sim.attach(s, seg, lan(SERVER));
    sim.run_for(Duration::from_secs(12));
    let full = full_at(&sim, r, SERVER).expect("adjacency");
    // Wait timers end at 5.000 s and 5.002 s.
    assert!(
        full <= Instant::from_millis(5_100),
        "Full only at {full:?} (RxmtInterval stall)"
    );
}

/// `hello_multiplier`: four Hellos a second with HelloInterval 0 and dead interval 1 s; a
/// crashed neighbor is declared down within a second.
#[test]
fn fast_hello_detects_a_crash_within_one_second() {
    let mut sim = sim();
    let seg = sim.add_segment();
    let r = sim.add_router(fast_failover(InstanceConfig::new(ROUTER)));
    sim.attach(r, seg, fast_hello(lan(ROUTER), 4));
    let s = sim.add_router(fast_failover(InstanceConfig::new(SERVER)));
    sim.attach(s, seg, fast_hello(lan(SERVER), 4));
    sim.attach_alone(
        s,
        InterfaceConfig::new(Ipv4Addr::new(172, 16, 0, 1), 32).if_type(InterfaceType::Loopback),
    );
    sim.run_for(Duration::from_secs(3));
    let full = full_at(&sim, r, SERVER).expect("adjacency with sub-second Hellos");
    // Wait timer = dead interval = 1 s.
    assert!(full <= Instant::from_millis(2_100), "{full:?}");
    let info = sim.instance(r).unwrap().interface(1).unwrap();
    assert_eq!(info.config.wire_hello_interval(), 0);
    assert_eq!(info.config.dead_interval, 1);
    let anycast = Prefix::new(Ipv4Addr::new(172, 16, 0, 1), 32);
    assert!(sim.instance(r).unwrap().routes().any(|(p, _)| p == anycast));

    let crash = sim.now();
    sim.crash(s);
    let gone = sim
        .run_until_true(Duration::from_secs(5), Duration::from_millis(1), |sim| {
            !sim.instance(r).unwrap().routes().any(|(p, _)| p == anycast)
        })
        .expect("route withdrawn");
    let took = gone.saturating_duration_since(crash);
    assert!(took <= Duration::from_millis(1_010), "{took:?}");
    assert!(took >= Duration::from_millis(700), "{took:?}");
}

/// A router with sub-second Hellos and one without do not become neighbors (HelloInterval
/// and RouterDeadInterval must match, RFC 2328 10.5).
#[test]
fn rfc2328_10_5_fast_hello_mismatch_forms_no_adjacency() {
    let mut sim = sim();
    let seg = sim.add_segment();
    let r = sim.add_router(InstanceConfig::new(ROUTER));
    sim.attach(r, seg, fast_hello(lan(ROUTER), 4));
    let s = sim.add_router(InstanceConfig::new(SERVER));
    sim.attach(s, seg, lan(SERVER));
    sim.run_for(Duration::from_secs(10));
    assert_eq!(sim.instance(r).unwrap().neighbors().count(), 0);
    assert_eq!(sim.instance(s).unwrap().neighbors().count(), 0);
}

/// With the fast LSA timers, three servers and a router starting together have three
/// paths right after the Wait timer (4 s); with RFC 2328's 5 s MinLSInterval the DR's
/// second Network-LSA holds the third path back for 5 s.
#[test]
fn fast_lsa_timers_converge_right_after_the_wait_timer() {
    let run = |fast: bool| -> Instant {
        let mut sim = sim();
        let seg = sim.add_segment();
        let cfg = |a| {
            let c = InstanceConfig::new(a);
            if fast { fast_failover(c) } else { c }
        };
        let r = sim.add_router(cfg(ROUTER));
        sim.attach(r, seg, lan(ROUTER));
        for i in 1..=3u8 {
            let a = Ipv4Addr::new(10, 0, 0, i);
            let s = sim.add_router(cfg(a));
            sim.attach(s, seg, lan(a));
            sim.attach_alone(
                s,
                InterfaceConfig::new(Ipv4Addr::new(172, 16, 0, 1), 32)
                    .if_type(InterfaceType::Loopback),
            );
        }
        let anycast = Prefix::new(Ipv4Addr::new(172, 16, 0, 1), 32);
        sim.run_until_true(Duration::from_secs(30), Duration::from_millis(1), |sim| {
            sim.instance(r)
                .unwrap()
                .routes()
                .any(|(p, route)| p == anycast && route.nexthops.len() == 3)
        })
        .expect("three paths")
    };
    let fast = run(true);
    let rfc = run(false);
    // The simulation starts at 1 s.
    assert!(fast <= Instant::from_millis(5_300), "fast timers: {fast:?}");
    assert!(rfc >= Instant::from_secs(9), "RFC timers: {rfc:?}");
}
