//! Shared code of the example programs.
pub mod testbed;
