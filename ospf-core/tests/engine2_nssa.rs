//! NSSA type-7 origination (RFC 3101 §2.3, §2.4) in running engines (simulator): who
//! originates type-7 and type-5 LSAs for a redistributed prefix, the P bit, the forwarding
//! address, withdrawal, and the route a backbone router gets through the translator.
#![cfg(feature = "sim")]

mod area_util;

use area_util::*;
use core::net::Ipv4Addr;
use ospf_core::config::{AreaConfig, AreaKind, InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::ExternalRoute;
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::sim::{NodeId, Sim, SimConfig};
use ospf_core::spf::{NextHop, Prefix, Route, RouteType};
use ospf_core::time::Duration;
use ospf_core::wire::{LsaType, Options};

fn loopback(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(192, 168, 0, i as u8 + 1)
}
const NSSA: AreaKind = AreaKind::nssa(false);
const STUB: AreaKind = AreaKind::stub(false);

/// R1 (backbone) — R2 (ABR, area 0 and NSSA area 1) — R3 (NSSA only); R2 — R4 (stub
/// area 2). `with_loopback`: R3 has a loopback in the NSSA.
fn topology(seed: u64, with_loopback: bool) -> (Sim, Vec<NodeId>) {
    let mut sim = Sim::new(SimConfig::seeded(seed));
    let r: Vec<NodeId> = (0..4)
        .map(|i| sim.add_router(InstanceConfig::new(rid(i))))
        .collect();
    for (n, area, kind) in [
        (r[1], A1, NSSA),
        (r[2], A1, NSSA),
        (r[1], A2, STUB),
        (r[3], A2, STUB),
    ] {
        sim.command(n, |i, now| {
            i.add_area(now, AreaConfig::new(area).kind(kind))
        });
    }
    sim.link(r[0], p2p(0, 1, A0), r[1], p2p(0, 2, A0));
    sim.link(r[1], p2p(1, 1, A1), r[2], p2p(1, 2, A1));
    sim.link(r[1], p2p(2, 1, A2), r[3], p2p(2, 2, A2));
    if with_loopback {
        sim.attach_alone(
            r[2],
            InterfaceConfig::new(loopback(2), 32)
                .if_type(InterfaceType::Loopback)
                .area(A1),
        );
    }
    (sim, r)
}

fn ext() -> Prefix {
    Prefix::new(Ipv4Addr::new(203, 0, 113, 0), 24)
}

/// Node `n`'s route to [`ext`], if any.
fn ext_route(sim: &Sim, n: NodeId) -> Option<Route> {
    let mut routes = sim.instance(n).unwrap().routes();
    routes.find(|(p, _)| *p == ext()).map(|(_, r)| r)
}

fn fwd(body: &[u8]) -> Ipv4Addr {
    Ipv4Addr::new(body[8], body[9], body[10], body[11])
}

fn type5(i: usize) -> LsaKey {
    LsaKey::new(LsaType::AsExternal, ext().addr(), rid(i))
}
fn type7(i: usize) -> LsaKey {
    LsaKey::new(LsaType::Nssa, ext().addr(), rid(i))
}

#[test]
fn rfc3101_2_4_nssa_internal_asbr_originates_type7_with_p_bit_and_no_type5() {
    let (mut sim, r) = topology(21, true);
    sim.command(r[2], |i, now| {
        i.redistribute(now, ExternalRoute::new(ext().addr(), 24).metric(7))
    });
    sim.run_for(Duration::from_secs(60));
    let (opts, body) = live(&sim, r[2], Scope::Area(A1), type7(2)).expect("type-7 in the NSSA");
    assert!(opts.contains(Options::NP), "P bit set: {opts:?}");
    // §2.3: a non-zero forwarding address, the loopback's in preference.
    assert_eq!(fwd(&body), loopback(2));
    assert_eq!(&body[..4], &[255, 255, 255, 0]);
    // Not attached to a normal area: no type-5 of its own.
    assert!(live(&sim, r[2], Scope::As, type5(2)).is_none());
    // The ABR received the type-7, the backbone router did not (area scope).
    assert!(live(&sim, r[1], Scope::Area(A1), type7(2)).is_some());
    assert!(live(&sim, r[0], Scope::Area(A1), type7(2)).is_none());
}

#[test]
fn rfc3101_2_3_forwarding_address_is_an_nssa_interface_address_without_loopback() {
    let (mut sim, r) = topology(22, false);
    sim.command(r[2], |i, now| {
        i.redistribute(now, ExternalRoute::new(ext().addr(), 24))
    });
    sim.run_for(Duration::from_secs(60));
    let (_, body) = live(&sim, r[2], Scope::Area(A1), type7(2)).expect("type-7 in the NSSA");
    assert_eq!(fwd(&body), link_addr(1, 2));
    // A forwarding address configured with the route is kept as it is.
    let fa = Ipv4Addr::new(10, 9, 9, 9);
    sim.command(r[2], |i, now| {
        i.redistribute(now, ExternalRoute::new(ext().addr(), 24).forwarding(fa))
    });
    sim.run_for(Duration::from_secs(10));
    let (_, body) = live(&sim, r[2], Scope::Area(A1), type7(2)).unwrap();
    assert_eq!(fwd(&body), fa);
}

#[test]
fn rfc3101_2_4_nssa_abr_clears_p_bit_and_originates_type5() {
    let (mut sim, r) = topology(23, true);
    sim.command(r[1], |i, now| {
        i.redistribute(now, ExternalRoute::new(ext().addr(), 24))
    });
    sim.run_for(Duration::from_secs(60));
    // Both a type-5 (into the backbone) and a type-7 (into the NSSA): P bit clear, so
    // that no other NSSA border router translates it again.
    let (opts, body) = live(&sim, r[1], Scope::Area(A1), type7(1)).expect("type-7");
    assert!(!opts.contains(Options::NP), "P bit clear: {opts:?}");
    assert_ne!(fwd(&body), Ipv4Addr::UNSPECIFIED);
    assert!(live(&sim, r[1], Scope::As, type5(1)).is_some());
    assert!(live(&sim, r[0], Scope::As, type5(1)).is_some());
    // The stub area gets neither: R4 holds no external LSA of any kind.
    assert!(live(&sim, r[3], Scope::As, type5(1)).is_none());
    assert!(live(&sim, r[3], Scope::Area(A2), type7(1)).is_none());
    assert!(
        sim.instance(r[3])
            .unwrap()
            .lsdb(sim.now())
            .all(|l| !matches!(l.key.ls_type(), LsaType::AsExternal | LsaType::Nssa))
    );
    // The NSSA router routes to it through the type-7 (as an E2 route).
    let route = ext_route(&sim, r[2]).expect("route in the NSSA");
    assert_eq!(route.route_type, RouteType::External2);
    assert_eq!(route.nexthops, vec![NextHop::via(link_addr(1, 1), 1)]);
}

#[test]
fn rfc3101_2_4_stub_area_router_originates_neither_type5_nor_type7() {
    let (mut sim, r) = topology(24, false);
    sim.command(r[3], |i, now| {
        i.redistribute(now, ExternalRoute::new(ext().addr(), 24))
    });
    sim.run_for(Duration::from_secs(60));
    for &n in &r {
        assert!(live(&sim, n, Scope::As, type5(3)).is_none(), "{n:?}");
        for a in [A0, A1, A2] {
            assert!(live(&sim, n, Scope::Area(a), type7(3)).is_none());
        }
    }
    assert!(ext_route(&sim, r[0]).is_none());
}

/// End to end: an ASBR inside the NSSA redistributes a prefix, the NSSA ABR translates it
/// into a type-5 LSA in the backbone, a backbone router routes to it as E2; withdrawing
/// it flushes the type-7, the translation and the route.
#[test]
fn rfc3101_2_4_type7_translated_by_abr_gives_backbone_e2_route_and_withdraw_flushes() {
    let (mut sim, r) = topology(25, true);
    sim.command(r[2], |i, now| {
        i.redistribute(now, ExternalRoute::new(ext().addr(), 24).metric(30))
    });
    sim.run_for(Duration::from_secs(60));
    // The translated type-5, originated by the ABR, in the backbone router's LSDB.
    let (_, body) = live(&sim, r[0], Scope::As, type5(1)).expect("translated type-5");
    assert_eq!(fwd(&body), loopback(2));
    assert_eq!(&body[4..8], &[0x80, 0, 0, 30], "E2, metric 30");
    let route = ext_route(&sim, r[0]).expect("E2 route on the backbone router");
    assert_eq!(route.route_type, RouteType::External2);
    assert_eq!(route.type2_cost, 30);
    assert_eq!(route.nexthops, vec![NextHop::via(link_addr(0, 2), 1)]);

    sim.command(r[2], |i, now| i.withdraw(now, ext().addr(), 24));
    sim.run_for(Duration::from_secs(30));
    assert!(live(&sim, r[2], Scope::Area(A1), type7(2)).is_none());
    assert!(live(&sim, r[1], Scope::Area(A1), type7(2)).is_none());
    assert!(live(&sim, r[0], Scope::As, type5(1)).is_none());
    assert!(ext_route(&sim, r[0]).is_none());
}

/// An NSSA router that becomes attached to a normal area too (a backbone link comes up)
/// starts announcing a type-5 and clears the P bit of its type-7; when the link goes, it
/// flushes the type-5 and sets the P bit again.
#[test]
fn rfc3101_2_4_attachment_to_normal_area_switches_type5_and_p_bit() {
    let mut sim = Sim::new(SimConfig::seeded(26));
    let a = sim.add_router(InstanceConfig::new(rid(0)));
    let b = sim.add_router(InstanceConfig::new(rid(1)));
    for n in [a, b] {
        sim.command(n, |i, now| i.add_area(now, AreaConfig::new(A1).kind(NSSA)));
    }
    sim.link(a, p2p(1, 1, A1), b, p2p(1, 2, A1));
    sim.command(b, |i, now| {
        i.redistribute(now, ExternalRoute::new(ext().addr(), 24))
    });
    sim.run_for(Duration::from_secs(60));
    assert!(live(&sim, b, Scope::As, type5(1)).is_none());
    let (opts, _) = live(&sim, b, Scope::Area(A1), type7(1)).unwrap();
    assert!(opts.contains(Options::NP));

    let ifx = sim.attach_alone(b, p2p(5, 1, A0));
    sim.run_for(Duration::from_secs(10));
    assert!(live(&sim, b, Scope::As, type5(1)).is_some());
    let (opts, _) = live(&sim, b, Scope::Area(A1), type7(1)).unwrap();
    assert!(!opts.contains(Options::NP));
    // The neighbor in the NSSA sees the new instance (P clear) as well.
    let (opts, _) = live(&sim, a, Scope::Area(A1), type7(1)).unwrap();
    assert!(!opts.contains(Options::NP));

    sim.command(b, |i, now| i.remove_interface(now, ifx).unwrap());
    sim.run_for(Duration::from_secs(10));
    assert!(live(&sim, b, Scope::As, type5(1)).is_none());
    let (opts, _) = live(&sim, a, Scope::Area(A1), type7(1)).unwrap();
    assert!(opts.contains(Options::NP));
}
