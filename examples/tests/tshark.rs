//! Wireshark cross-check: a few hundred generated OSPFv2 packets (the core's proptest
//! strategies), wrapped in IPv4 and Ethernet, written to a pcap; `tshark` must find no
//! malformed packet and no error-level expert info, and read the same field values as
//! `ospf-pcap decode`. The same comparison runs over every real capture of the test data.
//!
//! tshark is a CI requirement: without it this test fails (it does not skip).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ospf_core::wire::arbitrary::{ArbBody, ArbLsaBody, ArbPacket, arb_packet};
use ospf_core::wire::{AuthField, Lls, LlsTlv, LsaType, Options};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, Endianness};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;

use common::{Compared, Scratch, decode_json};

const PACKETS: usize = 300;

/// Fields asked of tshark, in this order (one tab-separated column each).
const FIELDS: &[&str] = &[
    "frame.number",
    "_ws.malformed",
    "_ws.expert.severity",
    "ospf.msg",
    "ospf.packet_length",
    "ospf.srcrouter",
    "ospf.area_id",
    "ospf.checksum",
    "ospf.auth.type",
    "ospf.auth.crypt.key_id",
    "ospf.auth.crypt.data_length",
    "ospf.auth.crypt.seq_nbr",
    "ospf.hello.network_mask",
    "ospf.hello.hello_interval",
    "ospf.hello.router_priority",
    "ospf.hello.router_dead_interval",
    "ospf.hello.designated_router",
    "ospf.hello.backup_designated_router",
    "ospf.hello.active_neighbor",
    "ospf.v2.options",
    "ospf.db.interface_mtu",
    "ospf.db.dd_sequence",
    "ospf.dbd",
    "ospf.lsa.age",
    "ospf.lsa.donotage",
    "ospf.lsa",
    "ospf.lsa.id",
    "ospf.advrouter",
    "ospf.lsa.seqnum",
    "ospf.lsa.chksum",
    "ospf.lsa.length",
    "ospf.link_state_id",
    "ospf.lsa.router.linkid",
    "ospf.lsa.router.linkdata",
    "ospf.lsa.router.linktype",
    "ospf.lsa.router.metric0",
    "ospf.lsa.network.netmask",
    "ospf.lsa.network.attchrtr",
    "ospf.lsa.asext.netmask",
    "ospf.lsa.asext.fwdaddr",
    "ospf.lsa.asext.extrttag",
    "ospf.lsa.asext.type",
    "ospf.metric",
    "ospf.lsa.asbr.netmask",
    "ospf.lsid_opaque_type",
    "ospf.lsid.opaque_id",
    "ospf.lsid_te_lsa.reserved",
    "ospf.lsid_te_lsa.instance",
    "_ws.expert.message",
];

/// The tshark binary; its absence fails the test with a clear message.
fn tshark() -> PathBuf {
    let candidates = ["/usr/bin/tshark", "/usr/local/bin/tshark"];
    if let Some(p) = candidates.iter().map(PathBuf::from).find(|p| p.exists()) {
        return p;
    }
    match Command::new("tshark").arg("--version").output() {
        Ok(o) if o.status.success() => PathBuf::from("tshark"),
        _ => panic!(
            "tshark is not installed: the Wireshark cross-check needs it \
             (Debian/Ubuntu: apt-get install tshark); CI installs it"
        ),
    }
}

/// A valid LLS block (RFC 5613) for packets whose Options announce one.
fn lls_block(seed: u32) -> Vec<u8> {
    let eo = (seed & 0x3).to_be_bytes();
    let tlvs = [LlsTlv {
        tlv_type: 1,
        value: &eo,
    }];
    let mut out = vec![0u8; Lls::buffer_len(&tlvs)];
    Lls::emit(&tlvs, false, &mut out).unwrap();
    out
}

/// The OSPF payload of one generated packet: the packet, a digest of the announced length
/// for AuType 2, and an LLS block when the L bit is set.
fn ospf_payload(p: &ArbPacket, i: usize) -> Vec<u8> {
    let mut bytes = p.to_bytes();
    if let AuthField::Crypto { auth_len, .. } = p.auth {
        bytes.extend((0..auth_len).map(|b| b ^ i as u8));
    }
    let options = match &p.body {
        ArbBody::Hello(h, _) => Some(h.options),
        ArbBody::DbDesc(d, _) => Some(d.options),
        _ => None,
    };
    if options.is_some_and(|o| o.contains(Options::L)) {
        bytes.extend(lls_block(i as u32));
    }
    bytes
}

