//! BFD sessions (RFC 5880) between two engines with a virtual clock.

use ospf_core::bfd::auth::{Auth, AuthKind};
use ospf_core::bfd::wire::{Diag, Flags, Repr, State};
use ospf_core::bfd::{Bfd, Output, RxError, SessionConfig, SessionKey, jitter};
use ospf_core::config::Prng;
use ospf_core::time::{Duration, Instant};
use std::net::Ipv4Addr;

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const KA: SessionKey = SessionKey {
    ifindex: 1,
    peer: B,
};
const KB: SessionKey = SessionKey {
    ifindex: 1,
    peer: A,
};

struct Pair {
    a: Bfd,
    b: Bfd,
    now: Instant,
    /// Deliver A's packets to B.
    a_to_b: bool,
    /// Deliver B's packets to A.
    b_to_a: bool,
    /// Every event: (at, side 'a'/'b', event).
    events: Vec<(Instant, char, ospf_core::bfd::Event)>,
    /// Every packet sent: (at, side, decoded).
    sent: Vec<(Instant, char, Repr)>,
}

impl Pair {
    fn new(ca: SessionConfig, cb: SessionConfig) -> Self {
        let now = Instant::from_secs(1);
        let mut a = Bfd::new(Prng::new(1));
        let mut b = Bfd::new(Prng::new(2));
        assert!(a.add_session(now, KA, ca));
        assert!(b.add_session(now, KB, cb));
        Pair {
            a,
            b,
            now,
            a_to_b: true,
            b_to_a: true,
            events: Vec::new(),
            sent: Vec::new(),
        }
    }

    /// Drains both engines, delivering packets, until neither has output at `now`.
    fn drain(&mut self) -> Instant {
        let mut buf = [0u8; 256];
        let mut next = Instant::MAX;
        loop {
            let mut progressed = false;
            for side in ['a', 'b'] {
                let (me, other, deliver, src) = if side == 'a' {
                    (&mut self.a, &mut self.b, self.a_to_b, A)
                } else {
                    (&mut self.b, &mut self.a, self.b_to_a, B)
                };
                me.handle_timeout(self.now);
                while let Some(o) = me.poll_output(self.now, &mut buf) {
                    match o {
                        Output::Transmit(t) => {
                            progressed = true;
                            self.sent
                                .push((self.now, side, Repr::decode(&buf[..t.len]).unwrap()));
                            if deliver {
                                let _ = other.handle_packet(self.now, 1, src, &buf[..t.len]);
                            }
                        }
                        Output::Event(e) => {
                            progressed = true;
                            self.events.push((self.now, side, e));
                        }
                        Output::Timeout(at) => {
                            next = next.min(at);
                            break;
                        }
                    }
                }
            }
            if !progressed {
                return next;
            }
        }
    }

    /// Runs until `until`, jumping from timeout to timeout (at most 1 ms apart when
    /// something is due now, to let delivery happen).
    fn run_until(&mut self, until: Instant) {
        while self.now < until {
            let next = self.drain();
            self.now = next.max(self.now + Duration::from_micros(100)).min(until);
        }
        self.drain();
    }

    fn state(&self, side: char) -> State {
        let (e, k) = if side == 'a' {
            (&self.a, KA)
        } else {
            (&self.b, KB)
        };
        e.session(&k).unwrap().state()
    }
}

fn fast() -> SessionConfig {
    SessionConfig::new(50, 50, 3)
}

#[test]
fn rfc5880_6_2_three_way_handshake_reaches_up() {
    let mut p = Pair::new(fast(), fast());
    p.run_until(Instant::from_secs(3));
    assert_eq!(p.state('a'), State::Up);
    assert_eq!(p.state('b'), State::Up);
    // Down -> Init -> Up or Down -> Up on each side, never a failure.
    for side in ['a', 'b'] {
        let tos: Vec<State> = p
            .events
            .iter()
            .filter(|(_, s, _)| *s == side)
            .map(|(_, _, e)| e.transition.to)
            .collect();
        assert_eq!(tos.last(), Some(&State::Up), "{side}: {tos:?}");
        assert!(p.events.iter().all(|(_, _, e)| !e.transition.is_failure()));
    }
}

