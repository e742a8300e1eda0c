//! A deterministic in-memory network of [`Instance`]s with a virtual clock.
//!
//! Routers ([`NodeId`]) attach interfaces to segments ([`SegmentId`]): a point-to-point link
//! is a segment of two, a LAN a segment of any size. Packets travel with a seeded latency
//! and may be lost, duplicated or reordered; the clock jumps straight to the next delivery
//! or timer, so minutes of protocol time take milliseconds. The same seed gives the same
//! run, event for event. No `std` is needed.
//!
//! A unicast packet whose destination is not on the segment it is sent on (a virtual
//! link's, RFC 2328 §15) is routed: each router on the way forwards it along its own
//! routing table, as IP would (at most [`MAX_FORWARDING_HOPS`] routers).
//!
//! ```
//! use core::net::Ipv4Addr;
//! use ospf_core::config::{InstanceConfig, InterfaceConfig, InterfaceType};
//! use ospf_core::neighbor::NeighborState;
//! use ospf_core::sim::{Sim, SimConfig};
//! use ospf_core::time::Duration;
//!
//! let mut sim = Sim::new(SimConfig::default());
//! let a = sim.add_router(InstanceConfig::new(Ipv4Addr::new(1, 1, 1, 1)));
//! let b = sim.add_router(InstanceConfig::new(Ipv4Addr::new(2, 2, 2, 2)));
//! let p2p = |addr| InterfaceConfig::new(addr, 30).if_type(InterfaceType::PointToPoint);
//! sim.link(a, p2p(Ipv4Addr::new(10, 0, 0, 1)), b, p2p(Ipv4Addr::new(10, 0, 0, 2)));
//! sim.run_for(Duration::from_secs(60));
//! let full = sim.instance(a).unwrap().neighbors().all(|n| n.state == NeighborState::Full);
//! assert!(full);
//! ```

use alloc::collections::BinaryHeap;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cmp::{Ordering, Reverse};
use core::net::Ipv4Addr;

use crate::config::{InstanceConfig, InterfaceConfig, Prng};
use crate::instance::{Event, Instance, Queued};
use crate::lsdb::{LsaKey, Scope};
use crate::time::{Duration, Instant};

/// Network impairments and the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SimConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// Smallest one-way latency.
    pub latency_min: Duration,
    /// Largest one-way latency.
    pub latency_max: Duration,
    /// Probability of losing a packet, in parts per million.
    pub loss_ppm: u32,
    /// Probability of delivering a packet twice, in parts per million.
    pub duplicate_ppm: u32,
    /// Probability of holding a packet back (so that later ones overtake it), in ppm.
    pub reorder_ppm: u32,
    /// Largest extra delay of a held-back packet.
    pub reorder_delay: Duration,
    /// Probability of corrupting one byte of a delivered copy, in parts per million.
    pub corrupt_ppm: u32,
    /// Record the events of every instance (see [`Sim::events`]).
    pub record_events: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            latency_min: Duration::from_micros(100),
            latency_max: Duration::from_micros(500),
            loss_ppm: 0,
            duplicate_ppm: 0,
            reorder_ppm: 0,
            reorder_delay: Duration::from_millis(20),
            corrupt_ppm: 0,
            record_events: true,
        }
    }
}

impl SimConfig {
    /// Defaults with this seed.
    pub fn seeded(seed: u64) -> Self {
        SimConfig {
            seed,
            ..Default::default()
        }
    }
    /// Sets loss, duplication and reordering, each in parts per million.
    pub fn impairments(mut self, loss_ppm: u32, duplicate_ppm: u32, reorder_ppm: u32) -> Self {
        self.loss_ppm = loss_ppm;
        self.duplicate_ppm = duplicate_ppm;
        self.reorder_ppm = reorder_ppm;
        self
    }
    /// Sets the probability of corrupting a byte of a packet, in parts per million.
    pub fn corruption(mut self, corrupt_ppm: u32) -> Self {
        self.corrupt_ppm = corrupt_ppm;
        self
    }
    /// Sets the latency range.
    pub fn latency(mut self, min: Duration, max: Duration) -> Self {
        self.latency_min = min;
        self.latency_max = max.max(min);
        self
    }
    /// Turns event recording on or off.
    pub fn record_events(mut self, on: bool) -> Self {
        self.record_events = on;
        self
    }
}

