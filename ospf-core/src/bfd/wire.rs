//! The BFD Control packet (RFC 5880 §4.1, §4.2–§4.4 authentication sections).
//!
//! Same pattern as [`crate::wire`]: [`Packet::new_checked`] validates every length once
//! (mandatory section, Length field, authentication section), after which no accessor can
//! panic; [`Repr`] holds every field and re-encodes byte for byte.

use byteorder::{ByteOrder, NetworkEndian as NE};

/// BFD protocol version carried in the Vers field.
pub const BFD_VERSION: u8 = 1;
/// Length of the mandatory section.
pub const MANDATORY_LEN: usize = 24;
/// Largest possible Control packet (the Length field is one byte).
pub const MAX_PACKET_LEN: usize = 255;

/// Auth Type 1: simple password (§4.2).
pub const AUTH_SIMPLE: u8 = 1;
/// Auth Type 2: keyed MD5 (§4.3).
pub const AUTH_KEYED_MD5: u8 = 2;
/// Auth Type 3: meticulous keyed MD5 (§4.3).
pub const AUTH_METICULOUS_MD5: u8 = 3;
/// Auth Type 4: keyed SHA-1 (§4.4).
pub const AUTH_KEYED_SHA1: u8 = 4;
/// Auth Type 5: meticulous keyed SHA-1 (§4.4).
pub const AUTH_METICULOUS_SHA1: u8 = 5;

mod f {
    pub(super) const VERS_DIAG: usize = 0;
    pub(super) const STA_FLAGS: usize = 1;
    pub(super) const DETECT_MULT: usize = 2;
    pub(super) const LENGTH: usize = 3;
    pub(super) const MY_DISCR: core::ops::Range<usize> = 4..8;
    pub(super) const YOUR_DISCR: core::ops::Range<usize> = 8..12;
    pub(super) const DESIRED_MIN_TX: core::ops::Range<usize> = 12..16;
    pub(super) const REQUIRED_MIN_RX: core::ops::Range<usize> = 16..20;
    pub(super) const REQUIRED_MIN_ECHO_RX: core::ops::Range<usize> = 20..24;
    pub(super) const AUTH_LEN: usize = 25;
}

/// Why a Control packet could not be decoded or encoded.
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
    /// The Length field is below the minimum (24, or 26 with the A bit) or beyond the buffer.
    #[error("bad length field {len} (buffer {buf})")]
    BadLength {
        /// Length field
        len: usize,
        /// buffer length
        buf: usize,
    },
    /// The Auth Len field does not fit the packet or its Auth Type.
    #[error("bad authentication section length {0}")]
    BadAuthLength(usize),
    /// Bytes follow the authentication section (or the mandatory section) within Length.
    #[error("{0} bytes inside Length follow the last section")]
    TrailingBytes(usize),
    /// The output buffer is too small.
    #[error("output buffer too small: need {need}, have {have}")]
    BufferTooSmall {
        /// bytes needed
        need: usize,
        /// bytes available
        have: usize,
    },
    /// A value cannot be encoded (a password longer than 16 bytes, a 5-bit field overflow...).
    #[error("value out of range: {0}")]
    OutOfRange(&'static str),
}

/// Result with a BFD wire [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

/// Session state as carried in the Sta field (§4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// 0
    AdminDown,
    /// 1
    Down,
    /// 2
    Init,
    /// 3
    Up,
}

impl State {
    /// From the 2-bit field (higher bits ignored).
    #[inline]
    pub fn from_bits(v: u8) -> Self {
        match v & 3 {
            0 => State::AdminDown,
            1 => State::Down,
            2 => State::Init,
            _ => State::Up,
        }
    }
    /// The 2-bit field value.
    #[inline]
    pub fn bits(self) -> u8 {
        match self {
            State::AdminDown => 0,
            State::Down => 1,
            State::Init => 2,
            State::Up => 3,
        }
    }
    /// The name FRR's `show bfd peers` prints ("down", "init", "up", "shutdown").
    pub fn name(self) -> &'static str {
        match self {
            State::AdminDown => "shutdown",
            State::Down => "down",
            State::Init => "init",
            State::Up => "up",
        }
    }
}

