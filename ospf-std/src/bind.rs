//! Which interfaces run OSPF, with which address, area and settings.
//!
//! [`bind_interfaces`] applies an [`OspfdConf`] to the host's links and addresses the way
//! FRR's `ospfd` does: an address takes part when a `network` statement contains it
//! (the address's own prefix length is not considered) or when its interface has
//! `ip ospf area`. Loopback addresses become host stubs (the anycast case: `interface lo`
//! with 172.16.0.1/32 and `network 172.16.0.1/32 area 0`).
//!
//! The engine knows an interface by one key and one address. The first matching address
//! of an interface uses the interface index as key; further matching addresses of a
//! loopback get keys of their own ([`EXTRA_KEY_BASE`] upwards), so that several anycast
//! addresses on `lo` are each announced. Further addresses of other interfaces are
//! reported in [`Binding::ignored`].
//!
//! Each bound interface also records its link speed ([`BoundInterface::speed_mbps`]), from
//! which the automatic cost is computed when the configuration gives neither
//! `ip ospf cost` nor `bandwidth`. [`bind_interfaces`] reads it from
//! `/sys/class/net/IF/speed`; [`bind_interfaces_with_speed`] takes it from the caller.

use std::net::Ipv4Addr;

use crate::conf::{InterfaceConf, NetworkType, OspfdConf};
use crate::link::{Addr, Link};

/// First key given to additional loopback addresses (above any real interface index).
pub const EXTRA_KEY_BASE: u32 = 0x4000_0000;

/// How an interface takes part in OSPF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundKind {
    /// A broadcast network (DR election).
    Broadcast,
    /// A point-to-point network.
    PointToPoint,
    /// A loopback address: announced as a host stub, no packets sent.
    Loopback,
    /// A non-broadcast multi-access network (`ip ospf network non-broadcast`).
    Nbma,
    /// A point-to-multipoint network (`ip ospf network point-to-multipoint`).
    PointToMultipoint,
    /// A point-to-multipoint network without multicast (`ip ospf network
    /// point-to-multipoint non-broadcast`).
    PointToMultipointNonBroadcast,
}

/// One address on which OSPF runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundInterface {
    /// The key the engine knows it by (the interface index, or a key of its own for a
    /// further loopback address).
    pub key: u32,
    /// Interface index (where packets go).
    pub ifindex: u32,
    /// Interface name.
    pub name: String,
    /// The address.
    pub addr: Ipv4Addr,
    /// Its prefix length.
    pub prefix_len: u8,
    /// Area.
    pub area: Ipv4Addr,
    /// Kind of network.
    pub kind: BoundKind,
    /// No hellos are sent or accepted; the network is announced as a stub.
    pub passive: bool,
    /// Interface MTU.
    pub mtu: u32,
    /// Link speed in Mbit/s as the kernel reports it; `None` when unknown (virtual links
    /// without a speed, loopbacks, a link that is down).
    pub speed_mbps: Option<u32>,
    /// Whether the link is up.
    pub up: bool,
    /// The `interface` block's settings (defaults when there is none).
    pub settings: InterfaceConf,
}

/// The result of [`bind_interfaces`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Binding {
    /// Addresses that run OSPF, ordered by interface index, then address.
    pub interfaces: Vec<BoundInterface>,
    /// Matching addresses that were left out (a second address on a non-loopback
    /// interface), as (interface name, address).
    pub ignored: Vec<(String, Ipv4Addr)>,
}

impl Binding {
    /// The bound interface with this engine key.
    pub fn by_key(&self, key: u32) -> Option<&BoundInterface> {
        self.interfaces.iter().find(|b| b.key == key)
    }
}

/// Applies `conf` to the host's `links` and `addrs`, with link speeds from sysfs
/// ([`sysfs_link_speed`]).
pub fn bind_interfaces(conf: &OspfdConf, links: &[Link], addrs: &[Addr]) -> Binding {
    bind_interfaces_with_speed(conf, links, addrs, sysfs_link_speed)
}

/// The speed of `link` in Mbit/s from `/sys/class/net/NAME/speed`, as FRR's zebra learns
/// it from the kernel; `None` when the file is unreadable, says `-1` (unknown) or `0`, or
/// when `/sys/class/net/NAME/ifindex` is not the link's index (sysfs shows the network
/// namespace it was mounted in, which need not be the caller's).
pub fn sysfs_link_speed(link: &Link) -> Option<u32> {
    if link.name.is_empty() || link.name.contains('/') || link.name.starts_with('.') {
        return None;
    }
    let dir = std::path::Path::new("/sys/class/net").join(&link.name);
    let read = |file: &str| -> Option<i64> {
        std::fs::read_to_string(dir.join(file))
            .ok()?
            .trim()
            .parse()
            .ok()
    };
    if read("ifindex")? != i64::from(link.ifindex) {
        return None;
    }
    u32::try_from(read("speed")?).ok().filter(|&s| s > 0)
}

