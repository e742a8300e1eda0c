//! From an [`OspfdConf`] and the interfaces it binds ([`Binding`]) to the engine's
//! configuration ([`ospf_core::config`]).
//!
//! Defaults are FRR's: hello 10 s, dead 4 × hello, retransmit 5 s, transmit delay 1 s,
//! priority 1. Without `ip ospf cost` the cost is FRR's automatic one ([`auto_cost`]):
//! `auto-cost reference-bandwidth` (default [`DEFAULT_REFERENCE_BANDWIDTH`], 100 Gbit/s)
//! divided by the interface's bandwidth — its `bandwidth` line, else the link speed
//! recorded by [`crate::bind`], else [`UNKNOWN_SPEED_BANDWIDTH`] (10 Gbit/s) — which gives
//! 10 on a 10 Gbit/s link or one of unknown speed (veth, most virtual links), and 0 for
//! a loopback host stub, as FRR announces it.
//! `ip ospf dead-interval minimal hello-multiplier N` gives sub-second hellos: N a second,
//! a dead interval of 1 s and HelloInterval 0 on the wire, as FRR sends them.

use std::fmt;
use std::net::Ipv4Addr;

use ospf_core::config::{
    AreaConfig, AuthConfig, CryptoAlgorithm, CryptoKey, InstanceConfig, InterfaceConfig,
    InterfaceType, StaticNeighbor,
};

use ospf_core::spf::{SpfConfig, SpfTimers};

use crate::bind::{Binding, BoundInterface, BoundKind};
use crate::conf::{
    AuthMode, DEFAULT_REFERENCE_BANDWIDTH, DeadInterval, DigestAlgorithm, OspfdConf,
};

/// Bandwidth (Mbit/s) assumed for a link whose speed is unknown and that has no
/// `bandwidth` line: FRR's `OSPF_DEFAULT_BANDWIDTH` (10000, `lib/libospf.h`), which
/// `ospf_if_get_output_cost` in `ospfd/ospf_interface.c` uses when zebra reports speed 0
/// (zebra reports 0 for an unreadable or `SPEED_UNKNOWN` ethtool speed).
pub const UNKNOWN_SPEED_BANDWIDTH: u32 = 10_000;

/// FRR's automatic interface cost: `reference / bandwidth` (both in Mbit/s) rounded to
/// the nearest integer, at least 1 and at most 65535.
pub fn auto_cost(reference_mbps: u32, bandwidth_mbps: u32) -> u16 {
    let bw = u64::from(bandwidth_mbps.max(1));
    let cost = (u64::from(reference_mbps) + bw / 2) / bw;
    u16::try_from(cost.clamp(1, 65535)).unwrap_or(u16::MAX)
}

/// A configuration the engine cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError(pub String);

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SetupError {}

/// The router ID: the configured one, else the highest address of a bound loopback,
/// else the highest bound address (FRR's choice).
pub fn router_id(conf: &OspfdConf, binding: &Binding) -> Result<Ipv4Addr, SetupError> {
    if let Some(id) = conf.router.as_ref().and_then(|r| r.router_id) {
        return Ok(id);
    }
    let loopback = binding
        .interfaces
        .iter()
        .filter(|b| b.kind == BoundKind::Loopback && !b.addr.is_loopback())
        .map(|b| b.addr)
        .max();
    loopback
        .or_else(|| binding.interfaces.iter().map(|b| b.addr).max())
        .ok_or_else(|| {
            SetupError("no `ospf router-id` and no OSPF address to take one from".into())
        })
}

/// The instance configuration. `seed` feeds the jitter PRNG; `crypto_seq_seed` should be
/// the wall-clock time in seconds so that cryptographic sequence numbers still rise after
/// a restart.
pub fn instance_config(router_id: Ipv4Addr, seed: u64, crypto_seq_seed: u32) -> InstanceConfig {
    InstanceConfig::new(router_id)
        .jitter_seed(seed)
        .crypto_seq_seed(crypto_seq_seed)
        .lsdb_events(false)
}

