//! Show commands in the IOS/FRR layout: `show ip ospf neighbor | database | interface` and
//! `show ip route ospf`, as text or JSON.
//!
//! A [`Snapshot`] copies what the commands need out of an engine ([`Snapshot::capture`]), so
//! the same rendering serves the simulator (the demo) and the daemons' control sockets
//! ([`Snapshot::answer`]). `ospfctl` sends one line such as `show ip route ospf json` and
//! prints the answer.
//!
//! ```
//! use ospf_examples::show::{Query, Snapshot};
//! let snap = Snapshot::default();
//! let q = Query::parse("show ip ospf neighbor").unwrap();
//! assert!(snap.render(q).starts_with("\nNeighbor ID"));
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;

use ospf_core::config::InterfaceType;
use ospf_core::instance::{Instance, NeighborRole};
use ospf_core::interface::InterfaceState;
use ospf_core::lsdb::Scope;
use ospf_core::neighbor::NeighborState;
use ospf_core::spf::{Prefix, Route, RouteType};
use ospf_core::time::Instant;
use serde_json::{Value, json};

/// Administrative distance shown for OSPF routes.
pub const DISTANCE: u32 = 110;

/// What to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query {
    /// `show ip ospf neighbor`.
    Neighbor {
        /// JSON output.
        json: bool,
    },
    /// `show ip ospf database`.
    Database {
        /// JSON output.
        json: bool,
    },
    /// `show ip ospf interface`.
    Interface {
        /// JSON output.
        json: bool,
    },
    /// `show ip route ospf`.
    Route {
        /// JSON output.
        json: bool,
    },
}

/// The commands [`Query::parse`] accepts.
pub const USAGE: &str =
    "show ip ospf neighbor|database|interface [json], show ip route ospf [json]";

impl Query {
    /// Parses `show ip ospf neighbor [json]` and friends (abbreviations such as `sh ip o nei`
    /// are accepted; `--json` works as well as `json`).
    pub fn parse(line: &str) -> Result<Query, String> {
        let mut words: Vec<&str> = line.split_whitespace().collect();
        let json = words.last().is_some_and(|w| *w == "json" || *w == "--json");
        if json {
            words.pop();
        }
        let is = |w: Option<&&str>, full: &str, min: usize| {
            w.is_some_and(|w| w.len() >= min && full.starts_with(*w))
        };
        if !is(words.first(), "show", 2) || !is(words.get(1), "ip", 2) {
            return Err(format!(
                "unknown command `{}`; expected {USAGE}",
                line.trim()
            ));
        }
        let q = if is(words.get(2), "route", 1) {
            if words.len() > 3 && !is(words.get(3), "ospf", 1) {
                return Err(format!("unknown route source `{}`", words[3]));
            }
            Query::Route { json }
        } else if is(words.get(2), "ospf", 1) {
            if is(words.get(3), "neighbor", 1) {
                Query::Neighbor { json }
            } else if is(words.get(3), "database", 1) {
                Query::Database { json }
            } else if is(words.get(3), "interface", 1) {
                Query::Interface { json }
            } else {
                return Err(format!(
                    "unknown command `{}`; expected {USAGE}",
                    line.trim()
                ));
            }
        } else {
            return Err(format!(
                "unknown command `{}`; expected {USAGE}",
                line.trim()
            ));
        };
        Ok(q)
    }
}

/// One interface, as `show ip ospf interface` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceRow {
    /// Interface name.
    pub name: String,
    /// Address.
    pub address: Ipv4Addr,
    /// Prefix length.
    pub prefix_len: u8,
    /// Area.
    pub area: Ipv4Addr,
    /// Network type (`BROADCAST`, `POINTOPOINT`, `LOOPBACK`).
    pub network_type: &'static str,
    /// Output cost.
    pub cost: u16,
    /// State (`DR`, `BDR`, `DROTHER`, `WAITING`, `DOWN`, `LOOPBACK`, `POINT_TO_POINT`).
    pub state: &'static str,
    /// Priority.
    pub priority: u8,
    /// DR (router ID, address).
    pub dr: Option<(Ipv4Addr, Ipv4Addr)>,
    /// BDR (router ID, address).
    pub bdr: Option<(Ipv4Addr, Ipv4Addr)>,
    /// Hello interval, s.
    pub hello: u16,
    /// Dead interval, s.
    pub dead: u32,
    /// Retransmit interval, s.
    pub rxmt: u16,
    /// Transmit delay, s.
    pub transmit_delay: u16,
    /// Passive.
    pub passive: bool,
    /// Neighbors.
    pub neighbors: usize,
    /// Adjacent (Full) neighbors.
    pub adjacent: usize,
}

