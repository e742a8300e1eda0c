//! Property tests: `Repr -> emit -> parse == Repr` for every packet and LSA type, exact
//! byte round trips, and no panic on arbitrary bytes (packets, LSAs, LLS, TLVs).

use ospf_core::auth::{self, AuthConfig};
use ospf_core::wire::arbitrary::{arb_lsa, arb_packet};
use ospf_core::wire::{
    BodyRepr, ExtPrefix, ExtPrefixFlags, ExtPrefixRouteType, GRACE_OPAQUE_TYPE, GraceLsa, Ipv4Addr,
    Lls, Lsa, LsaBody, LsaRepr, OpaqueLsa, Packet, PacketRepr, RestartReason, TlvIter, checksum,
    te,
};
use proptest::prelude::*;

/// Walks everything reachable from an LSA view; must never panic.
fn walk_lsa(l: &Lsa<&[u8]>) {
    let _ = (
        l.header(),
        l.verify_checksum(),
        l.compute_checksum(),
        l.body(),
        l.bytes(),
    );
    if let Ok(r) = LsaRepr::parse(l) {
        let mut buf = vec![0u8; r.buffer_len()];
        let _ = r.emit(&mut buf);
        match r.body {
            LsaBody::Router(rl) => {
                assert_eq!(rl.links.iter().count(), rl.links.len());
            }
            LsaBody::Opaque(o) => {
                for t in o.tlvs().flatten() {
                    for s in t.sub_tlvs().flatten() {
                        let _ = s.sub_tlvs().count();
                    }
                    let _ = te::link_sub_tlvs(&t).count();
                }
                let _ = te::validate(&o);
                let _ = GraceLsa::parse(&o);
                let ext = OpaqueLsa {
                    opaque_type: ospf_core::wire::EXT_PREFIX_OPAQUE_TYPE,
                    ..o
                };
                if let Ok(it) = ospf_core::wire::ext_prefix_tlvs(&ext) {
                    for t in it.flatten() {
                        let _ = ExtPrefix::parse(&t);
                    }
                }
            }
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn packet_repr_emit_parse_roundtrip(p in arb_packet()) {
        let bytes = p.to_bytes();
        let view = Packet::new_checked(&bytes[..]).unwrap();
        p.with_repr(|r| {
            prop_assert_eq!(bytes.len(), r.buffer_len());
            let parsed = PacketRepr::parse(&view).unwrap();
            prop_assert_eq!(&parsed, r);
            // Checksum: filled unless AuType 2 (then 0).
            if view.au_type() == 2 {
                prop_assert_eq!(view.checksum(), 0);
            } else {
                prop_assert!(view.verify_checksum());
                prop_assert!(PacketRepr::decode(&bytes).is_ok());
            }
            // Re-encoding the parsed (wire-form) repr gives the same bytes.
            let mut again = vec![0u8; parsed.buffer_len()];
            parsed.emit(&mut Packet::new_unchecked(&mut again[..])).unwrap();
            prop_assert_eq!(&again, &bytes);
            // LSAs inside updates: framing and checksums hold.
            if let BodyRepr::LsUpdate(u) = &parsed.body {
                for l in u.lsas.iter() {
                    prop_assert!(l.verify_checksum());
                }
            }
            Ok(())
        })?;
    }

    #[test]
    fn lsa_repr_emit_parse_roundtrip(l in arb_lsa()) {
        let bytes = l.to_bytes();
        let view = Lsa::new_checked(&bytes[..]).unwrap();
        prop_assert!(view.verify_checksum());
        prop_assert_eq!(view.header(), l.header);
        l.with_repr(|r| {
            let parsed = LsaRepr::parse(&view).unwrap();
            prop_assert_eq!(&parsed, r);
            let mut again = vec![0u8; parsed.buffer_len()];
            prop_assert_eq!(parsed.emit(&mut again).unwrap(), bytes.len());
            prop_assert_eq!(&again, &bytes);
            Ok(())
        })?;
    }

    #[test]
    fn signed_packets_verify(p in arb_packet(), seq in any::<u32>(), key_id in any::<u8>(),
                             secret in proptest::collection::vec(any::<u8>(), 0..100), alg in 0usize..5) {
        use ospf_core::auth::CryptoAlgorithm::*;
        let alg = [Md5, HmacSha1, HmacSha256, HmacSha384, HmacSha512][alg];
        let secret = if alg == Md5 { &secret[..secret.len().min(16)] } else { &secret[..] };
        let cfg = AuthConfig::crypto(&[auth::CryptoKey::new(key_id, alg, secret).unwrap()]).unwrap();
        let mut bytes = p.to_bytes();
        let len = bytes.len();
        bytes.resize(len + 64, 0);
        let n = auth::sign(&mut bytes, len, &cfg, seq).unwrap();
        let v = auth::verify(&bytes[..n], len, &cfg).unwrap();
        prop_assert_eq!(v, auth::Verified::Crypto { key_id, seq, digest_len: alg.digest_len() });
        // Still decodes, with the digest in the trailer.
        let view = Packet::new_checked(&bytes[..n]).unwrap();
        prop_assert!(PacketRepr::parse(&view).is_ok());
        prop_assert_eq!(view.trailer().len(), alg.digest_len());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(p) = Packet::new_checked(&bytes[..]) {
            let _ = (p.packet_type(), p.auth_field(), p.body(), p.trailer(), p.verify_checksum());
            for d in [0, 16, 20, 32, 700] {
                if let Some(Ok(lls)) = p.lls(d) {
                    let _ = lls.tlvs().count();
                    let _ = (lls.extended_options(), lls.verify_checksum());
                }
            }
            if let Ok(r) = PacketRepr::parse(&p) {
                let mut buf = vec![0u8; r.buffer_len()];
                r.emit(&mut Packet::new_unchecked(&mut buf[..])).unwrap();
                // Only the checksum may differ (recomputed).
                buf[12..14].copy_from_slice(&bytes[12..14]);
                prop_assert_eq!(&buf[..], p.bytes());
                if let BodyRepr::LsUpdate(u) = r.body {
                    for l in u.lsas.iter() {
                        walk_lsa(&l);
                    }
                }
            }
            let _ = auth::verify(&bytes, usize::from(p.packet_len()), &AuthConfig::Null);
        }
        if let Ok(l) = Lsa::new_checked(&bytes[..]) {
            walk_lsa(&l);
        }
        // Force a plausible LSA header so bodies get exercised.
        if bytes.len() >= 20 {
            let mut b = bytes.clone();
            let len = (b.len() & !3) as u16;
            b[18..20].copy_from_slice(&len.to_be_bytes());
            b[3] = [1, 2, 3, 4, 5, 7, 9, 10, 11, 6][usize::from(b[3] % 10)];
            walk_lsa(&Lsa::new_checked(&b[..]).unwrap());
        }
        if let Ok(lls) = Lls::parse(&bytes) {
            let _ = lls.tlvs().count();
        }
        let _ = TlvIter::new(&bytes).count();
        let _ = (checksum::ip(&bytes), checksum::lsa_fletcher(&bytes), checksum::verify_lsa(&bytes));
        let _ = (checksum::packet_checksum(&bytes), checksum::verify_packet(&bytes));
    }
}

/// Decodes whatever `bytes` hold, walking everything; must never panic.
fn decode_all(bytes: &[u8]) {
    if let Ok(p) = Packet::new_checked(bytes) {
        let _ = (
            p.packet_type(),
            p.auth_field(),
            p.body(),
            p.trailer(),
            p.verify_checksum(),
        );
        for d in [0, 16, 32, 64] {
            if let Some(Ok(lls)) = p.lls(d) {
                let _ = lls.tlvs().count();
            }
        }
        if let Ok(r) = PacketRepr::parse(&p) {
            let mut buf = vec![0u8; r.buffer_len()];
            r.emit(&mut Packet::new_unchecked(&mut buf[..])).unwrap();
            buf[12..14].copy_from_slice(&bytes[12..14]);
            assert_eq!(&buf[..], p.bytes());
            if let BodyRepr::LsUpdate(u) = r.body {
                assert_eq!(u.lsas.iter().count(), u.lsas.len());
                for l in u.lsas.iter() {
                    walk_lsa(&l);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Valid packets with a few bytes overwritten, then truncated or extended.
    #[test]
    fn mutated_packets_never_panic(
        p in arb_packet(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        extra in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let mut bytes = p.to_bytes();
        for (i, v) in &edits {
            let i = i.index(bytes.len());
            bytes[i] = *v;
        }
        decode_all(&bytes);
        let c = cut.index(bytes.len() + 1);
        decode_all(&bytes[..c]);
        bytes.extend_from_slice(&extra);
        decode_all(&bytes);
    }

    /// Random bodies behind a plausible header.
    #[test]
    fn random_bodies_never_panic(t in 1u8..=5, body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut b = vec![2, t, 0, 0];
        b.extend_from_slice(&[0; 20]);
        b.extend_from_slice(&body);
        let len = b.len() as u16;
        b[2..4].copy_from_slice(&len.to_be_bytes());
        decode_all(&b);
        // LS Update with a small count so the framing gets walked.
        if t == 4 && body.len() >= 4 {
            b[24..28].copy_from_slice(&u32::from(body[0] % 4).to_be_bytes());
            decode_all(&b);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// RFC 7684 §2.1: any Extended Prefix TLV (with or without our weight sub-TLV) emits
    /// and parses back to itself.
    #[test]
    fn ext_prefix_tlv_round_trips(
        route_type in any::<u8>(),
        prefix_len in 0u8..=32,
        flags in any::<u8>(),
        prefix in any::<u32>(),
        weight in proptest::option::of(1u8..=255),
    ) {
        let p = ExtPrefix {
            route_type: ExtPrefixRouteType::from(route_type),
            prefix_len,
            flags: ExtPrefixFlags::from_bits_retain(flags),
            prefix: Ipv4Addr::from(prefix),
            weight,
        };
        let mut buf = vec![0u8; p.buffer_len()];
        prop_assert_eq!(p.emit(&mut buf), Ok(buf.len()));
        let lsa = OpaqueLsa::parse(ExtPrefix::lsid(prefix), &buf);
        let tlvs: Vec<_> = ospf_core::wire::ext_prefix_tlvs(&lsa).unwrap().collect();
        prop_assert_eq!(tlvs.len(), 1);
        let tlv = tlvs[0].unwrap();
        prop_assert_eq!(tlv.weight(), Ok(weight));
        prop_assert_eq!(ExtPrefix::parse(&tlv), Ok(p));
    }

    /// RFC 3623 Appendix A: any Grace-LSA body emits and parses back to itself.
    #[test]
    fn grace_lsa_round_trips(
        period in proptest::option::of(any::<u32>()),
        reason in proptest::option::of(any::<u8>()),
        addr in proptest::option::of(any::<u32>()),
    ) {
        let g = GraceLsa {
            grace_period: period,
            reason: reason.map(RestartReason::from),
            interface_address: addr.map(Ipv4Addr::from),
        };
        let mut buf = vec![0u8; g.buffer_len()];
        prop_assert_eq!(g.emit(&mut buf), Ok(buf.len()));
        let lsa = OpaqueLsa::parse(GraceLsa::lsid(0), &buf);
        prop_assert_eq!(GraceLsa::parse(&lsa), Ok(g));
    }

    /// Any bytes as a Grace-LSA body: an error or TLVs that re-emit to a body that
    /// parses the same; never a panic.
    #[test]
    fn grace_lsa_any_bytes(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        let lsa = OpaqueLsa::parse(GraceLsa::lsid(0), &data);
        if let Ok(g) = GraceLsa::parse(&lsa) {
            let mut buf = vec![0u8; g.buffer_len()];
            g.emit(&mut buf).unwrap();
            prop_assert_eq!(GraceLsa::parse(&OpaqueLsa::parse(GraceLsa::lsid(0), &buf)), Ok(g));
        }
        prop_assert_eq!(lsa.opaque_type, GRACE_OPAQUE_TYPE);
    }
}
