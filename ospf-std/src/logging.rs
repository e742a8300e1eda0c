//! Structured logs (`tracing`) set up from the configuration's `log` lines.
//!
//! `log stdout|stderr [LEVEL]` and `log file PATH [LEVEL]` are honoured; `log syslog` goes
//! to stderr (where a service manager collects it). The level words are FRR's
//! (`debugging`, `informational`, `notifications`, `warnings`, `errors`, ...); the
//! `RUST_LOG` environment variable, when set, takes precedence.

use std::fs::OpenOptions;
use std::io;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

use crate::conf::LogTarget;

/// Maps an FRR log level word to a `tracing` filter directive.
pub fn level_directive(level: Option<&str>) -> &'static str {
    match level {
        Some("debugging") => "debug",
        Some("informational" | "notifications") | None => "info",
        Some("warnings") => "warn",
        Some(_) => "error",
    }
}

/// Installs the global subscriber for the first of `targets` (stdout when empty).
/// Returns an error if the log file cannot be opened; a second call does nothing.
pub fn init(targets: &[LogTarget]) -> io::Result<()> {
    let target = targets.first().cloned().unwrap_or(LogTarget::Stdout(None));
    let level = match &target {
        LogTarget::Stdout(l) | LogTarget::Stderr(l) | LogTarget::Syslog(l) => l.clone(),
        LogTarget::File(_, l) => l.clone(),
    };
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(level_directive(level.as_deref())));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = match target {
        LogTarget::Stdout(_) => builder.with_writer(io::stdout).try_init(),
        LogTarget::Stderr(_) | LogTarget::Syslog(_) => builder.with_writer(io::stderr).try_init(),
        LogTarget::File(path, _) => {
            let file = OpenOptions::new().create(true).append(true).open(&path)?;
            builder
                .with_ansi(false)
                .with_writer(Mutex::new(file))
                .try_init()
        }
    };
    // Already installed (by an earlier call or the embedding program): keep that one.
    let _ = result;
    Ok(())
}

/// Logs to stderr (where a service manager collects them) at the level of the
/// configuration's first `log` line: the example daemons' choice.
pub fn init_stderr(conf: &crate::conf::OspfdConf) -> io::Result<()> {
    let level = conf.log.iter().find_map(|t| match t {
        LogTarget::Stdout(l) | LogTarget::Stderr(l) | LogTarget::Syslog(l) => l.clone(),
        LogTarget::File(_, l) => l.clone(),
    });
    init(&[LogTarget::Stderr(level)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frr_levels_map_to_tracing_levels() {
        assert_eq!(level_directive(Some("debugging")), "debug");
        assert_eq!(level_directive(Some("informational")), "info");
        assert_eq!(level_directive(None), "info");
        assert_eq!(level_directive(Some("warnings")), "warn");
        assert_eq!(level_directive(Some("critical")), "error");
    }
}
