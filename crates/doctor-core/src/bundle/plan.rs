//! What goes into the bundle, decided before any content is read: the folders collected by
//! default, how much they hold (the review screen's preview), and the files chosen within the
//! limits — every regular file under the folders, newest first, within the size budget; a
//! file larger than the per-file cap is cut to its head and tail. Links are not followed (no
//! loops, nothing outside the folder), a file with more than one name is not taken, and
//! anything left out is listed with the reason. Reading the files is `pipeline`'s job.

use super::{Limits, SkipReason, SkippedFile, Source};
use crate::catalogue::Catalogue;
use crate::diagnosis::Diagnosis;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A file as listed: enough to find it again and to notice if it is not the same file.
/// Kept small (56 bytes and its path inside the folder): there is one per collected file
/// for the whole run.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Inside its folder, `Plan::sources[source]`; empty when the source is the file itself.
    pub relative: Box<Path>,
    pub size: u64,
    /// Unix seconds; `i64::MIN` when unknown.
    modified: i64,
    /// Device and inode when listed (Unix; zero where unknown); the opened handle must match.
    pub id: FileId,
    pub source: u32,
}

impl Candidate {
    pub fn modified(&self) -> Option<i64> {
        (self.modified != i64::MIN).then_some(self.modified)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(unix), allow(dead_code))] // read by the open check on Unix only
pub(crate) struct FileId {
    pub dev: u64,
    pub ino: u64,
}

impl FileId {
    pub const UNKNOWN: FileId = FileId { dev: 0, ino: 0 };
}

/// The files a bundle will take and those it leaves out, listed once.
#[derive(Debug, Clone)]
pub struct Plan {
    pub(crate) sources: Vec<Source>,
    pub(crate) chosen: Vec<Candidate>,
    pub(crate) skipped: Vec<SkippedFile>,
    per_file_cap: u64,
}

impl Plan {
    /// Files chosen.
    pub fn files(&self) -> usize {
        self.chosen.len()
    }

    /// Bytes that will be read from them.
    pub fn bytes(&self) -> u64 {
        self.chosen.iter().map(|c| self.planned(c)).sum()
    }

    /// Left out already while listing.
    pub fn skipped(&self) -> &[SkippedFile] {
        &self.skipped
    }

    /// Bytes that will be read of `c`: the whole file, or head + tail when it is cut.
    pub(crate) fn planned(&self, c: &Candidate) -> u64 {
        c.size.min(self.per_file_cap)
    }

    pub(crate) fn label(&self, c: &Candidate) -> &str {
        self.sources
            .get(c.source as usize)
            .map_or("", |s| s.label.as_str())
    }

    /// Where `c` is on the machine.
    pub(crate) fn path(&self, c: &Candidate) -> PathBuf {
        match self.sources.get(c.source as usize) {
            Some(s) if c.relative.as_os_str().is_empty() => s.path.clone(),
            Some(s) => s.path.join(&c.relative),
            None => c.relative.to_path_buf(),
        }
    }
}

fn mtime(meta: &std::fs::Metadata) -> Option<i64> {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (FileId, u64) {
    use std::os::unix::fs::MetadataExt;
    (
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        },
        meta.nlink(),
    )
}

/// std has no stable file index or link count from a listing on Windows; the opened handle
/// is checked instead (`pipeline::open_listed`).
#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> (FileId, u64) {
    (FileId::UNKNOWN, 1)
}

/// Lists the files of `sources` and chooses within `limits`.
pub fn list_files(sources: &[Source], limits: &Limits) -> Plan {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    let skip = |skipped: &mut Vec<SkippedFile>, path: &Path, reason, detail: String| {
        skipped.push(SkippedFile {
            path: path.display().to_string(),
            reason,
            detail,
        })
    };
    for (index, source) in sources.iter().enumerate() {
        let walker = walkdir::WalkDir::new(&source.path).follow_links(false);
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().unwrap_or(&source.path).to_owned();
                    skip(&mut skipped, &path, SkipReason::Unreadable, e.to_string());
                    continue;
                }
            };
            let ft = entry.file_type();
            if ft.is_dir() {
                continue;
            }
            if ft.is_symlink() {
                skip(&mut skipped, entry.path(), SkipReason::Link, String::new());
                continue;
            }
            if !ft.is_file() {
                skip(
                    &mut skipped,
                    entry.path(),
                    SkipReason::NotRegular,
                    String::new(),
                );
                continue;
            }
            let meta = match entry.metadata() {
                Ok(m) => m,
                Err(e) => {
                    skip(
                        &mut skipped,
                        entry.path(),
                        SkipReason::Unreadable,
                        e.to_string(),
                    );
                    continue;
                }
            };
            let (id, links) = identity(&meta);
            if links > 1 {
                skip(
                    &mut skipped,
                    entry.path(),
                    SkipReason::HardLink,
                    format!("{links} links"),
                );
                continue;
            }
            let relative = entry
                .path()
                .strip_prefix(&source.path)
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| PathBuf::from(entry.file_name()));
            found.push(Candidate {
                relative: relative.into_boxed_path(),
                size: meta.len(),
                modified: mtime(&meta).unwrap_or(i64::MIN),
                id,
                source: u32::try_from(index).unwrap_or(u32::MAX),
            });
        }
    }
    // Newest first: support needs the last days most.
    found.sort_unstable_by(|a, b| {
        b.modified
            .cmp(&a.modified)
            .then(a.source.cmp(&b.source))
            .then(a.relative.cmp(&b.relative))
    });
    let mut plan = Plan {
        sources: sources.to_vec(),
        chosen: Vec::new(),
        skipped,
        per_file_cap: limits.per_file_cap,
    };
    let mut used = 0u64;
    let mut over = Vec::new();
    found.retain(|c| {
        let planned = plan.planned(c);
        if used + planned > limits.max_input {
            over.push(SkippedFile {
                path: plan.path(c).display().to_string(),
                reason: SkipReason::Budget,
                detail: format!("{} bytes", c.size),
            });
            false
        } else {
            used += planned;
            true
        }
    });
    plan.chosen = found;
    plan.skipped.extend(over);
    plan
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
    use crate::layout::windows_path;
    use crate::probe::Platform;
    let os = &diagnosis.os;
    let mut dirs: Vec<(String, String)> =
        vec![("basecamp".into(), crate::layout::log_dir(catalogue, os))];
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
    let mut sources: Vec<Source> = dirs
        .into_iter()
        .filter(|(_, d)| Path::new(d).is_dir())
        .map(|(label, d)| Source {
            label,
            path: PathBuf::from(d),
        })
        .collect();
    // The deployment script's install logs (a folder per user on Windows, one file on
    // Linux), where they exist on this machine.
    sources.extend(
        diagnosis
            .install_logs
            .iter()
            .filter(|s| s.path.exists())
            .map(|s| Source {
                label: s.label.clone(),
                path: s.path.clone(),
            }),
    );
    sources
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
    /// `bytes` as people read it (`5.0 MB`): one formatting for every face.
    pub size: String,
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
                size: crate::units::human_bytes(bytes),
            }
        })
        .collect()
}
