//! # ospf-std
//!
//! Binds the sans-IO [`ospf_core`] engine to Linux.
//!
//! * [`bind`]: which interfaces and addresses run OSPF under a configuration.
//! * [`conf`]: reader for the Quagga/FRR `ospfd.conf` dialect.
//! * [`control`]: the control channel (show commands, announce/withdraw, shutdown).
//! * [`core_config`]: from `ospfd.conf` to the engine's configuration.
//! * `health` (cargo feature `health`, on by default): service health checks (HTTP/HTTPS,
//!   TCP, command, DNS) with fall/rise hysteresis, on a thread of their own.
//! * [`fib`]: where routes go: the kernel (rtnetlink, nexthop objects and groups), memory,
//!   or nowhere.
//! * [`link`]: links and IPv4 addresses from rtnetlink, with change notifications.
//! * [`runtime`]: drives the engine on this host (sockets, clock, FIB, signals, control).
//! * [`socket`]: one raw OSPF socket per interface.
//! * [`logging`]: `tracing` output as the configuration's `log` lines ask.
//! * [`netns`]: named network namespaces for tests and demos.
//! * `testbed` (cargo feature `testbed`, Linux test infrastructure): namespaces, veth and
//!   bridges, FRR and BIRD peers, our runtime on a thread, LSDB and kernel-route readers.
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod bind;
pub mod conf;
pub mod control;
pub mod core_config;
pub mod fib;
#[cfg(feature = "health")]
pub mod health;
pub mod link;
pub mod logging;
mod netlink;
pub mod netns;
pub mod runtime;
pub mod socket;
#[cfg(feature = "testbed")]
pub mod testbed;
