//! HTTP and HTTPS checks through `ureq` (rustls with the *ring* provider).

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ureq::http::Uri;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

use super::check::io_failure;
use super::error::HealthError;

/// Passes when a GET of `url` answers with an accepted status within the timeout.
///
/// * Accepted statuses: any 2xx or 3xx unless [`HttpCheck::with_expect_status`] names one
///   code.
///   Redirects are not followed: a 3xx is the answer.
/// * HTTPS: the server certificate is verified against the Mozilla roots bundled by
///   `webpki-roots` (not the system's store), or against the PEM certificates of
///   [`HttpCheck::with_ca_file`] instead. [`HttpCheck::with_insecure`] skips verification altogether
///   (meant for a local service with a self-signed certificate: the check then proves only
///   that something speaking TLS and HTTP answers).
/// * Every probe opens a new connection (no keep-alive pool) and no proxy is used, whatever
///   the environment says.
/// * The whole exchange (resolution, connect, TLS handshake, status line) is bounded by the
///   timeout; the body is not read.
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpCheck {
    url: String,
    expect_status: Option<u16>,
    insecure: bool,
    ca_file: Option<PathBuf>,
    host: String,
    port: u16,
    path: String,
    agent: OnceLock<ureq::Agent>,
}

impl PartialEq for HttpCheck {
    fn eq(&self, other: &HttpCheck) -> bool {
        (&self.url, self.expect_status, self.insecure, &self.ca_file)
            == (
                &other.url,
                other.expect_status,
                other.insecure,
                &other.ca_file,
            )
    }
}

impl Eq for HttpCheck {}

impl fmt::Debug for HttpCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpCheck")
            .field("url", &self.url)
            .field("expect_status", &self.expect_status)
            .field("insecure", &self.insecure)
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

