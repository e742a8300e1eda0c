//! Hardening against abusive neighbors (issue 14): LS Request amplification, the reserved
//! sequence number, bounded request lists and LSDB limits, neighbor admission under a
//! Hello flood, and rate-limited drop reports.

mod engine_util;

use core::net::Ipv4Addr;
use engine_util::*;
use ospf_core::config::InstanceConfig;
use ospf_core::instance::{DropReason, Instance};
use ospf_core::neighbor::NeighborState;
use ospf_core::time::Instant;
use ospf_core::wire::{BodyRepr, DdFlags, FixedItem, LsRequestEntry, LsRequestRepr, LsaHeader};

/// Number of LSAs in the LS Updates of `d`.
fn lsas_sent(d: &Drained) -> usize {
    d.of_type(4)
        .iter()
        .map(|b| match parse(b).body {
            BodyRepr::LsUpdate(u) => u.lsas.len(),
            _ => 0,
        })
        .sum()
}

#[test]
fn rfc2328_10_7_an_lsa_listed_three_times_in_one_request_is_sent_once() {
    let (mut i, now) = full_as_slave();
    let entry = LsRequestEntry {
        lsa_type: 1,
        lsid: ME,
        adv_router: ME,
    };
    let req = packet(
        PEER,
        AREA0,
        BodyRepr::LsRequest(LsRequestRepr {
            entries: ospf_core::wire::List::Slice(&[entry, entry, entry]),
        }),
    );
    let d = feed(&mut i, now, &req);
    assert_eq!(lsas_sent(&d), 1, "one LSA answers a thrice-listed request");
    assert_eq!(i.neighbors().next().unwrap().state, NeighborState::Full);
}

#[test]
fn rfc2328_12_1_6_an_lsa_with_the_reserved_sequence_number_is_dropped() {
    let (mut i, now) = full_as_slave();
    let before = i.lsdb_len();
    let bad = external_lsa(storm_prefix(1), PEER, 0x8000_0000, 1);
    let d = feed(&mut i, now, &ls_update(PEER, &[&bad]));
    assert_eq!(i.lsdb_len(), before, "not installed");
    assert_eq!(lsas_sent(&d), 0, "not flooded");
    assert_eq!(dropped(&i, DropReason::BadLsa), 1, "counted");
    // The next valid instance (InitialSequenceNumber) is taken.
    let good = external_lsa(storm_prefix(1), PEER, 0x8000_0001, 1);
    feed(&mut i, now, &ls_update(PEER, &[&good]));
    assert_eq!(i.lsdb_len(), before + 1);
}

#[test]
fn rfc2328_10_6_the_ls_request_list_is_bounded_by_max_lsas() {
    let (mut i, now) = start_with(InstanceConfig::new(ME).max_lsas(Some(10)));
    feed(&mut i, now, &hello(PEER, &[ME]));
    feed(
        &mut i,
        now,
        &dd(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, 1000, &[]),
    );
    let lsas: Vec<Vec<u8>> = (0..60)
        .map(|k| external_lsa(storm_prefix(k), PEER, 0x8000_0001, 1))
        .collect();
    let headers: Vec<LsaHeader> = lsas.iter().map(|l| LsaHeader::read(&l[..20])).collect();
    feed(
        &mut i,
        now,
        &dd(PEER, DdFlags::M | DdFlags::MS, 1001, &headers),
    );
    let n = i.neighbors().next().unwrap();
    assert!(n.ls_request_count <= 10, "{} requested", n.ls_request_count);
    assert!(dropped(&i, DropReason::LsdbFull) >= 50);
    // A header with the reserved sequence number is not requested either.
    let mut reserved = external_lsa(storm_prefix(99), PEER, 0x8000_0000, 1);
    reserved[12..16].copy_from_slice(&0x8000_0000u32.to_be_bytes());
    let h = LsaHeader::read(&reserved[..20]);
    let bad_before = dropped(&i, DropReason::BadLsa);
    feed(&mut i, now, &dd(PEER, DdFlags::MS, 1002, &[h]));
    assert_eq!(dropped(&i, DropReason::BadLsa), bad_before + 1);
}

