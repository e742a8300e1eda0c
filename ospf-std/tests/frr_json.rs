//! `show ip ospf neighbor|interface|database|route json` in FRR's shapes (root, FRR):
//! our runtime and FRR 8.4's ospfd on one LAN, each with a loopback and an external
//! route, so that both see the same adjacency, the same LSDB and symmetric
//! routes. For each command, the structure of our JSON (nested key paths, with router
//! IDs, addresses, prefixes and interface names as placeholders) is compared with FRR's.
//!
//! Set `OSPF_RS_DUMP_JSON=1` to print both documents.

mod common;
mod interop;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::Duration;

use interop::{TIMERS, can_run, wait};
use ospf_std::Prefix;
use ospf_testbed::{Bridge, Frr, Netns, OspfRs, frr_conf};
use serde_json::Value;

/// A key that names data (a router ID, an address, a prefix, an interface), not a field.
fn placeholder(key: &str) -> Option<&'static str> {
    let addr = key.split(':').next_back().unwrap_or(key);
    if key.parse::<Ipv4Addr>().is_ok() || key.parse::<Prefix>().is_ok() {
        Some("<addr>")
    } else if key == "eth0"
        || key == "lo"
        || key.starts_with("eth0:")
        || addr.parse::<Ipv4Addr>().is_ok() && key.contains(':')
    {
        Some("<if>")
    } else {
        None
    }
}

/// Every key path of `v`: objects by key (data keys as placeholders), arrays merged.
fn paths(v: &Value, at: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = format!("{at}/{}", placeholder(k).unwrap_or(k));
                out.insert(p.clone());
                paths(v, &p, out);
            }
        }
        Value::Array(a) => {
            for v in a {
                paths(v, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

/// FRR keys we leave out, by command: what the engine does not know (documented on
/// `ospf_std::show::Snapshot`'s JSON renderers).
const FRR_ONLY: &[(&str, &[&str])] = &[
    (
        "show ip ospf neighbor json",
        &[
            "upTime",
            "upTimeInMsec",
            "dbSummaryCounter",
            "databaseSummaryListCounter",
        ],
    ),
    (
        "show ip ospf interface json",
        &["ifFlags", "mtuBytes", "bandwidthMbit", "timerHelloInMsecs"],
    ),
    // Routes to ABRs and ASBRs (`routeType` "R "): the engine's table holds networks.
    ("show ip ospf route json", &["routerType"]),
];

/// Keys of ours that FRR does not have, by command.
const OURS_ONLY: &[(&str, &[&str])] = &[(
    "show ip ospf interface json",
    &[
        "passive",
        "packetsDropped",
        "packetsDroppedByReason",
        "authFailuresByKind",
    ],
)];

/// Whether the last key of `path` (or one above it) is in the list for `cmd`.
fn listed(list: &[(&str, &[&str])], cmd: &str, path: &str) -> bool {
    list.iter()
        .filter(|(c, _)| *c == cmd)
        .flat_map(|(_, keys)| keys.iter())
        .any(|k| path.split('/').any(|seg| seg.trim_end_matches("[]") == *k))
}

fn key_paths(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    paths(v, "", &mut out);
    out
}

#[test]
fn show_json_has_frr_shapes() {
    let test = "show_json_has_frr_shapes";
    if !can_run(test, true, false) {
        return;
    }
    let lan = Bridge::new("jlan").unwrap();
    let (s, f) = (Netns::new("jus").unwrap(), Netns::new("jfrr").unwrap());
    for (ns, addr, lo) in [
        (&s, "10.0.0.1/24", "172.16.0.1/32"),
        (&f, "10.0.0.254/24", "192.168.100.1/32"),
    ] {
        lan.attach(ns, "eth0").unwrap();
        ns.add_addr("eth0", addr).unwrap();
        ns.add_loopback_addr(lo).unwrap();
    }
    // An external route on each side.
    f.add_route(&["blackhole", "20.0.0.0/24"]).unwrap();
    s.add_route(&["blackhole", "30.0.0.0/24"]).unwrap();
    let frr = Frr::start(
        &f,
        &frr_conf::zebra("frr"),
        &format!(
            "hostname frr\ninterface eth0\n{TIMERS}router ospf\n ospf router-id 10.0.0.254\n network 10.0.0.0/24 area 0\n network 192.168.100.1/32 area 0\n redistribute kernel\n"
        ),
    )
    .expect("start FRR");
    let ours = OspfRs::start(
        &s,
        &format!(
            "hostname server1\ninterface eth0\n{TIMERS}router ospf\n ospf router-id 10.0.0.1\n network 10.0.0.0/24 area 0\n network 172.16.0.1/32 area 0\n redistribute kernel\n"
        ),
        false,
    )
    .expect("start our runtime");
    wait("Full both ways", Duration::from_secs(40), || {
        frr.full_neighbors() == 1 && ours.full_neighbors() == 1
    });
    wait("routes both ways", Duration::from_secs(20), || {
        let theirs = frr
            .vtysh_json("show ip ospf route json")
            .unwrap_or(Value::Null);
        let mine = ours.handle().routes().unwrap_or_default();
        theirs.get("172.16.0.1/32").is_some()
            && theirs.get("30.0.0.0/24").is_some()
            && mine
                .iter()
                .any(|r| r.prefix.to_string() == "192.168.100.1/32")
            && mine.iter().any(|r| r.prefix.to_string() == "20.0.0.0/24")
    });
    // Let LSAs and ages settle so both sides hold the same database.
    std::thread::sleep(Duration::from_secs(2));

    let dump = std::env::var("OSPF_RS_DUMP_JSON").is_ok_and(|v| v == "1");
    let mut report = String::new();
    for cmd in [
        "show ip ospf neighbor json",
        "show ip ospf interface json",
        "show ip ospf database json",
        "show ip ospf route json",
    ] {
        let theirs = frr.vtysh_json(cmd).unwrap();
        let text = ours.handle().command(cmd).unwrap_or_default();
        let mine: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if dump {
            eprintln!(
                "== FRR: {cmd}\n{}",
                serde_json::to_string_pretty(&theirs).unwrap()
            );
            eprintln!(
                "== ours: {cmd}\n{}",
                serde_json::to_string_pretty(&mine).unwrap()
            );
        }
        let (t, m) = (key_paths(&theirs), key_paths(&mine));
        assert!(!t.is_empty(), "{cmd}: FRR printed nothing");
        let missing: Vec<_> = t
            .difference(&m)
            .filter(|p| !listed(FRR_ONLY, cmd, p))
            .collect();
        let extra: Vec<_> = m
            .difference(&t)
            .filter(|p| !listed(OURS_ONLY, cmd, p))
            .collect();
        if !missing.is_empty() || !extra.is_empty() {
            report.push_str(&format!(
                "{cmd}:\n  FRR only: {missing:?}\n  ours only: {extra:?}\n"
            ));
        }
    }
    assert!(
        report.is_empty(),
        "JSON shapes differ from FRR's:\n{report}"
    );
}
