//! A kernel route monitor: the gateways of one IPv4 prefix, followed through rtnetlink
//! notifications and timestamped as they arrive.
//!
//! Polling `ip route show` misses nothing but costs a process per look, so how fast a route
//! changed would be known only to within the poll period (a few milliseconds on a loaded
//! machine). [`RouteMonitor`] subscribes to the route and nexthop notifications of a
//! namespace instead (`RTNLGRP_IPV4_ROUTE`, `RTNLGRP_NEXTHOP`), keeps the prefix's route
//! and every nexthop object (single next hops and groups, resilient or not) up to date from
//! them, and records the instant (read in this process, on a thread that does nothing but
//! wait for the notifications) at which each change of the prefix's gateway set arrived.
//!
//! Routes in the main table with inline next hops (`RTA_GATEWAY`, `RTA_MULTIPATH`) and
//! with a nexthop object (`RTA_NH_ID`, as zebra and our kernel FIB install them) are both
//! understood; a deleted nexthop object leaves every group, and a route whose object is
//! gone has no gateway (the kernel removes such routes, without always saying so).

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::Ipv4Addr;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{
    AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, bind, recv, sendto,
    setsockopt, socket, sockopt,
};

use crate::Netns;

const RTM_NEWROUTE: u16 = 24;
const RTM_DELROUTE: u16 = 25;
const RTM_GETROUTE: u16 = 26;
const RTM_NEWNEXTHOP: u16 = 104;
const RTM_DELNEXTHOP: u16 = 105;
const RTM_GETNEXTHOP: u16 = 106;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_DUMP: u16 = 0x300;
/// `RTMGRP_IPV4_ROUTE` and group 32 (`RTNLGRP_NEXTHOP`) as bind(2) group bits.
const GROUPS: u32 = 0x40 | (1 << 31);
const AF_INET: u8 = 2;
const RT_TABLE_MAIN: u32 = 254;
const RTA_DST: u16 = 1;
const RTA_GATEWAY: u16 = 5;
const RTA_MULTIPATH: u16 = 9;
const RTA_TABLE: u16 = 15;
const RTA_NH_ID: u16 = 30;
const NHA_ID: u16 = 1;
const NHA_GROUP: u16 = 2;
const NHA_GATEWAY: u16 = 6;