fn ipv4_checksum(h: &[u8]) -> u16 {
    let mut sum: u32 = h
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Ethernet + IPv4 (protocol 89, TTL 1, TOS 0xc0) around an OSPF payload.
fn frame(payload: &[u8], i: usize) -> Vec<u8> {
    let total = (20 + payload.len()) as u16;
    let src = [192, 0, 2, (i % 250) as u8 + 1];
    let mut ip = vec![0x45, 0xc0];
    ip.extend_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&(i as u16).to_be_bytes());
    ip.extend_from_slice(&[0, 0, 1, 89, 0, 0]);
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&[224, 0, 0, 5]);
    let c = ipv4_checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    let mut f = vec![
        0x01, 0x00, 0x5e, 0x00, 0x00, 0x05, 0x02, 0, 0, 0, 0, src[3], 0x08, 0x00,
    ];
    f.extend_from_slice(&ip);
    f.extend_from_slice(payload);
    f
}

/// Keeps a generated packet within what Wireshark accepts without complaint, which is
/// narrower than what the codec round-trips: LSA headers say at least 20 bytes, LSAs of
/// unknown LS type are dropped ("Unknown LSA Type"), a Network-LSA lists at least one
/// router (RFC 2328 A.4.3: the DR itself), and opaque LSAs of the TLV-based types that
/// Wireshark dissects are moved to private opaque types (their data is arbitrary).
fn wireshark_valid(mut p: ArbPacket) -> ArbPacket {
    // An LSA header's length counts the header itself: at least 20.
    if let ArbBody::DbDesc(_, headers) | ArbBody::LsAck(headers) = &mut p.body {
        for h in headers.iter_mut() {
            h.length = h.length.max(20);
        }
    }
    if let ArbBody::LsUpdate(lsas) = &mut p.body {
        lsas.retain(|l| !matches!(l.header.lsa_type, LsaType::Unknown(_)));
        for l in lsas.iter_mut() {
            match &mut l.body {
                ArbLsaBody::Network { routers, .. } if routers.is_empty() => {
                    routers.push(l.header.adv_router);
                }
                // Opaque types whose TLVs Wireshark dissects get arbitrary data from the
                // strategy: move them to the private range (RFC 5250 §3), data unchanged.
                ArbLsaBody::Opaque(_) => {
                    let mut id = l.header.lsid.octets();
                    if id[0] < 16 {
                        id[0] |= 0x80;
                        l.header.lsid = id.into();
                    }
                }
                _ => {}
            }
        }
    }
    p
}

fn generate(path: &Path) -> Vec<ArbPacket> {
    // A fixed seed keeps CI reproducible; OSPF_TSHARK_SEED=n explores other packets.
    let n: u8 = std::env::var("OSPF_TSHARK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let seed = [n; 32];
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
    );
    let strategy = arb_packet();
    let mut packets = Vec::new();
    let header = PcapHeader {
        datalink: DataLink::ETHERNET,
        endianness: Endianness::Little,
        ..PcapHeader::default()
    };
    let mut w = PcapWriter::with_header(std::fs::File::create(path).unwrap(), header).unwrap();
    while packets.len() < PACKETS {
        let p = wireshark_valid(strategy.new_tree(&mut runner).unwrap().current());
        let payload = ospf_payload(&p, packets.len());
        if payload.len() > 1400 {
            continue; // keep frames within an Ethernet MTU
        }
        let f = frame(&payload, packets.len());
        let ts = std::time::Duration::from_millis(packets.len() as u64);
        w.write_packet(&PcapPacket::new(ts, f.len() as u32, &f))
            .unwrap();
        packets.push(p);
    }
    packets
}

/// tshark's `-T fields` output for `path`: a line per frame, tab-separated fields, every
/// occurrence of a field joined by `|`.
fn tshark_output(path: &Path, fields: &[&str]) -> String {
    let mut cmd = Command::new(tshark());
    cmd.arg("-r").arg(path).args([
        "-n",
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=|",
    ]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("run tshark");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// tshark's values, by frame number and field name (each a list of occurrences).
fn run_tshark(path: &Path) -> BTreeMap<u64, BTreeMap<&'static str, Vec<String>>> {
    let text = tshark_output(path, FIELDS);
    let mut frames = BTreeMap::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= FIELDS.len() - 1, "tshark line {line:?}");
        let mut m = BTreeMap::new();
        for (name, col) in FIELDS.iter().zip(&cols) {
            let vals: Vec<String> = if col.is_empty() {
                vec![]
            } else {
                col.split('|').map(str::to_string).collect()
            };
            m.insert(*name, vals);
        }
        if FIELDS.len() > cols.len() {
            m.insert("_ws.expert.message", vec![]);
        } else if cols.len() > FIELDS.len() {
            // An expert message with a tab in it: glue it back.
            let msg = cols[FIELDS.len() - 1..].join("\t");
            m.insert("_ws.expert.message", vec![msg]);
        }
        frames.insert(m["frame.number"][0].parse().unwrap(), m);
    }
    frames
}

