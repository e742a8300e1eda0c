//! Bad input (RFC 2328 §8.2, §13): every malformed, unauthenticated or out-of-place packet
//! is dropped and counted, never a panic, never an LSA with a bad checksum in the LSDB.

mod engine_util;

use core::net::Ipv4Addr;
use engine_util::*;
use ospf_core::config::{
    AreaConfig, AreaKind, InstanceConfig, InterfaceConfig, InterfaceType, Prng,
};
use ospf_core::instance::{DropReason, ExternalRoute, Instance};
use ospf_core::lsdb::lsa_checksum_ok;
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{Sim, SimConfig};
use ospf_core::time::{Duration, Instant};
use ospf_core::wire::{BodyRepr, DdFlags, List, LsAckRepr, LsRequestEntry, LsRequestRepr};

fn dropped(i: &Instance, r: DropReason) -> u64 {
    i.counters(1).unwrap().dropped(r)
}

fn lsdb_clean(i: &Instance, now: Instant) -> bool {
    i.lsdb(now).all(|l| lsa_checksum_ok(l.raw))
}

/// The RFC 1071 checksum over the packet minus the authentication field.
fn fix_checksum(p: &mut [u8]) {
    let len = usize::from(u16::from_be_bytes([p[2], p[3]])).min(p.len());
    p[12] = 0;
    p[13] = 0;
    let mut sum = 0u32;
    let mut i = 0;
    while i < len {
        if !(16..24).contains(&i) {
            let lo = if i + 1 < len { p[i + 1] } else { 0 };
            sum += u32::from(u16::from_be_bytes([p[i], lo]));
        }
        i += 2;
    }
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    p[12..14].copy_from_slice(&(!(sum as u16)).to_be_bytes());
}

#[test]
fn rfc2328_8_2_random_bytes_are_dropped_and_counted() {
    let (mut i, now) = full_as_slave();
    let mut rng = Prng::new(99);
    let before = i.counters(1).unwrap().dropped_total();
    const N: u64 = 20_000;
    for k in 0..N {
        let len = rng.below(300) as usize;
        let mut p: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        // Half of them look like OSPFv2 headers with a plausible length.
        if k % 2 == 0 && len >= 24 {
            p[0] = 2;
            p[1] = 1 + (k % 5) as u8;
            p[2..4].copy_from_slice(&(len as u16).to_be_bytes());
            if k % 4 == 0 {
                // AuType 0: these fail on the checksum.
                p[14] = 0;
                p[15] = 0;
            }
        }
        i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &p);
        drain(&mut i, now);
    }
    assert_eq!(i.counters(1).unwrap().dropped_total() - before, N);
    assert!(dropped(&i, DropReason::Malformed) > 0);
    assert!(dropped(&i, DropReason::BadChecksum) > 0);
    assert!(dropped(&i, DropReason::AuthFailed) > 0);
    assert!(lsdb_clean(&i, now));
}

#[test]
fn rfc2328_8_2_mutated_packets_never_panic_nor_poison_the_lsdb() {
    let (mut i, mut now) = full_as_slave();
    let lsas: Vec<Vec<u8>> = (0..8)
        .map(|k| {
            external_lsa(
                Ipv4Addr::new(198, 18, k, 0),
                PEER,
                0x8000_0001 + u32::from(k),
                1,
            )
        })
        .collect();
    let refs: Vec<&[u8]> = lsas.iter().map(|v| v.as_slice()).collect();
    let req = [LsRequestEntry {
        lsa_type: 1,
        lsid: ME,
        adv_router: ME,
    }];
    let hdr = ospf_core::wire::FixedItem::read(&lsas[0][..20]);
    let seeds: Vec<Vec<u8>> = vec![
        hello(PEER, &[ME]),
        dd(PEER, DdFlags::MS, 1002, &[hdr]),
        ls_update(PEER, &refs),
        packet(
            PEER,
            AREA0,
            BodyRepr::LsRequest(LsRequestRepr {
                entries: List::Slice(&req),
            }),
        ),
        packet(
            PEER,
            AREA0,
            BodyRepr::LsAck(LsAckRepr {
                lsa_headers: List::Slice(&[hdr]),
            }),
        ),
    ];
    let mut rng = Prng::new(7);
    let mut seq = 5000u32;
    for k in 0..30_000u64 {
        let mut p = seeds[(k % seeds.len() as u64) as usize].clone();
        let flips = 1 + rng.below(4);
        for _ in 0..flips {
            let at = rng.below(p.len() as u64) as usize;
            p[at] ^= 1 + rng.below(255) as u8;
        }
        if rng.below(8) == 0 {
            p.truncate(rng.below(p.len() as u64) as usize);
        }
        // Most get a valid checksum so that the mutation reaches the body.
        if p.len() >= 24 && rng.below(4) != 0 {
            fix_checksum(&mut p);
        }
        i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &p);
        drain(&mut i, now);
        // Keep the adjacency Full so that mutated updates reach the LSDB code.
        if i.neighbors().next().map(|n| n.state) != Some(NeighborState::Full) {
            seq += 10;
            for p in [
                hello(PEER, &[ME]),
                dd(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, seq, &[]),
                dd(PEER, DdFlags::MS, seq + 1, &[]),
            ] {
                i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &p);
            }
            drain(&mut i, now);
        }
        if k % 1000 == 0 {
            now += Duration::from_millis(700);
            i.handle_timeout(now);
            drain(&mut i, now);
        }
    }
    assert!(lsdb_clean(&i, now));
    let c = i.counters(1).unwrap();
    assert!(c.dropped_total() > 1000);
    assert!(c.dropped(DropReason::BadLsa) > 0);
}

