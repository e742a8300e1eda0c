//! The anycast demo: the seed's topology in the simulator, in virtual time.
//!
//! Three servers (10.0.0.1-3) carry 172.16.0.1/32 on a loopback and run the speaker's
//! engine; the router (10.0.0.254, also 192.168.0.254 towards the clients) computes the
//! routes. [`run`] brings the network up, prints the router's table with three paths, then
//! plays a graceful drain, a crash (found by the dead timer), a failed health check and a
//! recovery, printing when the router's table loses and regains each path.
//!
//! No root and no network: everything runs in [`ospf_core::sim`], so the numbers are the
//! protocol's own (packet latency 0.1-0.5 ms, route calculation without hold-down).
//!
//! ```
//! let report = ospf_examples::demo::run(&ospf_examples::demo::DemoConfig::default(), &mut std::io::sink());
//! assert_eq!(report.initial_paths, 3);
//! assert!(report.converged_s < 5.0);
//! ```

use std::io::Write;
use std::net::Ipv4Addr;

use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
use ospf_core::instance::Event;
use ospf_core::sim::{NodeId, Sim, SimConfig};
use ospf_core::spf::Prefix;
use ospf_core::time::{Duration, Instant};

use crate::health::{FallRise, HealthState};
use ospf_std::presets::fast_failover;
use ospf_std::routes::RouteAges;
use ospf_std::state::Snapshot;

/// The anycast address.
pub const ANYCAST: Ipv4Addr = Ipv4Addr::new(172, 16, 0, 1);

/// Settings of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoConfig {
    /// Hello interval on the server LAN, s.
    pub hello: u16,
    /// Dead interval on the server LAN, s.
    pub dead: u32,
    /// Health check interval, ms.
    pub check_interval_ms: u64,
    /// Failed checks before the prefix is withdrawn.
    pub fall: u32,
    /// Good checks before it is announced again.
    pub rise: u32,
    /// Seed of the simulation (latencies, jitter).
    pub seed: u64,
}

impl Default for DemoConfig {
    /// Hello 1 s, dead 4 s, checks every 200 ms with fall 2 and rise 2, seed 1.
    fn default() -> Self {
        DemoConfig {
            hello: 1,
            dead: 4,
            check_interval_ms: 200,
            fall: 2,
            rise: 2,
            seed: 1,
        }
    }
}

/// What the demo measured, in virtual time.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DemoReport {
    /// Seconds from start until the router had three paths.
    pub converged_s: f64,
    /// Paths after convergence.
    pub initial_paths: usize,
    /// Graceful drain: milliseconds from SIGTERM to the path gone.
    pub drain_ms: f64,
    /// Crash: milliseconds from the crash to the path gone.
    pub crash_ms: f64,
    /// Health check: milliseconds from the service failing to the path gone.
    pub health_down_ms: f64,
    /// Recovery: milliseconds from the service working again to the path back.
    pub health_up_ms: f64,
    /// Restart: seconds from a restarted speaker's start to its path back.
    pub restart_s: f64,
}

struct Net {
    sim: Sim,
    router: NodeId,
    servers: [NodeId; 3],
    loopbacks: [u32; 3],
    ages: RouteAges,
    seen_events: usize,
    names: Vec<(u32, String)>,
}

fn server_addr(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(10, 0, 0, 1 + i as u8)
}

impl Net {
    fn new(cfg: &DemoConfig) -> Net {
        // A fixed latency keeps each sender's packets in order, as on an Ethernet segment
        // (a random latency per packet would reorder them).
        let latency = Duration::from_micros(200);
        let mut sim = Sim::new(
            SimConfig::seeded(cfg.seed)
                .latency(latency, latency)
                .record_events(true),
        );
        let lan = sim.add_segment();
        let rid = Ipv4Addr::new(10, 0, 0, 254);
        let router = sim.add_router(fast_failover(
            InstanceConfig::new(rid).jitter_seed(cfg.seed),
        ));
        let eth = |a| {
            InterfaceConfig::new(a, 24)
                .hello_interval(cfg.hello)
                .dead_interval(cfg.dead)
        };
        let r_eth0 = sim.attach(router, lan, eth(rid));
        let r_eth1 = sim.attach_alone(
            router,
            InterfaceConfig::new(Ipv4Addr::new(192, 168, 0, 254), 24).passive(true),
        );
        let mut servers = [router; 3];
        let mut loopbacks = [0; 3];
        for i in 0..3 {
            let a = server_addr(i);
            let s = sim.add_router(fast_failover(
                InstanceConfig::new(a).jitter_seed(cfg.seed + i as u64),
            ));
            sim.attach(s, lan, eth(a));
            loopbacks[i] = sim.attach_alone(
                s,
                InterfaceConfig::new(ANYCAST, 32).if_type(InterfaceType::Loopback),
            );
            servers[i] = s;
        }
        Net {
            sim,
            router,
            servers,
            loopbacks,
            ages: RouteAges::default(),
            seen_events: 0,
            names: vec![(r_eth0, "eth0".into()), (r_eth1, "eth1".into())],
        }
    }

