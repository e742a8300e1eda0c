//! Health checks against local listeners: tiny HTTP and HTTPS responders, a scripted DNS
//! responder, `true`/`false` commands; the checker thread's fall/rise reporting.
#![cfg(feature = "health")]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use ospf_std::health::{
    Check, DnsCheck, DnsRecordType, FallRise, HealthChecker, HealthConfig, HealthError,
    HealthState, HttpCheck, first_nameserver,
};

/// Reads one request head from `s` (up to the empty line).
fn read_request(s: &mut impl Read) -> String {
    let mut req = Vec::new();
    let mut buf = [0u8; 512];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&req).into_owned()
}

/// A responder that answers every connection with `status_line` after reading the request,
/// and records the requests it saw.
fn responder(status_line: &'static str) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { return };
            // A client that sends no request head (TLS) gets the answer after a pause.
            let _ = s.set_read_timeout(Some(Duration::from_millis(300)));
            let req = read_request(&mut s);
            log.lock().unwrap().push(req);
            let _ = s.write_all(status_line.as_bytes());
            let _ = s.write_all(b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (addr, seen)
}

/// A listener that accepts connections and never answers.
fn silent() -> (SocketAddr, thread::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let h = thread::spawn(move || {
        let mut held = Vec::new();
        if let Ok((s, _)) = l.accept() {
            held.push(s);
            thread::sleep(Duration::from_secs(3));
        }
    });
    (addr, h)
}

fn closed_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

const T: Duration = Duration::from_secs(2);

fn http(url: &str) -> HttpCheck {
    HttpCheck::new(url).unwrap()
}

#[test]
fn http_2xx_and_3xx_are_up() {
    for status in [
        "HTTP/1.0 200 OK",
        "HTTP/1.1 204 No Content",
        "HTTP/1.1 302 Found",
    ] {
        let (addr, seen) = responder(status);
        let url = format!("http://{addr}/health?x=1");
        assert!(http(&url).run(T).is_ok(), "{status}");
        let req = seen.lock().unwrap()[0].clone();
        // The client speaks HTTP/1.1 (ureq); the path and query go as given.
        assert!(req.starts_with("GET /health?x=1 HTTP/1.1\r\n"), "{req:?}");
        let lower = req.to_ascii_lowercase();
        assert!(lower.contains(&format!("host: {addr}\r\n")), "{req:?}");
        assert!(lower.contains("user-agent: ospf-rs-health\r\n"), "{req:?}");
        // A redirect is the answer: nothing follows it.
        assert_eq!(seen.lock().unwrap().len(), 1);
    }
}

#[test]
fn http_4xx_5xx_and_garbage_are_down() {
    for (status, code) in [("HTTP/1.1 404 Not Found", 404), ("HTTP/1.0 503 Busy", 503)] {
        let (addr, _) = responder(status);
        let url = format!("http://{addr}/");
        assert_eq!(http(&url).get_status(T).unwrap(), code);
        let err = http(&url).run(T).unwrap_err();
        assert!(err.to_string().contains(&code.to_string()), "{err}");
        assert!(
            matches!(err, HealthError::HttpStatus { status, .. } if status == code),
            "{err:?}"
        );
    }
    let (addr, _) = responder("SSH-2.0-OpenSSH");
    let err = http(&format!("http://{addr}/")).run(T).unwrap_err();
    assert!(matches!(err, HealthError::Http { .. }), "{err:?}");
}

#[test]
fn http_expected_status() {
    let (addr, _) = responder("HTTP/1.1 204 No Content");
    let url = format!("http://{addr}/");
    assert!(http(&url).with_expect_status(204).run(T).is_ok());
    let err = http(&url).with_expect_status(200).run(T).unwrap_err();
    assert!(
        matches!(err, HealthError::HttpStatus { status: 204, .. }),
        "{err:?}"
    );
    // A 503 passes when it is what is expected (e.g. a drained backend probe).
    let (addr, _) = responder("HTTP/1.1 503 Busy");
    let spec = format!("http://{addr}/ expect=503");
    let check: Check = spec.parse().unwrap();
    assert!(check.run(T).is_ok());
}

#[test]
fn http_refused_is_down() {
    let addr = closed_port();
    let err = http(&format!("http://{addr}/")).run(T).unwrap_err();
    assert!(matches!(err, HealthError::Connect { .. }), "{err:?}");
    assert!(err.detail().contains("refused"), "{}", err.detail());
}

#[test]
fn http_silent_server_times_out() {
    let (addr, h) = silent();
    let start = Instant::now();
    let timeout = Duration::from_millis(300);
    let err = http(&format!("http://{addr}/")).run(timeout).unwrap_err();
    let took = start.elapsed();
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(matches!(err, HealthError::Timeout { .. }), "{err:?}");
    assert!(
        took >= timeout && took < timeout + Duration::from_secs(1),
        "{took:?}"
    );
    h.join().unwrap();
}

#[test]
fn http_url_parsing() {
    let u = http("http://127.0.0.1:8080/a/b?c");
    assert_eq!(
        (u.host(), u.port(), u.path()),
        ("127.0.0.1", 8080, "/a/b?c")
    );
    let u = http("http://example.test");
    assert_eq!((u.port(), u.path()), (80, "/"));
    let u = http("http://h?q=1");
    assert_eq!((u.host(), u.path()), ("h", "/?q=1"));
    let u = http("http://[::1]:81/x");
    assert_eq!((u.host(), u.port(), u.path()), ("[::1]", 81, "/x"));
    let u = http("https://example.test/");
    assert_eq!((u.port(), u.is_https()), (443, true));
    assert!(HttpCheck::new("ftp://example.test/").is_err());
    assert!(HttpCheck::new("http://h:99999/").is_err());
    assert!(HttpCheck::new("http://:80/").is_err());
    assert!(HttpCheck::new("http://u:p@h/").is_err());
}

// --- HTTPS -----------------------------------------------------------------------------

/// A CA and a certificate for 127.0.0.1 and localhost signed by it; the CA is written to a
/// PEM file. Returns the server's TLS config and the CA file.
fn tls_server_config(tag: &str) -> (Arc<rustls::ServerConfig>, std::path::PathBuf) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "ospf-rs test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    let ca_file =
        std::env::temp_dir().join(format!("ospfrs-health-ca-{}-{tag}.pem", std::process::id()));
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let key_der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key_der)
        .unwrap();
    (Arc::new(config), ca_file)
}

