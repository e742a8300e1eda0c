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

use super::Result;
use super::field::{self, dbdesc as f};
use byteorder::{ByteOrder, NetworkEndian as NE};

/// Length of the fixed part of a Database Description body.
pub const DBDESC_FIXED_LEN: usize = 8;

impl<'a> DbDescRepr<'a> {
    /// Parses a Database Description body.
    #[inline]
    pub fn parse(body: &'a [u8]) -> Result<Self> {
        field::at_least(body, DBDESC_FIXED_LEN)?;
        Ok(DbDescRepr {
            mtu: NE::read_u16(&body[f::MTU]),
            options: Options::from_bits_retain(body[f::OPTIONS]),
            flags: DdFlags::from_bits_retain(body[f::FLAGS]),
            seq: NE::read_u32(&body[f::SEQ]),
            lsa_headers: List::from_wire(&body[f::HEADERS..])?,
        })
    }
    /// Bytes the body takes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        DBDESC_FIXED_LEN + self.lsa_headers.wire_len()
    }
    /// Writes the body into `buf` (at least [`buffer_len`](Self::buffer_len) bytes).
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        let len = self.buffer_len();
        field::need(buf, len)?;
        NE::write_u16(&mut buf[f::MTU], self.mtu);
        buf[f::OPTIONS] = self.options.bits();
        buf[f::FLAGS] = self.flags.bits();
        NE::write_u32(&mut buf[f::SEQ], self.seq);
        self.lsa_headers.emit(&mut buf[f::HEADERS..len]);
        Ok(())
    }
}
