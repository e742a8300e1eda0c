//! One BFD session: the state machine of RFC 5880 §6.2/§6.8.6, timer negotiation with
//! Poll/Final (§6.5, §6.8.3), detection time (§6.8.4) and jittered transmission (§6.8.7).

use super::auth::{self, Auth, AuthError, SeqWindow};
use super::wire::{BFD_VERSION, Diag, Flags, Repr, State};
use crate::config::Prng;
use crate::time::{Duration, Instant};

/// While a session is not Up, bfd.DesiredMinTxInterval is at least one second (§6.8.3).
pub const SLOW_TX: Duration = Duration::from_secs(1);

/// The shortest interval between periodic packets, whatever is configured: a floor that
/// keeps a zero or microsecond setting from flooding the link (FRR's minimum is 10 ms).
pub const MIN_TX: Duration = Duration::from_millis(1);

/// Timers and authentication of a session (what a client or profile asks for).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionConfig {
    /// bfd.DesiredMinTxInterval once Up.
    pub desired_min_tx: Duration,
    /// bfd.RequiredMinRxInterval (zero: the peer must not send periodic packets).
    pub required_min_rx: Duration,
    /// bfd.DetectMult (1..=255).
    pub detect_mult: u8,
    /// bfd.AuthType and its key; `None` for no authentication.
    pub auth: Option<Auth>,
}

impl Default for SessionConfig {
    /// FRR's defaults: 300 ms both ways, multiplier 3, no authentication.
    fn default() -> Self {
        SessionConfig {
            desired_min_tx: Duration::from_millis(300),
            required_min_rx: Duration::from_millis(300),
            detect_mult: 3,
            auth: None,
        }
    }
}

impl SessionConfig {
    /// A configuration with these timers (milliseconds) and multiplier (0 is taken as 1).
    pub fn new(desired_min_tx_ms: u64, required_min_rx_ms: u64, detect_mult: u8) -> Self {
        SessionConfig {
            desired_min_tx: Duration::from_millis(desired_min_tx_ms),
            required_min_rx: Duration::from_millis(required_min_rx_ms),
            detect_mult: detect_mult.max(1),
            auth: None,
        }
    }
    /// With authentication.
    pub fn with_auth(mut self, auth: Option<Auth>) -> Self {
        self.auth = auth;
        self
    }
}

/// Why a received packet was discarded (RFC 5880 §6.8.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RxError {
    /// It does not decode.
    Decode(super::wire::Error),
    /// A check of §6.8.6 failed.
    Invalid(&'static str),
    /// No session matches the discriminator or (interface, source).
    NoSession,
    /// Authentication failed.
    Auth(AuthError),
    /// The session is AdminDown and discards everything.
    AdminDown,
}

/// A session state transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// Previous state.
    pub from: State,
    /// New state.
    pub to: State,
    /// bfd.LocalDiag after the change.
    pub diag: Diag,
    /// The peer said AdminDown: per RFC 5882 §3.2 not a path failure.
    pub remote_admin_down: bool,
}

impl Transition {
    /// A failure a client must act on (RFC 5882 §3.2): Up went Down, not because the peer
    /// is administratively down.
    pub fn is_failure(&self) -> bool {
        self.from == State::Up && self.to == State::Down && !self.remote_admin_down
    }
}

/// Counters kept per session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Control packets accepted.
    pub rx: u64,
    /// Control packets sent.
    pub tx: u64,
    /// Times the session went Up.
    pub up: u64,
    /// Times the session went Down from Up or Init.
    pub down: u64,
    /// Packets discarded by the session's checks (authentication, AdminDown).
    pub rx_dropped: u64,
}

/// One session's variables (RFC 5880 §6.8.1) and timers.
#[derive(Debug, Clone)]
pub struct Session {
    pub(crate) cfg: SessionConfig,
    pub(crate) local_discr: u32,
    pub(crate) remote_discr: u32,
    pub(crate) state: State,
    pub(crate) remote_state: State,
    pub(crate) local_diag: Diag,
    pub(crate) remote_diag: Diag,
    pub(crate) remote_min_rx: Duration,
    pub(crate) remote_desired_tx: Duration,
    pub(crate) remote_detect_mult: u8,
    /// Values advertised in packets.
    adv_tx: Duration,
    adv_rx: Duration,
    /// Values in effect (differ from the advertised ones during a Poll Sequence).
    eff_tx: Duration,
    eff_rx: Duration,
    poll: bool,
    send_final: bool,
    send_now: bool,
    next_tx: Instant,
    detect_at: Option<Instant>,
    last_rx: Option<Instant>,
    xmit_seq: u32,
    rcv_seq: SeqWindow,
    pub(crate) since: Instant,
    pub(crate) counters: Counters,
}

