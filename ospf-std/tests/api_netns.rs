//! The typed embedding API in network namespaces (root only): a speaker built with
//! [`Builder`] on its own thread (and on a tokio runtime) next to a router runtime;
//! typed queries, events, announce/withdraw with metrics, health, stub-router mode,
//! drain, reload, a second instance on the same control socket, shutdown.

mod common;

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use common::{TempDir, enter_netns, wait};
use ospf_core::neighbor::NeighborState;
use ospf_core::spf::RouteType;
use ospf_std::Prefix;
use ospf_std::api::{Builder, Error, Event, Handle};
use ospf_std::conf::OspfdConf;
use ospf_std::runtime::RuntimeConfig;
use ospf_testbed::{Netns, require_root};

const P2P: &str = "interface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n ip ospf network point-to-point\n";

fn router_conf() -> String {
    format!("{P2P}router ospf\n ospf router-id 10.0.0.1\n network 10.0.0.0/24 area 0\n")
}

fn speaker_conf(extra: &str) -> String {
    format!(
        "hostname server1\n{P2P}{extra}router ospf\n ospf router-id 10.0.0.2\n network 10.0.0.0/24 area 0\n network 172.16.0.1/32 area 0\n"
    )
}

fn anycast() -> Prefix {
    Prefix::host(Ipv4Addr::new(172, 16, 0, 1))
}

/// The router: a plain runtime (no FIB) on a thread inside `ns`, stepped until shut down.
fn start_router(ns: &Netns) -> (Handle, std::thread::JoinHandle<()>) {
    common::spawn_runtime(
        ns,
        &router_conf(),
        |cfg: &mut RuntimeConfig| {
            cfg.shutdown_timeout = Duration::from_secs(2);
            // A router that recalculates within 100 ms, as ecmp-router does.
            cfg.configure_instance = Some(Box::new(ospf_std::presets::fast_failover));
        },
        |mut rt| rt.run().unwrap(),
    )
}

/// Runs `f` on a fresh thread inside `ns` (threads it creates stay in `ns`).
fn in_netns<T: Send + 'static>(ns: &Netns, f: impl FnOnce() -> T + Send + 'static) -> T {
    let name = ns.name().to_string();
    std::thread::spawn(move || {
        enter_netns(&name);
        f()
    })
    .join()
    .unwrap()
}

fn route_cost(router: &Handle, p: Prefix) -> Option<(RouteType, u32)> {
    router
        .routes()
        .unwrap()
        .into_iter()
        .find(|r| r.prefix == p)
        .map(|r| (r.route_type, r.cost))
}

/// Waits for an event matching `pred` (skipping others).
fn expect_event(rx: &Receiver<Event>, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(e) if pred(&e) => return e,
            Ok(_) => {}
            Err(e) => panic!("no event {what}: {e}"),
        }
    }
}

fn pair(tag: &str) -> (Netns, Netns) {
    let (r, s) = common::joined(
        (&format!("api{tag}-r"), "10.0.0.1/24"),
        (&format!("api{tag}-s"), "10.0.0.2/24"),
    );
    s.ip_line("addr add 172.16.0.1/32 dev lo").unwrap();
    (r, s)
}

