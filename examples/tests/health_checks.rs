//! The `server-speaker` health-check flags and how they map onto `ospf_std::health` (the
//! checks themselves are tested in `ospf-std/tests/health.rs`).

use std::time::Duration;

use clap::Parser;
use ospf_examples::health::{Check, DnsCheck, HealthArgs, HealthConfig, HealthState, HttpCheck};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    health: HealthArgs,
}

#[test]
fn command_line_options() {
    let cli = Cli::parse_from([
        "speaker",
        "--check-http",
        "http://127.0.0.1/",
        "--check-tcp",
        "127.0.0.1:22",
        "--check-cmd",
        "true",
        "--check-interval",
        "250",
        "--check-fall",
        "4",
        "--check-initial",
        "up",
    ]);
    assert_eq!(
        cli.health.checks(),
        vec![
            Check::http("http://127.0.0.1/").unwrap(),
            Check::tcp("127.0.0.1:22"),
            Check::command("true")
        ]
    );
    let c = cli.health.config();
    assert_eq!(c.interval, Duration::from_millis(250));
    assert_eq!((c.fall, c.rise, c.initial), (4, 2, HealthState::Up));
    assert!(cli.health.checker().is_some());
    let none = Cli::parse_from(["speaker"]);
    assert!(none.health.checker().is_none());
    assert_eq!(none.health.config(), HealthConfig::default());
}

#[test]
fn https_dns_and_global_http_options() {
    let cli = Cli::parse_from([
        "speaker",
        "--check-http",
        "https://127.0.0.1:8443/health",
        "--check-http",
        "http://127.0.0.1/ expect=204",
        "--check-http-status",
        "200",
        "--check-tls-insecure",
        "--check-dns",
        "svc.example.test@127.0.0.1:5353/AAAA",
        "--check-timeout",
        "300",
    ]);
    let https = HttpCheck::new("https://127.0.0.1:8443/health")
        .unwrap()
        .with_expect_status(200)
        .with_insecure(true);
    // A URL's own expect= wins over --check-http-status.
    let http = HttpCheck::new("http://127.0.0.1/")
        .unwrap()
        .with_expect_status(204)
        .with_insecure(true);
    let dns = DnsCheck::from_spec("svc.example.test@127.0.0.1:5353/AAAA").unwrap();
    assert_eq!(
        cli.health.checks(),
        vec![Check::Http(https), Check::Http(http), Check::Dns(dns)]
    );
    assert_eq!(cli.health.config().timeout, Duration::from_millis(300));
}

#[test]
fn bad_check_specifications_are_usage_errors() {
    for args in [
        &["speaker", "--check-http", "ftp://x/"][..],
        &["speaker", "--check-http", "http://h:99999/"],
        &["speaker", "--check-dns", "x.test@nowhere"],
        &["speaker", "--check-http-status", "42"],
        &["speaker", "--check-initial", "sideways"],
    ] {
        assert!(Cli::try_parse_from(args).is_err(), "{args:?}");
    }
}
