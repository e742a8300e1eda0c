//! The whole engine (`Instance`: interfaces, neighbors, LSDB, flooding, SPF) driven by a
//! sequence of operations read from the fuzz input: packets (raw, or well-formed ones
//! built from fuzz bytes with valid lengths, checksums and authentication so that they
//! reach deep states, plus a one-step shortcut to a Full adjacency), the passage of
//! time, interface down/up, removal and re-adding, router ID and cost changes,
//! redistribution, stub-router mode and shutdown. After every step the outputs are
//! drained and invariants checked:
//!
//! * every LSA in the LSDB has a valid Fletcher checksum and a length field equal to
//!   its size, `lsdb_len` counts them, and a configured `max_lsas` is never exceeded by
//!   other routers' LSAs (issue 14 bursts: AS-external storms); nor is RFC 1765's
//!   external limit by other routers' non-default AS-external LSAs, and in OverflowState
//!   none of ours is live; a neighbor ignored under `max-lsa ... ignore-time` has no
//!   neighbor entry;
//! * no interface holds more neighbors than one Hello at its MTU can list (issue 14
//!   bursts: Hello floods from forged router IDs, also listing us);
//! * every neighbor belongs to an existing interface that is not Down and is not
//!   ourselves (a point-to-point interface may hold several: neighbors are keyed by
//!   router ID there, and Hellos from several router IDs each create one);
//! * every transmitted packet is a well-formed, correctly authenticated OSPF packet for
//!   its interface, sent from that interface's address with our router ID, and every
//!   LSA it carries in an LS Update has a valid checksum;
//! * after `handle_timeout(now)` no deadline lies before `now`, and repeated calls at
//!   `now` move it past `now` within a few rounds (a timer may be re-armed for `now`,
//!   e.g. an immediate Hello after a DR change, but the caller's loop never spins);
//!   the `Timeout` reported by `poll_output` equals `poll_timeout()`.
//!
//! With `ENGINE_FUZZ_DEBUG` set in the environment, running the binary on an input
//! prints the final neighbors and LSDB size (to check that a seed reaches Full).
#![no_main]

use core::net::Ipv4Addr;
use libfuzzer_sys::fuzz_target;
use ospf_core::Prefix;
use ospf_core::auth::{self, AuthConfig, CryptoAlgorithm, CryptoKey};
use ospf_core::config::{
    AreaConfig, AreaKind, AreaRange, IgnorePolicy, InstanceConfig, InterfaceConfig, InterfaceType,
    StaticNeighbor, SummaryAddress, VirtualLinkConfig,
};
use ospf_core::instance::{ExternalRoute, Instance, Output, VIRTUAL_LINK_IFINDEX_BASE};
use ospf_core::interface::InterfaceState;
use ospf_core::lsdb::{lsa_checksum, lsa_checksum_ok};
use ospf_core::time::{Duration, Instant};
use ospf_core::wire::{BodyRepr, Packet, PacketRepr};

const ME: Ipv4Addr = Ipv4Addr::new(1, 1, 1, 1);
const AREA1: Ipv4Addr = Ipv4Addr::new(0, 0, 0, 1);
const MD5_SECRET: &[u8] = b"fuzzkey";

/// Reads the fuzz input; yields zeros once exhausted.
struct Input<'a> {
    data: &'a [u8],
}

impl Input<'_> {
    fn done(&self) -> bool {
        self.data.is_empty()
    }
    fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_be_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.data.len());
        let (a, b) = self.data.split_at(n);
        self.data = b;
        a.to_vec()
    }
}

/// One configured interface of the instance under test.
struct If {
    ifindex: u32,
    net: u32,
    prefix_len: u8,
    area: Ipv4Addr,
    auth: AuthConfig,
    p2p: bool,
}

fn interfaces() -> Vec<If> {
    let key = CryptoKey::new(1, CryptoAlgorithm::Md5, MD5_SECRET).expect("valid key");
    vec![
        If {
            ifindex: 1,
            net: 0x0A00_0100,
            prefix_len: 24,
            area: Ipv4Addr::UNSPECIFIED,
            auth: AuthConfig::Null,
            p2p: false,
        },
        If {
            ifindex: 2,
            net: 0x0A00_0200,
            prefix_len: 30,
            area: Ipv4Addr::UNSPECIFIED,
            auth: AuthConfig::Null,
            p2p: true,
        },
        If {
            ifindex: 3,
            net: 0x0A00_0300,
            prefix_len: 24,
            area: AREA1,
            auth: AuthConfig::crypto(&[key]).expect("one key"),
            p2p: false,
        },
    ]
}

/// Router IDs the fuzzer can speak as (ours and 0.0.0.0 included on purpose).
const RIDS: [Ipv4Addr; 6] = [
    Ipv4Addr::new(2, 2, 2, 2),
    Ipv4Addr::new(3, 3, 3, 3),
    Ipv4Addr::new(0, 0, 0, 9),
    ME,
    Ipv4Addr::UNSPECIFIED,
    Ipv4Addr::new(255, 255, 255, 255),
];

