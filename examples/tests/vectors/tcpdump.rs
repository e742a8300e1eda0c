//! tcpdump's own decodes (`.out`, `-v.out`) of its test captures, parsed into the fields
//! they show and compared with the decoder's JSON.

use serde_json::{Map, Value, json};

use crate::common::{Compared, data, decode_json, quad_to_u32};

/// What tcpdump printed for one frame.
#[derive(Debug, Default)]
struct Frame {
    number: u64,
    /// Expected JSON fields (a subset of the decoder's record).
    expected: Map<String, Value>,
    /// tcpdump's "length N" (IP payload less any cryptographic digest).
    tcpdump_len: u64,
    /// "N LSAs" of an LS Update.
    lsa_count: Option<usize>,
    /// OSPFv3 (not decoded by us).
    ospfv3: bool,
    /// tcpdump stopped decoding this frame (e.g. "(invalid)"): compare the header only.
    invalid: bool,
    /// Past the LLS block tcpdump prints last: nothing more to read.
    lls: bool,
}

fn option_bits(list: &str) -> u64 {
    let inner = list.trim().trim_start_matches('[').trim_end_matches(']');
    let mut bits = 0;
    for name in inner.split(", ") {
        bits |= match name.trim() {
            "none" | "" => 0,
            "MultiTopology" => 0x01,
            "External" => 0x02,
            "Multicast" => 0x04,
            "NSSA" => 0x08,
            "LLS" => 0x10,
            "Demand Circuit" => 0x20,
            "Opaque" => 0x40,
            "Up/Down" => 0x80,
            other => panic!("unknown tcpdump option name {other:?}"),
        };
    }
    bits
}

fn router_flag_bits(list: &str) -> u64 {
    let inner = list.trim().trim_start_matches('[').trim_end_matches(']');
    let mut bits = 0;
    for name in inner.split(", ") {
        bits |= match name.trim() {
            "none" | "" => 0,
            "ABR" => 0x01,
            "ASBR" => 0x02,
            "Virtual" => 0x04,
            "Wildcard" => 0x08,
            "Nt" => 0x10,
            other => panic!("unknown tcpdump router flag {other:?}"),
        };
    }
    bits
}

fn dd_flag_bits(list: &str) -> u64 {
    let inner = list.trim().trim_start_matches('[').trim_end_matches(']');
    let mut bits = 0;
    for name in inner.split(", ") {
        bits |= match name.trim() {
            "none" | "" => 0,
            "Master" => 0x01,
            "More" => 0x02,
            "Init" => 0x04,
            "OOBResync" => 0x08,
            other => panic!("unknown tcpdump DD flag {other:?}"),
        };
    }
    bits
}

fn packet_type(name: &str) -> u64 {
    match name {
        "Hello" => 1,
        "Database Description" => 2,
        "LS-Request" => 3,
        "LS-Update" => 4,
        "LS-Ack" => 5,
        other => panic!("unknown tcpdump packet type {other:?}"),
    }
}

/// "(n)" at the end of `s` or after the last '(' in it.
fn paren_num(s: &str) -> u64 {
    let open = s.rfind('(').unwrap();
    let close = s[open..].find(')').unwrap() + open;
    s[open + 1..close].parse().unwrap()
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s.trim().trim_start_matches("0x"), 16).unwrap()
}

fn secs(s: &str) -> u64 {
    s.trim().trim_end_matches('s').parse().unwrap()
}

/// "a, b: c, d" fields of a line: value after `key` up to the next comma.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let at = line.find(key)? + key.len();
    let rest = &line[at..];
    Some(rest.split(", ").next().unwrap().trim())
}

fn is_ip(s: &str) -> bool {
    s.parse::<std::net::Ipv4Addr>().is_ok()
}

#[derive(Clone, Copy, PartialEq)]
enum List {
    None,
    Neighbors,
    Routers,
}

