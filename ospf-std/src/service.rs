//! Anycast services: several service addresses in one speaker, each with its own health
//! checks, hysteresis, failure action and drain.
//!
//! A [`Service`] names one anycast address of the speaker (a `/32` on a loopback interface,
//! covered by a `network` line of the configuration). While its checks pass it is announced
//! as a host stub at its normal cost. When they fail, its [`OnFailure`] action applies:
//!
//! - [`OnFailure::Withdraw`] (the default): the address leaves OSPF, as a single-service
//!   speaker does today.
//! - [`OnFailure::Degrade`]: the address stays, with the stub cost [`Service::degrade_cost`]
//!   (default [`DEFAULT_DEGRADE_COST`]): the router prefers every healthy server, but when
//!   every server fails the address stays reachable instead of being black-holed.
//!
//! **Last one standing** ([`Service::last_one_standing`], on by default): a failing service
//! with [`OnFailure::Withdraw`] is withdrawn only while another router of the area
//! announces the same address *healthy* — reachable in the last route calculation, with a
//! stub cost below this service's degrade cost. Otherwise it stays announced, degraded.
//! Every speaker of one address should use the same degrade cost: a cost at or above it
//! reads as "degraded". Since a degraded announcement never counts as healthy, two failing
//! speakers never withdraw because of each other (no oscillation), and once a healthy one
//! appears the failing ones leave.
//!
//! An operator drain of one service ([`Handle::drain_service`](crate::api::Handle::drain_service),
//! `ospfctl drain SERVICE`) withdraws it whatever its health, and keeps the adjacencies
//! Full; the last-one-standing rule does not hold a drained service (the operator asked).
//!
//! **Weight** ([`Service::weight`], 1–255, none by default): the server's capacity for
//! the address, announced in an RFC 7684 Extended Prefix Opaque LSA beside the host stub
//! (our weight sub-TLV, [`ospf_core::wire::ExtPrefix`]) while the address is announced
//! (degraded too; a withdrawn or drained address takes its weight with it). Our router
//! spreads flows over the servers in proportion through the weights of a resilient
//! nexthop group; routers that do not know the sub-TLV (FRR, BIRD) ignore it and stay
//! equal-cost. No weight: the server counts 1, and no LSA is sent.
//!
//! Services are given to [`Builder::service`](crate::api::Builder::service); on the command
//! line of `server-speaker` as `--service [NAME@]PREFIX=CHECK[,CHECK...]` ([`ServiceSpec`]).
//!
//! ```
//! use ospf_std::service::{OnFailure, Service};
//!
//! let web = Service::new("web", "172.16.0.1/32".parse().unwrap())
//!     .unwrap()
//!     .on_failure(OnFailure::Degrade);
//! assert_eq!(web.name(), "web");
//! assert_eq!(web.prefix().to_string(), "172.16.0.1/32");
//! ```

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use crate::Prefix;

/// The stub cost of a degraded service address when none is set: high enough that any
/// healthy server wins, below the 16-bit maximum (65535) that some routers treat as
/// "do not use".
pub const DEFAULT_DEGRADE_COST: u16 = 65000;

/// What happens to a service's address while its checks fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum OnFailure {
    /// The address leaves OSPF (subject to the last-one-standing rule).
    #[default]
    Withdraw,
    /// The address stays, announced with the degrade cost.
    Degrade,
}

impl fmt::Display for OnFailure {
    /// `withdraw` or `degrade`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OnFailure::Withdraw => "withdraw",
            OnFailure::Degrade => "degrade",
        })
    }
}

impl FromStr for OnFailure {
    type Err = ServiceError;

    /// `withdraw` or `degrade`.
    fn from_str(s: &str) -> Result<Self, ServiceError> {
        match s {
            "withdraw" => Ok(OnFailure::Withdraw),
            "degrade" => Ok(OnFailure::Degrade),
            _ => Err(ServiceError::Action(excerpt(s))),
        }
    }
}

