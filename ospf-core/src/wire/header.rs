//! The 24-byte OSPF packet header (RFC 2328 A.3.1) and the whole-packet `Repr`.

use byteorder::{ByteOrder, NetworkEndian as NE};

use super::field::{self, header as f};
use super::{
    DbDescRepr, Error, HelloRepr, Ipv4Addr, Lls, LsAckRepr, LsRequestRepr, LsUpdateRepr, Options,
    Result, checksum,
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

impl From<u8> for PacketType {
    fn from(v: u8) -> Self {
        match v {
            1 => PacketType::Hello,
            2 => PacketType::DbDesc,
            3 => PacketType::LsRequest,
            4 => PacketType::LsUpdate,
            5 => PacketType::LsAck,
            other => PacketType::Unknown(other),
        }
    }
}

impl From<PacketType> for u8 {
    fn from(t: PacketType) -> u8 {
        match t {
            PacketType::Hello => 1,
            PacketType::DbDesc => 2,
            PacketType::LsRequest => 3,
            PacketType::LsUpdate => 4,
            PacketType::LsAck => 5,
            PacketType::Unknown(v) => v,
        }
    }
}

/// AuType 0: null authentication.
pub const AU_NULL: u16 = 0;
/// AuType 1: simple password.
pub const AU_SIMPLE: u16 = 1;
/// AuType 2: cryptographic authentication.
pub const AU_CRYPTO: u16 = 2;

/// The authentication fields of the header (AuType and the 8-byte Authentication field).
///
/// Decoding keeps every bit: an AuType 0 whose authentication field is not all zeros, and
/// an AuType 2 whose two reserved bytes are not zero, decode as [`AuthField::Unknown`]
/// (use [`AuthField::au_type`] to dispatch on the AuType), so that re-encoding is exact.
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

impl AuthField {
    /// Builds the field from the AuType and the raw 8-byte authentication field.
    #[inline]
    pub fn from_raw(au_type: u16, data: [u8; 8]) -> Self {
        match au_type {
            AU_NULL if data == [0; 8] => AuthField::Null,
            AU_SIMPLE => AuthField::Simple(data),
            AU_CRYPTO if data[0] == 0 && data[1] == 0 => AuthField::Crypto {
                key_id: data[2],
                auth_len: data[3],
                seq: NE::read_u32(&data[4..8]),
            },
            _ => AuthField::Unknown { au_type, data },
        }
    }
    /// The AuType.
    #[inline]
    pub fn au_type(&self) -> u16 {
        match self {
            AuthField::Null => AU_NULL,
            AuthField::Simple(_) => AU_SIMPLE,
            AuthField::Crypto { .. } => AU_CRYPTO,
            AuthField::Unknown { au_type, .. } => *au_type,
        }
    }
    /// The raw 8-byte authentication field.
    #[inline]
    pub fn raw(&self) -> [u8; 8] {
        match self {
            AuthField::Null => [0; 8],
            AuthField::Simple(p) => *p,
            AuthField::Crypto {
                key_id,
                auth_len,
                seq,
            } => {
                let s = seq.to_be_bytes();
                [0, 0, *key_id, *auth_len, s[0], s[1], s[2], s[3]]
            }
            AuthField::Unknown { data, .. } => *data,
        }
    }
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
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }
    /// Checks: buffer ≥ 24, version 2, 24 ≤ packet length ≤ buffer length.
    #[inline]
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        field::at_least(b, HEADER_LEN)?;
        if b[f::VERSION] != OSPF_VERSION {
            return Err(Error::BadVersion(b[f::VERSION]));
        }
        let len = usize::from(NE::read_u16(&b[f::LENGTH]));
        if len < HEADER_LEN || len > b.len() {
            return Err(Error::BadPacketLength { len, buf: b.len() });
        }
        Ok(())
    }
    /// Consumes the view, returning the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }
    /// The whole underlying buffer (packet and trailer).
    #[inline]
    pub fn buffer(&self) -> &[u8] {
        self.buffer.as_ref()
    }
    /// Version (2).
    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[f::VERSION]
    }
    /// Packet type.
    #[inline]
    pub fn packet_type(&self) -> PacketType {
        PacketType::from(self.buffer.as_ref()[f::TYPE])
    }
    /// Packet length field (header and body; excludes the digest and LLS).
    #[inline]
    pub fn packet_len(&self) -> u16 {
        NE::read_u16(&self.buffer.as_ref()[f::LENGTH])
    }
    /// Router ID of the sender.
    #[inline]
    pub fn router_id(&self) -> Ipv4Addr {
        field::ipv4(&self.buffer.as_ref()[f::ROUTER_ID])
    }
    /// Area ID.
    #[inline]
    pub fn area_id(&self) -> Ipv4Addr {
        field::ipv4(&self.buffer.as_ref()[f::AREA_ID])
    }
    /// Checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        NE::read_u16(&self.buffer.as_ref()[f::CHECKSUM])
    }
    /// AuType.
    #[inline]
    pub fn au_type(&self) -> u16 {
        NE::read_u16(&self.buffer.as_ref()[f::AU_TYPE])
    }
    /// The raw 8-byte authentication field.
    #[inline]
    pub fn auth_bytes(&self) -> [u8; 8] {
        let mut a = [0u8; 8];
        a.copy_from_slice(&self.buffer.as_ref()[f::AUTH]);
        a
    }
    /// AuType and authentication field, decoded.
    #[inline]
    pub fn auth_field(&self) -> AuthField {
        AuthField::from_raw(self.au_type(), self.auth_bytes())
    }
    /// Key ID (meaningful with AuType 2).
    #[inline]
    pub fn key_id(&self) -> u8 {
        self.buffer.as_ref()[f::KEY_ID]
    }
    /// Authentication data (digest) length (meaningful with AuType 2).
    #[inline]
    pub fn auth_data_len(&self) -> u8 {
        self.buffer.as_ref()[f::AUTH_LEN]
    }
    /// Cryptographic sequence number (meaningful with AuType 2).
    #[inline]
    pub fn crypto_seq(&self) -> u32 {
        NE::read_u32(&self.buffer.as_ref()[f::CRYPTO_SEQ])
    }
    /// End of the packet proper, clamped to the buffer.
    #[inline]
    fn end(&self) -> usize {
        let b = self.buffer.as_ref();
        usize::from(NE::read_u16(&b[f::LENGTH])).clamp(HEADER_LEN.min(b.len()), b.len())
    }
    /// The packet proper: header and body (`packet length` bytes).
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        &self.buffer.as_ref()[..self.end()]
    }
    /// The body: bytes 24 up to the packet length.
    #[inline]
    pub fn body(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        b.get(HEADER_LEN..self.end()).unwrap_or(&[])
    }
    /// Bytes after the packet length: the cryptographic digest (AuType 2), then an
    /// optional LLS block.
    #[inline]
    pub fn trailer(&self) -> &[u8] {
        &self.buffer.as_ref()[self.end()..]
    }
    /// Options of a Hello or Database Description packet, if this is one and its body
    /// is long enough.
    pub fn options(&self) -> Option<Options> {
        let body = self.body();
        let at = match self.packet_type() {
            PacketType::Hello => field::hello::OPTIONS,
            PacketType::DbDesc => field::dbdesc::OPTIONS,
            _ => return None,
        };
        body.get(at).map(|&o| Options::from_bits_retain(o))
    }
    /// The LLS block (RFC 5613) of a Hello or DD packet whose Options carry the L bit:
    /// it starts after the packet length plus `digest_len` bytes of cryptographic
    /// digest (pass 0 without cryptographic authentication).
    ///
    /// `None` when the packet announces no LLS block; `Some(Err)` when it announces
    /// one that is missing or malformed (the packet itself stays decodable).
    pub fn lls(&self, digest_len: usize) -> Option<Result<Lls<'_>>> {
        if !self.options()?.contains(Options::L) {
            return None;
        }
        let trailer = self.trailer();
        Some(match trailer.get(digest_len..) {
            Some(block) => Lls::parse(block),
            None => Err(Error::Truncated {
                need: digest_len,
                have: trailer.len(),
            }),
        })
    }
    /// The RFC 1071 checksum this packet should carry (auth field excluded).
    #[inline]
    pub fn compute_checksum(&self) -> u16 {
        checksum::packet_checksum(self.bytes())
    }
    /// True when the checksum field verifies.
    #[inline]
    pub fn verify_checksum(&self) -> bool {
        checksum::verify_packet(self.bytes())
    }
    /// Like [`verify_checksum`](Self::verify_checksum), as a `Result` with the values.
    #[inline]
    pub fn check_checksum(&self) -> Result<()> {
        if self.verify_checksum() {
            Ok(())
        } else {
            Err(Error::BadChecksum {
                field: self.checksum(),
                computed: self.compute_checksum(),
            })
        }
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the version.
    #[inline]
    pub fn set_version(&mut self, v: u8) {
        self.buffer.as_mut()[f::VERSION] = v;
    }
    /// Sets the packet type.
    #[inline]
    pub fn set_packet_type(&mut self, t: PacketType) {
        self.buffer.as_mut()[f::TYPE] = t.into();
    }
    /// Sets the packet length field.
    #[inline]
    pub fn set_packet_len(&mut self, len: u16) {
        NE::write_u16(&mut self.buffer.as_mut()[f::LENGTH], len);
    }
    /// Sets the router ID.
    #[inline]
    pub fn set_router_id(&mut self, id: Ipv4Addr) {
        self.buffer.as_mut()[f::ROUTER_ID].copy_from_slice(&id.octets());
    }
    /// Sets the area ID.
    #[inline]
    pub fn set_area_id(&mut self, id: Ipv4Addr) {
        self.buffer.as_mut()[f::AREA_ID].copy_from_slice(&id.octets());
    }
    /// Sets the checksum field.
    #[inline]
    pub fn set_checksum(&mut self, c: u16) {
        NE::write_u16(&mut self.buffer.as_mut()[f::CHECKSUM], c);
    }
    /// Sets the AuType.
    #[inline]
    pub fn set_au_type(&mut self, t: u16) {
        NE::write_u16(&mut self.buffer.as_mut()[f::AU_TYPE], t);
    }
    /// Sets the raw authentication field.
    #[inline]
    pub fn set_auth_bytes(&mut self, a: [u8; 8]) {
        self.buffer.as_mut()[f::AUTH].copy_from_slice(&a);
    }
    /// Sets AuType and authentication field.
    #[inline]
    pub fn set_auth_field(&mut self, a: AuthField) {
        self.set_au_type(a.au_type());
        self.set_auth_bytes(a.raw());
    }
    /// Sets the key ID (AuType 2).
    #[inline]
    pub fn set_key_id(&mut self, id: u8) {
        self.buffer.as_mut()[f::KEY_ID] = id;
    }
    /// Sets the authentication data length (AuType 2).
    #[inline]
    pub fn set_auth_data_len(&mut self, len: u8) {
        self.buffer.as_mut()[f::AUTH_LEN] = len;
    }
    /// Sets the cryptographic sequence number (AuType 2).
    #[inline]
    pub fn set_crypto_seq(&mut self, seq: u32) {
        NE::write_u32(&mut self.buffer.as_mut()[f::CRYPTO_SEQ], seq);
    }
    /// The body, mutable.
    #[inline]
    pub fn body_mut(&mut self) -> &mut [u8] {
        let end = self.end();
        self.buffer
            .as_mut()
            .get_mut(HEADER_LEN..end)
            .unwrap_or(&mut [])
    }
    /// Computes and stores the checksum (for AuType 0 and 1; AuType 2 keeps it 0).
    #[inline]
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let c = self.compute_checksum();
        self.set_checksum(c);
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

impl BodyRepr<'_> {
    /// The packet type of this body.
    #[inline]
    pub fn packet_type(&self) -> PacketType {
        match self {
            BodyRepr::Hello(_) => PacketType::Hello,
            BodyRepr::DbDesc(_) => PacketType::DbDesc,
            BodyRepr::LsRequest(_) => PacketType::LsRequest,
            BodyRepr::LsUpdate(_) => PacketType::LsUpdate,
            BodyRepr::LsAck(_) => PacketType::LsAck,
        }
    }
    /// Bytes the body takes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        match self {
            BodyRepr::Hello(b) => b.buffer_len(),
            BodyRepr::DbDesc(b) => b.buffer_len(),
            BodyRepr::LsRequest(b) => b.buffer_len(),
            BodyRepr::LsUpdate(b) => b.buffer_len(),
            BodyRepr::LsAck(b) => b.buffer_len(),
        }
    }
    /// Writes the body into `buf` (at least [`buffer_len`](Self::buffer_len) bytes).
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        match self {
            BodyRepr::Hello(b) => b.emit(buf),
            BodyRepr::DbDesc(b) => b.emit(buf),
            BodyRepr::LsRequest(b) => b.emit(buf),
            BodyRepr::LsUpdate(b) => b.emit(buf),
            BodyRepr::LsAck(b) => b.emit(buf),
        }
    }
}

