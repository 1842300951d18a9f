//! The note for the network team (what to allow, what failed) from the last checks: shown
//! in the window, copied, or saved as its own file in a dialog the app opens itself.

use crate::error::{ErrorCode, Result};
use crate::session::Session;
use doctor_core::{Catalogue, Diagnosis, Lang};

/// The note for the last checks, in `lang`. An error when step 2 has not run.
pub fn render(diagnosis: &Diagnosis, lang: Lang) -> Result<String> {
    let report = diagnosis
        .network
        .as_ref()
        .ok_or_else(|| ErrorCode::NoChecks.with("step 2 has not run"))?;
    Ok(doctor_core::present::note::render(
        report,
        &diagnosis.os,
        &Catalogue::embedded(),
        lang,
    ))
}

/// The note for the last checks, for the window to show and copy.
#[tauri::command]
pub fn network_note(session: tauri::State<'_, Session>, lang: Lang) -> Result<String> {
    render(&session.last_diagnosis()?, lang)
}

/// Asks where to save the note (the dialog is opened here, so the web view never names a
/// path) and writes it; `false` when the user closed the dialog.
#[tauri::command]
pub async fn save_network_note(
    app: tauri::AppHandle,
    session: tauri::State<'_, Session>,
    lang: Lang,
    title: String,
) -> Result<bool> {
    use tauri_plugin_dialog::DialogExt;
    let note = render(&session.last_diagnosis()?, lang)?;
    let name = match lang {
        Lang::Ja => "network-note-ja.txt",
        Lang::En => "network-note.txt",
    };
    tauri::async_runtime::spawn_blocking(move || {
        let Some(path) = app
            .dialog()
            .file()
            .set_title(title)
            .set_file_name(name)
            .add_filter("Text", &["txt"])
            .blocking_save_file()
        else {
            return Ok(false);
        };
        let path = path.into_path().map_err(|e| ErrorCode::Output.with(e))?;
        std::fs::write(&path, note.as_bytes())
            .map(|()| true)
            .map_err(|e| ErrorCode::Output.with(format!("{}: {e}", path.display())))
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnosis(network: bool) -> Diagnosis {
        let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/scenarios/windows-64-healthy.json");
        let options = doctor_core::Options {
            source: doctor_core::Source::Scenario(scenario),
            catalogue: None,
            network: network.then(doctor_core::NetworkOptions::default),
        };
        doctor_core::diagnose(&options).expect("the scenario is readable")
    }

    #[test]
    fn the_note_needs_step_2() {
        let err = render(&diagnosis(false), Lang::En).unwrap_err();
        assert_eq!(err.code, ErrorCode::NoChecks);
    }

    #[test]
    fn the_note_is_rendered_in_both_languages() {
        let d = diagnosis(true);
        let ja = render(&d, Lang::Ja).unwrap();
        let en = render(&d, Lang::En).unwrap();
        assert!(!ja.is_empty() && !en.is_empty());
        assert_ne!(ja, en);
    }
}