#[test]
fn rfc5880_6_8_3_slow_transmission_until_up_then_negotiated() {
    let mut p = Pair::new(fast(), fast());
    p.run_until(Instant::from_secs(1) + Duration::from_millis(1));
    // Before Up, the advertised Desired Min TX is at least one second.
    let first = &p.sent[0].2;
    assert_eq!(first.state, State::Down);
    assert!(first.desired_min_tx >= 1_000_000);
    assert_eq!(first.required_min_rx, 50_000);
    p.run_until(Instant::from_secs(4));
    let last_a = p.sent.iter().rev().find(|(_, s, _)| *s == 'a').unwrap();
    assert_eq!(last_a.2.state, State::Up);
    assert_eq!(last_a.2.desired_min_tx, 50_000);
    // Once Up, the packets flow at 37.5–50 ms.
    let times: Vec<Instant> = p
        .sent
        .iter()
        .filter(|(t, s, r)| *s == 'a' && *t > Instant::from_secs(3) && r.flags.is_empty())
        .map(|(t, _, _)| *t)
        .collect();
    assert!(times.len() > 15, "{}", times.len());
    for w in times.windows(2) {
        let gap = (w[1] - w[0]).as_micros();
        assert!((37_500..=50_000).contains(&gap), "gap {gap}");
    }
}

#[test]
fn rfc5880_6_8_4_detection_time_expiry_takes_the_session_down() {
    let mut p = Pair::new(fast(), fast());
    p.run_until(Instant::from_secs(3));
    assert_eq!(p.state('a'), State::Up);
    let cut = p.now;
    p.b_to_a = false;
    p.run_until(cut + Duration::from_millis(400));
    assert_eq!(p.state('a'), State::Down);
    let (at, _, e) = p
        .events
        .iter()
        .find(|(t, s, _)| *s == 'a' && *t > cut)
        .unwrap();
    assert!(e.transition.is_failure());
    assert_eq!(e.transition.diag, Diag::ControlDetectionExpired);
    // Detection time 3 * 50 ms after the last packet heard, so 100..=150 ms after the cut.
    let took = (*at - cut).as_millis();
    assert!((100..=151).contains(&took), "detected after {took} ms");
    // B then hears A say Down with diag 1, and goes Down itself (diag 3).
    let b_down = p
        .events
        .iter()
        .find(|(t, s, _)| *s == 'b' && *t > cut)
        .unwrap();
    assert_eq!(b_down.2.transition.to, State::Down);
    assert_eq!(b_down.2.transition.diag, Diag::NeighborDown);
    // The diagnostic says why, also while the session starts again (Init).
    assert_eq!(
        p.a.status().next().unwrap().local_diag,
        Diag::ControlDetectionExpired
    );
    // The detection timer forgot the remote discriminator (§6.8.1).
    assert_eq!(p.a.session(&KA).unwrap().remote_discr(), 0);
    // Restored, the sessions come back Up.
    p.b_to_a = true;
    let back = p.now;
    p.run_until(back + Duration::from_secs(4));
    assert_eq!(p.state('a'), State::Up);
    assert_eq!(p.state('b'), State::Up);
}

#[test]
fn rfc5880_6_8_6_admin_down_from_peer_is_not_a_failure() {
    let mut p = Pair::new(fast(), fast());
    p.run_until(Instant::from_secs(3));
    let t = p.now;
    assert!(p.b.remove_session(t, KB));
    p.run_until(t + Duration::from_millis(20));
    assert_eq!(p.state('a'), State::Down);
    let (_, _, e) = p
        .events
        .iter()
        .find(|(at, s, _)| *s == 'a' && *at >= t)
        .unwrap();
    assert_eq!(e.transition.diag, Diag::NeighborDown);
    assert!(e.transition.remote_admin_down);
    assert!(!e.transition.is_failure());
    assert!(p.b.session(&KB).is_none());
}

