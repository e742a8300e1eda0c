//! Interoperability with FRR (zebra + ospfd) in network namespaces the tests create.
//!
//! * LAN (through a bridge) with two FRR routers, plain and with keyed MD5: Full adjacencies,
//!   identical LSDBs (our `Instance::lsdb` against `show ip ospf database json`), identical
//!   kernel routes to the third router's prefixes, routes both ways, withdraw, shutdown.
//! * Point-to-point: Full, identical LSDBs, routes both ways.
//! * A wrong MD5 key keeps the adjacency down; the right key brings it up.
//! * Each side restarting: our runtime killed and started again (FRR resynchronizes and our
//!   stale LSAs are superseded), FRR's ospfd killed and started again (we resynchronize).
//!
//! Needs root and FRR (`/usr/lib/frr/zebra`, `/usr/lib/frr/ospfd`, `vtysh`); without them
//! each test prints why and returns. Namespace names are unique, so the tests run in parallel.

mod common;
mod interop;

use std::net::Ipv4Addr;
use std::time::Duration;

use interop::{TIMERS, can_run, holds_for, lsdbs_equal, wait};
use ospf_std::control::Command as Ctl;
use ospf_std::fib::Prefix;
use ospf_testbed::{Bridge, Frr, Netns, OspfRs, Signal, frr_conf, veth};

/// Our router id (also our LAN address).
const US: &str = "10.0.0.1";

fn frr(ns: &Netns, rid: &str, iface: &str, router: &str) -> Frr {
    Frr::start(
        ns,
        &frr_conf::zebra(rid),
        &format!(
            "hostname frr\ninterface eth0\n{TIMERS}{iface}router ospf\n ospf router-id {rid}\n timers throttle spf 0 50 1000\n{router}"
        ),
    )
    .expect("start FRR")
}

fn ours(ns: &Netns, iface: &str, router: &str) -> OspfRs {
    OspfRs::start(
        ns,
        &format!(
            "hostname server1\ninterface eth0\n{TIMERS}{iface}router ospf\n ospf router-id {US}\n{router}"
        ),
        true,
    )
    .expect("start our runtime")
}

fn route_via(ns: &Netns, prefix: &str, via: &str) -> bool {
    ns.ip_line(&format!("-4 route show {prefix}"))
        .is_ok_and(|r| r.contains(&format!("via {via}")) && r.contains("proto ospf"))
}

