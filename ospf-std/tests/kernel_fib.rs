//! KernelFib against a real kernel, inside a network namespace each test creates.
//! Needs root; without it each test prints why and returns.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use ospf_std::fib::{
    Fib, FibError, KernelFib, KernelFibConfig, NextHop, NextHopSet, Prefix, Resilient, Route,
    RouteChange, kernel_prefixes,
};
use ospf_testbed::netns::NetNs;
use ospf_testbed::require_root;

/// A namespace with `dummy0` (one end of a veth pair) = 10.99.0.1/24; gateways
/// 10.99.0.2-5 are on-link.
fn setup(test: &str) -> Option<(NetNs, u32)> {
    if !require_root(test, "network namespaces and kernel routes") {
        return None;
    }
    let ns = NetNs::new("ospfstd-fib").expect("ip netns add");
    ns.ip("link add dummy0 type veth peer name peer0").unwrap();
    ns.ip("addr add 10.99.0.1/24 dev dummy0").unwrap();
    ns.ip("link set peer0 up").unwrap();
    ns.ip("link set dummy0 up").unwrap();
    let out = ns.ip("-o link show dummy0").unwrap();
    let ifindex = out.split(':').next().unwrap().trim().parse().unwrap();
    Some((ns, ifindex))
}

fn gw(last: u8, ifindex: u32) -> NextHop {
    NextHop::new(Ipv4Addr::new(10, 99, 0, last), ifindex)
}

fn pfx(i: u32) -> Prefix {
    Prefix::try_new(Ipv4Addr::from(0x0a80_0000 + (i << 8)), 24).unwrap()
}

fn routes_of(ns: &NetNs) -> Vec<String> {
    // Multipath routes continue on lines that start with a tab.
    ns.ip("-4 route show proto ospf")
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with(char::is_whitespace))
        .map(str::to_string)
        .collect()
}

