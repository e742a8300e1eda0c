//! Whole-network simulations: the anycast LAN, a 100-router mesh under loss, restarts
//! (RFC 2328 §13.4), dead neighbors (§10.3 InactivityTimer), flushing (§14.1), stub
//! routers (RFC 6987) and Hello/DD parameter checks (§10.5, §10.6).
#![cfg(feature = "sim")]

mod sim_util;

use core::net::Ipv4Addr;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType, Prng};
use ospf_core::instance::{DropReason, Event, ExternalRoute};
use ospf_core::interface::InterfaceState;
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{NodeId, SegmentId, Sim, SimConfig};
use ospf_core::time::Duration;
use ospf_core::wire::LsaType;
use sim_util::anycast_lan;

const AREA0: Scope = Scope::Area(Ipv4Addr::UNSPECIFIED);

fn rid(n: u32) -> Ipv4Addr {
    Ipv4Addr::from(0x0A00_0000 | n)
}

fn p2p(a: Ipv4Addr) -> InterfaceConfig {
    InterfaceConfig::new(a, 30).if_type(InterfaceType::PointToPoint)
}

/// A point-to-point link between `a` (at `base + 1`) and `b` (at `base + 2`) on the /30 at
/// `base`.
fn link_p2p(sim: &mut Sim, a: NodeId, b: NodeId, base: u32) -> SegmentId {
    sim.link(
        a,
        p2p(Ipv4Addr::from(base + 1)),
        b,
        p2p(Ipv4Addr::from(base + 2)),
    )
}

fn all_full(sim: &Sim, nodes: &[NodeId]) -> bool {
    nodes.iter().all(|n| {
        sim.instance(*n)
            .is_some_and(|i| i.neighbors().all(|x| x.state == NeighborState::Full))
    })
}

fn synchronized(sim: &Sim, nodes: &[NodeId]) -> bool {
    let first = sim.lsdb_fingerprint(nodes[0]);
    !first.is_empty() && nodes.iter().all(|n| sim.lsdb_fingerprint(*n) == first)
}

fn router_lsa(sim: &Sim, at: NodeId, of: Ipv4Addr) -> Option<&[u8]> {
    let key = LsaKey::new(LsaType::Router, of, of);
    sim.instance(at)?.lsa(AREA0, &key).map(|e| e.raw())
}

/// (link id, link data, type, metric) of a Router-LSA.
fn links(raw: &[u8]) -> Vec<(Ipv4Addr, Ipv4Addr, u8, u16)> {
    let n = usize::from(u16::from_be_bytes([raw[22], raw[23]]));
    (0..n)
        .map(|i| {
            let l = &raw[24 + 12 * i..36 + 12 * i];
            (
                Ipv4Addr::new(l[0], l[1], l[2], l[3]),
                Ipv4Addr::new(l[4], l[5], l[6], l[7]),
                l[8],
                u16::from_be_bytes([l[10], l[11]]),
            )
        })
        .collect()
}

#[test]
fn rfc2328_12_4_1_anycast_lan_synchronizes_with_host_stubs() {
    let (mut sim, router, servers) = anycast_lan(5);
    let mut all = vec![router];
    all.extend(&servers);
    let t = sim
        .run_until_true(Duration::from_secs(120), Duration::from_secs(1), |s| {
            // The router (DR) is Full with every server; servers (priority 0, DROthers)
            // are Full with the DR only and 2-Way with each other.
            let router_full = all_full(s, &[router]);
            let servers_ok = servers.iter().all(|n| {
                s.instance(*n).unwrap().neighbors().all(|x| {
                    let want = if x.router_id == Ipv4Addr::new(10, 0, 0, 1) {
                        NeighborState::Full
                    } else {
                        NeighborState::TwoWay
                    };
                    x.state == want
                }) && s.instance(*n).unwrap().neighbors().count() == 3
            });
            router_full && servers_ok && synchronized(s, &all)
        })
        .expect("the anycast LAN synchronizes");
    // Wait timer (40 s) + exchange.
    assert!(t.as_secs() <= 50, "synchronized at {t:?}");
    assert_eq!(
        sim.instance(router).unwrap().interface(1).unwrap().state,
        InterfaceState::Dr
    );
    for s in &servers {
        let inst = sim.instance(*s).unwrap();
        let full: Vec<_> = inst
            .neighbors()
            .filter(|n| n.state == NeighborState::Full)
            .map(|n| n.router_id)
            .collect();
        assert_eq!(
            full,
            [Ipv4Addr::new(10, 0, 0, 1)],
            "servers peer with the DR only"
        );
        let raw = router_lsa(&sim, router, inst.router_id()).unwrap();
        let l = links(raw);
        assert!(
            l.contains(&(Ipv4Addr::new(172, 16, 0, 1), Ipv4Addr::BROADCAST, 3, 0)),
            "host stub of cost 0 in {l:?}"
        );
        assert!(
            l.contains(&(Ipv4Addr::new(10, 0, 0, 1), inst.router_id(), 2, 10)),
            "transit link to the DR in {l:?}"
        );
    }
    // Router-LSAs of 4 routers and the DR's Network-LSA.
    assert_eq!(sim.lsdb_fingerprint(router).len(), 5);
}

