//! LSA header and bodies (RFC 2328 A.4, RFC 3101 NSSA, RFC 5250 opaque).

use byteorder::{ByteOrder, NetworkEndian as NE};

use super::field::{self, lsa as f, need};
use super::{Error, Ipv4Addr, List, Options, Result, RouterFlags, checksum};

/// Length of the LSA header.
pub const LSA_HEADER_LEN: usize = 20;

/// LS type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LsaType {
    /// 1
    Router,
    /// 2
    Network,
    /// 3
    SummaryNetwork,
    /// 4
    SummaryAsbr,
    /// 5
    AsExternal,
    /// 7 (RFC 3101)
    Nssa,
    /// 9: link-local scope
    OpaqueLink,
    /// 10: area scope
    OpaqueArea,
    /// 11: AS scope
    OpaqueAs,
    /// Anything else.
    Unknown(u8),
}

impl From<u8> for LsaType {
    fn from(v: u8) -> Self {
        match v {
            1 => LsaType::Router,
            2 => LsaType::Network,
            3 => LsaType::SummaryNetwork,
            4 => LsaType::SummaryAsbr,
            5 => LsaType::AsExternal,
            7 => LsaType::Nssa,
            9 => LsaType::OpaqueLink,
            10 => LsaType::OpaqueArea,
            11 => LsaType::OpaqueAs,
            other => LsaType::Unknown(other),
        }
    }
}
impl From<LsaType> for u8 {
    fn from(t: LsaType) -> u8 {
        match t {
            LsaType::Router => 1,
            LsaType::Network => 2,
            LsaType::SummaryNetwork => 3,
            LsaType::SummaryAsbr => 4,
            LsaType::AsExternal => 5,
            LsaType::Nssa => 7,
            LsaType::OpaqueLink => 9,
            LsaType::OpaqueArea => 10,
            LsaType::OpaqueAs => 11,
            LsaType::Unknown(v) => v,
        }
    }
}

/// The 20-byte LSA header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LsaHeader {
    /// LS age, seconds (top bit DoNotAge).
    pub age: u16,
    /// Options.
    pub options: Options,
    /// LS type.
    pub lsa_type: LsaType,
    /// Link State ID.
    pub lsid: Ipv4Addr,
    /// Advertising router.
    pub adv_router: Ipv4Addr,
    /// LS sequence number (signed on the wire; kept as the raw u32, compare as i32).
    pub seq: u32,
    /// Fletcher checksum.
    pub checksum: u16,
    /// Length of the whole LSA, header included.
    pub length: u16,
}

/// A checked view of one whole LSA (header + body). `new_checked` validates
/// length ≥ 20, a multiple of 4, and ≤ the buffer.
#[derive(Debug, Clone, Copy)]
pub struct Lsa<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Lsa<T> {
    /// Wraps without checks.
    pub const fn new_unchecked(buffer: T) -> Self {
        Lsa { buffer }
    }
    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }
}

/// Router-LSA link type (RFC 2328 A.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkType {
    /// 1: point-to-point connection to another router.
    PointToPoint,
    /// 2: connection to a transit network.
    Transit,
    /// 3: connection to a stub network.
    Stub,
    /// 4: virtual link.
    Virtual,
    /// Anything else.
    Unknown(u8),
}

/// One Router-LSA link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouterLink<'a> {
    /// Link ID.
    pub id: Ipv4Addr,
    /// Link Data.
    pub data: Ipv4Addr,
    /// Link type.
    pub link_type: LinkType,
    /// TOS 0 metric.
    pub metric: u16,
    /// Raw TOS entries (4 bytes each), usually empty.
    pub tos: &'a [u8],
}

/// Router-LSA links: wire bytes (validated) or a slice to emit.
#[derive(Debug, Clone, Copy)]
pub enum RouterLinks<'a> {
    /// From the wire: `count` links in `bytes`.
    Wire {
        /// # links
        count: u16,
        /// link bytes
        bytes: &'a [u8],
    },
    /// Links to emit.
    Slice(&'a [RouterLink<'a>]),
}

