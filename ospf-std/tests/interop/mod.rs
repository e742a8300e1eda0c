//! Shared pieces of the interop tests (FRR, BIRD): skips, waits, LSDB comparison.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use ospf_core::instance::GrHelperChange;
use ospf_std::api::Event;
use ospf_testbed::{LsaId, Netns, OspfRs, require_root, require_tool, wait_for};

pub mod tables;

/// Hello 1 s, dead 4 s: FRR's and our interface lines.
pub const TIMERS: &str = " ip ospf hello-interval 1\n ip ospf dead-interval 4\n";

/// True when the test can run: root, and FRR and/or BIRD installed; otherwise prints why
/// (or fails, with `OSPF_RS_REQUIRE_ROOT_TESTS=1`: see [`ospf_testbed::may_run`]).
pub fn can_run(test: &str, frr: bool, bird: bool) -> bool {
    require_root(test, "network namespaces and raw sockets")
        && (!frr || require_tool(test, "frr"))
        && (!bird || require_tool(test, "bird"))
}

pub use crate::common::wait;

/// For `period`, every 200 ms, `probe` must return `None`; `Some(why)` fails the test.
pub fn holds_for(period: Duration, mut probe: impl FnMut() -> Option<String>) {
    let end = Instant::now() + period;
    while Instant::now() < end {
        if let Some(why) = probe() {
            panic!("{why}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn diff(a: &BTreeSet<LsaId>, b: &BTreeSet<LsaId>) -> String {
    let only_a: Vec<String> = a.difference(b).map(ToString::to_string).collect();
    let only_b: Vec<String> = b.difference(a).map(ToString::to_string).collect();
    format!("only ours: {only_a:#?}\nonly theirs: {only_b:#?}")
}

/// Waits until our LSDB and `theirs` hold the same LSA instances (type, LS ID, advertising
/// router, sequence number, checksum) and at least `min` of them; panics with the difference.
pub fn lsdbs_equal(
    who: &str,
    ours: &OspfRs,
    min: usize,
    theirs: impl Fn() -> io::Result<BTreeSet<LsaId>>,
) -> BTreeSet<LsaId> {
    let mut last = (BTreeSet::new(), BTreeSet::new());
    let res = wait_for(Duration::from_secs(20), Duration::from_millis(200), || {
        let a = ours.lsdb();
        let b = theirs().unwrap_or_default();
        let same = a == b && a.len() >= min;
        last = (a.clone(), b);
        same.then_some(a)
    });
    match res {
        Ok((db, _)) => db,
        Err(e) => panic!(
            "LSDBs of ours and {who} differ ({e}):\n{}",
            diff(&last.0, &last.1)
        ),
    }
}

/// True when `ns` routes `prefix` through `via` with a route of ours (`proto ospf`).
pub fn ospf_route_via(ns: &Netns, prefix: &str, via: &str) -> bool {
    ns.ip_line(&format!("-4 route show {prefix}"))
        .is_ok_and(|r| r.contains(&format!("via {via}")) && r.contains("proto ospf"))
}

/// Moves the graceful-restart helper changes reported so far on `rx` into `seen`.
pub fn helper_events(rx: &Receiver<Event>, seen: &mut Vec<GrHelperChange>) {
    while let Ok(e) = rx.try_recv() {
        if let Event::GrHelper { change, .. } = e {
            seen.push(change);
        }
    }
}

/// After a restarting neighbor (`who`) is back: runs `check` (which asserts what must hold
/// while we help and returns the neighbor's state) every 50 ms until a second helper
/// change (the exit) is in `seen`, at most 30 s. Returns the neighbor states seen.
pub fn help_until_exit(
    rx: &Receiver<Event>,
    seen: &mut Vec<GrHelperChange>,
    who: &str,
    mut check: impl FnMut() -> ospf_core::neighbor::NeighborState,
) -> Vec<ospf_core::neighbor::NeighborState> {
    let back_at = Instant::now();
    let mut states = Vec::new();
    loop {
        helper_events(rx, seen);
        if seen.len() > 1 {
            return states;
        }
        assert!(
            back_at.elapsed() < Duration::from_secs(30),
            "helper mode not left within 30 s of {who}'s return: {seen:?}"
        );
        let st = check();
        if states.last() != Some(&st) {
            states.push(st);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
