//! Any bytes as an LSA: checked view, checksum, body parse, router links, TLV and TE
//! sub-TLV walks, Grace-LSA TLVs and Extended Prefix TLVs (and their re-emit), re-emit. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ospf_core::wire::{
    ExtPrefix, GraceLsa, Lsa, LsaBody, LsaRepr, OpaqueLsa, TlvIter, checksum, te,
};

fuzz_target!(|data: &[u8]| {
    let _ = (checksum::lsa_fletcher(data), checksum::verify_lsa(data));
    let _ = TlvIter::new(data).count();
    let Ok(l) = Lsa::new_checked(data) else {
        return;
    };
    let _ = (
        l.header(),
        l.body(),
        l.verify_checksum(),
        l.compute_checksum(),
    );
    let _ = LsaRepr::decode(data);
    let Ok(r) = LsaRepr::parse(&l) else { return };
    match r.body {
        LsaBody::Router(rl) => assert_eq!(rl.links.iter().count(), rl.links.len()),
        LsaBody::Network(n) => {
            let _ = n.routers.iter().count();
        }
        LsaBody::Opaque(o) => {
            for t in o.tlvs().flatten() {
                for s in t.sub_tlvs().flatten() {
                    let _ = s.sub_tlvs().count();
                }
                let _ = te::link_sub_tlvs(&t).count();
            }
            let _ = te::validate(&o);
            // Any opaque body read as a Grace-LSA: what parses re-emits and parses alike.
            let as_grace = OpaqueLsa {
                opaque_type: ospf_core::wire::GRACE_OPAQUE_TYPE,
                ..o
            };
            if let Ok(g) = GraceLsa::parse(&as_grace) {
                let mut body = [0u8; 24];
                let n = g.emit(&mut body).expect("a Grace-LSA body fits 24 bytes");
                let again = OpaqueLsa::parse(GraceLsa::lsid(0), &body[..n]);
                assert_eq!(GraceLsa::parse(&again), Ok(g));
            }
            // ... and as an Extended Prefix Opaque LSA (RFC 7684, our weight sub-TLV).
            let as_ext = OpaqueLsa {
                opaque_type: ospf_core::wire::EXT_PREFIX_OPAQUE_TYPE,
                ..o
            };
            if let Ok(tlvs) = ospf_core::wire::ext_prefix_tlvs(&as_ext) {
                for t in tlvs.flatten() {
                    let _ = t.sub_tlvs().count();
                    if let Ok(p) = ExtPrefix::parse(&t) {
                        let mut body = [0u8; 20];
                        let n = p
                            .emit(&mut body)
                            .expect("an Extended Prefix TLV fits 20 bytes");
                        let again = OpaqueLsa::parse(ExtPrefix::lsid(1), &body[..n]);
                        let back = ospf_core::wire::ext_prefix_tlvs(&again)
                            .expect("opaque type 7")
                            .next()
                            .expect("one TLV")
                            .and_then(|t| ExtPrefix::parse(&t));
                        assert_eq!(back, Ok(p));
                    }
                }
            }
        }
        _ => {}
    }
    let mut buf = [0u8; 65536];
    let n = r.emit(&mut buf).expect("a parsed LSA re-encodes");
    assert_eq!(n, usize::from(l.length()));
    assert!(checksum::verify_lsa(&buf[..n]));
});
