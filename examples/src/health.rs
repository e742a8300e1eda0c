//! Health checks for the anycast speaker: announce the service address only while the service
//! works.
//!
//! Three kinds of check ([`Check`]), all of which must pass for one probe to succeed:
//! - `--check-http URL`: an HTTP/1.0 GET; a 2xx or 3xx status is up.
//! - `--check-tcp ADDR:PORT`: a TCP connect within the timeout is up.
//! - `--check-cmd CMD`: `sh -c CMD` exiting 0 within the timeout is up.
//!
//! A [`HealthChecker`] probes every `interval` and applies fall/rise hysteresis ([`FallRise`]):
//! up turns down after `fall` consecutive failed probes, down turns up after `rise` consecutive
//! successful ones. [`HealthChecker::spawn`] runs it on a thread that sends each state change as
//! a [`HealthEvent`] on an mpsc channel.
//!
//! The HTTP check is a minimal HTTP/1.0 client on `std::net::TcpStream` rather than a crate:
//! a health probe needs only the status line of one plain-HTTP GET to a local service, this keeps
//! the dependency tree (and the speaker) small, and every step (connect, write, read) is bounded
//! by the probe's deadline. It does not speak TLS (`https://` URLs are rejected) and it resolves
//! host names with the system resolver, which is not bounded by the timeout: use IP literals for
//! strict timing.
//!
//! ```
//! use ospf_examples::health::{Check, FallRise, HealthState};
//! use std::time::Duration;
//!
//! let check: Check = "cmd:true".parse().unwrap();
//! assert!(check.run(Duration::from_secs(5)).is_ok());
//!
//! let mut fr = FallRise::new(HealthState::Up, 2, 2);
//! assert_eq!(fr.observe(false), None);
//! assert_eq!(fr.observe(false), Some(HealthState::Down));
//! ```

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Whether the service is considered up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum HealthState {
    /// The service works: announce it.
    Up,
    /// The service does not work: withdraw it.
    Down,
}

impl fmt::Display for HealthState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HealthState::Up => "up",
            HealthState::Down => "down",
        })
    }
}

/// One health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// HTTP GET of a `http://host[:port][/path]` URL; 2xx or 3xx is up.
    Http(String),
    /// TCP connect to `addr:port`.
    Tcp(String),
    /// `sh -c` command; exit status 0 is up.
    Cmd(String),
}

/// Parses `http:URL` (or a bare `http://...` URL), `tcp:ADDR:PORT` and `cmd:COMMAND`.
impl FromStr for Check {
    type Err = String;

    fn from_str(s: &str) -> Result<Check, String> {
        if s.starts_with("http://") {
            return Ok(Check::Http(s.to_owned()));
        }
        match s.split_once(':') {
            Some(("http", url)) => Ok(Check::Http(url.to_owned())),
            Some(("tcp", addr)) => Ok(Check::Tcp(addr.to_owned())),
            Some(("cmd", cmd)) => Ok(Check::Cmd(cmd.to_owned())),
            _ => Err(format!(
                "unknown check {s:?}: expected http:URL, tcp:ADDR:PORT or cmd:COMMAND"
            )),
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Http(u) => write!(f, "http {u}"),
            Check::Tcp(a) => write!(f, "tcp {a}"),
            Check::Cmd(c) => write!(f, "cmd {c:?}"),
        }
    }
}

impl Check {
    /// Runs the check once, bounded by `timeout`; `Err` says why it failed.
    pub fn run(&self, timeout: Duration) -> Result<(), String> {
        match self {
            Check::Http(url) => match http_get_status(url, timeout) {
                Ok(code) if (200..400).contains(&code) => Ok(()),
                Ok(code) => Err(format!("{url}: HTTP status {code}")),
                Err(e) => Err(format!("{url}: {e}")),
            },
            Check::Tcp(addr) => tcp_connect(addr, timeout)
                .map(drop)
                .map_err(|e| format!("tcp {addr}: {e}")),
            Check::Cmd(cmd) => run_command(cmd, timeout).map_err(|e| format!("cmd {cmd:?}: {e}")),
        }
    }
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, format!("{what} timed out"))
}

fn remaining(deadline: Instant, what: &str) -> io::Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(timed_out(what))
    } else {
        Ok(left)
    }
}

