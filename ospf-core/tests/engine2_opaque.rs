//! Opaque LSA capability (RFC 5250 §3.1): our Hello and DD packets carry the O bit;
//! opaque LSAs are flooded to, and described in DD packets to, only the neighbors whose
//! DD packets carry it.

mod engine_util;

use core::net::Ipv4Addr;
use engine_util::*;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::Instance;
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::NeighborState;
use ospf_core::time::Instant;
use ospf_core::wire::{
    BodyRepr, DbDescRepr, DdFlags, HelloRepr, List, LsaHeader, LsaType, Options,
};

/// Neighbor `k` (1..=4): router ID k.k.k.k (above ours: it is master), on interface k,
/// 10.0.k.2/30 facing our 10.0.k.1.
fn peer_rid(k: u8) -> Ipv4Addr {
    Ipv4Addr::new(k + 1, k + 1, k + 1, k + 1)
}
fn peer_addr(k: u8) -> Ipv4Addr {
    Ipv4Addr::new(10, 0, k, 2)
}
fn our_addr(k: u8) -> Ipv4Addr {
    Ipv4Addr::new(10, 0, k, 1)
}

fn instance(now: Instant, ifaces: u8) -> Instance {
    let mut i = Instance::new(InstanceConfig::new(ME), now);
    for k in 1..=ifaces {
        i.add_interface(
            now,
            u32::from(k),
            InterfaceConfig::new(our_addr(k), 30).if_type(InterfaceType::PointToPoint),
        )
        .unwrap();
    }
    drain(&mut i, now);
    i
}

fn feed(i: &mut Instance, now: Instant, k: u8, bytes: &[u8]) -> Drained {
    i.handle_packet(now, u32::from(k), peer_addr(k), ALL_SPF, bytes);
    drain(i, now)
}

fn peer_hello(k: u8, options: Options) -> Vec<u8> {
    let nbrs = [ME];
    let body = HelloRepr {
        options,
        ..hello_body(
            Ipv4Addr::new(255, 255, 255, 252),
            &nbrs,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            1,
        )
    };
    packet(peer_rid(k), AREA0, BodyRepr::Hello(body))
}

fn peer_dd(k: u8, options: Options, flags: DdFlags, seq: u32) -> Vec<u8> {
    packet(
        peer_rid(k),
        AREA0,
        BodyRepr::DbDesc(DbDescRepr {
            mtu: 1500,
            options,
            flags,
            seq,
            lsa_headers: List::Slice(&[]),
        }),
    )
}

/// Brings neighbor `k` to Full (it is master, with an empty database), its Hello and DD
/// packets carrying `options`. Returns the DD headers we described to it.
fn bring_full(i: &mut Instance, now: Instant, k: u8, options: Options) -> Vec<LsaHeader> {
    feed(i, now, k, &peer_hello(k, options));
    let d = feed(
        i,
        now,
        k,
        &peer_dd(k, options, DdFlags::I | DdFlags::M | DdFlags::MS, 1000),
    );
    let mut headers = Vec::new();
    let mut more = true;
    let mut seq = 1001;
    let mut last = d;
    // Keep polling as master until we (the slave) have nothing more.
    for _ in 0..100 {
        for (t, b) in &last.sent {
            if t.ifindex != u32::from(k) {
                continue;
            }
            if let BodyRepr::DbDesc(dd) = parse(b).body {
                headers.extend(dd.lsa_headers.iter());
                more = dd.flags.contains(DdFlags::M);
            }
        }
        if !more {
            break;
        }
        last = feed(i, now, k, &peer_dd(k, options, DdFlags::MS, seq));
        seq += 1;
    }
    feed(i, now, k, &peer_dd(k, options, DdFlags::MS, seq));
    let n = i.neighbors().find(|n| n.router_id == peer_rid(k)).unwrap();
    assert_eq!(n.state, NeighborState::Full, "neighbor {k}");
    headers
}

/// A 24-byte area-scope opaque LSA (type 10, opaque type 1, ID 7) from `adv`.
fn opaque_lsa(adv: Ipv4Addr, seq: u32) -> Vec<u8> {
    let mut v = vec![0u8; 24];
    v[2] = 0x42;
    v[3] = 10;
    v[4..8].copy_from_slice(&[1, 0, 0, 7]);
    v[8..12].copy_from_slice(&adv.octets());
    v[12..16].copy_from_slice(&seq.to_be_bytes());
    v[18..20].copy_from_slice(&24u16.to_be_bytes());
    v[20..24].copy_from_slice(&[0, 1, 0, 0]);
    let ck = ospf_core::lsdb::lsa_checksum(&v).unwrap();
    v[16..18].copy_from_slice(&ck.to_be_bytes());
    v
}

