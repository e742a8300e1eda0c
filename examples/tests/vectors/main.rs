//! Real captures (FRR 8.4, BIRD 2.0, tcpdump's test suite) through `ospf-pcap decode`,
//! checked field by field against the routers' own dumps and tcpdump's decodes.

#[path = "../common/mod.rs"]
mod common;
mod reencode;
mod routers;
mod tcpdump;

use common::{all_captures, data, decode_json, run};
use ospf_examples::pcap::CaptureReader;
use serde_json::Value;

/// Captures with something wrong in them, and what the decoder must say about it. The
/// checksum values are Wireshark's ("Checksum: 0x6fc4 [incorrect, should be 0x70b4]").
const EXPECTED_ERRORS: [(&str, &[&str]); 5] = [
    (
        "ospf2-seg-fault-1.pcapng",
        &[
            "bad packet checksum: field 0x6fc4, computed 0x70b4",
            "LSA #1: opaque-area 1.0.0.9 adv 10.255.245.37: bad LSA checksum 0xb003",
            "TE Link TLV (2): Bandwidth Constraints sub-TLV (17) length 1 (invalid)",
        ],
    ),
    (
        "ospf-signed-integer-ubsan.pcap",
        &["not OSPFv2: OSPF over IPv6 (OSPFv3"],
    ),
    (
        "ospf-sr-ri-sid.pcap",
        &[
            "bad packet checksum: field 0x9adf, computed 0xd1a4",
            "LSA #1: opaque-area 4.0.0.0 adv 2.2.2.2: bad LSA checksum 0xb423",
        ],
    ),
    // rtbrick-lspgen wrote the packet checksum in host byte order.
    (
        "ospf-sr.pcapng",
        &["bad packet checksum: field 0x421d, computed 0x1d42 (byte-swapped)"],
    ),
    (
        "ospf-sr2.pcapng",
        &["bad packet checksum: field 0x3e29, computed 0x293e (byte-swapped)"],
    ),
];

/// Every frame of every capture is OSPF; each gets exactly one record, in order, and only
/// the captures listed in [`EXPECTED_ERRORS`] have errors, exactly those.
#[test]
fn every_capture_decodes_without_errors() {
    let (mut packets, mut lsas, mut fields) = (0, 0, 0);
    for path in all_captures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let frames = CaptureReader::open(&path).unwrap().count();
        let records = decode_json(&path, &[]);
        assert_eq!(records.len(), frames, "{name}: one record per frame");
        for (i, r) in records.iter().enumerate() {
            assert_eq!(r["frame"], i + 1, "{name}: frame numbers");
            let expected = EXPECTED_ERRORS.iter().find(|(f, _)| *f == name);
            match (expected, r["error"].as_str()) {
                (None, None) => {}
                (Some((_, want)), Some(err)) => {
                    for w in *want {
                        assert!(
                            err.contains(w),
                            "{name} frame {}: {err:?} lacks {w:?}",
                            i + 1
                        );
                        fields += 1;
                    }
                }
                (_, err) => panic!(
                    "{name} frame {}: error {err:?}, expected {expected:?}",
                    i + 1
                ),
            }
            if !name.contains("ubsan") {
                assert!(r["type"].as_u64().is_some_and(|t| (1..=5).contains(&t)));
                for l in r
                    .get("lsupdate")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let crafted =
                        expected.is_some_and(|(_, w)| w.iter().any(|w| w.contains("bad LSA")));
                    assert_eq!(l["checksum_ok"], !crafted, "{name} frame {}: {l}", i + 1);
                    lsas += 1;
                }
            }
        }
        packets += records.len();
    }
    eprintln!("{packets} packets decoded, {lsas} LSAs, {fields} expected errors matched");
    assert!(packets > 400);
}

