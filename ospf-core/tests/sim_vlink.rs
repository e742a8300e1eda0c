//! Virtual links (RFC 2328 §15), per section: the virtual interface comes up only when
//! the transit area's calculation reaches the endpoint (§15, §16.1), the backbone
//! Router-LSA's type-4 link and the transit area's V bit (§12.4.1), the reception rule
//! for backbone packets on a transit-area interface (§8.2), routes and next hops over
//! the link (§16.1.1, §16.2), split horizon of summaries (§12.4.3), no AS-external
//! flooding over it (§13.3), and the configuration errors.
//!
//! Topology (the transit path is one hop; the last test has two, the simulator routing
//! the link's unicast packets through the router between them):
//!
//! ```text
//! R1 --area 0-- R2 ==area 1 (transit)== R3 --area 2-- R4
//!               \_______ virtual link _______/
//! ```
#![cfg(feature = "sim")]

use core::net::Ipv4Addr;
use ospf_core::Prefix;
use ospf_core::config::{
    AreaConfig, AreaKind, InstanceConfig, InterfaceConfig, InterfaceType, VirtualLinkConfig,
};
use ospf_core::instance::{ConfigError, DropReason, ExternalRoute, VIRTUAL_LINK_IFINDEX_BASE};
use ospf_core::interface::InterfaceState;
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{NodeId, SegmentId, Sim, SimConfig};
use ospf_core::spf::{NextHop, RouteType};
use ospf_core::time::Duration;
use ospf_core::wire::LsaType;

const AREA0: Ipv4Addr = Ipv4Addr::UNSPECIFIED;
const AREA1: Ipv4Addr = Ipv4Addr::new(0, 0, 0, 1);
const AREA2: Ipv4Addr = Ipv4Addr::new(0, 0, 0, 2);

fn rid(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(10, 0, 0, n)
}

fn lo(n: u8) -> Prefix {
    Prefix::new(Ipv4Addr::new(192, 168, n, 1), 32)
}

struct Net {
    sim: Sim,
    r: [NodeId; 4],
    /// Segments R1-R2 (area 0), R2-R3 (area 1), R3-R4 (area 2).
    seg: [SegmentId; 3],
}

fn p2p(a: [u8; 4], cost: u16, area: Ipv4Addr) -> InterfaceConfig {
    InterfaceConfig::new(Ipv4Addr::from(a), 24)
        .if_type(InterfaceType::PointToPoint)
        .hello_interval(2)
        .dead_interval(8)
        .cost(cost)
        .area(area)
}

/// R1..R4 as in the module docs, each with a loopback 192.168.N.1/32 in its one area
/// (R1: 0, R2: 0, R3: 2, R4: 2). The R2-R3 link costs 7.
fn net(seed: u64) -> Net {
    let mut sim = Sim::new(SimConfig::seeded(seed));
    let r: [NodeId; 4] = core::array::from_fn(|i| {
        sim.add_router(InstanceConfig::new(rid(i as u8 + 1)).min_ls_interval(Duration::ZERO))
    });
    let s0 = sim.link(
        r[0],
        p2p([10, 1, 0, 1], 10, AREA0),
        r[1],
        p2p([10, 1, 0, 2], 10, AREA0),
    );
    let s1 = sim.link(
        r[1],
        p2p([10, 2, 0, 2], 7, AREA1),
        r[2],
        p2p([10, 2, 0, 3], 7, AREA1),
    );
    let s2 = sim.link(
        r[2],
        p2p([10, 3, 0, 3], 10, AREA2),
        r[3],
        p2p([10, 3, 0, 4], 10, AREA2),
    );
    for (i, area) in [(0, AREA0), (1, AREA0), (2, AREA2), (3, AREA2)] {
        let a = lo(i as u8 + 1).addr();
        sim.attach_alone(
            r[i],
            InterfaceConfig::new(a, 32)
                .if_type(InterfaceType::Loopback)
                .area(area),
        );
    }
    Net {
        sim,
        r,
        seg: [s0, s1, s2],
    }
}

fn vl(hello: u16) -> impl Fn(Ipv4Addr) -> VirtualLinkConfig {
    move |peer| {
        VirtualLinkConfig::new(AREA1, peer)
            .hello_interval(hello)
            .dead_interval(u32::from(hello) * 4)
    }
}

