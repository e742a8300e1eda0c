//! What the LSDB limits do beyond refusing the excess (issue 14): Cisco's `max-lsa ...
//! ignore-time M ignore-count C reset-time R` applied to the offending neighbor, and
//! RFC 1765's OverflowState for non-default AS-external LSAs.

mod engine_util;

use core::net::Ipv4Addr;
use engine_util::*;
use ospf_core::config::{IgnorePolicy, InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::{DropReason, Event, ExternalRoute, Instance};
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::NeighborState;
use ospf_core::time::Instant;
use ospf_core::wire::{BodyRepr, DdFlags};

fn peer_state(i: &Instance) -> Option<NeighborState> {
    i.neighbors().find(|n| n.router_id == PEER).map(|n| n.state)
}

/// A started instance with one point-to-point interface, Full with PEER (master, empty
/// database) at `now`.
fn full_with(cfg: InstanceConfig, now: Instant) -> Instance {
    let mut i = p2p_instance_with(cfg, now);
    i.handle_timeout(now);
    drain(&mut i, now);
    adjacency(&mut i, now, 1000);
    i
}

/// PEER says Hello (listing us) and exchanges an empty database: Full.
fn adjacency(i: &mut Instance, now: Instant, seq: u32) -> Drained {
    let mut d = feed(i, now, &hello(PEER, &[ME]));
    let flags = DdFlags::I | DdFlags::M | DdFlags::MS;
    d.events
        .extend(feed(i, now, &dd(PEER, flags, seq, &[])).events);
    d.events
        .extend(feed(i, now, &dd(PEER, DdFlags::MS, seq + 1, &[])).events);
    assert_eq!(peer_state(i), Some(NeighborState::Full));
    d
}

fn ignored_events(d: &Drained) -> Vec<(Ipv4Addr, Instant, u32)> {
    d.events
        .iter()
        .filter_map(|e| match e {
            Event::NeighborIgnored {
                router_id,
                until,
                count,
                ..
            } => Some((*router_id, *until, *count)),
            _ => None,
        })
        .collect()
}

fn policy() -> IgnorePolicy {
    IgnorePolicy::new(secs(60))
        .ignore_count(2)
        .reset_time(secs(600))
}

#[test]
fn max_lsa_ignore_time_takes_the_offending_neighbor_down_and_ignores_it() {
    let now = Instant::from_secs(1);
    let cfg = InstanceConfig::new(ME)
        .max_lsas(Some(50))
        .lsa_limit_ignore(Some(policy()));
    let mut i = full_with(cfg, now);
    let d = storm(&mut i, now, 0, 100);
    // The LSDB keeps what fitted; the neighbor that pushed beyond it is gone.
    assert_eq!(i.lsdb_len(), 50);
    assert_eq!(peer_state(&i), None);
    assert_eq!(ignored_events(&d), vec![(PEER, now + secs(60), 1)]);
    // The refusal stopped the update: one LSA refused, the rest not even looked at;
    // the storm's second update was dropped whole.
    assert_eq!(dropped(&i, DropReason::LsdbFull), 1);
    assert_eq!(dropped(&i, DropReason::NeighborIgnored), 1);
    let st = i.limit_state(now);
    assert_eq!(st.ignored.len(), 1);
    assert_eq!(
        (st.ignored[0].router_id, st.ignored[0].until),
        (PEER, now + secs(60))
    );
    // Its Hellos are dropped for the ignore time.
    let t = now + secs(30);
    feed(&mut i, t, &hello(PEER, &[ME]));
    assert_eq!(peer_state(&i), None);
    assert_eq!(dropped(&i, DropReason::NeighborIgnored), 2);
    // The ignore period ends on the caller's clock.
    let (t, d) = run_until(&mut i, t, now + secs(60));
    assert!(
        d.events
            .contains(&Event::NeighborIgnoreEnded { router_id: PEER })
    );
    assert!(i.limit_state(t).ignored.is_empty());
    adjacency(&mut i, t, 2000);
    assert_eq!(i.lsdb_len(), 50, "nothing was removed meanwhile");
}

#[test]
fn max_lsa_ignore_count_used_up_means_out_for_reset_time_until_it_behaves() {
    let mut now = Instant::from_secs(1);
    let cfg = InstanceConfig::new(ME)
        .max_lsas(Some(50))
        .lsa_limit_ignore(Some(policy()));
    let mut i = full_with(cfg, now);
    let mut periods = Vec::new();
    for round in 0..4u32 {
        let d = storm(&mut i, now, 1000 * round, 100);
        let ev = ignored_events(&d);
        assert_eq!(ev.len(), 1, "round {round}");
        periods.push(((ev[0].1 - now).as_secs(), ev[0].2));
        now = run_until(&mut i, now, ev[0].1).0;
        adjacency(&mut i, now, 3000 + 10 * round);
    }
    // Two ignore periods of 60 s (ignore-count 2), then the reset time each time.
    assert_eq!(periods, vec![(60, 1), (60, 2), (600, 3), (600, 4)]);
    // A neighbor that behaves for the reset time after its last period starts afresh.
    // PEER keeps saying Hello every 10 s for 610 s.
    let until = now + secs(610);
    while now < until {
        let next = now + secs(10);
        run_until(&mut i, now, next);
        now = next;
        feed(&mut i, now, &hello(PEER, &[ME]));
    }
    assert_eq!(peer_state(&i), Some(NeighborState::Full));
    let d = storm(&mut i, now, 9000, 100);
    assert_eq!(ignored_events(&d), vec![(PEER, now + secs(60), 1)]);
}

#[test]
fn max_lsa_without_ignore_time_or_warning_only_keeps_the_neighbor() {
    let now = Instant::from_secs(1);
    let mut i = full_with(InstanceConfig::new(ME).max_lsas(Some(50)), now);
    let d = storm(&mut i, now, 0, 100);
    assert!(ignored_events(&d).is_empty());
    assert_eq!(peer_state(&i), Some(NeighborState::Full));
    assert_eq!(dropped(&i, DropReason::LsdbFull), 51);

    let cfg = InstanceConfig::new(ME)
        .max_lsas(Some(50))
        .lsa_limit_warning_only(true)
        .lsa_limit_ignore(Some(policy()));
    let mut i = full_with(cfg, now);
    let d = storm(&mut i, now, 0, 100);
    assert!(ignored_events(&d).is_empty());
    assert_eq!(peer_state(&i), Some(NeighborState::Full));
    assert_eq!(i.lsdb_len(), 101);
}

#[test]
fn max_lsa_ignore_time_spares_the_other_adjacencies() {
    // Two neighbors on a LAN; only the one that floods beyond the limit goes.
    let now = Instant::from_secs(1);
    let cfg = InstanceConfig::new(ME)
        .max_lsas(Some(50))
        .lsa_limit_ignore(Some(policy()));
    let mut i = Instance::new(cfg, now);
    i.add_interface(now, 1, InterfaceConfig::new(MY_ADDR, 24).priority(0))
        .unwrap();
    i.handle_timeout(now);
    drain(&mut i, now);
    let good = Ipv4Addr::new(3, 3, 3, 3);
    let good_addr = Ipv4Addr::new(10, 0, 0, 3);
    let all = [ME, PEER, good];
    let lan_hello = |rid: Ipv4Addr| {
        let prio = if rid == good { 10 } else { 1 };
        let mask = Ipv4Addr::new(255, 255, 255, 0);
        let h = hello_body(mask, &all, good_addr, Ipv4Addr::UNSPECIFIED, prio);
        packet(rid, AREA0, BodyRepr::Hello(h))
    };
    for (rid, addr) in [(good, good_addr), (PEER, PEER_ADDR)] {
        i.handle_packet(now, 1, addr, ALL_SPF, &lan_hello(rid));
        drain(&mut i, now);
    }
    // Both reach Full (each is the master of an empty exchange).
    for (rid, addr) in [(good, good_addr), (PEER, PEER_ADDR)] {
        let flags = DdFlags::I | DdFlags::M | DdFlags::MS;
        i.handle_packet(now, 1, addr, MY_ADDR, &dd(rid, flags, 500, &[]));
        drain(&mut i, now);
        i.handle_packet(now, 1, addr, MY_ADDR, &dd(rid, DdFlags::MS, 501, &[]));
        drain(&mut i, now);
    }
    let full = |i: &Instance| {
        let mut v: Vec<Ipv4Addr> = i
            .neighbors()
            .filter(|n| n.state == NeighborState::Full)
            .map(|n| n.router_id)
            .collect();
        v.sort();
        v
    };
    assert_eq!(full(&i), vec![PEER, good]);
    storm(&mut i, now, 0, 100);
    assert_eq!(full(&i), vec![good], "only the offender is taken down");
}

#[test]
fn max_lsa_ignore_time_takes_the_offender_down_on_every_interface() {
    // PEER is adjacent over two parallel point-to-point links (as a virtual-link endpoint
    // that is also a direct neighbor would be): flooding beyond the limit on one of them
    // takes both adjacencies down, since its packets are dropped everywhere meanwhile.
    let now = Instant::from_secs(1);
    let cfg = InstanceConfig::new(ME)
        .max_lsas(Some(50))
        .lsa_limit_ignore(Some(policy()));
    let mut i = full_with(cfg, now);
    let my2 = Ipv4Addr::new(10, 0, 1, 1);
    let peer2 = Ipv4Addr::new(10, 0, 1, 2);
    i.add_interface(
        now,
        2,
        InterfaceConfig::new(my2, 30).if_type(InterfaceType::PointToPoint),
    )
    .unwrap();
    drain(&mut i, now);
    i.handle_packet(now, 2, peer2, ALL_SPF, &hello(PEER, &[ME]));
    let flags = DdFlags::I | DdFlags::M | DdFlags::MS;
    i.handle_packet(now, 2, peer2, my2, &dd(PEER, flags, 2000, &[]));
    i.handle_packet(now, 2, peer2, my2, &dd(PEER, DdFlags::MS, 2001, &[]));
    drain(&mut i, now);
    let full_on = |i: &Instance| {
        let mut v: Vec<u32> = i
            .neighbors()
            .filter(|n| n.router_id == PEER && n.state == NeighborState::Full)
            .map(|n| n.ifindex)
            .collect();
        v.sort();
        v
    };
    assert_eq!(full_on(&i), vec![1, 2]);
    storm(&mut i, now, 0, 100);
    assert!(
        i.neighbors().all(|n| n.router_id != PEER),
        "the offender is gone from both links"
    );
    // Its Hellos on the other link are dropped too.
    i.handle_packet(now, 2, peer2, ALL_SPF, &hello(PEER, &[ME]));
    drain(&mut i, now);
    assert!(i.neighbors().all(|n| n.router_id != PEER));
    assert!(i.counters(2).unwrap().dropped(DropReason::NeighborIgnored) >= 1);
}

#[test]
fn max_lsa_counts_lsas_under_a_previous_router_id() {
    // After a router-ID change the LSAs of the old ID are still handled as ours (to flush
    // them), but anyone can send them in any number: the limit holds against them. (The
    // engine fuzz target found 30 such LSAs in an LSDB limited to 4.)
    let now = Instant::from_secs(1);
    let cfg = InstanceConfig::new(ME).max_lsas(Some(50));
    let mut i = full_with(cfg, now);
    let new_id = Ipv4Addr::new(1, 1, 1, 9);
    i.set_router_id(now, new_id);
    drain(&mut i, now);
    feed(&mut i, now, &hello(PEER, &[new_id]));
    let flags = DdFlags::I | DdFlags::M | DdFlags::MS;
    feed(&mut i, now, &dd(PEER, flags, 3000, &[]));
    feed(&mut i, now, &dd(PEER, DdFlags::MS, 3001, &[]));
    assert_eq!(peer_state(&i), Some(NeighborState::Full));
    for k in 0..100 {
        let lsa = external_lsa(storm_prefix(k), ME, 0x8000_0001, 1);
        feed(&mut i, now, &ls_update(PEER, &[&lsa]));
    }
    assert!(i.lsdb_len() <= 50, "{} LSAs, limit 50", i.lsdb_len());
    assert!(dropped(&i, DropReason::LsdbFull) >= 50);
}

// ---------------------------------------------------------------------------------------
// RFC 1765
// ---------------------------------------------------------------------------------------

fn overflow_events(d: &Drained) -> Vec<(bool, usize)> {
    d.events
        .iter()
        .filter_map(|e| match e {
            Event::Overflow {
                entered,
                external_count,
            } => Some((*entered, *external_count)),
            _ => None,
        })
        .collect()
}

fn own_external(i: &Instance, now: Instant, p: Ipv4Addr) -> Option<bool> {
    let key = LsaKey {
        lsa_type: 5,
        lsid: p,
        adv_router: ME,
    };
    i.lsa(Scope::As, &key).map(|e| !e.is_max_age(now))
}

fn own_prefix(k: u8) -> Ipv4Addr {
    Ipv4Addr::new(192, 168, k, 0)
}

#[test]
fn rfc1765_2_2_reaching_the_limit_enters_overflow_and_flushes_our_externals() {
    let now = Instant::from_secs(1);
    let cfg = InstanceConfig::new(ME)
        .max_external_lsas(Some(30))
        .exit_overflow_interval(Some(secs(60)));
    let mut i = full_with(cfg, now);
    for k in 0..3 {
        i.redistribute(now, ExternalRoute::new(own_prefix(k), 24));
    }
    i.redistribute(now, ExternalRoute::new(Ipv4Addr::UNSPECIFIED, 0));
    drain(&mut i, now);
    assert_eq!(own_external(&i, now, own_prefix(0)), Some(true));
    // 3 of ours + 27 of PEER's reach the limit: OverflowState.
    let d = storm(&mut i, now, 0, 100);
    assert_eq!(overflow_events(&d), vec![(true, 30)]);
    assert!(i.is_overflowed());
    // §2.2: ours are flushed (MaxAge), the default route stays.
    for k in 0..3 {
        assert_eq!(own_external(&i, now, own_prefix(k)), Some(false), "{k}");
    }
    assert_eq!(own_external(&i, now, Ipv4Addr::UNSPECIFIED), Some(true));
    // Never more than the limit of non-default externals: 27 of PEER's got in.
    let theirs = i
        .lsdb(now)
        .filter(|l| l.key.lsa_type == 5 && l.key.adv_router == PEER)
        .count();
    assert_eq!(theirs, 27);
    assert_eq!(dropped(&i, DropReason::LsdbFull), 73);
    // The neighbor stays: the external limit is no offence.
    assert_eq!(peer_state(&i), Some(NeighborState::Full));
    // §2.3.2: nothing new of ours while in OverflowState.
    i.redistribute(now, ExternalRoute::new(own_prefix(9), 24));
    drain(&mut i, now);
    assert_eq!(own_external(&i, now, own_prefix(9)), None);
    // A default route from PEER is still taken.
    let default = external_lsa(Ipv4Addr::UNSPECIFIED, PEER, 0x8000_0001, 1);
    feed(&mut i, now, &ls_update(PEER, &[&default]));
    assert!(
        i.lsdb(now).any(|l| l.key.lsa_type == 5
            && l.key.adv_router == PEER
            && l.key.lsid.is_unspecified())
    );
}

#[test]
fn rfc1765_2_4_overflow_is_left_after_the_interval_once_below_the_limit() {
    let now = Instant::from_secs(1);
    let cfg = InstanceConfig::new(ME)
        .max_external_lsas(Some(30))
        .exit_overflow_interval(Some(secs(60)));
    let mut i = full_with(cfg, now);
    i.redistribute(now, ExternalRoute::new(own_prefix(0), 24));
    drain(&mut i, now);
    storm(&mut i, now, 0, 40);
    assert!(i.is_overflowed());
    // Keep PEER alive. Our flushed LSA stays counted until PEER acknowledges it (it
    // does not here), so at the interval the count is still at the limit: stay.
    let mut t = now;
    let keepalive = |i: &mut Instance, from: Instant, to: Instant| {
        let mut t = from;
        let mut all = Drained::default();
        while t < to {
            let next = (t + secs(10)).min(to);
            let (_, d) = run_until(i, t, next);
            all.events.extend(d.events);
            t = next;
            all.events.extend(feed(i, t, &hello(PEER, &[ME])).events);
        }
        (t, all)
    };
    (t, _) = keepalive(&mut i, t, t + secs(5));
    storm(&mut i, t, 100, 5);
    let at_limit = i.limit_state(t).external_count;
    assert_eq!(at_limit, 30);
    let (t2, d) = keepalive(&mut i, t, now + secs(61));
    assert!(overflow_events(&d).is_empty(), "still at the limit: stays");
    assert!(i.is_overflowed());
    t = t2;
    // PEER flushes ten of its LSAs: below the limit. The next attempt leaves.
    storm_aged(&mut i, t, 0, 10, 0x8000_0002, 3600);
    let (t3, d) = keepalive(&mut i, t, now + secs(125));
    assert_eq!(overflow_events(&d).len(), 1);
    assert!(!overflow_events(&d)[0].0);
    assert!(!i.is_overflowed());
    // §2.4: our external is originated again.
    assert_eq!(own_external(&i, t3, own_prefix(0)), Some(true));
}

#[test]
fn rfc1765_without_exit_interval_overflow_stays() {
    let now = Instant::from_secs(1);
    let mut i = full_with(InstanceConfig::new(ME).max_external_lsas(Some(10)), now);
    storm(&mut i, now, 0, 20);
    assert!(i.is_overflowed());
    assert_eq!(i.limit_state(now).overflow_exit_at, None);
    storm_aged(&mut i, now + secs(2), 0, 10, 0x8000_0002, 3600);
    let (_, d) = run_until(&mut i, now + secs(2), now + secs(3600));
    assert!(overflow_events(&d).is_empty());
    assert!(i.is_overflowed());
}
