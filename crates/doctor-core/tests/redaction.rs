//! Redaction fails closed: a corpus of planted secrets in every common form
//! (`tests/fixtures/redaction/secrets.log`, each secret carrying a `ZQnn` marker) goes
//! through a real bundle in every encoding a log comes in, and not one marker survives,
//! not at a head/tail cut, not at a window boundary of a long line; ordinary log lines
//! (`ordinary.log`) come out unchanged.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use doctor_core::bundle::manifest::{Manifest, SCHEMA};
use doctor_core::bundle::{write_bundle, BundleRequest, Limits, NoProgress, Source};
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::{diagnose_with, Catalogue, Diagnosis, Lang, Options};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> String {
    fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/redaction")
            .join(name),
    )
    .unwrap()
}

fn diagnosis() -> Diagnosis {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios/windows-64-healthy.json");
    diagnose_with(&FixtureProbe::load(&path).unwrap(), &Options::default()).unwrap()
}

/// Bundles `logs` and returns the manifest and every `logs/` entry as text (which must be
/// UTF-8).
fn bundle(logs: &Path, limits: Limits) -> (Manifest, Vec<(String, String)>) {
    let out = tempfile::tempdir().unwrap();
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let req = BundleRequest {
        diagnosis: &d,
        catalogue: &cat,
        lang: Lang::En,
        answers: Default::default(),
        sources: vec![Source {
            label: "basecamp".into(),
            path: logs.to_owned(),
        }],
        screenshots: Vec::new(),
        limits,
        identity: None,
        from_app: false,
    };
    let outcome = write_bundle(&req, out.path(), "b", &NoProgress).unwrap();
    let mut zip = zip::ZipArchive::new(fs::File::open(&outcome.path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&value), "the manifest does not validate");
    let manifest: Manifest = serde_json::from_value(value).unwrap();
    let mut entries = Vec::new();
    for f in &manifest.files {
        let mut bytes = Vec::new();
        zip.by_name(&f.entry)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        let text =
            String::from_utf8(bytes).unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", f.entry));
        entries.push((f.entry.clone(), text));
    }
    (manifest, entries)
}

fn markers(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(3))
        .filter(|&i| &b[i..i + 2] == b"ZQ" && b[i + 2].is_ascii_digit())
        .map(|i| text[i..i + 4].to_owned())
        .collect()
}

fn survivors(text: &str) -> Vec<String> {
    let mut found = markers(text);
    found.dedup();
    found
}

