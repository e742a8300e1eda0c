//! Extended Prefix Opaque LSAs (RFC 7684 §2): area-scope opaque LSAs (LS type 10) of
//! opaque type 7 that attach attributes to prefixes, and the anycast weight sub-TLV of
//! this project.
//!
//! The body is a list of TLVs ([`OpaqueLsa::tlvs`]); RFC 7684 §2.1 defines the Extended
//! Prefix TLV (type 1):
//!
//! ```text
//!  0                   1                   2                   3
//! +---------------+---------------+---------------+---------------+
//! |          Type (1)             |            Length             |
//! | Route Type    | Prefix Length |     AF (0)    |     Flags     |
//! |                     Address Prefix (4 bytes)                  |
//! |                     Sub-TLVs (variable)                       |
//! ```
//!
//! Flags: 0x80 A (attached: an ABR's own prefix), 0x40 N (node: the prefix identifies the
//! router). Route type: 0 unspecified, 1 intra-area, 3 inter-area, 5 AS-external,
//! 7 NSSA-external.
//!
//! # The weight sub-TLV (ours)
//!
//! An anycast server announces its capacity for its anycast address with a sub-TLV of
//! type [`EXT_PREFIX_SUB_TLV_WEIGHT`] = 32768 inside the Extended Prefix TLV of that
//! address: length 4, the weight (1–255) in the first byte, three reserved bytes sent as 0
//! and ignored. The IANA registry "OSPFv2 Extended Prefix TLV Sub-TLVs" (RFC 7684 §7.4)
//! keeps 32768–33023 for Experimental Use (never assigned, so no standard sub-TLV can
//! collide with ours); we take the first value of that range. A router that does not know
//! the sub-TLV skips it (RFC 7684 §2: unknown sub-TLVs are ignored) and keeps its
//! equal-cost paths. A weight of 0 is refused ([`Error::OutOfRange`]): it reads as "no
//! weight".
//!
//! [`ext_prefix_tlvs`] walks the Extended Prefix TLVs of an LSA without copying (TLVs of
//! other types are skipped); [`ExtPrefix::parse`] reads one; [`ExtPrefix::emit`] writes one.
//!
//! ```
//! use ospf_core::wire::{ExtPrefix, ExtPrefixRouteType, Ipv4Addr, OpaqueLsa, ext_prefix_tlvs};
//!
//! let p = ExtPrefix::host(Ipv4Addr::new(172, 16, 0, 1)).with_weight(Some(2));
//! let mut body = [0u8; 32];
//! let n = p.emit(&mut body).unwrap();
//! let lsa = OpaqueLsa::parse(ExtPrefix::lsid(1), &body[..n]);
//! let tlv = ext_prefix_tlvs(&lsa).unwrap().next().unwrap().unwrap();
//! let back = ExtPrefix::parse(&tlv).unwrap();
//! assert_eq!(back, p);
//! assert_eq!(back.route_type, ExtPrefixRouteType::IntraArea);
//! assert_eq!(back.weight, Some(2));
//! ```

use byteorder::{ByteOrder, NetworkEndian as NE};

use super::field::need;
use super::{Error, Ipv4Addr, OpaqueLsa, OpaqueTlv, Result, TlvIter};

/// Opaque type of Extended Prefix Opaque LSAs (RFC 7684 §2).
pub const EXT_PREFIX_OPAQUE_TYPE: u8 = 7;
/// TLV: Extended Prefix (RFC 7684 §2.1).
pub const EXT_PREFIX_TLV: u16 = 1;
/// Sub-TLV (ours, from the Experimental Use range 32768–33023): anycast weight.
pub const EXT_PREFIX_SUB_TLV_WEIGHT: u16 = 32768;
/// Bytes of an Extended Prefix TLV's fixed part (route type to address prefix).
pub const EXT_PREFIX_FIXED_LEN: usize = 8;

/// Route type of an Extended Prefix TLV (RFC 7684 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtPrefixRouteType {
    /// 0: unspecified.
    Unspecified,
    /// 1: intra-area.
    IntraArea,
    /// 3: inter-area.
    InterArea,
    /// 5: AS-external.
    AsExternal,
    /// 7: NSSA external.
    NssaExternal,
    /// Any other value.
    Other(u8),
}

impl From<u8> for ExtPrefixRouteType {
    fn from(v: u8) -> Self {
        match v {
            0 => ExtPrefixRouteType::Unspecified,
            1 => ExtPrefixRouteType::IntraArea,
            3 => ExtPrefixRouteType::InterArea,
            5 => ExtPrefixRouteType::AsExternal,
            7 => ExtPrefixRouteType::NssaExternal,
            v => ExtPrefixRouteType::Other(v),
        }
    }
}

