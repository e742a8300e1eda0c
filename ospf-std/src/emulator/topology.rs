//! A generated OSPF area as the LSAs its routers would originate, deterministic per seed.
//!
//! Addressing (chosen so no two parts overlap, and so every emulated router's ID is above
//! the router under test's: the emulator is always the master of the database exchange):
//!
//! | what | addresses |
//! |---|---|
//! | the router under test | router ID [`RUT_ROUTER_ID`], `10.254.k.1/24` on gateway link `k` |
//! | gateway link `k` (a p2p veth) | `10.254.k.0/24`, the emulated gateway at `10.254.k.2` |
//! | emulated router `i` | router ID `11.0.0.0 + i + 1`, a loopback stub `/32` on it |
//! | router `i` with `i % 4 == 1` | a stub `20.0.0.0 + i * 256` `/24` |
//! | LAN `j` | `30.0.0.0 + j * 256` `/24`, member `m` at `.m+1`, the DR at `.1` |
//! | AS-external `k` | `64.0.0.0 + k * 256` `/24` (below `80.0.0.0` up to a million) |
//!
//! Links between emulated routers are unnumbered point-to-point links (link data: a link
//! number), so they add no prefixes: every route is a router's loopback, a `/24` stub, a
//! LAN or an external. Costs are 10, 20 or 30, so equal-cost paths abound.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::Ipv4Addr;

use ospf_core::Prefix;
use ospf_core::spf::{InterfaceKind, Spf, SpfConfig, SpfInterface};

/// Router ID of the router under test.
pub const RUT_ROUTER_ID: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
/// Cost of a gateway link, both ways.
pub const GATEWAY_COST: u16 = 10;
/// Initial LS sequence number.
const INITIAL_SEQ: u32 = 0x8000_0001;
/// MaxAge (RFC 2328 B).
pub const MAX_AGE: u16 = 3600;

const AREA0: Ipv4Addr = Ipv4Addr::UNSPECIFIED;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopologySpec {
    /// Emulated routers.
    pub routers: usize,
    /// Point-to-point links between emulated routers (a random spanning tree first, so
    /// the area is connected, then random pairs); at least `routers - 1`, at most
    /// `routers` plus half the distinct router pairs (so random picks stay quick).
    pub links: usize,
    /// LANs (transit networks with a Network-LSA), 3 to 6 members each.
    pub lans: usize,
    /// AS-external LSAs, spread over the ASBRs.
    pub externals: usize,
    /// ASBRs (routers `routers - asbrs ..`), at least 1 when there are externals.
    pub asbrs: usize,
    /// Gateways: emulated routers `0..gateways`, each adjacent to the router under test
    /// over gateway link `k`.
    pub gateways: usize,
    /// Picks the topology.
    pub seed: u64,
}

impl TopologySpec {
    /// `routers` routers, `4 * routers` links, one LAN per 50 routers, `externals`
    /// externals from one ASBR per 100 routers, one gateway, seed 1.
    pub fn new(routers: usize, externals: usize) -> Self {
        TopologySpec {
            routers,
            links: 4 * routers,
            lans: routers / 50,
            externals,
            asbrs: (routers / 100).max(1),
            gateways: 1,
            seed: 1,
        }
    }

    /// The same with `gateways` gateways.
    pub fn gateways(mut self, gateways: usize) -> Self {
        self.gateways = gateways;
        self
    }

    /// The same with another seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// A name like `1k-4k-0ext-s1`.
    pub fn name(&self) -> String {
        fn k(n: usize) -> String {
            if n >= 1000 && n % 1000 == 0 {
                format!("{}k", n / 1000)
            } else {
                n.to_string()
            }
        }
        format!(
            "{}r-{}l-{}ext",
            k(self.routers),
            k(self.links),
            k(self.externals)
        )
    }
}

