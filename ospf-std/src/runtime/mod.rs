//! The runtime: owns the sockets, the clock and the FIB, and drives the engine.
//!
//! One thread, one `poll(2)` over every descriptor that can wake it (the OSPF sockets,
//! the link monitor, the control socket, a signalfd for SIGINT/SIGTERM when asked for,
//! and an eventfd for [`Handle`]s), with the engine's next timer as the timeout: no
//! busy-waiting. After every input the engine's outputs are drained (packets sent,
//! events handled). [`Runtime::run`] loops until shut down; [`Runtime::step`] serves a
//! caller's own loop; with the `tokio` feature, `Runtime::run_async` waits on a tokio
//! reactor instead of a thread of its own.
//!
//! The runtime's jobs, one file each:
//!
//! * this file: the poll loop, links and addresses (an interface that goes down or
//!   loses its OSPF address is taken down in the engine at once), AllDRouters membership
//!   while DR/BDR, redistribution (`redistribute connected` follows address changes),
//!   reloads, graceful shutdown (our LSAs flushed, acknowledged, routes removed);
//! * `fib_sync`: route changes of one drain go to the [`Fib`] as one batch; refused
//!   changes are retried every [`RETRY_INTERVAL`]; route ages;
//! * `anycast`: which configured loopback addresses are announced (health, drain,
//!   withdrawal one by one, services, host stub costs) and which externals;
//! * `services`: the anycast services' checkers, reports, drains and the
//!   last-one-standing look at the LSDB after each route calculation;
//! * `handle`: the typed requests of [`Handle`], their answers, and [`Event`]s to
//!   subscribers;
//! * the text control protocol is [`crate::control`], the renderer [`crate::show`].
//!
//! Signals are the caller's choice ([`RuntimeConfig::handle_signals`], off by default:
//! SIGINT and SIGTERM shut down gracefully, SIGUSR1 runs the health checks now).
//! Needs CAP_NET_RAW (raw sockets) and CAP_NET_ADMIN (routes) only.

mod anycast;
mod bfd_client;
mod droplog;
mod fib_sync;
mod gr_state;
mod handle;
mod services;
mod stats;
#[cfg(feature = "tokio")]
mod tokio_driver;
mod watch;

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::{Event as CoreEvent, ExternalRoute, Instance, Output};
use ospf_core::interface::InterfaceState;
use ospf_core::spf::{self, SpfTimers};
use ospf_core::time::Instant;
use tracing::{debug, info, warn};

pub use fib_sync::RETRY_INTERVAL;
pub use handle::{Error, Event, Handle, REQUEST_TIMEOUT, ReloadSummary};
pub(crate) use handle::{Reply, Request, Response, Shared};
pub use stats::{RuntimeStats, SPF_DURATION_BUCKETS};
pub use watch::{MAX_PENDING as WATCH_MAX_PENDING, event_json, event_line};

use crate::Prefix;
use crate::bind::{Binding, BoundInterface, BoundKind, bind_interfaces};
use crate::conf::{OspfdConf, RedistributeSource};
use crate::control::{Command, ControlServer};
use crate::core_config::{self, SetupError};
use crate::fib::{Fib, NoopFib, RouteChange};
use crate::link::{LinkEvent, LinkMonitor};
use crate::socket::OspfSocket;
use crate::state::{self, Snapshot};
use anycast::Anycast;
use fib_sync::{FibSync, Refusal};

/// The handle's former name.
pub type RuntimeHandle = Handle;

/// Errors of the runtime (the same as the typed API's).
pub type RuntimeError = Error;

/// Adjusts the engine's instance settings before the engine starts (applied after
/// [`RuntimeConfig::spf_timers`]).
pub type InstanceHook = Box<dyn Fn(InstanceConfig) -> InstanceConfig + Send>;

/// Adjusts the engine settings of one bound interface (applied after the configuration
/// file's settings, every time the interface is started).
pub type InterfaceHook = Box<dyn Fn(&BoundInterface, InterfaceConfig) -> InterfaceConfig + Send>;

/// How to run.
#[non_exhaustive]
pub struct RuntimeConfig {
    /// The parsed `ospfd.conf`.
    pub conf: OspfdConf,
    /// Where `conf` was read from: `reload` on the control socket reads it again.
    pub conf_path: Option<PathBuf>,
    /// Where routes go ([`crate::fib::KernelFib`] for a router, [`NoopFib`] for a speaker
    /// that installs nothing).
    pub fib: Box<dyn Fib + Send>,
    /// Path of the control socket, if one is wanted.
    pub control_path: Option<PathBuf>,
    /// Group owning the control socket (mode 0660), so that its members may use it;
    /// `None`: the daemon's group.
    pub control_group: Option<String>,
    /// Turn SIGINT and SIGTERM into a graceful shutdown, and SIGUSR1 into an immediate
    /// run of the health checks (off by default). They are blocked in the calling thread: create the runtime on the main thread before
    /// starting other threads.
    pub handle_signals: bool,
    /// Upper bound on the wait for neighbors to acknowledge our flushed LSAs.
    pub shutdown_timeout: Duration,
    /// How long a drain waits, after every neighbor acknowledged our new LSAs, for the
    /// router's route calculation and FIB (default 200 ms).
    pub drain_settle: Duration,
    /// Back-off of the route calculation (RFC 8405; by default 0 / 50 ms / 5 s, hold-down
    /// 10 s, time to learn 500 ms).
    pub spf_timers: SpfTimers,
    /// Whether the service counts as healthy at start (default yes). A program that
    /// announces its address only once it serves starts unhealthy and calls
    /// [`Handle::set_health`] when it is ready.
    pub initially_healthy: bool,
    /// Changes the engine's instance settings (MinLSInterval, MinLSArrival, the route
    /// calculation's back-off, ...).
    pub configure_instance: Option<InstanceHook>,
    /// Changes an interface's engine settings (sub-second Hellos, ...).
    pub configure_interface: Option<InterfaceHook>,
    /// Directory of the state kept across a graceful restart (the end of a prepared
    /// restart's grace period, file `graceful-restart`). `None`: a prepared restart
    /// is not remembered, and the next process treats it as unplanned.
    pub state_dir: Option<PathBuf>,
}

impl std::fmt::Debug for RuntimeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeConfig")
            .field("conf_path", &self.conf_path)
            .field("control_path", &self.control_path)
            .field("handle_signals", &self.handle_signals)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("drain_settle", &self.drain_settle)
            .field("configure_instance", &self.configure_instance.is_some())
            .field("configure_interface", &self.configure_interface.is_some())
            .finish_non_exhaustive()
    }
}

impl RuntimeConfig {
    /// Defaults: no FIB, no control socket, signals left alone, 5 s shutdown timeout.
    pub fn new(conf: OspfdConf) -> Self {
        RuntimeConfig {
            conf,
            conf_path: None,
            fib: Box::new(NoopFib),
            control_path: None,
            control_group: None,
            handle_signals: false,
            shutdown_timeout: Duration::from_secs(5),
            drain_settle: Duration::from_millis(200),
            spf_timers: SpfTimers::default(),
            initially_healthy: true,
            configure_instance: None,
            configure_interface: None,
            state_dir: None,
        }
    }
}

/// An address OSPF runs on, and what the engine was given for it.
#[derive(Debug, Clone)]
struct Active {
    bound: BoundInterface,
    config: InterfaceConfig,
}

