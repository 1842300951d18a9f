//! The bundle says only what is true (issue 15 item 10): step 3's answers travel into the
//! manifest, the report and the text for support, and an unanswered question stays "not
//! entered"; no Apex One rows without Apex One; no empty table, list or heading in the report
//! and one heading for the support information; the verdict is `incomplete` (never a pass)
//! when something was not checked, and the text for support says it to support; a typed
//! Business ID other than the agent's own is a finding of the bundle; the logs are said to be
//! attached only when they are; support fields step 4 never asked are left out; a region
//! without network results is not checked (never "the hosts were checked"); Japanese text
//! shows causes in words (raw text only as labelled technical detail) and seconds as 秒.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use doctor_core::bundle::manifest::{Manifest, SCHEMA};
use doctor_core::bundle::{write_bundle, BundleRequest, Limits, NoProgress, Source};
use doctor_core::bundle::{AnswerError, SupportAnswers};
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::{diagnose_with, Catalogue, Diagnosis, Lang, Locale, Options, Status, Verdict};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

fn diagnosis(name: &str) -> Diagnosis {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios")
        .join(format!("{name}.json"));
    diagnose_with(&FixtureProbe::load(&path).unwrap(), &Options::default()).unwrap()
}

struct Bundle {
    manifest: Manifest,
    value: serde_json::Value,
    html: String,
    inquiry: String,
}

/// Writes the bundle of `d` with `answers` (checked as the app and the CLI check them) and
/// reads it back, the manifest validated against its schema.
fn bundle(d: &Diagnosis, answers: SupportAnswers, lang: Lang, logs: Option<&Path>) -> Bundle {
    let tmp = tempfile::tempdir().unwrap();
    let cat = Catalogue::embedded();
    let req = BundleRequest {
        diagnosis: d,
        catalogue: &cat,
        lang,
        answers: answers.checked().unwrap(),
        sources: logs
            .map(|p| Source {
                label: "basecamp".into(),
                path: p.to_owned(),
            })
            .into_iter()
            .collect(),
        screenshots: Vec::new(),
        limits: Limits::default(),
        identity: Some(d.identity.clone()),
        from_app: false,
    };
    let outcome = write_bundle(&req, tmp.path(), "b", &NoProgress).unwrap();
    let mut zip = zip::ZipArchive::new(fs::File::open(&outcome.path).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let (manifest_text, html, inquiry) = (
        read("manifest.json"),
        read("report.html"),
        read("inquiry.txt"),
    );
    let value: serde_json::Value = serde_json::from_str(&manifest_text).unwrap();
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "manifest does not validate: {errors:#?}");
    Bundle {
        manifest: serde_json::from_value(value.clone()).unwrap(),
        value,
        html,
        inquiry,
    }
}

