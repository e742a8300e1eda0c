//! A router under test (ours, FRR or BIRD) facing the emulator of
//! [`ospf_std::emulator`]: two namespaces, one veth per emulated gateway, the emulator's
//! speaker on a thread of this process, the router in the other namespace installing
//! routes in its kernel table.
//!
//! Gateway link `k` is `emu`'s `gK` and `rut`'s `ethK` (`10.254.k.0/24`, the router
//! under test at `.1`, the gateway at `.2`); every interface is point-to-point, hello 1 s,
//! dead 40 s.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io;
use std::net::Ipv4Addr;
use std::path::Path;
use std::thread;

use ospf_std::emulator::topology::{RUT_ROUTER_ID, gateway_addr, rut_addr};
use ospf_std::emulator::{Speaker, SpeakerConfig, Topology};
use ospf_std::socket::OspfSocket;

use crate::{Bird, Frr, Netns, OspfRs, ProcGuard, ScratchDir, veth};

/// Which router is under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Impl {
    /// Our runtime.
    Ours,
    /// FRR (`zebra` + `ospfd`).
    Frr,
    /// BIRD 2.
    Bird,
}

impl Impl {
    /// `ours`, `frr` or `bird`.
    pub fn name(self) -> &'static str {
        match self {
            Impl::Ours => "ours",
            Impl::Frr => "frr",
            Impl::Bird => "bird",
        }
    }

    /// The kernel route protocol its routes carry (`ip route show proto ...`).
    pub fn proto(self) -> &'static str {
        match self {
            Impl::Ours | Impl::Frr => "ospf",
            Impl::Bird => "bird",
        }
    }
}

/// Our `ospfd.conf` (also FRR's) for `gateways` gateway links.
pub fn ospfd_conf(gateways: usize) -> String {
    let mut s = String::from("hostname rut\n");
    for k in 0..gateways {
        let _ = write!(
            s,
            "interface eth{k}\n ip ospf network point-to-point\n ip ospf hello-interval 1\n ip ospf dead-interval 40\n ip ospf cost 10\n"
        );
    }
    let _ = write!(
        s,
        "router ospf\n ospf router-id {RUT_ROUTER_ID}\n network 10.254.0.0/16 area 0\n"
    );
    s
}

/// BIRD's configuration for `gateways` gateway links (ECMP on, paths merged in the kernel).
pub fn bird_conf(gateways: usize) -> String {
    format!(
        "router id {RUT_ROUTER_ID};\nprotocol device {{}}\nprotocol kernel {{ ipv4 {{ export all; }}; merge paths on; }}\n\
         protocol ospf v2 {{ ipv4 {{ import all; }}; ecmp yes limit {}; area 0 {{ interface \"eth*\" {{ type ptp; hello 1; dead 40; cost 10; }}; }}; }}\n",
        gateways.max(1)
    )
}

/// The router under test, however it runs.
#[derive(Debug)]
pub enum Router {
    /// Our runtime on a thread of this process.
    Ours(OspfRs),
    /// Our daemon (`ospf-rsd`) as a process of its own.
    OursProcess(ProcGuard, ScratchDir),
    /// FRR.
    Frr(Frr),
    /// BIRD.
    Bird(Bird),
}

impl Router {
    /// The pids of its processes (none for a thread of this process).
    pub fn pids(&self) -> Vec<u32> {
        match self {
            Router::Ours(_) => Vec::new(),
            Router::OursProcess(p, _) => vec![p.pid()],
            Router::Frr(f) => ["zebra.pid", "ospfd.pid"]
                .iter()
                .filter_map(|f2| std::fs::read_to_string(f.dir().join(f2)).ok())
                .filter_map(|s| s.trim().parse().ok())
                .collect(),
            Router::Bird(b) => std::fs::read_to_string(b.dir().join("bird.pid"))
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .into_iter()
                .collect(),
        }
    }
}

/// The emulator's namespace and speaker, the router's namespace.
#[derive(Debug)]
pub struct Lab {
    /// The emulator's namespace.
    pub emu: Netns,
    /// The router under test's namespace.
    pub rut: Netns,
    /// The emulated gateways.
    pub speaker: Speaker,
    /// The area, as the speaker was started with (apply changes here, then flood them).
    pub topology: Topology,
}

