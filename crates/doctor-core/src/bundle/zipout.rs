//! A small zip writer (PKWARE APPNOTE 6.3): entries are written as they are ready, and the
//! central directory is kept as its final bytes in a few large chunks — about 50 bytes plus
//! the name per entry, no object per file — so 100,000 files cost megabytes, not a heap
//! graph. ZIP64 records are used only where a size, an offset or the entry count needs them.
//! It writes; it does not read zips (`verify` does) and knows nothing of logs.

use std::io::{self, Seek, SeekFrom, Write};

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const END: u32 = 0x0605_4b50;
const END64: u32 = 0x0606_4b50;
const LOCATOR64: u32 = 0x0706_4b50;
const ZIP64_EXTRA: u16 = 0x0001;
/// Unix, APPNOTE 4.6 (what the zip crate wrote before, so unzip keeps the 0644 mode).
const MADE_BY: u16 = (3 << 8) | 46;
const FLAG_UTF8: u16 = 1 << 11;
const MAX32: u64 = 0xFFFF_FFFF;
/// The deflate level of every compressed entry (see scripts/bench-bundle.sh for why).
pub(crate) const LEVEL: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Stored = 0,
    Deflated = 8,
}

/// An MS-DOS date and time, as zip entries carry them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DosTime {
    date: u16,
    time: u16,
}

/// A zip timestamp (local time, as Explorer and unzip show it) for Unix seconds;
/// 1980-01-01 when missing or out of range.
pub(crate) fn dos_time(secs: Option<i64>) -> DosTime {
    use chrono::{Datelike, Timelike};
    secs.and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|t| t.with_timezone(&chrono::Local))
        .filter(|t| (1980..=2107).contains(&t.year()))
        .map_or(
            DosTime {
                date: (1 << 5) | 1,
                time: 0,
            },
            |t| DosTime {
                date: (((t.year() - 1980) as u16) << 9)
                    | ((t.month() as u16) << 5)
                    | t.day() as u16,
                time: ((t.hour() as u16) << 11)
                    | ((t.minute() as u16) << 5)
                    | (t.second().min(59) as u16 / 2),
            },
        )
}

/// One entry's header facts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub name: &'a str,
    pub method: Method,
    pub time: DosTime,
    pub crc: u32,
    pub compressed: u64,
    pub size: u64,
}

/// The central directory as bytes, in chunks so that growing it never copies it.
#[derive(Debug, Default)]
struct Chunks {
    full: Vec<Vec<u8>>,
    current: Vec<u8>,
}

impl Chunks {
    const CHUNK: usize = 1 << 20;

    fn push(&mut self, bytes: &[u8]) {
        if self.current.len() + bytes.len() > self.current.capacity() {
            let next = Vec::with_capacity(Self::CHUNK.max(bytes.len()));
            self.full.push(std::mem::replace(&mut self.current, next));
        }
        self.current.extend_from_slice(bytes);
    }

    fn len(&self) -> u64 {
        self.full.iter().map(|c| c.len() as u64).sum::<u64>() + self.current.len() as u64
    }

    fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        for c in self.full.iter().chain([&self.current]) {
            out.write_all(c)?;
        }
        Ok(())
    }
}

/// Counts and checksums what passes through, for entries whose size is known only at the end.
struct Counted<W> {
    inner: W,
    crc: crc32fast::Hasher,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Counts bytes written to the output.
struct Tally<'w, W> {
    inner: &'w mut W,
    bytes: u64,
}

