//! Anycast services in network namespaces (root only): a router and two speakers, each
//! speaker with the services `web` (withdraw on failure, last one standing) on
//! 172.16.0.1 and `dns` (degrade on failure) on 172.16.0.2. What the router's routing
//! table shows as the services fail, recover and are drained: a failing `web` leaves only
//! while the other server is healthy, both failing keep the address reachable at the
//! degrade cost, a drained service leaves with its adjacency kept Full, and a degraded
//! `dns` loses to the healthy server. One speaker has its services from the typed API,
//! the other from `anycast-service` blocks of its configuration file.

mod common;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::Duration;

use common::{enter_netns, wait};
use ospf_core::neighbor::NeighborState;
use ospf_std::Prefix;
use ospf_std::api::{Builder, Event, Handle};
use ospf_std::runtime::RuntimeConfig;
use ospf_std::service::{Announcement, OnFailure, Service};
use ospf_testbed::{Netns, require_root, veth};

const DEGRADE: u16 = 5000;

fn web() -> Prefix {
    Prefix::host(Ipv4Addr::new(172, 16, 0, 1))
}

fn dns() -> Prefix {
    Prefix::host(Ipv4Addr::new(172, 16, 0, 2))
}

fn iface(name: &str) -> String {
    format!(
        "interface {name}\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n ip ospf network point-to-point\n"
    )
}

fn speaker_conf(id: u8) -> String {
    format!(
        "{}router ospf\n ospf router-id 10.0.{id}.2\n network 10.0.{id}.0/24 area 0\n network 172.16.0.0/29 area 0\n",
        iface("eth0")
    )
}

fn router_conf() -> String {
    format!(
        "{}{}router ospf\n ospf router-id 10.0.0.1\n network 10.0.1.0/24 area 0\n network 10.0.2.0/24 area 0\n",
        iface("eth1"),
        iface("eth2")
    )
}

/// The two services as `anycast-service` blocks of the configuration file.
fn service_blocks() -> String {
    format!(
        "anycast-service web\n address {}\n degrade-cost {DEGRADE}\nexit\nanycast-service dns\n address {}\n on-failure degrade\n degrade-cost {DEGRADE}\nexit\n",
        web(),
        dns()
    )
}

type Speaker = (
    Handle,
    std::thread::JoinHandle<Result<(), ospf_std::api::Error>>,
);

/// A speaker with both services, on its own thread inside `ns`: given through the typed
/// API, or (`blocks`) through the configuration file.
fn start_speaker(ns: &Netns, id: u8, blocks: bool) -> Speaker {
    let name = ns.name().to_string();
    std::thread::spawn(move || {
        enter_netns(&name);
        let conf = speaker_conf(id);
        let b = Builder::speaker()
            .control_socket(None)
            .shutdown_timeout(Duration::from_secs(2));
        let b = if blocks {
            b.config_text(&format!("{conf}{}", service_blocks()))
                .unwrap()
        } else {
            let web = Service::new("web", web())
                .unwrap()
                .degrade_cost(DEGRADE)
                .unwrap();
            let dns = Service::new("dns", dns())
                .unwrap()
                .on_failure(OnFailure::Degrade)
                .degrade_cost(DEGRADE)
                .unwrap();
            b.config_text(&conf).unwrap().service(web).service(dns)
        };
        b.spawn().unwrap()
    })
    .join()
    .unwrap()
}

/// The router's route to `p`: its cost and its gateways.
fn route(router: &Handle, p: Prefix) -> Option<(u32, BTreeSet<Ipv4Addr>)> {
    router
        .routes()
        .unwrap()
        .into_iter()
        .find(|r| r.prefix == p)
        .map(|r| (r.cost, r.paths.iter().map(|x| x.gateway).collect()))
}

fn gw(id: u8) -> Ipv4Addr {
    Ipv4Addr::new(10, 0, id, 2)
}

fn announcement(s: &Handle, name: &str) -> Announcement {
    s.services()
        .unwrap()
        .into_iter()
        .find(|x| x.name == name)
        .unwrap()
        .announcement
}

