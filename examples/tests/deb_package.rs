//! What the Debian package (`[package.metadata.deb]` of `examples/Cargo.toml`, built by
//! cargo-deb in CI) ships, checked without building it: a manual page for every program,
//! default configurations that the daemons accept, and units that point at both.

use std::path::PathBuf;

use ospf_std::conf::OspfdConf;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The assets of `[package.metadata.deb]`: (source, destination) pairs.
fn deb_assets() -> Vec<(String, String)> {
    let toml = std::fs::read_to_string(manifest_dir().join("Cargo.toml")).unwrap();
    let deb = toml
        .split_once("[package.metadata.deb]")
        .expect("deb metadata")
        .1;
    let assets = deb.split_once("assets = [").expect("assets").1;
    let assets = &assets[..assets.find("\n]").expect("end of assets")];
    assets
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("[\"")?;
            let mut f = l.split("\", \"");
            Some((f.next()?.to_string(), f.next()?.to_string()))
        })
        .collect()
}

#[test]
fn the_debian_package_installs_a_page_for_every_program() {
    let assets = deb_assets();
    let programs: Vec<String> = assets
        .iter()
        .filter(|(_, dst)| dst == "usr/bin/")
        .map(|(src, _)| src.rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(
        programs,
        ["server-speaker", "ecmp-router", "ospfctl", "ospf-rsd"]
    );
    for program in &programs {
        let page = format!("{program}.8");
        let asset = assets
            .iter()
            .find(|(src, _)| src.ends_with(&format!("/{page}")))
            .unwrap_or_else(|| panic!("no asset installs {page}"));
        assert_eq!(asset.1, "usr/share/man/man8/", "{page}");
        let src = manifest_dir().join(&asset.0);
        assert!(src.is_file(), "{}", src.display());
    }
}

#[test]
fn the_default_configurations_load_and_the_units_read_them() {
    let assets = deb_assets();
    for (unit, conf) in [
        ("ospf-rs-speaker.service", "etc/ospf-rs/speaker.conf"),
        ("ospf-rs-router.service", "etc/ospf-rs/router.conf"),
    ] {
        let (src, _) = assets
            .iter()
            .find(|(_, dst)| dst == conf)
            .unwrap_or_else(|| panic!("no asset installs /{conf}"));
        let path = manifest_dir().join(src);
        let parsed =
            OspfdConf::from_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let router = parsed.router.as_ref().expect("a router ospf block");
        assert!(router.router_id.is_some(), "{}", path.display());
        assert!(!router.networks.is_empty(), "{}", path.display());
        let unit_text = std::fs::read_to_string(manifest_dir().join("systemd").join(unit)).unwrap();
        assert!(
            unit_text.contains(&format!("--config /{conf}")),
            "{unit} reads /{conf}"
        );
        assert!(
            assets
                .iter()
                .any(|(src, dst)| src.ends_with(unit) && dst == "lib/systemd/system/"),
            "{unit} is installed"
        );
    }
}
