//! Shared code of the example programs.
pub mod health;
pub mod testbed;
