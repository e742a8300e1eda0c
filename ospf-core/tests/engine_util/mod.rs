//! Helpers for driving one `Instance` with hand-made packets.
#![allow(dead_code)]

use core::net::Ipv4Addr;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::{Event, Instance, Output, Transmit};
use ospf_core::time::{Duration, Instant};
use ospf_core::wire::{
    AuthField, BodyRepr, DbDescRepr, DdFlags, HelloRepr, List, LsaHeader, Options, Packet,
    PacketRepr,
};

pub const ME: Ipv4Addr = Ipv4Addr::new(1, 1, 1, 1);
pub const MY_ADDR: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
pub const PEER_ADDR: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
pub const AREA0: Ipv4Addr = Ipv4Addr::UNSPECIFIED;
pub const ALL_SPF: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 5);
/// The neighbor's router ID.
pub const PEER: Ipv4Addr = Ipv4Addr::new(2, 2, 2, 2);

/// Encodes a packet from `rid` (checksum filled, AuType 0).
pub fn packet(rid: Ipv4Addr, area: Ipv4Addr, body: BodyRepr<'_>) -> Vec<u8> {
    let repr = PacketRepr {
        router_id: rid,
        area_id: area,
        auth: AuthField::Null,
        body,
    };
    let mut buf = vec![0u8; repr.buffer_len()];
    repr.emit(&mut Packet::new_unchecked(&mut buf[..])).unwrap();
    buf
}

pub fn hello_body(
    mask: Ipv4Addr,
    neighbors: &[Ipv4Addr],
    dr: Ipv4Addr,
    bdr: Ipv4Addr,
    prio: u8,
) -> HelloRepr<'_> {
    HelloRepr {
        network_mask: mask,
        hello_interval: 10,
        options: Options::E,
        priority: prio,
        dead_interval: 40,
        dr,
        bdr,
        neighbors: List::Slice(neighbors),
    }
}

pub fn hello(rid: Ipv4Addr, neighbors: &[Ipv4Addr]) -> Vec<u8> {
    packet(
        rid,
        AREA0,
        BodyRepr::Hello(hello_body(
            Ipv4Addr::new(255, 255, 255, 252),
            neighbors,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::UNSPECIFIED,
            1,
        )),
    )
}

pub fn dd(rid: Ipv4Addr, flags: DdFlags, seq: u32, headers: &[LsaHeader]) -> Vec<u8> {
    packet(
        rid,
        AREA0,
        BodyRepr::DbDesc(DbDescRepr {
            mtu: 1500,
            options: Options::E,
            flags,
            seq,
            lsa_headers: List::Slice(headers),
        }),
    )
}

/// An instance with one point-to-point interface (ifindex 1, 10.0.0.1/30).
pub fn p2p_instance(now: Instant) -> Instance {
    p2p_instance_with(InstanceConfig::new(ME), now)
}

/// [`p2p_instance`] with the given instance configuration.
pub fn p2p_instance_with(cfg: InstanceConfig, now: Instant) -> Instance {
    let mut i = Instance::new(cfg, now);
    i.add_interface(
        now,
        1,
        InterfaceConfig::new(MY_ADDR, 30).if_type(InterfaceType::PointToPoint),
    )
    .unwrap();
    i
}

/// Everything the instance wants to output now.
#[derive(Debug, Default)]
pub struct Drained {
    pub sent: Vec<(Transmit, Vec<u8>)>,
    pub events: Vec<Event>,
    pub timeout: Option<Instant>,
}

impl Drained {
    /// Parsed packets of a given OSPF type (1 Hello ... 5 LSAck).
    pub fn of_type(&self, t: u8) -> Vec<&Vec<u8>> {
        self.sent
            .iter()
            .filter(|(_, b)| b[1] == t)
            .map(|(_, b)| b)
            .collect()
    }
}

pub fn drain(inst: &mut Instance, now: Instant) -> Drained {
    let mut d = Drained::default();
    let mut buf = vec![0u8; 65535];
    while let Some(o) = inst.poll_output(now, &mut buf) {
        match o {
            Output::Transmit(t) => d.sent.push((t, buf[..t.len].to_vec())),
            Output::Event(e) => d.events.push(e),
            Output::Timeout(at) => d.timeout = Some(at),
            _ => {}
        }
    }
    d
}

pub fn parse(bytes: &[u8]) -> PacketRepr<'_> {
    let p = Packet::new_checked(bytes).unwrap();
    PacketRepr::parse(&p).unwrap()
}