fn rid(inp: &mut Input) -> Ipv4Addr {
    match inp.u8() {
        0..=239 => RIDS[usize::from(inp.u8()) % RIDS.len()],
        _ => Ipv4Addr::from(inp.u32()),
    }
}

/// An address on `ifc`'s network (host part 1 is ours), or a stray one.
fn addr(inp: &mut Input, ifc: &If) -> Ipv4Addr {
    match inp.u8() {
        0..=229 => Ipv4Addr::from(ifc.net + 2 + u32::from(inp.u8() % 3)),
        230..=239 => Ipv4Addr::from(ifc.net + 1),
        240..=247 => Ipv4Addr::UNSPECIFIED,
        _ => Ipv4Addr::from(inp.u32()),
    }
}

/// An address a peer's Hello may mention: a router ID or an address on `ifc`.
fn mentioned(inp: &mut Input, ifc: &If) -> Ipv4Addr {
    if inp.u8() & 1 == 0 {
        rid(inp)
    } else {
        addr(inp, ifc)
    }
}

fn lsa_type(inp: &mut Input) -> u8 {
    match inp.u8() {
        0..=199 => [1, 2, 3, 4, 5, 7, 9, 10, 11][usize::from(inp.u8()) % 9],
        b => b,
    }
}

/// A whole LSA from fuzz bytes: plausible header fields and a body shaped for its
/// type, with a correct length and Fletcher checksum unless the input says otherwise.
fn lsa(inp: &mut Input, ifc: &If) -> Vec<u8> {
    let age = match inp.u8() % 8 {
        0 => 3600,
        1 => 3599,
        2 => 0xFFFF,
        3 => 0x8000 | u16::from(inp.u8()),
        4 => inp.u16(),
        _ => u16::from(inp.u8()),
    };
    let options = inp.u8();
    let t = lsa_type(inp);
    let lsid = match inp.u8() % 4 {
        0 => rid(inp),
        1 => addr(inp, ifc),
        2 => Ipv4Addr::from(0xC612_0000 | (u32::from(inp.u8()) << 8)),
        _ => Ipv4Addr::from(inp.u32()),
    };
    let adv = rid(inp);
    let seq = match inp.u8() % 8 {
        0 => 0x7FFF_FFFF,
        1 => 0x8000_0000,
        2 => 0x7FFF_FFFE,
        3 => inp.u32(),
        _ => 0x8000_0001 + u32::from(inp.u8()),
    };
    let mut v = Vec::with_capacity(64);
    v.extend_from_slice(&age.to_be_bytes());
    v.push(options);
    v.push(t);
    v.extend_from_slice(&lsid.octets());
    v.extend_from_slice(&adv.octets());
    v.extend_from_slice(&seq.to_be_bytes());
    v.extend_from_slice(&[0; 4]);
    match t {
        1 => {
            let n = usize::from(inp.u8() % 8);
            let flags = inp.u8();
            v.extend_from_slice(&[flags, 0]);
            let claimed = if inp.u8() == 0xFF {
                inp.u16()
            } else {
                n as u16
            };
            v.extend_from_slice(&claimed.to_be_bytes());
            for _ in 0..n {
                let lt = 1 + inp.u8() % 5;
                let (id, data) = match lt {
                    2 => (addr(inp, ifc), Ipv4Addr::from(ifc.net + 1)),
                    3 => (Ipv4Addr::from(inp.u32()), Ipv4Addr::from(inp.u32())),
                    _ => (rid(inp), addr(inp, ifc)),
                };
                v.extend_from_slice(&id.octets());
                v.extend_from_slice(&data.octets());
                let tos = inp.u8() % 3;
                v.extend_from_slice(&[lt, tos]);
                v.extend_from_slice(&inp.u16().to_be_bytes());
                for _ in 0..tos {
                    v.extend_from_slice(&inp.u32().to_be_bytes());
                }
            }
        }
        2 => {
            v.extend_from_slice(&[255, 255, 255, 0]);
            for _ in 0..inp.u8() % 6 {
                v.extend_from_slice(&rid(inp).octets());
            }
        }
        3 | 4 => {
            v.extend_from_slice(&inp.u32().to_be_bytes());
            v.extend_from_slice(&inp.u32().to_be_bytes());
        }
        5 | 7 => {
            v.extend_from_slice(&inp.u32().to_be_bytes());
            v.extend_from_slice(&inp.u32().to_be_bytes());
            v.extend_from_slice(&[0, 0, 0, 0]);
            v.extend_from_slice(&inp.u32().to_be_bytes());
        }
        _ => {
            let n = usize::from(inp.u8() % 32) * 4;
            v.extend(inp.bytes(n));
            v.resize(20 + n, 0);
        }
    }
    let len = if inp.u8() == 0xFF {
        inp.u16()
    } else {
        v.len() as u16
    };
    v[18..20].copy_from_slice(&len.to_be_bytes());
    if inp.u8() != 0xFF {
        let ck = lsa_checksum(&v).unwrap_or(0);
        v[16..18].copy_from_slice(&ck.to_be_bytes());
    }
    v
}

