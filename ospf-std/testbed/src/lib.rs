//! A network-namespace testbed for end-to-end and interop tests (Linux, root only).
//!
//! Test infrastructure, never shipped: a package of its own (`ospf-testbed`, unpublished)
//! that `ospf-std`, the examples and the benches take as a dev-dependency only.
//!
//! Everything a test builds lives in network namespaces the test creates: [`Netns`] guards
//! (deleted on drop, together with every process started in them), veth links ([`veth`]), LAN
//! segments through a Linux bridge in a namespace of its own ([`Bridge`]), FRR ([`Frr`]) and
//! BIRD ([`Bird`]) routers with their own config, pid and socket directory, tiny HTTP servers
//! ([`HttpServer`]) that answer with a server id, readers for the kernel's routes and next hops,
//! and [`wait_for`] to poll for a condition with a timeout and report how long it took.
//! [`OspfRs`] runs our [`Runtime`] inside a namespace on a thread of its own; [`LsaId`] and
//! [`frr_lsdb`], [`bird_lsdb`] and [`OspfRs::lsdb`] compare link-state databases.
//!
//! No test traffic leaves these namespaces: links are created directly inside them and the root
//! namespace is never given an address or a route.
//!
//! Tests that need root or a program call [`require_root`] / [`require_tool`] first and
//! return when they answer false (skip). With [`REQUIRE_ROOT_TESTS`]`=1` in the environment
//! (CI) a missing privilege or program fails the test instead: see [`may_run`].
//!
//! Also here: the plain namespaces of [`netns`], the examples' anycast [`SeedTopology`] and
//! [`example_binary`] to build a package's example programs with the test's profile.
//!
//! ```no_run
//! use ospf_testbed::{require_root, veth, Netns};
//! if !require_root("doc example", "network namespaces") {
//!     return;
//! }
//! let a = Netns::new("a").unwrap();
//! let b = Netns::new("b").unwrap();
//! veth(&a, "eth0", &b, "eth0").unwrap();
//! a.add_addr("eth0", "10.1.0.1/30").unwrap();
//! b.add_addr("eth0", "10.1.0.2/30").unwrap();
//! let routes = a.routes("10.1.0.0/30").unwrap();
//! assert_eq!(routes.as_array().unwrap().len(), 1);
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use ospf_core::neighbor::NeighborState;
use serde_json::Value;

use ospf_std::conf::OspfdConf;
use ospf_std::fib::{KernelFib, KernelFibConfig};
use ospf_std::runtime::{Runtime, RuntimeConfig, RuntimeHandle};

mod example_bin;
pub mod netns;
pub mod peers;
pub mod route_monitor;
mod seed;
pub mod storm;

pub use example_bin::{example_binary, example_path};
pub use netns::Entered;
pub use route_monitor::RouteMonitor;
pub use seed::SeedTopology;

/// Prefix of every namespace, interface-independent directory and file the testbed creates.
pub const PREFIX: &str = "ospfrs";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A unique name `ospfrs-<tag>-<pid>-<n>` for namespaces and scratch directories.
pub fn unique_name(tag: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{PREFIX}-{tag}-{}-{n}", std::process::id())
}

/// The pid in a name made by [`unique_name`], when the name has our prefix.
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?.strip_prefix('-')?;
    let mut parts = rest.rsplitn(3, '-');
    let _n: usize = parts.next()?.parse().ok()?;
    let pid = parts.next()?.parse().ok()?;
    parts.next()?;
    Some(pid)
}

/// Removes what testbed processes that no longer exist left behind (a run interrupted with
/// Ctrl-C, say): namespaces and scratch directories named `ospfrs-<tag>-<pid>-<n>` whose pid is
/// gone. Processes still in such a namespace are killed by pid first. Returns how many
/// namespaces were deleted. [`Netns::new`] calls this once per process.
pub fn cleanup_stale() -> usize {
    let dead = |name: &str| {
        owner_pid(name).is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
    };
    let list = run(Command::new("ip").args(["netns", "list"])).unwrap_or_default();
    let mut deleted = 0;
    for name in list.lines().filter_map(|l| l.split_whitespace().next()) {
        if !dead(name) {
            continue;
        }
        let pids = run(Command::new("ip").args(["netns", "pids", name])).unwrap_or_default();
        for pid in pids
            .split_whitespace()
            .filter_map(|p| p.parse::<u32>().ok())
        {
            let _ = send_signal(pid, Signal::Kill);
        }
        if run(Command::new("ip").args(["netns", "del", name])).is_ok() {
            deleted += 1;
        }
    }
    if let Ok(entries) = fs::read_dir(std::env::temp_dir()) {
        for e in entries.flatten() {
            if e.file_name().to_str().is_some_and(dead) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    deleted
}

/// The environment variable that turns skips into failures: when it is `1` (as in CI), a test
/// whose privilege or program is missing panics instead of skipping; unset, empty or `0`, it
/// skips with a printed reason (a developer's laptop). Any other value is a mistake and fails.
pub const REQUIRE_ROOT_TESTS: &str = "OSPF_RS_REQUIRE_ROOT_TESTS";

/// The one decision behind every skip: whether `test`, which needs `what`, may run.
///
/// `met` tells whether the requirement holds; `require` is the value of [`REQUIRE_ROOT_TESTS`]
/// (`None` when unset). Met: true. Not met: prints `{test}: skipped: ...` and returns false
/// when `require` is `None`, `""` or `"0"`; panics naming the test and what is missing when
/// it is `"1"`. Any other value of `require` panics, met or not. Pure apart from that output,
/// so it can be tested without touching the process environment.
pub fn may_run(test: &str, what: &str, met: bool, require: Option<&str>) -> bool {
    let required = match require {
        None | Some("" | "0") => false,
        Some("1") => true,
        Some(other) => panic!("{REQUIRE_ROOT_TESTS} must be 1 or 0 (or unset), not {other:?}"),
    };
    if met {
        true
    } else if required {
        panic!("{test}: {what}; {REQUIRE_ROOT_TESTS}=1 forbids skipping this test")
    } else {
        eprintln!("{test}: skipped: {what} (set {REQUIRE_ROOT_TESTS}=1 to fail instead)");
        false
    }
}

/// The value of [`REQUIRE_ROOT_TESTS`] in this process's environment.
fn require_root_tests() -> Option<String> {
    std::env::var_os(REQUIRE_ROOT_TESTS).map(|v| v.to_string_lossy().into_owned())
}

/// True when the process runs as root (effective uid 0), so that `test` can run; `why` says
/// what it needs root for (network namespaces, raw sockets, kernel routes...).
///
/// Tests that need namespaces call this first and return early when it is false; see
/// [`may_run`] for when it panics instead.
pub fn require_root(test: &str, why: &str) -> bool {
    let euid = fs::read_to_string("/proc/self/status").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(2).map(str::to_owned))
    });
    let met = euid.as_deref() == Some("0");
    let what = format!(
        "needs root for {why} (effective uid is {})",
        euid.as_deref().unwrap_or("unknown")
    );
    may_run(test, &what, met, require_root_tests().as_deref())
}

/// True when `tool` is installed, so that `test` can run: `"frr"` (zebra, ospfd, vtysh),
/// `"bird"` (bird, birdc), or any other name as one program (absolute path or found in
/// `PATH`, `/usr/sbin`, `/sbin`), e.g. `"tshark"`, `"dumpcap"`. See [`may_run`] for when it
/// panics instead of returning false.
pub fn require_tool(test: &str, tool: &str) -> bool {
    let programs: &[&str] = match tool {
        "frr" => &[FRR_ZEBRA, FRR_OSPFD, "vtysh"],
        "bird" => &["bird", "birdc"],
        _ => std::slice::from_ref(&tool),
    };
    let missing = programs.iter().find(|p| find_program(p).is_none());
    let what = match missing {
        Some(p) => format!("needs {tool}: program `{p}` is not installed"),
        None => String::new(),
    };
    may_run(
        test,
        &what,
        missing.is_none(),
        require_root_tests().as_deref(),
    )
}

fn find_program(p: &str) -> Option<PathBuf> {
    if p.contains('/') {
        let path = PathBuf::from(p);
        return path.exists().then_some(path);
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|d| d.join(p))
        .find(|c| c.exists())
}

/// The FRR daemons the testbed uses.
pub const FRR_ZEBRA: &str = "/usr/lib/frr/zebra";
/// The FRR OSPFv2 daemon.
pub const FRR_OSPFD: &str = "/usr/lib/frr/ospfd";
/// The FRR BFD daemon.
pub const FRR_BFDD: &str = "/usr/lib/frr/bfdd";

