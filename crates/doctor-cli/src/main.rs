//! `basecamp-doctor`: the command-line face of Basecamp Doctor for administrators who
//! manage many endpoints. It parses flags, runs the engine and prints; all judgement lives
//! in `doctor-core`, all text in `locales/`.

mod collect_cmd;
#[cfg(windows)]
mod console_close;
mod inventory;
mod output;

#[cfg(not(target_os = "macos"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Args, Parser, Subcommand, ValueEnum};
use doctor_core::bundle;
use doctor_core::catalogue::HostEntry;
use doctor_core::network::NetConfig;
use doctor_core::probe::ProbeError;
use doctor_core::{
    Catalogue, DiagnoseError, Diagnosis, Lang, Locale, NetworkOptions, Options, Report, Source,
};
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
    pub const CANT_CREATE: u8 = 73;
    pub const IO: u8 = 74;
}

#[derive(Debug, Parser)]
#[command(
    name = "basecamp-doctor",
    version,
    about = "Finds out why an endpoint does not appear in Trend Vision One's Endpoint Inventory.",
    after_help = "Exit codes:\n  0   every check passed\n  1   warnings, no problems\n  2   at least one problem\n  64  wrong usage (unknown flag, bad value)\n  65  a scenario or catalogue file is malformed\n  66  a file given on the command line cannot be read\n  70  this computer's basic facts could not be read\n  73  the bundle's folder cannot be written\n  74  the output or the bundle could not be written"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check this endpoint (or a replayed scenario) and print the findings.
    Check(CheckArgs),
    /// Check, then save one support bundle (zip) with the report, the text for support
    /// and the Endpoint Basecamp logs, to the Desktop or --out.
    Bundle(BundleArgs),
    /// Write this endpoint's IDs (agent ID, Apex One GUID, machine ID) as a small
    /// identity.json, for collecting from many endpoints (SCCM, Intune, GPO).
    Identity(IdentityArgs),
    /// Check, then write this endpoint's result as <host>.collect.json into --out (a
    /// share), for Intune, Configuration Manager, GPO or Ansible to gather. Exit codes as
    /// `check`.
    Collect(collect_cmd::CollectArgs),
    /// Compare identity files, bundles and collect files of many endpoints: those sharing
    /// an ID (clones made without ImageSetupTool), and per site which Vision One hosts
    /// fail at which stage. Exit code 1 when IDs are shared, an endpoint has a problem or
    /// a file could not be read.
    Fleet(FleetArgs),
    /// Ask Vision One's API (optional; needs an API key in BASECAMP_DOCTOR_API_KEY or
    /// --api-key-file) whether this endpoint, or each of --names / --collected, is in
    /// Endpoint Inventory. Exit 0 all listed, 1 some missing, 69 API unreachable, 77 key
    /// refused.
    Inventory(inventory::InventoryArgs),
}

#[derive(Debug, Args)]
struct IdentityArgs {
    /// Language of messages.
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// Replay a scenario file instead of reading this computer.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct FleetArgs {
    /// identity.json files, collect files, bundles (.zip) or folders holding them.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Language of the text output.
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Also write the groups as CSV to this file.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Also write endpoints × findings (from collect files) as CSV to this file.
    #[arg(long, value_name = "FILE")]
    endpoints_csv: Option<PathBuf>,
    /// Also write the report as one self-contained HTML file (site × host-group table).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Site map: one "CIDR,site name" per line. Without it, sites are the IPv4 /24.
    #[arg(long, value_name = "FILE")]
    sites: Option<PathBuf>,
}

