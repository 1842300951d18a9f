//! The one error every command returns: a code the UI renders (its text is the locale key,
//! so the window shows a sentence in the user's language) and the technical detail.
//! Serialised as `{ "code": "error.draft", "message": "permission denied" }`.

use doctor_core::bundle::{AnswerError, BundleError};
use doctor_core::screenshot::ScreenshotError;
use doctor_core::DiagnoseError;
use serde::Serialize;

/// What went wrong, as the UI tells it. Each name is a locale key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ErrorCode {
    #[serde(rename = "error.scenario")]
    Scenario,
    #[serde(rename = "error.probe")]
    Probe,
    #[serde(rename = "error.network")]
    Network,
    #[serde(rename = "network.region.unknown")]
    RegionUnknown,
    #[serde(rename = "ui.network.host_invalid")]
    HostInvalid,
    #[serde(rename = "error.draft")]
    Draft,
    #[serde(rename = "error.screenshot_unreadable")]
    ScreenshotUnreadable,
    #[serde(rename = "error.screenshot_not_image")]
    ScreenshotNotImage,
    #[serde(rename = "error.screenshot_broken")]
    ScreenshotBroken,
    #[serde(rename = "error.capture")]
    Capture,
    /// A paste found no image on the clipboard (text, nothing, or a format not offered as an image).
    #[serde(rename = "error.clipboard_no_image")]
    ClipboardNoImage,
    /// The clipboard itself could not be read (held by another program, not supported).
    #[serde(rename = "error.clipboard")]
    Clipboard,
    #[serde(rename = "error.business_id")]
    BusinessId,
    #[serde(rename = "error.switch_date")]
    SwitchDate,
    #[serde(rename = "error.step3_inconsistent")]
    Step3Inconsistent,
    #[serde(rename = "error.no_destination")]
    NoDestination,
    #[serde(rename = "error.no_checks")]
    NoChecks,
    #[serde(rename = "error.no_bundle")]
    NoBundle,
    #[serde(rename = "bundle.error.destination")]
    BundleDestination,
    #[serde(rename = "bundle.error.disk_full")]
    BundleDiskFull,
    #[serde(rename = "bundle.error.write")]
    BundleWrite,
    #[serde(rename = "bundle.error.verify")]
    BundleVerify,
    #[serde(rename = "bundle.error.cancelled")]
    BundleCancelled,
    #[serde(rename = "error.reveal")]
    Reveal,
    #[serde(rename = "error.output")]
    Output,
    #[serde(rename = "error.elevate")]
    Elevate,
    #[serde(rename = "ui.console.key")]
    ConsoleKey,
    #[serde(rename = "ui.error.unexpected")]
    Internal,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "CommandError"))]
pub struct Error {
    pub code: ErrorCode,
    /// Technical detail (an OS error, a path); shown small under the sentence.
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl ToString) -> Error {
        Error {
            code,
            message: message.to_string(),
        }
    }
}

impl ErrorCode {
    /// The error with `detail`, for `map_err(ErrorCode::X.with)`.
    pub fn with(self, detail: impl ToString) -> Error {
        Error::new(self, detail)
    }
}

impl From<DiagnoseError> for Error {
    fn from(e: DiagnoseError) -> Error {
        let code = match &e {
            DiagnoseError::Scenario(_) => ErrorCode::Scenario,
            DiagnoseError::Probe(_) => ErrorCode::Probe,
            DiagnoseError::Network(_) => ErrorCode::Network,
        };
        Error::new(code, e)
    }
}

impl From<BundleError> for Error {
    fn from(e: BundleError) -> Error {
        let code = match &e {
            BundleError::Destination { .. } => ErrorCode::BundleDestination,
            BundleError::DiskFull(_) => ErrorCode::BundleDiskFull,
            BundleError::Write(_) => ErrorCode::BundleWrite,
            BundleError::Verify(_) => ErrorCode::BundleVerify,
            BundleError::Cancelled => ErrorCode::BundleCancelled,
        };
        Error::new(code, e)
    }
}

impl From<AnswerError> for Error {
    fn from(e: AnswerError) -> Error {
        let code = match &e {
            AnswerError::BusinessId(_) => ErrorCode::BusinessId,
            AnswerError::SwitchDate(_) => ErrorCode::SwitchDate,
            AnswerError::Step3Inconsistent => ErrorCode::Step3Inconsistent,
        };
        Error::new(code, e)
    }
}

impl From<ScreenshotError> for Error {
    fn from(e: ScreenshotError) -> Error {
        let code = match &e {
            ScreenshotError::NotImage => ErrorCode::ScreenshotNotImage,
            ScreenshotError::Broken(_) => ErrorCode::ScreenshotBroken,
            ScreenshotError::Save { .. } => ErrorCode::Draft,
            ScreenshotError::Unreadable(_) => ErrorCode::ScreenshotUnreadable,
            ScreenshotError::Capture(_) => ErrorCode::Capture,
        };
        Error::new(code, e)
    }
}

/// A background task that panicked or was cancelled.
impl From<tauri::Error> for Error {
    fn from(e: tauri::Error) -> Error {
        Error::new(ErrorCode::Internal, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let e = ErrorCode::Draft.with("denied");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "error.draft", "message": "denied"})
        );
    }

    /// Every code is a key of both locales, so the window never shows a raw code.
    #[test]
    fn every_code_is_a_locale_key() {
        use ErrorCode::*;
        let all = [
            Scenario,
            Probe,
            Network,
            RegionUnknown,
            HostInvalid,
            Draft,
            ScreenshotUnreadable,
            ScreenshotNotImage,
            ScreenshotBroken,
            Capture,
            ClipboardNoImage,
            Clipboard,
            BusinessId,
            SwitchDate,
            Step3Inconsistent,
            NoDestination,
            NoChecks,
            NoBundle,
            BundleDestination,
            BundleDiskFull,
            BundleWrite,
            BundleVerify,
            BundleCancelled,
            Reveal,
            Output,
            Elevate,
            ConsoleKey,
            Internal,
        ];
        for lang in [doctor_core::Lang::Ja, doctor_core::Lang::En] {
            let locale = doctor_core::Locale::get(lang);
            for code in all {
                let key = serde_json::to_value(code).unwrap();
                let key = key.as_str().unwrap();
                assert!(locale.has(key), "{key} missing in {lang:?}");
            }
        }
    }
}

/// Writes the shell's own wire types next to the engine's (see scripts/gen-types.sh).
#[cfg(all(test, feature = "ts"))]
mod ts_export {
    #[test]
    fn export_wire_types() {
        use ts_rs::TS;
        let dir = std::env::var_os("TS_EXPORT_DIR").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/generated"),
            std::path::PathBuf::from,
        );
        super::Error::export_all_to(&dir).unwrap();
        crate::commands::checks::AppInfo::export_all_to(&dir).unwrap();
        crate::commands::bundle::Saved::export_all_to(&dir).unwrap();
        crate::commands::bundle::SaveRequest::export_all_to(&dir).unwrap();
        crate::commands::fleet::Comparison::export_all_to(&dir).unwrap();
        crate::commands::inventory::ConsoleCheck::export_all_to(&dir).unwrap();
    }
}
