//! What `server-speaker` and `ecmp-router` add to [`ospf_std::runtime`]: the fast engine
//! settings, the `--fast-hello` option, the show commands in the IOS/FRR layout and the
//! health checker's wiring.
//!
//! The daemon loop itself is the runtime's ([`Runtime`]): one thread and one `poll(2)`
//! over the OSPF sockets, the link monitor, a signalfd (SIGTERM, SIGINT), the control
//! socket and an eventfd; routes go to the [`Fib`](ospf_std::fib::Fib) in batches, refused
//! changes are retried; SIGTERM flushes our LSAs and exits when the neighbors acknowledged
//! the flush (or after [`RuntimeConfig::shutdown_timeout`]).
//!
//! * [`runtime_config`]: a [`RuntimeConfig`] with [`fast_failover`] engine settings
//!   (unless [`DaemonOptions::rfc_timers`]), sub-second Hellos on every broadcast and
//!   point-to-point interface with [`DaemonOptions::fast_hello`], and
//!   [`show_formatter`] answering `show ip ospf neighbor` and friends ([`crate::show`]).
//! * [`spawn_health`]: runs an [`ospf_std::health`] checker (options: [`crate::health`]) and reports its verdicts to
//!   [`RuntimeHandle::set_healthy`]: when the service is down every loopback address of
//!   the configuration leaves OSPF (a new Router-LSA without its host stub), and comes
//!   back when it is up again.
//!
//! Needs CAP_NET_RAW (raw sockets) and, for a router, CAP_NET_ADMIN (routes).

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use ospf_std::bind::BoundKind;
use ospf_std::conf::OspfdConf;
use ospf_std::health::HealthState;
use ospf_std::runtime::{Formatter, Runtime, RuntimeConfig, RuntimeHandle};
use tracing::info;

use crate::router::{fast_failover, fast_hello};
use crate::show::Snapshot;

/// Default path of the control socket.
pub const DEFAULT_SOCKET: &str = "/run/ospf-rs/ospfd.sock";

/// Sends one line to a daemon's control socket and returns its answer.
pub use ospf_std::control::request;

/// The example daemons' options on top of the configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonOptions {
    /// Control socket path (`None`: no control socket).
    pub control_path: Option<PathBuf>,
    /// Sub-second Hellos: this many per second with a dead interval of 1 s on every
    /// broadcast and point-to-point interface (FRR's `dead-interval minimal
    /// hello-multiplier N`).
    pub fast_hello: Option<u8>,
    /// RFC 2328 LSA timers and the runtime's default route calculation back-off instead
    /// of [`fast_failover`].
    pub rfc_timers: bool,
    /// Upper bound on the wait for the flush to be acknowledged at shutdown.
    pub shutdown_timeout: Duration,
}

impl Default for DaemonOptions {
    /// The default control socket, fast timers, a 2 s shutdown timeout.
    fn default() -> Self {
        DaemonOptions {
            control_path: Some(PathBuf::from(DEFAULT_SOCKET)),
            fast_hello: None,
            rfc_timers: false,
            shutdown_timeout: Duration::from_secs(2),
        }
    }
}

/// A runtime configuration for `conf` with the example daemons' settings (the FIB is
/// the runtime's default, [`NoopFib`](ospf_std::fib::NoopFib): set
/// [`RuntimeConfig::fib`] for a router).
pub fn runtime_config(conf: OspfdConf, opts: &DaemonOptions) -> RuntimeConfig {
    let mut cfg = RuntimeConfig::new(conf);
    cfg.control_path = opts.control_path.clone();
    cfg.shutdown_timeout = opts.shutdown_timeout;
    if !opts.rfc_timers {
        cfg.configure_instance = Some(Box::new(fast_failover));
    }
    if let Some(n) = opts.fast_hello {
        cfg.configure_interface = Some(Box::new(move |b, c| {
            if b.kind == BoundKind::Loopback {
                c
            } else {
                fast_hello(c, n)
            }
        }));
    }
    cfg.formatter = Some(show_formatter());
    cfg
}

/// Answers `show ip ospf neighbor|database|interface [json]` and `show ip route ospf
/// [json]` in the IOS/FRR layout ([`Snapshot::answer`]).
pub fn show_formatter() -> Formatter {
    Box::new(|rt: &Runtime, line: &str| Some(Snapshot::of_runtime(rt).answer(line)))
}

