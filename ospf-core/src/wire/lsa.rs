//! LSA header and bodies (RFC 2328 A.4, RFC 3101 NSSA, RFC 5250 opaque).

use super::{Ipv4Addr, List, Options, Result, RouterFlags};

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

impl<'a> LsaRepr<'a> {
    /// Parses a checked LSA view (does not verify the checksum).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(_lsa: &Lsa<&'a T>) -> Result<LsaRepr<'a>> {
        unimplemented!()
    }
    /// Bytes the LSA takes, header included.
    pub fn buffer_len(&self) -> usize {
        unimplemented!()
    }
    /// Emits the LSA, setting length and Fletcher checksum.
    pub fn emit(&self, _buf: &mut [u8]) -> Result<usize> {
        unimplemented!()
    }
}

impl PartialEq for RouterLinks<'_> {
    fn eq(&self, _other: &Self) -> bool {
        unimplemented!()
    }
}
impl Eq for RouterLinks<'_> {}

impl super::FixedItem for LsaHeader {
    const LEN: usize = LSA_HEADER_LEN;
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
