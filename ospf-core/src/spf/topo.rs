//! One area's graph (RFC 2328 §16.1): router and network vertices with dense indexes,
//! adjacency precomputed from the LSAs when they change, with the two-way check
//! ("W's LSA links back to V") resolved at that time instead of in every run.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::parse::{self, LsaError};
use super::prefixes::PrefixIndex;
use super::types::Prefix;

pub(crate) const LINK_P2P: u8 = 1;
pub(crate) const LINK_TRANSIT: u8 = 2;
pub(crate) const LINK_STUB: u8 = 3;
/// A virtual link (§15): a point-to-point link of the backbone across a transit area.
pub(crate) const LINK_VIRTUAL: u8 = 4;

/// A link of a vertex's LSA towards another vertex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edge {
    pub to: u32,
    pub metric: u16,
    pub kind: u8,
    /// Link Data of the originating router (its interface address).
    pub data: u32,
    /// The other end links back (RFC 2328 §16.1 step 2b).
    pub bidir: bool,
}

/// A stub link (or, for a network vertex, its own prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stub {
    pub prefix: u32,
    pub metric: u16,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Vertex {
    /// Router ID, or the DR's interface address for a network.
    pub id: u32,
    pub is_net: bool,
    /// An LSA for the vertex is in the database.
    pub present: bool,
    /// Router-LSA flags (B, E, V, Nt).
    pub flags: u8,
    /// Network-LSA: advertising router and the prefix slot.
    pub net_adv: u32,
    pub net_prefix: u32,
    pub edges: Vec<Edge>,
    pub stubs: Vec<Stub>,
}

/// What an LSA change did to the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Nothing the calculation uses changed.
    None,
    /// Only stub links changed: no Dijkstra needed.
    Stubs,
    /// Vertices or edges changed: Dijkstra needed.
    Topology,
}

/// The graph in compressed sparse rows: only two-way edges, stubs flattened. Rebuilt from
/// the vertices after LSA changes (sequential, O(V + E)), so that a run walks contiguous
/// memory.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    /// Edges of vertex `v` are `adj[span[v].0..span[v].1]`.
    pub span: Vec<(u32, u32)>,
    /// `adj` is laid out in the order a run settled the vertices (so that the next runs
    /// read it sequentially) rather than by vertex index.
    pub settled_layout: bool,
    /// (target, metric)
    pub adj: Vec<(u32, u32)>,
    /// The largest metric in `adj`.
    pub max_metric: u32,
    /// Every stub link and network prefix as (prefix slot, vertex, metric), by prefix slot
    /// (vertex [`TOMB`] for a removed entry).
    pub by_prefix: Vec<(u32, u32, u32)>,
    /// Scratch of the counting sort.
    counts: Vec<u32>,
    /// Entries of `by_prefix` that are tombstones.
    tombs: usize,
    /// Per vertex: bit 0 network, bit 1 present, bits 3..8 the Router-LSA flags.
    pub kind: Vec<u8>,
}

pub(crate) const K_NET: u8 = 1;
/// Vertex of a removed `by_prefix` entry.
pub(crate) const TOMB: u32 = u32::MAX;
pub(crate) const K_FLAGS_SHIFT: u8 = 3;

#[derive(Debug, Clone, Default)]
pub(crate) struct Graph {
    pub verts: Vec<Vertex>,
    routers: BTreeMap<u32, u32>,
    nets: BTreeMap<u32, u32>,
    csr: Csr,
    /// The CSR's edges are stale.
    stale: bool,
    /// The CSR's stubs are stale.
    stale_stubs: bool,
}

