//! The `ospf-pcap` command line: subcommands and their entry points.
//!
//! [`run`] takes the arguments and the output streams and returns the exit code, so tests
//! drive the tool exactly as the binary does. A new subcommand is a new [`Command`] arm and
//! a line in [`run`]'s match.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::decode::{Key, decode_frame};
use crate::pcap::{CaptureReader, LinkError};

/// `ospf-pcap`: OSPFv2 from packet captures.
#[derive(Debug, Parser)]
#[command(
    name = "ospf-pcap",
    version,
    about = "Decode OSPFv2 packets from pcap/pcapng captures"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every OSPFv2 packet of the captures (one line each, or JSON with --json).
    Decode(DecodeArgs),
    /// Compute the routing table a router would from the LSAs flooded in the captures,
    /// printed like FRR's `show ip ospf route` (or its `json` form with --json).
    Spf(SpfArgs),
}

/// Arguments of `ospf-pcap spf`.
#[derive(Debug, Args)]
pub struct SpfArgs {
    /// The router whose table to compute (its own Router-LSAs give its interfaces).
    #[arg(long, value_name = "ID")]
    pub router_id: std::net::Ipv4Addr,
    /// Print the table as FRR's `show ip ospf route json` does.
    #[arg(long)]
    pub json: bool,
    /// Name the interface with this address (repeatable; default eth0, eth1, ...).
    #[arg(long = "ifname", value_name = "ADDR=NAME")]
    pub ifnames: Vec<String>,
    /// Capture files, pcap or pcapng.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

/// Arguments of `ospf-pcap decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Print one JSON object per packet and line instead of text.
    #[arg(long)]
    pub json: bool,
    /// Text output: print each LSA, LSA header or request on its own line, with its body.
    #[arg(short, long)]
    pub verbose: bool,
    /// Verify authentication with this key (repeatable). ALG: simple, md5, hmac-sha1,
    /// hmac-sha256, hmac-sha384, hmac-sha512; ID is the key ID (ignored for simple).
    #[arg(long = "key", value_name = "ID:ALG:SECRET")]
    pub keys: Vec<Key>,
    /// Capture files, pcap or pcapng.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

/// Runs the tool with `args` (the first one is the program name) and returns the exit code.
///
/// Output goes to `out`, diagnostics and per-file summaries to `err`.
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                err.write_all(text.as_bytes())
            } else {
                out.write_all(text.as_bytes())
            };
            return e.exit_code();
        }
    };
    let result = match cli.command {
        Command::Decode(args) => run_decode(&args, out, err),
        Command::Spf(args) => run_spf(&args, out, err),
    };
    match result {
        Ok(code) => code,
        // Output closed early (e.g. piped into `head`): not an error of ours.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = writeln!(err, "ospf-pcap: cannot write output: {e}");
            1
        }
    }
}

/// `ospf-pcap spf`: returns the exit code (1 if a file could not be read, 2 on a bad
/// `--ifname`), or an error writing the output.
pub fn run_spf(args: &SpfArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<i32> {
    let mut argv = vec!["--router-id".to_owned(), args.router_id.to_string()];
    if args.json {
        argv.push("--json".to_owned());
    }
    for n in &args.ifnames {
        argv.push("--ifname".to_owned());
        argv.push(n.clone());
    }
    argv.extend(args.files.iter().map(|f| f.to_string_lossy().into_owned()));
    match crate::spf_cmd::run(&argv) {
        Ok(text) => {
            out.write_all(text.as_bytes())?;
            Ok(0)
        }
        Err(e) => {
            writeln!(err, "ospf-pcap spf: {e}")?;
            Ok(if e.starts_with("--") { 2 } else { 1 })
        }
    }
}

/// `ospf-pcap decode`: returns the exit code (1 if a file could not be read), or an
/// error writing the output.
pub fn run_decode(args: &DecodeArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<i32> {
    let mut code = 0;
    let many = args.files.len() > 1;
    for path in &args.files {
        let name = path.display().to_string();
        let mut reader = match CaptureReader::open(path) {
            Ok(r) => r,
            Err(e) => {
                writeln!(err, "ospf-pcap: {name}: {e}")?;
                code = 1;
                continue;
            }
        };
        if many && !args.json {
            writeln!(out, "==> {name} <==")?;
        }
        let mut stats = Stats::default();
        while let Some(frame) = reader.next_frame() {
            let frame = match frame {
                Ok(f) => f,
                Err(e) => {
                    writeln!(
                        err,
                        "ospf-pcap: {name}: cannot read frame {}: {e}",
                        stats.frames + 1
                    )?;
                    code = 1;
                    break;
                }
            };
            stats.frames += 1;
            match decode_frame(&frame, &args.keys) {
                Ok(Some(mut record)) => {
                    stats.ospf += 1;
                    let au_type = record.json.get("auth_type").and_then(|v| v.as_u64());
                    if matches!(au_type, Some(1 | 2)) && record.json["auth_verified"].is_null() {
                        stats.unverified += 1;
                    }
                    if record.is_error() {
                        stats.errors += 1;
                    }
                    if args.json {
                        if many && let Some(obj) = record.json.as_object_mut() {
                            obj.insert("file".into(), name.clone().into());
                        }
                        writeln!(out, "{}", record.json)?;
                    } else {
                        writeln!(out, "{}", record.text(args.verbose))?;
                    }
                }
                Ok(None) => stats.other += 1,
                Err(LinkError::UnsupportedLinkType(t)) => {
                    stats.unsupported.insert(t);
                }
                Err(e) => {
                    stats.undecodable += 1;
                    if stats.first_undecodable.is_none() {
                        stats.first_undecodable = Some(format!("frame {}: {e}", frame.number));
                    }
                }
            }
        }
        stats.report(&name, err)?;
    }
    Ok(code)
}

#[derive(Debug, Default)]
struct Stats {
    frames: usize,
    ospf: usize,
    errors: usize,
    other: usize,
    unverified: usize,
    undecodable: usize,
    first_undecodable: Option<String>,
    unsupported: BTreeSet<u32>,
}

impl Stats {
    fn report(&self, name: &str, err: &mut dyn Write) -> io::Result<()> {
        write!(
            err,
            "{name}: {} frames, {} OSPF packets ({} with errors), {} other frames",
            self.frames, self.ospf, self.errors, self.other
        )?;
        if self.unverified > 0 {
            write!(
                err,
                ", {} authenticated packets not verified (no --key for them)",
                self.unverified
            )?;
        }
        if self.undecodable > 0 {
            write!(
                err,
                ", {} frames not decodable down to IP (first: {})",
                self.undecodable,
                self.first_undecodable.as_deref().unwrap_or("")
            )?;
        }
        if !self.unsupported.is_empty() {
            let types: Vec<String> = self.unsupported.iter().map(u32::to_string).collect();
            write!(
                err,
                ", frames of unsupported link types {} skipped",
                types.join(", ")
            )?;
        }
        writeln!(err)
    }
}
