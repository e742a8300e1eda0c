//! Periodic probing on a thread, fall/rise hysteresis, state changes as events.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::check::Check;
use super::error::HealthError;
use super::{FallRise, HealthConfig, HealthState};

/// A state change reported by a running checker.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HealthEvent {
    /// The new state.
    pub state: HealthState,
    /// How many probes had run when the state changed (1 = the first probe).
    pub probes: u64,
    /// Why the last probe failed (`None` when it succeeded). Shared, so that events stay
    /// cheap to clone.
    pub last_error: Option<Arc<HealthError>>,
    /// How long the last probe took.
    pub probe_duration: Duration,
}

type Probe = Box<dyn FnMut() -> Result<(), HealthError> + Send>;

/// One probe with its own timing and hysteresis.
struct Group {
    probe: Probe,
    config: HealthConfig,
}

/// Periodic probing with fall/rise hysteresis; [`spawn`](HealthChecker::spawn) or
/// [`spawn_with`](HealthChecker::spawn_with) runs it on a thread.
///
/// A checker holds one or more groups of checks ([`and`](HealthChecker::and)), each probed on
/// its own schedule ([`HealthConfig::interval`], [`HealthConfig::timeout`]) with its own
/// fall/rise counting; the service is up while every group is up.
pub struct HealthChecker {
    groups: Vec<Group>,
}

impl fmt::Debug for HealthChecker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let configs: Vec<&HealthConfig> = self.groups.iter().map(|g| &g.config).collect();
        f.debug_struct("HealthChecker")
            .field("configs", &configs)
            .finish_non_exhaustive()
    }
}

impl HealthChecker {
    /// A checker whose probe passes when every check in `checks` passes (run in order,
    /// stopping at the first failure; each bounded by `config.timeout`). With no check at
    /// all every probe passes.
    pub fn new(checks: Vec<Check>, config: HealthConfig) -> HealthChecker {
        let timeout = config.timeout;
        Self::with_probe(
            move || checks.iter().try_for_each(|c| c.run(timeout)),
            config,
        )
    }

    /// A checker with a probe of the caller's; its errors convert into [`HealthError`]
    /// (a `String` becomes [`HealthError::Probe`]).
    pub fn with_probe<E: Into<HealthError>>(
        mut probe: impl FnMut() -> Result<(), E> + Send + 'static,
        config: HealthConfig,
    ) -> HealthChecker {
        HealthChecker {
            groups: vec![Group {
                probe: Box::new(move || probe().map_err(Into::into)),
                config,
            }],
        }
    }

    /// One checker of this one's groups and `other`'s: each keeps its own interval,
    /// timeout, fall, rise and initial state, and the service is up while all are up.
    ///
    /// ```
    /// use ospf_std::health::{Check, HealthChecker, HealthConfig};
    /// use std::time::Duration;
    ///
    /// let fast = HealthConfig::default().with_interval(Duration::from_millis(200));
    /// let slow = HealthConfig::default().with_interval(Duration::from_secs(10)).with_fall(1);
    /// let checker = HealthChecker::new(vec![Check::tcp("127.0.0.1:80")], fast)
    ///     .and(HealthChecker::new(vec![Check::command("test -e /run/app.ok")], slow));
    /// # drop(checker);
    /// ```
    pub fn and(mut self, other: HealthChecker) -> HealthChecker {
        self.groups.extend(other.groups);
        self
    }

    /// The settings of the first group (of the only one unless [`and`](HealthChecker::and)
    /// added more).
    pub fn config(&self) -> &HealthConfig {
        &self.groups[0].config
    }

    /// The settings of every group, in the order they were added.
    pub fn configs(&self) -> impl Iterator<Item = &HealthConfig> {
        self.groups.iter().map(|g| &g.config)
    }

    /// The state before the first probe: up when every group starts up.
    pub fn initial(&self) -> HealthState {
        aggregate(self.groups.iter().map(|g| g.config.initial))
    }

    /// Runs every group's probe once (no hysteresis), stopping at the first failure.
    pub fn probe_once(&mut self) -> Result<(), HealthError> {
        self.groups.iter_mut().try_for_each(|g| (g.probe)())
    }

    /// Starts probing on a thread named `health-check`: the first probe runs at once, then
    /// one every interval. Each state change is sent on the returned monitor's channel
    /// ([`HealthMonitor::events`]); the thread ends when the monitor is dropped or stopped,
    /// or when the receiver is gone.
    pub fn spawn(self) -> io::Result<HealthMonitor> {
        let (events_tx, events_rx) = mpsc::channel();
        self.start(events_rx, move |ev| events_tx.send(ev).is_ok())
    }

    /// Starts probing like [`spawn`](HealthChecker::spawn) but hands each state change to
    /// `on_event`, called on the checker thread (keep it short: the next probe waits for
    /// it). The monitor's channel then stays empty and disconnected; its
    /// [`state`](HealthMonitor::state) and stopping work as with `spawn`.
    pub fn spawn_with(
        self,
        mut on_event: impl FnMut(HealthEvent) + Send + 'static,
    ) -> io::Result<HealthMonitor> {
        let (_, events_rx) = mpsc::channel();
        self.start(events_rx, move |ev| {
            on_event(ev);
            true
        })
    }