impl Graph {
    /// The graph in CSR form, rebuilt if an LSA changed it.
    pub(crate) fn csr(&mut self) -> &Csr {
        if self.stale || self.csr.span.len() != self.verts.len() {
            let c = &mut self.csr;
            c.span.clear();
            c.adj.clear();
            c.kind.clear();
            c.settled_layout = false;
            for v in &self.verts {
                let lo = c.adj.len() as u32;
                c.adj.extend(
                    v.edges
                        .iter()
                        .filter(|e| e.bidir)
                        .map(|e| (e.to, u32::from(e.metric))),
                );
                c.span.push((lo, c.adj.len() as u32));
                c.kind.push(
                    u8::from(v.is_net) | (u8::from(v.present) << 1) | (v.flags << K_FLAGS_SHIFT),
                );
            }
            c.max_metric = c.adj.iter().map(|e| e.1).max().unwrap_or(0);
            self.stale = false;
            self.stale_stubs = true;
        }
        if self.stale_stubs {
            // Stubs (and network prefixes, metric 0) ordered by prefix slot with a counting
            // sort: the route walk then fills the table sequentially.
            let c = &mut self.csr;
            let mut max = 0u32;
            let mut n = 0usize;
            for v in &self.verts {
                if v.is_net {
                    if v.present && v.net_prefix != u32::MAX {
                        max = max.max(v.net_prefix);
                        n += 1;
                    }
                } else {
                    for s in &v.stubs {
                        max = max.max(s.prefix);
                    }
                    n += v.stubs.len();
                }
            }
            let counts = &mut c.counts;
            counts.clear();
            counts.resize(max as usize + 2, 0);
            let each = |f: &mut dyn FnMut(u32, u32, u32)| {
                for (i, v) in self.verts.iter().enumerate() {
                    if v.is_net {
                        if v.present && v.net_prefix != u32::MAX {
                            f(v.net_prefix, i as u32, 0);
                        }
                    } else {
                        for s in &v.stubs {
                            f(s.prefix, i as u32, u32::from(s.metric));
                        }
                    }
                }
            };
            each(&mut |p, _, _| counts[p as usize + 1] += 1);
            for i in 1..counts.len() {
                counts[i] += counts[i - 1];
            }
            c.by_prefix.clear();
            c.by_prefix.resize(n, (0, 0, 0));
            let out = &mut c.by_prefix;
            each(&mut |p, v, m| {
                let at = &mut counts[p as usize];
                if let Some(slot) = out.get_mut(*at as usize) {
                    *slot = (p, v, m);
                }
                *at += 1;
            });
            c.tombs = 0;
            self.stale_stubs = false;
        }
        &self.csr
    }

    /// Lays the CSR edges out in `order` (the vertices a run settled, in that order; the
    /// others follow by index), once after each rebuild: Dijkstra then reads the edges of
    /// the next vertex it settles from the next bytes of memory instead of from anywhere.
    pub(crate) fn settle_layout(&mut self, order: &[u32]) {
        let c = &mut self.csr;
        if c.settled_layout || c.span.is_empty() {
            return;
        }
        let mut adj = Vec::with_capacity(c.adj.len());
        let mut placed = alloc::vec![false; c.span.len()];
        let mut new_span = c.span.clone();
        let all = 0..c.span.len() as u32;
        for v in order.iter().copied().chain(all) {
            let vi = v as usize;
            let (Some(p), Some(&(lo, hi))) = (placed.get_mut(vi), c.span.get(vi)) else {
                continue;
            };
            if *p {
                continue;
            }
            *p = true;
            let start = adj.len() as u32;
            adj.extend_from_slice(c.adj.get(lo as usize..hi as usize).unwrap_or(&[]));
            new_span[vi] = (start, adj.len() as u32);
        }
        c.adj = adj;
        c.span = new_span;
        c.settled_layout = true;
    }

    pub(crate) fn csr_ref(&self) -> &Csr {
        &self.csr
    }

    pub(crate) fn router(&self, id: u32) -> Option<u32> {
        self.routers.get(&id).copied()
    }

    fn router_slot(&mut self, id: u32) -> u32 {
        if let Some(&i) = self.routers.get(&id) {
            return i;
        }
        let i = self.verts.len() as u32;
        self.verts.push(Vertex {
            id,
            ..Vertex::default()
        });
        self.routers.insert(id, i);
        i
    }

    fn net_slot(&mut self, id: u32) -> u32 {
        if let Some(&i) = self.nets.get(&id) {
            return i;
        }
        let i = self.verts.len() as u32;
        self.verts.push(Vertex {
            id,
            is_net: true,
            net_prefix: u32::MAX,
            ..Vertex::default()
        });
        self.nets.insert(id, i);
        i
    }

    fn links_back(&self, w: u32, v: u32) -> bool {
        self.verts
            .get(w as usize)
            .is_some_and(|x| x.present && x.edges.iter().any(|e| e.to == v))
    }