fn num(s: &str) -> u64 {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).unwrap(),
        None => s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}")),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

struct Check<'a> {
    ctx: String,
    t: &'a BTreeMap<&'static str, Vec<String>>,
    cmp: &'a mut Compared,
}

impl Check<'_> {
    /// tshark's occurrences of `field` equal `ours` (numbers compared as numbers).
    fn list(&mut self, field: &str, ours: &[Value]) {
        let theirs = &self.t[field];
        let ctx = format!("{} {field}", self.ctx);
        assert_eq!(
            theirs.len(),
            ours.len(),
            "{ctx}: occurrences {theirs:?} vs ours {ours:?}"
        );
        for (a, b) in theirs.iter().zip(ours) {
            match b {
                Value::Number(n) => self.cmp.eq(&ctx, num(a), n.as_u64().unwrap()),
                other => self.cmp.eq(&ctx, a.as_str(), text(other).as_str()),
            }
        }
    }
    fn one(&mut self, field: &str, ours: &Value) {
        self.list(field, std::slice::from_ref(ours));
    }
}

fn headers_of(r: &Value) -> Vec<Value> {
    if let Some(d) = r.get("dbdesc") {
        return d["lsas"].as_array().unwrap().clone();
    }
    for k in ["lsupdate", "lsack"] {
        if let Some(a) = r.get(k) {
            return a.as_array().unwrap().clone();
        }
    }
    Vec::new()
}

