//! Network types beyond broadcast and point-to-point, per RFC 2328 section:
//! point-to-multipoint (§C.3, §12.4.1.4, §16.1.1), its non-broadcast variant, and NBMA
//! (§9.5.1 Hellos and PollInterval, §9.4 election among eligible neighbors, §13.3 unicast
//! flooding), on simulated segments; a non-broadcast segment delivers unicasts only, so
//! an adjacency there proves the unicast Hellos.
#![cfg(feature = "sim")]

mod engine_util;

use core::net::Ipv4Addr;
use engine_util::{drain, run_until, secs};
use ospf_core::Prefix;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType, StaticNeighbor};
use ospf_core::instance::Instance;
use ospf_core::interface::InterfaceState;
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{NodeId, SegmentId, Sim, SimConfig};
use ospf_core::spf::NextHop;
use ospf_core::time::{Duration, Instant};
use ospf_core::wire::LsaType;

const AREA0: Scope = Scope::Area(Ipv4Addr::UNSPECIFIED);

fn addr(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(10, 0, 0, n)
}

fn lo(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(192, 168, n, 1)
}

/// Routers 1..=count on one segment of type `t` (10.0.0.N/24, router ID 10.0.0.N, each
/// with a loopback 192.168.N.1/32); `neighbors` configures each one's static neighbors
/// (the others, with `prio(other)`), and `prio(me)` its own priority.
fn segment(
    seed: u64,
    t: InterfaceType,
    count: u8,
    non_broadcast: bool,
    neighbors: bool,
    prio: impl Fn(u8) -> u8,
) -> (Sim, SegmentId, Vec<NodeId>) {
    let mut sim = Sim::new(SimConfig::seeded(seed));
    let seg = sim.add_segment();
    sim.set_non_broadcast(seg, non_broadcast);
    let mut nodes = Vec::new();
    for n in 1..=count {
        let node = sim.add_router(InstanceConfig::new(addr(n)));
        let mut c = InterfaceConfig::new(addr(n), 24)
            .if_type(t)
            .priority(prio(n))
            .hello_interval(2)
            .dead_interval(8);
        if neighbors {
            for m in (1..=count).filter(|m| *m != n) {
                c = c.neighbor(
                    StaticNeighbor::new(addr(m))
                        .priority(prio(m))
                        .poll_interval(20),
                );
            }
        }
        sim.attach(node, seg, c);
        sim.attach_alone(
            node,
            InterfaceConfig::new(lo(n), 32).if_type(InterfaceType::Loopback),
        );
        nodes.push(node);
    }
    (sim, seg, nodes)
}

fn full_count(sim: &Sim, n: NodeId) -> usize {
    sim.instance(n)
        .unwrap()
        .neighbors()
        .filter(|x| x.state == NeighborState::Full)
        .count()
}

fn synchronized(sim: &Sim, nodes: &[NodeId]) -> bool {
    let first = sim.lsdb_fingerprint(nodes[0]);
    !first.is_empty() && nodes.iter().all(|n| sim.lsdb_fingerprint(*n) == first)
}

/// (link id, link data, type, metric) of a Router-LSA.
fn router_links(sim: &Sim, at: NodeId, of: Ipv4Addr) -> Vec<(Ipv4Addr, Ipv4Addr, u8, u16)> {
    let key = LsaKey::new(LsaType::Router, of, of);
    let raw = sim.instance(at).unwrap().lsa(AREA0, &key).unwrap().raw();
    let n = usize::from(u16::from_be_bytes([raw[22], raw[23]]));
    let mut v: Vec<_> = (0..n)
        .map(|i| {
            let l = &raw[24 + 12 * i..36 + 12 * i];
            (
                Ipv4Addr::new(l[0], l[1], l[2], l[3]),
                Ipv4Addr::new(l[4], l[5], l[6], l[7]),
                l[8],
                u16::from_be_bytes([l[10], l[11]]),
            )
        })
        .collect();
    v.sort();
    v
}

fn route(sim: &Sim, at: NodeId, p: Prefix) -> Option<Vec<NextHop>> {
    sim.instance(at)
        .unwrap()
        .routes()
        .find(|(q, _)| *q == p)
        .map(|(_, r)| r.nexthops)
}

