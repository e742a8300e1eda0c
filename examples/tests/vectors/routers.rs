//! The FRR and BIRD dumps taken at the end of the captures, against what the decoder
//! reads from the captures.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{self, Compared, LsaKey, data, decode_json, newest_lsas, prefix};

/// One row of FRR's `show ip ospf database`.
#[derive(Debug)]
struct DbRow {
    area: Option<String>,
    lsa_type: u8,
    lsid: String,
    adv: String,
    age: u64,
    seq: u64,
    checksum: u64,
    rest: Vec<String>,
}

fn parse_frr_database(text: &str) -> Vec<DbRow> {
    let mut rows = Vec::new();
    let mut section: Option<(u8, Option<String>)> = None;
    for line in text.lines() {
        let t = line.trim();
        let area = t
            .split("(Area ")
            .nth(1)
            .map(|a| a.trim_end_matches(')').to_string());
        let kind = if t.starts_with("Router Link States") {
            Some(1)
        } else if t.starts_with("Net Link States") {
            Some(2)
        } else if t.starts_with("Summary Link States") {
            Some(3)
        } else if t.starts_with("ASBR-Summary Link States") {
            Some(4)
        } else if t.starts_with("AS External Link States") {
            Some(5)
        } else if t.starts_with("NSSA-external Link States") {
            Some(7)
        } else if t.starts_with("Link-Local Opaque-LSA") {
            Some(9)
        } else if t.starts_with("Area-Local Opaque-LSA") {
            Some(10)
        } else if t.starts_with("AS-external Opaque-LSA") {
            Some(11)
        } else {
            None
        };
        if let Some(k) = kind {
            section = Some((k, area));
            continue;
        }
        let tok: Vec<&str> = t.split_whitespace().collect();
        let Some((lsa_type, area)) = &section else {
            continue;
        };
        if tok.len() < 5
            || tok[0].parse::<std::net::Ipv4Addr>().is_err()
            || tok[1].parse::<std::net::Ipv4Addr>().is_err()
        {
            continue;
        }
        let hex = |s: &str| u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
        rows.push(DbRow {
            area: area.clone(),
            lsa_type: *lsa_type,
            lsid: tok[0].into(),
            adv: tok[1].into(),
            age: tok[2].parse().unwrap(),
            seq: hex(tok[3]),
            checksum: hex(tok[4]),
            rest: tok[5..].iter().map(|s| s.to_string()).collect(),
        });
    }
    rows
}

/// `show ip ospf database` against the newest instance of each LSA in the capture: seq
/// and checksum exact, MaxAge where FRR shows age 3600, and the body facts FRR prints.
fn check_database(db_file: &str, captures: &[&str]) -> (usize, usize) {
    let text = std::fs::read_to_string(data(db_file)).unwrap();
    let rows = parse_frr_database(&text);
    assert!(
        rows.len() >= 10,
        "{db_file}: parsed only {} rows",
        rows.len()
    );
    let mut records = Vec::new();
    for c in captures {
        records.extend(decode_json(&data(c), &[]));
    }
    let newest = newest_lsas(&records);
    let mut cmp = Compared::default();
    for row in &rows {
        let ctx = format!(
            "{db_file}: type {} {} adv {}",
            row.lsa_type, row.lsid, row.adv
        );
        let key: LsaKey = (
            row.area.clone(),
            row.lsa_type,
            row.lsid.clone(),
            row.adv.clone(),
        );
        let Some((header, lsa)) = newest.get(&key) else {
            panic!("{ctx}: never seen in {captures:?}");
        };
        cmp.eq(
            &format!("{ctx} seq"),
            header["seq"].as_u64().unwrap(),
            row.seq,
        );
        cmp.eq(
            &format!("{ctx} checksum"),
            header["checksum"].as_u64().unwrap(),
            row.checksum,
        );
        let age = header["age"].as_u64().unwrap() & 0x7fff;
        cmp.eq(&format!("{ctx} MaxAge"), age == 3600, row.age == 3600);
        let Some(lsa) = lsa else {
            panic!("{ctx}: newest instance never carried by an LS Update");
        };
        cmp.eq(
            &format!("{ctx} LSA checksum verifies"),
            lsa["checksum_ok"].as_bool(),
            Some(true),
        );
        match row.lsa_type {
            1 => {
                let count: usize = row.rest[0].parse().unwrap();
                cmp.eq(
                    &format!("{ctx} link count"),
                    lsa["router"]["links"].as_array().unwrap().len(),
                    count,
                );
            }
            3 => {
                let route = prefix(&row.lsid, lsa["summary"]["mask"].as_str().unwrap());
                cmp.eq(
                    &format!("{ctx} route"),
                    route.as_str(),
                    row.rest[0].as_str(),
                );
            }
            5 | 7 => {
                let e = &lsa["external"];
                let kind = if e["e2"].as_bool().unwrap() {
                    "E2"
                } else {
                    "E1"
                };
                cmp.eq(&format!("{ctx} metric type"), kind, row.rest[0].as_str());
                let route = prefix(&row.lsid, e["mask"].as_str().unwrap());
                cmp.eq(
                    &format!("{ctx} route"),
                    route.as_str(),
                    row.rest[1].as_str(),
                );
                let tag = format!("[{:#x}]", e["tag"].as_u64().unwrap());
                cmp.eq(&format!("{ctx} tag"), tag.as_str(), row.rest[2].as_str());
            }
            10 => {
                let o = &lsa["opaque"];
                let lsid = common::quad_to_u32(&row.lsid);
                cmp.eq(
                    &format!("{ctx} opaque type"),
                    o["opaque_type"].as_u64().unwrap(),
                    u64::from(lsid >> 24),
                );
                cmp.eq(
                    &format!("{ctx} opaque id"),
                    o["opaque_id"].as_u64().unwrap(),
                    u64::from(lsid & 0xff_ffff),
                );
            }
            _ => {}
        }
    }
    (rows.len(), cmp.fields)
}