/// Runs the health checker (if any) on its own thread, reporting to `handle`. Returns
/// `None` when no check is configured (the service counts as always up).
pub fn spawn_health(
    args: &crate::health::HealthArgs,
    handle: RuntimeHandle,
) -> io::Result<Option<std::thread::JoinHandle<()>>> {
    let Some(checker) = args.checker() else {
        return Ok(None);
    };
    let initial = checker.initial();
    handle.set_healthy(initial == HealthState::Up);
    let monitor = checker.spawn()?;
    let t = std::thread::Builder::new()
        .name("health-events".into())
        .spawn(move || {
            while let Ok(ev) = monitor.events().recv() {
                match &ev.last_error {
                    Some(err) => {
                        info!(state = %ev.state, probes = ev.probes, "health check: {}", err.detail())
                    }
                    None => info!(state = %ev.state, probes = ev.probes, "health check"),
                }
                handle.set_healthy(ev.state == HealthState::Up);
            }
        })?;
    Ok(Some(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ospf_std::bind::bind_interfaces;
    use ospf_std::core_config;
    use ospf_std::link::{Addr, Link};
    use std::net::Ipv4Addr;

    /// The seed's file, verbatim (tabs included).
    const SEED: &str = "hostname server1\ninterface eth0\nrouter ospf\n\tospf router-id 10.0.0.1\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n";

    fn seed_binding(conf: &OspfdConf) -> ospf_std::bind::Binding {
        let link = |ifindex, name: &str, loopback| Link {
            ifindex,
            name: name.into(),
            up: true,
            mtu: if loopback { 65536 } else { 1500 },
            loopback,
            point_to_point: false,
            multicast: !loopback,
        };
        let addr = |ifindex, a: [u8; 4], prefix_len| Addr {
            ifindex,
            addr: Ipv4Addr::from(a),
            prefix_len,
            peer: None,
        };
        let links = [link(1, "lo", true), link(2, "eth0", false)];
        let addrs = [
            addr(1, [127, 0, 0, 1], 8),
            addr(1, [172, 16, 0, 1], 32),
            addr(2, [10, 0, 0, 1], 24),
        ];
        bind_interfaces(conf, &links, &addrs)
    }

    #[test]
    fn seed_config_announces_the_loopback_as_a_host_stub() {
        let conf = OspfdConf::parse(SEED).unwrap();
        let b = seed_binding(&conf);
        assert_eq!(
            core_config::router_id(&conf, &b).unwrap(),
            Ipv4Addr::new(10, 0, 0, 1)
        );
        let lo = b
            .interfaces
            .iter()
            .find(|i| i.addr == Ipv4Addr::new(172, 16, 0, 1))
            .expect("loopback bound");
        assert_eq!(lo.kind, BoundKind::Loopback);
        let c = core_config::interface_config(&conf, lo).unwrap();
        assert_eq!(c.if_type, ospf_core::config::InterfaceType::Loopback);
        assert_eq!((c.prefix_len, c.cost), (32, 0));
        assert!(b.interfaces.iter().any(|i| i.name == "eth0"));
        assert!(!b.interfaces.iter().any(|i| i.addr.is_loopback()));
    }

    #[test]
    fn options_map_to_runtime_hooks() {
        let conf = OspfdConf::parse(SEED).unwrap();
        let b = seed_binding(&conf);
        let opts = DaemonOptions {
            fast_hello: Some(4),
            ..DaemonOptions::default()
        };
        let cfg = runtime_config(conf.clone(), &opts);
        assert_eq!(cfg.shutdown_timeout, Duration::from_secs(2));
        assert_eq!(cfg.control_path, Some(PathBuf::from(DEFAULT_SOCKET)));
        assert!(cfg.formatter.is_some());
        // Fast LSA timers.
        let inst = cfg.configure_instance.as_ref().expect("fast timers")(
            ospf_core::config::InstanceConfig::new(Ipv4Addr::new(10, 0, 0, 1)),
        );
        assert_eq!(inst.min_ls_interval, crate::router::MIN_LS_INTERVAL);
        assert_eq!(inst.min_ls_arrival, ospf_core::time::Duration::ZERO);
        // Sub-second Hellos on eth0, none on the loopback.
        let hook = cfg.configure_interface.as_ref().expect("fast hello");
        for i in &b.interfaces {
            let c = hook(i, core_config::interface_config(&conf, i).unwrap());
            if i.kind == BoundKind::Loopback {
                assert_eq!(c.hello_multiplier, 0);
            } else {
                assert_eq!((c.hello_multiplier, c.dead_interval), (4, 1));
            }
        }
        let rfc = runtime_config(
            conf,
            &DaemonOptions {
                rfc_timers: true,
                control_path: None,
                ..DaemonOptions::default()
            },
        );
        assert!(rfc.configure_instance.is_none() && rfc.configure_interface.is_none());
        assert!(rfc.control_path.is_none());
    }
}
