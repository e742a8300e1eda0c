//! Interoperability with BIRD 2 in network namespaces the tests create.
//!
//! * LAN (through a bridge) with BIRD and an FRR router: Full adjacencies, identical LSDBs
//!   (our `Instance::lsdb` against `birdc show ospf lsadb`), identical kernel routes to the
//!   FRR router's prefixes, routes both ways, withdraw, graceful shutdown.
//! * Point-to-point: Full, identical LSDBs, routes both ways.
//! * HMAC-SHA-256 (RFC 5709) on point-to-point; a wrong key keeps the adjacency down.
//! * BIRD restarting: we resynchronize.
//! * DR election on a LAN with us, two FRR routers and BIRD with mixed priorities: the
//!   highest priority wins, ties go to the highest router id, priority 0 is never elected,
//!   and all four agree on DR and BDR.
//!
//! Needs root and BIRD (`bird`, `birdc`; FRR too for the LAN tests); without them each test
//! prints why and returns. Namespace names are unique, so the tests run in parallel.

mod common;
mod interop;

use std::fs;
use std::net::Ipv4Addr;
use std::time::Duration;

use interop::{TIMERS, can_run, holds_for, lsdbs_equal, wait};
use ospf_std::control::Command as Ctl;
use ospf_std::fib::Prefix;
use ospf_testbed::{Bird, Bridge, Frr, Netns, OspfRs, bird_conf, frr_conf, veth};

fn ours(ns: &Netns, iface: &str, router: &str) -> OspfRs {
    OspfRs::start(
        ns,
        &format!(
            "hostname server1\ninterface eth0\n{iface}router ospf\n ospf router-id 10.0.0.1\n{router}"
        ),
        true,
    )
    .expect("start our runtime")
}

fn route_via(ns: &Netns, prefix: &str, via: &str, proto: &str) -> bool {
    ns.ip_line(&format!("-4 route show {prefix}"))
        .is_ok_and(|r| r.contains(&format!("via {via}")) && r.contains(&format!("proto {proto}")))
}

