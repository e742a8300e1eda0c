//! Malformed packets and LSAs are rejected with the precise error.

use ospf_core::wire::{
    Error, Lls, Lsa, LsaBody, LsaHeader, LsaRepr, LsaType, OpaqueLsa, Options, Packet, PacketRepr,
    TlvIter, checksum,
};

/// A packet of type `t` with `body`, length field set, checksum filled.
fn packet(t: u8, body: &[u8]) -> Vec<u8> {
    let mut b = vec![
        2, t, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    b.extend_from_slice(body);
    let len = b.len() as u16;
    b[2..4].copy_from_slice(&len.to_be_bytes());
    let c = checksum::packet_checksum(&b);
    b[12..14].copy_from_slice(&c.to_be_bytes());
    b
}

/// An LSA of type `t` with `body`, length and checksum set.
fn lsa(t: u8, body: &[u8]) -> Vec<u8> {
    let mut b = vec![
        0, 1, 0x02, t, 10, 0, 0, 1, 10, 0, 0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0,
    ];
    b.extend_from_slice(body);
    let len = b.len() as u16;
    b[18..20].copy_from_slice(&len.to_be_bytes());
    let c = checksum::lsa_fletcher(&b);
    b[16..18].copy_from_slice(&c.to_be_bytes());
    b
}

fn decode_err(b: &[u8]) -> Error {
    PacketRepr::decode(b).expect_err("must fail")
}

#[test]
fn rfc2328_a_3_1_header_checks() {
    assert_eq!(
        decode_err(&[2, 1, 0]),
        Error::Truncated { need: 24, have: 3 }
    );
    let mut b = packet(1, &[0; 20]);
    b[0] = 3;
    assert_eq!(decode_err(&b), Error::BadVersion(3));
    let mut b = packet(1, &[0; 20]);
    b[2..4].copy_from_slice(&100u16.to_be_bytes());
    assert_eq!(decode_err(&b), Error::BadPacketLength { len: 100, buf: 44 });
    b[2..4].copy_from_slice(&20u16.to_be_bytes());
    assert_eq!(decode_err(&b), Error::BadPacketLength { len: 20, buf: 44 });
    assert_eq!(decode_err(&packet(6, &[])), Error::UnknownPacketType(6));
    let mut b = packet(1, &[0; 20]);
    b[30] ^= 1;
    assert!(matches!(decode_err(&b), Error::BadChecksum { .. }));
    // Bytes beyond the packet length (digest, LLS) are not part of it.
    let mut b = packet(1, &[0; 20]);
    b.extend_from_slice(&[0xff; 7]);
    assert!(PacketRepr::decode(&b).is_ok());
    assert_eq!(Packet::new_checked(&b[..]).unwrap().trailer(), &[0xff; 7]);
}

#[test]
fn rfc2328_a_3_2_hello_neighbors_multiple_of_4() {
    assert_eq!(
        decode_err(&packet(1, &[0; 19])),
        Error::Truncated { need: 20, have: 19 }
    );
    assert_eq!(decode_err(&packet(1, &[0; 26])), Error::BadBodyLength(6));
}

#[test]
fn rfc2328_a_3_3_dd_headers_multiple_of_20() {
    assert_eq!(
        decode_err(&packet(2, &[0; 7])),
        Error::Truncated { need: 8, have: 7 }
    );
    assert_eq!(
        decode_err(&packet(2, &[0; 8 + 21])),
        Error::BadBodyLength(21)
    );
    assert!(PacketRepr::decode(&packet(2, &[0; 8 + 40])).is_ok());
}

#[test]
fn rfc2328_a_3_4_lsr_entries_multiple_of_12() {
    assert_eq!(decode_err(&packet(3, &[0; 13])), Error::BadBodyLength(13));
    assert!(PacketRepr::decode(&packet(3, &[0; 24])).is_ok());
}

#[test]
fn rfc2328_a_3_5_lsu_count_and_lsa_lengths() {
    let l = lsa(3, &[255, 255, 255, 0, 0, 0, 0, 10]);
    let body = |count: u32, lsas: &[&[u8]]| {
        let mut b = count.to_be_bytes().to_vec();
        for l in lsas {
            b.extend_from_slice(l);
        }
        b
    };
    assert!(PacketRepr::decode(&packet(4, &body(2, &[&l, &l]))).is_ok());
    // Count larger than the LSAs present.
    assert_eq!(
        decode_err(&packet(4, &body(3, &[&l, &l]))),
        Error::Truncated { need: 20, have: 0 }
    );
    // Count smaller: bytes left over.
    assert_eq!(
        decode_err(&packet(4, &body(1, &[&l, &l]))),
        Error::BadCount {
            count: 1,
            len: 2 * l.len()
        }
    );
    // LSA length below 20, not a multiple of 4, past the body.
    for bad in [16u16, 30, 200] {
        let mut m = l.clone();
        m[18..20].copy_from_slice(&bad.to_be_bytes());
        assert_eq!(
            decode_err(&packet(4, &body(1, &[&m]))),
            Error::BadLsaLength(bad.into())
        );
    }
    assert_eq!(
        decode_err(&packet(4, &[0; 3])),
        Error::Truncated { need: 4, have: 3 }
    );
}

#[test]
fn rfc2328_a_3_6_ack_headers_multiple_of_20() {
    assert_eq!(decode_err(&packet(5, &[0; 30])), Error::BadBodyLength(30));
}

#[test]
fn rfc2328_a_4_1_lsa_view_checks() {
    assert_eq!(
        Lsa::new_checked(&[0u8; 19][..]).err(),
        Some(Error::Truncated { need: 20, have: 19 })
    );
    let l = lsa(3, &[255, 255, 255, 0, 0, 0, 0, 10]);
    for bad in [0u16, 19, 26, 32] {
        let mut m = l.clone();
        m[18..20].copy_from_slice(&bad.to_be_bytes());
        assert_eq!(
            Lsa::new_checked(&m[..]).err(),
            Some(Error::BadLsaLength(bad.into()))
        );
    }
    let mut m = l.clone();
    m[25] ^= 1;
    assert_eq!(LsaRepr::decode(&m), Err(Error::BadLsaChecksum));
    // The age is not covered by the checksum; set_age keeps it valid.
    let mut v = Lsa::new_checked(l.clone()).unwrap();
    v.set_age(3600);
    assert!(v.verify_checksum());
    assert_eq!(v.age(), 3600);
    v.set_seq(0x8000_0002);
    assert!(!v.verify_checksum());
    v.fill_checksum();
    assert!(v.verify_checksum());
}

#[test]
fn rfc2328_a_4_2_router_lsa_link_count_must_match() {
    // flags, 0, #links = 2, one link (12 bytes) only.
    let mut body = vec![0x01, 0, 0, 2];
    body.extend_from_slice(&[10, 0, 0, 0, 255, 255, 255, 0, 3, 0, 0, 10]);
    let l = lsa(1, &body);
    let v = Lsa::new_checked(&l[..]).unwrap();
    assert_eq!(
        LsaRepr::parse(&v),
        Err(Error::BadCount { count: 2, len: 12 })
    );
    // #TOS = 1 without the TOS entry.
    let mut body = vec![0x01, 0, 0, 1];
    body.extend_from_slice(&[10, 0, 0, 0, 255, 255, 255, 0, 3, 1, 0, 10]);
    let l = lsa(1, &body);
    assert_eq!(
        LsaRepr::decode(&l),
        Err(Error::BadCount { count: 1, len: 12 })
    );
    // With the entry it decodes, and the TOS bytes are kept.
    body.extend_from_slice(&[8, 0, 0, 20]);
    let l = lsa(1, &body);
    let r = LsaRepr::decode(&l).unwrap();
    let LsaBody::Router(rl) = r.body else {
        panic!()
    };
    let link = rl.links.iter().next().unwrap();
    assert_eq!(link.tos, &[8, 0, 0, 20]);
    assert_eq!(rl.flags.bits(), 0x01);
}

#[test]
fn rfc2328_a_4_bodies_too_short_or_misaligned() {
    assert_eq!(
        LsaRepr::decode(&lsa(2, &[])),
        Err(Error::Truncated { need: 4, have: 0 })
    );
    assert_eq!(
        LsaRepr::decode(&lsa(3, &[0; 4])),
        Err(Error::Truncated { need: 8, have: 4 })
    );
    assert_eq!(
        LsaRepr::decode(&lsa(5, &[0; 12])),
        Err(Error::Truncated { need: 16, have: 12 })
    );
    // External TOS entries are 12 bytes.
    assert_eq!(
        LsaRepr::decode(&lsa(5, &[0; 20])),
        Err(Error::BadBodyLength(20))
    );
    assert!(LsaRepr::decode(&lsa(7, &[0; 28])).is_ok());
    // Unknown types keep the raw body.
    let u = lsa(42, &[1, 2, 3, 4]);
    let r = LsaRepr::decode(&u).unwrap();
    assert_eq!(r.body, LsaBody::Unknown(&[1, 2, 3, 4]));
}

#[test]
fn rfc5250_opaque_tlv_walk_reports_bad_lengths() {
    // Type 1 length 4, then type 2 claiming 9 bytes (padded 12) with only 8 present.
    let data = [0, 1, 0, 4, 1, 2, 3, 4, 0, 2, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0];
    let items: Vec<_> = TlvIter::new(&data).collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].unwrap().value, &[1, 2, 3, 4]);
    assert_eq!(items[1], Err(Error::BadTlvLength(9)));
    // A header cut short.
    let items: Vec<_> = TlvIter::new(&[0, 1]).collect();
    assert_eq!(items, vec![Err(Error::BadTlvLength(2))]);
    // Odd value lengths are padded.
    let data = [0, 7, 0, 1, 0xaa, 0, 0, 0, 0, 8, 0, 0];
    let t: Vec<_> = TlvIter::new(&data).map(Result::unwrap).collect();
    assert_eq!((t[0].tlv_type, t[0].value), (7, &[0xaa][..]));
    assert_eq!((t[1].tlv_type, t[1].value.len()), (8, 0));
    // Opaque type and id come from the Link State ID.
    let o = OpaqueLsa::parse([4, 0, 1, 2].into(), &data);
    assert_eq!((o.opaque_type, o.opaque_id), (4, 0x102));
}

