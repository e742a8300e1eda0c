//! Every OSPFv2 packet of the capture vectors decodes and re-encodes byte for byte.

mod wire_util;

use ospf_core::wire::{
    AuthField, BodyRepr, Error, Lsa, LsaRepr, Packet, PacketRepr, PacketType, checksum,
};
use wire_util::{VECTORS, ospf_packets};

/// Vectors whose packet checksum is wrong in the capture (Wireshark flags them too:
/// `ospf-sr*.pcapng` carry it byte-swapped), with the LSAs whose Fletcher checksum is
/// wrong. Everything else must verify.
const BAD_PACKET_CHECKSUM: &[(&str, usize)] = &[
    ("tcpdump/ospf-sr-ri-sid.pcap", 1),
    ("tcpdump/ospf-sr.pcapng", 0),
    ("tcpdump/ospf-sr2.pcapng", 0),
];

#[test]
fn vectors_decode_and_reencode_byte_exact() {
    let mut total_pkts = 0;
    let mut total_lsas = 0;
    let mut bad_pkt = Vec::new();
    for v in VECTORS {
        let pkts = ospf_packets(v);
        assert!(!pkts.is_empty(), "{v}: no OSPF packets");
        let mut bad_lsas = 0;
        for c in &pkts {
            let p = Packet::new_checked(&c.payload[..])
                .unwrap_or_else(|e| panic!("{v} frame {}: {e}", c.frame));
            let repr =
                PacketRepr::parse(&p).unwrap_or_else(|e| panic!("{v} frame {}: {e}", c.frame));
            let ok = p.au_type() == 2 || p.verify_checksum();
            if !ok {
                bad_pkt.push(*v);
            } else {
                assert!(PacketRepr::decode(&c.payload).is_ok());
            }
            let len = p.packet_len() as usize;
            let mut out = vec![0u8; repr.buffer_len()];
            assert_eq!(out.len(), len, "{v} frame {}", c.frame);
            repr.emit(&mut Packet::new_unchecked(&mut out[..])).unwrap();
            if !ok {
                // Only the (recomputed) checksum may differ.
                out[12..14].copy_from_slice(&c.payload[12..14]);
            }
            assert_eq!(
                &out[..],
                &c.payload[..len],
                "{v} frame {}: re-encoding differs",
                c.frame
            );
            // Every LSA of an update: framing, checksum, body decode, byte-exact re-encode.
            let lsas: Vec<&[u8]> = match &repr.body {
                BodyRepr::LsUpdate(u) => u.lsas.iter().map(|l| l.bytes_ref()).collect(),
                _ => Vec::new(),
            };
            for raw in lsas {
                total_lsas += 1;
                let l = Lsa::new_checked(raw).unwrap();
                let lsa_ok = l.verify_checksum();
                bad_lsas += usize::from(!lsa_ok);
                let r = LsaRepr::parse(&l).unwrap_or_else(|e| panic!("{v} frame {}: {e}", c.frame));
                let mut buf = vec![0u8; r.buffer_len()];
                assert_eq!(r.emit(&mut buf).unwrap(), raw.len());
                if lsa_ok {
                    assert_eq!(checksum::lsa_fletcher(raw), l.checksum());
                } else {
                    buf[16..18].copy_from_slice(&raw[16..18]);
                }
                assert_eq!(
                    &buf[..],
                    raw,
                    "{v} frame {}: LSA re-encoding differs",
                    c.frame
                );
            }
            total_pkts += 1;
        }
        let expect = BAD_PACKET_CHECKSUM
            .iter()
            .find(|(n, _)| n == v)
            .map_or(0, |(_, l)| *l);
        assert_eq!(bad_lsas, expect, "{v}: LSAs with a bad checksum");
    }
    let expect: Vec<&str> = BAD_PACKET_CHECKSUM.iter().map(|(n, _)| *n).collect();
    assert_eq!(bad_pkt, expect);
    assert!(total_pkts > 100, "only {total_pkts} packets");
    assert!(total_lsas > 100, "only {total_lsas} LSAs");
}

#[test]
fn vectors_cover_all_packet_types() {
    let mut seen = [false; 5];
    for v in VECTORS {
        for c in ospf_packets(v) {
            let p = Packet::new_checked(&c.payload[..]).unwrap();
            if let PacketType::Unknown(t) = p.packet_type() {
                panic!("{v}: unknown type {t}");
            }
            seen[usize::from(u8::from(p.packet_type())) - 1] = true;
        }
    }
    assert_eq!(seen, [true; 5]);
}

#[test]
fn ospfv3_capture_is_not_ospfv2() {
    // OSPFv3 over IPv6: no IPv4 OSPF packets, and the OSPF bytes fail the version check.
    assert!(ospf_packets("tcpdump/ospf-signed-integer-ubsan.pcap").is_empty());
    let raw = std::fs::read(wire_util::data("tcpdump/ospf-signed-integer-ubsan.pcap")).unwrap();
    let mut v3 = 0;
    for (link, f) in wire_util::frames(&raw) {
        // Ethernet (1) or NULL (0) framing, IPv6 with next header 89.
        let ip6 = match link.0 {
            1 if f[12..14] == [0x86, 0xdd] => &f[14..],
            0 => &f[4..],
            _ => continue,
        };
        if ip6[0] >> 4 != 6 {
            continue;
        }
        // Skip an IPsec AH extension header (next header 51), as in this capture.
        let (nh, at) = if ip6[6] == 51 {
            (ip6[40], 40 + (usize::from(ip6[41]) + 2) * 4)
        } else {
            (ip6[6], 40)
        };
        if nh == 89 {
            assert_eq!(
                Packet::new_checked(&ip6[at..]).err(),
                Some(Error::BadVersion(3))
            );
            v3 += 1;
        }
    }
    assert!(v3 > 0);
}

