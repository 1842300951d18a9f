//! Step 2's live progress and its stop switch, against servers on 127.0.0.1 only: the
//! observer hears of every stage of every host in order and the report says the same; a
//! cancel ends a run that only the cancel could end, and what it stopped is reported as not
//! tested — never as passed. No test reaches the internet; none asserts on time.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod support;

use doctor_core::catalogue::HostEntry;
use doctor_core::checks::reach::findings;
use doctor_core::finding::{Finding, Status};
use doctor_core::netfacts::{HostResult, NetEvent, NetworkReport, StageOutcome};
use doctor_core::network::{probe_hosts, Cancel, NetConfig, NetworkOptions, Observer, StageName};
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::probe::{self, Probe};
use doctor_core::{diagnose_with, Catalogue, Options};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::*;

const GOOD: &str = "api-good.xbc.example";
const SLOW_A: &str = "wsc-silent.xbc.example";
const SLOW_B: &str = "telemetry-silent.xbc.example";
const LATE: &str = "upload-waiting.xbc.example";

/// Every event the observer heard, in order.
fn recorder() -> (Observer, Arc<Mutex<Vec<NetEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    (Observer::new(move |e| keep.lock().unwrap().push(e)), seen)
}

fn report(results: Vec<HostResult>) -> NetworkReport {
    NetworkReport {
        region: Some(doctor_core::netfacts::RegionChoice::Chosen { code: "jp".into() }),
        proxy: None,
        pac_url: None,
        timeout_secs: 600,
        root_cause: None,
        cancelled: results.iter().any(|r| r.stopped),
        results,
        checked_at: None,
        only_given_hosts: false,
        region_hosts_unknown: false,
        pac_evaluated: false,
    }
}

fn finding<'a>(all: &'a [Finding], id: &str) -> &'a Finding {
    all.iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no finding {id}: {all:#?}"))
}

/// What the events say about host `index`: its stages in the order they were told, and
/// whether it started and ended (and the result it ended with).
struct Told {
    started: bool,
    stages: Vec<(StageName, StageOutcome)>,
    done: Option<HostResult>,
}

fn told(events: &[NetEvent], index: usize) -> Told {
    let mut t = Told {
        started: false,
        stages: Vec::new(),
        done: None,
    };
    for e in events {
        match e {
            NetEvent::HostStarted { index: i } if *i == index => {
                assert!(!t.started, "host {index} started twice");
                assert!(t.done.is_none(), "host {index} started after it ended");
                t.started = true;
            }
            NetEvent::Stage {
                index: i,
                stage,
                outcome,
            } if *i == index => {
                assert!(t.started, "a stage of host {index} before it started");
                assert!(t.done.is_none(), "a stage of host {index} after it ended");
                t.stages.push((*stage, *outcome));
            }
            NetEvent::HostDone { index: i, result } if *i == index => {
                assert!(t.done.is_none(), "host {index} ended twice");
                t.done = Some(HostResult::clone(result));
            }
            _ => {}
        }
    }
    t
}

/// The stages told for a host are its first stages in their order, each as the final
/// result has it, and every stage not told is `NotRun` there.
fn assert_told_as_reported(t: &Told, result: &HostResult) {
    let all = result.outcomes();
    assert!(t.stages.len() <= all.len());
    for (n, (stage, outcome)) in all.iter().enumerate() {
        match t.stages.get(n) {
            Some(told) => assert_eq!(told, &(*stage, *outcome), "stage {n} of {result:#?}"),
            None => assert_eq!(*outcome, StageOutcome::NotRun, "{stage:?} not told"),
        }
    }
    assert_eq!(
        t.done.as_ref(),
        Some(result),
        "the result told is the result returned"
    );
}

