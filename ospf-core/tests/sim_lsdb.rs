//! LSDB lifecycle in simulation: refresh at LSRefreshTime and MaxAge removal (RFC 2328
//! §14), sequence number wrap (§12.1.6), router ID change (§9.4 re-election, old LSAs
//! flushed), and updates packed within the interface MTU (§13.3).
#![cfg(feature = "sim")]

use core::net::Ipv4Addr;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::ExternalRoute;
use ospf_core::interface::InterfaceState;
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{NodeId, Sim, SimConfig};
use ospf_core::time::Duration;
use ospf_core::wire::LsaType;

const AREA0: Scope = Scope::Area(Ipv4Addr::UNSPECIFIED);

fn rid(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(n, n, n, n)
}

fn p2p(a: [u8; 4]) -> InterfaceConfig {
    InterfaceConfig::new(Ipv4Addr::from(a), 30).if_type(InterfaceType::PointToPoint)
}

fn pair(seed: u64) -> (Sim, NodeId, NodeId, ospf_core::sim::SegmentId) {
    let mut sim = Sim::new(SimConfig::seeded(seed));
    let a = sim.add_router(InstanceConfig::new(rid(1)));
    let b = sim.add_router(InstanceConfig::new(rid(2)));
    let seg = sim.link(a, p2p([10, 0, 0, 1]), b, p2p([10, 0, 0, 2]));
    (sim, a, b, seg)
}

fn seq_at(sim: &Sim, at: NodeId, scope: Scope, key: &LsaKey) -> Option<u32> {
    sim.instance(at)?.lsa(scope, key).map(|e| e.seq())
}

#[test]
fn rfc2328_14_refresh_at_ls_refresh_time_and_maxage_removal() {
    let (mut sim, a, b, seg) = pair(1);
    let ext = Ipv4Addr::new(198, 51, 100, 0);
    sim.command(b, |i, now| i.redistribute(now, ExternalRoute::new(ext, 24)));
    sim.run_for(Duration::from_secs(20));
    let key_a = LsaKey::new(LsaType::Router, rid(1), rid(1));
    let s0 = seq_at(&sim, b, AREA0, &key_a).unwrap();
    // A refreshes its Router-LSA every 30 minutes; B sees the new instance.
    sim.run_for(Duration::from_secs(1850));
    let s1 = seq_at(&sim, b, AREA0, &key_a).unwrap();
    assert_eq!(s1, s0 + 1, "refreshed once after LSRefreshTime");
    // B disappears silently: its LSAs age out at A after MaxAge (one hour).
    sim.set_blocked(seg, true);
    sim.crash(b);
    let ext_key = LsaKey::new(LsaType::AsExternal, ext, rid(2));
    sim.run_for(Duration::from_secs(60));
    assert!(sim.instance(a).unwrap().lsa(Scope::As, &ext_key).is_some());
    sim.run_for(Duration::from_secs(3600));
    assert!(sim.instance(a).unwrap().lsa(Scope::As, &ext_key).is_none());
    let key_b = LsaKey::new(LsaType::Router, rid(2), rid(2));
    assert!(sim.instance(a).unwrap().lsa(AREA0, &key_b).is_none());
    // A's own LSA is alive and refreshed.
    assert!(seq_at(&sim, a, AREA0, &key_a).unwrap() > s1);
}

#[test]
fn rfc2328_12_1_6_sequence_number_wrap_flushes_then_restarts() {
    let (mut sim, a, b, _) = pair(2);
    sim.run_for(Duration::from_secs(20));
    let key = LsaKey::new(LsaType::Router, rid(1), rid(1));
    // Make B hand A a copy of A's Router-LSA just below MaxSequenceNumber, as if A had
    // been running for ages: A takes it over at MaxSequenceNumber.
    let mut raw = sim
        .instance(b)
        .unwrap()
        .lsa(AREA0, &key)
        .unwrap()
        .raw()
        .to_vec();
    raw[12..16].copy_from_slice(&0x7FFF_FFFEu32.to_be_bytes());
    raw[16] = 0;
    raw[17] = 0;
    let ck = ospf_core::lsdb::lsa_checksum(&raw).unwrap();
    raw[16..18].copy_from_slice(&ck.to_be_bytes());
    let pkt = {
        use ospf_core::wire::{AuthField, BodyRepr, LsUpdateRepr, LsaList, Packet, PacketRepr};
        let repr = PacketRepr {
            router_id: rid(2),
            area_id: Ipv4Addr::UNSPECIFIED,
            auth: AuthField::Null,
            body: BodyRepr::LsUpdate(LsUpdateRepr {
                lsas: LsaList::Raw(&[&raw]),
            }),
        };
        let mut buf = vec![0u8; repr.buffer_len()];
        repr.emit(&mut Packet::new_unchecked(&mut buf[..])).unwrap();
        buf
    };
    sim.command(a, |i, now| {
        i.handle_packet(
            now,
            1,
            Ipv4Addr::new(10, 0, 0, 2),
            Ipv4Addr::new(224, 0, 0, 5),
            &pkt,
        )
    });
    // A cannot go on to MaxSequenceNumber (which receivers drop, CVE-2017-3224): it
    // flushes the LSA, and once the flush is acknowledged starts again from
    // InitialSequenceNumber.
    let flushed = sim.instance(a).unwrap().lsa(AREA0, &key).unwrap();
    assert!(flushed.is_max_age(sim.now()));
    assert_eq!(flushed.seq(), 0x7FFF_FFFE);
    sim.run_for(Duration::from_secs(2));
    let s = seq_at(&sim, b, AREA0, &key).unwrap();
    assert_eq!(s, 0x8000_0001, "restarted at InitialSequenceNumber: {s:#x}");
    assert_eq!(seq_at(&sim, a, AREA0, &key), Some(s));
}

