//! Capture files (pcap and pcapng) and the layers below OSPF: link layer, IPv4, IPv6.
//!
//! [`CaptureReader`] yields the [`Frame`]s of a file whatever its format; [`extract_ospf`]
//! finds the OSPF payload of a frame, given the frame's link type.
//!
//! ```no_run
//! use ospf_examples::pcap::{extract_ospf, CaptureReader, Extracted};
//!
//! let mut capture = CaptureReader::open("capture.pcapng").unwrap();
//! while let Some(frame) = capture.next_frame() {
//!     let frame = frame.unwrap();
//!     if let Ok(Extracted::Ospfv2(ip)) = extract_ospf(frame.link_type, &frame.data) {
//!         println!("{} {} > {}: {} bytes", frame.number, ip.src, ip.dst, ip.payload.len());
//!     }
//! }
//! ```

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::time::Duration;

use pcap_file::pcap::PcapReader;

/// IP protocol number of OSPF.
pub const IPPROTO_OSPF: u8 = 89;

/// Link types (LINKTYPE_* values of the tcpdump.org registry) that [`extract_ospf`] understands.
pub mod link_type {
    /// BSD loopback: a 4-byte address family in the host byte order of the capturing machine.
    pub const NULL: u32 = 0;
    /// Ethernet II, with any number of 802.1Q / 802.1ad VLAN tags.
    pub const ETHERNET: u32 = 1;
    /// Raw IP (IPv4 or IPv6), as LINKTYPE_RAW.
    pub const RAW: u32 = 101;
    /// OpenBSD loopback: like [`NULL`] but the family is in network byte order.
    pub const LOOP: u32 = 108;
    /// Linux cooked capture v1 (16-byte header).
    pub const LINUX_SLL: u32 = 113;
    /// Raw IPv4.
    pub const IPV4: u32 = 228;
    /// Raw IPv6.
    pub const IPV6: u32 = 229;
    /// Linux cooked capture v2 (20-byte header).
    pub const LINUX_SLL2: u32 = 276;
}

/// Why a capture file could not be read.
#[derive(Debug)]
pub enum CaptureError {
    /// The file could not be opened or read.
    Io(io::Error),
    /// The file is neither pcap nor pcapng, or is corrupt.
    Format(String),
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::Io(e) => write!(f, "{e}"),
            CaptureError::Format(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CaptureError {}

impl From<io::Error> for CaptureError {
    fn from(e: io::Error) -> Self {
        CaptureError::Io(e)
    }
}

impl From<pcap_file::PcapError> for CaptureError {
    fn from(e: pcap_file::PcapError) -> Self {
        match e {
            pcap_file::PcapError::IoError(e) => CaptureError::Io(e),
            other => CaptureError::Format(other.to_string()),
        }
    }
}

/// One captured frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// 1-based number of the frame in its file (as Wireshark numbers them).
    pub number: usize,
    /// Link type of the frame (see [`link_type`]).
    pub link_type: u32,
    /// Capture time since the Unix epoch.
    pub timestamp: Duration,
    /// Length of the frame on the wire (may exceed `data.len()` when the snap length cut it).
    pub original_len: u32,
    /// Captured bytes, link-layer header included.
    pub data: Vec<u8>,
}

type Peeked<R> = io::Chain<Cursor<[u8; 4]>, R>;

enum Format<R: Read> {
    Pcap(PcapReader<Peeked<R>>),
    PcapNg(PcapNgReader<Peeked<R>>),
}

/// pcapng blocks this reader understands.
const SHB: u32 = 0x0a0d_0d0a;
const IDB: u32 = 1;
const PB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;
/// Largest block accepted (guards the allocation against corrupt length fields).
const MAX_BLOCK: usize = 64 << 20;

/// A pcapng reader (format: draft-ietf-opsawg-pcapng).
///
/// pcap-file 2.0's pcapng reader rejects option lists that end without `opt_endofopt`,
/// which the format allows and real tools write (tcpdump's `ospf-sr.pcapng`), so blocks
/// are read here, leniently: options are walked only for `if_tsresol`.
struct PcapNgReader<R: Read> {
    reader: R,
    big_endian: bool,
    /// Link type and timestamp units per second of each interface of the section.
    interfaces: Vec<(u32, u64)>,
}

struct NgPacket {
    interface: u32,
    timestamp: u64,
    original_len: u32,
    data: Vec<u8>,
}

fn read_full<R: Read>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

impl<R: Read> PcapNgReader<R> {
    fn new(reader: R) -> Self {
        PcapNgReader {
            reader,
            big_endian: false,
            interfaces: Vec::new(),
        }
    }