    fn start(
        self,
        events: Receiver<HealthEvent>,
        sink: impl FnMut(HealthEvent) -> bool + Send + 'static,
    ) -> io::Result<HealthMonitor> {
        let (stop_tx, stop_rx) = mpsc::channel::<Ctl>();
        let initial = self.initial();
        let up = Arc::new(AtomicBool::new(initial == HealthState::Up));
        let shared = Arc::clone(&up);
        let thread = thread::Builder::new()
            .name("health-check".into())
            .spawn(move || self.run(sink, shared, stop_rx))?;
        Ok(HealthMonitor {
            events,
            stop: Some(stop_tx),
            thread: Some(thread),
            initial,
            up,
        })
    }

    fn run(
        mut self,
        mut sink: impl FnMut(HealthEvent) -> bool,
        up: Arc<AtomicBool>,
        ctl: Receiver<Ctl>,
    ) {
        let mut hysteresis: Vec<FallRise> = self
            .groups
            .iter()
            .map(|g| FallRise::new(g.config.initial, g.config.fall, g.config.rise))
            .collect();
        let mut state = self.initial();
        let start = Instant::now();
        let mut due = vec![start; self.groups.len()];
        let mut probes = 0u64;
        loop {
            // The group due first (the earliest added on a tie).
            let Some((i, &when)) = due.iter().enumerate().min_by_key(|&(_, t)| *t) else {
                return;
            };
            let now = Instant::now();
            let msg = if when > now {
                match ctl.recv_timeout(when - now) {
                    Err(RecvTimeoutError::Timeout) => None,
                    Ok(m) => Some(m),
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            } else {
                match ctl.try_recv() {
                    Err(mpsc::TryRecvError::Empty) => None,
                    Ok(m) => Some(m),
                    Err(mpsc::TryRecvError::Disconnected) => return,
                }
            };
            match msg {
                Some(Ctl::Stop) => return,
                Some(Ctl::Recheck) => {
                    // Every group is due now; their next probes follow from here.
                    let now = Instant::now();
                    due.iter_mut().for_each(|d| *d = now);
                    continue;
                }
                None => {}
            }
            let group = &mut self.groups[i];
            let started = Instant::now();
            let result = (group.probe)();
            let probe_duration = started.elapsed();
            probes += 1;
            // A probe that overran the interval does not make the next ones burst.
            due[i] = (when + group.config.interval).max(Instant::now());
            if hysteresis[i].observe(result.is_ok()).is_none() {
                continue;
            }
            let next = aggregate(hysteresis.iter().map(FallRise::state));
            if next == state {
                continue;
            }
            state = next;
            up.store(state == HealthState::Up, Ordering::Release);
            let ev = HealthEvent {
                state,
                probes,
                last_error: result.err().map(Arc::new),
                probe_duration,
            };
            if !sink(ev) {
                return; // Nobody listens any more.
            }
        }
    }
}

/// What the monitor tells its thread.
#[derive(Debug, Clone, Copy)]
enum Ctl {
    /// Run every group's probe now.
    Recheck,
    /// End the thread.
    Stop,
}

/// Up when every state is up.
fn aggregate(states: impl IntoIterator<Item = HealthState>) -> HealthState {
    if states.into_iter().all(|s| s == HealthState::Up) {
        HealthState::Up
    } else {
        HealthState::Down
    }
}

/// A running checker: receive [`HealthEvent`]s, read the current state; dropping it stops
/// the thread.
#[derive(Debug)]
pub struct HealthMonitor {
    events: Receiver<HealthEvent>,
    stop: Option<Sender<Ctl>>,
    thread: Option<JoinHandle<()>>,
    initial: HealthState,
    up: Arc<AtomicBool>,
}

impl HealthMonitor {
    /// The channel of state changes (empty and disconnected after
    /// [`HealthChecker::spawn_with`]).
    pub fn events(&self) -> &Receiver<HealthEvent> {
        &self.events
    }

    /// The state before any event.
    pub fn initial(&self) -> HealthState {
        self.initial
    }

    /// The current state: the last change's, or the initial one before any.
    pub fn state(&self) -> HealthState {
        if self.up.load(Ordering::Acquire) {
            HealthState::Up
        } else {
            HealthState::Down
        }
    }

    /// Waits up to `timeout` for the next state change.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<HealthEvent> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Runs every probe now instead of at its next interval (an operator's "check
    /// again": SIGUSR1 in the daemons); fall/rise still apply, and the following probes
    /// are due an interval after this one.
    pub fn recheck(&self) {
        if let Some(tx) = &self.stop {
            let _ = tx.send(Ctl::Recheck);
        }
    }

    /// Stops the thread and waits for it (at most one probe's duration).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(Ctl::Stop);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for HealthMonitor {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    #[test]
    fn recheck_probes_at_once_instead_of_at_the_next_interval() {
        let probes = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&probes);
        // Passes once, then fails; the next interval is an hour away.
        let config = HealthConfig::default()
            .with_interval(Duration::from_secs(3600))
            .with_fall(1)
            .with_initial(HealthState::Up);
        let checker = HealthChecker::with_probe(
            move || match counter.fetch_add(1, Ordering::SeqCst) {
                0 => Ok(()),
                _ => Err("service down".to_string()),
            },
            config,
        );
        let monitor = checker.spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while probes.load(Ordering::SeqCst) == 0 {
            assert!(Instant::now() < deadline, "no first probe");
            thread::sleep(Duration::from_millis(5));
        }
        assert!(monitor.recv_timeout(Duration::from_millis(200)).is_none());
        assert_eq!(monitor.state(), HealthState::Up);
        monitor.recheck();
        let ev = monitor
            .recv_timeout(Duration::from_secs(5))
            .expect("the recheck probed");
        assert_eq!(ev.state, HealthState::Down);
        assert_eq!((ev.probes, probes.load(Ordering::SeqCst)), (2, 2));
        monitor.stop();
    }
}
