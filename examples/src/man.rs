//! Manual pages of the packaged programs, generated from their clap definitions
//! ([`crate::args`]) with `clap_mangen`, plus the sections clap knows nothing of (files,
//! signals, environment, exit status, see also).
//!
//! The pages are committed under `examples/man/` (the Debian package installs them);
//! `cargo run -p ospf-examples --example man-pages` writes them again, and the test
//! `examples/tests/man_pages.rs` fails when a committed page differs from what [`pages`]
//! renders now, so they never drift from the options. `ospf-rsd`'s page
//! (`ospf-std/man/ospf-rsd.8`) is written by hand: that program has no clap parser.
//!
//! ```
//! let pages = ospf_examples::man::pages();
//! let ctl = pages.iter().find(|p| p.file == "ospfctl.8").unwrap();
//! assert!(ctl.text.contains(".SH FILES"));
//! ```

use clap::CommandFactory;
use clap_mangen::Man;
use roff::{Roff, bold, italic, roman};

use crate::args::{CTL_COMMANDS, CtlArgs, RouterArgs, SpeakerArgs};

/// One manual page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// File name, with its section: `server-speaker.8`.
    pub file: String,
    /// The page in roff (`man(7)` macros).
    pub text: String,
}

/// The section every page is in: system administration (the daemons need
/// CAP_NET_RAW/CAP_NET_ADMIN, and `ospfctl` the daemons' root-owned control socket).
pub const SECTION: &str = "8";

/// The manual pages of `server-speaker`, `ecmp-router` and `ospfctl`.
pub fn pages() -> Vec<Page> {
    vec![speaker(), router(), ctl()]
}

/// A custom section: a title and its paragraphs.
struct Section {
    title: &'static str,
    body: Roff,
}

fn section(title: &'static str, build: impl FnOnce(&mut Roff)) -> Section {
    let mut body = Roff::new();
    build(&mut body);
    Section { title, body }
}

/// A tagged paragraph: `term` in bold, then its text.
fn item(r: &mut Roff, term: &str, text: &str) {
    r.control("TP", []).text([bold(term)]).text([roman(text)]);
}

fn para(r: &mut Roff, text: &str) {
    r.control("PP", []).text([roman(text)]);
}

/// clap's sections (name, synopsis, description, options), then `extra`, then the
/// version, as one page.
fn render(cmd: clap::Command, extra: Vec<Section>) -> Page {
    let version = cmd.get_version().unwrap_or_default().to_string();
    let man = Man::new(cmd)
        .section(SECTION)
        .source(format!("ospf-rs {version}"))
        .manual("System Administration");
    let file = man.get_filename();
    let preamble = Roff::new().render();
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut put = |f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
        let mut buf = Vec::new();
        // Writing into a Vec does not fail.
        let _ = f(&mut buf);
        parts.push(buf);
    };
    put(&|w| man.render_title(w));
    put(&|w| man.render_name_section(w));
    put(&|w| man.render_synopsis_section(w));
    put(&|w| man.render_description_section(w));
    put(&|w| man.render_options_section(w));
    for s in extra {
        let mut r = Roff::new();
        r.control("SH", [s.title]);
        r.extend([s.body]);
        parts.push(r.render().into_bytes());
    }
    let mut r = Roff::new();
    r.control("SH", ["VERSION"]).text([roman(version.as_str())]);
    parts.push(r.render().into_bytes());
    // Each part starts with the same preamble (apostrophe handling): keep the first.
    let mut text = String::new();
    for (i, p) in parts.into_iter().enumerate() {
        let p = String::from_utf8_lossy(&p).into_owned();
        match p.strip_prefix(preamble.as_str()) {
            Some(rest) if i > 0 => text.push_str(rest),
            _ => text.push_str(&p),
        }
    }
    Page { file, text }
}

fn daemon_environment() -> Section {
    section("ENVIRONMENT", |r| {
        item(
            r,
            "RUST_LOG",
            "Log filter (e.g. debug, or ospf_std=trace); overrides the level of the \
configuration's log lines.",
        );
        item(
            r,
            "NOTIFY_SOCKET",
            "Set by systemd for Type=notify services: READY=1 is sent once the daemon is \
useful, STOPPING=1 when it stops.",
        );
        item(
            r,
            "WATCHDOG_USEC",
            "Set by systemd with WatchdogSec=: WATCHDOG=1 is sent every half interval while \
the engine answers.",
        );
        item(
            r,
            "JOURNAL_STREAM",
            "Set by systemd when standard error goes to the journal: log lines then carry \
neither colours nor timestamps.",
        );
    })
}

fn daemon_signals(what: &str) -> Section {
    let text = format!(
        "Stop gracefully: {what} The daemon exits with status 0 once done, or when the \
drain times out."
    );
    section("SIGNALS", move |r| {
        item(r, "SIGTERM, SIGINT", &text);
        item(
            r,
            "SIGUSR1",
            "Run every health check now (the speaker's --check-* probe and each \
--service or anycast-service), instead of at its next interval; fall and rise still apply.",
        );
        para(
            r,
            "Other signals have their default effect: SIGHUP does not reload the \
configuration (ospfctl reload, or systemctl reload, does).",
        );
    })
}

fn daemon_exit_status() -> Section {
    section("EXIT STATUS", |r| {
        item(r, "0", "Stopped gracefully.");
        item(
            r,
            "1",
            "The daemon could not start or failed while running (sockets, \
netlink, control socket, metrics endpoint).",
        );
        item(
            r,
            "2",
            "Bad options, or a configuration file that cannot be read or is \
refused (the message names the line).",
        );
    })
}

