//! Shared code of the example programs.
//!
//! * [`pcap`]: capture files (pcap, pcapng) and the link, IPv4 and IPv6 layers under OSPF.
//! * [`decode`]: OSPFv2 packets to JSON records and tcpdump-like text.
//! * [`cli`]: the `ospf-pcap` command line (`cargo run --example ospf-pcap -- --help`).
//! * [`health`]: the command-line options of the service health checks
//!   ([`ospf_std::health`]: HTTP/HTTPS, TCP, command, DNS, fall/rise hysteresis).
//! * [`testbed`]: network namespaces, FRR and BIRD peers for end-to-end and interop tests.
//! * [`spf_cmd`]: `ospf-pcap spf`, the routing table computed from the LSAs in captures.
//! * [`router`]: the routing table computed from an engine's LSDB, changes for a FIB.
//! * [`show`]: `show ip ospf ...` and `show ip route ospf` in the IOS/FRR layout.
//! * [`speaker`]: `server-speaker` and `ecmp-router` on [`ospf_std::runtime`]: settings, show
//!   commands, health checks.
//! * [`demo`]: the seed's anycast topology in the simulator (`anycast-demo`).

pub mod cli;
pub mod decode;
pub mod demo;
pub mod health;
pub mod pcap;
pub mod router;
pub mod show;
pub mod speaker;
pub mod spf_cmd;
pub mod testbed;
