//! An LSA storm in simulation (issue 14, RFC 1765): a neighbor originating far more
//! AS-external LSAs than our limit leaves the LSDB at the limit, and a good neighbor's
//! adjacency and routes in place.
#![cfg(feature = "sim")]

use core::net::Ipv4Addr;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
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

#[test]
fn rfc1765_storm_from_one_neighbor_leaves_the_limit_and_the_good_neighbor() {
    const LIMIT: usize = 150;
    const STORM: u32 = 2_000;
    let mut sim = Sim::new(SimConfig::seeded(14));
    let victim = sim.add_router(InstanceConfig::new(rid(1)).max_lsas(Some(LIMIT)));
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
    let loaded = sim.events(small).iter().any(|(_, e)| {
        matches!(
            e,
            ospf_core::instance::Event::NeighborState {
                old: NeighborState::Loading,
                new: NeighborState::Full,
                ..
            }
        )
    });
    assert!(loaded, "the small router went from Loading to Full");
    assert_eq!(sim.instance(small).unwrap().lsdb_len(), LIMIT);
    sim.run_for(Duration::from_secs(60));
    assert!(
        all_full(&sim, small, 1) && all_full(&sim, big, 1),
        "and stays Full"
    );
}
