//! Shared code of the example programs.
//!
//! * [`pcap`]: capture files (pcap, pcapng) and the link, IPv4 and IPv6 layers under OSPF.
//! * [`decode`]: OSPFv2 packets to JSON records and tcpdump-like text.
//! * [`cli`]: the `ospf-pcap` command line (`cargo run --example ospf-pcap -- --help`).
//! * [`health`]: service health checks (HTTP, TCP, command) with fall/rise hysteresis.
//! * [`testbed`]: network namespaces, FRR and BIRD peers for end-to-end and interop tests.
//! * [`spf_cmd`]: `ospf-pcap spf`, the routing table computed from the LSAs in captures.
//! * [`speaker`]: `server-speaker`'s health checker reporting to [`ospf_std::api::Handle`].
//! * [`demo`]: the seed's anycast topology in the simulator (`anycast-demo`).

pub mod cli;
pub mod decode;
pub mod demo;
pub mod health;
pub mod pcap;
pub mod speaker;
pub mod spf_cmd;
pub mod testbed;