/// LS types of the LSAs in the LS Updates sent on interface `k`.
fn flooded_types(d: &Drained, k: u8) -> Vec<u8> {
    let mut out = Vec::new();
    for (t, b) in &d.sent {
        if t.ifindex != u32::from(k) {
            continue;
        }
        if let BodyRepr::LsUpdate(u) = parse(b).body {
            for raw in u.lsas.slices() {
                out.push(raw[3]);
            }
        }
    }
    out
}

#[test]
fn rfc5250_3_1_our_hello_and_dd_carry_the_o_bit() {
    let now = Instant::from_secs(1);
    let mut i = instance(now, 1);
    i.handle_timeout(now);
    let d = feed(&mut i, now, 1, &peer_hello(1, Options::E));
    let mut seen = (false, false);
    for (_, b) in &d.sent {
        match parse(b).body {
            BodyRepr::Hello(h) => {
                assert!(h.options.contains(Options::O | Options::E));
                seen.0 = true;
            }
            BodyRepr::DbDesc(dd) => {
                assert!(dd.options.contains(Options::O | Options::E));
                seen.1 = true;
            }
            _ => {}
        }
    }
    assert_eq!(seen, (true, true), "a Hello and the initial DD were sent");
}

#[test]
fn rfc5250_3_1_opaque_lsas_flooded_only_to_opaque_capable_neighbors() {
    let now = Instant::from_secs(1);
    let mut i = instance(now, 3);
    // Neighbor 1 (the source) and 2 take opaque LSAs; neighbor 3 does not.
    bring_full(&mut i, now, 1, Options::E | Options::O);
    bring_full(&mut i, now, 2, Options::E | Options::O);
    bring_full(&mut i, now, 3, Options::E);
    let opaque = opaque_lsa(peer_rid(1), 0x8000_0001);
    let ext = external_lsa(Ipv4Addr::new(198, 51, 100, 0), peer_rid(1), 0x8000_0001, 1);
    let t = now + secs(2);
    let d = feed(
        &mut i,
        t,
        1,
        &packet(
            peer_rid(1),
            AREA0,
            BodyRepr::LsUpdate(ospf_core::wire::LsUpdateRepr {
                lsas: ospf_core::wire::LsaList::Raw(&[&opaque, &ext]),
            }),
        ),
    );
    let key = LsaKey::new(LsaType::OpaqueArea, Ipv4Addr::new(1, 0, 0, 7), peer_rid(1));
    assert!(i.lsa(Scope::Area(AREA0), &key).is_some(), "installed");
    let mut to2 = flooded_types(&d, 2);
    to2.sort_unstable();
    assert_eq!(to2, vec![5, 10], "both to the opaque-capable neighbor");
    assert_eq!(
        flooded_types(&d, 3),
        vec![5],
        "no opaque LSA without the O bit"
    );
    let rxmt = |i: &Instance, k: u8| {
        i.neighbors()
            .find(|n| n.router_id == peer_rid(k))
            .unwrap()
            .ls_retransmit_count
    };
    assert_eq!(rxmt(&i, 2), 2);
    assert_eq!(rxmt(&i, 3), 1);
    // Retransmissions do not carry it either.
    let (_, d) = run_until(&mut i, t, t + secs(6));
    assert!(
        !flooded_types(&d, 3).is_empty(),
        "the external is retransmitted"
    );
    assert!(!flooded_types(&d, 3).contains(&10));
}

#[test]
fn rfc5250_3_1_opaque_lsas_left_out_of_dd_summaries_without_o_bit() {
    let now = Instant::from_secs(1);
    let mut i = instance(now, 3);
    bring_full(&mut i, now, 1, Options::E | Options::O);
    let opaque = opaque_lsa(peer_rid(1), 0x8000_0001);
    feed(&mut i, now, 1, &ls_update(peer_rid(1), &[&opaque]));
    // Later neighbors: one without O, one with.
    let without = bring_full(&mut i, now, 2, Options::E);
    let with = bring_full(&mut i, now, 3, Options::E | Options::O);
    let types = |h: &[LsaHeader]| -> Vec<LsaType> { h.iter().map(|h| h.lsa_type).collect() };
    assert!(
        types(&with).contains(&LsaType::OpaqueArea),
        "{:?}",
        types(&with)
    );
    assert!(types(&with).contains(&LsaType::Router));
    assert!(
        !types(&without).contains(&LsaType::OpaqueArea),
        "{:?}",
        types(&without)
    );
    assert!(types(&without).contains(&LsaType::Router));
}
