//! Drives the runtime on a tokio reactor instead of a thread of its own.
//!
//! The runtime's descriptors (OSPF sockets, link monitor, handle eventfd, control socket,
//! signalfd) join one level-triggered epoll set; that one descriptor is registered with
//! the reactor through [`AsyncFd`]. When it is readable, or the runtime's next deadline
//! passes, [`Runtime::step`] runs with a zero wait and handles whatever is ready. The
//! epoll set follows the descriptors as interfaces and control connections come and go:
//! before every wait each current descriptor is added (`EEXIST`: already there); a closed
//! descriptor leaves the set by itself, so a number reused for a new socket is added
//! again.

use std::os::fd::{AsRawFd, RawFd};

use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use tokio::io::unix::AsyncFd;

use super::{Error, Runtime};

/// The epoll set, as the reactor sees it.
struct EpollFd(Epoll);

impl AsRawFd for EpollFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0.0.as_raw_fd()
    }
}

impl Runtime {
    /// Runs until a graceful shutdown has completed, on the current tokio runtime (which
    /// needs its I/O and time drivers enabled).
    pub async fn run_async(mut self) -> Result<(), Error> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        // `AsyncFd::new` is deprecated because a borrowed descriptor could be closed while
        // registered; `EpollFd` owns its descriptor for as long as the `AsyncFd` lives.
        #[allow(deprecated)]
        let afd = AsyncFd::new(EpollFd(epoll))?;
        while !self.finished {
            self.sync_epoll(&afd.get_ref().0)?;
            let wait = self.next_wait(None);
            tokio::select! {
                guard = afd.readable() => {
                    let mut guard = guard?;
                    self.step(Some(std::time::Duration::ZERO))?;
                    // Empty the epoll set's ready list; if nothing is left, wait for
                    // the next edge.
                    let mut events = [EpollEvent::empty(); 16];
                    let n = afd.get_ref().0.wait(&mut events, EpollTimeout::ZERO)?;
                    if n == 0 {
                        guard.clear_ready();
                    }
                }
                _ = tokio::time::sleep(wait) => {
                    self.step(Some(std::time::Duration::ZERO))?;
                }
            }
        }
        Ok(())
    }

    /// Adds the runtime's descriptors to `epoll` (those already there stay).
    fn sync_epoll(&self, epoll: &Epoll) -> Result<(), Error> {
        for (fd, _) in self.sources() {
            let ev = EpollEvent::new(EpollFlags::EPOLLIN, fd.as_raw_fd() as u64);
            match epoll.add(fd, ev) {
                Ok(()) | Err(nix::errno::Errno::EEXIST) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}