#[test]
fn services_fail_degrade_stand_last_and_drain_independently() {
    if !require_root(
        "services_fail_degrade_stand_last_and_drain_independently",
        "network namespaces and raw sockets",
    ) {
        return;
    }
    let r = Netns::new("svc-r").unwrap();
    let s1 = Netns::new("svc-s1").unwrap();
    let s2 = Netns::new("svc-s2").unwrap();
    veth(&r, "eth1", &s1, "eth0").unwrap();
    veth(&r, "eth2", &s2, "eth0").unwrap();
    r.ip_line("addr add 10.0.1.1/24 dev eth1").unwrap();
    r.ip_line("addr add 10.0.2.1/24 dev eth2").unwrap();
    for (ns, id) in [(&s1, 1), (&s2, 2)] {
        ns.ip_line(&format!("addr add 10.0.{id}.2/24 dev eth0"))
            .unwrap();
        ns.ip_line("addr add 172.16.0.1/32 dev lo").unwrap();
        ns.ip_line("addr add 172.16.0.2/32 dev lo").unwrap();
    }
    let (router, router_thread) = common::spawn_runtime(
        &r,
        &router_conf(),
        |cfg: &mut RuntimeConfig| {
            cfg.shutdown_timeout = Duration::from_secs(2);
            cfg.configure_instance = Some(Box::new(ospf_std::presets::fast_failover));
        },
        |mut rt| rt.run().unwrap(),
    );
    let (a, ta) = start_speaker(&s1, 1, false);
    let (b, tb) = start_speaker(&s2, 2, true);
    let events = a.subscribe();
    let long = Duration::from_secs(30);

    // Both healthy: two equal paths to each service, at the normal cost.
    let both: BTreeSet<_> = [gw(1), gw(2)].into();
    wait("both servers for web and dns", long, || {
        route(&router, web()).is_some_and(|(_, g)| g == both)
            && route(&router, dns()).is_some_and(|(_, g)| g == both)
    });
    let base = route(&router, web()).unwrap().0;
    assert!(base < u32::from(DEGRADE), "{base}");

    // web fails on s1 while s2 is healthy: s1 withdraws it.
    a.set_service_health("web", false).unwrap();
    wait("web through s2 only", long, || {
        route(&router, web()) == Some((base, [gw(2)].into()))
    });
    assert_eq!(announcement(&a, "web"), Announcement::Withdrawn);
    let deadline = std::time::Instant::now() + long;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match events.recv_timeout(left) {
            Ok(Event::Service {
                name,
                healthy: false,
                announcement,
                ..
            }) if name == "web" => {
                assert_eq!(announcement, Announcement::Withdrawn);
                break;
            }
            Ok(_) => {}
            Err(e) => panic!("no service event for web: {e}"),
        }
    }

    // web fails on s2 too: neither withdraws the last one; both stand, degraded.
    b.set_service_health("web", false).unwrap();
    wait("web at the degrade cost through both", long, || {
        route(&router, web()).is_some_and(|(c, g)| c >= u32::from(DEGRADE) && g == both)
    });
    assert_eq!(announcement(&a, "web"), Announcement::Degraded);
    assert_eq!(announcement(&b, "web"), Announcement::Degraded);
    assert!(
        b.services()
            .unwrap()
            .iter()
            .any(|s| s.name == "web" && s.held_as_last)
    );

    // s1 recovers: it alone carries web at the normal cost, s2 leaves.
    a.set_service_health("web", true).unwrap();
    wait("web back through s1 only", long, || {
        route(&router, web()) == Some((base, [gw(1)].into()))
    });
    wait("s2 withdrew web", long, || {
        announcement(&b, "web") == Announcement::Withdrawn
    });

    // An operator drains web on s1: it leaves even though s2 is failing (s2 then stands
    // alone, degraded), and s1's adjacency stays Full.
    a.drain_service("web").unwrap();
    wait("web through s2, degraded", long, || {
        route(&router, web()).is_some_and(|(c, g)| c >= u32::from(DEGRADE) && g == [gw(2)].into())
    });
    assert!(
        a.neighbors()
            .unwrap()
            .iter()
            .all(|n| n.state == NeighborState::Full),
        "the drain kept the adjacency"
    );
    assert!(matches!(
        a.drain_service("nosuch"),
        Err(ospf_std::api::Error::UnknownService(_))
    ));
    let text = a.command("show anycast services").unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("web") && l.contains("withdrawn") && l.contains("yes")),
        "{text}"
    );
    a.undrain_service("web").unwrap();
    wait("web back through s1 only after the undrain", long, || {
        route(&router, web()) == Some((base, [gw(1)].into()))
    });

    // dns degrades on s1: the router prefers the healthy s2; dns stays reachable.
    a.set_service_health("dns", false).unwrap();
    wait("dns through s2 only", long, || {
        route(&router, dns()) == Some((base, [gw(2)].into()))
    });
    assert_eq!(announcement(&a, "dns"), Announcement::Degraded);
    let json = a.command("show anycast services json").unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["services"]["dns"]["announcement"], "degraded", "{json}");
    assert_eq!(v["services"]["web"]["announcement"], "announced", "{json}");

    for h in [&a, &b, &router] {
        h.shutdown();
    }
    ta.join().unwrap().unwrap();
    tb.join().unwrap().unwrap();
    router_thread.join().unwrap();
}
