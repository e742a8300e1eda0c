//! BFD for IPv4 single hop on Linux (RFC 5881), around the sans-IO [`ospf_core::bfd`].
//!
//! Per interface a [`BfdSocket`] pair, both bound to the device (`SO_BINDTODEVICE`):
//! one receives on UDP port 3784 with `IP_RECVTTL`, and drops every packet whose TTL is
//! not 255 (RFC 5881 §5, the GTSM check: the packet cannot come from off-link); the other
//! sends from the interface address and a source port in 49152–65535, with TTL 255 and
//! TOS 0xC0. [`BfdService`] owns the engine and the sockets; the runtime polls
//! [`BfdService::fds`], calls [`BfdService::read`] and [`BfdService::handle_timeout`], and
//! sleeps until [`BfdService::poll_timeout`]: no busy-waiting.
//! Sessions are keyed by (interface, peer address).

use std::collections::BTreeMap;
use std::io::{self, IoSliceMut};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use nix::sys::socket::{ControlMessageOwned, MsgFlags, SockaddrIn, recvmsg, setsockopt, sockopt};
use ospf_core::bfd::{Bfd, Event, Output, SessionConfig, SessionKey, SessionStatus};
use ospf_core::config::Prng;
use ospf_core::time::Instant;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use tracing::debug;

/// UDP destination port of single-hop Control packets (RFC 5881 §4).
pub const BFD_CONTROL_PORT: u16 = 3784;
/// The lowest source port allowed (RFC 5881 §4).
pub const SOURCE_PORT_MIN: u16 = 49152;
/// TTL sent, and the only TTL accepted (RFC 5881 §5).
pub const BFD_TTL: u8 = 255;

/// Whether a packet received with this TTL may be processed (RFC 5881 §5).
pub fn ttl_ok(ttl: u8) -> bool {
    ttl == BFD_TTL
}

/// A received Control packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// Source address.
    pub src: Ipv4Addr,
    /// Source port.
    pub src_port: u16,
    /// IP TTL (`None` if the kernel did not say).
    pub ttl: Option<u8>,
    /// Payload length at the start of the buffer.
    pub len: usize,
}

/// The receive and send sockets of one interface.
#[derive(Debug)]
pub struct BfdSocket {
    rx: Socket,
    tx: Socket,
    ifindex: u32,
    src_port: u16,
}

impl AsFd for BfdSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.rx.as_fd()
    }
}

