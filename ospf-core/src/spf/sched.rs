//! SPF delay with the back-off of RFC 8405, as a pure state machine of caller-supplied time.

use crate::time::{Duration, Instant};

/// Delays of the RFC 8405 back-off algorithm.
///
/// The defaults react at once to the first change in a quiet network (a drained server
/// leaves the routing table within milliseconds) and still damp a storm of changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SpfTimers {
    /// INITIAL_SPF_DELAY: delay of the first calculation after a quiet period (default 0).
    pub initial: Duration,
    /// SHORT_SPF_DELAY: delay while still learning (default 50 ms).
    pub short: Duration,
    /// LONG_SPF_DELAY: delay once the network is unstable (default 5 s).
    pub long: Duration,
    /// HOLDDOWN_INTERVAL: quiet time after which the delays reset (default 10 s).
    pub holddown: Duration,
    /// TIME_TO_LEARN_INTERVAL: time spent in SHORT_WAIT before LONG_WAIT (default 500 ms).
    pub time_to_learn: Duration,
}

impl Default for SpfTimers {
    fn default() -> Self {
        SpfTimers {
            initial: Duration::ZERO,
            short: Duration::from_millis(50),
            long: Duration::from_secs(5),
            holddown: Duration::from_secs(10),
            time_to_learn: Duration::from_millis(500),
        }
    }
}

impl SpfTimers {
    /// The same delays with `initial`, `short`, `long` replaced.
    pub const fn with_delays(mut self, initial: Duration, short: Duration, long: Duration) -> Self {
        self.initial = initial;
        self.short = short;
        self.long = long;
        self
    }
    /// The same delays with `holddown` and `time_to_learn` replaced.
    pub const fn with_intervals(mut self, holddown: Duration, time_to_learn: Duration) -> Self {
        self.holddown = holddown;
        self.time_to_learn = time_to_learn;
        self
    }
}

/// State of the back-off (RFC 8405 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackoffState {
    /// No recent change.
    Quiet,
    /// Changes seen recently: short delay.
    ShortWait,
    /// Changes for longer than TIME_TO_LEARN: long delay.
    LongWait,
}

/// RFC 8405 SPF back-off.
///
/// Call [`on_change`](Self::on_change) for every LSDB change that needs a calculation; it
/// returns when to run it. When that time comes, run the calculation and call
/// [`on_run`](Self::on_run). The HOLDDOWN and TIME_TO_LEARN timers are evaluated lazily
/// from the times passed in, so the only timer the caller keeps is the SPF run time
/// ([`next_run`](Self::next_run)).
///
/// ```
/// use ospf_core::spf::{SpfScheduler, SpfTimers};
/// use ospf_core::time::{Duration, Instant};
/// let mut s = SpfScheduler::new(SpfTimers::default());
/// let t0 = Instant::from_secs(100);
/// assert_eq!(s.on_change(t0), t0); // quiet network: run at once
/// s.on_run(t0);
/// let t1 = t0 + Duration::from_millis(10);
/// assert_eq!(s.on_change(t1), t1 + Duration::from_millis(50)); // damped
/// ```
#[derive(Debug, Clone)]
pub struct SpfScheduler {
    timers: SpfTimers,
    state: BackoffState,
    holddown_end: Instant,
    learn_end: Instant,
    scheduled: Option<Instant>,
}

impl SpfScheduler {
    /// A quiet scheduler.
    pub fn new(timers: SpfTimers) -> Self {
        SpfScheduler {
            timers,
            state: BackoffState::Quiet,
            holddown_end: Instant::ZERO,
            learn_end: Instant::ZERO,
            scheduled: None,
        }
    }

    /// Replaces the delays (takes effect at the next change).
    pub fn set_timers(&mut self, timers: SpfTimers) {
        self.timers = timers;
    }

    /// The delays in use.
    pub fn timers(&self) -> SpfTimers {
        self.timers
    }

    fn advance(&mut self, now: Instant) {
        if self.state != BackoffState::Quiet && now >= self.holddown_end {
            self.state = BackoffState::Quiet;
        }
        if self.state == BackoffState::ShortWait && now >= self.learn_end {
            self.state = BackoffState::LongWait;
        }
    }

    /// The back-off state at `now`.
    pub fn state(&mut self, now: Instant) -> BackoffState {
        self.advance(now);
        self.state
    }

    /// An IGP event at `now`: returns when the calculation should run (an already scheduled
    /// run is kept, as RFC 8405 §6 asks).
    pub fn on_change(&mut self, now: Instant) -> Instant {
        self.advance(now);
        let delay = match self.state {
            BackoffState::Quiet => {
                self.state = BackoffState::ShortWait;
                self.learn_end = now + self.timers.time_to_learn;
                self.timers.initial
            }
            BackoffState::ShortWait => self.timers.short,
            BackoffState::LongWait => self.timers.long,
        };
        self.holddown_end = now + self.timers.holddown;
        *self.scheduled.get_or_insert(now + delay)
    }

    /// When the scheduled calculation is due, if one is.
    pub fn next_run(&self) -> Option<Instant> {
        self.scheduled
    }

    /// Whether a calculation is due at `now`.
    pub fn is_due(&self, now: Instant) -> bool {
        self.scheduled.is_some_and(|t| t <= now)
    }

    /// The calculation ran at `now`.
    pub fn on_run(&mut self, now: Instant) {
        self.advance(now);
        self.scheduled = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn rfc8405_quiet_runs_at_once_then_short_then_long() {
        let mut s = SpfScheduler::new(SpfTimers::default());
        let t0 = Instant::from_secs(1);
        assert_eq!(s.on_change(t0), t0);
        s.on_run(t0);
        // still learning: short delay
        let t = t0 + ms(100);
        assert_eq!(s.on_change(t), t + ms(50));
        // a second change before the run does not move it
        assert_eq!(s.on_change(t + ms(10)), t + ms(50));
        s.on_run(t + ms(50));
        // after TIME_TO_LEARN: long delay
        let t = t0 + ms(600);
        assert_eq!(s.state(t), BackoffState::LongWait);
        assert_eq!(s.on_change(t), t + ms(5000));
        s.on_run(t + ms(5000));
        // HOLDDOWN after the last change: quiet again, immediate run
        let t = t + ms(10_000);
        assert_eq!(s.state(t), BackoffState::Quiet);
        assert_eq!(s.on_change(t), t);
    }

    #[test]
    fn rfc8405_holddown_restarts_on_each_change() {
        let mut s = SpfScheduler::new(SpfTimers::default());
        let mut t = Instant::from_secs(1);
        for _ in 0..30 {
            let at = s.on_change(t);
            s.on_run(at);
            t += ms(9_000);
        }
        // changes every 9 s never let the 10 s hold-down expire
        assert_eq!(s.state(t), BackoffState::LongWait);
    }
}
