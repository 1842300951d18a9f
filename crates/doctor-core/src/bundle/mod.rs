//! The support bundle: one zip with the manifest, the localised report, the text for
//! support, the network-team note, the screenshots and the agent's logs (credentials
//! masked). Files are compressed on all cores but memory stays bounded; the zip is written
//! under a temporary name, every entry is read back and CRC-checked, and only then does it
//! get its real name, which never replaces an existing file. It reads nothing but the
//! chosen folders and writes nothing but that one file.

mod collect;
pub mod html;
pub mod inquiry;
pub mod manifest;
pub mod names;
pub mod redact;
mod textlog;

use crate::catalogue::Catalogue;
use crate::checks::Diagnosis;
use crate::i18n::Lang;
use collect::Candidate;
use manifest::{FileRecord, Manifest};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufReader, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Instant;
use zip::write::{SimpleFileOptions, ZipFileBuilder};
use zip::CompressionMethod;

/// A folder to collect, and the name its files get under `logs/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub label: String,
    pub path: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// What the admin typed for support (step 4). Kept as typed: support asked for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SupportAnswers {
    pub business_id: Option<String>,
    pub apex_one_saas_server_guid: Option<String>,
    pub apex_one_saas_activation_code: Option<String>,
    pub on_premises_server_guid: Option<String>,
    pub on_premises_activation_code: Option<String>,
    /// The old on-premises server no longer exists.
    #[serde(default)]
    pub on_premises_server_gone: bool,
    pub notes: Option<String>,
}

/// Checks a Business ID as the console shows it: letters, digits and hyphens.
pub fn valid_business_id(text: &str) -> bool {
    let t = text.trim();
    (4..=64).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
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
    fn cancelled(&self) -> bool {
        false
    }
    /// Called just before a file is read (tests use it to change files under the run).
    fn before_file(&self, _path: &Path) {}
}

/// Progress that nobody watches.
#[derive(Debug, Default)]
pub struct NoProgress;
impl ProgressSink for NoProgress {}

