//! The route calculation against a naive reference over random topologies (proptest):
//! point-to-point links (parallel ones too), LANs, shared anycast stubs, AS-external routes;
//! then random LSA changes applied one calculation at a time, the emitted diffs applied to a
//! model FIB, which must equal the table, which must equal a calculation from scratch.

mod spf_util;
use spf_util as util;

use std::collections::{BTreeMap, BTreeSet};

use core::net::Ipv4Addr;
use ospf_core::spf::*;
use proptest::prelude::*;
use util::*;

const A0: Ipv4Addr = Ipv4Addr::UNSPECIFIED;
const INF: u64 = u64::MAX;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Clone)]
struct P2p {
    u: usize,
    v: usize,
    cu: u16,
    cv: u16,
    k: u32,
}
impl P2p {
    fn addr(&self, end: usize) -> Ipv4Addr {
        let base = 0x0A00_0000 + self.k * 4;
        Ipv4Addr::from(base + if end == self.u { 1 } else { 2 })
    }
    fn subnet(&self) -> Ipv4Addr {
        Ipv4Addr::from(0x0A00_0000 + self.k * 4)
    }
}

#[derive(Clone)]
struct Lan {
    members: Vec<(usize, u16)>,
    l: u8,
}
impl Lan {
    fn addr(&self, r: usize) -> Ipv4Addr {
        Ipv4Addr::new(172, 20, self.l, r as u8 + 1)
    }
    fn dr(&self) -> usize {
        self.members[0].0
    }
}

#[derive(Clone)]
struct Ext {
    asbr: usize,
    prefix: u8,
    e2: bool,
    metric: u32,
}

#[derive(Clone)]
struct Topo {
    n: usize,
    p2p: Vec<P2p>,
    lans: Vec<Lan>,
    /// (router, prefix, len, metric)
    stubs: Vec<(usize, Ipv4Addr, u8, u16)>,
    ext: Vec<Ext>,
    down: BTreeSet<usize>,
}

fn rid(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(1, 1, (i >> 8) as u8, i as u8)
}

impl Topo {
    fn random(rng: &mut Rng, n: usize) -> Topo {
        let mut t = Topo {
            n,
            p2p: vec![],
            lans: vec![],
            stubs: vec![],
            ext: vec![],
            down: BTreeSet::new(),
        };
        let links = n + rng.below(2 * n as u64) as usize;
        for k in 0..links {
            let u = rng.below(n as u64) as usize;
            let mut v = rng.below(n as u64) as usize;
            if v == u {
                v = (u + 1) % n;
            }
            if u == v {
                continue;
            }
            t.p2p.push(P2p {
                u,
                v,
                cu: 1 + rng.below(4) as u16,
                cv: 1 + rng.below(4) as u16,
                k: k as u32,
            });
        }
        for l in 0..rng.below(4) as u8 {
            let mut members: Vec<(usize, u16)> = vec![];
            for _ in 0..2 + rng.below(4) {
                let r = rng.below(n as u64) as usize;
                if !members.iter().any(|m| m.0 == r) {
                    members.push((r, 1 + rng.below(4) as u16));
                }
            }
            if members.len() >= 2 {
                t.lans.push(Lan { members, l });
            }
        }
        for r in 0..n {
            t.stubs.push((
                r,
                Ipv4Addr::new(192, 168, (r >> 8) as u8, r as u8),
                32,
                rng.below(3) as u16,
            ));
            if rng.below(3) == 0 {
                t.stubs
                    .push((r, Ipv4Addr::new(172, 16, 0, 1), 32, rng.below(2) as u16));
            }
        }
        for _ in 0..rng.below(6) {
            t.ext.push(Ext {
                asbr: rng.below(n as u64) as usize,
                prefix: rng.below(4) as u8,
                e2: rng.below(2) == 0,
                metric: rng.below(5) as u32,
            });
        }
        t
    }

    fn is_asbr(&self, r: usize) -> bool {
        self.ext.iter().any(|e| e.asbr == r)
    }