#[tokio::test]
async fn every_stage_of_every_host_is_told_in_order_and_matches_the_report() {
    let ca = Ca::new("Test Vision One Root CA");
    let good = https_server(
        ca.server_config(&[GOOD]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let refused = refused_port().await;
    let inspected = https_server(
        Ca::new("Corp Inspection CA").server_config(&["inspected.xbc.example"]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let targets = vec![
        target(GOOD, good.port()),
        target("refused.xbc.example", refused.port()),
        target("inspected.xbc.example", inspected.port()),
        target("bad name.xbc.example", 443),
    ];
    let mut cfg = config(
        vec![ca.der()],
        &[GOOD, "refused.xbc.example", "inspected.xbc.example"],
        Duration::from_secs(10),
    );
    let (observer, seen) = recorder();
    cfg.observer = observer;
    let results = probe_hosts(&targets, &cfg).await;
    let events = seen.lock().unwrap().clone();

    // The targets come first, once, in the report's order.
    match &events[0] {
        NetEvent::Targets { hosts, via_proxy } => {
            assert_eq!(hosts, &targets);
            assert_eq!(via_proxy, &vec![None; 4]);
        }
        other => panic!("the first event is not the targets: {other:?}"),
    }
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, NetEvent::Targets { .. }))
            .count(),
        1
    );
    assert_eq!(results.len(), 4);
    for (i, r) in results.iter().enumerate() {
        let t = told(&events, i);
        assert!(t.started, "host {i} never started");
        assert!(!r.stopped);
        assert_told_as_reported(&t, r);
    }
    let names =
        |i: usize| -> Vec<StageName> { told(&events, i).stages.iter().map(|s| s.0).collect() };
    use StageName::*;
    // Reachable directly: every stage, the proxy's passed over.
    assert!(results[0].reachable(), "{:#?}", results[0]);
    assert_eq!(names(0), [Dns, Tcp, Proxy, Tls, Http]);
    assert_eq!(told(&events, 0).stages[2].1, StageOutcome::NotRun);
    assert!(matches!(
        told(&events, 0).stages[4].1,
        StageOutcome::Ok { .. }
    ));
    // Refused: it ends at the connection.
    assert_eq!(names(1), [Dns, Tcp]);
    assert!(matches!(
        told(&events, 1).stages[1].1,
        StageOutcome::Failed {
            error: doctor_core::netfacts::NetError::Refused,
            ..
        }
    ));
    // Inspected: it ends at TLS.
    assert_eq!(names(2), [Dns, Tcp, Proxy, Tls]);
    // Not a host name: it ends before the network.
    assert_eq!(names(3), [Dns]);
}

#[tokio::test]
async fn through_a_proxy_the_proxy_stage_is_told_between_the_connection_and_tls() {
    let ca = Ca::new("Test Vision One Root CA");
    let server = https_server(
        ca.server_config(&[GOOD]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let proxy = connect_proxy(server, false).await;
    let mut cfg = config(vec![ca.der()], &[GOOD], Duration::from_secs(10));
    cfg.proxy = Some(doctor_core::netfacts::ProxyChoice {
        host: "127.0.0.1".into(),
        port: proxy.port(),
        source: "flag".into(),
        display: format!("127.0.0.1:{}", proxy.port()),
        bypass: Vec::new(),
    });
    let (observer, seen) = recorder();
    cfg.observer = observer;
    let results = probe_hosts(&[target(GOOD, 443)], &cfg).await;
    let events = seen.lock().unwrap().clone();
    match &events[0] {
        NetEvent::Targets { via_proxy, .. } => {
            assert_eq!(
                via_proxy,
                &vec![Some(format!("127.0.0.1:{}", proxy.port()))]
            );
        }
        other => panic!("{other:?}"),
    }
    let t = told(&events, 0);
    assert!(results[0].reachable(), "{:#?}", results[0]);
    assert_told_as_reported(&t, &results[0]);
    assert!(t
        .stages
        .iter()
        .all(|(_, o)| matches!(o, StageOutcome::Ok { .. })));
}

/// A probe that is the scenario's machine but has no recorded network, so step 2 is
/// really probed (against loopback servers only).
struct Unrecorded(FixtureProbe);

impl Probe for Unrecorded {
    fn source(&self) -> probe::ProbeSource {
        self.0.source()
    }
    fn os(&self) -> Result<probe::OsFacts, probe::ProbeError> {
        self.0.os()
    }
    fn processes(&self) -> Result<Vec<probe::ProcessInfo>, probe::ProbeError> {
        self.0.processes()
    }
    fn service(&self, name: &str) -> Result<probe::ServiceInfo, probe::ProbeError> {
        self.0.service(name)
    }
    fn path_kind(&self, path: &str) -> Result<probe::PathKind, probe::ProbeError> {
        self.0.path_kind(path)
    }
    fn file_size(&self, path: &str) -> Result<u64, probe::ProbeError> {
        self.0.file_size(path)
    }
    fn list_dir(&self, path: &str) -> Result<Vec<probe::DirEntry>, probe::ProbeError> {
        self.0.list_dir(path)
    }
    fn read_tail(&self, path: &str, max_bytes: u64) -> Result<Vec<u8>, probe::ProbeError> {
        self.0.read_tail(path, max_bytes)
    }
    fn registry_value(
        &self,
        key: &str,
        value: &str,
    ) -> Result<Option<probe::RegistryValue>, probe::ProbeError> {
        self.0.registry_value(key, value)
    }
    fn trusted_root_thumbprints(&self) -> Result<Vec<String>, probe::ProbeError> {
        self.0.trusted_root_thumbprints()
    }
    fn proxy(&self) -> Result<probe::ProxySettings, probe::ProbeError> {
        Ok(probe::ProxySettings::default())
    }
    fn free_space(&self, path: &str) -> Result<u64, probe::ProbeError> {
        self.0.free_space(path)
    }
}

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../tests/fixtures/scenarios/{name}.json"))
}

fn given(host: &str, port: u16) -> HostEntry {
    HostEntry {
        host: host.into(),
        port,
        purpose: "custom".into(),
        optional: false,
    }
}

#[tokio::test]
async fn a_cancel_stops_a_run_only_it_could_end_and_nothing_it_stopped_passes() {
    let ca = Ca::new("Test Vision One Root CA");
    let good = https_server(
        ca.server_config(&[GOOD]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    // Two at a time: the good host and a silent one start; when the good one is done a
    // second silent one takes its turn, and the two silent ones, which accept the connection
    // and never answer the handshake, hold both turns, so the third silent host never
    // starts. With ten minutes per host, only the cancel ends this run.
    let silent = black_hole().await;
    let mut cfg = config(
        vec![ca.der()],
        &[GOOD, SLOW_A, SLOW_B, LATE],
        Duration::from_secs(600),
    );
    cfg.concurrency = 2;
    // The agent trusts the test's root (else the engine's own roots would make it inspection).
    cfg.agent_roots = vec![thumbprint(ca.der().as_ref())];
    // No name outside this test is ever looked up.
    cfg.resolver = Some(doctor_core::network::live::Resolver(Arc::new(|name, _| {
        Err(std::io::Error::other(format!(
            "{name}: not looked up in tests"
        )))
    })));
    let cancel = Cancel::new();
    cfg.cancel = cancel.clone();
    // The observer passes every event on, so the test can wait for the moment to cancel.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<NetEvent>();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    cfg.observer = Observer::new(move |e: NetEvent| {
        keep.lock().unwrap().push(e.clone());
        let _ = tx.send(e);
    });
    let options = Options {
        network: Some(NetworkOptions {
            region: None,
            extra_hosts: vec![
                given(GOOD, good.port()),
                given(SLOW_A, silent.port()),
                given(SLOW_B, silent.port()),
                given(LATE, silent.port()),
            ],
            config: cfg,
            ..NetworkOptions::default()
        }),
        ..Options::default()
    };
    // No agent, so no region: only the hosts given here are tested.
    let probe =
        Unrecorded(FixtureProbe::load(&scenario("windows-basecamp-not-installed")).unwrap());
    let run = std::thread::spawn(move || diagnose_with(&probe, &options).unwrap());

    // Cancel once the good host is done and two silent ones hang in the handshake.
    let (mut good_done, mut hanging) = (false, Vec::new());
    while !(good_done && hanging.len() == 2) {
        // Bounded, so a run that never reaches that point fails at once with what it told
        // (instead of after the hosts' ten-minute timeouts).
        let next = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "no event for 60 s (good done: {good_done}, hanging: {hanging:?}): {:#?}",
                    seen.lock().unwrap()
                )
            });
        match next.expect("the run ended before it was cancelled") {
            NetEvent::Targets { hosts, .. } => {
                let names: Vec<&str> = hosts.iter().map(|h| h.host.as_str()).collect();
                assert_eq!(names, [GOOD, SLOW_A, SLOW_B, LATE]);
            }
            NetEvent::HostDone { index: 0, .. } => good_done = true,
            NetEvent::Stage {
                index: i @ 1..=3,
                stage: StageName::Tcp,
                outcome: StageOutcome::Ok { .. },
            } => hanging.push(i),
            _ => {}
        }
    }
    cancel.cancel();
    // Only the cancel can end the run now: a bound against hanging the test forever.
    let d = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::task::spawn_blocking(move || run.join()),
    )
    .await
    .expect("the cancel did not stop the run")
    .unwrap()
    .unwrap();

    let net = d.network.as_ref().unwrap();
    assert!(net.cancelled, "the report does not say it was stopped");
    assert!(net.root_cause.is_none(), "a stopped run names a cause");
    let r = &net.results;
    assert_eq!(r.len(), 4);
    assert!(!r[0].stopped && r[0].reachable(), "{:#?}", r[0]);
    let waiting = (1..=3).find(|i| !hanging.contains(i)).unwrap();
    for hung in hanging.iter().map(|&i| &r[i]) {
        assert!(hung.stopped, "{hung:#?}");
        assert!(hung.dns.value().is_some() && hung.tcp.value().is_some());
        assert_eq!(hung.tls.outcome(), StageOutcome::NotRun, "{hung:#?}");
        assert_eq!(hung.http.outcome(), StageOutcome::NotRun);
        assert!(!hung.reachable() && !hung.unreachable() && hung.failure().is_none());
    }
    assert!(r[waiting].stopped);
    assert!(
        r[waiting]
            .outcomes()
            .iter()
            .all(|(_, o)| *o == StageOutcome::NotRun),
        "a host that never started has results: {:#?}",
        r[waiting]
    );
    // Every host was told as ended, with the result the report has.
    let events = seen.lock().unwrap().clone();
    for (i, result) in r.iter().enumerate() {
        assert_eq!(told(&events, i).done.as_ref(), Some(result), "host {i}");
    }
    assert!(
        !told(&events, waiting).started,
        "the waiting host was said to start"
    );

    // The judgement: step 2 is not checked, with the reason and what to do; nothing
    // stopped passes, and nothing is blamed on the hosts not tested.
    let summary = finding(&d.findings, "network.summary");
    assert_eq!(summary.status, Status::Skipped);
    assert_eq!(summary.message.key, "network.summary.cancelled");
    assert_eq!(summary.message.params["tested"], "1");
    assert_eq!(summary.message.params["hosts"], "4");
    assert_eq!(
        summary.remedy.as_ref().unwrap().key,
        "network.summary.cancelled.remedy"
    );
    for (host, port) in [
        (SLOW_A, silent.port()),
        (SLOW_B, silent.port()),
        (LATE, silent.port()),
    ] {
        let f = finding(&d.findings, &format!("network.host.{host}:{port}"));
        assert_eq!(f.message.key, "network.host.stopped");
        assert!(!matches!(f.status, Status::Pass | Status::Fail), "{f:#?}");
    }
    assert_eq!(
        finding(&d.findings, &format!("network.host.{GOOD}:{}", good.port())).status,
        Status::Pass
    );
    for lang in doctor_core::Lang::ALL {
        let text = doctor_core::present::note::render(net, &d.os, &Catalogue::embedded(), lang);
        let l = doctor_core::Locale::get(lang);
        let all_ok = l.text("note.all_ok");
        assert!(
            !text.contains(all_ok.split('{').next().unwrap()),
            "the note says all is fine: {text}"
        );
        assert!(
            !text.contains(SLOW_A),
            "the note blames a host not tested: {text}"
        );
    }
}

