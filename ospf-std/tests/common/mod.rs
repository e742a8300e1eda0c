//! Helpers shared by the ospf-std integration tests: waits, scratch directories, entering a
//! network namespace.

#![allow(dead_code)]

use std::time::Duration;

use ospf_std::testbed::{Netns, veth, wait_for};

/// Polls `probe` every 100 ms until it holds; panics naming `what` after `timeout`.
/// Returns how long it took.
pub fn wait(what: &str, timeout: Duration, mut probe: impl FnMut() -> bool) -> Duration {
    match wait_for(timeout, Duration::from_millis(100), || {
        probe().then_some(())
    }) {
        Ok((_, took)) => took,
        Err(e) => panic!("timed out waiting for {what}: {e}"),
    }
}

/// A scratch directory removed on drop (also when the test fails).
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    /// Creates `<tmp>/<tag>-<pid>`.
    pub fn new(tag: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!("{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Moves the calling thread into the named network namespace (`/run/netns/<name>`).
pub fn enter_netns(name: &str) {
    let ns_file = std::fs::File::open(format!("/run/netns/{name}")).unwrap();
    nix::sched::setns(&ns_file, nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
}

/// Two fresh namespaces `(name, address)` joined by a veth pair named `eth0` on both sides,
/// each end with its address (such as `10.0.0.1/24`) and up.
pub fn joined(a: (&str, &str), b: (&str, &str)) -> (Netns, Netns) {
    let na = Netns::new(a.0).unwrap();
    let nb = Netns::new(b.0).unwrap();
    veth(&na, "eth0", &nb, "eth0").unwrap();
    na.ip_line(&format!("addr add {} dev eth0", a.1)).unwrap();
    nb.ip_line(&format!("addr add {} dev eth0", b.1)).unwrap();
    (na, nb)
}
