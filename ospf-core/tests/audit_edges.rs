//! Edge values an attacker (or a broken router) can put on the wire, driven through a
//! whole `Instance`: ages and sequence numbers at their limits, lengths that lie, empty
//! bodies, huge lists, out-of-place requests and updates. Each must be dropped and
//! counted, or handled as the RFC says; none may panic or leave a bad LSA in the LSDB.

mod engine_util;

use core::net::Ipv4Addr;
use engine_util::*;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::{DropReason, Instance};
use ospf_core::lsdb::{LsaKey, Scope, lsa_checksum, lsa_checksum_ok};
use ospf_core::neighbor::NeighborState;
use ospf_core::time::Instant;
use ospf_core::wire::{
    BodyRepr, DbDescRepr, DdFlags, HelloRepr, List, LsRequestEntry, LsRequestRepr, LsaType, Options,
};

const PEER: Ipv4Addr = Ipv4Addr::new(2, 2, 2, 2);

/// Our instance with the point-to-point neighbor PEER Full (we are the DD slave).
fn full_as_slave() -> (Instance, Instant) {
    let now = Instant::from_secs(1);
    let mut i = p2p_instance(now);
    i.handle_timeout(now);
    drain(&mut i, now);
    exchange(&mut i, now, 1000);
    (i, now)
}

fn exchange(i: &mut Instance, now: Instant, seq: u32) {
    for p in [
        hello(PEER, &[ME]),
        dd(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, seq, &[]),
        dd(PEER, DdFlags::MS, seq + 1, &[]),
    ] {
        i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &p);
    }
    drain(i, now);
    assert_eq!(peer_state(i), Some(NeighborState::Full));
}

fn peer_state(i: &Instance) -> Option<NeighborState> {
    i.neighbors().find(|n| n.router_id == PEER).map(|n| n.state)
}

fn dropped(i: &Instance, r: DropReason) -> u64 {
    i.counters(1).unwrap().dropped(r)
}

fn lsdb_clean(i: &Instance, now: Instant) -> bool {
    i.lsdb(now).all(|l| lsa_checksum_ok(l.raw))
}

/// An LSA with this header and body; length and checksum filled.
fn lsa(t: u8, lsid: Ipv4Addr, adv: Ipv4Addr, seq: u32, age: u16, body: &[u8]) -> Vec<u8> {
    let mut v = vec![0u8; 20];
    v[0..2].copy_from_slice(&age.to_be_bytes());
    v[2] = 0x02;
    v[3] = t;
    v[4..8].copy_from_slice(&lsid.octets());
    v[8..12].copy_from_slice(&adv.octets());
    v[12..16].copy_from_slice(&seq.to_be_bytes());
    v.extend_from_slice(body);
    let len = v.len() as u16;
    v[18..20].copy_from_slice(&len.to_be_bytes());
    let ck = lsa_checksum(&v).unwrap();
    v[16..18].copy_from_slice(&ck.to_be_bytes());
    v
}

fn ext_key(prefix: Ipv4Addr) -> LsaKey {
    LsaKey::new(LsaType::AsExternal, prefix, PEER)
}

fn acks_sent(d: &Drained) -> usize {
    d.of_type(5).len()
}

#[test]
fn rfc2328_13_step4_ls_age_0xffff_is_maxage_acked_and_not_installed() {
    let (mut i, now) = full_as_slave();
    let p = Ipv4Addr::new(198, 51, 100, 0);
    // 0xFFFF: the DoNotAge bit (RFC 1793) over an age of 0x7FFF, beyond MaxAge.
    let l = external_lsa(p, PEER, 0x8000_0001, 0xFFFF);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&l]));
    let d = drain(&mut i, now);
    assert!(i.lsa(Scope::As, &ext_key(p)).is_none());
    assert_eq!(
        acks_sent(&d),
        1,
        "a MaxAge LSA we lack is acknowledged (§13 step 4)"
    );
    assert_eq!(peer_state(&i), Some(NeighborState::Full));
}

