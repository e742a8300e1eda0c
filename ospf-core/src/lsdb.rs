//! The link-state database (RFC 2328 §12–§14): LSAs stored as their raw bytes, keyed by
//! (LS type, Link State ID, Advertising Router), one [`Lsdb`] per flooding scope.
//!
//! Each entry holds the LSA's whole wire image (a `Box<[u8]>`, header included) and the
//! instant it was installed; the header is read from the bytes on demand, so an entry costs
//! its raw bytes plus a few dozen bytes of map overhead. The LS age is never rewritten while
//! the LSA sits in the database: [`LsaEntry::age`] adds the time since installation.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use core::cmp::Ordering;
use core::net::Ipv4Addr;

use crate::time::{Duration, Instant};
use crate::wire::{FixedItem, LSA_HEADER_LEN, LsaHeader, LsaType};

/// MaxAge (RFC 2328 B): an LSA of this age is being flushed.
pub const MAX_AGE: u16 = 3600;
/// LSRefreshTime: self-originated LSAs are refreshed at this age.
pub const LS_REFRESH_TIME: u16 = 1800;
/// Self-originated LSAs are refreshed up to this many seconds before LSRefreshTime,
/// each at its own offset ([`refresh_age`]).
pub const LS_REFRESH_SPREAD: u16 = LS_REFRESH_TIME / 10;

/// The age at which our LSA `key` is refreshed: LSRefreshTime minus an offset in
/// `0..LS_REFRESH_SPREAD` derived from the key and the instance's jitter seed. LSAs
/// originated together (a big redistribution, a restart) are thus refreshed spread over
/// a few minutes instead of in one burst, and each keeps its own steady period.
pub fn refresh_age(seed: u64, key: &LsaKey) -> u16 {
    // splitmix64 finalizer over the key: well spread, stable for a seed.
    let mut x = seed
        ^ (u64::from(key.lsa_type) << 56)
        ^ (u64::from(u32::from(key.lsid)) << 24)
        ^ u64::from(u32::from(key.adv_router)).rotate_left(40);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    LS_REFRESH_TIME - (x % u64::from(LS_REFRESH_SPREAD)) as u16
}

/// MaxAgeDiff: ages further apart than this mean different instances.
pub const MAX_AGE_DIFF: u16 = 900;
/// CheckAge: the interval at which LSA checksums are re-verified.
pub const CHECK_AGE: u16 = 300;
/// InitialSequenceNumber.
pub const INITIAL_SEQ: u32 = 0x8000_0001;
/// MaxSequenceNumber.
pub const MAX_SEQ: u32 = 0x7FFF_FFFF;
/// The reserved sequence number 0x80000000 (RFC 2328 §12.1.6: "unused"): an LSA
/// carrying it is never installed nor flooded.
pub const RESERVED_SEQ: u32 = 0x8000_0000;
/// MinLSInterval: at most one origination of an LSA per this span.
pub const MIN_LS_INTERVAL: Duration = Duration::from_secs(5);
/// MinLSArrival: at most one accepted instance of an LSA per this span.
pub const MIN_LS_ARRIVAL: Duration = Duration::from_secs(1);
/// How long the instance of a removed MaxAge LSA is remembered: a late duplicate of it
/// (a live copy still in flight when the flush went out) arriving after the removal is
/// discarded instead of being installed as new and lingering until MaxAge.
pub const REMOVED_MEMORY: Duration = MIN_LS_ARRIVAL;

/// Identifies an LSA: (LS type, Link State ID, Advertising Router).
///
/// 9 bytes, ordered by type, then Link State ID, then Advertising Router.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LsaKey {
    /// LS type (raw value).
    pub lsa_type: u8,
    /// Link State ID.
    pub lsid: Ipv4Addr,
    /// Advertising router.
    pub adv_router: Ipv4Addr,
}

