//! The runtime: owns the sockets, the clock and the FIB, and drives the engine.
//!
//! One thread, one `poll(2)` over every descriptor that can wake it (the OSPF sockets,
//! the link monitor, the control socket, a signalfd for SIGINT/SIGTERM and an eventfd for
//! [`RuntimeHandle`]), with the engine's next timer as the timeout: no busy-waiting.
//! After every input the engine's outputs are drained (packets sent, events handled).
//!
//! * Links and addresses: an interface that goes down, or loses the address OSPF runs on,
//!   is taken down in the engine at once (its adjacencies with it), not after the dead
//!   interval; addresses that appear are bound as the configuration says.
//! * DR/BDR: the interface's socket joins AllDRouters while the router is DR or BDR.
//! * Routes: the engine's route changes ([`Event::RouteChange`]) of one drain are applied
//!   to the [`Fib`] as one batch. Routes to directly attached networks are left to the
//!   kernel's own connected routes.
//! * Shutdown (SIGINT/SIGTERM, `shutdown` on the control channel, or
//!   [`RuntimeHandle::shutdown`]): our LSAs are flushed, the runtime waits until the
//!   neighbors acknowledged that (or a timeout), then removes our routes.
//! * Anycast health checks: `withdraw 172.16.0.1/32` removes a loopback address from OSPF
//!   (the router in front drops this server from its ECMP set); `announce` brings it
//!   back. A prefix that is not a configured loopback address is announced as an
//!   external route instead. [`RuntimeHandle::set_healthy`] (`health down|up` on the
//!   control channel) withdraws or announces every configured loopback address at once,
//!   for a health checker that watches the service.
//! * Hooks ([`RuntimeConfig`]): the engine's instance settings
//!   ([`RuntimeConfig::configure_instance`], e.g. LSA timers), each interface's settings
//!   ([`RuntimeConfig::configure_interface`], e.g. sub-second Hellos), and control lines
//!   the runtime does not know ([`RuntimeConfig::formatter`], e.g. `show ip ospf
//!   neighbor` in another layout; it reads the engine through [`Runtime::instance`],
//!   [`Runtime::now`], [`Runtime::ifname`] and [`Runtime::route_changed_at`]).
//!
//! Needs CAP_NET_RAW (raw sockets) and CAP_NET_ADMIN (routes) only.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io;
use std::net::Ipv4Addr;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::eventfd::{EfdFlags, EventFd};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use ospf_core::config::{InstanceConfig, InterfaceConfig};
use ospf_core::instance::{Event, ExternalRoute, Instance, Output};
use ospf_core::interface::InterfaceState;
use ospf_core::spf::{self, SpfTimers};
use ospf_core::time::Instant;
use tracing::{debug, info, warn};

use crate::bind::{Binding, BoundInterface, BoundKind, bind_interfaces};
use crate::conf::{OspfdConf, RedistributeSource};
use crate::control::{Command, ControlServer};
use crate::core_config::{self, SetupError};
use crate::fib::{Fib, FibError, NextHop, NoopFib, Prefix, Route, RouteChange};
use crate::link::{LinkEvent, LinkMonitor};
use crate::socket::OspfSocket;

/// How often changes the FIB refused are tried again.
pub const RETRY_INTERVAL: Duration = Duration::from_secs(1);

/// Errors of the runtime.
#[derive(Debug)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The configuration cannot be run.
    Setup(SetupError),
    /// A system call failed.
    Io(io::Error),
    /// The FIB failed.
    Fib(FibError),
}

impl std::fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RuntimeError::Setup(e) => write!(f, "configuration: {e}"),
            RuntimeError::Io(e) => write!(f, "{e}"),
            RuntimeError::Fib(e) => write!(f, "FIB: {e}"),
        }
    }
}

impl std::error::Error for RuntimeError {}

impl From<io::Error> for RuntimeError {
    fn from(e: io::Error) -> Self {
        RuntimeError::Io(e)
    }
}

impl From<nix::errno::Errno> for RuntimeError {
    fn from(e: nix::errno::Errno) -> Self {
        RuntimeError::Io(e.into())
    }
}

impl From<SetupError> for RuntimeError {
    fn from(e: SetupError) -> Self {
        RuntimeError::Setup(e)
    }
}

