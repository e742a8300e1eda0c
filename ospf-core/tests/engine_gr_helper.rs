//! Graceful restart helper mode (RFC 3623 §3), each entry condition and each exit, with
//! one instance and a hand-driven neighbor (PEER) that restarts.

mod engine_util;

use core::net::Ipv4Addr;
use engine_util::*;
use ospf_core::config::{GrHelperConfig, InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::{
    Event, ExternalRoute, GrHelperChange, HelperExitReason, HelperRejectReason, Instance,
};
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::NeighborState;
use ospf_core::time::Instant;
use ospf_core::wire::{
    BodyRepr, DdFlags, GraceLsa, LinkType, LsaBody, LsaHeader, LsaRepr, LsaType, OpaqueLsa,
    Options, RestartReason,
};

/// PEER's Grace-LSA (opaque ID 0) with this sequence number, age and TLVs.
fn grace_lsa(seq: u32, age: u16, period: u32, reason: u8, addr: Option<Ipv4Addr>) -> Vec<u8> {
    let g = GraceLsa {
        grace_period: Some(period),
        reason: Some(RestartReason::from(reason)),
        interface_address: addr,
    };
    let mut body = vec![0u8; g.buffer_len()];
    g.emit(&mut body).unwrap();
    let repr = LsaRepr {
        header: LsaHeader {
            age,
            options: Options::E | Options::O,
            lsa_type: LsaType::OpaqueLink,
            lsid: GraceLsa::lsid(0),
            adv_router: PEER,
            seq,
            checksum: 0,
            length: 0,
        },
        body: LsaBody::Opaque(OpaqueLsa::parse(GraceLsa::lsid(0), &body)),
    };
    let mut out = vec![0u8; repr.buffer_len()];
    repr.emit(&mut out).unwrap();
    out
}

fn dd_o(rid: Ipv4Addr, flags: DdFlags, seq: u32) -> Vec<u8> {
    dd_with(rid, flags, seq, &[])
}

/// A DD from `rid` (opaque-capable) describing `headers`, with sequence number `seq`.
fn dd_with(rid: Ipv4Addr, flags: DdFlags, seq: u32, headers: &[LsaHeader]) -> Vec<u8> {
    packet(
        rid,
        AREA0,
        BodyRepr::DbDesc(ospf_core::wire::DbDescRepr {
            mtu: 1500,
            options: Options::E | Options::O,
            flags,
            seq,
            lsa_headers: ospf_core::wire::List::Slice(headers),
        }),
    )
}

/// A point-to-point instance with these helper settings, Full with PEER (master, empty
/// database, opaque-capable).
fn helper(cfg: GrHelperConfig) -> (Instance, Instant) {
    let (mut i, now) = p2p_instance(cfg);
    bring_full(&mut i, now, 1000);
    // Past MinLSInterval: our Router-LSA lists PEER; PEER acknowledges it.
    let (now, _) = run_until(&mut i, now, now + secs(6));
    assert_eq!(p2p_links_to_peer(&i), 1);
    ack_ours(&mut i, now);
    (i, now)
}

/// A point-to-point instance with these helper settings, its interface up, PEER not
/// heard yet.
fn p2p_instance(cfg: GrHelperConfig) -> (Instance, Instant) {
    let now = Instant::from_secs(1);
    let mut i = Instance::new(InstanceConfig::new(ME).gr_helper(cfg), now);
    i.add_interface(
        now,
        1,
        InterfaceConfig::new(MY_ADDR, 30).if_type(InterfaceType::PointToPoint),
    )
    .unwrap();
    i.handle_timeout(now);
    drain(&mut i, now);
    (i, now)
}

/// PEER acknowledges every LSA of ours: its retransmission list empties.
fn ack_ours(i: &mut Instance, now: Instant) {
    let headers: Vec<LsaHeader> = i
        .lsdb(now)
        .filter(|l| l.self_originated)
        .map(|l| l.header)
        .collect();
    feed(
        i,
        now,
        &packet(
            PEER,
            AREA0,
            BodyRepr::LsAck(ospf_core::wire::LsAckRepr {
                lsa_headers: ospf_core::wire::List::Slice(&headers),
            }),
        ),
    );
    assert_eq!(i.neighbors().next().unwrap().ls_retransmit_count, 0);
}

/// PEER (master) takes the adjacency to Full with empty DDs starting at `seq`.
fn bring_full(i: &mut Instance, now: Instant, seq: u32) {
    feed(i, now, &hello(PEER, &[ME]));
    feed(
        i,
        now,
        &dd_o(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, seq),
    );
    feed(i, now, &dd_o(PEER, DdFlags::MS, seq + 1));
    assert_eq!(state(i), Some(NeighborState::Full));
}

fn state(i: &Instance) -> Option<NeighborState> {
    i.neighbors().find(|n| n.router_id == PEER).map(|n| n.state)
}

fn helping(i: &Instance) -> bool {
    i.neighbors()
        .find(|n| n.router_id == PEER)
        .is_some_and(|n| n.gr_helper.is_some())
}

fn gr_events(d: &Drained) -> Vec<GrHelperChange> {
    d.events
        .iter()
        .filter_map(|e| match e {
            Event::GrHelper {
                router_id, change, ..
            } if *router_id == PEER => Some(*change),
            _ => None,
        })
        .collect()
}

/// The point-to-point links (type 1) to PEER in our Router-LSA.
fn p2p_links_to_peer(i: &Instance) -> usize {
    let key = LsaKey::new(LsaType::Router, ME, ME);
    let Some(e) = i.lsa(Scope::Area(AREA0), &key) else {
        return 0;
    };
    let repr = LsaRepr::decode(e.raw()).unwrap();
    let LsaBody::Router(r) = repr.body else {
        panic!("not a Router-LSA")
    };
    r.links
        .iter()
        .filter(|l| l.link_type == LinkType::PointToPoint && l.id == PEER)
        .count()
}

/// PEER sends its Grace-LSA: we enter helper mode with the expected period.
fn enter(i: &mut Instance, now: Instant, period: u32) {
    let d = feed(
        i,
        now,
        &ls_update(PEER, &[&grace_lsa(0x8000_0001, 1, period, 1, None)]),
    );
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Entered {
            grace_period: period,
            reason: RestartReason::SoftwareRestart
        }]
    );
    assert!(helping(i));
}

