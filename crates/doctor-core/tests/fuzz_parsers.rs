//! Fuzzing, bounded so it runs in every `cargo test` (CI included) in seconds: the
//! parsers of scenario, catalogue, identity and manifest files, and the maskers that see
//! untrusted text (log redaction, proxy addresses), get arbitrary bytes and structured
//! mutations of the real fixtures (a string or number replaced by a hostile one, a key
//! dropped, the text cut or a byte inserted). A parse may fail; nothing may panic, hang
//! or allocate without bound, and what parses must survive a whole run of the checks.
//!
//! proptest rather than cargo-fuzz: cargo-fuzz needs a nightly toolchain, which CI here
//! does not have. More cases: `PROPTEST_CASES=5000 cargo test -p doctor-core --test
//! fuzz_parsers`.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use doctor_core::bundle::manifest::Manifest;
use doctor_core::bundle::redact::Redactor;
use doctor_core::identity::Identity;
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::probe::{mask_credentials, Probe};
use doctor_core::{diagnose_with, Catalogue, NetworkOptions, Options};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

fn config(default_cases: u32) -> ProptestConfig {
    ProptestConfig {
        // PROPTEST_CASES in the environment wins (proptest reads it for the default).
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(default_cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scenarios")
}

fn scenarios() -> &'static [String] {
    static ALL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut files: Vec<PathBuf> = std::fs::read_dir(scenario_dir())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    })
}

fn catalogue_text() -> String {
    serde_json::to_string_pretty(&Catalogue::embedded()).unwrap()
}

fn identity_text() -> String {
    serde_json::json!({
        "schema_version": 1,
        "tool_version": "0.1.0",
        "created_at_utc": "2026-11-26T00:00:00Z",
        "hostname": "PC-TOKYO-017",
        "domain": "corp.example.co.jp",
        "platform": "windows",
        "xdr_device_id": "3f6b2a9e-1c4d-4e8f-9a70-000000000001",
        "apex_one_guid": "a0b1c2d3-e4f5-4607-8899-000000000001",
        "machine_guid": "c8d9e0f1-2345-4678-9abc-000000000001",
        "os_install_date": "2026-01-15T09:00:00+00:00",
        "basecamp_installed_at": null,
        "clone_signs": ["sysprep_generalized"]
    })
    .to_string()
}

/// Hostile replacements for a leaf of a JSON document.
fn hostile_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(Value::from),
        "[\\PC]{0,3}(\\\\|/)[\\PC]{0,6}".prop_map(Value::from),
        Just(Value::from("C:\\Users\\山田太郎\\AppData\\ログ")),
        Just(Value::from("\u{FEFF}")),
        Just(Value::from("")),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        Just(Value::from(i64::MIN)),
        Just(Value::from(u64::MAX)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
    ]
}

/// Pointers to every value in `v`.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(x, p, out);
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Index, Value),
    Remove(Index),
    AddPath(String, Value),
    Truncate(Index),
    InsertByte(Index, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), hostile_leaf()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        1 => any::<Index>().prop_map(Mutation::Remove),
        2 => ("[\\PC]{0,12}", hostile_leaf()).prop_map(|(k, v)| Mutation::AddPath(k, v)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::InsertByte(i, b)),
    ]
}