/// Compares one of our records with tshark's fields for the same frame; returns the
/// number of LSAs the packet carried.
fn compare_record(
    ctx: &str,
    r: &Value,
    t: &BTreeMap<&'static str, Vec<String>>,
    cmp: &mut Compared,
) -> usize {
    let mut lsas = 0;
    let mut c = Check {
        ctx: ctx.to_string(),
        t,
        cmp,
    };
    c.one("ospf.msg", &r["type"]);
    c.one("ospf.packet_length", &r["length"]);
    c.one("ospf.srcrouter", &r["router_id"]);
    c.one("ospf.area_id", &r["area_id"]);
    c.one("ospf.checksum", &r["checksum"]);
    c.one("ospf.auth.type", &r["auth_type"]);
    if r["auth_type"] == 2 {
        c.one("ospf.auth.crypt.key_id", &r["auth_key_id"]);
        c.one("ospf.auth.crypt.data_length", &r["auth_data_len"]);
        c.one("ospf.auth.crypt.seq_nbr", &r["auth_seq"]);
    }
    let headers = headers_of(r);
    let mut options: Vec<Value> = Vec::new();
    if let Some(h) = r.get("hello") {
        c.one("ospf.hello.network_mask", &h["mask"]);
        c.one("ospf.hello.hello_interval", &h["hello_interval"]);
        c.one("ospf.hello.router_priority", &h["priority"]);
        c.one("ospf.hello.router_dead_interval", &h["dead_interval"]);
        c.one("ospf.hello.designated_router", &h["dr"]);
        c.one("ospf.hello.backup_designated_router", &h["bdr"]);
        c.list(
            "ospf.hello.active_neighbor",
            h["neighbors"].as_array().unwrap(),
        );
        options.push(h["options"].clone());
    }
    if let Some(d) = r.get("dbdesc") {
        c.one("ospf.db.interface_mtu", &d["mtu"]);
        c.one("ospf.db.dd_sequence", &d["seq"]);
        c.one("ospf.dbd", &d["flags"]);
        options.push(d["options"].clone());
    }
    if let Some(req) = r.get("lsreq").and_then(Value::as_array) {
        let pick = |k: &str| req.iter().map(|e| e[k].clone()).collect::<Vec<_>>();
        c.list("ospf.lsa", &pick("type"));
        c.list("ospf.link_state_id", &pick("lsid"));
        c.list("ospf.advrouter", &pick("adv_router"));
    }
    // LSA headers (DD, LS Update, LS Ack).
    options.extend(headers.iter().map(|h| h["options"].clone()));
    c.list("ospf.v2.options", &options);
    let pick = |k: &str| headers.iter().map(|h| h[k].clone()).collect::<Vec<_>>();
    let age: Vec<Value> = headers
        .iter()
        .map(|h| (h["age"].as_u64().unwrap() & 0x7fff).into())
        .collect();
    let dna: Vec<Value> = headers
        .iter()
        .map(|h| (h["age"].as_u64().unwrap() >> 15).into())
        .collect();
    c.list("ospf.lsa.age", &age);
    c.list("ospf.lsa.donotage", &dna);
    if r.get("lsreq").is_none() {
        c.list("ospf.lsa", &pick("type"));
        c.list("ospf.advrouter", &pick("adv_router"));
    }
    // Wireshark splits an opaque LSA's Link State ID into opaque type and id.
    let opaque = |h: &&Value| (9..=11).contains(&h["type"].as_u64().unwrap());
    let lsid = |h: &Value| common::quad_to_u32(h["lsid"].as_str().unwrap());
    let plain: Vec<Value> = headers
        .iter()
        .filter(|h| !opaque(h))
        .map(|h| h["lsid"].clone())
        .collect();
    c.list("ospf.lsa.id", &plain);
    let op: Vec<&Value> = headers.iter().filter(opaque).collect();
    c.list(
        "ospf.lsid_opaque_type",
        &op.iter()
            .map(|h| Value::from(lsid(h) >> 24))
            .collect::<Vec<_>>(),
    );
    // ... and a TE LSA's (opaque type 1, RFC 3630) opaque id into reserved and instance.
    let (te, other): (Vec<&Value>, Vec<&Value>) = op.iter().partition(|h| lsid(h) >> 24 == 1);
    c.list(
        "ospf.lsid.opaque_id",
        &other
            .iter()
            .map(|h| Value::from(lsid(h) & 0xff_ffff))
            .collect::<Vec<_>>(),
    );
    c.list(
        "ospf.lsid_te_lsa.reserved",
        &te.iter()
            .map(|h| Value::from((lsid(h) >> 16) & 0xff))
            .collect::<Vec<_>>(),
    );
    c.list(
        "ospf.lsid_te_lsa.instance",
        &te.iter()
            .map(|h| Value::from(lsid(h) & 0xffff))
            .collect::<Vec<_>>(),
    );
    c.list("ospf.lsa.seqnum", &pick("seq"));
    c.list("ospf.lsa.chksum", &pick("checksum"));
    c.list("ospf.lsa.length", &pick("length"));
    // LSA bodies of LS Updates.
    if let Some(u) = r.get("lsupdate").and_then(Value::as_array) {
        lsas = u.len();
        let links: Vec<&Value> = u
            .iter()
            .filter_map(|l| l.get("router"))
            .flat_map(|b| b["links"].as_array().unwrap())
            .collect();
        let pick = |k: &str| links.iter().map(|l| l[k].clone()).collect::<Vec<_>>();
        c.list("ospf.lsa.router.linkid", &pick("id"));
        c.list("ospf.lsa.router.linkdata", &pick("data"));
        c.list("ospf.lsa.router.linktype", &pick("type"));
        c.list("ospf.lsa.router.metric0", &pick("metric"));
        let nets: Vec<&Value> = u.iter().filter_map(|l| l.get("network")).collect();
        c.list(
            "ospf.lsa.network.netmask",
            &nets.iter().map(|b| b["mask"].clone()).collect::<Vec<_>>(),
        );
        let attached: Vec<Value> = nets
            .iter()
            .flat_map(|b| b["routers"].as_array().unwrap().clone())
            .collect();
        c.list("ospf.lsa.network.attchrtr", &attached);
        let ext: Vec<&Value> = u.iter().filter_map(|l| l.get("external")).collect();
        c.list(
            "ospf.lsa.asext.netmask",
            &ext.iter().map(|b| b["mask"].clone()).collect::<Vec<_>>(),
        );
        // The TOS 0 values, then each TOS entry's, LSA by LSA.
        let with_tos = |b: &Value, k: &str| -> Vec<Value> {
            let mut v = vec![b[k].clone()];
            v.extend(
                b.get("tos")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|t| t[k].clone()),
            );
            v
        };
        let e2 = |v: Value| Value::from(u64::from(v.as_bool().unwrap()));
        c.list(
            "ospf.lsa.asext.fwdaddr",
            &ext.iter()
                .flat_map(|b| with_tos(b, "forwarding"))
                .collect::<Vec<_>>(),
        );
        c.list(
            "ospf.lsa.asext.extrttag",
            &ext.iter()
                .flat_map(|b| with_tos(b, "tag"))
                .collect::<Vec<_>>(),
        );
        c.list(
            "ospf.lsa.asext.type",
            &ext.iter()
                .flat_map(|b| with_tos(b, "e2"))
                .map(e2)
                .collect::<Vec<_>>(),
        );
        // Metrics of summary and external LSAs, in LSA order.
        let metrics: Vec<Value> = u
            .iter()
            .filter_map(|l| l.get("summary").or_else(|| l.get("external")))
            .flat_map(|b| with_tos(b, "metric"))
            .collect();
        c.list("ospf.metric", &metrics);
        let sums: Vec<&Value> = u.iter().filter_map(|l| l.get("summary")).collect();
        c.list(
            "ospf.lsa.asbr.netmask",
            &sums.iter().map(|b| b["mask"].clone()).collect::<Vec<_>>(),
        );
    }
    lsas
}