#[test]
fn rfc3623_3_1_grace_lsa_from_a_full_neighbor_enters_helper_mode() {
    let (mut i, now) = helper(GrHelperConfig::default().enabled(true));
    enter(&mut i, now + secs(1), 120);
    let n = i.neighbors().next().unwrap();
    let h = n.gr_helper.unwrap();
    assert_eq!(h.grace_period, 120);
    // The LSA was 1 s old on arrival: 119 s remain.
    assert_eq!(h.grace_until, now + secs(1) + secs(119));
    assert_eq!(h.reason, RestartReason::SoftwareRestart);
}

#[test]
fn rfc3623_3_1_helping_is_off_by_default_and_can_be_enabled_per_router() {
    let (mut i, now) = helper(GrHelperConfig::default());
    let d = feed(
        &mut i,
        now,
        &ls_update(PEER, &[&grace_lsa(0x8000_0001, 0, 60, 1, None)]),
    );
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Rejected(HelperRejectReason::Disabled)]
    );
    assert!(!helping(&i));

    let other = Ipv4Addr::new(9, 9, 9, 9);
    let (mut i, now) = helper(GrHelperConfig::default().enable_router(other));
    let d = feed(
        &mut i,
        now,
        &ls_update(PEER, &[&grace_lsa(0x8000_0001, 0, 60, 1, None)]),
    );
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Rejected(HelperRejectReason::Disabled)]
    );

    let (mut i, now) = helper(GrHelperConfig::default().enable_router(PEER));
    enter(&mut i, now, 60);
}

#[test]
fn rfc3623_3_1_planned_only_refuses_an_unknown_reason() {
    let (mut i, now) = helper(GrHelperConfig::default().enabled(true).planned_only(true));
    let d = feed(
        &mut i,
        now,
        &ls_update(PEER, &[&grace_lsa(0x8000_0001, 0, 60, 0, None)]),
    );
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Rejected(HelperRejectReason::PlannedOnly)]
    );
    // A new instance with a planned reason (2: upgrade) is helped.
    let d = feed(
        &mut i,
        now + secs(2),
        &ls_update(PEER, &[&grace_lsa(0x8000_0002, 0, 60, 2, None)]),
    );
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Entered {
            grace_period: 60,
            reason: RestartReason::SoftwareUpgrade
        }]
    );
}