fn network_lsas(sim: &Sim, at: NodeId) -> usize {
    sim.instance(at)
        .unwrap()
        .lsdb(sim.now())
        .filter(|l| l.key.lsa_type == 2)
        .count()
}

/// Checks a converged point-to-multipoint segment of three routers: every pair
/// adjacent, no DR, the Router-LSAs of §12.4.1.4 and the next hops of §16.1.1.
fn check_p2mp(sim: &Sim, nodes: &[NodeId]) {
    for (k, node) in nodes.iter().enumerate() {
        let me = k as u8 + 1;
        let inst = sim.instance(*node).unwrap();
        let i = inst.interface(1).unwrap();
        assert_eq!(i.state, InterfaceState::PointToPoint, "§9.3: no election");
        assert_eq!(i.dr, None);
        assert_eq!(
            full_count(sim, *node),
            2,
            "§C.3: adjacent to every neighbor"
        );
        // §12.4.1.4: our address as a /32 stub of cost 0, one type-1 link per Full
        // neighbor with our address as link data; no stub for the /24, no transit link.
        let mut want = vec![
            (addr(me), Ipv4Addr::BROADCAST, 3, 0),
            (lo(me), Ipv4Addr::BROADCAST, 3, 0),
        ];
        for other in (1..=3u8).filter(|o| *o != me) {
            want.push((addr(other), addr(me), 1, 10));
        }
        want.sort();
        assert_eq!(router_links(sim, *node, addr(me)), want);
        assert_eq!(network_lsas(sim, *node), 0, "no Network-LSA on P2MP");
        // §16.1.1: a router reached directly over the P2MP interface is reached at its
        // own address on it (here: each neighbor's loopback and /32).
        for other in (1..=3u8).filter(|o| *o != me) {
            let hop = vec![NextHop::via(addr(other), 1)];
            assert_eq!(
                route(sim, *node, Prefix::new(lo(other), 32)),
                Some(hop.clone()),
                "router {me} to {}",
                lo(other)
            );
            assert_eq!(
                route(sim, *node, Prefix::new(addr(other), 32)),
                Some(hop),
                "router {me} to {}/32",
                addr(other)
            );
        }
        assert_eq!(
            route(sim, *node, Prefix::new(addr(0), 24)),
            None,
            "nobody announces the P2MP subnet"
        );
    }
}

#[test]
fn rfc2328_c3_point_to_multipoint_three_routers_adjacent_without_dr() {
    let (mut sim, _, nodes) = segment(3, InterfaceType::PointToMultipoint, 3, false, false, |_| 1);
    let t = sim
        .run_until_true(Duration::from_secs(60), Duration::from_millis(500), |s| {
            nodes.iter().all(|n| full_count(s, *n) == 2) && synchronized(s, &nodes)
        })
        .expect("the P2MP segment converges");
    // No Wait timer: adjacencies form within a few Hello intervals.
    assert!(t.as_secs() < 10, "converged at {t:?}");
    sim.run_for(Duration::from_secs(60));
    check_p2mp(&sim, &nodes);
}

#[test]
fn rfc2328_c3_point_to_multipoint_non_broadcast_over_unicast_only() {
    // The segment drops every multicast: only unicast Hellos, DDs, floods and acks to
    // the configured neighbors can form these adjacencies.
    let (mut sim, _, nodes) = segment(
        4,
        InterfaceType::PointToMultipointNonBroadcast,
        3,
        true,
        true,
        |_| 1,
    );
    sim.run_until_true(Duration::from_secs(60), Duration::from_millis(500), |s| {
        nodes.iter().all(|n| full_count(s, *n) == 2) && synchronized(s, &nodes)
    })
    .expect("the non-broadcast P2MP segment converges over unicast");
    sim.run_for(Duration::from_secs(60));
    check_p2mp(&sim, &nodes);
    // A change floods to every adjacent neighbor by unicast (§13.3).
    sim.command(nodes[0], |i, now| {
        i.set_interface_cost(now, 1, 25).unwrap();
    });
    sim.run_for(Duration::from_secs(3));
    for n in &nodes[1..] {
        let l = router_links(&sim, *n, addr(1));
        assert!(l.contains(&(addr(2), addr(1), 1, 25)), "{l:?}");
    }
}

