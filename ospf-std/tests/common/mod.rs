//! Helpers shared by the ospf-std integration tests: waits, scratch directories, entering a
//! network namespace.

#![allow(dead_code)]

use std::thread::JoinHandle;
use std::time::Duration;

use ospf_std::conf::OspfdConf;
use ospf_std::runtime::{Runtime, RuntimeConfig, RuntimeHandle};
use ospf_testbed::{Netns, veth, wait_for};

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

/// Runs a runtime for the ospfd.conf text `conf` on a thread of its own inside `ns`
/// (signals left to the test): `setup` adjusts its configuration, `drive` runs it and gives
/// the thread's result. Returns the runtime's handle and the thread.
pub fn spawn_runtime<T: Send + 'static>(
    ns: &Netns,
    conf: &str,
    setup: impl FnOnce(&mut RuntimeConfig) + Send + 'static,
    drive: impl FnOnce(Runtime) -> T + Send + 'static,
) -> (RuntimeHandle, JoinHandle<T>) {
    let conf = OspfdConf::parse(conf).unwrap();
    let name = ns.name().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    let t = std::thread::spawn(move || {
        enter_netns(&name);
        let mut cfg = RuntimeConfig::new(conf);
        cfg.handle_signals = false;
        setup(&mut cfg);
        let rt = Runtime::new(cfg).unwrap();
        tx.send(rt.handle()).unwrap();
        drive(rt)
    });
    (rx.recv().unwrap(), t)
}
