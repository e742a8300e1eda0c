//! The typed embedding API: start an OSPF speaker or router from a builder or an
//! `ospfd.conf` text, run it on its own thread ([`Builder::spawn`]), in a loop of your
//! own ([`Builder::build`] and [`Runtime::step`]) or, with the `tokio` feature, on a
//! tokio runtime (`Builder::spawn_tokio`); control and query it from any thread through
//! a cloneable [`Handle`] with typed results; subscribe to [`Event`]s.
//!
//! ```no_run
//! use std::time::Duration;
//! use ospf_std::api::Builder;
//!
//! # fn main() -> Result<(), ospf_std::api::Error> {
//! // The seed's server: announce 172.16.0.1/32 (on lo) to the router on eth0.
//! let (ospf, thread) = Builder::speaker()
//!     .router_id("10.0.0.1".parse().unwrap())
//!     .network("10.0.0.0/24".parse().unwrap(), 0)
//!     .network("172.16.0.1/32".parse().unwrap(), 0)
//!     .control_socket(None)
//!     .spawn()?;
//! let events = ospf.subscribe();
//! for n in ospf.neighbors()? {
//!     println!("{} {:?}", n.router_id, n.state);
//! }
//! ospf.set_health(false)?;               // the service failed: withdraw the /32
//! ospf.set_health(true)?;                // back
//! ospf.drain()?;                         // graceful stop: withdraw, adjacency kept ...
//! ospf.wait_drained(Duration::from_secs(5))?; // ... until the router has it
//! ospf.shutdown();
//! thread.join().expect("runtime thread")?;
//! # drop(events);
//! # Ok(())
//! # }
//! ```

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::Prefix;
use crate::bind::BoundKind;
use crate::conf::{InterfaceConf, NetworkStatement, OspfdConf, RouterConf, VirtualLinkConf};
use crate::fib::{Fib, KernelFib, KernelFibConfig, NoopFib};
use crate::presets::{self, Options};
pub use crate::runtime::{Error, Event, Handle, ReloadSummary, Runtime, RuntimeConfig};
pub use crate::state::{
    InterfaceStatus, LsaSummary, LsdbSummary, NeighborStatus, RouteEntry, RoutePath, Snapshot,
};

/// What the process is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// An anycast server's speaker: announces its loopback addresses, installs no routes.
    Speaker,
    /// A router: installs the routes it computes in the kernel (ECMP through nexthop
    /// groups, resilient by default).
    Router,
}