    fn router_lsa(&self, r: usize) -> Vec<u8> {
        let mut links = vec![];
        for p in &self.p2p {
            for (me, other, c) in [(p.u, p.v, p.cu), (p.v, p.u, p.cv)] {
                if me == r {
                    links.push((P2P, rid(other), p.addr(me), c));
                    links.push((STUB, p.subnet(), mask(30), c));
                }
            }
        }
        for lan in &self.lans {
            if let Some(&(_, c)) = lan.members.iter().find(|m| m.0 == r) {
                links.push((TRANSIT, lan.addr(lan.dr()), lan.addr(r), c));
            }
        }
        for &(x, p, len, m) in &self.stubs {
            if x == r {
                links.push((STUB, p, mask(len), m));
            }
        }
        router(rid(r), if self.is_asbr(r) { 0x02 } else { 0 }, &links)
    }

    fn lsas(&self) -> Vec<Vec<u8>> {
        let mut v = vec![];
        for r in 0..self.n {
            if !self.down.contains(&r) {
                v.push(self.router_lsa(r));
            }
        }
        for lan in &self.lans {
            if !self.down.contains(&lan.dr()) {
                let rs: Vec<Ipv4Addr> = lan.members.iter().map(|m| rid(m.0)).collect();
                v.push(network(lan.addr(lan.dr()), rid(lan.dr()), 24, &rs));
            }
        }
        for e in &self.ext {
            v.push(self.ext_lsa(e));
        }
        v
    }

    fn ext_lsa(&self, e: &Ext) -> Vec<u8> {
        external(
            5,
            Ipv4Addr::new(203, 0, 113, e.prefix * 64),
            rid(e.asbr),
            26,
            e.e2,
            e.metric,
            A0,
            0,
            2,
        )
    }

    fn interfaces(&self) -> Vec<SpfInterface> {
        let mut v = vec![];
        let mut add = |addr: Ipv4Addr, len: u8| {
            v.push(SpfInterface {
                ifindex: v.len() as u32 + 1,
                area: A0,
                addr,
                prefix_len: len,
                cost: 1,
                kind: InterfaceKind::Broadcast,
                up: true,
                peer: core::net::Ipv4Addr::UNSPECIFIED,
            })
        };
        for p in &self.p2p {
            if p.u == 0 || p.v == 0 {
                add(p.addr(0), 30);
            }
        }
        for lan in &self.lans {
            if lan.members.iter().any(|m| m.0 == 0) {
                add(lan.addr(0), 24);
            }
        }
        v
    }

    fn spf(&self) -> Spf {
        let mut spf = Spf::new(rid(0), SpfConfig::default());
        spf.set_interfaces(&self.interfaces());
        for l in self.lsas() {
            spf.lsa_update(A0, &l).unwrap();
        }
        spf.calculate();
        spf
    }

