//! `topo-emu` as a process: `stats` reports the generated area, bad sizes are refused with a
//! message and exit code 1. (The speaker itself is exercised against ours, FRR and BIRD by
//! `ospf-std/tests/peers_scale.rs`.)

use std::process::Command;

use ospf_testbed::example_binary;

fn topo_emu(args: &[&str]) -> (i32, String, String) {
    let bin = example_binary("ospf-examples", "topo-emu").expect("topo-emu binary");
    let out = Command::new(bin).args(args).output().expect("run topo-emu");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn stats_reports_the_generated_area_and_its_deep_change() {
    let (code, out, err) = topo_emu(&[
        "stats",
        "--routers",
        "300",
        "--externals",
        "100",
        "--gateways",
        "3",
        "--seed",
        "4",
    ]);
    assert_eq!(code, 0, "{err}");
    // 300 loopbacks, 75 /24 stubs, 6 LANs, 100 externals; 300 Router-LSAs, 6 Network-LSAs.
    assert!(
        out.contains("300 routers (300 reached), 1200 p2p links, 406 LSAs, 481 routes ("),
        "{out}"
    );
    assert!(out.contains("deep change: router "), "{out}");
    assert!(
        out.contains("cost ") && out.contains("-> 1000, moves "),
        "{out}"
    );
}

#[test]
fn impossible_sizes_are_refused_with_a_message() {
    for args in [
        &["stats", "--routers", "0"][..],
        &["stats", "--routers", "10", "--gateways", "11"][..],
    ] {
        let (code, _, err) = topo_emu(args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(
            err.starts_with("topo-emu: need at least one router"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}
