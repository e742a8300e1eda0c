//! Simulations of adjacency formation: RFC 2328 §9 (interfaces, DR election) and §10
//! (neighbor state machine, database exchange).
#![cfg(feature = "sim")]

use core::net::Ipv4Addr;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::{NeighborRole, Output};
use ospf_core::interface::InterfaceState;
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{NodeId, Sim, SimConfig};
use ospf_core::time::Duration;
use ospf_core::wire::LsaType;

fn rid(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(n, n, n, n)
}

fn p2p(a: [u8; 4]) -> InterfaceConfig {
    InterfaceConfig::new(Ipv4Addr::from(a), 30).if_type(InterfaceType::PointToPoint)
}

fn lan(a: [u8; 4], prio: u8) -> InterfaceConfig {
    InterfaceConfig::new(Ipv4Addr::from(a), 24)
        .if_type(InterfaceType::Broadcast)
        .priority(prio)
}

fn states(sim: &Sim, n: NodeId) -> Vec<(Ipv4Addr, NeighborState)> {
    sim.instance(n)
        .unwrap()
        .neighbors()
        .map(|x| (x.router_id, x.state))
        .collect()
}

fn synchronized(sim: &Sim, nodes: &[NodeId]) -> bool {
    let first = sim.lsdb_fingerprint(nodes[0]);
    !first.is_empty() && nodes.iter().all(|n| sim.lsdb_fingerprint(*n) == first)
}

#[test]
fn rfc2328_10_3_two_routers_p2p_reach_full() {
    let mut sim = Sim::new(SimConfig::seeded(7));
    let a = sim.add_router(InstanceConfig::new(rid(1)));
    let b = sim.add_router(InstanceConfig::new(rid(2)));
    sim.link(a, p2p([10, 0, 0, 1]), b, p2p([10, 0, 0, 2]));
    let t = sim
        .run_until_true(Duration::from_secs(60), Duration::from_millis(100), |s| {
            states(s, a) == [(rid(2), NeighborState::Full)]
                && states(s, b) == [(rid(1), NeighborState::Full)]
        })
        .expect("p2p adjacency reaches Full");
    // Hellos go out at once: Full within a second or so, not after a dead interval.
    assert!(t.as_secs() < 5, "took until {t:?}");
    sim.run_for(Duration::from_secs(5));
    assert!(synchronized(&sim, &[a, b]));
    // Both Router-LSAs, each with a p2p link to the other and the /30 stub.
    let fp = sim.lsdb_fingerprint(a);
    assert_eq!(fp.len(), 2);
    for (me, other) in [(a, rid(2)), (b, rid(1))] {
        let inst = sim.instance(me).unwrap();
        let key = LsaKey::new(LsaType::Router, inst.router_id(), inst.router_id());
        let raw = inst
            .lsa(Scope::Area(Ipv4Addr::UNSPECIFIED), &key)
            .unwrap()
            .raw();
        // 2 links: p2p to the other router, stub 10.0.0.0/30.
        assert_eq!(u16::from_be_bytes([raw[22], raw[23]]), 2);
        assert_eq!(&raw[24..28], &other.octets());
        assert_eq!(raw[32], 1);
        assert_eq!(&raw[36..40], &[10, 0, 0, 0]);
        assert_eq!(raw[44], 3);
    }
    // The interfaces are PointToPoint.
    for n in [a, b] {
        let i = sim.instance(n).unwrap().interface(1).unwrap();
        assert_eq!(i.state, InterfaceState::PointToPoint);
        assert_eq!(i.adjacent_count, 1);
    }
}

#[test]
fn rfc2328_9_4_lan_of_five_elects_dr_and_bdr() {
    let mut sim = Sim::new(SimConfig::seeded(11));
    let seg = sim.add_segment();
    // Priorities: router 5 highest, router 3 second; router 1 and 2 priority 0.
    let prios = [0u8, 0, 50, 1, 100];
    let mut nodes = Vec::new();
    for (i, p) in prios.iter().enumerate() {
        let n = i as u8 + 1;
        let node = sim.add_router(InstanceConfig::new(rid(n)));
        sim.attach(node, seg, lan([10, 0, 0, n], *p));
        nodes.push(node);
    }
    // Election happens after the Wait timer (dead interval, 40 s).
    sim.run_for(Duration::from_secs(90));
    let dr_addr = Ipv4Addr::new(10, 0, 0, 5);
    let bdr_addr = Ipv4Addr::new(10, 0, 0, 3);
    for (i, node) in nodes.iter().enumerate() {
        let inst = sim.instance(*node).unwrap();
        let iface = inst.interface(1).unwrap();
        assert_eq!(iface.dr, Some((rid(5), dr_addr)), "router {}", i + 1);
        assert_eq!(iface.bdr, Some((rid(3), bdr_addr)), "router {}", i + 1);
        let expect_state = match i + 1 {
            5 => InterfaceState::Dr,
            3 => InterfaceState::Backup,
            _ => InterfaceState::DrOther,
        };
        assert_eq!(iface.state, expect_state, "router {}", i + 1);
        for nb in inst.neighbors() {
            let dr_or_bdr = |id: Ipv4Addr| id == rid(5) || id == rid(3);
            let want = if dr_or_bdr(inst.router_id()) || dr_or_bdr(nb.router_id) {
                NeighborState::Full
            } else {
                NeighborState::TwoWay
            };
            assert_eq!(nb.state, want, "router {} neighbor {}", i + 1, nb.router_id);
            if nb.router_id == rid(5) {
                assert_eq!(nb.role, NeighborRole::Dr);
            }
        }
    }
    assert!(synchronized(&sim, &nodes));
    // A DROther's new LSA reaches everyone through the DR (AllDRouters, then
    // AllSPFRouters), and nothing is dropped on a clean, converged network.
    let drops = |sim: &Sim| -> Vec<u64> {
        nodes
            .iter()
            .map(|n| {
                sim.instance(*n)
                    .unwrap()
                    .counters(1)
                    .unwrap()
                    .dropped_total()
            })
            .collect()
    };
    let before = drops(&sim);
    sim.command(nodes[0], |i, now| {
        i.redistribute(
            now,
            ospf_core::instance::ExternalRoute::new(Ipv4Addr::new(198, 51, 100, 0), 24),
        )
    });
    sim.run_for(Duration::from_secs(2));
    assert!(synchronized(&sim, &nodes));
    let ext = LsaKey::new(LsaType::AsExternal, Ipv4Addr::new(198, 51, 100, 0), rid(1));
    for node in &nodes {
        let inst = sim.instance(*node).unwrap();
        assert!(inst.lsa(Scope::As, &ext).is_some());
    }
    sim.run_for(Duration::from_secs(60));
    assert_eq!(drops(&sim), before);
    // The DR originates the Network-LSA listing all five routers.
    let dr = sim.instance(nodes[4]).unwrap();
    let key = LsaKey::new(LsaType::Network, dr_addr, rid(5));
    let raw = dr
        .lsa(Scope::Area(Ipv4Addr::UNSPECIFIED), &key)
        .unwrap()
        .raw();
    assert_eq!(raw.len(), 24 + 5 * 4);
}

