//! Aggregation in running engines (simulator): area address ranges on an area border
//! router (RFC 2328 §12.4.3, §11.1 discard routes), ranges on an NSSA for the type-7 →
//! type-5 translation (RFC 3101 §3.2), and `summary-address` aggregates of redistributed
//! routes on an AS boundary router.
#![cfg(feature = "sim")]

mod area_util;

use area_util::*;
use core::net::Ipv4Addr;
use ospf_core::config::{
    AreaConfig, AreaKind, AreaRange, InstanceConfig, InterfaceConfig, SummaryAddress,
};
use ospf_core::instance::{Event, ExternalRoute};
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::sim::{NodeId, Sim, SimConfig};
use ospf_core::spf::{Prefix, Route, RouteChange, RouteType};
use ospf_core::time::Duration;
use ospf_core::wire::LsaType;

fn p(s: &str) -> Prefix {
    s.parse().unwrap()
}

/// A passive stub network `net` (its first address is ours) of cost `cost` in `area`.
fn stub(net: &str, cost: u16, area: Ipv4Addr) -> InterfaceConfig {
    let n = p(net);
    InterfaceConfig::new(Ipv4Addr::from(u32::from(n.addr()) + 1), n.prefix_len())
        .area(area)
        .cost(cost)
        .passive(true)
}

/// R0 (backbone) — R1 (ABR: area 0, area 1, NSSA area 2) — R2 (area 1, with stub
/// networks 10.1.1.0/24 cost 10 and 10.1.2.0/24 cost 30); R1 — R3 (NSSA area 2).
/// Returns the ifindexes of R2's two stubs.
fn topology(
    seed: u64,
    ranges: &[AreaRange],
    nssa_ranges: &[AreaRange],
) -> (Sim, Vec<NodeId>, [u32; 2]) {
    let mut sim = Sim::new(SimConfig::seeded(seed));
    let r: Vec<NodeId> = (0..4)
        .map(|i| sim.add_router(InstanceConfig::new(rid(i))))
        .collect();
    let mut a1 = AreaConfig::new(A1);
    for x in ranges {
        a1 = a1.range(*x);
    }
    let mut a2 = AreaConfig::new(A2).kind(AreaKind::nssa(false));
    for x in nssa_ranges {
        a2 = a2.range(*x);
    }
    sim.command(r[1], |i, now| i.add_area(now, a1.clone()));
    sim.command(r[1], |i, now| i.add_area(now, a2.clone()));
    let nssa = AreaConfig::new(A2).kind(AreaKind::nssa(false));
    sim.command(r[3], |i, now| i.add_area(now, nssa.clone()));
    sim.link(r[0], p2p(0, 1, A0), r[1], p2p(0, 2, A0));
    sim.link(r[1], p2p(1, 1, A1), r[2], p2p(1, 2, A1));
    sim.link(r[1], p2p(2, 1, A2), r[3], p2p(2, 2, A2));
    let s1 = sim.attach_alone(r[2], stub("10.1.1.0/24", 10, A1));
    let s2 = sim.attach_alone(r[2], stub("10.1.2.0/24", 30, A1));
    (sim, r, [s1, s2])
}

fn route(sim: &Sim, n: NodeId, prefix: Prefix) -> Option<Route> {
    sim.instance(n)
        .unwrap()
        .routes()
        .find(|(x, _)| *x == prefix)
        .map(|(_, r)| r)
}

/// The live Summary-LSA of `adv` for `lsid` in `area` at node `n`: (mask length, metric).
fn summary(sim: &Sim, n: NodeId, area: Ipv4Addr, lsid: Ipv4Addr, adv: usize) -> Option<(u8, u32)> {
    let key = LsaKey::new(LsaType::SummaryNetwork, lsid, rid(adv));
    let e = sim.instance(n)?.lsa(Scope::Area(area), &key)?;
    if e.is_max_age(sim.now()) {
        return None;
    }
    let b = e.body();
    let mask = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let metric = u32::from_be_bytes([0, b[5], b[6], b[7]]);
    Some((mask.count_ones() as u8, metric))
}

