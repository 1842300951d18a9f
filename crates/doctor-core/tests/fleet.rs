//! `fleet` on many endpoints: exactly the planted duplicate groups among 50 identity
//! files, bundles read as well, and hostile zips listed as unreadable, never a crash.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use doctor_core::fleet;
use doctor_core::identity::Identity;
use doctor_core::probe::Platform;
use std::io::Write;
use std::path::Path;
use zip::write::SimpleFileOptions;

fn identity(host: &str, xdr: &str, apex: Option<&str>, machine: &str) -> Identity {
    Identity {
        schema_version: 1,
        tool_version: "0.1.0".into(),
        created_at_utc: "2026-11-26T00:00:00Z".into(),
        hostname: host.into(),
        domain: None,
        platform: Platform::Windows,
        xdr_device_id: Some(xdr.into()),
        apex_one_guid: apex.map(String::from),
        machine_guid: Some(machine.into()),
        os_install_date: None,
        basecamp_installed_at: None,
        clone_signs: vec![],
    }
}

fn write_json(dir: &Path, name: &str, id: &Identity) {
    std::fs::write(dir.join(name), serde_json::to_vec_pretty(id).unwrap()).unwrap();
}

fn write_zip(path: &Path, entries: &[(&str, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, data) in entries {
        z.start_file(*name, SimpleFileOptions::default()).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn fifty_endpoints_with_three_planted_duplicate_groups() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..50 {
        let host = format!("PC-{i:03}");
        // Planted: PCs 0-4 share an agent ID (cloned image), 10-11 an Apex One GUID,
        // 20-22 a machine GUID. Everything else is unique.
        let xdr = if i < 5 {
            "xdr-cloned".to_owned()
        } else {
            format!("xdr-{i}")
        };
        let apex = if (10..12).contains(&i) {
            "APEX-CLONED".to_owned()
        } else {
            format!("apex-{i}")
        };
        let machine = if (20..23).contains(&i) {
            "mg-cloned".to_owned()
        } else {
            format!("mg-{i}")
        };
        write_json(
            dir.path(),
            &format!("{host}.json"),
            &identity(&host, &xdr, Some(&apex), &machine),
        );
    }
    let report = fleet::run(&[dir.path().to_owned()]);
    assert_eq!(report.read, 50);
    assert!(report.unreadable.is_empty(), "{:?}", report.unreadable);
    let groups: Vec<(String, String, usize)> = report
        .groups
        .iter()
        .map(|g| (g.kind.clone(), g.value.clone(), g.members.len()))
        .collect();
    assert_eq!(
        groups,
        [
            ("xdr_device_id".to_owned(), "xdr-cloned".to_owned(), 5),
            ("apex_one_guid".to_owned(), "apex-cloned".to_owned(), 2),
            ("machine_guid".to_owned(), "mg-cloned".to_owned(), 3),
        ]
    );
    let csv = fleet::to_csv(&report);
    assert_eq!(csv.lines().count(), 1 + 5 + 2 + 3);
    assert!(csv.starts_with("kind,shared_value,hostname,source\n"));
}

#[test]
fn the_same_host_read_from_two_files_is_not_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let id = identity("PC-1", "xdr-1", None, "mg-1");
    write_json(dir.path(), "a.json", &id);
    write_json(dir.path(), "b.json", &id);
    assert!(fleet::run(&[dir.path().to_owned()]).groups.is_empty());
}

#[test]
fn hostile_and_broken_inputs_are_listed_as_unreadable_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let manifest = |version: u32, id: &Identity| {
        serde_json::to_vec(&serde_json::json!({ "schema_version": version, "identity": id }))
            .unwrap()
    };
    let good = identity("PC-OK", "xdr-ok", None, "mg-ok");
    write_zip(
        &d.join("good.zip"),
        &[("manifest.json", manifest(1, &good))],
    );
    write_zip(
        &d.join("traversal.zip"),
        &[
            ("manifest.json", manifest(1, &good)),
            ("../../evil.txt", b"x".to_vec()),
        ],
    );
    write_zip(
        &d.join("schema.zip"),
        &[("manifest.json", manifest(99, &good))],
    );
    write_zip(
        &d.join("nomanifest.zip"),
        &[("report.html", b"<p>".to_vec())],
    );
    // A bomb: a manifest of 40 MB of spaces that deflates to some 40 KB.
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(d.join("bomb.zip")).unwrap());
        z.start_file(
            "manifest.json",
            SimpleFileOptions::default().large_file(true),
        )
        .unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..40 {
            z.write_all(&chunk).unwrap();
        }
        z.finish().unwrap();
    }
    // Truncated: a valid zip cut in half.
    let bytes = std::fs::read(d.join("good.zip")).unwrap();
    std::fs::write(d.join("truncated.zip"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::write(d.join("broken.json"), "{ not json").unwrap();
    std::fs::write(
        d.join("future.json"),
        r#"{"schema_version": 7, "hostname": "x"}"#,
    )
    .unwrap();

    let report = fleet::run(&[d.to_owned()]);
    assert_eq!(
        report.read, 1,
        "only good.zip is read: {:?}",
        report.unreadable
    );
    let reasons: std::collections::BTreeMap<String, String> = report
        .unreadable
        .iter()
        .map(|u| {
            (
                Path::new(&u.source)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                u.reason.clone(),
            )
        })
        .collect();
    assert_eq!(reasons["traversal.zip"], "unsafe_name");
    assert_eq!(reasons["schema.zip"], "schema_version");
    assert_eq!(reasons["nomanifest.zip"], "no_manifest");
    assert_eq!(reasons["bomb.zip"], "too_large");
    assert_eq!(reasons["truncated.zip"], "zip");
    assert_eq!(reasons["broken.json"], "json");
    assert_eq!(reasons["future.json"], "schema_version");
}
