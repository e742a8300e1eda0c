//! The daemon loop of `server-speaker` and `ecmp-router`: the engine bound to this host.
//!
//! One thread and one `poll(2)` over the OSPF sockets (one per interface), the link
//! monitor, a signalfd (SIGTERM, SIGINT), the control socket and an eventfd that the
//! health checker pokes; the engine's next timer is the poll timeout.
//!
//! * Routes: the engine's [`Event::RouteChange`]s of one input go to the [`Fib`] in one
//!   batch (changes it refuses are retried every second until they succeed or a newer
//!   change of the prefix supersedes them) ([`NoopFib`](ospf_std::fib::NoopFib) for a speaker, a
//!   [`KernelFib`](ospf_std::fib::KernelFib) with resilient groups for the router).
//! * Health ([`Daemon::set_healthy`], driven by [`crate::health`]): when the service is
//!   down, every loopback address of the configuration leaves OSPF (a new Router-LSA
//!   without its host stub), and comes back when it is up again.
//! * SIGTERM/SIGINT: graceful drain: every LSA of ours is flushed (MaxAge) at once, so the
//!   router in front drops this path within milliseconds; the daemon exits when the
//!   neighbors acknowledged the flush (or after [`DaemonConfig::shutdown_timeout`]).
//! * Control socket: one line per connection, answered by [`crate::show`]
//!   (`show ip ospf neighbor`, ...) or `withdraw`/`announce`/`shutdown`.
//!
//! Needs CAP_NET_RAW (raw sockets) and, for a router, CAP_NET_ADMIN (routes).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read, Write};
use std::net::Ipv4Addr;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::eventfd::{EfdFlags, EventFd};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use ospf_core::instance::{Event, Instance, Output};
use ospf_core::interface::InterfaceState;
use ospf_core::time::Instant;
use ospf_std::bind::{Binding, BoundInterface, BoundKind, bind_interfaces};
use ospf_std::conf::OspfdConf;
use ospf_std::core_config;
use ospf_std::fib::Fib;
use ospf_std::link::LinkMonitor;
use ospf_std::socket::OspfSocket;
use tracing::{debug, info, warn};

use crate::router::{RouteAges, fast_failover, fib_change};
use crate::show::Snapshot;

/// Default path of the control socket.
pub const DEFAULT_SOCKET: &str = "/run/ospf-rs/ospfd.sock";

/// How to run a daemon.
pub struct DaemonConfig {
    /// The parsed `ospfd.conf`.
    pub conf: OspfdConf,
    /// Where routes go.
    pub fib: Box<dyn Fib + Send>,
    /// Control socket path (`None`: no control socket).
    pub control_path: Option<PathBuf>,
    /// Sub-second Hellos: this many per second with a dead interval of 1 s on every
    /// broadcast and point-to-point interface (FRR's `dead-interval minimal
    /// hello-multiplier N`).
    pub fast_hello: Option<u8>,
    /// [`fast_failover`] engine settings (on by default).
    pub fast_failover: bool,
    /// Upper bound on the wait for the flush to be acknowledged at shutdown.
    pub shutdown_timeout: Duration,
    /// Handle SIGTERM and SIGINT (blocked in the calling thread).
    pub handle_signals: bool,
}

impl DaemonConfig {
    /// Defaults: no FIB, the default control socket, fast failover, 2 s shutdown timeout.
    pub fn new(conf: OspfdConf) -> Self {
        DaemonConfig {
            conf,
            fib: Box::new(ospf_std::fib::NoopFib),
            control_path: Some(PathBuf::from(DEFAULT_SOCKET)),
            fast_hello: None,
            fast_failover: true,
            shutdown_timeout: Duration::from_secs(2),
            handle_signals: true,
        }
    }
}

/// Errors of the daemon.
#[derive(Debug)]
#[non_exhaustive]
pub enum DaemonError {
    /// The configuration cannot be run here.
    Setup(String),
    /// A system call failed.
    Io(io::Error),
}

impl std::fmt::Display for DaemonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DaemonError::Setup(e) => write!(f, "configuration: {e}"),
            DaemonError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for DaemonError {}

impl From<io::Error> for DaemonError {
    fn from(e: io::Error) -> Self {
        DaemonError::Io(e)
    }
}

impl From<nix::errno::Errno> for DaemonError {
    fn from(e: nix::errno::Errno) -> Self {
        DaemonError::Io(e.into())
    }
}