/// Why a spec cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopologyError {
    /// No routers, no gateway, or more gateways than routers.
    #[error(
        "need at least one router and 1..=routers gateways (routers {routers}, gateways {gateways})"
    )]
    Gateways {
        /// Routers asked for.
        routers: usize,
        /// Gateways asked for.
        gateways: usize,
    },
    /// The addressing plan holds at most 1,000,000 routers, 250 gateways, 65,536 LANs
    /// and 1,000,000 externals.
    #[error("{what} {n} exceeds the addressing plan's {max}")]
    TooMany {
        /// What.
        what: &'static str,
        /// How many were asked for.
        n: usize,
        /// The most there can be.
        max: usize,
    },
    /// Fewer links than a spanning tree needs, or more than `routers` plus half the
    /// distinct router pairs.
    #[error("{links} links cannot connect {routers} routers without parallel links")]
    Links {
        /// Links asked for.
        links: usize,
        /// Routers.
        routers: usize,
    },
}

/// One link of an emulated router (RFC 2328 A.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Link {
    kind: u8,
    id: u32,
    data: u32,
    metric: u16,
}

#[derive(Debug, Clone)]
struct Router {
    flags: u8,
    links: Vec<Link>,
    seq: u32,
}

/// Router ID of emulated router `i`.
pub fn router_id(i: usize) -> Ipv4Addr {
    Ipv4Addr::from(0x0B00_0000u32.wrapping_add(i as u32 + 1))
}

/// The router under test's address on gateway link `k` (`10.254.k.1`).
pub fn rut_addr(k: usize) -> Ipv4Addr {
    Ipv4Addr::new(10, 254, k as u8, 1)
}

/// The emulated gateway's address on gateway link `k` (`10.254.k.2`).
pub fn gateway_addr(k: usize) -> Ipv4Addr {
    Ipv4Addr::new(10, 254, k as u8, 2)
}

/// The prefix of AS-external LSA `k`: `64.0.0.0 + k * 256`, a `/24`.
pub fn external_prefix(k: usize) -> Ipv4Addr {
    Ipv4Addr::from(0x4000_0000u32.wrapping_add((k as u32) << 8))
}

/// A deterministic xorshift generator (no dependency, same sequence everywhere).
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // splitmix64 of the seed, never 0
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
    fn cost(&mut self) -> u16 {
        10 * (1 + self.below(3) as u16)
    }
}

/// Builds an LSA: header (age `age`, options E) and `body`, checksum filled in.
fn build_lsa(ls_type: u8, lsid: u32, adv: u32, seq: u32, age: u16, body: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(20 + body.len());
    v.extend_from_slice(&age.to_be_bytes());
    v.push(0x02);
    v.push(ls_type);
    v.extend_from_slice(&lsid.to_be_bytes());
    v.extend_from_slice(&adv.to_be_bytes());
    v.extend_from_slice(&seq.to_be_bytes());
    v.extend_from_slice(&[0, 0, 0, 0]);
    v.extend_from_slice(body);
    let len = v.len() as u16;
    v[18..20].copy_from_slice(&len.to_be_bytes());
    if let Some(ck) = ospf_core::lsdb::lsa_checksum(&v) {
        v[16..18].copy_from_slice(&ck.to_be_bytes());
    }
    v
}

fn router_lsa(id: u32, r: &Router) -> Vec<u8> {
    let mut b = Vec::with_capacity(4 + 12 * r.links.len());
    b.extend_from_slice(&[r.flags, 0]);
    b.extend_from_slice(&(r.links.len() as u16).to_be_bytes());
    for l in &r.links {
        b.extend_from_slice(&l.id.to_be_bytes());
        b.extend_from_slice(&l.data.to_be_bytes());
        b.extend_from_slice(&[l.kind, 0]);
        b.extend_from_slice(&l.metric.to_be_bytes());
    }
    build_lsa(1, id, id, r.seq, 1, &b)
}

fn external_lsa(k: usize, adv: Ipv4Addr, seq: u32, age: u16) -> Vec<u8> {
    let mut b = Vec::with_capacity(16);
    b.extend_from_slice(&[255, 255, 255, 0]);
    // even: type-2 metric 20; odd: type-1 metric 10
    if k % 2 == 0 {
        b.extend_from_slice(&[0x80, 0, 0, 20]);
    } else {
        b.extend_from_slice(&[0, 0, 0, 10]);
    }
    b.extend_from_slice(&[0; 8]); // forwarding address 0, tag 0
    build_lsa(
        5,
        u32::from(external_prefix(k)),
        u32::from(adv),
        seq,
        age,
        &b,
    )
}