fn add_vl(sim: &mut Sim, at: NodeId, peer: Ipv4Addr) -> u32 {
    sim.command(at, |i, now| i.add_virtual_link(now, vl(2)(peer)))
        .unwrap()
        .unwrap()
}

fn route(sim: &Sim, at: NodeId, p: Prefix) -> Option<ospf_core::spf::Route> {
    sim.instance(at)
        .unwrap()
        .routes()
        .find(|(q, _)| *q == p)
        .map(|(_, r)| r)
}

fn vl_neighbor(sim: &Sim, at: NodeId) -> Option<NeighborState> {
    sim.instance(at).unwrap().virtual_links().next()?.neighbor
}

/// A Router-LSA link: (id, data, type, metric).
type Link = (Ipv4Addr, Ipv4Addr, u8, u16);

/// (flags, links) of `of`'s Router-LSA in `area` as `at` holds it.
fn router_lsa(sim: &Sim, at: NodeId, area: Ipv4Addr, of: Ipv4Addr) -> Option<(u8, Vec<Link>)> {
    let key = LsaKey::new(LsaType::Router, of, of);
    let raw = sim.instance(at)?.lsa(Scope::Area(area), &key)?.raw();
    let n = usize::from(u16::from_be_bytes([raw[22], raw[23]]));
    let links = (0..n)
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
    Some((raw[20], links))
}

/// Runs until `pred` holds (at most a minute of virtual time).
fn until(n: &mut Net, what: &str, pred: impl FnMut(&Sim) -> bool) {
    let got = n
        .sim
        .run_until_true(Duration::from_secs(60), Duration::from_millis(100), pred);
    assert!(got.is_some(), "never: {what}");
}

fn converged_without_vl(seed: u64) -> Net {
    let mut n = net(seed);
    let [_, r2, _, r4] = n.r;
    until(&mut n, "areas 0, 1, 2 converge", |s| {
        route(s, r2, Prefix::new(Ipv4Addr::new(10, 3, 0, 0), 24)).is_none()
            && route(s, r4, Prefix::new(Ipv4Addr::new(10, 2, 0, 0), 24)).is_some()
            && route(s, r2, Prefix::new(Ipv4Addr::new(10, 2, 0, 0), 24)).is_some()
    });
    n.sim.run_for(Duration::from_secs(10));
    n
}

#[test]
fn rfc2328_15_area2_is_cut_off_from_the_backbone_without_the_virtual_link() {
    let mut n = converged_without_vl(1);
    let [r1, r2, _, r4] = n.r;
    n.sim.run_for(Duration::from_secs(20));
    // §16.2: R2 (an ABR) looks at backbone summaries only; R3 is not in the backbone.
    assert!(route(&n.sim, r1, lo(4)).is_none());
    assert!(route(&n.sim, r2, lo(4)).is_none());
    assert!(route(&n.sim, r4, lo(1)).is_none());
}

