//! Raw OSPF sockets between two network namespaces joined by a veth pair.
//! Needs root; without it the test prints why and returns.

use std::net::Ipv4Addr;
use std::os::fd::AsFd;
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use ospf_std::socket::{ALL_D_ROUTERS, ALL_SPF_ROUTERS, OspfSocket, Received};
use ospf_testbed::netns::NetNs;
use ospf_testbed::require_root;

fn recv_within(s: &OspfSocket, wait: Duration) -> Option<(Received, Vec<u8>)> {
    let mut fds = [PollFd::new(s.as_fd(), PollFlags::POLLIN)];
    let ms = u16::try_from(wait.as_millis()).unwrap();
    poll(&mut fds, PollTimeout::from(ms)).unwrap();
    let mut buf = vec![0u8; 2000];
    let r = s.recv(&mut buf).unwrap()?;
    Some((r, buf[..r.len].to_vec()))
}

fn ifindex(ns: &NetNs, dev: &str) -> u32 {
    ns.ip(&format!("-o link show {dev}"))
        .unwrap()
        .split(':')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn multicast_and_unicast_between_two_routers() {
    if !require_root(
        "multicast_and_unicast_between_two_routers",
        "network namespaces and raw sockets",
    ) {
        return;
    }
    let a = NetNs::new("ospfstd-sa").unwrap();
    let b = NetNs::new("ospfstd-sb").unwrap();
    a.ip(&format!(
        "link add ospa type veth peer name ospb netns {}",
        b.name()
    ))
    .unwrap();
    a.ip("addr add 10.55.0.1/24 dev ospa").unwrap();
    b.ip("addr add 10.55.0.2/24 dev ospb").unwrap();
    a.ip("link set ospa up").unwrap();
    b.ip("link set ospb up").unwrap();
    let (ia, ib) = (ifindex(&a, "ospa"), ifindex(&b, "ospb"));
    let la = Ipv4Addr::new(10, 55, 0, 1);
    let lb = Ipv4Addr::new(10, 55, 0, 2);
    let sa = {
        let _in = a.enter().unwrap();
        OspfSocket::open("ospa", ia, la).unwrap()
    };
    let mut sb = {
        let _in = b.enter().unwrap();
        OspfSocket::open("ospb", ib, lb).unwrap()
    };
    // Let duplicate address detection and IGMP settle.
    std::thread::sleep(Duration::from_millis(50));

    // A hello-sized payload (the kernel does not look inside).
    let hello: Vec<u8> = (0..44u8).collect();
    sa.send(ALL_SPF_ROUTERS, &hello).unwrap();
    let (r, payload) = recv_within(&sb, Duration::from_secs(2)).expect("B hears A's multicast");
    assert_eq!(payload, hello);
    assert_eq!(r.src, la);
    assert_eq!(r.dst, ALL_SPF_ROUTERS);
    assert_eq!(r.ifindex, ib);
    assert_eq!(r.ttl, 1);
    assert_eq!(r.tos, 0xC0);
    // No loopback of our own multicast.
    assert!(recv_within(&sa, Duration::from_millis(100)).is_none());

    // Unicast to the neighbor.
    sb.send(la, &hello[..20]).unwrap();
    let (r, payload) = recv_within(&sa, Duration::from_secs(2)).expect("A hears B's unicast");
    assert_eq!((r.src, r.dst, r.ifindex, payload.len()), (lb, la, ia, 20));

    // AllDRouters only while a member.
    sa.send(ALL_D_ROUTERS, &hello[..24]).unwrap();
    assert!(
        recv_within(&sb, Duration::from_millis(200)).is_none(),
        "not a member yet"
    );
    sb.set_all_drouters(true).unwrap();
    assert!(sb.all_drouters());
    std::thread::sleep(Duration::from_millis(20));
    sa.send(ALL_D_ROUTERS, &hello[..24]).unwrap();
    let (r, _) = recv_within(&sb, Duration::from_secs(2)).expect("member of AllDRouters");
    assert_eq!(r.dst, ALL_D_ROUTERS);
    sb.set_all_drouters(false).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    sa.send(ALL_D_ROUTERS, &hello[..24]).unwrap();
    assert!(
        recv_within(&sb, Duration::from_millis(200)).is_none(),
        "left AllDRouters"
    );
}
