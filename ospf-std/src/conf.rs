//! Reader for the Quagga/FRR `ospfd.conf` dialect (plus IOS `network ... WILDCARD area N`).
//!
//! [`OspfdConf::parse`] turns the text of a configuration file into a typed tree. It
//! understands the commands listed below; any other line is an error that names the line
//! number, the line and what was expected there, so a typo never silently changes the
//! protocol's behaviour.
//!
//! | context | commands |
//! |---|---|
//! | top level | `hostname NAME`, `password X`, `enable password X`, `log stdout\|stderr\|syslog [LEVEL]`, `log file PATH [LEVEL]`, `interface IF [vrf V]`, `router ospf [N]`, `line vty`, `exit`, `end`, `!` comments |
//! | `interface IF` | `description TEXT`, `ip ospf hello-interval N`, `ip ospf dead-interval N`, `ip ospf dead-interval minimal hello-multiplier N`, `ip ospf retransmit-interval N`, `ip ospf transmit-delay N`, `ip ospf cost N`, `ip ospf priority N`, `ip ospf network point-to-point\|broadcast`, `ip ospf authentication [message-digest\|null]`, `ip ospf authentication-key KEY`, `ip ospf message-digest-key N md5 KEY`, `ip ospf mtu-ignore`, `ip ospf area AREA`, `ip ospf passive` |
//! | `router ospf [N]` | `ospf router-id A.B.C.D`, `router-id A.B.C.D`, `network A.B.C.D/M area AREA`, `network A.B.C.D WILDCARD area AREA`, `passive-interface IF\|default`, `no passive-interface IF`, `area AREA stub [no-summary]`, `area AREA nssa [no-summary]`, `area AREA authentication [message-digest]`, `redistribute connected\|static\|kernel [metric N] [metric-type 1\|2]`, `log-adjacency-changes [detail]`, `auto-cost reference-bandwidth N` |
//!
//! Areas are written as a decimal number (`0`) or a dotted quad (`0.0.0.0`).
//!
//! Extensions of this implementation (not in FRR's `ospfd`, which configures HMAC-SHA
//! through key chains): `ip ospf hmac-sha1-key N KEY`, `ip ospf hmac-sha256-key N KEY`,
//! `ip ospf hmac-sha384-key N KEY` and `ip ospf hmac-sha512-key N KEY` add an RFC 5709
//! cryptographic key with key id `N`; `ip ospf authentication message-digest` enables
//! cryptographic authentication with whichever keys are configured.
//!
//! ```
//! use ospf_std::conf::OspfdConf;
//! let conf = OspfdConf::parse(
//!     "hostname server1\ninterface eth0\nrouter ospf\n\tospf router-id 10.0.0.1\n\
//!      \tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n",
//! )
//! .unwrap();
//! let router = conf.router.as_ref().unwrap();
//! assert_eq!(router.router_id, Some("10.0.0.1".parse().unwrap()));
//! assert_eq!(router.networks.len(), 2);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::path::Path;

/// A parsed `ospfd.conf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OspfdConf {
    /// `hostname NAME`.
    pub hostname: Option<String>,
    /// `interface IF` blocks, in the order they first appear (repeated blocks are merged).
    pub interfaces: Vec<InterfaceConf>,
    /// The `router ospf` block, if present.
    pub router: Option<RouterConf>,
    /// `log ...` destinations.
    pub log: Vec<LogTarget>,
}

/// Settings of one `interface IF` block. `None` means "not configured: use the default".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InterfaceConf {
    /// Interface name (`eth0`, `lo`).
    pub name: String,
    /// Line number of the first `interface` line for this interface.
    pub line: usize,
    /// `description TEXT`.
    pub description: Option<String>,
    /// `ip ospf hello-interval N` (seconds).
    pub hello_interval: Option<u16>,
    /// `ip ospf dead-interval ...`.
    pub dead_interval: Option<DeadInterval>,
    /// `ip ospf retransmit-interval N` (seconds).
    pub retransmit_interval: Option<u16>,
    /// `ip ospf transmit-delay N` (seconds).
    pub transmit_delay: Option<u16>,
    /// `ip ospf cost N`.
    pub cost: Option<u16>,
    /// `ip ospf priority N`.
    pub priority: Option<u8>,
    /// `ip ospf network ...`.
    pub network_type: Option<NetworkType>,
    /// `ip ospf authentication [...]`: overrides the area's authentication.
    pub authentication: Option<AuthMode>,
    /// `ip ospf authentication-key KEY` (simple password, at most 8 bytes).
    pub authentication_key: Option<String>,
    /// `ip ospf message-digest-key N md5 KEY` and the HMAC-SHA extensions, in file order.
    pub digest_keys: Vec<DigestKey>,
    /// `ip ospf mtu-ignore`.
    pub mtu_ignore: bool,
    /// `ip ospf area AREA`: enables OSPF on every address of the interface in that area.
    pub area: Option<Ipv4Addr>,
    /// `ip ospf passive`.
    pub passive: bool,
}

