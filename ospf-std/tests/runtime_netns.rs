//! Two runtimes in two network namespaces joined by a veth pair: adjacency, link loss,
//! anycast withdraw/announce, graceful shutdown. Needs root; without it the test prints
//! why and returns.

mod common;

use std::net::Ipv4Addr;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{TempDir, wait};
use ospf_std::conf::OspfdConf;
use ospf_std::control::{self, Command};
use ospf_std::fib::{
    Fib, FibError, KernelFib, KernelFibConfig, MemoryFib, NextHopSet, Prefix, Rejected, Resilient,
    Route, RouteChange,
};
use ospf_std::runtime::{Runtime, RuntimeConfig, RuntimeHandle};
use ospf_testbed::{Netns, require_root};

fn start(
    ns: &Netns,
    conf: &str,
    control_path: Option<std::path::PathBuf>,
) -> (RuntimeHandle, JoinHandle<Duration>) {
    start_with(ns, conf, control_path, None)
}

fn start_with(
    ns: &Netns,
    conf: &str,
    control_path: Option<std::path::PathBuf>,
    kernel_fib: Option<KernelFibConfig>,
) -> (RuntimeHandle, JoinHandle<Duration>) {
    start_fib(ns, conf, control_path, move || match kernel_fib {
        Some(k) => Box::new(KernelFib::new(k).unwrap()),
        None => Box::new(ospf_std::fib::NoopFib),
    })
}

fn start_fib(
    ns: &Netns,
    conf: &str,
    control_path: Option<std::path::PathBuf>,
    fib: impl FnOnce() -> Box<dyn Fib + Send> + Send + 'static,
) -> (RuntimeHandle, JoinHandle<Duration>) {
    let setup = move |cfg: &mut RuntimeConfig| {
        cfg.control_path = control_path;
        cfg.shutdown_timeout = Duration::from_secs(3);
        // A quicker back-off than the default 5 s, so that the test's changes shortly
        // after start-up show at once.
        let mut spf = ospf_core::spf::SpfTimers::default();
        spf.long = ospf_core::time::Duration::from_millis(200);
        spf.holddown = ospf_core::time::Duration::from_secs(1);
        cfg.spf_timers = spf;
        cfg.fib = fib();
    };
    // Runs until the runtime finishes; gives how long its graceful shutdown took.
    common::spawn_runtime(ns, conf, setup, |mut rt| {
        let mut shutdown_started = None;
        while !rt.is_finished() {
            rt.step(Some(Duration::from_millis(100))).unwrap();
            if shutdown_started.is_none() && rt.instance().is_shutdown_complete() {
                shutdown_started = Some(Instant::now());
            }
        }
        shutdown_started.map(|s| s.elapsed()).unwrap_or_default()
    })
}

