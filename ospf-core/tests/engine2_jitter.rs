//! Timer jitter from the seeded PRNG (RFC 2328 §4.4: timers are jittered so that routers
//! do not synchronize): Hello intervals and LSA refreshes.

mod engine_util;

use core::net::Ipv4Addr;
use engine_util::*;
use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::{Event, ExternalRoute, Instance, LsdbChange, Output};
use ospf_core::lsdb::{LS_REFRESH_SPREAD, LS_REFRESH_TIME, Scope};
use ospf_core::time::{Duration, Instant};
use ospf_core::wire::LsaType;

/// Runs `inst` until `until`, calling `on` with each output and its time.
fn run(
    inst: &mut Instance,
    mut now: Instant,
    until: Instant,
    mut on: impl FnMut(Instant, &Output),
) {
    let mut buf = vec![0u8; 65535];
    loop {
        while let Some(o) = inst.poll_output(now, &mut buf) {
            on(now, &o);
        }
        let next = inst.poll_timeout().unwrap_or(Instant::MAX);
        if next > until {
            return;
        }
        now = now.max(next);
        inst.handle_timeout(now);
    }
}

/// Times at which Hellos go out on interface 1 of a lone router (seed `seed`, interval
/// `iv` seconds), from the interface coming up at t = 1 s, for `span`.
fn hello_times(seed: u64, iv: u16, span: Duration) -> Vec<Instant> {
    let t0 = Instant::from_secs(1);
    let mut inst = Instance::new(InstanceConfig::new(ME).jitter_seed(seed), t0);
    inst.add_interface(
        t0,
        1,
        InterfaceConfig::new(MY_ADDR, 30)
            .if_type(InterfaceType::PointToPoint)
            .hello_interval(iv)
            .dead_interval(4 * u32::from(iv)),
    )
    .unwrap();
    let mut times = Vec::new();
    run(&mut inst, t0, t0 + span, |now, o| {
        if let Output::Transmit(t) = o {
            if t.ifindex == 1 {
                times.push(now);
            }
        }
    });
    times
}

#[test]
fn rfc2328_4_4_hello_interval_jittered_within_a_tenth_never_longer() {
    for iv in [1u16, 10] {
        let times = hello_times(7, iv, Duration::from_secs(200 * u64::from(iv)));
        // The first Hello goes out at once when the interface comes up.
        assert_eq!(times[0], Instant::from_secs(1), "interval {iv}");
        let ivu = Duration::from_secs(u64::from(iv)).as_micros();
        let gaps: Vec<u64> = times
            .windows(2)
            .map(|w| (w[1] - w[0]).as_micros())
            .collect();
        assert!(gaps.len() >= 200, "{} hellos", gaps.len());
        for g in &gaps {
            assert!(
                *g <= ivu && *g >= ivu - ivu / 10,
                "gap {g} µs, interval {iv} s"
            );
        }
        // Really jittered: many different gaps, and on average clearly shorter.
        let mut distinct = gaps.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() > gaps.len() / 2, "{distinct:?}");
        let mean = gaps.iter().sum::<u64>() / gaps.len() as u64;
        assert!(mean < ivu - ivu / 40 && mean > ivu - ivu / 10 + ivu / 40);
    }
}

#[test]
fn rfc2328_4_4_hello_jitter_deterministic_for_a_seed() {
    let span = Duration::from_secs(300);
    assert_eq!(hello_times(3, 10, span), hello_times(3, 10, span));
    assert_ne!(hello_times(3, 10, span), hello_times(4, 10, span));
}

/// Two routers configured alike and started at the same instant drift apart instead of
/// sending their Hellos in lockstep.
#[test]
fn rfc2328_4_4_routers_started_together_do_not_stay_synchronized() {
    let t0 = Instant::from_secs(1);
    let mk = |rid: Ipv4Addr| {
        let mut i = Instance::new(InstanceConfig::new(rid), t0);
        i.add_interface(
            t0,
            1,
            InterfaceConfig::new(rid, 30).if_type(InterfaceType::PointToPoint),
        )
        .unwrap();
        i
    };
    let times = |mut i: Instance| {
        let mut v = Vec::new();
        run(&mut i, t0, t0 + Duration::from_secs(600), |now, o| {
            if matches!(o, Output::Transmit(_)) {
                v.push(now);
            }
        });
        v
    };
    let a = times(mk(Ipv4Addr::new(10, 0, 0, 1)));
    let b = times(mk(Ipv4Addr::new(10, 0, 0, 2)));
    assert_eq!(a[0], b[0], "both start at once");
    let same = a.iter().filter(|t| b.contains(t)).count();
    assert!(same < 5, "{same} Hellos sent at the same instant");
}

