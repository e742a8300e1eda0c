//! The route calculation never panics, whatever LSAs it is fed: arbitrary bytes, and
//! well-formed LSAs with arbitrary fields (zero and maximal metrics, self-references,
//! dangling links, MaxAge instances, areas of every kind), in any order.

mod spf_util;

use core::net::Ipv4Addr;
use ospf_core::spf::*;
use proptest::prelude::*;
use spf_util::*;

fn small_addr() -> impl Strategy<Value = Ipv4Addr> {
    (0u8..6).prop_map(|x| Ipv4Addr::new(10, 0, 0, x))
}

fn lsa() -> impl Strategy<Value = (u8, Vec<u8>)> {
    let link = (1u8..=4, small_addr(), small_addr(), any::<u16>());
    prop_oneof![
        (small_addr(), any::<u8>(), prop::collection::vec(link, 0..6))
            .prop_map(|(adv, f, l)| (0, router(adv, f, &l))),
        (
            small_addr(),
            small_addr(),
            0u8..=32,
            prop::collection::vec(small_addr(), 0..4)
        )
            .prop_map(|(dr, adv, len, rs)| (0, network(dr, adv, len, &rs))),
        (3u8..=4, small_addr(), small_addr(), 0u8..=32, any::<u32>())
            .prop_map(|(t, id, adv, len, m)| (1, summary(t, id, adv, len, m))),
        (
            prop_oneof![Just(5u8), Just(7u8)],
            small_addr(),
            small_addr(),
            0u8..=32,
            any::<bool>(),
            any::<u32>(),
            small_addr(),
            any::<u8>()
        )
            .prop_map(|(t, id, adv, len, e2, m, fa, o)| (
                2,
                external(t, id, adv, len, e2, m, fa, 0, o)
            )),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(|v| (3, v)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn spf_never_panics(
        ops in prop::collection::vec((0u8..3, lsa(), any::<bool>(), 0u16..4000), 1..40),
        max_paths in 0usize..4,
    ) {
        let areas = [
            (Ipv4Addr::new(0, 0, 0, 0), AreaKind::Normal),
            (Ipv4Addr::new(0, 0, 0, 1), AreaKind::Stub { no_summary: true, default_cost: 0 }),
            (
                Ipv4Addr::new(0, 0, 0, 2),
                AreaKind::Nssa {
                    no_summary: false,
                    default_cost: 1,
                    translate_always: true,
                    translate_never: false,
                    default_originate: None,
                    suppress_fa: false,
                },
            ),
        ];
        let mut spf = Spf::new(Ipv4Addr::new(10, 0, 0, 1), SpfConfig::default().with_max_paths(max_paths));
        spf.set_areas(&areas);
        spf.set_interfaces(&[SpfInterface {
            ifindex: 1,
            area: Ipv4Addr::UNSPECIFIED,
            addr: Ipv4Addr::new(10, 0, 0, 1),
            prefix_len: 24,
            cost: 1,
            kind: InterfaceKind::Broadcast,
            up: true,
            peer: core::net::Ipv4Addr::UNSPECIFIED,
        }]);
        for (area, (_, raw), remove, age) in ops {
            let area = areas[usize::from(area)].0;
            // Ages up to past MaxAge (3600): MaxAge instances remove the LSA.
            let raw = if raw.len() >= 20 { aged(raw, age) } else { raw };
            if remove && raw.len() >= 12 {
                let id = Ipv4Addr::new(raw[4], raw[5], raw[6], raw[7]);
                let adv = Ipv4Addr::new(raw[8], raw[9], raw[10], raw[11]);
                spf.lsa_remove(area, raw[3], id, adv);
            } else {
                let _ = spf.lsa_update(area, &raw);
            }
            let _ = spf.calculate();
            // Whatever path the calculation took, a full one agrees.
            let mut fresh = spf.clone();
            fresh.invalidate();
            prop_assert!(fresh.calculate().is_empty());
            let _ = spf.routes().count();
            let _ = spf.summaries();
            let _ = spf.translations();
            let _ = spf.reachable_routers();
        }
        let mut fresh = spf.clone();
        fresh.invalidate();
        prop_assert!(fresh.calculate().is_empty());
    }
}
