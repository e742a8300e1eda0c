//! Benches of the protocol engine: LSDB installation, database synchronization of two
//! instances over 100k LSAs, convergence of a 100-router mesh, and LSDB memory per LSA.

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use std::hint::black_box;
use std::net::Ipv4Addr;
use std::time::Instant as StdInstant;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::ExternalRoute;
use ospf_core::lsdb::{Lsdb, lsa_checksum, lsa_checksum_ok};
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{NodeId, Sim, SimConfig};
use ospf_core::time::{Duration, Instant};

/// Counts heap bytes, to measure memory per LSA.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Live heap bytes of the whole process.
fn live() -> isize {
    let s = GLOBAL.stats();
    s.bytes_allocated as isize - s.bytes_deallocated as isize
}

/// A 36-byte AS-External LSA for 10.x.y.0/24 from `adv`.
fn external(i: u32, adv: Ipv4Addr) -> Box<[u8]> {
    let mut v = vec![0u8; 36];
    v[0..2].copy_from_slice(&1u16.to_be_bytes());
    v[2] = 0x02;
    v[3] = 5;
    v[4..8].copy_from_slice(&(0x0A00_0000u32 | (i << 8)).to_be_bytes());
    v[8..12].copy_from_slice(&adv.octets());
    v[12..16].copy_from_slice(&0x8000_0001u32.to_be_bytes());
    v[18..20].copy_from_slice(&36u16.to_be_bytes());
    v[20..24].copy_from_slice(&[255, 255, 255, 0]);
    v[24] = 0x80;
    v[27] = 20;
    let ck = lsa_checksum(&v).unwrap();
    v[16..18].copy_from_slice(&ck.to_be_bytes());
    v.into_boxed_slice()
}

/// A scattered order, so that inserts are not all appends.
fn scattered(n: u32) -> Vec<u32> {
    (0..n)
        .map(|i| i.wrapping_mul(2_654_435_761) % (1 << 22))
        .collect()
}

