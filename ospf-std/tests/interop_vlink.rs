//! Virtual links (RFC 2328 §15) against FRR 8.4 in network namespaces the test creates:
//!
//! ```text
//! r0 --area 0-- A ==area 1: A -- m -- B (two hops)== B --area 2-- r2
//!               \__________ virtual link A <-> B __________/
//! ```
//!
//! Area 2 has no backbone link of its own: only the virtual link across the transit
//! area 1 joins it to area 0, and its packets cross `m` (unicast, TTL above 1). The A–m
//! link is a broadcast network, the others point-to-point.
//!
//! The check that matters: the same `ospfd.conf` text runs first in FRR's ospfd, then in
//! our router, as the virtual-link endpoint A (B, at the far end, is FRR in both runs);
//! every router of the topology (A included) must end with the same kernel routes
//! (prefix, type, metric, next hops), and the FRR routers with the same OSPF routes
//! (metric, next hops), in both runs. FRR's B must list us as a Full virtual neighbor.
//!
//! Then BIRD 2.0.12 at B with our router as A (one run, the same paths and costs as with
//! FRR at B asserted): BIRD lists us as a Full neighbor on its virtual link.
//!
//! Needs root, FRR and (for the second test) BIRD; without them the tests print why and
//! return.

mod common;
mod interop;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use interop::tables::{Tables, add_frr, add_stub, diff, frr_table, kernel_table, settled};
use interop::{can_run, wait};
use ospf_testbed::{Bird, Frr, Netns, OspfRs, frr_conf, veth};

/// Every link is a veth pair, point-to-point (no Wait timer, no DR election) but for the
/// A–m link, a broadcast network with a DR (BIRD finds a virtual-link endpoint's address
/// only through a transit network: its OSPFv2 SPF takes it from the endpoint's link to
/// one); hello 1 s, dead 4 s.
const TIMERS: &str =
    " ip ospf network point-to-point\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n";
/// The A–m link's interface lines.
const LAN_TIMERS: &str = " ip ospf hello-interval 1\n ip ospf dead-interval 4\n";

/// Endpoint A's configuration, given verbatim to FRR and then to us.
fn a_conf() -> String {
    format!(
        "hostname a\n\
         interface eth0\n{TIMERS}!\n\
         interface eth1\n{LAN_TIMERS}!\n\
         router ospf\n \
         ospf router-id 10.255.0.1\n \
         network 10.0.0.0/24 area 0\n \
         network 10.1.0.0/24 area 1\n \
         area 0.0.0.1 virtual-link 10.255.0.2 hello-interval 1 dead-interval 4\n\
         !\n"
    )
}

/// Endpoint B (FRR in both runs).
fn b_conf() -> String {
    format!(
        "hostname b\n\
         interface eth0\n{TIMERS}!\n\
         interface eth1\n{TIMERS}!\n\
         router ospf\n \
         ospf router-id 10.255.0.2\n \
         network 10.2.0.0/24 area 1\n \
         network 10.3.0.0/24 area 2\n \
         area 0.0.0.1 virtual-link 10.255.0.1 hello-interval 1 dead-interval 4\n\
         !\n"
    )
}

/// A router of one area: LAN interfaces (hello 1, dead 4) and one passive stub network.
fn inner_conf(rid: &str, area: u32, lans: &[(&str, &str, &str)], stub: Option<&str>) -> String {
    let mut s = String::new();
    for (ifname, _, timers) in lans {
        s.push_str(&format!("interface {ifname}\n{timers}!\n"));
    }
    s.push_str(&format!("router ospf\n ospf router-id {rid}\n"));
    for (_, net, _) in lans {
        s.push_str(&format!(" network {net} area {area}\n"));
    }
    if let Some(net) = stub {
        s.push_str(&format!(
            " network {net} area {area}\n passive-interface stub0\n"
        ));
    }
    s
}

struct Topology {
    a: Netns,
    r0: (Netns, Frr),
    m: (Netns, Frr),
    b: (Netns, Frr),
    r2: (Netns, Frr),
}

impl Topology {
    fn tables(&self) -> Tables {
        let mut t = Tables::from([("a kernel".to_owned(), kernel_table(&self.a, "ospf"))]);
        for (name, r) in [
            ("r0", &self.r0),
            ("m", &self.m),
            ("b", &self.b),
            ("r2", &self.r2),
        ] {
            add_frr(&mut t, name, r);
        }
        t
    }