#[test]
fn rfc2328_14_1_graceful_shutdown_flushes_own_lsas() {
    let (mut sim, router, servers) = anycast_lan(9);
    sim.run_for(Duration::from_secs(60));
    let gone = sim.instance(servers[0]).unwrap().router_id();
    assert!(router_lsa(&sim, router, gone).is_some());
    sim.command(servers[0], |i, now| i.shutdown(now));
    let done = sim
        .run_until_true(Duration::from_secs(10), Duration::from_millis(10), |s| {
            s.instance(servers[0]).unwrap().is_shutdown_complete()
        })
        .expect("shutdown completes");
    assert!(done.as_secs() <= 62, "flush acknowledged quickly: {done:?}");
    assert!(
        sim.events(servers[0])
            .iter()
            .any(|(_, e)| *e == Event::ShutdownComplete)
    );
    sim.crash(servers[0]);
    sim.run_for(Duration::from_secs(1));
    // The router dropped the server's Router-LSA at once, not after the dead interval.
    assert!(router_lsa(&sim, router, gone).is_none());
    for s in &servers[1..] {
        assert!(router_lsa(&sim, *s, gone).is_none());
    }
}

/// §13 step 5a: a receiver discards, unacknowledged, an instance that arrives within
/// MinLSArrival of the previous one. A shutdown that flushes an LSA originated just
/// before must therefore retry the flush soon after MinLSArrival, not after
/// RxmtInterval, or the caller's shutdown deadline cuts the drain off.
#[test]
fn rfc2328_13_5a_shutdown_flush_retried_after_min_ls_arrival() {
    let (mut sim, router, servers) = anycast_lan(11);
    sim.run_for(Duration::from_secs(60));
    let server = servers[0];
    let rid = sim.instance(server).unwrap().router_id();
    let prefix = Ipv4Addr::new(198, 51, 100, 0);
    sim.command(server, |i, now| {
        i.redistribute(now, ExternalRoute::new(prefix, 24))
    });
    let key = LsaKey::new(LsaType::AsExternal, prefix, rid);
    sim.run_until_true(Duration::from_secs(2), Duration::from_millis(1), |s| {
        s.instance(router).unwrap().lsa(Scope::As, &key).is_some()
    })
    .expect("the external LSA reaches the router");
    // The flush follows within MinLSArrival: the first copy is discarded.
    sim.run_for(Duration::from_millis(200));
    let start = sim.now();
    sim.command(server, |i, now| i.shutdown(now));
    let done = sim
        .run_until_true(Duration::from_secs(10), Duration::from_millis(10), |s| {
            s.instance(server).unwrap().is_shutdown_complete()
        })
        .expect("shutdown completes");
    let took = done - start;
    assert!(
        took < Duration::from_millis(2500),
        "flush acknowledged after one short retry, not RxmtInterval: {took:?}"
    );
    let e = sim.instance(router).unwrap().lsa(Scope::As, &key);
    assert!(
        e.is_none_or(|e| e.is_max_age(sim.now())),
        "router flushed the LSA"
    );
}

