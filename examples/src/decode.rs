//! Decoding OSPFv2 packets from captures into JSON records and tcpdump-like text.
//!
//! [`decode_frame`] turns one captured frame into a [`Record`] (or nothing, when the frame
//! carries no OSPF); [`Record::json`] is the machine-readable form (one object per packet,
//! schema in the `ospf-pcap` documentation) and [`Record::text`] the one-line summary.
//!
//! ```
//! use ospf_examples::decode::{decode_ospf, Key};
//!
//! // A Hello from 10.0.0.1 in area 0, null authentication.
//! let hello = [
//!     2, 1, 0, 48, 10, 0, 0, 1, 0, 0, 0, 0, 0xe8, 0x97, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //
//!     255, 255, 255, 0, 0, 10, 2, 1, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
//! ];
//! let keys: Vec<Key> = vec!["0:simple:secret".parse().unwrap()];
//! let json = decode_ospf(&hello, &keys);
//! assert_eq!(json["type"], 1);
//! assert_eq!(json["router_id"], "10.0.0.1");
//! assert_eq!(json["hello"]["neighbors"][0], "10.0.0.2");
//! assert_eq!(json["auth_verified"], serde_json::Value::Null);
//! assert!(json.get("error").is_none(), "{json}");
//! ```

use std::fmt::{self, Write as _};
use std::net::Ipv4Addr;
use std::str::FromStr;

use ospf_core::auth::{self, Apad, AuthConfig, CryptoAlgorithm, CryptoKey};
use ospf_core::wire::{
    self, AU_CRYPTO, AU_SIMPLE, BodyRepr, Error, Lsa, LsaBody, LsaHeader, LsaRepr, OpaqueLsa,
    Packet, PacketRepr,
};
use serde_json::{Map, Value, json};

use crate::pcap::{Extracted, Frame, LinkError, extract_ospf};

/// A key to verify packets with: `ID:ALG:SECRET` on the command line, ALG one of
/// `simple`, `md5`, `hmac-sha1`, `hmac-sha256`, `hmac-sha384`, `hmac-sha512` (the ID is
/// ignored for `simple`).
#[derive(Clone, PartialEq, Eq)]
pub enum Key {
    /// A simple password (AuType 1), zero padded to 8 bytes.
    Simple([u8; 8]),
    /// A cryptographic key (AuType 2).
    Crypto(CryptoKey),
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Simple(_) => f.write_str("Key::Simple(<redacted>)"),
            Key::Crypto(k) => write!(f, "Key::Crypto({k:?})"),
        }
    }
}

impl FromStr for Key {
    type Err = String;
    /// Parses `ID:ALG:SECRET`; the secret may itself contain colons.
    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.splitn(3, ':');
        let (Some(id), Some(alg), Some(secret)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("{s:?} is not ID:ALG:SECRET"));
        };
        let algorithm = match alg.to_ascii_lowercase().as_str() {
            "simple" => {
                return match AuthConfig::simple(secret.as_bytes()) {
                    Ok(AuthConfig::Simple(p)) => Ok(Key::Simple(p)),
                    Ok(_) => unreachable!("AuthConfig::simple returns a Simple config"),
                    Err(e) => Err(format!("simple password: {e}")),
                };
            }
            "md5" => CryptoAlgorithm::Md5,
            "hmac-sha1" => CryptoAlgorithm::HmacSha1,
            "hmac-sha256" => CryptoAlgorithm::HmacSha256,
            "hmac-sha384" => CryptoAlgorithm::HmacSha384,
            "hmac-sha512" => CryptoAlgorithm::HmacSha512,
            other => {
                return Err(format!(
                    "unknown algorithm {other:?} (simple, md5, hmac-sha1, hmac-sha256, \
                     hmac-sha384 or hmac-sha512)"
                ));
            }
        };
        let id = id
            .parse::<u8>()
            .map_err(|_| format!("key ID {id:?} is not a number from 0 to 255"))?;
        CryptoKey::new(id, algorithm, secret.as_bytes())
            .map(Key::Crypto)
            .map_err(|e| format!("key {id}: {e}"))
    }
}

/// What decoding one frame produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The JSON object (schema in the `ospf-pcap` documentation).
    pub json: Value,
}

impl Record {
    /// True when the packet could not be decoded (or failed a check).
    pub fn is_error(&self) -> bool {
        self.json.get("error").is_some()
    }