/// 400 prefixes redistributed at once are refreshed spread over LS_REFRESH_SPREAD
/// seconds before LSRefreshTime (RFC 2328 §12.4: refresh at LSRefreshTime at the
/// latest), each exactly once per period, and not in one burst.
#[test]
fn rfc2328_12_4_lsa_refreshes_spread_not_in_one_burst() {
    let t0 = Instant::from_secs(1);
    let mut inst = Instance::new(InstanceConfig::new(ME), t0);
    inst.add_interface(
        t0,
        1,
        InterfaceConfig::new(Ipv4Addr::new(192, 0, 2, 1), 32).if_type(InterfaceType::Loopback),
    )
    .unwrap();
    let n = 400u32;
    for k in 0..n {
        let p = Ipv4Addr::from(0x0A00_0000 + (k << 8));
        inst.redistribute(t0, ExternalRoute::new(p, 24));
    }
    let mut installs: Vec<(Instant, Ipv4Addr)> = Vec::new();
    let end = t0 + Duration::from_secs(u64::from(LS_REFRESH_TIME) * 2 + 10);
    run(&mut inst, t0, end, |now, o| {
        if let Output::Event(Event::Lsdb {
            scope: Scope::As,
            key,
            change: LsdbChange::Installed { .. },
        }) = o
        {
            if key.ls_type() == LsaType::AsExternal && key.adv_router == ME {
                installs.push((now, key.lsid));
            }
        }
    });
    let first_round: Vec<u64> = installs
        .iter()
        .filter(|(t, _)| *t > t0 && *t <= t0 + Duration::from_secs(u64::from(LS_REFRESH_TIME)))
        .map(|(t, _)| (*t - t0).as_secs())
        .collect();
    assert_eq!(
        first_round.len(),
        n as usize,
        "each refreshed once in the first period"
    );
    let lo = u64::from(LS_REFRESH_TIME - LS_REFRESH_SPREAD);
    assert!(
        first_round
            .iter()
            .all(|s| *s >= lo && *s <= u64::from(LS_REFRESH_TIME))
    );
    // Spread: no second sees more than a few percent of them.
    let mut per_sec = std::collections::BTreeMap::<u64, usize>::new();
    for s in &first_round {
        *per_sec.entry(*s).or_default() += 1;
    }
    let worst = per_sec.values().max().copied().unwrap_or(0);
    assert!(worst <= 12, "{worst} refreshes in one second");
    assert!(per_sec.len() >= 100, "{} distinct seconds", per_sec.len());
    // Each LSA keeps its own period: refreshed again 2 periods in, at most twice in all.
    for k in 0..n {
        let p = Ipv4Addr::from(0x0A00_0000 + (k << 8));
        let times: Vec<Instant> = installs
            .iter()
            .filter(|(_, l)| *l == p)
            .map(|(t, _)| *t)
            .collect();
        assert_eq!(times.len(), 3, "origination and two refreshes of {p}");
        let d1 = (times[1] - times[0]).as_secs();
        let d2 = (times[2] - times[1]).as_secs();
        assert!(d1.abs_diff(d2) <= 1, "{p}: {d1} then {d2}");
    }
}

/// Sub-second Hellos (`hello_multiplier`): jittered within a tenth of their period too,
/// never longer than it, and still sent at once when the interface comes up.
#[test]
fn rfc2328_4_4_sub_second_hellos_jittered_within_their_period() {
    let t0 = Instant::from_secs(1);
    let mut inst = Instance::new(InstanceConfig::new(ME).jitter_seed(9), t0);
    inst.add_interface(
        t0,
        1,
        InterfaceConfig::new(MY_ADDR, 30)
            .if_type(InterfaceType::PointToPoint)
            .hello_multiplier(4),
    )
    .unwrap();
    let mut times = Vec::new();
    run(&mut inst, t0, t0 + Duration::from_secs(30), |now, o| {
        if matches!(o, Output::Transmit(t) if t.ifindex == 1) {
            times.push(now);
        }
    });
    assert_eq!(times[0], t0);
    let period = Duration::from_millis(250).as_micros();
    let gaps: Vec<u64> = times
        .windows(2)
        .map(|w| (w[1] - w[0]).as_micros())
        .collect();
    assert!(gaps.len() >= 120, "{} Hellos in 30 s", gaps.len());
    assert!(
        gaps.iter()
            .all(|g| *g <= period && *g >= period - period / 10),
        "{gaps:?}"
    );
    let mut distinct = gaps.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(distinct.len() > gaps.len() / 2);
}
