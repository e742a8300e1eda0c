//! What `server-speaker` adds to [`ospf_std::api`]: its health checker's verdicts go to
//! [`Handle::set_health`]. When the service is down every loopback address of the
//! configuration leaves OSPF (a new Router-LSA without its host stub), and comes back
//! when it is up again.

use std::io;

use ospf_std::api::Handle;
use tracing::{info, warn};

/// Runs the health checker (if any) on its own thread, reporting to `handle`. Returns
/// `None` when no check is configured (the service counts as always up).
pub fn spawn_health(
    args: &crate::health::HealthArgs,
    handle: Handle,
) -> io::Result<Option<std::thread::JoinHandle<()>>> {
    let Some(checker) = args.checker() else {
        return Ok(None);
    };
    let initial = checker.config().initial;
    if let Err(e) = handle.set_health(initial == crate::health::HealthState::Up) {
        warn!("health: {e}");
    }
    let monitor = checker.spawn()?;
    let t = std::thread::Builder::new()
        .name("health-events".into())
        .spawn(move || {
            while let Ok(ev) = monitor.events().recv() {
                match &ev.last_error {
                    Some(err) => {
                        info!(state = %ev.state, probes = ev.probes, "health check: {err}")
                    }
                    None => info!(state = %ev.state, probes = ev.probes, "health check"),
                }
                if handle
                    .set_health(ev.state == crate::health::HealthState::Up)
                    .is_err()
                {
                    break;
                }
            }
        })?;
    Ok(Some(t))
}