#[test]
fn wireshark_reads_generated_packets_like_we_do() {
    let tmp = Scratch::new("tshark");
    let path = tmp.file("generated.pcap");
    let packets = generate(&path);
    let ours = decode_json(&path, &[]);
    assert_eq!(ours.len(), PACKETS);
    let theirs = run_tshark(&path);
    assert_eq!(theirs.len(), PACKETS, "tshark frames");
    let mut cmp = Compared::default();
    let mut by_type = [0usize; 6];
    let mut lsas = 0;
    for (i, r) in ours.iter().enumerate() {
        let n = (i + 1) as u64;
        let t = &theirs[&n];
        let ctx = format!("frame {n} ({:?})", packets[i]);
        assert!(r.get("error").is_none(), "{ctx}: our decoder: {r}");
        assert!(
            t["_ws.malformed"].is_empty(),
            "{ctx}: tshark: malformed: {:?}",
            t["_ws.expert.message"]
        );
        // Severity "error" is 0x00800000.
        assert!(
            !t["_ws.expert.severity"]
                .iter()
                .any(|s| num(s) >= 0x0080_0000),
            "{ctx}: tshark error-level expert info: {:?} {:?}",
            t["_ws.expert.severity"],
            t["_ws.expert.message"]
        );
        lsas += compare_record(&ctx, r, t, &mut cmp);
        by_type[r["type"].as_u64().unwrap() as usize] += 1;
    }
    eprintln!(
        "tshark cross-check: {PACKETS} packets (hello {}, dd {}, lsr {}, lsu {}, ack {}), \
         {lsas} LSAs, {} fields compared",
        by_type[1], by_type[2], by_type[3], by_type[4], by_type[5], cmp.fields
    );
}

/// The real captures (FRR, BIRD, tcpdump's suite) read by Wireshark and by us: the same
/// field values, and Wireshark finds nothing malformed where we find nothing wrong.
#[test]
fn wireshark_reads_the_real_captures_like_we_do() {
    let mut cmp = Compared::default();
    let (mut packets, mut lsas) = (0, 0);
    for path in common::all_captures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let ours = decode_json(&path, &[]);
        let theirs = run_tshark(&path);
        assert_eq!(theirs.len(), ours.len(), "{name}: frames");
        for r in &ours {
            let n = r["frame"].as_u64().unwrap();
            let t = &theirs[&n];
            let ctx = format!("{name} frame {n}");
            let malformed = !t["_ws.malformed"].is_empty()
                || t["_ws.expert.severity"]
                    .iter()
                    .any(|s| num(s) >= 0x0080_0000);
            match r["error"].as_str() {
                // Ours names the problem; tshark may or may not see one (it does not
                // check LSA checksums, for one).
                Some(err) => {
                    if malformed {
                        eprintln!("{ctx}: tshark {:?}; ours: {err}", t["_ws.expert.message"]);
                    }
                    if r.get("version").is_none_or(|v| v != 2) {
                        continue; // OSPFv3: nothing of OSPFv2 to compare
                    }
                }
                None => assert!(!malformed, "{ctx}: tshark: {:?}", t["_ws.expert.message"]),
            }
            if malformed {
                continue; // tshark stopped part-way
            }
            lsas += compare_record(&ctx, r, t, &mut cmp);
            packets += 1;
        }
    }
    eprintln!(
        "tshark on the captures: {packets} packets, {lsas} LSAs, {} fields compared",
        cmp.fields
    );
    assert!(packets > 450);
}