fn utf16(text: &str, le: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend(if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
    }
    for u in text.encode_utf16() {
        out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

fn shift_jis(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn the_corpus_holds_at_least_fifty_planted_secrets() {
    let mut all = markers(&fixture("secrets.log"));
    all.sort();
    all.dedup();
    assert!(all.len() >= 50, "only {} secrets", all.len());
    assert!(markers(&fixture("ordinary.log")).is_empty());
}

#[test]
fn no_planted_secret_survives_in_any_encoding_and_ordinary_lines_stay() {
    let secrets = fixture("secrets.log");
    let ordinary = fixture("ordinary.log");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("log");
    fs::create_dir(&logs).unwrap();
    type Encode = fn(&str) -> Vec<u8>;
    let variants: [(&str, Encode, Option<&str>); 8] = [
        ("utf8", |t| t.as_bytes().to_vec(), None),
        (
            "utf8-bom",
            |t| [b"\xEF\xBB\xBF", t.as_bytes()].concat(),
            None,
        ),
        ("utf16le-bom", |t| utf16(t, true, true), Some("UTF-16LE")),
        ("utf16le", |t| utf16(t, true, false), Some("UTF-16LE")),
        ("utf16be-bom", |t| utf16(t, false, true), Some("UTF-16BE")),
        ("sjis", shift_jis, Some("Shift_JIS")),
        ("gz", |t| gzip(t.as_bytes()), Some("gzip")),
        ("sjis-gz", |t| gzip(&shift_jis(t)), Some("gzip, Shift_JIS")),
    ];
    for (name, encode, _) in &variants {
        let ext = if name.ends_with("gz") {
            ".log.1.gz"
        } else {
            ".log"
        };
        fs::write(logs.join(format!("secrets-{name}{ext}")), encode(&secrets)).unwrap();
        fs::write(
            logs.join(format!("ordinary-{name}{ext}")),
            encode(&ordinary),
        )
        .unwrap();
    }
    let (manifest, entries) = bundle(&logs, Limits::default());
    assert_eq!(
        entries.len(),
        16,
        "every variant is shipped: {:?}",
        manifest.skipped
    );
    for (name, _, encoding) in &variants {
        for kind in ["secrets", "ordinary"] {
            let rec = manifest
                .files
                .iter()
                .find(|f| f.entry.contains(&format!("{kind}-{name}.")))
                .unwrap_or_else(|| panic!("{kind}-{name} is missing"));
            assert_eq!(rec.original_encoding.as_deref(), *encoding, "{}", rec.entry);
            let text = &entries.iter().find(|(e, _)| *e == rec.entry).unwrap().1;
            let text = text.trim_start_matches('\u{FEFF}');
            if kind == "secrets" {
                assert!(
                    survivors(text).is_empty(),
                    "{}: {:?} survived:\n{text}",
                    rec.entry,
                    survivors(text)
                );
                assert!(rec.redactions >= 50, "{}: {}", rec.entry, rec.redactions);
            } else {
                assert_eq!(
                    text, ordinary,
                    "{}: an ordinary line was changed",
                    rec.entry
                );
                assert_eq!(rec.redactions, 0);
            }
        }
    }
    let gz = manifest
        .files
        .iter()
        .find(|f| f.entry.contains("secrets-gz."))
        .unwrap();
    assert!(gz.entry.ends_with(".log.1.gz.txt"), "{}", gz.entry);
}

/// Filler lines up to `len` bytes.
fn filler(len: usize) -> String {
    let line = "2026-11-20 08:00:00 [INFO] heartbeat ok\n";
    let mut s = line.repeat(len / line.len());
    s.push_str(&"#".repeat(len - s.len()));
    s
}

#[test]
fn nothing_survives_at_the_head_and_tail_cut_of_a_large_file() {
    let limits = Limits {
        max_input: 1 << 30,
        per_file_cap: 64 * 1024,
        head_bytes: 16 * 1024,
    };
    // The head ends inside a secret's line; the tail starts inside a private-key block
    // and inside a JSON value whose key is on the line before.
    let mut text = filler(16 * 1024 - 20);
    text.push_str("\nconfig password=ZQ01 spans the head cut and more\n");
    text.push_str(&filler(200 * 1024));
    let size_after = 48 * 1024; // the tail is the last 48 KiB
    let pem = "-----BEGIN RSA PRIVATE KEY-----\n".to_owned()
        + &"ZQ02ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/\n".repeat(40)
        + "-----END RSA PRIVATE KEY-----\n";
    let json = "{\n  \"refresh_token\":\n    \"ZQ03 after the cut\"\n}\n";
    let rest = filler(size_after - pem.len() / 2 - json.len());
    text.push_str(&pem[..pem.len() / 2]);
    let tail_part = format!("{}{json}{rest}", &pem[pem.len() / 2..]);
    text.push_str(&tail_part);

    for (name, bytes) in [
        ("utf8.log", text.as_bytes().to_vec()),
        ("utf16.log", utf16(&text, true, true)),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let logs = tmp.path().join("log");
        fs::create_dir(&logs).unwrap();
        fs::write(logs.join(name), &bytes).unwrap();
        let limits = if name.starts_with("utf16") {
            Limits {
                per_file_cap: limits.per_file_cap * 2,
                head_bytes: limits.head_bytes * 2,
                ..limits
            }
        } else {
            limits
        };
        let (manifest, entries) = bundle(&logs, limits);
        let (entry, out) = &entries[0];
        assert!(manifest.files[0].cut, "{entry} was not cut");
        assert!(out.contains("left out"), "{entry}");
        assert!(
            survivors(out).is_empty(),
            "{entry}: {:?} survived",
            survivors(out)
        );
        assert!(out.contains("heartbeat ok"));
    }
}

#[test]
fn a_secret_across_the_window_boundary_of_a_huge_line_does_not_survive() {
    // Lines longer than 1 MiB are masked in overlapping windows; put secrets right at the
    // first boundaries.
    let mut line = "x".repeat((1 << 20) - 4096 - 6);
    line.push_str(" password=\"ZQ01 across the window\" ");
    line.push_str(&"y ".repeat(3000));
    line.push_str(" eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.ZQ02");
    line.push_str(&"z".repeat(1 << 20));
    line.push_str(" token=ZQ03 end\n");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("log");
    fs::create_dir(&logs).unwrap();
    fs::write(logs.join("long.log"), &line).unwrap();
    let (_, entries) = bundle(&logs, Limits::default());
    let out = &entries[0].1;
    assert!(survivors(out).is_empty(), "{:?} survived", survivors(out));
    assert!(out.ends_with(" token=***\n"));
}

#[test]
fn a_compressed_log_is_decompressed_only_up_to_the_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("log");
    fs::create_dir(&logs).unwrap();
    let mut text = "password=ZQ01\n".to_owned();
    text.push_str(&"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n".repeat(600_000)); // ~19 MB
    fs::write(logs.join("big.log.2.gz"), gzip(text.as_bytes())).unwrap();
    let limits = Limits {
        max_input: 1 << 30,
        per_file_cap: 1 << 20,
        head_bytes: 1 << 19,
    };
    let (manifest, entries) = bundle(&logs, limits);
    let rec = &manifest.files[0];
    let out = &entries[0].1;
    assert!(rec.cut);
    assert!(rec.stored_size < (1 << 20) + 4096, "{}", rec.stored_size);
    assert!(out.starts_with("password=***\n"));
    assert!(out.contains("decompresses to more than"));
}
