//! `manifest.json`: what the bundle holds and why, in a versioned schema
//! (`docs/manifest.schema.json`, checked by a test against every manifest we write).

use super::{BundleRequest, Limits, SkippedFile, SupportAnswers};
use crate::checks::Coexistence;
use crate::finding::{Finding, Summary};
use crate::netfacts::NetworkReport;
use crate::probe::{OsFacts, ProbeSource};
use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema of the manifest, shipped with the program so tools can validate.
pub const SCHEMA: &str = include_str!("../../../../docs/manifest.schema.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileRecord {
    /// Name inside the zip (ASCII, `/`-separated).
    pub entry: String,
    /// The collected folder's label (`basecamp`, `custom-1`).
    pub source: String,
    /// Where it was on the machine, as the OS spells it.
    pub original_path: String,
    /// Size on disk when listed.
    pub size: u64,
    /// Bytes stored (after cutting and masking).
    pub stored_size: u64,
    pub modified: Option<String>,
    /// SHA-256 of the stored bytes.
    pub sha256: String,
    /// Only the head and tail were kept (the file exceeded the per-file cap).
    pub cut: bool,
    /// Values masked in this file.
    pub redactions: usize,
    /// The file changed size while it was collected (the agent kept writing).
    pub changed_while_read: bool,
    /// What the stored UTF-8 text was converted from (`UTF-16LE`, `Shift_JIS`, `gzip`);
    /// absent when the stored bytes are the file's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_encoding: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScreenshotRecord {
    pub entry: String,
    pub slot: String,
    pub caption: String,
    pub original_path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Redaction {
    pub rules: Vec<String>,
    pub total: usize,
}

/// `files` is a `Vec` when read back; while a bundle is written it is a view that makes one
/// record at a time, so the manifest of 100,000 files is streamed, not built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Manifest<F = Vec<FileRecord>> {
    pub schema_version: u32,
    pub tool: Tool,
    pub catalogue_version: String,
    pub created_at_utc: String,
    pub created_at_local: String,
    pub lang: String,
    pub hostname: String,
    pub os: OsFacts,
    pub source: ProbeSource,
    pub summary: Summary,
    /// What was not checked and how to check it (as `check --json` lists it).
    #[serde(default)]
    pub unchecked: Vec<crate::finding::Unchecked>,
    pub findings: Vec<Finding>,
    pub coexistence: Coexistence,
    pub network: Option<NetworkReport>,
    pub network_note: bool,
    pub answers: SupportAnswers,
    /// The endpoint's IDs, for comparing many bundles (`basecamp-doctor fleet`).
    pub identity: Option<crate::identity::Identity>,
    pub screenshots: Vec<ScreenshotRecord>,
    pub limits: Limits,
    pub files: F,
    pub skipped: Vec<SkippedFile>,
    pub redaction: Redaction,
}

impl<F> Manifest<F> {
    pub(crate) fn new(
        request: &BundleRequest<'_>,
        files: F,
        redactions: usize,
        skipped: Vec<SkippedFile>,
        screenshots: Vec<ScreenshotRecord>,
        network_note: bool,
    ) -> Manifest<F> {
        let d = request.diagnosis;
        let now = chrono::Utc::now();
        Manifest {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "basecamp-doctor".into(),
                version: crate::VERSION.into(),
            },
            catalogue_version: request.catalogue.version.clone(),
            created_at_utc: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            created_at_local: now
                .with_timezone(&chrono::Local)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            lang: request.lang.code().into(),
            hostname: d.os.hostname.clone(),
            os: d.os.clone(),
            source: d.source.clone(),
            summary: d.summary.clone(),
            unchecked: d.unchecked.clone(),
            findings: d.findings.clone(),
            coexistence: d.coexistence.clone(),
            network: d.network.clone(),
            network_note,
            answers: request.answers.clone(),
            identity: request.identity.clone(),
            screenshots,
            limits: request.limits,
            redaction: Redaction {
                rules: super::redact::rule_names()
                    .into_iter()
                    .map(String::from)
                    .collect(),
                total: redactions,
            },
            files,
            skipped,
        }
    }
}
