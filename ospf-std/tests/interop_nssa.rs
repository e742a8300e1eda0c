//! NSSA options (RFC 3101) against FRR 8.4 and BIRD 2.0 in network namespaces the test
//! creates: a border router between a backbone FRR router and an NSSA holding an FRR
//! ASBR (a redistributed kernel route) and a BIRD router, configured `area 1 nssa
//! translate-always` and `area 1 nssa suppress-fa` (FRR 8.4's separate lines).
//!
//! The check that matters: the same `ospfd.conf` text runs first in FRR's ospfd, then in
//! our router, as that border router; every router ends with the same kernel routes and
//! the same OSPF routes in both runs, and the backbone holds the translation with
//! forwarding address 0.0.0.0 from the border router. The one difference is by design:
//! FRR 8.4 announces a type-3 default into the NSSA, which RFC 3101 §2.7 forbids while
//! summaries are imported; we do not. Then our router alone (FRR 8.4 has
//! no NSSA `default-information-originate`) announces a type-7 default: FRR and BIRD in
//! the NSSA route 0.0.0.0/0 to it, the backbone gets none.
//!
//! Needs root, FRR and BIRD; without them the test prints why and returns.

mod common;
mod interop;

use std::time::{Duration, Instant};

use interop::tables::{Tables, add_bird, add_frr, diff, frr_table, kernel_table, settled};
use interop::{TIMERS, can_run, wait};
use ospf_std::conf::OspfdConf;
use ospf_testbed::{Bird, Frr, Netns, OspfRs, frr_conf, veth};

/// The border router's configuration, given verbatim to FRR and then to us, with `extra`
/// lines under `router ospf`.
fn abr_conf(extra: &str) -> String {
    format!(
        "hostname abr\n\
         interface eth0\n{TIMERS}!\n\
         interface eth1\n{TIMERS}!\n\
         interface eth2\n{TIMERS}!\n\
         router ospf\n \
         ospf router-id 10.50.0.1\n \
         network 10.50.1.0/24 area 0\n \
         network 10.50.2.0/24 area 1\n \
         network 10.50.3.0/24 area 1\n \
         area 1 nssa translate-always\n \
         area 1 nssa suppress-fa\n\
         {extra}!\n"
    )
}

/// The backbone FRR router (eth0 to the border router).
fn backbone_conf() -> String {
    format!(
        "interface eth0\n{TIMERS}!\nrouter ospf\n ospf router-id 10.50.0.2\n \
         network 10.50.1.0/24 area 0\n!\n"
    )
}

/// The FRR router inside the NSSA, redistributing its kernel routes (type-7 LSAs).
fn nssa_frr_conf() -> String {
    format!(
        "interface eth0\n{TIMERS}!\nrouter ospf\n ospf router-id 10.50.0.4\n \
         network 10.50.2.0/24 area 1\n area 1 nssa\n redistribute kernel\n!\n"
    )
}

/// The BIRD router inside the NSSA.
fn nssa_bird_conf() -> String {
    "router id 10.50.0.3;\nprotocol device { scan time 1; }\n\
     protocol kernel { ipv4 { export all; }; merge paths on; }\n\
     protocol ospf v2 {\n  ipv4 { import all; export none; };\n  ecmp yes;\n  area 1 {\n    \
     nssa;\n    interface \"eth0\" { type broadcast; hello 1; dead 4; };\n  };\n}\n"
        .to_owned()
}

struct Topology {
    abr: Netns,
    bb: (Netns, Frr),
    frr: (Netns, Frr),
    bird: (Netns, Bird),
}

impl Topology {
    fn tables(&self) -> Tables {
        let mut t = Tables::from([("abr kernel".to_owned(), kernel_table(&self.abr, "ospf"))]);
        add_frr(&mut t, "backbone", &self.bb);
        add_frr(&mut t, "nssa frr", &self.frr);
        add_bird(&mut t, "nssa bird", &self.bird);
        t
    }

    /// The backbone router's type-5 LSA for 10.77.0.0 as FRR prints it.
    fn translation(&self) -> String {
        self.bb
            .1
            .vtysh("show ip ospf database external 10.77.0.0")
            .unwrap_or_default()
    }

    fn has(&self, ns: &Netns, proto: &str, prefix: &str) -> bool {
        kernel_table(ns, proto).contains_key(prefix)
    }

    /// Waits until the backbone reaches the translated route and the NSSA the backbone.
    fn converged(&self, who: &str) {
        wait(
            &format!("routes through the border router ({who})"),
            Duration::from_secs(60),
            || {
                self.has(&self.bb.0, "ospf", "10.77.0.0/24")
                    && self.has(&self.frr.0, "ospf", "10.50.1.0/24")
                    && self.has(&self.bird.0, "bird", "10.50.1.0/24")
            },
        );
    }
}

/// Whether a table key is the default route's (`0.0.0.0/0`, or BIRD's `0.0.0.0/0 #n`).
fn is_default(key: &str) -> bool {
    key == "0.0.0.0/0" || key.starts_with("0.0.0.0/0 ")
}

