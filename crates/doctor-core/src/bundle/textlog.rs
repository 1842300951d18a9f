//! One collected log on its way into the bundle: recognised (UTF-8, UTF-16 with or
//! without BOM, Shift-JIS, gzip, binary), decoded to UTF-8, masked line by line with one
//! [`Redactor`] per file, and, when larger than the per-file cap, cut to head and tail at
//! line boundaries with the tail's state primed from the lines before it, so no secret
//! survives at a cut or at a window boundary. gzip is decompressed only up to the cap.
//! It does not decide which files go in (`collect`) or how the zip is written (`mod`).

use super::redact::Redactor;
use super::Limits;
use encoding_rs::{Encoding, SHIFT_JIS, UTF_16BE, UTF_16LE};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};

/// How much of the start of a file decides what it is.
const SNIFF: usize = 8192;
/// A line is masked in windows of this size when it is longer...
const WINDOW: usize = 1 << 20;
/// ...each looking this far into the next one.
const OVERLAP: usize = 4096;
/// How far back from the tail's start the redactor reads to learn the state there
/// (an open private-key block, an XML element): longer than any such block.
const PRIME: u64 = 64 * 1024;
/// How far past the head's end the head goes on to reach the end of its line.
const HEAD_EXTRA: u64 = 64 * 1024;

/// The text encodings a log may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Text {
    /// UTF-8 (with or without BOM), ASCII, or bytes in an unknown encoding: shipped as is.
    AsIs,
    Utf16Le {
        bom: bool,
    },
    Utf16Be {
        bom: bool,
    },
    ShiftJis,
}

impl Text {
    fn encoding(self) -> Option<&'static Encoding> {
        match self {
            Text::AsIs => None,
            Text::Utf16Le { .. } => Some(UTF_16LE),
            Text::Utf16Be { .. } => Some(UTF_16BE),
            Text::ShiftJis => Some(SHIFT_JIS),
        }
    }

    /// The label for the manifest (`None`: shipped as the file's own bytes).
    fn label(self) -> Option<&'static str> {
        self.encoding().map(|e| e.name())
    }

    /// Bytes of a newline in this encoding, and the code-unit alignment.
    fn newline(self) -> (&'static [u8], u64) {
        match self {
            Text::Utf16Le { .. } => (b"\n\0", 2),
            Text::Utf16Be { .. } => (b"\0\n", 2),
            _ => (b"\n", 1),
        }
    }
}

/// What a collected file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text(Text),
    /// gzip holding text in this encoding.
    Gzip(Text),
    /// Cannot be scanned for secrets, so it is not shipped.
    Binary,
}

impl Kind {
    /// The entry name's last component: a decompressed `x.log.1.gz` ships as
    /// `x.log.1.gz.txt`, so it cannot collide with a plain `x.log.1`.
    pub(crate) fn shipped_name(self, relative: &std::path::Path) -> std::path::PathBuf {
        match self {
            Kind::Gzip(_) => {
                let mut name = relative.as_os_str().to_owned();
                name.push(".txt");
                name.into()
            }
            _ => relative.to_owned(),
        }
    }

    /// What the stored text was converted from, for the manifest.
    pub(crate) fn converted_from(self) -> Option<String> {
        match self {
            Kind::Text(t) => t.label().map(String::from),
            Kind::Gzip(t) => Some(match t.label() {
                Some(l) => format!("gzip, {l}"),
                None => "gzip".into(),
            }),
            Kind::Binary => None,
        }
    }
}