/// 20-byte LSA header: of an LSA we know (from our LSDB) or made up.
fn lsa_header(inp: &mut Input, ifc: &If, known: &[Vec<u8>]) -> Vec<u8> {
    if !known.is_empty() && inp.u8() < 200 {
        let mut h = known[usize::from(inp.u16()) % known.len()][..20].to_vec();
        match inp.u8() % 8 {
            // A newer instance than ours.
            0 => {
                let s = u32::from_be_bytes([h[12], h[13], h[14], h[15]]).wrapping_add(1);
                h[12..16].copy_from_slice(&s.to_be_bytes());
            }
            1 => h[0..2].copy_from_slice(&3600u16.to_be_bytes()),
            2 => h[16] ^= 1,
            _ => {}
        }
        h
    } else {
        let mut l = lsa(inp, ifc);
        l.truncate(20);
        l.resize(20, 0);
        l
    }
}

/// A well-formed AS-external LSA for `lsid`/24 from `adv`.
fn external(lsid: u32, adv: Ipv4Addr) -> Vec<u8> {
    let mut v = vec![0u8; 36];
    v[0..2].copy_from_slice(&1u16.to_be_bytes());
    v[2] = 0x02;
    v[3] = 5;
    v[4..8].copy_from_slice(&lsid.to_be_bytes());
    v[8..12].copy_from_slice(&adv.octets());
    v[12..16].copy_from_slice(&0x8000_0001u32.to_be_bytes());
    v[18..20].copy_from_slice(&36u16.to_be_bytes());
    v[20..24].copy_from_slice(&[255, 255, 255, 0]);
    v[27] = 20;
    let ck = lsa_checksum(&v).unwrap_or(0);
    v[16..18].copy_from_slice(&ck.to_be_bytes());
    v
}

/// An empty DD body.
fn dd_body(options: u8, flags: u8, seq: u32) -> Vec<u8> {
    let mut b = 1500u16.to_be_bytes().to_vec();
    b.extend_from_slice(&[options, flags]);
    b.extend_from_slice(&seq.to_be_bytes());
    b
}

/// A packet in `ifc`'s area from `sender`, checksummed and authenticated.
fn sealed(ifc: &If, ptype: u8, sender: Ipv4Addr, body: &[u8], auth_seq: u8) -> Vec<u8> {
    let len = 24 + body.len();
    let mut p = vec![0u8; len + 64];
    p[0] = 2;
    p[1] = ptype;
    p[2..4].copy_from_slice(&(len.min(0xFFFF) as u16).to_be_bytes());
    p[4..8].copy_from_slice(&sender.octets());
    p[8..12].copy_from_slice(&ifc.area.octets());
    p[24..len].copy_from_slice(body);
    match auth::sign(&mut p, len, &ifc.auth, 1000 + u32::from(auth_seq)) {
        Ok(n) => p.truncate(n),
        Err(_) => p.truncate(len),
    }
    p
}

/// Wraps a body into an OSPF packet and authenticates it for `ifc`.
fn finish(inp: &mut Input, ifc: &If, ptype: u8, sender: Ipv4Addr, body: &[u8]) -> Vec<u8> {
    let area = match inp.u8() {
        0..=239 => ifc.area,
        240..=247 => Ipv4Addr::new(0, 0, 0, 7),
        _ => Ipv4Addr::from(inp.u32()),
    };
    let len = 24 + body.len();
    let mut p = vec![0u8; len + 64];
    p[0] = 2;
    p[1] = ptype;
    p[2..4].copy_from_slice(&(len.min(0xFFFF) as u16).to_be_bytes());
    p[4..8].copy_from_slice(&sender.octets());
    p[8..12].copy_from_slice(&area.octets());
    p[24..len].copy_from_slice(body);
    // A cryptographic sequence number that mostly increases.
    let seq = 1000 + u32::from(inp.u8());
    match auth::sign(&mut p, len, &ifc.auth, seq) {
        Ok(n) => p.truncate(n),
        Err(_) => p.truncate(len),
    }
    p
}

struct Harness {
    inst: Instance,
    /// The router ID before the latest change.
    prev_rid: Ipv4Addr,
    area1_kind: AreaKind,
    now: Instant,
    ifs: Vec<If>,
    /// Interfaces currently up (by position in `ifs`).
    up: Vec<bool>,
    buf: Vec<u8>,
}

