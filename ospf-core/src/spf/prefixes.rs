//! Dense indexes for destination prefixes, assigned when an LSA mentions a prefix, so that
//! a calculation indexes arrays and never looks a prefix up.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::types::Prefix;

#[derive(Debug, Clone)]
pub(crate) struct PrefixIndex {
    map: BTreeMap<u64, u32>,
    keys: Vec<u64>,
    refs: Vec<u32>,
    free: Vec<u32>,
    /// Released slots: reusable only after the next diff has reported their deletion.
    pending_free: Vec<u32>,
    /// Bit `l` set when some live prefix has length `l` (speeds up longest match).
    len_counts: [u32; 33],
}

impl Default for PrefixIndex {
    fn default() -> Self {
        PrefixIndex {
            map: BTreeMap::new(),
            keys: Vec::new(),
            refs: Vec::new(),
            free: Vec::new(),
            pending_free: Vec::new(),
            len_counts: [0; 33],
        }
    }
}

impl PrefixIndex {
    /// Number of slots (live or not).
    pub(crate) fn slots(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn acquire(&mut self, p: Prefix) -> u32 {
        let k = p.key();
        if let Some(&i) = self.map.get(&k) {
            // A released slot awaiting its deletion report comes back to life under the
            // same index, so that one prefix never has two slots.
            self.refs[i as usize] += 1;
            return i;
        }
        self.len_counts[usize::from(p.prefix_len())] += 1;
        let i = if let Some(i) = self.free.pop() {
            self.keys[i as usize] = k;
            self.refs[i as usize] = 1;
            i
        } else {
            self.keys.push(k);
            self.refs.push(1);
            (self.keys.len() - 1) as u32
        };
        self.map.insert(k, i);
        i
    }

    pub(crate) fn release(&mut self, i: u32) {
        let Some(r) = self.refs.get_mut(i as usize) else {
            return;
        };
        if *r == 1 {
            self.pending_free.push(i);
        }
        *r = r.saturating_sub(1);
    }

    /// Makes the released slots that stayed unused reusable (after their deletions were
    /// reported).
    pub(crate) fn recycle(&mut self) {
        let mut pending = core::mem::take(&mut self.pending_free);
        pending.sort_unstable();
        pending.dedup();
        for i in pending {
            if self.refs[i as usize] != 0 {
                continue;
            }
            let k = self.keys[i as usize];
            if self.map.get(&k) == Some(&i) {
                self.map.remove(&k);
                let len = usize::from(Prefix::from_key(k).prefix_len());
                self.len_counts[len] = self.len_counts[len].saturating_sub(1);
            }
            self.free.push(i);
        }
    }

    pub(crate) fn prefix(&self, i: u32) -> Prefix {
        Prefix::from_key(self.keys.get(i as usize).copied().unwrap_or(0))
    }

    pub(crate) fn get(&self, p: Prefix) -> Option<u32> {
        self.map.get(&p.key()).copied()
    }

    /// Live prefixes containing `addr`, longest first, filtered by `f`.
    pub(crate) fn longest_match(&self, addr: u32, mut f: impl FnMut(u32) -> bool) -> Option<u32> {
        for len in (0..=32u8).rev() {
            if self.len_counts[usize::from(len)] == 0 {
                continue;
            }
            let p = Prefix::new(core::net::Ipv4Addr::from(addr), len);
            if let Some(i) = self.get(p) {
                if f(i) {
                    return Some(i);
                }
            }
        }
        None
    }

    /// Bytes held (for memory reports).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.map.len() * 24 + self.keys.capacity() * 8 + self.refs.capacity() * 4
    }
}
