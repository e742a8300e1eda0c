//! The typed side of the runtime: requests from other threads, their answers, events.
//!
//! A [`Handle`] queues a [`Request`] in the shared state, wakes the runtime through an
//! eventfd and waits on a channel for the answer. Events go to every subscriber's channel;
//! a subscriber that went away is dropped at the next event.

use std::io;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant as StdInstant};

use nix::sys::eventfd::{EfdFlags, EventFd};
use ospf_core::interface::InterfaceState;
use ospf_core::neighbor::NeighborState;

use crate::Prefix;
use crate::conf::OspfdConf;
use crate::state::{
    InterfaceStatus, LsaSummary, LsdbSummary, NeighborStatus, RouteEntry, Snapshot,
};

/// Errors of the typed API ([`Handle`], [`crate::api::Builder`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The runtime has stopped (or was dropped): nobody answers any more.
    #[error("the OSPF runtime has stopped")]
    Stopped,
    /// A graceful restart cannot be prepared (not configured).
    #[error("graceful restart: {0}")]
    GracefulRestart(&'static str),
    /// `withdraw` of a prefix that is not announced.
    #[error("{0} is not announced")]
    NotAnnounced(Prefix),
    /// A metric out of range for where the prefix is announced.
    #[error("metric {metric} out of range for {prefix} (at most {max})")]
    BadMetric {
        /// The prefix.
        prefix: Prefix,
        /// The metric asked for.
        metric: u32,
        /// The largest allowed.
        max: u32,
    },
    /// The configuration text or file cannot be read.
    #[error("configuration: {0}")]
    Config(#[from] crate::conf::ConfError),
    /// The configuration cannot be run on this host.
    #[error("configuration: {0}")]
    Setup(#[from] crate::core_config::SetupError),
    /// A reload changes something that only a restart can change.
    #[error("changing {0} needs a restart")]
    NeedsRestart(&'static str),
    /// No answer within the time given.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The FIB failed.
    #[error("FIB: {0}")]
    Fib(#[from] crate::fib::FibError),
    /// The control socket is in use by another running instance.
    #[error(
        "control socket {} is in use by another running instance; choose another one (--socket PATH)",
        .0.display()
    )]
    SocketInUse(std::path::PathBuf),
    /// No service has this name ([`crate::service`]).
    #[error("no service is named {0:?}")]
    UnknownService(String),
    /// A service definition was refused.
    #[error("service: {0}")]
    Service(#[from] crate::service::ServiceError),
    /// A system call failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl From<nix::errno::Errno> for Error {
    fn from(e: nix::errno::Errno) -> Self {
        Error::Io(e.into())
    }
}

/// What happened in the runtime, for subscribers ([`Handle::subscribe`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// An interface changed state (RFC 2328 §9.1).
    Interface {
        /// Interface name.
        name: String,
        /// The engine's key (interface index).
        ifindex: u32,
        /// State before.
        old: InterfaceState,
        /// State now.
        new: InterfaceState,
    },
    /// A neighbor changed state (RFC 2328 §10.1).
    Neighbor {
        /// Our interface's name.
        interface: String,
        /// The neighbor's router ID.
        router_id: Ipv4Addr,
        /// The neighbor's interface address.
        address: Ipv4Addr,
        /// State before.
        old: NeighborState,
        /// State now.
        new: NeighborState,
    },
    /// A BFD session changed state (RFC 5880 §6.2).
    Bfd {
        /// Our interface's name.
        interface: String,
        /// The peer's address.
        peer: Ipv4Addr,
        /// State before.
        old: ospf_core::bfd::wire::State,
        /// State now.
        new: ospf_core::bfd::wire::State,
        /// Our diagnostic.
        diagnostic: ospf_core::bfd::wire::Diag,
    },
    /// Graceful restart helper mode (RFC 3623 §3) for a neighbor began, ended or was
    /// refused.
    GrHelper {
        /// Our interface's name.
        interface: String,
        /// The restarting neighbor's router ID.
        router_id: Ipv4Addr,
        /// Its address.
        address: Ipv4Addr,
        /// What happened.
        change: ospf_core::instance::GrHelperChange,
    },
    /// Every neighbor acknowledged the Grace-LSAs of
    /// [`Handle::graceful_restart_prepare`] (RFC 3623 §2.1).
    GracefulRestartReady,
    /// The restarted router left graceful restart mode (RFC 3623 §2.3): its routes
    /// replaced those of the previous process, whose other routes were removed.
    GracefulRestartDone {
        /// Why: "completed", "grace period expired", "topology change" or "shutdown".
        reason: &'static str,
        /// Routes of the previous process removed (not replaced by ours).
        stale_removed: usize,
    },
    /// A route of the routing table changed, with its whole next-hop set.
    Route(ospf_core::spf::RouteChange),
    /// The FIB refused changes (they are retried).
    FibError {
        /// What the FIB said.
        message: String,
        /// The prefixes concerned.
        prefixes: Vec<Prefix>,
    },
    /// The service health changed ([`Handle::set_health`], health checks).
    Health {
        /// Healthy now.
        healthy: bool,
    },
    /// A service's health or announcement changed ([`crate::service`]).
    Service {
        /// The service's name.
        name: String,
        /// Its address.
        address: Ipv4Addr,
        /// Whether its checks pass.
        healthy: bool,
        /// How its address is announced now.
        announcement: crate::service::Announcement,
    },
    /// A prefix is announced (again).
    Announced(Prefix),
    /// A prefix is withdrawn.
    Withdrawn(Prefix),
    /// Stub-router mode (RFC 6987) was entered or left.
    StubRouter(bool),
    /// A drain completed: every neighbor acknowledged our new LSAs and the settle time
    /// passed.
    Drained,
    /// A new configuration was applied.
    Reloaded(ReloadSummary),
    /// The runtime finished its graceful shutdown.
    Stopped,
}

/// What a reload changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReloadSummary {
    /// Interfaces (addresses) OSPF started on.
    pub added: Vec<String>,
    /// Interfaces OSPF stopped on.
    pub removed: Vec<String>,
    /// Interfaces restarted with new settings (their adjacencies re-form).
    pub changed: Vec<String>,
    /// Interfaces left alone (their adjacencies stay up).
    pub unchanged: Vec<String>,
    /// Redistributed prefixes now announced / no longer announced.
    pub redistributed: (usize, usize),
}

/// A typed request to the runtime.
#[derive(Debug)]
pub(crate) enum Request {
    Announce(Prefix, Option<u32>),
    Withdraw(Prefix),
    StubRouter(bool),
    GracefulRestartPrepare,
    Health(bool),
    Drain,
    Undrain,
    WaitDrained,
    Reload(Box<OspfdConf>),
    Shutdown,
    Snapshot,
    Interfaces,
    Neighbors,
    Lsdb,
    Routes,
    /// The BFD sessions.
    BfdPeers,
    /// The services.
    Services,
    /// A service's health, by name (`None`: by address, from its checker).
    ServiceHealth(ServiceRef, bool),
    /// Drains (true) or undrains a service.
    DrainService(ServiceRef, bool),
    /// Runs every health check now.
    Recheck,
    /// A control line, answered as text.
    Line(String),
    /// A control command, answered as text.
    Command(crate::control::Command),
}

/// The answer to a [`Request`].
#[derive(Debug)]
pub(crate) enum Response {
    Done,
    Text(String),
    Snapshot(Box<Snapshot>),
    Interfaces(Vec<InterfaceStatus>),
    Neighbors(Vec<NeighborStatus>),
    Lsdb(Vec<LsaSummary>),
    Routes(Vec<RouteEntry>),
    Reloaded(ReloadSummary),
    BfdPeers(Vec<crate::bfd::BfdPeer>),
    Services(Vec<crate::service::ServiceStatus>),
}

/// A service named by an operator, or by its checker (its address).
#[derive(Debug, Clone)]
pub(crate) enum ServiceRef {
    Name(String),
    Addr(Ipv4Addr),
}

impl Request {
    pub(crate) fn drain_service(name: &str, on: bool) -> Request {
        Request::DrainService(ServiceRef::Name(name.to_string()), on)
    }

    pub(crate) fn service_health(name: &str, up: bool) -> Request {
        Request::ServiceHealth(ServiceRef::Name(name.to_string()), up)
    }
}

pub(crate) type Reply = mpsc::Sender<Result<Response, Error>>;

enum Subscriber {
    Std(mpsc::Sender<Event>),
    #[cfg(feature = "tokio")]
    Tokio(tokio::sync::mpsc::UnboundedSender<Event>),
}

impl Subscriber {
    fn send(&self, e: Event) -> bool {
        match self {
            Subscriber::Std(s) => s.send(e).is_ok(),
            #[cfg(feature = "tokio")]
            Subscriber::Tokio(s) => s.send(e).is_ok(),
        }
    }
}

pub(crate) struct Shared {
    pub(crate) wake: EventFd,
    queue: Mutex<Vec<(Request, Option<Reply>)>>,
    subscribers: Mutex<Vec<Subscriber>>,
    /// The runtime finished or was dropped: nobody reads the queue any more.
    closed: AtomicBool,
    /// The runtime's own counters (metrics).
    stats: Mutex<super::stats::RuntimeStats>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("closed", &self.closed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn new() -> Result<Arc<Shared>, Error> {
        Ok(Arc::new(Shared {
            wake: EventFd::from_value_and_flags(0, EfdFlags::EFD_NONBLOCK | EfdFlags::EFD_CLOEXEC)?,
            queue: Mutex::new(Vec::new()),
            subscribers: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
            stats: Mutex::new(super::stats::RuntimeStats::new(true)),
        }))
    }

    /// Updates the runtime's counters.
    pub(crate) fn count(&self, f: impl FnOnce(&mut super::stats::RuntimeStats)) {
        if let Ok(mut s) = self.stats.lock() {
            f(&mut s);
        }
    }

    /// Takes the queued requests.
    pub(crate) fn take(&self) -> Vec<(Request, Option<Reply>)> {
        let _ = self.wake.read();
        self.queue
            .lock()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default()
    }

    /// Sends `e` to every subscriber; forgets those that went away.
    pub(crate) fn emit(&self, e: &Event) {
        if let Ok(mut subs) = self.subscribers.lock() {
            subs.retain(|s| s.send(e.clone()));
        }
    }

    /// Whether anyone listens to events.
    pub(crate) fn has_subscribers(&self) -> bool {
        self.subscribers
            .lock()
            .map(|s| !s.is_empty())
            .unwrap_or(false)
    }

    /// Tells handles that nobody answers any more; queued requests get [`Error::Stopped`].
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        if let Ok(mut q) = self.queue.lock() {
            for (_, reply) in q.drain(..) {
                if let Some(r) = reply {
                    let _ = r.send(Err(Error::Stopped));
                }
            }
        }
        if let Ok(mut subs) = self.subscribers.lock() {
            subs.clear();
        }
    }
}

/// Controls and queries a running [`Runtime`](crate::runtime::Runtime) from any thread.
/// Cheap to clone; every method is safe to call after the runtime stopped (it then
/// returns [`Error::Stopped`]).
#[derive(Debug, Clone)]
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
}

