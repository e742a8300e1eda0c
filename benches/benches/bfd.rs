//! BFD (RFC 5880) hot paths: decoding a Control packet, one received packet through the
//! engine (decode, demultiplex, state update), and 1,000 sessions at 50 ms in both
//! directions between two engines on a virtual clock (one simulated second per
//! iteration: 2 x 20,000 packets built, "sent", received). The last one's time per
//! iteration is the CPU share of one core the engine needs for 1,000 sessions at 50 ms
//! (printed as a percentage).

use std::net::Ipv4Addr;
use std::time::Instant as StdInstant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ospf_core::bfd::wire::{Diag, Flags, Repr, State};
use ospf_core::bfd::{Bfd, Output, SessionConfig, SessionKey};
use ospf_core::config::Prng;
use ospf_core::time::{Duration, Instant};

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

fn packet(state: State, my: u32, your: u32) -> Vec<u8> {
    let r = Repr {
        version: 1,
        diag: Diag::None,
        state,
        flags: Flags::empty(),
        detect_mult: 3,
        my_discr: my,
        your_discr: your,
        desired_min_tx: 50_000,
        required_min_rx: 50_000,
        required_min_echo_rx: 0,
        auth: None,
    };
    let mut b = vec![0u8; r.buffer_len()];
    r.emit(&mut b).unwrap();
    b
}

/// Two engines with `n` sessions each (interface i <-> interface i), drained into each
/// other every millisecond of virtual time from `from` to `to`. Returns packets delivered.
fn exchange(a: &mut Bfd, b: &mut Bfd, from: Instant, to: Instant) -> u64 {
    let mut buf = [0u8; 256];
    let mut n = 0;
    let mut now = from;
    while now < to {
        n += step(a, b, A, now, &mut buf);
        n += step(b, a, B, now, &mut buf);
        now += Duration::from_millis(1);
    }
    n
}

/// Runs `me`'s timers and delivers its packets (from `src`) to `other`.
fn step(me: &mut Bfd, other: &mut Bfd, src: Ipv4Addr, now: Instant, buf: &mut [u8]) -> u64 {
    let mut n = 0;
    me.handle_timeout(now);
    while let Some(o) = me.poll_output(now, buf) {
        match o {
            Output::Transmit(t) => {
                n += 1;
                let _ = other.handle_packet(now, t.key.ifindex, src, &buf[..t.len]);
            }
            Output::Event(_) => {}
            Output::Timeout(_) => break,
        }
    }
    n
}

fn pair(n: u32) -> (Bfd, Bfd, Instant) {
    let now = Instant::from_secs(1);
    let mut a = Bfd::new(Prng::new(1));
    let mut b = Bfd::new(Prng::new(2));
    for i in 1..=n {
        a.add_session(
            now,
            SessionKey {
                ifindex: i,
                peer: B,
            },
            SessionConfig::new(50, 50, 3),
        );
        b.add_session(
            now,
            SessionKey {
                ifindex: i,
                peer: A,
            },
            SessionConfig::new(50, 50, 3),
        );
    }
    let up = now + Duration::from_secs(4);
    exchange(&mut a, &mut b, now, up);
    assert!(a.status().all(|s| s.state == State::Up), "sessions not Up");
    (a, b, up)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("bfd");
    let bytes = packet(State::Up, 7, 9);
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode", |bn| {
        bn.iter(|| Repr::decode(std::hint::black_box(&bytes)).unwrap())
    });

    // One session Up; each iteration one packet from the peer.
    let (mut a, _b, t0) = pair(1);
    let s = a.status().next().unwrap();
    let pkt = packet(State::Up, s.remote_discr, s.local_discr);
    let mut now = t0;
    g.bench_function("receive_up_packet", |bn| {
        bn.iter(|| {
            now += Duration::from_micros(10);
            a.handle_packet(now, 1, B, std::hint::black_box(&pkt))
                .unwrap()
        })
    });

    // 1,000 sessions at 50 ms both ways, one simulated second per iteration.
    let (mut a, mut b, t0) = pair(1000);
    let mut t = t0;
    let start = StdInstant::now();
    let mut secs = 0u32;
    let mut packets = 0;
    g.sample_size(10);
    g.throughput(Throughput::Elements(40_000));
    g.bench_function("1000_sessions_50ms_one_second", |bn| {
        bn.iter(|| {
            let next = t + Duration::from_secs(1);
            packets += exchange(&mut a, &mut b, t, next);
            t = next;
            secs += 1;
        })
    });
    g.finish();
    assert!(
        a.status().all(|s| s.state == State::Up),
        "a session went down"
    );
    assert!(
        b.status().all(|s| s.state == State::Up),
        "a session went down"
    );
    let wall = start.elapsed().as_secs_f64();
    if secs > 0 {
        println!(
            "bfd: 1,000 sessions at 50 ms (both ends in one process): {:.1}% of one core, {} packets per simulated second",
            100.0 * wall / f64::from(secs),
            packets / u64::from(secs)
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