/// A random connected mesh: a ring plus random chords.
fn mesh(sim: &mut Sim, n: u32, extra: u32, seed: u64) -> Vec<NodeId> {
    let nodes: Vec<NodeId> = (1..=n)
        .map(|i| sim.add_router(InstanceConfig::new(rid(i)).jitter_seed(seed ^ u64::from(i))))
        .collect();
    let mut rng = Prng::new(seed);
    let mut subnet = 0u32;
    let mut connect = |sim: &mut Sim, a: usize, b: usize| {
        subnet += 1;
        let base = 0xC0A8_0000u32 + subnet * 4; // 192.168.x.y/30
        link_p2p(sim, nodes[a], nodes[b], base);
    };
    for i in 0..n as usize {
        connect(sim, i, (i + 1) % n as usize);
    }
    for _ in 0..extra {
        let a = rng.below(u64::from(n)) as usize;
        let b = rng.below(u64::from(n)) as usize;
        if a != b {
            connect(sim, a, b);
        }
    }
    nodes
}

fn converge_mesh(seed: u64, n: u32, extra: u32) {
    let cfg = SimConfig::seeded(seed)
        .impairments(50_000, 50_000, 50_000)
        .latency(Duration::from_micros(200), Duration::from_millis(5))
        .record_events(false);
    let mut sim = Sim::new(cfg);
    let nodes = mesh(&mut sim, n, extra, seed);
    // Each router redistributes one prefix: AS-scope flooding too.
    for (i, node) in nodes.iter().enumerate() {
        let p = Ipv4Addr::from(0xAC10_0000u32 + ((i as u32) << 8));
        sim.command(*node, |inst, now| {
            inst.redistribute(now, ExternalRoute::new(p, 24))
        });
    }
    let t = sim.run_until_true(Duration::from_secs(900), Duration::from_secs(5), |s| {
        all_full(s, &nodes) && synchronized(s, &nodes)
    });
    assert!(t.is_some(), "seed {seed}: no convergence");
    let fp = sim.lsdb_fingerprint(nodes[0]);
    assert_eq!(
        fp.len(),
        2 * n as usize,
        "seed {seed}: router + external LSAs"
    );
    let stats = sim.stats();
    assert!(
        stats.lost > 0 && stats.duplicated > 0,
        "impairments were applied"
    );
    // No LSA with a bad checksum anywhere.
    for node in &nodes {
        for l in sim.instance(*node).unwrap().lsdb(sim.now()) {
            assert!(ospf_core::lsdb::lsa_checksum_ok(l.raw));
        }
    }
}

#[test]
fn rfc2328_13_mesh_of_100_with_loss_duplication_reordering_converges() {
    for seed in [1u64, 2] {
        converge_mesh(seed, 100, 60);
    }
}

#[test]
fn rfc2328_13_small_meshes_converge_over_many_seeds() {
    for seed in 10..20u64 {
        converge_mesh(seed, 12, 8);
    }
}

/// Routers rid(1) (A, 10.0.0.1) and rid(2) (B, 10.0.0.2) on a point-to-point link.
fn p2p_pair(seed: u64) -> (Sim, NodeId, NodeId, SegmentId) {
    let mut sim = Sim::new(SimConfig::seeded(seed));
    let a = sim.add_router(InstanceConfig::new(rid(1)));
    let b = sim.add_router(InstanceConfig::new(rid(2)));
    let seg = link_p2p(&mut sim, a, b, u32::from(Ipv4Addr::new(10, 0, 0, 0)));
    (sim, a, b, seg)
}