#[test]
fn rfc2328_8_2_out_of_place_packets_are_dropped_with_their_reason() {
    let (mut i, now) = full_as_slave();
    // Wrong area.
    let p = packet(
        PEER,
        Ipv4Addr::new(0, 0, 0, 9),
        BodyRepr::Hello(hello_body(
            Ipv4Addr::new(255, 255, 255, 252),
            &[ME],
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            1,
        )),
    );
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &p);
    assert_eq!(dropped(&i, DropReason::AreaMismatch), 1);
    // Bad checksum.
    let mut p = hello(PEER, &[ME]);
    p[12] ^= 0x55;
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &p);
    assert_eq!(dropped(&i, DropReason::BadChecksum), 1);
    // Our own router ID (a loop or a duplicate router ID).
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &hello(ME, &[]));
    assert_eq!(dropped(&i, DropReason::DuplicateRouterId), 1);
    // A DD from a router that is not a neighbor.
    let stranger = Ipv4Addr::new(3, 3, 3, 3);
    i.handle_packet(
        now,
        1,
        PEER_ADDR,
        ALL_SPF,
        &dd(stranger, DdFlags::I, 5, &[]),
    );
    assert_eq!(dropped(&i, DropReason::UnknownNeighbor), 1);
    // Truncated.
    let p = hello(PEER, &[ME]);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &p[..30]);
    assert_eq!(dropped(&i, DropReason::Malformed), 1);
    // Unknown interface.
    i.handle_packet(now, 42, PEER_ADDR, ALL_SPF, &p);
    assert_eq!(i.unknown_interface_drops(), 1);
    // Authentication type mismatch (simple password on a null interface).
    let mut p = hello(PEER, &[ME]);
    p[15] = 1;
    fix_checksum(&mut p);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &p);
    assert_eq!(dropped(&i, DropReason::AuthFailed), 1);
    // Still Full: none of this disturbed the adjacency.
    assert_eq!(i.neighbors().next().unwrap().state, NeighborState::Full);
    // An LSU from a neighbor in Init is out of place.
    let now2 = now;
    i.handle_packet(now2, 1, PEER_ADDR, ALL_SPF, &hello(PEER, &[]));
    drain(&mut i, now2);
    let lsa = external_lsa(Ipv4Addr::new(192, 0, 2, 0), PEER, 0x8000_0001, 1);
    i.handle_packet(now2, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&lsa]));
    assert_eq!(dropped(&i, DropReason::WrongState), 1);
}

#[test]
fn rfc2328_8_2_all_d_routers_and_foreign_subnet_on_drother() {
    let now = Instant::from_secs(1);
    let mut i = Instance::new(InstanceConfig::new(ME), now);
    i.add_interface(
        now,
        1,
        InterfaceConfig::new(MY_ADDR, 24)
            .if_type(InterfaceType::Broadcast)
            .priority(0),
    )
    .unwrap();
    drain(&mut i, now);
    let h = packet(
        PEER,
        AREA0,
        BodyRepr::Hello(hello_body(
            Ipv4Addr::new(255, 255, 255, 0),
            &[],
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            1,
        )),
    );
    i.handle_packet(now, 1, PEER_ADDR, Ipv4Addr::new(224, 0, 0, 6), &h);
    i.handle_packet(now, 1, Ipv4Addr::new(192, 168, 1, 1), ALL_SPF, &h);
    assert_eq!(dropped(&i, DropReason::WrongDestination), 2);
    assert_eq!(i.neighbors().count(), 0);
}

