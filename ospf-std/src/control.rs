//! The control channel: a Unix stream socket that takes one command line per connection
//! and answers with text, then closes.
//!
//! The text protocol sits on top of the typed requests of [`crate::api::Handle`]: a line
//! is parsed into a [`Command`] (or a show query of [`crate::show::Query`]), run as the
//! typed request, and its result rendered as text ([`answer_line`]).
//!
//! | command | effect |
//! |---|---|
//! | `show interfaces` | interfaces, states, DR/BDR |
//! | `show neighbors` | neighbors and their states |
//! | `show routes` | the OSPF routing table (`*`: in the FIB) |
//! | `show database` | the LSDB |
//! | `graceful-restart prepare ip ospf` | floods Grace-LSAs (RFC 3623 §2.1) when `graceful-restart` is configured; `watch` reports when they are acknowledged |
//! | `show ip ospf neighbor\|interface\|database [json]`, `show ip ospf graceful-restart helper [detail] [json]`, `show ip route ospf [json]` | FRR's layouts ([`crate::show`]) |
//! | `announce A.B.C.D/M [metric N]` | announce a prefix (a loopback address given by the configuration, with N as its host stub cost, or an external route) |
//! | `withdraw A.B.C.D/M` | stop announcing it (health check failed: drain this server) |
//! | `health down` / `health up` | the service failed / recovered: withdraw / announce every configured loopback address |
//! | `drain` / `undrain` | withdraw every configured loopback address, adjacencies kept / announce them again |
//! | `max-metric router-lsa administrative` / `no max-metric router-lsa` | stub-router mode (RFC 6987) on / off, FRR's spelling |
//! | `reload` | read the configuration file again and apply what changed |
//! | `shutdown` | graceful shutdown, as on SIGTERM |
//!
//! [`ControlServer`] never blocks the runtime: it accepts, reads and writes without
//! blocking, and its descriptors join the runtime's `poll(2)` set. An answer a client does
//! not read at once waits in that connection's output buffer and is sent as the client
//! reads (the runtime polls again within [`ControlServer::wake_in`]). The socket file is
//! created with mode 0660 (group: [`ControlServer::bind_with_group`]); at most
//! [`MAX_CONNECTIONS`] connections are served at a time (more are told so and closed at
//! once); a connection that sends no complete line within [`IDLE_TIMEOUT`], or does not
//! read its answer for [`WRITE_TIMEOUT`], is closed. [`request`] is the client side.
//!
//! ```no_run
//! let answer = ospf_std::control::request("/run/ospf-rs.sock", "withdraw 172.16.0.1/32").unwrap();
//! println!("{answer}");
//! ```

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::Prefix;
use crate::runtime::{Error, Runtime};
use crate::show::{Query, compact};

/// A control command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `show interfaces`.
    ShowInterfaces,
    /// `show neighbors`.
    ShowNeighbors,
    /// `show routes`.
    ShowRoutes,
    /// `show database`.
    ShowDatabase,
    /// `announce PREFIX`.
    Announce(Prefix),
    /// `withdraw PREFIX`.
    Withdraw(Prefix),
    /// `health up` (`true`) or `health down` (`false`).
    Health(bool),
    /// `shutdown`.
    Shutdown,
    /// `announce PREFIX metric N`.
    AnnounceMetric(Prefix, u32),
    /// `drain`.
    Drain,
    /// `undrain`.
    Undrain,
    /// `max-metric router-lsa administrative` (`true`), `no max-metric router-lsa`.
    StubRouter(bool),
    /// `reload`.
    Reload,
    /// `drain SERVICE`: one anycast service ([`crate::service`]).
    DrainService(String),
    /// `undrain SERVICE`.
    UndrainService(String),
    /// `service NAME health up|down`.
    ServiceHealth(String, bool),
    /// `recheck`: every health check now.
    Recheck,
    /// `show anycast services [json]`.
    ShowServices {
        /// JSON instead of a table.
        json: bool,
    },
    /// `graceful-restart prepare ip ospf` (FRR's wording).
    GracefulRestartPrepare,
}

