//! OSPFv2 authentication: null, simple password, keyed MD5 (RFC 2328 D.3) and
//! HMAC-SHA-1/256/384/512 (RFC 5709, with the Apad of RFC 7474).
//!
//! Everything works in place on the caller's buffer, without an allocator:
//!
//! * [`sign`] / [`sign_crypto`] finish an emitted packet: they set AuType and the
//!   authentication field, fill the checksum (AuType 0 and 1) or zero it (AuType 2), and
//!   append the digest after the packet length. They return the number of bytes to send.
//! * [`verify`] / [`verify_crypto`] check a received packet against the interface's
//!   configuration and report the key ID and cryptographic sequence number; checking the
//!   sequence number against the neighbor's (RFC 2328 D.5.2) is the caller's job.
//!
//! An LLS block (RFC 5613) may follow the digest; it is neither covered nor disturbed.
//!
//! ```
//! use ospf_core::auth::{self, AuthConfig, CryptoAlgorithm, CryptoKey};
//! use ospf_core::wire::{BodyRepr, HelloRepr, Ipv4Addr, List, Options, PacketRepr, AuthField};
//!
//! let key = CryptoKey::new(7, CryptoAlgorithm::HmacSha256, b"hmac-key").unwrap();
//! let cfg = AuthConfig::crypto(&[key]).unwrap();
//! let hello = PacketRepr {
//!     router_id: Ipv4Addr::new(10, 0, 0, 1),
//!     area_id: Ipv4Addr::UNSPECIFIED,
//!     auth: AuthField::Null, // set by `sign`
//!     body: BodyRepr::Hello(HelloRepr {
//!         network_mask: Ipv4Addr::new(255, 255, 255, 0),
//!         hello_interval: 10,
//!         options: Options::E,
//!         priority: 1,
//!         dead_interval: 40,
//!         dr: Ipv4Addr::UNSPECIFIED,
//!         bdr: Ipv4Addr::UNSPECIFIED,
//!         neighbors: List::Slice(&[]),
//!     }),
//! };
//! let mut buf = [0u8; 128];
//! let len = hello.emit_bytes(&mut buf).unwrap();
//! let total = auth::sign(&mut buf, len, &cfg, 1_700_000_000).unwrap();
//! assert_eq!(total, len + 32);
//! let ok = auth::verify(&buf[..total], len, &cfg).unwrap();
//! assert_eq!(ok, auth::Verified::Crypto { key_id: 7, seq: 1_700_000_000, digest_len: 32 });
//! ```

use core::fmt;
use core::net::Ipv4Addr;

use byteorder::{ByteOrder, NetworkEndian as NE};
use hmac::{KeyInit, Mac};
use md5::Digest;

use crate::wire::{AU_CRYPTO, AU_NULL, AU_SIMPLE, Error, HEADER_LEN, Result, checksum};

/// Longest secret a [`CryptoKey`] holds.
pub const MAX_SECRET_LEN: usize = 128;
/// Most keys an [`AuthConfig::Crypto`] holds (RFC 2328 D.3 key rollover).
pub const MAX_KEYS: usize = 4;
/// Length of a keyed-MD5 key and digest (RFC 2328 D.4.3).
pub const MD5_LEN: usize = 16;
/// The RFC 5709 Apad constant, repeated to the hash length.
pub const APAD_WORD: [u8; 4] = [0x87, 0x8f, 0xe1, 0xf3];
/// Longest digest (HMAC-SHA-512).
pub const MAX_DIGEST_LEN: usize = 64;

/// Cryptographic authentication algorithm (AuType 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CryptoAlgorithm {
    /// Keyed MD5 (RFC 2328 D.4.3).
    Md5,
    /// HMAC-SHA-1 (RFC 5709).
    HmacSha1,
    /// HMAC-SHA-256 (RFC 5709).
    HmacSha256,
    /// HMAC-SHA-384 (RFC 5709).
    HmacSha384,
    /// HMAC-SHA-512 (RFC 5709).
    HmacSha512,
}

impl CryptoAlgorithm {
    /// Digest length in bytes (the Auth Data Len field): 16, 20, 32, 48 or 64.
    pub const fn digest_len(self) -> usize {
        match self {
            CryptoAlgorithm::Md5 => 16,
            CryptoAlgorithm::HmacSha1 => 20,
            CryptoAlgorithm::HmacSha256 => 32,
            CryptoAlgorithm::HmacSha384 => 48,
            CryptoAlgorithm::HmacSha512 => 64,
        }
    }
}

