//! The emulated gateways' side of their adjacencies with the router under test.
//!
//! One [`OspfSocket`] per gateway link, opened by the caller (in the emulator's network
//! namespace) and handed to [`Speaker::spawn`], which runs on a thread of its own:
//!
//! * Hellos every `hello_interval` to AllSPFRouters, listing the router under test once
//!   heard; its silence for `dead_interval`, or a Hello that no longer lists us (it
//!   restarted), takes the adjacency down and a later Hello starts it again;
//! * the database exchange as master (every emulated router ID is above
//!   [`RUT_ROUTER_ID`](super::topology::RUT_ROUTER_ID)): empty I/M/MS packets until the
//!   router under test answers as slave, then the whole LSDB's headers, 70 per packet, one
//!   packet per round trip, retransmitted after `rxmt_interval`;
//! * a Link State Update (at most 1,400 bytes of LSAs each) for every Link State Request;
//! * a Link State Acknowledgment for every Link State Update received;
//! * [`Speaker::flood`]: new instances into the LSDB and, in Link State Updates, to every
//!   adjacency in Exchange or later, retransmitted until acknowledged.
//!
//! LSAs are sent with their age advanced by the seconds since they were generated (plus
//! one, InfTransDelay); their checksums do not cover the age.

use std::collections::HashMap;
use std::io;
use std::net::Ipv4Addr;
use std::os::fd::AsFd;
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use ospf_core::wire::{
    AuthField, BodyRepr, DbDescRepr, DdFlags, HelloRepr, List, LsAckRepr, LsUpdateRepr, LsaList,
    Options, PacketRepr,
};

use super::topology::{LsaKey, MAX_AGE, Topology, lsa_key, router_id};
use crate::socket::{ALL_SPF_ROUTERS, OspfSocket};

/// LSA headers per Database Description packet (fits a 1,500-byte MTU).
const DD_HEADERS: usize = 70;
/// Bytes of LSAs per Link State Update.
const LSU_BYTES: usize = 1400;

/// Timers of the emulated gateways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeakerConfig {
    /// HelloInterval, seconds (the router under test must use the same).
    pub hello_interval: u16,
    /// RouterDeadInterval, seconds (likewise).
    pub dead_interval: u32,
    /// How long an unanswered Database Description or unacknowledged LSA waits before it
    /// is sent again.
    pub rxmt_interval: Duration,
}

impl Default for SpeakerConfig {
    /// Hello 1 s, dead 40 s, retransmission after 1 s.
    fn default() -> Self {
        SpeakerConfig {
            hello_interval: 1,
            dead_interval: 40,
            rxmt_interval: Duration::from_secs(1),
        }
    }
}

/// What happened on an adjacency, timestamped when the emulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeakerEvent {
    /// Gateway `gateway` saw the router under test list it in a Hello and started the
    /// database exchange.
    ExStart {
        /// Gateway index.
        gateway: usize,
        /// When.
        at: Instant,
    },
    /// The router under test acknowledged the last Database Description: from here it
    /// only requests what it is missing.
    ExchangeDone {
        /// Gateway index.
        gateway: usize,
        /// When.
        at: Instant,
    },
    /// The adjacency went down (dead interval, or the router under test restarted).
    Down {
        /// Gateway index.
        gateway: usize,
        /// When.
        at: Instant,
    },
    /// A Router-LSA of the router under test arrived, listing point-to-point links to
    /// these gateways (it lists a gateway once their adjacency is Full at its end).
    RutRouterLsa {
        /// Gateway indexes it has a link to.
        gateways: Vec<usize>,
        /// When.
        at: Instant,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    Down,
    Init,
    ExStart,
    Exchange,
    Full,
}

#[derive(Debug)]
struct Adj {
    sock: OspfSocket,
    rid: Ipv4Addr,
    nbr: Option<Ipv4Addr>,
    last_heard: Instant,
    state: State,
    dd_seq: u32,
    dd_keys: Vec<LsaKey>,
    dd_pos: usize,
    dd_more: bool,
    dd_last: Vec<u8>,
    dd_sent_at: Instant,
    rxmt: HashMap<LsaKey, u32>,
    rxmt_at: Instant,
}

