//! `basecamp-doctor`: the command-line face of Basecamp Doctor for administrators who
//! manage many endpoints. It parses flags, runs the engine and prints; all judgement lives
//! in `doctor-core`, all text in `locales/`.

mod output;

use clap::{Args, Parser, Subcommand, ValueEnum};
use doctor_core::catalogue::HostEntry;
use doctor_core::checks::network::{self as net_check, NetworkOptions};
use doctor_core::network::NetConfig;
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::probe::Probe;
use doctor_core::{Catalogue, Lang, Locale, Report};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Exit codes (also in README): 0 all pass, 1 warnings, 2 problems; 64 and above are
/// errors of the tool itself, following BSD sysexits.
mod exit {
    pub const USAGE: u8 = 64;
    pub const DATA: u8 = 65;
    pub const NO_INPUT: u8 = 66;
    pub const SOFTWARE: u8 = 70;
    pub const IO: u8 = 74;
}

#[derive(Debug, Parser)]
#[command(
    name = "basecamp-doctor",
    version,
    about = "Finds out why an endpoint does not appear in Trend Vision One's Endpoint Inventory.",
    after_help = "Exit codes:\n  0   every check passed\n  1   warnings, no problems\n  2   at least one problem\n  64  wrong usage (unknown flag, bad value)\n  65  a scenario or catalogue file is malformed\n  66  a file given on the command line cannot be read\n  70  this computer's basic facts could not be read\n  74  the output could not be written"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check this endpoint (or a replayed scenario) and print the findings.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Language of the output. Default: the system's language (Japanese on a Japanese
    /// system, English otherwise).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Replay a scenario file instead of reading this computer.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Use this catalogue (names, folders, requirements) instead of the built-in one.
    #[arg(long = "catalog", value_name = "FILE")]
    catalogue: Option<PathBuf>,
    /// Show the details of passing items too.
    #[arg(long, short)]
    verbose: bool,
    /// Vision One region for step 2 (network). Default: read from the agent's own files;
    /// without it, step 2 is skipped.
    #[arg(long, value_enum)]
    region: Option<RegionArg>,
    /// Also test this host, e.g. a Service Gateway (NAME:PORT; repeatable).
    #[arg(long = "host", value_name = "NAME:PORT")]
    hosts: Vec<String>,
    /// Test through this proxy (HOST:PORT or URL) instead of the system's proxy.
    #[arg(long, value_name = "PROXY")]
    proxy: Option<String>,
    /// Time limit in seconds for each stage of each connection (DNS, connect, TLS, HTTP).
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    timeout: u64,
    /// Write the note for the network team (what failed, what to allow) to this file.
    #[arg(long, value_name = "FILE")]
    network_note: Option<PathBuf>,
    /// Skip step 2 (network).
    #[arg(long, conflicts_with_all = ["region", "hosts", "network_note"])]
    no_network: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RegionArg {
    Us,
    Eu,
    Jp,
    Sg,
    Au,
    In,
    Mea,
}

impl RegionArg {
    fn code(self) -> &'static str {
        match self {
            RegionArg::Us => "us",
            RegionArg::Eu => "eu",
            RegionArg::Jp => "jp",
            RegionArg::Sg => "sg",
            RegionArg::Au => "au",
            RegionArg::In => "in",
            RegionArg::Mea => "mea",
        }
    }
}

/// `NAME:PORT` → a catalogue entry for an ad-hoc target.
fn parse_host(text: &str) -> Option<HostEntry> {
    let (host, port) = text.trim().rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
    let host = host.trim_matches(['[', ']']);
    (!host.is_empty() && !host.contains(['/', ' '])).then(|| HostEntry {
        host: host.to_owned(),
        port,
        purpose: "custom".to_owned(),
    })
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LangArg {
    Ja,
    En,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Check(args) => check(args),
    }
}

fn system_lang() -> Lang {
    Lang::from_os_locale(sys_locale::get_locale().as_deref())
}

