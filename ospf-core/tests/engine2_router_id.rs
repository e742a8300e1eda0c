//! A router that changed its router ID flushes the LSAs of its former ID when they come
//! back to it (RFC 2328 §13.4), also when the flush sent at the change was lost.
#![cfg(feature = "sim")]

use core::net::Ipv4Addr;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{Sim, SimConfig};
use ospf_core::time::Duration;
use ospf_core::wire::LsaType;

const AREA0: Scope = Scope::Area(Ipv4Addr::UNSPECIFIED);

#[test]
fn rfc2328_13_4_lsas_of_former_router_id_flushed_when_they_come_back() {
    let mut sim = Sim::new(SimConfig::seeded(8));
    let (old, new) = (Ipv4Addr::new(1, 1, 1, 1), Ipv4Addr::new(9, 9, 9, 9));
    let a = sim.add_router(InstanceConfig::new(old));
    let b = sim.add_router(InstanceConfig::new(Ipv4Addr::new(2, 2, 2, 2)));
    let p2p = |x: u8| {
        InterfaceConfig::new(Ipv4Addr::new(10, 0, 0, x), 30).if_type(InterfaceType::PointToPoint)
    };
    let seg = sim.link(a, p2p(1), b, p2p(2));
    sim.run_for(Duration::from_secs(60));
    let old_key = LsaKey::new(LsaType::Router, old, old);
    assert!(sim.instance(b).unwrap().lsa(AREA0, &old_key).is_some());
    // The link silently drops everything while A changes its ID: its flush is lost.
    sim.set_blocked(seg, true);
    sim.command(a, |i, now| i.set_router_id(now, new));
    sim.run_for(Duration::from_secs(60));
    sim.set_blocked(seg, false);
    sim.run_for(Duration::from_secs(60));
    let full = sim
        .instance(b)
        .unwrap()
        .neighbors()
        .any(|n| n.router_id == new && n.state == NeighborState::Full);
    assert!(full, "adjacent under the new ID");
    let now = sim.now();
    for n in [a, b] {
        let stale = sim
            .instance(n)
            .unwrap()
            .lsa(AREA0, &old_key)
            .is_some_and(|e| !e.is_max_age(now));
        assert!(!stale, "no live Router-LSA of the former ID left at {n:?}");
    }
    assert!(
        sim.instance(b)
            .unwrap()
            .lsa(AREA0, &LsaKey::new(LsaType::Router, new, new))
            .is_some()
    );
}

#[test]
fn rfc2328_13_4_lsas_under_a_newly_taken_router_id_are_flushed_at_once() {
    // A takes B's router ID (a duplicate, as an operator's typo makes it): the LSAs in
    // A's database under that ID are now A's own by §13.4; A did not originate them and
    // does not want them, so it flushes them at once instead of leaving them live under
    // its name (the engine fuzz target found them live in OverflowState).
    let mut sim = Sim::new(SimConfig::seeded(9));
    let (a_id, b_id) = (Ipv4Addr::new(1, 1, 1, 1), Ipv4Addr::new(2, 2, 2, 2));
    let a = sim.add_router(InstanceConfig::new(a_id));
    let b = sim.add_router(InstanceConfig::new(b_id));
    let p2p = |x: u8| {
        InterfaceConfig::new(Ipv4Addr::new(10, 0, 0, x), 30).if_type(InterfaceType::PointToPoint)
    };
    sim.link(a, p2p(1), b, p2p(2));
    let ext = Ipv4Addr::new(203, 0, 113, 0);
    sim.command(b, |i, now| {
        i.redistribute(now, ospf_core::instance::ExternalRoute::new(ext, 24))
    });
    sim.run_for(Duration::from_secs(60));
    let key = LsaKey::new(LsaType::AsExternal, ext, b_id);
    let live = |sim: &Sim| {
        let e = sim.instance(a).unwrap().lsa(Scope::As, &key);
        e.is_some_and(|e| !e.is_max_age(sim.now()))
    };
    assert!(live(&sim), "B's external, live at A");
    sim.command(a, |i, now| i.set_router_id(now, b_id));
    assert!(!live(&sim), "flushed by A as soon as it took the ID");
}