impl Session {
    /// A new session in Down (§6.8.1 initial values), sending its first packet at once.
    pub fn new(now: Instant, local_discr: u32, cfg: SessionConfig, prng: &mut Prng) -> Self {
        let adv_tx = cfg.desired_min_tx.max(SLOW_TX);
        let adv_rx = cfg.required_min_rx;
        Session {
            local_discr,
            remote_discr: 0,
            state: State::Down,
            remote_state: State::Down,
            local_diag: Diag::None,
            remote_diag: Diag::None,
            remote_min_rx: Duration::from_micros(1),
            remote_desired_tx: Duration::ZERO,
            remote_detect_mult: 0,
            adv_tx,
            adv_rx,
            eff_tx: adv_tx,
            eff_rx: adv_rx,
            poll: false,
            send_final: false,
            send_now: true,
            next_tx: now,
            detect_at: None,
            last_rx: None,
            xmit_seq: prng.next_u64() as u32,
            rcv_seq: SeqWindow::default(),
            since: now,
            counters: Counters::default(),
            cfg,
        }
    }

    /// Current state.
    pub fn state(&self) -> State {
        self.state
    }
    /// bfd.LocalDiscr.
    pub fn local_discr(&self) -> u32 {
        self.local_discr
    }
    /// bfd.RemoteDiscr (0 until the peer is heard).
    pub fn remote_discr(&self) -> u32 {
        self.remote_discr
    }
    /// Whether a Poll Sequence is running.
    pub fn polling(&self) -> bool {
        self.poll
    }

    /// The interval between periodic packets before jitter (§6.8.7), `None` when the peer
    /// asked for none (Required Min RX 0). Never below [`MIN_TX`].
    pub fn tx_interval(&self) -> Option<Duration> {
        if self.remote_min_rx == Duration::ZERO {
            None
        } else {
            Some(self.eff_tx.max(self.remote_min_rx).max(MIN_TX))
        }
    }

    /// The Detection Time (§6.8.4, asynchronous mode): the peer's Detect Mult times the
    /// larger of our RequiredMinRxInterval and the peer's Desired Min TX.
    pub fn detection_time(&self) -> Duration {
        self.eff_rx
            .max(self.remote_desired_tx)
            .saturating_mul(u64::from(self.remote_detect_mult))
    }

    /// The next instant this session needs `timeout` or `poll_transmit`.
    pub fn next_deadline(&self) -> Instant {
        let mut t = if self.send_now || self.send_final {
            Instant::ZERO
        } else if self.tx_interval().is_some() {
            self.next_tx
        } else {
            Instant::MAX
        };
        if let Some(d) = self.detect_at {
            t = t.min(d);
        }
        if let (Some(last), Some(_)) = (self.last_rx, self.rcv_seq.last) {
            t = t.min(last + self.detection_time().saturating_mul(2));
        }
        t
    }

    /// Applies new timers or authentication; a Poll Sequence starts if the session is Up.
    pub fn set_config(&mut self, cfg: SessionConfig) {
        if cfg.auth != self.cfg.auth {
            self.rcv_seq.reset();
        }
        self.cfg = cfg;
        self.update_timers();
    }

    /// Recomputes the advertised and effective intervals (§6.8.3).
    fn update_timers(&mut self) {
        let tx = if self.state == State::Up {
            self.cfg.desired_min_tx
        } else {
            self.cfg.desired_min_tx.max(SLOW_TX)
        };
        let rx = self.cfg.required_min_rx;
        if tx == self.adv_tx && rx == self.adv_rx {
            return;
        }
        self.adv_tx = tx;
        self.adv_rx = rx;
        if self.state == State::Up {
            // A faster transmit rate and a longer detection time are safe at once; the
            // reverse waits for the Final (§6.8.3).
            self.eff_tx = self.eff_tx.min(tx);
            self.eff_rx = self.eff_rx.max(rx);
            self.poll = true;
            self.send_now = true;
        } else {
            self.eff_tx = tx;
            self.eff_rx = rx;
        }
    }