#[test]
fn lsa_emit_rejects_inconsistent_reprs() {
    let header = LsaHeader {
        age: 0,
        options: Options::E,
        lsa_type: LsaType::Router,
        lsid: [1, 1, 1, 1].into(),
        adv_router: [1, 1, 1, 1].into(),
        seq: 0x8000_0001,
        checksum: 0,
        length: 0,
    };
    let mut buf = [0u8; 64];
    let net = LsaBody::Network(ospf_core::wire::NetworkLsa {
        mask: [255, 255, 255, 0].into(),
        routers: ospf_core::wire::List::Slice(&[]),
    });
    assert!(matches!(
        LsaRepr { header, body: net }.emit(&mut buf),
        Err(Error::OutOfRange(_))
    ));
    let opaque = LsaBody::Opaque(OpaqueLsa {
        opaque_type: 4,
        opaque_id: 0,
        data: &[],
    });
    let h = LsaHeader {
        lsa_type: LsaType::OpaqueArea,
        ..header
    };
    assert!(matches!(
        LsaRepr {
            header: h,
            body: opaque
        }
        .emit(&mut buf),
        Err(Error::OutOfRange(_))
    ));
    let odd = LsaBody::Unknown(&[1, 2, 3]);
    assert!(matches!(
        LsaRepr { header, body: odd }.emit(&mut buf),
        Err(Error::OutOfRange(_))
    ));
    let summary = LsaBody::Summary(ospf_core::wire::SummaryLsa {
        mask: [255, 0, 0, 0].into(),
        metric: 1 << 24,
        tos: &[],
    });
    let h = LsaHeader {
        lsa_type: LsaType::SummaryNetwork,
        ..header
    };
    assert!(matches!(
        LsaRepr {
            header: h,
            body: summary
        }
        .emit(&mut buf),
        Err(Error::OutOfRange(_))
    ));
    assert!(matches!(
        LsaRepr {
            header: h,
            body: summary
        }
        .emit(&mut buf[..20]),
        Err(Error::BufferTooSmall { need: 28, have: 20 })
    ));
}

