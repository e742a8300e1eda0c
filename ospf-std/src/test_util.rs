//! Fixtures shared by the unit tests: the seed's configuration file and host.

use std::net::Ipv4Addr;

use crate::link::{Addr, Link};

/// The seed's `ospfd.conf`, verbatim (tabs included).
pub(crate) const SEED: &str = "hostname server1\ninterface eth0\nrouter ospf\n\tospf router-id 10.0.0.1\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n";

/// A link that is up.
pub(crate) fn link(ifindex: u32, name: &str, loopback: bool) -> Link {
    Link {
        ifindex,
        name: name.into(),
        up: true,
        mtu: if loopback { 65536 } else { 1500 },
        loopback,
        point_to_point: false,
        multicast: !loopback,
    }
}

/// An address on `ifindex`.
pub(crate) fn addr(ifindex: u32, a: [u8; 4], len: u8) -> Addr {
    Addr {
        ifindex,
        addr: Ipv4Addr::from(a),
        prefix_len: len,
        peer: None,
    }
}

/// The seed's server: `lo` with 127.0.0.1/8 and the anycast 172.16.0.1/32, `eth0` with
/// 10.0.0.1/24.
pub(crate) fn seed_host() -> (Vec<Link>, Vec<Addr>) {
    (
        vec![link(1, "lo", true), link(2, "eth0", false)],
        vec![
            addr(1, [127, 0, 0, 1], 8),
            addr(1, [172, 16, 0, 1], 32),
            addr(2, [10, 0, 0, 1], 24),
        ],
    )
}

/// A broadcast interface `eth0` (10.0.0.1/24, DR, one adjacent neighbor) with `counters`.
pub(crate) fn lan(
    counters: ospf_core::interface::InterfaceCounters,
) -> crate::state::InterfaceStatus {
    crate::state::InterfaceStatus {
        ifindex: 2,
        name: "eth0".into(),
        address: std::net::Ipv4Addr::new(10, 0, 0, 1),
        prefix_len: 24,
        area: std::net::Ipv4Addr::UNSPECIFIED,
        network_type: ospf_core::config::InterfaceType::Broadcast,
        cost: 10,
        state: ospf_core::interface::InterfaceState::Dr,
        priority: 1,
        dr: None,
        bdr: None,
        hello: 10,
        dead: 40,
        rxmt: 5,
        transmit_delay: 1,
        passive: false,
        neighbors: 1,
        adjacent: 1,
        counters,
        virtual_link: None,
    }
}