/// Router-LSA body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouterLsa<'a> {
    /// V, E, B, Nt flags.
    pub flags: RouterFlags,
    /// Links.
    pub links: RouterLinks<'a>,
}

/// Network-LSA body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkLsa<'a> {
    /// Network mask.
    pub mask: Ipv4Addr,
    /// Attached routers.
    pub routers: List<'a, Ipv4Addr>,
}

/// Summary-LSA body (types 3 and 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryLsa<'a> {
    /// Network mask (0 for type 4).
    pub mask: Ipv4Addr,
    /// 24-bit metric.
    pub metric: u32,
    /// Raw TOS entries (4 bytes each).
    pub tos: &'a [u8],
}

/// AS-External / NSSA LSA body (types 5 and 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExternalLsa<'a> {
    /// Network mask.
    pub mask: Ipv4Addr,
    /// E bit: type 2 metric.
    pub e2: bool,
    /// 24-bit metric.
    pub metric: u32,
    /// Forwarding address.
    pub forwarding: Ipv4Addr,
    /// External route tag.
    pub tag: u32,
    /// Raw TOS entries (12 bytes each).
    pub tos: &'a [u8],
}

/// Opaque LSA body (types 9, 10, 11): opaque type and id come from the Link State ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpaqueLsa<'a> {
    /// Opaque type (first byte of the Link State ID).
    pub opaque_type: u8,
    /// Opaque ID (low 24 bits of the Link State ID).
    pub opaque_id: u32,
    /// Opaque information.
    pub data: &'a [u8],
}

/// One TLV of an opaque LSA (type u16, length u16, value padded to 4 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpaqueTlv<'a> {
    /// TLV type.
    pub tlv_type: u16,
    /// Value (unpadded).
    pub value: &'a [u8],
}