#[test]
fn bird_lan_full_same_lsdb_same_kernel_routes_withdraw_and_shutdown() {
    if !can_run("bird_lan", true, true) {
        return;
    }
    let lan = Bridge::new("blan").unwrap();
    let (s, b, far) = (
        Netns::new("bus").unwrap(),
        Netns::new("bbird").unwrap(),
        Netns::new("bfar").unwrap(),
    );
    for (ns, addr) in [
        (&s, "10.0.0.1/24"),
        (&b, "10.0.0.254/24"),
        (&far, "10.0.0.3/24"),
    ] {
        lan.attach(ns, "eth0").unwrap();
        ns.add_addr("eth0", addr).unwrap();
    }
    s.add_loopback_addr("172.16.0.1/32").unwrap();
    far.add_loopback_addr("10.255.0.3/32").unwrap();
    far.add_route(&["blackhole", "20.0.0.0/24"]).unwrap();
    add_bird_stub(&b);

    let bird = Bird::start(
        &b,
        &bird_conf(
            "10.0.0.254",
            &[
                ("eth0", "type broadcast; hello 1; dead 4;"),
                ("stub0", "stub yes;"),
            ],
        ),
    )
    .unwrap();
    let far_frr = Frr::start(
        &far,
        &frr_conf::zebra("far"),
        &format!(
            "interface eth0\n{TIMERS}router ospf\n ospf router-id 10.0.0.3\n network 10.0.0.0/24 area 0\n network 10.255.0.3/32 area 0\n redistribute kernel\n"
        ),
    )
    .unwrap();
    let ours = ours(
        &s,
        TIMERS,
        " network 10.0.0.0/24 area 0\n network 172.16.0.1/32 area 0\n",
    );
    wait("Full with BIRD and FRR", Duration::from_secs(40), || {
        bird.full_neighbors() == 2 && far_frr.full_neighbors() == 2 && ours.full_neighbors() == 2
    });
    wait(
        "BIRD's route to the anycast address",
        Duration::from_secs(15),
        || route_via(&b, "172.16.0.1", "10.0.0.1", "bird"),
    );
    wait(
        "our route to BIRD's stub network",
        Duration::from_secs(15),
        || route_via(&s, "192.168.100.0/24", "10.0.0.254", "ospf"),
    );
    let db = lsdbs_equal("BIRD", &ours, 5, || bird.lsdb());
    lsdbs_equal("FRR", &ours, 5, || far_frr.lsdb());
    assert!(
        db.iter()
            .any(|l| l.lsa_type == 5 && l.lsid == Ipv4Addr::new(20, 0, 0, 0))
    );

    // The same kernel routes to the FRR router's prefixes in our table and in BIRD's.
    let far_routes = |ns: &Netns, proto: &str| {
        let mut r = ns.kernel_routes(proto).unwrap();
        r.retain(|p, _| p == "20.0.0.0/24" || p == "10.255.0.3/32");
        r
    };
    wait(
        "routes to the FRR router in both tables",
        Duration::from_secs(15),
        || {
            let (a, c) = (far_routes(&s, "ospf"), far_routes(&b, "bird"));
            a.len() == 2 && a == c
        },
    );
    let gw = [Ipv4Addr::new(10, 0, 0, 3)].into_iter().collect();
    assert_eq!(far_routes(&s, "ospf").get("20.0.0.0/24"), Some(&gw));

    let p = Prefix::host("172.16.0.1".parse().unwrap());
    assert_eq!(ours.request(Ctl::Withdraw(p)), "withdrawn 172.16.0.1/32");
    wait(
        "BIRD drops the withdrawn route",
        Duration::from_secs(15),
        || {
            b.ip_line("-4 route show 172.16.0.1")
                .is_ok_and(|r| r.is_empty())
        },
    );
    assert_eq!(ours.request(Ctl::Announce(p)), "announced 172.16.0.1/32");
    wait("BIRD's route is back", Duration::from_secs(15), || {
        route_via(&b, "172.16.0.1", "10.0.0.1", "bird")
    });
    lsdbs_equal("BIRD after withdraw and announce", &ours, 5, || bird.lsdb());
    // Graceful shutdown: our LSAs are flushed and BIRD drops the route at once (a dead
    // neighbor would take 4 s). Receivers discard a new instance of an LSA that arrives within MinLSArrival (1 s) of
    // the previous one (RFC 2328 13 (5a)); the announce above re-originated our router LSA,
    // so let that second pass before the flush, which is otherwise only retransmitted after
    // RxmtInterval (5 s) - longer than the shutdown timeout.
    std::thread::sleep(Duration::from_millis(1200));
    ours.shutdown().unwrap();
    assert!(s.ip_line("-4 route show proto ospf").unwrap().is_empty());
    let took = wait(
        "BIRD forgets the route after our shutdown",
        Duration::from_secs(2),
        || {
            b.ip_line("-4 route show 172.16.0.1")
                .is_ok_and(|r| r.is_empty())
        },
    );
    eprintln!("route gone {:.1} s after our shutdown", took.as_secs_f64());
}

const P2P_US: &str = " ip ospf network point-to-point\n";
const BIRD_P2P: &str = "type pointopoint; hello 1; dead 4;";

/// Gives BIRD's namespace a stub network of its own to announce: 192.168.100.1/24 on
/// `stub0` (one end of a veth pair, so that the link is up).
fn add_bird_stub(b: &Netns) {
    b.ip_line("link add stub0 type veth peer name stub1")
        .unwrap();
    b.add_addr("stub0", "192.168.100.1/24").unwrap();
    b.link_up("stub1").unwrap();
}