impl From<ExtPrefixRouteType> for u8 {
    fn from(t: ExtPrefixRouteType) -> u8 {
        match t {
            ExtPrefixRouteType::Unspecified => 0,
            ExtPrefixRouteType::IntraArea => 1,
            ExtPrefixRouteType::InterArea => 3,
            ExtPrefixRouteType::AsExternal => 5,
            ExtPrefixRouteType::NssaExternal => 7,
            ExtPrefixRouteType::Other(v) => v,
        }
    }
}

bitflags::bitflags! {
    /// Flags of an Extended Prefix TLV (RFC 7684 §2.1); unknown bits are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ExtPrefixFlags: u8 {
        /// A: attach flag (an ABR's prefix of an attached area).
        const A = 0x80;
        /// N: node flag (the prefix identifies the advertising router).
        const N = 0x40;
        const _ = !0;
    }
}

/// One Extended Prefix TLV as found in an LSA: the fixed part read, the sub-TLVs still
/// raw ([`ExtPrefixTlv::sub_tlvs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtPrefixTlv<'a> {
    /// Route type.
    pub route_type: ExtPrefixRouteType,
    /// Prefix length (0–32).
    pub prefix_len: u8,
    /// Address family (0: IPv4 unicast, the only one RFC 7684 defines).
    pub address_family: u8,
    /// Flags.
    pub flags: ExtPrefixFlags,
    /// The address prefix, as on the wire (bits past the length are not cleared).
    pub prefix: Ipv4Addr,
    /// The sub-TLVs, unparsed.
    pub sub_tlv_bytes: &'a [u8],
}

impl<'a> ExtPrefixTlv<'a> {
    /// Reads the fixed part of an Extended Prefix TLV. A value shorter than
    /// [`EXT_PREFIX_FIXED_LEN`] is an [`Error::InvalidTlvLength`]; a prefix length above
    /// 32 or an address family other than 0 an [`Error::OutOfRange`].
    pub fn parse(tlv: &OpaqueTlv<'a>) -> Result<Self> {
        let v = tlv.value;
        if tlv.tlv_type != EXT_PREFIX_TLV {
            return Err(Error::OutOfRange("not an Extended Prefix TLV"));
        }
        let (Some(fixed), Some(sub)) =
            (v.get(..EXT_PREFIX_FIXED_LEN), v.get(EXT_PREFIX_FIXED_LEN..))
        else {
            return Err(Error::InvalidTlvLength {
                tlv_type: tlv.tlv_type,
                len: v.len(),
            });
        };
        if fixed[1] > 32 {
            return Err(Error::OutOfRange("extended prefix length"));
        }
        if fixed[2] != 0 {
            return Err(Error::OutOfRange("extended prefix address family"));
        }
        Ok(ExtPrefixTlv {
            route_type: fixed[0].into(),
            prefix_len: fixed[1],
            address_family: fixed[2],
            flags: ExtPrefixFlags::from_bits_retain(fixed[3]),
            prefix: Ipv4Addr::new(fixed[4], fixed[5], fixed[6], fixed[7]),
            sub_tlv_bytes: sub,
        })
    }

    /// Iterates the sub-TLVs.
    pub fn sub_tlvs(&self) -> TlvIter<'a> {
        TlvIter::new(self.sub_tlv_bytes)
    }

    /// The weight sub-TLV's value, if present (the first one counts; others are skipped).
    /// A weight sub-TLV whose length is not 4 is an [`Error::InvalidTlvLength`], a weight
    /// of 0 an [`Error::OutOfRange`].
    pub fn weight(&self) -> Result<Option<u8>> {
        for sub in self.sub_tlvs() {
            let sub = sub?;
            if sub.tlv_type == EXT_PREFIX_SUB_TLV_WEIGHT {
                if sub.value.len() != 4 {
                    return Err(Error::InvalidTlvLength {
                        tlv_type: sub.tlv_type,
                        len: sub.value.len(),
                    });
                }
                return match sub.value[0] {
                    0 => Err(Error::OutOfRange("extended prefix weight 0")),
                    w => Ok(Some(w)),
                };
            }
        }
        Ok(None)
    }
}

/// The Extended Prefix TLVs of an Extended Prefix Opaque LSA, in order; TLVs of other
/// types are skipped. Fails with [`Error::OutOfRange`] on another opaque type; a TLV that
/// runs past the body ends the walk with [`Error::BadTlvLength`], an Extended Prefix TLV
/// whose fixed part is bad yields its error and the walk goes on.
pub fn ext_prefix_tlvs<'a>(
    lsa: &OpaqueLsa<'a>,
) -> Result<impl Iterator<Item = Result<ExtPrefixTlv<'a>>> + 'a> {
    if lsa.opaque_type != EXT_PREFIX_OPAQUE_TYPE {
        return Err(Error::OutOfRange("not an Extended Prefix Opaque LSA"));
    }
    Ok(lsa.tlvs().filter_map(|t| match t {
        Err(e) => Some(Err(e)),
        Ok(t) if t.tlv_type == EXT_PREFIX_TLV => Some(ExtPrefixTlv::parse(&t)),
        Ok(_) => None,
    }))
}

