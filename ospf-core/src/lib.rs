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
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod auth;
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
#[cfg(feature = "sim")]
pub mod sim;
#[cfg(feature = "alloc")]
pub mod spf;
pub mod time;
#[cfg(feature = "alloc")]
mod timer;
pub mod wire;
