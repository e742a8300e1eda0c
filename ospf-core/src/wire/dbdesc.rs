//! Database Description packet body (RFC 2328 A.3.3).

use super::{DdFlags, List, LsaHeader, Options};

/// A Database Description packet body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbDescRepr<'a> {
    /// Interface MTU.
    pub mtu: u16,
    /// Options.
    pub options: Options,
    /// I, M, MS (and R) flags.
    pub flags: DdFlags,
    /// DD sequence number.
    pub seq: u32,
    /// LSA headers.
    pub lsa_headers: List<'a, LsaHeader>,
}