/// Diagnostic code (§4.1 Diag, 5 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Diag {
    /// 0 No Diagnostic
    None,
    /// 1 Control Detection Time Expired
    ControlDetectionExpired,
    /// 2 Echo Function Failed
    EchoFailed,
    /// 3 Neighbor Signaled Session Down
    NeighborDown,
    /// 4 Forwarding Plane Reset
    ForwardingReset,
    /// 5 Path Down
    PathDown,
    /// 6 Concatenated Path Down
    ConcatenatedPathDown,
    /// 7 Administratively Down
    AdminDown,
    /// 8 Reverse Concatenated Path Down
    ReverseConcatenatedPathDown,
    /// 9..=31
    Unknown(u8),
}

impl Diag {
    /// From the 5-bit field (higher bits ignored).
    pub fn from_bits(v: u8) -> Self {
        match v & 0x1f {
            0 => Diag::None,
            1 => Diag::ControlDetectionExpired,
            2 => Diag::EchoFailed,
            3 => Diag::NeighborDown,
            4 => Diag::ForwardingReset,
            5 => Diag::PathDown,
            6 => Diag::ConcatenatedPathDown,
            7 => Diag::AdminDown,
            8 => Diag::ReverseConcatenatedPathDown,
            v => Diag::Unknown(v),
        }
    }
    /// The 5-bit field value (an `Unknown` value is masked to 5 bits).
    pub fn bits(self) -> u8 {
        match self {
            Diag::None => 0,
            Diag::ControlDetectionExpired => 1,
            Diag::EchoFailed => 2,
            Diag::NeighborDown => 3,
            Diag::ForwardingReset => 4,
            Diag::PathDown => 5,
            Diag::ConcatenatedPathDown => 6,
            Diag::AdminDown => 7,
            Diag::ReverseConcatenatedPathDown => 8,
            Diag::Unknown(v) => v & 0x1f,
        }
    }
    /// The name FRR prints for the diagnostic.
    pub fn name(self) -> &'static str {
        match self {
            Diag::None => "ok",
            Diag::ControlDetectionExpired => "control detection time expired",
            Diag::EchoFailed => "echo function failed",
            Diag::NeighborDown => "neighbor signaled session down",
            Diag::ForwardingReset => "forwarding plane reset",
            Diag::PathDown => "path down",
            Diag::ConcatenatedPathDown => "concatenated path down",
            Diag::AdminDown => "administratively down",
            Diag::ReverseConcatenatedPathDown => "reverse concatenated path down",
            Diag::Unknown(_) => "unknown",
        }
    }
}

bitflags::bitflags! {
    /// The six flag bits after Sta (§4.1).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Flags: u8 {
        /// Poll.
        const P = 0x20;
        /// Final.
        const F = 0x10;
        /// Control Plane Independent.
        const C = 0x08;
        /// Authentication Present.
        const A = 0x04;
        /// Demand.
        const D = 0x02;
        /// Multipoint (must be zero).
        const M = 0x01;
    }
}