fn other_err(msg: impl Into<String>) -> io::Error {
    io::Error::other(msg.into())
}

/// Runs a command to completion; an error carries its stderr when it exits non-zero.
fn run(cmd: &mut Command) -> io::Result<String> {
    let out = cmd.stdin(Stdio::null()).output()?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(other_err(format!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Sends a signal by pid with the `kill` program (keeps this module free of `unsafe`).
fn send_signal(pid: u32, signal: Signal) -> io::Result<()> {
    run(Command::new("kill")
        .arg("-s")
        .arg(signal.name())
        .arg(pid.to_string()))
    .map(drop)
}

/// Signals the testbed sends to processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM: ask for a graceful exit.
    Term,
    /// SIGKILL: stop at once, without any goodbye.
    Kill,
    /// SIGUSR1: the daemons run their health checks at once.
    Usr1,
}

impl Signal {
    fn name(self) -> &'static str {
        match self {
            Signal::Term => "TERM",
            Signal::Kill => "KILL",
            Signal::Usr1 => "USR1",
        }
    }
}

type PidRegistry = Arc<Mutex<Vec<u32>>>;

/// A process started in a namespace; dropping it kills it (SIGKILL) and reaps it.
///
/// The child is our direct child and is only reaped here, so its pid cannot be reused while
/// the guard exists: signalling by pid is safe.
#[derive(Debug)]
pub struct ProcGuard {
    child: Child,
    label: String,
    registry: PidRegistry,
    exit: Option<ExitStatus>,
}

impl ProcGuard {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What was started (for messages).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Sends `signal` to the process.
    pub fn signal(&mut self, signal: Signal) -> io::Result<()> {
        if self.exit.is_some() {
            return Err(other_err(format!("{} has already exited", self.label)));
        }
        match signal {
            Signal::Kill => self.child.kill(),
            Signal::Term | Signal::Usr1 => send_signal(self.pid(), signal),
        }
    }

    /// True while the process has not exited.
    pub fn is_running(&mut self) -> bool {
        if self.exit.is_none() {
            self.exit = self.child.try_wait().ok().flatten();
        }
        self.exit.is_none()
    }

    /// Waits up to `timeout` for the process to exit; returns its status.
    pub fn wait_exit(&mut self, timeout: Duration) -> io::Result<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if !self.is_running() {
                return self.exit.ok_or_else(|| other_err("no exit status"));
            }
            if Instant::now() >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("{} did not exit within {timeout:?}", self.label),
                ));
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Sends SIGTERM, waits up to `grace`, then SIGKILL; always reaps.
    pub fn stop(&mut self, grace: Duration) {
        if self.is_running() && self.signal(Signal::Term).is_ok() {
            let _ = self.wait_exit(grace);
        }
        if self.is_running() {
            let _ = self.child.kill();
            if let Ok(status) = self.child.wait() {
                self.exit = Some(status);
            }
        }
    }
}

impl Drop for ProcGuard {
    fn drop(&mut self) {
        let mut reg = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        if self.exit.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let pid = self.child.id();
        reg.retain(|p| *p != pid);
    }
}

/// A network namespace owned by the test. Drop kills every process started in it
/// (by pid) and deletes it.
#[derive(Debug)]
pub struct Netns {
    name: String,
    registry: PidRegistry,
}