/// The packet list the `spf` subcommand reads equals the decoder's records.
#[test]
fn read_ospf_packets_lists_every_ospfv2_packet() {
    for path in all_captures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let packets = ospf_examples::pcap::read_ospf_packets(&path).unwrap();
        let records = decode_json(&path, &[]);
        let v2: Vec<&Value> = records
            .iter()
            .filter(|r| r.get("ip_payload_len").is_some())
            .collect();
        assert_eq!(packets.len(), v2.len(), "{name}");
        for (p, r) in packets.iter().zip(v2) {
            assert_eq!(r["frame"], p.frame, "{name}");
            assert_eq!(r["src"], p.src.to_string(), "{name}");
            assert_eq!(r["ip_payload_len"], p.payload.len(), "{name}");
            let back = ospf_examples::decode::decode_ospf(&p.payload, &[]);
            assert_eq!(back["length"], r["length"], "{name}");
        }
    }
}

/// tcpdump's ospf2-seg-fault-1: a wrong packet checksum and a TE Bandwidth Constraints
/// sub-TLV of length 1; both are named, with the numbers.
#[test]
fn seg_fault_capture_is_reported_precisely() {
    let records = decode_json(&data("tcpdump/ospf2-seg-fault-1.pcapng"), &[]);
    assert_eq!(records.len(), 1);
    let r = &records[0];
    let err = r["error"].as_str().expect("an error");
    // Wireshark: "Checksum: 0x6fc4 [incorrect, should be 0x70b4]".
    assert!(err.contains("bad packet checksum"), "{err}");
    assert!(err.contains("0x6fc4"), "{err}");
    assert!(err.contains("0x70b4"), "{err}");
    assert!(
        err.contains("Bandwidth Constraints sub-TLV (17) length 1"),
        "{err}"
    );
    // The rest of the packet is still shown.
    assert_eq!(r["type"], 4);
    assert_eq!(r["router_id"], "10.255.245.35");
    let lsa = &r["lsupdate"][0];
    assert_eq!(lsa["type"], 10);
    assert_eq!(lsa["opaque"]["opaque_type"], 1);
    assert_eq!(lsa["opaque"]["opaque_id"], 9);
    assert!(lsa["error"].as_str().unwrap().contains("sub-TLV (17)"));
}

/// tcpdump's ospf-sr-ri-sid: crafted, with wrong IP, OSPF and LSA checksums.
#[test]
fn sr_ri_sid_capture_reports_its_bad_checksums() {
    let records = decode_json(&data("tcpdump/ospf-sr-ri-sid.pcap"), &[]);
    assert_eq!(records.len(), 1);
    let err = records[0]["error"].as_str().expect("an error");
    // Wireshark: "Checksum: 0x9adf [incorrect, should be 0xd1a4]".
    assert!(
        err.contains("bad packet checksum: field 0x9adf, computed 0xd1a4"),
        "{err}"
    );
    assert!(
        err.contains("LSA #1: opaque-area 4.0.0.0 adv 2.2.2.2: bad LSA checksum 0xb423"),
        "{err}"
    );
    assert_eq!(records[0]["lsupdate"][0]["checksum_ok"], false);
}

/// tcpdump's ospf-signed-integer-ubsan: OSPFv3 over IPv6 (behind an AH header).
#[test]
fn ospfv3_capture_is_reported_as_not_ospfv2() {
    let records = decode_json(&data("tcpdump/ospf-signed-integer-ubsan.pcap"), &[]);
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r["src"], "fe80::1");
    assert_eq!(r["dst"], "fe80::2");
    let err = r["error"].as_str().unwrap();
    assert!(err.starts_with("not OSPFv2"), "{err}");
    assert!(err.contains("OSPFv3"), "{err}");
    assert!(r.get("hello").is_none() && r.get("lsupdate").is_none());
}

/// Verification results over a capture with one key: (verified, failed, not checked).
fn auth_results(file: &str, keys: &[&str]) -> (usize, usize, usize) {
    let records = decode_json(&data(file), keys);
    let mut counts = (0, 0, 0);
    for r in &records {
        match r["auth_verified"] {
            Value::Bool(true) => counts.0 += 1,
            Value::Bool(false) => counts.1 += 1,
            Value::Null => counts.2 += 1,
            ref other => panic!("{file}: auth_verified {other}"),
        }
    }
    counts
}