/// A read/write view of a Control packet.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it; use [`Packet::check_len`] before any accessor.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer and validates every length: the mandatory section, the Length field
    /// (24 or more, 26 or more with the A bit, not beyond the buffer), the authentication
    /// section (Auth Len 2 or more, within Length). Accessors cannot panic afterwards.
    pub fn new_checked(buffer: T) -> Result<Self> {
        let p = Packet { buffer };
        p.check_len()?;
        Ok(p)
    }

    /// The checks of [`Packet::new_checked`].
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        if b.len() < MANDATORY_LEN {
            return Err(Error::Truncated {
                need: MANDATORY_LEN,
                have: b.len(),
            });
        }
        let len = usize::from(b[f::LENGTH]);
        let auth = b[f::STA_FLAGS] & Flags::A.bits() != 0;
        let min = if auth {
            MANDATORY_LEN + 2
        } else {
            MANDATORY_LEN
        };
        if len < min || len > b.len() {
            return Err(Error::BadLength { len, buf: b.len() });
        }
        if auth {
            let alen = usize::from(b[f::AUTH_LEN]);
            if alen < 2 || MANDATORY_LEN + alen > len {
                return Err(Error::BadAuthLength(alen));
            }
        }
        Ok(())
    }

    /// The buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }
    /// Vers (3 bits).
    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[f::VERS_DIAG] >> 5
    }
    /// Diag.
    #[inline]
    pub fn diag(&self) -> Diag {
        Diag::from_bits(self.buffer.as_ref()[f::VERS_DIAG])
    }
    /// Sta.
    #[inline]
    pub fn state(&self) -> State {
        State::from_bits(self.buffer.as_ref()[f::STA_FLAGS] >> 6)
    }
    /// P, F, C, A, D, M.
    #[inline]
    pub fn flags(&self) -> Flags {
        Flags::from_bits_retain(self.buffer.as_ref()[f::STA_FLAGS] & 0x3f)
    }
    /// Detect Mult.
    #[inline]
    pub fn detect_mult(&self) -> u8 {
        self.buffer.as_ref()[f::DETECT_MULT]
    }
    /// Length field.
    #[inline]
    pub fn length(&self) -> u8 {
        self.buffer.as_ref()[f::LENGTH]
    }
    /// My Discriminator.
    #[inline]
    pub fn my_discr(&self) -> u32 {
        NE::read_u32(&self.buffer.as_ref()[f::MY_DISCR])
    }
    /// Your Discriminator.
    #[inline]
    pub fn your_discr(&self) -> u32 {
        NE::read_u32(&self.buffer.as_ref()[f::YOUR_DISCR])
    }
    /// Desired Min TX Interval, microseconds.
    #[inline]
    pub fn desired_min_tx(&self) -> u32 {
        NE::read_u32(&self.buffer.as_ref()[f::DESIRED_MIN_TX])
    }
    /// Required Min RX Interval, microseconds.
    #[inline]
    pub fn required_min_rx(&self) -> u32 {
        NE::read_u32(&self.buffer.as_ref()[f::REQUIRED_MIN_RX])
    }
    /// Required Min Echo RX Interval, microseconds.
    #[inline]
    pub fn required_min_echo_rx(&self) -> u32 {
        NE::read_u32(&self.buffer.as_ref()[f::REQUIRED_MIN_ECHO_RX])
    }
    /// The authentication section (Auth Type, Auth Len and the rest), if the A bit is set.
    pub fn auth_section(&self) -> Option<&[u8]> {
        if self.flags().contains(Flags::A) {
            let b = self.buffer.as_ref();
            let alen = usize::from(b[f::AUTH_LEN]);
            b.get(MANDATORY_LEN..MANDATORY_LEN + alen)
        } else {
            None
        }
    }
    /// The packet bytes (the first Length bytes of the buffer).
    pub fn packet_bytes(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        &b[..usize::from(b[f::LENGTH]).min(b.len())]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the P and F bits as given, leaving the others.
    pub fn set_poll_final(&mut self, poll: bool, fin: bool) {
        let b = &mut self.buffer.as_mut()[f::STA_FLAGS];
        *b &= !(Flags::P.bits() | Flags::F.bits());
        if poll {
            *b |= Flags::P.bits();
        }
        if fin {
            *b |= Flags::F.bits();
        }
    }
    /// The authentication section, mutable (for signing), if the A bit is set.
    pub fn auth_section_mut(&mut self) -> Option<&mut [u8]> {
        if self.flags().contains(Flags::A) {
            let b = self.buffer.as_mut();
            let alen = usize::from(b[f::AUTH_LEN]);
            b.get_mut(MANDATORY_LEN..MANDATORY_LEN + alen)
        } else {
            None
        }
    }
}