/// The "src > dst: OSPFv2, Type, length N [len M]" part.
fn summary(frame: &mut Frame, s: &str, verbose: bool) {
    let (addrs, rest) = s.split_once(": ").unwrap();
    let (src, dst) = addrs.trim().split_once(" > ").unwrap();
    if !rest.starts_with("OSPFv2") {
        frame.ospfv3 = rest.starts_with("OSPFv3");
        return;
    }
    let mut parts = rest.splitn(3, ", ");
    parts.next();
    let t = packet_type(parts.next().unwrap());
    let len_part = parts.next().unwrap();
    let mut tok = len_part.split_whitespace();
    assert_eq!(tok.next(), Some("length"));
    frame.tcpdump_len = tok.next().unwrap().parse().unwrap();
    let length = match (tok.next(), tok.next()) {
        (Some("[len"), Some(n)) => n.trim_end_matches(']').parse().unwrap(),
        _ => frame.tcpdump_len,
    };
    let e = &mut frame.expected;
    e.insert("frame".into(), json!(frame.number));
    e.insert("src".into(), json!(src));
    e.insert("dst".into(), json!(dst));
    e.insert("type".into(), json!(t));
    // Without -v tcpdump does not show the length field when it differs ("[len M]").
    if verbose {
        e.insert("length".into(), json!(length));
    }
}