/// Recognises text from the first bytes of a file (or of its decompressed content).
pub(crate) fn sniff_text(head: &[u8]) -> Option<Text> {
    if head.starts_with(&[0xFF, 0xFE]) && !head.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return utf16_is_text(head, UTF_16LE).then_some(Text::Utf16Le { bom: true });
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return utf16_is_text(head, UTF_16BE).then_some(Text::Utf16Be { bom: true });
    }
    if head.contains(&0) {
        // UTF-16 without BOM: ASCII-range text puts NULs in every other byte.
        let pairs = head.len() / 2;
        if pairs < 2 {
            return None;
        }
        let even = head
            .iter()
            .step_by(2)
            .take(pairs)
            .filter(|&&b| b == 0)
            .count();
        let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        if odd * 10 >= pairs * 3 && even * 20 <= pairs && utf16_is_text(head, UTF_16LE) {
            return Some(Text::Utf16Le { bom: false });
        }
        if even * 10 >= pairs * 3 && odd * 20 <= pairs && utf16_is_text(head, UTF_16BE) {
            return Some(Text::Utf16Be { bom: false });
        }
        return None;
    }
    match std::str::from_utf8(head) {
        Ok(_) => return Some(Text::AsIs),
        // Cut inside the last character by the sniff window: still UTF-8.
        Err(e) if e.error_len().is_none() => return Some(Text::AsIs),
        Err(_) => {}
    }
    // Up to the last newline, so a character cut by the window does not count against it.
    let whole = head
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(head, |p| &head[..=p]);
    if SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(whole)
        .is_some()
    {
        return Some(Text::ShiftJis);
    }
    // Some other legacy encoding: the masking works on its ASCII bytes as they are.
    Some(Text::AsIs)
}

fn utf16_is_text(head: &[u8], enc: &'static Encoding) -> bool {
    let (text, _) = enc.decode_without_bom_handling(head);
    !text.contains('\0')
}

/// Reads the start of `file` and tells what it is; leaves the position unspecified.
pub(crate) fn sniff_file<F: Read + Seek>(file: &mut F) -> io::Result<Kind> {
    file.seek(SeekFrom::Start(0))?;
    let head = read_up_to(file, SNIFF)?;
    if head.starts_with(&[0x1F, 0x8B]) {
        file.seek(SeekFrom::Start(0))?;
        let inner = read_up_to(&mut flate2::read::MultiGzDecoder::new(&mut *file), SNIFF)
            .unwrap_or_default();
        if inner.is_empty() || inner.starts_with(&[0x1F, 0x8B]) {
            return Ok(Kind::Binary);
        }
        return Ok(sniff_text(&inner).map_or(Kind::Binary, Kind::Gzip));
    }
    Ok(sniff_text(&head).map_or(Kind::Binary, Kind::Text))
}

fn read_up_to(r: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(n);
    r.take(n as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Decodes a byte stream to UTF-8 as it is read.
struct Decode<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<R: Read> Read for Decode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.out.len() {
            if self.done {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.raw)?;
            let last = n == 0;
            let cap = self.decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16);
            self.out.resize(cap, 0);
            let (_, read, written, _) =
                self.decoder
                    .decode_to_utf8(&self.raw[..n], &mut self.out, last);
            debug_assert_eq!(read, n);
            self.out.truncate(written);
            self.pos = 0;
            self.done = last;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// `reader` as UTF-8: decoded when `text` needs it. `from_start`: a BOM there is removed.
fn decoded<'r>(reader: impl Read + 'r, text: Text, from_start: bool) -> Box<dyn Read + 'r> {
    match text.encoding() {
        None => Box::new(reader),
        Some(enc) => Box::new(Decode {
            inner: reader,
            decoder: if from_start {
                enc.new_decoder_with_bom_removal()
            } else {
                enc.new_decoder_without_bom_handling()
            },
            raw: vec![0; 64 * 1024],
            out: Vec::new(),
            pos: 0,
            done: false,
        }),
    }
}

/// Why a copy stopped.
#[derive(Debug)]
pub(crate) enum CopyError {
    /// Reading the file failed.
    Read(io::Error),
    /// Writing into the bundle failed.
    Write(io::Error),
    Cancelled,
}

/// What went into the bundle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Copied {
    /// Bytes written.
    pub stored: u64,
    pub redactions: usize,
    /// Only part of the file was kept.
    pub cut: bool,
}

/// How long lines are split; tests make the windows small.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Windows {
    pub size: usize,
    pub overlap: usize,
}

impl Default for Windows {
    fn default() -> Self {
        Windows {
            size: WINDOW,
            overlap: OVERLAP,
        }
    }
}

struct Sink<'o> {
    out: Option<&'o mut dyn Write>,
    written: u64,
}