    fn paths(&self) -> Vec<Ipv4Addr> {
        let anycast = Prefix::new(ANYCAST, 32);
        self.sim
            .instance(self.router)
            .and_then(|i| i.routes().find(|(p, _)| *p == anycast))
            .map(|(_, r)| r.nexthops.iter().map(|h| h.addr).collect())
            .unwrap_or_default()
    }

    /// One simulation step; the router's route changes are noted.
    fn step(&mut self) -> bool {
        let more = self.sim.step();
        let events = self.sim.events(self.router);
        for (t, e) in &events[self.seen_events.min(events.len())..] {
            if let Event::RouteChange(c) = e {
                self.ages.observe(*t, c);
            }
        }
        self.seen_events = events.len();
        more
    }

    /// Steps until `pred(paths)` holds or `limit` passes; returns the time it first held.
    fn until(
        &mut self,
        limit: Duration,
        mut pred: impl FnMut(&[Ipv4Addr]) -> bool,
    ) -> Option<Instant> {
        let end = self.sim.now() + limit;
        loop {
            if pred(&self.paths()) {
                return Some(self.sim.now());
            }
            match self.sim.next_event_time() {
                Some(t) if t <= end => {
                    self.step();
                }
                _ => return None,
            }
        }
    }

    /// Steps (keeping the table current) until virtual time `t`.
    fn run_until(&mut self, t: Instant) {
        while self.sim.next_event_time().is_some_and(|n| n <= t) {
            self.step();
        }
        self.sim.run_until(t);
    }

