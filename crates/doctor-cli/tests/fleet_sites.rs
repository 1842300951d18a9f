//! Many endpoints as an administrator sees them: `collect` on each endpoint into one share,
//! then `fleet` on the share names the site whose proxy blocks a Vision One host group,
//! the group and the stage. The endpoints are generated scenarios with recorded network
//! results, so nothing touches a real network.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn base_scenario() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios/windows-64-healthy.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
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

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

const HOSTS: [(&str, &str); 4] = [
    ("api-ap2.xbc.trendmicro.com", "xbc_api"),
    ("wsc-ap2.xbc.trendmicro.com", "wsc"),
    ("tgw-ap2.mgcp.trendmicro.com", "telemetry"),
    ("xlogr-ane1.xdr.trendmicro.com", "log_receiver"),
];

/// One host's recorded result: answered, or refused by the proxy at CONNECT.
fn host_result(host: &str, purpose: &str, proxy: Option<&str>, refused: bool) -> Value {
    let ok = |value: Value| json!({"outcome": "ok", "ms": 3, "value": value});
    let tcp_to = proxy.unwrap_or("203.0.113.10:443");
    let mut r = json!({
        "target": {"host": host, "port": 443, "purpose": purpose},
        "via_proxy": proxy,
        "dns": ok(json!(["203.0.113.10"])),
        "tcp": ok(json!(tcp_to)),
        "proxy": if proxy.is_some() { ok(json!(200)) } else { json!({"outcome": "not_run"}) },
        "tls": ok(json!({"version": "TLS 1.3", "cipher": "TLS13_AES_128_GCM_SHA256", "chain": []})),
        "tls_seen": null,
        "http": ok(json!({"status": 200, "date": null, "skew_secs": 0})),
    });
    if refused {
        r["proxy"] =
            json!({"outcome": "failed", "ms": 4, "error": "proxy_refused", "detail": "HTTP 403"});
        r["tls"] = json!({"outcome": "not_run"});
        r["http"] = json!({"outcome": "not_run"});
    }
    r
}

struct Site {
    name: &'static str,
    subnet: [u8; 3],
    proxy: Option<&'static str>,
    blocks: Option<&'static str>,
}

const SITES: [Site; 3] = [
    Site {
        name: "Tokyo",
        subnet: [10, 1, 20],
        proxy: None,
        blocks: None,
    },
    Site {
        name: "Osaka",
        subnet: [10, 2, 30],
        proxy: Some("proxy-osaka.corp.example:8080"),
        blocks: Some("wsc"),
    },
    Site {
        name: "Nagoya",
        subnet: [10, 3, 40],
        proxy: Some("proxy-nagoya.corp.example:3128"),
        blocks: None,
    },
];
const PER_SITE: usize = 4;