/// `ip ospf dead-interval` forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadInterval {
    /// `ip ospf dead-interval N`: N seconds.
    Seconds(u16),
    /// `ip ospf dead-interval minimal hello-multiplier N`: a dead interval of one second with
    /// N hellos per second.
    Minimal {
        /// Hellos sent per second.
        hello_multiplier: u8,
    },
}

/// `ip ospf network` types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkType {
    /// `point-to-point`.
    PointToPoint,
    /// `broadcast`.
    Broadcast,
}

/// Authentication type of an interface or area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// No authentication (`ip ospf authentication null`).
    Null,
    /// Simple password (`ip ospf authentication`).
    Simple,
    /// Cryptographic authentication (`ip ospf authentication message-digest`).
    MessageDigest,
}

/// Algorithm of a cryptographic key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// Keyed MD5 (RFC 2328 appendix D).
    Md5,
    /// HMAC-SHA-1 (RFC 5709).
    HmacSha1,
    /// HMAC-SHA-256 (RFC 5709).
    HmacSha256,
    /// HMAC-SHA-384 (RFC 5709).
    HmacSha384,
    /// HMAC-SHA-512 (RFC 5709).
    HmacSha512,
}

/// One cryptographic key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestKey {
    /// Key id (1..=255).
    pub id: u8,
    /// Algorithm.
    pub algorithm: DigestAlgorithm,
    /// The key as written in the file.
    pub key: String,
}

/// The `router ospf` block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouterConf {
    /// Line number of the `router ospf` line.
    pub line: usize,
    /// `router ospf N`: the instance (IOS process id) if given.
    pub instance: Option<u16>,
    /// `ospf router-id A.B.C.D` or `router-id A.B.C.D`.
    pub router_id: Option<Ipv4Addr>,
    /// `network` statements in file order.
    pub networks: Vec<NetworkStatement>,
    /// `passive-interface default`.
    pub passive_default: bool,
    /// `passive-interface IF`.
    pub passive_interfaces: Vec<String>,
    /// `no passive-interface IF` (exceptions to `passive-interface default`).
    pub active_interfaces: Vec<String>,
    /// Per-area settings.
    pub areas: BTreeMap<Ipv4Addr, AreaConf>,
    /// `redistribute ...`.
    pub redistribute: Vec<Redistribute>,
    /// `log-adjacency-changes [detail]`: `Some(detail)`.
    pub log_adjacency_changes: Option<bool>,
    /// `auto-cost reference-bandwidth N` (Mbit/s).
    pub reference_bandwidth: Option<u32>,
}

/// `network PREFIX area AREA`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkStatement {
    /// Network address (host bits cleared).
    pub addr: Ipv4Addr,
    /// Prefix length.
    pub len: u8,
    /// Area.
    pub area: Ipv4Addr,
    /// Line number.
    pub line: usize,
}

impl NetworkStatement {
    /// Whether `addr` lies inside this statement's prefix.
    pub fn contains(&self, addr: Ipv4Addr) -> bool {
        mask_addr(addr, self.len) == self.addr
    }
}

/// Per-area settings from `area AREA ...` lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AreaConf {
    /// `area AREA stub|nssa [no-summary]`.
    pub kind: AreaKind,
    /// `area AREA authentication [message-digest]`.
    pub authentication: Option<AuthMode>,
}

/// Kind of area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AreaKind {
    /// A normal area.
    #[default]
    Normal,
    /// `stub [no-summary]`.
    Stub {
        /// `no-summary` (totally stubby).
        no_summary: bool,
    },
    /// `nssa [no-summary]`.
    Nssa {
        /// `no-summary`.
        no_summary: bool,
    },
}

/// `redistribute SOURCE [metric N] [metric-type 1|2]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Redistribute {
    /// What is redistributed.
    pub source: RedistributeSource,
    /// `metric N`.
    pub metric: Option<u32>,
    /// `metric-type 1|2`.
    pub metric_type: Option<u8>,
}

/// Sources of redistributed routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedistributeSource {
    /// Connected networks.
    Connected,
    /// Static routes.
    Static,
    /// Kernel routes.
    Kernel,
}

/// `log` destinations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// `log stdout [LEVEL]`.
    Stdout(Option<String>),
    /// `log stderr [LEVEL]`.
    Stderr(Option<String>),
    /// `log syslog [LEVEL]`.
    Syslog(Option<String>),
    /// `log file PATH [LEVEL]`.
    File(String, Option<String>),
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfError {
    /// 1-based line number (0 for I/O errors).
    pub line: usize,
    /// The offending line, trimmed.
    pub text: String,
    /// What was expected at that point.
    pub expected: String,
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.expected)
        } else {
            write!(
                f,
                "line {}: expected {} in `{}`",
                self.line, self.expected, self.text
            )
        }
    }
}