#[test]
fn rfc2328_13_4_restarted_router_supersedes_or_flushes_stale_lsas() {
    let (mut sim, a, b, _) = p2p_pair(4);
    let ext = Ipv4Addr::new(198, 51, 100, 0);
    sim.command(a, |i, now| i.redistribute(now, ExternalRoute::new(ext, 24)));
    sim.run_for(Duration::from_secs(20));
    // Bump A's Router-LSA a few times (cost changes) so its sequence number is high.
    for cost in [20u16, 30, 40] {
        sim.command(a, |i, now| i.set_interface_cost(now, 1, cost).unwrap());
        sim.run_for(Duration::from_secs(6));
    }
    let old = router_lsa(&sim, b, rid(1)).unwrap();
    let old_seq = u32::from_be_bytes([old[12], old[13], old[14], old[15]]);
    assert!(old_seq >= 0x8000_0004);
    let ext_key = LsaKey::new(LsaType::AsExternal, ext, rid(1));
    assert!(sim.instance(b).unwrap().lsa(Scope::As, &ext_key).is_some());
    // Crash and restart A: the new instance neither knows its old sequence numbers nor
    // redistributes the prefix any more.
    sim.crash(a);
    sim.run_for(Duration::from_secs(5));
    sim.restart(a);
    sim.run_for(Duration::from_secs(30));
    assert!(all_full(&sim, &[a, b]));
    assert!(synchronized(&sim, &[a, b]));
    let new = router_lsa(&sim, b, rid(1)).unwrap();
    let new_seq = u32::from_be_bytes([new[12], new[13], new[14], new[15]]);
    assert!(
        (new_seq as i32) > (old_seq as i32),
        "superseded: {new_seq:#x} > {old_seq:#x}"
    );
    // The restarted router uses its configured cost again (10).
    assert!(links(new).iter().any(|l| l.2 == 1 && l.3 == 10));
    // The stale external is flushed everywhere.
    assert!(sim.instance(b).unwrap().lsa(Scope::As, &ext_key).is_none());
    assert!(sim.instance(a).unwrap().lsa(Scope::As, &ext_key).is_none());
}

#[test]
fn rfc2328_10_3_dead_neighbor_removed_after_dead_interval() {
    let (mut sim, a, b, seg) = p2p_pair(8);
    sim.run_for(Duration::from_secs(15));
    assert!(all_full(&sim, &[a, b]));
    sim.set_blocked(seg, true);
    let cut = sim.now();
    let gone = sim
        .run_until_true(Duration::from_secs(60), Duration::from_millis(100), |s| {
            s.instance(a).unwrap().neighbors().count() == 0
        })
        .expect("neighbor removed");
    let after = gone - cut;
    // Last Hello heard up to one HelloInterval before the cut; dead 40 s after it.
    assert!(
        after >= Duration::from_secs(29) && after <= Duration::from_secs(41),
        "removed {after:?} after the cut"
    );
    assert!(sim.events(a).iter().any(|(_, e)| matches!(
        e,
        Event::NeighborState {
            new: NeighborState::Down,
            reason: ospf_core::neighbor::NeighborEvent::InactivityTimer,
            ..
        }
    )));
    // A's Router-LSA no longer lists B.
    let raw = router_lsa(&sim, a, rid(1)).unwrap();
    assert!(links(raw).iter().all(|l| l.2 != 1));
}

#[test]
fn rfc6987_stub_router_advertises_max_link_metric() {
    let (mut sim, a, b, _) = p2p_pair(12);
    sim.run_for(Duration::from_secs(15));
    sim.command(a, |i, now| i.set_stub_router(now, true));
    sim.run_for(Duration::from_secs(2));
    let raw = router_lsa(&sim, b, rid(1)).unwrap();
    let l = links(raw);
    assert!(l.iter().any(|l| l.2 == 1 && l.3 == 0xFFFF), "{l:?}");
    // Stub links keep their cost.
    assert!(l.iter().any(|l| l.2 == 3 && l.3 == 10), "{l:?}");
    // Leaving stub-router mode restores the metric (after MinLSInterval).
    sim.command(a, |i, now| i.set_stub_router(now, false));
    sim.run_for(Duration::from_secs(7));
    let raw = router_lsa(&sim, b, rid(1)).unwrap();
    assert!(links(raw).iter().any(|l| l.2 == 1 && l.3 == 10));
}

