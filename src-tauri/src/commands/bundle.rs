//! Saving the support bundle of the last checks to the Desktop, with progress and cancel,
//! its preview on the review screen, and showing the saved file in the file manager.

use crate::error::{ErrorCode, Result};
use crate::session::{draft_dir, lock, Session};
use doctor_core::bundle::{self, BundleOutcome, ProgressSink, Screenshot, SupportAnswers};
use doctor_core::{Catalogue, Lang};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use tauri::ipc::Channel;
use tauri::Manager;

/// What the Save step asks for.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SaveRequest {
    pub lang: Lang,
    pub answers: SupportAnswers,
    pub screenshots: Vec<Screenshot>,
    /// Also the sensor's and the Apex One agent's logs.
    pub agent_logs: bool,
    /// Also the Basecamp logs (the user may untick them).
    pub basecamp_logs: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Saved {
    pub outcome: BundleOutcome,
    /// The text of `inquiry.txt`, for "copy the text for support".
    pub inquiry: String,
}

/// Sends progress to the window, at most every 100 ms, and reads the cancel button.
struct ChannelProgress<'a> {
    channel: Channel<bundle::Progress>,
    cancel: &'a AtomicBool,
    last: Mutex<Option<std::time::Instant>>,
}

impl ProgressSink for ChannelProgress<'_> {
    fn update(&self, p: &bundle::Progress) {
        let mut last = lock(&self.last);
        if p.files_done < p.files_total && last.is_some_and(|t| t.elapsed().as_millis() < 100) {
            return;
        }
        *last = Some(std::time::Instant::now());
        let _ = self.channel.send(p.clone());
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

/// Screenshots may only come from the draft's own screenshot folder: a path the web view
/// names elsewhere (a key file, /etc/shadow) is refused, not read into the bundle.
fn screenshots_in_draft(shots: &[Screenshot], dir: &Path) -> Result<Vec<Screenshot>> {
    let dir = dir
        .canonicalize()
        .map_err(|e| ErrorCode::ScreenshotUnreadable.with(e));
    shots
        .iter()
        .map(|s| {
            let dir = dir.as_ref().map_err(Clone::clone)?;
            let real = s.path.canonicalize().map_err(|e| {
                ErrorCode::ScreenshotUnreadable.with(format!("{}: {e}", s.path.display()))
            })?;
            if !real.starts_with(dir) || !real.is_file() {
                return Err(ErrorCode::ScreenshotUnreadable.with(s.path.display()));
            }
            Ok(Screenshot {
                path: real,
                ..s.clone()
            })
        })
        .collect()
}

#[tauri::command]
pub async fn collect_bundle(
    app: tauri::AppHandle,
    request: SaveRequest,
    on_progress: Channel<bundle::Progress>,
) -> Result<Saved> {
    // Validated once, here as in the CLI: trimmed, empty fields dropped, a Business ID
    // in the console's format.
    let answers = request.answers.clone().checked()?;
    let shot_dir = doctor_core::draft::screenshot_dir(&draft_dir(&app)?);
    tauri::async_runtime::spawn_blocking(move || {
        let screenshots = if request.screenshots.is_empty() {
            Vec::new()
        } else {
            screenshots_in_draft(&request.screenshots, &shot_dir)?
        };
        let session = app.state::<Session>();
        let diagnosis = session.last_diagnosis()?;
        let destination =
            bundle::default_destination().ok_or_else(|| ErrorCode::NoDestination.with(""))?;
        let catalogue = Catalogue::embedded();
        let sources = if request.basecamp_logs {
            bundle::default_sources(&catalogue, &diagnosis, request.agent_logs)
        } else {
            Vec::new()
        };
        let req = bundle::BundleRequest {
            diagnosis: &diagnosis,
            catalogue: &catalogue,
            lang: request.lang,
            answers,
            sources,
            screenshots,
            limits: bundle::Limits::default(),
            identity: Some(diagnosis.identity.clone()),
            from_app: true,
        };
        session.cancel.store(false, Ordering::SeqCst);
        let sink = ChannelProgress {
            channel: on_progress,
            cancel: &session.cancel,
            last: Mutex::new(None),
        };
        let stem = bundle::names::bundle_stem(&diagnosis.os.hostname, &chrono::Local::now());
        let outcome = bundle::write_bundle(&req, &destination, &stem, &sink)?;
        let inquiry = outcome.inquiry.clone();
        *lock(&session.saved) = Some(outcome.path.clone());
        Ok(Saved { outcome, inquiry })
    })
    .await?
}

/// The folders the bundle would collect and their sizes, for the review screen.
#[tauri::command]
pub async fn bundle_preview(
    app: tauri::AppHandle,
    agent_logs: bool,
) -> Result<Vec<bundle::SourcePreview>> {
    tauri::async_runtime::spawn_blocking(move || {
        let diagnosis = app.state::<Session>().last_diagnosis()?;
        let catalogue = Catalogue::embedded();
        Ok(bundle::preview(&bundle::default_sources(
            &catalogue, &diagnosis, agent_logs,
        )))
    })
    .await?
}

#[tauri::command]
pub fn cancel_bundle(session: tauri::State<'_, Session>) {
    session.cancel.store(true, Ordering::SeqCst);
}

/// Shows the saved bundle in the file manager (selected where the OS allows it), off the
/// main thread (asking the file manager over D-Bus may wait). Only the bundle this session
/// saved can be shown.
#[tauri::command]
pub async fn reveal_bundle(session: tauri::State<'_, Session>) -> Result<()> {
    let path: PathBuf = lock(&session.saved)
        .clone()
        .ok_or_else(|| ErrorCode::NoBundle.with(""))?;
    tauri::async_runtime::spawn_blocking(move || crate::reveal::reveal(&path))
        .await?
        .map_err(|e| ErrorCode::Reveal.with(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screenshots_outside_the_draft_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("shots");
        std::fs::create_dir_all(&dir).unwrap();
        let inside = dir.join("a.png");
        std::fs::write(&inside, b"png").unwrap();
        let secret = tmp.path().join("id_rsa");
        std::fs::write(&secret, b"key").unwrap();
        let shot = |p: PathBuf| Screenshot {
            path: p,
            slot: "other".into(),
            caption: String::new(),
        };
        assert_eq!(
            screenshots_in_draft(&[shot(inside.clone())], &dir).unwrap()[0].path,
            inside.canonicalize().unwrap()
        );
        for bad in [
            secret.clone(),
            dir.join("..").join("id_rsa"),
            tmp.path().to_owned(),
        ] {
            let err = screenshots_in_draft(&[shot(bad)], &dir).unwrap_err();
            assert_eq!(err.code, ErrorCode::ScreenshotUnreadable);
        }
    }
}
