//! Reads the finished zip back from disk before it gets its name: the end records and the
//! central directory parse, every entry's local header agrees with its central record, its
//! data inflates to exactly the recorded size with the recorded CRC-32, and every entry the
//! bundle meant to write is there. The entries are split over the worker pool by bytes, each
//! part read sequentially through its own handle. It keeps one small record per entry, never
//! the central directory as objects, and it does not repair anything.

use super::pipeline::{run_pool, workers};
use super::{BundleError, ProgressSink};
use flate2::{Decompress, FlushDecompress, Status};
use std::hash::Hasher;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

const MAX32: u64 = 0xFFFF_FFFF;

#[derive(Debug, Clone, Copy)]
struct CdEntry {
    offset: u64,
    compressed: u64,
    size: u64,
    crc: u32,
    method: u16,
    name_hash: u64,
}

fn bad(what: impl Into<String>) -> BundleError {
    BundleError::Verify(what.into())
}

fn io_bad(e: std::io::Error) -> BundleError {
    BundleError::Verify(e.to_string())
}

fn name_hash(name: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    h.write(name);
    h.finish()
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}
fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

fn read_at(file: &mut std::fs::File, at: u64, len: usize) -> Result<Vec<u8>, BundleError> {
    let mut buf = vec![0u8; len];
    file.seek(SeekFrom::Start(at)).map_err(io_bad)?;
    file.read_exact(&mut buf).map_err(io_bad)?;
    Ok(buf)
}

/// Where the central directory is and how many entries it has.
fn find_central(file: &mut std::fs::File) -> Result<(u64, u64, u64), BundleError> {
    let len = file.metadata().map_err(io_bad)?.len();
    let tail_len = len.min(22 + 0xFFFF);
    let tail = read_at(file, len - tail_len, tail_len as usize)?;
    let at = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(&tail, i) == 0x0605_4b50)
        .ok_or_else(|| bad("no end of central directory"))?;
    let eocd = &tail[at..];
    let (mut count, mut size, mut offset) = (
        u64::from(u16_at(eocd, 10)),
        u64::from(u32_at(eocd, 12)),
        u64::from(u32_at(eocd, 16)),
    );
    if count == 0xFFFF || size == MAX32 || offset == MAX32 {
        let locator_at = (len - tail_len + at as u64)
            .checked_sub(20)
            .ok_or_else(|| bad("no ZIP64 locator"))?;
        let locator = read_at(file, locator_at, 20)?;
        if u32_at(&locator, 0) != 0x0706_4b50 {
            return Err(bad("no ZIP64 locator"));
        }
        let end64 = read_at(file, u64_at(&locator, 8), 56)?;
        if u32_at(&end64, 0) != 0x0606_4b50 {
            return Err(bad("no ZIP64 end record"));
        }
        count = u64_at(&end64, 32);
        size = u64_at(&end64, 40);
        offset = u64_at(&end64, 48);
    }
    if offset.checked_add(size).is_none_or(|end| end > len) {
        return Err(bad("the central directory lies outside the file"));
    }
    Ok((offset, size, count))
}

