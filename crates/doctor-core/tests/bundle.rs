//! The support bundle on real files: what goes in, what is left out and why, secrets
//! masked, and every fault the issue lists ending in a recorded skip or a clear error,
//! never a half-written zip.
#![cfg(unix)] // symlinks, FIFOs and sparse files the Unix way
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use doctor_core::bundle::manifest::{Manifest, SCHEMA};
use doctor_core::bundle::{
    list_files, write_archive, write_bundle, write_planned_bundle, BundleError, BundleRequest,
    CancelFlag, Limits, NoProgress, Progress, ProgressSink, SkipReason, Source, SupportAnswers,
};
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::{diagnose_with, Catalogue, Diagnosis, Lang, Options};
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Lists the files of `req`, lets `change` act on the folders, then writes the bundle: what
/// happens when a file changes between listing and reading.
fn bundle_after(
    req: &BundleRequest<'_>,
    out: &Path,
    change: impl FnOnce(),
) -> doctor_core::bundle::BundleOutcome {
    let plan = list_files(&req.sources, &req.limits);
    change();
    write_planned_bundle(req, &plan, out, "b", &NoProgress).unwrap()
}

fn diagnosis() -> Diagnosis {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios/windows-apexone-saas.json");
    diagnose_with(&FixtureProbe::load(&path).unwrap(), &Options::default()).unwrap()
}

fn request<'a>(
    d: &'a Diagnosis,
    cat: &'a Catalogue,
    logs: &Path,
    limits: Limits,
) -> BundleRequest<'a> {
    BundleRequest {
        diagnosis: d,
        catalogue: cat,
        lang: Lang::Ja,
        answers: SupportAnswers {
            business_id: Some("a1b2c3d4-business".into()),
            apex_one_saas_activation_code: Some("AB-CDEF-GHIJK-LMNOP-QRSTU-VWXYZ-01234".into()),
            ..Default::default()
        },
        sources: vec![Source {
            label: "basecamp".into(),
            path: logs.to_owned(),
        }],
        screenshots: Vec::new(),
        limits,
        identity: None,
        from_app: false,
    }
}

fn read_zip(path: &Path) -> (zip::ZipArchive<fs::File>, Manifest) {
    let mut zip = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "manifest does not validate: {errors:#?}");
    (zip, serde_json::from_value(value).unwrap())
}

