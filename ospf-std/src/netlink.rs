//! A small rtnetlink request layer: message building, batched sends, acks matched by
//! sequence number, and dumps.
//!
//! The route and nexthop messages that the FIB sends are built here byte by byte (nexthop
//! objects are not modelled by `netlink-packet-route`); framing and error messages of
//! replies are read with `netlink-packet-core`'s checked buffers.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use netlink_packet_core::{ErrorBuffer, NetlinkBuffer};
use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};
use nix::sys::socket::{MsgFlags, recv, setsockopt, sockopt};

pub(crate) const NLMSG_ERROR: u16 = 2;
pub(crate) const NLMSG_DONE: u16 = 3;

pub(crate) const NLM_F_REQUEST: u16 = 0x1;
pub(crate) const NLM_F_ACK: u16 = 0x4;
pub(crate) const NLM_F_REPLACE: u16 = 0x100;
pub(crate) const NLM_F_DUMP: u16 = 0x300;
pub(crate) const NLM_F_CREATE: u16 = 0x400;

pub(crate) const NLA_F_NESTED: u16 = 0x8000;

const HDR_LEN: usize = 16;
/// Upper bound on the bytes handed to one `sendmsg`.
const MAX_SEND: usize = 64 * 1024;
/// Upper bound on the requests in flight (each ack is its own skb in the receive queue).
const MAX_IN_FLIGHT: usize = 1024;

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// A buffer of netlink requests, each with its own sequence number and the ack flag.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    buf: Vec<u8>,
    /// Start offset of every message.
    starts: Vec<usize>,
    open: Option<usize>,
    nests: Vec<usize>,
}

impl Batch {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.starts.clear();
        self.open = None;
        self.nests.clear();
    }

    /// Starts a message; its index in the batch is returned. The sequence number is
    /// assigned when the batch is sent.
    pub(crate) fn begin(&mut self, msg_type: u16, flags: u16) -> usize {
        debug_assert!(self.open.is_none());
        let start = self.buf.len();
        self.buf.extend_from_slice(&[0; 4]); // length
        self.buf.extend_from_slice(&msg_type.to_ne_bytes());
        self.buf.extend_from_slice(&flags.to_ne_bytes());
        self.buf.extend_from_slice(&[0; 8]); // seq, pid
        self.open = Some(start);
        self.starts.push(start);
        self.starts.len() - 1
    }

    /// Appends raw bytes (a fixed family header) to the open message.
    pub(crate) fn put(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        self.pad();
    }

    fn pad(&mut self) {
        let n = align4(self.buf.len()) - self.buf.len();
        self.buf.extend_from_slice(&[0; 3][..n]);
    }

    /// Appends an attribute.
    pub(crate) fn attr(&mut self, kind: u16, value: &[u8]) {
        let len = (4 + value.len()) as u16;
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(value);
        self.pad();
    }

    pub(crate) fn attr_u32(&mut self, kind: u16, value: u32) {
        self.attr(kind, &value.to_ne_bytes());
    }

    pub(crate) fn attr_u16(&mut self, kind: u16, value: u16) {
        self.attr(kind, &value.to_ne_bytes());
    }

    pub(crate) fn nest_begin(&mut self, kind: u16) {
        self.nests.push(self.buf.len());
        self.buf.extend_from_slice(&[0; 2]);
        self.buf
            .extend_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
    }

    pub(crate) fn nest_end(&mut self) {
        if let Some(start) = self.nests.pop() {
            let len = (self.buf.len() - start) as u16;
            self.buf[start..start + 2].copy_from_slice(&len.to_ne_bytes());
        }
    }

    /// Closes the open message (fills in its length).
    pub(crate) fn end(&mut self) {
        if let Some(start) = self.open.take() {
            let len = (self.buf.len() - start) as u32;
            self.buf[start..start + 4].copy_from_slice(&len.to_ne_bytes());
        }
    }

    fn msg_range(&self, i: usize) -> (usize, usize) {
        let start = self.starts[i];
        let end = self.starts.get(i + 1).copied().unwrap_or(self.buf.len());
        (start, end)
    }
}

/// A NETLINK_ROUTE socket for requests (not subscribed to any group).
pub(crate) struct NlSocket {
    sock: Socket,
    seq: u32,
    rx: Vec<u8>,
}