    fn u16_at(&self, b: &[u8], at: usize) -> Option<u16> {
        let v = [*b.get(at)?, *b.get(at + 1)?];
        Some(if self.big_endian {
            u16::from_be_bytes(v)
        } else {
            u16::from_le_bytes(v)
        })
    }

    fn u32_at(&self, b: &[u8], at: usize) -> Option<u32> {
        let v = [
            *b.get(at)?,
            *b.get(at + 1)?,
            *b.get(at + 2)?,
            *b.get(at + 3)?,
        ];
        Some(if self.big_endian {
            u32::from_be_bytes(v)
        } else {
            u32::from_le_bytes(v)
        })
    }

    /// The next block as (type, body), `None` at a clean end of file.
    fn next_block(&mut self) -> Result<Option<(u32, Vec<u8>)>, CaptureError> {
        let mut head = [0u8; 8];
        match read_full(&mut self.reader, &mut head)? {
            0 => return Ok(None),
            8 => {}
            n => {
                return Err(CaptureError::Format(format!(
                    "pcapng: file ends inside a block header ({n} of 8 bytes)"
                )));
            }
        }
        let block_type = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        let mut prefix = Vec::new();
        if block_type == SHB {
            // The byte-order magic after the header decides the section's endianness.
            let mut magic = [0u8; 4];
            if read_full(&mut self.reader, &mut magic)? != 4 {
                return Err(CaptureError::Format(
                    "pcapng: truncated section header".into(),
                ));
            }
            self.big_endian = match magic {
                [0x1a, 0x2b, 0x3c, 0x4d] => true,
                [0x4d, 0x3c, 0x2b, 0x1a] => false,
                _ => {
                    return Err(CaptureError::Format(
                        "pcapng: section header with a bad byte-order magic".into(),
                    ));
                }
            };
            self.interfaces.clear();
            prefix.extend_from_slice(&magic);
        }
        let block_type = self.u32_at(&head, 0).unwrap_or(block_type);
        let len = self.u32_at(&head, 4).unwrap_or(0) as usize;
        if len < 12 + prefix.len() || !len.is_multiple_of(4) || len > MAX_BLOCK {
            return Err(CaptureError::Format(format!(
                "pcapng: block of type {block_type:#x} has a bad length {len}"
            )));
        }
        let mut rest = vec![0u8; len - 8 - prefix.len()];
        if read_full(&mut self.reader, &mut rest)? != rest.len() {
            return Err(CaptureError::Format(format!(
                "pcapng: file ends inside a block of type {block_type:#x}"
            )));
        }
        let trailer = self.u32_at(&rest, rest.len() - 4).unwrap_or(0) as usize;
        if trailer != len {
            return Err(CaptureError::Format(format!(
                "pcapng: block of type {block_type:#x}: trailing length {trailer} != {len}"
            )));
        }
        rest.truncate(rest.len() - 4);
        prefix.extend_from_slice(&rest);
        Ok(Some((block_type, prefix)))
    }

    /// Timestamp units per second from an interface's options (`if_tsresol`, code 9).
    fn ts_units(&self, mut opts: &[u8]) -> u64 {
        while let (Some(code), Some(len)) = (self.u16_at(opts, 0), self.u16_at(opts, 2)) {
            let len = usize::from(len);
            if code == 0 {
                break;
            }
            if code == 9
                && len == 1
                && let Some(&v) = opts.get(4)
            {
                let exp = u32::from(v & 0x7f);
                let base: u64 = if v & 0x80 == 0 { 10 } else { 2 };
                return base.checked_pow(exp).unwrap_or(1_000_000);
            }
            opts = opts.get(4 + len.div_ceil(4) * 4..).unwrap_or(&[]);
        }
        1_000_000
    }