/// Wakes a daemon from another thread with a health verdict.
#[derive(Debug, Clone)]
pub struct HealthHandle {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    wake: EventFd,
    healthy: Mutex<Option<bool>>,
}

impl HealthHandle {
    /// Reports the service up (`true`) or down (`false`).
    pub fn set_healthy(&self, up: bool) {
        if let Ok(mut h) = self.shared.healthy.lock() {
            *h = Some(up);
        }
        let _ = self.shared.wake.write(1);
    }
}

/// Route changes the FIB refused, retried every second until they succeed or a newer
/// change of the same prefix supersedes them.
#[derive(Debug, Default)]
struct FibRetry {
    pending: Vec<ospf_std::fib::RouteChange>,
    at: Option<std::time::Instant>,
}

impl FibRetry {
    const INTERVAL: Duration = Duration::from_secs(1);

    fn apply(
        &mut self,
        fib: &mut dyn Fib,
        changes: Vec<ospf_std::fib::RouteChange>,
        now: std::time::Instant,
    ) {
        if changes.is_empty() {
            return;
        }
        self.pending
            .retain(|old| !changes.iter().any(|c| c.prefix() == old.prefix()));
        match fib.apply(&changes) {
            Ok(()) => debug!(count = changes.len(), "FIB updated"),
            Err(ospf_std::fib::FibError::Rejected(refused)) => {
                warn!(
                    count = refused.len(),
                    "FIB refused route changes; retrying in 1 s"
                );
                self.pending.extend(
                    changes
                        .into_iter()
                        .filter(|c| refused.iter().any(|r| r.prefix == c.prefix())),
                );
            }
            Err(e) => {
                warn!("FIB update failed: {e}; retrying in 1 s");
                self.pending.extend(changes);
            }
        }
        if self.pending.is_empty() {
            self.at = None;
        } else if self.at.is_none() {
            self.at = Some(now + Self::INTERVAL);
        }
    }

    fn retry_due(&mut self, fib: &mut dyn Fib, now: std::time::Instant) {
        if self.at.is_some_and(|t| now >= t) {
            self.at = None;
            let pending = std::mem::take(&mut self.pending);
            self.apply(fib, pending, now);
        }
    }
}

struct Conn {
    stream: UnixStream,
    buf: Vec<u8>,
}

/// The engine bound to this host. See the [module documentation](self).
pub struct Daemon {
    ospf: Instance,
    conf: OspfdConf,
    fast_hello: Option<u8>,
    binding: Binding,
    active: BTreeMap<u32, BoundInterface>,
    sockets: BTreeMap<u32, OspfSocket>,
    links: LinkMonitor,
    fib: Box<dyn Fib + Send>,
    ages: RouteAges,
    healthy: bool,
    /// Loopback addresses withdrawn by `withdraw` on the control socket.
    withdrawn: BTreeSet<Ipv4Addr>,
    listener: Option<(UnixListener, PathBuf)>,
    conns: Vec<Conn>,
    signals: Option<SignalFd>,
    shared: Arc<Shared>,
    origin: std::time::Instant,
    next_timer: Instant,
    buf: Vec<u8>,
    shutdown_deadline: Option<std::time::Instant>,
    fib_retry: FibRetry,
    shutdown_timeout: Duration,
    finished: bool,
}

