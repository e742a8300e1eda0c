//! Decoding OSPFv2 packets from captures into JSON records and tcpdump-like text.
//!
//! [`decode_frame`] turns one captured frame into a [`Record`] (or nothing, when the frame
//! carries no OSPF); [`Record::json`] is the machine-readable form (one object per packet,
//! schema in the `ospf-pcap` documentation) and [`Record::text`] the one-line summary.

use std::fmt::{self, Write as _};
use std::net::Ipv4Addr;
use std::str::FromStr;

use ospf_core::wire::{
    self, AuthField, BodyRepr, FixedItem, LinkType, Lsa, LsaBody, LsaHeader, LsaRepr, Packet,
    PacketRepr, RouterLinks,
};
use serde_json::{Map, Value, json};

use crate::pcap::{Extracted, Frame, LinkError, extract_ospf};

/// An authentication algorithm a [`Key`] is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthAlg {
    /// AuType 1, simple password.
    Simple,
    /// AuType 2, keyed MD5 (RFC 2328 D.3).
    Md5,
    /// AuType 2, HMAC-SHA-1 (RFC 5709).
    HmacSha1,
    /// AuType 2, HMAC-SHA-256 (RFC 5709).
    HmacSha256,
    /// AuType 2, HMAC-SHA-384 (RFC 5709).
    HmacSha384,
    /// AuType 2, HMAC-SHA-512 (RFC 5709).
    HmacSha512,
}

impl AuthAlg {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            AuthAlg::Simple => "simple",
            AuthAlg::Md5 => "md5",
            AuthAlg::HmacSha1 => "hmac-sha1",
            AuthAlg::HmacSha256 => "hmac-sha256",
            AuthAlg::HmacSha384 => "hmac-sha384",
            AuthAlg::HmacSha512 => "hmac-sha512",
        }
    }

    /// Digest length in bytes (0 for the simple password).
    pub fn digest_len(self) -> usize {
        match self {
            AuthAlg::Simple => 0,
            AuthAlg::Md5 => 16,
            AuthAlg::HmacSha1 => 20,
            AuthAlg::HmacSha256 => 32,
            AuthAlg::HmacSha384 => 48,
            AuthAlg::HmacSha512 => 64,
        }
    }
}

impl FromStr for AuthAlg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "simple" => AuthAlg::Simple,
            "md5" => AuthAlg::Md5,
            "hmac-sha1" => AuthAlg::HmacSha1,
            "hmac-sha256" => AuthAlg::HmacSha256,
            "hmac-sha384" => AuthAlg::HmacSha384,
            "hmac-sha512" => AuthAlg::HmacSha512,
            other => {
                return Err(format!(
                    "unknown algorithm {other:?} (simple, md5, hmac-sha1, hmac-sha256, \
                     hmac-sha384 or hmac-sha512)"
                ));
            }
        })
    }
}

/// A key to verify packets with: `ID:ALG:SECRET` on the command line.
#[derive(Clone, PartialEq, Eq)]
pub struct Key {
    /// Key ID (ignored for the simple password).
    pub id: u8,
    /// Algorithm.
    pub alg: AuthAlg,
    /// The secret (password or key).
    pub secret: Vec<u8>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("alg", &self.alg)
            .field("secret", &"<redacted>")
            .finish()
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
        let alg: AuthAlg = alg.parse()?;
        let id = if alg == AuthAlg::Simple && id.is_empty() {
            0
        } else {
            id.parse::<u8>()
                .map_err(|_| format!("key ID {id:?} is not a number from 0 to 255"))?
        };
        if alg == AuthAlg::Simple && secret.len() > 8 {
            return Err("a simple password has at most 8 bytes".into());
        }
        Ok(Key {
            id,
            alg,
            secret: secret.as_bytes().to_vec(),
        })
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
    match extracted {
        Extracted::Ospfv2(ip) => {
            obj.insert("ip_payload_len".into(), json!(ip.payload.len()));
            let mut errors = Vec::new();
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
            decode_ospf(ip.payload, keys, &mut obj, &mut errors);
            if !errors.is_empty() {
                obj.insert("error".into(), json!(errors.join("; ")));
            }
        }
        Extracted::NonFirstFragment(ip) => {
            obj.insert(
                "error".into(),
                json!(format!(
                    "non-first IPv4 fragment (offset {}), no OSPF header in it",
                    ip.fragment_offset
                )),
            );
        }
        Extracted::OspfOverIpv6 { payload, .. } => {
            let version = payload.first().copied().unwrap_or(0);
            obj.insert(
                "error".into(),
                json!(format!(
                    "not OSPFv2: OSPF over IPv6 (OSPFv{version}, RFC 5340)"
                )),
            );
        }
        Extracted::NotOspf => return Ok(None),
    }
    Ok(Some(Record {
        json: Value::Object(obj),
    }))
}

