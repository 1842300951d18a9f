//! The support bundle: one zip with the manifest, the localised report, the text for
//! support, the network-team note, the screenshots and the agent's logs (credentials
//! masked). It reads nothing but the chosen folders and writes nothing but that one file.
//!
//! By stage: `plan` decides what goes in before anything is read (folders, files within
//! the limits, the size preview); `pipeline` reads, masks and compresses the files on one
//! pool of worker threads into the zip (`zipout`); `verify` reads the finished zip back;
//! `place` owns the temporary name and gives the file its real one. `answers` checks what
//! the admin typed and builds the list that `inquiry.txt` and `report.html` both show.
//! Showing the file in a file manager is the app's job, not the engine's.

pub mod answers;
pub mod html;
pub mod inquiry;
pub mod manifest;
pub mod names;
mod pipeline;
mod place;
mod plan;
pub mod redact;
mod textlog;
mod verify;
mod zipout;

pub use answers::{valid_business_id, AnswerError, SupportAnswers};
pub use place::default_destination;
pub use plan::{default_sources, list_files, preview, Plan, SourcePreview};

use crate::catalogue::Catalogue;
use crate::diagnosis::Diagnosis;
use crate::i18n::Lang;
use manifest::Manifest;
use serde::{Deserialize, Serialize};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use zipout::ZipOut;

