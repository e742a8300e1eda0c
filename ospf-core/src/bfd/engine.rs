//! The multi-session engine: demultiplexing (§6.3, §6.8.6), discriminators, outputs.

use alloc::collections::{BTreeMap, VecDeque};

use super::session::{Counters, RxError, Session, SessionConfig, Transition};
use super::wire::{Diag, Packet, Repr, State};
use crate::config::Prng;
use crate::time::{Duration, Instant};
use core::net::Ipv4Addr;

/// What a single-hop session is keyed by (RFC 5881 §3): interface and peer address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionKey {
    /// Interface index.
    pub ifindex: u32,
    /// The peer's address.
    pub peer: Ipv4Addr,
}

/// A packet to send: the first `len` bytes of the buffer given to [`Bfd::poll_output`],
/// to `key.peer` out of `key.ifindex`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    /// Session (interface and destination).
    pub key: SessionKey,
    /// Bytes in the buffer.
    pub len: usize,
}

/// Something a client should know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// Session.
    pub key: SessionKey,
    /// What changed.
    pub transition: Transition,
}

/// One output of [`Bfd::poll_output`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Send a packet.
    Transmit(Transmit),
    /// A session changed state.
    Event(Event),
    /// Nothing more: call [`Bfd::handle_timeout`] at this instant (or earlier).
    Timeout(Instant),
}

/// A session's status, for `show bfd peers` and the typed API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionStatus {
    /// Interface and peer.
    pub key: SessionKey,
    /// bfd.LocalDiscr.
    pub local_discr: u32,
    /// bfd.RemoteDiscr.
    pub remote_discr: u32,
    /// bfd.SessionState.
    pub state: State,
    /// bfd.RemoteSessionState.
    pub remote_state: State,
    /// bfd.LocalDiag.
    pub local_diag: Diag,
    /// The peer's last Diag.
    pub remote_diag: Diag,
    /// Our Detect Mult.
    pub detect_mult: u8,
    /// The peer's Detect Mult.
    pub remote_detect_mult: u8,
    /// Configured Required Min RX.
    pub required_min_rx: Duration,
    /// Configured Desired Min TX.
    pub desired_min_tx: Duration,
    /// The peer's Required Min RX.
    pub remote_min_rx: Duration,
    /// The peer's Desired Min TX.
    pub remote_desired_tx: Duration,
    /// The negotiated transmit interval (before jitter), if any.
    pub tx_interval: Option<Duration>,
    /// The detection time.
    pub detection_time: Duration,
    /// When the state last changed.
    pub since: Instant,
    /// Counters.
    pub counters: Counters,
}

/// The BFD engine: all sessions of a system; see the [module documentation](super).
#[derive(Debug)]
pub struct Bfd {
    sessions: BTreeMap<SessionKey, Session>,
    by_discr: BTreeMap<u32, SessionKey>,
    removing: BTreeMap<SessionKey, Session>,
    events: VecDeque<Event>,
    prng: Prng,
    /// Sessions found due by the last scan, to transmit in turn: one scan per drain
    /// rather than one per packet.
    due: VecDeque<SessionKey>,
    /// The instant of the last scan, while no input has happened since (a new scan
    /// would find nothing more).
    scanned_at: Option<Instant>,
}

impl Bfd {
    /// An engine drawing discriminators, sequence numbers and jitter from `prng`.
    pub fn new(prng: Prng) -> Self {
        Bfd {
            sessions: BTreeMap::new(),
            by_discr: BTreeMap::new(),
            removing: BTreeMap::new(),
            events: VecDeque::new(),
            prng,
            due: VecDeque::new(),
            scanned_at: None,
        }
    }

    /// Starts a session (Down, sending at once), or applies `cfg` to the existing one
    /// (which starts a Poll Sequence if it is Up and the timers changed). Returns whether
    /// the session is new.
    pub fn add_session(&mut self, now: Instant, key: SessionKey, cfg: SessionConfig) -> bool {
        self.scanned_at = None;
        if let Some(s) = self.sessions.get_mut(&key) {
            s.set_config(cfg);
            return false;
        }
        self.removing.remove(&key);
        let discr = loop {
            let d = self.prng.next_u64() as u32;
            if d != 0 && !self.by_discr.contains_key(&d) {
                break d;
            }
        };
        self.by_discr.insert(discr, key);
        let s = Session::new(now, discr, cfg, &mut self.prng);
        self.sessions.insert(key, s);
        true
    }

    /// Ends a session: one AdminDown packet (diag 7) tells the peer this is no failure
    /// (RFC 5882 §3.2), then it is forgotten. Returns whether it existed.
    pub fn remove_session(&mut self, now: Instant, key: SessionKey) -> bool {
        let Some(mut s) = self.sessions.remove(&key) else {
            return false;
        };
        self.by_discr.remove(&s.local_discr);
        s.set_admin_down(now, true);
        self.removing.insert(key, s);
        true
    }

