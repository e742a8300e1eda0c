//! Route calculation benches on generated topologies:
//! * `spf/grid_100x100`: 10k routers, ~20k p2p links (each with its /30 stub on both ends);
//! * `spf/random_10k_40k`: 10k routers, 40k random p2p links;
//! * `spf/lan_1k_100`: 1k routers on 100 LANs (each router on two LANs);
//! * `spf/stub_change`: the 10k/40k topology with an anycast /32 on two routers, one of
//!   them draining and returning at each iteration (its Router-LSA changes only in that stub
//!   link): only that prefix is recomputed, no Dijkstra;
//! * `spf/external_change`: the 10k/40k topology plus 100k AS-external LSAs, one external
//!   changing per iteration (partial recalculation, no Dijkstra).
//!
//! Full runs are `invalidate()` + `calculate()`: Dijkstra, the whole routing table and its
//! diff. Memory per link is printed once per topology.

use std::hint::black_box;
use std::net::Ipv4Addr;

use criterion::{Criterion, criterion_group, criterion_main};
use ospf_core::spf::{InterfaceKind, Spf, SpfConfig, SpfInterface};

const A0: Ipv4Addr = Ipv4Addr::UNSPECIFIED;

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn lsa(t: u8, lsid: u32, adv: u32, options: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![0u8; 20];
    v[2] = options;
    v[3] = t;
    v[4..8].copy_from_slice(&lsid.to_be_bytes());
    v[8..12].copy_from_slice(&adv.to_be_bytes());
    v[12..16].copy_from_slice(&0x8000_0001u32.to_be_bytes());
    v.extend_from_slice(body);
    let len = v.len() as u16;
    v[18..20].copy_from_slice(&len.to_be_bytes());
    v
}

#[derive(Default, Clone)]
struct Rtr {
    flags: u8,
    links: Vec<(u8, u32, u32, u16)>,
}

fn router_lsa(id: u32, r: &Rtr) -> Vec<u8> {
    let mut b = vec![r.flags, 0];
    b.extend_from_slice(&(r.links.len() as u16).to_be_bytes());
    for &(t, lid, data, m) in &r.links {
        b.extend_from_slice(&lid.to_be_bytes());
        b.extend_from_slice(&data.to_be_bytes());
        b.extend_from_slice(&[t, 0]);
        b.extend_from_slice(&m.to_be_bytes());
    }
    lsa(1, id, id, 2, &b)
}

fn rid(i: usize) -> u32 {
    0x0100_0000 + i as u32
}

/// Adds p2p link number `k` (10.x.y.z/30, `u` at .1, `v` at .2) to both routers' links
/// (a p2p link and a stub each way); returns the /30's base address.
fn add_p2p_link(rs: &mut [Rtr], k: usize, u: usize, v: usize, c: u16) -> u32 {
    let base = 0x0A00_0000 + 4 * k as u32;
    rs[u].links.push((1, rid(v), base + 1, c));
    rs[u].links.push((3, base, 0xFFFF_FFFC, c));
    rs[v].links.push((1, rid(u), base + 2, c));
    rs[v].links.push((3, base, 0xFFFF_FFFC, c));
    base
}

struct Built {
    spf: Spf,
    links: usize,
}

/// p2p links (u, v, cost); router 0 is the root. Link k uses 10.x.y.z/30 number k.
fn p2p_topology(n: usize, links: &[(usize, usize, u16)], asbrs: usize) -> Built {
    let mut rs = vec![Rtr::default(); n];
    for r in rs.iter_mut().skip(1).take(asbrs) {
        r.flags = 0x02;
    }
    let mut ifs = Vec::new();
    for (k, &(u, v, c)) in links.iter().enumerate() {
        let base = add_p2p_link(&mut rs, k, u, v, c);
        for (end, addr) in [(u, base + 1), (v, base + 2)] {
            if end == 0 {
                ifs.push(SpfInterface {
                    ifindex: ifs.len() as u32 + 1,
                    area: A0,
                    addr: Ipv4Addr::from(addr),
                    prefix_len: 30,
                    cost: c,
                    kind: InterfaceKind::PointToPoint,
                    up: true,
                    peer: core::net::Ipv4Addr::UNSPECIFIED,
                });
            }
        }
    }
    let mut spf = Spf::new(Ipv4Addr::from(rid(0)), SpfConfig::default());
    spf.set_interfaces(&ifs);
    for (i, r) in rs.iter().enumerate() {
        spf.lsa_update(A0, &router_lsa(rid(i), r)).unwrap();
    }
    spf.calculate();
    Built {
        spf,
        links: links.len(),
    }
}

fn grid(side: usize) -> Built {
    let mut links = Vec::new();
    let mut rng = Rng(7);
    for i in 0..side {
        for j in 0..side {
            let v = i * side + j;
            if j + 1 < side {
                links.push((v, v + 1, 1 + rng.below(10) as u16));
            }
            if i + 1 < side {
                links.push((v, v + side, 1 + rng.below(10) as u16));
            }
        }
    }
    p2p_topology(side * side, &links, 0)
}

/// The random topology and each router's links.
fn random_with_lsas(n: usize, m: usize) -> (Built, Vec<Rtr>) {
    let links = random_links(n, m);
    let b = p2p_topology(n, &links, 0);
    let mut rs = vec![Rtr::default(); n];
    for (k, &(u, v, c)) in links.iter().enumerate() {
        add_p2p_link(&mut rs, k, u, v, c);
    }
    (b, rs)
}

/// Routers 1..=asbrs set the E bit.
fn random(n: usize, m: usize, asbrs: usize) -> Built {
    p2p_topology(n, &random_links(n, m), asbrs)
}

