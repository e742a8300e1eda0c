//! Traffic Engineering opaque LSAs (RFC 3630, opaque type 1): TLV and link sub-TLV
//! length checks (RFC 3630 §2.4, RFC 4203 §1, RFC 4124 §4.1).
//!
//! The generic TLV walk ([`OpaqueLsa::tlvs`]) only checks that each TLV fits; this
//! module also checks that each known TE (sub-)TLV has the length its type requires,
//! and reports the first that does not as [`Error::InvalidTlvLength`].

use super::{Error, OpaqueLsa, OpaqueTlv, Result};

/// Opaque type of TE LSAs.
pub const TE_OPAQUE_TYPE: u8 = 1;
/// Top-level TLV: Router Address (value: 4 bytes).
pub const TLV_ROUTER_ADDRESS: u16 = 1;
/// Top-level TLV: Link (value: sub-TLVs).
pub const TLV_LINK: u16 = 2;

/// How long the value of a TE link sub-TLV must be.
enum Len {
    Exactly(usize),
    /// At least `min`, then multiples of `step`.
    AtLeast(usize, usize),
    Any,
}

fn link_sub_tlv_len(t: u16) -> Len {
    match t {
        1 => Len::Exactly(1),                 // Link type
        2 | 5 | 6 | 7 | 9 => Len::Exactly(4), // Link ID, TE metric, bandwidths, admin group
        3 | 4 => Len::AtLeast(4, 4),          // Local / remote interface addresses
        8 => Len::Exactly(32),                // Unreserved bandwidth (8 priorities)
        11 => Len::Exactly(8),                // Link local/remote identifiers (RFC 4203)
        14 => Len::Exactly(4),                // Link protection type (RFC 4203)
        15 => Len::AtLeast(36, 1),            // Interface switching capability (RFC 4203)
        16 => Len::AtLeast(4, 4),             // Shared risk link group (RFC 4203)
        17 => Len::AtLeast(4, 4),             // Bandwidth constraints (RFC 4124)
        _ => Len::Any,
    }
}

fn check(tlv: &OpaqueTlv<'_>, want: Len) -> Result<()> {
    let len = tlv.value.len();
    let ok = match want {
        Len::Exactly(n) => len == n,
        Len::AtLeast(min, step) => len >= min && (len - min) % step == 0,
        Len::Any => true,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidTlvLength {
            tlv_type: tlv.tlv_type,
            len,
        })
    }
}

/// Iterates the sub-TLVs of a Link TLV, checking each known sub-TLV's length; stops
/// after the first error.
pub fn link_sub_tlvs<'a>(link: &OpaqueTlv<'a>) -> impl Iterator<Item = Result<OpaqueTlv<'a>>> + 'a {
    let mut failed = false;
    link.sub_tlvs().map_while(move |r| {
        if failed {
            return None;
        }
        let r = r.and_then(|t| check(&t, link_sub_tlv_len(t.tlv_type)).map(|()| t));
        failed = r.is_err();
        Some(r)
    })
}

/// Checks a TE LSA's TLVs (Router Address: 4 bytes; Link: its sub-TLVs as in
/// [`link_sub_tlvs`]). Fails with [`Error::OutOfRange`] when the LSA is not a TE LSA.
pub fn validate(lsa: &OpaqueLsa<'_>) -> Result<()> {
    if lsa.opaque_type != TE_OPAQUE_TYPE {
        return Err(Error::OutOfRange("not a TE opaque LSA"));
    }
    for tlv in lsa.tlvs() {
        let tlv = tlv?;
        match tlv.tlv_type {
            TLV_ROUTER_ADDRESS => check(&tlv, Len::Exactly(4))?,
            TLV_LINK => {
                for sub in link_sub_tlvs(&tlv) {
                    sub?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}