#[test]
fn rfc2328_15_virtual_link_joins_area2_to_the_backbone() {
    let mut n = converged_without_vl(2);
    let [r1, r2, r3, r4] = n.r;
    let vl2 = add_vl(&mut n.sim, r2, rid(3));
    let vl3 = add_vl(&mut n.sim, r3, rid(2));
    assert_eq!(vl2, VIRTUAL_LINK_IFINDEX_BASE);
    until(&mut n, "the virtual adjacency is Full", |s| {
        vl_neighbor(s, r2) == Some(NeighborState::Full)
            && vl_neighbor(s, r3) == Some(NeighborState::Full)
    });
    // §15/§16.1: the virtual interface's cost and addresses come from the transit path.
    let info = n.sim.instance(r2).unwrap().virtual_links().next().unwrap();
    assert_eq!(info.state, InterfaceState::PointToPoint);
    assert_eq!(
        (info.cost, info.local_addr, info.peer_addr),
        (7, Ipv4Addr::new(10, 2, 0, 2), Ipv4Addr::new(10, 2, 0, 3))
    );
    assert_eq!(
        n.sim.instance(r2).unwrap().virtual_link_egress(vl2),
        Some(2)
    );
    let info3 = n.sim.instance(r3).unwrap().virtual_links().next().unwrap();
    assert_eq!(info3.ifindex, vl3);
    assert_eq!(info3.peer_addr, Ipv4Addr::new(10, 2, 0, 2));
    until(&mut n, "routes across the virtual link", |s| {
        route(s, r1, lo(4)).is_some() && route(s, r4, lo(1)).is_some()
    });
    // §12.4.1.3: type-4 links in the backbone Router-LSAs, metric the transit cost, data
    // our address on the path; §12.4.1: the V bit in the transit area's.
    let (flags, links) = router_lsa(&n.sim, r1, AREA0, rid(2)).unwrap();
    assert!(
        links.contains(&(rid(3), Ipv4Addr::new(10, 2, 0, 2), 4, 7)),
        "{links:?}"
    );
    assert_eq!(flags & 0x01, 0x01, "R2 is an ABR");
    let (_, links3) = router_lsa(&n.sim, r1, AREA0, rid(3)).unwrap();
    assert!(
        links3.contains(&(rid(2), Ipv4Addr::new(10, 2, 0, 3), 4, 7)),
        "{links3:?}"
    );
    for r in [rid(2), rid(3)] {
        let (flags, _) = router_lsa(&n.sim, r2, AREA1, r).unwrap();
        assert_eq!(flags & 0x04, 0x04, "V bit of {r} in area 1");
    }
    // §16.2: R3's backbone summary of area 2 reaches R1 through R2: 10 + 7 + 10 (R3-R4)
    // + 0 (R4's loopback).
    let r = route(&n.sim, r1, lo(4)).unwrap();
    assert_eq!(r.route_type, RouteType::InterArea);
    assert_eq!(r.cost, 27);
    assert_eq!(
        r.nexthops,
        vec![NextHop::via(Ipv4Addr::new(10, 1, 0, 2), 1)]
    );
    // §16.1.1: at R2 the route leaves through the transit area's path to R3.
    let r = route(&n.sim, r2, lo(4)).unwrap();
    assert_eq!((r.route_type, r.cost), (RouteType::InterArea, 17));
    assert_eq!(
        r.nexthops,
        vec![NextHop::via(Ipv4Addr::new(10, 2, 0, 3), 2)]
    );
    // ... and the backbone's intra-area routes at R3 through R2 in area 1.
    let r = route(&n.sim, r3, lo(1)).unwrap();
    assert_eq!((r.route_type, r.cost), (RouteType::IntraArea, 17));
    assert_eq!(r.area, Some(AREA0));
    assert_eq!(
        r.nexthops,
        vec![NextHop::via(Ipv4Addr::new(10, 2, 0, 2), 1)]
    );
    let r = route(&n.sim, r4, lo(1)).unwrap();
    assert_eq!((r.route_type, r.cost), (RouteType::InterArea, 27));
    // §12.4.3: R3 does not summarize the backbone routes it reaches through area 1 back
    // into area 1 (R2 does, for the routes it reaches through area 0).
    let summaries_by = |s: &Sim, at: NodeId, adv: Ipv4Addr| {
        s.instance(at)
            .unwrap()
            .lsdb(s.now())
            .filter(|l| l.scope == Scope::Area(AREA1) && l.key.lsa_type == 3)
            .filter(|l| l.key.adv_router == adv)
            .map(|l| l.key.lsid)
            .collect::<Vec<_>>()
    };
    let by_r3 = summaries_by(&n.sim, r2, rid(3));
    assert!(!by_r3.contains(&lo(1).addr()), "{by_r3:?}");
    assert!(by_r3.contains(&lo(4).addr()), "{by_r3:?}");
    assert!(summaries_by(&n.sim, r2, rid(2)).contains(&lo(1).addr()));
}

