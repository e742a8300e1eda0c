//! BFD (RFC 5880/5881/5882) against FRR 8.4's bfdd + ospfd in network namespaces.
//!
//! FRR (zebra, ospfd, bfdd) and our runtime on a point-to-point veth (and, in a second
//! test, as a broadcast network: DR and BDR), both with
//! `ip ospf bfd profile fast` (50 ms x 3) and a 40 s dead interval:
//!
//! * the OSPF adjacency reaches Full and the BFD sessions come Up on both sides;
//! * everything FRR sends dropped (tc tbf with a 1-byte burst): our session fails within
//!   ~150 ms and our OSPF neighbor goes down long before the dead interval; FRR hears our
//!   Down and takes its neighbor down too;
//! * the same in the other direction (everything we send dropped);
//! * FRR asking for slower packets (receive-interval 500) is obeyed;
//! * a peer without bfdd keeps its OSPF adjacency, its session just stays Down.
//!
//! Needs root, FRR and its bfdd, and `tc`; fails instead of skipping under
//! `OSPF_RS_REQUIRE_ROOT_TESTS=1`.

mod common;

use std::net::Ipv4Addr;
use std::path::Path;
use std::time::{Duration, Instant};

use common::wait;
use ospf_core::bfd::wire::State;
use ospf_core::neighbor::NeighborState;
use ospf_std::api::Event;
use ospf_std::runtime::RuntimeHandle;
use ospf_testbed::{Frr, Netns, ProcGuard, frr_conf, require_root, require_tool};

const BFDD: &str = "/usr/lib/frr/bfdd";
const FRR_ADDR: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

const PROFILE: &str = "bfd\n profile fast\n  detect-multiplier 3\n  receive-interval 50\n  transmit-interval 50\n exit\nexit\n";
const IFACE: &str = " ip ospf hello-interval 1\n ip ospf dead-interval 40\n";
const P2P: &str = "point-to-point";
/// A LAN waits a whole dead interval before electing a DR (RFC 2328 §9.4): 10 s there.
const LAN: &str = "broadcast\n ip ospf dead-interval 10";

fn can_run(test: &str) -> bool {
    require_root(test, "network namespaces")
        && require_tool(test, "frr")
        && require_tool(test, BFDD)
        && require_tool(test, "tc")
}

/// FRR's user, as the testbed picks it (root when root may use the vty).
fn frr_user() -> &'static str {
    let groups = std::fs::read_to_string("/etc/group").unwrap_or_default();
    let root_in_vty = groups.lines().any(|l| {
        let mut f = l.split(':');
        f.next() == Some("frrvty") && f.nth(2).is_some_and(|m| m.split(',').any(|u| u == "root"))
    });
    if root_in_vty { "root" } else { "frr" }
}

/// Starts bfdd next to FRR's zebra, in FRR's directory.
fn start_bfdd(ns: &Netns, dir: &Path) -> ProcGuard {
    std::fs::write(dir.join("bfdd.conf"), PROFILE).unwrap();
    let p = |f: &str| dir.join(f).to_string_lossy().into_owned();
    let user = frr_user();
    let g = ns
        .spawn(
            &[
                BFDD,
                "-u",
                user,
                "-g",
                user,
                "-i",
                &p("bfdd.pid"),
                "-z",
                &p("zserv.api"),
                "--vty_socket",
                &dir.to_string_lossy(),
                "-f",
                &p("bfdd.conf"),
                // Its control socket defaults to a path shared by every namespace.
                "--bfdctl",
                &p("bfdd.sock"),
                "--log",
                "stdout",
            ],
            Some(&dir.join("bfdd.log")),
        )
        .unwrap();
    let sock = dir.join("bfdd.vty");
    wait("bfdd's vty socket", Duration::from_secs(10), || {
        sock.exists()
    });
    g
}