#[test]
fn rfc5880_6_8_6_demultiplexing_by_discriminator_and_source() {
    let mut p = Pair::new(fast(), fast());
    p.run_until(Instant::from_secs(3));
    let mut buf = [0u8; 64];
    let discr = p.a.session(&KA).unwrap().local_discr();
    let r = Repr {
        version: 1,
        diag: Diag::None,
        state: State::Up,
        flags: Flags::empty(),
        detect_mult: 3,
        my_discr: 77,
        your_discr: discr,
        desired_min_tx: 50_000,
        required_min_rx: 50_000,
        required_min_echo_rx: 0,
        auth: None,
    };
    let n = r.emit(&mut buf).unwrap();
    // The right discriminator from another source or interface is refused.
    let other = Ipv4Addr::new(10, 0, 0, 9);
    assert_eq!(
        p.a.handle_packet(p.now, 1, other, &buf[..n]),
        Err(RxError::NoSession)
    );
    assert_eq!(
        p.a.handle_packet(p.now, 2, B, &buf[..n]),
        Err(RxError::NoSession)
    );
    // An unknown discriminator is refused.
    let bad = Repr {
        your_discr: discr.wrapping_add(1),
        ..r.clone()
    };
    let n2 = bad.emit(&mut buf).unwrap();
    assert_eq!(
        p.a.handle_packet(p.now, 1, B, &buf[..n2]),
        Err(RxError::NoSession)
    );
    // Up with Your Discriminator 0 fails §6.8.6.
    let zero = Repr {
        your_discr: 0,
        ..r.clone()
    };
    let n3 = zero.emit(&mut buf).unwrap();
    assert!(matches!(
        p.a.handle_packet(p.now, 1, B, &buf[..n3]),
        Err(RxError::Invalid(_))
    ));
    // Garbage never panics and is refused.
    assert!(matches!(
        p.a.handle_packet(p.now, 1, B, &[0x20, 0xc0, 3]),
        Err(RxError::Decode(_))
    ));
}

#[test]
fn rfc5880_6_5_poll_sequence_for_slower_timers() {
    let mut p = Pair::new(fast(), fast());
    p.run_until(Instant::from_secs(3));
    let t = p.now;
    // A asks for slower transmission: 200 ms.
    assert!(!p.a.add_session(t, KA, SessionConfig::new(200, 50, 3)));
    assert!(p.a.session(&KA).unwrap().polling());
    p.run_until(t + Duration::from_millis(5));
    // A sent a Poll, B answered with a Final, and the Poll Sequence ended.
    let poll = p
        .sent
        .iter()
        .find(|(at, s, r)| *s == 'a' && *at >= t && r.flags.contains(Flags::P))
        .expect("poll sent");
    assert_eq!(poll.2.desired_min_tx, 200_000);
    assert!(
        p.sent
            .iter()
            .any(|(at, s, r)| *s == 'b' && *at >= t && r.flags.contains(Flags::F))
    );
    assert!(!p.a.session(&KA).unwrap().polling());
    assert_eq!(
        p.a.session(&KA).unwrap().tx_interval(),
        Some(Duration::from_millis(200))
    );
    // B's detection time follows A's slower rate: 3 * 200 ms; nothing goes down.
    p.run_until(t + Duration::from_secs(3));
    assert_eq!(
        p.b.session(&KB).unwrap().detection_time(),
        Duration::from_millis(600)
    );
    assert_eq!(p.state('a'), State::Up);
    assert_eq!(p.state('b'), State::Up);
    assert!(p.events.iter().all(|(_, _, e)| !e.transition.is_failure()));
}

#[test]
fn rfc5880_6_5_no_final_keeps_old_tx_interval() {
    let mut p = Pair::new(fast(), fast());
    p.run_until(Instant::from_secs(3));
    let t = p.now;
    p.b_to_a = false; // A never sees the Final.
    p.a.add_session(t, KA, SessionConfig::new(200, 50, 3));
    p.drain();
    // Increasing the transmit interval waits for the Final (§6.8.3).
    assert!(p.a.session(&KA).unwrap().polling());
    assert_eq!(
        p.a.session(&KA).unwrap().tx_interval(),
        Some(Duration::from_millis(50))
    );
}

#[test]
fn rfc5880_6_8_7_peer_asking_for_slower_packets_is_obeyed() {
    let mut p = Pair::new(fast(), SessionConfig::new(50, 500, 3));
    p.run_until(Instant::from_secs(6));
    assert_eq!(p.state('a'), State::Up);
    assert_eq!(
        p.a.session(&KA).unwrap().tx_interval(),
        Some(Duration::from_millis(500))
    );
    let times: Vec<Instant> = p
        .sent
        .iter()
        .filter(|(t, s, r)| *s == 'a' && *t > Instant::from_secs(4) && r.flags.is_empty())
        .map(|(t, _, _)| *t)
        .collect();
    for w in times.windows(2) {
        let gap = (w[1] - w[0]).as_micros();
        assert!(gap >= 375_000, "gap {gap}");
    }
    // B's detection time uses A's Desired Min TX (50) vs its own Required Min RX (500).
    assert_eq!(
        p.b.session(&KB).unwrap().detection_time(),
        Duration::from_millis(1500)
    );
}