impl Netns {
    /// Creates a namespace named `ospfrs-<tag>-<pid>-<n>` with `lo` up.
    pub fn new(tag: &str) -> io::Result<Netns> {
        static CLEANED: OnceLock<usize> = OnceLock::new();
        CLEANED.get_or_init(cleanup_stale);
        let name = unique_name(tag);
        run(Command::new("ip").args(["netns", "add", &name]))?;
        let ns = Netns {
            name,
            registry: Arc::default(),
        };
        ns.ip(&["link", "set", "lo", "up"])?;
        Ok(ns)
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A command that runs `program` inside the namespace (`ip netns exec NAME program`).
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]);
        c
    }

    /// Runs `argv` inside the namespace to completion and returns its stdout.
    pub fn exec(&self, argv: &[&str]) -> io::Result<String> {
        let (prog, args) = argv.split_first().ok_or_else(|| other_err("empty argv"))?;
        run(self.command(prog).args(args))
    }

    /// Runs a shell command line (`sh -c`) inside the namespace and returns its stdout.
    pub fn sh(&self, script: &str) -> io::Result<String> {
        self.exec(&["sh", "-c", script])
    }

    /// Starts `argv` inside the namespace; stdout and stderr go to `log` (or are discarded).
    pub fn spawn(&self, argv: &[&str], log: Option<&Path>) -> io::Result<ProcGuard> {
        let (prog, args) = argv.split_first().ok_or_else(|| other_err("empty argv"))?;
        let mut cmd = self.command(prog);
        cmd.args(args).stdin(Stdio::null());
        match log {
            Some(path) => {
                let f = fs::File::create(path)?;
                cmd.stdout(f.try_clone()?).stderr(f);
            }
            None => {
                cmd.stdout(Stdio::null()).stderr(Stdio::null());
            }
        }
        let mut reg = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        let child = cmd.spawn()?;
        reg.push(child.id());
        Ok(ProcGuard {
            child,
            label: format!("{} in {}", argv.join(" "), self.name),
            registry: Arc::clone(&self.registry),
            exit: None,
        })
    }

    /// Runs `ip -n NAME args...` and returns its stdout.
    pub fn ip(&self, args: &[&str]) -> io::Result<String> {
        run(Command::new("ip").args(["-n", &self.name]).args(args))
    }

    /// Runs `ip -n NAME` with a command line split on whitespace (`"addr add 10.0.0.1/24 dev
    /// eth0"`) and returns its stdout.
    pub fn ip_line(&self, line: &str) -> io::Result<String> {
        let args: Vec<&str> = line.split_whitespace().collect();
        self.ip(&args)
    }

    /// Runs `ip -n NAME -j args...` and parses the JSON answer.
    pub fn ip_json(&self, args: &[&str]) -> io::Result<Value> {
        let out = run(Command::new("ip").args(["-n", &self.name, "-j"]).args(args))?;
        if out.trim().is_empty() {
            return Ok(Value::Array(Vec::new()));
        }
        serde_json::from_str(&out).map_err(|e| other_err(format!("ip -j {args:?}: {e}")))
    }

    /// Sets an interface up.
    pub fn link_up(&self, ifname: &str) -> io::Result<()> {
        self.ip(&["link", "set", ifname, "up"]).map(drop)
    }

    /// Adds an address (`10.0.0.1/24`) to an interface and sets it up.
    pub fn add_addr(&self, ifname: &str, cidr: &str) -> io::Result<()> {
        self.ip(&["addr", "add", cidr, "dev", ifname])?;
        self.link_up(ifname)
    }

    /// Adds an address (`172.16.0.1/32`) to the loopback.
    pub fn add_loopback_addr(&self, cidr: &str) -> io::Result<()> {
        self.add_addr("lo", cidr)
    }

    /// Adds a route (`ip route add ARGS`), e.g. `["default", "via", "192.168.0.254"]`.
    pub fn add_route(&self, args: &[&str]) -> io::Result<()> {
        let mut v = vec!["route", "add"];
        v.extend_from_slice(args);
        self.ip(&v).map(drop)
    }

    /// Sets a sysctl inside the namespace (`net.ipv4.ip_forward`, `1`).
    pub fn sysctl(&self, key: &str, value: &str) -> io::Result<()> {
        self.exec(&["sysctl", "-q", "-w", &format!("{key}={value}")])
            .map(drop)
    }

    /// Turns on IPv4 forwarding and L4 (5-tuple) multipath hashing: a router's settings.
    pub fn enable_router_sysctls(&self) -> io::Result<()> {
        self.sysctl("net.ipv4.ip_forward", "1")?;
        self.sysctl("net.ipv4.fib_multipath_hash_policy", "1")
    }

    /// The routes of the main table for `prefix` (`ip -j route show PREFIX`).
    pub fn routes(&self, prefix: &str) -> io::Result<Value> {
        self.ip_json(&["route", "show", prefix])
    }

    /// The gateways of the route to exactly `prefix` (one per next hop, in kernel order);
    /// routes that point at nexthop objects are resolved with `ip -j nexthop`.
    pub fn route_nexthops(&self, prefix: &str) -> io::Result<Vec<Ipv4Addr>> {
        let routes = self.ip_json(&["route", "show", "exact", prefix])?;
        let mut out = Vec::new();
        for r in routes.as_array().into_iter().flatten() {
            if let Some(nhs) = r.get("nexthops").and_then(Value::as_array) {
                out.extend(nhs.iter().filter_map(gateway_of));
            } else if let Some(gw) = gateway_of(r) {
                out.push(gw);
            } else if let Some(id) = r.get("nhid").and_then(Value::as_u64) {
                out.extend(self.nexthop_object_gateways(id)?);
            }
        }
        Ok(out)
    }

    /// Gateways of nexthop object `id` (a group is expanded to its members, in order).
    pub fn nexthop_object_gateways(&self, id: u64) -> io::Result<Vec<Ipv4Addr>> {
        let v = self.ip_json(&["nexthop", "show", "id", &id.to_string()])?;
        let nh = match &v {
            Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        if let Some(group) = nh.get("group").and_then(Value::as_array) {
            let mut out = Vec::new();
            for m in group {
                if let Some(mid) = m.get("id").and_then(Value::as_u64) {
                    out.extend(self.nexthop_object_gateways(mid)?);
                }
            }
            Ok(out)
        } else {
            Ok(gateway_of(&nh).into_iter().collect())
        }
    }

    /// All nexthop objects (`ip -j nexthop show`).
    pub fn nexthops(&self) -> io::Result<Value> {
        self.ip_json(&["nexthop", "show"])
    }

    /// For each flow, the gateway the kernel's forwarding lookup picks (`ip route get`, in one
    /// `ip -batch` run). `None` for a flow means no route or a non-gateway answer.
    pub fn route_get_flows(&self, flows: &[Flow]) -> io::Result<Vec<Option<Ipv4Addr>>> {
        let mut script = String::new();
        for f in flows {
            script.push_str(&format!(
                "route get {} from {} iif {} ipproto tcp sport {} dport {}\n",
                f.dst, f.src, f.iif, f.sport, f.dport
            ));
        }
        let mut child = Command::new("ip")
            .args(["-n", &self.name, "-j", "-force", "-batch", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut stdin = child.stdin.take().ok_or_else(|| other_err("no stdin"))?;
        let writer = thread::spawn(move || stdin.write_all(script.as_bytes()));
        let out = child.wait_with_output()?;
        writer
            .join()
            .map_err(|_| other_err("writer thread panicked"))??;
        let text = String::from_utf8_lossy(&out.stdout);
        let mut answers = Vec::with_capacity(flows.len());
        for line in text.lines().filter(|l| l.trim_start().starts_with('[')) {
            let v: Value = serde_json::from_str(line)
                .map_err(|e| other_err(format!("route get answer {line:?}: {e}")))?;
            answers.push(v.as_array().and_then(|a| a.first()).and_then(gateway_of));
        }
        if answers.len() != flows.len() {
            // Some lookups failed (no route: `ip` prints an error and no answer for the line),
            // so answers cannot be matched to flows: ask one flow at a time.
            return Ok(flows.iter().map(|f| self.route_get_flow(f)).collect());
        }
        Ok(answers)
    }

    /// The gateway the kernel's forwarding lookup picks for one flow; `None` when there is no
    /// route or the answer has no gateway.
    pub fn route_get_flow(&self, f: &Flow) -> Option<Ipv4Addr> {
        let (dst, src, sport, dport) = (
            f.dst.to_string(),
            f.src.to_string(),
            f.sport.to_string(),
            f.dport.to_string(),
        );
        let v = self
            .ip_json(&[
                "route", "get", &dst, "from", &src, "iif", &f.iif, "ipproto", "tcp", "sport",
                &sport, "dport", &dport,
            ])
            .ok()?;
        v.as_array().and_then(|a| a.first()).and_then(gateway_of)
    }

    /// Starts capturing on `ifname` with `dumpcap` (Wireshark's capture engine) into `path`
    /// in libpcap format, with a BPF `filter` (e.g. `ip proto 89`; empty for everything);
    /// returns once the capture file exists.
    pub fn capture(&self, ifname: &str, filter: &str, path: &Path) -> io::Result<Capture> {
        let file = path.to_string_lossy().into_owned();
        let mut argv = vec!["dumpcap", "-q", "-P", "-i", ifname, "-w", &file];
        if !filter.is_empty() {
            argv.extend(["-f", filter]);
        }
        let _ = fs::remove_file(path);
        let mut proc = self.spawn(&argv, None)?;
        let started = wait_for(Duration::from_secs(10), Duration::from_millis(10), || {
            fs::metadata(path).ok().filter(|m| m.len() >= 24)
        });
        if started.is_err() {
            let running = proc.is_running();
            return Err(other_err(format!(
                "dumpcap on {ifname} in {} did not start (running: {running})",
                self.name
            )));
        }
        Ok(Capture {
            proc,
            path: path.to_owned(),
        })
    }

    /// Pids of every process in the namespace (`ip netns pids`).
    pub fn pids(&self) -> Vec<u32> {
        run(Command::new("ip").args(["netns", "pids", &self.name]))
            .map(|s| {
                s.split_whitespace()
                    .filter_map(|p| p.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        {
            let reg = self.registry.lock().unwrap_or_else(|e| e.into_inner());
            for pid in reg.iter() {
                let _ = send_signal(*pid, Signal::Kill);
            }
        }
        // Anything else still in the namespace (a daemon's own children) was started by us too.
        let rest = self.pids();
        for pid in rest {
            let _ = send_signal(pid, Signal::Kill);
        }
        let _ = run(Command::new("ip").args(["netns", "del", &self.name]));
    }
}

fn gateway_of(v: &Value) -> Option<Ipv4Addr> {
    v.get("gateway")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
}

/// One TCP flow for a forwarding lookup (`ip route get DST from SRC iif IIF ipproto tcp ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Source address.
    pub src: Ipv4Addr,
    /// Interface the packet arrives on.
    pub iif: String,
    /// TCP source port.
    pub sport: u16,
    /// TCP destination port.
    pub dport: u16,
}

impl Flow {
    /// `count` flows from `src` to `dst:dport` arriving on `iif`, with source ports
    /// `first_sport, first_sport + 1, ...`.
    pub fn range(
        src: Ipv4Addr,
        dst: Ipv4Addr,
        iif: &str,
        dport: u16,
        first_sport: u16,
        count: u16,
    ) -> Vec<Flow> {
        (0..count)
            .map(|i| Flow {
                dst,
                src,
                iif: iif.to_owned(),
                sport: first_sport.wrapping_add(i),
                dport,
            })
            .collect()
    }
}

/// Creates a veth pair directly inside the two namespaces: `a_if` in `a`, `b_if` in `b`, both up.
pub fn veth(a: &Netns, a_if: &str, b: &Netns, b_if: &str) -> io::Result<()> {
    a.ip(&[
        "link",
        "add",
        a_if,
        "type",
        "veth",
        "peer",
        "name",
        b_if,
        "netns",
        b.name(),
    ])?;
    a.link_up(a_if)?;
    b.link_up(b_if)
}

/// A running packet capture (see [`Netns::capture`]); dropping it kills the capture.
#[derive(Debug)]
pub struct Capture {
    proc: ProcGuard,
    path: PathBuf,
}

impl Capture {
    /// Stops the capture and returns the file's path. Waits 300 ms first, so that packets
    /// still in the kernel's capture buffer are written, then sends SIGTERM (dumpcap closes
    /// the file properly) and waits for dumpcap to exit.
    pub fn stop(mut self) -> io::Result<PathBuf> {
        thread::sleep(Duration::from_millis(300));
        self.proc.signal(Signal::Term)?;
        self.proc.wait_exit(Duration::from_secs(10))?;
        Ok(self.path.clone())
    }
}

/// A LAN segment: a Linux bridge `br0` in a namespace of its own.
#[derive(Debug)]
pub struct Bridge {
    ns: Netns,
    ports: AtomicUsize,
}

impl Bridge {
    /// Creates the segment's namespace and its bridge. The bridge never learns addresses
    /// (`ageing_time 0`): it floods every frame like a hub, so a capture on `br0` sees unicast
    /// OSPF packets (DD, LS requests and updates to one neighbor) as well as multicast.
    pub fn new(tag: &str) -> io::Result<Bridge> {
        let ns = Netns::new(tag)?;
        ns.ip(&["link", "add", "br0", "type", "bridge", "ageing_time", "0"])?;
        ns.link_up("br0")?;
        Ok(Bridge {
            ns,
            ports: AtomicUsize::new(0),
        })
    }

    /// The bridge's namespace (for captures: `netns().capture("br0", ...)`).
    pub fn netns(&self) -> &Netns {
        &self.ns
    }

    /// Connects `ifname` in `ns` to the segment (a veth whose other end is a bridge port).
    pub fn attach(&self, ns: &Netns, ifname: &str) -> io::Result<()> {
        let port = format!("p{}", self.ports.fetch_add(1, Ordering::Relaxed));
        veth(&self.ns, &port, ns, ifname)?;
        self.ns
            .ip(&["link", "set", &port, "master", "br0"])
            .map(drop)
    }

    /// The bridge port of the `n`-th [`Bridge::attach`] (from 0).
    pub fn port(n: usize) -> String {
        format!("p{n}")
    }

    /// Silences the `n`-th attached link (`false`) or lets it forward again (`true`): the
    /// bridge port's STP state goes to disabled (the bridge drops every frame from and to
    /// it) or back to forwarding. Both ends of the link stay up, carrier included, so the
    /// systems on it see a silent link, not a link down: only a protocol's own liveness
    /// check (OSPF's dead interval, BFD) can notice.
    pub fn set_forwarding(&self, n: usize, forwarding: bool) -> io::Result<()> {
        // (`ip link set PORT type bridge_slave state N` answers success and changes
        // nothing on iproute2 6.1; `bridge link set` does it.)
        let port = Self::port(n);
        let (state, name) = if forwarding {
            ("3", "forwarding")
        } else {
            ("0", "disabled")
        };
        self.ns
            .exec(&["bridge", "link", "set", "dev", &port, "state", state])?;
        let now = self.ns.exec(&["bridge", "link", "show", "dev", &port])?;
        if now.contains(&format!("state {name} ")) {
            Ok(())
        } else {
            Err(other_err(format!(
                "bridge port {port} is not {name} after `bridge link set`: {now}"
            )))
        }
    }
}

/// A scratch directory under the system temp dir, removed on drop; world-writable so that
/// daemons that drop privileges can write pid files and sockets into it.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Creates `/tmp/ospfrs-<tag>-<pid>-<n>`.
    pub fn new(tag: &str) -> io::Result<ScratchDir> {
        let path = std::env::temp_dir().join(unique_name(tag));
        fs::create_dir_all(&path)?;
        run(Command::new("chmod").arg("777").arg(&path))?;
        Ok(ScratchDir { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// The user FRR daemons run as: `root` when root is in the `frrvty` group, else `frr` (FRR
/// refuses to start as a user outside its vty group; the `frr` user is in it on Debian).
fn frr_user() -> &'static str {
    static USER: OnceLock<&'static str> = OnceLock::new();
    USER.get_or_init(|| {
        let groups = fs::read_to_string("/etc/group").unwrap_or_default();
        let root_in_vty = groups.lines().any(|l| {
            let mut f = l.split(':');
            f.next() == Some("frrvty")
                && f.nth(2).is_some_and(|m| m.split(',').any(|u| u == "root"))
        });
        if root_in_vty { "root" } else { "frr" }
    })
}

/// An FRR router (zebra + ospfd) in a namespace, with its own config, pid and socket directory.
///
/// The daemons run in the foreground under [`ProcGuard`]s, so they are stopped by pid; their
/// logs are `zebra.log` and `ospfd.log` in [`Frr::dir`]. They run as the `frr` user (which
/// keeps the capabilities it needs) unless root is a member of `frrvty`: FRR refuses to start
/// as a user outside its vty group, and this way no system group has to be changed.
#[derive(Debug)]
pub struct Frr {
    ns_name: String,
    ospfd: Option<ProcGuard>,
    bfdd: Option<ProcGuard>,
    zebra: Option<ProcGuard>,
    dir: ScratchDir,
    /// FRR's `-N` path space, when started with [`Frr::start_in_pathspace`].
    pathspace: Option<String>,
}

impl Frr {
    /// Writes `zebra.conf` and `ospfd.conf` and starts zebra, then ospfd, inside `ns`; returns
    /// once ospfd answers on its vty socket.
    pub fn start(ns: &Netns, zebra_conf: &str, ospfd_conf: &str) -> io::Result<Frr> {
        Self::start_with(ns, zebra_conf, ospfd_conf, None)
    }

    /// As [`Frr::start`], with FRR's `-N` path space named after the namespace: the
    /// state FRR keeps outside its configured paths (ospfd's graceful restart state,
    /// `/var/run/frr/NAME/ospfd-gr.json`) is then this router's alone, so another FRR
    /// starting meanwhile does not take it for its own. The directory is removed on drop.
    pub fn start_in_pathspace(ns: &Netns, zebra_conf: &str, ospfd_conf: &str) -> io::Result<Frr> {
        Self::start_with(ns, zebra_conf, ospfd_conf, Some(ns.name().to_owned()))
    }

    fn start_with(
        ns: &Netns,
        zebra_conf: &str,
        ospfd_conf: &str,
        pathspace: Option<String>,
    ) -> io::Result<Frr> {
        let dir = ScratchDir::new("frr")?;
        let d = dir.path().to_owned();
        fs::write(d.join("zebra.conf"), zebra_conf)?;
        fs::write(d.join("ospfd.conf"), ospfd_conf)?;
        let zebra = Self::daemon(ns, &d, FRR_ZEBRA, "zebra", pathspace.as_deref())?;
        let mut frr = Frr {
            ns_name: ns.name().to_owned(),
            ospfd: None,
            bfdd: None,
            zebra: Some(zebra),
            dir,
            pathspace,
        };
        frr.wait_socket("zebra")?;
        let ps = frr.pathspace.clone();
        frr.ospfd = Some(Self::daemon(ns, &d, FRR_OSPFD, "ospfd", ps.as_deref())?);
        frr.wait_socket("ospfd")?;
        Ok(frr)
    }

    /// As [`Frr::start`], with bfdd (`bfdd.conf`, e.g. a `bfd` / `profile` block) started
    /// after zebra and before ospfd, so that ospfd's `ip ospf bfd` sessions are registered
    /// with a running bfdd. bfdd's control socket is in [`Frr::dir`] (its default path is
    /// shared by every namespace); its log is `bfdd.log`.
    pub fn start_with_bfdd(
        ns: &Netns,
        zebra_conf: &str,
        bfdd_conf: &str,
        ospfd_conf: &str,
    ) -> io::Result<Frr> {
        let dir = ScratchDir::new("frr")?;
        let d = dir.path().to_owned();
        fs::write(d.join("zebra.conf"), zebra_conf)?;
        fs::write(d.join("bfdd.conf"), bfdd_conf)?;
        fs::write(d.join("ospfd.conf"), ospfd_conf)?;
        let zebra = Self::daemon(ns, &d, FRR_ZEBRA, "zebra", None)?;
        let mut frr = Frr {
            ns_name: ns.name().to_owned(),
            ospfd: None,
            bfdd: None,
            zebra: Some(zebra),
            dir,
            pathspace: None,
        };
        frr.wait_socket("zebra")?;
        let ctl = d.join("bfdd.sock").to_string_lossy().into_owned();
        frr.bfdd = Some(Self::daemon_with(
            ns,
            &d,
            FRR_BFDD,
            "bfdd",
            None,
            &["--bfdctl", &ctl],
        )?);
        frr.wait_socket("bfdd")?;
        frr.ospfd = Some(Self::daemon(ns, &d, FRR_OSPFD, "ospfd", None)?);
        frr.wait_socket("ospfd")?;
        Ok(frr)
    }

    fn daemon(
        ns: &Netns,
        d: &Path,
        bin: &str,
        name: &str,
        pathspace: Option<&str>,
    ) -> io::Result<ProcGuard> {
        Self::daemon_with(ns, d, bin, name, pathspace, &[])
    }

    fn daemon_with(
        ns: &Netns,
        d: &Path,
        bin: &str,
        name: &str,
        pathspace: Option<&str>,
        extra: &[&str],
    ) -> io::Result<ProcGuard> {
        let p = |f: &str| d.join(f).to_string_lossy().into_owned();
        let (pid, api, conf, log) = (
            p(&format!("{name}.pid")),
            p("zserv.api"),
            p(&format!("{name}.conf")),
            d.join(format!("{name}.log")),
        );
        let user = frr_user();
        let dir = d.to_string_lossy();
        let mut argv = vec![
            bin,
            "-u",
            user,
            "-g",
            user,
            "-i",
            &pid,
            "-z",
            &api,
            "--vty_socket",
            &dir,
            "-f",
            &conf,
            "--log",
            "stdout",
        ];
        if let Some(ps) = pathspace {
            argv.extend(["-N", ps]);
        }
        argv.extend_from_slice(extra);
        ns.spawn(&argv, Some(&log))
    }

    fn wait_socket(&mut self, name: &str) -> io::Result<()> {
        let sock = self.dir.path().join(format!("{name}.vty"));
        let res = wait_for(Duration::from_secs(10), Duration::from_millis(20), || {
            sock.exists().then_some(())
        });
        res.map(drop).map_err(|_| {
            let log = fs::read_to_string(self.dir.path().join(format!("{name}.log")));
            other_err(format!(
                "FRR {name} in {} did not open {}: {}",
                self.ns_name,
                sock.display(),
                log.unwrap_or_default()
            ))
        })
    }

    /// The directory holding configs, pid files, vty sockets and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs one vtysh command (`vtysh --vty_socket DIR -c CMD`) and returns its output.
    pub fn vtysh(&self, cmd: &str) -> io::Result<String> {
        run(Command::new("ip").args([
            "netns",
            "exec",
            &self.ns_name,
            "vtysh",
            "--vty_socket",
            &self.dir.path().to_string_lossy(),
            "-c",
            cmd,
        ]))
    }

    /// Runs configuration commands in vtysh (`configure terminal`, then each of `lines`),
    /// e.g. `["interface eth0", "ip ospf message-digest-key 1 md5 k"]`.
    pub fn configure(&self, lines: &[&str]) -> io::Result<String> {
        let dir = self.dir.path().to_string_lossy().into_owned();
        let mut c = Command::new("ip");
        c.args([
            "netns",
            "exec",
            &self.ns_name,
            "vtysh",
            "--vty_socket",
            &dir,
        ])
        .args(["-c", "configure terminal"]);
        for l in lines {
            c.args(["-c", l]);
        }
        run(&mut c)
    }

    /// Runs a vtysh `... json` command and parses its output.
    pub fn vtysh_json(&self, cmd: &str) -> io::Result<Value> {
        let out = self.vtysh(cmd)?;
        serde_json::from_str(&out).map_err(|e| other_err(format!("vtysh {cmd:?}: {e}: {out}")))
    }

    /// `(neighbor router id, state)` pairs from `show ip ospf neighbor json`,
    /// e.g. `("10.0.0.1", "Full/DR")`.
    pub fn ospf_neighbors(&self) -> io::Result<Vec<(String, String)>> {
        let v = self.vtysh_json("show ip ospf neighbor json")?;
        let mut out = Vec::new();
        if let Some(map) = v.get("neighbors").and_then(Value::as_object) {
            for (id, entries) in map {
                for e in entries.as_array().into_iter().flatten() {
                    if let Some(state) = e.get("nbrState").and_then(Value::as_str) {
                        out.push((id.clone(), state.to_owned()));
                    }
                }
            }
        }
        Ok(out)
    }

    /// How many neighbors are Full.
    pub fn full_neighbors(&self) -> usize {
        self.ospf_neighbors()
            .map(|n| n.iter().filter(|(_, s)| s.starts_with("Full")).count())
            .unwrap_or(0)
    }

    /// The running ospfd, if any (to signal it by pid).
    pub fn ospfd(&mut self) -> Option<&mut ProcGuard> {
        self.ospfd.as_mut()
    }

    /// Sends `signal` to ospfd.
    pub fn signal_ospfd(&mut self, signal: Signal) -> io::Result<()> {
        self.ospfd
            .as_mut()
            .ok_or_else(|| other_err("ospfd is not running"))?
            .signal(signal)
    }

    /// Starts ospfd again (after it was stopped or killed) with the same config and
    /// directory; `ns` must be the namespace the router was started in.
    pub fn restart_ospfd(&mut self, ns: &Netns) -> io::Result<()> {
        if ns.name() != self.ns_name {
            return Err(other_err(format!(
                "FRR runs in {}, not in {}",
                self.ns_name,
                ns.name()
            )));
        }
        if let Some(mut old) = self.ospfd.take() {
            old.stop(Duration::from_secs(2));
        }
        let _ = fs::remove_file(self.dir.path().join("ospfd.vty"));
        let d = self.dir.path().to_owned();
        let ps = self.pathspace.clone();
        self.ospfd = Some(Self::daemon(ns, &d, FRR_OSPFD, "ospfd", ps.as_deref())?);
        self.wait_socket("ospfd")
    }

    /// Stops ospfd, then bfdd if it runs, then zebra (SIGTERM, SIGKILL after a grace
    /// period).
    pub fn stop(&mut self) {
        for g in [self.ospfd.take(), self.bfdd.take(), self.zebra.take()]
            .into_iter()
            .flatten()
        {
            let mut g = g;
            g.stop(Duration::from_secs(2));
        }
    }
}

impl Drop for Frr {
    fn drop(&mut self) {
        self.stop();
        if let Some(ps) = &self.pathspace {
            let _ = fs::remove_dir_all(Path::new("/var/run/frr").join(ps));
        }
    }
}

/// Minimal FRR configs for the testbed.
pub mod frr_conf {
    /// A `zebra.conf` with only a hostname.
    pub fn zebra(hostname: &str) -> String {
        format!("hostname {hostname}\n")
    }

    /// An `ospfd.conf`: router id, `(interface, point_to_point)` interfaces with the given
    /// hello/dead intervals, area-0 `networks`, and optional passive interfaces.
    pub fn ospfd(
        router_id: &str,
        interfaces: &[(&str, bool)],
        hello: u32,
        dead: u32,
        networks: &[&str],
        passive: &[&str],
    ) -> String {
        let mut s = String::new();
        for (ifname, p2p) in interfaces {
            s.push_str(&format!(
                "interface {ifname}\n ip ospf hello-interval {hello}\n ip ospf dead-interval {dead}\n"
            ));
            if *p2p {
                s.push_str(" ip ospf network point-to-point\n");
            }
            s.push_str("!\n");
        }
        s.push_str(&format!("router ospf\n ospf router-id {router_id}\n"));
        for n in networks {
            s.push_str(&format!(" network {n} area 0\n"));
        }
        for p in passive {
            s.push_str(&format!(" passive-interface {p}\n"));
        }
        s.push_str("!\n");
        s
    }
}

/// A BIRD 2 router in a namespace (`bird -f -c CONF -s CTL -P PID`), stopped by pid.
#[derive(Debug)]
pub struct Bird {
    ns_name: String,
    proc: Option<ProcGuard>,
    dir: ScratchDir,
}

impl Bird {
    /// Writes `bird.conf` and starts BIRD in `ns`; returns once its control socket answers.
    pub fn start(ns: &Netns, conf: &str) -> io::Result<Bird> {
        let dir = ScratchDir::new("bird")?;
        let d = dir.path();
        fs::write(d.join("bird.conf"), conf)?;
        let proc = Self::spawn(ns, d, false)?;
        let mut bird = Bird {
            ns_name: ns.name().to_owned(),
            proc: Some(proc),
            dir,
        };
        let ready = wait_for(Duration::from_secs(10), Duration::from_millis(20), || {
            bird.birdc("show status").ok()
        });
        if ready.is_err() {
            let running = bird.proc.as_mut().is_some_and(ProcGuard::is_running);
            let log = fs::read_to_string(bird.dir.path().join("bird.log")).unwrap_or_default();
            return Err(other_err(format!(
                "BIRD in {} not ready (running: {running}): {log}",
                bird.ns_name
            )));
        }
        Ok(bird)
    }

    /// Runs `bird` in the foreground in `ns` with its config, control socket, pid file and
    /// log in `d`; `recovery` adds `-R` (graceful restart recovery) and logs to
    /// `bird-recovery.log`.
    fn spawn(ns: &Netns, d: &Path, recovery: bool) -> io::Result<ProcGuard> {
        let s = |f: &str| d.join(f).to_string_lossy().into_owned();
        let mut argv = vec!["bird", "-f"];
        if recovery {
            argv.push("-R");
        }
        let (conf, ctl, pid) = (s("bird.conf"), s("bird.ctl"), s("bird.pid"));
        argv.extend(["-c", &conf, "-s", &ctl, "-P", &pid]);
        let log = if recovery {
            "bird-recovery.log"
        } else {
            "bird.log"
        };
        ns.spawn(&argv, Some(&d.join(log)))
    }

    /// The directory holding config, control socket, pid file and log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs one birdc command and returns its output.
    pub fn birdc(&self, cmd: &str) -> io::Result<String> {
        let ctl = self.dir.path().join("bird.ctl");
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.ns_name, "birdc", "-s"])
            .arg(&ctl)
            .args(cmd.split_whitespace());
        run(&mut c)
    }

    /// `(router id, state)` pairs from `show ospf neighbors`, e.g. `("10.0.0.1", "Full/PtP")`.
    pub fn ospf_neighbors(&self) -> io::Result<Vec<(String, String)>> {
        let out = self.birdc("show ospf neighbors")?;
        Ok(out
            .lines()
            .filter_map(|l| {
                let mut f = l.split_whitespace();
                let id = f.next()?;
                id.parse::<Ipv4Addr>().ok()?;
                let _pri = f.next()?;
                Some((id.to_owned(), f.next()?.to_owned()))
            })
            .collect())
    }

    /// How many neighbors are Full.
    pub fn full_neighbors(&self) -> usize {
        self.ospf_neighbors()
            .map(|n| n.iter().filter(|(_, s)| s.starts_with("Full")).count())
            .unwrap_or(0)
    }

    /// The first half of a planned graceful restart as BIRD 2 does it: `birdc graceful
    /// restart` (protocols that can, e.g. OSPF with `graceful restart yes`, announce the
    /// restart: Grace-LSAs; then BIRD exits without flushing its LSAs). Returns
    /// how long BIRD took to exit after the command. [`Bird::start_recovery`] is the
    /// second half.
    pub fn graceful_restart_exit(&mut self) -> io::Result<Duration> {
        let sent = Instant::now();
        self.birdc("graceful restart")?;
        let mut old = self
            .proc
            .take()
            .ok_or_else(|| other_err("BIRD is not running"))?;
        old.wait_exit(Duration::from_secs(30))?;
        Ok(sent.elapsed())
    }

    /// Starts BIRD again with the same config and directory in graceful restart recovery
    /// (`bird -R`, logging to `bird-recovery.log`); returns when its control socket
    /// answers. `ns` must be the namespace it was started in.
    pub fn start_recovery(&mut self, ns: &Netns) -> io::Result<()> {
        if ns.name() != self.ns_name {
            return Err(other_err(format!(
                "BIRD runs in {}, not in {}",
                self.ns_name,
                ns.name()
            )));
        }
        self.stop();
        let d = self.dir.path().to_owned();
        let _ = fs::remove_file(d.join("bird.ctl"));
        self.proc = Some(Self::spawn(ns, &d, true)?);
        wait_for(Duration::from_secs(10), Duration::from_millis(20), || {
            self.birdc("show status").ok()
        })
        .map(drop)
        .map_err(|e| other_err(format!("BIRD in {} not back: {e}", self.ns_name)))
    }

    /// Stops BIRD (SIGTERM, SIGKILL after a grace period).
    pub fn stop(&mut self) {
        if let Some(mut p) = self.proc.take() {
            p.stop(Duration::from_secs(2));
        }
    }
}

impl Drop for Bird {
    fn drop(&mut self) {
        self.stop();
    }
}

fn python3() -> io::Result<&'static str> {
    static PY: OnceLock<Option<String>> = OnceLock::new();
    // Resolve the interpreter once (a version-manager shim would otherwise sit in between).
    PY.get_or_init(|| {
        run(Command::new("python3").args(["-c", "import sys; print(sys.executable)"]))
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    })
    .as_deref()
    .ok_or_else(|| other_err("python3 is not available"))
}

/// A tiny HTTP server (`python3 -m http.server`) in a namespace whose `/` answers with a
/// fixed body (the server id).
#[derive(Debug)]
pub struct HttpServer {
    proc: ProcGuard,
    _dir: ScratchDir,
}

impl HttpServer {
    /// Serves `body` at `/` on `0.0.0.0:port` inside `ns`; returns once the port accepts.
    pub fn start(ns: &Netns, port: u16, body: &str) -> io::Result<HttpServer> {
        let dir = ScratchDir::new("http")?;
        fs::write(dir.path().join("index.html"), body)?;
        let py = python3()?;
        let proc = ns.spawn(
            &[
                py,
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "0.0.0.0",
                "--directory",
                &dir.path().to_string_lossy(),
            ],
            Some(&dir.path().join("http.log")),
        )?;
        let mut srv = HttpServer { proc, _dir: dir };
        let probe = format!(
            "import socket; socket.create_connection(('127.0.0.1', {port}), timeout=1).close()"
        );
        wait_for(Duration::from_secs(10), Duration::from_millis(50), || {
            ns.exec(&[py, "-c", &probe]).ok()
        })
        .map_err(|_| {
            other_err(format!(
                "HTTP server in {} not listening on {port} (running: {})",
                ns.name(),
                srv.proc.is_running()
            ))
        })?;
        Ok(srv)
    }

    /// The server process.
    pub fn process(&mut self) -> &mut ProcGuard {
        &mut self.proc
    }
}

/// Makes one HTTP/1.0 GET per source port from `ns` (bound to `src`) to `http://dst:dport/` and
/// returns the body per request (`None` when the request failed). Runs as one process.
pub fn http_get_from_ports(
    ns: &Netns,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    dport: u16,
    sports: &[u16],
    timeout: Duration,
) -> io::Result<Vec<Option<String>>> {
    const SCRIPT: &str = r#"
import json, socket, sys
src, dst, dport, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
out = []
for p in [int(x) for x in sys.argv[5].split(',') if x]:
    try:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(timeout)
        s.bind((src, p))
        s.connect((dst, dport))
        s.sendall(b"GET / HTTP/1.0\r\nHost: test\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        ok = head.split(b" ")[1:2] == [b"200"]
        out.append(body.decode("utf-8", "replace").strip() if ok else None)
    except Exception:
        out.append(None)
print(json.dumps(out))
"#;
    let ports = sports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let out = ns.exec(&[
        python3()?,
        "-c",
        SCRIPT,
        &src.to_string(),
        &dst.to_string(),
        &dport.to_string(),
        &timeout.as_secs_f64().to_string(),
        &ports,
    ])?;
    serde_json::from_str(&out).map_err(|e| other_err(format!("client output {out:?}: {e}")))
}

/// The condition was not met in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut {
    /// How long the caller waited.
    pub waited: Duration,
}

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "condition not met within {:?}", self.waited)
    }
}