/// Applies the LSDB limit of `max-lsa` (or [`DEFAULT_MAX_LSA`](crate::conf::DEFAULT_MAX_LSA))
/// with its ignore policy, and RFC 1765's `overflow database external`, to the instance
/// configuration.
pub fn lsa_limits(conf: &OspfdConf, icfg: InstanceConfig) -> InstanceConfig {
    let m = conf.router.as_ref().and_then(|r| r.max_lsa);
    let o = conf.router.as_ref().and_then(|r| r.overflow_external);
    let limit = m.map_or(crate::conf::DEFAULT_MAX_LSA, |m| m.limit);
    icfg.max_lsas(Some(limit as usize))
        .lsa_warning_threshold(m.map_or(75, |m| m.threshold))
        .lsa_limit_warning_only(m.is_some_and(|m| m.warning_only))
        .lsa_limit_ignore(m.and_then(|m| m.ignore_policy()))
        .max_external_lsas(o.map(|o| o.limit as usize))
        .exit_overflow_interval(
            o.filter(|o| o.exit_interval > 0)
                .map(|o| ospf_core::time::Duration::from_secs(u64::from(o.exit_interval))),
        )
}

/// Applies the `graceful-restart helper ...` settings to the instance configuration.
pub fn gr_helper(conf: &OspfdConf, icfg: InstanceConfig) -> InstanceConfig {
    icfg.gr_helper(gr_helper_config(conf))
}

/// The graceful restart helper settings of a configuration (FRR's defaults without a
/// `router ospf` block).
pub fn gr_helper_config(conf: &OspfdConf) -> ospf_core::config::GrHelperConfig {
    conf.router
        .as_ref()
        .map(|r| r.gr_helper.clone())
        .unwrap_or_default()
}

/// The route calculation's settings with the given back-off timers.
pub fn spf_config(timers: SpfTimers) -> SpfConfig {
    let mut c = SpfConfig::default();
    c.timers = timers;
    c
}

/// The `area N stub|nssa` and `area N range ...` settings.
pub fn area_configs(conf: &OspfdConf) -> Vec<AreaConfig> {
    let Some(r) = conf.router.as_ref() else {
        return Vec::new();
    };
    r.areas
        .iter()
        .map(|(id, a)| {
            a.ranges.iter().fold(
                AreaConfig::new(*id).kind(
                    a.default_cost
                        .map_or(a.kind, |c| a.kind.with_default_cost(c)),
                ),
                |c, x| c.range(*x),
            )
        })
        .collect()
}

/// The `summary-address` aggregates.
pub fn summary_addresses(conf: &OspfdConf) -> Vec<ospf_core::config::SummaryAddress> {
    conf.router
        .as_ref()
        .map(|r| r.summary_addresses.clone())
        .unwrap_or_default()
}

/// The authentication of an interface or virtual link (`what`, for errors; `hint`, the
/// line that gives a key): the mode and the keys configured.
fn auth_config(
    what: &str,
    hint: &str,
    mode: Option<AuthMode>,
    simple_key: Option<&str>,
    digest_keys: &[crate::conf::DigestKey],
) -> Result<AuthConfig, SetupError> {
    Ok(match mode {
        None | Some(AuthMode::Null) => AuthConfig::Null,
        Some(AuthMode::Simple) => AuthConfig::simple(simple_key.unwrap_or("").as_bytes())
            .map_err(|e| SetupError(format!("{what}: {e}")))?,
        Some(AuthMode::MessageDigest) => {
            if digest_keys.is_empty() {
                return Err(SetupError(format!(
                    "{what}: message-digest authentication without a key (`{hint}`)"
                )));
            }
            // Every key verifies; the most recently configured one signs, as in FRR.
            digest_keys
                .iter()
                .map(|k| {
                    let algorithm = match k.algorithm {
                        DigestAlgorithm::Md5 => CryptoAlgorithm::Md5,
                        DigestAlgorithm::HmacSha1 => CryptoAlgorithm::HmacSha1,
                        DigestAlgorithm::HmacSha256 => CryptoAlgorithm::HmacSha256,
                        DigestAlgorithm::HmacSha384 => CryptoAlgorithm::HmacSha384,
                        DigestAlgorithm::HmacSha512 => CryptoAlgorithm::HmacSha512,
                    };
                    CryptoKey::new(k.id, algorithm, k.key.as_bytes())
                })
                .collect::<Result<Vec<_>, _>>()
                .and_then(|keys| AuthConfig::crypto(&keys))
                .map_err(|e| SetupError(format!("{what}: {e}")))?
        }
    })
}