#[test]
fn rfc3623_3_1_grace_period_capped_by_supported_grace_time_and_age() {
    let (mut i, now) = helper(
        GrHelperConfig::default()
            .enabled(true)
            .supported_grace_time(30),
    );
    let d = feed(
        &mut i,
        now,
        &ls_update(PEER, &[&grace_lsa(0x8000_0001, 5, 600, 1, None)]),
    );
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Entered {
            grace_period: 30,
            reason: RestartReason::SoftwareRestart
        }]
    );
    assert_eq!(
        i.neighbors().next().unwrap().gr_helper.unwrap().grace_until,
        now + secs(25)
    );
    // §3.1 item 3: an LSA older than its grace period is refused.
    let (mut i, now) = helper(GrHelperConfig::default().enabled(true));
    let d = feed(
        &mut i,
        now,
        &ls_update(PEER, &[&grace_lsa(0x8000_0001, 60, 60, 1, None)]),
    );
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Rejected(
            HelperRejectReason::GracePeriodExpired
        )]
    );
}

#[test]
fn rfc3623_3_1_a_neighbor_short_of_full_is_not_helped() {
    let now = Instant::from_secs(1);
    let mut i = Instance::new(
        InstanceConfig::new(ME).gr_helper(GrHelperConfig::default().enabled(true)),
        now,
    );
    i.add_interface(
        now,
        1,
        InterfaceConfig::new(MY_ADDR, 30).if_type(InterfaceType::PointToPoint),
    )
    .unwrap();
    drain(&mut i, now);
    feed(&mut i, now, &hello(PEER, &[ME]));
    feed(
        &mut i,
        now,
        &dd_o(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, 7),
    );
    assert_eq!(state(&i), Some(NeighborState::Exchange));
    let d = feed(
        &mut i,
        now,
        &ls_update(PEER, &[&grace_lsa(0x8000_0001, 0, 60, 1, None)]),
    );
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Rejected(HelperRejectReason::NotFull)]
    );
}

#[test]
fn rfc3623_3_1_changed_lsa_awaiting_acknowledgment_refuses_under_strict_checking() {
    for strict in [true, false] {
        let (mut i, now) = helper(
            GrHelperConfig::default()
                .enabled(true)
                .strict_lsa_checking(strict),
        );
        // A new AS-External LSA of ours is flooded to PEER, which does not acknowledge.
        i.redistribute(now, ExternalRoute::new(Ipv4Addr::new(198, 51, 100, 0), 24));
        drain(&mut i, now);
        assert!(i.neighbors().next().unwrap().ls_retransmit_count > 0);
        let d = feed(
            &mut i,
            now,
            &ls_update(PEER, &[&grace_lsa(0x8000_0001, 0, 60, 1, None)]),
        );
        let want = if strict {
            GrHelperChange::Rejected(HelperRejectReason::TopologyChange)
        } else {
            GrHelperChange::Entered {
                grace_period: 60,
                reason: RestartReason::SoftwareRestart,
            }
        };
        assert_eq!(gr_events(&d), vec![want], "strict {strict}");
    }
}

/// §3: the restarting neighbor is silent for longer than its dead interval (40 s) and
/// stays Full, listed in our Router-LSA; the grace period (60 s) ends help, and the dead
/// interval then takes it down.
#[test]
fn rfc3623_3_2_grace_period_expiry_ends_help_and_the_silent_neighbor_goes_down() {
    let (mut i, now) = helper(GrHelperConfig::default().enabled(true));
    enter(&mut i, now, 60);
    assert_eq!(p2p_links_to_peer(&i), 1);
    // The Grace-LSA was 1 s old: help ends 59 s after it arrived.
    let (t, d) = run_until(&mut i, now, now + secs(58));
    assert_eq!(
        state(&i),
        Some(NeighborState::Full),
        "kept past the dead interval"
    );
    assert_eq!(p2p_links_to_peer(&i), 1, "still announced");
    assert!(gr_events(&d).is_empty(), "{:?}", d.events);
    let (t, d) = run_until(&mut i, t, now + secs(61));
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Exited(HelperExitReason::GraceTimeout)]
    );
    assert!(!helping(&i));
    let (_, d) = run_until(&mut i, t, now + secs(61 + 40));
    assert!(
        d.events.iter().any(|e| matches!(
            e,
            Event::NeighborState {
                new: NeighborState::Down,
                ..
            }
        )),
        "the dead neighbor is removed within a dead interval of the exit"
    );
    assert_eq!(state(&i), None);
    assert_eq!(
        p2p_links_to_peer(&i),
        0,
        "and withdrawn from our Router-LSA"
    );
}