/// One neighbor, as `show ip ospf neighbor` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeighborRow {
    /// Router ID.
    pub router_id: Ipv4Addr,
    /// Priority.
    pub priority: u8,
    /// State (`FULL`, `2WAY`, ...).
    pub state: &'static str,
    /// Role (`DR`, `BDR`, `DROTHER`; `-` on point-to-point links).
    pub role: &'static str,
    /// Milliseconds until the neighbor is declared dead.
    pub dead_ms: u64,
    /// Interface address of the neighbor.
    pub address: Ipv4Addr,
    /// Our interface name and address.
    pub interface: String,
    /// Our address on that interface.
    pub local: Ipv4Addr,
    /// Retransmission list length.
    pub rxmt: usize,
    /// Request list length.
    pub req: usize,
}

/// One LSA, as `show ip ospf database` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LsaRow {
    /// Area (`None`: AS scope; link scope is shown under its interface's area).
    pub area: Option<Ipv4Addr>,
    /// LS type.
    pub lsa_type: u8,
    /// Link State ID.
    pub lsid: Ipv4Addr,
    /// Advertising router.
    pub adv_router: Ipv4Addr,
    /// Age, s.
    pub age: u16,
    /// Sequence number.
    pub seq: u32,
    /// Checksum.
    pub checksum: u16,
    /// Router-LSA: number of links.
    pub links: Option<u16>,
    /// Network-LSA/summary/external: the prefix (mask from the body).
    pub prefix: Option<Prefix>,
}

/// One path of a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRow {
    /// Gateway (`0.0.0.0`: directly attached).
    pub gateway: Ipv4Addr,
    /// Interface name.
    pub interface: String,
}

/// One route, as `show ip route ospf` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteRow {
    /// Destination.
    pub prefix: Prefix,
    /// Path type.
    pub route_type: RouteType,
    /// Cost (for type-2 externals, the type-2 metric).
    pub cost: u32,
    /// Equal-cost paths.
    pub paths: Vec<PathRow>,
    /// Seconds since the route last changed.
    pub uptime_s: u64,
}

/// Everything the show commands print, copied out of one router.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Router ID.
    pub router_id: Option<Ipv4Addr>,
    /// Interfaces.
    pub interfaces: Vec<InterfaceRow>,
    /// Neighbors.
    pub neighbors: Vec<NeighborRow>,
    /// LSDB.
    pub lsas: Vec<LsaRow>,
    /// Routing table (OSPF routes).
    pub routes: Vec<RouteRow>,
}

fn if_state(s: InterfaceState) -> &'static str {
    match s {
        InterfaceState::Down => "DOWN",
        InterfaceState::Loopback => "LOOPBACK",
        InterfaceState::Waiting => "WAITING",
        InterfaceState::PointToPoint => "POINT_TO_POINT",
        InterfaceState::DrOther => "DROTHER",
        InterfaceState::Backup => "BDR",
        InterfaceState::Dr => "DR",
        _ => "UNKNOWN",
    }
}

fn nbr_state(s: NeighborState) -> &'static str {
    match s {
        NeighborState::Down => "DOWN",
        NeighborState::Attempt => "ATTEMPT",
        NeighborState::Init => "INIT",
        NeighborState::TwoWay => "2WAY",
        NeighborState::ExStart => "EXSTART",
        NeighborState::Exchange => "EXCHANGE",
        NeighborState::Loading => "LOADING",
        NeighborState::Full => "FULL",
        _ => "UNKNOWN",
    }
}

fn lsa_details(raw: &[u8], lsa_type: u8) -> (Option<u16>, Option<Prefix>) {
    let be16 = |o: usize| raw.get(o..o + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let mask_len = |o: usize| {
        raw.get(o..o + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]).leading_ones() as u8)
    };
    let lsid = raw
        .get(4..8)
        .map(|b| Ipv4Addr::new(b[0], b[1], b[2], b[3]))
        .unwrap_or(Ipv4Addr::UNSPECIFIED);
    match lsa_type {
        1 => (be16(22), None),
        2 | 3 | 5 | 7 => (None, mask_len(20).map(|l| Prefix::new(lsid, l))),
        _ => (None, None),
    }
}

