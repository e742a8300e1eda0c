//! MaxAge LSA removal (RFC 2328 §14) against late duplicates: the instance of a removed
//! MaxAge LSA is remembered for MinLSArrival, so that a live copy of it still in flight
//! is refused rather than installed as new.

mod engine_util;

use core::net::Ipv4Addr;
use engine_util::*;
use ospf_core::lsdb::{LsaKey, Scope};
use ospf_core::time::Duration;
use ospf_core::wire::LsaType;

#[test]
fn rfc2328_14_late_duplicate_of_flushed_instance_is_refused() {
    let (mut i, now) = full_as_slave();
    let p = Ipv4Addr::new(198, 51, 100, 0);
    let key = LsaKey::new(LsaType::AsExternal, p, PEER);
    let live = external_lsa(p, PEER, 0x8000_0001, 1);
    let flushed = external_lsa(p, PEER, 0x8000_0001, 3600);
    feed(&mut i, now, &ls_update(PEER, &[&live]));
    assert!(i.lsa(Scope::As, &key).is_some());
    // The flush: acknowledged by the only neighbor (its sender), removed at once (§14).
    let t = now + secs(2);
    feed(&mut i, t, &ls_update(PEER, &[&flushed]));
    assert!(i.lsa(Scope::As, &key).is_none(), "removed");
    // The live instance again, a few milliseconds later (a duplicate delayed in flight):
    // not installed.
    let t2 = t + Duration::from_millis(15);
    feed(&mut i, t2, &ls_update(PEER, &[&live]));
    assert!(i.lsa(Scope::As, &key).is_none(), "stale duplicate refused");
    // A new instance (a re-origination) is installed at once.
    let next = external_lsa(p, PEER, 0x8000_0002, 0);
    feed(&mut i, t2, &ls_update(PEER, &[&next]));
    assert_eq!(i.lsa(Scope::As, &key).map(|e| e.seq()), Some(0x8000_0002));
}

#[test]
fn rfc2328_14_removed_instance_forgotten_after_min_ls_arrival() {
    let (mut i, now) = full_as_slave();
    let p = Ipv4Addr::new(198, 51, 100, 0);
    let key = LsaKey::new(LsaType::AsExternal, p, PEER);
    let live = external_lsa(p, PEER, 0x8000_0001, 1);
    feed(&mut i, now, &ls_update(PEER, &[&live]));
    let t = now + secs(2);
    feed(
        &mut i,
        t,
        &ls_update(PEER, &[&external_lsa(p, PEER, 0x8000_0001, 3600)]),
    );
    assert!(i.lsa(Scope::As, &key).is_none());
    // Long after, the same instance is an ordinary new LSA again (e.g. a restarted
    // neighbor describing it): installed.
    let (t3, _) = run_until(&mut i, t, t + secs(5));
    feed(&mut i, t3, &ls_update(PEER, &[&live]));
    assert!(i.lsa(Scope::As, &key).is_some());
}

/// The flush overtakes the live instance (reordering): we never had the LSA, acknowledge
/// the MaxAge copy and discard it (§13 step 4); the live copy arriving just after is not
/// installed either.
#[test]
fn rfc2328_13_step4_live_copy_reordered_behind_its_flush_is_refused() {
    let (mut i, now) = full_as_slave();
    let p = Ipv4Addr::new(198, 51, 100, 0);
    let key = LsaKey::new(LsaType::AsExternal, p, PEER);
    let d = feed(
        &mut i,
        now,
        &ls_update(PEER, &[&external_lsa(p, PEER, 0x8000_0003, 3600)]),
    );
    assert_eq!(d.of_type(5).len(), 1, "the flush is acknowledged at once");
    assert!(i.lsa(Scope::As, &key).is_none());
    let t = now + Duration::from_millis(10);
    feed(
        &mut i,
        t,
        &ls_update(PEER, &[&external_lsa(p, PEER, 0x8000_0003, 2)]),
    );
    assert!(i.lsa(Scope::As, &key).is_none(), "stale live copy refused");
}