#[test]
fn rfc5613_lls_block_checks() {
    assert_eq!(
        Lls::parse(&[0, 0]),
        Err(Error::Truncated { need: 4, have: 2 })
    );
    assert_eq!(Lls::parse(&[0, 0, 0, 0]), Err(Error::BadLls));
    assert_eq!(Lls::parse(&[0, 0, 0, 3, 0, 0, 0, 0]), Err(Error::BadLls));
    // One EO TLV whose length runs past the block.
    let lls = Lls::parse(&[0, 0, 0, 2, 0, 1, 0, 8]).unwrap();
    assert_eq!(
        lls.tlvs().collect::<Vec<_>>(),
        vec![Err(Error::BadTlvLength(8))]
    );
    // A malformed LLS does not make the packet undecodable.
    let mut b = packet(1, &[0; 20]);
    b[24 + 6] = Options::L.bits();
    let len = b.len();
    b[12..14].fill(0);
    let c = checksum::packet_checksum(&b);
    b[12..14].copy_from_slice(&c.to_be_bytes());
    b.extend_from_slice(&[0, 0, 0, 9]);
    let (p, _) = PacketRepr::decode(&b).unwrap();
    assert_eq!(p.packet_len() as usize, len);
    assert_eq!(p.lls(0), Some(Err(Error::BadLls)));
}