/// Calls `each(index, entry)` for every central directory record, in order, streaming.
fn for_each_central(
    path: &Path,
    mut each: impl FnMut(u64, &CdEntry) -> Result<bool, BundleError>,
) -> Result<u64, BundleError> {
    let mut file = std::fs::File::open(path).map_err(io_bad)?;
    let (offset, size, count) = find_central(&mut file)?;
    file.seek(SeekFrom::Start(offset)).map_err(io_bad)?;
    let mut cd = BufReader::with_capacity(64 * 1024, file.take(size));
    let mut fixed = [0u8; 46];
    let mut var = Vec::new();
    for index in 0..count {
        cd.read_exact(&mut fixed).map_err(io_bad)?;
        if u32_at(&fixed, 0) != 0x0201_4b50 {
            return Err(bad("a central directory record is damaged"));
        }
        let (name_len, extra_len, comment_len) = (
            usize::from(u16_at(&fixed, 28)),
            usize::from(u16_at(&fixed, 30)),
            usize::from(u16_at(&fixed, 32)),
        );
        var.resize(name_len + extra_len + comment_len, 0);
        cd.read_exact(&mut var).map_err(io_bad)?;
        let mut e = CdEntry {
            offset: u64::from(u32_at(&fixed, 42)),
            compressed: u64::from(u32_at(&fixed, 20)),
            size: u64::from(u32_at(&fixed, 24)),
            crc: u32_at(&fixed, 16),
            method: u16_at(&fixed, 10),
            name_hash: name_hash(&var[..name_len]),
        };
        // ZIP64 extra: the 64-bit values of the fields set to 0xFFFFFFFF, in this order.
        let mut extra = &var[name_len..name_len + extra_len];
        while extra.len() >= 4 {
            let (id, len) = (u16_at(extra, 0), usize::from(u16_at(extra, 2)));
            let body = extra.get(4..4 + len).unwrap_or_default();
            if id == 0x0001 {
                let mut at = 0;
                for field in [&mut e.size, &mut e.compressed, &mut e.offset] {
                    if *field == MAX32 {
                        *field = u64_at(body, at);
                        at += 8;
                    }
                }
            }
            extra = extra.get(4 + len..).unwrap_or_default();
        }
        if !each(index, &e)? {
            break;
        }
    }
    Ok(count)
}

/// Reads the entries `from..to` (in central directory order, which is file order) and
/// checks them against their central records.
fn check_part(
    path: &Path,
    from: u64,
    to: u64,
    progress: &dyn ProgressSink,
) -> Result<(), BundleError> {
    let file = std::fs::File::open(path).map_err(io_bad)?;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let mut pos = u64::MAX;
    let mut inflate = Decompress::new(false);
    let mut out = vec![0u8; 64 * 1024];
    let mut header = [0u8; 30];
    let mut name = Vec::new();
    for_each_central(path, |index, e| {
        if index < from {
            return Ok(true);
        }
        if index >= to {
            return Ok(false);
        }
        if progress.cancelled() {
            return Err(BundleError::Cancelled);
        }
        if pos != e.offset {
            reader.seek(SeekFrom::Start(e.offset)).map_err(io_bad)?;
            pos = e.offset;
        }
        reader.read_exact(&mut header).map_err(io_bad)?;
        let (name_len, extra_len) = (
            usize::from(u16_at(&header, 26)),
            usize::from(u16_at(&header, 28)),
        );
        name.resize(name_len + extra_len, 0);
        reader.read_exact(&mut name).map_err(io_bad)?;
        let shown = String::from_utf8_lossy(&name[..name_len]).into_owned();
        if u32_at(&header, 0) != 0x0403_4b50
            || u16_at(&header, 8) != e.method
            || name_hash(&name[..name_len]) != e.name_hash
            || u32_at(&header, 14) != e.crc
        {
            return Err(bad(format!("{shown}: the local header disagrees")));
        }
        pos += (30 + name_len + extra_len) as u64;
        let mut crc = crc32fast::Hasher::new();
        let mut size = 0u64;
        let mut remaining = e.compressed;
        match e.method {
            0 => {
                while remaining > 0 {
                    let input = reader.fill_buf().map_err(io_bad)?;
                    if input.is_empty() {
                        return Err(bad(format!("{shown}: truncated")));
                    }
                    let take = (input.len() as u64).min(remaining) as usize;
                    crc.update(&input[..take]);
                    reader.consume(take);
                    remaining -= take as u64;
                    size += take as u64;
                }
            }
            8 => {
                inflate.reset(false);
                loop {
                    let input = reader.fill_buf().map_err(io_bad)?;
                    let take = (input.len() as u64).min(remaining) as usize;
                    let (in0, out0) = (inflate.total_in(), inflate.total_out());
                    let status = inflate
                        .decompress(&input[..take], &mut out, FlushDecompress::None)
                        .map_err(|err| bad(format!("{shown}: {err}")))?;
                    let used = (inflate.total_in() - in0) as usize;
                    let made = (inflate.total_out() - out0) as usize;
                    reader.consume(used);
                    remaining -= used as u64;
                    crc.update(&out[..made]);
                    size += made as u64;
                    if status == Status::StreamEnd {
                        break;
                    }
                    if used == 0 && made == 0 {
                        return Err(bad(format!("{shown}: truncated")));
                    }
                }
                if remaining != 0 {
                    return Err(bad(format!("{shown}: the compressed size disagrees")));
                }
            }
            m => return Err(bad(format!("{shown}: unknown method {m}"))),
        }
        pos += e.compressed;
        if crc.finalize() != e.crc {
            return Err(bad(format!("{shown}: CRC-32 mismatch")));
        }
        if size != e.size {
            return Err(bad(format!("{shown}: the size disagrees")));
        }
        Ok(true)
    })?;
    Ok(())
}

