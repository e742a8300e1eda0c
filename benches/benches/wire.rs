//! Wire codec and checksum benchmarks.
//!
//! * `wire/hello_decode`: checked view, parse and packet checksum of a Hello with two
//!   neighbors.
//! * `wire/lsupdate_decode`: an LS Update of 50 mixed LSAs: framing, parse, and every
//!   LSA's Fletcher checksum verified and body parsed.
//! * `wire/lsupdate_encode`: emitting that update from raw LSAs (as flooding does).
//! * `wire/lsa_originate_50`: encoding the 50 LSAs from their `Repr`s (Fletcher included).
//! * `checksum/fletcher_1500`, `checksum/ip_1500`: the two checksums over 1500 bytes.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ospf_core::wire::{
    AuthField, BodyRepr, ExternalLsa, HelloRepr, Ipv4Addr, LinkType, List, LsUpdateRepr, LsaBody,
    LsaHeader, LsaList, LsaRepr, LsaType, NetworkLsa, OpaqueLsa, Options, Packet, PacketRepr,
    RouterFlags, RouterLink, RouterLinks, RouterLsa, SummaryLsa, checksum,
};

fn ip(a: u8, b: u8, c: u8, d: u8) -> Ipv4Addr {
    Ipv4Addr::new(a, b, c, d)
}

fn header(t: LsaType, lsid: Ipv4Addr) -> LsaHeader {
    LsaHeader {
        age: 1,
        options: Options::E,
        lsa_type: t,
        lsid,
        adv_router: ip(10, 0, 0, 1),
        seq: 0x8000_0001,
        checksum: 0,
        length: 0,
    }
}

/// 50 LSAs: 10 router (2-5 links), 5 network, 15 summary, 15 external, 5 opaque.
fn mixed_lsas() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut emit = |r: LsaRepr<'_>| {
        let mut b = vec![0u8; r.buffer_len()];
        r.emit(&mut b).unwrap();
        out.push(b);
    };
    for i in 0..10u8 {
        let links: Vec<RouterLink<'_>> = (0..2 + i % 4)
            .map(|j| RouterLink {
                id: ip(10, i, j, 0),
                data: ip(255, 255, 255, 0),
                link_type: if j == 0 {
                    LinkType::Transit
                } else {
                    LinkType::Stub
                },
                metric: 10,
                tos: &[],
            })
            .collect();
        emit(LsaRepr {
            header: header(LsaType::Router, ip(10, 0, 0, i)),
            body: LsaBody::Router(RouterLsa {
                flags: RouterFlags::B,
                links: RouterLinks::Slice(&links),
            }),
        });
    }
    let routers = [ip(1, 1, 1, 1), ip(2, 2, 2, 2), ip(3, 3, 3, 3)];
    for i in 0..5u8 {
        emit(LsaRepr {
            header: header(LsaType::Network, ip(10, 1, i, 1)),
            body: LsaBody::Network(NetworkLsa {
                mask: ip(255, 255, 255, 0),
                routers: List::Slice(&routers),
            }),
        });
    }
    for i in 0..15u8 {
        emit(LsaRepr {
            header: header(LsaType::SummaryNetwork, ip(172, 16, i, 0)),
            body: LsaBody::Summary(SummaryLsa {
                mask: ip(255, 255, 255, 0),
                metric: 20,
                tos: &[],
            }),
        });
    }
    for i in 0..15u8 {
        emit(LsaRepr {
            header: header(LsaType::AsExternal, ip(203, 0, i, 0)),
            body: LsaBody::External(ExternalLsa {
                mask: ip(255, 255, 255, 0),
                e2: true,
                metric: 20,
                forwarding: Ipv4Addr::UNSPECIFIED,
                tag: 0,
                tos: &[],
            }),
        });
    }
    let data = [0u8; 28];
    for i in 0..5u8 {
        let lsid = ip(4, 0, 0, i);
        emit(LsaRepr {
            header: header(LsaType::OpaqueArea, lsid),
            body: LsaBody::Opaque(OpaqueLsa::parse(lsid, &data)),
        });
    }
    out
}