fn check_auth(file: &str, auth_type: u64, right: &str, wrong: &[&str], unrelated: &str) {
    let n = decode_json(&data(file), &[]).len();
    let records = decode_json(&data(file), &[]);
    assert!(
        records.iter().all(|r| r["auth_type"] == auth_type),
        "{file}: AuType"
    );
    assert_eq!(
        auth_results(file, &[]),
        (0, 0, n),
        "{file}: no key, nothing verified"
    );
    assert_eq!(
        auth_results(file, &[right]),
        (n, 0, 0),
        "{file}: right key {right}"
    );
    for w in wrong {
        assert_eq!(auth_results(file, &[w]), (0, n, 0), "{file}: wrong key {w}");
    }
    assert_eq!(
        auth_results(file, &[unrelated]),
        (0, 0, n),
        "{file}: key {unrelated} does not apply"
    );
    // With several keys, the one for the packet's key ID is used.
    assert_eq!(
        auth_results(file, &[unrelated, right]),
        (n, 0, 0),
        "{file}: keyring"
    );
    eprintln!("{file}: {n} packets verified with {right}, rejected with {wrong:?}");
}

#[test]
fn rfc2328_d3_keyed_md5_verifies_with_the_right_key_only() {
    check_auth(
        "frr-bird/br0.pcapng",
        2,
        "1:md5:s3cret",
        &["1:md5:s3cret2", "1:md5:S3cret", "1:hmac-sha256:s3cret"],
        "2:md5:s3cret",
    );
}

#[test]
fn rfc5709_hmac_sha256_verifies_with_the_right_key_only() {
    check_auth(
        "frr-bird/sha.pcapng",
        2,
        "7:hmac-sha256:hmac-key",
        &[
            "7:hmac-sha256:hmac-kez",
            "7:hmac-sha1:hmac-key",
            "7:md5:hmac-key",
        ],
        "1:hmac-sha256:hmac-key",
    );
}

#[test]
fn rfc2328_d2_simple_password_verifies_with_the_right_key_only() {
    let file = "frr-bird/area2.pcapng";
    let n = decode_json(&data(file), &[]).len();
    assert_eq!(auth_results(file, &[]), (0, 0, n));
    assert_eq!(auth_results(file, &["0:simple:plain123"]), (n, 0, 0));
    assert_eq!(
        auth_results(file, &[":simple:plain123"]),
        (n, 0, 0),
        "empty ID"
    );
    assert_eq!(auth_results(file, &["0:simple:plain12"]), (0, n, 0));
    let (code, _, err) = run(&[
        "decode",
        "--key",
        "0:simple:plain1234",
        data(file).to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "a 9-byte simple password is a usage error");
    assert!(err.contains("longer than 8 bytes"), "{err}");
    // An MD5 key does not apply to simple-password packets.
    assert_eq!(auth_results(file, &["1:md5:plain123"]), (0, 0, n));
}

/// Text output: one line per packet, with the fields a reader looks for.
#[test]
fn text_output_has_one_line_per_packet() {
    let path = data("frr-bird/br0.pcapng");
    let frames = CaptureReader::open(&path).unwrap().count();
    let (code, out, err) = run(&["decode", "--key", "1:md5:s3cret", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), frames);
    assert!(lines[0].starts_with("1 10.0.0."), "{}", lines[0]);
    for l in &lines {
        assert!(l.contains(": OSPFv2, "), "{l}");
        assert!(l.contains(" (verified)"), "{l}");
        assert!(!l.contains("error"), "{l}");
    }
    assert!(out.contains("Hello, length "));
    assert!(out.contains("LS-Update, length "));
    assert!(
        err.contains(&format!(
            "{frames} frames, {frames} OSPF packets (0 with errors), 0 other frames\n"
        )),
        "{err}"
    );
    let (_, _, err) = run(&["decode", path.to_str().unwrap()]);
    assert!(
        err.contains(&format!(
            "{frames} authenticated packets not verified (no --key for them)"
        )),
        "{err}"
    );
    let (code, verbose, _) = run(&["decode", "-v", path.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        verbose.lines().count() > frames,
        "verbose output lists LSAs"
    );
    assert!(
        verbose.contains("\n    router 10.0.0.1 adv 10.0.0.1 seq 0x8"),
        "verbose router LSA line"
    );
}