fn ip(a: Ipv4Addr) -> Value {
    Value::String(a.to_string())
}

fn ip_at(b: &[u8], at: usize) -> Ipv4Addr {
    Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3])
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Decodes an OSPF packet (IP payload) into `obj`, collecting problems in `errors`.
pub fn decode_ospf(
    payload: &[u8],
    keys: &[Key],
    obj: &mut Map<String, Value>,
    errors: &mut Vec<String>,
) {
    // Header fields straight from the bytes, so that even a packet the codec rejects is
    // reported with what it claims to be. OSPFv3 shares the first 12 bytes' layout.
    if payload.len() >= 12 {
        obj.insert("version".into(), json!(payload[0]));
        obj.insert("type".into(), json!(payload[1]));
        obj.insert("length".into(), json!(be16(payload, 2)));
        obj.insert("router_id".into(), ip(ip_at(payload, 4)));
        obj.insert("area_id".into(), ip(ip_at(payload, 8)));
    }
    if payload.first().is_some_and(|v| *v != wire::OSPF_VERSION) {
        errors.push(format!("not OSPFv2: version {}", payload[0]));
        return;
    }
    if payload.len() >= wire::HEADER_LEN {
        let au_type = be16(payload, 14);
        obj.insert("auth_type".into(), json!(au_type));
        if au_type == 2 {
            obj.insert("auth_key_id".into(), json!(payload[18]));
            obj.insert("auth_data_len".into(), json!(payload[19]));
            obj.insert("auth_seq".into(), json!(be32(payload, 20)));
        }
    }
    let packet = match Packet::new_checked(payload) {
        Ok(p) => p,
        Err(e) => {
            errors.push(e.to_string());
            return;
        }
    };
    let len = usize::from(be16(payload, 2));
    let repr = match PacketRepr::parse(&packet) {
        Ok(r) => r,
        Err(e) => {
            errors.push(e.to_string());
            return;
        }
    };
    if !matches!(repr.auth, AuthField::Crypto { .. }) {
        if let Err(e) = checks::packet_checksum(&payload[..len]) {
            errors.push(e.to_string());
        }
    }
    let verified = auth::verify(payload, &repr.auth, keys);
    obj.insert(
        "auth_verified".into(),
        verified.map_or(Value::Null, Value::Bool),
    );
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
                .map(|e| json!({"type": e.lsa_type, "lsid": ip(e.lsid), "adv_router": ip(e.adv_router)}))
                .collect();
            obj.insert("lsreq".into(), Value::Array(entries));
        }
        BodyRepr::LsUpdate(u) => {
            let mut lsas = Vec::new();
            for (i, view) in u.lsas.iter().enumerate() {
                let (value, problem) = lsa(view);
                if let Some(p) = problem {
                    errors.push(format!("LSA #{}: {p}", i + 1));
                }
                lsas.push(value);
            }
            obj.insert("lsupdate".into(), Value::Array(lsas));
        }
        BodyRepr::LsAck(a) => {
            obj.insert(
                "lsack".into(),
                Value::Array(a.lsa_headers.iter().map(|h| lsa_header(&h)).collect()),
            );
        }
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

/// Decodes one LSA of an LS Update: the JSON object and, if any, what is wrong with it.
fn lsa(view: Lsa<&[u8]>) -> (Value, Option<String>) {
    let bytes: &[u8] = view.into_inner();
    let header = LsaHeader::read(&bytes[..wire::LSA_HEADER_LEN]);
    let mut value = lsa_header(&header);
    let Value::Object(obj) = &mut value else {
        unreachable!("lsa_header returns an object")
    };
    let checksum_ok = checks::lsa_checksum_ok(bytes);
    obj.insert("checksum_ok".into(), json!(checksum_ok));
    let mut problems = Vec::new();
    if !checksum_ok {
        problems.push("bad LSA checksum".to_string());
    }
    let view = Lsa::new_unchecked(bytes);
    match LsaRepr::parse(&view) {
        Ok(repr) => {
            let (key, body) = lsa_body(&repr.body);
            if let Some(key) = key {
                obj.insert(key.into(), body);
            }
            if let LsaBody::Opaque(o) = repr.body {
                if let Err(e) = checks::opaque_tlvs(o.opaque_type, o.data) {
                    problems.push(e);
                }
            }
        }
        Err(e) => problems.push(e.to_string()),
    }
    let problem = if problems.is_empty() {
        None
    } else {
        let what = format!(
            "{} {} adv {}: {}",
            text::lsa_type_name(u8::from(header.lsa_type)),
            header.lsid,
            header.adv_router,
            problems.join(", ")
        );
        obj.insert("error".into(), json!(problems.join(", ")));
        Some(what)
    };
    (value, problem)
}