/// A link cost change: router, neighbor, the link's cost before.
pub type LinkChange = (usize, usize, u16);

/// Prefixes whose next hops a change moves, with their next hops after it.
pub type MovedRoutes = Vec<(Prefix, Vec<Ipv4Addr>)>;

/// An LSA's key: type, link state ID, advertising router.
pub type LsaKey = (u8, u32, u32);

/// The key of raw LSA `lsa`; `None` when it is shorter than an LSA header (20 bytes).
pub fn lsa_key(lsa: &[u8]) -> Option<LsaKey> {
    let h = lsa.get(..20)?;
    let w = |i: usize| u32::from_be_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
    Some((h[3], w(4), w(8)))
}

/// The generated area: every emulated router's Router-LSA, the LANs' Network-LSAs and
/// the AS-external LSAs, kept current as scripted changes are applied.
#[derive(Debug, Clone)]
pub struct Topology {
    spec: TopologySpec,
    routers: Vec<Router>,
    lsas: Vec<Vec<u8>>,
    index: HashMap<LsaKey, usize>,
    external_seq: Vec<u32>,
    asbr_of: Vec<usize>,
}

impl Topology {
    /// Generates the area of `spec`.
    pub fn generate(spec: TopologySpec) -> Result<Topology, TopologyError> {
        let n = spec.routers;
        if n == 0 || spec.gateways == 0 || spec.gateways > n {
            return Err(TopologyError::Gateways {
                routers: n,
                gateways: spec.gateways,
            });
        }
        for (what, v, max) in [
            ("routers", n, 1_000_000),
            ("gateways", spec.gateways, 250),
            ("LANs", spec.lans, 65_536),
            ("externals", spec.externals, 1_000_000),
        ] {
            if v > max {
                return Err(TopologyError::TooMany { what, n: v, max });
            }
        }
        let pairs = n.saturating_mul(n - 1) / 2;
        if spec.links + 1 < n || spec.links > pairs / 2 + n {
            return Err(TopologyError::Links {
                links: spec.links,
                routers: n,
            });
        }
        let mut rng = Rng::new(spec.seed);
        let mut routers: Vec<Router> = (0..n)
            .map(|i| Router {
                flags: 0,
                links: vec![Link {
                    kind: 3,
                    id: u32::from(router_id(i)),
                    data: u32::MAX,
                    metric: 0,
                }],
                seq: INITIAL_SEQ,
            })
            .collect();
        for (i, r) in routers.iter_mut().enumerate() {
            if i % 4 == 1 {
                r.links.push(Link {
                    kind: 3,
                    id: 0x1400_0000 + ((i as u32) << 8),
                    data: 0xFFFF_FF00,
                    metric: 10,
                });
            }
        }
        // Gateways: a p2p link to the router under test and the link's subnet.
        for (k, r) in routers.iter_mut().take(spec.gateways).enumerate() {
            r.links.push(Link {
                kind: 1,
                id: u32::from(RUT_ROUTER_ID),
                data: u32::from(gateway_addr(k)),
                metric: GATEWAY_COST,
            });
            r.links.push(Link {
                kind: 3,
                id: u32::from(gateway_addr(k)) & 0xFFFF_FF00,
                data: 0xFFFF_FF00,
                metric: GATEWAY_COST,
            });
        }
        // p2p links: a random spanning tree, then random pairs; never parallel.
        let mut seen = HashSet::new();
        let add = |rs: &mut Vec<Router>, u: usize, v: usize, c: u16, k: u32| {
            rs[u].links.push(Link {
                kind: 1,
                id: u32::from(router_id(v)),
                data: k,
                metric: c,
            });
            rs[v].links.push(Link {
                kind: 1,
                id: u32::from(router_id(u)),
                data: k,
                metric: c,
            });
        };
        let mut k = 0u32;
        for v in 1..n {
            let u = rng.below(v);
            seen.insert((u, v));
            let c = rng.cost();
            k += 1;
            add(&mut routers, u, v, c, k);
        }
        while (k as usize) < spec.links {
            let (a, b) = (rng.below(n), rng.below(n));
            let (u, v) = (a.min(b), a.max(b));
            if u == v || !seen.insert((u, v)) {
                continue;
            }
            let c = rng.cost();
            k += 1;
            add(&mut routers, u, v, c, k);
        }
        // LANs: 3 to 6 distinct members, the first one DR.
        let mut networks = Vec::new();
        for j in 0..spec.lans {
            let base = 0x1E00_0000u32 + ((j as u32) << 8);
            let want = (3 + rng.below(4)).min(n);
            let mut members: Vec<usize> = Vec::with_capacity(want);
            while members.len() < want {
                let m = rng.below(n);
                if !members.contains(&m) {
                    members.push(m);
                }
            }
            let dr_addr = base + 1;
            for (m, &r) in members.iter().enumerate() {
                let c = rng.cost();
                routers[r].links.push(Link {
                    kind: 2,
                    id: dr_addr,
                    data: base + 1 + m as u32,
                    metric: c,
                });
            }
            let mut body = vec![255, 255, 255, 0];
            for &r in &members {
                body.extend_from_slice(&router_id(r).octets());
            }
            networks.push(build_lsa(
                2,
                dr_addr,
                u32::from(router_id(members[0])),
                INITIAL_SEQ,
                1,
                &body,
            ));
        }
        let asbrs = if spec.externals == 0 {
            0
        } else {
            spec.asbrs.clamp(1, n)
        };
        for r in routers.iter_mut().skip(n - asbrs) {
            r.flags |= 0x02;
        }
        let asbr_of: Vec<usize> = (0..spec.externals).map(|e| n - asbrs + e % asbrs).collect();
        let mut t = Topology {
            spec,
            routers,
            lsas: Vec::new(),
            index: HashMap::new(),
            external_seq: vec![INITIAL_SEQ; spec.externals],
            asbr_of,
        };
        for i in 0..n {
            let lsa = router_lsa(u32::from(router_id(i)), &t.routers[i]);
            t.put(lsa);
        }
        for lsa in networks {
            t.put(lsa);
        }
        for e in 0..spec.externals {
            let lsa = external_lsa(e, router_id(t.asbr_of[e]), INITIAL_SEQ, 1);
            t.put(lsa);
        }
        Ok(t)
    }

