//! The checks of the guide's step 1, the system-requirement items of the vendor's XDR
//! Endpoint Checker, and the coexistence of other Trend Micro agents. Each family is a
//! module with one `check` function that reads a [`Ctx`] and returns findings; none
//! prints, none fails the run: what could not be checked becomes a `skipped` finding.

use crate::catalogue::Catalogue;
use crate::finding::{Finding, Message, Status, Step, Summary};
use crate::probe::{OsFacts, Platform, Probe, ProbeError, ProbeSource, ProcessInfo};
use serde::{Deserialize, Serialize};

pub mod agent;
pub mod agent_facts;
pub mod coexistence;
pub mod network;
pub mod system;

pub use coexistence::{ApexOne, Coexistence, DeepSecurity, Management, Question};

/// Everything one run of the checks found, ready for any face to show.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Diagnosis {
    pub source: ProbeSource,
    pub os: OsFacts,
    pub catalogue_version: String,
    pub findings: Vec<Finding>,
    /// Which other agents are here; decides the questions of step 4.
    pub coexistence: Coexistence,
    pub summary: Summary,
    /// Step 2's results, when the network was checked.
    #[serde(default)]
    pub network: Option<network::NetworkReport>,
    /// The agent's own registration values (Business ID, environment), typed.
    #[serde(default)]
    pub agent: agent_facts::AgentFacts,
}

impl Diagnosis {
    /// Adds step 2's findings and results, keeping the step order and the summary right.
    pub fn add_network(&mut self, catalogue: &Catalogue, report: network::NetworkReport) {
        self.findings.extend(network::findings(catalogue, &report));
        self.findings.sort_by_key(|f| f.step);
        self.summary = Summary::of(&self.findings);
        self.network = Some(report);
    }
}

/// What the checks share: the probe, the catalogue and the facts read once per run.
pub struct Ctx<'a> {
    pub probe: &'a dyn Probe,
    pub catalogue: &'a Catalogue,
    pub os: OsFacts,
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
        windows_path(&self.os, template)
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

/// Fills `{ProgramFiles}` / `{ProgramFilesX86}` in a catalogue path from the OS facts.
pub fn windows_path(os: &OsFacts, template: &str) -> String {
    let pf = os
        .program_files
        .clone()
        .unwrap_or_else(|| format!("{}Program Files", os.system_drive));
    let pf86 = os
        .program_files_x86
        .clone()
        .unwrap_or_else(|| format!("{}Program Files (x86)", os.system_drive));
    template
        .replace("{ProgramFilesX86}", &pf86)
        .replace("{ProgramFiles}", &pf)
}

/// A `skipped` finding for a check that could not read what it needs.
pub(crate) fn skipped_probe_error(id: &str, step: Step, err: &ProbeError) -> Finding {
    let denied = matches!(err, ProbeError::Io { source, .. }
        if source.kind() == std::io::ErrorKind::PermissionDenied);
    let key = if denied {
        "check.skipped.denied"
    } else {
        "check.skipped.probe_error"
    };
    // The error text is technical detail from the OS, kept as evidence; the message is
    // the localised sentence.
    let mut f = Finding::new(id, step, Status::Skipped, Message::new(key))
        .evidence("error", err.to_string());
    if denied {
        f = f.remedy(Message::new("check.skipped.denied.remedy"));
    }
    f
}

/// Runs every check against `probe`. Fails only when the OS facts themselves cannot be
/// read, since nothing else can be judged without knowing the platform.
pub fn run_checks(probe: &dyn Probe, catalogue: &Catalogue) -> Result<Diagnosis, ProbeError> {
    let os = probe.os()?;
    let ctx = Ctx {
        probe,
        catalogue,
        os,
        processes: probe.processes().map_err(|e| e.to_string()),
    };
    let coexistence = coexistence::detect(&ctx);
    let agent_facts = agent_facts::read(&ctx);
    let mut findings = agent::check(&ctx);
    findings.extend(agent_facts::scheduled_task(&ctx));
    findings.extend(crate::install_log::findings(
        probe,
        catalogue,
        &ctx.os,
        &crate::install_log::Signatures::embedded(),
    ));
    findings.extend(coexistence::findings(&ctx, &coexistence));
    findings.extend(system::check(&ctx));
    mark_unverified_facts(catalogue, ctx.os.platform, &mut findings);
    // Stable order: by step, then the order the checks produced.
    findings.sort_by_key(|f| f.step);
    let summary = Summary::of(&findings);
    Ok(Diagnosis {
        source: probe.source(),
        os: ctx.os,
        catalogue_version: catalogue.version.clone(),
        findings,
        coexistence,
        summary,
        network: None,
        agent: agent_facts,
    })
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
            f.evidence.push(crate::finding::Evidence {
                key: "evidence.unverified_fact".into(),
                value: format!("{} ({}){place}", fact.path, fact.checked),
                value_key: None,
            });
        }
    }
}

/// Bytes as people read them (1024-based, as Windows Explorer shows sizes).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn utc_time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| secs.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_human() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GB");
        assert_eq!(human_bytes(1536), "1.5 KB");
    }

    #[test]
    fn utc_time_formats() {
        assert_eq!(utc_time(0), "1970-01-01 00:00:00 UTC");
    }
}