/// A router in the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub usize);

/// A link or LAN segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SegmentId(pub usize);

/// Packet statistics of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SimStats {
    /// Packets handed to the network by instances.
    pub transmitted: u64,
    /// Copies delivered to instances.
    pub delivered: u64,
    /// Copies lost (impairment, link down, crashed receiver).
    pub lost: u64,
    /// Extra copies created by duplication.
    pub duplicated: u64,
    /// Copies with a corrupted byte.
    pub corrupted: u64,
    /// Timer wake-ups handled.
    pub timeouts: u64,
    /// Largest OSPF packet transmitted (bytes, IP header excluded).
    pub max_packet_len: usize,
}

#[derive(Debug)]
struct Attachment {
    ifindex: u32,
    segment: SegmentId,
    config: InterfaceConfig,
}

#[derive(Debug)]
struct Node {
    config: InstanceConfig,
    attachments: Vec<Attachment>,
    instance: Option<Instance>,
    next_timeout: Option<Instant>,
    events: Vec<(Instant, Event)>,
    restarts: u64,
}

#[derive(Debug)]
struct Segment {
    members: Vec<(NodeId, u32)>,
    up: bool,
    blocked: bool,
    non_broadcast: bool,
}

#[derive(Debug)]
struct Delivery {
    at: Instant,
    seq: u64,
    node: NodeId,
    ifindex: u32,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    bytes: Rc<[u8]>,
    /// In transit to `dst` through `node`, which forwards it (with this many routers
    /// left), instead of a packet for `node` itself.
    forward: Option<u8>,
}

/// How many routers a routed unicast packet may cross (its TTL, in effect).
pub const MAX_FORWARDING_HOPS: u8 = 8;

impl PartialEq for Delivery {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Delivery {}
impl PartialOrd for Delivery {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Delivery {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

/// The simulated network.
#[derive(Debug)]
pub struct Sim {
    now: Instant,
    rng: Prng,
    cfg: SimConfig,
    nodes: Vec<Node>,
    segments: Vec<Segment>,
    heap: BinaryHeap<Reverse<Delivery>>,
    seq: u64,
    stats: SimStats,
}

fn is_multicast(a: Ipv4Addr) -> bool {
    a.octets()[0] & 0xF0 == 0xE0
}

impl Sim {
    /// An empty network at virtual time 1 s.
    pub fn new(cfg: SimConfig) -> Self {
        Sim {
            now: Instant::from_secs(1),
            rng: Prng::new(cfg.seed),
            cfg,
            nodes: Vec::new(),
            segments: Vec::new(),
            heap: BinaryHeap::new(),
            seq: 0,
            stats: SimStats::default(),
        }
    }

    /// The virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Packet statistics so far.
    pub fn stats(&self) -> SimStats {
        self.stats
    }

    /// Number of routers.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Adds a router (running, with no interfaces yet).
    pub fn add_router(&mut self, config: InstanceConfig) -> NodeId {
        let inst = Instance::new(config.clone(), self.now);
        self.nodes.push(Node {
            config,
            attachments: Vec::new(),
            instance: Some(inst),
            next_timeout: None,
            events: Vec::new(),
            restarts: 0,
        });
        let id = NodeId(self.nodes.len() - 1);
        self.drain(id);
        id
    }

    /// Adds an empty segment (a LAN or a point-to-point link).
    pub fn add_segment(&mut self) -> SegmentId {
        self.segments.push(Segment {
            members: Vec::new(),
            up: true,
            blocked: false,
            non_broadcast: false,
        });
        SegmentId(self.segments.len() - 1)
    }

