//! `ospf-pcap spf`: the routing table a router would compute from the LSAs flooded in
//! packet captures, printed like FRR's `show ip ospf route [json]`. An SPF oracle: feed it
//! captures of a network FRR ran in and compare with FRR's own output.
//!
//! The newest instance of every LSA carried in Link State Update packets is kept (the area
//! is taken from the OSPF header of the packet that carried it; MaxAge instances remove the
//! LSA). Our interfaces are derived from our own Router-LSAs: each point-to-point or transit
//! link's Link Data is an interface address, named `eth0`, `eth1`... in order of appearance
//! (areas in ascending order), unless `--ifname ADDR=NAME` names it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::net::Ipv4Addr;
use std::path::Path;

use ospf_core::spf::{
    AreaKind, InterfaceKind, NextHop, Prefix, Route, RouteType, RouterRoute, Spf, SpfConfig,
    SpfInterface,
};

/// Key of an LSA in a database: (area, or 0.0.0.0 for AS scope; type; LSID; advertising router).
pub type LsaKey = (Ipv4Addr, u8, Ipv4Addr, Ipv4Addr);

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The LSAs of a Link State Update packet, with the packet's area.
pub fn lsas_of_update(ospf: &[u8]) -> Vec<(Ipv4Addr, &[u8])> {
    let mut out = Vec::new();
    if ospf.len() < 28 || ospf[0] != 2 || ospf[1] != 4 {
        return out;
    }
    let Some(plen) = be16(ospf, 2) else {
        return out;
    };
    let body_end = usize::from(plen).min(ospf.len());
    let area = Ipv4Addr::from(be32(ospf, 8).unwrap_or(0));
    let count = be32(ospf, 24).unwrap_or(0);
    let mut at = 28;
    for _ in 0..count {
        let Some(len) = be16(ospf, at + 18) else {
            break;
        };
        let len = usize::from(len);
        if len < 20 || at + len > body_end {
            break;
        }
        out.push((area, &ospf[at..at + len]));
        at += len;
    }
    out
}

/// Which of two instances of one LSA is newer (RFC 2328 §13.1): `Greater` when `a` is.
pub fn compare_instances(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    let seq = |x: &[u8]| be32(x, 12).unwrap_or(0) as i32;
    let ck = |x: &[u8]| be16(x, 16).unwrap_or(0);
    let age = |x: &[u8]| be16(x, 0).unwrap_or(0) & 0x7FFF;
    match seq(a).cmp(&seq(b)).then(ck(a).cmp(&ck(b))) {
        Equal => {}
        o => return o,
    }
    let (aa, ab) = (age(a), age(b));
    match (aa >= 3600, ab >= 3600) {
        (true, false) => return Greater,
        (false, true) => return Less,
        _ => {}
    }
    if aa.abs_diff(ab) > 900 {
        return ab.cmp(&aa);
    }
    Equal
}

/// The newest instance of every LSA seen.
#[derive(Debug, Default, Clone)]
pub struct LsaSet {
    lsas: BTreeMap<LsaKey, Vec<u8>>,
}

impl LsaSet {
    /// An empty set.
    pub fn new() -> Self {
        LsaSet::default()
    }

    /// Offers one LSA received in `area`; keeps it if it is newer than what is held.
    pub fn offer(&mut self, area: Ipv4Addr, raw: &[u8]) {
        if raw.len() < 20 {
            return;
        }
        let t = raw[3];
        let scope = match t {
            5 | 11 => Ipv4Addr::UNSPECIFIED,
            1..=4 | 7 | 10 => area,
            _ => return,
        };
        let key = (
            scope,
            t,
            Ipv4Addr::from(be32(raw, 4).unwrap_or(0)),
            Ipv4Addr::from(be32(raw, 8).unwrap_or(0)),
        );
        match self.lsas.get(&key) {
            Some(old) if compare_instances(raw, old) != std::cmp::Ordering::Greater => {}
            _ => {
                self.lsas.insert(key, raw.to_vec());
            }
        }
    }

