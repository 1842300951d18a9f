//! Step 2's concurrency, measured: 30 loopback targets of which 20 are black holes, each
//! host's whole test limited to 3 s. Prints the wall time of the concurrent run, the
//! sequential sum of the same probes (every host's stage times added up) and their ratio. Run with
//! `cargo bench -p doctor-core --bench network`.
#![allow(clippy::unwrap_used)]

#[path = "../tests/support/mod.rs"]
mod support;

use doctor_core::network::{probe_hosts, HostResult, Stage};
use std::time::{Duration, Instant};
use support::*;

const NAME: &str = "api-bench.xbc.example";
const STAGE_LIMIT: Duration = Duration::from_secs(3);
const TARGET_WALL: Duration = Duration::from_secs(4);

fn stage_ms<T>(s: &Stage<T>) -> u64 {
    match s {
        Stage::Ok { ms, .. } | Stage::Failed { ms, .. } => *ms,
        Stage::NotRun => 0,
    }
}

fn host_ms(r: &HostResult) -> u64 {
    stage_ms(&r.dns) + stage_ms(&r.tcp) + stage_ms(&r.proxy) + stage_ms(&r.tls) + stage_ms(&r.http)
}

#[tokio::main]
async fn main() {
    let ca = Ca::new("Bench Root CA");
    let mut targets = Vec::new();
    for _ in 0..10 {
        let addr = https_server(
            ca.server_config(&[NAME]),
            Duration::ZERO,
            chrono::Duration::zero(),
        )
        .await;
        targets.push(target(NAME, addr.port()));
    }
    for _ in 0..20 {
        targets.push(target(NAME, black_hole().await.port()));
    }
    let config = config(vec![ca.der()], &[NAME], STAGE_LIMIT);

    let start = Instant::now();
    let results = probe_hosts(&targets, &config).await;
    let wall = start.elapsed();

    let reachable = results.iter().filter(|r| r.reachable()).count();
    let sequential_ms: u64 = results.iter().map(host_ms).sum();
    let wall_ms = wall.as_secs_f64() * 1000.0;
    println!(
        "targets: {} ({} reachable, {} black holes)",
        results.len(),
        reachable,
        results.len() - reachable
    );
    println!(
        "time limit per host: {} s, concurrency: {}",
        STAGE_LIMIT.as_secs(),
        config.concurrency
    );
    println!("concurrent wall time: {wall_ms:.0} ms");
    println!("sequential sum of the same probes: {sequential_ms} ms");
    println!(
        "ratio sequential/concurrent: {:.1}x",
        sequential_ms as f64 / wall_ms
    );
    println!(
        "target (whole run within {} s): {}",
        TARGET_WALL.as_secs(),
        if wall <= TARGET_WALL { "met" } else { "MISSED" }
    );
}