/// Adjusts the engine's instance settings before the engine starts (applied after
/// [`RuntimeConfig::spf_timers`]).
pub type InstanceHook = Box<dyn Fn(InstanceConfig) -> InstanceConfig + Send>;

/// Adjusts the engine settings of one bound interface (applied after the configuration
/// file's settings, every time the interface is started).
pub type InterfaceHook = Box<dyn Fn(&BoundInterface, InterfaceConfig) -> InterfaceConfig + Send>;

/// Answers a control line that is not a [`Command`] (`None`: not understood either).
pub type Formatter = Box<dyn Fn(&Runtime, &str) -> Option<String> + Send>;

/// How to run.
pub struct RuntimeConfig {
    /// The parsed `ospfd.conf`.
    pub conf: OspfdConf,
    /// Where routes go ([`crate::fib::KernelFib`] for a router, [`NoopFib`] for a speaker
    /// that installs nothing).
    pub fib: Box<dyn Fib + Send>,
    /// Path of the control socket, if one is wanted.
    pub control_path: Option<PathBuf>,
    /// Turn SIGINT and SIGTERM into a graceful shutdown. They are blocked in the calling
    /// thread: create the runtime on the main thread before starting other threads.
    pub handle_signals: bool,
    /// Upper bound on the wait for neighbors to acknowledge our flushed LSAs.
    pub shutdown_timeout: Duration,
    /// Back-off of the route calculation (RFC 8405; by default 0 / 50 ms / 5 s, hold-down
    /// 10 s, time to learn 500 ms).
    pub spf_timers: SpfTimers,
    /// Changes the engine's instance settings (MinLSInterval, MinLSArrival, the route
    /// calculation's back-off, ...).
    pub configure_instance: Option<InstanceHook>,
    /// Changes an interface's engine settings (sub-second Hellos, ...).
    pub configure_interface: Option<InterfaceHook>,
    /// Answers control lines that are not [`Command`]s.
    pub formatter: Option<Formatter>,
}

impl std::fmt::Debug for RuntimeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuntimeConfig")
            .field("control_path", &self.control_path)
            .field("handle_signals", &self.handle_signals)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("configure_instance", &self.configure_instance.is_some())
            .field("configure_interface", &self.configure_interface.is_some())
            .field("formatter", &self.formatter.is_some())
            .finish_non_exhaustive()
    }
}

impl RuntimeConfig {
    /// Defaults: no FIB, no control socket, signals handled, 5 s shutdown timeout.
    pub fn new(conf: OspfdConf) -> Self {
        RuntimeConfig {
            conf,
            fib: Box::new(NoopFib),
            control_path: None,
            handle_signals: true,
            shutdown_timeout: Duration::from_secs(5),
            spf_timers: SpfTimers::default(),
            configure_instance: None,
            configure_interface: None,
            formatter: None,
        }
    }
}

type Reply = mpsc::Sender<String>;

/// A request queued by a [`RuntimeHandle`].
#[derive(Debug)]
enum Queued {
    Command(Command),
    Line(String),
}

#[derive(Debug)]
struct Shared {
    wake: EventFd,
    queue: Mutex<Vec<(Queued, Option<Reply>)>>,
    /// The runtime finished or was dropped: nobody reads the queue any more.
    closed: AtomicBool,
}

/// Controls a runtime from another thread.
#[derive(Debug, Clone)]
pub struct RuntimeHandle {
    shared: Arc<Shared>,
}

impl RuntimeHandle {
    /// Runs a control command and waits for its answer (empty if the runtime ended).
    pub fn request(&self, cmd: Command) -> String {
        self.ask(Queued::Command(cmd))
    }

    /// Answers a control line as the control socket would (a [`Command`], or else the
    /// [`RuntimeConfig::formatter`]'s answer), and waits for it.
    pub fn request_line(&self, line: &str) -> String {
        self.ask(Queued::Line(line.to_string()))
    }

    /// Reports the health of the service behind the configured loopback addresses:
    /// `false` withdraws all of them from OSPF, `true` announces them again (those not
    /// withdrawn one by one). Does not wait.
    pub fn set_healthy(&self, up: bool) {
        self.push(Queued::Command(Command::Health(up)), None);
    }

