//! Hello packet body (RFC 2328 A.3.2).

use super::{Ipv4Addr, List, Options};

/// A Hello packet body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelloRepr<'a> {
    /// Network mask of the sending interface.
    pub network_mask: Ipv4Addr,
    /// HelloInterval, seconds.
    pub hello_interval: u16,
    /// Options.
    pub options: Options,
    /// Router priority.
    pub priority: u8,
    /// RouterDeadInterval, seconds.
    pub dead_interval: u32,
    /// Designated router (interface address), 0.0.0.0 if none.
    pub dr: Ipv4Addr,
    /// Backup designated router, 0.0.0.0 if none.
    pub bdr: Ipv4Addr,
    /// Router IDs of neighbors heard from recently.
    pub neighbors: List<'a, Ipv4Addr>,
}

use super::Result;
use super::field::{self, hello as f};
use byteorder::{ByteOrder, NetworkEndian as NE};

/// Length of the fixed part of a Hello body.
pub const HELLO_FIXED_LEN: usize = 20;

impl<'a> HelloRepr<'a> {
    /// Parses a Hello body (the bytes after the OSPF header, up to the packet length).
    #[inline]
    pub fn parse(body: &'a [u8]) -> Result<Self> {
        field::at_least(body, HELLO_FIXED_LEN)?;
        Ok(HelloRepr {
            network_mask: field::ipv4(&body[f::MASK]),
            hello_interval: NE::read_u16(&body[f::INTERVAL]),
            options: Options::from_bits_retain(body[f::OPTIONS]),
            priority: body[f::PRIORITY],
            dead_interval: NE::read_u32(&body[f::DEAD]),
            dr: field::ipv4(&body[f::DR]),
            bdr: field::ipv4(&body[f::BDR]),
            neighbors: List::from_wire(&body[f::NEIGHBORS..])?,
        })
    }
    /// Bytes the body takes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        HELLO_FIXED_LEN + self.neighbors.wire_len()
    }
    /// Writes the body into `buf` (at least [`buffer_len`](Self::buffer_len) bytes).
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        let len = self.buffer_len();
        field::need(buf, len)?;
        buf[f::MASK].copy_from_slice(&self.network_mask.octets());
        NE::write_u16(&mut buf[f::INTERVAL], self.hello_interval);
        buf[f::OPTIONS] = self.options.bits();
        buf[f::PRIORITY] = self.priority;
        NE::write_u32(&mut buf[f::DEAD], self.dead_interval);
        buf[f::DR].copy_from_slice(&self.dr.octets());
        buf[f::BDR].copy_from_slice(&self.bdr.octets());
        self.neighbors.emit(&mut buf[f::NEIGHBORS..len]);
        Ok(())
    }
}
