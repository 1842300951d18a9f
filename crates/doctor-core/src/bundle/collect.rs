//! Which files go into the bundle: every regular file under the chosen folders, newest
//! first, within the size budget; a file larger than the per-file cap is cut to its head
//! and tail. Links are not followed (no loops, nothing outside the folder) and anything
//! left out is listed with the reason.

use super::{Limits, SkipReason, SkippedFile, Source};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub source: String,
    pub path: PathBuf,
    pub relative: PathBuf,
    pub size: u64,
    pub modified: Option<i64>,
    /// Bytes that will be read: the whole file, or head + tail when it is cut.
    pub planned: u64,
}

fn mtime(meta: &std::fs::Metadata) -> Option<i64> {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

pub(crate) fn plan(sources: &[Source], limits: &Limits) -> (Vec<Candidate>, Vec<SkippedFile>) {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for source in sources {
        let walker = walkdir::WalkDir::new(&source.path).follow_links(false);
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    skipped.push(SkippedFile {
                        path: e
                            .path()
                            .map_or_else(|| source.path.clone(), |p| p.to_owned())
                            .display()
                            .to_string(),
                        reason: SkipReason::Unreadable,
                        detail: e.to_string(),
                    });
                    continue;
                }
            };
            let ft = entry.file_type();
            if ft.is_dir() {
                continue;
            }
            let path = entry.path().to_owned();
            if ft.is_symlink() {
                skipped.push(SkippedFile {
                    path: path.display().to_string(),
                    reason: SkipReason::Link,
                    detail: String::new(),
                });
                continue;
            }
            if !ft.is_file() {
                skipped.push(SkippedFile {
                    path: path.display().to_string(),
                    reason: SkipReason::NotRegular,
                    detail: String::new(),
                });
                continue;
            }
            let meta = match entry.metadata() {
                Ok(m) => m,
                Err(e) => {
                    skipped.push(SkippedFile {
                        path: path.display().to_string(),
                        reason: SkipReason::Unreadable,
                        detail: e.to_string(),
                    });
                    continue;
                }
            };
            let relative = path
                .strip_prefix(&source.path)
                .map(|p| p.to_owned())
                .unwrap_or_else(|_| PathBuf::from(entry.file_name()));
            let size = meta.len();
            found.push(Candidate {
                source: source.label.clone(),
                path,
                relative,
                size,
                modified: mtime(&meta),
                planned: size.min(limits.per_file_cap),
            });
        }
    }
    // Newest first: support needs the last days most.
    found.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.path.cmp(&b.path)));
    let mut used = 0u64;
    let mut chosen = Vec::new();
    for c in found {
        if used + c.planned > limits.max_input {
            skipped.push(SkippedFile {
                path: c.path.display().to_string(),
                reason: SkipReason::Budget,
                detail: format!("{} bytes", c.size),
            });
        } else {
            used += c.planned;
            chosen.push(c);
        }
    }
    (chosen, skipped)
}