/// A cryptographic key: Key ID, algorithm and secret (at most [`MAX_SECRET_LEN`] bytes;
/// at most 16 for keyed MD5). `Debug` does not print the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct CryptoKey {
    /// Key ID carried in the header.
    pub id: u8,
    /// Algorithm.
    pub algorithm: CryptoAlgorithm,
    secret: [u8; MAX_SECRET_LEN],
    secret_len: u8,
}

impl fmt::Debug for CryptoKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CryptoKey")
            .field("id", &self.id)
            .field("algorithm", &self.algorithm)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl CryptoKey {
    /// A key; fails with [`Error::OutOfRange`] when the secret is too long.
    pub fn new(id: u8, algorithm: CryptoAlgorithm, secret: &[u8]) -> Result<Self> {
        let max = if algorithm == CryptoAlgorithm::Md5 {
            MD5_LEN
        } else {
            MAX_SECRET_LEN
        };
        if secret.len() > max {
            return Err(Error::OutOfRange("authentication secret too long"));
        }
        let mut s = [0u8; MAX_SECRET_LEN];
        s[..secret.len()].copy_from_slice(secret);
        Ok(CryptoKey {
            id,
            algorithm,
            secret: s,
            secret_len: secret.len() as u8,
        })
    }
    /// The secret.
    pub fn secret(&self) -> &[u8] {
        &self.secret[..usize::from(self.secret_len)]
    }
}

/// What the HMAC-SHA digest is computed over after the packet (RFC 5709 §3.3, RFC 7474 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Apad {
    /// `0x878FE1F3` repeated to the hash length (RFC 5709).
    #[default]
    Rfc5709,
    /// The packet's IPv4 source address, then `0x878FE1F3` repeated (RFC 7474 §5).
    /// Only this Apad change of RFC 7474 is implemented (not its key derivation or
    /// extended sequence numbers).
    SourceAddress(Ipv4Addr),
}

/// An interface's authentication configuration (RFC 2328 D.1).
///
/// The keys are held inline (no allocator), which makes the `Crypto` variant large;
/// it is configuration, kept once per interface.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)]
pub enum AuthConfig {
    /// AuType 0.
    Null,
    /// AuType 1: the password, zero padded to 8 bytes.
    Simple([u8; 8]),
    /// AuType 2: the configured keys; [`sign`] uses the last one.
    Crypto(heapless::Vec<CryptoKey, MAX_KEYS>),
}

impl AuthConfig {
    /// Simple password authentication; the password is at most 8 bytes.
    pub fn simple(password: &[u8]) -> Result<Self> {
        if password.len() > 8 {
            return Err(Error::OutOfRange("simple password longer than 8 bytes"));
        }
        let mut p = [0u8; 8];
        p[..password.len()].copy_from_slice(password);
        Ok(AuthConfig::Simple(p))
    }
    /// Cryptographic authentication with up to [`MAX_KEYS`] keys.
    pub fn crypto(keys: &[CryptoKey]) -> Result<Self> {
        let v = heapless::Vec::from_slice(keys).map_err(|_| Error::OutOfRange("too many keys"))?;
        Ok(AuthConfig::Crypto(v))
    }
    /// The AuType this configuration sends and expects.
    pub fn au_type(&self) -> u16 {
        match self {
            AuthConfig::Null => AU_NULL,
            AuthConfig::Simple(_) => AU_SIMPLE,
            AuthConfig::Crypto(_) => AU_CRYPTO,
        }
    }
    /// The key with ID `id`, if configured.
    pub fn key(&self, id: u8) -> Option<&CryptoKey> {
        match self {
            AuthConfig::Crypto(keys) => keys.iter().find(|k| k.id == id),
            _ => None,
        }
    }
}

/// A successfully verified packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verified {
    /// AuType 0, checksum correct.
    Null,
    /// AuType 1, password and checksum correct.
    Simple,
    /// AuType 2, digest correct.
    Crypto {
        /// Key ID used.
        key_id: u8,
        /// Cryptographic sequence number (the caller checks it is not decreasing).
        seq: u32,
        /// Digest length: an LLS block, if any, starts this far after the packet.
        digest_len: usize,
    },
}