#[test]
fn two_runtimes_form_an_adjacency_and_react_to_link_loss_and_withdraw() {
    if !require_root(
        "two_runtimes_form_an_adjacency_and_react_to_link_loss_and_withdraw",
        "network namespaces and raw sockets",
    ) {
        return;
    }
    let (a, b) = common::joined(
        ("ospfstd-rta", "10.0.0.1/24"),
        ("ospfstd-rtb", "10.0.0.2/24"),
    );
    b.ip_line("addr add 172.16.0.1/32 dev lo").unwrap();

    // Point-to-point: no DR election wait, so the 40 s dead interval only matters if
    // link loss were detected by missing hellos.
    let fast = "interface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 40\n ip ospf network point-to-point\n";
    let router = format!(
        "hostname router\n{fast}router ospf\n ospf router-id 10.0.0.1\n network 10.0.0.0/24 area 0\nlog stdout\n"
    );
    // The seed's server configuration, with fast hellos.
    let server = format!(
        "hostname server1\n{fast}router ospf\n\tospf router-id 10.0.0.2\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n"
    );
    let dir = TempDir::new("ospfstd-rt");
    let ctl = dir.0.join("server.sock");
    let (ra, ta) = start(&a, &router, None);
    let (rb, tb) = start(&b, &server, Some(ctl.clone()));

    wait("Full adjacency", Duration::from_secs(30), || {
        ra.request(Command::ShowNeighbors).contains("Full")
            && rb.request(Command::ShowNeighbors).contains("Full")
    });
    let n = ra.request(Command::ShowNeighbors);
    assert!(n.contains("10.0.0.2") && n.contains("eth0"), "{n}");
    let i = rb.request(Command::ShowInterfaces);
    assert!(i.contains("172.16.0.1/32") && i.contains("Loopback"), "{i}");

    // The router learns the server's Router-LSA, with the anycast host stub in it.
    let has_anycast = |h: &RuntimeHandle| {
        h.request(Command::ShowDatabase)
            .lines()
            .any(|l| l.contains("10.0.0.2") && l.starts_with('1'))
    };
    wait("server's Router-LSA", Duration::from_secs(10), || {
        has_anycast(&ra)
    });

    // Health check fails: withdraw through the control socket.
    let p = Prefix::host(Ipv4Addr::new(172, 16, 0, 1));
    let answer = control::request(&ctl, "withdraw 172.16.0.1/32").unwrap();
    assert_eq!(answer.trim(), "withdrawn 172.16.0.1/32");
    assert!(
        !rb.request(Command::ShowInterfaces)
            .contains("172.16.0.1/32")
    );
    assert!(
        rb.request(Command::Withdraw(p))
            .contains("already withdrawn")
    );
    assert_eq!(rb.request(Command::Announce(p)), "announced 172.16.0.1/32");
    assert!(
        rb.request(Command::ShowInterfaces)
            .contains("172.16.0.1/32")
    );

    // Carrier loss on the router's side: the adjacency goes at once, not after 40 s.
    let t = Instant::now();
    b.ip_line("link set eth0 down").unwrap();
    wait(
        "neighbor gone after link loss",
        Duration::from_secs(5),
        || !ra.request(Command::ShowNeighbors).contains("10.0.0.2"),
    );
    assert!(t.elapsed() < Duration::from_secs(5));
    b.ip_line("link set eth0 up").unwrap();
    wait("Full again", Duration::from_secs(30), || {
        ra.request(Command::ShowNeighbors).contains("Full")
    });

    // The router loses the address OSPF runs on: the interface leaves OSPF at once.
    let t = Instant::now();
    a.ip_line("addr del 10.0.0.1/24 dev eth0").unwrap();
    wait(
        "interface gone after address loss",
        Duration::from_secs(5),
        || {
            let i = ra.request(Command::ShowInterfaces);
            !i.contains("10.0.0.1/24") && !ra.request(Command::ShowNeighbors).contains("10.0.0.2")
        },
    );
    assert!(t.elapsed() < Duration::from_secs(5));
    a.ip_line("addr add 10.0.0.1/24 dev eth0").unwrap();
    wait(
        "Full after the address is back",
        Duration::from_secs(30),
        || {
            ra.request(Command::ShowNeighbors).contains("Full")
                && rb.request(Command::ShowNeighbors).contains("Full")
        },
    );

    // Graceful shutdown of the server: its LSAs are flushed and acknowledged quickly.
    let t = Instant::now();
    rb.shutdown();
    tb.join().unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "shutdown waited for the timeout: {:?}",
        t.elapsed()
    );
    assert!(!ctl.exists(), "control socket removed");
    ra.shutdown();
    ta.join().unwrap();
}

#[test]
fn broadcast_segment_elects_dr_and_reaches_full() {
    if !require_root(
        "broadcast_segment_elects_dr_and_reaches_full",
        "network namespaces and raw sockets",
    ) {
        return;
    }
    let (a, b) = common::joined(
        ("ospfstd-bca", "10.1.0.1/24"),
        ("ospfstd-bcb", "10.1.0.2/24"),
    );
    let conf = |id: &str, prio: u8| {
        format!(
            "interface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 3\n ip ospf priority {prio}\nrouter ospf\n ospf router-id {id}\n network 10.1.0.0/24 area 0\n"
        )
    };
    let (ra, ta) = start(&a, &conf("10.1.0.1", 1), None);
    let (rb, tb) = start(&b, &conf("10.1.0.2", 2), None);
    // Full on a LAN needs the DR to hear AllDRouters traffic.
    wait("Full adjacency on a LAN", Duration::from_secs(20), || {
        ra.request(Command::ShowNeighbors).contains("Full")
            && rb.request(Command::ShowNeighbors).contains("Full")
    });
    let ia = ra.request(Command::ShowInterfaces);
    let ib = rb.request(Command::ShowInterfaces);
    assert!(ib.contains(" Dr "), "the higher priority is DR: {ib}");
    assert!(ia.contains(" Backup "), "{ia}");
    let n = ra.request(Command::ShowNeighbors);
    assert!(n.contains("Dr "), "{n}");
    rb.shutdown();
    ra.shutdown();
    tb.join().unwrap();
    ta.join().unwrap();
    // A finished runtime answers nobody: requests return at once, empty.
    assert!(ra.is_closed());
    let t = Instant::now();
    assert_eq!(ra.request(Command::ShowNeighbors), "");
    assert!(t.elapsed() < Duration::from_secs(1));
}

