//! The 24-byte OSPF packet header (RFC 2328 A.3.1) and the whole-packet `Repr`.

use super::{
    DbDescRepr, Error, HelloRepr, Ipv4Addr, LsAckRepr, LsRequestRepr, LsUpdateRepr, Result,
};

/// OSPF version carried by every OSPFv2 packet.
pub const OSPF_VERSION: u8 = 2;
/// Length of the OSPF header, authentication field included.
pub const HEADER_LEN: usize = 24;

/// OSPF packet type (header byte 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketType {
    /// 1
    Hello,
    /// 2
    DbDesc,
    /// 3
    LsRequest,
    /// 4
    LsUpdate,
    /// 5
    LsAck,
    /// Anything else.
    Unknown(u8),
}

/// The authentication fields of the header (AuType and the 8-byte Authentication field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthField {
    /// AuType 0.
    Null,
    /// AuType 1: the 8-byte password, zero padded.
    Simple([u8; 8]),
    /// AuType 2: key id, digest length and cryptographic sequence number; the digest
    /// itself follows the packet (packet length excludes it).
    Crypto {
        /// Key ID.
        key_id: u8,
        /// Authentication data (digest) length in bytes.
        auth_len: u8,
        /// Cryptographic sequence number.
        seq: u32,
    },
    /// Another AuType, with its raw 8 bytes.
    Unknown {
        /// AuType.
        au_type: u16,
        /// Raw authentication field.
        data: [u8; 8],
    },
}

/// A read/write view of an OSPF packet: header, body, and the trailer beyond the packet
/// length (crypto digest and/or LLS block).
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checks (accessors may then panic on short buffers).
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }
    /// Wraps a buffer after [`check_len`](Self::check_len).
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }
    /// Checks: buffer ≥ 24, version 2, 24 ≤ packet length ≤ buffer length.
    pub fn check_len(&self) -> Result<()> {
        unimplemented!()
    }
    /// Consumes the view, returning the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }
}

/// A parsed OSPF packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketRepr<'a> {
    /// Router ID of the sender.
    pub router_id: Ipv4Addr,
    /// Area ID.
    pub area_id: Ipv4Addr,
    /// Authentication header fields.
    pub auth: AuthField,
    /// Packet body.
    pub body: BodyRepr<'a>,
}

/// The body of an OSPF packet, by type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyRepr<'a> {
    /// Hello.
    Hello(HelloRepr<'a>),
    /// Database Description.
    DbDesc(DbDescRepr<'a>),
    /// Link State Request.
    LsRequest(LsRequestRepr<'a>),
    /// Link State Update.
    LsUpdate(LsUpdateRepr<'a>),
    /// Link State Acknowledgment.
    LsAck(LsAckRepr<'a>),
}

impl<'a> PacketRepr<'a> {
    /// Parses a checked packet (does not verify checksum or authentication).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(_packet: &Packet<&'a T>) -> Result<PacketRepr<'a>> {
        let _ = Error::BadVersion(0);
        unimplemented!()
    }
    /// Length of the packet this emits (header + body; the crypto digest and LLS excluded).
    pub fn buffer_len(&self) -> usize {
        unimplemented!()
    }
    /// Emits header and body into `packet` and, unless the auth is cryptographic, fills the
    /// checksum (RFC 2328 D.4: with crypto auth the checksum field is 0).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, _packet: &mut Packet<T>) -> Result<()> {
        unimplemented!()
    }
}
