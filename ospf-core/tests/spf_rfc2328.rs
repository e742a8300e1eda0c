//! Route calculation (RFC 2328 §16, RFC 3101) on hand-built topologies.

mod spf_util;
use spf_util as util;

use core::net::Ipv4Addr;
use ospf_core::spf::*;
use util::*;

const A0: Ipv4Addr = Ipv4Addr::UNSPECIFIED;

fn iface(ifindex: u32, area: Ipv4Addr, addr: &str, len: u8) -> SpfInterface {
    SpfInterface {
        ifindex,
        area,
        addr: a(addr),
        prefix_len: len,
        cost: 10,
        kind: InterfaceKind::Broadcast,
        up: true,
        peer: core::net::Ipv4Addr::UNSPECIFIED,
    }
}

fn nh(addr: &str, ifindex: u32) -> NextHop {
    NextHop::via(a(addr), ifindex)
}

fn pfx(s: &str) -> Prefix {
    let (ad, l) = s.split_once('/').unwrap();
    Prefix::new(a(ad), l.parse().unwrap())
}

/// The seed: us (10.0.0.254, DR) on a LAN with three servers announcing the anycast
/// 172.16.0.1/32 as a host stub of cost 0.
fn seed(servers: u8) -> Spf {
    let me = a("10.0.0.254");
    let mut spf = Spf::new(me, SpfConfig::default());
    spf.set_interfaces(&[iface(7, A0, "10.0.0.254", 24)]);
    let mut attached = vec![me];
    for i in 1..=servers {
        let rid = Ipv4Addr::new(10, 0, 0, i);
        attached.push(rid);
        spf.lsa_update(
            A0,
            &router(
                rid,
                0,
                &[
                    (TRANSIT, me, rid, 10),
                    (STUB, a("172.16.0.1"), a("255.255.255.255"), 0),
                ],
            ),
        )
        .unwrap();
    }
    spf.lsa_update(A0, &router(me, 0, &[(TRANSIT, me, me, 10)]))
        .unwrap();
    spf.lsa_update(A0, &network(me, me, 24, &attached)).unwrap();
    spf
}

#[test]
fn rfc2328_16_1_1_transit_network_next_hops_are_neighbor_addresses() {
    let mut spf = seed(3);
    let ch = spf.calculate();
    let r = spf.route(pfx("172.16.0.1/32")).unwrap();
    assert_eq!(r.route_type, RouteType::IntraArea);
    assert_eq!(r.cost, 10);
    assert_eq!(r.area, Some(A0));
    assert_eq!(
        r.nexthops,
        vec![nh("10.0.0.1", 7), nh("10.0.0.2", 7), nh("10.0.0.3", 7)]
    );
    let lan = spf.route(pfx("10.0.0.0/24")).unwrap();
    assert_eq!(lan.nexthops, vec![NextHop::direct(7)]);
    assert_eq!(ch.len(), 2);
    assert!(ch.iter().all(|c| matches!(c, RouteChange::Add { .. })));
}

#[test]
fn rfc2328_16_1_1_max_paths_caps_the_set() {
    let mut spf = seed(5);
    spf.set_config(SpfConfig::default().with_max_paths(2));
    spf.calculate();
    let r = spf.route(pfx("172.16.0.1/32")).unwrap();
    assert_eq!(r.nexthops, vec![nh("10.0.0.1", 7), nh("10.0.0.2", 7)]);
}