/// An LSA body by type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LsaBody<'a> {
    /// Type 1.
    Router(RouterLsa<'a>),
    /// Type 2.
    Network(NetworkLsa<'a>),
    /// Types 3 and 4.
    Summary(SummaryLsa<'a>),
    /// Types 5 and 7.
    External(ExternalLsa<'a>),
    /// Types 9, 10, 11.
    Opaque(OpaqueLsa<'a>),
    /// Unknown type: raw body.
    Unknown(&'a [u8]),
}

/// A parsed LSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LsaRepr<'a> {
    /// Header (its checksum and length are recomputed on emit).
    pub header: LsaHeader,
    /// Body.
    pub body: LsaBody<'a>,
}

impl super::FixedItem for LsaHeader {
    const LEN: usize = LSA_HEADER_LEN;
    #[inline]
    fn read(b: &[u8]) -> Self {
        use byteorder::{ByteOrder, NetworkEndian as NE};
        LsaHeader {
            age: NE::read_u16(&b[0..2]),
            options: Options::from_bits_retain(b[2]),
            lsa_type: LsaType::from(b[3]),
            lsid: Ipv4Addr::new(b[4], b[5], b[6], b[7]),
            adv_router: Ipv4Addr::new(b[8], b[9], b[10], b[11]),
            seq: NE::read_u32(&b[12..16]),
            checksum: NE::read_u16(&b[16..18]),
            length: NE::read_u16(&b[18..20]),
        }
    }
    #[inline]
    fn write(&self, b: &mut [u8]) {
        use byteorder::{ByteOrder, NetworkEndian as NE};
        NE::write_u16(&mut b[0..2], self.age);
        b[2] = self.options.bits();
        b[3] = self.lsa_type.into();
        b[4..8].copy_from_slice(&self.lsid.octets());
        b[8..12].copy_from_slice(&self.adv_router.octets());
        NE::write_u32(&mut b[12..16], self.seq);
        NE::write_u16(&mut b[16..18], self.checksum);
        NE::write_u16(&mut b[18..20], self.length);
    }
}

impl<T: AsRef<[u8]>> Lsa<T> {
    /// Wraps a buffer after [`check_len`](Self::check_len).
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Self> {
        let l = Self::new_unchecked(buffer);
        l.check_len()?;
        Ok(l)
    }
    /// Checks: buffer ≥ 20, 20 ≤ length field ≤ buffer, length a multiple of 4.
    #[inline]
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        field::at_least(b, LSA_HEADER_LEN)?;
        let len = usize::from(NE::read_u16(&b[f::LENGTH]));
        if len < LSA_HEADER_LEN || len % 4 != 0 || len > b.len() {
            return Err(Error::BadLsaLength(len));
        }
        Ok(())
    }
    /// End of the LSA, clamped to the buffer.
    #[inline]
    fn end(&self) -> usize {
        let b = self.buffer.as_ref();
        usize::from(NE::read_u16(&b[f::LENGTH])).clamp(LSA_HEADER_LEN.min(b.len()), b.len())
    }
    /// The header.
    #[inline]
    pub fn header(&self) -> LsaHeader {
        <LsaHeader as super::FixedItem>::read(&self.buffer.as_ref()[..LSA_HEADER_LEN])
    }
    /// LS age.
    #[inline]
    pub fn age(&self) -> u16 {
        NE::read_u16(&self.buffer.as_ref()[f::AGE])
    }
    /// Options.
    #[inline]
    pub fn options(&self) -> Options {
        Options::from_bits_retain(self.buffer.as_ref()[f::OPTIONS])
    }
    /// LS type.
    #[inline]
    pub fn lsa_type(&self) -> LsaType {
        LsaType::from(self.buffer.as_ref()[f::TYPE])
    }
    /// Link State ID.
    #[inline]
    pub fn lsid(&self) -> Ipv4Addr {
        field::ipv4(&self.buffer.as_ref()[f::LSID])
    }
    /// Advertising router.
    #[inline]
    pub fn adv_router(&self) -> Ipv4Addr {
        field::ipv4(&self.buffer.as_ref()[f::ADV_ROUTER])
    }
    /// LS sequence number (raw; compare as `i32`).
    #[inline]
    pub fn seq(&self) -> u32 {
        NE::read_u32(&self.buffer.as_ref()[f::SEQ])
    }
    /// Checksum field.
    #[inline]
    pub fn checksum(&self) -> u16 {
        NE::read_u16(&self.buffer.as_ref()[f::CHECKSUM])
    }
    /// Length field (the whole LSA).
    #[inline]
    pub fn length(&self) -> u16 {
        NE::read_u16(&self.buffer.as_ref()[f::LENGTH])
    }
    /// The whole LSA: exactly `length` bytes.
    #[inline]
    pub fn bytes(&self) -> &[u8] {
        &self.buffer.as_ref()[..self.end()]
    }
    /// The body: bytes 20 up to `length`.
    #[inline]
    pub fn body(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(LSA_HEADER_LEN..self.end())
            .unwrap_or(&[])
    }
    /// The Fletcher checksum this LSA should carry.
    #[inline]
    pub fn compute_checksum(&self) -> u16 {
        checksum::lsa_fletcher(self.bytes())
    }
    /// True when the Fletcher checksum verifies.
    #[inline]
    pub fn verify_checksum(&self) -> bool {
        checksum::verify_lsa(self.bytes())
    }
    /// Like [`verify_checksum`](Self::verify_checksum), as a `Result`.
    #[inline]
    pub fn check_checksum(&self) -> Result<()> {
        if self.verify_checksum() {
            Ok(())
        } else {
            Err(Error::BadLsaChecksum)
        }
    }
}

impl<'a> Lsa<&'a [u8]> {
    /// The whole LSA with the buffer's lifetime.
    #[inline]
    pub fn bytes_ref(&self) -> &'a [u8] {
        let end = self.end();
        &self.buffer[..end]
    }
    /// The body with the buffer's lifetime.
    #[inline]
    pub fn body_ref(&self) -> &'a [u8] {
        let end = self.end();
        self.buffer.get(LSA_HEADER_LEN..end).unwrap_or(&[])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Lsa<T> {
    /// Sets the LS age (the checksum does not cover it).
    #[inline]
    pub fn set_age(&mut self, age: u16) {
        NE::write_u16(&mut self.buffer.as_mut()[f::AGE], age);
    }
    /// Sets the options.
    #[inline]
    pub fn set_options(&mut self, o: Options) {
        self.buffer.as_mut()[f::OPTIONS] = o.bits();
    }
    /// Sets the LS sequence number.
    #[inline]
    pub fn set_seq(&mut self, seq: u32) {
        NE::write_u32(&mut self.buffer.as_mut()[f::SEQ], seq);
    }
    /// Sets the checksum field.
    #[inline]
    pub fn set_checksum(&mut self, c: u16) {
        NE::write_u16(&mut self.buffer.as_mut()[f::CHECKSUM], c);
    }
    /// Computes and stores the Fletcher checksum.
    #[inline]
    pub fn fill_checksum(&mut self) {
        let c = self.compute_checksum();
        self.set_checksum(c);
    }
}

impl From<u8> for LinkType {
    fn from(v: u8) -> Self {
        match v {
            1 => LinkType::PointToPoint,
            2 => LinkType::Transit,
            3 => LinkType::Stub,
            4 => LinkType::Virtual,
            other => LinkType::Unknown(other),
        }
    }
}
impl From<LinkType> for u8 {
    fn from(t: LinkType) -> u8 {
        match t {
            LinkType::PointToPoint => 1,
            LinkType::Transit => 2,
            LinkType::Stub => 3,
            LinkType::Virtual => 4,
            LinkType::Unknown(v) => v,
        }
    }
}

/// Length of a Router-LSA link without TOS entries.
pub const ROUTER_LINK_LEN: usize = 12;

impl<'a> RouterLink<'a> {
    /// Parses the link at the start of `b`; returns it and its length.
    #[inline]
    fn parse(b: &'a [u8]) -> Option<(RouterLink<'a>, usize)> {
        let fixed = b.get(..ROUTER_LINK_LEN)?;
        let end = ROUTER_LINK_LEN + 4 * usize::from(fixed[9]);
        let tos = b.get(ROUTER_LINK_LEN..end)?;
        Some((
            RouterLink {
                id: field::ipv4(&fixed[0..4]),
                data: field::ipv4(&fixed[4..8]),
                link_type: LinkType::from(fixed[8]),
                metric: NE::read_u16(&fixed[10..12]),
                tos,
            },
            end,
        ))
    }
    /// Bytes the link takes.
    #[inline]
    pub fn wire_len(&self) -> usize {
        ROUTER_LINK_LEN + self.tos.len()
    }
    /// Number of TOS entries.
    pub fn tos_count(&self) -> usize {
        self.tos.len() / 4
    }
    #[inline]
    fn emit(&self, b: &mut [u8]) -> Result<()> {
        if self.tos.len() % 4 != 0 || self.tos.len() / 4 > 255 {
            return Err(Error::OutOfRange("router link TOS entries"));
        }
        b[0..4].copy_from_slice(&self.id.octets());
        b[4..8].copy_from_slice(&self.data.octets());
        b[8] = self.link_type.into();
        b[9] = (self.tos.len() / 4) as u8;
        NE::write_u16(&mut b[10..12], self.metric);
        b[ROUTER_LINK_LEN..self.wire_len()].copy_from_slice(self.tos);
        Ok(())
    }
}

/// Iterator over [`RouterLinks`].
#[derive(Debug, Clone)]
pub enum RouterLinkIter<'a> {
    /// Walking wire bytes.
    #[doc(hidden)]
    Wire {
        /// Links left.
        left: u16,
        /// Bytes left.
        rest: &'a [u8],
    },
    /// Walking a slice.
    #[doc(hidden)]
    Slice(core::slice::Iter<'a, RouterLink<'a>>),
}

impl<'a> Iterator for RouterLinkIter<'a> {
    type Item = RouterLink<'a>;
    #[inline]
    fn next(&mut self) -> Option<RouterLink<'a>> {
        match self {
            RouterLinkIter::Wire { left, rest } => {
                if *left == 0 {
                    return None;
                }
                match RouterLink::parse(rest) {
                    Some((link, len)) => {
                        *rest = &rest[len..];
                        *left -= 1;
                        Some(link)
                    }
                    None => {
                        *left = 0;
                        None
                    }
                }
            }
            RouterLinkIter::Slice(it) => it.next().copied(),
        }
    }
}

impl<'a> RouterLinks<'a> {
    /// Validates `count` links that must fill `bytes` exactly.
    #[inline]
    pub fn from_wire(count: u16, bytes: &'a [u8]) -> Result<Self> {
        let mut rest = bytes;
        for _ in 0..count {
            let Some((_, len)) = RouterLink::parse(rest) else {
                return Err(Error::BadCount {
                    count: count.into(),
                    len: bytes.len(),
                });
            };
            rest = &rest[len..];
        }
        if !rest.is_empty() {
            return Err(Error::BadCount {
                count: count.into(),
                len: bytes.len(),
            });
        }
        Ok(RouterLinks::Wire { count, bytes })
    }
    /// Number of links.
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            RouterLinks::Wire { count, .. } => usize::from(*count),
            RouterLinks::Slice(s) => s.len(),
        }
    }
    /// True when there are no links.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Bytes the links take.
    #[inline]
    pub fn wire_len(&self) -> usize {
        match self {
            RouterLinks::Wire { bytes, .. } => bytes.len(),
            RouterLinks::Slice(s) => s.iter().map(RouterLink::wire_len).sum(),
        }
    }
    /// Iterates the links.
    #[inline]
    pub fn iter(&self) -> RouterLinkIter<'a> {
        match *self {
            RouterLinks::Wire { count, bytes } => RouterLinkIter::Wire {
                left: count,
                rest: bytes,
            },
            RouterLinks::Slice(s) => RouterLinkIter::Slice(s.iter()),
        }
    }
}

