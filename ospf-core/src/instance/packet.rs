//! Packet encoding and the receive path (RFC 2328 §8.2): each accepted packet is handed
//! to its handler (Hellos in `interface::hello`, DD and LS Requests in `neighbor`, LS
//! Updates and acknowledgments in `flood`).

use alloc::vec;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use super::{ALL_D_ROUTERS, ALL_SPF_ROUTERS, Instance};
use crate::auth::{self, AuthConfig, Verified};
use crate::config::AreaKind;
use crate::interface::DropReason;
use crate::time::Instant;
use crate::wire::{AuthField, BodyRepr, HEADER_LEN, Options, Packet, PacketRepr};

/// IPv4 header bytes counted against the interface MTU.
pub(crate) const IP_HEADER_LEN: usize = 20;

impl Instance {
    // ----------------------------------------------------------------------------------
    // Encoding
    // ----------------------------------------------------------------------------------

    /// Bytes after the packet: the crypto digest, if any.
    pub(crate) fn trailer_len(&self, ii: usize) -> usize {
        match &self.interfaces[ii].config.auth {
            AuthConfig::Crypto(keys) => keys.last().map_or(0, |k| k.algorithm.digest_len()),
            _ => 0,
        }
    }

    /// Room for an OSPF body within the interface MTU.
    pub(crate) fn body_budget(&self, ii: usize) -> usize {
        usize::from(self.interfaces[ii].config.mtu)
            .saturating_sub(IP_HEADER_LEN + HEADER_LEN + self.trailer_len(ii))
    }

    /// Encodes a packet for interface `ii`: header and body, then checksum and
    /// authentication (the digest follows the packet).
    pub(crate) fn encode(&self, ii: usize, body: BodyRepr<'_>) -> Option<Vec<u8>> {
        let repr = PacketRepr {
            router_id: self.router_id,
            area_id: self.interfaces[ii].config.area,
            auth: AuthField::Null,
            body,
        };
        let len = repr.buffer_len();
        let mut buf = vec![0u8; len + self.trailer_len(ii)];
        {
            let mut pkt = Packet::new_unchecked(&mut buf[..len]);
            repr.emit(&mut pkt).ok()?;
        }
        self.seal(ii, &mut buf, len)?;
        Some(buf)
    }

    /// Fills checksum and authentication of `buf[..len]` (again after a change, e.g. the
    /// LS ages patched into an LS Update).
    pub(crate) fn seal(&self, ii: usize, buf: &mut Vec<u8>, len: usize) -> Option<()> {
        let iface = &self.interfaces[ii];
        let total = auth::sign(buf, len, &iface.config.auth, self.crypto_seq_now()).ok()?;
        buf.truncate(total);
        Some(())
    }

    /// Queues an encoded packet.
    pub(crate) fn queue_tx(&mut self, ii: usize, dst: Ipv4Addr, bytes: Vec<u8>) {
        let iface = &mut self.interfaces[ii];
        iface.counters.sent.bump(bytes.get(1).copied().unwrap_or(0));
        self.queue.push_back(super::Queued::Tx {
            ifindex: iface.ifindex,
            src: iface.config.address,
            dst,
            bytes,
        });
    }

    /// Encodes and queues.
    pub(crate) fn send(&mut self, ii: usize, dst: Ipv4Addr, body: BodyRepr<'_>) {
        if let Some(bytes) = self.encode(ii, body) {
            self.queue_tx(ii, dst, bytes);
        }
    }

    /// Destination of packets for one neighbor: its address on multi-access networks
    /// (broadcast, NBMA, point-to-multipoint), AllSPFRouters on point-to-point links
    /// (RFC 2328 §8.1).
    pub(crate) fn nbr_dst(&self, ii: usize, ni: usize) -> Ipv4Addr {
        let i = &self.interfaces[ii];
        if let Some(v) = &i.vlink {
            // §8.1: packets over a virtual link are unicast to the endpoint.
            v.peer_addr
        } else if i.is_p2p() {
            ALL_SPF_ROUTERS
        } else {
            i.neighbors[ni].address
        }
    }

    /// Destinations of floods and delayed acks (RFC 2328 §13.3, §13.5): AllDRouters from
    /// a DROther on a broadcast network, AllSPFRouters from its DR/BDR and on
    /// point-to-point and point-to-multipoint networks; on non-broadcast networks one
    /// unicast per adjacent neighbor (state Exchange or beyond).
    pub(crate) fn flood_dsts(&self, ii: usize) -> Vec<Ipv4Addr> {
        let i = &self.interfaces[ii];
        if let Some(v) = &i.vlink {
            alloc::vec![v.peer_addr]
        } else if i.config.if_type.is_non_broadcast() {
            i.neighbors
                .iter()
                .filter(|n| n.state >= crate::neighbor::NeighborState::Exchange)
                .map(|n| n.address)
                .collect()
        } else if i.elects_dr() && !i.is_dr_or_backup() {
            alloc::vec![ALL_D_ROUTERS]
        } else {
            alloc::vec![ALL_SPF_ROUTERS]
        }
    }

    /// Options of our Hello and DD packets: E or N by area kind, and O (RFC 5250 §3.1:
    /// we store and flood opaque LSAs).
    pub(crate) fn hello_options(&self, ii: usize) -> Options {
        Options::O
            | match self.area_kind(self.interfaces[ii].config.area) {
                AreaKind::Normal => Options::E,
                AreaKind::Nssa { .. } => Options::NP,
                _ => Options::empty(),
            }
    }

    // ----------------------------------------------------------------------------------
    // Receive path (§8.2)
    // ----------------------------------------------------------------------------------

