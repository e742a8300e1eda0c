//! What survives a graceful restart (RFC 3623) besides the kernel routes: the end of a
//! prepared restart's grace period, in the file `graceful-restart` of the state
//! directory, and the decision at start whether to run in restarting mode.
//!
//! * Planned: `graceful-restart prepare ip ospf` wrote the file; the next process reads
//!   (and removes) it and restarts gracefully until the grace period it announced ends.
//! * Unplanned: no file (the process died), but `graceful-restart` is configured and the
//!   FIB found routes of the previous process: they are kept for the configured grace
//!   period while the new process resynchronises.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::conf::OspfdConf;
use crate::fib::Fib;

/// The file in the state directory.
pub(crate) const FILE: &str = "graceful-restart";

fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// Records a prepared restart whose grace period of `period` seconds starts now.
pub(crate) fn record(dir: &Path, period: u32) -> io::Result<()> {
    let now = wall_secs();
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{FILE}.tmp"));
    std::fs::write(&tmp, format!("grace-until {}\n", now + u64::from(period)))?;
    std::fs::rename(tmp, path(dir))
}

fn wall_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// Reads and removes the record of a prepared restart: the end of its grace period
/// (seconds since the epoch). A missing or unreadable file is no record.
fn take(dir: &Path) -> Option<u64> {
    let p = path(dir);
    let text = std::fs::read_to_string(&p).ok()?;
    let _ = std::fs::remove_file(&p);
    parse(&text)
}

fn parse(text: &str) -> Option<u64> {
    let mut words = text.split_whitespace();
    match (words.next(), words.next()) {
        (Some("grace-until"), Some(t)) => t.parse().ok(),
        _ => None,
    }
}

/// Whether to start in restarting mode, with the grace period left and whether the
/// restart was planned.
pub(crate) fn restart_mode(
    conf: &OspfdConf,
    state_dir: Option<&Path>,
    fib: &dyn Fib,
    wall: Duration,
) -> Option<(Duration, bool)> {
    let until = state_dir.and_then(take);
    if let Some(until) = until {
        let left = Duration::from_secs(until).saturating_sub(wall);
        if !left.is_zero() {
            return Some((left, true));
        }
    }
    let period = conf.router.as_ref().and_then(|r| r.graceful_restart)?;
    (fib.stale_route_count() > 0).then(|| (Duration::from_secs(u64::from(period)), false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fib::MemoryFib;

    #[test]
    fn a_recorded_restart_is_planned_once_and_only_within_its_grace_period() {
        let dir = std::env::temp_dir().join(format!("ospf-gr-state-{}", std::process::id()));
        let conf = OspfdConf::parse("router ospf\n graceful-restart grace-period 60\n").unwrap();
        let fib = MemoryFib::new();
        let wall = Duration::from_secs(wall_secs());
        // Nothing recorded, no route of an earlier run: a normal start.
        assert_eq!(restart_mode(&conf, Some(&dir), &fib, wall), None);
        record(&dir, 60).unwrap();
        let (left, planned) = restart_mode(&conf, Some(&dir), &fib, wall).unwrap();
        assert!(planned);
        assert!(left > Duration::from_secs(55) && left <= Duration::from_secs(60));
        // The record is used once.
        assert_eq!(restart_mode(&conf, Some(&dir), &fib, wall), None);
        // A record whose grace period is over is ignored.
        record(&dir, 1).unwrap();
        let later = wall + Duration::from_secs(5);
        assert_eq!(restart_mode(&conf, Some(&dir), &fib, later), None);
        assert_eq!(parse("grace-until x"), None);
        assert_eq!(parse("garbage"), None);
        assert_eq!(parse("grace-until 17\n"), Some(17));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