fn entry_text(zip: &mut zip::ZipArchive<fs::File>, name: &str) -> String {
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

fn zips_in(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_log_tree_becomes_a_verified_bundle_whose_manifest_validates() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("log");
    fs::create_dir_all(logs.join("sub")).unwrap();
    fs::write(
        logs.join("EndpointBasecamp.log"),
        "2026-11-20 08:00 [INFO] started\n",
    )
    .unwrap();
    fs::write(logs.join("sub").join("エージェント.log"), "日本語のログ\n").unwrap();
    fs::write(logs.join("empty.log"), "").unwrap();
    fs::write(logs.join("crash.dmp"), b"MDMP\x93\xa7\x00\x00").unwrap();
    std::os::unix::fs::symlink("..", logs.join("loop")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(logs.join("pipe"))
        .status()
        .unwrap();
    assert!(status.success());
    let out = tmp.path().join("Desktop");
    fs::create_dir(&out).unwrap();
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let outcome = write_bundle(
        &request(&d, &cat, &logs, Limits::default()),
        &out,
        "bundle",
        &NoProgress,
    )
    .unwrap();

    assert_eq!(outcome.path, out.join("bundle.zip"));
    assert_eq!(zips_in(&out), ["bundle.zip"], "no temporary file left");
    assert_eq!(outcome.files, 3);
    let (mut zip, manifest) = read_zip(&outcome.path);
    // Step 2 did not run: the manifest says so and how to check it, as check --json does.
    assert!(
        manifest.unchecked.iter().any(|u| u.id == "network"),
        "{:?}",
        manifest.unchecked
    );
    assert_eq!(manifest.unchecked, d.unchecked);
    for name in [
        "manifest.json",
        "report.html",
        "inquiry.txt",
        "logs/basecamp/EndpointBasecamp.log",
        "logs/basecamp/empty.log",
    ] {
        assert!(zip.by_name(name).is_ok(), "{name} missing");
    }
    for i in 0..zip.len() {
        let name = zip.by_index(i).unwrap().name().unwrap().into_owned();
        assert!(name.is_ascii() && !name.contains('\\'), "{name}");
    }
    let ja = manifest
        .files
        .iter()
        .find(|f| f.original_path.ends_with("エージェント.log"))
        .unwrap();
    assert!(ja.entry.starts_with("logs/basecamp/sub/") && ja.entry.is_ascii());
    assert_eq!(entry_text(&mut zip, &ja.entry), "日本語のログ\n");
    let reasons: Vec<(String, SkipReason)> = manifest
        .skipped
        .iter()
        .map(|s| {
            (
                Path::new(&s.path)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                s.reason,
            )
        })
        .collect();
    assert!(
        reasons.contains(&("loop".into(), SkipReason::Link)),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("pipe".into(), SkipReason::NotRegular)),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("crash.dmp".into(), SkipReason::Binary)),
        "{reasons:?}"
    );
    // What the admin typed is kept as typed; the report and the inquiry are localised.
    let inquiry = entry_text(&mut zip, "inquiry.txt");
    assert!(
        inquiry.contains("a1b2c3d4-business")
            && inquiry.contains("AB-CDEF-GHIJK-LMNOP-QRSTU-VWXYZ-01234")
    );
    assert!(inquiry.contains("Apex One SaaS のサーバ GUID"));
    let html = entry_text(&mut zip, "report.html");
    assert!(html.starts_with("<!doctype html><html lang=\"ja\">"));
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
    // The zip opens with Info-ZIP and Python too.
    let unzip = std::process::Command::new("unzip")
        .arg("-tq")
        .arg(&outcome.path)
        .output();
    if let Ok(o) = unzip {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    }
    let py = std::process::Command::new("python3")
        .args(["-c", "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.namelist()))"])
        .arg(&outcome.path)
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
}

#[test]
fn credentials_in_logs_are_masked_and_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("log");
    fs::create_dir(&logs).unwrap();
    fs::write(
        logs.join("xbc.log"),
        "proxy http://bob:hunter2@proxy.corp:3128\nAuthorization: Bearer eyJhbGciOi.payload.sig\nconfig password=Tr0ub4dor\nnothing here\n",
    )
    .unwrap();
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let outcome = write_bundle(
        &request(&d, &cat, &logs, Limits::default()),
        tmp.path(),
        "b",
        &NoProgress,
    )
    .unwrap();
    let (mut zip, manifest) = read_zip(&outcome.path);
    let text = entry_text(&mut zip, "logs/basecamp/xbc.log");
    for secret in ["hunter2", "eyJhbGciOi", "Tr0ub4dor"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(text.contains("nothing here"));
    assert_eq!(manifest.files[0].redactions, 3);
    assert_eq!(manifest.redaction.total, 3);
    assert_eq!(outcome.redactions, 3);
}

