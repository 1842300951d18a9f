//! Reading, masking and compressing the chosen files on one pool of worker threads
//! (`run_pool`, which `verify` uses too); the zip is written on the calling thread in the
//! order files finish. Each file is opened without following links and must be the file that
//! was listed. Memory: a few compressed files in flight and one fixed-size record per file
//! (plus its entry name in one shared string). It does not choose the files (`plan`) nor name
//! the zip (`place`).

use super::manifest::FileRecord;
use super::plan::{Candidate, Plan};
use super::zipout::{dos_time, Entry, Method, ZipOut, LEVEL};
use super::{names, textlog, BundleError, Limits, Progress, ProgressSink, SkipReason, SkippedFile};
use flate2::{Compress, Compression, FlushCompress, Status};
use sha2::{Digest, Sha256};
use std::io::{self, Seek, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Worker threads for compressing and verifying: the cores, at most 8.
pub(crate) fn workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8)
}

/// Runs `work(state, i)` for every `i < jobs` on `workers()` threads, each thread with its own
/// `state` from `init`, and hands each result to `done` as it comes, one at a time (under a
/// lock, on the worker that made it: no hand-over between threads per file). When `done`
/// returns false no new job starts.
pub(crate) fn run_pool<S, T>(
    jobs: usize,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize) -> T + Sync,
    done: impl FnMut(usize, T) -> bool + Send,
) {
    let threads = workers().min(jobs.max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let done = Mutex::new(done);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (next, stop, init, work, done) = (&next, &stop, &init, &work, &done);
            scope.spawn(move || {
                let mut state = init();
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= jobs {
                        return;
                    }
                    let result = work(&mut state, i);
                    let mut done = done.lock().unwrap_or_else(|p| p.into_inner());
                    if stop.load(Ordering::Relaxed) || !(*done)(i, result) {
                        stop.store(true, Ordering::Relaxed);
                        return;
                    }
                }
            });
        }
    });
}

/// Input is read, masked and compressed in blocks of this size; cancelling is checked per block.
const BLOCK: usize = 64 * 1024;

/// One log file in the zip, fixed size: the name lives in `Logs::names`, the string the zip
/// writer kept the names in.
#[derive(Debug, Clone, Copy)]
struct Stored {
    stored_size: u64,
    sha256: [u8; 32],
    candidate: u32,
    name_at: u32,
    redactions: u32,
    name_len: u16,
    cut: bool,
    changed_while_read: bool,
    /// What the text was converted from, if anything (the manifest's `original_encoding`).
    kind: textlog::Kind,
}

/// The log files that went in (sorted by entry name once complete) and those left out while
/// reading.
#[derive(Debug, Default)]
pub(crate) struct Logs {
    stored: Vec<Stored>,
    pub names: String,
    pub skipped: Vec<SkippedFile>,
}

impl Logs {
    fn name(&self, s: &Stored) -> &str {
        name_in(&self.names, s)
    }

    pub fn entry_names(&self) -> impl Iterator<Item = &str> {
        self.stored.iter().map(|s| self.name(s))
    }

    pub fn len(&self) -> usize {
        self.stored.len()
    }

    pub fn cut(&self) -> usize {
        self.stored.iter().filter(|s| s.cut).count()
    }

    pub fn redactions(&self) -> usize {
        self.stored.iter().map(|s| s.redactions as usize).sum()
    }
}

fn name_in<'n>(names: &'n str, s: &Stored) -> &'n str {
    let start = s.name_at as usize;
    names.get(start..start + s.name_len as usize).unwrap_or("")
}

/// The manifest's `files`, made one record at a time when serialised or rendered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileList<'a> {
    plan: &'a Plan,
    logs: &'a Logs,
}

impl<'a> FileList<'a> {
    pub fn new(plan: &'a Plan, logs: &'a Logs) -> Self {
        FileList { plan, logs }
    }

