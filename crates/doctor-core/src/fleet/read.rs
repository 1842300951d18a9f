//! Finding and reading the files `fleet` compares: folders walked without following
//! links, every file opened as a regular file only (no link, no FIFO), sizes bounded
//! before reading, zips checked before their central directory is loaded, and the files
//! read on every core. Whatever cannot be read is returned with the reason; nothing is
//! skipped in silence.

use super::view::CollectView;
use super::{unreadable, Unreadable};
use crate::identity::Identity;
use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Largest identity file, collect file or manifest read, and the most a manifest may be
/// compressed.
pub(crate) const MAX_JSON_BYTES: u64 = 32 << 20;
const MAX_RATIO: u64 = 200;
/// How deep a folder is walked; deeper folders are listed as unreadable.
pub(crate) const MAX_DEPTH: usize = 32;
/// A bundle holds a few thousand entries at most; a central directory beyond these is
/// refused before it is loaded (five million entries took 955 MB).
pub(crate) const MAX_ZIP_ENTRIES: u64 = 100_000;
pub(crate) const MAX_CENTRAL_DIRECTORY: u64 = 32 << 20;

/// What one file held.
#[derive(Debug)]
pub(crate) enum Parsed<'a> {
    Identity(Box<Identity>),
    /// Borrows from the buffer the file was read into.
    Collect(Box<CollectView<'a>>),
}

/// The files to read, in a stable order, and what could not even be listed.
pub(crate) fn list(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<Unreadable>) {
    let mut files = Vec::new();
    let mut bad = Vec::new();
    for p in paths {
        // A path named on the command line is followed: the user chose it.
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                bad.push(unreadable(p, "io", e));
                continue;
            }
        };
        if meta.is_file() {
            files.push(p.clone());
            continue;
        }
        if !meta.is_dir() {
            bad.push(unreadable(p, "not_a_file", "not a regular file"));
            continue;
        }
        for entry in walkdir::WalkDir::new(p)
            .follow_links(false)
            .max_depth(MAX_DEPTH)
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let at = e.path().map_or_else(|| p.clone(), Path::to_path_buf);
                    bad.push(unreadable(&at, "walk", e));
                    continue;
                }
            };
            let ft = entry.file_type();
            if entry.depth() == 0 {
                continue;
            }
            if ft.is_symlink() {
                bad.push(unreadable(entry.path(), "symlink", "a link, not followed"));
            } else if ft.is_dir() {
                if entry.depth() == MAX_DEPTH {
                    bad.push(unreadable(
                        entry.path(),
                        "too_deep",
                        format!("more than {MAX_DEPTH} folders deep"),
                    ));
                }
            } else if wanted(entry.path()) {
                if ft.is_file() {
                    files.push(entry.into_path());
                } else {
                    bad.push(unreadable(entry.path(), "not_a_file", "not a regular file"));
                }
            }
        }
    }
    files.sort();
    files.dedup();
    (files, bad)
}

fn wanted(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json") || e.eq_ignore_ascii_case("zip"))
}

/// Opens a regular file without following a link and without blocking on a FIFO.
fn open_regular(path: &Path) -> Result<(std::fs::File, u64), Unreadable> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return unreadable(path, "symlink", "a link, not followed");
        }
        unreadable(path, "io", e)
    })?;
    let meta = file.metadata().map_err(|e| unreadable(path, "io", e))?;
    if !meta.is_file() {
        return Err(unreadable(path, "not_a_file", "not a regular file"));
    }
    Ok((file, meta.len()))
}

/// Reads and parses one file, reusing `buf`.
pub(crate) fn read_one<'b>(path: &Path, buf: &'b mut Vec<u8>) -> Result<Parsed<'b>, Unreadable> {
    let is_zip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    let (file, len) = open_regular(path)?;
    if is_zip {
        return read_bundle(path, file, len).map(|i| Parsed::Identity(Box::new(i)));
    }
    if len > MAX_JSON_BYTES {
        return Err(unreadable(path, "too_large", "larger than 32 MiB"));
    }
    buf.clear();
    file.take(MAX_JSON_BYTES + 1)
        .read_to_end(buf)
        .map_err(|e| unreadable(path, "io", e))?;
    if buf.len() as u64 > MAX_JSON_BYTES {
        return Err(unreadable(path, "too_large", "larger than 32 MiB"));
    }
    parse_json(buf, path)
}