#[test]
fn rfc2328_13_step4_ls_age_maxage_plus_one_is_maxage() {
    let (mut i, now) = full_as_slave();
    let p = Ipv4Addr::new(198, 51, 100, 0);
    let l = external_lsa(p, PEER, 0x8000_0001, 3601);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&l]));
    let d = drain(&mut i, now);
    assert!(i.lsa(Scope::As, &ext_key(p)).is_none());
    assert_eq!(acks_sent(&d), 1);
    // Installed normally, then flushed with an over-aged copy: it is now MaxAge.
    let l = external_lsa(p, PEER, 0x8000_0002, 1);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&l]));
    drain(&mut i, now);
    assert!(i.lsa(Scope::As, &ext_key(p)).is_some());
    let later = now + secs(2);
    let l = external_lsa(p, PEER, 0x8000_0002, 0xFFFF);
    i.handle_packet(later, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&l]));
    drain(&mut i, later);
    let e = i.lsa(Scope::As, &ext_key(p)).map(|e| e.is_max_age(later));
    // Either still held at MaxAge (until acknowledged) or already removed.
    assert_ne!(
        e,
        Some(false),
        "an over-aged copy must not leave a live LSA"
    );
    assert!(lsdb_clean(&i, later));
}

#[test]
fn rfc1793_do_not_age_bit_is_masked_from_the_age() {
    let (mut i, now) = full_as_slave();
    let p = Ipv4Addr::new(198, 51, 100, 0);
    let l = external_lsa(p, PEER, 0x8000_0001, 0x8000 | 5);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&l]));
    drain(&mut i, now);
    let info = i
        .lsdb(now)
        .find(|x| x.key == ext_key(p))
        .expect("installed");
    assert_eq!(info.header.age, 5);
}

#[test]
fn rfc2328_12_1_6_reserved_sequence_number_0x80000000_is_oldest() {
    let (mut i, now) = full_as_slave();
    let p = Ipv4Addr::new(198, 51, 100, 0);
    let l = external_lsa(p, PEER, 0x8000_0000, 1);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&l]));
    drain(&mut i, now);
    assert!(lsdb_clean(&i, now));
    // Whatever was done with it, InitialSequenceNumber is newer and replaces it.
    let later = now + secs(2);
    let l = external_lsa(p, PEER, 0x8000_0001, 1);
    i.handle_packet(later, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&l]));
    drain(&mut i, later);
    assert_eq!(
        i.lsa(Scope::As, &ext_key(p)).map(|e| e.seq()),
        Some(0x8000_0001)
    );
}

#[test]
fn rfc2328_13_max_sequence_number_only_valid_at_maxage() {
    let (mut i, now) = full_as_slave();
    let p = Ipv4Addr::new(198, 51, 100, 0);
    let l = external_lsa(p, PEER, 0x7FFF_FFFF, 1);
    let before = dropped(&i, DropReason::BadLsa);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&l]));
    drain(&mut i, now);
    assert_eq!(dropped(&i, DropReason::BadLsa), before + 1);
    assert!(i.lsa(Scope::As, &ext_key(p)).is_none());
}

#[test]
fn rfc2328_a_3_5_lsa_length_65535_beyond_the_packet_is_not_read() {
    let (mut i, now) = full_as_slave();
    let p = Ipv4Addr::new(198, 51, 100, 0);
    let mut l = external_lsa(p, PEER, 0x8000_0001, 1);
    l[18..20].copy_from_slice(&0xFFFFu16.to_be_bytes());
    let ck = lsa_checksum(&l).unwrap();
    l[16..18].copy_from_slice(&ck.to_be_bytes());
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&l]));
    drain(&mut i, now);
    assert!(i.lsa(Scope::As, &ext_key(p)).is_none());
    assert_eq!(peer_state(&i), Some(NeighborState::Full));
    assert!(lsdb_clean(&i, now));
}