/// One change of the watched prefix's gateways: when its notification arrived, and the
/// gateways after it (empty: no route).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteChange {
    /// When this process read the notification.
    pub at: Instant,
    /// The prefix's gateways after the change.
    pub gateways: BTreeSet<Ipv4Addr>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Via {
    Inline(BTreeSet<Ipv4Addr>),
    Object(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Nexthop {
    Gateway(Ipv4Addr),
    Group(Vec<u32>),
    Other,
}

/// What the monitor knows of the kernel's tables.
#[derive(Debug, Default)]
struct Tables {
    route: Option<Via>,
    nexthops: BTreeMap<u32, Nexthop>,
}

impl Tables {
    fn gateways(&self) -> BTreeSet<Ipv4Addr> {
        match &self.route {
            None => BTreeSet::new(),
            Some(Via::Inline(g)) => g.clone(),
            Some(Via::Object(id)) => match self.nexthops.get(id) {
                Some(Nexthop::Gateway(g)) => BTreeSet::from([*g]),
                Some(Nexthop::Group(members)) => members
                    .iter()
                    .filter_map(|m| match self.nexthops.get(m) {
                        Some(Nexthop::Gateway(g)) => Some(*g),
                        _ => None,
                    })
                    .collect(),
                Some(Nexthop::Other) | None => BTreeSet::new(),
            },
        }
    }
}

#[derive(Debug, Default)]
struct Shared {
    changes: Vec<RouteChange>,
    current: BTreeSet<Ipv4Addr>,
    error: Option<String>,
}

/// Follows the gateways of one prefix in a namespace's main routing table; see the
/// [module documentation](self). Stops when dropped.
#[derive(Debug)]
pub struct RouteMonitor {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl RouteMonitor {
    /// Subscribes in `ns`, reads the current route and nexthop objects, and follows
    /// `prefix` (e.g. `172.16.0.1/32`) from then on.
    pub fn start(ns: &Netns, prefix: &str) -> io::Result<RouteMonitor> {
        let (addr, len) = prefix
            .split_once('/')
            .and_then(|(a, l)| Some((a.parse::<Ipv4Addr>().ok()?, l.parse::<u8>().ok()?)))
            .ok_or_else(|| io::Error::other(format!("not an IPv4 prefix: {prefix}")))?;
        let (events, dump) = {
            let _inside = ns.enter()?;
            (netlink_socket(GROUPS)?, netlink_socket(0)?)
        };
        let mut tables = Tables::default();
        // Subscribed first, then the dumps: a change in between arrives as a notification.
        for (ty, header_len) in [(RTM_GETNEXTHOP, 8), (RTM_GETROUTE, 12)] {
            let mut req = Vec::with_capacity(16 + header_len);
            req.extend_from_slice(&((16 + header_len) as u32).to_ne_bytes());
            req.extend_from_slice(&ty.to_ne_bytes());
            req.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
            req.extend_from_slice(&1u32.to_ne_bytes());
            req.extend_from_slice(&0u32.to_ne_bytes());
            // Groups are family AF_UNSPEC: the nexthop dump must not filter by family.
            req.push(if ty == RTM_GETNEXTHOP { 0 } else { AF_INET });
            req.resize(16 + header_len, 0);
            sendto(
                std::os::fd::AsRawFd::as_raw_fd(&dump),
                &req,
                &NetlinkAddr::new(0, 0),
                MsgFlags::empty(),
            )?;
            let mut buf = vec![0u8; 1 << 16];
            'dump: loop {
                let n = recv(
                    std::os::fd::AsRawFd::as_raw_fd(&dump),
                    &mut buf,
                    MsgFlags::empty(),
                )?;
                for (t, payload) in messages(&buf[..n]) {
                    match t {
                        // A kernel without nexthop objects refuses their dump.
                        NLMSG_DONE | NLMSG_ERROR => break 'dump,
                        _ => apply(&mut tables, t, payload, addr, len),
                    }
                }
            }
        }
        let current = tables.gateways();
        let shared = Arc::new((
            Mutex::new(Shared {
                current,
                ..Shared::default()
            }),
            Condvar::new(),
        ));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (shared, stop) = (Arc::clone(&shared), Arc::clone(&stop));
            thread::Builder::new()
                .name("route-monitor".into())
                .spawn(move || follow(events, tables, addr, len, &shared, &stop))?
        };
        Ok(RouteMonitor {
            shared,
            stop,
            thread: Some(thread),
        })
    }

    /// The gateways now (as the notifications read so far say).
    pub fn gateways(&self) -> BTreeSet<Ipv4Addr> {
        self.lock().current.clone()
    }

    /// Every change recorded so far, oldest first.
    pub fn changes(&self) -> Vec<RouteChange> {
        self.lock().changes.clone()
    }

    /// Waits up to `timeout` for the first change that arrived at or after `since` and
    /// whose gateways satisfy `pred`; returns it, or an error naming the changes seen.
    pub fn wait_change(
        &self,
        since: Instant,
        timeout: Duration,
        pred: impl Fn(&BTreeSet<Ipv4Addr>) -> bool,
    ) -> io::Result<RouteChange> {
        let deadline = Instant::now() + timeout;
        let (lock, cv) = &*self.shared;
        let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(e) = &s.error {
                return Err(io::Error::other(format!("route monitor failed: {e}")));
            }
            if let Some(c) = s
                .changes
                .iter()
                .find(|c| c.at >= since && pred(&c.gateways))
            {
                return Ok(c.clone());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let seen: Vec<_> = s
                    .changes
                    .iter()
                    .filter(|c| c.at >= since)
                    .map(|c| (c.at.duration_since(since), &c.gateways))
                    .collect();
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no matching route change within {timeout:?}; changes since: {seen:?}"),
                ));
            }
            s = cv
                .wait_timeout(s, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for RouteMonitor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn netlink_socket(groups: u32) -> io::Result<OwnedFd> {
    let fd = socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkRoute,
    )?;
    // Room for bursts (a whole routing table may change at once).
    setsockopt(&fd, sockopt::RcvBuf, &(4 << 20))?;
    bind(
        std::os::fd::AsRawFd::as_raw_fd(&fd),
        &NetlinkAddr::new(0, groups),
    )?;
    Ok(fd)
}

fn follow(
    fd: OwnedFd,
    mut tables: Tables,
    addr: Ipv4Addr,
    len: u8,
    shared: &(Mutex<Shared>, Condvar),
    stop: &AtomicBool,
) {
    let mut buf = vec![0u8; 1 << 16];
    while !stop.load(Ordering::Relaxed) {
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::from(50u16)) {
            Ok(0) => continue,
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return fail(shared, format!("poll: {e}")),
        }
        let n = match recv(
            std::os::fd::AsRawFd::as_raw_fd(&fd),
            &mut buf,
            MsgFlags::MSG_DONTWAIT,
        ) {
            Ok(n) => n,
            Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => continue,
            // ENOBUFS: notifications were lost, the picture can no longer be trusted.
            Err(e) => return fail(shared, format!("recv: {e}")),
        };
        let at = Instant::now();
        for (t, payload) in messages(&buf[..n]) {
            apply(&mut tables, t, payload, addr, len);
        }
        let gateways = tables.gateways();
        let (lock, cv) = shared;
        let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
        if gateways != s.current {
            s.current = gateways.clone();
            s.changes.push(RouteChange { at, gateways });
            cv.notify_all();
        }
    }
}

