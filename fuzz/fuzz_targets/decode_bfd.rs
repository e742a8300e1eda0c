//! Any bytes as a BFD Control packet (RFC 5880): checked view, every accessor, Repr parse,
//! byte-exact re-emit, and the engine's receive path. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ospf_core::bfd::wire::{Packet, Repr};
use ospf_core::bfd::{Bfd, SessionConfig, SessionKey};
use ospf_core::time::Instant;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = Packet::new_checked(data) {
        let _ = (
            p.version(),
            p.diag(),
            p.state(),
            p.flags(),
            p.detect_mult(),
            p.my_discr(),
            p.your_discr(),
            p.desired_min_tx(),
            p.required_min_rx(),
            p.required_min_echo_rx(),
            p.auth_section(),
        );
        if let Ok(r) = Repr::parse(&p) {
            let mut out = [0u8; 255];
            let n = r.emit(&mut out).expect("a parsed packet re-encodes");
            assert_eq!(&out[..n], p.packet_bytes());
            let _ = r.check_reception();
        }
    }
    let peer = core::net::Ipv4Addr::new(10, 0, 0, 2);
    let mut b = Bfd::new(ospf_core::config::Prng::new(1));
    b.add_session(
        Instant::ZERO,
        SessionKey { ifindex: 1, peer },
        SessionConfig::default(),
    );
    let _ = b.handle_packet(Instant::from_millis(1), 1, peer, data);
    b.handle_timeout(Instant::from_secs(5));
    let mut buf = [0u8; 255];
    while let Some(o) = b.poll_output(Instant::from_secs(5), &mut buf) {
        if matches!(o, ospf_core::bfd::Output::Timeout(_)) {
            break;
        }
    }
});
