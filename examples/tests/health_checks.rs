//! Health checks against local listeners, tiny HTTP responders and `true`/`false` commands.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use ospf_examples::health::{
    Check, FallRise, HealthArgs, HealthChecker, HealthConfig, HealthState, HttpUrl, http_get_status,
};

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
            let mut req = Vec::new();
            let mut buf = [0u8; 512];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&req).into_owned());
            let _ = s.write_all(status_line.as_bytes());
            let _ = s.write_all(b"\r\nContent-Length: 2\r\n\r\nok");
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

#[test]
fn http_2xx_and_3xx_are_up() {
    for status in [
        "HTTP/1.0 200 OK",
        "HTTP/1.1 204 No Content",
        "HTTP/1.1 302 Found",
    ] {
        let (addr, seen) = responder(status);
        let url = format!("http://{addr}/health?x=1");
        assert_eq!(Check::Http(url.clone()).run(T), Ok(()), "{status}");
        let req = seen.lock().unwrap()[0].clone();
        assert!(req.starts_with("GET /health?x=1 HTTP/1.0\r\n"), "{req:?}");
        assert!(req.contains(&format!("Host: {addr}\r\n")), "{req:?}");
    }
}

#[test]
fn http_4xx_5xx_and_garbage_are_down() {
    for (status, code) in [("HTTP/1.1 404 Not Found", 404), ("HTTP/1.0 503 Busy", 503)] {
        let (addr, _) = responder(status);
        let url = format!("http://{addr}/");
        assert_eq!(http_get_status(&url, T).unwrap(), code);
        let err = Check::Http(url).run(T).unwrap_err();
        assert!(err.contains(&code.to_string()), "{err}");
    }
    let (addr, _) = responder("SSH-2.0-OpenSSH");
    assert!(Check::Http(format!("http://{addr}/")).run(T).is_err());
}

#[test]
fn http_refused_is_down() {
    let addr = closed_port();
    assert!(Check::Http(format!("http://{addr}/")).run(T).is_err());
}

#[test]
fn http_silent_server_times_out() {
    let (addr, h) = silent();
    let start = Instant::now();
    let timeout = Duration::from_millis(300);
    let err = Check::Http(format!("http://{addr}/"))
        .run(timeout)
        .unwrap_err();
    let took = start.elapsed();
    assert!(err.contains("timed out"), "{err}");
    assert!(
        took >= timeout && took < timeout + Duration::from_secs(1),
        "{took:?}"
    );
    h.join().unwrap();
}

#[test]
fn http_url_parsing() {
    let u = HttpUrl::parse("http://127.0.0.1:8080/a/b?c").unwrap();
    assert_eq!(
        (u.host.as_str(), u.port, u.path.as_str()),
        ("127.0.0.1", 8080, "/a/b?c")
    );
    let u = HttpUrl::parse("http://example.test").unwrap();
    assert_eq!((u.port, u.path.as_str()), (80, "/"));
    let u = HttpUrl::parse("http://h?q=1").unwrap();
    assert_eq!((u.host.as_str(), u.path.as_str()), ("h", "/?q=1"));
    let u = HttpUrl::parse("http://[::1]:81/x").unwrap();
    assert_eq!(
        (u.host.as_str(), u.port, u.path.as_str()),
        ("[::1]", 81, "/x")
    );
    assert!(HttpUrl::parse("https://example.test/").is_err());
    assert!(HttpUrl::parse("http://h:99999/").is_err());
    assert!(HttpUrl::parse("http://:80/").is_err());
    assert!(HttpUrl::parse("http://u:p@h/").is_err());
}

#[test]
fn tcp_listener_up_closed_port_down() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    assert_eq!(Check::Tcp(addr.clone()).run(T), Ok(()));
    drop(l);
    assert!(Check::Tcp(addr).run(T).is_err());
    assert!(Check::Tcp("not-an-address".into()).run(T).is_err());
}

