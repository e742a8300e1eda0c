//! The control channel: a Unix stream socket that takes one command line per connection
//! and answers with text, then closes.
//!
//! Commands ([`Command::parse`]):
//!
//! | command | effect |
//! |---|---|
//! | `show interfaces` | interfaces, states, DR/BDR |
//! | `show neighbors` | neighbors and their states |
//! | `show routes` | routes installed in the FIB |
//! | `show database` | the LSDB |
//! | `announce A.B.C.D/M` | announce a prefix again (a loopback address given by the configuration, or an external route) |
//! | `withdraw A.B.C.D/M` | stop announcing it (health check failed: drain this server) |
//! | `health down` / `health up` | the service failed / recovered: withdraw / announce every configured loopback address |
//! | `shutdown` | graceful shutdown, as on SIGTERM |
//!
//! A line that is none of these goes to the runtime's formatter, if it has one
//! ([`crate::runtime::RuntimeConfig::formatter`]), e.g. `show ip ospf neighbor`.
//!
//! [`ControlServer`] never blocks the runtime: it accepts and reads without blocking,
//! and its descriptors join the runtime's `poll(2)` set. [`request`] is the client side.
//!
//! ```no_run
//! let answer = ospf_std::control::request("/run/ospf-rs.sock", "withdraw 172.16.0.1/32").unwrap();
//! println!("{answer}");
//! ```

use std::io::{self, Read, Write};
use std::net::Ipv4Addr;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::fib::Prefix;

/// A control command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

const USAGE: &str = "show interfaces|neighbors|routes|database, announce A.B.C.D/M, withdraw A.B.C.D/M, health up|down, shutdown";

impl Command {
    /// Parses a command line; the error explains what is accepted.
    pub fn parse(line: &str) -> Result<Command, String> {
        let w: Vec<&str> = line.split_whitespace().collect();
        let prefix = |s: Option<&&str>| -> Result<Prefix, String> {
            let s = s.ok_or("expected a prefix A.B.C.D/M")?;
            let (a, l) = s.split_once('/').unwrap_or((s, "32"));
            let a: Ipv4Addr = a.parse().map_err(|_| format!("bad address `{a}`"))?;
            let l: u8 = l.parse().map_err(|_| format!("bad prefix length `{l}`"))?;
            Prefix::try_new(a, l).ok_or_else(|| format!("bad prefix length `{l}`"))
        };
        let cmd = match (w.first().copied(), w.get(1).copied()) {
            (Some("show"), Some("interfaces" | "interface")) => Command::ShowInterfaces,
            (Some("show"), Some("neighbors" | "neighbor" | "neighbours")) => Command::ShowNeighbors,
            (Some("show"), Some("routes" | "route")) => Command::ShowRoutes,
            (Some("show"), Some("database" | "db")) => Command::ShowDatabase,
            (Some("announce"), _) => Command::Announce(prefix(w.get(1))?),
            (Some("withdraw"), _) => Command::Withdraw(prefix(w.get(1))?),
            (Some("health"), Some("up")) => Command::Health(true),
            (Some("health"), Some("down")) => Command::Health(false),
            (Some("shutdown"), _) => Command::Shutdown,
            _ => {
                return Err(format!(
                    "unknown command `{}`; expected {USAGE}",
                    line.trim()
                ));
            }
        };
        let max = match cmd {
            Command::Shutdown => 1,
            _ => 2,
        };
        if w.len() > max {
            return Err(format!("unexpected `{}`", w[max]));
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

#[cfg(test)]
mod tests {
    use super::*;

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