impl LsaKey {
    /// A key.
    pub fn new(lsa_type: LsaType, lsid: Ipv4Addr, adv_router: Ipv4Addr) -> Self {
        LsaKey {
            lsa_type: lsa_type.into(),
            lsid,
            adv_router,
        }
    }
    /// The key of an LSA header.
    pub fn of(h: &LsaHeader) -> Self {
        LsaKey {
            lsa_type: h.lsa_type.into(),
            lsid: h.lsid,
            adv_router: h.adv_router,
        }
    }
    /// The LS type.
    pub fn ls_type(&self) -> LsaType {
        LsaType::from(self.lsa_type)
    }
    /// Reads the key from the first 12 bytes of an LSA header (`None` if too short).
    pub fn from_raw(raw: &[u8]) -> Option<Self> {
        let b = raw.get(..12)?;
        Some(LsaKey {
            lsa_type: b[3],
            lsid: Ipv4Addr::new(b[4], b[5], b[6], b[7]),
            adv_router: Ipv4Addr::new(b[8], b[9], b[10], b[11]),
        })
    }
}

/// The flooding scope of an LSA (RFC 2328 §12.1.3, RFC 5250).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Link-local (type 9): one interface, by ifindex.
    Link(u32),
    /// Area (types 1, 2, 3, 4, 7, 10).
    Area(Ipv4Addr),
    /// The whole AS (types 5, 11).
    As,
}

/// The scope class of an LS type: `None` for types this engine does not know.
pub(crate) fn scope_class(t: LsaType) -> Option<ScopeClass> {
    match t {
        LsaType::Router
        | LsaType::Network
        | LsaType::SummaryNetwork
        | LsaType::SummaryAsbr
        | LsaType::Nssa
        | LsaType::OpaqueArea => Some(ScopeClass::Area),
        LsaType::AsExternal | LsaType::OpaqueAs => Some(ScopeClass::As),
        LsaType::OpaqueLink => Some(ScopeClass::Link),
        LsaType::Unknown(_) => None,
    }
}

/// True for the opaque LS types 9, 10 and 11 (RFC 5250).
pub(crate) fn is_opaque(lsa_type: u8) -> bool {
    matches!(lsa_type, 9..=11)
}

/// Which kind of [`Scope`] an LS type floods in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeClass {
    Link,
    Area,
    As,
}

/// One stored LSA: its raw bytes and when they were installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LsaEntry {
    raw: Box<[u8]>,
    installed: Instant,
}

impl LsaEntry {
    /// Wraps raw LSA bytes (the caller has checked length ≥ 20) installed at `now`.
    pub(crate) fn new(raw: Box<[u8]>, now: Instant) -> Self {
        LsaEntry {
            raw,
            installed: now,
        }
    }
    /// The LSA's wire image, with the LS age it had when installed.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }
    /// The header as installed (its age field is the age at installation).
    pub fn header(&self) -> LsaHeader {
        LsaHeader::read(&self.raw[..LSA_HEADER_LEN])
    }
    /// When the LSA was installed.
    pub fn installed(&self) -> Instant {
        self.installed
    }
    /// The LS sequence number.
    pub fn seq(&self) -> u32 {
        u32::from_be_bytes([self.raw[12], self.raw[13], self.raw[14], self.raw[15]])
    }
    /// The LS checksum.
    pub fn checksum(&self) -> u16 {
        u16::from_be_bytes([self.raw[16], self.raw[17]])
    }
    /// The advertising router.
    pub fn adv_router(&self) -> Ipv4Addr {
        Ipv4Addr::new(self.raw[8], self.raw[9], self.raw[10], self.raw[11])
    }
    fn stored_age(&self) -> u16 {
        u16::from_be_bytes([self.raw[0], self.raw[1]]) & 0x7FFF
    }
    /// The LS age at `now`, capped at MaxAge.
    pub fn age(&self, now: Instant) -> u16 {
        let stored = self.stored_age();
        if stored >= MAX_AGE {
            return MAX_AGE;
        }
        let elapsed = (now - self.installed).as_secs();
        let age = u64::from(stored).saturating_add(elapsed);
        age.min(u64::from(MAX_AGE)) as u16
    }
    /// True when the LSA has reached MaxAge at `now`.
    pub fn is_max_age(&self, now: Instant) -> bool {
        self.age(now) >= MAX_AGE
    }
    /// The instance identity used by §13.1 comparisons at `now`.
    pub fn instance(&self, now: Instant) -> LsaInstance {
        LsaInstance {
            seq: self.seq(),
            checksum: self.checksum(),
            age: self.age(now),
        }
    }
    /// Sets the stored age to MaxAge (premature aging, RFC 2328 §14.1).
    pub(crate) fn set_max_age(&mut self, now: Instant) {
        self.raw[0..2].copy_from_slice(&MAX_AGE.to_be_bytes());
        self.installed = now;
    }
    /// The LSA body (after the header).
    pub fn body(&self) -> &[u8] {
        &self.raw[LSA_HEADER_LEN..]
    }
}

