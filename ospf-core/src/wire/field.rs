//! Byte offsets of fixed fields.

use core::ops::Range;

/// A field spanning `start..end`.
pub(crate) type Field = Range<usize>;

/// OSPF packet header (RFC 2328 A.3.1).
pub(crate) mod header {
    use super::Field;
    pub(crate) const VERSION: usize = 0;
    pub(crate) const TYPE: usize = 1;
    pub(crate) const LENGTH: Field = 2..4;
    pub(crate) const ROUTER_ID: Field = 4..8;
    pub(crate) const AREA_ID: Field = 8..12;
    pub(crate) const CHECKSUM: Field = 12..14;
    pub(crate) const AU_TYPE: Field = 14..16;
    pub(crate) const AUTH: Field = 16..24;
    /// Cryptographic authentication: key id, auth data length and sequence number.
    pub(crate) const KEY_ID: usize = 18;
    pub(crate) const AUTH_LEN: usize = 19;
    pub(crate) const CRYPTO_SEQ: Field = 20..24;
}

/// Hello body (RFC 2328 A.3.2), offsets within the body.
pub(crate) mod hello {
    use super::Field;
    pub(crate) const MASK: Field = 0..4;
    pub(crate) const INTERVAL: Field = 4..6;
    pub(crate) const OPTIONS: usize = 6;
    pub(crate) const PRIORITY: usize = 7;
    pub(crate) const DEAD: Field = 8..12;
    pub(crate) const DR: Field = 12..16;
    pub(crate) const BDR: Field = 16..20;
    pub(crate) const NEIGHBORS: usize = 20;
}

/// Database Description body (RFC 2328 A.3.3), offsets within the body.
pub(crate) mod dbdesc {
    use super::Field;
    pub(crate) const MTU: Field = 0..2;
    pub(crate) const OPTIONS: usize = 2;
    pub(crate) const FLAGS: usize = 3;
    pub(crate) const SEQ: Field = 4..8;
    pub(crate) const HEADERS: usize = 8;
}

/// LSA header (RFC 2328 A.4.1).
pub(crate) mod lsa {
    use super::Field;
    pub(crate) const AGE: Field = 0..2;
    pub(crate) const OPTIONS: usize = 2;
    pub(crate) const TYPE: usize = 3;
    pub(crate) const LSID: Field = 4..8;
    pub(crate) const ADV_ROUTER: Field = 8..12;
    pub(crate) const SEQ: Field = 12..16;
    pub(crate) const CHECKSUM: Field = 16..18;
    pub(crate) const LENGTH: Field = 18..20;
}

/// Reads an IPv4 address from 4 bytes.
#[inline]
pub(crate) fn ipv4(b: &[u8]) -> core::net::Ipv4Addr {
    core::net::Ipv4Addr::new(b[0], b[1], b[2], b[3])
}

/// Fails with [`Error::BufferTooSmall`](super::Error::BufferTooSmall) unless `buf` holds
/// `len` bytes: the check every `emit` starts with.
#[inline]
pub(crate) fn need(buf: &[u8], len: usize) -> super::Result<()> {
    if buf.len() < len {
        Err(super::Error::BufferTooSmall {
            need: len,
            have: buf.len(),
        })
    } else {
        Ok(())
    }
}

/// Fails with [`Error::Truncated`](super::Error::Truncated) unless `b` holds `len` bytes:
/// the check before a fixed-length part is read.
#[inline]
pub(crate) fn at_least(b: &[u8], len: usize) -> super::Result<()> {
    if b.len() < len {
        Err(super::Error::Truncated {
            need: len,
            have: b.len(),
        })
    } else {
        Ok(())
    }
}
