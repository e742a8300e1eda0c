//! OSPF as a BFD client (RFC 5882 §4.1): a forwarding failure BFD detected takes the
//! neighbor down at once, as the inactivity timer would after the dead interval.

use super::Instance;
use crate::neighbor::NeighborEvent;
use crate::time::Instant;
use core::net::Ipv4Addr;

impl Instance {
    /// Kills the neighbor `router_id` on interface `ifindex` (RFC 2328 §10.3 KillNbr: the
    /// lists are cleared, the neighbor is removed, the adjacency and the DR election
    /// follow), because BFD saw the path fail (RFC 5882 §3.2). Returns whether such a
    /// neighbor existed. Its next Hello starts a new neighbor in Init.
    pub fn neighbor_down(&mut self, now: Instant, ifindex: u32, router_id: Ipv4Addr) -> bool {
        self.clock = self.clock.max(now);
        let Some(ii) = self.iface_idx(ifindex) else {
            return false;
        };
        let Some(ni) = self.interfaces[ii]
            .neighbors
            .iter()
            .position(|n| n.router_id == router_id)
        else {
            return false;
        };
        self.nbr_event(now, ii, ni, NeighborEvent::KillNbr);
        self.after_input(now);
        true
    }
}