fn nexthops_of(ns: &NetNs) -> Vec<String> {
    ns.ip("nexthop show")
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn fib_in(ns: &NetNs, cfg: KernelFibConfig) -> KernelFib {
    let _in = ns.enter().unwrap();
    // The socket stays in the namespace it was opened in.
    KernelFib::new(cfg).unwrap()
}

#[test]
fn ecmp_routes_share_one_group_and_path_change_rewrites_it() {
    let Some((ns, ifx)) = setup("ecmp_routes_share_one_group_and_path_change_rewrites_it") else {
        return;
    };
    let mut fib = fib_in(&ns, KernelFibConfig::default());
    let four = [gw(2, ifx), gw(3, ifx), gw(4, ifx), gw(5, ifx)];
    let adds: Vec<_> = (0..3)
        .map(|i| RouteChange::Add(Route::new(pfx(i), four)))
        .collect();
    fib.apply(&adds).unwrap();
    let set: NextHopSet = four.into_iter().collect();
    let gid = fib.group_id(&set).unwrap();
    assert_eq!(
        (fib.group_count(), fib.nexthop_count(), fib.len()),
        (1, 4, 3)
    );

    let routes = routes_of(&ns);
    assert_eq!(routes.len(), 3, "{routes:?}");
    for (i, r) in routes.iter().enumerate() {
        assert!(
            r.starts_with(&format!("10.128.{i}.0/24 nhid {gid} ")),
            "{r}"
        );
        assert!(r.contains("metric 20"), "{r}");
    }
    let nhs = nexthops_of(&ns);
    assert_eq!(nhs.len(), 5, "{nhs:?}");
    let group_line = ns.ip(&format!("nexthop show id {gid}")).unwrap();
    assert_eq!(group_line.matches('/').count(), 3, "{group_line}");
    // The kernel expands the group into four paths.
    let expanded = ns.ip("-4 route show 10.128.0.0/24").unwrap();
    for last in 2..=5 {
        assert!(
            expanded.contains(&format!("via 10.99.0.{last} dev dummy0")),
            "{expanded}"
        );
    }

    // Gateway .4 leaves: the same group, now with three members; routes untouched.
    let three = [gw(2, ifx), gw(3, ifx), gw(5, ifx)];
    let replaces: Vec<_> = (0..3)
        .map(|i| RouteChange::Replace(Route::new(pfx(i), three)))
        .collect();
    fib.apply(&replaces).unwrap();
    assert_eq!(fib.group_id(&three.into_iter().collect()), Some(gid));
    assert_eq!(fib.nexthop_count(), 3);
    let group_line = ns.ip(&format!("nexthop show id {gid}")).unwrap();
    assert_eq!(group_line.matches('/').count(), 2, "{group_line}");
    assert!(!nexthops_of(&ns).iter().any(|l| l.contains("10.99.0.4")));
    assert!(
        routes_of(&ns)
            .iter()
            .all(|r| r.contains(&format!("nhid {gid} ")))
    );

    // One route moves to a single gateway: it gets a new group of its own.
    fib.apply(&[RouteChange::Replace(Route::new(pfx(0), [gw(2, ifx)]))])
        .unwrap();
    assert_eq!(fib.group_count(), 2);
    let r0 = ns.ip("-4 route show 10.128.0.0/24").unwrap();
    assert!(
        r0.contains("via 10.99.0.2 dev dummy0") && !r0.contains("10.99.0.3"),
        "{r0}"
    );

    fib.apply(&[RouteChange::Delete(pfx(1)), RouteChange::Delete(pfx(2))])
        .unwrap();
    assert_eq!(routes_of(&ns).len(), 1);
    assert_eq!(fib.group_count(), 1);
    // The old group and the now unused gateways are gone from the kernel.
    assert_eq!(nexthops_of(&ns).len(), 2, "{:?}", nexthops_of(&ns));

    fib.flush().unwrap();
    assert!(routes_of(&ns).is_empty());
    assert!(nexthops_of(&ns).is_empty());
    assert_eq!(fib.len(), 0);
}

#[test]
fn resilient_group_keeps_buckets_of_surviving_members() {
    let Some((ns, ifx)) = setup("resilient_group_keeps_buckets_of_surviving_members") else {
        return;
    };
    let cfg = KernelFibConfig {
        resilient: Some(Resilient {
            buckets: 32,
            idle_timer: Duration::from_secs(60),
            unbalanced_timer: Duration::ZERO,
        }),
        ..Default::default()
    };
    let mut fib = fib_in(&ns, cfg);
    let anycast = Prefix::host(Ipv4Addr::new(172, 16, 0, 1));
    let four = [gw(2, ifx), gw(3, ifx), gw(4, ifx), gw(5, ifx)];
    fib.apply(&[RouteChange::Add(Route::new(anycast, four))])
        .unwrap();
    let gid = fib.group_id(&four.into_iter().collect()).unwrap();
    let group = ns.ip(&format!("nexthop show id {gid}")).unwrap();
    assert!(
        group.contains("type resilient") && group.contains("buckets 32"),
        "{group}"
    );

    let buckets = |ns: &NetNs| -> BTreeMap<u32, u32> {
        ns.ip(&format!("nexthop bucket show id {gid}"))
            .unwrap()
            .lines()
            .map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                let idx = w[w.iter().position(|x| *x == "index").unwrap() + 1];
                let nh = w[w.iter().position(|x| *x == "nhid").unwrap() + 1];
                (idx.parse().unwrap(), nh.parse().unwrap())
            })
            .collect()
    };
    let before = buckets(&ns);
    assert_eq!(before.len(), 32);
    let leaving = ns
        .ip("nexthop show")
        .unwrap()
        .lines()
        .find(|l| l.contains("via 10.99.0.4 "))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse::<u32>()
        .unwrap();

    let three = [gw(2, ifx), gw(3, ifx), gw(5, ifx)];
    fib.apply(&[RouteChange::Replace(Route::new(anycast, three))])
        .unwrap();
    assert_eq!(fib.group_id(&three.into_iter().collect()), Some(gid));
    let after = buckets(&ns);
    assert_eq!(after.len(), 32);
    let mut moved = 0;
    for (idx, nh) in &before {
        if *nh == leaving {
            assert_ne!(after[idx], leaving);
            moved += 1;
        } else {
            assert_eq!(after[idx], *nh, "bucket {idx} of a surviving member moved");
        }
    }
    assert_eq!(moved, 8);
    fib.flush().unwrap();
    assert!(nexthops_of(&ns).is_empty());
}

