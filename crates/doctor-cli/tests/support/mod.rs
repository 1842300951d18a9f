//! What the CLI's test files share: a scenario's path and the binary run as a user runs it.
#![allow(dead_code)] // each test file uses part of it

use std::path::PathBuf;
use std::process::{Command, Output};

/// The path of `tests/fixtures/scenarios/<name>.json`.
pub fn scenario(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios")
        .join(format!("{name}.json"))
        .display()
        .to_string()
}

/// `basecamp-doctor args…` without colour, in the C locale.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_basecamp-doctor"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .output()
        .expect("the binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
