//! The console lookup against a fake of Vision One's API on 127.0.0.1: the four verdicts,
//! a 1,000-name list over many pages with one 429, refused keys, a network fault, and the
//! key staying home (no redirect, no foreign nextLink, in no output).
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod fake_api;

use doctor_core::finding::Status;
use doctor_core::inventory::{
    reconcile, ApiError, Client, ClientConfig, InventoryReport, Outcome, RegionHint, Secret,
    VerdictKind, Wanted,
};
use fake_api::{entry, Behaviour, FakeApi, Tripwire};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "eyJ0eXAiOiJKV1Qi.test-key-7f3a9c.signature";

fn config(url: &str) -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(10),
        skip_os_roots: true,
        ..ClientConfig::new(url)
    }
}

fn run(url: &str, wanted: &[Wanted], batch: usize, region: RegionHint) -> InventoryReport {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = Arc::new(Client::new(config(url), Secret::new(KEY).unwrap()).unwrap());
    rt.block_on(reconcile(&client, wanted, batch, region))
}

fn wanted(name: &str, id: Option<&str>) -> Wanted {
    Wanted {
        agent_id: id.map(str::to_owned),
        ..Wanted::named(name)
    }
}

fn behaviour() -> Behaviour {
    Behaviour {
        key: KEY.to_owned(),
        page_size: 2,
        ..Behaviour::default()
    }
}

fn assert_no_key(report: &InventoryReport) {
    let json = serde_json::to_string(report).unwrap();
    let csv = doctor_core::inventory::to_csv(report);
    let debug = format!("{report:?}");
    for (what, text) in [("json", &json), ("csv", &csv), ("debug", &debug)] {
        assert!(!text.contains(KEY), "the key is in the {what}");
        assert!(
            !text.contains("test-key-7f3a9c"),
            "part of the key is in the {what}"
        );
    }
}

#[test]
fn the_four_verdicts_come_out_of_the_fake() {
    let api = FakeApi::start(
        vec![
            entry(
                "PC-LISTED",
                "aaaaaaaa-0000-0000-0000-000000000001",
                "10.0.0.1",
            ),
            entry(
                "PC-OTHER",
                "cccccccc-0000-0000-0000-00000000000c",
                "10.0.0.3",
            ),
            entry("PC-DUP", "dddddddd-0000-0000-0000-000000000001", "10.0.0.4"),
            entry("PC-DUP", "dddddddd-0000-0000-0000-000000000002", "10.0.0.5"),
        ],
        behaviour(),
    );
    let list = [
        wanted("pc-listed", Some("AAAAAAAA-0000-0000-0000-000000000001")),
        wanted("PC-MISSING", None),
        // Its agent ID is listed under PC-OTHER: a clone.
        wanted("PC-CLONE", Some("cccccccc-0000-0000-0000-00000000000c")),
        wanted("PC-DUP", None),
    ];
    let report = run(&api.url, &list, 10, RegionHint::default());
    assert_eq!(report.error, None);
    let kinds: Vec<VerdictKind> = report.verdicts.iter().map(|v| v.verdict).collect();
    assert_eq!(
        kinds,
        [
            VerdictKind::Listed,
            VerdictKind::NotListed,
            VerdictKind::Clone,
            VerdictKind::Several
        ]
    );
    let listed = &report.verdicts[0];
    assert_eq!(listed.finding.status, Status::Pass);
    assert_eq!(
        listed.finding.message.params["guid"],
        "aaaaaaaa-0000-0000-0000-000000000001"
    );
    assert_eq!(listed.finding.message.params["updated"], fake_api::TIME);
    assert_eq!(
        report.verdicts[2].same_id_elsewhere[0].endpoint_name,
        "PC-OTHER"
    );
    assert_eq!(
        report.verdicts[2].finding.message.params["other"],
        "PC-OTHER"
    );
    assert_eq!(report.verdicts[3].by_name.len(), 2);
    for v in &report.verdicts[1..] {
        assert!(v.finding.remedy.is_some(), "{} has no remedy", v.finding.id);
    }
    assert_eq!((report.listed, report.missing), (2, 2));
    assert_eq!(report.outcome(), Outcome::SomeMissing);
    // Every request carried the key as a bearer token and a query in the documented syntax.
    for s in api.seen().iter() {
        assert_eq!(s.authorization.as_deref(), Some(&*format!("Bearer {KEY}")));
        assert!(s.query.as_deref().unwrap().contains(" eq '"));
    }
    assert_no_key(&report);
}