#[test]
fn rfc2328_16_1_virtual_link_goes_down_with_its_transit_path() {
    let mut n = converged_without_vl(3);
    let [r1, r2, r3, _] = n.r;
    add_vl(&mut n.sim, r2, rid(3));
    add_vl(&mut n.sim, r3, rid(2));
    until(&mut n, "routes across the virtual link", |s| {
        route(s, r1, lo(4)).is_some() && vl_neighbor(s, r2) == Some(NeighborState::Full)
    });
    // The transit area breaks: the endpoint is unreachable, the link goes down, the
    // area-2 routes leave the backbone.
    n.sim.set_link_up(n.seg[1], false);
    until(
        &mut n,
        "the virtual link is down and its routes gone",
        |s| {
            let i = s.instance(r2).unwrap().virtual_links().next().unwrap();
            i.state == InterfaceState::Down && route(s, r1, lo(4)).is_none()
        },
    );
    let (_, links) = router_lsa(&n.sim, r1, AREA0, rid(2)).unwrap();
    assert!(!links.iter().any(|l| l.2 == 4), "{links:?}");
    assert_eq!(
        n.sim
            .instance(r2)
            .unwrap()
            .virtual_link_egress(VIRTUAL_LINK_IFINDEX_BASE),
        None
    );
    // And back.
    n.sim.set_link_up(n.seg[1], true);
    until(&mut n, "the virtual link is back", |s| {
        route(s, r1, lo(4)).is_some() && vl_neighbor(s, r2) == Some(NeighborState::Full)
    });
}

#[test]
fn rfc2328_8_2_backbone_packets_need_a_configured_virtual_link() {
    let mut n = converged_without_vl(4);
    let [_, r2, r3, _] = n.r;
    // Only R3 configures the link: its backbone Hellos reach R2 on R2's area-1
    // interface, where no virtual link to R3 is configured: AreaMismatch.
    add_vl(&mut n.sim, r3, rid(2));
    n.sim.run_for(Duration::from_secs(10));
    let c = n.sim.instance(r2).unwrap().counters(2).unwrap();
    assert!(c.dropped(DropReason::AreaMismatch) >= 3, "{c:?}");
    assert!(vl_neighbor(&n.sim, r3).is_none_or(|s| s < NeighborState::TwoWay));
    // A link to another endpoint across the same area does not take them either.
    add_vl(&mut n.sim, r2, rid(9));
    let before = n
        .sim
        .instance(r2)
        .unwrap()
        .counters(2)
        .unwrap()
        .dropped(DropReason::AreaMismatch);
    n.sim.run_for(Duration::from_secs(10));
    let after = n
        .sim
        .instance(r2)
        .unwrap()
        .counters(2)
        .unwrap()
        .dropped(DropReason::AreaMismatch);
    assert!(after >= before + 3);
    // The right one does.
    add_vl(&mut n.sim, r2, rid(3));
    until(&mut n, "Full once both ends have it", |s| {
        vl_neighbor(s, r3) == Some(NeighborState::Full)
    });
    let vl = n
        .sim
        .instance(r2)
        .unwrap()
        .virtual_links()
        .find(|v| v.peer == rid(3))
        .unwrap();
    assert_eq!(vl.neighbor, Some(NeighborState::Full));
    let c = n.sim.instance(r2).unwrap().counters(vl.ifindex).unwrap();
    assert!(c.received.hello > 0 && c.received.db_desc > 0, "{c:?}");
    // The link to 10.0.0.9 stays down: no such router in area 1.
    let other = n
        .sim
        .instance(r2)
        .unwrap()
        .virtual_links()
        .find(|v| v.peer == rid(9))
        .unwrap();
    assert_eq!(other.state, InterfaceState::Down);
}