/// The live type-5 LSA of `adv` for `lsid` at node `n`: (mask length, E2, metric, fwd, tag).
fn type5(
    sim: &Sim,
    n: NodeId,
    lsid: Ipv4Addr,
    adv: usize,
) -> Option<(u8, bool, u32, Ipv4Addr, u32)> {
    let key = LsaKey::new(LsaType::AsExternal, lsid, rid(adv));
    let e = sim.instance(n)?.lsa(Scope::As, &key)?;
    if e.is_max_age(sim.now()) {
        return None;
    }
    let b = e.body();
    let mask = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    Some((
        mask.count_ones() as u8,
        b[4] & 0x80 != 0,
        u32::from_be_bytes([0, b[5], b[6], b[7]]),
        Ipv4Addr::new(b[8], b[9], b[10], b[11]),
        u32::from_be_bytes([b[12], b[13], b[14], b[15]]),
    ))
}

const NET1: Ipv4Addr = Ipv4Addr::new(10, 1, 1, 0);
const NET2: Ipv4Addr = Ipv4Addr::new(10, 1, 2, 0);
const RANGE: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 0);

#[test]
fn rfc2328_12_4_3_range_replaces_components_with_costliest_component_cost() {
    let (mut sim, r, _) = topology(1, &[AreaRange::new(p("10.1.0.0/16"))], &[]);
    sim.run_for(Duration::from_secs(60));
    // Into the backbone: one summary for the range; its cost is the largest component
    // cost (R1→R2 10 + stub 30 = 40), none for the components.
    assert_eq!(summary(&sim, r[0], A0, RANGE, 1), Some((16, 40)));
    assert_eq!(summary(&sim, r[0], A0, NET1, 1), None);
    assert_eq!(summary(&sim, r[0], A0, NET2, 1), None);
    // Into the NSSA as well (ranges apply toward every other area).
    assert_eq!(summary(&sim, r[3], A2, RANGE, 1), Some((16, 40)));
    // The backbone router has the range as one inter-area route, not the components.
    let rt = route(&sim, r[0], p("10.1.0.0/16")).expect("route to the range");
    assert_eq!((rt.route_type, rt.cost), (RouteType::InterArea, 50));
    assert!(route(&sim, r[0], p("10.1.1.0/24")).is_none());
    // Inside area 1 the components stay intra-area routes; the range summary is not
    // announced back into area 1.
    assert_eq!(summary(&sim, r[2], A1, RANGE, 1), None);
    assert_eq!(
        route(&sim, r[1], p("10.1.2.0/24")).map(|r| r.route_type),
        Some(RouteType::IntraArea)
    );
}

#[test]
fn rfc2328_12_4_3_configured_range_cost_and_not_advertise() {
    let ranges = [
        AreaRange::new(p("10.1.1.0/24")).cost(Some(77)),
        AreaRange::new(p("10.1.2.0/24")).advertise(false),
    ];
    let (mut sim, r, _) = topology(2, &ranges, &[]);
    sim.run_for(Duration::from_secs(60));
    assert_eq!(summary(&sim, r[0], A0, NET1, 1), Some((24, 77)));
    // not-advertise: the component is hidden from the other areas, nothing replaces it.
    assert_eq!(summary(&sim, r[0], A0, NET2, 1), None);
    assert!(route(&sim, r[0], p("10.1.2.0/24")).is_none());
    // No discard route for a hidden range (as FRR), and none for a range equal to a
    // component (the component's own route is there).
    assert!(sim.instance(r[1]).unwrap().discard_routes().is_empty());
}