    fn show_routes(&self) -> String {
        let Some(inst) = self.sim.instance(self.router) else {
            return String::new();
        };
        let names = self.names.clone();
        let ifname = move |i: u32| {
            names
                .iter()
                .find(|(n, _)| *n == i)
                .map_or_else(|| format!("if{i}"), |(_, s)| s.clone())
        };
        let start = Instant::from_secs(1);
        let snap = Snapshot::capture(
            inst,
            self.sim.now(),
            &|p| self.ages.since(p, start),
            &ifname,
        );
        snap.route_text()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}

fn stamp(now: Instant, start: Instant) -> String {
    let d = now.saturating_duration_since(start);
    format!("t={:>8.3}s", d.as_micros() as f64 / 1e6)
}

fn paths_text(p: &[Ipv4Addr]) -> String {
    if p.is_empty() {
        return "no route".into();
    }
    let v: Vec<String> = p.iter().map(|a| a.to_string()).collect();
    format!("{} path(s): {}", p.len(), v.join(", "))
}

/// Runs the demo, printing the table and the timeline to `out`.
pub fn run(cfg: &DemoConfig, out: &mut dyn Write) -> DemoReport {
    let mut rep = DemoReport::default();
    let mut net = Net::new(cfg);
    let start = net.sim.now();
    let long = Duration::from_secs(u64::from(cfg.dead) * 10 + 60);
    let _ = writeln!(
        out,
        "anycast demo: router 10.0.0.254, servers 10.0.0.1-3 with {ANYCAST}/32 on a loopback \
         (hello {} s, dead {} s; virtual time)\n",
        cfg.hello, cfg.dead
    );
    let Some(t) = net.until(long, |p| p.len() == 3) else {
        let _ = writeln!(out, "the router never had three paths");
        return rep;
    };
    rep.converged_s = ms(t.saturating_duration_since(start)) / 1000.0;
    rep.initial_paths = net.paths().len();
    let _ = writeln!(
        out,
        "{}  router: three paths to {ANYCAST}/32 ({:.3} s after start)\n",
        stamp(t, start),
        rep.converged_s
    );
    let _ = writeln!(out, "router# show ip route ospf");
    let _ = write!(out, "{}", net.show_routes());
    let _ = writeln!(out);
    net.run_until(t + Duration::from_secs(2));

    // 1. Graceful drain of server 1 (SIGTERM): its LSAs are flushed at once.
    let s1 = net.servers[0];
    let t0 = net.sim.now();
    let _ = writeln!(
        out,
        "{}  server1: SIGTERM, graceful drain (flushes its Router-LSA)",
        stamp(t0, start)
    );
    net.sim.command(s1, |i, now| i.shutdown(now));
    let gone = net.until(long, |p| !p.contains(&server_addr(0)));
    if let Some(t1) = gone {
        rep.drain_ms = ms(t1.saturating_duration_since(t0));
        let _ = writeln!(
            out,
            "{}  router: {} ({:.1} ms after SIGTERM)",
            stamp(t1, start),
            paths_text(&net.paths()),
            rep.drain_ms
        );
    }
    // The speaker exits once the router acknowledged the flush (or after 5 s).
    let deadline = net.sim.now() + Duration::from_secs(5);
    let mut acked = false;
    while net.sim.now() < deadline && !acked {
        if !net.step() {
            break;
        }
        acked = net
            .sim
            .events(s1)
            .iter()
            .any(|(_, e)| matches!(e, Event::ShutdownComplete));
    }
    let _ = writeln!(
        out,
        "{}  server1: exits ({})",
        stamp(net.sim.now(), start),
        if acked {
            "the router acknowledged the flush"
        } else {
            "shutdown timeout"
        }
    );
    net.sim.crash(s1);
    net.run_until(net.sim.now() + Duration::from_secs(2));
    let t0 = net.sim.now();
    let _ = writeln!(out, "{}  server1: speaker starts again", stamp(t0, start));
    net.sim.restart(s1);
    if let Some(t1) = net.until(long, |p| p.len() == 3) {
        rep.restart_s = ms(t1.saturating_duration_since(t0)) / 1000.0;
        let _ = writeln!(
            out,
            "{}  router: {} ({:.3} s after the restart)",
            stamp(t1, start),
            paths_text(&net.paths()),
            rep.restart_s
        );
    }
    net.run_until(net.sim.now() + Duration::from_secs(2));

    // 2. Crash of server 2 (kill -9, power loss): only the dead timer notices.
    let s2 = net.servers[1];
    let t0 = net.sim.now();
    let _ = writeln!(
        out,
        "{}  server2: crashes (kill -9): no goodbye",
        stamp(t0, start)
    );
    net.sim.crash(s2);
    if let Some(t1) = net.until(long, |p| !p.contains(&server_addr(1))) {
        rep.crash_ms = ms(t1.saturating_duration_since(t0));
        let _ = writeln!(
            out,
            "{}  router: {} ({:.3} s after the crash; dead interval {} s)",
            stamp(t1, start),
            paths_text(&net.paths()),
            rep.crash_ms / 1000.0,
            cfg.dead
        );
    }
    net.run_until(net.sim.now() + Duration::from_secs(2));
    let t0 = net.sim.now();
    let _ = writeln!(out, "{}  server2: back up", stamp(t0, start));
    net.sim.restart(s2);
    if let Some(t1) = net.until(long, |p| p.len() == 3) {
        let _ = writeln!(
            out,
            "{}  router: {} ({:.3} s after the restart)",
            stamp(t1, start),
            paths_text(&net.paths()),
            ms(t1.saturating_duration_since(t0)) / 1000.0
        );
    }
    net.run_until(net.sim.now() + Duration::from_secs(2));

    // 3. Health check of server 3 fails: the web server stops answering.
    let s3 = net.servers[2];
    let lo = net.loopbacks[2];
    let interval = Duration::from_millis(cfg.check_interval_ms.max(1));
    let mut health = FallRise::new(HealthState::Up, cfg.fall, cfg.rise);
    // Probes run on the speaker's own schedule; the service fails between two probes.
    let t_fail = net.sim.now() + Duration::from_millis(cfg.check_interval_ms / 2);
    net.run_until(t_fail);
    let _ = writeln!(
        out,
        "{}  server3: web server stops answering (checks every {} ms, fall {}, rise {})",
        stamp(t_fail, start),
        cfg.check_interval_ms,
        cfg.fall,
        cfg.rise
    );
    let mut probe_at = t_fail + Duration::from_millis(cfg.check_interval_ms / 2);
    loop {
        net.run_until(probe_at);
        if health.observe(false) == Some(HealthState::Down) {
            break;
        }
        probe_at += interval;
    }
    let _ = writeln!(
        out,
        "{}  server3: {} failed checks: withdraws {ANYCAST}/32 (new Router-LSA without the stub)",
        stamp(net.sim.now(), start),
        cfg.fall
    );
    net.sim.command(s3, |i, now| {
        let _ = i.remove_interface(now, lo);
    });
    if let Some(t1) = net.until(long, |p| !p.contains(&server_addr(2))) {
        rep.health_down_ms = ms(t1.saturating_duration_since(t_fail));
        let _ = writeln!(
            out,
            "{}  router: {} ({:.1} ms after the service failed)",
            stamp(t1, start),
            paths_text(&net.paths()),
            rep.health_down_ms
        );
    }
    net.run_until(net.sim.now() + Duration::from_secs(2));

    // 4. Recovery: the web server answers again.
    let t_ok = net.sim.now() + Duration::from_millis(cfg.check_interval_ms / 3);
    net.run_until(t_ok);
    let _ = writeln!(
        out,
        "{}  server3: web server answers again",
        stamp(t_ok, start)
    );
    let mut probe_at = t_ok + Duration::from_millis(cfg.check_interval_ms / 2);
    loop {
        net.run_until(probe_at);
        if health.observe(true) == Some(HealthState::Up) {
            break;
        }
        probe_at += interval;
    }
    let _ = writeln!(
        out,
        "{}  server3: {} good checks: announces {ANYCAST}/32 again",
        stamp(net.sim.now(), start),
        cfg.rise
    );
    net.sim.command(s3, |i, now| {
        let _ = i.add_interface(
            now,
            lo,
            InterfaceConfig::new(ANYCAST, 32).if_type(InterfaceType::Loopback),
        );
    });
    if let Some(t1) = net.until(long, |p| p.len() == 3) {
        rep.health_up_ms = ms(t1.saturating_duration_since(t_ok));
        let _ = writeln!(
            out,
            "{}  router: {} ({:.1} ms after the service recovered)",
            stamp(t1, start),
            paths_text(&net.paths()),
            rep.health_up_ms
        );
    }
    let _ = writeln!(out, "\nrouter# show ip route ospf");
    let _ = write!(out, "{}", net.show_routes());
    let _ = writeln!(
        out,
        "\nsummary: converged {:.3} s; drain {:.1} ms; crash {:.3} s (dead interval {} s); \
         health check down {:.1} ms, up {:.1} ms; {} route changes at the router",
        rep.converged_s,
        rep.drain_ms,
        rep.crash_ms / 1000.0,
        cfg.dead,
        rep.health_down_ms,
        rep.health_up_ms,
        net.ages.changes()
    );
    rep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_timeline_meets_the_targets() {
        let mut text = Vec::new();
        let r = run(&DemoConfig::default(), &mut text);
        let text = String::from_utf8(text).unwrap();
        assert_eq!(r.initial_paths, 3, "{text}");
        assert!(r.converged_s <= 5.0, "{text}");
        assert!(r.drain_ms > 0.0 && r.drain_ms <= 25.0, "{text}");
        // Dead interval 4 s: gone after 3-4 s (the last Hello came up to 1 s before).
        assert!(r.crash_ms >= 3000.0 && r.crash_ms <= 4000.0, "{text}");
        assert!(
            r.health_down_ms > 0.0 && r.health_down_ms <= 500.0,
            "{text}"
        );
        assert!(r.health_up_ms > 0.0 && r.health_up_ms <= 500.0, "{text}");
        assert!(text.contains("[110/10] via 10.0.0.3"), "{text}");
    }
}