fn connect_any(addrs: &[SocketAddr], deadline: Instant) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no address to connect to");
    for a in addrs {
        let left = remaining(deadline, "connect")?;
        match TcpStream::connect_timeout(a, left) {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Connects to `addr` (`host:port`) within `timeout`.
pub fn tcp_connect(addr: &str, timeout: Duration) -> io::Result<TcpStream> {
    let deadline = Instant::now() + timeout;
    let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
    connect_any(&addrs, deadline)
}

/// The parts of a `http://host[:port][/path]` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    /// Host name or address (IPv6 literals keep their brackets).
    pub host: String,
    /// Port (80 when absent).
    pub port: u16,
    /// Path with query, starting with `/`.
    pub path: String,
}

impl HttpUrl {
    /// Parses a plain-HTTP URL; `https://` and other schemes are rejected.
    pub fn parse(url: &str) -> Result<HttpUrl, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("{url:?}: only http:// URLs are supported (no TLS)"))?;
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_owned()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_owned()),
        };
        if authority.contains('@') {
            return Err(format!("{url:?}: credentials in URLs are not supported"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let end = v6
                .find(']')
                .ok_or_else(|| format!("{url:?}: unclosed IPv6 literal"))?;
            let host = &authority[..end + 2];
            match &v6[end + 1..] {
                "" => (host, None),
                p => (
                    host,
                    Some(
                        p.strip_prefix(':')
                            .ok_or_else(|| format!("{url:?}: bad port"))?,
                    ),
                ),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(format!("{url:?}: no host"));
        }
        let port = match port {
            Some(p) => p
                .parse::<u16>()
                .map_err(|_| format!("{url:?}: bad port {p:?}"))?,
            None => 80,
        };
        Ok(HttpUrl {
            host: host.to_owned(),
            port,
            path,
        })
    }
}

/// Sends `GET path HTTP/1.0` to `url` and returns the response's status code; the whole
/// exchange (connect, send, status line) must finish within `timeout`.
pub fn http_get_status(url: &str, timeout: Duration) -> io::Result<u16> {
    let deadline = Instant::now() + timeout;
    let u = HttpUrl::parse(url).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let host = u.host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = (host, u.port).to_socket_addrs()?.collect();
    let mut stream = connect_any(&addrs, deadline)?;
    let host_header = if u.port == 80 {
        u.host.clone()
    } else {
        format!("{}:{}", u.host, u.port)
    };
    let request = format!(
        "GET {} HTTP/1.0\r\nHost: {host_header}\r\nUser-Agent: ospf-rs-health\r\n\
         Accept: */*\r\nConnection: close\r\n\r\n",
        u.path
    );
    stream.set_write_timeout(Some(remaining(deadline, "send")?))?;
    stream.write_all(request.as_bytes())?;
    // Read up to the end of the status line.
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 256];
    loop {
        if let Some(end) = buf.windows(2).position(|w| w == b"\r\n") {
            return parse_status_line(&buf[..end]);
        }
        if buf.len() > 4096 {
            return Err(bad_response("status line too long"));
        }
        stream.set_read_timeout(Some(remaining(deadline, "response")?))?;
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timed_out("response"));
            }
            Err(e) => return Err(e),
        };
        if n == 0 {
            return match buf.iter().position(|b| *b == b'\n') {
                Some(end) => parse_status_line(&buf[..end]),
                None if !buf.is_empty() => parse_status_line(&buf),
                None => Err(bad_response("connection closed before a status line")),
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn bad_response(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.to_owned())
}

/// `HTTP/1.x NNN reason` -> `NNN`.
fn parse_status_line(line: &[u8]) -> io::Result<u16> {
    let line = std::str::from_utf8(line).map_err(|_| bad_response("status line not UTF-8"))?;
    let mut parts = line.trim_end().splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/") {
        return Err(bad_response("not an HTTP response"));
    }
    parts
        .next()
        .filter(|c| c.len() == 3)
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|c| (100..600).contains(c))
        .ok_or_else(|| bad_response("bad status code"))
}

/// Runs `sh -c cmd` (stdin/stdout/stderr to /dev/null) in its own process group; Ok when it
/// exits 0 within `timeout`. On timeout the whole process group is killed.
pub fn run_command(cmd: &str, timeout: Duration) -> io::Result<()> {
    let deadline = Instant::now() + timeout;
    let mut child = Command::new("sh")
        .args(["-c", cmd])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()?;
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return if status.success() {
                Ok(())
            } else {
                Err(io::Error::other(format!("exited with {status}")))
            };
        }
        if Instant::now() >= deadline {
            // The child leads its own group (pgid == pid) and is not reaped yet, so the id
            // cannot name anything else.
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--", &format!("-{}", child.id())])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let _ = child.kill();
            let _ = child.wait();
            return Err(timed_out("command"));
        }
        thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
        pause = (pause * 2).min(Duration::from_millis(20));
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

/// Timing and hysteresis of a [`HealthChecker`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthConfig {
    /// Time between the starts of two probes.
    pub interval: Duration,
    /// Bound on each check of a probe.
    pub timeout: Duration,
    /// Consecutive failed probes that turn up into down.
    pub fall: u32,
    /// Consecutive successful probes that turn down into up.
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

/// Command-line options of the health checks (flatten into a clap parser).
#[derive(Debug, Clone, clap::Args)]
pub struct HealthArgs {
    /// HTTP GET this URL (http:// only); 2xx/3xx is up. Repeatable.
    #[arg(long = "check-http", value_name = "URL")]
    pub check_http: Vec<String>,
    /// Connect to this ADDR:PORT over TCP. Repeatable.
    #[arg(long = "check-tcp", value_name = "ADDR:PORT")]
    pub check_tcp: Vec<String>,
    /// Run this command with `sh -c`; exit 0 is up. Repeatable.
    #[arg(long = "check-cmd", value_name = "CMD")]
    pub check_cmd: Vec<String>,
    /// Milliseconds between probes.
    #[arg(long = "check-interval", value_name = "MS", default_value_t = 1000)]
    pub interval_ms: u64,
    /// Milliseconds each check may take.
    #[arg(long = "check-timeout", value_name = "MS", default_value_t = 1000)]
    pub timeout_ms: u64,
    /// Consecutive failures before the service is declared down.
    #[arg(long = "check-fall", value_name = "N", default_value_t = 3)]
    pub fall: u32,
    /// Consecutive successes before the service is declared up.
    #[arg(long = "check-rise", value_name = "N", default_value_t = 2)]
    pub rise: u32,
    /// State before the first probe.
    #[arg(long = "check-initial", value_enum, default_value_t = HealthState::Down)]
    pub initial: HealthState,
}