/// The seed topology on point-to-point links: three servers announce the anycast
/// address; the router installs one kernel route with three paths, and follows a
/// withdraw, a link loss and a graceful shutdown.
#[test]
fn ecmp_router_installs_anycast_route_through_every_server() {
    if !require_root(
        "ecmp_router_installs_anycast_route_through_every_server",
        "network namespaces, raw sockets and kernel routes",
    ) {
        return;
    }
    let r = Netns::new("ospfstd-ecr").unwrap();
    let servers: Vec<Netns> = (1..=3)
        .map(|_| Netns::new("ospfstd-ecs").unwrap())
        .collect();
    let mut router_conf = String::from("hostname router\n");
    for (i, s) in servers.iter().enumerate() {
        let n = i + 1;
        r.ip_line(&format!(
            "link add srv{n} type veth peer name eth0 netns {}",
            s.name()
        ))
        .unwrap();
        r.ip_line(&format!("addr add 10.0.{n}.1/24 dev srv{n}"))
            .unwrap();
        s.ip_line(&format!("addr add 10.0.{n}.2/24 dev eth0"))
            .unwrap();
        s.ip_line("addr add 172.16.0.1/32 dev lo").unwrap();
        r.ip_line(&format!("link set srv{n} up")).unwrap();
        s.ip_line("link set eth0 up").unwrap();
        router_conf.push_str(&format!(
            "interface srv{n}\n ip ospf hello-interval 1\n ip ospf dead-interval 40\n ip ospf network point-to-point\n"
        ));
    }
    router_conf.push_str("router ospf\n ospf router-id 10.0.0.254\n network 10.0.0.0/16 area 0\n");
    // Resilient groups: flows to the servers that stay keep their buckets.
    let fib = KernelFibConfig {
        resilient: Some(Resilient {
            buckets: 64,
            ..Default::default()
        }),
        ..Default::default()
    };
    let (rr, tr) = start_with(&r, &router_conf, None, Some(fib));
    let mut handles = Vec::new();
    for (i, s) in servers.iter().enumerate() {
        let n = i + 1;
        let conf = format!(
            "hostname server{n}\ninterface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 40\n ip ospf network point-to-point\nrouter ospf\n\tospf router-id 10.0.{n}.2\n\tnetwork 10.0.{n}.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n"
        );
        handles.push(start(s, &conf, None));
    }
    let paths = |r: &Netns| -> Vec<String> {
        let out = r.ip_line("-4 route show 172.16.0.1").unwrap_or_default();
        let mut v: Vec<String> = out
            .split_whitespace()
            .collect::<Vec<_>>()
            .windows(2)
            .filter(|w| w[0] == "via")
            .map(|w| w[1].to_string())
            .collect();
        v.sort();
        v
    };
    wait(
        "three paths to the anycast address",
        Duration::from_secs(30),
        || paths(&r) == ["10.0.1.2", "10.0.2.2", "10.0.3.2"],
    );
    let route = r.ip_line("-4 route show 172.16.0.1").unwrap();
    assert!(
        route.contains("proto ospf") && route.contains("nhid"),
        "{route}"
    );
    let nhid = |r: &Netns| -> String {
        let out = r.ip_line("-4 route show 172.16.0.1").unwrap();
        let w: Vec<&str> = out.split_whitespace().collect();
        w.iter()
            .position(|x| *x == "nhid")
            .map(|i| w[i + 1].to_string())
            .unwrap_or_default()
    };
    let group = nhid(&r);
    let g = r.ip_line(&format!("nexthop show id {group}")).unwrap();
    assert!(
        g.contains("type resilient") && g.contains("buckets 64"),
        "{g}"
    );
    let table = rr.request(Command::ShowRoutes);
    let line = table
        .lines()
        .find(|l| l.contains("172.16.0.1/32"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        line.starts_with("N ") && line.contains("[10]") && line.ends_with(" *"),
        "{line}"
    );
    assert_eq!(line.matches("via ").count(), 3, "{line}");

    // Server 2's health check fails.
    let p = Prefix::host(Ipv4Addr::new(172, 16, 0, 1));
    assert_eq!(
        handles[1].0.request(Command::Withdraw(p)),
        "withdrawn 172.16.0.1/32"
    );
    wait("server 2 drained", Duration::from_secs(10), || {
        paths(&r) == ["10.0.1.2", "10.0.3.2"]
    });
    // Server 3's link goes away: dropped at once.
    servers[2].ip_line("link set eth0 down").unwrap();
    wait("server 3 gone", Duration::from_secs(5), || {
        paths(&r) == ["10.0.1.2"]
    });
    // Server 2 is healthy again.
    assert_eq!(
        handles[1].0.request(Command::Announce(p)),
        "announced 172.16.0.1/32"
    );
    wait("server 2 back", Duration::from_secs(10), || {
        paths(&r) == ["10.0.1.2", "10.0.2.2"]
    });
    // Every change rewrote the same group in place.
    assert_eq!(nhid(&r), group);

    for (h, _) in &handles {
        h.shutdown();
    }
    rr.shutdown();
    for (_, t) in handles {
        t.join().unwrap();
    }
    tr.join().unwrap();
    // The router removed its routes on the way out.
    assert!(r.ip_line("-4 route show proto ospf").unwrap().is_empty());
    assert!(r.ip_line("nexthop show").unwrap().is_empty());
}

#[test]
fn unusable_configuration_is_refused_at_start() {
    if !require_root(
        "unusable_configuration_is_refused_at_start",
        "a network namespace",
    ) {
        return;
    }
    // A namespace of its own with only a loopback, so that nothing is sent anywhere.
    let ns = Netns::new("ospfstd-bad").unwrap();
    let _in = ns.enter().unwrap();
    // The interface's own message-digest without a key is refused at load already; through
    // the area of a `network` line it can only be seen once the address is bound.
    assert!(
        OspfdConf::parse(
            "interface lo\n ip ospf authentication message-digest\nrouter ospf\n ospf router-id 1.1.1.1\n network 127.0.0.0/8 area 0\n",
        )
        .is_err()
    );
    let conf = OspfdConf::parse(
        "interface lo\nrouter ospf\n ospf router-id 1.1.1.1\n network 127.0.0.0/8 area 0\n area 0 authentication message-digest\n",
    )
    .unwrap();
    let mut cfg = RuntimeConfig::new(conf);
    cfg.handle_signals = false;
    match Runtime::new(cfg) {
        Err(ospf_std::runtime::RuntimeError::Setup(e)) => {
            assert!(
                e.0.contains("interface lo") && e.0.contains("without a key"),
                "{e}"
            )
        }
        other => panic!("expected a setup error, got {other:?}"),
    }
    // No router ID and no address to take one from.
    let conf = OspfdConf::parse("router ospf\n network 198.51.100.0/24 area 0\n").unwrap();
    let mut cfg = RuntimeConfig::new(conf);
    cfg.handle_signals = false;
    match Runtime::new(cfg) {
        Err(ospf_std::runtime::RuntimeError::Setup(e)) => {
            assert!(e.0.contains("router-id"), "{e}")
        }
        other => panic!("expected a setup error, got {other:?}"),
    }
}

/// A FIB that refuses the first attempt for every prefix (as the kernel does for a next
/// hop whose device is not up yet), then behaves.
struct RefuseOnce {
    inner: MemoryFib,
    refused: std::collections::BTreeSet<Prefix>,
}

impl Fib for RefuseOnce {
    fn apply(&mut self, changes: &[RouteChange]) -> Result<(), FibError> {
        let mut rejected = Vec::new();
        let mut ok = Vec::new();
        for c in changes {
            if self.refused.insert(c.prefix()) {
                rejected.push(Rejected {
                    prefix: c.prefix(),
                    errno: 100,
                });
            } else {
                ok.push(c.clone());
            }
        }
        self.inner.apply(&ok)?;
        if rejected.is_empty() {
            Ok(())
        } else {
            Err(FibError::Rejected(rejected))
        }
    }
    fn flush(&mut self) -> Result<(), FibError> {
        self.inner.flush()
    }
    fn get(&self, prefix: &Prefix) -> Option<&NextHopSet> {
        self.inner.get(prefix)
    }
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn routes(&self) -> Vec<Route> {
        self.inner.routes()
    }
}

#[test]
fn refused_routes_are_retried() {
    if !require_root(
        "refused_routes_are_retried",
        "network namespaces and raw sockets",
    ) {
        return;
    }
    let (a, b) = common::joined(
        ("ospfstd-rra", "10.0.0.1/24"),
        ("ospfstd-rrb", "10.0.0.2/24"),
    );
    b.ip_line("addr add 172.16.0.1/32 dev lo").unwrap();
    let p2p = "interface eth0\n ip ospf hello-interval 1\n ip ospf network point-to-point\n";
    let (ra, ta) = start_fib(
        &a,
        &format!("{p2p}router ospf\n ospf router-id 10.0.0.1\n network 10.0.0.0/24 area 0\n"),
        None,
        || {
            Box::new(RefuseOnce {
                inner: MemoryFib::new(),
                refused: Default::default(),
            })
        },
    );
    let (rb, tb) = start(
        &b,
        &format!(
            "{p2p}router ospf\n ospf router-id 10.0.0.2\n network 10.0.0.0/24 area 0\n network 172.16.0.1/32 area 0\n"
        ),
        None,
    );
    // The route is computed, refused once, and installed by a retry.
    wait(
        "the refused route installed by a retry",
        Duration::from_secs(30),
        || {
            ra.request(Command::ShowRoutes)
                .lines()
                .any(|l| l.contains("172.16.0.1/32") && l.ends_with(" *"))
        },
    );
    rb.shutdown();
    ra.shutdown();
    tb.join().unwrap();
    ta.join().unwrap();
}