#[test]
fn route_change_drain_replaces_with_the_whole_set_then_deletes() {
    let mut spf = seed(3);
    spf.calculate();
    // Server 2 drains: its Router-LSA no longer carries the anycast stub.
    let s2 = a("10.0.0.2");
    let me = a("10.0.0.254");
    spf.lsa_update(A0, &router(s2, 0, &[(TRANSIT, me, s2, 10)]))
        .unwrap();
    let ch = spf.calculate();
    assert_eq!(
        spf.last_stats().dijkstra_runs,
        0,
        "stub-only change needs no Dijkstra"
    );
    assert!(
        !spf.last_stats().full_table,
        "only the anycast prefix is recomputed"
    );
    assert_eq!(
        ch,
        vec![RouteChange::Replace {
            prefix: pfx("172.16.0.1/32"),
            route: Route {
                route_type: RouteType::IntraArea,
                cost: 10,
                type2_cost: 0,
                area: Some(A0),
                tag: 0,
                nexthops: vec![nh("10.0.0.1", 7), nh("10.0.0.3", 7)],
                weights: vec![],
            }
        }]
    );
    // The two others leave the network entirely (their LSAs flushed).
    for s in ["10.0.0.1", "10.0.0.3"] {
        assert!(spf.lsa_remove(A0, 1, a(s), a(s)));
    }
    let ch = spf.calculate();
    assert_eq!(
        ch,
        vec![RouteChange::Delete {
            prefix: pfx("172.16.0.1/32")
        }]
    );
    assert!(spf.calculate().is_empty());
}

#[test]
fn rfc2328_14_maxage_instance_removes_the_lsa() {
    let mut spf = seed(1);
    spf.calculate();
    let s1 = a("10.0.0.1");
    let me = a("10.0.0.254");
    let lsa = router(s1, 0, &[(TRANSIT, me, s1, 10)]);
    assert!(spf.lsa_update(A0, &aged(lsa, 3600)).unwrap());
    let ch = spf.calculate();
    assert_eq!(
        ch,
        vec![RouteChange::Delete {
            prefix: pfx("172.16.0.1/32")
        }]
    );
}

/// root -- A (p2p) and root -- B (p2p), A -- C, B -- C; C has 192.0.2.0/24.
fn diamond(cost_b: u16) -> Spf {
    let (r, x, y, z) = (a("1.1.1.1"), a("2.2.2.2"), a("3.3.3.3"), a("4.4.4.4"));
    let mut spf = Spf::new(r, SpfConfig::default());
    spf.set_interfaces(&[iface(1, A0, "10.1.0.1", 30), iface(2, A0, "10.2.0.1", 30)]);
    let lsas = [
        router(
            r,
            0,
            &[
                (P2P, x, a("10.1.0.1"), 10),
                (STUB, a("10.1.0.0"), mask(30), 10),
                (P2P, y, a("10.2.0.1"), cost_b),
                (STUB, a("10.2.0.0"), mask(30), cost_b),
            ],
        ),
        router(
            x,
            0,
            &[(P2P, r, a("10.1.0.2"), 10), (P2P, z, a("10.3.0.1"), 10)],
        ),
        router(
            y,
            0,
            &[(P2P, r, a("10.2.0.2"), 10), (P2P, z, a("10.4.0.1"), 10)],
        ),
        router(
            z,
            0,
            &[
                (P2P, x, a("10.3.0.2"), 10),
                (P2P, y, a("10.4.0.2"), 10),
                (STUB, a("192.0.2.0"), mask(24), 1),
            ],
        ),
    ];
    for l in &lsas {
        spf.lsa_update(A0, l).unwrap();
    }
    spf
}

#[test]
fn rfc2328_16_1_1_point_to_point_ecmp() {
    let mut spf = diamond(10);
    spf.calculate();
    let r = spf.route(pfx("192.0.2.0/24")).unwrap();
    assert_eq!(r.cost, 21);
    assert_eq!(r.nexthops, vec![nh("10.1.0.2", 1), nh("10.2.0.2", 2)]);
    // own p2p subnets are directly attached
    let own = spf.route(pfx("10.1.0.0/30")).unwrap();
    assert_eq!(own.nexthops, vec![NextHop::direct(1)]);
    assert_eq!(own.cost, 10);
    // a costlier B side drops out of the set
    let mut spf = diamond(11);
    spf.calculate();
    let r = spf.route(pfx("192.0.2.0/24")).unwrap();
    assert_eq!((r.cost, r.nexthops), (21, vec![nh("10.1.0.2", 1)]));
}

