//! A [`Diagnosis`] rendered in one language: what `basecamp-doctor check --json` prints and
//! what the bundle's report is made from. Keys stay beside the text so a machine can read
//! the result whatever the language.

use crate::checks::Coexistence;
use crate::finding::{Finding, Status, Step, Summary, Verdict};
use crate::i18n::{Lang, Locale};
use crate::probe::{OsFacts, ProbeSource};
use crate::Diagnosis;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub tool: Tool,
    pub catalogue_version: String,
    pub lang: Lang,
    pub generated_at: String,
    pub source: ProbeSource,
    pub os: OsFacts,
    pub verdict: Verdict,
    pub verdict_text: String,
    /// What was not checked and how to check it (the reason the verdict is `incomplete`).
    pub unchecked: Vec<RenderedUnchecked>,
    pub exit_code: i32,
    pub summary: Summary,
    pub coexistence: Coexistence,
    pub findings: Vec<RenderedFinding>,
    /// Step 2's raw results (region, proxy, every host's stages), when it ran.
    pub network: Option<crate::netfacts::NetworkReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct RenderedFinding {
    pub id: String,
    pub step: Step,
    pub step_title: String,
    pub status: Status,
    pub status_text: String,
    pub message: String,
    pub message_key: String,
    pub params: BTreeMap<String, String>,
    pub evidence: Vec<RenderedEvidence>,
    pub remedy: Option<String>,
    pub remedy_key: Option<String>,
    /// See [`Finding::show_remedy`].
    pub show_remedy: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RenderedUnchecked {
    pub id: String,
    pub what: String,
    pub how: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RenderedEvidence {
    pub key: String,
    pub label: String,
    pub value: String,
}

impl Report {
    pub fn new(diagnosis: &Diagnosis, lang: Lang) -> Report {
        let locale = Locale::get(lang);
        let verdict = diagnosis.summary.verdict();
        Report {
            tool: Tool {
                name: "basecamp-doctor",
                version: crate::VERSION,
            },
            catalogue_version: diagnosis.catalogue_version.clone(),
            lang,
            generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            source: diagnosis.source.clone(),
            os: diagnosis.os.clone(),
            verdict,
            verdict_text: locale
                .text(&format!("verdict.{}", verdict.as_str()))
                .to_owned(),
            unchecked: diagnosis
                .unchecked
                .iter()
                .map(|u| RenderedUnchecked {
                    id: u.id.clone(),
                    what: locale.message(&u.what),
                    how: locale.message(&u.how),
                })
                .collect(),
            exit_code: diagnosis.summary.exit_code(),
            summary: diagnosis.summary.clone(),
            coexistence: diagnosis.coexistence.clone(),
            findings: diagnosis
                .findings
                .iter()
                .map(|f| render_finding(f, locale))
                .collect(),
            network: diagnosis.network.clone(),
        }
    }
}

pub fn render_finding(f: &Finding, locale: &Locale) -> RenderedFinding {
    RenderedFinding {
        id: f.id.clone(),
        step: f.step,
        step_title: locale.text(&f.step.title_key()).to_owned(),
        status: f.status,
        status_text: locale
            .text(&format!("status.{}", f.status.as_str()))
            .to_owned(),
        message: locale.message(&f.message),
        message_key: f.message.key.clone(),
        params: f.message.params.clone(),
        evidence: f
            .evidence
            .iter()
            .map(|e| RenderedEvidence {
                key: e.key.clone(),
                label: locale.text(&e.key).to_owned(),
                value: match &e.value_key {
                    Some(k) => locale.text(k).to_owned(),
                    None => crate::units::localised_seconds(&e.value, locale)
                        .unwrap_or_else(|| e.value.clone()),
                },
            })
            .collect(),
        remedy: f.remedy.as_ref().map(|r| locale.message(r)),
        remedy_key: f.remedy.as_ref().map(|r| r.key.clone()),
        show_remedy: f.show_remedy,
    }
}

/// Every locale key a finding refers to: message, remedy, evidence labels and values,
/// step title and status. Used by the tests that keep the catalogues complete.
pub fn keys_of(f: &Finding) -> Vec<String> {
    let mut keys = vec![
        f.message.key.clone(),
        f.step.title_key(),
        format!("status.{}", f.status.as_str()),
    ];
    if let Some(r) = &f.remedy {
        keys.push(r.key.clone());
    }
    for e in &f.evidence {
        keys.push(e.key.clone());
        if let Some(k) = &e.value_key {
            keys.push(k.clone());
        }
    }
    keys
}