/// How long a request waits for its answer by default.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

impl Handle {
    fn push(&self, q: Request, reply: Option<Reply>) -> Result<(), Error> {
        if self.is_closed() {
            return Err(Error::Stopped);
        }
        self.shared
            .queue
            .lock()
            .map_err(|_| Error::Stopped)?
            .push((q, reply));
        let _ = self.shared.wake.write(1);
        Ok(())
    }

    pub(crate) fn ask(&self, q: Request, timeout: Duration) -> Result<Response, Error> {
        let (tx, rx) = mpsc::channel();
        self.push(q, Some(tx))?;
        let deadline = StdInstant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(StdInstant::now());
            if left.is_zero() {
                return Err(Error::Timeout(timeout));
            }
            match rx.recv_timeout(left.min(Duration::from_millis(100))) {
                Ok(answer) => return answer,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(Error::Stopped),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if self.is_closed() {
                        return Err(Error::Stopped);
                    }
                }
            }
        }
    }

    fn done(&self, q: Request) -> Result<(), Error> {
        self.ask(q, REQUEST_TIMEOUT).map(|_| ())
    }

    /// The runtime's own counters (route calculations and their durations, FIB
    /// operations, state transitions, health), copied out without asking the runtime's
    /// thread: it answers also while the runtime is busy. For metrics
    /// ([`crate::metrics`]).
    pub fn runtime_stats(&self) -> super::stats::RuntimeStats {
        self.shared
            .stats
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// Announces `prefix`. A configured loopback address (an anycast /32) comes back as
    /// a host stub of the Router-LSA, with `metric` as the stub's cost (default 0); any
    /// other prefix is announced as an AS-external route (metric default 20, as FRR).
    pub fn announce(&self, prefix: Prefix, metric: Option<u32>) -> Result<(), Error> {
        self.done(Request::Announce(prefix, metric))
    }

    /// Stops announcing `prefix` (a drained anycast address, a withdrawn external).
    pub fn withdraw(&self, prefix: Prefix) -> Result<(), Error> {
        self.done(Request::Withdraw(prefix))
    }

    /// Enters or leaves stub-router mode (RFC 6987: transit links at MaxLinkMetric).
    pub fn set_stub_router(&self, on: bool) -> Result<(), Error> {
        self.done(Request::StubRouter(on))
    }

    /// Prepares a planned graceful restart (RFC 3623 §2.1; FRR's `graceful-restart
    /// prepare ip ospf`): floods Grace-LSAs with the grace period of the configuration's
    /// `graceful-restart [grace-period N]`; [`Event::GracefulRestartReady`] follows once
    /// every neighbor acknowledged them. Fails with [`Error::GracefulRestart`] when the
    /// configuration has no `graceful-restart` line. Exiting with the routes kept and
    /// the new process's restarting mode are not implemented yet.
    pub fn graceful_restart_prepare(&self) -> Result<(), Error> {
        self.done(Request::GracefulRestartPrepare)
    }

    /// Reports the health of the service behind the configured loopback addresses:
    /// `false` withdraws all of them, `true` announces them again (except those withdrawn
    /// one by one or drained). Addresses of a [`crate::service::Service`] follow their
    /// own service's health instead.
    pub fn set_health(&self, healthy: bool) -> Result<(), Error> {
        self.done(Request::Health(healthy))
    }

    /// Reports the health like [`Handle::set_health`] without waiting for the runtime
    /// (for a checker thread that must never block on it).
    pub fn report_health(&self, healthy: bool) {
        let _ = self.push(Request::Health(healthy), None);
    }

    /// The anycast services ([`crate::service`]) and how each is announced.
    pub fn services(&self) -> Result<Vec<crate::service::ServiceStatus>, Error> {
        match self.ask(Request::Services, REQUEST_TIMEOUT)? {
            Response::Services(v) => Ok(v),
            _ => Err(Error::Stopped),
        }
    }

    /// Reports the health of the service named `name` (for a program that checks its
    /// services itself); [`Error::UnknownService`] if there is none.
    pub fn set_service_health(&self, name: &str, healthy: bool) -> Result<(), Error> {
        self.done(Request::ServiceHealth(
            ServiceRef::Name(name.to_string()),
            healthy,
        ))
    }

    /// A service checker's report, without waiting.
    pub(crate) fn report_service_health(&self, addr: Ipv4Addr, healthy: bool) {
        let _ = self.push(
            Request::ServiceHealth(ServiceRef::Addr(addr), healthy),
            None,
        );
    }

    /// Drains one service: its address is withdrawn whatever its health (the
    /// last-one-standing rule does not hold it), the adjacencies stay Full.
    pub fn drain_service(&self, name: &str) -> Result<(), Error> {
        self.done(Request::DrainService(
            ServiceRef::Name(name.to_string()),
            true,
        ))
    }

    /// Ends a service's drain.
    pub fn undrain_service(&self, name: &str) -> Result<(), Error> {
        self.done(Request::DrainService(
            ServiceRef::Name(name.to_string()),
            false,
        ))
    }

    /// Runs every health check (the speaker's and each service's) now, instead of at its
    /// next interval; fall/rise still apply. What SIGUSR1 does when the runtime handles
    /// signals.
    pub fn recheck(&self) -> Result<(), Error> {
        self.done(Request::Recheck)
    }

    /// Starts a graceful drain: every configured loopback address is withdrawn while the
    /// adjacencies stay up. [`Handle::wait_drained`] tells when the neighbors have it.
    pub fn drain(&self) -> Result<(), Error> {
        self.done(Request::Drain)
    }

    /// Ends a drain: the addresses are announced again (if healthy).
    pub fn undrain(&self) -> Result<(), Error> {
        self.done(Request::Undrain)
    }

    /// Waits until a drain is complete: every adjacent neighbor acknowledged our new LSAs
    /// and the runtime's settle time (for the router's route calculation and FIB) passed.
    /// Starts the drain if none is under way.
    pub fn wait_drained(&self, timeout: Duration) -> Result<(), Error> {
        self.ask(Request::WaitDrained, timeout).map(|_| ())
    }

    /// [`Handle::set_health`] for async code: the request waits for its answer on
    /// tokio's blocking pool, never on a worker thread (which may be the one the runtime
    /// itself runs on, [`crate::api::Builder::spawn_tokio`]).
    #[cfg(feature = "tokio")]
    pub async fn set_health_async(&self, healthy: bool) -> Result<(), Error> {
        let h = self.clone();
        tokio::task::spawn_blocking(move || h.set_health(healthy))
            .await
            .map_err(|_| Error::Stopped)?
    }

    /// [`Handle::drain`] then [`Handle::wait_drained`]`(timeout)` for async code, on
    /// tokio's blocking pool: returns once the neighbors have the withdrawal (and the
    /// settle time passed). A program that serves on the drained address keeps serving
    /// meanwhile, and a little longer for clients that resolved the old path.
    #[cfg(feature = "tokio")]
    pub async fn drain_async(&self, timeout: Duration) -> Result<(), Error> {
        let h = self.clone();
        tokio::task::spawn_blocking(move || {
            h.drain()?;
            h.wait_drained(timeout)
        })
        .await
        .map_err(|_| Error::Stopped)?
    }

    /// Applies a changed configuration; only what changed is touched (an unchanged
    /// interface keeps its adjacencies). A new router ID or area type needs a restart.
    pub fn reload(&self, conf: OspfdConf) -> Result<ReloadSummary, Error> {
        match self.ask(Request::Reload(Box::new(conf)), REQUEST_TIMEOUT)? {
            Response::Reloaded(s) => Ok(s),
            _ => Ok(ReloadSummary::default()),
        }
    }

    /// Starts a graceful shutdown (our LSAs flushed, routes removed) without waiting
    /// (nothing happens if the runtime already stopped).
    pub fn shutdown(&self) {
        let _ = self.push(Request::Shutdown, None);
    }

    /// Everything at once: interfaces, neighbors, LSDB, routes.
    pub fn snapshot(&self) -> Result<Snapshot, Error> {
        match self.ask(Request::Snapshot, REQUEST_TIMEOUT)? {
            Response::Snapshot(s) => Ok(*s),
            _ => Err(Error::Stopped),
        }
    }

    /// The interfaces, with their packet, LSA and drop counters.
    pub fn interfaces(&self) -> Result<Vec<InterfaceStatus>, Error> {
        match self.ask(Request::Interfaces, REQUEST_TIMEOUT)? {
            Response::Interfaces(v) => Ok(v),
            _ => Err(Error::Stopped),
        }
    }

    /// The neighbors.
    pub fn neighbors(&self) -> Result<Vec<NeighborStatus>, Error> {
        match self.ask(Request::Neighbors, REQUEST_TIMEOUT)? {
            Response::Neighbors(v) => Ok(v),
            _ => Err(Error::Stopped),
        }
    }

    /// The BFD sessions (RFC 5880) of neighbors on interfaces with `ip ospf bfd`, as
    /// `show bfd peers` reports them.
    pub fn bfd_peers(&self) -> Result<Vec<crate::bfd::BfdPeer>, Error> {
        match self.ask(Request::BfdPeers, REQUEST_TIMEOUT)? {
            Response::BfdPeers(v) => Ok(v),
            _ => Err(Error::Stopped),
        }
    }

    /// Every LSA header of the LSDB.
    pub fn lsdb(&self) -> Result<Vec<LsaSummary>, Error> {
        match self.ask(Request::Lsdb, REQUEST_TIMEOUT)? {
            Response::Lsdb(v) => Ok(v),
            _ => Err(Error::Stopped),
        }
    }

    /// How many LSAs of each type the LSDB holds.
    pub fn lsdb_summary(&self) -> Result<LsdbSummary, Error> {
        self.lsdb().map(|l| LsdbSummary::of(&l))
    }

    /// The OSPF routing table.
    pub fn routes(&self) -> Result<Vec<RouteEntry>, Error> {
        match self.ask(Request::Routes, REQUEST_TIMEOUT)? {
            Response::Routes(v) => Ok(v),
            _ => Err(Error::Stopped),
        }
    }

    /// Answers a control line as the control socket would (`show ip ospf neighbor json`,
    /// `withdraw 172.16.0.1/32`, ...).
    pub fn command(&self, line: &str) -> Result<String, Error> {
        match self.ask(Request::Line(line.to_string()), REQUEST_TIMEOUT)? {
            Response::Text(s) => Ok(s),
            _ => Ok(String::new()),
        }
    }

    /// Runs a control command and returns its text answer, as the control socket would
    /// (empty once the runtime stopped).
    pub fn request(&self, cmd: crate::control::Command) -> String {
        match self.ask(Request::Command(cmd), REQUEST_TIMEOUT) {
            Ok(Response::Text(s)) => s,
            _ => String::new(),
        }
    }

    /// Events from now on, on a channel (neighbor and interface states, route changes,
    /// health, FIB errors, drains, reloads). The channel closes when the runtime stops.
    pub fn subscribe(&self) -> mpsc::Receiver<Event> {
        let (tx, rx) = mpsc::channel();
        if let Ok(mut s) = self.shared.subscribers.lock() {
            s.push(Subscriber::Std(tx));
        }
        rx
    }

    /// Events from now on, on a tokio channel (usable as a `Stream` through
    /// `tokio_stream::wrappers::UnboundedReceiverStream`).
    #[cfg(feature = "tokio")]
    pub fn subscribe_async(&self) -> tokio::sync::mpsc::UnboundedReceiver<Event> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        if let Ok(mut s) = self.shared.subscribers.lock() {
            s.push(Subscriber::Tokio(tx));
        }
        rx
    }

    /// Whether the runtime has stopped (or was dropped).
    pub fn is_closed(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }
}