impl Harness {
    fn new(inp: &mut Input) -> Self {
        let now = Instant::from_secs(1);
        let seed = inp.u8();
        // The high bit of the seed byte caps the LSDB (LsdbFull), 0x20 adds Cisco's
        // ignore policy for the offending neighbor, 0x40 RFC 1765's external limit.
        let max_lsas = (seed & 0x80 != 0).then_some(usize::from(seed & 0x1F) + 4);
        let ignore = (seed & 0x20 != 0).then(|| {
            IgnorePolicy::new(Duration::from_secs(30))
                .ignore_count(1)
                .reset_time(Duration::from_secs(60))
        });
        let ext_limit = (seed & 0x40 != 0).then_some(usize::from(seed & 0x0F) + 2);
        let mut inst = Instance::new(
            InstanceConfig::new(ME)
                .jitter_seed(u64::from(seed))
                .max_lsas(max_lsas)
                .lsa_limit_ignore(ignore)
                .max_external_lsas(ext_limit)
                .exit_overflow_interval(Some(Duration::from_secs(20)))
                .lsdb_events(true),
            now,
        );
        let kind = match inp.u8() % 4 {
            0 => AreaKind::stub(false),
            1 => AreaKind::nssa(false),
            _ => AreaKind::Normal,
        };
        inst.add_area(now, AreaConfig::new(AREA1).kind(kind));
        let ifs = interfaces();
        for ifc in &ifs {
            // One byte: the priority, and for a few values (so that most seeds keep
            // their broadcast interfaces) an NBMA or point-to-multipoint type, with a
            // configured neighbor where the type has them.
            let b = inp.u8();
            let t = match (ifc.p2p, b / 3) {
                (true, _) => InterfaceType::PointToPoint,
                (false, 80..=81) => InterfaceType::Nbma,
                (false, 82..=83) => InterfaceType::PointToMultipoint,
                (false, 84..) => InterfaceType::PointToMultipointNonBroadcast,
                _ => InterfaceType::Broadcast,
            };
            let mut cfg = InterfaceConfig::new(Ipv4Addr::from(ifc.net + 1), ifc.prefix_len)
                .if_type(t)
                .area(ifc.area)
                .priority(b % 3)
                .auth(ifc.auth.clone());
            if t.is_non_broadcast() {
                cfg = cfg.neighbor(
                    StaticNeighbor::new(Ipv4Addr::from(ifc.net + 2))
                        .priority(1)
                        .poll_interval(5),
                );
            }
            inst.add_interface(now, ifc.ifindex, cfg)
                .expect("valid interface");
        }
        // With a normal area 1, a virtual link across it to a router ID the fuzzer speaks
        // as: backbone packets on interface 3 from that router are the link's (§8.2).
        if kind == AreaKind::Normal {
            inst.add_virtual_link(
                now,
                VirtualLinkConfig::new(AREA1, RIDS[0])
                    .hello_interval(2)
                    .dead_interval(8),
            )
            .expect("valid virtual link");
        }
        let up = vec![true; ifs.len()];
        let mut h = Harness {
            inst,
            prev_rid: ME,
            area1_kind: kind,
            now,
            ifs,
            up,
            buf: vec![0u8; 65536],
        };
        h.drain_and_check(false);
        h
    }

    fn ifc(&self, k: usize) -> &If {
        &self.ifs[k % self.ifs.len()]
    }

    /// LSAs of our LSDB (their raw images), for headers that match.
    fn known(&self) -> Vec<Vec<u8>> {
        self.inst
            .lsdb(self.now)
            .take(64)
            .map(|l| l.raw.to_vec())
            .collect()
    }

    fn deliver(&mut self, k: usize, src: Ipv4Addr, dst: Ipv4Addr, p: &[u8]) {
        let ifindex = self.ifc(k).ifindex;
        self.inst.handle_packet(self.now, ifindex, src, dst, p);
        self.drain_and_check(false);
    }

