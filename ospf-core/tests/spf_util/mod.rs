//! LSA builders shared by the SPF tests (raw bytes, as the LSDB hands them over).
#![allow(dead_code, missing_docs)]

use core::net::Ipv4Addr;

pub const P2P: u8 = 1;
pub const TRANSIT: u8 = 2;
pub const STUB: u8 = 3;

pub fn a(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn header(t: u8, lsid: Ipv4Addr, adv: Ipv4Addr, options: u8, seq: u32) -> Vec<u8> {
    let mut v = vec![0u8; 20];
    v[2] = options;
    v[3] = t;
    v[4..8].copy_from_slice(&lsid.octets());
    v[8..12].copy_from_slice(&adv.octets());
    v[12..16].copy_from_slice(&seq.to_be_bytes());
    v
}

fn finish(mut v: Vec<u8>) -> Vec<u8> {
    let len = v.len() as u16;
    v[18..20].copy_from_slice(&len.to_be_bytes());
    v
}

/// A Router-LSA; `links` are (type, link id, link data, metric).
pub fn router(adv: Ipv4Addr, flags: u8, links: &[(u8, Ipv4Addr, Ipv4Addr, u16)]) -> Vec<u8> {
    let mut v = header(1, adv, adv, 0x02, 0x8000_0001);
    v.extend_from_slice(&[flags, 0]);
    v.extend_from_slice(&(links.len() as u16).to_be_bytes());
    for &(t, id, data, metric) in links {
        v.extend_from_slice(&id.octets());
        v.extend_from_slice(&data.octets());
        v.extend_from_slice(&[t, 0]);
        v.extend_from_slice(&metric.to_be_bytes());
    }
    finish(v)
}

pub fn network(dr: Ipv4Addr, adv: Ipv4Addr, len: u8, routers: &[Ipv4Addr]) -> Vec<u8> {
    let mut v = header(2, dr, adv, 0x02, 0x8000_0001);
    v.extend_from_slice(&mask(len).octets());
    for r in routers {
        v.extend_from_slice(&r.octets());
    }
    finish(v)
}

pub fn mask(len: u8) -> Ipv4Addr {
    Ipv4Addr::from(if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    })
}

/// Type 3 (network) or 4 (ASBR) summary.
pub fn summary(t: u8, lsid: Ipv4Addr, adv: Ipv4Addr, len: u8, metric: u32) -> Vec<u8> {
    let mut v = header(t, lsid, adv, 0x02, 0x8000_0001);
    v.extend_from_slice(&if t == 4 { [0; 4] } else { mask(len).octets() });
    v.extend_from_slice(&(metric & 0xFF_FFFF).to_be_bytes());
    finish(v)
}

/// Type 5 or 7; `options` 0x08 sets the P bit of a type 7.
#[allow(clippy::too_many_arguments)]
pub fn external(
    t: u8,
    lsid: Ipv4Addr,
    adv: Ipv4Addr,
    len: u8,
    e2: bool,
    metric: u32,
    fa: Ipv4Addr,
    tag: u32,
    options: u8,
) -> Vec<u8> {
    let mut v = header(t, lsid, adv, options, 0x8000_0001);
    v.extend_from_slice(&mask(len).octets());
    v.extend_from_slice(&((metric & 0xFF_FFFF) | if e2 { 0x8000_0000 } else { 0 }).to_be_bytes());
    v.extend_from_slice(&fa.octets());
    v.extend_from_slice(&tag.to_be_bytes());
    finish(v)
}

/// Sets the age field (e.g. MaxAge 3600).
pub fn aged(mut v: Vec<u8>, age: u16) -> Vec<u8> {
    v[0..2].copy_from_slice(&age.to_be_bytes());
    v
}
