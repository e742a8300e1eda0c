//! Next-hop sets: an arena of interned sets for the Dijkstra run (a vertex that inherits
//! its parent's set copies one `u32`), and a small inline set for routing-table entries.

use alloc::vec::Vec;

use super::types::NextHop;

/// An interned set: `len` hops from `start` in the arena (a vertex's state holds it
/// directly, so reading its next hops is one memory access, not two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Set {
    start: u32,
    len: u32,
}

/// "No set".
pub(crate) const NO_SET: Set = Set {
    start: u32::MAX,
    len: 0,
};

/// Sets of next hops stored back to back.
#[derive(Debug, Default, Clone)]
pub(crate) struct NhArena {
    hops: Vec<NextHop>,
    scratch: Vec<NextHop>,
}

impl NhArena {
    pub(crate) fn clear(&mut self) {
        self.hops.clear();
    }

    #[inline]
    pub(crate) fn get(&self, s: Set) -> &[NextHop] {
        let lo = s.start as usize;
        self.hops
            .get(lo..lo.saturating_add(s.len as usize))
            .unwrap_or(&[])
    }

    /// Interns a sorted, deduplicated set.
    pub(crate) fn push(&mut self, set: &[NextHop]) -> Set {
        let start = self.hops.len() as u32;
        self.hops.extend_from_slice(set);
        Set {
            start,
            len: set.len() as u32,
        }
    }

    pub(crate) fn single(&mut self, hop: NextHop) -> Set {
        self.push(&[hop])
    }

    /// The union of two sets, at most `max` hops; reuses an operand when it already holds
    /// the union.
    pub(crate) fn union(&mut self, a: Set, b: Set, max: usize) -> Set {
        if a == b || b == NO_SET {
            return a;
        }
        if a == NO_SET {
            return b;
        }
        let mut out = core::mem::take(&mut self.scratch);
        out.clear();
        merge_into(self.get(a), self.get(b), max, &mut out);
        let id = if out.as_slice() == self.get(a) {
            a
        } else if out.as_slice() == self.get(b) {
            b
        } else {
            self.push(&out)
        };
        self.scratch = out;
        id
    }
}

/// Sorted union of two sorted sets, truncated to `max`.
pub(crate) fn merge_into(a: &[NextHop], b: &[NextHop], max: usize, out: &mut Vec<NextHop>) {
    let (mut i, mut j) = (0, 0);
    while out.len() < max {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => {
                if x < y {
                    i += 1;
                    *x
                } else if y < x {
                    j += 1;
                    *y
                } else {
                    i += 1;
                    j += 1;
                    *x
                }
            }
            (Some(x), None) => {
                i += 1;
                *x
            }
            (None, Some(y)) => {
                j += 1;
                *y
            }
            (None, None) => break,
        };
        out.push(next);
    }
}

const INLINE: usize = 4;

/// A routing-table entry's next hops: up to four inline, more on the heap.
#[derive(Debug, Clone)]
pub(crate) enum Hops {
    Inline { len: u8, h: [NextHop; INLINE] },
    Heap(Vec<NextHop>),
}

impl Default for Hops {
    fn default() -> Self {
        Hops::Inline {
            len: 0,
            h: [NextHop::default(); INLINE],
        }
    }
}

impl PartialEq for Hops {
    fn eq(&self, o: &Self) -> bool {
        self.as_slice() == o.as_slice()
    }
}
impl Eq for Hops {}

impl Hops {
    pub(crate) fn from_slice(s: &[NextHop]) -> Self {
        if s.len() <= INLINE {
            let mut h = [NextHop::default(); INLINE];
            h[..s.len()].copy_from_slice(s);
            Hops::Inline {
                len: s.len() as u8,
                h,
            }
        } else {
            Hops::Heap(s.to_vec())
        }
    }
    pub(crate) fn as_slice(&self) -> &[NextHop] {
        match self {
            Hops::Inline { len, h } => &h[..usize::from(*len).min(INLINE)],
            Hops::Heap(v) => v,
        }
    }
    pub(crate) fn merge(&mut self, other: &[NextHop], max: usize) {
        let mut out = Vec::new();
        merge_into(self.as_slice(), other, max, &mut out);
        *self = Hops::from_slice(&out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::Ipv4Addr;

    fn h(a: u8, i: u32) -> NextHop {
        NextHop::via(Ipv4Addr::new(10, 0, 0, a), i)
    }

    #[test]
    fn union_is_sorted_dedup_and_capped() {
        let mut ar = NhArena::default();
        let a = ar.push(&[h(1, 1), h(3, 1)]);
        let b = ar.push(&[h(2, 1), h(3, 1)]);
        let u = ar.union(a, b, 64);
        assert_eq!(ar.get(u), &[h(1, 1), h(2, 1), h(3, 1)]);
        let c = ar.union(a, b, 2);
        assert_eq!(ar.get(c), &[h(1, 1), h(2, 1)]);
        // a subset reuses the operand
        let s = ar.push(&[h(3, 1)]);
        assert_eq!(ar.union(a, s, 64), a);
    }

    #[test]
    fn hops_spill_to_heap() {
        let v: Vec<NextHop> = (1..=6).map(|i| h(i, 1)).collect();
        let mut x = Hops::from_slice(&v[..2]);
        x.merge(&v[2..], 64);
        assert_eq!(x.as_slice(), &v[..]);
        assert!(matches!(x, Hops::Heap(_)));
    }
}
