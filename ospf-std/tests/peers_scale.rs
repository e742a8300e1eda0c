//! Correctness at scale (issue 13, item 3): for generated areas (200 routers, 800 links,
//! 4 LANs, 1,000 AS-externals, three gateways so that next hops differ by destination),
//! played by the emulator (`ospf_std::emulator`) to our router, FRR and BIRD side by side,
//! each in its own pair of namespaces, the three kernel tables hold the same routes
//! (prefix and equal-cost next hop set), equal to the reference calculation; then again
//! after a metric change deep in the area that moves some routes from one gateway to
//! another. Three seeds.
//!
//! Needs root, FRR and BIRD; without them it prints why and returns.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use ospf_std::emulator::{Topology, TopologySpec};
use ospf_testbed::peers::{Impl, Lab};
use ospf_testbed::{require_root, require_tool};

type Routes = BTreeMap<String, BTreeSet<Ipv4Addr>>;

const IMPLS: [Impl; 3] = [Impl::Ours, Impl::Frr, Impl::Bird];
const TIMEOUT: Duration = Duration::from_secs(40);

/// A short account of how `got` differs from `want`.
fn diff(want: &Routes, got: &Routes) -> String {
    let missing: Vec<_> = want
        .keys()
        .filter(|p| !got.contains_key(*p))
        .take(5)
        .collect();
    let extra: Vec<_> = got
        .keys()
        .filter(|p| !want.contains_key(*p))
        .take(5)
        .collect();
    let wrong: Vec<_> = want
        .iter()
        .filter(|(p, nh)| got.get(*p).is_some_and(|g| g != *nh))
        .take(5)
        .map(|(p, nh)| format!("{p}: want {nh:?} got {:?}", got[p]))
        .collect();
    format!(
        "{} routes, want {}; missing {missing:?}, extra {extra:?}, wrong next hops {wrong:?}",
        got.len(),
        want.len()
    )
}

/// Waits until every lab's kernel holds exactly the expected routes; returns how long each
/// took, or panics with the differences.
fn converge(labs: &[(Impl, Lab)], seed: u64, what: &str) -> Vec<Duration> {
    let start = Instant::now();
    let want: Vec<Routes> = labs
        .iter()
        .map(|(_, l)| l.expected_kernel_routes())
        .collect();
    let mut done: Vec<Option<Duration>> = vec![None; labs.len()];
    let mut last: Vec<Routes> = vec![Routes::new(); labs.len()];
    while start.elapsed() < TIMEOUT && done.iter().any(Option::is_none) {
        for (i, (which, lab)) in labs.iter().enumerate() {
            if done[i].is_none() {
                last[i] = lab.kernel_routes(*which).unwrap();
                if last[i] == want[i] {
                    done[i] = Some(start.elapsed());
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    for (i, (which, _)) in labs.iter().enumerate() {
        assert!(
            done[i].is_some(),
            "seed {seed}, {what}: {} kernel routes never matched: {}",
            which.name(),
            diff(&want[i], &last[i])
        );
    }
    done.into_iter().flatten().collect()
}

#[test]
fn ours_frr_and_bird_install_the_same_routes_for_generated_areas() {
    let test = "peers_scale";
    if !(require_root(test, "network namespaces and raw sockets")
        && require_tool(test, "frr")
        && require_tool(test, "bird"))
    {
        return;
    }
    for seed in 1..=3u64 {
        let spec = TopologySpec::new(200, 1000).gateways(3).seed(seed);
        let topology = Topology::generate(spec).unwrap();
        let (expected, reached) = topology.expected_routes();
        assert_eq!(reached, 200);
        assert!(
            expected.values().filter(|nh| nh.len() > 1).count() > 10,
            "seed {seed}: the area has equal-cost paths through several gateways"
        );
        let labs: Vec<(Impl, Lab)> = IMPLS
            .iter()
            .map(|&which| {
                let lab = Lab::new(&format!("ps{}", which.name()), topology.clone()).unwrap();
                (which, lab)
            })
            .collect();
        let _routers: Vec<_> = labs
            .iter()
            .map(|(which, lab)| lab.start(*which).unwrap())
            .collect();
        let took = converge(&labs, seed, "initial");
        println!("seed {seed}: kernel routes as expected after {took:?} (ours, FRR, BIRD)");
        let tables: Vec<Routes> = labs
            .iter()
            .map(|(w, l)| l.kernel_routes(*w).unwrap())
            .collect();
        assert_eq!(tables[0], tables[1], "seed {seed}: ours and FRR differ");
        assert_eq!(tables[0], tables[2], "seed {seed}: ours and BIRD differ");
        assert_eq!(tables[0].len(), expected.len());

        // A metric change deep in the area that moves routes between gateways.
        let ((r, to, _), moved) = topology.deep_metric_change(1000).unwrap();
        let mut labs = labs;
        for (_, lab) in &mut labs {
            let lsa = lab.topology.set_link_metric(r, to, 1000).unwrap();
            lab.speaker.flood(vec![lsa]).unwrap();
        }
        let took = converge(&labs, seed, "after the metric change");
        println!(
            "seed {seed}: router {r}'s link to {to} at cost 1000 moved {} routes; kernels agree after {took:?}",
            moved.len()
        );
        for (_, lab) in &labs {
            assert!(
                lab.speaker
                    .events()
                    .iter()
                    .all(|e| !matches!(e, ospf_std::emulator::SpeakerEvent::Down { .. }))
            );
        }
    }
}
