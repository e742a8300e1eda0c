//! The shipped programs do not link the test harness.
//!
//! `server-speaker` and `ecmp-router`, built with this test's profile (the dev, release and
//! bench profiles keep debuginfo and symbols, so every linked crate's name is in the
//! binary), must not contain `ospf_testbed`, the harness crate that only tests and benches
//! depend on. They must contain `ospf_std`, which they do link: otherwise the search
//! could not have found a linked crate either, and would prove nothing.

use ospf_testbed::example_binary;

/// What betrays a linked harness: its crate name (symbols, debuginfo) and its source path
/// (panic locations, debuginfo).
const HARNESS: [&str; 2] = ["ospf_testbed", "ospf-std/testbed/src/"];

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn daemons_do_not_link_the_test_harness() {
    for name in ["server-speaker", "ecmp-router"] {
        let path = example_binary("ospf-examples", name)
            .unwrap_or_else(|e| panic!("build example {name}: {e}"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            contains(&bytes, "ospf_std"),
            "{name}: no `ospf_std` in {}: crate names are missing from the binary \
             (stripped, or built without debuginfo), so this check cannot see a linked crate",
            path.display()
        );
        for needle in HARNESS {
            assert!(
                !contains(&bytes, needle),
                "{name} links the test harness: `{needle}` occurs in {}; shipped code must not \
                 use ospf-testbed (a dev-dependency for tests and benches only)",
                path.display()
            );
        }
    }
}