    /// Reads every OSPF Link State Update of a pcap or pcapng file.
    pub fn read_capture(&mut self, path: &Path) -> io::Result<()> {
        let packets = crate::pcap::read_ospf_packets(path)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        for p in &packets {
            for (area, lsa) in lsas_of_update(&p.payload) {
                self.offer(area, lsa);
            }
        }
        Ok(())
    }

    /// The newest instances, MaxAge ones left out.
    pub fn live(&self) -> impl Iterator<Item = (&LsaKey, &[u8])> {
        self.lsas
            .iter()
            .filter(|(_, raw)| be16(raw, 0).unwrap_or(0) & 0x7FFF < 3600)
            .map(|(k, v)| (k, v.as_slice()))
    }
}

/// Our interfaces as the route calculation sees them, with their names.
#[derive(Debug, Clone, Default)]
pub struct Interfaces {
    /// The interfaces (ifindex = position + 1).
    pub list: Vec<SpfInterface>,
    /// Names by ifindex - 1.
    pub names: Vec<String>,
}

impl Interfaces {
    /// Name of `ifindex`.
    pub fn name(&self, ifindex: u32) -> &str {
        self.names
            .get((ifindex as usize).wrapping_sub(1))
            .map_or("?", String::as_str)
    }
}

/// Derives our interfaces and areas from our own Router-LSAs in `set`.
pub fn derive_interfaces(
    router_id: Ipv4Addr,
    set: &LsaSet,
    names: &[(Ipv4Addr, String)],
) -> (Interfaces, Vec<(Ipv4Addr, AreaKind)>) {
    let mut ifs = Interfaces::default();
    let mut areas = Vec::new();
    let net_mask = |area: Ipv4Addr, lsid: Ipv4Addr| -> Option<u8> {
        set.live()
            .find(|(k, _)| k.0 == area && k.1 == 2 && k.2 == lsid)
            .and_then(|(_, raw)| be32(raw, 20))
            .map(ospf_core::wire::mask_len)
    };
    for (k, raw) in set.live() {
        if k.1 != 1 || k.3 != router_id {
            continue;
        }
        let area = k.0;
        let nssa = set.live().any(|(x, _)| x.0 == area && x.1 == 7);
        let kind = if nssa {
            AreaKind::nssa(false)
        } else if raw[2] & 0x02 == 0 {
            AreaKind::Stub {
                no_summary: false,
                default_cost: 1,
            }
        } else {
            AreaKind::Normal
        };
        areas.push((area, kind));
        let mut links = Vec::new();
        let count = be16(raw, 22).unwrap_or(0);
        let mut at = 24;
        for _ in 0..count {
            let (Some(id), Some(data), Some(&t), Some(&ntos), Some(metric)) = (
                be32(raw, at),
                be32(raw, at + 4),
                raw.get(at + 8),
                raw.get(at + 9),
                be16(raw, at + 10),
            ) else {
                break;
            };
            links.push((id, data, t, metric));
            at += 12 + 4 * usize::from(ntos);
        }
        let stubs: Vec<(u32, u32, u16)> = links
            .iter()
            .filter(|l| l.2 == 3)
            .map(|l| (l.0, l.1, l.3))
            .collect();
        let add = |ifs: &mut Interfaces, addr: u32, len: u8, cost: u16, kind: InterfaceKind| {
            let addr = Ipv4Addr::from(addr);
            if ifs.list.iter().any(|f| f.addr == addr && f.area == area) {
                return;
            }
            let ifindex = ifs.list.len() as u32 + 1;
            ifs.list.push(SpfInterface {
                ifindex,
                area,
                addr,
                prefix_len: len,
                cost,
                kind,
                up: true,
                peer: core::net::Ipv4Addr::UNSPECIFIED,
            });
            let name = names
                .iter()
                .find(|(a, _)| *a == addr)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| format!("eth{}", ifindex - 1));
            ifs.names.push(name);
        };
        for &(id, data, t, metric) in &links {
            match t {
                1 => {
                    let len = stubs
                        .iter()
                        .find(|s| data & s.1 == s.0 & s.1)
                        .map_or(32, |s| ospf_core::wire::mask_len(s.1));
                    add(&mut ifs, data, len, metric, InterfaceKind::PointToPoint);
                }
                2 => {
                    let len = net_mask(area, Ipv4Addr::from(id)).unwrap_or(24);
                    add(&mut ifs, data, len, metric, InterfaceKind::Broadcast);
                }
                _ => {}
            }
        }
        // Stub links holding none of the addresses above: loopbacks and passive interfaces.
        for &(id, mask, metric) in &stubs {
            let covered = ifs
                .list
                .iter()
                .any(|f| f.area == area && u32::from(f.addr) & mask == id & mask);
            if !covered {
                let kind = if mask == u32::MAX {
                    InterfaceKind::Loopback
                } else {
                    InterfaceKind::Broadcast
                };
                add(&mut ifs, id, ospf_core::wire::mask_len(mask), metric, kind);
            }
        }
    }
    (ifs, areas)
}

