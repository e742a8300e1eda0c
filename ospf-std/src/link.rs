//! Links and IPv4 addresses from rtnetlink, with change notifications.
//!
//! [`LinkMonitor::new`] subscribes to link and IPv4 address notifications, then reads the
//! current state. Its file descriptor becomes readable when something changed;
//! [`LinkMonitor::poll_events`] then returns what changed ([`LinkEvent`]). An interface
//! that goes down or loses its address shows up at once, so the runtime can take its
//! adjacencies down without waiting for the dead interval.
//!
//! If the kernel drops notifications (the socket buffer overflowed), the monitor reads
//! the whole state again and reports the difference.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use netlink_packet_core::Parseable;
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkMessage};
use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};
use nix::sys::socket::{MsgFlags, recv};
use tracing::debug;

use crate::netlink::NlSocket;

const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;
const RTM_GETLINK: u16 = 18;
const RTM_NEWADDR: u16 = 20;
const RTM_DELADDR: u16 = 21;
const RTM_GETADDR: u16 = 22;
const RTNLGRP_LINK: u32 = 1;
const RTNLGRP_IPV4_IFADDR: u32 = 5;

/// A network interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Interface index.
    pub ifindex: u32,
    /// Name (`eth0`).
    pub name: String,
    /// Administratively up and running (carrier present).
    pub up: bool,
    /// MTU in bytes.
    pub mtu: u32,
    /// A loopback interface.
    pub loopback: bool,
    /// A point-to-point interface (no broadcast, one peer).
    pub point_to_point: bool,
    /// Multicast capable.
    pub multicast: bool,
}

/// An IPv4 address on an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Addr {
    /// Interface index.
    pub ifindex: u32,
    /// The local address.
    pub addr: Ipv4Addr,
    /// Prefix length.
    pub prefix_len: u8,
    /// The peer address of a point-to-point address (`ip addr add A peer B`).
    pub peer: Option<Ipv4Addr>,
}

/// A change of links or addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// A new link, or a link whose state, MTU, name or flags changed.
    Link(Link),
    /// A link that disappeared.
    LinkRemoved {
        /// Its index.
        ifindex: u32,
        /// Its last name.
        name: String,
    },
    /// An address was added.
    AddrAdded(Addr),
    /// An address was removed.
    AddrRemoved(Addr),
}

/// Current links and IPv4 addresses, kept up to date from rtnetlink notifications.
pub struct LinkMonitor {
    events: Socket,
    links: BTreeMap<u32, Link>,
    addrs: Vec<Addr>,
    rx: Vec<u8>,
}

impl std::fmt::Debug for LinkMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkMonitor")
            .field("links", &self.links)
            .field("addrs", &self.addrs)
            .finish()
    }
}

impl AsFd for LinkMonitor {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.events.as_fd()
    }
}

impl LinkMonitor {
    /// Subscribes to notifications and reads the current links and addresses.
    pub fn new() -> io::Result<Self> {
        let mut events = Socket::new(NETLINK_ROUTE)?;
        events.bind(&SocketAddr::new(0, 0))?;
        events.add_membership(RTNLGRP_LINK)?;
        events.add_membership(RTNLGRP_IPV4_IFADDR)?;
        events.set_non_blocking(true)?;
        let mut m = LinkMonitor {
            events,
            links: BTreeMap::new(),
            addrs: Vec::new(),
            rx: vec![0; 64 * 1024],
        };
        m.resync()?;
        Ok(m)
    }

    /// All links by index.
    pub fn links(&self) -> impl Iterator<Item = &Link> {
        self.links.values()
    }

    /// The link with this index.
    pub fn link(&self, ifindex: u32) -> Option<&Link> {
        self.links.get(&ifindex)
    }

    /// The link with this name.
    pub fn link_by_name(&self, name: &str) -> Option<&Link> {
        self.links.values().find(|l| l.name == name)
    }

    /// The IPv4 addresses of a link.
    pub fn addrs(&self, ifindex: u32) -> impl Iterator<Item = &Addr> {
        self.addrs.iter().filter(move |a| a.ifindex == ifindex)
    }

    /// All IPv4 addresses.
    pub fn all_addrs(&self) -> &[Addr] {
        &self.addrs
    }

    /// Reads the whole state again and returns how it differs from what was known.
    pub fn resync(&mut self) -> io::Result<Vec<LinkEvent>> {
        let mut dump = NlSocket::new()?;
        let mut links = BTreeMap::new();
        dump.dump(RTM_GETLINK, &[0u8; 16], |t, p| {
            if t == RTM_NEWLINK {
                if let Some(l) = parse_link(p) {
                    links.insert(l.ifindex, l);
                }
            }
        })?;
        let mut addrs = Vec::new();
        dump.dump(
            RTM_GETADDR,
            &[libc::AF_INET as u8, 0, 0, 0, 0, 0, 0, 0],
            |t, p| {
                if t == RTM_NEWADDR {
                    if let Some(a) = parse_addr(p) {
                        addrs.push(a);
                    }
                }
            },
        )?;
        addrs.sort();
        addrs.dedup();
        let mut events = Vec::new();
        for (i, old) in &self.links {
            if !links.contains_key(i) {
                events.push(LinkEvent::LinkRemoved {
                    ifindex: *i,
                    name: old.name.clone(),
                });
            }
        }
        for (i, l) in &links {
            if self.links.get(i) != Some(l) {
                events.push(LinkEvent::Link(l.clone()));
            }
        }
        for a in &self.addrs {
            if !addrs.contains(a) {
                events.push(LinkEvent::AddrRemoved(*a));
            }
        }
        for a in &addrs {
            if !self.addrs.contains(a) {
                events.push(LinkEvent::AddrAdded(*a));
            }
        }
        self.links = links;
        self.addrs = addrs;
        Ok(events)
    }