fn daemon_files(conf: &str, unit: &str, sock: &str) -> Section {
    let conf_text = format!(
        "The configuration read by the packaged unit {unit} (any file with --config): \
the Quagga/FRR ospfd.conf dialect, e.g. interface, router ospf, ospf router-id, network \
A.B.C.D/M area N, ip ospf hello-interval, ip ospf authentication. A keyword that is not \
supported is refused with its line number rather than ignored."
    );
    let sock_text = format!(
        "The default control socket, which ospfctl(8) uses by default; the packaged unit \
uses {sock} in its RuntimeDirectory (mode 0660)."
    );
    let unit_path = format!("/lib/systemd/system/{unit}");
    section("FILES", move |r| {
        item(r, conf, &conf_text);
        item(r, ospf_std::presets::DEFAULT_SOCKET, &sock_text);
        item(
            r,
            &unit_path,
            "The systemd unit (Type=notify, watchdog, DynamicUser, only CAP_NET_RAW and \
CAP_NET_ADMIN), shipped disabled.",
        );
    })
}

/// `SEE ALSO` with pages given as `(name, section)`.
fn see_also(pages: &[(&str, &str)]) -> Section {
    let mut inlines = Vec::new();
    for (i, (name, sec)) in pages.iter().enumerate() {
        let sep = if i + 1 < pages.len() { ", " } else { "" };
        inlines.push(italic(*name));
        inlines.push(roman(format!("({sec}){sep}")));
    }
    section("SEE ALSO", move |r| {
        r.text(inlines);
    })
}

fn speaker() -> Page {
    render(
        SpeakerArgs::command(),
        vec![
            daemon_files(
                "/etc/ospf-rs/speaker.conf",
                "ospf-rs-speaker.service",
                "/run/ospf-rs/speaker.sock",
            ),
            daemon_signals(
                "the speaker flushes its LSAs (withdrawing the anycast addresses), waits \
until the router acknowledged the flush (at most --drain-timeout), then exits.",
            ),
            daemon_environment(),
            daemon_exit_status(),
            section("EXAMPLES", |r| {
                para(
                    r,
                    "Announce 172.16.0.1/32 while the local web server answers:",
                );
                r.control("PP", [])
                    .control("nf", [])
                    .text([roman(
                        "ip addr add 172.16.0.1/32 dev lo\nserver-speaker --config /etc/ospf-rs/speaker.conf \\\n    --check-http http://127.0.0.1/ --check-interval 200 --check-fall 2",
                    )])
                    .control("fi", []);
            }),
            see_also(&[
                ("ecmp-router", "8"),
                ("ospfctl", "8"),
                ("ospf-rsd", "8"),
                ("ospfd", "8"),
                ("systemd.service", "5"),
            ]),
        ],
    )
}

fn router() -> Page {
    render(
        RouterArgs::command(),
        vec![
            daemon_files(
                "/etc/ospf-rs/router.conf",
                "ospf-rs-router.service",
                "/run/ospf-rs/router.sock",
            ),
            daemon_signals(
                "the router flushes its LSAs, removes the routes it installed (protocol \
ospf), then exits.",
            ),
            daemon_environment(),
            daemon_exit_status(),
            section("EXAMPLES", |r| {
                para(
                    r,
                    "Spread the clients of 172.16.0.1 over the servers announcing it:",
                );
                r.control("PP", [])
                    .control("nf", [])
                    .text([roman(
                        "sysctl -w net.ipv4.fib_multipath_hash_policy=1\necmp-router --config /etc/ospf-rs/router.conf --metrics 127.0.0.1:9618\nip route show 172.16.0.1",
                    )])
                    .control("fi", []);
            }),
            see_also(&[
                ("server-speaker", "8"),
                ("ospfctl", "8"),
                ("ospf-rsd", "8"),
                ("ip-nexthop", "8"),
                ("ospfd", "8"),
                ("systemd.service", "5"),
            ]),
        ],
    )
}

fn ctl() -> Page {
    render(
        CtlArgs::command(),
        vec![
            section("COMMANDS", |r| {
                para(
                    r,
                    "The words after the options form one command line, sent to the daemon:",
                );
                for (cmd, text) in CTL_COMMANDS {
                    item(r, cmd, text);
                }
            }),
            section("FILES", |r| {
                item(
                    r,
                    ospf_std::presets::DEFAULT_SOCKET,
                    "The default control socket of every daemon of ospf-rs.",
                );
                r.control("TP", [])
                    .text([
                        bold("/run/ospf-rs/speaker.sock"),
                        roman(", "),
                        bold("/run/ospf-rs/router.sock"),
                    ])
                    .text([roman(
                        "The control sockets of the packaged units ospf-rs-speaker.service and \
ospf-rs-router.service (pass them with --socket).",
                    )]);
            }),
            section("EXIT STATUS", |r| {
                item(
                    r,
                    "0",
                    "The daemon carried out the command (watch: the stream ended).",
                );
                item(
                    r,
                    "1",
                    "The daemon refused the command (the answer starts with % or error:).",
                );
                item(
                    r,
                    "2",
                    "Bad options, or the control socket could not be reached.",
                );
            }),
            section("EXAMPLES", |r| {
                r.control("nf", [])
                    .text([roman(
                        "ospfctl --socket /run/ospf-rs/router.sock show ip route ospf\nospfctl show ip ospf neighbor --json\nospfctl --socket /run/ospf-rs/speaker.sock withdraw 172.16.0.1/32\nospfctl watch --json",
                    )])
                    .control("fi", []);
            }),
            see_also(&[
                ("server-speaker", "8"),
                ("ecmp-router", "8"),
                ("ospf-rsd", "8"),
                ("vtysh", "1"),
            ]),
        ],
    )
}