    pub(crate) fn receive(
        &mut self,
        now: Instant,
        ifindex: u32,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        bytes: &[u8],
    ) {
        let Some(ii) = self.iface_idx(ifindex) else {
            self.unknown_ifindex_drops += 1;
            return;
        };
        // §8.2: a backbone packet on a non-backbone interface is for a virtual link
        // whose transit area is the interface's and whose endpoint sent it.
        let ii = self.virtual_link_for(ii, bytes).unwrap_or(ii);
        if let Err(reason) = self.receive_on(now, ii, src, dst, bytes) {
            self.interfaces[ii].counters.drop(reason);
        }
    }

    fn receive_on(
        &mut self,
        now: Instant,
        ii: usize,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        bytes: &[u8],
    ) -> Result<(), DropReason> {
        let iface = &self.interfaces[ii];
        if !iface.enabled || !iface.is_active() {
            return Err(DropReason::InterfaceInactive);
        }
        // A virtual link carries unicast only (to any of our addresses: the endpoint
        // takes one from our transit-area Router-LSA).
        if iface.is_virtual() && dst.is_multicast() {
            return Err(DropReason::WrongDestination);
        }
        let pkt = Packet::new_checked(bytes).map_err(|_| DropReason::Malformed)?;
        let plen = usize::from(pkt.packet_len());
        // Checksum and authentication first (with crypto auth the checksum field is not
        // used), so that corrupted or forged packets are never parsed further.
        let crypto_seq = self.verify_auth(ii, bytes, plen)?;
        let repr = PacketRepr::parse(&pkt).map_err(|_| DropReason::Malformed)?;
        let iface = &self.interfaces[ii];
        if repr.area_id != iface.config.area {
            return Err(DropReason::AreaMismatch);
        }
        if src == iface.config.address {
            return Err(DropReason::OwnPacket);
        }
        if repr.router_id == self.router_id {
            return Err(DropReason::DuplicateRouterId);
        }
        // 0.0.0.0 is no router ID (it means "none" in the DR/BDR fields), and no router
        // sends from 0.0.0.0, a multicast or the broadcast address.
        if repr.router_id.is_unspecified() {
            return Err(DropReason::Malformed);
        }
        // A neighbor that flooded beyond the LSDB limit is not heard for a while.
        if self.limits.is_ignored(repr.router_id, now) {
            return Err(DropReason::NeighborIgnored);
        }
        if src.is_unspecified() || src.is_multicast() || src.is_broadcast() {
            return Err(DropReason::WrongDestination);
        }
        if dst == ALL_D_ROUTERS && !iface.is_dr_or_backup() {
            return Err(DropReason::WrongDestination);
        }
        if iface.checks_subnet() && !iface.on_subnet(src) {
            return Err(DropReason::WrongDestination);
        }
        // In bounds: `Packet::new_checked` accepted at least a 24-byte header.
        let ptype = bytes[1];
        match &repr.body {
            BodyRepr::Hello(h) => self.recv_hello(now, ii, src, repr.router_id, h, crypto_seq)?,
            body => {
                let ni = self.interfaces[ii]
                    .find_neighbor(repr.router_id, src)
                    .ok_or(DropReason::UnknownNeighbor)?;
                self.check_crypto_seq(ii, ni, crypto_seq)?;
                match body {
                    BodyRepr::DbDesc(dd) => self.recv_dd(now, ii, ni, dd)?,
                    BodyRepr::LsRequest(r) => self.recv_ls_request(now, ii, ni, r)?,
                    BodyRepr::LsUpdate(u) => self.recv_ls_update(now, ii, ni, &u.lsas)?,
                    BodyRepr::LsAck(a) => self.recv_ls_ack(now, ii, ni, a)?,
                    BodyRepr::Hello(_) => {}
                }
            }
        }
        self.interfaces[ii].counters.received.bump(ptype);
        Ok(())
    }

    /// Checks the packet's checksum and authentication against the interface; returns
    /// the crypto sequence number when cryptographic authentication is used.
    fn verify_auth(
        &mut self,
        ii: usize,
        bytes: &[u8],
        plen: usize,
    ) -> Result<Option<u32>, DropReason> {
        use crate::interface::AuthFailure as F;
        use crate::wire::Error as E;
        let kind = match auth::verify(bytes, plen, &self.interfaces[ii].config.auth) {
            Ok(Verified::Crypto { seq, .. }) => return Ok(Some(seq)),
            Ok(_) => return Ok(None),
            Err(E::BadChecksum { .. }) => return Err(DropReason::BadChecksum),
            Err(E::AuthFailed("AuType mismatch")) => F::TypeMismatch,
            Err(E::AuthFailed("unknown key ID" | "no key configured")) => F::UnknownKey,
            Err(E::AuthFailed(_)) => F::BadDigest,
            Err(_) => F::BadLength,
        };
        self.interfaces[ii].counters.auth_failed(kind);
        Err(DropReason::AuthFailed)
    }

    /// RFC 2328 D.3: a sequence number lower than the last accepted one is a replay;
    /// equal numbers are accepted.
    pub(crate) fn check_crypto_seq(
        &mut self,
        ii: usize,
        ni: usize,
        seq: Option<u32>,
    ) -> Result<(), DropReason> {
        let n = &mut self.interfaces[ii].neighbors[ni];
        if let Some(seq) = seq {
            if n.crypto_seq.is_some_and(|last| seq < last) {
                self.interfaces[ii]
                    .counters
                    .auth_failed(crate::interface::AuthFailure::Replay);
                return Err(DropReason::AuthFailed);
            }
            n.crypto_seq = Some(seq);
        }
        Ok(())
    }
}