fn frr(ns: &Netns, net: &str) -> Frr {
    Frr::start(
        ns,
        &frr_conf::zebra("frr"),
        &format!(
            "hostname frr\ninterface eth0\n{IFACE} ip ospf network {net}\n ip ospf bfd\n ip ospf bfd profile fast\nrouter ospf\n ospf router-id 10.0.0.1\n network 10.0.0.0/24 area 0\n"
        ),
    )
    .expect("start FRR")
}

fn our_conf(net: &str) -> String {
    format!(
        "hostname us\n{PROFILE}interface eth0\n{IFACE} ip ospf network {net}\n ip ospf bfd\n ip ospf bfd profile fast\nrouter ospf\n ospf router-id 10.0.0.2\n network 10.0.0.0/24 area 0\n"
    )
}

fn ours(ns: &Netns, net: &str) -> RuntimeHandle {
    let conf = our_conf(net);
    let (h, _t) = common::spawn_runtime(
        ns,
        &conf,
        |_| {},
        |mut rt| {
            while !rt.is_finished() {
                if rt.step(Some(Duration::from_millis(200))).is_err() {
                    break;
                }
            }
        },
    );
    h
}

fn our_state(h: &RuntimeHandle) -> Option<State> {
    h.bfd_peers().ok()?.first().map(|p| p.state)
}

fn frr_bfd(f: &Frr) -> serde_json::Value {
    f.vtysh_json("show bfd peers json")
        .ok()
        .and_then(|v| v.as_array().and_then(|a| a.first().cloned()))
        .unwrap_or_default()
}

fn our_full(h: &RuntimeHandle) -> bool {
    h.neighbors()
        .is_ok_and(|n| n.iter().any(|n| n.state == NeighborState::Full))
}

/// Drops every packet `ns` sends on eth0, or lets them out again: a token bucket with
/// a 1-byte burst passes no packet (this kernel has no netem, matchall or gact).
fn drop_egress(ns: &Netns, on: bool) {
    if on {
        ns.sh("tc qdisc replace dev eth0 root tbf rate 1kbit burst 1 latency 1ms")
            .expect("tc tbf");
    } else {
        ns.sh("tc qdisc del dev eth0 root").expect("tc qdisc del");
    }
}

/// Waits for our neighbor going Down and returns how long after `since` it went.
fn our_neighbor_down(rx: &std::sync::mpsc::Receiver<Event>, since: Instant) -> Duration {
    let deadline = since + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Event::Neighbor {
                new: NeighborState::Down,
                ..
            }) => {
                return since.elapsed();
            }
            Ok(_) => continue,
            Err(e) => panic!("our OSPF neighbor did not go down: {e}"),
        }
    }
}

