//! The example programs of a workspace package, built with the running test's profile.

use std::io;
use std::path::{Path, PathBuf};

/// Where Cargo puts example binary `name` for the test binary at `test_exe`
/// (`target/<profile>/deps/x-HASH` -> `target/<profile>/examples/name`).
pub fn example_path(test_exe: &Path, name: &str) -> Option<PathBuf> {
    let profile_dir = test_exe.parent()?.parent()?;
    Some(profile_dir.join("examples").join(name))
}

/// The path of example binary `name` of workspace package `package`, built first (once per
/// test process) with the same target directory and profile as the running test: `cargo test
/// --all-targets` builds examples only as test harnesses, and a binary left over from an
/// earlier build may be stale.
pub fn example_binary(package: &str, name: &str) -> io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = example_path(&exe, name)
        .ok_or_else(|| io::Error::other(format!("no target directory above {}", exe.display())))?;
    build_example_once(&exe, package, name)?;
    if path.exists() {
        Ok(path)
    } else {
        Err(io::Error::other(format!(
            "{} is missing after `cargo build -p {package} --example {name}`",
            path.display()
        )))
    }
}

/// Runs `cargo build -p package --example name` for the target directory and profile of
/// `test_exe`, once per package, name and process.
fn build_example_once(test_exe: &Path, package: &str, name: &str) -> io::Result<()> {
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let key = format!("{package}/{name}");
    if built.contains(&key) {
        return Ok(());
    }
    let profile_dir = test_exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| io::Error::other("test executable outside a target directory"))?;
    let target_dir = profile_dir
        .parent()
        .ok_or_else(|| io::Error::other("test executable outside a target directory"))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.args(["build", "--quiet", "-p", package, "--example", name])
        .arg("--target-dir")
        .arg(target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            cmd.arg("--release");
        }
        Some(other) => {
            cmd.args(["--profile", other]);
        }
    }
    let status = cmd.status()?;
    if !status.success() {
        return Err(io::Error::other(format!(
            "cargo build -p {package} --example {name} failed ({status})"
        )));
    }
    built.push(key);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_path_is_next_to_deps() {
        let p = example_path(
            Path::new("/t/target/debug/deps/testbed_frr-abc"),
            "ecmp-router",
        );
        assert_eq!(
            p,
            Some(PathBuf::from("/t/target/debug/examples/ecmp-router"))
        );
        assert!(example_binary("ospf-examples", "no-such-example-binary").is_err());
    }
}