/// Us, FRR and a second ("far") FRR on one LAN; `auth` is the interface authentication
/// block all three use.
fn lan_with_frr(auth: &str) {
    let lan = Bridge::new("flan").unwrap();
    let (s, f, far) = (
        Netns::new("fus").unwrap(),
        Netns::new("ffrr").unwrap(),
        Netns::new("ffar").unwrap(),
    );
    for (ns, addr, lo) in [
        (&s, "10.0.0.1/24", "172.16.0.1/32"),
        (&f, "10.0.0.254/24", "192.168.100.1/32"),
        (&far, "10.0.0.3/24", "10.255.0.3/32"),
    ] {
        lan.attach(ns, "eth0").unwrap();
        ns.add_addr("eth0", addr).unwrap();
        ns.add_loopback_addr(lo).unwrap();
    }
    // An external route of the far router, redistributed from its kernel table.
    far.add_route(&["blackhole", "20.0.0.0/24"]).unwrap();
    let frr = frr(
        &f,
        "10.0.0.254",
        auth,
        " network 10.0.0.0/24 area 0\n network 192.168.100.1/32 area 0\n",
    );
    let far_frr = self::frr(
        &far,
        "10.0.0.3",
        auth,
        " network 10.0.0.0/24 area 0\n network 10.255.0.3/32 area 0\n redistribute kernel\n",
    );
    // The seed's server configuration, with FRR's fast timers and the authentication.
    let ours = ours(
        &s,
        auth,
        " network 10.0.0.0/24 area 0\n network 172.16.0.1/32 area 0\n",
    );

    wait(
        "Full with both FRR routers",
        Duration::from_secs(40),
        || frr.full_neighbors() == 2 && far_frr.full_neighbors() == 2 && ours.full_neighbors() == 2,
    );
    // FRR installs the anycast host route through us, and we install FRR's loopback.
    wait(
        "FRR's route to the anycast address",
        Duration::from_secs(15),
        || route_via(&f, "172.16.0.1", US),
    );
    wait(
        "our route to FRR's loopback",
        Duration::from_secs(15),
        || route_via(&s, "192.168.100.1", "10.0.0.254"),
    );
    // One LSDB: 3 router LSAs, the network LSA, the far router's external LSA.
    let db = lsdbs_equal("FRR", &ours, 5, || frr.lsdb());
    lsdbs_equal("the far FRR", &ours, 5, || far_frr.lsdb());
    assert!(
        db.iter()
            .any(|l| l.lsa_type == 5 && l.lsid == Ipv4Addr::new(20, 0, 0, 0))
    );
    assert!(db.iter().any(|l| l.lsa_type == 2));

    // The same kernel routes to the far router's prefixes in our table and in FRR's.
    let far_routes = |ns: &Netns| {
        let mut r = ns.kernel_routes("ospf").unwrap();
        r.retain(|p, _| p != "172.16.0.1/32" && p != "192.168.100.1/32");
        r
    };
    wait(
        "routes to the far router in both tables",
        Duration::from_secs(15),
        || {
            let (a, b) = (far_routes(&s), far_routes(&f));
            a.contains_key("20.0.0.0/24") && a.contains_key("10.255.0.3/32") && a == b
        },
    );
    let ours_routes = far_routes(&s);
    let far_gw = [Ipv4Addr::new(10, 0, 0, 3)].into_iter().collect();
    assert_eq!(ours_routes.get("20.0.0.0/24"), Some(&far_gw));
    assert_eq!(ours_routes.get("10.255.0.3/32"), Some(&far_gw));

    // Drain the server: FRR drops the route, and gets it back on announce.
    let p = Prefix::host("172.16.0.1".parse().unwrap());
    assert_eq!(ours.request(Ctl::Withdraw(p)), "withdrawn 172.16.0.1/32");
    wait(
        "FRR drops the withdrawn route",
        Duration::from_secs(15),
        || {
            f.ip_line("-4 route show 172.16.0.1")
                .is_ok_and(|r| r.is_empty())
        },
    );
    assert_eq!(ours.request(Ctl::Announce(p)), "announced 172.16.0.1/32");
    wait("FRR's route is back", Duration::from_secs(15), || {
        route_via(&f, "172.16.0.1", US)
    });
    lsdbs_equal("FRR after withdraw and announce", &ours, 5, || frr.lsdb());

    // Graceful shutdown: our LSAs are flushed, FRR drops the route at once (a dead neighbor
    // would take 4 s), and our kernel routes are gone. Receivers discard a new instance of
    // an LSA that arrives within MinLSArrival (1 s) of the previous one (RFC 2328 13 (5a));
    // the announce above re-originated our router LSA, so let that second pass before the
    // flush, which is otherwise only retransmitted after RxmtInterval (5 s), longer than
    // the shutdown timeout.
    std::thread::sleep(Duration::from_millis(1200));
    ours.shutdown().unwrap();
    assert!(s.ip_line("-4 route show proto ospf").unwrap().is_empty());
    let took = wait(
        "FRR forgets the route after our shutdown",
        Duration::from_secs(2),
        || {
            f.ip_line("-4 route show 172.16.0.1")
                .is_ok_and(|r| r.is_empty())
        },
    );
    eprintln!("route gone {:.1} s after our shutdown", took.as_secs_f64());
}

#[test]
fn frr_lan_full_same_lsdb_same_kernel_routes_withdraw_and_shutdown() {
    if can_run("frr_lan", true, false) {
        lan_with_frr("");
    }
}

#[test]
fn frr_lan_with_md5_authentication() {
    if can_run("frr_lan_md5", true, false) {
        lan_with_frr(
            " ip ospf authentication message-digest\n ip ospf message-digest-key 1 md5 s3cret\n",
        );
    }
}

const P2P: &str = " ip ospf network point-to-point\n";

/// Us and FRR on a point-to-point veth (10.0.1.0/30); FRR's loopback 192.168.100.1.
fn p2p(tag: &str, ours_auth: &str, frr_auth: &str) -> (Netns, Netns, OspfRs, Frr) {
    let s = Netns::new(&format!("{tag}us")).unwrap();
    let f = Netns::new(&format!("{tag}frr")).unwrap();
    veth(&s, "eth0", &f, "eth0").unwrap();
    s.add_addr("eth0", "10.0.1.1/30").unwrap();
    s.add_loopback_addr("172.16.0.1/32").unwrap();
    f.add_addr("eth0", "10.0.1.2/30").unwrap();
    f.add_loopback_addr("192.168.100.1/32").unwrap();
    let frr = frr(
        &f,
        "10.0.1.2",
        &format!("{P2P}{frr_auth}"),
        " network 10.0.1.0/30 area 0\n network 192.168.100.1/32 area 0\n",
    );
    let ours = ours(
        &s,
        &format!("{P2P}{ours_auth}"),
        " network 10.0.1.0/30 area 0\n network 172.16.0.1/32 area 0\n",
    );
    (s, f, ours, frr)
}

fn full_both(ours: &OspfRs, frr: &Frr) -> bool {
    ours.full_neighbors() == 1 && frr.full_neighbors() == 1
}