fn lsa_body(body: &LsaBody<'_>) -> (Option<&'static str>, Value) {
    match body {
        LsaBody::Router(r) => {
            let links: Vec<Value> = router_links(&r.links)
                .into_iter()
                .map(|(id, data, t, metric)| {
                    json!({"id": ip(id), "data": ip(data), "type": t, "metric": metric})
                })
                .collect();
            (
                Some("router"),
                json!({"flags": r.flags.bits(), "links": links}),
            )
        }
        LsaBody::Network(n) => (
            Some("network"),
            json!({"mask": ip(n.mask), "routers": n.routers.iter().map(ip).collect::<Vec<_>>()}),
        ),
        LsaBody::Summary(s) => (
            Some("summary"),
            json!({"mask": ip(s.mask), "metric": s.metric}),
        ),
        LsaBody::External(e) => (
            Some("external"),
            json!({
                "mask": ip(e.mask),
                "e2": e.e2,
                "metric": e.metric,
                "forwarding": ip(e.forwarding),
                "tag": e.tag,
            }),
        ),
        LsaBody::Opaque(o) => (
            Some("opaque"),
            json!({"opaque_type": o.opaque_type, "opaque_id": o.opaque_id}),
        ),
        LsaBody::Unknown(_) => (None, Value::Null),
    }
}

fn link_type_code(t: LinkType) -> u8 {
    match t {
        LinkType::PointToPoint => 1,
        LinkType::Transit => 2,
        LinkType::Stub => 3,
        LinkType::Virtual => 4,
        LinkType::Unknown(v) => v,
    }
}

/// (Link ID, Link Data, type, metric) of each link.
fn router_links(links: &RouterLinks<'_>) -> Vec<(Ipv4Addr, Ipv4Addr, u8, u16)> {
    match links {
        RouterLinks::Slice(s) => s
            .iter()
            .map(|l| (l.id, l.data, link_type_code(l.link_type), l.metric))
            .collect(),
        RouterLinks::Wire { count, bytes } => {
            let mut out = Vec::new();
            let mut rest: &[u8] = bytes;
            for _ in 0..*count {
                if rest.len() < 12 {
                    break;
                }
                let tos = usize::from(rest[9]) * 4;
                out.push((ip_at(rest, 0), ip_at(rest, 4), rest[8], be16(rest, 10)));
                rest = rest.get(12 + tos..).unwrap_or(&[]);
            }
            out
        }
    }
}