/// A cancel button: set it from anywhere, the bundle stops at the next block.
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

    fn from_zip(e: zip::result::ZipError) -> BundleError {
        match e {
            zip::result::ZipError::Io(io) => BundleError::from_io(io),
            other => BundleError::Write(std::io::Error::other(other)),
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
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BundleOutcome {
    pub path: PathBuf,
    /// Size of the zip.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    /// Log files in it.
    pub files: usize,
    pub skipped: Vec<SkippedFile>,
    pub cut: usize,
    pub redactions: usize,
}

/// The folders collected by default: the Basecamp log folder of this platform (both
/// Program Files variants on 64-bit Windows, in case of a misplaced install) and, with
/// `agent_logs`, the sensor's update logs and the Apex One agent's connection logs.
/// Only folders that exist are returned.
pub fn default_sources(
    catalogue: &Catalogue,
    diagnosis: &Diagnosis,
    agent_logs: bool,
) -> Vec<Source> {
    use crate::checks::windows_path;
    use crate::probe::Platform;
    let os = &diagnosis.os;
    let mut dirs: Vec<(String, String)> = vec![(
        "basecamp".into(),
        crate::checks::agent::log_dir_for(catalogue, os),
    )];
    if os.platform == Platform::Windows {
        if os.bits == 64 {
            dirs.push((
                "basecamp-2".into(),
                windows_path(os, &catalogue.agent.windows.log_dir_32),
            ));
        }
        if agent_logs {
            dirs.push((
                "sensor".into(),
                windows_path(os, &catalogue.agent.windows.sensor_log_dir),
            ));
            let apex = &catalogue.apex_one;
            let install = diagnosis
                .coexistence
                .apex_one
                .as_ref()
                .and_then(|a| a.install_path.clone())
                .unwrap_or_else(|| {
                    windows_path(
                        os,
                        if os.bits == 64 {
                            &apex.install_dir_64
                        } else {
                            &apex.install_dir_32
                        },
                    )
                });
            dirs.push((
                "apex-one-connlog".into(),
                format!(
                    "{}\\{}",
                    install.trim_end_matches('\\'),
                    apex.connection_log_subdir
                ),
            ));
        }
    }
    dirs.into_iter()
        .filter(|(_, d)| Path::new(d).is_dir())
        .map(|(label, d)| Source {
            label,
            path: PathBuf::from(d),
        })
        .collect()
}

/// A folder the bundle would collect, with how much is in it, for the review screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SourcePreview {
    pub label: String,
    pub path: String,
    pub files: usize,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
}

/// Counts what each folder holds (regular files, links not followed).
pub fn preview(sources: &[Source]) -> Vec<SourcePreview> {
    sources
        .iter()
        .map(|s| {
            let (mut files, mut bytes) = (0usize, 0u64);
            for e in walkdir::WalkDir::new(&s.path)
                .follow_links(false)
                .into_iter()
                .flatten()
            {
                if e.file_type().is_file() {
                    files += 1;
                    bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
                }
            }
            SourcePreview {
                label: s.label.clone(),
                path: s.path.display().to_string(),
                files,
                bytes,
            }
        })
        .collect()
}

/// Shows `path` in the system's file manager, selected where the OS allows it. The path
/// is passed as one argument, never through a shell.
pub fn reveal(path: &Path) -> std::io::Result<()> {
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        // Explorer parses `/select,"<path>"` itself; it must arrive unquoted as a whole.
        std::process::Command::new("explorer.exe")
            .raw_arg(format!("/select,\"{}\"", path.display()))
            .spawn()
            .map(|_| ())
    }
    #[cfg(target_os = "macos")]
    {
        std::process::Command::new("open")
            .arg("-R")
            .arg(path)
            .spawn()
            .map(|_| ())
    }
    #[cfg(not(any(windows, target_os = "macos")))]
    {
        // The freedesktop file-manager interface selects the file; without it, open the folder.
        let uri = format!("file://{}", path.display());
        let shown = std::process::Command::new("dbus-send")
            .args([
                "--session",
                "--dest=org.freedesktop.FileManager1",
                "--type=method_call",
                "/org/freedesktop/FileManager1",
                "org.freedesktop.FileManager1.ShowItems",
            ])
            .arg(format!("array:string:{uri}"))
            .arg("string:")
            .status()
            .is_ok_and(|s| s.success());
        if shown {
            return Ok(());
        }
        let folder = path.parent().unwrap_or(path);
        std::process::Command::new("xdg-open")
            .arg(folder)
            .spawn()
            .map(|_| ())
    }
}

/// The user's Desktop (the real one: a OneDrive-redirected Desktop on Windows, XDG on
/// Linux), or the home folder when there is none.
pub fn default_destination() -> Option<PathBuf> {
    dirs::desktop_dir()
        .filter(|d| d.is_dir())
        .or_else(dirs::home_dir)
}

enum Done {
    File(Box<zip::write::PreparedZipFile>, FileRecord),
    Skipped(SkippedFile),
    Failed(BundleError),
}

fn open_shared(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        // FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE: the agent keeps writing.
        options.share_mode(0x1 | 0x2 | 0x4);
    }
    options.open(path)
}

/// A zip timestamp (local time, as Explorer and unzip show it); 1980-01-01 if out of range.
fn zip_time(secs: Option<i64>) -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    secs.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|t| t.with_timezone(&chrono::Local))
        .and_then(|t| {
            zip::DateTime::from_date_and_time(
                u16::try_from(t.year()).ok()?,
                u8::try_from(t.month()).ok()?,
                u8::try_from(t.day()).ok()?,
                u8::try_from(t.hour()).ok()?,
                u8::try_from(t.minute()).ok()?,
                u8::try_from(t.second()).ok()?,
            )
            .ok()
        })
        .unwrap_or_default()
}

