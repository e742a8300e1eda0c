//! Shared code of the example programs.
//!
//! * [`pcap`]: capture files (pcap, pcapng) and the link, IPv4 and IPv6 layers under OSPF.
//! * [`decode`]: OSPFv2 packets to JSON records and tcpdump-like text.
//! * [`cli`]: the `ospf-pcap` command line (`cargo run --example ospf-pcap -- --help`).
//! * [`health`]: the command-line options of the service health checks
//!   ([`ospf_std::health`]: HTTP/HTTPS, TCP, command, DNS, fall/rise hysteresis).
//! * [`daemon`]: the options and the run `server-speaker` and `ecmp-router` share.
//! * [`spf_cmd`]: `ospf-pcap spf`, the routing table computed from the LSAs in captures.
//! * [`demo`]: the seed's anycast topology in the simulator (`anycast-demo`).
//! * [`args`]: the command lines of the packaged programs (`server-speaker`,
//!   `ecmp-router`, `ospfctl`).
//! * [`man`]: their manual pages, generated from [`args`].

pub mod args;
pub mod cli;
pub mod daemon;
pub mod decode;
pub mod demo;
pub mod health;
pub mod man;
pub mod pcap;
pub mod spf_cmd;