impl Verified {
    /// Bytes of authentication trailer after the packet length (0 unless AuType 2).
    pub fn digest_len(&self) -> usize {
        match self {
            Verified::Crypto { digest_len, .. } => *digest_len,
            _ => 0,
        }
    }
}

/// Checks that `buf` holds a header and `packet_len` matches the header's length field.
fn check_packet(buf: &[u8], packet_len: usize) -> Result<()> {
    if buf.len() < HEADER_LEN {
        return Err(Error::Truncated {
            need: HEADER_LEN,
            have: buf.len(),
        });
    }
    let field = usize::from(NE::read_u16(&buf[2..4]));
    if packet_len < HEADER_LEN || packet_len > buf.len() || field != packet_len {
        return Err(Error::BadPacketLength {
            len: packet_len,
            buf: buf.len(),
        });
    }
    Ok(())
}

/// Writes the RFC 1071 checksum of `buf[..packet_len]`.
fn fill_checksum(buf: &mut [u8], packet_len: usize) {
    buf[12..14].fill(0);
    let c = checksum::packet_checksum(&buf[..packet_len]);
    NE::write_u16(&mut buf[12..14], c);
}

/// Finishes an emitted packet (`buf[..packet_len]`, length field equal to `packet_len`)
/// for `auth`: AuType 0 and 1 fill the authentication field and checksum; AuType 2 signs
/// with the last configured key and the RFC 5709 Apad. `seq` is the cryptographic
/// sequence number (ignored for AuType 0 and 1). Returns the bytes to send.
pub fn sign(buf: &mut [u8], packet_len: usize, auth: &AuthConfig, seq: u32) -> Result<usize> {
    check_packet(buf, packet_len)?;
    match auth {
        AuthConfig::Null => {
            NE::write_u16(&mut buf[14..16], AU_NULL);
            buf[16..24].fill(0);
            fill_checksum(buf, packet_len);
            Ok(packet_len)
        }
        AuthConfig::Simple(p) => {
            NE::write_u16(&mut buf[14..16], AU_SIMPLE);
            buf[16..24].copy_from_slice(p);
            fill_checksum(buf, packet_len);
            Ok(packet_len)
        }
        AuthConfig::Crypto(keys) => {
            let key = keys.last().ok_or(Error::AuthFailed("no key configured"))?;
            sign_crypto(buf, packet_len, key, seq, Apad::Rfc5709)
        }
    }
}

/// Signs with one key (RFC 2328 D.4.3, RFC 5709 §3.3): sets AuType 2, key ID, digest
/// length and `seq`, zeroes the checksum, and writes the digest at `buf[packet_len..]`.
/// Returns `packet_len + digest length`.
pub fn sign_crypto(
    buf: &mut [u8],
    packet_len: usize,
    key: &CryptoKey,
    seq: u32,
    apad: Apad,
) -> Result<usize> {
    check_packet(buf, packet_len)?;
    let dlen = key.algorithm.digest_len();
    let total = packet_len + dlen;
    if buf.len() < total {
        return Err(Error::BufferTooSmall {
            need: total,
            have: buf.len(),
        });
    }
    buf[12..14].fill(0);
    NE::write_u16(&mut buf[14..16], AU_CRYPTO);
    buf[16..18].fill(0);
    buf[18] = key.id;
    buf[19] = dlen as u8;
    NE::write_u32(&mut buf[20..24], seq);
    let mut d = [0u8; MAX_DIGEST_LEN];
    digest(&buf[..packet_len], key, apad, &mut d);
    buf[packet_len..total].copy_from_slice(&d[..dlen]);
    Ok(total)
}

