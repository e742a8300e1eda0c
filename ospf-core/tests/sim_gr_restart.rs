//! Graceful restart, restarting side (RFC 3623 §2.2-2.3), in the simulator: a router
//! that prepared its restart crashes and comes back in restarting mode; its neighbors
//! help (or not). Each test is named after the section it checks.

use core::net::Ipv4Addr;
use ospf_core::config::{GrHelperConfig, InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::{Event, RestartExitReason};
use ospf_core::interface::InterfaceState;
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{NodeId, Sim, SimConfig};
use ospf_core::spf::RouteChange;
use ospf_core::time::{Duration, Instant};
use ospf_core::wire::{GraceLsa, LsaType, RestartReason};

const AREA0: Ipv4Addr = Ipv4Addr::UNSPECIFIED;
const ANYCAST: Ipv4Addr = Ipv4Addr::new(172, 16, 0, 1);
const ROUTER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

/// The seed topology (router DR at priority 100, three servers at priority 0 announcing
/// 172.16.0.1/32), the servers helping restarts when `help`.
fn seed(help: bool) -> (Sim, NodeId, Vec<NodeId>) {
    let mut sim = Sim::new(SimConfig::seeded(7));
    let seg = sim.add_segment();
    let router = sim.add_router(InstanceConfig::new(ROUTER));
    sim.attach(router, seg, InterfaceConfig::new(ROUTER, 24).priority(100));
    let mut servers = Vec::new();
    for s in 2..=4u8 {
        let id = Ipv4Addr::new(10, 0, 0, s);
        let cfg = InstanceConfig::new(id).gr_helper(GrHelperConfig::default().enabled(help));
        let node = sim.add_router(cfg);
        sim.attach(node, seg, InterfaceConfig::new(id, 24).priority(0));
        sim.attach_alone(
            node,
            InterfaceConfig::new(ANYCAST, 32).if_type(InterfaceType::Loopback),
        );
        servers.push(node);
    }
    (sim, router, servers)
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn all_full(sim: &Sim, node: NodeId, count: usize) -> bool {
    let i = sim.instance(node).unwrap();
    i.neighbors()
        .filter(|n| n.state == NeighborState::Full)
        .count()
        == count
}

/// Sequence number of an LSA as `node` holds it (live copies only).
fn seq_at(sim: &Sim, node: NodeId, scope: Scope, key: LsaKey) -> Option<u32> {
    let i = sim.instance(node)?;
    let e = i.lsa(scope, &key)?;
    (e.age(sim.now()) < ospf_core::lsdb::MAX_AGE).then(|| e.seq())
}

fn router_lsa() -> LsaKey {
    LsaKey::new(LsaType::Router, ROUTER, ROUTER)
}

fn network_lsa() -> LsaKey {
    LsaKey::new(LsaType::Network, ROUTER, ROUTER)
}

/// The router's events since `from`.
fn events_since(sim: &Sim, node: NodeId, from: Instant) -> Vec<Event> {
    sim.events(node)
        .iter()
        .filter(|(t, _)| *t >= from)
        .map(|(_, e)| e.clone())
        .collect()
}

fn done_reason(events: &[Event]) -> Option<RestartExitReason> {
    events.iter().find_map(|e| match e {
        Event::GracefulRestartDone { reason } => Some(*reason),
        _ => None,
    })
}

/// Next hops of `prefix` after the route changes in `events`, in order.
fn nexthops_of(events: &[Event], prefix: ospf_core::Prefix) -> Option<usize> {
    let mut n = None;
    for e in events {
        match e {
            Event::RouteChange(RouteChange::Add { prefix: p, route })
            | Event::RouteChange(RouteChange::Replace { prefix: p, route })
                if *p == prefix =>
            {
                n = Some(route.nexthops.len())
            }
            Event::RouteChange(RouteChange::Delete { prefix: p }) if *p == prefix => n = None,
            _ => {}
        }
    }
    n
}

/// Converged seed topology; the router prepares its restart and crashes once every
/// server acknowledged its Grace-LSA.
fn prepared_and_crashed(help: bool) -> (Sim, NodeId, Vec<NodeId>) {
    let (mut sim, router, servers) = seed(help);
    assert!(
        sim.run_until_true(secs(120), Duration::from_millis(100), |s| all_full(
            s, router, 3
        ))
        .is_some()
    );
    sim.run_for(secs(10));
    prepare_until_ready(&mut sim, router, secs(10));
    sim.crash(router);
    sim.run_for(secs(2));
    (sim, router, servers)
}

/// `router` prepares a restart (grace period 120 s); runs until it reports itself ready
/// (within `within`).
fn prepare_until_ready(sim: &mut Sim, router: NodeId, within: Duration) {
    sim.command(router, |i, now| {
        i.graceful_restart_prepare(now, 120, RestartReason::SoftwareRestart)
    })
    .unwrap()
    .unwrap();
    let t = sim.now();
    sim.run_until_true(within, Duration::from_millis(10), |s| {
        events_since(s, router, t).contains(&Event::GracefulRestartReady)
    })
    .expect("the neighbors acknowledge the Grace-LSAs");
}

#[test]
fn rfc3623_2_2_restarting_router_reforms_adjacencies_without_originating_then_completes() {
    let (mut sim, router, servers) = prepared_and_crashed(true);
    let area = Scope::Area(AREA0);
    let before: Vec<(Option<u32>, Option<u32>)> = servers
        .iter()
        .map(|s| {
            (
                seq_at(&sim, *s, area, router_lsa()),
                seq_at(&sim, *s, area, network_lsa()),
            )
        })
        .collect();
    assert!(before.iter().all(|(r, n)| r.is_some() && n.is_some()));
    let start = sim.now();
    sim.restart_gracefully(router, start + secs(120), true);
    assert!(sim.instance(router).unwrap().is_graceful_restarting());
    // Until it leaves restarting mode, the servers keep the router's pre-restart LSAs
    // (no new instance, no flush), keep it Full, and the router reports no route.
    let done = sim
        .run_until_true(secs(120), Duration::from_millis(50), |s| {
            for (k, srv) in servers.iter().enumerate() {
                let i = s.instance(*srv).unwrap();
                assert!(
                    i.neighbors().all(|n| n.router_id != ROUTER
                        || n.state == NeighborState::Full
                        || n.gr_helper.is_some()),
                    "a helper keeps the restarting router Full (or helps it resynchronise)"
                );
                if s.instance(router).unwrap().is_graceful_restarting() {
                    let now = (
                        seq_at(s, *srv, area, router_lsa()),
                        seq_at(s, *srv, area, network_lsa()),
                    );
                    assert_eq!(
                        now, before[k],
                        "nothing originated or flushed while restarting"
                    );
                }
            }
            done_reason(&events_since(s, router, start)).is_some()
        })
        .expect("restarting mode ends");
    let ev = events_since(&sim, router, start);
    assert_eq!(done_reason(&ev), Some(RestartExitReason::Completed));
    // Completed by the adjacencies, long before the 120 s grace period (and, thanks to
    // the servers naming it DR, without waiting out the 40 s Wait timer).
    assert!(done - start < secs(20), "took {:?}", done - start);
    // No route before the end; the whole table (three paths to the anycast address)
    // comes right before the event.
    let done_at = ev
        .iter()
        .position(|e| matches!(e, Event::GracefulRestartDone { .. }))
        .unwrap();
    let first_route = ev
        .iter()
        .position(|e| matches!(e, Event::RouteChange(_)))
        .unwrap();
    assert!(first_route < done_at);
    assert!(
        ev[first_route..done_at]
            .iter()
            .all(|e| matches!(e, Event::RouteChange(_))),
        "the route changes come in one block, right before the event"
    );
    assert_eq!(nexthops_of(&ev, ospf_core::Prefix::host(ANYCAST)), Some(3));
    // §2.2 (3): DR again on the segment.
    let i = sim.instance(router).unwrap();
    assert_eq!(i.interfaces().next().unwrap().state, InterfaceState::Dr);
    // §2.3: the Grace-LSAs are flushed; after that every LSDB agrees. No path to the
    // anycast address flaps meanwhile (a helper that stopped helping before it was
    // Full again would announce the router as not adjacent for a moment).
    sim.run_for(secs(10));
    let anycast = ospf_core::Prefix::host(ANYCAST);
    for e in events_since(&sim, router, start) {
        if let Event::RouteChange(c) = e {
            match c {
                RouteChange::Add { prefix, route } | RouteChange::Replace { prefix, route }
                    if prefix == anycast =>
                {
                    assert_eq!(route.nexthops.len(), 3, "a path flapped")
                }
                RouteChange::Delete { prefix } => assert_ne!(prefix, anycast),
                _ => {}
            }
        }
    }
    let grace = LsaKey::new(LsaType::OpaqueLink, GraceLsa::lsid(0), ROUTER);
    for s in &servers {
        let i = sim.instance(*s).unwrap();
        let ifx = i.interfaces().next().unwrap().ifindex;
        assert_eq!(seq_at(&sim, *s, Scope::Link(ifx), grace), None);
        assert!(i.neighbors().all(|n| n.gr_helper.is_none()));
    }
    let reference = sim.lsdb_fingerprint(router);
    for s in &servers {
        let fp: Vec<_> = sim
            .lsdb_fingerprint(*s)
            .into_iter()
            .filter(|(scope, ..)| !matches!(scope, Scope::Link(_)))
            .collect();
        let r: Vec<_> = reference
            .iter()
            .copied()
            .filter(|(scope, ..)| !matches!(scope, Scope::Link(_)))
            .collect();
        assert_eq!(fp, r);
    }
}

#[test]
fn rfc3623_2_2_no_route_is_reported_while_restarting() {
    let (mut sim, router, _servers) = prepared_and_crashed(true);
    let start = sim.now();
    sim.restart_gracefully(router, start + secs(120), true);
    sim.run_until_true(secs(120), Duration::from_millis(10), |s| {
        !s.instance(router).unwrap().is_graceful_restarting()
    })
    .unwrap();
    let ev = events_since(&sim, router, start);
    let done_at = ev
        .iter()
        .position(|e| matches!(e, Event::GracefulRestartDone { .. }))
        .unwrap();
    // Every route change of the restart comes after the adjacencies are back, in the
    // drain that ends restarting mode: none while the neighbors were still forming.
    let last_nbr = ev[..done_at]
        .iter()
        .rposition(|e| matches!(e, Event::NeighborState { .. }))
        .unwrap();
    assert!(
        !ev[..last_nbr]
            .iter()
            .any(|e| matches!(e, Event::RouteChange(_))),
        "a route was reported while restarting"
    );
    assert!(
        ev[last_nbr..done_at]
            .iter()
            .any(|e| matches!(e, Event::RouteChange(_)))
    );
}

#[test]
fn rfc3623_2_3_grace_period_expiry_ends_restarting_mode() {
    let (mut sim, router, _servers) = prepared_and_crashed(true);
    // The router comes back cut off from its neighbors: no adjacency can complete.
    let seg = ospf_core::sim::SegmentId(0);
    sim.set_blocked(seg, true);
    let start = sim.now();
    sim.restart_gracefully(router, start + secs(30), true);
    sim.run_for(secs(29));
    assert!(sim.instance(router).unwrap().is_graceful_restarting());
    assert_eq!(
        seq_at(&sim, router, Scope::Area(AREA0), router_lsa()),
        None,
        "no Router-LSA originated while restarting"
    );
    sim.run_for(secs(2));
    let ev = events_since(&sim, router, start);
    assert_eq!(
        done_reason(&ev),
        Some(RestartExitReason::GracePeriodExpired)
    );
    // Then it originates as usual.
    assert!(seq_at(&sim, router, Scope::Area(AREA0), router_lsa()).is_some());
}

#[test]
fn rfc3623_2_3_a_neighbor_that_does_not_help_ends_restarting_mode_as_a_topology_change() {
    // Unplanned restart on a point-to-point link to a neighbor that does not help: its
    // new Router-LSA no longer lists us.
    let mut sim = Sim::new(SimConfig::seeded(3));
    let a = sim.add_router(InstanceConfig::new(Ipv4Addr::new(1, 1, 1, 1)));
    let b = sim.add_router(InstanceConfig::new(Ipv4Addr::new(2, 2, 2, 2)));
    let p2p = |addr| {
        InterfaceConfig::new(addr, 30)
            .if_type(InterfaceType::PointToPoint)
            .hello_interval(1)
            .dead_interval(4)
    };
    sim.link(
        a,
        p2p(Ipv4Addr::new(10, 9, 0, 1)),
        b,
        p2p(Ipv4Addr::new(10, 9, 0, 2)),
    );
    assert!(
        sim.run_until_true(secs(60), Duration::from_millis(100), |s| all_full(s, a, 1))
            .is_some()
    );
    sim.run_for(secs(10));
    sim.crash(a);
    sim.run_for(secs(6));
    let start = sim.now();
    sim.restart_gracefully(a, start + secs(120), true);
    sim.run_until_true(secs(60), Duration::from_millis(50), |s| {
        !s.instance(a).unwrap().is_graceful_restarting()
    })
    .expect("restarting mode ends before the grace period");
    let ev = events_since(&sim, a, start);
    assert_eq!(done_reason(&ev), Some(RestartExitReason::TopologyChanged));
    assert!(sim.now() - start < secs(30));
    // Both converge afterwards.
    sim.run_for(secs(20));
    assert!(all_full(&sim, a, 1) && all_full(&sim, b, 1));
    assert_eq!(sim.lsdb_fingerprint(a), sim.lsdb_fingerprint(b));
}

#[test]
fn rfc3623_2_1_unplanned_restart_sends_grace_lsas_before_hellos_and_the_helpers_help() {
    let (mut sim, router, servers) = seed(true);
    assert!(
        sim.run_until_true(secs(120), Duration::from_millis(100), |s| all_full(
            s, router, 3
        ))
        .is_some()
    );
    sim.run_for(secs(10));
    let area = Scope::Area(AREA0);
    let before: Vec<Option<u32>> = servers
        .iter()
        .map(|s| seq_at(&sim, *s, area, router_lsa()))
        .collect();
    // The process dies without a word; a new one starts within the dead interval.
    sim.crash(router);
    sim.run_for(secs(3));
    let start = sim.now();
    sim.restart_gracefully(router, start + secs(60), false);
    let mut helped = 0;
    sim.run_until_true(secs(60), Duration::from_millis(50), |s| {
        for (k, srv) in servers.iter().enumerate() {
            let i = s.instance(*srv).unwrap();
            let n = i.neighbors().find(|n| n.router_id == ROUTER).unwrap();
            assert!(
                n.state == NeighborState::Full || n.gr_helper.is_some(),
                "the servers keep the restarting router"
            );
            if n.gr_helper.is_some() {
                helped |= 1 << k;
            }
            if s.instance(router).unwrap().is_graceful_restarting() {
                assert_eq!(seq_at(s, *srv, area, router_lsa()), before[k]);
            }
        }
        !s.instance(router).unwrap().is_graceful_restarting()
    })
    .expect("restarting mode ends");
    assert_eq!(helped, 0b111, "every server helped");
    let ev = events_since(&sim, router, start);
    assert_eq!(done_reason(&ev), Some(RestartExitReason::Completed));
    assert_eq!(nexthops_of(&ev, ospf_core::Prefix::host(ANYCAST)), Some(3));
    // The helpers saw the reason "unknown" (an unplanned restart).
    let changes: Vec<_> = servers
        .iter()
        .flat_map(|s| events_since(&sim, *s, start))
        .filter_map(|e| match e {
            Event::GrHelper { change, .. } => Some(change),
            _ => None,
        })
        .collect();
    assert!(
        changes.iter().any(|c| matches!(
            c,
            ospf_core::instance::GrHelperChange::Entered {
                reason: RestartReason::Unknown,
                ..
            }
        )),
        "{changes:?}"
    );
}

/// Prepares a restart on the converged seed topology; `change` runs on server 1 at the
/// same moment. Returns the Grace-LSA's sequence numbers at server 2 right after the
/// prepare and when the router reported itself ready.
fn prepare_with(change: impl FnOnce(&mut Sim, NodeId)) -> (u32, u32) {
    let (mut sim, router, servers) = seed(true);
    assert!(
        sim.run_until_true(secs(120), Duration::from_millis(100), |s| all_full(
            s, router, 3
        ))
        .is_some()
    );
    sim.run_for(secs(10));
    sim.command(router, |i, now| {
        i.graceful_restart_prepare(now, 120, RestartReason::SoftwareRestart)
    })
    .unwrap()
    .unwrap();
    change(&mut sim, servers[0]);
    let t = sim.now();
    let grace = LsaKey::new(LsaType::OpaqueLink, GraceLsa::lsid(0), ROUTER);
    let at_server = |s: &Sim| seq_at(s, servers[1], Scope::Link(1), grace);
    sim.run_for(Duration::from_millis(5));
    let first = at_server(&sim).expect("the Grace-LSA reached the server");
    sim.run_until_true(secs(30), Duration::from_millis(10), |s| {
        events_since(s, router, t).contains(&Event::GracefulRestartReady)
    })
    .expect("ready in the end");
    (first, at_server(&sim).unwrap())
}

#[test]
fn rfc3623_3_2_a_topology_change_after_the_grace_lsa_sends_it_again_before_ready() {
    // Nothing changes: the Grace-LSA goes out once.
    let (first, last) = prepare_with(|_, _| {});
    assert_eq!(first, last);
    // A server's Router-LSA changes after our Grace-LSA went out: a strict helper (FRR's
    // default) stops helping when the change reaches it, so the router sends its
    // Grace-LSA again once everything is acknowledged, and only then is ready.
    let (first, last) = prepare_with(|sim, server| {
        sim.command(server, |i, now| i.set_interface_cost(now, 1, 20))
            .unwrap()
            .unwrap();
    });
    assert!(
        last > first,
        "Grace-LSA not sent again: {first:#x} {last:#x}"
    );
}

#[test]
fn graceful_restart_status_shows_the_restart_the_awaited_adjacencies_and_the_exit() {
    let (mut sim, router, _servers) = prepared_and_crashed(true);
    let start = sim.now();
    sim.restart_gracefully(router, start + secs(120), true);
    let status = |s: &Sim| s.instance(router).unwrap().graceful_restart_status(s.now());
    let st = status(&sim);
    let r = st.restarting.as_ref().expect("restarting");
    assert_eq!(
        (r.since, r.until, r.planned),
        (start, start + secs(120), true)
    );
    assert_eq!(r.reason, RestartReason::SoftwareRestart);
    assert!(st.prepared.is_none() && st.last_exit.is_none());
    // Once the servers are heard, they are awaited until Full: every one of them is
    // listed at some point, and the list shrinks to nothing as restarting mode ends.
    let mut seen = std::collections::BTreeSet::new();
    sim.run_until_true(secs(120), Duration::from_millis(1), |s| {
        let st = status(s);
        if let Some(r) = &st.restarting {
            seen.extend(r.awaited.iter().copied());
        }
        st.restarting.is_none()
    })
    .expect("restarting mode ends");
    let servers: std::collections::BTreeSet<Ipv4Addr> =
        (2..=4u8).map(|s| Ipv4Addr::new(10, 0, 0, s)).collect();
    assert_eq!(seen, servers);
    let st = status(&sim);
    let (reason, at) = st.last_exit.expect("last exit");
    assert_eq!(reason, RestartExitReason::Completed);
    assert!(at > start && at <= sim.now());
}

#[test]
fn graceful_restart_status_of_a_prepared_restart() {
    let (mut sim, router, _) = seed(true);
    assert!(
        sim.run_until_true(secs(120), Duration::from_millis(100), |s| all_full(
            s, router, 3
        ))
        .is_some()
    );
    let status = |s: &Sim| s.instance(router).unwrap().graceful_restart_status(s.now());
    assert_eq!(status(&sim), Default::default());
    sim.command(router, |i, now| {
        i.graceful_restart_prepare(now, 90, RestartReason::SoftwareUpgrade)
    })
    .unwrap()
    .unwrap();
    let p = status(&sim).prepared.expect("prepared");
    assert_eq!(
        (p.grace_period, p.reason, p.ready),
        (90, RestartReason::SoftwareUpgrade, false)
    );
    sim.run_for(secs(10));
    assert!(status(&sim).prepared.expect("prepared").ready);
}

/// One neighbor does not help: every router at priority 1, the router DR (highest
/// router ID), the non-helper BDR. The restart outlasts the non-helper's dead interval:
/// it takes over as DR, the helpers see the change and stop helping, and the segment
/// elects another DR than the one the router's pre-restart Router-LSA names. The router
/// must see that at once (§2.3: what it learns contradicts its pre-restart LSAs) rather
/// than wait out the grace period for adjacencies that never form (a DROther with a
/// DROther).
#[test]
fn rfc3623_2_3_another_dr_elected_on_a_segment_ends_restarting_mode_as_a_topology_change() {
    const RTR: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 9);
    let mut sim = Sim::new(SimConfig::seeded(11));
    let seg = sim.add_segment();
    let lan = |addr| {
        InterfaceConfig::new(addr, 24)
            .hello_interval(1)
            .dead_interval(4)
    };
    let router = sim.add_router(InstanceConfig::new(RTR));
    sim.attach(router, seg, lan(RTR));
    let mut servers = Vec::new();
    for s in 2..=4u8 {
        let id = Ipv4Addr::new(10, 0, 0, s);
        let help = s != 4;
        let cfg = InstanceConfig::new(id).gr_helper(GrHelperConfig::default().enabled(help));
        let node = sim.add_router(cfg);
        sim.attach(node, seg, lan(id));
        servers.push(node);
    }
    assert!(
        sim.run_until_true(secs(60), Duration::from_millis(100), |s| all_full(
            s, router, 3
        ))
        .is_some()
    );
    sim.run_for(secs(10));
    let bdr = sim
        .instance(servers[2])
        .unwrap()
        .interfaces()
        .next()
        .unwrap()
        .state;
    assert_eq!(bdr, InterfaceState::Backup, "the non-helper is BDR");
    prepare_until_ready(&mut sim, router, secs(10));
    sim.crash(router);
    sim.run_for(secs(6));
    let dr_now = |sim: &Sim, n: NodeId| {
        let i = sim.instance(n).unwrap();
        i.interfaces().next().unwrap().dr.map(|(id, _)| id)
    };
    assert_eq!(dr_now(&sim, servers[2]), Some(Ipv4Addr::new(10, 0, 0, 4)));
    let start = sim.now();
    sim.restart_gracefully(router, start + secs(120), true);
    sim.run_until_true(secs(120), Duration::from_millis(10), |s| {
        done_reason(&events_since(s, router, start)).is_some()
    })
    .expect("restarting mode ends");
    let took = sim.now() - start;
    let ev = events_since(&sim, router, start);
    assert_eq!(done_reason(&ev), Some(RestartExitReason::TopologyChanged));
    assert_eq!(dr_now(&sim, router), Some(Ipv4Addr::new(10, 0, 0, 4)));
    assert!(
        took < secs(5),
        "ended after {took:?}, not by the grace period"
    );
    // Whatever the outcome, everyone converges afterwards.
    sim.run_for(secs(30));
    assert!(all_full(&sim, router, 3) || all_full(&sim, router, 2));
    for s in &servers {
        assert_eq!(sim.lsdb_fingerprint(router), sim.lsdb_fingerprint(*s));
    }
}

/// §2.1, prepared the moment an adjacency reaches Full: a neighbor may still hold LSAs
/// of the database exchange on its retransmission list for us (sent again one
/// RxmtInterval later), and a strict helper refuses to help until they are
/// acknowledged. Ready therefore waits until every adjacency has been Full for
/// RxmtInterval (5 s) and a delayed acknowledgment's time (1 s), though our own LSAs
/// are acknowledged well before; then every server helps.
#[test]
fn rfc3623_2_1_ready_waits_until_new_adjacencies_settled() {
    let (mut sim, router, servers) = seed(true);
    assert!(
        sim.run_until_true(secs(120), Duration::from_millis(100), |s| all_full(
            s, router, 3
        ))
        .is_some()
    );
    // Server 3 goes away and comes back: one new adjacency in a settled network.
    sim.crash(servers[2]);
    sim.run_until_true(secs(60), Duration::from_millis(100), |s| {
        all_full(s, router, 2)
    })
    .expect("the router drops the silent server");
    sim.run_for(secs(10));
    sim.restart(servers[2]);
    sim.run_until_true(secs(60), Duration::from_millis(10), |s| {
        all_full(s, router, 3)
    })
    .expect("the server is back");
    let full = sim.now();
    prepare_until_ready(&mut sim, router, secs(20));
    let waited = sim.now() - full;
    assert!(
        waited >= secs(6) - Duration::from_millis(10) && waited < secs(8),
        "ready {waited:?} after the last adjacency came Full"
    );
    for s in &servers {
        let helping = sim
            .instance(*s)
            .unwrap()
            .neighbors()
            .any(|n| n.router_id == ROUTER && n.gr_helper.is_some());
        assert!(helping, "every server helps");
    }
}