/// The fields that tell LSA instances apart (RFC 2328 §13.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LsaInstance {
    /// LS sequence number (compare as signed).
    pub seq: u32,
    /// LS checksum.
    pub checksum: u16,
    /// LS age.
    pub age: u16,
}

impl LsaInstance {
    /// The instance of a header.
    pub fn of(h: &LsaHeader) -> Self {
        LsaInstance {
            seq: h.seq,
            checksum: h.checksum,
            age: h.age & 0x7FFF,
        }
    }
}

/// Compares two instances of the same LSA (RFC 2328 §13.1): `Greater` when `a` is more
/// recent than `b`, `Equal` when they are the same instance.
pub fn compare_instances(a: LsaInstance, b: LsaInstance) -> Ordering {
    let (sa, sb) = (a.seq as i32, b.seq as i32);
    if sa != sb {
        return sa.cmp(&sb);
    }
    if a.checksum != b.checksum {
        return a.checksum.cmp(&b.checksum);
    }
    let (aa, ab) = (a.age.min(MAX_AGE), b.age.min(MAX_AGE));
    if aa == MAX_AGE && ab != MAX_AGE {
        return Ordering::Greater;
    }
    if ab == MAX_AGE && aa != MAX_AGE {
        return Ordering::Less;
    }
    if aa.abs_diff(ab) > MAX_AGE_DIFF {
        // The younger one is more recent.
        return ab.cmp(&aa);
    }
    Ordering::Equal
}

/// The LSAs of one flooding scope.
#[derive(Debug, Clone, Default)]
pub struct Lsdb {
    map: BTreeMap<LsaKey, LsaEntry>,
}

impl Lsdb {
    /// An empty database.
    pub fn new() -> Self {
        Lsdb::default()
    }
    /// Number of LSAs.
    pub fn len(&self) -> usize {
        self.map.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// The entry for `key`.
    pub fn get(&self, key: &LsaKey) -> Option<&LsaEntry> {
        self.map.get(key)
    }
    pub(crate) fn get_mut(&mut self, key: &LsaKey) -> Option<&mut LsaEntry> {
        self.map.get_mut(key)
    }
    /// Installs raw LSA bytes (whose header was validated), returning the replaced entry.
    ///
    /// Fails (returns `Err` with the bytes) when `raw` is shorter than an LSA header.
    pub fn insert(&mut self, raw: Box<[u8]>, now: Instant) -> Result<Option<LsaEntry>, Box<[u8]>> {
        let Some(key) = LsaKey::from_raw(&raw) else {
            return Err(raw);
        };
        if raw.len() < LSA_HEADER_LEN {
            return Err(raw);
        }
        Ok(self.map.insert(key, LsaEntry::new(raw, now)))
    }
    /// Removes an LSA.
    pub fn remove(&mut self, key: &LsaKey) -> Option<LsaEntry> {
        self.map.remove(key)
    }
    /// Iterates in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&LsaKey, &LsaEntry)> + '_ {
        self.map.iter()
    }
    /// Iterates from the first key strictly after `after` (or from the start).
    pub fn iter_after(
        &self,
        after: Option<LsaKey>,
    ) -> impl Iterator<Item = (&LsaKey, &LsaEntry)> + '_ {
        use core::ops::Bound;
        let lo = match after {
            Some(k) => Bound::Excluded(k),
            None => Bound::Unbounded,
        };
        self.map.range((lo, Bound::Unbounded))
    }
}