impl std::error::Error for ConfError {}

const LOG_LEVELS: &[&str] = &[
    "emergencies",
    "alerts",
    "critical",
    "errors",
    "warnings",
    "notifications",
    "informational",
    "debugging",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Top,
    Interface(usize),
    Router,
    Vty,
}

struct Line<'a> {
    no: usize,
    text: &'a str,
    words: Vec<&'a str>,
}

impl Line<'_> {
    fn err(&self, expected: impl Into<String>) -> ConfError {
        ConfError {
            line: self.no,
            text: self.text.to_string(),
            expected: expected.into(),
        }
    }

    fn word(&self, i: usize, expected: &str) -> Result<&str, ConfError> {
        self.words.get(i).copied().ok_or_else(|| self.err(expected))
    }

    fn end(&self, i: usize) -> Result<(), ConfError> {
        match self.words.get(i) {
            None => Ok(()),
            Some(w) => Err(self.err(format!("end of line, not `{w}`"))),
        }
    }

    fn num<T: std::str::FromStr + PartialOrd + fmt::Display + Copy>(
        &self,
        i: usize,
        what: &str,
        min: T,
        max: T,
    ) -> Result<T, ConfError> {
        let expected = format!("{what} ({min}-{max})");
        let w = self.word(i, &expected)?;
        match w.parse::<T>() {
            Ok(v) if v >= min && v <= max => Ok(v),
            _ => Err(self.err(expected)),
        }
    }

    fn addr(&self, i: usize, what: &str) -> Result<Ipv4Addr, ConfError> {
        let expected = format!("{what} (A.B.C.D)");
        self.word(i, &expected)?
            .parse()
            .map_err(|_| self.err(expected))
    }

    fn area(&self, i: usize) -> Result<Ipv4Addr, ConfError> {
        let expected = "an area id (a number or A.B.C.D)";
        parse_area(self.word(i, expected)?).ok_or_else(|| self.err(expected))
    }
}

/// Parses an area id written as a decimal number or a dotted quad.
pub fn parse_area(s: &str) -> Option<Ipv4Addr> {
    if s.contains('.') {
        s.parse().ok()
    } else if s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse::<u32>().ok().map(Ipv4Addr::from)
    } else {
        None
    }
}

fn mask_addr(addr: Ipv4Addr, len: u8) -> Ipv4Addr {
    addr & ospf_core::wire::prefix_mask(len)
}

/// Prefix length of a contiguous IOS wildcard (inverse mask) such as `0.0.0.255`.
fn wildcard_len(w: Ipv4Addr) -> Option<u8> {
    let inv = !u32::from(w);
    // A contiguous netmask has all its ones on the left.
    if inv.leading_ones() + inv.trailing_zeros() == 32 {
        Some(ospf_core::wire::mask_len(inv))
    } else {
        None
    }
}

