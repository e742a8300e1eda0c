//! proptest strategies for valid OSPFv2 packets and LSAs (crate feature `proptest`).
//!
//! The generated values own their data ([`ArbPacket`], [`ArbLsa`]) so they can be kept,
//! shrunk and printed; borrow them as `Repr`s with [`ArbPacket::with_repr`] /
//! [`ArbLsa::with_repr`] (which build the `List::Slice` / `RouterLinks::Slice` forms),
//! or encode them with [`ArbPacket::to_bytes`] / [`ArbLsa::to_bytes`].
//!
//! Every generated value is *canonical*: encoding then decoding gives the same `Repr`,
//! and decoding then encoding the bytes gives the same bytes. In particular:
//! LSA headers carry their real length and Fletcher checksum; opaque LSAs' Link State
//! IDs agree with their opaque type and id; metrics fit 24 bits; reserved bytes are 0;
//! AuType 0 has an all-zero authentication field; packets with AuType 0, 1 (and
//! unknown AuTypes) carry a correct checksum, AuType 2 packets a zero checksum and no
//! digest.
//!
//! ```
//! use ospf_core::wire::arbitrary::arb_packet;
//! use ospf_core::wire::{Packet, PacketRepr};
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::TestRunner;
//!
//! let mut runner = TestRunner::deterministic();
//! let pkt = arb_packet().new_tree(&mut runner).unwrap().current();
//! let bytes = pkt.to_bytes();
//! let view = Packet::new_checked(&bytes[..]).unwrap();
//! pkt.with_repr(|r| assert_eq!(&PacketRepr::parse(&view).unwrap(), r));
//! ```

use std::vec::Vec;

use proptest::collection::vec;
use proptest::prelude::*;

use super::{
    AuthField, BodyRepr, DbDescRepr, DdFlags, ExternalLsa, FixedItem, HelloRepr, Ipv4Addr,
    LinkType, List, LsAckRepr, LsRequestEntry, LsRequestRepr, LsUpdateRepr, LsaBody, LsaHeader,
    LsaList, LsaRepr, LsaType, NetworkLsa, OpaqueLsa, Options, Packet, PacketRepr, RouterFlags,
    RouterLink, RouterLinks, RouterLsa, SummaryLsa,
};

/// An owned Router-LSA link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArbRouterLink {
    /// Link ID.
    pub id: Ipv4Addr,
    /// Link Data.
    pub data: Ipv4Addr,
    /// Link type.
    pub link_type: LinkType,
    /// TOS 0 metric.
    pub metric: u16,
    /// Raw TOS entries (a multiple of 4 bytes).
    pub tos: Vec<u8>,
}

/// An owned LSA body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArbLsaBody {
    /// Type 1.
    Router {
        /// Flags.
        flags: RouterFlags,
        /// Links.
        links: Vec<ArbRouterLink>,
    },
    /// Type 2.
    Network {
        /// Mask.
        mask: Ipv4Addr,
        /// Attached routers.
        routers: Vec<Ipv4Addr>,
    },
    /// Types 3, 4.
    Summary {
        /// Mask.
        mask: Ipv4Addr,
        /// 24-bit metric.
        metric: u32,
        /// TOS entries (multiple of 4 bytes).
        tos: Vec<u8>,
    },
    /// Types 5, 7.
    External {
        /// Mask.
        mask: Ipv4Addr,
        /// E bit.
        e2: bool,
        /// 24-bit metric.
        metric: u32,
        /// Forwarding address.
        forwarding: Ipv4Addr,
        /// Tag.
        tag: u32,
        /// TOS entries (multiple of 12 bytes).
        tos: Vec<u8>,
    },
    /// Types 9, 10, 11 (type and id are in the header's Link State ID).
    Opaque(Vec<u8>),
    /// Unknown types.
    Unknown(Vec<u8>),
}

/// An owned, canonical LSA (header length and checksum are correct).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArbLsa {
    /// Header.
    pub header: LsaHeader,
    /// Body.
    pub body: ArbLsaBody,
}