impl PartialEq for RouterLinks<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}
impl Eq for RouterLinks<'_> {}

impl<'a> RouterLsa<'a> {
    /// Parses a Router-LSA body: flags, reserved byte, # links, links. The number of
    /// links must match the bytes exactly.
    ///
    /// The reserved byte after the flags is not kept (emitted as 0).
    #[inline]
    pub fn parse(body: &'a [u8]) -> Result<Self> {
        field::at_least(body, 4)?;
        let count = NE::read_u16(&body[2..4]);
        Ok(RouterLsa {
            flags: RouterFlags::from_bits_retain(body[0]),
            links: RouterLinks::from_wire(count, &body[4..])?,
        })
    }
    /// Bytes the body takes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        4 + self.links.wire_len()
    }
    /// Writes the body into `buf` (at least [`buffer_len`](Self::buffer_len) bytes).
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        need(buf, self.buffer_len())?;
        let count = u16::try_from(self.links.len())
            .map_err(|_| Error::OutOfRange("more than 65535 router links"))?;
        buf[0] = self.flags.bits();
        buf[1] = 0;
        NE::write_u16(&mut buf[2..4], count);
        let mut at = 4;
        for link in self.links.iter() {
            let len = link.wire_len();
            let out = buf
                .get_mut(at..at + len)
                .ok_or(Error::OutOfRange("router links"))?;
            link.emit(out)?;
            at += len;
        }
        Ok(())
    }
}

