//! The route calculation inside running engines (simulator): the anycast LAN's ECMP route
//! and how fast a drained server leaves it, and random multi-area networks whose routes
//! equal a naive reference calculation (proptest).
#![cfg(feature = "sim")]

use std::collections::{BTreeMap, BTreeSet};

mod sim_util;

use core::net::Ipv4Addr;
use ospf_core::config::{AreaConfig, AreaKind, InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::Event;
use ospf_core::sim::{NodeId, Sim, SimConfig};
use ospf_core::spf::{NextHop, Prefix, RouteChange, RouteType};
use ospf_core::time::Duration;
use proptest::prelude::*;
use sim_util::anycast_lan;

fn anycast() -> Prefix {
    Prefix::new(Ipv4Addr::new(172, 16, 0, 1), 32)
}

#[test]
fn spf_sim_anycast_ecmp_and_drain_within_milliseconds() {
    let (mut sim, router, servers) = anycast_lan(11);
    sim.run_until_true(Duration::from_secs(120), Duration::from_millis(100), |s| {
        s.instance(router)
            .unwrap()
            .routes()
            .any(|(p, r)| p == anycast() && r.nexthops.len() == 3)
    })
    .expect("three equal-cost paths to the anycast address");
    let route = sim
        .instance(router)
        .unwrap()
        .routes()
        .find(|(p, _)| *p == anycast())
        .unwrap()
        .1;
    assert_eq!(route.route_type, RouteType::IntraArea);
    assert_eq!(route.cost, 10);
    let hops: Vec<NextHop> = (2..=4u8)
        .map(|s| NextHop::via(Ipv4Addr::new(10, 0, 0, s), 1))
        .collect();
    assert_eq!(route.nexthops, hops);

    // Let the network go quiet (SPF hold-down), then drain server .3.
    sim.run_for(Duration::from_secs(30));
    sim.clear_events(router);
    let t0 = sim.now();
    sim.command(servers[1], |i, now| i.shutdown(now));
    sim.run_for(Duration::from_secs(2));
    let change = sim
        .events(router)
        .iter()
        .find_map(|(t, e)| match e {
            Event::RouteChange(c) if c.prefix() == anycast() => Some((*t, c.clone())),
            _ => None,
        })
        .expect("a route change for the anycast prefix");
    // Flooding latency plus no SPF delay in a quiet network.
    assert!(
        change.0 - t0 < Duration::from_millis(100),
        "reacted after {:?}",
        change.0 - t0
    );
    match change.1 {
        RouteChange::Replace { route, .. } => {
            assert_eq!(route.nexthops, vec![hops[0], hops[2]]);
        }
        other => panic!("expected a replace, got {other:?}"),
    }
}

// ----------------------------------------------------------------------------------------
// Random multi-area networks against a naive reference
// ----------------------------------------------------------------------------------------

/// A destination: prefix, home area, owners with their metric, link index (MAX: loopback).
type Dest = (Prefix, u8, Vec<(usize, u64)>, usize);
/// Expected routes: prefix -> (type, cost, next hops).
type Table = BTreeMap<Prefix, (RouteType, u32, Vec<NextHop>)>;

#[derive(Debug, Clone)]
struct Link {
    area: u8,
    a: usize,
    b: usize,
    ca: u16,
    cb: u16,
}

#[derive(Debug, Clone)]
struct Net {
    /// Per router: its areas (the backbone first for ABRs).
    areas: Vec<Vec<u8>>,
    links: Vec<Link>,
}

fn rid(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(1, 1, 1, i as u8 + 1)
}
fn area_id(a: u8) -> Ipv4Addr {
    Ipv4Addr::new(0, 0, 0, a)
}
fn link_addr(k: usize, end: u8) -> Ipv4Addr {
    Ipv4Addr::from(0x0A00_0000 + 4 * k as u32 + u32::from(end))
}
fn loopback(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(192, 168, 0, i as u8 + 1)
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

impl Net {
    /// A connected backbone and 1..=3 other areas, each with one or two ABRs.
    fn random(seed: u64) -> Net {
        let mut rng = Rng(seed | 1);
        let mut areas: Vec<Vec<u8>> = Vec::new();
        let mut links = Vec::new();
        let connect = |members: &[usize], area: u8, rng: &mut Rng, links: &mut Vec<Link>| {
            // a random tree plus a few chords
            for (i, &m) in members.iter().enumerate().skip(1) {
                let other = members[rng.below(i as u64) as usize];
                links.push(Link {
                    area,
                    a: other,
                    b: m,
                    ca: 1 + rng.below(3) as u16,
                    cb: 1 + rng.below(3) as u16,
                });
            }
            for _ in 0..rng.below(members.len() as u64) {
                let a = members[rng.below(members.len() as u64) as usize];
                let b = members[rng.below(members.len() as u64) as usize];
                if a != b {
                    links.push(Link {
                        area,
                        a,
                        b,
                        ca: 1 + rng.below(3) as u16,
                        cb: 1 + rng.below(3) as u16,
                    });
                }
            }
        };
        let backbone: Vec<usize> = (0..2 + rng.below(3) as usize).collect();
        areas.extend(backbone.iter().map(|_| vec![0u8]));
        let n_areas = 1 + rng.below(3) as u8;
        let mut bb_members = backbone.clone();
        let mut per_area = Vec::new();
        for a in 1..=n_areas {
            let mut members = Vec::new();
            for _ in 0..1 + rng.below(2) {
                // an ABR
                areas.push(vec![0, a]);
                members.push(areas.len() - 1);
                bb_members.push(areas.len() - 1);
            }
            for _ in 0..1 + rng.below(3) {
                areas.push(vec![a]);
                members.push(areas.len() - 1);
            }
            per_area.push((a, members));
        }
        connect(&bb_members, 0, &mut rng, &mut links);
        for (a, m) in &per_area {
            connect(m, *a, &mut rng, &mut links);
        }
        Net { areas, links }
    }

    fn build(&self, seed: u64) -> (Sim, Vec<NodeId>, BTreeMap<(usize, usize), u32>) {
        let mut sim = Sim::new(SimConfig::seeded(seed));
        let mut nodes = Vec::new();
        for (i, ars) in self.areas.iter().enumerate() {
            let n = sim.add_router(InstanceConfig::new(rid(i)));
            for a in ars {
                sim.command(n, |inst, now| {
                    inst.add_area(now, AreaConfig::new(area_id(*a)).kind(AreaKind::Normal))
                });
            }
            nodes.push(n);
        }
        // ifindex of (router, link)
        let mut ifx = BTreeMap::new();
        for (k, l) in self.links.iter().enumerate() {
            let cfg = |end: u8, cost: u16| {
                InterfaceConfig::new(link_addr(k, end), 30)
                    .if_type(InterfaceType::PointToPoint)
                    .area(area_id(l.area))
                    .cost(cost)
            };
            let seg = sim.add_segment();
            ifx.insert((l.a, k), sim.attach(nodes[l.a], seg, cfg(1, l.ca)));
            ifx.insert((l.b, k), sim.attach(nodes[l.b], seg, cfg(2, l.cb)));
        }
        for (i, ars) in self.areas.iter().enumerate() {
            let home = *ars.last().unwrap_or(&0);
            ifx.insert(
                (i, usize::MAX),
                sim.attach_alone(
                    nodes[i],
                    InterfaceConfig::new(loopback(i), 32)
                        .if_type(InterfaceType::Loopback)
                        .area(area_id(home)),
                ),
            );
        }
        (sim, nodes, ifx)
    }

    fn in_area(&self, r: usize, a: u8) -> bool {
        self.areas[r].contains(&a)
    }
    fn is_abr(&self, r: usize) -> bool {
        self.areas[r].len() > 1
    }

    /// All-pairs distances inside area `a` (u64::MAX: unreachable).
    fn dist(&self, a: u8) -> Vec<Vec<u64>> {
        let n = self.areas.len();
        let mut d = vec![vec![u64::MAX; n]; n];
        for (s, row) in d.iter_mut().enumerate() {
            if !self.in_area(s, a) {
                continue;
            }
            row[s] = 0;
            let mut done = vec![false; n];
            loop {
                let u = (0..n)
                    .filter(|&i| !done[i] && row[i] != u64::MAX)
                    .min_by_key(|&i| row[i]);
                let Some(u) = u else { break };
                done[u] = true;
                for l in self.links.iter().filter(|l| l.area == a) {
                    for (x, y, c) in [(l.a, l.b, l.ca), (l.b, l.a, l.cb)] {
                        if x == u && row[u] + u64::from(c) < row[y] {
                            row[y] = row[u] + u64::from(c);
                        }
                    }
                }
            }
        }
        d
    }

    /// First hops from `r` on shortest paths to `t` in area `a`.
    fn hops(
        &self,
        a: u8,
        d: &[Vec<u64>],
        r: usize,
        t: usize,
        ifx: &BTreeMap<(usize, usize), u32>,
    ) -> BTreeSet<NextHop> {
        let mut s = BTreeSet::new();
        for (k, l) in self.links.iter().enumerate() {
            if l.area != a {
                continue;
            }
            for (x, y, c, yend) in [(l.a, l.b, l.ca, 2u8), (l.b, l.a, l.cb, 1u8)] {
                if x == r && d[y][t] != u64::MAX && u64::from(c) + d[y][t] == d[r][t] {
                    s.insert(NextHop::via(link_addr(k, yend), ifx[&(r, k)]));
                }
            }
        }
        s
    }

    /// Prefixes by home area: (prefix, area, [(owner, metric)], link index or MAX for a
    /// loopback).
    fn prefixes(&self) -> Vec<Dest> {
        let mut v = Vec::new();
        for (k, l) in self.links.iter().enumerate() {
            v.push((
                Prefix::new(link_addr(k, 0), 30),
                l.area,
                vec![(l.a, u64::from(l.ca)), (l.b, u64::from(l.cb))],
                k,
            ));
        }
        for (i, ars) in self.areas.iter().enumerate() {
            v.push((
                Prefix::new(loopback(i), 32),
                *ars.last().unwrap_or(&0),
                vec![(i, 0)],
                usize::MAX,
            ));
        }
        v
    }

    /// What router `r` should have: prefix -> (type, cost, next hops).
    fn reference(&self, r: usize, ifx: &BTreeMap<(usize, usize), u32>) -> Table {
        let max_area = self.areas.iter().flatten().copied().max().unwrap_or(0);
        let d: Vec<Vec<Vec<u64>>> = (0..=max_area).map(|a| self.dist(a)).collect();
        // Intra-area cost and hops of `x` to a prefix of area `a`.
        let intra = |x: usize,
                     a: u8,
                     owners: &[(usize, u64)],
                     k: usize|
         -> Option<(u64, BTreeSet<NextHop>)> {
            let da = &d[usize::from(a)];
            let best = owners
                .iter()
                .filter(|(o, _)| da[x][*o] != u64::MAX)
                .map(|(o, m)| if *o == x { *m } else { da[x][*o] + m })
                .min()?;
            let mut hs = BTreeSet::new();
            for (o, m) in owners {
                if *o == x && *m == best {
                    // own prefix: directly attached on the interface holding it
                    hs.insert(NextHop::direct(ifx[&(x, k)]));
                } else if *o != x && da[x][*o] != u64::MAX && da[x][*o] + m == best {
                    hs.extend(self.hops(a, da, x, *o, ifx));
                }
            }
            Some((best, hs))
        };
        let abrs_of = |a: u8| -> Vec<usize> {
            (0..self.areas.len())
                .filter(|&b| self.is_abr(b) && self.in_area(b, a))
                .collect()
        };
        // An ABR's table cost to a prefix of area `a` (it advertises that as a summary).
        let abr_cost = |b: usize, a: u8, owners: &[(usize, u64)], k: usize| -> Option<u64> {
            if self.in_area(b, a) {
                return intra(b, a, owners, k).map(|x| x.0);
            }
            // via backbone summaries of the ABRs attached to `a`
            abrs_of(a)
                .into_iter()
                .filter(|&c| c != b && d[0][b][c] != u64::MAX)
                .filter_map(|c| intra(c, a, owners, k).map(|x| d[0][b][c] + x.0))
                .min()
        };
        let mut out = BTreeMap::new();
        for (p, pa, owners, k) in self.prefixes() {
            if self.in_area(r, pa) {
                if let Some((c, hs)) = intra(r, pa, &owners, k) {
                    if !hs.is_empty() {
                        out.insert(
                            p,
                            (RouteType::IntraArea, c as u32, hs.into_iter().collect()),
                        );
                    }
                }
                continue;
            }
            // Inter-area: through the ABRs of our (examined) area.
            let ra = if self.is_abr(r) { 0 } else { self.areas[r][0] };
            let mut best: Option<(u64, BTreeSet<NextHop>)> = None;
            for b in abrs_of(ra) {
                if b == r || d[usize::from(ra)][r][b] == u64::MAX {
                    continue;
                }
                // What b advertises into area ra: intra routes of its other areas, and
                // (not into the backbone) inter-area routes.
                let adv = if self.in_area(b, pa) {
                    intra(b, pa, &owners, k).map(|x| x.0)
                } else if ra != 0 {
                    abr_cost(b, pa, &owners, k)
                } else {
                    None
                };
                let Some(m) = adv else { continue };
                let c = d[usize::from(ra)][r][b] + m;
                let hs = self.hops(ra, &d[usize::from(ra)], r, b, ifx);
                match &mut best {
                    Some((bc, bh)) if *bc == c => bh.extend(hs),
                    Some((bc, _)) if *bc < c => {}
                    _ => best = Some((c, hs)),
                }
            }
            if let Some((c, hs)) = best {
                out.insert(
                    p,
                    (RouteType::InterArea, c as u32, hs.into_iter().collect()),
                );
            }
        }
        out
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12)
    ))]

    #[test]
    fn spf_sim_multi_area_routes_equal_reference(seed in 1u64..u64::MAX) {
        let net = Net::random(seed);
        let (mut sim, nodes, ifx) = net.build(seed);
        sim.run_for(Duration::from_secs(180));
        let mut inter = 0;
        for (r, n) in nodes.iter().enumerate() {
            let got: Table = sim
                .instance(*n)
                .unwrap()
                .routes()
                .map(|(p, x)| (p, (x.route_type, x.cost, x.nexthops)))
                .collect();
            let want = net.reference(r, &ifx);
            let keys: BTreeSet<&Prefix> = got.keys().chain(want.keys()).collect();
            let diff: Vec<_> = keys
                .into_iter()
                .filter(|k| got.get(*k) != want.get(*k))
                .map(|k| (k, got.get(k), want.get(k)))
                .collect();
            prop_assert!(diff.is_empty(), "router {} (got, want): {:?}\nnet {:?}", r, diff, net);
            inter += got.values().filter(|x| x.0 == RouteType::InterArea).count();
        }
        // Every area but the backbone has routers of its own: inter-area routes exist.
        prop_assert!(inter > 0);
    }
}

