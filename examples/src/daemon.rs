//! What `server-speaker` and `ecmp-router` share: their common command-line options mapped
//! onto [`Builder`] (the defaults are [`ospf_std::presets`]'s), and the run itself with the
//! metrics endpoint and systemd readiness.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use ospf_std::api::{Builder, Runtime};
use ospf_std::presets::{DEFAULT_SOCKET, DEFAULT_STATE_DIR};
use ospf_std::systemd::Readiness;

/// The options every example daemon takes (flatten into its clap parser).
#[derive(Debug, Clone, clap::Args)]
pub struct DaemonArgs {
    /// The ospfd.conf (Quagga/FRR dialect; IOS wildcard `network` lines accepted).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: PathBuf,
    /// Control socket for ospfctl.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_SOCKET)]
    pub socket: PathBuf,
    /// Where state kept across a graceful restart goes (the end of a prepared restart's
    /// grace period).
    #[arg(long = "state-dir", value_name = "DIR", default_value = DEFAULT_STATE_DIR)]
    pub state_dir: PathBuf,
    /// Serve Prometheus metrics on http://ADDR:PORT/metrics.
    #[arg(long, value_name = "ADDR:PORT")]
    pub metrics: Option<SocketAddr>,
    /// Sub-second Hellos: N a second with a dead interval of 1 s (FRR's `dead-interval
    /// minimal hello-multiplier N`); every router on the segment must agree.
    #[arg(long = "fast-hello", value_name = "N", value_parser = clap::value_parser!(u8).range(1..=20))]
    pub fast_hello: Option<u8>,
    /// RFC 2328 LSA timers (MinLSInterval 5 s, MinLSArrival 1 s) instead of the fast ones.
    #[arg(long = "rfc-timers")]
    pub rfc_timers: bool,
}

impl DaemonArgs {
    /// Reads the configuration file into `builder`, logs to stderr at its `log` level, and
    /// applies the shared options (signals handled: SIGTERM drains). The error is the line
    /// for stderr (exit code 2).
    pub fn builder(&self, builder: Builder) -> Result<Builder, String> {
        let builder = builder
            .config_file(&self.config)
            .map_err(|e| format!("{}: {e}", self.config.display()))?;
        let _ = ospf_std::logging::init_stderr(builder.conf());
        Ok(builder
            .control_socket(Some(self.socket.clone()))
            .state_dir(Some(self.state_dir.clone()))
            .fast_hello(self.fast_hello)
            .rfc_timers(self.rfc_timers)
            .handle_signals(true))
    }
}

/// Builds the runtime and runs it until it shut down gracefully, with the metrics endpoint
/// (if asked for) and systemd readiness (`Type=notify`: READY=1 when `readiness` holds,
/// WATCHDOG=1 while the runtime answers). `name` prefixes error lines.
pub fn run(name: &str, args: &DaemonArgs, builder: Builder, readiness: Readiness) -> ExitCode {
    let mut runtime: Runtime = match builder.build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{name}: {e}");
            return ExitCode::from(1);
        }
    };
    // The endpoint runs on its own thread and asks the runtime through a handle.
    let _metrics = match args
        .metrics
        .map(|a| ospf_std::metrics::serve(a, runtime.handle()))
    {
        Some(Err(e)) => {
            eprintln!("{name}: --metrics: {e}");
            return ExitCode::from(1);
        }
        other => other.and_then(Result::ok),
    };
    // Dropped after run() returns: STOPPING=1.
    let _notifier = ospf_std::systemd::notify_when_ready(runtime.handle(), readiness)
        .unwrap_or_else(|e| {
            eprintln!("sd_notify: {e}");
            None
        });
    match runtime.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::from(1)
        }
    }
}