fn compress_one(c: &Candidate, limits: &Limits, progress: &dyn ProgressSink) -> Done {
    progress.before_file(&c.path);
    let skipped = |reason, detail: String| {
        Done::Skipped(SkippedFile {
            path: c.path.display().to_string(),
            reason,
            detail,
        })
    };
    let mut file = match open_shared(&c.path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return skipped(SkipReason::Vanished, e.to_string())
        }
        Err(e) => return skipped(SkipReason::Unreadable, e.to_string()),
    };
    let kind = match textlog::sniff_file(&mut file) {
        Ok(textlog::Kind::Binary) => return skipped(SkipReason::Binary, String::new()),
        Ok(k) => k,
        Err(e) => return skipped(SkipReason::Unreadable, e.to_string()),
    };
    let entry = names::entry_name(
        &format!("logs/{}", c.source),
        &kind.shipped_name(&c.relative),
    );
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(zip_time(c.modified))
        .large_file(c.planned >= (u32::MAX as u64) / 2);
    let mut builder = match ZipFileBuilder::new(&entry, options) {
        Ok(b) => b,
        Err(e) => return Done::Failed(BundleError::from_zip(e)),
    };
    let mut hash = Sha256::new();
    let mut out = textlog::Hashing(&mut builder, &mut hash);
    let copied = textlog::copy_log(&mut file, kind, c.size, limits, &mut out, &|| {
        progress.cancelled()
    });
    let (stored, redactions, cut) = match copied {
        Ok(r) => (r.stored, r.redactions, r.cut),
        Err(textlog::CopyError::Read(e)) => return skipped(SkipReason::Unreadable, e.to_string()),
        Err(textlog::CopyError::Write(e)) => return Done::Failed(BundleError::from_io(e)),
        Err(textlog::CopyError::Cancelled) => return Done::Failed(BundleError::Cancelled),
    };
    let now_size = std::fs::metadata(&c.path).map(|m| m.len()).ok();
    let prepared = match builder.finish() {
        Ok(p) => p,
        Err(e) => return Done::Failed(BundleError::from_zip(e)),
    };
    let record = FileRecord {
        entry,
        source: c.source.clone(),
        original_path: c.path.display().to_string(),
        size: c.size,
        stored_size: stored,
        modified: c
            .modified
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(|t| t.to_rfc3339()),
        sha256: hash.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        cut,
        redactions,
        changed_while_read: now_size != Some(c.size),
        original_encoding: kind.converted_from(),
    };
    Done::File(Box::new(prepared), record)
}

/// Compresses the chosen files on all cores into `zip`; memory holds at most a few
/// compressed files at a time.
fn add_logs<W: Write + Seek>(
    zip: &mut zip::ZipWriter<W>,
    chosen: &[Candidate],
    limits: &Limits,
    progress: &dyn ProgressSink,
) -> Result<(Vec<FileRecord>, Vec<SkippedFile>), BundleError> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    let next = Mutex::new(0usize);
    let started = Instant::now();
    let bytes_total: u64 = chosen.iter().map(|c| c.planned).sum();
    let mut report = Progress {
        files_total: chosen.len(),
        bytes_total,
        ..Progress::default()
    };
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    std::thread::scope(|scope| -> Result<(), BundleError> {
        let (tx, rx) = mpsc::sync_channel::<(usize, Done)>(workers);
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || loop {
                let i = {
                    let mut n = next.lock().unwrap_or_else(|p| p.into_inner());
                    let i = *n;
                    *n = n.saturating_add(1);
                    i
                };
                let Some(c) = chosen.get(i) else { return };
                let done = if progress.cancelled() {
                    Done::Failed(BundleError::Cancelled)
                } else {
                    compress_one(c, limits, progress)
                };
                if tx.send((i, done)).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        let mut first_error = None;
        for (i, done) in rx {
            if first_error.is_some() {
                continue; // drain so the workers can finish
            }
            match done {
                Done::File(prepared, record) => {
                    if let Err(e) = zip.add_prepared_file(*prepared) {
                        first_error = Some(BundleError::from_zip(e));
                        // Stop the others at their next block.
                        *next.lock().unwrap_or_else(|p| p.into_inner()) = usize::MAX;
                        continue;
                    }
                    records.push(record);
                }
                Done::Skipped(s) => skipped.push(s),
                Done::Failed(e) => {
                    *next.lock().unwrap_or_else(|p| p.into_inner()) = usize::MAX;
                    first_error = Some(e);
                    continue;
                }
            }
            report.files_done += 1;
            report.bytes_done += chosen[i].planned;
            let elapsed = started.elapsed().as_secs_f64();
            report.eta_secs = (report.bytes_done > 0 && elapsed > 0.5).then(|| {
                let rate = report.bytes_done as f64 / elapsed;
                ((report.bytes_total - report.bytes_done) as f64 / rate).round() as u64
            });
            progress.update(&report);
        }
        first_error.map_or(Ok(()), Err)
    })?;
    records.sort_by(|a, b| a.entry.cmp(&b.entry));
    Ok((records, skipped))
}

