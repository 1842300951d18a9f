//! Scenario and catalogue files as an attacker or an unlucky user writes them: a Japanese
//! user folder, recorded values at the ends of their range, a UTF-8 BOM. None may panic
//! or wrap; each gives a result or a clear error.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use doctor_core::finding::Status;
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::probe::{PathKind, Probe};
use doctor_core::{diagnose_with, Catalogue, NetworkOptions, Options};
use std::path::{Path, PathBuf};

fn scenario_json(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn probe_of(v: &serde_json::Value) -> FixtureProbe {
    FixtureProbe::from_json(&v.to_string(), Path::new("test.json")).unwrap()
}

#[test]
fn a_japanese_user_folder_in_a_scenario_does_not_panic() {
    let mut v = scenario_json("windows-64-healthy");
    v["paths"]["C:\\Users\\山田太郎\\AppData\\Local\\ログ\\agent.log"] = 120.into();
    v["paths"]["C:\\Users\\a\\x.log"] = 1.into();
    let p = probe_of(&v);
    // Prefixes whose length ends inside 山 or ロ.
    for dir in [
        "C:\\Users\\a",
        "C:\\Users\\ab",
        "C:\\Users\\山田太郎\\AppData\\Local\\ロ",
        "C:\\Users\\山田太郎\\AppData\\Local\\x",
    ] {
        let _ = p.path_kind(dir).unwrap();
        let _ = p.list_dir(dir);
    }
    assert_eq!(
        p.path_kind("C:\\Users\\山田太郎\\AppData\\Local\\ログ")
            .unwrap(),
        PathKind::Dir
    );
    let listed = p
        .list_dir("C:\\Users\\山田太郎\\AppData\\Local\\ログ")
        .unwrap();
    assert_eq!(listed[0].name, "agent.log");
    assert_eq!(listed[0].size, 120);
    // And the whole run over it.
    diagnose_with(&p, &Options::default()).unwrap();
}

#[test]
fn a_clock_skew_of_plus_or_minus_two_to_the_63_neither_panics_nor_wraps() {
    for skew in [i64::MIN, i64::MAX, i64::MIN + 1] {
        let mut v = scenario_json("windows-tls-inspection");
        for r in v["network"].as_array_mut().unwrap() {
            r["http"] = serde_json::json!({
                "outcome": "ok", "ms": 1,
                "value": {"status": 200, "date": null, "skew_secs": skew}
            });
        }
        let p = probe_of(&v);
        let with_network = Options {
            network: Some(NetworkOptions::default()),
            ..Options::default()
        };
        let d = diagnose_with(&p, &with_network).unwrap();
        let clock = d.findings.iter().find(|f| f.id == "network.clock").unwrap();
        assert_eq!(clock.status, Status::Fail, "skew {skew}");
    }
}

#[test]
fn a_utf8_bom_is_accepted_in_scenarios_and_catalogues() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.json");
    let text = scenario_json("linux-healthy").to_string();
    std::fs::write(&path, format!("\u{FEFF}{text}")).unwrap();
    FixtureProbe::load(&path).unwrap();
    let cat = serde_json::to_string(&Catalogue::embedded()).unwrap();
    Catalogue::from_json(&format!("\u{FEFF}{cat}")).unwrap();
}
