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
//! * `health` (cargo feature `health`, on by default): service health checks (HTTP/HTTPS,
//!   TCP, command, DNS) with fall/rise hysteresis, on a thread of their own.
//! * [`fib`]: where routes go: the kernel (rtnetlink, nexthop objects and groups), memory,
//!   or nowhere.
//! * [`link`]: links and IPv4 addresses from rtnetlink, with change notifications.
//! * [`runtime`]: drives the engine on this host (sockets, clock, FIB, signals, control).
//! * [`service`]: several anycast services per speaker, each with its own checks, failure
//!   action (withdraw or degrade), last-one-standing rule and drain.
//! * [`socket`]: one raw OSPF socket per interface.
//! * `metrics` (cargo feature `metrics`, on by default): Prometheus metrics in the text
//!   exposition format, and a small HTTP endpoint serving them.
//! * `systemd` (cargo feature `systemd`, on by default): `Type=notify` readiness and the
//!   watchdog.
//! * [`emulator`]: a generated OSPF area played to a router under test over real
//!   adjacencies (benchmarks and scale tests against FRR and BIRD).
//! * [`logging`]: `tracing` output as the configuration's `log` lines ask.
//!
//! The test harness (network namespaces, FRR and BIRD peers) is the separate, unpublished
//! package `ospf-testbed` (`ospf-std/testbed`), a dev-dependency only.
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod api;
pub mod bfd;
pub mod bind;
pub mod conf;
pub mod control;
pub mod core_config;
pub mod emulator;
pub mod fib;
#[cfg(feature = "health")]
pub mod health;
pub mod link;
pub mod logging;
#[cfg(feature = "metrics")]
pub mod metrics;
mod netlink;
pub mod presets;
pub mod routes;
pub mod runtime;
pub mod service;
pub mod show;
pub mod socket;
pub mod state;
#[cfg(feature = "systemd")]
pub mod systemd;
#[cfg(test)]
mod test_util;

pub use ospf_core::Prefix;