/// Weighted next hops (anycast servers of weights 2:1:1): the group carries the weights
/// (`ip nexthop show`: `id/weight` members), the buckets follow them (16/8/8 of 32), and a
/// weight change to 1:1:1 rewrites the same group: only buckets of the member that lost
/// weight move, exactly as many as it lost.
#[test]
fn weighted_resilient_group_moves_only_the_excess_buckets() {
    let Some((ns, ifx)) = setup("weighted_resilient_group_moves_only_the_excess_buckets") else {
        return;
    };
    let cfg = KernelFibConfig {
        resilient: Some(Resilient {
            buckets: 32,
            // Every bucket counts as idle: the kernel rebalances at once.
            idle_timer: Duration::ZERO,
            unbalanced_timer: Duration::ZERO,
        }),
        ..Default::default()
    };
    let mut fib = fib_in(&ns, cfg);
    let anycast = Prefix::host(Ipv4Addr::new(172, 16, 0, 1));
    let set = |w: [u16; 3]| -> Vec<NextHop> {
        [2, 3, 4]
            .iter()
            .zip(w)
            .map(|(g, w)| gw(*g, ifx).with_weight(w))
            .collect()
    };
    fib.apply(&[RouteChange::Add(Route::new(anycast, set([2, 1, 1])))])
        .unwrap();
    let gid = fib.group_id(&set([2, 1, 1]).into_iter().collect()).unwrap();
    let id_of = |ns: &NetNs, via: &str| -> u32 {
        ns.ip("nexthop show")
            .unwrap()
            .lines()
            .find(|l| l.contains(&format!("via {via} ")))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap()
            .parse()
            .unwrap()
    };
    let ids = [
        id_of(&ns, "10.99.0.2"),
        id_of(&ns, "10.99.0.3"),
        id_of(&ns, "10.99.0.4"),
    ];
    let group = ns.ip(&format!("nexthop show id {gid}")).unwrap();
    let members = format!("group {},2/{}/{} ", ids[0], ids[1], ids[2]);
    assert!(group.contains(&members), "want {members:?} in {group}");
    assert!(group.contains("type resilient"), "{group}");

    let buckets = |ns: &NetNs| -> BTreeMap<u32, u32> {
        ns.ip(&format!("nexthop bucket show id {gid}"))
            .unwrap()
            .lines()
            .map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                let idx = w[w.iter().position(|x| *x == "index").unwrap() + 1];
                let nh = w[w.iter().position(|x| *x == "nhid").unwrap() + 1];
                (idx.parse().unwrap(), nh.parse().unwrap())
            })
            .collect()
    };
    let share = |b: &BTreeMap<u32, u32>| ids.map(|id| b.values().filter(|n| **n == id).count());
    let before = buckets(&ns);
    assert_eq!(share(&before), [16, 8, 8]);

    fib.apply(&[RouteChange::Replace(Route::new(anycast, set([1, 1, 1])))])
        .unwrap();
    assert_eq!(
        fib.group_id(&set([1, 1, 1]).into_iter().collect()),
        Some(gid),
        "the same group, rewritten in place"
    );
    let group = ns.ip(&format!("nexthop show id {gid}")).unwrap();
    let members = format!("group {}/{}/{} ", ids[0], ids[1], ids[2]);
    assert!(group.contains(&members), "want {members:?} in {group}");
    // The kernel rebalances idle buckets from its upkeep work: give it a moment.
    let mut after = buckets(&ns);
    for _ in 0..50 {
        if share(&after).iter().all(|n| (10..=11).contains(n)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        after = buckets(&ns);
    }
    let now = share(&after);
    assert!(now.iter().all(|n| (10..=11).contains(n)), "{now:?}");
    let mut moved = 0;
    for (idx, nh) in &before {
        if after[idx] != *nh {
            assert_eq!(
                *nh, ids[0],
                "bucket {idx} of a member that kept its weight moved"
            );
            moved += 1;
        }
    }
    assert_eq!(moved, 16 - now[0], "only the excess buckets moved");
    fib.flush().unwrap();
    assert!(nexthops_of(&ns).is_empty());
}