fn fail(shared: &(Mutex<Shared>, Condvar), why: String) {
    let (lock, cv) = shared;
    lock.lock().unwrap_or_else(|e| e.into_inner()).error = Some(why);
    cv.notify_all();
}

/// The `(type, payload)` of every netlink message in a datagram.
fn messages(mut buf: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        if buf.len() < 16 {
            return None;
        }
        let len = u32::from_ne_bytes(buf[0..4].try_into().ok()?) as usize;
        let ty = u16::from_ne_bytes(buf[4..6].try_into().ok()?);
        if len < 16 || len > buf.len() {
            return None;
        }
        let payload = &buf[16..len];
        buf = &buf[align(len).min(buf.len())..];
        Some((ty, payload))
    })
}

fn align(n: usize) -> usize {
    (n + 3) & !3
}

/// The `(type, value)` of every attribute in `buf`.
fn attrs(mut buf: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        if buf.len() < 4 {
            return None;
        }
        let len = usize::from(u16::from_ne_bytes([buf[0], buf[1]]));
        let ty = u16::from_ne_bytes([buf[2], buf[3]]) & 0x3fff;
        if len < 4 || len > buf.len() {
            return None;
        }
        let value = &buf[4..len];
        buf = &buf[align(len).min(buf.len())..];
        Some((ty, value))
    })
}

fn ipv4(v: &[u8]) -> Option<Ipv4Addr> {
    <[u8; 4]>::try_from(v).ok().map(Ipv4Addr::from)
}

fn u32_of(v: &[u8]) -> Option<u32> {
    v.get(..4)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_ne_bytes)
}

