//! The deployment script's install log goes into the support bundle through the sources
//! `install_log::bundle_sources` names, and the bundle's report shows the recognised line.
#![cfg(target_os = "linux")] // the live Linux probe, rooted at a temporary folder
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use doctor_core::bundle::{
    write_bundle, BundleRequest, Limits, NoProgress, Source, SupportAnswers,
};
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::probe::linux::LinuxProbe;
use doctor_core::{diagnose_with, install_log, Catalogue, Lang, Options, Probe};
use std::io::Read;
use std::path::PathBuf;

const LINE: &str =
    "Thu Nov 26 09:00:01 UTC 2026 [ERROR] Your version of curl does not support TLS v1.2. Please update curl.\n";

#[test]
fn a_bundle_holds_the_install_log_and_its_report_shows_the_recognised_line() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    std::fs::write(root.join("tmp/v1es_install.log"), LINE).unwrap();
    let cat = Catalogue::embedded();

    // Where the log is, as the live probe of that machine sees it.
    let live = LinuxProbe::new(&root);
    let os = live.os().unwrap();
    let found = install_log::bundle_sources(&live, &cat, &os);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, PathBuf::from("/tmp/v1es_install.log"));
    // The bundle reads the real file system: map the machine's path into the test root.
    let sources: Vec<Source> = found
        .into_iter()
        .map(|s| Source {
            label: s.label,
            path: root.join(s.path.strip_prefix("/").unwrap()),
        })
        .collect();

    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios/linux-install-log-curl-tls.json");
    let d = diagnose_with(&FixtureProbe::load(&scenario).unwrap(), &Options::default()).unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let request = BundleRequest {
        diagnosis: &d,
        catalogue: &cat,
        lang: Lang::En,
        answers: SupportAnswers::default(),
        sources,
        screenshots: Vec::new(),
        limits: Limits::default(),
        identity: None,
        from_app: false,
    };
    let outcome = write_bundle(&request, &out, "bundle", &NoProgress).unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&outcome.path).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    let log_entry = names
        .iter()
        .find(|n| n.starts_with("logs/install-log"))
        .unwrap_or_else(|| panic!("no install log in {names:?}"))
        .clone();
    let mut text = String::new();
    zip.by_name(&log_entry)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, LINE);
    let mut report = String::new();
    zip.by_name("report.html")
        .unwrap()
        .read_to_string(&mut report)
        .unwrap();
    assert!(
        report.contains("/tmp/v1es_install.log, line 1"),
        "the finding cites file and line"
    );
    assert!(report.contains("Your version of curl does not support TLS v1.2"));
}