impl ArbLsa {
    /// Calls `f` with the LSA as a [`LsaRepr`] (slice forms).
    pub fn with_repr<R>(&self, f: impl FnOnce(&LsaRepr<'_>) -> R) -> R {
        let links: Vec<RouterLink<'_>>;
        let body = match &self.body {
            ArbLsaBody::Router { flags, links: l } => {
                links = l
                    .iter()
                    .map(|l| RouterLink {
                        id: l.id,
                        data: l.data,
                        link_type: l.link_type,
                        metric: l.metric,
                        tos: &l.tos,
                    })
                    .collect();
                LsaBody::Router(RouterLsa {
                    flags: *flags,
                    links: RouterLinks::Slice(&links),
                })
            }
            ArbLsaBody::Network { mask, routers } => LsaBody::Network(NetworkLsa {
                mask: *mask,
                routers: List::Slice(routers),
            }),
            ArbLsaBody::Summary { mask, metric, tos } => LsaBody::Summary(SummaryLsa {
                mask: *mask,
                metric: *metric,
                tos,
            }),
            ArbLsaBody::External {
                mask,
                e2,
                metric,
                forwarding,
                tag,
                tos,
            } => LsaBody::External(ExternalLsa {
                mask: *mask,
                e2: *e2,
                metric: *metric,
                forwarding: *forwarding,
                tag: *tag,
                tos,
            }),
            ArbLsaBody::Opaque(data) => LsaBody::Opaque(OpaqueLsa::parse(self.header.lsid, data)),
            ArbLsaBody::Unknown(data) => LsaBody::Unknown(data),
        };
        f(&LsaRepr {
            header: self.header,
            body,
        })
    }
    /// The encoded LSA.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.with_repr(|r| {
            let mut b = std::vec![0u8; r.buffer_len()];
            let n = r.emit(&mut b).expect("arbitrary LSAs are encodable");
            b.truncate(n);
            b
        })
    }
    /// Sets the header's length and checksum from the encoding.
    fn canonical(mut self) -> Self {
        let b = self.to_bytes();
        self.header.length = b.len() as u16;
        self.header.checksum = u16::from_be_bytes([b[16], b[17]]);
        self
    }
}

fn arb_ip() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn arb_tos(unit: usize, max: usize) -> impl Strategy<Value = Vec<u8>> {
    (0..=max).prop_flat_map(move |n| vec(any::<u8>(), n * unit))
}

fn arb_link_type() -> impl Strategy<Value = LinkType> {
    any::<u8>().prop_map(LinkType::from)
}

/// Any LSA header (all 20 bytes arbitrary), as found in DD and LS Ack packets.
pub fn arb_lsa_header() -> impl Strategy<Value = LsaHeader> {
    any::<[u8; 20]>().prop_map(|b| LsaHeader::read(&b))
}

/// Any LS Request entry.
pub fn arb_lsreq_entry() -> impl Strategy<Value = LsRequestEntry> {
    any::<[u8; 12]>().prop_map(|b| LsRequestEntry::read(&b))
}

fn arb_router_body() -> impl Strategy<Value = ArbLsaBody> {
    let link = (
        arb_ip(),
        arb_ip(),
        arb_link_type(),
        any::<u16>(),
        arb_tos(4, 2),
    )
        .prop_map(|(id, data, link_type, metric, tos)| ArbRouterLink {
            id,
            data,
            link_type,
            metric,
            tos,
        });
    (any::<u8>(), vec(link, 0..6)).prop_map(|(f, links)| ArbLsaBody::Router {
        flags: RouterFlags::from_bits_retain(f),
        links,
    })
}

