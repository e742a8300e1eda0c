//! Prometheus metrics (cargo feature `metrics`, on by default).
//!
//! [`render`] turns a [`Snapshot`] of the router and the runtime's own counters
//! ([`RuntimeStats`]) into the Prometheus text exposition format; [`Handle::metrics_text`] does both queries and renders; [`serve`] answers
//! `GET /metrics` over HTTP on a thread of its own that asks the [`Handle`], so a scrape
//! never blocks the engine.
//!
//! Every name starts with `ospf_`, durations are in seconds and counters end in
//! `_total`:
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `ospf_router_info` | gauge (always 1) | `router_id` |
//! | `ospf_interface_state` | gauge (1 for the current state) | `interface`, `state` |
//! | `ospf_interface_neighbors`, `ospf_interface_adjacencies` | gauge | `interface` |
//! | `ospf_interface_transitions_total` | counter | `state` (the new one) |
//! | `ospf_neighbors` | gauge | `interface`, `state` |
//! | `ospf_neighbor_transitions_total` | counter | `state` (the new one) |
//! | `ospf_retransmission_queue_lsas`, `ospf_request_queue_lsas` | gauge | `interface` |
//! | `ospf_lsdb_lsas` | gauge | `type` |
//! | `ospf_packets_sent_total`, `ospf_packets_received_total` | counter | `interface`, `type` |
//! | `ospf_packets_dropped_total` | counter | `interface`, `reason` |
//! | `ospf_lsas_received_total` | counter | `interface` |
//! | `ospf_lsas_sent_total`, `ospf_lsas_retransmitted_total` | counter | `interface` |
//! | `ospf_auth_failures_total` | counter | `interface`, `kind` (the `authFailed` drops by kind) |
//! | `ospf_lsdb_overflow` | gauge | (1 in RFC 1765's OverflowState) |
//! | `ospf_neighbors_ignored` | gauge | (neighbors ignored under `max-lsa ... ignore-time`) |
//! | `ospf_spf_runs_total` | counter | |
//! | `ospf_spf_duration_seconds` | histogram | |
//! | `ospf_routes` | gauge | `type` |
//! | `ospf_route_changes_total` | counter | |
//! | `ospf_fib_operations_total`, `ospf_fib_errors_total` | counter | |
//! | `ospf_health_up` | gauge | |
//! | `ospf_health_transitions_total` | counter | |
//! | `ospf_health_probe_duration_seconds` | gauge | |
//!
//! LSAs are counted one by one, apart from the Link State Update packets that carry them
//! (`ospf_packets_*_total{type="ls_update"}`): `ospf_lsas_received_total` is every LSA of
//! every accepted LS Update, `ospf_lsas_sent_total` every LSA sent for the first time
//! (flooded, requested, or sent back as the newer instance) and
//! `ospf_lsas_retransmitted_total` every LSA sent again because its acknowledgment did
//! not come within RxmtInterval; LSAs waiting for an acknowledgment are
//! `ospf_retransmission_queue_lsas`. The engine keeps these counters per interface
//! ([`InterfaceCounters`](ospf_core::interface::InterfaceCounters)).

mod http;

use std::collections::BTreeMap;

use ospf_core::interface::{AuthFailure, DropReason, InterfaceState, PacketCounts};
use ospf_core::neighbor::NeighborState;
use ospf_core::spf::RouteType;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

pub use http::{MetricsServer, serve};

use crate::api::Handle;
use crate::runtime::{Error, RuntimeStats, SPF_DURATION_BUCKETS};
use crate::show::{auth_failure_key, drop_reason_key, if_state, nbr_state};
use crate::state::Snapshot;

/// The media type of [`render`]'s output: the Prometheus text format, which every
/// Prometheus version and `promtool check metrics` read.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

