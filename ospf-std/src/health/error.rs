//! Why a check failed, or why a check specification was refused.

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::io;
use std::net::SocketAddr;
use std::process::ExitStatus;
use std::time::Duration;

/// A boxed error from a dependency (the HTTP client, TLS, the DNS codec): its type is not part of
/// this API, its message and `source()` chain are.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Why a check failed, or why a check specification could not be used.
///
/// Every variant but [`HealthError::Probe`] names the check (`check`, as [`Check`]'s `Display`
/// writes it: `http URL`, `tcp ADDR`, `cmd "..."`, `dns NAME/TYPE @SERVER`) at the start of its
/// message. The underlying cause, when there is one, is the [`source()`](StdError::source), not
/// part of the message; [`HealthError::detail`] joins the whole chain for a log line.
///
/// [`Check`]: super::Check
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HealthError {
    /// A check specification (`http://...`, `tcp:...`, `cmd:...`, `dns:...`) is malformed.
    #[error("invalid check {spec:?}: {reason}")]
    InvalidSpec {
        /// The specification as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The target's host name did not resolve (or resolved to no address).
    #[error("{check}: cannot resolve {target:?}")]
    Resolve {
        /// The check.
        check: String,
        /// The host (and port) that was looked up.
        target: String,
        /// The resolver's error.
        #[source]
        source: io::Error,
    },
    /// A TCP connection (or another socket operation) failed.
    #[error("{check}: connection failed")]
    Connect {
        /// The check.
        check: String,
        /// The socket error (refused, unreachable, ...).
        #[source]
        source: io::Error,
    },
    /// The check did not finish within its timeout.
    #[error("{check}: timed out after {} ms", timeout.as_millis())]
    Timeout {
        /// The check.
        check: String,
        /// The timeout that ran out.
        timeout: Duration,
    },
    /// The TLS handshake with an `https://` service failed (untrusted or invalid certificate,
    /// protocol error, ...).
    #[error("{check}: TLS handshake failed")]
    Tls {
        /// The check.
        check: String,
        /// The TLS library's error.
        #[source]
        source: BoxError,
    },
    /// The HTTP exchange failed for another reason (malformed response, I/O error, ...).
    #[error("{check}: HTTP request failed")]
    Http {
        /// The check.
        check: String,
        /// The HTTP client's error.
        #[source]
        source: BoxError,
    },
    /// The service answered with a status that does not count as healthy.
    #[error("{check}: HTTP status {status}")]
    HttpStatus {
        /// The check.
        check: String,
        /// The status code received.
        status: u16,
    },
    /// The command could not be started or waited for.
    #[error("{check}: cannot run the command")]
    Command {
        /// The check.
        check: String,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The command exited unsuccessfully.
    #[error("{check}: {status}")]
    CommandExit {
        /// The check.
        check: String,
        /// How it exited.
        status: ExitStatus,
    },
    /// The DNS server answered with an RCODE other than NOERROR.
    #[error("{check}: DNS server {server} answered {rcode}")]
    DnsRcode {
        /// The check.
        check: String,
        /// The server asked.
        server: SocketAddr,
        /// The response code (`NXDOMAIN`, `SERVFAIL`, ...).
        rcode: String,
    },
    /// The DNS server answered NOERROR without any answer record.
    #[error("{check}: DNS server {server} answered with no record")]
    DnsNoAnswer {
        /// The check.
        check: String,
        /// The server asked.
        server: SocketAddr,
    },
    /// The DNS query could not be built, or no usable server is configured.
    #[error("{check}: {reason}")]
    Dns {
        /// The check.
        check: String,
        /// What went wrong.
        reason: String,
        /// The DNS codec's error, if it was the cause.
        #[source]
        source: Option<BoxError>,
    },
    /// A probe supplied by the caller ([`HealthChecker::with_probe`]) failed; the message is
    /// the caller's.
    ///
    /// [`HealthChecker::with_probe`]: super::HealthChecker::with_probe
    #[error("{0}")]
    Probe(String),
}

impl HealthError {
    /// The message followed by every `source()` in the chain, separated by `": "`, e.g.
    /// `tcp 127.0.0.1:80: connection failed: Connection refused (os error 111)`.
    pub fn detail(&self) -> String {
        let mut s = self.to_string();
        let mut cause = self.source();
        while let Some(c) = cause {
            let _ = write!(s, ": {c}");
            cause = c.source();
        }
        s
    }

    pub(crate) fn spec(spec: &str, reason: impl Into<String>) -> HealthError {
        HealthError::InvalidSpec {
            spec: spec.to_owned(),
            reason: reason.into(),
        }
    }
}

impl From<String> for HealthError {
    /// A caller's probe failure ([`HealthError::Probe`]).
    fn from(message: String) -> HealthError {
        HealthError::Probe(message)
    }
}

impl From<&str> for HealthError {
    /// A caller's probe failure ([`HealthError::Probe`]).
    fn from(message: &str) -> HealthError {
        HealthError::Probe(message.to_owned())
    }
}