#[test]
fn a_4_gib_sparse_file_keeps_its_head_and_tail() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("log");
    fs::create_dir(&logs).unwrap();
    let path = logs.join("huge.log");
    let mut f = fs::File::create(&path).unwrap();
    let head = "first lines of the log\n".repeat(400);
    f.write_all(head.as_bytes()).unwrap();
    let size: u64 = 4 << 30;
    let tail = "last lines of the log\n".repeat(400);
    f.seek(SeekFrom::Start(size - tail.len() as u64)).unwrap();
    f.write_all(tail.as_bytes()).unwrap();
    drop(f);
    let limits = Limits {
        max_input: 1 << 30,
        per_file_cap: 8192,
        head_bytes: 4096,
    };
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let outcome = write_bundle(
        &request(&d, &cat, &logs, limits),
        tmp.path(),
        "b",
        &NoProgress,
    )
    .unwrap();
    let (mut zip, manifest) = read_zip(&outcome.path);
    let rec = &manifest.files[0];
    assert!(rec.cut);
    assert_eq!(rec.size, size);
    let text = entry_text(&mut zip, "logs/basecamp/huge.log");
    assert!(text.starts_with("first lines of the log\n"));
    assert!(text.ends_with("last lines of the log\n"));
    assert!(text.contains("left out"));
    assert_eq!(text.len() as u64, rec.stored_size);
}

#[test]
fn the_budget_keeps_the_newest_files_and_lists_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("log");
    fs::create_dir(&logs).unwrap();
    let now = std::time::SystemTime::now();
    for (i, name) in ["old.log", "mid.log", "new.log"].iter().enumerate() {
        let p = logs.join(name);
        fs::write(&p, "x".repeat(1000)).unwrap();
        let f = fs::File::options().write(true).open(&p).unwrap();
        f.set_modified(now - std::time::Duration::from_secs(3600 * (3 - i as u64)))
            .unwrap();
    }
    let limits = Limits {
        max_input: 2500,
        ..Limits::default()
    };
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let outcome = write_bundle(
        &request(&d, &cat, &logs, limits),
        tmp.path(),
        "b",
        &NoProgress,
    )
    .unwrap();
    let (_, manifest) = read_zip(&outcome.path);
    let kept: Vec<&str> = manifest.files.iter().map(|f| f.entry.as_str()).collect();
    assert_eq!(kept, ["logs/basecamp/mid.log", "logs/basecamp/new.log"]);
    assert_eq!(manifest.skipped.len(), 1);
    assert!(manifest.skipped[0].path.ends_with("old.log"));
    assert_eq!(manifest.skipped[0].reason, SkipReason::Budget);
}

fn one_log(tmp: &Path) -> PathBuf {
    let logs = tmp.join("log");
    fs::create_dir(&logs).unwrap();
    fs::write(logs.join("a.log"), "line one\nline two\n").unwrap();
    logs
}

#[test]
fn a_file_deleted_during_the_run_is_recorded_as_vanished() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let req = request(&d, &cat, &logs, Limits::default());
    let outcome = bundle_after(&req, tmp.path(), || {
        fs::remove_file(logs.join("a.log")).unwrap()
    });
    assert_eq!(outcome.files, 0);
    assert_eq!(outcome.skipped[0].reason, SkipReason::Vanished);
}

#[test]
fn a_file_swapped_for_a_folder_is_recorded_not_fatal() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    let d = diagnosis();
    let cat = Catalogue::embedded();
    // A folder of the same name opens, but it is not the file that was listed.
    let req = request(&d, &cat, &logs, Limits::default());
    let outcome = bundle_after(&req, tmp.path(), || {
        fs::remove_file(logs.join("a.log")).unwrap();
        fs::create_dir(logs.join("a.log")).unwrap();
    });
    assert_eq!(outcome.files, 0);
    assert_eq!(outcome.skipped[0].reason, SkipReason::Replaced);
}

