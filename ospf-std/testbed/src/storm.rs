//! A hostile neighbor's LSA storm (issue 14): Link State Updates full of AS-external
//! LSAs, sent over a raw OSPF socket from inside a namespace where a real adjacency with
//! the victim exists (an [`OspfRs`](crate::OspfRs) with the same router ID holds it), so
//! the victim takes them as flooding from a Full neighbor.
//!
//! The LSAs are valid (Fletcher checksum, lengths, sequence number 0x80000001), each
//! for its own `/24` from `64.0.0.0` up (prefix `k` is `64.0.0.0 + k * 256`, so a
//! million of them stay below `80.0.0.0`), advertised by a router ID of the caller's
//! choice (not the sender's: an LSA "of ours" coming back would be flushed by the
//! sender's own runtime, RFC 2328 §13.4).

use std::io;
use std::net::Ipv4Addr;
use std::thread;
use std::time::{Duration, Instant};

use ospf_core::wire::{AuthField, BodyRepr, LsUpdateRepr, LsaList, Packet, PacketRepr};
use ospf_std::socket::OspfSocket;

use crate::Netns;

/// The prefix of storm LSA `k`: `64.0.0.0 + k * 256`, a `/24`.
pub fn storm_prefix(k: u32) -> Ipv4Addr {
    Ipv4Addr::from(0x4000_0000u32.wrapping_add(k << 8))
}

/// A 36-byte AS-External LSA for `storm_prefix(k)/24`, type-2 metric 20.
pub fn storm_lsa(k: u32, adv_router: Ipv4Addr) -> [u8; 36] {
    let mut v = [0u8; 36];
    v[0..2].copy_from_slice(&1u16.to_be_bytes());
    v[2] = 0x02; // E
    v[3] = 5;
    v[4..8].copy_from_slice(&storm_prefix(k).octets());
    v[8..12].copy_from_slice(&adv_router.octets());
    v[12..16].copy_from_slice(&0x8000_0001u32.to_be_bytes());
    v[18..20].copy_from_slice(&36u16.to_be_bytes());
    v[20..24].copy_from_slice(&[255, 255, 255, 0]);
    v[24] = 0x80; // E2
    v[27] = 20;
    if let Some(ck) = ospf_core::lsdb::lsa_checksum(&v) {
        v[16..18].copy_from_slice(&ck.to_be_bytes());
    }
    v
}

/// What to send.
#[derive(Debug, Clone)]
pub struct Storm {
    /// Interface in the namespace.
    pub ifname: String,
    /// Its address (the IP source).
    pub local: Ipv4Addr,
    /// Router ID in the OSPF header: the neighbor the victim has an adjacency with.
    pub router_id: Ipv4Addr,
    /// Advertising router of the LSAs.
    pub adv_router: Ipv4Addr,
    /// Destination (AllSPFRouters on a point-to-point link, or the victim's address).
    pub dst: Ipv4Addr,
    /// How many LSAs in all.
    pub lsas: u32,
    /// LSAs per Link State Update (40 fill a 1500-byte MTU).
    pub per_packet: u32,
    /// Packets per second (the pace; the victim's socket buffer takes the bursts).
    pub packets_per_sec: u32,
}

/// What was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StormReport {
    /// LSAs sent.
    pub lsas: u64,
    /// Link State Update packets sent.
    pub packets: u64,
    /// Time the sending took.
    pub elapsed: Duration,
}

/// Sends the storm from namespace `ns` (on a thread of its own, which enters it).
pub fn send_storm(ns: &Netns, storm: &Storm) -> io::Result<StormReport> {
    let link = ns.ip_json(&["link", "show", &storm.ifname])?;
    let ifindex = link
        .get(0)
        .and_then(|l| l.get("ifindex"))
        .and_then(serde_json::Value::as_u64)
        .and_then(|i| u32::try_from(i).ok())
        .ok_or_else(|| io::Error::other(format!("no ifindex for {}", storm.ifname)))?;
    let name = ns.name().to_owned();
    let storm = storm.clone();
    thread::spawn(move || -> io::Result<StormReport> {
        let _in = crate::netns::enter_named(&name)?;
        let sock = OspfSocket::open(&storm.ifname, ifindex, storm.local)?;
        blast(&sock, &storm)
    })
    .join()
    .map_err(|_| io::Error::other("storm thread panicked"))?
}

fn blast(sock: &OspfSocket, s: &Storm) -> io::Result<StormReport> {
    let start = Instant::now();
    let per = s.per_packet.max(1);
    let gap = Duration::from_secs(1) / s.packets_per_sec.max(1);
    let mut report = StormReport {
        lsas: 0,
        packets: 0,
        elapsed: Duration::ZERO,
    };
    let mut buf = vec![0u8; 65_535];
    let mut k = 0u32;
    while k < s.lsas {
        let end = k.saturating_add(per).min(s.lsas);
        let lsas: Vec<[u8; 36]> = (k..end).map(|j| storm_lsa(j, s.adv_router)).collect();
        let refs: Vec<&[u8]> = lsas.iter().map(|l| l.as_slice()).collect();
        let repr = PacketRepr {
            router_id: s.router_id,
            area_id: Ipv4Addr::UNSPECIFIED,
            auth: AuthField::Null,
            body: BodyRepr::LsUpdate(LsUpdateRepr {
                lsas: LsaList::Raw(&refs),
            }),
        };
        let len = repr.buffer_len();
        repr.emit(&mut Packet::new_unchecked(&mut buf[..len]))
            .map_err(|e| io::Error::other(format!("encode: {e:?}")))?;
        // Pace: packet n leaves no earlier than n * gap after the start.
        let due = start + gap * u32::try_from(report.packets).unwrap_or(u32::MAX);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            thread::sleep(wait);
        }
        loop {
            match sock.send(s.dst, &buf[..len]) {
                Ok(()) => break,
                // The socket's send buffer is full: give the link a moment.
                Err(e)
                    if e.kind() == io::ErrorKind::WouldBlock
                        || e.raw_os_error() == Some(nix::libc::ENOBUFS) =>
                {
                    thread::sleep(Duration::from_micros(200));
                }
                Err(e) => return Err(e),
            }
        }
        report.packets += 1;
        report.lsas += u64::from(end - k);
        k = end;
    }
    report.elapsed = start.elapsed();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storm_lsas_are_valid_and_distinct() {
        let adv = Ipv4Addr::new(10, 66, 0, 1);
        for k in [0, 1, 999_999] {
            let l = storm_lsa(k, adv);
            assert!(ospf_core::lsdb::lsa_checksum_ok(&l), "{k}");
            assert_eq!(&l[4..8], &storm_prefix(k).octets());
        }
        assert_eq!(storm_prefix(1), Ipv4Addr::new(64, 0, 1, 0));
        assert!(storm_prefix(999_999) < Ipv4Addr::new(80, 0, 0, 0));
    }
}
