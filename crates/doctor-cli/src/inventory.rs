//! `basecamp-doctor inventory`: asks Vision One's API whether this endpoint, or each of a
//! list, is in Endpoint Inventory. The key comes from the environment or a file, never
//! from the command line (process lists show arguments); it is never printed or written.

use super::{exit, fail, finish, lang_of, LangArg};
use clap::Args;
use doctor_core::inventory::{self, Outcome, RegionHint, Secret, Wanted};
use doctor_core::Locale;
use doctor_core::Options;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// The environment variable that holds the API key.
pub const KEY_ENV: &str = "BASECAMP_DOCTOR_API_KEY";

/// Exit codes of this command, beyond 0 (all listed) and 1 (some missing).
const UNREACHABLE: u8 = 69;
const KEY_REFUSED: u8 = 77;

#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Language of the output.
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// A list of endpoint names: one per line, or a CSV with a Name column (an Active
    /// Directory computer export).
    #[arg(long, value_name = "FILE", conflicts_with = "collected")]
    names: Option<PathBuf>,
    /// A folder of collect files (JSON with `hostname` and the agent ID): their console
    /// answer next to their own diagnosis.
    #[arg(long, value_name = "DIR")]
    collected: Option<PathBuf>,
    /// Read the API key from this file (default: the environment variable
    /// BASECAMP_DOCTOR_API_KEY). The key is never taken as a flag's value.
    #[arg(long, value_name = "FILE")]
    api_key_file: Option<PathBuf>,
    /// Your console's region: us, eu, jp, sg, au, in, mea, uk, usgov. Default: the
    /// region this endpoint's agent uses.
    #[arg(long, value_name = "CODE")]
    region: Option<String>,
    /// Ask this API address instead of the region's (e.g. a test server).
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
    /// Connect through this proxy (HOST:PORT or URL) instead of the system's proxy.
    #[arg(long, value_name = "PROXY")]
    proxy: Option<String>,
    /// Time limit in seconds for each request.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=120))]
    timeout: u64,
    /// Requests sent at the same time.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=16))]
    concurrency: u64,
    /// Names asked for in one request.
    #[arg(long, hide = true, default_value_t = inventory::DEFAULT_BATCH as u64, value_parser = clap::value_parser!(u64).range(1..=50))]
    batch: u64,
    /// Replay a scenario file as this endpoint instead of reading this computer.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["names", "collected"])]
    scenario: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Also write one row per endpoint as CSV to this file.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
}

fn read_key(args: &InventoryArgs, locale: &Locale) -> Result<Secret, ExitCode> {
    match &args.api_key_file {
        Some(path) => {
            let text = std::fs::read(path).map_err(|e| {
                fail(
                    locale,
                    "error.api_key_file",
                    &format!("{}: {e}", path.display()),
                    exit::NO_INPUT,
                )
            })?;
            let text = inventory::input::decode(&text);
            Secret::new(&text).ok_or_else(|| {
                fail(
                    locale,
                    "error.api_key_file",
                    &path.display(),
                    exit::NO_INPUT,
                )
            })
        }
        None => std::env::var(KEY_ENV)
            .ok()
            .and_then(|k| Secret::new(&k))
            .ok_or_else(|| fail(locale, "inventory.cli.no_key", &KEY_ENV, exit::USAGE)),
    }
}

pub fn run(args: InventoryArgs) -> ExitCode {
    let lang = lang_of(args.lang);
    let locale = Locale::get(lang);
    let key = match read_key(&args, locale) {
        Ok(k) => k,
        Err(code) => return code,
    };
    let domains = inventory::ApiDomains::embedded();
    if let Some(r) = &args.region {
        if domains.base_url(r).is_none() {
            return fail(locale, "error.inventory_region", r, exit::USAGE);
        }
    }
    let mut skipped = Vec::new();
    let mut agent_region = None;
    let wanted: Vec<Wanted> = if let Some(path) = &args.names {
        match inventory::input::read_names(path) {
            Ok(w) => w,
            Err(e @ inventory::input::InputError::Io { .. }) => {
                return fail(locale, "error.inventory_names", &e, exit::NO_INPUT)
            }
            Err(e) => return fail(locale, "error.inventory_names", &e, exit::DATA),
        }
    } else if let Some(dir) = &args.collected {
        match inventory::input::read_collected(dir) {
            Ok((w, s)) => {
                skipped = s;
                w
            }
            Err(e) => return fail(locale, "error.inventory_collected", &e, exit::NO_INPUT),
        }
    } else {
        // This endpoint: its host name and agent ID, as `identity` reads them.
        let source = super::source_of(args.scenario.as_ref());
        let diagnosis = match doctor_core::diagnose(&Options {
            source,
            ..Options::default()
        }) {
            Ok(d) => d,
            Err(e) => return super::engine_error(e, locale),
        };
        let id = diagnosis.identity;
        agent_region = diagnosis.agent_region.map(|r| r.code().to_owned());
        vec![Wanted {
            agent_id: id.xdr_device_id,
            ..Wanted::named(&id.hostname)
        }]
    };
    if wanted.is_empty() {
        let (key, what) = match (&args.names, &args.collected) {
            (Some(p), _) => ("error.inventory_names", p.display().to_string()),
            (_, Some(d)) => ("error.inventory_collected", d.display().to_string()),
            _ => ("error.inventory_names", String::new()),
        };
        return fail(
            locale,
            key,
            &format!("{what}: no endpoint names"),
            exit::DATA,
        );
    }
    let region = args.region.clone().or_else(|| agent_region.clone());
    let Some(base) = inventory::api_base(args.api_url.as_deref(), region.as_deref()) else {
        return fail(locale, "error.inventory_region", &"--region", exit::USAGE);
    };
    // The network this command uses is this computer's, whatever scenario is replayed.
    let settings = doctor_core::probe::live().proxy().unwrap_or_default();
    let config = inventory::ClientConfig {
        timeout: Duration::from_secs(args.timeout),
        concurrency: usize::try_from(args.concurrency).unwrap_or(4),
        proxy: inventory::proxy_for(&base, args.proxy.as_deref(), &settings),
        ..inventory::ClientConfig::new(&base)
    };
    let hint = RegionHint {
        asked: if args.api_url.is_some() { None } else { region },
        agent: agent_region,
    };
    let batch = usize::try_from(args.batch).unwrap_or(inventory::DEFAULT_BATCH);
    let report = match inventory::reconcile_blocking(config, key, &wanted, batch, hint) {
        Ok(r) => r,
        Err(e) => return fail(locale, "error.network", &e, exit::SOFTWARE),
    };
    if let Some(path) = &args.csv {
        if let Err(e) = std::fs::write(path, inventory::to_csv(&report)) {
            return fail(
                locale,
                "error.output",
                &format!("{}: {e}", path.display()),
                exit::IO,
            );
        }
    }
    let rendered = inventory::render(&report, lang, skipped);
    let written = if args.json {
        super::output::json(&rendered)
    } else {
        super::output::inventory_text(&rendered, locale)
    };
    let code = match report.outcome() {
        Outcome::AllListed => 0,
        Outcome::SomeMissing => 1,
        Outcome::Unreachable => i32::from(UNREACHABLE),
        Outcome::KeyRefused => i32::from(KEY_REFUSED),
    };
    finish(written, code, locale)
}