/// Builds a [`Runtime`]: from a configuration (text, file or typed calls) and options.
#[must_use]
pub struct Builder {
    role: Role,
    conf: OspfdConf,
    conf_path: Option<PathBuf>,
    options: Options,
    fib: Option<Box<dyn Fib + Send>>,
    kernel_fib: KernelFibConfig,
    drain_settle: Option<Duration>,
    initially_healthy: bool,
    control_group: Option<String>,
    state_dir: Option<PathBuf>,
    #[cfg(feature = "health")]
    health: Option<crate::health::HealthChecker>,
    services: Vec<crate::service::Service>,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("role", &self.role)
            .field("conf_path", &self.conf_path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Builder {
    fn new(role: Role) -> Self {
        Builder {
            role,
            conf: OspfdConf::default(),
            conf_path: None,
            options: Options::default(),
            fib: None,
            kernel_fib: KernelFibConfig::default(),
            drain_settle: None,
            initially_healthy: true,
            control_group: None,
            state_dir: None,
            #[cfg(feature = "health")]
            health: None,
            services: Vec::new(),
        }
    }

    /// A speaker for an anycast server (no routes installed).
    pub fn speaker() -> Self {
        Builder::new(Role::Speaker)
    }

    /// A router that installs its routes in the kernel.
    pub fn router() -> Self {
        Builder::new(Role::Router)
    }

    /// Takes the configuration from an `ospfd.conf` text (Quagga/FRR dialect).
    pub fn config_text(mut self, text: &str) -> Result<Self, Error> {
        self.conf = OspfdConf::parse(text)?;
        Ok(self)
    }

    /// Takes the configuration from an `ospfd.conf` file (`reload` reads it again).
    pub fn config_file(mut self, path: impl AsRef<Path>) -> Result<Self, Error> {
        self.conf = OspfdConf::from_file(path.as_ref())?;
        self.conf_path = Some(path.as_ref().to_path_buf());
        Ok(self)
    }

    /// Takes a parsed configuration.
    pub fn config(mut self, conf: OspfdConf) -> Self {
        self.conf = conf;
        self
    }

    fn router_conf(&mut self) -> &mut RouterConf {
        self.conf.router.get_or_insert_with(RouterConf::default)
    }

    /// `ospf router-id A.B.C.D`.
    pub fn router_id(mut self, id: Ipv4Addr) -> Self {
        self.router_conf().router_id = Some(id);
        self
    }

    /// `network A.B.C.D/M area N`: OSPF runs on the addresses inside `prefix` (a
    /// loopback /32 is announced as a host stub: the anycast address).
    pub fn network(mut self, prefix: Prefix, area: impl Into<AreaId>) -> Self {
        let area = area.into().0;
        let line = self.router_conf().networks.len() + 1;
        self.router_conf().networks.push(NetworkStatement {
            addr: prefix.addr(),
            len: prefix.prefix_len(),
            area,
            line,
        });
        self
    }

    /// The settings of interface `name` (an `interface NAME` block), changed by `f`:
    /// `.interface("eth0", |i| i.hello_interval = Some(1))`.
    pub fn interface(mut self, name: &str, f: impl FnOnce(&mut InterfaceConf)) -> Self {
        let i = match self.conf.interfaces.iter().position(|i| i.name == name) {
            Some(i) => i,
            None => {
                self.conf.interfaces.push(InterfaceConf {
                    name: name.to_string(),
                    ..InterfaceConf::default()
                });
                self.conf.interfaces.len() - 1
            }
        };
        f(&mut self.conf.interfaces[i]);
        self
    }

    /// `area AREA virtual-link A.B.C.D` (RFC 2328 §15): a virtual link across transit
    /// area `area` to the area border router whose router ID is `peer`, its settings
    /// (FRR's defaults: hello 10 s, dead 40 s, retransmit 5 s, the backbone's
    /// authentication) changed by `f`: `.virtual_link(1, peer, |v| v.hello_interval =
    /// Some(2))`. Naming the same link again changes it. A transit area that is the
    /// backbone, a stub area or an NSSA is refused when the instance is made
    /// ([`Builder::build`]), as in a configuration file.
    pub fn virtual_link(
        mut self,
        area: impl Into<AreaId>,
        peer: Ipv4Addr,
        f: impl FnOnce(&mut VirtualLinkConf),
    ) -> Self {
        let area = area.into().0;
        let links = &mut self.router_conf().virtual_links;
        let i = match links.iter().position(|v| v.area == area && v.peer == peer) {
            Some(i) => i,
            None => {
                links.push(VirtualLinkConf::new(area, peer));
                links.len() - 1
            }
        };
        f(&mut links[i]);
        self
    }

    /// `passive-interface NAME`.
    pub fn passive_interface(mut self, name: &str) -> Self {
        self.router_conf().passive_interfaces.push(name.to_string());
        self
    }

    /// The control socket for `ospfctl` (`None`: none; default
    /// [`presets::DEFAULT_SOCKET`]).
    pub fn control_socket(mut self, path: Option<PathBuf>) -> Self {
        self.options.control_path = path;
        self
    }

    /// The directory of the state kept across a graceful restart (RFC 3623): a
    /// `graceful-restart prepare ip ospf` records there when its grace period ends, for
    /// the next process ([`RuntimeConfig::state_dir`]).
    pub fn state_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.state_dir = dir;
        self
    }

    /// The group owning the control socket (mode 0660): its members may run `ospfctl`.
    pub fn control_group(mut self, group: Option<&str>) -> Self {
        self.control_group = group.map(str::to_string);
        self
    }

    /// Sub-second Hellos (`n` a second, dead interval 1 s) on every broadcast and
    /// point-to-point interface.
    pub fn fast_hello(mut self, n: Option<u8>) -> Self {
        self.options.fast_hello = n;
        self
    }

    /// RFC 2328 LSA timers instead of [`presets::fast_failover`].
    pub fn rfc_timers(mut self, on: bool) -> Self {
        self.options.rfc_timers = on;
        self
    }

    /// Upper bound on the wait for the flush to be acknowledged at shutdown.
    pub fn shutdown_timeout(mut self, d: Duration) -> Self {
        self.options.shutdown_timeout = d;
        self
    }

    /// How long a drain waits after the neighbors acknowledged it (default 200 ms).
    pub fn drain_settle(mut self, d: Duration) -> Self {
        self.drain_settle = Some(d);
        self
    }

    /// Whether the service counts as healthy at start (default yes): `false` keeps the
    /// configured loopback addresses out of OSPF until [`Handle::set_health`]`(true)`.
    pub fn initial_health(mut self, healthy: bool) -> Self {
        self.initially_healthy = healthy;
        self
    }

    /// Health checks of the service behind the configured loopback addresses: while they
    /// fail, the addresses leave OSPF ([`crate::health`], feature `health`).
    #[cfg(feature = "health")]
    pub fn health_checks(mut self, checker: crate::health::HealthChecker) -> Self {
        self.health = Some(checker);
        self
    }

    /// An anycast service of this speaker ([`crate::service`]): its address follows its
    /// own checks, failure action and drain. Repeat for several services; names and
    /// addresses must differ ([`Error::Service`] at [`Builder::build`]).
    pub fn service(mut self, service: crate::service::Service) -> Self {
        self.services.push(service);
        self
    }

    /// Turn SIGINT/SIGTERM into a graceful shutdown, SIGUSR1 into an immediate run of the
    /// health checks (off by default).
    pub fn handle_signals(mut self, on: bool) -> Self {
        self.options.handle_signals = on;
        self
    }

    /// All options at once.
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Where routes go (default: nowhere for a speaker, the kernel for a router).
    pub fn fib(mut self, fib: impl Fib + Send + 'static) -> Self {
        self.fib = Some(Box::new(fib));
        self
    }

    /// The kernel FIB's settings for a router (table, resilient groups).
    pub fn kernel_fib(mut self, cfg: KernelFibConfig) -> Self {
        self.kernel_fib = cfg;
        self
    }

    /// The configuration as built so far.
    pub fn conf(&self) -> &OspfdConf {
        &self.conf
    }

    /// Checks that `addr` is a service address this speaker announces: the configuration
    /// has a `network ADDR/32 area N` line for it and the address is on a loopback
    /// interface of this host (so it comes and goes with [`Handle::set_health`] and
    /// [`Handle::drain`]). Returns the area. For programs that serve on the anycast
    /// address and must refuse one OSPF would never announce.
    pub fn check_service_address(&self, addr: Ipv4Addr) -> Result<AreaId, ServiceAddressError> {
        let area = self
            .conf
            .router
            .iter()
            .flat_map(|r| r.networks.iter())
            .find(|n| n.len == 32 && n.addr == addr)
            .map(|n| AreaId(n.area))
            .ok_or(ServiceAddressError::NotConfigured(addr))?;
        let links = crate::link::LinkMonitor::new()?;
        let on_loopback = links
            .all_addrs()
            .iter()
            .any(|a| a.addr == addr && links.link(a.ifindex).is_some_and(|l| l.loopback));
        if on_loopback {
            Ok(area)
        } else {
            Err(ServiceAddressError::NotOnLoopback(addr))
        }
    }

    /// The runtime configuration: the presets' engine settings unless RFC timers are
    /// asked for, sub-second Hellos where asked for, the FIB of the role.
    pub fn runtime_config(mut self) -> Result<RuntimeConfig, Error> {
        self.runtime_config_mut()
    }

    fn runtime_config_mut(&mut self) -> Result<RuntimeConfig, Error> {
        let fib: Box<dyn Fib + Send> = match (self.fib.take(), self.role) {
            (Some(f), _) => f,
            (None, Role::Speaker) => Box::new(NoopFib),
            (None, Role::Router) => {
                let mut kcfg = self.kernel_fib.clone();
                // With graceful restart on, the routes of an earlier run are kept until
                // the runtime knows whether this start is a restart (and then until
                // the new routes replace them).
                if self
                    .conf
                    .router
                    .as_ref()
                    .is_some_and(|r| r.graceful_restart.is_some())
                {
                    kcfg.adopt_stale = true;
                }
                Box::new(KernelFib::new(kcfg)?)
            }
        };
        let mut cfg = RuntimeConfig::new(std::mem::take(&mut self.conf));
        cfg.conf_path = self.conf_path.take();
        cfg.fib = fib;
        cfg.control_path = self.options.control_path.clone();
        cfg.control_group = self.control_group.clone();
        cfg.state_dir = self.state_dir.clone();
        cfg.shutdown_timeout = self.options.shutdown_timeout;
        cfg.handle_signals = self.options.handle_signals;
        cfg.initially_healthy = self.initially_healthy;
        if let Some(d) = self.drain_settle {
            cfg.drain_settle = d;
        }
        if !self.options.rfc_timers {
            cfg.configure_instance = Some(Box::new(presets::fast_failover));
        }
        if let Some(n) = self.options.fast_hello {
            cfg.configure_interface = Some(Box::new(move |b, c| {
                if b.kind == BoundKind::Loopback {
                    c
                } else {
                    presets::fast_hello(c, n)
                }
            }));
        }
        Ok(cfg)
    }

    /// Builds the runtime, to be driven by the caller ([`Runtime::run`],
    /// [`Runtime::step`]). Signals, if handled, are blocked in the calling thread.
    pub fn build(mut self) -> Result<Runtime, Error> {
        let mut services = crate::service::from_conf(&self.conf)?;
        services.append(&mut self.services);
        crate::service::check_unique(&services)?;
        let mut rt = Runtime::new(self.runtime_config_mut()?)?;
        #[cfg(feature = "health")]
        if let Some(checker) = self.health.take() {
            rt.attach_health(checker)?;
        }
        for s in services {
            rt.add_service(s)?;
        }
        Ok(rt)
    }

    /// Starts the runtime on a thread of its own. Returns once it runs (or failed to
    /// start); the thread ends after a graceful shutdown ([`Handle::shutdown`]).
    pub fn spawn(self) -> Result<(Handle, JoinHandle<Result<(), Error>>), Error> {
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("ospf".into())
            .spawn(move || {
                let mut rt = match self.build() {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return Ok(());
                    }
                };
                let _ = tx.send(Ok(rt.handle()));
                rt.run()
            })?;
        match rx.recv() {
            Ok(Ok(handle)) => Ok((handle, thread)),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => Err(Error::Stopped),
        }
    }

