//! "Compare several PCs": the files and folders to compare are chosen in a dialog this
//! command opens, and the CSV is written where the user chose in the save dialog — the web
//! view never names a path to read or write.

use crate::error::{ErrorCode, Result};
use doctor_core::fleet::FleetReport;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Mutex;
use tauri::Manager;
use tauri_plugin_dialog::DialogExt;

/// What the user chose so far and the comparison of it, the only one that can be exported.
#[derive(Debug, Default)]
pub struct LastComparison(Mutex<(Vec<PathBuf>, Option<FleetReport>)>);

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Comparison {
    /// Everything chosen so far, as the user would read the paths.
    pub inputs: Vec<String>,
    pub report: FleetReport,
}

/// Lets the user choose identity files and bundles (or folders of them), adds them to
/// what was chosen before and compares everything. `None` when the dialog was closed.
#[tauri::command]
pub async fn compare_endpoints(
    app: tauri::AppHandle,
    title: String,
    folders: bool,
) -> Result<Option<Comparison>> {
    tauri::async_runtime::spawn_blocking(move || {
        let dialog = app.dialog().file().set_title(title);
        let picked = if folders {
            dialog.blocking_pick_folders()
        } else {
            dialog
                .add_filter("identity.json / bundle.zip", &["json", "zip"])
                .blocking_pick_files()
        };
        let picked: Vec<PathBuf> = picked
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| p.into_path().ok())
            .collect();
        if picked.is_empty() {
            return None;
        }
        let last = app.state::<LastComparison>();
        let mut inputs = crate::session::lock(&last.0).0.clone();
        for p in picked {
            if !inputs.contains(&p) {
                inputs.push(p);
            }
        }
        let report = doctor_core::fleet::run(&inputs);
        *crate::session::lock(&last.0) = (inputs.clone(), Some(report.clone()));
        Some(Comparison {
            inputs: inputs.iter().map(|p| p.display().to_string()).collect(),
            report,
        })
    })
    .await
    .map_err(Into::into)
}

/// Forgets what was chosen ("clear").
#[tauri::command]
pub fn clear_comparison(last: tauri::State<'_, LastComparison>) {
    *crate::session::lock(&last.0) = (Vec::new(), None);
}

/// Asks where to save and writes the last comparison as CSV; false when cancelled.
#[tauri::command]
pub async fn export_fleet_csv(
    app: tauri::AppHandle,
    last: tauri::State<'_, LastComparison>,
    title: String,
) -> Result<bool> {
    let Some(report) = crate::session::lock(&last.0).1.clone() else {
        return Err(ErrorCode::Output.with("no comparison yet"));
    };
    tauri::async_runtime::spawn_blocking(move || {
        let Some(path) = app
            .dialog()
            .file()
            .set_title(title)
            .set_file_name("duplicates.csv")
            .add_filter("CSV", &["csv"])
            .blocking_save_file()
        else {
            return Ok(false);
        };
        let path = path.into_path().map_err(|e| ErrorCode::Output.with(e))?;
        std::fs::write(&path, doctor_core::fleet::to_csv(&report))
            .map(|()| true)
            .map_err(|e| ErrorCode::Output.with(format!("{}: {e}", path.display())))
    })
    .await?
}