    fn ask(&self, q: Queued) -> String {
        let (tx, rx) = mpsc::channel();
        self.push(q, Some(tx));
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(answer) => return answer,
                Err(mpsc::RecvTimeoutError::Disconnected) => return String::new(),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if self.shared.closed.load(Ordering::Acquire) {
                        return String::new();
                    }
                }
            }
        }
    }

    /// Whether the runtime has finished (or was dropped).
    pub fn is_closed(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }

    /// Starts a graceful shutdown without waiting for it.
    pub fn shutdown(&self) {
        self.push(Queued::Command(Command::Shutdown), None);
    }

    fn push(&self, q: Queued, reply: Option<Reply>) {
        if let Ok(mut queue) = self.shared.queue.lock() {
            queue.push((q, reply));
        }
        let _ = self.shared.wake.write(1);
    }
}

/// An OSPF router bound to this host. See the [module documentation](self).
pub struct Runtime {
    ospf: Instance,
    conf: OspfdConf,
    binding: Binding,
    /// Engine keys currently configured in the engine.
    active: BTreeMap<u32, BoundInterface>,
    /// Loopback addresses taken out of OSPF by `withdraw`.
    withdrawn: BTreeSet<Prefix>,
    /// Prefixes announced as external routes through `announce`.
    externals: BTreeSet<Prefix>,
    /// The service is healthy: configured loopback addresses may be announced.
    healthy: bool,
    /// When each route of the routing table last changed.
    route_since: BTreeMap<spf::Prefix, Instant>,
    configure_interface: Option<InterfaceHook>,
    formatter: Option<Formatter>,
    sockets: BTreeMap<u32, OspfSocket>,
    links: LinkMonitor,
    fib: Box<dyn Fib + Send>,
    /// Route changes collected while draining, applied to the FIB together.
    pending_routes: Vec<spf::RouteChange>,
    /// Changes the FIB refused, by prefix, and when to try them again.
    retry: BTreeMap<Prefix, RouteChange>,
    retry_at: Option<std::time::Instant>,
    control: Option<ControlServer>,
    signals: Option<SignalFd>,
    shared: Arc<Shared>,
    origin: std::time::Instant,
    next_timer: Instant,
    handled_timer_at: Option<Instant>,
    buf: Vec<u8>,
    shutdown_deadline: Option<std::time::Instant>,
    shutdown_timeout: Duration,
    finished: bool,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("router_id", &self.ospf.router_id())
            .field("interfaces", &self.active.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Runtime {
    /// Reads the host's links, binds the configuration to them and starts the engine.
    pub fn new(cfg: RuntimeConfig) -> Result<Self, RuntimeError> {
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
        if let Some(hook) = &cfg.configure_instance {
            icfg = hook(icfg);
        }
        let mut ospf = Instance::new(icfg, now);
        for area in core_config::area_configs(&cfg.conf) {
            ospf.add_area(now, area);
        }
        let signals = if cfg.handle_signals {
            let mut mask = SigSet::empty();
            mask.add(Signal::SIGINT);
            mask.add(Signal::SIGTERM);
            mask.thread_block()?;
            Some(SignalFd::with_flags(
                &mask,
                SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC,
            )?)
        } else {
            None
        };
        let control = match &cfg.control_path {
            Some(p) => Some(ControlServer::bind(p)?),
            None => None,
        };
        let shared = Arc::new(Shared {
            wake: EventFd::from_value_and_flags(0, EfdFlags::EFD_NONBLOCK | EfdFlags::EFD_CLOEXEC)?,
            queue: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        });
        info!(%router_id, "starting OSPF");
        let mut rt = Runtime {
            ospf,
            conf: cfg.conf,
            binding: Binding::default(),
            active: BTreeMap::new(),
            withdrawn: BTreeSet::new(),
            externals: BTreeSet::new(),
            healthy: true,
            route_since: BTreeMap::new(),
            configure_interface: cfg.configure_interface,
            formatter: cfg.formatter,
            sockets: BTreeMap::new(),
            links,
            fib: cfg.fib,
            pending_routes: Vec::new(),
            retry: BTreeMap::new(),
            retry_at: None,
            control,
            signals,
            shared,
            origin,
            next_timer: now,
            handled_timer_at: None,
            buf: vec![0u8; 65536],
            shutdown_deadline: None,
            shutdown_timeout: cfg.shutdown_timeout,
            finished: false,
        };
        for (name, addr) in &binding.ignored {
            warn!(interface = %name, %addr, "a second OSPF address on a non-loopback interface is ignored");
        }
        // Every address bound now must have a usable configuration; later ones that do
        // not are skipped with a warning.
        for b in &binding.interfaces {
            rt.interface_config(b)?;
        }
        rt.apply_binding(binding)?;
        rt.redistribute_configured();
        rt.drain();
        Ok(rt)
    }

    /// A handle to control the runtime from other threads.
    pub fn handle(&self) -> RuntimeHandle {
        RuntimeHandle {
            shared: self.shared.clone(),
        }
    }

    /// The engine (for queries).
    pub fn instance(&self) -> &Instance {
        &self.ospf
    }

    /// The FIB.
    pub fn fib(&self) -> &dyn Fib {
        &*self.fib
    }

    /// The current binding of configuration to interfaces.
    pub fn binding(&self) -> &Binding {
        &self.binding
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
    pub fn run(&mut self) -> Result<(), RuntimeError> {
        while !self.finished {
            self.step(None)?;
        }
        Ok(())
    }

    /// Waits for the next input (at most `max_wait`, and no longer than the next timer)
    /// and handles everything that is ready.
    pub fn step(&mut self, max_wait: Option<Duration>) -> Result<(), RuntimeError> {
        if self.finished {
            return Ok(());
        }
        let now = self.now();
        let mut wait =
            Duration::from_micros(self.next_timer.saturating_duration_since(now).as_micros());
        if let Some(d) = self.shutdown_deadline {
            wait = wait.min(d.saturating_duration_since(std::time::Instant::now()));
        }
        if let Some(d) = self.retry_at {
            wait = wait.min(d.saturating_duration_since(std::time::Instant::now()));
        }
        if let Some(m) = max_wait {
            wait = wait.min(m);
        }
        // Round up so that a timer is never polled for too early.
        let ms = wait.as_micros().div_ceil(1000).min(60_000) as u16;
        let ready = self.wait(PollTimeout::from(ms))?;

        for ifindex in ready.sockets {
            self.read_socket(ifindex);
        }
        if ready.links {
            let events = self.links.poll_events()?;
            if !events.is_empty() {
                self.link_events(events)?;
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
                info!(signal = signo, "signal received: shutting down");
                self.begin_shutdown();
            }
        }
        if ready.wake {
            let _ = self.shared.wake.read();
            let queued = self
                .shared
                .queue
                .lock()
                .map(|mut q| std::mem::take(&mut *q))
                .unwrap_or_default();
            for (q, reply) in queued {
                let answer = match q {
                    Queued::Command(cmd) => self.command(cmd),
                    Queued::Line(line) => self.answer_line(&line),
                };
                if let Some(r) = reply {
                    let _ = r.send(answer);
                }
            }
        }
        if ready.control {
            let requests = self.control.as_mut().map(|c| c.poll()).unwrap_or_default();
            for r in requests {
                let answer = match r.command {
                    Ok(cmd) => self.command(cmd),
                    Err(e) => self
                        .format_line(&r.line)
                        .unwrap_or_else(|| format!("error: {e}")),
                };
                if let Some(c) = self.control.as_mut() {
                    c.respond(r.id, &answer);
                }
            }
        }
        let now = self.now();
        if now >= self.next_timer {
            self.handled_timer_at = Some(now);
            self.ospf.handle_timeout(now);
            self.drain();
            self.handled_timer_at = None;
        }
        if self
            .retry_at
            .is_some_and(|t| std::time::Instant::now() >= t)
        {
            self.retry_routes();
        }
        if let Some(deadline) = self.shutdown_deadline {
            if self.ospf.is_shutdown_complete() || std::time::Instant::now() >= deadline {
                self.finish()?;
            }
        }
        Ok(())
    }

    fn wait(&self, timeout: PollTimeout) -> Result<Ready, RuntimeError> {
        let mut srcs: Vec<(BorrowedFd<'_>, Src)> = Vec::new();
        for (i, s) in &self.sockets {
            srcs.push((s.as_fd(), Src::Socket(*i)));
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
            if ev.is_empty() {
                continue;
            }
            match k {
                Src::Socket(i) => ready.sockets.push(*i),
                Src::Links => ready.links = true,
                Src::Wake => ready.wake = true,
                Src::Signals => ready.signals = true,
                Src::Control => ready.control = true,
            }
        }
        Ok(ready)
    }

    fn read_socket(&mut self, ifindex: u32) {
        loop {
            let Some(sock) = self.sockets.get(&ifindex) else {
                return;
            };
            match sock.recv(&mut self.buf) {
                Ok(Some(r)) => {
                    let now = self.now();
                    self.ospf
                        .handle_packet(now, ifindex, r.src, r.dst, &self.buf[..r.len]);
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
                    if let Some(s) = self.sockets.get(&t.ifindex) {
                        if let Err(e) = s.send(t.dst, &out[..t.len]) {
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
        // A timer that is already due after the engine handled it would make the loop
        // spin: wait at least a millisecond.
        let floor = now.saturating_add(ospf_core::time::Duration::from_millis(1));
        if self.next_timer < floor && self.handled_timer_at == Some(now) {
            self.next_timer = floor;
        }
        if !self.pending_routes.is_empty() {
            let changes = std::mem::take(&mut self.pending_routes);
            let fib_changes = self.fib_changes(&changes);
            debug!(routes = changes.len(), "routing table changed");
            self.apply_routes(&fib_changes);
        }
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::InterfaceState { ifindex, old, new } => {
                info!(ifindex, ?old, ?new, "interface state");
                let dr = matches!(new, InterfaceState::Dr | InterfaceState::Backup);
                if let Some(s) = self.sockets.get_mut(&ifindex) {
                    if let Err(e) = s.set_all_drouters(dr) {
                        warn!(ifindex, "AllDRouters membership: {e}");
                    }
                }
            }
            Event::NeighborState {
                ifindex,
                router_id,
                address,
                old,
                new,
                reason,
            } => {
                info!(ifindex, %router_id, %address, ?old, ?new, ?reason, "neighbor state");
            }
            Event::RouteChange(c) => {
                match &c {
                    spf::RouteChange::Add { prefix, .. }
                    | spf::RouteChange::Replace { prefix, .. } => {
                        let now = self.now();
                        self.route_since.insert(*prefix, now);
                    }
                    spf::RouteChange::Delete { prefix } => {
                        self.route_since.remove(prefix);
                    }
                }
                self.pending_routes.push(c);
            }
            Event::ShutdownComplete => debug!("our LSAs are flushed"),
            other => debug!(?other, "event"),
        }
    }

    /// Turns the route calculation's diff into FIB changes. Next hops name engine keys,
    /// which are interface indexes for every interface that sends packets; routes with a
    /// directly attached next hop are left to the kernel's connected routes.
    fn fib_changes(&self, changes: &[spf::RouteChange]) -> Vec<RouteChange> {
        changes
            .iter()
            .filter_map(|c| {
                let (prefix, route) = match c {
                    spf::RouteChange::Add { prefix, route }
                    | spf::RouteChange::Replace { prefix, route } => (prefix, Some(route)),
                    spf::RouteChange::Delete { prefix } => (prefix, None),
                };
                let p = Prefix::try_new(prefix.addr(), prefix.prefix_len())?;
                let Some(route) = route else {
                    return Some(RouteChange::Delete(p));
                };
                if route.nexthops.is_empty()
                    || route.nexthops.iter().any(|h| h.addr.is_unspecified())
                {
                    return Some(RouteChange::Delete(p));
                }
                let hops = route
                    .nexthops
                    .iter()
                    .map(|h| NextHop::new(h.addr, h.ifindex));
                Some(RouteChange::Replace(Route::new(p, hops)))
            })
            .collect()
    }

    /// Applies route changes from the route calculation to the FIB.
    /// Changes the kernel refused are tried again every [`RETRY_INTERVAL`] until they
    /// succeed or a newer change for the same prefix replaces them (a next hop whose
    /// device was not up yet, for example).
    pub fn apply_routes(&mut self, changes: &[RouteChange]) {
        if changes.is_empty() {
            return;
        }
        for c in changes {
            self.retry.remove(&c.prefix());
        }
        match self.fib.apply(changes) {
            Ok(()) => debug!(count = changes.len(), "FIB updated"),
            Err(FibError::Rejected(rejected)) => {
                warn!(
                    "FIB update incomplete: {}; retrying",
                    FibError::Rejected(rejected.clone())
                );
                for r in rejected {
                    if let Some(c) = changes.iter().rev().find(|c| c.prefix() == r.prefix) {
                        self.retry.insert(r.prefix, c.clone());
                    }
                }
                self.retry_at = Some(std::time::Instant::now() + RETRY_INTERVAL);
            }
            Err(e) => {
                warn!("FIB update failed: {e}; retrying");
                for c in changes {
                    self.retry.insert(c.prefix(), c.clone());
                }
                self.retry_at = Some(std::time::Instant::now() + RETRY_INTERVAL);
            }
        }
    }

    fn retry_routes(&mut self) {
        self.retry_at = None;
        let changes: Vec<RouteChange> = std::mem::take(&mut self.retry).into_values().collect();
        // Empty next-hop sets are never retried (they cannot succeed).
        let changes: Vec<RouteChange> = changes
            .into_iter()
            .filter(|c| match c {
                RouteChange::Add(r) | RouteChange::Replace(r) => !r.nexthops.is_empty(),
                RouteChange::Delete(_) => true,
            })
            .collect();
        self.apply_routes(&changes);
    }

    fn rebind(&mut self) -> Result<(), RuntimeError> {
        let links: Vec<_> = self.links.links().cloned().collect();
        let binding = bind_interfaces(&self.conf, &links, self.links.all_addrs());
        self.apply_binding(binding)
    }

    /// Brings the engine's interfaces in line with `binding` (minus withdrawn loopbacks).
    fn apply_binding(&mut self, binding: Binding) -> Result<(), RuntimeError> {
        let now = self.now();
        let wanted: BTreeMap<u32, BoundInterface> = binding
            .interfaces
            .iter()
            .filter(|b| {
                b.kind != BoundKind::Loopback
                    || b.addr.is_loopback()
                    || (self.healthy && !self.withdrawn.contains(&Prefix::host(b.addr)))
            })
            .map(|b| (b.key, b.clone()))
            .collect();
        // Removed, or changed in what the engine was given.
        let stale: Vec<u32> = self
            .active
            .iter()
            .filter(|(k, old)| {
                wanted.get(k).is_none_or(|new| {
                    (
                        new.addr,
                        new.prefix_len,
                        new.area,
                        new.kind,
                        new.passive,
                        new.mtu,
                    ) != (
                        old.addr,
                        old.prefix_len,
                        old.area,
                        old.kind,
                        old.passive,
                        old.mtu,
                    )
                })
            })
            .map(|(k, _)| *k)
            .collect();
        for key in stale {
            if let Some(old) = self.active.remove(&key) {
                info!(interface = %old.name, addr = %old.addr, "OSPF stops on address");
                let _ = self.ospf.remove_interface(now, key);
                self.drain();
                self.sockets.remove(&key);
            }
        }
        for (key, b) in &wanted {
            if let Some(old) = self.active.get(key) {
                if old.up != b.up {
                    let _ = self.ospf.set_interface_up(now, *key, b.up);
                    self.drain();
                    self.active.insert(*key, b.clone());
                }
                continue;
            }
            let icfg = match self.interface_config(b) {
                Ok(c) => c,
                Err(e) => {
                    warn!(interface = %b.name, "not started: {e}");
                    continue;
                }
            };
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
            if let Err(e) = self.ospf.add_interface(now, *key, icfg) {
                warn!(interface = %b.name, "engine refused interface: {e}");
                self.sockets.remove(key);
                continue;
            }
            if !b.up {
                let _ = self.ospf.set_interface_up(now, *key, false);
            }
            self.drain();
            self.active.insert(*key, b.clone());
        }
        self.binding = binding;
        Ok(())
    }

    fn link_events(&mut self, events: Vec<LinkEvent>) -> Result<(), RuntimeError> {
        for e in &events {
            debug!(?e, "link event");
        }
        self.rebind()
    }

    fn redistribute_configured(&mut self) {
        let Some(router) = self.conf.router.clone() else {
            return;
        };
        let now = self.now();
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
            for p in prefixes {
                let mut r = ExternalRoute::new(p.addr(), p.prefix_len());
                if let Some(m) = red.metric {
                    r = r.metric(m);
                }
                if red.metric_type == Some(1) {
                    r = r.e2(false);
                }
                info!(prefix = %p, source = ?red.source, "redistributing");
                self.ospf.redistribute(now, r);
                self.drain();
            }
        }
    }

    fn begin_shutdown(&mut self) {
        if self.shutdown_deadline.is_none() {
            let now = self.now();
            self.ospf.shutdown(now);
            self.drain();
            self.shutdown_deadline = Some(std::time::Instant::now() + self.shutdown_timeout);
        }
    }

    fn finish(&mut self) -> Result<(), RuntimeError> {
        self.finished = true;
        self.close();
        if !self.ospf.is_shutdown_complete() {
            warn!("shutdown timeout: not every neighbor acknowledged our flushed LSAs");
        }
        self.fib.flush().map_err(RuntimeError::Fib)?;
        info!("OSPF stopped; our routes are removed");
        Ok(())
    }

    /// Runs a control command and returns its answer.
    pub fn command(&mut self, cmd: Command) -> String {
        let now = self.now();
        match cmd {
            Command::ShowInterfaces => self.show_interfaces(),
            Command::ShowNeighbors => self.show_neighbors(now),
            Command::ShowRoutes => {
                // The OSPF routing table as FRR shows it; `*` marks routes in the FIB.
                let mut s = String::new();
                for (prefix, route) in self.ospf.routes() {
                    let p = Prefix::try_new(prefix.addr(), prefix.prefix_len());
                    let installed = p.is_some_and(|p| self.fib.get(&p).is_some());
                    let cost = if route.route_type.is_external() && route.type2_cost > 0 {
                        format!("{}/{}", route.cost, route.type2_cost)
                    } else {
                        route.cost.to_string()
                    };
                    let hops: Vec<String> = route
                        .nexthops
                        .iter()
                        .map(|h| {
                            if h.addr.is_unspecified() {
                                format!("directly attached to {}", self.ifname(h.ifindex))
                            } else {
                                format!("via {}, {}", h.addr, self.ifname(h.ifindex))
                            }
                        })
                        .collect();
                    let _ = writeln!(
                        s,
                        "{:<5} {:<18} [{}] {}{}",
                        route.route_type.frr_code(),
                        format!("{}/{}", prefix.addr(), prefix.prefix_len()),
                        cost,
                        hops.join("; "),
                        if installed { " *" } else { "" }
                    );
                }
                s
            }
            Command::ShowDatabase => {
                let mut s = String::from("Type Link-ID         ADV-Router      Age  Seq#\n");
                for l in self.ospf.lsdb(now) {
                    let _ = writeln!(
                        s,
                        "{:<4} {:<15} {:<15} {:<4} 0x{:08x}",
                        l.key.lsa_type, l.key.lsid, l.key.adv_router, l.header.age, l.header.seq
                    );
                }
                s
            }
            Command::Withdraw(p) => self.withdraw(p),
            Command::Health(up) => self.set_healthy(up),
            Command::Announce(p) => self.announce(p),
            Command::Shutdown => {
                self.begin_shutdown();
                "shutting down".into()
            }
        }
    }

    /// Answers a control line: a [`Command`], or else the [`RuntimeConfig::formatter`]'s
    /// answer, or else why the line was not understood.
    pub fn answer_line(&mut self, line: &str) -> String {
        match Command::parse(line) {
            Ok(cmd) => self.command(cmd),
            Err(e) => self
                .format_line(line)
                .unwrap_or_else(|| format!("error: {e}")),
        }
    }

    fn format_line(&self, line: &str) -> Option<String> {
        self.formatter.as_ref().and_then(|f| f(self, line.trim()))
    }

    /// The name of the interface behind an engine key (an interface index, or the key
    /// of a further loopback address); the number itself if it is unknown.
    pub fn ifname(&self, key: u32) -> String {
        if let Some(b) = self.active.get(&key).or_else(|| self.binding.by_key(key)) {
            return b.name.clone();
        }
        self.links
            .link(key)
            .map_or_else(|| key.to_string(), |l| l.name.clone())
    }

    /// When the route to `prefix` last changed (`None`: not in the routing table, or
    /// not changed since the engine started).
    pub fn route_changed_at(&self, prefix: &spf::Prefix) -> Option<Instant> {
        self.route_since.get(prefix).copied()
    }

    /// Whether the service counts as healthy ([`RuntimeHandle::set_healthy`]).
    pub fn is_healthy(&self) -> bool {
        self.healthy
    }

    /// The engine configuration of a bound interface: the configuration file's, then
    /// [`RuntimeConfig::configure_interface`].
    fn interface_config(&self, b: &BoundInterface) -> Result<InterfaceConfig, SetupError> {
        let c = core_config::interface_config(&self.conf, b)?;
        Ok(match &self.configure_interface {
            Some(hook) => hook(b, c),
            None => c,
        })
    }

    fn set_healthy(&mut self, up: bool) -> String {
        if self.healthy == up {
            return format!("service already {}", if up { "up" } else { "down" });
        }
        self.healthy = up;
        info!(
            healthy = up,
            "service {}: anycast addresses {}",
            if up { "up" } else { "down" },
            if up { "announced" } else { "withdrawn" }
        );
        let binding = self.binding.clone();
        if let Err(e) = self.apply_binding(binding) {
            return format!("error: {e}");
        }
        if up {
            "service up: anycast addresses announced".into()
        } else {
            "service down: anycast addresses withdrawn".into()
        }
    }

    fn show_interfaces(&self) -> String {
        let mut s = String::from(
            "Interface  Address            Area            State     DR              BDR             Nbrs Adj\n",
        );
        for i in self.ospf.interfaces() {
            let name = self
                .active
                .get(&i.ifindex)
                .map_or_else(|| i.ifindex.to_string(), |b| b.name.clone());
            let _ = writeln!(
                s,
                "{:<10} {:<18} {:<15} {:<9} {:<15} {:<15} {:<4} {}",
                name,
                format!("{}/{}", i.config.address, i.config.prefix_len),
                i.config.area,
                format!("{:?}", i.state),
                i.dr.map_or("-".to_string(), |d| d.0.to_string()),
                i.bdr.map_or("-".to_string(), |d| d.0.to_string()),
                i.neighbor_count,
                i.adjacent_count,
            );
        }
        s
    }

    fn show_neighbors(&self, now: Instant) -> String {
        let mut s =
            String::from("Neighbor ID     Pri State     Role    Dead  Address         Interface\n");
        for n in self.ospf.neighbors() {
            let dead = n.dead_at.saturating_duration_since(now).as_secs();
            let _ = writeln!(
                s,
                "{:<15} {:<3} {:<9} {:<7} {:<5} {:<15} {}",
                n.router_id,
                n.priority,
                format!("{:?}", n.state),
                format!("{:?}", n.role),
                format!("{dead}s"),
                n.address,
                self.ifname(n.ifindex),
            );
        }
        s
    }

    fn withdraw(&mut self, p: Prefix) -> String {
        let now = self.now();
        if p.prefix_len() == 32 && self.is_configured_loopback(p.addr()) {
            if !self.withdrawn.insert(p) {
                return format!("{p} is already withdrawn");
            }
            let binding = self.binding.clone();
            if let Err(e) = self.apply_binding(binding) {
                return format!("error: {e}");
            }
            info!(prefix = %p, "anycast address withdrawn");
            return format!("withdrawn {p}");
        }
        if self.externals.remove(&p) {
            self.ospf.withdraw(now, p.addr(), p.prefix_len());
            self.drain();
            return format!("withdrawn {p}");
        }
        format!("error: {p} is not announced")
    }

    fn announce(&mut self, p: Prefix) -> String {
        let now = self.now();
        if p.prefix_len() == 32 && self.is_configured_loopback(p.addr()) {
            if !self.withdrawn.remove(&p) {
                return format!("{p} is already announced");
            }
            let binding = self.binding.clone();
            if let Err(e) = self.apply_binding(binding) {
                return format!("error: {e}");
            }
            info!(prefix = %p, "anycast address announced");
            return format!("announced {p}");
        }
        self.externals.insert(p);
        self.ospf
            .redistribute(now, ExternalRoute::new(p.addr(), p.prefix_len()));
        self.drain();
        format!("announced {p} as external")
    }

    fn is_configured_loopback(&self, addr: Ipv4Addr) -> bool {
        self.binding
            .interfaces
            .iter()
            .any(|b| b.kind == BoundKind::Loopback && b.addr == addr)
    }
}

impl Runtime {
    /// Tells handles that nobody answers any more, and drops queued requests (their
    /// callers get an empty answer).
    fn close(&self) {
        self.shared.closed.store(true, Ordering::Release);
        if let Ok(mut q) = self.shared.queue.lock() {
            q.clear();
        }
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
    Links,
    Wake,
    Signals,
    Control,
}

#[derive(Debug, Default)]
struct Ready {
    sockets: Vec<u32>,
    links: bool,
    wake: bool,
    signals: bool,
    control: bool,
}