#[test]
fn rfc3623_3_2_flushed_grace_lsa_completes_the_restart() {
    let (mut i, now) = helper(GrHelperConfig::default().enabled(true));
    enter(&mut i, now, 60);
    let t = now + secs(5);
    let d = feed(
        &mut i,
        t,
        &ls_update(PEER, &[&grace_lsa(0x8000_0002, 3600, 60, 1, None)]),
    );
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Exited(HelperExitReason::Completed)]
    );
    assert_eq!(state(&i), Some(NeighborState::Full));
    assert_eq!(p2p_links_to_peer(&i), 1);
}

/// The restarted neighbor comes back: its first Hellos do not list us (ignored: it stays
/// Full), then it resynchronises (ExStart .. Full, still announced throughout), and Full
/// again ends help.
#[test]
fn rfc3623_3_2_full_again_after_resynchronising_completes_the_restart() {
    let (mut i, now) = helper(GrHelperConfig::default().enabled(true));
    enter(&mut i, now, 120);
    let t = now + secs(50);
    run_until(&mut i, now, t);
    let d = feed(&mut i, t, &hello(PEER, &[]));
    assert_eq!(state(&i), Some(NeighborState::Full), "1-Way ignored");
    assert!(gr_events(&d).is_empty());
    feed(&mut i, t, &hello(PEER, &[ME]));
    let d = feed(
        &mut i,
        t,
        &dd_o(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, 5000),
    );
    assert!(gr_events(&d).is_empty());
    assert!(state(&i) < Some(NeighborState::Full), "resynchronising");
    assert!(helping(&i));
    assert_eq!(p2p_links_to_peer(&i), 1, "announced while resynchronising");
    feed(
        &mut i,
        t,
        &dd_o(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, 5000),
    );
    let d = feed(&mut i, t, &dd_o(PEER, DdFlags::MS, 5001));
    assert_eq!(state(&i), Some(NeighborState::Full));
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Exited(HelperExitReason::Completed)]
    );
    assert_eq!(p2p_links_to_peer(&i), 1);
}

#[test]
fn rfc3623_3_2_topology_change_ends_help_only_under_strict_checking() {
    for strict in [true, false] {
        let (mut i, now) = helper(
            GrHelperConfig::default()
                .enabled(true)
                .strict_lsa_checking(strict),
        );
        enter(&mut i, now, 60);
        // A change that would be flooded to PEER: a new AS-External LSA of ours.
        let t = now + secs(1);
        i.redistribute(t, ExternalRoute::new(Ipv4Addr::new(198, 51, 100, 0), 24));
        let d = drain(&mut i, t);
        if strict {
            assert_eq!(
                gr_events(&d),
                vec![GrHelperChange::Exited(HelperExitReason::TopologyChange)]
            );
        } else {
            assert!(gr_events(&d).is_empty());
            assert!(helping(&i));
        }
    }
}

#[test]
fn rfc3623_3_2_switching_helping_off_lets_the_neighbor_go() {
    let (mut i, now) = helper(GrHelperConfig::default().enabled(true));
    enter(&mut i, now, 60);
    i.set_gr_helper(now, GrHelperConfig::default().enable_router(PEER));
    assert!(helping(&i), "still allowed for PEER");
    i.set_gr_helper(now, GrHelperConfig::default());
    let d = drain(&mut i, now);
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Exited(HelperExitReason::Disabled)]
    );
}