/// Applies the mutations; the result may no longer be JSON (that is the point).
fn mutate(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut value: Value = serde_json::from_str(text).unwrap();
    let mut raw: Option<Vec<u8>> = None;
    for m in mutations {
        let mut ptrs = Vec::new();
        pointers(&value, String::new(), &mut ptrs);
        match m {
            Mutation::Replace(i, v) if !ptrs.is_empty() => {
                if let Some(slot) = value.pointer_mut(&ptrs[i.index(ptrs.len())]) {
                    *slot = v.clone();
                }
            }
            Mutation::Remove(i) if !ptrs.is_empty() => {
                let p = &ptrs[i.index(ptrs.len())];
                let (parent, key) = p.rsplit_once('/').unwrap();
                match value.pointer_mut(parent) {
                    Some(Value::Object(o)) => {
                        o.remove(&key.replace("~1", "/").replace("~0", "~"));
                    }
                    Some(Value::Array(a)) => {
                        if let Ok(n) = key.parse::<usize>() {
                            if n < a.len() {
                                a.remove(n);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Mutation::AddPath(k, v) => {
                if let Some(Value::Object(paths)) = value.pointer_mut("/paths") {
                    paths.insert(k.clone(), v.clone());
                } else if let Value::Object(o) = &mut value {
                    o.insert(k.clone(), v.clone());
                }
            }
            Mutation::Truncate(i) => {
                let mut b = raw.take().unwrap_or_else(|| value.to_string().into_bytes());
                b.truncate(i.index(b.len() + 1));
                raw = Some(b);
            }
            Mutation::InsertByte(i, byte) => {
                let mut b = raw.take().unwrap_or_else(|| value.to_string().into_bytes());
                b.insert(i.index(b.len() + 1), *byte);
                raw = Some(b);
            }
            _ => {}
        }
    }
    raw.unwrap_or_else(|| value.to_string().into_bytes())
}

/// A scenario that parses must survive everything the program does with one.
fn exercise_scenario(p: &FixtureProbe, cat: &Catalogue) {
    let options = Options {
        catalogue: Some(cat.clone()),
        network: Some(NetworkOptions::default()),
        ..Options::default()
    };
    let Ok(d) = diagnose_with(p, &options) else {
        return;
    };
    for lang in doctor_core::Lang::ALL {
        let _ = doctor_core::Report::new(&d, lang);
    }
    for path in p.scenario().paths.keys() {
        let _ = p.path_kind(path);
        let _ = p.list_dir(path);
        let _ = p.read_tail(path, 7);
        if let Some((parent, _)) = path.rsplit_once(['\\', '/']) {
            let _ = p.list_dir(parent);
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn scenario_mutations_never_panic(
        which in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let all = scenarios();
        let bytes = mutate(&all[which.index(all.len())], &mutations);
        let Ok(text) = doctor_core::datafile::decode(bytes, Path::new("fuzz.json")) else {
            return Ok(());
        };
        if let Ok(p) = FixtureProbe::from_json(&text, Path::new("fuzz.json")) {
            exercise_scenario(&p, &Catalogue::embedded());
        }
    }

    #[test]
    fn catalogue_mutations_never_panic(
        mutations in prop::collection::vec(mutation(), 1..4),
        which in any::<Index>(),
    ) {
        let bytes = mutate(&catalogue_text(), &mutations);
        let Ok(text) = doctor_core::datafile::decode(bytes, Path::new("fuzz.json")) else {
            return Ok(());
        };
        if let Ok(cat) = Catalogue::from_json(&text) {
            let all = scenarios();
            let p = FixtureProbe::from_json(&all[which.index(all.len())], Path::new("s.json")).unwrap();
            exercise_scenario(&p, &cat);
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_bytes_never_panic_any_parser(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let path = Path::new("fuzz.json");
        if let Ok(text) = doctor_core::datafile::decode(bytes.clone(), path) {
            let _ = FixtureProbe::from_json(&text, path);
            let _ = Catalogue::from_json(&text);
        }
        let _ = serde_json::from_slice::<Identity>(&bytes);
        let _ = serde_json::from_slice::<Manifest>(&bytes);
    }

    #[test]
    fn identity_files_and_bundle_manifests_never_panic_fleet(
        mutations in prop::collection::vec(mutation(), 1..4),
        as_manifest in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut base: Value = serde_json::from_str(&identity_text()).unwrap();
        if as_manifest {
            // The fields fleet reads from a bundle's manifest.
            base = serde_json::json!({
                "schema_version": 1,
                "hostname": "PC-TOKYO-017",
                "identity": base,
            });
        }
        let bytes = mutate(&base.to_string(), &mutations);
        let path = if as_manifest {
            let path = dir.path().join("bundle.zip");
            let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
            zip.start_file("manifest.json", zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(&bytes).unwrap();
            zip.finish().unwrap();
            path
        } else {
            let path = dir.path().join("identity.json");
            std::fs::write(&path, &bytes).unwrap();
            path
        };
        let report = doctor_core::fleet::run(&[path]);
        let _ = doctor_core::fleet::to_csv(&report);
        let _ = serde_json::from_slice::<Identity>(&bytes);
        let _ = serde_json::from_slice::<Manifest>(&bytes);
    }

    #[test]
    fn redaction_of_arbitrary_text_never_panics(
        text in prop::collection::vec(prop_oneof![
            any::<u8>(),
            prop::sample::select(b"=:\"'<>/@&?;\n\r -{}".to_vec()),
        ], 0..300),
        words in prop::collection::vec(prop::sample::select(vec![
            "password", "token", "Authorization: Basic ", "http://u:p@", "-----BEGIN PRIVATE KEY-----",
            "-----END PRIVATE KEY-----", "<password>", "</", "パスワード：", "「", "eyJabcd.eyJabcd.",
            "AKIAABCDEFGHIJKLMNOP", "\"secret\":", "-Password ", "REG_SZ ",
        ]), 0..6),
        emit in any::<Index>(),
        line_ends in any::<bool>(),
    ) {
        let mut bytes = text;
        for w in words {
            let at = bytes.len() / 2;
            bytes.splice(at..at, w.bytes());
        }
        let mut red = Redactor::new();
        let (out, _) = red.window(&bytes, emit.index(bytes.len() + 1), line_ends);
        prop_assert!(out.len() <= bytes.len() + 3 * (bytes.len() + 1));
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            let _ = red.line(line);
        }
        if let Ok(s) = std::str::from_utf8(&bytes) {
            let masked = mask_credentials(s);
            prop_assert_eq!(mask_credentials(&masked), masked.clone());
        }
    }
}