#[derive(serde::Deserialize)]
struct Head {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    schema_version: Option<u64>,
}

/// `collect` writes `kind` first: a file that starts so is parsed once, straight into
/// its type. Anything else (reordered, other kinds, identity files) is first read for its
/// kind and version, which also gives the precise reason when it cannot be used.
fn looks_collected(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(96)];
    let needle = crate::collect::KIND.as_bytes();
    head.windows(needle.len()).any(|w| w == needle)
}

fn parse_json<'b>(bytes: &'b [u8], path: &Path) -> Result<Parsed<'b>, Unreadable> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if looks_collected(bytes) {
        if let Ok(c) = serde_json::from_slice::<CollectView>(bytes) {
            if c.kind == crate::collect::KIND && c.schema_version == crate::collect::SCHEMA_VERSION
            {
                return Ok(Parsed::Collect(Box::new(c)));
            }
        }
    }
    let head: Head = serde_json::from_slice(bytes).map_err(|e| unreadable(path, "json", e))?;
    match head.kind.as_deref() {
        Some(crate::collect::KIND) => {
            let want = u64::from(crate::collect::SCHEMA_VERSION);
            if head.schema_version != Some(want) {
                return Err(unreadable(
                    path,
                    "schema_version",
                    format!(
                        "collect schema version {:?}, this tool reads {want}",
                        head.schema_version
                    ),
                ));
            }
            let c: CollectView =
                serde_json::from_slice(bytes).map_err(|e| unreadable(path, "json", e))?;
            Ok(Parsed::Collect(Box::new(c)))
        }
        Some(other) => Err(unreadable(
            path,
            "schema_version",
            format!("unknown kind {other:?}"),
        )),
        None => identity_from_json(bytes, path, false).map(|i| Parsed::Identity(Box::new(i))),
    }
}

pub(crate) fn identity_from_json(
    bytes: &[u8],
    source: &Path,
    in_manifest: bool,
) -> Result<Identity, Unreadable> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| unreadable(source, "json", e))?;
    let version = value.get("schema_version").and_then(|v| v.as_u64());
    let expected = if in_manifest {
        u64::from(crate::bundle::manifest::SCHEMA_VERSION)
    } else {
        u64::from(crate::identity::SCHEMA_VERSION)
    };
    if version != Some(expected) {
        return Err(unreadable(
            source,
            "schema_version",
            format!("schema version {version:?}, this tool reads {expected}"),
        ));
    }
    let identity = if in_manifest {
        match value.get("identity") {
            Some(v) if !v.is_null() => v.clone(),
            _ => {
                return Err(unreadable(
                    source,
                    "no_identity",
                    "the manifest holds no identity",
                ))
            }
        }
    } else {
        value
    };
    serde_json::from_value(identity).map_err(|e| unreadable(source, "json", e))
}

/// A zip entry name that could escape a folder if extracted.
pub(crate) fn unsafe_name(name: &str) -> bool {
    name.starts_with('/')
        || name.starts_with('\\')
        || name.contains('\\')
        || name.get(1..2) == Some(":")
        || name.split('/').any(|part| part == "..")
}

fn u16_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 2)
        .map_or(0, |s| u64::from(u16::from_le_bytes([s[0], s[1]])))
}

fn u32_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 4).map_or(0, |s| {
        u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    })
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

/// Reads the end-of-central-directory records (plain and Zip64) and refuses a zip whose
/// central directory claims more entries or bytes than a bundle can have, before the zip
/// library loads it. A zip without the record is left to the library to reject.
fn check_central_directory(
    path: &Path,
    file: &mut std::fs::File,
    len: u64,
) -> Result<Option<u64>, Unreadable> {
    let io = |e| unreadable(path, "io", e);
    let tail_len = len.min(65_557 + 20);
    let start = len - tail_len;
    file.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut tail = vec![0u8; usize::try_from(tail_len).unwrap_or(0)];
    file.read_exact(&mut tail).map_err(io)?;
    let Some(eocd) = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
    else {
        return Ok(None);
    };
    let mut entries = u16_at(&tail, eocd + 10).max(u16_at(&tail, eocd + 8));
    let mut cd_size = u32_at(&tail, eocd + 12);
    // Zip64: a locator 20 bytes before the record points at the larger record.
    if eocd >= 20 && tail[eocd - 20..eocd - 16] == [0x50, 0x4b, 0x06, 0x07] {
        let at = u64_at(&tail, eocd - 20 + 8);
        if at.saturating_add(56) <= len {
            let mut rec = [0u8; 56];
            file.seek(SeekFrom::Start(at)).map_err(io)?;
            file.read_exact(&mut rec).map_err(io)?;
            if rec[..4] == [0x50, 0x4b, 0x06, 0x06] {
                entries = entries.max(u64_at(&rec, 32)).max(u64_at(&rec, 24));
                cd_size = cd_size.max(u64_at(&rec, 40));
            }
        }
    }
    if entries > MAX_ZIP_ENTRIES || cd_size > MAX_CENTRAL_DIRECTORY {
        return Err(unreadable(
            path,
            "too_many_entries",
            format!("{entries} entries, central directory of {cd_size} bytes"),
        ));
    }
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(Some(entries))
}