/// A pcap file of Ethernet frames for the tests' own packets.
fn pcap_writer(path: &Path) -> PcapWriter<std::fs::File> {
    let header = PcapHeader {
        datalink: DataLink::ETHERNET,
        endianness: Endianness::Little,
        ..PcapHeader::default()
    };
    PcapWriter::with_header(std::fs::File::create(path).unwrap(), header).unwrap()
}

/// Writes one LS Update carrying `lsas` (raw) as frame `n`.
fn write_ls_update(w: &mut PcapWriter<std::fs::File>, lsas: &[&[u8]], n: usize) {
    use ospf_core::wire::{BodyRepr, LsUpdateRepr, LsaList, PacketRepr};
    let p = PacketRepr {
        router_id: std::net::Ipv4Addr::new(10, 0, 0, 1),
        area_id: std::net::Ipv4Addr::UNSPECIFIED,
        auth: AuthField::Null,
        body: BodyRepr::LsUpdate(LsUpdateRepr {
            lsas: LsaList::Raw(lsas),
        }),
    };
    let mut buf = vec![0u8; p.buffer_len()];
    p.emit_bytes(&mut buf).unwrap();
    let f = frame(&buf, n);
    let ts = std::time::Duration::from_millis(n as u64);
    w.write_packet(&PcapPacket::new(ts, f.len() as u32, &f))
        .unwrap();
}

/// tshark's `fields` of every frame of `path`: per frame, per field, every occurrence.
fn tshark_fields(path: &Path, fields: &[&str]) -> Vec<Vec<Vec<String>>> {
    tshark_output(path, fields)
        .lines()
        .map(|line| {
            line.split('\t')
                .map(|c| {
                    if c.is_empty() {
                        vec![]
                    } else {
                        c.split('|').map(str::to_string).collect()
                    }
                })
                .chain(std::iter::repeat(vec![]))
                .take(fields.len())
                .collect()
        })
        .collect()
}

/// One Grace-LSA (RFC 3623 Appendix A) with these TLVs, plus `extra` raw TLV bytes after
/// them, as a whole LSA with its checksum.
fn grace_lsa(i: u32, g: &ospf_core::wire::GraceLsa, extra: &[u8]) -> Vec<u8> {
    use ospf_core::wire::{GraceLsa, LsaBody, LsaHeader, LsaRepr, OpaqueLsa};
    let mut body = vec![0u8; g.buffer_len()];
    g.emit(&mut body).unwrap();
    body.extend_from_slice(extra);
    let repr = LsaRepr {
        header: LsaHeader {
            age: (i * 7 % 300) as u16,
            options: Options::E | Options::O,
            lsa_type: LsaType::OpaqueLink,
            lsid: GraceLsa::lsid(i % 3),
            adv_router: std::net::Ipv4Addr::new(10, 0, 0, (i % 200) as u8 + 1),
            seq: 0x8000_0001 + i,
            checksum: 0,
            length: 0,
        },
        body: LsaBody::Opaque(OpaqueLsa::parse(GraceLsa::lsid(i % 3), &body)),
    };
    let mut out = vec![0u8; repr.buffer_len()];
    repr.emit(&mut out).unwrap();
    out
}

