//! # ospf-std
//!
//! Binds the sans-IO [`ospf_core`] engine to Linux.
//!
//! * [`conf`]: reader for the Quagga/FRR `ospfd.conf` dialect.
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod conf;