#[test]
fn frr_r1_database_equals_newest_lsas_in_br0() {
    let (rows, fields) = check_database("frr-bird/r1-database.txt", &["frr-bird/br0.pcapng"]);
    eprintln!("r1-database.txt: {rows} LSAs, {fields} fields compared");
}

#[test]
fn frr_r4_database_equals_newest_lsas_in_area2() {
    let (rows, fields) = check_database("frr-bird/r4-database.txt", &["frr-bird/area2.pcapng"]);
    eprintln!("r4-database.txt: {rows} LSAs, {fields} fields compared");
}

/// `show ip ospf neighbor` on r1 against the Hellos on br0.
#[test]
fn frr_r1_neighbors_equal_br0_hellos() {
    let text = std::fs::read_to_string(data("frr-bird/r1-neighbors.txt")).unwrap();
    let records = decode_json(&data("frr-bird/br0.pcapng"), &[]);
    let last_hello = |rid: &str| -> Value {
        records
            .iter()
            .rev()
            .find(|r| r["router_id"] == rid && r.get("hello").is_some())
            .unwrap_or_else(|| panic!("no Hello from {rid}"))
            .clone()
    };
    let mut cmp = Compared::default();
    let mut rows = 0;
    let mut own_addr = None;
    let mut roles = Vec::new();
    for line in text.lines() {
        let tok: Vec<&str> = line.split_whitespace().collect();
        if tok.len() < 7 || tok[0].parse::<std::net::Ipv4Addr>().is_err() {
            continue;
        }
        rows += 1;
        let (id, pri, state, addr, iface) = (tok[0], tok[1], tok[2], tok[5], tok[6]);
        let h = last_hello(id);
        cmp.eq(&format!("{id} address"), h["src"].as_str().unwrap(), addr);
        cmp.eq(
            &format!("{id} priority"),
            h["hello"]["priority"].as_u64().unwrap(),
            pri.parse().unwrap(),
        );
        let (adj, role) = state.split_once('/').unwrap();
        assert_eq!(adj, "Full", "{id}: dump state");
        roles.push((addr.to_string(), role.to_string()));
        own_addr = Some(iface.split_once(':').unwrap().1.to_string());
    }
    assert_eq!(rows, 2, "r1-neighbors.txt rows");
    let own = own_addr.unwrap();
    let mine = records
        .iter()
        .rev()
        .find(|r| r["src"] == own.as_str() && r.get("hello").is_some())
        .expect("a Hello from r1");
    let r1 = &mine["hello"];
    for (addr, role) in &roles {
        match role.as_str() {
            "Backup" => cmp.eq("BDR", r1["bdr"].as_str().unwrap(), addr.as_str()),
            "DR" => cmp.eq("DR", r1["dr"].as_str().unwrap(), addr.as_str()),
            _ => {
                cmp.eq(
                    "DROther is not DR",
                    r1["dr"].as_str().unwrap() != addr,
                    true,
                );
                cmp.eq(
                    "DROther is not BDR",
                    r1["bdr"].as_str().unwrap() != addr,
                    true,
                );
            }
        }
    }
    // No neighbor is DR, so r1 itself is.
    if !roles.iter().any(|(_, r)| r == "DR") {
        cmp.eq("r1 is DR", r1["dr"].as_str().unwrap(), own.as_str());
    }
    // Full adjacencies: r1 lists both neighbors in its last Hello.
    let listed: Vec<&str> = r1["neighbors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for line in text.lines() {
        if let Some(id) = line
            .split_whitespace()
            .next()
            .filter(|t| t.parse::<std::net::Ipv4Addr>().is_ok())
        {
            cmp.eq(&format!("r1 lists {id}"), listed.contains(&id), true);
        }
    }
    eprintln!(
        "r1-neighbors.txt: {rows} neighbors, {} fields compared",
        cmp.fields
    );
}

