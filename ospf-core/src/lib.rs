//! # ospf-core
//!
//! A sans-IO, `#![no_std]` implementation of OSPFv2 (RFC 2328 and successors).
//!
//! * [`wire`]: zero-copy packet and LSA views, `Repr`s, checksums, LLS. No allocator needed.
//! * [`auth`]: null, simple password, keyed MD5 and HMAC-SHA authentication.
//!
//! The crate never performs I/O, never reads a clock and never draws randomness it was
//! not handed: the caller passes packets and time in and takes packets, timers, events and
//! route changes out.
//!
//! # Where each part of the specifications lives
//!
//! | Specification | File(s) |
//! |---|---|
//! | RFC 2328 §4.4, Appendix C (timers) | `timer.rs` (one table per instance, interface and neighbor), `time.rs` |
//! | RFC 2328 §8.1, §8.2 (sending, the receive path) | `instance/packet.rs` |
//! | RFC 2328 §9 (interfaces): data, states, events | `interface/mod.rs` |
//! | RFC 2328 §9.3 interface state machine, §9.4 applying the DR election | `interface/fsm.rs` |
//! | RFC 2328 §9.4 DR/BDR election proper | `interface/election.rs` |
//! | RFC 2328 §9.5, §10.5 Hello protocol (sending, receiving); §9.5.1 NBMA Hellos and PollInterval | `interface/hello.rs` |
//! | RFC 2328 §C.3 point-to-multipoint (interface), §12.4.1.4 (its Router-LSA links), §12.4.1.1 unnumbered link data | `config.rs`, `interface/fsm.rs`, `instance/origin.rs` |
//! | RFC 2328 §10 (neighbors): data, states, events | `neighbor/mod.rs` |
//! | RFC 2328 §10.3, §10.4 neighbor state machine, adjacency decision | `neighbor/fsm.rs` |
//! | RFC 2328 §10.6, §10.8 database exchange (DD packets) | `neighbor/dd.rs` |
//! | RFC 2328 §10.7, §10.9 Link State Requests | `neighbor/lsreq.rs` |
//! | RFC 2328 §12 LSA formats, §12.1.7 Fletcher checksum | `wire/lsa.rs`, `wire/checksum.rs` |
//! | RFC 2328 §12, §13.1, §13.2 LSDB, instance comparison, installation | `lsdb.rs`, `flood.rs` |
//! | RFC 2328 §12.4 origination, §12.1.6 sequence wrap, §13.4, §14.1, Appendix E | `instance/origin.rs` |
//! | RFC 2328 §13 flooding, §13.5–§13.7 acknowledgments and retransmission | `flood.rs` |
//! | RFC 2328 §14 aging: the LSDB walk / MaxAge removal | `instance/mod.rs` (`walk_lsdb`) / `flood.rs` |
//! | RFC 2328 §11, §16 routing table, route calculation | `spf/` (`mod.rs`, `topo.rs`, `table.rs`), `instance/routing.rs` |
//! | RFC 2328 §12.4.3 Summary-LSAs of an ABR | `spf/abr.rs` |
//! | RFC 2328 Appendix A packet formats | `wire/` (`header.rs`, `hello.rs`, `dbdesc.rs`, `lsreq.rs`, `lsupdate.rs`, `lsack.rs`) |
//! | RFC 2328 Appendix D, RFC 5709, RFC 7474 authentication | `auth.rs` |
//! | RFC 3101 NSSA: configuration, type-7 origination, translation, routes | `config.rs`, `instance/origin.rs`, `spf/abr.rs`, `spf/mod.rs` |
//! | RFC 5250 opaque LSAs | `wire/lsa.rs`, `lsdb.rs`, `neighbor/dd.rs` (O bit) |
//! | RFC 3630 TE opaque LSAs (checks only) | `wire/te.rs` |
//! | RFC 3623 Grace-LSA (opaque type 3) codec | `wire/grace.rs` |
//! | RFC 7684 Extended Prefix Opaque LSA (opaque type 7) codec, our anycast weight sub-TLV | `wire/ext_prefix.rs` |
//! | RFC 3623 §2 graceful restart, restarting side: Grace-LSAs, restarting mode, its exit | `instance/gr_restart.rs` |
//! | RFC 3623 §3 graceful restart helper mode | `instance/gr_helper.rs` (hooks: `neighbor/fsm.rs`, `interface/hello.rs`, `flood.rs`) |
//! | RFC 5613 Link-Local Signaling | `wire/lls.rs` |
//! | RFC 6987 stub router (MaxLinkMetric) | `instance/origin.rs`, [`Instance::set_stub_router`](instance::Instance::set_stub_router) |
//! | RFC 8405 SPF back-off | `spf/sched.rs`, `instance/routing.rs` |
//! | RFC 5880 BFD: packet, authentication, session state machine, engine | `bfd/` (`wire.rs`, `auth.rs`, `session.rs`, `engine.rs`) |
//!
//! The engine ([`instance`]) ties these together and is the public sans-IO API.
//! Virtual links (§15) are not implemented.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod auth;
pub mod bfd;
#[cfg(feature = "alloc")]
pub mod config;
#[cfg(feature = "alloc")]
mod flood;
#[cfg(feature = "alloc")]
pub mod instance;
#[cfg(feature = "alloc")]
pub mod interface;
#[cfg(feature = "alloc")]
pub mod lsdb;
#[cfg(feature = "alloc")]
pub mod neighbor;
pub mod prefix;
pub use prefix::Prefix;
#[cfg(feature = "sim")]
pub mod sim;
#[cfg(feature = "alloc")]
pub mod spf;
pub mod time;
#[cfg(feature = "alloc")]
mod timer;
pub mod wire;
