//! Shared code of the example programs.

pub mod spf_cmd;