impl<'a> NetworkLsa<'a> {
    /// Parses a Network-LSA body: mask, then attached routers.
    #[inline]
    pub fn parse(body: &'a [u8]) -> Result<Self> {
        field::at_least(body, 4)?;
        Ok(NetworkLsa {
            mask: field::ipv4(&body[0..4]),
            routers: List::from_wire(&body[4..])?,
        })
    }
    /// Bytes the body takes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        4 + self.routers.wire_len()
    }
    /// Writes the body into `buf` (at least [`buffer_len`](Self::buffer_len) bytes).
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        let len = self.buffer_len();
        need(buf, len)?;
        buf[0..4].copy_from_slice(&self.mask.octets());
        self.routers.emit(&mut buf[4..len]);
        Ok(())
    }
}

/// Largest 24-bit metric.
pub const MAX_METRIC24: u32 = 0x00ff_ffff;

impl<'a> SummaryLsa<'a> {
    /// Parses a Summary-LSA body: mask, a zero byte and the 24-bit metric, TOS entries.
    ///
    /// The byte before the metric is not kept (emitted as 0).
    #[inline]
    pub fn parse(body: &'a [u8]) -> Result<Self> {
        field::at_least(body, 8)?;
        let tos = &body[8..];
        if tos.len() % 4 != 0 {
            return Err(Error::BadBodyLength(body.len()));
        }
        Ok(SummaryLsa {
            mask: field::ipv4(&body[0..4]),
            metric: NE::read_u32(&body[4..8]) & MAX_METRIC24,
            tos,
        })
    }
    /// Bytes the body takes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        8 + self.tos.len()
    }
    /// Writes the body into `buf` (at least [`buffer_len`](Self::buffer_len) bytes).
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        let len = self.buffer_len();
        need(buf, len)?;
        if self.metric > MAX_METRIC24 {
            return Err(Error::OutOfRange("summary metric over 24 bits"));
        }
        if self.tos.len() % 4 != 0 {
            return Err(Error::OutOfRange("summary TOS entries"));
        }
        buf[0..4].copy_from_slice(&self.mask.octets());
        NE::write_u32(&mut buf[4..8], self.metric);
        buf[8..len].copy_from_slice(self.tos);
        Ok(())
    }
}

