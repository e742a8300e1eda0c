//! The settings shared by every daemon of the project (`server-speaker`, `ecmp-router`,
//! `ospf-rsd`, `anycast-http`) and by embedders: one set of defaults.

use std::path::PathBuf;
use std::time::Duration;

use ospf_core::config::{InstanceConfig, InterfaceConfig};
use ospf_core::spf::SpfTimers;
use ospf_core::time::Duration as EngineDuration;

/// Default path of the control socket.
pub const DEFAULT_SOCKET: &str = "/run/ospf-rs/ospfd.sock";
/// Where the daemons keep state across a graceful restart (a tmpfs: after a reboot the
/// kernel routes are gone too, and so is any reason to restart gracefully).
pub const DEFAULT_STATE_DIR: &str = "/run/ospf-rs";

/// Default upper bound on the wait for the flush to be acknowledged at shutdown.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(2);

/// MinLSInterval of the speaker and the router.
pub const MIN_LS_INTERVAL: EngineDuration = EngineDuration::from_millis(100);

/// Engine settings for an anycast deployment where every OSPF router is ours: LSAs
/// re-originated within 100 ms and accepted without MinLSArrival, and a route calculation
/// that runs at once on the first change (RFC 8405 back-off: 0 ms initial, 10 ms short,
/// 100 ms long delay, back to quiet after 1 s without changes).
///
/// With RFC 2328's MinLSInterval 5 s and MinLSArrival 1 s a new adjacency costs five
/// seconds twice over: the DR's second Network-LSA (the next neighbor reaches Full a
/// millisecond after the first) waits out MinLSInterval, and a speaker's Router-LSA with
/// the transit link, flooded just after the router took the previous instance in the
/// database exchange, is discarded under MinLSArrival and returns only with the
/// retransmission five seconds later.
pub fn fast_failover(cfg: InstanceConfig) -> InstanceConfig {
    let timers = SpfTimers::default()
        .with_delays(
            EngineDuration::ZERO,
            EngineDuration::from_millis(10),
            EngineDuration::from_millis(100),
        )
        .with_intervals(
            EngineDuration::from_secs(1),
            EngineDuration::from_millis(500),
        );
    let spf = cfg.spf.with_timers(timers);
    cfg.min_ls_interval(MIN_LS_INTERVAL)
        .min_ls_arrival(EngineDuration::ZERO)
        .spf(spf)
}

/// Sub-second Hellos on an interface: `n` Hellos a second and a dead interval of 1 s
/// (FRR's `ip ospf dead-interval minimal hello-multiplier N`): a crashed server leaves the
/// router's table within a second.
pub fn fast_hello(cfg: InterfaceConfig, n: u8) -> InterfaceConfig {
    cfg.hello_multiplier(n.max(1))
}

/// The daemons' options on top of the configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
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
    /// Turn SIGINT/SIGTERM into a graceful shutdown (daemons: yes; embedders: their
    /// choice, off by default).
    pub handle_signals: bool,
}

impl Default for Options {
    /// The default control socket, fast timers, a 2 s shutdown timeout, signals left to
    /// the caller.
    fn default() -> Self {
        Options {
            control_path: Some(PathBuf::from(DEFAULT_SOCKET)),
            fast_hello: None,
            rfc_timers: false,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            handle_signals: false,
        }
    }
}

impl Options {
    /// The daemons' defaults: [`Options::default`] with signals handled.
    pub fn daemon() -> Self {
        Options {
            handle_signals: true,
            ..Options::default()
        }
    }
}
