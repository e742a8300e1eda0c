//! Bidirectional Forwarding Detection (RFC 5880), sans-IO.
//!
//! * [`wire`]: the Control packet codec (no allocation, no panics on any input).
//! * [`auth`]: simple password, keyed and meticulous keyed MD5 and SHA-1 (§6.7).
//! * [`Session`]: one session's state machine and timers (§6.2, §6.5, §6.8).
//! * [`Bfd`]: many sessions keyed by (interface, peer address), with the same polling
//!   contract as the OSPF engine.
//!
//! # Polling contract
//!
//! The caller owns the clock and the sockets (for single-hop IPv4, RFC 5881: UDP port
//! 3784, TTL 255 sent, and only packets received with TTL 255 handed in).
//!
//! ```text
//! bfd.add_session(now, SessionKey { ifindex, peer }, SessionConfig::default());
//! bfd.handle_packet(now, ifindex, src, udp_payload);   // inputs ...
//! bfd.handle_timeout(now);
//! while let Some(out) = bfd.poll_output(now, &mut buf) {  // ... then drain every output
//!     match out {
//!         Output::Transmit(t) => { /* send buf[..t.len] to t.key.peer on t.key.ifindex */ }
//!         Output::Event(e)    => { /* e.transition.is_failure(): tell the client */ }
//!         Output::Timeout(at) => break,                       // wake me at `at`
//!     }
//! }
//! ```
//!
//! Echo and demand modes are not implemented (the session always runs asynchronous
//! mode and never sets D; a Required Min Echo RX of 0 is advertised).

pub mod auth;
#[cfg(feature = "alloc")]
mod session;
pub mod wire;

#[cfg(feature = "alloc")]
pub use session::{Counters, MIN_TX, RxError, SLOW_TX, Session, SessionConfig, Transition, jitter};

#[cfg(feature = "alloc")]
mod engine;
#[cfg(feature = "alloc")]
pub use engine::{Bfd, Event, Output, SessionKey, SessionStatus, Transmit};