fn read_bundle(path: &Path, mut file: std::fs::File, len: u64) -> Result<Identity, Unreadable> {
    let declared = check_central_directory(path, &mut file, len)?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| unreadable(path, "zip", e))?;
    // The zip library keeps one entry per name: fewer entries than the directory holds
    // means two share a name, and which one is "the" manifest depends on the reader.
    if declared.is_some_and(|n| n != zip.len() as u64) {
        return Err(unreadable(
            path,
            "ambiguous",
            format!(
                "{} entries listed, {} distinct names",
                declared.unwrap_or(0),
                zip.len()
            ),
        ));
    }
    let mut seen = HashSet::with_capacity(zip.len());
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| unreadable(path, "zip", e))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if unsafe_name(&name) {
            return Err(unreadable(path, "unsafe_name", name));
        }
        if !seen.insert(name.clone()) {
            return Err(unreadable(path, "ambiguous", name));
        }
    }
    let mut entry = zip
        .by_name("manifest.json")
        .map_err(|_| unreadable(path, "no_manifest", "no manifest.json"))?;
    let (size, packed) = (entry.size(), entry.compressed_size().max(1));
    if size > MAX_JSON_BYTES || size / packed > MAX_RATIO {
        return Err(unreadable(
            path,
            "too_large",
            format!("manifest.json: {size} bytes from {packed}"),
        ));
    }
    let mut bytes = Vec::new();
    (&mut entry)
        .take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(path, "zip", e))?;
    if bytes.len() as u64 > MAX_JSON_BYTES {
        return Err(unreadable(
            path,
            "too_large",
            "manifest.json is larger than it says",
        ));
    }
    identity_from_json(&bytes, path, true)
}

/// Reads `files` on every core. Each worker folds what it reads into its own `A`
/// (started by `init`); the folds are returned for the caller to merge. `each` gets the
/// file's index in `files`, so the caller can restore the order.
pub(crate) fn read_parallel<A, I, F>(files: &[PathBuf], init: I, each: F) -> Vec<A>
where
    A: Send,
    I: Fn() -> A + Sync,
    F: Fn(&mut A, usize, &Path, Result<Parsed<'_>, Unreadable>) + Sync,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    const BATCH: usize = 64;
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 16)
        .min(files.len().div_ceil(BATCH).max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut acc = init();
                    let mut buf = Vec::with_capacity(64 * 1024);
                    loop {
                        let start = next.fetch_add(BATCH, Ordering::Relaxed);
                        if start >= files.len() {
                            break;
                        }
                        for (i, path) in files.iter().enumerate().skip(start).take(BATCH) {
                            let parsed = read_one(path, &mut buf);
                            each(&mut acc, i, path, parsed);
                        }
                        // A large file's buffer is not kept for the rest of the run.
                        if buf.capacity() > 1 << 20 {
                            buf = Vec::with_capacity(64 * 1024);
                        }
                    }
                    acc
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::unsafe_name;

    #[test]
    fn traversal_and_absolute_names_are_unsafe() {
        for n in ["../x", "a/../../x", "/etc/passwd", "C:/x", "a\\b", "\\x"] {
            assert!(unsafe_name(n), "{n}");
        }
        for n in [
            "manifest.json",
            "logs/basecamp/x..log",
            "screenshots/01-a.png",
        ] {
            assert!(!unsafe_name(n), "{n}");
        }
    }
}
