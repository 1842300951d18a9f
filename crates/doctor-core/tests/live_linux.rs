//! The real Linux probe on this machine: a harmless process named `tmxbc` (a copy of
//! `sleep`) and an Endpoint Basecamp tree under a temporary root must both be seen.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed
#![cfg(target_os = "linux")]

use doctor_core::finding::Status;
use doctor_core::probe::linux::LinuxProbe;
use doctor_core::probe::{PathKind, Probe, ServiceState};
use doctor_core::{diagnose_with, Options};
use std::fs;
use std::path::Path;
use std::process::{Child, Command};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `sleep` under the name `tmxbc` (the process name Linux reports is the file name).
fn start_fake_tmxbc(dir: &Path) -> Running {
    let sleep = ["/bin/sleep", "/usr/bin/sleep"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("sleep is installed");
    let exe = dir.join("tmxbc");
    fs::copy(sleep, &exe).unwrap();
    Running(Command::new(&exe).arg("60").spawn().unwrap())
}

fn basecamp_tree(root: &Path) {
    let base = root.join("opt/TrendMicro/EndpointBasecamp");
    for d in ["bin", "etc", "log"] {
        fs::create_dir_all(base.join(d)).unwrap();
    }
    fs::write(base.join("etc/.identity"), "{\"device\":\"test\"}").unwrap();
    fs::write(base.join("log/tmxbc.log"), "started\n").unwrap();
    fs::create_dir_all(root.join("etc/systemd/system")).unwrap();
    fs::write(root.join("etc/systemd/system/tmxbc.service"), "[Service]\n").unwrap();
    fs::write(
        root.join("etc/os-release"),
        "ID=ubuntu\nVERSION_ID=\"22.04\"\nPRETTY_NAME=\"Ubuntu 22.04.5 LTS\"\n",
    )
    .unwrap();
}

#[test]
fn real_probe_sees_the_tmxbc_process_and_the_basecamp_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    basecamp_tree(&root);
    let child = start_fake_tmxbc(tmp.path());
    let pid = child.0.id();

    let probe = LinuxProbe::new(&root);
    let procs = probe.processes().unwrap();
    let found = procs
        .iter()
        .find(|p| p.pid == pid)
        .expect("the fake tmxbc is listed");
    assert_eq!(found.name, "tmxbc");
    assert!(found.started_at.is_some());
    assert_eq!(
        probe
            .path_kind("/opt/TrendMicro/EndpointBasecamp/log")
            .unwrap(),
        PathKind::Dir
    );
    assert_eq!(
        probe
            .path_kind("/opt/TrendMicro/EndpointBasecamp/etc/.identity")
            .unwrap(),
        PathKind::File
    );
    // The unit file is there, but with a root other than `/` systemd cannot tell its state.
    assert_eq!(probe.service("tmxbc").unwrap().state, ServiceState::Unknown);
    assert_eq!(probe.os().unwrap().distro_id.as_deref(), Some("ubuntu"));

    let d = diagnose_with(&probe, &Options::default()).unwrap();
    let by_id = |id: &str| d.findings.iter().find(|f| f.id == id).unwrap().clone();
    let process = by_id("agent.basecamp.process");
    assert_eq!(process.status, Status::Pass);
    assert!(process
        .evidence
        .iter()
        .any(|e| e.value == format!("tmxbc (PID {pid})")));
    assert_eq!(by_id("agent.registration").status, Status::Pass);
    assert_eq!(by_id("agent.basecamp.service").status, Status::Skipped);
    assert_eq!(by_id("system.os").status, Status::Pass);

    drop(child);
    let after = diagnose_with(&probe, &Options::default()).unwrap();
    let process = after
        .findings
        .iter()
        .find(|f| f.id == "agent.basecamp.process")
        .unwrap();
    assert_eq!(process.status, Status::Fail);
    assert_eq!(process.message.key, "agent.basecamp.process.stopped");
}

#[test]
fn real_probe_on_an_empty_root_reports_basecamp_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let probe = LinuxProbe::new(tmp.path());
    let d = diagnose_with(&probe, &Options::default()).unwrap();
    let process = &d.findings[0];
    assert_eq!(process.id, "agent.basecamp.process");
    assert_eq!(process.message.key, "agent.basecamp.process.missing");
    // No CA bundle under this root: the certificate check says so instead of passing.
    let roots = d
        .findings
        .iter()
        .find(|f| f.id == "system.root_cas")
        .unwrap();
    assert_eq!(roots.status, Status::Skipped);
}

#[test]
fn real_probe_reads_the_system_ca_bundle_by_thumbprint() {
    let probe = LinuxProbe::new("/");
    let thumbs = probe
        .trusted_root_thumbprints()
        .expect("a CA bundle is installed");
    assert!(thumbs.len() > 50, "only {} roots", thumbs.len());
    // DigiCert Assured ID Root CA ships in every distribution's bundle.
    assert!(thumbs.contains(&"0563B8630D62D75ABBC8AB1E4BDFB5A899B24D43".to_owned()));
}
