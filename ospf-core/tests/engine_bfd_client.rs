//! `Instance::neighbor_down`: BFD as the failure detector of OSPF (RFC 5882 §4.1).

mod engine_util;

use engine_util::*;
use ospf_core::instance::Event;
use ospf_core::neighbor::{NeighborEvent, NeighborState};
use std::net::Ipv4Addr;

#[test]
fn rfc5882_4_1_bfd_down_kills_the_neighbor_at_once() {
    let (mut i, now) = start();
    feed(&mut i, now, &hello(PEER, &[ME]));
    assert_eq!(
        i.neighbors().next().map(|n| n.state),
        Some(NeighborState::ExStart)
    );
    // Unknown interface or router: nothing happens.
    assert!(!i.neighbor_down(now, 99, PEER));
    assert!(!i.neighbor_down(now, 1, Ipv4Addr::new(9, 9, 9, 9)));
    assert_eq!(i.neighbors().count(), 1);
    // Long before the dead interval, the neighbor goes Down by KillNbr.
    let t = now + ospf_core::time::Duration::from_millis(150);
    assert!(i.neighbor_down(t, 1, PEER));
    assert_eq!(i.neighbors().count(), 0);
    let d = drain(&mut i, t);
    assert!(d.events.iter().any(|e| matches!(
        e,
        Event::NeighborState {
            new: NeighborState::Down,
            reason: NeighborEvent::KillNbr,
            router_id,
            ..
        } if *router_id == PEER
    )));
    // A second call finds nobody; the next Hello starts the neighbor again.
    assert!(!i.neighbor_down(t, 1, PEER));
    feed(&mut i, t, &hello(PEER, &[]));
    assert_eq!(
        i.neighbors().next().map(|n| n.state),
        Some(NeighborState::Init)
    );
}