/// What both `check` and `bundle` take.
#[derive(Debug, Args)]
struct RunArgs {
    /// Language of the output. Default: the system's language (Japanese on a Japanese
    /// system, English otherwise).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// Replay a scenario file instead of reading this computer.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Use this catalogue (names, folders, requirements, hosts) instead of the built-in one.
    #[arg(long = "catalog", value_name = "FILE")]
    catalogue: Option<PathBuf>,
    /// Vision One region for step 2 (network). Default: read from the agent's own files;
    /// without it, only the hosts given with --host are tested (or step 2 is skipped).
    #[arg(long, value_enum)]
    region: Option<RegionArg>,
    /// Also test this host, e.g. a Service Gateway (NAME:PORT; repeatable).
    #[arg(long = "host", value_name = "NAME:PORT")]
    hosts: Vec<String>,
    /// Test through this proxy (HOST:PORT or URL) instead of the system's proxy.
    #[arg(long, value_name = "PROXY")]
    proxy: Option<String>,
    /// Test as with a Service Gateway and its cloud-service extension: everything through
    /// it (HOST[:PORT], port 8080 by default), only the region's log receiver directly.
    #[arg(long, value_name = "HOST[:PORT]", conflicts_with = "proxy")]
    service_gateway: Option<String>,
    /// Time limit in seconds for each host's whole test (DNS, connect, TLS, HTTP).
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=120))]
    timeout: u64,
    /// Skip step 2 (network).
    #[arg(long, conflicts_with_all = ["region", "hosts"])]
    no_network: bool,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Show the details of passing items too.
    #[arg(long, short)]
    verbose: bool,
    /// Write the note for the network team (what failed, what to allow) to this file.
    #[arg(long, value_name = "FILE", conflicts_with = "no_network")]
    network_note: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct BundleArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Folder to save the bundle in. Default: the Desktop.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Collect this folder instead of the default log folders (repeatable).
    #[arg(long, value_name = "DIR")]
    logs: Vec<PathBuf>,
    /// Collect only the Endpoint Basecamp log folder, not the sensor's update logs and the
    /// Apex One agent's connection logs.
    #[arg(long, conflicts_with = "logs")]
    basecamp_logs_only: bool,
    /// Your Vision One Business ID (console: account icon → Business Profile).
    #[arg(long, value_name = "ID")]
    business_id: Option<String>,
    /// Step 3: this endpoint was managed by on-premises Apex One or Virus Buster Corp. Left
    /// out: not answered (the bundle says so).
    #[arg(long, value_name = "yes|no")]
    apex_one_on_premises: Option<YesNo>,
    /// Step 3: the old Apex One console shows the blue bar about Vision One.
    #[arg(long, value_name = "yes|no")]
    blue_bar: Option<YesNo>,
    /// Step 3: the connection destination was switched (the blue bar's Details).
    #[arg(long, value_name = "yes|no")]
    switched: Option<YesNo>,
    /// Step 3: the date it was switched (YYYY-MM-DD, not in the future; with --switched yes).
    #[arg(long, value_name = "DATE")]
    switched_on: Option<String>,
    /// Most bytes of logs to collect, newest first (e.g. 500M, 2G).
    #[arg(long, value_name = "SIZE", default_value = "1G")]
    max_size: String,
    /// Print one JSON object (path, bytes, files, skipped) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum YesNo {
    Yes,
    No,
}

fn yes(v: Option<YesNo>) -> Option<bool> {
    v.map(|v| v == YesNo::Yes)
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
    Ca,
    Uk,
    Za,
    Usgov,
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
            RegionArg::Ca => "ca",
            RegionArg::Uk => "uk",
            RegionArg::Za => "za",
            RegionArg::Usgov => "usgov",
        }
    }
}

