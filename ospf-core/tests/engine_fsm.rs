//! State machine transitions of one instance driven by hand-made packets: interfaces
//! (RFC 2328 §9.3), neighbors (§10.3), the database exchange (§10.6–§10.8), flooding
//! and acknowledgment (§13, §13.5) and self-originated LSAs (§13.4).

mod engine_util;

use core::net::Ipv4Addr;
use engine_util::*;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::{DropReason, Event, Instance};
use ospf_core::interface::InterfaceState;
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::{NeighborEvent, NeighborState};
use ospf_core::time::Instant;
use ospf_core::wire::{BodyRepr, DdFlags, List, LsRequestEntry, LsRequestRepr, LsaType};

fn nbr_state(i: &Instance) -> Option<NeighborState> {
    i.neighbors().next().map(|n| n.state)
}

#[test]
fn rfc2328_10_3_hello_received_down_to_init_and_answered() {
    let (mut i, now) = start();
    let d = feed(&mut i, now, &hello(PEER, &[]));
    assert_eq!(nbr_state(&i), Some(NeighborState::Init));
    assert!(d.events.iter().any(|e| matches!(
        e,
        Event::NeighborState {
            old: NeighborState::Down,
            new: NeighborState::Init,
            reason: NeighborEvent::HelloReceived,
            ..
        }
    )));
    // A Hello listing the new neighbor goes out right away.
    i.handle_timeout(now);
    let d = drain(&mut i, now);
    let hellos = d.of_type(1);
    assert_eq!(hellos.len(), 1);
    match parse(hellos[0]).body {
        BodyRepr::Hello(h) => assert_eq!(h.neighbors.iter().collect::<Vec<_>>(), [PEER]),
        _ => unreachable!(),
    }
}

#[test]
fn rfc2328_10_3_two_way_received_on_p2p_starts_exstart_with_initial_dd() {
    let (mut i, now) = start();
    let d = feed(&mut i, now, &hello(PEER, &[ME]));
    assert_eq!(nbr_state(&i), Some(NeighborState::ExStart));
    let dds = d.of_type(2);
    assert_eq!(dds.len(), 1);
    match parse(dds[0]).body {
        BodyRepr::DbDesc(dd) => {
            assert_eq!(dd.flags, DdFlags::I | DdFlags::M | DdFlags::MS);
            assert!(dd.lsa_headers.is_empty());
            assert_eq!(dd.mtu, 1500);
        }
        _ => unreachable!(),
    }
    // p2p: DD to AllSPFRouters.
    assert_eq!(d.sent[0].0.dst, ALL_SPF);
}

#[test]
fn rfc2328_10_3_one_way_received_falls_back_to_init() {
    let (mut i, now) = start();
    feed(&mut i, now, &hello(PEER, &[ME]));
    assert_eq!(nbr_state(&i), Some(NeighborState::ExStart));
    feed(&mut i, now, &hello(PEER, &[]));
    assert_eq!(nbr_state(&i), Some(NeighborState::Init));
}

#[test]
fn rfc2328_10_6_higher_router_id_is_master_we_echo_as_slave() {
    let (mut i, now) = start();
    feed(&mut i, now, &hello(PEER, &[ME]));
    let d = feed(
        &mut i,
        now,
        &dd(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, 1000, &[]),
    );
    assert_eq!(nbr_state(&i), Some(NeighborState::Exchange));
    assert!(!i.neighbors().next().unwrap().we_are_master);
    let dds = d.of_type(2);
    assert_eq!(dds.len(), 1);
    match parse(dds[0]).body {
        BodyRepr::DbDesc(dd) => {
            assert_eq!(dd.seq, 1000, "slave echoes the master's sequence number");
            assert!(!dd.flags.intersects(DdFlags::I | DdFlags::MS));
            // Our Router-LSA is described; nothing more, so M is clear.
            assert_eq!(dd.lsa_headers.len(), 1);
            assert!(!dd.flags.contains(DdFlags::M));
        }
        _ => unreachable!(),
    }
    // Master's last (M clear) completes the exchange; nothing to request: Full.
    feed(&mut i, now, &dd(PEER, DdFlags::MS, 1001, &[]));
    assert_eq!(nbr_state(&i), Some(NeighborState::Full));
}