#[test]
fn rfc2328_16_1_path_costs_are_24_bit_not_16() {
    let (r, x, y) = (a("1.1.1.1"), a("2.2.2.2"), a("3.3.3.3"));
    let mut spf = Spf::new(r, SpfConfig::default());
    spf.set_interfaces(&[iface(1, A0, "10.1.0.1", 30)]);
    for l in [
        router(r, 0, &[(P2P, x, a("10.1.0.1"), 65535)]),
        router(
            x,
            0,
            &[
                (P2P, r, a("10.1.0.2"), 65535),
                (P2P, y, a("10.2.0.1"), 65535),
            ],
        ),
        router(
            y,
            0,
            &[
                (P2P, x, a("10.2.0.2"), 65535),
                (STUB, a("192.0.2.0"), mask(24), 65535),
            ],
        ),
    ] {
        spf.lsa_update(A0, &l).unwrap();
    }
    spf.calculate();
    assert_eq!(spf.route(pfx("192.0.2.0/24")).unwrap().cost, 3 * 65535);
}

#[test]
fn rfc2328_16_1_two_way_check_ignores_one_sided_links() {
    let (r, x, y) = (a("1.1.1.1"), a("2.2.2.2"), a("3.3.3.3"));
    let mut spf = Spf::new(r, SpfConfig::default());
    spf.set_interfaces(&[iface(1, A0, "10.1.0.1", 30)]);
    for l in [
        router(r, 0, &[(P2P, x, a("10.1.0.1"), 10)]),
        // x claims y, y does not claim x
        router(
            x,
            0,
            &[(P2P, r, a("10.1.0.2"), 10), (P2P, y, a("10.2.0.1"), 10)],
        ),
        router(y, 0, &[(STUB, a("192.0.2.0"), mask(24), 1)]),
    ] {
        spf.lsa_update(A0, &l).unwrap();
    }
    spf.calculate();
    assert!(spf.route(pfx("192.0.2.0/24")).is_none());
    // y links back: now reachable
    spf.lsa_update(
        A0,
        &router(
            y,
            0,
            &[
                (P2P, x, a("10.2.0.2"), 10),
                (STUB, a("192.0.2.0"), mask(24), 1),
            ],
        ),
    )
    .unwrap();
    let ch = spf.calculate();
    assert_eq!(ch.len(), 1);
    assert_eq!(spf.route(pfx("192.0.2.0/24")).unwrap().cost, 21);
}

/// Us (1.1.1.1) in area 0 on p2p links to two ABRs (2.2.2.2 over if 1, 3.3.3.3 over if 2).
fn two_abrs() -> Spf {
    let (r, b1, b2) = (a("1.1.1.1"), a("2.2.2.2"), a("3.3.3.3"));
    let mut spf = Spf::new(r, SpfConfig::default());
    spf.set_interfaces(&[iface(1, A0, "10.1.0.1", 30), iface(2, A0, "10.2.0.1", 30)]);
    for l in [
        router(
            r,
            0,
            &[(P2P, b1, a("10.1.0.1"), 10), (P2P, b2, a("10.2.0.1"), 10)],
        ),
        router(b1, 0x01, &[(P2P, r, a("10.1.0.2"), 10)]),
        router(b2, 0x01, &[(P2P, r, a("10.2.0.2"), 10)]),
    ] {
        spf.lsa_update(A0, &l).unwrap();
    }
    spf
}