type Labels = Vec<(String, String)>;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const IF_STATES: [InterfaceState; 7] = [
    InterfaceState::Down,
    InterfaceState::Loopback,
    InterfaceState::Waiting,
    InterfaceState::PointToPoint,
    InterfaceState::DrOther,
    InterfaceState::Backup,
    InterfaceState::Dr,
];

/// An LSA type's name in the `type` label.
fn lsa_type_name(t: u8) -> String {
    match t {
        1 => "router".into(),
        2 => "network".into(),
        3 => "summary".into(),
        4 => "asbr_summary".into(),
        5 => "external".into(),
        7 => "nssa_external".into(),
        9 => "opaque_link".into(),
        10 => "opaque_area".into(),
        11 => "opaque_as".into(),
        other => format!("type{other}"),
    }
}

fn route_type_name(t: RouteType) -> &'static str {
    match t {
        RouteType::IntraArea => "intra_area",
        RouteType::InterArea => "inter_area",
        RouteType::External1 => "external1",
        RouteType::External2 => "external2",
        RouteType::Discard => "discard",
    }
}

fn packet_counts(c: &PacketCounts) -> [(&'static str, u64); 5] {
    [
        ("hello", c.hello),
        ("db_desc", c.db_desc),
        ("ls_request", c.ls_request),
        ("ls_update", c.ls_update),
        ("ls_ack", c.ls_ack),
    ]
}

/// The route-calculation duration histogram, from the runtime's buckets.
#[derive(Debug)]
struct SpfHistogram {
    sum: f64,
    count: u64,
    buckets: Vec<(f64, u64)>,
}

impl Collector for SpfHistogram {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let mut m = encoder.encode_descriptor(
            "ospf_spf_duration_seconds",
            "Duration of the engine calls that ran a route calculation",
            None,
            MetricType::Histogram,
        )?;
        m.encode_histogram::<NoLabelSet>(self.sum, self.count, &self.buckets, None)
    }
}

fn gauge_family(reg: &mut Registry, name: &str, help: &str) -> Family<Labels, Gauge> {
    let f = Family::<Labels, Gauge>::default();
    reg.register(name, help, f.clone());
    f
}

fn counter_family(reg: &mut Registry, name: &str, help: &str) -> Family<Labels, Counter> {
    let f = Family::<Labels, Counter>::default();
    reg.register(name, help, f.clone());
    f
}

fn counter(reg: &mut Registry, name: &str, help: &str, value: u64) {
    let c = Counter::<u64>::default();
    c.inc_by(value);
    reg.register(name, help, c);
}