fn add_bytes<W: Write + Seek>(
    zip: &mut zip::ZipWriter<W>,
    name: &str,
    bytes: &[u8],
    method: CompressionMethod,
) -> Result<(), BundleError> {
    let options = SimpleFileOptions::default()
        .compression_method(method)
        .last_modified_time(zip_time(Some(chrono::Utc::now().timestamp())));
    zip.start_file(name, options)
        .map_err(BundleError::from_zip)?;
    zip.write_all(bytes).map_err(BundleError::from_io)
}

/// Writes the whole bundle into `writer` and returns it with what went in. `write_bundle`
/// wraps this with the temporary file, the verification and the final name.
pub fn write_archive<W: Write + Seek>(
    writer: W,
    request: &BundleRequest<'_>,
    progress: &dyn ProgressSink,
) -> Result<(W, Manifest), BundleError> {
    let mut zip = zip::ZipWriter::new(writer);
    let (chosen, mut skipped) = collect::plan(&request.sources, &request.limits);
    let (files, more_skipped) = add_logs(&mut zip, &chosen, &request.limits, progress)?;
    skipped.extend(more_skipped);
    if progress.cancelled() {
        return Err(BundleError::Cancelled);
    }

    let mut shots = Vec::new();
    for (i, s) in request.screenshots.iter().enumerate() {
        match std::fs::read(&s.path) {
            Ok(bytes) => {
                let entry = format!(
                    "screenshots/{:02}-{}.png",
                    i + 1,
                    names::safe_component(&s.slot)
                );
                add_bytes(&mut zip, &entry, &bytes, CompressionMethod::Stored)?;
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
    let manifest = Manifest::new(request, files, skipped, shots, note.is_some());
    if let Some(note) = &note {
        add_bytes(
            &mut zip,
            "network-note.txt",
            note.as_bytes(),
            CompressionMethod::Deflated,
        )?;
    }
    let inquiry = inquiry::render(request, &manifest);
    add_bytes(
        &mut zip,
        "inquiry.txt",
        inquiry.as_bytes(),
        CompressionMethod::Deflated,
    )?;
    let report = html::render(request, &manifest);
    add_bytes(
        &mut zip,
        "report.html",
        report.as_bytes(),
        CompressionMethod::Deflated,
    )?;
    // Straight into the zip: with thousands of files the manifest is megabytes.
    add_bytes(&mut zip, "manifest.json", b"", CompressionMethod::Deflated)?;
    serde_json::to_writer_pretty(&mut zip, &manifest).map_err(|e| match e.io_error_kind() {
        Some(_) => BundleError::from_io(e.into()),
        None => BundleError::Write(e.into()),
    })?;
    let writer = zip.finish().map_err(BundleError::from_zip)?;
    Ok((writer, manifest))
}

/// Reads every entry of the zip back (which checks each CRC) and compares the names. The
/// entries are split over the cores, each reading through its own handle.
pub fn verify(path: &Path, expected: &[String]) -> Result<(), BundleError> {
    let open = || -> Result<zip::ZipArchive<BufReader<std::fs::File>>, BundleError> {
        let file = std::fs::File::open(path).map_err(|e| BundleError::Verify(e.to_string()))?;
        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| BundleError::Verify(e.to_string()))
    };
    let count = open()?.len();
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    let check = |part: usize| -> Result<Vec<String>, BundleError> {
        let mut archive = open()?;
        let mut names = Vec::new();
        for i in (part..count).step_by(workers) {
            let mut entry = archive
                .by_index(i)
                .map_err(|e| BundleError::Verify(e.to_string()))?;
            let name = entry
                .name()
                .map(|n| n.into_owned())
                .map_err(|e| BundleError::Verify(e.to_string()))?;
            std::io::copy(&mut entry, &mut std::io::sink())
                .map_err(|e| BundleError::Verify(format!("{name}: {e}")))?;
            names.push(name);
        }
        Ok(names)
    };
    let parts: Vec<Result<Vec<String>, BundleError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|p| scope.spawn(move || check(p)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(BundleError::Verify("a check thread failed".into())))
            })
            .collect()
    });
    let mut seen = std::collections::HashSet::with_capacity(count);
    for part in parts {
        seen.extend(part?);
    }
    for name in expected {
        if !seen.contains(name) {
            return Err(BundleError::Verify(format!("{name} is missing")));
        }
    }
    Ok(())
}