    /// Puts a session in AdminDown or back to Down.
    pub fn set_admin_down(&mut self, now: Instant, key: SessionKey, down: bool) {
        self.scanned_at = None;
        if let Some(s) = self.sessions.get_mut(&key) {
            if let Some(t) = s.set_admin_down(now, down) {
                self.events.push_back(Event { key, transition: t });
            }
        }
    }

    /// A session by key.
    pub fn session(&self, key: &SessionKey) -> Option<&Session> {
        self.sessions.get(key)
    }

    /// Number of sessions.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether there is no session.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// The status of every session, in key order.
    pub fn status(&self) -> impl Iterator<Item = SessionStatus> + '_ {
        self.sessions.iter().map(|(k, s)| SessionStatus {
            key: *k,
            local_discr: s.local_discr,
            remote_discr: s.remote_discr,
            state: s.state,
            remote_state: s.remote_state,
            local_diag: s.local_diag,
            remote_diag: s.remote_diag,
            detect_mult: s.cfg.detect_mult,
            remote_detect_mult: s.remote_detect_mult,
            required_min_rx: s.cfg.required_min_rx,
            desired_min_tx: s.cfg.desired_min_tx,
            remote_min_rx: s.remote_min_rx,
            remote_desired_tx: s.remote_desired_tx,
            tx_interval: s.tx_interval(),
            detection_time: s.detection_time(),
            since: s.since,
            counters: s.counters,
        })
    }

    /// A Control packet (the UDP payload) from `src` on `ifindex`. The caller has
    /// checked the RFC 5881 TTL (255). Returns why it was discarded, if it was.
    pub fn handle_packet(
        &mut self,
        now: Instant,
        ifindex: u32,
        src: Ipv4Addr,
        bytes: &[u8],
    ) -> Result<(), RxError> {
        self.scanned_at = None;
        let p = Packet::new_checked(bytes).map_err(RxError::Decode)?;
        let r = Repr::parse(&p).map_err(RxError::Decode)?;
        r.check_reception().map_err(RxError::Invalid)?;
        let key = SessionKey { ifindex, peer: src };
        if r.your_discr != 0 {
            // §6.8.6: the discriminator selects the session; for single hop it must also
            // be the one of this interface and source (RFC 5881 §3).
            match self.by_discr.get(&r.your_discr) {
                Some(k) if *k == key => {}
                _ => return Err(RxError::NoSession),
            }
        }
        let s = self.sessions.get_mut(&key).ok_or(RxError::NoSession)?;
        if let Some(t) = s.receive(now, &r, p.packet_bytes())? {
            self.events.push_back(Event { key, transition: t });
        }
        Ok(())
    }

    /// Runs the timers due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.scanned_at = None;
        for (k, s) in self.sessions.iter_mut() {
            if s.next_deadline() <= now {
                if let Some(t) = s.timeout(now) {
                    self.events.push_back(Event {
                        key: *k,
                        transition: t,
                    });
                }
            }
        }
    }

    /// The earliest instant at which [`Bfd::handle_timeout`] or a transmission is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if !self.removing.is_empty() {
            return Some(Instant::ZERO);
        }
        self.sessions.values().map(Session::next_deadline).min()
    }

    /// The next output; see the [module documentation](super). Events come first, then
    /// packets due at `now`, then the next timeout.
    pub fn poll_output(&mut self, now: Instant, buf: &mut [u8]) -> Option<Output> {
        if let Some(e) = self.events.pop_front() {
            return Some(Output::Event(e));
        }
        while let Some((key, mut s)) = self.removing.pop_first() {
            if let Some(len) = s.poll_transmit(now, buf, &mut self.prng) {
                return Some(Output::Transmit(Transmit { key, len }));
            }
        }
        loop {
            while let Some(key) = self.due.pop_front() {
                if let Some(s) = self.sessions.get_mut(&key) {
                    if let Some(len) = s.poll_transmit(now, buf, &mut self.prng) {
                        return Some(Output::Transmit(Transmit { key, len }));
                    }
                }
            }
            // A transmission only reschedules its own session (never to `now`: the
            // interval is at least 1 ms), so after one scan at `now` nothing else is due
            // until the next input.
            if self.scanned_at == Some(now) {
                break;
            }
            self.scanned_at = Some(now);
            self.due.extend(
                self.sessions
                    .iter()
                    .filter(|(_, s)| s.transmit_due(now))
                    .map(|(k, _)| *k),
            );
        }
        self.poll_timeout().map(Output::Timeout)
    }
}