impl Sink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), CopyError> {
        if let Some(out) = self.out.as_mut() {
            out.write_all(bytes).map_err(CopyError::Write)?;
            self.written += bytes.len() as u64;
        }
        Ok(())
    }
}

/// Masks every line of `reader` into `sink`. `ends_line`: the stream's last bytes end a
/// line (false when it was cut inside one: a value touching the cut is masked to it).
fn pump(
    reader: impl Read,
    red: &mut Redactor,
    sink: &mut Sink<'_>,
    cancelled: &dyn Fn() -> bool,
    ends_line: bool,
    windows: Windows,
) -> Result<(), CopyError> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut buf: Vec<u8> = Vec::with_capacity(256);
    loop {
        if cancelled() {
            return Err(CopyError::Cancelled);
        }
        let room = windows.size.saturating_sub(buf.len()).max(1) as u64;
        let n = (&mut reader)
            .take(room)
            .read_until(b'\n', &mut buf)
            .map_err(CopyError::Read)?;
        if buf.ends_with(b"\n") || (n == 0 && ends_line && !buf.is_empty()) {
            let (clean, _) = red.window(&buf, buf.len(), true);
            sink.put(&clean)?;
            buf.clear();
        } else if n == 0 {
            if !buf.is_empty() {
                let (clean, _) = red.window(&buf, buf.len(), false);
                sink.put(&clean)?;
            }
            return Ok(());
        } else if buf.len() >= windows.size {
            let emit = buf.len().saturating_sub(windows.overlap).max(1);
            let (clean, _) = red.window(&buf, emit, false);
            sink.put(&clean)?;
            buf.drain(..emit);
        }
        if n == 0 {
            return Ok(());
        }
    }
}

/// The first newline at or after `from` (aligned), searching at most `limit` bytes;
/// returns the offset just past it.
fn next_line_start<F: Read + Seek>(
    file: &mut F,
    from: u64,
    limit: u64,
    text: Text,
) -> io::Result<Option<u64>> {
    let (nl, align) = text.newline();
    let from = from.next_multiple_of(align);
    file.seek(SeekFrom::Start(from))?;
    let bytes = read_up_to(file, usize::try_from(limit).unwrap_or(usize::MAX))?;
    let step = usize::try_from(align).unwrap_or(1);
    Ok((0..bytes.len())
        .step_by(step)
        .find(|&i| bytes[i..].starts_with(nl))
        .map(|i| from + (i + nl.len()) as u64))
}

/// The start of the line holding `at` (aligned), looking back at most `limit` bytes.
fn line_start_before<F: Read + Seek>(
    file: &mut F,
    at: u64,
    limit: u64,
    text: Text,
) -> io::Result<Option<u64>> {
    let (nl, align) = text.newline();
    let at = at - at % align;
    let from = at.saturating_sub(limit);
    let from = from - from % align;
    if from == 0 && at <= limit {
        // The window reaches the file's start, itself a line start.
        file.seek(SeekFrom::Start(0))?;
        let bytes = read_up_to(file, usize::try_from(at).unwrap_or(usize::MAX))?;
        return Ok(Some(last_newline_end(&bytes, nl, align).unwrap_or(0)));
    }
    file.seek(SeekFrom::Start(from))?;
    let bytes = read_up_to(file, usize::try_from(at - from).unwrap_or(usize::MAX))?;
    Ok(last_newline_end(&bytes, nl, align).map(|e| from + e))
}

fn last_newline_end(bytes: &[u8], nl: &[u8], align: u64) -> Option<u64> {
    let step = usize::try_from(align).unwrap_or(1);
    (0..bytes.len())
        .step_by(step)
        .rev()
        .find(|&i| bytes[i..].starts_with(nl))
        .map(|i| (i + nl.len()) as u64)
}

/// Copies `file` (of `size` bytes when listed, recognised as `kind`) into `out` as masked
/// UTF-8 text within `limits`.
pub(crate) fn copy_log<F: Read + Seek>(
    file: &mut F,
    kind: Kind,
    size: u64,
    limits: &Limits,
    out: &mut dyn Write,
    cancelled: &dyn Fn() -> bool,
) -> Result<Copied, CopyError> {
    copy_log_with(file, kind, size, limits, out, cancelled, Windows::default())
}