/// A localised error line plus the technical detail, on stderr.
fn fail(locale: &Locale, key: &str, detail: &dyn std::fmt::Display, code: u8) -> ExitCode {
    eprintln!("basecamp-doctor: {}\n  {detail}", locale.text(key));
    ExitCode::from(code)
}

fn check(args: CheckArgs) -> ExitCode {
    let lang = match args.lang {
        Some(LangArg::Ja) => Lang::Ja,
        Some(LangArg::En) => Lang::En,
        None => system_lang(),
    };
    let locale = Locale::get(lang);
    let catalogue = match &args.catalogue {
        None => Catalogue::embedded(),
        Some(path) => match std::fs::read_to_string(path) {
            Err(e) => {
                return fail(
                    locale,
                    "error.catalogue",
                    &format!("{}: {e}", path.display()),
                    exit::NO_INPUT,
                )
            }
            Ok(text) => match Catalogue::from_json(&text) {
                Ok(c) => c,
                Err(e) => {
                    return fail(
                        locale,
                        "error.catalogue",
                        &format!("{}: {e}", path.display()),
                        exit::DATA,
                    )
                }
            },
        },
    };
    let probe: Box<dyn Probe> = match &args.scenario {
        None => doctor_core::probe::live(),
        Some(path) => match FixtureProbe::load(path) {
            Ok(p) => Box::new(p),
            Err(e @ doctor_core::probe::ProbeError::Io { .. }) => {
                return fail(locale, "error.scenario", &e, exit::NO_INPUT)
            }
            Err(e) => return fail(locale, "error.scenario", &e, exit::DATA),
        },
    };
    let mut extra_hosts = Vec::new();
    for h in &args.hosts {
        match parse_host(h) {
            Some(entry) => extra_hosts.push(entry),
            None => return fail(locale, "error.host_flag", &h, exit::USAGE),
        }
    }
    let mut diagnosis = match doctor_core::run_checks(probe.as_ref(), &catalogue) {
        Ok(d) => d,
        Err(e) => return fail(locale, "error.probe", &e, exit::SOFTWARE),
    };
    if !args.no_network {
        let options = NetworkOptions {
            region: args.region.map(|r| r.code().to_owned()),
            extra_hosts,
            proxy: args.proxy.clone(),
            config: NetConfig {
                timeout: Duration::from_secs(args.timeout),
                ..NetConfig::default()
            },
        };
        let os = diagnosis.os.clone();
        match net_check::run_blocking(probe.as_ref(), &catalogue, &os, &options) {
            Ok(report) => diagnosis.add_network(&catalogue, report),
            Err(e) => return fail(locale, "error.network", &e, exit::SOFTWARE),
        }
    }
    if let Some(path) = &args.network_note {
        let text = match &diagnosis.network {
            Some(report) => {
                doctor_core::network::note::render(report, &diagnosis.os, &catalogue, lang)
            }
            None => locale.text("network.region.unknown").to_owned(),
        };
        if let Err(e) = std::fs::write(path, text) {
            return fail(
                locale,
                "error.note",
                &format!("{}: {e}", path.display()),
                exit::IO,
            );
        }
    }
    let report = Report::new(&diagnosis, lang);
    let written = if args.json {
        output::json(&report)
    } else {
        output::text(&report, locale, args.verbose)
    };
    match written {
        Ok(()) => ExitCode::from(u8::try_from(report.exit_code).unwrap_or(exit::SOFTWARE)),
        // A closed pipe (`| head`) is not worth an error message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(exit::IO),
        Err(e) => fail(locale, "error.output", &e, exit::IO),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_host;

    #[test]
    fn host_flag_needs_a_name_and_a_port() {
        let h = parse_host("sg01.corp.local:8080").unwrap();
        assert_eq!((h.host.as_str(), h.port), ("sg01.corp.local", 8080));
        assert_eq!(parse_host("[::1]:443").unwrap().host, "::1");
        assert!(parse_host("sg01").is_none());
        assert!(parse_host("sg01:http").is_none());
        assert!(parse_host(":443").is_none());
        assert!(parse_host("a b:443").is_none());
    }
}