    /// The one-line, tcpdump-like form; with `verbose`, LSAs and entries follow on
    /// indented lines.
    pub fn text(&self, verbose: bool) -> String {
        text::line(&self.json, verbose)
    }
}

/// Decodes one frame: `Ok(None)` when it carries no OSPF, `Err` when the frame cannot be
/// taken apart down to IP.
pub fn decode_frame(frame: &Frame, keys: &[Key]) -> Result<Option<Record>, LinkError> {
    let extracted = extract_ospf(frame.link_type, &frame.data)?;
    let Some((src, dst)) = extracted.addresses() else {
        return Ok(None);
    };
    let mut obj = Map::new();
    obj.insert("frame".into(), json!(frame.number));
    obj.insert("src".into(), json!(src.to_string()));
    obj.insert("dst".into(), json!(dst.to_string()));
    let mut errors = Vec::new();
    match extracted {
        Extracted::Ospfv2(ip) => {
            obj.insert("ip_payload_len".into(), json!(ip.payload.len()));
            if ip.more_fragments {
                errors.push(format!(
                    "first fragment of a fragmented IPv4 packet ({} bytes; not reassembled)",
                    ip.payload.len()
                ));
            }
            if ip.truncated {
                errors.push(format!(
                    "capture cut the IP packet short ({} of {} payload bytes)",
                    ip.payload.len(),
                    usize::from(ip.total_len).saturating_sub(ip.header_len)
                ));
            }
            decode_into(ip.payload, keys, &mut obj, &mut errors);
        }
        Extracted::NonFirstFragment(ip) => errors.push(format!(
            "non-first IPv4 fragment (offset {}), no OSPF header in it",
            ip.fragment_offset
        )),
        Extracted::OspfOverIpv6 { payload, .. } => {
            let version = payload.first().copied().unwrap_or(0);
            errors.push(format!(
                "not OSPFv2: OSPF over IPv6 (OSPFv{version}, RFC 5340)"
            ));
        }
        Extracted::NotOspf => return Ok(None),
    }
    if !errors.is_empty() {
        obj.insert("error".into(), json!(errors.join("; ")));
    }
    Ok(Some(Record {
        json: Value::Object(obj),
    }))
}

/// Decodes an OSPF packet (the IP payload: packet, then any digest and LLS block) into a
/// JSON object, with an `error` member when something is wrong with it.
pub fn decode_ospf(payload: &[u8], keys: &[Key]) -> Value {
    let mut obj = Map::new();
    let mut errors = Vec::new();
    decode_into(payload, keys, &mut obj, &mut errors);
    if !errors.is_empty() {
        obj.insert("error".into(), json!(errors.join("; ")));
    }
    Value::Object(obj)
}

fn ip(a: Ipv4Addr) -> Value {
    Value::String(a.to_string())
}

