//! Show commands in the IOS/FRR layout: `show ip ospf neighbor | database | interface` and
//! `show ip route ospf`, as text or JSON.
//!
//! The one renderer of the project: it draws the typed state of [`crate::state`] (a
//! [`Snapshot`]), so the same text serves the daemons' control sockets (`ospfctl`), the
//! typed API ([`crate::api::Handle::command`]) and the simulator (the demo). `ospfctl` sends
//! one line such as `show ip route ospf json` and prints the answer.
//!
//! ```
//! use ospf_std::show::Query;
//! use ospf_std::state::Snapshot;
//! let snap = Snapshot::default();
//! let q = Query::parse("show ip ospf neighbor").unwrap();
//! assert!(snap.render(q).starts_with("\nNeighbor ID"));
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;

use ospf_core::config::InterfaceType;
use ospf_core::instance::NeighborRole;
use ospf_core::interface::{AuthFailure, DropReason, InterfaceState};
use ospf_core::neighbor::NeighborState;
use ospf_core::spf::RouteType;
use serde_json::{Value, json};

use crate::state::{InterfaceStatus, LsaSummary, Snapshot, VirtualLinkStatus};

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
    /// `show ip ospf route`: the OSPF routing table (FRR's ospfd layout).
    OspfRoute {
        /// JSON output.
        json: bool,
    },
    /// `show ip ospf graceful-restart helper [detail]`: helper settings and the
    /// neighbors helped (FRR's layout).
    GrHelper {
        /// JSON output.
        json: bool,
    },
    /// `show ip ospf graceful-restart`: the restarting side (RFC 3623 §2): whether it
    /// is configured, a prepared restart, restarting mode with the adjacencies it
    /// still waits for, and how the last one ended. FRR 8.4 has only the helper's
    /// command; this one takes its name without `helper`, and FRR's JSON keys where
    /// FRR has one for the same thing.
    GrRestart {
        /// JSON output.
        json: bool,
    },
    /// `show ip ospf`: the router as a whole (router ID, LSA counts, LSDB limits,
    /// RFC 1765's OverflowState, neighbors ignored under `max-lsa ... ignore-time`).
    Ospf {
        /// JSON output.
        json: bool,
    },
}

/// The commands [`Query::parse`] accepts.
pub const USAGE: &str = "show ip ospf [neighbor|database|interface|route] [json], show ip ospf graceful-restart [helper [detail]] [json], show ip route ospf [json]";

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
            if words.len() == 3 {
                Query::Ospf { json }
            } else if is(words.get(3), "neighbor", 1) {
                Query::Neighbor { json }
            } else if is(words.get(3), "database", 1) {
                Query::Database { json }
            } else if is(words.get(3), "interface", 1) {
                Query::Interface { json }
            } else if is(words.get(3), "route", 1) {
                Query::OspfRoute { json }
            } else if is(words.get(3), "graceful-restart", 1)
                && is(words.get(4), "helper", 1)
                && (words.len() == 5 || (words.len() == 6 && is(words.get(5), "detail", 1)))
            {
                Query::GrHelper { json }
            } else if is(words.get(3), "graceful-restart", 1) && words.len() == 4 {
                Query::GrRestart { json }
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

/// A restart reason as FRR prints it.
pub fn restart_reason(r: ospf_core::wire::RestartReason) -> String {
    use ospf_core::wire::RestartReason as R;
    match r {
        R::Unknown => "Unknown restart".into(),
        R::SoftwareRestart => "Software restart".into(),
        R::SoftwareUpgrade => "Software reload/upgrade".into(),
        R::ControlProcessorSwitchover => "Switch to redundant control processor".into(),
        R::Other(v) => format!("reason {v}"),
    }
}

/// An interface state as FRR prints it (`DR`, `BDR`, `DROTHER`, `POINT_TO_POINT`, ...).
pub fn if_state(s: InterfaceState) -> &'static str {
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

/// A neighbor state as FRR prints it (`FULL`, `2WAY`, ...).
pub fn nbr_state(s: NeighborState) -> &'static str {
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

/// A neighbor's role as FRR prints it (`DR`, `BDR`, `DROTHER`).
pub fn nbr_role(r: NeighborRole) -> &'static str {
    match r {
        NeighborRole::Dr => "DR",
        NeighborRole::Backup => "BDR",
        _ => "DROTHER",
    }
}

/// A network type as FRR prints it.
pub fn network_type(t: InterfaceType) -> &'static str {
    match t {
        InterfaceType::PointToPoint => "POINTOPOINT",
        InterfaceType::Loopback => "LOOPBACK",
        InterfaceType::Nbma => "NBMA",
        InterfaceType::VirtualLink => "VIRTUALLINK",
        InterfaceType::PointToMultipoint | InterfaceType::PointToMultipointNonBroadcast => {
            "POINTOMULTIPOINT"
        }
        _ => "BROADCAST",
    }
}

/// A drop reason's name in JSON output and metrics (`authFailed`, `badChecksum`, ...).
pub fn drop_reason_key(r: DropReason) -> String {
    drop_reason_key_of(&format!("{r:?}"))
}

fn drop_reason_key_of(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => name.to_string(),
    }
}

