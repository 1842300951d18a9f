//! `basecamp-doctor inventory` against the loopback fake of Vision One's API: the four
//! verdicts for this endpoint, a 1,000-name list, refused keys and an unreachable API with
//! their exit codes, and the key in no output and no file.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

#[path = "../../doctor-core/tests/fake_api/mod.rs"]
mod fake_api;

use fake_api::{entry, Behaviour, FakeApi};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const KEY: &str = "eyJhbGciOiJIUzI1NiJ9.cli-test-key-51c0ffee.sig";
/// The scenario's host name and agent ID (`xdr_device_id`).
const HOST: &str = "PC-TOKYO-017";
const ID: &str = "3f6b2a9e-1c4d-4e8f-9a70-5b2d8c1e0f47";

fn scenario(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios")
        .join(format!("{name}.json"))
        .display()
        .to_string()
}

fn run_with(args: &[&str], key: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_basecamp-doctor"));
    cmd.arg("inventory")
        .args(args)
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("BASECAMP_DOCTOR_API_KEY");
    for p in [
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
    ] {
        cmd.env_remove(p);
    }
    if let Some(k) = key {
        cmd.env("BASECAMP_DOCTOR_API_KEY", k);
    }
    let out = cmd.output().expect("the binary runs");
    assert_key_absent(&String::from_utf8_lossy(&out.stdout), "stdout");
    assert_key_absent(&String::from_utf8_lossy(&out.stderr), "stderr");
    out
}

fn run(args: &[&str]) -> Output {
    run_with(args, Some(KEY))
}

fn assert_key_absent(text: &str, what: &str) {
    assert!(!text.contains(KEY), "the key is in {what}");
    assert!(
        !text.contains("cli-test-key-51c0ffee"),
        "part of the key is in {what}"
    );
}

/// Every file under `dir` except the key file itself.
fn assert_no_file_holds_the_key(dir: &Path, key_file: Option<&Path>) {
    for e in walk(dir) {
        if Some(e.as_path()) == key_file {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&e).unwrap()).into_owned();
        assert_key_absent(&text, &e.display().to_string());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn behaviour() -> Behaviour {
    Behaviour {
        key: KEY.to_owned(),
        page_size: 2,
        ..Behaviour::default()
    }
}

fn this_endpoint(records: Vec<serde_json::Value>) -> (Output, serde_json::Value) {
    let api = FakeApi::start(records, behaviour());
    let out = run(&[
        "--scenario",
        &scenario("windows-64-healthy"),
        "--api-url",
        &api.url,
        "--json",
    ]);
    let j = json(&out);
    (out, j)
}

#[test]
fn this_endpoint_listed_exits_0_with_guid_and_last_update() {
    let (out, j) = this_endpoint(vec![entry(HOST, ID, "10.0.0.17")]);
    assert_eq!(out.status.code(), Some(0));
    let e = &j["endpoints"][0];
    assert_eq!(e["verdict"], "listed");
    assert_eq!(e["name"], HOST);
    assert_eq!(e["agent_id"], ID);
    assert!(e["finding"]["message"].as_str().unwrap().contains(ID));
    assert!(e["finding"]["message"]
        .as_str()
        .unwrap()
        .contains(fake_api::TIME));
    assert_eq!(j["outcome"], "all_listed");
}

#[test]
fn this_endpoint_not_listed_exits_1_with_a_remedy() {
    let (out, j) = this_endpoint(vec![entry("PC-ELSEWHERE", "ffff", "10.0.0.1")]);
    assert_eq!(out.status.code(), Some(1));
    let e = &j["endpoints"][0];
    assert_eq!(e["verdict"], "not_listed");
    assert!(!e["finding"]["remedy"].as_str().unwrap().is_empty());
}

#[test]
fn this_endpoints_agent_id_under_another_name_is_a_clone() {
    let (out, j) = this_endpoint(vec![entry("PC-OSAKA-003", ID, "10.0.0.3")]);
    assert_eq!(out.status.code(), Some(1));
    let e = &j["endpoints"][0];
    assert_eq!(e["verdict"], "clone");
    assert_eq!(e["same_id_elsewhere"][0]["endpoint_name"], "PC-OSAKA-003");
    assert!(e["finding"]["message"]
        .as_str()
        .unwrap()
        .contains("PC-OSAKA-003"));
}

#[test]
fn several_entries_for_this_name_are_reported_in_text_too() {
    let api = FakeApi::start(
        vec![
            entry(HOST, ID, "10.0.0.17"),
            entry(HOST, "0badc0de-0000-0000-0000-000000000000", "10.0.9.9"),
        ],
        behaviour(),
    );
    let out = run(&[
        "--scenario",
        &scenario("windows-64-healthy"),
        "--api-url",
        &api.url,
        "--lang",
        "en",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "several entries are not missing"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "2 entries in Endpoint Inventory carry the name {HOST}"
        )),
        "{text}"
    );
    assert!(text.contains("10.0.9.9"), "{text}");
}