/// Writes the bundle to `destination` under the name `<stem>.zip` (or `<stem>_2.zip`, ...
/// if taken), through a temporary file that is removed on any failure or cancel.
pub fn write_bundle(
    request: &BundleRequest<'_>,
    destination: &Path,
    stem: &str,
    progress: &dyn ProgressSink,
) -> Result<BundleOutcome, BundleError> {
    let dest_err = |source| BundleError::Destination {
        path: destination.to_owned(),
        source,
    };
    if !destination.is_dir() {
        return Err(dest_err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "not a folder",
        )));
    }
    let temp = destination.join(format!(".{stem}.zip.partial"));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .or_else(|e| {
            // A leftover from a crashed run: ours to replace.
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                std::fs::remove_file(&temp)?;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&temp)
            } else {
                Err(e)
            }
        })
        .map_err(dest_err)?;
    // Removes the temporary file on every way out, a panic included, unless it was placed.
    struct TempGuard<'p>(&'p Path, bool);
    impl Drop for TempGuard<'_> {
        fn drop(&mut self) {
            if !self.1 {
                let _ = std::fs::remove_file(self.0);
            }
        }
    }
    let mut guard = TempGuard(&temp, false);
    let (writer, manifest) = write_archive(std::io::BufWriter::new(file), request, progress)?;
    let file = writer
        .into_inner()
        .map_err(|e| BundleError::from_io(e.into_error()))?;
    file.sync_all().map_err(BundleError::from_io)?;
    drop(file);
    let mut expected: Vec<String> = manifest.files.iter().map(|f| f.entry.clone()).collect();
    expected.extend(["manifest.json", "report.html", "inquiry.txt"].map(String::from));
    verify(&temp, &expected)?;
    if progress.cancelled() {
        return Err(BundleError::Cancelled);
    }
    // Never replace an existing file: link to a free name (fails if it was taken in
    // between), fall back to rename where links are not supported.
    let mut target = names::free_path(destination, stem);
    let mut placed = false;
    for _ in 0..5 {
        match std::fs::hard_link(&temp, &target) {
            Ok(()) => {
                placed = true;
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                target = names::free_path(destination, stem);
            }
            Err(_) => {
                if !target.exists() {
                    std::fs::rename(&temp, &target).map_err(dest_err)?;
                    guard.1 = true;
                    placed = true;
                }
                break;
            }
        }
    }
    if !placed {
        return Err(dest_err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "no free file name",
        )));
    }
    let bytes = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
    Ok(BundleOutcome {
        path: target,
        bytes,
        files: manifest.files.len(),
        cut: manifest.files.iter().filter(|f| f.cut).count(),
        redactions: manifest.files.iter().map(|f| f.redactions).sum(),
        skipped: manifest.skipped.clone(),
    })
}
