//! RFC 2328 Appendix E: Link State IDs of AS-External (and type-7) LSAs for redistributed
//! prefixes that share a network address (10.0.0.0/8 and 10.0.0.0/16).
#![cfg(feature = "sim")]

use std::collections::BTreeMap;

use core::net::Ipv4Addr;
use ospf_core::config::{AreaConfig, AreaKind, InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::ExternalRoute;
use ospf_core::sim::{NodeId, Sim, SimConfig};
use ospf_core::spf::{Prefix, RouteType};
use ospf_core::time::Duration;
use ospf_core::wire::LsaType;

const ASBR: Ipv4Addr = Ipv4Addr::new(1, 1, 1, 1);
const OTHER: Ipv4Addr = Ipv4Addr::new(1, 1, 1, 2);
const A1: Ipv4Addr = Ipv4Addr::new(0, 0, 0, 1);

fn ip(a: u8, b: u8, c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

/// The ASBR and another router on a point-to-point link in `area` (of `kind`).
fn pair(seed: u64, area: Ipv4Addr, kind: AreaKind) -> (Sim, NodeId, NodeId) {
    let mut sim = Sim::new(SimConfig::seeded(seed));
    let a = sim.add_router(InstanceConfig::new(ASBR));
    let b = sim.add_router(InstanceConfig::new(OTHER));
    for n in [a, b] {
        sim.command(n, |i, now| {
            i.add_area(now, AreaConfig::new(area).kind(kind))
        });
    }
    let p2p = |x: u8| {
        InterfaceConfig::new(ip(10, 255, 0, x), 30)
            .if_type(InterfaceType::PointToPoint)
            .area(area)
    };
    sim.link(a, p2p(1), b, p2p(2));
    (sim, a, b)
}

/// The live external LSAs of type `t` originated by the ASBR, as `node` holds them:
/// Link State ID -> prefix (network mask applied).
fn externals(sim: &Sim, node: NodeId, t: LsaType) -> BTreeMap<Ipv4Addr, Prefix> {
    let now = sim.now();
    sim.instance(node)
        .unwrap()
        .lsdb(now)
        .filter(|l| l.key.ls_type() == t && l.key.adv_router == ASBR && l.header.age < 3600)
        .map(|l| {
            let b = &l.raw[20..24];
            let mask = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
            (l.key.lsid, Prefix::new(l.key.lsid, mask.count_ones() as u8))
        })
        .collect()
}

fn external_routes(sim: &Sim, node: NodeId) -> Vec<Prefix> {
    sim.instance(node)
        .unwrap()
        .routes()
        .filter(|(_, r)| r.route_type == RouteType::External2)
        .map(|(p, _)| p)
        .collect()
}

fn redistribute(sim: &mut Sim, n: NodeId, p: Ipv4Addr, len: u8) {
    sim.command(n, |i, now| i.redistribute(now, ExternalRoute::new(p, len)));
}

fn pfx(p: Ipv4Addr, len: u8) -> Prefix {
    Prefix::new(p, len)
}

#[test]
fn rfc2328_e_shorter_prefix_takes_host_bits_link_state_id_in_either_order() {
    let ten = ip(10, 0, 0, 0);
    for order in [[8u8, 16], [16, 8]] {
        let (mut sim, a, b) = pair(31, Ipv4Addr::UNSPECIFIED, AreaKind::Normal);
        redistribute(&mut sim, a, ten, order[0]);
        sim.run_for(Duration::from_secs(30));
        redistribute(&mut sim, a, ten, order[1]);
        sim.run_for(Duration::from_secs(30));
        let want: BTreeMap<Ipv4Addr, Prefix> =
            [(ten, pfx(ten, 16)), (ip(10, 255, 255, 255), pfx(ten, 8))].into();
        assert_eq!(externals(&sim, a, LsaType::AsExternal), want, "{order:?}");
        assert_eq!(externals(&sim, b, LsaType::AsExternal), want, "{order:?}");
        // The other router routes to both, each with its own prefix length.
        assert_eq!(
            external_routes(&sim, b),
            vec![pfx(ten, 8), pfx(ten, 16)],
            "{order:?}"
        );
    }
}

#[test]
fn rfc2328_e_three_prefixes_sharing_a_network_address() {
    let ten = ip(10, 0, 0, 0);
    let (mut sim, a, b) = pair(32, Ipv4Addr::UNSPECIFIED, AreaKind::Normal);
    for len in [16u8, 8, 24] {
        redistribute(&mut sim, a, ten, len);
    }
    sim.run_for(Duration::from_secs(30));
    let want: BTreeMap<Ipv4Addr, Prefix> = [
        (ten, pfx(ten, 24)),
        (ip(10, 0, 255, 255), pfx(ten, 16)),
        (ip(10, 255, 255, 255), pfx(ten, 8)),
    ]
    .into();
    assert_eq!(externals(&sim, b, LsaType::AsExternal), want);
    assert_eq!(
        external_routes(&sim, b),
        vec![pfx(ten, 8), pfx(ten, 16), pfx(ten, 24)]
    );
}

#[test]
fn rfc2328_e_withdrawing_the_longer_prefix_moves_the_shorter_back() {
    let ten = ip(10, 0, 0, 0);
    let (mut sim, a, b) = pair(33, Ipv4Addr::UNSPECIFIED, AreaKind::Normal);
    redistribute(&mut sim, a, ten, 8);
    redistribute(&mut sim, a, ten, 16);
    sim.run_for(Duration::from_secs(30));
    sim.command(a, |i, now| i.withdraw(now, ten, 16));
    sim.run_for(Duration::from_secs(30));
    let want: BTreeMap<Ipv4Addr, Prefix> = [(ten, pfx(ten, 8))].into();
    assert_eq!(externals(&sim, a, LsaType::AsExternal), want);
    assert_eq!(externals(&sim, b, LsaType::AsExternal), want);
    assert_eq!(external_routes(&sim, b), vec![pfx(ten, 8)]);
    // Withdrawing the shorter one while the longer stays: the host-bits LSA is flushed.
    redistribute(&mut sim, a, ten, 16);
    sim.run_for(Duration::from_secs(30));
    sim.command(a, |i, now| i.withdraw(now, ten, 8));
    sim.run_for(Duration::from_secs(30));
    let want: BTreeMap<Ipv4Addr, Prefix> = [(ten, pfx(ten, 16))].into();
    assert_eq!(externals(&sim, b, LsaType::AsExternal), want);
    assert_eq!(external_routes(&sim, b), vec![pfx(ten, 16)]);
}

#[test]
fn rfc2328_e_type7_lsas_use_the_same_rule_in_an_nssa() {
    let ten = ip(10, 0, 0, 0);
    let nssa = AreaKind::nssa(false);
    let (mut sim, a, b) = pair(34, A1, nssa);
    redistribute(&mut sim, a, ten, 8);
    redistribute(&mut sim, a, ten, 16);
    sim.run_for(Duration::from_secs(30));
    let want: BTreeMap<Ipv4Addr, Prefix> =
        [(ten, pfx(ten, 16)), (ip(10, 255, 255, 255), pfx(ten, 8))].into();
    assert_eq!(externals(&sim, b, LsaType::Nssa), want);
    assert!(externals(&sim, b, LsaType::AsExternal).is_empty());
    assert_eq!(external_routes(&sim, b), vec![pfx(ten, 8), pfx(ten, 16)]);
}

/// The clash Appendix E leaves open: 10.255.255.255/32 takes its own network address
/// as Link State ID, which is the host-bits ID 10.0.0.0/8 would need; the /32 and the
/// /16 are announced, each ID names exactly one prefix.
#[test]
fn rfc2328_e_host_bits_clash_keeps_ids_unique() {
    let ten = ip(10, 0, 0, 0);
    let (mut sim, a, b) = pair(35, Ipv4Addr::UNSPECIFIED, AreaKind::Normal);
    redistribute(&mut sim, a, ten, 8);
    redistribute(&mut sim, a, ten, 16);
    redistribute(&mut sim, a, ip(10, 255, 255, 255), 32);
    sim.run_for(Duration::from_secs(30));
    let want: BTreeMap<Ipv4Addr, Prefix> = [
        (ten, pfx(ten, 16)),
        (ip(10, 255, 255, 255), pfx(ip(10, 255, 255, 255), 32)),
    ]
    .into();
    assert_eq!(externals(&sim, b, LsaType::AsExternal), want);
    // Once the /32 goes, the /8 gets its ID back.
    sim.command(a, |i, now| i.withdraw(now, ip(10, 255, 255, 255), 32));
    sim.run_for(Duration::from_secs(30));
    let want: BTreeMap<Ipv4Addr, Prefix> =
        [(ten, pfx(ten, 16)), (ip(10, 255, 255, 255), pfx(ten, 8))].into();
    assert_eq!(externals(&sim, b, LsaType::AsExternal), want);
}