/// The Fletcher checksum of an LSA (RFC 2328 §12.1.7, RFC 905 annex B), computed over
/// everything but the LS age, the checksum field (bytes 16–17) taken as zero: the value
/// that field must hold. `None` when `lsa` is shorter than a header.
pub fn lsa_checksum(lsa: &[u8]) -> Option<u16> {
    (lsa.len() >= LSA_HEADER_LEN).then(|| crate::wire::checksum::lsa_fletcher(lsa))
}

/// True when an LSA's Fletcher checksum verifies (and is not zero).
pub fn lsa_checksum_ok(lsa: &[u8]) -> bool {
    let Some(field) = lsa.get(16..18) else {
        return false;
    };
    let field = u16::from_be_bytes([field[0], field[1]]);
    field != 0 && crate::wire::checksum::verify_lsa(lsa)
}

/// Sets the Fletcher checksum of an LSA in place.
pub(crate) fn set_lsa_checksum(lsa: &mut [u8]) {
    if let Some(ck) = lsa_checksum(lsa) {
        lsa[16..18].copy_from_slice(&ck.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lsa(seq: u32, age: u16) -> alloc::vec::Vec<u8> {
        let mut v = alloc::vec![0u8; 36];
        v[0..2].copy_from_slice(&age.to_be_bytes());
        v[2] = 0x02;
        v[3] = 5;
        v[4..8].copy_from_slice(&[10, 1, 2, 0]);
        v[8..12].copy_from_slice(&[1, 1, 1, 1]);
        v[12..16].copy_from_slice(&seq.to_be_bytes());
        v[18..20].copy_from_slice(&36u16.to_be_bytes());
        v[20..24].copy_from_slice(&[255, 255, 255, 0]);
        v[24] = 0x80;
        v[27] = 20;
        set_lsa_checksum(&mut v);
        v
    }

    #[test]
    fn rfc2328_12_1_7_checksum_roundtrip() {
        let mut v = lsa(INITIAL_SEQ, 1);
        assert!(lsa_checksum_ok(&v));
        // Age is not covered.
        v[1] = 99;
        assert!(lsa_checksum_ok(&v));
        v[30] ^= 1;
        assert!(!lsa_checksum_ok(&v));
    }

    #[test]
    fn rfc2328_13_1_instance_comparison() {
        let i = |seq: u32, checksum: u16, age: u16| LsaInstance { seq, checksum, age };
        // Sequence numbers are signed.
        assert_eq!(
            compare_instances(i(INITIAL_SEQ + 1, 0, 0), i(INITIAL_SEQ, 0, 0)),
            Ordering::Greater
        );
        assert_eq!(
            compare_instances(i(1, 0, 0), i(0xFFFF_FFFF, 0, 0)),
            Ordering::Greater
        );
        assert_eq!(compare_instances(i(5, 9, 0), i(5, 8, 0)), Ordering::Greater);
        assert_eq!(
            compare_instances(i(5, 9, MAX_AGE), i(5, 9, 10)),
            Ordering::Greater
        );
        assert_eq!(
            compare_instances(i(5, 9, 10), i(5, 9, 1000)),
            Ordering::Greater
        );
        assert_eq!(
            compare_instances(i(5, 9, 10), i(5, 9, 800)),
            Ordering::Equal
        );
    }

    #[test]
    fn rfc2328_14_aging_in_place() {
        let mut db = Lsdb::new();
        let t0 = Instant::from_secs(100);
        db.insert(lsa(INITIAL_SEQ, 10).into_boxed_slice(), t0)
            .unwrap();
        let key = LsaKey::from_raw(&lsa(0, 0)).unwrap();
        let e = db.get(&key).unwrap();
        assert_eq!(e.age(t0 + Duration::from_secs(5)), 15);
        assert_eq!(e.age(t0 + Duration::from_secs(10_000)), MAX_AGE);
        assert!(!e.is_max_age(t0));
    }
}