fn apply(tables: &mut Tables, ty: u16, p: &[u8], addr: Ipv4Addr, len: u8) {
    match ty {
        RTM_NEWROUTE | RTM_DELROUTE => {
            // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags
            if p.len() < 12 || p[0] != AF_INET || p[1] != len {
                return;
            }
            let mut table = u32::from(p[4]);
            let mut dst = None;
            let mut inline = BTreeSet::new();
            let mut object = None;
            for (t, v) in attrs(&p[12..]) {
                match t {
                    RTA_DST => dst = ipv4(v),
                    RTA_TABLE => table = u32_of(v).unwrap_or(table),
                    RTA_GATEWAY => inline.extend(ipv4(v)),
                    RTA_NH_ID => object = u32_of(v),
                    RTA_MULTIPATH => {
                        // struct rtnexthop { u16 len; u8 flags; u8 hops; i32 ifindex; } + attrs
                        let mut rest = v;
                        while rest.len() >= 8 {
                            let l = usize::from(u16::from_ne_bytes([rest[0], rest[1]]));
                            if l < 8 || l > rest.len() {
                                break;
                            }
                            for (t, v) in attrs(&rest[8..l]) {
                                if t == RTA_GATEWAY {
                                    inline.extend(ipv4(v));
                                }
                            }
                            rest = &rest[align(l).min(rest.len())..];
                        }
                    }
                    _ => {}
                }
            }
            if dst != Some(addr) || table != RT_TABLE_MAIN {
                return;
            }
            tables.route = if ty == RTM_DELROUTE {
                None
            } else if let Some(id) = object {
                Some(Via::Object(id))
            } else {
                Some(Via::Inline(inline))
            };
        }
        RTM_NEWNEXTHOP | RTM_DELNEXTHOP => {
            // struct nhmsg: family, scope, protocol, resvd, flags
            if p.len() < 8 {
                return;
            }
            let mut id = None;
            let mut nh = Nexthop::Other;
            for (t, v) in attrs(&p[8..]) {
                match t {
                    NHA_ID => id = u32_of(v),
                    NHA_GATEWAY => {
                        if let Some(g) = ipv4(v) {
                            nh = Nexthop::Gateway(g);
                        }
                    }
                    // struct nexthop_grp { u32 id; u8 weight; u8 resvd1; u16 resvd2; }
                    NHA_GROUP => {
                        nh = Nexthop::Group(v.chunks_exact(8).filter_map(u32_of).collect());
                    }
                    _ => {}
                }
            }
            let Some(id) = id else { return };
            if ty == RTM_DELNEXTHOP {
                tables.nexthops.remove(&id);
                for n in tables.nexthops.values_mut() {
                    if let Nexthop::Group(m) = n {
                        m.retain(|x| *x != id);
                    }
                }
            } else {
                tables.nexthops.insert(id, nh);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(t: u16, v: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&((4 + v.len()) as u16).to_ne_bytes());
        out.extend_from_slice(&t.to_ne_bytes());
        out.extend_from_slice(v);
        out.resize(align(out.len()), 0);
        out
    }

    fn nh(id: u32, gw: Option<[u8; 4]>, group: &[u32]) -> Vec<u8> {
        let mut p = vec![AF_INET, 0, 188, 0, 0, 0, 0, 0];
        p.extend(attr(NHA_ID, &id.to_ne_bytes()));
        if let Some(g) = gw {
            p.extend(attr(NHA_GATEWAY, &g));
        }
        if !group.is_empty() {
            let mut g = Vec::new();
            for m in group {
                g.extend_from_slice(&m.to_ne_bytes());
                g.extend_from_slice(&[0, 0, 0, 0]);
            }
            p.extend(attr(NHA_GROUP, &g));
        }
        p
    }

    fn route(extra: &[Vec<u8>]) -> Vec<u8> {
        let mut p = vec![AF_INET, 32, 0, 0, 254, 188, 0, 1, 0, 0, 0, 0];
        p.extend(attr(RTA_DST, &[172, 16, 0, 1]));
        for e in extra {
            p.extend_from_slice(e);
        }
        p
    }

    const A: Ipv4Addr = Ipv4Addr::new(172, 16, 0, 1);

    #[test]
    fn groups_inline_and_deletions() {
        let mut t = Tables::default();
        apply(
            &mut t,
            RTM_NEWNEXTHOP,
            &nh(1, Some([10, 0, 0, 1]), &[]),
            A,
            32,
        );
        apply(
            &mut t,
            RTM_NEWNEXTHOP,
            &nh(2, Some([10, 0, 0, 2]), &[]),
            A,
            32,
        );
        apply(&mut t, RTM_NEWNEXTHOP, &nh(9, None, &[1, 2]), A, 32);
        apply(
            &mut t,
            RTM_NEWROUTE,
            &route(&[attr(RTA_NH_ID, &9u32.to_ne_bytes())]),
            A,
            32,
        );
        let two: BTreeSet<Ipv4Addr> = ["10.0.0.1", "10.0.0.2"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(t.gateways(), two);
        // Deleting a member object takes it out of the group.
        apply(&mut t, RTM_DELNEXTHOP, &nh(1, None, &[]), A, 32);
        assert_eq!(t.gateways(), BTreeSet::from([Ipv4Addr::new(10, 0, 0, 2)]));
        // A route to another prefix changes nothing.
        let mut other = route(&[]);
        other[12 + 4..12 + 8].copy_from_slice(&[172, 16, 0, 2]);
        apply(&mut t, RTM_DELROUTE, &other, A, 32);
        assert_eq!(t.gateways().len(), 1);
        // Inline multipath.
        let mut mp = Vec::new();
        for g in [[10, 0, 0, 3], [10, 0, 0, 4]] {
            let a = attr(RTA_GATEWAY, &g);
            mp.extend_from_slice(&((8 + a.len()) as u16).to_ne_bytes());
            mp.extend_from_slice(&[0, 0, 2, 0, 0, 0]);
            mp.extend(a);
        }
        apply(
            &mut t,
            RTM_NEWROUTE,
            &route(&[attr(RTA_MULTIPATH, &mp)]),
            A,
            32,
        );
        assert_eq!(t.gateways().len(), 2);
        apply(&mut t, RTM_DELROUTE, &route(&[]), A, 32);
        assert!(t.gateways().is_empty());
    }

    #[test]
    fn truncated_messages_are_ignored() {
        let mut t = Tables::default();
        for cut in 0..40 {
            let r = route(&[attr(RTA_NH_ID, &9u32.to_ne_bytes())]);
            apply(&mut t, RTM_NEWROUTE, &r[..cut.min(r.len())], A, 32);
            let n = nh(1, Some([10, 0, 0, 1]), &[]);
            apply(&mut t, RTM_NEWNEXTHOP, &n[..cut.min(n.len())], A, 32);
        }
        assert_eq!(messages(&[1, 2, 3]).count(), 0);
    }
}