#[test]
fn typed_api_drives_a_speaker_from_another_thread() {
    if !require_root(
        "typed_api_drives_a_speaker_from_another_thread",
        "network namespaces and raw sockets",
    ) {
        return;
    }
    let (rns, sns) = pair("t");
    let dir = TempDir::new("ospfstd-api");
    let sock = dir.0.join("speaker.sock");
    let (router, router_thread) = start_router(&rns);
    let sock2 = sock.clone();
    let (speaker, speaker_thread) = in_netns(&sns, move || {
        Builder::speaker()
            .config_text(&speaker_conf(""))
            .unwrap()
            .control_socket(Some(sock2))
            .shutdown_timeout(Duration::from_secs(2))
            .drain_settle(Duration::from_millis(300))
            .spawn()
            .unwrap()
    });
    let events = speaker.subscribe();

    // A neighbor event (unless the adjacency was already Full when we subscribed: the
    // router answers a new neighbor's Hello at once), then typed neighbors and interfaces.
    let full = |s: &Handle| {
        s.neighbors()
            .unwrap()
            .iter()
            .any(|n| n.state == NeighborState::Full)
    };
    if !full(&speaker) {
        expect_event(&events, "neighbor Full", |e| {
            matches!(e, Event::Neighbor { new: NeighborState::Full, router_id, interface, .. }
                if *router_id == Ipv4Addr::new(10, 0, 0, 1) && interface == "eth0")
        });
    }
    let n = speaker.neighbors().unwrap();
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(
        (n[0].router_id, n[0].state, n[0].address),
        (
            Ipv4Addr::new(10, 0, 0, 1),
            NeighborState::Full,
            Ipv4Addr::new(10, 0, 0, 1)
        )
    );
    let ifs = speaker.interfaces().unwrap();
    let eth0 = ifs.iter().find(|i| i.name == "eth0").expect("eth0");
    assert!(eth0.counters.sent.hello > 0 && eth0.counters.received.hello > 0);
    assert!(
        ifs.iter()
            .any(|i| i.address == Ipv4Addr::new(172, 16, 0, 1))
    );
    let summary = speaker.lsdb_summary().unwrap();
    assert_eq!(summary.by_type.get(&1), Some(&2), "{summary:?}");

    // A malformed packet is dropped and counted on the interface.
    in_netns(&rns, || {
        let s = socket2::Socket::new(
            socket2::Domain::IPV4,
            socket2::Type::RAW,
            Some(socket2::Protocol::from(89)),
        )
        .unwrap();
        let to = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 0);
        s.send_to(&[2, 1, 0, 9, 0, 0, 0, 0, 0, 0], &to.into())
            .unwrap();
    });
    wait("the drop counted", Duration::from_secs(5), || {
        let i = speaker.interfaces().unwrap();
        let e = i.iter().find(|i| i.name == "eth0").unwrap();
        e.counters
            .dropped(ospf_core::interface::DropReason::Malformed)
            >= 1
    });

    // The router learns the anycast address; a metric changes its cost.
    let found = ospf_testbed::wait_for(Duration::from_secs(10), Duration::from_millis(100), || {
        route_cost(&router, anycast())
    });
    assert!(
        found.is_ok(),
        "no anycast route: router routes {:?}\nrouter lsdb {:?}\nspeaker {:?}",
        router.routes(),
        router.lsdb(),
        speaker.snapshot()
    );
    let base = route_cost(&router, anycast()).unwrap();
    assert_eq!(base.0, RouteType::IntraArea, "{:?}", router.routes());
    speaker.announce(anycast(), Some(100)).unwrap();
    expect_event(&events, "announced", |e| *e == Event::Announced(anycast()));
    wait("anycast route at cost 110", Duration::from_secs(10), || {
        route_cost(&router, anycast()) == Some((RouteType::IntraArea, base.1 + 100))
    });
    speaker.announce(anycast(), None).unwrap();
    wait(
        "anycast route at its first cost",
        Duration::from_secs(10),
        || route_cost(&router, anycast()) == Some(base),
    );
    assert!(matches!(
        speaker.announce(anycast(), Some(70_000)),
        Err(Error::BadMetric { max: 65535, .. })
    ));

    // An external with its metric; withdrawing something never announced is an error.
    let ext = Prefix::new(Ipv4Addr::new(192, 0, 2, 0), 24);
    assert!(matches!(speaker.withdraw(ext), Err(Error::NotAnnounced(p)) if p == ext));
    speaker.announce(ext, Some(42)).unwrap();
    wait("external route", Duration::from_secs(10), || {
        route_cost(&router, ext) == Some((RouteType::External2, 42))
    });
    speaker.withdraw(ext).unwrap();
    wait("external route gone", Duration::from_secs(10), || {
        route_cost(&router, ext).is_none()
    });

    // Health: down withdraws the anycast address, up brings it back.
    speaker.set_health(false).unwrap();
    expect_event(&events, "health down", |e| {
        *e == Event::Health { healthy: false }
    });
    wait("anycast withdrawn", Duration::from_secs(10), || {
        route_cost(&router, anycast()).is_none()
    });
    speaker.set_health(true).unwrap();
    wait("anycast back", Duration::from_secs(10), || {
        route_cost(&router, anycast()).is_some()
    });

    // Stub-router mode: a new Router-LSA instance with the transit link at MaxLinkMetric.
    let seq_of_speaker = |r: &Handle| {
        r.lsdb()
            .unwrap()
            .into_iter()
            .find(|l| l.lsa_type == 1 && l.adv_router == Ipv4Addr::new(10, 0, 0, 2))
            .map(|l| l.seq)
    };
    let before = seq_of_speaker(&router).unwrap();
    speaker.set_stub_router(true).unwrap();
    expect_event(&events, "stub router", |e| *e == Event::StubRouter(true));
    wait("newer Router-LSA", Duration::from_secs(10), || {
        seq_of_speaker(&router).is_some_and(|s| s > before)
    });
    speaker.set_stub_router(false).unwrap();

    // Reload: the same file touches no adjacency; a new router ID needs a restart.
    let same = speaker
        .reload(OspfdConf::parse(&speaker_conf("")).unwrap())
        .unwrap();
    assert!(same.changed.is_empty() && same.added.is_empty() && same.removed.is_empty());
    assert!(same.unchanged.contains(&"eth0".to_string()), "{same:?}");
    let cost = speaker
        .reload(OspfdConf::parse(&speaker_conf(" ip ospf cost 7\n")).unwrap())
        .unwrap();
    assert!(cost.changed.is_empty(), "a cost changes in place: {cost:?}");
    let new_id = speaker_conf("").replace("router-id 10.0.0.2", "router-id 10.0.0.9");
    assert!(matches!(
        speaker.reload(OspfdConf::parse(&new_id).unwrap()),
        Err(Error::NeedsRestart(_))
    ));
    assert_eq!(speaker.neighbors().unwrap()[0].state, NeighborState::Full);
    assert!(
        events
            .try_iter()
            .all(|e| !matches!(e, Event::Neighbor { .. })),
        "the reloads reset no adjacency"
    );

    // The text protocol answers from the same typed state.
    let text = ospf_std::control::request(&sock, "show ip ospf neighbor json").unwrap();
    assert!(text.contains("\"10.0.0.1\""), "{text}");

    // A second instance on the same control socket is refused by name.
    let sock3 = sock.clone();
    let second = in_netns(&sns, move || {
        Builder::speaker()
            .config_text(&speaker_conf(""))
            .unwrap()
            .control_socket(Some(sock3))
            .build()
            .map(|_| ())
    });
    let e = second.unwrap_err();
    assert!(matches!(e, Error::SocketInUse(_)), "{e:?}");
    assert!(
        e.to_string().contains(&sock.display().to_string()) && e.to_string().contains("--socket"),
        "{e}"
    );

    // Drain: when wait_drained returns, the router has already dropped the path.
    speaker.drain().unwrap();
    speaker.wait_drained(Duration::from_secs(10)).unwrap();
    assert_eq!(route_cost(&router, anycast()), None, "drained means gone");
    assert_eq!(speaker.neighbors().unwrap()[0].state, NeighborState::Full);
    expect_event(&events, "drained", |e| *e == Event::Drained);

    speaker.shutdown();
    speaker_thread.join().unwrap().unwrap();
    assert!(matches!(speaker.neighbors(), Err(Error::Stopped)));
    assert!(speaker.is_closed());
    router.shutdown();
    router_thread.join().unwrap();
}