impl Snapshot {
    /// Copies the interfaces, neighbors and LSDB of `ospf` at `now`, with `routes` (the
    /// routing table, with the time each route last changed). `ifname` names an ifindex.
    pub fn capture<'r>(
        ospf: &Instance,
        now: Instant,
        routes: impl IntoIterator<Item = (&'r Prefix, &'r Route, Instant)>,
        ifname: &dyn Fn(u32) -> String,
    ) -> Snapshot {
        let mut interfaces = Vec::new();
        let mut if_area = BTreeMap::new();
        let mut if_addr = BTreeMap::new();
        for i in ospf.interfaces() {
            let c = i.config;
            if_area.insert(i.ifindex, c.area);
            if_addr.insert(i.ifindex, c.address);
            interfaces.push(InterfaceRow {
                name: ifname(i.ifindex),
                address: c.address,
                prefix_len: c.prefix_len,
                area: c.area,
                network_type: match c.if_type {
                    InterfaceType::PointToPoint => "POINTOPOINT",
                    InterfaceType::Loopback => "LOOPBACK",
                    _ => "BROADCAST",
                },
                cost: c.cost,
                state: if_state(i.state),
                priority: c.priority,
                dr: i.dr,
                bdr: i.bdr,
                hello: c.hello_interval,
                dead: c.dead_interval,
                rxmt: c.rxmt_interval,
                transmit_delay: c.transmit_delay,
                passive: c.passive,
                neighbors: i.neighbor_count,
                adjacent: i.adjacent_count,
            });
        }
        let neighbors = ospf
            .neighbors()
            .map(|n| NeighborRow {
                router_id: n.router_id,
                priority: n.priority,
                state: nbr_state(n.state),
                role: match (n.role, if_area.contains_key(&n.ifindex)) {
                    (NeighborRole::Dr, _) => "DR",
                    (NeighborRole::Backup, _) => "BDR",
                    _ => "DROTHER",
                },
                dead_ms: n.dead_at.saturating_duration_since(now).as_millis(),
                address: n.address,
                interface: ifname(n.ifindex),
                local: if_addr
                    .get(&n.ifindex)
                    .copied()
                    .unwrap_or(Ipv4Addr::UNSPECIFIED),
                rxmt: n.ls_retransmit_count,
                req: n.ls_request_count,
            })
            .collect();
        let lsas = ospf
            .lsdb(now)
            .map(|l| {
                let (links, prefix) = lsa_details(l.raw, l.key.lsa_type);
                LsaRow {
                    area: match l.scope {
                        Scope::Area(a) => Some(a),
                        Scope::Link(i) => if_area.get(&i).copied(),
                        Scope::As => None,
                    },
                    lsa_type: l.key.lsa_type,
                    lsid: l.key.lsid,
                    adv_router: l.key.adv_router,
                    age: l.header.age,
                    seq: l.header.seq,
                    checksum: l.header.checksum,
                    links,
                    prefix,
                }
            })
            .collect();
        let routes = routes
            .into_iter()
            .map(|(p, r, since)| RouteRow {
                prefix: *p,
                route_type: r.route_type,
                cost: if r.route_type == RouteType::External2 {
                    r.type2_cost
                } else {
                    r.cost
                },
                paths: r
                    .nexthops
                    .iter()
                    .map(|h| PathRow {
                        gateway: h.addr,
                        interface: ifname(h.ifindex),
                    })
                    .collect(),
                uptime_s: now.saturating_duration_since(since).as_secs(),
            })
            .collect();
        Snapshot {
            router_id: Some(ospf.router_id()),
            interfaces,
            neighbors,
            lsas,
            routes,
        }
    }

    /// Answers a control line: a [`Query`] rendered, or an error line.
    pub fn answer(&self, line: &str) -> String {
        match Query::parse(line) {
            Ok(q) => self.render(q),
            Err(e) => format!("% {e}\n"),
        }
    }

    /// Renders a query.
    pub fn render(&self, q: Query) -> String {
        match q {
            Query::Neighbor { json: false } => self.neighbor_text(),
            Query::Neighbor { json: true } => pretty(self.neighbor_json()),
            Query::Database { json: false } => self.database_text(),
            Query::Database { json: true } => pretty(self.database_json()),
            Query::Interface { json: false } => self.interface_text(),
            Query::Interface { json: true } => pretty(self.interface_json()),
            Query::Route { json: false } => self.route_text(),
            Query::Route { json: true } => pretty(self.route_json()),
        }
    }

    fn rid(&self) -> Ipv4Addr {
        self.router_id.unwrap_or(Ipv4Addr::UNSPECIFIED)
    }

    /// `show ip ospf neighbor`.
    pub fn neighbor_text(&self) -> String {
        let mut s = String::from(
            "\nNeighbor ID     Pri State           Dead Time Address         Interface                        RXmtL RqstL\n",
        );
        for n in &self.neighbors {
            let _ = writeln!(
                s,
                "{:<15} {:>3} {:<15} {:>9} {:<15} {:<32} {:>5} {:>5}",
                n.router_id,
                n.priority,
                format!("{}/{}", n.state, n.role),
                format!("{:.3}s", n.dead_ms as f64 / 1000.0),
                n.address,
                format!("{}:{}", n.interface, n.local),
                n.rxmt,
                n.req,
            );
        }
        s.push('\n');
        s
    }

    /// `show ip ospf neighbor json` (FRR's field names).
    pub fn neighbor_json(&self) -> Value {
        let mut by_id = serde_json::Map::new();
        for n in &self.neighbors {
            let entry = json!({
                "priority": n.priority,
                "state": format!("{}/{}", title(n.state), n.role),
                "nbrState": format!("{}/{}", title(n.state), n.role),
                "role": n.role,
                "deadTimeMsecs": n.dead_ms,
                "ifaceAddress": n.address.to_string(),
                "ifaceName": format!("{}:{}", n.interface, n.local),
                "retransmitCounter": n.rxmt,
                "requestCounter": n.req,
            });
            if let Some(a) = by_id
                .entry(n.router_id.to_string())
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
            {
                a.push(entry);
            }
        }
        json!({ "neighbors": by_id })
    }

    /// `show ip ospf interface`.
    pub fn interface_text(&self) -> String {
        let mut s = String::new();
        for i in &self.interfaces {
            let _ = writeln!(s, "{} is up, line protocol is up", i.name);
            let _ = writeln!(
                s,
                "  Internet Address {}/{}, Area {}",
                i.address, i.prefix_len, i.area
            );
            let _ = writeln!(
                s,
                "  Router ID {}, Network Type {}, Cost: {}",
                self.rid(),
                i.network_type,
                i.cost
            );
            let _ = writeln!(
                s,
                "  Transmit Delay is {} sec, State {}, Priority {}",
                i.transmit_delay, i.state, i.priority
            );
            if let Some((id, addr)) = i.dr {
                let _ = writeln!(s, "  Designated Router (ID) {id}, Interface Address {addr}");
            }
            if let Some((id, addr)) = i.bdr {
                let _ = writeln!(
                    s,
                    "  Backup Designated Router (ID) {id}, Interface Address {addr}"
                );
            }
            if i.passive {
                let _ = writeln!(s, "  No Hellos (Passive interface)");
            } else if i.network_type != "LOOPBACK" {
                let _ = writeln!(
                    s,
                    "  Timer intervals configured, Hello {}s, Dead {}s, Wait {}s, Retransmit {}",
                    i.hello, i.dead, i.dead, i.rxmt
                );
            }
            let _ = writeln!(
                s,
                "  Neighbor Count is {}, Adjacent neighbor count is {}",
                i.neighbors, i.adjacent
            );
        }
        s
    }

    /// `show ip ospf interface json`.
    pub fn interface_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for i in &self.interfaces {
            let mut o = json!({
                "ifUp": true,
                "ipAddress": i.address.to_string(),
                "ipAddressPrefixlen": i.prefix_len,
                "area": i.area.to_string(),
                "routerId": self.rid().to_string(),
                "networkType": i.network_type,
                "cost": i.cost,
                "transmitDelaySecs": i.transmit_delay,
                "state": i.state,
                "priority": i.priority,
                "timerMsecs": u32::from(i.hello) * 1000,
                "timerDeadSecs": i.dead,
                "timerRetransmitSecs": i.rxmt,
                "passive": i.passive,
                "nbrCount": i.neighbors,
                "nbrAdjacentCount": i.adjacent,
            });
            if let (Some((id, addr)), Some(obj)) = (i.dr, o.as_object_mut()) {
                obj.insert("drId".into(), id.to_string().into());
                obj.insert("drAddress".into(), addr.to_string().into());
            }
            if let (Some((id, addr)), Some(obj)) = (i.bdr, o.as_object_mut()) {
                obj.insert("bdrId".into(), id.to_string().into());
                obj.insert("bdrAddress".into(), addr.to_string().into());
            }
            m.insert(format!("{}:{}", i.name, i.address), o);
        }
        json!({ "interfaces": m })
    }

    /// `show ip ospf database`.
    pub fn database_text(&self) -> String {
        let mut s = format!("\n       OSPF Router with ID ({})\n", self.rid());
        let mut groups: BTreeMap<(u8, Option<Ipv4Addr>), Vec<&LsaRow>> = BTreeMap::new();
        for l in &self.lsas {
            let key = (l.lsa_type, l.area);
            groups.entry(key).or_default().push(l);
        }
        let mut keys: Vec<_> = groups.keys().copied().collect();
        // Area scope first (by area, then type), then AS scope.
        keys.sort_by_key(|(t, a)| (a.is_none(), a.map(u32::from), *t));
        for key in keys {
            let (t, area) = key;
            let title = type_title(t);
            let _ = match area {
                Some(a) => writeln!(s, "\n                {title} (Area {a})\n"),
                None => writeln!(s, "\n                {title}\n"),
            };
            let extra = match t {
                1 => " Link count",
                3 | 5 | 7 => " Route",
                _ => "",
            };
            let _ = writeln!(
                s,
                "Link ID         ADV Router      Age  Seq#       CkSum {extra}"
            );
            for l in &groups[&key] {
                let tail = match (l.links, l.prefix) {
                    (Some(n), _) if t == 1 => format!(" {n}"),
                    (_, Some(p)) if matches!(t, 3 | 5 | 7) => format!(" {p}"),
                    _ => String::new(),
                };
                let _ = writeln!(
                    s,
                    "{:<15} {:<15} {:>4} 0x{:08x} 0x{:04x}{tail}",
                    l.lsid, l.adv_router, l.age, l.seq, l.checksum
                );
            }
        }
        s.push('\n');
        s
    }

    /// `show ip ospf database json`.
    pub fn database_json(&self) -> Value {
        let rows: Vec<Value> = self
            .lsas
            .iter()
            .map(|l| {
                json!({
                    "area": l.area.map(|a| a.to_string()),
                    "type": type_title(l.lsa_type),
                    "lsaType": l.lsa_type,
                    "lsId": l.lsid.to_string(),
                    "advertisedRouter": l.adv_router.to_string(),
                    "lsaAge": l.age,
                    "sequenceNumber": format!("{:08x}", l.seq),
                    "checksum": format!("{:04x}", l.checksum),
                    "numOfRouterLinks": l.links,
                    "route": l.prefix.map(|p| p.to_string()),
                })
            })
            .collect();
        json!({ "routerId": self.rid().to_string(), "lsas": rows })
    }

    /// `show ip route ospf`: one block per destination, one line per path (IOS layout).
    pub fn route_text(&self) -> String {
        let mut s = String::from(
            "Codes: O - OSPF, IA - OSPF inter area, E1 - OSPF external type 1, E2 - OSPF external type 2\n\n",
        );
        for r in &self.routes {
            let code = match r.route_type {
                RouteType::IntraArea => "O   ",
                RouteType::InterArea => "O IA",
                RouteType::External1 => "O E1",
                RouteType::External2 => "O E2",
            };
            let dest = if prefix_len(&r.prefix) == 32 {
                r.prefix.addr().to_string()
            } else {
                r.prefix.to_string()
            };
            let head = format!("{code} {dest:<15} ");
            let pad = " ".repeat(head.len());
            for (n, p) in r.paths.iter().enumerate() {
                let lead = if n == 0 { &head } else { &pad };
                let via = if p.gateway.is_unspecified() {
                    "is directly connected".to_string()
                } else {
                    format!("via {}", p.gateway)
                };
                let _ = writeln!(
                    s,
                    "{lead}[{DISTANCE}/{}] {via}, {}, {}",
                    r.cost,
                    uptime(r.uptime_s),
                    p.interface
                );
            }
        }
        s
    }

    /// `show ip route ospf json` (FRR's layout: prefix → list of routes with next hops).
    pub fn route_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for r in &self.routes {
            let hops: Vec<Value> = r
                .paths
                .iter()
                .map(|p| {
                    if p.gateway.is_unspecified() {
                        json!({ "directlyConnected": true, "interfaceName": p.interface, "active": true })
                    } else {
                        json!({ "ip": p.gateway.to_string(), "afi": "ipv4", "interfaceName": p.interface, "active": true })
                    }
                })
                .collect();
            m.insert(
                r.prefix.to_string(),
                json!([{
                    "prefix": r.prefix.to_string(),
                    "protocol": "ospf",
                    "routeType": format!("{:?}", r.route_type),
                    "distance": DISTANCE,
                    "metric": r.cost,
                    "uptimeSecs": r.uptime_s,
                    "nexthops": hops,
                }]),
            );
        }
        Value::Object(m)
    }
}

