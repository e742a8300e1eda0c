//! Weighted anycast servers in the simulated seed topology: a server's weight (RFC 7684
//! Extended Prefix Opaque LSA, our weight sub-TLV) reaches the router's route to the
//! anycast address as next-hop weights; a weight change, a withdrawal and a degraded
//! server each show up as they should.

mod sim_util;

use core::net::Ipv4Addr;
use ospf_core::instance::Event;
use ospf_core::lsdb::MAX_AGE;
use ospf_core::sim::{NodeId, Sim};
use ospf_core::spf::{NextHop, Prefix, Route, RouteChange};
use ospf_core::time::Duration;
use ospf_core::wire::{ExtPrefix, LSA_HEADER_LEN, LsaType, OpaqueLsa, ext_prefix_tlvs};
use sim_util::anycast_lan;

const ANYCAST: Ipv4Addr = Ipv4Addr::new(172, 16, 0, 1);
/// The servers' loopback interface (the LAN is ifindex 1).
const LOOPBACK: u32 = 2;

fn anycast() -> Prefix {
    Prefix::host(ANYCAST)
}

fn hops(servers: &[u8]) -> Vec<NextHop> {
    servers
        .iter()
        .map(|s| NextHop::via(Ipv4Addr::new(10, 0, 0, *s), 1))
        .collect()
}

fn route(sim: &Sim, n: NodeId) -> Route {
    sim.instance(n)
        .unwrap()
        .routes()
        .find(|(p, _)| *p == anycast())
        .map(|(_, r)| r)
        .expect("a route to the anycast address")
}

fn set_weight(sim: &mut Sim, n: NodeId, w: Option<u8>) {
    sim.command(n, |i, now| i.set_interface_weight(now, LOOPBACK, w))
        .unwrap()
        .unwrap();
}

/// The last route change the router reported for the anycast address.
fn last_change(sim: &Sim, n: NodeId) -> RouteChange {
    sim.events(n)
        .iter()
        .rev()
        .find_map(|(_, e)| match e {
            Event::RouteChange(c) if c.prefix() == anycast() => Some(c.clone()),
            _ => None,
        })
        .expect("a route change for the anycast address")
}

/// The weights in the live Extended Prefix Opaque LSAs of `n`'s LSDB, by advertising
/// router.
fn lsdb_weights(sim: &Sim, n: NodeId) -> Vec<(Ipv4Addr, Ipv4Addr, u8)> {
    let inst = sim.instance(n).unwrap();
    let mut v = Vec::new();
    for l in inst.lsdb(sim.now()) {
        if l.header.lsa_type != LsaType::OpaqueArea || l.header.age >= MAX_AGE {
            continue;
        }
        let lsa = OpaqueLsa::parse(l.key.lsid, &l.raw[LSA_HEADER_LEN..]);
        for t in ext_prefix_tlvs(&lsa).unwrap() {
            let t = t.unwrap();
            v.push((l.header.adv_router, t.prefix, t.weight().unwrap().unwrap()));
        }
    }
    v.sort();
    v
}