    /// Reference: all-pairs by plain Dijkstra from each node, next hops by definition.
    fn reference(&self) -> BTreeMap<Prefix, (RouteType, u32, u32, Vec<NextHop>)> {
        let nodes = self.n + self.lans.len();
        // adjacency (only live routers, two-way by construction when both ends are up)
        let up = |r: usize| !self.down.contains(&r);
        let mut adj: Vec<Vec<(usize, u64)>> = vec![vec![]; nodes];
        for p in &self.p2p {
            if up(p.u) && up(p.v) {
                adj[p.u].push((p.v, u64::from(p.cu)));
                adj[p.v].push((p.u, u64::from(p.cv)));
            }
        }
        for (i, lan) in self.lans.iter().enumerate() {
            if !up(lan.dr()) {
                continue;
            }
            for &(r, c) in &lan.members {
                if up(r) {
                    adj[r].push((self.n + i, u64::from(c)));
                    adj[self.n + i].push((r, 0));
                }
            }
        }
        let dij = |s: usize| -> Vec<u64> {
            let mut d = vec![INF; nodes];
            let mut done = vec![false; nodes];
            d[s] = 0;
            loop {
                let mut best = None;
                for i in 0..nodes {
                    if !done[i] && d[i] != INF && best.is_none_or(|b: usize| d[i] < d[b]) {
                        best = Some(i);
                    }
                }
                let Some(u) = best else { break };
                done[u] = true;
                for &(w, c) in &adj[u] {
                    if d[u] + c < d[w] {
                        d[w] = d[u] + c;
                    }
                }
            }
            d
        };
        let all: Vec<Vec<u64>> = (0..nodes).map(dij).collect();
        let dr = &all[0];
        let ifs = self.interfaces();
        let ifx = |a: Ipv4Addr| ifs.iter().find(|f| f.addr == a).unwrap().ifindex;
        let hops = |t: usize| -> Vec<NextHop> {
            let mut s = BTreeSet::new();
            if dr[t] == INF || t == 0 {
                return vec![];
            }
            for p in &self.p2p {
                for (me, other, c) in [(p.u, p.v, p.cu), (p.v, p.u, p.cv)] {
                    if me == 0
                        && up(other)
                        && u64::from(c) + all[other][t] == dr[t]
                        && all[other][t] != INF
                    {
                        s.insert(NextHop::via(p.addr(other), ifx(p.addr(0))));
                    }
                }
            }
            for (i, lan) in self.lans.iter().enumerate() {
                if !up(lan.dr()) {
                    continue;
                }
                if let Some(&(_, c)) = lan.members.iter().find(|m| m.0 == 0) {
                    let i_f = ifx(lan.addr(0));
                    if t == self.n + i && u64::from(c) == dr[t] {
                        s.insert(NextHop::direct(i_f));
                    }
                    for &(u, _) in &lan.members {
                        if u != 0 && up(u) && all[u][t] != INF && u64::from(c) + all[u][t] == dr[t]
                        {
                            s.insert(NextHop::via(lan.addr(u), i_f));
                        }
                    }
                }
            }
            s.into_iter().collect()
        };
        let mut out: BTreeMap<Prefix, (RouteType, u32, u32, Vec<NextHop>)> = BTreeMap::new();
        let offer = |out: &mut BTreeMap<_, _>, p: Prefix, cost: u64, hs: Vec<NextHop>| {
            if hs.is_empty() {
                return;
            }
            let e = out
                .entry(p)
                .or_insert((RouteType::IntraArea, cost as u32, 0, vec![]));
            if (cost as u32) < e.1 {
                *e = (RouteType::IntraArea, cost as u32, 0, hs);
            } else if cost as u32 == e.1 {
                let mut u: BTreeSet<NextHop> = e.3.iter().copied().collect();
                u.extend(hs);
                e.3 = u.into_iter().collect();
            }
        };
        for (i, lan) in self.lans.iter().enumerate() {
            let t = self.n + i;
            if dr[t] != INF {
                offer(&mut out, Prefix::new(lan.addr(0), 24), dr[t], hops(t));
            }
        }
        let mut stubs: Vec<(usize, Prefix, u16)> = self
            .stubs
            .iter()
            .map(|&(r, p, l, m)| (r, Prefix::new(p, l), m))
            .collect();
        for p in &self.p2p {
            stubs.push((p.u, Prefix::new(p.subnet(), 30), p.cu));
            stubs.push((p.v, Prefix::new(p.subnet(), 30), p.cv));
        }
        for (r, p, m) in stubs {
            if !up(r) || dr[r] == INF {
                continue;
            }
            if r == 0 {
                if let Some(f) = ifs.iter().find(|f| p.contains(f.addr)) {
                    offer(&mut out, p, u64::from(m), vec![NextHop::direct(f.ifindex)]);
                }
            } else {
                offer(&mut out, p, dr[r] + u64::from(m), hops(r));
            }
        }
        // externals (FA 0): by ASBR distance
        let mut ext: BTreeMap<Prefix, (RouteType, u32, u32, Vec<NextHop>)> = BTreeMap::new();
        // One LSA per (ASBR, prefix): the last one written wins, as in the LSDB.
        let mut seen = BTreeSet::new();
        for e in self.ext.iter().rev() {
            if !seen.insert((e.asbr, e.prefix)) {
                continue;
            }
            let a = e.asbr;
            if a == 0 || !up(a) || dr[a] == INF {
                continue;
            }
            let p = Prefix::new(Ipv4Addr::new(203, 0, 113, e.prefix * 64), 26);
            let x = dr[a] as u32;
            let cand = if e.e2 {
                (RouteType::External2, x, e.metric, hops(a))
            } else {
                (RouteType::External1, x + e.metric, 0, hops(a))
            };
            let rank = |c: &(RouteType, u32, u32, Vec<NextHop>)| (c.0, c.2, c.1);
            match ext.get_mut(&p) {
                None => {
                    ext.insert(p, cand);
                }
                Some(b) => {
                    if rank(&cand) < rank(b) {
                        *b = cand;
                    } else if rank(&cand) == rank(b) {
                        let mut u: BTreeSet<NextHop> = b.3.iter().copied().collect();
                        u.extend(cand.3);
                        b.3 = u.into_iter().collect();
                    }
                }
            }
        }
        for (p, e) in ext {
            out.entry(p).or_insert(e);
        }
        out
    }
}

