//! Step 2 tells the truth (issue 12) against loopback fakes: a dead proxy is the proxy's
//! problem, one cause is one problem, an optional host does not fail the step, the note
//! asks only for what is needed, hand-given hosts (IPv6 too) work without a region, and the
//! time limit holds even when the resolver hangs. No test reaches the internet; names that
//! must not resolve end in `.invalid`.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod support;

use doctor_core::checks::reach::findings;
use doctor_core::finding::{Finding, Status};
use doctor_core::netfacts::{NetworkReport, RootCause};
use doctor_core::network::proxy::ProxyChoice;
use doctor_core::network::region::RegionChoice;
use doctor_core::network::{probe_hosts, HostResult, NetConfig, NetError, StageName};
use doctor_core::present::note;
use doctor_core::{Catalogue, Lang, Locale};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::*;

const API: &str = "api-test.xbc.example";
const WSC: &str = "wsc-test.xbc.example";

fn report(results: Vec<HostResult>, proxy: Option<ProxyChoice>) -> NetworkReport {
    NetworkReport {
        region: Some(RegionChoice::Chosen { code: "jp".into() }),
        proxy,
        pac_url: None,
        timeout_secs: 2,
        root_cause: doctor_core::netfacts::root_cause(&results),
        results,
        checked_at: Some("2026-11-26T22:31:05+09:00".into()),
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

fn problems(all: &[Finding]) -> Vec<&Finding> {
    all.iter().filter(|f| f.status == Status::Fail).collect()
}

fn rendered(f: &Finding, lang: Lang) -> String {
    Locale::get(lang).render(&f.message.key, &f.message.params)
}

fn proxy_at(host: &str, port: u16, source: &str) -> ProxyChoice {
    ProxyChoice {
        host: host.into(),
        port,
        source: source.into(),
        display: format!("http://{host}:{port}"),
        bypass: Vec::new(),
    }
}

fn os() -> doctor_core::probe::OsFacts {
    serde_json::from_value(serde_json::json!({
        "platform": "windows", "name": "Windows 11 Pro", "version": "24H2", "arch": "x86_64",
        "bits": 64, "hostname": "PC-TOKYO-017", "domain": "corp.example.co.jp",
        "system_drive": "C:\\"
    }))
    .unwrap()
}

/// Two Vision One hosts tested through `proxy`, with a short budget.
async fn through_dead_proxy(proxy: ProxyChoice) -> NetworkReport {
    let mut cfg = config(vec![], &[], Duration::from_millis(1500));
    cfg.proxy = Some(proxy.clone());
    let results = probe_hosts(&[target(API, 443), target(WSC, 443)], &cfg).await;
    report(results, Some(proxy))
}

/// Behaviour 1: whichever way the proxy is dead, one problem names it and where its setting
/// came from; no Vision One host is blamed and the note asks for no firewall rule.
fn assert_one_proxy_problem(rep: &NetworkReport, error: NetError, source_text: &str) {
    let proxy = rep.proxy.as_ref().unwrap();
    match &rep.root_cause.as_ref().unwrap().cause {
        RootCause::ProxyUnreachable { error: e, .. } => assert_eq!(*e, error, "{rep:#?}"),
        other => panic!("not the proxy's fault: {other:?}"),
    }
    assert_eq!(rep.root_cause.as_ref().unwrap().hosts.len(), 2);
    let all = findings(&Catalogue::embedded(), rep);
    let problems = problems(&all);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = problems[0];
    assert_eq!(p.message.key, "network.summary.cause.proxy_unreachable");
    let en = rendered(p, Lang::En);
    assert!(en.contains(&proxy.display), "{en}");
    assert!(en.contains(source_text), "{en}");
    assert!(p.remedy.is_some());
    for f in &all {
        for key in [
            "network.host.dns_not_found",
            "network.host.refused",
            "network.host.timeout",
        ] {
            assert_ne!(f.message.key, key, "a Vision One host blamed: {f:#?}");
        }
    }
    for lang in Lang::ALL {
        let text = note::render(rep, &os(), &Catalogue::embedded(), lang);
        let l = Locale::get(lang);
        assert!(!text.contains(l.text("note.allow_heading")), "{text}");
        assert!(!text.contains(&format!("{API}  TCP")), "{text}");
        assert!(text.contains(&proxy.display), "{text}");
    }
}

#[tokio::test]
async fn a_proxy_whose_name_does_not_resolve_is_one_problem_about_the_proxy() {
    let rep = through_dead_proxy(proxy_at("proxy.corp.invalid", 8080, "winhttp")).await;
    for r in &rep.results {
        assert_eq!(r.failure().map(|(s, _, _)| s), Some(StageName::Dns));
        // The detail names the proxy, not the Vision One host.
        assert!(
            r.failure().unwrap().2.contains("proxy.corp.invalid"),
            "{r:#?}"
        );
    }
    let error = rep.results[0].failure().unwrap().1;
    assert_one_proxy_problem(&rep, error, "WinHTTP");
}

#[tokio::test]
async fn a_proxy_that_refuses_is_one_problem_about_the_proxy() {
    let port = refused_port().await.port();
    let rep = through_dead_proxy(proxy_at("127.0.0.1", port, "environment")).await;
    assert_one_proxy_problem(&rep, NetError::Refused, "environment variable");
}

#[tokio::test]
async fn a_proxy_that_does_not_answer_is_one_problem_about_the_proxy() {
    let port = black_hole().await.port();
    let rep = through_dead_proxy(proxy_at("127.0.0.1", port, "wininet")).await;
    assert_one_proxy_problem(&rep, NetError::Timeout, "WinINET");
}

#[tokio::test]
async fn a_proxy_named_on_the_command_line_says_so() {
    let port = refused_port().await.port();
    let rep = through_dead_proxy(proxy_at("127.0.0.1", port, "flag")).await;
    assert_one_proxy_problem(&rep, NetError::Refused, "command line");
}

/// Behaviour 9: different causes stay different problems; DNS down is one.
#[tokio::test]
async fn mixed_causes_are_not_merged_but_dns_down_everywhere_is_one_cause() {
    let ca = Ca::new("Test Vision One Root CA");
    let corp = Ca::new("Corp Inspection CA");
    let inspected = https_server(
        corp.server_config(&[API]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let refused = refused_port().await;
    let cfg = config(vec![ca.der()], &[API, WSC], Duration::from_secs(3));
    let results = probe_hosts(
        &[target(API, inspected.port()), target(WSC, refused.port())],
        &cfg,
    )
    .await;
    let rep = report(results, None);
    assert_eq!(rep.root_cause, None);
    let all = findings(&Catalogue::embedded(), &rep);
    assert_eq!(
        finding(&all, "network.summary").message.key,
        "network.summary.all_failed"
    );
    assert_eq!(finding(&all, "network.tls_inspection").status, Status::Fail);

    let cfg = NetConfig {
        timeout: Duration::from_secs(5),
        skip_os_roots: true,
        ..NetConfig::default()
    };
    let results = probe_hosts(
        &[
            target("api.vision-one.invalid", 443),
            target("wsc.vision-one.invalid", 443),
        ],
        &cfg,
    )
    .await;
    let rep = report(results, None);
    let cause = rep.root_cause.clone().unwrap();
    assert_eq!(cause.cause, RootCause::DnsDown);
    assert_eq!(
        cause.hosts,
        ["api.vision-one.invalid:443", "wsc.vision-one.invalid:443"]
    );
    let all = findings(&Catalogue::embedded(), &rep);
    assert_eq!(problems(&all).len(), 1);
    let en = note::render(&rep, &os(), &Catalogue::embedded(), Lang::En);
    assert!(
        !en.contains(Locale::get(Lang::En).text("note.allow_heading")),
        "{en}"
    );
}

/// Behaviour 9 and 10: inspection on some hosts while the rest pass is one problem, and
/// the note asks to exclude those hosts from the named CA's inspection, not to allow them.
#[tokio::test]
async fn inspection_of_some_hosts_is_one_problem_and_the_note_asks_for_exclusions_only() {
    let ca = Ca::new("Test Vision One Root CA");
    let corp = Ca::new("Corp Inspection CA");
    let ok = https_server(
        ca.server_config(&[API]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let inspected = https_server(
        corp.server_config(&[WSC]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let cfg = config(vec![ca.der()], &[API, WSC], Duration::from_secs(3));
    let results = probe_hosts(
        &[target(API, ok.port()), target(WSC, inspected.port())],
        &cfg,
    )
    .await;
    let rep = report(results, None);
    let all = findings(&Catalogue::embedded(), &rep);
    assert_eq!(problems(&all).len(), 1);
    let summary = finding(&all, "network.summary");
    assert_eq!(summary.message.key, "network.summary.cause.tls_inspection");
    let en = rendered(summary, Lang::En);
    assert!(en.contains("Corp Inspection CA"), "{en}");
    assert!(!en.contains("not reachable"), "{en}");

    let l = Locale::get(Lang::En);
    let text = note::render(&rep, &os(), &Catalogue::embedded(), Lang::En);
    assert!(!text.contains(l.text("note.allow_heading")), "{text}");
    let heading_start = l.text("note.inspection_heading").split('{').next().unwrap();
    let at = text.find(heading_start).unwrap();
    assert!(text[at..].contains("Corp Inspection CA"), "{text}");
    assert!(text[at..].contains(WSC), "{text}");
    // Times in the endpoint's local time with the offset; the endpoint's address.
    assert!(text.contains("2026-11-26 22:31 (UTC+09:00)"), "{text}");
    let addr_line = text
        .lines()
        .find(|l2| l2.starts_with(l.text("note.addresses")))
        .unwrap();
    assert!(addr_line.contains("127.0.0.1"), "{addr_line}");
    assert!(text.contains("https://docs.trendmicro.com/en-us/documentation/article/trend-vision-one-firewall-japan-all-exceptions"), "{text}");
    let ja = note::render(&rep, &os(), &Catalogue::embedded(), Lang::Ja);
    assert!(
        ja.contains("Corp Inspection CA") && ja.contains("除外"),
        "{ja}"
    );
}

/// Behaviour 10: the proxy used and where its setting came from are in the note.
#[tokio::test]
async fn the_note_names_the_proxy_used_and_its_source() {
    let ca = Ca::new("Test Vision One Root CA");
    let server = https_server(
        ca.server_config(&[API]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let proxy = connect_proxy(server, false).await;
    let choice = proxy_at("127.0.0.1", proxy.port(), "winhttp");
    let mut cfg = config(vec![ca.der()], &[], Duration::from_secs(5));
    cfg.proxy = Some(choice.clone());
    let refused = refused_port().await;
    let mut results = probe_hosts(&[target(API, server.port())], &cfg).await;
    // A second host blocked on the way (tested directly here).
    let direct = config(vec![ca.der()], &[WSC], Duration::from_secs(2));
    results.extend(probe_hosts(&[target(WSC, refused.port())], &direct).await);
    let rep = report(results, Some(choice.clone()));
    let text = note::render(&rep, &os(), &Catalogue::embedded(), Lang::En);
    let proxy_line = text
        .lines()
        .find(|l| l.starts_with(Locale::get(Lang::En).text("note.proxy")))
        .unwrap();
    assert!(proxy_line.contains(&choice.display), "{proxy_line}");
    assert!(proxy_line.contains("WinHTTP"), "{proxy_line}");
    // Allow rules only for what was blocked.
    assert!(
        text.contains(&format!("{WSC}  TCP {}", refused.port())),
        "{text}"
    );
    assert!(!text.contains(&format!("{API}  TCP")), "{text}");
}

/// Behaviour 3: a host only an older copy of the vendor's list has is optional; failing
/// alone it never makes "some hosts failed".
#[tokio::test]
async fn an_optional_host_failing_alone_does_not_fail_the_step() {
    let jp = Catalogue::embedded();
    let cdn = jp
        .region("jp")
        .unwrap()
        .hosts
        .iter()
        .find(|h| h.host == "cdn-api-ap2.xbc.trendmicro.com")
        .unwrap()
        .clone();
    assert!(cdn.optional, "the current Japan page no longer lists it");

    let ca = Ca::new("Test Vision One Root CA");
    let ok = https_server(
        ca.server_config(&[API]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let refused = refused_port().await;
    let mut old = target("cdn-api-test.xbc.example", refused.port());
    old.optional = true;
    let cfg = config(
        vec![ca.der()],
        &[API, "cdn-api-test.xbc.example"],
        Duration::from_secs(3),
    );
    let results = probe_hosts(&[target(API, ok.port()), old], &cfg).await;
    assert!(!results[1].reachable());
    let rep = report(results, None);
    let all = findings(&Catalogue::embedded(), &rep);
    let summary = finding(&all, "network.summary");
    assert_eq!(
        (summary.status, summary.message.key.as_str()),
        (Status::Pass, "network.summary.all_ok")
    );
    assert_eq!(summary.message.params["total"], "1");
    let host = finding(
        &all,
        &format!("network.host.cdn-api-test.xbc.example:{}", refused.port()),
    );
    assert_eq!(
        (host.status, host.message.key.as_str()),
        (Status::Info, "network.host.optional_failed")
    );
    assert!(problems(&all).is_empty());
}

/// Behaviour 8: hand-given hosts without a region, IPv6 literals through every stage.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_host_given_by_hand_is_tested_without_a_region_and_ipv6_literals_work() {
    let ca = Ca::new("Test Vision One Root CA");
    let listener = match tokio::net::TcpListener::bind("[::1]:0").await {
        Ok(l) => l,
        Err(e) => {
            println!("SKIPPED: no IPv6 loopback here ({e})");
            return;
        }
    };
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let server = https_server_at(
        SocketAddr::new(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), port),
        ca.server_config(&["::1"]),
    )
    .await;
    let given = doctor_core::catalogue::HostEntry {
        host: "::1".into(),
        port: server.port(),
        purpose: "custom".into(),
        optional: false,
    };
    let root = tempfile::tempdir().unwrap();
    let probe = doctor_core::probe::linux::LinuxProbe::new(root.path());
    let options = doctor_core::network::NetworkOptions {
        region: None,
        extra_hosts: vec![given.clone()],
        proxy: None,
        service_gateway: None,
        config: NetConfig {
            // The test CA stands for the agent's own roots.
            agent_roots: vec![thumbprint(ca.der().as_ref())],
            ..config(vec![ca.der()], &[], Duration::from_secs(5))
        },
    };
    let rep =
        doctor_core::network::run(&probe, &Catalogue::embedded(), &os_linux(), &options).await;
    assert!(rep.region.is_none());
    assert!(rep.only_given_hosts);
    assert_eq!(rep.results.len(), 1);
    let r = &rep.results[0];
    if rep.proxy.is_none() {
        assert!(r.reachable(), "{r:#?}");
        assert_eq!(
            r.tcp.value().map(String::as_str),
            Some(&*format!("[::1]:{port}"))
        );
    }
    let all = findings(&Catalogue::embedded(), &rep);
    let region = finding(&all, "network.region");
    assert_eq!(
        (region.status, region.message.key.as_str()),
        (Status::Warn, "network.region.only_given")
    );
    assert!(region.remedy.is_some());
    assert!(all
        .iter()
        .any(|f| f.id == format!("network.host.::1:{port}")));
    let text = note::render(&rep, &os(), &Catalogue::embedded(), Lang::En);
    assert!(
        text.contains(Locale::get(Lang::En).text("note.region_not_tested")),
        "{text}"
    );
}

#[tokio::test]
async fn an_ipv6_literal_goes_through_a_proxy_in_brackets() {
    let ca = Ca::new("Test Vision One Root CA");
    let server = https_server_at(
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
        ca.server_config(&["::1"]),
    )
    .await;
    let (proxy, seen) = recording_connect_proxy(server).await;
    let mut cfg = config(vec![ca.der()], &[], Duration::from_secs(5));
    cfg.proxy = Some(proxy_at("127.0.0.1", proxy.port(), "flag"));
    let results = probe_hosts(&[target("::1", 443)], &cfg).await;
    assert!(results[0].reachable(), "{:#?}", results[0]);
    let lines = seen.lock().unwrap().clone();
    assert!(
        lines.iter().any(|l| l == "CONNECT [::1]:443 HTTP/1.1"),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_name_with_control_characters_never_reaches_a_connect_line() {
    let ca = Ca::new("Test Vision One Root CA");
    let server = https_server(
        ca.server_config(&[API]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let (proxy, seen) = recording_connect_proxy(server).await;
    let mut cfg = config(vec![ca.der()], &[], Duration::from_secs(5));
    cfg.proxy = Some(proxy_at("127.0.0.1", proxy.port(), "flag"));
    let evil = format!("{API}:443 HTTP/1.1\r\nX-Injected: 1\r\n\r\nCONNECT {API}");
    let results = probe_hosts(
        &[target(&evil, 443), target("has space.example", 443)],
        &cfg,
    )
    .await;
    for r in &results {
        assert!(!r.reachable());
        assert_eq!(r.tcp, doctor_core::network::Stage::NotRun, "{r:#?}");
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
}

/// Behaviour 6: a resolver that hangs does not hold the host's test past its budget.
#[tokio::test]
async fn a_hanging_resolver_is_bounded_by_the_timeout() {
    let mut cfg = config(vec![], &[], Duration::from_millis(400));
    cfg.resolver = Some(doctor_core::network::live::Resolver(Arc::new(|_, _| {
        std::thread::sleep(Duration::from_secs(4));
        Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)])
    })));
    let start = Instant::now();
    let results = probe_hosts(&[target("slow-dns.vision-one.invalid", 443)], &cfg).await;
    let took = start.elapsed();
    assert_eq!(
        results[0].failure().map(|(s, e, _)| (s, e)),
        Some((StageName::Dns, NetError::DnsTimeout))
    );
    // A sanity bound far above the budget, far below the resolver's hang.
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

/// Behaviour 6: several addresses share one budget and the first that answers wins.
#[tokio::test]
async fn a_host_with_several_addresses_falls_back_within_one_budget() {
    let ca = Ca::new("Test Vision One Root CA");
    let server = https_server(
        ca.server_config(&[API]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let mut cfg = config(vec![ca.der()], &[], Duration::from_secs(5));
    // 127.0.0.3 has nothing on that port: refused; 127.0.0.1 answers.
    cfg.resolve.insert(
        API.into(),
        vec![
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)),
            IpAddr::V4(Ipv4Addr::LOCALHOST),
        ],
    );
    let results = probe_hosts(&[target(API, server.port())], &cfg).await;
    let r = &results[0];
    assert!(r.reachable(), "{r:#?}");
    assert_eq!(
        r.tcp.value().map(String::as_str),
        Some(&*format!("127.0.0.1:{}", server.port()))
    );
}

#[cfg(target_os = "linux")]
fn os_linux() -> doctor_core::probe::OsFacts {
    serde_json::from_value(serde_json::json!({
        "platform": "linux", "name": "Debian GNU/Linux 12", "version": "12", "arch": "x86_64",
        "bits": 64, "hostname": "web-01", "system_drive": "/"
    }))
    .unwrap()
}

/// Behaviour 12: a site whose hosts are not published is never "all reachable".
#[tokio::test]
async fn a_site_without_published_hosts_is_never_called_all_reachable() {
    let ca = Ca::new("Test Vision One Root CA");
    let ok = https_server(
        ca.server_config(&[API]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let cfg = config(vec![ca.der()], &[API], Duration::from_secs(3));
    let results = probe_hosts(&[target(API, ok.port())], &cfg).await;
    assert!(results[0].reachable());
    let mut rep = report(results, None);
    rep.region = Some(RegionChoice::Chosen { code: "uk".into() });
    rep.region_hosts_unknown = true;
    let all = findings(&Catalogue::embedded(), &rep);
    let region = finding(&all, "network.region");
    assert_eq!(
        (region.status, region.message.key.as_str()),
        (Status::Warn, "network.region.hosts_unknown")
    );
    assert!(rendered(region, Lang::En).contains("United Kingdom"));
    let summary = finding(&all, "network.summary");
    assert_eq!(
        (summary.status, summary.message.key.as_str()),
        (Status::Warn, "network.summary.partial_ok")
    );
    assert!(summary.remedy.is_some());
    for lang in Lang::ALL {
        let l = Locale::get(lang);
        let text = note::render(&rep, &os(), &Catalogue::embedded(), lang);
        let all_ok = l.render(
            "note.all_ok",
            &[("total".to_owned(), "1".to_owned())].into_iter().collect(),
        );
        assert!(!text.contains(&all_ok), "{text}");
        assert!(text.contains(l.text("note.hosts_unknown")), "{text}");
    }

    // The run marks the site, and a replay never probes.
    let probe = doctor_core::probe::fixture::FixtureProbe::load(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/scenarios/windows-64-healthy.json"),
    )
    .unwrap();
    for (code, unknown) in [("uk", true), ("za", true), ("usgov", true), ("ca", false)] {
        let options = doctor_core::network::NetworkOptions {
            region: Some(code.into()),
            ..Default::default()
        };
        let rep = doctor_core::network::run(&probe, &Catalogue::embedded(), &os(), &options).await;
        assert_eq!(rep.region.as_ref().map(|r| r.code()), Some(code));
        assert_eq!(rep.region_hosts_unknown, unknown, "{code}");
    }
}

/// Behaviour 4: inspection with a CA this computer trusts is still inspection; a
/// self-signed server is reported as such, not as an inspecting CA.
#[tokio::test]
async fn inspection_with_a_trusted_ca_is_still_inspection_and_self_signed_is_its_own_thing() {
    let agent_ca = Ca::new("Test Vision One Root CA");
    let corp = Ca::new("Corp Trusted Inspection CA");
    let genuine = https_server(
        agent_ca.server_config(&[API]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let inspected = https_server(
        corp.server_config(&[WSC]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    // This computer trusts both CAs; the agent only its own.
    let mut cfg = config(
        vec![agent_ca.der(), corp.der()],
        &[API, WSC],
        Duration::from_secs(3),
    );
    cfg.agent_roots = vec![thumbprint(agent_ca.der().as_ref())];
    let results = probe_hosts(
        &[target(API, genuine.port()), target(WSC, inspected.port())],
        &cfg,
    )
    .await;
    assert!(results[0].reachable(), "{:#?}", results[0]);
    assert_eq!(
        results[1].failure().map(|(s, e, _)| (s, e)),
        Some((StageName::Tls, NetError::TlsInspected)),
        "{:#?}",
        results[1]
    );
    let rep = report(results, None);
    let all = findings(&Catalogue::embedded(), &rep);
    let summary = finding(&all, "network.summary");
    assert_eq!(summary.message.key, "network.summary.cause.tls_inspection");
    assert!(summary.message.params["ca"].contains("Corp Trusted Inspection CA"));
    let text = note::render(&rep, &os(), &Catalogue::embedded(), Lang::En);
    assert!(
        text.contains("Corp Trusted Inspection CA") && text.contains(WSC),
        "{text}"
    );

    // Without the agent's roots known, nothing is claimed.
    cfg.agent_roots.clear();
    let again = probe_hosts(&[target(WSC, inspected.port())], &cfg).await;
    assert!(again[0].reachable());

    let selfie = https_server(
        self_signed_config(API),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let cfg = config(vec![agent_ca.der()], &[API], Duration::from_secs(3));
    let results = probe_hosts(&[target(API, selfie.port())], &cfg).await;
    assert_eq!(
        results[0].failure().map(|(s, e, _)| (s, e)),
        Some((StageName::Tls, NetError::TlsSelfSigned))
    );
    let rep = report(results, None);
    assert_eq!(rep.root_cause, None);
    let all = findings(&Catalogue::embedded(), &rep);
    assert!(!all.iter().any(|f| f.id == "network.tls_inspection"));
    let host = finding(&all, &format!("network.host.{API}:{}", selfie.port()));
    assert_eq!(host.message.key, "network.host.tls_self_signed");
}

/// Behaviour 7: a host the proxy setting's bypass list matches goes direct, and says so.
#[tokio::test]
async fn a_host_on_the_bypass_list_goes_direct_and_the_output_says_so() {
    let ca = Ca::new("Test Vision One Root CA");
    const DIRECT: &str = "api-test.direct.example";
    let server = https_server(
        ca.server_config(&[API, DIRECT]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let (proxy, seen) = recording_connect_proxy(server).await;
    let mut choice = proxy_at("127.0.0.1", proxy.port(), "wininet");
    choice.bypass = vec!["<local>".into(), "*.direct.example".into()];
    let mut cfg = config(vec![ca.der()], &[DIRECT], Duration::from_secs(5));
    cfg.proxy = Some(choice.clone());
    let results = probe_hosts(
        &[target(API, server.port()), target(DIRECT, server.port())],
        &cfg,
    )
    .await;
    assert!(results.iter().all(HostResult::reachable), "{results:#?}");
    assert!(results[0].via_proxy.is_some() && results[0].bypassed_by.is_none());
    assert_eq!(results[1].via_proxy, None);
    assert_eq!(results[1].bypassed_by.as_deref(), Some("*.direct.example"));
    let lines = seen.lock().unwrap().clone();
    // The handshake's tunnel and the request's: both for the proxied host only.
    assert!(!lines.is_empty());
    assert!(
        lines
            .iter()
            .all(|l| *l == format!("CONNECT {API}:{} HTTP/1.1", server.port())),
        "{lines:?}"
    );

    let all = findings(&Catalogue::embedded(), &report(results, Some(choice)));
    let host = finding(&all, &format!("network.host.{DIRECT}:{}", server.port()));
    assert!(host
        .evidence
        .iter()
        .any(|e| e.key == "evidence.proxy_bypassed" && e.value == "*.direct.example"));
    let proxy_f = finding(&all, "network.proxy");
    assert!(proxy_f
        .evidence
        .iter()
        .any(|e| e.key == "evidence.proxy_bypassed_host" && e.value.starts_with(DIRECT)));
}

/// Behaviour 14: with a Service Gateway's cloud-service extension everything goes through
/// the gateway except the region's log receiver, which is tested directly.
#[tokio::test]
async fn a_service_gateway_carries_everything_but_the_log_receiver() {
    let cat = Catalogue::embedded();
    let jp = RegionChoice::Chosen { code: "jp".into() };
    let ca = Ca::new("Test Vision One Root CA");
    const XLOGR: &str = "xlogr-ane1.xdr.trendmicro.com";
    let server = https_server(
        ca.server_config(&[API, XLOGR]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let (gateway, seen) = recording_connect_proxy(server).await;
    let choice = doctor_core::network::proxy::service_gateway(
        &format!("127.0.0.1:{}", gateway.port()),
        &cat,
        Some(&jp),
    )
    .unwrap();
    assert_eq!(choice.source, "service_gateway");
    assert_eq!(choice.bypass, [XLOGR]);
    assert_eq!(
        doctor_core::network::proxy::service_gateway("sg01.corp.local", &cat, Some(&jp))
            .unwrap()
            .port,
        8080
    );
    // The log receiver's name is answered locally: nothing reaches the internet.
    let mut cfg = config(vec![ca.der()], &[XLOGR], Duration::from_secs(5));
    cfg.proxy = Some(choice.clone());
    let results = probe_hosts(
        &[target(API, server.port()), target(XLOGR, server.port())],
        &cfg,
    )
    .await;
    assert!(results.iter().all(HostResult::reachable), "{results:#?}");
    assert!(results[0].via_proxy.is_some());
    assert_eq!(results[1].via_proxy, None);
    assert!(seen.lock().unwrap().iter().all(|l| l.contains(API)));

    let all = findings(&cat, &report(results, Some(choice)));
    let p = finding(&all, "network.proxy");
    assert_eq!(p.message.key, "network.proxy.service_gateway");
    assert!(rendered(p, Lang::En).contains(XLOGR));
    assert!(rendered(p, Lang::Ja).contains(XLOGR));

    // A dead gateway is one problem about the gateway.
    let dead = refused_port().await.port();
    let gone =
        doctor_core::network::proxy::service_gateway(&format!("127.0.0.1:{dead}"), &cat, Some(&jp))
            .unwrap();
    let rep = through_dead_proxy(gone).await;
    assert_one_proxy_problem(&rep, NetError::Refused, "Service Gateway");
}

/// Behaviour 6: the whole step returns when the budget ends even though the system
/// resolver it started is still blocked (the runtime does not wait for it).
#[cfg(target_os = "linux")]
#[test]
fn the_whole_step_returns_while_a_lookup_still_hangs() {
    let root = tempfile::tempdir().unwrap();
    let probe = doctor_core::probe::linux::LinuxProbe::new(root.path());
    let mut cfg = config(vec![], &[], Duration::from_millis(500));
    cfg.resolver = Some(doctor_core::network::live::Resolver(Arc::new(|_, _| {
        std::thread::sleep(Duration::from_secs(6));
        Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST)])
    })));
    let options = doctor_core::network::NetworkOptions {
        region: None,
        extra_hosts: vec![target("hangs.vision-one.invalid", 443)],
        proxy: None,
        service_gateway: None,
        config: cfg,
    };
    let start = Instant::now();
    let rep =
        doctor_core::network::run_blocking(&probe, &Catalogue::embedded(), &os_linux(), &options)
            .unwrap();
    let took = start.elapsed();
    if rep.proxy.is_none() {
        assert_eq!(
            rep.results[0].failure().map(|(s, e, _)| (s, e)),
            Some((StageName::Dns, NetError::DnsTimeout))
        );
    }
    // A sanity bound: far above the budget, far below the hanging lookup.
    assert!(took < Duration::from_secs(4), "took {took:?}");
}
