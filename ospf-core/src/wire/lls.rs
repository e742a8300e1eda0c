//! Link-Local Signaling block (RFC 5613), found after the packet (and after a crypto digest).

/// A view of an LLS data block: checksum, length (32-bit words), TLVs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lls<'a> {
    /// Checksum field.
    pub checksum: u16,
    /// The TLV bytes (after the 4-byte LLS header).
    pub tlv_bytes: &'a [u8],
}

/// One LLS TLV (type 1: Extended Options and Flags; type 2: Cryptographic Authentication).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LlsTlv<'a> {
    /// TLV type.
    pub tlv_type: u16,
    /// Value bytes.
    pub value: &'a [u8],
}

use byteorder::{ByteOrder, NetworkEndian as NE};

use super::{Error, Result, TlvIter, checksum};

/// Length of the LLS data block header (checksum and length).
pub const LLS_HEADER_LEN: usize = 4;
/// LLS TLV type 1: Extended Options and Flags (RFC 5613 §2.5).
pub const LLS_TLV_EXTENDED_OPTIONS: u16 = 1;
/// LLS TLV type 2: Cryptographic Authentication (RFC 5613 §2.6).
pub const LLS_TLV_CRYPTO_AUTH: u16 = 2;
/// Extended Options bit LR: LSDB resynchronization capable (RFC 4811).
pub const LLS_EO_LR: u32 = 0x0000_0001;
/// Extended Options bit RS: restart signal (RFC 4812).
pub const LLS_EO_RS: u32 = 0x0000_0002;

impl<'a> Lls<'a> {
    /// Parses the LLS block at the start of `bytes` (bytes after it are ignored).
    ///
    /// Fails with [`Error::Truncated`] when fewer than 4 bytes are given, and with
    /// [`Error::BadLls`] when the length (in 32-bit words, header included) is 0 or
    /// runs past `bytes`. TLVs are checked only when walked ([`tlvs`](Self::tlvs)).
    #[inline]
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let Some(hdr) = bytes.get(..LLS_HEADER_LEN) else {
            return Err(Error::Truncated {
                need: LLS_HEADER_LEN,
                have: bytes.len(),
            });
        };
        let len = usize::from(NE::read_u16(&hdr[2..4])) * 4;
        if len < LLS_HEADER_LEN || len > bytes.len() {
            return Err(Error::BadLls);
        }
        Ok(Lls {
            checksum: NE::read_u16(&hdr[0..2]),
            tlv_bytes: &bytes[LLS_HEADER_LEN..len],
        })
    }
    /// Iterates the TLVs; a TLV running past the block yields `Err(BadTlvLength)` and
    /// ends the walk.
    #[inline]
    pub fn tlvs(&self) -> impl Iterator<Item = Result<LlsTlv<'a>>> + 'a {
        TlvIter::new(self.tlv_bytes).map(|r| {
            r.map(|t| LlsTlv {
                tlv_type: t.tlv_type,
                value: t.value,
            })
        })
    }
    /// The first TLV of type `t`, if any (stops at a malformed TLV).
    pub fn find(&self, t: u16) -> Option<LlsTlv<'a>> {
        self.tlvs().map_while(Result::ok).find(|x| x.tlv_type == t)
    }
    /// The Extended Options and Flags (TLV 1), if present with its 4-byte value.
    pub fn extended_options(&self) -> Option<u32> {
        let v = self.find(LLS_TLV_EXTENDED_OPTIONS)?.value;
        (v.len() == 4).then(|| NE::read_u32(v))
    }
    /// Length of the block, header included.
    #[inline]
    pub fn wire_len(&self) -> usize {
        LLS_HEADER_LEN + self.tlv_bytes.len()
    }
    /// The RFC 1071 checksum of the block (checksum field as zero).
    pub fn compute_checksum(&self) -> u16 {
        let words = (self.wire_len() / 4) as u16;
        let hdr = [0, 0, (words >> 8) as u8, words as u8];
        let s = u32::from(!checksum::ip(&hdr)) + u32::from(!checksum::ip(self.tlv_bytes));
        let s = (s & 0xffff) + (s >> 16);
        !(s as u16)
    }
    /// True when the checksum field is 0 (not used) or verifies.
    pub fn verify_checksum(&self) -> bool {
        self.checksum == 0 || {
            let c = self.compute_checksum();
            c == self.checksum || (c == 0 && self.checksum == 0xffff)
        }
    }
    /// Bytes an LLS block with `tlvs` takes.
    #[inline]
    pub fn buffer_len(tlvs: &[LlsTlv<'_>]) -> usize {
        LLS_HEADER_LEN
            + tlvs
                .iter()
                .map(|t| 4 + t.value.len().next_multiple_of(4))
                .sum::<usize>()
    }
    /// Writes an LLS block with `tlvs` (and its checksum when `with_checksum`); returns
    /// its length.
    #[inline]
    pub fn emit(tlvs: &[LlsTlv<'_>], with_checksum: bool, buf: &mut [u8]) -> Result<usize> {
        let len = Self::buffer_len(tlvs);
        super::field::need(buf, len)?;
        let words = u16::try_from(len / 4).map_err(|_| Error::OutOfRange("LLS block"))?;
        NE::write_u16(&mut buf[0..2], 0);
        NE::write_u16(&mut buf[2..4], words);
        let mut at = LLS_HEADER_LEN;
        for t in tlvs {
            at += super::OpaqueTlv {
                tlv_type: t.tlv_type,
                value: t.value,
            }
            .emit(&mut buf[at..])?;
        }
        if with_checksum {
            let c = checksum::ip(&buf[..len]);
            NE::write_u16(&mut buf[0..2], c);
        }
        Ok(len)
    }
}