/// Runs timers until `until`, draining after each.
pub fn run_until(inst: &mut Instance, mut now: Instant, until: Instant) -> (Instant, Drained) {
    let mut all = Drained::default();
    loop {
        let next = inst.poll_timeout().unwrap_or(Instant::MAX);
        if next > until {
            return (until.max(now), all);
        }
        now = now.max(next);
        inst.handle_timeout(now);
        let d = drain(inst, now);
        all.sent.extend(d.sent);
        all.events.extend(d.events);
    }
}

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// A 36-byte AS-External LSA for `prefix`/24 from `adv` with this sequence number and age.
pub fn external_lsa(prefix: Ipv4Addr, adv: Ipv4Addr, seq: u32, age: u16) -> Vec<u8> {
    let mut v = vec![0u8; 36];
    v[0..2].copy_from_slice(&age.to_be_bytes());
    v[2] = 0x02;
    v[3] = 5;
    v[4..8].copy_from_slice(&prefix.octets());
    v[8..12].copy_from_slice(&adv.octets());
    v[12..16].copy_from_slice(&seq.to_be_bytes());
    v[18..20].copy_from_slice(&36u16.to_be_bytes());
    v[20..24].copy_from_slice(&[255, 255, 255, 0]);
    v[24] = 0x80;
    v[27] = 20;
    let ck = ospf_core::lsdb::lsa_checksum(&v).unwrap();
    v[16..18].copy_from_slice(&ck.to_be_bytes());
    v
}

pub fn ls_update(rid: Ipv4Addr, lsas: &[&[u8]]) -> Vec<u8> {
    packet(
        rid,
        AREA0,
        BodyRepr::LsUpdate(ospf_core::wire::LsUpdateRepr {
            lsas: ospf_core::wire::LsaList::Raw(lsas),
        }),
    )
}

/// Hands `bytes` to interface 1 as sent by PEER_ADDR to AllSPFRouters; returns the output.
pub fn feed(i: &mut Instance, now: Instant, bytes: &[u8]) -> Drained {
    i.handle_packet(now, 1, PEER_ADDR, ALL_SPF, bytes);
    drain(i, now)
}

/// A [`p2p_instance`] started at 1 s, its first output drained.
pub fn start() -> (Instance, Instant) {
    start_with(InstanceConfig::new(ME))
}

/// [`start`] with the given instance configuration.
pub fn start_with(cfg: InstanceConfig) -> (Instance, Instant) {
    let now = Instant::from_secs(1);
    let mut i = p2p_instance_with(cfg, now);
    i.handle_timeout(now);
    drain(&mut i, now);
    (i, now)
}

/// Brings the instance to Full with PEER (PEER is master, empty database).
pub fn full_as_slave() -> (Instance, Instant) {
    full_as_slave_with(InstanceConfig::new(ME))
}

/// [`full_as_slave`] with the given instance configuration.
pub fn full_as_slave_with(cfg: InstanceConfig) -> (Instance, Instant) {
    let (mut i, now) = start_with(cfg);
    feed(&mut i, now, &hello(PEER, &[ME]));
    feed(
        &mut i,
        now,
        &dd(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, 1000, &[]),
    );
    feed(&mut i, now, &dd(PEER, DdFlags::MS, 1001, &[]));
    assert_eq!(
        i.neighbors().next().map(|n| n.state),
        Some(ospf_core::neighbor::NeighborState::Full)
    );
    (i, now)
}

/// Packets of interface 1 dropped for `r`.
pub fn dropped(i: &Instance, r: ospf_core::instance::DropReason) -> u64 {
    i.counters(1).unwrap().dropped(r)
}

/// The `k`th storm prefix: 10.k.0.0/24 spread over 10/8.
pub fn storm_prefix(k: u32) -> Ipv4Addr {
    Ipv4Addr::from(0x0A00_0000 + (k << 8))
}

/// PEER floods new AS-external LSAs for storm prefixes `from..from + n` in LS Updates of 50.
pub fn storm(i: &mut Instance, now: Instant, from: u32, n: u32) -> Drained {
    storm_aged(i, now, from, n, 0x8000_0001, 1)
}

/// [`storm`] with the given sequence number and age.
pub fn storm_aged(
    i: &mut Instance,
    now: Instant,
    from: u32,
    n: u32,
    seq: u32,
    age: u16,
) -> Drained {
    let mut all = Drained::default();
    let mut k = from;
    while k < from + n {
        let end = (k + 50).min(from + n);
        let lsas: Vec<Vec<u8>> = (k..end)
            .map(|j| external_lsa(storm_prefix(j), PEER, seq, age))
            .collect();
        let refs: Vec<&[u8]> = lsas.iter().map(|v| v.as_slice()).collect();
        let d = feed(i, now, &ls_update(PEER, &refs));
        all.sent.extend(d.sent);
        all.events.extend(d.events);
        k = end;
    }
    all
}