    /// Stores `lsa` (built here, so at least a header long) under its key.
    fn put(&mut self, lsa: Vec<u8>) {
        let Some(key) = lsa_key(&lsa) else {
            return;
        };
        match self.index.get(&key) {
            Some(&i) => self.lsas[i] = lsa,
            None => {
                self.index.insert(key, self.lsas.len());
                self.lsas.push(lsa);
            }
        }
    }

    /// The spec it was generated from.
    pub fn spec(&self) -> &TopologySpec {
        &self.spec
    }

    /// Every LSA, raw (age 1 as generated; the emulator ages them when it sends them).
    pub fn lsas(&self) -> &[Vec<u8>] {
        &self.lsas
    }

    /// The current instance of the LSA with `key`.
    pub fn lsa(&self, key: &LsaKey) -> Option<&[u8]> {
        self.index.get(key).map(|&i| self.lsas[i].as_slice())
    }

    /// Point-to-point links between emulated routers, counted once.
    pub fn p2p_links(&self) -> usize {
        self.routers
            .iter()
            .flat_map(|r| &r.links)
            .filter(|l| l.kind == 1 && l.id != u32::from(RUT_ROUTER_ID))
            .count()
            / 2
    }

    /// Changes the cost of router `r`'s point-to-point link to router `to` (one direction,
    /// as an interface cost change does) and returns its new Router-LSA, or `None` when
    /// there is no such link.
    pub fn set_link_metric(&mut self, r: usize, to: usize, metric: u16) -> Option<Vec<u8>> {
        let to_id = u32::from(router_id(to));
        let router = self.routers.get_mut(r)?;
        let link = router
            .links
            .iter_mut()
            .find(|l| l.kind == 1 && l.id == to_id)?;
        link.metric = metric;
        router.seq += 1;
        let lsa = router_lsa(u32::from(router_id(r)), router);
        self.put(lsa.clone());
        Some(lsa)
    }