    /// Recomputes the two-way flags of `v`'s edges and of the edges pointing at `v` from
    /// `neighbors`.
    fn refresh_bidir(&mut self, v: u32, neighbors: &[u32]) {
        let n = self.verts[v as usize].edges.len();
        for k in 0..n {
            let to = self.verts[v as usize].edges[k].to;
            let b = self.verts[v as usize].present && self.links_back(to, v);
            self.verts[v as usize].edges[k].bidir = b;
        }
        let vp = self.verts[v as usize].present;
        for &w in neighbors {
            let back = vp && self.links_back(v, w);
            if let Some(x) = self.verts.get_mut(w as usize) {
                for e in x.edges.iter_mut().filter(|e| e.to == v) {
                    e.bidir = back && x.present;
                }
            }
        }
    }

    fn neighbors_of(&self, v: u32, out: &mut Vec<u32>) {
        out.extend(self.verts[v as usize].edges.iter().map(|e| e.to));
    }

    /// A Router-LSA from `adv` with the given body. On a stub-only change, the prefix slots
    /// of the old and new stub links are appended to `touched`.
    pub(crate) fn router_update(
        &mut self,
        adv: u32,
        body: &[u8],
        prefixes: &mut PrefixIndex,
        touched: &mut Vec<u32>,
    ) -> Result<Change, LsaError> {
        let (flags, links) = parse::router_body(body)?;
        let v = self.router_slot(adv);
        let mut edges = Vec::new();
        let mut stubs = Vec::new();
        for l in links {
            match l.kind {
                // §16.1: a virtual link is a point-to-point link between routers.
                kind @ (LINK_P2P | LINK_VIRTUAL) => {
                    let to = self.router_slot(l.id);
                    edges.push(Edge {
                        to,
                        metric: l.metric,
                        kind,
                        data: l.data,
                        bidir: false,
                    });
                }
                LINK_TRANSIT => {
                    let to = self.net_slot(l.id);
                    edges.push(Edge {
                        to,
                        metric: l.metric,
                        kind: LINK_TRANSIT,
                        data: l.data,
                        bidir: false,
                    });
                }
                LINK_STUB => {
                    let p = Prefix::new(parse::ip(l.id), parse::mask_len(l.data));
                    stubs.push(Stub {
                        prefix: prefixes.acquire(p),
                        metric: l.metric,
                    });
                }
                // Unknown link types are ignored.
                _ => {}
            }
        }
        let old = &self.verts[v as usize];
        let same_edges =
            old.present
                && old.flags == flags
                && old.edges.len() == edges.len()
                && old.edges.iter().zip(&edges).all(|(a, b)| {
                    (a.to, a.metric, a.kind, a.data) == (b.to, b.metric, b.kind, b.data)
                });
        let same_stubs = old.stubs == stubs;
        let change = match (same_edges, same_stubs) {
            (true, true) => Change::None,
            (true, false) => Change::Stubs,
            _ => Change::Topology,
        };
        self.stale |= change == Change::Topology;
        if change == Change::Stubs {
            touched.extend(self.verts[v as usize].stubs.iter().map(|s| s.prefix));
            touched.extend(stubs.iter().map(|s| s.prefix));
        }
        if change == Change::Stubs && !self.stale_stubs && !self.stale {
            // The anycast case: patch the prefix-ordered stub list in place. A removed entry
            // becomes a tombstone (vertex TOMB) that a later entry for the same prefix
            // reuses, so that a server draining and returning moves no memory.
            let old = &self.verts[v as usize].stubs;
            let c = &mut self.csr;
            for s in old {
                let lo = c.by_prefix.partition_point(|e| e.0 < s.prefix);
                let hit = c.by_prefix[lo..]
                    .iter_mut()
                    .take_while(|e| e.0 == s.prefix)
                    .find(|e| e.1 == v);
                if let Some(e) = hit {
                    e.1 = TOMB;
                    c.tombs += 1;
                }
            }
            for s in &stubs {
                let entry = (s.prefix, v, u32::from(s.metric));
                let lo = c.by_prefix.partition_point(|e| e.0 < s.prefix);
                let free = c.by_prefix[lo..]
                    .iter_mut()
                    .take_while(|e| e.0 == s.prefix)
                    .find(|e| e.1 == TOMB);
                match free {
                    Some(e) => {
                        *e = entry;
                        c.tombs = c.tombs.saturating_sub(1);
                    }
                    None => c.by_prefix.insert(lo, entry),
                }
            }
            if c.tombs > c.by_prefix.len() / 4 + 64 {
                self.stale_stubs = true;
            }
        } else {
            self.stale_stubs |= change != Change::None;
        }
        let vx = &mut self.verts[v as usize];
        for s in core::mem::replace(&mut vx.stubs, stubs) {
            prefixes.release(s.prefix);
        }
        if !same_edges {
            let mut nb = Vec::new();
            self.neighbors_of(v, &mut nb);
            let vx = &mut self.verts[v as usize];
            vx.edges = edges;
            vx.flags = flags;
            vx.present = true;
            self.neighbors_of(v, &mut nb);
            nb.sort_unstable();
            nb.dedup();
            self.refresh_bidir(v, &nb);
        }
        Ok(change)
    }

