//! The install-log scan against its peer, the bundle it runs beside: prints the time to
//! write a bundle of a typical Basecamp log folder (20 files of 1 MiB), the time the scan
//! adds (Linux: the one `/tmp/v1es_install.log`, 1 MiB worst case; Windows-sized: the
//! capped 256 profiles, each log read and matched), and their ratios. The bound is
//! 10 %. Run with `cargo bench -p doctor-core --bench install_log`.
#![allow(clippy::unwrap_used)]
// The live probe it reads through exists on Linux only.
#![cfg_attr(not(target_os = "linux"), allow(unused_imports, dead_code))]

use doctor_core::bundle::{write_bundle, BundleRequest, Limits, NoProgress, Source};
use doctor_core::install_log::{self, Signatures, MAX_LOG_BYTES, MAX_PROFILES};
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::{diagnose_with, Catalogue, Lang, Options, Probe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn script_log(bytes: usize) -> String {
    let mut s = String::new();
    while s.len() < bytes {
        s.push_str("Thu Nov 26 09:00:01 UTC 2026 [INFO] Waiting for agent to register.\n");
    }
    s.push_str("Thu Nov 26 09:05:01 UTC 2026 [ERROR] Failed to register agent to the backend service. Please see the tmxbc.log for more details.\n");
    s
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("the install_log benchmark runs on Linux");
}

#[cfg(target_os = "linux")]
fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("basecamp-log");
    std::fs::create_dir(&logs).unwrap();
    let line =
        "2026-11-26 09:00:00.123 [INFO] [XBC] heartbeat to https://api-ap2.xbc.trendmicro.com ok\n";
    let big = line.repeat(1024 * 1024 / line.len());
    for i in 0..20 {
        std::fs::write(logs.join(format!("EndpointBasecamp.{i}.log")), &big).unwrap();
    }
    let root = tmp.path().join("root");
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    std::fs::write(
        root.join("tmp/v1es_install.log"),
        script_log(MAX_LOG_BYTES as usize),
    )
    .unwrap();
    let users = tmp.path().join("users");
    for u in 0..MAX_PROFILES {
        let dir = users.join(format!("user{u:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("v1es_install.log"), script_log(16 * 1024)).unwrap();
    }

    let cat = Catalogue::embedded();
    let sigs = Signatures::embedded();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios/linux-install-log-curl-tls.json");
    let d = diagnose_with(&FixtureProbe::load(&scenario).unwrap(), &Options::default()).unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();

    let mut bundle = Vec::new();
    for i in 0..5 {
        let request = BundleRequest {
            diagnosis: &d,
            catalogue: &cat,
            lang: Lang::En,
            answers: Default::default(),
            sources: vec![Source {
                label: "basecamp".into(),
                path: logs.clone(),
            }],
            screenshots: Vec::new(),
            limits: Limits::default(),
            identity: None,
            from_app: false,
        };
        let t = Instant::now();
        write_bundle(&request, &out, &format!("b{i}"), &NoProgress).unwrap();
        bundle.push(t.elapsed());
    }

    let live = doctor_core::probe::linux::LinuxProbe::new(&root);
    let os = live.os().unwrap();
    let mut linux = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let f = install_log::findings(&live, &cat, &os, &sigs);
        linux.push(t.elapsed());
        assert_eq!(f.len(), 1);
    }

    // What the Windows scan does per profile, on the capped number of profiles.
    let files: Vec<PathBuf> = (0..MAX_PROFILES)
        .map(|u| users.join(format!("user{u:03}/v1es_install.log")))
        .collect();
    let system = doctor_core::probe::linux::LinuxProbe::new("/");
    let mut windows = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let mut hits = 0;
        for f in &files {
            let p = f.to_string_lossy();
            if system.path_kind(&p).ok() == Some(doctor_core::probe::PathKind::File) {
                let bytes = system.read_tail(&p, MAX_LOG_BYTES).unwrap();
                let text = doctor_core::probe::task_xml::decode(&bytes);
                hits += install_log::scan(&text, &sigs, doctor_core::probe::Platform::Linux).len();
            }
        }
        windows.push(t.elapsed());
        assert_eq!(hits, MAX_PROFILES);
    }

    let (b, l, w) = (median(bundle), median(linux), median(windows));
    println!("bundle of 20 x 1 MiB Basecamp logs (peer): {b:?}");
    println!(
        "install-log scan, Linux (1 MiB log):        {l:?}  = {:.2} % of the bundle",
        100.0 * l.as_secs_f64() / b.as_secs_f64()
    );
    println!(
        "install-log scan, {MAX_PROFILES} profiles x 16 KiB:    {w:?}  = {:.2} % of the bundle",
        100.0 * w.as_secs_f64() / b.as_secs_f64()
    );
}
