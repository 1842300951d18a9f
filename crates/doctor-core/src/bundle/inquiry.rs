//! `inquiry.txt`: the text the admin sends to support, with what the guide's step 4 asks
//! for filled in from the checks and the admin's answers (`answers::lines`, the same list the
//! report shows), in Japanese or English.

use super::answers::{AnswerLine, Section};
use super::BundleRequest;
use crate::checks::Management;
use crate::i18n::Locale;
use crate::present::report::render_finding;
use std::collections::BTreeMap;
use std::fmt::Write;

fn line(out: &mut String, l: &Locale, label: &str, value: &str) {
    let _ = writeln!(out, "■ {}: {value}", l.text(label));
}

/// The inquiry for `request` with `log_files` attached, and `answers` as `answers::lines`
/// made them.
pub fn render(request: &BundleRequest<'_>, log_files: usize, answers: &[AnswerLine]) -> String {
    let l = Locale::for_face(request.lang, request.from_app);
    let d = request.diagnosis;
    let missing = l.text("bundle.inquiry.not_given");
    let section = |out: &mut String, which: Section| {
        for a in answers.iter().filter(|a| a.section == which) {
            line(out, l, a.label_key, &a.value_text(l));
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", l.text("bundle.inquiry.title"));
    let _ = writeln!(out);
    // The logs are said to be attached only when log files went into the zip.
    let intro = if log_files == 0 {
        "bundle.inquiry.intro_no_logs"
    } else {
        "bundle.inquiry.intro"
    };
    let _ = writeln!(out, "{}", l.text(intro));
    let _ = writeln!(out);
    section(&mut out, Section::Endpoint);
    let host = match &d.os.domain {
        Some(dom) => format!("{} ({dom})", d.os.hostname),
        None => d.os.hostname.clone(),
    };
    line(&mut out, l, "bundle.inquiry.endpoint", &host);
    let os = format!(
        "{} {} {} ({}, {}-bit)",
        d.os.name,
        d.os.version,
        d.os.build.clone().unwrap_or_default(),
        d.os.arch,
        d.os.bits
    );
    line(&mut out, l, "bundle.inquiry.os", os.trim());
    let device_id = d
        .findings
        .iter()
        .find(|f| f.id == "agent.registration")
        .and_then(|f| f.evidence.iter().find(|e| e.key == "evidence.device_id"))
        .map(|e| e.value.clone())
        .unwrap_or_else(|| l.text("bundle.inquiry.no_device_id").to_owned());
    line(&mut out, l, "bundle.inquiry.device_id", &device_id);
    let mut p = BTreeMap::new();
    p.insert("count".to_owned(), log_files.to_string());
    let folder_found = request.sources.iter().any(|s| s.path.is_dir());
    let logs = if log_files == 0 && folder_found {
        l.text("bundle.inquiry.logs_none_collected").to_owned()
    } else if log_files == 0 {
        l.text("bundle.inquiry.logs_none").to_owned()
    } else {
        l.render("bundle.inquiry.logs_attached", &p)
    };
    line(&mut out, l, "bundle.inquiry.logs", &logs);

    // Step 3's answers, when there is anything about Apex One (`answers::lines` decides).
    if answers.iter().any(|a| a.section == Section::Connection) {
        let _ = writeln!(out);
        section(&mut out, Section::Connection);
    }

    let apex_answers = answers.iter().any(|a| a.section == Section::ApexOne);
    if let Some(apex) = &d.coexistence.apex_one {
        let _ = writeln!(out);
        let kind = match apex.management {
            Management::Saas => "bundle.inquiry.apex_saas",
            Management::OnPremises => "bundle.inquiry.apex_on_premises",
            Management::Unknown => "bundle.inquiry.apex_unknown",
        };
        line(&mut out, l, "bundle.inquiry.apex", l.text(kind));
        if let Some(server) = &apex.server {
            line(&mut out, l, "bundle.inquiry.apex_server", server);
        }
        if let Some(guid) = &apex.guid {
            line(&mut out, l, "bundle.inquiry.apex_agent_guid", guid);
        }
        section(&mut out, Section::ApexOne);
        // Said only when the admin ticked the box: the text for support claims nothing
        // that was not done.
        if request.answers.recipients_noted {
            let _ = writeln!(out, "{}", l.text("bundle.inquiry.recipients_reminder"));
        }
    } else if apex_answers {
        let _ = writeln!(out);
        section(&mut out, Section::ApexOne);
    }
    if let Some(ds) = &d.coexistence.deep_security {
        let _ = writeln!(out);
        line(
            &mut out,
            l,
            "bundle.inquiry.deep_security",
            ds.version.as_deref().unwrap_or(missing),
        );
    }

    let _ = writeln!(out);
    // Said to support about the endpoint (not to the admin): what the checks found, then
    // each problem, and what could not be checked.
    let verdict_key = format!("bundle.inquiry.verdict.{}", d.summary.verdict().as_str());
    line(&mut out, l, "bundle.inquiry.result", l.text(&verdict_key));
    for f in d.findings.iter().filter(|f| f.status.severity() > 0) {
        let r = render_finding(f, l);
        let _ = writeln!(out, "  - [{}] {}", r.status_text, r.message);
    }
    let unchecked = l.text("status.skipped");
    for u in &d.unchecked {
        let _ = writeln!(out, "  - [{unchecked}] {}", l.message(&u.what));
    }
    if answers.iter().any(|a| a.section == Section::Notes) {
        let _ = writeln!(out);
        section(&mut out, Section::Notes);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", l.text("bundle.inquiry.footer"));
    out
}
