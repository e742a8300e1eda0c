//! DNS checks: one query over UDP, encoded and decoded with `simple-dns`.

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::str::FromStr;
use std::time::{Duration, Instant};

use simple_dns::{CLASS, Name, Packet, PacketFlag, QCLASS, QTYPE, Question, RCODE, TYPE};

use super::check::io_failure;
use super::error::HealthError;

/// The resolver configuration read for the default server.
pub const RESOLV_CONF: &str = "/etc/resolv.conf";

/// The server asked when none is given and [`RESOLV_CONF`] names none.
pub const FALLBACK_SERVER: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 53);

/// A DNS record type (the QTYPE of the query), e.g. [`DnsRecordType::A`].
///
/// Parses from the usual mnemonics (`A`, `AAAA`, `CNAME`, `MX`, `NS`, `PTR`, `SOA`, `SRV`,
/// `TXT`, `CAA`, `ANY`, case-insensitive) or `TYPE<N>` / a plain number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DnsRecordType(pub u16);

const TYPE_NAMES: &[(&str, u16)] = &[
    ("A", 1),
    ("NS", 2),
    ("CNAME", 5),
    ("SOA", 6),
    ("PTR", 12),
    ("MX", 15),
    ("TXT", 16),
    ("AAAA", 28),
    ("SRV", 33),
    ("CAA", 257),
    ("ANY", 255),
];

impl DnsRecordType {
    /// An IPv4 address record (the default).
    pub const A: DnsRecordType = DnsRecordType(1);
    /// An IPv6 address record.
    pub const AAAA: DnsRecordType = DnsRecordType(28);
}

impl Default for DnsRecordType {
    /// [`DnsRecordType::A`].
    fn default() -> DnsRecordType {
        DnsRecordType::A
    }
}

impl FromStr for DnsRecordType {
    type Err = String;

    fn from_str(s: &str) -> Result<DnsRecordType, String> {
        if let Some((_, code)) = TYPE_NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)) {
            return Ok(DnsRecordType(*code));
        }
        let digits = s
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("TYPE"))
            .map_or(s, |_| &s[4..]);
        digits
            .parse::<u16>()
            .map(DnsRecordType)
            .map_err(|_| format!("unknown record type {s:?}"))
    }
}

impl fmt::Display for DnsRecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match TYPE_NAMES.iter().find(|(_, c)| *c == self.0) {
            Some((n, _)) => f.write_str(n),
            None => write!(f, "TYPE{}", self.0),
        }
    }
}

/// Passes when the server answers a query for `name`/`record_type` with RCODE NOERROR and at
/// least one answer record within the timeout.
///
/// One query goes over UDP with a random transaction id and recursion desired; datagrams
/// that are not a response to it (other id, other question, not a response) are ignored
/// while the timeout runs, so a wrong id ends as [`HealthError::Timeout`]. NXDOMAIN,
/// SERVFAIL and the other codes are [`HealthError::DnsRcode`]; NOERROR without an answer
/// record (NODATA) is [`HealthError::DnsNoAnswer`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DnsCheck {
    /// The name asked for.
    pub name: String,
    /// The record type asked for.
    pub record_type: DnsRecordType,
    /// The server; `None`: the first `nameserver` of [`RESOLV_CONF`] (read at every run),
    /// else [`FALLBACK_SERVER`].
    pub server: Option<SocketAddr>,
}

impl DnsCheck {
    /// A query for the A records of `name` to the default server.
    pub fn new(name: impl Into<String>) -> DnsCheck {
        DnsCheck {
            name: name.into(),
            record_type: DnsRecordType::A,
            server: None,
        }
    }

    /// Asks for `record_type` instead of A.
    pub fn with_record_type(mut self, record_type: DnsRecordType) -> DnsCheck {
        self.record_type = record_type;
        self
    }

    /// Asks `server` instead of the default.
    pub fn with_server(mut self, server: SocketAddr) -> DnsCheck {
        self.server = Some(server);
        self
    }

    /// Parses `NAME[@SERVER[:PORT]][/TYPE]`: the server is an IPv4 address, or an IPv6
    /// address in brackets when a port follows (`@[::1]:5353`); the port defaults to 53,
    /// the type to A.
    pub fn from_spec(spec: &str) -> Result<DnsCheck, HealthError> {
        let full = format!("dns:{spec}");
        let bad = |why: String| HealthError::spec(&full, why);
        let (rest, record_type) = match spec.rsplit_once('/') {
            Some((rest, t)) => (rest, t.parse::<DnsRecordType>().map_err(bad)?),
            None => (spec, DnsRecordType::A),
        };
        let (name, server) = match rest.split_once('@') {
            Some((name, server)) => (name, Some(parse_server(server).map_err(bad)?)),
            None => (rest, None),
        };
        Name::new(name).map_err(|e| bad(format!("bad name {name:?}: {e}")))?;
        if name.is_empty() {
            return Err(bad("no name".into()));
        }
        Ok(DnsCheck {
            name: name.to_owned(),
            record_type,
            server,
        })
    }