impl AsFd for NlSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}

impl NlSocket {
    pub(crate) fn new() -> io::Result<Self> {
        let mut sock = Socket::new(NETLINK_ROUTE)?;
        sock.bind(&SocketAddr::new(0, 0))?;
        // Acks carry only the request's header, not its whole payload.
        sock.set_cap_ack(true)?;
        sock.set_ext_ack(true)?;
        // Room for a full window of acks; FORCE needs CAP_NET_ADMIN, which we have.
        let want = 4 * 1024 * 1024;
        if setsockopt(&sock, sockopt::RcvBufForce, &want).is_err() {
            setsockopt(&sock, sockopt::RcvBuf, &want).map_err(io::Error::from)?;
        }
        Ok(NlSocket {
            sock,
            seq: 1,
            rx: vec![0; 256 * 1024],
        })
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        if self.seq == 0 {
            self.seq = 1;
        }
        self.seq
    }

    /// Sends every request of `batch` and returns one result per request: 0 on success
    /// or the (positive) errno the kernel answered.
    ///
    /// The kernel answers a failed request with an error message whether or not it
    /// asked for an ack; only the last request of each window sets `NLM_F_ACK`, and its
    /// answer (queued after those of every earlier request of the window) ends the wait.
    /// Answers are matched to requests by sequence number. With `ack_all`, every request
    /// asks for an ack.
    pub(crate) fn execute(&mut self, batch: &mut Batch) -> io::Result<Vec<i32>> {
        self.execute_with(batch, false)
    }

    /// [`NlSocket::execute`], optionally with an ack for every request.
    pub(crate) fn execute_with(
        &mut self,
        batch: &mut Batch,
        ack_all: bool,
    ) -> io::Result<Vec<i32>> {
        let n = batch.len();
        let mut results = vec![0i32; n];
        let mut first = 0;
        while first < n {
            // Pick a window of whole messages.
            let (start, _) = batch.msg_range(first);
            let mut last = first;
            while last < n && last - first < MAX_IN_FLIGHT {
                let (_, end) = batch.msg_range(last);
                if end - start > MAX_SEND && last > first {
                    break;
                }
                last += 1;
            }
            let base = self.seq.wrapping_add(1);
            for i in first..last {
                let seq = self.next_seq();
                let (s, _) = batch.msg_range(i);
                let mut flags = u16::from_ne_bytes([batch.buf[s + 6], batch.buf[s + 7]]);
                if ack_all || i + 1 == last {
                    flags |= NLM_F_ACK;
                } else {
                    flags &= !NLM_F_ACK;
                }
                batch.buf[s + 6..s + 8].copy_from_slice(&flags.to_ne_bytes());
                batch.buf[s + 8..s + 12].copy_from_slice(&seq.to_ne_bytes());
            }
            let (_, end) = batch.msg_range(last - 1);
            self.send_all(&batch.buf[start..end])?;
            let window = last - first;
            let mut pending = if ack_all { window } else { 1 };
            while pending > 0 {
                let len = self.recv()?;
                for msg in messages(&self.rx[..len]) {
                    if msg.message_type() == NLMSG_ERROR {
                        let idx = msg.sequence_number().wrapping_sub(base) as usize;
                        if idx < window {
                            results[first + idx] = error_code(msg.payload());
                            if ack_all || idx + 1 == window {
                                pending -= 1;
                            }
                        }
                    }
                }
            }
            first = last;
        }
        Ok(results)
    }

    fn send_all(&self, bytes: &[u8]) -> io::Result<()> {
        let sent = self.sock.send(bytes, 0)?;
        if sent != bytes.len() {
            return Err(io::Error::other("short netlink send"));
        }
        Ok(())
    }