#[test]
fn rfc2328_a_4_zero_length_bodies_are_bad_lsas() {
    let (mut i, now) = full_as_slave();
    let before = dropped(&i, DropReason::BadLsa);
    let q = Ipv4Addr::new(9, 9, 9, 9);
    let router = lsa(1, PEER, PEER, 0x8000_0001, 1, &[]);
    let network = lsa(2, PEER_ADDR, PEER, 0x8000_0001, 1, &[255, 255, 255, 252]);
    let summary = lsa(3, q, PEER, 0x8000_0001, 1, &[]);
    let external = lsa(5, q, PEER, 0x8000_0001, 1, &[255, 255, 255, 0]);
    let up = ls_update(PEER, &[&router, &network, &summary, &external]);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &up);
    drain(&mut i, now);
    assert_eq!(dropped(&i, DropReason::BadLsa), before + 4);
    assert!(i.lsdb(now).all(|l| l.key.adv_router != PEER));
}

#[test]
fn rfc2328_a_4_2_router_lsa_claiming_65535_links_is_bad() {
    let (mut i, now) = full_as_slave();
    let before = dropped(&i, DropReason::BadLsa);
    // Flags, 0, #links = 65535, then a single 12-byte link.
    let mut body = vec![0, 0, 0xFF, 0xFF];
    body.extend_from_slice(&[10, 0, 0, 0, 255, 255, 255, 252, 3, 0, 0, 10]);
    let l = lsa(1, PEER, PEER, 0x8000_0001, 1, &body);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&l]));
    drain(&mut i, now);
    assert_eq!(dropped(&i, DropReason::BadLsa), before + 1);
    // A link whose TOS count runs past the end, too.
    let body = [0, 0, 0, 1, 10, 0, 0, 0, 255, 255, 255, 252, 3, 255, 0, 10];
    let l = lsa(1, PEER, PEER, 0x8000_0001, 1, &body);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&l]));
    drain(&mut i, now);
    assert_eq!(dropped(&i, DropReason::BadLsa), before + 2);
    assert!(i.lsdb(now).all(|l| l.key.adv_router != PEER));
}

#[test]
fn rfc2328_10_5_hello_with_a_huge_neighbor_list() {
    let now = Instant::from_secs(1);
    let mut i = p2p_instance(now);
    drain(&mut i, now);
    // 16 000 listed neighbors (64 000 bytes): we are the last one.
    let mut list: Vec<Ipv4Addr> = (0..15_999u32)
        .map(|k| Ipv4Addr::from(0x0B00_0000 + k))
        .collect();
    list.push(ME);
    let h = hello(PEER, &list);
    assert!(h.len() > 60_000);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &h);
    drain(&mut i, now);
    assert_eq!(peer_state(&i), Some(NeighborState::ExStart));
}

#[test]
fn rfc2328_10_5_hello_with_dead_interval_zero_is_a_mismatch() {
    let now = Instant::from_secs(1);
    let mut i = p2p_instance(now);
    drain(&mut i, now);
    let h = packet(
        PEER,
        AREA0,
        BodyRepr::Hello(HelloRepr {
            dead_interval: 0,
            ..hello_body(
                Ipv4Addr::new(255, 255, 255, 252),
                &[ME],
                Ipv4Addr::UNSPECIFIED,
                Ipv4Addr::UNSPECIFIED,
                1,
            )
        }),
    );
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &h);
    drain(&mut i, now);
    assert_eq!(dropped(&i, DropReason::HelloMismatch), 1);
    assert_eq!(i.neighbors().count(), 0);
}