/// R1 (backbone, ASBR of 198.51.100.0/24) — R2 (ABR) — R3 (NSSA area 1, ASBR of
/// 203.0.113.0/24) and R2 — R4 (totally stubby area 2).
#[test]
fn spf_sim_abr_summaries_stub_default_and_nssa_translation() {
    use ospf_core::instance::ExternalRoute;
    let mut sim = Sim::new(SimConfig::seeded(3));
    let (a0, a1, a2) = (area_id(0), area_id(1), area_id(2));
    let nssa = AreaKind::nssa(false);
    let stub = AreaKind::stub(true);
    let r: Vec<NodeId> = (0..4)
        .map(|i| sim.add_router(InstanceConfig::new(rid(i))))
        .collect();
    for (n, area, kind) in [
        (r[1], a1, nssa),
        (r[2], a1, nssa),
        (r[1], a2, stub),
        (r[3], a2, stub),
    ] {
        sim.command(n, |i, now| {
            i.add_area(now, AreaConfig::new(area).kind(kind))
        });
    }
    let p2p = |k: usize, end: u8, area: Ipv4Addr| {
        InterfaceConfig::new(link_addr(k, end), 30)
            .if_type(InterfaceType::PointToPoint)
            .area(area)
    };
    sim.link(r[0], p2p(0, 1, a0), r[1], p2p(0, 2, a0));
    sim.link(r[1], p2p(1, 1, a1), r[2], p2p(1, 2, a1));
    sim.link(r[1], p2p(2, 1, a2), r[3], p2p(2, 2, a2));
    for (i, a) in [(0, a0), (2, a1), (3, a2)] {
        sim.attach_alone(
            r[i],
            InterfaceConfig::new(loopback(i), 32)
                .if_type(InterfaceType::Loopback)
                .area(a),
        );
    }
    let ext1 = Prefix::new(Ipv4Addr::new(198, 51, 100, 0), 24);
    let ext7 = Prefix::new(Ipv4Addr::new(203, 0, 113, 0), 24);
    sim.command(r[0], |i, now| {
        i.redistribute(now, ExternalRoute::new(ext1.addr(), 24).metric(5).e2(false))
    });
    sim.command(r[2], |i, now| {
        i.redistribute(now, ExternalRoute::new(ext7.addr(), 24))
    });
    sim.run_for(Duration::from_secs(120));
    let routes = |sim: &Sim, n: NodeId| -> Table {
        sim.instance(n)
            .unwrap()
            .routes()
            .map(|(p, x)| (p, (x.route_type, x.cost, x.nexthops)))
            .collect()
    };
    let via = |k: usize, end: u8, ifindex: u32| vec![NextHop::via(link_addr(k, end), ifindex)];

    // R1: area 1 and 2 prefixes as inter-area; the translated type-7 as E2, resolved
    // through its forwarding address (R3's loopback, inter-area cost 20).
    let t1 = routes(&sim, r[0]);
    assert_eq!(
        t1[&Prefix::new(loopback(2), 32)],
        (RouteType::InterArea, 20, via(0, 2, 1))
    );
    assert_eq!(
        t1[&Prefix::new(link_addr(2, 0), 30)],
        (RouteType::InterArea, 20, via(0, 2, 1))
    );
    assert_eq!(t1[&ext7], (RouteType::External2, 20, via(0, 2, 1)));
    let tr = sim
        .instance(r[1])
        .unwrap()
        .route_calculation()
        .translations();
    assert_eq!(tr.len(), 1);
    assert_eq!(tr[0].forwarding, loopback(2));

    // R3 in the NSSA: no type-5 route, no default (NSSA with summaries), but summaries.
    let t3 = routes(&sim, r[2]);
    assert!(!t3.contains_key(&ext1));
    assert!(!t3.contains_key(&Prefix::new(Ipv4Addr::UNSPECIFIED, 0)));
    assert_eq!(
        t3[&Prefix::new(loopback(0), 32)],
        (RouteType::InterArea, 20, via(1, 1, 1))
    );

    // R4 in the totally stubby area: its own networks and the default, nothing else.
    let t4 = routes(&sim, r[3]);
    let default = Prefix::new(Ipv4Addr::UNSPECIFIED, 0);
    assert_eq!(t4[&default], (RouteType::InterArea, 11, via(2, 1, 1)));
    assert!(
        t4.iter()
            .all(|(p, x)| *p == default || x.0 == RouteType::IntraArea),
        "{t4:?}"
    );

    // R2, the ABR: both externals.
    let t2 = routes(&sim, r[1]);
    assert_eq!(t2[&ext1], (RouteType::External1, 15, via(0, 1, 1)));
    assert_eq!(t2[&ext7], (RouteType::External2, 10, via(1, 2, 2)));

    // R3 withdraws: the translation and R1's route go away.
    sim.command(r[2], |i, now| i.withdraw(now, ext7.addr(), 24));
    sim.run_for(Duration::from_secs(30));
    assert!(!routes(&sim, r[0]).contains_key(&ext7));
    assert!(
        sim.instance(r[1])
            .unwrap()
            .route_calculation()
            .translations()
            .is_empty()
    );
}
