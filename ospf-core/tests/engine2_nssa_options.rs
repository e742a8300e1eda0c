//! The NSSA options of RFC 3101 in running engines (simulator): the translator role
//! (`translate-always` with its Nt bit, `translate-never`, the election among candidates,
//! §3.1), the type-7 default a border router originates (§2.7) and who may use it (§2.4),
//! forwarding-address suppression on translation, and the default summary's cost
//! (`area A default-cost`).
#![cfg(feature = "sim")]

mod area_util;

use area_util::*;
use core::net::Ipv4Addr;
use ospf_core::config::{
    AreaConfig, AreaKind, InstanceConfig, InterfaceConfig, InterfaceType, NssaDefault,
};
use ospf_core::instance::{Event, ExternalRoute};
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{NodeId, SegmentId, Sim, SimConfig};
use ospf_core::spf::{Prefix, RouteType};
use ospf_core::time::Duration;
use ospf_core::wire::{LsaType, Options, RouterFlags};

const LOOPBACK3: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 3);

/// NSSA options as the tests vary them.
#[derive(Default, Clone, Copy)]
struct Opts {
    always: bool,
    never: bool,
    default: Option<NssaDefault>,
    suppress_fa: bool,
    no_summary: bool,
}

fn nssa(o: Opts) -> AreaKind {
    AreaKind::Nssa {
        no_summary: o.no_summary,
        default_cost: 1,
        translate_always: o.always,
        translate_never: o.never,
        default_originate: o.default,
        suppress_fa: o.suppress_fa,
    }
}

/// R1 (backbone) with two border routers R2 and R4 (areas 0 and NSSA 1), both linked to
/// R3 inside the NSSA, which redistributes [`ext`] (forwarding address: its loopback).
/// R4 has the higher router ID: the translator the election picks. Returns the routers
/// and R2's backbone link.
fn topology(seed: u64, r2: Opts, r4: Opts) -> (Sim, Vec<NodeId>, SegmentId) {
    let mut sim = Sim::new(SimConfig::seeded(seed));
    let r: Vec<NodeId> = (0..4)
        .map(|i| sim.add_router(InstanceConfig::new(rid(i))))
        .collect();
    for (n, o) in [(r[1], r2), (r[2], Opts::default()), (r[3], r4)] {
        sim.command(n, |i, now| {
            i.add_area(now, AreaConfig::new(A1).kind(nssa(o)))
        });
    }
    let r2_backbone = sim.link(r[0], p2p(0, 1, A0), r[1], p2p(0, 2, A0));
    sim.link(r[1], p2p(1, 1, A1), r[2], p2p(1, 2, A1));
    sim.link(r[0], p2p(2, 1, A0), r[3], p2p(2, 2, A0));
    sim.link(r[3], p2p(3, 1, A1), r[2], p2p(3, 2, A1));
    sim.attach_alone(
        r[2],
        InterfaceConfig::new(LOOPBACK3, 32)
            .if_type(InterfaceType::Loopback)
            .area(A1),
    );
    sim.command(r[2], |i, now| {
        i.redistribute(now, ExternalRoute::new(ext().addr(), 24).metric(7))
    });
    sim.run_for(Duration::from_secs(60));
    (sim, r, r2_backbone)
}

fn ext() -> Prefix {
    Prefix::new(Ipv4Addr::new(203, 0, 113, 0), 24)
}

/// The translation of [`ext`] by router `i`, as the backbone router R1 holds it.
fn type5_from(sim: &Sim, r: &[NodeId], i: usize) -> Option<Vec<u8>> {
    let key = LsaKey::new(LsaType::AsExternal, ext().addr(), rid(i));
    live(sim, r[0], Scope::As, key).map(|(_, b)| b)
}

fn default_type7(i: usize) -> LsaKey {
    LsaKey::new(LsaType::Nssa, Ipv4Addr::UNSPECIFIED, rid(i))
}

fn fwd(body: &[u8]) -> Ipv4Addr {
    Ipv4Addr::new(body[8], body[9], body[10], body[11])
}