/// An OSPF router bound to this host. See the [module documentation](self).
pub struct Runtime {
    ospf: Instance,
    conf: OspfdConf,
    conf_path: Option<PathBuf>,
    binding: Binding,
    /// Engine keys currently configured in the engine.
    active: BTreeMap<u32, Active>,
    anycast: Anycast,
    /// Prefixes redistributed from the configuration's `redistribute` lines.
    redistributed: BTreeMap<Prefix, ExternalRoute>,
    configure_interface: Option<InterfaceHook>,
    sockets: BTreeMap<u32, OspfSocket>,
    /// The virtual links configured in the engine (`area N virtual-link ...`).
    vlinks: Vec<ospf_core::config::VirtualLinkConfig>,
    links: LinkMonitor,
    fib: FibSync,
    control: Option<ControlServer>,
    /// Route calculations already counted in the runtime's stats.
    spf_seen: u64,
    /// Control connections that asked to `watch` events.
    watchers: watch::Watchers,
    signals: Option<SignalFd>,
    shared: Arc<Shared>,
    drain_waiters: Vec<Reply>,
    /// Rate limiter of the dropped-packet log lines.
    drop_log: droplog::DropLog,
    drain_settle: Duration,
    drained_reported: bool,
    origin: std::time::Instant,
    next_timer: Instant,
    handled_timer_at: Option<Instant>,
    buf: Vec<u8>,
    shutdown_deadline: Option<std::time::Instant>,
    shutdown_timeout: Duration,
    finished: bool,
    /// The health checker reporting to this runtime (stopped when the runtime is dropped).
    #[cfg(feature = "health")]
    health: Option<crate::health::HealthMonitor>,
    /// The checkers of the anycast services ([`Runtime::add_service`]).
    #[cfg(feature = "health")]
    service_monitors: Vec<crate::health::HealthMonitor>,
    /// The services as last reported (events go out for what changed since).
    services_seen: Vec<crate::service::ServiceStatus>,
    /// BFD sessions of neighbors on interfaces with `ip ospf bfd` (RFC 5882).
    bfd: crate::bfd::BfdService,
    /// The OSPF neighbor (engine key, router ID) each BFD session serves.
    bfd_clients: BTreeMap<ospf_core::bfd::SessionKey, (u32, Ipv4Addr)>,
    /// Sessions whose failure took their neighbor down: kept while the neighbor is gone.
    bfd_killed: BTreeSet<ospf_core::bfd::SessionKey>,
    /// Where a prepared graceful restart is recorded.
    state_dir: Option<PathBuf>,
    /// A graceful restart was prepared: exit without flushing, routes kept.
    gr_prepared: bool,
    /// Restarting mode just ended: remove the previous process's remaining routes once
    /// the new table is applied.
    gr_reconcile: Option<&'static str>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("router_id", &self.ospf.router_id())
            .field("interfaces", &self.active.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// IP TTL of packets sent over a virtual link: FRR's (`OSPF_VL_IP_TTL`), enough to cross
/// the transit area.
const VIRTUAL_LINK_TTL: u32 = 100;

impl Runtime {
    /// Reads the host's links, binds the configuration to them and starts the engine.
    pub fn new(cfg: RuntimeConfig) -> Result<Self, Error> {
        // The control socket first: a second instance stops here, before it touches
        // anything.
        let control = match &cfg.control_path {
            Some(p) => Some(
                ControlServer::bind_with_group(p, control_gid(&cfg)?).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::AddrInUse {
                        Error::SocketInUse(p.clone())
                    } else {
                        Error::Io(e)
                    }
                })?,
            ),
            None => None,
        };
        let links = LinkMonitor::new()?;
        let all_links: Vec<_> = links.links().cloned().collect();
        let binding = bind_interfaces(&cfg.conf, &all_links, links.all_addrs());
        let router_id = core_config::router_id(&cfg.conf, &binding)?;
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let seed = wall.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32);
        let origin = std::time::Instant::now();
        let now = Instant::from_secs(1);
        let mut icfg = core_config::instance_config(router_id, seed, wall.as_secs() as u32)
            .spf(core_config::spf_config(cfg.spf_timers));
        icfg = core_config::lsa_limits(&cfg.conf, icfg);
        icfg = core_config::gr_helper(&cfg.conf, icfg);
        if let Some(hook) = &cfg.configure_instance {
            icfg = hook(icfg);
        }
        let mut ospf = Instance::new(icfg, now);
        ospf.set_summary_addresses(now, core_config::summary_addresses(&cfg.conf));
        for area in core_config::area_configs(&cfg.conf) {
            ospf.add_area(now, area);
        }
        let vlinks = core_config::virtual_links(&cfg.conf)?;
        for v in &vlinks {
            ospf.add_virtual_link(now, v.clone()).map_err(|e| {
                core_config::SetupError(format!(
                    "virtual link to {} across area {}: {e}",
                    v.peer, v.transit_area
                ))
            })?;
        }
        let mut fib = cfg.fib;
        match gr_state::restart_mode(&cfg.conf, cfg.state_dir.as_deref(), fib.as_ref(), wall) {
            Some((left, planned)) => {
                info!(
                    planned,
                    grace_left_s = left.as_secs(),
                    stale_routes = fib.stale_route_count(),
                    "graceful restart: keeping the previous routes while resynchronising"
                );
                let until = now + ospf_core::time::Duration::from_micros(left.as_micros() as u64);
                ospf.start_graceful_restart(now, until, planned)
                    .map_err(|_| Error::GracefulRestart("grace period already over"))?;
            }
            None if fib.stale_route_count() > 0 => {
                let n = fib.remove_stale_routes().map_err(Error::Fib)?;
                info!(removed = n, "removed the routes of an earlier run");
            }
            None => {}
        }
        let signals = if cfg.handle_signals {
            let mut mask = SigSet::empty();
            mask.add(Signal::SIGINT);
            mask.add(Signal::SIGTERM);
            mask.add(Signal::SIGUSR1);
            mask.thread_block()?;
            Some(SignalFd::with_flags(
                &mask,
                SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC,
            )?)
        } else {
            None
        };
        info!(%router_id, "starting OSPF");
        let mut rt = Runtime {
            vlinks,
            ospf,
            conf: cfg.conf,
            conf_path: cfg.conf_path,
            binding: Binding::default(),
            active: BTreeMap::new(),
            anycast: Anycast {
                healthy: cfg.initially_healthy,
                ..Anycast::default()
            },
            redistributed: BTreeMap::new(),
            configure_interface: cfg.configure_interface,
            sockets: BTreeMap::new(),
            links,
            fib: FibSync::new(fib),
            control,
            spf_seen: 0,
            watchers: watch::Watchers::default(),
            signals,
            shared: Shared::new()?,
            drain_waiters: Vec::new(),
            drop_log: droplog::DropLog::new(droplog::DROP_LOG_INTERVAL),
            drain_settle: cfg.drain_settle,
            drained_reported: false,
            origin,
            next_timer: now,
            handled_timer_at: None,
            buf: vec![0u8; 65536],
            shutdown_deadline: None,
            shutdown_timeout: cfg.shutdown_timeout,
            finished: false,
            #[cfg(feature = "health")]
            health: None,
            #[cfg(feature = "health")]
            service_monitors: Vec::new(),
            services_seen: Vec::new(),
            bfd: crate::bfd::BfdService::new(seed ^ 0xbfd0_bfd0),
            bfd_clients: BTreeMap::new(),
            bfd_killed: BTreeSet::new(),
            state_dir: cfg.state_dir,
            gr_prepared: false,
            gr_reconcile: None,
        };
        let healthy = rt.anycast.healthy;
        rt.shared.count(|s| s.healthy = healthy);
        for (name, addr) in &binding.ignored {
            warn!(interface = %name, %addr, "a second OSPF address on a non-loopback interface is ignored");
        }
        // Every address bound now must have a usable configuration; later ones that do
        // not are skipped with a warning.
        for b in &binding.interfaces {
            rt.interface_config(b)?;
        }
        rt.apply_binding(binding);
        rt.sync_redistribution();
        rt.drain();
        rt.count_spf(origin);
        Ok(rt)
    }

    /// A handle to control and query the runtime from other threads.
    pub fn handle(&self) -> Handle {
        Handle {
            shared: self.shared.clone(),
        }
    }

    /// The engine (for queries).
    pub fn instance(&self) -> &Instance {
        &self.ospf
    }

    /// The FIB.
    pub fn fib(&self) -> &dyn Fib {
        &*self.fib.fib
    }

    /// The current binding of configuration to interfaces.
    pub fn binding(&self) -> &Binding {
        &self.binding
    }

    /// The configuration in force.
    pub fn conf(&self) -> &OspfdConf {
        &self.conf
    }

    /// Whether a shutdown has completed.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The engine's clock now (the time the engine was last given is never later).
    pub fn now(&self) -> Instant {
        let us = self.origin.elapsed().as_micros() as u64;
        Instant::from_secs(1).saturating_add(ospf_core::time::Duration::from_micros(us))
    }

    /// Runs until a graceful shutdown has completed.
    pub fn run(&mut self) -> Result<(), Error> {
        while !self.finished {
            self.step(None)?;
        }
        Ok(())
    }

    /// How long the loop may sleep before something is due (the engine's next timer, a
    /// FIB retry, the shutdown deadline, a drain's settle time), capped at `max_wait`.
    pub fn next_wait(&self, max_wait: Option<Duration>) -> Duration {
        let now = self.now();
        let mut wait =
            Duration::from_micros(self.next_timer.saturating_duration_since(now).as_micros());
        if let Some(t) = self.bfd.poll_timeout() {
            wait = wait.min(Duration::from_micros(
                t.saturating_duration_since(now).as_micros(),
            ));
        }
        let std_now = std::time::Instant::now();
        if let Some(d) = self.shutdown_deadline {
            wait = wait.min(d.saturating_duration_since(std_now));
        }
        if let Some(d) = self.fib.retry_at {
            wait = wait.min(d.saturating_duration_since(std_now));
        }
        if let Some(since) = self.anycast.drain.filter(|_| !self.drained_reported) {
            // Check the drain every 10 ms until it completes.
            let settle = (since + self.drain_settle).saturating_duration_since(std_now);
            wait = wait.min(settle.max(Duration::from_millis(10)));
        }
        if let Some(d) = self.control.as_ref().and_then(|c| c.wake_in()) {
            wait = wait.min(d);
        }
        if let Some(m) = max_wait {
            wait = wait.min(m);
        }
        wait
    }

    /// Waits for the next input (at most `max_wait`, and no longer than the next timer)
    /// and handles everything that is ready.
    pub fn step(&mut self, max_wait: Option<Duration>) -> Result<(), Error> {
        if self.finished {
            return Ok(());
        }
        let wait = self.next_wait(max_wait);
        // Round up so that a timer is never polled for too early.
        let ms = wait.as_micros().div_ceil(1000).min(60_000) as u16;
        let ready = self.wait(PollTimeout::from(ms))?;
        self.handle_ready(ready)
    }

    fn handle_ready(&mut self, ready: Ready) -> Result<(), Error> {
        let turn = std::time::Instant::now();
        for ifindex in ready.sockets {
            self.read_socket(ifindex);
        }
        for ifindex in ready.bfd {
            self.bfd_read(ifindex);
        }
        if ready.links {
            let events = self.links.poll_events()?;
            if !events.is_empty() {
                self.link_events(events);
            }
        }
        if ready.signals {
            let mut got = Vec::new();
            if let Some(sfd) = &mut self.signals {
                while let Ok(Some(sig)) = sfd.read_signal() {
                    got.push(sig.ssi_signo);
                }
            }
            for signo in got {
                if signo == Signal::SIGUSR1 as u32 {
                    self.recheck();
                    continue;
                }
                info!(signal = signo, "signal received: shutting down");
                self.begin_shutdown();
            }
        }
        if ready.wake {
            for (q, reply) in self.shared.take() {
                self.serve(q, reply);
            }
        }
        if ready.control || self.control.as_ref().is_some_and(|c| c.due()) {
            let requests = self.control.as_mut().map(|c| c.poll()).unwrap_or_default();
            for r in requests {
                if self.start_watch(&r) {
                    continue;
                }
                let answer = self.answer_line(&r.line);
                if let Some(c) = self.control.as_mut() {
                    c.respond(r.id, &answer);
                }
            }
        }
        let now = self.now();
        if now >= self.next_timer {
            self.handled_timer_at = Some(now);
            let t0 = std::time::Instant::now();
            self.ospf.handle_timeout(now);
            self.count_spf(t0);
            self.drain();
            self.handled_timer_at = None;
        }
        self.bfd_timers();
        if let Some(r) = self.fib.retry_if_due() {
            self.fib_refused(r);
        }
        let ops = self.fib.operations;
        self.shared.count(|s| s.fib_operations = ops);
        self.check_drain();
        if let Some(deadline) = self.shutdown_deadline {
            if self.ospf.is_shutdown_complete() || std::time::Instant::now() >= deadline {
                self.finish()?;
            }
        }
        self.count_spf(turn);
        self.watchers.pump();
        Ok(())
    }

    /// Turns a control connection that sent `watch [json]` into a watcher.
    fn start_watch(&mut self, r: &crate::control::Request) -> bool {
        let Some(json) = watch::parse(&r.line) else {
            return false;
        };
        let Some(stream) = self.control.as_mut().and_then(|c| c.take_stream(r.id)) else {
            return true;
        };
        let handle = self.handle();
        self.watchers.add(stream, json, move || handle.subscribe());
        true
    }

    fn wait(&self, timeout: PollTimeout) -> Result<Ready, Error> {
        let srcs = self.sources();
        let kinds: Vec<Src> = srcs.iter().map(|(_, k)| *k).collect();
        let mut fds: Vec<PollFd<'_>> = srcs
            .iter()
            .map(|(fd, _)| PollFd::new(*fd, PollFlags::POLLIN))
            .collect();
        match poll(&mut fds, timeout) {
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => return Ok(Ready::default()),
            Err(e) => return Err(e.into()),
        }
        let mut ready = Ready::default();
        for (fd, k) in fds.iter().zip(&kinds) {
            let Some(ev) = fd.revents() else { continue };
            if !ev.is_empty() {
                ready.mark(*k);
            }
        }
        Ok(ready)
    }

    /// Every descriptor that can wake the runtime.
    fn sources(&self) -> Vec<(BorrowedFd<'_>, Src)> {
        let mut srcs: Vec<(BorrowedFd<'_>, Src)> = Vec::new();
        for (i, s) in &self.sockets {
            srcs.push((s.as_fd(), Src::Socket(*i)));
        }
        for (fd, i) in self.bfd.fds() {
            srcs.push((fd, Src::Bfd(i)));
        }
        srcs.push((self.links.as_fd(), Src::Links));
        srcs.push((self.shared.wake.as_fd(), Src::Wake));
        if let Some(s) = &self.signals {
            srcs.push((s.as_fd(), Src::Signals));
        }
        if let Some(c) = &self.control {
            for fd in c.fds() {
                srcs.push((fd, Src::Control));
            }
        }
        srcs
    }

    fn read_socket(&mut self, ifindex: u32) {
        loop {
            let Some(sock) = self.sockets.get(&ifindex) else {
                return;
            };
            match sock.recv(&mut self.buf) {
                Ok(Some(r)) => {
                    let now = self.now();
                    let t0 = std::time::Instant::now();
                    self.ospf
                        .handle_packet(now, ifindex, r.src, r.dst, &self.buf[..r.len]);
                    self.count_spf(t0);
                    self.drain();
                }
                Ok(None) => return,
                Err(e) => {
                    debug!(ifindex, "receive error: {e}");
                    return;
                }
            }
        }
    }

    /// Drains the engine's outputs: sends packets, handles events, notes the next timer.
    fn drain(&mut self) {
        let now = self.now();
        let mut out = std::mem::take(&mut self.buf);
        while let Some(o) = self.ospf.poll_output(now, &mut out) {
            match o {
                Output::Transmit(t) => {
                    // A virtual link's packets leave through its transit-area interface,
                    // unicast, and may cross routers (TTL as FRR's, not 1).
                    let (ifindex, ttl) = match self.ospf.virtual_link_egress(t.ifindex) {
                        Some(egress) => (egress, VIRTUAL_LINK_TTL),
                        None => (t.ifindex, 1),
                    };
                    if let Some(s) = self.sockets.get(&ifindex) {
                        if let Err(e) = s.send_with_ttl(t.dst, &out[..t.len], ttl) {
                            debug!(ifindex = t.ifindex, dst = %t.dst, "send failed: {e}");
                        }
                    }
                }
                Output::Event(e) => self.event(e),
                Output::Timeout(at) => self.next_timer = at,
                _ => {}
            }
        }
        self.buf = out;
        self.log_drops();
        // A timer that is already due after the engine handled it would make the loop
        // spin: wait at least a millisecond.
        let floor = now.saturating_add(ospf_core::time::Duration::from_millis(1));
        if self.next_timer < floor && self.handled_timer_at == Some(now) {
            self.next_timer = floor;
        }
        if let Some(r) = self.fib.flush() {
            self.fib_refused(r);
        }
        if let Some(reason) = self.gr_reconcile.take() {
            // The whole new table is applied (each route replaced its old one in
            // place): what is left of the previous process goes now.
            let stale_removed = match self.fib.fib.remove_stale_routes() {
                Ok(n) => n,
                Err(e) => {
                    warn!("removing the previous process's routes failed: {e}");
                    0
                }
            };
            info!(reason, stale_removed, "graceful restart done");
            self.emit(Event::GracefulRestartDone {
                reason,
                stale_removed,
            });
        }
    }

    /// Counts the route calculations the engine ran since the last count, as having
    /// taken (together) the time since `t0`: the start of the engine call that ran them
    /// (or, for a calculation started by a reconfiguration, of the loop's turn).
    fn count_spf(&mut self, t0: std::time::Instant) {
        let ran = self.ospf.spf_runs().saturating_sub(self.spf_seen);
        if ran > 0 {
            self.spf_seen = self.ospf.spf_runs();
            let each = t0.elapsed() / u32::try_from(ran).unwrap_or(u32::MAX);
            self.shared
                .count(|s| (0..ran).for_each(|_| s.spf_ran(each)));
            // A failing service may stand alone now, or no longer.
            self.services_after_spf();
        }
    }

    /// Logs the packets dropped since the last call, rate-limited ([`droplog`]).
    fn log_drops(&mut self) {
        let now = std::time::Instant::now();
        let mut reports = Vec::new();
        for i in self.ospf.interfaces() {
            if let Some(c) = self.ospf.counters(i.ifindex) {
                reports.extend(self.drop_log.observe(now, i.ifindex, c));
            }
        }
        for r in reports {
            let interface = self.ifname(r.ifindex);
            let reason = crate::show::drop_reason_key(r.reason);
            let kinds = r.auth_kinds();
            warn!(
                %interface,
                reason,
                count = r.count,
                suppressed = r.suppressed(),
                kinds,
                "packet dropped: {reason} ({} more in the last {} s not logged)",
                r.suppressed(),
                droplog::DROP_LOG_INTERVAL.as_secs()
            );
        }
    }

    fn fib_refused(&mut self, r: Refusal) {
        let n = r.prefixes.len() as u64;
        self.shared.count(|s| s.fib_errors += n.max(1));
        self.emit(Event::FibError {
            message: r.message,
            prefixes: r.prefixes,
        });
    }

    fn emit(&self, e: Event) {
        self.shared.emit(&e);
    }

    fn event(&mut self, e: CoreEvent) {
        match e {
            CoreEvent::InterfaceState { ifindex, old, new } => {
                info!(ifindex, ?old, ?new, "interface state");
                self.shared.count(|s| {
                    *s.interface_transitions
                        .entry(crate::show::if_state(new))
                        .or_insert(0) += 1
                });
                let dr = matches!(new, InterfaceState::Dr | InterfaceState::Backup);
                if let Some(s) = self.sockets.get_mut(&ifindex) {
                    if let Err(e) = s.set_all_drouters(dr) {
                        warn!(ifindex, "AllDRouters membership: {e}");
                    }
                }
                if self.shared.has_subscribers() {
                    self.emit(Event::Interface {
                        name: self.ifname(ifindex),
                        ifindex,
                        old,
                        new,
                    });
                }
            }
            CoreEvent::NeighborState {
                ifindex,
                router_id,
                address,
                old,
                new,
                reason,
            } => {
                info!(ifindex, %router_id, %address, ?old, ?new, ?reason, "neighbor state");
                self.shared.count(|s| {
                    *s.neighbor_transitions
                        .entry(crate::show::nbr_state(new))
                        .or_insert(0) += 1
                });
                self.bfd_neighbor(ifindex, router_id, address, old, new);
                if self.shared.has_subscribers() {
                    self.emit(Event::Neighbor {
                        interface: self.ifname(ifindex),
                        router_id,
                        address,
                        old,
                        new,
                    });
                }
            }
            CoreEvent::RouteChange(c) => {
                let now = self.now();
                self.shared.count(|s| s.route_changes += 1);
                if self.shared.has_subscribers() {
                    self.emit(Event::Route(c.clone()));
                }
                self.fib.note(now, c);
            }
            CoreEvent::GrHelper {
                ifindex,
                router_id,
                address,
                change,
            } => {
                info!(ifindex, %router_id, %address, ?change, "graceful restart helper");
                if self.shared.has_subscribers() {
                    self.emit(Event::GrHelper {
                        interface: self.ifname(ifindex),
                        router_id,
                        address,
                        change,
                    });
                }
            }
            CoreEvent::GracefulRestartReady => {
                info!("graceful restart: every neighbor acknowledged our Grace-LSAs");
                self.emit(Event::GracefulRestartReady);
            }
            CoreEvent::GracefulRestartDone { reason } => {
                self.gr_reconcile = Some(reason.as_str());
            }
            CoreEvent::ShutdownComplete => debug!("our LSAs are flushed"),
            CoreEvent::LsdbLimit {
                count,
                limit,
                external,
                reached,
            } => {
                let which = if external { "AS-external LSAs" } else { "LSAs" };
                if reached {
                    warn!(
                        count,
                        limit, "LSDB limit reached: new {which} are refused (max-lsa)"
                    );
                } else {
                    warn!(
                        count,
                        limit, "LSDB near its limit of {which} (max-lsa threshold)"
                    );
                }
            }
            CoreEvent::NeighborIgnored {
                ifindex,
                router_id,
                until,
                count,
            } => {
                let secs = until.saturating_duration_since(self.now()).as_secs();
                warn!(
                    %router_id,
                    interface = %self.ifname(ifindex),
                    count,
                    "neighbor flooded beyond the LSDB limit: taken down and ignored for {secs} s (max-lsa ignore-time)"
                );
            }
            CoreEvent::NeighborIgnoreEnded { router_id } => {
                info!(%router_id, "neighbor no longer ignored (max-lsa ignore-time over)");
            }
            CoreEvent::Overflow {
                entered,
                external_count,
            } => {
                if entered {
                    warn!(
                        external_count,
                        "external LSDB limit reached: OverflowState, our AS-external LSAs flushed (RFC 1765)"
                    );
                } else {
                    info!(
                        external_count,
                        "OverflowState left: our AS-external LSAs are announced again (RFC 1765)"
                    );
                }
            }
            other => debug!(?other, "event"),
        }
    }

    /// Applies route changes to the FIB directly (refused ones are retried every
    /// [`RETRY_INTERVAL`]).
    pub fn apply_routes(&mut self, changes: &[RouteChange]) {
        if let Some(r) = self.fib.apply(changes) {
            self.fib_refused(r);
        }
        let ops = self.fib.operations;
        self.shared.count(|s| s.fib_operations = ops);
    }

    fn rebind(&mut self) {
        let links: Vec<_> = self.links.links().cloned().collect();
        let binding = bind_interfaces(&self.conf, &links, self.links.all_addrs());
        self.apply_binding(binding);
    }

    /// The addresses of `binding` OSPF should run on now, with their engine settings.
    fn wanted(&self, binding: &Binding) -> BTreeMap<u32, Active> {
        binding
            .interfaces
            .iter()
            .filter(|b| b.kind != BoundKind::Loopback || self.anycast.announces(b.addr))
            .filter_map(|b| match self.interface_config(b) {
                Ok(config) => Some((
                    b.key,
                    Active {
                        bound: b.clone(),
                        config,
                    },
                )),
                Err(e) => {
                    warn!(interface = %b.name, "not started: {e}");
                    None
                }
            })
            .collect()
    }

    /// Brings the engine's interfaces in line with `binding` (minus withdrawn loopbacks):
    /// an address whose engine settings are unchanged keeps its adjacencies.
    fn apply_binding(&mut self, binding: Binding) -> ReloadSummary {
        let now = self.now();
        let wanted = self.wanted(&binding);
        // Unnumbered point-to-point links (a /32 borrowed from a loopback, as FRR
        // detects them): their next hops are on-link.
        let onlink: Vec<u32> = binding
            .interfaces
            .iter()
            .filter(|b| b.kind == BoundKind::PointToPoint && b.prefix_len >= 32)
            .map(|b| b.ifindex)
            .collect();
        self.fib.set_onlink(&onlink);
        let mut summary = ReloadSummary::default();
        // Removed, or changed in what the engine was given (costs change in place).
        let stale: Vec<u32> = self
            .active
            .iter()
            .filter(|(k, old)| {
                wanted.get(k).is_none_or(|new| {
                    let mut o = old.config.clone();
                    o.host_cost = new.config.host_cost;
                    o.cost = new.config.cost;
                    o.weight = new.config.weight;
                    o != new.config
                        || old.bound.name != new.bound.name
                        || old.bound.ifindex != new.bound.ifindex
                })
            })
            .map(|(k, _)| *k)
            .collect();
        for key in stale {
            if let Some(old) = self.active.remove(&key) {
                info!(interface = %old.bound.name, addr = %old.bound.addr, "OSPF stops on address");
                let _ = self.ospf.remove_interface(now, key);
                self.drain();
                self.drop_log.forget(key);
                self.sockets.remove(&key);
                if wanted.contains_key(&key) {
                    summary.changed.push(old.bound.name);
                } else {
                    summary.removed.push(old.bound.name);
                }
            }
        }
        for (key, w) in &wanted {
            let b = &w.bound;
            if let Some(old) = self.active.get_mut(key) {
                if old.bound.up != b.up {
                    let _ = self.ospf.set_interface_up(now, *key, b.up);
                }
                if old.config.host_cost != w.config.host_cost {
                    let _ = self.ospf.set_interface_cost(now, *key, w.config.host_cost);
                } else if old.config.cost != w.config.cost {
                    // A new cost (a reload, a link speed under auto-cost) changes the
                    // Router-LSA, not the adjacencies.
                    let _ = self.ospf.set_interface_cost(now, *key, w.config.cost);
                }
                if old.config.weight != w.config.weight {
                    info!(interface = %b.name, addr = %b.addr, weight = ?w.config.weight, "anycast weight");
                    let _ = self.ospf.set_interface_weight(now, *key, w.config.weight);
                }
                *old = w.clone();
                self.drain();
                summary.unchanged.push(b.name.clone());
                continue;
            }
            if b.kind != BoundKind::Loopback && !b.passive && b.key == b.ifindex {
                match OspfSocket::open(&b.name, b.ifindex, b.addr) {
                    Ok(s) => {
                        self.sockets.insert(b.ifindex, s);
                    }
                    Err(e) => {
                        warn!(interface = %b.name, "cannot open OSPF socket: {e}");
                        continue;
                    }
                }
            }
            info!(interface = %b.name, addr = %b.addr, prefix_len = b.prefix_len, area = %b.area, kind = ?b.kind, passive = b.passive, "OSPF runs on address");
            if let Err(e) = self.ospf.add_interface(now, *key, w.config.clone()) {
                warn!(interface = %b.name, "engine refused interface: {e}");
                self.sockets.remove(key);
                continue;
            }
            if !b.up {
                let _ = self.ospf.set_interface_up(now, *key, false);
            }
            self.drain();
            self.active.insert(*key, w.clone());
            if !summary.changed.contains(&b.name) {
                summary.added.push(b.name.clone());
            }
        }
        self.binding = binding;
        summary
    }

    fn link_events(&mut self, events: Vec<LinkEvent>) {
        for e in &events {
            debug!(?e, "link event");
        }
        self.rebind();
        // `redistribute connected` follows the addresses.
        self.sync_redistribution();
    }

    /// The prefixes the configuration's `redistribute` lines ask for now.
    fn desired_redistribution(&self) -> BTreeMap<Prefix, ExternalRoute> {
        let mut out = BTreeMap::new();
        let Some(router) = &self.conf.router else {
            return out;
        };
        for red in &router.redistribute {
            let prefixes: Vec<Prefix> = match red.source {
                RedistributeSource::Connected => {
                    let bound: BTreeSet<u32> =
                        self.binding.interfaces.iter().map(|b| b.ifindex).collect();
                    self.links
                        .all_addrs()
                        .iter()
                        .filter(|a| !a.addr.is_loopback() && !bound.contains(&a.ifindex))
                        .filter_map(|a| Prefix::try_new(a.addr, a.prefix_len))
                        .collect()
                }
                RedistributeSource::Static => {
                    crate::fib::kernel_prefixes(254, 4).unwrap_or_default()
                }
                RedistributeSource::Kernel => {
                    crate::fib::kernel_prefixes(254, 3).unwrap_or_default()
                }
            };
            for p in prefixes.into_iter().filter(|p| !p.is_default()) {
                let mut r = ExternalRoute::new(p.addr(), p.prefix_len());
                if let Some(m) = red.metric {
                    r = r.metric(m);
                }
                if red.metric_type == Some(1) {
                    r = r.e2(false);
                }
                out.entry(p).or_insert(r);
            }
        }
        // `default-information originate`: 0.0.0.0/0, with `always` or while the main
        // table has a default route that is not ours (FRR: one zebra has from any
        // source but OSPF). Redistribution never announces the default otherwise.
        if let Some(d) = router.default_information {
            let ours = crate::fib::RTPROT_OSPF;
            let present = d.always || crate::fib::kernel_default_route(254, ours).unwrap_or(false);
            if present {
                let r = ExternalRoute::new(Ipv4Addr::UNSPECIFIED, 0)
                    .metric(d.effective_metric())
                    .e2(d.metric_type != Some(1));
                out.insert(Prefix::new(Ipv4Addr::UNSPECIFIED, 0), r);
            }
        }
        out
    }

    /// Redistributes what the configuration asks for now and withdraws what it no
    /// longer does. Returns how many prefixes were added and removed.
    fn sync_redistribution(&mut self) -> (usize, usize) {
        let desired = self.desired_redistribution();
        let now = self.now();
        let gone: Vec<Prefix> = self
            .redistributed
            .keys()
            .filter(|p| !desired.contains_key(p))
            .copied()
            .collect();
        for p in &gone {
            self.redistributed.remove(p);
            if !self.anycast.externals.contains_key(p) {
                info!(prefix = %p, "no longer redistributed");
                self.ospf.withdraw(now, p.addr(), p.prefix_len());
            }
        }
        let mut added = 0;
        for (p, r) in desired {
            if self.redistributed.get(&p) != Some(&r) {
                info!(prefix = %p, "redistributing");
                self.ospf.redistribute(now, r);
                self.redistributed.insert(p, r);
                added += 1;
            }
        }
        self.drain();
        (added, gone.len())
    }

    fn begin_shutdown(&mut self) {
        if self.gr_prepared && !self.finished {
            // RFC 3623 §2.1: a prepared restart exits without flushing anything; the
            // kernel keeps forwarding on our routes until the next process replaces them.
            info!("graceful restart prepared: exiting with our LSAs and routes kept");
            self.fib.fib.keep_routes_on_exit();
            self.finished = true;
            self.emit(Event::Stopped);
            self.close();
            return;
        }
        if self.shutdown_deadline.is_none() {
            let now = self.now();
            self.ospf.shutdown(now);
            self.drain();
            self.shutdown_deadline = Some(std::time::Instant::now() + self.shutdown_timeout);
        }
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.finished = true;
        if !self.ospf.is_shutdown_complete() {
            warn!("shutdown timeout: not every neighbor acknowledged our flushed LSAs");
        }
        let flushed = self.fib.fib.flush();
        self.emit(Event::Stopped);
        self.close();
        flushed.map_err(Error::Fib)?;
        info!("OSPF stopped; our routes are removed");
        Ok(())
    }

    /// Serves one typed request; a drain waiter is answered later.
    fn serve(&mut self, q: Request, reply: Option<Reply>) {
        if let Request::WaitDrained = q {
            if self.anycast.drain.is_none() {
                self.start_drain();
            }
            match reply {
                Some(r) if self.drained_reported => {
                    let _ = r.send(Ok(Response::Done));
                }
                Some(r) => self.drain_waiters.push(r),
                None => {}
            }
            return;
        }
        let answer = self.handle_request(q);
        if let Some(r) = reply {
            let _ = r.send(answer);
        }
    }

    /// Serves a typed request.
    pub(crate) fn handle_request(&mut self, q: Request) -> Result<Response, Error> {
        let now = self.now();
        let ifname = |k: u32| self.ifname(k);
        Ok(match q {
            Request::Announce(p, metric) => {
                self.announce(p, metric)?;
                Response::Done
            }
            Request::Withdraw(p) => {
                self.withdraw(p)?;
                Response::Done
            }
            Request::GracefulRestartPrepare => {
                let Some(period) = self.conf.router.as_ref().and_then(|r| r.graceful_restart)
                else {
                    return Err(Error::GracefulRestart(
                        "not enabled (`graceful-restart [grace-period N]` under `router ospf`)",
                    ));
                };
                info!(
                    grace_period = period,
                    "graceful restart prepared: Grace-LSAs sent"
                );
                self.ospf
                    .graceful_restart_prepare(
                        now,
                        period,
                        ospf_core::wire::RestartReason::SoftwareRestart,
                    )
                    .map_err(|_| Error::GracefulRestart("grace period out of range"))?;
                self.gr_prepared = true;
                if let Some(dir) = &self.state_dir {
                    // Written now: a process killed before its Grace-LSAs are
                    // acknowledged still restarts as planned.
                    gr_state::record(dir, period).map_err(Error::Io)?;
                }
                self.drain();
                Response::Done
            }
            Request::StubRouter(on) => {
                if self.ospf.is_stub_router() != on {
                    info!(on, "stub-router mode");
                    self.ospf.set_stub_router(now, on);
                    self.drain();
                    self.emit(Event::StubRouter(on));
                }
                Response::Done
            }
            Request::Health(up) => {
                self.set_healthy(up);
                Response::Done
            }
            Request::Drain | Request::WaitDrained => {
                self.start_drain();
                Response::Done
            }
            Request::Undrain => {
                if self.anycast.drain.take().is_some() {
                    info!("drain ended: anycast addresses announced again");
                    self.drained_reported = false;
                    for r in self.drain_waiters.drain(..) {
                        let _ = r.send(Err(Error::Stopped));
                    }
                    let binding = self.binding.clone();
                    self.apply_binding(binding);
                }
                Response::Done
            }
            Request::Reload(conf) => Response::Reloaded(self.reload(*conf)?),
            Request::Shutdown => {
                self.begin_shutdown();
                Response::Done
            }
            Request::Snapshot => Response::Snapshot(Box::new(self.snapshot())),
            Request::Interfaces => Response::Interfaces(state::interfaces(&self.ospf, &ifname)),
            Request::Neighbors => Response::Neighbors(state::neighbors(&self.ospf, now, &ifname)),
            Request::Lsdb => Response::Lsdb(state::lsdb(&self.ospf, now)),
            Request::Routes => {
                let start = Instant::from_secs(1);
                let since = |p: &Prefix| self.fib.ages.since(p, start);
                Response::Routes(state::routes(&self.ospf, now, &since, &ifname))
            }
            Request::Line(line) => Response::Text(self.answer_line(&line)),
            Request::BfdPeers => Response::BfdPeers(self.bfd_peers()),
            Request::Services => Response::Services(self.services()),
            Request::ServiceHealth(r, up) => {
                self.set_service_health(&r, up)?;
                Response::Done
            }
            Request::DrainService(r, on) => {
                self.drain_service(&r, on)?;
                Response::Done
            }
            Request::Recheck => {
                self.recheck();
                Response::Done
            }
            Request::Command(cmd) => Response::Text(self.command(cmd)),
        })
    }

    /// Everything the show commands print, now.
    pub fn snapshot(&self) -> Snapshot {
        let start = Instant::from_secs(1);
        let mut snap = Snapshot::capture(
            &self.ospf,
            self.now(),
            &|p| self.fib.ages.since(p, start),
            &|k| self.ifname(k),
        );
        snap.gr_restart.grace_period = self.conf.router.as_ref().and_then(|r| r.graceful_restart);
        snap
    }

    /// Runs a control command and returns its answer, as the control socket does.
    pub fn command(&mut self, cmd: Command) -> String {
        crate::control::answer(self, cmd)
    }

    /// Answers a control line: a [`Command`], a show command, or why the line was not
    /// understood.
    pub fn answer_line(&mut self, line: &str) -> String {
        if let Some(json) = crate::bfd::parse_show_peers(line) {
            return crate::bfd::render_peers(&self.bfd_peers(), json);
        }
        crate::control::answer_line(self, line)
    }

    /// The name of the interface behind an engine key (an interface index, or the key
    /// of a further loopback address); the number itself if it is unknown.
    pub fn ifname(&self, key: u32) -> String {
        if let Some(b) = self
            .active
            .get(&key)
            .map(|a| &a.bound)
            .or_else(|| self.binding.by_key(key))
        {
            return b.name.clone();
        }
        if let Some(n) = key.checked_sub(ospf_core::instance::VIRTUAL_LINK_IFINDEX_BASE) {
            if self.ospf.virtual_links().any(|v| v.ifindex == key) {
                // FRR's name of a virtual interface.
                return format!("VLINK{n}");
            }
        }
        self.links
            .link(key)
            .map_or_else(|| key.to_string(), |l| l.name.clone())
    }

    /// When the route to `prefix` last changed (`None`: not in the routing table, or
    /// not changed since the engine started).
    pub fn route_changed_at(&self, prefix: &spf::Prefix) -> Option<Instant> {
        self.fib.ages.changed_at(prefix)
    }

    /// Whether the service counts as healthy ([`Handle::set_health`]).
    pub fn is_healthy(&self) -> bool {
        self.anycast.healthy
    }

    /// Whether a drain is under way (or complete).
    pub fn is_draining(&self) -> bool {
        self.anycast.drain.is_some()
    }

    /// The engine configuration of a bound interface: the configuration file's, then
    /// [`RuntimeConfig::configure_interface`], then the anycast host stub cost.
    fn interface_config(&self, b: &BoundInterface) -> Result<InterfaceConfig, SetupError> {
        let c = core_config::interface_config(&self.conf, b)?;
        let c = match &self.configure_interface {
            Some(hook) => hook(b, c),
            None => c,
        };
        Ok(if c.if_type == InterfaceType::Loopback {
            c.host_cost(self.anycast.cost(b.addr))
                .weight(self.anycast.weight(b.addr))
        } else {
            c
        })
    }

    pub(crate) fn set_healthy(&mut self, up: bool) -> bool {
        if self.anycast.healthy == up {
            return false;
        }
        self.anycast.healthy = up;
        info!(
            healthy = up,
            "service {}: anycast addresses {}",
            if up { "up" } else { "down" },
            if up { "announced" } else { "withdrawn" }
        );
        let binding = self.binding.clone();
        self.apply_binding(binding);
        self.shared.count(|s| {
            s.healthy = up;
            s.health_transitions += 1;
        });
        self.emit(Event::Health { healthy: up });
        true
    }

    fn start_drain(&mut self) {
        if self.anycast.drain.is_some() {
            return;
        }
        info!("drain: anycast addresses withdrawn, adjacencies kept");
        self.anycast.drain = Some(std::time::Instant::now());
        self.drained_reported = false;
        let binding = self.binding.clone();
        self.apply_binding(binding);
    }

    /// Completes a drain once the neighbors hold our new LSAs and the settle time passed.
    fn check_drain(&mut self) {
        if self.drained_reported
            || !self.ospf.is_flooding_acknowledged()
            || !self
                .anycast
                .drain_settled(std::time::Instant::now(), self.drain_settle)
        {
            return;
        }
        self.drained_reported = true;
        info!("drain complete: the neighbors acknowledged our withdrawal");
        for r in self.drain_waiters.drain(..) {
            let _ = r.send(Ok(Response::Done));
        }
        self.emit(Event::Drained);
    }

    /// Whether `addr` is a loopback address of the configuration (bound now).
    pub(crate) fn is_configured_loopback(&self, addr: Ipv4Addr) -> bool {
        self.binding
            .interfaces
            .iter()
            .any(|b| b.kind == BoundKind::Loopback && b.addr == addr)
    }

    /// Whether a configured loopback address was withdrawn one by one.
    pub(crate) fn withdraw(&mut self, p: Prefix) -> Result<bool, Error> {
        let now = self.now();
        if p.prefix_len() == 32 && self.is_configured_loopback(p.addr()) {
            if !self.anycast.withdraw(p) {
                return Ok(false);
            }
            let binding = self.binding.clone();
            self.apply_binding(binding);
            info!(prefix = %p, "anycast address withdrawn");
            self.emit(Event::Withdrawn(p));
            return Ok(true);
        }
        if self.anycast.externals.remove(&p).is_some() {
            if !self.redistributed.contains_key(&p) {
                self.ospf.withdraw(now, p.addr(), p.prefix_len());
                self.drain();
            }
            self.emit(Event::Withdrawn(p));
            return Ok(true);
        }
        Err(Error::NotAnnounced(p))
    }

    /// Announces `p` (see [`Handle::announce`]); false if it was already announced with
    /// that metric.
    pub(crate) fn announce(&mut self, p: Prefix, metric: Option<u32>) -> Result<bool, Error> {
        let now = self.now();
        if p.prefix_len() == 32 && self.is_configured_loopback(p.addr()) {
            let cost = match metric {
                Some(m) => u16::try_from(m).map_err(|_| Error::BadMetric {
                    prefix: p,
                    metric: m,
                    max: u32::from(u16::MAX),
                })?,
                None => 0,
            };
            let restored = self.anycast.restore(p);
            let recost = self.anycast.cost(p.addr()) != cost;
            if cost == 0 {
                self.anycast.costs.remove(&p);
            } else {
                self.anycast.costs.insert(p, cost);
            }
            if !restored && !recost {
                return Ok(false);
            }
            let binding = self.binding.clone();
            self.apply_binding(binding);
            info!(prefix = %p, cost, "anycast address announced");
            self.emit(Event::Announced(p));
            return Ok(true);
        }
        const MAX_EXTERNAL: u32 = 0x00FF_FFFF;
        if let Some(m) = metric.filter(|m| *m > MAX_EXTERNAL) {
            return Err(Error::BadMetric {
                prefix: p,
                metric: m,
                max: MAX_EXTERNAL,
            });
        }
        if self.anycast.externals.get(&p) == Some(&metric) {
            return Ok(false);
        }
        self.anycast.externals.insert(p, metric);
        let mut r = ExternalRoute::new(p.addr(), p.prefix_len());
        if let Some(m) = metric {
            r = r.metric(m);
        }
        self.ospf.redistribute(now, r);
        self.drain();
        self.emit(Event::Announced(p));
        Ok(true)
    }

    /// Applies a changed configuration: only what changed is touched.
    pub fn reload(&mut self, conf: OspfdConf) -> Result<ReloadSummary, Error> {
        let router_id = core_config::router_id(&conf, &self.binding)?;
        if router_id != self.ospf.router_id() {
            return Err(Error::NeedsRestart("the router ID"));
        }
        // A service's weight changes in place; anything else of a block needs a restart.
        let unweighted = |c: &OspfdConf| -> Vec<crate::conf::ServiceConf> {
            c.services
                .iter()
                .map(|s| crate::conf::ServiceConf {
                    weight: None,
                    line: 0,
                    ..s.clone()
                })
                .collect()
        };
        if unweighted(&conf) != unweighted(&self.conf) {
            return Err(Error::NeedsRestart("an anycast-service block"));
        }
        for s in &conf.services {
            if let Some(addr) = s.address.map(|p| p.addr()) {
                self.anycast.set_service_weight(addr, s.weight);
            }
        }
        // The engine takes its LSDB limits at start: a change is refused, not ignored.
        let current = self.ospf.config().clone();
        if core_config::lsa_limits(&conf, current.clone()) != current {
            return Err(Error::NeedsRestart(
                "the LSDB limits (max-lsa, overflow database external)",
            ));
        }
        let new_vlinks = core_config::virtual_links(&conf)?;
        let old_areas: Vec<_> = self.ospf.areas().cloned().collect();
        let new_areas = core_config::area_configs(&conf);
        for a in &new_areas {
            if let Some(o) = old_areas.iter().find(|o| o.id == a.id) {
                // Normal, stub or NSSA: the Hello options change, so every adjacency of
                // the area would; the options within a type change in place.
                if core::mem::discriminant(&o.kind) != core::mem::discriminant(&a.kind) {
                    return Err(Error::NeedsRestart("an area's type"));
                }
            }
        }
        // Address ranges change without a restart (what we announce as an ABR).
        for a in new_areas {
            if old_areas.iter().find(|o| o.id == a.id) != Some(&a) {
                self.ospf.add_area(self.now(), a);
            }
        }
        for o in &old_areas {
            let gone = !conf
                .router
                .as_ref()
                .is_some_and(|r| r.areas.contains_key(&o.id));
            if gone && !o.ranges.is_empty() {
                let cleared = ospf_core::config::AreaConfig::new(o.id).kind(o.kind);
                self.ospf.add_area(self.now(), cleared);
            }
        }
        let now = self.now();
        self.ospf
            .set_summary_addresses(now, core_config::summary_addresses(&conf));
        // Virtual links: a removed or changed one goes down (and a changed one comes
        // back with its new settings).
        for old in &self.vlinks {
            if !new_vlinks.contains(old) {
                let _ = self
                    .ospf
                    .remove_virtual_link(now, old.transit_area, old.peer);
            }
        }
        for new in &new_vlinks {
            if !self.vlinks.contains(new) {
                if let Err(e) = self.ospf.add_virtual_link(now, new.clone()) {
                    warn!(peer = %new.peer, area = %new.transit_area, "virtual link refused: {e}");
                }
            }
        }
        self.vlinks = new_vlinks;
        // Every address bound now must have a usable configuration under the new file.
        let links: Vec<_> = self.links.links().cloned().collect();
        let binding = bind_interfaces(&conf, &links, self.links.all_addrs());
        for b in &binding.interfaces {
            core_config::interface_config(&conf, b)?;
        }
        let gr_helper = core_config::gr_helper_config(&conf);
        if gr_helper != self.ospf.config().gr_helper {
            let now = self.now();
            self.ospf.set_gr_helper(now, gr_helper);
        }
        self.conf = conf;
        let mut summary = self.apply_binding(binding);
        summary.redistributed = self.sync_redistribution();
        self.bfd_reconfigure();
        info!(
            added = summary.added.len(),
            removed = summary.removed.len(),
            changed = summary.changed.len(),
            unchanged = summary.unchanged.len(),
            "configuration reloaded"
        );
        self.emit(Event::Reloaded(summary.clone()));
        Ok(summary)
    }

    /// Reads the configuration file again and applies it ([`Runtime::reload`]).
    pub fn reload_file(&mut self) -> Result<ReloadSummary, Error> {
        let Some(path) = self.conf_path.clone() else {
            return Err(Error::Io(std::io::Error::other(
                "the runtime was not started from a configuration file",
            )));
        };
        let conf = OspfdConf::from_file(&path)?;
        self.reload(conf)
    }

    /// Runs `checker` on a thread of its own and lets its verdicts set the service health
    /// ([`Handle::set_health`]): the configured loopback addresses leave OSPF while the
    /// service is down. The service starts in the checker's initial state. Start it on
    /// the runtime's thread after [`Runtime::new`] (the thread inherits a blocked signal
    /// mask).
    #[cfg(feature = "health")]
    pub fn attach_health(&mut self, checker: crate::health::HealthChecker) -> Result<(), Error> {
        use crate::health::HealthState;
        self.set_healthy(checker.initial() == HealthState::Up);
        let handle = self.handle();
        let monitor = checker.spawn_with(move |ev| {
            match &ev.last_error {
                Some(err) => {
                    info!(state = %ev.state, probes = ev.probes, "health check: {}", err.detail())
                }
                None => info!(state = %ev.state, probes = ev.probes, "health check"),
            }
            handle
                .shared
                .count(|s| s.health_probe_duration = Some(ev.probe_duration));
            handle.report_health(ev.state == HealthState::Up);
        })?;
        self.health = Some(monitor);
        Ok(())
    }

    /// Starts a graceful shutdown.
    pub fn shutdown(&mut self) {
        self.begin_shutdown();
    }

    /// Tells handles that nobody answers any more (their requests fail with
    /// [`Error::Stopped`]).
    fn close(&mut self) {
        for r in self.drain_waiters.drain(..) {
            let _ = r.send(Err(Error::Stopped));
        }
        self.shared.close();
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.close();
    }
}

