//! The BFD soak benchmark's short variant (root only), so that the tool cannot rot:
//! `bfd-soak --sessions 10 --duration 5 --json` (10 sessions at 50 ms x 3 between two
//! runtimes, both cores spinning) must bring every session and adjacency Up, exchange
//! the packets 50 ms x 3 implies, and see no false detection. The 10-minute run is a
//! benchmark (README, BFD section), not a test.

use ospf_testbed::{example_binary, require_root};
use serde_json::Value;

#[test]
fn bfd_soak_short() {
    if !require_root("bfd_soak_short", "network namespaces") {
        return;
    }
    let bin = example_binary("ospf-examples", "bfd-soak").expect("bfd-soak binary");
    let out = std::process::Command::new(bin)
        .args(["--sessions", "10", "--duration", "5", "--json"])
        .output()
        .expect("run bfd-soak");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}");
    let line = stdout.lines().last().unwrap_or_default();
    let v: Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("no JSON result ({e}): {stdout}\n{stderr}"));
    assert_eq!(v["sessions"], 10, "{v}");
    assert_eq!(v["false_down_transitions"], 0, "{v}");
    assert_eq!(v["sessions_not_up_at_end"], 0, "{v}");
    assert_eq!(v["sessions_not_up_worst_sample"], 0, "{v}");
    assert_eq!(v["ospf_full_at_end"], serde_json::json!([10, 10]), "{v}");
    // 20 sessions (both sides) send every 37.5-50 ms (RFC 5880 jitter): 400-533 a second.
    let pps = v["packets_per_s"].as_f64().unwrap();
    assert!(
        (360.0..=560.0).contains(&pps),
        "packets per second {pps}: {v}"
    );
    let (sent, received) = (
        v["packets_sent"].as_u64().unwrap(),
        v["packets_received"].as_u64().unwrap(),
    );
    assert!(
        received + 40 >= sent && received <= sent + 40,
        "sent {sent}, received {received}: {v}"
    );
    assert!(out.status.success(), "exit {:?}: {v}\n{stderr}", out.status);
}
