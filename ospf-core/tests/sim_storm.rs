//! An LSA storm in simulation (issue 14, RFC 1765): a neighbor originating far more
//! AS-external LSAs than our limit leaves the LSDB at the limit, and a good neighbor's
//! adjacency and routes in place.
#![cfg(feature = "sim")]

use core::net::Ipv4Addr;
use ospf_core::config::{IgnorePolicy, InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::{DropReason, ExternalRoute};
use ospf_core::neighbor::NeighborState;
use ospf_core::prefix::Prefix;
use ospf_core::sim::{NodeId, Sim, SimConfig};
use ospf_core::time::Duration;

fn rid(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(n, n, n, n)
}

fn p2p(a: [u8; 4]) -> InterfaceConfig {
    InterfaceConfig::new(Ipv4Addr::from(a), 30).if_type(InterfaceType::PointToPoint)
}

fn all_full(sim: &Sim, n: NodeId, count: usize) -> bool {
    sim.instance(n).is_some_and(|i| {
        i.neighbors()
            .filter(|x| x.state == NeighborState::Full)
            .count()
            == count
    })
}

/// A victim (`cfg`) with two p2p neighbors, a good one announcing 192.168.7.0/24 and a
/// bad one (the storm's source), both Full with the victim: (victim, good, bad, good's net).
fn victim_good_bad(sim: &mut Sim, cfg: InstanceConfig) -> (NodeId, NodeId, NodeId, Ipv4Addr) {
    let victim = sim.add_router(cfg);
    let good = sim.add_router(InstanceConfig::new(rid(2)));
    let bad = sim.add_router(InstanceConfig::new(rid(3)));
    sim.link(victim, p2p([10, 0, 0, 1]), good, p2p([10, 0, 0, 2]));
    sim.link(victim, p2p([10, 0, 1, 1]), bad, p2p([10, 0, 1, 2]));
    let good_net = Ipv4Addr::new(192, 168, 7, 0);
    sim.command(good, |i, now| {
        i.redistribute(now, ExternalRoute::new(good_net, 24))
    });
    assert!(
        sim.run_until_true(Duration::from_secs(120), Duration::from_secs(1), |s| {
            all_full(s, victim, 2)
        })
        .is_some()
    );
    (victim, good, bad, good_net)
}

#[test]
fn rfc1765_storm_from_one_neighbor_leaves_the_limit_and_the_good_neighbor() {
    const LIMIT: usize = 150;
    const STORM: u32 = 2_000;
    let mut sim = Sim::new(SimConfig::seeded(14));
    let (victim, good, bad, good_net) =
        victim_good_bad(&mut sim, InstanceConfig::new(rid(1)).max_lsas(Some(LIMIT)));
    sim.run_for(Duration::from_secs(30));
    let has_good_route = |s: &Sim| {
        s.instance(victim)
            .unwrap()
            .routes()
            .any(|(p, _)| p == Prefix::new(good_net, 24))
    };
    assert!(has_good_route(&sim));
    let before = sim.instance(victim).unwrap().lsdb_len();

    // The storm: the bad router redistributes 2,000 prefixes.
    sim.command(bad, |i, now| {
        for k in 0..STORM {
            let p = Ipv4Addr::from(0x2C00_0000 + (k << 8));
            i.redistribute(now, ExternalRoute::new(p, 24));
        }
    });
    sim.run_for(Duration::from_secs(120));

    let v = sim.instance(victim).unwrap();
    assert!(before < LIMIT);
    assert_eq!(v.lsdb_len(), LIMIT, "the LSDB stops at the limit");
    let refused: u64 = v
        .interfaces()
        .map(|i| v.counters(i.ifindex).unwrap().dropped(DropReason::LsdbFull))
        .sum();
    assert!(
        refused >= u64::from(STORM) - LIMIT as u64,
        "{refused} refused"
    );
    assert!(all_full(&sim, victim, 2), "both adjacencies stay Full");
    assert!(has_good_route(&sim), "the good neighbor's route stays");
    let routes = v.routes().count();
    assert!(routes <= LIMIT, "{routes} routes");
    // The good router is not flooded with more than the victim holds.
    let g = sim.instance(good).unwrap();
    assert!(
        g.lsdb_len() <= LIMIT + 1,
        "{} at the good router",
        g.lsdb_len()
    );
}

#[test]
fn rfc2328_10_6_a_database_larger_than_the_limit_is_exchanged_to_full() {
    const LIMIT: usize = 100;
    let mut sim = Sim::new(SimConfig::seeded(15).record_events(true));
    let small = sim.add_router(InstanceConfig::new(rid(1)).max_lsas(Some(LIMIT)));
    let big = sim.add_router(InstanceConfig::new(rid(2)));
    let seg = sim.link(small, p2p([10, 0, 0, 1]), big, p2p([10, 0, 0, 2]));
    sim.set_link_up(seg, false);
    sim.command(big, |i, now| {
        for k in 0..500u32 {
            let p = Ipv4Addr::from(0x2D00_0000 + (k << 8));
            i.redistribute(now, ExternalRoute::new(p, 24));
        }
    });
    sim.run_for(Duration::from_secs(10));
    sim.set_link_up(seg, true);
    // The request list is bounded by the limit, and what does not fit is no longer
    // requested: the exchange ends in Full on both sides.
    let full = sim.run_until_true(Duration::from_secs(120), Duration::from_millis(200), |s| {
        all_full(s, small, 1) && all_full(s, big, 1)
    });
    assert!(full.is_some(), "both sides Full");
    // It fetched what fits while still in Exchange (only as many LSAs as the LSDB has
    // room for are asked for), so it may skip Loading; either way it ends in Full.
    let full_event = sim.events(small).iter().any(|(_, e)| {
        matches!(
            e,
            ospf_core::instance::Event::NeighborState {
                old: NeighborState::Loading | NeighborState::Exchange,
                new: NeighborState::Full,
                ..
            }
        )
    });
    assert!(full_event, "the small router finished its exchange");
    assert_eq!(sim.instance(small).unwrap().lsdb_len(), LIMIT);
    sim.run_for(Duration::from_secs(60));
    assert!(
        all_full(&sim, small, 1) && all_full(&sim, big, 1),
        "and stays Full"
    );
}

fn ignored(sim: &Sim, n: NodeId, who: Ipv4Addr) -> usize {
    sim.events(n)
        .iter()
        .filter(|(_, e)| {
            matches!(e, ospf_core::instance::Event::NeighborIgnored { router_id, .. } if *router_id == who)
        })
        .count()
}

#[test]
fn max_lsa_ignore_time_the_storming_neighbor_is_ignored_the_good_one_stays() {
    const LIMIT: usize = 150;
    let mut sim = Sim::new(SimConfig::seeded(16).record_events(true));
    let policy = IgnorePolicy::new(Duration::from_secs(60))
        .ignore_count(1)
        .reset_time(Duration::from_secs(300));
    let (victim, _good, bad, good_net) = victim_good_bad(
        &mut sim,
        InstanceConfig::new(rid(1))
            .max_lsas(Some(LIMIT))
            .lsa_limit_ignore(Some(policy)),
    );
    sim.command(bad, |i, now| {
        for k in 0..2_000u32 {
            let p = Ipv4Addr::from(0x2C00_0000 + (k << 8));
            i.redistribute(now, ExternalRoute::new(p, 24));
        }
    });
    sim.run_for(Duration::from_secs(20));
    assert_eq!(
        ignored(&sim, victim, rid(3)),
        1,
        "the storming router is ignored"
    );
    let v = sim.instance(victim).unwrap();
    assert_eq!(v.lsdb_len(), LIMIT);
    assert_eq!(v.limit_state(sim.now()).ignored.len(), 1);
    assert!(all_full(&sim, victim, 1), "the good neighbor stays Full");
    assert!(
        v.neighbors()
            .any(|n| n.router_id == rid(2) && n.state == NeighborState::Full)
    );
    assert!(
        v.routes().any(|(p, _)| p == Prefix::new(good_net, 24)),
        "with its route"
    );
    let heard: u64 = v
        .interfaces()
        .map(|i| {
            v.counters(i.ifindex)
                .unwrap()
                .dropped(DropReason::NeighborIgnored)
        })
        .sum();
    assert!(heard > 0, "its Hellos are dropped");
    // After the ignore time the adjacency comes back (what does not fit is no longer
    // asked for in the exchange, so there is no new offence) and stays.
    sim.run_for(Duration::from_secs(100));
    assert!(all_full(&sim, victim, 2), "back after the ignore time");
    assert_eq!(ignored(&sim, victim, rid(3)), 1);
    assert_eq!(sim.instance(victim).unwrap().lsdb_len(), LIMIT);
}

fn own_externals(sim: &Sim, at: NodeId, of: Ipv4Addr) -> usize {
    let now = sim.now();
    sim.instance(at)
        .unwrap()
        .lsdb(now)
        .filter(|l| l.key.lsa_type == 5 && l.key.adv_router == of && l.header.age < 3600)
        .count()
}

#[test]
fn rfc1765_overflow_flushes_our_externals_and_brings_them_back_after_the_storm() {
    const LIMIT: usize = 100;
    let mut sim = Sim::new(SimConfig::seeded(17).record_events(true));
    let victim = sim.add_router(
        InstanceConfig::new(rid(1))
            .max_external_lsas(Some(LIMIT))
            .exit_overflow_interval(Some(Duration::from_secs(60))),
    );
    let good = sim.add_router(InstanceConfig::new(rid(2)));
    let bad = sim.add_router(InstanceConfig::new(rid(3)));
    sim.link(victim, p2p([10, 0, 0, 1]), good, p2p([10, 0, 0, 2]));
    sim.link(victim, p2p([10, 0, 1, 1]), bad, p2p([10, 0, 1, 2]));
    sim.command(victim, |i, now| {
        for k in 0..5u8 {
            i.redistribute(now, ExternalRoute::new(Ipv4Addr::new(192, 168, k, 0), 24));
        }
    });
    assert!(
        sim.run_until_true(Duration::from_secs(120), Duration::from_secs(1), |s| {
            all_full(s, victim, 2) && own_externals(s, good, rid(1)) == 5
        })
        .is_some()
    );
    let storm: Vec<Ipv4Addr> = (0..300u32)
        .map(|k| Ipv4Addr::from(0x2C00_0000 + (k << 8)))
        .collect();
    let s2 = storm.clone();
    sim.command(bad, move |i, now| {
        for p in &s2 {
            i.redistribute(now, ExternalRoute::new(*p, 24));
        }
    });
    sim.run_for(Duration::from_secs(20));
    let v = sim.instance(victim).unwrap();
    assert!(v.is_overflowed(), "OverflowState");
    assert!(v.limit_state(sim.now()).external_count <= LIMIT);
    assert_eq!(
        own_externals(&sim, good, rid(1)),
        0,
        "ours flushed everywhere"
    );
    assert!(all_full(&sim, victim, 2), "adjacencies stay");
    // The storm ends: its LSAs are flushed; the victim leaves OverflowState at its next
    // attempt and announces its prefixes again.
    sim.command(bad, move |i, now| {
        for p in &storm {
            i.withdraw(now, *p, 24);
        }
    });
    let back = sim.run_until_true(Duration::from_secs(150), Duration::from_secs(1), |s| {
        !s.instance(victim).unwrap().is_overflowed() && own_externals(s, good, rid(1)) == 5
    });
    assert!(
        back.is_some(),
        "out of OverflowState, prefixes announced again"
    );
    let entered = sim
        .events(victim)
        .iter()
        .filter(|(_, e)| {
            matches!(
                e,
                ospf_core::instance::Event::Overflow { entered: true, .. }
            )
        })
        .count();
    assert_eq!(entered, 1);
}