/// Any valid LSA of any type (known types with matching bodies, opaque LSAs with TLV-like
/// or arbitrary data, unknown types with raw bodies).
pub fn arb_lsa() -> impl Strategy<Value = ArbLsa> {
    let metric = 0..=super::MAX_METRIC24;
    let body_and_type = prop_oneof![
        arb_router_body().prop_map(|b| (LsaType::Router, b)),
        (arb_ip(), vec(arb_ip(), 0..8))
            .prop_map(|(mask, routers)| (LsaType::Network, ArbLsaBody::Network { mask, routers })),
        (prop::bool::ANY, arb_ip(), metric.clone(), arb_tos(4, 2)).prop_map(
            |(asbr, mask, metric, tos)| {
                let t = if asbr {
                    LsaType::SummaryAsbr
                } else {
                    LsaType::SummaryNetwork
                };
                (t, ArbLsaBody::Summary { mask, metric, tos })
            }
        ),
        (
            prop::bool::ANY,
            arb_ip(),
            prop::bool::ANY,
            metric,
            arb_ip(),
            any::<u32>(),
            arb_tos(12, 2)
        )
            .prop_map(|(nssa, mask, e2, metric, forwarding, tag, tos)| {
                let t = if nssa {
                    LsaType::Nssa
                } else {
                    LsaType::AsExternal
                };
                (
                    t,
                    ArbLsaBody::External {
                        mask,
                        e2,
                        metric,
                        forwarding,
                        tag,
                        tos,
                    },
                )
            }),
        (prop::sample::select(&[9u8, 10, 11][..]), arb_tos(4, 12))
            .prop_map(|(t, data)| { (LsaType::from(t), ArbLsaBody::Opaque(data)) }),
        (
            any::<u8>().prop_filter("unknown LS type", |t| matches!(
                LsaType::from(*t),
                LsaType::Unknown(_)
            )),
            arb_tos(4, 6)
        )
            .prop_map(|(t, data)| (LsaType::Unknown(t), ArbLsaBody::Unknown(data))),
    ];
    (
        body_and_type,
        any::<u16>(),
        any::<u8>(),
        arb_ip(),
        arb_ip(),
        any::<u32>(),
    )
        .prop_map(|((lsa_type, body), age, options, lsid, adv_router, seq)| {
            ArbLsa {
                header: LsaHeader {
                    age,
                    options: Options::from_bits_retain(options),
                    lsa_type,
                    lsid,
                    adv_router,
                    seq,
                    checksum: 0,
                    length: 0,
                },
                body,
            }
            .canonical()
        })
}

/// An owned packet body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArbBody {
    /// Hello: the fixed fields (neighbors left empty) and the neighbors.
    Hello(HelloRepr<'static>, Vec<Ipv4Addr>),
    /// Database Description: the fixed fields (headers left empty) and the headers.
    DbDesc(DbDescRepr<'static>, Vec<LsaHeader>),
    /// Link State Request entries.
    LsRequest(Vec<LsRequestEntry>),
    /// Link State Update: the LSAs.
    LsUpdate(Vec<ArbLsa>),
    /// Link State Acknowledgment headers.
    LsAck(Vec<LsaHeader>),
}

/// An owned, canonical OSPFv2 packet (without digest or LLS trailer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArbPacket {
    /// Router ID.
    pub router_id: Ipv4Addr,
    /// Area ID.
    pub area_id: Ipv4Addr,
    /// Authentication fields.
    pub auth: AuthField,
    /// Body.
    pub body: ArbBody,
}

