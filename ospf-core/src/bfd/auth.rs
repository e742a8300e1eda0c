//! BFD authentication (RFC 5880 §6.7): simple password, keyed and meticulous keyed MD5
//! and SHA-1. Signing and verification of the digest; the sequence number window is the
//! session's (see [`SeqWindow`]).

use md5::Digest;

use super::wire::{
    AUTH_KEYED_MD5, AUTH_KEYED_SHA1, AUTH_METICULOUS_MD5, AUTH_METICULOUS_SHA1, AUTH_SIMPLE,
    AuthSection, MANDATORY_LEN, MAX_PACKET_LEN,
};

/// An authentication type of RFC 5880 §4.2–§4.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthKind {
    /// Simple password (§6.7.2), up to 16 bytes.
    Simple,
    /// Keyed MD5 (§6.7.3), key up to 16 bytes.
    KeyedMd5,
    /// Meticulous keyed MD5 (§6.7.3).
    MeticulousMd5,
    /// Keyed SHA-1 (§6.7.4), key up to 20 bytes.
    KeyedSha1,
    /// Meticulous keyed SHA-1 (§6.7.4).
    MeticulousSha1,
}

impl AuthKind {
    /// The Auth Type on the wire.
    pub fn auth_type(self) -> u8 {
        match self {
            AuthKind::Simple => AUTH_SIMPLE,
            AuthKind::KeyedMd5 => AUTH_KEYED_MD5,
            AuthKind::MeticulousMd5 => AUTH_METICULOUS_MD5,
            AuthKind::KeyedSha1 => AUTH_KEYED_SHA1,
            AuthKind::MeticulousSha1 => AUTH_METICULOUS_SHA1,
        }
    }
    /// Whether the sequence number must rise with every packet.
    pub fn meticulous(self) -> bool {
        matches!(self, AuthKind::MeticulousMd5 | AuthKind::MeticulousSha1)
    }
    /// Longest key (password) the type carries.
    pub fn max_key_len(self) -> usize {
        match self {
            AuthKind::Simple | AuthKind::KeyedMd5 | AuthKind::MeticulousMd5 => 16,
            AuthKind::KeyedSha1 | AuthKind::MeticulousSha1 => 20,
        }
    }
}

/// The authentication a session uses: one key (bfd.AuthType, a key id and its secret).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Auth {
    /// Type.
    pub kind: AuthKind,
    /// Auth Key ID sent and required.
    pub key_id: u8,
    /// Password or key; zero padded to the digest length when hashing.
    pub key: heapless::Vec<u8, 20>,
}

impl Auth {
    /// An authentication setting; `None` when the key is empty or too long for `kind`.
    pub fn new(kind: AuthKind, key_id: u8, key: &[u8]) -> Option<Self> {
        if key.is_empty() || key.len() > kind.max_key_len() {
            return None;
        }
        Some(Auth {
            kind,
            key_id,
            key: heapless::Vec::from_slice(key).ok()?,
        })
    }

    /// The section to emit before [`sign`]: the key in place of the digest (§6.7.3: "the
    /// Auth Key/Digest field is set to the key, padded"), `seq` as Sequence Number.
    pub fn section(&self, seq: u32) -> AuthSection {
        match self.kind {
            AuthKind::Simple => AuthSection::Simple {
                key_id: self.key_id,
                password: heapless::Vec::from_slice(&self.key[..self.key.len().min(16)])
                    .unwrap_or_default(),
            },
            AuthKind::KeyedMd5 | AuthKind::MeticulousMd5 => AuthSection::Md5 {
                meticulous: self.kind.meticulous(),
                key_id: self.key_id,
                reserved: 0,
                seq,
                digest: self.padded(),
            },
            AuthKind::KeyedSha1 | AuthKind::MeticulousSha1 => AuthSection::Sha1 {
                meticulous: self.kind.meticulous(),
                key_id: self.key_id,
                reserved: 0,
                seq,
                hash: self.padded(),
            },
        }
    }

    fn padded<const N: usize>(&self) -> [u8; N] {
        let mut k = [0u8; N];
        let n = self.key.len().min(N);
        k[..n].copy_from_slice(&self.key[..n]);
        k
    }
}

