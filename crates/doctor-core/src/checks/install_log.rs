//! The deployment script's install logs (`%APPDATA%\Trend Micro\V1ES\v1es_install.log` in
//! each user profile on Windows, `/tmp/v1es_install.log` on Linux) and the signature
//! catalogue of their lines with a published meaning (`catalogue/signatures.json`, data
//! that support staff extend without code). A recognised line becomes a finding that cites
//! file and line. Scanning is bounded: one known file per profile, at most
//! [`MAX_PROFILES`] profiles, the last [`MAX_LOG_BYTES`] of each file. It does not collect
//! the files into the bundle; [`bundle_sources`] says where they are for the bundle to do so.

use crate::catalogue::Catalogue;
use crate::finding::{Finding, Message, Status, Step};
use crate::probe::{OsFacts, PathKind, Platform, Probe};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

const DEFAULT: &str = include_str!("../../catalogue/signatures.json");

/// Profiles looked at, at most; a terminal server can have thousands.
pub const MAX_PROFILES: usize = 256;
/// Bytes read from the end of each log; the script writes a few kilobytes per run.
pub const MAX_LOG_BYTES: u64 = 1024 * 1024;
/// Longest log line quoted as evidence.
const MAX_QUOTE: usize = 300;

/// Profile folders that are not people.
const NOT_PEOPLE: [&str; 5] = [
    "public",
    "default",
    "default user",
    "all users",
    "defaultapppool",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Signatures {
    pub version: String,
    #[serde(default)]
    pub note: String,
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Stable id; the finding is `install_log.<id>`.
    pub id: String,
    /// The OS whose script prints the line.
    pub platform: Platform,
    /// Text the line contains (case-insensitive, no wildcards).
    pub pattern: String,
    pub severity: Severity,
    /// Locale key of what the line means.
    pub meaning: String,
    /// Locale key of what to do; required unless the severity is `info`.
    #[serde(default)]
    pub remedy: Option<String>,
    pub source: SignatureSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warn,
    Fail,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SignatureSource {
    pub url: String,
    pub checked: String,
    pub verified: bool,
    #[serde(default)]
    pub note: String,
}

impl Signatures {
    /// The signatures embedded in this build (parsed once per process).
    pub fn embedded() -> Signatures {
        static PARSED: std::sync::OnceLock<Signatures> = std::sync::OnceLock::new();
        PARSED
            .get_or_init(|| Signatures::from_json(DEFAULT).expect("embedded signatures are valid"))
            .clone()
    }

    pub fn from_json(text: &str) -> Result<Signatures, crate::catalogue::CatalogueError> {
        let sigs: Signatures =
            serde_json::from_str(text).map_err(|e| crate::catalogue::CatalogueError {
                detail: e.to_string(),
                line: e.line(),
                column: e.column(),
            })?;
        for s in &sigs.signatures {
            if s.pattern.trim().is_empty() || (s.severity != Severity::Info && s.remedy.is_none()) {
                return Err(crate::catalogue::CatalogueError {
                    detail: format!(
                        "signature {}: needs a pattern, and a remedy unless it is info",
                        s.id
                    ),
                    line: 0,
                    column: 0,
                });
            }
        }
        Ok(sigs)
    }
}

/// One install log present on the machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InstallLog {
    /// The profile it belongs to (Windows).
    pub user: Option<String>,
    pub path: String,
}

fn users_dir(catalogue: &Catalogue, os: &OsFacts) -> String {
    catalogue
        .agent
        .windows
        .users_dir
        .replace("{SystemDrive}", &os.system_drive)
}

/// The install logs that exist: per user profile on Windows (`C:\Users\*`), the one file
/// on Linux. macOS has no documented deployment-script log.
pub fn locate(probe: &dyn Probe, catalogue: &Catalogue, os: &OsFacts) -> Vec<InstallLog> {
    let exists = |p: &str| probe.path_kind(p).ok() == Some(PathKind::File);
    match os.platform {
        Platform::Linux => {
            let p = &catalogue.agent.linux.install_log;
            if exists(p) {
                vec![InstallLog {
                    user: None,
                    path: p.clone(),
                }]
            } else {
                Vec::new()
            }
        }
        Platform::Macos => Vec::new(),
        Platform::Windows => {
            let users = users_dir(catalogue, os);
            let Ok(entries) = probe.list_dir(&users) else {
                return Vec::new();
            };
            let mut names: Vec<String> = entries
                .into_iter()
                .filter(|e| e.is_dir)
                .map(|e| e.name)
                .filter(|n| !NOT_PEOPLE.contains(&n.to_ascii_lowercase().as_str()))
                .collect();
            names.sort();
            names
                .into_iter()
                .take(MAX_PROFILES)
                .filter_map(|user| {
                    let path = format!(
                        "{}\\{user}\\AppData\\Roaming\\{}",
                        users.trim_end_matches('\\'),
                        catalogue.agent.windows.install_log
                    );
                    exists(&path).then_some(InstallLog {
                        user: Some(user),
                        path,
                    })
                })
                .collect()
        }
    }
}

/// Something for the bundle to collect: the same shape as `bundle::Source` (label +
/// path), kept here so this module does not depend on the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Source {
    pub label: String,
    /// On Windows the script's own `V1ES` folder (it holds only its transcript); on Linux
    /// the log file itself, since its folder is `/tmp`.
    pub path: PathBuf,
}

