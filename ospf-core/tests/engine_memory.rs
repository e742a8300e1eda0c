//! LSDB memory per LSA, measured with a counting allocator: at most 150 bytes for a
//! 36-byte AS-External LSA, raw bytes included.

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

use core::net::Ipv4Addr;
use ospf_core::lsdb::{Lsdb, lsa_checksum};
use ospf_core::time::Instant;

/// Counts heap bytes, to measure memory per LSA.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Live heap bytes of the whole process.
fn live() -> isize {
    let s = GLOBAL.stats();
    s.bytes_allocated as isize - s.bytes_deallocated as isize
}

fn external(i: u32) -> Box<[u8]> {
    let mut v = vec![0u8; 36];
    v[2] = 0x02;
    v[3] = 5;
    v[4..8].copy_from_slice(&(0x0A00_0000u32 | (i << 8)).to_be_bytes());
    v[8..12].copy_from_slice(&Ipv4Addr::new(192, 0, 2, 1).octets());
    v[12..16].copy_from_slice(&0x8000_0001u32.to_be_bytes());
    v[18..20].copy_from_slice(&36u16.to_be_bytes());
    v[20..24].copy_from_slice(&[255, 255, 255, 0]);
    let ck = lsa_checksum(&v).unwrap();
    v[16..18].copy_from_slice(&ck.to_be_bytes());
    v.into_boxed_slice()
}

#[test]
fn lsdb_holds_a_36_byte_external_lsa_in_at_most_150_bytes() {
    const N: u32 = 50_000;
    for order in ["ascending", "scattered"] {
        let before = live();
        let mut db = Lsdb::new();
        for k in 0..N {
            let i = if order == "ascending" {
                k
            } else {
                k.wrapping_mul(2_654_435_761) % (1 << 22)
            };
            db.insert(external(i), Instant::from_secs(1)).unwrap();
        }
        let per = (live() - before) as f64 / f64::from(N);
        assert_eq!(db.len(), N as usize);
        assert!(per <= 150.0, "{order}: {per:.1} bytes per LSA");
        println!("{order}: {per:.1} bytes per LSA");
        drop(db);
    }
}