/// Offset of the digest within the packet (mandatory section, type, len, key id, reserved, seq).
const DIGEST_AT: usize = MANDATORY_LEN + 8;

/// Replaces the key that [`Auth::section`] put in the digest field of the emitted packet
/// `pkt` (exactly the packet, Length bytes) with the digest over the packet. A no-op for
/// simple passwords.
pub fn sign(pkt: &mut [u8], auth: &Auth) {
    match auth.kind {
        AuthKind::Simple => {}
        AuthKind::KeyedMd5 | AuthKind::MeticulousMd5 => {
            if pkt.len() >= DIGEST_AT + 16 {
                let d = md5::Md5::digest(&*pkt);
                pkt[DIGEST_AT..DIGEST_AT + 16].copy_from_slice(&d);
            }
        }
        AuthKind::KeyedSha1 | AuthKind::MeticulousSha1 => {
            if pkt.len() >= DIGEST_AT + 20 {
                let d = sha1::Sha1::digest(&*pkt);
                pkt[DIGEST_AT..DIGEST_AT + 20].copy_from_slice(&d);
            }
        }
    }
}

/// Why an authenticated packet was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// The A bit is set but the session has no authentication, or the reverse.
    Presence,
    /// Another Auth Type than the session's.
    Type,
    /// Another key id.
    KeyId,
    /// Wrong password or digest.
    Digest,
    /// The sequence number is outside the window (§6.7.3).
    Sequence,
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks the section `sec` of the received packet `pkt` (its Length bytes) against
/// `auth`: type, key id and password or digest (not the sequence number). Returns the
/// sequence number of keyed types.
pub fn verify(pkt: &[u8], sec: &AuthSection, auth: &Auth) -> Result<Option<u32>, AuthError> {
    if sec.auth_type() != auth.kind.auth_type() {
        return Err(AuthError::Type);
    }
    if sec.key_id() != Some(auth.key_id) {
        return Err(AuthError::KeyId);
    }
    match sec {
        AuthSection::Simple { password, .. } => {
            if ct_eq(password, &auth.key) {
                Ok(None)
            } else {
                Err(AuthError::Digest)
            }
        }
        AuthSection::Md5 { seq, digest, .. } => {
            let mut copy = [0u8; MAX_PACKET_LEN];
            let c = copy.get_mut(..pkt.len()).ok_or(AuthError::Digest)?;
            c.copy_from_slice(pkt);
            let at = c
                .get_mut(DIGEST_AT..DIGEST_AT + 16)
                .ok_or(AuthError::Digest)?;
            at.copy_from_slice(&auth.padded::<16>());
            let d = md5::Md5::digest(&*c);
            if ct_eq(&d, digest) {
                Ok(Some(*seq))
            } else {
                Err(AuthError::Digest)
            }
        }
        AuthSection::Sha1 { seq, hash, .. } => {
            let mut copy = [0u8; MAX_PACKET_LEN];
            let c = copy.get_mut(..pkt.len()).ok_or(AuthError::Digest)?;
            c.copy_from_slice(pkt);
            let at = c
                .get_mut(DIGEST_AT..DIGEST_AT + 20)
                .ok_or(AuthError::Digest)?;
            at.copy_from_slice(&auth.padded::<20>());
            let d = sha1::Sha1::digest(&*c);
            if ct_eq(&d, hash) {
                Ok(Some(*seq))
            } else {
                Err(AuthError::Digest)
            }
        }
        AuthSection::Unknown { .. } => Err(AuthError::Type),
    }
}

/// The receive sequence state of a session (bfd.RcvAuthSeq, bfd.AuthSeqKnown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeqWindow {
    /// bfd.RcvAuthSeq, when bfd.AuthSeqKnown.
    pub last: Option<u32>,
}

impl SeqWindow {
    /// §6.7.3/§6.7.4: with a known sequence, keyed types accept `last ..= last + 3*mult`
    /// and meticulous types `last+1 ..= last + 3*mult` (modulo 2^32). Records `seq` when
    /// accepted.
    pub fn accept(&mut self, seq: u32, detect_mult: u8, meticulous: bool) -> bool {
        if let Some(last) = self.last {
            let ahead = seq.wrapping_sub(last);
            let max = 3 * u32::from(detect_mult);
            let min = u32::from(meticulous);
            if ahead < min || ahead > max {
                return false;
            }
        }
        self.last = Some(seq);
        true
    }
    /// Forgets the sequence (no packet for twice the detection time, §6.7.3).
    pub fn reset(&mut self) {
        self.last = None;
    }
}