#[test]
fn rfc2328_10_6_larger_neighbor_mtu_is_rejected_unless_ignored() {
    for ignore in [false, true] {
        let mut sim = Sim::new(SimConfig::seeded(2));
        let a = sim.add_router(InstanceConfig::new(rid(1)));
        let b = sim.add_router(InstanceConfig::new(rid(2)));
        sim.link(
            a,
            p2p(Ipv4Addr::new(10, 0, 0, 1)).mtu(1400).mtu_ignore(ignore),
            b,
            p2p(Ipv4Addr::new(10, 0, 0, 2)).mtu(1500),
        );
        sim.run_for(Duration::from_secs(30));
        let sa = sim.instance(a).unwrap().neighbors().next().unwrap().state;
        let drops = sim
            .instance(a)
            .unwrap()
            .counters(1)
            .unwrap()
            .dropped(DropReason::MtuMismatch);
        if ignore {
            assert_eq!(sa, NeighborState::Full);
            assert_eq!(drops, 0);
        } else {
            // A rejects B's larger MTU; B accepts A's smaller one.
            assert_eq!(sa, NeighborState::ExStart);
            assert!(drops > 0);
        }
    }
}

#[test]
fn rfc2328_10_5_hello_interval_mismatch_prevents_adjacency() {
    let mut sim = Sim::new(SimConfig::seeded(2));
    let a = sim.add_router(InstanceConfig::new(rid(1)));
    let b = sim.add_router(InstanceConfig::new(rid(2)));
    sim.link(
        a,
        p2p(Ipv4Addr::new(10, 0, 0, 1)),
        b,
        p2p(Ipv4Addr::new(10, 0, 0, 2)).hello_interval(5),
    );
    sim.run_for(Duration::from_secs(30));
    assert_eq!(sim.instance(a).unwrap().neighbors().count(), 0);
    let c = sim.instance(a).unwrap().counters(1).unwrap();
    assert!(c.dropped(DropReason::HelloMismatch) >= 3);
}