    /// A Network-LSA with Link State ID `lsid` from `adv`.
    pub(crate) fn network_update(
        &mut self,
        lsid: u32,
        adv: u32,
        body: &[u8],
        prefixes: &mut PrefixIndex,
    ) -> Result<Change, LsaError> {
        let (mask, routers) = parse::network_body(body)?;
        let ids: Vec<u32> = routers.collect();
        let v = self.net_slot(lsid);
        let mut edges = Vec::with_capacity(ids.len());
        for id in ids {
            let to = self.router_slot(id);
            edges.push(Edge {
                to,
                metric: 0,
                kind: 0,
                data: 0,
                bidir: false,
            });
        }
        let p = Prefix::new(parse::ip(lsid), parse::mask_len(mask));
        let pi = prefixes.acquire(p);
        let old = &self.verts[v as usize];
        if old.present
            && old.net_prefix == pi
            && old.edges.len() == edges.len()
            && old.edges.iter().zip(&edges).all(|(a, b)| a.to == b.to)
        {
            prefixes.release(pi);
            self.verts[v as usize].net_adv = adv;
            return Ok(Change::None);
        }
        self.stale = true;
        self.stale_stubs = true;
        let mut nb = Vec::new();
        self.neighbors_of(v, &mut nb);
        let vx = &mut self.verts[v as usize];
        if vx.present {
            prefixes.release(vx.net_prefix);
        }
        vx.net_prefix = pi;
        vx.net_adv = adv;
        vx.edges = edges;
        vx.present = true;
        self.neighbors_of(v, &mut nb);
        nb.sort_unstable();
        nb.dedup();
        self.refresh_bidir(v, &nb);
        Ok(Change::Topology)
    }

    /// Removes a Router-LSA.
    pub(crate) fn router_remove(&mut self, adv: u32, prefixes: &mut PrefixIndex) -> Change {
        let Some(v) = self.router(adv) else {
            return Change::None;
        };
        self.clear_vertex(v, prefixes)
    }

    /// Removes a Network-LSA (only the instance from `adv`).
    pub(crate) fn network_remove(
        &mut self,
        lsid: u32,
        adv: u32,
        prefixes: &mut PrefixIndex,
    ) -> Change {
        let Some(&v) = self.nets.get(&lsid) else {
            return Change::None;
        };
        if self.verts[v as usize].net_adv != adv {
            return Change::None;
        }
        self.clear_vertex(v, prefixes)
    }

    fn clear_vertex(&mut self, v: u32, prefixes: &mut PrefixIndex) -> Change {
        if !self.verts[v as usize].present {
            return Change::None;
        }
        self.stale = true;
        self.stale_stubs = true;
        let mut nb = Vec::new();
        self.neighbors_of(v, &mut nb);
        let vx = &mut self.verts[v as usize];
        vx.present = false;
        vx.flags = 0;
        vx.edges.clear();
        for s in core::mem::take(&mut vx.stubs) {
            prefixes.release(s.prefix);
        }
        if vx.is_net && vx.net_prefix != u32::MAX {
            prefixes.release(vx.net_prefix);
            vx.net_prefix = u32::MAX;
        }
        nb.sort_unstable();
        nb.dedup();
        self.refresh_bidir(v, &nb);
        Change::Topology
    }

    /// Approximate heap bytes (for memory reports).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.verts.capacity() * core::mem::size_of::<Vertex>()
            + self
                .verts
                .iter()
                .map(|v| {
                    v.edges.capacity() * core::mem::size_of::<Edge>()
                        + v.stubs.capacity() * core::mem::size_of::<Stub>()
                })
                .sum::<usize>()
            + (self.routers.len() + self.nets.len()) * 24
            + self.csr.span.capacity() * 8
            + self.csr.adj.capacity() * 8
            + self.csr.by_prefix.capacity() * 12
            + self.csr.kind.capacity()
    }
}
