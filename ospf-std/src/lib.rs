//! # ospf-std
//!
//! Binds the sans-IO [`ospf_core`] engine to Linux, and offers it to other Rust programs
//! through a typed API.
//!
//! * [`api`]: the typed embedding API: a [`api::Builder`] (typed or from `ospfd.conf`
//!   text), a cloneable [`api::Handle`] with typed results, [`api::Event`]s.
//! * [`state`]: the router's state as Rust values (interfaces with their counters,
//!   neighbors, LSDB, routes).
//! * [`show`]: the one renderer: `show ip ospf ...` in FRR's layouts, text and JSON.
//! * [`presets`]: the daemons' shared defaults (fast failover timers, sub-second Hellos,
//!   the control socket's path).
//! * [`routes`]: when each route last changed.
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
//! * [`netns`]: named network namespaces for tests and demos.
//! * `testbed` (cargo feature `testbed`, Linux test infrastructure): namespaces, veth and
//!   bridges, FRR and BIRD peers, our runtime on a thread, LSDB and kernel-route readers.
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod api;
pub mod bind;
pub mod conf;
pub mod control;
pub mod core_config;
pub mod fib;
pub mod link;
pub mod logging;
mod netlink;
pub mod netns;
pub mod presets;
pub mod routes;
pub mod runtime;
pub mod show;
pub mod socket;
pub mod state;
#[cfg(feature = "testbed")]
pub mod testbed;

pub use ospf_core::Prefix;
