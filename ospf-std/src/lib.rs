//! # ospf-std
//!
//! Binds the sans-IO [`ospf_core`] engine to Linux.
#![forbid(unsafe_op_in_unsafe_fn)]