fn parse(text: &str) -> Vec<Frame> {
    let mut frames: Vec<Frame> = Vec::new();
    let mut list = List::None;
    // The LSA (header or whole) being filled, and whether it goes to an update.
    let mut lsa: Option<Map<String, Value>> = None;
    let flush = |frames: &mut Vec<Frame>, lsa: &mut Option<Map<String, Value>>| {
        let Some(l) = lsa.take() else { return };
        let f = frames.last_mut().unwrap();
        let key = match f.expected["type"].as_u64().unwrap() {
            2 => "dbdesc",
            4 => "lsupdate",
            5 => "lsack",
            t => panic!("LSA header in a type-{t} packet"),
        };
        let arr = if key == "dbdesc" {
            f.expected
                .entry("dbdesc")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .unwrap()
                .entry("lsas")
                .or_insert_with(|| json!([]))
        } else {
            f.expected.entry(key).or_insert_with(|| json!([]))
        };
        arr.as_array_mut().unwrap().push(Value::Object(l));
    };
    for raw in text.lines() {
        let line = raw.trim();
        let tok: Vec<&str> = line.split_whitespace().collect();
        // Frame start: "N  YYYY-MM-DD HH:MM:SS.us IP ..."
        if tok.len() > 3
            && !raw.starts_with('\t')
            && tok[0].parse::<u64>().is_ok()
            && tok[1].len() == 10
            && tok[1].as_bytes()[4] == b'-'
        {
            flush(&mut frames, &mut lsa);
            list = List::None;
            frames.push(Frame {
                number: tok[0].parse().unwrap(),
                ..Frame::default()
            });
            let rest = line.split_once(&format!(" {} ", tok[3])).unwrap().1;
            let f = frames.last_mut().unwrap();
            if tok[3] == "IP6" {
                f.ospfv3 = line.contains("OSPFv3");
            } else if !rest.starts_with('(') {
                summary(f, rest, false);
            }
            continue;
        }
        if frames.last().is_none_or(|f| f.ospfv3 || f.invalid) {
            continue;
        }
        if let Some(f) = frames.last_mut().filter(|f| f.lls) {
            // The LLS block, which tcpdump prints last.
            let lls = f.expected.get_mut("lls").unwrap();
            if let Some(v) = line.strip_prefix("Options: 0x") {
                let v = v.split_whitespace().next().unwrap();
                lls["extended_options"] = json!(hex(v));
            } else if line.contains(" (") && line.contains("), length: ") {
                let (t, l) = line.split_once("), length: ").unwrap();
                let t = paren_num(&format!("{t})"));
                let l: u64 = l.trim().parse().unwrap();
                lls["tlvs"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"type": t, "length": l}));
            }
            continue;
        }
        if line.starts_with("LSA #") {
            flush(&mut frames, &mut lsa);
            list = List::None;
            continue;
        }
        let pkt_type = frames
            .last()
            .and_then(|f| f.expected.get("type"))
            .and_then(Value::as_u64);
        if line.starts_with("Advertising Router ") && pkt_type != Some(4) {
            flush(&mut frames, &mut lsa);
        }
        let Some(f) = frames.last_mut() else { continue };
        if !raw.starts_with('\t') && line.contains(" > ") && line.contains(": OSPFv") {
            summary(f, line, true);
            continue;
        }
        if let Some(rest) = line.strip_prefix("LLS: ") {
            f.lls = true;
            f.expected.insert(
                "lls".into(),
                json!({
                    "checksum": hex(field(rest, "checksum: ").unwrap()),
                    "length": field(rest, "length: ").unwrap().parse::<u64>().unwrap(),
                    "tlvs": [],
                }),
            );
            continue;
        }
        if line.contains("(invalid)") || line.contains("[|ospf") {
            f.invalid = true;
            continue;
        }
        if is_ip(line) {
            let key = match list {
                List::Neighbors => "neighbors",
                List::Routers => "routers",
                List::None => continue,
            };
            let target = if list == List::Neighbors {
                f.expected.get_mut("hello").unwrap()
            } else {
                lsa.as_mut().unwrap().get_mut("network").unwrap()
            };
            target[key].as_array_mut().unwrap().push(json!(line));
            continue;
        }
        list = List::None;
        let e = &mut f.expected;
        if let Some(rest) = line.strip_prefix("Router-ID ") {
            let (rid, rest) = rest.split_once(", ").unwrap();
            e.insert("router_id".into(), json!(rid));
            let area = if rest.starts_with("Backbone Area") {
                "0.0.0.0"
            } else {
                field(rest, "Area ").unwrap()
            };
            e.insert("area_id".into(), json!(area));
            let au = field(rest, "Authentication Type: ").unwrap();
            e.insert("auth_type".into(), json!(paren_num(au)));
            if let Some(n) = rest
                .rsplit(", ")
                .next()
                .and_then(|l| l.strip_suffix(" LSAs").or(l.strip_suffix(" LSA")))
            {
                f.lsa_count = Some(n.parse().unwrap());
            }
        } else if let Some(rest) = line.strip_prefix("Key-ID: ") {
            e.insert(
                "auth_key_id".into(),
                json!(rest.split(',').next().unwrap().parse::<u64>().unwrap()),
            );
            e.insert(
                "auth_seq".into(),
                json!(hex(field(line, "Crypto Sequence Number: ").unwrap())),
            );
            if let Some(n) = line
                .rsplit(", ")
                .next()
                .and_then(|l| l.strip_suffix(" LSAs").or(l.strip_suffix(" LSA")))
            {
                f.lsa_count = Some(n.parse().unwrap());
            }
        } else if let Some(rest) = line.strip_prefix("Options [") {
            let (opts, more) = rest.split_once(']').unwrap();
            let bits = option_bits(opts);
            if let Some(dd) = more.strip_prefix(", DD Flags [") {
                let (flags, more) = dd.split_once(']').unwrap();
                e.insert(
                    "dbdesc".into(),
                    json!({
                        "options": bits,
                        "flags": dd_flag_bits(flags),
                        "mtu": field(more, "MTU: ").unwrap().parse::<u64>().unwrap(),
                        "seq": hex(field(more, "Sequence: ").unwrap()),
                        "lsas": [],
                    }),
                );
            } else {
                e.insert(
                    "hello".into(),
                    json!({"options": bits, "dr": "0.0.0.0", "bdr": "0.0.0.0", "neighbors": []}),
                );
            }
        } else if line.starts_with("Hello Timer ") {
            let h = e.get_mut("hello").unwrap();
            h["hello_interval"] = json!(secs(field(line, "Hello Timer ").unwrap()));
            h["dead_interval"] = json!(secs(field(line, "Dead Timer ").unwrap()));
            h["mask"] = json!(field(line, "Mask ").unwrap());
            h["priority"] = json!(field(line, "Priority ").unwrap().parse::<u64>().unwrap());
        } else if line.contains("Designated Router ") {
            let h = e.get_mut("hello").unwrap();
            if let Some(dr) = line.strip_prefix("Designated Router ") {
                h["dr"] = json!(dr.split(',').next().unwrap());
            }
            if let Some(bdr) = field(line, "Backup Designated Router ") {
                h["bdr"] = json!(bdr);
            }
        } else if line == "Neighbor List:" {
            list = List::Neighbors;
        } else if let Some(rest) = line.strip_prefix("Advertising Router: ") {
            // LS Request entry.
            let (adv, rest) = rest.split_once(", ").unwrap();
            let (t, lsid) = rest.split_once(", LSA-ID: ").unwrap();
            e.entry("lsreq")
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .unwrap()
                .push(json!({"type": paren_num(t), "lsid": lsid, "adv_router": adv}));
        } else if let Some(rest) = line.strip_prefix("Advertising Router ") {
            let (adv, rest) = rest.split_once(", ").unwrap();
            let mut l = lsa.take().unwrap_or_default();
            l.insert("adv_router".into(), json!(adv));
            l.insert("seq".into(), json!(hex(field(rest, "seq ").unwrap())));
            l.insert("age".into(), json!(secs(field(rest, "age ").unwrap())));
            let len: u64 = field(rest, "length ").unwrap().parse().unwrap();
            l.insert("length".into(), json!(len + 20));
            lsa = Some(l);
        } else if line.contains(" Opaque LSA (") && line.contains("Opaque-Type") {
            let l = lsa.as_mut().unwrap();
            let (t, rest) = line.split_once("), ").unwrap();
            let t = paren_num(&format!("{t})"));
            let (ot, oid) = rest.split_once(", Opaque-ID ").unwrap();
            let ot = paren_num(ot);
            let oid: u64 = oid.trim().parse().unwrap();
            l.insert("type".into(), json!(t));
            l.insert(
                "lsid".into(),
                json!(std::net::Ipv4Addr::from(((ot << 24) | oid) as u32).to_string()),
            );
            if e["type"] == 4 {
                l.insert(
                    "opaque".into(),
                    json!({"opaque_type": ot, "opaque_id": oid}),
                );
            }
        } else if line.contains(" LSA (") && line.contains("LSA-ID: ") {
            let l = lsa.as_mut().unwrap();
            let (t, lsid) = line.split_once(", LSA-ID: ").unwrap();
            let t = paren_num(t);
            l.insert("type".into(), json!(t));
            l.insert("lsid".into(), json!(lsid));
            if e["type"] == 4 {
                match t {
                    1 => {
                        l.insert("router".into(), json!({"flags": 0, "links": []}));
                    }
                    2 => {
                        l.insert("network".into(), json!({"routers": []}));
                    }
                    3 | 4 => {
                        l.insert("summary".into(), json!({}));
                    }
                    5 | 7 => {
                        l.insert(
                            "external".into(),
                            json!({"tag": 0, "forwarding": "0.0.0.0"}),
                        );
                    }
                    _ => {}
                }
            }
        } else if let Some(opts) = line.strip_prefix("Options: ") {
            lsa.as_mut()
                .unwrap()
                .insert("options".into(), json!(option_bits(opts)));
        } else if let Some(flags) = line.strip_prefix("Router LSA Options: ") {
            lsa.as_mut().unwrap()["router"]["flags"] = json!(router_flag_bits(flags));
        } else if line.starts_with("Neighbor Router-ID: ")
            || line.starts_with("Neighbor Network-ID: ")
            || line.starts_with("Stub Network: ")
            || line.starts_with("Virtual Link Endpoint: ")
        {
            let (kind, rest) = line.split_once(": ").unwrap();
            let (id, data) = rest.split_once(", ").unwrap();
            let data = data.split_once(": ").unwrap().1;
            let t = match kind {
                "Neighbor Router-ID" => 1,
                "Neighbor Network-ID" => 2,
                "Stub Network" => 3,
                _ => 4,
            };
            lsa.as_mut().unwrap()["router"]["links"]
                .as_array_mut()
                .unwrap()
                .push(json!({"id": id, "data": data, "type": t}));
        } else if let Some(rest) = line.strip_prefix("topology default (0), ") {
            let l = lsa.as_mut().unwrap();
            let metric: u64 = field(rest, "metric ").unwrap().parse().unwrap();
            if let Some(r) = l.get_mut("router") {
                let links = r["links"].as_array_mut().unwrap();
                links.last_mut().unwrap()["metric"] = json!(metric);
            } else if let Some(s) = l.get_mut("summary") {
                s["metric"] = json!(metric);
            } else if let Some(x) = l.get_mut("external") {
                x["metric"] = json!(metric);
                x["e2"] = json!(field(rest, "type ").unwrap() == "2");
                if let Some(tag) = field(rest, "tag ") {
                    x["tag"] = json!(quad_to_u32(tag));
                }
                if let Some(fwd) = field(rest, "forward ") {
                    x["forwarding"] = json!(fwd);
                }
            }
        } else if let Some(mask) = line.strip_prefix("Mask ") {
            let l = lsa.as_mut().unwrap();
            for k in ["network", "summary", "external"] {
                if let Some(b) = l.get_mut(k) {
                    b["mask"] = json!(mask);
                }
            }
        } else if line == "Connected Routers:" {
            list = List::Routers;
        }
    }
    flush(&mut frames, &mut lsa);
    frames
}