    /// B's virtual neighbor A, as `show ip ospf neighbor` prints it.
    fn b_sees_a_full(&self) -> bool {
        self.b
            .1
            .vtysh("show ip ospf neighbor")
            .unwrap_or_default()
            .lines()
            .any(|l| l.starts_with("10.255.0.1 ") && l.contains("Full") && l.contains("VLINK0"))
    }
}

/// The five namespaces (A, r0, m, B, r2; forwarding on), their veth links and addresses,
/// and the stub networks of r0 (10.200.0.0/24) and r2 (10.210.0.0/24).
fn namespaces(tag: &str) -> [Netns; 5] {
    let ns = |n: &str| Netns::new(&format!("{tag}{n}")).unwrap();
    let (a, r0, m, b, r2) = (ns("a"), ns("r0"), ns("m"), ns("b"), ns("r2"));
    for ns in [&a, &r0, &m, &b, &r2] {
        ns.sysctl("net.ipv4.ip_forward", "1").unwrap();
    }
    veth(&r0, "eth0", &a, "eth0").unwrap();
    veth(&a, "eth1", &m, "eth0").unwrap();
    veth(&m, "eth1", &b, "eth0").unwrap();
    veth(&b, "eth1", &r2, "eth0").unwrap();
    for (ns, ifname, cidr) in [
        (&r0, "eth0", "10.0.0.2/24"),
        (&a, "eth0", "10.0.0.1/24"),
        (&a, "eth1", "10.1.0.1/24"),
        (&m, "eth0", "10.1.0.2/24"),
        (&m, "eth1", "10.2.0.2/24"),
        (&b, "eth0", "10.2.0.3/24"),
        (&b, "eth1", "10.3.0.3/24"),
        (&r2, "eth0", "10.3.0.4/24"),
    ] {
        ns.add_addr(ifname, cidr).unwrap();
    }
    add_stub(&r0, "stub0", "10.200.0.1/24");
    add_stub(&r2, "stub0", "10.210.0.1/24");
    [a, r0, m, b, r2]
}

/// FRR's r0, m and r2 (the routers of one area each).
fn inner_routers(r0: &Netns, m: &Netns, r2: &Netns) -> (Frr, Frr, Frr) {
    let frr = |ns: &Netns, name: &str, conf: &str| {
        Frr::start(ns, &frr_conf::zebra(name), conf).expect("start FRR")
    };
    (
        frr(
            r0,
            "r0",
            &inner_conf(
                "10.255.0.10",
                0,
                &[("eth0", "10.0.0.0/24", TIMERS)],
                Some("10.200.0.0/24"),
            ),
        ),
        frr(
            m,
            "m",
            &inner_conf(
                "10.255.0.20",
                1,
                &[
                    ("eth0", "10.1.0.0/24", LAN_TIMERS),
                    ("eth1", "10.2.0.0/24", TIMERS),
                ],
                None,
            ),
        ),
        frr(
            r2,
            "r2",
            &inner_conf(
                "10.255.0.30",
                2,
                &[("eth0", "10.3.0.0/24", TIMERS)],
                Some("10.210.0.0/24"),
            ),
        ),
    )
}