/// Chaos: LANs and links, link flaps, crashes and restarts under loss; once the network
/// is left alone every router holds the same LSDB, with no stale LSA of anyone.
fn chaos(seed: u64, loss_ppm: u32, corrupt_ppm: u32) {
    let cfg = SimConfig::seeded(seed)
        .impairments(loss_ppm, loss_ppm / 2, loss_ppm)
        .corruption(corrupt_ppm)
        .record_events(false);
    let mut sim = Sim::new(cfg);
    let mut rng = Prng::new(seed);
    let n = 20u32;
    let nodes: Vec<NodeId> = (1..=n)
        .map(|i| sim.add_router(InstanceConfig::new(rid(i)).jitter_seed(seed + u64::from(i))))
        .collect();
    let mut segs = Vec::new();
    // Three LANs of 4-6 routers with random priorities.
    let mut addr = 0u32;
    for lan in 0..3u32 {
        let seg = sim.add_segment();
        segs.push(seg);
        let size = 4 + rng.below(3) as usize;
        let mut members: Vec<NodeId> = Vec::new();
        while members.len() < size {
            let node = nodes[rng.below(u64::from(n)) as usize];
            if members.contains(&node) {
                continue;
            }
            members.push(node);
            addr += 1;
            let a = Ipv4Addr::from(0xC0A8_0000u32 + (lan << 8) + addr % 250 + 1);
            let prio = rng.below(3) as u8;
            sim.attach(node, seg, InterfaceConfig::new(a, 24).priority(prio));
        }
    }
    // A ring of p2p links plus chords.
    let mut sub = 0u32;
    let mut link = |sim: &mut Sim, a: usize, b: usize| {
        sub += 1;
        let base = 0xAC1F_0000u32 + sub * 4;
        link_p2p(sim, nodes[a], nodes[b], base)
    };
    for i in 0..n as usize {
        segs.push(link(&mut sim, i, (i + 1) % n as usize));
    }
    for _ in 0..10 {
        let a = rng.below(u64::from(n)) as usize;
        let b = rng.below(u64::from(n)) as usize;
        if a != b {
            segs.push(link(&mut sim, a, b));
        }
    }
    sim.run_for(Duration::from_secs(60));
    // Ten minutes of trouble.
    let mut crashed: Vec<NodeId> = Vec::new();
    for _ in 0..40 {
        match rng.below(4) {
            0 => {
                let s = segs[rng.below(segs.len() as u64) as usize];
                sim.set_link_up(s, false);
                sim.run_for(Duration::from_secs(rng.below(20)));
                sim.set_link_up(s, true);
            }
            1 => {
                let node = nodes[rng.below(u64::from(n)) as usize];
                if !crashed.contains(&node) {
                    sim.crash(node);
                    crashed.push(node);
                }
            }
            2 => {
                if let Some(node) = crashed.pop() {
                    sim.restart(node);
                }
            }
            _ => {
                let node = nodes[rng.below(u64::from(n)) as usize];
                let p = Ipv4Addr::from(0x6440_0000u32 + ((rng.below(8) as u32) << 8));
                sim.command(node, |i, now| {
                    if rng.below(2) == 0 {
                        i.redistribute(now, ExternalRoute::new(p, 24));
                    } else {
                        i.withdraw(now, p, 24);
                    }
                });
            }
        }
        sim.run_for(Duration::from_secs(rng.below(30)));
    }
    for node in crashed.drain(..) {
        sim.restart(node);
    }
    let ok = sim.run_until_true(Duration::from_secs(900), Duration::from_secs(10), |s| {
        synchronized(s, &nodes)
    });
    if ok.is_none() {
        let f0 = sim.lsdb_fingerprint(nodes[0]);
        for node in &nodes {
            let f = sim.lsdb_fingerprint(*node);
            let only: Vec<_> = f.iter().filter(|x| !f0.contains(x)).collect();
            let missing: Vec<_> = f0.iter().filter(|x| !f.contains(x)).collect();
            let inst = sim.instance(*node).unwrap();
            let nb: Vec<_> = inst
                .neighbors()
                .map(|x| {
                    (
                        x.ifindex,
                        x.router_id,
                        x.address,
                        x.priority,
                        x.state,
                        x.declared_dr,
                        x.declared_bdr,
                    )
                })
                .collect();
            let ifs: Vec<_> = inst
                .interfaces()
                .map(|i| (i.ifindex, i.config.address, i.state, i.dr, i.bdr))
                .collect();
            eprintln!(
                "{:?} only {only:?} missing {missing:?} nbrs {nb:?} ifs {ifs:?}",
                inst.router_id()
            );
        }
    }
    assert!(ok.is_some(), "seed {seed}: not synchronized after healing");
    // No Router-LSA of a router that is not running, and every running router's
    // Router-LSA is present (nobody is left with a stale one).
    let fp = sim.lsdb_fingerprint(nodes[0]);
    let routers: Vec<Ipv4Addr> = fp
        .iter()
        .filter(|(_, k, _, _)| k.lsa_type == 1)
        .map(|(_, k, _, _)| k.adv_router)
        .collect();
    assert_eq!(routers.len(), n as usize, "seed {seed}: {routers:?}");
}

#[test]
fn rfc2328_13_chaos_flaps_crashes_restarts_then_synchronized() {
    for seed in 2000u64..2008 {
        chaos(seed, 20_000, 0);
    }
}

#[test]
fn rfc2328_10_3_chaos_with_heavy_loss_and_corruption_then_synchronized() {
    // Found a flush lost to a router that was not yet adjacent when it was flooded:
    // MaxAge LSAs now go on the retransmission list at NegotiationDone (§10.3).
    for seed in [5120u64, 6001, 6002, 6003] {
        chaos(seed, 100_000, 20_000);
    }
}

/// A LAN segment and its members (router, ifindex, address).
type Lan = (ospf_core::sim::SegmentId, Vec<(NodeId, u32, Ipv4Addr)>);

