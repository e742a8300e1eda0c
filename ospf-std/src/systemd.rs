//! systemd integration (cargo feature `systemd`, on by default): `Type=notify` readiness
//! and the watchdog, through `$NOTIFY_SOCKET` (the `sd-notify` crate).
//!
//! [`notify_when_ready`] starts a thread that watches the runtime through its
//! [`Handle`]: it sends `READY=1` once the router is useful ([`Readiness`]: the first
//! route calculation for a router, the first Full adjacency for a speaker), then, when
//! the unit sets `WatchdogSec=`, `WATCHDOG=1` every half period for as long as the
//! runtime's thread answers a query, so a hung engine gets restarted. Dropping the
//! returned [`Notifier`] (after [`Runtime::run`](crate::runtime::Runtime::run) returned)
//! sends `STOPPING=1`. Without `$NOTIFY_SOCKET` (not started by systemd) nothing is sent.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sd_notify::NotifyState;
use tracing::{debug, info, warn};

use crate::api::Handle;

/// When the daemon counts as ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Readiness {
    /// After the first route calculation (a router: its table is filled).
    FirstRouteCalculation,
    /// Once a neighbor reached Full (a speaker: its announcements reach the network).
    FirstFullAdjacency,
    /// As soon as the runtime runs.
    Started,
}

impl Readiness {
    fn reached(self, handle: &Handle) -> bool {
        let s = handle.runtime_stats();
        match self {
            Readiness::FirstRouteCalculation => s.spf_runs > 0,
            Readiness::FirstFullAdjacency => s.neighbor_transitions.contains_key("FULL"),
            Readiness::Started => true,
        }
    }
}

/// How often readiness is checked.
const POLL: Duration = Duration::from_millis(50);

/// The running notifier ([`notify_when_ready`]); dropping it stops the thread and sends
/// `STOPPING=1`.
#[derive(Debug)]
pub struct Notifier {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Notifier {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        send(&[NotifyState::Stopping]);
    }
}

/// Starts the notifier thread for `handle`'s runtime (see the [module
/// documentation](self)). Returns `None` when no service manager listens
/// (`$NOTIFY_SOCKET` unset).
pub fn notify_when_ready(handle: Handle, readiness: Readiness) -> io::Result<Option<Notifier>> {
    if std::env::var_os("NOTIFY_SOCKET").is_none() {
        return Ok(None);
    }
    let watchdog = sd_notify::watchdog_enabled().map(|d| d / 2);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let t = std::thread::Builder::new()
        .name("ospf-sd-notify".into())
        .spawn(move || run(&handle, readiness, watchdog, &flag))?;
    Ok(Some(Notifier {
        stop,
        thread: Some(t),
    }))
}

fn send(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        warn!("sd_notify: {e}");
    }
}

fn run(handle: &Handle, readiness: Readiness, watchdog: Option<Duration>, stop: &AtomicBool) {
    let mut ready = false;
    let mut next_ping = Instant::now();
    while !handle.is_closed() && !stop.load(Ordering::Acquire) {
        if !ready && readiness.reached(handle) {
            ready = true;
            info!(?readiness, "ready: notifying the service manager");
            send(&[NotifyState::Ready, NotifyState::Status("running")]);
        }
        if let Some(period) = watchdog {
            if Instant::now() >= next_ping {
                // Only a runtime whose thread answers is alive.
                match handle.interfaces() {
                    Ok(_) => send(&[NotifyState::Watchdog]),
                    Err(e) => debug!("watchdog: runtime did not answer: {e}"),
                }
                next_ping = Instant::now() + period;
            }
        }
        std::thread::sleep(POLL);
    }
}