fn decode_into(
    payload: &[u8],
    keys: &[Key],
    obj: &mut Map<String, Value>,
    errors: &mut Vec<String>,
) {
    // The first 12 bytes have the same layout in OSPFv2 and OSPFv3: show them even when
    // the codec rejects the packet, so the reader sees what it claims to be.
    if let Some(h) = payload.get(..12) {
        obj.insert("version".into(), json!(h[0]));
        obj.insert("type".into(), json!(h[1]));
        obj.insert("length".into(), json!(u16::from_be_bytes([h[2], h[3]])));
        obj.insert(
            "router_id".into(),
            ip(Ipv4Addr::new(h[4], h[5], h[6], h[7])),
        );
        obj.insert(
            "area_id".into(),
            ip(Ipv4Addr::new(h[8], h[9], h[10], h[11])),
        );
    }
    let packet = match Packet::new_checked(payload) {
        Ok(p) => p,
        Err(Error::BadVersion(v)) => {
            errors.push(format!("not OSPFv2: version {v}"));
            return;
        }
        Err(e) => {
            errors.push(e.to_string());
            return;
        }
    };
    obj.insert("checksum".into(), json!(packet.checksum()));
    obj.insert("auth_type".into(), json!(packet.au_type()));
    let digest_len = if packet.au_type() == AU_CRYPTO {
        obj.insert("auth_key_id".into(), json!(packet.key_id()));
        obj.insert("auth_data_len".into(), json!(packet.auth_data_len()));
        obj.insert("auth_seq".into(), json!(packet.crypto_seq()));
        usize::from(packet.auth_data_len())
    } else {
        // RFC 2328 D.4.3: with cryptographic authentication the checksum is not used.
        if let Err(e) = packet.check_checksum() {
            let swapped = packet.checksum().swap_bytes() == packet.compute_checksum();
            errors.push(if swapped {
                format!("{e} (byte-swapped)")
            } else {
                e.to_string()
            });
        }
        0
    };
    let verified = verify(&packet, keys);
    obj.insert(
        "auth_verified".into(),
        match &verified {
            Some(Ok(())) => Value::Bool(true),
            Some(Err(_)) => Value::Bool(false),
            None => Value::Null,
        },
    );
    if let Some(Err(why)) = verified {
        obj.insert("auth_error".into(), json!(why));
    }
    let repr = match PacketRepr::parse(&packet) {
        Ok(r) => r,
        Err(e) => {
            errors.push(e.to_string());
            return;
        }
    };
    match repr.body {
        BodyRepr::Hello(h) => {
            obj.insert(
                "hello".into(),
                json!({
                    "mask": ip(h.network_mask),
                    "hello_interval": h.hello_interval,
                    "options": h.options.bits(),
                    "priority": h.priority,
                    "dead_interval": h.dead_interval,
                    "dr": ip(h.dr),
                    "bdr": ip(h.bdr),
                    "neighbors": h.neighbors.iter().map(ip).collect::<Vec<_>>(),
                }),
            );
        }
        BodyRepr::DbDesc(d) => {
            check_headers(d.lsa_headers.iter(), errors);
            obj.insert(
                "dbdesc".into(),
                json!({
                    "mtu": d.mtu,
                    "options": d.options.bits(),
                    "flags": d.flags.bits(),
                    "seq": d.seq,
                    "lsas": d.lsa_headers.iter().map(|h| lsa_header(&h)).collect::<Vec<_>>(),
                }),
            );
        }
        BodyRepr::LsRequest(r) => {
            let entries: Vec<Value> = r
                .entries
                .iter()
                .map(|e| {
                    json!({"type": e.lsa_type, "lsid": ip(e.lsid), "adv_router": ip(e.adv_router)})
                })
                .collect();
            obj.insert("lsreq".into(), Value::Array(entries));
        }
        BodyRepr::LsUpdate(u) => {
            let mut lsas = Vec::new();
            for (i, view) in u.lsas.iter().enumerate() {
                let (value, problem) = lsa(&view);
                if let Some(p) = problem {
                    errors.push(format!("LSA #{}: {p}", i + 1));
                }
                lsas.push(value);
            }
            obj.insert("lsupdate".into(), Value::Array(lsas));
        }
        BodyRepr::LsAck(a) => {
            check_headers(a.lsa_headers.iter(), errors);
            obj.insert(
                "lsack".into(),
                Value::Array(a.lsa_headers.iter().map(|h| lsa_header(&h)).collect()),
            );
        }
    }
    match packet.lls(digest_len) {
        Some(Ok(lls)) => {
            let mut tlvs = Vec::new();
            for tlv in lls.tlvs() {
                match tlv {
                    Ok(t) => tlvs.push(json!({"type": t.tlv_type, "length": t.value.len()})),
                    Err(e) => {
                        errors.push(format!("LLS block: {e}"));
                        break;
                    }
                }
            }
            let mut l = json!({
                "checksum": lls.checksum,
                "length": lls.wire_len() / 4,
                "tlvs": tlvs,
            });
            if let Some(eo) = lls.extended_options() {
                l["extended_options"] = json!(eo);
            }
            obj.insert("lls".into(), l);
        }
        Some(Err(e)) => errors.push(format!("LLS block announced by the L bit: {e}")),
        None => {}
    }
}

/// LSA headers of DD and LS Ack packets: the length counts the 20-byte header itself.
fn check_headers(headers: impl Iterator<Item = LsaHeader>, errors: &mut Vec<String>) {
    for (i, h) in headers.enumerate() {
        if usize::from(h.length) < wire::LSA_HEADER_LEN {
            errors.push(format!(
                "LSA header #{}: {} {} adv {}: length {} < 20",
                i + 1,
                text::lsa_type_name(u8::from(h.lsa_type)),
                h.lsid,
                h.adv_router,
                h.length
            ));
        }
    }
}

