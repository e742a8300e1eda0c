//! Prefix lengths and network masks, as carried in Hello, Router, Network, Summary and
//! AS-External LSAs.

use core::net::Ipv4Addr;

/// The network mask of a prefix length (lengths above 32 count as 32).
pub const fn prefix_mask(len: u8) -> Ipv4Addr {
    let len = if len > 32 { 32 } else { len as u32 };
    let bits = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Ipv4Addr::from_bits(bits)
}

/// The prefix length of a network mask: its leading one bits (a non-contiguous mask counts
/// only those).
pub const fn mask_len(mask: u32) -> u8 {
    mask.leading_ones() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_mask_and_mask_len_agree() {
        assert_eq!(prefix_mask(0), Ipv4Addr::UNSPECIFIED);
        assert_eq!(prefix_mask(24), Ipv4Addr::new(255, 255, 255, 0));
        assert_eq!(prefix_mask(32), Ipv4Addr::BROADCAST);
        assert_eq!(prefix_mask(40), Ipv4Addr::BROADCAST);
        for len in 0..=32u8 {
            assert_eq!(mask_len(u32::from(prefix_mask(len))), len);
        }
        assert_eq!(mask_len(0xFFFF_00FF), 16);
    }
}
