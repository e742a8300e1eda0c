//! Every captured OSPFv2 packet, parsed into the core `Repr`s and emitted again, is the
//! same bytes: header, body, each LSA, the LLS block, and (where the key is known) the
//! cryptographic digest.

use ospf_core::auth::{self, Apad, CryptoAlgorithm, CryptoKey};
use ospf_core::wire::{
    AU_CRYPTO, BodyRepr, DbDescRepr, HelloRepr, List, Lls, LlsTlv, LsAckRepr, LsRequestEntry,
    LsRequestRepr, LsUpdateRepr, Lsa, LsaHeader, LsaList, LsaRepr, Packet, PacketRepr,
};
use ospf_examples::pcap::{CaptureReader, Extracted, extract_ospf};

use crate::common::all_captures;

/// Bytes whose value differs on purpose in a crafted capture (a wrong checksum): the
/// emitted packet has the right value there.
struct Skip {
    at: std::ops::Range<usize>,
}

fn assert_same(ctx: &str, emitted: &[u8], wire: &[u8], skip: &[Skip]) -> usize {
    assert_eq!(emitted.len(), wire.len(), "{ctx}: length");
    let mut compared = 0;
    for (i, (a, b)) in emitted.iter().zip(wire).enumerate() {
        if skip.iter().any(|s| s.at.contains(&i)) {
            continue;
        }
        assert_eq!(
            a, b,
            "{ctx}: byte {i} differs\nemitted {emitted:02x?}\nwire    {wire:02x?}"
        );
        compared += 1;
    }
    compared
}

/// The keys of the FRR/BIRD captures (the README of the test data gives them).
fn key_for(capture: &str, id: u8, digest_len: u8) -> Option<CryptoKey> {
    if !matches!(capture, "br0.pcapng" | "sha.pcapng") {
        return None;
    }
    match (id, digest_len) {
        (1, 16) => CryptoKey::new(1, CryptoAlgorithm::Md5, b"s3cret").ok(),
        (7, 32) => CryptoKey::new(7, CryptoAlgorithm::HmacSha256, b"hmac-key").ok(),
        _ => None,
    }
}

#[derive(Debug, Default)]
struct Counts {
    packets: usize,
    lsas: usize,
    lls: usize,
    digests: usize,
    bytes: usize,
}

