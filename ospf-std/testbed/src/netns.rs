//! Plain named network namespaces for tests and benches. The fuller harness (daemons,
//! bridges, captures, route readers) is the rest of this crate; its [`crate::Netns`] uses
//! [`enter_named`] from here.
//!
//! [`NetNs::new`] runs `ip netns add` with a name unique to this process; dropping the
//! value deletes the namespace (and with it its devices and routes). [`NetNs::enter`]
//! moves the calling thread into the namespace until the returned guard is dropped, so
//! sockets opened meanwhile live there.
//!
//! Everything here needs root (CAP_SYS_ADMIN); check [`crate::require_root`] first and
//! return when it says to skip.

use std::fs::File;
use std::io;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use nix::sched::{CloneFlags, setns};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A named network namespace, deleted on drop.
#[derive(Debug)]
pub struct NetNs {
    name: String,
}

impl NetNs {
    /// Creates a namespace named `{prefix}-{pid}-{n}` with its loopback up.
    pub fn new(prefix: &str) -> io::Result<Self> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("{prefix}-{}-{n}", std::process::id());
        run(Command::new("ip").args(["netns", "add", &name]))?;
        let ns = NetNs { name };
        ns.ip("link set lo up")?;
        Ok(ns)
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs `ip -n NAME ARGS...` (arguments split on whitespace) and returns its stdout;
    /// a non-zero exit is an error carrying stderr.
    pub fn ip(&self, args: &str) -> io::Result<String> {
        let out = run(Command::new("ip")
            .args(["-n", &self.name])
            .args(args.split_whitespace()))?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// A command that will run inside the namespace (`ip netns exec NAME program`).
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]);
        c
    }

    /// Moves the calling thread into the namespace until the guard is dropped.
    pub fn enter(&self) -> io::Result<Entered> {
        enter_named(&self.name)
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}

/// Moves the calling thread into the named namespace (`/run/netns/NAME`) until the guard is
/// dropped.
pub fn enter_named(name: &str) -> io::Result<Entered> {
    let back = File::open("/proc/thread-self/ns/net")?;
    let target = File::open(format!("/run/netns/{name}"))?;
    setns(&target, CloneFlags::CLONE_NEWNET)?;
    Ok(Entered { back })
}

/// The calling thread is inside a [`NetNs`]; dropping this returns it to where it was.
#[derive(Debug)]
pub struct Entered {
    back: File,
}

impl Drop for Entered {
    fn drop(&mut self) {
        let _ = setns(&self.back, CloneFlags::CLONE_NEWNET);
    }
}

fn run(cmd: &mut Command) -> io::Result<Output> {
    let out = cmd.output()?;
    if !out.status.success() {
        return Err(io::Error::other(format!(
            "{:?} failed: {}",
            cmd,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out)
}
