//! Zero-copy OSPFv2 wire formats (RFC 2328 Appendix A, RFC 5613 LLS, RFC 5250 opaque LSAs,
//! RFC 3623 Grace-LSAs, RFC 7684 Extended Prefix Opaque LSAs).
//!
//! Pattern (as in smoltcp): a view `Foo<T: AsRef<[u8]>>` whose `new_checked` validates every
//! length once, so that no accessor can panic afterwards, with setters on `T: AsMut<[u8]>`;
//! and a `FooRepr` with `parse`, `buffer_len` and `emit`. Variable-length parts of a `Repr`
//! are [`List`]s that either borrow the wire bytes (after `parse`) or a slice of values
//! (to `emit`), so nothing here allocates.
//!
//! CONTRACT FOR OTHER MODULES: the public names and signatures declared in this module tree
//! are what the engine, SPF and tools build on. Extend, do not rename.
//!
//! # Receiving
//!
//! ```text
//! let p = Packet::new_checked(ip_payload)?;          // lengths, version
//! let v = auth::verify(ip_payload, p.packet_len().into(), &cfg)?;  // AuType, checksum, digest
//! let repr = PacketRepr::parse(&p)?;                 // body framing (PacketRepr::decode = both + checksum)
//! let lls = p.lls(v.digest_len());                   // RFC 5613 block, if announced
//! // LS Update: for lsa in u.lsas.iter() { lsa.verify_checksum(); LsaRepr::parse(&lsa)? ... }
//! ```
//!
//! # Sending
//!
//! ```text
//! let len = repr.emit_bytes(&mut buf)?;              // header + body (+ checksum)
//! let total = auth::sign(&mut buf, len, &cfg, seq)?; // auth field, checksum, digest
//! ```
//!
//! # Exactness
//!
//! Decoding then encoding gives the same bytes: unknown option/flag bits, TOS entries and
//! the authentication field are kept. The only exceptions are reserved fields that
//! carry no information in valid LSAs and that the `Repr`s do not hold: the byte after
//! the Router-LSA flags, the TOS byte before a summary metric and the 7 TOS bits beside
//! an external LSA's E bit are emitted as 0. The checksums are always recomputed.
//!
//! Nothing here panics on any input, and nothing allocates.

mod error;
pub use error::{Error, Result};

#[cfg(feature = "proptest")]
pub mod arbitrary;
pub mod checksum;
mod dbdesc;
mod ext_prefix;
mod field;
mod grace;
mod header;
mod hello;
mod list;
mod lls;
mod lsa;
mod lsack;
mod lsreq;
mod lsupdate;
mod prefix;
pub mod te;

pub use dbdesc::{DBDESC_FIXED_LEN, DbDescRepr};
pub use ext_prefix::{
    EXT_PREFIX_FIXED_LEN, EXT_PREFIX_OPAQUE_TYPE, EXT_PREFIX_SUB_TLV_WEIGHT, EXT_PREFIX_TLV,
    ExtPrefix, ExtPrefixFlags, ExtPrefixRouteType, ExtPrefixTlv, ext_prefix_tlvs,
};
pub use grace::{
    GRACE_OPAQUE_TYPE, GRACE_TLV_INTERFACE_ADDRESS, GRACE_TLV_PERIOD, GRACE_TLV_REASON, GraceLsa,
    RestartReason,
};
pub use header::{
    AU_CRYPTO, AU_NULL, AU_SIMPLE, AuthField, BodyRepr, HEADER_LEN, OSPF_VERSION, Packet,
    PacketRepr, PacketType,
};
pub use hello::{HELLO_FIXED_LEN, HelloRepr};
pub use list::{FixedItem, List, ListIter};
pub use lls::{
    LLS_EO_LR, LLS_EO_RS, LLS_HEADER_LEN, LLS_TLV_CRYPTO_AUTH, LLS_TLV_EXTENDED_OPTIONS, Lls,
    LlsTlv,
};
pub use lsa::{
    ExternalLsa, LSA_HEADER_LEN, LinkType, Lsa, LsaBody, LsaHeader, LsaRepr, LsaType, MAX_METRIC24,
    NetworkLsa, OpaqueLsa, OpaqueTlv, ROUTER_LINK_LEN, RouterLink, RouterLinkIter, RouterLinks,
    RouterLsa, SummaryLsa, TlvIter,
};
pub use lsack::LsAckRepr;
pub use lsreq::{LsRequestEntry, LsRequestRepr};
pub use lsupdate::{LsUpdateRepr, LsaIter, LsaList, LsaSlices};
pub use prefix::{mask_len, prefix_mask};

pub use core::net::Ipv4Addr;

bitflags::bitflags! {
    /// The Options field (RFC 2328 A.2, RFC 5250, RFC 3101, RFC 5613).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Options: u8 {
        /// MT / TOS capability (RFC 4915 reuses it).
        const MT = 0x01;
        /// External routing capability: the area is not a stub.
        const E = 0x02;
        /// Multicast (MOSPF).
        const MC = 0x04;
        /// N (in Hellos) / P (in NSSA LSAs): NSSA support / propagate.
        const NP = 0x08;
        /// L: an LLS block follows (RFC 5613); EA in old drafts.
        const L = 0x10;
        /// Demand circuits (RFC 1793).
        const DC = 0x20;
        /// Opaque LSA capability (RFC 5250).
        const O = 0x40;
        /// DN bit (RFC 4576).
        const DN = 0x80;
    }
}

bitflags::bitflags! {
    /// Database Description flags (RFC 2328 A.3.3; R is RFC 4811's out-of-band resync).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct DdFlags: u8 {
        /// Master/Slave: set by the master.
        const MS = 0x01;
        /// More: more DD packets follow.
        const M = 0x02;
        /// Init: the first packet of the exchange.
        const I = 0x04;
        /// Resync (RFC 4811).
        const R = 0x08;
    }
}

bitflags::bitflags! {
    /// Router-LSA flags (RFC 2328 A.4.2, RFC 3101 Nt).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RouterFlags: u8 {
        /// Area border router.
        const B = 0x01;
        /// AS boundary router.
        const E = 0x02;
        /// Virtual link endpoint.
        const V = 0x04;
        /// Wildcard multicast receiver.
        const W = 0x08;
        /// NSSA translator (RFC 3101).
        const NT = 0x10;
    }
}