fn reencode_packet(capture: &str, ctx: &str, payload: &[u8], n: &mut Counts) {
    let packet = Packet::new_checked(payload).unwrap_or_else(|e| panic!("{ctx}: {e}"));
    let len = usize::from(packet.packet_len());
    let wire = packet.bytes();
    let repr = PacketRepr::parse(&packet).unwrap_or_else(|e| panic!("{ctx}: {e}"));
    let crypto = packet.au_type() == AU_CRYPTO;
    // A crafted capture may carry a wrong checksum; the emitted one must be the right one.
    let mut skip = Vec::new();
    if !crypto && !packet.verify_checksum() {
        skip.push(Skip { at: 12..14 });
    }

    // 1. The parsed Repr, emitted as is.
    let mut buf = vec![0u8; repr.buffer_len()];
    let emitted = repr
        .emit_bytes(&mut buf)
        .unwrap_or_else(|e| panic!("{ctx}: {e}"));
    assert_eq!(emitted, len, "{ctx}: emitted length");
    n.bytes += assert_same(&format!("{ctx} (parsed Repr)"), &buf, wire, &skip);
    if !skip.is_empty() {
        assert_eq!(
            u16::from_be_bytes([buf[12], buf[13]]),
            packet.compute_checksum(),
            "{ctx}: emitted checksum"
        );
    }

    // 2. A Repr rebuilt from values (slices, and LSAs re-emitted one by one).
    let mut lsa_bytes: Vec<Vec<u8>> = Vec::new();
    let headers: Vec<LsaHeader>;
    let entries: Vec<LsRequestEntry>;
    let neighbors: Vec<std::net::Ipv4Addr>;
    let body = match repr.body {
        BodyRepr::Hello(h) => {
            neighbors = h.neighbors.iter().collect();
            BodyRepr::Hello(HelloRepr {
                neighbors: List::Slice(&neighbors),
                ..h
            })
        }
        BodyRepr::DbDesc(d) => {
            headers = d.lsa_headers.iter().collect();
            BodyRepr::DbDesc(DbDescRepr {
                lsa_headers: List::Slice(&headers),
                ..d
            })
        }
        BodyRepr::LsRequest(r) => {
            entries = r.entries.iter().collect();
            BodyRepr::LsRequest(LsRequestRepr {
                entries: List::Slice(&entries),
            })
        }
        BodyRepr::LsAck(a) => {
            headers = a.lsa_headers.iter().collect();
            BodyRepr::LsAck(LsAckRepr {
                lsa_headers: List::Slice(&headers),
            })
        }
        BodyRepr::LsUpdate(u) => {
            for (i, slice) in u.lsas.slices().enumerate() {
                let lctx = format!("{ctx} LSA #{}", i + 1);
                let view = Lsa::new_checked(slice).unwrap_or_else(|e| panic!("{lctx}: {e}"));
                let lrepr = LsaRepr::parse(&view).unwrap_or_else(|e| panic!("{lctx}: {e}"));
                let mut out = vec![0u8; lrepr.buffer_len()];
                lrepr
                    .emit(&mut out)
                    .unwrap_or_else(|e| panic!("{lctx}: {e}"));
                let lskip = if view.verify_checksum() {
                    vec![]
                } else {
                    vec![Skip { at: 16..18 }]
                };
                n.bytes += assert_same(&lctx, &out, slice, &lskip);
                n.lsas += 1;
                lsa_bytes.push(out);
            }
            BodyRepr::LsUpdate(LsUpdateRepr {
                lsas: LsaList::Raw(&[]),
            })
        }
    };
    let refs: Vec<&[u8]> = lsa_bytes.iter().map(Vec::as_slice).collect();
    let body = match body {
        BodyRepr::LsUpdate(_) => BodyRepr::LsUpdate(LsUpdateRepr {
            lsas: LsaList::Raw(&refs),
        }),
        other => other,
    };
    let rebuilt = PacketRepr { body, ..repr };
    let mut buf2 = vec![0u8; rebuilt.buffer_len()];
    rebuilt
        .emit_bytes(&mut buf2)
        .unwrap_or_else(|e| panic!("{ctx}: {e}"));
    // Re-emitted LSAs carry the right checksums, and the packet checksum follows them.
    let mut skip2 = skip;
    let mut at = 24 + 4;
    for (lsa, orig) in lsa_bytes.iter().zip(repr_lsas(&repr)) {
        if lsa.as_slice() != orig {
            skip2.push(Skip {
                at: at + 16..at + 18,
            });
            skip2.push(Skip { at: 12..14 });
        }
        at += orig.len();
    }
    n.bytes += assert_same(&format!("{ctx} (rebuilt Repr)"), &buf2, wire, &skip2);
    n.packets += 1;

    // 3. The trailer: digest (re-signed when the key is known) and LLS block.
    let digest_len = if crypto {
        usize::from(packet.auth_data_len())
    } else {
        0
    };
    if crypto && let Some(key) = key_for(capture, packet.key_id(), packet.auth_data_len()) {
        let mut signed = buf.clone();
        signed.resize(len + digest_len, 0);
        let total = auth::sign_crypto(&mut signed, len, &key, packet.crypto_seq(), Apad::Rfc5709)
            .unwrap_or_else(|e| panic!("{ctx}: sign: {e}"));
        n.bytes += assert_same(
            &format!("{ctx} (signed)"),
            &signed[..total],
            &payload[..total],
            &[],
        );
        n.digests += 1;
    }
    if let Some(lls) = packet.lls(digest_len) {
        let lls = lls.unwrap_or_else(|e| panic!("{ctx}: LLS: {e}"));
        let tlvs: Vec<LlsTlv<'_>> = lls.tlvs().map(|t| t.unwrap()).collect();
        let mut out = vec![0u8; Lls::buffer_len(&tlvs)];
        let written = Lls::emit(&tlvs, lls.checksum != 0, &mut out).unwrap();
        let start = len + digest_len;
        n.bytes += assert_same(
            &format!("{ctx} (LLS)"),
            &out,
            &payload[start..start + written],
            &[],
        );
        n.lls += 1;
    }
}

/// The LSA byte slices of an LS Update Repr (empty for other bodies).
fn repr_lsas<'a>(repr: &PacketRepr<'a>) -> Vec<&'a [u8]> {
    match repr.body {
        BodyRepr::LsUpdate(u) => u.lsas.slices().collect(),
        _ => Vec::new(),
    }
}

#[test]
fn reencoding_reproduces_every_packet_byte_for_byte() {
    let mut n = Counts::default();
    for path in all_captures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for frame in CaptureReader::open(&path).unwrap() {
            let frame = frame.unwrap();
            let ctx = format!("{name} frame {}", frame.number);
            match extract_ospf(frame.link_type, &frame.data).unwrap() {
                Extracted::Ospfv2(ip) => reencode_packet(&name, &ctx, ip.payload, &mut n),
                Extracted::OspfOverIpv6 { .. } => assert!(name.contains("ubsan"), "{ctx}"),
                other => panic!("{ctx}: {other:?}"),
            }
        }
    }
    eprintln!(
        "re-encoded {} packets, {} LSAs, {} LLS blocks, {} digests: {} bytes identical",
        n.packets, n.lsas, n.lls, n.digests, n.bytes
    );
    assert!(n.packets > 400 && n.lsas > 150 && n.lls > 10 && n.digests > 200);
}