#[test]
fn rfc5880_6_8_7_jitter_bounds() {
    let mut prng = Prng::new(9);
    let iv = Duration::from_millis(100);
    let (mut lo, mut hi) = (u64::MAX, 0);
    for _ in 0..10_000 {
        let j = jitter(iv, 3, &mut prng).as_micros();
        assert!((75_000..=100_000).contains(&j), "{j}");
        lo = lo.min(j);
        hi = hi.max(j);
    }
    assert!(lo < 76_000 && hi > 99_000, "spread {lo}..{hi}");
    for _ in 0..10_000 {
        let j = jitter(iv, 1, &mut prng).as_micros();
        assert!((75_000..=90_000).contains(&j), "{j}");
    }
}

fn with_auth(kind: AuthKind, key: &[u8]) -> SessionConfig {
    fast().with_auth(Auth::new(kind, 3, key))
}

#[test]
fn rfc5880_6_7_authenticated_sessions_come_up() {
    for kind in [
        AuthKind::Simple,
        AuthKind::KeyedMd5,
        AuthKind::MeticulousMd5,
        AuthKind::KeyedSha1,
        AuthKind::MeticulousSha1,
    ] {
        let mut p = Pair::new(with_auth(kind, b"s3cret"), with_auth(kind, b"s3cret"));
        p.run_until(Instant::from_secs(3));
        assert_eq!(p.state('a'), State::Up, "{kind:?}");
        assert_eq!(p.state('b'), State::Up, "{kind:?}");
        assert!(p.sent.iter().all(|(_, _, r)| r.auth.is_some()));
    }
}

#[test]
fn rfc5880_6_7_mismatched_authentication_never_comes_up() {
    for (ca, cb) in [
        (
            with_auth(AuthKind::KeyedSha1, b"one"),
            with_auth(AuthKind::KeyedSha1, b"two"),
        ),
        (with_auth(AuthKind::KeyedMd5, b"one"), fast()),
        (
            with_auth(AuthKind::MeticulousMd5, b"one"),
            with_auth(AuthKind::KeyedMd5, b"one"),
        ),
    ] {
        let mut p = Pair::new(ca, cb);
        p.run_until(Instant::from_secs(4));
        assert_eq!(p.state('a'), State::Down);
        assert_eq!(p.state('b'), State::Down);
        assert!(p.b.status().next().unwrap().counters.rx_dropped > 0);
    }
}