fn limit_events(d: &Drained) -> Vec<(usize, usize, bool, bool)> {
    d.events
        .iter()
        .filter_map(|e| match e {
            ospf_core::instance::Event::LsdbLimit {
                count,
                limit,
                external,
                reached,
            } => Some((*count, *limit, *external, *reached)),
            _ => None,
        })
        .collect()
}

#[test]
fn rfc1765_a_storm_beyond_max_lsas_is_refused_acknowledged_and_reported_once() {
    let (mut i, now) = full_as_slave_with(InstanceConfig::new(ME).max_lsas(Some(100)));
    let d = storm(&mut i, now, 0, 1000);
    assert_eq!(i.lsdb_len(), 100, "the LSDB stops at the limit");
    // Our router-LSA counts: 99 of the storm got in, 901 were refused.
    assert_eq!(dropped(&i, DropReason::LsdbFull), 901);
    // Refused LSAs are not flooded (nothing to flood to on a p2p link anyway) but are
    // acknowledged so that the neighbor stops retransmitting them.
    let acked: usize = d
        .of_type(5)
        .iter()
        .map(|b| match parse(b).body {
            BodyRepr::LsAck(a) => a.lsa_headers.len(),
            _ => 0,
        })
        .sum();
    assert!(acked >= 901, "{acked} acknowledged");
    assert_eq!(
        limit_events(&d),
        vec![(75, 100, false, false), (100, 100, false, true)],
        "a warning at 75% and one at the limit, not one per LSA"
    );
    assert_eq!(i.neighbors().next().unwrap().state, NeighborState::Full);
    // An update of an LSA already held is still taken.
    let newer = external_lsa(storm_prefix(5), PEER, 0x8000_0002, 1);
    feed(&mut i, now + secs(2), &ls_update(PEER, &[&newer]));
    let key = ospf_core::lsdb::LsaKey {
        lsa_type: 5,
        lsid: storm_prefix(5),
        adv_router: PEER,
    };
    assert_eq!(
        i.lsa(ospf_core::lsdb::Scope::As, &key).map(|e| e.seq()),
        Some(0x8000_0002)
    );
}

#[test]
fn rfc1765_2_1_the_external_limit_bounds_type_5_only() {
    let (mut i, now) = full_as_slave_with(InstanceConfig::new(ME).max_external_lsas(Some(30)));
    storm(&mut i, now, 0, 200);
    let externals = i.lsdb(now).filter(|l| l.key.lsa_type == 5).count();
    assert_eq!(externals, 30);
    assert_eq!(dropped(&i, DropReason::LsdbFull), 170);
    assert_eq!(i.neighbors().next().unwrap().state, NeighborState::Full);
}

#[test]
fn rfc1765_warning_only_limits_refuse_nothing() {
    let cfg = InstanceConfig::new(ME)
        .max_lsas(Some(50))
        .lsa_limit_warning_only(true)
        .lsa_warning_threshold(50);
    let (mut i, now) = full_as_slave_with(cfg);
    let d = storm(&mut i, now, 0, 120);
    assert_eq!(i.lsdb_len(), 121);
    assert_eq!(dropped(&i, DropReason::LsdbFull), 0);
    assert_eq!(
        limit_events(&d),
        vec![(25, 50, false, false), (50, 50, false, true)]
    );
}

fn forged(k: u32) -> Ipv4Addr {
    Ipv4Addr::from(0x6400_0000 + k)
}

/// 5,000 Hellos from forged router IDs that do not list us.
fn hello_flood(i: &mut Instance, now: Instant) {
    for k in 0..5_000 {
        feed(i, now, &hello(forged(k), &[]));
    }
}

fn neighbor_count(i: &Instance) -> usize {
    i.neighbors().count()
}

fn state_of(i: &Instance, rid: Ipv4Addr) -> Option<NeighborState> {
    i.neighbors().find(|n| n.router_id == rid).map(|n| n.state)
}

