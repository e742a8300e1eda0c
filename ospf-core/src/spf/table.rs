//! The routing table: one 32-byte entry per prefix slot; next-hop sets of more than one hop
//! live in an arena beside it, so that building and diffing a table of many routes touches
//! little memory and allocates nothing per route.

use alloc::vec::Vec;

use super::nexthops::merge_into;
use super::parse::ip;
use super::types::{NextHop, Route, RouteType};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub rtype: RouteType,
    nlen: u16,
    pub area: u32,
    pub cost: u32,
    pub cost2: u32,
    pub tag: u32,
    /// The external record the route came from (NSSA translation), or NONE.
    pub ext: u32,
    /// The only next hop, or (arena offset, 0) when there are several.
    nh: NextHop,
}

impl Entry {
    pub(crate) fn new(
        rtype: RouteType,
        area: u32,
        cost: u32,
        cost2: u32,
        tag: u32,
        ext: u32,
    ) -> Self {
        Entry {
            rtype,
            nlen: 0,
            area,
            cost,
            cost2,
            tag,
            ext,
            nh: NextHop::default(),
        }
    }
}

/// Next hops of `e` whose sets are in `arena`.
#[inline]
pub(crate) fn hops_of<'a>(arena: &'a [NextHop], e: &'a Entry) -> &'a [NextHop] {
    match e.nlen {
        0 => &[],
        1 => core::slice::from_ref(&e.nh),
        n => {
            let off = e.nh.ifindex as usize;
            arena.get(off..off + usize::from(n)).unwrap_or(&[])
        }
    }
}

/// Stores `hops` as the next hops of `e`.
#[inline]
pub(crate) fn put(arena: &mut Vec<NextHop>, e: &mut Entry, hops: &[NextHop]) {
    e.nlen = hops.len().min(usize::from(u16::MAX)) as u16;
    match hops {
        [] => {}
        [h] => e.nh = *h,
        _ => {
            e.nh = NextHop::direct(arena.len() as u32);
            arena.extend_from_slice(&hops[..usize::from(e.nlen)]);
        }
    }
}

/// An equal-cost candidate: its next hops join the entry's.
#[cold]
#[inline(never)]
fn merge_equal(
    arena: &mut Vec<NextHop>,
    e: &mut Entry,
    hops: &[NextHop],
    max: usize,
    scratch: &mut Vec<NextHop>,
) {
    scratch.clear();
    merge_into(hops_of(arena, e), hops, max, scratch);
    if scratch.len() != usize::from(e.nlen) {
        put(arena, e, scratch);
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    pub ent: Vec<Option<Entry>>,
    pub arena: Vec<NextHop>,
}

impl Table {
    pub(crate) fn reset(&mut self, slots: usize) {
        self.ent.clear();
        self.ent.resize(slots, None);
        self.arena.clear();
    }

    pub(crate) fn grow(&mut self, slots: usize) {
        if self.ent.len() < slots {
            self.ent.resize(slots, None);
        }
    }

    pub(crate) fn hops<'a>(&'a self, e: &'a Entry) -> &'a [NextHop] {
        hops_of(&self.arena, e)
    }

    pub(crate) fn get(&self, p: u32) -> Option<&Entry> {
        self.ent.get(p as usize)?.as_ref()
    }

    /// Sets slot `p` (growing the table), its hops appended to the arena.
    pub(crate) fn set(&mut self, p: u32, e: Option<(Entry, &[NextHop])>) {
        self.grow(p as usize + 1);
        self.ent[p as usize] = e.map(|(mut e, h)| {
            put(&mut self.arena, &mut e, h);
            e
        });
    }

    /// Offers a candidate for slot `p` of the given path type: a lower cost replaces, an
    /// equal cost merges the next hops, a preferred existing type is kept.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn offer(
        &mut self,
        p: u32,
        rtype: RouteType,
        cost: u32,
        area: u32,
        hops: &[NextHop],
        max: usize,
        scratch: &mut Vec<NextHop>,
    ) {
        if hops.is_empty() {
            return;
        }
        let Table { ent, arena } = self;
        let Some(slot) = ent.get_mut(p as usize) else {
            return;
        };
        let hops = &hops[..hops.len().min(max)];
        match slot {
            None => {
                let mut e = Entry::new(rtype, area, cost, 0, 0, u32::MAX);
                put(arena, &mut e, hops);
                *slot = Some(e);
            }
            Some(e) if e.rtype == rtype => {
                if cost < e.cost {
                    e.cost = cost;
                    e.area = area;
                    put(arena, e, hops);
                } else if cost == e.cost {
                    merge_equal(arena, e, hops, max, scratch);
                }
            }
            Some(_) => {}
        }
    }

    /// Whether slot `a` here and slot `b` of `other` hold the same route, decided without
    /// the arena when the entries have at most one next hop (the common case).
    #[inline]
    pub(crate) fn same_entry(&self, a: &Option<Entry>, other: &Table, b: &Option<Entry>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                let head = a.rtype == b.rtype
                    && a.nlen == b.nlen
                    && a.cost == b.cost
                    && a.area == b.area
                    && a.cost2 == b.cost2
                    && a.tag == b.tag;
                head && if a.nlen <= 1 {
                    a.nh == b.nh
                } else {
                    self.hops(a) == other.hops(b)
                }
            }
            _ => false,
        }
    }

    /// Whether two entries (each from its table) describe the same route.
    pub(crate) fn same(&self, a: &Entry, other: &Table, b: &Entry) -> bool {
        a.rtype == b.rtype
            && a.area == b.area
            && a.cost == b.cost
            && a.cost2 == b.cost2
            && a.tag == b.tag
            && self.hops(a) == other.hops(b)
    }

    pub(crate) fn route(&self, e: &Entry) -> Route {
        Route {
            route_type: e.rtype,
            cost: e.cost,
            type2_cost: e.cost2,
            area: (!e.rtype.is_external()).then(|| ip(e.area)),
            tag: e.tag,
            nexthops: self.hops(e).to_vec(),
            weights: Vec::new(),
        }
    }

    /// Drops next-hop sets no entry refers to any more (after many in-place updates).
    pub(crate) fn compact_if_needed(&mut self) {
        let live = self.ent.len();
        if self.arena.len() <= 2 * live + 4096 {
            return;
        }
        let old = core::mem::take(&mut self.arena);
        for e in self.ent.iter_mut().flatten() {
            if e.nlen > 1 {
                let h: Vec<NextHop> = hops_of(&old, e).to_vec();
                put(&mut self.arena, e, &h);
            }
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.ent.capacity() * core::mem::size_of::<Option<Entry>>()
            + self.arena.capacity() * core::mem::size_of::<NextHop>()
    }
}
