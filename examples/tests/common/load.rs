//! Client load of the end-to-end tests: threads in the client namespace opening a new
//! connection for every HTTP GET to the anycast address (`e2e_graceful_restart`).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ospf_testbed::netns::enter_named;
use ospf_testbed::{Netns, SeedTopology};

/// Client threads.
pub const CLIENTS: usize = 4;
/// Connect and read timeout of a client request.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(1);

/// One client request: when it started (since the load began), how long it took, and the
/// server id that answered or why it failed.
pub type Outcome = (Duration, Duration, Result<String, String>);

/// One HTTP GET on a new connection; the body (the server id) of a 200 answer.
///
/// The answer is complete when its `Content-Length` bytes of body are in, as for any
/// HTTP client; the connection's end is not waited for. (After a route change the
/// client's last ACKs go to another server, whose RST can close the connection before
/// the server's FIN is read, although the whole answer was received.)
pub fn get(dst: SocketAddr) -> Result<String, String> {
    let mut s = TcpStream::connect_timeout(&dst, CLIENT_TIMEOUT).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(CLIENT_TIMEOUT))
        .map_err(|e| e.to_string())?;
    s.write_all(b"GET / HTTP/1.1\r\nHost: anycast\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(answer) = complete_answer(&data)? {
            return answer;
        }
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
            Err(e) => return Err(e.to_string()),
        }
    }
    // The server closed before the announced length (or announced none).
    let text = String::from_utf8_lossy(&data);
    match text.split_once("\r\n\r\n") {
        Some((head, body)) if !head.to_ascii_lowercase().contains("content-length:") => {
            status_200(head, body)
        }
        _ => Err(format!("incomplete answer {text:?}")),
    }
}

/// The answer in `data` once its header and `Content-Length` bytes of body are in.
#[allow(clippy::type_complexity)]
fn complete_answer(data: &[u8]) -> Result<Option<Result<String, String>>, String> {
    let text = String::from_utf8_lossy(data);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return Ok(None);
    };
    let len = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse::<usize>().ok())?
    });
    Ok(match len {
        Some(n) if body.len() >= n => Some(status_200(head, &body[..n])),
        _ => None,
    })
}

fn status_200(head: &str, body: &str) -> Result<String, String> {
    if head.split(' ').nth(1) == Some("200") {
        Ok(body.trim().to_string())
    } else {
        Err(format!("answer {head:?}"))
    }
}

/// Client threads in the client namespace, each opening a new connection per request.
pub struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<Vec<Outcome>>>,
    t0: Instant,
}

impl Load {
    pub fn start(client: &Netns) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let t0 = Instant::now();
        let dst = SocketAddr::from((SeedTopology::ANYCAST, SeedTopology::HTTP_PORT));
        let threads = (0..CLIENTS)
            .map(|_| {
                let stop = stop.clone();
                let ns = client.name().to_string();
                std::thread::spawn(move || {
                    // This thread only: its sockets live in the client namespace.
                    let _in = enter_named(&ns).unwrap_or_else(|e| panic!("{ns}: {e}"));
                    let mut out = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let at = t0.elapsed();
                        let r = get(dst);
                        out.push((at, t0.elapsed() - at, r));
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    out
                })
            })
            .collect();
        Load { stop, threads, t0 }
    }

    /// Time since the load began.
    pub fn now(&self) -> Duration {
        self.t0.elapsed()
    }

    pub fn stop(self) -> Vec<Outcome> {
        self.stop.store(true, Ordering::Relaxed);
        let mut all: Vec<Outcome> = self
            .threads
            .into_iter()
            .flat_map(|t| t.join().expect("client thread"))
            .collect();
        all.sort_by_key(|o| o.0);
        all
    }
}