    /// Starts the runtime as a task on the current tokio runtime: its sockets wait on
    /// the reactor, no thread of its own. The task ends after a graceful shutdown.
    #[cfg(feature = "tokio")]
    pub fn spawn_tokio(
        self,
    ) -> Result<(Handle, tokio::task::JoinHandle<Result<(), Error>>), Error> {
        let rt = self.build()?;
        let handle = rt.handle();
        let task = tokio::spawn(rt.run_async());
        Ok((handle, task))
    }
}

/// Why an address is not a service address ([`Builder::check_service_address`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceAddressError {
    /// No `network ADDR/32 area N` line names it.
    #[error("no `network {0}/32 area N` line in the configuration announces {0}")]
    NotConfigured(Ipv4Addr),
    /// It is not on a loopback interface of this host.
    #[error("{0} is not on a loopback interface of this host (ip addr add {0}/32 dev lo)")]
    NotOnLoopback(Ipv4Addr),
    /// The interfaces could not be read.
    #[error("reading the interfaces: {0}")]
    Io(#[from] std::io::Error),
}

/// An OSPF area ID, from a number (`0`) or dotted quad (`0.0.0.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AreaId(pub Ipv4Addr);

impl From<u32> for AreaId {
    fn from(n: u32) -> Self {
        AreaId(Ipv4Addr::from(n))
    }
}

