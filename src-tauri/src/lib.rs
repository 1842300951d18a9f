//! The Tauri v2 shell of Basecamp Doctor: thin commands over `doctor-core`, a typed error
//! the UI can show, and the `--scenario FILE` switch that replays a fixture machine. It
//! holds no diagnosis logic and no user-facing text (the UI renders locale keys).

use doctor_core::checks::network::NetworkOptions;
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::probe::{Probe, ProbeSource};
use doctor_core::{Catalogue, Diagnosis, Lang};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// Start-up options, read once from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Replay this scenario instead of reading the machine.
    pub scenario: Option<PathBuf>,
}

impl Options {
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Options {
        let mut opts = Options::default();
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            if arg == "--scenario" {
                opts.scenario = it.next().map(PathBuf::from);
            } else if let Some(v) = arg.strip_prefix("--scenario=") {
                opts.scenario = Some(PathBuf::from(v));
            }
        }
        opts
    }
}

/// An error the UI can show: a stable code, a locale key and the technical detail.
#[derive(Debug, Clone, Serialize)]
pub struct CommandError {
    pub code: &'static str,
    pub message_key: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    /// `ja` or `en`, from the OS locale.
    pub system_lang: Lang,
    pub source: ProbeSource,
}

fn probe_for(options: &Options) -> Result<Box<dyn Probe>, CommandError> {
    match &options.scenario {
        None => Ok(doctor_core::probe::live()),
        Some(path) => FixtureProbe::load(path)
            .map(|p| Box::new(p) as Box<dyn Probe>)
            .map_err(|e| CommandError {
                code: "scenario.unreadable",
                message_key: "error.scenario",
                detail: e.to_string(),
            }),
    }
}

#[tauri::command]
fn app_info(options: tauri::State<'_, Options>) -> AppInfo {
    let source = match &options.scenario {
        None => ProbeSource::Live,
        Some(path) => ProbeSource::Scenario {
            name: path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: path.display().to_string(),
        },
    };
    AppInfo {
        version: doctor_core::VERSION,
        system_lang: Lang::from_os_locale(sys_locale::get_locale().as_deref()),
        source,
    }
}

/// Runs every check: the local ones off the UI thread (reading processes and services
/// takes a moment), then step 2 for `region` (`None`: detect it from the agent's files).
#[tauri::command]
async fn run_checks(
    options: tauri::State<'_, Options>,
    region: Option<String>,
) -> Result<Diagnosis, CommandError> {
    let options = options.inner().clone();
    let catalogue = Catalogue::embedded();
    if let Some(code) = &region {
        if catalogue.region(code).is_none() {
            return Err(CommandError {
                code: "region.unknown",
                message_key: "network.region.unknown",
                detail: code.clone(),
            });
        }
    }
    let probe: Arc<dyn Probe> = probe_for(&options)?.into();
    let local = probe.clone();
    let mut diagnosis = tauri::async_runtime::spawn_blocking(move || {
        doctor_core::run_checks(local.as_ref(), &Catalogue::embedded()).map_err(|e| CommandError {
            code: "probe.failed",
            message_key: "error.probe",
            detail: e.to_string(),
        })
    })
    .await
    .map_err(|e| CommandError {
        code: "internal",
        message_key: "error.probe",
        detail: e.to_string(),
    })??;
    let net_options = NetworkOptions {
        region,
        ..NetworkOptions::default()
    };
    let os = diagnosis.os.clone();
    let report =
        doctor_core::checks::network::run(probe.as_ref(), &catalogue, &os, &net_options).await;
    diagnosis.add_network(&catalogue, report);
    Ok(diagnosis)
}

/// The regions the user can choose, in the catalogue's order.
#[tauri::command]
fn list_regions() -> Vec<String> {
    Catalogue::embedded()
        .network
        .regions
        .into_iter()
        .map(|r| r.code)
        .collect()
}

pub fn run() {
    let options = Options::from_args(std::env::args().skip(1));
    tauri::Builder::default()
        .manage(options)
        .invoke_handler(tauri::generate_handler![app_info, run_checks, list_regions])
        .run(tauri::generate_context!())
        .expect("error while running the Basecamp Doctor window");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_flag_is_read_in_both_spellings() {
        let a = Options::from_args(["--scenario".into(), "x.json".into()]);
        assert_eq!(a.scenario, Some(PathBuf::from("x.json")));
        let b = Options::from_args(["--scenario=y.json".into()]);
        assert_eq!(b.scenario, Some(PathBuf::from("y.json")));
        assert!(Options::from_args(Vec::<String>::new()).scenario.is_none());
    }

    #[test]
    fn an_unreadable_scenario_becomes_a_typed_error() {
        let opts = Options {
            scenario: Some(PathBuf::from("/nonexistent/scenario.json")),
        };
        let err = probe_for(&opts).err().expect("an error");
        assert_eq!(err.code, "scenario.unreadable");
        assert_eq!(err.message_key, "error.scenario");
    }
}
