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