struct Entry {
    raw: Vec<u8>,
    born: Instant,
}

enum Command {
    Flood(Vec<Vec<u8>>, mpsc::Sender<Instant>),
    Stop,
}

/// The emulator's running speaker (see the [module](self) documentation).
#[derive(Debug)]
pub struct Speaker {
    commands: mpsc::Sender<Command>,
    events: mpsc::Receiver<SpeakerEvent>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Speaker {
    /// Starts speaking for gateways `0..sockets.len()` of `topology` (socket `k` on gateway
    /// link `k`), on a thread of its own.
    pub fn spawn(
        topology: &Topology,
        sockets: Vec<OspfSocket>,
        config: SpeakerConfig,
    ) -> io::Result<Speaker> {
        if sockets.len() > topology.spec().gateways {
            return Err(io::Error::other(format!(
                "{} sockets for {} gateways",
                sockets.len(),
                topology.spec().gateways
            )));
        }
        let now = Instant::now();
        let mut lsdb = HashMap::with_capacity(topology.lsas().len());
        let mut order = Vec::with_capacity(topology.lsas().len());
        for l in topology.lsas() {
            let Some(key) = lsa_key(l) else {
                continue;
            };
            order.push(key);
            lsdb.insert(
                key,
                Entry {
                    raw: l.clone(),
                    born: now,
                },
            );
        }
        let adjs = sockets
            .into_iter()
            .enumerate()
            .map(|(k, sock)| Adj {
                sock,
                rid: router_id(k),
                nbr: None,
                last_heard: now,
                state: State::Down,
                dd_seq: 0,
                dd_keys: Vec::new(),
                dd_pos: 0,
                dd_more: false,
                dd_last: Vec::new(),
                dd_sent_at: now,
                rxmt: HashMap::new(),
                rxmt_at: now,
            })
            .collect();
        let (ctx, crx) = mpsc::channel();
        let (etx, erx) = mpsc::channel();
        let mut run = Run {
            adjs,
            lsdb,
            order,
            config,
            events: etx,
            buf: vec![0u8; 65_536],
            out: vec![0u8; 65_536],
        };
        let thread = thread::Builder::new()
            .name("emulator".into())
            .spawn(move || run.run(&crx))?;
        Ok(Speaker {
            commands: ctx,
            events: erx,
            thread: Some(thread),
        })
    }

    /// Floods new instances of `lsas` on every adjacency in Exchange or later; returns the
    /// instant just before the first Link State Update went out.
    pub fn flood(&self, lsas: Vec<Vec<u8>>) -> io::Result<Instant> {
        let (tx, rx) = mpsc::channel();
        self.commands
            .send(Command::Flood(lsas, tx))
            .map_err(|_| io::Error::other("the emulator thread has stopped"))?;
        rx.recv_timeout(Duration::from_secs(10))
            .map_err(|_| io::Error::other("the emulator thread did not flood"))
    }

    /// The events so far (each is returned once).
    pub fn events(&self) -> Vec<SpeakerEvent> {
        self.events.try_iter().collect()
    }

    /// Waits up to `timeout` for an event that `pred` accepts; returns it (events before it
    /// are dropped).
    pub fn wait_event(
        &self,
        timeout: Duration,
        mut pred: impl FnMut(&SpeakerEvent) -> bool,
    ) -> Option<SpeakerEvent> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.events.recv_timeout(left) {
                Ok(e) if pred(&e) => return Some(e),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }

    /// Stops the thread; returns its error, if it failed.
    pub fn stop(mut self) -> io::Result<()> {
        self.stop_thread()
    }

    fn stop_thread(&mut self) -> io::Result<()> {
        let _ = self.commands.send(Command::Stop);
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| io::Error::other("the emulator thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        let _ = self.stop_thread();
    }
}

struct Run {
    adjs: Vec<Adj>,
    lsdb: HashMap<LsaKey, Entry>,
    order: Vec<LsaKey>,
    config: SpeakerConfig,
    events: mpsc::Sender<SpeakerEvent>,
    buf: Vec<u8>,
    out: Vec<u8>,
}

/// The LSA with its age advanced to `now` (MaxAge stays MaxAge).
fn aged(e: &Entry, now: Instant) -> Vec<u8> {
    let mut raw = e.raw.clone();
    set_age(&mut raw, e, now);
    raw
}

fn set_age(raw: &mut [u8], e: &Entry, now: Instant) {
    let age = u16::from_be_bytes([e.raw[0], e.raw[1]]);
    let new = if age >= MAX_AGE {
        MAX_AGE
    } else {
        let secs = now.duration_since(e.born).as_secs();
        u16::try_from(u64::from(age) + secs + 1)
            .unwrap_or(MAX_AGE)
            .min(MAX_AGE)
    };
    raw[0..2].copy_from_slice(&new.to_be_bytes());
}

fn send(sock: &OspfSocket, packet: &[u8]) -> io::Result<()> {
    loop {
        match sock.send(ALL_SPF_ROUTERS, packet) {
            Ok(()) => return Ok(()),
            Err(e)
                if e.kind() == io::ErrorKind::WouldBlock
                    || e.raw_os_error() == Some(libc::ENOBUFS) =>
            {
                thread::sleep(Duration::from_micros(200));
            }
            Err(e) => return Err(e),
        }
    }
}

fn emit(out: &mut [u8], rid: Ipv4Addr, body: BodyRepr<'_>) -> io::Result<usize> {
    PacketRepr {
        router_id: rid,
        area_id: Ipv4Addr::UNSPECIFIED,
        auth: AuthField::Null,
        body,
    }
    .emit_bytes(out)
    .map_err(|e| io::Error::other(format!("encode: {e:?}")))
}

impl Run {
    fn run(&mut self, commands: &mpsc::Receiver<Command>) -> io::Result<()> {
        let hello = Duration::from_secs(u64::from(self.config.hello_interval.max(1)));
        let mut next_hello = Instant::now();
        loop {
            loop {
                match commands.try_recv() {
                    Ok(Command::Flood(lsas, reply)) => {
                        let at = self.flood(lsas)?;
                        let _ = reply.send(at);
                    }
                    Ok(Command::Stop) | Err(mpsc::TryRecvError::Disconnected) => return Ok(()),
                    Err(mpsc::TryRecvError::Empty) => break,
                }
            }
            let now = Instant::now();
            if now >= next_hello {
                for k in 0..self.adjs.len() {
                    self.hello(k)?;
                }
                next_hello = now + hello;
            }
            for k in 0..self.adjs.len() {
                self.timers(k, now)?;
            }
            let ready: Vec<bool> = {
                let mut fds: Vec<PollFd<'_>> = self
                    .adjs
                    .iter()
                    .map(|a| PollFd::new(a.sock.as_fd(), PollFlags::POLLIN))
                    .collect();
                match poll(&mut fds, PollTimeout::from(2u8)) {
                    Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                    Err(e) => return Err(e.into()),
                }
                fds.iter()
                    .map(|f| f.revents().is_some_and(|r| r.contains(PollFlags::POLLIN)))
                    .collect()
            };
            for (k, r) in ready.into_iter().enumerate() {
                if r {
                    // Drain what is queued, a bounded batch at a time.
                    for _ in 0..256 {
                        let Some(rx) = self.adjs[k].sock.recv(&mut self.buf)? else {
                            break;
                        };
                        let pkt = self.buf[..rx.len].to_vec();
                        self.receive(k, &pkt)?;
                    }
                }
            }
        }
    }

    fn event(&self, e: SpeakerEvent) {
        let _ = self.events.send(e);
    }

    fn hello(&mut self, k: usize) -> io::Result<()> {
        let a = &self.adjs[k];
        let nbrs: Vec<Ipv4Addr> = a.nbr.into_iter().collect();
        let n = emit(
            &mut self.out,
            a.rid,
            BodyRepr::Hello(HelloRepr {
                network_mask: Ipv4Addr::new(255, 255, 255, 0),
                hello_interval: self.config.hello_interval,
                options: Options::E,
                priority: 1,
                dead_interval: self.config.dead_interval,
                dr: Ipv4Addr::UNSPECIFIED,
                bdr: Ipv4Addr::UNSPECIFIED,
                neighbors: List::Slice(&nbrs),
            }),
        )?;
        send(&a.sock, &self.out[..n])
    }

    fn down(&mut self, k: usize) {
        let a = &mut self.adjs[k];
        if a.state >= State::ExStart {
            self.event(SpeakerEvent::Down {
                gateway: k,
                at: Instant::now(),
            });
        }
        let a = &mut self.adjs[k];
        a.state = State::Down;
        a.nbr = None;
        a.rxmt.clear();
        a.dd_keys.clear();
    }

    fn timers(&mut self, k: usize, now: Instant) -> io::Result<()> {
        let dead = Duration::from_secs(u64::from(self.config.dead_interval));
        let a = &self.adjs[k];
        if a.state > State::Down && now.duration_since(a.last_heard) > dead {
            self.down(k);
            return Ok(());
        }
        let rxmt = self.config.rxmt_interval;
        let a = &mut self.adjs[k];
        if matches!(a.state, State::ExStart | State::Exchange)
            && now.duration_since(a.dd_sent_at) >= rxmt
            && !a.dd_last.is_empty()
        {
            a.dd_sent_at = now;
            send(&a.sock, &a.dd_last)?;
        }
        if !a.rxmt.is_empty() && now.duration_since(a.rxmt_at) >= rxmt * 5 {
            a.rxmt_at = now;
            let keys: Vec<LsaKey> = a.rxmt.keys().copied().collect();
            self.send_lsas(k, &keys)?;
        }
        Ok(())
    }

    fn receive(&mut self, k: usize, pkt: &[u8]) -> io::Result<()> {
        let Ok((_, repr)) = PacketRepr::decode(pkt) else {
            return Ok(());
        };
        let from = repr.router_id;
        if self.adjs[k].nbr.is_some_and(|n| n != from) && !matches!(repr.body, BodyRepr::Hello(_)) {
            return Ok(());
        }
        match repr.body {
            BodyRepr::Hello(h) => self.on_hello(k, from, &h),
            BodyRepr::DbDesc(d) => self.on_dd(k, &d),
            BodyRepr::LsRequest(r) => {
                if self.adjs[k].state < State::Exchange {
                    return Ok(());
                }
                let keys: Vec<LsaKey> = r
                    .entries
                    .iter()
                    .map(|e| (e.lsa_type as u8, u32::from(e.lsid), u32::from(e.adv_router)))
                    .collect();
                self.send_lsas(k, &keys)
            }
            BodyRepr::LsUpdate(u) => self.on_update(k, from, &u),
            BodyRepr::LsAck(ack) => {
                let a = &mut self.adjs[k];
                for h in ack.lsa_headers.iter() {
                    let key = (
                        u8::from(h.lsa_type),
                        u32::from(h.lsid),
                        u32::from(h.adv_router),
                    );
                    if a.rxmt.get(&key) == Some(&h.seq) {
                        a.rxmt.remove(&key);
                    }
                }
                Ok(())
            }
        }
    }

    fn on_hello(&mut self, k: usize, from: Ipv4Addr, h: &HelloRepr<'_>) -> io::Result<()> {
        let now = Instant::now();
        let me = self.adjs[k].rid;
        let two_way = h.neighbors.iter().any(|n| n == me);
        let a = &mut self.adjs[k];
        if a.nbr.is_some_and(|n| n != from) {
            self.down(k);
        }
        let a = &mut self.adjs[k];
        a.nbr = Some(from);
        a.last_heard = now;
        if !two_way {
            if a.state >= State::ExStart {
                self.down(k);
                self.adjs[k].nbr = Some(from);
                self.adjs[k].last_heard = now;
            }
            self.adjs[k].state = State::Init;
            return Ok(());
        }
        if a.state < State::ExStart {
            if from >= me {
                return Err(io::Error::other(format!(
                    "the router under test's ID {from} is not below the gateway's {me}: the emulator is master only"
                )));
            }
            a.state = State::ExStart;
            a.dd_seq = (now.elapsed().as_nanos() as u32 ^ 0x5eed) | 1;
            a.dd_seq = a.dd_seq.wrapping_add(k as u32 * 7919);
            a.dd_keys = self.order.clone();
            a.dd_pos = 0;
            a.dd_more = true;
            self.event(SpeakerEvent::ExStart {
                gateway: k,
                at: now,
            });
            self.send_dd(k, DdFlags::I | DdFlags::M | DdFlags::MS, false)?;
        }
        Ok(())
    }

    /// Sends the Database Description with `dd_seq`: empty (ExStart) or the next headers.
    fn send_dd(&mut self, k: usize, flags: DdFlags, headers: bool) -> io::Result<()> {
        let now = Instant::now();
        let a = &mut self.adjs[k];
        let mut bytes = Vec::new();
        let mut flags = flags;
        if headers {
            let end = (a.dd_pos + DD_HEADERS).min(a.dd_keys.len());
            for key in &a.dd_keys[a.dd_pos..end] {
                if let Some(e) = self.lsdb.get(key) {
                    let mut h = [0u8; 20];
                    h.copy_from_slice(&e.raw[..20]);
                    set_age(&mut h, e, now);
                    bytes.extend_from_slice(&h);
                }
            }
            a.dd_pos = end;
            a.dd_more = end < a.dd_keys.len();
            if a.dd_more {
                flags |= DdFlags::M;
            }
        }
        let n = emit(
            &mut self.out,
            a.rid,
            BodyRepr::DbDesc(DbDescRepr {
                mtu: 1500,
                options: Options::E,
                flags,
                seq: a.dd_seq,
                lsa_headers: List::from_wire(&bytes)
                    .map_err(|e| io::Error::other(format!("{e:?}")))?,
            }),
        )?;
        a.dd_last = self.out[..n].to_vec();
        a.dd_sent_at = now;
        send(&a.sock, &self.out[..n])
    }

    fn on_dd(&mut self, k: usize, d: &DbDescRepr<'_>) -> io::Result<()> {
        let a = &mut self.adjs[k];
        match a.state {
            State::ExStart => {
                // The router under test takes the slave's part: it answers our sequence
                // number without I and MS. Its own I/M/MS packets are ignored (our ID is
                // higher).
                if !d.flags.contains(DdFlags::I)
                    && !d.flags.contains(DdFlags::MS)
                    && d.seq == a.dd_seq
                {
                    a.state = State::Exchange;
                    a.dd_seq = a.dd_seq.wrapping_add(1);
                    self.send_dd(k, DdFlags::MS, true)?;
                }
            }
            State::Exchange => {
                if d.flags.contains(DdFlags::I) {
                    // It started over: so do we.
                    a.state = State::ExStart;
                    a.dd_pos = 0;
                    a.dd_more = true;
                    self.send_dd(k, DdFlags::I | DdFlags::M | DdFlags::MS, false)?;
                } else if d.seq == a.dd_seq && !d.flags.contains(DdFlags::MS) {
                    let slave_more = d.flags.contains(DdFlags::M);
                    if !a.dd_more && !slave_more {
                        a.state = State::Full;
                        a.dd_last.clear();
                        self.event(SpeakerEvent::ExchangeDone {
                            gateway: k,
                            at: Instant::now(),
                        });
                    } else {
                        a.dd_seq = a.dd_seq.wrapping_add(1);
                        self.send_dd(k, DdFlags::MS, true)?;
                    }
                }
            }
            State::Full => {
                if d.flags.contains(DdFlags::I) {
                    a.state = State::ExStart;
                    a.dd_keys = self.order.clone();
                    a.dd_pos = 0;
                    a.dd_more = true;
                    self.send_dd(k, DdFlags::I | DdFlags::M | DdFlags::MS, false)?;
                }
            }
            State::Down | State::Init => {}
        }
        Ok(())
    }

    fn on_update(&mut self, k: usize, from: Ipv4Addr, u: &LsUpdateRepr<'_>) -> io::Result<()> {
        let mut headers = Vec::new();
        for lsa in u.lsas.slices() {
            let Some(key) = lsa_key(lsa) else {
                continue;
            };
            headers.extend_from_slice(&lsa[..20]);
            if key.0 == 1 && key.2 == u32::from(from) {
                let gateways = rut_links(lsa, self.adjs.len());
                self.event(SpeakerEvent::RutRouterLsa {
                    gateways,
                    at: Instant::now(),
                });
            }
        }
        if headers.is_empty() {
            return Ok(());
        }
        let a = &self.adjs[k];
        for chunk in headers.chunks(20 * DD_HEADERS) {
            let n = emit(
                &mut self.out,
                a.rid,
                BodyRepr::LsAck(LsAckRepr {
                    lsa_headers: List::from_wire(chunk)
                        .map_err(|e| io::Error::other(format!("{e:?}")))?,
                }),
            )?;
            send(&a.sock, &self.out[..n])?;
        }
        Ok(())
    }

    /// Sends the current instances of `keys` (those we have) in Link State Updates.
    fn send_lsas(&mut self, k: usize, keys: &[LsaKey]) -> io::Result<()> {
        let now = Instant::now();
        let mut batch: Vec<Vec<u8>> = Vec::new();
        let mut bytes = 0;
        for key in keys {
            let Some(raw) = self.lsdb.get(key).map(|e| aged(e, now)) else {
                continue;
            };
            if bytes + raw.len() > LSU_BYTES && !batch.is_empty() {
                self.send_update(k, &batch)?;
                batch.clear();
                bytes = 0;
            }
            bytes += raw.len();
            batch.push(raw);
        }
        if !batch.is_empty() {
            self.send_update(k, &batch)?;
        }
        Ok(())
    }

    fn send_update(&mut self, k: usize, lsas: &[Vec<u8>]) -> io::Result<()> {
        let refs: Vec<&[u8]> = lsas.iter().map(Vec::as_slice).collect();
        let a = &self.adjs[k];
        let n = emit(
            &mut self.out,
            a.rid,
            BodyRepr::LsUpdate(LsUpdateRepr {
                lsas: LsaList::Raw(&refs),
            }),
        )?;
        send(&a.sock, &self.out[..n])
    }

    fn flood(&mut self, lsas: Vec<Vec<u8>>) -> io::Result<Instant> {
        let now = Instant::now();
        let mut keys = Vec::with_capacity(lsas.len());
        for raw in lsas {
            let Some(key) = lsa_key(&raw) else {
                continue;
            };
            let seq = u32::from_be_bytes([raw[12], raw[13], raw[14], raw[15]]);
            if !self.lsdb.contains_key(&key) {
                self.order.push(key);
            }
            self.lsdb.insert(key, Entry { raw, born: now });
            for a in &mut self.adjs {
                if a.state >= State::Exchange {
                    a.rxmt.insert(key, seq);
                    a.rxmt_at = now;
                }
            }
            keys.push(key);
        }
        let at = Instant::now();
        for k in 0..self.adjs.len() {
            if self.adjs[k].state >= State::Exchange {
                self.send_lsas(k, &keys)?;
            }
        }
        Ok(at)
    }
}

/// The gateways (`0..gateways`) a Router-LSA has point-to-point links to.
fn rut_links(lsa: &[u8], gateways: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let Some(count) = lsa.get(22..24) else {
        return out;
    };
    let count = usize::from(u16::from_be_bytes([count[0], count[1]]));
    let mut off = 24;
    for _ in 0..count {
        let Some(l) = lsa.get(off..off + 12) else {
            break;
        };
        let id = Ipv4Addr::new(l[0], l[1], l[2], l[3]);
        if l[8] == 1 {
            out.extend((0..gateways).find(|&k| router_id(k) == id));
        }
        off += 12 + 4 * usize::from(l[9]);
    }
    out
}