#[test]
fn rfc2328_16_2_inter_area_routes_with_ecmp_over_two_abrs() {
    let mut spf = two_abrs();
    let (b1, b2) = (a("2.2.2.2"), a("3.3.3.3"));
    spf.lsa_update(A0, &summary(3, a("198.51.100.0"), b1, 24, 5))
        .unwrap();
    spf.lsa_update(A0, &summary(3, a("198.51.100.0"), b2, 24, 5))
        .unwrap();
    spf.lsa_update(A0, &summary(3, a("203.0.113.0"), b2, 24, 7))
        .unwrap();
    // LSInfinity: unreachable
    spf.lsa_update(A0, &summary(3, a("192.0.2.0"), b1, 24, LS_INFINITY))
        .unwrap();
    spf.calculate();
    let r = spf.route(pfx("198.51.100.0/24")).unwrap();
    assert_eq!(r.route_type, RouteType::InterArea);
    assert_eq!(r.cost, 15);
    assert_eq!(r.nexthops, vec![nh("10.1.0.2", 1), nh("10.2.0.2", 2)]);
    assert_eq!(
        spf.route(pfx("203.0.113.0/24")).unwrap().nexthops,
        vec![nh("10.2.0.2", 2)]
    );
    assert!(spf.route(pfx("192.0.2.0/24")).is_none());
    // Partial: a summary change runs no Dijkstra.
    spf.lsa_update(A0, &summary(3, a("198.51.100.0"), b1, 24, 4))
        .unwrap();
    let ch = spf.calculate();
    assert_eq!(spf.last_stats().dijkstra_runs, 0);
    assert_eq!(ch.len(), 1);
    assert_eq!(
        spf.route(pfx("198.51.100.0/24")).unwrap().nexthops,
        vec![nh("10.1.0.2", 1)]
    );
}

#[test]
fn rfc2328_16_2_intra_area_route_beats_summary() {
    let mut spf = diamond(10);
    // 4.4.4.4 isn't an ABR, but make 2.2.2.2 one and have it summarize 192.0.2.0/24 at cost 1
    let (r, x, z) = (a("1.1.1.1"), a("2.2.2.2"), a("4.4.4.4"));
    spf.lsa_update(
        A0,
        &router(
            x,
            0x01,
            &[(P2P, r, a("10.1.0.2"), 10), (P2P, z, a("10.3.0.1"), 10)],
        ),
    )
    .unwrap();
    spf.lsa_update(A0, &summary(3, a("192.0.2.0"), x, 24, 1))
        .unwrap();
    spf.calculate();
    let r = spf.route(pfx("192.0.2.0/24")).unwrap();
    assert_eq!((r.route_type, r.cost), (RouteType::IntraArea, 21));
}

#[test]
fn rfc2328_16_4_asbr_via_two_abrs_and_e1_over_e2() {
    let mut spf = two_abrs();
    let (b1, b2, asbr) = (a("2.2.2.2"), a("3.3.3.3"), a("9.9.9.9"));
    spf.lsa_update(A0, &summary(4, asbr, b1, 0, 20)).unwrap();
    spf.lsa_update(A0, &summary(4, asbr, b2, 0, 20)).unwrap();
    let any = A0;
    spf.lsa_update(
        any,
        &external(5, a("192.0.2.0"), asbr, 24, true, 100, A0, 7, 0x02),
    )
    .unwrap();
    spf.lsa_update(
        any,
        &external(5, a("198.51.100.0"), asbr, 24, false, 5, A0, 0, 0x02),
    )
    .unwrap();
    spf.calculate();
    let asbr_route = spf
        .router_routes()
        .into_iter()
        .find(|r| r.router_id == asbr)
        .unwrap();
    assert!(asbr_route.inter_area && asbr_route.asbr);
    assert_eq!(asbr_route.cost, 30);
    assert_eq!(asbr_route.nexthops.len(), 2);
    let e2 = spf.route(pfx("192.0.2.0/24")).unwrap();
    assert_eq!(
        (e2.route_type, e2.cost, e2.type2_cost, e2.tag, e2.area),
        (RouteType::External2, 30, 100, 7, None)
    );
    assert_eq!(e2.nexthops, vec![nh("10.1.0.2", 1), nh("10.2.0.2", 2)]);
    let e1 = spf.route(pfx("198.51.100.0/24")).unwrap();
    assert_eq!((e1.route_type, e1.cost), (RouteType::External1, 35));

    // A second ASBR announces 192.0.2.0/24 as E1 with a huge metric: E1 still wins (§16.4 (6)).
    let asbr2 = a("8.8.8.8");
    spf.lsa_update(A0, &summary(4, asbr2, b2, 0, 1)).unwrap();
    spf.lsa_update(
        any,
        &external(5, a("192.0.2.0"), asbr2, 24, false, 60000, A0, 0, 0x02),
    )
    .unwrap();
    spf.calculate();
    let r = spf.route(pfx("192.0.2.0/24")).unwrap();
    assert_eq!((r.route_type, r.cost), (RouteType::External1, 11 + 60000));
    assert_eq!(r.nexthops, vec![nh("10.2.0.2", 2)]);
}