/// Checks the zip at `path` and that it holds every name in `expected`.
pub(crate) fn verify<'n>(
    path: &Path,
    expected: impl Iterator<Item = &'n str>,
    progress: &dyn ProgressSink,
) -> Result<(), BundleError> {
    // First pass: the names present and where to split the entries into parts of about
    // equal bytes, one per worker, each read front to back. Nothing per entry is kept but
    // a hash of its name.
    let mut present = Vec::new();
    let mut sizes_total = 0u64;
    let count = for_each_central(path, |_, e| {
        present.push(e.name_hash);
        sizes_total += e.compressed + 64;
        Ok(true)
    })?;
    present.sort_unstable();
    for name in expected {
        if present.binary_search(&name_hash(name.as_bytes())).is_err() {
            return Err(bad(format!("{name} is missing")));
        }
    }
    drop(present);
    let parts = workers() as u64;
    let mut bounds = vec![0u64];
    let mut acc = 0u64;
    for_each_central(path, |index, e| {
        acc += e.compressed + 64;
        if acc * parts >= sizes_total * bounds.len() as u64 && (bounds.len() as u64) < parts {
            bounds.push(index + 1);
        }
        Ok(true)
    })?;
    bounds.push(count);
    bounds.dedup();
    let ranges: Vec<(u64, u64)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let mut failure = None;
    run_pool(
        ranges.len(),
        || (),
        |_, i| {
            let (from, to) = ranges[i];
            check_part(path, from, to, progress)
        },
        |_, result| match result {
            Ok(()) => true,
            Err(e) => {
                failure = Some(e);
                false
            }
        },
    );
    failure.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::zipout::{dos_time, ZipOut};
    use crate::bundle::NoProgress;
    use std::io::Write;

    fn sample(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("t.zip");
        let file = std::fs::File::create(&path).unwrap();
        let mut zip = ZipOut::new(std::io::BufWriter::new(file));
        let t = dos_time(None);
        zip.add_deflated("logs/a.log", t, |w| {
            w.write_all(&b"a log line\n".repeat(5000))
        })
        .unwrap();
        zip.add_stored("shot.png", t, b"not really a png").unwrap();
        zip.finish("").unwrap().flush().unwrap();
        path
    }

    #[test]
    fn a_good_zip_verifies_and_a_missing_name_does_not() {
        let tmp = tempfile::tempdir().unwrap();
        let path = sample(tmp.path());
        verify(&path, ["logs/a.log", "shot.png"].into_iter(), &NoProgress).unwrap();
        let err = verify(&path, ["logs/b.log"].into_iter(), &NoProgress).unwrap_err();
        assert!(err.to_string().contains("logs/b.log is missing"), "{err}");
    }

    #[test]
    fn a_flipped_byte_in_the_data_fails_verification() {
        let tmp = tempfile::tempdir().unwrap();
        let path = sample(tmp.path());
        let mut bytes = std::fs::read(&path).unwrap();
        // Inside the stored entry's data, which follows the deflated one.
        let at = bytes.windows(6).position(|w| w == b"really").unwrap();
        bytes[at] ^= 0x20;
        std::fs::write(&path, &bytes).unwrap();
        let err = verify(&path, std::iter::empty(), &NoProgress).unwrap_err();
        assert!(err.to_string().contains("CRC-32"), "{err}");
    }
}
