//! A small zip writer (PKWARE APPNOTE 6.3): entries are written as they are ready; what the
//! central directory needs is kept as one 40-byte record per entry plus its name in one
//! shared string — no object per file — and the directory is written at the end, so 100,000
//! files cost a few megabytes, not a heap graph. ZIP64 records are used only where a size, an
//! offset or the entry count needs them. It writes; it does not read zips (`verify` does)
//! and knows nothing of logs.

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

/// What the central directory needs of one entry; the name is `at..at + len` in a names
/// string (the writer's own, or the one handed back at `finish`).
#[derive(Debug, Clone, Copy)]
struct Record {
    compressed: u64,
    size: u64,
    offset: u64,
    crc: u32,
    time: DosTime,
    at: u32,
    len: u16,
    method: Method,
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

/// The central directory record of `r`, appended to `c`.
fn central_record(c: &mut Vec<u8>, r: &Record, name: &str) {
    let mut extra = Vec::new();
    for v in [r.size, r.compressed, r.offset] {
        if v >= MAX32 {
            u64le(&mut extra, v);
        }
    }
    let zip64 = !extra.is_empty();
    u32le(c, CENTRAL);
    u16le(c, MADE_BY);
    u16le(c, if zip64 { 45 } else { 20 });
    u16le(c, if name.is_ascii() { 0 } else { FLAG_UTF8 });
    u16le(c, r.method as u16);
    u16le(c, r.time.time);
    u16le(c, r.time.date);
    u32le(c, r.crc);
    u32le(c, clamp32(r.compressed));
    u32le(c, clamp32(r.size));
    u16le(c, name.len() as u16);
    u16le(c, if zip64 { extra.len() as u16 + 4 } else { 0 });
    u16le(c, 0); // comment
    u16le(c, 0); // disk
    u16le(c, 0); // internal attributes
    u32le(c, 0o100644 << 16); // a regular file, rw-r--r--
    u32le(c, clamp32(r.offset));
    c.extend_from_slice(name.as_bytes());
    if zip64 {
        u16le(c, ZIP64_EXTRA);
        u16le(c, extra.len() as u16);
        c.extend_from_slice(&extra);
    }
}

#[derive(Debug)]
pub(crate) struct ZipOut<W: Write + Seek> {
    out: W,
    /// Where the next byte goes, from the start of the zip.
    pos: u64,
    records: Vec<Record>,
    names: String,
    /// Records before this index name into the string taken by `take_names`.
    taken: usize,
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
            records: Vec::new(),
            names: String::new(),
            taken: 0,
        }
    }

    /// Room for `entries` more entries with names of `name_bytes` in all (reserved memory
    /// costs nothing until written).
    pub fn reserve(&mut self, entries: usize, name_bytes: usize) {
        self.records.reserve(entries);
        self.names.reserve(name_bytes);
    }

    /// Hands over the names of the entries so far (each `add` returned where its name
    /// starts); `finish` needs them back.
    pub fn take_names(&mut self) -> String {
        self.taken = self.records.len();
        std::mem::take(&mut self.names)
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

    fn remember(&mut self, e: &Entry<'_>, offset: u64) -> io::Result<u32> {
        name_len(e.name)?;
        let at = u32::try_from(self.names.len())
            .map_err(|_| io::Error::other("too many entries for one zip"))?;
        self.names.push_str(e.name);
        self.records.push(Record {
            compressed: e.compressed,
            size: e.size,
            offset,
            crc: e.crc,
            time: e.time,
            at,
            len: e.name.len() as u16,
            method: e.method,
        });
        Ok(at)
    }

    /// Adds an entry whose data is ready (already compressed for `Deflated`); returns where
    /// its name starts in the names string.
    pub fn add(&mut self, e: &Entry<'_>, data: &[u8]) -> io::Result<u32> {
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
        self.add(&e, data).map(|_| ())
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
        self.remember(&e, offset).map(|_| ())
    }

    /// Writes the central directory and the end records; `taken` is what `take_names`
    /// returned (empty if it was not called). Returns the output.
    pub fn finish(mut self, taken: &str) -> io::Result<W> {
        let start = self.pos;
        let mut size = 0u64;
        let mut c = Vec::with_capacity(256);
        for (i, r) in self.records.iter().enumerate() {
            let names = if i < self.taken { taken } else { &self.names };
            let name = names
                .get(r.at as usize..r.at as usize + usize::from(r.len))
                .ok_or_else(|| io::Error::other("an entry name went missing"))?;
            c.clear();
            central_record(&mut c, r, name);
            self.out.write_all(&c)?;
            size += c.len() as u64;
        }
        let entries = self.records.len() as u64;
        let end = start + size;
        let mut t = Vec::with_capacity(98);
        if entries >= 0xFFFF || size >= MAX32 || start >= MAX32 {
            u32le(&mut t, END64);
            u64le(&mut t, 44);
            u16le(&mut t, MADE_BY);
            u16le(&mut t, 45);
            u32le(&mut t, 0);
            u32le(&mut t, 0);
            u64le(&mut t, entries);
            u64le(&mut t, entries);
            u64le(&mut t, size);
            u64le(&mut t, start);
            u32le(&mut t, LOCATOR64);
            u32le(&mut t, 0);
            u64le(&mut t, end);
            u32le(&mut t, 1);
        }
        let entries16 = u16::try_from(entries).unwrap_or(u16::MAX);
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
        let bytes = zip.finish("").unwrap().into_inner();
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
