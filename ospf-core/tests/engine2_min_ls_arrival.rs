//! MinLSArrival (RFC 2328 §13 step 5a) holds back a new instance only when the database
//! copy was received via flooding, within the last MinLSArrival: not when the copy
//! answered one of our LS Requests. Two instances flooded together (FRR 8.4 right after
//! its graceful restart sends two LS Updates 16 µs apart) are flooded copies: the
//! second waits for the originator's retransmission, as in FRR and BIRD.

mod engine_util;

use core::net::Ipv4Addr;
use engine_util::*;
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::NeighborState;
use ospf_core::time::Duration;
use ospf_core::wire::{DdFlags, FixedItem, LsaHeader, LsaType};

const P: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 0);

fn seq(i: &ospf_core::instance::Instance) -> Option<u32> {
    i.lsa(Scope::As, &LsaKey::new(LsaType::AsExternal, P, PEER))
        .map(|e| e.seq())
}

#[test]
fn rfc2328_13_5a_a_flooded_copy_holds_back_the_next_instance_for_min_ls_arrival() {
    let (mut i, now) = full_as_slave();
    feed(
        &mut i,
        now,
        &ls_update(PEER, &[&external_lsa(P, PEER, 0x8000_0001, 1)]),
    );
    let t = now + Duration::from_millis(100);
    feed(
        &mut i,
        t,
        &ls_update(PEER, &[&external_lsa(P, PEER, 0x8000_0002, 1)]),
    );
    assert_eq!(seq(&i), Some(0x8000_0001), "discarded within MinLSArrival");
    let t = now + Duration::from_millis(1100);
    feed(
        &mut i,
        t,
        &ls_update(PEER, &[&external_lsa(P, PEER, 0x8000_0002, 1)]),
    );
    assert_eq!(seq(&i), Some(0x8000_0002));
}

#[test]
fn rfc2328_13_5a_two_instances_flooded_together_the_second_waits() {
    let (mut i, now) = full_as_slave();
    let a = external_lsa(P, PEER, 0x8000_0001, 1);
    let b = external_lsa(P, PEER, 0x8000_0002, 1);
    feed(&mut i, now, &ls_update(PEER, &[&a, &b]));
    assert_eq!(seq(&i), Some(0x8000_0001));
}

#[test]
fn rfc2328_13_5a_an_answer_to_our_request_is_not_a_flooded_copy() {
    let (mut i, now) = start();
    let first = external_lsa(P, PEER, 0x8000_0001, 1);
    let header = LsaHeader::read(&first[..20]);
    feed(&mut i, now, &hello(PEER, &[ME]));
    feed(
        &mut i,
        now,
        &dd(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, 1000, &[]),
    );
    feed(&mut i, now, &dd(PEER, DdFlags::MS, 1001, &[header]));
    assert_eq!(
        i.neighbors().next().map(|n| n.state),
        Some(NeighborState::Loading)
    );
    // The answer to our request completes the exchange.
    feed(&mut i, now, &ls_update(PEER, &[&first]));
    assert_eq!(
        i.neighbors().next().map(|n| n.state),
        Some(NeighborState::Full)
    );
    // The originator's next instance, flooded 100 ms later, is taken at once.
    let t = now + Duration::from_millis(100);
    feed(
        &mut i,
        t,
        &ls_update(PEER, &[&external_lsa(P, PEER, 0x8000_0002, 1)]),
    );
    assert_eq!(seq(&i), Some(0x8000_0002));
}
