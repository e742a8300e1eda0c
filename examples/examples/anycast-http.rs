//! A static web server with its OSPF speaker in the same process: it announces its
//! anycast address only while it serves, and drains before it stops.
//!
//! ```text
//! cargo run --release --example anycast-http -- --config /etc/ospfd.conf \
//!     --socket /run/anycast-http.sock --listen 172.16.0.1:80 --root /srv/www
//! ```
//!
//! ADDR of `--listen` must be on a loopback interface and named by a `network ADDR/32
//! area N` line of the configuration. The speaker starts withdrawn
//! ([`Builder::initial_health`]`(false)`); the address is announced once the listener
//! is bound. On SIGTERM or SIGINT: drain (the address is withdrawn, adjacencies stay up)
//! and wait until the router has it, keep serving `--linger` milliseconds more (for the
//! router's FIB and clients that resolved the old path), stop accepting, finish the
//! requests in flight, shut the speaker down (LSAs flushed), exit 0.
//!
//! Both run on one tokio runtime ([`Builder::spawn_tokio`]); `ospfctl --socket PATH`
//! queries the speaker. Needs CAP_NET_RAW (and CAP_NET_BIND_SERVICE for port 80).

use std::net::SocketAddrV4;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use ospf_std::api::Builder;
use ospf_std::presets::DEFAULT_SOCKET;
use tokio::signal::unix::{SignalKind, signal};
use tracing::{info, warn};

/// Options of the web server.
#[derive(Debug, Parser)]
#[command(about = "Static HTTP server announcing its anycast address over OSPF while it serves")]
struct Args {
    /// The ospfd.conf (Quagga/FRR dialect).
    #[arg(long, short = 'c', value_name = "FILE")]
    config: PathBuf,
    /// Control socket for ospfctl.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_SOCKET)]
    socket: PathBuf,
    /// The address to serve on: an anycast address of the configuration.
    #[arg(long, value_name = "ADDR:PORT")]
    listen: SocketAddrV4,
    /// The directory served.
    #[arg(long, value_name = "DIR")]
    root: PathBuf,
    /// Milliseconds to keep serving once the router has the withdrawal.
    #[arg(long, value_name = "MS", default_value_t = 500)]
    linger: u64,
    /// Milliseconds to wait for the router to acknowledge the withdrawal (and, at
    /// shutdown, the flush).
    #[arg(long = "drain-timeout", value_name = "MS", default_value_t = 2000)]
    drain_timeout: u64,
    /// Milliseconds to let requests in flight finish once the listener is closed.
    #[arg(long = "grace", value_name = "MS", default_value_t = 5000)]
    grace: u64,
    /// Sub-second Hellos: N a second with a dead interval of 1 s (FRR's `dead-interval
    /// minimal hello-multiplier N`); every router on the segment must agree.
    #[arg(long = "fast-hello", value_name = "N", value_parser = clap::value_parser!(u8).range(1..=20))]
    fast_hello: Option<u8>,
    /// RFC 2328 LSA timers (MinLSInterval 5 s, MinLSArrival 1 s) instead of the fast ones.
    #[arg(long = "rfc-timers")]
    rfc_timers: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let builder = match Builder::speaker().config_file(&args.config) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("anycast-http: {}: {e}", args.config.display());
            return ExitCode::from(2);
        }
    };
    if let Err(e) = builder.check_service_address(*args.listen.ip()) {
        eprintln!("anycast-http: --listen {}: {e}", args.listen);
        return ExitCode::from(2);
    }
    if !args.root.is_dir() {
        eprintln!(
            "anycast-http: --root {}: not a directory",
            args.root.display()
        );
        return ExitCode::from(2);
    }
    let _ = ospf_std::logging::init_stderr(builder.conf());
    let builder = builder
        .control_socket(Some(args.socket.clone()))
        .fast_hello(args.fast_hello)
        .rfc_timers(args.rfc_timers)
        .shutdown_timeout(Duration::from_millis(args.drain_timeout))
        .initial_health(false)
        .handle_signals(false);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("anycast-http: tokio: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(serve(args, builder)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anycast-http: {e}");
            ExitCode::from(1)
        }
    }
}

/// Serves until SIGTERM/SIGINT, then drains, lingers and stops.
async fn serve(args: Args, builder: Builder) -> Result<(), Box<dyn std::error::Error>> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let (ospf, mut speaker) = builder.spawn_tokio()?;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(&args.root));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut http = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );
    // Serving: announce.
    ospf.set_health_async(true).await?;
    info!(listen = %args.listen, root = %args.root.display(), "serving; address announced");

    tokio::select! {
        _ = term.recv() => info!("SIGTERM: draining"),
        _ = int.recv() => info!("SIGINT: draining"),
        r = &mut speaker => return Err(format!("the OSPF speaker stopped: {:?}", r?).into()),
        r = &mut http => {
            // Not serving any more: flush the announcement before failing.
            ospf.shutdown();
            let _ = tokio::time::timeout(Duration::from_millis(args.drain_timeout + 1000), speaker).await;
            return Err(format!("the HTTP server stopped: {:?}", r?).into());
        }
    }
    match ospf
        .drain_async(Duration::from_millis(args.drain_timeout))
        .await
    {
        Ok(()) => info!("drained: the neighbors have the withdrawal"),
        Err(e) => warn!("drain: {e}; lingering anyway"),
    }
    tokio::time::sleep(Duration::from_millis(args.linger)).await;
    info!("closing the listener; finishing requests in flight");
    let _ = stop.send(());
    match tokio::time::timeout(Duration::from_millis(args.grace), &mut http).await {
        Ok(r) => r??,
        Err(_) => {
            warn!("requests still in flight after {} ms: dropped", args.grace);
            http.abort();
        }
    }
    ospf.shutdown();
    speaker.await??;
    info!("stopped");
    Ok(())
}