    fn truncated(what: &str) -> CaptureError {
        CaptureError::Format(format!("pcapng: {what} block too short"))
    }

    /// The next packet, `None` at the end of the file.
    fn next_packet(&mut self) -> Result<Option<NgPacket>, CaptureError> {
        loop {
            let Some((block_type, body)) = self.next_block()? else {
                return Ok(None);
            };
            match block_type {
                SHB => {}
                IDB => {
                    let link = self
                        .u16_at(&body, 0)
                        .ok_or_else(|| Self::truncated("interface"))?;
                    let units = self.ts_units(body.get(8..).unwrap_or(&[]));
                    self.interfaces.push((u32::from(link), units));
                }
                EPB | PB => {
                    let (interface, hi, lo, cap, orig) = if block_type == EPB {
                        (
                            self.u32_at(&body, 0),
                            self.u32_at(&body, 4),
                            self.u32_at(&body, 8),
                            self.u32_at(&body, 12),
                            self.u32_at(&body, 16),
                        )
                    } else {
                        (
                            self.u16_at(&body, 0).map(u32::from),
                            self.u32_at(&body, 4),
                            self.u32_at(&body, 8),
                            self.u32_at(&body, 12),
                            self.u32_at(&body, 16),
                        )
                    };
                    let (Some(interface), Some(hi), Some(lo), Some(cap), Some(orig)) =
                        (interface, hi, lo, cap, orig)
                    else {
                        return Err(Self::truncated("packet"));
                    };
                    let data = body
                        .get(20..20 + cap as usize)
                        .ok_or_else(|| Self::truncated("packet"))?;
                    return Ok(Some(NgPacket {
                        interface,
                        timestamp: (u64::from(hi) << 32) | u64::from(lo),
                        original_len: orig,
                        data: data.to_vec(),
                    }));
                }
                SPB => {
                    let orig = self
                        .u32_at(&body, 0)
                        .ok_or_else(|| Self::truncated("simple packet"))?;
                    let data = &body[4..];
                    let cap = data.len().min(orig as usize);
                    return Ok(Some(NgPacket {
                        interface: 0,
                        timestamp: 0,
                        original_len: orig,
                        data: data[..cap].to_vec(),
                    }));
                }
                _ => {}
            }
        }
    }
}

/// Reads the frames of a pcap or pcapng capture (detected from the file's magic number).
pub struct CaptureReader<R: Read> {
    format: Format<R>,
    frames: usize,
    done: bool,
}

impl<R: Read> fmt::Debug for CaptureReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = match self.format {
            Format::Pcap(_) => "pcap",
            Format::PcapNg(_) => "pcapng",
        };
        f.debug_struct("CaptureReader")
            .field("format", &format)
            .field("frames", &self.frames)
            .finish()
    }
}

impl CaptureReader<BufReader<File>> {
    /// Opens a capture file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CaptureError> {
        let file = File::open(path)?;
        Self::new(BufReader::new(file))
    }
}