#[tokio::test]
async fn a_cancel_before_the_run_starts_tests_nothing_and_says_so() {
    let silent = black_hole().await;
    let mut cfg = config(vec![], &[SLOW_A], Duration::from_secs(600));
    cfg.cancel.cancel();
    let (observer, seen) = recorder();
    cfg.observer = observer;
    let results = probe_hosts(&[target(SLOW_A, silent.port())], &cfg).await;
    assert!(results[0].stopped);
    assert!(results[0]
        .outcomes()
        .iter()
        .all(|(_, o)| *o == StageOutcome::NotRun));
    let all = findings(&Catalogue::embedded(), &report(results));
    let summary = finding(&all, "network.summary");
    assert_eq!(summary.status, Status::Skipped);
    // The region's line does not claim its hosts were checked.
    assert_eq!(
        finding(&all, "network.region").message.key,
        "network.region.chosen.stopped"
    );
    assert!(all
        .iter()
        .all(|f| f.status != Status::Pass || f.id == "network.clock"));
    assert!(matches!(
        seen.lock().unwrap().last(),
        Some(NetEvent::HostDone { index: 0, .. })
    ));
}

#[test]
fn a_replayed_scenario_tells_its_recorded_results_the_same_way() {
    let probe = FixtureProbe::load(&scenario("windows-tls-inspection")).unwrap();
    let (observer, seen) = recorder();
    let options = Options {
        network: Some(NetworkOptions {
            region: Some("jp".into()),
            config: NetConfig {
                observer,
                ..NetConfig::default()
            },
            ..NetworkOptions::default()
        }),
        ..Options::default()
    };
    let d = diagnose_with(&probe, &options).unwrap();
    let net = d.network.unwrap();
    assert!(!net.cancelled);
    let events = seen.lock().unwrap().clone();
    assert_eq!(net.results.len(), 3, "the scenario records three hosts");
    for (i, r) in net.results.iter().enumerate() {
        let t = told(&events, i);
        assert!(t.started);
        assert_told_as_reported(&t, r);
    }
}