/// Grace-LSAs with every combination of TLVs (and an unknown TLV), each in an LS Update,
/// read by tshark and by `ospf-pcap decode`: the grace period, restart reason and
/// interface address agree, and tshark finds nothing malformed.
#[test]
fn wireshark_reads_grace_lsas_like_we_do() {
    use ospf_core::wire::{GraceLsa, RestartReason};
    let tmp = Scratch::new("tshark-grace");
    let path = tmp.file("grace.pcap");
    let mut w = pcap_writer(&path);
    let mut frames = 0usize;
    for i in 0..64u32 {
        let g = GraceLsa {
            grace_period: (i & 1 != 0).then_some(i * 37 + 1),
            reason: (i & 2 != 0).then_some(RestartReason::from((i / 4 % 5) as u8)),
            interface_address: (i & 4 != 0).then(|| std::net::Ipv4Addr::new(192, 0, 2, i as u8)),
        };
        let extra: &[u8] = if i % 8 == 7 {
            &[0, 9, 0, 2, 0xab, 0xcd, 0, 0]
        } else {
            &[]
        };
        let a = grace_lsa(i, &g, extra);
        let b = grace_lsa(i + 64, &g, &[]);
        write_ls_update(&mut w, &[&a, &b], frames);
        frames += 1;
    }
    drop(w);
    let ours = decode_json(&path, &[]);
    assert_eq!(ours.len(), frames);
    let fields = [
        "frame.number",
        "_ws.malformed",
        "_ws.expert.severity",
        "ospf.lsid_opaque_type",
        "ospf.lsid.opaque_id",
        "ospf.v2.grace.period",
        "ospf.v2.grace.reason",
        "ospf.v2.grace.ip",
    ];
    let rows = tshark_fields(&path, &fields);
    assert_eq!(rows.len(), frames, "tshark frames");
    let mut cmp = Compared::default();
    for (r, cols) in ours.iter().zip(&rows) {
        let ctx = format!("frame {}", cols[0][0]);
        assert!(r.get("error").is_none(), "{ctx}: our decoder: {r}");
        assert!(cols[1].is_empty(), "{ctx}: tshark: malformed");
        assert!(
            !cols[2].iter().any(|s| num(s) >= 0x0080_0000),
            "{ctx}: tshark error-level expert info {:?}",
            cols[2]
        );
        let opaque: Vec<&Value> = r["lsupdate"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| &l["opaque"])
            .collect();
        assert_eq!(opaque.len(), 2, "{ctx}");
        let ours_of = |key: &str| -> Vec<String> {
            opaque
                .iter()
                .filter_map(|o| o["grace"].get(key))
                .map(text)
                .collect()
        };
        let types: Vec<String> = opaque.iter().map(|o| text(&o["opaque_type"])).collect();
        let ids: Vec<String> = opaque.iter().map(|o| text(&o["opaque_id"])).collect();
        cmp.eq(&format!("{ctx} opaque type"), cols[3].clone(), types);
        cmp.eq(&format!("{ctx} opaque id"), cols[4].clone(), ids);
        let as_num = |v: &[String]| v.iter().map(|s| num(s)).collect::<Vec<u64>>();
        cmp.eq(
            &format!("{ctx} grace period"),
            as_num(&cols[5]),
            as_num(&ours_of("grace_period")),
        );
        cmp.eq(
            &format!("{ctx} reason"),
            as_num(&cols[6]),
            as_num(&ours_of("reason")),
        );
        cmp.eq(
            &format!("{ctx} interface address"),
            cols[7].clone(),
            ours_of("interface_address"),
        );
    }
    eprintln!(
        "tshark on Grace-LSAs: {frames} packets, {} LSAs, {} fields compared",
        2 * frames,
        cmp.fields
    );
}

/// One Extended Prefix Opaque LSA (RFC 7684, area scope) holding `tlvs`, as a whole LSA
/// with its checksum.
fn ext_prefix_lsa(i: u32, tlvs: &[u8]) -> Vec<u8> {
    use ospf_core::wire::{ExtPrefix, LsaBody, LsaHeader, LsaRepr, OpaqueLsa};
    let lsid = ExtPrefix::lsid(i * 7 + 1);
    let repr = LsaRepr {
        header: LsaHeader {
            age: (i * 5 % 300) as u16,
            options: Options::E | Options::O,
            lsa_type: LsaType::OpaqueArea,
            lsid,
            adv_router: std::net::Ipv4Addr::new(10, 0, 0, (i % 200) as u8 + 1),
            seq: 0x8000_0001 + i,
            checksum: 0,
            length: 0,
        },
        body: LsaBody::Opaque(OpaqueLsa::parse(lsid, tlvs)),
    };
    let mut out = vec![0u8; repr.buffer_len()];
    repr.emit(&mut out).unwrap();
    out
}

