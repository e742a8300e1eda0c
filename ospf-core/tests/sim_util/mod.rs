//! Simulator topologies shared by the whole-network tests.

use core::net::Ipv4Addr;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::sim::{NodeId, Sim, SimConfig};

/// The seed topology: a router (DR, priority 100) and three servers (priority 0) on
/// 10.0.0.0/24, each server announcing the anycast address 172.16.0.1/32 from a loopback.
/// Returns the simulator, the router and the servers.
pub fn anycast_lan(seed: u64) -> (Sim, NodeId, Vec<NodeId>) {
    let mut sim = Sim::new(SimConfig::seeded(seed));
    let seg = sim.add_segment();
    let router = sim.add_router(InstanceConfig::new(Ipv4Addr::new(10, 0, 0, 1)));
    sim.attach(
        router,
        seg,
        InterfaceConfig::new(Ipv4Addr::new(10, 0, 0, 1), 24).priority(100),
    );
    let mut servers = Vec::new();
    for s in 2..=4u8 {
        let id = Ipv4Addr::new(10, 0, 0, s);
        let node = sim.add_router(InstanceConfig::new(id));
        sim.attach(node, seg, InterfaceConfig::new(id, 24).priority(0));
        sim.attach_alone(
            node,
            InterfaceConfig::new(Ipv4Addr::new(172, 16, 0, 1), 32).if_type(InterfaceType::Loopback),
        );
        servers.push(node);
    }
    (sim, router, servers)
}