/// The authentication section (§4.2–§4.4).
// The raw variant holds up to 229 bytes in place: no allocator in the codec, and a
// Control packet is at most 255 bytes anyway.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthSection {
    /// Simple password (type 1): key id and a 1–16 byte password.
    Simple {
        /// Auth Key ID.
        key_id: u8,
        /// Password (1 to 16 bytes on the wire; decoding accepts 0).
        password: heapless::Vec<u8, 16>,
    },
    /// Keyed or meticulous keyed MD5 (types 2 and 3).
    Md5 {
        /// Type 3 (meticulous) rather than 2.
        meticulous: bool,
        /// Auth Key ID.
        key_id: u8,
        /// The reserved byte (kept for exact re-encoding).
        reserved: u8,
        /// Sequence Number.
        seq: u32,
        /// Auth Key/Digest.
        digest: [u8; 16],
    },
    /// Keyed or meticulous keyed SHA-1 (types 4 and 5).
    Sha1 {
        /// Type 5 (meticulous) rather than 4.
        meticulous: bool,
        /// Auth Key ID.
        key_id: u8,
        /// The reserved byte.
        reserved: u8,
        /// Sequence Number.
        seq: u32,
        /// Auth Key/Hash.
        hash: [u8; 20],
    },
    /// Any other type, or a known type with a length it does not allow: raw bytes after
    /// Auth Type and Auth Len.
    Unknown {
        /// Auth Type.
        auth_type: u8,
        /// The bytes after Auth Len.
        data: heapless::Vec<u8, 229>,
    },
}

impl AuthSection {
    /// Auth Type.
    pub fn auth_type(&self) -> u8 {
        match self {
            AuthSection::Simple { .. } => AUTH_SIMPLE,
            AuthSection::Md5 { meticulous, .. } => {
                if *meticulous {
                    AUTH_METICULOUS_MD5
                } else {
                    AUTH_KEYED_MD5
                }
            }
            AuthSection::Sha1 { meticulous, .. } => {
                if *meticulous {
                    AUTH_METICULOUS_SHA1
                } else {
                    AUTH_KEYED_SHA1
                }
            }
            AuthSection::Unknown { auth_type, .. } => *auth_type,
        }
    }
    /// Auth Len: the whole section, type and length bytes included.
    pub fn len(&self) -> usize {
        2 + match self {
            AuthSection::Simple { password, .. } => 1 + password.len(),
            AuthSection::Md5 { .. } => 22,
            AuthSection::Sha1 { .. } => 26,
            AuthSection::Unknown { data, .. } => data.len(),
        }
    }
    /// Never empty (Auth Type and Auth Len are always there); for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        false
    }
    /// The sequence number of the keyed types.
    pub fn seq(&self) -> Option<u32> {
        match self {
            AuthSection::Md5 { seq, .. } | AuthSection::Sha1 { seq, .. } => Some(*seq),
            _ => None,
        }
    }
    /// The key id, for the known types.
    pub fn key_id(&self) -> Option<u8> {
        match self {
            AuthSection::Simple { key_id, .. }
            | AuthSection::Md5 { key_id, .. }
            | AuthSection::Sha1 { key_id, .. } => Some(*key_id),
            AuthSection::Unknown { .. } => None,
        }
    }

    /// Parses a section (`s` starts at Auth Type and is exactly Auth Len long).
    fn parse(s: &[u8]) -> Result<Self> {
        let (t, rest) = match s {
            [t, _len, rest @ ..] => (*t, rest),
            _ => return Err(Error::BadAuthLength(s.len())),
        };
        Ok(match (t, rest) {
            (AUTH_SIMPLE, [key_id, pw @ ..]) if pw.len() <= 16 => AuthSection::Simple {
                key_id: *key_id,
                password: heapless::Vec::from_slice(pw)
                    .map_err(|_| Error::BadAuthLength(s.len()))?,
            },
            (AUTH_KEYED_MD5 | AUTH_METICULOUS_MD5, [key_id, reserved, seq @ ..])
                if seq.len() == 20 =>
            {
                let mut digest = [0; 16];
                digest.copy_from_slice(&seq[4..20]);
                AuthSection::Md5 {
                    meticulous: t == AUTH_METICULOUS_MD5,
                    key_id: *key_id,
                    reserved: *reserved,
                    seq: NE::read_u32(&seq[..4]),
                    digest,
                }
            }
            (AUTH_KEYED_SHA1 | AUTH_METICULOUS_SHA1, [key_id, reserved, seq @ ..])
                if seq.len() == 24 =>
            {
                let mut hash = [0; 20];
                hash.copy_from_slice(&seq[4..24]);
                AuthSection::Sha1 {
                    meticulous: t == AUTH_METICULOUS_SHA1,
                    key_id: *key_id,
                    reserved: *reserved,
                    seq: NE::read_u32(&seq[..4]),
                    hash,
                }
            }
            _ => AuthSection::Unknown {
                auth_type: t,
                data: heapless::Vec::from_slice(rest).map_err(|_| Error::BadAuthLength(s.len()))?,
            },
        })
    }

    /// Emits the section into `b` (exactly [`AuthSection::len`] bytes).
    fn emit(&self, b: &mut [u8]) -> Result<()> {
        let len = self.len();
        if len > 255 - MANDATORY_LEN {
            return Err(Error::OutOfRange("authentication section too long"));
        }
        let have = b.len();
        let b = b
            .get_mut(..len)
            .ok_or(Error::BufferTooSmall { need: len, have })?;
        b[0] = self.auth_type();
        b[1] = len as u8;
        match self {
            AuthSection::Simple { key_id, password } => {
                b[2] = *key_id;
                b[3..].copy_from_slice(password);
            }
            AuthSection::Md5 {
                key_id,
                reserved,
                seq,
                digest,
                ..
            } => {
                b[2] = *key_id;
                b[3] = *reserved;
                NE::write_u32(&mut b[4..8], *seq);
                b[8..24].copy_from_slice(digest);
            }
            AuthSection::Sha1 {
                key_id,
                reserved,
                seq,
                hash,
                ..
            } => {
                b[2] = *key_id;
                b[3] = *reserved;
                NE::write_u32(&mut b[4..8], *seq);
                b[8..28].copy_from_slice(hash);
            }
            AuthSection::Unknown { data, .. } => b[2..].copy_from_slice(data),
        }
        Ok(())
    }
}