#[test]
fn rfc2328_c3_point_to_multipoint_broadcast_variant_needs_multicast() {
    // The broadcast-capable variant sends multicast Hellos: on a segment without
    // multicast, nothing forms (the check above is not vacuous).
    let (mut sim, _, nodes) = segment(5, InterfaceType::PointToMultipoint, 3, true, false, |_| 1);
    sim.run_for(Duration::from_secs(30));
    for n in &nodes {
        assert_eq!(sim.instance(*n).unwrap().neighbors().count(), 0);
    }
}

#[test]
fn rfc2328_9_4_nbma_elects_among_eligible_neighbors_over_unicast() {
    // Router 1 priority 2, router 2 priority 1, router 3 priority 0 (ineligible).
    let prio = |n: u8| match n {
        1 => 2,
        2 => 1,
        _ => 0,
    };
    let (mut sim, _, nodes) = segment(6, InterfaceType::Nbma, 3, true, true, prio);
    sim.run_until_true(Duration::from_secs(90), Duration::from_millis(500), |s| {
        full_count(s, nodes[0]) == 2
            && full_count(s, nodes[1]) == 2
            && full_count(s, nodes[2]) == 2
            && synchronized(s, &nodes)
    })
    .expect("the NBMA segment converges");
    sim.run_for(Duration::from_secs(60));
    let state = |n: usize| sim.instance(nodes[n]).unwrap().interface(1).unwrap().state;
    assert_eq!(state(0), InterfaceState::Dr);
    assert_eq!(state(1), InterfaceState::Backup);
    assert_eq!(state(2), InterfaceState::DrOther);
    for n in &nodes {
        let i = sim.instance(*n).unwrap().interface(1).unwrap();
        assert_eq!(
            (i.dr, i.bdr),
            (Some((addr(1), addr(1))), Some((addr(2), addr(2))))
        );
    }
    // §12.4.2: the DR's Network-LSA lists the three routers; every Router-LSA has a
    // transit link to it; routes through the segment go to each router's address.
    assert_eq!(network_lsas(&sim, nodes[2]), 1);
    for me in 1..=3u8 {
        let l = router_links(&sim, nodes[0], addr(me));
        assert!(l.contains(&(addr(1), addr(me), 2, 10)), "{l:?}");
        for other in (1..=3u8).filter(|o| *o != me) {
            assert_eq!(
                route(&sim, nodes[usize::from(me) - 1], Prefix::new(lo(other), 32)),
                Some(vec![NextHop::via(addr(other), 1)])
            );
        }
    }
}

#[test]
fn rfc2328_9_5_1_nbma_polls_a_dead_neighbor_every_poll_interval() {
    let now = Instant::from_secs(1);
    let mut i = Instance::new(InstanceConfig::new(addr(1)), now);
    let absent = Ipv4Addr::new(10, 0, 0, 9);
    i.add_interface(
        now,
        1,
        InterfaceConfig::new(addr(1), 24)
            .if_type(InterfaceType::Nbma)
            .neighbor(StaticNeighbor::new(absent).priority(1).poll_interval(60)),
    )
    .unwrap();
    i.handle_timeout(now);
    let first = drain(&mut i, now);
    let (_, later) = run_until(&mut i, now, now + secs(175));
    let mut dsts: Vec<Ipv4Addr> = first.sent.iter().map(|(t, _)| t.dst).collect();
    dsts.extend(later.sent.iter().map(|(t, _)| t.dst));
    assert!(
        dsts.iter().all(|d| *d == absent),
        "NBMA sends no multicast: {dsts:?}"
    );
    // A Hello at start (event Start), then one per PollInterval (60 s), checked on each
    // Hello tick (every 9 to 10 s): at 1 s, in [61, 71) s and in [121, 141) s; the next
    // falls after 181 s.
    assert_eq!(first.sent.len(), 1);
    assert_eq!(dsts.len(), 3, "polls: {dsts:?}");
}