#[test]
fn cmd_true_up_false_down() {
    assert_eq!(Check::Cmd("true".into()).run(T), Ok(()));
    assert!(Check::Cmd("false".into()).run(T).is_err());
    assert!(
        Check::Cmd("exit 3".into())
            .run(T)
            .unwrap_err()
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
    let err = Check::Cmd(cmd).run(Duration::from_millis(200)).unwrap_err();
    assert!(err.contains("timed out"), "{err}");
    assert!(start.elapsed() < Duration::from_millis(900));
    // Wait past the sleep: the marker must not appear.
    thread::sleep(Duration::from_millis(1300));
    assert!(
        !marker.exists(),
        "the command kept running after its timeout"
    );
}

#[test]
fn check_parsing() {
    assert_eq!(
        "http://1.2.3.4/".parse::<Check>(),
        Ok(Check::Http("http://1.2.3.4/".into()))
    );
    assert_eq!(
        "tcp:127.0.0.1:80".parse::<Check>(),
        Ok(Check::Tcp("127.0.0.1:80".into()))
    );
    assert_eq!(
        "cmd:test -e /x".parse::<Check>(),
        Ok(Check::Cmd("test -e /x".into()))
    );
    assert!("ftp:x".parse::<Check>().is_err());
}

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
    HealthConfig {
        interval: Duration::from_millis(5),
        timeout: Duration::from_secs(1),
        fall,
        rise,
        initial,
    }
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
    assert_eq!(down.last_error.as_deref(), Some("fail 4"));
    let up = mon.recv_timeout(Duration::from_secs(5)).expect("up event");
    assert_eq!(
        (up.state, up.probes, up.last_error),
        (HealthState::Up, 8, None)
    );
    assert_eq!(mon.recv_timeout(Duration::from_millis(100)), None);
    mon.stop();
}

#[test]
fn checker_with_real_checks_follows_a_listener() {
    // Starts down; a live listener brings it up after `rise` probes; closing it brings it down.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let checker = HealthChecker::new(
        vec![Check::Cmd("true".into()), Check::Tcp(addr)],
        cfg(HealthState::Down, 2, 2),
    );
    let mon = checker.spawn().unwrap();
    let up = mon.recv_timeout(Duration::from_secs(5)).expect("up event");
    assert_eq!((up.state, up.probes), (HealthState::Up, 2));
    drop(l);
    let down = mon
        .recv_timeout(Duration::from_secs(5))
        .expect("down event");
    assert_eq!(down.state, HealthState::Down);
    assert!(down.last_error.unwrap().starts_with("tcp "));
}

#[test]
fn checker_stops_when_dropped() {
    let probes = Arc::new(Mutex::new(0u32));
    let p = Arc::clone(&probes);
    let mon = HealthChecker::with_probe(
        move || {
            *p.lock().unwrap() += 1;
            Ok(())
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

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    health: HealthArgs,
}

#[test]
fn command_line_options() {
    let cli = Cli::parse_from([
        "speaker",
        "--check-http",
        "http://127.0.0.1/",
        "--check-tcp",
        "127.0.0.1:22",
        "--check-cmd",
        "true",
        "--check-interval",
        "250",
        "--check-fall",
        "4",
        "--check-initial",
        "up",
    ]);
    assert_eq!(
        cli.health.checks(),
        vec![
            Check::Http("http://127.0.0.1/".into()),
            Check::Tcp("127.0.0.1:22".into()),
            Check::Cmd("true".into())
        ]
    );
    let c = cli.health.config();
    assert_eq!(c.interval, Duration::from_millis(250));
    assert_eq!((c.fall, c.rise, c.initial), (4, 2, HealthState::Up));
    assert!(cli.health.checker().is_some());
    let none = Cli::parse_from(["speaker"]);
    assert!(none.health.checker().is_none());
    assert_eq!(none.health.config(), HealthConfig::default());
}