impl std::error::Error for TimedOut {}

/// Calls `probe` every `interval` until it returns `Some`, for at most `timeout`; returns the
/// value and the time elapsed since the call began.
pub fn wait_for<T>(
    timeout: Duration,
    interval: Duration,
    mut probe: impl FnMut() -> Option<T>,
) -> Result<(T, Duration), TimedOut> {
    let start = Instant::now();
    loop {
        if let Some(v) = probe() {
            return Ok((v, start.elapsed()));
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(TimedOut { waited });
        }
        thread::sleep(interval.min(timeout - waited));
    }
}

/// Flows (by index) whose gateway changed between `before` and `after`, counting only flows
/// that were on a gateway that is still present afterwards: `(moved, on_survivors)`.
pub fn flows_moved(
    before: &[Option<Ipv4Addr>],
    after: &[Option<Ipv4Addr>],
    removed: Ipv4Addr,
) -> (usize, usize) {
    let survivors: BTreeSet<Ipv4Addr> = after.iter().flatten().copied().collect();
    let mut on_survivors = 0;
    let mut moved = 0;
    for (b, a) in before.iter().zip(after) {
        let Some(b) = b else { continue };
        if *b != removed && survivors.contains(b) {
            on_survivors += 1;
            if a.as_ref() != Some(b) {
                moved += 1;
            }
        }
    }
    (moved, on_survivors)
}

