//! `watch` on the control socket: the connection stays open and receives one line per
//! [`Event`] (text, or one JSON object per line): neighbor, interface and BFD session
//! changes, route changes, FIB errors, health, announcements, reloads.
//!
//! The runtime subscribes to its own events while anybody watches and, at the end of
//! each turn of its loop, writes the new lines to every watcher without blocking. What a
//! watcher does not read piles up to [`MAX_PENDING`] bytes; beyond that the watcher is
//! dropped, so a stuck client costs bounded memory and never blocks the engine.

use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::mpsc;

use nix::errno::Errno;
use nix::sys::socket::{MsgFlags, send};
use ospf_core::spf::RouteChange;
use serde_json::{Value, json};

use super::Event;
use crate::show::{if_state, nbr_state};

/// The most unsent bytes a watcher may have before it is dropped.
pub const MAX_PENDING: usize = 256 * 1024;

/// `watch` or `watch json` (also `--json`); `None` for any other line.
pub(crate) fn parse(line: &str) -> Option<bool> {
    let mut words = line.split_whitespace();
    if words.next()? != "watch" {
        return None;
    }
    match (words.next(), words.next()) {
        (None, _) => Some(false),
        (Some("json" | "--json"), None) => Some(true),
        _ => None,
    }
}

struct Watcher {
    stream: UnixStream,
    json: bool,
    pending: Vec<u8>,
}

impl Watcher {
    /// Writes what is pending without blocking; `false` when the watcher is gone.
    fn flush(&mut self) -> bool {
        while !self.pending.is_empty() {
            match send(
                self.stream.as_raw_fd(),
                &self.pending,
                MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL,
            ) {
                Ok(n) => {
                    self.pending.drain(..n);
                }
                Err(Errno::EAGAIN) => break,
                Err(Errno::EINTR) => continue,
                Err(_) => return false,
            }
        }
        self.pending.len() <= MAX_PENDING
    }
}

/// The watching control connections.
#[derive(Default)]
pub(crate) struct Watchers {
    events: Option<mpsc::Receiver<Event>>,
    clients: Vec<Watcher>,
}

impl std::fmt::Debug for Watchers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watchers")
            .field("clients", &self.clients.len())
            .finish()
    }
}

impl Watchers {
    /// Adds a watcher on `stream`; `subscribe` gives the event channel when this is the
    /// first one.
    pub(crate) fn add(
        &mut self,
        stream: UnixStream,
        json: bool,
        subscribe: impl FnOnce() -> mpsc::Receiver<Event>,
    ) {
        if self.events.is_none() {
            self.events = Some(subscribe());
        }
        let hello = if json {
            "{\"event\":\"watching\"}\n"
        } else {
            "watching: one line per event\n"
        };
        self.clients.push(Watcher {
            stream,
            json,
            pending: hello.as_bytes().to_vec(),
        });
        self.pump();
    }

    /// Sends the events that arrived to every watcher; drops those that went away or
    /// fell too far behind, and the subscription with the last one.
    pub(crate) fn pump(&mut self) {
        let Some(rx) = &self.events else { return };
        for e in rx.try_iter() {
            let (text, obj) = (event_line(&e), event_json(&e));
            for c in &mut self.clients {
                let line = if c.json {
                    obj.to_string()
                } else {
                    text.clone()
                };
                if c.pending.len() <= MAX_PENDING {
                    c.pending.extend_from_slice(line.as_bytes());
                    c.pending.push(b'\n');
                }
            }
        }
        self.clients.retain_mut(Watcher::flush);
        if self.clients.is_empty() {
            self.events = None;
        }
    }
}

fn route_line(c: &RouteChange) -> (String, &'static str, Value) {
    let hops = |r: &ospf_core::spf::Route| -> Vec<String> {
        r.nexthops.iter().map(|h| h.addr.to_string()).collect()
    };
    match c {
        RouteChange::Add { prefix, route } | RouteChange::Replace { prefix, route } => {
            let what = if matches!(c, RouteChange::Add { .. }) {
                "added"
            } else {
                "changed"
            };
            let h = hops(route);
            (
                format!(
                    "route {prefix} {what}: {} cost {} via {}",
                    route.route_type.frr_code(),
                    route.cost,
                    h.join(",")
                ),
                what,
                json!({ "prefix": prefix.to_string(), "routeType": route.route_type.frr_code(), "cost": route.cost, "nexthops": h }),
            )
        }
        RouteChange::Delete { prefix } => (
            format!("route {prefix} removed"),
            "removed",
            json!({ "prefix": prefix.to_string() }),
        ),
    }
}