    pub fn len(&self) -> usize {
        self.logs.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = FileRecord> + 'a {
        let (plan, logs) = (self.plan, self.logs);
        logs.stored.iter().map(move |s| {
            let c = &plan.chosen[s.candidate as usize];
            FileRecord {
                entry: logs.name(s).to_owned(),
                source: plan.label(c).to_owned(),
                original_path: plan.path(c).display().to_string(),
                size: c.size,
                stored_size: s.stored_size,
                modified: c
                    .modified()
                    .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                    .map(|t| t.to_rfc3339()),
                sha256: hex(&s.sha256),
                cut: s.cut,
                redactions: s.redactions as usize,
                changed_while_read: s.changed_while_read,
                original_encoding: s.kind.converted_from(),
            }
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

impl serde::Serialize for FileList<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// What a worker keeps between files, so that 100,000 small files do not mean 100,000
/// compressor states.
struct Worker {
    deflate: Compress,
    block: Vec<u8>,
}

impl Worker {
    fn new() -> Self {
        Worker {
            deflate: Compress::new(Compression::new(LEVEL), false),
            block: Vec::with_capacity(BLOCK + 1024),
        }
    }
}

/// One file compressed in memory, ready for the zip.
struct Compressed {
    data: Vec<u8>,
    crc: u32,
    stored_size: u64,
    sha256: [u8; 32],
    redactions: usize,
    cut: bool,
    changed_while_read: bool,
    kind: textlog::Kind,
}

enum Done {
    File(Compressed),
    Skipped(SkippedFile),
    Failed(BundleError),
}

/// Why writing into the bundle stopped early: the bundle cannot go on.
enum Stop {
    Fail(BundleError),
}

/// Opens a listed file for reading without following a link in its last component and
/// checks that the handle is the regular file that was listed (same device and inode on
/// Unix), with one name only. A FIFO put in its place does not block the open.
pub(crate) fn open_listed(
    path: &std::path::Path,
    c: &Candidate,
) -> Result<std::fs::File, (SkipReason, String)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        // FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE: the agent keeps writing.
        options.share_mode(0x1 | 0x2 | 0x4);
        // FILE_FLAG_OPEN_REPARSE_POINT: open a symlink or junction itself, not its target.
        options.custom_flags(0x0020_0000);
    }
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err((SkipReason::Vanished, e.to_string()))
        }
        #[cfg(unix)]
        Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::EMLINK)) => {
            return Err((SkipReason::Link, e.to_string()))
        }
        Err(e) => return Err((SkipReason::Unreadable, e.to_string())),
    };
    let meta = file
        .metadata()
        .map_err(|e| (SkipReason::Unreadable, e.to_string()))?;
    #[cfg(windows)]
    let links = {
        let (attributes, links) =
            windows::handle_facts(&file).map_err(|e| (SkipReason::Unreadable, e.to_string()))?;
        // FILE_ATTRIBUTE_REPARSE_POINT: a link or junction, opened as itself.
        if attributes & 0x400 != 0 {
            return Err((SkipReason::Link, String::new()));
        }
        u64::from(links)
    };
    // It was a regular file when listed: anything else now was put in its place.
    if !meta.is_file() {
        return Err((SkipReason::Replaced, "not a regular file now".into()));
    }
    #[cfg(unix)]
    let links = {
        use std::os::unix::fs::MetadataExt;
        let unknown = super::plan::FileId::UNKNOWN;
        if c.id != unknown && (meta.dev(), meta.ino()) != (c.id.dev, c.id.ino) {
            return Err((SkipReason::Replaced, String::new()));
        }
        meta.nlink()
    };
    #[cfg(not(any(unix, windows)))]
    let links = 1u64;
    // Std lists no file index on Windows, so there is nothing to compare it with there.
    #[cfg(not(unix))]
    let _ = c.id;
    if links > 1 {
        return Err((SkipReason::HardLink, format!("{links} links")));
    }
    Ok(file)
}

#[cfg(windows)]
mod windows {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Storage::FileSystem::{
        GetFileInformationByHandle, BY_HANDLE_FILE_INFORMATION,
    };

    /// The attributes and the number of names of an open file.
    pub(super) fn handle_facts(file: &std::fs::File) -> std::io::Result<(u32, u32)> {
        #[allow(unsafe_code)]
        // SAFETY: the structure is plain integers (all-zero is valid); the handle stays open
        // for the call because `file` is borrowed; the pointer is to a live local.
        let (ok, info) = unsafe {
            let mut info: BY_HANDLE_FILE_INFORMATION = std::mem::zeroed();
            let ok = GetFileInformationByHandle(file.as_raw_handle() as _, &mut info);
            (ok, info)
        };
        if ok == 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok((info.dwFileAttributes, info.nNumberOfLinks))
    }
}