    /// Reads every pending notification (without blocking) and returns the changes.
    pub fn poll_events(&mut self) -> io::Result<Vec<LinkEvent>> {
        let mut events = Vec::new();
        loop {
            let len = match recv(self.events.as_raw_fd(), &mut self.rx, MsgFlags::empty()) {
                Ok(n) => n,
                Err(nix::errno::Errno::EAGAIN) => break,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(nix::errno::Errno::ENOBUFS) => {
                    debug!("link notifications were lost; reading the whole state again");
                    // Drain what is queued, then rebuild from a dump.
                    while recv(self.events.as_raw_fd(), &mut self.rx, MsgFlags::empty()).is_ok() {}
                    events.extend(self.resync()?);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let msgs: Vec<(u16, Vec<u8>)> = crate::netlink::messages(&self.rx[..len])
                .map(|m| (m.message_type(), m.payload().to_vec()))
                .collect();
            for (kind, payload) in msgs {
                self.handle(kind, &payload, &mut events);
            }
        }
        Ok(events)
    }

    fn handle(&mut self, kind: u16, payload: &[u8], events: &mut Vec<LinkEvent>) {
        match kind {
            RTM_NEWLINK => {
                if let Some(l) = parse_link(payload) {
                    if self.links.get(&l.ifindex) != Some(&l) {
                        self.links.insert(l.ifindex, l.clone());
                        events.push(LinkEvent::Link(l));
                    }
                }
            }
            RTM_DELLINK => {
                if let Some(l) = parse_link(payload) {
                    if let Some(old) = self.links.remove(&l.ifindex) {
                        // Its addresses go with it.
                        let gone: Vec<Addr> = self
                            .addrs
                            .iter()
                            .filter(|a| a.ifindex == l.ifindex)
                            .copied()
                            .collect();
                        self.addrs.retain(|a| a.ifindex != l.ifindex);
                        events.extend(gone.into_iter().map(LinkEvent::AddrRemoved));
                        events.push(LinkEvent::LinkRemoved {
                            ifindex: old.ifindex,
                            name: old.name,
                        });
                    }
                }
            }
            RTM_NEWADDR => {
                if let Some(a) = parse_addr(payload) {
                    if !self.addrs.contains(&a) {
                        self.addrs.push(a);
                        self.addrs.sort();
                        events.push(LinkEvent::AddrAdded(a));
                    }
                }
            }
            RTM_DELADDR => {
                if let Some(a) = parse_addr(payload) {
                    if let Some(i) = self.addrs.iter().position(|x| *x == a) {
                        self.addrs.remove(i);
                        events.push(LinkEvent::AddrRemoved(a));
                    }
                }
            }
            _ => {}
        }
    }
}

fn parse_link(payload: &[u8]) -> Option<Link> {
    let msg = LinkMessage::parse(payload).ok()?;
    let flags = msg.header.flags;
    let mut link = Link {
        ifindex: msg.header.index,
        name: String::new(),
        up: flags.contains(LinkFlags::Up) && flags.contains(LinkFlags::Running),
        mtu: 0,
        loopback: flags.contains(LinkFlags::Loopback),
        point_to_point: flags.contains(LinkFlags::Pointopoint),
        multicast: flags.contains(LinkFlags::Multicast),
    };
    for a in msg.attributes {
        match a {
            LinkAttribute::IfName(n) => link.name = n,
            LinkAttribute::Mtu(m) => link.mtu = m,
            _ => {}
        }
    }
    Some(link)
}

fn parse_addr(payload: &[u8]) -> Option<Addr> {
    let msg = AddressMessage::parse(payload).ok()?;
    if u8::from(msg.header.family) != libc::AF_INET as u8 {
        return None;
    }
    let mut address = None;
    let mut local = None;
    for a in msg.attributes {
        match a {
            AddressAttribute::Address(IpAddr::V4(x)) => address = Some(x),
            AddressAttribute::Local(IpAddr::V4(x)) => local = Some(x),
            _ => {}
        }
    }
    // IFA_LOCAL is our address; IFA_ADDRESS differs from it only on point-to-point links,
    // where it is the peer.
    let (addr, peer) = match (local, address) {
        (Some(l), Some(a)) if l != a => (l, Some(a)),
        (Some(l), _) => (l, None),
        (None, Some(a)) => (a, None),
        (None, None) => return None,
    };
    Some(Addr {
        ifindex: msg.header.index,
        addr,
        prefix_len: msg.header.prefix_len,
        peer,
    })
}
