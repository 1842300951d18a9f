//! Running the checks, the facts about the app the window shows first, and restarting
//! elevated when checks were denied.

use crate::error::{ErrorCode, Result};
use crate::session::{lock, Options, Session};
use doctor_core::probe::ProbeSource;
use doctor_core::{Catalogue, Diagnosis, Lang, NetworkOptions};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AppInfo {
    pub version: String,
    /// `ja` or `en`, from the OS locale.
    pub system_lang: Lang,
    pub source: ProbeSource,
    /// Where the bundle goes by default (the Desktop).
    pub destination: Option<String>,
}

/// Off the main thread: finding the Desktop may touch a redirected (network) folder.
#[tauri::command]
pub async fn app_info(options: tauri::State<'_, Options>) -> Result<AppInfo> {
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
    let destination = tauri::async_runtime::spawn_blocking(|| {
        doctor_core::bundle::default_destination().map(|d| d.display().to_string())
    })
    .await?;
    Ok(AppInfo {
        version: doctor_core::VERSION.to_owned(),
        system_lang: Lang::from_os_locale(sys_locale::get_locale().as_deref()),
        source,
        destination,
    })
}

/// Runs every check, step 2 included for `region` (`None`: detect it from the agent's
/// files) and through `proxy` when given (`None`: the system's), off the main thread:
/// reading processes and services takes a moment.
#[tauri::command]
pub async fn run_checks(
    options: tauri::State<'_, Options>,
    session: tauri::State<'_, Session>,
    region: Option<String>,
    proxy: Option<String>,
) -> Result<Diagnosis> {
    if let Some(code) = &region {
        if Catalogue::embedded().region(code).is_none() {
            return Err(ErrorCode::RegionUnknown.with(code));
        }
    }
    let engine_options = doctor_core::Options {
        source: options.source(),
        catalogue: None,
        network: Some(network_options(region, proxy)),
    };
    let diagnosis =
        tauri::async_runtime::spawn_blocking(move || doctor_core::diagnose(&engine_options))
            .await??;
    *lock(&session.diagnosis) = Some(diagnosis.clone());
    Ok(diagnosis)
}

/// Step 2's settings from the window: an empty proxy field means the system's proxy.
pub fn network_options(region: Option<String>, proxy: Option<String>) -> NetworkOptions {
    NetworkOptions {
        region,
        proxy: proxy.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()),
        ..NetworkOptions::default()
    }
}

/// The regions the user can choose, in the catalogue's order.
#[tauri::command]
pub fn list_regions() -> Vec<String> {
    Catalogue::embedded()
        .network
        .regions
        .into_iter()
        .map(|r| r.code)
        .collect()
}

/// Starts the app again elevated (UAC) with the same arguments, for checks that need
/// administrator rights, and closes this window. Windows only. Off the main thread: the
/// call returns only once the UAC prompt is answered.
#[tauri::command]
pub async fn restart_elevated(app: tauri::AppHandle) -> Result<()> {
    #[cfg(windows)]
    {
        tauri::async_runtime::spawn_blocking(crate::windows::run_elevated)
            .await?
            .map_err(|e| ErrorCode::Elevate.with(e))?;
        app.exit(0);
        Ok(())
    }
    #[cfg(not(windows))]
    {
        let _ = app;
        Err(ErrorCode::Elevate.with("Windows only"))
    }
}

#[cfg(test)]
mod tests {
    use super::network_options;

    #[test]
    fn the_proxy_field_reaches_step_2_and_empty_means_the_systems() {
        let o = network_options(Some("jp".into()), Some(" proxy.example:8080 ".into()));
        assert_eq!(o.region.as_deref(), Some("jp"));
        assert_eq!(o.proxy.as_deref(), Some("proxy.example:8080"));
        assert_eq!(network_options(None, Some("  ".into())).proxy, None);
        assert_eq!(network_options(None, None).proxy, None);
    }
}