const USAGE: &str = "show interfaces|neighbors|routes|database, show ip ospf [neighbor|interface|database|route] [json], show ip ospf graceful-restart [helper] [json], show ip route ospf [json], announce A.B.C.D/M [metric N], withdraw A.B.C.D/M, health up|down, drain [SERVICE|all], undrain [SERVICE|all], service NAME health up|down, recheck, show anycast services [json], [no] max-metric router-lsa administrative, graceful-restart prepare ip ospf, reload, shutdown, watch [json]";

/// At most this much of a line is echoed in an error.
const ECHO_MAX: usize = 80;

fn echo(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(ECHO_MAX) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// A service name as typed: at most 64 characters of letters, digits, `-`, `_`, `.`.
fn service_name(s: &str) -> Result<String, String> {
    if crate::service::valid_name(s) {
        Ok(s.to_string())
    } else {
        Err(format!("bad service name `{}`", echo(s)))
    }
}

impl Command {
    /// Parses a command line; the error explains what is accepted.
    pub fn parse(line: &str) -> Result<Command, String> {
        let w: Vec<&str> = line.split_whitespace().collect();
        let prefix = |s: Option<&&str>| -> Result<Prefix, String> {
            let s = s.ok_or("expected a prefix A.B.C.D/M")?;
            Prefix::parse_lenient(s).map_err(|e| format!("`{}`: {e}", echo(s)))
        };
        let (cmd, max) = match (w.first().copied(), w.get(1).copied()) {
            (Some("show"), Some("interfaces" | "interface")) if w.len() == 2 => {
                (Command::ShowInterfaces, 2)
            }
            (Some("show"), Some("neighbors" | "neighbor" | "neighbours")) if w.len() == 2 => {
                (Command::ShowNeighbors, 2)
            }
            (Some("show"), Some("routes" | "route")) if w.len() == 2 => (Command::ShowRoutes, 2),
            (Some("show"), Some("database" | "db")) if w.len() == 2 => (Command::ShowDatabase, 2),
            (Some("announce"), _) => match (w.get(2).copied(), w.get(3)) {
                (Some("metric"), Some(m)) => {
                    let m: u32 = m.parse().map_err(|_| format!("bad metric `{}`", echo(m)))?;
                    (Command::AnnounceMetric(prefix(w.get(1))?, m), 4)
                }
                (Some("metric"), None) => return Err("`metric` needs a value".into()),
                _ => (Command::Announce(prefix(w.get(1))?), 2),
            },
            (Some("withdraw"), _) => (Command::Withdraw(prefix(w.get(1))?), 2),
            (Some("health"), Some("up")) => (Command::Health(true), 2),
            (Some("health"), Some("down")) => (Command::Health(false), 2),
            (Some("drain"), None | Some("all")) => (Command::Drain, 2),
            (Some("undrain"), None | Some("all")) => (Command::Undrain, 2),
            (Some("drain"), Some(name)) => (Command::DrainService(service_name(name)?), 2),
            (Some("undrain"), Some(name)) => (Command::UndrainService(service_name(name)?), 2),
            (Some("service"), Some(name)) => match (w.get(2).copied(), w.get(3).copied()) {
                (Some("health"), Some("up")) => {
                    (Command::ServiceHealth(service_name(name)?, true), 4)
                }
                (Some("health"), Some("down")) => {
                    (Command::ServiceHealth(service_name(name)?, false), 4)
                }
                _ => return Err("expected `service NAME health up|down`".into()),
            },
            (Some("recheck"), _) => (Command::Recheck, 1),
            (Some("show"), Some("anycast")) if w.get(2) == Some(&"services") => {
                match w.get(3).copied() {
                    Some("json") => (Command::ShowServices { json: true }, 4),
                    _ => (Command::ShowServices { json: false }, 3),
                }
            }
            (Some("reload"), _) => (Command::Reload, 1),
            (Some("max-metric"), Some("router-lsa")) => (Command::StubRouter(true), 3),
            (Some("no"), Some("max-metric")) if w.get(2) == Some(&"router-lsa") => {
                (Command::StubRouter(false), 4)
            }
            (Some("shutdown"), _) => (Command::Shutdown, 1),
            (Some("graceful-restart"), Some("prepare"))
                if w.get(2) == Some(&"ip") && w.get(3) == Some(&"ospf") =>
            {
                (Command::GracefulRestartPrepare, 4)
            }
            _ => {
                return Err(format!(
                    "unknown command `{}`; expected {USAGE}",
                    echo(line)
                ));
            }
        };
        if let Some(extra) = w.get(max) {
            return Err(format!("unexpected `{}`", echo(extra)));
        }
        if cmd == Command::StubRouter(true) && w.get(2) != Some(&"administrative") {
            return Err("expected `max-metric router-lsa administrative`".into());
        }
        if cmd == Command::StubRouter(false) && w.get(3).is_some_and(|x| *x != "administrative") {
            return Err(format!("unexpected `{}`", echo(w[3])));
        }
        Ok(cmd)
    }
}

/// A request waiting for its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Pass this to [`ControlServer::respond`].
    pub id: u64,
    /// The parsed command, or why the line was not understood.
    pub command: Result<Command, String>,
    /// The line as received (without its newline).
    pub line: String,
}