/// LAN chaos: several LANs sharing routers, with priority-0 members, flaps, crashes,
/// restarts, router ID changes, stub-router toggles, cost changes and graceful
/// shutdowns. Once healed, every LAN agrees on one DR and one BDR, adjacencies are Full
/// exactly where §10.4 wants them, and the LSDBs are identical.
fn lan_chaos(seed: u64) {
    let cfg = SimConfig::seeded(seed)
        .impairments(30_000, 10_000, 30_000)
        .record_events(false);
    let mut sim = Sim::new(cfg);
    let mut rng = Prng::new(seed ^ 0xABCD);
    let n = 12u32;
    let nodes: Vec<NodeId> = (1..=n)
        .map(|i| sim.add_router(InstanceConfig::new(rid(i))))
        .collect();
    // (segment, members as (node, ifindex, address))
    let mut lans: Vec<Lan> = Vec::new();
    for lan in 0..4u32 {
        let seg = sim.add_segment();
        let mut members = Vec::new();
        let size = 3 + rng.below(4) as usize;
        while members.len() < size {
            let node = nodes[rng.below(u64::from(n)) as usize];
            if members.iter().any(|(m, _, _)| *m == node) {
                continue;
            }
            let a = Ipv4Addr::new(192, 168, lan as u8, members.len() as u8 + 1);
            let prio = rng.below(3) as u8;
            let ifx = sim.attach(node, seg, InterfaceConfig::new(a, 24).priority(prio));
            members.push((node, ifx, a));
        }
        lans.push((seg, members));
    }
    // Keep the graph connected: a chain of p2p links through every router.
    for i in 0..n as usize - 1 {
        let base = 0xAC1F_0000u32 + (i as u32 + 1) * 4;
        link_p2p(&mut sim, nodes[i], nodes[i + 1], base);
    }
    sim.run_for(Duration::from_secs(60));
    let mut down: Vec<NodeId> = Vec::new();
    for _ in 0..30 {
        let node = nodes[rng.below(u64::from(n)) as usize];
        match rng.below(7) {
            0 => {
                let (seg, _) = lans[rng.below(lans.len() as u64) as usize];
                sim.set_link_up(seg, false);
                sim.run_for(Duration::from_secs(rng.below(50)));
                sim.set_link_up(seg, true);
            }
            1 if !down.contains(&node) => {
                sim.crash(node);
                down.push(node);
            }
            2 => {
                if let Some(node) = down.pop() {
                    sim.restart(node);
                }
            }
            3 if !down.contains(&node) => {
                let on = rng.below(2) == 0;
                sim.command(node, |i, now| i.set_stub_router(now, on));
            }
            4 if !down.contains(&node) => {
                let cost = 1 + rng.below(100) as u16;
                sim.command(node, |i, now| {
                    let _ = i.set_interface_cost(now, 1, cost);
                });
            }
            5 if !down.contains(&node) => {
                // Graceful shutdown, then the process exits and comes back later.
                sim.command(node, |i, now| i.shutdown(now));
                sim.run_for(Duration::from_secs(2));
                sim.crash(node);
                down.push(node);
            }
            _ => {
                let p = Ipv4Addr::new(100, 64, rng.below(6) as u8, 0);
                sim.command(node, |i, now| {
                    i.redistribute(now, ExternalRoute::new(p, 24))
                });
            }
        }
        sim.run_for(Duration::from_secs(rng.below(40)));
    }
    for node in down.drain(..) {
        sim.restart(node);
    }
    let ok = sim.run_until_true(Duration::from_secs(900), Duration::from_secs(10), |s| {
        all_adjacencies_right(s, &lans) && synchronized(s, &nodes)
    });
    if ok.is_none() {
        let f0 = sim.lsdb_fingerprint(nodes[0]);
        for node in &nodes {
            let f = sim.lsdb_fingerprint(*node);
            let only: Vec<_> = f.iter().filter(|x| !f0.contains(x)).collect();
            let missing: Vec<_> = f0.iter().filter(|x| !f.contains(x)).collect();
            let id = sim.instance(*node).unwrap().router_id();
            eprintln!("{id} only {only:?} missing {missing:?}");
        }
        for (seg, members) in &lans {
            for (node, ifx, a) in members {
                let inst = sim.instance(*node).unwrap();
                let i = inst.interface(*ifx).unwrap();
                let nb: Vec<_> = inst
                    .neighbors()
                    .filter(|x| x.ifindex == *ifx)
                    .map(|x| {
                        (
                            x.router_id,
                            x.priority,
                            x.state,
                            x.declared_dr,
                            x.declared_bdr,
                        )
                    })
                    .collect();
                eprintln!(
                    "{seg:?} {} {a} prio {} {:?} dr {:?} bdr {:?} {nb:?}",
                    inst.router_id(),
                    i.config.priority,
                    i.state,
                    i.dr,
                    i.bdr
                );
            }
        }
    }
    assert!(ok.is_some(), "seed {seed}: LANs not settled");
    for (seg, members) in &lans {
        let views: Vec<_> = members
            .iter()
            .map(|(node, ifx, _)| {
                let i = sim.instance(*node).unwrap().interface(*ifx).unwrap();
                (i.dr, i.bdr)
            })
            .collect();
        assert!(
            views.windows(2).all(|w| w[0] == w[1]),
            "seed {seed} {seg:?}: {views:?}"
        );
    }
}

