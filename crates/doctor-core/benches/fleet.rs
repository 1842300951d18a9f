//! `fleet` at scale. Part 1: 10,000 identity files. Part 2: 100,000 collect files of
//! 500 sites (`FLEET_BENCH_COLLECT` changes the number; 0 skips it), a tenth of the sites
//! behind a proxy that refuses one host group. Each prints the time to read and
//! aggregate, the peak memory of that run, and the ratio to a peer in the same process
//! that only reads and parses the same files one after another (the floor a simple tool
//! pays). Run with `cargo bench -p doctor-core --bench fleet`.
#![allow(clippy::unwrap_used)]

use doctor_core::collect::CollectFile;
use doctor_core::identity::Identity;
use doctor_core::probe::Platform;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    identity_files();
    let n: usize = std::env::var("FLEET_BENCH_COLLECT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    if n > 0 {
        collect_files(n);
    }
}

/// Peak resident memory since the last reset, in MiB (Linux; 0 elsewhere).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Starts a new peak (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A real collect file from a replayed endpoint, to vary per generated endpoint.
fn template() -> CollectFile {
    use doctor_core::probe::fixture::FixtureProbe;
    use doctor_core::NetworkOptions;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios/windows-tls-inspection.json");
    let probe = FixtureProbe::load(&path).unwrap();
    let catalogue = doctor_core::Catalogue::embedded();
    let options = doctor_core::Options {
        catalogue: Some(catalogue.clone()),
        network: Some(NetworkOptions {
            region: Some("jp".into()),
            ..NetworkOptions::default()
        }),
        ..doctor_core::Options::default()
    };
    let diagnosis = doctor_core::diagnose_with(&probe, &options).unwrap();
    doctor_core::collect::build(&diagnosis, None)
}

fn write_collect_files(dir: &Path, n: usize) -> u64 {
    use doctor_core::network::{NetError, StageName};
    let base = template();
    let mut bytes = 0u64;
    for i in 0..n {
        let site = i % 500;
        let mut f = base.clone();
        f.hostname = format!("PC-{i:06}");
        f.identity.hostname = f.hostname.clone();
        // Every 1,000th endpoint is a clone of the one before it.
        let id = if i % 1000 == 999 { i - 1 } else { i };
        f.identity.xdr_device_id = Some(format!("3f6b2a9e-1c4d-4e8f-9a70-{id:012}"));
        f.identity.machine_guid = Some(format!("c8d9e0f1-2345-4678-9abc-{i:012}"));
        f.addresses = vec![std::net::IpAddr::from([
            10,
            (site / 250) as u8,
            (site % 250) as u8,
            (i % 250) as u8,
        ])];
        if let Some(net) = f.network.as_mut() {
            for h in &mut net.hosts {
                let blocked = site % 10 == 3 && h.purpose == "wsc";
                (h.stage, h.error) = if blocked {
                    (StageName::Proxy, Some(NetError::ProxyRefused))
                } else {
                    (StageName::Http, None)
                };
            }
        }
        let text = serde_json::to_vec_pretty(&f).unwrap();
        bytes += text.len() as u64;
        std::fs::write(dir.join(doctor_core::collect::file_name(&f.hostname)), text).unwrap();
    }
    bytes
}

fn collect_files(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let bytes = write_collect_files(dir.path(), n);
    println!();
    println!(
        "collect files: {n} generated in {:.1} s, {:.1} KB each on average, {:.0} MB in all",
        start.elapsed().as_secs_f64(),
        bytes as f64 / n as f64 / 1024.0,
        bytes as f64 / 1e6
    );
    let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();

    // Peer: read and parse every file, one after another, keeping nothing.
    let start = Instant::now();
    let mut parsed = 0usize;
    for f in &files {
        let c: CollectFile = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        parsed += usize::from(!c.hostname.is_empty());
    }
    let peer = start.elapsed().as_secs_f64();

    reset_peak();
    let before = peak_rss_mib();
    let start = Instant::now();
    let report = doctor_core::fleet::run(&[dir.path().to_owned()]);
    let took = start.elapsed().as_secs_f64();
    let peak = peak_rss_mib();
    let start = Instant::now();
    let json = serde_json::to_vec(&report).unwrap();
    let html = doctor_core::fleet::html::render(&report, doctor_core::Lang::Ja, "now");
    let outputs = start.elapsed().as_secs_f64();

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "read {} of {n} (peer parsed {parsed}), unreadable {}, sites {}, duplicate groups {}",
        report.read,
        report.unreadable.len(),
        report.sites.len(),
        report.groups.len()
    );
    println!("peer (read + parse, one thread): {peer:.2} s");
    println!("fleet (read, parse, aggregate on {cores} threads): {took:.2} s");
    println!("ratio fleet/peer: {:.2}x", took / peer);
    println!(
        "peak memory during fleet: {peak:.0} MiB (process at start of the run: {before:.0} MiB)"
    );
    println!(
        "outputs: JSON {:.0} MB and HTML {:.1} MB rendered in {outputs:.2} s",
        json.len() as f64 / 1e6,
        html.len() as f64 / 1e6
    );
    println!(
        "target (100,000 files within 10 s and 500 MB): {}",
        if n < 100_000 {
            "not measured (fewer files)"
        } else if took <= 10.0 && peak <= 500.0 {
            "met"
        } else {
            "MISSED"
        }
    );
}

fn identity_files() {
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