#[test]
fn a_link_swapped_in_after_listing_is_not_followed_and_nothing_of_its_target_ships() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    let secret = tmp.path().join("shadow");
    fs::write(&secret, "root:$6$very-secret-hash:19000:0:99999:7:::\n").unwrap();
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let req = request(&d, &cat, &logs, Limits::default());
    let outcome = bundle_after(&req, tmp.path(), || {
        fs::remove_file(logs.join("a.log")).unwrap();
        std::os::unix::fs::symlink(&secret, logs.join("a.log")).unwrap();
    });
    assert_eq!(outcome.files, 0);
    assert_eq!(outcome.skipped[0].reason, SkipReason::Link);
    let raw = fs::read(&outcome.path).unwrap();
    let (mut zip, _) = read_zip(&outcome.path);
    for i in 0..zip.len() {
        let mut text = Vec::new();
        zip.by_index(i).unwrap().read_to_end(&mut text).unwrap();
        assert!(
            !String::from_utf8_lossy(&text).contains("very-secret-hash"),
            "the link's target leaked"
        );
    }
    assert!(!String::from_utf8_lossy(&raw).contains("very-secret-hash"));
}

#[test]
fn a_hard_linked_file_is_listed_with_its_reason_and_not_shipped() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    let secret = tmp.path().join("id_rsa");
    fs::write(
        &secret,
        "-----BEGIN OPENSSH PRIVATE KEY----- not-for-support\n",
    )
    .unwrap();
    fs::hard_link(&secret, logs.join("innocent.log")).unwrap();
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let outcome = write_bundle(
        &request(&d, &cat, &logs, Limits::default()),
        tmp.path(),
        "b",
        &NoProgress,
    )
    .unwrap();
    assert_eq!(outcome.files, 1, "a.log still goes in");
    let skipped: Vec<_> = outcome
        .skipped
        .iter()
        .filter(|s| s.path.ends_with("innocent.log"))
        .collect();
    assert_eq!(skipped.len(), 1, "{:?}", outcome.skipped);
    assert_eq!(skipped[0].reason, SkipReason::HardLink);
    assert_eq!(skipped[0].detail, "2 links");
    let (mut zip, manifest) = read_zip(&outcome.path);
    assert!(manifest
        .skipped
        .iter()
        .any(|s| s.reason == SkipReason::HardLink));
    assert!(zip.by_name("logs/basecamp/innocent.log").is_err());
    let html = entry_text(&mut zip, "report.html");
    assert!(html.contains("ハードリンク"), "the report says why");
}

#[test]
fn a_file_growing_while_read_is_stored_as_listed_and_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let req = request(&d, &cat, &logs, Limits::default());
    let outcome = bundle_after(&req, tmp.path(), || {
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(logs.join("a.log"))
            .unwrap();
        f.write_all(b"written by the agent meanwhile\n").unwrap();
    });
    let (mut zip, manifest) = read_zip(&outcome.path);
    assert!(manifest.files[0].changed_while_read);
    assert_eq!(
        entry_text(&mut zip, "logs/basecamp/a.log"),
        "line one\nline two\n"
    );
}

#[test]
fn cancelling_mid_way_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("log");
    fs::create_dir(&logs).unwrap();
    for i in 0..20 {
        fs::write(logs.join(format!("{i}.log")), "some log line\n".repeat(100)).unwrap();
    }
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    // The user presses cancel once three files are done.
    struct CancelAfter(AtomicUsize, CancelFlag);
    impl ProgressSink for CancelAfter {
        fn update(&self, _: &Progress) {
            if self.0.fetch_add(1, Ordering::SeqCst) == 2 {
                self.1.cancel();
            }
        }
        fn cancelled(&self) -> bool {
            self.1.cancelled()
        }
    }
    let sink = CancelAfter(AtomicUsize::new(0), CancelFlag::default());
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let err = write_bundle(
        &request(&d, &cat, &logs, Limits::default()),
        &out,
        "b",
        &sink,
    )
    .unwrap_err();
    assert!(matches!(err, BundleError::Cancelled), "{err}");
    assert!(zips_in(&out).is_empty(), "left behind: {:?}", zips_in(&out));
}

#[test]
fn an_existing_bundle_is_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    fs::write(tmp.path().join("b.zip"), "keep me").unwrap();
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let outcome = write_bundle(
        &request(&d, &cat, &logs, Limits::default()),
        tmp.path(),
        "b",
        &NoProgress,
    )
    .unwrap();
    assert_eq!(outcome.path.file_name().unwrap(), "b_2.zip");
    assert_eq!(
        fs::read_to_string(tmp.path().join("b.zip")).unwrap(),
        "keep me"
    );
}