#[test]
fn rfc2328_16_4_e2_ties_broken_by_distance_to_asbr() {
    let mut spf = two_abrs();
    let (b1, b2) = (a("2.2.2.2"), a("3.3.3.3"));
    let (x1, x2) = (a("9.9.9.1"), a("9.9.9.2"));
    spf.lsa_update(A0, &summary(4, x1, b1, 0, 50)).unwrap();
    spf.lsa_update(A0, &summary(4, x2, b2, 0, 5)).unwrap();
    for x in [x1, x2] {
        spf.lsa_update(A0, &external(5, a("192.0.2.0"), x, 24, true, 20, A0, 0, 2))
            .unwrap();
    }
    spf.calculate();
    let r = spf.route(pfx("192.0.2.0/24")).unwrap();
    assert_eq!((r.cost, r.type2_cost), (15, 20));
    assert_eq!(r.nexthops, vec![nh("10.2.0.2", 2)]);
    // a lower type-2 metric wins over a shorter internal distance
    spf.lsa_update(A0, &external(5, a("192.0.2.0"), x1, 24, true, 19, A0, 0, 2))
        .unwrap();
    spf.calculate();
    assert_eq!(spf.last_stats().dijkstra_runs, 0);
    assert!(!spf.last_stats().full_table);
    let r = spf.route(pfx("192.0.2.0/24")).unwrap();
    assert_eq!((r.cost, r.type2_cost), (60, 19));
}

#[test]
fn rfc2328_16_4_forwarding_address() {
    // diamond: 192.0.2.0/24 at 4.4.4.4 (cost 21, two next hops); 2.2.2.2 becomes an ASBR
    let mut spf = diamond(10);
    let (r, x, z) = (a("1.1.1.1"), a("2.2.2.2"), a("4.4.4.4"));
    spf.lsa_update(
        A0,
        &router(
            x,
            0x02,
            &[(P2P, r, a("10.1.0.2"), 10), (P2P, z, a("10.3.0.1"), 10)],
        ),
    )
    .unwrap();
    // FA in 192.0.2.0/24: the route to the FA is used, not the one to the ASBR
    spf.lsa_update(
        A0,
        &external(5, a("203.0.113.0"), x, 24, true, 1, a("192.0.2.77"), 0, 2),
    )
    .unwrap();
    // FA on our own directly attached subnet 10.2.0.0/30: next hop is the FA itself
    spf.lsa_update(
        A0,
        &external(5, a("203.0.113.64"), x, 26, false, 1, a("10.2.0.2"), 0, 2),
    )
    .unwrap();
    // FA = our own address: no route (as FRR)
    spf.lsa_update(
        A0,
        &external(5, a("203.0.113.128"), x, 26, true, 1, a("10.1.0.1"), 0, 2),
    )
    .unwrap();
    // FA unreachable: no route
    spf.lsa_update(
        A0,
        &external(5, a("203.0.113.192"), x, 26, true, 1, a("100.64.0.1"), 0, 2),
    )
    .unwrap();
    spf.calculate();
    let r1 = spf.route(pfx("203.0.113.0/24")).unwrap();
    assert_eq!((r1.cost, r1.type2_cost), (21, 1));
    assert_eq!(r1.nexthops, vec![nh("10.1.0.2", 1), nh("10.2.0.2", 2)]);
    let r2 = spf.route(pfx("203.0.113.64/26")).unwrap();
    assert_eq!((r2.route_type, r2.cost), (RouteType::External1, 11));
    assert_eq!(r2.nexthops, vec![nh("10.2.0.2", 2)]);
    assert!(spf.route(pfx("203.0.113.128/26")).is_none());
    assert!(spf.route(pfx("203.0.113.192/26")).is_none());
}

