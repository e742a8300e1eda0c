//! The example daemons as processes, without root: what they refuse before they touch the
//! network (a control socket held by another instance, a bad configuration file).

use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::Command;

use ospf_testbed::example_binary;

const SEED: &str = "hostname server1\ninterface eth0\nrouter ospf\n\tospf router-id 10.0.0.1\n\tnetwork 10.0.0.0/24 area 0\n\tnetwork 172.16.0.1/32 area 0\nlog stdout\n";

fn scratch(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("ospf-daemons-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs daemon `name` with `--config conf --socket sock`; gives its exit code and stderr.
fn run(name: &str, conf: &Path, sock: &Path) -> (Option<i32>, String) {
    let bin = example_binary("ospf-examples", name).unwrap();
    let out = Command::new(&bin)
        .arg("--config")
        .arg(conf)
        .arg("--socket")
        .arg(sock)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_second_instance_names_the_control_socket_in_use_and_the_flag() {
    let dir = scratch("second");
    let conf = dir.join("ospfd.conf");
    std::fs::write(&conf, SEED).unwrap();
    let sock = dir.join("ospfd.sock");
    // The first instance: a live listener on the socket.
    let _first = UnixListener::bind(&sock).unwrap();
    for name in ["server-speaker", "ecmp-router"] {
        let (code, err) = run(name, &conf, &sock);
        assert_eq!(code, Some(1), "{name}: {err}");
        assert!(
            err.contains(&sock.display().to_string())
                && err.contains("in use by another running instance")
                && err.contains("--socket"),
            "{name}: {err}"
        );
        assert!(!err.contains("os error 98"), "{name}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_configuration_line_is_named_before_anything_starts() {
    let dir = scratch("badconf");
    let conf = dir.join("ospfd.conf");
    std::fs::write(
        &conf,
        SEED.replace("ospf router-id 10.0.0.1", "ospf router-id 0.0.0.0"),
    )
    .unwrap();
    for name in ["server-speaker", "ecmp-router"] {
        let (code, err) = run(name, &conf, &dir.join("unused.sock"));
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains("line 4"), "{name}: {err}");
        assert!(!dir.join("unused.sock").exists(), "{name} bound its socket");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `server-speaker --weight NAME=N`: a weight out of 1–255, a value without `=`, or a name
/// that is no `--service` is refused (exit 2, the value named) before anything starts.
#[test]
fn a_bad_service_weight_is_refused_before_anything_starts() {
    let dir = scratch("weight");
    let conf = dir.join("ospfd.conf");
    std::fs::write(&conf, SEED).unwrap();
    let bin = example_binary("ospf-examples", "server-speaker").unwrap();
    for (weight, want) in [
        ("web=0", "weight 0 is out of range (1-255)"),
        ("web=256", "weight 256 is out of range (1-255)"),
        ("web", "--weight web: no such service"),
        ("dns=2", "--weight dns=2: no such service"),
    ] {
        let out = Command::new(&bin)
            .arg("--config")
            .arg(&conf)
            .arg("--socket")
            .arg(dir.join("unused.sock"))
            .args(["--service", "web@172.16.0.1/32=tcp:127.0.0.1:1"])
            .args(["--weight", weight])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{weight}: {err}");
        assert!(err.contains(want), "{weight}: {err}");
        assert!(!dir.join("unused.sock").exists(), "bound its socket");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