fn parse_prefix(p: &str) -> (String, u32) {
    let (a, l) = p.split_once('/').unwrap();
    (a.to_string(), l.parse().unwrap())
}

fn mask_of(len: u32) -> String {
    let m = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    std::net::Ipv4Addr::from(m).to_string()
}

/// BIRD's `show ospf state` on b1 against the newest LSAs of br0 and sha.
#[test]
fn bird_b1_state_equals_newest_lsas() {
    let text = std::fs::read_to_string(data("frr-bird/b1-state.txt")).unwrap();
    let mut records = decode_json(&data("frr-bird/br0.pcapng"), &[]);
    records.extend(decode_json(&data("frr-bird/sha.pcapng"), &[]));
    let newest = newest_lsas(&records);
    let area = "0.0.0.0".to_string();
    // Live LSAs of area 0 and the AS (BIRD does not show MaxAge ones).
    let live: Vec<&Value> = newest
        .iter()
        .filter(|((scope, ..), _)| scope.as_deref().is_none_or(|s| s == area))
        .filter_map(|(_, (h, l))| {
            ((h["age"].as_u64().unwrap() & 0x7fff) < 3600)
                .then_some(l.as_ref())
                .flatten()
        })
        .collect();
    let find = |t: u64, lsid: &str, adv: Option<&str>| -> &Value {
        live.iter()
            .find(|l| {
                l["type"] == t && l["lsid"] == lsid && adv.is_none_or(|a| l["adv_router"] == a)
            })
            .unwrap_or_else(|| panic!("no live type-{t} LSA {lsid} adv {adv:?}"))
    };
    let mut cmp = Compared::default();
    let mut block: Option<(String, String)> = None; // (kind, name)
    let mut links_expected: BTreeMap<String, usize> = BTreeMap::new();
    let mut network_routers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut network_lines: BTreeMap<String, usize> = BTreeMap::new();
    let mut lines = 0;
    for line in text.lines() {
        let depth = line.chars().take_while(|c| *c == '\t').count();
        let tok: Vec<&str> = line.split_whitespace().collect();
        if tok.is_empty() {
            continue;
        }
        if depth == 1 {
            block = Some((tok[0].to_string(), tok[1].to_string()));
            continue;
        }
        if depth != 2 {
            continue;
        }
        let Some((kind, name)) = &block else { continue };
        lines += 1;
        let ctx = format!("b1-state: {kind} {name}: {}", line.trim());
        let metric = |tok: &[&str]| -> (bool, u64) {
            let i = tok.iter().position(|t| t.starts_with("metric")).unwrap();
            (tok[i] == "metric2", tok[i + 1].parse().unwrap())
        };
        match (kind.as_str(), tok[0]) {
            (_, "distance") => lines -= 1,
            ("router", "router") => {
                *links_expected.entry(name.clone()).or_default() += 1;
                let r = find(1, name, Some(name));
                let link = r["router"]["links"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|l| l["type"] == 1 && l["id"] == tok[1])
                    .unwrap_or_else(|| panic!("{ctx}: no p2p link"));
                cmp.eq(&ctx, link["metric"].as_u64().unwrap(), metric(&tok).1);
            }
            ("router", "network") => {
                *links_expected.entry(name.clone()).or_default() += 1;
                let (addr, len) = parse_prefix(tok[1]);
                let net = live
                    .iter()
                    .find(|l| {
                        l["type"] == 2
                            && common::mask_len(l["network"]["mask"].as_str().unwrap()) == len
                            && common::quad_to_u32(l["lsid"].as_str().unwrap())
                                & common::quad_to_u32(&mask_of(len))
                                == common::quad_to_u32(&addr)
                    })
                    .unwrap_or_else(|| panic!("{ctx}: no network LSA"));
                let r = find(1, name, Some(name));
                let link = r["router"]["links"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|l| l["type"] == 2 && l["id"] == net["lsid"])
                    .unwrap_or_else(|| panic!("{ctx}: no transit link"));
                cmp.eq(&ctx, link["metric"].as_u64().unwrap(), metric(&tok).1);
            }
            ("router", "stubnet") => {
                *links_expected.entry(name.clone()).or_default() += 1;
                let (addr, len) = parse_prefix(tok[1]);
                let r = find(1, name, Some(name));
                let link = r["router"]["links"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|l| l["type"] == 3 && l["id"] == addr.as_str())
                    .unwrap_or_else(|| panic!("{ctx}: no stub link"));
                cmp.eq(&ctx, link["data"].as_str().unwrap(), mask_of(len).as_str());
                cmp.eq(&ctx, link["metric"].as_u64().unwrap(), metric(&tok).1);
            }
            ("router", "xnetwork") => {
                let (addr, len) = parse_prefix(tok[1]);
                let s = find(3, &addr, Some(name));
                cmp.eq(
                    &ctx,
                    s["summary"]["mask"].as_str().unwrap(),
                    mask_of(len).as_str(),
                );
                cmp.eq(
                    &ctx,
                    s["summary"]["metric"].as_u64().unwrap(),
                    metric(&tok).1,
                );
            }
            ("router", "xrouter") => {
                let s = find(4, tok[1], Some(name));
                cmp.eq(
                    &ctx,
                    s["summary"]["metric"].as_u64().unwrap(),
                    metric(&tok).1,
                );
            }
            ("router", "external") => {
                let (addr, len) = parse_prefix(tok[1]);
                let e = find(5, &addr, Some(name));
                let x = &e["external"];
                let (e2, m) = metric(&tok);
                cmp.eq(&ctx, x["mask"].as_str().unwrap(), mask_of(len).as_str());
                cmp.eq(&ctx, x["e2"].as_bool().unwrap(), e2);
                cmp.eq(&ctx, x["metric"].as_u64().unwrap(), m);
                let via = tok
                    .iter()
                    .position(|t| *t == "via")
                    .map_or("0.0.0.0", |i| tok[i + 1]);
                cmp.eq(&ctx, x["forwarding"].as_str().unwrap(), via);
            }
            ("network", "dr") => {
                let (addr, len) = parse_prefix(name);
                let net = live
                    .iter()
                    .find(|l| {
                        l["type"] == 2
                            && common::quad_to_u32(l["lsid"].as_str().unwrap())
                                & common::quad_to_u32(&mask_of(len))
                                == common::quad_to_u32(&addr)
                    })
                    .unwrap_or_else(|| panic!("{ctx}: no network LSA"));
                cmp.eq(&ctx, net["adv_router"].as_str().unwrap(), tok[1]);
                cmp.eq(
                    &ctx,
                    net["network"]["mask"].as_str().unwrap(),
                    mask_of(len).as_str(),
                );
                let routers: Vec<String> = net["network"]["routers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect();
                network_routers.insert(name.clone(), routers);
            }
            ("network", "router") => {
                *network_lines.entry(name.clone()).or_default() += 1;
                let routers = network_routers
                    .get(name)
                    .unwrap_or_else(|| panic!("{ctx}: 'dr' line first"));
                cmp.eq(&ctx, routers.iter().any(|r| r == tok[1]), true);
            }
            other => panic!("{ctx}: unexpected line {other:?}"),
        }
    }
    for (router, n) in &links_expected {
        let r = find(1, router, Some(router));
        cmp.eq(
            &format!("b1-state: router {router} link count"),
            r["router"]["links"].as_array().unwrap().len(),
            *n,
        );
    }
    for (net, routers) in &network_routers {
        let listed = network_lines.get(net).copied().unwrap_or(0);
        cmp.eq(
            &format!("b1-state: network {net} router count"),
            routers.len(),
            listed,
        );
    }
    assert!(lines >= 15, "b1-state: parsed {lines} lines");
    eprintln!(
        "b1-state.txt: {lines} lines, {} fields compared",
        cmp.fields
    );
}