/// The `area N virtual-link R ...` links (RFC 2328 §15) as the engine takes them: FRR's
/// defaults (hello 10 s, dead 40 s, retransmit 5 s, transmit delay 1 s) and, without
/// their own `authentication`, the backbone's.
pub fn virtual_links(
    conf: &OspfdConf,
) -> Result<Vec<ospf_core::config::VirtualLinkConfig>, SetupError> {
    let Some(r) = conf.router.as_ref() else {
        return Ok(Vec::new());
    };
    let backbone_auth = r
        .areas
        .get(&Ipv4Addr::UNSPECIFIED)
        .and_then(|a| a.authentication);
    r.virtual_links
        .iter()
        .map(|v| {
            let auth = auth_config(
                &format!("virtual link to {} across area {}", v.peer, v.area),
                "area N virtual-link A.B.C.D message-digest-key N md5 KEY",
                v.authentication.or(backbone_auth),
                v.authentication_key.as_deref(),
                &v.digest_keys,
            )?;
            Ok(ospf_core::config::VirtualLinkConfig::new(v.area, v.peer)
                .hello_interval(v.hello_interval.unwrap_or(10))
                .dead_interval(u32::from(v.dead_interval.unwrap_or(40)))
                .rxmt_interval(v.retransmit_interval.unwrap_or(5))
                .transmit_delay(v.transmit_delay.unwrap_or(1))
                .auth(auth))
        })
        .collect()
}