pub(crate) fn copy_log_with<F: Read + Seek>(
    file: &mut F,
    kind: Kind,
    size: u64,
    limits: &Limits,
    out: &mut dyn Write,
    cancelled: &dyn Fn() -> bool,
    windows: Windows,
) -> Result<Copied, CopyError> {
    let mut sink = Sink {
        out: Some(out),
        written: 0,
    };
    let mut red = Redactor::new();
    let seek = |file: &mut F, at: u64| file.seek(SeekFrom::Start(at)).map_err(CopyError::Read);
    let cap = limits.per_file_cap;
    let cut = match kind {
        Kind::Binary => return Ok(Copied::default()),
        Kind::Gzip(text) => {
            seek(file, 0)?;
            // Decompressed only up to the cap, whatever the file claims: a bomb stops there.
            let mut gz = flate2::read::MultiGzDecoder::new(&mut *file);
            pump(
                decoded((&mut gz).take(cap), text, true),
                &mut red,
                &mut sink,
                cancelled,
                true,
                windows,
            )?;
            let more = gz.read(&mut [0u8; 1]).map_err(CopyError::Read)? > 0;
            if more {
                let marker = format!(
                    "\n[... Basecamp Doctor left out the rest: the file decompresses to more than {cap} bytes ...]\n"
                );
                sink.put(marker.as_bytes())?;
            }
            more
        }
        Kind::Text(text) if size <= cap => {
            seek(file, 0)?;
            pump(
                decoded((&mut *file).take(size), text, true),
                &mut red,
                &mut sink,
                cancelled,
                true,
                windows,
            )?;
            false
        }
        Kind::Text(text) => {
            let (_, align) = text.newline();
            let head_len = limits.head_bytes.min(cap);
            let tail_len = cap - head_len;
            // The head ends at the end of its last line (if that comes soon).
            let head_end = next_line_start(file, head_len, HEAD_EXTRA, text)
                .map_err(CopyError::Read)?
                .filter(|&e| e <= size);
            let (head_end, head_ends_line) = match head_end {
                Some(e) => (e, true),
                None => (head_len - head_len % align, false),
            };
            // The tail starts at the start of the line holding its first byte.
            let tail_cut = size - tail_len;
            let tail_start = match line_start_before(file, tail_cut, PRIME, text)
                .map_err(CopyError::Read)?
            {
                Some(s) => Some(s),
                // A line longer than the look-back: start at the next line instead.
                None => next_line_start(file, tail_cut, tail_len, text).map_err(CopyError::Read)?,
            };
            let tail_start = tail_start.map_or(size, |s| s.max(head_end));
            seek(file, 0)?;
            pump(
                decoded((&mut *file).take(head_end), text, true),
                &mut red,
                &mut sink,
                cancelled,
                head_ends_line,
                windows,
            )?;
            let marker = format!(
                "\n[... Basecamp Doctor left out {} bytes here; the file has {size} bytes ...]\n",
                tail_start - head_end
            );
            sink.put(marker.as_bytes())?;
            // Read the lines before the tail (not shipped) so the tail starts knowing
            // whether it is inside a private-key block or an XML element.
            let mut red_tail = Redactor::new();
            let prime_from = tail_start.saturating_sub(PRIME).max(head_end);
            if prime_from < tail_start {
                let prime_start = if prime_from == head_end {
                    Some(head_end)
                } else {
                    next_line_start(file, prime_from, tail_start - prime_from, text)
                        .map_err(CopyError::Read)?
                };
                if let Some(p) = prime_start.filter(|&p| p < tail_start) {
                    seek(file, p)?;
                    let mut discard = Sink {
                        out: None,
                        written: 0,
                    };
                    pump(
                        decoded((&mut *file).take(tail_start - p), text, p == 0),
                        &mut red_tail,
                        &mut discard,
                        cancelled,
                        true,
                        windows,
                    )?;
                }
            }
            let primed = red_tail.masked();
            seek(file, tail_start)?;
            pump(
                decoded((&mut *file).take(size - tail_start), text, false),
                &mut red_tail,
                &mut sink,
                cancelled,
                true,
                windows,
            )?;
            return Ok(Copied {
                stored: sink.written,
                redactions: red.masked() + (red_tail.masked() - primed),
                cut: true,
            });
        }
    };
    Ok(Copied {
        stored: sink.written,
        redactions: red.masked(),
        cut,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Cursor;

    fn copy(bytes: &[u8], kind: Kind, limits: Limits, windows: Windows) -> (String, Copied) {
        let mut out = Vec::new();
        let copied = copy_log_with(
            &mut Cursor::new(bytes.to_vec()),
            kind,
            bytes.len() as u64,
            &limits,
            &mut out,
            &|| false,
            windows,
        )
        .unwrap();
        (String::from_utf8(out).unwrap(), copied)
    }

    #[test]
    fn no_secret_survives_at_any_window_boundary() {
        let secrets = " password=\"ZQ1 a b\" Authorization: Bearer ZQ2abcdefgh eyJhbGciOiJ9.eyJzdWIiOiJ4In0.ZQ3sig https://u:ZQ4@h/ token=ZQ5";
        let windows = Windows {
            size: 64,
            overlap: 48,
        };
        for pad in 0..160 {
            let line = format!("{}{secrets} end\n", "x".repeat(pad));
            let (out, _) = copy(
                line.as_bytes(),
                Kind::Text(Text::AsIs),
                Limits::default(),
                windows,
            );
            assert!(!out.contains("ZQ"), "pad {pad}: {out}");
        }
    }

    #[test]
    fn no_secret_survives_at_any_head_or_tail_cut() {
        let block = "a\n-----BEGIN PRIVATE KEY-----\nZQ1aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nZQ2bbbbbbbbbbbbbbbbbbbbbbb\n-----END PRIVATE KEY-----\npassword=ZQ3 x y\n{\"token\":\n \"ZQ4\"}\n";
        for k in 0..block.len() + 8 {
            // The head's end sweeps through the block...
            let text = format!("{}{block}{}", "h\n".repeat(10), "t\n".repeat(600));
            let limits = Limits {
                max_input: 1 << 30,
                per_file_cap: 600,
                head_bytes: 20 + k as u64,
            };
            let (out, copied) = copy(
                text.as_bytes(),
                Kind::Text(Text::AsIs),
                limits,
                Windows::default(),
            );
            assert!(copied.cut);
            assert!(
                !out.contains("ZQ"),
                "head cut {k} bytes into the block: {out}"
            );
            // ...and so does the tail's start.
            let text = format!("{}{block}{}", "h\n".repeat(2000), "t\n".repeat(50));
            let limits = Limits {
                max_input: 1 << 30,
                per_file_cap: 100 + 100 + k as u64,
                head_bytes: 100,
            };
            let (out, copied) = copy(
                text.as_bytes(),
                Kind::Text(Text::AsIs),
                limits,
                Windows::default(),
            );
            assert!(copied.cut);
            assert!(
                !out.contains("ZQ"),
                "tail starting {k} bytes before the block's end: {out}"
            );
        }
    }

    #[test]
    fn encodings_are_recognised() {
        assert_eq!(sniff_text(b"plain ascii\n"), Some(Text::AsIs));
        assert_eq!(sniff_text("日本語\n".as_bytes()), Some(Text::AsIs));
        let (sjis, _, _) = SHIFT_JIS.encode("パスワード=x\n");
        assert_eq!(sniff_text(&sjis), Some(Text::ShiftJis));
        assert_eq!(
            sniff_text(b"\xFF\xFEa\0b\0\n\0"),
            Some(Text::Utf16Le { bom: true })
        );
        assert_eq!(
            sniff_text(b"a\0b\0c\0\n\0"),
            Some(Text::Utf16Le { bom: false })
        );
        assert_eq!(
            sniff_text(b"\0a\0b\0c\0\n"),
            Some(Text::Utf16Be { bom: false })
        );
        assert_eq!(
            sniff_text(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0"),
            None
        );
    }
}