#[test]
fn rfc2328_11_1_discard_route_follows_the_range_and_components_come_and_go() {
    let (mut sim, r, [s1, s2]) = topology(3, &[AreaRange::new(p("10.1.0.0/16"))], &[]);
    sim.run_for(Duration::from_secs(60));
    let range = p("10.1.0.0/16");
    let rt = route(&sim, r[1], range).expect("discard route on the ABR");
    assert_eq!(rt.route_type, RouteType::Discard);
    assert!(rt.nexthops.is_empty());
    let added = sim.events(r[1]).iter().any(|(_, e)| {
        matches!(e, Event::RouteChange(RouteChange::Add { prefix, route })
            if *prefix == range && route.route_type == RouteType::Discard)
    });
    assert!(added, "the discard route was reported as a route change");
    // The costliest component goes: the range's cost drops to the remaining one's.
    sim.command(r[2], |i, now| i.set_interface_up(now, s2, false).unwrap());
    sim.run_for(Duration::from_secs(30));
    assert_eq!(summary(&sim, r[0], A0, RANGE, 1), Some((16, 20)));
    // The last component goes: the summary is flushed and the discard route deleted.
    sim.clear_events(r[1]);
    sim.command(r[2], |i, now| i.set_interface_up(now, s1, false).unwrap());
    sim.run_for(Duration::from_secs(30));
    assert_eq!(summary(&sim, r[0], A0, RANGE, 1), None);
    assert!(route(&sim, r[0], range).is_none());
    assert!(route(&sim, r[1], range).is_none());
    let deleted = sim.events(r[1]).iter().any(|(_, e)| {
        matches!(e, Event::RouteChange(RouteChange::Delete { prefix }) if *prefix == range)
    });
    assert!(deleted, "the discard route was withdrawn");
    // A component comes back: the range is announced again.
    sim.command(r[2], |i, now| i.set_interface_up(now, s2, true).unwrap());
    sim.run_for(Duration::from_secs(30));
    assert_eq!(summary(&sim, r[0], A0, RANGE, 1), Some((16, 40)));
    assert_eq!(
        route(&sim, r[1], range).map(|r| r.route_type),
        Some(RouteType::Discard)
    );
}

#[test]
fn rfc2328_12_4_3_ranges_reconfigured_at_run_time() {
    let (mut sim, r, _) = topology(4, &[], &[]);
    sim.run_for(Duration::from_secs(60));
    assert_eq!(summary(&sim, r[0], A0, NET1, 1), Some((24, 20)));
    let cfg = AreaConfig::new(A1).range(AreaRange::new(p("10.1.0.0/16")).cost(Some(5)));
    sim.command(r[1], |i, now| i.add_area(now, cfg.clone()));
    sim.run_for(Duration::from_secs(30));
    assert_eq!(summary(&sim, r[0], A0, RANGE, 1), Some((16, 5)));
    assert_eq!(summary(&sim, r[0], A0, NET1, 1), None);
    // The adjacencies were not restarted by a change of ranges alone.
    assert!(route(&sim, r[0], p("10.1.0.0/16")).is_some());
    sim.command(r[1], |i, now| i.add_area(now, AreaConfig::new(A1)));
    sim.run_for(Duration::from_secs(30));
    assert_eq!(summary(&sim, r[0], A0, RANGE, 1), None);
    assert_eq!(summary(&sim, r[0], A0, NET1, 1), Some((24, 20)));
    assert!(sim.instance(r[1]).unwrap().discard_routes().is_empty());
}

#[test]
fn rfc3101_3_2_nssa_range_aggregates_translated_type7() {
    let ranges = [AreaRange::new(p("198.51.100.0/23"))];
    let (mut sim, r, _) = topology(5, &[], &ranges);
    sim.command(r[3], |i, now| {
        i.redistribute(
            now,
            ExternalRoute::new(Ipv4Addr::new(198, 51, 100, 0), 24).metric(7),
        );
        i.redistribute(
            now,
            ExternalRoute::new(Ipv4Addr::new(198, 51, 101, 0), 24).metric(9),
        );
    });
    sim.run_for(Duration::from_secs(60));
    // One type-5 for the range: type 2, the largest type-2 metric plus one, forwarding
    // address 0 (the translator), instead of one per type-7 LSA.
    let agg = type5(&sim, r[0], Ipv4Addr::new(198, 51, 100, 0), 1).expect("aggregate type-5");
    assert_eq!(agg, (23, true, 10, Ipv4Addr::UNSPECIFIED, 0));
    assert!(route(&sim, r[0], p("198.51.101.0/24")).is_none());
    let rt = route(&sim, r[0], p("198.51.100.0/23")).expect("route to the aggregate");
    assert_eq!(rt.route_type, RouteType::External2);
    assert_eq!(
        route(&sim, r[1], p("198.51.100.0/23")).map(|r| r.route_type),
        Some(RouteType::Discard)
    );
    // Both components withdrawn: the aggregate is flushed.
    sim.command(r[3], |i, now| {
        i.withdraw(now, Ipv4Addr::new(198, 51, 100, 0), 24);
        i.withdraw(now, Ipv4Addr::new(198, 51, 101, 0), 24);
    });
    sim.run_for(Duration::from_secs(30));
    assert!(type5(&sim, r[0], Ipv4Addr::new(198, 51, 100, 0), 1).is_none());
    assert!(sim.instance(r[1]).unwrap().discard_routes().is_empty());
}