#[test]
fn a_destination_that_cannot_be_written_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let not_a_folder = tmp.path().join("log").join("a.log");
    let err = write_bundle(
        &request(&d, &cat, &logs, Limits::default()),
        &not_a_folder,
        "b",
        &NoProgress,
    )
    .unwrap_err();
    assert!(matches!(err, BundleError::Destination { .. }), "{err}");
    assert_eq!(err.message_key(), "bundle.error.destination");
    // A read-only file system refuses even root.
    let err = write_bundle(
        &request(&d, &cat, &logs, Limits::default()),
        Path::new("/proc"),
        "b",
        &NoProgress,
    )
    .unwrap_err();
    assert!(matches!(err, BundleError::Destination { .. }), "{err}");
}

/// A destination that fills up after `room` bytes.
#[derive(Debug)]
struct Full {
    inner: std::io::Cursor<Vec<u8>>,
    room: u64,
}
impl Write for Full {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.inner.position() + buf.len() as u64 > self.room {
            return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
impl Seek for Full {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn a_full_destination_is_reported_as_disk_full() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let full = Full {
        inner: std::io::Cursor::new(Vec::new()),
        room: 2000,
    };
    let err = write_archive(
        full,
        &request(&d, &cat, &logs, Limits::default()),
        &NoProgress,
    )
    .unwrap_err();
    assert!(matches!(err, BundleError::DiskFull(_)), "{err}");
    assert_eq!(err.message_key(), "bundle.error.disk_full");
}

#[test]
fn screenshots_go_in_with_slot_and_caption_and_show_in_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    let shot = tmp.path().join("bar.png");
    image::RgbImage::from_pixel(40, 20, image::Rgb([10, 120, 200]))
        .save(&shot)
        .unwrap();
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let mut req = request(&d, &cat, &logs, Limits::default());
    req.screenshots.push(doctor_core::bundle::Screenshot {
        path: shot.clone(),
        slot: "no_blue_bar".into(),
        caption: "Apex One コンソール(青いバーなし)".into(),
    });
    let outcome = write_bundle(&req, tmp.path(), "b", &NoProgress).unwrap();
    let (mut zip, manifest) = read_zip(&outcome.path);
    let rec = &manifest.screenshots[0];
    assert_eq!(rec.slot, "no_blue_bar");
    assert_eq!(rec.caption, "Apex One コンソール(青いバーなし)");
    let mut png = Vec::new();
    zip.by_name(&rec.entry)
        .unwrap()
        .read_to_end(&mut png)
        .unwrap();
    assert_eq!(png, std::fs::read(&shot).unwrap());
    let html = entry_text(&mut zip, "report.html");
    assert!(html.contains("data:image/png;base64,") && html.contains("青いバーなし"));
}

#[test]
fn two_bundles_at_once_into_one_folder_both_succeed() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("log");
    fs::create_dir(&logs).unwrap();
    for i in 0..40 {
        fs::write(logs.join(format!("{i}.log")), "a log line\n".repeat(2000)).unwrap();
    }
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let outcomes: Vec<_> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    write_bundle(
                        &request(&d, &cat, &logs, Limits::default()),
                        &out,
                        "same-name",
                        &NoProgress,
                    )
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let paths: Vec<PathBuf> = outcomes.into_iter().map(|o| o.unwrap().path).collect();
    assert_ne!(paths[0], paths[1]);
    for p in &paths {
        let (_, manifest) = read_zip(p);
        assert_eq!(manifest.files.len(), 40);
    }
    let mut left = zips_in(&out);
    left.sort();
    assert_eq!(left, ["same-name.zip", "same-name_2.zip"]);
}

