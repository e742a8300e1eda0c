//! Link State Request packet body (RFC 2328 A.3.4).

use super::{Ipv4Addr, List};

/// One requested LSA: (LS type, Link State ID, Advertising Router); LS type is 32 bits here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LsRequestEntry {
    /// LS type (32-bit field on the wire).
    pub lsa_type: u32,
    /// Link State ID.
    pub lsid: Ipv4Addr,
    /// Advertising router.
    pub adv_router: Ipv4Addr,
}

/// A Link State Request packet body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LsRequestRepr<'a> {
    /// Requested LSAs.
    pub entries: List<'a, LsRequestEntry>,
}

impl super::FixedItem for LsRequestEntry {
    const LEN: usize = 12;
    #[inline]
    fn read(b: &[u8]) -> Self {
        use byteorder::{ByteOrder, NetworkEndian as NE};
        LsRequestEntry {
            lsa_type: NE::read_u32(&b[0..4]),
            lsid: Ipv4Addr::new(b[4], b[5], b[6], b[7]),
            adv_router: Ipv4Addr::new(b[8], b[9], b[10], b[11]),
        }
    }
    #[inline]
    fn write(&self, b: &mut [u8]) {
        use byteorder::{ByteOrder, NetworkEndian as NE};
        NE::write_u32(&mut b[0..4], self.lsa_type);
        b[4..8].copy_from_slice(&self.lsid.octets());
        b[8..12].copy_from_slice(&self.adv_router.octets());
    }
}

impl<'a> LsRequestRepr<'a> {
    /// Parses a Link State Request body (a multiple of 12 bytes).
    #[inline]
    pub fn parse(body: &'a [u8]) -> super::Result<Self> {
        Ok(LsRequestRepr {
            entries: List::from_wire(body)?,
        })
    }
    /// Bytes the body takes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        self.entries.wire_len()
    }
    /// Writes the body into `buf` (at least [`buffer_len`](Self::buffer_len) bytes).
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> super::Result<()> {
        let len = self.buffer_len();
        super::field::need(buf, len)?;
        self.entries.emit(&mut buf[..len]);
        Ok(())
    }
}