#[test]
fn stale_routes_are_removed_at_start_and_ours_on_drop() {
    let Some((ns, ifx)) = setup("stale_routes_are_removed_at_start_and_ours_on_drop") else {
        return;
    };
    let crashed = KernelFibConfig {
        flush_on_drop: false,
        ..Default::default()
    };
    {
        let mut fib = fib_in(&ns, crashed);
        let changes: Vec<_> = (0..10)
            .map(|i| RouteChange::Add(Route::new(pfx(i), [gw(2, ifx), gw(3, ifx)])))
            .collect();
        fib.apply(&changes).unwrap();
    }
    // A route of another protocol must survive.
    ns.ip("route add 10.200.0.0/16 via 10.99.0.9 proto static")
        .unwrap();
    {
        let _in = ns.enter().unwrap();
        assert_eq!(
            kernel_prefixes(254, 4).unwrap(),
            vec![Prefix::try_new(Ipv4Addr::new(10, 200, 0, 0), 16).unwrap()]
        );
        assert_eq!(kernel_prefixes(254, 188).unwrap().len(), 10);
    }
    assert_eq!(routes_of(&ns).len(), 10);
    assert_eq!(nexthops_of(&ns).len(), 3);
    {
        let mut fib = fib_in(&ns, KernelFibConfig::default());
        assert!(routes_of(&ns).is_empty());
        assert!(nexthops_of(&ns).is_empty());
        fib.apply(&[RouteChange::Add(Route::new(pfx(1), [gw(4, ifx)]))])
            .unwrap();
        assert_eq!(routes_of(&ns).len(), 1);
    }
    assert!(
        routes_of(&ns).is_empty(),
        "dropping the FIB removes our routes"
    );
    assert!(nexthops_of(&ns).is_empty());
    assert!(
        ns.ip("-4 route show 10.200.0.0/16")
            .unwrap()
            .contains("10.99.0.9")
    );
}