/// A broadcast network where PEER is the DR: its Grace-LSA names it by its interface
/// address; while we help, the DR it was stays DR though its Hellos declare none, and
/// our Router-LSA keeps the transit link; the election runs again once help ends.
#[test]
fn rfc3623_3_broadcast_dr_kept_while_helping() {
    let now = Instant::from_secs(1);
    let mut i = Instance::new(
        InstanceConfig::new(ME).gr_helper(GrHelperConfig::default().enabled(true)),
        now,
    );
    i.add_interface(now, 1, InterfaceConfig::new(MY_ADDR, 24).priority(1))
        .unwrap();
    i.handle_timeout(now);
    drain(&mut i, now);
    let mask = Ipv4Addr::new(255, 255, 255, 0);
    let lan_hello = |nbrs: &[Ipv4Addr], dr: Ipv4Addr, bdr: Ipv4Addr| {
        packet(
            PEER,
            AREA0,
            BodyRepr::Hello(ospf_core::wire::HelloRepr {
                options: Options::E | Options::O,
                ..hello_body(mask, nbrs, dr, bdr, 2)
            }),
        )
    };
    feed(
        &mut i,
        now,
        &lan_hello(&[ME], PEER_ADDR, Ipv4Addr::UNSPECIFIED),
    );
    feed(&mut i, now, &lan_hello(&[ME], PEER_ADDR, MY_ADDR));
    feed(
        &mut i,
        now,
        &dd_o(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, 40),
    );
    feed(&mut i, now, &dd_o(PEER, DdFlags::MS, 41));
    assert_eq!(state(&i), Some(NeighborState::Full));
    assert_eq!(i.interface(1).unwrap().dr.map(|d| d.1), Some(PEER_ADDR));
    // Past MinLSInterval, with PEER's Hellos (dead interval 40 s).
    let (now, _) = run_until(&mut i, now, now + secs(6));
    feed(&mut i, now, &lan_hello(&[ME], PEER_ADDR, MY_ADDR));
    ack_ours(&mut i, now);
    let transit = |i: &Instance| {
        let e = i
            .lsa(Scope::Area(AREA0), &LsaKey::new(LsaType::Router, ME, ME))
            .unwrap();
        let repr = LsaRepr::decode(e.raw()).unwrap();
        let LsaBody::Router(r) = repr.body else {
            panic!()
        };
        r.links
            .iter()
            .any(|l| l.link_type == LinkType::Transit && l.id == PEER_ADDR)
    };
    assert!(transit(&i));
    let t = now + secs(1);
    let d = feed(
        &mut i,
        t,
        &ls_update(PEER, &[&grace_lsa(0x8000_0001, 0, 90, 1, Some(PEER_ADDR))]),
    );
    assert_eq!(gr_events(&d).len(), 1);
    assert!(helping(&i));
    // Restarted: its Hellos list nobody and declare no DR.
    let t = t + secs(30);
    run_until(&mut i, t - secs(30), t);
    feed(
        &mut i,
        t,
        &lan_hello(&[], Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED),
    );
    assert_eq!(state(&i), Some(NeighborState::Full));
    assert_eq!(i.interface(1).unwrap().dr.map(|d| d.1), Some(PEER_ADDR));
    assert!(transit(&i), "transit link kept while helping");
    // Past the grace period, help ends; its next Hello (not listing us) is taken.
    let (t, d) = run_until(&mut i, t, now + secs(95));
    assert_eq!(
        gr_events(&d),
        vec![GrHelperChange::Exited(HelperExitReason::GraceTimeout)]
    );
    feed(
        &mut i,
        t,
        &lan_hello(&[], Ipv4Addr::UNSPECIFIED, Ipv4Addr::UNSPECIFIED),
    );
    assert_eq!(state(&i), Some(NeighborState::Init));
    assert_eq!(
        i.interface(1).unwrap().dr.map(|d| d.1),
        Some(MY_ADDR),
        "elected anew"
    );
}