#[test]
fn same_conf_as_frr_virtual_link_endpoint_gives_same_routes_everywhere() {
    if !can_run("vlink_endpoint", true, false) {
        return;
    }
    let start = Instant::now();
    let [a, r0, m, b, r2] = namespaces("vl");
    let (r0f, mf, r2f) = inner_routers(&r0, &m, &r2);
    let bf = Frr::start(&b, &frr_conf::zebra("b"), &b_conf()).expect("start FRR as B");
    let topo = Topology {
        a,
        r0: (r0, r0f),
        m: (m, mf),
        b: (b, bf),
        r2: (r2, r2f),
    };
    // Only the virtual link carries these: area 2 to the backbone and back.
    let across = |t: &Topology| {
        kernel_table(&t.r0.0, "ospf").contains_key("10.210.0.0/24")
            && kernel_table(&t.r0.0, "ospf").contains_key("10.3.0.0/24")
            && kernel_table(&t.r2.0, "ospf").contains_key("10.200.0.0/24")
            && kernel_table(&t.r2.0, "ospf").contains_key("10.0.0.0/24")
    };

    // Run 1: FRR's ospfd is A.
    let mut frr_a = Frr::start(&topo.a, &frr_conf::zebra("a"), &a_conf()).unwrap();
    let learned = wait(
        "area 2 and the backbone reach each other over FRR's virtual link",
        Duration::from_secs(40),
        || across(&topo) && topo.b_sees_a_full(),
    );
    let with_frr = settled(
        || topo.tables(),
        Duration::from_secs(3),
        Duration::from_secs(20),
    );
    let run1 = start.elapsed();
    // What the virtual link does, in short (the rest is compared whole below): r0 reaches
    // area 2 through A, whose route leaves through m, the transit path.
    assert!(
        with_frr["r0 kernel"]["10.210.0.0/24"].ends_with("via 10.0.0.1"),
        "{with_frr:#?}"
    );
    assert!(
        with_frr["a kernel"]["10.210.0.0/24"].ends_with("via 10.1.0.2"),
        "{with_frr:#?}"
    );
    // 10 (r0-A) + 20 (A-m-B, the virtual link's cost) + 10 (B-r2) + 10 (r2's stub).
    assert!(
        with_frr["r0 ospf"]["10.210.0.0/24"].starts_with("metric 50 "),
        "{with_frr:#?}"
    );

    // Between the runs: FRR's A goes, and the area-2 routes leave the backbone.
    frr_a.stop();
    wait(
        "the backbone forgets area 2",
        Duration::from_secs(20),
        || !kernel_table(&topo.r0.0, "ospf").contains_key("10.210.0.0/24"),
    );
    assert!(kernel_table(&topo.a, "ospf").is_empty());

    // Run 2: our router with the same file.
    let t2 = Instant::now();
    let ours = OspfRs::start(&topo.a, &a_conf(), true).expect("start our runtime");
    let mut last = BTreeMap::new();
    let same = ospf_testbed::wait_for(Duration::from_secs(40), Duration::from_millis(300), || {
        last = topo.tables();
        (last == with_frr && topo.b_sees_a_full()).then_some(())
    });
    if let Err(e) = same {
        panic!(
            "the same ospfd.conf gives other routes with our endpoint ({e}; B sees us Full: {}):\n{}",
            topo.b_sees_a_full(),
            diff(&with_frr, &last)
        );
    }
    let converged = t2.elapsed();
    let settled = settled(
        || topo.tables(),
        Duration::from_secs(3),
        Duration::from_secs(20),
    );
    assert!(settled == with_frr, "{}", diff(&with_frr, &settled));
    // Our side of it: the virtual interface is up towards B's address on the far side
    // of m, with the transit path's cost.
    let vl = ours
        .with(|rt| {
            rt.instance()
                .virtual_links()
                .map(|v| (v.peer, v.peer_addr, v.local_addr, v.cost))
                .collect::<Vec<_>>()
        })
        .unwrap();
    assert_eq!(
        vl,
        vec![(
            "10.255.0.2".parse().unwrap(),
            "10.2.0.3".parse().unwrap(),
            "10.1.0.1".parse().unwrap(),
            20
        )]
    );
    // And as `show` prints it, FRR's way: the virtual interface and its neighbor.
    let snap = ours.handle().snapshot().expect("snapshot");
    let t = snap.interface_text();
    assert!(
        t.contains("VLINK0 is up") && t.contains("Network Type VIRTUALLINK, Cost: 20"),
        "{t}"
    );
    let n = snap.neighbor_text();
    assert!(
        n.lines().any(|l| l.starts_with("10.255.0.2 ")
            && l.contains("FULL/")
            && l.contains("VLINK0:10.1.0.1")),
        "{n}"
    );
    eprintln!(
        "FRR as A: routes across the virtual link in {:.1} s, settled at {:.1} s; ours \
         converged to the same tables in {:.1} s; test {:.1} s",
        learned.as_secs_f64(),
        run1.as_secs_f64(),
        converged.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    ours.shutdown().unwrap();
}

/// BIRD as endpoint B: the same links, its virtual link declared in the transit area.
fn b_bird_conf() -> String {
    "router id 10.255.0.2;\n\
     protocol device { scan time 1; }\n\
     protocol kernel { ipv4 { export all; }; merge paths on; }\n\
     protocol ospf v2 {\n  ipv4 { import all; export none; };\n  ecmp yes;\n  \
     area 0 { };\n  \
     area 1 {\n    interface \"eth0\" { type ptp; hello 1; dead 4; };\n    \
     virtual link 10.255.0.1 { hello 1; dead 4; };\n  };\n  \
     area 2 {\n    interface \"eth1\" { type ptp; hello 1; dead 4; };\n  };\n}\n"
        .to_owned()
}

#[test]
fn bird_at_the_far_end_of_our_virtual_link() {
    if !can_run("vlink_bird", true, true) {
        return;
    }
    let start = Instant::now();
    let [a, r0, m, b, r2] = namespaces("vk");
    let (r0f, _mf, _r2f) = inner_routers(&r0, &m, &r2);
    let bird = Bird::start(&b, &b_bird_conf()).expect("start BIRD as B");
    let ours = OspfRs::start(&a, &a_conf(), true).expect("start our runtime");
    let bird_sees_us_full = || {
        bird.birdc("show ospf neighbors")
            .unwrap_or_default()
            .lines()
            .any(|l| l.starts_with("10.255.0.1") && l.contains("Full") && l.contains("vlink"))
    };
    // Only the virtual link carries these: area 2 to the backbone and back, and the
    // backbone's routes to BIRD's own kernel.
    let across =
        ospf_testbed::wait_for(Duration::from_secs(40), Duration::from_millis(200), || {
            (bird_sees_us_full()
                && kernel_table(&r0, "ospf").contains_key("10.210.0.0/24")
                && kernel_table(&r2, "ospf").contains_key("10.200.0.0/24")
                && kernel_table(&b, "bird").contains_key("10.200.0.0/24"))
            .then_some(())
        });
    let took = match across {
        Ok((_, took)) => took,
        Err(e) => panic!(
            "area 2 and the backbone never reached each other over the link to BIRD ({e}):\n\
             BIRD's neighbors: {}\nours: {:?}\nr0: {:#?}\nr2: {:#?}\nBIRD: {:#?}",
            bird.birdc("show ospf neighbors").unwrap_or_default()
                + &bird.birdc("show ospf interface").unwrap_or_default(),
            ours.with(|rt| {
                let i = rt.instance();
                let v: Vec<_> = i.virtual_links().collect();
                let c: Vec<_> = i
                    .interfaces()
                    .map(|x| (x.ifindex, x.counters.received, x.counters.dropped_total()))
                    .collect();
                format!("{v:?}, received and dropped per interface {c:?}")
            }),
            kernel_table(&r0, "ospf"),
            kernel_table(&r2, "ospf"),
            kernel_table(&b, "bird"),
        ),
    };
    // The same paths and costs as with FRR at B (see the test above): r0 through A, A
    // through m, 50 from r0 to r2's stub; BIRD reaches r0's stub through m.
    let (ra, r0k, r0o) = (
        kernel_table(&a, "ospf"),
        kernel_table(&r0, "ospf"),
        frr_table(&r0f),
    );
    assert!(ra["10.210.0.0/24"].ends_with("via 10.1.0.2"), "{ra:#?}");
    assert!(r0k["10.210.0.0/24"].ends_with("via 10.0.0.1"), "{r0k:#?}");
    assert!(r0o["10.210.0.0/24"].starts_with("metric 50 "), "{r0o:#?}");
    let bk = kernel_table(&b, "bird");
    assert!(bk["10.200.0.0/24"].ends_with("via 10.2.0.2"), "{bk:#?}");
    let vl = ours
        .with(|rt| {
            rt.instance()
                .virtual_links()
                .map(|v| (v.peer_addr, v.cost, v.neighbor))
                .collect::<Vec<_>>()
        })
        .unwrap();
    assert_eq!(
        vl,
        vec![(
            "10.2.0.3".parse().unwrap(),
            20,
            Some(ospf_core::neighbor::NeighborState::Full)
        )]
    );
    eprintln!(
        "BIRD as B: routes across our virtual link {:.1} s after start; test {:.1} s",
        took.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    ours.shutdown().unwrap();
}