#[derive(Debug)]
struct Conn {
    id: u64,
    stream: UnixStream,
    buf: Vec<u8>,
    /// A complete line was handed out; the answer is awaited.
    pending: bool,
    /// The answer, and how much of it was written.
    out: Vec<u8>,
    written: usize,
    /// Closed when this passes: no complete line yet (idle), or no write progress.
    deadline: std::time::Instant,
}

/// Most control connections served at a time.
pub const MAX_CONNECTIONS: usize = 64;
/// A connection must send its complete command line within this time.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// A client that reads nothing of its answer for this long is disconnected.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Mode of the socket file: owner and group may connect.
pub const SOCKET_MODE: u32 = 0o660;
/// While an answer waits in an output buffer, the runtime polls again this soon.
const WRITE_RETRY: Duration = Duration::from_millis(20);

/// Outcome of writing a connection's output buffer.
enum Flush {
    Done,
    Blocked,
    Failed,
}

impl Conn {
    fn flush(&mut self, timeout: Duration) -> Flush {
        while self.written < self.out.len() {
            match (&self.stream).write(&self.out[self.written..]) {
                Ok(0) => return Flush::Failed,
                Ok(n) => {
                    self.written += n;
                    self.deadline = std::time::Instant::now() + timeout;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Flush::Blocked,
                Err(_) => return Flush::Failed,
            }
        }
        Flush::Done
    }

    fn writing(&self) -> bool {
        !self.out.is_empty()
    }
}

/// The server side of the control channel.
#[derive(Debug)]
pub struct ControlServer {
    listener: UnixListener,
    path: PathBuf,
    conns: Vec<Conn>,
    next_id: u64,
    idle_timeout: Duration,
    write_timeout: Duration,
}

const MAX_LINE: usize = 4096;

impl ControlServer {
    /// Listens on `path` (a stale socket file from an earlier run is replaced), with
    /// mode [`SOCKET_MODE`] whatever the umask.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<Self> {
        Self::bind_with_group(path, None)
    }

