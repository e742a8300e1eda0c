//! Any bytes as an OSPF packet: checked view, every accessor, LLS, parse, every LSA of an
//! update (parse, checksum, TLV walks), authentication. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ospf_core::auth::{self, AuthConfig, CryptoAlgorithm, CryptoKey};
use ospf_core::wire::{BodyRepr, LsaBody, LsaRepr, Packet, PacketRepr, te};

fuzz_target!(|data: &[u8]| {
    let Ok(p) = Packet::new_checked(data) else {
        return;
    };
    let _ = (
        p.packet_type(),
        p.router_id(),
        p.area_id(),
        p.auth_field(),
        p.crypto_seq(),
    );
    let _ = (
        p.body(),
        p.trailer(),
        p.options(),
        p.verify_checksum(),
        p.check_checksum(),
    );
    for d in [0, usize::from(p.auth_data_len())] {
        if let Some(Ok(lls)) = p.lls(d) {
            for t in lls.tlvs() {
                let _ = t;
            }
            let _ = (lls.extended_options(), lls.verify_checksum());
        }
    }
    let _ = PacketRepr::decode(data);
    if let Ok(r) = PacketRepr::parse(&p) {
        if let BodyRepr::LsUpdate(u) = &r.body {
            for l in u.lsas.iter() {
                let _ = (l.header(), l.verify_checksum());
                if let Ok(LsaRepr {
                    body: LsaBody::Opaque(o),
                    ..
                }) = LsaRepr::parse(&l)
                {
                    for t in o.tlvs().flatten() {
                        let _ = t.sub_tlvs().count();
                    }
                    let _ = te::validate(&o);
                }
            }
        }
    }
    let len = usize::from(p.packet_len());
    let _ = auth::verify(data, len, &AuthConfig::Null);
    if let Ok(k) = CryptoKey::new(p.key_id(), CryptoAlgorithm::HmacSha256, b"k") {
        if let Ok(cfg) = AuthConfig::crypto(&[k]) {
            let _ = auth::verify(data, len, &cfg);
        }
    }
});