/// The install logs as bundle sources (`logs/install-log-<user>/…`, `logs/install-log`),
/// for the bundle to collect.
pub fn bundle_sources(probe: &dyn Probe, catalogue: &Catalogue, os: &OsFacts) -> Vec<Source> {
    locate(probe, catalogue, os)
        .into_iter()
        .map(|log| match &log.user {
            Some(user) => Source {
                label: format!("install-log-{user}"),
                path: PathBuf::from(
                    log.path
                        .rsplit_once('\\')
                        .map_or(log.path.as_str(), |(dir, _)| dir),
                ),
            },
            None => Source {
                label: "install-log".into(),
                path: PathBuf::from(log.path),
            },
        })
        .collect()
}

/// A signature found in a log: its last occurrence (the newest run) and how often.
#[derive(Debug, Clone)]
pub struct Hit<'s> {
    pub signature: &'s Signature,
    /// 1-based line number of the last occurrence.
    pub line: usize,
    pub text: String,
    pub count: usize,
}

/// The signatures of `platform` that occur in `text`, in catalogue order. The text is
/// lower-cased once (ASCII, so byte offsets stay) and each pattern searched in the whole
/// of it; line numbers come from one pass over the newlines. Per-line work would cost
/// several times more on a long log.
pub fn scan<'s>(text: &str, signatures: &'s Signatures, platform: Platform) -> Vec<Hit<'s>> {
    let lower = text.to_ascii_lowercase();
    let mut newlines: Option<Vec<usize>> = None;
    let mut hits: Vec<Hit<'s>> = Vec::new();
    for sig in signatures
        .signatures
        .iter()
        .filter(|s| s.platform == platform)
    {
        let pattern = sig.pattern.to_ascii_lowercase();
        let mut found = lower.match_indices(pattern.as_str());
        let Some(first) = found.next() else {
            continue;
        };
        let mut count = 1;
        let mut last = first.0;
        for (at, _) in found {
            count += 1;
            last = at;
        }
        // Only logs with a hit pay for the line index.
        let nl = newlines.get_or_insert_with(|| {
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect()
        });
        let line_index = nl.partition_point(|&n| n < last);
        let start = if line_index == 0 {
            0
        } else {
            nl[line_index - 1] + 1
        };
        let end = nl.get(line_index).copied().unwrap_or(text.len());
        let quote: String = text
            .get(start..end)
            .unwrap_or_default()
            .trim()
            .chars()
            .take(MAX_QUOTE)
            .collect();
        hits.push(Hit {
            signature: sig,
            line: line_index + 1,
            text: quote,
            count,
        });
    }
    hits
}