#[test]
fn summary_address_aggregates_redistributed_routes() {
    let (mut sim, r, _) = topology(6, &[], &[]);
    let agg = SummaryAddress::new(p("172.20.0.0/16")).tag(42);
    sim.command(r[0], |i, now| {
        i.set_summary_addresses(now, vec![agg]);
        i.redistribute(
            now,
            ExternalRoute::new(Ipv4Addr::new(172, 20, 1, 0), 24).metric(100),
        );
        i.redistribute(
            now,
            ExternalRoute::new(Ipv4Addr::new(172, 20, 2, 0), 24).metric(5),
        );
        i.redistribute(now, ExternalRoute::new(Ipv4Addr::new(192, 0, 2, 0), 24));
    });
    sim.run_for(Duration::from_secs(60));
    // One LSA for the aggregate (type 2, metric 20 as FRR, the tag), none for the
    // components; prefixes outside the aggregate are announced as they are.
    let a = Ipv4Addr::new(172, 20, 0, 0);
    assert_eq!(
        type5(&sim, r[2], a, 0),
        Some((16, true, 20, Ipv4Addr::UNSPECIFIED, 42))
    );
    assert!(type5(&sim, r[2], Ipv4Addr::new(172, 20, 1, 0), 0).is_none());
    assert!(type5(&sim, r[2], Ipv4Addr::new(192, 0, 2, 0), 0).is_some());
    let rt = route(&sim, r[2], p("172.20.0.0/16")).expect("aggregate route");
    assert_eq!((rt.route_type, rt.tag), (RouteType::External2, 42));
    assert_eq!(
        sim.instance(r[0]).unwrap().summary_addresses(),
        vec![(agg, 2)]
    );
    // no-advertise: the components stay hidden and nothing is announced for them.
    sim.command(r[0], |i, now| {
        i.set_summary_addresses(now, vec![agg.advertise(false)]);
    });
    sim.run_for(Duration::from_secs(30));
    assert!(type5(&sim, r[2], a, 0).is_none());
    assert!(route(&sim, r[2], p("172.20.1.0/24")).is_none());
    // The aggregate removed: the components are announced one by one again.
    sim.command(r[0], |i, now| i.set_summary_addresses(now, vec![]));
    sim.run_for(Duration::from_secs(30));
    assert!(type5(&sim, r[2], Ipv4Addr::new(172, 20, 1, 0), 0).is_some());
    assert!(type5(&sim, r[2], Ipv4Addr::new(172, 20, 2, 0), 0).is_some());
    // Back again, then the components withdrawn: the aggregate is flushed with the last.
    sim.command(r[0], |i, now| i.set_summary_addresses(now, vec![agg]));
    sim.run_for(Duration::from_secs(30));
    assert!(type5(&sim, r[2], a, 0).is_some());
    sim.command(r[0], |i, now| {
        i.withdraw(now, Ipv4Addr::new(172, 20, 1, 0), 24)
    });
    sim.run_for(Duration::from_secs(10));
    assert!(type5(&sim, r[2], a, 0).is_some(), "one component left");
    sim.command(r[0], |i, now| {
        i.withdraw(now, Ipv4Addr::new(172, 20, 2, 0), 24)
    });
    sim.run_for(Duration::from_secs(30));
    assert!(type5(&sim, r[2], a, 0).is_none());
    assert!(route(&sim, r[2], p("172.20.0.0/16")).is_none());
}