#[test]
fn seg_fault_1_bad_checksum_and_te_subtlv_reported() {
    let pkts = ospf_packets("tcpdump/ospf2-seg-fault-1.pcapng");
    assert_eq!(pkts.len(), 1);
    let c = &pkts[0];
    let p = Packet::new_checked(&c.payload[..]).unwrap();
    assert!(matches!(p.check_checksum(), Err(Error::BadChecksum { .. })));
    assert!(matches!(
        PacketRepr::decode(&c.payload),
        Err(Error::BadChecksum { .. })
    ));
    // The framing still parses; the auth field is null.
    let repr = PacketRepr::parse(&p).unwrap();
    assert_eq!(repr.auth, AuthField::Null);
    let BodyRepr::LsUpdate(u) = repr.body else {
        panic!("not an LS Update")
    };
    let lsas: Vec<_> = u.lsas.iter().collect();
    assert_eq!(lsas.len(), 1);
    // The LSA checksum is wrong too, but the body decodes: a TE LSA (opaque type 1, id 9)
    // whose Link TLV (length 100) holds a Bandwidth Constraints sub-TLV of length 1.
    assert!(!lsas[0].verify_checksum());
    let r = LsaRepr::parse(&lsas[0]).unwrap();
    let ospf_core::wire::LsaBody::Opaque(o) = r.body else {
        panic!("not opaque")
    };
    assert_eq!((o.opaque_type, o.opaque_id), (1, 9));
    let link = o.tlvs().next().unwrap().unwrap();
    assert_eq!((link.tlv_type, link.value.len()), (2, 100));
    let err = ospf_core::wire::te::link_sub_tlvs(&link).find_map(Result::err);
    assert_eq!(
        err,
        Some(Error::InvalidTlvLength {
            tlv_type: 17,
            len: 1
        })
    );
    assert_eq!(
        ospf_core::wire::te::validate(&o),
        Err(Error::InvalidTlvLength {
            tlv_type: 17,
            len: 1
        })
    );
}

#[test]
fn rfc3630_te_lsas_of_the_vectors_validate() {
    let mut te = 0;
    for v in VECTORS {
        for c in ospf_packets(v) {
            let p = Packet::new_checked(&c.payload[..]).unwrap();
            let Ok(PacketRepr {
                body: BodyRepr::LsUpdate(u),
                ..
            }) = PacketRepr::parse(&p)
            else {
                continue;
            };
            for l in u.lsas.iter() {
                let r = LsaRepr::parse(&l).unwrap();
                if let ospf_core::wire::LsaBody::Opaque(o) = r.body {
                    assert!(o.tlvs().all(|t| t.is_ok()), "{v} frame {}", c.frame);
                    if o.opaque_type == ospf_core::wire::te::TE_OPAQUE_TYPE {
                        ospf_core::wire::te::validate(&o)
                            .unwrap_or_else(|e| panic!("{v} frame {}: {e}", c.frame));
                        te += 1;
                    }
                }
            }
        }
    }
    assert!(te >= 3, "{te} TE LSAs");
}

#[test]
fn rfc5613_lls_after_md5_digest() {
    use ospf_core::wire::{LLS_EO_LR, LLS_TLV_CRYPTO_AUTH, Options};
    let mut with_lls = 0;
    for c in ospf_packets("tcpdump/OSPFv2_Capture_FINAL.pcapng") {
        let p = Packet::new_checked(&c.payload[..]).unwrap();
        let Some(opts) = p.options() else {
            assert!(p.lls(0).is_none());
            continue;
        };
        if !opts.contains(Options::L) {
            assert!(p.lls(usize::from(p.auth_data_len())).is_none());
            continue;
        }
        let digest = if p.au_type() == 2 {
            usize::from(p.auth_data_len())
        } else {
            0
        };
        let lls = p.lls(digest).unwrap().unwrap();
        assert!(lls.verify_checksum());
        assert_eq!(lls.extended_options(), Some(LLS_EO_LR));
        let ca = lls.find(LLS_TLV_CRYPTO_AUTH).unwrap();
        assert_eq!(ca.value.len(), 20);
        assert_eq!(
            u32::from_be_bytes(ca.value[..4].try_into().unwrap()),
            p.crypto_seq()
        );
        assert_eq!(lls.tlvs().count(), 2);
        // Re-emitting the TLVs gives the same block.
        let tlvs: Vec<_> = lls.tlvs().map(Result::unwrap).collect();
        let mut out = vec![0u8; ospf_core::wire::Lls::buffer_len(&tlvs)];
        let n = ospf_core::wire::Lls::emit(&tlvs, lls.checksum != 0, &mut out).unwrap();
        assert_eq!(&out[..n], &p.trailer()[digest..digest + n]);
        // Skipping the digest wrongly is reported, not a panic.
        assert!(p.lls(0).unwrap().is_err() || digest == 0);
        with_lls += 1;
    }
    assert!(with_lls >= 2);
}