    fn step(&mut self, inp: &mut Input) {
        let op = inp.u8();
        let k = usize::from(inp.u8()) % self.ifs.len();
        let known = self.known();
        let ifc = &self.ifs[k];
        let dst = match inp.u8() % 8 {
            0 => Ipv4Addr::new(224, 0, 0, 6),
            1 => Ipv4Addr::from(ifc.net + 1),
            2 => Ipv4Addr::from(inp.u32()),
            _ => Ipv4Addr::new(224, 0, 0, 5),
        };
        match op % 16 {
            // Raw bytes, optionally with a repaired header and checksum.
            0 => {
                let src = addr(inp, ifc);
                let n = usize::from(inp.u16() % 600);
                let mut p = inp.bytes(n);
                let repair = inp.u8();
                if repair & 1 == 1 && p.len() >= 24 {
                    p[0] = 2;
                    p[1] = 1 + p[1] % 5;
                    let len = p.len().min(0xFFFF) as u16;
                    p[2..4].copy_from_slice(&len.to_be_bytes());
                    p[8..12].copy_from_slice(&ifc.area.octets());
                    p.resize(p.len() + 64, 0);
                    match auth::sign(&mut p, usize::from(len), &ifc.auth, 2000) {
                        Ok(n) => p.truncate(n),
                        Err(_) => p.truncate(usize::from(len)),
                    }
                }
                self.deliver(k, src, dst, &p);
            }
            // Hello.
            1 => {
                let sender = rid(inp);
                let src = addr(inp, ifc);
                let mut b = Vec::new();
                let mask = if inp.u8() < 230 {
                    u32::MAX << (32 - ifc.prefix_len)
                } else {
                    inp.u32()
                };
                b.extend_from_slice(&mask.to_be_bytes());
                let hello = if inp.u8() < 240 { 10 } else { inp.u16() };
                b.extend_from_slice(&hello.to_be_bytes());
                let options = if inp.u8() < 200 {
                    if ifc.area == AREA1 {
                        inp.u8() & 0x0A
                    } else {
                        0x02
                    }
                } else {
                    inp.u8()
                };
                b.push(options);
                b.push(inp.u8() % 4);
                let dead = if inp.u8() < 240 { 40 } else { inp.u32() };
                b.extend_from_slice(&dead.to_be_bytes());
                let dr = mentioned(inp, ifc);
                let bdr = mentioned(inp, ifc);
                b.extend_from_slice(&dr.octets());
                b.extend_from_slice(&bdr.octets());
                let n = match inp.u8() {
                    255 => usize::from(inp.u16() % 400),
                    x => usize::from(x % 5),
                };
                for _ in 0..n {
                    b.extend_from_slice(&mentioned(inp, ifc).octets());
                }
                let p = finish(inp, ifc, 1, sender, &b);
                self.deliver(k, src, dst, &p);
            }
            // Database Description.
            2 => {
                let sender = rid(inp);
                let src = addr(inp, ifc);
                let mut b = Vec::new();
                let mtu = match inp.u8() {
                    0..=229 => 1500,
                    230..=239 => 0,
                    _ => inp.u16(),
                };
                b.extend_from_slice(&mtu.to_be_bytes());
                let o = inp.u8();
                b.push(if o < 200 { 0x02 } else { o });
                b.push(inp.u8() & 0x0F);
                let seq = match inp.u8() {
                    0..=239 => 1000 + u32::from(inp.u8()),
                    _ => inp.u32(),
                };
                b.extend_from_slice(&seq.to_be_bytes());
                for _ in 0..inp.u8() % 6 {
                    b.extend(lsa_header(inp, ifc, &known));
                }
                let p = finish(inp, ifc, 2, sender, &b);
                self.deliver(k, src, dst, &p);
            }
            // Link State Request.
            3 => {
                let sender = rid(inp);
                let src = addr(inp, ifc);
                let mut b = Vec::new();
                for _ in 0..inp.u8() % 8 {
                    let h = lsa_header(inp, ifc, &known);
                    b.extend_from_slice(&u32::from(h[3]).to_be_bytes());
                    b.extend_from_slice(&h[4..12]);
                }
                let p = finish(inp, ifc, 3, sender, &b);
                self.deliver(k, src, dst, &p);
            }
            // Link State Update.
            4 | 5 => {
                let sender = rid(inp);
                let src = addr(inp, ifc);
                let n = inp.u8() % 5;
                let mut lsas = Vec::new();
                for _ in 0..n {
                    lsas.extend(lsa(inp, ifc));
                }
                let count = if inp.u8() == 0xFF {
                    inp.u32()
                } else {
                    u32::from(n)
                };
                let mut b = count.to_be_bytes().to_vec();
                b.extend(lsas);
                let p = finish(inp, ifc, 4, sender, &b);
                self.deliver(k, src, dst, &p);
            }
            // Link State Acknowledgment.
            6 => {
                let sender = rid(inp);
                let src = addr(inp, ifc);
                let mut b = Vec::new();
                for _ in 0..inp.u8() % 6 {
                    b.extend(lsa_header(inp, ifc, &known));
                }
                let p = finish(inp, ifc, 5, sender, &b);
                self.deliver(k, src, dst, &p);
            }
            // Time passes by a little or a lot.
            7 | 8 => {
                let d = match inp.u8() {
                    0..=199 => Duration::from_millis(u64::from(inp.u8()) * 40),
                    200..=249 => Duration::from_secs(u64::from(inp.u8())),
                    _ => Duration::from_secs(u64::from(inp.u16()) * 4),
                };
                self.now += d;
                self.timeout();
            }
            // Run the next timer, as an event loop would.
            9 => {
                for _ in 0..1 + inp.u8() % 8 {
                    if let Some(t) = self.inst.poll_timeout() {
                        self.now = self.now.max(t);
                    }
                    self.timeout();
                }
            }
            // Interface down / up.
            10 => {
                self.up[k] = !self.up[k];
                let (ifindex, up) = (self.ifs[k].ifindex, self.up[k]);
                self.inst
                    .set_interface_up(self.now, ifindex, up)
                    .expect("interface exists");
                self.drain_and_check(false);
            }
            // Redistribute / withdraw.
            11 => {
                let prefix = Ipv4Addr::from(0xCB00_0000 | (u32::from(inp.u8()) << 8));
                let len = inp.u8() % 33;
                let r = ExternalRoute::new(prefix, len)
                    .metric(inp.u32())
                    .e2(inp.u8() & 1 == 1)
                    .tag(inp.u32());
                self.inst.redistribute(self.now, r);
                self.drain_and_check(false);
            }
            12 => {
                let prefix = Ipv4Addr::from(0xCB00_0000 | (u32::from(inp.u8()) << 8));
                let len = inp.u8() % 33;
                self.inst.withdraw(self.now, prefix, len);
                self.drain_and_check(false);
            }
            13 => {
                match inp.u8() % 3 {
                    0 => {
                        let on = inp.u8() & 1 == 1;
                        self.inst.set_stub_router(self.now, on);
                    }
                    // summary-address over the redistributed prefixes.
                    1 => {
                        let p = Ipv4Addr::from(0xCB00_0000 | (u32::from(inp.u8()) << 8));
                        let sa = SummaryAddress::new(Prefix::new(p, 8 + inp.u8() % 25))
                            .advertise(inp.u8() & 1 == 1)
                            .tag(inp.u32());
                        let list = if inp.u8() & 1 == 1 { vec![sa] } else { vec![] };
                        self.inst.set_summary_addresses(self.now, list);
                    }
                    // Area ranges over the interfaces' networks (in either area).
                    _ => {
                        let area = if inp.u8() & 1 == 1 {
                            AREA1
                        } else {
                            Ipv4Addr::UNSPECIFIED
                        };
                        let kind = self
                            .inst
                            .areas()
                            .find(|a| a.id == area)
                            .map_or(AreaKind::Normal, |a| a.kind);
                        let p = Ipv4Addr::from(0x0A00_0000 | (u32::from(inp.u8()) << 8));
                        let r = AreaRange::new(Prefix::new(p, 8 + inp.u8() % 25))
                            .advertise(inp.u8() & 1 == 1)
                            .cost((inp.u8() & 1 == 1).then(|| inp.u32() & 0x00FF_FFFF));
                        let mut cfg = AreaConfig::new(area).kind(kind);
                        if inp.u8() & 1 == 1 {
                            cfg = cfg.range(r);
                        }
                        self.inst.add_area(self.now, cfg);
                    }
                }
                self.drain_and_check(false);
            }
            14 => {
                let ifindex = self.ifs[k].ifindex;
                match inp.u8() % 4 {
                    // Remove the interface and add it back as it was.
                    0 => {
                        let cfg = self.inst.interface(ifindex).map(|i| i.config.clone());
                        self.inst
                            .remove_interface(self.now, ifindex)
                            .expect("interface exists");
                        self.drain_and_check(false);
                        let cfg = cfg.expect("interface exists");
                        self.inst
                            .add_interface(self.now, ifindex, cfg)
                            .expect("re-added");
                        self.up[k] = true;
                    }
                    // A new router ID (possibly a neighbor's), or ours back.
                    1 => {
                        let id = [ME, Ipv4Addr::new(1, 1, 1, 2), Ipv4Addr::new(2, 2, 2, 2)]
                            [usize::from(inp.u8() % 3)];
                        // Flushes of the old ID's LSAs go out with the old ID.
                        self.prev_rid = self.inst.router_id();
                        self.inst.set_router_id(self.now, id);
                    }
                    _ => {
                        let cost = inp.u16();
                        let _ = self.inst.set_interface_cost(self.now, ifindex, cost);
                    }
                }
                self.drain_and_check(false);
            }
            _ => match inp.u8() {
                0x5D => {
                    self.inst.shutdown(self.now);
                    self.drain_and_check(false);
                }
                // Shortcut to a Full adjacency (the peer is the DD master when its
                // router ID is higher than ours), so that deep states are one step away.
                x if x & 1 == 0 => {
                    let sender = rid(inp);
                    let src = Ipv4Addr::from(ifc.net + 2 + u32::from(inp.u8() % 3));
                    let seq = 1000 + u32::from(inp.u8());
                    let auth_seq = inp.u8();
                    let options = match self.area1_kind {
                        AreaKind::Stub { .. } if ifc.area == AREA1 => 0x00,
                        AreaKind::Nssa { .. } if ifc.area == AREA1 => 0x08,
                        _ => 0x02,
                    };
                    let mask = u32::MAX << (32 - ifc.prefix_len);
                    let mut hb = mask.to_be_bytes().to_vec();
                    hb.extend_from_slice(&10u16.to_be_bytes());
                    hb.extend_from_slice(&[options, 1]);
                    hb.extend_from_slice(&40u32.to_be_bytes());
                    // The peer declares itself DR: on a broadcast network we then
                    // elect it at once and form the adjacency.
                    let dr = if ifc.p2p { Ipv4Addr::UNSPECIFIED } else { src };
                    hb.extend_from_slice(&dr.octets());
                    hb.extend_from_slice(&[0; 4]);
                    hb.extend_from_slice(&ME.octets());
                    let pkts = [
                        (1, hb),
                        (2, dd_body(options, 0x07, seq)),
                        (2, dd_body(options, 0x01, seq + 1)),
                    ];
                    let pkts: Vec<Vec<u8>> = pkts
                        .iter()
                        .map(|(t, b)| sealed(ifc, *t, sender, b, auth_seq))
                        .collect();
                    for p in pkts {
                        self.deliver(k, src, dst, &p);
                    }
                }
                // Issue 14's abuse, in bursts: a Hello flood from forged router IDs, an
                // AS-external storm, an LS Request repeating one entry.
                x if x & 3 == 1 => {
                    let sender = rid(inp);
                    let src = Ipv4Addr::from(ifc.net + 2 + u32::from(inp.u8() % 3));
                    let auth_seq = inp.u8();
                    let n = 1 + usize::from(inp.u8()) * 2;
                    let base = inp.u32();
                    let pkts: Vec<Vec<u8>> = match (x >> 2) % 3 {
                        0 => {
                            let sees_us = inp.u8() & 1 == 1;
                            let options = if ifc.area == AREA1 {
                                match self.area1_kind {
                                    AreaKind::Stub { .. } => 0x00,
                                    AreaKind::Nssa { .. } => 0x08,
                                    _ => 0x02,
                                }
                            } else {
                                0x02
                            };
                            (0..n as u32)
                                .map(|j| {
                                    let mask = u32::MAX << (32 - ifc.prefix_len);
                                    let mut hb = mask.to_be_bytes().to_vec();
                                    hb.extend_from_slice(&10u16.to_be_bytes());
                                    hb.extend_from_slice(&[options, 1]);
                                    hb.extend_from_slice(&40u32.to_be_bytes());
                                    hb.extend_from_slice(&[0; 8]);
                                    if sees_us {
                                        hb.extend_from_slice(&ME.octets());
                                    }
                                    let forged = Ipv4Addr::from(base.wrapping_add(j) | 1);
                                    sealed(ifc, 1, forged, &hb, auth_seq)
                                })
                                .collect()
                        }
                        1 => {
                            let lsas: Vec<Vec<u8>> = (0..n as u32)
                                .map(|j| external(base.wrapping_add(j) << 8, sender))
                                .collect();
                            lsas.chunks(30)
                                .map(|c| {
                                    let mut b = (c.len() as u32).to_be_bytes().to_vec();
                                    for l in c {
                                        b.extend_from_slice(l);
                                    }
                                    sealed(ifc, 4, sender, &b, auth_seq)
                                })
                                .collect()
                        }
                        _ => {
                            let h = lsa_header(inp, ifc, &known);
                            let mut b = Vec::new();
                            for _ in 0..n.min(120) {
                                b.extend_from_slice(&u32::from(h[3]).to_be_bytes());
                                b.extend_from_slice(&h[4..12]);
                            }
                            vec![sealed(ifc, 3, sender, &b, auth_seq)]
                        }
                    };
                    for p in pkts {
                        self.deliver(k, src, dst, &p);
                    }
                }
                _ => self.drain_and_check(false),
            },
        }
    }