/// `NAME:PORT` or `[IPv6]:PORT` → a catalogue entry for an ad-hoc target. Names with
/// spaces or control characters are refused here, before anything reaches the network.
fn parse_host(text: &str) -> Option<HostEntry> {
    doctor_core::network::parse_target(text)
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
        Command::Bundle(args) => bundle(args),
        Command::Identity(args) => identity(args),
        Command::Collect(args) => collect_cmd::collect(args),
        Command::Fleet(args) => fleet(args),
        Command::Inventory(args) => inventory::run(args),
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

/// A scenario or catalogue file that could not be used: UTF-16 gets its own message (save
/// as UTF-8) and, like any content in the wrong form, exit 65; a FIFO, a device, a file
/// too large or unreadable is 66.
fn data_file_failed(
    locale: &Locale,
    key: &str,
    e: &doctor_core::datafile::DataFileError,
) -> ExitCode {
    use doctor_core::datafile::DataFileError;
    match e {
        DataFileError::Utf16 { .. } => fail(locale, "error.file_utf16", e, exit::DATA),
        _ if e.is_data_error() => fail(locale, key, e, exit::DATA),
        _ => fail(locale, key, e, exit::NO_INPUT),
    }
}

/// Loads the catalogue, then runs the engine's one entry point with what the flags ask.
/// `Err` is the exit code after the error was printed.
fn diagnose(run: &RunArgs, locale: &Locale) -> Result<(Catalogue, Diagnosis), ExitCode> {
    let catalogue = match &run.catalogue {
        None => Catalogue::embedded(),
        Some(path) => {
            let text = doctor_core::datafile::read_text(path)
                .map_err(|e| data_file_failed(locale, "error.catalogue", &e))?;
            Catalogue::from_json(&text).map_err(|e| {
                fail(
                    locale,
                    "error.catalogue",
                    &format!("{}: {e}", path.display()),
                    exit::DATA,
                )
            })?
        }
    };
    let mut extra_hosts = Vec::new();
    for h in &run.hosts {
        match parse_host(h) {
            Some(entry) => extra_hosts.push(entry),
            None => return Err(fail(locale, "error.host_flag", &h, exit::USAGE)),
        }
    }
    let options = Options {
        source: source_of(run.scenario.as_ref()),
        catalogue: Some(catalogue.clone()),
        network: (!run.no_network).then(|| NetworkOptions {
            region: run.region.map(|r| r.code().to_owned()),
            extra_hosts,
            proxy: run.proxy.clone(),
            service_gateway: run.service_gateway.clone(),
            config: NetConfig {
                timeout: Duration::from_secs(run.timeout),
                observer: output::network_progress(locale),
                ..NetConfig::default()
            },
        }),
    };
    Ok((catalogue, engine(&options, locale)?))
}

fn source_of(scenario: Option<&PathBuf>) -> Source {
    scenario.map_or(Source::Live, |p| Source::Scenario(p.clone()))
}

/// The engine's entry point, its errors printed with the exit code they mean.
fn engine(options: &Options, locale: &Locale) -> Result<Diagnosis, ExitCode> {
    doctor_core::diagnose(options).map_err(|e| engine_error(e, locale))
}

/// The exit code a failed diagnosis means, after printing why.
fn engine_error(e: DiagnoseError, locale: &Locale) -> ExitCode {
    match e {
        DiagnoseError::Scenario(e @ ProbeError::Io { .. }) => {
            fail(locale, "error.scenario", &e, exit::NO_INPUT)
        }
        DiagnoseError::Scenario(ProbeError::File(e)) => {
            data_file_failed(locale, "error.scenario", &e)
        }
        DiagnoseError::Scenario(e) => fail(locale, "error.scenario", &e, exit::DATA),
        DiagnoseError::Probe(e) => fail(locale, "error.probe", &e, exit::SOFTWARE),
        DiagnoseError::Network(e) => fail(locale, "error.network", &e, exit::SOFTWARE),
    }
}

fn lang_of(arg: Option<LangArg>) -> Lang {
    match arg {
        Some(LangArg::Ja) => Lang::Ja,
        Some(LangArg::En) => Lang::En,
        None => system_lang(),
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let lang = lang_of(args.run.lang);
    let locale = Locale::get(lang);
    let (catalogue, diagnosis) = match diagnose(&args.run, locale) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if let Some(path) = &args.network_note {
        let text = match &diagnosis.network {
            Some(report) => {
                doctor_core::present::note::render(report, &diagnosis.os, &catalogue, lang)
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
    finish(written, report.exit_code, locale)
}

fn finish(written: std::io::Result<()>, code: i32, locale: &Locale) -> ExitCode {
    match written {
        Ok(()) => ExitCode::from(u8::try_from(code).unwrap_or(exit::SOFTWARE)),
        // A closed pipe (`| head`) is not worth an error message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(exit::IO),
        Err(e) => fail(locale, "error.output", &e, exit::IO),
    }
}

fn identity(args: IdentityArgs) -> ExitCode {
    let locale = Locale::get(lang_of(args.lang));
    let options = Options {
        source: source_of(args.scenario.as_ref()),
        ..Options::default()
    };
    let diagnosis = match engine(&options, locale) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let text = match serde_json::to_string_pretty(&diagnosis.identity) {
        Ok(t) => t + "\n",
        Err(e) => return fail(locale, "error.output", &e, exit::SOFTWARE),
    };
    match &args.out {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(
                locale,
                "error.output",
                &format!("{}: {e}", path.display()),
                exit::IO,
            ),
        },
        None => {
            use std::io::Write;
            finish(
                std::io::stdout().lock().write_all(text.as_bytes()),
                0,
                locale,
            )
        }
    }
}

fn fleet(args: FleetArgs) -> ExitCode {
    let lang = lang_of(args.lang);
    let locale = Locale::get(lang);
    let mut options = doctor_core::fleet::Options::default();
    if let Some(path) = &args.sites {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                let detail = format!("{}: {e}", path.display());
                return fail(locale, "error.sites", &detail, exit::NO_INPUT);
            }
        };
        options.sites = match doctor_core::fleet::SiteMap::parse(&text) {
            Ok(m) => m,
            Err(e) => {
                let detail = format!("{}: {e}", path.display());
                return fail(locale, "error.sites", &detail, exit::DATA);
            }
        };
    }
    let report = doctor_core::fleet::run_with(&args.paths, &options);
    let generated = chrono::Local::now().format("%Y-%m-%d %H:%M").to_string();
    for (path, text) in [
        (
            &args.csv,
            args.csv
                .as_ref()
                .map(|_| doctor_core::fleet::to_csv(&report)),
        ),
        (
            &args.endpoints_csv,
            args.endpoints_csv
                .as_ref()
                .map(|_| doctor_core::fleet::to_endpoints_csv(&report)),
        ),
        (
            &args.html,
            args.html
                .as_ref()
                .map(|_| doctor_core::fleet::html::render(&report, lang, &generated)),
        ),
    ] {
        if let (Some(path), Some(text)) = (path, text) {
            if let Err(e) = std::fs::write(path, text) {
                return fail(
                    locale,
                    "error.output",
                    &format!("{}: {e}", path.display()),
                    exit::IO,
                );
            }
        }
    }
    let written = if args.json {
        output::json(&report)
    } else {
        output::fleet_text(&report, locale)
    };
    finish(written, report.exit_code(), locale)
}

/// `500M`, `2G`, `1.5GiB`, `1048576` → bytes.
fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_uppercase();
    let t = t.trim_end_matches("IB").trim_end_matches('B');
    let (num, mult) = match t.chars().last()? {
        'K' => (&t[..t.len() - 1], 1u64 << 10),
        'M' => (&t[..t.len() - 1], 1 << 20),
        'G' => (&t[..t.len() - 1], 1 << 30),
        'T' => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    let value: f64 = num.trim().parse().ok()?;
    (value.is_finite() && value > 0.0).then_some((value * mult as f64) as u64)
}

fn bundle(args: BundleArgs) -> ExitCode {
    let lang = lang_of(args.run.lang);
    let locale = Locale::get(lang);
    let Some(max_input) = parse_size(&args.max_size) else {
        return fail(locale, "error.max_size", &args.max_size, exit::USAGE);
    };
    let answers = bundle::SupportAnswers {
        business_id: args.business_id.clone(),
        managed_by_on_premises: yes(args.apex_one_on_premises),
        blue_bar_shown: yes(args.blue_bar),
        switch_done: yes(args.switched),
        switch_date: args.switched_on.clone(),
        ..Default::default()
    };
    let answers = match answers.checked() {
        Ok(a) => a,
        Err(e) => return fail(locale, e.message_key(), &e.value(), exit::USAGE),
    };
    let destination = match args.out.clone().or_else(bundle::default_destination) {
        Some(d) => d,
        None => return fail(locale, "error.no_destination", &"", exit::USAGE),
    };
    let (catalogue, diagnosis) = match diagnose(&args.run, locale) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let sources = if args.logs.is_empty() {
        match args.run.scenario {
            // A replay has no log files of its own.
            Some(_) => Vec::new(),
            None => bundle::default_sources(&catalogue, &diagnosis, !args.basecamp_logs_only),
        }
    } else {
        args.logs
            .iter()
            .enumerate()
            .map(|(i, p)| bundle::Source {
                label: format!("custom-{}", i + 1),
                path: std::path::absolute(p).unwrap_or_else(|_| p.clone()),
            })
            .collect()
    };
    let request = bundle::BundleRequest {
        diagnosis: &diagnosis,
        catalogue: &catalogue,
        lang,
        answers,
        sources,
        screenshots: Vec::new(),
        limits: bundle::Limits {
            max_input,
            ..bundle::Limits::default()
        },
        identity: Some(diagnosis.identity.clone()),
        from_app: false,
    };
    let stem = bundle::names::bundle_stem(&diagnosis.os.hostname, &chrono::Local::now());
    let bar = output::ProgressBar::new(!args.json, locale);
    // Ctrl-C, SIGTERM, SIGHUP (a closed terminal): stop and remove the partial file.
    let cancel = bar.cancel_flag();
    #[cfg(windows)]
    let close_cancel = cancel.clone();
    let _ = ctrlc::set_handler(move || cancel.store(true, std::sync::atomic::Ordering::SeqCst));
    // Closing the console window ends the process when its handler returns: wait there
    // until the partial file is gone.
    #[cfg(windows)]
    console_close::guard(close_cancel);
    let written_bundle = bundle::write_bundle(&request, &destination, &stem, &bar);
    #[cfg(windows)]
    console_close::finished();
    let outcome = match written_bundle {
        Ok(o) => o,
        Err(e) => {
            bar.clear();
            let code = match e {
                bundle::BundleError::Destination { .. } => exit::CANT_CREATE,
                _ => exit::IO,
            };
            return fail(locale, e.message_key(), &e, code);
        }
    };
    bar.clear();
    let written = if args.json {
        output::json(&outcome)
    } else {
        output::bundle_text(&outcome, locale)
    };
    finish(written, 0, locale)
}

#[cfg(test)]
mod tests {
    use super::{parse_host, parse_size};

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size("500M"), Some(500 << 20));
        assert_eq!(parse_size("1.5GiB"), Some(3 << 29));
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("-1G"), None);
    }

    #[test]
    fn host_flag_needs_a_name_and_a_port() {
        let h = parse_host("sg01.corp.local:8080").unwrap();
        assert_eq!((h.host.as_str(), h.port), ("sg01.corp.local", 8080));
        assert_eq!(parse_host("[::1]:443").unwrap().host, "::1");
        assert!(parse_host("sg01").is_none());
        assert!(parse_host("sg01:http").is_none());
        assert!(parse_host(":443").is_none());
        assert!(parse_host("a b:443").is_none());
        assert!(parse_host("a\r\nX-Evil: 1\r\n:443").is_none());
        assert!(parse_host("ok.example\t:443").is_none());
        assert!(parse_host("::1:443").is_none(), "IPv6 needs brackets");
    }
}
