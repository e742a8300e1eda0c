//! Prometheus metrics of a running router (root only): two runtimes in network
//! namespaces form an adjacency; the metrics endpoint of one is scraped over HTTP, its
//! values follow the state, and `promtool check metrics` accepts the exposition.

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{enter_netns, wait};
use ospf_std::metrics;
use ospf_std::runtime::RuntimeConfig;
use ospf_testbed::{Netns, require_root, require_tool};

const P2P: &str = "interface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n ip ospf network point-to-point\n";

fn conf(id: u8) -> String {
    format!("{P2P}router ospf\n ospf router-id 10.0.0.{id}\n network 10.0.0.0/24 area 0\n")
}

/// Sends `request` to `addr` from inside `ns` and returns the whole answer.
fn http(ns: &Netns, addr: SocketAddr, request: Vec<u8>) -> String {
    let name = ns.name().to_string();
    std::thread::spawn(move || {
        enter_netns(&name);
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        // A server may answer (and close) before an oversized request is all written.
        let _ = s.write_all(&request);
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    })
    .join()
    .unwrap()
}

fn scrape(ns: &Netns, addr: SocketAddr) -> String {
    http(
        ns,
        addr,
        b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
    )
}

/// The value of the sample line `series` (name with labels) in an exposition.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn metrics_endpoint_follows_the_router_and_passes_promtool() {
    let test = "metrics_endpoint_follows_the_router_and_passes_promtool";
    if !require_root(test, "network namespaces and raw sockets") || !require_tool(test, "promtool")
    {
        return;
    }
    let (a, b) = common::joined(("metr-a", "10.0.0.1/24"), ("metr-b", "10.0.0.2/24"));
    let quick = |cfg: &mut RuntimeConfig| cfg.shutdown_timeout = Duration::from_secs(1);
    let (ha, ta) = common::spawn_runtime(&a, &conf(1), quick, |mut rt| rt.run().unwrap());
    let (hb, tb) = common::spawn_runtime(&b, &conf(2), quick, |mut rt| rt.run().unwrap());

    // The endpoint listens inside namespace a.
    let name = a.name().to_string();
    let h = ha.clone();
    let server = std::thread::spawn(move || {
        enter_netns(&name);
        metrics::serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), h).unwrap()
    })
    .join()
    .unwrap();
    let addr = server.local_addr();

    wait(
        "Full adjacency and a route calculation",
        Duration::from_secs(30),
        || {
            let text = scrape(&a, addr);
            sample(&text, "ospf_neighbors{interface=\"eth0\",state=\"FULL\"}") == Some(1.0)
                && sample(&text, "ospf_spf_runs_total").is_some_and(|n| n >= 1.0)
        },
    );
    let answer = scrape(&a, addr);
    let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    assert!(
        head.contains("Content-Type: text/plain; version=0.0.4"),
        "{head}"
    );
    for series in [
        "ospf_interface_state{interface=\"eth0\",state=\"POINT_TO_POINT\"}",
        "ospf_interface_adjacencies{interface=\"eth0\"}",
        "ospf_neighbor_transitions_total{state=\"FULL\"}",
        "ospf_lsdb_lsas{type=\"router\"}",
    ] {
        assert!(
            sample(body, series).is_some_and(|v| v >= 1.0),
            "{series}\n{body}"
        );
    }
    assert_eq!(
        sample(body, "ospf_lsdb_lsas{type=\"router\"}"),
        Some(2.0),
        "{body}"
    );
    assert!(
        sample(
            body,
            "ospf_packets_received_total{interface=\"eth0\",type=\"hello\"}"
        )
        .is_some_and(|n| n >= 1.0),
        "{body}"
    );
    assert_eq!(
        sample(body, "ospf_spf_duration_seconds_count"),
        sample(body, "ospf_spf_runs_total"),
        "{body}"
    );
    assert_eq!(
        sample(
            body,
            "ospf_packets_dropped_total{interface=\"eth0\",reason=\"authFailed\"}"
        ),
        Some(0.0),
        "{body}"
    );
    // LSAs counted one by one: the database exchange brought the neighbor's Router-LSA
    // (at least one LSA per LS Update received), and ours went out.
    let lsas = |name: &str| sample(body, &format!("{name}{{interface=\"eth0\"}}"));
    let ls_updates_received = sample(
        body,
        "ospf_packets_received_total{interface=\"eth0\",type=\"ls_update\"}",
    );
    assert!(
        lsas("ospf_lsas_received_total").is_some_and(|n| n >= 1.0)
            && lsas("ospf_lsas_received_total") >= ls_updates_received,
        "{body}"
    );
    assert!(
        lsas("ospf_lsas_sent_total").is_some_and(|n| n >= 1.0),
        "{body}"
    );
    assert!(lsas("ospf_lsas_retransmitted_total").is_some(), "{body}");
    assert_eq!(sample(body, "ospf_health_up"), Some(1.0), "{body}");
    assert!(
        body.contains("ospf_router_info{router_id=\"10.0.0.1\"} 1"),
        "{body}"
    );

    // promtool parses and lints the exposition.
    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    promtool
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = promtool.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics failed:\n{}{}\n{body}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // Anything but GET /metrics is refused; an endless request head is cut off.
    let other = http(&a, addr, b"GET / HTTP/1.1\r\n\r\n".to_vec());
    assert!(other.starts_with("HTTP/1.1 404"), "{other}");
    let post = http(&a, addr, b"POST /metrics HTTP/1.1\r\n\r\n".to_vec());
    assert!(post.starts_with("HTTP/1.1 405"), "{post}");
    let huge = http(&a, addr, vec![b'a'; 64 * 1024]);
    assert!(huge.starts_with("HTTP/1.1 431"), "{huge}");
    // And the endpoint still answers afterwards.
    assert!(scrape(&a, addr).starts_with("HTTP/1.1 200"));

    // The neighbor goes away: the adjacency gauge follows, the transition is counted.
    hb.shutdown();
    tb.join().unwrap();
    wait("the neighbor gone", Duration::from_secs(20), || {
        let text = scrape(&a, addr);
        sample(&text, "ospf_interface_adjacencies{interface=\"eth0\"}") == Some(0.0)
            && sample(&text, "ospf_neighbor_transitions_total{state=\"DOWN\"}")
                .is_some_and(|n| n >= 1.0)
    });
    server.stop();
    ha.shutdown();
    ta.join().unwrap();
}