#[derive(Debug, Clone, Copy)]
enum Src {
    Socket(u32),
    Bfd(u32),
    Links,
    Wake,
    Signals,
    Control,
}

/// The group ID of [`RuntimeConfig::control_group`].
fn control_gid(cfg: &RuntimeConfig) -> Result<Option<u32>, Error> {
    let Some(name) = &cfg.control_group else {
        return Ok(None);
    };
    match nix::unistd::Group::from_name(name) {
        Ok(Some(g)) => Ok(Some(g.gid.as_raw())),
        Ok(None) => Err(Error::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("control socket group `{name}` does not exist"),
        ))),
        Err(e) => Err(Error::Io(e.into())),
    }
}

#[derive(Debug, Default)]
struct Ready {
    sockets: Vec<u32>,
    bfd: Vec<u32>,
    links: bool,
    wake: bool,
    signals: bool,
    control: bool,
}

impl Ready {
    fn mark(&mut self, k: Src) {
        match k {
            Src::Socket(i) => self.sockets.push(i),
            Src::Bfd(i) => self.bfd.push(i),
            Src::Links => self.links = true,
            Src::Wake => self.wake = true,
            Src::Signals => self.signals = true,
            Src::Control => self.control = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A runtime with no interface (no privileges needed: only a netlink socket).
    fn runtime(conf: &str) -> Runtime {
        Runtime::new(RuntimeConfig::new(OspfdConf::parse(conf).unwrap())).unwrap()
    }

    const CONF: &str = "router ospf\n ospf router-id 10.9.9.9\n";

    #[test]
    fn text_commands_run_the_typed_requests() {
        let mut rt = runtime(CONF);
        let p = "192.0.2.0/24";
        assert_eq!(
            rt.answer_line(&format!("withdraw {p}")),
            format!("error: {p} is not announced")
        );
        assert_eq!(
            rt.answer_line(&format!("announce {p} metric 30")),
            format!("announced {p} as external")
        );
        assert_eq!(
            rt.anycast.externals.get(&p.parse().unwrap()),
            Some(&Some(30))
        );
        assert_eq!(
            rt.answer_line(&format!("withdraw {p}")),
            format!("withdrawn {p}")
        );
        assert_eq!(
            rt.answer_line("health down"),
            "service down: anycast addresses withdrawn"
        );
        assert_eq!(rt.answer_line("health down"), "service already down");
        assert!(!rt.is_healthy());
        assert_eq!(
            rt.answer_line("health up"),
            "service up: anycast addresses announced"
        );
        assert_eq!(
            rt.answer_line("max-metric router-lsa administrative"),
            "stub-router mode on"
        );
        assert!(rt.instance().is_stub_router());
        assert_eq!(
            rt.answer_line("no max-metric router-lsa"),
            "stub-router mode off"
        );
        assert!(!rt.instance().is_stub_router());
        assert!(
            rt.answer_line("show ip ospf neighbor")
                .starts_with("\nNeighbor ID")
        );
        assert!(rt.answer_line("show ip ospf frobnicate").starts_with("% "));
        assert!(
            rt.answer_line("frobnicate")
                .starts_with("error: unknown command")
        );
        // Not started from a file: `reload` says so.
        assert!(rt.answer_line("reload").starts_with("error:"));
    }

    #[test]
    fn reload_refuses_a_new_router_id_and_applies_the_rest() {
        let mut rt = runtime(CONF);
        let same = rt.reload(OspfdConf::parse(CONF).unwrap()).unwrap();
        assert_eq!(same, ReloadSummary::default());
        let other = OspfdConf::parse("router ospf\n ospf router-id 10.9.9.8\n").unwrap();
        assert!(matches!(rt.reload(other), Err(Error::NeedsRestart(_))));
        let stub = OspfdConf::parse(&format!("{CONF} area 0.0.0.1 stub\n")).unwrap();
        rt.reload(stub).unwrap();
        assert!(
            rt.instance()
                .areas()
                .any(|a| a.id == Ipv4Addr::new(0, 0, 0, 1))
        );
        let nssa = OspfdConf::parse(&format!("{CONF} area 0.0.0.1 nssa\n")).unwrap();
        assert!(matches!(rt.reload(nssa), Err(Error::NeedsRestart(_))));
        for limits in [" max-lsa 5000\n", " overflow database external 100\n"] {
            let changed = OspfdConf::parse(&format!("{CONF}{limits}")).unwrap();
            match rt.reload(changed) {
                Err(Error::NeedsRestart(what)) => assert!(what.contains("max-lsa"), "{what}"),
                other => panic!("{limits}: {other:?}"),
            }
        }
    }

    /// A reload that changes only a service's weight applies it (the service reports the
    /// new weight); any other change of the block still needs a restart.
    #[test]
    fn reload_changes_a_service_weight_in_place() {
        let conf =
            |w: &str, addr: &str| format!("anycast-service web\n address {addr}\n{w}exit\n{CONF}");
        let first = OspfdConf::parse(&conf(" weight 2\n", "172.16.0.1/32")).unwrap();
        let mut rt = runtime(&conf(" weight 2\n", "172.16.0.1/32"));
        for s in crate::service::from_conf(&first).unwrap() {
            rt.add_service(s).unwrap();
        }
        let weight = |rt: &Runtime| rt.services()[0].weight;
        assert_eq!(weight(&rt), Some(2));
        rt.reload(OspfdConf::parse(&conf(" weight 1\n", "172.16.0.1/32")).unwrap())
            .unwrap();
        assert_eq!(weight(&rt), Some(1));
        rt.reload(OspfdConf::parse(&conf("", "172.16.0.1/32")).unwrap())
            .unwrap();
        assert_eq!(weight(&rt), None);
        let moved = OspfdConf::parse(&conf(" weight 1\n", "172.16.0.9/32")).unwrap();
        assert!(matches!(rt.reload(moved), Err(Error::NeedsRestart(_))));
        assert_eq!(weight(&rt), None);
    }

    #[test]
    fn virtual_links_start_and_reload_without_a_restart() {
        let a1 = Ipv4Addr::new(0, 0, 0, 1);
        let links = |rt: &Runtime| {
            rt.instance()
                .virtual_links()
                .map(|v| (v.transit_area, v.peer))
                .collect::<Vec<_>>()
        };
        let vl = |lines: &str| OspfdConf::parse(&format!("{CONF}{lines}")).unwrap();
        let mut rt = runtime(&format!("{CONF} area 1 virtual-link 10.0.0.3\n"));
        let peer3 = Ipv4Addr::new(10, 0, 0, 3);
        let peer4 = Ipv4Addr::new(10, 0, 0, 4);
        assert_eq!(links(&rt), vec![(a1, peer3)]);
        assert_eq!(
            rt.ifname(ospf_core::instance::VIRTUAL_LINK_IFINDEX_BASE),
            "VLINK0"
        );
        // A changed link is replaced, a new one added, a removed one taken down.
        rt.reload(vl(
            " area 1 virtual-link 10.0.0.3 hello-interval 2\n area 1 virtual-link 10.0.0.4\n",
        ))
        .unwrap();
        let mut now = links(&rt);
        now.sort();
        assert_eq!(now, vec![(a1, peer3), (a1, peer4)]);
        let hello = rt
            .snapshot()
            .interfaces
            .iter()
            .find(|i| i.virtual_link.is_some_and(|v| v.peer == peer3))
            .map(|i| i.hello);
        assert_eq!(hello, Some(2));
        rt.reload(vl(" area 1 virtual-link 10.0.0.4\n")).unwrap();
        assert_eq!(links(&rt), vec![(a1, peer4)]);
        rt.reload(vl("")).unwrap();
        assert!(links(&rt).is_empty());
        // Errors name what is wrong: MD5 without a key.
        let e = rt
            .reload(vl(
                " area 1 virtual-link 10.0.0.4 authentication message-digest\n",
            ))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("virtual link to 10.0.0.4") && e.contains("without a key"),
            "{e}"
        );
        assert!(links(&rt).is_empty());
    }

    #[test]
    fn reload_applies_ranges_and_summary_addresses_without_a_restart() {
        let mut rt = runtime(CONF);
        let a1 = Ipv4Addr::new(0, 0, 0, 1);
        let ranges = |rt: &Runtime| {
            rt.instance()
                .areas()
                .find(|a| a.id == a1)
                .map_or(0, |a| a.ranges.len())
        };
        let with = OspfdConf::parse(&format!(
            "{CONF} area 0.0.0.1 range 10.1.0.0/16 cost 5\n \
             area 0.0.0.1 range 10.2.0.0/16 not-advertise\n \
             summary-address 172.20.0.0/16 tag 3\n"
        ))
        .unwrap();
        rt.reload(with).unwrap();
        assert_eq!(ranges(&rt), 2);
        assert_eq!(rt.instance().summary_addresses().len(), 1);
        assert!(
            rt.answer_line("show ip ospf")
                .contains(" Area 0.0.0.1 range 10.1.0.0/16 advertise cost 5, inactive")
        );
        // Gone from the file: gone from the engine (the area's kind did not change).
        rt.reload(OspfdConf::parse(CONF).unwrap()).unwrap();
        assert_eq!(ranges(&rt), 0);
        assert!(rt.instance().summary_addresses().is_empty());
    }

    #[test]
    fn handles_on_other_threads_get_typed_answers_and_stopped_after_the_end() {
        let mut rt = runtime(CONF);
        let h = rt.handle();
        let events = h.subscribe();
        let asker = std::thread::spawn(move || {
            let ext = Prefix::new(Ipv4Addr::new(198, 51, 100, 0), 24);
            h.announce(ext, Some(7)).unwrap();
            let withdrawn = h.withdraw(Prefix::new(Ipv4Addr::new(203, 0, 113, 0), 24));
            let neighbors = h.neighbors().unwrap();
            let text = h.command("show ip ospf interface json").unwrap();
            h.shutdown();
            (withdrawn, neighbors, text, h)
        });
        while !rt.is_finished() {
            rt.step(Some(Duration::from_millis(10))).unwrap();
        }
        let (withdrawn, neighbors, text, h) = asker.join().unwrap();
        assert!(matches!(withdrawn, Err(Error::NotAnnounced(_))));
        assert!(neighbors.is_empty());
        assert!(text.contains("\"interfaces\""), "{text}");
        let seen: Vec<Event> = events.try_iter().collect();
        assert!(seen.contains(&Event::Announced(Prefix::new(
            Ipv4Addr::new(198, 51, 100, 0),
            24
        ))));
        assert_eq!(seen.last(), Some(&Event::Stopped));
        assert!(matches!(h.routes(), Err(Error::Stopped)));
        assert!(h.is_closed());
    }
}