    /// Attaches a new interface of `node` to `segment`; returns its ifindex.
    pub fn attach(&mut self, node: NodeId, segment: SegmentId, config: InterfaceConfig) -> u32 {
        let n = &mut self.nodes[node.0];
        let ifindex = n.attachments.len() as u32 + 1;
        n.attachments.push(Attachment {
            ifindex,
            segment,
            config: config.clone(),
        });
        self.segments[segment.0].members.push((node, ifindex));
        let now = self.now;
        if let Some(inst) = self.nodes[node.0].instance.as_mut() {
            let _ = inst.add_interface(now, ifindex, config);
        }
        self.drain(node);
        ifindex
    }

    /// Adds a loopback-like interface on a segment of its own; returns its ifindex.
    pub fn attach_alone(&mut self, node: NodeId, config: InterfaceConfig) -> u32 {
        let seg = self.add_segment();
        self.attach(node, seg, config)
    }

    /// Joins `a` and `b` with a new segment; returns it.
    pub fn link(
        &mut self,
        a: NodeId,
        a_cfg: InterfaceConfig,
        b: NodeId,
        b_cfg: InterfaceConfig,
    ) -> SegmentId {
        let seg = self.add_segment();
        self.attach(a, seg, a_cfg);
        self.attach(b, seg, b_cfg);
        seg
    }

    /// The running instance of `node` (`None` while crashed).
    pub fn instance(&self, node: NodeId) -> Option<&Instance> {
        self.nodes.get(node.0)?.instance.as_ref()
    }

    /// Runs a command on `node`'s instance at the current time, then drains its outputs.
    pub fn command<R>(
        &mut self,
        node: NodeId,
        f: impl FnOnce(&mut Instance, Instant) -> R,
    ) -> Option<R> {
        let now = self.now;
        let r = f(self.nodes.get_mut(node.0)?.instance.as_mut()?, now);
        self.drain(node);
        Some(r)
    }

    /// Events recorded for `node` (with the time they were output).
    pub fn events(&self, node: NodeId) -> &[(Instant, Event)] {
        &self.nodes[node.0].events
    }

    /// Forgets the recorded events of `node`.
    pub fn clear_events(&mut self, node: NodeId) {
        self.nodes[node.0].events.clear();
    }

    /// Brings a segment's carrier down or up: attached instances are told (interface
    /// down/up) and no packet crosses it while down.
    pub fn set_link_up(&mut self, segment: SegmentId, up: bool) {
        self.segments[segment.0].up = up;
        let members = self.segments[segment.0].members.clone();
        for (node, ifindex) in members {
            self.command(node, |inst, now| {
                let _ = inst.set_interface_up(now, ifindex, up);
            });
        }
    }

    /// Silently drops (or stops dropping) every packet on a segment, without telling the
    /// instances: a failure only the dead interval detects.
    pub fn set_blocked(&mut self, segment: SegmentId, blocked: bool) {
        self.segments[segment.0].blocked = blocked;
    }

    /// Makes a segment non-broadcast (an NBMA cloud: Frame Relay, ATM, a tunnel mesh):
    /// multicast packets are dropped (counted as lost), only unicasts are delivered.
    pub fn set_non_broadcast(&mut self, segment: SegmentId, on: bool) {
        self.segments[segment.0].non_broadcast = on;
    }

    /// Crashes a router: its instance vanishes without a word.
    pub fn crash(&mut self, node: NodeId) {
        let n = &mut self.nodes[node.0];
        n.instance = None;
        n.next_timeout = None;
    }

    /// Restarts a crashed (or running) router with a fresh instance: same configuration,
    /// same interfaces, a new PRNG seed, and crypto sequence numbers seeded from the
    /// virtual clock (as a wall clock would).
    pub fn restart(&mut self, node: NodeId) {
        self.restart_with(node, None);
    }