impl std::fmt::Debug for Daemon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Daemon")
            .field("router_id", &self.ospf.router_id())
            .field("interfaces", &self.active.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[derive(Debug, Clone, Copy)]
enum Src {
    Socket(u32),
    Links,
    Wake,
    Signals,
    Listener,
    Conn(usize),
}

impl Daemon {
    /// Binds the configuration to this host's links and starts the engine.
    pub fn new(cfg: DaemonConfig) -> Result<Self, DaemonError> {
        let links = LinkMonitor::new()?;
        let all_links: Vec<_> = links.links().cloned().collect();
        let binding = bind_interfaces(&cfg.conf, &all_links, links.all_addrs());
        let router_id = core_config::router_id(&cfg.conf, &binding)
            .map_err(|e| DaemonError::Setup(e.to_string()))?;
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let seed = wall.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32);
        let now = Instant::from_secs(1);
        let mut icfg = core_config::instance_config(router_id, seed, wall.as_secs() as u32);
        if cfg.fast_failover {
            icfg = fast_failover(icfg);
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
        let listener = match cfg.control_path {
            Some(p) => {
                if let Some(dir) = p.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let _ = std::fs::remove_file(&p);
                let l = UnixListener::bind(&p)?;
                l.set_nonblocking(true)?;
                Some((l, p))
            }
            None => None,
        };
        let shared = Arc::new(Shared {
            wake: EventFd::from_value_and_flags(0, EfdFlags::EFD_NONBLOCK | EfdFlags::EFD_CLOEXEC)?,
            healthy: Mutex::new(None),
        });
        info!(%router_id, "starting OSPF");
        let mut d = Daemon {
            ospf,
            conf: cfg.conf,
            fast_hello: cfg.fast_hello,
            binding: Binding::default(),
            active: BTreeMap::new(),
            sockets: BTreeMap::new(),
            links,
            fib: cfg.fib,
            ages: RouteAges::default(),
            healthy: true,
            withdrawn: BTreeSet::new(),
            listener,
            conns: Vec::new(),
            signals,
            shared,
            origin: std::time::Instant::now(),
            next_timer: now,
            buf: vec![0u8; 65536],
            shutdown_deadline: None,
            fib_retry: FibRetry::default(),
            shutdown_timeout: cfg.shutdown_timeout,
            finished: false,
        };
        d.apply_binding(binding)?;
        d.drain();
        Ok(d)
    }

    /// A handle for the health checker's thread.
    pub fn health_handle(&self) -> HealthHandle {
        HealthHandle {
            shared: self.shared.clone(),
        }
    }

    /// The engine (for queries).
    pub fn instance(&self) -> &Instance {
        &self.ospf
    }

    /// Whether the graceful shutdown has completed.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The service's health: down withdraws the loopback addresses, up announces them.
    pub fn set_healthy(&mut self, up: bool) -> Result<(), DaemonError> {
        if self.healthy == up {
            return Ok(());
        }
        self.healthy = up;
        info!(
            healthy = up,
            "service {}: anycast addresses {}",
            if up { "up" } else { "down" },
            if up { "announced" } else { "withdrawn" }
        );
        let b = self.binding.clone();
        self.apply_binding(b)
    }

    fn now(&self) -> Instant {
        let us = self.origin.elapsed().as_micros() as u64;
        Instant::from_secs(1).saturating_add(ospf_core::time::Duration::from_micros(us))
    }

    /// Runs until a graceful shutdown has completed.
    pub fn run(&mut self) -> Result<(), DaemonError> {
        while !self.finished {
            self.step(None)?;
        }
        Ok(())
    }

    /// Waits for the next input (at most `max_wait`) and handles what is ready.
    pub fn step(&mut self, max_wait: Option<Duration>) -> Result<(), DaemonError> {
        if self.finished {
            return Ok(());
        }
        let now = self.now();
        let mut wait =
            Duration::from_micros(self.next_timer.saturating_duration_since(now).as_micros());
        for d in [self.shutdown_deadline, self.fib_retry.at]
            .into_iter()
            .flatten()
        {
            wait = wait.min(d.saturating_duration_since(std::time::Instant::now()));
        }
        if let Some(m) = max_wait {
            wait = wait.min(m);
        }
        let ms = wait.as_micros().div_ceil(1000).min(60_000) as u16;
        let ready = self.wait(PollTimeout::from(ms))?;
        let mut conns_ready = Vec::new();
        for src in ready {
            match src {
                Src::Socket(i) => self.read_socket(i),
                Src::Links => {
                    let events = self.links.poll_events()?;
                    if !events.is_empty() {
                        debug!(?events, "link events");
                        let links: Vec<_> = self.links.links().cloned().collect();
                        let b = bind_interfaces(&self.conf, &links, self.links.all_addrs());
                        self.apply_binding(b)?;
                    }
                }
                Src::Signals => {
                    let mut got = Vec::new();
                    if let Some(sfd) = &mut self.signals {
                        while let Ok(Some(sig)) = sfd.read_signal() {
                            got.push(sig.ssi_signo);
                        }
                    }
                    for signo in got {
                        info!(signal = signo, "signal: graceful shutdown");
                        self.begin_shutdown();
                    }
                }
                Src::Wake => {
                    let _ = self.shared.wake.read();
                    let verdict = self.shared.healthy.lock().ok().and_then(|mut h| h.take());
                    if let Some(up) = verdict {
                        self.set_healthy(up)?;
                    }
                }
                Src::Listener => self.accept(),
                Src::Conn(i) => conns_ready.push(i),
            }
        }
        self.serve(&conns_ready);
        let now = self.now();
        if now >= self.next_timer {
            self.ospf.handle_timeout(now);
            self.drain();
        }
        self.retry_fib();
        if let Some(deadline) = self.shutdown_deadline
            && (self.ospf.is_shutdown_complete() || std::time::Instant::now() >= deadline)
        {
            self.finish();
        }
        Ok(())
    }

    fn wait(&self, timeout: PollTimeout) -> Result<Vec<Src>, DaemonError> {
        let mut srcs: Vec<(BorrowedFd<'_>, Src)> = Vec::new();
        for (i, s) in &self.sockets {
            srcs.push((s.as_fd(), Src::Socket(*i)));
        }
        srcs.push((self.links.as_fd(), Src::Links));
        srcs.push((self.shared.wake.as_fd(), Src::Wake));
        if let Some(s) = &self.signals {
            srcs.push((s.as_fd(), Src::Signals));
        }
        if let Some((l, _)) = &self.listener {
            srcs.push((l.as_fd(), Src::Listener));
        }
        for (i, c) in self.conns.iter().enumerate() {
            srcs.push((c.stream.as_fd(), Src::Conn(i)));
        }
        let mut fds: Vec<PollFd<'_>> = srcs
            .iter()
            .map(|(fd, _)| PollFd::new(*fd, PollFlags::POLLIN))
            .collect();
        match poll(&mut fds, timeout) {
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        }
        Ok(fds
            .iter()
            .zip(&srcs)
            .filter(|(fd, _)| fd.revents().is_some_and(|e| !e.is_empty()))
            .map(|(_, (_, k))| *k)
            .collect())
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

    /// Drains the engine: sends packets, applies route changes in one FIB batch.
    fn drain(&mut self) {
        let now = self.now();
        let mut out = std::mem::take(&mut self.buf);
        let mut changes = Vec::new();
        while let Some(o) = self.ospf.poll_output(now, &mut out) {
            match o {
                Output::Transmit(t) => {
                    if let Some(s) = self.sockets.get(&t.ifindex)
                        && let Err(e) = s.send(t.dst, &out[..t.len])
                    {
                        debug!(ifindex = t.ifindex, dst = %t.dst, "send failed: {e}");
                    }
                }
                Output::Event(Event::RouteChange(c)) => {
                    self.ages.observe(now, &c);
                    debug!(?c, "route change");
                    if let Some(f) = fib_change(&c) {
                        changes.push(f);
                    }
                }
                Output::Event(e) => self.event(e),
                Output::Timeout(at) => self.next_timer = at,
                _ => {}
            }
        }
        self.buf = out;
        self.apply_fib(changes);
    }

    fn apply_fib(&mut self, changes: Vec<ospf_std::fib::RouteChange>) {
        self.fib_retry
            .apply(&mut *self.fib, changes, std::time::Instant::now());
    }

    fn retry_fib(&mut self) {
        self.fib_retry
            .retry_due(&mut *self.fib, std::time::Instant::now());
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::InterfaceState { ifindex, old, new } => {
                info!(ifindex, ?old, ?new, "interface state");
                let dr = matches!(new, InterfaceState::Dr | InterfaceState::Backup);
                if let Some(s) = self.sockets.get_mut(&ifindex)
                    && let Err(e) = s.set_all_drouters(dr)
                {
                    warn!(ifindex, "AllDRouters membership: {e}");
                }
            }
            Event::NeighborState {
                ifindex,
                router_id,
                address,
                old,
                new,
                reason,
            } => info!(ifindex, %router_id, %address, ?old, ?new, ?reason, "neighbor state"),
            Event::ShutdownComplete => info!("our LSAs are flushed and acknowledged"),
            _ => {}
        }
    }

    fn engine_config(
        &self,
        b: &BoundInterface,
    ) -> Result<ospf_core::config::InterfaceConfig, DaemonError> {
        let mut c = core_config::interface_config(&self.conf, b)
            .map_err(|e| DaemonError::Setup(e.to_string()))?;
        if let Some(n) = self.fast_hello
            && b.kind != BoundKind::Loopback
        {
            c = crate::router::fast_hello(c, n);
        }
        Ok(c)
    }

    /// Brings the engine's interfaces in line with `binding`, minus withdrawn loopbacks.
    fn apply_binding(&mut self, binding: Binding) -> Result<(), DaemonError> {
        let now = self.now();
        let healthy = self.healthy;
        let wanted: BTreeMap<u32, BoundInterface> = binding
            .interfaces
            .iter()
            .filter(|b| {
                b.kind != BoundKind::Loopback
                    || b.addr.is_loopback()
                    || (healthy && !self.withdrawn.contains(&b.addr))
            })
            .map(|b| (b.key, b.clone()))
            .collect();
        let stale: Vec<u32> = self
            .active
            .iter()
            .filter(|(k, old)| {
                wanted.get(k).is_none_or(|new| {
                    (new.addr, new.prefix_len, new.area, new.kind, new.passive)
                        != (old.addr, old.prefix_len, old.area, old.kind, old.passive)
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
            let icfg = self.engine_config(b)?;
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

    fn begin_shutdown(&mut self) {
        if self.shutdown_deadline.is_none() {
            let now = self.now();
            self.ospf.shutdown(now);
            self.drain();
            self.shutdown_deadline = Some(std::time::Instant::now() + self.shutdown_timeout);
        }
    }

    fn finish(&mut self) {
        self.finished = true;
        if !self.ospf.is_shutdown_complete() {
            warn!("shutdown timeout: not every neighbor acknowledged our flushed LSAs");
        }
        if let Err(e) = self.fib.flush() {
            warn!("removing our routes: {e}");
        }
        if let Some((_, p)) = &self.listener {
            let _ = std::fs::remove_file(p);
        }
        info!("OSPF stopped");
    }

    fn ifname(&self, key: u32) -> String {
        if let Some(b) = self.active.get(&key).or_else(|| self.binding.by_key(key)) {
            return b.name.clone();
        }
        self.links
            .link(key)
            .map_or_else(|| key.to_string(), |l| l.name.clone())
    }

    /// The show commands' view of the daemon now.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.now();
        let routes: Vec<_> = self.ospf.routes().collect();
        let ifname = |k: u32| self.ifname(k);
        Snapshot::capture(
            &self.ospf,
            now,
            routes
                .iter()
                .map(|(p, r)| (p, r, self.ages.since(p, Instant::from_secs(1)))),
            &ifname,
        )
    }

    /// Answers one control line.
    pub fn command(&mut self, line: &str) -> String {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["shutdown"] => {
                self.begin_shutdown();
                "shutting down\n".into()
            }
            [verb @ ("withdraw" | "announce"), addr] => {
                let a = addr.split('/').next().unwrap_or(addr);
                let Ok(a) = a.parse::<Ipv4Addr>() else {
                    return format!("% bad address `{addr}`\n");
                };
                let changed = if *verb == "withdraw" {
                    self.withdrawn.insert(a)
                } else {
                    self.withdrawn.remove(&a)
                };
                if changed {
                    let b = self.binding.clone();
                    if let Err(e) = self.apply_binding(b) {
                        return format!("% {e}\n");
                    }
                }
                format!("{verb} {a}: done\n")
            }
            _ => self.snapshot().answer(line),
        }
    }

    fn accept(&mut self) {
        let Some((l, _)) = &self.listener else {
            return;
        };
        while let Ok((stream, _)) = l.accept() {
            if stream.set_nonblocking(true).is_ok() && self.conns.len() < 64 {
                self.conns.push(Conn {
                    stream,
                    buf: Vec::new(),
                });
            }
        }
    }

    fn serve(&mut self, ready: &[usize]) {
        let mut done = Vec::new();
        for &i in ready {
            let Some(c) = self.conns.get_mut(i) else {
                continue;
            };
            let mut tmp = [0u8; 1024];
            let line = match c.stream.read(&mut tmp) {
                Ok(0) => {
                    done.push(i);
                    None
                }
                Ok(n) => {
                    c.buf.extend_from_slice(&tmp[..n]);
                    if let Some(pos) = c.buf.iter().position(|b| *b == b'\n') {
                        Some(String::from_utf8_lossy(&c.buf[..pos]).into_owned())
                    } else if c.buf.len() > 4096 {
                        done.push(i);
                        None
                    } else {
                        None
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => None,
                Err(_) => {
                    done.push(i);
                    None
                }
            };
            if let Some(line) = line {
                let answer = self.command(line.trim());
                if let Some(c) = self.conns.get_mut(i) {
                    let _ = c.stream.set_nonblocking(false);
                    let _ = c.stream.set_write_timeout(Some(Duration::from_millis(500)));
                    let _ = c.stream.write_all(answer.as_bytes());
                }
                done.push(i);
            }
        }
        done.sort_unstable();
        done.dedup();
        for i in done.into_iter().rev() {
            self.conns.remove(i);
        }
    }
}

/// Sends one line to a daemon's control socket and returns its answer.
pub fn request(path: &std::path::Path, line: &str) -> io::Result<String> {
    let mut s = UnixStream::connect(path)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    s.write_all(line.trim().as_bytes())?;
    s.write_all(b"\n")?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    Ok(answer)
}

/// Runs the health checker (if any) on its own thread, reporting to `handle`. Returns
/// `false` when no check is configured (the service counts as always up).
pub fn spawn_health(
    args: &crate::health::HealthArgs,
    handle: HealthHandle,
) -> io::Result<Option<std::thread::JoinHandle<()>>> {
    let Some(checker) = args.checker() else {
        return Ok(None);
    };
    let initial = checker.config().initial;
    handle.set_healthy(initial == crate::health::HealthState::Up);
    let monitor = checker.spawn()?;
    let t = std::thread::Builder::new()
        .name("health-events".into())
        .spawn(move || {
            while let Ok(ev) = monitor.events().recv() {
                match &ev.last_error {
                    Some(err) => {
                        info!(state = %ev.state, probes = ev.probes, "health check: {err}")
                    }
                    None => info!(state = %ev.state, probes = ev.probes, "health check"),
                }
                handle.set_healthy(ev.state == crate::health::HealthState::Up);
            }
        })?;
    Ok(Some(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ospf_std::link::{Addr, Link};

    /// A FIB that refuses everything while `broken`.
    struct Flaky {
        inner: ospf_std::fib::MemoryFib,
        broken: bool,
    }

    impl Fib for Flaky {
        fn apply(
            &mut self,
            changes: &[ospf_std::fib::RouteChange],
        ) -> Result<(), ospf_std::fib::FibError> {
            if self.broken {
                return Err(ospf_std::fib::FibError::Rejected(
                    changes
                        .iter()
                        .map(|c| ospf_std::fib::Rejected {
                            prefix: c.prefix(),
                            errno: 105, // ENOBUFS
                        })
                        .collect(),
                ));
            }
            self.inner.apply(changes)
        }
        fn flush(&mut self) -> Result<(), ospf_std::fib::FibError> {
            self.inner.flush()
        }
        fn get(&self, p: &ospf_std::fib::Prefix) -> Option<&ospf_std::fib::NextHopSet> {
            self.inner.get(p)
        }
        fn len(&self) -> usize {
            self.inner.len()
        }
        fn routes(&self) -> Vec<ospf_std::fib::Route> {
            self.inner.routes()
        }
    }

    #[test]
    fn refused_route_changes_are_retried_until_they_succeed_or_are_superseded() {
        use ospf_std::fib::{NextHop, Prefix, Route, RouteChange};
        let p = Prefix::host(Ipv4Addr::new(172, 16, 0, 1));
        let q = Prefix::host(Ipv4Addr::new(172, 16, 0, 2));
        let via = |a: u8| NextHop::new(Ipv4Addr::new(10, 0, 0, a), 2);
        let mut fib = Flaky {
            inner: ospf_std::fib::MemoryFib::new(),
            broken: true,
        };
        let mut r = FibRetry::default();
        let t0 = std::time::Instant::now();
        r.apply(
            &mut fib,
            vec![
                RouteChange::Replace(Route::new(p, [via(1), via(2)])),
                RouteChange::Replace(Route::new(q, [via(1)])),
            ],
            t0,
        );
        assert_eq!(r.pending.len(), 2);
        assert_eq!(r.at, Some(t0 + FibRetry::INTERVAL));
        // A newer change of `p` supersedes the refused one (and is refused too).
        r.apply(
            &mut fib,
            vec![RouteChange::Replace(Route::new(p, [via(2)]))],
            t0,
        );
        assert_eq!(r.pending.len(), 2);
        // Not due yet: nothing happens.
        fib.broken = false;
        r.retry_due(&mut fib, t0 + Duration::from_millis(500));
        assert!(fib.is_empty());
        r.retry_due(&mut fib, t0 + FibRetry::INTERVAL);
        assert!(r.pending.is_empty() && r.at.is_none());
        assert_eq!(fib.get(&p).map(|s| s.len()), Some(1));
        assert_eq!(fib.get(&q).map(|s| s.len()), Some(1));
    }

    /// The seed's file, verbatim (tabs included).
    const SEED: &str = "hostname server1\ninterface eth0\nrouter ospf\n\tospf router-id 10.0.0.1\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n";

    #[test]
    fn seed_config_announces_the_loopback_as_a_host_stub() {
        let conf = OspfdConf::parse(SEED).unwrap();
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
        let b = bind_interfaces(&conf, &links, &addrs);
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
}