/// Why a service definition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// A service address is one host: a `/32`.
    #[error("service prefix {0} is not a /32 (a service is one anycast address)")]
    NotHost(Prefix),
    /// Names are 1–64 characters of letters, digits, `-`, `_` and `.`.
    #[error("bad service name {0:?}: 1-64 letters, digits, '-', '_' or '.'")]
    Name(String),
    /// Two services with one name.
    #[error("two services are named {0:?}")]
    DuplicateName(String),
    /// Two services with one address.
    #[error("two services announce {0}")]
    DuplicatePrefix(Prefix),
    /// A weight is 1–255.
    #[error("weight {0} is out of range (1-255)")]
    Weight(u32),
    /// A `--weight` value naming no `--service`.
    #[error("--weight {0}: no such service (expected NAME=WEIGHT with NAME a --service)")]
    WeightSpec(String),
    /// The degrade cost must leave room for healthy costs below it.
    #[error("degrade cost {0} is out of range (1-65535)")]
    DegradeCost(u32),
    /// Not `withdraw` or `degrade`.
    #[error("unknown failure action {0:?} (withdraw or degrade)")]
    Action(String),
    /// A `--service` value without `PREFIX=CHECK`.
    #[error("bad service {0:?}: expected [NAME@]PREFIX=CHECK[,CHECK...]")]
    Spec(String),
    /// The prefix of a `--service` value.
    #[error("bad service prefix {0:?}: expected A.B.C.D/32")]
    Prefix(String),
    /// One of the checks of a `--service` value.
    #[error("bad check in service {service}: {reason}")]
    Check {
        /// The service's name.
        service: String,
        /// Why the check was refused.
        reason: String,
    },
}

/// At most 64 characters of a refused input, for error messages.
fn excerpt(s: &str) -> String {
    const MAX: usize = 64;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// Whether `name` is a valid service name: 1–64 letters, digits, `-`, `_` or `.` (an
/// address such as `172.16.0.1` names its service too). The one rule of the API, the
/// command line, the control protocol and `ospfd.conf`.
pub(crate) fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// One anycast service of a speaker (see the [module documentation](self)).
pub struct Service {
    pub(crate) name: String,
    pub(crate) prefix: Prefix,
    pub(crate) on_failure: OnFailure,
    pub(crate) degrade_cost: u16,
    pub(crate) last_one_standing: bool,
    pub(crate) initially_healthy: bool,
    pub(crate) weight: Option<u8>,
    #[cfg(feature = "health")]
    pub(crate) checker: Option<crate::health::HealthChecker>,
}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Service")
            .field("name", &self.name)
            .field("prefix", &self.prefix)
            .field("on_failure", &self.on_failure)
            .field("degrade_cost", &self.degrade_cost)
            .field("last_one_standing", &self.last_one_standing)
            .field("weight", &self.weight)
            .finish_non_exhaustive()
    }
}

impl Service {
    /// A service named `name` for the anycast address `prefix` (a `/32`): no checks (up
    /// until told otherwise), withdrawn on failure, last one standing.
    pub fn new(name: &str, prefix: Prefix) -> Result<Service, ServiceError> {
        if !valid_name(name) {
            return Err(ServiceError::Name(excerpt(name)));
        }
        if prefix.prefix_len() != 32 {
            return Err(ServiceError::NotHost(prefix));
        }
        Ok(Service {
            name: name.to_string(),
            prefix,
            on_failure: OnFailure::Withdraw,
            degrade_cost: DEFAULT_DEGRADE_COST,
            last_one_standing: true,
            initially_healthy: true,
            weight: None,
            #[cfg(feature = "health")]
            checker: None,
        })
    }

    /// The service's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The service's address.
    pub fn prefix(&self) -> Prefix {
        self.prefix
    }

    /// The action while the checks fail (default [`OnFailure::Withdraw`]).
    pub fn on_failure(mut self, action: OnFailure) -> Service {
        self.on_failure = action;
        self
    }

