//! Decoding and encoding errors.

/// Why a packet, LSA or field could not be decoded or encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The buffer is shorter than the structure needs.
    #[error("truncated: need {need} bytes, have {have}")]
    Truncated {
        /// bytes needed
        need: usize,
        /// bytes available
        have: usize,
    },
    /// The version field is not 2.
    #[error("not OSPFv2: version {0}")]
    BadVersion(u8),
    /// The packet length field is smaller than the header or larger than the buffer.
    #[error("bad packet length {len} (buffer {buf})")]
    BadPacketLength {
        /// packet length field
        len: usize,
        /// buffer length
        buf: usize,
    },
    /// Unknown OSPF packet type.
    #[error("unknown packet type {0}")]
    UnknownPacketType(u8),
    /// The RFC 1071 packet checksum does not verify.
    #[error("bad packet checksum: field {field:#06x}, computed {computed:#06x}")]
    BadChecksum {
        /// checksum in the packet
        field: u16,
        /// checksum computed
        computed: u16,
    },
    /// An LSA length field is below 20, not a multiple of 4, or runs past the packet.
    #[error("bad LSA length {0}")]
    BadLsaLength(usize),
    /// The LSA's Fletcher checksum does not verify.
    #[error("bad LSA checksum")]
    BadLsaChecksum,
    /// The body length does not fit the structure (e.g. a Hello neighbor list not a multiple of 4).
    #[error("bad body length {0}")]
    BadBodyLength(usize),
    /// A count field (links, LSAs) does not match the bytes that carry it.
    #[error("count {count} does not fit {len} bytes")]
    BadCount {
        /// count field
        count: usize,
        /// bytes available
        len: usize,
    },
    /// The authentication data length does not match the algorithm.
    #[error("bad authentication data length {0}")]
    BadAuthLength(usize),
    /// Authentication failed (wrong key, digest mismatch, wrong type).
    #[error("authentication failed: {0}")]
    AuthFailed(&'static str),
    /// A TLV (LLS, opaque) runs past its container or has a bad length.
    #[error("bad TLV length {0}")]
    BadTlvLength(usize),
    /// A TLV has a length its type does not allow (e.g. a TE sub-TLV, RFC 3630, RFC 4124).
    #[error("TLV type {tlv_type}: invalid length {len}")]
    InvalidTlvLength {
        /// TLV type
        tlv_type: u16,
        /// value length
        len: usize,
    },
    /// The LLS block is malformed.
    #[error("bad LLS block")]
    BadLls,
    /// The output buffer is too small to emit into.
    #[error("output buffer too small: need {need}, have {have}")]
    BufferTooSmall {
        /// bytes needed
        need: usize,
        /// bytes available
        have: usize,
    },
    /// A value cannot be encoded (e.g. a metric over 24 bits, too many items).
    #[error("value out of range: {0}")]
    OutOfRange(&'static str),
}

/// Result with a wire [`Error`].
pub type Result<T> = core::result::Result<T, Error>;