    fn set_state(&mut self, now: Instant, to: State, diag: Diag) -> Transition {
        let from = self.state;
        self.state = to;
        self.local_diag = diag;
        self.since = now;
        self.send_now = true;
        if to == State::Up {
            self.counters.up += 1;
        }
        if to == State::Down && matches!(from, State::Up | State::Init) {
            self.counters.down += 1;
        }
        self.update_timers();
        if to != State::Up {
            // A Poll Sequence only matters while Up.
            self.poll = false;
            self.eff_tx = self.adv_tx;
            self.eff_rx = self.adv_rx;
        }
        Transition {
            from,
            to,
            diag,
            remote_admin_down: self.remote_state == State::AdminDown,
        }
    }

    /// Puts the session in AdminDown (diag 7) or takes it back to Down.
    pub fn set_admin_down(&mut self, now: Instant, down: bool) -> Option<Transition> {
        match (down, self.state) {
            (true, State::AdminDown) | (false, State::Down | State::Init | State::Up) => None,
            (true, _) => Some(self.set_state(now, State::AdminDown, Diag::AdminDown)),
            (false, State::AdminDown) => {
                self.detect_at = None;
                Some(self.set_state(now, State::Down, Diag::AdminDown))
            }
        }
    }

    /// The reception procedure of §6.8.6 for a packet that passed
    /// [`Repr::check_reception`] and was demultiplexed to this session; `bytes` is the
    /// packet (its Length bytes) for authentication.
    pub fn receive(
        &mut self,
        now: Instant,
        r: &Repr,
        bytes: &[u8],
    ) -> Result<Option<Transition>, RxError> {
        match (&r.auth, &self.cfg.auth) {
            (None, None) => {}
            (Some(sec), Some(a)) => {
                let seq = auth::verify(bytes, sec, a).map_err(|e| {
                    self.counters.rx_dropped += 1;
                    RxError::Auth(e)
                })?;
                if let Some(seq) = seq {
                    if !self.rcv_seq.accept(seq, r.detect_mult, a.kind.meticulous()) {
                        self.counters.rx_dropped += 1;
                        return Err(RxError::Auth(AuthError::Sequence));
                    }
                }
            }
            _ => {
                self.counters.rx_dropped += 1;
                return Err(RxError::Auth(AuthError::Presence));
            }
        }
        self.counters.rx += 1;
        self.last_rx = Some(now);
        self.remote_discr = r.my_discr;
        self.remote_state = r.state;
        self.remote_diag = r.diag;
        self.remote_detect_mult = r.detect_mult;
        self.remote_desired_tx = Duration::from_micros(r.desired_min_tx.into());
        let old_min_rx = self.remote_min_rx;
        self.remote_min_rx = Duration::from_micros(r.required_min_rx.into());
        if r.flags.contains(Flags::F) && self.poll {
            // §6.5: the Poll Sequence is over; the new values take effect.
            self.poll = false;
            self.eff_tx = self.adv_tx;
            self.eff_rx = self.adv_rx;
        }
        if self.remote_min_rx > old_min_rx {
            // §6.8.7 says the peer's slower rate must be honoured: push the next packet out.
            if let Some(iv) = self.tx_interval() {
                self.next_tx = self
                    .next_tx
                    .max(now + Duration::from_micros(iv.as_micros() / 4 * 3));
            }
        } else if self.remote_min_rx < old_min_rx && self.state == State::Up {
            // Faster is allowed at once; do not wait for the old, longer interval.
            if let Some(iv) = self.tx_interval() {
                self.next_tx = self.next_tx.min(now + iv);
            }
        }
        if r.flags.contains(Flags::P) {
            self.send_final = true;
        }
        if self.state == State::AdminDown {
            self.counters.rx_dropped += 1;
            return Err(RxError::AdminDown);
        }
        self.detect_at = Some(now + self.detection_time());
        let tr = if r.state == State::AdminDown {
            if self.state != State::Down {
                Some(self.set_state(now, State::Down, Diag::NeighborDown))
            } else {
                None
            }
        } else {
            match (self.state, r.state) {
                // The diagnostic of the last failure stays until the session is Up.
                (State::Down, State::Down) => {
                    let diag = self.local_diag;
                    Some(self.set_state(now, State::Init, diag))
                }
                (State::Down, State::Init) | (State::Init, State::Init | State::Up) => {
                    Some(self.set_state(now, State::Up, Diag::None))
                }
                (State::Up, State::Down) => {
                    Some(self.set_state(now, State::Down, Diag::NeighborDown))
                }
                _ => None,
            }
        };
        Ok(tr)
    }