#[test]
fn rfc2328_9_4_router_id_change_reelects_and_flushes_old_lsas() {
    let mut sim = Sim::new(SimConfig::seeded(3));
    let seg = sim.add_segment();
    let mut nodes = Vec::new();
    for n in 1..=3u8 {
        let node = sim.add_router(InstanceConfig::new(rid(n)));
        sim.attach(
            node,
            seg,
            InterfaceConfig::new(Ipv4Addr::new(10, 0, 0, n), 24).priority(1),
        );
        nodes.push(node);
    }
    sim.run_for(Duration::from_secs(60));
    // Router 3 is DR (highest router ID), 2 BDR.
    assert_eq!(
        sim.instance(nodes[2]).unwrap().interface(1).unwrap().state,
        InterfaceState::Dr
    );
    // Router 1 takes the highest router ID of all.
    sim.command(nodes[0], |i, now| i.set_router_id(now, rid(9)));
    sim.run_for(Duration::from_secs(60));
    let old_key = LsaKey::new(LsaType::Router, rid(1), rid(1));
    let new_key = LsaKey::new(LsaType::Router, rid(9), rid(9));
    for n in &nodes {
        let inst = sim.instance(*n).unwrap();
        assert!(
            inst.lsa(AREA0, &old_key).is_none(),
            "old Router-LSA flushed"
        );
        assert!(inst.lsa(AREA0, &new_key).is_some());
    }
    // Neighbors know router 1 under its new ID and are Full with it (DR/BDR unchanged:
    // the election does not preempt).
    let dr = sim.instance(nodes[2]).unwrap();
    let n1 = dr
        .neighbors()
        .find(|n| n.address == Ipv4Addr::new(10, 0, 0, 1))
        .unwrap();
    assert_eq!(n1.router_id, rid(9));
    assert_eq!(n1.state, NeighborState::Full);
    assert_eq!(dr.interface(1).unwrap().state, InterfaceState::Dr);
}

#[test]
fn rfc2328_13_3_updates_and_descriptions_fit_the_mtu() {
    let mut sim = Sim::new(SimConfig::seeded(4).record_events(false));
    let a = sim.add_router(InstanceConfig::new(rid(1)).lsdb_events(false));
    let b = sim.add_router(InstanceConfig::new(rid(2)).lsdb_events(false));
    sim.command(a, |i, now| {
        for k in 0..3000u32 {
            let p = Ipv4Addr::from(0x0A00_0000 | (k << 8));
            i.redistribute(now, ExternalRoute::new(p, 24));
        }
    });
    sim.link(
        a,
        p2p([10, 0, 0, 1]).mtu(576),
        b,
        p2p([10, 0, 0, 2]).mtu(576),
    );
    sim.run_for(Duration::from_secs(30));
    let full = |n| {
        sim.instance(n)
            .unwrap()
            .neighbors()
            .all(|x| x.state == NeighborState::Full)
    };
    assert!(full(a) && full(b));
    assert_eq!(sim.instance(b).unwrap().lsdb_len(), 3002);
    let s = sim.stats();
    assert!(
        s.max_packet_len <= 576 - 20,
        "largest packet {}",
        s.max_packet_len
    );
    // Packed: (556 - 24 - 4) / 36 = 14 LSAs per update, 3000 LSAs in a few hundred packets.
    assert!(s.delivered < 1500, "{} packets", s.delivered);
}
