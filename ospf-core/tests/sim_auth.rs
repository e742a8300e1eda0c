//! Authentication on the wire between simulated routers (RFC 2328 D.3–D.4, RFC 5709).
#![cfg(feature = "sim")]

use core::net::Ipv4Addr;
use ospf_core::config::{
    AuthConfig, CryptoAlgorithm, CryptoKey, InstanceConfig, InterfaceConfig, InterfaceType,
};
use ospf_core::instance::DropReason;
use ospf_core::neighbor::NeighborState;
use ospf_core::sim::{NodeId, Sim, SimConfig};
use ospf_core::time::Duration;

fn p2p(a: [u8; 4], auth: AuthConfig) -> InterfaceConfig {
    InterfaceConfig::new(Ipv4Addr::from(a), 30)
        .if_type(InterfaceType::PointToPoint)
        .auth(auth)
}

fn crypto(alg: CryptoAlgorithm, id: u8, secret: &[u8]) -> AuthConfig {
    AuthConfig::crypto(&[CryptoKey::new(id, alg, secret).unwrap()]).unwrap()
}

fn pair(seed: u64, a: AuthConfig, b: AuthConfig) -> (Sim, NodeId, NodeId) {
    let mut sim = Sim::new(SimConfig::seeded(seed));
    let x = sim.add_router(InstanceConfig::new(Ipv4Addr::new(1, 1, 1, 1)));
    let y = sim.add_router(InstanceConfig::new(Ipv4Addr::new(2, 2, 2, 2)));
    sim.link(x, p2p([10, 0, 0, 1], a), y, p2p([10, 0, 0, 2], b));
    (sim, x, y)
}

fn full(sim: &Sim, n: NodeId) -> bool {
    let i = sim.instance(n).unwrap();
    i.neighbors().count() == 1 && i.neighbors().all(|x| x.state == NeighborState::Full)
}

#[test]
fn rfc2328_d_4_3_keyed_md5_adjacency_reaches_full() {
    let k = crypto(CryptoAlgorithm::Md5, 1, b"secret");
    let (mut sim, a, b) = pair(1, k.clone(), k);
    sim.run_for(Duration::from_secs(10));
    assert!(full(&sim, a) && full(&sim, b));
    let c = sim.instance(a).unwrap().counters(1).unwrap();
    assert_eq!(c.dropped_total(), 0);
}

#[test]
fn rfc5709_hmac_sha256_adjacency_reaches_full() {
    let k = crypto(CryptoAlgorithm::HmacSha256, 7, b"a longer shared secret");
    let (mut sim, a, b) = pair(2, k.clone(), k);
    sim.run_for(Duration::from_secs(10));
    assert!(full(&sim, a) && full(&sim, b));
}

#[test]
fn rfc2328_d_4_3_wrong_key_is_dropped_and_counted() {
    let (mut sim, a, _b) = pair(
        3,
        crypto(CryptoAlgorithm::Md5, 1, b"secret"),
        crypto(CryptoAlgorithm::Md5, 1, b"other"),
    );
    sim.run_for(Duration::from_secs(30));
    let i = sim.instance(a).unwrap();
    assert_eq!(i.neighbors().count(), 0);
    assert!(i.counters(1).unwrap().dropped(DropReason::AuthFailed) >= 3);
}

#[test]
fn rfc2328_d_4_2_simple_password_mismatch_and_null_vs_simple() {
    let (mut sim, a, b) = pair(
        4,
        AuthConfig::simple(b"pw1").unwrap(),
        AuthConfig::simple(b"pw2").unwrap(),
    );
    sim.run_for(Duration::from_secs(30));
    assert_eq!(sim.instance(a).unwrap().neighbors().count(), 0);
    assert_eq!(sim.instance(b).unwrap().neighbors().count(), 0);
    let (mut sim, a, b) = pair(5, AuthConfig::Null, AuthConfig::simple(b"pw").unwrap());
    sim.run_for(Duration::from_secs(30));
    assert_eq!(sim.instance(a).unwrap().neighbors().count(), 0);
    assert!(
        sim.instance(b)
            .unwrap()
            .counters(1)
            .unwrap()
            .dropped(DropReason::AuthFailed)
            > 0
    );
    let (mut sim, a, b) = pair(
        6,
        AuthConfig::simple(b"pw").unwrap(),
        AuthConfig::simple(b"pw").unwrap(),
    );
    sim.run_for(Duration::from_secs(10));
    assert!(full(&sim, a) && full(&sim, b));
}

#[test]
fn rfc2328_d_3_crypto_sequence_keeps_rising_across_restart() {
    let k = crypto(CryptoAlgorithm::HmacSha1, 2, b"k");
    let (mut sim, a, b) = pair(7, k.clone(), k);
    sim.run_for(Duration::from_secs(100));
    assert!(full(&sim, a) && full(&sim, b));
    sim.crash(a);
    sim.run_for(Duration::from_secs(3));
    sim.restart(a);
    // B still holds A's last sequence number: the restarted A must not be taken for a
    // replay, so the adjacency comes back long before B's dead interval would expire.
    sim.run_for(Duration::from_secs(15));
    assert!(full(&sim, a) && full(&sim, b));
    let dropped = sim
        .instance(b)
        .unwrap()
        .counters(1)
        .unwrap()
        .dropped(DropReason::AuthFailed);
    assert_eq!(dropped, 0);
}

/// The [`DropReason::AuthFailed`] drops at `n`, broken down by kind.
fn auth_kinds(sim: &Sim, n: NodeId) -> (u64, Vec<u64>) {
    use ospf_core::interface::AuthFailure;
    let c = sim.instance(n).unwrap().counters(1).unwrap();
    let kinds = AuthFailure::ALL
        .iter()
        .map(|k| c.auth_failures(*k))
        .collect();
    (c.dropped(DropReason::AuthFailed), kinds)
}

#[test]
fn rfc2328_d_5_authentication_failures_are_counted_by_kind() {
    use ospf_core::interface::AuthFailure;
    let kind = |sim: &Sim, n: NodeId, k: AuthFailure| {
        sim.instance(n)
            .unwrap()
            .counters(1)
            .unwrap()
            .auth_failures(k)
    };
    // Wrong key ID.
    let (mut sim, a, _) = pair(
        21,
        crypto(CryptoAlgorithm::Md5, 1, b"secret"),
        crypto(CryptoAlgorithm::Md5, 2, b"secret"),
    );
    sim.run_for(Duration::from_secs(30));
    assert!(kind(&sim, a, AuthFailure::UnknownKey) >= 3);
    let (total, kinds) = auth_kinds(&sim, a);
    assert_eq!(total, kinds.iter().sum::<u64>(), "the kinds add up");
    // Same key ID, other secret: the digest does not match.
    let (mut sim, a, _) = pair(
        22,
        crypto(CryptoAlgorithm::HmacSha256, 1, b"secret"),
        crypto(CryptoAlgorithm::HmacSha256, 1, b"other"),
    );
    sim.run_for(Duration::from_secs(30));
    assert!(kind(&sim, a, AuthFailure::BadDigest) >= 3);
    assert_eq!(kind(&sim, a, AuthFailure::UnknownKey), 0);
    // Null against simple: AuType mismatch.
    let (mut sim, a, _) = pair(23, AuthConfig::Null, AuthConfig::simple(b"pw").unwrap());
    sim.run_for(Duration::from_secs(30));
    assert!(kind(&sim, a, AuthFailure::TypeMismatch) >= 3);
    let (total, kinds) = auth_kinds(&sim, a);
    assert_eq!(total, kinds.iter().sum::<u64>());
}