impl Netns {
    /// Moves the calling thread into the namespace until the returned guard is dropped, so
    /// sockets opened meanwhile (our runtime's, say) live there.
    pub fn enter(&self) -> io::Result<Entered> {
        crate::netns::enter_named(&self.name)
    }

    /// The kernel's routes of protocol `proto` (`ospf`, `bird`, `kernel`, ...) in the main
    /// table: prefix (`10.0.0.0/24`, host routes with `/32`) to its set of gateways (resolving
    /// multipath routes and nexthop objects). A directly attached route has no gateway.
    pub fn kernel_routes(&self, proto: &str) -> io::Result<BTreeMap<String, BTreeSet<Ipv4Addr>>> {
        let routes = self.ip_json(&["-4", "route", "show", "proto", proto])?;
        let mut out: BTreeMap<String, BTreeSet<Ipv4Addr>> = BTreeMap::new();
        for r in routes.as_array().into_iter().flatten() {
            let Some(dst) = r.get("dst").and_then(Value::as_str) else {
                continue;
            };
            let dst = if dst.contains('/') {
                dst.to_owned()
            } else {
                format!("{dst}/32")
            };
            let e = out.entry(dst).or_default();
            if let Some(nhs) = r.get("nexthops").and_then(Value::as_array) {
                e.extend(nhs.iter().filter_map(gateway_of));
            } else if let Some(gw) = gateway_of(r) {
                e.insert(gw);
            } else if let Some(id) = r.get("nhid").and_then(Value::as_u64) {
                e.extend(self.nexthop_object_gateways(id)?);
            }
        }
        Ok(out)
    }
}