/// Length of the fixed part of an AS-external-LSA body.
const EXTERNAL_FIXED_LEN: usize = 16;

impl<'a> ExternalLsa<'a> {
    /// Parses an AS-external / NSSA body: mask, E bit and metric, forwarding address,
    /// tag, then 12-byte TOS entries.
    ///
    /// The 7 TOS bits beside the E bit are not kept (emitted as 0).
    #[inline]
    pub fn parse(body: &'a [u8]) -> Result<Self> {
        field::at_least(body, EXTERNAL_FIXED_LEN)?;
        let tos = &body[EXTERNAL_FIXED_LEN..];
        if tos.len() % 12 != 0 {
            return Err(Error::BadBodyLength(body.len()));
        }
        Ok(ExternalLsa {
            mask: field::ipv4(&body[0..4]),
            e2: body[4] & 0x80 != 0,
            metric: NE::read_u32(&body[4..8]) & MAX_METRIC24,
            forwarding: field::ipv4(&body[8..12]),
            tag: NE::read_u32(&body[12..16]),
            tos,
        })
    }
    /// Bytes the body takes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        EXTERNAL_FIXED_LEN + self.tos.len()
    }
    /// Writes the body into `buf` (at least [`buffer_len`](Self::buffer_len) bytes).
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        let len = self.buffer_len();
        need(buf, len)?;
        if self.metric > MAX_METRIC24 {
            return Err(Error::OutOfRange("external metric over 24 bits"));
        }
        if self.tos.len() % 12 != 0 {
            return Err(Error::OutOfRange("external TOS entries"));
        }
        buf[0..4].copy_from_slice(&self.mask.octets());
        NE::write_u32(
            &mut buf[4..8],
            self.metric | if self.e2 { 0x8000_0000 } else { 0 },
        );
        buf[8..12].copy_from_slice(&self.forwarding.octets());
        NE::write_u32(&mut buf[12..16], self.tag);
        buf[16..len].copy_from_slice(self.tos);
        Ok(())
    }
}

impl<'a> OpaqueLsa<'a> {
    /// Parses an opaque body; type and id come from the Link State ID.
    #[inline]
    pub fn parse(lsid: Ipv4Addr, body: &'a [u8]) -> Self {
        let id = u32::from(lsid);
        OpaqueLsa {
            opaque_type: (id >> 24) as u8,
            opaque_id: id & 0x00ff_ffff,
            data: body,
        }
    }
    /// The Link State ID these opaque type and id make.
    pub fn lsid(&self) -> Ipv4Addr {
        Ipv4Addr::from((u32::from(self.opaque_type) << 24) | (self.opaque_id & 0x00ff_ffff))
    }
    /// Iterates the top-level TLVs of the opaque information.
    #[inline]
    pub fn tlvs(&self) -> TlvIter<'a> {
        TlvIter::new(self.data)
    }
}

