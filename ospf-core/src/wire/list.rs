//! Lists of fixed-size items that either borrow wire bytes or a slice of values.

use super::{Error, Result};

/// An item of fixed wire size (an IPv4 address, an LSA header, an LS Request entry).
pub trait FixedItem: Copy {
    /// Bytes the item takes on the wire.
    const LEN: usize;
    /// Reads an item from exactly `LEN` bytes.
    fn read(bytes: &[u8]) -> Self;
    /// Writes the item into exactly `LEN` bytes.
    fn write(&self, bytes: &mut [u8]);
}

/// A list that borrows either the wire bytes it was parsed from or a slice to emit.
///
/// Equality compares the items, whichever the representation.
#[derive(Debug)]
pub enum List<'a, T: FixedItem> {
    /// Wire bytes, a multiple of `T::LEN` long (checked at construction).
    Wire(&'a [u8]),
    /// Values.
    Slice(&'a [T]),
}

impl<T: FixedItem> Clone for List<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: FixedItem> Copy for List<'_, T> {}

impl<'a, T: FixedItem> List<'a, T> {
    /// A wire list; fails unless `bytes.len()` is a multiple of `T::LEN`.
    #[inline]
    pub fn from_wire(bytes: &'a [u8]) -> Result<Self> {
        if bytes.len() % T::LEN != 0 {
            return Err(Error::BadBodyLength(bytes.len()));
        }
        Ok(List::Wire(bytes))
    }
    /// Number of items.
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            List::Wire(b) => b.len() / T::LEN,
            List::Slice(s) => s.len(),
        }
    }
    /// True when the list has no items.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Bytes the list takes on the wire.
    #[inline]
    pub fn wire_len(&self) -> usize {
        self.len() * T::LEN
    }
    /// The item at `i`, if any.
    #[inline]
    pub fn get(&self, i: usize) -> Option<T> {
        match self {
            List::Wire(b) => b.get(i * T::LEN..(i + 1) * T::LEN).map(T::read),
            List::Slice(s) => s.get(i).copied(),
        }
    }
    /// Iterates the items.
    #[inline]
    pub fn iter(&self) -> ListIter<'a, T> {
        ListIter {
            list: *self,
            pos: 0,
        }
    }
    /// Writes the items into `out` (which must be `wire_len()` bytes long).
    #[inline]
    pub fn emit(&self, out: &mut [u8]) {
        for (i, item) in self.iter().enumerate() {
            item.write(&mut out[i * T::LEN..(i + 1) * T::LEN]);
        }
    }
}

impl<T: FixedItem + PartialEq> PartialEq for List<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}
impl<T: FixedItem + Eq> Eq for List<'_, T> {}

/// Iterator over a [`List`].
#[derive(Debug)]
pub struct ListIter<'a, T: FixedItem> {
    list: List<'a, T>,
    pos: usize,
}

impl<T: FixedItem> Iterator for ListIter<'_, T> {
    type Item = T;
    #[inline]
    fn next(&mut self) -> Option<T> {
        let item = self.list.get(self.pos)?;
        self.pos += 1;
        Some(item)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.list.len().saturating_sub(self.pos);
        (n, Some(n))
    }
}
impl<T: FixedItem> ExactSizeIterator for ListIter<'_, T> {}

impl<'a, T: FixedItem> IntoIterator for &List<'a, T> {
    type Item = T;
    type IntoIter = ListIter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl FixedItem for core::net::Ipv4Addr {
    const LEN: usize = 4;
    #[inline]
    fn read(bytes: &[u8]) -> Self {
        core::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3])
    }
    #[inline]
    fn write(&self, bytes: &mut [u8]) {
        bytes[..4].copy_from_slice(&self.octets());
    }
}