/// Compresses `input` into `out`; with `finish`, ends the deflate stream.
fn deflate(z: &mut Compress, mut input: &[u8], out: &mut Vec<u8>, finish: bool) -> io::Result<()> {
    let flush = if finish {
        FlushCompress::Finish
    } else {
        FlushCompress::None
    };
    loop {
        if out.capacity() - out.len() < 4096 {
            out.reserve(out.len().max(16 * 1024));
        }
        let before = z.total_in();
        let status = z
            .compress_vec(input, out, flush)
            .map_err(io::Error::other)?;
        let used = usize::try_from(z.total_in() - before).unwrap_or(input.len());
        input = &input[used.min(input.len())..];
        if finish {
            if status == Status::StreamEnd {
                return Ok(());
            }
        } else if input.is_empty() {
            return Ok(());
        }
    }
}

/// Collects masked output in blocks; each block is checksummed, hashed and compressed.
struct Sink<'w> {
    deflate: &'w mut Compress,
    block: &'w mut Vec<u8>,
    out: Vec<u8>,
    crc: crc32fast::Hasher,
    sha: Sha256,
    stored: u64,
    progress: &'w dyn ProgressSink,
}

impl Sink<'_> {
    fn push(&mut self, bytes: &[u8]) -> Result<(), Stop> {
        self.block.extend_from_slice(bytes);
        if self.block.len() >= BLOCK {
            self.flush_block()?;
        }
        Ok(())
    }

    fn flush_block(&mut self) -> Result<(), Stop> {
        if self.progress.cancelled() {
            return Err(Stop::Fail(BundleError::Cancelled));
        }
        self.crc.update(&self.block[..]);
        self.sha.update(&self.block[..]);
        self.stored += self.block.len() as u64;
        deflate(self.deflate, &self.block[..], &mut self.out, false)
            .map_err(|e| Stop::Fail(BundleError::Write(e)))?;
        self.block.clear();
        Ok(())
    }

    fn finish(mut self) -> Result<(Vec<u8>, u32, u64, [u8; 32]), Stop> {
        self.flush_block()?;
        deflate(self.deflate, &[], &mut self.out, true)
            .map_err(|e| Stop::Fail(BundleError::Write(e)))?;
        Ok((
            self.out,
            self.crc.finalize(),
            self.stored,
            self.sha.finalize().into(),
        ))
    }
}

/// The sink as a plain writer for `textlog::copy_log`; the first error it met is kept, so
/// the caller can tell a cancel or a full disk from a failed read.
struct SinkWriter<'s, 'w> {
    sink: &'s mut Sink<'w>,
    stop: Option<Stop>,
}

