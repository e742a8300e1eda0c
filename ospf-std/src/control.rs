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
//! | `show ip ospf neighbor\|interface\|database [json]`, `show ip route ospf [json]` | FRR's layouts ([`crate::show`]) |
//! | `announce A.B.C.D/M [metric N]` | announce a prefix (a loopback address given by the configuration, with N as its host stub cost, or an external route) |
//! | `withdraw A.B.C.D/M` | stop announcing it (health check failed: drain this server) |
//! | `health down` / `health up` | the service failed / recovered: withdraw / announce every configured loopback address |
//! | `drain` / `undrain` | withdraw every configured loopback address, adjacencies kept / announce them again |
//! | `max-metric router-lsa administrative` / `no max-metric router-lsa` | stub-router mode (RFC 6987) on / off, FRR's spelling |
//! | `reload` | read the configuration file again and apply what changed |
//! | `shutdown` | graceful shutdown, as on SIGTERM |
//!
//! [`ControlServer`] never blocks the runtime: it accepts and reads without blocking,
//! and its descriptors join the runtime's `poll(2)` set. [`request`] is the client side.
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

const USAGE: &str = "show interfaces|neighbors|routes|database, show ip ospf neighbor|interface|database|route [json], show ip route ospf [json], announce A.B.C.D/M [metric N], withdraw A.B.C.D/M, health up|down, drain, undrain, [no] max-metric router-lsa administrative, reload, shutdown, watch [json]";

/// At most this much of a line is echoed in an error.
const ECHO_MAX: usize = 80;

fn echo(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(ECHO_MAX) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
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
            (Some("drain"), _) => (Command::Drain, 1),
            (Some("undrain"), _) => (Command::Undrain, 1),
            (Some("reload"), _) => (Command::Reload, 1),
            (Some("max-metric"), Some("router-lsa")) => (Command::StubRouter(true), 3),
            (Some("no"), Some("max-metric")) if w.get(2) == Some(&"router-lsa") => {
                (Command::StubRouter(false), 4)
            }
            (Some("shutdown"), _) => (Command::Shutdown, 1),
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
    pending: bool,
}

/// The server side of the control channel.
#[derive(Debug)]
pub struct ControlServer {
    listener: UnixListener,
    path: PathBuf,
    conns: Vec<Conn>,
    next_id: u64,
}

const MAX_LINE: usize = 4096;

impl ControlServer {
    /// Listens on `path` (a stale socket file from an earlier run is replaced).
    pub fn bind(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        if path.exists() && UnixStream::connect(&path).is_err() {
            std::fs::remove_file(&path)?;
        }
        let listener = UnixListener::bind(&path)?;
        listener.set_nonblocking(true)?;
        Ok(ControlServer {
            listener,
            path,
            conns: Vec::new(),
            next_id: 1,
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

    /// Accepts connections and reads what arrived, without blocking; returns the
    /// complete command lines.
    pub fn poll(&mut self) -> Vec<Request> {
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if stream.set_nonblocking(true).is_ok() {
                        self.conns.push(Conn {
                            id: self.next_id,
                            stream,
                            buf: Vec::new(),
                            pending: false,
                        });
                        self.next_id += 1;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let mut out = Vec::new();
        let mut chunk = [0u8; 1024];
        self.conns.retain_mut(|c| {
            if c.pending {
                return true;
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
    /// closes its connection.
    pub fn respond(&mut self, id: u64, text: &str) {
        if let Some(i) = self.conns.iter().position(|c| c.id == id) {
            let c = self.conns.swap_remove(i);
            // Answers are small; a client that does not read gets a bounded wait.
            let _ = c.stream.set_nonblocking(false);
            let _ = c.stream.set_write_timeout(Some(Duration::from_secs(1)));
            let mut s = &c.stream;
            let _ = s.write_all(text.as_bytes());
            if !text.is_empty() && !text.ends_with('\n') {
                let _ = s.write_all(b"\n");
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