/// The text for support says the Workbench recipients were noted only when the admin ticked
/// that box (it used to say so whenever Apex One was present).
#[test]
fn the_inquiry_claims_the_recipients_were_noted_only_when_they_were() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let reminder = doctor_core::Locale::get(Lang::Ja).text("bundle.inquiry.recipients_reminder");
    for (noted, stem) in [(false, "not-noted"), (true, "noted")] {
        let mut req = request(&d, &cat, &logs, Limits::default());
        req.answers.recipients_noted = noted;
        let outcome = write_bundle(&req, tmp.path(), stem, &NoProgress).unwrap();
        assert_eq!(outcome.inquiry.contains(reminder), noted, "noted: {noted}");
    }
}

#[test]
fn the_returned_inquiry_is_the_one_in_the_zip() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let outcome = write_bundle(
        &request(&d, &cat, &logs, Limits::default()),
        tmp.path(),
        "b",
        &NoProgress,
    )
    .unwrap();
    let (mut zip, _) = read_zip(&outcome.path);
    assert_eq!(outcome.inquiry, entry_text(&mut zip, "inquiry.txt"));
    assert!(outcome.inquiry.contains("a1b2c3d4-business"));
}

#[test]
fn the_report_and_the_inquiry_show_the_same_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    let d = diagnosis();
    let cat = Catalogue::embedded();
    let mut req = request(&d, &cat, &logs, Limits::default());
    req.lang = Lang::En;
    req.answers.on_premises_server_gone = true;
    req.answers.on_premises_server_guid = Some("OLD-SERVER-GUID-TYPED-BEFORE".into());
    req.answers.notes = Some("Moved to SaaS in October.".into());
    let outcome = write_bundle(&req, tmp.path(), "b", &NoProgress).unwrap();
    let (mut zip, _) = read_zip(&outcome.path);
    let inquiry = entry_text(&mut zip, "inquiry.txt");
    let html = entry_text(&mut zip, "report.html");
    for text in [&inquiry, &html] {
        assert!(text.contains("no longer exists"), "{text}");
        assert!(!text.contains("On-premises server GUID"), "{text}");
        assert!(!text.contains("OLD-SERVER-GUID-TYPED-BEFORE"), "{text}");
        assert!(text.contains("Moved to SaaS in October."), "{text}");
        assert!(
            text.contains("AB-CDEF-GHIJK-LMNOP-QRSTU-VWXYZ-01234"),
            "{text}"
        );
    }
}

#[test]
fn a_bundle_saved_from_the_app_speaks_app_and_one_from_the_cli_speaks_cli() {
    // Region unknown: the remedy differs (the window's region screen against --region).
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios/windows-apexone-onprem-migrated.json");
    let options = Options {
        network: Some(doctor_core::NetworkOptions::default()),
        ..Options::default()
    };
    let d = diagnose_with(&FixtureProbe::load(&path).unwrap(), &options).unwrap();
    let cat = Catalogue::embedded();
    let tmp = tempfile::tempdir().unwrap();
    let logs = one_log(tmp.path());
    let texts = |from_app: bool| {
        let out = tmp.path().join(if from_app { "app" } else { "cli" });
        fs::create_dir(&out).unwrap();
        let mut req = request(&d, &cat, &logs, Limits::default());
        req.from_app = from_app;
        let outcome = write_bundle(&req, &out, "b", &NoProgress).unwrap();
        let (mut zip, _) = read_zip(&outcome.path);
        entry_text(&mut zip, "report.html") + &entry_text(&mut zip, "inquiry.txt")
    };
    let (app, cli) = (texts(true), texts(false));
    assert!(cli.contains("--region"), "the CLI's bundle names its flag");
    assert!(!app.contains("--region"), "the app's bundle names a flag");
    assert!(
        app.contains("[リージョン] の画面"),
        "the app's bundle names its screen"
    );
}
