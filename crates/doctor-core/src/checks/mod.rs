//! The checks of the guide's step 1, the system-requirement items of the vendor's XDR
//! Endpoint Checker, and the coexistence of other Trend Micro agents. Each family is a
//! module with one `check` function that reads a [`Ctx`] and returns findings; none
//! prints, none fails the run: what could not be checked becomes a `skipped` finding.

use crate::catalogue::Catalogue;
use crate::finding::{Finding, Message, Status, Step};
use crate::layout::{is_denied, AgentFacts};
use crate::probe::{OsFacts, Platform, Probe, ProbeError, ProcessInfo};

pub mod agent;
pub mod agent_facts;
pub mod coexistence;
pub mod install_log;
pub mod reach;
pub mod system;

pub use coexistence::{ApexOne, Coexistence, DeepSecurity, Management, Question};

/// What the checks share: the probe, the catalogue and the facts read once per run.
pub struct Ctx<'a> {
    pub probe: &'a dyn Probe,
    pub catalogue: &'a Catalogue,
    pub os: OsFacts,
    pub agent: &'a AgentFacts,
    pub processes: Result<Vec<ProcessInfo>, String>,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("source", &self.probe.source())
            .field("os", &self.os)
            .finish_non_exhaustive()
    }
}

impl Ctx<'_> {
    pub fn platform(&self) -> Platform {
        self.os.platform
    }

    /// Fills `{ProgramFiles}` / `{ProgramFilesX86}` in a catalogue path.
    pub fn windows_path(&self, template: &str) -> String {
        crate::layout::windows_path(&self.os, template)
    }

    /// Processes whose name is one of `names` (case-insensitive, `.exe` optional).
    pub fn processes_named(&self, names: &[String]) -> Option<Vec<&ProcessInfo>> {
        let list = self.processes.as_ref().ok()?;
        let norm = |s: &str| {
            let lower = s.to_ascii_lowercase();
            lower
                .strip_suffix(".exe")
                .map(str::to_owned)
                .unwrap_or(lower)
        };
        let wanted: Vec<String> = names.iter().map(|n| norm(n)).collect();
        Some(
            list.iter()
                .filter(|p| wanted.contains(&norm(&p.name)))
                .collect(),
        )
    }
}

/// A `skipped` finding for a check that could not read what it needs.
pub(crate) fn skipped_probe_error(id: &str, step: Step, err: &ProbeError) -> Finding {
    skipped(id, step, &err.to_string(), is_denied(err))
}

const DENIED: &str = "check.skipped.denied";

/// Whether `f` is a check the OS refused to let run (see [`skipped`]).
pub(crate) fn was_denied(f: &Finding) -> bool {
    f.message.key == DENIED
}

/// A `skipped` finding from the error's text; `denied` adds the run-as-administrator remedy.
pub(crate) fn skipped(id: &str, step: Step, error: &str, denied: bool) -> Finding {
    let key = if denied {
        DENIED
    } else {
        "check.skipped.probe_error"
    };
    // The error text is technical detail from the OS, kept as evidence; the message is
    // the localised sentence.
    let mut f = Finding::new(id, step, Status::Skipped, Message::new(key)).evidence("error", error);
    if denied {
        f = f.remedy(Message::new("check.skipped.denied.remedy"));
    }
    f
}

/// Judges the local facts: step 1, the other agents (step 4) and the system requirements,
/// in the order of the guide's steps. Step 2's findings come from [`reach::findings`].
pub(crate) fn judge_local(
    probe: &dyn Probe,
    catalogue: &Catalogue,
    os: OsFacts,
    agent: &AgentFacts,
) -> (Vec<Finding>, Coexistence) {
    let ctx = Ctx {
        probe,
        catalogue,
        os,
        agent,
        processes: probe.processes().map_err(|e| e.to_string()),
    };
    let coexistence = coexistence::detect(&ctx);
    let mut findings = agent::check(&ctx);
    findings.extend(agent_facts::scheduled_task(&ctx));
    findings.extend(install_log::findings(
        probe,
        catalogue,
        &ctx.os,
        &install_log::Signatures::embedded(),
    ));
    findings.extend(coexistence::findings(&ctx, &coexistence));
    findings.extend(system::check(&ctx));
    mark_unverified_facts(catalogue, ctx.os.platform, &mut findings);
    (findings, coexistence)
}

/// Adds, to each finding whose result rests on a catalogue fact no vendor page confirms,
/// an evidence line naming that fact and where it was seen, so the verbose output and
/// the bundle's manifest show it.
fn mark_unverified_facts(catalogue: &Catalogue, platform: Platform, findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        // A check that could not run rests on nothing.
        if f.status == Status::Skipped {
            continue;
        }
        for fact in catalogue.unverified_for(&f.id, &f.message.key, platform) {
            let place = if fact.url.is_empty() {
                String::new()
            } else {
                format!(" <{}>", fact.url)
            };
            // People read the fact's name; the manifest keeps its path, date and page.
            let name = format!("fact.{}", fact.path);
            f.evidence.push(crate::finding::Evidence {
                key: "evidence.unverified_fact".into(),
                value: format!("{} ({}){place}", fact.path, fact.checked),
                value_key: crate::i18n::Locale::get(crate::i18n::Lang::En)
                    .has(&name)
                    .then_some(name),
            });
        }
    }
}