/// Extended Prefix Opaque LSAs (RFC 7684 §2.1) with one or two Extended Prefix TLVs,
/// with and without our weight sub-TLV (and an unknown TLV), each in an LS Update, read by
/// tshark and by `ospf-pcap decode`: route type, address family, flags, prefix length,
/// prefix and the sub-TLV types agree, and tshark finds nothing malformed.
#[test]
fn wireshark_reads_extended_prefix_lsas_like_we_do() {
    use ospf_core::wire::{ExtPrefix, ExtPrefixFlags, ExtPrefixRouteType};
    let tmp = Scratch::new("tshark-extpfx");
    let path = tmp.file("extpfx.pcap");
    let mut w = pcap_writer(&path);
    let route_types = [1u8, 3, 5, 7];
    let mut frames = 0usize;
    for i in 0..48u32 {
        let p = ExtPrefix {
            route_type: ExtPrefixRouteType::from(route_types[i as usize % 4]),
            prefix_len: 32 - (i % 3) as u8 * 8,
            flags: ExtPrefixFlags::from_bits_retain(((i / 4 % 4) as u8) << 6),
            prefix: std::net::Ipv4Addr::new(172, 16, (i / 3) as u8, 0),
            weight: (i % 2 == 0).then_some((i * 5 % 255) as u8 + 1),
        };
        let mut tlvs = vec![0u8; p.buffer_len()];
        p.emit(&mut tlvs).unwrap();
        if i % 6 == 5 {
            tlvs.extend_from_slice(&[0, 9, 0, 2, 0xab, 0xcd, 0, 0]);
        }
        if i % 4 == 3 {
            let q =
                ExtPrefix::host(std::net::Ipv4Addr::new(10, 1, 1, i as u8)).with_weight(Some(1));
            let at = tlvs.len();
            tlvs.resize(at + q.buffer_len(), 0);
            q.emit(&mut tlvs[at..]).unwrap();
        }
        let a = ext_prefix_lsa(i, &tlvs);
        write_ls_update(&mut w, &[&a], frames);
        frames += 1;
    }
    drop(w);
    let ours = decode_json(&path, &[]);
    assert_eq!(ours.len(), frames);
    let fields = [
        "frame.number",
        "_ws.malformed",
        "_ws.expert.severity",
        "ospf.lsid_opaque_type",
        "ospf.tlv.extpfx.rotuetype",
        "ospf.tlv.extpfx.af",
        "ospf.tlv.extpfx.flags",
        "ospf.tlv_value",
        "ospf.prefix_length",
        "ospf.v3.address_prefix.ipv4",
    ];
    let rows = tshark_fields(&path, &fields);
    assert_eq!(rows.len(), frames, "tshark frames");
    let mut cmp = Compared::default();
    let mut weights = 0;
    for (r, cols) in ours.iter().zip(&rows) {
        let ctx = format!("frame {}", cols[0][0]);
        assert!(r.get("error").is_none(), "{ctx}: our decoder: {r}");
        assert!(cols[1].is_empty(), "{ctx}: tshark: malformed");
        assert!(
            !cols[2].iter().any(|s| num(s) >= 0x0080_0000),
            "{ctx}: tshark error-level expert info {:?}",
            cols[2]
        );
        let o = &r["lsupdate"][0]["opaque"];
        let tlvs = o["ext_prefix"].as_array().expect("Extended Prefix TLVs");
        let of = |key: &str| -> Vec<u64> { tlvs.iter().map(|t| num(&text(&t[key]))).collect() };
        let as_num = |v: &[String]| v.iter().map(|s| num(s)).collect::<Vec<u64>>();
        cmp.eq(
            &format!("{ctx} opaque type"),
            cols[3].clone(),
            vec![text(&o["opaque_type"])],
        );
        cmp.eq(
            &format!("{ctx} route type"),
            as_num(&cols[4]),
            of("route_type"),
        );
        cmp.eq(&format!("{ctx} address family"), as_num(&cols[5]), of("af"));
        cmp.eq(&format!("{ctx} flags"), as_num(&cols[6]), of("flags"));
        // tshark shows our sub-TLV as "Unknown Sub-TLV: 32768" with its value; the
        // unknown top-level TLV's value has 2 bytes.
        let theirs: Vec<u64> = cols[7]
            .iter()
            .map(|v| v.replace(':', ""))
            .filter(|v| v.len() == 8)
            .map(|v| u64::from_str_radix(&v[..2], 16).unwrap())
            .collect();
        let ours_w: Vec<u64> = tlvs
            .iter()
            .filter_map(|t| t.get("weight"))
            .map(|w| w.as_u64().unwrap())
            .collect();
        weights += ours_w.len();
        cmp.eq(&format!("{ctx} weights"), theirs, ours_w);
        cmp.eq(
            &format!("{ctx} prefix length"),
            as_num(&cols[8]),
            of("prefix_len"),
        );
        let prefixes: Vec<String> = tlvs.iter().map(|t| text(&t["prefix"])).collect();
        cmp.eq(&format!("{ctx} prefix"), cols[9].clone(), prefixes);
    }
    assert!(weights >= 30, "weight sub-TLVs compared: {weights}");
    eprintln!(
        "tshark on Extended Prefix LSAs: {frames} packets, {weights} weight sub-TLVs, {} fields compared",
        cmp.fields
    );
}