#[test]
fn rfc2328_9_4_bdr_takes_over_when_dr_dies() {
    let mut sim = Sim::new(SimConfig::seeded(3));
    let seg = sim.add_segment();
    let mut nodes = Vec::new();
    for (n, p) in [(1u8, 1u8), (2, 2), (3, 3)] {
        let node = sim.add_router(InstanceConfig::new(rid(n)));
        sim.attach(node, seg, lan([10, 0, 0, n], p));
        nodes.push(node);
    }
    sim.run_for(Duration::from_secs(60));
    assert_eq!(
        sim.instance(nodes[2]).unwrap().interface(1).unwrap().state,
        InterfaceState::Dr
    );
    sim.crash(nodes[2]);
    // Dead interval 40 s, then re-election: 2 becomes DR, 1 BDR.
    sim.run_for(Duration::from_secs(50));
    let i2 = sim.instance(nodes[1]).unwrap().interface(1).unwrap();
    assert_eq!(i2.state, InterfaceState::Dr);
    let i1 = sim.instance(nodes[0]).unwrap().interface(1).unwrap();
    assert_eq!(i1.state, InterfaceState::Backup);
    assert_eq!(states(&sim, nodes[0]), [(rid(2), NeighborState::Full)]);
}

#[test]
fn rfc2328_10_polling_contract_outputs_then_timeout() {
    use ospf_core::instance::Instance;
    use ospf_core::time::Instant;
    let now = Instant::from_secs(3);
    let mut inst = Instance::new(InstanceConfig::new(rid(1)), now);
    inst.add_interface(now, 7, p2p([10, 0, 0, 1])).unwrap();
    inst.handle_timeout(now);
    let mut buf = [0u8; 1500];
    let mut transmits = 0;
    let mut timeout = None;
    while let Some(o) = inst.poll_output(now, &mut buf) {
        match o {
            Output::Transmit(t) => {
                transmits += 1;
                assert_eq!(t.ifindex, 7);
                assert_eq!(buf[1], 1, "a Hello");
            }
            Output::Timeout(at) => {
                assert!(timeout.is_none(), "Timeout is reported once");
                timeout = Some(at);
            }
            _ => {}
        }
    }
    assert_eq!(transmits, 1);
    // Next Hello after HelloInterval (or the LSDB walk, earlier).
    let at = timeout.unwrap();
    assert!(at > now && at <= now + Duration::from_secs(10));
}

fn lossy_ring(seed: u64) -> Sim {
    let cfg = SimConfig::seeded(seed).impairments(50_000, 50_000, 50_000);
    let mut sim = Sim::new(cfg);
    let nodes: Vec<NodeId> = (1..=8u8)
        .map(|n| sim.add_router(InstanceConfig::new(rid(n))))
        .collect();
    for k in 0..8usize {
        let s = 4 * k as u8;
        sim.link(
            nodes[k],
            p2p([10, 1, 0, s + 1]),
            nodes[(k + 1) % 8],
            p2p([10, 1, 0, s + 2]),
        );
    }
    sim.run_for(Duration::from_secs(120));
    sim
}

#[test]
fn sim_is_deterministic_for_a_seed() {
    let a = lossy_ring(5);
    let b = lossy_ring(5);
    assert_eq!(a.stats(), b.stats());
    for n in 0..8 {
        assert_eq!(a.events(NodeId(n)), b.events(NodeId(n)));
        assert_eq!(a.lsdb_fingerprint(NodeId(n)), b.lsdb_fingerprint(NodeId(n)));
    }
    let c = lossy_ring(6);
    assert_ne!(a.stats(), c.stats());
}