/// Builds the route calculation of `router_id` from `set` and runs it.
pub fn compute(
    router_id: Ipv4Addr,
    set: &LsaSet,
    names: &[(Ipv4Addr, String)],
) -> (Spf, Interfaces) {
    let (ifs, areas) = derive_interfaces(router_id, set, names);
    let mut spf = Spf::new(router_id, SpfConfig::default());
    spf.set_areas(&areas);
    spf.set_interfaces(&ifs.list);
    for (k, raw) in set.live() {
        let attached = k.0.is_unspecified() && k.1 == 5 || areas.iter().any(|a| a.0 == k.0);
        if attached {
            // Types the calculation does not use (opaque) are refused; that is expected.
            let _ = spf.lsa_update(k.0, raw);
        }
    }
    spf.calculate();
    (spf, ifs)
}

fn hop_text(out: &mut String, h: &NextHop, ifs: &Interfaces) {
    if h.is_direct() {
        let _ = writeln!(
            out,
            "{:24}   directly attached to {}",
            "",
            ifs.name(h.ifindex)
        );
    } else {
        let _ = writeln!(out, "{:24}   via {}, {}", "", h.addr, ifs.name(h.ifindex));
    }
}

fn router_text(out: &mut String, rs: &[RouterRoute], ifs: &Interfaces) {
    let mut i = 0;
    while i < rs.len() {
        let id = rs[i].router_id;
        let _ = write!(out, "R    {:<15}    ", id.to_string());
        let mut first = true;
        while i < rs.len() && rs[i].router_id == id {
            let r = &rs[i];
            if !first {
                let _ = write!(out, "{:24}", "");
            }
            first = false;
            let _ = writeln!(
                out,
                "{} [{}] area: {}{}{}",
                if r.inter_area { "IA" } else { "  " },
                r.cost,
                r.area,
                if r.abr { ", ABR" } else { "" },
                if r.asbr { ", ASBR" } else { "" }
            );
            for h in &r.nexthops {
                hop_text(out, h, ifs);
            }
            i += 1;
        }
    }
}