/// An Extended Prefix TLV with the sub-TLVs this project knows (the weight), to build one
/// or to read one whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExtPrefix {
    /// Route type.
    pub route_type: ExtPrefixRouteType,
    /// Prefix length (0–32).
    pub prefix_len: u8,
    /// Flags.
    pub flags: ExtPrefixFlags,
    /// The address prefix.
    pub prefix: Ipv4Addr,
    /// Anycast weight (1–255), sent in our weight sub-TLV when present.
    pub weight: Option<u8>,
}

impl ExtPrefix {
    /// An intra-area host prefix (`addr/32`), no flags, no weight.
    pub const fn host(addr: Ipv4Addr) -> Self {
        ExtPrefix {
            route_type: ExtPrefixRouteType::IntraArea,
            prefix_len: 32,
            flags: ExtPrefixFlags::empty(),
            prefix: addr,
            weight: None,
        }
    }

    /// The same with `weight`.
    pub const fn with_weight(mut self, weight: Option<u8>) -> Self {
        self.weight = weight;
        self
    }

    /// The Link State ID of an Extended Prefix Opaque LSA with this opaque ID (the low 24
    /// bits count).
    pub fn lsid(opaque_id: u32) -> Ipv4Addr {
        Ipv4Addr::from((u32::from(EXT_PREFIX_OPAQUE_TYPE) << 24) | (opaque_id & 0x00ff_ffff))
    }

    /// True when an LSA of this LS type and Link State ID is an Extended Prefix Opaque LSA
    /// (type 10, opaque type 7).
    pub fn is_ext_prefix(ls_type: u8, lsid: Ipv4Addr) -> bool {
        ls_type == 10 && lsid.octets()[0] == EXT_PREFIX_OPAQUE_TYPE
    }

    /// Reads a whole Extended Prefix TLV: its fixed part and our weight sub-TLV (other
    /// sub-TLVs are skipped). Errors as [`ExtPrefixTlv::parse`] and
    /// [`ExtPrefixTlv::weight`].
    pub fn parse(tlv: &ExtPrefixTlv<'_>) -> Result<Self> {
        Ok(ExtPrefix {
            route_type: tlv.route_type,
            prefix_len: tlv.prefix_len,
            flags: tlv.flags,
            prefix: tlv.prefix,
            weight: tlv.weight()?,
        })
    }

    /// Bytes the TLV takes: 12, and 8 more with a weight.
    pub fn buffer_len(&self) -> usize {
        4 + EXT_PREFIX_FIXED_LEN + if self.weight.is_some() { 8 } else { 0 }
    }