#[test]
fn a_thousand_names_from_an_ad_export_with_pagination_and_a_429() {
    let dir = tempfile::tempdir().unwrap();
    let mut records = Vec::new();
    let mut csv = String::from("\u{feff}#TYPE Selected.Microsoft.ActiveDirectory.Management.ADComputer\r\n\"DNSHostName\",\"Name\",\"OperatingSystem\"\r\n");
    for i in 0..1000 {
        let name = format!("WS-{i:04}");
        csv.push_str(&format!(
            "\"{}.corp.local\",\"{name}\",\"Windows 11, Enterprise\"\r\n",
            name.to_lowercase()
        ));
        if i % 25 != 0 {
            records.push(entry(
                &name,
                &format!("00000000-0000-0000-0000-{i:012}"),
                "10.2.0.1",
            ));
        }
    }
    let names = dir.path().join("computers.csv");
    std::fs::write(&names, csv).unwrap();
    let api = FakeApi::start(
        records,
        Behaviour {
            page_size: 3,
            rate_limit_first: Some("1"),
            ..behaviour()
        },
    );
    let csv_out = dir.path().join("inventory.csv");
    let out = run(&[
        "--names",
        names.to_str().unwrap(),
        "--api-url",
        &api.url,
        "--json",
        "--csv",
        csv_out.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let j = json(&out);
    assert_eq!(j["checked"], 1000);
    assert_eq!(j["missing"], 40);
    assert_eq!(j["listed"], 960);
    assert_eq!(j["stats"]["retries_after_429"], 1);
    let missing: Vec<&str> = j["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["verdict"] == "not_listed")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..1000)
        .step_by(25)
        .map(|i| format!("WS-{i:04}"))
        .collect();
    assert_eq!(missing, expected);
    let table = std::fs::read_to_string(&csv_out).unwrap();
    assert_eq!(table.lines().count(), 1001);
    assert!(table.contains("WS-0025,not_listed"));
    assert!(table.contains("WS-0001,listed,,00000000-0000-0000-0000-000000000001"));
    assert_no_file_holds_the_key(dir.path(), None);
}

#[test]
fn collect_files_are_reconciled_with_their_local_diagnosis() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pc-a.json"),
        serde_json::json!({
            "hostname": "PC-A",
            "identity": {"xdr_device_id": "aaaa-1"},
            "summary": {"pass": 5, "warn": 0, "fail": 1},
            "findings": [{"id": "network.summary.none", "status": "fail"}]
        })
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pc-b.json"),
        serde_json::json!({"hostname": "PC-B", "xdr_device_id": "bbbb-2"}).to_string(),
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.json"), "{not json").unwrap();
    let api = FakeApi::start(vec![entry("PC-B", "bbbb-2", "10.0.0.2")], behaviour());
    let out = run(&[
        "--collected",
        dir.path().to_str().unwrap(),
        "--api-url",
        &api.url,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let j = json(&out);
    let a = &j["endpoints"][0];
    assert_eq!(
        (a["name"].as_str(), a["verdict"].as_str()),
        (Some("PC-A"), Some("not_listed"))
    );
    assert_eq!(a["local"]["verdict"], "fail");
    assert_eq!(a["local"]["problems"][0], "network.summary.none");
    assert_eq!(j["endpoints"][1]["verdict"], "listed");
    assert_eq!(j["skipped"].as_array().unwrap().len(), 1);
}

#[test]
fn a_refused_key_exits_77_and_a_missing_permission_too() {
    for (status, id) in [
        (401, "inventory.error.key_refused"),
        (403, "inventory.error.forbidden"),
    ] {
        let api = FakeApi::start(
            vec![],
            Behaviour {
                status: Some(status),
                ..behaviour()
            },
        );
        let out = run(&[
            "--scenario",
            &scenario("windows-64-healthy"),
            "--api-url",
            &api.url,
            "--json",
        ]);
        assert_eq!(out.status.code(), Some(77), "for HTTP {status}");
        let j = json(&out);
        assert_eq!(j["error"]["id"], id);
        assert!(j["error"]["remedy"].is_string());
    }
}

#[test]
fn an_unreachable_api_exits_69() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = run(&[
        "--scenario",
        &scenario("windows-64-healthy"),
        "--api-url",
        &format!("http://127.0.0.1:{port}"),
        "--lang",
        "ja",
    ]);
    assert_eq!(out.status.code(), Some(69));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("API に接続できませんでした"), "{text}");
}

#[test]
fn the_key_comes_from_a_file_or_the_environment_never_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("v1.key");
    std::fs::write(&key_file, format!("{KEY}\r\n")).unwrap();
    let api = FakeApi::start(vec![entry(HOST, ID, "10.0.0.17")], behaviour());
    let csv = dir.path().join("out.csv");
    let out = run_with(
        &[
            "--scenario",
            &scenario("windows-64-healthy"),
            "--api-url",
            &api.url,
            "--api-key-file",
            key_file.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        api.seen()[0].authorization.as_deref(),
        Some(&*format!("Bearer {KEY}")),
        "the file's trailing newline is not part of the key"
    );
    assert_no_file_holds_the_key(dir.path(), Some(&key_file));

    let out = run_with(&["--api-url", &api.url], None);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("BASECAMP_DOCTOR_API_KEY"));
    let out = run_with(&["--api-key", KEY], None);
    assert_eq!(out.status.code(), Some(64), "there is no flag for the key");
}

#[test]
fn an_empty_list_is_an_error_not_all_listed() {
    let dir = tempfile::tempdir().unwrap();
    let names = dir.path().join("empty.txt");
    std::fs::write(&names, "\u{feff}\n# nothing here\n").unwrap();
    let out = run(&[
        "--names",
        names.to_str().unwrap(),
        "--api-url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(out.status.code(), Some(65));
    let out = run(&[
        "--collected",
        dir.path().to_str().unwrap(),
        "--api-url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(out.status.code(), Some(65));
}