/// The tables without their default routes.
fn without_default(t: &Tables) -> Tables {
    t.iter()
        .map(|(who, rows)| {
            let rows = rows
                .iter()
                .filter(|(k, _)| !is_default(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (who.clone(), rows)
        })
        .collect()
}

/// The translation's advertising router and forwarding address, from FRR's text.
fn translated_by_abr_without_fa(text: &str) -> bool {
    text.contains("Advertising Router: 10.50.0.1") && text.contains("Forward Address: 0.0.0.0")
}

#[test]
fn nssa_border_router_same_routes_as_frr_and_a_type7_default() {
    if !can_run("nssa_border_router", true, true) {
        return;
    }
    let start = Instant::now();
    let abr = Netns::new("nsabr").unwrap();
    let (bb, f, b) = (
        Netns::new("nsbb").unwrap(),
        Netns::new("nsfrr").unwrap(),
        Netns::new("nsbird").unwrap(),
    );
    for (k, ns, ifname) in [(1, &bb, "eth0"), (2, &f, "eth1"), (3, &b, "eth2")] {
        veth(&abr, ifname, ns, "eth0").unwrap();
        abr.add_addr(ifname, &format!("10.50.{k}.1/24")).unwrap();
        ns.add_addr("eth0", &format!("10.50.{k}.2/24")).unwrap();
    }
    // The NSSA ASBR's external route.
    f.add_route(&["blackhole", "10.77.0.0/24"]).unwrap();
    let frr_bb = Frr::start(&bb, &frr_conf::zebra("bb"), &backbone_conf()).unwrap();
    let frr_nssa = Frr::start(&f, &frr_conf::zebra("nssa"), &nssa_frr_conf()).unwrap();
    let bird = Bird::start(&b, &nssa_bird_conf()).unwrap();
    let topo = Topology {
        abr,
        bb: (bb, frr_bb),
        frr: (f, frr_nssa),
        bird: (b, bird),
    };

    // Run 1: FRR's ospfd is the border router.
    let mut frr_abr = Frr::start(&topo.abr, &frr_conf::zebra("abr"), &abr_conf("")).unwrap();
    topo.converged("FRR");
    let with_frr = settled(
        || topo.tables(),
        Duration::from_secs(3),
        Duration::from_secs(30),
    );
    let t = topo.translation();
    assert!(
        translated_by_abr_without_fa(&t),
        "FRR as border router: {t}"
    );
    let run1 = start.elapsed();
    frr_abr.stop();
    wait("FRR's routes gone", Duration::from_secs(20), || {
        !topo.has(&topo.bb.0, "ospf", "10.77.0.0/24") && kernel_table(&topo.abr, "ospf").is_empty()
    });

    // Run 2: our router with the same file.
    let t2 = Instant::now();
    let ours = OspfRs::start(&topo.abr, &abr_conf(""), true).unwrap();
    topo.converged("ours");
    let with_ours = settled(
        || topo.tables(),
        Duration::from_secs(3),
        Duration::from_secs(30),
    );
    // One difference by design: FRR 8.4 announces a type-3 default into every NSSA;
    // RFC 3101 §2.7 forbids that while summaries are imported (it would win over type-7
    // defaults), and we follow the RFC. Everything else must be the same.
    assert!(
        with_frr["nssa frr ospf"].contains_key("0.0.0.0/0")
            && with_frr["nssa bird kernel"].contains_key("0.0.0.0/0"),
        "FRR's type-3 default: {with_frr:#?}"
    );
    assert!(
        with_ours.values().all(|t| !t.keys().any(|k| is_default(k))),
        "no default from us: {with_ours:#?}"
    );
    let (with_frr, with_ours) = (without_default(&with_frr), without_default(&with_ours));
    assert!(
        with_ours == with_frr,
        "tables differ:\n{}",
        diff(&with_frr, &with_ours)
    );
    let t = topo.translation();
    assert!(
        translated_by_abr_without_fa(&t),
        "ours as border router: {t}"
    );
    let run2 = t2.elapsed();

    // Ours alone: a type-7 default into the NSSA (P bit clear: not translated).
    ours.handle()
        .reload(
            OspfdConf::parse(&abr_conf(
                " area 1 nssa default-information-originate metric 33\n",
            ))
            .unwrap(),
        )
        .unwrap();
    wait(
        "the NSSA routers' default route through us",
        Duration::from_secs(60),
        || {
            kernel_table(&topo.frr.0, "ospf")
                .get("0.0.0.0/0")
                .is_some_and(|r| r.ends_with("via 10.50.2.1"))
                && kernel_table(&topo.bird.0, "bird")
                    .get("0.0.0.0/0")
                    .is_some_and(|r| r.ends_with("via 10.50.3.1"))
        },
    );
    let frr_ospf = frr_table(&topo.frr.1);
    assert!(
        frr_ospf["0.0.0.0/0"].starts_with("metric 33 "),
        "{frr_ospf:#?}"
    );
    assert!(!topo.has(&topo.bb.0, "ospf", "0.0.0.0/0"), "not translated");
    println!(
        "FRR as border router settled at {:.1} s; ours converged to the same tables in {:.1} s",
        run1.as_secs_f64(),
        run2.as_secs_f64()
    );
}
