//! Helpers shared by the integration tests: running the tool, comparing JSON.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;

/// The test vectors shipped with the repository.
pub fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../ospf-core/tests/data")
        .join(rel)
}

/// Every capture file of the test vectors.
pub fn all_captures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["frr-bird", "tcpdump"] {
        for entry in std::fs::read_dir(data(dir)).expect("test data directory") {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".pcap") || name.ends_with(".pcapng") {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 14, "test captures missing: {out:?}");
    out
}

/// Runs `ospf-pcap` in-process with `args` (program name excluded).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("ospf-pcap").chain(args.iter().copied());
    let code = ospf_examples::cli::run(argv, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).expect("utf-8 output"),
        String::from_utf8(err).expect("utf-8 diagnostics"),
    )
}

/// `ospf-pcap decode --json [--key K]... FILE`, parsed; asserts exit code 0.
pub fn decode_json(file: &std::path::Path, keys: &[&str]) -> Vec<Value> {
    let path = file.to_str().unwrap();
    let mut args = vec!["decode", "--json"];
    for k in keys {
        args.push("--key");
        args.push(k);
    }
    args.push(path);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "ospf-pcap decode {path} failed: {err}");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// Counts the field comparisons a test makes.
#[derive(Debug, Default)]
pub struct Compared {
    /// Leaf values compared equal.
    pub fields: usize,
}

impl Compared {
    /// Asserts `got == want` and counts it.
    pub fn eq<T: PartialEq + std::fmt::Debug>(&mut self, ctx: &str, got: T, want: T) {
        assert_eq!(got, want, "{ctx}");
        self.fields += 1;
    }

    /// Asserts that every value in `expected` is present and equal in `actual` (objects:
    /// the keys of `expected`; arrays: same length and element by element).
    pub fn subset(&mut self, ctx: &str, expected: &Value, actual: &Value) {
        match expected {
            Value::Object(map) => {
                for (k, v) in map {
                    let Some(a) = actual.get(k) else {
                        panic!("{ctx}: field {k:?} missing in {actual}");
                    };
                    self.subset(&format!("{ctx}.{k}"), v, a);
                }
            }
            Value::Array(items) => {
                let Some(a) = actual.as_array() else {
                    panic!("{ctx}: expected an array, got {actual}");
                };
                assert_eq!(
                    a.len(),
                    items.len(),
                    "{ctx}: array length (expected {expected}, got {actual})"
                );
                for (i, (e, g)) in items.iter().zip(a).enumerate() {
                    self.subset(&format!("{ctx}[{i}]"), e, g);
                }
            }
            leaf => {
                assert_eq!(actual, leaf, "{ctx}");
                self.fields += 1;
            }
        }
    }
}

/// Dotted-quad text to the u32 it stands for.
pub fn quad_to_u32(s: &str) -> u32 {
    u32::from(
        s.parse::<std::net::Ipv4Addr>()
            .unwrap_or_else(|_| panic!("not an IPv4 address: {s}")),
    )
}

/// RFC 2328 13.1: is LSA instance `a` newer than `b`? (headers as JSON)
pub fn newer(a: &Value, b: &Value) -> bool {
    let seq = |h: &Value| h["seq"].as_u64().unwrap() as u32 as i32;
    let ck = |h: &Value| h["checksum"].as_u64().unwrap();
    let age = |h: &Value| h["age"].as_u64().unwrap() & 0x7fff;
    if seq(a) != seq(b) {
        return seq(a) > seq(b);
    }
    if ck(a) != ck(b) {
        return ck(a) > ck(b);
    }
    if (age(a) == 3600) != (age(b) == 3600) {
        return age(a) == 3600;
    }
    // MaxAgeDiff (15 minutes): the younger one is newer.
    age(a) + 900 < age(b)
}

/// The identity of an LSA (scope area for area-scoped types, type, LSID, advertising
/// router).
pub type LsaKey = (Option<String>, u8, String, String);

/// Key of an LSA header seen in a packet of `area`.
pub fn lsa_key(area: &str, h: &Value) -> LsaKey {
    let t = h["type"].as_u64().unwrap() as u8;
    let scope = if t == 5 || t == 11 {
        None
    } else {
        Some(area.to_string())
    };
    (
        scope,
        t,
        h["lsid"].as_str().unwrap().to_string(),
        h["adv_router"].as_str().unwrap().to_string(),
    )
}

/// The newest instance (header and, when an update carried it, whole LSA) of every LSA
/// seen in `records` (DD, update and ack headers all count).
pub fn newest_lsas(
    records: &[Value],
) -> std::collections::BTreeMap<LsaKey, (Value, Option<Value>)> {
    let mut newest: std::collections::BTreeMap<LsaKey, (Value, Option<Value>)> =
        std::collections::BTreeMap::new();
    let mut bodies: Vec<(LsaKey, Value)> = Vec::new();
    for r in records {
        let Some(area) = r["area_id"].as_str() else {
            continue;
        };
        let mut headers: Vec<&Value> = Vec::new();
        if let Some(d) = r.get("dbdesc") {
            headers.extend(d["lsas"].as_array().unwrap());
        }
        if let Some(a) = r.get("lsack") {
            headers.extend(a.as_array().unwrap());
        }
        if let Some(u) = r.get("lsupdate") {
            for l in u.as_array().unwrap() {
                headers.push(l);
                bodies.push((lsa_key(area, l), l.clone()));
            }
        }
        for h in headers {
            let key = lsa_key(area, h);
            match newest.get(&key) {
                Some((cur, _)) if !newer(h, cur) => {}
                _ => {
                    newest.insert(key, (h.clone(), None));
                }
            }
        }
    }
    for (key, lsa) in bodies {
        let entry = newest.get_mut(&key).unwrap();
        if entry.0["seq"] == lsa["seq"] && entry.0["checksum"] == lsa["checksum"] {
            entry.1 = Some(lsa);
        }
    }
    newest
}

/// Prefix length of a dotted-quad mask.
pub fn mask_len(mask: &str) -> u32 {
    quad_to_u32(mask).leading_ones()
}

/// `a.b.c.d/len` of an address and mask.
pub fn prefix(addr: &str, mask: &str) -> String {
    format!("{addr}/{}", mask_len(mask))
}

/// A scratch directory for one test, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    /// Creates the directory.
    pub fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("ospf-pcap-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    /// A path inside the directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