fn both_up(h: &RuntimeHandle, f: &Frr) {
    wait("Full on both sides", Duration::from_secs(40), || {
        our_full(h) && f.full_neighbors() == 1
    });
    let t = Instant::now();
    while !(our_state(h) == Some(State::Up) && frr_bfd(f)["status"] == "up") {
        if t.elapsed() > Duration::from_secs(15) {
            panic!(
                "BFD not Up on both sides: ours {:#?}\nFRR {}\n{}\nbfdd log: {}\nospfd log: {}",
                h.bfd_peers(),
                f.vtysh("show bfd peers").unwrap_or_default(),
                f.vtysh("show running-config").unwrap_or_default(),
                std::fs::read_to_string(f.dir().join("ospfd.log")).unwrap_or_default(),
                std::fs::read_to_string(f.dir().join("bfdd.log")).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// FRR with bfdd in `f_ns`, our runtime in `o_ns`, both on network type `net`.
fn start_pair(f_ns: &Netns, o_ns: &Netns, net: &str) -> (Frr, ProcGuard, RuntimeHandle) {
    let mut f = frr(f_ns, net);
    let bfdd = start_bfdd(f_ns, f.dir());
    // ospfd registers its BFD sessions with a bfdd that runs.
    f.restart_ospfd(f_ns).unwrap();
    let h = ours(o_ns, net);
    (f, bfdd, h)
}

#[test]
fn bfd_with_frr_on_a_broadcast_network_detects_failure() {
    let test = "bfd_with_frr_on_a_broadcast_network_detects_failure";
    if !can_run(test) {
        return;
    }
    let (f_ns, o_ns) = common::joined(("bfdl", "10.0.0.1/24"), ("bfdk", "10.0.0.2/24"));
    let (f, _bfdd, h) = start_pair(&f_ns, &o_ns, LAN);
    both_up(&h, &f);
    let rx = h.subscribe();
    let t = Instant::now();
    drop_egress(&f_ns, true);
    let took = our_neighbor_down(&rx, t);
    eprintln!(
        "LAN: our OSPF neighbor down {} ms after the cut",
        took.as_millis()
    );
    assert!(took < Duration::from_millis(1000), "{took:?}");
    let frr_took = wait("FRR's neighbor down", Duration::from_secs(5), || {
        f.full_neighbors() == 0
    });
    eprintln!(
        "LAN: FRR's neighbor gone within {} ms of ours",
        frr_took.as_millis()
    );
    drop_egress(&f_ns, false);
    both_up(&h, &f);
    h.shutdown();
}

#[test]
fn bfd_with_frr_detects_failures_both_ways_and_obeys_slower_timers() {
    let test = "bfd_with_frr_detects_failures_both_ways_and_obeys_slower_timers";
    if !can_run(test) {
        return;
    }
    let (f_ns, o_ns) = common::joined(("bfdf", "10.0.0.1/24"), ("bfdo", "10.0.0.2/24"));
    let (f, _bfdd, h) = start_pair(&f_ns, &o_ns, P2P);
    both_up(&h, &f);
    let mine = h.bfd_peers().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].peer, FRR_ADDR);
    assert_eq!(
        mine[0].remote_id,
        frr_bfd(&f)["id"].as_u64().unwrap() as u32
    );
    assert_eq!(mine[0].negotiated_tx_ms, 50);
    assert_eq!(mine[0].detection_time_ms, 150);
    eprintln!("FRR: {}", f.vtysh("show bfd peers").unwrap());
    let text = h.command("show bfd peers").unwrap();
    eprintln!("us:  {text}");
    assert!(text.starts_with("BFD Peers:\n\tpeer 10.0.0.1 vrf default interface eth0\n"));
    assert!(text.contains("\t\tStatus: up\n"), "{text}");
    // Our JSON has every key FRR's has (bar the echo RTT statistics), with the same
    // values where both describe the same thing.
    let theirs = frr_bfd(&f);
    let ours: serde_json::Value =
        serde_json::from_str(&h.command("show bfd peers json").unwrap()).unwrap();
    let ours = &ours[0];
    for k in theirs.as_object().unwrap().keys() {
        if !k.starts_with("rtt-") {
            assert!(ours.get(k).is_some(), "key {k} missing: {ours}");
        }
    }
    assert_eq!(ours["id"], theirs["remote-id"]);
    assert_eq!(ours["remote-id"], theirs["id"]);
    assert_eq!(ours["status"], "up");
    assert_eq!(ours["remote-receive-interval"], theirs["receive-interval"]);
    assert_eq!(ours["receive-interval"], theirs["remote-receive-interval"]);

    // 1. FRR's packets no longer reach us: we detect.
    let rx = h.subscribe();
    let t = Instant::now();
    drop_egress(&f_ns, true);
    let took = our_neighbor_down(&rx, t);
    eprintln!(
        "our side: OSPF neighbor down {} ms after the cut",
        took.as_millis()
    );
    assert!(took < Duration::from_millis(1000), "{took:?}");
    assert_eq!(our_state(&h), Some(State::Down));
    assert_eq!(
        h.bfd_peers().unwrap()[0].diagnostic,
        ospf_core::bfd::wire::Diag::ControlDetectionExpired
    );
    // FRR hears our Down (diag 1) and drops its neighbor as well.
    let frr_took = wait("FRR's neighbor down", Duration::from_secs(5), || {
        f.full_neighbors() == 0
    });
    eprintln!(
        "FRR side: neighbor gone within {} ms of our detection",
        frr_took.as_millis()
    );
    assert!(frr_took < Duration::from_secs(3));
    drop_egress(&f_ns, false);
    both_up(&h, &f);

    // 2. Our packets no longer reach FRR: FRR detects, tells us, and we follow.
    let rx = h.subscribe();
    let t = Instant::now();
    drop_egress(&o_ns, true);
    let frr_took = wait("FRR's neighbor down", Duration::from_secs(5), || {
        f.full_neighbors() == 0
    });
    let took = our_neighbor_down(&rx, t);
    eprintln!(
        "FRR detects: FRR neighbor down within {} ms, ours {} ms after the cut",
        frr_took.as_millis(),
        took.as_millis()
    );
    assert!(took < Duration::from_millis(1000), "{took:?}");
    assert_eq!(
        h.bfd_peers().unwrap()[0].diagnostic,
        ospf_core::bfd::wire::Diag::NeighborDown
    );
    drop_egress(&o_ns, false);
    both_up(&h, &f);

    // 3. FRR asks for slower packets: we send every 500 ms and detect in 3 x 50 ms...
    //    of FRR's own (still 50 ms) packets.
    f.configure(&["bfd", "profile fast", "receive-interval 500"])
        .unwrap();
    wait(
        "our transmit interval follows FRR",
        Duration::from_secs(5),
        || {
            h.bfd_peers()
                .is_ok_and(|p| p.first().is_some_and(|p| p.negotiated_tx_ms == 500))
        },
    );
    let p = h.bfd_peers().unwrap();
    assert_eq!(p[0].remote_receive_interval_ms, 500);
    assert_eq!(p[0].state, State::Up);
    let before = p[0].packets_out;
    std::thread::sleep(Duration::from_secs(3));
    let p = h.bfd_peers().unwrap();
    let sent = p[0].packets_out - before;
    eprintln!("packets sent in 3 s at a 500 ms interval: {sent}");
    assert!((5..=9).contains(&sent), "{sent} packets in 3 s");
    assert_eq!(p[0].state, State::Up);
    assert_eq!(frr_bfd(&f)["status"], "up");
    assert!(our_full(&h));

    // 4. A reload with new timers reaches the running session (Poll Sequence): FRR sees
    //    our new Required Min RX, and nothing goes down.
    let conf = ospf_std::conf::OspfdConf::parse(
        &our_conf(P2P).replace("receive-interval 50", "receive-interval 200"),
    )
    .unwrap();
    h.reload(conf).unwrap();
    wait(
        "FRR sees our new receive interval",
        Duration::from_secs(5),
        || frr_bfd(&f)["remote-receive-interval"] == 200,
    );
    assert_eq!(frr_bfd(&f)["status"], "up");
    assert_eq!(our_state(&h), Some(State::Up));
    assert!(our_full(&h));
    h.shutdown();
}

#[test]
fn bfd_peer_without_bfdd_keeps_its_ospf_adjacency() {
    let test = "bfd_peer_without_bfdd_keeps_its_ospf_adjacency";
    if !can_run(test) {
        return;
    }
    let (f_ns, o_ns) = common::joined(("bfdn", "10.0.0.1/24"), ("bfdm", "10.0.0.2/24"));
    let f = frr(&f_ns, P2P); // no bfdd
    let h = ours(&o_ns, P2P);
    wait("Full on both sides", Duration::from_secs(40), || {
        our_full(&h) && f.full_neighbors() == 1
    });
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(4) {
        assert!(our_full(&h), "the adjacency must stay");
        assert_eq!(our_state(&h), Some(State::Down));
        std::thread::sleep(Duration::from_millis(250));
    }
    h.shutdown();
}