fn bench_lsdb_install(c: &mut Criterion) {
    const N: u32 = 100_000;
    let adv = Ipv4Addr::new(192, 0, 2, 1);
    let lsas: Vec<Box<[u8]>> = scattered(N).into_iter().map(|i| external(i, adv)).collect();
    let mut g = c.benchmark_group("lsdb");
    g.throughput(Throughput::Elements(u64::from(N)));
    g.bench_function("install", |b| {
        b.iter_batched(
            || lsas.clone(),
            |lsas| {
                let mut db = Lsdb::new();
                let now = Instant::from_secs(1);
                for raw in lsas {
                    // What installing a received LSA costs: verify, then store.
                    if lsa_checksum_ok(&raw) {
                        let _ = db.insert(raw, now);
                    }
                }
                black_box(db)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn p2p(a: [u8; 4]) -> InterfaceConfig {
    InterfaceConfig::new(Ipv4Addr::from(a), 30).if_type(InterfaceType::PointToPoint)
}

/// A sim where router A holds `n` AS-External LSAs, and B is not yet linked to it.
fn sync_setup(n: u32) -> (Sim, NodeId, NodeId) {
    let mut sim = Sim::new(SimConfig::seeded(1).record_events(false));
    let cfg = |id| InstanceConfig::new(id).lsdb_events(false);
    let a = sim.add_router(cfg(Ipv4Addr::new(1, 1, 1, 1)));
    let b = sim.add_router(cfg(Ipv4Addr::new(2, 2, 2, 2)));
    // A is attached to the backbone (a loopback) so that it originates AS-External LSAs
    // for what it redistributes (an ASBR with no normal area attached originates none).
    let lo = Ipv4Addr::new(1, 1, 1, 1);
    sim.attach_alone(
        a,
        InterfaceConfig::new(lo, 32).if_type(InterfaceType::Loopback),
    );
    sim.command(a, |inst, now| {
        for i in 0..n {
            let p = Ipv4Addr::from(0x0A00_0000u32 | (i << 8));
            inst.redistribute(now, ExternalRoute::new(p, 24));
        }
    });
    // The externals and A's Router-LSA.
    assert_eq!(sim.instance(a).unwrap().lsdb_len(), n as usize + 1);
    (sim, a, b)
}

fn full(sim: &Sim, n: NodeId) -> bool {
    let i = sim.instance(n).unwrap();
    i.neighbors().count() == 1 && i.neighbors().all(|x| x.state == NeighborState::Full)
}

/// Links A and B and runs until both are Full; returns the virtual time it took.
fn sync_run(sim: &mut Sim, a: NodeId, b: NodeId) -> Duration {
    let start = sim.now();
    sim.link(a, p2p([10, 0, 0, 1]), b, p2p([10, 0, 0, 2]));
    while !(full(sim, a) && full(sim, b)) {
        assert!(sim.step(), "nothing left to do before Full");
        assert!(sim.now() - start < Duration::from_secs(120), "no sync");
    }
    sim.now() - start
}

fn bench_sync(c: &mut Criterion) {
    const N: u32 = 100_000;
    {
        let (mut sim, a, b) = sync_setup(N);
        let t0 = StdInstant::now();
        let virt = sync_run(&mut sim, a, b);
        let cpu = t0.elapsed();
        assert_eq!(sim.instance(b).unwrap().lsdb_len(), N as usize + 2);
        let s = sim.stats();
        eprintln!(
            "sim/sync_100k: virtual {virt:?}, real {cpu:?}, {} packets",
            s.delivered
        );
    }
    let mut g = c.benchmark_group("sim");
    g.sample_size(10);
    g.bench_function("sync_100k", |bn| {
        bn.iter_batched(
            || sync_setup(N),
            |(mut sim, a, b)| {
                black_box(sync_run(&mut sim, a, b));
                sim
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// A 100-router mesh: a ring plus 60 random chords, each router redistributing a prefix.
fn mesh_setup(seed: u64) -> (Sim, Vec<NodeId>) {
    let mut sim = Sim::new(SimConfig::seeded(seed).record_events(false));
    let n = 100u32;
    let nodes: Vec<NodeId> = (1..=n)
        .map(|i| {
            sim.add_router(InstanceConfig::new(Ipv4Addr::from(0x0A00_0000 | i)).lsdb_events(false))
        })
        .collect();
    let mut rng = ospf_core::config::Prng::new(seed);
    let mut subnet = 0u32;
    let mut pairs: Vec<(usize, usize)> =
        (0..n as usize).map(|i| (i, (i + 1) % n as usize)).collect();
    for _ in 0..60 {
        let a = rng.below(u64::from(n)) as usize;
        let b = rng.below(u64::from(n)) as usize;
        if a != b {
            pairs.push((a, b));
        }
    }
    for (a, b) in pairs {
        subnet += 1;
        let base = 0xC0A8_0000u32 + subnet * 4;
        sim.link(
            nodes[a],
            p2p((base + 1).to_be_bytes()),
            nodes[b],
            p2p((base + 2).to_be_bytes()),
        );
    }
    for (i, node) in nodes.iter().enumerate() {
        let p = Ipv4Addr::from(0xAC10_0000u32 + ((i as u32) << 8));
        sim.command(*node, |inst, now| {
            inst.redistribute(now, ExternalRoute::new(p, 24))
        });
    }
    (sim, nodes)
}

fn converged(sim: &Sim, nodes: &[NodeId]) -> bool {
    let all_full = nodes.iter().all(|n| {
        sim.instance(*n)
            .unwrap()
            .neighbors()
            .all(|x| x.state == NeighborState::Full)
    });
    if !all_full {
        return false;
    }
    let first = sim.lsdb_fingerprint(nodes[0]);
    first.len() == 200 && nodes.iter().all(|n| sim.lsdb_fingerprint(*n) == first)
}

fn converge_run(sim: &mut Sim, nodes: &[NodeId]) -> Duration {
    let start = sim.now();
    sim.run_until_true(Duration::from_secs(600), Duration::from_millis(100), |s| {
        converged(s, nodes)
    })
    .expect("mesh converges");
    sim.now() - start
}

fn bench_converge(c: &mut Criterion) {
    {
        let (mut sim, nodes) = mesh_setup(1);
        let t0 = StdInstant::now();
        let virt = converge_run(&mut sim, &nodes);
        eprintln!(
            "sim/converge_100: virtual {virt:?}, real {:?}, {} packets",
            t0.elapsed(),
            sim.stats().delivered
        );
    }
    let mut g = c.benchmark_group("sim");
    g.sample_size(10);
    g.bench_function("converge_100", |bn| {
        bn.iter_batched(
            || mesh_setup(1),
            |(mut sim, nodes)| {
                black_box(converge_run(&mut sim, &nodes));
                sim
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// Heap bytes per LSA: an `Lsdb` of 100k 36-byte AS-External LSAs, and a whole instance
/// holding them after a synchronization.
fn memory_per_lsa(_c: &mut Criterion) {
    const N: u32 = 100_000;
    let adv = Ipv4Addr::new(192, 0, 2, 1);
    let lsas: Vec<Box<[u8]>> = scattered(N).into_iter().map(|i| external(i, adv)).collect();
    let before = live();
    let mut db = Lsdb::new();
    // The LSDB keeps the boxes it is given: count them as its own.
    let boxes = (N as isize) * 36;
    for raw in lsas {
        let _ = db.insert(raw, Instant::from_secs(1));
    }
    let after = live();
    // `lsas` (the Vec of boxes) was freed by the loop; its boxes now live in `db`.
    let vec_bytes = (N as isize) * std::mem::size_of::<Box<[u8]>>() as isize;
    let per = (after - before + vec_bytes + boxes) as f64 / f64::from(N);
    eprintln!("lsdb memory: {per:.1} bytes per 36-byte AS-External LSA (scattered inserts)");
    black_box(&db);
    drop(db);

    let (mut sim, a, b) = sync_setup(N);
    let before = live();
    sync_run(&mut sim, a, b);
    // B's whole instance grew from ~0 to N LSAs (plus neighbor state and queues). At the
    // moment both are Full it also still remembers each LSA it installed as an answer to
    // its LS Requests (`unflooded_installs`, MinLSArrival's exemption: about 54 B per LSA,
    // forgotten by the first LSDB walk once MinLSArrival has passed), and it has no routes
    // yet (A's Router-LSA listing B waits for MinLSInterval).
    let after = live();
    let per = (after - before) as f64 / f64::from(N);
    eprintln!("instance memory after sync: {per:.1} bytes per LSA (receiver, whole sim delta / N)");
    // Settled: the requested LSAs are forgotten, and B has calculated a route for each
    // external (and for A's loopback and the link).
    sim.run_for(Duration::from_secs(10));
    assert_eq!(
        sim.instance(b).unwrap().routes().count(),
        N as usize + 2,
        "routes not calculated"
    );
    let after = live();
    let per = (after - before) as f64 / f64::from(N);
    eprintln!(
        "instance memory settled: {per:.1} bytes per LSA (receiver with its routes, 10 s after Full, whole sim delta / N)"
    );
}

criterion_group!(
    benches,
    bench_lsdb_install,
    bench_sync,
    bench_converge,
    memory_per_lsa
);
criterion_main!(benches);
