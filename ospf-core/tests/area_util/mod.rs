//! Shared pieces of the multi-area simulator tests: router IDs, numbered point-to-point
//! links, area IDs and reading an LSA as a router holds it.

#![allow(dead_code)]

use core::net::Ipv4Addr;
use ospf_core::config::{InterfaceConfig, InterfaceType};
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::sim::{NodeId, Sim};
use ospf_core::wire::Options;

/// Backbone.
pub const A0: Ipv4Addr = Ipv4Addr::UNSPECIFIED;
/// Area 0.0.0.1.
pub const A1: Ipv4Addr = Ipv4Addr::new(0, 0, 0, 1);
/// Area 0.0.0.2.
pub const A2: Ipv4Addr = Ipv4Addr::new(0, 0, 0, 2);

/// Router `i`'s ID: 1.1.1.(i+1).
pub fn rid(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(1, 1, 1, i as u8 + 1)
}

/// End `end` (1 or 2) of point-to-point link `k`: 10.0.0.(4k+end)/30.
pub fn link_addr(k: usize, end: u8) -> Ipv4Addr {
    Ipv4Addr::from(0x0A00_0000 + 4 * k as u32 + u32::from(end))
}

/// End `end` of point-to-point link `k`, in `area`.
pub fn p2p(k: usize, end: u8, area: Ipv4Addr) -> InterfaceConfig {
    InterfaceConfig::new(link_addr(k, end), 30)
        .if_type(InterfaceType::PointToPoint)
        .area(area)
}

/// The live (not MaxAge) LSA `key` in `scope` at node `n`: (options, body).
pub fn live(sim: &Sim, n: NodeId, scope: Scope, key: LsaKey) -> Option<(Options, Vec<u8>)> {
    let now = sim.now();
    let e = sim.instance(n)?.lsa(scope, &key)?;
    (!e.is_max_age(now)).then(|| (e.header().options, e.body().to_vec()))
}