    /// The cost of router `r`'s point-to-point link to router `to`.
    pub fn link_metric(&self, r: usize, to: usize) -> Option<u16> {
        let to_id = u32::from(router_id(to));
        self.routers
            .get(r)?
            .links
            .iter()
            .find(|l| l.kind == 1 && l.id == to_id)
            .map(|l| l.metric)
    }

    /// The emulated routers `r` has a point-to-point link to.
    pub fn p2p_neighbors(&self, r: usize) -> Vec<usize> {
        let base = 0x0B00_0001u32;
        self.routers.get(r).map_or_else(Vec::new, |router| {
            router
                .links
                .iter()
                .filter(|l| l.kind == 1 && l.id != u32::from(RUT_ROUTER_ID))
                .map(|l| (l.id - base) as usize)
                .collect()
        })
    }

    /// Router `r` leaves: its Router-LSA, flushed (MaxAge, RFC 2328 §14.1). The links of
    /// its neighbors towards it stay, and fail the two-way check.
    pub fn router_leave(&mut self, r: usize) -> Option<Vec<u8>> {
        let key = (1, u32::from(router_id(r)), u32::from(router_id(r)));
        let mut lsa = self.lsa(&key)?.to_vec();
        lsa[0..2].copy_from_slice(&MAX_AGE.to_be_bytes());
        self.put(lsa.clone());
        Some(lsa)
    }

    /// Router `r` comes back after [`Topology::router_leave`]: its Router-LSA again, with
    /// the next sequence number.
    pub fn router_return(&mut self, r: usize) -> Option<Vec<u8>> {
        let router = self.routers.get_mut(r)?;
        router.seq += 1;
        let lsa = router_lsa(u32::from(router_id(r)), router);
        self.put(lsa.clone());
        Some(lsa)
    }

    /// AS-external `k` withdrawn (`up` false: flushed at MaxAge) or announced again (`up`
    /// true: the next sequence number).
    pub fn external_flap(&mut self, k: usize, up: bool) -> Option<Vec<u8>> {
        let asbr = *self.asbr_of.get(k)?;
        let seq = self.external_seq.get_mut(k)?;
        let lsa = if up {
            *seq += 1;
            external_lsa(k, router_id(asbr), *seq, 1)
        } else {
            external_lsa(k, router_id(asbr), *seq, MAX_AGE)
        };
        self.put(lsa.clone());
        Some(lsa)
    }

    /// The Router-LSA the router under test originates once every gateway adjacency is
    /// Full: a p2p link to each gateway (cost [`GATEWAY_COST`]) and the link's subnet.
    pub fn rut_router_lsa(&self) -> Vec<u8> {
        let mut links = Vec::new();
        for k in 0..self.spec.gateways {
            links.push(Link {
                kind: 1,
                id: u32::from(router_id(k)),
                data: u32::from(rut_addr(k)),
                metric: GATEWAY_COST,
            });
            links.push(Link {
                kind: 3,
                id: u32::from(rut_addr(k)) & 0xFFFF_FF00,
                data: 0xFFFF_FF00,
                metric: GATEWAY_COST,
            });
        }
        let r = Router {
            flags: 0,
            links,
            seq: INITIAL_SEQ,
        };
        router_lsa(u32::from(RUT_ROUTER_ID), &r)
    }

