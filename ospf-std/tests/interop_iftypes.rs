//! Network types against FRR 8.4 and BIRD 2.0 in network namespaces: point-to-multipoint
//! and NBMA segments (a bridge, three routers; router 3 is BIRD on the NBMA and the
//! non-broadcast point-to-multipoint segment) and an unnumbered point-to-point link.
//!
//! The check that matters: **the same `ospfd.conf` text, given to our router in place of
//! an FRR router, gives the same kernel routes on every router of the topology.** Each
//! test runs its topology twice, once with our runtime as router 1 and once with FRR as
//! router 1, both from one configuration text, and compares every router's `proto ospf`
//! kernel routes (prefix and gateways) between the two runs.
//!
//! On the NBMA segment the bridge floods no multicast at all (`mcast_flood off` on every
//! port, checked with a multicast datagram first), so the adjacencies can only come from
//! the unicast Hellos of §9.5.1 to the configured `neighbor`s.
//!
//! Needs root, FRR and (for the BIRD segments) BIRD; without them each test prints why and
//! returns.

mod common;
mod interop;

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, UdpSocket};
use std::time::{Duration, Instant};

use interop::{TIMERS, can_run, wait};
use ospf_testbed::{Bird, Bridge, Frr, Netns, OspfRs, frr_conf, veth};

type Routes = BTreeMap<String, BTreeSet<Ipv4Addr>>;

/// Router 1: ours or FRR, from the same configuration text.
enum Router1 {
    Ours(OspfRs),
    Frr(Box<Frr>),
}

impl Router1 {
    fn start(ns: &Netns, conf: &str, ours: bool) -> Router1 {
        if ours {
            Router1::Ours(OspfRs::start(ns, conf, true).expect("start our runtime"))
        } else {
            Router1::Frr(Box::new(
                Frr::start(ns, &frr_conf::zebra("r1"), conf).expect("start FRR as r1"),
            ))
        }
    }

    fn full_neighbors(&self) -> usize {
        match self {
            Router1::Ours(o) => o.full_neighbors(),
            Router1::Frr(f) => f.full_neighbors(),
        }
    }

    /// Its neighbors and their states, for a failure message.
    fn neighbor_states(&self) -> String {
        match self {
            Router1::Ours(o) => format!("{:?}", o.neighbors()),
            Router1::Frr(f) => format!("{:?}", f.ospf_neighbors()),
        }
    }

    /// Router IDs of the DR and BDR on eth0 (10.0.9.1).
    fn dr_bdr(&self) -> (Option<Ipv4Addr>, Option<Ipv4Addr>) {
        match self {
            Router1::Ours(o) => o.dr_bdr(Ipv4Addr::new(10, 0, 9, 1)),
            Router1::Frr(f) => f.dr_bdr("eth0").unwrap_or_default(),
        }
    }
}

/// Routers 2 and 3: FRR, or BIRD from a configuration of its own.
enum Peer {
    Frr(Box<Frr>),
    Bird(Box<Bird>),
}

impl Peer {
    fn full_neighbors(&self) -> usize {
        match self {
            Peer::Frr(f) => f.full_neighbors(),
            Peer::Bird(b) => b.full_neighbors(),
        }
    }

    /// Its neighbors and their states, for a failure message.
    fn neighbor_states(&self) -> String {
        match self {
            Peer::Frr(f) => format!("{:?}", f.ospf_neighbors()),
            Peer::Bird(b) => format!("{:?}", b.ospf_neighbors()),
        }
    }

    /// Router IDs of the DR and BDR on eth0.
    fn dr_bdr(&self) -> (Option<Ipv4Addr>, Option<Ipv4Addr>) {
        match self {
            Peer::Frr(f) => f.dr_bdr("eth0").unwrap(),
            Peer::Bird(b) => b.dr_bdr("eth0").unwrap(),
        }
    }

    /// The kernel route protocol it installs with.
    fn proto(&self) -> &'static str {
        match self {
            Peer::Frr(_) => "ospf",
            Peer::Bird(_) => "bird",
        }
    }
}