#[test]
fn a_thousand_names_over_many_pages_and_one_429_are_reconciled() {
    // 900 of 1,000 names are listed; every tenth name is missing. Names 0..=9 also have a
    // stale second entry, so the fake pages every query (page size 4, batches of 10).
    let mut records = Vec::new();
    for i in 0..1000 {
        if i % 10 != 7 {
            records.push(entry(
                &format!("PC-{i:04}"),
                &format!("00000000-0000-0000-0000-{i:012}"),
                "10.1.0.1",
            ));
        }
    }
    for i in (0..10).filter(|i| i % 10 != 7) {
        records.push(entry(
            &format!("PC-{i:04}"),
            &format!("99999999-0000-0000-0000-{i:012}"),
            "10.9.0.1",
        ));
    }
    let api = FakeApi::start(
        records,
        Behaviour {
            page_size: 4,
            rate_limit_first: Some("1"),
            ..behaviour()
        },
    );
    let list: Vec<Wanted> = (0..1000)
        .map(|i| Wanted::named(&format!("PC-{i:04}")))
        .collect();
    let report = run(&api.url, &list, 10, RegionHint::default());
    assert_eq!(report.error, None);
    assert_eq!(report.checked, 1000);
    assert_eq!(report.missing, 100);
    assert_eq!(report.listed, 900);
    for (i, v) in report.verdicts.iter().enumerate() {
        let expected = if i % 10 == 7 {
            VerdictKind::NotListed
        } else if i < 10 {
            VerdictKind::Several
        } else {
            VerdictKind::Listed
        };
        assert_eq!(v.verdict, expected, "{}", v.name);
        assert_eq!(v.name, format!("PC-{i:04}"));
    }
    // 100 queries; each answers 9 entries over 3 pages of 4, the first 18 over 5.
    assert_eq!(report.stats.retries_after_429, 1);
    assert_eq!(report.stats.pages, 100 * 3 + 2);
    assert_eq!(report.stats.requests, report.stats.pages + 1);
    assert_eq!(api.requests(), report.stats.requests);
    assert_no_key(&report);
}

#[test]
fn a_wrong_key_is_refused_and_nothing_more_is_asked() {
    let api = FakeApi::start(
        vec![entry("PC-1", "g1", "10.0.0.1")],
        Behaviour {
            key: "another-key".into(),
            ..behaviour()
        },
    );
    let list: Vec<Wanted> = (0..200)
        .map(|i| Wanted::named(&format!("PC-{i}")))
        .collect();
    let report = run(&api.url, &list, 10, RegionHint::default());
    assert!(matches!(report.error, Some(ApiError::KeyRefused { .. })));
    assert_eq!(report.outcome(), Outcome::KeyRefused);
    assert!(report.verdicts.is_empty(), "no verdicts without answers");
    let f = report.error_finding.as_ref().unwrap();
    assert_eq!(f.id, "inventory.error.key_refused");
    assert_eq!(
        f.remedy.as_ref().unwrap().key,
        "inventory.error.key_refused.remedy"
    );
    assert!(f
        .evidence
        .iter()
        .any(|e| e.value.contains("InvalidCredentials")));
    // The first refusals stop the rest: far fewer than the 20 queries were sent.
    assert!(api.requests() < 20, "{} requests", api.requests());
    assert_no_key(&report);
}

