//! `basecamp-doctor` and the truth of what it says: step 3's answers given on the command line
//! reach the bundle (unanswered ones as "not entered"), contradicting or future answers are
//! refused with exit 64 before anything is written, and a check with something not checked
//! says "incomplete" (what and how to check it) while keeping exit code 0.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::io::Read;
use std::path::PathBuf;

mod support;
use support::{run, scenario, text};

fn locale(lang: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../locales/{lang}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn step3_answers_from_the_command_line_reach_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "bundle",
        "--json",
        "--lang",
        "en",
        "--no-network",
        "--scenario",
        &scenario("windows-apexone-onprem-migrated"),
        "--out",
        dir.path().to_str().unwrap(),
        "--apex-one-on-premises",
        "yes",
        "--switched",
        "yes",
        "--switched-on",
        "2026-10-01",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = std::fs::File::open(v["path"].as_str().unwrap()).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let manifest: serde_json::Value = serde_json::from_str(&read("manifest.json")).unwrap();
    let a = &manifest["answers"];
    assert_eq!(a["managed_by_on_premises"], true);
    assert!(a["blue_bar_shown"].is_null(), "not asked, not answered");
    assert_eq!(a["switch_done"], true);
    assert_eq!(a["switch_date"], "2026-10-01");
    let inquiry = read("inquiry.txt");
    let en = locale("en");
    let line = |key: &str, value: &str| format!("■ {}: {value}", en[key].as_str().unwrap());
    for want in [
        line(
            "bundle.inquiry.step3_managed",
            en["bundle.inquiry.yes"].as_str().unwrap(),
        ),
        line(
            "bundle.inquiry.step3_blue_bar",
            en["bundle.inquiry.not_given"].as_str().unwrap(),
        ),
        line("bundle.inquiry.step3_switch_date", "2026-10-01"),
    ] {
        assert!(inquiry.contains(&want), "{want}\n{inquiry}");
    }
}

#[test]
fn contradicting_or_future_step3_answers_exit_64_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let ja = locale("ja");
    for (args, key) in [
        (
            vec!["--apex-one-on-premises", "no", "--switched", "yes"],
            "error.step3_inconsistent",
        ),
        (
            vec!["--switched", "no", "--switched-on", "2026-01-01"],
            "error.step3_inconsistent",
        ),
        (
            vec!["--switched", "yes", "--switched-on", "2999-01-01"],
            "error.switch_date",
        ),
        (
            vec!["--switched", "yes", "--switched-on", "1/10/2026"],
            "error.switch_date",
        ),
    ] {
        let mut all = vec![
            "bundle",
            "--lang",
            "ja",
            "--no-network",
            "--out",
            d,
            "--scenario",
        ];
        let s = scenario("windows-apexone-onprem-migrated");
        all.push(&s);
        all.extend(args.iter().copied());
        let out = run(&all);
        assert_eq!(out.status.code(), Some(64), "{args:?}");
        let message = ja[key].as_str().unwrap();
        assert!(
            text(&out.stderr).contains(message),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_check_with_step_2_not_run_is_incomplete_says_how_and_still_exits_0() {
    let out = run(&[
        "check",
        "--lang",
        "en",
        "--no-network",
        "--scenario",
        &scenario("windows-64-healthy"),
    ]);
    assert_eq!(out.status.code(), Some(0), "exit codes unchanged");
    let stdout = text(&out.stdout);
    let en = locale("en");
    for key in [
        "verdict.incomplete",
        "unchecked.network.not_run",
        "unchecked.network.how",
    ] {
        assert!(
            stdout.contains(en[key].as_str().unwrap()),
            "{key}\n{stdout}"
        );
    }
    assert!(!stdout.contains(en["verdict.pass"].as_str().unwrap()));
    let out = run(&[
        "check",
        "--json",
        "--no-network",
        "--scenario",
        &scenario("windows-64-healthy"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "incomplete");
    assert_eq!(v["summary"]["verdict"], "incomplete");
    assert_eq!(v["unchecked"][0]["id"], "network");
    assert_eq!(v["exit_code"], 0);
}
