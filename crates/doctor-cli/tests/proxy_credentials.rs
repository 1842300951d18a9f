//! Proxy credentials never reach an output: a scenario whose every proxy setting (WinINET
//! list, WinHTTP, environment, PAC address, the recorded `via_proxy`) and the `--proxy`
//! flag carry a user name and password, with unencoded `/`, `@`, `;` and spaces in it,
//! goes through `check` (text, JSON, note) and `bundle` (manifest, report, inquiry, note).
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Fragments of the planted credentials; none may appear anywhere.
const SECRETS: [&str; 9] = [
    "alice",
    "w0rd",
    "PacS3cret",
    "PacTok3n",
    "Pa55",
    "EnvP",
    "Fl@g",
    "ViaS3cret",
    "carol",
];

fn scenario_with_proxy_credentials(dir: &Path) -> PathBuf {
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios/windows-tls-inspection.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(base).unwrap()).unwrap();
    v["proxy"] = serde_json::json!({
        "environment": [["HTTPS_PROXY", "http://dave:EnvP/a@ss@proxy.corp:3128"]],
        "wininet": {
            "enabled": true,
            "server": "http=alice:pa/ss@w0rd@proxy.corp:8080;https=alice:pa;ss w0rd@proxy.corp:8080",
            "bypass": "<local>",
            "autoconfig_url": "http://bob:PacS3cret@pac.corp/proxy.pac?token=PacTok3n"
        },
        "winhttp": "http://carol:Wh@t/Pa55@proxy.corp:3128"
    });
    for r in v["network"].as_array_mut().unwrap() {
        r["via_proxy"] = "http://carol:ViaS3cret/x@proxy.corp:3128".into();
    }
    let path = dir.join("proxy-credentials.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    path
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_basecamp-doctor"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .output()
        .expect("the binary runs")
}

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} shows {s:?}:\n{text}");
    }
}

#[test]
fn proxy_credentials_are_never_printed_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_with_proxy_credentials(dir.path());
    let scenario = scenario.to_str().unwrap();
    let note = dir.path().join("note.txt");
    for lang in ["en", "ja"] {
        for extra in [&["--verbose"][..], &["--json"][..]] {
            let mut args = vec!["check", "--lang", lang, "--scenario", scenario];
            args.extend_from_slice(extra);
            args.extend_from_slice(&["--network-note", note.to_str().unwrap()]);
            let out = run(&args);
            assert!(out.status.code().unwrap() <= 2, "{out:?}");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                stdout.contains("proxy.corp"),
                "the proxy is still shown: {stdout}"
            );
            assert_clean(&format!("check {lang} {extra:?}"), &stdout);
            assert_clean("stderr", &String::from_utf8_lossy(&out.stderr));
            assert_clean("the network note", &std::fs::read_to_string(&note).unwrap());
        }
    }
    // The flag, too.
    let out = run(&[
        "check",
        "--json",
        "--scenario",
        scenario,
        "--proxy",
        "http://erin:Fl@g/pw@proxy.corp:8080",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("***@proxy.corp:8080"), "{stdout}");
    assert_clean("check --proxy", &stdout);

    // The bundle: everything in it but the logs (no logs here).
    let logs = dir.path().join("log");
    std::fs::create_dir(&logs).unwrap();
    let out = run(&[
        "bundle",
        "--json",
        "--lang",
        "ja",
        "--scenario",
        scenario,
        "--logs",
        logs.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(v["path"].as_str().unwrap()).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    assert!(names.iter().any(|n| n == "network-note.txt"), "{names:?}");
    for name in names {
        let mut text = String::new();
        zip.by_name(&name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_clean(&name, &text);
    }
}