/// The engine configuration of one bound interface (its link speed, for the automatic
/// cost, comes from [`BoundInterface::speed_mbps`]).
pub fn interface_config(
    conf: &OspfdConf,
    b: &BoundInterface,
) -> Result<InterfaceConfig, SetupError> {
    let s = &b.settings;
    let if_type = match b.kind {
        BoundKind::Broadcast => InterfaceType::Broadcast,
        BoundKind::PointToPoint => InterfaceType::PointToPoint,
        BoundKind::Loopback => InterfaceType::Loopback,
        BoundKind::Nbma => InterfaceType::Nbma,
        BoundKind::PointToMultipoint => InterfaceType::PointToMultipoint,
        BoundKind::PointToMultipointNonBroadcast => InterfaceType::PointToMultipointNonBroadcast,
    };
    let (hello, dead) = match s.dead_interval {
        Some(DeadInterval::Minimal { .. }) => (1, 1),
        Some(DeadInterval::Seconds(d)) => (s.hello_interval.unwrap_or(10), u32::from(d)),
        None => {
            let h = s.hello_interval.unwrap_or(10);
            (h, 4 * u32::from(h))
        }
    };
    let cost = match (s.cost, b.kind) {
        (Some(cost), _) => cost,
        (None, BoundKind::Loopback) => 0,
        (None, _) => {
            let reference = conf
                .router
                .as_ref()
                .and_then(|r| r.reference_bandwidth)
                .unwrap_or(DEFAULT_REFERENCE_BANDWIDTH);
            let bandwidth = s
                .bandwidth
                .or(b.speed_mbps)
                .unwrap_or(UNKNOWN_SPEED_BANDWIDTH);
            auto_cost(reference, bandwidth)
        }
    };
    let area_auth = conf
        .router
        .as_ref()
        .and_then(|r| r.areas.get(&b.area))
        .and_then(|a| a.authentication);
    let auth = auth_config(
        &format!("interface {}", b.name),
        "ip ospf message-digest-key N md5 KEY",
        s.authentication.or(area_auth),
        s.authentication_key.as_deref(),
        &s.digest_keys,
    )?;
    let hello_multiplier = match s.dead_interval {
        Some(DeadInterval::Minimal { hello_multiplier }) => hello_multiplier.max(1),
        _ => 0,
    };
    let mut icfg = InterfaceConfig::new(b.addr, b.prefix_len);
    if if_type.is_non_broadcast() {
        // `neighbor` lines of `router ospf` whose address is on this interface's subnet
        // (as FRR assigns them).
        let mask = u32::from(ospf_core::config::prefix_mask(b.prefix_len));
        let net = u32::from(b.addr) & mask;
        let statics = conf.router.iter().flat_map(|r| &r.neighbors);
        for n in statics.filter(|n| u32::from(n.addr) & mask == net && n.addr != b.addr) {
            icfg = icfg.neighbor(
                StaticNeighbor::new(n.addr)
                    .priority(n.priority)
                    .poll_interval(n.poll_interval),
            );
        }
    }
    Ok(icfg
        .if_type(if_type)
        .area(b.area)
        .hello_interval(hello)
        .dead_interval(dead)
        .rxmt_interval(s.retransmit_interval.unwrap_or(5))
        .transmit_delay(s.transmit_delay.unwrap_or(1))
        .cost(cost)
        .priority(s.priority.unwrap_or(1))
        .mtu(u16::try_from(b.mtu).unwrap_or(u16::MAX).max(576))
        .mtu_ignore(s.mtu_ignore)
        .passive(b.passive)
        .auth(auth)
        .hello_multiplier(hello_multiplier))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bind::bind_interfaces_with_speed;
    use crate::link::{Addr, Link};

    #[test]
    fn the_lsdb_is_bounded_by_default_and_by_max_lsa() {
        let base = || InstanceConfig::new(Ipv4Addr::new(1, 1, 1, 1));
        let conf = OspfdConf::parse("router ospf\n").unwrap();
        let c = lsa_limits(&conf, base());
        assert_eq!(c.max_lsas, Some(crate::conf::DEFAULT_MAX_LSA as usize));
        assert!(!c.lsa_limit_warning_only);
        let conf = OspfdConf::parse("router ospf\n max-lsa 900 60 warning-only\n").unwrap();
        let c = lsa_limits(&conf, base());
        assert_eq!(c.max_lsas, Some(900));
        assert_eq!(c.lsa_warning_threshold, 60);
        assert!(c.lsa_limit_warning_only);
        assert_eq!((c.lsa_limit_ignore, c.max_external_lsas), (None, None));
        let conf = OspfdConf::parse(
            "router ospf\n max-lsa 900 ignore-time 1\n overflow database external 500 0\n",
        )
        .unwrap();
        let c = lsa_limits(&conf, base());
        let p = c.lsa_limit_ignore.unwrap();
        assert_eq!(p.ignore_time, ospf_core::time::Duration::from_secs(60));
        assert_eq!(c.max_external_lsas, Some(500));
        assert_eq!(c.exit_overflow_interval, None, "0: never leave");
        let conf = OspfdConf::parse("router ospf\n overflow database external 500\n").unwrap();
        let c = lsa_limits(&conf, base());
        assert_eq!(
            c.exit_overflow_interval,
            Some(ospf_core::time::Duration::from_secs(300))
        );
    }

    fn host() -> (Vec<Link>, Vec<Addr>) {
        crate::test_util::seed_host()
    }

    #[test]
    fn seed_config_maps_to_engine_config() {
        let conf = OspfdConf::parse(crate::test_util::SEED).unwrap();
        let (links, addrs) = host();
        let b = bind_interfaces_with_speed(&conf, &links, &addrs, |_| None);
        assert_eq!(router_id(&conf, &b).unwrap(), Ipv4Addr::new(10, 0, 0, 1));
        let lo = interface_config(&conf, &b.interfaces[0]).unwrap();
        assert_eq!(lo.if_type, InterfaceType::Loopback);
        assert_eq!(
            (lo.address, lo.prefix_len, lo.cost),
            (Ipv4Addr::new(172, 16, 0, 1), 32, 0)
        );
        assert_eq!(lo.mtu, 65535);
        let eth0 = interface_config(&conf, &b.interfaces[1]).unwrap();
        assert_eq!(eth0.if_type, InterfaceType::Broadcast);
        assert_eq!(
            (eth0.hello_interval, eth0.dead_interval, eth0.rxmt_interval),
            (10, 40, 5)
        );
        assert_eq!((eth0.cost, eth0.priority, eth0.mtu), (10, 1, 1500));
        assert_eq!(eth0.auth, AuthConfig::Null);
    }

    #[test]
    fn interface_settings_and_authentication_map() {
        let conf = OspfdConf::parse(
            "interface eth0\n ip ospf hello-interval 2\n ip ospf cost 33\n ip ospf priority 0\n ip ospf network point-to-point\n ip ospf message-digest-key 1 md5 old\n ip ospf message-digest-key 2 md5 new\n ip ospf mtu-ignore\n\
             router ospf\n network 10.0.0.0/8 area 0.0.0.1\n network 172.16.0.0/16 area 1\n area 1 authentication message-digest\n area 1 stub no-summary\n",
        )
        .unwrap();
        let (links, addrs) = host();
        let b = bind_interfaces_with_speed(&conf, &links, &addrs, |_| None);
        // The loopback's highest non-127 address is the router ID.
        assert_eq!(router_id(&conf, &b).unwrap(), Ipv4Addr::new(172, 16, 0, 1));
        let eth0 = interface_config(&conf, b.by_key(2).unwrap()).unwrap();
        assert_eq!(eth0.if_type, InterfaceType::PointToPoint);
        assert_eq!((eth0.hello_interval, eth0.dead_interval), (2, 8));
        assert_eq!((eth0.cost, eth0.priority), (33, 0));
        assert!(eth0.mtu_ignore);
        let AuthConfig::Crypto(keys) = &eth0.auth else {
            panic!("{:?}", eth0.auth)
        };
        let ids: Vec<u8> = keys.iter().map(|k| k.id).collect();
        assert_eq!(ids, vec![1, 2]);
        assert_eq!(keys[1].algorithm, CryptoAlgorithm::Md5);
        assert_eq!(keys[1].secret(), b"new");
        // The area asks for message-digest but lo has no key.
        let err = interface_config(&conf, b.by_key(1).unwrap()).unwrap_err();
        assert!(err.0.contains("without a key"), "{err}");
        let areas = area_configs(&conf);
        assert_eq!(areas.len(), 1);
        assert_eq!(areas[0].kind, ospf_core::config::AreaKind::stub(true));
    }

    #[test]
    fn network_types_and_neighbors_map_as_frr_assigns_them() {
        let text = |t: &str| {
            format!(
                "interface eth0\n ip ospf network {t}\nrouter ospf\n network 10.0.0.0/24 area 0\n \
                 neighbor 10.0.0.2 priority 5 poll-interval 30\n neighbor 10.0.0.3\n \
                 neighbor 192.168.9.9 priority 1\n"
            )
        };
        let (links, addrs) = host();
        let map = |t: &str| {
            let conf = OspfdConf::parse(&text(t)).unwrap();
            let b = bind_interfaces_with_speed(&conf, &links, &addrs, |_| None);
            interface_config(&conf, b.by_key(2).unwrap()).unwrap()
        };
        let nbma = map("non-broadcast");
        assert_eq!(nbma.if_type, InterfaceType::Nbma);
        // Only the neighbors on eth0's subnet, with FRR's defaults where not given.
        assert_eq!(
            nbma.neighbors,
            vec![
                StaticNeighbor::new(Ipv4Addr::new(10, 0, 0, 2))
                    .priority(5)
                    .poll_interval(30),
                StaticNeighbor::new(Ipv4Addr::new(10, 0, 0, 3))
                    .priority(0)
                    .poll_interval(120),
            ]
        );
        let p2mp_nb = map("point-to-multipoint non-broadcast");
        assert_eq!(
            p2mp_nb.if_type,
            InterfaceType::PointToMultipointNonBroadcast
        );
        assert_eq!(p2mp_nb.neighbors.len(), 2);
        // Broadcast-capable types ignore the `neighbor` lines, as FRR does.
        let p2mp = map("point-to-multipoint");
        assert_eq!(p2mp.if_type, InterfaceType::PointToMultipoint);
        assert!(p2mp.neighbors.is_empty());
        assert!(map("broadcast").neighbors.is_empty());
    }

    #[test]
    fn simple_password_and_minimal_dead_interval() {
        let conf = OspfdConf::parse(
            "interface eth0\n ip ospf authentication\n ip ospf authentication-key abc\n ip ospf dead-interval minimal hello-multiplier 5\nrouter ospf\n network 10.0.0.0/24 area 0\n",
        )
        .unwrap();
        let (links, addrs) = host();
        let b = bind_interfaces_with_speed(&conf, &links, &addrs, |_| None);
        let eth0 = interface_config(&conf, &b.interfaces[0]).unwrap();
        assert_eq!(eth0.auth, AuthConfig::Simple(*b"abc\0\0\0\0\0"));
        assert_eq!((eth0.hello_multiplier, eth0.dead_interval), (5, 1));
        assert_eq!(eth0.wire_hello_interval(), 0);
        assert_eq!(
            eth0.hello_period(),
            ospf_core::time::Duration::from_millis(200)
        );
        assert!(router_id(&OspfdConf::default(), &Binding::default()).is_err());
    }

    #[test]
    fn automatic_cost_follows_frr() {
        assert_eq!(auto_cost(DEFAULT_REFERENCE_BANDWIDTH, 10_000), 10);
        assert_eq!(auto_cost(DEFAULT_REFERENCE_BANDWIDTH, 1_000), 100);
        assert_eq!(auto_cost(DEFAULT_REFERENCE_BANDWIDTH, 400_000), 1); // 0.25 -> at least 1
        assert_eq!(auto_cost(100, 40), 3); // 2.5 rounds up, as FRR's `+ 0.5`
        assert_eq!(auto_cost(100, 45), 2); // 2.22 rounds down
        assert_eq!(auto_cost(4_294_967, 1), 65535); // capped
        assert_eq!(auto_cost(100, 0), 100); // never divides by zero
    }

    #[test]
    fn cost_from_reference_bandwidth_and_link_speed() {
        let (mut links, mut addrs) = host();
        links.push(Link {
            ifindex: 3,
            name: "eth1".into(),
            ..links[1].clone()
        });
        addrs.push(Addr {
            ifindex: 3,
            addr: Ipv4Addr::new(10, 0, 1, 1),
            prefix_len: 24,
            peer: None,
        });
        let speeds = |l: &Link| match l.name.as_str() {
            "eth0" => Some(1_000),
            "eth1" => None,
            other => panic!("speed asked for {other}"),
        };
        let costs = |text: &str| -> Vec<u16> {
            let conf = OspfdConf::parse(text).unwrap();
            let b = bind_interfaces_with_speed(&conf, &links, &addrs, speeds);
            [1, 2, 3]
                .iter()
                .map(|&k| interface_config(&conf, b.by_key(k).unwrap()).unwrap().cost)
                .collect()
        };
        let nets = "router ospf\n network 0.0.0.0/0 area 0\n";
        // Default reference 100 Gbit/s: 1 Gbit/s -> 100, unknown speed -> 10 Gbit/s -> 10.
        assert_eq!(costs(nets), vec![0, 100, 10]);
        // The reference bandwidth scales both.
        assert_eq!(
            costs(&format!("{nets} auto-cost reference-bandwidth 1000\n")),
            vec![0, 1, 1]
        );
        assert_eq!(
            costs(&format!("{nets} auto-cost reference-bandwidth 4294967\n")),
            vec![0, 4295, 429]
        );
        // `bandwidth` (Mbit/s) beats the link speed; `ip ospf cost` beats both, also on lo.
        assert_eq!(
            costs(&format!(
                "interface eth0\n bandwidth 25000\ninterface eth1\n ip ospf cost 7\n bandwidth 1\ninterface lo\n ip ospf cost 3\n{nets}"
            )),
            vec![3, 4, 7]
        );
    }

    #[test]
    fn timers_map() {
        let conf = OspfdConf::parse(
            "interface eth0\n ip ospf hello-interval 3\n ip ospf dead-interval 13\n ip ospf retransmit-interval 9\n ip ospf transmit-delay 2\nrouter ospf\n network 10.0.0.0/24 area 0\n",
        )
        .unwrap();
        let (links, addrs) = host();
        let b = bind_interfaces_with_speed(&conf, &links, &addrs, |_| None);
        let eth0 = interface_config(&conf, &b.interfaces[0]).unwrap();
        assert_eq!(
            (
                eth0.hello_interval,
                eth0.dead_interval,
                eth0.rxmt_interval,
                eth0.transmit_delay
            ),
            (3, 13, 9, 2)
        );
    }
}