/// Writes one scenario per endpoint and runs `collect` for each into `share`.
fn collect_all(work: &Path, share: &Path) {
    let base = base_scenario();
    for (s, site) in SITES.iter().enumerate() {
        for i in 0..PER_SITE {
            let host = format!("PC-{}-{i:02}", site.name.to_uppercase());
            let mut sc = base.clone();
            sc["name"] = json!(format!("{} endpoint {i}", site.name));
            sc["os"]["hostname"] = json!(host);
            sc["registry"]["HKLM\\SOFTWARE\\WOW6432Node\\TrendMicro\\TMSecurityService"]
                ["xdr_device_id"] = json!(format!("3f6b2a9e-0000-4e8f-9a70-{s:06}{i:06}"));
            let [a, b, c] = site.subnet;
            sc["addresses"] = json!([format!("{a}.{b}.{c}.{}", 10 + i), "fe80::1"]);
            if let Some(p) = site.proxy {
                // Credentials in the proxy setting must not reach the share.
                sc["proxy"] = json!({"environment": [["HTTPS_PROXY", format!("http://svc-v1:S3cr/t@pw@{p}")]]});
            }
            sc["network"] = Value::Array(
                HOSTS
                    .iter()
                    .map(|(h, purpose)| {
                        host_result(h, purpose, site.proxy, site.blocks == Some(*purpose))
                    })
                    .collect(),
            );
            let path = work.join(format!("{host}.scenario.json"));
            std::fs::write(&path, serde_json::to_vec_pretty(&sc).unwrap()).unwrap();
            let out = run(&[
                "collect",
                "--scenario",
                path.to_str().unwrap(),
                "--region",
                "jp",
                "--out",
                share.to_str().unwrap(),
                "--lang",
                "en",
            ]);
            let want = if site.blocks.is_some() { 2 } else { 0 };
            assert_eq!(
                out.status.code(),
                Some(want),
                "{host}: {}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
            assert!(text(&out.stdout).contains(&format!("{host}.collect.json")));
        }
    }
}

#[test]
fn collect_to_a_share_then_fleet_names_the_site_the_host_group_and_the_stage() {
    let work = tempfile::tempdir().unwrap();
    let share = work.path().join("share");
    std::fs::create_dir(&share).unwrap();
    collect_all(work.path(), &share);

    // Every endpoint left exactly its one file, no temporary file, no credentials.
    let names: Vec<String> = std::fs::read_dir(&share)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), SITES.len() * PER_SITE, "{names:?}");
    assert!(
        names.iter().all(|n| n.ends_with(".collect.json")),
        "{names:?}"
    );
    for n in &names {
        let body = std::fs::read_to_string(share.join(n)).unwrap();
        assert!(
            !body.contains("S3cr") && !body.contains("svc-v1"),
            "{n} leaks the proxy password"
        );
        assert!(body.len() <= 50 * 1024, "{n} is {} bytes", body.len());
    }

    let sites = work.path().join("sites.csv");
    std::fs::write(&sites, "cidr,site\n10.1.0.0/16,Tokyo\n10.2.0.0/16,Osaka\n").unwrap();
    let html = work.path().join("fleet.html");
    let csv = work.path().join("endpoints.csv");
    let out = run(&[
        "fleet",
        share.to_str().unwrap(),
        "--sites",
        sites.to_str().unwrap(),
        "--json",
        "--html",
        html.to_str().unwrap(),
        "--endpoints-csv",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["read"], 12);
    assert_eq!(report["collected"], 12);
    assert!(report["unreadable"].as_array().unwrap().is_empty());
    assert!(
        report["groups"].as_array().unwrap().is_empty(),
        "no clones here"
    );

    let sites = report["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 3);
    // The failing site comes first, named from the site map.
    let osaka = &sites[0];
    assert_eq!(osaka["site"], "Osaka");
    assert_eq!(osaka["source"], "map");
    assert_eq!(
        (osaka["endpoints"].as_u64(), osaka["failing"].as_u64()),
        (Some(4), Some(4))
    );
    let cells = osaka["host_groups"].as_array().unwrap();
    let wsc = cells.iter().find(|c| c["purpose"] == "wsc").unwrap();
    assert_eq!(
        (wsc["tested"].as_u64(), wsc["failed"].as_u64()),
        (Some(4), Some(4))
    );
    assert_eq!(wsc["stages"][0]["stage"], "proxy");
    assert_eq!(wsc["stages"][0]["error"], "proxy_refused");
    for c in cells.iter().filter(|c| c["purpose"] != "wsc") {
        assert_eq!(c["failed"], 0, "{c}");
    }
    let cause = &osaka["root_cause"];
    assert_eq!(cause["cause"], "network:proxy_refused");
    assert_eq!(
        (cause["endpoints"].as_u64(), cause["of"].as_u64()),
        (Some(4), Some(4))
    );
    assert_eq!(cause["host_groups"], json!(["wsc"]));
    assert_eq!(cause["stages"], json!(["proxy"]));
    // The other sites are healthy; the one without a map entry is its /24.
    let names: Vec<&str> = sites.iter().map(|s| s["site"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"Tokyo") && names.contains(&"10.3.40.0/24"),
        "{names:?}"
    );
    for s in &sites[1..] {
        assert_eq!(s["failing"], 0, "{s}");
        assert!(s["root_cause"].is_null(), "{s}");
    }
    let proxies: Vec<&str> = report["by_proxy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["value"].as_str().unwrap())
        .collect();
    assert_eq!(proxies.len(), 3, "{proxies:?}");
    assert!(proxies.contains(&"proxy-osaka.corp.example:8080"));
    assert_eq!(report["by_region"][0]["value"], "jp");
    assert_eq!(report["endpoints"].as_array().unwrap().len(), 12);

    // The HTML names the site, the host group (in words) and the stage, and loads nothing.
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Osaka"));
    assert!(page.contains("Always-on connection") || page.contains("Web Service Communicator"));
    assert!(page.contains("CONNECT proxy_refused ×4"), "stage missing");
    assert!(page.contains("4 / 4"));
    assert!(page.contains("default-src 'none'"));
    for remote in ["<script", "http://", "https://", "<img", "<link"] {
        assert!(!page.contains(remote), "the page holds {remote}");
    }
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert!(rows.starts_with("hostname,site,"));
    assert!(rows
        .lines()
        .any(|l| l.starts_with("PC-OSAKA-00,Osaka,10.2.30.10,")
            && l.contains("network.host.wsc-ap2")));

    // Text output in Japanese names them too.
    let out = run(&["fleet", share.to_str().unwrap(), "--lang", "ja"]);
    let t = text(&out.stdout);
    assert!(t.contains("10.2.30.0/24"), "{t}");
    assert!(t.contains("CONNECT (proxy_refused) ×4"), "{t}");
    assert!(t.contains("プロキシ"), "{t}");
}

#[test]
fn collect_into_a_missing_folder_exits_73_and_leaves_nothing() {
    let work = tempfile::tempdir().unwrap();
    let missing = work.path().join("nope");
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios/windows-64-healthy.json");
    let out = run(&[
        "collect",
        "--scenario",
        scenario.to_str().unwrap(),
        "--out",
        missing.to_str().unwrap(),
        "--no-network",
    ]);
    assert_eq!(out.status.code(), Some(73), "{}", text(&out.stderr));
    assert!(!missing.exists());
}

#[test]
fn collect_with_bundle_leaves_both_files_and_replaces_an_older_result() {
    let work = tempfile::tempdir().unwrap();
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios/windows-basecamp-not-installed.json");
    let args = [
        "collect",
        "--scenario",
        scenario.to_str().unwrap(),
        "--out",
        work.path().to_str().unwrap(),
        "--no-network",
        "--bundle",
        "--json",
    ];
    let first = run(&args);
    assert_eq!(first.status.code(), Some(2), "{}", text(&first.stderr));
    let v: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(v["verdict"], "fail");
    assert!(v["bundle"].as_str().unwrap().ends_with(".zip"));
    let second = run(&args[..6]);
    assert_eq!(second.status.code(), Some(2));
    let files: Vec<String> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files
            .iter()
            .filter(|f| f.ends_with(".collect.json"))
            .count(),
        1,
        "{files:?}"
    );
    assert_eq!(
        files.iter().filter(|f| f.ends_with(".zip")).count(),
        1,
        "{files:?}"
    );
    assert!(!files.iter().any(|f| f.starts_with('.')), "{files:?}");
}

/// Issue 14: a folder the comparing account cannot list used to hide a duplicate and give
/// "no duplicates", exit 0. As root (CI) the folder is still listable, so the comparison
/// runs as `nobody` through `setpriv`.
#[cfg(target_os = "linux")]
#[test]
fn a_folder_fleet_cannot_list_is_reported_and_the_exit_code_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let work = tempfile::tempdir().unwrap();
    let share = work.path().join("share");
    let locked = share.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    let id = |host: &str| {
        json!({"schema_version": 1, "tool_version": "0.1.0", "created_at_utc": "2026-11-26T00:00:00Z",
               "hostname": host, "platform": "windows", "xdr_device_id": "xdr-same"})
    };
    std::fs::write(share.join("a.json"), id("PC-A").to_string()).unwrap();
    std::fs::write(locked.join("b.json"), id("PC-B").to_string()).unwrap();
    for (p, mode) in [
        (work.path(), 0o755),
        (share.as_path(), 0o755),
        (locked.as_path(), 0o000),
    ] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let bin = env!("CARGO_BIN_EXE_basecamp-doctor");
    let as_root = std::fs::read_dir(&locked).is_ok();
    let mut cmd = if as_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        Command::new(bin)
    };
    // The binary itself must be reachable for nobody: its folders are usually 0755.
    let out = cmd
        .args(["fleet", share.to_str().unwrap(), "--json"])
        .env("NO_COLOR", "1")
        .output();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = match out {
        Ok(o) if o.status.code() != Some(126) && o.status.code() != Some(127) => o,
        other => {
            eprintln!("SKIPPED: could not run the comparison as another user: {other:?}");
            return;
        }
    };
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}{}", text(&out.stdout), text(&out.stderr)));
    let bad = report["unreadable"].as_array().unwrap();
    assert!(
        bad.iter()
            .any(|u| u["reason"] == "walk" && u["source"].as_str().unwrap().ends_with("locked")),
        "{report}"
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unread folder is not a clean result"
    );
}