/// A folder to collect, and the name its files get under `logs/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Source {
    pub label: String,
    pub path: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Limits {
    /// Total bytes read from the collected files.
    pub max_input: u64,
    /// Files larger than this are cut to their head and tail.
    pub per_file_cap: u64,
    /// Of a cut file, this much comes from the start; the rest of the cap from the end.
    pub head_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input: 1 << 30,
            per_file_cap: 64 << 20,
            head_bytes: 8 << 20,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Screenshot {
    pub path: PathBuf,
    /// `blue_bar`, `no_blue_bar`, `business_profile`, `workbench_recipients`, `other`.
    pub slot: String,
    pub caption: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The size budget was used up by newer files.
    Budget,
    Link,
    NotRegular,
    Unreadable,
    /// Gone between listing and reading.
    Vanished,
    /// Binary content cannot be scanned for secrets, so it is not shipped.
    Binary,
    /// The file has more than one name (hard link): its content may belong elsewhere.
    HardLink,
    /// Between listing and reading, another file (or a link) took its place.
    Replaced,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Budget => "budget",
            SkipReason::Link => "link",
            SkipReason::NotRegular => "not_regular",
            SkipReason::Unreadable => "unreadable",
            SkipReason::Vanished => "vanished",
            SkipReason::Binary => "binary",
            SkipReason::HardLink => "hard_link",
            SkipReason::Replaced => "replaced",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SkippedFile {
    pub path: String,
    pub reason: SkipReason,
    pub detail: String,
}

/// How far the bundle is, for a progress bar.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    pub files_done: usize,
    pub files_total: usize,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes_done: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes_total: u64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub eta_secs: Option<u64>,
}

/// Receives progress and tells whether the user cancelled. Called from worker threads.
pub trait ProgressSink: Sync {
    fn update(&self, _progress: &Progress) {}
    /// Asked before each file, after every 64 KiB block of it, and while verifying.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Progress that nobody watches.
#[derive(Debug, Default)]
pub struct NoProgress;
impl ProgressSink for NoProgress {}

/// A cancel button. Set it from any thread (a signal handler included): the workers stop
/// within one 64 KiB block, the verification within one entry, and the partial file is
/// removed. Once the file has its real name, cancelling no longer undoes it.
#[derive(Debug, Default)]
pub struct CancelFlag(pub AtomicBool);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl ProgressSink for CancelFlag {
    fn cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("the destination folder {path} cannot be written: {source}")]
    Destination {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the destination is full: {0}")]
    DiskFull(#[source] std::io::Error),
    #[error("writing the bundle failed: {0}")]
    Write(#[source] std::io::Error),
    #[error("the bundle did not verify: {0}")]
    Verify(String),
    #[error("cancelled")]
    Cancelled,
}

impl BundleError {
    /// The locale key that explains it.
    pub fn message_key(&self) -> &'static str {
        match self {
            BundleError::Destination { .. } => "bundle.error.destination",
            BundleError::DiskFull(_) => "bundle.error.disk_full",
            BundleError::Write(_) => "bundle.error.write",
            BundleError::Verify(_) => "bundle.error.verify",
            BundleError::Cancelled => "bundle.error.cancelled",
        }
    }

    fn from_io(e: std::io::Error) -> BundleError {
        if e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28) {
            BundleError::DiskFull(e)
        } else {
            BundleError::Write(e)
        }
    }
}

/// Everything a bundle is made from.
#[derive(Debug)]
pub struct BundleRequest<'a> {
    pub diagnosis: &'a Diagnosis,
    pub catalogue: &'a Catalogue,
    pub lang: Lang,
    pub answers: SupportAnswers,
    pub sources: Vec<Source>,
    pub screenshots: Vec<Screenshot>,
    pub limits: Limits,
    /// The endpoint's IDs (`identity::collect`), so `fleet` can compare bundles.
    pub identity: Option<crate::identity::Identity>,
    /// Saved from the app's window: its texts say what the window says (a field of step 2,
    /// not a command-line flag).
    pub from_app: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BundleOutcome {
    pub path: PathBuf,
    /// Size of the zip.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    /// `bytes` as people read it (`812.3 KB`).
    pub size: String,
    /// Log files in it.
    pub files: usize,
    pub skipped: Vec<SkippedFile>,
    pub cut: usize,
    pub redactions: usize,
    /// The text of `inquiry.txt`, for "copy the text for support" (not in `--json`: it is
    /// in the zip).
    #[serde(skip_serializing)]
    pub inquiry: String,
}

/// What went into a zip, kept compact: one fixed-size record per log file.
#[derive(Debug)]
struct Contents {
    logs: pipeline::Logs,
    skipped: Vec<SkippedFile>,
    inquiry: String,
}

const INQUIRY: &str = "inquiry.txt";
const REPORT: &str = "report.html";
const MANIFEST: &str = "manifest.json";

/// Writes the whole bundle of `request` into `writer`. `write_bundle` wraps this with the
/// temporary file, the verification and the final name.
pub fn write_archive<W: Write + Seek + Send>(
    writer: W,
    request: &BundleRequest<'_>,
    progress: &dyn ProgressSink,
) -> Result<W, BundleError> {
    let plan = list_files(&request.sources, &request.limits);
    write_contents(writer, request, &plan, progress).map(|(w, _)| w)
}

fn write_contents<W: Write + Seek + Send>(
    writer: W,
    request: &BundleRequest<'_>,
    plan: &Plan,
    progress: &dyn ProgressSink,
) -> Result<(W, Contents), BundleError> {
    // What the admin typed is judged too (a Business ID other than the agent's own): the
    // report, the text for support and the manifest all carry that finding.
    let judged = answers::judged(&request.answers, request.diagnosis);
    let judged_request;
    let request = match &judged {
        Some(diagnosis) => {
            judged_request = BundleRequest {
                diagnosis,
                catalogue: request.catalogue,
                lang: request.lang,
                answers: request.answers.clone(),
                sources: request.sources.clone(),
                screenshots: request.screenshots.clone(),
                limits: request.limits,
                identity: request.identity.clone(),
                from_app: request.from_app,
            };
            &judged_request
        }
        None => request,
    };
    let mut zip = ZipOut::new(writer);
    let logs = pipeline::add_logs(&mut zip, plan, &request.limits, progress)?;
    if progress.cancelled() {
        return Err(BundleError::Cancelled);
    }
    let mut skipped = plan.skipped.clone();
    skipped.extend(logs.skipped.iter().cloned());
    let now = zipout::dos_time(Some(chrono::Utc::now().timestamp()));

    let mut shots = Vec::new();
    for (i, s) in request.screenshots.iter().enumerate() {
        match std::fs::read(&s.path) {
            Ok(bytes) => {
                let entry = format!(
                    "screenshots/{:02}-{}.png",
                    i + 1,
                    names::safe_component(&s.slot)
                );
                zip.add_stored(&entry, now, &bytes)
                    .map_err(BundleError::from_io)?;
                shots.push(manifest::ScreenshotRecord {
                    entry,
                    slot: s.slot.clone(),
                    caption: s.caption.clone(),
                    original_path: s.path.display().to_string(),
                });
            }
            Err(e) => skipped.push(SkippedFile {
                path: s.path.display().to_string(),
                reason: SkipReason::Unreadable,
                detail: e.to_string(),
            }),
        }
    }

    let network_failed = request
        .diagnosis
        .network
        .as_ref()
        .is_some_and(|n| n.results.iter().any(|r| !r.reachable()));
    let note = request
        .diagnosis
        .network
        .as_ref()
        .filter(|_| network_failed)
        .map(|n| {
            crate::present::note::render(n, &request.diagnosis.os, request.catalogue, request.lang)
        });
    let files = pipeline::FileList::new(plan, &logs);
    let manifest = Manifest::new(
        request,
        files,
        logs.redactions(),
        skipped,
        shots,
        note.is_some(),
    );
    if let Some(note) = &note {
        zip.add_deflated("network-note.txt", now, |w| w.write_all(note.as_bytes()))
            .map_err(BundleError::from_io)?;
    }
    let answer_lines = answers::lines(&request.answers, request.diagnosis);
    let inquiry = inquiry::render(request, manifest.files.len(), &answer_lines);
    zip.add_deflated(INQUIRY, now, |w| w.write_all(inquiry.as_bytes()))
        .map_err(BundleError::from_io)?;
    // Streamed into the zip: with many files the report and the manifest are megabytes.
    zip.add_deflated(REPORT, now, |w| {
        html::write(w, request, &manifest, &answer_lines)
    })
    .map_err(BundleError::from_io)?;
    zip.add_deflated(MANIFEST, now, |w| {
        serde_json::to_writer_pretty(w, &manifest).map_err(std::io::Error::from)
    })
    .map_err(BundleError::from_io)?;
    let skipped = manifest.skipped;
    let writer = zip.finish(&logs.names).map_err(BundleError::from_io)?;
    Ok((
        writer,
        Contents {
            logs,
            skipped,
            inquiry,
        },
    ))
}

/// Writes the bundle to `destination` under the name `<stem>.zip` (or `<stem>_2.zip`, ...
/// if taken), through a temporary file that is removed on any failure or cancel.
pub fn write_bundle(
    request: &BundleRequest<'_>,
    destination: &Path,
    stem: &str,
    progress: &dyn ProgressSink,
) -> Result<BundleOutcome, BundleError> {
    let plan = list_files(&request.sources, &request.limits);
    write_planned_bundle(request, &plan, destination, stem, progress)
}

/// `write_bundle` with the files already listed (`list_files`): what the listing saw is what
/// the bundle takes or explains, even if the folders change in between.
pub fn write_planned_bundle(
    request: &BundleRequest<'_>,
    plan: &Plan,
    destination: &Path,
    stem: &str,
    progress: &dyn ProgressSink,
) -> Result<BundleOutcome, BundleError> {
    let (file, partial) = place::Partial::create(destination, stem)?;
    let (writer, contents) =
        write_contents(std::io::BufWriter::new(file), request, plan, progress)?;
    let file = writer
        .into_inner()
        .map_err(|e| BundleError::from_io(e.into_error()))?;
    file.sync_all().map_err(BundleError::from_io)?;
    drop(file);
    let expected = contents
        .logs
        .entry_names()
        .chain([MANIFEST, REPORT, INQUIRY]);
    verify::verify(partial.path(), expected, progress)?;
    if progress.cancelled() {
        return Err(BundleError::Cancelled);
    }
    let path = partial.place(destination, stem)?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok(BundleOutcome {
        path,
        size: crate::units::human_bytes(bytes),
        bytes,
        files: contents.logs.len(),
        cut: contents.logs.cut(),
        redactions: contents.logs.redactions(),
        skipped: contents.skipped,
        inquiry: contents.inquiry,
    })
}
