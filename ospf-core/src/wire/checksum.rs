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

/// Sums `data` as little-endian 32-bit words (odd tail padded with zero) into a wide
/// accumulator; fold it with [`fold`].
///
/// The one's complement sum does not depend on byte order (RFC 1071 §2(B)): summing
/// native little-endian words and swapping the folded result gives the big-endian sum,
/// without swapping every word. `data` must start at an even offset.
#[inline]
fn sum_words(data: &[u8]) -> u64 {
    let mut lanes = [0u64; 4];
    let mut chunks = data.chunks_exact(16);
    for c in &mut chunks {
        for (lane, w) in lanes.iter_mut().zip(c.chunks_exact(4)) {
            *lane += u64::from(u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
        }
    }
    let mut acc = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    let mut words = chunks.remainder().chunks_exact(4);
    for w in &mut words {
        acc += u64::from(u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    }
    let mut tail = [0u8; 4];
    let rest = words.remainder();
    tail[..rest.len()].copy_from_slice(rest);
    acc + u64::from(u32::from_le_bytes(tail))
}

/// Folds a wide one's complement sum of little-endian words into 16 bits (end-around
/// carry) and returns it in big-endian (network) order.
#[inline]
fn fold(mut s: u64) -> u16 {
    while s >> 16 != 0 {
        s = (s & 0xffff) + (s >> 16);
    }
    (s as u16).swap_bytes()
}

/// The RFC 1071 Internet checksum of `data`: the one's complement of the one's
/// complement sum of its 16-bit words (an odd last byte is padded with zero).
#[inline]
pub fn ip(data: &[u8]) -> u16 {
    !fold(sum_words(data))
}

/// Sum of the packet's 32-bit words (as [`sum_words`]) with the checksum
/// and authentication fields taken as zero; `with_checksum` keeps the checksum field.
#[inline]
fn packet_sum(packet: &[u8], with_checksum: bool) -> u64 {
    let Some(hdr) = packet.get(..PKT_HDR_END) else {
        // Too short to hold the fields: sum what is there, fields zeroed.
        let mut b = [0u8; PKT_HDR_END];
        b[..packet.len()].copy_from_slice(packet);
        b[PKT_AUTH..].fill(0);
        if !with_checksum {
            b[PKT_CKSUM..PKT_CKSUM + 2].fill(0);
        }
        return sum_words(&b[..packet.len()]);
    };
    let word = |at: usize| {
        u64::from(u32::from_le_bytes([
            hdr[at],
            hdr[at + 1],
            hdr[at + 2],
            hdr[at + 3],
        ]))
    };
    // Exact integer sums: subtracting the included words is exact.
    let mut s = sum_words(packet) - word(PKT_AUTH) - word(PKT_AUTH + 4);
    if !with_checksum {
        s -= u64::from(u16::from_le_bytes([hdr[PKT_CKSUM], hdr[PKT_CKSUM + 1]]));
    }
    s
}

/// The checksum to put in an OSPF packet (RFC 2328 A.3.1, D.4.1): RFC 1071 over the whole
/// packet (exactly `packet length` bytes) excluding the 64-bit authentication field, with
/// the checksum field taken as zero.
#[inline]
pub fn packet_checksum(packet: &[u8]) -> u16 {
    !fold(packet_sum(packet, false))
}

/// True when the checksum field of `packet` (exactly `packet length` bytes) verifies.
/// Accepts both one's complement zeros (`0x0000` and `0xffff`).
#[inline]
pub fn verify_packet(packet: &[u8]) -> bool {
    packet.len() >= PKT_HDR_END && fold(packet_sum(packet, true)) == 0xffff
}

/// Bytes per vector chunk of the Fletcher loop.
const CHUNK: usize = 32;
/// Chunks per inner group, summed in 16-bit lanes without overflow.
const GROUP: usize = 16;
/// Bytes per block whose 32-bit lane sums cannot overflow.
const BLOCK: usize = 1 << 16;

/// Exact Fletcher sums of one block of at most [`BLOCK`] bytes: `(Σ b[i], Σ (n - i)·b[i])`.
///
/// Per-position lane sums: `a[j]` is the sum of byte `j` of every 32-byte chunk so far,
/// `s[j]` the sum of `a[j]` before each chunk. Then `c0 = Σ a[j]` and
/// `c1 = 32·Σ s[j] + Σ (32 - j)·a[j]`. The inner loop is plain lane-wise additions in
/// 16-bit lanes (groups of 16 chunks: `a ≤ 255·16`, `s ≤ 255·120`), folded into 32-bit
/// lanes after each group (`s ≤ 255·2048²/2 < 2³²` for a 64 KiB block).
#[inline]
fn block_sums(block: &[u8]) -> (u64, u64) {
    let mut c0: u64 = 0;
    let mut c1: u64 = 0;
    let mut rest = block;
    if block.len() >= 2 * CHUNK {
        let mut a32 = [0u32; CHUNK];
        let mut s32 = [0u32; CHUNK];
        let mut fold_group = |a16: &[u16; CHUNK], s16: &[u16; CHUNK], n: u32| {
            for ((s, a), (s16, a16)) in s32.iter_mut().zip(a32.iter_mut()).zip(s16.iter().zip(a16))
            {
                *s += u32::from(*s16) + n * *a;
                *a += u32::from(*a16);
            }
        };
        let mut groups = block.chunks_exact(CHUNK * GROUP);
        for g in &mut groups {
            let mut a16 = [0u16; CHUNK];
            let mut s16 = [0u16; CHUNK];
            for ch in g.chunks_exact(CHUNK) {
                for ((s, a), &b) in s16.iter_mut().zip(a16.iter_mut()).zip(ch) {
                    *s += *a;
                    *a += u16::from(b);
                }
            }
            fold_group(&a16, &s16, GROUP as u32);
        }
        let mut chunks = groups.remainder().chunks_exact(CHUNK);
        let mut a16 = [0u16; CHUNK];
        let mut s16 = [0u16; CHUNK];
        let mut n = 0;
        for ch in &mut chunks {
            for ((s, a), &b) in s16.iter_mut().zip(a16.iter_mut()).zip(ch) {
                *s += *a;
                *a += u16::from(b);
            }
            n += 1;
        }
        fold_group(&a16, &s16, n);
        let mut sum_s: u64 = 0;
        for (j, (&s, &a)) in s32.iter().zip(&a32).enumerate() {
            c0 += u64::from(a);
            c1 += (CHUNK - j) as u64 * u64::from(a);
            sum_s += u64::from(s);
        }
        c1 += CHUNK as u64 * sum_s;
        rest = chunks.remainder();
    }
    let mut quads = rest.chunks_exact(4);
    for q in &mut quads {
        let (b0, b1, b2, b3) = (
            u64::from(q[0]),
            u64::from(q[1]),
            u64::from(q[2]),
            u64::from(q[3]),
        );
        c1 += 4 * c0 + 4 * b0 + 3 * b1 + 2 * b2 + b3;
        c0 += b0 + b1 + b2 + b3;
    }
    for &b in quads.remainder() {
        c0 += u64::from(b);
        c1 += c0;
    }
    (c0, c1)
}

/// Fletcher sums of `data`: `c0 = Σ b[i]`, `c1 = Σ (n - i)·b[i]`, exact for inputs up to
/// 2^28 bytes (far above any LSA) and congruent modulo 255 beyond.
#[inline]
fn fletcher_sums(data: &[u8]) -> (u64, u64) {
    if data.len() <= BLOCK {
        return block_sums(data);
    }
    let mut c0: u64 = 0;
    let mut c1: u64 = 0;
    for block in data.chunks(BLOCK) {
        let (b0, b1) = block_sums(block);
        c1 += c0 * block.len() as u64 + b1;
        c0 += b0;
        if c1 >= 1 << 60 {
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
    let (c0, c1) = fletcher_sums(data);
    // Remove the contribution of the current checksum bytes (data offsets 14 and 15),
    // modulo 255.
    let x = u64::from(lsa[LSA_CKSUM]);
    let y = u64::from(lsa[LSA_CKSUM + 1]);
    let c0 = (c0 % 255 + 2 * 255 - x - y) % 255;
    let c1 = (c1 % 255 + 2 * 255 * 255 - ((n - 14) % 255) * x - ((n - 15) % 255) * y) % 255;
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
        let mut data = [0u8; 3000];
        for (i, b) in data.iter_mut().enumerate() {
            *b = (i * 97 + 5) as u8 ^ 0xa5;
        }
        for len in (20..600).step_by(4).chain([1500, 2048, 2052, 2996]) {
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
    fn fletcher_multi_block_inputs() {
        extern crate std;
        let mut big = std::vec![0u8; 200_000];
        for (i, b) in big.iter_mut().enumerate() {
            *b = (i * 131 + 7) as u8;
        }
        for len in [65_536, 65_540, 131_072 + 36, 200_000] {
            assert_eq!(
                lsa_fletcher(&big[..len]),
                naive_fletcher(&big[..len]),
                "len {len}"
            );
        }
        big.fill(0xff);
        assert_eq!(lsa_fletcher(&big), naive_fletcher(&big));
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
