//! The collect file: what it holds validates against `docs/collect.schema.json`, stays
//! small, carries no proxy credentials, and many writers on one folder never leave a
//! partial or temporary file behind.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use doctor_core::collect::{self, CollectFile, SCHEMA};
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::{Catalogue, NetworkOptions};
use std::path::{Path, PathBuf};

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios")
        .join(format!("{name}.json"))
}

/// A replayed endpoint with recorded network results, addresses and a proxy whose
/// setting holds a password with `/` and `@` in it.
fn collect_of(name: &str, edit: impl Fn(&mut serde_json::Value)) -> CollectFile {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(scenario_path(name)).unwrap()).unwrap();
    edit(&mut v);
    let probe = FixtureProbe::from_json(&v.to_string(), Path::new("generated.json")).unwrap();
    let catalogue = Catalogue::embedded();
    let options = doctor_core::Options {
        catalogue: Some(catalogue.clone()),
        network: Some(NetworkOptions {
            region: Some("jp".into()),
            ..NetworkOptions::default()
        }),
        ..doctor_core::Options::default()
    };
    let diagnosis = doctor_core::diagnose_with(&probe, &options).unwrap();
    collect::build(&diagnosis, Some("Osaka\u{1b}[2J".into()))
}

fn validate(value: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "collect file does not validate: {errors:#?}"
    );
}

#[test]
fn a_collect_file_validates_stays_small_and_carries_no_proxy_password() {
    let file = collect_of("windows-tls-inspection", |v| {
        v["addresses"] = serde_json::json!(["10.2.30.15", "127.0.0.1", "fe80::1", "2001:db8::5"]);
        v["proxy"] = serde_json::json!({
            "environment": [["HTTPS_PROXY", "http://svc:Pa/ss@w0rd@proxy.corp.example.co.jp:8080"]],
            "wininet": {"enabled": true, "server": "proxy.corp.example.co.jp:8080", "autoconfig_url": "http://u:Pac5ecret@pac.corp/p.pac?key=Pac5ecret"}
        });
    });
    let text = serde_json::to_string_pretty(&file).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    validate(&value);
    assert!(text.len() <= 50 * 1024, "{} bytes", text.len());
    for secret in ["Pa/ss", "w0rd", "Pac5ecret", "svc:"] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    assert_eq!(
        value["addresses"],
        serde_json::json!(["10.2.30.15", "2001:db8::5"])
    );
    assert_eq!(
        value["site_hint"], "Osaka[2J",
        "control characters are dropped"
    );
    let net = &value["network"];
    assert_eq!(net["region"], "jp");
    assert_eq!(net["pac"], "http://pac.corp/p.pac");
    let hosts = net["hosts"].as_array().unwrap();
    assert!(!hosts.is_empty());
    let api = hosts.iter().find(|h| h["purpose"] == "xbc_api").unwrap();
    assert_eq!(
        (api["stage"].as_str(), api["error"].as_str()),
        (Some("tls"), Some("tls_untrusted"))
    );
    assert_eq!(value["verdict"], "fail");
    assert_eq!(value["exit_code"], 2);
    assert!(value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f.get("evidence").is_none()));
}

#[test]
fn every_scenario_gives_a_valid_collect_file() {
    for entry in std::fs::read_dir(scenario_path("x").parent().unwrap()).unwrap() {
        let name = entry
            .unwrap()
            .path()
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let file = collect_of(&name, |_| {});
        validate(&serde_json::to_value(&file).unwrap());
        assert!(
            file.addresses.is_empty(),
            "{name}: a replay has no addresses of its own"
        );
    }
}

#[test]
fn many_writers_on_one_folder_leave_one_whole_file_each() {
    let dir = tempfile::tempdir().unwrap();
    let base = collect_of("windows-64-healthy", |_| {});
    let stop = std::sync::atomic::AtomicBool::new(false);
    let folder = dir.path();
    std::thread::scope(|s| {
        // A reader that keeps opening the shared name must always see a whole file.
        let reader = s.spawn(|| {
            let mut seen = 0;
            let target = folder.join(collect::file_name("PC-SHARED"));
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(bytes) = std::fs::read(&target) {
                    let parsed: Result<CollectFile, _> = serde_json::from_slice(&bytes);
                    assert!(parsed.is_ok(), "a partial file was visible");
                    seen += 1;
                }
            }
            seen
        });
        let writers: Vec<_> = (0..16)
            .map(|w| {
                let mut f = base.clone();
                s.spawn(move || {
                    for i in 0..25 {
                        // Endpoints with their own names, and one name all of them share.
                        f.hostname = format!("PC-{w:02}");
                        collect::write(folder, &f).unwrap();
                        f.hostname = "PC-SHARED".into();
                        f.created_at_utc = format!("writer {w} round {i}");
                        collect::write(folder, &f).unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    });
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 17, "{names:?}");
    assert!(names
        .iter()
        .all(|n| n.ends_with(".collect.json") && !n.starts_with('.')));
}

#[test]
fn a_host_the_test_was_stopped_before_is_left_out_never_counted_as_reached() {
    let all = collect_of("windows-tls-inspection", |_| {});
    let stopped = collect_of("windows-tls-inspection", |v| {
        v["network"][0]["stopped"] = serde_json::Value::Bool(true);
    });
    let hosts = |c: &CollectFile| c.network.as_ref().map_or(0, |n| n.hosts.len());
    assert!(hosts(&all) > 1, "the scenario has recorded hosts");
    assert_eq!(hosts(&stopped), hosts(&all) - 1);
}
