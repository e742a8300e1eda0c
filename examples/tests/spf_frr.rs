//! `ospf-pcap spf` against FRR's own routing tables, computed from the same LSDB.

use std::path::PathBuf;

use ospf_examples::spf_cmd;

fn data(name: &str) -> String {
    let mut p = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    p.push("../ospf-core/tests/data/frr-bird");
    p.push(name);
    p.to_string_lossy().into_owned()
}

fn captures() -> Vec<String> {
    ["br0.pcapng", "nssa.pcapng", "area2.pcapng", "sha.pcapng"]
        .iter()
        .map(|f| data(f))
        .collect()
}

#[test]
fn spf_r1_text_equals_frr_show_ip_ospf_route() {
    let mut args = vec!["--router-id".to_owned(), "10.0.0.1".to_owned()];
    args.extend(captures());
    let out = spf_cmd::run(&args).unwrap();
    let want = std::fs::read_to_string(data("r1-routes.txt")).unwrap();
    assert_eq!(out, want, "\n--- got ---\n{out}\n--- want ---\n{want}");
}

#[test]
fn spf_r4_json_equals_frr_show_ip_ospf_route_json() {
    let mut args = vec![
        "--router-id".to_owned(),
        "10.3.0.2".to_owned(),
        "--json".to_owned(),
    ];
    args.extend(captures());
    let out = spf_cmd::run(&args).unwrap();
    let want = std::fs::read_to_string(data("r4-routes.json")).unwrap();
    // Same text, and the same JSON value.
    let a: serde_json::Value = serde_json::from_str(&out).unwrap();
    let b: serde_json::Value = serde_json::from_str(&want).unwrap();
    assert_eq!(a, b, "\n--- got ---\n{out}\n--- want ---\n{want}");
    assert_eq!(out.trim_end(), want.trim_end());
}