/// Step 1's findings from the install logs: one per recognised signature per file, or an
/// `info` when a log holds no known line. No log, no finding: the agent may have been
/// installed another way.
pub fn findings(
    probe: &dyn Probe,
    catalogue: &Catalogue,
    os: &OsFacts,
    signatures: &Signatures,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for log in locate(probe, catalogue, os) {
        let bytes = match probe.read_tail(&log.path, MAX_LOG_BYTES) {
            Ok(b) => b,
            Err(e) => {
                out.push(super::skipped_probe_error(
                    "install_log.found",
                    Step::Process,
                    &e,
                ));
                continue;
            }
        };
        let cut = probe
            .file_size(&log.path)
            .is_ok_and(|size| size > MAX_LOG_BYTES);
        let text = crate::probe::task_xml::decode(&bytes);
        let hits = scan(&text, signatures, os.platform);
        if hits.is_empty() {
            out.push(
                Finding::new(
                    "install_log.found",
                    Step::Process,
                    Status::Info,
                    Message::new("install_log.no_known_line"),
                )
                .evidence("install_log", log.path.clone()),
            );
            continue;
        }
        for hit in hits {
            let s = hit.signature;
            let status = match s.severity {
                Severity::Info => Status::Info,
                Severity::Warn => Status::Warn,
                Severity::Fail => Status::Fail,
            };
            let mut f = Finding::new(
                &format!("install_log.{}", s.id),
                Step::Process,
                status,
                Message::new(s.meaning.clone())
                    .with("file", log.path.clone())
                    .with("line", hit.line.to_string()),
            )
            .evidence("install_log", log.path.clone())
            .evidence(
                "line_number",
                if cut {
                    format!("{} (of the last {} KB)", hit.line, MAX_LOG_BYTES / 1024)
                } else {
                    hit.line.to_string()
                },
            )
            .evidence("log_line", hit.text.clone())
            .evidence("occurrences", hit.count.to_string())
            .evidence("signature_source", s.source.url.clone());
            if let Some(user) = &log.user {
                f = f.evidence("user_profile", user.clone());
            }
            if !s.source.verified {
                f = f.evidence(
                    "unverified_fact",
                    format!(
                        "signature {} ({}) <{}>",
                        s.id, s.source.checked, s.source.url
                    ),
                );
            }
            if let Some(r) = &s.remedy {
                f = f.remedy(
                    Message::new(r.clone())
                        .with("file", log.path.clone())
                        .with("line", hit.line.to_string()),
                );
            }
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_signatures_load_and_each_names_its_source() {
        let sigs = Signatures::embedded();
        assert!(sigs.signatures.len() >= 4);
        for s in &sigs.signatures {
            assert!(s.source.url.starts_with("https://"), "{}", s.id);
            assert_eq!(s.source.checked.len(), 10, "{}", s.id);
        }
    }

    #[test]
    fn the_last_occurrence_and_its_line_are_cited() {
        let sigs = Signatures::embedded();
        let log = "10:00:01 The agent is not registered yet. Please wait 10 seconds.\n\
                   10:00:11 The agent is not registered yet. Please wait 10 seconds.\n\
                   10:05:01 The agent registration failed. Please see the EndpointBasecamp.log for more details.\n";
        let hits = scan(log, &sigs, Platform::Windows);
        let ids: Vec<_> = hits.iter().map(|h| h.signature.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "windows.registration_failed",
                "windows.waiting_for_registration"
            ]
        );
        assert_eq!(hits[0].line, 3);
        assert_eq!(hits[1].line, 2);
        assert_eq!(hits[1].count, 2);
        assert!(scan(log, &sigs, Platform::Linux).is_empty());
    }

    #[test]
    fn a_linux_curl_without_tls12_is_recognised_case_insensitively() {
        let sigs = Signatures::embedded();
        let hits = scan(
            "Thu Nov 26 [error] your version of curl does not support tls v1.2. Please update curl.",
            &sigs,
            Platform::Linux,
        );
        assert_eq!(hits[0].signature.id, "linux.curl_without_tls12");
    }

    #[test]
    fn bundle_sources_name_each_profiles_v1es_folder() {
        use crate::probe::fixture::FixtureProbe;
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/scenarios/windows-install-log-registration-failed.json");
        let probe = FixtureProbe::load(&path).unwrap();
        let os = probe.os().unwrap();
        let got = bundle_sources(&probe, &Catalogue::embedded(), &os);
        assert_eq!(
            got,
            [Source {
                label: "install-log-alice".into(),
                path: PathBuf::from(r"C:\Users\alice\AppData\Roaming\Trend Micro\V1ES"),
            }]
        );
    }

    #[test]
    fn a_signature_without_a_remedy_must_be_info() {
        let text = r#"{"version":"x","signatures":[{"id":"a","platform":"linux","pattern":"p",
            "severity":"fail","meaning":"m","source":{"url":"https://x","checked":"2026-11-26","verified":false}}]}"#;
        assert!(Signatures::from_json(text).is_err());
    }
}