    /// `handle_timeout(now)` as an event loop calls it. A timer may be re-armed for `now`
    /// itself (e.g. an immediate Hello after a DR change caused by a dead neighbor), but
    /// the deadline must move past `now` within a few rounds: the loop never spins.
    fn timeout(&mut self) {
        for _ in 0..4 {
            self.inst.handle_timeout(self.now);
            self.drain_and_check(true);
            if self.inst.poll_timeout().is_none_or(|t| t > self.now) {
                return;
            }
        }
        panic!(
            "deadline stuck at {:?} after repeated handle_timeout",
            self.inst.poll_timeout()
        );
    }

    /// Drains every output and checks the invariants.
    fn drain_and_check(&mut self, after_timeout: bool) {
        let now = self.now;
        let mut timeout = None;
        let mut n = 0usize;
        while let Some(o) = self.inst.poll_output(now, &mut self.buf) {
            n += 1;
            assert!(n < 1_000_000, "poll_output never ends");
            match o {
                Output::Transmit(t) if t.ifindex >= VIRTUAL_LINK_IFINDEX_BASE => {
                    // A virtual link's packet: from our address on a transit-area
                    // interface, unicast, with the link's (null) authentication.
                    assert!(
                        self.inst.virtual_links().any(|v| v.ifindex == t.ifindex),
                        "transmit on a configured virtual link"
                    );
                    let ifc = self
                        .ifs
                        .iter()
                        .find(|i| i.area == AREA1 && t.src == Ipv4Addr::from(i.net + 1))
                        .expect("virtual link source is a transit-area address");
                    assert!(!t.dst.is_multicast(), "virtual link packets are unicast");
                    let vl = If {
                        ifindex: t.ifindex,
                        net: ifc.net,
                        prefix_len: 32,
                        area: Ipv4Addr::UNSPECIFIED,
                        auth: AuthConfig::Null,
                        p2p: true,
                    };
                    check_sent(
                        &self.buf[..t.len],
                        &vl,
                        [self.inst.router_id(), self.prev_rid],
                    );
                }
                Output::Transmit(t) => {
                    let ifc = self
                        .ifs
                        .iter()
                        .find(|i| i.ifindex == t.ifindex)
                        .expect("transmit on a known interface");
                    assert_eq!(t.src, Ipv4Addr::from(ifc.net + 1), "source address");
                    check_sent(
                        &self.buf[..t.len],
                        ifc,
                        [self.inst.router_id(), self.prev_rid],
                    );
                }
                Output::Timeout(at) => {
                    assert!(timeout.is_none(), "one Timeout per drain");
                    timeout = Some(at);
                }
                _ => {}
            }
        }
        let next = self.inst.poll_timeout();
        if let Some(at) = timeout {
            assert_eq!(
                Some(at),
                next.or(Some(Instant::MAX)),
                "Timeout == poll_timeout"
            );
        }
        if after_timeout {
            // Never in the past: everything due at `now` ran.
            if let Some(t) = next {
                assert!(t >= now, "deadline {t:?} before handle_timeout({now:?})");
            }
        }
        // LSDB: checksums, count.
        let mut count = 0;
        let mut foreign = 0;
        let mut foreign_ext = 0;
        let mut own_live_ext = 0;
        for l in self.inst.lsdb(now) {
            count += 1;
            let non_default_ext = l.key.lsa_type == 5 && !l.key.lsid.is_unspecified();
            if !l.self_originated {
                foreign += 1;
                foreign_ext += usize::from(non_default_ext);
            } else if non_default_ext && l.header.age < 3600 {
                own_live_ext += 1;
            }
            assert!(
                lsa_checksum_ok(l.raw),
                "LSA with a bad checksum: {:?}",
                l.key
            );
            assert_eq!(usize::from(l.header.length), l.raw.len(), "length field");
        }
        assert_eq!(count, self.inst.lsdb_len(), "lsdb_len");
        if let Some(max) = self.inst.config().max_lsas {
            // Every installation of another router's LSA goes through one check of the
            // limit (our own are never refused).
            assert!(foreign <= max, "{foreign} LSAs over the limit of {max}");
        }
        if let Some(max) = self.inst.config().max_external_lsas {
            assert!(
                foreign_ext <= max,
                "{foreign_ext} AS-external LSAs over RFC 1765's limit of {max}"
            );
        }
        if self.inst.is_overflowed() {
            assert_eq!(
                own_live_ext, 0,
                "our AS-external LSAs live in OverflowState"
            );
        }
        for n in self.inst.limit_state(now).ignored {
            assert!(
                !self.inst.neighbors().any(|x| x.router_id == n.router_id),
                "ignored neighbor {} still there",
                n.router_id
            );
        }
        // Neighbor tables stay bounded (one Hello at the MTU lists them all), whatever
        // Hello flood came in.
        for ifc in self.inst.interfaces() {
            let cap = (usize::from(ifc.config.mtu).saturating_sub(20 + 24 + 20 + 64) / 4).max(1);
            assert!(
                ifc.neighbor_count <= cap,
                "{} neighbors over the cap of {cap}",
                ifc.neighbor_count
            );
        }
        // Neighbors: on existing, operational interfaces.
        for ifc in self.inst.interfaces() {
            let ours = self
                .inst
                .neighbors()
                .filter(|n| n.ifindex == ifc.ifindex)
                .count();
            assert_eq!(ours, ifc.neighbor_count);
            if ifc.state == InterfaceState::Down {
                assert_eq!(ours, 0, "neighbors on a Down interface");
            }
        }
        for nb in self.inst.neighbors() {
            assert!(
                self.ifs.iter().any(|i| i.ifindex == nb.ifindex)
                    || self.inst.virtual_links().any(|v| v.ifindex == nb.ifindex),
                "neighbor on an unknown interface"
            );
            assert_ne!(
                nb.router_id,
                self.inst.router_id(),
                "ourselves as a neighbor"
            );
        }
    }
}