#[test]
fn rfc2328_10_6_lower_router_id_neighbor_becomes_slave() {
    let now = Instant::from_secs(1);
    let mut i = p2p_instance(now);
    drain(&mut i, now);
    let low = Ipv4Addr::new(0, 0, 0, 9);
    let d = {
        i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &hello(low, &[ME]));
        drain(&mut i, now)
    };
    let our_seq = match parse(d.of_type(2)[0]).body {
        BodyRepr::DbDesc(dd) => dd.seq,
        _ => unreachable!(),
    };
    // The neighbor also claims mastership: ignored, it has the lower router ID.
    i.handle_packet(
        now,
        1,
        PEER_ADDR,
        ALL_SPF,
        &dd(low, DdFlags::I | DdFlags::M | DdFlags::MS, 77, &[]),
    );
    drain(&mut i, now);
    assert_eq!(nbr_state(&i), Some(NeighborState::ExStart));
    // It then answers our initial DD as slave.
    i.handle_packet(
        now,
        1,
        PEER_ADDR,
        ALL_SPF,
        &dd(low, DdFlags::M, our_seq, &[]),
    );
    let d = drain(&mut i, now);
    assert_eq!(nbr_state(&i), Some(NeighborState::Exchange));
    assert!(i.neighbors().next().unwrap().we_are_master);
    match parse(d.of_type(2)[0]).body {
        BodyRepr::DbDesc(dd) => {
            assert_eq!(dd.seq, our_seq.wrapping_add(1));
            assert!(dd.flags.contains(DdFlags::MS));
            assert!(!dd.flags.contains(DdFlags::I));
        }
        _ => unreachable!(),
    }
}

#[test]
fn rfc2328_10_6_sequence_mismatch_restarts_exstart() {
    let (mut i, now) = start();
    feed(&mut i, now, &hello(PEER, &[ME]));
    feed(
        &mut i,
        now,
        &dd(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, 1000, &[]),
    );
    assert_eq!(nbr_state(&i), Some(NeighborState::Exchange));
    let d = feed(&mut i, now, &dd(PEER, DdFlags::MS | DdFlags::M, 1005, &[]));
    assert_eq!(nbr_state(&i), Some(NeighborState::ExStart));
    assert!(d.events.iter().any(|e| matches!(
        e,
        Event::NeighborState {
            reason: NeighborEvent::SeqNumberMismatch,
            ..
        }
    )));
    match parse(d.of_type(2)[0]).body {
        BodyRepr::DbDesc(dd) => assert!(dd.flags.contains(DdFlags::I)),
        _ => unreachable!(),
    }
}

#[test]
fn rfc2328_10_8_slave_retransmits_on_duplicate_dd() {
    let (mut i, now) = full_as_slave();
    // The master did not get our last DD and repeats its own.
    let d = feed(&mut i, now, &dd(PEER, DdFlags::MS, 1001, &[]));
    let dds = d.of_type(2);
    assert_eq!(dds.len(), 1);
    match parse(dds[0]).body {
        BodyRepr::DbDesc(dd) => assert_eq!(dd.seq, 1001),
        _ => unreachable!(),
    }
    assert_eq!(nbr_state(&i), Some(NeighborState::Full));
    // A non-duplicate DD in Full is a SeqNumberMismatch.
    feed(&mut i, now, &dd(PEER, DdFlags::MS, 1002, &[]));
    assert_eq!(nbr_state(&i), Some(NeighborState::ExStart));
}

#[test]
fn rfc2328_10_7_request_for_missing_lsa_is_bad_ls_req() {
    let (mut i, now) = full_as_slave();
    let req = [LsRequestEntry {
        lsa_type: 5,
        lsid: Ipv4Addr::new(9, 9, 9, 0),
        adv_router: ME,
    }];
    let p = packet(
        PEER,
        AREA0,
        BodyRepr::LsRequest(LsRequestRepr {
            entries: List::Slice(&req),
        }),
    );
    feed(&mut i, now, &p);
    assert_eq!(nbr_state(&i), Some(NeighborState::ExStart));
}

