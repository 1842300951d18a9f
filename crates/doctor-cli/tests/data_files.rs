//! Scenario and catalogue files the CLI is handed that are not what they should be: UTF-16
//! (exit 65, told in the user's language to save as UTF-8), a FIFO (refused at once, 66),
//! a file beyond the size bound (refused before reading, 66).
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn scenario_text() -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/scenarios/linux-healthy.json"),
    )
    .unwrap()
}

/// Runs the CLI; a run still going after a minute is stopped and reported as hung (a
/// FIFO opened for reading waits for a writer forever).
fn run(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_basecamp-doctor"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("basecamp-doctor {args:?} hung");
}

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    for u in text.encode_utf16() {
        out.extend(u.to_le_bytes());
    }
    out
}

#[test]
fn a_utf16_scenario_or_catalogue_exits_65_asking_for_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("utf16.json");
    for bom in [true, false] {
        std::fs::write(&scenario, utf16le(&scenario_text(), bom)).unwrap();
        let out = run(&[
            "check",
            "--lang",
            "ja",
            "--scenario",
            scenario.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(65), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("UTF-8 で保存し直して"), "{err}");
    }
    let catalogue = dir.path().join("catalog.json");
    let cat = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../doctor-core/catalogue/default.json"),
    )
    .unwrap();
    std::fs::write(&catalogue, utf16le(&cat, true)).unwrap();
    std::fs::write(&scenario, scenario_text()).unwrap();
    let out = run(&[
        "check",
        "--lang",
        "en",
        "--catalog",
        catalogue.to_str().unwrap(),
        "--scenario",
        scenario.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(65), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Save it as UTF-8"));
}

#[test]
fn a_utf8_bom_scenario_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("bom.json");
    std::fs::write(&scenario, format!("\u{FEFF}{}", scenario_text())).unwrap();
    let out = run(&[
        "check",
        "--no-network",
        "--scenario",
        scenario.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[cfg(unix)]
#[test]
fn a_fifo_scenario_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("scenario.json");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let out = run(&[
        "check",
        "--lang",
        "en",
        "--scenario",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(66), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
}

#[test]
fn a_scenario_beyond_the_size_bound_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(doctor_core::datafile::MAX_BYTES + 1).unwrap();
    let out = run(&["check", "--lang", "en", "--scenario", big.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(66), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than"));
}