/// An ABR (1.1.1.1): area 0 with router 2.2.2.2 (stub 192.0.2.0/24, ASBR), area 1 of `kind`
/// with router 3.3.3.3 (stub 198.51.100.0/24).
fn abr(kind: AreaKind) -> Spf {
    let (r, x, y) = (a("1.1.1.1"), a("2.2.2.2"), a("3.3.3.3"));
    let a1 = a("0.0.0.1");
    let mut spf = Spf::new(r, SpfConfig::default());
    spf.set_areas(&[(A0, AreaKind::Normal), (a1, kind)]);
    spf.set_interfaces(&[iface(1, A0, "10.1.0.1", 30), iface(2, a1, "10.2.0.1", 30)]);
    for (ar, l) in [
        (
            A0,
            router(
                r,
                0x01,
                &[
                    (P2P, x, a("10.1.0.1"), 10),
                    (STUB, a("10.1.0.0"), mask(30), 10),
                ],
            ),
        ),
        (
            A0,
            router(
                x,
                0x02,
                &[
                    (P2P, r, a("10.1.0.2"), 10),
                    (STUB, a("192.0.2.0"), mask(24), 1),
                ],
            ),
        ),
        (
            a1,
            router(
                r,
                0x01,
                &[
                    (P2P, y, a("10.2.0.1"), 10),
                    (STUB, a("10.2.0.0"), mask(30), 10),
                ],
            ),
        ),
        (
            a1,
            router(
                y,
                0x00,
                &[
                    (P2P, r, a("10.2.0.2"), 10),
                    (STUB, a("198.51.100.0"), mask(24), 1),
                ],
            ),
        ),
    ] {
        spf.lsa_update(ar, &l).unwrap();
    }
    spf
}

fn summaries_of(spf: &Spf, area: Ipv4Addr) -> Vec<(SummaryKind, u32)> {
    spf.summaries()
        .into_iter()
        .filter(|s| s.area == area)
        .map(|s| (s.kind, s.metric))
        .collect()
}

#[test]
fn rfc2328_12_4_3_abr_summaries_and_withdrawal() {
    let mut spf = abr(AreaKind::Normal);
    spf.calculate();
    assert!(spf.is_abr());
    let net = |s| SummaryKind::Network(pfx(s));
    assert_eq!(
        summaries_of(&spf, A0),
        vec![(net("10.2.0.0/30"), 10), (net("198.51.100.0/24"), 11)]
    );
    assert_eq!(
        summaries_of(&spf, a("0.0.0.1")),
        vec![
            (net("10.1.0.0/30"), 10),
            (net("192.0.2.0/24"), 11),
            (SummaryKind::Asbr(a("2.2.2.2")), 10)
        ]
    );
    // 3.3.3.3 loses its stub: the summary is withdrawn
    spf.lsa_update(
        a("0.0.0.1"),
        &router(a("3.3.3.3"), 0, &[(P2P, a("1.1.1.1"), a("10.2.0.2"), 10)]),
    )
    .unwrap();
    spf.calculate();
    assert_eq!(summaries_of(&spf, A0), vec![(net("10.2.0.0/30"), 10)]);
}