/// A graceful restart helper change in words (FRR's reason names where it has them).
pub fn gr_change(c: &ospf_core::instance::GrHelperChange) -> String {
    use ospf_core::instance::GrHelperChange as C;
    match c {
        C::Entered {
            grace_period,
            reason,
        } => format!(
            "helping, grace period {grace_period} s, reason {}",
            crate::show::restart_reason(*reason)
        ),
        C::Rejected(why) => format!("not helping: {why:?}"),
        C::Exited(why) => format!("help ended: {why:?}"),
        _ => format!("{c:?}"),
    }
}

/// One line of text for an event.
pub fn event_line(e: &Event) -> String {
    match e {
        Event::Interface { name, old, new, .. } => {
            format!("interface {name} {} -> {}", if_state(*old), if_state(*new))
        }
        Event::Neighbor {
            interface,
            router_id,
            address,
            old,
            new,
        } => format!(
            "neighbor {router_id} ({address} on {interface}) {} -> {}",
            nbr_state(*old),
            nbr_state(*new)
        ),
        Event::Bfd {
            interface,
            peer,
            old,
            new,
            diagnostic,
        } => format!("bfd {peer} on {interface} {old:?} -> {new:?} ({diagnostic:?})"),
        Event::GrHelper {
            interface,
            router_id,
            address,
            change,
        } => format!(
            "graceful-restart helper {router_id} ({address} on {interface}): {}",
            gr_change(change)
        ),
        Event::Route(c) => route_line(c).0,
        Event::FibError { message, prefixes } => {
            let p: Vec<String> = prefixes.iter().map(ToString::to_string).collect();
            format!("fib error: {message} ({})", p.join(","))
        }
        Event::Health { healthy } => {
            format!("health {}", if *healthy { "up" } else { "down" })
        }
        Event::Service {
            name,
            address,
            healthy,
            announcement,
        } => format!(
            "service {name} {address} health {} {announcement}",
            if *healthy { "up" } else { "down" }
        ),
        Event::Announced(p) => format!("announced {p}"),
        Event::Withdrawn(p) => format!("withdrawn {p}"),
        Event::StubRouter(on) => format!("stub-router {}", if *on { "on" } else { "off" }),
        Event::Drained => "drained".into(),
        Event::GracefulRestartReady => "graceful restart ready: Grace-LSAs acknowledged".into(),
        Event::GracefulRestartDone {
            reason,
            stale_removed,
        } => format!("graceful restart done ({reason}): {stale_removed} stale route(s) removed"),
        Event::Reloaded(s) => format!(
            "reloaded: {} added, {} removed, {} restarted, {} unchanged",
            s.added.len(),
            s.removed.len(),
            s.changed.len(),
            s.unchanged.len()
        ),
        Event::Stopped => "stopped".into(),
    }
}

