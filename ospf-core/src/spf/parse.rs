//! Bounds-checked reading of the few LSA fields the route calculation needs.
//!
//! The SPF keeps its own compact topology and is fed raw LSA bytes; it reads them here
//! directly (a handful of fixed offsets) rather than through a full `Repr`, so that an
//! update costs one pass over the links and nothing is allocated for the parse itself.

use core::net::Ipv4Addr;

/// LS type numbers the calculation uses.
pub(crate) const LSA_ROUTER: u8 = 1;
pub(crate) const LSA_NETWORK: u8 = 2;
pub(crate) const LSA_SUMMARY_NET: u8 = 3;
pub(crate) const LSA_SUMMARY_ASBR: u8 = 4;
pub(crate) const LSA_EXTERNAL: u8 = 5;
pub(crate) const LSA_NSSA: u8 = 7;

/// LSInfinity (RFC 2328 Appendix B).
pub const LS_INFINITY: u32 = 0x00FF_FFFF;
/// MaxAge (RFC 2328 Appendix B).
pub(crate) const MAX_AGE: u16 = 3600;

/// Why an LSA was not accepted by the route calculation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LsaError {
    /// Shorter than its header or its declared length, or the body is cut short.
    Truncated,
    /// An LS type the route calculation does not use (opaque, unknown).
    Ignored,
}

impl core::fmt::Display for LsaError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LsaError::Truncated => f.write_str("LSA truncated"),
            LsaError::Ignored => f.write_str("LSA type not used by the route calculation"),
        }
    }
}

impl core::error::Error for LsaError {}

#[inline]
fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 4)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}
#[inline]
fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at + 2)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

/// The header fields the calculation keys on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    pub age: u16,
    pub options: u8,
    pub lsa_type: u8,
    pub lsid: u32,
    pub adv: u32,
}

/// Validates the header and returns it with the body slice (bounded by the LSA length).
pub(crate) fn head(raw: &[u8]) -> Result<(Head, &[u8]), LsaError> {
    let t = LsaError::Truncated;
    let len = usize::from(be16(raw, 18).ok_or(t)?);
    if len < 20 || len > raw.len() {
        return Err(t);
    }
    let h = Head {
        age: be16(raw, 0).ok_or(t)? & 0x7FFF,
        options: raw[2],
        lsa_type: raw[3],
        lsid: be32(raw, 4).ok_or(t)?,
        adv: be32(raw, 8).ok_or(t)?,
    };
    Ok((h, &raw[20..len]))
}

/// One Router-LSA link as the calculation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Link {
    pub id: u32,
    pub data: u32,
    pub kind: u8,
    pub metric: u16,
}

/// Router-LSA body: flags and an iterator over the links (TOS entries skipped).
pub(crate) fn router_body(body: &[u8]) -> Result<(u8, RouterLinkIter<'_>), LsaError> {
    let t = LsaError::Truncated;
    let flags = *body.first().ok_or(t)?;
    let count = be16(body, 2).ok_or(t)?;
    // Validate the whole list once so that iteration cannot fail halfway.
    let mut at = 4usize;
    for _ in 0..count {
        let ntos = usize::from(*body.get(at + 9).ok_or(t)?);
        at = at.checked_add(12 + 4 * ntos).ok_or(t)?;
        if at > body.len() {
            return Err(t);
        }
    }
    Ok((
        flags,
        RouterLinkIter {
            body,
            at: 4,
            left: count,
        },
    ))
}

/// Iterator over validated Router-LSA links.
pub(crate) struct RouterLinkIter<'a> {
    body: &'a [u8],
    at: usize,
    left: u16,
}

impl Iterator for RouterLinkIter<'_> {
    type Item = Link;
    fn next(&mut self) -> Option<Link> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let b = self.body;
        let at = self.at;
        let l = Link {
            id: be32(b, at)?,
            data: be32(b, at + 4)?,
            kind: *b.get(at + 8)?,
            metric: be16(b, at + 10)?,
        };
        self.at = at + 12 + 4 * usize::from(*b.get(at + 9)?);
        Some(l)
    }
}

/// Network-LSA body: mask and attached routers.
pub(crate) fn network_body(body: &[u8]) -> Result<(u32, impl Iterator<Item = u32> + '_), LsaError> {
    let mask = be32(body, 0).ok_or(LsaError::Truncated)?;
    let rest = &body[4..];
    Ok((
        mask,
        rest.chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])),
    ))
}

/// Summary-LSA body (types 3 and 4): mask and 24-bit metric.
pub(crate) fn summary_body(body: &[u8]) -> Result<(u32, u32), LsaError> {
    let t = LsaError::Truncated;
    let mask = be32(body, 0).ok_or(t)?;
    let metric = be32(body, 4).ok_or(t)? & 0x00FF_FFFF;
    Ok((mask, metric))
}

/// AS-external / NSSA body (types 5 and 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ext {
    pub mask: u32,
    pub e2: bool,
    pub metric: u32,
    pub fa: u32,
    pub tag: u32,
}

pub(crate) fn external_body(body: &[u8]) -> Result<Ext, LsaError> {
    let t = LsaError::Truncated;
    let mask = be32(body, 0).ok_or(t)?;
    let w = be32(body, 4).ok_or(t)?;
    Ok(Ext {
        mask,
        e2: w & 0x8000_0000 != 0,
        metric: w & 0x00FF_FFFF,
        fa: be32(body, 8).ok_or(t)?,
        tag: be32(body, 12).ok_or(t)?,
    })
}

pub(crate) use crate::wire::mask_len;

/// The mask of a prefix length, as a number.
pub(crate) fn len_mask(len: u8) -> u32 {
    u32::from(crate::wire::prefix_mask(len))
}

pub(crate) fn ip(v: u32) -> Ipv4Addr {
    Ipv4Addr::from(v)
}
