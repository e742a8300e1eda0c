//! Authentication against real captures: keyed MD5 from FRR and BIRD, HMAC-SHA-256 from
//! BIRD, simple password from FRR. Each verifies with the right key and fails otherwise.

mod wire_util;

use ospf_core::auth::{self, Apad, AuthConfig, CryptoAlgorithm, CryptoKey, Verified};
use ospf_core::wire::{Error, Packet};
use wire_util::ospf_packets;

fn crypto(id: u8, alg: CryptoAlgorithm, secret: &[u8]) -> AuthConfig {
    AuthConfig::crypto(&[CryptoKey::new(id, alg, secret).unwrap()]).unwrap()
}

/// Verifies every packet of `vector` with `good`, and checks `bad` configurations fail.
/// Returns the sources seen and the number of packets.
fn check(vector: &str, good: &AuthConfig, bad: &[AuthConfig]) -> (Vec<[u8; 4]>, usize) {
    let pkts = ospf_packets(vector);
    let mut srcs = Vec::new();
    for c in &pkts {
        let p = Packet::new_checked(&c.payload[..]).unwrap();
        let len = usize::from(p.packet_len());
        let v = auth::verify(&c.payload, len, good)
            .unwrap_or_else(|e| panic!("{vector} frame {}: {e}", c.frame));
        if let Verified::Crypto { digest_len, .. } = v {
            assert_eq!(digest_len, usize::from(p.auth_data_len()));
            // Whatever follows the digest is an LLS block, announced by the L bit.
            if p.trailer().len() > digest_len {
                let lls = p.lls(digest_len).expect("L bit set").expect("valid LLS");
                assert!(lls.tlvs().all(|t| t.is_ok()));
            }
        }
        for b in bad {
            assert!(
                auth::verify(&c.payload, len, b).is_err(),
                "{vector} frame {}",
                c.frame
            );
        }
        if !srcs.contains(&c.src) {
            srcs.push(c.src);
        }
    }
    (srcs, pkts.len())
}

#[test]
fn rfc2328_d_4_3_keyed_md5_frr_and_bird() {
    let good = crypto(1, CryptoAlgorithm::Md5, b"s3cret");
    let bad = [
        crypto(1, CryptoAlgorithm::Md5, b"s3cret!"),
        crypto(2, CryptoAlgorithm::Md5, b"s3cret"),
        crypto(1, CryptoAlgorithm::HmacSha1, b"s3cret"),
        AuthConfig::Null,
    ];
    let (srcs, n) = check("frr-bird/br0.pcapng", &good, &bad);
    assert!(n > 100);
    // FRR r1, r2 and BIRD b1 all signed.
    for s in [[10, 0, 0, 1], [10, 0, 0, 2], [10, 0, 0, 3]] {
        assert!(srcs.contains(&s), "{s:?} missing");
    }
}

#[test]
fn rfc5709_hmac_sha256_bird() {
    let good = crypto(7, CryptoAlgorithm::HmacSha256, b"hmac-key");
    let bad = [
        crypto(7, CryptoAlgorithm::HmacSha256, b"hmac-kex"),
        crypto(7, CryptoAlgorithm::HmacSha384, b"hmac-key"),
        crypto(7, CryptoAlgorithm::Md5, b"hmac-key"),
    ];
    let (_, n) = check("frr-bird/sha.pcapng", &good, &bad);
    assert!(n > 50);
    // RFC 7474's source-address Apad is a different digest.
    let key = CryptoKey::new(7, CryptoAlgorithm::HmacSha256, b"hmac-key").unwrap();
    for c in ospf_packets("frr-bird/sha.pcapng") {
        let len = usize::from(u16::from_be_bytes([c.payload[2], c.payload[3]]));
        let src = Apad::SourceAddress(c.src.into());
        assert_eq!(
            auth::verify_crypto(&c.payload, len, &key, src),
            Err(Error::AuthFailed("digest mismatch"))
        );
    }
}

#[test]
fn rfc2328_d_4_2_simple_password_frr() {
    let good = AuthConfig::simple(b"plain123").unwrap();
    let bad = [AuthConfig::simple(b"plain12").unwrap(), AuthConfig::Null];
    let (_, n) = check("frr-bird/area2.pcapng", &good, &bad);
    assert!(n > 50);
}

#[test]
fn rfc2328_d_4_1_null_auth_frr() {
    let bad = [AuthConfig::simple(b"").unwrap()];
    let (_, n) = check("frr-bird/nssa.pcapng", &AuthConfig::Null, &bad);
    assert!(n > 50);
}

#[test]
fn resigning_a_captured_packet_reproduces_its_digest() {
    // Re-sign each captured packet with the same key and sequence number: the bytes
    // (digest included) must be identical, for MD5 and HMAC-SHA-256.
    for (v, id, alg, secret) in [
        (
            "frr-bird/br0.pcapng",
            1,
            CryptoAlgorithm::Md5,
            &b"s3cret"[..],
        ),
        (
            "frr-bird/sha.pcapng",
            7,
            CryptoAlgorithm::HmacSha256,
            b"hmac-key",
        ),
    ] {
        let key = CryptoKey::new(id, alg, secret).unwrap();
        for c in ospf_packets(v) {
            let p = Packet::new_checked(&c.payload[..]).unwrap();
            let len = usize::from(p.packet_len());
            let mut buf = c.payload.clone();
            buf[len..].fill(0);
            buf[16..24].fill(0);
            let n = auth::sign_crypto(&mut buf, len, &key, p.crypto_seq(), Apad::Rfc5709).unwrap();
            assert_eq!(&buf[..n], &c.payload[..n], "{v} frame {}", c.frame);
        }
    }
}