#[test]
fn typed_api_runs_on_a_tokio_reactor() {
    if !require_root(
        "typed_api_runs_on_a_tokio_reactor",
        "network namespaces and raw sockets",
    ) {
        return;
    }
    let (rns, sns) = pair("k");
    let (router, router_thread) = start_router(&rns);
    let conf = speaker_conf("");
    let (full_after, neighbors) = in_netns(&sns, move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let (handle, task) = Builder::speaker()
                .config_text(&conf)
                .unwrap()
                .control_socket(None)
                .shutdown_timeout(Duration::from_secs(2))
                .spawn_tokio()
                .unwrap();
            let mut events = handle.subscribe_async();
            let start = Instant::now();
            while let Some(e) = events.recv().await {
                if matches!(
                    e,
                    Event::Neighbor {
                        new: NeighborState::Full,
                        ..
                    }
                ) {
                    break;
                }
                assert!(start.elapsed() < Duration::from_secs(30), "no Full");
            }
            let full_after = start.elapsed();
            let h = handle.clone();
            let neighbors = tokio::task::spawn_blocking(move || h.neighbors().unwrap())
                .await
                .unwrap();
            handle.shutdown();
            task.await.unwrap().unwrap();
            (full_after, neighbors)
        })
    });
    assert!(full_after < Duration::from_secs(30));
    assert_eq!(neighbors.len(), 1);
    assert_eq!(neighbors[0].router_id, Ipv4Addr::new(10, 0, 0, 1));
    // The router saw the speaker's anycast address while it ran.
    router.shutdown();
    router_thread.join().unwrap();
}

#[test]
fn redistribute_connected_follows_address_changes() {
    if !require_root(
        "redistribute_connected_follows_address_changes",
        "network namespaces and raw sockets",
    ) {
        return;
    }
    let (rns, sns) = pair("c");
    let (router, router_thread) = start_router(&rns);
    let conf = speaker_conf("").replace(
        " network 172.16.0.1/32 area 0\n",
        " network 172.16.0.1/32 area 0\n redistribute connected\n",
    );
    let (speaker, speaker_thread) = in_netns(&sns, move || {
        Builder::speaker()
            .config_text(&conf)
            .unwrap()
            .control_socket(None)
            .shutdown_timeout(Duration::from_secs(2))
            .spawn()
            .unwrap()
    });
    let net = Prefix::new(Ipv4Addr::new(198, 51, 100, 0), 24);
    wait("adjacency", Duration::from_secs(30), || {
        speaker
            .neighbors()
            .unwrap()
            .iter()
            .any(|n| n.state == NeighborState::Full)
    });
    assert_eq!(route_cost(&router, net), None);
    // An address that appears while the speaker runs is redistributed ...
    sns.ip_line("link add stub0 type veth peer name stub1")
        .unwrap();
    sns.ip_line("link set stub0 up").unwrap();
    sns.ip_line("link set stub1 up").unwrap();
    sns.ip_line("addr add 198.51.100.1/24 dev stub0").unwrap();
    wait("redistributed route", Duration::from_secs(10), || {
        route_cost(&router, net).is_some_and(|(t, _)| t == RouteType::External2)
    });
    // ... and withdrawn when it goes.
    sns.ip_line("addr del 198.51.100.1/24 dev stub0").unwrap();
    wait("redistributed route gone", Duration::from_secs(10), || {
        route_cost(&router, net).is_none()
    });
    speaker.shutdown();
    speaker_thread.join().unwrap().unwrap();
    router.shutdown();
    router_thread.join().unwrap();
}
