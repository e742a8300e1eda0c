//! Valid decode -> encode -> the same bytes, for packets and for LSAs.
//!
//! Packets re-encode exactly except the checksum, which `emit` recomputes (the input's
//! may be wrong: checksums must not block exploration). LSAs re-encode exactly except
//! the Fletcher checksum and the reserved bits the `Repr`s do not keep: the byte after
//! the Router-LSA flags, the TOS byte of a summary metric, the 7 TOS bits beside an
//! external LSA's E bit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ospf_core::wire::{BodyRepr, LSA_HEADER_LEN, Lsa, LsaRepr, Packet, PacketRepr};

/// `lsa` with the bits the `Repr` does not keep cleared and its checksum replaced.
fn canonical(lsa: &[u8], checksum: [u8; 2]) -> Vec<u8> {
    let mut c = lsa.to_vec();
    c[16..18].copy_from_slice(&checksum);
    let b = LSA_HEADER_LEN;
    match c[3] {
        1 => c[b + 1] = 0,
        3 | 4 => c[b + 4] = 0,
        5 | 7 => c[b + 4] &= 0x80,
        _ => {}
    }
    c
}

fn lsa_roundtrip(bytes: &[u8]) {
    let Ok(l) = Lsa::new_checked(bytes) else {
        return;
    };
    let Ok(r) = LsaRepr::parse(&l) else { return };
    let mut out = vec![0u8; r.buffer_len()];
    let n = r.emit(&mut out).expect("a parsed LSA re-encodes");
    let orig = l.bytes();
    assert_eq!(n, orig.len());
    assert_eq!(out, canonical(orig, [out[16], out[17]]));
    // And the re-encoding is a fixed point.
    let r2 = LsaRepr::parse(&Lsa::new_checked(&out[..]).unwrap()).unwrap();
    assert_eq!(r2.body, r.body);
}

fuzz_target!(|data: &[u8]| {
    lsa_roundtrip(data);
    let Ok(p) = Packet::new_checked(data) else {
        return;
    };
    let Ok(r) = PacketRepr::parse(&p) else { return };
    let mut out = vec![0u8; r.buffer_len()];
    r.emit(&mut Packet::new_unchecked(&mut out[..]))
        .expect("a parsed packet re-encodes");
    out[12..14].copy_from_slice(&data[12..14]);
    assert_eq!(&out[..], p.bytes());
    assert_eq!(
        PacketRepr::parse(&Packet::new_checked(&out[..]).unwrap()).unwrap(),
        r
    );
    if let BodyRepr::LsUpdate(u) = r.body {
        for l in u.lsas.iter() {
            lsa_roundtrip(l.bytes());
        }
    }
});