/// Verifies a received packet (`buf` from the OSPF header to the end of the IP payload;
/// `packet_len` from the header) against the interface configuration.
///
/// AuType must match; AuType 0 and 1 verify the checksum (and the password); AuType 2
/// looks up the key by ID, checks the digest length for its algorithm
/// ([`Error::BadAuthLength`]) and the digest (RFC 5709 Apad), in constant time.
pub fn verify(buf: &[u8], packet_len: usize, auth: &AuthConfig) -> Result<Verified> {
    check_packet(buf, packet_len)?;
    let au_type = NE::read_u16(&buf[14..16]);
    if au_type != auth.au_type() {
        return Err(Error::AuthFailed("AuType mismatch"));
    }
    match auth {
        AuthConfig::Null => {
            verify_checksum(buf, packet_len)?;
            Ok(Verified::Null)
        }
        AuthConfig::Simple(p) => {
            verify_checksum(buf, packet_len)?;
            if !ct_eq(&buf[16..24], p) {
                return Err(Error::AuthFailed("wrong password"));
            }
            Ok(Verified::Simple)
        }
        AuthConfig::Crypto(_) => {
            let key = auth
                .key(buf[18])
                .ok_or(Error::AuthFailed("unknown key ID"))?;
            verify_crypto(buf, packet_len, key, Apad::Rfc5709)
        }
    }
}

fn verify_checksum(buf: &[u8], packet_len: usize) -> Result<()> {
    let p = &buf[..packet_len];
    if checksum::verify_packet(p) {
        Ok(())
    } else {
        Err(Error::BadChecksum {
            field: NE::read_u16(&p[12..14]),
            computed: checksum::packet_checksum(p),
        })
    }
}

/// Verifies an AuType 2 packet with one key. Fails with [`Error::AuthFailed`] on a
/// different AuType, key ID or digest, [`Error::BadAuthLength`] when the Auth Data Len
/// is not the algorithm's, [`Error::Truncated`] when the digest is missing.
pub fn verify_crypto(
    buf: &[u8],
    packet_len: usize,
    key: &CryptoKey,
    apad: Apad,
) -> Result<Verified> {
    check_packet(buf, packet_len)?;
    if NE::read_u16(&buf[14..16]) != AU_CRYPTO {
        return Err(Error::AuthFailed("AuType mismatch"));
    }
    if buf[18] != key.id {
        return Err(Error::AuthFailed("unknown key ID"));
    }
    let dlen = key.algorithm.digest_len();
    if usize::from(buf[19]) != dlen {
        return Err(Error::BadAuthLength(usize::from(buf[19])));
    }
    let total = packet_len + dlen;
    let Some(received) = buf.get(packet_len..total) else {
        return Err(Error::Truncated {
            need: total,
            have: buf.len(),
        });
    };
    let mut d = [0u8; MAX_DIGEST_LEN];
    digest(&buf[..packet_len], key, apad, &mut d);
    if !ct_eq(received, &d[..dlen]) {
        return Err(Error::AuthFailed("digest mismatch"));
    }
    Ok(Verified::Crypto {
        key_id: key.id,
        seq: NE::read_u32(&buf[20..24]),
        digest_len: dlen,
    })
}

/// Constant-time equality of two equally long slices.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Fills `out[..digest_len]` with the digest of `packet` (header auth fields already set).
fn digest(packet: &[u8], key: &CryptoKey, apad: Apad, out: &mut [u8; MAX_DIGEST_LEN]) {
    match key.algorithm {
        CryptoAlgorithm::Md5 => {
            // RFC 2328 D.4.3: MD5 over the packet followed by the key padded to 16 bytes.
            let mut k = [0u8; MD5_LEN];
            let s = key.secret();
            k[..s.len()].copy_from_slice(s);
            let mut h = md5::Md5::new();
            h.update(packet);
            h.update(k);
            out[..MD5_LEN].copy_from_slice(&h.finalize());
        }
        CryptoAlgorithm::HmacSha1 => hmac_sha::<sha1::Sha1>(packet, key.secret(), apad, out),
        CryptoAlgorithm::HmacSha256 => hmac_sha::<sha2::Sha256>(packet, key.secret(), apad, out),
        CryptoAlgorithm::HmacSha384 => hmac_sha::<sha2::Sha384>(packet, key.secret(), apad, out),
        CryptoAlgorithm::HmacSha512 => hmac_sha::<sha2::Sha512>(packet, key.secret(), apad, out),
    }
}

