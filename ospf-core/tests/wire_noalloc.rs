//! Decoding, verifying and walking packets and LSAs never allocates.
//!
//! A counting global allocator (test-only; delegating to the system allocator, the one
//! place in the project's tests that needs `unsafe`) records allocations made by this
//! thread while the codec runs.

mod wire_util;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use ospf_core::auth::{self, AuthConfig, CryptoAlgorithm, CryptoKey};
use ospf_core::wire::{BodyRepr, Lsa, LsaBody, LsaRepr, Packet, PacketRepr};

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds the contract.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same layout, forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCS.with(Cell::get);
    let r = f();
    (r, ALLOCS.with(Cell::get) - before)
}

/// Decodes everything in `bytes` and returns a value depending on all of it.
fn decode_everything(bytes: &[u8]) -> usize {
    let mut acc = 0;
    let Ok(p) = Packet::new_checked(bytes) else {
        return 0;
    };
    acc += usize::from(p.verify_checksum());
    if let Some(Ok(lls)) = p.lls(usize::from(p.auth_data_len())) {
        acc += lls.tlvs().count();
    }
    let Ok(r) = PacketRepr::parse(&p) else {
        return acc;
    };
    match r.body {
        BodyRepr::Hello(h) => acc += h.neighbors.iter().count(),
        BodyRepr::DbDesc(d) => {
            acc += d
                .lsa_headers
                .iter()
                .map(|h| usize::from(h.length))
                .sum::<usize>()
        }
        BodyRepr::LsRequest(q) => acc += q.entries.iter().count(),
        BodyRepr::LsAck(a) => acc += a.lsa_headers.iter().count(),
        BodyRepr::LsUpdate(u) => {
            for l in u.lsas.iter() {
                acc += usize::from(l.verify_checksum());
                let Ok(lr) = LsaRepr::parse(&l) else { continue };
                match lr.body {
                    LsaBody::Router(rl) => {
                        acc += rl.links.iter().map(|k| k.tos.len() + 1).sum::<usize>()
                    }
                    LsaBody::Network(n) => acc += n.routers.iter().count(),
                    LsaBody::Opaque(o) => {
                        for t in o.tlvs().flatten() {
                            acc += t.sub_tlvs().count();
                        }
                    }
                    _ => acc += 1,
                }
            }
        }
    }
    acc
}

#[test]
fn decoding_the_vectors_does_not_allocate() {
    let mut packets = Vec::new();
    for v in wire_util::VECTORS {
        packets.extend(wire_util::ospf_packets(v).into_iter().map(|c| c.payload));
    }
    assert!(packets.len() > 400);
    let (work, n) = allocations(|| packets.iter().map(|p| decode_everything(p)).sum::<usize>());
    assert!(work > 1000);
    assert_eq!(n, 0, "decoding allocated {n} times");
    // Sanity: the counter does count.
    let (_, n) = allocations(|| std::hint::black_box(vec![1u8; 10]));
    assert_eq!(n, 1);
}

#[test]
fn auth_and_lsa_emit_do_not_allocate() {
    let md5 =
        AuthConfig::crypto(&[CryptoKey::new(1, CryptoAlgorithm::Md5, b"s3cret").unwrap()]).unwrap();
    let sha =
        AuthConfig::crypto(&[CryptoKey::new(7, CryptoAlgorithm::HmacSha256, b"hmac-key").unwrap()])
            .unwrap();
    let br0 = wire_util::ospf_packets("frr-bird/br0.pcapng");
    let shap = wire_util::ospf_packets("frr-bird/sha.pcapng");
    let mut out = vec![0u8; 70_000];
    let ((), n) = allocations(|| {
        for c in &br0 {
            let len = usize::from(u16::from_be_bytes([c.payload[2], c.payload[3]]));
            auth::verify(&c.payload, len, &md5).unwrap();
        }
        for c in &shap {
            let len = usize::from(u16::from_be_bytes([c.payload[2], c.payload[3]]));
            auth::verify(&c.payload, len, &sha).unwrap();
        }
        for c in &br0 {
            let p = Packet::new_checked(&c.payload[..]).unwrap();
            if let Ok(PacketRepr {
                body: BodyRepr::LsUpdate(u),
                ..
            }) = PacketRepr::parse(&p)
            {
                for l in u.lsas.iter() {
                    let r = LsaRepr::parse(&Lsa::new_checked(l.bytes_ref()).unwrap()).unwrap();
                    r.emit(&mut out).unwrap();
                }
            }
            let len = usize::from(p.packet_len());
            out[..len].copy_from_slice(&c.payload[..len]);
            auth::sign(&mut out, len, &sha, 5).unwrap();
        }
    });
    assert_eq!(n, 0, "auth/emit allocated {n} times");
}