#[test]
fn rfc2328_10_6_dd_with_mtu_zero_is_accepted() {
    let now = Instant::from_secs(1);
    let mut i = p2p_instance(now);
    drain(&mut i, now);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &hello(PEER, &[ME]));
    let ddp = |flags, seq| {
        packet(
            PEER,
            AREA0,
            BodyRepr::DbDesc(DbDescRepr {
                mtu: 0,
                options: Options::E,
                flags,
                seq,
                lsa_headers: List::Slice(&[]),
            }),
        )
    };
    i.handle_packet(
        now,
        1,
        PEER_ADDR,
        ALL_SPF,
        &ddp(DdFlags::I | DdFlags::M | DdFlags::MS, 7),
    );
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &ddp(DdFlags::MS, 8));
    drain(&mut i, now);
    // §10.6 rejects only an MTU larger than ours.
    assert_eq!(dropped(&i, DropReason::MtuMismatch), 0);
    assert_eq!(peer_state(&i), Some(NeighborState::Full));
}

#[test]
fn rfc2328_10_7_ls_request_for_an_lsa_we_lack_is_bad_ls_req() {
    let (mut i, now) = full_as_slave();
    let req = [LsRequestEntry {
        lsa_type: 5,
        lsid: Ipv4Addr::new(203, 0, 113, 0),
        adv_router: Ipv4Addr::new(7, 7, 7, 7),
    }];
    let p = packet(
        PEER,
        AREA0,
        BodyRepr::LsRequest(LsRequestRepr {
            entries: List::Slice(&req),
        }),
    );
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &p);
    let d = drain(&mut i, now);
    assert_eq!(peer_state(&i), Some(NeighborState::ExStart));
    assert!(d.of_type(4).is_empty(), "nothing sent for a bad request");
    // And an LS type beyond 255 (the field is 32 bits on the wire).
    exchange(&mut i, now, 2000);
    let req = [LsRequestEntry {
        lsa_type: 0x1_0001,
        lsid: ME,
        adv_router: ME,
    }];
    let p = packet(
        PEER,
        AREA0,
        BodyRepr::LsRequest(LsRequestRepr {
            entries: List::Slice(&req),
        }),
    );
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &p);
    drain(&mut i, now);
    assert_eq!(peer_state(&i), Some(NeighborState::ExStart));
}

#[test]
fn rfc5250_3_link_scope_lsa_stays_on_its_interface() {
    let now = Instant::from_secs(1);
    let mut i = p2p_instance(now);
    i.add_interface(
        now,
        2,
        InterfaceConfig::new(Ipv4Addr::new(10, 0, 9, 1), 30).if_type(InterfaceType::PointToPoint),
    )
    .unwrap();
    i.handle_timeout(now);
    drain(&mut i, now);
    exchange(&mut i, now, 1000);
    // A second neighbor on interface 2, so that flooding there would show.
    let other = Ipv4Addr::new(3, 3, 3, 3);
    let other_addr = Ipv4Addr::new(10, 0, 9, 2);
    for p in [
        hello(other, &[ME]),
        dd(other, DdFlags::I | DdFlags::M | DdFlags::MS, 50, &[]),
        dd(other, DdFlags::MS, 51, &[]),
    ] {
        i.handle_packet(now, 2, other_addr, ALL_SPF, &p);
    }
    drain(&mut i, now);
    let opaque_id = Ipv4Addr::new(4, 0, 0, 1);
    let l = lsa(
        9,
        opaque_id,
        PEER,
        0x8000_0001,
        1,
        &[0, 1, 0, 4, 1, 2, 3, 4],
    );
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &ls_update(PEER, &[&l]));
    let d = drain(&mut i, now);
    let key = LsaKey::new(LsaType::OpaqueLink, opaque_id, PEER);
    assert!(i.lsa(Scope::Link(1), &key).is_some());
    assert!(i.lsa(Scope::Link(2), &key).is_none());
    assert!(
        d.sent
            .iter()
            .filter(|(t, b)| t.ifindex == 2 && b[1] == 4)
            .all(|(_, b)| !b.windows(8).any(|w| w == [0x02, 9, 4, 0, 0, 1, 2, 2])),
        "a link-scope LSA is never flooded out of another interface"
    );
    // The same LSA arriving on interface 2 lives there, independently.
    let l2 = lsa(
        9,
        opaque_id,
        PEER,
        0x8000_0005,
        1,
        &[0, 1, 0, 4, 1, 2, 3, 4],
    );
    i.handle_packet(now, 2, other_addr, ALL_SPF, &ls_update(other, &[&l2]));
    drain(&mut i, now);
    assert_eq!(
        i.lsa(Scope::Link(1), &key).map(|e| e.seq()),
        Some(0x8000_0001)
    );
    assert_eq!(
        i.lsa(Scope::Link(2), &key).map(|e| e.seq()),
        Some(0x8000_0005)
    );
}