impl<'a> PacketRepr<'a> {
    /// Parses a checked packet (does not verify checksum or authentication).
    #[inline(always)]
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &Packet<&'a T>) -> Result<PacketRepr<'a>> {
        let buf: &'a [u8] = T::as_ref(packet.buffer);
        let p = Packet::new_checked(buf)?;
        let body = p.body_ref();
        let body = match p.packet_type() {
            PacketType::Hello => BodyRepr::Hello(HelloRepr::parse(body)?),
            PacketType::DbDesc => BodyRepr::DbDesc(DbDescRepr::parse(body)?),
            PacketType::LsRequest => BodyRepr::LsRequest(LsRequestRepr::parse(body)?),
            PacketType::LsUpdate => BodyRepr::LsUpdate(LsUpdateRepr::parse(body)?),
            PacketType::LsAck => BodyRepr::LsAck(LsAckRepr::parse(body)?),
            PacketType::Unknown(t) => return Err(Error::UnknownPacketType(t)),
        };
        Ok(PacketRepr {
            router_id: p.router_id(),
            area_id: p.area_id(),
            auth: p.auth_field(),
            body,
        })
    }
    /// Checks the length, parses, and verifies the checksum (AuType 2 packets carry no
    /// checksum, RFC 2328 D.4.3). Returns the checked view beside the parsed packet.
    ///
    /// Built with `cfg(fuzzing)`, the checksum is not verified.
    #[inline]
    pub fn decode(bytes: &'a [u8]) -> Result<(Packet<&'a [u8]>, PacketRepr<'a>)> {
        let p = Packet::new_checked(bytes)?;
        let repr = PacketRepr::parse(&p)?;
        // Under `cfg(fuzzing)` the checksum is not checked, so fuzzers get past it.
        if cfg!(not(fuzzing)) && p.au_type() != AU_CRYPTO {
            p.check_checksum()?;
        }
        Ok((p, repr))
    }
    /// Length of the packet this emits (header + body; the crypto digest and LLS excluded).
    #[inline]
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + self.body.buffer_len()
    }
    /// Emits header and body into `packet` and, unless the auth is cryptographic, fills the
    /// checksum (RFC 2328 D.4: with crypto auth the checksum field is 0).
    #[inline]
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) -> Result<()> {
        let len = self.buffer_len();
        let have = packet.buffer.as_ref().len();
        if have < len {
            return Err(Error::BufferTooSmall { need: len, have });
        }
        let len16 =
            u16::try_from(len).map_err(|_| Error::OutOfRange("packet longer than 65535"))?;
        {
            let b = packet.buffer.as_mut();
            b[f::VERSION] = OSPF_VERSION;
            b[f::TYPE] = self.body.packet_type().into();
        }
        packet.set_packet_len(len16);
        packet.set_router_id(self.router_id);
        packet.set_area_id(self.area_id);
        packet.set_checksum(0);
        packet.set_auth_field(self.auth);
        self.body
            .emit(&mut packet.buffer.as_mut()[HEADER_LEN..len])?;
        if self.auth.au_type() != AU_CRYPTO {
            packet.fill_checksum();
        }
        Ok(())
    }
    /// Emits into a byte buffer; returns the packet length.
    pub fn emit_bytes(&self, buf: &mut [u8]) -> Result<usize> {
        self.emit(&mut Packet::new_unchecked(&mut *buf))?;
        Ok(self.buffer_len())
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The body with the buffer's lifetime.
    #[inline]
    pub(crate) fn body_ref(&self) -> &'a [u8] {
        let end = self.end();
        self.buffer.get(HEADER_LEN..end).unwrap_or(&[])
    }
}