fn check(out_file: &str, capture: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(data(out_file)).unwrap();
    let frames = parse(&text);
    assert!(!frames.is_empty(), "{out_file}: no frames parsed");
    let records = decode_json(&data(capture), &[]);
    let mut cmp = Compared::default();
    for f in &frames {
        let ctx = format!("{out_file} frame {}", f.number);
        let r = records
            .iter()
            .find(|r| r["frame"] == f.number)
            .unwrap_or_else(|| panic!("{ctx}: no record"));
        if f.ospfv3 {
            let err = r["error"]
                .as_str()
                .unwrap_or_else(|| panic!("{ctx}: no error"));
            assert!(err.contains("not OSPFv2"), "{ctx}: {err}");
            cmp.fields += 1;
            continue;
        }
        if f.invalid {
            // tcpdump gave up inside the body: the header fields still count.
            let mut header = f.expected.clone();
            for k in ["hello", "dbdesc", "lsreq", "lsupdate", "lsack"] {
                header.remove(k);
            }
            cmp.subset(&ctx, &Value::Object(header), r);
        } else {
            cmp.subset(&ctx, &Value::Object(f.expected.clone()), r);
            if let Some(n) = f.lsa_count {
                cmp.eq(
                    &format!("{ctx} LSA count"),
                    r["lsupdate"].as_array().unwrap().len(),
                    n,
                );
            }
        }
        // tcpdump's "length" is the IP payload without the cryptographic digest.
        let digest = if r["auth_type"] == 2 {
            r["auth_data_len"].as_u64().unwrap()
        } else {
            0
        };
        cmp.eq(
            &format!("{ctx} tcpdump length"),
            r["ip_payload_len"].as_u64().unwrap() - digest,
            f.tcpdump_len,
        );
    }
    (frames.len(), cmp.fields)
}

