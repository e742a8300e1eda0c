//! Tests of the namespace testbed's own plumbing (root only, no routing daemons).

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::Duration;

use ospf_testbed::{
    Bridge, Flow, HttpServer, Netns, ScratchDir, Signal, cleanup_stale, require_root, require_tool,
    veth, wait_for,
};

fn netns_exists(name: &str) -> bool {
    let out = Command::new("ip").args(["netns", "list"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.split_whitespace().next() == Some(name))
}

/// True when `pid` is gone or a zombie (no longer runs).
fn not_running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|r| r.trim_start().starts_with('Z')),
    }
}

#[test]
fn netns_drop_kills_its_processes_and_deletes_it() {
    if !require_root(
        "netns_drop_kills_its_processes_and_deletes_it",
        "network namespaces",
    ) {
        return;
    }
    let ns = Netns::new("drop").unwrap();
    let name = ns.name().to_owned();
    assert!(netns_exists(&name));
    let mut guard = ns.spawn(&["sleep", "100"], None).unwrap();
    let pid = guard.pid();
    assert!(guard.is_running());
    // A daemon that detached from us: found through `ip netns pids`.
    let detached: u32 = ns
        .sh("sleep 100 >/dev/null 2>&1 & echo $!")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!not_running(detached));
    drop(ns);
    assert!(!netns_exists(&name));
    wait_for(Duration::from_secs(5), Duration::from_millis(10), || {
        (not_running(pid) && not_running(detached)).then_some(())
    })
    .expect("processes of the namespace were killed");
    drop(guard);
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
}

#[test]
fn proc_guard_signals_by_pid() {
    if !require_root("proc_guard_signals_by_pid", "network namespaces") {
        return;
    }
    let ns = Netns::new("sig").unwrap();
    let mut g = ns.spawn(&["sleep", "100"], None).unwrap();
    g.signal(Signal::Term).unwrap();
    let status = g.wait_exit(Duration::from_secs(5)).unwrap();
    assert!(!status.success());
    assert!(g.signal(Signal::Kill).is_err(), "already exited");
}

#[test]
fn stale_namespaces_of_dead_processes_are_removed() {
    if !require_root(
        "stale_namespaces_of_dead_processes_are_removed",
        "network namespaces",
    ) {
        return;
    }
    // A pid that does not exist: above any pid in use here.
    let dead = (4_000_000..4_194_304)
        .find(|p| !Path::new(&format!("/proc/{p}")).exists())
        .unwrap();
    let name = format!("ospfrs-stale-{dead}-0");
    let st = Command::new("ip")
        .args(["netns", "add", &name])
        .status()
        .unwrap();
    assert!(st.success());
    let live = Netns::new("live").unwrap();
    cleanup_stale();
    assert!(!netns_exists(&name), "stale namespace left");
    assert!(netns_exists(live.name()), "a live namespace was removed");
}

#[test]
fn bridge_segment_connects_namespaces() {
    if !require_root("bridge_segment_connects_namespaces", "network namespaces") {
        return;
    }
    let lan = Bridge::new("br").unwrap();
    let hosts: Vec<Netns> = (1..=3)
        .map(|i| Netns::new(&format!("h{i}")).unwrap())
        .collect();
    for (i, h) in hosts.iter().enumerate() {
        lan.attach(h, "eth0").unwrap();
        h.add_addr("eth0", &format!("10.3.0.{}/24", i + 1)).unwrap();
    }
    let mut servers = Vec::new();
    for i in [1, 2] {
        let mut srv = HttpServer::start(&hosts[i], 8080, &format!("host-{}", i + 1)).unwrap();
        assert!(srv.process().is_running());
        servers.push(srv);
    }
    for i in [1u8, 2] {
        let bodies = ospf_testbed::http_get_from_ports(
            &hosts[0],
            Ipv4Addr::new(10, 3, 0, 1),
            Ipv4Addr::new(10, 3, 0, i + 1),
            8080,
            &[40000, 40001],
            Duration::from_secs(2),
        )
        .unwrap();
        assert_eq!(bodies, vec![Some(format!("host-{}", i + 1)); 2]);
    }
}