#[test]
fn rfc2328_12_4_3_stub_and_totally_stubby_default() {
    let net = |s| SummaryKind::Network(pfx(s));
    let mut spf = abr(AreaKind::Stub {
        no_summary: false,
        default_cost: 5,
    });
    spf.calculate();
    assert_eq!(
        summaries_of(&spf, a("0.0.0.1")),
        vec![
            (net("0.0.0.0/0"), 5),
            (net("10.1.0.0/30"), 10),
            (net("192.0.2.0/24"), 11)
        ],
        "no type 4 into a stub area"
    );
    let mut spf = abr(AreaKind::Stub {
        no_summary: true,
        default_cost: 5,
    });
    spf.calculate();
    assert_eq!(
        summaries_of(&spf, a("0.0.0.1")),
        vec![(net("0.0.0.0/0"), 5)]
    );

    // Inside the totally stubby area, 3.3.3.3 routes by that default.
    let (y, r) = (a("3.3.3.3"), a("1.1.1.1"));
    let a1 = a("0.0.0.1");
    let mut inner = Spf::new(y, SpfConfig::default());
    inner.set_areas(&[(
        a1,
        AreaKind::Stub {
            no_summary: true,
            default_cost: 5,
        },
    )]);
    inner.set_interfaces(&[iface(3, a1, "10.2.0.2", 30)]);
    for l in [
        router(y, 0, &[(P2P, r, a("10.2.0.2"), 10)]),
        router(
            r,
            0x01,
            &[
                (P2P, y, a("10.2.0.1"), 10),
                (STUB, a("10.2.0.0"), mask(30), 10),
            ],
        ),
        summary(3, A0, r, 0, 5),
    ] {
        inner.lsa_update(a1, &l).unwrap();
    }
    inner.calculate();
    let d = inner.route(pfx("0.0.0.0/0")).unwrap();
    assert_eq!((d.route_type, d.cost), (RouteType::InterArea, 15));
    assert_eq!(d.nexthops, vec![nh("10.2.0.1", 3)]);
}

#[test]
fn rfc3101_nssa_type7_routes_and_translation() {
    let a1 = a("0.0.0.1");
    let nssa = AreaKind::nssa(false);
    let mut spf = abr(nssa);
    // 3.3.3.3 becomes the NSSA ASBR
    let (r, y) = (a("1.1.1.1"), a("3.3.3.3"));
    spf.lsa_update(
        a1,
        &router(
            y,
            0x02,
            &[
                (P2P, r, a("10.2.0.2"), 10),
                (STUB, a("198.51.100.0"), mask(24), 1),
            ],
        ),
    )
    .unwrap();
    let fa = a("198.51.100.1");
    spf.lsa_update(
        a1,
        &external(7, a("203.0.113.0"), y, 24, true, 20, fa, 9, 0x08),
    )
    .unwrap();
    // no P bit: not translated
    spf.lsa_update(
        a1,
        &external(7, a("203.0.113.128"), y, 25, true, 20, fa, 0, 0x00),
    )
    .unwrap();
    spf.calculate();
    let r7 = spf.route(pfx("203.0.113.0/24")).unwrap();
    assert_eq!(
        (r7.route_type, r7.cost, r7.type2_cost),
        (RouteType::External2, 11, 20)
    );
    assert!(spf.is_nssa_translator(a1));
    assert_eq!(
        spf.translations(),
        vec![Translation {
            area: a1,
            prefix: pfx("203.0.113.0/24"),
            e2: true,
            metric: 20,
            forwarding: fa,
            tag: 9
        }]
    );
    // No type 4 for the NSSA's ASBR into the backbone; type 3 as usual.
    assert!(
        summaries_of(&spf, A0)
            .iter()
            .all(|(k, _)| !matches!(k, SummaryKind::Asbr(_)))
    );
    // A higher-ID ABR in the NSSA takes the translator role.
    spf.lsa_update(
        a1,
        &router(
            y,
            0x03,
            &[
                (P2P, r, a("10.2.0.2"), 10),
                (STUB, a("198.51.100.0"), mask(24), 1),
            ],
        ),
    )
    .unwrap();
    spf.calculate();
    assert!(!spf.is_nssa_translator(a1));
    assert!(spf.translations().is_empty());
}

