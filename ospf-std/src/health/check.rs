//! The kinds of check, their string specifications and the TCP and command checks.

use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::thread;
use std::time::{Duration, Instant};

use super::dns::DnsCheck;
use super::error::HealthError;
use super::http::HttpCheck;

/// One health check. Build one with [`Check::http`], [`Check::tcp`], [`Check::command`],
/// [`Check::Dns`] or from a string specification ([`FromStr`]):
///
/// | spec | check |
/// | --- | --- |
/// | `http://HOST[:PORT][/PATH]` or `https://...`, optionally followed by ` expect=CODE`, ` insecure`, ` ca=FILE` | [`HttpCheck`] |
/// | `http:URL` (an older spelling of the same) | [`HttpCheck`] |
/// | `tcp:HOST:PORT` | [`TcpCheck`] |
/// | `cmd:COMMAND` | [`CommandCheck`] |
/// | `dns:NAME[@SERVER[:PORT]][/TYPE]` | [`DnsCheck`] |
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Check {
    /// HTTP or HTTPS GET; a 2xx or 3xx status (or the expected one) passes.
    Http(HttpCheck),
    /// TCP connect.
    Tcp(TcpCheck),
    /// `sh -c` command; exit status 0 passes.
    Command(CommandCheck),
    /// DNS query over UDP; NOERROR with at least one answer record passes.
    Dns(DnsCheck),
}

impl Check {
    /// An HTTP(S) check of `url` with the default settings ([`HttpCheck::new`]).
    pub fn http(url: &str) -> Result<Check, HealthError> {
        HttpCheck::new(url).map(Check::Http)
    }

    /// A TCP connect check of `addr` (`host:port`).
    pub fn tcp(addr: impl Into<String>) -> Check {
        Check::Tcp(TcpCheck::new(addr))
    }

    /// A command check: `sh -c command`.
    pub fn command(command: impl Into<String>) -> Check {
        Check::Command(CommandCheck::new(command))
    }

    /// Runs the check once, bounded by `timeout`; `Err` says why it failed.
    pub fn run(&self, timeout: Duration) -> Result<(), HealthError> {
        match self {
            Check::Http(c) => c.run(timeout),
            Check::Tcp(c) => c.run(timeout),
            Check::Command(c) => c.run(timeout),
            Check::Dns(c) => c.run(timeout),
        }
    }
}

impl FromStr for Check {
    type Err = HealthError;

    /// Parses a specification (see [`Check`]); anything else is
    /// [`HealthError::InvalidSpec`].
    fn from_str(s: &str) -> Result<Check, HealthError> {
        if s.starts_with("http://") || s.starts_with("https://") {
            return HttpCheck::from_spec(s).map(Check::Http);
        }
        match s.split_once(':') {
            Some(("http" | "https", url)) => HttpCheck::from_spec(url).map(Check::Http),
            Some(("tcp", addr)) if !addr.is_empty() => Ok(Check::tcp(addr)),
            Some(("cmd", cmd)) if !cmd.trim().is_empty() => Ok(Check::command(cmd)),
            Some(("dns", spec)) => DnsCheck::from_spec(spec).map(Check::Dns),
            Some(("tcp" | "cmd", _)) => Err(HealthError::spec(s, "nothing after the colon")),
            _ => Err(HealthError::spec(
                s,
                "expected http(s)://URL, tcp:HOST:PORT, cmd:COMMAND or \
                 dns:NAME[@SERVER[:PORT]][/TYPE]",
            )),
        }
    }
}

impl fmt::Display for Check {
    /// `http URL`, `tcp ADDR`, `cmd "COMMAND"`, `dns NAME/TYPE @SERVER`: the prefix of every
    /// error message of the check.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Http(c) => c.fmt(f),
            Check::Tcp(c) => c.fmt(f),
            Check::Command(c) => c.fmt(f),
            Check::Dns(c) => c.fmt(f),
        }
    }
}

/// Passes when a TCP connection to `addr` opens within the timeout (it is closed at once).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TcpCheck {
    /// `host:port`; a host name is resolved at every run with the system resolver, which the
    /// timeout does not bound (use IP literals for strict timing).
    pub addr: String,
}

impl TcpCheck {
    /// A check of `addr` (`host:port`).
    pub fn new(addr: impl Into<String>) -> TcpCheck {
        TcpCheck { addr: addr.into() }
    }

    /// Connects once, bounded by `timeout`.
    pub fn run(&self, timeout: Duration) -> Result<(), HealthError> {
        let check = self.to_string();
        let addrs: Vec<SocketAddr> = self
            .addr
            .to_socket_addrs()
            .map_err(|source| HealthError::Resolve {
                check: check.clone(),
                target: self.addr.clone(),
                source,
            })?
            .collect();
        connect_any(&addrs, Instant::now() + timeout)
            .map(drop)
            .map_err(|e| io_failure(check, e, timeout))
    }
}

impl fmt::Display for TcpCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tcp {}", self.addr)
    }
}

/// An I/O error of a check as [`HealthError::Timeout`] or [`HealthError::Connect`].
pub(crate) fn io_failure(check: String, e: io::Error, timeout: Duration) -> HealthError {
    if matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    ) {
        HealthError::Timeout { check, timeout }
    } else {
        HealthError::Connect { check, source: e }
    }
}

fn connect_any(addrs: &[SocketAddr], deadline: Instant) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no address to connect to");
    for a in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        match TcpStream::connect_timeout(a, left) {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Passes when `sh -c command` exits with status 0 within the timeout.
///
/// The command runs with stdin, stdout and stderr on `/dev/null`, in its own process group;
/// at the timeout the whole group is killed (SIGKILL), so background children of the shell go
/// too.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandCheck {
    /// The shell command line.
    pub command: String,
}

impl CommandCheck {
    /// A check running `sh -c command`.
    pub fn new(command: impl Into<String>) -> CommandCheck {
        CommandCheck {
            command: command.into(),
        }
    }

    /// Runs the command once, bounded by `timeout`.
    pub fn run(&self, timeout: Duration) -> Result<(), HealthError> {
        let check = || self.to_string();
        let deadline = Instant::now() + timeout;
        let mut child = Command::new("sh")
            .args(["-c", &self.command])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|source| HealthError::Command {
                check: check(),
                source,
            })?;
        let mut pause = Duration::from_millis(1);
        loop {
            let status = child.try_wait().map_err(|source| HealthError::Command {
                check: check(),
                source,
            })?;
            if let Some(status) = status {
                return if status.success() {
                    Ok(())
                } else {
                    Err(HealthError::CommandExit {
                        check: check(),
                        status,
                    })
                };
            }
            if Instant::now() >= deadline {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Err(HealthError::Timeout {
                    check: check(),
                    timeout,
                });
            }
            thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }
}

/// SIGKILL to process group `pgid`. The child leads its own group (pgid == pid) and is not
/// reaped yet, so the id cannot name anything else.
fn kill_group(pgid: u32) {
    if let Ok(pgid) = i32::try_from(pgid) {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pgid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

impl fmt::Display for CommandCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cmd {:?}", self.command)
    }
}