/// One LSA's identity and instance, as every implementation shows it: type, link state
/// ID, advertising router, sequence number and checksum. Ages are left out (they differ by
/// when each router was asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LsaId {
    /// LS type (1 router, 2 network, 3 summary, 4 ASBR summary, 5 AS external, 7 NSSA).
    pub lsa_type: u8,
    /// Link state ID.
    pub lsid: Ipv4Addr,
    /// Advertising router.
    pub adv_router: Ipv4Addr,
    /// LS sequence number.
    pub seq: u32,
    /// Fletcher checksum.
    pub checksum: u16,
}

impl std::fmt::Display for LsaId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "type {} {} adv {} seq 0x{:08x} cksum 0x{:04x}",
            self.lsa_type, self.lsid, self.adv_router, self.seq, self.checksum
        )
    }
}

/// The LSAs of FRR's `show ip ospf database json` (every area, AS scope included).
pub fn frr_lsdb(json: &Value) -> BTreeSet<LsaId> {
    fn kind(key: &str) -> Option<u8> {
        Some(match key {
            "routerLinkStates" => 1,
            "networkLinkStates" => 2,
            "summaryLinkStates" => 3,
            "asbrSummaryLinkStates" => 4,
            "asExternalLinkStates" => 5,
            "nssaExternalLinkStates" => 7,
            _ => return None,
        })
    }
    fn collect(obj: &serde_json::Map<String, Value>, out: &mut BTreeSet<LsaId>) {
        for (k, v) in obj {
            let Some(t) = kind(k) else { continue };
            for l in v.as_array().into_iter().flatten() {
                let ip = |f: &str| l.get(f).and_then(Value::as_str)?.parse::<Ipv4Addr>().ok();
                let hex = |f: &str| {
                    u32::from_str_radix(
                        l.get(f).and_then(Value::as_str)?.trim_start_matches("0x"),
                        16,
                    )
                    .ok()
                };
                if let (Some(lsid), Some(adv), Some(seq), Some(ck)) = (
                    ip("lsId"),
                    ip("advertisedRouter"),
                    hex("sequenceNumber"),
                    hex("checksum"),
                ) {
                    out.insert(LsaId {
                        lsa_type: t,
                        lsid,
                        adv_router: adv,
                        seq,
                        checksum: u16::try_from(ck).unwrap_or(u16::MAX),
                    });
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    if let Some(top) = json.as_object() {
        collect(top, &mut out);
    }
    for area in json
        .get("areas")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
    {
        if let Some(a) = area.as_object() {
            collect(a, &mut out);
        }
    }
    out
}

/// The LSAs of BIRD's `birdc show ospf lsadb` (lines `TTTT  LSID  ROUTER  SEQ  AGE  CKSUM`).
pub fn bird_lsdb(text: &str) -> BTreeSet<LsaId> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() != 6 {
                return None;
            }
            let lsa_type = u8::try_from(u16::from_str_radix(f[0], 16).ok()?).ok()?;
            Some(LsaId {
                lsa_type,
                lsid: f[1].parse().ok()?,
                adv_router: f[2].parse().ok()?,
                seq: u32::from_str_radix(f[3], 16).ok()?,
                checksum: u16::from_str_radix(f[5], 16).ok()?,
            })
        })
        .collect()
}

impl Frr {
    /// FRR's LSDB (`show ip ospf database json`).
    pub fn lsdb(&self) -> io::Result<BTreeSet<LsaId>> {
        self.vtysh_json("show ip ospf database json")
            .map(|v| frr_lsdb(&v))
    }

    /// Router ids of the DR and BDR on `ifname` from `show ip ospf interface IF json`
    /// (`None` when there is none).
    pub fn dr_bdr(&self, ifname: &str) -> io::Result<(Option<Ipv4Addr>, Option<Ipv4Addr>)> {
        let v = self.vtysh_json(&format!("show ip ospf interface {ifname} json"))?;
        let i = v
            .get("interfaces")
            .and_then(|m| m.get(ifname))
            .or_else(|| v.get(ifname))
            .cloned()
            .unwrap_or(Value::Null);
        let id = |k: &str| {
            i.get(k)
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<Ipv4Addr>().ok())
                .filter(|a| !a.is_unspecified())
        };
        Ok((id("drId"), id("bdrId")))
    }
}