impl ArbPacket {
    /// Calls `f` with the packet as a [`PacketRepr`] (slice forms; LS Update LSAs as raw
    /// bytes).
    pub fn with_repr<R>(&self, f: impl FnOnce(&PacketRepr<'_>) -> R) -> R {
        let lsas: Vec<Vec<u8>>;
        let raw: Vec<&[u8]>;
        let body = match &self.body {
            ArbBody::Hello(h, n) => BodyRepr::Hello(HelloRepr {
                neighbors: List::Slice(n),
                ..*h
            }),
            ArbBody::DbDesc(d, h) => BodyRepr::DbDesc(DbDescRepr {
                lsa_headers: List::Slice(h),
                ..*d
            }),
            ArbBody::LsRequest(e) => BodyRepr::LsRequest(LsRequestRepr {
                entries: List::Slice(e),
            }),
            ArbBody::LsUpdate(l) => {
                lsas = l.iter().map(ArbLsa::to_bytes).collect();
                raw = lsas.iter().map(Vec::as_slice).collect();
                BodyRepr::LsUpdate(LsUpdateRepr {
                    lsas: LsaList::Raw(&raw),
                })
            }
            ArbBody::LsAck(h) => BodyRepr::LsAck(LsAckRepr {
                lsa_headers: List::Slice(h),
            }),
        };
        f(&PacketRepr {
            router_id: self.router_id,
            area_id: self.area_id,
            auth: self.auth,
            body,
        })
    }
    /// The encoded packet (checksum filled unless AuType 2).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.with_repr(|r| {
            let mut b = std::vec![0u8; r.buffer_len()];
            r.emit(&mut Packet::new_unchecked(&mut b[..]))
                .expect("arbitrary packets are encodable");
            b
        })
    }
}

/// Canonical authentication fields: Null, Simple, Crypto, or an unknown AuType (≥ 3).
pub fn arb_auth() -> impl Strategy<Value = AuthField> {
    prop_oneof![
        Just(AuthField::Null),
        any::<[u8; 8]>().prop_map(AuthField::Simple),
        (any::<u8>(), any::<u8>(), any::<u32>()).prop_map(|(key_id, auth_len, seq)| {
            AuthField::Crypto {
                key_id,
                auth_len,
                seq,
            }
        }),
        (3..=u16::MAX, any::<[u8; 8]>())
            .prop_map(|(au_type, data)| AuthField::Unknown { au_type, data }),
    ]
}

/// Any Hello body.
pub fn arb_hello() -> impl Strategy<Value = ArbBody> {
    (
        (
            arb_ip(),
            any::<u16>(),
            any::<u8>(),
            any::<u8>(),
            any::<u32>(),
            arb_ip(),
            arb_ip(),
        ),
        vec(arb_ip(), 0..10),
    )
        .prop_map(
            |((network_mask, hello_interval, o, priority, dead_interval, dr, bdr), n)| {
                ArbBody::Hello(
                    HelloRepr {
                        network_mask,
                        hello_interval,
                        options: Options::from_bits_retain(o),
                        priority,
                        dead_interval,
                        dr,
                        bdr,
                        neighbors: List::Slice(&[]),
                    },
                    n,
                )
            },
        )
}

/// Any Database Description body.
pub fn arb_dbdesc() -> impl Strategy<Value = ArbBody> {
    (
        any::<u16>(),
        any::<u8>(),
        any::<u8>(),
        any::<u32>(),
        vec(arb_lsa_header(), 0..8),
    )
        .prop_map(|(mtu, o, f, seq, h)| {
            ArbBody::DbDesc(
                DbDescRepr {
                    mtu,
                    options: Options::from_bits_retain(o),
                    flags: DdFlags::from_bits_retain(f),
                    seq,
                    lsa_headers: List::Slice(&[]),
                },
                h,
            )
        })
}

/// Any packet body of any of the five types.
pub fn arb_body() -> impl Strategy<Value = ArbBody> {
    prop_oneof![
        arb_hello(),
        arb_dbdesc(),
        vec(arb_lsreq_entry(), 0..8).prop_map(ArbBody::LsRequest),
        vec(arb_lsa(), 0..6).prop_map(ArbBody::LsUpdate),
        vec(arb_lsa_header(), 0..8).prop_map(ArbBody::LsAck),
    ]
}

/// Any valid, canonical OSPFv2 packet.
pub fn arb_packet() -> impl Strategy<Value = ArbPacket> {
    (arb_ip(), arb_ip(), arb_auth(), arb_body()).prop_map(|(router_id, area_id, auth, body)| {
        ArbPacket {
            router_id,
            area_id,
            auth,
            body,
        }
    })
}