/// Checks the packet's authentication with the matching key: `None` when no key applies
/// (null authentication, no simple password given, no key with the packet's key ID).
fn verify(packet: &Packet<&[u8]>, keys: &[Key]) -> Option<Result<(), String>> {
    match packet.au_type() {
        AU_SIMPLE => keys.iter().find_map(|k| match k {
            Key::Simple(password) => Some(if packet.auth_bytes() == *password {
                Ok(())
            } else {
                Err("wrong password".to_string())
            }),
            _ => None,
        }),
        AU_CRYPTO => keys.iter().find_map(|k| match k {
            Key::Crypto(key) if key.id == packet.key_id() => Some(
                auth::verify_crypto(
                    packet.buffer(),
                    usize::from(packet.packet_len()),
                    key,
                    Apad::Rfc5709,
                )
                .map(|_| ())
                .map_err(|e| match e {
                    Error::AuthFailed(why) => why.to_string(),
                    other => other.to_string(),
                }),
            ),
            _ => None,
        }),
        _ => None,
    }
}

/// The JSON form of an LSA header.
pub fn lsa_header(h: &LsaHeader) -> Value {
    json!({
        "age": h.age,
        "options": h.options.bits(),
        "type": u8::from(h.lsa_type),
        "lsid": ip(h.lsid),
        "adv_router": ip(h.adv_router),
        "seq": h.seq,
        "checksum": h.checksum,
        "length": h.length,
    })
}

/// The JSON form of a whole LSA (header, `checksum_ok`, body by type, `error` if any), and
/// what is wrong with it, if anything.
pub fn lsa(view: &Lsa<&[u8]>) -> (Value, Option<String>) {
    let header = view.header();
    let mut obj = Map::new();
    if let Value::Object(h) = lsa_header(&header) {
        obj.extend(h);
    }
    let checksum_ok = view.verify_checksum();
    obj.insert("checksum_ok".into(), json!(checksum_ok));
    let mut problems = Vec::new();
    if !checksum_ok {
        problems.push(format!(
            "bad LSA checksum {:#06x}, should be {:#06x}",
            header.checksum,
            view.compute_checksum()
        ));
    }
    match LsaRepr::parse(view) {
        Ok(repr) => {
            if let Some((key, body)) = lsa_body(&repr.body) {
                obj.insert(key.into(), body);
            }
            // RFC 2328 A.4.3: the attached routers include the DR itself.
            if let LsaBody::Network(n) = repr.body
                && n.routers.is_empty()
            {
                problems.push("Network-LSA lists no attached router".to_string());
            }
            if let LsaBody::Opaque(o) = repr.body
                && let Err(e) = opaque_tlvs(&o)
            {
                problems.push(e);
            }
        }
        Err(e) => problems.push(e.to_string()),
    }
    let problem = if problems.is_empty() {
        None
    } else {
        let all = problems.join(", ");
        obj.insert("error".into(), json!(all));
        Some(format!(
            "{} {} adv {}: {all}",
            text::lsa_type_name(u8::from(header.lsa_type)),
            header.lsid,
            header.adv_router,
        ))
    };
    (Value::Object(obj), problem)
}