fn table(spf: &Spf) -> BTreeMap<Prefix, (RouteType, u32, u32, Vec<NextHop>)> {
    spf.routes()
        .map(|(p, r)| (p, (r.route_type, r.cost, r.type2_cost, r.nexthops)))
        .collect()
}

fn apply(fib: &mut BTreeMap<Prefix, Route>, ch: Vec<RouteChange>) {
    for c in ch {
        match c {
            RouteChange::Add { prefix, route } => {
                assert!(
                    fib.insert(prefix, route).is_none(),
                    "add of an existing {prefix}"
                );
            }
            RouteChange::Replace { prefix, route } => {
                let old = fib.insert(prefix, route.clone());
                assert!(old.is_some_and(|o| o != route), "bad replace of {prefix}");
            }
            RouteChange::Delete { prefix } => {
                assert!(
                    fib.remove(&prefix).is_some(),
                    "delete of a missing {prefix}"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96)
    ))]

    #[test]
    fn spf_equals_naive_reference(seed in 1u64.., n in 2usize..24) {
        let mut rng = Rng(seed);
        let t = Topo::random(&mut rng, n);
        let spf = t.spf();
        prop_assert_eq!(table(&spf), t.reference());
    }

    #[test]
    fn spf_incremental_diffs_equal_full_calculation(seed in 1u64.., n in 2usize..16, steps in 1usize..12) {
        let mut rng = Rng(seed);
        let mut t = Topo::random(&mut rng, n);
        let mut spf = t.spf();
        let mut fib: BTreeMap<Prefix, Route> = spf.routes().collect();
        for _ in 0..steps {
            match rng.below(5) {
                0 if t.n > 1 => {
                    // a router fails or comes back
                    let r = 1 + rng.below(t.n as u64 - 1) as usize;
                    if !t.down.remove(&r) {
                        t.down.insert(r);
                    }
                }
                1 if !t.stubs.is_empty() => {
                    // stub-only change (anycast drain / metric change)
                    let i = rng.below(t.stubs.len() as u64) as usize;
                    t.stubs[i].3 = rng.below(4) as u16;
                }
                2 if !t.p2p.is_empty() => {
                    let i = rng.below(t.p2p.len() as u64) as usize;
                    t.p2p[i].cu = 1 + rng.below(4) as u16;
                }
                3 if !t.ext.is_empty() => {
                    let i = rng.below(t.ext.len() as u64) as usize;
                    t.ext[i].metric = rng.below(5) as u32;
                    t.ext[i].e2 = rng.below(2) == 0;
                }
                _ => {
                    t.ext.push(Ext { asbr: rng.below(t.n as u64) as usize, prefix: rng.below(4) as u8, e2: true, metric: 3 });
                }
            }
            // feed: updates for the current LSAs, removals for routers that went down
            for r in t.down.clone() {
                spf.lsa_remove(A0, 1, rid(r), rid(r));
                for lan in &t.lans {
                    if lan.dr() == r {
                        spf.lsa_remove(A0, 2, lan.addr(r), rid(r));
                    }
                }
            }
            for l in t.lsas() {
                spf.lsa_update(A0, &l).unwrap();
            }
            apply(&mut fib, spf.calculate());
            prop_assert_eq!(&fib, &spf.routes().collect::<BTreeMap<_, _>>());
            prop_assert_eq!(table(&spf), t.reference());
        }
        let mut fresh = spf.clone();
        fresh.invalidate();
        prop_assert!(fresh.calculate().is_empty());
    }
}
