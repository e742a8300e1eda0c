//! Grace-LSAs (RFC 3623 Appendix A): link-local opaque LSAs (LS type 9) of opaque type 3
//! that a restarting router sends to ask its neighbors to keep it adjacent for a while.
//!
//! The body is a list of TLVs ([`OpaqueLsa::tlvs`]); RFC 3623 defines three:
//!
//! | type | name | value |
//! |---|---|---|
//! | 1 | grace period | 4 bytes: seconds, counted from the LSA's LS age 0 |
//! | 2 | restart reason | 1 byte: 0 unknown, 1 software restart, 2 software upgrade/reload, 3 switch to redundant control processor |
//! | 3 | IP interface address | 4 bytes: the sender's address on the segment (broadcast, NBMA, P2MP) |
//!
//! [`GraceLsa::parse`] reads them from an [`OpaqueLsa`] without copying; TLVs of other
//! types are skipped, a known TLV with the wrong length is an
//! [`Error::InvalidTlvLength`], a TLV running past the body an [`Error::BadTlvLength`].
//! When a TLV repeats, the first one counts. [`GraceLsa::emit`] writes the body back.
//!
//! ```
//! use ospf_core::wire::{GraceLsa, Ipv4Addr, OpaqueLsa, RestartReason};
//!
//! let grace = GraceLsa {
//!     grace_period: Some(120),
//!     reason: Some(RestartReason::SoftwareRestart),
//!     interface_address: Some(Ipv4Addr::new(10, 0, 0, 1)),
//! };
//! let mut body = [0u8; 64];
//! let n = grace.emit(&mut body).unwrap();
//! let lsa = OpaqueLsa::parse(GraceLsa::lsid(0), &body[..n]);
//! assert_eq!(GraceLsa::parse(&lsa), Ok(grace));
//! ```

use byteorder::{ByteOrder, NetworkEndian as NE};

use super::field::need;
use super::{Error, Ipv4Addr, OpaqueLsa, OpaqueTlv, Result};

/// Opaque type of Grace-LSAs.
pub const GRACE_OPAQUE_TYPE: u8 = 3;
/// TLV: grace period (4 bytes, seconds).
pub const GRACE_TLV_PERIOD: u16 = 1;
/// TLV: restart reason (1 byte).
pub const GRACE_TLV_REASON: u16 = 2;
/// TLV: IP interface address (4 bytes).
pub const GRACE_TLV_INTERFACE_ADDRESS: u16 = 3;

/// Why the router restarts (RFC 3623 Appendix A, restart reason TLV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestartReason {
    /// 0: unknown (an unplanned restart).
    Unknown,
    /// 1: software restart.
    SoftwareRestart,
    /// 2: software reload/upgrade.
    SoftwareUpgrade,
    /// 3: switch to a redundant control processor.
    ControlProcessorSwitchover,
    /// Any other value.
    Other(u8),
}

impl From<u8> for RestartReason {
    fn from(v: u8) -> Self {
        match v {
            0 => RestartReason::Unknown,
            1 => RestartReason::SoftwareRestart,
            2 => RestartReason::SoftwareUpgrade,
            3 => RestartReason::ControlProcessorSwitchover,
            v => RestartReason::Other(v),
        }
    }
}

impl From<RestartReason> for u8 {
    fn from(r: RestartReason) -> u8 {
        match r {
            RestartReason::Unknown => 0,
            RestartReason::SoftwareRestart => 1,
            RestartReason::SoftwareUpgrade => 2,
            RestartReason::ControlProcessorSwitchover => 3,
            RestartReason::Other(v) => v,
        }
    }
}

impl RestartReason {
    /// A planned restart: anything but [`RestartReason::Unknown`] (FRR's reading of
    /// `graceful-restart helper planned-only`).
    pub fn is_planned(self) -> bool {
        self != RestartReason::Unknown
    }
}

/// The TLVs of a Grace-LSA. Each is optional on the wire; RFC 3623 requires the grace
/// period and the reason, and the interface address on broadcast networks; a helper
/// decides what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GraceLsa {
    /// Grace period in seconds (TLV 1).
    pub grace_period: Option<u32>,
    /// Restart reason (TLV 2).
    pub reason: Option<RestartReason>,
    /// The restarting router's address on the segment (TLV 3).
    pub interface_address: Option<Ipv4Addr>,
}

fn exact<'a>(t: &OpaqueTlv<'a>, len: usize) -> Result<&'a [u8]> {
    if t.value.len() == len {
        Ok(t.value)
    } else {
        Err(Error::InvalidTlvLength {
            tlv_type: t.tlv_type,
            len: t.value.len(),
        })
    }
}

impl GraceLsa {
    /// The Link State ID of a Grace-LSA with this opaque ID (FRR and BIRD use 0).
    pub fn lsid(opaque_id: u32) -> Ipv4Addr {
        Ipv4Addr::from((u32::from(GRACE_OPAQUE_TYPE) << 24) | (opaque_id & 0x00ff_ffff))
    }

    /// True when an LSA of this LS type and Link State ID is a Grace-LSA (type 9, opaque
    /// type 3).
    pub fn is_grace(ls_type: u8, lsid: Ipv4Addr) -> bool {
        ls_type == 9 && lsid.octets()[0] == GRACE_OPAQUE_TYPE
    }