#[test]
fn a_refused_key_with_the_agent_in_another_region_names_the_region() {
    let api = FakeApi::start(
        vec![],
        Behaviour {
            status: Some(401),
            ..behaviour()
        },
    );
    let hint = RegionHint {
        asked: Some("us".into()),
        agent: Some("jp".into()),
    };
    let report = run(&api.url, &[Wanted::named("PC-1")], 10, hint);
    let f = report.error_finding.unwrap();
    assert_eq!(f.id, "inventory.error.region");
    assert_eq!(f.message.params["agent"], "@l10n:region.jp");
}

#[test]
fn a_role_without_permission_is_reported_as_such() {
    let api = FakeApi::start(
        vec![],
        Behaviour {
            status: Some(403),
            ..behaviour()
        },
    );
    let report = run(
        &api.url,
        &[Wanted::named("PC-1")],
        10,
        RegionHint::default(),
    );
    assert!(matches!(report.error, Some(ApiError::Forbidden { .. })));
    assert_eq!(report.outcome(), Outcome::KeyRefused);
    assert_eq!(
        report.error_finding.unwrap().id,
        "inventory.error.forbidden"
    );
}

#[test]
fn an_unreachable_api_gets_step_2s_diagnosis() {
    // A port that was just free: nothing listens, the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let report = run(&url, &[Wanted::named("PC-1")], 10, RegionHint::default());
    assert!(matches!(report.error, Some(ApiError::Network { .. })));
    assert_eq!(report.outcome(), Outcome::Unreachable);
    let f = report.error_finding.unwrap();
    assert_eq!(f.id, "inventory.error.network");
    assert_eq!(f.remedy.unwrap().key, "network.remedy.refused");
    assert!(f
        .evidence
        .iter()
        .any(|e| e.key == "evidence.inventory_stage"));
}

#[test]
fn a_next_link_to_another_origin_is_not_followed() {
    let elsewhere = Tripwire::start();
    let api = FakeApi::start(
        vec![
            entry("PC-1", "g1", "10.0.0.1"),
            entry("PC-1", "g2", "10.0.0.2"),
            entry("PC-1", "g3", "10.0.0.3"),
        ],
        Behaviour {
            page_size: 1,
            next_origin: Some(elsewhere.url.clone()),
            ..behaviour()
        },
    );
    let report = run(
        &api.url,
        &[Wanted::named("PC-1")],
        10,
        RegionHint::default(),
    );
    assert!(
        matches!(&report.error, Some(ApiError::ForeignLink { origin }) if *origin == elsewhere.url),
        "{:?}",
        report.error
    );
    assert_eq!(elsewhere.hits(), 0, "the key went to another server");
    assert_eq!(
        report.error_finding.unwrap().id,
        "inventory.error.foreign_link"
    );
}

#[test]
fn a_redirect_is_not_followed() {
    let elsewhere = Tripwire::start();
    let api = FakeApi::start(
        vec![],
        Behaviour {
            redirect_to: Some(format!("{}/v3.0/eiqs/endpoints", elsewhere.url)),
            ..behaviour()
        },
    );
    let report = run(
        &api.url,
        &[Wanted::named("PC-1")],
        10,
        RegionHint::default(),
    );
    assert!(matches!(
        report.error,
        Some(ApiError::Http { status: 302, .. })
    ));
    assert_eq!(elsewhere.hits(), 0, "the key followed a redirect");
}

#[test]
fn agent_ids_are_asked_for_by_agent_guid() {
    let api = FakeApi::start(
        vec![entry(
            "PC-OTHER",
            "cccccccc-0000-0000-0000-00000000000c",
            "10.0.0.3",
        )],
        behaviour(),
    );
    let list = [wanted(
        "PC-CLONE",
        Some("cccccccc-0000-0000-0000-00000000000c"),
    )];
    let report = run(&api.url, &list, 10, RegionHint::default());
    let queries: Vec<String> = api.seen().iter().filter_map(|s| s.query.clone()).collect();
    assert!(queries.contains(&"(endpointName eq 'PC-CLONE')".to_owned()));
    assert!(queries.contains(&"(agentGuid eq 'cccccccc-0000-0000-0000-00000000000c')".to_owned()));
    assert_eq!(report.verdicts[0].verdict, VerdictKind::Clone);
}