#[test]
fn rfc2328_10_7_request_is_answered_with_an_update() {
    let (mut i, now) = full_as_slave();
    let req = [LsRequestEntry {
        lsa_type: 1,
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
    let d = feed(&mut i, now, &p);
    let lsus = d.of_type(4);
    assert_eq!(lsus.len(), 1);
    // LS age advanced by InfTransDelay (1 s) on the wire.
    let age = u16::from_be_bytes([lsus[0][28], lsus[0][29]]);
    assert!(age >= 1);
    assert_eq!(nbr_state(&i), Some(NeighborState::Full));
}

#[test]
fn rfc2328_10_3_inactivity_timer_removes_neighbor() {
    let (mut i, now) = full_as_slave();
    let (_, d) = run_until(&mut i, now, now + secs(39));
    assert_eq!(nbr_state(&i), Some(NeighborState::Full));
    assert!(
        d.events.is_empty()
            || !d
                .events
                .iter()
                .any(|e| matches!(e, Event::NeighborState { .. }))
    );
    let (_, d) = run_until(&mut i, now + secs(39), now + secs(41));
    assert_eq!(nbr_state(&i), None);
    assert!(d.events.iter().any(|e| matches!(
        e,
        Event::NeighborState {
            new: NeighborState::Down,
            reason: NeighborEvent::InactivityTimer,
            ..
        }
    )));
}

#[test]
fn rfc2328_9_3_interface_down_kills_neighbors() {
    let (mut i, now) = full_as_slave();
    i.set_interface_up(now, 1, false).unwrap();
    let d = drain(&mut i, now);
    assert_eq!(nbr_state(&i), None);
    assert_eq!(i.interface(1).unwrap().state, InterfaceState::Down);
    assert!(d.events.iter().any(|e| matches!(
        e,
        Event::NeighborState {
            reason: NeighborEvent::KillNbr,
            ..
        }
    )));
    // Packets on a down interface are dropped and counted.
    feed(&mut i, now, &hello(PEER, &[ME]));
    assert_eq!(
        i.counters(1)
            .unwrap()
            .dropped(DropReason::InterfaceInactive),
        1
    );
    i.set_interface_up(now, 1, true).unwrap();
    assert_eq!(i.interface(1).unwrap().state, InterfaceState::PointToPoint);
}

fn lan_instance(now: Instant, prio: u8) -> Instance {
    let mut i = Instance::new(InstanceConfig::new(ME), now);
    i.add_interface(
        now,
        1,
        InterfaceConfig::new(MY_ADDR, 24)
            .if_type(InterfaceType::Broadcast)
            .priority(prio),
    )
    .unwrap();
    drain(&mut i, now);
    i
}

#[test]
fn rfc2328_9_3_wait_timer_then_alone_we_are_dr() {
    let now = Instant::from_secs(1);
    let mut i = lan_instance(now, 1);
    assert_eq!(i.interface(1).unwrap().state, InterfaceState::Waiting);
    run_until(&mut i, now, now + secs(39));
    assert_eq!(i.interface(1).unwrap().state, InterfaceState::Waiting);
    run_until(&mut i, now + secs(39), now + secs(41));
    assert_eq!(i.interface(1).unwrap().state, InterfaceState::Dr);
}

#[test]
fn rfc2328_9_3_priority_zero_skips_waiting() {
    let now = Instant::from_secs(1);
    let i = lan_instance(now, 0);
    assert_eq!(i.interface(1).unwrap().state, InterfaceState::DrOther);
}

#[test]
fn rfc2328_9_3_backup_seen_ends_waiting_early() {
    let now = Instant::from_secs(1);
    let mut i = lan_instance(now, 1);
    // The peer is DR with no BDR, and lists us.
    let h = packet(
        PEER,
        AREA0,
        BodyRepr::Hello(hello_body(
            Ipv4Addr::new(255, 255, 255, 0),
            &[ME],
            PEER_ADDR,
            Ipv4Addr::UNSPECIFIED,
            1,
        )),
    );
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &h);
    drain(&mut i, now);
    let iface = i.interface(1).unwrap();
    assert_eq!(iface.state, InterfaceState::Backup);
    assert_eq!(iface.dr, Some((PEER, PEER_ADDR)));
    assert_eq!(nbr_state(&i), Some(NeighborState::ExStart));
}

#[test]
fn rfc2328_10_5_broadcast_mask_mismatch_dropped() {
    let now = Instant::from_secs(1);
    let mut i = lan_instance(now, 1);
    let h = packet(
        PEER,
        AREA0,
        BodyRepr::Hello(hello_body(
            Ipv4Addr::new(255, 255, 0, 0),
            &[],
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            1,
        )),
    );
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, &h);
    assert_eq!(nbr_state(&i), None);
    assert_eq!(i.counters(1).unwrap().dropped(DropReason::HelloMismatch), 1);
}