#[test]
fn rfc2328_12_4_1_1_unnumbered_point_to_point_borrows_the_loopback_address() {
    // Two routers, each with 192.168.N.1/32 on a loopback and the same /32 on the link
    // (FRR's unnumbered interface: a non-loopback interface with a /32 address).
    let mut sim = Sim::new(SimConfig::seeded(8));
    let mut nodes = Vec::new();
    for n in 1..=2u8 {
        let node = sim.add_router(InstanceConfig::new(lo(n)));
        sim.attach_alone(
            node,
            InterfaceConfig::new(lo(n), 32).if_type(InterfaceType::Loopback),
        );
        nodes.push(node);
    }
    let unnumbered = |n: u8| {
        InterfaceConfig::new(lo(n), 32)
            .if_type(InterfaceType::PointToPoint)
            .hello_interval(2)
            .dead_interval(8)
    };
    // Router 1's link is its ifindex 2, router 2's too; router 2 gets a third interface
    // first so that the ifIndex values differ (link data must be the sender's own).
    sim.attach_alone(nodes[1], InterfaceConfig::new(addr(99), 24).passive(true));
    sim.link(nodes[0], unnumbered(1), nodes[1], unnumbered(2));
    sim.run_until_true(Duration::from_secs(60), Duration::from_millis(500), |s| {
        full_count(s, nodes[0]) == 1 && full_count(s, nodes[1]) == 1 && synchronized(s, &nodes)
    })
    .expect("the unnumbered link comes up");
    sim.run_for(Duration::from_secs(60));
    // §12.4.1.1: link data = the ifIndex; no stub for the link (nothing to announce but
    // the loopback, which is announced once).
    let mut want = vec![
        (lo(2), Ipv4Addr::from(2u32), 1, 10),
        (lo(1), Ipv4Addr::BROADCAST, 3, 0),
    ];
    want.sort();
    assert_eq!(router_links(&sim, nodes[1], lo(1)), want);
    let l2 = router_links(&sim, nodes[0], lo(2));
    assert!(l2.contains(&(lo(1), Ipv4Addr::from(3u32), 1, 10)), "{l2:?}");
    // §16.1.1: the next hop is the neighbor's address (its Hellos' source) on the link.
    assert_eq!(
        route(&sim, nodes[0], Prefix::new(lo(2), 32)),
        Some(vec![NextHop::via(lo(2), 2)])
    );
    assert_eq!(
        route(&sim, nodes[1], Prefix::new(lo(1), 32)),
        Some(vec![NextHop::via(lo(1), 3)])
    );
    assert_eq!(
        route(&sim, nodes[0], Prefix::new(addr(0), 24)),
        Some(vec![NextHop::via(lo(2), 2)]),
        "router 2's passive subnet through the unnumbered link"
    );
}

#[test]
fn rfc2328_a_3_2_unnumbered_hellos_carry_mask_zero_and_accept_any_mask() {
    let now = Instant::from_secs(1);
    let mut i = Instance::new(InstanceConfig::new(lo(1)), now);
    i.add_interface(
        now,
        7,
        InterfaceConfig::new(lo(1), 32).if_type(InterfaceType::PointToPoint),
    )
    .unwrap();
    i.handle_timeout(now);
    let out = drain(&mut i, now);
    let hello = out.of_type(1);
    assert_eq!(hello.len(), 1);
    let ospf_core::wire::BodyRepr::Hello(h) = engine_util::parse(hello[0]).body else {
        panic!("not a Hello")
    };
    assert_eq!(h.network_mask, Ipv4Addr::UNSPECIFIED);
    // A neighbor on another "subnet" (its own loopback address) with mask 0 is heard.
    let from = lo(2);
    let bytes = engine_util::packet(
        from,
        Ipv4Addr::UNSPECIFIED,
        ospf_core::wire::BodyRepr::Hello(engine_util::hello_body(
            Ipv4Addr::UNSPECIFIED,
            &[],
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            1,
        )),
    );
    i.handle_packet(now, 7, from, Ipv4Addr::new(224, 0, 0, 5), &bytes);
    drain(&mut i, now);
    let n: Vec<_> = i.neighbors().map(|n| (n.router_id, n.address)).collect();
    assert_eq!(n, vec![(from, from)]);
}
