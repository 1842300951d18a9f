//! `fleet` on 10,000 identity files: prints the time to read and compare them, and the
//! ratio to a peer run in the same process that only reads and parses the same files
//! (the floor any comparison has to pay). Run with
//! `cargo bench -p doctor-core --bench fleet`.
#![allow(clippy::unwrap_used)]

use doctor_core::identity::Identity;
use doctor_core::probe::Platform;
use std::time::Instant;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let n = 10_000;
    for i in 0..n {
        // Every 100th endpoint is a clone of the one before it.
        let base = if i % 100 == 99 { i - 1 } else { i };
        let id = Identity {
            schema_version: 1,
            tool_version: "0.1.0".into(),
            created_at_utc: "2026-11-26T00:00:00Z".into(),
            hostname: format!("PC-{i:05}"),
            domain: Some("corp.example.co.jp".into()),
            platform: Platform::Windows,
            xdr_device_id: Some(format!("3f6b2a9e-1c4d-4e8f-9a70-{base:012}")),
            apex_one_guid: Some(format!("a0b1c2d3-e4f5-4607-8899-{base:012}")),
            machine_guid: Some(format!("c8d9e0f1-2345-4678-9abc-{i:012}")),
            os_install_date: Some("2026-01-15T09:00:00+00:00".into()),
            basecamp_installed_at: None,
            clone_signs: vec!["sysprep_generalized".into()],
        };
        std::fs::write(
            dir.path().join(format!("PC-{i:05}.json")),
            serde_json::to_vec_pretty(&id).unwrap(),
        )
        .unwrap();
    }
    // Warm the page cache so both runs read from memory.
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for f in &files {
        let _ = std::fs::read(f).unwrap();
    }

    let start = Instant::now();
    let mut parsed = 0;
    for f in &files {
        let id: Identity = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        parsed += usize::from(!id.hostname.is_empty());
    }
    let peer = start.elapsed();

    let start = Instant::now();
    let report = doctor_core::fleet::run(&[dir.path().to_owned()]);
    let took = start.elapsed();

    println!(
        "identity files: {n} (read {}, parsed by the peer {parsed})",
        report.read
    );
    println!("duplicate groups found: {}", report.groups.len());
    println!(
        "peer (read + parse only): {:.0} ms",
        peer.as_secs_f64() * 1000.0
    );
    println!(
        "fleet (read, check, compare): {:.0} ms",
        took.as_secs_f64() * 1000.0
    );
    println!(
        "ratio fleet/peer: {:.2}x",
        took.as_secs_f64() / peer.as_secs_f64()
    );
    println!(
        "target (10,000 files within 2 s): {}",
        if took.as_secs_f64() <= 2.0 {
            "met"
        } else {
            "MISSED"
        }
    );
}