fn gauge(reg: &mut Registry, name: &str, help: &str, value: i64) {
    let g = Gauge::<i64>::default();
    g.set(value);
    reg.register(name, help, g);
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Renders the router's state and the runtime's counters in the Prometheus text
/// exposition format ([`CONTENT_TYPE`]). See the [module documentation](self) for the
/// metrics.
pub fn render(snap: &Snapshot, stats: &RuntimeStats) -> String {
    let mut reg = Registry::default();
    if let Some(id) = snap.router_id {
        gauge_family(
            &mut reg,
            "ospf_router_info",
            "The router's identity (always 1)",
        )
        .get_or_create(&labels(&[("router_id", &id.to_string())]))
        .set(1);
    }

    let if_state_g = gauge_family(
        &mut reg,
        "ospf_interface_state",
        "Interface state (RFC 2328 9.1): 1 for the current state, 0 for the others",
    );
    let if_nbrs = gauge_family(
        &mut reg,
        "ospf_interface_neighbors",
        "Neighbors known on the interface",
    );
    let if_adj = gauge_family(
        &mut reg,
        "ospf_interface_adjacencies",
        "Adjacencies (neighbors in Full state) on the interface",
    );
    let sent = counter_family(
        &mut reg,
        "ospf_packets_sent",
        "OSPF packets sent, by packet type",
    );
    let received = counter_family(
        &mut reg,
        "ospf_packets_received",
        "OSPF packets received and accepted, by packet type",
    );
    let dropped = counter_family(
        &mut reg,
        "ospf_packets_dropped",
        "OSPF packets (or LSAs in them) dropped, by reason",
    );
    let lsas_received = counter_family(
        &mut reg,
        "ospf_lsas_received",
        "LSAs received in accepted Link State Updates",
    );
    let lsas_sent = counter_family(
        &mut reg,
        "ospf_lsas_sent",
        "LSAs sent in Link State Updates (flooded, requested, newer instance sent back), retransmissions excluded",
    );
    let lsas_rxmt = counter_family(
        &mut reg,
        "ospf_lsas_retransmitted",
        "LSAs retransmitted for want of an acknowledgment (RFC 2328 13.6)",
    );
    let auth = counter_family(
        &mut reg,
        "ospf_auth_failures",
        "OSPF packets dropped for failed authentication, by kind",
    );
    for i in &snap.interfaces {
        let name = i.name.as_str();
        let by_if = labels(&[("interface", name)]);
        lsas_received
            .get_or_create(&by_if)
            .inc_by(i.counters.lsas_received);
        lsas_sent.get_or_create(&by_if).inc_by(i.counters.lsas_sent);
        lsas_rxmt
            .get_or_create(&by_if)
            .inc_by(i.counters.lsas_retransmitted);
        for s in IF_STATES {
            if_state_g
                .get_or_create(&labels(&[("interface", name), ("state", if_state(s))]))
                .set(i64::from(i.state == s));
        }
        if_nbrs
            .get_or_create(&labels(&[("interface", name)]))
            .set(to_i64(i.neighbors));
        if_adj
            .get_or_create(&labels(&[("interface", name)]))
            .set(to_i64(i.adjacent));
        for (t, n) in packet_counts(&i.counters.sent) {
            sent.get_or_create(&labels(&[("interface", name), ("type", t)]))
                .inc_by(n);
        }
        for (t, n) in packet_counts(&i.counters.received) {
            received
                .get_or_create(&labels(&[("interface", name), ("type", t)]))
                .inc_by(n);
        }
        for r in DropReason::ALL {
            dropped
                .get_or_create(&labels(&[
                    ("interface", name),
                    ("reason", &drop_reason_key(r)),
                ]))
                .inc_by(i.counters.dropped(r));
        }
        for k in AuthFailure::ALL {
            auth.get_or_create(&labels(&[
                ("interface", name),
                ("kind", &auth_failure_key(k)),
            ]))
            .inc_by(i.counters.auth_failures(k));
        }
    }
    let overflow = gauge_family(
        &mut reg,
        "ospf_lsdb_overflow",
        "1 while in RFC 1765's OverflowState (external LSDB limit reached)",
    );
    overflow
        .get_or_create(&labels(&[]))
        .set(i64::from(snap.limits.overflow_ms.is_some()));
    let ignored = gauge_family(
        &mut reg,
        "ospf_neighbors_ignored",
        "Neighbors ignored for flooding beyond max-lsa (ignore-time)",
    );
    ignored
        .get_or_create(&labels(&[]))
        .set(to_i64(snap.limits.ignored.len()));
    let if_tr = counter_family(
        &mut reg,
        "ospf_interface_transitions",
        "Interface state transitions, by the new state",
    );
    for (s, n) in &stats.interface_transitions {
        if_tr.get_or_create(&labels(&[("state", s)])).inc_by(*n);
    }

    let nbrs = gauge_family(
        &mut reg,
        "ospf_neighbors",
        "Neighbors by interface and state (RFC 2328 10.1)",
    );
    let rxmt = gauge_family(
        &mut reg,
        "ospf_retransmission_queue_lsas",
        "LSAs waiting for acknowledgment (retransmission lists of the interface's neighbors)",
    );
    let req = gauge_family(
        &mut reg,
        "ospf_request_queue_lsas",
        "LSAs still to request from the interface's neighbors",
    );
    let mut by_state: BTreeMap<(&str, NeighborState), i64> = BTreeMap::new();
    for i in &snap.interfaces {
        rxmt.get_or_create(&labels(&[("interface", &i.name)]))
            .set(0);
        req.get_or_create(&labels(&[("interface", &i.name)])).set(0);
    }
    for n in &snap.neighbors {
        *by_state.entry((n.interface.as_str(), n.state)).or_insert(0) += 1;
        rxmt.get_or_create(&labels(&[("interface", &n.interface)]))
            .inc_by(to_i64(n.rxmt));
        req.get_or_create(&labels(&[("interface", &n.interface)]))
            .inc_by(to_i64(n.req));
    }
    for ((ifname, state), n) in by_state {
        nbrs.get_or_create(&labels(&[
            ("interface", ifname),
            ("state", nbr_state(state)),
        ]))
        .set(n);
    }
    let nbr_tr = counter_family(
        &mut reg,
        "ospf_neighbor_transitions",
        "Neighbor state transitions, by the new state",
    );
    for (s, n) in &stats.neighbor_transitions {
        nbr_tr.get_or_create(&labels(&[("state", s)])).inc_by(*n);
    }

    let lsdb = gauge_family(&mut reg, "ospf_lsdb_lsas", "LSAs in the database, by type");
    let mut by_type: BTreeMap<u8, i64> = [1, 2, 3, 4, 5].map(|t| (t, 0)).into();
    for l in &snap.lsas {
        *by_type.entry(l.lsa_type).or_insert(0) += 1;
    }
    for (t, n) in by_type {
        lsdb.get_or_create(&labels(&[("type", &lsa_type_name(t))]))
            .set(n);
    }

    counter(
        &mut reg,
        "ospf_spf_runs",
        "Route calculations (SPF runs)",
        stats.spf_runs,
    );
    let mut buckets: Vec<(f64, u64)> = SPF_DURATION_BUCKETS
        .iter()
        .copied()
        .chain([f64::INFINITY])
        .zip(
            stats
                .spf_buckets
                .iter()
                .copied()
                .chain(std::iter::repeat(0)),
        )
        .collect();
    buckets.truncate(SPF_DURATION_BUCKETS.len() + 1);
    reg.register_collector(Box::new(SpfHistogram {
        sum: stats.spf_seconds,
        count: stats.spf_runs,
        buckets,
    }));

    let routes = gauge_family(
        &mut reg,
        "ospf_routes",
        "Routes in the routing table, by type",
    );
    for t in [
        RouteType::IntraArea,
        RouteType::InterArea,
        RouteType::External1,
        RouteType::External2,
        RouteType::Discard,
    ] {
        let n = snap.routes.iter().filter(|r| r.route_type == t).count();
        routes
            .get_or_create(&labels(&[("type", route_type_name(t))]))
            .set(to_i64(n));
    }
    counter(
        &mut reg,
        "ospf_route_changes",
        "Changes of the routing table (added, changed, removed routes)",
        stats.route_changes,
    );
    counter(
        &mut reg,
        "ospf_fib_operations",
        "Route changes handed to the FIB (retries included)",
        stats.fib_operations,
    );
    counter(
        &mut reg,
        "ospf_fib_errors",
        "Route changes the FIB refused or failed (they are retried)",
        stats.fib_errors,
    );

    gauge(
        &mut reg,
        "ospf_health_up",
        "Service health: 1 while the anycast addresses are announced",
        i64::from(stats.healthy),
    );
    counter(
        &mut reg,
        "ospf_health_transitions",
        "Changes of the service health",
        stats.health_transitions,
    );
    if let Some(d) = stats.health_probe_duration {
        let g = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        g.set(d.as_secs_f64());
        reg.register(
            "ospf_health_probe_duration_seconds",
            "Duration of the health probe behind the latest health-check verdict",
            g,
        );
    }

    let mut out = String::new();
    // Writing into a String does not fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &reg);
    prometheus_text(&out)
}

/// From OpenMetrics text (what `prometheus-client` writes) to the Prometheus text format:
/// a counter family is named with its `_total` suffix in `# HELP` and `# TYPE`, as its
/// samples are; `# UNIT` and `# EOF` lines go.
fn prometheus_text(openmetrics: &str) -> String {
    let counters: std::collections::BTreeSet<&str> = openmetrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|tag| {
            let rest = line.strip_prefix(tag)?;
            let (name, tail) = rest.split_once(' ')?;
            counters
                .contains(name)
                .then(|| format!("{tag}{name}_total {tail}"))
        });
        match renamed {
            Some(l) => out.push_str(&l),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

impl Handle {
    /// The metrics in the text exposition format ([`render`] of a snapshot and the
    /// runtime's counters).
    pub fn metrics_text(&self) -> Result<String, Error> {
        let stats = self.runtime_stats();
        let snap = self.snapshot()?;
        Ok(render(&snap, &stats))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn runtime_counters_and_the_spf_histogram_are_rendered_with_base_units() {
        let mut stats = RuntimeStats {
            spf_buckets: vec![0; SPF_DURATION_BUCKETS.len() + 1],
            spf_runs: 2,
            spf_seconds: 0.0031,
            ..RuntimeStats::default()
        };
        stats.spf_buckets[3] = 1;
        stats.spf_buckets[5] = 1;
        stats.fib_operations = 7;
        stats.neighbor_transitions.insert("FULL", 3);
        stats.health_probe_duration = Some(Duration::from_millis(250));
        let text = render(&Snapshot::default(), &stats);
        assert!(text.contains("ospf_spf_runs_total 2\n"), "{text}");
        assert!(
            text.contains("ospf_spf_duration_seconds_count 2\n"),
            "{text}"
        );
        assert!(text.contains("ospf_spf_duration_seconds_bucket{le=\"0.001\"} 1\n"));
        assert!(text.contains("ospf_spf_duration_seconds_bucket{le=\"0.005\"} 2\n"));
        assert!(text.contains("ospf_spf_duration_seconds_bucket{le=\"+Inf\"} 2\n"));
        assert!(text.contains("ospf_fib_operations_total 7\n"));
        assert!(text.contains("ospf_neighbor_transitions_total{state=\"FULL\"} 3\n"));
        assert!(text.contains("ospf_health_probe_duration_seconds 0.25\n"));
        assert!(text.contains("ospf_lsdb_lsas{type=\"router\"} 0\n"));
        assert!(
            text.contains("# TYPE ospf_spf_runs_total counter\n"),
            "{text}"
        );
        assert!(text.contains("# HELP ospf_fib_operations_total "), "{text}");
        assert!(!text.contains("# EOF"), "{text}");
    }

    #[test]
    fn lsa_counters_are_rendered_per_interface() {
        let counters = ospf_core::interface::InterfaceCounters {
            lsas_received: 12,
            lsas_sent: 7,
            lsas_retransmitted: 3,
            sent: ospf_core::interface::PacketCounts {
                ls_update: 4,
                ..Default::default()
            },
            ..Default::default()
        };
        let iface = crate::test_util::lan(counters);
        let snap = Snapshot {
            interfaces: vec![iface],
            ..Snapshot::default()
        };
        let text = render(&snap, &RuntimeStats::default());
        for line in [
            "ospf_lsas_received_total{interface=\"eth0\"} 12\n",
            "ospf_lsas_sent_total{interface=\"eth0\"} 7\n",
            "ospf_lsas_retransmitted_total{interface=\"eth0\"} 3\n",
            "ospf_packets_sent_total{interface=\"eth0\",type=\"ls_update\"} 4\n",
            "# TYPE ospf_lsas_retransmitted_total counter\n",
        ] {
            assert!(text.contains(line), "{line}{text}");
        }
    }
}