impl<R: Read> CaptureReader<R> {
    /// Starts reading a capture: checks the magic number and reads the file header.
    pub fn new(mut reader: R) -> Result<Self, CaptureError> {
        let mut magic = [0u8; 4];
        let mut got = 0;
        while got < 4 {
            match reader.read(&mut magic[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        if got < 4 {
            return Err(CaptureError::Format(format!(
                "not a capture file: {got} bytes, too short for a pcap or pcapng header"
            )));
        }
        let chained = Cursor::new(magic).chain(reader);
        let format = match magic {
            [0x0a, 0x0d, 0x0d, 0x0a] => Format::PcapNg(PcapNgReader::new(chained)),
            [0xa1, 0xb2, 0xc3, 0xd4]
            | [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d]
            | [0x4d, 0x3c, 0xb2, 0xa1] => Format::Pcap(PcapReader::new(chained)?),
            other => {
                return Err(CaptureError::Format(format!(
                    "not a pcap or pcapng file (magic {:02x}{:02x}{:02x}{:02x})",
                    other[0], other[1], other[2], other[3]
                )));
            }
        };
        Ok(CaptureReader {
            format,
            frames: 0,
            done: false,
        })
    }

    /// The next frame, `None` at the end of the file. After an error, returns `None`.
    pub fn next_frame(&mut self) -> Option<Result<Frame, CaptureError>> {
        if self.done {
            return None;
        }
        let next = self.read_next();
        match &next {
            None | Some(Err(_)) => self.done = true,
            Some(Ok(_)) => {}
        }
        next
    }

    fn read_next(&mut self) -> Option<Result<Frame, CaptureError>> {
        match &mut self.format {
            Format::Pcap(reader) => {
                let link_type = u32::from(reader.header().datalink);
                let packet = match reader.next_packet()? {
                    Ok(p) => p,
                    Err(e) => return Some(Err(e.into())),
                };
                self.frames += 1;
                Some(Ok(Frame {
                    number: self.frames,
                    link_type,
                    timestamp: packet.timestamp,
                    original_len: packet.orig_len,
                    data: packet.data.into_owned(),
                }))
            }
            Format::PcapNg(reader) => {
                let packet = match reader.next_packet() {
                    Ok(Some(p)) => p,
                    Ok(None) => return None,
                    Err(e) => return Some(Err(e)),
                };
                self.frames += 1;
                let Some(&(link_type, units)) = reader.interfaces.get(packet.interface as usize)
                else {
                    return Some(Err(CaptureError::Format(format!(
                        "frame {}: interface {} has no description block",
                        self.frames, packet.interface
                    ))));
                };
                let units = units.max(1);
                let timestamp = Duration::from_secs(packet.timestamp / units)
                    + Duration::from_nanos(
                        ((u128::from(packet.timestamp % units) * 1_000_000_000) / u128::from(units))
                            as u64,
                    );
                Some(Ok(Frame {
                    number: self.frames,
                    link_type,
                    timestamp,
                    original_len: packet.original_len,
                    data: packet.data,
                }))
            }
        }
    }
}

impl<R: Read> Iterator for CaptureReader<R> {
    type Item = Result<Frame, CaptureError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_frame()
    }
}

/// Reads every frame of a capture file.
pub fn read_capture(path: impl AsRef<Path>) -> Result<Vec<Frame>, CaptureError> {
    CaptureReader::open(path)?.collect()
}

/// An OSPFv2 packet found in a capture (see [`read_ospf_packets`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OspfPacket {
    /// 1-based number of the frame that carried it.
    pub frame: usize,
    /// Capture time since the Unix epoch.
    pub timestamp: Duration,
    /// IPv4 source.
    pub src: Ipv4Addr,
    /// IPv4 destination.
    pub dst: Ipv4Addr,
    /// The IP payload: OSPF packet, then any digest and LLS block.
    pub payload: Vec<u8>,
}

/// Reads the OSPF-over-IPv4 payloads of a capture file (frames of other protocols,
/// non-first fragments, OSPFv3 and frames of unsupported link types are left out).
pub fn read_ospf_packets(path: impl AsRef<Path>) -> Result<Vec<OspfPacket>, CaptureError> {
    let mut out = Vec::new();
    for frame in CaptureReader::open(path)? {
        let frame = frame?;
        if let Ok(Extracted::Ospfv2(ip)) = extract_ospf(frame.link_type, &frame.data) {
            out.push(OspfPacket {
                frame: frame.number,
                timestamp: frame.timestamp,
                src: ip.src,
                dst: ip.dst,
                payload: ip.payload.to_vec(),
            });
        }
    }
    Ok(out)
}

/// The IPv4 header fields the decoder reports, and the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4<'a> {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Protocol number.
    pub protocol: u8,
    /// Type of service byte.
    pub tos: u8,
    /// Time to live.
    pub ttl: u8,
    /// Header length in bytes (IHL × 4, options included).
    pub header_len: usize,
    /// Total length field.
    pub total_len: u16,
    /// Fragment offset in bytes.
    pub fragment_offset: u16,
    /// More-fragments flag.
    pub more_fragments: bool,
    /// The header checksum verifies.
    pub checksum_ok: bool,
    /// The payload: bytes after the header up to the total length (link padding removed),
    /// or up to the end of the capture when the frame was cut short.
    pub payload: &'a [u8],
    /// The capture holds fewer bytes than the total length says.
    pub truncated: bool,
}