/// Applies `conf` to the host's `links` and `addrs`; `speed` gives a link's speed in
/// Mbit/s (`None`: unknown). It is asked only about links that get bound, and not about
/// loopbacks.
pub fn bind_interfaces_with_speed(
    conf: &OspfdConf,
    links: &[Link],
    addrs: &[Addr],
    mut speed: impl FnMut(&Link) -> Option<u32>,
) -> Binding {
    let mut out = Binding::default();
    let Some(router) = conf.router.as_ref() else {
        return out;
    };
    let mut next_extra = EXTRA_KEY_BASE;
    let mut links: Vec<&Link> = links.iter().collect();
    links.sort_by_key(|l| l.ifindex);
    for link in links {
        let settings = conf
            .interface(&link.name)
            .cloned()
            .unwrap_or_else(|| InterfaceConf {
                name: link.name.clone(),
                ..Default::default()
            });
        let mut mine: Vec<&Addr> = addrs.iter().filter(|a| a.ifindex == link.ifindex).collect();
        mine.sort_by_key(|a| a.addr);
        let mut first = true;
        let mut link_speed: Option<Option<u32>> = None;
        for a in mine {
            let area = match settings.area {
                Some(area) => Some(area),
                None => router
                    .networks
                    .iter()
                    .find(|n| n.contains(a.addr))
                    .map(|n| n.area),
            };
            let Some(area) = area else { continue };
            let key = if first {
                link.ifindex
            } else if link.loopback {
                next_extra += 1;
                next_extra - 1
            } else {
                out.ignored.push((link.name.clone(), a.addr));
                continue;
            };
            first = false;
            let kind = if link.loopback {
                BoundKind::Loopback
            } else {
                match settings.network_type {
                    Some(NetworkType::PointToPoint) => BoundKind::PointToPoint,
                    Some(NetworkType::Broadcast) => BoundKind::Broadcast,
                    Some(NetworkType::NonBroadcast) => BoundKind::Nbma,
                    Some(NetworkType::PointToMultipoint) => BoundKind::PointToMultipoint,
                    Some(NetworkType::PointToMultipointNonBroadcast) => {
                        BoundKind::PointToMultipointNonBroadcast
                    }
                    None if link.point_to_point || a.peer.is_some() => BoundKind::PointToPoint,
                    None => BoundKind::Broadcast,
                }
            };
            let passive = settings.passive
                || router.passive_interfaces.contains(&link.name)
                || (router.passive_default && !router.active_interfaces.contains(&link.name));
            let speed_mbps = if link.loopback {
                None
            } else {
                *link_speed.get_or_insert_with(|| speed(link))
            };
            out.interfaces.push(BoundInterface {
                key,
                ifindex: link.ifindex,
                name: link.name.clone(),
                addr: a.addr,
                prefix_len: a.prefix_len,
                area,
                kind,
                passive,
                mtu: link.mtu,
                speed_mbps,
                up: link.up,
                settings: settings.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_util::{SEED, addr, link, seed_host};

    /// The seed's host with a second network, 192.168.1.1/24 on eth1.
    fn host() -> (Vec<Link>, Vec<Addr>) {
        let (mut links, mut addrs) = seed_host();
        links.push(link(3, "eth1", false));
        addrs.push(addr(3, [192, 168, 1, 1], 24));
        (links, addrs)
    }

    #[test]
    fn seed_config_binds_eth0_and_the_anycast_loopback() {
        let conf = OspfdConf::parse(SEED).unwrap();
        let (links, addrs) = host();
        let b = bind_interfaces_with_speed(&conf, &links, &addrs, |_| None);
        assert_eq!(b.interfaces.len(), 2, "{b:?}");
        let lo = &b.interfaces[0];
        assert_eq!(
            (lo.key, lo.name.as_str(), lo.kind),
            (1, "lo", BoundKind::Loopback)
        );
        assert_eq!((lo.addr, lo.prefix_len), (Ipv4Addr::new(172, 16, 0, 1), 32));
        let eth0 = &b.interfaces[1];
        assert_eq!(
            (eth0.key, eth0.kind, eth0.passive),
            (2, BoundKind::Broadcast, false)
        );
        assert_eq!(eth0.area, Ipv4Addr::UNSPECIFIED);
        assert_eq!(eth0.mtu, 1500);
        assert!(b.ignored.is_empty());
    }

    #[test]
    fn network_statement_ignores_the_address_prefix_length() {
        // FRR: `network 10.0.0.1/32` enables OSPF on 10.0.0.1/24.
        let conf = OspfdConf::parse("router ospf\n network 10.0.0.1/32 area 1\n").unwrap();
        let (links, addrs) = host();
        let b = bind_interfaces_with_speed(&conf, &links, &addrs, |_| None);
        assert_eq!(b.interfaces.len(), 1);
        assert_eq!(b.interfaces[0].name, "eth0");
        assert_eq!(b.interfaces[0].area, Ipv4Addr::new(0, 0, 0, 1));
    }

    #[test]
    fn passive_point_to_point_interface_area_and_extra_loopbacks() {
        let conf = OspfdConf::parse(
            "interface eth1\n ip ospf area 0.0.0.2\n ip ospf network point-to-point\n\
             interface eth0\n ip ospf cost 7\n\
             router ospf\n network 0.0.0.0/0 area 0\n passive-interface default\n no passive-interface eth1\n",
        )
        .unwrap();
        let (links, mut addrs) = host();
        addrs.push(addr(1, [172, 16, 0, 2], 32));
        addrs.push(addr(2, [10, 0, 1, 1], 24));
        let b = bind_interfaces_with_speed(&conf, &links, &addrs, |_| None);
        let names: Vec<_> = b
            .interfaces
            .iter()
            .map(|i| (i.key, i.name.as_str(), i.addr.to_string()))
            .collect();
        assert_eq!(
            names,
            vec![
                (1, "lo", "127.0.0.1".to_string()),
                (EXTRA_KEY_BASE, "lo", "172.16.0.1".to_string()),
                (EXTRA_KEY_BASE + 1, "lo", "172.16.0.2".to_string()),
                (2, "eth0", "10.0.0.1".to_string()),
                (3, "eth1", "192.168.1.1".to_string()),
            ]
        );
        assert_eq!(
            b.ignored,
            vec![("eth0".to_string(), Ipv4Addr::new(10, 0, 1, 1))]
        );
        let eth0 = b.by_key(2).unwrap();
        assert!(eth0.passive);
        assert_eq!(eth0.settings.cost, Some(7));
        let eth1 = b.by_key(3).unwrap();
        assert!(!eth1.passive);
        assert_eq!(eth1.kind, BoundKind::PointToPoint);
        assert_eq!(eth1.area, Ipv4Addr::new(0, 0, 0, 2));
    }

    #[test]
    fn no_router_block_binds_nothing() {
        let conf = OspfdConf::parse("hostname x\ninterface eth0\n").unwrap();
        let (links, addrs) = host();
        assert!(
            bind_interfaces_with_speed(&conf, &links, &addrs, |_| None)
                .interfaces
                .is_empty()
        );
    }

    #[test]
    fn link_speed_is_recorded_and_asked_once_per_bound_link() {
        let conf = OspfdConf::parse("router ospf\n network 0.0.0.0/0 area 0\n").unwrap();
        let (links, mut addrs) = host();
        addrs.push(addr(2, [10, 0, 1, 1], 24));
        let mut asked = Vec::new();
        let b = bind_interfaces_with_speed(&conf, &links, &addrs, |l| {
            asked.push(l.name.clone());
            (l.name == "eth0").then_some(25_000)
        });
        assert_eq!(asked, vec!["eth0".to_string(), "eth1".to_string()]);
        assert_eq!(b.by_key(1).unwrap().speed_mbps, None);
        assert_eq!(b.by_key(2).unwrap().speed_mbps, Some(25_000));
        assert_eq!(b.by_key(3).unwrap().speed_mbps, None);
    }

    #[test]
    fn sysfs_speed_needs_a_matching_interface() {
        // No such interface, a path-like name, and a real name with another index.
        let mut l = link(1, "no-such-if0", false);
        assert_eq!(sysfs_link_speed(&l), None);
        l.name = "../lo".into();
        assert_eq!(sysfs_link_speed(&l), None);
        l.name = "lo".into();
        l.ifindex = 0x7fff_fff0;
        assert_eq!(sysfs_link_speed(&l), None);
    }
}