impl<'a> OpaqueTlv<'a> {
    /// Iterates the sub-TLVs carried in this TLV's value.
    pub fn sub_tlvs(&self) -> TlvIter<'a> {
        TlvIter::new(self.value)
    }
    /// Bytes the TLV takes, padding included.
    #[inline]
    pub fn wire_len(&self) -> usize {
        4 + self.value.len().next_multiple_of(4)
    }
    /// Writes the TLV (value zero padded to 4 bytes); returns its length.
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let len = self.wire_len();
        need(buf, len)?;
        let vlen = u16::try_from(self.value.len()).map_err(|_| Error::OutOfRange("TLV value"))?;
        NE::write_u16(&mut buf[0..2], self.tlv_type);
        NE::write_u16(&mut buf[2..4], vlen);
        buf[4..4 + self.value.len()].copy_from_slice(self.value);
        buf[4 + self.value.len()..len].fill(0);
        Ok(len)
    }
}

/// Iterator over TLVs (type u16, length u16, value padded to 4 bytes), as used by
/// opaque LSAs (RFC 5250, RFC 3630, RFC 7770, RFC 8665) and their sub-TLVs.
///
/// Yields `Err(Error::BadTlvLength(len))` once, then stops, when a TLV header or its
/// padded value runs past the end; `len` is the offending length field (or the bytes
/// left when not even a header fits).
#[derive(Debug, Clone)]
pub struct TlvIter<'a> {
    rest: &'a [u8],
}

impl<'a> TlvIter<'a> {
    /// Walks `bytes` as TLVs.
    pub fn new(bytes: &'a [u8]) -> Self {
        TlvIter { rest: bytes }
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<OpaqueTlv<'a>>;
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let rest = core::mem::take(&mut self.rest);
        let Some(hdr) = rest.get(..4) else {
            return Some(Err(Error::BadTlvLength(rest.len())));
        };
        let tlv_type = NE::read_u16(&hdr[0..2]);
        let len = usize::from(NE::read_u16(&hdr[2..4]));
        let padded = 4 + len.next_multiple_of(4);
        if padded > rest.len() {
            return Some(Err(Error::BadTlvLength(len)));
        }
        self.rest = &rest[padded..];
        Some(Ok(OpaqueTlv {
            tlv_type,
            value: &rest[4..4 + len],
        }))
    }
}

