//! Step 2 against servers on 127.0.0.1 only: each diagnosis the issue names comes out of
//! its own loopback scenario. No test reaches the internet.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod support;

use doctor_core::checks::reach::findings;
use doctor_core::finding::{Finding, Status};
use doctor_core::netfacts::NetworkReport;
use doctor_core::network::proxy::ProxyChoice;
use doctor_core::network::region::RegionChoice;
use doctor_core::network::{probe_hosts, HostResult, NetConfig, NetError, StageName};
use doctor_core::present::note;
use doctor_core::{Catalogue, Lang};
use std::time::{Duration, Instant};
use support::*;

const NAME: &str = "api-test.xbc.example";

fn report(results: Vec<HostResult>, proxy: Option<ProxyChoice>) -> NetworkReport {
    NetworkReport {
        region: Some(RegionChoice::Chosen { code: "jp".into() }),
        proxy,
        pac_url: None,
        timeout_secs: 2,
        root_cause: doctor_core::netfacts::root_cause(&results),
        results,
        checked_at: None,
        only_given_hosts: false,
        region_hosts_unknown: false,
        pac_evaluated: false,
        cancelled: false,
    }
}

fn finding<'a>(all: &'a [Finding], id: &str) -> &'a Finding {
    all.iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

async fn probe(addr: std::net::SocketAddr, config: &NetConfig) -> HostResult {
    probe_hosts(&[target(NAME, addr.port())], config)
        .await
        .remove(0)
}