    /// Writes the TLV at the start of `buf`; returns its length. A prefix length above 32
    /// or a weight of 0 is an [`Error::OutOfRange`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        if self.prefix_len > 32 {
            return Err(Error::OutOfRange("extended prefix length"));
        }
        if self.weight == Some(0) {
            return Err(Error::OutOfRange("extended prefix weight 0"));
        }
        let len = self.buffer_len();
        need(buf, len)?;
        NE::write_u16(&mut buf[0..2], EXT_PREFIX_TLV);
        NE::write_u16(&mut buf[2..4], (len - 4) as u16);
        buf[4] = self.route_type.into();
        buf[5] = self.prefix_len;
        buf[6] = 0;
        buf[7] = self.flags.bits();
        buf[8..12].copy_from_slice(&self.prefix.octets());
        if let Some(w) = self.weight {
            let sub = OpaqueTlv {
                tlv_type: EXT_PREFIX_SUB_TLV_WEIGHT,
                value: &[w, 0, 0, 0],
            };
            sub.emit(&mut buf[12..])?;
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lsa(bytes: &[u8]) -> OpaqueLsa<'_> {
        OpaqueLsa::parse(ExtPrefix::lsid(0x0a0b0c), bytes)
    }

    fn first(bytes: &[u8]) -> Result<ExtPrefix> {
        let l = lsa(bytes);
        let tlv = ext_prefix_tlvs(&l)?
            .next()
            .ok_or(Error::OutOfRange("none"))??;
        ExtPrefix::parse(&tlv)
    }

    /// RFC 7684 §2.1: the TLV layout, and our weight sub-TLV after the prefix.
    #[test]
    fn rfc7684_2_1_layout() {
        let p = ExtPrefix {
            route_type: ExtPrefixRouteType::IntraArea,
            prefix_len: 32,
            flags: ExtPrefixFlags::N,
            prefix: Ipv4Addr::new(172, 16, 0, 1),
            weight: Some(200),
        };
        let mut buf = [0xffu8; 20];
        assert_eq!(p.emit(&mut buf), Ok(20));
        assert_eq!(
            buf,
            [
                0, 1, 0, 16, // Extended Prefix TLV, 16 bytes
                1, 32, 0, 0x40, // intra-area, /32, AF 0, N
                172, 16, 0, 1, // prefix
                0x80, 0x00, 0, 4, 200, 0, 0, 0, // weight sub-TLV 32768
            ]
        );
        assert_eq!(first(&buf), Ok(p));
        assert_eq!(
            p.emit(&mut [0u8; 19]).unwrap_err(),
            Error::BufferTooSmall { need: 20, have: 19 }
        );
        let plain = p.with_weight(None);
        assert_eq!(plain.buffer_len(), 12);
        assert_eq!(plain.emit(&mut buf), Ok(12));
        assert_eq!(&buf[..4], &[0, 1, 0, 8]);
        assert_eq!(first(&buf[..12]), Ok(plain));
        assert_eq!(ExtPrefix::lsid(0x0102_0304), Ipv4Addr::new(7, 2, 3, 4));
        assert!(ExtPrefix::is_ext_prefix(10, ExtPrefix::lsid(9)));
        assert!(!ExtPrefix::is_ext_prefix(9, ExtPrefix::lsid(9)));
        assert!(!ExtPrefix::is_ext_prefix(10, Ipv4Addr::new(8, 0, 0, 0)));
    }

    /// RFC 7684 §2: unknown TLVs and sub-TLVs are skipped (a Prefix-SID sub-TLV of RFC 8665
    /// beside our weight, an unknown top-level TLV before the prefix).
    #[test]
    fn unknown_tlvs_and_sub_tlvs_are_skipped() {
        let bytes = [
            0, 9, 0, 2, 1, 2, 0, 0, // unknown TLV 9
            0, 1, 0, 28, 1, 32, 0, 0, 10, 0, 0, 1, // Extended Prefix 10.0.0.1/32
            0, 2, 0, 8, 0, 0, 0, 0, 0, 0, 0, 5, // Prefix-SID sub-TLV (skipped)
            0x80, 0, 0, 4, 3, 0, 0, 0, // weight 3
        ];
        let p = first(&bytes).unwrap();
        assert_eq!(p.prefix, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(p.weight, Some(3));
        let l = lsa(&bytes);
        assert_eq!(ext_prefix_tlvs(&l).unwrap().count(), 1);
        let grace = OpaqueLsa::parse(Ipv4Addr::new(3, 0, 0, 0), &bytes);
        assert!(matches!(ext_prefix_tlvs(&grace), Err(Error::OutOfRange(_))));
    }

    #[test]
    fn bad_input_is_an_error() {
        // Fixed part too short.
        assert_eq!(
            first(&[0, 1, 0, 4, 1, 32, 0, 0]),
            Err(Error::InvalidTlvLength {
                tlv_type: 1,
                len: 4
            })
        );
        // Prefix length 33, address family 1.
        assert!(matches!(
            first(&[0, 1, 0, 8, 1, 33, 0, 0, 1, 2, 3, 4]),
            Err(Error::OutOfRange(_))
        ));
        assert!(matches!(
            first(&[0, 1, 0, 8, 1, 32, 1, 0, 1, 2, 3, 4]),
            Err(Error::OutOfRange(_))
        ));
        // Weight of the wrong length, weight 0.
        let mut w = [
            0, 1, 0, 16, 1, 32, 0, 0, 1, 2, 3, 4, 0x80, 0, 0, 1, 9, 0, 0, 0,
        ];
        assert_eq!(
            first(&w),
            Err(Error::InvalidTlvLength {
                tlv_type: EXT_PREFIX_SUB_TLV_WEIGHT,
                len: 1
            })
        );
        w[15] = 4;
        w[16] = 0;
        assert!(matches!(first(&w), Err(Error::OutOfRange(_))));
        // A sub-TLV running past the TLV.
        w[15] = 12;
        assert_eq!(first(&w), Err(Error::BadTlvLength(12)));
        // A TLV running past the body.
        assert_eq!(first(&[0, 1, 0, 20, 1, 32]), Err(Error::BadTlvLength(20)));
        let zero = ExtPrefix::host(Ipv4Addr::LOCALHOST).with_weight(Some(0));
        assert!(matches!(zero.emit(&mut [0; 32]), Err(Error::OutOfRange(_))));
    }

    #[test]
    fn route_types_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(ExtPrefixRouteType::from(v)), v);
        }
    }
}
