//! RFC 5881 on real sockets: two namespaces joined by a veth pair, a [`BfdService`] in
//! each. Packets with a TTL other than 255 are dropped (GTSM, §5); sessions come Up;
//! packets leave from a source port in 49152–65535 with TTL 255 (checked by receiving
//! them on a plain UDP socket). Needs root.

mod common;

use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::time::{Duration, Instant as StdInstant};

use ospf_core::bfd::SessionConfig;
use ospf_core::bfd::wire::{Diag, Flags, Repr, State};
use ospf_core::time::Instant;
use ospf_std::bfd::{BFD_CONTROL_PORT, BfdService, SOURCE_PORT_MIN};
use ospf_testbed::require_root;

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

fn ifindex(ns: &ospf_testbed::Netns) -> u32 {
    ns.sh("cat /sys/class/net/eth0/ifindex")
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Drives `svc` for `d` of wall-clock time, polling its socket.
fn run(svc: &mut BfdService, ifx: u32, origin: StdInstant, d: Duration) {
    let end = StdInstant::now() + d;
    while StdInstant::now() < end {
        let now = Instant::from_micros(origin.elapsed().as_micros() as u64 + 1_000_000);
        svc.read(now, ifx);
        svc.handle_timeout(now);
        svc.drain(now);
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn down_packet() -> Vec<u8> {
    let r = Repr {
        version: 1,
        diag: Diag::None,
        state: State::Down,
        flags: Flags::empty(),
        detect_mult: 3,
        my_discr: 42,
        your_discr: 0,
        desired_min_tx: 1_000_000,
        required_min_rx: 50_000,
        required_min_echo_rx: 0,
        auth: None,
    };
    let mut b = vec![0u8; r.buffer_len()];
    r.emit(&mut b).unwrap();
    b
}

#[test]
fn rfc5881_ttl_255_only_and_sessions_come_up() {
    if !require_root(
        "rfc5881_ttl_255_only_and_sessions_come_up",
        "network namespaces",
    ) {
        return;
    }
    let (na, nb) = common::joined(("bfsa", "10.0.0.1/24"), ("bfsb", "10.0.0.2/24"));
    let (ia, ib) = (ifindex(&na), ifindex(&nb));
    let origin = StdInstant::now();

    // B: a session with A; packets from A with TTL 254 never reach the engine.
    let b_name = nb.name().to_string();
    let tb = std::thread::spawn(move || {
        common::enter_netns(&b_name);
        let mut svc = BfdService::new(7);
        let now = Instant::from_secs(1);
        svc.add_peer(now, "eth0", ib, B, A, SessionConfig::new(50, 50, 3))
            .unwrap();
        run(&mut svc, ib, origin, Duration::from_millis(1500));
        let after_ttl254 = (svc.counters().bad_ttl, svc.status()[0].counters.rx);
        // Stops before A does (A runs until ~5.8 s), so both end Up.
        run(&mut svc, ib, origin, Duration::from_millis(3500));
        (after_ttl254, svc.counters(), svc.status()[0].counters.up)
    });

    let a_name = na.name().to_string();
    let ta = std::thread::spawn(move || {
        common::enter_netns(&a_name);
        std::thread::sleep(Duration::from_millis(300));
        // A spoofer one hop further away: TTL 254.
        let s = UdpSocket::bind(SocketAddrV4::new(A, 50000)).unwrap();
        s.set_ttl(254).unwrap();
        for _ in 0..3 {
            s.send_to(&down_packet(), SocketAddrV4::new(B, BFD_CONTROL_PORT))
                .unwrap();
        }
        drop(s);
        std::thread::sleep(Duration::from_millis(1500));
        // Then a real BFD speaker on A.
        let mut svc = BfdService::new(9);
        let now = Instant::from_micros(origin.elapsed().as_micros() as u64 + 1_000_000);
        svc.add_peer(now, "eth0", ia, A, B, SessionConfig::new(50, 50, 3))
            .unwrap();
        run(&mut svc, ia, origin, Duration::from_secs(4));
        svc.status()[0].counters.up
    });
    // Each side went Up (one of them stops first, so the other ends Down again).
    let a_up = ta.join().unwrap();
    let ((bad_ttl, rx_before), counters, b_up) = tb.join().unwrap();
    assert_eq!(bad_ttl, 3, "the three TTL-254 packets are dropped");
    assert_eq!(rx_before, 0, "none of them reached the session");
    assert_eq!(counters.bad_ttl, 3);
    assert_eq!(a_up, 1);
    assert_eq!(b_up, 1);
}

#[test]
fn rfc5881_4_packets_leave_with_ttl_255_from_a_high_source_port() {
    if !require_root(
        "rfc5881_4_packets_leave_with_ttl_255_from_a_high_source_port",
        "network namespaces",
    ) {
        return;
    }
    let (na, nb) = common::joined(("bfpa", "10.0.0.1/24"), ("bfpb", "10.0.0.2/24"));
    let ia = ifindex(&na);
    let b_name = nb.name().to_string();
    let tb = std::thread::spawn(move || {
        common::enter_netns(&b_name);
        let s = socket2::Socket::new(
            socket2::Domain::IPV4,
            socket2::Type::DGRAM,
            Some(socket2::Protocol::UDP),
        )
        .unwrap();
        nix::sys::socket::setsockopt(&s, nix::sys::socket::sockopt::Ipv4RecvTtl, &true).unwrap();
        s.bind(&SocketAddrV4::new(B, BFD_CONTROL_PORT).into())
            .unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let u: UdpSocket = s.into();
        use std::os::fd::AsRawFd;
        let mut buf = [0u8; 256];
        let mut cmsg = nix::cmsg_space!(libc::c_int);
        let mut iov = [std::io::IoSliceMut::new(&mut buf)];
        let msg = nix::sys::socket::recvmsg::<nix::sys::socket::SockaddrIn>(
            u.as_raw_fd(),
            &mut iov,
            Some(&mut cmsg),
            nix::sys::socket::MsgFlags::empty(),
        )
        .unwrap();
        let ttl = msg.cmsgs().unwrap().find_map(|c| match c {
            nix::sys::socket::ControlMessageOwned::Ipv4Ttl(t) => Some(t),
            _ => None,
        });
        let port = msg.address.unwrap().port();
        let n = msg.bytes;
        (ttl, port, Repr::decode(&buf[..n]).unwrap())
    });
    let a_name = na.name().to_string();
    std::thread::spawn(move || {
        common::enter_netns(&a_name);
        std::thread::sleep(Duration::from_millis(300));
        let mut svc = BfdService::new(3);
        let now = Instant::from_secs(1);
        svc.add_peer(now, "eth0", ia, A, B, SessionConfig::default())
            .unwrap();
        svc.drain(now);
    })
    .join()
    .unwrap();
    let (ttl, port, r) = tb.join().unwrap();
    assert_eq!(ttl, Some(255));
    assert!(port >= SOURCE_PORT_MIN, "source port {port}");
    assert_eq!(r.state, State::Down);
    assert_eq!(r.version, 1);
    assert!(r.desired_min_tx >= 1_000_000, "slow until Up");
}