    /// Reads the TLVs of an opaque LSA of opaque type 3. Fails with
    /// [`Error::OutOfRange`] on another opaque type; a known TLV of the wrong length is an
    /// [`Error::InvalidTlvLength`], a TLV running past the body an
    /// [`Error::BadTlvLength`]. Unknown TLVs are skipped; of a repeated TLV the first
    /// counts.
    pub fn parse(lsa: &OpaqueLsa<'_>) -> Result<Self> {
        if lsa.opaque_type != GRACE_OPAQUE_TYPE {
            return Err(Error::OutOfRange("not a Grace-LSA"));
        }
        let mut g = GraceLsa::default();
        for tlv in lsa.tlvs() {
            let tlv = tlv?;
            match tlv.tlv_type {
                GRACE_TLV_PERIOD => {
                    let v = NE::read_u32(exact(&tlv, 4)?);
                    g.grace_period.get_or_insert(v);
                }
                GRACE_TLV_REASON => {
                    let v = exact(&tlv, 1)?[0];
                    g.reason.get_or_insert(RestartReason::from(v));
                }
                GRACE_TLV_INTERFACE_ADDRESS => {
                    let v = exact(&tlv, 4)?;
                    g.interface_address
                        .get_or_insert(Ipv4Addr::new(v[0], v[1], v[2], v[3]));
                }
                _ => {}
            }
        }
        Ok(g)
    }

    /// Bytes of the body [`GraceLsa::emit`] writes (8 per TLV present: the reason is
    /// padded to 4 bytes).
    pub fn buffer_len(&self) -> usize {
        8 * (usize::from(self.grace_period.is_some())
            + usize::from(self.reason.is_some())
            + usize::from(self.interface_address.is_some()))
    }

    /// Writes the body (grace period, reason, interface address, each when present, in
    /// that order) at the start of `buf`; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        need(buf, self.buffer_len())?;
        let mut at = 0;
        let period = self.grace_period.map(u32::to_be_bytes);
        let reason = self.reason.map(|r| [u8::from(r)]);
        let addr = self.interface_address.map(|a| a.octets());
        let tlvs = [
            (GRACE_TLV_PERIOD, period.as_ref().map(|v| &v[..])),
            (GRACE_TLV_REASON, reason.as_ref().map(|v| &v[..])),
            (GRACE_TLV_INTERFACE_ADDRESS, addr.as_ref().map(|v| &v[..])),
        ];
        for (tlv_type, value) in tlvs {
            if let Some(value) = value {
                at += OpaqueTlv { tlv_type, value }.emit(&mut buf[at..])?;
            }
        }
        Ok(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(bytes: &[u8]) -> OpaqueLsa<'_> {
        OpaqueLsa::parse(GraceLsa::lsid(0), bytes)
    }

    /// RFC 3623 Appendix A: the three TLVs, the reason padded to 4 bytes.
    #[test]
    fn rfc3623_appendix_a_layout() {
        let g = GraceLsa {
            grace_period: Some(0x0102_0304),
            reason: Some(RestartReason::SoftwareUpgrade),
            interface_address: Some(Ipv4Addr::new(192, 0, 2, 7)),
        };
        let mut buf = [0xffu8; 24];
        assert_eq!(g.emit(&mut buf), Ok(24));
        assert_eq!(
            buf,
            [
                0, 1, 0, 4, 1, 2, 3, 4, // grace period
                0, 2, 0, 1, 2, 0, 0, 0, // reason, padded
                0, 3, 0, 4, 192, 0, 2, 7, // interface address
            ]
        );
        assert_eq!(GraceLsa::parse(&body(&buf)), Ok(g));
        assert_eq!(
            g.emit(&mut [0u8; 23]).unwrap_err(),
            Error::BufferTooSmall { need: 24, have: 23 }
        );
    }

    #[test]
    fn unknown_tlvs_are_skipped_and_the_first_of_a_repeat_counts() {
        let bytes = [
            0, 9, 0, 3, 1, 2, 3, 0, // unknown TLV 9, 3 bytes + padding
            0, 1, 0, 4, 0, 0, 0, 60, // grace period 60
            0, 1, 0, 4, 0, 0, 0, 90, // repeated: ignored
        ];
        let g = GraceLsa::parse(&body(&bytes)).unwrap();
        assert_eq!(g.grace_period, Some(60));
        assert_eq!(g.reason, None);
        assert_eq!(g.interface_address, None);
    }

    #[test]
    fn bad_lengths_are_errors() {
        let short_period = [0, 1, 0, 2, 0, 60, 0, 0];
        assert_eq!(
            GraceLsa::parse(&body(&short_period)),
            Err(Error::InvalidTlvLength {
                tlv_type: 1,
                len: 2
            })
        );
        let long_reason = [0, 2, 0, 2, 1, 0, 0, 0];
        assert!(matches!(
            GraceLsa::parse(&body(&long_reason)),
            Err(Error::InvalidTlvLength { tlv_type: 2, .. })
        ));
        let runs_past = [0, 3, 0, 8, 10, 0, 0, 1];
        assert_eq!(
            GraceLsa::parse(&body(&runs_past)),
            Err(Error::BadTlvLength(8))
        );
        let te = OpaqueLsa::parse(Ipv4Addr::new(1, 0, 0, 0), &[]);
        assert!(matches!(GraceLsa::parse(&te), Err(Error::OutOfRange(_))));
    }

    #[test]
    fn reasons_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(RestartReason::from(v)), v);
        }
        assert!(!RestartReason::Unknown.is_planned());
        assert!(RestartReason::SoftwareRestart.is_planned());
        assert!(GraceLsa::is_grace(9, GraceLsa::lsid(5)));
        assert!(!GraceLsa::is_grace(10, GraceLsa::lsid(0)));
        assert!(!GraceLsa::is_grace(9, Ipv4Addr::new(1, 0, 0, 0)));
    }
}
