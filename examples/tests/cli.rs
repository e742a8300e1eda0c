//! `ospf-pcap` as a process (exit codes, stderr) and over every supported link type.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Scratch, data, run};
use ospf_examples::pcap::{CaptureReader, Extracted, extract_ospf, link_type};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, Endianness};
use serde_json::Value;

/// The example binary. `cargo test` builds it next to the test executables, but
/// `cargo test --all-targets` builds examples as test harnesses only: then build it here
/// (once per test process).
fn binary() -> PathBuf {
    static BUILD: std::sync::Once = std::sync::Once::new();
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir
        .join("examples")
        .join(format!("ospf-pcap{}", std::env::consts::EXE_SUFFIX));
    BUILD.call_once(|| {
        // Same target directory and profile as this test executable.
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args([
            "build",
            "--quiet",
            "-p",
            "ospf-examples",
            "--example",
            "ospf-pcap",
        ])
        .arg("--target-dir")
        .arg(dir.parent().unwrap())
        .current_dir(env!("CARGO_MANIFEST_DIR"));
        if dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build");
        assert!(status.success(), "cargo build --example ospf-pcap failed");
    });
    assert!(
        bin.exists(),
        "{} not found after building it",
        bin.display()
    );
    bin
}

fn run_binary(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(binary()).args(args).output().unwrap();
    (
        out.status.code().expect("exited, not killed"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn process_exit_codes_and_messages() {
    let br0 = data("frr-bird/br0.pcapng");
    let br0 = br0.to_str().unwrap();
    let frames = CaptureReader::open(br0).unwrap().count();

    let (code, out, err) = run_binary(&["decode", br0]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), frames);

    let (code, out, err) = run_binary(&["decode", "--json", br0]);
    assert_eq!(code, 0, "{err}");
    for line in out.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert!(v["frame"].as_u64().is_some());
    }

    // A file that does not exist: message naming it, exit 1.
    let (code, out, err) = run_binary(&["decode", "/nonexistent/x.pcap"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("/nonexistent/x.pcap") && err.contains("No such file"),
        "{err}"
    );

    // Not a capture: exit 1, and the other file is still decoded.
    let text = data("frr-bird/r1-database.txt");
    let (code, out, err) = run_binary(&["decode", text.to_str().unwrap(), br0]);
    assert_eq!(code, 1);
    assert!(err.contains("not a pcap or pcapng file"), "{err}");
    assert_eq!(
        out.lines().filter(|l| l.contains(": OSPFv2, ")).count(),
        frames
    );

    // Usage errors: exit 2.
    assert_eq!(run_binary(&["decode"]).0, 2);
    assert_eq!(run_binary(&["decode", "--key", "1:sha3:x", br0]).0, 2);
    assert_eq!(run_binary(&["decode", "--key", "300:md5:x", br0]).0, 2);
    assert_eq!(run_binary(&["frobnicate"]).0, 2);
    let (code, out, _) = run_binary(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("decode"));
}

#[test]
fn truncated_capture_prints_what_it_read_then_fails() {
    let tmp = Scratch::new("truncated");
    let bytes = std::fs::read(data("frr-bird/br0.pcapng")).unwrap();
    let cut = tmp.file("cut.pcapng");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let (code, out, err) = run(&["decode", cut.to_str().unwrap()]);
    assert_eq!(
        code, 1,
        "a capture cut in the middle of a block is a read error"
    );
    assert!(err.contains("cannot read frame"), "{err}");
    assert!(
        out.lines().count() > 10,
        "frames before the cut are printed"
    );

    let empty = tmp.file("empty.pcap");
    std::fs::write(&empty, b"").unwrap();
    let (code, _, err) = run(&["decode", empty.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("too short"), "{err}");
}

/// The IPv4 packets (OSPF inside) of a capture.
fn ipv4_packets(path: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for frame in CaptureReader::open(path).unwrap() {
        let frame = frame.unwrap();
        // Ethernet without VLAN tags in these captures: IPv4 starts at 14.
        assert_eq!(frame.link_type, link_type::ETHERNET);
        let ip = &frame.data[14..];
        let Ok(Extracted::Ospfv2(parsed)) = extract_ospf(frame.link_type, &frame.data) else {
            panic!("not OSPFv2");
        };
        let total = parsed.total_len as usize;
        out.push(ip[..total].to_vec());
    }
    out
}

/// Writes `packets` with link-layer `framing` as a pcap of `link` type, byte order `e`.
fn write_pcap(
    path: &Path,
    link: u32,
    e: Endianness,
    packets: &[Vec<u8>],
    framing: impl Fn(&[u8]) -> Vec<u8>,
) {
    let header = PcapHeader {
        datalink: DataLink::from(link),
        endianness: e,
        ..PcapHeader::default()
    };
    let mut w = PcapWriter::with_header(std::fs::File::create(path).unwrap(), header).unwrap();
    for (i, p) in packets.iter().enumerate() {
        let frame = framing(p);
        let ts = std::time::Duration::from_millis(i as u64);
        w.write_packet(&PcapPacket::new(ts, frame.len() as u32, &frame))
            .unwrap();
    }
}

/// Every supported link type yields the same records as the original Ethernet capture.
#[test]
fn every_link_type_decodes_like_ethernet() {
    let tmp = Scratch::new("every");
    let src = data("frr-bird/sha.pcapng");
    let reference = common::decode_json(&src, &["7:hmac-sha256:hmac-key"]);
    let packets = ipv4_packets(&src);
    assert_eq!(packets.len(), reference.len());
    let with = |prefix: &[u8]| {
        let prefix = prefix.to_vec();
        move |p: &[u8]| {
            let mut f = prefix.clone();
            f.extend_from_slice(p);
            f
        }
    };
    let mut eth_vlan = vec![0x01, 0, 0x5e, 0, 0, 5, 2, 0, 0, 0, 0, 1];
    eth_vlan.extend_from_slice(&[0x81, 0x00, 0x00, 0x0a, 0x08, 0x00]);
    let mut qinq = vec![0x01, 0, 0x5e, 0, 0, 5, 2, 0, 0, 0, 0, 1];
    qinq.extend_from_slice(&[0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0x0a, 0x08, 0x00]);
    let mut sll = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
    sll.extend_from_slice(&[0x08, 0x00]);
    let mut sll2 = vec![0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6];
    sll2.extend_from_slice(&[2, 0, 0, 0, 0, 1, 0, 0]);
    let cases: Vec<(&str, u32, Endianness, Vec<u8>)> = vec![
        ("vlan", link_type::ETHERNET, Endianness::Little, eth_vlan),
        ("qinq", link_type::ETHERNET, Endianness::Big, qinq),
        ("sll", link_type::LINUX_SLL, Endianness::Little, sll),
        ("sll2", link_type::LINUX_SLL2, Endianness::Big, sll2),
        ("raw", link_type::RAW, Endianness::Little, vec![]),
        ("ipv4", link_type::IPV4, Endianness::Big, vec![]),
        (
            "null-le",
            link_type::NULL,
            Endianness::Little,
            2u32.to_le_bytes().to_vec(),
        ),
        (
            "null-be",
            link_type::NULL,
            Endianness::Big,
            2u32.to_be_bytes().to_vec(),
        ),
        (
            "loop",
            link_type::LOOP,
            Endianness::Little,
            2u32.to_be_bytes().to_vec(),
        ),
    ];
    for (name, link, e, prefix) in cases {
        let path = tmp.file(&format!("{name}.pcap"));
        write_pcap(&path, link, e, &packets, with(&prefix));
        let records = common::decode_json(&path, &["7:hmac-sha256:hmac-key"]);
        assert_eq!(records.len(), reference.len(), "{name}");
        for (a, b) in records.iter().zip(&reference) {
            assert_eq!(a, b, "{name}");
            assert_eq!(a["auth_verified"], true, "{name}");
        }
    }
}

/// A fragment that is not the first is reported as such; the first one as incomplete.
#[test]
fn ipv4_fragments_are_reported() {
    let tmp = Scratch::new("ipv4");
    let packets = ipv4_packets(&data("frr-bird/br0.pcapng"));
    let big = packets.iter().max_by_key(|p| p.len()).unwrap();
    let (first, second) = big.split_at(20 + 32);
    let mut f1 = first.to_vec();
    let n1 = f1.len() as u16;
    f1[2..4].copy_from_slice(&n1.to_be_bytes());
    f1[6] = 0x20; // MF, offset 0
    let mut f2 = big[..20].to_vec();
    f2.extend_from_slice(second);
    let n2 = f2.len() as u16;
    f2[2..4].copy_from_slice(&n2.to_be_bytes());
    f2[6..8].copy_from_slice(&(32u16 / 8).to_be_bytes());
    for p in [&mut f1, &mut f2] {
        p[10..12].fill(0);
    }
    let path = tmp.file("frag.pcap");
    write_pcap(&path, link_type::RAW, Endianness::Little, &[f1, f2], |p| {
        p.to_vec()
    });
    let records = common::decode_json(&path, &[]);
    assert_eq!(records.len(), 2);
    let e1 = records[0]["error"].as_str().unwrap();
    assert!(e1.contains("first fragment"), "{e1}");
    let e2 = records[1]["error"].as_str().unwrap();
    assert!(e2.contains("non-first IPv4 fragment (offset 32)"), "{e2}");
}

/// A pcapng written by hand: big-endian section, option lists without an end marker, a
/// simple packet block, and a second section with another link type.
#[test]
fn lenient_pcapng_reading() {
    let tmp = Scratch::new("lenient");
    let packets = ipv4_packets(&data("frr-bird/area2.pcapng"));
    let p = &packets[0];
    let mut f = Vec::new();
    let block = |f: &mut Vec<u8>, t: u32, body: &[u8], big: bool| {
        let len = (12 + body.len().div_ceil(4) * 4) as u32;
        let w = |v: u32| {
            if big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        };
        f.extend_from_slice(&w(t));
        f.extend_from_slice(&w(len));
        f.extend_from_slice(body);
        f.resize(f.len() + (4 - body.len() % 4) % 4, 0);
        f.extend_from_slice(&w(len));
    };
    // Section 1, big endian: SHB with an shb_userappl option and no opt_endofopt.
    let mut shb = vec![0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0];
    shb.extend_from_slice(&[0xff; 8]);
    shb.extend_from_slice(&[0, 4, 0, 3, b'x', b'y', b'z', 0]);
    block(&mut f, 0x0a0d0d0a, &shb, true);
    // IDB: raw IP, if_name option, no end marker.
    let mut idb = vec![0, 101, 0, 0, 0, 0, 0xff, 0xff];
    idb.extend_from_slice(&[0, 2, 0, 2, b'l', b'o', 0, 0]);
    block(&mut f, 1, &idb, true);
    let mut spb = (p.len() as u32).to_be_bytes().to_vec();
    spb.extend_from_slice(p);
    block(&mut f, 3, &spb, true);
    // Section 2, little endian: Linux cooked v1, an EPB.
    let mut shb2 = vec![0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0];
    shb2.extend_from_slice(&[0xff; 8]);
    block(&mut f, 0x0a0d0d0a, &shb2, false);
    let mut idb2 = vec![113, 0, 0, 0, 0, 0, 0, 0];
    idb2.extend_from_slice(&[9, 0, 1, 0, 9, 0, 0, 0, 0, 0, 0, 0]); // if_tsresol 10^-9
    block(&mut f, 1, &idb2, false);
    let mut frame = vec![0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00];
    frame.extend_from_slice(p);
    let mut epb = 0u32.to_le_bytes().to_vec();
    let ts: u64 = 1_700_000_000_123_456_789;
    epb.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
    epb.extend_from_slice(&(ts as u32).to_le_bytes());
    epb.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    epb.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    epb.extend_from_slice(&frame);
    block(&mut f, 6, &epb, false);
    let path = tmp.file("hand.pcapng");
    std::fs::write(&path, &f).unwrap();

    let frames: Vec<_> = CaptureReader::open(&path)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0].link_type, link_type::RAW);
    assert_eq!(frames[1].link_type, link_type::LINUX_SLL);
    assert_eq!(frames[1].timestamp.as_nanos(), u128::from(ts));
    let records = common::decode_json(&path, &["0:simple:plain123"]);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["frame"], 1);
    assert_eq!(records[1]["frame"], 2);
    for r in &records {
        assert!(r.get("error").is_none(), "{r}");
        assert_eq!(r["auth_verified"], true);
    }
}
