//! Every router's routing tables as comparable text, for the interop tests that run one
//! topology twice (FRR, then ours, as the router under test) and compare everything.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ospf_testbed::{Bird, Frr, Netns};
use serde_json::Value;

/// Tables by name (`"frr0 kernel"`, `"bird1 ospf"`, ...): entry key to its text.
pub type Tables = BTreeMap<String, BTreeMap<String, String>>;

/// A stub network on a link of its own (one end of a veth pair, so that it is up; the
/// kernel here has no dummy links).
pub fn add_stub(ns: &Netns, name: &str, cidr: &str) {
    let peer = format!("{name}p");
    ns.ip(&["link", "add", name, "type", "veth", "peer", "name", &peer])
        .unwrap();
    ns.add_addr(name, cidr).unwrap();
    ns.link_up(&peer).unwrap();
    ns.link_up(name).unwrap();
}

/// The kernel's IPv4 routes of protocol `proto`: prefix -> "type metric gateways" (each
/// gateway once).
pub fn kernel_table(ns: &Netns, proto: &str) -> BTreeMap<String, String> {
    let routes = ns
        .ip_json(&["-4", "route", "show", "proto", proto])
        .unwrap_or(Value::Null);
    let mut out = BTreeMap::new();
    for r in routes.as_array().into_iter().flatten() {
        let Some(dst) = r.get("dst").and_then(Value::as_str) else {
            continue;
        };
        let dst = match dst {
            "default" => "0.0.0.0/0".to_owned(),
            d if d.contains('/') => d.to_owned(),
            d => format!("{d}/32"),
        };
        let kind = r.get("type").and_then(Value::as_str).unwrap_or("unicast");
        let metric = r.get("metric").and_then(Value::as_u64).unwrap_or(0);
        let mut gws: Vec<String> = Vec::new();
        if let Some(nhs) = r.get("nexthops").and_then(Value::as_array) {
            gws.extend(
                nhs.iter()
                    .filter_map(|n| n.get("gateway").and_then(Value::as_str).map(str::to_owned)),
            );
        } else if let Some(gw) = r.get("gateway").and_then(Value::as_str) {
            gws.push(gw.to_owned());
        } else if let Some(id) = r.get("nhid").and_then(Value::as_u64) {
            gws.extend(
                ns.nexthop_object_gateways(id)
                    .unwrap_or_default()
                    .iter()
                    .map(ToString::to_string),
            );
        }
        // Each gateway once: FRR 8.4 installs a route over a virtual link with the same
        // gateway twice (the backbone path over the link and the equal-cost path of the
        // transit area's summaries, RFC 2328 §16.3, merged without removing the
        // duplicate); both forward the same way.
        gws.sort();
        gws.dedup();
        out.insert(dst, format!("{kind} metric {metric} via {}", gws.join(",")));
    }
    out
}

/// FRR's OSPF routes as zebra has them: prefix -> "metric M selected S via gateways"
/// (each gateway once, as in [`kernel_table`]).
pub fn frr_table(frr: &Frr) -> BTreeMap<String, String> {
    let v = frr
        .vtysh_json("show ip route ospf json")
        .unwrap_or(Value::Null);
    let mut out = BTreeMap::new();
    for (p, list) in v.as_object().into_iter().flatten() {
        for r in list.as_array().into_iter().flatten() {
            let metric = r.get("metric").and_then(Value::as_u64).unwrap_or(0);
            let selected = r.get("selected").and_then(Value::as_bool).unwrap_or(false);
            let mut gws: Vec<String> = r
                .get("nexthops")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|n| {
                    n.get("ip")
                        .and_then(Value::as_str)
                        .or_else(|| n.get("interfaceName").and_then(Value::as_str))
                        .unwrap_or("?")
                        .to_owned()
                })
                .collect();
            gws.sort();
            gws.dedup();
            out.insert(
                p.clone(),
                format!("metric {metric} selected {selected} via {}", gws.join(",")),
            );
        }
    }
    out
}

/// BIRD's OSPF routes (`show route protocol ospf1`), without the time stamps: one entry
/// per line, keyed by prefix and line number within it. For intra-area routes the router
/// BIRD names is the originator of the LSA, which for a LAN is its DR: who is DR depends
/// on the order the routers started in, not on the configuration, so it is left out.
pub fn bird_table(bird: &Bird) -> BTreeMap<String, String> {
    let text = bird.birdc("show route protocol ospf1").unwrap_or_default();
    let mut out = BTreeMap::new();
    let mut prefix = String::new();
    let mut n = 0;
    for line in text.lines().skip_while(|l| !l.starts_with("Table")).skip(1) {
        let words: Vec<&str> = line
            .split_whitespace()
            .filter(|w| !(w.starts_with("[ospf") || (w.ends_with(']') && w.contains(':'))))
            .collect();
        if words.is_empty() {
            continue;
        }
        let mut words = words;
        if words.contains(&"I") && words.last().is_some_and(|w| w.starts_with('[')) {
            words.pop();
        }
        if !line.starts_with(char::is_whitespace) {
            prefix = words[0].to_owned();
            n = 0;
        }
        out.insert(format!("{prefix} #{n}"), words.join(" "));
        n += 1;
    }
    out
}

/// Adds router `name`'s kernel routes (`name kernel`) and FRR's OSPF routes (`name ospf`).
pub fn add_frr(t: &mut Tables, name: &str, (ns, frr): &(Netns, Frr)) {
    t.insert(format!("{name} kernel"), kernel_table(ns, "ospf"));
    t.insert(format!("{name} ospf"), frr_table(frr));
}

/// Adds router `name`'s kernel routes (`name kernel`) and BIRD's OSPF routes (`name ospf`).
pub fn add_bird(t: &mut Tables, name: &str, (ns, bird): &(Netns, Bird)) {
    t.insert(format!("{name} kernel"), kernel_table(ns, "bird"));
    t.insert(format!("{name} ospf"), bird_table(bird));
}

/// Waits until `tables()` stays the same for `quiet`; returns it.
pub fn settled(tables: impl Fn() -> Tables, quiet: Duration, timeout: Duration) -> Tables {
    let end = Instant::now() + timeout;
    let mut last = tables();
    let mut since = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = tables();
        if now != last {
            last = now;
            since = Instant::now();
        } else if since.elapsed() >= quiet {
            return last;
        }
        assert!(Instant::now() < end, "tables never settled: {last:#?}");
    }
}

/// What differs between `a` (with FRR as the router under test) and `b` (with ours), one
/// line per entry.
pub fn diff(a: &Tables, b: &Tables) -> String {
    let mut s = String::new();
    for (who, ta) in a {
        let empty = BTreeMap::new();
        let tb = b.get(who).unwrap_or(&empty);
        for (p, x) in ta {
            if tb.get(p) != Some(x) {
                s.push_str(&format!(
                    "{who} {p}: with FRR {x:?}, with ours {:?}\n",
                    tb.get(p)
                ));
            }
        }
        for (p, y) in tb {
            if !ta.contains_key(p) {
                s.push_str(&format!("{who} {p}: with FRR none, with ours {y:?}\n"));
            }
        }
    }
    s
}
