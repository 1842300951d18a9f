//! Every scenario in tests/fixtures/scenarios gives exactly the findings written here, and
//! renders completely in both languages.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use doctor_core::finding::Status::{self, *};
use doctor_core::present::report::{keys_of, Report};
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::{diagnose_with, Catalogue, Diagnosis, Lang, Locale, Options};
use std::path::PathBuf;

fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scenarios")
}

fn diagnose(name: &str) -> Diagnosis {
    let path = scenario_dir().join(format!("{name}.json"));
    let probe = FixtureProbe::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    diagnose_with(&probe, &Options::default()).expect("checks run")
}

type Expected<'a> = [(&'a str, Status, &'a str)];

fn assert_findings(name: &str, expected: &Expected) -> Diagnosis {
    let d = diagnose(name);
    let got: Vec<(String, Status, String)> = d
        .findings
        .iter()
        .map(|f| (f.id.clone(), f.status, f.message.key.clone()))
        .collect();
    let want: Vec<(String, Status, String)> = expected
        .iter()
        .map(|(i, s, k)| ((*i).to_owned(), *s, (*k).to_owned()))
        .collect();
    assert_eq!(got, want, "scenario {name}");
    d
}

/// The findings every healthy Windows endpoint shares after step 1.
const HEALTHY_WINDOWS_STEP1: [(&str, Status, &str); 5] = [
    (
        "agent.basecamp.process",
        Pass,
        "agent.basecamp.process.pass",
    ),
    ("agent.basecamp.service", Pass, "agent.service.running"),
    ("agent.wsc.service", Pass, "agent.service.running"),
    ("agent.sensor.service", Pass, "agent.service.running"),
    ("agent.registration", Pass, "agent.registration.pass"),
];