#[test]
fn refused_next_hop_rejects_its_routes_only() {
    let Some((ns, ifx)) = setup("refused_next_hop_rejects_its_routes_only") else {
        return;
    };
    let mut fib = fib_in(&ns, KernelFibConfig::default());
    let unreachable = NextHop::new(Ipv4Addr::new(192, 0, 2, 1), ifx);
    let res = fib.apply(&[
        RouteChange::Add(Route::new(pfx(0), [gw(2, ifx)])),
        RouteChange::Add(Route::new(pfx(1), [gw(2, ifx), unreachable])),
        RouteChange::Add(Route::new(pfx(2), [])),
    ]);
    match res {
        Err(FibError::Rejected(r)) => {
            let prefixes: Vec<_> = r.iter().map(|x| x.prefix).collect();
            assert_eq!(prefixes, vec![pfx(1), pfx(2)]);
            // "Nexthop has invalid gateway".
            assert_eq!(r[0].errno, EINVAL);
            assert_eq!(r[1].errno, EINVAL);
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(fib.len(), 1);
    assert!(fib.get(&pfx(0)).is_some());
    assert_eq!(routes_of(&ns).len(), 1);
    // Nothing half-made remains: one gateway and one group.
    assert_eq!(nexthops_of(&ns).len(), 2, "{:?}", nexthops_of(&ns));
    // The FIB still works afterwards.
    fib.apply(&[RouteChange::Add(Route::new(
        pfx(1),
        [gw(2, ifx), gw(3, ifx)],
    ))])
    .unwrap();
    assert_eq!(routes_of(&ns).len(), 2);
}

const EINVAL: i32 = 22;

#[test]
fn refused_requests_are_matched_across_windows_in_both_ack_modes() {
    let Some((ns, ifx)) = setup("refused_requests_are_matched_across_windows_in_both_ack_modes")
    else {
        return;
    };
    for ack_all in [false, true] {
        let cfg = KernelFibConfig {
            ack_all,
            ..Default::default()
        };
        let mut fib = fib_in(&ns, cfg);
        let unreachable = NextHop::new(Ipv4Addr::new(192, 0, 2, 1), ifx);
        // 3000 routes span three windows; the refused one sits in the middle window.
        let mut changes: Vec<_> = (0..3000)
            .map(|i| RouteChange::Add(Route::new(pfx(i), [gw(2, ifx), gw(3, ifx)])))
            .collect();
        changes[1500] = RouteChange::Add(Route::new(pfx(1500), [unreachable]));
        match fib.apply(&changes) {
            Err(FibError::Rejected(r)) => {
                assert_eq!(r.len(), 1, "ack_all={ack_all}");
                assert_eq!(r[0].prefix, pfx(1500));
                assert_eq!(r[0].errno, EINVAL);
            }
            other => panic!("expected a rejection, got {other:?}"),
        }
        assert_eq!(fib.len(), 2999);
        assert_eq!(routes_of(&ns).len(), 2999);
        fib.flush().unwrap();
        assert!(routes_of(&ns).is_empty());
    }
}

#[test]
fn routes_in_a_table_above_255() {
    let Some((ns, ifx)) = setup("routes_in_a_table_above_255") else {
        return;
    };
    let cfg = KernelFibConfig {
        table: 1000,
        ..Default::default()
    };
    let mut fib = fib_in(&ns, cfg);
    fib.apply(&[RouteChange::Add(Route::new(
        pfx(7),
        [gw(2, ifx), gw(3, ifx)],
    ))])
    .unwrap();
    assert!(routes_of(&ns).is_empty(), "nothing in main");
    let t = ns.ip("-4 route show table 1000 proto ospf").unwrap();
    assert!(t.starts_with("10.128.7.0/24 nhid"), "{t}");
    fib.apply(&[RouteChange::Delete(pfx(7))]).unwrap();
    assert!(ns.ip("-4 route show table 1000").unwrap().is_empty());
}

#[test]
fn blackhole_routes_replace_and_are_replaced_by_routes() {
    let Some((ns, ifx)) = setup("blackhole_routes_replace_and_are_replaced_by_routes") else {
        return;
    };
    let mut fib = fib_in(&ns, KernelFibConfig::default());
    // A discard route (an active area range): `blackhole` (listed under proto ospf).
    fib.apply(&[
        RouteChange::Blackhole(pfx(0)),
        RouteChange::Add(Route::new(pfx(1), [gw(2, ifx)])),
    ])
    .unwrap();
    let r = routes_of(&ns);
    assert!(
        r.iter().any(|l| l.starts_with("blackhole 10.128.0.0/24")),
        "{r:?}"
    );
    assert_eq!(fib.get(&pfx(0)).map(NextHopSet::len), Some(0));
    assert_eq!(fib.len(), 2);
    // A route replaces a blackhole and a blackhole a route (same prefix, one route each).
    fib.apply(&[
        RouteChange::Replace(Route::new(pfx(0), [gw(3, ifx)])),
        RouteChange::Blackhole(pfx(1)),
    ])
    .unwrap();
    let r = routes_of(&ns);
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(
        r.iter().any(|l| l.starts_with("10.128.0.0/24 nhid")),
        "{r:?}"
    );
    assert!(
        r.iter().any(|l| l.starts_with("blackhole 10.128.1.0/24")),
        "{r:?}"
    );
    assert_eq!(fib.get(&pfx(0)).map(NextHopSet::len), Some(1));
    // Deleted like any route; flush removes the rest.
    fib.apply(&[RouteChange::Delete(pfx(1))]).unwrap();
    assert_eq!(routes_of(&ns).len(), 1);
    fib.apply(&[RouteChange::Blackhole(pfx(2))]).unwrap();
    fib.flush().unwrap();
    assert!(routes_of(&ns).is_empty(), "{:?}", routes_of(&ns));
    assert!(fib.is_empty());
}

#[test]
fn default_route_of_another_protocol_is_seen_ours_is_not() {
    let Some((ns, _)) = setup("default_route_of_another_protocol_is_seen_ours_is_not") else {
        return;
    };
    // `default-information originate` without `always` follows this.
    let has = || {
        let _in = ns.enter().unwrap();
        ospf_std::fib::kernel_default_route(254, ospf_std::fib::RTPROT_OSPF).unwrap()
    };
    assert!(!has());
    ns.ip("route add blackhole default proto ospf").unwrap();
    assert!(
        !has(),
        "a default route of ours (or FRR's OSPF) does not count"
    );
    ns.ip("route add default via 10.99.0.2 metric 5").unwrap();
    assert!(has());
    ns.ip("route del default via 10.99.0.2 metric 5").unwrap();
    assert!(!has());
    ns.ip("route add blackhole 10.0.0.0/8").unwrap();
    assert!(!has(), "only 0.0.0.0/0 counts");
}
