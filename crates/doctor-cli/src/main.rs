//! `basecamp-doctor`: the command-line face of Basecamp Doctor for administrators who
//! manage many endpoints. It parses flags, runs the engine and prints; all judgement lives
//! in `doctor-core`, all text in `locales/`.

mod output;

use clap::{Args, Parser, Subcommand, ValueEnum};
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::probe::Probe;
use doctor_core::{Catalogue, Lang, Locale, Report};
use std::path::PathBuf;
use std::process::ExitCode;

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
    let diagnosis = match doctor_core::run_checks(probe.as_ref(), &catalogue) {
        Ok(d) => d,
        Err(e) => return fail(locale, "error.probe", &e, exit::SOFTWARE),
    };
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