/// Every field of a Control packet.
///
/// `parse` keeps every bit (version, unknown diagnostics, the M bit, reserved bytes), so
/// `emit` after `parse` gives the same bytes. Semantic checks (version 1, Detect Mult
/// not zero, M clear, My Discriminator not zero; RFC 5880 §6.8.6) are the session's, see
/// [`Repr::check_reception`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repr {
    /// Vers (3 bits; 1 today).
    pub version: u8,
    /// Diag.
    pub diag: Diag,
    /// Sta.
    pub state: State,
    /// P, F, C, D, M (the A bit follows from `auth`; it is ignored here).
    pub flags: Flags,
    /// Detect Mult.
    pub detect_mult: u8,
    /// My Discriminator.
    pub my_discr: u32,
    /// Your Discriminator.
    pub your_discr: u32,
    /// Desired Min TX Interval, microseconds.
    pub desired_min_tx: u32,
    /// Required Min RX Interval, microseconds.
    pub required_min_rx: u32,
    /// Required Min Echo RX Interval, microseconds.
    pub required_min_echo_rx: u32,
    /// The authentication section (A bit set).
    pub auth: Option<AuthSection>,
}

impl Repr {
    /// Parses a checked packet. Fails when bytes inside Length follow the last section.
    pub fn parse<T: AsRef<[u8]>>(p: &Packet<T>) -> Result<Self> {
        let auth = match p.auth_section() {
            Some(s) => Some(AuthSection::parse(s)?),
            None => None,
        };
        let used = MANDATORY_LEN + auth.as_ref().map_or(0, AuthSection::len);
        let len = usize::from(p.length());
        if len != used {
            return Err(Error::TrailingBytes(len.saturating_sub(used)));
        }
        Ok(Repr {
            version: p.version(),
            diag: p.diag(),
            state: p.state(),
            flags: p.flags() - Flags::A,
            detect_mult: p.detect_mult(),
            my_discr: p.my_discr(),
            your_discr: p.your_discr(),
            desired_min_tx: p.desired_min_tx(),
            required_min_rx: p.required_min_rx(),
            required_min_echo_rx: p.required_min_echo_rx(),
            auth,
        })
    }