/// One JSON object for an event (`"event"` names its kind).
pub fn event_json(e: &Event) -> Value {
    match e {
        Event::Interface {
            name,
            ifindex,
            old,
            new,
        } => json!({
            "event": "interface", "interface": name, "ifIndex": ifindex,
            "old": if_state(*old), "new": if_state(*new),
        }),
        Event::Neighbor {
            interface,
            router_id,
            address,
            old,
            new,
        } => json!({
            "event": "neighbor", "interface": interface, "routerId": router_id.to_string(),
            "address": address.to_string(), "old": nbr_state(*old), "new": nbr_state(*new),
        }),
        Event::Bfd {
            interface,
            peer,
            old,
            new,
            diagnostic,
        } => json!({
            "event": "bfd", "interface": interface, "peer": peer.to_string(),
            "old": format!("{old:?}"), "new": format!("{new:?}"),
            "diagnostic": format!("{diagnostic:?}"),
        }),
        Event::GrHelper {
            interface,
            router_id,
            address,
            change,
        } => json!({
            "event": "grHelper", "interface": interface, "routerId": router_id.to_string(),
            "address": address.to_string(), "change": gr_change(change),
        }),
        Event::Route(c) => {
            let (_, what, mut v) = route_line(c);
            if let Some(o) = v.as_object_mut() {
                o.insert("event".into(), "route".into());
                o.insert("change".into(), what.into());
            }
            v
        }
        Event::FibError { message, prefixes } => json!({
            "event": "fibError", "message": message,
            "prefixes": prefixes.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }),
        Event::Health { healthy } => json!({ "event": "health", "healthy": healthy }),
        Event::Service {
            name,
            address,
            healthy,
            announcement,
        } => json!({
            "event": "service", "name": name, "address": address.to_string(),
            "healthy": healthy, "announcement": announcement.to_string(),
        }),
        Event::Announced(p) => json!({ "event": "announced", "prefix": p.to_string() }),
        Event::Withdrawn(p) => json!({ "event": "withdrawn", "prefix": p.to_string() }),
        Event::StubRouter(on) => json!({ "event": "stubRouter", "on": on }),
        Event::Drained => json!({ "event": "drained" }),
        Event::GracefulRestartReady => json!({ "event": "gracefulRestartReady" }),
        Event::GracefulRestartDone {
            reason,
            stale_removed,
        } => json!({
            "event": "gracefulRestartDone", "reason": reason, "staleRemoved": stale_removed,
        }),
        Event::Reloaded(s) => json!({
            "event": "reloaded", "added": s.added, "removed": s.removed,
            "restarted": s.changed, "unchanged": s.unchanged,
        }),
        Event::Stopped => json!({ "event": "stopped" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ospf_core::interface::InterfaceState;
    use std::io::{BufRead, BufReader};
    use std::net::Ipv4Addr;

    #[test]
    fn only_watch_lines_are_watch_commands() {
        assert_eq!(parse("watch"), Some(false));
        assert_eq!(parse("watch json"), Some(true));
        assert_eq!(parse(" watch --json\n"), Some(true));
        assert_eq!(parse("watch me"), None);
        assert_eq!(parse("show ip ospf neighbor"), None);
    }

    #[test]
    fn events_reach_watchers_as_lines_and_a_reader_that_stops_is_dropped() {
        let (tx, rx) = mpsc::channel();
        let mut w = Watchers::default();
        let (ours, theirs) = UnixStream::pair().unwrap();
        let (ours_json, theirs_json) = UnixStream::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        ours_json.set_nonblocking(true).unwrap();
        w.add(ours, false, move || rx);
        w.add(ours_json, true, || unreachable!("subscribed once"));
        tx.send(Event::Interface {
            name: "eth0".into(),
            ifindex: 2,
            old: InterfaceState::Waiting,
            new: InterfaceState::Dr,
        })
        .unwrap();
        tx.send(Event::Health { healthy: false }).unwrap();
        w.pump();
        let mut text = BufReader::new(theirs);
        let mut line = String::new();
        for want in [
            "watching: one line per event\n",
            "interface eth0 WAITING -> DR\n",
            "health down\n",
        ] {
            line.clear();
            text.read_line(&mut line).unwrap();
            assert_eq!(line, want);
        }
        let mut json_lines = BufReader::new(theirs_json);
        line.clear();
        json_lines.read_line(&mut line).unwrap();
        line.clear();
        json_lines.read_line(&mut line).unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["event"], "interface");
        assert_eq!(v["new"], "DR");

        // The text reader stops reading; the JSON one goes away. Flooding events drops
        // the first once its backlog passes the bound, the second at once.
        drop(json_lines);
        let p = crate::Prefix::host(Ipv4Addr::new(192, 0, 2, 1));
        tx.send(Event::Announced(p)).unwrap();
        w.pump();
        assert_eq!(w.clients.len(), 1, "the closed one is dropped at once");
        assert!(!w.clients[0].json);
        // 24 bytes a line: the socket buffer and the backlog fill within 64 MiB.
        let mut sent = 0usize;
        while !w.clients.is_empty() && sent < (64 << 20) / 24 {
            for _ in 0..1000 {
                tx.send(Event::Announced(p)).unwrap();
            }
            sent += 1000;
            w.pump();
            if let Some(c) = w.clients.first() {
                assert!(c.pending.len() <= MAX_PENDING + 64);
            }
        }
        assert!(w.clients.is_empty(), "{w:?} after {sent} events");
        assert!(w.events.is_none(), "unsubscribed with the last watcher");
        drop(text);
    }
}
