//! One raw IPv4 socket (protocol 89) per OSPF interface.
//!
//! Each [`OspfSocket`] is bound to its device (`SO_BINDTODEVICE`), joined to
//! AllSPFRouters (224.0.0.5) and, while the router is DR or BDR on the segment, to
//! AllDRouters (224.0.0.6). Outgoing packets have TTL 1 (RFC 2328 A.1), TOS 0xC0
//! (internetwork control, as FRR and BIRD send) and are not looped back. Incoming packets
//! come with their source, destination and arrival interface (`IP_PKTINFO`) and with the IP
//! header stripped.
//!
//! One socket per interface avoids the kernel's limit of 20 multicast memberships per
//! socket (`net.ipv4.igmp_max_memberships`) and keeps each interface's traffic apart.
//! Needs `CAP_NET_RAW`.

use std::io::{self, IoSliceMut};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::num::NonZeroU32;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use nix::sys::socket::{ControlMessageOwned, MsgFlags, SockaddrIn, recvmsg, setsockopt, sockopt};
use socket2::{Domain, InterfaceIndexOrAddress, Protocol, SockAddr, Socket, Type};

/// IP protocol number of OSPF.
pub const IPPROTO_OSPF: i32 = 89;
/// AllSPFRouters.
pub const ALL_SPF_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 5);
/// AllDRouters.
pub const ALL_D_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 6);
/// IP TOS of OSPF packets: precedence "internetwork control".
pub const OSPF_TOS: u32 = 0xC0;

/// A received OSPF packet: where it came from and where it went. The payload (the OSPF
/// packet without the IP header) is `buf[..len]` of the buffer passed to
/// [`OspfSocket::recv`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// IP source address.
    pub src: Ipv4Addr,
    /// IP destination address (ours, 224.0.0.5 or 224.0.0.6).
    pub dst: Ipv4Addr,
    /// Interface the packet arrived on.
    pub ifindex: u32,
    /// IP TTL of the packet.
    pub ttl: u8,
    /// IP TOS byte of the packet.
    pub tos: u8,
    /// Length of the OSPF payload now at the start of the buffer.
    pub len: usize,
}

/// A raw OSPF socket bound to one interface.
#[derive(Debug)]
pub struct OspfSocket {
    sock: Socket,
    ifindex: u32,
    ifname: String,
    local: Ipv4Addr,
    all_drouters: bool,
}

impl AsFd for OspfSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}