#[test]
fn bridge_capture_sees_unicast_frames() {
    if !(require_root("bridge_capture_sees_unicast_frames", "network namespaces")
        && require_tool("bridge_capture_sees_unicast_frames", "dumpcap"))
    {
        return;
    }
    let lan = Bridge::new("cap").unwrap();
    let hosts: Vec<Netns> = (1..=2)
        .map(|i| Netns::new(&format!("c{i}")).unwrap())
        .collect();
    for (i, h) in hosts.iter().enumerate() {
        lan.attach(h, "eth0").unwrap();
        h.add_addr("eth0", &format!("10.5.0.{}/24", i + 1)).unwrap();
    }
    let _srv = HttpServer::start(&hosts[1], 8080, "host-2").unwrap();
    let dir = ScratchDir::new("cap").unwrap();
    let cap = lan
        .netns()
        .capture("br0", "tcp port 8080", &dir.path().join("lan.pcap"))
        .unwrap();
    let sports = [41000, 41001, 41002, 41003];
    let bodies = ospf_testbed::http_get_from_ports(
        &hosts[0],
        Ipv4Addr::new(10, 5, 0, 1),
        Ipv4Addr::new(10, 5, 0, 2),
        8080,
        &sports,
        Duration::from_secs(2),
    )
    .unwrap();
    assert!(bodies.iter().all(|b| b.as_deref() == Some("host-2")));
    // Every exchange's SYN (unicast, host to host) is in the capture taken on br0.
    let path = cap.stop().unwrap();
    let mut reader = pcap_file::pcap::PcapReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut syn_ports = Vec::new();
    while let Some(pkt) = reader.next_packet() {
        let data = pkt.unwrap().data;
        // Ethernet (14) + IPv4 without options (20) + TCP (flags at byte 13).
        if data.len() >= 14 + 20 + 14 && data[12..14] == [0x08, 0x00] && data[14 + 9] == 6 {
            let tcp = &data[34..];
            if tcp[13] & 0x12 == 0x02 && data[26..30] == [10, 5, 0, 1] {
                syn_ports.push(u16::from_be_bytes([tcp[0], tcp[1]]));
            }
        }
    }
    assert_eq!(syn_ports, sports);
}

#[test]
fn multipath_routes_nexthop_objects_and_flow_lookups() {
    if !require_root(
        "multipath_routes_nexthop_objects_and_flow_lookups",
        "network namespaces",
    ) {
        return;
    }
    let r = Netns::new("mp").unwrap();
    let peers: Vec<Netns> = (1..=2)
        .map(|i| Netns::new(&format!("mp{i}")).unwrap())
        .collect();
    let client = Netns::new("mpc").unwrap();
    veth(&client, "eth0", &r, "eth1").unwrap();
    client.add_addr("eth0", "192.168.7.1/24").unwrap();
    r.add_addr("eth1", "192.168.7.254/24").unwrap();
    for (i, p) in peers.iter().enumerate() {
        let ifname = format!("eth{}", i + 2);
        veth(&r, &ifname, p, "eth0").unwrap();
        r.add_addr(&ifname, &format!("10.4.{i}.254/24")).unwrap();
        p.add_addr("eth0", &format!("10.4.{i}.1/24")).unwrap();
    }
    r.enable_router_sysctls().unwrap();
    let (a, b) = (Ipv4Addr::new(10, 4, 0, 1), Ipv4Addr::new(10, 4, 1, 1));

    // A classic multipath route.
    r.add_route(&[
        "172.16.0.1/32",
        "nexthop",
        "via",
        "10.4.0.1",
        "nexthop",
        "via",
        "10.4.1.1",
    ])
    .unwrap();
    assert_eq!(r.route_nexthops("172.16.0.1/32").unwrap(), vec![a, b]);

    // A route through a nexthop group object.
    r.ip(&[
        "nexthop", "add", "id", "1", "via", "10.4.0.1", "dev", "eth2",
    ])
    .unwrap();
    r.ip(&[
        "nexthop", "add", "id", "2", "via", "10.4.1.1", "dev", "eth3",
    ])
    .unwrap();
    r.ip(&["nexthop", "add", "id", "10", "group", "2/1"])
        .unwrap();
    r.add_route(&["172.16.0.2/32", "nhid", "10"]).unwrap();
    let mut got = r.route_nexthops("172.16.0.2/32").unwrap();
    got.sort();
    assert_eq!(got, vec![a, b]);
    assert_eq!(r.nexthop_object_gateways(10).unwrap(), vec![b, a]);

    // Flow lookups spread over both paths and are stable.
    let flows = Flow::range(
        Ipv4Addr::new(192, 168, 7, 1),
        Ipv4Addr::new(172, 16, 0, 1),
        "eth1",
        80,
        20000,
        200,
    );
    let first = r.route_get_flows(&flows).unwrap();
    assert_eq!(first.len(), 200);
    let on_a = first.iter().filter(|g| **g == Some(a)).count();
    let on_b = first.iter().filter(|g| **g == Some(b)).count();
    assert_eq!(on_a + on_b, 200);
    assert!(on_a > 20 && on_b > 20, "{on_a} / {on_b}");
    thread::sleep(Duration::from_millis(10));
    assert_eq!(r.route_get_flows(&flows).unwrap(), first);
    // No route: None per flow, not an error.
    let lost = Flow::range(
        Ipv4Addr::new(192, 168, 7, 1),
        Ipv4Addr::new(172, 31, 0, 1),
        "eth1",
        80,
        1,
        3,
    );
    assert_eq!(r.route_get_flows(&lost).unwrap(), vec![None; 3]);
}