    fn recv(&mut self) -> io::Result<usize> {
        loop {
            match recv(self.sock.as_raw_fd(), &mut self.rx, MsgFlags::empty()) {
                Ok(n) => return Ok(n),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Sends a dump request (a fixed family header `hdr` plus `attrs`) and calls `each`
    /// with the message type and payload of every reply until NLMSG_DONE.
    pub(crate) fn dump(
        &mut self,
        msg_type: u16,
        hdr: &[u8],
        mut each: impl FnMut(u16, &[u8]),
    ) -> io::Result<()> {
        let mut b = Batch::new();
        b.begin(msg_type, NLM_F_REQUEST | NLM_F_DUMP);
        b.put(hdr);
        b.end();
        let seq = self.next_seq();
        b.buf[8..12].copy_from_slice(&seq.to_ne_bytes());
        self.send_all(&b.buf)?;
        loop {
            let len = self.recv()?;
            for msg in messages(&self.rx[..len]) {
                if msg.sequence_number() == seq {
                    match msg.message_type() {
                        NLMSG_DONE => return Ok(()),
                        NLMSG_ERROR => {
                            let code = error_code(msg.payload());
                            if code != 0 {
                                return Err(io::Error::from_raw_os_error(code));
                            }
                            return Ok(());
                        }
                        t => each(t, msg.payload()),
                    }
                }
            }
        }
    }
}

/// Iterates over the netlink messages in a received datagram, stopping at the first that
/// does not parse.
pub(crate) fn messages(buf: &[u8]) -> impl Iterator<Item = NetlinkBuffer<&[u8]>> {
    let mut off = 0;
    std::iter::from_fn(move || {
        let msg = NetlinkBuffer::new_checked(buf.get(off..)?).ok()?;
        off += align4((msg.length() as usize).max(HDR_LEN));
        Some(msg)
    })
}

/// The error number an NLMSG_ERROR payload carries (0 for an acknowledgement).
fn error_code(payload: &[u8]) -> i32 {
    ErrorBuffer::new_checked(payload)
        .ok()
        .and_then(|e| e.code())
        .map_or(0, |c| -c.get())
}

/// Iterates over the attributes in `buf` as (type without flags, value).
pub(crate) fn attrs(buf: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut off = 0;
    std::iter::from_fn(move || {
        let rest = buf.get(off..)?;
        if rest.len() < 4 {
            return None;
        }
        let len = u16::from_ne_bytes([rest[0], rest[1]]) as usize;
        let kind = u16::from_ne_bytes([rest[2], rest[3]]) & 0x3fff;
        if len < 4 || len > rest.len() {
            return None;
        }
        off += align4(len);
        Some((kind, &rest[4..len]))
    })
}

/// Reads a native-endian u32 attribute value.
pub(crate) fn u32_of(v: &[u8]) -> Option<u32> {
    Some(u32::from_ne_bytes(v.get(..4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_frames_messages_and_attributes() {
        let mut b = Batch::new();
        b.begin(24, NLM_F_REQUEST);
        b.put(&[2, 32, 0, 0, 254, 188, 0, 1, 0, 0, 0, 0]);
        b.attr(1, &[10, 0, 0, 1]);
        b.nest_begin(12);
        b.attr_u16(1, 128);
        b.nest_end();
        b.attr(7, &[1]); // padded to 8
        b.end();
        b.begin(25, NLM_F_REQUEST);
        b.put(&[2, 0, 0, 0]);
        b.end();
        assert_eq!(b.len(), 2);
        let (s0, e0) = b.msg_range(0);
        assert_eq!(s0, 0);
        let len0 = u32::from_ne_bytes(b.buf[0..4].try_into().unwrap()) as usize;
        assert_eq!(len0, e0);
        assert_eq!(len0, 16 + 12 + 8 + 4 + 8 + 8);
        let got: Vec<_> = attrs(&b.buf[28..e0]).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0], (1, &[10u8, 0, 0, 1][..]));
        assert_eq!(got[1].0, 12);
        let inner: Vec<_> = attrs(got[1].1).collect();
        assert_eq!(inner, vec![(1, &128u16.to_ne_bytes()[..])]);
        assert_eq!(got[2], (7, &[1u8][..]));
        assert_eq!(b.msg_range(1), (e0, e0 + 20));
    }

    #[test]
    fn attrs_stops_on_truncated_input() {
        assert_eq!(attrs(&[8, 0, 1, 0, 1, 2]).count(), 0);
        assert_eq!(attrs(&[2, 0, 1, 0]).count(), 0);
        assert_eq!(attrs(&[]).count(), 0);
    }
}
