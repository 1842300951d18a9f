//! What the window's commands share: the start-up options and the session's state (the
//! last diagnosis, the cancel switches of the bundle and of the checks, the last saved
//! bundle), and the draft folder.

use crate::error::{ErrorCode, Result};
use doctor_core::{Diagnosis, Source};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use tauri::Manager;

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

    pub fn source(&self) -> Source {
        self.scenario.clone().map_or(Source::Live, Source::Scenario)
    }
}

#[derive(Debug, Default)]
pub struct Session {
    /// The last checks, which the bundle is made from.
    pub diagnosis: Mutex<Option<Diagnosis>>,
    pub cancel: AtomicBool,
    /// The last bundle saved, the only path "open folder" may show.
    pub saved: Mutex<Option<PathBuf>>,
    /// The stop switch of the checks running now (step 2's network test), if any.
    pub checks_cancel: Mutex<Option<doctor_core::network::Cancel>>,
}

/// Locks a mutex even if a thread panicked while holding it (the data is still usable).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Session {
    /// The checks the bundle is made from; saving before any check is an error.
    pub fn last_diagnosis(&self) -> Result<Diagnosis> {
        lock(&self.diagnosis)
            .clone()
            .ok_or_else(|| ErrorCode::NoChecks.with(""))
    }
}

/// The app's own draft folder (per user, in the app's data folder).
pub fn draft_dir(app: &tauri::AppHandle) -> Result<PathBuf> {
    app.path()
        .app_data_dir()
        .map(|d| d.join("draft"))
        .map_err(|e| ErrorCode::Draft.with(e))
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
}
