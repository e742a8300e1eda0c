//! Issue 14: the memory of a whole `Instance` (LSDB, route calculation, routing table,
//! queues) under an AS-external storm, measured with a counting allocator. Up to the limit
//! it grows with the LSDB; beyond it, it stays flat however long the storm goes on.

mod engine_util;

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

use core::net::Ipv4Addr;
use engine_util::*;
use ospf_core::config::InstanceConfig;
use ospf_core::instance::{DropReason, Instance};
use ospf_core::neighbor::NeighborState;
use ospf_core::time::Instant;
use ospf_core::wire::DdFlags;

/// Counts heap bytes, to measure memory per LSA.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Live heap bytes of the whole process.
fn live() -> isize {
    let s = GLOBAL.stats();
    s.bytes_allocated as isize - s.bytes_deallocated as isize
}

/// Feeds externals `from..to` from PEER in updates of 50, running timers (the route
/// calculation) every 2,000.
fn storm_in_steps(i: &mut Instance, mut now: Instant, from: u32, to: u32) -> Instant {
    let mut k = from;
    while k < to {
        let end = (k + 50).min(to);
        let lsas: Vec<Vec<u8>> = (k..end)
            .map(|j| external_lsa(Ipv4Addr::from(0x2C00_0000 + (j << 8)), PEER, 0x8000_0001, 1))
            .collect();
        let refs: Vec<&[u8]> = lsas.iter().map(|v| v.as_slice()).collect();
        feed(i, now, &ls_update(PEER, &refs));
        k = end;
        if k % 2_000 == 0 {
            now = run_until(i, now, now + secs(6)).0;
            feed(i, now, &hello(PEER, &[ME]));
        }
    }
    run_until(i, now, now + secs(6)).0
}

#[test]
fn issue_14_memory_stays_flat_once_the_lsdb_is_at_its_limit() {
    const LIMIT: usize = 10_000;
    let now = Instant::from_secs(1);
    let mut i = p2p_instance_with(
        InstanceConfig::new(ME)
            .max_lsas(Some(LIMIT))
            .lsdb_events(false),
        now,
    );
    i.handle_timeout(now);
    drain(&mut i, now);
    feed(&mut i, now, &hello(PEER, &[ME]));
    feed(
        &mut i,
        now,
        &dd(PEER, DdFlags::I | DdFlags::M | DdFlags::MS, 1000, &[]),
    );
    feed(&mut i, now, &dd(PEER, DdFlags::MS, 1001, &[]));
    assert_eq!(i.neighbors().next().unwrap().state, NeighborState::Full);
    let base = live();
    let now = storm_in_steps(&mut i, now, 0, LIMIT as u32);
    let at_limit = live();
    assert_eq!(i.lsdb_len(), LIMIT);
    // Five times the limit more.
    let _ = storm_in_steps(&mut i, now, LIMIT as u32, 6 * LIMIT as u32);
    let after = live();
    assert_eq!(i.lsdb_len(), LIMIT);
    assert_eq!(
        i.counters(1).unwrap().dropped(DropReason::LsdbFull),
        5 * LIMIT as u64 + 1
    );
    let per_lsa = (at_limit - base) as f64 / LIMIT as f64;
    let growth = after - at_limit;
    println!(
        "instance: {per_lsa:.0} bytes per installed external LSA; {growth} bytes more after {} refused",
        5 * LIMIT
    );
    assert!(
        growth < (at_limit - base) / 20,
        "{growth} bytes grown beyond the limit"
    );
    assert_eq!(i.neighbors().next().unwrap().state, NeighborState::Full);
}
