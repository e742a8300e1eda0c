//! The OSPF packet checksum (RFC 1071) and the LSA Fletcher checksum (RFC 2328 §12.1.7).
//!
//! Both are written as plain chunked loops that the compiler vectorises: the one's
//! complement sum adds 32-bit big-endian words into a 64-bit accumulator and folds once
//! at the end; the Fletcher sums are kept as exact 64-bit integers (no modulo per byte)
//! and reduced modulo 255 once per call.

/// Offset of the packet checksum in the OSPF header.
const PKT_CKSUM: usize = 12;
/// Offset of the 8-byte authentication field in the OSPF header.
const PKT_AUTH: usize = 16;
/// End of the OSPF header.
const PKT_HDR_END: usize = 24;
/// Offset of the Fletcher checksum in an LSA.
const LSA_CKSUM: usize = 16;
/// Length of an LSA header.
const LSA_HDR: usize = 20;

/// Sums `data` as big-endian 16-bit words (odd tail padded with zero) into a wide
/// accumulator; fold it with [`fold`]. `data` must start at an even offset.
#[inline]
fn sum_words(data: &[u8]) -> u64 {
    let mut lanes = [0u64; 4];
    let mut chunks = data.chunks_exact(16);
    for c in &mut chunks {
        for (lane, w) in lanes.iter_mut().zip(c.chunks_exact(4)) {
            *lane += u64::from(u32::from_be_bytes([w[0], w[1], w[2], w[3]]));
        }
    }
    let mut acc = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    let mut words = chunks.remainder().chunks_exact(4);
    for w in &mut words {
        acc += u64::from(u32::from_be_bytes([w[0], w[1], w[2], w[3]]));
    }
    let mut tail = [0u8; 4];
    let rest = words.remainder();
    tail[..rest.len()].copy_from_slice(rest);
    acc + u64::from(u32::from_be_bytes(tail))
}

/// Folds a wide one's complement sum into 16 bits (end-around carry).
#[inline]
fn fold(mut s: u64) -> u16 {
    while s >> 16 != 0 {
        s = (s & 0xffff) + (s >> 16);
    }
    s as u16
}

/// The RFC 1071 Internet checksum of `data`: the one's complement of the one's
/// complement sum of its 16-bit words (an odd last byte is padded with zero).
#[inline]
pub fn ip(data: &[u8]) -> u16 {
    !fold(sum_words(data))
}

/// One's complement sum of an OSPF packet with the checksum and authentication fields
/// taken as zero.
#[inline]
fn packet_sum(packet: &[u8]) -> u64 {
    let head = packet.get(..PKT_CKSUM).unwrap_or(packet);
    let mut s = sum_words(head);
    if let Some(autype) = packet.get(PKT_CKSUM + 2..PKT_AUTH) {
        s += sum_words(autype);
    }
    if let Some(body) = packet.get(PKT_HDR_END..) {
        s += sum_words(body);
    }
    s
}

/// The checksum to put in an OSPF packet (RFC 2328 A.3.1, D.4.1): RFC 1071 over the whole
/// packet (exactly `packet length` bytes) excluding the 64-bit authentication field, with
/// the checksum field taken as zero.
#[inline]
pub fn packet_checksum(packet: &[u8]) -> u16 {
    !fold(packet_sum(packet))
}

/// True when the checksum field of `packet` (exactly `packet length` bytes) verifies.
/// Accepts both one's complement zeros (`0x0000` and `0xffff`).
#[inline]
pub fn verify_packet(packet: &[u8]) -> bool {
    let Some(field) = packet.get(PKT_CKSUM..PKT_CKSUM + 2) else {
        return false;
    };
    if packet.len() < PKT_HDR_END {
        return false;
    }
    let s = packet_sum(packet) + u64::from(u16::from_be_bytes([field[0], field[1]]));
    fold(s) == 0xffff
}

/// Exact (unreduced) Fletcher sums of `data`: `c0 = Σ b[i]`, `c1 = Σ (n - i)·b[i]`.
///
/// Exact in 64 bits for inputs below 2^28 bytes, far above any LSA (at most 65535 bytes);
/// longer inputs are reduced every 2^24 bytes.
#[inline]
fn fletcher_sums(data: &[u8]) -> (u64, u64) {
    const BLOCK: usize = 1 << 24;
    let mut c0: u64 = 0;
    let mut c1: u64 = 0;
    for block in data.chunks(BLOCK) {
        let mut chunks = block.chunks_exact(32);
        for ch in &mut chunks {
            // Within a 32-byte chunk: s = Σ b, w = Σ (32 - j)·b, both fit u32.
            let mut s: u32 = 0;
            let mut w: u32 = 0;
            for (j, &b) in ch.iter().enumerate() {
                s += u32::from(b);
                w += (32 - j as u32) * u32::from(b);
            }
            c1 += 32 * c0 + u64::from(w);
            c0 += u64::from(s);
        }
        for &b in chunks.remainder() {
            c0 += u64::from(b);
            c1 += c0;
        }
        if data.len() > BLOCK {
            c0 %= 255;
            c1 %= 255;
        }
    }
    (c0, c1)
}