#[test]
fn rfc5880_6_7_3_meticulous_replay_is_refused() {
    let mut p = Pair::new(
        with_auth(AuthKind::MeticulousSha1, b"k"),
        with_auth(AuthKind::MeticulousSha1, b"k"),
    );
    p.run_until(Instant::from_secs(3));
    // Capture one packet of A's and replay it to B.
    p.a_to_b = false;
    let mut buf = [0u8; 256];
    let t = p.now + Duration::from_millis(60);
    p.a.handle_timeout(t);
    let len = loop {
        match p.a.poll_output(t, &mut buf) {
            Some(Output::Transmit(tx)) => break tx.len,
            Some(Output::Event(_)) => continue,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(p.b.handle_packet(t, 1, A, &buf[..len]), Ok(()));
    assert!(matches!(
        p.b.handle_packet(t, 1, A, &buf[..len]),
        Err(RxError::Auth(_))
    ));
}

#[test]
fn rfc5880_6_8_1_detect_mult_one_and_down_without_peer() {
    // A session whose peer never answers stays Down, sending one packet a second.
    let now = Instant::from_secs(1);
    let mut a = Bfd::new(Prng::new(5));
    a.add_session(now, KA, SessionConfig::new(10, 10, 1));
    let mut buf = [0u8; 64];
    let mut sent = Vec::new();
    let mut t = now;
    while t < Instant::from_secs(11) {
        a.handle_timeout(t);
        let mut next = Instant::MAX;
        while let Some(o) = a.poll_output(t, &mut buf) {
            match o {
                Output::Transmit(_) => sent.push(t),
                Output::Event(e) => panic!("{e:?}"),
                Output::Timeout(at) => {
                    next = at;
                    break;
                }
            }
        }
        assert!(next > t, "busy loop at {t:?}");
        t = next;
    }
    assert!((10..=14).contains(&sent.len()), "{}", sent.len());
    for w in sent.windows(2) {
        let gap = (w[1] - w[0]).as_micros();
        assert!((750_000..=900_000).contains(&gap), "gap {gap}");
    }
    assert_eq!(a.session(&KA).unwrap().state(), State::Down);
}

#[test]
fn rfc5880_6_8_7_a_zero_interval_never_floods() {
    // Desired Min TX and Required Min RX of 0 ms on both sides: packets are still at
    // least MIN_TX * 3/4 apart, and a drain always ends.
    let mut p = Pair::new(SessionConfig::new(0, 1, 1), SessionConfig::new(0, 1, 1));
    p.run_until(Instant::from_secs(4));
    assert_eq!(p.state('a'), State::Up);
    let times: Vec<Instant> = p
        .sent
        .iter()
        .filter(|(t, s, r)| *s == 'a' && *t > Instant::from_secs(3) && r.flags.is_empty())
        .map(|(t, _, _)| *t)
        .collect();
    assert!(times.len() > 500, "{}", times.len());
    for w in times.windows(2) {
        assert!((w[1] - w[0]).as_micros() >= 750, "{:?}", w[1] - w[0]);
    }
}

#[test]
fn rfc5880_6_8_7_final_answered_at_the_same_instant() {
    // A Poll arriving after a drain at the same instant is still answered at once.
    let mut p = Pair::new(fast(), fast());
    p.run_until(Instant::from_secs(3));
    let now = p.now;
    let mut buf = [0u8; 64];
    while let Some(o) = p.a.poll_output(now, &mut buf) {
        if matches!(o, Output::Timeout(_)) {
            break;
        }
    }
    let s = p.a.session(&KA).unwrap();
    let poll = Repr {
        version: 1,
        diag: Diag::None,
        state: State::Up,
        flags: Flags::P,
        detect_mult: 3,
        my_discr: s.remote_discr(),
        your_discr: s.local_discr(),
        desired_min_tx: 50_000,
        required_min_rx: 50_000,
        required_min_echo_rx: 0,
        auth: None,
    };
    let n = poll.emit(&mut buf).unwrap();
    let bytes = buf[..n].to_vec();
    p.a.handle_packet(now, 1, B, &bytes).unwrap();
    match p.a.poll_output(now, &mut buf) {
        Some(Output::Transmit(t)) => {
            let r = Repr::decode(&buf[..t.len]).unwrap();
            assert!(r.flags.contains(Flags::F));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn rfc5880_6_8_16_administrative_control() {
    let mut p = Pair::new(fast(), fast());
    p.run_until(Instant::from_secs(3));
    let t = p.now;
    p.a.set_admin_down(t, KA, true);
    p.run_until(t + Duration::from_millis(200));
    assert_eq!(p.state('a'), State::AdminDown);
    // B goes Down on the peer's AdminDown: no failure for its clients.
    assert_eq!(p.state('b'), State::Down);
    let (_, _, e) = p
        .events
        .iter()
        .find(|(at, s, _)| *s == 'b' && *at >= t)
        .unwrap();
    assert!(e.transition.remote_admin_down && !e.transition.is_failure());
    // An AdminDown session discards what it receives (§6.8.6).
    let dropped = p.a.status().next().unwrap().counters.rx_dropped;
    assert!(dropped > 0);
    let a_sent: Vec<&Repr> = p
        .sent
        .iter()
        .filter(|(at, s, _)| *s == 'a' && *at >= t)
        .map(|(_, _, r)| r)
        .collect();
    assert!(!a_sent.is_empty());
    assert!(
        a_sent
            .iter()
            .all(|r| r.state == State::AdminDown && r.diag == Diag::AdminDown)
    );
    // Enabled again, the session comes back Up.
    let t = p.now;
    p.a.set_admin_down(t, KA, false);
    p.run_until(t + Duration::from_secs(4));
    assert_eq!(p.state('a'), State::Up);
    assert_eq!(p.state('b'), State::Up);
}

#[test]
fn rfc5880_6_5_final_without_poll_changes_nothing() {
    let mut p = Pair::new(fast(), fast());
    p.run_until(Instant::from_secs(3));
    let s = p.a.session(&KA).unwrap();
    let before = (s.tx_interval(), s.detection_time(), s.polling());
    let fin = Repr {
        version: 1,
        diag: Diag::None,
        state: State::Up,
        flags: Flags::F,
        detect_mult: 3,
        my_discr: s.remote_discr(),
        your_discr: s.local_discr(),
        desired_min_tx: 50_000,
        required_min_rx: 50_000,
        required_min_echo_rx: 0,
        auth: None,
    };
    let mut buf = [0u8; 64];
    let n = fin.emit(&mut buf).unwrap();
    let now = p.now;
    p.a.handle_packet(now, 1, B, &buf[..n]).unwrap();
    let s = p.a.session(&KA).unwrap();
    assert_eq!((s.tx_interval(), s.detection_time(), s.polling()), before);
    assert_eq!(s.state(), State::Up);
}
