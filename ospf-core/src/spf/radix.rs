//! A radix heap: a monotone priority queue for Dijkstra (keys popped never decrease, which
//! holds for non-negative edge costs). Pushes are O(1); each key moves between at most 64
//! buckets over its life, and buckets are contiguous vectors, so it is much kinder to the
//! cache than a binary heap.

use alloc::vec::Vec;

#[derive(Debug, Clone)]
pub(crate) struct RadixHeap {
    last: u64,
    len: usize,
    /// (key, value) pairs; bucket `i > 0` holds keys whose highest bit differing from
    /// `last` is bit `i - 1`; bucket 0 holds keys equal to `last`.
    buckets: Vec<Vec<(u64, u32)>>,
}

impl Default for RadixHeap {
    fn default() -> Self {
        RadixHeap {
            last: 0,
            len: 0,
            buckets: (0..65).map(|_| Vec::new()).collect(),
        }
    }
}

#[inline]
fn bucket(last: u64, key: u64) -> usize {
    (64 - (key ^ last).leading_zeros()) as usize
}

impl RadixHeap {
    pub(crate) fn clear(&mut self) {
        for b in &mut self.buckets {
            b.clear();
        }
        self.last = 0;
        self.len = 0;
    }

    /// Pushes `key`; a key below the last popped one (a zero-cost edge breaking the
    /// network-first tie order) is raised to it.
    #[inline]
    pub(crate) fn push(&mut self, key: u64, val: u32) {
        let key = key.max(self.last);
        let b = bucket(self.last, key);
        self.buckets[b].push((key, val));
        self.len += 1;
    }

    /// The entry with the smallest key (ties in any order).
    pub(crate) fn pop(&mut self) -> Option<(u64, u32)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            let i = self.buckets.iter().position(|b| !b.is_empty())?;
            let items = core::mem::take(&mut self.buckets[i]);
            let min = items.iter().map(|e| e.0).min()?;
            self.last = min;
            for &(k, v) in &items {
                let b = bucket(min, k);
                self.buckets[b].push((k, v));
            }
            // keep the allocation
            let mut items = items;
            items.clear();
            if self.buckets[i].is_empty() {
                self.buckets[i] = items;
            }
        }
        self.len -= 1;
        self.buckets[0].pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_order() {
        let mut h = RadixHeap::default();
        let mut x: u64 = 12345;
        let mut model = alloc::collections::BinaryHeap::new();
        let mut last = 0;
        for round in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = last + (x % 1000);
            h.push(k, round);
            model.push(core::cmp::Reverse(k));
            if round % 3 == 0 {
                let a = h.pop().unwrap().0;
                let b = model.pop().unwrap().0;
                assert_eq!(a, b);
                last = a;
            }
        }
        while let Some(core::cmp::Reverse(b)) = model.pop() {
            assert_eq!(h.pop().map(|e| e.0), Some(b));
        }
        assert_eq!(h.pop(), None);
    }
}