    /// The stub cost of the address while degraded (default [`DEFAULT_DEGRADE_COST`]).
    pub fn degrade_cost(mut self, cost: u16) -> Result<Service, ServiceError> {
        if cost == 0 {
            return Err(ServiceError::DegradeCost(0));
        }
        self.degrade_cost = cost;
        Ok(self)
    }

    /// The server's anycast weight for the address (1–255; see the
    /// [module documentation](self)). 0 is refused.
    pub fn weight(mut self, weight: u8) -> Result<Service, ServiceError> {
        if weight == 0 {
            return Err(ServiceError::Weight(0));
        }
        self.weight = Some(weight);
        Ok(self)
    }

    /// The weight set with [`Service::weight`].
    pub fn weight_of(&self) -> Option<u8> {
        self.weight
    }

    /// Whether a failing service keeps its address (degraded) while no other router
    /// announces it healthy (default yes). `false`: withdraw even if that leaves no server.
    pub fn last_one_standing(mut self, on: bool) -> Service {
        self.last_one_standing = on;
        self
    }

    /// The service's health checks; the service starts in the checker's initial state
    /// (feature `health`).
    #[cfg(feature = "health")]
    pub fn checks(mut self, checker: crate::health::HealthChecker) -> Service {
        self.initially_healthy = checker.initial() == crate::health::HealthState::Up;
        self.checker = Some(checker);
        self
    }

    /// Whether the service counts as healthy before any check or report (default yes;
    /// [`Service::checks`] sets it from the checker).
    pub fn initial_health(mut self, healthy: bool) -> Service {
        self.initially_healthy = healthy;
        self
    }
}

/// Checks a set of services for duplicate names and addresses.
pub(crate) fn check_unique(services: &[Service]) -> Result<(), ServiceError> {
    for (i, s) in services.iter().enumerate() {
        for t in &services[..i] {
            if t.name == s.name {
                return Err(ServiceError::DuplicateName(s.name.clone()));
            }
            if t.prefix == s.prefix {
                return Err(ServiceError::DuplicatePrefix(s.prefix));
            }
        }
    }
    Ok(())
}

/// A `--service [NAME@]PREFIX=CHECK[,CHECK...]` command-line value, before it becomes a
/// [`Service`]: the name (the address when not given), the address, and the check
/// specifications in [`Check`](crate::health::Check)'s syntax.
///
/// Checks are separated by a comma followed by a check scheme (`http:`, `https:`, `tcp:`,
/// `cmd:`, `dns:`), so a comma inside a command or URL stays where it is.
///
/// ```
/// use ospf_std::service::ServiceSpec;
///
/// let s: ServiceSpec = "web@172.16.0.1/32=http://127.0.0.1/,cmd:test -e /run/a,b".parse().unwrap();
/// assert_eq!(s.name, "web");
/// assert_eq!(s.checks, ["http://127.0.0.1/", "cmd:test -e /run/a,b"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceSpec {
    /// The service's name.
    pub name: String,
    /// The service's address.
    pub prefix: Prefix,
    /// The check specifications, in order.
    pub checks: Vec<String>,
}

const SCHEMES: [&str; 5] = ["http:", "https:", "tcp:", "cmd:", "dns:"];

impl FromStr for ServiceSpec {
    type Err = ServiceError;

    fn from_str(s: &str) -> Result<Self, ServiceError> {
        let (head, checks) = s
            .split_once('=')
            .ok_or_else(|| ServiceError::Spec(excerpt(s)))?;
        let (name, prefix) = match head.split_once('@') {
            Some((n, p)) => (Some(n.trim()), p.trim()),
            None => (None, head.trim()),
        };
        let prefix: Prefix = prefix
            .parse()
            .map_err(|_| ServiceError::Prefix(excerpt(prefix)))?;
        if prefix.prefix_len() != 32 {
            return Err(ServiceError::NotHost(prefix));
        }
        let name = name.map_or_else(|| prefix.addr().to_string(), str::to_string);
        if !valid_name(&name) {
            return Err(ServiceError::Name(excerpt(&name)));
        }
        let mut out: Vec<String> = Vec::new();
        for piece in checks.split(',') {
            let starts_check = SCHEMES
                .iter()
                .any(|sch| piece.trim_start().starts_with(sch));
            match out.last_mut() {
                Some(last) if !starts_check => {
                    last.push(',');
                    last.push_str(piece);
                }
                _ => out.push(piece.trim_start().to_string()),
            }
        }
        out.retain(|c| !c.trim().is_empty());
        if out.is_empty() {
            return Err(ServiceError::Spec(excerpt(s)));
        }
        Ok(ServiceSpec {
            name,
            prefix,
            checks: out,
        })
    }
}