impl Write for SinkWriter<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.sink.push(buf) {
            Ok(()) => Ok(buf.len()),
            Err(stop) => {
                self.stop = Some(stop);
                Err(io::Error::other("the bundle stopped"))
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn compress_one(
    plan: &Plan,
    c: &Candidate,
    limits: &Limits,
    w: &mut Worker,
    progress: &dyn ProgressSink,
) -> Done {
    let path = plan.path(c);
    let skipped = |reason, detail: String| {
        Done::Skipped(SkippedFile {
            path: path.display().to_string(),
            reason,
            detail,
        })
    };
    let mut file = match open_listed(&path, c) {
        Ok(f) => f,
        Err((reason, detail)) => return skipped(reason, detail),
    };
    // Text in any encoding the agent writes (UTF-8, UTF-16, Shift-JIS) or gzip of it;
    // anything else cannot be checked for secrets and stays out.
    let kind = match textlog::sniff_file(&mut file) {
        Ok(textlog::Kind::Binary) => return skipped(SkipReason::Binary, String::new()),
        Ok(k) => k,
        Err(e) => return skipped(SkipReason::Unreadable, e.to_string()),
    };
    let Worker { deflate, block, .. } = w;
    deflate.reset();
    block.clear();
    let mut sink = Sink {
        deflate,
        block,
        out: Vec::with_capacity((plan.planned(c) / 4).clamp(4096, 1 << 20) as usize),
        crc: crc32fast::Hasher::new(),
        sha: Sha256::new(),
        stored: 0,
        progress,
    };
    let mut writer = SinkWriter {
        sink: &mut sink,
        stop: None,
    };
    let copied = textlog::copy_log(&mut file, kind, c.size, limits, &mut writer, &|| {
        progress.cancelled()
    });
    let stop = writer.stop.take();
    let (redactions, cut) = match (copied, stop) {
        (Ok(r), _) => (r.redactions, r.cut),
        (Err(_), Some(Stop::Fail(e))) => return Done::Failed(e),
        (Err(textlog::CopyError::Read(e)), None) => {
            return skipped(SkipReason::Unreadable, e.to_string())
        }
        (Err(textlog::CopyError::Write(e)), None) => return Done::Failed(BundleError::from_io(e)),
        (Err(textlog::CopyError::Cancelled), None) => return Done::Failed(BundleError::Cancelled),
    };
    let (data, crc, stored_size, sha256) = match sink.finish() {
        Ok(r) => r,
        Err(Stop::Fail(e)) => return Done::Failed(e),
    };
    let now_size = file.metadata().map(|m| m.len()).ok();
    Done::File(Compressed {
        data,
        crc,
        stored_size,
        sha256,
        redactions,
        cut,
        changed_while_read: now_size != Some(c.size),
        kind,
    })
}

/// Compresses the chosen files of `plan` on all cores into `zip`; memory holds at most a
/// few compressed files at a time.
pub(crate) fn add_logs<W: Write + Seek + Send>(
    zip: &mut ZipOut<W>,
    plan: &Plan,
    limits: &Limits,
    progress: &dyn ProgressSink,
) -> Result<Logs, BundleError> {
    let started = Instant::now();
    let mut report = Progress {
        files_total: plan.chosen.len(),
        bytes_total: plan.bytes(),
        ..Progress::default()
    };
    let mut logs = Logs {
        stored: Vec::with_capacity(plan.chosen.len()),
        names: String::new(),
        skipped: Vec::new(),
    };
    // Reserved, not touched: pages count only once written.
    zip.reserve(
        plan.chosen.len() + 8,
        plan.chosen
            .iter()
            .map(|c| c.relative.as_os_str().len() + plan.label(c).len() + 24)
            .sum::<usize>()
            + 256,
    );
    let mut failure = None;
    run_pool(
        plan.chosen.len(),
        Worker::new,
        |w, i| {
            if progress.cancelled() {
                return Done::Failed(BundleError::Cancelled);
            }
            compress_one(plan, &plan.chosen[i], limits, w, progress)
        },
        |i, done| {
            let c = &plan.chosen[i];
            match done {
                Done::File(f) => {
                    if let Err(e) = add_one(zip, &mut logs, plan, i, f) {
                        failure = Some(e);
                        return false;
                    }
                }
                Done::Skipped(s) => logs.skipped.push(s),
                Done::Failed(e) => {
                    failure = Some(e);
                    return false;
                }
            }
            report.files_done += 1;
            report.bytes_done += plan.planned(c);
            let elapsed = started.elapsed().as_secs_f64();
            report.eta_secs = (report.bytes_done > 0 && elapsed > 0.5).then(|| {
                let rate = report.bytes_done as f64 / elapsed;
                ((report.bytes_total - report.bytes_done) as f64 / rate).round() as u64
            });
            progress.update(&report);
            true
        },
    );
    if let Some(e) = failure {
        return Err(e);
    }
    // The entry names, shared with the zip writer, which gets them back at `finish`.
    logs.names = zip.take_names();
    let names = &logs.names;
    logs.stored
        .sort_unstable_by(|a, b| name_in(names, a).cmp(name_in(names, b)));
    Ok(logs)
}

fn add_one<W: Write + Seek + Send>(
    zip: &mut ZipOut<W>,
    logs: &mut Logs,
    plan: &Plan,
    i: usize,
    f: Compressed,
) -> Result<(), BundleError> {
    let c = &plan.chosen[i];
    // A source that is one file (the Linux install log) is named after that file.
    let relative = if c.relative.as_os_str().is_empty() {
        plan.path(c)
            .file_name()
            .map(std::path::PathBuf::from)
            .unwrap_or_default()
    } else {
        c.relative.to_path_buf()
    };
    let name = names::entry_name(
        &format!("logs/{}", plan.label(c)),
        &f.kind.shipped_name(&relative),
    );
    let entry = Entry {
        name: &name,
        method: Method::Deflated,
        time: dos_time(c.modified()),
        crc: f.crc,
        compressed: f.data.len() as u64,
        size: f.stored_size,
    };
    let name_at = zip.add(&entry, &f.data).map_err(BundleError::from_io)?;
    let too_many = || BundleError::Write(io::Error::other("too many files for one bundle"));
    logs.stored.push(Stored {
        candidate: u32::try_from(i).map_err(|_| too_many())?,
        name_at,
        name_len: u16::try_from(name.len()).map_err(|_| too_many())?,
        redactions: u32::try_from(f.redactions).unwrap_or(u32::MAX),
        stored_size: f.stored_size,
        sha256: f.sha256,
        cut: f.cut,
        changed_while_read: f.changed_while_read,
        kind: f.kind,
    });
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::bundle::{list_files, Source};
    use std::fs;

    fn listed(dir: &std::path::Path) -> Plan {
        list_files(
            &[Source {
                label: "basecamp".into(),
                path: dir.to_owned(),
            }],
            &Limits::default(),
        )
    }

    #[test]
    fn a_link_swapped_in_after_listing_is_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let logs = tmp.path().join("log");
        fs::create_dir(&logs).unwrap();
        let secret = tmp.path().join("shadow");
        fs::write(&secret, "root:secret-hash:19000::::::\n").unwrap();
        fs::write(logs.join("a.log"), "line\n").unwrap();
        let plan = listed(&logs);
        assert_eq!(plan.files(), 1);
        fs::remove_file(logs.join("a.log")).unwrap();
        std::os::unix::fs::symlink(&secret, logs.join("a.log")).unwrap();
        let err = open_listed(&plan.path(&plan.chosen[0]), &plan.chosen[0]).unwrap_err();
        assert_eq!(err.0, SkipReason::Link, "{err:?}");
    }

    #[test]
    fn another_file_moved_into_place_after_listing_is_not_taken() {
        let tmp = tempfile::tempdir().unwrap();
        let logs = tmp.path().join("log");
        fs::create_dir(&logs).unwrap();
        fs::write(logs.join("a.log"), "line\n").unwrap();
        let plan = listed(&logs);
        let other = tmp.path().join("other");
        fs::write(&other, "not the listed file\n").unwrap();
        fs::rename(&other, logs.join("a.log")).unwrap();
        let err = open_listed(&plan.path(&plan.chosen[0]), &plan.chosen[0]).unwrap_err();
        assert_eq!(err.0, SkipReason::Replaced, "{err:?}");
    }

    #[test]
    fn a_fifo_swapped_in_does_not_block_and_is_not_taken() {
        let tmp = tempfile::tempdir().unwrap();
        let logs = tmp.path().join("log");
        fs::create_dir(&logs).unwrap();
        fs::write(logs.join("a.log"), "line\n").unwrap();
        let mut plan = listed(&logs);
        fs::remove_file(logs.join("a.log")).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(logs.join("a.log"))
            .status()
            .unwrap();
        assert!(status.success());
        // Without the listed identity, only the type check stands between us and the FIFO.
        plan.chosen[0].id = crate::bundle::plan::FileId::UNKNOWN;
        let err = open_listed(&plan.path(&plan.chosen[0]), &plan.chosen[0]).unwrap_err();
        assert_eq!(err.0, SkipReason::Replaced, "{err:?}");
    }

    #[test]
    fn a_second_name_made_after_listing_is_refused_at_open() {
        let tmp = tempfile::tempdir().unwrap();
        let logs = tmp.path().join("log");
        fs::create_dir(&logs).unwrap();
        fs::write(logs.join("a.log"), "line\n").unwrap();
        let plan = listed(&logs);
        fs::hard_link(logs.join("a.log"), tmp.path().join("elsewhere")).unwrap();
        let err = open_listed(&plan.path(&plan.chosen[0]), &plan.chosen[0]).unwrap_err();
        assert_eq!(err.0, SkipReason::HardLink, "{err:?}");
        assert_eq!(err.1, "2 links");
    }

    #[test]
    fn the_pool_hands_every_result_once_and_stops_when_asked() {
        let mut seen = vec![0u8; 1000];
        run_pool(
            1000,
            || (),
            |_, i| i * 2,
            |i, v| {
                assert_eq!(v, i * 2);
                seen[i] += 1;
                true
            },
        );
        assert!(seen.iter().all(|&n| n == 1));
        let mut count = 0;
        run_pool(
            1000,
            || (),
            |_, i| i,
            |_, _| {
                count += 1;
                count < 10
            },
        );
        assert_eq!(count, 10);
    }
}