impl OspfdConf {
    /// Reads and parses a file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| ConfError {
            line: 0,
            text: String::new(),
            expected: format!("a readable file at {}: {e}", path.display()),
        })?;
        Self::parse(&text)
    }

    /// Parses the text of an `ospfd.conf`.
    pub fn parse(text: &str) -> Result<Self, ConfError> {
        let mut conf = OspfdConf::default();
        let mut ctx = Ctx::Top;
        for (i, raw) in text.lines().enumerate() {
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('!') || trimmed.starts_with('#') {
                continue;
            }
            let line = Line {
                no: i + 1,
                text: trimmed,
                words: trimmed.split_whitespace().collect(),
            };
            ctx = conf.line(ctx, &line)?;
        }
        Ok(conf)
    }

    /// The interface block for `name`, if any.
    pub fn interface(&self, name: &str) -> Option<&InterfaceConf> {
        self.interfaces.iter().find(|i| i.name == name)
    }

    fn line(&mut self, ctx: Ctx, l: &Line<'_>) -> Result<Ctx, ConfError> {
        // Commands of the current block first, then top-level commands (which also end
        // the block, as in vtysh).
        match ctx {
            Ctx::Interface(idx) if matches!(l.words[0], "ip" | "description" | "no") => {
                self.interface_line(idx, l)?;
                return Ok(ctx);
            }
            Ctx::Router if is_router_command(l.words[0]) => {
                self.router_line(l)?;
                return Ok(ctx);
            }
            Ctx::Vty if !is_top_command(l.words[0]) => return Ok(ctx),
            _ => {}
        }
        self.top_line(ctx, l)
    }

    fn top_line(&mut self, ctx: Ctx, l: &Line<'_>) -> Result<Ctx, ConfError> {
        match l.words[0] {
            "hostname" => {
                let name = l.word(1, "a host name")?;
                l.end(2)?;
                self.hostname = Some(name.to_string());
                Ok(Ctx::Top)
            }
            "password" => {
                l.word(1, "a password")?;
                Ok(Ctx::Top)
            }
            "enable" => {
                if l.words.get(1) != Some(&"password") {
                    return Err(l.err("`enable password PASSWORD`"));
                }
                l.word(2, "a password")?;
                Ok(Ctx::Top)
            }
            "log" => {
                let target = self.log_line(l)?;
                self.log.push(target);
                Ok(Ctx::Top)
            }
            "interface" => {
                let name = l.word(1, "an interface name")?;
                match l.words.get(2) {
                    None => {}
                    Some(&"vrf") if l.words.get(3) == Some(&"default") => l.end(4)?,
                    Some(_) => return Err(l.err("end of line or `vrf default`")),
                }
                let idx = match self.interfaces.iter().position(|i| i.name == name) {
                    Some(idx) => idx,
                    None => {
                        self.interfaces.push(InterfaceConf {
                            name: name.to_string(),
                            line: l.no,
                            ..Default::default()
                        });
                        self.interfaces.len() - 1
                    }
                };
                Ok(Ctx::Interface(idx))
            }
            "router" => {
                if l.words.get(1) != Some(&"ospf") {
                    return Err(l.err("`router ospf [N]`"));
                }
                let instance = match l.words.get(2) {
                    None => None,
                    Some(_) => Some(l.num::<u16>(2, "an instance number", 1, 65535)?),
                };
                l.end(if instance.is_some() { 3 } else { 2 })?;
                match &mut self.router {
                    Some(r) if r.instance != instance => {
                        return Err(l.err("the same `router ospf` instance as before (only one instance is supported)"));
                    }
                    Some(_) => {}
                    None => {
                        self.router = Some(RouterConf {
                            line: l.no,
                            instance,
                            ..Default::default()
                        })
                    }
                }
                Ok(Ctx::Router)
            }
            "line" => Ok(Ctx::Vty),
            "exit" | "end" | "quit" | "exit-vrf" => {
                l.end(1)?;
                Ok(Ctx::Top)
            }
            "ip" | "description" => Err(l.err("an `interface IF` line before interface commands")),
            w if is_router_command(w) => {
                Err(l.err("a `router ospf` line before router commands"))
            }
            _ => Err(l.err(match ctx {
                Ctx::Interface(_) => "an interface command (`ip ospf ...`, `description`) or a top-level command",
                Ctx::Router => "a `router ospf` command (`ospf router-id`, `network`, `area`, `passive-interface`, `redistribute`, ...) or a top-level command",
                _ => "a top-level command (`hostname`, `interface`, `router ospf`, `log`, `!`)",
            })),
        }
    }

    fn log_line(&self, l: &Line<'_>) -> Result<LogTarget, ConfError> {
        let level = |i: usize| -> Result<Option<String>, ConfError> {
            match l.words.get(i) {
                None => Ok(None),
                Some(w) if LOG_LEVELS.contains(w) => {
                    l.end(i + 1)?;
                    Ok(Some(w.to_string()))
                }
                Some(_) => Err(l.err(format!("a log level ({})", LOG_LEVELS.join("|")))),
            }
        };
        match l.word(1, "a log destination (stdout|stderr|syslog|file PATH)")? {
            "stdout" => Ok(LogTarget::Stdout(level(2)?)),
            "stderr" => Ok(LogTarget::Stderr(level(2)?)),
            "syslog" => Ok(LogTarget::Syslog(level(2)?)),
            "file" => {
                let path = l.word(2, "a log file path")?;
                Ok(LogTarget::File(path.to_string(), level(3)?))
            }
            _ => Err(l.err("a log destination (stdout|stderr|syslog|file PATH)")),
        }
    }

    fn interface_line(&mut self, idx: usize, l: &Line<'_>) -> Result<(), ConfError> {
        let iface = &mut self.interfaces[idx];
        if l.words[0] == "description" {
            let text = l.text["description".len()..].trim();
            iface.description = Some(text.to_string());
            return Ok(());
        }
        if l.words[0] == "no" {
            // `no ip ospf passive` and friends are what a fresh file already means.
            if l.words.get(1) == Some(&"ip") && l.words.get(2) == Some(&"ospf") {
                match l.words.get(3) {
                    Some(&"passive") => {
                        l.end(4)?;
                        iface.passive = false;
                        return Ok(());
                    }
                    Some(&"mtu-ignore") => {
                        l.end(4)?;
                        iface.mtu_ignore = false;
                        return Ok(());
                    }
                    _ => {}
                }
            }
            return Err(l.err("`no ip ospf passive` or `no ip ospf mtu-ignore`"));
        }
        if l.words.get(1) != Some(&"ospf") {
            return Err(l.err("`ip ospf ...`"));
        }
        let what = "an `ip ospf` setting (hello-interval, dead-interval, retransmit-interval, transmit-delay, cost, priority, network, authentication, authentication-key, message-digest-key, hmac-sha*-key, mtu-ignore, area, passive)";
        match l.word(2, what)? {
            "hello-interval" => {
                iface.hello_interval = Some(l.num(3, "seconds", 1, 65535)?);
                l.end(4)
            }
            "dead-interval" => {
                if l.words.get(3) == Some(&"minimal") {
                    if l.words.get(4) != Some(&"hello-multiplier") {
                        return Err(l.err("`hello-multiplier N`"));
                    }
                    let m = l.num(5, "a hello multiplier", 1, 10)?;
                    l.end(6)?;
                    iface.dead_interval = Some(DeadInterval::Minimal {
                        hello_multiplier: m,
                    });
                    Ok(())
                } else {
                    iface.dead_interval = Some(DeadInterval::Seconds(l.num(
                        3,
                        "seconds or `minimal hello-multiplier N`",
                        1,
                        65535,
                    )?));
                    l.end(4)
                }
            }
            "retransmit-interval" => {
                iface.retransmit_interval = Some(l.num(3, "seconds", 1, 65535)?);
                l.end(4)
            }
            "transmit-delay" => {
                iface.transmit_delay = Some(l.num(3, "seconds", 1, 65535)?);
                l.end(4)
            }
            "cost" => {
                iface.cost = Some(l.num(3, "a cost", 1, 65535)?);
                l.end(4)
            }
            "priority" => {
                iface.priority = Some(l.num(3, "a priority", 0, 255)?);
                l.end(4)
            }
            "network" => {
                iface.network_type = Some(match l.word(3, "point-to-point or broadcast")? {
                    "point-to-point" => NetworkType::PointToPoint,
                    "broadcast" => NetworkType::Broadcast,
                    _ => return Err(l.err("point-to-point or broadcast")),
                });
                l.end(4)
            }
            "authentication" => {
                iface.authentication = Some(match l.words.get(3) {
                    None => AuthMode::Simple,
                    Some(&"message-digest") => AuthMode::MessageDigest,
                    Some(&"null") => AuthMode::Null,
                    Some(_) => return Err(l.err("nothing, `message-digest` or `null`")),
                });
                l.end(4)
            }
            "authentication-key" => {
                let key = l.word(3, "a password of at most 8 characters")?;
                if key.len() > 8 {
                    return Err(l.err("a password of at most 8 characters"));
                }
                l.end(4)?;
                iface.authentication_key = Some(key.to_string());
                Ok(())
            }
            "message-digest-key" => {
                let id = l.num(3, "a key id", 1, 255)?;
                if l.words.get(4) != Some(&"md5") {
                    return Err(l.err("`md5 KEY`"));
                }
                let key = l.word(5, "a key of at most 16 characters")?;
                if key.len() > 16 {
                    return Err(l.err("a key of at most 16 characters"));
                }
                l.end(6)?;
                set_key(iface, id, DigestAlgorithm::Md5, key);
                Ok(())
            }
            alg @ ("hmac-sha1-key" | "hmac-sha256-key" | "hmac-sha384-key" | "hmac-sha512-key") => {
                let algorithm = match alg {
                    "hmac-sha1-key" => DigestAlgorithm::HmacSha1,
                    "hmac-sha256-key" => DigestAlgorithm::HmacSha256,
                    "hmac-sha384-key" => DigestAlgorithm::HmacSha384,
                    _ => DigestAlgorithm::HmacSha512,
                };
                let id = l.num(3, "a key id", 1, 255)?;
                let key = l.word(4, "a key")?;
                l.end(5)?;
                set_key(iface, id, algorithm, key);
                Ok(())
            }
            "mtu-ignore" => {
                iface.mtu_ignore = true;
                l.end(3)
            }
            "passive" => {
                iface.passive = true;
                l.end(3)
            }
            "area" => {
                iface.area = Some(l.area(3)?);
                l.end(4)
            }
            _ => Err(l.err(what)),
        }
    }

    fn router_line(&mut self, l: &Line<'_>) -> Result<(), ConfError> {
        let Some(r) = self.router.as_mut() else {
            return Err(l.err("a `router ospf` line first"));
        };
        match l.words[0] {
            "ospf" => {
                if l.words.get(1) != Some(&"router-id") {
                    return Err(l.err("`ospf router-id A.B.C.D`"));
                }
                r.router_id = Some(l.addr(2, "a router id")?);
                l.end(3)
            }
            "router-id" => {
                r.router_id = Some(l.addr(1, "a router id")?);
                l.end(2)
            }
            "network" => {
                let first = l.word(1, "A.B.C.D/M or A.B.C.D WILDCARD")?;
                let (addr, len, next) = if let Some((a, m)) = first.split_once('/') {
                    let addr: Ipv4Addr = a.parse().map_err(|_| l.err("A.B.C.D/M"))?;
                    let len: u8 = match m.parse() {
                        Ok(len) if len <= 32 => len,
                        _ => return Err(l.err("a prefix length (0-32)")),
                    };
                    (addr, len, 2)
                } else {
                    let addr: Ipv4Addr = first
                        .parse()
                        .map_err(|_| l.err("A.B.C.D/M or A.B.C.D WILDCARD"))?;
                    let wildcard = l.addr(2, "a wildcard mask")?;
                    let len = wildcard_len(wildcard)
                        .ok_or_else(|| l.err("a contiguous wildcard mask such as 0.0.0.255"))?;
                    (addr, len, 3)
                };
                if l.words.get(next) != Some(&"area") {
                    return Err(l.err("`area AREA`"));
                }
                let area = l.area(next + 1)?;
                l.end(next + 2)?;
                r.networks.push(NetworkStatement {
                    addr: mask_addr(addr, len),
                    len,
                    area,
                    line: l.no,
                });
                Ok(())
            }
            "passive-interface" => {
                let name = l.word(1, "an interface name or `default`")?;
                l.end(2)?;
                if name == "default" {
                    r.passive_default = true;
                } else if !r.passive_interfaces.iter().any(|n| n == name) {
                    r.passive_interfaces.push(name.to_string());
                }
                Ok(())
            }
            "no" => {
                if l.words.get(1) != Some(&"passive-interface") {
                    return Err(l.err("`no passive-interface IF`"));
                }
                let name = l.word(2, "an interface name")?;
                l.end(3)?;
                r.passive_interfaces.retain(|n| n != name);
                r.active_interfaces.push(name.to_string());
                Ok(())
            }
            "area" => {
                let id = l.area(1)?;
                let area = r.areas.entry(id).or_default();
                let no_summary = |i: usize| -> Result<bool, ConfError> {
                    match l.words.get(i) {
                        None => Ok(false),
                        Some(&"no-summary") => l.end(i + 1).map(|()| true),
                        Some(_) => Err(l.err("end of line or `no-summary`")),
                    }
                };
                match l.word(2, "stub, nssa or authentication")? {
                    "stub" => {
                        area.kind = AreaKind::Stub {
                            no_summary: no_summary(3)?,
                        }
                    }
                    "nssa" => {
                        area.kind = AreaKind::Nssa {
                            no_summary: no_summary(3)?,
                        }
                    }
                    "authentication" => {
                        area.authentication = Some(match l.words.get(3) {
                            None => AuthMode::Simple,
                            Some(&"message-digest") => {
                                l.end(4)?;
                                AuthMode::MessageDigest
                            }
                            Some(_) => return Err(l.err("end of line or `message-digest`")),
                        })
                    }
                    _ => return Err(l.err("stub, nssa or authentication")),
                }
                Ok(())
            }
            "redistribute" => {
                let source = match l.word(1, "connected, static or kernel")? {
                    "connected" => RedistributeSource::Connected,
                    "static" => RedistributeSource::Static,
                    "kernel" => RedistributeSource::Kernel,
                    _ => return Err(l.err("connected, static or kernel")),
                };
                let mut red = Redistribute {
                    source,
                    metric: None,
                    metric_type: None,
                };
                let mut i = 2;
                while let Some(w) = l.words.get(i) {
                    match *w {
                        "metric" => red.metric = Some(l.num(i + 1, "a metric", 0, 16_777_214)?),
                        "metric-type" => {
                            red.metric_type = Some(l.num(i + 1, "a metric type", 1, 2)?)
                        }
                        _ => return Err(l.err("`metric N` or `metric-type 1|2`")),
                    }
                    i += 2;
                }
                r.redistribute.retain(|x| x.source != source);
                r.redistribute.push(red);
                Ok(())
            }
            "log-adjacency-changes" => {
                let detail = match l.words.get(1) {
                    None => false,
                    Some(&"detail") => true,
                    Some(_) => return Err(l.err("end of line or `detail`")),
                };
                l.end(if detail { 2 } else { 1 })?;
                r.log_adjacency_changes = Some(detail);
                Ok(())
            }
            "auto-cost" => {
                if l.words.get(1) != Some(&"reference-bandwidth") {
                    return Err(l.err("`auto-cost reference-bandwidth N`"));
                }
                r.reference_bandwidth = Some(l.num(2, "Mbit/s", 1, 4_294_967)?);
                l.end(3)
            }
            _ => Err(l.err("a `router ospf` command")),
        }
    }
}