impl Snapshot {
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
            Query::OspfRoute { json: false } => self.ospf_route_text(),
            Query::OspfRoute { json: true } => pretty(self.ospf_route_json()),
            Query::GrHelper { json: false } => self.gr_helper_text(),
            Query::GrHelper { json: true } => pretty(self.gr_helper_json()),
            Query::GrRestart { json: false } => self.gr_restart_text(),
            Query::GrRestart { json: true } => pretty(self.gr_restart_json()),
            Query::Ospf { json: false } => self.ospf_text(),
            Query::Ospf { json: true } => pretty(self.ospf_json()),
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
                format!("{}/{}", nbr_state(n.state), nbr_role(n.role)),
                format!("{:.3}s", n.dead_ms as f64 / 1000.0),
                n.address,
                format!("{}:{}", n.interface, n.local),
                n.rxmt,
                n.req,
            );
        }
        s.push('\n');
        for n in &self.limits.ignored {
            let _ = writeln!(
                s,
                "{:<15} ignored for flooding beyond max-lsa: {:.0}s left (period {})",
                n.router_id,
                n.remaining_ms as f64 / 1000.0,
                n.count
            );
        }
        s
    }

    /// `show ip ospf`: FRR's first lines (router ID, external LSA count) and the LSDB
    /// limits: `max-lsa` with the neighbors it ignores, RFC 1765's external limit and
    /// OverflowState.
    pub fn ospf_text(&self) -> String {
        let l = &self.limits;
        let mut s = format!("\n OSPF Routing Process, Router ID: {}\n", self.rid());
        let externals = self.lsas.iter().filter(|x| x.lsa_type == 5).count();
        let _ = writeln!(s, " Number of external LSA {externals}");
        let _ = writeln!(s, " Number of LSA {}", l.lsa_count);
        match l.max_lsa {
            Some(m) => {
                let mode = if l.warning_only {
                    " (warning-only)"
                } else {
                    ""
                };
                let _ = writeln!(
                    s,
                    " Maximum number of non self-generated LSA allowed {m}{mode}"
                );
            }
            None => {
                let _ = writeln!(s, " No limit on the number of LSA");
            }
        }
        for n in &l.ignored {
            let _ = writeln!(
                s,
                "   Neighbor {} ignored (flooded beyond the limit): {:.0}s left, period {}",
                n.router_id,
                n.remaining_ms as f64 / 1000.0,
                n.count
            );
        }
        if let Some(limit) = l.external_limit {
            let _ = writeln!(
                s,
                " External LSDB limit {limit} (RFC 1765), non-default external LSA {}",
                l.external_count
            );
            match (l.overflow_ms, l.overflow_exit_ms) {
                (Some(since), Some(exit)) => {
                    let _ = writeln!(
                        s,
                        "   In OverflowState for {:.0}s, next exit attempt in {:.0}s",
                        since as f64 / 1000.0,
                        exit as f64 / 1000.0
                    );
                }
                (Some(since), None) => {
                    let _ = writeln!(
                        s,
                        "   In OverflowState for {:.0}s (no exit overflow interval)",
                        since as f64 / 1000.0
                    );
                }
                _ => {}
            }
            if l.overflow_entries > 0 {
                let _ = writeln!(s, "   OverflowState entered {} times", l.overflow_entries);
            }
        }
        for (area, r, cost) in &self.aggregation.ranges {
            let what = if r.advertise {
                "advertise"
            } else {
                "not-advertise"
            };
            let _ = write!(s, " Area {area} range {} {what}", r.prefix);
            if let Some(sub) = r.substitute {
                let _ = write!(s, " substitute {sub}");
            }
            if let Some(c) = r.cost {
                let _ = write!(s, " cost {c}");
            }
            match cost {
                Some(c) => {
                    let _ = writeln!(s, ", active (largest component cost {c})");
                }
                None => {
                    let _ = writeln!(s, ", inactive");
                }
            }
        }
        for (a, n) in &self.aggregation.summary_addresses {
            let what = if a.advertise { "" } else { " no-advertise" };
            let _ = writeln!(
                s,
                " Summary-address {}{what} metric-type E2 metric {} tag {}, {n} external routes",
                a.prefix, a.metric, a.tag
            );
        }
        for (i, v) in self.virtual_links() {
            let _ = writeln!(
                s,
                " Virtual link {} to router {} through area {}: {}, cost {}, {} adjacent",
                i.name,
                v.peer,
                v.transit_area,
                if_state(i.state),
                i.cost,
                i.adjacent
            );
        }
        for (area, n) in self.full_virtual_adjacencies() {
            let _ = writeln!(
                s,
                " Area {area}: Number of full virtual adjacencies going through this area: {n}"
            );
        }
        s
    }

    /// The virtual-link interfaces.
    fn virtual_links(&self) -> impl Iterator<Item = (&InterfaceStatus, &VirtualLinkStatus)> {
        self.interfaces
            .iter()
            .filter_map(|i| i.virtual_link.as_ref().map(|v| (i, v)))
    }

    /// Per transit area, its Full virtual adjacencies (FRR's `full_vls`).
    fn full_virtual_adjacencies(&self) -> BTreeMap<Ipv4Addr, usize> {
        let mut m = BTreeMap::new();
        for (i, v) in self.virtual_links() {
            *m.entry(v.transit_area).or_insert(0) += i.adjacent;
        }
        m
    }

    /// `show ip ospf json`: FRR's `routerId`, `lsaExternalCounter` and, per transit area
    /// of a virtual link, `areas` → ID → `virtualAdjacenciesPassingCounter`; the rest is
    /// ours (`virtualLinks`, `areaRanges`, `summaryAddresses`, `lsaCount`, `maxLsa`, `maxLsaWarningOnly`, `ignoredNeighbors`,
    /// `externalLsdbLimit`, `nonDefaultExternalCounter`, `overflowState`,
    /// `overflowMsecs`, `overflowExitMsecs`, `overflowEntered`).
    pub fn ospf_json(&self) -> Value {
        let l = &self.limits;
        let ignored: Vec<Value> = l
            .ignored
            .iter()
            .map(|n| {
                json!({
                    "routerId": n.router_id.to_string(),
                    "remainingMsecs": n.remaining_ms,
                    "period": n.count,
                })
            })
            .collect();
        let mut v = json!({
            "routerId": self.rid().to_string(),
            "lsaExternalCounter": self.lsas.iter().filter(|x| x.lsa_type == 5).count(),
            "lsaCount": l.lsa_count,
            "maxLsaWarningOnly": l.warning_only,
            "ignoredNeighbors": ignored,
            "nonDefaultExternalCounter": l.external_count,
            "overflowState": l.overflow_ms.is_some(),
            "overflowEntered": l.overflow_entries,
        });
        if let Some(o) = v.as_object_mut() {
            let ranges: Vec<Value> = self
                .aggregation
                .ranges
                .iter()
                .map(|(area, r, cost)| {
                    json!({
                        "area": area.to_string(),
                        "range": r.prefix.to_string(),
                        "advertise": r.advertise,
                        "substitute": r.substitute.map(|p| p.to_string()),
                        "configuredCost": r.cost,
                        "active": cost.is_some(),
                        "cost": cost,
                    })
                })
                .collect();
            o.insert("areaRanges".into(), ranges.into());
            let sums: Vec<Value> = self
                .aggregation
                .summary_addresses
                .iter()
                .map(|(a, n)| {
                    json!({
                        "summaryAddress": a.prefix.to_string(),
                        "advertise": a.advertise,
                        "metricType": "E2",
                        "metric": a.metric,
                        "tag": a.tag,
                        "externalRouteCount": n,
                    })
                })
                .collect();
            o.insert("summaryAddresses".into(), sums.into());
            let vlinks: Vec<Value> = self
                .virtual_links()
                .map(|(i, v)| {
                    json!({
                        "name": i.name,
                        "peer": v.peer.to_string(),
                        "transitArea": v.transit_area.to_string(),
                        "peerAddress": v.peer_addr.to_string(),
                        "state": if_state_json(i.state),
                        "cost": i.cost,
                        "nbrAdjacentCount": i.adjacent,
                    })
                })
                .collect();
            o.insert("virtualLinks".into(), vlinks.into());
            // FRR's per-area counter of the transit areas.
            let areas: serde_json::Map<String, Value> = self
                .full_virtual_adjacencies()
                .into_iter()
                .map(|(a, n)| {
                    (
                        a.to_string(),
                        json!({ "virtualAdjacenciesPassingCounter": n }),
                    )
                })
                .collect();
            if !areas.is_empty() {
                o.insert("areas".into(), areas.into());
            }
            if let Some(m) = l.max_lsa {
                o.insert("maxLsa".into(), m.into());
            }
            if let Some(m) = l.external_limit {
                o.insert("externalLsdbLimit".into(), m.into());
            }
            if let Some(ms) = l.overflow_ms {
                o.insert("overflowMsecs".into(), ms.into());
            }
            if let Some(ms) = l.overflow_exit_ms {
                o.insert("overflowExitMsecs".into(), ms.into());
            }
        }
        v
    }

    /// `show ip ospf neighbor json`: FRR 8.4's keys (`neighbors` → router ID → list).
    /// FRR's `upTime`, `upTimeInMsec`, `dbSummaryCounter` and
    /// `databaseSummaryListCounter` are left out: the engine does not keep them.
    pub fn neighbor_json(&self) -> Value {
        let mut by_id = serde_json::Map::new();
        for n in &self.neighbors {
            let state = format!("{}/{}", title(nbr_state(n.state)), nbr_role_json(n.role));
            let entry = json!({
                "priority": n.priority,
                "nbrPriority": n.priority,
                "state": state,
                "nbrState": state,
                "converged": title(nbr_state(n.state)),
                "role": nbr_role_json(n.role),
                "deadTime": format!("{:.3}s", n.dead_ms as f64 / 1000.0),
                "deadTimeMsecs": n.dead_ms,
                "routerDeadIntervalTimerDueMsec": n.dead_ms,
                "address": n.address.to_string(),
                "ifaceAddress": n.address.to_string(),
                "ifaceName": format!("{}:{}", n.interface, n.local),
                "retransmitCounter": n.rxmt,
                "linkStateRetransmissionListCounter": n.rxmt,
                "requestCounter": n.req,
                "linkStateRequestListCounter": n.req,
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

    /// `show ip ospf graceful-restart helper detail`: FRR 8.4's wording.
    pub fn gr_helper_text(&self) -> String {
        let h = &self.gr_helper;
        let on = |b: bool| if b { "enabled" } else { "disabled" };
        let mut s = format!("\n       OSPF Router with ID ({})\n\n", self.rid());
        let _ = writeln!(s, "  Graceful restart helper support {}.", on(h.enabled));
        for r in &h.enabled_routers {
            let _ = writeln!(s, "  Graceful restart helper support enabled for {r}.");
        }
        let _ = writeln!(s, "  Strict LSA check is {}.", on(h.strict_lsa_checking));
        let _ = writeln!(
            s,
            "  Helper supported for {}.",
            if h.planned_only {
                "Planned Restarts only"
            } else {
                "Planned and Unplanned Restarts"
            }
        );
        let _ = writeln!(
            s,
            "  Supported Graceful restart interval: {}(in seconds).",
            h.supported_grace_time
        );
        let helped: Vec<&crate::state::NeighborStatus> = self
            .neighbors
            .iter()
            .filter(|n| n.gr_helper.is_some())
            .collect();
        let _ = writeln!(
            s,
            "  Number of Active neighbours in graceful restart: {}",
            helped.len()
        );
        for n in helped {
            let Some(g) = n.gr_helper else { continue };
            let _ = writeln!(
                s,
                "\n   Neighbour {}:\n   Address {} on {}\n   Received Grace period : {}(in seconds).\n   Remaining Grace period : {}(in seconds).\n   Restart reason : {}",
                n.router_id,
                n.address,
                n.interface,
                g.grace_period,
                g.remaining_ms.div_ceil(1000),
                restart_reason(g.reason)
            );
        }
        s.push('\n');
        s
    }

    /// `show ip ospf graceful-restart helper detail json`: FRR 8.4's keys.
    pub fn gr_helper_json(&self) -> Value {
        let h = &self.gr_helper;
        let on = |b: bool| if b { "Enabled" } else { "Disabled" };
        let mut nbrs = serde_json::Map::new();
        for n in &self.neighbors {
            let Some(g) = n.gr_helper else { continue };
            nbrs.insert(
                n.router_id.to_string(),
                json!({
                    "neighborIp": n.address.to_string(),
                    "interfaceName": n.interface,
                    "recvdGraceInterval": g.grace_period,
                    "actualGraceInterval": g.grace_period,
                    "remainGracetime": g.remaining_ms.div_ceil(1000),
                    "restartReason": restart_reason(g.reason),
                }),
            );
        }
        json!({
            "routerId": self.rid().to_string(),
            "helperSupport": on(h.enabled),
            "strictLsaCheck": on(h.strict_lsa_checking),
            "restartSupport": if h.planned_only {
                "Planned Restart only"
            } else {
                "Planned and Unplanned Restarts"
            },
            "supportedGracePeriod": h.supported_grace_time,
            "enabledRouterIds": h.enabled_routers.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "activeRestarterCnt": nbrs.len(),
            "neighbors": nbrs,
        })
    }

    /// `show ip ospf graceful-restart`: the restarting side, in the layout of FRR's
    /// helper command.
    pub fn gr_restart_text(&self) -> String {
        let g = &self.gr_restart;
        let mut s = format!("\n       OSPF Router with ID ({})\n\n", self.rid());
        match g.grace_period {
            Some(p) => {
                let _ = writeln!(
                    s,
                    "  Graceful restart enabled, grace period {p}(in seconds)."
                );
            }
            None => s.push_str("  Graceful restart disabled.\n"),
        }
        if let Some((period, reason, ready)) = g.prepared {
            let _ = writeln!(
                s,
                "  Restart prepared: grace period {period}(in seconds), reason: {}, {}.",
                restart_reason(reason),
                if ready {
                    "every neighbor acknowledged (ready to restart)"
                } else {
                    "waiting for the neighbors' acknowledgments"
                }
            );
        }
        match &g.restarting {
            Some(r) => {
                let _ = writeln!(
                    s,
                    "  Restart in progress ({}, {}) since {:.1} s, remaining grace time: {}(in seconds).",
                    if r.planned { "planned" } else { "unplanned" },
                    restart_reason(r.reason),
                    r.since_ms as f64 / 1000.0,
                    r.remaining_ms.div_ceil(1000)
                );
                let awaited: Vec<String> = r.awaited.iter().map(ToString::to_string).collect();
                let _ = writeln!(
                    s,
                    "  Adjacencies awaited: {}",
                    if awaited.is_empty() {
                        "none".to_string()
                    } else {
                        awaited.join(", ")
                    }
                );
            }
            None => s.push_str("  No restart in progress.\n"),
        }
        if let Some((reason, ago)) = g.last_exit {
            let _ = writeln!(
                s,
                "  Last restart exit reason: {} ({:.1} s ago)",
                reason.as_str(),
                ago as f64 / 1000.0
            );
        }
        s.push('\n');
        s
    }

    /// `show ip ospf graceful-restart json`. Keys after FRR's where it has one for the
    /// same thing (`restartReason`, `remainGracetime`, `lastExitReason` of its helper
    /// command; `gracePeriod` as its `graceful-restart grace-period`).
    pub fn gr_restart_json(&self) -> Value {
        let g = &self.gr_restart;
        let mut v = json!({
            "routerId": self.rid().to_string(),
            "gracefulRestart": if g.grace_period.is_some() { "Enabled" } else { "Disabled" },
            "prepareInProgress": g.prepared.is_some_and(|p| !p.2),
            "restartInProgress": g.restarting.is_some(),
        });
        if let Some(p) = g.grace_period {
            v["gracePeriod"] = json!(p);
        }
        if let Some((period, reason, ready)) = g.prepared {
            v["prepared"] = json!({
                "gracePeriod": period,
                "restartReason": restart_reason(reason),
                "ready": ready,
            });
        }
        if let Some(r) = &g.restarting {
            v["restartReason"] = json!(restart_reason(r.reason));
            v["planned"] = json!(r.planned);
            v["restartStartedMsecAgo"] = json!(r.since_ms);
            v["remainGracetime"] = json!(r.remaining_ms.div_ceil(1000));
            v["awaitedNeighbors"] = json!(
                r.awaited
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            );
        }
        if let Some((reason, ago)) = g.last_exit {
            v["lastExitReason"] = json!(reason.as_str());
            v["lastExitMsecAgo"] = json!(ago);
        }
        v
    }

    /// `show ip ospf interface`.
    pub fn interface_text(&self) -> String {
        let mut s = String::new();
        for i in &self.interfaces {
            let _ = writeln!(s, "{} is up, line protocol is up", i.name);
            if let Some(v) = &i.virtual_link {
                let _ = writeln!(
                    s,
                    "  Virtual link to router {} through transit area {}, peer address {}",
                    v.peer, v.transit_area, v.peer_addr
                );
            }
            let _ = writeln!(
                s,
                "  Internet Address {}/{}, Area {}",
                i.address, i.prefix_len, i.area
            );
            let _ = writeln!(
                s,
                "  Router ID {}, Network Type {}, Cost: {}",
                self.rid(),
                network_type(i.network_type),
                i.cost
            );
            let _ = writeln!(
                s,
                "  Transmit Delay is {} sec, State {}, Priority {}",
                i.transmit_delay,
                if_state(i.state),
                i.priority
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
            } else if i.network_type != InterfaceType::Loopback {
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
            let drops = i.counters.dropped_total();
            if drops > 0 {
                let why: Vec<String> = DropReason::ALL
                    .iter()
                    .filter(|r| i.counters.dropped(**r) > 0)
                    .map(|r| {
                        let n = i.counters.dropped(*r);
                        let kinds = auth_kinds(&i.counters);
                        if *r == DropReason::AuthFailed && !kinds.is_empty() {
                            format!("{} {n}: {kinds}", drop_reason_key(*r))
                        } else {
                            format!("{} {n}", drop_reason_key(*r))
                        }
                    })
                    .collect();
                let _ = writeln!(s, "  Packets dropped: {drops} ({})", why.join(", "));
            }
        }
        s
    }

    /// `show ip ospf interface json`: FRR 8.4's keys, by interface name (a second
    /// address on one interface, such as another anycast /32 on `lo`, is keyed
    /// `name:address`). FRR's `ifFlags`, `mtuBytes`, `bandwidthMbit` and
    /// `timerHelloInMsecs` are left out (not known to the engine); `passive`,
    /// `packetsDropped` and `packetsDroppedByReason` are ours.
    pub fn interface_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for i in &self.interfaces {
            let up = i.state != InterfaceState::Down;
            let broadcast = if i.prefix_len < 31 {
                let host = u32::MAX.checked_shr(u32::from(i.prefix_len)).unwrap_or(0);
                Ipv4Addr::from(u32::from(i.address) | host)
            } else {
                i.address
            };
            let if_type = if matches!(
                i.network_type,
                InterfaceType::PointToPoint | InterfaceType::VirtualLink
            ) {
                "PointToPoint"
            } else {
                "Broadcast"
            };
            let mut o = json!({
                "ifUp": up,
                "ifIndex": i.ifindex,
                "ospfEnabled": true,
                "ipAddress": i.address.to_string(),
                "ipAddressPrefixlen": i.prefix_len,
                "localIfUsed": broadcast.to_string(),
                "area": i.area.to_string(),
                "routerId": self.rid().to_string(),
                "networkType": network_type(i.network_type),
                "ospfIfType": if_type,
                "cost": i.cost,
                "transmitDelaySecs": i.transmit_delay,
                "state": if_state_json(i.state),
                "priority": i.priority,
                "timerMsecs": u32::from(i.hello) * 1000,
                "timerDeadSecs": i.dead,
                "timerWaitSecs": i.dead,
                "timerRetransmitSecs": i.rxmt,
                "passive": i.passive,
                "nbrCount": i.neighbors,
                "nbrAdjacentCount": i.adjacent,
                "packetsDropped": i.counters.dropped_total(),
                "packetsDroppedByReason": drops_json(&i.counters),
                "authFailuresByKind": auth_json(&i.counters),
            });
            if let Some(obj) = o.as_object_mut() {
                if let Some((id, addr)) = i.dr {
                    obj.insert("drId".into(), id.to_string().into());
                    obj.insert("drAddress".into(), addr.to_string().into());
                }
                if let Some((id, addr)) = i.bdr {
                    obj.insert("bdrId".into(), id.to_string().into());
                    obj.insert("bdrAddress".into(), addr.to_string().into());
                }
                if let Some(v) = &i.virtual_link {
                    obj.insert("vlinkPeer".into(), v.peer.to_string().into());
                    obj.insert("vlinkTransitArea".into(), v.transit_area.to_string().into());
                    obj.insert("vlinkPeerAddress".into(), v.peer_addr.to_string().into());
                }
                // Multicast groups joined (FRR lists only those it joined).
                if up
                    && !i.passive
                    && !matches!(
                        i.network_type,
                        InterfaceType::Loopback | InterfaceType::VirtualLink
                    )
                {
                    obj.insert("mcastMemberOspfAllRouters".into(), true.into());
                    if matches!(i.state, InterfaceState::Dr | InterfaceState::Backup) {
                        obj.insert("mcastMemberOspfDesignatedRouters".into(), true.into());
                    }
                }
            }
            let key = if m.contains_key(&i.name) {
                format!("{}:{}", i.name, i.address)
            } else {
                i.name.clone()
            };
            m.insert(key, o);
        }
        json!({ "interfaces": m })
    }

    /// `show ip ospf database`.
    pub fn database_text(&self) -> String {
        let mut s = format!("\n       OSPF Router with ID ({})\n", self.rid());
        let mut groups: BTreeMap<(u8, Option<Ipv4Addr>), Vec<&LsaSummary>> = BTreeMap::new();
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

    /// `show ip ospf database json`: FRR 8.4's layout (`areas` → area → one list and
    /// one count per LSA type, AS-scope LSAs beside them).
    pub fn database_json(&self) -> Value {
        let mut areas: BTreeMap<Ipv4Addr, serde_json::Map<String, Value>> = BTreeMap::new();
        let mut top = serde_json::Map::new();
        top.insert("routerId".into(), self.rid().to_string().into());
        for l in &self.lsas {
            let mut row = json!({
                "lsId": l.lsid.to_string(),
                "advertisedRouter": l.adv_router.to_string(),
                "lsaAge": l.age,
                "sequenceNumber": format!("{:08x}", l.seq),
                "checksum": format!("{:04x}", l.checksum),
            });
            if let Some(obj) = row.as_object_mut() {
                match l.lsa_type {
                    1 => {
                        obj.insert("numOfRouterLinks".into(), l.links.unwrap_or(0).into());
                    }
                    3 => {
                        if let Some(p) = l.prefix {
                            obj.insert("summaryAddress".into(), p.to_string().into());
                        }
                    }
                    5 | 7 => {
                        let e = if l.external_type2 == Some(false) {
                            "E1"
                        } else {
                            "E2"
                        };
                        obj.insert("metricType".into(), e.into());
                        if let Some(p) = l.prefix {
                            obj.insert("route".into(), p.to_string().into());
                        }
                        obj.insert("tag".into(), l.tag.unwrap_or(0).into());
                    }
                    _ => {}
                }
            }
            let key = db_json_key(l.lsa_type);
            let section = match l.area {
                Some(a) if l.lsa_type != 5 && l.lsa_type != 11 => areas.entry(a).or_default(),
                _ => &mut top,
            };
            if let Some(list) = section
                .entry(key.to_string())
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()
            {
                list.push(row);
            }
            let count = section
                .get(key)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            section.insert(format!("{key}Count"), count.into());
        }
        let areas: serde_json::Map<String, Value> = areas
            .into_iter()
            .map(|(a, m)| (a.to_string(), Value::Object(m)))
            .collect();
        top.insert("areas".into(), Value::Object(areas));
        Value::Object(top)
    }

    /// `show ip ospf route`: the OSPF routing table in FRR's layout.
    pub fn ospf_route_text(&self) -> String {
        let mut s = String::from("============ OSPF network routing table ============\n");
        for r in &self.routes {
            let area = r.area.map(|a| format!(" area: {a}")).unwrap_or_default();
            let cost = match r.route_type {
                RouteType::External2 => format!("[{}/{}]", r.path_cost, r.cost),
                _ => format!("[{}]", r.cost),
            };
            let _ = writeln!(
                s,
                "{:<5}{:<23}{cost}{area}",
                ospf_route_code(r.route_type),
                r.prefix.to_string()
            );
            if r.route_type == RouteType::Discard {
                let _ = writeln!(s, "{:28}Discard entry (active area range)", "");
            }
            let weighted = r.is_weighted();
            for p in &r.paths {
                let weight = if weighted {
                    format!(", weight {}", p.weight)
                } else {
                    String::new()
                };
                if p.gateway.is_unspecified() {
                    let _ = writeln!(s, "{:28}directly attached to {}", "", p.interface);
                } else {
                    let _ = writeln!(s, "{:28}via {}, {}{weight}", "", p.gateway, p.interface);
                }
            }
        }
        s.push('\n');
        s
    }

    /// `show ip ospf route json`: FRR 8.4's keys (prefix → `routeType`, `cost`, `area`,
    /// `nexthops`; externals `tag`, type-2 externals `type2cost`). The routes to
    /// ABRs and ASBRs that FRR lists (`routeType` `R `) are not: the engine's table holds
    /// networks only.
    pub fn ospf_route_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for r in &self.routes {
            let hops: Vec<Value> = r
                .paths
                .iter()
                .map(|p| {
                    if p.gateway.is_unspecified() {
                        json!({
                            "ip": " ",
                            "directly attached to": p.interface,
                            "directlyAttachedTo": p.interface,
                        })
                    } else if r.is_weighted() {
                        // Unequal anycast weights (FRR has no such key here; zebra's
                        // next hops call it "weight").
                        json!({ "ip": p.gateway.to_string(), "via": p.interface, "weight": p.weight })
                    } else {
                        json!({ "ip": p.gateway.to_string(), "via": p.interface })
                    }
                })
                .collect();
            let mut o = json!({
                "routeType": ospf_route_code(r.route_type),
                "cost": r.path_cost,
                "nexthops": hops,
            });
            if let Some(obj) = o.as_object_mut() {
                if let Some(a) = r.area {
                    obj.insert("area".into(), a.to_string().into());
                }
                if matches!(r.route_type, RouteType::External1 | RouteType::External2) {
                    obj.insert("tag".into(), r.tag.into());
                }
                if r.route_type == RouteType::External2 {
                    obj.insert("type2cost".into(), r.cost.into());
                }
            }
            m.insert(r.prefix.to_string(), o);
        }
        Value::Object(m)
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
                RouteType::Discard => "O   ",
            };
            let dest = if r.prefix.prefix_len() == 32 {
                r.prefix.addr().to_string()
            } else {
                r.prefix.to_string()
            };
            let head = format!("{code} {dest:<15} ");
            if r.route_type == RouteType::Discard {
                let _ = writeln!(
                    s,
                    "{head}[{DISTANCE}/{}] unreachable (blackhole), {}",
                    r.cost,
                    uptime(r.uptime_s)
                );
            }
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

/// FRR's code of a route type in `show ip ospf route`.
fn ospf_route_code(t: RouteType) -> &'static str {
    match t {
        RouteType::IntraArea => "N",
        RouteType::InterArea => "N IA",
        RouteType::External1 => "N E1",
        RouteType::External2 => "N E2",
        RouteType::Discard => "D IA",
    }
}

/// The key of an LSA type's list in FRR's `show ip ospf database json`.
fn db_json_key(t: u8) -> &'static str {
    match t {
        1 => "routerLinkStates",
        2 => "networkLinkStates",
        3 => "summaryLinkStates",
        4 => "asbrSummaryLinkStates",
        5 => "asExternalLinkStates",
        7 => "nssaExternalLinkStates",
        9 => "linkLocalOpaqueLsa",
        10 => "areaLocalOpaqueLsa",
        11 => "asExternalOpaqueLsa",
        _ => "unknownLinkStates",
    }
}

/// A neighbor's role as FRR's JSON names it (`DR`, `Backup`, `DROther`).
fn nbr_role_json(r: NeighborRole) -> &'static str {
    match r {
        NeighborRole::Dr => "DR",
        NeighborRole::Backup => "Backup",
        _ => "DROther",
    }
}

/// An interface state as FRR's JSON names it (`DR`, `Backup`, `DROther`, `Loopback`, ...).
fn if_state_json(s: InterfaceState) -> &'static str {
    match s {
        InterfaceState::Down => "Down",
        InterfaceState::Loopback => "Loopback",
        InterfaceState::Waiting => "Waiting",
        InterfaceState::PointToPoint => "Point-To-Point",
        InterfaceState::DrOther => "DROther",
        InterfaceState::Backup => "Backup",
        InterfaceState::Dr => "DR",
        _ => "Unknown",
    }
}