fn windows(
    step1: &[(&'static str, Status, &'static str)],
    apex: (Status, &'static str),
    ds: (Status, &'static str),
    system: [(Status, &'static str); 5],
) -> Vec<(&'static str, Status, &'static str)> {
    let mut v = step1.to_vec();
    v.push(("coexist.apex_one", apex.0, apex.1));
    v.push(("coexist.deep_security", ds.0, ds.1));
    if apex.1 != "coexist.apex_one.none" {
        // Apex One next to the Vision One agent: the master-image risk is explained.
        v.push(("identity.clone_risk", Info, "identity.clone_risk.info"));
    }
    let [os, res, disk, tls, roots] = system;
    v.extend([
        ("system.os", os.0, os.1),
        ("system.architecture", Info, "system.architecture.info"),
        ("system.host", Info, "system.host.info"),
        ("system.resources", res.0, res.1),
        ("system.disk", disk.0, disk.1),
        ("system.tls12", tls.0, tls.1),
        ("system.root_cas", roots.0, roots.1),
        ("system.proxy", Info, "system.proxy.none"),
    ]);
    v
}

const NO_APEX: (Status, &str) = (Info, "coexist.apex_one.none");
const NO_DS: (Status, &str) = (Info, "coexist.deep_security.none");
const SYSTEM_OK: [(Status, &str); 5] = [
    (Pass, "system.os.supported"),
    (Pass, "system.resources.pass"),
    (Pass, "system.disk.pass"),
    (Pass, "system.tls12.pass"),
    (Pass, "system.root_cas.pass"),
];

fn question_ids(d: &Diagnosis) -> Vec<String> {
    d.coexistence
        .questions
        .iter()
        .map(|q| format!("{}{}", q.id, if q.required { "" } else { "?" }))
        .collect()
}

/// Step 1 of a healthy Windows scenario that also records its scheduled tasks.
fn with_task(task: (Status, &'static str)) -> Vec<(&'static str, Status, &'static str)> {
    let mut v = HEALTHY_WINDOWS_STEP1.to_vec();
    v.push(("agent.basecamp.task", task.0, task.1));
    v
}

#[test]
fn healthy_windows_64_bit_passes_everything_and_uses_the_x86_log_folder() {
    let d = assert_findings(
        "windows-64-healthy",
        &windows(
            &with_task((Pass, "agent.basecamp.task.enabled")),
            NO_APEX,
            NO_DS,
            SYSTEM_OK,
        ),
    );
    assert_eq!(d.summary.exit_code(), 0);
    let arch = d
        .findings
        .iter()
        .find(|f| f.id == "system.architecture")
        .unwrap();
    let log = arch
        .evidence
        .iter()
        .find(|e| e.key == "evidence.log_dir")
        .unwrap();
    assert_eq!(
        log.value,
        r"C:\Program Files (x86)\Trend Micro\Endpoint Basecamp\log"
    );
    let process = &d.findings[0];
    assert!(process
        .evidence
        .iter()
        .any(|e| e.value.contains("PID 4120")));
    assert_eq!(question_ids(&d), ["business_id", "basecamp_logs"]);
}

#[test]
fn healthy_windows_32_bit_reads_the_registry_without_wow6432node() {
    let d = assert_findings(
        "windows-32-healthy",
        &windows(&HEALTHY_WINDOWS_STEP1, NO_APEX, NO_DS, SYSTEM_OK),
    );
    let reg = d
        .findings
        .iter()
        .find(|f| f.id == "agent.registration")
        .unwrap();
    assert!(reg
        .evidence
        .iter()
        .any(|e| e.value == r"HKLM\SOFTWARE\TrendMicro\TMSecurityService\xdr_device_id"));
    let arch = d
        .findings
        .iter()
        .find(|f| f.id == "system.architecture")
        .unwrap();
    assert!(arch
        .evidence
        .iter()
        .any(|e| e.value == r"C:\Program Files\Trend Micro\Endpoint Basecamp\log"));
}

#[test]
fn missing_basecamp_fails_with_the_agent_installer_remedy() {
    let d = assert_findings(
        "windows-basecamp-not-installed",
        &windows(
            &[
                (
                    "agent.basecamp.process",
                    Fail,
                    "agent.basecamp.process.missing",
                ),
                (
                    "agent.basecamp.service",
                    Fail,
                    "agent.service.basecamp.not_installed",
                ),
                ("agent.wsc.service", Skipped, "agent.service.needs_basecamp"),
                (
                    "agent.sensor.service",
                    Skipped,
                    "agent.service.needs_basecamp",
                ),
                (
                    "agent.registration",
                    Skipped,
                    "agent.registration.not_installed",
                ),
            ],
            NO_APEX,
            NO_DS,
            SYSTEM_OK,
        ),
    );
    assert_eq!(d.summary.exit_code(), 2);
    assert_eq!(
        d.findings[0].remedy.as_ref().unwrap().key,
        "agent.basecamp.process.missing.remedy.windows"
    );
}

#[test]
fn stopped_basecamp_asks_to_start_the_service_not_to_reinstall() {
    let d = assert_findings(
        "windows-basecamp-stopped",
        &windows(
            &[
                (
                    "agent.basecamp.process",
                    Fail,
                    "agent.basecamp.process.stopped",
                ),
                ("agent.basecamp.service", Fail, "agent.service.stopped"),
                ("agent.wsc.service", Warn, "agent.service.stopped"),
                ("agent.sensor.service", Warn, "agent.service.disabled"),
                ("agent.registration", Pass, "agent.registration.pass"),
            ],
            NO_APEX,
            NO_DS,
            SYSTEM_OK,
        ),
    );
    assert_eq!(
        d.findings[0].remedy.as_ref().unwrap().key,
        "agent.basecamp.process.stopped.remedy.windows"
    );
}

#[test]
fn running_but_unregistered_basecamp_is_a_warning() {
    let d = assert_findings(
        "windows-running-unregistered",
        &windows(
            &[
                (
                    "agent.basecamp.process",
                    Pass,
                    "agent.basecamp.process.pass",
                ),
                ("agent.basecamp.service", Pass, "agent.service.running"),
                ("agent.wsc.service", Warn, "agent.service.wsc.not_installed"),
                (
                    "agent.sensor.service",
                    Warn,
                    "agent.service.sensor.not_installed",
                ),
                (
                    "agent.registration",
                    Warn,
                    "agent.registration.running_unregistered",
                ),
            ],
            NO_APEX,
            NO_DS,
            SYSTEM_OK,
        ),
    );
    assert_eq!(d.summary.exit_code(), 1);
}

#[test]
fn apex_one_saas_agent_is_classified_by_its_server_and_asks_for_saas_details() {
    let d = assert_findings(
        "windows-apexone-saas",
        &windows(
            &HEALTHY_WINDOWS_STEP1,
            (Info, "coexist.apex_one.saas"),
            NO_DS,
            SYSTEM_OK,
        ),
    );
    let apex = d.coexistence.apex_one.as_ref().unwrap();
    assert_eq!(apex.server.as_deref(), Some("xj7k2m.manage.trendmicro.com"));
    assert_eq!(
        apex.guid.as_deref(),
        Some("1b2c3d4e-5f60-4718-9a0b-c1d2e3f4a5b6")
    );
    assert_eq!(
        question_ids(&d),
        [
            "business_id",
            "basecamp_logs",
            "apex_one_saas_server",
            "on_premises_server?"
        ]
    );
    assert_eq!(d.coexistence.connection_switch_relevant, None);
}

#[test]
fn on_premises_apex_one_points_to_step_3_and_asks_for_the_old_server() {
    let d = assert_findings(
        "windows-apexone-onprem-migrated",
        &windows(
            &[
                (
                    "agent.basecamp.process",
                    Pass,
                    "agent.basecamp.process.pass",
                ),
                ("agent.basecamp.service", Pass, "agent.service.running"),
                ("agent.wsc.service", Warn, "agent.service.wsc.not_installed"),
                (
                    "agent.sensor.service",
                    Warn,
                    "agent.service.sensor.not_installed",
                ),
                (
                    "agent.registration",
                    Warn,
                    "agent.registration.running_unregistered",
                ),
            ],
            (Info, "coexist.apex_one.on_premises"),
            NO_DS,
            SYSTEM_OK,
        ),
    );
    assert_eq!(d.coexistence.connection_switch_relevant, Some(true));
    assert_eq!(
        question_ids(&d),
        ["business_id", "basecamp_logs", "on_premises_server"]
    );
}

#[test]
fn deep_security_agent_is_found_with_its_version() {
    let d = assert_findings(
        "windows-deep-security",
        &windows(
            &HEALTHY_WINDOWS_STEP1,
            NO_APEX,
            (Info, "coexist.deep_security.present"),
            SYSTEM_OK,
        ),
    );
    let ds = d.coexistence.deep_security.as_ref().unwrap();
    assert_eq!(ds.version.as_deref(), Some("20.0.1-21510"));
    assert_eq!(ds.services, ["ds_agent", "ds_notifier", "AMSP"]);
    assert!(question_ids(&d).contains(&"deep_security".to_owned()));
}

#[test]
fn windows_server_2008_r2_is_unsupported_and_short_of_resources() {
    assert_findings(
        "windows-unsupported-os",
        &windows(
            &HEALTHY_WINDOWS_STEP1,
            NO_APEX,
            NO_DS,
            [
                (Fail, "system.os.unsupported"),
                (Warn, "system.resources.low"),
                (Fail, "system.disk.low"),
                (Warn, "system.tls12.old_windows_default"),
                (Pass, "system.root_cas.pass"),
            ],
        ),
    );
}

#[test]
fn missing_root_cas_are_named() {
    let d = assert_findings(
        "windows-missing-root-cas",
        &windows(
            &HEALTHY_WINDOWS_STEP1,
            NO_APEX,
            NO_DS,
            [
                (Pass, "system.os.supported"),
                (Pass, "system.resources.pass"),
                (Pass, "system.disk.pass"),
                (Pass, "system.tls12.pass"),
                (Fail, "system.root_cas.missing"),
            ],
        ),
    );
    let f = d
        .findings
        .iter()
        .find(|f| f.id == "system.root_cas")
        .unwrap();
    assert_eq!(f.message.params["count"], "3");
    assert_eq!(f.message.params["checked"], "13");
    let missing: Vec<_> = f
        .evidence
        .iter()
        .filter(|e| e.key == "evidence.missing_ca")
        .map(|e| e.value.as_str())
        .collect();
    assert_eq!(missing.len(), 3);
    assert!(missing[0].starts_with("DigiCert Trusted Root G4 (DDFB16CD"));
}

#[test]
fn tls12_disabled_in_schannel_fails() {
    let d = assert_findings(
        "windows-tls12-disabled",
        &windows(
            &HEALTHY_WINDOWS_STEP1,
            NO_APEX,
            NO_DS,
            [
                (Pass, "system.os.supported"),
                (Pass, "system.resources.pass"),
                (Pass, "system.disk.pass"),
                (Fail, "system.tls12.disabled"),
                (Pass, "system.root_cas.pass"),
            ],
        ),
    );
    let f = d.findings.iter().find(|f| f.id == "system.tls12").unwrap();
    assert!(f.remedy.as_ref().unwrap().params["key"].contains(r"TLS 1.2\Client"));
}

#[test]
fn healthy_linux_checks_only_the_tls_roots() {
    let d = assert_findings(
        "linux-healthy",
        &[
            (
                "agent.basecamp.process",
                Pass,
                "agent.basecamp.process.pass",
            ),
            ("agent.basecamp.service", Pass, "agent.service.running"),
            ("agent.wsc.service", Info, "agent.service.not_on_linux"),
            ("agent.sensor.service", Info, "agent.service.not_on_linux"),
            ("agent.registration", Pass, "agent.registration.pass"),
            ("coexist.apex_one", Info, "coexist.apex_one.not_on_linux"),
            ("coexist.deep_security", Info, "coexist.deep_security.none"),
            ("system.os", Pass, "system.os.supported"),
            ("system.architecture", Info, "system.architecture.info"),
            ("system.host", Info, "system.host.info"),
            ("system.resources", Pass, "system.resources.pass"),
            ("system.disk", Pass, "system.disk.pass"),
            ("system.tls12", Info, "system.tls12.not_windows"),
            ("system.root_cas", Pass, "system.root_cas.pass"),
            ("system.proxy", Info, "system.proxy.configured"),
        ],
    );
    assert_eq!(d.summary.exit_code(), 0);
}

#[test]
fn linux_without_the_agent_fails_step_1() {
    let d = assert_findings(
        "linux-no-agent",
        &[
            (
                "agent.basecamp.process",
                Fail,
                "agent.basecamp.process.missing",
            ),
            (
                "agent.basecamp.service",
                Fail,
                "agent.service.basecamp.not_installed",
            ),
            ("agent.wsc.service", Info, "agent.service.not_on_linux"),
            ("agent.sensor.service", Info, "agent.service.not_on_linux"),
            (
                "agent.registration",
                Skipped,
                "agent.registration.not_installed",
            ),
            ("coexist.apex_one", Info, "coexist.apex_one.not_on_linux"),
            ("coexist.deep_security", Info, "coexist.deep_security.none"),
            ("system.os", Pass, "system.os.supported"),
            ("system.architecture", Info, "system.architecture.info"),
            ("system.host", Info, "system.host.no_domain"),
            ("system.resources", Pass, "system.resources.pass"),
            ("system.disk", Pass, "system.disk.pass"),
            ("system.tls12", Info, "system.tls12.not_windows"),
            ("system.root_cas", Pass, "system.root_cas.pass"),
            ("system.proxy", Info, "system.proxy.none"),
        ],
    );
    assert_eq!(
        d.findings[0].remedy.as_ref().unwrap().key,
        "agent.basecamp.process.missing.remedy.linux"
    );
}

#[test]
fn a_disabled_basecamp_task_fails_step_1_with_the_task_scheduler_remedy() {
    let d = assert_findings(
        "windows-task-disabled",
        &windows(
            &with_task((Fail, "agent.basecamp.task.disabled")),
            NO_APEX,
            NO_DS,
            SYSTEM_OK,
        ),
    );
    assert_eq!(d.summary.exit_code(), 2);
    let f = d
        .findings
        .iter()
        .find(|f| f.id == "agent.basecamp.task")
        .unwrap();
    assert_eq!(
        f.remedy.as_ref().unwrap().key,
        "agent.basecamp.task.disabled.remedy"
    );
    assert_eq!(f.message.params["task"], "Trend Micro Endpoint Basecamp");
    // The task name has no vendor page we could read: the result says so.
    assert!(f
        .evidence
        .iter()
        .any(|e| e.key == "evidence.unverified_fact"
            && e.value.starts_with("agent.windows.scheduled_task")));
}

#[test]
fn a_missing_basecamp_task_is_a_warning_with_the_reinstall_route() {
    let d = assert_findings(
        "windows-task-missing",
        &windows(
            &with_task((Warn, "agent.basecamp.task.missing")),
            NO_APEX,
            NO_DS,
            SYSTEM_OK,
        ),
    );
    let f = d
        .findings
        .iter()
        .find(|f| f.id == "agent.basecamp.task")
        .unwrap();
    assert_eq!(
        f.remedy.as_ref().unwrap().key,
        "agent.basecamp.task.missing.remedy"
    );
}

#[test]
fn the_agents_business_id_and_environment_are_typed_facts_and_vom_env_names_the_region() {
    let d = diagnose("windows-64-healthy");
    assert_eq!(
        d.agent.business_id.as_deref(),
        Some("5c0b4d7e-3f21-4a9b-8e6d-2a1f0c9b7e45")
    );
    assert_eq!(d.agent.environment.as_deref(), Some("prod-us1"));
    let path = scenario_dir().join("windows-64-healthy.json");
    let probe = FixtureProbe::load(&path).unwrap();
    // Step 2's region choice with no region given: vom_env decides it.
    let report = doctor_core::network::run_blocking(
        &probe,
        &Catalogue::embedded(),
        &d.os,
        &doctor_core::NetworkOptions::default(),
    )
    .unwrap();
    let region = report.region.unwrap();
    assert_eq!(region.code(), "us");
    match region {
        doctor_core::network::region::RegionChoice::Detected { file, evidence, .. } => {
            assert_eq!(evidence, "prod-us1");
            assert!(file.ends_with(r"TMSecurityService\vom_env"), "{file}");
        }
        other => panic!("{other:?}"),
    }
    // Typed in step 4: another company's Business ID is explained, ours is not.
    use doctor_core::checks::agent_facts::business_id_mismatch;
    let f = business_id_mismatch(&d.agent, "0000-other-company").unwrap();
    assert_eq!(f.message.key, "agent.business_id.mismatch");
    for lang in Lang::ALL {
        for key in keys_of(&f) {
            assert!(Locale::get(lang).has(&key), "{key}");
        }
    }
    assert!(business_id_mismatch(&d.agent, "5C0B4D7E-3F21-4A9B-8E6D-2A1F0C9B7E45").is_none());
}

#[test]
fn the_install_logs_published_registration_failure_is_cited_with_file_and_line() {
    let d = assert_findings(
        "windows-install-log-registration-failed",
        &windows(
            &[
                (
                    "agent.basecamp.process",
                    Pass,
                    "agent.basecamp.process.pass",
                ),
                ("agent.basecamp.service", Pass, "agent.service.running"),
                ("agent.wsc.service", Pass, "agent.service.running"),
                ("agent.sensor.service", Pass, "agent.service.running"),
                (
                    "agent.registration",
                    Warn,
                    "agent.registration.running_unregistered",
                ),
                ("agent.basecamp.task", Pass, "agent.basecamp.task.enabled"),
                (
                    "install_log.windows.registration_failed",
                    Fail,
                    "install_log.sig.registration_failed",
                ),
                (
                    "install_log.windows.waiting_for_registration",
                    Info,
                    "install_log.sig.waiting",
                ),
            ],
            NO_APEX,
            NO_DS,
            SYSTEM_OK,
        ),
    );
    let f = d
        .findings
        .iter()
        .find(|f| f.id == "install_log.windows.registration_failed")
        .unwrap();
    let file = r"C:\Users\alice\AppData\Roaming\Trend Micro\V1ES\v1es_install.log";
    assert_eq!(f.message.params["file"], file);
    assert_eq!(f.message.params["line"], "8");
    let ev = |k: &str| {
        f.evidence
            .iter()
            .find(|e| e.key == format!("evidence.{k}"))
            .map(|e| e.value.clone())
    };
    assert_eq!(ev("user_profile").as_deref(), Some("alice"));
    assert!(ev("log_line")
        .unwrap()
        .contains("The agent registration failed."));
    assert_eq!(
        f.remedy.as_ref().unwrap().key,
        "install_log.sig.registration_failed.remedy"
    );
    // The profile without a log and the Public folder give nothing.
    assert_eq!(
        d.findings
            .iter()
            .filter(|f| f.id.starts_with("install_log."))
            .count(),
        2
    );
    let report = Report::new(&d, Lang::Ja);
    let shown = report
        .findings
        .iter()
        .find(|r| r.id == "install_log.windows.registration_failed")
        .unwrap();
    assert!(shown.message.contains("8 行目"), "{}", shown.message);
}

#[test]
fn linux_with_one_and_a_half_gigabytes_free_passes_the_disk_check() {
    let d = assert_findings(
        "linux-disk-1-5-gb",
        &[
            (
                "agent.basecamp.process",
                Pass,
                "agent.basecamp.process.pass",
            ),
            ("agent.basecamp.service", Pass, "agent.service.running"),
            ("agent.wsc.service", Info, "agent.service.not_on_linux"),
            ("agent.sensor.service", Info, "agent.service.not_on_linux"),
            ("agent.registration", Pass, "agent.registration.pass"),
            ("coexist.apex_one", Info, "coexist.apex_one.not_on_linux"),
            ("coexist.deep_security", Info, "coexist.deep_security.none"),
            ("system.os", Pass, "system.os.supported"),
            ("system.architecture", Info, "system.architecture.info"),
            ("system.host", Info, "system.host.info"),
            ("system.resources", Pass, "system.resources.pass"),
            ("system.disk", Pass, "system.disk.pass"),
            ("system.tls12", Info, "system.tls12.not_windows"),
            ("system.root_cas", Pass, "system.root_cas.pass"),
            ("system.proxy", Info, "system.proxy.configured"),
        ],
    );
    let disk = d.findings.iter().find(|f| f.id == "system.disk").unwrap();
    assert_eq!(disk.message.params["min"], "1.0 GB");
    assert_eq!(disk.message.params["free"], "1.5 GB");
}

#[test]
fn linux_below_the_recommended_free_space_warns_rather_than_fails() {
    let text = std::fs::read_to_string(scenario_dir().join("linux-disk-1-5-gb.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["free_space"] = serde_json::json!({ "/": 512u64 * 1024 * 1024 });
    let probe = FixtureProbe::from_json(&v.to_string(), "x.json".as_ref()).unwrap();
    let d = diagnose_with(&probe, &Options::default()).unwrap();
    let disk = d.findings.iter().find(|f| f.id == "system.disk").unwrap();
    assert_eq!(disk.status, Warn);
    assert_eq!(disk.message.key, "system.disk.below_recommended");
    assert!(disk.remedy.is_some());
}

#[test]
fn a_linux_install_log_with_curl_lacking_tls12_explains_why_nothing_was_installed() {
    let d = assert_findings(
        "linux-install-log-curl-tls",
        &[
            (
                "agent.basecamp.process",
                Fail,
                "agent.basecamp.process.missing",
            ),
            (
                "agent.basecamp.service",
                Fail,
                "agent.service.basecamp.not_installed",
            ),
            ("agent.wsc.service", Info, "agent.service.not_on_linux"),
            ("agent.sensor.service", Info, "agent.service.not_on_linux"),
            (
                "agent.registration",
                Skipped,
                "agent.registration.not_installed",
            ),
            (
                "install_log.linux.curl_without_tls12",
                Fail,
                "install_log.sig.curl_tls12",
            ),
            ("coexist.apex_one", Info, "coexist.apex_one.not_on_linux"),
            ("coexist.deep_security", Info, "coexist.deep_security.none"),
            ("system.os", Pass, "system.os.supported"),
            ("system.architecture", Info, "system.architecture.info"),
            ("system.host", Info, "system.host.no_domain"),
            ("system.resources", Pass, "system.resources.pass"),
            ("system.disk", Pass, "system.disk.pass"),
            ("system.tls12", Info, "system.tls12.not_windows"),
            ("system.root_cas", Pass, "system.root_cas.pass"),
            ("system.proxy", Info, "system.proxy.none"),
        ],
    );
    let f = d
        .findings
        .iter()
        .find(|f| f.id == "install_log.linux.curl_without_tls12")
        .unwrap();
    assert_eq!(f.message.params["file"], "/tmp/v1es_install.log");
    assert_eq!(f.message.params["line"], "1");
}

#[test]
fn macos_registration_is_read_from_the_preferences_domain_and_rests_on_unverified_names() {
    let d = assert_findings(
        "macos-registered",
        &[
            (
                "agent.basecamp.process",
                Pass,
                "agent.basecamp.process.pass",
            ),
            ("agent.basecamp.service", Pass, "agent.service.running"),
            ("agent.wsc.service", Pass, "agent.service.running"),
            ("agent.sensor.service", Pass, "agent.service.running"),
            ("agent.registration", Pass, "agent.registration.pass"),
            ("coexist.apex_one", Info, "coexist.apex_one.none"),
            ("coexist.deep_security", Info, "coexist.deep_security.none"),
            ("system.os", Pass, "system.os.supported"),
            ("system.architecture", Info, "system.architecture.info"),
            ("system.host", Info, "system.host.info"),
            ("system.resources", Pass, "system.resources.pass"),
            ("system.disk", Pass, "system.disk.pass"),
            ("system.tls12", Info, "system.tls12.not_windows"),
            ("system.root_cas", Pass, "system.root_cas.pass"),
            ("system.proxy", Info, "system.proxy.none"),
        ],
    );
    let reg = d
        .findings
        .iter()
        .find(|f| f.id == "agent.registration")
        .unwrap();
    assert!(reg.evidence.iter().any(|e| e
        .value
        .contains("com.trendmicro.endpointbasecamp kRegisterCompany")));
    let process = &d.findings[0];
    let unverified: Vec<_> = process
        .evidence
        .iter()
        .filter(|e| e.key == "evidence.unverified_fact")
        .map(|e| e.value.as_str())
        .collect();
    assert_eq!(unverified, ["agent.macos (2026-11-26)"]);
}

#[test]
fn every_scenario_file_has_a_test_and_renders_fully_in_both_languages() {
    let tested = [
        "windows-task-disabled",
        "windows-task-missing",
        "windows-install-log-registration-failed",
        "linux-disk-1-5-gb",
        "linux-install-log-curl-tls",
        "macos-registered",
        "windows-64-healthy",
        "windows-32-healthy",
        "windows-basecamp-not-installed",
        "windows-basecamp-stopped",
        "windows-running-unregistered",
        "windows-apexone-saas",
        "windows-apexone-onprem-migrated",
        "windows-deep-security",
        "windows-unsupported-os",
        "windows-missing-root-cas",
        "windows-tls12-disabled",
        "linux-healthy",
        "linux-no-agent",
        "windows-tls-inspection",
    ];
    let mut files: Vec<String> = std::fs::read_dir(scenario_dir())
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    let mut want: Vec<String> = tested.iter().map(|s| (*s).to_owned()).collect();
    want.sort();
    assert_eq!(
        files, want,
        "a scenario file without a test, or a test without its file"
    );

    for name in tested {
        let d = diagnose(name);
        for lang in Lang::ALL {
            let locale = Locale::get(lang);
            for f in &d.findings {
                for key in keys_of(f) {
                    assert!(locale.has(&key), "{name}: {} lacks {key}", lang.code());
                }
            }
            let report = Report::new(&d, lang);
            for f in &report.findings {
                for text in std::iter::once(&f.message).chain(f.remedy.iter()) {
                    assert!(
                        !text.contains('{'),
                        "{name} ({}): unfilled placeholder in {:?}",
                        lang.code(),
                        text
                    );
                }
            }
        }
    }
}

#[test]
fn japanese_report_has_no_english_sentences() {
    let d = diagnose("windows-apexone-onprem-migrated");
    let report = Report::new(&d, Lang::Ja);
    for f in &report.findings {
        let has_japanese = |s: &str| {
            s.chars().any(|c| {
                ('\u{3040}'..='\u{30ff}').contains(&c) || ('\u{4e00}'..='\u{9fff}').contains(&c)
            })
        };
        assert!(has_japanese(&f.message), "{}: {}", f.id, f.message);
        assert!(has_japanese(&f.status_text));
        if let Some(r) = &f.remedy {
            assert!(has_japanese(r), "{}: {}", f.id, r);
        }
    }
}

#[test]
fn a_permission_error_becomes_a_skipped_finding_that_asks_for_admin_rights() {
    let text = std::fs::read_to_string(scenario_dir().join("windows-64-healthy.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["denied"] = serde_json::json!([
        r"HKLM\SOFTWARE\WOW6432Node\TrendMicro\TMSecurityService",
        r"HKLM\SOFTWARE\TrendMicro\TMSecurityService"
    ]);
    let probe = FixtureProbe::from_json(&v.to_string(), "denied.json".as_ref()).unwrap();
    let d = diagnose_with(&probe, &Options::default()).unwrap();
    let f = d
        .findings
        .iter()
        .find(|f| f.id == "agent.registration")
        .unwrap();
    assert_eq!(f.status, Skipped);
    assert_eq!(f.message.key, "check.skipped.denied");
    assert_eq!(
        f.remedy.as_ref().unwrap().key,
        "check.skipped.denied.remedy"
    );
}

#[test]
fn an_unreadable_certificate_store_is_skipped_never_passed() {
    let text = std::fs::read_to_string(scenario_dir().join("windows-64-healthy.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["root_certificates"] = serde_json::json!({ "unreadable": true });
    let probe = FixtureProbe::from_json(&v.to_string(), "x.json".as_ref()).unwrap();
    let d = diagnose_with(&probe, &Options::default()).unwrap();
    let f = d
        .findings
        .iter()
        .find(|f| f.id == "system.root_cas")
        .unwrap();
    assert_eq!(f.status, Skipped);
}

#[test]
fn a_malformed_scenario_names_the_problem() {
    let err = FixtureProbe::from_json(r#"{"name": "x"}"#, "bad.json".as_ref()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("bad.json") && msg.contains("os"), "{msg}");
    let err = FixtureProbe::from_json(
        &std::fs::read_to_string(scenario_dir().join("linux-healthy.json"))
            .unwrap()
            .replace("524288", "\"folder\""),
        "bad2.json".as_ref(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("expected \"dir\""), "{err}");
}

#[test]
fn tls_inspection_scenario_finds_its_region_in_the_log_and_replays_its_network_results() {
    use doctor_core::network::region::RegionChoice;
    use doctor_core::network::{run_blocking, NetworkOptions};
    let path = scenario_dir().join("windows-tls-inspection.json");
    let probe = FixtureProbe::load(&path).unwrap();
    let catalogue = Catalogue::embedded();
    let mut local = windows(&HEALTHY_WINDOWS_STEP1, NO_APEX, NO_DS, SYSTEM_OK);
    *local.last_mut().unwrap() = ("system.proxy", Info, "system.proxy.configured");
    let d = assert_findings("windows-tls-inspection", &local);
    let report = run_blocking(&probe, &catalogue, &d.os, &NetworkOptions::default()).unwrap();
    match &report.region {
        Some(RegionChoice::Detected {
            code,
            file,
            evidence,
            basis,
        }) => {
            assert_eq!(basis.as_deref(), Some("basecamp_server"));
            assert_eq!(code, "jp");
            assert!(file.ends_with(r"log\EndpointBasecamp.log"), "{file}");
            assert_eq!(evidence, "api-ap2.xbc.trendmicro.com");
        }
        other => panic!("region not detected: {other:?}"),
    }
    assert_eq!(report.proxy.as_ref().unwrap().source, "wininet");
    let d = doctor_core::diagnose_with(
        &probe,
        &Options {
            network: Some(NetworkOptions::default()),
            ..Options::default()
        },
    )
    .unwrap();
    // The same facts, taken at another moment.
    let mut again = d.network.clone().unwrap();
    again.checked_at.clone_from(&report.checked_at);
    assert_eq!(again, report);
    let keys: Vec<(&str, Status, &str)> = d
        .findings
        .iter()
        .filter(|f| f.step == doctor_core::Step::Network)
        .map(|f| (f.id.as_str(), f.status, f.message.key.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("network.region", Info, "network.region.detected"),
            ("network.proxy", Info, "network.proxy.used"),
            // One cause, one problem: not also "some hosts failed, rules incomplete".
            (
                "network.summary",
                Fail,
                "network.summary.cause.tls_inspection"
            ),
            ("network.clock", Pass, "network.clock.pass"),
            (
                "network.host.api-ap2.xbc.trendmicro.com:443",
                Info,
                "network.host.explained.tls_inspection"
            ),
            (
                "network.host.wsc-ap2.xbc.trendmicro.com:443",
                Info,
                "network.host.explained.tls_inspection"
            ),
            (
                "network.host.release-us1.mgcp.trendmicro.com:443",
                Pass,
                "network.host.ok"
            ),
        ]
    );
    assert_eq!(d.summary.exit_code(), 2);
    let cause = report.root_cause.as_ref().unwrap();
    assert_eq!(cause.cause.as_str(), "tls_inspection");
    assert_eq!(
        cause.hosts,
        [
            "api-ap2.xbc.trendmicro.com:443",
            "wsc-ap2.xbc.trendmicro.com:443"
        ]
    );
    // Step 2 comes right after step 1 in the report.
    let steps: Vec<_> = d.findings.iter().map(|f| f.step).collect();
    let mut sorted = steps.clone();
    sorted.sort();
    assert_eq!(steps, sorted);
}

#[test]
fn a_replayed_scenario_without_network_data_never_probes_the_real_network() {
    use doctor_core::network::{run_blocking, NetworkOptions};
    let probe = FixtureProbe::load(&scenario_dir().join("windows-64-healthy.json")).unwrap();
    let d = diagnose("windows-64-healthy");
    let options = NetworkOptions {
        region: Some("jp".into()),
        ..NetworkOptions::default()
    };
    let report = run_blocking(&probe, &Catalogue::embedded(), &d.os, &options).unwrap();
    assert!(report.results.is_empty());
    let all = doctor_core::checks::reach::findings(&Catalogue::embedded(), &report);
    let summary = all.iter().find(|f| f.id == "network.summary").unwrap();
    assert_eq!(summary.message.key, "network.summary.no_hosts");
}

#[test]
fn image_traces_next_to_apex_one_raise_the_clone_risk_to_a_warning() {
    let text = std::fs::read_to_string(scenario_dir().join("windows-apexone-saas.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["registry"][r"HKLM\SYSTEM\Setup\Status\SysprepStatus"] =
        serde_json::json!({ "GeneralizationState": 7 });
    v["registry"][r"HKLM\SYSTEM\Setup"] =
        serde_json::json!({ "CloneTag": "Tue Nov 10 09:00:00 2026" });
    let probe = FixtureProbe::from_json(&v.to_string(), "clone.json".as_ref()).unwrap();
    let d = diagnose_with(&probe, &Options::default()).unwrap();
    let f = d
        .findings
        .iter()
        .find(|f| f.id == "identity.clone_risk")
        .unwrap();
    assert_eq!(
        (f.status, f.message.key.as_str()),
        (Warn, "identity.clone_risk.signs")
    );
    let signs: Vec<&str> = f
        .evidence
        .iter()
        .filter(|e| e.key == "evidence.clone_sign")
        .map(|e| e.value.as_str())
        .collect();
    assert_eq!(signs, ["sysprep_generalized", "clone_tag"]);
    let id = &d.identity;
    assert_eq!(
        id.xdr_device_id.as_deref(),
        Some("3f6b2a9e-1c4d-4e8f-9a70-5b2d8c1e0f47")
    );
    assert_eq!(
        id.apex_one_guid.as_deref(),
        Some("1b2c3d4e-5f60-4718-9a0b-c1d2e3f4a5b6")
    );
    assert_eq!(id.clone_signs, ["sysprep_generalized", "clone_tag"]);
}

#[test]
fn the_agents_own_region_is_read_once_and_kept_whatever_region_step_2_tests() {
    use doctor_core::netfacts::RegionChoice;
    // windows-64-healthy's agent says `vom_env = prod-us1`; step 2 is asked to test Japan.
    let path = scenario_dir().join("windows-64-healthy.json");
    let probe = FixtureProbe::load(&path).unwrap();
    let options = Options {
        network: Some(doctor_core::NetworkOptions {
            region: Some("jp".to_owned()),
            ..Default::default()
        }),
        ..Options::default()
    };
    let d = diagnose_with(&probe, &options).expect("checks run");
    match &d.agent_region {
        Some(RegionChoice::Detected { code, basis, .. }) => {
            assert_eq!(code, "us");
            assert_eq!(basis.as_deref(), Some("agent_environment"));
        }
        other => panic!("the agent's region from vom_env, got {other:?}"),
    }
    let tested = d.network.as_ref().and_then(|n| n.region.as_ref());
    assert!(matches!(tested, Some(RegionChoice::Chosen { code }) if code == "jp"));
    // A machine whose files name no region has none (the console check then asks).
    let none = diagnose("windows-apexone-onprem-migrated");
    assert!(none.agent_region.is_none(), "{:?}", none.agent_region);
}