impl BfdSocket {
    /// Opens the sockets of interface `ifname` (`ifindex`) whose address is `local`;
    /// the source port is drawn from `prng` within 49152–65535.
    pub fn open(ifname: &str, ifindex: u32, local: Ipv4Addr, prng: &mut Prng) -> io::Result<Self> {
        let rx = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
        rx.set_reuse_address(true)?;
        rx.bind_device(Some(ifname.as_bytes()))?;
        rx.set_nonblocking(true)?;
        setsockopt(&rx, sockopt::Ipv4RecvTtl, &true)?;
        rx.bind(&SockAddr::from(SocketAddrV4::new(
            Ipv4Addr::UNSPECIFIED,
            BFD_CONTROL_PORT,
        )))?;
        let tx = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
        tx.bind_device(Some(ifname.as_bytes()))?;
        tx.set_nonblocking(true)?;
        tx.set_ttl_v4(u32::from(BFD_TTL))?;
        tx.set_tos_v4(0xC0)?;
        let mut last = None;
        for _ in 0..64 {
            let span = u64::from(u16::MAX - SOURCE_PORT_MIN) + 1;
            let port = SOURCE_PORT_MIN + prng.below(span) as u16;
            match tx.bind(&SockAddr::from(SocketAddrV4::new(local, port))) {
                Ok(()) => {
                    return Ok(BfdSocket {
                        rx,
                        tx,
                        ifindex,
                        src_port: port,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AddrInUse => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no free BFD source port")))
    }

    /// Interface index.
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// The source port of every packet sent from this interface.
    pub fn src_port(&self) -> u16 {
        self.src_port
    }

    /// Sends a Control packet to `peer`.
    pub fn send(&self, peer: Ipv4Addr, packet: &[u8]) -> io::Result<()> {
        let addr = SockAddr::from(SocketAddrV4::new(peer, BFD_CONTROL_PORT));
        self.tx.send_to(packet, &addr)?;
        Ok(())
    }

    /// Receives one packet without blocking (`Ok(None)` when none is queued).
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Received>> {
        loop {
            let mut cmsg = nix::cmsg_space!(libc::c_int);
            let mut iov = [IoSliceMut::new(buf)];
            let msg = match recvmsg::<SockaddrIn>(
                self.rx.as_raw_fd(),
                &mut iov,
                Some(&mut cmsg),
                MsgFlags::MSG_DONTWAIT,
            ) {
                Ok(m) => m,
                Err(nix::errno::Errno::EAGAIN) => return Ok(None),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            };
            let mut ttl = None;
            if let Ok(cmsgs) = msg.cmsgs() {
                for c in cmsgs {
                    if let ControlMessageOwned::Ipv4Ttl(t) = c {
                        ttl = u8::try_from(t).ok();
                    }
                }
            }
            let Some(addr) = msg.address else { continue };
            return Ok(Some(Received {
                src: addr.ip(),
                src_port: addr.port(),
                ttl,
                len: msg.bytes,
            }));
        }
    }
}

/// Counters of the Linux side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IoCounters {
    /// Packets dropped for a TTL other than 255.
    pub bad_ttl: u64,
    /// Packets the engine refused (no session, decoding, authentication).
    pub refused: u64,
    /// Sends that failed.
    pub send_errors: u64,
}

/// The BFD engine with its sockets: what the runtime drives.
#[derive(Debug)]
pub struct BfdService {
    engine: Bfd,
    sockets: BTreeMap<u32, BfdSocket>,
    prng: Prng,
    counters: IoCounters,
    buf: Vec<u8>,
}

impl BfdService {
    /// A service without sessions; `seed` seeds discriminators, ports and jitter.
    pub fn new(seed: u64) -> Self {
        BfdService {
            engine: Bfd::new(Prng::new(seed)),
            sockets: BTreeMap::new(),
            prng: Prng::new(seed.rotate_left(17) ^ 0x5bd1_e995),
            counters: IoCounters::default(),
            buf: vec![0; 512],
        }
    }

    /// The engine (for queries).
    pub fn engine(&self) -> &Bfd {
        &self.engine
    }

    /// I/O counters.
    pub fn counters(&self) -> IoCounters {
        self.counters
    }

    /// Starts (or reconfigures) the session with `peer` on interface `ifname` whose
    /// address is `local`, opening the interface's sockets on first use.
    pub fn add_peer(
        &mut self,
        now: Instant,
        ifname: &str,
        ifindex: u32,
        local: Ipv4Addr,
        peer: Ipv4Addr,
        cfg: SessionConfig,
    ) -> io::Result<()> {
        if !self.sockets.contains_key(&ifindex) {
            let s = BfdSocket::open(ifname, ifindex, local, &mut self.prng)?;
            self.sockets.insert(ifindex, s);
        }
        self.engine
            .add_session(now, SessionKey { ifindex, peer }, cfg);
        Ok(())
    }

    /// Ends the session with `peer` on `ifindex` (one AdminDown packet is sent at the next
    /// drain). The interface's sockets close with its last session.
    pub fn remove_peer(&mut self, now: Instant, ifindex: u32, peer: Ipv4Addr) -> bool {
        self.engine
            .remove_session(now, SessionKey { ifindex, peer })
    }

    /// Every receive socket, with its interface index, for `poll(2)`.
    pub fn fds(&self) -> impl Iterator<Item = (BorrowedFd<'_>, u32)> + '_ {
        self.sockets.iter().map(|(i, s)| (s.as_fd(), *i))
    }

    /// Reads every queued packet of interface `ifindex` into the engine.
    pub fn read(&mut self, now: Instant, ifindex: u32) {
        let Some(sock) = self.sockets.get(&ifindex) else {
            return;
        };
        loop {
            match sock.recv(&mut self.buf) {
                Ok(Some(r)) => {
                    if !r.ttl.is_some_and(ttl_ok) {
                        self.counters.bad_ttl += 1;
                        continue;
                    }
                    if let Err(e) =
                        self.engine
                            .handle_packet(now, ifindex, r.src, &self.buf[..r.len])
                    {
                        self.counters.refused += 1;
                        debug!(ifindex, src = %r.src, ?e, "BFD packet refused");
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    debug!(ifindex, "BFD receive error: {e}");
                    return;
                }
            }
        }
    }

    /// Runs the engine's timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.engine.handle_timeout(now);
    }

    /// Sends every packet due and returns the session events.
    pub fn drain(&mut self, now: Instant) -> Vec<Event> {
        let mut events = Vec::new();
        let mut buf = [0u8; 256];
        while let Some(o) = self.engine.poll_output(now, &mut buf) {
            match o {
                Output::Transmit(t) => {
                    if let Some(s) = self.sockets.get(&t.key.ifindex) {
                        if let Err(e) = s.send(t.key.peer, &buf[..t.len]) {
                            self.counters.send_errors += 1;
                            debug!(peer = %t.key.peer, "BFD send failed: {e}");
                        }
                    }
                }
                Output::Event(e) => events.push(e),
                Output::Timeout(_) => break,
            }
        }
        // Close the sockets of interfaces without sessions.
        let used: std::collections::BTreeSet<u32> =
            self.engine.status().map(|s| s.key.ifindex).collect();
        self.sockets.retain(|i, _| used.contains(i));
        events
    }

    /// When the engine next needs [`BfdService::handle_timeout`] or a drain.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.engine.poll_timeout()
    }

    /// The status of every session.
    pub fn status(&self) -> Vec<SessionStatus> {
        self.engine.status().collect()
    }
}

/// A BFD session as `show bfd peers` and [`crate::api::Handle::bfd_peers`] report it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BfdPeer {
    /// The peer's address.
    pub peer: Ipv4Addr,
    /// Our address on the interface.
    pub local: Ipv4Addr,
    /// Interface name.
    pub interface: String,
    /// Interface index.
    pub ifindex: u32,
    /// Our discriminator (FRR's "ID").
    pub id: u32,
    /// The peer's discriminator (0 until heard).
    pub remote_id: u32,
    /// Session state.
    pub state: ospf_core::bfd::wire::State,
    /// The state the peer last reported.
    pub remote_state: ospf_core::bfd::wire::State,
    /// Our diagnostic.
    pub diagnostic: ospf_core::bfd::wire::Diag,
    /// The peer's diagnostic.
    pub remote_diagnostic: ospf_core::bfd::wire::Diag,
    /// Time in the current state (FRR's uptime or downtime).
    pub since: std::time::Duration,
    /// Our Detect Mult.
    pub detect_multiplier: u8,
    /// Our Required Min RX, milliseconds.
    pub receive_interval_ms: u64,
    /// Our Desired Min TX once Up, milliseconds.
    pub transmit_interval_ms: u64,
    /// The peer's Detect Mult.
    pub remote_detect_multiplier: u8,
    /// The peer's Required Min RX, milliseconds.
    pub remote_receive_interval_ms: u64,
    /// The peer's Desired Min TX, milliseconds.
    pub remote_transmit_interval_ms: u64,
    /// The negotiated transmit interval, milliseconds (0: none).
    pub negotiated_tx_ms: u64,
    /// The detection time, milliseconds.
    pub detection_time_ms: u64,
    /// Control packets received and accepted.
    pub packets_in: u64,
    /// Control packets sent.
    pub packets_out: u64,
    /// Times Up.
    pub session_up: u64,
    /// Times Down.
    pub session_down: u64,
    /// The OSPF neighbor (router ID) the session serves, if any.
    pub client: Option<Ipv4Addr>,
}

impl BfdPeer {
    /// Builds the report of one engine session.
    pub fn from_status(
        s: &SessionStatus,
        now: Instant,
        interface: String,
        local: Ipv4Addr,
        client: Option<Ipv4Addr>,
    ) -> Self {
        BfdPeer {
            peer: s.key.peer,
            local,
            interface,
            ifindex: s.key.ifindex,
            id: s.local_discr,
            remote_id: s.remote_discr,
            state: s.state,
            remote_state: s.remote_state,
            diagnostic: s.local_diag,
            remote_diagnostic: s.remote_diag,
            since: std::time::Duration::from_micros(
                now.saturating_duration_since(s.since).as_micros(),
            ),
            detect_multiplier: s.detect_mult,
            receive_interval_ms: s.required_min_rx.as_millis(),
            transmit_interval_ms: s.desired_min_tx.as_millis(),
            remote_detect_multiplier: s.remote_detect_mult,
            remote_receive_interval_ms: s.remote_min_rx.as_millis(),
            remote_transmit_interval_ms: s.remote_desired_tx.as_millis(),
            negotiated_tx_ms: s.tx_interval.map_or(0, |d| d.as_millis()),
            detection_time_ms: s.detection_time.as_millis(),
            packets_in: s.counters.rx,
            packets_out: s.counters.tx,
            session_up: s.counters.up,
            session_down: s.counters.down,
            client,
        }
    }
}

/// `show bfd peers [json]` parsed from a control line: `Some(json)` when the line is one.
pub fn parse_show_peers(line: &str) -> Option<bool> {
    let w: Vec<&str> = line.split_whitespace().collect();
    match w.as_slice() {
        ["show", "bfd", "peers"] => Some(false),
        ["show", "bfd", "peers", "json"] => Some(true),
        _ => None,
    }
}

/// Renders `show bfd peers` in FRR 8.4's layout (text), or its JSON keys.
pub fn render_peers(peers: &[BfdPeer], json: bool) -> String {
    use ospf_core::bfd::wire::State;
    if json {
        let v: Vec<serde_json::Value> = peers
            .iter()
            .map(|p| {
                let mut m = serde_json::Map::new();
                m.insert("multihop".into(), false.into());
                m.insert("peer".into(), p.peer.to_string().into());
                m.insert("vrf".into(), "default".into());
                m.insert("interface".into(), p.interface.clone().into());
                m.insert("id".into(), p.id.into());
                m.insert("remote-id".into(), p.remote_id.into());
                m.insert("passive-mode".into(), false.into());
                m.insert("status".into(), p.state.name().into());
                let key = if p.state == State::Up {
                    "uptime"
                } else {
                    "downtime"
                };
                m.insert(key.into(), p.since.as_secs().into());
                m.insert("diagnostic".into(), p.diagnostic.name().into());
                m.insert(
                    "remote-diagnostic".into(),
                    p.remote_diagnostic.name().into(),
                );
                m.insert("receive-interval".into(), p.receive_interval_ms.into());
                m.insert("transmit-interval".into(), p.transmit_interval_ms.into());
                m.insert("echo-receive-interval".into(), 0.into());
                m.insert("echo-transmit-interval".into(), 0.into());
                m.insert("detect-multiplier".into(), p.detect_multiplier.into());
                m.insert(
                    "remote-receive-interval".into(),
                    p.remote_receive_interval_ms.into(),
                );
                m.insert(
                    "remote-transmit-interval".into(),
                    p.remote_transmit_interval_ms.into(),
                );
                m.insert("remote-echo-receive-interval".into(), 0.into());
                m.insert(
                    "remote-detect-multiplier".into(),
                    p.remote_detect_multiplier.into(),
                );
                serde_json::Value::Object(m)
            })
            .collect();
        return serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
    }
    let mut s = String::from("BFD Peers:\n");
    for p in peers {
        // FRR 8.4 shows a client's (ospfd's) session without its local address.
        s += &format!("\tpeer {} vrf default interface {}\n", p.peer, p.interface);
        s += &format!(
            "\t\tID: {}\n\t\tRemote ID: {}\n\t\tActive mode\n",
            p.id, p.remote_id
        );
        s += &format!("\t\tStatus: {}\n", p.state.name());
        let what = if p.state == State::Up {
            "Uptime"
        } else {
            "Downtime"
        };
        s += &format!("\t\t{what}: {}\n", frr_duration(p.since));
        s += &format!(
            "\t\tDiagnostics: {}\n\t\tRemote diagnostics: {}\n\t\tPeer Type: dynamic\n\t\tRTT min/avg/max: 0/0/0 usec\n",
            p.diagnostic.name(),
            p.remote_diagnostic.name()
        );
        s += &format!(
            "\t\tLocal timers:\n\t\t\tDetect-multiplier: {}\n\t\t\tReceive interval: {}ms\n\t\t\tTransmission interval: {}ms\n\t\t\tEcho receive interval: disabled\n\t\t\tEcho transmission interval: disabled\n",
            p.detect_multiplier, p.receive_interval_ms, p.transmit_interval_ms
        );
        s += &format!(
            "\t\tRemote timers:\n\t\t\tDetect-multiplier: {}\n\t\t\tReceive interval: {}ms\n\t\t\tTransmission interval: {}ms\n\t\t\tEcho receive interval: disabled\n\n",
            p.remote_detect_multiplier, p.remote_receive_interval_ms, p.remote_transmit_interval_ms
        );
    }
    s
}

/// FRR's uptime wording: "2 second(s)", "1 minute(s), 5 second(s)", ...
fn frr_duration(d: std::time::Duration) -> String {
    let t = d.as_secs();
    let (days, hours, mins, secs) = (t / 86400, t / 3600 % 24, t / 60 % 60, t % 60);
    let mut parts = Vec::new();
    for (n, unit) in [(days, "day"), (hours, "hour"), (mins, "minute")] {
        if n > 0 || !parts.is_empty() {
            parts.push(format!("{n} {unit}(s)"));
        }
    }
    parts.push(format!("{secs} second(s)"));
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ospf_core::bfd::wire::{Diag, State};

    fn peer(state: State) -> BfdPeer {
        BfdPeer {
            peer: Ipv4Addr::new(10, 9, 0, 2),
            local: Ipv4Addr::new(10, 9, 0, 1),
            interface: "eth0".into(),
            ifindex: 2,
            id: 564063676,
            remote_id: 7,
            state,
            remote_state: state,
            diagnostic: if state == State::Up {
                Diag::None
            } else {
                Diag::ControlDetectionExpired
            },
            remote_diagnostic: Diag::None,
            since: std::time::Duration::from_secs(62),
            detect_multiplier: 3,
            receive_interval_ms: 50,
            transmit_interval_ms: 50,
            remote_detect_multiplier: 3,
            remote_receive_interval_ms: 300,
            remote_transmit_interval_ms: 300,
            negotiated_tx_ms: 300,
            detection_time_ms: 900,
            packets_in: 1,
            packets_out: 2,
            session_up: 1,
            session_down: 0,
            client: None,
        }
    }

    #[test]
    fn rfc5881_5_only_ttl_255_is_accepted() {
        assert!(ttl_ok(255));
        assert!(!ttl_ok(254));
        assert!(!ttl_ok(1));
    }

    #[test]
    fn show_bfd_peers_json_has_frr_keys() {
        let out = render_peers(&[peer(State::Up), peer(State::Down)], true);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let a = v.as_array().unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0]["peer"], "10.9.0.2");
        assert_eq!(a[0]["status"], "up");
        assert_eq!(a[0]["uptime"], 62);
        assert_eq!(a[0]["id"], 564063676u32);
        assert_eq!(a[0]["remote-receive-interval"], 300);
        assert_eq!(a[0]["diagnostic"], "ok");
        assert_eq!(a[1]["status"], "down");
        assert_eq!(a[1]["downtime"], 62);
        assert!(a[1].get("uptime").is_none());
        assert_eq!(a[1]["diagnostic"], "control detection time expired");
        for k in [
            "multihop",
            "vrf",
            "interface",
            "remote-id",
            "passive-mode",
            "remote-diagnostic",
            "receive-interval",
            "transmit-interval",
            "detect-multiplier",
            "remote-transmit-interval",
            "remote-detect-multiplier",
        ] {
            assert!(a[0].get(k).is_some(), "{k}");
        }
    }

    #[test]
    fn show_bfd_peers_text_follows_frr_layout() {
        let out = render_peers(&[peer(State::Up)], false);
        assert!(out.starts_with(
            "BFD Peers:\n\tpeer 10.9.0.2 vrf default interface eth0\n\t\tID: 564063676\n"
        ));
        assert!(out.contains("\t\tStatus: up\n\t\tUptime: 1 minute(s), 2 second(s)\n"));
        assert!(out.contains(
            "\t\tRemote timers:\n\t\t\tDetect-multiplier: 3\n\t\t\tReceive interval: 300ms\n"
        ));
        assert_eq!(parse_show_peers(" show bfd  peers "), Some(false));
        assert_eq!(parse_show_peers("show bfd peers json"), Some(true));
        assert_eq!(parse_show_peers("show bfd peer"), None);
    }
}
