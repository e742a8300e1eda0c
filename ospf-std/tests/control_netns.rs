//! The control socket of a running runtime under abuse (issue 14): a client that asks for
//! a large LSDB and never reads its answer must not stall the daemon or other clients;
//! the socket file has mode 0660. Needs root (a network namespace); without it the test
//! prints why and returns.

mod common;

use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use common::{TempDir, wait};
use ospf_std::control::{self, Command};
use ospf_std::fib::Prefix;
use ospf_testbed::require_root;

#[test]
fn a_control_client_that_never_reads_does_not_stall_the_daemon() {
    if !require_root(
        "a_control_client_that_never_reads_does_not_stall_the_daemon",
        "network namespaces and raw sockets",
    ) {
        return;
    }
    let (ns, _peer) = common::joined(
        ("ospfstd-ctla", "10.0.0.1/24"),
        ("ospfstd-ctlb", "10.0.0.2/24"),
    );
    let conf =
        "interface eth0\nrouter ospf\n ospf router-id 10.0.0.1\n network 10.0.0.0/24 area 0\n";
    let dir = TempDir::new("ospfstd-ctl");
    let ctl = dir.0.join("ctl.sock");
    let path = ctl.clone();
    let (rh, t) = common::spawn_runtime(
        &ns,
        conf,
        move |cfg| cfg.control_path = Some(path),
        |mut rt| {
            while !rt.is_finished() {
                rt.step(Some(Duration::from_millis(100))).unwrap();
            }
        },
    );
    let mode = std::fs::metadata(&ctl).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o660, "socket file mode {mode:o}");

    // A large LSDB: 6,000 external LSAs, an answer of several hundred kilobytes.
    const N: u32 = 6_000;
    for k in 0..N {
        let p = Prefix::try_new(Ipv4Addr::from(0x2C00_0000 + (k << 8)), 24).unwrap();
        rh.request(Command::AnnounceMetric(p, 10));
    }
    wait("the externals in the LSDB", Duration::from_secs(30), || {
        rh.request(Command::ShowDatabase).lines().count() > N as usize
    });

    // The slow client asks for the database and reads nothing.
    let mut slow = UnixStream::connect(&ctl).unwrap();
    slow.write_all(b"show ip ospf database\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));

    // The daemon and other clients carry on.
    let t0 = Instant::now();
    let answer = control::request(&ctl, "show interfaces").unwrap();
    assert!(answer.contains("eth0"), "{answer}");
    assert!(rh.request(Command::ShowInterfaces).contains("eth0"));
    assert!(
        t0.elapsed() < Duration::from_secs(2),
        "answered in {:?}",
        t0.elapsed()
    );

    // The slow client, reading at last, gets the whole answer.
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut big = String::new();
    slow.read_to_string(&mut big).unwrap();
    assert!(big.len() > 300_000, "{} bytes", big.len());
    assert!(big.contains("44.0.23.0"), "the last LSAs are there");

    control::request(&ctl, "shutdown").unwrap();
    t.join().unwrap();
}
