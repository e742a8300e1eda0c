//! A radix heap: a monotone priority queue for Dijkstra (keys popped never decrease, which
//! holds for non-negative edge costs). Pushes are O(1); each key moves between at most
//! `BITS` buckets over its life, and buckets are contiguous vectors, so it is much kinder to
//! the cache than a binary heap. A bit mask of the non-empty buckets finds the next one
//! without scanning.
//!
//! [`Queue`] picks 32-bit keys (8-byte entries) when every key of a run fits, else 64-bit
//! keys.

use alloc::vec::Vec;

/// A key type of the heap.
pub(crate) trait Key: Copy + Ord + Default {
    /// Width in bits.
    const BITS: u32;
    /// Leading zeros of `a ^ b`.
    fn lz_xor(a: Self, b: Self) -> u32;
}

impl Key for u32 {
    const BITS: u32 = 32;
    #[inline]
    fn lz_xor(a: Self, b: Self) -> u32 {
        (a ^ b).leading_zeros()
    }
}

impl Key for u64 {
    const BITS: u32 = 64;
    #[inline]
    fn lz_xor(a: Self, b: Self) -> u32 {
        (a ^ b).leading_zeros()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RadixHeap<K> {
    last: K,
    len: usize,
    /// Bit `i` set when bucket `i > 0` is not empty.
    nonempty: u128,
    /// (key, value) pairs; bucket `i > 0` holds keys whose highest bit differing from
    /// `last` is bit `i - 1`; bucket 0 holds keys equal to `last`.
    buckets: Vec<Vec<(K, u32)>>,
}

impl<K: Key> Default for RadixHeap<K> {
    fn default() -> Self {
        RadixHeap {
            last: K::default(),
            len: 0,
            nonempty: 0,
            buckets: (0..=K::BITS).map(|_| Vec::new()).collect(),
        }
    }
}

#[inline]
fn bucket<K: Key>(last: K, key: K) -> usize {
    (K::BITS - K::lz_xor(key, last)) as usize
}

impl<K: Key> RadixHeap<K> {
    pub(crate) fn clear(&mut self) {
        for b in &mut self.buckets {
            b.clear();
        }
        self.last = K::default();
        self.len = 0;
        self.nonempty = 0;
    }

    /// Pushes `key`; a key below the last popped one (a zero-cost edge breaking the
    /// network-first tie order) is raised to it.
    #[inline]
    pub(crate) fn push(&mut self, key: K, val: u32) {
        let key = key.max(self.last);
        let b = bucket(self.last, key);
        if let Some(v) = self.buckets.get_mut(b) {
            v.push((key, val));
            self.nonempty |= 1 << b;
            self.len += 1;
        }
    }

    /// The entry with the smallest key (ties in any order).
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<(K, u32)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets.first().is_some_and(|b| b.is_empty()) {
            let i = (self.nonempty & !1).trailing_zeros() as usize;
            self.nonempty &= !(1u128 << (i & 127));
            let mut items = core::mem::take(self.buckets.get_mut(i)?);
            let min = items.iter().map(|e| e.0).min()?;
            self.last = min;
            for &(k, v) in &items {
                // Every key lands in a bucket below `i`.
                let b = bucket(min, k);
                if let Some(x) = self.buckets.get_mut(b) {
                    x.push((k, v));
                    self.nonempty |= 1 << b;
                }
            }
            // keep the allocation
            items.clear();
            if let Some(x) = self.buckets.get_mut(i) {
                *x = items;
            }
        }
        self.len -= 1;
        self.buckets.first_mut()?.pop()
    }
}

/// A bucket queue (Dial's algorithm) for keys that never run more than `C - 1` past the
/// last popped one: bucket `key % C` holds the values of that key, a bit mask finds the next
/// non-empty bucket. O(1) per operation, entries of four bytes.
#[derive(Debug, Clone, Default)]
pub(crate) struct BucketQueue {
    last: u64,
    len: usize,
    /// Bit `i` of word `i / 64` set when bucket `i` is not empty.
    bits: Vec<u64>,
    buckets: Vec<Vec<u32>>,
}

impl BucketQueue {
    /// Empties the queue for keys at most `span - 1` past the last popped one (`span` a
    /// power of two, at least 64).
    fn reset(&mut self, span: usize) {
        if self.buckets.len() != span {
            self.buckets = (0..span).map(|_| Vec::new()).collect();
            self.bits = alloc::vec![0; span / 64];
        } else {
            for b in &mut self.buckets {
                b.clear();
            }
            self.bits.fill(0);
        }
        self.last = 0;
        self.len = 0;
    }

