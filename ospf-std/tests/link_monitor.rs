//! LinkMonitor against a real kernel, inside a network namespace the test creates.
//! Needs root; without it the test prints why and returns.

use std::net::Ipv4Addr;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use ospf_std::link::{Addr, LinkEvent, LinkMonitor};
use ospf_testbed::netns::NetNs;
use ospf_testbed::require_root;

/// Waits until `pred` holds for an event, collecting events for up to two seconds.
fn wait_for(m: &mut LinkMonitor, pred: impl Fn(&LinkEvent) -> bool) -> Vec<LinkEvent> {
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        let mut fds = [PollFd::new(m.as_fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::from(200u16)).unwrap();
        let events = m.poll_events().unwrap();
        let hit = events.iter().any(&pred);
        seen.extend(events);
        if hit {
            return seen;
        }
    }
    panic!("expected event not seen; got {seen:?}");
}

#[test]
fn link_and_address_changes_are_reported_at_once() {
    if !require_root(
        "link_and_address_changes_are_reported_at_once",
        "network namespaces",
    ) {
        return;
    }
    let ns = NetNs::new("ospfstd-link").unwrap();
    let _in = ns.enter().unwrap();
    let mut m = LinkMonitor::new().unwrap();
    let lo = m.link_by_name("lo").expect("loopback is listed");
    assert!(lo.loopback && lo.up);
    assert!(
        m.addrs(lo.ifindex)
            .any(|a| a.addr == Ipv4Addr::LOCALHOST && a.prefix_len == 8)
    );

    ns.ip("link add osp0 mtu 1400 type veth peer name osp1")
        .unwrap();
    let ev = wait_for(
        &mut m,
        |e| matches!(e, LinkEvent::Link(l) if l.name == "osp0"),
    );
    let ifindex = m.link_by_name("osp0").unwrap().ifindex;
    assert!(
        ev.iter()
            .any(|e| matches!(e, LinkEvent::Link(l) if l.name == "osp0" && !l.up && l.mtu == 1400))
    );

    ns.ip("link set osp1 up").unwrap();
    ns.ip("link set osp0 up").unwrap();
    wait_for(
        &mut m,
        |e| matches!(e, LinkEvent::Link(l) if l.ifindex == ifindex && l.up),
    );
    assert!(m.link(ifindex).unwrap().up);

    ns.ip("addr add 10.77.0.1/30 dev osp0").unwrap();
    let want = Addr {
        ifindex,
        addr: Ipv4Addr::new(10, 77, 0, 1),
        prefix_len: 30,
        peer: None,
    };
    wait_for(&mut m, |e| *e == LinkEvent::AddrAdded(want));
    assert_eq!(m.addrs(ifindex).copied().collect::<Vec<_>>(), vec![want]);

    ns.ip("addr add 10.78.0.1 peer 10.78.0.2/32 dev osp0")
        .unwrap();
    wait_for(
        &mut m,
        |e| matches!(e, LinkEvent::AddrAdded(a) if a.peer == Some(Ipv4Addr::new(10, 78, 0, 2)) && a.addr == Ipv4Addr::new(10, 78, 0, 1)),
    );

    // Carrier loss (the peer goes down) takes the link down.
    ns.ip("link set osp1 down").unwrap();
    wait_for(
        &mut m,
        |e| matches!(e, LinkEvent::Link(l) if l.ifindex == ifindex && !l.up),
    );

    ns.ip("addr del 10.77.0.1/30 dev osp0").unwrap();
    wait_for(&mut m, |e| *e == LinkEvent::AddrRemoved(want));
    assert_eq!(m.addrs(ifindex).count(), 1);

    ns.ip("link del osp0").unwrap();
    let ev = wait_for(
        &mut m,
        |e| matches!(e, LinkEvent::LinkRemoved { ifindex: i, .. } if *i == ifindex),
    );
    assert!(
        ev.iter()
            .any(|e| matches!(e, LinkEvent::AddrRemoved(a) if a.ifindex == ifindex))
    );
    assert!(m.link(ifindex).is_none());
    assert_eq!(m.addrs(ifindex).count(), 0);
    // A fresh read agrees with the state the notifications built.
    assert!(m.resync().unwrap().is_empty());
}