impl HttpCheck {
    /// A check of `url` (`http://` or `https://`, host required, no credentials), any 2xx or
    /// 3xx passing, certificates verified.
    pub fn new(url: &str) -> Result<HttpCheck, HealthError> {
        let bad = |why: &str| HealthError::spec(url, why);
        let uri: Uri = url.parse().map_err(|_| bad("not a valid URL"))?;
        let default_port = match uri.scheme_str() {
            Some("http") => 80,
            Some("https") => 443,
            _ => return Err(bad("only http:// and https:// URLs are supported")),
        };
        // The authority as written: `http::Uri` quietly drops a port that is not a u16.
        let after_scheme = url.split_once("://").map_or("", |(_, rest)| rest);
        let authority = after_scheme
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default();
        if authority.contains('@') {
            return Err(bad("credentials in URLs are not supported"));
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let end = v6.find(']').ok_or_else(|| bad("unclosed IPv6 literal"))?;
                let rest = &v6[end + 1..];
                if !(rest.is_empty() || rest.starts_with(':')) {
                    return Err(bad("bad port"));
                }
                (&authority[..end + 2], rest.strip_prefix(':'))
            }
            None => match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            },
        };
        if host.is_empty() || uri.host().is_none_or(str::is_empty) {
            return Err(bad("no host"));
        }
        let port = match port {
            None => default_port,
            Some(p) => p.parse::<u16>().map_err(|_| bad("bad port"))?,
        };
        let path = match uri.query() {
            Some(q) => format!("{}?{q}", uri.path()),
            None => uri.path().to_owned(),
        };
        Ok(HttpCheck {
            url: url.to_owned(),
            expect_status: None,
            insecure: false,
            ca_file: None,
            host: host.to_owned(),
            port,
            path,
            agent: OnceLock::new(),
        })
    }

    /// Parses `URL[ OPTION]...` with the options `expect=CODE`, `insecure` and `ca=FILE`
    /// separated by whitespace.
    pub fn from_spec(spec: &str) -> Result<HttpCheck, HealthError> {
        let mut words = spec.split_whitespace();
        let url = words
            .next()
            .ok_or_else(|| HealthError::spec(spec, "no URL"))?;
        let mut check = HttpCheck::new(url)?;
        for w in words {
            match w.split_once('=') {
                None if w == "insecure" => check.insecure = true,
                Some(("expect", code)) => {
                    let code = code
                        .parse::<u16>()
                        .ok()
                        .filter(|c| (100..600).contains(c))
                        .ok_or_else(|| HealthError::spec(spec, "expect= needs a status code"))?;
                    check.expect_status = Some(code);
                }
                Some(("ca", file)) if !file.is_empty() => check.ca_file = Some(file.into()),
                _ => {
                    return Err(HealthError::spec(
                        spec,
                        format!("unknown option {w:?} (expect=CODE, insecure, ca=FILE)"),
                    ));
                }
            }
        }
        Ok(check)
    }

    /// Only `status` passes (instead of any 2xx or 3xx).
    pub fn with_expect_status(mut self, status: u16) -> HttpCheck {
        self.expect_status = Some(status);
        self
    }

    /// Skips (`true`) or performs the certificate verification of `https://` URLs.
    pub fn with_insecure(mut self, insecure: bool) -> HttpCheck {
        self.insecure = insecure;
        self.agent = OnceLock::new();
        self
    }

    /// Trusts only the PEM certificates in `file` for `https://` URLs.
    pub fn with_ca_file(mut self, file: impl Into<PathBuf>) -> HttpCheck {
        self.ca_file = Some(file.into());
        self.agent = OnceLock::new();
        self
    }

    /// The URL as given.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The only status code that passes (`None`: any 2xx or 3xx).
    pub fn expect_status(&self) -> Option<u16> {
        self.expect_status
    }

    /// Whether the server certificate verification of `https://` URLs is skipped.
    pub fn insecure(&self) -> bool {
        self.insecure
    }

    /// The PEM file whose certificates alone are trusted for `https://` URLs (`None`: the
    /// bundled Mozilla roots).
    pub fn ca_file(&self) -> Option<&std::path::Path> {
        self.ca_file.as_deref()
    }

    /// The host of the URL (IPv6 literals keep their brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port of the URL (80 or 443 when absent).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The path and query of the URL, starting with `/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Whether the URL is `https://`.
    pub fn is_https(&self) -> bool {
        self.url.starts_with("https://")
    }

    /// Whether `status` passes this check.
    pub fn accepts(&self, status: u16) -> bool {
        match self.expect_status {
            Some(s) => s == status,
            None => (200..400).contains(&status),
        }
    }

    fn agent(&self) -> Result<&ureq::Agent, HealthError> {
        if let Some(a) = self.agent.get() {
            return Ok(a);
        }
        let mut tls = TlsConfig::builder().disable_verification(self.insecure);
        if let Some(file) = &self.ca_file {
            let pem = std::fs::read(file).map_err(|e| HealthError::Tls {
                check: self.to_string(),
                source: format!("cannot read {}: {e}", file.display()).into(),
            })?;
            let certs = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                })
                .collect::<Result<Vec<Certificate<'static>>, _>>()
                .map_err(|e| HealthError::Tls {
                    check: self.to_string(),
                    source: Box::new(e),
                })?;
            if certs.is_empty() {
                return Err(HealthError::Tls {
                    check: self.to_string(),
                    source: format!("no certificate in {}", file.display()).into(),
                });
            }
            tls = tls.root_certs(RootCerts::Specific(Arc::new(certs)));
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .proxy(None)
            .user_agent("ospf-rs-health")
            .tls_config(tls.build())
            .build();
        Ok(self
            .agent
            .get_or_init(|| ureq::Agent::new_with_config(config)))
    }

    /// Sends one GET and returns the status code; the exchange must finish within
    /// `timeout`.
    pub fn get_status(&self, timeout: Duration) -> Result<u16, HealthError> {
        let response = self
            .agent()?
            .get(&self.url)
            .config()
            .timeout_global(Some(timeout))
            .build()
            .call()
            .map_err(|e| self.classify(e, timeout))?;
        Ok(response.status().as_u16())
    }

    /// Runs the check once, bounded by `timeout`.
    pub fn run(&self, timeout: Duration) -> Result<(), HealthError> {
        let status = self.get_status(timeout)?;
        if self.accepts(status) {
            Ok(())
        } else {
            Err(HealthError::HttpStatus {
                check: self.to_string(),
                status,
            })
        }
    }

    fn classify(&self, e: ureq::Error, timeout: Duration) -> HealthError {
        let check = self.to_string();
        match e {
            ureq::Error::Timeout(_) => HealthError::Timeout { check, timeout },
            ureq::Error::StatusCode(status) => HealthError::HttpStatus { check, status },
            ureq::Error::HostNotFound => HealthError::Resolve {
                check,
                target: self.host.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "host not found"),
            },
            ureq::Error::Io(io) => {
                let is_tls = io
                    .get_ref()
                    .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
                if is_tls {
                    HealthError::Tls {
                        check,
                        source: Box::new(io),
                    }
                } else {
                    io_failure(check, io, timeout)
                }
            }
            e @ (ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_)) => {
                HealthError::Tls {
                    check,
                    source: Box::new(e),
                }
            }
            e => HealthError::Http {
                check,
                source: Box::new(e),
            },
        }
    }
}

impl fmt::Display for HttpCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http {}", self.url)
    }
}
