//! IPv4 prefixes: the one prefix type of the project (routes, FIB, configuration,
//! control commands).

use core::fmt;
use core::net::Ipv4Addr;

fn len_mask(len: u8) -> u32 {
    u32::from(crate::wire::prefix_mask(len))
}

/// An IPv4 prefix, always stored canonical (host bits cleared).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefix {
    addr: Ipv4Addr,
    len: u8,
}

impl Prefix {
    /// `addr/len`, with the host bits cleared and `len` capped at 32.
    pub fn new(addr: Ipv4Addr, len: u8) -> Self {
        let len = len.min(32);
        Prefix {
            addr: Ipv4Addr::from(u32::from(addr) & len_mask(len)),
            len,
        }
    }
    /// `addr/len` with the host bits cleared; `None` when `len > 32`.
    pub fn try_new(addr: Ipv4Addr, len: u8) -> Option<Self> {
        (len <= 32).then(|| Prefix::new(addr, len))
    }
    /// The host prefix `addr/32`.
    pub const fn host(addr: Ipv4Addr) -> Self {
        Prefix { addr, len: 32 }
    }
    /// The network address.
    pub const fn addr(&self) -> Ipv4Addr {
        self.addr
    }
    /// The prefix length.
    pub const fn prefix_len(&self) -> u8 {
        self.len
    }
    /// Whether this is the default route 0.0.0.0/0.
    pub const fn is_default(&self) -> bool {
        self.len == 0
    }
    /// The network mask.
    pub fn mask(&self) -> Ipv4Addr {
        Ipv4Addr::from(len_mask(self.len))
    }
    /// Whether `a` lies inside the prefix.
    pub fn contains(&self, a: Ipv4Addr) -> bool {
        u32::from(a) & len_mask(self.len) == u32::from(self.addr)
    }
    /// Whether `other` lies inside this prefix (it is this prefix or a more specific one).
    pub fn covers(&self, other: Prefix) -> bool {
        other.len >= self.len && self.contains(other.addr)
    }
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))]
    pub(crate) fn key(&self) -> u64 {
        (u64::from(u32::from(self.addr)) << 8) | u64::from(self.len)
    }
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))]
    pub(crate) fn from_key(k: u64) -> Self {
        Prefix {
            addr: Ipv4Addr::from((k >> 8) as u32),
            len: (k & 0xFF) as u8,
        }
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// Why a string is not an IPv4 prefix (`A.B.C.D/M`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PrefixParseError {
    /// The part before `/` is not an IPv4 address.
    #[error("bad address (expected A.B.C.D)")]
    BadAddress,
    /// The length is not a number from 0 to 32.
    #[error("bad prefix length (0-32)")]
    BadLength,
    /// Bits are set in the address beyond the prefix length (`10.0.0.1/24`).
    #[error("host bits set (the network is {0})")]
    HostBits(Prefix),
}

impl core::str::FromStr for Prefix {
    type Err = PrefixParseError;
    /// Parses `A.B.C.D/M` strictly: the host bits must be clear (see
    /// [`Prefix::parse_lenient`] for an address with its length, as on an interface).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let p = Prefix::parse_lenient(s)?;
        if p.addr
            != s.split('/')
                .next()
                .and_then(|a| a.parse().ok())
                .unwrap_or(p.addr)
        {
            return Err(PrefixParseError::HostBits(p));
        }
        Ok(p)
    }
}

impl Prefix {
    /// Parses `A.B.C.D/M` (or a bare address as a /32), clearing any host bits.
    pub fn parse_lenient(s: &str) -> Result<Self, PrefixParseError> {
        let s = s.trim();
        let (a, l) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr: Ipv4Addr = a.parse().map_err(|_| PrefixParseError::BadAddress)?;
        let len = match l {
            Some(l) => l
                .parse::<u8>()
                .ok()
                .filter(|l| *l <= 32)
                .ok_or(PrefixParseError::BadLength)?,
            None => 32,
        };
        Ok(Prefix::new(addr, len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_clears_host_bits_and_try_new_refuses_long_lengths() {
        let p = Prefix::new(Ipv4Addr::new(10, 1, 2, 3), 16);
        assert_eq!(p.addr(), Ipv4Addr::new(10, 1, 0, 0));
        assert_eq!(p.prefix_len(), 16);
        assert_eq!(
            Prefix::new(Ipv4Addr::new(1, 2, 3, 4), 0).addr(),
            Ipv4Addr::UNSPECIFIED
        );
        assert!(Prefix::try_new(Ipv4Addr::LOCALHOST, 33).is_none());
        assert_eq!(
            Prefix::try_new(Ipv4Addr::LOCALHOST, 8),
            Some(Prefix::new(Ipv4Addr::LOCALHOST, 8))
        );
        let h = Prefix::host(Ipv4Addr::new(172, 16, 0, 1));
        assert_eq!(
            (h.addr(), h.prefix_len()),
            (Ipv4Addr::new(172, 16, 0, 1), 32)
        );
        assert!(h.contains(Ipv4Addr::new(172, 16, 0, 1)));
        assert!(!h.contains(Ipv4Addr::new(172, 16, 0, 2)));
    }

    #[test]
    fn parse_is_strict_about_host_bits_and_lenient_parse_is_not() {
        let p: Prefix = "172.16.0.0/12".parse().unwrap();
        assert_eq!(p, Prefix::new(Ipv4Addr::new(172, 16, 0, 0), 12));
        assert_eq!(
            "10.0.0.1/24".parse::<Prefix>(),
            Err(PrefixParseError::HostBits(Prefix::new(
                Ipv4Addr::new(10, 0, 0, 0),
                24
            )))
        );
        assert_eq!(
            Prefix::parse_lenient("10.0.0.1/24"),
            Ok(Prefix::new(Ipv4Addr::new(10, 0, 0, 0), 24))
        );
        assert_eq!(
            "172.16.0.1".parse::<Prefix>(),
            Ok(Prefix::host(Ipv4Addr::new(172, 16, 0, 1)))
        );
        assert_eq!(
            "10.0.0.0/33".parse::<Prefix>(),
            Err(PrefixParseError::BadLength)
        );
        assert_eq!(
            "10.0.0.0/x".parse::<Prefix>(),
            Err(PrefixParseError::BadLength)
        );
        assert_eq!(
            "10.0.0/8".parse::<Prefix>(),
            Err(PrefixParseError::BadAddress)
        );
        assert_eq!("".parse::<Prefix>(), Err(PrefixParseError::BadAddress));
        assert_eq!(alloc_free_display(p), "172.16.0.0/12");
    }

    fn alloc_free_display(p: Prefix) -> heapless::String<18> {
        use core::fmt::Write;
        let mut s = heapless::String::new();
        write!(s, "{p}").unwrap();
        s
    }
}
