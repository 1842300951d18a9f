//! `basecamp-doctor collect`: check this endpoint and leave the result (and optionally the
//! support bundle) in a folder, typically a share that Intune, Configuration Manager, GPO
//! or Ansible points every endpoint at. What the file holds is `doctor_core::collect`'s.

use super::{diagnose, exit, fail, finish, lang_of, output, RunArgs};
use clap::Args;
use doctor_core::bundle;
use doctor_core::Locale;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Folder (or share) to write <host>.collect.json to.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also save the support bundle (zip) in that folder.
    #[arg(long)]
    bundle: bool,
    /// A site name to record, used by `fleet` when its site map does not place this
    /// endpoint (e.g. --site-hint Osaka).
    #[arg(long, value_name = "NAME")]
    site_hint: Option<String>,
    /// Print one JSON object (path, verdict, bundle) instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(serde::Serialize)]
struct Outcome {
    path: PathBuf,
    verdict: doctor_core::Status,
    exit_code: i32,
    bundle: Option<PathBuf>,
}

pub fn collect(args: CollectArgs) -> ExitCode {
    let lang = lang_of(args.run.lang);
    let locale = Locale::get(lang);
    if !args.out.is_dir() {
        return fail(
            locale,
            "error.collect_out",
            &args.out.display(),
            exit::CANT_CREATE,
        );
    }
    let (catalogue, diagnosis) = match diagnose(&args.run, locale) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let identity = diagnosis.identity.clone();
    let file = doctor_core::collect::build(&diagnosis, args.site_hint.clone());
    let mut bundle_path = None;
    if args.bundle {
        let sources = match args.run.scenario {
            Some(_) => Vec::new(),
            None => bundle::default_sources(&catalogue, &diagnosis, true),
        };
        let request = bundle::BundleRequest {
            diagnosis: &diagnosis,
            catalogue: &catalogue,
            lang,
            answers: bundle::SupportAnswers::default(),
            sources,
            screenshots: Vec::new(),
            limits: bundle::Limits::default(),
            identity: Some(identity),
            from_app: false,
        };
        let stem = bundle::names::bundle_stem(&diagnosis.os.hostname, &chrono::Local::now());
        let quiet = output::ProgressBar::new(false, locale);
        match bundle::write_bundle(&request, &args.out, &stem, &quiet) {
            Ok(o) => bundle_path = Some(o.path),
            Err(e) => {
                let code = match e {
                    bundle::BundleError::Destination { .. } => exit::CANT_CREATE,
                    _ => exit::IO,
                };
                return fail(locale, e.message_key(), &e, code);
            }
        }
    }
    let path = match doctor_core::collect::write(&args.out, &file) {
        Ok(p) => p,
        Err(e) => {
            let code = if e.is_destination() {
                exit::CANT_CREATE
            } else {
                exit::IO
            };
            return fail(locale, "error.collect_out", &e, code);
        }
    };
    let written = if args.json {
        output::json(&Outcome {
            path,
            verdict: file.verdict,
            exit_code: file.exit_code,
            bundle: bundle_path,
        })
    } else {
        use std::io::Write;
        let mut p = BTreeMap::new();
        p.insert("path".to_owned(), path.display().to_string());
        p.insert(
            "verdict".to_owned(),
            locale
                .text(&format!(
                    "verdict.{}",
                    match file.verdict {
                        // The file says `skipped` for a run with something not checked.
                        doctor_core::Status::Skipped => "incomplete",
                        v => v.as_str(),
                    }
                ))
                .to_owned(),
        );
        let mut text = locale.render("collect.cli.saved", &p);
        if let Some(b) = &bundle_path {
            let mut bp = BTreeMap::new();
            bp.insert("path".to_owned(), b.display().to_string());
            text.push('\n');
            text.push_str(&locale.render("bundle.cli.saved", &bp));
        }
        writeln!(std::io::stdout().lock(), "{text}")
    };
    finish(written, file.exit_code, locale)
}
