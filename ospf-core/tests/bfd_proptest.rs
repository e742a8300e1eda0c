//! Property tests of the BFD Control packet codec (RFC 5880 §4).

use ospf_core::bfd::wire::{AuthSection, Diag, Flags, Packet, Repr, State};
use proptest::prelude::*;

fn auth() -> impl Strategy<Value = Option<AuthSection>> {
    prop_oneof![
        Just(None),
        (any::<u8>(), prop::collection::vec(any::<u8>(), 0..=16)).prop_map(|(key_id, pw)| Some(
            AuthSection::Simple {
                key_id,
                password: heapless::Vec::from_slice(&pw).unwrap(),
            }
        )),
        (
            any::<bool>(),
            any::<u8>(),
            any::<u8>(),
            any::<u32>(),
            any::<[u8; 16]>()
        )
            .prop_map(|(meticulous, key_id, reserved, seq, digest)| Some(
                AuthSection::Md5 {
                    meticulous,
                    key_id,
                    reserved,
                    seq,
                    digest,
                }
            )),
        (
            any::<bool>(),
            any::<u8>(),
            any::<u8>(),
            any::<u32>(),
            any::<[u8; 20]>()
        )
            .prop_map(|(meticulous, key_id, reserved, seq, hash)| Some(
                AuthSection::Sha1 {
                    meticulous,
                    key_id,
                    reserved,
                    seq,
                    hash,
                }
            )),
        (6u8..=255, prop::collection::vec(any::<u8>(), 0..=229)).prop_map(|(auth_type, data)| {
            Some(AuthSection::Unknown {
                auth_type,
                data: heapless::Vec::from_slice(&data).unwrap(),
            })
        }),
    ]
}

fn repr() -> impl Strategy<Value = Repr> {
    (
        (0u8..8, 0u8..32, 0u8..4, 0u8..64, any::<u8>()),
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
        ),
        auth(),
    )
        .prop_map(|((v, d, s, f, m), (md, yd, tx, rx, echo), auth)| Repr {
            version: v,
            diag: Diag::from_bits(d),
            state: State::from_bits(s),
            flags: Flags::from_bits_retain(f) - Flags::A,
            detect_mult: m,
            my_discr: md,
            your_discr: yd,
            desired_min_tx: tx,
            required_min_rx: rx,
            required_min_echo_rx: echo,
            auth,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2048)
    ))]

    #[test]
    fn bfd_repr_emit_parse_roundtrip(r in repr()) {
        let mut buf = [0u8; 255];
        let n = r.emit(&mut buf).unwrap();
        prop_assert_eq!(n, r.buffer_len());
        let back = Repr::decode(&buf[..n]).unwrap();
        prop_assert_eq!(&back, &r);
        let mut again = [0u8; 255];
        let n2 = back.emit(&mut again).unwrap();
        prop_assert_eq!(&buf[..n], &again[..n2]);
    }

    #[test]
    fn bfd_decode_any_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(p) = Packet::new_checked(&bytes[..]) {
            let _ = (p.version(), p.diag(), p.state(), p.flags(), p.detect_mult(), p.my_discr(),
                p.your_discr(), p.desired_min_tx(), p.required_min_rx(), p.required_min_echo_rx(),
                p.auth_section(), p.packet_bytes());
            if let Ok(r) = Repr::parse(&p) {
                // Whatever decodes re-encodes to the same bytes.
                let mut out = [0u8; 255];
                let n = r.emit(&mut out).unwrap();
                prop_assert_eq!(&out[..n], p.packet_bytes());
                let _ = r.check_reception();
            }
        }
    }

    #[test]
    fn bfd_engine_any_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        use ospf_core::bfd::{Bfd, SessionConfig, SessionKey};
        use ospf_core::time::Instant;
        let peer = std::net::Ipv4Addr::new(10, 0, 0, 2);
        let mut b = Bfd::new(ospf_core::config::Prng::new(3));
        b.add_session(Instant::ZERO, SessionKey { ifindex: 1, peer }, SessionConfig::default());
        let _ = b.handle_packet(Instant::from_millis(1), 1, peer, &bytes);
        let mut buf = [0u8; 255];
        while let Some(o) = b.poll_output(Instant::from_millis(1), &mut buf) {
            if matches!(o, ospf_core::bfd::Output::Timeout(_)) { break; }
        }
    }
}