    /// [`bind`](Self::bind), the socket file belonging to group `gid` (`None`: ours), so
    /// that members of that group may run `ospfctl`. The file is created under a
    /// temporary name, given its mode and group, and then renamed into place: it is never
    /// reachable with the umask's mode.
    pub fn bind_with_group(path: impl AsRef<Path>, gid: Option<u32>) -> io::Result<Self> {
        use std::os::unix::fs::PermissionsExt;
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        if path.exists() {
            if UnixStream::connect(&path).is_ok() {
                return Err(io::ErrorKind::AddrInUse.into());
            }
            std::fs::remove_file(&path)?;
        }
        let mut tmp = path.clone().into_os_string();
        tmp.push(format!(".{}.tmp", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let _ = std::fs::remove_file(&tmp);
        let listener = UnixListener::bind(&tmp)?;
        let placed = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(SOCKET_MODE))
            .and_then(|()| match gid {
                Some(g) => std::os::unix::fs::chown(&tmp, None, Some(g)),
                None => Ok(()),
            })
            .and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = placed {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        listener.set_nonblocking(true)?;
        Ok(ControlServer {
            listener,
            path,
            conns: Vec::new(),
            next_id: 1,
            idle_timeout: IDLE_TIMEOUT,
            write_timeout: WRITE_TIMEOUT,
        })
    }

    /// The socket path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Descriptors to wait on for readability.
    pub fn fds(&self) -> Vec<BorrowedFd<'_>> {
        let mut v = vec![self.listener.as_fd()];
        v.extend(
            self.conns
                .iter()
                .filter(|c| !c.pending)
                .map(|c| c.stream.as_fd()),
        );
        v
    }

    /// Replaces [`IDLE_TIMEOUT`] and [`WRITE_TIMEOUT`] (for new deadlines).
    pub fn with_timeouts(mut self, idle: Duration, write: Duration) -> Self {
        self.idle_timeout = idle;
        self.write_timeout = write;
        self
    }

    /// Connections open (reading, awaiting or sending their answer).
    pub fn connections(&self) -> usize {
        self.conns.len()
    }

    /// How soon [`poll`](Self::poll) should run again even if no descriptor is ready: an
    /// answer is waiting for its client to read, or a connection's deadline is coming.
    pub fn wake_in(&self) -> Option<Duration> {
        let now = std::time::Instant::now();
        self.conns
            .iter()
            .filter(|c| !c.pending || c.writing())
            .map(|c| {
                let d = c.deadline.saturating_duration_since(now);
                if c.writing() { d.min(WRITE_RETRY) } else { d }
            })
            .min()
    }

    /// True when [`poll`](Self::poll) has work without any descriptor being ready: an
    /// answer to push on, or a deadline reached.
    pub fn due(&self) -> bool {
        self.wake_in().is_some_and(|d| d <= WRITE_RETRY)
    }

    /// Accepts connections, reads what arrived and sends buffered answers, all without
    /// blocking; closes connections past their deadline; returns the complete command
    /// lines.
    pub fn poll(&mut self) -> Vec<Request> {
        let now = std::time::Instant::now();
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if stream.set_nonblocking(true).is_err() {
                        continue;
                    }
                    if self.conns.len() >= MAX_CONNECTIONS {
                        // Told at once, without waiting for the client to read.
                        let _ = (&stream).write(b"error: too many control connections\n");
                        continue;
                    }
                    self.conns.push(Conn {
                        id: self.next_id,
                        stream,
                        buf: Vec::new(),
                        pending: false,
                        out: Vec::new(),
                        written: 0,
                        deadline: now + self.idle_timeout,
                    });
                    self.next_id += 1;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let mut out = Vec::new();
        let mut chunk = [0u8; 1024];
        let write_timeout = self.write_timeout;
        self.conns.retain_mut(|c| {
            if c.writing() {
                return match c.flush(write_timeout) {
                    Flush::Done => false,
                    Flush::Failed => false,
                    Flush::Blocked => now < c.deadline,
                };
            }
            if c.pending {
                return true;
            }
            if now >= c.deadline {
                let _ = (&c.stream).write(b"error: timeout waiting for a command line\n");
                return false;
            }
            loop {
                match c.stream.read(&mut chunk) {
                    Ok(0) => {
                        // EOF: take what there is as the line, if anything.
                        if c.buf.is_empty() {
                            return false;
                        }
                        break;
                    }
                    Ok(n) => {
                        c.buf.extend_from_slice(&chunk[..n]);
                        if c.buf.contains(&b'\n') || c.buf.len() > MAX_LINE {
                            break;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
                    Err(_) => return false,
                }
            }
            let end = c
                .buf
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(c.buf.len());
            let line = String::from_utf8_lossy(&c.buf[..end.min(MAX_LINE)]).into_owned();
            c.pending = true;
            out.push(Request {
                id: c.id,
                command: Command::parse(&line),
                line,
            });
            true
        });
        out
    }

    /// Sends the answer to request `id` (with a final newline unless it is empty) and
    /// closes its connection once it is sent. Never blocks: what the client does not take
    /// at once is buffered and sent by later [`poll`](Self::poll)s.
    pub fn respond(&mut self, id: u64, text: &str) {
        let Some(i) = self.conns.iter().position(|c| c.id == id) else {
            return;
        };
        let c = &mut self.conns[i];
        let mut out = Vec::with_capacity(text.len() + 1);
        out.extend_from_slice(text.as_bytes());
        if !text.is_empty() && !text.ends_with('\n') {
            out.push(b'\n');
        }
        c.out = out;
        c.written = 0;
        c.deadline = std::time::Instant::now() + self.write_timeout;
        match c.flush(self.write_timeout) {
            Flush::Blocked if !c.out.is_empty() => {}
            _ => {
                self.conns.swap_remove(i);
            }
        }
    }
}

impl ControlServer {
    /// Takes the connection of request `id` away from the request/answer cycle (for
    /// `watch`, which keeps it open).
    pub(crate) fn take_stream(&mut self, id: u64) -> Option<UnixStream> {
        let i = self.conns.iter().position(|c| c.id == id)?;
        Some(self.conns.swap_remove(i).stream)
    }
}

/// Sends `watch` (or `watch json`) to the control socket at `path` and hands every line
/// of the stream to `on_line` until it returns `false` or the daemon goes away.
pub fn watch(
    path: impl AsRef<Path>,
    json: bool,
    mut on_line: impl FnMut(&str) -> bool,
) -> io::Result<()> {
    let mut s = UnixStream::connect(path)?;
    s.write_all(if json { b"watch json\n" } else { b"watch\n" })?;
    let mut r = io::BufReader::new(s);
    let mut line = String::new();
    loop {
        line.clear();
        if io::BufRead::read_line(&mut r, &mut line)? == 0 {
            return Ok(());
        }
        if !on_line(line.trim_end_matches('\n')) {
            return Ok(());
        }
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Sends one command to the control socket at `path` and returns the answer.
pub fn request(path: impl AsRef<Path>, line: &str) -> io::Result<String> {
    let mut s = UnixStream::connect(path)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(line.trim().as_bytes())?;
    s.write_all(b"\n")?;
    s.shutdown(std::net::Shutdown::Write)?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

/// Runs `cmd` on `rt` as the typed request it stands for and renders the result.
pub fn answer(rt: &mut Runtime, cmd: Command) -> String {
    let error = |e: Error| format!("error: {e}");
    match cmd {
        Command::ShowInterfaces => compact::interfaces(&rt.snapshot()),
        Command::ShowNeighbors => compact::neighbors(&rt.snapshot()),
        Command::ShowRoutes => {
            let snap = rt.snapshot();
            compact::routes(&snap, &|p| rt.fib().get(p).is_some())
        }
        Command::ShowDatabase => compact::database(&rt.snapshot()),
        Command::Withdraw(p) => match rt.withdraw(p) {
            Ok(true) => format!("withdrawn {p}"),
            Ok(false) => format!("{p} is already withdrawn"),
            Err(e) => error(e),
        },
        Command::Announce(p) | Command::AnnounceMetric(p, _) => {
            let metric = match cmd {
                Command::AnnounceMetric(_, m) => Some(m),
                _ => None,
            };
            let external = !(p.prefix_len() == 32 && rt.is_configured_loopback(p.addr()));
            match rt.announce(p, metric) {
                Ok(_) if external => format!("announced {p} as external"),
                Ok(true) => format!("announced {p}"),
                Ok(false) => format!("{p} is already announced"),
                Err(e) => error(e),
            }
        }
        Command::Health(up) => {
            let word = if up { "up" } else { "down" };
            if !rt.set_healthy(up) {
                format!("service already {word}")
            } else if up {
                "service up: anycast addresses announced".into()
            } else {
                "service down: anycast addresses withdrawn".into()
            }
        }
        Command::Drain => {
            let _ = rt.handle_request(crate::runtime::Request::Drain);
            "draining: anycast addresses withdrawn, adjacencies kept".into()
        }
        Command::Undrain => {
            let _ = rt.handle_request(crate::runtime::Request::Undrain);
            "drain ended".into()
        }
        Command::StubRouter(on) => {
            let _ = rt.handle_request(crate::runtime::Request::StubRouter(on));
            format!("stub-router mode {}", if on { "on" } else { "off" })
        }
        Command::GracefulRestartPrepare => {
            match rt.handle_request(crate::runtime::Request::GracefulRestartPrepare) {
                Ok(_) => "graceful restart prepared: Grace-LSAs sent (`watch` reports when they are acknowledged)".into(),
                Err(e) => error(e),
            }
        }
        Command::Reload => match rt.reload_file() {
            Ok(s) => format!(
                "reloaded: {} added, {} removed, {} restarted, {} unchanged",
                s.added.len(),
                s.removed.len(),
                s.changed.len(),
                s.unchanged.len()
            ),
            Err(e) => error(e),
        },
        Command::Shutdown => {
            rt.shutdown();
            "shutting down".into()
        }
        Command::DrainService(name) => {
            let r = crate::runtime::Request::drain_service(&name, true);
            match rt.handle_request(r) {
                Ok(_) => {
                    format!("draining service {name}: its address withdrawn, adjacencies kept")
                }
                Err(e) => error(e),
            }
        }
        Command::UndrainService(name) => {
            let r = crate::runtime::Request::drain_service(&name, false);
            match rt.handle_request(r) {
                Ok(_) => format!("drain of service {name} ended"),
                Err(e) => error(e),
            }
        }
        Command::ServiceHealth(name, up) => {
            let r = crate::runtime::Request::service_health(&name, up);
            match rt.handle_request(r) {
                Ok(_) => format!("service {name} {}", if up { "up" } else { "down" }),
                Err(e) => error(e),
            }
        }
        Command::Recheck => {
            let _ = rt.handle_request(crate::runtime::Request::Recheck);
            "health checks run now".into()
        }
        Command::ShowServices { json } => crate::show::services(&rt.services(), json),
    }
}

/// Answers a control line: a [`Command`], else a show query in FRR's layout, else why
/// the line was not understood.
pub fn answer_line(rt: &mut Runtime, line: &str) -> String {
    match Command::parse(line) {
        Ok(cmd) => answer(rt, cmd),
        Err(e) => match Query::parse(line) {
            Ok(q) => rt.snapshot().render(q),
            Err(_) if line.trim_start().starts_with("show") => format!("% {e}\n"),
            Err(_) => format!("error: {e}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn commands_parse() {
        let p = Prefix::try_new(Ipv4Addr::new(172, 16, 0, 1), 32).unwrap();
        assert_eq!(Command::parse("show neighbors"), Ok(Command::ShowNeighbors));
        assert_eq!(
            Command::parse(" show  interfaces \n"),
            Ok(Command::ShowInterfaces)
        );
        assert_eq!(
            Command::parse("withdraw 172.16.0.1/32"),
            Ok(Command::Withdraw(p))
        );
        assert_eq!(
            Command::parse("announce 172.16.0.1"),
            Ok(Command::Announce(p))
        );
        assert_eq!(Command::parse("shutdown"), Ok(Command::Shutdown));
        assert_eq!(Command::parse("health down"), Ok(Command::Health(false)));
        assert_eq!(Command::parse("health up"), Ok(Command::Health(true)));
        assert!(Command::parse("health sideways").is_err());
        assert!(
            Command::parse("shutdown now")
                .unwrap_err()
                .contains("unexpected")
        );
        assert!(
            Command::parse("withdraw 1.2.3/8")
                .unwrap_err()
                .contains("bad address")
        );
        assert!(
            Command::parse("withdraw 1.2.3.4/40")
                .unwrap_err()
                .contains("prefix length")
        );
        assert!(
            Command::parse("frob")
                .unwrap_err()
                .contains("expected show")
        );
        assert!(Command::parse("").is_err());
    }

    #[test]
    fn typed_api_commands_parse_in_frr_spelling_and_errors_stay_short() {
        let p = Prefix::host(Ipv4Addr::new(172, 16, 0, 1));
        assert_eq!(
            Command::parse("announce 172.16.0.1/32 metric 100"),
            Ok(Command::AnnounceMetric(p, 100))
        );
        assert!(Command::parse("announce 172.16.0.1/32 metric").is_err());
        assert!(Command::parse("announce 172.16.0.1/32 metric x").is_err());
        assert_eq!(Command::parse("drain"), Ok(Command::Drain));
        assert_eq!(Command::parse("undrain"), Ok(Command::Undrain));
        assert_eq!(Command::parse("drain all"), Ok(Command::Drain));
        assert_eq!(Command::parse("undrain all"), Ok(Command::Undrain));
        assert_eq!(
            Command::parse("drain web"),
            Ok(Command::DrainService("web".into()))
        );
        assert_eq!(
            Command::parse("undrain 172.16.0.1"),
            Ok(Command::UndrainService("172.16.0.1".into()))
        );
        assert_eq!(
            Command::parse("service web health down"),
            Ok(Command::ServiceHealth("web".into(), false))
        );
        assert!(Command::parse("service web health").is_err());
        assert!(
            Command::parse("drain a;b")
                .unwrap_err()
                .contains("bad service name")
        );
        assert!(Command::parse("drain web now").is_err());
        assert_eq!(Command::parse("recheck"), Ok(Command::Recheck));
        assert_eq!(
            Command::parse("show anycast services json"),
            Ok(Command::ShowServices { json: true })
        );
        assert_eq!(
            Command::parse("show anycast services"),
            Ok(Command::ShowServices { json: false })
        );
        assert_eq!(Command::parse("reload"), Ok(Command::Reload));
        assert_eq!(
            Command::parse("max-metric router-lsa administrative"),
            Ok(Command::StubRouter(true))
        );
        assert!(Command::parse("max-metric router-lsa").is_err());
        assert_eq!(
            Command::parse("no max-metric router-lsa"),
            Ok(Command::StubRouter(false))
        );
        assert_eq!(
            Command::parse("no max-metric router-lsa administrative"),
            Ok(Command::StubRouter(false))
        );
        assert!(Command::parse("no max-metric router-lsa on-startup").is_err());
        // A huge line is not echoed back whole.
        let long = "x".repeat(1_000_000);
        let e = Command::parse(&long).unwrap_err();
        assert!(e.len() < 1000, "{} bytes", e.len());
        let e = Command::parse(&format!("withdraw {long}")).unwrap_err();
        assert!(e.len() < 300, "{} bytes", e.len());
    }

    fn temp_socket(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ospf-ctl-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("ctl.sock")
    }

    /// Polls until `n` requests arrived.
    fn requests(server: &mut ControlServer, n: usize) -> Vec<Request> {
        let mut got = Vec::new();
        for _ in 0..500 {
            got.extend(server.poll());
            if got.len() >= n {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        got
    }

    #[test]
    fn graceful_restart_prepare_parses_in_frr_wording() {
        assert_eq!(
            Command::parse("graceful-restart prepare ip ospf"),
            Ok(Command::GracefulRestartPrepare)
        );
        for bad in [
            "graceful-restart prepare",
            "graceful-restart prepare ip",
            "graceful-restart prepare ipv6 ospf",
            "graceful-restart prepare ip ospf now",
        ] {
            assert!(Command::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_socket_file_has_mode_0660_whatever_the_umask() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let path = temp_socket("mode");
        let gid = nix::unistd::getgid().as_raw();
        let server = ControlServer::bind_with_group(&path, Some(gid)).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o660);
        assert_eq!(meta.gid(), gid);
        // A second server on a live socket is refused.
        let e = ControlServer::bind(&path).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AddrInUse);
        drop(server);
        assert!(!path.exists());
    }

    #[test]
    fn connections_beyond_the_cap_are_closed_at_once_with_an_error() {
        let path = temp_socket("cap");
        let mut server = ControlServer::bind(&path).unwrap();
        let idle: Vec<UnixStream> = (0..MAX_CONNECTIONS)
            .map(|_| UnixStream::connect(&path).unwrap())
            .collect();
        server.poll();
        assert_eq!(server.connections(), MAX_CONNECTIONS);
        let mut extra = UnixStream::connect(&path).unwrap();
        extra
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        server.poll();
        assert_eq!(server.connections(), MAX_CONNECTIONS, "still bounded");
        let mut answer = String::new();
        extra.read_to_string(&mut answer).unwrap();
        assert!(answer.contains("too many"), "{answer}");
        drop(idle);
    }

    #[test]
    fn a_client_that_never_reads_does_not_block_the_server_or_other_clients() {
        let path = temp_socket("slow");
        let mut server = ControlServer::bind(&path).unwrap();
        // The slow client asks for a large answer and reads none of it.
        let mut slow = UnixStream::connect(&path).unwrap();
        slow.write_all(b"show ip ospf database\n").unwrap();
        let got = requests(&mut server, 1);
        assert_eq!(got.len(), 1);
        let big = "x".repeat(16 << 20);
        let t = std::time::Instant::now();
        server.respond(got[0].id, &big);
        assert!(t.elapsed() < Duration::from_millis(500), "respond blocked");
        assert_eq!(server.connections(), 1, "the rest waits in the buffer");
        assert!(server.due());
        // Another client is answered meanwhile.
        let other = {
            let path = path.clone();
            std::thread::spawn(move || request(&path, "show neighbors").unwrap())
        };
        let got = requests(&mut server, 1);
        assert_eq!(got[0].line, "show neighbors");
        server.respond(got[0].id, "no neighbors");
        assert_eq!(other.join().unwrap(), "no neighbors\n");
        // The slow client finally reads: it gets the whole answer.
        let reader = std::thread::spawn(move || {
            let mut v = Vec::new();
            slow.read_to_end(&mut v).unwrap();
            v.len()
        });
        for _ in 0..2000 {
            server.poll();
            if server.connections() == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        assert_eq!(reader.join().unwrap(), (16 << 20) + 1);
    }

    #[test]
    fn a_connection_without_a_complete_line_is_closed_after_the_idle_timeout() {
        let path = temp_socket("idle");
        let mut server = ControlServer::bind(&path)
            .unwrap()
            .with_timeouts(Duration::from_millis(100), Duration::from_millis(100));
        let mut lazy = UnixStream::connect(&path).unwrap();
        lazy.write_all(b"show ne").unwrap();
        lazy.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        server.poll();
        assert_eq!(server.connections(), 1);
        assert!(server.wake_in().unwrap() <= Duration::from_millis(100));
        std::thread::sleep(Duration::from_millis(150));
        assert!(server.due());
        assert!(server.poll().is_empty());
        assert_eq!(server.connections(), 0);
        let mut answer = String::new();
        lazy.read_to_string(&mut answer).unwrap();
        assert!(answer.contains("timeout"), "{answer}");
        // A client that stops reading its answer is dropped after the write timeout.
        let mut slow = UnixStream::connect(&path).unwrap();
        slow.write_all(b"show database\n").unwrap();
        let got = requests(&mut server, 1);
        server.respond(got[0].id, &"y".repeat(8 << 20));
        assert_eq!(server.connections(), 1);
        std::thread::sleep(Duration::from_millis(150));
        server.poll();
        assert_eq!(server.connections(), 0);
    }

    #[test]
    fn server_answers_one_request_per_connection() {
        let dir = std::env::temp_dir().join(format!("ospf-ctl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ctl.sock");
        let mut server = ControlServer::bind(&path).unwrap();
        let client = {
            let path = path.clone();
            std::thread::spawn(move || request(&path, "withdraw 172.16.0.1/32").unwrap())
        };
        let mut got = Vec::new();
        for _ in 0..200 {
            got.extend(server.poll());
            if !got.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].line, "withdraw 172.16.0.1/32");
        assert_eq!(
            got[0].command,
            Ok(Command::Withdraw(Prefix::host(Ipv4Addr::new(
                172, 16, 0, 1
            ))))
        );
        server.respond(got[0].id, "withdrawn 172.16.0.1/32");
        assert_eq!(client.join().unwrap(), "withdrawn 172.16.0.1/32\n");
        // The socket file goes away with the server.
        drop(server);
        assert!(!path.exists());
        let _ = std::fs::remove_dir(&dir);
    }
}