#[test]
fn rfc2328_8_2_unknown_area_is_dropped_for_every_packet_type() {
    let (mut i, now) = full_as_slave();
    let area = Ipv4Addr::new(0, 0, 0, 42);
    let l = external_lsa(Ipv4Addr::new(198, 51, 100, 0), PEER, 0x8000_0001, 1);
    let raw = [l.as_slice()];
    let bodies = [
        BodyRepr::Hello(hello_body(
            Ipv4Addr::new(255, 255, 255, 252),
            &[ME],
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            1,
        )),
        BodyRepr::LsUpdate(ospf_core::wire::LsUpdateRepr {
            lsas: ospf_core::wire::LsaList::Raw(&raw),
        }),
    ];
    for b in bodies {
        i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &packet(PEER, area, b));
    }
    drain(&mut i, now);
    assert_eq!(dropped(&i, DropReason::AreaMismatch), 2);
    assert_eq!(i.areas().count(), 1, "no area created from the wire");
    assert!(i.lsdb(now).all(|l| l.key.adv_router != PEER));
}

#[test]
fn rfc2328_8_2_our_own_router_id_as_sender_is_dropped() {
    let (mut i, now) = full_as_slave();
    let l = external_lsa(Ipv4Addr::new(198, 51, 100, 0), ME, 0x8000_0001, 1);
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &ls_update(ME, &[&l]));
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &hello(ME, &[ME]));
    drain(&mut i, now);
    assert_eq!(dropped(&i, DropReason::DuplicateRouterId), 2);
    assert_eq!(i.neighbors().count(), 1);
}

#[test]
fn rfc2328_8_2_source_and_router_id_0_0_0_0() {
    let now = Instant::from_secs(1);
    let mut i = Instance::new(InstanceConfig::new(ME), now);
    i.add_interface(now, 1, InterfaceConfig::new(MY_ADDR, 24))
        .unwrap();
    drain(&mut i, now);
    let h = packet(
        Ipv4Addr::UNSPECIFIED,
        AREA0,
        BodyRepr::Hello(hello_body(
            Ipv4Addr::new(255, 255, 255, 0),
            &[ME],
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            1,
        )),
    );
    // Router ID 0.0.0.0 is not a router ID (RFC 2328 C.1).
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &h);
    assert_eq!(dropped(&i, DropReason::Malformed), 1);
    // IP source 0.0.0.0 is not on the attached network.
    i.handle_packet(now, 1, Ipv4Addr::UNSPECIFIED, ALL_SPF, &hello(PEER, &[ME]));
    drain(&mut i, now);
    assert_eq!(i.neighbors().count(), 0);
    assert_eq!(i.counters(1).unwrap().dropped_total(), 2);
}

