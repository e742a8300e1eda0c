//! Link State Update packet body (RFC 2328 A.3.5).

use super::Lsa;

/// The LSAs of an LS Update: wire bytes (validated framing) or raw LSAs to emit.
///
/// Flooding never re-encodes: LSAs are sent as the raw bytes kept in the LSDB.
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

impl<'a> LsaList<'a> {
    /// Iterates the LSAs as checked views (framing already validated; bodies not).
    pub fn iter(&self) -> impl Iterator<Item = Lsa<&'a [u8]>> + 'a {
        let _ = self;
        core::iter::empty()
    }
}

/// A Link State Update packet body.
#[derive(Debug, Clone, Copy)]
pub struct LsUpdateRepr<'a> {
    /// LSAs carried.
    pub lsas: LsaList<'a>,
}

impl PartialEq for LsUpdateRepr<'_> {
    fn eq(&self, _other: &Self) -> bool {
        unimplemented!("compare LSAs byte-wise")
    }
}
impl Eq for LsUpdateRepr<'_> {}