/// What [`extract_ospf`] found in a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extracted<'a> {
    /// IPv4 protocol 89 carrying the start of an OSPF packet (not a non-first fragment).
    Ospfv2(Ipv4<'a>),
    /// IPv4 protocol 89, a fragment other than the first: no OSPF header in it.
    NonFirstFragment(Ipv4<'a>),
    /// OSPF over IPv6, i.e. OSPFv3: not OSPFv2.
    OspfOverIpv6 {
        /// Source address.
        src: Ipv6Addr,
        /// Destination address.
        dst: Ipv6Addr,
        /// The OSPF bytes (after any extension headers).
        payload: &'a [u8],
    },
    /// Something else (ARP, another IP protocol, ...).
    NotOspf,
}

impl Extracted<'_> {
    /// Source and destination addresses, when the frame carried OSPF.
    pub fn addresses(&self) -> Option<(IpAddr, IpAddr)> {
        match self {
            Extracted::Ospfv2(ip) | Extracted::NonFirstFragment(ip) => {
                Some((ip.src.into(), ip.dst.into()))
            }
            Extracted::OspfOverIpv6 { src, dst, .. } => Some(((*src).into(), (*dst).into())),
            Extracted::NotOspf => None,
        }
    }
}

/// Why a frame could not be taken apart down to its IP payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// The link type is not one [`extract_ospf`] understands.
    UnsupportedLinkType(u32),
    /// The frame is shorter than its headers.
    Truncated(&'static str),
    /// The IPv4 header is malformed.
    BadIpv4(String),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::UnsupportedLinkType(t) => write!(f, "unsupported link type {t}"),
            LinkError::Truncated(what) => write!(f, "frame too short for its {what}"),
            LinkError::BadIpv4(why) => write!(f, "bad IPv4 header: {why}"),
        }
    }
}

impl std::error::Error for LinkError {}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;

enum L3<'a> {
    Ipv4(&'a [u8]),
    Ipv6(&'a [u8]),
    Other,
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn by_ethertype(ethertype: u16, rest: &[u8]) -> L3<'_> {
    match ethertype {
        ETHERTYPE_IPV4 => L3::Ipv4(rest),
        ETHERTYPE_IPV6 => L3::Ipv6(rest),
        _ => L3::Other,
    }
}

fn by_version(bytes: &[u8]) -> L3<'_> {
    match bytes.first().map(|b| b >> 4) {
        Some(4) => L3::Ipv4(bytes),
        Some(6) => L3::Ipv6(bytes),
        _ => L3::Other,
    }
}

fn by_family(family: u32, rest: &[u8]) -> L3<'_> {
    match family {
        2 => L3::Ipv4(rest),
        // AF_INET6 on Linux, NetBSD/OpenBSD, FreeBSD, macOS.
        10 | 24 | 28 | 30 => L3::Ipv6(rest),
        _ => L3::Other,
    }
}