    /// Restarts a crashed (or running) router like [`Sim::restart`], its new instance in
    /// graceful restart mode until `grace_until` ([`Instance::start_graceful_restart`];
    /// `planned`: the restart was prepared, else Grace-LSAs go out before the Hellos).
    pub fn restart_gracefully(&mut self, node: NodeId, grace_until: Instant, planned: bool) {
        self.restart_with(node, Some((grace_until, planned)));
    }

    fn restart_with(&mut self, node: NodeId, grace: Option<(Instant, bool)>) {
        let now = self.now;
        let n = &mut self.nodes[node.0];
        n.restarts += 1;
        let mut cfg = n.config.clone();
        cfg.jitter_seed ^= n.restarts.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        cfg.crypto_seq_seed = cfg.crypto_seq_seed.max(now.as_secs() as u32);
        let mut inst = Instance::new(cfg, now);
        if let Some((until, planned)) = grace {
            let _ = inst.start_graceful_restart(now, until, planned);
        }
        for a in &n.attachments {
            let _ = inst.add_interface(now, a.ifindex, a.config.clone());
            if !self.segments[a.segment.0].up {
                let _ = inst.set_interface_up(now, a.ifindex, false);
            }
        }
        n.instance = Some(inst);
        self.drain(node);
    }

    fn drain(&mut self, node: NodeId) {
        let now = self.now;
        let record = self.cfg.record_events;
        loop {
            let Some(inst) = self.nodes[node.0].instance.as_mut() else {
                return;
            };
            let Some(q) = inst.pop_queued() else {
                break;
            };
            match q {
                Queued::Event(e) => {
                    if record {
                        self.nodes[node.0].events.push((now, e));
                    }
                }
                Queued::Tx {
                    ifindex,
                    src,
                    dst,
                    bytes,
                } => {
                    // A virtual link's packets leave through its transit-area interface.
                    let ifindex = inst.virtual_link_egress(ifindex).unwrap_or(ifindex);
                    self.transmit(node, ifindex, src, dst, bytes, MAX_FORWARDING_HOPS)
                }
            }
        }
        let n = &mut self.nodes[node.0];
        n.next_timeout = n.instance.as_ref().and_then(|i| i.poll_timeout());
    }

    /// The next hop of `node`'s routing table towards `dst` (longest match, first next
    /// hop): the interface and the gateway (`dst` itself when directly attached).
    fn next_hop(&self, node: NodeId, dst: Ipv4Addr) -> Option<(u32, Ipv4Addr)> {
        let inst = self.nodes.get(node.0)?.instance.as_ref()?;
        let (_, route) = inst
            .routes()
            .filter(|(p, _)| p.contains(dst))
            .max_by_key(|(p, _)| p.prefix_len())?;
        let h = route.nexthops.first()?;
        Some((h.ifindex, if h.is_direct() { dst } else { h.addr }))
    }

    /// True when one of `node`'s interfaces has address `a`.
    fn owns(&self, node: NodeId, a: Ipv4Addr) -> bool {
        self.nodes[node.0]
            .attachments
            .iter()
            .any(|x| x.config.address == a)
    }

    fn transmit(
        &mut self,
        from: NodeId,
        ifindex: u32,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        bytes: alloc::vec::Vec<u8>,
        hops_left: u8,
    ) {
        self.stats.transmitted += 1;
        self.stats.max_packet_len = self.stats.max_packet_len.max(bytes.len());
        let Some(att) = self.attachment(from, ifindex) else {
            return;
        };
        // A unicast for nobody on this segment is routed: to the gateway of the sender's
        // route, which forwards it.
        let seg = &self.segments[att.segment.0];
        let on_segment = seg.members.iter().any(|(n, ifx)| {
            *n != from
                && self.nodes[n.0]
                    .attachments
                    .iter()
                    .any(|a| a.ifindex == *ifx && a.config.address == dst)
        });
        if !is_multicast(dst) && !on_segment {
            let Some((egress, gw)) = self.next_hop(from, dst).filter(|_| hops_left > 0) else {
                self.stats.lost += 1;
                return;
            };
            if gw == dst || egress != ifindex {
                // Directly attached elsewhere, or another way out: send it there.
                if egress != ifindex {
                    self.transmit(from, egress, src, dst, bytes, hops_left - 1);
                } else {
                    self.stats.lost += 1;
                }
                return;
            }
            self.send_on(from, ifindex, src, dst, gw, Some(hops_left - 1), bytes);
            return;
        }
        self.send_on(from, ifindex, src, dst, dst, None, bytes);
    }

