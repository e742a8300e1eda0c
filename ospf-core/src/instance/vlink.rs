//! Virtual links (RFC 2328 §15): a backbone interface per configured link, brought up
//! and down by the transit area's route calculation (§16.1), the reception rule of §8.2
//! that hands backbone packets arriving on a transit-area interface to it, and the
//! queries for `show ip ospf`.

use core::net::Ipv4Addr;

use super::{ConfigError, Instance};
use crate::config::{AreaKind, InterfaceConfig, InterfaceType, VirtualLinkConfig};
use crate::interface::{Interface, InterfaceEvent, InterfaceState, Vlink};
use crate::neighbor::NeighborState;
use crate::time::Instant;
use crate::wire::Packet;

/// The interface index of the first virtual link: virtual links get
/// `VIRTUAL_LINK_IFINDEX_BASE + n` (n = 0, 1, ...; FRR's `VLINKn`), far above any
/// kernel interface index.
pub const VIRTUAL_LINK_IFINDEX_BASE: u32 = 0x8000_0000;

/// Read-only view of a virtual link, for `show ip ospf` and `show ip ospf interface`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct VirtualLinkInfo {
    /// The virtual interface's index ([`VIRTUAL_LINK_IFINDEX_BASE`] + n).
    pub ifindex: u32,
    /// The transit area.
    pub transit_area: Ipv4Addr,
    /// The other endpoint's router ID.
    pub peer: Ipv4Addr,
    /// The endpoint's address in the transit area (0.0.0.0 while down).
    pub peer_addr: Ipv4Addr,
    /// Our address: that of the transit-area interface the path leaves through.
    pub local_addr: Ipv4Addr,
    /// That interface (0 while down).
    pub out_ifindex: u32,
    /// The path's cost through the transit area.
    pub cost: u32,
    /// The virtual interface's state (Down or PointToPoint).
    pub state: InterfaceState,
    /// The virtual neighbor's state, if it was heard.
    pub neighbor: Option<NeighborState>,
}

impl Instance {
    /// Adds a virtual link (RFC 2328 §15) to router `config.peer` across
    /// `config.transit_area`; returns its interface index. The virtual interface
    /// belongs to the backbone; it stays Down until the transit area's calculation
    /// reaches the endpoint, then takes the path's cost and addresses (§16.1) and
    /// forms an adjacency over unicast packets.
    ///
    /// Refused: the backbone or a stub area or NSSA as transit area (§15), a router ID
    /// of 0.0.0.0 or our own, zero intervals, a second link to the same endpoint
    /// across the same area.
    pub fn add_virtual_link(
        &mut self,
        now: Instant,
        config: VirtualLinkConfig,
    ) -> Result<u32, ConfigError> {
        self.clock = self.clock.max(now);
        if config.transit_area.is_unspecified() {
            return Err(ConfigError::Invalid(
                "the backbone cannot be a virtual link's transit area",
            ));
        }
        if !matches!(self.area_kind(config.transit_area), AreaKind::Normal) {
            return Err(ConfigError::Invalid(
                "a stub area or NSSA cannot be a virtual link's transit area",
            ));
        }
        if config.peer.is_unspecified() || config.peer == self.router_id {
            return Err(ConfigError::Invalid("virtual link endpoint router ID"));
        }
        if config.hello_interval == 0 || config.dead_interval == 0 || config.rxmt_interval == 0 {
            return Err(ConfigError::Invalid("zero interval"));
        }
        if let Some(i) = self.vlink_idx(config.transit_area, config.peer) {
            return Err(ConfigError::InterfaceExists(self.interfaces[i].ifindex));
        }
        let ifindex = (VIRTUAL_LINK_IFINDEX_BASE..)
            .find(|x| self.iface_idx(*x).is_none())
            .unwrap_or(u32::MAX);
        let mut ic = InterfaceConfig::new(Ipv4Addr::UNSPECIFIED, 32)
            .if_type(InterfaceType::VirtualLink)
            .area(Ipv4Addr::UNSPECIFIED)
            .hello_interval(config.hello_interval)
            .dead_interval(config.dead_interval)
            .rxmt_interval(config.rxmt_interval)
            .transmit_delay(config.transmit_delay)
            .auth(config.auth.clone())
            .mtu_ignore(true);
        ic.cost = 0;
        self.ensure_area(Ipv4Addr::UNSPECIFIED);
        self.ensure_area(config.transit_area);
        let mut iface = Interface::new(ifindex, ic);
        iface.vlink = Some(Vlink {
            config,
            peer_addr: Ipv4Addr::UNSPECIFIED,
            out_ifindex: 0,
            cost: 0,
        });
        self.interfaces.push(iface);
        // Up at once if the transit area already reaches the endpoint.
        self.update_virtual_links(now);
        self.after_input(now);
        Ok(ifindex)
    }