/// PEER (master) exchanges an empty database with us: Full.
fn exchange(i: &mut Instance, now: Instant, seq: u32) {
    feed(
        i,
        now,
        &dd(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, seq, &[]),
    );
    feed(i, now, &dd(PEER, DdFlags::MS, seq + 1, &[]));
}

#[test]
fn rfc2328_10_5_a_hello_flood_is_bounded_and_a_neighbor_that_sees_us_still_gets_in() {
    let (mut i, now) = start();
    hello_flood(&mut i, now);
    let cap = neighbor_count(&i);
    assert_eq!(cap, 343, "one Hello's worth of neighbors at MTU 1500");
    assert_eq!(dropped(&i, DropReason::TooManyNeighbors), 5_000 - 343);
    // A stranger that does not see us stays out.
    feed(&mut i, now, &hello(Ipv4Addr::new(9, 9, 9, 9), &[]));
    assert_eq!(state_of(&i, Ipv4Addr::new(9, 9, 9, 9)), None);
    // The real neighbor (it heard our Hello, so it lists us) takes a forged one's place.
    feed(&mut i, now, &hello(PEER, &[ME]));
    assert_eq!(neighbor_count(&i), cap, "still bounded");
    assert_eq!(state_of(&i, PEER), Some(NeighborState::ExStart));
    exchange(&mut i, now, 1000);
    assert_eq!(state_of(&i, PEER), Some(NeighborState::Full));
    // The flood goes on: the adjacency is not evicted.
    for k in 5_000..6_000 {
        feed(&mut i, now, &hello(forged(k), &[ME]));
    }
    assert_eq!(state_of(&i, PEER), Some(NeighborState::Full));
    assert!(neighbor_count(&i) <= cap);
}

#[test]
fn rfc2328_10_5_a_router_adjacent_before_is_readmitted_after_its_restart() {
    let (mut i, now) = full_as_slave();
    // PEER goes silent; it is declared dead after RouterDeadInterval.
    let (now, _) = run_until(&mut i, now, now + secs(41));
    assert_eq!(state_of(&i, PEER), None);
    hello_flood(&mut i, now);
    assert_eq!(neighbor_count(&i), 343);
    // Restarted, it does not list us yet, but it was adjacent: admitted.
    feed(&mut i, now, &hello(PEER, &[]));
    assert_eq!(state_of(&i, PEER), Some(NeighborState::Init));
    assert_eq!(neighbor_count(&i), 343);
    feed(&mut i, now, &hello(PEER, &[ME]));
    exchange(&mut i, now, 5000);
    assert_eq!(state_of(&i, PEER), Some(NeighborState::Full));
}

#[test]
fn rfc1765_a_database_exchange_beyond_the_limit_still_reaches_full() {
    let (mut i, now) = start_with(InstanceConfig::new(ME).max_lsas(Some(10)));
    feed(&mut i, now, &hello(PEER, &[ME]));
    feed(
        &mut i,
        now,
        &dd(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, 1000, &[]),
    );
    let lsas: Vec<Vec<u8>> = (0..30)
        .map(|k| external_lsa(storm_prefix(k), PEER, 0x8000_0001, 1))
        .collect();
    let headers: Vec<LsaHeader> = lsas.iter().map(|l| LsaHeader::read(&l[..20])).collect();
    feed(&mut i, now, &dd(PEER, DdFlags::MS, 1001, &headers));
    assert_eq!(i.neighbors().next().unwrap().state, NeighborState::Loading);
    // PEER answers every request with the LSAs asked for; one more than fits is refused.
    let refs: Vec<&[u8]> = lsas.iter().map(|v| v.as_slice()).collect();
    feed(&mut i, now, &ls_update(PEER, &refs[..10]));
    assert_eq!(i.lsdb_len(), 10);
    assert_eq!(
        i.neighbors().next().unwrap().state,
        NeighborState::Full,
        "the refused LSA is no longer requested"
    );
}