/// RFC 5709 §3.3: HMAC over the packet followed by Apad (hash length L).
///
/// The key is used as HMAC (RFC 2104) uses it: hashed when longer than the hash's block
/// size, zero padded otherwise. This is what BIRD and FRR do; RFC 5709's text hashes
/// keys longer than L already, which differs only for keys of L+1 to block-size bytes.
fn hmac_sha<D>(packet: &[u8], secret: &[u8], apad: Apad, out: &mut [u8; MAX_DIGEST_LEN])
where
    D: hmac::EagerHash + Digest,
    hmac::Hmac<D>: KeyInit + Mac,
{
    let l = <D as Digest>::output_size();
    let mut pad = [0u8; MAX_DIGEST_LEN];
    for w in pad.chunks_exact_mut(4) {
        w.copy_from_slice(&APAD_WORD);
    }
    if let Apad::SourceAddress(src) = apad {
        pad[..4].copy_from_slice(&src.octets());
    }
    // Any key length is valid for HMAC.
    let Ok(mut mac) = <hmac::Hmac<D> as KeyInit>::new_from_slice(secret) else {
        return;
    };
    mac.update(packet);
    mac.update(&pad[..l]);
    out[..l].copy_from_slice(&mac.finalize().into_bytes());
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::format;

    fn hello_bytes() -> [u8; 128] {
        let mut b = [0u8; 128];
        // version 2, Hello, length 44, router id 1.1.1.1
        b[..8].copy_from_slice(&[2, 1, 0, 44, 1, 1, 1, 1]);
        b[24..28].copy_from_slice(&[255, 255, 255, 0]);
        b
    }

    #[test]
    fn rfc2328_d_4_2_simple_password() {
        let cfg = AuthConfig::simple(b"plain123").unwrap();
        let mut b = hello_bytes();
        assert_eq!(sign(&mut b, 44, &cfg, 0).unwrap(), 44);
        assert_eq!(verify(&b, 44, &cfg).unwrap(), Verified::Simple);
        let wrong = AuthConfig::simple(b"plain124").unwrap();
        assert_eq!(
            verify(&b, 44, &wrong),
            Err(Error::AuthFailed("wrong password"))
        );
        assert_eq!(
            verify(&b, 44, &AuthConfig::Null),
            Err(Error::AuthFailed("AuType mismatch"))
        );
        assert!(AuthConfig::simple(b"ninechars").is_err());
    }

    #[test]
    fn rfc2328_d_4_3_every_algorithm_signs_and_verifies() {
        use CryptoAlgorithm::*;
        for alg in [Md5, HmacSha1, HmacSha256, HmacSha384, HmacSha512] {
            for secret in [&b"k"[..], b"0123456789abcdef", &[0x5a; 100]] {
                let Ok(key) = CryptoKey::new(3, alg, secret) else {
                    assert!(alg == Md5 && secret.len() > 16);
                    continue;
                };
                let cfg = AuthConfig::crypto(core::slice::from_ref(&key)).unwrap();
                let mut b = hello_bytes();
                let n = sign(&mut b, 44, &cfg, 42).unwrap();
                assert_eq!(n, 44 + alg.digest_len());
                assert_eq!(&b[12..14], &[0, 0]);
                let v = verify(&b[..n], 44, &cfg).unwrap();
                assert_eq!(
                    v,
                    Verified::Crypto {
                        key_id: 3,
                        seq: 42,
                        digest_len: alg.digest_len()
                    }
                );
                // A trailing LLS block does not matter.
                assert!(verify(&b[..n + 8], 44, &cfg).is_ok());
                // Tampering with the body, the sequence number or the digest fails.
                for at in [30, 23, n - 1] {
                    let mut t = b;
                    t[at] ^= 1;
                    assert_eq!(
                        verify(&t[..n], 44, &cfg),
                        Err(Error::AuthFailed("digest mismatch"))
                    );
                }
                // Missing digest, wrong length field.
                assert!(matches!(
                    verify(&b[..n - 1], 44, &cfg),
                    Err(Error::Truncated { .. })
                ));
                let mut t = b;
                t[19] ^= 0x80;
                assert!(matches!(
                    verify(&t[..n], 44, &cfg),
                    Err(Error::BadAuthLength(_))
                ));
                // RFC 7474 source-address Apad differs from RFC 5709's for HMAC.
                if alg != Md5 {
                    let src = Apad::SourceAddress(Ipv4Addr::new(10, 0, 0, 1));
                    let mut s = hello_bytes();
                    sign_crypto(&mut s, 44, &key, 42, src).unwrap();
                    assert_ne!(s[44..n], b[44..n]);
                    assert!(verify_crypto(&s[..n], 44, &key, src).is_ok());
                    assert!(verify_crypto(&s[..n], 44, &key, Apad::Rfc5709).is_err());
                }
            }
        }
    }

    /// HMAC written out from RFC 2104 with the hash alone: H((K0^opad) || H((K0^ipad) || text)).
    fn manual_hmac<D: Digest + Clone>(
        block: usize,
        key: &[u8],
        text: &[&[u8]],
    ) -> std::vec::Vec<u8> {
        let mut k0 = std::vec![0u8; block];
        if key.len() > block {
            let h = D::digest(key);
            k0[..h.len()].copy_from_slice(&h);
        } else {
            k0[..key.len()].copy_from_slice(key);
        }
        let mut inner = D::new();
        inner.update(k0.iter().map(|b| b ^ 0x36).collect::<std::vec::Vec<u8>>());
        for t in text {
            inner.update(t);
        }
        let mut outer = D::new();
        outer.update(k0.iter().map(|b| b ^ 0x5c).collect::<std::vec::Vec<u8>>());
        outer.update(inner.finalize());
        outer.finalize().to_vec()
    }

    #[test]
    fn rfc5709_3_3_digest_is_hmac_over_packet_and_apad() {
        use CryptoAlgorithm::*;
        for (alg, block) in [
            (HmacSha1, 64),
            (HmacSha256, 64),
            (HmacSha384, 128),
            (HmacSha512, 128),
        ] {
            for secret in [&b"hmac-key"[..], &[0xa5; 100], &[0x3c; 128]] {
                let key = CryptoKey::new(9, alg, secret).unwrap();
                let mut b = hello_bytes();
                let n = sign_crypto(&mut b, 44, &key, 77, Apad::Rfc5709).unwrap();
                let l = alg.digest_len();
                let apad: std::vec::Vec<u8> = APAD_WORD.iter().copied().cycle().take(l).collect();
                let text: [&[u8]; 2] = [&b[..44], &apad];
                let want = match alg {
                    HmacSha1 => manual_hmac::<sha1::Sha1>(block, secret, &text),
                    HmacSha256 => manual_hmac::<sha2::Sha256>(block, secret, &text),
                    HmacSha384 => manual_hmac::<sha2::Sha384>(block, secret, &text),
                    _ => manual_hmac::<sha2::Sha512>(block, secret, &text),
                };
                assert_eq!(&b[44..n], &want[..], "{alg:?} key {}", secret.len());
            }
        }
        // Keyed MD5 (RFC 2328 D.4.3): MD5(packet || key padded to 16).
        let key = CryptoKey::new(1, Md5, b"s3cret").unwrap();
        let mut b = hello_bytes();
        let n = sign_crypto(&mut b, 44, &key, 5, Apad::Rfc5709).unwrap();
        let mut h = md5::Md5::new();
        h.update(&b[..44]);
        h.update(b"s3cret\0\0\0\0\0\0\0\0\0\0");
        assert_eq!(&b[44..n], &h.finalize()[..]);
    }

    #[test]
    fn rfc2328_d_3_unknown_key_id_fails() {
        let k1 = CryptoKey::new(1, CryptoAlgorithm::Md5, b"a").unwrap();
        let k2 = CryptoKey::new(2, CryptoAlgorithm::Md5, b"a").unwrap();
        let mut b = hello_bytes();
        let n = sign(&mut b, 44, &AuthConfig::crypto(&[k1]).unwrap(), 1).unwrap();
        let cfg = AuthConfig::crypto(&[k2]).unwrap();
        assert_eq!(
            verify(&b[..n], 44, &cfg),
            Err(Error::AuthFailed("unknown key ID"))
        );
    }

    #[test]
    fn length_mismatch_and_short_buffers_are_errors() {
        let cfg = AuthConfig::Null;
        let mut b = hello_bytes();
        assert!(sign(&mut b, 48, &cfg, 0).is_err());
        assert!(sign(&mut b[..20], 44, &cfg, 0).is_err());
        let key = CryptoKey::new(1, CryptoAlgorithm::HmacSha512, b"x").unwrap();
        assert!(matches!(
            sign_crypto(&mut b[..60], 44, &key, 0, Apad::Rfc5709),
            Err(Error::BufferTooSmall { .. })
        ));
        assert!(format!("{key:?}").contains("redacted"));
    }
}