/// Weights 2:1:1 reach the router's route (and its last route change); equal weights
/// leave the route unweighted, with a `Replace` that says so; the LSAs carry the
/// weights with opaque ID = the address's low 24 bits.
#[test]
fn weights_reach_the_router_and_a_change_replaces_the_route() {
    let (mut sim, router, servers) = anycast_lan(11);
    sim.run_for(Duration::from_secs(60));
    let r = route(&sim, router);
    assert_eq!(r.nexthops, hops(&[2, 3, 4]));
    assert!(
        r.weights.is_empty(),
        "no weights announced: {:?}",
        r.weights
    );

    set_weight(&mut sim, servers[0], Some(2));
    set_weight(&mut sim, servers[1], Some(1));
    set_weight(&mut sim, servers[2], Some(1));
    sim.run_for(Duration::from_secs(10));
    let r = route(&sim, router);
    assert_eq!(r.nexthops, hops(&[2, 3, 4]));
    assert_eq!(r.weights, [2, 1, 1]);
    assert_eq!((r.weight(0), r.weight(1)), (2, 1));
    match last_change(&sim, router) {
        RouteChange::Replace { route, .. } => assert_eq!(route, r),
        c => panic!("expected a Replace, got {c:?}"),
    }
    let lsas = lsdb_weights(&sim, router);
    let want: Vec<_> = [(2, 2), (3, 1), (4, 1)]
        .iter()
        .map(|(s, w)| (Ipv4Addr::new(10, 0, 0, *s), ANYCAST, *w))
        .collect();
    assert_eq!(lsas, want);
    let lsid = ExtPrefix::lsid(u32::from(ANYCAST));
    assert!(
        sim.instance(router)
            .unwrap()
            .lsdb(sim.now())
            .filter(|l| l.header.lsa_type == LsaType::OpaqueArea)
            .all(|l| l.key.lsid == lsid)
    );

    // 2:1:1 -> 1:1:1: the same next hops, no weights any more.
    sim.clear_events(router);
    set_weight(&mut sim, servers[0], Some(1));
    sim.run_for(Duration::from_secs(10));
    let r = route(&sim, router);
    assert_eq!(r.nexthops, hops(&[2, 3, 4]));
    assert!(r.weights.is_empty(), "{:?}", r.weights);
    match last_change(&sim, router) {
        RouteChange::Replace { route, .. } => {
            assert_eq!(route.nexthops, hops(&[2, 3, 4]));
            assert!(route.weights.is_empty());
        }
        c => panic!("expected a Replace, got {c:?}"),
    }

    // 1:1:1 -> 1:1:5, then the weight removed: the LSA is flushed.
    set_weight(&mut sim, servers[2], Some(5));
    sim.run_for(Duration::from_secs(10));
    assert_eq!(route(&sim, router).weights, [1, 1, 5]);
    set_weight(&mut sim, servers[2], None);
    sim.run_for(Duration::from_secs(10));
    assert!(route(&sim, router).weights.is_empty());
    assert_eq!(
        lsdb_weights(&sim, router).len(),
        2,
        "server 3's LSA flushed"
    );
}

/// A server without a weight counts 1; a withdrawn server's LSA is flushed with its stub;
/// a degraded one (higher stub cost) keeps its LSA but leaves the equal-cost set.
#[test]
fn unweighted_withdrawn_and_degraded_servers() {
    let (mut sim, router, servers) = anycast_lan(12);
    sim.run_for(Duration::from_secs(60));
    set_weight(&mut sim, servers[0], Some(3));
    sim.run_for(Duration::from_secs(10));
    assert_eq!(route(&sim, router).weights, [3, 1, 1]);

    // Withdrawn (loopback down): stub and LSA go.
    sim.command(servers[0], |i, now| {
        i.set_interface_up(now, LOOPBACK, false)
    })
    .unwrap()
    .unwrap();
    sim.run_for(Duration::from_secs(10));
    let r = route(&sim, router);
    assert_eq!(r.nexthops, hops(&[3, 4]));
    assert!(r.weights.is_empty());
    assert!(lsdb_weights(&sim, router).is_empty());

    // Back, then degraded: the LSA stays, the route leaves it out.
    sim.command(servers[0], |i, now| i.set_interface_up(now, LOOPBACK, true))
        .unwrap()
        .unwrap();
    sim.run_for(Duration::from_secs(10));
    assert_eq!(route(&sim, router).weights, [3, 1, 1]);
    set_weight(&mut sim, servers[1], Some(2));
    sim.command(servers[0], |i, now| {
        i.set_interface_cost(now, LOOPBACK, 65000)
    })
    .unwrap()
    .unwrap();
    sim.run_for(Duration::from_secs(10));
    let r = route(&sim, router);
    assert_eq!(r.nexthops, hops(&[3, 4]));
    assert_eq!(r.weights, [2, 1]);
    assert_eq!(
        lsdb_weights(&sim, router).len(),
        2,
        "degraded keeps its LSA"
    );
}