fn lsa_body(body: &LsaBody<'_>) -> Option<(&'static str, Value)> {
    Some(match body {
        LsaBody::Router(r) => {
            let links: Vec<Value> = r
                .links
                .iter()
                .map(|l| {
                    let mut link = json!({
                        "id": ip(l.id),
                        "data": ip(l.data),
                        "type": u8::from(l.link_type),
                        "metric": l.metric,
                    });
                    // TOS entries (RFC 2328 A.4.2): TOS, 0, 16-bit metric.
                    if !l.tos.is_empty() {
                        link["tos"] = l
                            .tos
                            .chunks_exact(4)
                            .map(|t| json!({"tos": t[0], "metric": u16::from_be_bytes([t[2], t[3]])}))
                            .collect();
                    }
                    link
                })
                .collect();
            ("router", json!({"flags": r.flags.bits(), "links": links}))
        }
        LsaBody::Network(n) => (
            "network",
            json!({"mask": ip(n.mask), "routers": n.routers.iter().map(ip).collect::<Vec<_>>()}),
        ),
        LsaBody::Summary(s) => {
            let mut v = json!({"mask": ip(s.mask), "metric": s.metric});
            // TOS entries (RFC 2328 A.4.4): TOS, 24-bit metric.
            if !s.tos.is_empty() {
                v["tos"] = s
                    .tos
                    .chunks_exact(4)
                    .map(|t| json!({"tos": t[0], "metric": u32::from_be_bytes([0, t[1], t[2], t[3]])}))
                    .collect();
            }
            ("summary", v)
        }
        LsaBody::External(e) => {
            let mut v = json!({
                "mask": ip(e.mask),
                "e2": e.e2,
                "metric": e.metric,
                "forwarding": ip(e.forwarding),
                "tag": e.tag,
            });
            // TOS entries (RFC 2328 A.4.5): E bit and TOS, 24-bit metric, forwarding, tag.
            if !e.tos.is_empty() {
                v["tos"] = e
                    .tos
                    .chunks_exact(12)
                    .map(|t| {
                        json!({
                            "tos": t[0] & 0x7f,
                            "e2": t[0] & 0x80 != 0,
                            "metric": u32::from_be_bytes([0, t[1], t[2], t[3]]),
                            "forwarding": ip(Ipv4Addr::new(t[4], t[5], t[6], t[7])),
                            "tag": u32::from_be_bytes([t[8], t[9], t[10], t[11]]),
                        })
                    })
                    .collect();
            }
            ("external", v)
        }
        LsaBody::Opaque(o) => {
            let mut v = json!({"opaque_type": o.opaque_type, "opaque_id": o.opaque_id});
            // RFC 3623 Appendix A: the TLVs of a Grace-LSA, those present.
            if o.opaque_type == wire::GRACE_OPAQUE_TYPE
                && let Ok(g) = wire::GraceLsa::parse(o)
            {
                let mut grace = serde_json::Map::new();
                if let Some(p) = g.grace_period {
                    grace.insert("grace_period".into(), json!(p));
                }
                if let Some(r) = g.reason {
                    grace.insert("reason".into(), json!(u8::from(r)));
                }
                if let Some(a) = g.interface_address {
                    grace.insert("interface_address".into(), json!(ip(a)));
                }
                v["grace"] = Value::Object(grace);
            }
            // RFC 7684 §2.1: the Extended Prefix TLVs that parse, with our weight sub-TLV.
            if let Ok(tlvs) = wire::ext_prefix_tlvs(o) {
                let list: Vec<Value> = tlvs
                    .filter_map(|t| t.ok())
                    .map(|t| {
                        let mut e = json!({
                            "route_type": u8::from(t.route_type),
                            "prefix_len": t.prefix_len,
                            "af": t.address_family,
                            "flags": t.flags.bits(),
                            "prefix": ip(t.prefix),
                        });
                        if let Ok(Some(w)) = t.weight() {
                            e["weight"] = json!(w);
                        }
                        e
                    })
                    .collect();
                v["ext_prefix"] = Value::Array(list);
            }
            ("opaque", v)
        }
        LsaBody::Unknown(_) => return None,
    })
}

/// Name of a TE Link sub-TLV (RFC 3630 2.5, RFC 4203, RFC 4124).
fn te_sub_tlv_name(t: u16) -> &'static str {
    match t {
        1 => "Link Type",
        2 => "Link ID",
        3 => "Local Interface IP Address",
        4 => "Remote Interface IP Address",
        5 => "Traffic Engineering Metric",
        6 => "Maximum Bandwidth",
        7 => "Maximum Reservable Bandwidth",
        8 => "Unreserved Bandwidth",
        9 => "Administrative Group",
        11 => "Link Local/Remote Identifiers",
        14 => "Link Protection Type",
        15 => "Interface Switching Capability Descriptor",
        16 => "Shared Risk Link Group",
        17 => "Bandwidth Constraints",
        _ => "unknown",
    }
}

/// Opaque types whose information is a sequence of TLVs: TE (RFC 3630), Grace (RFC 3623),
/// Router Information (RFC 7770), Extended Prefix and Extended Link (RFC 7684).
const TLV_OPAQUE_TYPES: [u8; 5] = [1, 3, 4, 7, 8];