/// Every router's OSPF kernel routes (protocol `protos[i]`) once `complete` holds for all of them and
/// two samples a second apart agree (nothing left in flight). A device route to the
/// router's own address (`own(i)`) is left out: FRR installs one for its own
/// point-to-multipoint /32 stub, which the kernel's local table overrides anyway; we
/// install none (a directly attached route is the kernel's business).
fn settled_routes(
    routers: &[&Netns],
    protos: &[&str],
    own: impl Fn(usize) -> String,
    complete: impl Fn(usize, &Routes) -> bool,
) -> Vec<Routes> {
    let sample = || -> Vec<Routes> {
        routers
            .iter()
            .enumerate()
            .map(|(i, ns)| {
                let mut r = ns.kernel_routes(protos[i]).unwrap_or_default();
                r.retain(|p, gw| !(gw.is_empty() && *p == own(i)));
                r
            })
            .collect()
    };
    let start = Instant::now();
    loop {
        let a = sample();
        let done = a.iter().enumerate().all(|(i, r)| complete(i, r));
        if done {
            std::thread::sleep(Duration::from_secs(1));
            let b = sample();
            if a == b {
                return a;
            }
        } else {
            std::thread::sleep(Duration::from_millis(200));
        }
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "routes did not settle: {a:#?}"
        );
    }
}

/// Router `n`'s loopback.
fn lo(n: usize) -> String {
    format!("192.168.{n}.1")
}

/// The same tables in both runs, router by router; panics with both.
fn same_routes(what: &str, ours: &[Routes], frr: &[Routes]) {
    for (i, (a, b)) in ours.iter().zip(frr).enumerate() {
        assert_eq!(
            a,
            b,
            "{what}: router {} has other kernel routes with ours as router 1 (left) than with FRR (right)",
            i + 1
        );
    }
}