fn link_layer(link: u32, frame: &[u8]) -> Result<L3<'_>, LinkError> {
    match link {
        link_type::ETHERNET => {
            let mut ethertype = be16(frame, 12).ok_or(LinkError::Truncated("Ethernet header"))?;
            let mut at = 14;
            // 802.1Q, 802.1ad and the old QinQ TPID: skip the tag (TCI), read the inner type.
            while matches!(ethertype, 0x8100 | 0x88a8 | 0x9100) {
                ethertype = be16(frame, at + 2).ok_or(LinkError::Truncated("VLAN tag"))?;
                at += 4;
            }
            Ok(by_ethertype(ethertype, &frame[at..]))
        }
        link_type::LINUX_SLL => {
            let proto = be16(frame, 14).ok_or(LinkError::Truncated("Linux cooked header"))?;
            Ok(by_ethertype(proto, &frame[16..]))
        }
        link_type::LINUX_SLL2 => {
            let proto = be16(frame, 0).ok_or(LinkError::Truncated("Linux cooked v2 header"))?;
            if frame.len() < 20 {
                return Err(LinkError::Truncated("Linux cooked v2 header"));
            }
            Ok(by_ethertype(proto, &frame[20..]))
        }
        link_type::RAW | link_type::IPV4 | link_type::IPV6 => Ok(by_version(frame)),
        link_type::NULL | link_type::LOOP => {
            let Some(family) = frame.get(..4) else {
                return Err(LinkError::Truncated("loopback header"));
            };
            let family: [u8; 4] = [family[0], family[1], family[2], family[3]];
            // The byte order is the capturing host's (NULL) or network order (LOOP); files
            // move between machines, so accept whichever order gives a known family.
            let be = u32::from_be_bytes(family);
            let le = u32::from_le_bytes(family);
            let l3 = by_family(be, &frame[4..]);
            Ok(match l3 {
                L3::Other => by_family(le, &frame[4..]),
                known => known,
            })
        }
        other => Err(LinkError::UnsupportedLinkType(other)),
    }
}

fn ipv4_checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for pair in header.chunks(2) {
        let word = u16::from_be_bytes([pair[0], pair.get(1).copied().unwrap_or(0)]);
        sum += u32::from(word);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Parses an IPv4 header (options skipped by IHL) and cuts the payload at the total length.
pub fn parse_ipv4(bytes: &[u8]) -> Result<Ipv4<'_>, LinkError> {
    let Some(fixed) = bytes.get(..20) else {
        return Err(LinkError::Truncated("IPv4 header"));
    };
    if fixed[0] >> 4 != 4 {
        return Err(LinkError::BadIpv4(format!("version {}", fixed[0] >> 4)));
    }
    let header_len = usize::from(fixed[0] & 0x0f) * 4;
    if header_len < 20 {
        return Err(LinkError::BadIpv4(format!(
            "header length {header_len} < 20"
        )));
    }
    let Some(header) = bytes.get(..header_len) else {
        return Err(LinkError::Truncated("IPv4 header options"));
    };
    let total_len = u16::from_be_bytes([fixed[2], fixed[3]]);
    if usize::from(total_len) < header_len {
        return Err(LinkError::BadIpv4(format!(
            "total length {total_len} < header length {header_len}"
        )));
    }
    let frag = u16::from_be_bytes([fixed[6], fixed[7]]);
    let end = usize::from(total_len).min(bytes.len());
    Ok(Ipv4 {
        src: Ipv4Addr::new(fixed[12], fixed[13], fixed[14], fixed[15]),
        dst: Ipv4Addr::new(fixed[16], fixed[17], fixed[18], fixed[19]),
        protocol: fixed[9],
        tos: fixed[1],
        ttl: fixed[8],
        header_len,
        total_len,
        fragment_offset: (frag & 0x1fff) * 8,
        more_fragments: frag & 0x2000 != 0,
        checksum_ok: ipv4_checksum(header) == 0,
        payload: &bytes[header_len..end],
        truncated: bytes.len() < usize::from(total_len),
    })
}

/// Walks an IPv6 header and its extension headers; returns the final next-header value
/// and the bytes after the last header it could walk.
fn parse_ipv6(bytes: &[u8]) -> Result<(Ipv6Addr, Ipv6Addr, u8, &[u8]), LinkError> {
    let Some(fixed) = bytes.get(..40) else {
        return Err(LinkError::Truncated("IPv6 header"));
    };
    let addr = |at: usize| {
        let mut o = [0u8; 16];
        o.copy_from_slice(&fixed[at..at + 16]);
        Ipv6Addr::from(o)
    };
    let (src, dst) = (addr(8), addr(24));
    let payload_len = usize::from(u16::from_be_bytes([fixed[4], fixed[5]]));
    let end = (40 + payload_len).min(bytes.len());
    let mut next = fixed[6];
    let mut rest = &bytes[40..end];
    loop {
        let len = match next {
            // Hop-by-hop, routing, destination options: (n + 1) × 8 bytes.
            0 | 43 | 60 => rest.get(1).map(|n| (usize::from(*n) + 1) * 8),
            // Fragment header: 8 bytes.
            44 => Some(8),
            // Authentication header: (n + 2) × 4 bytes.
            51 => rest.get(1).map(|n| (usize::from(*n) + 2) * 4),
            _ => return Ok((src, dst, next, rest)),
        };
        let Some(len) = len.filter(|l| *l <= rest.len()) else {
            return Err(LinkError::Truncated("IPv6 extension header"));
        };
        next = rest[0];
        rest = &rest[len..];
    }
}

