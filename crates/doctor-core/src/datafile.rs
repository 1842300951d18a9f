//! Reads a small data file the user names (a scenario, a catalogue): regular files only,
//! opened without blocking (a FIFO or device never stalls the program), bounded in size
//! before a byte is read, UTF-8 with or without BOM; UTF-16 is named as such so the user
//! can be told to save the file as UTF-8. It does not parse: the callers do.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Larger than any scenario or catalogue (the embedded catalogue is ~20 KB).
pub const MAX_BYTES: u64 = 16 << 20;

#[derive(Debug, thiserror::Error)]
pub enum DataFileError {
    #[error("could not read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a regular file (a folder, FIFO or device)")]
    NotRegular { path: PathBuf },
    #[error("{path} has {size} bytes, more than the {max} a data file may have")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error("{path} is saved as {encoding}; save it as UTF-8")]
    Utf16 {
        path: PathBuf,
        encoding: &'static str,
    },
    #[error("{path} is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 { path: PathBuf, offset: usize },
}

impl DataFileError {
    /// The content is there but in the wrong form (sysexits' "data error"), as opposed to
    /// a file that could not be read at all.
    pub fn is_data_error(&self) -> bool {
        matches!(
            self,
            DataFileError::Utf16 { .. } | DataFileError::NotUtf8 { .. }
        )
    }
}

fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A FIFO swapped in after the check below must not block the open.
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// The text of `path`, checked as the module says.
pub fn read_text(path: &Path) -> Result<String, DataFileError> {
    let io = |source| DataFileError::Io {
        path: path.to_owned(),
        source,
    };
    // Looked at before opening: opening a FIFO for reading waits for a writer.
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(DataFileError::NotRegular {
            path: path.to_owned(),
        });
    }
    let file = open_nonblocking(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(DataFileError::NotRegular {
            path: path.to_owned(),
        });
    }
    if meta.len() > MAX_BYTES {
        return Err(DataFileError::TooLarge {
            path: path.to_owned(),
            size: meta.len(),
            max: MAX_BYTES,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(DataFileError::TooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
            max: MAX_BYTES,
        });
    }
    decode(bytes, path)
}

/// UTF-8 text from the bytes of a data file, its BOM removed.
pub fn decode(bytes: Vec<u8>, path: &Path) -> Result<String, DataFileError> {
    let utf16 = |encoding| DataFileError::Utf16 {
        path: path.to_owned(),
        encoding,
    };
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return Err(utf16("UTF-16LE"));
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(utf16("UTF-16BE"));
    }
    // Without BOM: JSON starts with ASCII, so one of the first two bytes is NUL.
    match bytes.get(..2) {
        Some([c, 0]) if *c != 0 => return Err(utf16("UTF-16LE")),
        Some([0, c]) if *c != 0 => return Err(utf16("UTF-16BE")),
        _ => {}
    }
    let mut text = String::from_utf8(bytes).map_err(|e| DataFileError::NotUtf8 {
        path: path.to_owned(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    if text.starts_with('\u{FEFF}') {
        text.drain(..'\u{FEFF}'.len_utf8());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_utf8_bom_is_removed_and_utf16_is_named() {
        let p = Path::new("x.json");
        assert_eq!(decode(b"\xEF\xBB\xBF{}".to_vec(), p).unwrap(), "{}");
        for bytes in [
            &b"\xFF\xFE{\0}\0"[..],
            b"{\0}\0",
            b"\xFE\xFF\0{\0}",
            b"\0{\0}",
        ] {
            let e = decode(bytes.to_vec(), p).unwrap_err();
            assert!(matches!(e, DataFileError::Utf16 { .. }), "{e}");
            assert!(e.is_data_error());
            assert!(e.to_string().contains("save it as UTF-8"));
        }
        assert!(matches!(
            decode(b"{\"a\": \"\x82\xa0\"}".to_vec(), p),
            Err(DataFileError::NotUtf8 { offset: 7, .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_device_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("scenario.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert!(matches!(
                read_text(&fifo),
                Err(DataFileError::NotRegular { .. })
            ));
        } else {
            eprintln!("skipped the FIFO case: mkfifo is not available");
        }
        assert!(matches!(
            read_text(Path::new("/dev/zero")),
            Err(DataFileError::NotRegular { .. })
        ));
        assert!(matches!(
            read_text(dir.path()),
            Err(DataFileError::NotRegular { .. })
        ));
    }

    #[test]
    fn a_file_over_the_bound_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.json");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_BYTES + 1).unwrap(); // sparse: nothing is written
        assert!(matches!(
            read_text(&big),
            Err(DataFileError::TooLarge { .. })
        ));
    }
}