/// Checks the TLV framing of an opaque LSA of a TLV-based type and, for TE LSAs
/// (RFC 3630), the length of each known TLV and Link sub-TLV; describes the first problem.
/// Other opaque types carry application data of their own and are not checked.
fn opaque_tlvs(o: &OpaqueLsa<'_>) -> Result<(), String> {
    if !TLV_OPAQUE_TYPES.contains(&o.opaque_type) {
        return Ok(());
    }
    if o.opaque_type == wire::GRACE_OPAQUE_TYPE {
        return wire::GraceLsa::parse(o)
            .map(|_| ())
            .map_err(|e| format!("Grace-LSA TLVs: {e}"));
    }
    for tlv in o.tlvs() {
        let tlv = tlv.map_err(|e| format!("opaque TLVs: {e}"))?;
        if o.opaque_type != wire::te::TE_OPAQUE_TYPE {
            continue;
        }
        match tlv.tlv_type {
            wire::te::TLV_ROUTER_ADDRESS if tlv.value.len() != 4 => {
                return Err(format!(
                    "TE Router Address TLV (1) length {} (invalid, must be 4)",
                    tlv.value.len()
                ));
            }
            wire::te::TLV_LINK => {
                for sub in wire::te::link_sub_tlvs(&tlv) {
                    match sub {
                        Ok(_) => {}
                        Err(Error::InvalidTlvLength { tlv_type, len }) => {
                            return Err(format!(
                                "TE Link TLV (2): {} sub-TLV ({tlv_type}) length {len} (invalid)",
                                te_sub_tlv_name(tlv_type)
                            ));
                        }
                        Err(e) => return Err(format!("TE Link TLV (2) sub-TLVs: {e}")),
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The text form.
mod text {
    use super::*;

    pub(super) fn lsa_type_name(t: u8) -> String {
        match t {
            1 => "router".into(),
            2 => "network".into(),
            3 => "summary".into(),
            4 => "asbr-summary".into(),
            5 => "external".into(),
            7 => "nssa".into(),
            9 => "opaque-link".into(),
            10 => "opaque-area".into(),
            11 => "opaque-as".into(),
            other => format!("type-{other}"),
        }
    }

    fn packet_type_name(t: u64) -> String {
        match t {
            1 => "Hello".into(),
            2 => "Database Description".into(),
            3 => "LS-Request".into(),
            4 => "LS-Update".into(),
            5 => "LS-Ack".into(),
            other => format!("unknown type {other}"),
        }
    }

    fn flags(bits: u64, names: &[(u64, &str)]) -> String {
        let set: Vec<&str> = names
            .iter()
            .filter(|(b, _)| bits & b != 0)
            .map(|(_, n)| *n)
            .collect();
        format!("[{}]", set.join(","))
    }

    fn options(v: &Value) -> String {
        flags(
            v.as_u64().unwrap_or(0),
            &[
                (0x80, "DN"),
                (0x40, "O"),
                (0x20, "DC"),
                (0x10, "L"),
                (0x08, "NP"),
                (0x04, "MC"),
                (0x02, "E"),
                (0x01, "MT"),
            ],
        )
    }

    fn s(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Null => "-".into(),
            other => other.to_string(),
        }
    }

    /// The elements of a JSON array as [`s`] shows them (none if `v` is not an array).
    fn list(v: &Value) -> Vec<String> {
        v.as_array().into_iter().flatten().map(s).collect()
    }

    fn lsa_brief(h: &Value) -> String {
        let t = h["type"].as_u64().unwrap_or(0) as u8;
        format!(
            "{} {} adv {} seq {:#010x} age {}",
            lsa_type_name(t),
            s(&h["lsid"]),
            s(&h["adv_router"]),
            h["seq"].as_u64().unwrap_or(0),
            h["age"].as_u64().unwrap_or(0),
        )
    }

    fn lsa_detail(l: &Value) -> String {
        let mut out = lsa_brief(l);
        let _ = write!(
            out,
            " cksum {:#06x}{} len {} opts {}",
            l["checksum"].as_u64().unwrap_or(0),
            match l["checksum_ok"].as_bool() {
                Some(false) => " (bad)",
                _ => "",
            },
            l["length"].as_u64().unwrap_or(0),
            options(&l["options"]),
        );
        if let Some(r) = l.get("router") {
            let _ = write!(
                out,
                ", flags {}",
                flags(
                    r["flags"].as_u64().unwrap_or(0),
                    &[
                        (0x10, "Nt"),
                        (0x08, "W"),
                        (0x04, "V"),
                        (0x02, "E"),
                        (0x01, "B")
                    ]
                )
            );
            for link in r["links"].as_array().into_iter().flatten() {
                let kind = match link["type"].as_u64() {
                    Some(1) => "p2p",
                    Some(2) => "transit",
                    Some(3) => "stub",
                    Some(4) => "virtual",
                    _ => "unknown",
                };
                let _ = write!(
                    out,
                    "; {kind} {} data {} metric {}",
                    s(&link["id"]),
                    s(&link["data"]),
                    s(&link["metric"])
                );
            }
        }
        if let Some(n) = l.get("network") {
            let routers = list(&n["routers"]);
            let _ = write!(
                out,
                ", mask {} routers {}",
                s(&n["mask"]),
                routers.join(",")
            );
        }
        if let Some(n) = l.get("summary") {
            let _ = write!(out, ", mask {} metric {}", s(&n["mask"]), s(&n["metric"]));
        }
        if let Some(e) = l.get("external") {
            let _ = write!(
                out,
                ", mask {} {} metric {} fwd {} tag {}",
                s(&e["mask"]),
                if e["e2"].as_bool() == Some(true) {
                    "E2"
                } else {
                    "E1"
                },
                s(&e["metric"]),
                s(&e["forwarding"]),
                s(&e["tag"])
            );
        }
        if let Some(o) = l.get("opaque") {
            let _ = write!(
                out,
                ", opaque type {} id {}",
                s(&o["opaque_type"]),
                s(&o["opaque_id"])
            );
            if let Some(g) = o.get("grace").and_then(Value::as_object) {
                for (k, v) in g {
                    let _ = write!(out, ", {} {}", k.replace('_', " "), s(v));
                }
            }
        }
        if let Some(e) = l.get("error") {
            let _ = write!(out, " [{}]", s(e));
        }
        out
    }

    pub(super) fn line(r: &Value, verbose: bool) -> String {
        let mut out = format!("{} {} > {}: ", s(&r["frame"]), s(&r["src"]), s(&r["dst"]));
        let Some(t) = r.get("type").and_then(Value::as_u64) else {
            let _ = write!(out, "OSPF, {}", s(&r["error"]));
            return out;
        };
        let version = r["version"].as_u64().unwrap_or(2);
        let _ = write!(
            out,
            "OSPFv{version}, {}, length {}, rid {} area {}",
            packet_type_name(t),
            s(&r["length"]),
            s(&r["router_id"]),
            s(&r["area_id"]),
        );
        match r.get("auth_type").and_then(Value::as_u64) {
            Some(1) => {
                let _ = write!(out, ", auth simple");
            }
            Some(2) => {
                let _ = write!(
                    out,
                    ", auth crypto key {} seq {}",
                    s(&r["auth_key_id"]),
                    s(&r["auth_seq"])
                );
            }
            Some(0) | None => {}
            Some(other) => {
                let _ = write!(out, ", auth type {other}");
            }
        }
        match r.get("auth_verified").and_then(Value::as_bool) {
            Some(true) => out.push_str(" (verified)"),
            Some(false) => {
                let _ = write!(out, " (AUTH FAILED: {})", s(&r["auth_error"]));
            }
            None => {}
        }
        // (brief, verbose) forms of the LSAs / entries the packet carries.
        let mut details: Vec<(String, String)> = Vec::new();
        if let Some(h) = r.get("hello") {
            let nbrs = list(&h["neighbors"]);
            let _ = write!(
                out,
                ", mask {} hello {} dead {} prio {} opts {} dr {} bdr {} nbrs [{}]",
                s(&h["mask"]),
                s(&h["hello_interval"]),
                s(&h["dead_interval"]),
                s(&h["priority"]),
                options(&h["options"]),
                s(&h["dr"]),
                s(&h["bdr"]),
                nbrs.join(",")
            );
        }
        if let Some(d) = r.get("dbdesc") {
            let lsas = d["lsas"].as_array().map_or(&[][..], Vec::as_slice);
            let _ = write!(
                out,
                ", mtu {} opts {} flags {} seq {:#x}, {} LSA header{}",
                s(&d["mtu"]),
                options(&d["options"]),
                flags(
                    d["flags"].as_u64().unwrap_or(0),
                    &[(0x04, "I"), (0x02, "M"), (0x01, "MS"), (0x08, "R")]
                ),
                d["seq"].as_u64().unwrap_or(0),
                lsas.len(),
                if lsas.len() == 1 { "" } else { "s" }
            );
            details.extend(lsas.iter().map(|h| (lsa_brief(h), lsa_brief(h))));
        }
        if let Some(req) = r.get("lsreq").and_then(Value::as_array) {
            let _ = write!(
                out,
                ", {} request{}",
                req.len(),
                if req.len() == 1 { "" } else { "s" }
            );
            details.extend(req.iter().map(|e| {
                let d = format!(
                    "{} {} adv {}",
                    lsa_type_name(e["type"].as_u64().unwrap_or(0) as u8),
                    s(&e["lsid"]),
                    s(&e["adv_router"])
                );
                (d.clone(), d)
            }));
        }
        if let Some(lsas) = r.get("lsupdate").and_then(Value::as_array) {
            let _ = write!(
                out,
                ", {} LSA{}",
                lsas.len(),
                if lsas.len() == 1 { "" } else { "s" }
            );
            details.extend(lsas.iter().map(|l| (lsa_brief(l), lsa_detail(l))));
        }
        if let Some(acks) = r.get("lsack").and_then(Value::as_array) {
            let _ = write!(
                out,
                ", {} ack{}",
                acks.len(),
                if acks.len() == 1 { "" } else { "s" }
            );
            details.extend(acks.iter().map(|h| (lsa_brief(h), lsa_brief(h))));
        }
        if !verbose && !details.is_empty() {
            let brief: Vec<&str> = details.iter().map(|(b, _)| b.as_str()).collect();
            let _ = write!(out, ": {}", brief.join("; "));
        }
        if let Some(e) = r.get("error") {
            let _ = write!(out, " [error: {}]", s(e));
        }
        if verbose {
            for (_, d) in details {
                let _ = write!(out, "\n    {d}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ospf_core::wire::arbitrary::arb_packet;
    use proptest::prelude::*;

    fn keys() -> Vec<Key> {
        vec![
            "0:simple:pw".parse().unwrap(),
            "1:md5:k".parse().unwrap(),
            "2:hmac-sha256:k".parse().unwrap(),
        ]
    }

    proptest! {
        #[test]
        fn any_bytes_decode_and_print_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let json = decode_ospf(&bytes, &keys());
            let r = Record { json };
            let _ = r.text(false);
            let _ = r.text(true);
        }

        #[test]
        fn mutated_valid_packets_decode_and_print_without_panic(
            p in arb_packet(),
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
            cut in any::<usize>(),
        ) {
            let mut bytes = p.to_bytes();
            let clean = decode_ospf(&bytes, &[]);
            prop_assert_eq!(&clean["length"], &json!(bytes.len()));
            prop_assert_eq!(&clean["router_id"], &json!(p.router_id.to_string()));
            for (at, x) in flips {
                let n = bytes.len();
                bytes[at % n] ^= x;
            }
            bytes.truncate(cut % (bytes.len() + 1));
            let r = Record { json: decode_ospf(&bytes, &keys()) };
            let _ = r.text(true);
        }
    }

    #[test]
    fn key_parsing() {
        assert!(
            matches!("0:simple:plain123".parse::<Key>(), Ok(Key::Simple(p)) if &p == b"plain123")
        );
        assert!(matches!(":simple:x".parse::<Key>(), Ok(Key::Simple(_))));
        let k: Key = "7:hmac-sha256:a:b:c".parse().unwrap();
        let Key::Crypto(k) = k else {
            panic!("crypto key")
        };
        assert_eq!(
            (k.id, k.algorithm, k.secret()),
            (7, CryptoAlgorithm::HmacSha256, &b"a:b:c"[..])
        );
        for bad in [
            "1:md5",
            "x:md5:k",
            "256:md5:k",
            "1:sha3:k",
            "0:simple:123456789",
            "1:md5:12345678901234567",
        ] {
            assert!(bad.parse::<Key>().is_err(), "{bad}");
        }
        assert!(!format!("{:?}", "0:simple:secret".parse::<Key>().unwrap()).contains("secret"));
    }
}