#[test]
fn rfc2328_13_as_external_lsa_into_stub_area_dropped() {
    let now = Instant::from_secs(1);
    let mut i = Instance::new(InstanceConfig::new(ME), now);
    let area = Ipv4Addr::new(0, 0, 0, 1);
    i.add_area(now, AreaConfig::new(area).kind(AreaKind::stub(false)));
    i.add_interface(
        now,
        1,
        InterfaceConfig::new(MY_ADDR, 30)
            .if_type(InterfaceType::PointToPoint)
            .area(area),
    )
    .unwrap();
    drain(&mut i, now);
    // Hellos in a stub area carry no E bit; ours must match.
    let mut h = hello_body(
        Ipv4Addr::new(255, 255, 255, 252),
        &[ME],
        Ipv4Addr::UNSPECIFIED,
        Ipv4Addr::UNSPECIFIED,
        1,
    );
    h.options = ospf_core::wire::Options::empty();
    let hp = packet(PEER, area, BodyRepr::Hello(h));
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &hp);
    let ddp = |flags, seq| {
        packet(
            PEER,
            area,
            BodyRepr::DbDesc(ospf_core::wire::DbDescRepr {
                mtu: 1500,
                options: ospf_core::wire::Options::empty(),
                flags,
                seq,
                lsa_headers: List::Slice(&[]),
            }),
        )
    };
    let p1 = ddp(DdFlags::I | DdFlags::M | DdFlags::MS, 10);
    let p2 = ddp(DdFlags::MS, 11);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &p1);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &p2);
    drain(&mut i, now);
    assert_eq!(i.neighbors().next().unwrap().state, NeighborState::Full);
    let lsa = external_lsa(Ipv4Addr::new(192, 0, 2, 0), PEER, 0x8000_0001, 1);
    let lsu = packet(
        PEER,
        area,
        BodyRepr::LsUpdate(ospf_core::wire::LsUpdateRepr {
            lsas: ospf_core::wire::LsaList::Raw(&[&lsa]),
        }),
    );
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &lsu);
    assert_eq!(dropped(&i, DropReason::BadLsa), 1);
    assert!(i.lsdb(now).all(|l| l.key.lsa_type != 5));
    // Redistribution still creates the AS-External LSA, but it is not flooded into the
    // stub area.
    i.redistribute(now, ExternalRoute::new(Ipv4Addr::new(203, 0, 113, 0), 24));
    let d = drain(&mut i, now);
    assert!(d.of_type(4).iter().all(|p| p[27] != 1 || p[31] != 5));
}

#[test]
fn rfc2328_13_lossy_corrupting_network_still_converges_with_clean_lsdbs() {
    let cfg = SimConfig::seeded(21)
        .impairments(20_000, 20_000, 20_000)
        .corruption(30_000)
        .record_events(false);
    let mut sim = Sim::new(cfg);
    let n = 16u32;
    let nodes: Vec<_> = (1..=n)
        .map(|k| sim.add_router(InstanceConfig::new(Ipv4Addr::from(0x0A00_0000 | k))))
        .collect();
    for k in 0..n as usize {
        let base = 0xC0A8_0000u32 + (k as u32 + 1) * 4;
        sim.link(
            nodes[k],
            InterfaceConfig::new(Ipv4Addr::from(base + 1), 30).if_type(InterfaceType::PointToPoint),
            nodes[(k + 1) % n as usize],
            InterfaceConfig::new(Ipv4Addr::from(base + 2), 30).if_type(InterfaceType::PointToPoint),
        );
    }
    for (k, node) in nodes.iter().enumerate() {
        let p = Ipv4Addr::from(0xAC10_0000u32 + ((k as u32) << 8));
        sim.command(*node, |i, now| {
            i.redistribute(now, ExternalRoute::new(p, 24))
        });
    }
    let ok = sim.run_until_true(Duration::from_secs(600), Duration::from_secs(5), |s| {
        let first = s.lsdb_fingerprint(nodes[0]);
        first.len() == 2 * n as usize && nodes.iter().all(|x| s.lsdb_fingerprint(*x) == first)
    });
    assert!(ok.is_some(), "converged despite corruption");
    assert!(sim.stats().corrupted > 0);
    let mut drops = 0;
    for node in &nodes {
        let inst = sim.instance(*node).unwrap();
        assert!(lsdb_clean(inst, sim.now()));
        drops += inst
            .interfaces()
            .map(|i| i.counters.dropped_total())
            .sum::<u64>();
    }
    assert!(drops > 0);
}
