//! Shared test helpers: read the OSPF payloads out of the capture vectors.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Link types used by the vectors (pcap LINKTYPE_* values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataLink(pub u32);
impl DataLink {
    const NULL: DataLink = DataLink(0);
    const ETHERNET: DataLink = DataLink(1);
    const RAW: DataLink = DataLink(101);
    const LOOP: DataLink = DataLink(108);
    const LINUX_SLL: DataLink = DataLink(113);
    const IPV4: DataLink = DataLink(228);
}

/// Frames (link type, bytes) of a pcap or pcapng file. A minimal reader: section header,
/// interface description, enhanced and simple packet blocks; both byte orders.
pub fn frames(bytes: &[u8]) -> Vec<(DataLink, Vec<u8>)> {
    let mut out = Vec::new();
    let rd32 = |b: &[u8], at: usize, be: bool| {
        let w = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if be {
            u32::from_be_bytes(w)
        } else {
            u32::from_le_bytes(w)
        }
    };
    if bytes.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a]) {
        let mut at = 0;
        let mut be = false;
        let mut links = Vec::new();
        while at + 12 <= bytes.len() {
            if bytes[at..at + 4] == [0x0a, 0x0d, 0x0d, 0x0a] {
                be = bytes[at + 8..at + 12] == [0x1a, 0x2b, 0x3c, 0x4d];
                links.clear();
            }
            let btype = rd32(bytes, at, be);
            let blen = rd32(bytes, at + 4, be) as usize;
            assert!(blen >= 12 && at + blen <= bytes.len(), "bad pcapng block");
            let body = &bytes[at + 8..at + blen - 4];
            match btype {
                1 => {
                    let lt = if be {
                        u16::from_be_bytes([body[0], body[1]])
                    } else {
                        u16::from_le_bytes([body[0], body[1]])
                    };
                    links.push(DataLink(u32::from(lt)));
                }
                6 => {
                    let ifc = rd32(body, 0, be) as usize;
                    let caplen = rd32(body, 12, be) as usize;
                    out.push((links[ifc], body[20..20 + caplen].to_vec()));
                }
                3 => {
                    let len = (rd32(body, 0, be) as usize).min(body.len() - 4);
                    out.push((links[0], body[4..4 + len].to_vec()));
                }
                _ => {}
            }
            at += blen;
        }
    } else {
        let be = match bytes[..4] {
            [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => true,
            [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => false,
            _ => panic!("not a capture file"),
        };
        let link = DataLink(rd32(bytes, 20, be) & 0x0fff_ffff);
        let mut at = 24;
        while at + 16 <= bytes.len() {
            let caplen = rd32(bytes, at + 8, be) as usize;
            out.push((link, bytes[at + 16..at + 16 + caplen].to_vec()));
            at += 16 + caplen;
        }
    }
    out
}

/// Path of a vector under `tests/data`.
pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// One OSPF packet from a capture: its source address and IP payload (the OSPF packet,
/// trailer included, link padding removed).
#[derive(Debug, Clone)]
pub struct Captured {
    /// 1-based frame number in the capture.
    pub frame: usize,
    /// IPv4 source address.
    pub src: [u8; 4],
    /// IPv4 destination address.
    pub dst: [u8; 4],
    /// IP payload.
    pub payload: Vec<u8>,
}

/// The IP payload of an IPv4/OSPF frame of link type `link`.
fn extract(link: DataLink, frame: &[u8]) -> Option<([u8; 4], [u8; 4], Vec<u8>)> {
    let ip = match link {
        DataLink::ETHERNET => {
            let mut at = 12;
            let mut et = u16::from_be_bytes([*frame.get(at)?, *frame.get(at + 1)?]);
            while et == 0x8100 || et == 0x88a8 {
                at += 4;
                et = u16::from_be_bytes([*frame.get(at)?, *frame.get(at + 1)?]);
            }
            if et != 0x0800 {
                return None;
            }
            &frame[at + 2..]
        }
        DataLink::NULL | DataLink::LOOP => {
            let fam = frame.get(..4)?;
            let v = u32::from_le_bytes([fam[0], fam[1], fam[2], fam[3]]);
            let w = u32::from_be_bytes([fam[0], fam[1], fam[2], fam[3]]);
            if v != 2 && w != 2 {
                return None;
            }
            &frame[4..]
        }
        DataLink::RAW | DataLink::IPV4 => frame,
        DataLink::LINUX_SLL => {
            let et = u16::from_be_bytes([*frame.get(14)?, *frame.get(15)?]);
            if et != 0x0800 {
                return None;
            }
            &frame[16..]
        }
        _ => return None,
    };
    if ip.first()? >> 4 != 4 || *ip.get(9)? != 89 {
        return None;
    }
    let ihl = usize::from(ip[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    let payload = ip.get(ihl..total.min(ip.len()))?;
    let src = [ip[12], ip[13], ip[14], ip[15]];
    let dst = [ip[16], ip[17], ip[18], ip[19]];
    Some((src, dst, payload.to_vec()))
}

/// All OSPF-over-IPv4 packets of a pcap or pcapng vector, in order.
pub fn ospf_packets(rel: &str) -> Vec<Captured> {
    let bytes = std::fs::read(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let mut out = Vec::new();
    for (i, (link, data)) in frames(&bytes).into_iter().enumerate() {
        if let Some((src, dst, payload)) = extract(link, &data) {
            out.push(Captured {
                frame: i + 1,
                src,
                dst,
                payload,
            });
        }
    }
    out
}

/// Every OSPFv2 vector, with the number of OSPF packets it must hold at least.
pub const VECTORS: &[&str] = &[
    "frr-bird/br0.pcapng",
    "frr-bird/nssa.pcapng",
    "frr-bird/area2.pcapng",
    "frr-bird/sha.pcapng",
    "tcpdump/OSPFv2_Capture_FINAL.pcapng",
    "tcpdump/ospf-ack.pcap",
    "tcpdump/ospf-gmpls.pcap",
    "tcpdump/ospf-nssa-bitnt.pcap",
    "tcpdump/ospf-sr-ri-sid.pcap",
    "tcpdump/ospf-sr.pcapng",
    "tcpdump/ospf-sr2.pcapng",
    "tcpdump/ospf_graceful_restart_rfc3623.pcap",
];