fn random_links(n: usize, m: usize) -> Vec<(usize, usize, u16)> {
    let mut rng = Rng(42);
    let mut links = Vec::with_capacity(m);
    for v in 1..n {
        // a random spanning tree keeps it connected
        links.push((rng.below(v as u64) as usize, v, 1 + rng.below(100) as u16));
    }
    while links.len() < m {
        let u = rng.below(n as u64) as usize;
        let v = rng.below(n as u64) as usize;
        if u != v {
            links.push((u, v, 1 + rng.below(100) as u16));
        }
    }
    links
}

fn lans(n: usize, nets: usize) -> Built {
    let mut rng = Rng(9);
    let mut rs = vec![Rtr::default(); n];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); nets];
    for r in 0..n {
        let a = r % nets;
        let mut b = rng.below(nets as u64) as usize;
        if b == a {
            b = (a + 1) % nets;
        }
        members[a].push(r);
        members[b].push(r);
    }
    let addr = |l: usize, r: usize| 0xAC00_0000 + ((l as u32) << 16) + r as u32 + 1;
    let mut ifs = Vec::new();
    let mut spf = Spf::new(Ipv4Addr::from(rid(0)), SpfConfig::default());
    let mut nlsas = Vec::new();
    for (l, ms) in members.iter().enumerate() {
        let dr = ms[0];
        let c = 1 + rng.below(10) as u16;
        for &r in ms {
            rs[r].links.push((2, addr(l, dr), addr(l, r), c));
            if r == 0 {
                ifs.push(SpfInterface {
                    ifindex: ifs.len() as u32 + 1,
                    area: A0,
                    addr: Ipv4Addr::from(addr(l, 0)),
                    prefix_len: 16,
                    cost: c,
                    kind: InterfaceKind::Broadcast,
                    up: true,
                    peer: core::net::Ipv4Addr::UNSPECIFIED,
                });
            }
        }
        let mut b = 0xFFFF_0000u32.to_be_bytes().to_vec();
        for &r in ms {
            b.extend_from_slice(&rid(r).to_be_bytes());
        }
        nlsas.push(lsa(2, addr(l, dr), rid(dr), 2, &b));
    }
    for (r, x) in rs.iter_mut().enumerate() {
        x.links.push((3, 0xC0A8_0000 + r as u32, u32::MAX, 1));
    }
    spf.set_interfaces(&ifs);
    for (i, r) in rs.iter().enumerate() {
        spf.lsa_update(A0, &router_lsa(rid(i), r)).unwrap();
    }
    for l in &nlsas {
        spf.lsa_update(A0, l).unwrap();
    }
    spf.calculate();
    Built { spf, links: n * 2 }
}

fn external(i: u32, adv: u32, metric: u32) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&u32::MAX.to_be_bytes());
    b.extend_from_slice(&(0x8000_0000 | metric).to_be_bytes());
    b.extend_from_slice(&[0; 8]);
    lsa(5, 0x6400_0000 + i, adv, 2, &b)
}

fn report(name: &str, b: &Built) {
    let bytes = b.spf.memory_bytes();
    eprintln!(
        "{name}: {} routes, {} links, {} bytes ({} bytes per link)",
        b.spf.route_count(),
        b.links,
        bytes,
        bytes / b.links.max(1)
    );
}

fn full(c: &mut Criterion, name: &str, mut b: Built) {
    report(name, &b);
    c.bench_function(name, |bch| {
        bch.iter(|| {
            b.spf.invalidate();
            black_box(b.spf.calculate())
        })
    });
}

fn benches(c: &mut Criterion) {
    full(c, "spf/grid_100x100", grid(100));
    full(c, "spf/random_10k_40k", random(10_000, 40_000, 0));
    full(c, "spf/lan_1k_100", lans(1000, 100));

    // An anycast /32 on two routers; one of them drains and returns (its Router-LSA
    // changes only in that stub link).
    let (mut b, lsa_of) = random_with_lsas(10_000, 40_000);
    let anycast = |r: usize| {
        let mut with = lsa_of[r].clone();
        with.links.push((3, 0xAC10_0001, u32::MAX, 0));
        router_lsa(rid(r), &with)
    };
    b.spf.lsa_update(A0, &anycast(6000)).unwrap();
    b.spf.calculate();
    let r = 5000usize;
    let (on, off) = (anycast(r), router_lsa(rid(r), &lsa_of[r]));
    let mut flip = false;
    c.bench_function("spf/stub_change", |bch| {
        bch.iter(|| {
            flip = !flip;
            b.spf.lsa_update(A0, if flip { &on } else { &off }).unwrap();
            black_box(b.spf.calculate())
        })
    });

    // 100k externals from 100 ASBRs, one changed per iteration.
    let mut b = random(10_000, 40_000, 100);
    let asbrs: Vec<u32> = (1..=100).map(rid).collect();
    for i in 0..100_000u32 {
        b.spf
            .lsa_update(A0, &external(i, asbrs[(i % 100) as usize], 10))
            .unwrap();
    }
    b.spf.calculate();
    report("spf/external_change (10k/40k + 100k externals)", &b);
    let mut k = 0u32;
    c.bench_function("spf/external_change", |bch| {
        bch.iter(|| {
            k = k.wrapping_add(1);
            let i = k % 100_000;
            b.spf
                .lsa_update(A0, &external(i, asbrs[(i % 100) as usize], 10 + (k & 7)))
                .unwrap();
            black_box(b.spf.calculate())
        })
    });
}

criterion_group!(spf, benches);
criterion_main!(spf);
