//! `ospf-pcap`: decode OSPFv2 packets from pcap/pcapng captures.
//!
//! ```text
//! cargo run --example ospf-pcap -- decode ospf-core/tests/data/frr-bird/br0.pcapng
//! cargo run --example ospf-pcap -- decode --json --key 1:md5:s3cret ospf-core/tests/data/frr-bird/br0.pcapng
//! cargo run --example ospf-pcap -- spf --router-id 10.0.0.1 ospf-core/tests/data/frr-bird/*.pcapng
//! ```
//!
//! `spf --router-id ID [--json] [--ifname ADDR=NAME]... FILE...` collects the newest
//! instance of every LSA flooded in the captures and prints the routing table router ID
//! would compute, like FRR's `show ip ospf route` (`--json`: `show ip ospf route json`).
//!
//! `--json` prints one object per OSPF packet and line:
//! `frame` (1-based), `src`, `dst`, `type` (1..5), `length`, `router_id`, `area_id`,
//! `auth_type`, `auth_key_id` and `auth_seq` (cryptographic only), `auth_verified`
//! (`null` when no key applies), then by type `hello`, `dbdesc`, `lsreq`, `lsupdate` or
//! `lsack`, and `error` when the packet failed to decode or a check. LSA headers carry
//! `age`, `options`, `type`, `lsid`, `adv_router`, `seq`, `checksum`, `length`; LSAs of an
//! update add `checksum_ok` and their body (`router`, `network`, `summary`, `external`,
//! `opaque`).
//!
//! Beside those, records carry `version`, `checksum`, `ip_payload_len`, `auth_data_len`,
//! `auth_error` (why verification failed), `lls` (RFC 5613 block: `checksum`, `length` in
//! words, `tlvs`, `extended_options`), `tos` entries of LSA bodies when present, and
//! `file` when several files are given. `-v` prints each LSA, header or request of a
//! packet on its own line. A per-file summary goes to stderr.
//!
//! Exit status: 0, or 1 when a file cannot be read, 2 on a usage error.

use std::io::{self, Write};

fn main() {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let code = ospf_examples::cli::run(std::env::args_os(), &mut out, &mut io::stderr());
    let flushed = out.flush();
    drop(out);
    if let Err(e) = flushed
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("ospf-pcap: cannot write output: {e}");
        std::process::exit(1);
    }
    std::process::exit(code);
}