/// Checks the codec leaves to its users: checksums and opaque TLV framing.
mod checks {
    /// A packet checksum failure.
    #[derive(Debug)]
    pub(super) struct BadChecksum {
        field: u16,
        computed: u16,
    }
    impl std::fmt::Display for BadChecksum {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(
                f,
                "bad packet checksum: field {:#06x}, computed {:#06x}",
                self.field, self.computed
            )
        }
    }

    /// RFC 2328 D.4.1: the RFC 1071 checksum over the packet, authentication field excluded.
    pub(super) fn packet_checksum(packet: &[u8]) -> Result<(), BadChecksum> {
        let mut sum: u32 = 0;
        for (i, pair) in packet.chunks(2).enumerate() {
            // Skip the checksum itself (bytes 12..14) and the auth field (16..24).
            if i == 6 || (8..12).contains(&i) {
                continue;
            }
            sum += u32::from(u16::from_be_bytes([
                pair[0],
                pair.get(1).copied().unwrap_or(0),
            ]));
        }
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        let computed = !(sum as u16);
        let field = u16::from_be_bytes([packet[12], packet[13]]);
        if computed == field {
            Ok(())
        } else {
            Err(BadChecksum { field, computed })
        }
    }

    /// RFC 2328 12.1.7: the Fletcher checksum over the LSA from byte 2 (age excluded).
    pub(super) fn lsa_checksum_ok(lsa: &[u8]) -> bool {
        let (mut c0, mut c1) = (0u32, 0u32);
        for b in &lsa[2..] {
            c0 = (c0 + u32::from(*b)) % 255;
            c1 = (c1 + c0) % 255;
        }
        c0 == 0 && c1 == 0
    }

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

    /// Length rule of a TE Link sub-TLV (RFC 3630 2.5, RFC 4203, RFC 4124): (min, multiple).
    fn te_sub_tlv_len(t: u16) -> Option<(usize, usize, Option<usize>)> {
        // (minimum, step, exact)
        Some(match t {
            1 => (1, 1, Some(1)),
            2 | 5 | 6 | 7 | 9 => (4, 4, Some(4)),
            3 | 4 | 16 => (4, 4, None),
            8 => (32, 32, Some(32)),
            11 => (8, 8, Some(8)),
            14 => (4, 4, Some(4)),
            15 => (36, 4, None),
            17 => (4, 4, None),
            _ => return None,
        })
    }

    /// Walks TLVs (type u16, length u16, value padded to 4 bytes) in `data`.
    fn tlvs(data: &[u8]) -> Result<Vec<(u16, &[u8])>, String> {
        let mut out = Vec::new();
        let mut rest = data;
        while !rest.is_empty() {
            if rest.len() < 4 {
                return Err(format!("{} stray bytes after the last TLV", rest.len()));
            }
            let t = u16::from_be_bytes([rest[0], rest[1]]);
            let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
            let Some(value) = rest.get(4..4 + len) else {
                return Err(format!(
                    "TLV {t} length {len} runs past its container ({} bytes left)",
                    rest.len() - 4
                ));
            };
            out.push((t, value));
            rest = rest.get(4 + len.div_ceil(4) * 4..).unwrap_or(&[]);
        }
        Ok(out)
    }

    /// Checks the TLV framing of an opaque LSA's data, and for TE LSAs (opaque type 1,
    /// RFC 3630) the lengths of the Link TLV's sub-TLVs.
    pub(super) fn opaque_tlvs(opaque_type: u8, data: &[u8]) -> Result<(), String> {
        let top = tlvs(data)?;
        if opaque_type != 1 {
            return Ok(());
        }
        for (t, value) in top {
            match t {
                1 if value.len() != 4 => {
                    return Err(format!(
                        "TE Router Address TLV (1) length {} != 4",
                        value.len()
                    ));
                }
                2 => {
                    let subs = tlvs(value).map_err(|e| format!("TE Link TLV (2): {e}"))?;
                    for (st, sv) in subs {
                        let Some((min, step, exact)) = te_sub_tlv_len(st) else {
                            continue;
                        };
                        let n = sv.len();
                        let bad = match exact {
                            Some(e) => n != e,
                            None => n < min || (n - min) % step != 0,
                        };
                        if bad {
                            let rule = match exact {
                                Some(e) => format!("must be {e}"),
                                None if n < min => format!("< {min}"),
                                None => format!("not {min} + {step}*N"),
                            };
                            return Err(format!(
                                "TE Link TLV (2): {} sub-TLV ({st}) length {n} {rule} (invalid)",
                                te_sub_tlv_name(st)
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Authentication checks against the keys given on the command line.
mod auth {
    use super::{AuthAlg, AuthField, Key};

    /// `None` when no key applies (null authentication, or no key for this key ID).
    pub(super) fn verify(_payload: &[u8], field: &AuthField, keys: &[Key]) -> Option<bool> {
        match field {
            AuthField::Simple(pw) => {
                let key = keys.iter().find(|k| k.alg == AuthAlg::Simple)?;
                let mut want = [0u8; 8];
                want[..key.secret.len()].copy_from_slice(&key.secret);
                Some(*pw == want)
            }
            AuthField::Crypto { key_id, .. } => {
                let _key = keys
                    .iter()
                    .find(|k| k.alg != AuthAlg::Simple && k.id == *key_id)?;
                None
            }
            AuthField::Null | AuthField::Unknown { .. } => None,
        }
    }
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
            let routers: Vec<String> = n["routers"]
                .as_array()
                .into_iter()
                .flatten()
                .map(s)
                .collect();
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
            Some(false) => out.push_str(" (AUTH FAILED)"),
            None => {}
        }
        // (brief, verbose) forms of the LSAs / entries the packet carries.
        let mut details: Vec<(String, String)> = Vec::new();
        if let Some(h) = r.get("hello") {
            let nbrs: Vec<String> = h["neighbors"]
                .as_array()
                .into_iter()
                .flatten()
                .map(s)
                .collect();
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