/// The table as FRR's `show ip ospf route` prints it.
pub fn render_text(spf: &Spf, ifs: &Interfaces) -> String {
    let mut out = String::new();
    let routes: Vec<(Prefix, Route)> = spf.routes().collect();
    out.push_str("============ OSPF network routing table ============\n");
    for (p, r) in routes.iter().filter(|(_, r)| !r.route_type.is_external()) {
        let code = if r.route_type == RouteType::InterArea {
            "N IA"
        } else {
            "N   "
        };
        let _ = writeln!(
            out,
            "{} {:<18}    [{}] area: {}",
            code,
            p.to_string(),
            r.cost,
            r.area.unwrap_or(Ipv4Addr::UNSPECIFIED)
        );
        for h in &r.nexthops {
            hop_text(&mut out, h, ifs);
        }
    }
    out.push_str("\n============ OSPF router routing table =============\n");
    router_text(&mut out, &spf.router_routes(), ifs);
    out.push_str("\n============ OSPF reachable routers table =============\n");
    router_text(&mut out, &spf.reachable_routers(), ifs);
    out.push_str("\n============ OSPF external routing table ===========\n");
    for (p, r) in routes.iter().filter(|(_, r)| r.route_type.is_external()) {
        if r.route_type == RouteType::External1 {
            let _ = writeln!(
                out,
                "N E1 {:<18}    [{}] tag: {}",
                p.to_string(),
                r.cost,
                r.tag
            );
        } else {
            let _ = writeln!(
                out,
                "N E2 {:<18}    [{}/{}] tag: {}",
                p.to_string(),
                r.cost,
                r.type2_cost,
                r.tag
            );
        }
        for h in &r.nexthops {
            hop_text(&mut out, h, ifs);
        }
    }
    out.push_str("\n\n");
    out
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn hops_json(hops: &[NextHop], ifs: &Interfaces) -> String {
    let items: Vec<String> = hops
        .iter()
        .map(|h| {
            let name = json_str(ifs.name(h.ifindex));
            if h.is_direct() {
                format!(r#"{{"ip":" ","directly attached to":{name},"directlyAttachedTo":{name}}}"#)
            } else {
                format!(r#"{{"ip":"{}","via":{name}}}"#, h.addr)
            }
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// The table as FRR's `show ip ospf route json` prints it (one line, FRR's key order).
pub fn render_json(spf: &Spf, ifs: &Interfaces) -> String {
    let mut items: Vec<String> = Vec::new();
    let routes: Vec<(Prefix, Route)> = spf.routes().collect();
    for (p, r) in routes.iter().filter(|(_, r)| !r.route_type.is_external()) {
        items.push(format!(
            r#""{}":{{"routeType":"{}","cost":{},"area":"{}","nexthops":{}}}"#,
            p,
            r.route_type.frr_code(),
            r.cost,
            r.area.unwrap_or(Ipv4Addr::UNSPECIFIED),
            hops_json(&r.nexthops, ifs)
        ));
    }
    for r in spf.router_routes() {
        let ia = if r.inter_area {
            r#""IA":true,"ia":true,"#
        } else {
            ""
        };
        let kind = if r.abr { "abr" } else { "asbr" };
        items.push(format!(
            r#""{}":{{"routeType":"R ","cost":{},"area":"{}",{}"routerType":"{}","nexthops":{}}}"#,
            r.router_id,
            r.cost,
            r.area,
            ia,
            kind,
            hops_json(&r.nexthops, ifs)
        ));
    }
    for (p, r) in routes.iter().filter(|(_, r)| r.route_type.is_external()) {
        let t2 = if r.route_type == RouteType::External2 {
            format!(r#""type2cost":{},"#, r.type2_cost)
        } else {
            String::new()
        };
        items.push(format!(
            r#""{}":{{"routeType":"{}","cost":{},{}"tag":{},"nexthops":{}}}"#,
            p,
            r.route_type.frr_code(),
            r.cost,
            t2,
            r.tag,
            hops_json(&r.nexthops, ifs)
        ));
    }
    format!("{{{}}}", items.join(","))
}

/// Runs `spf --router-id ID [--json] [--ifname ADDR=NAME]... FILE...` and returns what to
/// print.
pub fn run(args: &[String]) -> Result<String, String> {
    let mut rid = None;
    let mut json = false;
    let mut names = Vec::new();
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--router-id" => {
                let v = it.next().ok_or("--router-id needs a value")?;
                rid = Some(
                    v.parse::<Ipv4Addr>()
                        .map_err(|e| format!("--router-id {v}: {e}"))?,
                );
            }
            "--json" => json = true,
            "--ifname" => {
                let v = it.next().ok_or("--ifname needs ADDR=NAME")?;
                let (a, n) = v.split_once('=').ok_or("--ifname needs ADDR=NAME")?;
                let a = a
                    .parse::<Ipv4Addr>()
                    .map_err(|e| format!("--ifname {v}: {e}"))?;
                names.push((a, n.to_owned()));
            }
            f if f.starts_with("--") => return Err(format!("unknown option {f}")),
            f => files.push(f.to_owned()),
        }
    }
    let rid = rid.ok_or("--router-id is required")?;
    if files.is_empty() {
        return Err("no capture files".into());
    }
    let mut set = LsaSet::new();
    for f in &files {
        set.read_capture(Path::new(f))
            .map_err(|e| format!("{f}: {e}"))?;
    }
    let (spf, ifs) = compute(rid, &set, &names);
    Ok(if json {
        let mut s = render_json(&spf, &ifs);
        s.push('\n');
        s
    } else {
        render_text(&spf, &ifs)
    })
}