#[test]
fn frr_p2p_full_same_lsdb_routes_both_ways() {
    if !can_run("frr_p2p", true, false) {
        return;
    }
    let (s, f, ours, frr) = p2p("fp", "", "");
    wait("Full on p2p with FRR", Duration::from_secs(30), || {
        full_both(&ours, &frr)
    });
    let db = lsdbs_equal("FRR", &ours, 2, || frr.lsdb());
    // Two router LSAs, no network LSA on a point-to-point link.
    assert_eq!(db.iter().filter(|l| l.lsa_type == 1).count(), 2, "{db:?}");
    assert!(db.iter().all(|l| l.lsa_type != 2), "{db:?}");
    wait("routes both ways", Duration::from_secs(15), || {
        route_via(&f, "172.16.0.1", "10.0.1.1") && route_via(&s, "192.168.100.1", "10.0.1.2")
    });
}

#[test]
fn frr_p2p_wrong_md5_key_keeps_adjacency_down() {
    if !can_run("frr_wrong_md5", true, false) {
        return;
    }
    let md5 = |k: &str| {
        format!(" ip ospf authentication message-digest\n ip ospf message-digest-key 1 md5 {k}\n")
    };
    let (_s, _f, ours, frr) = p2p("fk", &md5("right"), &md5("wrong"));
    // More than a dead interval (4 s) with hellos every second: nobody is even seen.
    holds_for(Duration::from_secs(6), || {
        let (a, b) = (ours.neighbors(), frr.ospf_neighbors().unwrap_or_default());
        (!a.is_empty() || !b.is_empty())
            .then(|| format!("neighbors despite a wrong key: ours {a:?}, FRR {b:?}"))
    });
    // The right key brings it up: the setup itself was sound.
    frr.configure(&[
        "interface eth0",
        "no ip ospf message-digest-key 1",
        "ip ospf message-digest-key 1 md5 right",
    ])
    .unwrap();
    wait("Full once the keys match", Duration::from_secs(20), || {
        full_both(&ours, &frr)
    });
}

#[test]
fn frr_p2p_each_side_restarts_and_resynchronizes() {
    if !can_run("frr_restart", true, false) {
        return;
    }
    let (s, f, ours, mut frr) = p2p("fr", "", "");
    wait("Full on p2p with FRR", Duration::from_secs(30), || {
        full_both(&ours, &frr)
    });
    lsdbs_equal("FRR", &ours, 2, || frr.lsdb());
    let our_rlsa = |db: &std::collections::BTreeSet<ospf_testbed::LsaId>| {
        db.iter()
            .find(|l| l.lsa_type == 1 && l.adv_router == Ipv4Addr::new(10, 0, 0, 1))
            .copied()
    };
    // Our router id is 10.0.0.1 on this link too.
    let before = our_rlsa(&frr.lsdb().unwrap()).expect("our router LSA at FRR");

    // Our side crashes (no flush) and starts again: FRR still holds our old router LSA; the
    // new instance must supersede it (a higher sequence number) and resynchronize.
    ours.kill();
    let ours = self::ours(
        &s,
        P2P,
        " network 10.0.1.0/30 area 0\n network 172.16.0.1/32 area 0\n",
    );
    wait(
        "Full again after our restart",
        Duration::from_secs(30),
        || full_both(&ours, &frr),
    );
    // The stale instance is superseded (a higher sequence number at FRR), and the
    // databases agree again.
    wait(
        "our stale router LSA superseded at FRR",
        Duration::from_secs(15),
        || {
            frr.lsdb()
                .ok()
                .and_then(|db| our_rlsa(&db))
                .is_some_and(|after| after.seq > before.seq)
        },
    );
    let db = lsdbs_equal("FRR after our restart", &ours, 2, || frr.lsdb());
    let after = our_rlsa(&db).expect("our router LSA");
    assert!(
        after.seq > before.seq,
        "our stale router LSA was not superseded: {before} then {after}"
    );
    wait(
        "FRR's route through us after our restart",
        Duration::from_secs(15),
        || route_via(&f, "172.16.0.1", "10.0.1.1"),
    );

    // FRR's ospfd crashes and starts again: we see it come back and resynchronize.
    frr.signal_ospfd(Signal::Kill).unwrap();
    frr.restart_ospfd(&f).unwrap();
    wait(
        "Full again after FRR's restart",
        Duration::from_secs(30),
        || full_both(&ours, &frr),
    );
    lsdbs_equal("FRR after its restart", &ours, 2, || frr.lsdb());
    wait(
        "our route through FRR after its restart",
        Duration::from_secs(15),
        || route_via(&s, "192.168.100.1", "10.0.1.2"),
    );
}