/// Every LAN member agrees with the DR's view, and adjacencies are Full with the DR and
/// BDR and 2-Way between DROthers.
fn all_adjacencies_right(sim: &Sim, lans: &[Lan]) -> bool {
    lans.iter().all(|(_, members)| {
        let views: Vec<_> = members
            .iter()
            .map(|(node, ifx, _)| {
                let i = sim.instance(*node).unwrap().interface(*ifx).unwrap();
                (i.dr, i.bdr)
            })
            .collect();
        views.windows(2).all(|w| w[0] == w[1])
            && members.iter().all(|(node, ifx, _)| {
                let inst = sim.instance(*node).unwrap();
                let me = inst.interface(*ifx).unwrap();
                // DR and BDR addresses (a LAN may lack either, e.g. with priority-0 routers).
                let roles: Vec<Ipv4Addr> =
                    [me.dr, me.bdr].into_iter().flatten().map(|x| x.1).collect();
                let mine = roles.contains(&me.config.address);
                inst.neighbors().filter(|x| x.ifindex == *ifx).all(|x| {
                    let adj = mine || roles.contains(&x.address);
                    x.state
                        == if adj {
                            NeighborState::Full
                        } else {
                            NeighborState::TwoWay
                        }
                }) && inst.neighbors().filter(|x| x.ifindex == *ifx).count() == members.len() - 1
            })
    })
}

#[test]
fn rfc2328_9_4_lan_chaos_settles_on_one_dr_per_lan() {
    for seed in 3000u64..3008 {
        lan_chaos(seed);
    }
}

/// Found over many seeds: a duplicate of a Network-LSA's last live instance, delayed in
/// flight, reached a router just after the flush of that instance had been acknowledged
/// and removed there; it was installed as new and lingered until MaxAge. Acknowledged
/// MaxAge LSAs are now held for MinLSArrival before removal (§14).
#[test]
fn rfc2328_14_lan_chaos_late_duplicate_after_flush() {
    lan_chaos(22079);
}

// Long variants over many more seeds, ignored by default. Run them in release:
// `cargo test --release -p ospf-core --test sim_network -- --ignored`.

#[test]
#[cfg_attr(debug_assertions, ignore = "long: many seeds; CI runs it in release")]
fn rfc2328_13_chaos_many_seeds() {
    for seed in 20_000u64..20_300 {
        chaos(seed, 20_000, 0);
    }
}

#[test]
#[cfg_attr(debug_assertions, ignore = "long: many seeds; CI runs it in release")]
fn rfc2328_10_3_chaos_heavy_loss_and_corruption_many_seeds() {
    for seed in 21_000u64..21_200 {
        chaos(seed, 100_000, 20_000);
    }
}

#[test]
#[cfg_attr(debug_assertions, ignore = "long: many seeds; CI runs it in release")]
fn rfc2328_9_4_lan_chaos_many_seeds() {
    for seed in 22_000u64..22_300 {
        lan_chaos(seed);
    }
}

#[test]
#[cfg_attr(debug_assertions, ignore = "long: many seeds; CI runs it in release")]
fn rfc2328_13_small_meshes_converge_many_seeds() {
    for seed in 23_000u64..23_300 {
        converge_mesh(seed, 12, 8);
    }
}