#[cfg(test)]
mod tests {
    use super::super::wire::Repr;
    use super::*;

    fn base() -> Repr {
        Repr {
            version: 1,
            diag: super::super::wire::Diag::None,
            state: super::super::wire::State::Down,
            flags: Default::default(),
            detect_mult: 3,
            my_discr: 1,
            your_discr: 0,
            desired_min_tx: 1_000_000,
            required_min_rx: 1_000_000,
            required_min_echo_rx: 0,
            auth: None,
        }
    }

    fn signed(auth: &Auth, seq: u32) -> ([u8; 64], usize) {
        let r = Repr {
            auth: Some(auth.section(seq)),
            ..base()
        };
        let mut b = [0u8; 64];
        let n = r.emit(&mut b).unwrap();
        sign(&mut b[..n], auth);
        (b, n)
    }

    #[test]
    fn rfc5880_6_7_keyed_digests_verify_and_detect_tampering() {
        for kind in [
            AuthKind::KeyedMd5,
            AuthKind::MeticulousMd5,
            AuthKind::KeyedSha1,
            AuthKind::MeticulousSha1,
        ] {
            let auth = Auth::new(kind, 7, b"key").unwrap();
            let (mut b, n) = signed(&auth, 42);
            let r = Repr::decode(&b[..n]).unwrap();
            let sec = r.auth.clone().unwrap();
            // The key must not travel in clear.
            assert!(!b[..n].windows(3).any(|w| w == b"key"));
            assert_eq!(verify(&b[..n], &sec, &auth), Ok(Some(42)));
            let other = Auth::new(kind, 7, b"kez").unwrap();
            assert_eq!(verify(&b[..n], &sec, &other), Err(AuthError::Digest));
            let wrong_id = Auth::new(kind, 8, b"key").unwrap();
            assert_eq!(verify(&b[..n], &sec, &wrong_id), Err(AuthError::KeyId));
            b[12] ^= 1; // tamper with Desired Min TX
            let r = Repr::decode(&b[..n]).unwrap();
            assert_eq!(
                verify(&b[..n], r.auth.as_ref().unwrap(), &auth),
                Err(AuthError::Digest)
            );
        }
    }

    #[test]
    fn rfc5880_6_7_2_simple_password() {
        let auth = Auth::new(AuthKind::Simple, 1, b"pw").unwrap();
        let (b, n) = signed(&auth, 0);
        let r = Repr::decode(&b[..n]).unwrap();
        assert_eq!(verify(&b[..n], r.auth.as_ref().unwrap(), &auth), Ok(None));
        let other = Auth::new(AuthKind::Simple, 1, b"px").unwrap();
        assert_eq!(
            verify(&b[..n], r.auth.as_ref().unwrap(), &other),
            Err(AuthError::Digest)
        );
        let md5 = Auth::new(AuthKind::KeyedMd5, 1, b"pw").unwrap();
        assert_eq!(
            verify(&b[..n], r.auth.as_ref().unwrap(), &md5),
            Err(AuthError::Type)
        );
        assert!(Auth::new(AuthKind::Simple, 1, &[1; 17]).is_none());
        assert!(Auth::new(AuthKind::KeyedSha1, 1, &[1; 20]).is_some());
    }

    #[test]
    fn rfc5880_6_7_3_sequence_windows() {
        let mut w = SeqWindow::default();
        assert!(w.accept(100, 3, false));
        assert!(w.accept(100, 3, false), "keyed accepts an equal number");
        assert!(w.accept(109, 3, false));
        assert!(!w.accept(119, 3, false), "beyond 3 * mult");
        assert!(!w.accept(108, 3, false), "behind");
        let mut m = SeqWindow::default();
        assert!(m.accept(u32::MAX, 3, true));
        assert!(!m.accept(u32::MAX, 3, true), "meticulous refuses a repeat");
        assert!(m.accept(2, 3, true), "wraps");
        m.reset();
        assert!(m.accept(1_000, 3, true));
    }
}