fn set_key(iface: &mut InterfaceConf, id: u8, algorithm: DigestAlgorithm, key: &str) {
    iface.digest_keys.retain(|k| k.id != id);
    iface.digest_keys.push(DigestKey {
        id,
        algorithm,
        key: key.to_string(),
    });
}

fn is_router_command(w: &str) -> bool {
    matches!(
        w,
        "ospf"
            | "router-id"
            | "network"
            | "passive-interface"
            | "no"
            | "area"
            | "redistribute"
            | "log-adjacency-changes"
            | "auto-cost"
    )
}

fn is_top_command(w: &str) -> bool {
    matches!(
        w,
        "hostname" | "password" | "enable" | "log" | "interface" | "router" | "line" | "end"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "hostname server1\ninterface eth0\nrouter ospf\n\tospf router-id 10.0.0.1\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n";

    fn a(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn seed_file_loads_verbatim() {
        let c = OspfdConf::parse(SEED).unwrap();
        assert_eq!(c.hostname.as_deref(), Some("server1"));
        assert_eq!(c.interfaces.len(), 1);
        assert_eq!(c.interfaces[0].name, "eth0");
        assert_eq!(c.interfaces[0].line, 2);
        let r = c.router.unwrap();
        assert_eq!(r.instance, None);
        assert_eq!(r.router_id, Some(a("10.0.0.1")));
        assert_eq!(
            r.networks,
            vec![
                NetworkStatement {
                    addr: a("10.0.0.0"),
                    len: 24,
                    area: a("0.0.0.0"),
                    line: 5
                },
                NetworkStatement {
                    addr: a("172.16.0.1"),
                    len: 32,
                    area: a("0.0.0.0"),
                    line: 6
                },
            ]
        );
        assert_eq!(c.log, vec![LogTarget::Stdout(None)]);
    }

    #[test]
    fn frr_interface_options() {
        let text = "! comment\n\ninterface lo\ninterface eth1\n ip ospf hello-interval 2\n ip ospf dead-interval minimal hello-multiplier 4\n ip ospf retransmit-interval 7\n ip ospf cost 15\n ip ospf priority 0\n ip ospf network point-to-point\n ip ospf authentication message-digest\n ip ospf message-digest-key 1 md5 secret\n ip ospf mtu-ignore\n ip ospf hmac-sha256-key 2 longsecret\n!\ninterface eth2\n ip ospf dead-interval 9\n ip ospf authentication\n ip ospf authentication-key pass\nrouter ospf 1\n network 10.0.0.0 0.0.0.255 area 0.0.0.0\n area 1 stub no-summary\n area 2 nssa\n area 0 authentication message-digest\n passive-interface lo\n redistribute connected metric 20 metric-type 1\n redistribute static\n router-id 1.2.3.4\n";
        let c = OspfdConf::parse(text).unwrap();
        assert_eq!(c.interfaces.len(), 3);
        let e1 = c.interface("eth1").unwrap();
        assert_eq!(e1.hello_interval, Some(2));
        assert_eq!(
            e1.dead_interval,
            Some(DeadInterval::Minimal {
                hello_multiplier: 4
            })
        );
        assert_eq!(e1.retransmit_interval, Some(7));
        assert_eq!(e1.cost, Some(15));
        assert_eq!(e1.priority, Some(0));
        assert_eq!(e1.network_type, Some(NetworkType::PointToPoint));
        assert_eq!(e1.authentication, Some(AuthMode::MessageDigest));
        assert!(e1.mtu_ignore);
        assert_eq!(e1.digest_keys.len(), 2);
        assert_eq!(e1.digest_keys[0].algorithm, DigestAlgorithm::Md5);
        assert_eq!(e1.digest_keys[0].key, "secret");
        assert_eq!(e1.digest_keys[1].algorithm, DigestAlgorithm::HmacSha256);
        assert_eq!(e1.digest_keys[1].id, 2);
        let e2 = c.interface("eth2").unwrap();
        assert_eq!(e2.dead_interval, Some(DeadInterval::Seconds(9)));
        assert_eq!(e2.authentication, Some(AuthMode::Simple));
        assert_eq!(e2.authentication_key.as_deref(), Some("pass"));
        let r = c.router.unwrap();
        assert_eq!(r.instance, Some(1));
        assert_eq!(r.router_id, Some(a("1.2.3.4")));
        assert_eq!(r.networks[0].addr, a("10.0.0.0"));
        assert_eq!(r.networks[0].len, 24);
        assert_eq!(r.networks[0].area, a("0.0.0.0"));
        assert_eq!(
            r.areas[&a("0.0.0.1")].kind,
            AreaKind::Stub { no_summary: true }
        );
        assert_eq!(
            r.areas[&a("0.0.0.2")].kind,
            AreaKind::Nssa { no_summary: false }
        );
        assert_eq!(
            r.areas[&a("0.0.0.0")].authentication,
            Some(AuthMode::MessageDigest)
        );
        assert_eq!(r.passive_interfaces, vec!["lo".to_string()]);
        assert_eq!(r.redistribute.len(), 2);
        assert_eq!(r.redistribute[0].metric, Some(20));
        assert_eq!(r.redistribute[0].metric_type, Some(1));
        assert_eq!(r.redistribute[1].source, RedistributeSource::Static);
    }

    #[test]
    fn areas_as_number_or_dotted_quad() {
        assert_eq!(parse_area("0"), Some(a("0.0.0.0")));
        assert_eq!(parse_area("0.0.0.0"), Some(a("0.0.0.0")));
        assert_eq!(parse_area("257"), Some(a("0.0.1.1")));
        assert_eq!(parse_area("x"), None);
        assert_eq!(parse_area("-1"), None);
    }

    #[test]
    fn ios_wildcards() {
        assert_eq!(wildcard_len(a("0.0.0.255")), Some(24));
        assert_eq!(wildcard_len(a("0.0.0.0")), Some(32));
        assert_eq!(wildcard_len(a("255.255.255.255")), Some(0));
        assert_eq!(wildcard_len(a("0.0.255.0")), None);
        let e =
            OspfdConf::parse("router ospf 1\n network 10.0.0.0 0.0.255.0 area 0\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.expected.contains("contiguous wildcard"), "{e}");
    }

    #[test]
    fn host_bits_are_cleared() {
        let c = OspfdConf::parse("router ospf\n network 10.0.0.77/24 area 0\n").unwrap();
        let n = c.router.unwrap().networks[0];
        assert_eq!(n.addr, a("10.0.0.0"));
        assert!(n.contains(a("10.0.0.200")));
        assert!(!n.contains(a("10.0.1.1")));
    }

    #[test]
    fn errors_name_the_line_and_what_was_expected() {
        let cases: &[(&str, usize, &str)] = &[
            ("hostname a\nfrobnicate\n", 2, "top-level command"),
            (
                "interface eth0\n ip ospf hello-interval x\n",
                2,
                "seconds (1-65535)",
            ),
            (
                "interface eth0\n ip ospf hello-interval 0\n",
                2,
                "seconds (1-65535)",
            ),
            (
                "interface eth0\n ip ospf priority 256\n",
                2,
                "priority (0-255)",
            ),
            (
                "interface eth0\n ip ospf network nbma\n",
                2,
                "point-to-point or broadcast",
            ),
            ("interface eth0\n ip ospf cost 10 extra\n", 2, "end of line"),
            (
                "interface eth0\n ip ospf authentication-key 123456789\n",
                2,
                "at most 8",
            ),
            (
                "interface eth0\n ip ospf message-digest-key 1 sha KEY\n",
                2,
                "`md5 KEY`",
            ),
            ("interface eth0\n ip ospf frob\n", 2, "an `ip ospf` setting"),
            ("ip ospf cost 5\n", 1, "`interface IF`"),
            ("network 10.0.0.0/8 area 0\n", 1, "`router ospf`"),
            (
                "router ospf\n network 10.0.0.0/33 area 0\n",
                2,
                "prefix length",
            ),
            ("router ospf\n network 10.0.0.0/8\n", 2, "`area AREA`"),
            ("router ospf\n network 10.0.0.0/8 area x\n", 2, "area id"),
            ("router ospf\n ospf router-id 1.2.3\n", 2, "router id"),
            (
                "router ospf\n area 1 totally\n",
                2,
                "stub, nssa or authentication",
            ),
            (
                "router ospf\n redistribute bgp\n",
                2,
                "connected, static or kernel",
            ),
            ("\n\nlog printer\n", 3, "log destination"),
            ("router ospf 1\nrouter ospf 2\n", 2, "same `router ospf`"),
        ];
        for (text, line, expected) in cases {
            let e = OspfdConf::parse(text).unwrap_err();
            assert_eq!(e.line, *line, "{text:?}: {e}");
            assert!(e.expected.contains(expected), "{text:?}: {e}");
            assert!(e.to_string().starts_with(&format!("line {line}:")));
        }
    }

    #[test]
    fn top_level_commands_end_blocks() {
        let c = OspfdConf::parse(
            "interface eth0\n ip ospf cost 3\nrouter ospf\n network 10.0.0.0/8 area 0\ninterface eth0\n ip ospf priority 9\nlog file /tmp/x debugging\nline vty\n exec-timeout 0\nend\n",
        )
        .unwrap();
        assert_eq!(c.interfaces.len(), 1);
        assert_eq!(c.interfaces[0].cost, Some(3));
        assert_eq!(c.interfaces[0].priority, Some(9));
        assert_eq!(
            c.log,
            vec![LogTarget::File("/tmp/x".into(), Some("debugging".into()))]
        );
    }
}
