//! The health-check options of `server-speaker`: command-line flags mapped onto
//! [`ospf_std::health`], which does the checking (HTTP/HTTPS, TCP, command, DNS; fall/rise
//! hysteresis; the checker thread).
//!
//! All configured checks must pass for one probe to succeed:
//! - `--check-http URL`: a GET of an `http://` or `https://` URL; a 2xx or 3xx status is up
//!   (or only `--check-http-status CODE`). HTTPS certificates are verified against the bundled
//!   Mozilla roots, or the PEM file of `--check-tls-ca`, or not at all with
//!   `--check-tls-insecure` (a self-signed local service). A URL may carry its own options:
//!   `"https://127.0.0.1/ expect=204 insecure ca=FILE"`.
//! - `--check-tcp ADDR:PORT`: a TCP connect within the timeout is up.
//! - `--check-cmd CMD`: `sh -c CMD` exiting 0 within the timeout is up.
//! - `--check-dns NAME[@SERVER[:PORT]][/TYPE]`: a UDP query answered NOERROR with at least
//!   one record is up (server: the first `nameserver` of /etc/resolv.conf by default).
//!
//!
//! Several services, each with its own checks (run with the timing above), through
//! `--service [NAME@]PREFIX=CHECK[,CHECK...]` ([`ospf_std::service`]): each service's
//! address follows its own checks; `--on-failure degrade` keeps failing addresses with
//! the cost of `--degrade-cost` instead of withdrawing them, and `--no-last-one-standing`
//! lets the last healthy-looking server withdraw too.
//!
//! ```
//! use clap::Parser;
//! use ospf_examples::health::HealthArgs;
//!
//! #[derive(Parser)]
//! struct Cli {
//!     #[command(flatten)]
//!     health: HealthArgs,
//! }
//!
//! let cli = Cli::parse_from(["speaker", "--check-cmd", "true", "--check-fall", "2"]);
//! let checker = cli.health.checker().expect("one check");
//! assert_eq!(checker.config().fall, 2);
//! ```

use std::path::PathBuf;
use std::time::Duration;

pub use ospf_std::health::{
    Check, CommandCheck, DnsCheck, FallRise, HealthChecker, HealthConfig, HealthError, HealthEvent,
    HealthMonitor, HealthState, HttpCheck, TcpCheck,
};

/// Command-line options of the health checks (flatten into a clap parser).
#[derive(Debug, Clone, clap::Args)]
pub struct HealthArgs {
    /// HTTP(S) GET this URL; 2xx/3xx is up. Options may follow the URL after a space:
    /// `expect=CODE`, `insecure`, `ca=FILE`. Repeatable.
    #[arg(long = "check-http", value_name = "URL", value_parser = parse_http)]
    pub check_http: Vec<HttpCheck>,
    /// Connect to this ADDR:PORT over TCP. Repeatable.
    #[arg(long = "check-tcp", value_name = "ADDR:PORT")]
    pub check_tcp: Vec<String>,
    /// Run this command with `sh -c`; exit 0 is up. Repeatable.
    #[arg(long = "check-cmd", value_name = "CMD")]
    pub check_cmd: Vec<String>,
    /// Query this name over UDP (default server: resolv.conf's first nameserver, default
    /// type A); NOERROR with an answer is up. Repeatable.
    #[arg(long = "check-dns", value_name = "NAME[@SERVER[:PORT]][/TYPE]", value_parser = parse_dns)]
    pub check_dns: Vec<DnsCheck>,
    /// The only HTTP status that is up (instead of any 2xx/3xx), for every --check-http
    /// without its own `expect=`.
    #[arg(long = "check-http-status", value_name = "CODE", value_parser = clap::value_parser!(u16).range(100..600))]
    pub http_status: Option<u16>,
    /// Do not verify the certificates of https:// checks (self-signed local services).
    #[arg(long = "check-tls-insecure")]
    pub tls_insecure: bool,
    /// Trust only the PEM certificates in FILE for https:// checks without their own `ca=`.
    #[arg(long = "check-tls-ca", value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,
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
    /// State before the first probe: up or down.
    #[arg(long = "check-initial", value_name = "STATE", default_value_t = HealthState::Down)]
    pub initial: HealthState,
    /// An anycast service with its own checks, comma-separated, in the syntax of the
    /// --check-* options (http://URL, https://URL, tcp:ADDR:PORT, cmd:COMMAND,
    /// dns:NAME@SERVER/TYPE with server and type optional). NAME defaults to the address.
    /// Repeatable.
    #[arg(long = "service", value_name = "[NAME@]PREFIX=CHECK[,CHECK...]")]
    pub services: Vec<ServiceSpec>,
    /// What a failing --service does: withdraw its address, or degrade it (announce it
    /// with --degrade-cost so healthy servers win).
    #[arg(long = "on-failure", value_name = "withdraw|degrade", default_value_t = OnFailure::Withdraw)]
    pub on_failure: OnFailure,
    /// Stub cost of a degraded service address (same on every server of the address).
    #[arg(long = "degrade-cost", value_name = "COST", default_value_t = DEFAULT_DEGRADE_COST,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub degrade_cost: u16,
    /// Anycast weight (1-255) of a --service, NAME its name (or address): this server's
    /// capacity, announced beside the address; our ecmp-router sends it flows in
    /// proportion (routers that do not know it stay equal-cost). Repeatable.
    #[arg(long = "weight", value_name = "NAME=WEIGHT")]
    pub weights: Vec<String>,
    /// Withdraw a failing service even when no other server announces it healthy (by
    /// default the last one stands, degraded, rather than black-holing the address).
    #[arg(long = "no-last-one-standing")]
    pub no_last_one_standing: bool,
}

