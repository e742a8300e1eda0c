//! Hello packet body (RFC 2328 A.3.2).

use super::{Ipv4Addr, List, Options};

/// A Hello packet body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelloRepr<'a> {
    /// Network mask of the sending interface.
    pub network_mask: Ipv4Addr,
    /// HelloInterval, seconds.
    pub hello_interval: u16,
    /// Options.
    pub options: Options,
    /// Router priority.
    pub priority: u8,
    /// RouterDeadInterval, seconds.
    pub dead_interval: u32,
    /// Designated router (interface address), 0.0.0.0 if none.
    pub dr: Ipv4Addr,
    /// Backup designated router, 0.0.0.0 if none.
    pub bdr: Ipv4Addr,
    /// Router IDs of neighbors heard from recently.
    pub neighbors: List<'a, Ipv4Addr>,
}