fn packet(body: BodyRepr<'_>) -> Vec<u8> {
    let r = PacketRepr {
        router_id: ip(10, 0, 0, 1),
        area_id: Ipv4Addr::UNSPECIFIED,
        auth: AuthField::Null,
        body,
    };
    let mut b = vec![0u8; r.buffer_len()];
    r.emit(&mut Packet::new_unchecked(&mut b[..])).unwrap();
    b
}

fn bench_wire(c: &mut Criterion) {
    let neighbors = [ip(10, 0, 0, 2), ip(10, 0, 0, 3)];
    let hello = packet(BodyRepr::Hello(HelloRepr {
        network_mask: ip(255, 255, 255, 0),
        hello_interval: 10,
        options: Options::E,
        priority: 1,
        dead_interval: 40,
        dr: ip(10, 0, 0, 1),
        bdr: ip(10, 0, 0, 2),
        neighbors: List::Slice(&neighbors),
    }));
    c.bench_function("wire/hello_decode", |b| {
        b.iter(|| {
            // As the engine receives: checked view, checksum, parse.
            let p = Packet::new_checked(black_box(&hello[..])).unwrap();
            assert!(p.verify_checksum());
            let r = PacketRepr::parse(&p).unwrap();
            // Observe the result in place (moving it out would time a struct copy).
            black_box(&r);
        })
    });

    let lsas = mixed_lsas();
    assert_eq!(lsas.len(), 50);
    let raw: Vec<&[u8]> = lsas.iter().map(Vec::as_slice).collect();
    let update = packet(BodyRepr::LsUpdate(LsUpdateRepr {
        lsas: LsaList::Raw(&raw),
    }));
    let mut g = c.benchmark_group("wire");
    g.throughput(Throughput::Elements(50));
    g.bench_function("lsupdate_decode", |b| {
        b.iter(|| {
            let (_, r) = PacketRepr::decode(black_box(&update[..])).unwrap();
            let BodyRepr::LsUpdate(u) = r.body else {
                unreachable!()
            };
            let mut n = 0;
            for l in u.lsas.iter() {
                l.check_checksum().unwrap();
                black_box(LsaRepr::parse(&l).unwrap());
                n += 1;
            }
            assert_eq!(n, 50);
        })
    });
    let mut out = vec![0u8; update.len()];
    g.bench_function("lsupdate_encode", |b| {
        b.iter(|| {
            let r = PacketRepr {
                router_id: ip(10, 0, 0, 1),
                area_id: Ipv4Addr::UNSPECIFIED,
                auth: AuthField::Null,
                body: BodyRepr::LsUpdate(LsUpdateRepr {
                    lsas: LsaList::Raw(black_box(&raw)),
                }),
            };
            r.emit(&mut Packet::new_unchecked(&mut out[..])).unwrap();
            black_box(&out);
        })
    });
    let parsed: Vec<LsaRepr<'_>> = raw
        .iter()
        .map(|b| LsaRepr::parse(&ospf_core::wire::Lsa::new_checked(*b).unwrap()).unwrap())
        .collect();
    let mut buf = vec![0u8; 256];
    g.bench_function("lsa_originate_50", |b| {
        b.iter(|| {
            for r in black_box(&parsed) {
                black_box(r.emit(&mut buf).unwrap());
            }
        })
    });
    g.finish();
}

fn bench_checksums(c: &mut Criterion) {
    let data: Vec<u8> = (0..1500u32).map(|i| (i * 7 + 3) as u8).collect();
    let mut g = c.benchmark_group("checksum");
    g.throughput(Throughput::Bytes(1500));
    g.bench_function("fletcher_1500", |b| {
        b.iter(|| checksum::lsa_fletcher(black_box(&data)))
    });
    g.bench_function("ip_1500", |b| b.iter(|| checksum::ip(black_box(&data))));
    g.finish();
}

criterion_group!(benches, bench_wire, bench_checksums);
criterion_main!(benches);