fn en(key: &'static str) -> &'static str {
    Locale::get(Lang::En).text(key)
}

fn step3(
    managed: Option<bool>,
    bar: Option<bool>,
    done: Option<bool>,
    date: Option<&str>,
) -> SupportAnswers {
    SupportAnswers {
        business_id: Some("5c0b4d7e-3f21-4a9b-8e6d-2a1f0c9b7e45".into()),
        managed_by_on_premises: managed,
        blue_bar_shown: bar,
        switch_done: done,
        switch_date: date.map(str::to_owned),
        ..Default::default()
    }
}

/// The `■ label: value` line of the inquiry for `label_key`.
fn inquiry_value(inquiry: &str, label_key: &'static str) -> Option<String> {
    let prefix = format!("■ {}: ", en(label_key));
    inquiry
        .lines()
        .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
}

/// The `<dd>` after the `<dt>` of `label_key` in the report.
fn report_value(html: &str, label_key: &'static str) -> Option<String> {
    let dt = format!("<dt>{}</dt><dd>", en(label_key));
    let at = html.find(&dt)? + dt.len();
    Some(html[at..at + html[at..].find("</dd>")?].to_owned())
}

#[test]
fn step3_answers_travel_into_the_manifest_the_report_and_the_inquiry() {
    let d = diagnosis("windows-apexone-onprem-migrated");
    let b = bundle(
        &d,
        step3(Some(true), Some(true), Some(true), Some("2026-10-01")),
        Lang::En,
        None,
    );
    let a = &b.value["answers"];
    assert_eq!(a["managed_by_on_premises"], true);
    assert_eq!(a["blue_bar_shown"], true);
    assert_eq!(a["switch_done"], true);
    assert_eq!(a["switch_date"], "2026-10-01");
    for (key, value) in [
        ("bundle.inquiry.step3_managed", en("bundle.inquiry.yes")),
        (
            "bundle.inquiry.step3_blue_bar",
            en("bundle.inquiry.step3_blue_bar_shown"),
        ),
        (
            "bundle.inquiry.step3_switch",
            en("bundle.inquiry.step3_switch_done"),
        ),
        ("bundle.inquiry.step3_switch_date", "2026-10-01"),
    ] {
        assert_eq!(
            inquiry_value(&b.inquiry, key).as_deref(),
            Some(value),
            "{key}\n{}",
            b.inquiry
        );
        assert_eq!(report_value(&b.html, key).as_deref(), Some(value), "{key}");
    }
    // Step 3's answers sit under step 3's heading in the report.
    let step3_at = b.html.find(en("step.connection.title")).unwrap();
    let managed_at = b.html.find(en("bundle.inquiry.step3_managed")).unwrap();
    let step4_at = b.html.find(en("step.support.title")).unwrap();
    assert!(step3_at < managed_at && managed_at < step4_at);

    // "Not yet switched": no date line at all.
    let b = bundle(
        &d,
        step3(Some(true), Some(false), Some(false), None),
        Lang::En,
        None,
    );
    assert_eq!(
        inquiry_value(&b.inquiry, "bundle.inquiry.step3_switch").as_deref(),
        Some(en("bundle.inquiry.step3_switch_not_done"))
    );
    assert!(inquiry_value(&b.inquiry, "bundle.inquiry.step3_switch_date").is_none());
    assert!(!b.html.contains(en("bundle.inquiry.step3_switch_date")));
}

#[test]
fn unanswered_step3_questions_stay_not_entered_never_yes_or_no() {
    // Apex One is on this endpoint, so step 3's questions are asked; none was answered.
    let d = diagnosis("windows-apexone-onprem-migrated");
    let b = bundle(&d, step3(None, None, None, None), Lang::En, None);
    let a = &b.value["answers"];
    for field in [
        "managed_by_on_premises",
        "blue_bar_shown",
        "switch_done",
        "switch_date",
    ] {
        assert!(a[field].is_null(), "{field}: {a}");
    }
    let not_given = en("bundle.inquiry.not_given");
    for key in [
        "bundle.inquiry.step3_managed",
        "bundle.inquiry.step3_blue_bar",
        "bundle.inquiry.step3_switch",
    ] {
        assert_eq!(
            inquiry_value(&b.inquiry, key).as_deref(),
            Some(not_given),
            "{key}"
        );
        assert_eq!(
            report_value(&b.html, key).as_deref(),
            Some(not_given),
            "{key}"
        );
    }
    for word in ["bundle.inquiry.yes", "bundle.inquiry.no"] {
        let said = format!(": {}\n", en(word));
        assert!(
            !b.inquiry.contains(&said),
            "{word} said unasked:\n{}",
            b.inquiry
        );
    }
    // "Not managed by on-premises Apex One": nothing more of step 3 is listed.
    let b = bundle(&d, step3(Some(false), None, None, None), Lang::En, None);
    assert_eq!(
        inquiry_value(&b.inquiry, "bundle.inquiry.step3_managed").as_deref(),
        Some(en("bundle.inquiry.no"))
    );
    assert!(inquiry_value(&b.inquiry, "bundle.inquiry.step3_blue_bar").is_none());
}

#[test]
fn contradicting_or_future_step3_answers_are_refused_before_anything_is_written() {
    let future = (chrono::Local::now().date_naive() + chrono::Days::new(2))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(
        step3(Some(true), None, Some(true), Some(&future)).checked(),
        Err(AnswerError::SwitchDate(future.clone()))
    );
    assert_eq!(
        step3(Some(false), None, Some(true), None).checked(),
        Err(AnswerError::Step3Inconsistent)
    );
    for lang in Lang::ALL {
        for key in ["error.switch_date", "error.step3_inconsistent"] {
            assert!(Locale::get(lang).has(key), "{key}");
        }
    }
}

#[test]
fn without_apex_one_there_are_no_apex_one_rows() {
    let d = diagnosis("windows-64-healthy");
    assert!(d.coexistence.apex_one.is_none());
    let b = bundle(&d, SupportAnswers::default(), Lang::En, None);
    for key in [
        "bundle.inquiry.saas_guid",
        "bundle.inquiry.onprem_guid",
        "bundle.inquiry.step3_managed",
        "bundle.inquiry.step3_switch",
        "bundle.inquiry.apex",
        "coexist.apex_one.none",
    ] {
        assert!(!b.inquiry.contains(en(key)), "{key} in the inquiry");
        assert!(!b.html.contains(en(key)), "{key} in the report");
    }
    assert!(!b.html.contains("Apex One"), "Apex One named in the report");
    // "Not managed by on-premises Apex One" adds no Apex One row either.
    let b = bundle(&d, step3(Some(false), None, None, None), Lang::En, None);
    assert!(!b.html.contains("Apex One"), "Apex One named in the report");
    assert!(
        !b.inquiry.contains("Apex One"),
        "Apex One named in the inquiry"
    );
    assert_eq!(
        b.value["answers"]["managed_by_on_premises"], false,
        "kept in the manifest"
    );
    // Said by the admin, Apex One is present: step 3's rows are back, but not the server
    // fields step 4 never asked for on this endpoint.
    let b = bundle(&d, step3(Some(true), None, None, None), Lang::En, None);
    assert!(b.html.contains(en("bundle.inquiry.step3_blue_bar")));
    assert!(!b.inquiry.contains(en("bundle.inquiry.saas_guid")));
}

/// Every `<tag>` of the report has something in it: no empty table, list or heading.
fn assert_nothing_empty(html: &str) {
    for (open, close) in [
        ("<table>", "</table>"),
        ("<dl>", "</dl>"),
        ("<dl class=\"answers\">", "</dl>"),
        ("<ul class=\"unchecked\">", "</ul>"),
    ] {
        let mut rest = html;
        while let Some(at) = rest.find(open) {
            let body = &rest[at + open.len()..];
            let end = body.find(close).unwrap();
            let inner = &body[..end];
            assert!(!inner.trim().is_empty(), "empty {open}");
            if open == "<table>" {
                // A header row alone is an empty table too.
                assert!(inner.contains("<td>"), "table without rows: {inner}");
            }
            rest = &body[end..];
        }
    }
    // A heading is followed by content, not by a heading of its rank or above, or the end.
    for re in [
        r"</h2>\s*(<h2>|<p class=.meta.>|</body>)",
        r"</h3>\s*(<h2>|<h3>|<p class=.meta.>|</body>)",
    ] {
        let re = regex::Regex::new(re).unwrap();
        assert!(!re.is_match(html), "a heading with nothing under it: {re}");
    }
}

#[test]
fn the_report_has_no_empty_table_and_one_heading_for_the_support_information() {
    // Minimal: healthy, no Apex One, no logs, nothing typed.
    let d = diagnosis("windows-64-healthy");
    for lang in Lang::ALL {
        let b = bundle(&d, SupportAnswers::default(), lang, None);
        assert_nothing_empty(&b.html);
        assert!(b.manifest.files.is_empty());
        assert!(b
            .html
            .contains(Locale::get(lang).text("bundle.report.no_files")));
        assert!(!b.html.contains("<table>"), "no table without files");
    }
    // Full: Apex One, logs, every answer.
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("log");
    fs::create_dir(&logs).unwrap();
    fs::write(logs.join("a.log"), "line\n").unwrap();
    let d = diagnosis("windows-apexone-onprem-migrated");
    let mut answers = step3(Some(true), Some(true), Some(true), Some("2026-10-01"));
    answers.on_premises_server_guid = Some("7E5A3C1B-0D2F-4E6A-9B8C-1A2B3C4D5E6F".into());
    answers.notes = Some("Moved to SaaS in October.".into());
    for lang in Lang::ALL {
        let b = bundle(&d, answers.clone(), lang, Some(&logs));
        assert_nothing_empty(&b.html);
        assert!(b.html.contains("<table>"));
        let l = Locale::get(lang);
        // One heading for the support information (step 4's), not two: the answers are
        // under it, with their own small heading.
        let support = format!("<h2>{}</h2>", l.text("step.support.title"));
        assert_eq!(b.html.matches(&support).count(), 1);
        assert_eq!(
            b.html.matches("<h2>").count(),
            b.html.matches("</h2>").count()
        );
        let h2s: Vec<&str> = b
            .html
            .split("<h2>")
            .skip(1)
            .map(|s| &s[..s.find("</h2>").unwrap()])
            .collect();
        let unique: std::collections::HashSet<&str> = h2s.iter().copied().collect();
        assert_eq!(unique.len(), h2s.len(), "a heading twice: {h2s:?}");
    }
}

#[test]
fn nothing_failed_but_something_unchecked_is_incomplete_everywhere_never_a_pass() {
    // Step 2 did not run (no network options): nothing failed, but it is not checked.
    let d = diagnosis("windows-64-healthy");
    assert_eq!(d.summary.fail + d.summary.warn, 0);
    assert!(d.network.is_none());
    assert_eq!(d.summary.verdict, Verdict::Incomplete);
    assert_eq!(d.summary.exit_code(), 0, "exit codes stay 0/1/2");
    assert_eq!(d.unchecked[0].id, "network");
    let b = bundle(&d, SupportAnswers::default(), Lang::En, None);
    assert_eq!(b.value["summary"]["verdict"], "incomplete");
    assert!(b.html.contains("<div class=\"verdict incomplete\">"));
    assert!(b.html.contains(en("verdict.incomplete")));
    assert!(b.html.contains(en("unchecked.network.not_run")));
    assert!(!b.html.contains(en("verdict.pass")));
    // The text for support speaks to support about the endpoint, and says what is unchecked.
    assert_eq!(
        inquiry_value(&b.inquiry, "bundle.inquiry.result").as_deref(),
        Some(en("bundle.inquiry.verdict.incomplete"))
    );
    assert!(b.inquiry.contains(&format!(
        "[{}] {}",
        en("status.skipped"),
        en("unchecked.network.not_run")
    )));
    for admin_words in [
        en("verdict.pass"),
        en("verdict.incomplete"),
        "your attention",
        "Please follow",
    ] {
        assert!(!b.inquiry.contains(admin_words), "{admin_words}");
    }
    let ja = bundle(&d, SupportAnswers::default(), Lang::Ja, None);
    let result = Locale::get(Lang::Ja).text("bundle.inquiry.verdict.incomplete");
    assert!(result.starts_with("対象端末では"));
    assert!(ja.inquiry.contains(result));

    // Something unchecked never hides a failure.
    let d = diagnosis("windows-basecamp-stopped");
    assert!(d.summary.fail > 0);
    assert_eq!(
        d.summary.verdict,
        Verdict::Fail,
        "a failure stays a failure"
    );
}

#[test]
fn a_typed_business_id_other_than_the_agents_is_a_finding_of_the_bundle() {
    let d = diagnosis("windows-64-healthy");
    assert!(d.findings.iter().all(|f| f.id != "agent.business_id"));
    let mut answers = SupportAnswers {
        business_id: Some("0000-other-company".into()),
        ..Default::default()
    };
    let b = bundle(&d, answers.clone(), Lang::En, None);
    let f = b
        .manifest
        .findings
        .iter()
        .find(|f| f.id == "agent.business_id")
        .expect("the mismatch is in the manifest");
    assert_eq!(f.message.key, "agent.business_id.mismatch");
    assert_eq!(b.manifest.summary.verdict, Verdict::Warn);
    let message = Locale::get(Lang::En).message(&f.message);
    assert!(message.contains("0000-other-company"));
    assert!(
        b.html.contains(&message.replace('\'', "&#39;")),
        "in the report"
    );
    assert!(b.inquiry.contains(&message), "in the inquiry");
    // The agent's own Business ID (any case): no finding.
    answers.business_id = Some("5C0B4D7E-3F21-4A9B-8E6D-2A1F0C9B7E45".into());
    let b = bundle(&d, answers, Lang::En, None);
    assert!(b
        .manifest
        .findings
        .iter()
        .all(|f| f.id != "agent.business_id"));
    assert!(!b
        .inquiry
        .contains(en("agent.business_id.mismatch").split('{').next().unwrap()));
}

fn with_network(name: &str, region: Option<&str>) -> Diagnosis {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scenarios")
        .join(format!("{name}.json"));
    let options = Options {
        network: Some(doctor_core::NetworkOptions {
            region: region.map(str::to_owned),
            ..Default::default()
        }),
        ..Options::default()
    };
    diagnose_with(&FixtureProbe::load(&path).unwrap(), &options).unwrap()
}

#[test]
fn the_inquiry_says_the_logs_are_attached_only_when_log_files_went_into_the_zip() {
    let d = diagnosis("windows-64-healthy");
    for lang in Lang::ALL {
        let l = Locale::get(lang);
        // No log folder: the report is attached, the logs are not, and why.
        let b = bundle(&d, SupportAnswers::default(), lang, None);
        assert!(b.manifest.files.is_empty());
        assert!(b.inquiry.contains(l.text("bundle.inquiry.intro_no_logs")));
        assert!(!b.inquiry.contains(l.text("bundle.inquiry.intro")));
        assert!(b.inquiry.contains(l.text("bundle.inquiry.logs_none")));
        // One colon per line: the reason is in brackets, not after a second colon.
        let logs_line = b
            .inquiry
            .lines()
            .find(|x| x.contains(l.text("bundle.inquiry.logs_none")))
            .unwrap();
        assert_eq!(logs_line.matches([':', ':']).count(), 1, "{logs_line}");
        // An empty log folder: still not attached, and not "no folder found".
        let tmp = tempfile::tempdir().unwrap();
        let b = bundle(&d, SupportAnswers::default(), lang, Some(tmp.path()));
        assert!(b.manifest.files.is_empty());
        assert!(b.inquiry.contains(l.text("bundle.inquiry.intro_no_logs")));
        assert!(b
            .inquiry
            .contains(l.text("bundle.inquiry.logs_none_collected")));
        // With log files: the logs are said to be attached.
        fs::write(tmp.path().join("a.log"), "line\n").unwrap();
        let b = bundle(&d, SupportAnswers::default(), lang, Some(tmp.path()));
        assert_eq!(b.manifest.files.len(), 1);
        assert!(b.inquiry.contains(l.text("bundle.inquiry.intro")));
        assert!(!b.inquiry.contains(l.text("bundle.inquiry.intro_no_logs")));
        assert!(!b.inquiry.contains(l.text("bundle.inquiry.logs_none")));
    }
}

#[test]
fn support_fields_step4_never_asked_are_left_out_unless_typed() {
    // On-premises Apex One: step 4 asks for the on-premises server, not the SaaS one.
    let d = diagnosis("windows-apexone-onprem-migrated");
    let asked: Vec<&str> = d
        .coexistence
        .questions
        .iter()
        .map(|q| q.id.as_str())
        .collect();
    assert!(asked.contains(&"on_premises_server"), "{asked:?}");
    assert!(!asked.contains(&"apex_one_saas_server"), "{asked:?}");
    let b = bundle(&d, SupportAnswers::default(), Lang::En, None);
    for key in ["bundle.inquiry.saas_guid", "bundle.inquiry.saas_code"] {
        assert!(
            inquiry_value(&b.inquiry, key).is_none(),
            "{key}\n{}",
            b.inquiry
        );
        assert!(report_value(&b.html, key).is_none(), "{key}");
    }
    // Asked and left empty: "not entered". The Business ID is always listed.
    let not_given = en("bundle.inquiry.not_given");
    for key in [
        "bundle.inquiry.onprem_guid",
        "bundle.inquiry.onprem_code",
        "bundle.inquiry.business_id",
    ] {
        assert_eq!(
            inquiry_value(&b.inquiry, key).as_deref(),
            Some(not_given),
            "{key}"
        );
        assert_eq!(
            report_value(&b.html, key).as_deref(),
            Some(not_given),
            "{key}"
        );
    }
    // Typed anyway (the CLI takes every field): listed as typed, the unasked empty one not.
    let answers = SupportAnswers {
        apex_one_saas_server_guid: Some("7E5A3C1B-0D2F-4E6A-9B8C-1A2B3C4D5E6F".into()),
        ..Default::default()
    };
    let b = bundle(&d, answers, Lang::Ja, None);
    let ja = Locale::get(Lang::Ja);
    assert!(b.inquiry.contains(&format!(
        "■ {}: 7E5A3C1B",
        ja.text("bundle.inquiry.saas_guid")
    )));
    assert!(!b.inquiry.contains(ja.text("bundle.inquiry.saas_code")));
    assert!(!b.html.contains(ja.text("bundle.inquiry.saas_code")));
}

#[test]
fn a_region_without_network_results_is_not_checked_never_a_claim_that_hosts_were_checked() {
    // A replayed scenario without recorded step 2 results, with a region chosen.
    let d = with_network("windows-64-healthy", Some("jp"));
    let n = d.network.as_ref().unwrap();
    assert!(n.region.is_some() && n.results.is_empty());
    let find = |id: &str| d.findings.iter().find(|f| f.id == id).unwrap();
    let region = find("network.region");
    assert_eq!(region.status, Status::Skipped);
    assert_eq!(region.message.key, "network.region.not_checked");
    assert!(region.remedy.is_some() && region.show_remedy);
    let summary = find("network.summary");
    assert_eq!(summary.status, Status::Skipped);
    assert!(summary.remedy.is_some());
    let proxy = find("network.proxy");
    assert!(
        proxy.message.key.ends_with(".not_checked"),
        "{}",
        proxy.message.key
    );
    assert!(d.findings.iter().all(|f| f.id != "network.clock"));
    assert_eq!(d.summary.verdict, Verdict::Incomplete);
    for f in d.findings.iter().filter(|f| f.id.starts_with("network.")) {
        assert!(!matches!(f.status, Status::Pass), "{}", f.id);
    }
    for lang in Lang::ALL {
        let l = Locale::get(lang);
        let b = bundle(&d, SupportAnswers::default(), lang, None);
        let mut p = std::collections::BTreeMap::new();
        p.insert("region".to_owned(), l.text("region.jp").to_owned());
        for claim in [
            l.render("network.region.chosen", &p),
            l.text("network.proxy.direct").to_owned(),
        ] {
            assert!(!b.html.contains(&claim), "{claim}");
            assert!(!b.inquiry.contains(&claim), "{claim}");
        }
        for claim in [
            "ホストを確認しました",
            "直接接続で確認しました",
            "were tested",
        ] {
            assert!(!b.html.contains(claim), "{claim}");
            assert!(!b.inquiry.contains(claim), "{claim}");
        }
        // The text for support lists it as not checked.
        assert!(b.inquiry.contains(&format!(
            "[{}] {}",
            l.text("status.skipped"),
            l.message(&region.message)
        )));
    }
    // A site whose hosts are not published: still a warning, still no claim.
    let uk = with_network("windows-64-healthy", Some("uk"));
    let region = uk
        .findings
        .iter()
        .find(|f| f.id == "network.region")
        .unwrap();
    assert_eq!(region.status, Status::Warn);
    assert_eq!(
        region.message.key,
        "network.region.hosts_unknown.not_checked"
    );
    // The note for the network team claims nothing either.
    let note = doctor_core::present::note::render(n, &d.os, &Catalogue::embedded(), Lang::Ja);
    assert!(note.contains(Locale::get(Lang::Ja).text("note.not_checked")));
    assert!(!note.contains("接続できました"), "{note}");
}

#[test]
fn japanese_support_text_shows_reasons_in_words_and_seconds_as_byo() {
    let d = with_network("windows-tls-inspection", None);
    let n = d.network.as_ref().unwrap();
    assert!(!n.results.is_empty());
    let ja = Locale::get(Lang::Ja);
    let b = bundle(&d, SupportAnswers::default(), Lang::Ja, None);
    // Timeouts in 秒, never "10 s".
    let unit = regex::Regex::new(r"\d s(<|\)|$| )").unwrap();
    assert!(!unit.is_match(&b.html), "an \" s\" unit in the ja report");
    assert!(b.html.contains(" 秒<"), "the timeout in 秒");
    // The root cause in words, not its id; raw detail only as labelled technical detail.
    assert!(b.html.contains(ja.text("value.root_cause.tls_inspection")));
    assert!(!b.html.contains("<dd>tls_inspection</dd>"));
    assert!(
        !b.html.contains("tls_untrusted —"),
        "a raw error code in the report"
    );
    if b.html.contains("UnknownIssuer") {
        let at = b.html.find("UnknownIssuer").unwrap();
        let label = format!("<dt>{}</dt><dd>", ja.text("evidence.technical_detail"));
        let before = &b.html[..at];
        assert!(
            before.rfind(&label) > before.rfind("</dd>"),
            "unlabelled detail"
        );
    }
    // The note: the cause in Japanese first, the raw detail labelled.
    let note = doctor_core::present::note::render(n, &d.os, &Catalogue::embedded(), Lang::Ja);
    for line in note.lines().filter(|x| x.contains("UnknownIssuer")) {
        assert!(line.contains("技術的な詳細: "), "{line}");
        assert!(
            line.find(ja.text("note.error.tls_untrusted")) < line.find("UnknownIssuer"),
            "{line}"
        );
    }
    // English keeps "10 s".
    let b = bundle(&d, SupportAnswers::default(), Lang::En, None);
    assert!(b.html.contains(" s</dd>"));
}

#[test]
fn the_japanese_texts_say_bijinesu_id_and_a_typed_proxy_has_an_app_wording() {
    let ja = Locale::get(Lang::Ja);
    for key in [
        "agent.business_id.mismatch",
        "agent.business_id.mismatch.remedy",
        "evidence.business_id_typed",
        "evidence.business_id_agent",
    ] {
        let t = ja.text(key);
        assert!(t.contains("ビジネス ID"), "{key}");
        assert!(!t.contains("Business ID"), "{key}");
    }
    assert!(ja.has("value.proxy_source.flag.app"));
    assert!(!ja.text("value.proxy_source.flag.app").contains("コマンド"));
    assert!(ja
        .text("value.proxy_source.flag")
        .contains("コマンドライン"));
}
