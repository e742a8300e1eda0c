//! Link State Acknowledgment packet body (RFC 2328 A.3.6).

use super::{List, LsaHeader};

/// A Link State Acknowledgment packet body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LsAckRepr<'a> {
    /// Acknowledged LSA headers.
    pub lsa_headers: List<'a, LsaHeader>,
}

impl<'a> LsAckRepr<'a> {
    /// Parses a Link State Acknowledgment body (a multiple of 20 bytes).
    #[inline]
    pub fn parse(body: &'a [u8]) -> super::Result<Self> {
        Ok(LsAckRepr {
            lsa_headers: List::from_wire(body)?,
        })
    }
    /// Bytes the body takes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        self.lsa_headers.wire_len()
    }
    /// Writes the body into `buf` (at least [`buffer_len`](Self::buffer_len) bytes).
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> super::Result<()> {
        let len = self.buffer_len();
        super::field::need(buf, len)?;
        self.lsa_headers.emit(&mut buf[..len]);
        Ok(())
    }
}