use ospf_std::service::{DEFAULT_DEGRADE_COST, OnFailure, Service, ServiceError, ServiceSpec};

fn parse_http(spec: &str) -> Result<HttpCheck, HealthError> {
    HttpCheck::from_spec(spec)
}

fn parse_dns(spec: &str) -> Result<DnsCheck, HealthError> {
    DnsCheck::from_spec(spec)
}

impl HealthArgs {
    /// The configured checks, in the order http, tcp, cmd, dns, with the global HTTP and TLS
    /// options applied to the HTTP checks that do not set their own.
    pub fn checks(&self) -> Vec<Check> {
        let http = self.check_http.iter().map(|c| {
            let mut c = c.clone();
            if let (None, Some(code)) = (c.expect_status(), self.http_status) {
                c = c.with_expect_status(code);
            }
            if self.tls_insecure && !c.insecure() {
                c = c.with_insecure(true);
            }
            if let (None, Some(ca)) = (c.ca_file(), &self.tls_ca) {
                c = c.with_ca_file(ca);
            }
            Check::Http(c)
        });
        let tcp = self.check_tcp.iter().cloned().map(Check::tcp);
        let cmd = self.check_cmd.iter().cloned().map(Check::command);
        let dns = self.check_dns.iter().cloned().map(Check::Dns);
        http.chain(tcp).chain(cmd).chain(dns).collect()
    }

    /// The timing and hysteresis settings.
    pub fn config(&self) -> HealthConfig {
        HealthConfig::default()
            .with_interval(Duration::from_millis(self.interval_ms.max(1)))
            .with_timeout(Duration::from_millis(self.timeout_ms.max(1)))
            .with_fall(self.fall)
            .with_rise(self.rise)
            .with_initial(self.initial)
    }

    /// A checker, or `None` when no check is configured (the service counts as always up).
    pub fn checker(&self) -> Option<HealthChecker> {
        let checks = self.checks();
        (!checks.is_empty()).then(|| HealthChecker::new(checks, self.config()))
    }

    /// The `--service` services, with the shared timing, failure action, degrade cost
    /// and last-one-standing rule.
    pub fn services(&self) -> Result<Vec<Service>, ServiceError> {
        let mut weights = Vec::new();
        for w in &self.weights {
            let bad = || ServiceError::WeightSpec(w.chars().take(64).collect());
            let (name, n) = w.split_once('=').ok_or_else(bad)?;
            let n: u32 = n.trim().parse().map_err(|_| bad())?;
            let n = u8::try_from(n)
                .ok()
                .filter(|n| *n != 0)
                .ok_or(ServiceError::Weight(n))?;
            let name = name.trim();
            let known = self
                .services
                .iter()
                .any(|s| s.name == name || s.prefix.addr().to_string() == name);
            if !known {
                return Err(bad());
            }
            weights.push((name.to_string(), n));
        }
        self.services
            .iter()
            .map(|spec| {
                let mut s = spec
                    .clone()
                    .into_service(self.config())?
                    .on_failure(self.on_failure)
                    .degrade_cost(self.degrade_cost)?
                    .last_one_standing(!self.no_last_one_standing);
                let addr = spec.prefix.addr().to_string();
                if let Some((_, n)) = weights
                    .iter()
                    .rev()
                    .find(|(k, _)| *k == spec.name || *k == addr)
                {
                    s = s.weight(*n)?;
                }
                Ok(s)
            })
            .collect()
    }
}
