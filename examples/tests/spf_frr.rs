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

fn lsa_set() -> spf_cmd::LsaSet {
    let mut set = spf_cmd::LsaSet::new();
    for f in captures() {
        set.read_capture(std::path::Path::new(&f)).unwrap();
    }
    set
}

/// RFC 2328 §12.4.3: as ABR r2 (10.0.0.2), we originate into area 2 exactly the Summary-LSAs
/// FRR's r2 originated there (same destinations, same metrics).
#[test]
fn rfc2328_12_4_3_abr_summaries_equal_frr() {
    use ospf_core::spf::SummaryKind;
    use std::net::Ipv4Addr;
    let set = lsa_set();
    let r2 = Ipv4Addr::new(10, 0, 0, 2);
    let (spf, _) = spf_cmd::compute(r2, &set, &[]);
    assert!(spf.is_abr());
    for area in [Ipv4Addr::new(0, 0, 0, 2), Ipv4Addr::new(0, 0, 0, 0)] {
        let mut want: Vec<(u8, Ipv4Addr, u8, u32)> = set
            .live()
            .filter(|(k, _)| k.0 == area && (k.1 == 3 || k.1 == 4) && k.3 == r2)
            .map(|(k, raw)| {
                let mask = u32::from_be_bytes(raw[20..24].try_into().unwrap());
                let metric = u32::from_be_bytes(raw[24..28].try_into().unwrap()) & 0xFF_FFFF;
                (k.1, k.2, mask.leading_ones() as u8, metric)
            })
            .collect();
        want.sort();
        let mut got: Vec<(u8, Ipv4Addr, u8, u32)> = spf
            .summaries()
            .into_iter()
            .filter(|s| s.area == area)
            .map(|s| match s.kind {
                SummaryKind::Network(p) => (3, p.addr(), p.prefix_len(), s.metric),
                SummaryKind::Asbr(id) => (4, id, 0, s.metric),
            })
            .collect();
        got.sort();
        assert!(!want.is_empty());
        assert_eq!(got, want, "area {area}");
    }
}

/// RFC 3101 §3.2: r2 translates r3's type-7 192.0.2.0/25 into the type-5 FRR's r2 flooded.
#[test]
fn rfc3101_3_2_translation_equals_frr() {
    use std::net::Ipv4Addr;
    let set = lsa_set();
    let r2 = Ipv4Addr::new(10, 0, 0, 2);
    let (spf, _) = spf_cmd::compute(r2, &set, &[]);
    let got: Vec<_> = spf
        .translations()
        .into_iter()
        .map(|t| (t.prefix.to_string(), t.e2, t.metric, t.forwarding, t.tag))
        .collect();
    let want: Vec<_> = set
        .live()
        .filter(|(k, _)| k.1 == 5 && k.3 == r2)
        .map(|(k, raw)| {
            let mask = u32::from_be_bytes(raw[20..24].try_into().unwrap());
            let w = u32::from_be_bytes(raw[24..28].try_into().unwrap());
            let fa = Ipv4Addr::from(u32::from_be_bytes(raw[28..32].try_into().unwrap()));
            let tag = u32::from_be_bytes(raw[32..36].try_into().unwrap());
            (
                format!("{}/{}", k.2, mask.leading_ones()),
                w >> 31 == 1,
                w & 0xFF_FFFF,
                fa,
                tag,
            )
        })
        .collect();
    assert_eq!(want.len(), 1);
    assert_eq!(got, want);
}

#[test]
fn ospf_pcap_cli_spf_subcommand() {
    let mut args = vec![
        "ospf-pcap".to_owned(),
        "spf".to_owned(),
        "--router-id".to_owned(),
        "10.0.0.1".to_owned(),
    ];
    args.extend(captures());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ospf_examples::cli::run(args, &mut out, &mut err);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let want = std::fs::read_to_string(data("r1-routes.txt")).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), want);
    // a missing file is an error, exit status 1
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ospf_examples::cli::run(
        [
            "ospf-pcap",
            "spf",
            "--router-id",
            "10.0.0.1",
            "/nonexistent.pcap",
        ],
        &mut out,
        &mut err,
    );
    assert_eq!(code, 1);
}