impl Lab {
    /// Namespaces `tag`-emu and `tag`-rut, the gateway links, and the speaker (talking to
    /// nobody yet).
    pub fn new(tag: &str, topology: Topology) -> io::Result<Lab> {
        let gateways = topology.spec().gateways;
        let emu = Netns::new(&format!("{tag}e"))?;
        let rut = Netns::new(&format!("{tag}r"))?;
        for k in 0..gateways {
            let (g, e) = (format!("g{k}"), format!("eth{k}"));
            veth(&emu, &g, &rut, &e)?;
            emu.add_addr(&g, &format!("{}/24", gateway_addr(k)))?;
            rut.add_addr(&e, &format!("{}/24", rut_addr(k)))?;
        }
        let mut ifindexes = Vec::new();
        for k in 0..gateways {
            let link = emu.ip_json(&["link", "show", &format!("g{k}")])?;
            ifindexes.push(
                link.get(0)
                    .and_then(|l| l.get("ifindex"))
                    .and_then(serde_json::Value::as_u64)
                    .and_then(|i| u32::try_from(i).ok())
                    .ok_or_else(|| io::Error::other(format!("no ifindex for g{k}")))?,
            );
        }
        let name = emu.name().to_owned();
        let sockets = thread::spawn(move || -> io::Result<Vec<OspfSocket>> {
            let _in = crate::netns::enter_named(&name)?;
            ifindexes
                .iter()
                .enumerate()
                .map(|(k, &i)| OspfSocket::open(&format!("g{k}"), i, gateway_addr(k)))
                .collect()
        })
        .join()
        .map_err(|_| io::Error::other("socket thread panicked"))??;
        let speaker = Speaker::spawn(&topology, sockets, SpeakerConfig::default())?;
        Ok(Lab {
            emu,
            rut,
            speaker,
            topology,
        })
    }

    /// Starts `which` in the router's namespace (ours on a thread of this process).
    pub fn start(&self, which: Impl) -> io::Result<Router> {
        let g = self.topology.spec().gateways;
        Ok(match which {
            Impl::Ours => Router::Ours(OspfRs::start(&self.rut, &ospfd_conf(g), true)?),
            Impl::Frr => Router::Frr(Frr::start(
                &self.rut,
                "hostname rut\n",
                &format!("{}log timestamp precision 3\n", ospfd_conf(g)),
            )?),
            Impl::Bird => Router::Bird(Bird::start(&self.rut, &bird_conf(g))?),
        })
    }

    /// Starts our daemon binary `ospf_rsd` (no control socket) in the router's namespace.
    pub fn start_ours_process(&self, ospf_rsd: &Path) -> io::Result<Router> {
        let dir = ScratchDir::new("peers-ours")?;
        let conf = dir.path().join("ospfd.conf");
        std::fs::write(&conf, ospfd_conf(self.topology.spec().gateways))?;
        let log = dir.path().join("ospf-rsd.log");
        let p = self.rut.spawn(
            &[
                &ospf_rsd.to_string_lossy(),
                "-f",
                &conf.to_string_lossy(),
                "--control",
                "none",
            ],
            Some(&log),
        )?;
        Ok(Router::OursProcess(p, dir))
    }

    /// The router's kernel routes of `which`'s protocol: prefix to gateways, without the
    /// gateway links' own subnets (`10.254.0.0/16`: connected; BIRD installs its OSPF
    /// route to them beside the kernel's, FRR and ours do not).
    pub fn kernel_routes(&self, which: Impl) -> io::Result<BTreeMap<String, BTreeSet<Ipv4Addr>>> {
        let mut routes = self.rut.kernel_routes(which.proto())?;
        routes.retain(|p, _| !p.starts_with("10.254."));
        Ok(routes)
    }

    /// The routes the router should install, as [`Lab::kernel_routes`] shows them.
    pub fn expected_kernel_routes(&self) -> BTreeMap<String, BTreeSet<Ipv4Addr>> {
        let (routes, _) = self.topology.expected_routes();
        routes
            .into_iter()
            .map(|(p, nh)| {
                (
                    format!("{}/{}", p.addr(), p.prefix_len()),
                    nh.into_iter().collect(),
                )
            })
            .collect()
    }
}