    /// The routes the router under test should compute (our SPF from its point of view):
    /// each prefix with its next hops (gateway addresses) in ascending order. The gateway
    /// links' own subnets are left out (they are connected routes there). Also the number of
    /// emulated routers the calculation reached.
    pub fn expected_routes(&self) -> (BTreeMap<Prefix, Vec<Ipv4Addr>>, usize) {
        let spf = self.reference_spf();
        let reached = spf.reachable_routers().len();
        let routes = spf
            .routes()
            .filter(|(p, _)| {
                !(0..self.spec.gateways).any(|k| {
                    p.prefix_len() == 24 && u32::from(p.addr()) == u32::from(rut_addr(k)) & !0xFF
                })
            })
            .map(|(p, r)| {
                let mut nh: Vec<Ipv4Addr> = r.nexthops.iter().map(|h| h.addr).collect();
                nh.sort();
                (p, nh)
            })
            .collect();
        (routes, reached)
    }

    fn reference_spf(&self) -> Spf {
        let ifs: Vec<SpfInterface> = (0..self.spec.gateways)
            .map(|k| SpfInterface {
                ifindex: k as u32 + 1,
                area: AREA0,
                addr: rut_addr(k),
                prefix_len: 24,
                cost: GATEWAY_COST,
                kind: InterfaceKind::PointToPoint,
                up: true,
                peer: Ipv4Addr::UNSPECIFIED,
            })
            .collect();
        let mut spf = Spf::new(RUT_ROUTER_ID, SpfConfig::default());
        spf.set_interfaces(&ifs);
        let _ = spf.lsa_update(AREA0, &self.rut_router_lsa());
        for lsa in &self.lsas {
            if u16::from_be_bytes([lsa[0], lsa[1]]) >= MAX_AGE {
                continue;
            }
            let _ = spf.lsa_update(AREA0, lsa);
        }
        spf.calculate();
        spf
    }

    /// Each emulated router's distance in p2p hops from router 0 (gateway 0);
    /// `usize::MAX` for a router it cannot reach.
    fn hops_from_gateway0(&self) -> Vec<usize> {
        let n = self.routers.len();
        let mut dist = vec![usize::MAX; n];
        let mut queue = std::collections::VecDeque::from([0usize]);
        dist[0] = 0;
        while let Some(u) = queue.pop_front() {
            for v in self.p2p_neighbors(u) {
                if dist[v] == usize::MAX {
                    dist[v] = dist[u] + 1;
                    queue.push_back(v);
                }
            }
        }
        dist
    }

    /// The emulated router farthest (in hops) from gateway 0, and its distance: where a
    /// change is "deep in the topology".
    pub fn deepest_router(&self) -> (usize, usize) {
        let (i, d) = self
            .hops_from_gateway0()
            .iter()
            .enumerate()
            .filter(|(_, d)| **d != usize::MAX)
            .max_by_key(|(i, d)| (**d, usize::MAX - i))
            .map_or((0, 0), |(i, d)| (i, *d));
        (i, d)
    }

