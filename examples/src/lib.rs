//! Shared code of the example programs.
//!
//! * [`pcap`]: capture files (pcap, pcapng) and the link, IPv4 and IPv6 layers under OSPF.
//! * [`decode`]: OSPFv2 packets to JSON records and tcpdump-like text.
//! * [`cli`]: the `ospf-pcap` command line (`cargo run --example ospf-pcap -- --help`).
//! * [`spf_cmd`]: `ospf-pcap spf`, the routing table a router would compute from captures.
//! * [`health`]: service health checks (HTTP, TCP, command) with fall/rise hysteresis.
//! * [`testbed`]: network namespaces, FRR and BIRD peers for end-to-end and interop tests.
//! * [`spf_cmd`]: `ospf-pcap spf`, the routing table computed from the LSAs in captures.

pub mod cli;
pub mod decode;
pub mod health;
pub mod pcap;
pub mod spf_cmd;
pub mod testbed;
