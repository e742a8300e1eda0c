//! Kernel route installation: 10k and 100k routes with 4-way ECMP.
//!
//! Runs as root inside a network namespace it creates (a veth with four on-link
//! gateways); without root it prints why and benches nothing. Throughput is routes per
//! second. `kernel_fib_ack_all` asks for an ack of every request (the default asks only
//! for the last of each window; failures are answered either way). `ip_batch` measures
//! `ip -batch` on the same work (routes pointing at one nexthop group,
//! `ip route add PREFIX nhid G` per line), for comparison.
//! `fib_path_change_ecmp4_to_3` times the update when one of the four gateways leaves
//! every route (one group rewrite in the kernel).

use std::io::Write;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ospf_std::fib::{Fib, KernelFib, KernelFibConfig, NextHop, Prefix, Route, RouteChange};
use ospf_testbed::netns::NetNs;
use ospf_testbed::require_root;

const SIZES: [u32; 2] = [10_000, 100_000];

fn prefix(i: u32) -> Prefix {
    // 32.0.0.0/24, 32.0.1.0/24, ...
    Prefix::try_new(Ipv4Addr::from(0x2000_0000 + (i << 8)), 24).unwrap()
}

fn setup() -> (NetNs, u32) {
    let ns = NetNs::new("ospfbench-fib").expect("ip netns add");
    ns.ip("link add fib0 type veth peer name fib1").unwrap();
    ns.ip("addr add 10.99.0.1/24 dev fib0").unwrap();
    ns.ip("link set fib1 up").unwrap();
    ns.ip("link set fib0 up").unwrap();
    let out = ns.ip("-o link show fib0").unwrap();
    let ifindex = out.split(':').next().unwrap().trim().parse().unwrap();
    (ns, ifindex)
}

fn bench_fib(c: &mut Criterion) {
    if !require_root("fib bench", "a network namespace and kernel routes") {
        return;
    }
    let (ns, ifindex) = setup();
    let _in = ns.enter().expect("enter namespace");
    let gws: Vec<NextHop> = (2..=5)
        .map(|l| NextHop::new(Ipv4Addr::new(10, 99, 0, l), ifindex))
        .collect();

    let mut g = c.benchmark_group("fib_install_ecmp4");
    g.sample_size(10);
    for n in SIZES {
        let changes: Vec<RouteChange> = (0..n)
            .map(|i| RouteChange::Add(Route::new(prefix(i), gws.iter().copied())))
            .collect();
        g.throughput(Throughput::Elements(u64::from(n)));
        for (name, ack_all) in [("kernel_fib", false), ("kernel_fib_ack_all", true)] {
            let cfg = KernelFibConfig {
                ack_all,
                ..Default::default()
            };
            g.bench_with_input(BenchmarkId::new(name, n), &changes, |b, changes| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let mut fib = KernelFib::new(cfg.clone()).unwrap();
                        let t = Instant::now();
                        fib.apply(changes).unwrap();
                        total += t.elapsed();
                        assert_eq!(fib.len(), changes.len());
                        fib.flush().unwrap();
                    }
                    total
                })
            });
        }

        // The same work through `ip -batch`: one group, then one route line per prefix.
        let path =
            std::env::temp_dir().join(format!("ospf-fib-bench-{}-{n}.batch", std::process::id()));
        {
            let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            for (id, gw) in (1..).zip(&gws) {
                writeln!(f, "nexthop add id {id} via {} dev fib0", gw.gateway).unwrap();
            }
            writeln!(f, "nexthop add id 10 group 1/2/3/4").unwrap();
            for i in 0..n {
                writeln!(f, "route add {} nhid 10 proto ospf metric 20", prefix(i)).unwrap();
            }
        }
        g.bench_with_input(BenchmarkId::new("ip_batch", n), &path, |b, path| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    let st = ns.command("ip").arg("-batch").arg(path).status().unwrap();
                    total += t.elapsed();
                    assert!(st.success());
                    ns.ip("nexthop flush").unwrap();
                }
                total
            })
        });
        let _ = std::fs::remove_file(&path);
    }
    g.finish();

    // One of the four gateways leaves: every route's next-hop set shrinks. The shared
    // group is rewritten in place, so the kernel sees one request whatever the table size.
    let mut g = c.benchmark_group("fib_path_change_ecmp4_to_3");
    g.sample_size(10);
    for n in SIZES {
        let adds: Vec<RouteChange> = (0..n)
            .map(|i| RouteChange::Add(Route::new(prefix(i), gws.iter().copied())))
            .collect();
        let shrink: Vec<RouteChange> = (0..n)
            .map(|i| RouteChange::Replace(Route::new(prefix(i), gws[..3].iter().copied())))
            .collect();
        g.throughput(Throughput::Elements(u64::from(n)));
        g.bench_with_input(BenchmarkId::new("kernel_fib", n), &n, |b, _| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let mut fib = KernelFib::new(KernelFibConfig::default()).unwrap();
                    fib.apply(&adds).unwrap();
                    let t = Instant::now();
                    fib.apply(&shrink).unwrap();
                    total += t.elapsed();
                    assert_eq!(fib.group_count(), 1);
                    fib.flush().unwrap();
                }
                total
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_fib);
criterion_main!(benches);