/// A packet we send must be valid: framing, authentication, body and its LSAs.
fn check_sent(bytes: &[u8], ifc: &If, rids: [Ipv4Addr; 2]) {
    let p = Packet::new_checked(bytes).expect("sent packet framing");
    let len = usize::from(p.packet_len());
    auth::verify(bytes, len, &ifc.auth).expect("sent packet authenticates");
    let repr = PacketRepr::parse(&p).expect("sent packet body");
    assert!(
        rids.contains(&repr.router_id),
        "sent with router ID {}",
        repr.router_id
    );
    if let BodyRepr::LsUpdate(u) = repr.body {
        let mut n = 0;
        for l in u.lsas.slices() {
            n += 1;
            assert!(lsa_checksum_ok(l), "sent LSA checksum");
        }
        assert_eq!(n, u.lsas.len(), "sent LSA framing");
    }
}

fuzz_target!(|data: &[u8]| {
    let mut inp = Input { data };
    let mut h = Harness::new(&mut inp);
    let mut steps = 0;
    while !inp.done() && steps < 400 {
        h.step(&mut inp);
        steps += 1;
    }
    if std::env::var_os("ENGINE_FUZZ_DEBUG").is_some() {
        for n in h.inst.neighbors() {
            eprintln!("neighbor {:?} on {}: {:?}", n.router_id, n.ifindex, n.state);
        }
        eprintln!(
            "lsdb {} LSAs, {} routes",
            h.inst.lsdb_len(),
            h.inst.routes().count()
        );
    }
});
