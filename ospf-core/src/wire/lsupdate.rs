//! Link State Update packet body (RFC 2328 A.3.5).

use byteorder::{ByteOrder, NetworkEndian as NE};

use super::field;
use super::{Error, LSA_HEADER_LEN, Lsa, Result};

/// The LSAs of an LS Update: wire bytes (validated framing) or raw LSAs to emit.
///
/// Flooding never re-encodes: LSAs are sent as the raw bytes kept in the LSDB.
/// Equality compares the LSAs' bytes, whichever the representation.
#[derive(Debug, Clone, Copy)]
pub enum LsaList<'a> {
    /// From the wire: `count` LSAs laid end to end in `bytes`, each length checked
    /// (≥ 20, multiple of 4, inside `bytes`) when parsed.
    Wire {
        /// Number of LSAs.
        count: u32,
        /// The LSAs' bytes.
        bytes: &'a [u8],
    },
    /// Raw LSAs (each a whole LSA, header included) to emit.
    Raw(&'a [&'a [u8]]),
}

/// Length of the LSA starting at `bytes`, if its framing is valid there.
#[inline]
fn framed_len(bytes: &[u8]) -> Result<usize> {
    let Some(hdr) = bytes.get(..LSA_HEADER_LEN) else {
        return Err(Error::Truncated {
            need: LSA_HEADER_LEN,
            have: bytes.len(),
        });
    };
    let len = usize::from(NE::read_u16(&hdr[18..20]));
    if len < LSA_HEADER_LEN || len % 4 != 0 || len > bytes.len() {
        return Err(Error::BadLsaLength(len));
    }
    Ok(len)
}

impl<'a> LsaList<'a> {
    /// Validates the framing of `count` LSAs that must fill `bytes` exactly.
    #[inline]
    pub fn from_wire(count: u32, bytes: &'a [u8]) -> Result<Self> {
        let mut rest = bytes;
        for _ in 0..count {
            let len = framed_len(rest)?;
            rest = &rest[len..];
        }
        if !rest.is_empty() {
            return Err(Error::BadCount {
                count: count as usize,
                len: bytes.len(),
            });
        }
        Ok(LsaList::Wire { count, bytes })
    }
    /// Number of LSAs.
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            LsaList::Wire { count, .. } => *count as usize,
            LsaList::Raw(r) => r.len(),
        }
    }
    /// True when there are no LSAs.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Bytes the LSAs take on the wire.
    #[inline]
    pub fn wire_len(&self) -> usize {
        match self {
            LsaList::Wire { bytes, .. } => bytes.len(),
            LsaList::Raw(r) => r.iter().map(|l| l.len()).sum(),
        }
    }
    /// Iterates the LSAs' bytes (each exactly one LSA for validated wire lists; raw
    /// slices as given).
    #[inline]
    pub fn slices(&self) -> LsaSlices<'a> {
        match *self {
            LsaList::Wire { count, bytes } => LsaSlices::Wire {
                left: count,
                rest: bytes,
            },
            LsaList::Raw(r) => LsaSlices::Raw(r.iter()),
        }
    }
    /// Iterates the LSAs as checked views (framing already validated; bodies not).
    ///
    /// A hand-built [`LsaList::Wire`] with invalid framing stops at the first bad LSA;
    /// raw LSAs whose framing does not check are skipped.
    #[inline]
    pub fn iter(&self) -> LsaIter<'a> {
        LsaIter {
            inner: self.slices(),
        }
    }
}

/// Iterator over the LSA byte slices of an [`LsaList`].
#[derive(Debug, Clone)]
pub enum LsaSlices<'a> {
    /// Walking wire bytes.
    #[doc(hidden)]
    Wire {
        /// LSAs left.
        left: u32,
        /// Bytes left.
        rest: &'a [u8],
    },
    /// Walking raw slices.
    #[doc(hidden)]
    Raw(core::slice::Iter<'a, &'a [u8]>),
}

impl<'a> Iterator for LsaSlices<'a> {
    type Item = &'a [u8];
    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        match self {
            LsaSlices::Wire { left, rest } => {
                if *left == 0 {
                    return None;
                }
                match framed_len(rest) {
                    Ok(len) => {
                        let (lsa, tail) = rest.split_at(len);
                        *rest = tail;
                        *left -= 1;
                        Some(lsa)
                    }
                    Err(_) => {
                        *left = 0;
                        None
                    }
                }
            }
            LsaSlices::Raw(it) => it.next().copied(),
        }
    }
}

/// Iterator over the LSAs of an [`LsaList`] as checked [`Lsa`] views.
#[derive(Debug, Clone)]
pub struct LsaIter<'a> {
    inner: LsaSlices<'a>,
}

impl<'a> Iterator for LsaIter<'a> {
    type Item = Lsa<&'a [u8]>;
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let s = self.inner.next()?;
            if let Ok(l) = Lsa::new_checked(s) {
                return Some(l);
            }
        }
    }
}

/// A Link State Update packet body.
#[derive(Debug, Clone, Copy)]
pub struct LsUpdateRepr<'a> {
    /// LSAs carried.
    pub lsas: LsaList<'a>,
}

impl<'a> LsUpdateRepr<'a> {
    /// Parses a Link State Update body: the LSA count, then exactly that many LSAs
    /// filling the body, each with a valid length.
    #[inline]
    pub fn parse(body: &'a [u8]) -> Result<Self> {
        field::at_least(body, 4)?;
        let count = NE::read_u32(&body[..4]);
        Ok(LsUpdateRepr {
            lsas: LsaList::from_wire(count, &body[4..])?,
        })
    }
    /// Bytes the body takes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        4 + self.lsas.wire_len()
    }
    /// Writes the body into `buf` (at least [`buffer_len`](Self::buffer_len) bytes).
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        let len = self.buffer_len();
        field::need(buf, len)?;
        let count =
            u32::try_from(self.lsas.len()).map_err(|_| Error::OutOfRange("too many LSAs"))?;
        NE::write_u32(&mut buf[..4], count);
        match self.lsas {
            LsaList::Wire { bytes, .. } => buf[4..len].copy_from_slice(bytes),
            LsaList::Raw(raw) => {
                let mut at = 4;
                for l in raw {
                    buf[at..at + l.len()].copy_from_slice(l);
                    at += l.len();
                }
            }
        }
        Ok(())
    }
}

impl PartialEq for LsaList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.slices().eq(other.slices())
    }
}
impl Eq for LsaList<'_> {}

impl PartialEq for LsUpdateRepr<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.lsas == other.lsas
    }
}
impl Eq for LsUpdateRepr<'_> {}
