//! `watch` on the control socket (root only): a watcher connected before the adjacency
//! forms sees the neighbor reach Full, the routes arrive and a health change, one JSON
//! object per line; a text watcher sees the same as lines; ordinary commands keep
//! working beside the watchers, and the stream ends when the runtime stops.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::{TempDir, wait};
use ospf_std::control;
use ospf_std::runtime::RuntimeConfig;
use ospf_testbed::require_root;
use serde_json::Value;

const P2P: &str = "interface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n ip ospf network point-to-point\n";

fn conf(id: u8) -> String {
    format!(
        "{P2P}router ospf\n ospf router-id 10.0.0.{id}\n network 10.0.0.0/24 area 0\n network 172.16.0.{id}/32 area 0\n"
    )
}

/// Runs `ospfctl watch` (the library call it makes) on a thread; lines arrive on the
/// channel.
fn watcher(path: std::path::PathBuf, json: bool) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = control::watch(&path, json, |l| tx.send(l.to_string()).is_ok());
    });
    rx
}

fn expect(rx: &mpsc::Receiver<String>, what: &str, pred: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if pred(&l) => return l,
            Ok(l) => seen.push(l),
            Err(e) => panic!("no line {what} ({e}); saw {seen:#?}"),
        }
    }
}

#[test]
fn watch_streams_neighbor_route_and_health_events() {
    if !require_root(
        "watch_streams_neighbor_route_and_health_events",
        "network namespaces and raw sockets",
    ) {
        return;
    }
    let (a, b) = common::joined(("wat-a", "10.0.0.1/24"), ("wat-b", "10.0.0.2/24"));
    a.ip_line("addr add 172.16.0.1/32 dev lo").unwrap();
    b.ip_line("addr add 172.16.0.2/32 dev lo").unwrap();
    let dir = TempDir::new("ospfstd-watch");
    let sock = dir.0.join("a.sock");
    let s2 = sock.clone();
    let (ha, ta) = common::spawn_runtime(
        &a,
        &conf(1),
        move |cfg: &mut RuntimeConfig| {
            cfg.control_path = Some(s2);
            cfg.shutdown_timeout = Duration::from_secs(1);
        },
        |mut rt| rt.run().unwrap(),
    );
    let json = watcher(sock.clone(), true);
    let text = watcher(sock.clone(), false);
    let first: Value = serde_json::from_str(&json.recv_timeout(Duration::from_secs(5)).unwrap())
        .expect("JSON lines");
    assert_eq!(first["event"], "watching");
    expect(&text, "greeting", |l| l.starts_with("watching"));

    let quick = |cfg: &mut RuntimeConfig| cfg.shutdown_timeout = Duration::from_secs(1);
    let (hb, tb) = common::spawn_runtime(&b, &conf(2), quick, |mut rt| rt.run().unwrap());

    let full = expect(&json, "neighbor Full", |l| {
        serde_json::from_str::<Value>(l)
            .is_ok_and(|v| v["event"] == "neighbor" && v["new"] == "FULL")
    });
    let v: Value = serde_json::from_str(&full).unwrap();
    assert_eq!(v["routerId"], "10.0.0.2");
    assert_eq!(v["interface"], "eth0");
    let route = expect(&json, "route to the neighbor's loopback", |l| {
        serde_json::from_str::<Value>(l)
            .is_ok_and(|v| v["event"] == "route" && v["prefix"] == "172.16.0.2/32")
    });
    let v: Value = serde_json::from_str(&route).unwrap();
    assert_eq!(v["change"], "added");
    assert_eq!(v["nexthops"][0], "10.0.0.2");
    expect(&text, "neighbor Full as text", |l| {
        l.starts_with("neighbor 10.0.0.2 (10.0.0.2 on eth0)") && l.ends_with("-> FULL")
    });

    // A command on another connection works while the watchers stay connected, and
    // its effect is streamed.
    let answer = control::request(&sock, "health down").unwrap();
    assert!(answer.contains("service down"), "{answer}");
    expect(&json, "health down", |l| {
        serde_json::from_str::<Value>(l)
            .is_ok_and(|v| v["event"] == "health" && v["healthy"] == false)
    });
    expect(&text, "health down as text", |l| l == "health down");
    wait("show still answers", Duration::from_secs(5), || {
        control::request(&sock, "show ip ospf neighbor").is_ok_and(|a| a.contains("10.0.0.2"))
    });

    // The neighbor stops: its departure is streamed; then our runtime stops and the
    // stream ends after "stopped".
    hb.shutdown();
    tb.join().unwrap();
    expect(&text, "neighbor Down", |l| {
        l.starts_with("neighbor 10.0.0.2") && l.ends_with("-> DOWN")
    });
    ha.shutdown();
    ta.join().unwrap();
    expect(&text, "stopped", |l| l == "stopped");
    assert!(
        matches!(
            text.recv_timeout(Duration::from_secs(5)),
            Err(mpsc::RecvTimeoutError::Disconnected)
        ),
        "the stream ends with the runtime"
    );
}