    /// The server this check asks now: [`DnsCheck::server`], else the first usable
    /// `nameserver` of [`RESOLV_CONF`], else [`FALLBACK_SERVER`].
    pub fn effective_server(&self) -> SocketAddr {
        self.server.unwrap_or_else(|| {
            std::fs::read_to_string(RESOLV_CONF)
                .ok()
                .and_then(|text| first_nameserver(&text))
                .unwrap_or(FALLBACK_SERVER)
        })
    }

    /// Runs the check once, bounded by `timeout`.
    pub fn run(&self, timeout: Duration) -> Result<(), HealthError> {
        let deadline = Instant::now() + timeout;
        let server = self.effective_server();
        let check = || format!("{self} @{server}");
        let dns_err =
            |reason: String, source: Option<simple_dns::SimpleDnsError>| HealthError::Dns {
                check: check(),
                reason,
                source: source.map(|e| Box::new(e) as _),
            };
        let name = Name::new(&self.name).map_err(|e| dns_err("bad name".into(), Some(e)))?;
        let qtype = QTYPE::TYPE(TYPE::from(self.record_type.0));
        let id = query_id();
        let mut query = Packet::new_query(id);
        query.set_flags(PacketFlag::RECURSION_DESIRED);
        query.questions.push(Question::new(
            name.clone(),
            qtype,
            QCLASS::CLASS(CLASS::IN),
            false,
        ));
        let bytes = query
            .build_bytes_vec()
            .map_err(|e| dns_err("cannot encode the query".into(), Some(e)))?;

        let local: SocketAddr = match server {
            SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            SocketAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let io_err = |e: io::Error| io_failure(check(), e, timeout);
        let sock = UdpSocket::bind(local).map_err(io_err)?;
        sock.connect(server).map_err(io_err)?;
        sock.send(&bytes).map_err(io_err)?;
        let mut buf = [0u8; 4096];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(HealthError::Timeout {
                    check: check(),
                    timeout,
                });
            }
            sock.set_read_timeout(Some(left)).map_err(io_err)?;
            let n = match sock.recv(&mut buf) {
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) =>
                {
                    continue;
                }
                Err(e) => return Err(io_err(e)),
            };
            // Anything that is not a well-formed response to this very query is ignored
            // (a late answer to an earlier probe, a spoofing attempt, garbage).
            let Ok(reply) = Packet::parse(&buf[..n]) else {
                continue;
            };
            let ours = reply.id() == id
                && reply.has_flags(PacketFlag::RESPONSE)
                && reply.questions.len() == 1
                && reply.questions[0].qtype == qtype
                && reply.questions[0].qname == name;
            if !ours {
                continue;
            }
            return match reply.rcode() {
                RCODE::NoError if !reply.answers.is_empty() => Ok(()),
                RCODE::NoError => Err(HealthError::DnsNoAnswer {
                    check: check(),
                    server,
                }),
                rcode => Err(HealthError::DnsRcode {
                    check: check(),
                    server,
                    rcode: rcode_name(rcode),
                }),
            };
        }
    }
}

impl fmt::Display for DnsCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dns {}/{}", self.name, self.record_type)
    }
}

/// The conventional name of a response code.
fn rcode_name(rcode: RCODE) -> String {
    match rcode {
        RCODE::NoError => "NOERROR".into(),
        RCODE::FormatError => "FORMERR".into(),
        RCODE::ServerFailure => "SERVFAIL".into(),
        RCODE::NameError => "NXDOMAIN".into(),
        RCODE::NotImplemented => "NOTIMP".into(),
        RCODE::Refused => "REFUSED".into(),
        other => format!("RCODE {other:?}"),
    }
}

/// A transaction id nobody on the path can predict: std's per-process random hash keys
/// applied to the time and a counter.
fn query_id() -> u16 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    RandomState::new().hash_one((n, t)) as u16
}

/// `ADDR`, `ADDR:PORT`, `[V6]`, `[V6]:PORT` or a bare IPv6 address.
fn parse_server(s: &str) -> Result<SocketAddr, String> {
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Ok(sa);
    }
    let ip = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(s);
    ip.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| format!("bad server {s:?}: expected ADDR[:PORT] (IPv6 in brackets)"))
}

/// The first `nameserver` line of a resolv.conf whose address parses (scoped IPv6
/// addresses such as `fe80::1%eth0` are skipped).
pub fn first_nameserver(resolv_conf: &str) -> Option<SocketAddr> {
    resolv_conf.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next() == Some("nameserver"))
            .then(|| words.next())
            .flatten()
            .and_then(|a| a.parse::<IpAddr>().ok())
            .map(|ip| SocketAddr::new(ip, 53))
    })
}