impl OspfSocket {
    /// Opens a non-blocking socket on interface `ifname` (index `ifindex`), whose
    /// address `local` is the source of multicast packets, and joins AllSPFRouters.
    pub fn open(ifname: &str, ifindex: u32, local: Ipv4Addr) -> io::Result<Self> {
        let sock = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::from(IPPROTO_OSPF)))?;
        sock.bind_device(Some(ifname.as_bytes()))?;
        sock.set_nonblocking(true)?;
        sock.set_multicast_ttl_v4(1)?;
        sock.set_ttl_v4(1)?;
        sock.set_multicast_loop_v4(false)?;
        sock.set_tos_v4(OSPF_TOS)?;
        if !local.is_unspecified() {
            sock.set_multicast_if_v4(&local)?;
        }
        sock.set_recv_buffer_size(1 << 20)?;
        sock.set_send_buffer_size(1 << 20)?;
        setsockopt(&sock, sockopt::Ipv4PacketInfo, &true)?;
        let s = OspfSocket {
            sock,
            ifindex,
            ifname: ifname.to_string(),
            local,
            all_drouters: false,
        };
        s.join(ALL_SPF_ROUTERS)?;
        Ok(s)
    }

    /// Interface index.
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// Interface name.
    pub fn ifname(&self) -> &str {
        &self.ifname
    }

    /// The interface address used as source.
    pub fn local(&self) -> Ipv4Addr {
        self.local
    }

    /// Whether the socket is a member of AllDRouters.
    pub fn all_drouters(&self) -> bool {
        self.all_drouters
    }

    fn iface(&self) -> InterfaceIndexOrAddress {
        InterfaceIndexOrAddress::Index(self.ifindex)
    }

    fn join(&self, group: Ipv4Addr) -> io::Result<()> {
        self.sock.join_multicast_v4_n(&group, &self.iface())
    }

    /// Joins (DR or BDR) or leaves (DROther) AllDRouters.
    pub fn set_all_drouters(&mut self, member: bool) -> io::Result<()> {
        if member == self.all_drouters {
            return Ok(());
        }
        if member {
            self.join(ALL_D_ROUTERS)?;
        } else {
            self.sock
                .leave_multicast_v4_n(&ALL_D_ROUTERS, &self.iface())?;
        }
        self.all_drouters = member;
        Ok(())
    }

    /// Sends an OSPF packet (without IP header) to `dst`: a multicast group or a
    /// neighbor's address.
    pub fn send(&self, dst: Ipv4Addr, packet: &[u8]) -> io::Result<()> {
        let addr = SockAddr::from(SocketAddrV4::new(dst, 0));
        let n = self.sock.send_to(packet, &addr)?;
        if n != packet.len() {
            return Err(io::Error::other("short send on raw socket"));
        }
        Ok(())
    }

    /// Sends an OSPF packet with IP TTL `ttl` (1 for everything but virtual links, whose
    /// packets may cross routers: RFC 2328 A.1).
    pub fn send_with_ttl(&self, dst: Ipv4Addr, packet: &[u8], ttl: u32) -> io::Result<()> {
        if ttl == 1 {
            return self.send(dst, packet);
        }
        self.sock.set_ttl_v4(ttl)?;
        let r = self.send(dst, packet);
        self.sock.set_ttl_v4(1)?;
        r
    }

    /// Receives one packet without blocking: `Ok(None)` when none is queued. On success
    /// the OSPF packet is moved to the start of `buf`. Packets too short to hold an IP
    /// header, or that do not fit `buf`, are dropped.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Received>> {
        loop {
            let mut cmsg = nix::cmsg_space!(libc::in_pktinfo);
            let (n, src, pktinfo, truncated) = {
                let mut iov = [IoSliceMut::new(buf)];
                let msg = match recvmsg::<SockaddrIn>(
                    self.sock.as_raw_fd(),
                    &mut iov,
                    Some(&mut cmsg),
                    MsgFlags::MSG_DONTWAIT,
                ) {
                    Ok(m) => m,
                    Err(nix::errno::Errno::EAGAIN) => return Ok(None),
                    Err(nix::errno::Errno::EINTR) => continue,
                    Err(e) => return Err(e.into()),
                };
                let mut pktinfo = None;
                if let Ok(cmsgs) = msg.cmsgs() {
                    for c in cmsgs {
                        if let ControlMessageOwned::Ipv4PacketInfo(pi) = c {
                            pktinfo = Some(pi);
                        }
                    }
                }
                (
                    msg.bytes,
                    msg.address.map(|a| a.ip()),
                    pktinfo,
                    msg.flags.contains(MsgFlags::MSG_TRUNC),
                )
            };
            if truncated || n < 20 {
                continue;
            }
            let ihl = usize::from(buf[0] & 0x0f) * 4;
            if buf[0] >> 4 != 4 || ihl < 20 || ihl > n {
                continue;
            }
            let ttl = buf[8];
            let tos = buf[1];
            let hdr_src = Ipv4Addr::new(buf[12], buf[13], buf[14], buf[15]);
            let hdr_dst = Ipv4Addr::new(buf[16], buf[17], buf[18], buf[19]);
            let ifindex = pktinfo
                .and_then(|p| NonZeroU32::new(p.ipi_ifindex as u32))
                .map_or(self.ifindex, NonZeroU32::get);
            buf.copy_within(ihl..n, 0);
            return Ok(Some(Received {
                src: src.unwrap_or(hdr_src),
                dst: hdr_dst,
                ifindex,
                ttl,
                tos,
                len: n - ihl,
            }));
        }
    }
}