    /// `node`'s attachment with `ifindex`.
    fn attachment(&self, node: NodeId, ifindex: u32) -> Option<&Attachment> {
        self.nodes[node.0]
            .attachments
            .iter()
            .find(|a| a.ifindex == ifindex)
    }

    /// Puts a packet on `from`'s segment of `ifindex` for the members with address
    /// `target` (every member for a multicast `dst`), forwarded by them when `forward`.
    #[allow(clippy::too_many_arguments)]
    fn send_on(
        &mut self,
        from: NodeId,
        ifindex: u32,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        target: Ipv4Addr,
        forward: Option<u8>,
        bytes: alloc::vec::Vec<u8>,
    ) {
        let Some(att) = self.attachment(from, ifindex) else {
            return;
        };
        let seg = &self.segments[att.segment.0];
        if !seg.up || seg.blocked || (seg.non_broadcast && is_multicast(dst)) {
            self.stats.lost += 1;
            return;
        }
        let bytes: Rc<[u8]> = Rc::from(bytes);
        let members: Vec<(NodeId, u32)> = seg
            .members
            .iter()
            .copied()
            .filter(|(n, _)| *n != from)
            .collect();
        for (node, ifx) in members {
            let addr = self.nodes[node.0]
                .attachments
                .iter()
                .find(|a| a.ifindex == ifx)
                .map(|a| a.config.address);
            if !is_multicast(dst) && addr != Some(target) {
                continue;
            }
            // Only the DR and BDR join AllDRouters (224.0.0.6).
            if dst == crate::instance::ALL_D_ROUTERS {
                let joined = self.nodes[node.0]
                    .instance
                    .as_ref()
                    .and_then(|i| i.interface(ifx))
                    .is_some_and(|i| {
                        matches!(
                            i.state,
                            crate::interface::InterfaceState::Dr
                                | crate::interface::InterfaceState::Backup
                        )
                    });
                if !joined {
                    continue;
                }
            }
            let copies = if self.rng.chance_ppm(self.cfg.duplicate_ppm) {
                self.stats.duplicated += 1;
                2
            } else {
                1
            };
            for _ in 0..copies {
                if self.rng.chance_ppm(self.cfg.loss_ppm) {
                    self.stats.lost += 1;
                    continue;
                }
                let span = self.cfg.latency_max - self.cfg.latency_min;
                let mut delay = self.cfg.latency_min
                    + Duration::from_micros(self.rng.below(span.as_micros() + 1));
                if self.rng.chance_ppm(self.cfg.reorder_ppm) {
                    delay = delay
                        + Duration::from_micros(
                            self.rng.below(self.cfg.reorder_delay.as_micros() + 1),
                        );
                }
                let copy = if !bytes.is_empty() && self.rng.chance_ppm(self.cfg.corrupt_ppm) {
                    self.stats.corrupted += 1;
                    let mut v = bytes.to_vec();
                    let at = self.rng.below(v.len() as u64) as usize;
                    // A different value, never the same byte.
                    v[at] ^= 1 + self.rng.below(255) as u8;
                    Rc::from(v)
                } else {
                    bytes.clone()
                };
                self.seq += 1;
                self.heap.push(Reverse(Delivery {
                    at: self.now + delay,
                    seq: self.seq,
                    node,
                    ifindex: ifx,
                    src,
                    dst,
                    bytes: copy,
                    forward,
                }));
            }
        }
    }