    /// Removes the virtual link to `peer` across `transit_area` (its adjacency goes
    /// down, the backbone Router-LSA loses its link).
    pub fn remove_virtual_link(
        &mut self,
        now: Instant,
        transit_area: Ipv4Addr,
        peer: Ipv4Addr,
    ) -> Result<(), ConfigError> {
        let i = self
            .vlink_idx(transit_area, peer)
            .ok_or(ConfigError::Invalid("no such virtual link"))?;
        let ifindex = self.interfaces[i].ifindex;
        self.remove_interface(now, ifindex)?;
        self.mark_router_lsa(transit_area);
        self.after_input(now);
        Ok(())
    }

    /// Every virtual link.
    pub fn virtual_links(&self) -> impl Iterator<Item = VirtualLinkInfo> + '_ {
        self.interfaces.iter().filter_map(|i| {
            let v = i.vlink.as_ref()?;
            Some(VirtualLinkInfo {
                ifindex: i.ifindex,
                transit_area: v.config.transit_area,
                peer: v.config.peer,
                peer_addr: v.peer_addr,
                local_addr: i.config.address,
                out_ifindex: v.out_ifindex,
                cost: v.cost,
                state: i.state,
                neighbor: i.neighbors.first().map(|n| n.state),
            })
        })
    }

    /// Where a packet of virtual link `ifindex` ([`Transmit::ifindex`]) leaves: our
    /// transit-area interface on the path to the endpoint. `None` for other interfaces
    /// and for virtual links that are down. The packet goes unicast to
    /// [`Transmit::dst`] and may cross several routers: send it with an IP TTL above 1.
    ///
    /// [`Transmit::ifindex`]: super::Transmit::ifindex
    /// [`Transmit::dst`]: super::Transmit::dst
    pub fn virtual_link_egress(&self, ifindex: u32) -> Option<u32> {
        let i = &self.interfaces[self.iface_idx(ifindex)?];
        let v = i.vlink.as_ref()?;
        (i.state != InterfaceState::Down).then_some(v.out_ifindex)
    }

    fn vlink_idx(&self, transit_area: Ipv4Addr, peer: Ipv4Addr) -> Option<usize> {
        self.interfaces.iter().position(|i| {
            i.vlink
                .as_ref()
                .is_some_and(|v| v.config.transit_area == transit_area && v.config.peer == peer)
        })
    }

    /// §8.2: a packet with Area ID 0.0.0.0 received on interface `ii` of a non-backbone
    /// area is for the virtual link whose transit area is that area and whose endpoint
    /// is the packet's Router ID (the index of its interface), if one is configured.
    pub(crate) fn virtual_link_for(&self, ii: usize, bytes: &[u8]) -> Option<usize> {
        let iface = &self.interfaces[ii];
        if iface.config.area.is_unspecified() || iface.is_virtual() {
            return None;
        }
        let pkt = Packet::new_checked(bytes).ok()?;
        if !pkt.area_id().is_unspecified() {
            return None;
        }
        self.vlink_idx(iface.config.area, pkt.router_id())
    }

    /// Brings every virtual link in line with the last calculation (§15, §16.1): up with
    /// the path's cost and addresses when the transit area reaches the endpoint, down
    /// when it no longer does; restarted when the addresses change.
    pub(crate) fn update_virtual_links(&mut self, now: Instant) {
        for ii in 0..self.interfaces.len() {
            let Some(v) = self.interfaces[ii].vlink.clone() else {
                continue;
            };
            let path = self
                .spf
                .virtual_link_path(v.config.transit_area, v.config.peer);
            let up = self.interfaces[ii].state != InterfaceState::Down;
            match path {
                None if up => {
                    self.iface_event(now, ii, InterfaceEvent::InterfaceDown);
                    if let Some(v) = self.interfaces[ii].vlink.as_mut() {
                        v.peer_addr = Ipv4Addr::UNSPECIFIED;
                        v.out_ifindex = 0;
                        v.cost = 0;
                    }
                }
                None => {}
                Some(p) => {
                    let moved = p.peer_addr != v.peer_addr
                        || p.local_addr != self.interfaces[ii].config.address
                        || p.out_ifindex != v.out_ifindex;
                    if up && moved {
                        self.iface_event(now, ii, InterfaceEvent::InterfaceDown);
                    }
                    let iface = &mut self.interfaces[ii];
                    iface.config.address = p.local_addr;
                    iface.config.cost = u16::try_from(p.cost).unwrap_or(u16::MAX);
                    if let Some(v) = iface.vlink.as_mut() {
                        v.peer_addr = p.peer_addr;
                        v.out_ifindex = p.out_ifindex;
                        v.cost = p.cost;
                    }
                    if !up || moved {
                        self.iface_event(now, ii, InterfaceEvent::InterfaceUp);
                    } else if p.cost != v.cost {
                        self.mark_router_lsa(Ipv4Addr::UNSPECIFIED);
                    }
                }
            }
        }
    }
}