impl From<Ipv4Addr> for AreaId {
    fn from(a: Ipv4Addr) -> Self {
        AreaId(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bind::bind_interfaces_with_speed;
    use crate::core_config;

    #[test]
    fn typed_builder_makes_the_same_configuration_as_the_seed_file() {
        let from_text = Builder::speaker().config_text(SEED).unwrap();
        let typed = Builder::speaker()
            .interface("eth0", |_| {})
            .router_id(Ipv4Addr::new(10, 0, 0, 1))
            .network("10.0.0.0/24".parse().unwrap(), 0)
            .network("172.16.0.1/32".parse().unwrap(), Ipv4Addr::UNSPECIFIED);
        let (a, b) = (
            from_text.conf().router.clone().unwrap(),
            typed.conf().router.clone().unwrap(),
        );
        assert_eq!(a.router_id, b.router_id);
        let nets = |r: &RouterConf| -> Vec<(Ipv4Addr, u8, Ipv4Addr)> {
            r.networks.iter().map(|n| (n.addr, n.len, n.area)).collect()
        };
        assert_eq!(nets(&a), nets(&b));
        let names = |b: &Builder| -> Vec<String> {
            b.conf().interfaces.iter().map(|i| i.name.clone()).collect()
        };
        assert_eq!(names(&from_text), names(&typed));
        // Interface settings as the file's `ip ospf ...` lines give them.
        let fast = typed.interface("eth0", |i| i.hello_interval = Some(1));
        assert_eq!(fast.conf().interfaces.len(), 1);
        assert_eq!(fast.conf().interfaces[0].hello_interval, Some(1));
    }

    #[test]
    fn typed_virtual_links_match_the_file_and_a_bad_transit_area_is_refused() {
        let peer = Ipv4Addr::new(10, 0, 0, 3);
        let text = "router ospf\n ospf router-id 10.0.0.1\n area 1 virtual-link 10.0.0.3\n \
                    area 1 virtual-link 10.0.0.3 hello-interval 2\n \
                    area 1 virtual-link 10.0.0.3 dead-interval 8\n";
        let from_text = Builder::router().config_text(text).unwrap();
        let typed = Builder::router()
            .fib(NoopFib)
            .control_socket(None)
            .router_id(Ipv4Addr::new(10, 0, 0, 1))
            .virtual_link(1, peer, |v| v.hello_interval = Some(2))
            .virtual_link(Ipv4Addr::new(0, 0, 0, 1), peer, |v| {
                v.dead_interval = Some(8)
            });
        assert_eq!(typed.conf().router.as_ref().unwrap().virtual_links.len(), 1);
        let engine = |b: &Builder| core_config::virtual_links(b.conf()).unwrap();
        assert_eq!(engine(&from_text), engine(&typed));
        let v = &engine(&typed)[0];
        assert_eq!((v.transit_area, v.peer), (Ipv4Addr::new(0, 0, 0, 1), peer));
        assert_eq!((v.hello_interval, v.dead_interval), (2, 8));
        // The instance takes it (no interface needed: it stays Down without a path).
        let rt = Runtime::new(typed.runtime_config().unwrap()).unwrap();
        assert_eq!(rt.instance().virtual_links().count(), 1);
        // Across the backbone: refused, naming the link.
        let bad = Builder::router()
            .fib(NoopFib)
            .control_socket(None)
            .router_id(Ipv4Addr::new(10, 0, 0, 1))
            .virtual_link(0, peer, |_| {});
        let e = match Runtime::new(bad.runtime_config().unwrap()) {
            Ok(_) => panic!("a virtual link across the backbone is refused"),
            Err(e) => e.to_string(),
        };
        assert!(
            e.contains("virtual link to 10.0.0.3 across area 0.0.0.0"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_configuration_text_is_a_typed_error_with_its_source() {
        let e = Builder::speaker()
            .config_text("router ospf\n ospf router-id 10.0.0.300\n")
            .unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{e:?}");
        assert!(std::error::Error::source(&e).is_some());
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn speaker_runtime_config_takes_the_presets() {
        let cfg = Builder::speaker()
            .fast_hello(Some(4))
            .control_socket(None)
            .runtime_config()
            .unwrap();
        assert!(cfg.configure_instance.is_some());
        assert!(cfg.configure_interface.is_some());
        assert!(!cfg.handle_signals, "signals are the caller's choice");
        assert!(cfg.control_path.is_none());
        let rfc = Builder::speaker()
            .rfc_timers(true)
            .runtime_config()
            .unwrap();
        assert!(rfc.configure_instance.is_none());
        assert_eq!(
            rfc.control_path.as_deref(),
            Some(Path::new(presets::DEFAULT_SOCKET))
        );
    }

    use crate::test_util::{SEED, seed_host};

    #[test]
    fn a_service_address_needs_its_network_line_and_a_loopback() {
        let b = Builder::speaker().config_text(SEED).unwrap();
        // The LAN address: no `network 10.0.0.1/32` line.
        let e = b
            .check_service_address(Ipv4Addr::new(10, 0, 0, 1))
            .unwrap_err();
        assert!(matches!(e, ServiceAddressError::NotConfigured(_)), "{e}");
        assert!(e.to_string().contains("network 10.0.0.1/32"), "{e}");
        // Configured, but on no loopback of this host (a test host has no 172.16.0.1).
        let on_host = crate::link::LinkMonitor::new()
            .unwrap()
            .all_addrs()
            .iter()
            .any(|a| a.addr == Ipv4Addr::new(172, 16, 0, 1));
        if !on_host {
            let e = b
                .check_service_address(Ipv4Addr::new(172, 16, 0, 1))
                .unwrap_err();
            assert!(matches!(e, ServiceAddressError::NotOnLoopback(_)), "{e}");
        }
        // 127.0.0.1 is on lo; with its /32 line it is a service address.
        let lo = Builder::speaker()
            .config_text("router ospf\n network 127.0.0.1/32 area 0.0.0.1\n")
            .unwrap();
        assert_eq!(
            lo.check_service_address(Ipv4Addr::LOCALHOST).unwrap(),
            AreaId(Ipv4Addr::new(0, 0, 0, 1))
        );
    }

    fn seed_binding(conf: &OspfdConf) -> crate::bind::Binding {
        let (links, addrs) = seed_host();
        bind_interfaces_with_speed(conf, &links, &addrs, |_| None)
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
        let cfg = Builder::speaker()
            .config(conf.clone())
            .fast_hello(Some(4))
            .runtime_config()
            .unwrap();
        assert_eq!(cfg.shutdown_timeout, Duration::from_secs(2));
        assert_eq!(
            cfg.control_path,
            Some(PathBuf::from(presets::DEFAULT_SOCKET))
        );
        // Fast LSA timers.
        let inst = cfg.configure_instance.as_ref().expect("fast timers")(
            ospf_core::config::InstanceConfig::new(Ipv4Addr::new(10, 0, 0, 1)),
        );
        assert_eq!(inst.min_ls_interval, presets::MIN_LS_INTERVAL);
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
        let rfc = Builder::speaker()
            .config(conf)
            .rfc_timers(true)
            .control_socket(None)
            .runtime_config()
            .unwrap();
        assert!(rfc.configure_instance.is_none() && rfc.configure_interface.is_none());
        assert!(rfc.control_path.is_none());
    }
}