#[test]
fn tcpdump_decodes_equal_ours() {
    let cases = [
        (
            "tcpdump/OSPFv2_Capture_FINAL.out",
            "tcpdump/OSPFv2_Capture_FINAL.pcapng",
        ),
        (
            "tcpdump/OSPFv2_Capture_FINAL-v.out",
            "tcpdump/OSPFv2_Capture_FINAL.pcapng",
        ),
        ("tcpdump/ospf-ack.out", "tcpdump/ospf-ack.pcap"),
        ("tcpdump/ospf-gmpls.out", "tcpdump/ospf-gmpls.pcap"),
        (
            "tcpdump/ospf-nssa-bitnt.out",
            "tcpdump/ospf-nssa-bitnt.pcap",
        ),
        (
            "tcpdump/ospf-signed-integer-ubsan.out",
            "tcpdump/ospf-signed-integer-ubsan.pcap",
        ),
        (
            "tcpdump/ospf-sr-ri-sid-v.out",
            "tcpdump/ospf-sr-ri-sid.pcap",
        ),
        ("tcpdump/ospf-sr-v.out", "tcpdump/ospf-sr.pcapng"),
        ("tcpdump/ospf-sr2-v.out", "tcpdump/ospf-sr2.pcapng"),
        (
            "tcpdump/ospf2-seg-fault-1-v.out",
            "tcpdump/ospf2-seg-fault-1.pcapng",
        ),
        (
            "tcpdump/ospf_graceful_restart_rfc3623-v.out",
            "tcpdump/ospf_graceful_restart_rfc3623.pcap",
        ),
    ];
    let (mut frames, mut fields) = (0, 0);
    for (out, capture) in cases {
        let (n, f) = check(out, capture);
        eprintln!("{out}: {n} frames, {f} fields compared");
        frames += n;
        fields += f;
    }
    eprintln!("tcpdump oracles: {frames} frames, {fields} fields compared");
}

#[test]
fn tcpdump_oracle_parser_reads_what_tcpdump_printed() {
    // The parser must not silently read nothing: spot-check a verbose frame.
    let text = std::fs::read_to_string(data("tcpdump/OSPFv2_Capture_FINAL-v.out")).unwrap();
    let frames = parse(&text);
    assert_eq!(frames.len(), 30);
    let f1 = &frames[0].expected;
    assert_eq!(f1["router_id"], "192.168.255.15");
    assert_eq!(f1["length"], 52);
    assert_eq!(
        f1["hello"]["neighbors"],
        json!(["192.168.255.11", "192.168.255.14"])
    );
    let f9 = &frames[8];
    assert_eq!(f9.lsa_count, Some(10));
    assert_eq!(f9.expected["lsupdate"].as_array().unwrap().len(), 10);
    assert_eq!(
        f9.expected["lsupdate"][0]["router"]["links"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        frames[0].expected["lls"],
        json!({"checksum": 0, "length": 9, "tlvs": [{"type": 1, "length": 4}, {"type": 2, "length": 20}], "extended_options": 1})
    );
}
