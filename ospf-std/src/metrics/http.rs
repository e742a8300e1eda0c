//! A minimal HTTP endpoint for scrapes: `GET /metrics` only.
//!
//! One thread accepts and answers connections one at a time; each gets a bounded request
//! (8 KiB of headers), read and write timeouts, and `Connection: close`. The answer comes
//! from [`Handle::metrics_text`], so the engine's thread only copies a snapshot.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use tracing::{debug, warn};

use crate::api::Handle;

/// The longest request head read.
const MAX_REQUEST: usize = 8 * 1024;
/// How long a client may take to send its request, or to read the answer.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// A running metrics endpoint ([`serve`]). Dropping it stops the endpoint.
#[derive(Debug)]
pub struct MetricsServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MetricsServer {
    /// The address it listens on (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the endpoint and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Serves the metrics of `handle`'s runtime on `addr` (`GET /metrics`) from a thread of
/// its own, until the returned [`MetricsServer`] is dropped.
pub fn serve(addr: SocketAddr, handle: Handle) -> io::Result<MetricsServer> {
    let listener = TcpListener::bind(addr)?;
    let addr = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("ospf-metrics".into())
        .spawn(move || {
            let _ = listener.set_nonblocking(true);
            while !flag.load(Ordering::Acquire) {
                // Wake up now and then to notice a stop.
                let mut fds = [PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
                if !matches!(poll(&mut fds, PollTimeout::from(250u16)), Ok(n) if n > 0) {
                    continue;
                }
                match listener.accept() {
                    Ok((s, _)) => {
                        let _ = s.set_nonblocking(false);
                        if let Err(e) = answer(s, &handle) {
                            debug!("metrics client: {e}");
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => {
                        warn!("metrics endpoint: accept: {e}");
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
            }
        })?;
    Ok(MetricsServer {
        addr,
        stop,
        thread: Some(thread),
    })
}

/// Reads the request head (bounded) and returns its first line.
fn request_line(s: &mut TcpStream) -> io::Result<Option<String>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && !buf.windows(2).any(|w| w == b"\n\n") {
        let n = s.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX_REQUEST {
            return Ok(None);
        }
    }
    let head = String::from_utf8_lossy(&buf);
    Ok(head.lines().next().map(str::to_string))
}

fn respond(s: &mut TcpStream, status: &str, ctype: &str, body: &str) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes())?;
    s.write_all(body.as_bytes())?;
    s.flush()
}

fn answer(mut s: TcpStream, handle: &Handle) -> io::Result<()> {
    s.set_read_timeout(Some(IO_TIMEOUT))?;
    s.set_write_timeout(Some(IO_TIMEOUT))?;
    const TEXT: &str = "text/plain; charset=utf-8";
    let Some(line) = request_line(&mut s)? else {
        return respond(&mut s, "431 Request Header Fields Too Large", TEXT, "");
    };
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    match (method, path) {
        ("GET", "/metrics") => match handle.metrics_text() {
            Ok(text) => respond(&mut s, "200 OK", super::CONTENT_TYPE, &text),
            Err(e) => respond(&mut s, "503 Service Unavailable", TEXT, &format!("{e}\n")),
        },
        ("GET", _) => respond(&mut s, "404 Not Found", TEXT, "only /metrics is served\n"),
        _ => respond(&mut s, "405 Method Not Allowed", TEXT, ""),
    }
}