    #[inline(always)]
    fn push(&mut self, key: u64, val: u32) {
        let key = key.max(self.last);
        let b = (key as usize) & (self.buckets.len().wrapping_sub(1));
        if let (Some(v), Some(w)) = (self.buckets.get_mut(b), self.bits.get_mut(b / 64)) {
            v.push(val);
            *w |= 1 << (b % 64);
            self.len += 1;
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let span = self.buckets.len();
        let words = self.bits.len();
        let start = (self.last as usize) & span.wrapping_sub(1);
        // The first non-empty bucket at or after `start`, circularly.
        let mut wi = start / 64;
        let mut word = self.bits.get(wi)? & (!0u64 << (start % 64));
        let mut steps = 0;
        while word == 0 {
            steps += 1;
            if steps > words {
                return None;
            }
            wi = (wi + 1) % words;
            word = *self.bits.get(wi)?;
        }
        let b = wi * 64 + word.trailing_zeros() as usize;
        self.last += (b.wrapping_sub(start) & span.wrapping_sub(1)) as u64;
        let bucket = self.buckets.get_mut(b)?;
        let v = bucket.pop()?;
        if bucket.is_empty() {
            if let Some(w) = self.bits.get_mut(b / 64) {
                *w &= !(1 << (b % 64));
            }
        }
        self.len -= 1;
        Some(v)
    }
}

/// Largest bucket-queue span; beyond it the radix heap is used.
const MAX_SPAN: u64 = 4096;

/// The Dijkstra queue: a bucket queue when edge costs are small, else a radix heap with
/// 32-bit keys when the run's largest key fits, else with 64-bit keys.
#[derive(Debug, Clone)]
pub(crate) enum Queue {
    Buckets(BucketQueue),
    Narrow(RadixHeap<u32>),
    Wide(RadixHeap<u64>),
}

impl Default for Queue {
    fn default() -> Self {
        Queue::Narrow(RadixHeap::default())
    }
}

impl Queue {
    /// Empties the queue for keys up to `max_key`, each pushed key at most `max_step` past
    /// the last popped one.
    pub(crate) fn reset(&mut self, max_key: u64, max_step: u64) {
        if max_step < MAX_SPAN {
            let span = (max_step + 1).next_power_of_two().max(64) as usize;
            if !matches!(self, Queue::Buckets(_)) {
                *self = Queue::Buckets(BucketQueue::default());
            }
            if let Queue::Buckets(q) = self {
                q.reset(span);
            }
            return;
        }
        let narrow = max_key <= u64::from(u32::MAX);
        match self {
            Queue::Narrow(h) if narrow => h.clear(),
            Queue::Wide(h) if !narrow => h.clear(),
            _ if narrow => *self = Queue::Narrow(RadixHeap::default()),
            _ => *self = Queue::Wide(RadixHeap::default()),
        }
    }

    /// Pushes `key` (within the bounds of the last reset).
    #[inline(always)]
    pub(crate) fn push(&mut self, key: u64, val: u32) {
        match self {
            Queue::Buckets(q) => q.push(key, val),
            Queue::Narrow(h) => h.push(key as u32, val),
            Queue::Wide(h) => h.push(key, val),
        }
    }

    /// The value with the smallest key.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<u32> {
        match self {
            Queue::Buckets(q) => q.pop(),
            Queue::Narrow(h) => h.pop().map(|e| e.1),
            Queue::Wide(h) => h.pop().map(|e| e.1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<K: Key + TryFrom<u64> + Into<u64>>(step: u64) {
        let mut h = RadixHeap::<K>::default();
        let mut x: u64 = 12345;
        let mut model = alloc::collections::BinaryHeap::new();
        let mut last = 0;
        let k = |v: u64| K::try_from(v).ok().unwrap();
        for round in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = last + (x % step);
            h.push(k(key), round);
            model.push(core::cmp::Reverse(key));
            if round % 3 == 0 {
                let a: u64 = h.pop().unwrap().0.into();
                let b = model.pop().unwrap().0;
                assert_eq!(a, b);
                last = a;
            }
        }
        while let Some(core::cmp::Reverse(b)) = model.pop() {
            assert_eq!(h.pop().map(|e| e.0.into()), Some(b));
        }
        assert!(h.pop().is_none());
    }

    #[test]
    fn pops_in_order() {
        check::<u32>(1000);
        check::<u64>(1000);
        check::<u64>(1 << 40);
    }

    #[test]
    fn queue_switches_kind() {
        let mut q = Queue::default();
        for (max, step) in [(100u64, 100u64), (1 << 40, 1 << 20), (5000, 5000), (100, 7)] {
            q.reset(max, step);
            q.push(0, 9);
            assert_eq!(q.pop(), Some(9));
            q.push(step, 1);
            q.push(3.min(step), 2);
            q.push(step / 2 + 1, 3);
            assert_eq!(
                (q.pop(), q.pop(), q.pop(), q.pop()),
                (Some(2), Some(3), Some(1), None)
            );
        }
    }

    #[test]
    fn bucket_queue_pops_in_order_across_wraps() {
        let mut q = Queue::default();
        let step = 200u64;
        q.reset(u64::MAX, step);
        assert!(matches!(q, Queue::Buckets(_)));
        let mut x: u64 = 99;
        let mut model = alloc::collections::BinaryHeap::new();
        let mut last = 0;
        let mut keys = alloc::vec::Vec::new();
        for round in 0..5000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = last + x % (step + 1);
            keys.push(key);
            q.push(key, round);
            model.push(core::cmp::Reverse((key, round)));
            if round % 2 == 0 {
                let v = q.pop().unwrap();
                let core::cmp::Reverse((k, _)) = model.pop().unwrap();
                assert_eq!(keys[v as usize], k);
                last = k;
            }
        }
        while let Some(core::cmp::Reverse((k, _))) = model.pop() {
            let v = q.pop().unwrap();
            assert_eq!(keys[v as usize], k);
        }
        assert_eq!(q.pop(), None);
    }
}