impl Bird {
    /// BIRD's LSDB (`show ospf lsadb`).
    pub fn lsdb(&self) -> io::Result<BTreeSet<LsaId>> {
        self.birdc("show ospf lsadb").map(|t| bird_lsdb(&t))
    }

    /// Router ids of the DR and BDR on `ifname` from `show ospf interface`.
    pub fn dr_bdr(&self, ifname: &str) -> io::Result<(Option<Ipv4Addr>, Option<Ipv4Addr>)> {
        let out = self.birdc(&format!("show ospf interface \"{ifname}\""))?;
        let id = |k: &str| {
            out.lines()
                .find_map(|l| l.trim().strip_prefix(k))
                .and_then(|r| r.trim().parse::<Ipv4Addr>().ok())
                .filter(|a| !a.is_unspecified())
        };
        Ok((
            id("Designated router (ID):"),
            id("Backup designated router (ID):"),
        ))
    }

    /// Starts BIRD again (after [`Bird::stop`] or a kill) with the same config and directory;
    /// `ns` must be the namespace it was started in.
    pub fn restart(&mut self, ns: &Netns) -> io::Result<()> {
        if ns.name() != self.ns_name {
            return Err(other_err(format!(
                "BIRD runs in {}, not in {}",
                self.ns_name,
                ns.name()
            )));
        }
        self.stop();
        let _ = fs::remove_file(self.dir.path().join("bird.ctl"));
        self.proc = Some(Self::spawn(ns, self.dir.path(), false)?);
        wait_for(Duration::from_secs(10), Duration::from_millis(20), || {
            self.birdc("show status").ok()
        })
        .map(drop)
        .map_err(|e| {
            other_err(format!(
                "BIRD in {} not ready after restart: {e}",
                self.ns_name
            ))
        })
    }
}

type Job = Box<dyn FnOnce(&mut Runtime) + Send>;

/// Our [`Runtime`] inside a namespace, on a thread of its own that steps it every few
/// milliseconds. [`OspfRs::with`] runs a closure on that thread with the runtime (for
/// queries such as [`Instance::lsdb`](ospf_core::instance::Instance::lsdb)); [`OspfRs::kill`]
/// stops it abruptly (no flush, no goodbye: a crash as its neighbors see it) and
/// [`OspfRs::shutdown`] gracefully. Dropping it kills it.
#[derive(Debug)]
pub struct OspfRs {
    handle: RuntimeHandle,
    jobs: mpsc::Sender<Job>,
    kill: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<Result<(), String>>>,
}

impl OspfRs {
    /// Parses `conf` (the `ospfd.conf` dialect) and runs it in `ns`; routes go to the
    /// namespace's kernel table when `kernel_fib`, else to memory.
    pub fn start(ns: &Netns, conf: &str, kernel_fib: bool) -> io::Result<OspfRs> {
        Self::spawn(ns, conf, kernel_fib.then(KernelFibConfig::default), None)
    }

    /// Like [`OspfRs::start`] with a kernel FIB ready for graceful restart (RFC 3623):
    /// routes of an earlier run in the namespace are adopted instead of deleted,
    /// [`OspfRs::kill`] leaves ours in the kernel (a crash), and a prepared restart is
    /// recorded in `state_dir` for the next runtime started here.
    pub fn start_graceful(ns: &Netns, conf: &str, state_dir: &Path) -> io::Result<OspfRs> {
        let fib = KernelFibConfig {
            adopt_stale: true,
            flush_on_drop: false,
            ..KernelFibConfig::default()
        };
        Self::spawn(ns, conf, Some(fib), Some(state_dir.to_path_buf()))
    }