    /// Runs the timers due at `now`: the Detection Time (§6.8.4: Init or Up go Down with
    /// diag 1; the remote discriminator is forgotten, §6.8.1) and the authentication
    /// sequence's expiry (§6.7.3).
    pub fn timeout(&mut self, now: Instant) -> Option<Transition> {
        if let (Some(last), Some(_)) = (self.last_rx, self.rcv_seq.last) {
            if now >= last + self.detection_time().saturating_mul(2) {
                self.rcv_seq.reset();
            }
        }
        match self.detect_at {
            Some(at) if at <= now => {
                self.detect_at = None;
                self.remote_discr = 0;
                self.remote_state = State::Down;
                if matches!(self.state, State::Init | State::Up) {
                    Some(self.set_state(now, State::Down, Diag::ControlDetectionExpired))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Whether a packet is due at `now`.
    pub fn transmit_due(&self, now: Instant) -> bool {
        self.send_now || self.send_final || (self.tx_interval().is_some() && self.next_tx <= now)
    }

    /// Builds the next packet into `buf` (§6.8.7) if one is due, advancing the schedule
    /// with jitter; returns its length. A Final answers a Poll without disturbing the
    /// periodic schedule.
    pub fn poll_transmit(
        &mut self,
        now: Instant,
        buf: &mut [u8],
        prng: &mut Prng,
    ) -> Option<usize> {
        let periodic = self.tx_interval().is_some() && self.next_tx <= now;
        if !(self.send_now || self.send_final || periodic) {
            return None;
        }
        let fin = self.send_final;
        let mut flags = Flags::empty();
        if fin {
            flags |= Flags::F;
        } else if self.poll {
            flags |= Flags::P;
        }
        let seq = match &self.cfg.auth {
            Some(a) if !matches!(a.kind, auth::AuthKind::Simple) => {
                // Meticulous types must, keyed types may, advance every packet (§6.7.3).
                self.xmit_seq = self.xmit_seq.wrapping_add(1);
                self.xmit_seq
            }
            _ => 0,
        };
        let r = Repr {
            version: BFD_VERSION,
            diag: self.local_diag,
            state: self.state,
            flags,
            detect_mult: self.cfg.detect_mult,
            my_discr: self.local_discr,
            your_discr: self.remote_discr,
            desired_min_tx: micros32(self.adv_tx),
            required_min_rx: micros32(self.adv_rx),
            required_min_echo_rx: 0,
            auth: self.cfg.auth.as_ref().map(|a| a.section(seq)),
        };
        let n = r.emit(buf).ok()?;
        if let Some(a) = &self.cfg.auth {
            auth::sign(&mut buf[..n], a);
        }
        self.counters.tx += 1;
        if fin {
            self.send_final = false;
        } else {
            self.send_now = false;
        }
        if !fin || periodic {
            if let Some(iv) = self.tx_interval() {
                self.next_tx = now + jitter(iv, self.cfg.detect_mult, prng);
            }
        }
        Some(n)
    }
}

/// Saturates a duration into the 32-bit microsecond fields.
fn micros32(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

/// §6.8.7: 75–100% of the interval, 75–90% with a Detect Mult of 1.
pub fn jitter(iv: Duration, detect_mult: u8, prng: &mut Prng) -> Duration {
    let span = if detect_mult == 1 { 151 } else { 251 };
    let permille = 750 + prng.below(span);
    Duration::from_micros(
        iv.as_micros() / 1000 * permille + iv.as_micros() % 1000 * permille / 1000,
    )
}
