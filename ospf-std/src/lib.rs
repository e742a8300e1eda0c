//! # ospf-std
//!
//! Binds the sans-IO [`ospf_core`] engine to Linux.
//!
//! * [`bind`]: which interfaces and addresses run OSPF under a configuration.
//! * [`conf`]: reader for the Quagga/FRR `ospfd.conf` dialect.
//! * [`control`]: the control channel (show commands, announce/withdraw, shutdown).
//! * [`core_config`]: from `ospfd.conf` to the engine's configuration.
//! * [`fib`]: where routes go: the kernel (rtnetlink, nexthop objects and groups), memory,
//!   or nowhere.
//! * [`link`]: links and IPv4 addresses from rtnetlink, with change notifications.
//! * [`runtime`]: drives the engine on this host (sockets, clock, FIB, signals, control).
//! * [`socket`]: one raw OSPF socket per interface.
//! * [`logging`]: `tracing` output as the configuration's `log` lines ask.
//!
//! The test harness (network namespaces, FRR and BIRD peers) is the separate, unpublished
//! package `ospf-testbed` (`ospf-std/testbed`), a dev-dependency only.
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod bind;
pub mod conf;
pub mod control;
pub mod core_config;
pub mod fib;
pub mod link;
pub mod logging;
mod netlink;
pub mod runtime;
pub mod socket;