#[test]
fn rfc2328_8_2_point_to_point_source_0_0_0_0_or_multicast_is_dropped() {
    let now = Instant::from_secs(1);
    let mut i = p2p_instance(now);
    drain(&mut i, now);
    for src in [
        Ipv4Addr::UNSPECIFIED,
        Ipv4Addr::new(224, 0, 0, 5),
        Ipv4Addr::BROADCAST,
    ] {
        i.handle_packet(now, 1, src, ALL_SPF, &hello(PEER, &[ME]));
    }
    drain(&mut i, now);
    assert_eq!(dropped(&i, DropReason::WrongDestination), 3);
    assert_eq!(i.neighbors().count(), 0);
    // From the right source, the same Hello is accepted.
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &hello(PEER, &[ME]));
    drain(&mut i, now);
    assert_eq!(peer_state(&i), Some(NeighborState::ExStart));
}

#[test]
fn rfc2328_9_4_dr_lost_to_inactivity_never_spins_the_timer_loop() {
    let now = Instant::from_secs(1);
    let mut i = Instance::new(InstanceConfig::new(ME), now);
    i.add_interface(now, 1, InterfaceConfig::new(MY_ADDR, 24))
        .unwrap();
    drain(&mut i, now);
    let third = Ipv4Addr::new(3, 3, 3, 3);
    let third_addr = Ipv4Addr::new(10, 0, 0, 3);
    let mask = Ipv4Addr::new(255, 255, 255, 0);
    let h = |rid, dr| {
        packet(
            rid,
            AREA0,
            BodyRepr::Hello(hello_body(mask, &[ME], dr, Ipv4Addr::UNSPECIFIED, 1)),
        )
    };
    // Two peers; 3.3.3.3 declares itself DR and is elected at once.
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &h(PEER, Ipv4Addr::UNSPECIFIED));
    i.handle_packet(now, 1, third_addr, ALL_SPF, &h(third, third_addr));
    drain(&mut i, now);
    assert_eq!(i.interface(1).unwrap().dr.map(|d| d.1), Some(third_addr));
    // Only 2.2.2.2 keeps talking: the DR dies of inactivity, a new election follows.
    let mut now = now;
    let end = now + secs(60);
    let mut same = 0;
    while now < end {
        let next = i.poll_timeout().expect("timers run");
        assert!(next >= now, "a deadline in the past");
        same = if next == now { same + 1 } else { 0 };
        assert!(
            same < 3,
            "handle_timeout keeps asking to be called at {now:?}"
        );
        now = next;
        i.handle_timeout(now);
        if now.as_secs() % 10 == 0 {
            i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &h(PEER, Ipv4Addr::UNSPECIFIED));
        }
        drain(&mut i, now);
    }
    assert!(i.neighbors().all(|n| n.router_id == PEER));
    assert_ne!(i.interface(1).unwrap().dr.map(|d| d.1), Some(third_addr));
}

/// §9.5: every Hello lists all neighbors, so the neighbors an interface keeps are capped
/// at what one Hello can list at the MTU. Hellos from a flood of forged router IDs are
/// dropped and counted beyond that; the real adjacency stays Full and our Hello still
/// fits the MTU.
#[test]
fn rfc2328_9_5_forged_router_id_flood_is_capped_and_the_adjacency_survives() {
    let (mut i, now) = full_as_slave();
    for n in 0..2000u32 {
        let forged = Ipv4Addr::from(0x0B00_0000 + n);
        feed(&mut i, now, &hello(forged, &[]));
    }
    let kept = i.neighbors().count();
    assert!(
        kept > 1 && kept <= (1500 - 20 - 24 - 20 - 64) / 4,
        "kept {kept}"
    );
    assert!(i.counters(1).unwrap().dropped(DropReason::TooManyNeighbors) >= 2000 - kept as u64);
    assert!(
        i.neighbors()
            .any(|nb| nb.router_id == PEER && nb.state == ospf_core::neighbor::NeighborState::Full)
    );
    // Our next Hello lists every neighbor and still fits a 1500-byte MTU.
    let (_, out) = run_until(&mut i, now, now + secs(11));
    let hellos = out.of_type(1);
    assert!(!hellos.is_empty());
    assert!(
        hellos.iter().all(|h| h.len() + 20 <= 1500),
        "Hello fits the MTU"
    );
}