/// An authentication failure kind's name in JSON output and metrics (`unknownKey`,
/// `badDigest`, `replay`, ...).
pub fn auth_failure_key(k: AuthFailure) -> String {
    drop_reason_key_of(&format!("{k:?}"))
}

/// `unknownKey 2, badDigest 1`: the authentication failures by kind, empty if none.
fn auth_kinds(c: &ospf_core::interface::InterfaceCounters) -> String {
    AuthFailure::ALL
        .iter()
        .filter(|k| c.auth_failures(**k) > 0)
        .map(|k| format!("{} {}", auth_failure_key(*k), c.auth_failures(*k)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn auth_json(c: &ospf_core::interface::InterfaceCounters) -> Value {
    let mut m = serde_json::Map::new();
    for k in AuthFailure::ALL {
        if c.auth_failures(k) > 0 {
            m.insert(auth_failure_key(k), c.auth_failures(k).into());
        }
    }
    Value::Object(m)
}

fn drops_json(c: &ospf_core::interface::InterfaceCounters) -> Value {
    let mut m = serde_json::Map::new();
    for r in DropReason::ALL {
        if c.dropped(r) > 0 {
            m.insert(drop_reason_key(r), c.dropped(r).into());
        }
    }
    Value::Object(m)
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

/// `show anycast services [json]`: each service of the speaker ([`crate::service`]), its
/// health, action and how its address is announced.
pub fn services(list: &[crate::service::ServiceStatus], json: bool) -> String {
    if json {
        let services: serde_json::Map<String, Value> = list
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    json!({
                        "address": s.address.to_string(),
                        "healthy": s.healthy,
                        "drained": s.drained,
                        "onFailure": s.on_failure.to_string(),
                        "degradeCost": s.degrade_cost,
                        "lastOneStanding": s.last_one_standing,
                        "heldAsLastOneStanding": s.held_as_last,
                        "announcement": s.announcement.to_string(),
                        "healthTransitions": s.health_transitions,
                        "weight": s.weight,
                    }),
                )
            })
            .collect();
        return pretty(json!({ "services": services }));
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<16} {:<15} {:<6} {:<8} {:<10} {:<7} Note",
        "Service", "Address", "Health", "Action", "Announced", "Drained"
    );
    for s in list {
        let mut note = if s.held_as_last {
            "last one standing".to_string()
        } else if s.announcement == crate::service::Announcement::Degraded {
            format!("cost {}", s.degrade_cost)
        } else {
            String::new()
        };
        if let Some(w) = s.weight {
            if !note.is_empty() {
                note.push_str(", ");
            }
            let _ = write!(note, "weight {w}");
        }
        let _ = writeln!(
            out,
            "{:<16} {:<15} {:<6} {:<8} {:<10} {:<7} {note}",
            s.name,
            s.address.to_string(),
            if s.healthy { "up" } else { "down" },
            s.on_failure.to_string(),
            s.announcement.to_string(),
            if s.drained { "yes" } else { "no" },
        );
    }
    out
}