#[test]
fn rfc2328_13_new_lsa_installed_and_delayed_ack_sent() {
    let (mut i, now) = full_as_slave();
    let lsa = external_lsa(Ipv4Addr::new(192, 0, 2, 0), PEER, 0x8000_0001, 1);
    let d = feed(&mut i, now, &ls_update(PEER, &[&lsa]));
    let key = LsaKey::new(LsaType::AsExternal, Ipv4Addr::new(192, 0, 2, 0), PEER);
    assert!(i.lsa(Scope::As, &key).is_some());
    assert!(d.of_type(5).is_empty(), "the ack is delayed");
    let (_, d) = run_until(&mut i, now, now + secs(1));
    assert_eq!(d.of_type(5).len(), 1);
    // The same instance again (not on a retransmission list): a direct ack at once.
    let d = feed(&mut i, now + secs(2), &ls_update(PEER, &[&lsa]));
    assert_eq!(d.of_type(5).len(), 1);
}

#[test]
fn rfc2328_13_older_instance_answered_with_ours() {
    let (mut i, now) = full_as_slave();
    let p = Ipv4Addr::new(192, 0, 2, 0);
    feed(
        &mut i,
        now,
        &ls_update(PEER, &[&external_lsa(p, PEER, 0x8000_0005, 1)]),
    );
    let d = feed(
        &mut i,
        now + secs(3),
        &ls_update(PEER, &[&external_lsa(p, PEER, 0x8000_0002, 1)]),
    );
    let lsus = d.of_type(4);
    assert_eq!(lsus.len(), 1, "our newer copy goes back");
    assert_eq!(&lsus[0][40..44], &0x8000_0005u32.to_be_bytes());
}

#[test]
fn rfc2328_13_cve_2017_3224_max_sequence_number_dropped() {
    let (mut i, now) = full_as_slave();
    let p = Ipv4Addr::new(192, 0, 2, 0);
    feed(
        &mut i,
        now,
        &ls_update(PEER, &[&external_lsa(p, PEER, 0x7FFF_FFFF, 1)]),
    );
    let key = LsaKey::new(LsaType::AsExternal, p, PEER);
    assert!(i.lsa(Scope::As, &key).is_none());
    assert_eq!(i.counters(1).unwrap().dropped(DropReason::BadLsa), 1);
}

#[test]
fn rfc2328_13_bad_lsa_checksum_dropped() {
    let (mut i, now) = full_as_slave();
    let mut lsa = external_lsa(Ipv4Addr::new(192, 0, 2, 0), PEER, 0x8000_0001, 1);
    lsa[30] = 0x12; // (0x00 -> 0xFF would be invisible to a mod-255 checksum)
    let before: Vec<_> = i.lsdb(now).map(|l| l.key).collect();
    feed(&mut i, now, &ls_update(PEER, &[&lsa]));
    let after: Vec<_> = i.lsdb(now).map(|l| l.key).collect();
    assert_eq!(before, after, "nothing installed");
    assert_eq!(i.lsdb_len(), after.len());
    assert_eq!(i.counters(1).unwrap().dropped(DropReason::BadLsa), 1);
}

#[test]
fn rfc2328_13_4_own_lsa_from_before_restart_is_taken_over() {
    let (mut i, now) = full_as_slave();
    let key = LsaKey::new(LsaType::Router, ME, ME);
    let area = Scope::Area(AREA0);
    let ours = i.lsa(area, &key).unwrap().raw().to_vec();
    // A stale copy of our Router-LSA with a higher sequence number comes back.
    let mut stale = ours.clone();
    stale[12..16].copy_from_slice(&0x8000_0100u32.to_be_bytes());
    stale[16] = 0;
    stale[17] = 0;
    let ck = ospf_core::lsdb::lsa_checksum(&stale).unwrap();
    stale[16..18].copy_from_slice(&ck.to_be_bytes());
    let d = feed(&mut i, now, &ls_update(PEER, &[&stale]));
    let seq = i.lsa(area, &key).unwrap().seq();
    assert_eq!(seq, 0x8000_0101);
    // ...and flooded back to the neighbor.
    assert!(
        d.of_type(4)
            .iter()
            .any(|p| p[40..44] == 0x8000_0101u32.to_be_bytes())
    );
}

