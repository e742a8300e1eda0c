//! Service health checks: announce an anycast service address only while the service works
//! (cargo feature `health`, on by default).
//!
//! Four kinds of [`Check`], each bounded by a timeout:
//! - [`HttpCheck`]: `http://` or `https://` GET through `ureq` (rustls); any 2xx or 3xx passes,
//!   or only the expected status. Certificates are verified against the bundled Mozilla roots
//!   (`webpki-roots`), against a CA file of the caller's, or not at all for a self-signed local
//!   service ([`HttpCheck::insecure`]).
//! - [`TcpCheck`]: a TCP connect.
//! - [`CommandCheck`]: `sh -c COMMAND` exiting 0; killed (with its process group) at the
//!   timeout.
//! - [`DnsCheck`]: one UDP query (name and type configurable, type A by default) to a server
//!   (by default the first `nameserver` of `/etc/resolv.conf`, else `127.0.0.1:53`); RCODE
//!   NOERROR with at least one answer record passes. Messages are built and parsed with
//!   `simple-dns`.
//!
//! A [`HealthChecker`] runs a probe (all of its checks, in order, must pass) every
//! [`HealthConfig::interval`], each check bounded by [`HealthConfig::timeout`], and applies
//! fall/rise hysteresis ([`FallRise`]): up turns down after `fall` consecutive failed probes,
//! down turns up after `rise` consecutive successful ones, starting from
//! [`HealthConfig::initial`]. Checks that need different timings are joined with
//! [`HealthChecker::and`]: each group keeps its own interval, timeout, fall, rise and initial
//! state, and the service is up while every group is up.
//! [`HealthChecker::spawn`] runs it on a thread that sends each state change as a
//! [`HealthEvent`] on an mpsc channel; [`HealthChecker::spawn_with`] hands them to a callback
//! instead. Failures are typed ([`HealthError`]).
//!
//! Checks parse from the string specifications of a command line ([`Check`]'s `FromStr`):
//! `http://URL`, `https://URL` (with optional ` expect=CODE`, ` insecure`, ` ca=FILE`),
//! `http:URL`, `tcp:HOST:PORT`, `cmd:COMMAND`, `dns:NAME[@SERVER[:PORT]][/TYPE]`.
//!
//! Host names in HTTP and TCP checks are resolved with the system resolver (for TCP that
//! lookup is not bounded by the timeout): use IP literals for strict timing.
//!
//! ```
//! use ospf_std::health::{Check, FallRise, HealthState};
//! use std::time::Duration;
//!
//! let check: Check = "cmd:true".parse().unwrap();
//! assert!(check.run(Duration::from_secs(5)).is_ok());
//!
//! let mut fr = FallRise::new(HealthState::Up, 2, 2);
//! assert_eq!(fr.observe(false), None);
//! assert_eq!(fr.observe(false), Some(HealthState::Down));
//! ```

mod check;
mod dns;
mod error;
mod http;
mod monitor;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

pub use check::{Check, CommandCheck, TcpCheck};
pub use dns::{DnsCheck, DnsRecordType, FALLBACK_SERVER, RESOLV_CONF, first_nameserver};
pub use error::{BoxError, HealthError};
pub use http::HttpCheck;
pub use monitor::{HealthChecker, HealthEvent, HealthMonitor};

/// Whether the service is considered up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HealthState {
    /// The service works: announce it.
    Up,
    /// The service does not work: withdraw it.
    Down,
}

impl fmt::Display for HealthState {
    /// `up` or `down`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HealthState::Up => "up",
            HealthState::Down => "down",
        })
    }
}

impl FromStr for HealthState {
    type Err = String;

    /// `up` or `down` (case-insensitive).
    fn from_str(s: &str) -> Result<HealthState, String> {
        if s.eq_ignore_ascii_case("up") {
            Ok(HealthState::Up)
        } else if s.eq_ignore_ascii_case("down") {
            Ok(HealthState::Down)
        } else {
            Err(format!("invalid health state {s:?}: expected up or down"))
        }
    }
}

/// Fall/rise hysteresis over probe results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FallRise {
    state: HealthState,
    fall: u32,
    rise: u32,
    streak: u32,
}

impl FallRise {
    /// Starts in `initial`; `fall` and `rise` below 1 are treated as 1.
    pub fn new(initial: HealthState, fall: u32, rise: u32) -> FallRise {
        FallRise {
            state: initial,
            fall: fall.max(1),
            rise: rise.max(1),
            streak: 0,
        }
    }

    /// The current state.
    pub fn state(&self) -> HealthState {
        self.state
    }

    /// Feeds one probe result; returns the new state when it changed.
    pub fn observe(&mut self, ok: bool) -> Option<HealthState> {
        let (against, needed, next) = match self.state {
            HealthState::Up => (!ok, self.fall, HealthState::Down),
            HealthState::Down => (ok, self.rise, HealthState::Up),
        };
        if !against {
            self.streak = 0;
            return None;
        }
        self.streak += 1;
        if self.streak >= needed {
            self.state = next;
            self.streak = 0;
            Some(next)
        } else {
            None
        }
    }
}

/// Timing and hysteresis of a [`HealthChecker`]: start from [`Default`] and adjust with the
/// `with_*` methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HealthConfig {
    /// Time between the starts of two probes.
    pub interval: Duration,
    /// Bound on each check of a probe.
    pub timeout: Duration,
    /// Consecutive failed probes that turn up into down (0 acts as 1).
    pub fall: u32,
    /// Consecutive successful probes that turn down into up (0 acts as 1).
    pub rise: u32,
    /// State before the first probe.
    pub initial: HealthState,
}

impl Default for HealthConfig {
    /// 1 s interval, 1 s timeout, fall 3, rise 2, starting down (nothing is announced before
    /// the service has proved itself).
    fn default() -> HealthConfig {
        HealthConfig {
            interval: Duration::from_millis(1000),
            timeout: Duration::from_millis(1000),
            fall: 3,
            rise: 2,
            initial: HealthState::Down,
        }
    }
}

impl HealthConfig {
    /// Sets [`HealthConfig::interval`] (at least 1 ms).
    pub fn with_interval(mut self, interval: Duration) -> HealthConfig {
        self.interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Sets [`HealthConfig::timeout`] (at least 1 ms).
    pub fn with_timeout(mut self, timeout: Duration) -> HealthConfig {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Sets [`HealthConfig::fall`].
    pub fn with_fall(mut self, fall: u32) -> HealthConfig {
        self.fall = fall;
        self
    }

    /// Sets [`HealthConfig::rise`].
    pub fn with_rise(mut self, rise: u32) -> HealthConfig {
        self.rise = rise;
        self
    }

    /// Sets [`HealthConfig::initial`].
    pub fn with_initial(mut self, initial: HealthState) -> HealthConfig {
        self.initial = initial;
        self
    }
}
