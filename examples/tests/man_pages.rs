//! The committed manual pages (`examples/man/*.8`) are exactly what the generator
//! (`ospf_examples::man`, from the programs' clap definitions) renders now, and document
//! every option. (`deb_package.rs` checks that the package installs them.)

use std::path::Path;

use clap::CommandFactory;
use ospf_examples::args::{CtlArgs, RouterArgs, SpeakerArgs};
use ospf_examples::man::pages;

fn man_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("man")
}

#[test]
fn committed_pages_match_the_generator() {
    let pages = pages();
    assert_eq!(pages.len(), 3);
    for page in &pages {
        let path = man_dir().join(&page.file);
        let committed =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            committed == page.text,
            "{} differs from what the generator renders now: run \
             `cargo run -p ospf-examples --example man-pages` and commit the result",
            path.display()
        );
    }
    // No stale page either.
    let mut on_disk: Vec<String> = std::fs::read_dir(man_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut generated: Vec<String> = pages.iter().map(|p| p.file.clone()).collect();
    generated.sort();
    assert_eq!(on_disk, generated);
}

#[test]
fn every_option_and_the_operating_sections_are_documented() {
    let commands = [
        ("server-speaker.8", SpeakerArgs::command(), true),
        ("ecmp-router.8", RouterArgs::command(), true),
        ("ospfctl.8", CtlArgs::command(), false),
    ];
    let pages = pages();
    for (file, cmd, daemon) in commands {
        let page = pages.iter().find(|p| p.file == file).expect(file);
        assert!(page.text.contains(".TH "), "{file}: no title");
        let mut sections = vec!["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "FILES"];
        sections.extend(["EXIT STATUS", "SEE ALSO", "VERSION"]);
        if daemon {
            sections.extend(["SIGNALS", "ENVIRONMENT"]);
        } else {
            sections.push("COMMANDS");
        }
        for s in sections {
            let line = if s.contains(' ') {
                format!(".SH \"{s}\"\n")
            } else {
                format!(".SH {s}\n")
            };
            assert!(page.text.contains(&line), "{file}: no {s} section");
        }
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long() {
                let roff = format!("\\-\\-{}", long.replace('-', "\\-"));
                assert!(page.text.contains(&roff), "{file}: --{long} undocumented");
            }
        }
        assert!(
            page.text.contains("/run/ospf\\-rs/ospfd.sock"),
            "{file}: the default control socket"
        );
    }
}