/// Finds the OSPF payload of a frame of the given link type.
pub fn extract_ospf(link: u32, frame: &[u8]) -> Result<Extracted<'_>, LinkError> {
    match link_layer(link, frame)? {
        L3::Ipv4(bytes) => {
            let ip = parse_ipv4(bytes)?;
            if ip.protocol != IPPROTO_OSPF {
                Ok(Extracted::NotOspf)
            } else if ip.fragment_offset != 0 {
                Ok(Extracted::NonFirstFragment(ip))
            } else {
                Ok(Extracted::Ospfv2(ip))
            }
        }
        L3::Ipv6(bytes) => {
            let (src, dst, next, payload) = parse_ipv6(bytes)?;
            if next == IPPROTO_OSPF {
                Ok(Extracted::OspfOverIpv6 { src, dst, payload })
            } else {
                Ok(Extracted::NotOspf)
            }
        }
        L3::Other => Ok(Extracted::NotOspf),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ipv4_ospf(payload: &[u8]) -> Vec<u8> {
        let total = 24 + payload.len();
        let mut ip = vec![
            0x46,
            0xc0,
            (total >> 8) as u8,
            total as u8,
            0,
            1,
            0,
            0,
            1,
            89,
            0,
            0,
            10,
            0,
            0,
            1,
            224,
            0,
            0,
            5,
            0x94,
            4,
            0,
            0, // router alert option
        ];
        let c = ipv4_checksum(&ip);
        ip[10..12].copy_from_slice(&c.to_be_bytes());
        ip.extend_from_slice(payload);
        ip
    }

    fn check(link: u32, frame: &[u8]) {
        match extract_ospf(link, frame).unwrap() {
            Extracted::Ospfv2(ip) => {
                assert_eq!(ip.src, Ipv4Addr::new(10, 0, 0, 1));
                assert_eq!(ip.dst, Ipv4Addr::new(224, 0, 0, 5));
                assert_eq!(ip.header_len, 24);
                assert!(ip.checksum_ok);
                assert_eq!(ip.payload, b"OSPF");
            }
            other => panic!("link {link}: {other:?}"),
        }
    }

    #[test]
    fn every_link_type_reaches_the_ospf_payload() {
        let ip = ipv4_ospf(b"OSPF");
        let mut eth = vec![0u8; 12];
        eth.extend_from_slice(&[0x08, 0x00]);
        eth.extend_from_slice(&ip);
        eth.extend_from_slice(&[0; 10]); // Ethernet padding must be cut by total length
        check(link_type::ETHERNET, &eth);

        let mut vlan = vec![0u8; 12];
        vlan.extend_from_slice(&[0x88, 0xa8, 0, 10, 0x81, 0x00, 0, 20, 0x08, 0x00]);
        vlan.extend_from_slice(&ip);
        check(link_type::ETHERNET, &vlan);

        let mut sll = vec![0u8; 14];
        sll.extend_from_slice(&[0x08, 0x00]);
        sll.extend_from_slice(&ip);
        check(link_type::LINUX_SLL, &sll);

        let mut sll2 = vec![0x08, 0x00];
        sll2.extend_from_slice(&[0u8; 18]);
        sll2.extend_from_slice(&ip);
        check(link_type::LINUX_SLL2, &sll2);

        check(link_type::RAW, &ip);
        check(link_type::IPV4, &ip);

        for family in [2u32.to_le_bytes(), 2u32.to_be_bytes()] {
            for link in [link_type::NULL, link_type::LOOP] {
                let mut null = family.to_vec();
                null.extend_from_slice(&ip);
                check(link, &null);
            }
        }
    }

    #[test]
    fn fragments_other_protocols_and_ipv6() {
        let mut ip = ipv4_ospf(b"OSPF");
        ip[6] = 0x00;
        ip[7] = 0x10; // offset 16 × 8
        assert!(matches!(
            extract_ospf(link_type::RAW, &ip),
            Ok(Extracted::NonFirstFragment(i)) if i.fragment_offset == 128
        ));
        let mut udp = ipv4_ospf(b"OSPF");
        udp[9] = 17;
        assert_eq!(extract_ospf(link_type::RAW, &udp), Ok(Extracted::NotOspf));

        let mut v6 = vec![0x60, 0, 0, 0, 0, 16, 51, 1];
        v6.extend_from_slice(&[0xfe; 32]);
        // AH: next header 89, length 2 → (2 + 2) × 4 = 16 bytes.
        v6.extend_from_slice(&[89, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
        v6.extend_from_slice(&[3, 4]);
        let Ok(Extracted::OspfOverIpv6 { payload, .. }) = extract_ospf(link_type::RAW, &v6) else {
            panic!("IPv6 OSPF not found");
        };
        assert!(
            payload.is_empty(),
            "payload length cut at the IPv6 payload length"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_after_a_capture_magic_are_read_without_panic(
            pcapng in proptest::bool::ANY,
            big in proptest::bool::ANY,
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
        ) {
            let mut file = if pcapng {
                let mut f = vec![0x0a, 0x0d, 0x0d, 0x0a];
                f.extend_from_slice(body.get(..4).unwrap_or(&[28, 0, 0, 0]));
                f.extend_from_slice(if big { &[0x1a, 0x2b, 0x3c, 0x4d] } else { &[0x4d, 0x3c, 0x2b, 0x1a] });
                f
            } else if big {
                vec![0xa1, 0xb2, 0xc3, 0xd4]
            } else {
                vec![0xd4, 0xc3, 0xb2, 0xa1]
            };
            file.extend_from_slice(&body);
            if let Ok(reader) = CaptureReader::new(&file[..]) {
                for frame in reader.take(1000) {
                    let Ok(frame) = frame else { break };
                    let _ = extract_ospf(frame.link_type, &frame.data);
                }
            }
        }

        #[test]
        fn any_frame_of_any_link_type_is_taken_apart_without_panic(
            link in proptest::sample::select(vec![0u32, 1, 101, 108, 113, 228, 229, 276, 147]),
            frame in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
        ) {
            let _ = extract_ospf(link, &frame);
        }
    }

    #[test]
    fn pcapng_blocks_with_impossible_lengths_are_errors() {
        // Section headers claiming 12 bytes (less than their own fields), then junk.
        for len in [0u8, 4, 12, 13, 16] {
            let mut f = vec![0x0a, 0x0d, 0x0d, 0x0a, len, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a];
            f.extend_from_slice(&[len, 0, 0, 0, 1, 2, 3, 4]);
            let mut r = CaptureReader::new(&f[..]).unwrap();
            assert!(
                matches!(r.next_frame(), Some(Err(CaptureError::Format(_)))),
                "len {len}"
            );
            assert!(r.next_frame().is_none(), "stops after an error");
        }
    }

    #[test]
    fn short_and_bad_headers_are_errors_not_panics() {
        let ip = ipv4_ospf(b"OSPF");
        for n in 0..ip.len() {
            let _ = extract_ospf(link_type::RAW, &ip[..n]);
            let _ = extract_ospf(link_type::ETHERNET, &ip[..n]);
            let _ = extract_ospf(link_type::LINUX_SLL2, &ip[..n]);
            let _ = extract_ospf(link_type::NULL, &ip[..n]);
        }
        let mut bad = ip.clone();
        bad[0] = 0x43;
        assert!(matches!(parse_ipv4(&bad), Err(LinkError::BadIpv4(_))));
        assert_eq!(
            extract_ospf(147, &ip),
            Err(LinkError::UnsupportedLinkType(147))
        );
        let cut = parse_ipv4(&ip[..26]).unwrap();
        assert!(cut.truncated);
        assert_eq!(cut.payload, b"OS");
    }
}