fn title(state: &str) -> String {
    let mut c = state.chars();
    match c.next() {
        Some(f) => f.to_string() + &c.as_str().to_lowercase(),
        None => String::new(),
    }
}

fn type_title(t: u8) -> &'static str {
    match t {
        1 => "Router Link States",
        2 => "Net Link States",
        3 => "Summary Link States",
        4 => "ASBR-Summary Link States",
        5 => "AS External Link States",
        7 => "NSSA-external Link States",
        9..=11 => "Opaque Link States",
        _ => "Unknown Link States",
    }
}

/// The length of a prefix (from its mask).
pub fn prefix_len(p: &Prefix) -> u8 {
    u32::from(p.mask()).leading_ones() as u8
}

/// `hh:mm:ss` (or `NdHHh` after a day), as routers print uptimes.
pub fn uptime(secs: u64) -> String {
    if secs >= 86_400 {
        format!("{}d{:02}h", secs / 86_400, (secs % 86_400) / 3600)
    } else {
        format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            (secs % 3600) / 60,
            secs % 60
        )
    }
}

fn pretty(v: Value) -> String {
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use ospf_core::spf::NextHop;

    fn route(paths: &[Ipv4Addr]) -> Route {
        Route {
            route_type: RouteType::IntraArea,
            cost: 10,
            type2_cost: 0,
            area: Some(Ipv4Addr::UNSPECIFIED),
            tag: 0,
            nexthops: paths.iter().map(|a| NextHop::via(*a, 2)).collect(),
        }
    }

    #[test]
    fn query_parse_accepts_abbreviations_and_json() {
        assert_eq!(
            Query::parse("sh ip o nei").unwrap(),
            Query::Neighbor { json: false }
        );
        assert_eq!(
            Query::parse("show ip route ospf --json").unwrap(),
            Query::Route { json: true }
        );
        assert_eq!(
            Query::parse("show ip ospf database json").unwrap(),
            Query::Database { json: true }
        );
        assert!(Query::parse("show ip ospf bogus").is_err());
        assert!(Query::parse("reload").is_err());
    }

    #[test]
    fn route_block_has_one_line_per_path() {
        let p = Prefix::new(Ipv4Addr::new(172, 16, 0, 1), 32);
        let r = route(&[
            Ipv4Addr::new(10, 0, 0, 1),
            Ipv4Addr::new(10, 0, 0, 2),
            Ipv4Addr::new(10, 0, 0, 3),
        ]);
        let snap = Snapshot {
            routes: vec![RouteRow {
                prefix: p,
                route_type: r.route_type,
                cost: 10,
                paths: r
                    .nexthops
                    .iter()
                    .map(|h| PathRow {
                        gateway: h.addr,
                        interface: "eth0".into(),
                    })
                    .collect(),
                uptime_s: 282,
            }],
            ..Default::default()
        };
        let text = snap.route_text();
        let lines: Vec<&str> = text.lines().filter(|l| l.contains("via")).collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "O    172.16.0.1      [110/10] via 10.0.0.1, 00:04:42, eth0"
        );
        assert!(lines[2].trim_start().starts_with("[110/10] via 10.0.0.3"));
        let j = snap.route_json();
        assert_eq!(
            j["172.16.0.1/32"][0]["nexthops"].as_array().unwrap().len(),
            3
        );
    }

    #[test]
    fn uptime_formats() {
        assert_eq!(uptime(282), "00:04:42");
        assert_eq!(uptime(90_061), "1d01h");
    }
}