#[test]
fn rfc2328_13_4_own_lsa_no_longer_wanted_is_flushed() {
    let (mut i, now) = full_as_slave();
    let p = Ipv4Addr::new(203, 0, 113, 0);
    // An AS-External LSA of ours we no longer redistribute.
    let lsa = external_lsa(p, ME, 0x8000_0010, 5);
    let d = feed(&mut i, now, &ls_update(PEER, &[&lsa]));
    let key = LsaKey::new(LsaType::AsExternal, p, ME);
    let e = i.lsa(Scope::As, &key).unwrap();
    assert!(e.is_max_age(now));
    // The flush (age 3600) is flooded.
    assert!(
        d.of_type(4)
            .iter()
            .any(|p| p[28..30] == 3600u16.to_be_bytes())
    );
}

#[test]
fn rfc2328_12_4_1_loopback_is_a_host_stub_of_cost_0() {
    let now = Instant::from_secs(1);
    let mut i = Instance::new(InstanceConfig::new(ME), now);
    i.add_interface(
        now,
        9,
        InterfaceConfig::new(Ipv4Addr::new(172, 16, 0, 1), 32)
            .if_type(InterfaceType::Loopback)
            .cost(50),
    )
    .unwrap();
    let d = drain(&mut i, now);
    assert!(d.sent.is_empty(), "no packets on a loopback");
    assert_eq!(i.interface(9).unwrap().state, InterfaceState::Loopback);
    let raw = i
        .lsa(Scope::Area(AREA0), &LsaKey::new(LsaType::Router, ME, ME))
        .unwrap()
        .raw();
    assert_eq!(u16::from_be_bytes([raw[22], raw[23]]), 1);
    assert_eq!(&raw[24..28], &[172, 16, 0, 1]);
    assert_eq!(&raw[28..32], &[255, 255, 255, 255]);
    assert_eq!(raw[32], 3);
    assert_eq!(&raw[34..36], &[0, 0]);
}

#[test]
fn rfc2328_12_4_min_ls_interval_defers_reorigination() {
    let (mut i, now) = full_as_slave();
    let key = LsaKey::new(LsaType::Router, ME, ME);
    let area = Scope::Area(AREA0);
    let seq0 = i.lsa(area, &key).unwrap().seq();
    i.set_interface_cost(now, 1, 77).unwrap();
    drain(&mut i, now);
    // Originated moments ago (at Full): deferred.
    assert_eq!(i.lsa(area, &key).unwrap().seq(), seq0);
    run_until(&mut i, now, now + secs(6));
    assert_eq!(i.lsa(area, &key).unwrap().seq(), seq0 + 1);
}

#[test]
fn rfc2328_9_passive_interface_announces_its_network_silently() {
    let now = Instant::from_secs(1);
    let mut i = Instance::new(InstanceConfig::new(ME), now);
    i.add_interface(
        now,
        1,
        InterfaceConfig::new(Ipv4Addr::new(192, 168, 7, 1), 24)
            .passive(true)
            .cost(5),
    )
    .unwrap();
    let (_, d) = run_until(&mut i, now, now + secs(30));
    assert!(d.sent.is_empty(), "no packets on a passive interface");
    i.handle_packet(now + secs(30), 1, PEER_ADDR, ALL_SPF, &hello(PEER, &[]));
    assert_eq!(
        i.counters(1)
            .unwrap()
            .dropped(DropReason::InterfaceInactive),
        1
    );
    let raw = i
        .lsa(Scope::Area(AREA0), &LsaKey::new(LsaType::Router, ME, ME))
        .unwrap()
        .raw();
    assert_eq!(u16::from_be_bytes([raw[22], raw[23]]), 1);
    assert_eq!(
        &raw[24..36],
        &[192, 168, 7, 0, 255, 255, 255, 0, 3, 0, 0, 5]
    );
}