#[test]
fn rfc2328_13_3_no_as_external_lsas_over_virtual_links() {
    let mut n = converged_without_vl(5);
    let [r1, r2, r3, r4] = n.r;
    add_vl(&mut n.sim, r2, rid(3));
    add_vl(&mut n.sim, r3, rid(2));
    until(&mut n, "routes across the virtual link", |s| {
        route(s, r1, lo(4)).is_some() && vl_neighbor(s, r2) == Some(NeighborState::Full)
    });
    n.sim.run_for(Duration::from_secs(10));
    let vlx = VIRTUAL_LINK_IFINDEX_BASE;
    let counts = |s: &Sim| {
        let i = s.instance(r2).unwrap();
        (
            i.counters(vlx).unwrap().lsas_received,
            i.counters(2).unwrap().lsas_received,
        )
    };
    let (vl_before, area1_before) = counts(&n.sim);
    const N: u8 = 20;
    n.sim.command(r4, |i, now| {
        for k in 0..N {
            i.redistribute(now, ExternalRoute::new(Ipv4Addr::new(172, 20, k, 0), 24));
        }
    });
    until(&mut n, "R1 has the externals", |s| {
        (0..N).all(|k| route(s, r1, Prefix::new(Ipv4Addr::new(172, 20, k, 0), 24)).is_some())
    });
    n.sim.run_for(Duration::from_secs(10));
    let (vl_after, area1_after) = counts(&n.sim);
    // Over area 1 they all come; over the virtual link only R3's type-4 summary of R4.
    assert!(area1_after - area1_before >= u64::from(N));
    assert!(
        vl_after - vl_before < u64::from(N) / 2,
        "{vl_before} -> {vl_after}"
    );
    // R1 reaches them through R2 (the ASBR summary came over the virtual link).
    let r = route(&n.sim, r1, Prefix::new(Ipv4Addr::new(172, 20, 0, 0), 24)).unwrap();
    assert_eq!(r.route_type, RouteType::External2);
    assert_eq!(
        r.nexthops,
        vec![NextHop::via(Ipv4Addr::new(10, 1, 0, 2), 1)]
    );
}

#[test]
fn rfc2328_15_transit_area_must_be_a_normal_non_backbone_area() {
    let mut n = net(6);
    let r2 = n.r[1];
    let add = |sim: &mut Sim, c: VirtualLinkConfig| {
        sim.command(r2, |i, now| i.add_virtual_link(now, c))
            .unwrap()
    };
    assert!(matches!(
        add(&mut n.sim, VirtualLinkConfig::new(AREA0, rid(3))),
        Err(ConfigError::Invalid(_))
    ));
    n.sim.command(r2, |i, now| {
        i.add_area(now, AreaConfig::new(AREA2).kind(AreaKind::stub(false)))
    });
    assert!(matches!(
        add(&mut n.sim, VirtualLinkConfig::new(AREA2, rid(3))),
        Err(ConfigError::Invalid(_))
    ));
    assert!(matches!(
        add(&mut n.sim, VirtualLinkConfig::new(AREA1, rid(2))),
        Err(ConfigError::Invalid(_))
    ));
    assert!(matches!(
        add(
            &mut n.sim,
            VirtualLinkConfig::new(AREA1, rid(3)).hello_interval(0)
        ),
        Err(ConfigError::Invalid(_))
    ));
    let first = add(&mut n.sim, VirtualLinkConfig::new(AREA1, rid(3))).unwrap();
    assert_eq!(
        add(&mut n.sim, VirtualLinkConfig::new(AREA1, rid(3))),
        Err(ConfigError::InterfaceExists(first))
    );
    n.sim
        .command(r2, |i, now| i.remove_virtual_link(now, AREA1, rid(3)))
        .unwrap()
        .unwrap();
    assert_eq!(n.sim.instance(r2).unwrap().virtual_links().count(), 0);
}

#[test]
fn rfc2328_16_3_transit_area_summaries_give_a_shorter_path() {
    // R5, an area border router of areas 1 and 2 without a backbone link, offers a
    // cheaper way from R2 into area 2 than the virtual link to R3 (1 + 1 against 7 + 10).
    let mut n = converged_without_vl(7);
    let [r1, r2, r3, r4] = n.r;
    let r5 = n
        .sim
        .add_router(InstanceConfig::new(rid(5)).min_ls_interval(Duration::ZERO));
    n.sim.link(
        r2,
        p2p([10, 5, 0, 2], 1, AREA1),
        r5,
        p2p([10, 5, 0, 5], 1, AREA1),
    );
    n.sim.link(
        r5,
        p2p([10, 6, 0, 5], 1, AREA2),
        r4,
        p2p([10, 6, 0, 4], 1, AREA2),
    );
    add_vl(&mut n.sim, r2, rid(3));
    add_vl(&mut n.sim, r3, rid(2));
    until(&mut n, "the virtual link and R5's summaries", |s| {
        vl_neighbor(s, r2) == Some(NeighborState::Full)
            && route(s, r2, lo(4)).is_some_and(|r| r.cost == 2)
    });
    n.sim.run_for(Duration::from_secs(10));
    // §16.3 step 5: the route keeps its type and area (inter-area, through the
    // backbone) but takes R5's cost and next hop.
    let r = route(&n.sim, r2, lo(4)).unwrap();
    assert_eq!(
        (r.route_type, r.cost, r.area),
        (RouteType::InterArea, 2, Some(AREA0))
    );
    assert_eq!(
        r.nexthops,
        vec![NextHop::via(Ipv4Addr::new(10, 5, 0, 5), 4)]
    );
    // R1 still learns it from R3's backbone summary over the virtual link (10 + 7 + 10),
    // and its traffic takes R2's shorter path from there.
    let r = route(&n.sim, r1, lo(4)).unwrap();
    assert_eq!((r.route_type, r.cost), (RouteType::InterArea, 27));
}