#[test]
fn partial_recalculation_equals_full() {
    let mut spf = two_abrs();
    let (b1, b2) = (a("2.2.2.2"), a("3.3.3.3"));
    let asbr = a("9.9.9.9");
    spf.lsa_update(A0, &summary(4, asbr, b1, 0, 20)).unwrap();
    for i in 0..50u8 {
        spf.lsa_update(
            A0,
            &external(
                5,
                Ipv4Addr::new(192, 0, i, 0),
                asbr,
                24,
                i % 2 == 0,
                u32::from(i),
                A0,
                0,
                2,
            ),
        )
        .unwrap();
    }
    spf.calculate();
    // External-only changes: recomputed prefix by prefix.
    for i in 0..10u8 {
        spf.lsa_remove(A0, 5, Ipv4Addr::new(192, 0, i, 0), asbr);
        spf.lsa_update(
            A0,
            &external(5, Ipv4Addr::new(192, 1, i, 0), asbr, 24, true, 1, A0, 0, 2),
        )
        .unwrap();
    }
    let ch = spf.calculate();
    assert!(!spf.last_stats().full_table);
    assert_eq!(ch.len(), 20);
    // Full rebuild from scratch: identical table.
    let mut fresh = spf.clone();
    fresh.invalidate();
    assert!(fresh.calculate().is_empty());
    assert_eq!(
        fresh.routes().collect::<Vec<_>>(),
        spf.routes().collect::<Vec<_>>()
    );
    // Summary change moves the ASBR: externals follow without Dijkstra.
    spf.lsa_update(A0, &summary(4, asbr, b2, 0, 1)).unwrap();
    let ch = spf.calculate();
    assert_eq!(spf.last_stats().dijkstra_runs, 0);
    assert_eq!(ch.len(), 50);
    assert!(ch.iter().all(|c| match c {
        RouteChange::Replace { route, .. } => route.nexthops == vec![nh("10.2.0.2", 2)],
        _ => false,
    }));
}

/// An ASBR (9.9.9.9, also an ABR) reachable intra-area through the backbone (cost 11) and
/// through area 1 (cost 101).
fn asbr_two_areas(rfc1583: bool) -> Spf {
    let (r, x, y, z) = (a("1.1.1.1"), a("2.2.2.2"), a("3.3.3.3"), a("9.9.9.9"));
    let a1 = a("0.0.0.1");
    let cfg = SpfConfig::default().with_rfc1583_compatible(rfc1583);
    let mut spf = Spf::new(r, cfg);
    spf.set_areas(&[(A0, AreaKind::Normal), (a1, AreaKind::Normal)]);
    spf.set_interfaces(&[iface(1, A0, "10.1.0.1", 30), iface(2, a1, "10.2.0.1", 30)]);
    for (ar, l) in [
        (A0, router(r, 0x01, &[(P2P, x, a("10.1.0.1"), 10)])),
        (
            A0,
            router(
                x,
                0,
                &[(P2P, r, a("10.1.0.2"), 10), (P2P, z, a("10.3.0.1"), 1)],
            ),
        ),
        (A0, router(z, 0x03, &[(P2P, x, a("10.3.0.2"), 1)])),
        (a1, router(r, 0x01, &[(P2P, y, a("10.2.0.1"), 100)])),
        (
            a1,
            router(
                y,
                0,
                &[(P2P, r, a("10.2.0.2"), 100), (P2P, z, a("10.4.0.1"), 1)],
            ),
        ),
        (a1, router(z, 0x03, &[(P2P, y, a("10.4.0.2"), 1)])),
        (A0, external(5, a("192.0.2.0"), z, 24, true, 5, A0, 0, 2)),
    ] {
        spf.lsa_update(ar, &l).unwrap();
    }
    spf.calculate();
    spf
}

#[test]
fn rfc2328_16_4_1_non_backbone_intra_area_path_to_asbr_preferred() {
    let spf = asbr_two_areas(false);
    let r = spf.route(pfx("192.0.2.0/24")).unwrap();
    assert_eq!((r.cost, r.nexthops), (101, vec![nh("10.2.0.2", 2)]));
    // RFC 1583 compatibility: the cheapest path, whatever its area.
    let spf = asbr_two_areas(true);
    let r = spf.route(pfx("192.0.2.0/24")).unwrap();
    assert_eq!((r.cost, r.nexthops), (11, vec![nh("10.1.0.2", 1)]));
}
