//! Show commands for `server-speaker` and `ecmp-router` over their control socket.
//!
//! ```text
//! cargo run --example ospfctl -- show ip ospf neighbor
//! cargo run --example ospfctl -- show ip ospf database
//! cargo run --example ospfctl -- show ip ospf interface
//! cargo run --example ospfctl -- show ip route ospf --json
//! cargo run --example ospfctl -- --socket /run/ospf-rs/router.sock withdraw 172.16.0.1/32
//! cargo run --example ospfctl -- watch --json
//! ```
//!
//! `watch` streams the daemon's events (neighbor, interface and route changes, health,
//! announcements), one line each (`--json`: one object per line), until interrupted.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use ospf_std::control::request;
use ospf_std::presets::DEFAULT_SOCKET;

/// Options of ospfctl.
#[derive(Debug, Parser)]
#[command(
    about = "Query a server-speaker or ecmp-router",
    after_help = "Commands: show ip ospf [neighbor|database|interface|route] [--json], show ip route ospf [--json], watch [--json], withdraw A.B.C.D[/M], announce A.B.C.D[/M], health up|down, shutdown"
)]
struct Args {
    /// The daemon's control socket.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_SOCKET)]
    socket: PathBuf,
    /// JSON output (also accepted as a trailing `json` word).
    #[arg(long)]
    json: bool,
    /// The command, e.g. `show ip ospf neighbor`.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut words: Vec<String> = args.command.clone();
    let json = args.json || words.last().is_some_and(|w| w == "--json" || w == "json");
    if words.last().is_some_and(|w| w == "--json") {
        words.pop();
    }
    if words.first().is_some_and(|w| w == "watch") {
        return watch(&args.socket, json);
    }
    let mut line = words.join(" ");
    if json && !line.ends_with(" json") {
        line.push_str(" json");
    }
    match request(&args.socket, &line) {
        Ok(answer) => {
            print!("{answer}");
            if answer.starts_with('%') || answer.starts_with("error:") {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("ospfctl: {}: {e}", args.socket.display());
            ExitCode::from(2)
        }
    }
}

/// `ospfctl watch`: prints the event stream until the daemon stops or stdout closes.
fn watch(socket: &std::path::Path, json: bool) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let result = ospf_std::control::watch(socket, json, |line| {
        writeln!(out, "{line}").and_then(|()| out.flush()).is_ok()
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ospfctl: {}: {e}", socket.display());
            ExitCode::from(2)
        }
    }
}
