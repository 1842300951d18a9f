//! The `basecamp-doctor` binary as a user runs it: exit codes, JSON shape, languages,
//! and clear errors for bad input.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::process::{Command, Output};

mod support;
use support::{run, scenario};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn exit_code_is_0_for_healthy_1_for_warnings_2_for_problems() {
    for (name, code) in [
        ("windows-64-healthy", 0),
        ("windows-running-unregistered", 1),
        ("windows-basecamp-not-installed", 2),
        ("linux-healthy", 0),
        ("linux-no-agent", 2),
    ] {
        let out = run(&["check", "--scenario", &scenario(name)]);
        assert_eq!(out.status.code(), Some(code), "{name}: {}", stderr(&out));
    }
}

#[test]
fn json_output_has_the_documented_fields() {
    let out = run(&[
        "check",
        "--json",
        "--lang",
        "en",
        "--scenario",
        &scenario("windows-basecamp-not-installed"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let findings = v["findings"].as_array().unwrap();
    // 15 local findings, and step 2 skipped: no region chosen or found in this scenario.
    assert_eq!(findings.len(), 16);
    let region = findings
        .iter()
        .find(|f| f["id"] == "network.region")
        .unwrap();
    assert_eq!(region["status"], "skipped");
    let first = &findings[0];
    assert_eq!(first["id"], "agent.basecamp.process");
    assert_eq!(first["status"], "fail");
    assert!(first["message"]
        .as_str()
        .unwrap()
        .starts_with("No Endpoint Basecamp process"));
    assert!(first["remedy"]
        .as_str()
        .unwrap()
        .contains("Agent Installer"));
    assert!(first["evidence"].as_array().unwrap().len() >= 2);
    let pass = findings.iter().find(|f| f["status"] == "pass").unwrap();
    assert!(pass["remedy"].is_null());
    assert_eq!(v["exit_code"], 2);
    assert_eq!(v["source"]["kind"], "scenario");
    assert!(v["coexistence"]["questions"].is_array());
}

#[test]
fn text_output_is_grouped_by_step_with_the_remedy_under_the_problem() {
    let out = run(&[
        "check",
        "--lang",
        "en",
        "--scenario",
        &scenario("windows-basecamp-stopped"),
    ]);
    let text = stdout(&out);
    let step1 = text.find("Step 1: Endpoint Basecamp").unwrap();
    let problem = text
        .find("[Problem] Endpoint Basecamp is installed, but no")
        .unwrap();
    let remedy = text
        .find("→ What to do: Open Services (services.msc)")
        .unwrap();
    let system = text.find("System requirements").unwrap();
    assert!(
        step1 < problem && problem < remedy && remedy < system,
        "{text}"
    );
    assert!(text.contains("NOT about this computer"));
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes when NO_COLOR is set"
    );
}

#[test]
fn japanese_output_is_japanese() {
    let out = run(&[
        "check",
        "--lang",
        "ja",
        "--scenario",
        &scenario("windows-basecamp-not-installed"),
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("ステップ 1: Endpoint Basecamp のプロセスとサービス"),
        "{text}"
    );
    assert!(text.contains("[問題あり]"));
    assert!(text.contains("対処方法"));
    assert!(!text.contains("What to do"));
}

#[test]
fn language_follows_the_system_locale_by_default() {
    let out = Command::new(env!("CARGO_BIN_EXE_basecamp-doctor"))
        .args(["check", "--scenario", &scenario("linux-healthy")])
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env("LANG", "ja_JP.UTF-8")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("問題なし"), "{}", stdout(&out));
}

#[test]
fn bad_usage_exits_64() {
    let out = run(&["check", "--lang", "fr"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(stderr(&out).contains("--lang"));
    assert_eq!(run(&["check", "--no-such-flag"]).status.code(), Some(64));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
    assert!(stdout(&run(&["--help"])).contains("Exit codes"));
}

#[test]
fn missing_scenario_file_exits_66_and_malformed_one_65() {
    let out = run(&[
        "check",
        "--lang",
        "en",
        "--scenario",
        "/nonexistent/scenario.json",
    ]);
    assert_eq!(out.status.code(), Some(66));
    assert!(stderr(&out).contains("The scenario file could not be used"));
    assert!(stderr(&out).contains("/nonexistent/scenario.json"));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{ \"name\": \"x\", ").unwrap();
    let out = run(&["check", "--lang", "ja", "--scenario", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(65));
    assert!(stderr(&out).contains("シナリオファイルを使用できませんでした"));
}

#[test]
fn malformed_catalogue_exits_65_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("catalog.json");
    std::fs::write(&bad, "{\n \"version\": 1\n}").unwrap();
    let out = run(&[
        "check",
        "--lang",
        "en",
        "--catalog",
        bad.to_str().unwrap(),
        "--scenario",
        &scenario("linux-healthy"),
    ]);
    assert_eq!(out.status.code(), Some(65));
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
}

#[test]
fn checking_this_machine_reports_it_honestly() {
    let out = run(&["check", "--json", "--lang", "en"]);
    let code = out.status.code().unwrap();
    assert!((0..=2).contains(&code), "exit {code}: {}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["source"]["kind"], "live");
    assert_eq!(v["exit_code"], code);
    let host = sysinfo_hostname();
    assert_eq!(v["os"]["hostname"], host);
    // Whatever this machine is, no check may claim a pass it did not verify: the process
    // check passes only if a Basecamp process really runs.
    let process = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "agent.basecamp.process")
        .unwrap()
        .clone();
    let running = std::fs::read_dir("/proc").is_ok_and(|d| {
        d.filter_map(Result::ok).any(|e| {
            std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim() == "tmxbc")
        })
    });
    assert_eq!(process["status"] == "pass", running);
}

fn sysinfo_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

#[test]
fn network_flags_are_validated_with_clear_errors() {
    let out = run(&[
        "check",
        "--lang",
        "en",
        "--host",
        "sg01",
        "--scenario",
        &scenario("linux-healthy"),
    ]);
    assert_eq!(out.status.code(), Some(64));
    assert!(stderr(&out).contains("NAME:PORT"), "{}", stderr(&out));
    assert_eq!(run(&["check", "--timeout", "0"]).status.code(), Some(64));
    assert_eq!(run(&["check", "--region", "mars"]).status.code(), Some(64));
    assert_eq!(
        run(&["check", "--no-network", "--region", "jp"])
            .status
            .code(),
        Some(64)
    );
}

#[test]
fn the_network_note_is_written_in_the_chosen_language() {
    let dir = tempfile::tempdir().unwrap();
    let note = dir.path().join("note.txt");
    let out = run(&[
        "check",
        "--lang",
        "ja",
        "--json",
        "--scenario",
        &scenario("windows-tls-inspection"),
        "--network-note",
        note.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let host = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "network.host.api-ap2.xbc.trendmicro.com:443")
        .unwrap()
        .clone();
    let labels: Vec<&str> = host["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"evidence.stage_tls") && labels.contains(&"evidence.stage_proxy"),
        "{labels:?}"
    );
    let results = v["network"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["tls"]["error"], "tls_untrusted");
    assert_eq!(results[0]["proxy"]["value"], 200);
    assert_eq!(v["network"]["region"]["code"], "jp");
    let text = std::fs::read_to_string(&note).unwrap();
    assert!(text.starts_with("ネットワーク管理者の方へ"), "{text}");
    // Inspected connections got through: the note asks for an exclusion, not an allow rule.
    assert!(
        !text.contains("api-ap2.xbc.trendmicro.com  TCP 443 (HTTPS)"),
        "{text}"
    );
    assert!(text.contains("TLS/SSL インスペクション"));
    assert_eq!(
        v["network"]["root_cause"]["cause"]["kind"],
        "tls_inspection"
    );
    assert_eq!(
        v["network"]["root_cause"]["hosts"][0],
        "api-ap2.xbc.trendmicro.com:443"
    );
}

#[test]
fn an_unwritable_note_path_exits_74() {
    let out = run(&[
        "check",
        "--lang",
        "en",
        "--scenario",
        &scenario("windows-tls-inspection"),
        "--network-note",
        "/nonexistent-dir/note.txt",
    ]);
    assert_eq!(out.status.code(), Some(74));
    assert!(stderr(&out).contains("note for the network team could not be written"));
}

#[test]
fn bundle_saves_a_zip_and_reports_it_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("log");
    std::fs::create_dir(&logs).unwrap();
    std::fs::write(logs.join("EndpointBasecamp.log"), "started\ntoken=abc123\n").unwrap();
    let out = run(&[
        "bundle",
        "--json",
        "--lang",
        "en",
        "--no-network",
        "--scenario",
        &scenario("windows-64-healthy"),
        "--logs",
        logs.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
        "--business-id",
        "ABC-123",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let path = v["path"].as_str().unwrap();
    assert!(
        path.contains("basecamp-doctor_PC-TOKYO-017_") && path.ends_with(".zip"),
        "{path}"
    );
    assert!(std::path::Path::new(path).is_file());
    assert!(v["bytes"].as_u64().unwrap() > 0);
    assert_eq!(v["files"], 1);
    assert!(v["skipped"].as_array().unwrap().is_empty());
    assert_eq!(v["redactions"], 1);
}

#[test]
fn bundle_refuses_a_bad_business_id_or_size_before_doing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = run(&[
        "bundle",
        "--lang",
        "ja",
        "--out",
        d,
        "--business-id",
        "not valid!",
        "--scenario",
        &scenario("linux-healthy"),
    ]);
    assert_eq!(out.status.code(), Some(64));
    assert!(stderr(&out).contains("ビジネス ID"), "{}", stderr(&out));
    let out = run(&[
        "bundle",
        "--lang",
        "en",
        "--out",
        d,
        "--max-size",
        "lots",
        "--scenario",
        &scenario("linux-healthy"),
    ]);
    assert_eq!(out.status.code(), Some(64));
    assert!(stderr(&out).contains("500M"));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn bundle_to_a_missing_folder_exits_73_with_a_clear_message() {
    let out = run(&[
        "bundle",
        "--lang",
        "en",
        "--no-network",
        "--out",
        "/nonexistent/folder",
        "--scenario",
        &scenario("linux-healthy"),
    ]);
    assert_eq!(out.status.code(), Some(73));
    assert!(
        stderr(&out).contains("cannot be saved in this folder"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn identity_then_fleet_finds_two_copies_of_one_machine() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("pc-a.json");
    let out = run(&[
        "identity",
        "--scenario",
        &scenario("windows-apexone-saas"),
        "--out",
        a.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut id: serde_json::Value = serde_json::from_slice(&std::fs::read(&a).unwrap()).unwrap();
    assert_eq!(id["xdr_device_id"], "3f6b2a9e-1c4d-4e8f-9a70-5b2d8c1e0f47");
    assert_eq!(id["apex_one_guid"], "1b2c3d4e-5f60-4718-9a0b-c1d2e3f4a5b6");
    // A clone: another host name, the same agent IDs.
    id["hostname"] = "PC-CLONE-2".into();
    std::fs::write(
        dir.path().join("pc-b.json"),
        serde_json::to_vec(&id).unwrap(),
    )
    .unwrap();
    let csv = dir.path().join("dups.csv");
    let out = run(&[
        "fleet",
        "--lang",
        "en",
        dir.path().to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "duplicates exit 1: {}",
        stdout(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains("2 endpoints share the Vision One agent ID"),
        "{text}"
    );
    assert!(text.contains("ImageSetupTool"));
    assert!(std::fs::read_to_string(&csv)
        .unwrap()
        .contains("PC-CLONE-2"));
    let out = run(&["fleet", "--json", a.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["read"], 1);
    assert!(v["groups"].as_array().unwrap().is_empty());
}

#[test]
fn a_bundle_carries_the_identity_fleet_reads() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "bundle",
        "--json",
        "--no-network",
        "--lang",
        "ja",
        "--scenario",
        &scenario("windows-apexone-saas"),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&["fleet", "--json", dir.path().to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["read"], 1, "{v}");
}

#[test]
fn a_site_without_published_hosts_is_accepted_and_never_called_all_reachable() {
    for code in ["uk", "ca", "za", "usgov"] {
        let out = run(&[
            "check",
            "--json",
            "--scenario",
            &scenario("windows-64-healthy"),
            "--region",
            code,
        ]);
        assert_ne!(out.status.code(), Some(64), "{code}: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["network"]["region"]["code"], code);
        let unknown = code != "ca";
        assert_eq!(
            v["network"]["region_hosts_unknown"]
                .as_bool()
                .unwrap_or(false),
            unknown,
            "{code}"
        );
        let region = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "network.region")
            .unwrap()
            .clone();
        if unknown {
            assert_eq!(region["status"], "warn", "{code}: {region}");
            assert!(region["remedy"].is_string(), "{region}");
        }
    }
}

#[test]
fn a_host_with_control_characters_is_a_usage_error() {
    let linux = scenario("linux-healthy");
    for host in ["evil\r\nX: 1:443", "has space:443", "tab\there:443"] {
        let out = run(&["check", "--scenario", &linux, "--host", host]);
        assert_eq!(out.status.code(), Some(64), "{host:?}: {}", stderr(&out));
    }
    let out = run(&[
        "check",
        "--scenario",
        &linux,
        "--host",
        "[::1]:443",
        "--json",
    ]);
    assert_ne!(out.status.code(), Some(64), "{}", stderr(&out));
}

#[test]
fn a_service_gateway_is_tested_as_the_proxy_with_only_the_log_receiver_direct() {
    let out = run(&[
        "check",
        "--json",
        "--scenario",
        &scenario("windows-64-healthy"),
        "--region",
        "jp",
        "--service-gateway",
        "sg01.corp.local",
    ]);
    assert_ne!(out.status.code(), Some(64), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let proxy = &v["network"]["proxy"];
    assert_eq!(proxy["source"], "service_gateway");
    assert_eq!(proxy["port"], 8080);
    assert_eq!(proxy["bypass"][0], "xlogr-ane1.xdr.trendmicro.com");
    let both = run(&[
        "check",
        "--scenario",
        &scenario("windows-64-healthy"),
        "--service-gateway",
        "sg01",
        "--proxy",
        "p:1",
    ]);
    assert_eq!(both.status.code(), Some(64));
}

/// SIGTERM (and Ctrl-C, the same handler) in the middle of a bundle: the command stops,
/// says it was cancelled, and leaves no partial file or zip behind.
#[cfg(unix)]
#[test]
fn a_terminated_bundle_leaves_no_partial_file() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("log");
    std::fs::create_dir(&logs).unwrap();
    // Enough text that masking and compressing it takes seconds, even in a release build.
    let mut line_no = 0u64;
    for i in 0..24 {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(logs.join(format!("xbc_{i:02}.log"))).unwrap(),
        );
        for _ in 0..40_000 {
            line_no += 1;
            writeln!(
                f,
                "2026-11-20T08:00:00.{:03} [INFO] [{:5}] heartbeat ok latency={}ms id={}",
                line_no % 1000,
                line_no % 9000 + 1000,
                line_no % 997,
                line_no.wrapping_mul(2_654_435_761) % 1_000_000_007
            )
            .unwrap();
        }
    }
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_basecamp-doctor"))
        .args([
            "bundle",
            "--json",
            "--lang",
            "en",
            "--no-network",
            "--scenario",
        ])
        .arg(scenario("windows-64-healthy"))
        .arg("--logs")
        .arg(&logs)
        .arg("--out")
        .arg(&out)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let names = || -> Vec<String> {
        std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    // Wait until the partial file exists, then terminate.
    let mut started = false;
    for _ in 0..6000 {
        if names().iter().any(|n| n.ends_with(".zip.partial")) {
            started = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(started, "the bundle never started writing: {:?}", names());
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(74), "{}", stderr(&output));
    assert!(stderr(&output).contains("cancel"), "{}", stderr(&output));
    assert!(names().is_empty(), "left behind: {:?}", names());
}
