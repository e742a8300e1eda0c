//! Shared code of the example programs.
//!
//! * [`pcap`]: capture files (pcap, pcapng) and the link, IPv4 and IPv6 layers under OSPF.

pub mod pcap;
