//! The deployment recipes under `deploy/`: the Ansible playbook runs for real against
//! this machine (local connection) with a replayed endpoint and fetches its result, and
//! the PowerShell scripts parse (tree-sitter's PowerShell grammar; PowerShell itself is
//! not installable here). Both tools come from PyPI; `scripts/setup.sh test` installs them
//! in a virtual environment. Missing tools skip with the reason printed.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv `scripts/setup.sh test` makes, or whatever `ANSIBLE_VENV` / PATH offer.
fn venv_tool(name: &str) -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(v) = std::env::var("ANSIBLE_VENV") {
        candidates.push(Path::new(&v).join("bin").join(name));
    }
    candidates.push(Path::new("/var/cache/basecamp-doctor/ansible/bin").join(name));
    if let Ok(path) = std::env::var("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|d| d.join(name)));
    }
    candidates.into_iter().find(|p| p.is_file())
}

#[test]
fn the_ansible_playbook_collects_from_localhost_and_compares() {
    let Some(playbook) = venv_tool("ansible-playbook") else {
        eprintln!("SKIPPED: ansible-playbook not found (run scripts/setup.sh test)");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let results = work.path().join("results");
    let scenario = root().join("tests/fixtures/scenarios/windows-tls-inspection.json");
    let extra = serde_json::json!({
        "doctor_binary": env!("CARGO_BIN_EXE_basecamp-doctor"),
        "doctor_results": results,
        "doctor_become": false,
        "doctor_region": "jp",
        "doctor_extra_args": ["--scenario", scenario],
        "ansible_python_interpreter": "{{ ansible_playbook_python }}",
    });
    let out = Command::new(&playbook)
        .args(["-i", "localhost,", "-c", "local"])
        .arg(root().join("deploy/ansible/collect.yml"))
        .arg("-e")
        .arg(extra.to_string())
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_LOCAL_TEMP", work.path().join("local"))
        .env("ANSIBLE_REMOTE_TMP", work.path().join("remote"))
        .env("ANSIBLE_HOME", work.path().join("home"))
        .env("ANSIBLE_RETRY_FILES_ENABLED", "0")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{log}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(log.contains("localhost: fail (exit 2)"), "{log}");
    assert!(log.contains("failed=0"), "{log}");

    let fetched = results.join("PC-TOKYO-017.collect.json");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fetched).unwrap()).unwrap();
    assert_eq!(file["kind"], "basecamp-doctor.collect");
    assert_eq!(file["verdict"], "fail");
    let page = std::fs::read_to_string(results.join("fleet-report.html")).unwrap();
    assert!(
        page.contains("TLS tls_untrusted"),
        "the report names the stage"
    );
    assert!(results.join("endpoints.csv").is_file());
}

#[test]
fn the_powershell_recipes_parse() {
    let Some(python) = venv_tool("python3").filter(|p| {
        Command::new(p)
            .args(["-c", "import tree_sitter, tree_sitter_powershell"])
            .status()
            .is_ok_and(|s| s.success())
    }) else {
        eprintln!(
            "SKIPPED: python3 with tree-sitter-powershell not found (run scripts/setup.sh test)"
        );
        return;
    };
    let mut scripts = Vec::new();
    for dir in ["intune", "configmgr", "gpo"] {
        for e in std::fs::read_dir(root().join("deploy").join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "ps1") {
                scripts.push(p);
            }
        }
    }
    assert_eq!(scripts.len(), 4, "{scripts:?}");
    let out = Command::new(&python)
        .arg(root().join("tests/deploy/ps_syntax.py"))
        .args(&scripts)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.matches(": parses").count(), 4, "{text}");

    // The checker does catch a broken script.
    let bad = tempfile::NamedTempFile::with_suffix(".ps1").unwrap();
    std::fs::write(bad.path(), "if ($a { 'x'\nfunction f( {\n").unwrap();
    let status = Command::new(&python)
        .arg(root().join("tests/deploy/ps_syntax.py"))
        .arg(bad.path())
        .output()
        .unwrap()
        .status;
    assert!(!status.success());
}

#[test]
fn the_intune_summary_stays_within_2048_characters_by_construction() {
    // Intune cuts detection output at 2,048 characters; the script caps its line at 2,000
    // and strips control characters. Read the cap from the script so a change is seen.
    let text =
        std::fs::read_to_string(root().join("deploy/intune/Detect-BasecampDoctor.ps1")).unwrap();
    let cap: usize = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("$MaxOutput = "))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap();
    assert!(cap <= 2048, "{cap}");
    assert!(text.contains("Substring(0, $MaxOutput - 3)"));
}