/// Us and BIRD on a point-to-point veth (10.0.1.0/30); BIRD announces 192.168.100.0/24.
fn p2p(tag: &str, ours_auth: &str, bird_auth: &str) -> (Netns, Netns, OspfRs, Bird) {
    let s = Netns::new(&format!("{tag}us")).unwrap();
    let b = Netns::new(&format!("{tag}bird")).unwrap();
    veth(&s, "eth0", &b, "eth0").unwrap();
    s.add_addr("eth0", "10.0.1.1/30").unwrap();
    s.add_loopback_addr("172.16.0.1/32").unwrap();
    b.add_addr("eth0", "10.0.1.2/30").unwrap();
    add_bird_stub(&b);
    let bird = Bird::start(
        &b,
        &bird_conf(
            "10.0.1.2",
            &[
                ("eth0", &format!("{BIRD_P2P} {bird_auth}")),
                ("stub0", "stub yes;"),
            ],
        ),
    )
    .unwrap();
    let ours = ours(
        &s,
        &format!("{TIMERS}{P2P_US}{ours_auth}"),
        " network 10.0.1.0/30 area 0\n network 172.16.0.1/32 area 0\n",
    );
    (s, b, ours, bird)
}

fn full_both(ours: &OspfRs, bird: &Bird) -> bool {
    ours.full_neighbors() == 1 && bird.full_neighbors() == 1
}

fn hmac_ours(key: &str) -> String {
    format!(" ip ospf authentication message-digest\n ip ospf hmac-sha256-key 1 {key}\n")
}

fn hmac_bird(key: &str) -> String {
    format!("authentication cryptographic; password \"{key}\" {{ id 1; algorithm hmac sha256; }};")
}

#[test]
fn bird_p2p_full_same_lsdb_routes_both_ways() {
    if !can_run("bird_p2p", false, true) {
        return;
    }
    let (s, b, ours, bird) = p2p("bp", "", "");
    wait("Full on p2p with BIRD", Duration::from_secs(30), || {
        full_both(&ours, &bird)
    });
    let db = lsdbs_equal("BIRD", &ours, 2, || bird.lsdb());
    assert_eq!(db.iter().filter(|l| l.lsa_type == 1).count(), 2, "{db:?}");
    wait("routes both ways", Duration::from_secs(15), || {
        route_via(&b, "172.16.0.1", "10.0.1.1", "bird")
            && route_via(&s, "192.168.100.0/24", "10.0.1.2", "ospf")
    });
}

#[test]
fn bird_p2p_hmac_sha256_authentication() {
    if !can_run("bird_hmac", false, true) {
        return;
    }
    let (s, _b, ours, bird) = p2p("bh", &hmac_ours("k3y"), &hmac_bird("k3y"));
    wait("Full with HMAC-SHA-256", Duration::from_secs(30), || {
        full_both(&ours, &bird)
    });
    lsdbs_equal("BIRD", &ours, 2, || bird.lsdb());
    wait("our route through BIRD", Duration::from_secs(15), || {
        route_via(&s, "192.168.100.0/24", "10.0.1.2", "ospf")
    });
}

#[test]
fn bird_p2p_wrong_hmac_key_keeps_adjacency_down() {
    if !can_run("bird_wrong_hmac", false, true) {
        return;
    }
    let (_s, _b, ours, bird) = p2p("bk", &hmac_ours("right"), &hmac_bird("wrong"));
    holds_for(Duration::from_secs(6), || {
        let (a, c) = (ours.neighbors(), bird.ospf_neighbors().unwrap_or_default());
        (!a.is_empty() || !c.is_empty())
            .then(|| format!("neighbors despite a wrong key: ours {a:?}, BIRD {c:?}"))
    });
    // The right key brings it up: the setup itself was sound.
    let conf = bird.dir().join("bird.conf");
    let text = fs::read_to_string(&conf)
        .unwrap()
        .replace("\"wrong\"", "\"right\"");
    fs::write(&conf, text).unwrap();
    bird.birdc("configure").unwrap();
    wait("Full once the keys match", Duration::from_secs(20), || {
        full_both(&ours, &bird)
    });
}