/// The Fletcher checksum of an LSA (RFC 2328 §12.1.7, RFC 905 Annex B): computed over
/// the LSA without its 2-byte LS age, the checksum field (LSA offset 16) taken as zero.
/// `lsa` must be exactly the LSA (`length` bytes). Returns 0 for inputs shorter than an
/// LSA header.
#[inline]
pub fn lsa_fletcher(lsa: &[u8]) -> u16 {
    if lsa.len() < LSA_HDR {
        return 0;
    }
    let data = &lsa[2..];
    let n = data.len() as u64;
    let (mut c0, mut c1) = fletcher_sums(data);
    // Remove the contribution of the current checksum bytes (data offsets 14 and 15).
    let x = u64::from(lsa[LSA_CKSUM]);
    let y = u64::from(lsa[LSA_CKSUM + 1]);
    if n < (1 << 24) {
        c0 -= x + y;
        c1 -= (n - 14) * x + (n - 15) * y;
        c0 %= 255;
        c1 %= 255;
    } else {
        c0 = (c0 + 2 * 255 - x - y) % 255;
        c1 = (c1 + 255 * 255 * 2 - ((n - 14) % 255) * x - ((n - 15) % 255) * y) % 255;
    }
    // Checksum octets at (1-based) position p = 15 of n: X = (n-p)·c0 - c1, Y = c1 - (n-p+1)·c0.
    let k = (n - 15) % 255;
    let mut cx = ((k * c0) % 255 + 255 - c1) % 255;
    let mut cy = (c1 + 255 * 2 - ((k + 1) % 255) * c0 % 255) % 255;
    if cx == 0 {
        cx = 255;
    }
    if cy == 0 {
        cy = 255;
    }
    ((cx as u16) << 8) | cy as u16
}

/// True when the Fletcher checksum of `lsa` (exactly the LSA's `length` bytes) verifies:
/// both Fletcher sums over the LSA without its age are 0 modulo 255.
#[inline]
pub fn verify_lsa(lsa: &[u8]) -> bool {
    if lsa.len() < LSA_HDR {
        return false;
    }
    let (c0, c1) = fletcher_sums(&lsa[2..]);
    c0 % 255 == 0 && c1 % 255 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_ip(data: &[u8]) -> u16 {
        let mut s: u32 = 0;
        for pair in data.chunks(2) {
            let hi = u32::from(pair[0]) << 8;
            let lo = pair.get(1).map_or(0, |&b| u32::from(b));
            s += hi | lo;
            s = (s & 0xffff) + (s >> 16);
        }
        !(s as u16)
    }

    fn naive_fletcher(lsa: &[u8]) -> u16 {
        let mut d = lsa[2..].to_vec();
        d[14] = 0;
        d[15] = 0;
        let (mut c0, mut c1) = (0i64, 0i64);
        for &b in &d {
            c0 = (c0 + i64::from(b)) % 255;
            c1 = (c1 + c0) % 255;
        }
        let n = d.len() as i64;
        let mut x = ((n - 15) * c0 - c1).rem_euclid(255);
        if x == 0 {
            x = 255;
        }
        let mut y = 510 - c0 - x;
        if y > 255 {
            y -= 255;
        }
        ((x as u16) << 8) | y as u16
    }

    #[test]
    fn rfc1071_matches_naive_sum() {
        let mut data = [0u8; 257];
        for (i, b) in data.iter_mut().enumerate() {
            *b = (i * 37 + 11) as u8;
        }
        for len in 0..data.len() {
            assert_eq!(ip(&data[..len]), naive_ip(&data[..len]), "len {len}");
        }
    }

    #[test]
    fn rfc2328_12_1_7_fletcher_matches_naive() {
        let mut data = [0u8; 400];
        for (i, b) in data.iter_mut().enumerate() {
            *b = (i * 97 + 5) as u8 ^ 0xa5;
        }
        for len in (20..data.len()).step_by(4) {
            let mut lsa = data[..len].to_vec();
            let c = lsa_fletcher(&lsa);
            assert_eq!(c, naive_fletcher(&lsa), "len {len}");
            lsa[16..18].copy_from_slice(&c.to_be_bytes());
            assert!(verify_lsa(&lsa), "len {len}");
            // the age does not take part
            lsa[0] ^= 0xff;
            assert!(verify_lsa(&lsa));
            lsa[19] ^= 1;
            assert!(!verify_lsa(&lsa));
        }
    }

    #[test]
    fn rfc2328_d_4_1_packet_checksum_skips_auth() {
        let mut p = [0u8; 44];
        for (i, b) in p.iter_mut().enumerate() {
            *b = i as u8 * 3;
        }
        let c = packet_checksum(&p);
        p[12..14].copy_from_slice(&c.to_be_bytes());
        assert!(verify_packet(&p));
        p[16..24].copy_from_slice(b"anything");
        assert!(verify_packet(&p));
        p[30] ^= 0x40;
        assert!(!verify_packet(&p));
        let mut z = p;
        z[16..24].fill(0);
        z[12..14].fill(0);
        assert_eq!(packet_checksum(&p), ip(&z));
    }

    #[test]
    fn short_inputs_do_not_panic() {
        for len in 0..24 {
            let d = [7u8; 24];
            let _ = packet_checksum(&d[..len]);
            assert!(!verify_packet(&d[..len]));
            let _ = lsa_fletcher(&d[..len]);
            assert!(len >= 20 || !verify_lsa(&d[..len]));
        }
    }
}
