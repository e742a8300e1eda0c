//! The LSA counters of an interface (`InterfaceCounters::lsas_received`, `lsas_sent`,
//! `lsas_retransmitted`): driven through an adjacency in the simulator and checked
//! against what must have crossed the link (RFC 2328 §13.3 flooding, §13.6
//! retransmission), not merely for being non-zero.
#![cfg(feature = "sim")]

use core::net::Ipv4Addr;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::ExternalRoute;
use ospf_core::interface::InterfaceCounters;
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{NodeId, SegmentId, Sim, SimConfig};
use ospf_core::time::Duration;

fn rid(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(n, n, n, n)
}

fn p2p(a: [u8; 4]) -> InterfaceConfig {
    InterfaceConfig::new(Ipv4Addr::from(a), 30).if_type(InterfaceType::PointToPoint)
}

/// The counters of a node's only OSPF interface (ifindex 1).
fn counters(sim: &Sim, n: NodeId) -> InterfaceCounters {
    *sim.instance(n).unwrap().counters(1).unwrap()
}

fn full(sim: &Sim, n: NodeId) -> bool {
    let v: Vec<_> = sim.instance(n).unwrap().neighbors().collect();
    v.len() == 1 && v[0].state == NeighborState::Full
}

/// LSAs waiting on `n`'s retransmission lists.
fn rxmt_len(sim: &Sim, n: NodeId) -> usize {
    sim.instance(n)
        .unwrap()
        .neighbors()
        .map(|x| x.ls_retransmit_count)
        .sum()
}

/// Two routers on a lossless p2p link, Full and quiet (every flood acknowledged). `a` is an
/// ASBR from the start, so that later redistributions change no Router-LSA.
fn pair(seed: u64) -> (Sim, NodeId, NodeId, SegmentId) {
    let mut sim = Sim::new(SimConfig::seeded(seed));
    let a = sim.add_router(InstanceConfig::new(rid(1)));
    let b = sim.add_router(InstanceConfig::new(rid(2)));
    sim.command(a, |i, now| {
        i.redistribute(now, ExternalRoute::new(Ipv4Addr::new(192, 0, 2, 0), 24))
    });
    let seg = sim.link(a, p2p([10, 0, 0, 1]), b, p2p([10, 0, 0, 2]));
    sim.run_until_true(Duration::from_secs(60), Duration::from_millis(100), |s| {
        full(s, a) && full(s, b)
    })
    .expect("the adjacency reaches Full");
    // Re-originated Router-LSAs (MinLSInterval) flooded and acknowledged.
    sim.run_for(Duration::from_secs(10));
    assert_eq!((rxmt_len(&sim, a), rxmt_len(&sim, b)), (0, 0));
    (sim, a, b, seg)
}

#[test]
fn rfc2328_13_3_every_lsa_sent_is_an_lsa_received_on_a_lossless_link() {
    let (sim, a, b) = {
        let (sim, a, b, _) = pair(11);
        (sim, a, b)
    };
    let (ca, cb) = (counters(&sim, a), counters(&sim, b));
    // The database exchange answered requests (A's external, both Router-LSAs) and
    // flooded the re-originated Router-LSAs: every one arrived, once, nothing was
    // retransmitted.
    assert_eq!(ca.lsas_retransmitted, 0);
    assert_eq!(cb.lsas_retransmitted, 0);
    assert_eq!(ca.lsas_sent, cb.lsas_received, "A -> B: {ca:?} {cb:?}");
    assert_eq!(cb.lsas_sent, ca.lsas_received, "B -> A: {ca:?} {cb:?}");
    // B learned at least A's Router-LSA and its external through the exchange.
    assert!(cb.lsas_received >= 2, "{cb:?}");
    // One LS Update packet carries one or more LSAs.
    assert!(ca.lsas_sent >= ca.sent.ls_update, "{ca:?}");
    assert!(cb.lsas_received >= cb.received.ls_update, "{cb:?}");
}

#[test]
fn rfc2328_13_3_a_new_lsa_is_flooded_once_and_not_back() {
    let (mut sim, a, b, _) = pair(12);
    let (a0, b0) = (counters(&sim, a), counters(&sim, b));
    for k in 1..=3u8 {
        sim.command(a, |i, now| {
            i.redistribute(now, ExternalRoute::new(Ipv4Addr::new(198, 51, k, 0), 24))
        });
    }
    sim.run_for(Duration::from_secs(3));
    let (a1, b1) = (counters(&sim, a), counters(&sim, b));
    assert_eq!(
        a1.lsas_sent - a0.lsas_sent,
        3,
        "three new externals flooded"
    );
    assert_eq!(b1.lsas_received - b0.lsas_received, 3, "and received");
    // B installs them and floods them on, but not back to the neighbor it got them from.
    assert_eq!(b1.lsas_sent - b0.lsas_sent, 0);
    assert_eq!(a1.lsas_received - a0.lsas_received, 0);
    // Acknowledged in time: no retransmission.
    assert_eq!(a1.lsas_retransmitted, a0.lsas_retransmitted);
    assert_eq!(rxmt_len(&sim, a), 0);
}

#[test]
fn rfc2328_13_6_unacknowledged_lsas_are_retransmitted_every_rxmt_interval() {
    let (mut sim, a, b, seg) = pair(13);
    let (a0, b0) = (counters(&sim, a), counters(&sim, b));
    // The link silently drops everything (below the dead interval of 40 s).
    sim.set_blocked(seg, true);
    sim.command(a, |i, now| {
        i.redistribute(now, ExternalRoute::new(Ipv4Addr::new(203, 0, 113, 0), 24))
    });
    // Flooded at once, then retransmitted at +5, +10 and +15 s (RxmtInterval 5 s).
    sim.run_for(Duration::from_millis(17_500));
    let a1 = counters(&sim, a);
    assert_eq!(a1.lsas_sent - a0.lsas_sent, 1);
    assert_eq!(a1.lsas_retransmitted - a0.lsas_retransmitted, 3);
    assert_eq!(counters(&sim, b).lsas_received, b0.lsas_received);
    assert_eq!(rxmt_len(&sim, a), 1);
    // The link heals: the retransmission at +20 s arrives and is acknowledged; no more.
    sim.set_blocked(seg, false);
    sim.run_for(Duration::from_secs(15));
    let (a2, b2) = (counters(&sim, a), counters(&sim, b));
    assert_eq!(a2.lsas_retransmitted - a0.lsas_retransmitted, 4);
    assert_eq!(a2.lsas_sent - a0.lsas_sent, 1);
    assert_eq!(b2.lsas_received - b0.lsas_received, 1);
    assert_eq!(rxmt_len(&sim, a), 0);
    assert!(full(&sim, a) && full(&sim, b));
}
