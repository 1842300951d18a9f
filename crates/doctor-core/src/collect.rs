//! One endpoint's result for the fleet: the verdict, the findings as keys (no evidence),
//! step 2's per-host stages, the identity, the IP addresses and the proxy in effect
//! (never its credentials), as one small JSON file (`docs/collect.schema.json`) that
//! Intune, Configuration Manager, GPO or Ansible gather on a share and `fleet` reads. It
//! also writes that file so that a share written by hundreds of endpoints at once never
//! holds a partial one. It does not decide how a fleet is judged; `fleet` does.

use crate::diagnosis::Diagnosis;
use crate::finding::{Status, Step, Summary};
use crate::identity::Identity;
use crate::netfacts::{HostResult, NetError, Stage, StageName};
use crate::probe::Platform;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

pub const SCHEMA_VERSION: u32 = 1;
/// The `kind` field that tells a collect file from an identity file.
pub const KIND: &str = "basecamp-doctor.collect";
/// The JSON Schema of the file (`docs/collect.schema.json`).
pub const SCHEMA: &str = include_str!("../../../docs/collect.schema.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CollectFile {
    pub kind: String,
    pub schema_version: u32,
    pub tool_version: String,
    pub catalogue_version: String,
    pub created_at_utc: String,
    pub hostname: String,
    pub platform: Platform,
    /// "Windows 11 Pro 24H2", as the OS names itself.
    pub os: String,
    /// A site name the deployment gave (`--site-hint`), used when no site map matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_hint: Option<String>,
    /// The endpoint's addresses, loopback and link-local left out.
    #[serde(default)]
    pub addresses: Vec<IpAddr>,
    pub verdict: Status,
    pub exit_code: i32,
    pub summary: Summary,
    pub findings: Vec<CompactFinding>,
    /// Step 2, when it ran.
    #[serde(default)]
    pub network: Option<CompactNetwork>,
    pub identity: Identity,
}

/// A finding without its evidence: what `fleet` counts and renders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CompactFinding {
    pub id: String,
    pub step: Step,
    pub status: Status,
    pub key: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CompactNetwork {
    /// `us`, `eu`, `jp`, …; `None` when unknown (step 2 then tested nothing).
    #[serde(default)]
    pub region: Option<String>,
    /// `chosen` or `detected`.
    #[serde(default)]
    pub region_source: Option<String>,
    #[serde(default)]
    pub proxy: Option<ProxyInEffect>,
    /// The proxy auto-configuration address, with any user name, password and query
    /// left out.
    #[serde(default)]
    pub pac: Option<String>,
    pub hosts: Vec<HostOutcome>,
}

/// The proxy the test went through: where it is and where the setting came from. The
/// configured text is not kept, so no credential can ride along.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProxyInEffect {
    pub host: String,
    pub port: u16,
    /// `flag`, `winhttp`, `wininet` or `environment`.
    pub source: String,
}

impl ProxyInEffect {
    pub fn label(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// How far one host's connection got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HostOutcome {
    pub host: String,
    pub port: u16,
    /// The host group (`purpose.<key>` in the locales).
    pub purpose: String,
    /// The stage that failed, or the last one that succeeded.
    pub stage: StageName,
    /// Why it failed; absent when the host answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<NetError>,
}

fn outcome(r: &HostResult) -> HostOutcome {
    let (stage, error) = match r.failure() {
        Some((stage, error, _)) => (stage, Some(error)),
        None => {
            let ok = |ran: bool, name| ran.then_some(name);
            let reached = [
                ok(matches!(r.http, Stage::Ok { .. }), StageName::Http),
                ok(matches!(r.tls, Stage::Ok { .. }), StageName::Tls),
                ok(matches!(r.proxy, Stage::Ok { .. }), StageName::Proxy),
                ok(matches!(r.tcp, Stage::Ok { .. }), StageName::Tcp),
            ]
            .into_iter()
            .flatten()
            .next()
            .unwrap_or(StageName::Dns);
            (reached, None)
        }
    };
    HostOutcome {
        host: r.target.host.clone(),
        port: r.target.port,
        purpose: r.target.purpose.clone(),
        stage,
        error,
    }
}

/// `scheme://user:pa/ss@host:port/x?token=y` → `scheme://host:port/x`. Everything up
/// to the last `@` goes, since a password may itself hold `/` or `@`.
pub fn without_credentials(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), url),
    };
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    format!("{scheme}{rest}")
}

/// A parameter value with the shape of credentials in a URL loses them.
fn scrub(value: &str) -> String {
    if value.contains('@') && (value.contains("://") || value.contains(':')) {
        without_credentials(value)
    } else {
        value.to_owned()
    }
}

