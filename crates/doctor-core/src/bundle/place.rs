//! Where the bundle is written and how it gets its name: the default destination, a
//! temporary name in the destination that is unique to this process and this run (so two
//! bundles at once into one folder do not meet), removed on every way out — error, cancel,
//! panic — unless the file was placed; and the final name, which never replaces an existing
//! file. It does not write the zip's content.

use super::{names, BundleError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The user's Desktop (the real one: a OneDrive-redirected Desktop on Windows, XDG on
/// Linux), or the home folder when there is none.
pub fn default_destination() -> Option<PathBuf> {
    dirs::desktop_dir()
        .filter(|d| d.is_dir())
        .or_else(dirs::home_dir)
}

/// Runs in this process so far; part of each temporary name.
static RUNS: AtomicU64 = AtomicU64::new(0);

/// The zip while it is being written: `.<stem>.<pid>-<run>.zip.partial` in the destination.
/// Dropping it removes the file unless `place` gave it its real name.
#[derive(Debug)]
pub(crate) struct Partial {
    path: PathBuf,
    placed: bool,
}

fn dest_err(destination: &Path, source: std::io::Error) -> BundleError {
    BundleError::Destination {
        path: destination.to_owned(),
        source,
    }
}

impl Partial {
    pub fn create(destination: &Path, stem: &str) -> Result<(std::fs::File, Partial), BundleError> {
        if !destination.is_dir() {
            return Err(dest_err(
                destination,
                std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder"),
            ));
        }
        let pid = std::process::id();
        loop {
            let run = RUNS.fetch_add(1, Ordering::Relaxed);
            let path = destination.join(format!(".{stem}.{pid}-{run}.zip.partial"));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    return Ok((
                        file,
                        Partial {
                            path,
                            placed: false,
                        },
                    ))
                }
                // Left by an earlier process with the same id: take the next number.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && run < 1_000_000 => {}
                Err(e) => return Err(dest_err(destination, e)),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Gives the file the name `<stem>.zip` (or `<stem>_2.zip`, ... if taken). Never replaces
    /// an existing file: it links to a free name, which fails if another run took it in
    /// between, and falls back to a rename where links are not supported (FAT, exFAT).
    pub fn place(mut self, destination: &Path, stem: &str) -> Result<PathBuf, BundleError> {
        for _ in 0..100 {
            let target = names::free_path(destination, stem);
            match std::fs::hard_link(&self.path, &target) {
                Ok(()) => return Ok(target),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(_) => {
                    if target.exists() {
                        continue;
                    }
                    std::fs::rename(&self.path, &target).map_err(|e| dest_err(destination, e))?;
                    self.placed = true;
                    return Ok(target);
                }
            }
        }
        Err(dest_err(
            destination,
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, "no free file name"),
        ))
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        // After a link the temporary name is removed too; the placed name stays.
        if !self.placed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