/// Flags of router `i`'s Router-LSA in the NSSA, as R3 holds it.
fn nssa_router_flags(sim: &Sim, r: &[NodeId], i: usize) -> RouterFlags {
    let key = LsaKey::new(LsaType::Router, rid(i), rid(i));
    let (_, body) = live(sim, r[2], Scope::Area(A1), key).expect("router LSA");
    RouterFlags::from_bits_truncate(body[0])
}

#[test]
fn rfc3101_3_1_the_elected_translator_is_the_highest_router_id() {
    let (sim, r, _) = topology(31, Opts::default(), Opts::default());
    assert!(type5_from(&sim, &r, 3).is_some(), "R4 translates");
    assert!(type5_from(&sim, &r, 1).is_none(), "R2 does not");
    assert!(!nssa_router_flags(&sim, &r, 3).contains(RouterFlags::NT));
}

#[test]
fn rfc3101_3_1_translate_always_sets_nt_and_takes_over_from_the_elected_one() {
    let always = Opts {
        always: true,
        ..Opts::default()
    };
    let (sim, r, _) = topology(32, always, Opts::default());
    assert!(nssa_router_flags(&sim, &r, 1).contains(RouterFlags::NT));
    assert!(nssa_router_flags(&sim, &r, 1).contains(RouterFlags::B));
    // R4, a candidate, sees a border router with Nt and stands down.
    assert!(type5_from(&sim, &r, 1).is_some(), "R2 translates");
    assert!(type5_from(&sim, &r, 3).is_none(), "R4 does not");
}

#[test]
fn translate_never_leaves_translation_to_the_next_candidate() {
    let never = Opts {
        never: true,
        ..Opts::default()
    };
    let (mut sim, r, _) = topology(33, Opts::default(), never);
    // R4 would win the election but never translates. R2 still counts R4 as the
    // candidate with the higher router ID (roles are not announced, only Nt is), so
    // nobody translates: the operator's choice, as with FRR.
    assert!(type5_from(&sim, &r, 3).is_none(), "R4 never translates");
    assert!(type5_from(&sim, &r, 1).is_none(), "R2 is not elected");
    // Told to translate always, R2 takes the job (an option change within the NSSA:
    // its adjacencies stay up).
    let changed = sim.now();
    sim.command(r[1], |i, now| {
        i.add_area(
            now,
            AreaConfig::new(A1).kind(nssa(Opts {
                always: true,
                ..Opts::default()
            })),
        )
    });
    sim.run_for(Duration::from_secs(30));
    assert!(type5_from(&sim, &r, 1).is_some(), "R2 translates");
    assert!(type5_from(&sim, &r, 3).is_none());
    let left_full = sim
        .events(r[1])
        .iter()
        .filter(|(t, e)| {
            *t >= changed
                && matches!(e, Event::NeighborState { old, .. } if *old == NeighborState::Full)
        })
        .count();
    assert_eq!(left_full, 0, "R2's adjacencies stayed Full");
    let full = sim
        .instance(r[1])
        .unwrap()
        .neighbors()
        .filter(|n| n.state == NeighborState::Full)
        .count();
    assert_eq!(full, 2);
}

#[test]
fn suppress_fa_translates_with_forwarding_address_zero() {
    let (mut sim, r, _) = topology(34, Opts::default(), Opts::default());
    let body = type5_from(&sim, &r, 3).expect("R4 translates");
    assert_eq!(fwd(&body), LOOPBACK3, "the type-7's forwarding address");
    sim.command(r[3], |i, now| {
        i.add_area(
            now,
            AreaConfig::new(A1).kind(nssa(Opts {
                suppress_fa: true,
                ..Opts::default()
            })),
        )
    });
    sim.run_for(Duration::from_secs(30));
    let body = type5_from(&sim, &r, 3).expect("R4 translates");
    assert_eq!(fwd(&body), Ipv4Addr::UNSPECIFIED, "suppressed");
    // R1 now routes to the translator (the ASBR of the type-5), over its link to R4.
    let route = sim
        .instance(r[0])
        .unwrap()
        .routes()
        .find(|(p, _)| *p == ext())
        .map(|(_, r)| r)
        .expect("route to the external prefix");
    let hops: Vec<Ipv4Addr> = route.nexthops.iter().map(|h| h.addr).collect();
    assert_eq!(hops, [link_addr(2, 2)]);
}

