//! Writes the manual pages of `server-speaker`, `ecmp-router` and `ospfctl`
//! ([`ospf_examples::man`], generated from their clap definitions) into `examples/man/`,
//! or into the directory given.
//!
//! ```text
//! cargo run -p ospf-examples --example man-pages            # refresh the committed pages
//! cargo run -p ospf-examples --example man-pages -- /tmp/m  # elsewhere
//! ```
//!
//! The test `examples/tests/man_pages.rs` fails while a committed page differs from what
//! this writes.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("man"));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("man-pages: {}: {e}", dir.display());
        return ExitCode::from(1);
    }
    for page in ospf_examples::man::pages() {
        let path = dir.join(&page.file);
        if let Err(e) = std::fs::write(&path, &page.text) {
            eprintln!("man-pages: {}: {e}", path.display());
            return ExitCode::from(1);
        }
        println!("{}", path.display());
    }
    ExitCode::SUCCESS
}
