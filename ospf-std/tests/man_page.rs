//! `ospf-rsd`'s hand-written manual page (`ospf-std/man/ospf-rsd.8`) documents every
//! option the program's usage lists, its files, signals and exit status, and carries the
//! crate's version.

use std::process::Command;

const PAGE: &str = include_str!("../man/ospf-rsd.8");

#[test]
fn the_page_documents_every_option_of_the_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_ospf-rsd"))
        .arg("--help")
        .output()
        .unwrap();
    let usage = String::from_utf8_lossy(&out.stderr);
    assert!(usage.contains("usage: ospf-rsd"), "{usage}");
    let options: Vec<&str> = usage
        .split(|c: char| c.is_whitespace() || c == '[' || c == ']')
        .filter(|w| w.starts_with('-'))
        .collect();
    assert!(options.len() >= 7, "{options:?}");
    for opt in options {
        let roff = opt.replace('-', "\\-");
        assert!(
            PAGE.contains(&format!("\\fB{roff}\\fR")),
            "{opt} is not documented in ospf-rsd.8"
        );
    }
    for alias in ["--config", "--socket", "--help"] {
        assert!(PAGE.contains(&alias.replace('-', "\\-")), "{alias}");
    }
}

#[test]
fn the_page_has_the_operating_sections_and_the_version() {
    for s in [
        ".SH NAME\n",
        ".SH SYNOPSIS\n",
        ".SH OPTIONS\n",
        ".SH FILES\n",
        ".SH SIGNALS\n",
        ".SH ENVIRONMENT\n",
        ".SH \"EXIT STATUS\"\n",
        ".SH \"SEE ALSO\"\n",
    ] {
        assert!(PAGE.contains(s), "no {s}");
    }
    assert!(PAGE.contains(".I /run/ospf\\-rs/ospfd.sock"));
    assert_eq!(
        ospf_std::presets::DEFAULT_SOCKET,
        "/run/ospf-rs/ospfd.sock",
        "the page names the default control socket"
    );
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        PAGE.contains(&format!("\"ospf-rs {version}\"")),
        "the title names ospf-rs {version}"
    );
    assert!(PAGE.contains(&format!(".SH VERSION\n{version}\n")));
}