#[test]
fn rfc2328_15_virtual_link_across_two_hops_of_the_transit_area() {
    // R2 -(3)- M -(4)- R3 in area 1: the link's packets are routed through M (the
    // simulator forwards unicast along each router's table, as IP does).
    let mut sim = Sim::new(SimConfig::seeded(8));
    let cfg = |n: u8| InstanceConfig::new(rid(n)).min_ls_interval(Duration::ZERO);
    let [r1, r2, m, r3, r4] = [1, 2, 6, 3, 4].map(|n| sim.add_router(cfg(n)));
    let s0 = sim.link(
        r1,
        p2p([10, 1, 0, 1], 10, AREA0),
        r2,
        p2p([10, 1, 0, 2], 10, AREA0),
    );
    let s1 = sim.link(
        r2,
        p2p([10, 2, 0, 2], 3, AREA1),
        m,
        p2p([10, 2, 0, 6], 3, AREA1),
    );
    sim.link(
        m,
        p2p([10, 4, 0, 6], 4, AREA1),
        r3,
        p2p([10, 4, 0, 3], 4, AREA1),
    );
    let s2 = sim.link(
        r3,
        p2p([10, 3, 0, 3], 10, AREA2),
        r4,
        p2p([10, 3, 0, 4], 10, AREA2),
    );
    for (node, n, area) in [(r1, 1, AREA0), (r4, 4, AREA2)] {
        sim.attach_alone(
            node,
            InterfaceConfig::new(lo(n).addr(), 32)
                .if_type(InterfaceType::Loopback)
                .area(area),
        );
    }
    let mut n = Net {
        sim,
        r: [r1, r2, r3, r4],
        seg: [s0, s1, s2],
    };
    add_vl(&mut n.sim, r2, rid(3));
    add_vl(&mut n.sim, r3, rid(2));
    until(
        &mut n,
        "the virtual adjacency through M and routes across",
        |s| {
            vl_neighbor(s, r2) == Some(NeighborState::Full)
                && vl_neighbor(s, r3) == Some(NeighborState::Full)
                && route(s, r1, lo(4)).is_some()
                && route(s, r4, lo(1)).is_some()
        },
    );
    let info = n.sim.instance(r2).unwrap().virtual_links().next().unwrap();
    assert_eq!(
        (info.cost, info.local_addr, info.peer_addr),
        (7, Ipv4Addr::new(10, 2, 0, 2), Ipv4Addr::new(10, 4, 0, 3))
    );
    let info = n.sim.instance(r3).unwrap().virtual_links().next().unwrap();
    assert_eq!(info.peer_addr, Ipv4Addr::new(10, 2, 0, 2));
    // R1: 10 + 7 + 10; R2 through M.
    let r = route(&n.sim, r1, lo(4)).unwrap();
    assert_eq!((r.route_type, r.cost), (RouteType::InterArea, 27));
    let r = route(&n.sim, r2, lo(4)).unwrap();
    assert_eq!(
        r.nexthops,
        vec![NextHop::via(Ipv4Addr::new(10, 2, 0, 6), 2)]
    );
    // M, inside area 1 only, learns both sides from the two ABRs' summaries.
    assert!(route(&n.sim, m, lo(1)).is_some() && route(&n.sim, m, lo(4)).is_some());
}