#[tokio::test]
async fn a_trusted_server_is_reachable_with_version_chain_status_and_clock() {
    let ca = Ca::new("Test Vision One Root CA");
    let addr = https_server(
        ca.server_config(&[NAME]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let r = probe(
        addr,
        &config(vec![ca.der()], &[NAME], Duration::from_secs(5)),
    )
    .await;
    assert!(r.reachable(), "{r:#?}");
    let tls = r.tls.value().unwrap();
    assert_eq!(tls.version, "TLS 1.3");
    assert!(tls.chain[0].subject.contains(NAME));
    assert!(tls.chain[0].issuer.contains("Test Vision One Root CA"));
    let http = r.http.value().unwrap();
    assert_eq!(http.status, 404, "any HTTP answer means reachable");
    assert!(http.skew_secs.unwrap().abs() < 5);

    let all = findings(&Catalogue::embedded(), &report(vec![r], None));
    assert_eq!(
        finding(&all, "network.summary").message.key,
        "network.summary.all_ok"
    );
    assert_eq!(finding(&all, "network.clock").status, Status::Pass);
    let host = finding(&all, &format!("network.host.{NAME}:{}", addr.port()));
    assert_eq!(host.status, Status::Pass);
    assert!(host
        .evidence
        .iter()
        .any(|e| e.key == "evidence.stage_tls" && e.value.starts_with("TLS 1.3")));
}

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_named_as_tls_inspection() {
    let public = Ca::new("Test Vision One Root CA");
    let corp = Ca::new("Corp Inspection CA");
    let addr = https_server(
        corp.server_config(&[NAME]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let r = probe(
        addr,
        &config(vec![public.der()], &[NAME], Duration::from_secs(5)),
    )
    .await;
    assert_eq!(
        r.failure().map(|(s, e, _)| (s, e)),
        Some((StageName::Tls, NetError::TlsUntrusted))
    );
    assert!(
        r.http.value().is_none(),
        "no request over an unverified connection"
    );

    let rep = report(vec![r], None);
    let all = findings(&Catalogue::embedded(), &rep);
    // One cause, one problem: the summary names the inspecting CA.
    let summary = finding(&all, "network.summary");
    assert_eq!(summary.status, Status::Fail);
    assert_eq!(summary.message.key, "network.summary.cause.tls_inspection");
    assert!(summary.message.params["ca"].contains("Corp Inspection CA"));
    assert!(summary.remedy.as_ref().unwrap().params["hosts"].contains(NAME));
    for lang in Lang::ALL {
        let text = note::render(&rep, &os(), &Catalogue::embedded(), lang);
        let heading = doctor_core::Locale::get(lang).text("note.inspection_heading");
        let start = heading.split('{').next().unwrap();
        let after = &text[text.find(start).unwrap()..];
        assert!(after.contains("Corp Inspection CA"), "{text}");
        assert!(after.contains(NAME), "{text}");
    }
}

#[tokio::test]
async fn a_refused_port_means_a_firewall_rejects() {
    let addr = refused_port().await;
    let r = probe(addr, &config(vec![], &[NAME], Duration::from_secs(2))).await;
    assert_eq!(
        r.failure().map(|(s, e, _)| (s, e)),
        Some((StageName::Tcp, NetError::Refused))
    );
    let all = findings(&Catalogue::embedded(), &report(vec![r], None));
    let host = finding(&all, &format!("network.host.{NAME}:{}", addr.port()));
    assert_eq!(host.message.key, "network.host.refused");
    assert_eq!(host.remedy.as_ref().unwrap().key, "network.remedy.refused");
    assert_eq!(
        finding(&all, "network.summary").message.key,
        "network.summary.all_failed"
    );
}

#[tokio::test]
async fn a_black_hole_times_out_within_the_stage_limit() {
    let addr = black_hole().await;
    let start = Instant::now();
    let r = probe(addr, &config(vec![], &[NAME], Duration::from_millis(800))).await;
    let took = start.elapsed();
    assert_eq!(
        r.failure().map(|(s, e, _)| (s, e)),
        Some((StageName::Tls, NetError::Timeout))
    );
    // Bounded by the stage limit (a sanity bound, not a performance measurement).
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let all = findings(&Catalogue::embedded(), &report(vec![r], None));
    assert_eq!(
        finding(&all, &format!("network.host.{NAME}:{}", addr.port()))
            .message
            .key,
        "network.host.timeout"
    );
}

#[tokio::test]
async fn a_slow_server_passes_within_the_limit_and_times_out_beyond_it() {
    let ca = Ca::new("Test Vision One Root CA");
    let addr = https_server(
        ca.server_config(&[NAME]),
        Duration::from_millis(600),
        chrono::Duration::zero(),
    )
    .await;
    let patient = probe(
        addr,
        &config(vec![ca.der()], &[NAME], Duration::from_secs(5)),
    )
    .await;
    assert!(patient.reachable(), "{patient:#?}");
    let hasty = probe(
        addr,
        &config(vec![ca.der()], &[NAME], Duration::from_millis(200)),
    )
    .await;
    assert_eq!(
        hasty.failure().map(|(s, e, _)| (s, e)),
        Some((StageName::Tls, NetError::Timeout))
    );
}

#[tokio::test]
async fn a_connect_proxy_tunnels_to_the_server() {
    let ca = Ca::new("Test Vision One Root CA");
    let server = https_server(
        ca.server_config(&[NAME]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let proxy = connect_proxy(server, false).await;
    let mut cfg = config(vec![ca.der()], &[], Duration::from_secs(5));
    let choice = ProxyChoice {
        host: "127.0.0.1".into(),
        port: proxy.port(),
        source: "flag".into(),
        display: format!("127.0.0.1:{}", proxy.port()),
        bypass: Vec::new(),
    };
    cfg.proxy = Some(choice.clone());
    let r = probe(server, &cfg).await;
    assert!(r.reachable(), "{r:#?}");
    assert_eq!(r.proxy.value(), Some(&200));
    assert_eq!(r.via_proxy.as_deref(), Some(choice.display.as_str()));
    let all = findings(&Catalogue::embedded(), &report(vec![r], Some(choice)));
    let p = finding(&all, "network.proxy");
    assert_eq!(p.message.key, "network.proxy.used");
    assert_eq!(p.remedy.as_ref().unwrap().key, "network.proxy.order");
}

#[tokio::test]
async fn a_proxy_answering_407_requires_authentication() {
    let ca = Ca::new("Test Vision One Root CA");
    let server = https_server(
        ca.server_config(&[NAME]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let proxy = connect_proxy(server, true).await;
    let mut cfg = config(vec![ca.der()], &[], Duration::from_secs(5));
    let choice = ProxyChoice {
        host: "127.0.0.1".into(),
        port: proxy.port(),
        source: "environment".into(),
        display: format!("http://***@127.0.0.1:{}", proxy.port()),
        bypass: Vec::new(),
    };
    cfg.proxy = Some(choice.clone());
    let r = probe(server, &cfg).await;
    assert_eq!(
        r.failure().map(|(s, e, _)| (s, e)),
        Some((StageName::Proxy, NetError::ProxyAuthRequired))
    );
    let all = findings(&Catalogue::embedded(), &report(vec![r], Some(choice)));
    let s = finding(&all, "network.summary");
    assert_eq!(
        (s.status, s.message.key.as_str()),
        (Status::Fail, "network.summary.cause.proxy_auth")
    );
    assert!(s.message.params["status_line"].contains("407"));
    assert_eq!(all.iter().filter(|f| f.status == Status::Fail).count(), 1);
}

#[tokio::test]
async fn an_unresolvable_name_fails_at_dns_and_everything_failing_at_dns_means_offline() {
    let cfg = NetConfig {
        timeout: Duration::from_secs(5),
        skip_os_roots: true,
        ..NetConfig::default()
    };
    let results = probe_hosts(
        &[
            target("vision-one.invalid", 443),
            target("second.invalid", 443),
        ],
        &cfg,
    )
    .await;
    for r in &results {
        assert_eq!(
            r.failure().map(|(s, _, _)| s),
            Some(StageName::Dns),
            "{r:#?}"
        );
    }
    let all = findings(&Catalogue::embedded(), &report(results, None));
    assert_eq!(
        finding(&all, "network.summary").message.key,
        "network.summary.offline"
    );
    assert!(
        !all.iter().any(|f| f.id == "network.tls_inspection"),
        "offline is not blamed on TLS"
    );
    assert_eq!(finding(&all, "network.clock").status, Status::Skipped);
}

#[tokio::test]
async fn a_server_two_hours_ahead_fails_the_clock_check() {
    let ca = Ca::new("Test Vision One Root CA");
    let addr = https_server(
        ca.server_config(&[NAME]),
        Duration::ZERO,
        chrono::Duration::hours(2),
    )
    .await;
    let r = probe(
        addr,
        &config(vec![ca.der()], &[NAME], Duration::from_secs(5)),
    )
    .await;
    let skew = r.http.value().unwrap().skew_secs.unwrap();
    assert!((7190..=7210).contains(&skew), "skew {skew}");
    let all = findings(&Catalogue::embedded(), &report(vec![r], None));
    let clock = finding(&all, "network.clock");
    assert_eq!(
        (clock.status, clock.message.key.as_str()),
        (Status::Fail, "network.clock.fail")
    );
    assert_eq!(clock.message.params["minutes"], "120");
}

#[tokio::test]
async fn a_server_offering_only_old_tls_is_reported_as_below_1_2() {
    let addr = tls10_only_server().await;
    let r = probe(addr, &config(vec![], &[NAME], Duration::from_secs(5))).await;
    assert_eq!(
        r.failure().map(|(s, e, _)| (s, e)),
        Some((StageName::Tls, NetError::TlsOldVersion))
    );
    let all = findings(&Catalogue::embedded(), &report(vec![r], None));
    assert_eq!(finding(&all, "network.tls_version").status, Status::Fail);
}

#[tokio::test]
async fn some_hosts_failing_is_told_apart_from_all_failing_and_the_note_lists_them() {
    let ca = Ca::new("Test Vision One Root CA");
    let ok = https_server(
        ca.server_config(&[NAME]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let refused = refused_port().await;
    let cfg = config(
        vec![ca.der()],
        &[NAME, "wsc-test.xbc.example"],
        Duration::from_secs(3),
    );
    let results = probe_hosts(
        &[
            target(NAME, ok.port()),
            target("wsc-test.xbc.example", refused.port()),
        ],
        &cfg,
    )
    .await;
    assert!(results[0].reachable());
    assert!(!results[1].reachable());
    let rep = report(results, None);
    let all = findings(&Catalogue::embedded(), &rep);
    let summary = finding(&all, "network.summary");
    assert_eq!(summary.message.key, "network.summary.some_failed");
    assert_eq!(summary.message.params["failed"], "1");

    let en = note::render(&rep, &os(), &Catalogue::embedded(), Lang::En);
    assert!(
        en.contains(&format!("wsc-test.xbc.example  TCP {}", refused.port())),
        "{en}"
    );
    assert!(
        !en.contains(&format!("{NAME}  TCP")),
        "reachable hosts are not in the allow list"
    );
    assert!(en.contains("connection refused"));
    let ja = note::render(&rep, &os(), &Catalogue::embedded(), Lang::Ja);
    assert!(ja.contains("ネットワーク管理者の方へ"));
    assert!(ja.contains("接続拒否"));
    assert!(ja.contains("日本 (jp)"));
}

#[tokio::test]
async fn hosts_are_probed_concurrently_within_the_bound() {
    let holes: Vec<_> = futures_join(6).await;
    let targets: Vec<_> = holes.iter().map(|a| target(NAME, a.port())).collect();
    let mut cfg = config(vec![], &[NAME], Duration::from_millis(500));
    cfg.concurrency = 6;
    let results = probe_hosts(&targets, &cfg).await;
    assert_eq!(results.len(), 6);
    // Results come back in the order of the targets.
    for (r, a) in results.iter().zip(&holes) {
        assert_eq!(r.target.port, a.port());
    }
}

async fn futures_join(n: usize) -> Vec<std::net::SocketAddr> {
    let mut v = Vec::new();
    for _ in 0..n {
        v.push(black_hole().await);
    }
    v
}

fn os() -> doctor_core::probe::OsFacts {
    serde_json::from_value(serde_json::json!({
        "platform": "windows", "name": "Windows 11 Pro", "version": "24H2", "arch": "x86_64",
        "bits": 64, "hostname": "PC-TOKYO-017", "domain": "corp.example.co.jp",
        "system_drive": "C:\\"
    }))
    .unwrap()
}