    fn spawn(
        ns: &Netns,
        conf: &str,
        kernel_fib: Option<KernelFibConfig>,
        state_dir: Option<PathBuf>,
    ) -> io::Result<OspfRs> {
        let conf = OspfdConf::parse(conf).map_err(|e| other_err(format!("{e}")))?;
        let name = ns.name().to_owned();
        let (htx, hrx) = mpsc::channel();
        let (jobs, jrx) = mpsc::channel::<Job>();
        let kill = Arc::new(AtomicBool::new(false));
        let k = Arc::clone(&kill);
        let thread = thread::spawn(move || -> Result<(), String> {
            let setup = || -> Result<Runtime, String> {
                let _entered = crate::netns::enter_named(&name).map_err(|e| e.to_string())?;
                // The thread stays in the namespace: the runtime's sockets and netlink
                // requests are made from here.
                std::mem::forget(_entered);
                let mut cfg = RuntimeConfig::new(conf);
                cfg.handle_signals = false;
                cfg.shutdown_timeout = Duration::from_secs(3);
                cfg.state_dir = state_dir;
                if let Some(k) = kernel_fib {
                    cfg.fib = Box::new(KernelFib::new(k).map_err(|e| e.to_string())?);
                }
                Runtime::new(cfg).map_err(|e| e.to_string())
            };
            let mut rt = match setup() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = htx.send(Err(e.clone()));
                    return Err(e);
                }
            };
            let _ = htx.send(Ok(rt.handle()));
            while !rt.is_finished() && !k.load(Ordering::Acquire) {
                rt.step(Some(Duration::from_millis(5)))
                    .map_err(|e| e.to_string())?;
                while let Ok(job) = jrx.try_recv() {
                    job(&mut rt);
                }
            }
            Ok(())
        });
        let handle = hrx
            .recv()
            .map_err(|_| other_err("runtime thread ended before it started"))?
            .map_err(other_err)?;
        Ok(OspfRs {
            handle,
            jobs,
            kill,
            thread: Some(thread),
        })
    }

    /// The runtime's handle (control commands).
    pub fn handle(&self) -> &RuntimeHandle {
        &self.handle
    }

    /// Runs a control command and returns its answer.
    pub fn request(&self, cmd: ospf_std::control::Command) -> String {
        self.handle.request(cmd)
    }

    /// Runs `f` on the runtime's thread and returns its result (`None` once the runtime
    /// stopped).
    pub fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Runtime) -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = mpsc::channel();
        self.jobs
            .send(Box::new(move |rt| {
                let _ = tx.send(f(rt));
            }))
            .ok()?;
        rx.recv_timeout(Duration::from_secs(30)).ok()
    }

    /// Our LSDB (every scope).
    pub fn lsdb(&self) -> BTreeSet<LsaId> {
        self.with(|rt| {
            rt.instance()
                .lsdb(ospf_core::time::Instant::ZERO)
                .map(|l| LsaId {
                    lsa_type: l.key.lsa_type,
                    lsid: l.key.lsid,
                    adv_router: l.key.adv_router,
                    seq: l.header.seq,
                    checksum: l.header.checksum,
                })
                .collect()
        })
        .unwrap_or_default()
    }

    /// `(router id, state)` of every neighbor.
    pub fn neighbors(&self) -> Vec<(Ipv4Addr, NeighborState)> {
        self.with(|rt| {
            rt.instance()
                .neighbors()
                .map(|n| (n.router_id, n.state))
                .collect()
        })
        .unwrap_or_default()
    }

    /// How many neighbors are Full.
    pub fn full_neighbors(&self) -> usize {
        self.neighbors()
            .iter()
            .filter(|(_, s)| *s == NeighborState::Full)
            .count()
    }

    /// Router ids of the DR and BDR on the interface with address `addr`.
    pub fn dr_bdr(&self, addr: Ipv4Addr) -> (Option<Ipv4Addr>, Option<Ipv4Addr>) {
        self.with(move |rt| {
            rt.instance()
                .interfaces()
                .find(|i| i.config.address == addr)
                .map(|i| (i.dr.map(|d| d.0), i.bdr.map(|d| d.0)))
                .unwrap_or_default()
        })
        .unwrap_or_default()
    }

    /// Stops the runtime at once, without flushing its LSAs or removing its routes (as a
    /// crash would), and waits for its thread.
    pub fn kill(mut self) {
        self.kill.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Graceful shutdown (LSAs flushed, routes removed); returns the runtime's result.
    pub fn shutdown(mut self) -> Result<(), String> {
        self.handle.shutdown();
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| "runtime thread panicked".to_owned())?,
            None => Ok(()),
        }
    }
}

impl Drop for OspfRs {
    fn drop(&mut self) {
        self.kill.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A BIRD 2 config: router id, the kernel protocol exporting every route, and OSPFv2 area 0
/// with `interfaces` (each an `interface "NAME" { ... };` body such as
/// `type pointopoint; hello 1; dead 4;`).
pub fn bird_conf(router_id: &str, interfaces: &[(&str, &str)]) -> String {
    let mut s = format!(
        "router id {router_id};\nprotocol device {{ scan time 1; }}\nprotocol kernel {{ ipv4 {{ export all; }}; merge paths on; }}\nprotocol ospf v2 {{\n  ipv4 {{ import all; export none; }};\n  ecmp yes;\n  area 0 {{\n"
    );
    for (ifname, body) in interfaces {
        s.push_str(&format!("    interface \"{ifname}\" {{ {body} }};\n"));
    }
    s.push_str("  };\n}\n");
    s
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_requirement_skips_unless_required_tests_is_1() {
        // Met: runs, whatever the variable says.
        for v in [None, Some(""), Some("0"), Some("1")] {
            assert!(may_run("t", "needs root", true, v), "{v:?}");
        }
        // Not met, laptop (unset, empty, 0): skips (the path a non-root run takes).
        for v in [None, Some(""), Some("0")] {
            assert!(!may_run("t", "needs root", false, v), "{v:?}");
        }
        // Not met, CI (1): fails with a message naming the test, the need and the variable.
        let err = std::panic::catch_unwind(|| may_run("my_test", "needs frr", false, Some("1")))
            .expect_err("must panic when skips are forbidden");
        let msg = err
            .downcast_ref::<String>()
            .expect("formatted panic message");
        assert!(msg.contains("my_test"), "{msg}");
        assert!(msg.contains("needs frr"), "{msg}");
        assert!(msg.contains(REQUIRE_ROOT_TESTS), "{msg}");
        // A value that is neither 0 nor 1 is a mistake, not a silent skip.
        assert!(std::panic::catch_unwind(|| may_run("t", "x", false, Some("yes"))).is_err());
    }

    #[test]
    fn require_tool_finds_installed_programs() {
        // `sh` is on every Linux machine: met, so true whatever the environment says.
        assert!(require_tool("t", "sh"));
        assert!(require_tool("t", "/bin/sh"));
    }

    #[test]
    fn unique_names_differ_and_carry_prefix_and_pid() {
        let a = unique_name("x");
        let b = unique_name("x");
        assert_ne!(a, b);
        assert!(a.starts_with(&format!("{PREFIX}-x-{}-", std::process::id())));
    }

    #[test]
    fn owner_pid_parses_unique_names_only() {
        assert_eq!(owner_pid(&unique_name("srv-1")), Some(std::process::id()));
        assert_eq!(owner_pid("ospfrs-x-12-3"), Some(12));
        assert_eq!(owner_pid("ospfrs-12-3"), None);
        assert_eq!(owner_pid("other-x-12-3"), None);
        assert_eq!(owner_pid("ospfrs-x-y-3"), None);
    }

    #[test]
    fn flows_moved_counts_only_flows_on_survivors() {
        let g = |n: u8| Some(Ipv4Addr::new(10, 0, 0, n));
        let before = [g(1), g(2), g(3), g(2), g(3), None];
        let after = [g(2), g(2), g(2), g(3), g(3), g(2)];
        // Flow 0 was on the removed gateway (.1): not counted. Flows 1..=4 were on survivors;
        // flows 2 and 3 moved.
        assert_eq!(
            flows_moved(&before, &after, Ipv4Addr::new(10, 0, 0, 1)),
            (2, 4)
        );
    }

    #[test]
    fn wait_for_reports_elapsed_and_times_out() {
        let mut n = 0;
        let (v, _) = wait_for(Duration::from_secs(1), Duration::from_millis(1), || {
            n += 1;
            (n == 3).then_some(n)
        })
        .unwrap();
        assert_eq!(v, 3);
        let e = wait_for(Duration::from_millis(20), Duration::from_millis(5), || {
            None::<()>
        })
        .unwrap_err();
        assert!(e.waited >= Duration::from_millis(20));
    }

    #[test]
    fn ospfd_conf_has_intervals_networks_and_passive() {
        let c = frr_conf::ospfd(
            "10.0.0.1",
            &[("eth0", false), ("eth1", true)],
            1,
            4,
            &["10.0.0.0/24"],
            &["eth1"],
        );
        assert!(
            c.contains("interface eth0\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n!")
        );
        assert!(c.contains("interface eth1\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n ip ospf network point-to-point\n"));
        assert!(c.contains(
            " ospf router-id 10.0.0.1\n network 10.0.0.0/24 area 0\n passive-interface eth1\n"
        ));
    }
}