#[test]
fn bird_restarts_and_we_resynchronize() {
    if !can_run("bird_restart", false, true) {
        return;
    }
    let (s, b, ours, mut bird) = p2p("br", "", "");
    wait("Full on p2p with BIRD", Duration::from_secs(30), || {
        full_both(&ours, &bird)
    });
    lsdbs_equal("BIRD", &ours, 2, || bird.lsdb());
    bird.restart(&b).unwrap();
    wait(
        "Full again after BIRD's restart",
        Duration::from_secs(30),
        || full_both(&ours, &bird),
    );
    lsdbs_equal("BIRD after its restart", &ours, 2, || bird.lsdb());
    wait(
        "our route through BIRD after its restart",
        Duration::from_secs(15),
        || route_via(&s, "192.168.100.0/24", "10.0.1.2", "ospf"),
    );
}

#[test]
fn dr_election_with_frr_and_bird_mixed_priorities() {
    if !can_run("dr_election", true, true) {
        return;
    }
    // Dead 10 s: the wait timer (10 s) leaves every router time to start before electing.
    let timers = " ip ospf hello-interval 1\n ip ospf dead-interval 10\n";
    let lan = Bridge::new("dlan").unwrap();
    let us = Netns::new("dus").unwrap();
    let f2 = Netns::new("df2").unwrap();
    let f4 = Netns::new("df4").unwrap();
    let b3 = Netns::new("db3").unwrap();
    for (ns, addr) in [
        (&us, "10.0.0.1/24"),
        (&f2, "10.0.0.2/24"),
        (&b3, "10.0.0.3/24"),
        (&f4, "10.0.0.4/24"),
    ] {
        lan.attach(ns, "eth0").unwrap();
        ns.add_addr("eth0", addr).unwrap();
    }
    let frr_at = |ns: &Netns, rid: &str| {
        Frr::start(
            ns,
            &frr_conf::zebra(rid),
            &format!(
                "interface eth0\n{timers} ip ospf priority 5\nrouter ospf\n ospf router-id {rid}\n network 10.0.0.0/24 area 0\n"
            ),
        )
        .unwrap()
    };
    // Priorities: us 10 (lowest router id), FRR 5 and 5 (a tie: 10.0.0.4 beats 10.0.0.2),
    // BIRD 0 (never DR or BDR).
    let fr2 = frr_at(&f2, "10.0.0.2");
    let fr4 = frr_at(&f4, "10.0.0.4");
    let bird = Bird::start(
        &b3,
        &bird_conf(
            "10.0.0.3",
            &[("eth0", "type broadcast; hello 1; dead 10; priority 0;")],
        ),
    )
    .unwrap();
    let ours = ours(
        &us,
        &format!("{timers} ip ospf priority 10\n"),
        " network 10.0.0.0/24 area 0\n",
    );
    let (dr, bdr) = (
        Some(Ipv4Addr::new(10, 0, 0, 1)),
        Some(Ipv4Addr::new(10, 0, 0, 4)),
    );
    wait(
        "Full adjacencies with everyone",
        Duration::from_secs(40),
        || {
            ours.full_neighbors() == 3
                && fr2.full_neighbors() == 2
                && fr4.full_neighbors() == 3
                && bird.full_neighbors() == 2
        },
    );
    let views = || {
        [
            ("ours", ours.dr_bdr(Ipv4Addr::new(10, 0, 0, 1))),
            ("FRR 10.0.0.2", fr2.dr_bdr("eth0").unwrap_or_default()),
            ("FRR 10.0.0.4", fr4.dr_bdr("eth0").unwrap_or_default()),
            ("BIRD", bird.dr_bdr("eth0").unwrap_or_default()),
        ]
    };
    for (who, view) in views() {
        assert_eq!(
            view,
            (dr, bdr),
            "{who} sees DR/BDR {view:?}; all: {:?}",
            views()
        );
    }
    lsdbs_equal("BIRD", &ours, 5, || bird.lsdb());
    lsdbs_equal("FRR", &ours, 5, || fr2.lsdb());
}