    /// A metric change deep in the topology that moves at least one route's next hops at
    /// the router under test: a link of a router as far from gateway 0 as possible whose
    /// cost, set to `metric`, changes the expected next hops of some prefix. Returns
    /// `(router, neighbor, old metric)` and the prefixes whose next hops change. Tries the
    /// routers in decreasing distance; `None` when no single link change moves a route (one
    /// gateway: every route has the same next hop).
    pub fn deep_metric_change(&self, metric: u16) -> Option<(LinkChange, MovedRoutes)> {
        if self.spec.gateways < 2 {
            return None;
        }
        let (before, _) = self.expected_routes();
        let n = self.routers.len();
        let dist = self.hops_from_gateway0();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (usize::MAX - dist[i], i));
        for &r in order.iter().take(50) {
            for to in self.p2p_neighbors(r) {
                let mut t = self.clone();
                let old = t.link_metric(r, to)?;
                t.set_link_metric(r, to, metric)?;
                let (after, _) = t.expected_routes();
                let moved: MovedRoutes = after
                    .iter()
                    .filter(|(p, nh)| before.get(p) != Some(nh))
                    .map(|(p, nh)| (*p, nh.clone()))
                    .collect();
                if !moved.is_empty() {
                    return Some(((r, to, old), moved));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_router_is_reached_and_every_prefix_routed() {
        let spec = TopologySpec::new(300, 1000).gateways(3).seed(7);
        let t = Topology::generate(spec).unwrap();
        assert_eq!(t.p2p_links(), 1200);
        assert_eq!(t.lsas().len(), 300 + 6 + 1000);
        for l in t.lsas() {
            assert!(ospf_core::lsdb::lsa_checksum_ok(l));
        }
        let (routes, reached) = t.expected_routes();
        assert_eq!(reached, 300, "SPF reaches every emulated router");
        // 300 loopbacks, 75 /24 stubs, 6 LANs, 1000 externals.
        assert_eq!(routes.len(), 300 + 75 + 6 + 1000);
        for k in 0..1000 {
            let p = Prefix::new(external_prefix(k), 24);
            assert!(routes.contains_key(&p), "external {k}");
        }
        // Equal-cost paths through several gateways.
        let ecmp = routes.values().filter(|nh| nh.len() > 1).count();
        assert!(ecmp > 10, "only {ecmp} ECMP routes");
        assert!(
            routes.values().all(
                |nh| !nh.is_empty() && nh.iter().all(|a| (0..3).any(|k| *a == gateway_addr(k)))
            )
        );
    }

    #[test]
    fn same_seed_same_lsas_other_seed_other_lsas() {
        let spec = TopologySpec::new(100, 10).gateways(2);
        let a = Topology::generate(spec).unwrap();
        let b = Topology::generate(spec).unwrap();
        let c = Topology::generate(spec.seed(2)).unwrap();
        assert_eq!(a.lsas(), b.lsas());
        assert_ne!(a.lsas(), c.lsas());
    }

    #[test]
    fn a_deep_metric_change_moves_routes_and_leave_return_flap_work() {
        let mut t = Topology::generate(TopologySpec::new(200, 20).gateways(2).seed(3)).unwrap();
        let ((r, to, old), moved) = t.deep_metric_change(1000).unwrap();
        assert!(!moved.is_empty());
        let lsa = t.set_link_metric(r, to, 1000).unwrap();
        assert_eq!(
            u32::from_be_bytes([lsa[12], lsa[13], lsa[14], lsa[15]]),
            INITIAL_SEQ + 1
        );
        let (after, _) = t.expected_routes();
        for (p, nh) in &moved {
            assert_eq!(after.get(p), Some(nh));
        }
        t.set_link_metric(r, to, old).unwrap();
        // A leaving router takes its loopback with it.
        let (_, reached) = t.expected_routes();
        let leaving = 150;
        let gone = t.router_leave(leaving).unwrap();
        assert_eq!(u16::from_be_bytes([gone[0], gone[1]]), MAX_AGE);
        let (routes, fewer) = t.expected_routes();
        assert_eq!(fewer, reached - 1);
        assert!(!routes.contains_key(&Prefix::new(router_id(leaving), 32)));
        t.router_return(leaving).unwrap();
        assert_eq!(t.expected_routes().1, reached);
        // An external flap.
        t.external_flap(3, false).unwrap();
        assert!(
            !t.expected_routes()
                .0
                .contains_key(&Prefix::new(external_prefix(3), 24))
        );
        t.external_flap(3, true).unwrap();
        assert!(
            t.expected_routes()
                .0
                .contains_key(&Prefix::new(external_prefix(3), 24))
        );
    }

    #[test]
    fn lsa_key_of_short_bytes_is_none() {
        assert_eq!(lsa_key(&[0; 19]), None);
        let t = Topology::generate(TopologySpec::new(30, 1)).unwrap();
        let l = &t.lsas()[0];
        assert_eq!(
            lsa_key(l),
            Some((1, u32::from(router_id(0)), u32::from(router_id(0))))
        );
    }

    #[test]
    fn bad_specs_are_refused() {
        assert!(Topology::generate(TopologySpec::new(0, 0)).is_err());
        assert!(Topology::generate(TopologySpec::new(10, 0).gateways(11)).is_err());
        let mut s = TopologySpec::new(10, 0);
        s.links = 3;
        assert!(matches!(
            Topology::generate(s),
            Err(TopologyError::Links { .. })
        ));
        s.links = 1000;
        assert!(Topology::generate(s).is_err());
    }
}