    /// The time of the next thing to happen, if anything is scheduled.
    pub fn next_event_time(&self) -> Option<Instant> {
        let pkt = self.heap.peek().map(|d| d.0.at);
        let timer = self.nodes.iter().filter_map(|n| n.next_timeout).min();
        match (pkt, timer) {
            (Some(p), Some(t)) => Some(p.min(t)),
            (p, t) => p.or(t),
        }
    }

    /// Processes the next delivery or timer; false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        let pkt = self.heap.peek().map(|d| d.0.at);
        let timer = self
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.next_timeout.map(|t| (t, i)))
            .min();
        match (pkt, timer) {
            (None, None) => false,
            (Some(p), t) if t.is_none_or(|(t, _)| p <= t) => {
                let Some(Reverse(d)) = self.heap.pop() else {
                    return false;
                };
                self.now = self.now.max(d.at);
                let now = self.now;
                let seg_ok = self.nodes[d.node.0]
                    .attachments
                    .iter()
                    .find(|a| a.ifindex == d.ifindex)
                    .is_some_and(|a| {
                        let s = &self.segments[a.segment.0];
                        s.up && !s.blocked
                    });
                if let Some(hops_left) = d.forward.filter(|_| seg_ok) {
                    if !self.owns(d.node, d.dst) {
                        // A router on the way: on along its own routing table.
                        match self.next_hop(d.node, d.dst) {
                            Some((egress, _)) => self.transmit(
                                d.node,
                                egress,
                                d.src,
                                d.dst,
                                d.bytes.to_vec(),
                                hops_left,
                            ),
                            None => self.stats.lost += 1,
                        }
                        return true;
                    }
                }
                match self.nodes[d.node.0].instance.as_mut() {
                    Some(inst) if seg_ok => {
                        self.stats.delivered += 1;
                        inst.handle_packet(now, d.ifindex, d.src, d.dst, &d.bytes);
                        self.drain(d.node);
                    }
                    _ => self.stats.lost += 1,
                }
                true
            }
            (_, Some((t, i))) => {
                self.now = self.now.max(t);
                let now = self.now;
                if let Some(inst) = self.nodes[i].instance.as_mut() {
                    self.stats.timeouts += 1;
                    inst.handle_timeout(now);
                }
                self.drain(NodeId(i));
                true
            }
            (Some(_), None) => false,
        }
    }

    /// Runs every delivery and timer up to and including `deadline`; the clock then
    /// reads `deadline`.
    pub fn run_until(&mut self, deadline: Instant) {
        while self.next_event_time().is_some_and(|t| t <= deadline) {
            self.step();
        }
        self.now = self.now.max(deadline);
    }

    /// Runs for `d` of virtual time.
    pub fn run_for(&mut self, d: Duration) {
        let deadline = self.now + d;
        self.run_until(deadline);
    }

    /// Runs until `pred` holds (checked every `every` of virtual time) or `limit` passes.
    /// Returns the virtual time at which `pred` was first seen to hold.
    pub fn run_until_true(
        &mut self,
        limit: Duration,
        every: Duration,
        mut pred: impl FnMut(&Sim) -> bool,
    ) -> Option<Instant> {
        let end = self.now + limit;
        loop {
            if pred(self) {
                return Some(self.now);
            }
            if self.now >= end {
                return None;
            }
            let next = (self.now + every).min(end);
            self.run_until(next);
        }
    }

    /// The LSDB of `node` as (scope, key, sequence number, checksum), link scope left
    /// out: equal fingerprints mean synchronized databases.
    pub fn lsdb_fingerprint(&self, node: NodeId) -> Vec<(Scope, LsaKey, u32, u16)> {
        let Some(inst) = self.instance(node) else {
            return Vec::new();
        };
        inst.lsdb(self.now)
            .filter(|l| !matches!(l.scope, Scope::Link(_)))
            .map(|l| (l.scope, l.key, l.header.seq, l.header.checksum))
            .collect()
    }
}