/// RFC 3623 §2.1, the restarting side's first step: a Grace-LSA on the interface with
/// the grace period, the reason and our address, flooded to the neighbor; ready once the
/// neighbor acknowledged it.
#[test]
fn rfc3623_2_1_prepare_floods_a_grace_lsa_and_reports_when_acknowledged() {
    let (mut i, now) = helper(GrHelperConfig::default());
    assert!(
        i.graceful_restart_prepare(now, 0, RestartReason::SoftwareRestart)
            .is_err()
    );
    assert!(
        i.graceful_restart_prepare(now, 1801, RestartReason::SoftwareRestart)
            .is_err()
    );
    i.graceful_restart_prepare(now, 120, RestartReason::SoftwareRestart)
        .unwrap();
    let d = drain(&mut i, now);
    let mut graces = Vec::new();
    for (t, b) in &d.sent {
        if let BodyRepr::LsUpdate(u) = parse(b).body {
            for raw in u.lsas.slices() {
                let repr = LsaRepr::decode(raw).unwrap();
                if let LsaBody::Opaque(o) = repr.body {
                    graces.push((t.ifindex, repr.header, GraceLsa::parse(&o).unwrap()));
                }
            }
        }
    }
    assert_eq!(graces.len(), 1, "{graces:?}");
    let (ifindex, h, g) = graces[0];
    assert_eq!(ifindex, 1);
    assert_eq!(
        (h.lsa_type, h.lsid, h.adv_router),
        (LsaType::OpaqueLink, GraceLsa::lsid(0), ME)
    );
    assert_eq!(
        g,
        GraceLsa {
            grace_period: Some(120),
            reason: Some(RestartReason::SoftwareRestart),
            interface_address: Some(MY_ADDR),
        }
    );
    assert!(!d.events.contains(&Event::GracefulRestartReady));
    assert!(!i.is_graceful_restart_ready());
    let d = feed(
        &mut i,
        now,
        &packet(
            PEER,
            AREA0,
            BodyRepr::LsAck(ospf_core::wire::LsAckRepr {
                lsa_headers: ospf_core::wire::List::Slice(&[h]),
            }),
        ),
    );
    assert_eq!(
        d.events
            .iter()
            .filter(|e| **e == Event::GracefulRestartReady)
            .count(),
        1
    );
    assert!(i.is_graceful_restart_ready());
    // Our own Grace-LSA never makes us a helper of ourselves, nor is it refreshed away.
    let (_, d) = run_until(&mut i, now, now + secs(30));
    assert!(gr_events(&d).is_empty());
    let key = LsaKey::new(LsaType::OpaqueLink, GraceLsa::lsid(0), ME);
    assert!(
        i.lsa(Scope::Link(1), &key)
            .is_some_and(|e| e.age(now + secs(30)) < 3600)
    );
}

/// An LSA flooded to a neighbor still exchanging databases goes on its retransmission
/// list; the neighbor's DD then describes that very instance (it had it already). The
/// description acknowledges it: nothing is left to retransmit, so a Grace-LSA right
/// after Full is helped under strict LSA checking (on a LAN, a BDR floods to the DR what
/// the DR already has and never floods back; the entry used to wait a RxmtInterval and
/// the restart then went without this helper). A description of an older instance
/// acknowledges nothing.
#[test]
fn rfc3623_3_1_an_instance_the_neighbor_describes_is_not_awaiting_acknowledgment() {
    for older in [false, true] {
        let (mut i, now) = p2p_instance(GrHelperConfig::default().enabled(true));
        feed(&mut i, now, &hello(PEER, &[ME]));
        feed(
            &mut i,
            now,
            &dd_o(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, 1000),
        );
        assert_eq!(state(&i), Some(NeighborState::Exchange));
        // Flooded to PEER during the exchange: awaiting its acknowledgment.
        i.redistribute(now, ExternalRoute::new(Ipv4Addr::new(198, 51, 100, 0), 24));
        drain(&mut i, now);
        let ext = i
            .lsdb(now)
            .find(|l| l.self_originated && l.header.lsa_type == LsaType::AsExternal)
            .map(|l| l.header)
            .expect("our AS-External LSA");
        assert_eq!(i.neighbors().next().unwrap().ls_retransmit_count, 1);
        let mut described = ext;
        if older {
            described.seq -= 1;
        }
        feed(&mut i, now, &dd_with(PEER, DdFlags::MS, 1001, &[described]));
        assert_eq!(state(&i), Some(NeighborState::Full));
        let left = i.neighbors().next().unwrap().ls_retransmit_count;
        let d = feed(
            &mut i,
            now,
            &ls_update(PEER, &[&grace_lsa(0x8000_0001, 0, 60, 1, None)]),
        );
        if older {
            assert_eq!(left, 1, "an older instance described acknowledges nothing");
            assert_eq!(
                gr_events(&d),
                vec![GrHelperChange::Rejected(HelperRejectReason::TopologyChange)]
            );
        } else {
            assert_eq!(left, 0, "the instance described is acknowledged");
            assert_eq!(
                gr_events(&d),
                vec![GrHelperChange::Entered {
                    grace_period: 60,
                    reason: RestartReason::SoftwareRestart
                }]
            );
        }
    }
}