#[test]
fn rfc3101_2_7_border_router_originates_a_type7_default_with_p_clear() {
    let dflt = Opts {
        default: Some(NssaDefault {
            metric: 5,
            e2: true,
        }),
        ..Opts::default()
    };
    let (mut sim, r, r2_backbone) = topology(35, dflt, Opts::default());
    let (opts, body) =
        live(&sim, r[2], Scope::Area(A1), default_type7(1)).expect("R2's type-7 default");
    assert!(!opts.contains(Options::NP), "P bit clear: {opts:?}");
    assert_eq!(&body[..4], &[0; 4], "mask 0.0.0.0");
    assert_eq!(body[4], 0x80, "type 2");
    assert_eq!(u32::from_be_bytes([0, body[5], body[6], body[7]]), 5);
    assert_eq!(fwd(&body), Ipv4Addr::UNSPECIFIED);
    // R2 announces itself as an ASBR of the NSSA (E bit) beside the B bit.
    assert!(nssa_router_flags(&sim, &r, 1).contains(RouterFlags::E | RouterFlags::B));
    // R3 inside the NSSA routes the default to R2.
    let default = Prefix::new(Ipv4Addr::UNSPECIFIED, 0);
    let r3_default = || {
        sim.instance(r[2])
            .unwrap()
            .routes()
            .find(|(p, _)| *p == default)
            .map(|(_, r)| r)
    };
    let route = r3_default().expect("R3's default route");
    assert_eq!(route.route_type, RouteType::External2);
    assert_eq!(route.type2_cost, 5);
    let hops: Vec<Ipv4Addr> = route.nexthops.iter().map(|h| h.addr).collect();
    assert_eq!(hops, [link_addr(1, 1)]);
    // §2.4: R4, a border router, does not install a type-7 default with P clear, and the
    // translator does not carry it into the backbone.
    let r4_default = sim
        .instance(r[3])
        .unwrap()
        .routes()
        .any(|(p, _)| p == default);
    assert!(!r4_default, "R4 uses no P-clear type-7 default");
    let key = LsaKey::new(LsaType::AsExternal, Ipv4Addr::UNSPECIFIED, rid(3));
    assert!(live(&sim, r[0], Scope::As, key).is_none(), "not translated");
    // R2 loses its backbone link: no longer a border router, so no default.
    sim.set_link_up(r2_backbone, false);
    sim.run_for(Duration::from_secs(30));
    assert!(live(&sim, r[2], Scope::Area(A1), default_type7(1)).is_none());
    let r3 = sim.instance(r[2]).unwrap();
    assert!(!r3.routes().any(|(p, _)| p == default), "R3's default gone");
    // And back.
    sim.set_link_up(r2_backbone, true);
    sim.run_for(Duration::from_secs(60));
    assert!(live(&sim, r[2], Scope::Area(A1), default_type7(1)).is_some());
}

#[test]
fn default_cost_is_the_metric_of_the_default_summary() {
    let no_summary = Opts {
        no_summary: true,
        ..Opts::default()
    };
    let (mut sim, r, _) = topology(36, no_summary, Opts::default());
    let key = LsaKey::new(LsaType::SummaryNetwork, Ipv4Addr::UNSPECIFIED, rid(1));
    let metric = |sim: &Sim| {
        live(sim, r[2], Scope::Area(A1), key)
            .map(|(_, b)| u32::from_be_bytes([0, b[5], b[6], b[7]]))
    };
    assert_eq!(metric(&sim), Some(1));
    sim.command(r[1], |i, now| {
        i.add_area(
            now,
            AreaConfig::new(A1).kind(nssa(no_summary).with_default_cost(40)),
        )
    });
    sim.run_for(Duration::from_secs(30));
    assert_eq!(metric(&sim), Some(40));
}