/// The collect file for a diagnosis. `addresses` are the probe's (see
/// [`crate::probe::Probe::addresses`]).
pub fn build(diagnosis: &Diagnosis, site_hint: Option<String>) -> CollectFile {
    let identity = diagnosis.identity.clone();
    let addresses = diagnosis.addresses.clone();
    let os = &diagnosis.os;
    let findings = diagnosis
        .findings
        .iter()
        .map(|f| CompactFinding {
            id: f.id.clone(),
            step: f.step,
            status: f.status,
            key: f.message.key.clone(),
            params: f
                .message
                .params
                .iter()
                .map(|(k, v)| (k.clone(), scrub(v)))
                .collect(),
            remedy_key: f.remedy.as_ref().map(|r| r.key.clone()),
        })
        .collect();
    let network = diagnosis.network.as_ref().map(|n| CompactNetwork {
        region: n.region.as_ref().map(|r| r.code().to_owned()),
        region_source: n.region.as_ref().map(|r| {
            match r {
                crate::network::region::RegionChoice::Chosen { .. } => "chosen",
                crate::network::region::RegionChoice::Detected { .. } => "detected",
            }
            .to_owned()
        }),
        proxy: n.proxy.as_ref().map(|p| ProxyInEffect {
            host: p.host.clone(),
            port: p.port,
            source: p.source.clone(),
        }),
        pac: n.pac_url.as_deref().map(without_credentials),
        // A host the test was stopped before reaching was not tested: it is left out, never
        // counted as reached (the run's verdict already says step 2 is not checked).
        hosts: n
            .results
            .iter()
            .filter(|r| !r.stopped)
            .map(outcome)
            .collect(),
    });
    let mut addresses: Vec<IpAddr> = addresses
        .into_iter()
        .filter(|ip| crate::interfaces::useful(*ip))
        .collect();
    addresses.truncate(32);
    CollectFile {
        kind: KIND.to_owned(),
        schema_version: SCHEMA_VERSION,
        tool_version: crate::VERSION.to_owned(),
        catalogue_version: diagnosis.catalogue_version.clone(),
        created_at_utc: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        hostname: os.hostname.clone(),
        platform: os.platform,
        os: format!("{} {}", os.name, os.version).trim().to_owned(),
        site_hint: site_hint
            .map(|s| {
                s.trim()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(100)
                    .collect()
            })
            .filter(|s: &String| !s.is_empty()),
        addresses,
        // A Status here (fleet reads it): an incomplete run is `skipped`, never `pass`.
        verdict: diagnosis.summary.verdict().status(),
        exit_code: diagnosis.summary.exit_code(),
        summary: diagnosis.summary.clone(),
        findings,
        network,
        identity,
    }
}

/// The file name for a host: letters, digits, `.`, `-` and `_` kept, anything else `_`,
/// at most 64 characters, never a name Windows reserves, ending `.collect.json`.
pub fn file_name(hostname: &str) -> String {
    let mut stem: String = hostname
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    stem = stem.trim_matches('.').to_owned();
    if stem.is_empty() {
        stem = "endpoint".to_owned();
    }
    let base = stem.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((base.starts_with("COM") || base.starts_with("LPT"))
            && base.len() == 4
            && base.as_bytes()[3].is_ascii_digit());
    if reserved {
        stem.insert(0, '_');
    }
    format!("{stem}.collect.json")
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("could not write a temporary file in {dir}: {source}")]
    Temp {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not put {path} in place: {source}")]
    Rename {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl WriteError {
    /// The folder itself is missing or not writable (as opposed to a failed write).
    pub fn is_destination(&self) -> bool {
        matches!(self, WriteError::Temp { source, .. }
            if matches!(source.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied))
    }
}

/// Writes `file` into `dir` as [`file_name`]: first under a temporary name unique to this
/// process and moment, flushed to disk, then renamed over the final name, which replaces
/// an older file in one step. Readers see the old file or the new one, never half of one;
/// many endpoints writing to one share at once never collide. The temporary file is
/// removed on any failure.
pub fn write(dir: &Path, file: &CollectFile) -> Result<PathBuf, WriteError> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = file_name(&file.hostname);
    let target = dir.join(&name);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let temp = dir.join(format!(
        ".{name}.{}.{nanos:09}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let temp_err = |source| WriteError::Temp {
        dir: dir.to_owned(),
        source,
    };
    let bytes = serde_json::to_vec_pretty(file).map_err(|e| temp_err(std::io::Error::other(e)))?;
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        f.write_all(&bytes)?;
        f.write_all(b"\n")?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(temp_err(e));
    }
    if let Err(source) = std::fs::rename(&temp, &target) {
        let _ = std::fs::remove_file(&temp);
        return Err(WriteError::Rename {
            path: target,
            source,
        });
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_become_safe_file_names() {
        assert_eq!(file_name("PC-001"), "PC-001.collect.json");
        assert_eq!(file_name("../../etc/x"), "_.._etc_x.collect.json");
        assert_eq!(file_name("con"), "_con.collect.json");
        assert_eq!(file_name("COM1.corp"), "_COM1.corp.collect.json");
        assert_eq!(file_name(""), "endpoint.collect.json");
        assert_eq!(file_name("営業-PC"), "__-PC.collect.json");
        assert!(file_name(&"a".repeat(300)).len() <= 64 + 13);
    }

    #[test]
    fn credentials_never_survive_in_a_url() {
        for (input, want) in [
            ("http://u:p@proxy:8080", "http://proxy:8080"),
            ("http://u:pa/ss@w@proxy:8080/", "http://proxy:8080/"),
            (
                "http://pac.corp/proxy.pac?token=abc",
                "http://pac.corp/proxy.pac",
            ),
            ("u:pw@proxy:3128", "proxy:3128"),
        ] {
            assert_eq!(without_credentials(input), want);
        }
        assert_eq!(scrub("proxy.corp:8080"), "proxy.corp:8080");
        assert_eq!(scrub("http://a:b@c:1"), "http://c:1");
    }
}