#[cfg(feature = "health")]
impl ServiceSpec {
    /// The [`Service`]: its checks parsed ([`Check`](crate::health::Check)'s syntax) and run
    /// with `config`'s timing and hysteresis.
    pub fn into_service(
        self,
        config: crate::health::HealthConfig,
    ) -> Result<Service, ServiceError> {
        let checks = self
            .checks
            .iter()
            .map(|c| {
                c.parse::<crate::health::Check>()
                    .map_err(|e| ServiceError::Check {
                        service: self.name.clone(),
                        reason: e.to_string(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Service::new(&self.name, self.prefix)?
            .checks(crate::health::HealthChecker::new(checks, config)))
    }
}

/// The services of the configuration's `anycast-service` blocks
/// ([`ServiceConf`](crate::conf::ServiceConf)), with their checks (feature `health`; without
/// it, a block with checks is refused).
pub fn from_conf(conf: &crate::conf::OspfdConf) -> Result<Vec<Service>, ServiceError> {
    conf.services
        .iter()
        .map(|c| {
            let prefix = c.address.ok_or_else(|| {
                ServiceError::Spec(format!("anycast-service {}: no address", c.name))
            })?;
            let mut s = Service::new(&c.name, prefix)?
                .on_failure(c.on_failure)
                .last_one_standing(c.last_one_standing);
            if let Some(cost) = c.degrade_cost {
                s = s.degrade_cost(cost)?;
            }
            if let Some(w) = c.weight {
                s = s.weight(w)?;
            }
            if c.checks.is_empty() {
                return Ok(s);
            }
            #[cfg(feature = "health")]
            {
                use crate::health::{Check, HealthChecker, HealthConfig, HealthState};
                use std::time::Duration;
                let mut config = HealthConfig::default();
                if let Some(ms) = c.interval_ms {
                    config = config.with_interval(Duration::from_millis(ms));
                }
                if let Some(ms) = c.timeout_ms {
                    config = config.with_timeout(Duration::from_millis(ms));
                }
                if let Some(n) = c.fall {
                    config = config.with_fall(n);
                }
                if let Some(n) = c.rise {
                    config = config.with_rise(n);
                }
                if let Some(up) = c.initial_up {
                    config = config.with_initial(if up {
                        HealthState::Up
                    } else {
                        HealthState::Down
                    });
                }
                let checks = c
                    .checks
                    .iter()
                    .map(|spec| {
                        spec.parse::<Check>().map_err(|e| ServiceError::Check {
                            service: c.name.clone(),
                            reason: e.to_string(),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(s.checks(HealthChecker::new(checks, config)))
            }
            #[cfg(not(feature = "health"))]
            Err(ServiceError::Check {
                service: c.name.clone(),
                reason: "health checks need the `health` feature".into(),
            })
        })
        .collect()
}

/// How a service's address is announced now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Announcement {
    /// At its normal cost.
    Announced,
    /// With the degrade cost (failing, and degraded or the last one standing).
    Degraded,
    /// Not announced.
    Withdrawn,
    /// Not announced: the address is on no loopback interface of this host (or no
    /// `network` line covers it).
    Absent,
}

impl fmt::Display for Announcement {
    /// `announced`, `degraded`, `withdrawn` or `absent`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Announcement::Announced => "announced",
            Announcement::Degraded => "degraded",
            Announcement::Withdrawn => "withdrawn",
            Announcement::Absent => "absent",
        })
    }
}

/// The state of one service ([`Handle::services`](crate::api::Handle::services), `show
/// anycast services`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceStatus {
    /// The service's name.
    pub name: String,
    /// Its address.
    pub address: Ipv4Addr,
    /// Whether its checks pass (or what was last reported).
    pub healthy: bool,
    /// Whether an operator drained it.
    pub drained: bool,
    /// Its action on failure.
    pub on_failure: OnFailure,
    /// Its stub cost while degraded.
    pub degrade_cost: u16,
    /// Whether the last-one-standing rule applies.
    pub last_one_standing: bool,
    /// Whether the last-one-standing rule keeps it announced now.
    pub held_as_last: bool,
    /// How it is announced now.
    pub announcement: Announcement,
    /// State changes of its health since the start.
    pub health_transitions: u64,
    /// Its anycast weight, if set.
    pub weight: Option<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_split_checks_at_schemes_only() {
        let s: ServiceSpec = "172.16.0.1/32=tcp:127.0.0.1:80, http://127.0.0.1/a,b,dns:x.example"
            .parse()
            .unwrap();
        assert_eq!(s.name, "172.16.0.1");
        assert_eq!(
            s.checks,
            ["tcp:127.0.0.1:80", "http://127.0.0.1/a,b", "dns:x.example"]
        );
    }

    #[test]
    fn bad_specs_are_refused_with_a_bounded_excerpt() {
        for (spec, want) in [
            ("172.16.0.1/32", "expected [NAME@]PREFIX"),
            ("172.16.0.0/24=tcp:1.2.3.4:5", "not a /32"),
            ("nonsense=tcp:1.2.3.4:5", "bad service prefix"),
            ("a b@172.16.0.1/32=tcp:1.2.3.4:5", "bad service name"),
            ("172.16.0.1/32=", "expected"),
        ] {
            let e = spec.parse::<ServiceSpec>().unwrap_err().to_string();
            assert!(e.contains(want), "{spec}: {e}");
        }
        let long = format!("{}=tcp:1.2.3.4:5", "x".repeat(100_000));
        let e = long.parse::<ServiceSpec>().unwrap_err().to_string();
        assert!(e.len() < 200, "{} bytes", e.len());
    }

    #[test]
    fn services_must_differ_in_name_and_address() {
        let p = |s: &str| s.parse::<Prefix>().unwrap();
        let a = Service::new("a", p("172.16.0.1/32")).unwrap();
        let b = Service::new("b", p("172.16.0.2/32")).unwrap();
        assert!(check_unique(&[a, b]).is_ok());
        let a = Service::new("a", p("172.16.0.1/32")).unwrap();
        let a2 = Service::new("a", p("172.16.0.2/32")).unwrap();
        assert_eq!(
            check_unique(&[a, a2]),
            Err(ServiceError::DuplicateName("a".into()))
        );
        let a = Service::new("a", p("172.16.0.1/32")).unwrap();
        let b = Service::new("b", p("172.16.0.1/32")).unwrap();
        assert!(matches!(
            check_unique(&[a, b]),
            Err(ServiceError::DuplicatePrefix(_))
        ));
        assert!(Service::new("", p("172.16.0.1/32")).is_err());
        assert!(Service::new("x", p("172.16.0.0/24")).is_err());
        assert!(
            Service::new("x", p("172.16.0.1/32"))
                .unwrap()
                .degrade_cost(0)
                .is_err()
        );
        let p1 = p("172.16.0.1/32");
        assert_eq!(
            Service::new("x", p1).unwrap().weight(0).unwrap_err(),
            ServiceError::Weight(0)
        );
        let w = Service::new("x", p1).unwrap().weight(255).unwrap();
        assert_eq!(w.weight_of(), Some(255));
        assert_eq!(Service::new("x", p1).unwrap().weight_of(), None);
        assert_eq!("degrade".parse::<OnFailure>(), Ok(OnFailure::Degrade));
        assert!("drop".parse::<OnFailure>().is_err());
    }
}