impl<W: Write> Write for Tally<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Compresses what `fill` writes into `out`; returns the CRC-32 and size of the input and
/// the compressed size.
fn deflate_stream<W: Write>(
    out: &mut W,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<(u32, u64, u64)> {
    let tally = Tally {
        inner: out,
        bytes: 0,
    };
    let encoder = flate2::write::DeflateEncoder::new(tally, flate2::Compression::new(LEVEL));
    let mut counted = Counted {
        inner: io::BufWriter::with_capacity(64 * 1024, encoder),
        crc: crc32fast::Hasher::new(),
        bytes: 0,
    };
    fill(&mut counted)?;
    let Counted { inner, crc, bytes } = counted;
    let encoder = inner.into_inner().map_err(|e| e.into_error())?;
    let compressed = encoder.finish()?.bytes;
    Ok((crc.finalize(), bytes, compressed))
}

#[derive(Debug)]
pub(crate) struct ZipOut<W: Write + Seek> {
    out: W,
    /// Where the next byte goes, from the start of the zip.
    pos: u64,
    central: Chunks,
    entries: u64,
}

fn u16le(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn u32le(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn u64le(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn clamp32(x: u64) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX).min(MAX32 as u32)
}

fn name_len(name: &str) -> io::Result<u16> {
    u16::try_from(name.len()).map_err(|_| io::Error::other(format!("entry name too long: {name}")))
}

impl<W: Write + Seek> ZipOut<W> {
    /// A zip starting where `out` is now (a fresh file or buffer).
    pub fn new(out: W) -> Self {
        ZipOut {
            out,
            pos: 0,
            central: Chunks::default(),
            entries: 0,
        }
    }

    fn local_header(&self, e: &Entry<'_>, zip64: bool) -> io::Result<Vec<u8>> {
        let mut h = Vec::with_capacity(30 + e.name.len() + 20);
        u32le(&mut h, LOCAL);
        u16le(&mut h, if zip64 { 45 } else { 20 });
        u16le(&mut h, if e.name.is_ascii() { 0 } else { FLAG_UTF8 });
        u16le(&mut h, e.method as u16);
        u16le(&mut h, e.time.time);
        u16le(&mut h, e.time.date);
        u32le(&mut h, e.crc);
        if zip64 {
            u32le(&mut h, u32::MAX);
            u32le(&mut h, u32::MAX);
        } else {
            u32le(&mut h, clamp32(e.compressed));
            u32le(&mut h, clamp32(e.size));
        }
        u16le(&mut h, name_len(e.name)?);
        u16le(&mut h, if zip64 { 20 } else { 0 });
        h.extend_from_slice(e.name.as_bytes());
        if zip64 {
            u16le(&mut h, ZIP64_EXTRA);
            u16le(&mut h, 16);
            u64le(&mut h, e.size);
            u64le(&mut h, e.compressed);
        }
        Ok(h)
    }

    fn remember(&mut self, e: &Entry<'_>, offset: u64) -> io::Result<()> {
        let mut extra = Vec::new();
        for v in [e.size, e.compressed, offset] {
            if v >= MAX32 {
                u64le(&mut extra, v);
            }
        }
        let zip64 = !extra.is_empty();
        let mut c = Vec::with_capacity(46 + e.name.len() + extra.len() + 4);
        u32le(&mut c, CENTRAL);
        u16le(&mut c, MADE_BY);
        u16le(&mut c, if zip64 { 45 } else { 20 });
        u16le(&mut c, if e.name.is_ascii() { 0 } else { FLAG_UTF8 });
        u16le(&mut c, e.method as u16);
        u16le(&mut c, e.time.time);
        u16le(&mut c, e.time.date);
        u32le(&mut c, e.crc);
        u32le(&mut c, clamp32(e.compressed));
        u32le(&mut c, clamp32(e.size));
        u16le(&mut c, name_len(e.name)?);
        u16le(&mut c, if zip64 { extra.len() as u16 + 4 } else { 0 });
        u16le(&mut c, 0); // comment
        u16le(&mut c, 0); // disk
        u16le(&mut c, 0); // internal attributes
        u32le(&mut c, 0o100644 << 16); // a regular file, rw-r--r--
        u32le(&mut c, clamp32(offset));
        c.extend_from_slice(e.name.as_bytes());
        if zip64 {
            u16le(&mut c, ZIP64_EXTRA);
            u16le(&mut c, extra.len() as u16);
            c.extend_from_slice(&extra);
        }
        self.central.push(&c);
        self.entries += 1;
        Ok(())
    }

    /// Adds an entry whose data is ready (already compressed for `Deflated`).
    pub fn add(&mut self, e: &Entry<'_>, data: &[u8]) -> io::Result<()> {
        let zip64 = e.size >= MAX32 || e.compressed >= MAX32;
        let header = self.local_header(e, zip64)?;
        let offset = self.pos;
        self.out.write_all(&header)?;
        self.out.write_all(data)?;
        self.pos += (header.len() + data.len()) as u64;
        self.remember(e, offset)
    }

    /// Adds `data` uncompressed (already compressed formats: PNG).
    pub fn add_stored(&mut self, name: &str, time: DosTime, data: &[u8]) -> io::Result<()> {
        let mut crc = crc32fast::Hasher::new();
        crc.update(data);
        let e = Entry {
            name,
            method: Method::Stored,
            time,
            crc: crc.finalize(),
            compressed: data.len() as u64,
            size: data.len() as u64,
        };
        self.add(&e, data)
    }

    /// Adds an entry whose content `fill` writes, compressed straight into the zip; the
    /// header is completed afterwards. For the bundle's own files (under 4 GiB).
    pub fn add_deflated(
        &mut self,
        name: &str,
        time: DosTime,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let offset = self.pos;
        let mut e = Entry {
            name,
            method: Method::Deflated,
            time,
            crc: 0,
            compressed: 0,
            size: 0,
        };
        let header = self.local_header(&e, false)?;
        self.out.write_all(&header)?;
        let (crc, size, compressed) = deflate_stream(&mut self.out, fill)?;
        if size >= MAX32 || compressed >= MAX32 {
            return Err(io::Error::other(format!("{name} is larger than 4 GiB")));
        }
        e.crc = crc;
        e.size = size;
        e.compressed = compressed;
        let end = offset + header.len() as u64 + compressed;
        self.out.seek(SeekFrom::Start(offset + 14))?;
        let mut fix = Vec::with_capacity(12);
        u32le(&mut fix, crc);
        u32le(&mut fix, clamp32(compressed));
        u32le(&mut fix, clamp32(size));
        self.out.write_all(&fix)?;
        self.out.seek(SeekFrom::Start(end))?;
        self.pos = end;
        self.remember(&e, offset)
    }

    /// Writes the central directory and the end records; returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        let start = self.pos;
        self.central.write_to(&mut self.out)?;
        let size = self.central.len();
        let end = start + size;
        let mut t = Vec::with_capacity(98);
        if self.entries >= 0xFFFF || size >= MAX32 || start >= MAX32 {
            u32le(&mut t, END64);
            u64le(&mut t, 44);
            u16le(&mut t, MADE_BY);
            u16le(&mut t, 45);
            u32le(&mut t, 0);
            u32le(&mut t, 0);
            u64le(&mut t, self.entries);
            u64le(&mut t, self.entries);
            u64le(&mut t, size);
            u64le(&mut t, start);
            u32le(&mut t, LOCATOR64);
            u32le(&mut t, 0);
            u64le(&mut t, end);
            u32le(&mut t, 1);
        }
        let entries16 = u16::try_from(self.entries).unwrap_or(u16::MAX);
        u32le(&mut t, END);
        u16le(&mut t, 0);
        u16le(&mut t, 0);
        u16le(&mut t, entries16);
        u16le(&mut t, entries16);
        u32le(&mut t, clamp32(size));
        u32le(&mut t, clamp32(start));
        u16le(&mut t, 0);
        self.out.write_all(&t)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn what_it_writes_reads_back_with_the_zip_crate_including_zip64_counts() {
        let mut zip = ZipOut::new(io::Cursor::new(Vec::new()));
        let t = dos_time(Some(1_764_000_000));
        zip.add_stored("a/stored.bin", t, b"stored bytes").unwrap();
        zip.add_deflated("b/deflated.txt", t, |w| {
            w.write_all(&b"hello ".repeat(1000))
        })
        .unwrap();
        // More than 65,535 entries need the ZIP64 end record.
        for i in 0..70_000 {
            zip.add_stored(&format!("many/{i}"), t, b"").unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        let mut archive = zip::ZipArchive::new(io::Cursor::new(bytes)).expect("a zip");
        assert_eq!(archive.len(), 70_002);
        let mut text = String::new();
        archive
            .by_name("b/deflated.txt")
            .expect("entry")
            .read_to_string(&mut text)
            .expect("inflates with a good CRC");
        assert_eq!(text, "hello ".repeat(1000));
        let mut raw = Vec::new();
        archive
            .by_name("a/stored.bin")
            .expect("entry")
            .read_to_end(&mut raw)
            .expect("reads");
        assert_eq!(raw, b"stored bytes");
    }

    #[test]
    fn dos_time_keeps_even_seconds_and_falls_back_to_1980() {
        assert_eq!(
            dos_time(None),
            DosTime {
                date: 0x21,
                time: 0
            }
        );
        assert_eq!(dos_time(Some(-1)).date, 0x21);
    }
}