    /// `Packet::new_checked` then `parse`.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        Repr::parse(&Packet::new_checked(bytes)?)
    }

    /// Bytes `emit` writes.
    pub fn buffer_len(&self) -> usize {
        MANDATORY_LEN + self.auth.as_ref().map_or(0, AuthSection::len)
    }

    /// Writes the packet into the start of `buf`; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let len = self.buffer_len();
        if len > MAX_PACKET_LEN {
            return Err(Error::OutOfRange("packet longer than 255 bytes"));
        }
        if self.version > 7 {
            return Err(Error::OutOfRange("version over 3 bits"));
        }
        if buf.len() < len {
            return Err(Error::BufferTooSmall {
                need: len,
                have: buf.len(),
            });
        }
        let mut flags = self.flags - Flags::A;
        if self.auth.is_some() {
            flags |= Flags::A;
        }
        buf[f::VERS_DIAG] = (self.version << 5) | self.diag.bits();
        buf[f::STA_FLAGS] = (self.state.bits() << 6) | flags.bits();
        buf[f::DETECT_MULT] = self.detect_mult;
        buf[f::LENGTH] = len as u8;
        NE::write_u32(&mut buf[f::MY_DISCR], self.my_discr);
        NE::write_u32(&mut buf[f::YOUR_DISCR], self.your_discr);
        NE::write_u32(&mut buf[f::DESIRED_MIN_TX], self.desired_min_tx);
        NE::write_u32(&mut buf[f::REQUIRED_MIN_RX], self.required_min_rx);
        NE::write_u32(&mut buf[f::REQUIRED_MIN_ECHO_RX], self.required_min_echo_rx);
        if let Some(a) = &self.auth {
            a.emit(&mut buf[MANDATORY_LEN..len])?;
        }
        Ok(len)
    }

    /// The reception checks of RFC 5880 §6.8.6 that need no session: version 1, Detect
    /// Mult not zero, the M bit clear, My Discriminator not zero, and a zero Your
    /// Discriminator only in the Down and AdminDown states.
    pub fn check_reception(&self) -> core::result::Result<(), &'static str> {
        if self.version != BFD_VERSION {
            return Err("version is not 1");
        }
        if self.detect_mult == 0 {
            return Err("detect multiplier is zero");
        }
        if self.flags.contains(Flags::M) {
            return Err("multipoint bit set");
        }
        if self.my_discr == 0 {
            return Err("my discriminator is zero");
        }
        if self.your_discr == 0 && !matches!(self.state, State::Down | State::AdminDown) {
            return Err("your discriminator is zero outside Down/AdminDown");
        }
        if self.flags.contains(Flags::P | Flags::F) {
            return Err("poll and final both set");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A packet as FRR 8.4 bfdd sends it when Down (Diag 0, 300 ms timers, mult 3).
    const FRR_DOWN: [u8; 24] = [
        0x20, 0x40, 0x03, 0x18, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x93,
        0xe0, 0x00, 0x04, 0x93, 0xe0, 0x00, 0x00, 0xc3, 0x50,
    ];

    #[test]
    fn rfc5880_4_1_mandatory_section_fields() {
        let p = Packet::new_checked(&FRR_DOWN[..]).unwrap();
        assert_eq!(p.version(), 1);
        assert_eq!(p.diag(), Diag::None);
        assert_eq!(p.state(), State::Down);
        assert_eq!(p.flags(), Flags::empty());
        assert_eq!(p.detect_mult(), 3);
        assert_eq!(p.length(), 24);
        assert_eq!(p.my_discr(), 7);
        assert_eq!(p.your_discr(), 0);
        assert_eq!(p.desired_min_tx(), 300_000);
        assert_eq!(p.required_min_rx(), 300_000);
        assert_eq!(p.required_min_echo_rx(), 50_000);
        let r = Repr::parse(&p).unwrap();
        assert_eq!(r.check_reception(), Ok(()));
        let mut out = [0u8; 64];
        let n = r.emit(&mut out).unwrap();
        assert_eq!(&out[..n], &FRR_DOWN[..]);
    }

    #[test]
    fn rfc5880_6_8_6_length_checks() {
        assert!(matches!(
            Packet::new_checked(&FRR_DOWN[..23]),
            Err(Error::Truncated { .. })
        ));
        let mut b = FRR_DOWN;
        b[3] = 23;
        assert!(matches!(
            Packet::new_checked(&b[..]),
            Err(Error::BadLength { .. })
        ));
        b[3] = 25;
        assert!(matches!(
            Packet::new_checked(&b[..]),
            Err(Error::BadLength { .. })
        ));
        // A bit but no room for the auth section.
        let mut b = FRR_DOWN;
        b[1] |= Flags::A.bits();
        assert!(matches!(
            Packet::new_checked(&b[..]),
            Err(Error::BadLength { .. })
        ));
        // Trailing bytes in the UDP payload beyond Length are not part of the packet.
        let mut long = [0u8; 30];
        long[..24].copy_from_slice(&FRR_DOWN);
        assert_eq!(Repr::decode(&long).unwrap().my_discr, 7);
        // Bytes inside Length with nothing to hold them are refused.
        long[3] = 30;
        assert_eq!(Repr::decode(&long), Err(Error::TrailingBytes(6)));
    }

    #[test]
    fn rfc5880_6_8_6_semantic_checks() {
        let good = Repr::decode(&FRR_DOWN).unwrap();
        let mut r = good.clone();
        r.version = 0;
        assert!(r.check_reception().is_err());
        let mut r = good.clone();
        r.detect_mult = 0;
        assert!(r.check_reception().is_err());
        let mut r = good.clone();
        r.flags = Flags::M;
        assert!(r.check_reception().is_err());
        let mut r = good.clone();
        r.my_discr = 0;
        assert!(r.check_reception().is_err());
        let mut r = good.clone();
        r.state = State::Up;
        assert!(r.check_reception().is_err());
        r.your_discr = 9;
        assert!(r.check_reception().is_ok());
    }

    #[test]
    fn rfc5880_4_2_simple_password_section() {
        let r = Repr {
            auth: Some(AuthSection::Simple {
                key_id: 5,
                password: heapless::Vec::from_slice(b"secret").unwrap(),
            }),
            ..Repr::decode(&FRR_DOWN).unwrap()
        };
        let mut b = [0u8; 64];
        let n = r.emit(&mut b).unwrap();
        assert_eq!(n, 24 + 3 + 6);
        assert_eq!(b[3], 33);
        assert_eq!(&b[24..27], &[1, 9, 5]);
        assert_eq!(&b[27..33], b"secret");
        assert_ne!(b[1] & Flags::A.bits(), 0);
        assert_eq!(Repr::decode(&b[..n]).unwrap(), r);
    }

    #[test]
    fn rfc5880_4_3_4_4_keyed_sections() {
        for (sec, len, t) in [
            (
                AuthSection::Md5 {
                    meticulous: true,
                    key_id: 1,
                    reserved: 0,
                    seq: 0x0102_0304,
                    digest: [7; 16],
                },
                24,
                3,
            ),
            (
                AuthSection::Sha1 {
                    meticulous: false,
                    key_id: 2,
                    reserved: 0,
                    seq: 9,
                    hash: [8; 20],
                },
                28,
                4,
            ),
        ] {
            let r = Repr {
                auth: Some(sec),
                ..Repr::decode(&FRR_DOWN).unwrap()
            };
            let mut b = [0u8; 64];
            let n = r.emit(&mut b).unwrap();
            assert_eq!(n, 24 + len);
            assert_eq!(b[24], t);
            assert_eq!(usize::from(b[25]), len);
            assert_eq!(Repr::decode(&b[..n]).unwrap(), r);
        }
    }

    #[test]
    fn odd_auth_lengths_decode_as_unknown_and_reencode() {
        // MD5 type with a 10-byte section: kept raw.
        let mut b = [0u8; 34];
        b[..24].copy_from_slice(&FRR_DOWN);
        b[1] |= Flags::A.bits();
        b[3] = 34;
        b[24] = AUTH_KEYED_MD5;
        b[25] = 10;
        b[26..].copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let r = Repr::decode(&b).unwrap();
        assert!(matches!(
            r.auth,
            Some(AuthSection::Unknown { auth_type: 2, .. })
        ));
        let mut out = [0u8; 64];
        let n = r.emit(&mut out).unwrap();
        assert_eq!(&out[..n], &b[..]);
    }
}