fn pretty(v: Value) -> String {
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Prefix;
    use crate::state::{RouteEntry, RoutePath};
    use ospf_core::spf::{NextHop, Route};

    #[test]
    fn show_ip_ospf_lists_ranges_and_summary_addresses() {
        use ospf_core::config::{AreaRange, SummaryAddress};
        let p = |x: &str| -> Prefix { x.parse().unwrap() };
        let mut snap = Snapshot::default();
        snap.aggregation.ranges = vec![
            (
                Ipv4Addr::new(0, 0, 0, 1),
                AreaRange::new(p("10.1.0.0/16")),
                Some(40),
            ),
            (
                Ipv4Addr::new(0, 0, 0, 1),
                AreaRange::new(p("10.3.0.0/16")).advertise(false),
                None,
            ),
        ];
        snap.aggregation.summary_addresses =
            vec![(SummaryAddress::new(p("172.20.0.0/16")).tag(42), 2)];
        let t = snap.ospf_text();
        assert!(
            t.contains(
                " Area 0.0.0.1 range 10.1.0.0/16 advertise, active (largest component cost 40)"
            ),
            "{t}"
        );
        assert!(
            t.contains(" Area 0.0.0.1 range 10.3.0.0/16 not-advertise, inactive"),
            "{t}"
        );
        assert!(
            t.contains(
                " Summary-address 172.20.0.0/16 metric-type E2 metric 20 tag 42, 2 external routes"
            ),
            "{t}"
        );
        snap.routes = vec![RouteEntry::new(
            p("10.1.0.0/16"),
            ospf_core::spf::RouteType::Discard,
            0,
            vec![],
            3,
        )];
        let r = snap.ospf_route_text();
        assert!(r.contains("D IA 10.1.0.0/16"), "{r}");
        assert!(r.contains("Discard entry"), "{r}");
        let r = snap.route_text();
        assert!(
            r.contains("10.1.0.0/16     [110/0] unreachable (blackhole)"),
            "{r}"
        );
        let j = snap.ospf_json();
        assert_eq!(j["areaRanges"][0]["cost"], 40);
        assert_eq!(j["areaRanges"][1]["active"], false);
        assert_eq!(j["summaryAddresses"][0]["externalRouteCount"], 2);
    }

    #[test]
    fn virtual_links_show_as_frr_names_them() {
        let mut vl = crate::test_util::lan(Default::default());
        vl.ifindex = ospf_core::instance::VIRTUAL_LINK_IFINDEX_BASE;
        vl.name = "VLINK0".into();
        vl.network_type = InterfaceType::VirtualLink;
        vl.state = InterfaceState::PointToPoint;
        vl.prefix_len = 32;
        vl.cost = 20;
        vl.virtual_link = Some(crate::state::VirtualLinkStatus {
            peer: Ipv4Addr::new(10, 255, 0, 2),
            transit_area: Ipv4Addr::new(0, 0, 0, 1),
            peer_addr: Ipv4Addr::new(10, 2, 0, 3),
        });
        let snap = Snapshot {
            router_id: Some(Ipv4Addr::new(10, 255, 0, 1)),
            interfaces: vec![crate::test_util::lan(Default::default()), vl],
            ..Default::default()
        };
        let t = snap.interface_text();
        assert!(t.contains("VLINK0 is up"), "{t}");
        assert!(t.contains("Network Type VIRTUALLINK, Cost: 20"), "{t}");
        assert!(
            t.contains("Virtual link to router 10.255.0.2 through transit area 0.0.0.1, peer address 10.2.0.3"),
            "{t}"
        );
        let j = snap.interface_json();
        assert_eq!(j["interfaces"]["VLINK0"]["networkType"], "VIRTUALLINK");
        assert_eq!(j["interfaces"]["VLINK0"]["ospfIfType"], "PointToPoint");
        assert_eq!(j["interfaces"]["VLINK0"]["vlinkPeer"], "10.255.0.2");
        assert!(
            j["interfaces"]["VLINK0"]
                .get("mcastMemberOspfAllRouters")
                .is_none()
        );
        let o = snap.ospf_text();
        assert!(
            o.contains(" Virtual link VLINK0 to router 10.255.0.2 through area 0.0.0.1: POINT_TO_POINT, cost 20, 1 adjacent"),
            "{o}"
        );
        assert!(
            o.contains(
                "Area 0.0.0.1: Number of full virtual adjacencies going through this area: 1"
            ),
            "{o}"
        );
        let j = snap.ospf_json();
        assert_eq!(j["virtualLinks"][0]["peerAddress"], "10.2.0.3");
        assert_eq!(j["areas"]["0.0.0.1"]["virtualAdjacenciesPassingCounter"], 1);
    }

    #[test]
    fn network_types_are_spelled_as_frr_prints_them() {
        let t = |x| network_type(x);
        assert_eq!(t(InterfaceType::Broadcast), "BROADCAST");
        assert_eq!(t(InterfaceType::PointToPoint), "POINTOPOINT");
        assert_eq!(t(InterfaceType::Nbma), "NBMA");
        assert_eq!(t(InterfaceType::PointToMultipoint), "POINTOMULTIPOINT");
        assert_eq!(
            t(InterfaceType::PointToMultipointNonBroadcast),
            "POINTOMULTIPOINT"
        );
        assert_eq!(t(InterfaceType::Loopback), "LOOPBACK");
    }

    fn route(paths: &[Ipv4Addr]) -> Route {
        Route {
            route_type: RouteType::IntraArea,
            cost: 10,
            type2_cost: 0,
            area: Some(Ipv4Addr::UNSPECIFIED),
            tag: 0,
            nexthops: paths.iter().map(|a| NextHop::via(*a, 2)).collect(),
            weights: Vec::new(),
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
        assert_eq!(
            Query::parse("show ip ospf route json").unwrap(),
            Query::OspfRoute { json: true }
        );
        assert_eq!(
            Query::parse("sh ip ospf json").unwrap(),
            Query::Ospf { json: true }
        );
        assert_eq!(
            Query::parse("show ip ospf").unwrap(),
            Query::Ospf { json: false }
        );
        assert!(Query::parse("show ip ospf bogus").is_err());
        assert!(Query::parse("reload").is_err());
    }

    /// A route with unequal anycast weights shows each path's weight (text and JSON);
    /// an equal-cost route shows none (FRR's shape).
    #[test]
    fn weighted_paths_show_their_weights() {
        let anycast = Prefix::host(Ipv4Addr::new(172, 16, 0, 1));
        let mut paths: Vec<RoutePath> = [2u8, 3, 4]
            .iter()
            .map(|s| RoutePath::new(Ipv4Addr::new(10, 0, 0, *s), "eth0", 2))
            .collect();
        paths[0].weight = 2;
        let mut r = RouteEntry::new(anycast, RouteType::IntraArea, 10, paths, 5);
        r.area = Some(Ipv4Addr::UNSPECIFIED);
        let mut snap = Snapshot {
            routes: vec![r],
            ..Snapshot::default()
        };
        let v = snap.ospf_route_json();
        let hops = &v["172.16.0.1/32"]["nexthops"];
        assert_eq!(hops[0]["weight"], 2);
        assert_eq!(hops[1]["weight"], 1);
        let text = snap.ospf_route_text();
        assert!(text.contains("via 10.0.0.2, eth0, weight 2\n"), "{text}");
        assert!(text.contains("via 10.0.0.3, eth0, weight 1\n"), "{text}");
        snap.routes[0].paths[0].weight = 1;
        assert!(
            snap.ospf_route_json()["172.16.0.1/32"]["nexthops"][0]
                .get("weight")
                .is_none()
        );
        assert!(!snap.ospf_route_text().contains("weight"));
    }

    #[test]
    fn ospf_route_json_has_frr_keys_for_networks_and_externals() {
        let lan = Prefix::new(Ipv4Addr::new(10, 0, 0, 0), 24);
        let ext = Prefix::new(Ipv4Addr::new(20, 0, 0, 0), 24);
        let mut attached = RouteEntry::new(
            lan,
            RouteType::IntraArea,
            10,
            vec![RoutePath::new(Ipv4Addr::UNSPECIFIED, "eth0", 2)],
            5,
        );
        attached.area = Some(Ipv4Addr::UNSPECIFIED);
        let mut e2 = RouteEntry::new(
            ext,
            RouteType::External2,
            20,
            vec![RoutePath::new(Ipv4Addr::new(10, 0, 0, 254), "eth0", 2)],
            5,
        );
        e2.path_cost = 10;
        e2.tag = 7;
        let snap = Snapshot {
            routes: vec![attached, e2],
            ..Snapshot::default()
        };
        let v = snap.ospf_route_json();
        assert_eq!(v["10.0.0.0/24"]["routeType"], "N");
        assert_eq!(v["10.0.0.0/24"]["area"], "0.0.0.0");
        assert_eq!(
            v["10.0.0.0/24"]["nexthops"][0]["directlyAttachedTo"],
            "eth0"
        );
        assert_eq!(v["20.0.0.0/24"]["routeType"], "N E2");
        assert_eq!(v["20.0.0.0/24"]["cost"], 10);
        assert_eq!(v["20.0.0.0/24"]["type2cost"], 20);
        assert_eq!(v["20.0.0.0/24"]["tag"], 7);
        assert!(v["20.0.0.0/24"].get("area").is_none());
        assert_eq!(v["20.0.0.0/24"]["nexthops"][0]["via"], "eth0");
        let text = snap.ospf_route_text();
        assert!(text.contains("N E2 20.0.0.0/24"), "{text}");
        assert!(text.contains("directly attached to eth0"), "{text}");
    }

    #[test]
    fn graceful_restart_shows_the_restarting_side() {
        assert_eq!(
            Query::parse("show ip ospf graceful-restart json"),
            Ok(Query::GrRestart { json: true })
        );
        assert_eq!(
            Query::parse("sh ip o graceful-restart"),
            Ok(Query::GrRestart { json: false })
        );
        let mut snap = Snapshot {
            router_id: Some(Ipv4Addr::new(10, 0, 0, 254)),
            ..Snapshot::default()
        };
        // Not configured, nothing happened.
        let v = snap.gr_restart_json();
        assert_eq!(v["gracefulRestart"], "Disabled");
        assert_eq!(v["restartInProgress"], false);
        assert!(v.get("lastExitReason").is_none() && v.get("gracePeriod").is_none());
        assert!(
            snap.gr_restart_text()
                .contains("Graceful restart disabled.")
        );
        // Restarting, two adjacencies awaited, an earlier restart completed.
        snap.gr_restart = crate::state::GrRestartShow {
            grace_period: Some(60),
            prepared: None,
            restarting: Some(crate::state::GrRestartingShow {
                planned: true,
                reason: ospf_core::wire::RestartReason::SoftwareRestart,
                since_ms: 800,
                remaining_ms: 59_200,
                awaited: vec![Ipv4Addr::new(10, 0, 0, 2), Ipv4Addr::new(10, 0, 0, 3)],
            }),
            last_exit: Some((ospf_core::instance::RestartExitReason::Completed, 3_600_000)),
        };
        let v = snap.gr_restart_json();
        assert_eq!(v["gracefulRestart"], "Enabled");
        assert_eq!(v["gracePeriod"], 60);
        assert_eq!(v["restartInProgress"], true);
        assert_eq!(v["prepareInProgress"], false);
        assert_eq!(v["planned"], true);
        assert_eq!(v["restartReason"], "Software restart");
        assert_eq!(v["remainGracetime"], 60);
        assert_eq!(v["restartStartedMsecAgo"], 800);
        assert_eq!(v["awaitedNeighbors"], json!(["10.0.0.2", "10.0.0.3"]));
        assert_eq!(v["lastExitReason"], "completed");
        let t = snap.gr_restart_text();
        assert!(t.contains("grace period 60(in seconds)"), "{t}");
        assert!(
            t.contains("Restart in progress (planned, Software restart) since 0.8 s"),
            "{t}"
        );
        assert!(t.contains("Adjacencies awaited: 10.0.0.2, 10.0.0.3"), "{t}");
        assert!(
            t.contains("Last restart exit reason: completed (3600.0 s ago)"),
            "{t}"
        );
        // Prepared, not acknowledged yet.
        snap.gr_restart.restarting = None;
        snap.gr_restart.prepared =
            Some((60, ospf_core::wire::RestartReason::SoftwareRestart, false));
        let v = snap.gr_restart_json();
        assert_eq!(v["prepareInProgress"], true);
        assert_eq!(v["prepared"]["ready"], false);
        assert!(v.get("awaitedNeighbors").is_none());
        assert!(
            snap.gr_restart_text()
                .contains("waiting for the neighbors' acknowledgments")
        );
    }

    #[test]
    fn graceful_restart_helper_shows_settings_and_helped_neighbors() {
        assert_eq!(
            Query::parse("show ip ospf graceful-restart helper detail json"),
            Ok(Query::GrHelper { json: true })
        );
        assert_eq!(
            Query::parse("sh ip o graceful-restart helper"),
            Ok(Query::GrHelper { json: false })
        );
        assert!(Query::parse("show ip ospf graceful-restart bogus").is_err());
        let mut n = crate::state::NeighborStatus {
            router_id: Ipv4Addr::new(10, 0, 0, 2),
            priority: 1,
            state: NeighborState::Full,
            role: NeighborRole::Dr,
            dead_ms: 1000,
            address: Ipv4Addr::new(10, 0, 0, 2),
            interface: "eth0".into(),
            local: Ipv4Addr::new(10, 0, 0, 1),
            rxmt: 0,
            req: 0,
            gr_helper: Some(crate::state::GrHelperStatus {
                grace_period: 120,
                remaining_ms: 99_500,
                reason: ospf_core::wire::RestartReason::SoftwareRestart,
            }),
        };
        let other = crate::state::NeighborStatus {
            router_id: Ipv4Addr::new(10, 0, 0, 3),
            gr_helper: None,
            ..n.clone()
        };
        n.state = NeighborState::ExStart;
        let snap = Snapshot {
            router_id: Some(Ipv4Addr::new(10, 0, 0, 1)),
            neighbors: vec![n, other],
            gr_helper: ospf_core::config::GrHelperConfig::default()
                .enabled(true)
                .planned_only(true),
            ..Snapshot::default()
        };
        let t = snap.gr_helper_text();
        for want in [
            "Graceful restart helper support enabled.",
            "Strict LSA check is enabled.",
            "Helper supported for Planned Restarts only.",
            "Supported Graceful restart interval: 1800(in seconds).",
            "Number of Active neighbours in graceful restart: 1",
            "Neighbour 10.0.0.2:",
            "Remaining Grace period : 100(in seconds).",
            "Restart reason : Software restart",
        ] {
            assert!(t.contains(want), "{want:?} in {t}");
        }
        assert!(!t.contains("10.0.0.3"), "{t}");
        let j = snap.gr_helper_json();
        assert_eq!(j["helperSupport"], "Enabled");
        assert_eq!(j["strictLsaCheck"], "Enabled");
        assert_eq!(j["supportedGracePeriod"], 1800);
        assert_eq!(j["activeRestarterCnt"], 1);
        assert_eq!(j["neighbors"]["10.0.0.2"]["recvdGraceInterval"], 120);
        assert_eq!(j["neighbors"]["10.0.0.2"]["remainGracetime"], 100);
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
            routes: vec![RouteEntry::new(
                p,
                r.route_type,
                10,
                r.nexthops
                    .iter()
                    .map(|h| RoutePath::new(h.addr, "eth0", h.ifindex))
                    .collect(),
                282,
            )],
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
    fn interface_output_breaks_drops_down_by_reason_and_auth_failures_by_kind() {
        let mut c = ospf_core::interface::InterfaceCounters::default();
        c.dropped[DropReason::AuthFailed as usize] = 5;
        c.dropped[DropReason::BadChecksum as usize] = 2;
        c.dropped[DropReason::NeighborIgnored as usize] = 7;
        c.auth_failures[AuthFailure::UnknownKey as usize] = 3;
        c.auth_failures[AuthFailure::Replay as usize] = 2;
        let snap = Snapshot {
            interfaces: vec![crate::test_util::lan(c)],
            ..Snapshot::default()
        };
        let text = snap.interface_text();
        assert!(
            text.contains(
                "Packets dropped: 14 (badChecksum 2, authFailed 5: unknownKey 3 replay 2, neighborIgnored 7)"
            ),
            "{text}"
        );
        let v = snap.interface_json();
        let i = &v["interfaces"]["eth0"];
        assert_eq!(i["packetsDropped"], 14);
        assert_eq!(i["packetsDroppedByReason"]["authFailed"], 5);
        assert_eq!(i["packetsDroppedByReason"]["neighborIgnored"], 7);
        assert_eq!(i["authFailuresByKind"]["unknownKey"], 3);
        assert_eq!(i["authFailuresByKind"]["replay"], 2);
        assert!(i["authFailuresByKind"].get("badDigest").is_none());
    }

    #[test]
    fn show_ip_ospf_reports_limits_overflow_and_ignored_neighbors() {
        let snap = Snapshot {
            router_id: Some(Ipv4Addr::new(1, 1, 1, 1)),
            limits: crate::state::LimitStatus {
                lsa_count: 120,
                max_lsa: Some(100),
                external_count: 30,
                external_limit: Some(30),
                overflow_ms: Some(12_000),
                overflow_exit_ms: Some(48_000),
                overflow_entries: 1,
                ignored: vec![crate::state::IgnoredNeighborStatus {
                    router_id: Ipv4Addr::new(3, 3, 3, 3),
                    remaining_ms: 283_400,
                    count: 2,
                }],
                ..Default::default()
            },
            ..Snapshot::default()
        };
        let t = snap.ospf_text();
        assert!(t.contains("Router ID: 1.1.1.1"), "{t}");
        assert!(
            t.contains("Maximum number of non self-generated LSA allowed 100"),
            "{t}"
        );
        assert!(
            t.contains("Neighbor 3.3.3.3 ignored (flooded beyond the limit): 283s left, period 2"),
            "{t}"
        );
        assert!(t.contains("External LSDB limit 30 (RFC 1765)"), "{t}");
        assert!(
            t.contains("In OverflowState for 12s, next exit attempt in 48s"),
            "{t}"
        );
        let v = snap.ospf_json();
        assert_eq!(v["routerId"], "1.1.1.1");
        assert_eq!(v["maxLsa"], 100);
        assert_eq!(v["overflowState"], true);
        assert_eq!(v["overflowExitMsecs"], 48_000);
        assert_eq!(v["ignoredNeighbors"][0]["routerId"], "3.3.3.3");
        assert_eq!(v["ignoredNeighbors"][0]["remainingMsecs"], 283_400);
        let n = snap.neighbor_text();
        assert!(
            n.contains("3.3.3.3         ignored for flooding beyond max-lsa: 283s left (period 2)"),
            "{n}"
        );
        // Nothing about overflow or ignored neighbors when there is none.
        let quiet = Snapshot::default();
        assert!(!quiet.ospf_text().contains("OverflowState"));
        assert!(!quiet.neighbor_text().contains("ignored"));
    }

    #[test]
    fn uptime_formats() {
        assert_eq!(uptime(282), "00:04:42");
        assert_eq!(uptime(90_061), "1d01h");
    }
}

/// The control protocol's compact tables (`show interfaces|neighbors|routes|database`):
/// one line per item, states as the engine names them.
pub mod compact {
    use std::fmt::Write as _;

    use crate::Prefix;
    use crate::state::Snapshot;

    /// `show interfaces`.
    pub fn interfaces(snap: &Snapshot) -> String {
        let mut s = String::from(
            "Interface  Address            Area            State     DR              BDR             Nbrs Adj\n",
        );
        for i in &snap.interfaces {
            let _ = writeln!(
                s,
                "{:<10} {:<18} {:<15} {:<9} {:<15} {:<15} {:<4} {}",
                i.name,
                format!("{}/{}", i.address, i.prefix_len),
                i.area,
                format!("{:?}", i.state),
                i.dr.map_or("-".to_string(), |d| d.0.to_string()),
                i.bdr.map_or("-".to_string(), |d| d.0.to_string()),
                i.neighbors,
                i.adjacent,
            );
        }
        s
    }

    /// `show neighbors`.
    pub fn neighbors(snap: &Snapshot) -> String {
        let mut s =
            String::from("Neighbor ID     Pri State     Role    Dead  Address         Interface\n");
        for n in &snap.neighbors {
            let _ = writeln!(
                s,
                "{:<15} {:<3} {:<9} {:<7} {:<5} {:<15} {}",
                n.router_id,
                n.priority,
                format!("{:?}", n.state),
                format!("{:?}", n.role),
                format!("{}s", n.dead_ms / 1000),
                n.address,
                n.interface,
            );
        }
        s
    }

    /// `show routes`: the OSPF routing table as FRR's `show ip ospf route` codes it;
    /// `*` marks routes in the FIB.
    pub fn routes(snap: &Snapshot, installed: &dyn Fn(&Prefix) -> bool) -> String {
        let mut s = String::new();
        for r in &snap.routes {
            let cost = if r.route_type == ospf_core::spf::RouteType::External2 && r.cost > 0 {
                format!("{}/{}", r.path_cost, r.cost)
            } else {
                r.path_cost.to_string()
            };
            let hops: Vec<String> = r
                .paths
                .iter()
                .map(|h| {
                    if h.gateway.is_unspecified() {
                        format!("directly attached to {}", h.interface)
                    } else {
                        format!("via {}, {}", h.gateway, h.interface)
                    }
                })
                .collect();
            let _ = writeln!(
                s,
                "{:<5} {:<18} [{}] {}{}",
                r.route_type.frr_code(),
                r.prefix.to_string(),
                cost,
                hops.join("; "),
                if installed(&r.prefix) { " *" } else { "" }
            );
        }
        s
    }

    /// `show database`.
    pub fn database(snap: &Snapshot) -> String {
        let mut s = String::from("Type Link-ID         ADV-Router      Age  Seq#\n");
        for l in &snap.lsas {
            let _ = writeln!(
                s,
                "{:<4} {:<15} {:<15} {:<4} 0x{:08x}",
                l.lsa_type, l.lsid, l.adv_router, l.age, l.seq
            );
        }
        s
    }
}