/// An HTTPS responder answering `status_line`; counts the requests that got through TLS.
fn tls_responder(
    config: Arc<rustls::ServerConfig>,
    status_line: &'static str,
) -> (SocketAddr, Arc<AtomicU32>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let served = Arc::new(AtomicU32::new(0));
    let count = Arc::clone(&served);
    thread::spawn(move || {
        for s in l.incoming() {
            let Ok(s) = s else { return };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, s);
            let req = read_request(&mut tls);
            if !req.starts_with("GET ") {
                continue; // The handshake failed (the client refused our certificate).
            }
            count.fetch_add(1, Ordering::SeqCst);
            let _ = tls.write_all(status_line.as_bytes());
            let _ = tls.write_all(b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    (addr, served)
}

#[test]
fn https_with_the_services_ca_is_up() {
    let (config, ca_file) = tls_server_config("ca");
    let (addr, served) = tls_responder(config, "HTTP/1.1 200 OK");
    let check = http(&format!("https://{addr}/health")).with_ca_file(&ca_file);
    assert!(check.run(T).is_ok(), "{:?}", check.run(T));
    // The same through a specification.
    let spec = format!("https://{addr}/health ca={}", ca_file.display());
    let parsed: Check = spec.parse().unwrap();
    assert!(parsed.run(T).is_ok());
    assert!(served.load(Ordering::SeqCst) >= 2);
    // A status that does not pass is reported as such over TLS too.
    let (config, _) = tls_server_config("ca503");
    let (addr, _) = tls_responder(config, "HTTP/1.1 503 Busy");
    let err = http(&format!("https://{addr}/")).with_insecure(true).run(T);
    assert!(
        matches!(err, Err(HealthError::HttpStatus { status: 503, .. })),
        "{err:?}"
    );
    let _ = std::fs::remove_file(ca_file);
}

#[test]
fn https_self_signed_is_a_tls_error_unless_insecure() {
    let (config, ca_file) = tls_server_config("insecure");
    let (addr, served) = tls_responder(config, "HTTP/1.1 200 OK");
    let url = format!("https://{addr}/");
    // The bundled public roots do not know our CA.
    let err = http(&url).run(T).unwrap_err();
    assert!(matches!(err, HealthError::Tls { .. }), "{err:?}");
    assert!(err.to_string().contains("TLS"), "{err}");
    assert!(
        std::error::Error::source(&err).is_some(),
        "the TLS library's error is the source"
    );
    assert!(
        err.detail().to_lowercase().contains("certificate"),
        "{}",
        err.detail()
    );
    assert_eq!(served.load(Ordering::SeqCst), 0);
    // Without verification the same service passes.
    assert!(http(&url).with_insecure(true).run(T).is_ok());
    let parsed: Check = format!("{url} insecure").parse().unwrap();
    assert!(parsed.run(T).is_ok());
    assert_eq!(served.load(Ordering::SeqCst), 2);
    // A CA file without a certificate is refused clearly.
    std::fs::write(&ca_file, "not a certificate\n").unwrap();
    let err = http(&url).with_ca_file(&ca_file).run(T).unwrap_err();
    assert!(matches!(err, HealthError::Tls { .. }), "{err:?}");
    let _ = std::fs::remove_file(ca_file);
}

#[test]
fn https_against_plain_http_fails() {
    let (addr, _) = responder("HTTP/1.1 200 OK");
    let err = http(&format!("https://{addr}/"))
        .with_insecure(true)
        .run(T)
        .unwrap_err();
    // The plain-text answer is no TLS record.
    assert!(matches!(err, HealthError::Tls { .. }), "{err:?}");
}

// --- TCP and commands ------------------------------------------------------------------

#[test]
fn tcp_listener_up_closed_port_down() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    assert!(Check::tcp(addr.clone()).run(T).is_ok());
    drop(l);
    let err = Check::tcp(addr.clone()).run(T).unwrap_err();
    assert!(matches!(err, HealthError::Connect { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("tcp {addr}")), "{err}");
    let err = Check::tcp("not-an-address").run(T).unwrap_err();
    assert!(matches!(err, HealthError::Resolve { .. }), "{err:?}");
}

#[test]
fn cmd_true_up_false_down() {
    assert!(Check::command("true").run(T).is_ok());
    let err = Check::command("false").run(T).unwrap_err();
    assert!(matches!(err, HealthError::CommandExit { .. }), "{err:?}");
    assert!(
        Check::command("exit 3")
            .run(T)
            .unwrap_err()
            .to_string()
            .contains('3')
    );
}

#[test]
fn cmd_timeout_kills_the_process_group() {
    let marker = std::env::temp_dir().join(format!("ospfrs-health-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    // A background child of the shell: killing only `sh` would leave it to create the marker.
    let cmd = format!("(sleep 1; touch {}) & wait", marker.display());
    let start = Instant::now();
    let err = Check::command(cmd)
        .run(Duration::from_millis(200))
        .unwrap_err();
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(start.elapsed() < Duration::from_millis(900));
    // Wait past the sleep: the marker must not appear.
    thread::sleep(Duration::from_millis(1300));
    assert!(
        !marker.exists(),
        "the command kept running after its timeout"
    );
}

// --- DNS -------------------------------------------------------------------------------

/// What the scripted DNS responder does with a query.
#[derive(Clone, Copy, Debug)]
enum Reply {
    /// NOERROR with one A record.
    Answer,
    /// NOERROR without records.
    NoData,
    /// NXDOMAIN.
    NxDomain,
    /// SERVFAIL.
    ServFail,
    /// Nothing.
    Silent,
    /// An answer with another transaction id.
    WrongId,
}

/// A UDP responder on 127.0.0.1 answering every query as `reply` says; sends each decoded
/// question (name, type) on the returned channel.
fn dns_responder(reply: Reply) -> (SocketAddr, mpsc::Receiver<(String, u16)>) {
    use simple_dns::rdata::{A, RData};
    use simple_dns::{CLASS, Packet, PacketFlag, QTYPE, RCODE, ResourceRecord};

    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = [0u8; 1500];
        loop {
            let Ok((n, from)) = sock.recv_from(&mut buf) else {
                return;
            };
            let query = Packet::parse(&buf[..n]).unwrap();
            assert!(!query.has_flags(PacketFlag::RESPONSE));
            assert!(query.has_flags(PacketFlag::RECURSION_DESIRED));
            let q = query.questions[0].clone();
            let code = match q.qtype {
                QTYPE::TYPE(t) => u16::from(t),
                other => panic!("unexpected qtype {other:?}"),
            };
            if tx.send((q.qname.to_string(), code)).is_err() {
                return;
            }
            let id = match reply {
                Reply::WrongId => query.id().wrapping_add(1),
                _ => query.id(),
            };
            let mut r = Packet::new_reply(id);
            r.set_flags(PacketFlag::RECURSION_AVAILABLE);
            r.questions.push(q.clone());
            match reply {
                Reply::Silent => continue,
                Reply::Answer | Reply::WrongId => r.answers.push(ResourceRecord::new(
                    q.qname.clone(),
                    CLASS::IN,
                    60,
                    RData::A(A {
                        address: 0xc000_0201,
                    }),
                )),
                Reply::NoData => {}
                Reply::NxDomain => *r.rcode_mut() = RCODE::NameError,
                Reply::ServFail => *r.rcode_mut() = RCODE::ServerFailure,
            }
            let _ = sock.send_to(&r.build_bytes_vec().unwrap(), from);
        }
    });
    (addr, rx)
}

fn dns(name: &str, server: SocketAddr) -> DnsCheck {
    DnsCheck::new(name).with_server(server)
}

#[test]
fn dns_noerror_with_an_answer_is_up() {
    let (addr, questions) = dns_responder(Reply::Answer);
    assert!(dns("svc.example.test", addr).run(T).is_ok());
    assert_eq!(
        questions.recv_timeout(T).unwrap(),
        ("svc.example.test".to_owned(), 1)
    );
    // The type is configurable, and the specification says the same.
    let check: Check = format!("dns:svc.example.test@{addr}/AAAA").parse().unwrap();
    assert!(check.run(T).is_ok());
    assert_eq!(questions.recv_timeout(T).unwrap().1, 28);
}

#[test]
fn dns_failures_are_down() {
    let (addr, _q1) = dns_responder(Reply::NxDomain);
    let err = dns("gone.example.test", addr).run(T).unwrap_err();
    assert!(
        matches!(&err, HealthError::DnsRcode { rcode, .. } if rcode == "NXDOMAIN"),
        "{err:?}"
    );
    assert!(err.to_string().contains("NXDOMAIN"), "{err}");

    let (addr, _q2) = dns_responder(Reply::ServFail);
    let err = dns("svc.example.test", addr).run(T).unwrap_err();
    assert!(
        matches!(&err, HealthError::DnsRcode { rcode, .. } if rcode == "SERVFAIL"),
        "{err:?}"
    );

    let (addr, _q3) = dns_responder(Reply::NoData);
    let err = dns("svc.example.test", addr).run(T).unwrap_err();
    assert!(matches!(err, HealthError::DnsNoAnswer { .. }), "{err:?}");
}

#[test]
fn dns_silence_and_wrong_id_time_out() {
    let timeout = Duration::from_millis(300);
    for reply in [Reply::Silent, Reply::WrongId] {
        let (addr, questions) = dns_responder(reply);
        let start = Instant::now();
        let err = dns("svc.example.test", addr).run(timeout).unwrap_err();
        let took = start.elapsed();
        assert!(
            matches!(err, HealthError::Timeout { .. }),
            "{reply:?}: {err:?}"
        );
        assert!(err.to_string().contains("timed out"), "{err}");
        assert!(
            took >= timeout && took < timeout + Duration::from_secs(1),
            "{reply:?}: {took:?}"
        );
        // The responder did get the query.
        assert!(questions.try_recv().is_ok(), "{reply:?}");
    }
}

#[test]
fn dns_spec_parsing_and_default_server() {
    let c = DnsCheck::from_spec("example.test").unwrap();
    assert_eq!(
        (c.name.as_str(), c.record_type, c.server),
        ("example.test", DnsRecordType::A, None)
    );
    let c = DnsCheck::from_spec("example.test@192.0.2.53").unwrap();
    assert_eq!(c.server, Some("192.0.2.53:53".parse().unwrap()));
    let c = DnsCheck::from_spec("example.test@127.0.0.1:5353/mx").unwrap();
    assert_eq!(c.server, Some("127.0.0.1:5353".parse().unwrap()));
    assert_eq!(c.record_type.to_string(), "MX");
    let c = DnsCheck::from_spec("example.test@[::1]:5353/TYPE65").unwrap();
    assert_eq!(c.server, Some("[::1]:5353".parse().unwrap()));
    assert_eq!(c.record_type, DnsRecordType(65));
    assert!(DnsCheck::from_spec("").is_err());
    assert!(DnsCheck::from_spec("example.test@nowhere").is_err());
    assert!(DnsCheck::from_spec("example.test/BOGUS").is_err());

    assert_eq!(
        first_nameserver(
            "# comment\nsearch x\nnameserver fe80::1%eth0\nnameserver 10.1.2.3\nnameserver 10.9.9.9\n"
        ),
        Some("10.1.2.3:53".parse().unwrap())
    );
    assert_eq!(first_nameserver("search x\n"), None);
    // With no server given, the check asks resolv.conf's first nameserver or 127.0.0.1:53.
    let expected = std::fs::read_to_string("/etc/resolv.conf")
        .ok()
        .and_then(|t| first_nameserver(&t))
        .unwrap_or_else(|| "127.0.0.1:53".parse().unwrap());
    assert_eq!(DnsCheck::new("x.test").effective_server(), expected);
}

// --- Specifications --------------------------------------------------------------------

#[test]
fn check_parsing() {
    assert_eq!(
        "http://1.2.3.4/".parse::<Check>().unwrap(),
        Check::http("http://1.2.3.4/").unwrap()
    );
    // The older `http:URL` spelling.
    assert_eq!(
        "http:http://1.2.3.4/".parse::<Check>().unwrap(),
        Check::http("http://1.2.3.4/").unwrap()
    );
    assert_eq!(
        "https://1.2.3.4/ expect=204 insecure"
            .parse::<Check>()
            .unwrap(),
        Check::Http(
            http("https://1.2.3.4/")
                .with_expect_status(204)
                .with_insecure(true)
        )
    );
    assert_eq!(
        "tcp:127.0.0.1:80".parse::<Check>().unwrap(),
        Check::tcp("127.0.0.1:80")
    );
    assert_eq!(
        "cmd:test -e /x".parse::<Check>().unwrap(),
        Check::command("test -e /x")
    );
    assert_eq!(
        "dns:example.test".parse::<Check>().unwrap(),
        Check::Dns(DnsCheck::new("example.test"))
    );
    for bad in [
        "ftp:x",
        "tcp:",
        "cmd:",
        "http://h/ expect=abc",
        "http://h/ bogus",
        "dns:",
    ] {
        let err = bad.parse::<Check>().unwrap_err();
        assert!(
            matches!(err, HealthError::InvalidSpec { .. }),
            "{bad}: {err:?}"
        );
        assert!(err.to_string().contains("invalid check"), "{err}");
    }
}

// --- Hysteresis and the checker thread -------------------------------------------------

#[test]
fn fall_rise_counting() {
    let mut fr = FallRise::new(HealthState::Up, 3, 2);
    // Failures that are not consecutive do not bring it down.
    for ok in [false, false, true, false, false] {
        assert_eq!(fr.observe(ok), None);
    }
    assert_eq!(fr.observe(false), Some(HealthState::Down));
    assert_eq!(fr.state(), HealthState::Down);
    assert_eq!(fr.observe(false), None);
    assert_eq!(fr.observe(true), None);
    assert_eq!(fr.observe(false), None);
    assert_eq!(fr.observe(true), None);
    assert_eq!(fr.observe(true), Some(HealthState::Up));
    // Successes while up change nothing.
    assert_eq!(fr.observe(true), None);
    assert_eq!(fr.state(), HealthState::Up);
    // fall/rise of 0 act as 1.
    let mut fr = FallRise::new(HealthState::Down, 0, 0);
    assert_eq!(fr.observe(true), Some(HealthState::Up));
    assert_eq!(fr.observe(false), Some(HealthState::Down));
}

fn cfg(initial: HealthState, fall: u32, rise: u32) -> HealthConfig {
    HealthConfig::default()
        .with_interval(Duration::from_millis(5))
        .with_timeout(Duration::from_secs(1))
        .with_fall(fall)
        .with_rise(rise)
        .with_initial(initial)
}

#[test]
fn config_defaults() {
    let c = HealthConfig::default();
    assert_eq!(
        (c.interval, c.timeout, c.fall, c.rise, c.initial),
        (
            Duration::from_secs(1),
            Duration::from_secs(1),
            3,
            2,
            HealthState::Down
        )
    );
    assert_eq!("UP".parse::<HealthState>(), Ok(HealthState::Up));
    assert!("sideways".parse::<HealthState>().is_err());
}

#[test]
fn checker_thread_reports_changes_at_the_right_probe() {
    // Scripted probe results: the thread must report Down after probe 4 (3 failures in a row
    // from probe 2) and Up after probe 8 (2 successes in a row), then nothing more.
    let script = [
        true, false, false, false, true, false, true, true, true, true,
    ];
    let mut i = 0;
    let probe = move || {
        let ok = script.get(i).copied().unwrap_or(true);
        i += 1;
        if ok { Ok(()) } else { Err(format!("fail {i}")) }
    };
    let mon = HealthChecker::with_probe(probe, cfg(HealthState::Up, 3, 2))
        .spawn()
        .unwrap();
    assert_eq!(mon.initial(), HealthState::Up);
    let down = mon
        .recv_timeout(Duration::from_secs(5))
        .expect("down event");
    assert_eq!(down.state, HealthState::Down);
    assert_eq!(down.probes, 4);
    assert_eq!(
        down.last_error
            .as_deref()
            .map(ToString::to_string)
            .as_deref(),
        Some("fail 4")
    );
    assert!(matches!(
        down.last_error.as_deref(),
        Some(HealthError::Probe(_))
    ));
    let up = mon.recv_timeout(Duration::from_secs(5)).expect("up event");
    assert_eq!((up.state, up.probes), (HealthState::Up, 8));
    assert!(up.last_error.is_none());
    assert!(mon.recv_timeout(Duration::from_millis(100)).is_none());
    assert_eq!(mon.state(), HealthState::Up);
    mon.stop();
}

#[test]
fn checker_with_real_checks_follows_a_listener() {
    // Starts down; a live listener brings it up after `rise` probes; closing it brings it down.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let checker = HealthChecker::new(
        vec![Check::command("true"), Check::tcp(addr)],
        cfg(HealthState::Down, 2, 2),
    );
    let mon = checker.spawn().unwrap();
    assert_eq!(mon.state(), HealthState::Down);
    let up = mon.recv_timeout(Duration::from_secs(5)).expect("up event");
    assert_eq!((up.state, up.probes), (HealthState::Up, 2));
    assert_eq!(mon.state(), HealthState::Up);
    drop(l);
    let down = mon
        .recv_timeout(Duration::from_secs(5))
        .expect("down event");
    assert_eq!(down.state, HealthState::Down);
    assert!(down.last_error.unwrap().to_string().starts_with("tcp "));
    assert!(down.probe_duration < Duration::from_secs(1));
}

#[test]
fn checker_follows_a_dns_server_with_fall_and_rise() {
    // A responder whose verdict the test flips: NOERROR+answer, then SERVFAIL, then answers
    // again. The checker must go up after 2 good probes, down after 3 bad ones, up again.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap();
    let failing = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let f = Arc::clone(&failing);
    thread::spawn(move || {
        use simple_dns::rdata::{A, RData};
        use simple_dns::{CLASS, Packet, RCODE, ResourceRecord};
        let mut buf = [0u8; 1500];
        while let Ok((n, from)) = sock.recv_from(&mut buf) {
            let q = Packet::parse(&buf[..n]).unwrap();
            let mut r = Packet::new_reply(q.id());
            r.questions.push(q.questions[0].clone());
            if f.load(Ordering::SeqCst) {
                *r.rcode_mut() = RCODE::ServerFailure;
            } else {
                r.answers.push(ResourceRecord::new(
                    q.questions[0].qname.clone(),
                    CLASS::IN,
                    5,
                    RData::A(A { address: 1 }),
                ));
            }
            let _ = sock.send_to(&r.build_bytes_vec().unwrap(), from);
        }
    });
    let check = Check::Dns(dns("svc.example.test", addr));
    let (tx, rx) = mpsc::channel();
    // The callback form, as a runtime would use it.
    let mon = HealthChecker::new(vec![check], cfg(HealthState::Down, 3, 2))
        .spawn_with(move |ev| {
            let _ = tx.send(ev);
        })
        .unwrap();
    let up = rx.recv_timeout(Duration::from_secs(5)).expect("up event");
    assert_eq!((up.state, up.probes), (HealthState::Up, 2));
    failing.store(true, Ordering::SeqCst);
    let down = rx.recv_timeout(Duration::from_secs(5)).expect("down event");
    assert_eq!(down.state, HealthState::Down);
    assert!(
        matches!(down.last_error.as_deref(), Some(HealthError::DnsRcode { rcode, .. }) if rcode == "SERVFAIL"),
        "{down:?}"
    );
    assert!(down.probes >= up.probes + 3);
    failing.store(false, Ordering::SeqCst);
    let again = rx.recv_timeout(Duration::from_secs(5)).expect("up again");
    assert_eq!(again.state, HealthState::Up);
    assert!(again.probes >= down.probes + 2);
    // The channel of a callback monitor carries nothing.
    assert!(mon.events().try_recv().is_err());
    mon.stop();
}

#[test]
fn checker_stops_when_dropped() {
    let probes = Arc::new(Mutex::new(0u32));
    let p = Arc::clone(&probes);
    let mon = HealthChecker::with_probe(
        move || {
            *p.lock().unwrap() += 1;
            Ok::<(), String>(())
        },
        cfg(HealthState::Up, 1, 1),
    )
    .spawn()
    .unwrap();
    thread::sleep(Duration::from_millis(50));
    drop(mon);
    let n = *probes.lock().unwrap();
    assert!(n >= 1);
    thread::sleep(Duration::from_millis(50));
    assert_eq!(*probes.lock().unwrap(), n, "probing went on after drop");
}

#[test]
fn groups_keep_their_own_schedule_and_hysteresis() {
    // Group A: every 5 ms, rise 1; group B: every 20 ms, rise 2, fall 1. The service is up
    // only while both are.
    let a_ok = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let b_ok = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let a_runs = Arc::new(AtomicU32::new(0));
    let b_runs = Arc::new(AtomicU32::new(0));
    let probe = |ok: &Arc<std::sync::atomic::AtomicBool>, runs: &Arc<AtomicU32>, name| {
        let (ok, runs) = (Arc::clone(ok), Arc::clone(runs));
        move || {
            runs.fetch_add(1, Ordering::SeqCst);
            if ok.load(Ordering::SeqCst) {
                Ok(())
            } else {
                Err(format!("{name} failed"))
            }
        }
    };
    let a = HealthChecker::with_probe(probe(&a_ok, &a_runs, "a"), cfg(HealthState::Down, 1, 1));
    let b_cfg = cfg(HealthState::Down, 1, 2).with_interval(Duration::from_millis(20));
    let b = HealthChecker::with_probe(probe(&b_ok, &b_runs, "b"), b_cfg);
    let checker = a.and(b);
    assert_eq!(checker.configs().count(), 2);
    assert_eq!(checker.initial(), HealthState::Down);
    let mon = checker.spawn().unwrap();
    // A alone being up is not enough.
    assert!(mon.recv_timeout(Duration::from_millis(200)).is_none());
    assert_eq!(mon.state(), HealthState::Down);
    let (na, nb) = (a_runs.load(Ordering::SeqCst), b_runs.load(Ordering::SeqCst));
    assert!(na > nb && nb >= 1, "a ran {na} times, b {nb} times");
    b_ok.store(true, Ordering::SeqCst);
    let up = mon.recv_timeout(Duration::from_secs(5)).expect("up event");
    assert_eq!(up.state, HealthState::Up);
    assert!(up.last_error.is_none());
    a_ok.store(false, Ordering::SeqCst);
    let down = mon
        .recv_timeout(Duration::from_secs(5))
        .expect("down event");
    assert_eq!(down.state, HealthState::Down);
    assert_eq!(
        down.last_error.map(|e| e.to_string()).as_deref(),
        Some("a failed")
    );
    mon.stop();
}