impl HealthArgs {
    /// The configured checks, in the order http, tcp, cmd.
    pub fn checks(&self) -> Vec<Check> {
        let http = self.check_http.iter().cloned().map(Check::Http);
        let tcp = self.check_tcp.iter().cloned().map(Check::Tcp);
        let cmd = self.check_cmd.iter().cloned().map(Check::Cmd);
        http.chain(tcp).chain(cmd).collect()
    }

    /// The timing and hysteresis settings.
    pub fn config(&self) -> HealthConfig {
        HealthConfig {
            interval: Duration::from_millis(self.interval_ms.max(1)),
            timeout: Duration::from_millis(self.timeout_ms.max(1)),
            fall: self.fall,
            rise: self.rise,
            initial: self.initial,
        }
    }

    /// A checker, or `None` when no check is configured (the service counts as always up).
    pub fn checker(&self) -> Option<HealthChecker> {
        let checks = self.checks();
        (!checks.is_empty()).then(|| HealthChecker::new(checks, self.config()))
    }
}

/// A state change reported by a running checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthEvent {
    /// The new state.
    pub state: HealthState,
    /// How many probes had run when the state changed (1 = the first probe).
    pub probes: u64,
    /// Why the last probe failed (`None` when it succeeded).
    pub last_error: Option<String>,
}

type Probe = Box<dyn FnMut() -> Result<(), String> + Send>;

/// Periodic probing with fall/rise hysteresis.
pub struct HealthChecker {
    probe: Probe,
    config: HealthConfig,
}

impl fmt::Debug for HealthChecker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HealthChecker")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl HealthChecker {
    /// A checker whose probe passes when every check in `checks` passes (run in order,
    /// stopping at the first failure; each bounded by `config.timeout`).
    pub fn new(checks: Vec<Check>, config: HealthConfig) -> HealthChecker {
        let timeout = config.timeout;
        Self::with_probe(
            move || {
                for c in &checks {
                    c.run(timeout)?;
                }
                Ok(())
            },
            config,
        )
    }

    /// A checker with a probe of the caller's.
    pub fn with_probe(
        probe: impl FnMut() -> Result<(), String> + Send + 'static,
        config: HealthConfig,
    ) -> HealthChecker {
        HealthChecker {
            probe: Box::new(probe),
            config,
        }
    }

    /// The settings.
    pub fn config(&self) -> &HealthConfig {
        &self.config
    }

    /// Runs the probe once.
    pub fn probe_once(&mut self) -> Result<(), String> {
        (self.probe)()
    }

    /// Starts probing on a thread: the first probe runs at once, then one every interval.
    /// Each state change is sent on the returned monitor's channel.
    pub fn spawn(self) -> io::Result<HealthMonitor> {
        let (events_tx, events_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let initial = self.config.initial;
        let thread = thread::Builder::new()
            .name("health-check".into())
            .spawn(move || self.run(events_tx, stop_rx))?;
        Ok(HealthMonitor {
            events: events_rx,
            stop: Some(stop_tx),
            thread: Some(thread),
            initial,
        })
    }

    fn run(mut self, events: Sender<HealthEvent>, stop: Receiver<()>) {
        let cfg = self.config;
        let mut fr = FallRise::new(cfg.initial, cfg.fall, cfg.rise);
        let mut probes = 0u64;
        let mut next = Instant::now();
        loop {
            let result = (self.probe)();
            probes += 1;
            if let Some(state) = fr.observe(result.is_ok()) {
                let ev = HealthEvent {
                    state,
                    probes,
                    last_error: result.err(),
                };
                if events.send(ev).is_err() {
                    return; // Nobody listens any more.
                }
            }
            next += cfg.interval;
            let now = Instant::now();
            if next < now {
                next = now; // A probe overran the interval: don't burst to catch up.
            }
            match stop.recv_timeout(next - now) {
                Err(RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

/// A running checker: receive [`HealthEvent`]s; dropping it stops the thread.
#[derive(Debug)]
pub struct HealthMonitor {
    events: Receiver<HealthEvent>,
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
    initial: HealthState,
}

impl HealthMonitor {
    /// The channel of state changes.
    pub fn events(&self) -> &Receiver<HealthEvent> {
        &self.events
    }

    /// The state before any event.
    pub fn initial(&self) -> HealthState {
        self.initial
    }

    /// Waits up to `timeout` for the next state change.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<HealthEvent> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Stops the thread and waits for it (at most one probe's duration).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.take();
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