impl<'a> LsaBody<'a> {
    /// Parses the body of an LSA of type `lsa_type` and Link State ID `lsid`.
    #[inline]
    pub fn parse(lsa_type: LsaType, lsid: Ipv4Addr, body: &'a [u8]) -> Result<Self> {
        Ok(match lsa_type {
            LsaType::Router => LsaBody::Router(RouterLsa::parse(body)?),
            LsaType::Network => LsaBody::Network(NetworkLsa::parse(body)?),
            LsaType::SummaryNetwork | LsaType::SummaryAsbr => {
                LsaBody::Summary(SummaryLsa::parse(body)?)
            }
            LsaType::AsExternal | LsaType::Nssa => LsaBody::External(ExternalLsa::parse(body)?),
            LsaType::OpaqueLink | LsaType::OpaqueArea | LsaType::OpaqueAs => {
                LsaBody::Opaque(OpaqueLsa::parse(lsid, body))
            }
            LsaType::Unknown(_) => LsaBody::Unknown(body),
        })
    }
    /// Bytes the body takes.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        match self {
            LsaBody::Router(b) => b.buffer_len(),
            LsaBody::Network(b) => b.buffer_len(),
            LsaBody::Summary(b) => b.buffer_len(),
            LsaBody::External(b) => b.buffer_len(),
            LsaBody::Opaque(b) => b.data.len(),
            LsaBody::Unknown(b) => b.len(),
        }
    }
    /// True when this body kind fits LS type `t` (an unknown body fits any type).
    #[inline]
    pub fn fits(&self, t: LsaType) -> bool {
        use LsaType as T;
        match self {
            LsaBody::Router(_) => t == T::Router,
            LsaBody::Network(_) => t == T::Network,
            LsaBody::Summary(_) => matches!(t, T::SummaryNetwork | T::SummaryAsbr),
            LsaBody::External(_) => matches!(t, T::AsExternal | T::Nssa),
            LsaBody::Opaque(_) => matches!(t, T::OpaqueLink | T::OpaqueArea | T::OpaqueAs),
            LsaBody::Unknown(_) => true,
        }
    }
    /// Writes the body into `buf` (at least [`buffer_len`](Self::buffer_len) bytes).
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        match self {
            LsaBody::Router(b) => b.emit(buf),
            LsaBody::Network(b) => b.emit(buf),
            LsaBody::Summary(b) => b.emit(buf),
            LsaBody::External(b) => b.emit(buf),
            LsaBody::Opaque(OpaqueLsa { data: raw, .. }) | LsaBody::Unknown(raw) => {
                need(buf, raw.len())?;
                buf[..raw.len()].copy_from_slice(raw);
                Ok(())
            }
        }
    }
}

impl<'a> LsaRepr<'a> {
    /// Parses a checked LSA view (does not verify the checksum).
    #[inline(always)]
    pub fn parse<T: AsRef<[u8]> + ?Sized>(lsa: &Lsa<&'a T>) -> Result<LsaRepr<'a>> {
        let buf: &'a [u8] = T::as_ref(lsa.buffer);
        let l = Lsa::new_checked(buf)?;
        let header = l.header();
        let body = LsaBody::parse(header.lsa_type, header.lsid, l.body_ref())?;
        Ok(LsaRepr { header, body })
    }
    /// Checks the framing, parses and verifies the Fletcher checksum of the LSA at the
    /// start of `bytes` (not verified when built with `cfg(fuzzing)`).
    #[inline]
    pub fn decode(bytes: &'a [u8]) -> Result<LsaRepr<'a>> {
        let l = Lsa::new_checked(bytes)?;
        if cfg!(not(fuzzing)) {
            l.check_checksum()?;
        }
        LsaRepr::parse(&l)
    }
    /// Bytes the LSA takes, header included.
    #[inline]
    pub fn buffer_len(&self) -> usize {
        LSA_HEADER_LEN + self.body.buffer_len()
    }
    /// Emits the LSA, setting length and Fletcher checksum; returns the length.
    ///
    /// Fails when the body does not fit the header's LS type, an opaque body's type and
    /// id differ from the Link State ID, a field is out of range, or the LSA would not
    /// be a multiple of 4 bytes or would exceed 65535 bytes.
    #[inline]
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let len = self.buffer_len();
        need(buf, len)?;
        if !self.body.fits(self.header.lsa_type) {
            return Err(Error::OutOfRange("LSA body does not match the LS type"));
        }
        if let LsaBody::Opaque(o) = &self.body {
            if o.opaque_id > 0x00ff_ffff || o.lsid() != self.header.lsid {
                return Err(Error::OutOfRange(
                    "opaque type/id differ from the Link State ID",
                ));
            }
        }
        if len % 4 != 0 {
            return Err(Error::OutOfRange("LSA length not a multiple of 4"));
        }
        let len16 = u16::try_from(len).map_err(|_| Error::OutOfRange("LSA over 65535 bytes"))?;
        let mut h = self.header;
        h.length = len16;
        h.checksum = 0;
        <LsaHeader as super::FixedItem>::write(&h, &mut buf[..LSA_HEADER_LEN]);
        self.body.emit(&mut buf[LSA_HEADER_LEN..len])?;
        let c = checksum::lsa_fletcher(&buf[..len]);
        NE::write_u16(&mut buf[f::CHECKSUM], c);
        Ok(len)
    }
}