/// Three routers on one bridge (10.0.9.N/24 on eth0, 192.168.N.1/32 on lo); `conf(n)` is
/// router n's `ospfd.conf`. Runs it with our runtime, then FRR, as router 1 and returns
/// the settled routes of both runs. With `no_multicast`, the bridge floods no multicast.
/// Every router must see `dr_bdr` (router IDs) as DR and BDR once Full. With `bird3`,
/// router 3 is BIRD with that configuration.
fn segment_twice(
    tag: &str,
    conf: impl Fn(usize) -> String,
    bird3: Option<String>,
    no_multicast: bool,
    dr_bdr: (Option<Ipv4Addr>, Option<Ipv4Addr>),
    settle: impl Fn(usize, &Routes) -> bool + Copy,
) -> (Vec<Routes>, Vec<Routes>) {
    let lan = Bridge::new(&format!("{tag}b")).unwrap();
    let ns: Vec<Netns> = (1..=3)
        .map(|n| Netns::new(&format!("{tag}{n}")).unwrap())
        .collect();
    for (i, r) in ns.iter().enumerate() {
        lan.attach(r, "eth0").unwrap();
        r.add_addr("eth0", &format!("10.0.9.{}/24", i + 1)).unwrap();
        r.add_loopback_addr(&format!("{}/32", lo(i + 1))).unwrap();
    }
    if no_multicast {
        multicast_blocked(&lan, &ns);
    }
    let refs: Vec<&Netns> = ns.iter().collect();
    let mut runs = Vec::new();
    for ours in [true, false] {
        let r1 = Router1::start(&ns[0], &conf(1), ours);
        let others: Vec<Peer> = (2..=3)
            .map(|n| match (&bird3, n) {
                (Some(b), 3) => {
                    Peer::Bird(Box::new(Bird::start(&ns[n - 1], b).expect("start BIRD")))
                }
                _ => Peer::Frr(Box::new(
                    Frr::start(&ns[n - 1], &frr_conf::zebra(&format!("r{n}")), &conf(n))
                        .expect("start FRR"),
                )),
            })
            .collect();
        let who = if ours { "ours" } else { "FRR" };
        let all_full =
            || r1.full_neighbors() == 2 && others.iter().all(|f| f.full_neighbors() == 2);
        let start = Instant::now();
        while !all_full() {
            assert!(
                start.elapsed() < Duration::from_secs(40),
                "not every adjacency Full within 40 s ({who} as router 1): r1 {}, r2 {}, r3 {}",
                r1.neighbor_states(),
                others[0].neighbor_states(),
                others[1].neighbor_states()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(r1.dr_bdr(), dr_bdr, "router 1 ({who})");
        for (k, f) in others.iter().enumerate() {
            assert_eq!(f.dr_bdr(), dr_bdr, "router {} ({who} as 1)", k + 2);
        }
        let protos = ["ospf", others[0].proto(), others[1].proto()];
        runs.push(settled_routes(
            &refs,
            &protos,
            |i| format!("10.0.9.{}/32", i + 1),
            settle,
        ));
        drop(others);
        drop(r1);
        // The next run starts from tables without our, FRR's or BIRD's routes.
        for (r, proto) in ns.iter().zip(protos) {
            wait("old routes gone", Duration::from_secs(10), || {
                r.kernel_routes(proto).is_ok_and(|x| x.is_empty())
            });
        }
    }
    let frr = runs.pop().unwrap();
    (runs.pop().unwrap(), frr)
}

/// Turns multicast flooding off on every bridge port and checks that a multicast
/// datagram from router 1 no longer reaches router 2 (while a unicast one does).
fn multicast_blocked(lan: &Bridge, ns: &[Netns]) {
    for p in 0..ns.len() {
        lan.netns()
            .exec(&[
                "bridge",
                "link",
                "set",
                "dev",
                &Bridge::port(p),
                "mcast_flood",
                "off",
            ])
            .unwrap();
    }
    let rx = {
        let _in = ns[1].enter().unwrap();
        let s = UdpSocket::bind("0.0.0.0:47999").unwrap();
        s.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        s
    };
    let tx: UdpSocket = {
        let _in = ns[0].enter().unwrap();
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None).unwrap();
        s.bind(&std::net::SocketAddrV4::new(Ipv4Addr::new(10, 0, 9, 1), 0).into())
            .unwrap();
        s.set_multicast_if_v4(&Ipv4Addr::new(10, 0, 9, 1)).unwrap();
        s.into()
    };
    let mut buf = [0u8; 16];
    // All-hosts (224.0.0.1), which every IPv4 host has joined.
    tx.send_to(b"mcast", "224.0.0.1:47999").unwrap();
    tx.send_to(b"ucast", "10.0.9.2:47999").unwrap();
    let mut got = Vec::new();
    while let Ok((n, _)) = rx.recv_from(&mut buf) {
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    assert_eq!(
        got,
        ["ucast"],
        "the bridge must drop multicast, not unicast"
    );
}

fn p2mp_conf(n: usize) -> String {
    format!(
        "hostname r{n}\ninterface eth0\n ip ospf network point-to-multipoint\n{TIMERS}\
         router ospf\n ospf router-id 10.0.9.{n}\n network 10.0.9.0/24 area 0\n network {}/32 area 0\n",
        lo(n)
    )
}

/// Routers 1 (ours, then FRR) and 2 (FRR) with FRR's point-to-multipoint configuration,
/// router 3 BIRD with its own (`type ptmp`, its neighbors listed: BIRD sends its Hellos
/// unicast).
#[test]
fn point_to_multipoint_segment_same_routes_as_frr() {
    if !can_run("point_to_multipoint_segment_same_routes_as_frr", true, true) {
        return;
    }
    // Complete: every other router's loopback through that router. Each router also
    // announces its segment address as a /32 stub (§C.3), which is not installed
    // through itself (the connected /24 reaches it; FRR's zebra refuses such routes),
    // and nobody announces the /24.
    let complete = |i: usize, r: &Routes| {
        (1..=3).filter(|m| *m != i + 1).all(|m| {
            let via: BTreeSet<Ipv4Addr> = [Ipv4Addr::new(10, 0, 9, m as u8)].into();
            r.get(&format!("{}/32", lo(m))) == Some(&via)
        })
    };
    let (ours, frr) = segment_twice("ipm", p2mp_conf, None, false, (None, None), complete);
    for (i, r) in ours.iter().enumerate() {
        let mut want: Vec<String> = (1..=3)
            .filter(|m| *m != i + 1)
            .map(|m| format!("{}/32", lo(m)))
            .collect();
        want.sort();
        assert_eq!(
            r.keys().cloned().collect::<Vec<_>>(),
            want,
            "router {}",
            i + 1
        );
    }
    same_routes("point-to-multipoint", &ours, &frr);
}

/// Point-to-multipoint with BIRD 2.0: BIRD's `type ptmp` sends its Hellos unicast to its
/// configured neighbors and joins no multicast group (RFC 2328 §9.5: a separate Hello to
/// each neighbor), which is our `point-to-multipoint non-broadcast`. FRR 8.4 has no
/// non-broadcast variant, so this segment is ours and two BIRDs, on a bridge that floods
/// no multicast, and each router's table is checked against the topology instead of
/// against an FRR run.
#[test]
fn point_to_multipoint_non_broadcast_segment_with_bird() {
    if !can_run(
        "point_to_multipoint_non_broadcast_segment_with_bird",
        false,
        true,
    ) {
        return;
    }
    let lan = Bridge::new("ipbb").unwrap();
    let ns: Vec<Netns> = (1..=3)
        .map(|n| Netns::new(&format!("ipb{n}")).unwrap())
        .collect();
    for (i, r) in ns.iter().enumerate() {
        lan.attach(r, "eth0").unwrap();
        r.add_addr("eth0", &format!("10.0.9.{}/24", i + 1)).unwrap();
        r.add_loopback_addr(&format!("{}/32", lo(i + 1))).unwrap();
    }
    multicast_blocked(&lan, &ns);
    let neighbors: String = (2..=3).map(|m| format!(" neighbor 10.0.9.{m}\n")).collect();
    let ours = OspfRs::start(
        &ns[0],
        &format!(
            "hostname r1\ninterface eth0\n ip ospf network point-to-multipoint non-broadcast\n{TIMERS}\
             router ospf\n ospf router-id 10.0.9.1\n network 10.0.9.0/24 area 0\n network {}/32 area 0\n{neighbors}",
            lo(1)
        ),
        true,
    )
    .expect("start our runtime");
    let birds: Vec<Bird> = (2..=3)
        .map(|n| Bird::start(&ns[n - 1], &bird_conf(n, "ptmp", false)).expect("start BIRD"))
        .collect();
    let start = Instant::now();
    while !(ours.full_neighbors() == 2 && birds.iter().all(|b| b.full_neighbors() == 2)) {
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "not every adjacency Full within 40 s: ours {:?}, BIRDs {:?}",
            ours.neighbors(),
            birds.iter().map(Bird::ospf_neighbors).collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Every router reaches the others' loopbacks through their segment addresses and, as
    // §C.3 wants, no router announces the /24 (BIRD installs its own device route to it).
    let complete = |i: usize, r: &Routes| {
        (1..=3).filter(|m| *m != i + 1).all(|m| {
            let via: BTreeSet<Ipv4Addr> = [Ipv4Addr::new(10, 0, 9, m as u8)].into();
            r.get(&format!("{}/32", lo(m))) == Some(&via)
        })
    };
    let refs: Vec<&Netns> = ns.iter().collect();
    let routes = settled_routes(
        &refs,
        &["ospf", "bird", "bird"],
        |i| format!("10.0.9.{}/32", i + 1),
        complete,
    );
    let want: Vec<String> = (2..=3).map(|m| format!("{}/32", lo(m))).collect();
    assert_eq!(routes[0].keys().cloned().collect::<Vec<_>>(), want, "ours");
    // BIRD also installs each neighbor's §C.3 /32 stub through that neighbor (FRR and we
    // leave those to the connected /24) and a device route to its own loopback, and
    // nothing else.
    for (k, r) in routes.iter().enumerate().skip(1) {
        let mut want = Routes::from([(format!("{}/32", lo(k + 1)), BTreeSet::new())]);
        for m in (1..=3).filter(|m| *m != k + 1) {
            let via: BTreeSet<Ipv4Addr> = [Ipv4Addr::new(10, 0, 9, m as u8)].into();
            want.insert(format!("{}/32", lo(m)), via.clone());
            want.insert(format!("10.0.9.{m}/32"), via);
        }
        assert_eq!(r, &want, "BIRD {}", k + 1);
    }
}

fn nbma_conf(n: usize) -> String {
    // Router 1 priority 3 (the DR), 2 priority 2, 3 priority 1; each lists the others
    // with their priorities and a 2 s poll interval (FRR's default 120 s is too slow
    // for a test).
    let prio = |m: usize| 4 - m;
    let neighbors: String = (1..=3)
        .filter(|m| *m != n)
        .map(|m| {
            format!(
                " neighbor 10.0.9.{m} priority {} poll-interval 2\n",
                prio(m)
            )
        })
        .collect();
    format!(
        "hostname r{n}\ninterface eth0\n ip ospf network non-broadcast\n ip ospf priority {}\n{TIMERS}\
         router ospf\n ospf router-id 10.0.9.{n}\n network 10.0.9.0/24 area 0\n network {}/32 area 0\n{neighbors}",
        prio(n),
        lo(n)
    )
}

/// Router `n` of a three-router segment as BIRD 2.0 spells it: interface type `ty`
/// (`nbma` or `ptmp`), the other two routers as configured neighbors (`eligible` on NBMA),
/// the priority and poll interval of [`nbma_conf`], and the same timers.
fn bird_conf(n: usize, ty: &str, eligible: bool) -> String {
    let neighbors: String = (1..=3)
        .filter(|m| *m != n)
        .map(|m| format!("10.0.9.{m}{}; ", if eligible { " eligible" } else { "" }))
        .collect();
    format!(
        "router id 10.0.9.{n};\nprotocol device {{ scan time 1; }}\n\
         protocol kernel {{ ipv4 {{ export all; }}; merge paths on; }}\n\
         protocol ospf v2 {{\n  ipv4 {{ import all; export none; }};\n  ecmp yes;\n  area 0 {{\n    \
         interface \"eth0\" {{ type {ty}; priority {}; hello 1; dead 4; poll 2; neighbors {{ {neighbors}}}; }};\n    \
         interface \"lo\" 192.168.{n}.1/32 {{ stub yes; }};\n  }};\n}}\n",
        4 - n
    )
}

/// Routers 1 (ours, then FRR) and 2 (FRR) with FRR's NBMA configuration, router 3 BIRD
/// with its own: unicast Hellos only, DR election among the three.
#[test]
fn nbma_segment_without_multicast_same_routes_as_frr() {
    if !can_run(
        "nbma_segment_without_multicast_same_routes_as_frr",
        true,
        true,
    ) {
        return;
    }
    let complete = |i: usize, r: &Routes| {
        (1..=3).filter(|m| *m != i + 1).all(|m| {
            let via: BTreeSet<Ipv4Addr> = [Ipv4Addr::new(10, 0, 9, m as u8)].into();
            r.get(&format!("{}/32", lo(m))) == Some(&via)
        })
    };
    let (ours, frr) = segment_twice(
        "inb",
        nbma_conf,
        Some(bird_conf(3, "nbma", true)),
        true,
        (
            Some(Ipv4Addr::new(10, 0, 9, 1)),
            Some(Ipv4Addr::new(10, 0, 9, 2)),
        ),
        complete,
    );
    same_routes("NBMA", &ours, &frr);
}

fn unnumbered_conf(n: usize) -> String {
    format!(
        "hostname r{n}\ninterface eth0\n ip ospf network point-to-point\n{TIMERS}\
         router ospf\n ospf router-id {}\n network {}/32 area 0\n network 10.20.{n}.0/24 area 0\n",
        lo(n),
        lo(n)
    )
}

#[test]
fn unnumbered_point_to_point_same_routes_as_frr() {
    if !can_run("unnumbered_point_to_point_same_routes_as_frr", true, false) {
        return;
    }
    // Two routers on one veth pair; each link end carries only the router's loopback
    // address as a /32 (FRR's unnumbered interface), and each router has a stub subnet
    // 10.20.N.0/24 on a second, passive-by-nature link end (a veth to nowhere).
    let a = Netns::new("iun1").unwrap();
    let b = Netns::new("iun2").unwrap();
    veth(&a, "eth0", &b, "eth0").unwrap();
    for (n, ns) in [(1, &a), (2, &b)] {
        ns.add_loopback_addr(&format!("{}/32", lo(n))).unwrap();
        ns.add_addr("eth0", &format!("{}/32", lo(n))).unwrap();
        ns.ip(&[
            "link", "add", "stub0", "type", "veth", "peer", "name", "stub1",
        ])
        .unwrap();
        ns.link_up("stub0").unwrap();
        ns.link_up("stub1").unwrap();
        ns.add_addr("stub0", &format!("10.20.{n}.1/24")).unwrap();
    }
    let refs = [&a, &b];
    let complete = |i: usize, r: &Routes| {
        let m = 2 - i;
        let via: BTreeSet<Ipv4Addr> = [lo(m).parse().unwrap()].into();
        r.get(&format!("{}/32", lo(m))) == Some(&via)
            && r.get(&format!("10.20.{m}.0/24")) == Some(&via)
    };
    let mut runs = Vec::new();
    for ours in [true, false] {
        let r1 = Router1::start(&a, &unnumbered_conf(1), ours);
        let r2 = Frr::start(&b, &frr_conf::zebra("r2"), &unnumbered_conf(2)).unwrap();
        wait("the unnumbered adjacency", Duration::from_secs(30), || {
            r1.full_neighbors() == 1 && r2.full_neighbors() == 1
        });
        runs.push(settled_routes(
            &refs,
            &["ospf", "ospf"],
            |i| format!("{}/32", lo(i + 1)),
            complete,
        ));
        // The routes through the unnumbered link are on-link: the gateway is on no
        // subnet of ours.
        let line = a.ip_line("-4 route show 192.168.2.1").unwrap_or_default();
        assert!(
            line.contains("via 192.168.2.1 dev eth0") && line.contains("onlink"),
            "{line}"
        );
        drop(r2);
        drop(r1);
        for r in refs {
            wait("old routes gone", Duration::from_secs(10), || {
                r.kernel_routes("ospf").is_ok_and(|x| x.is_empty())
            });
        }
    }
    same_routes("unnumbered point-to-point", &runs[0], &runs[1]);
}
