//! A probe that replays a scenario file (JSON) describing a machine: its OS, processes,
//! services, files, registry values, trusted roots, proxy and free space. It lets every
//! check be tested on Linux against "64-bit Windows with Apex One SaaS", and lets support
//! staff replay a customer's machine. Format: `docs/scenario-format.md`.

use super::{
    mask_credentials, DirEntry, OsFacts, PathKind, Platform, PreferenceValue, Probe, ProbeError,
    ProbeSource, ProcessInfo, ProxySettings, RegistryValue, ScheduledTask, ServiceInfo, TaskState,
};
use crate::catalogue::{normalise_thumbprint, Catalogue};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub os: OsFacts,
    #[serde(default)]
    pub processes: Vec<ProcessInfo>,
    /// Services not listed are not installed.
    #[serde(default)]
    pub services: Vec<ServiceInfo>,
    /// Path → `"dir"`, `"file"` or a file size in bytes. Parents of listed paths exist.
    #[serde(default)]
    pub paths: BTreeMap<String, PathEntry>,
    /// Registry key → value name → value (number for DWORD, string otherwise).
    #[serde(default)]
    pub registry: BTreeMap<String, BTreeMap<String, RegistryValue>>,
    #[serde(default)]
    pub root_certificates: RootCertificates,
    #[serde(default)]
    pub proxy: ProxySettings,
    /// Volume → free bytes.
    #[serde(default)]
    pub free_space: BTreeMap<String, u64>,
    /// Registry keys and paths that answer "access denied", to replay a non-admin run.
    #[serde(default)]
    pub denied: Vec<String>,
    /// Step 2's results as recorded on the machine, replayed instead of probing.
    #[serde(default)]
    pub network: Option<Vec<crate::netfacts::HostResult>>,
    /// Task name → `"enabled"` or `"disabled"`; a name not listed is missing. Leaving the
    /// field out means the scenario did not record tasks (the check is not run).
    #[serde(default)]
    pub scheduled_tasks: Option<BTreeMap<String, TaskState>>,
    /// macOS preferences: domain → key → value, as `defaults read` prints it. Leaving the
    /// field out means the scenario did not record them.
    #[serde(default)]
    pub preferences: Option<BTreeMap<String, BTreeMap<String, String>>>,
    /// The endpoint's IP addresses as recorded, for grouping endpoints by site.
    #[serde(default)]
    pub addresses: Vec<std::net::IpAddr>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PathEntry {
    Size(u64),
    Kind(String),
    /// A file with this content.
    Text {
        text: String,
    },
}

fn entry_size(entry: &PathEntry) -> u64 {
    match entry {
        PathEntry::Size(n) => *n,
        PathEntry::Text { text } => text.len() as u64,
        PathEntry::Kind(_) => 0,
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootCertificates {
    /// Start from every root CA the catalogue names.
    #[serde(default)]
    pub all_catalogue_roots: bool,
    /// Names or thumbprints removed from that set.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Further thumbprints present.
    #[serde(default)]
    pub extra: Vec<String>,
    /// The store cannot be read (the check must say so, not pass).
    #[serde(default)]
    pub unreadable: bool,
}

#[derive(Debug, Clone)]
pub struct FixtureProbe {
    scenario: Scenario,
    path: PathBuf,
}

impl FixtureProbe {
    pub fn load(path: &Path) -> Result<FixtureProbe, ProbeError> {
        let text = crate::datafile::read_text(path).map_err(|e| match e {
            crate::datafile::DataFileError::Io { path, source } => ProbeError::Io {
                what: "the scenario file",
                path,
                source,
            },
            other => ProbeError::File(other),
        })?;
        Self::from_json(&text, path)
    }

    pub fn from_json(text: &str, path: &Path) -> Result<FixtureProbe, ProbeError> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let scenario: Scenario = serde_json::from_str(text).map_err(|e| ProbeError::Scenario {
            path: path.to_owned(),
            detail: format!("{e}"),
        })?;
        for (p, entry) in &scenario.paths {
            if let PathEntry::Kind(k) = entry {
                if k != "dir" && k != "file" {
                    return Err(ProbeError::Scenario {
                        path: path.to_owned(),
                        detail: format!(
                            "path \"{p}\": expected \"dir\", \"file\" or a size, found \"{k}\""
                        ),
                    });
                }
            }
        }
        Ok(FixtureProbe {
            scenario,
            path: path.to_owned(),
        })
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    fn windows(&self) -> bool {
        self.scenario.os.platform == Platform::Windows
    }

    /// Windows paths and registry keys compare case-insensitively and with either slash.
    fn same(&self, a: &str, b: &str) -> bool {
        if self.windows() {
            a.replace('/', "\\")
                .eq_ignore_ascii_case(&b.replace('/', "\\"))
        } else {
            a == b
        }
    }

    /// `path` begins with `prefix` (as [`Self::same`] compares); never slices inside a
    /// character, so a Japanese user folder is just another name.
    fn starts_with(&self, path: &str, prefix: &str) -> bool {
        path.get(..prefix.len())
            .is_some_and(|head| self.same(head, prefix))
    }

    fn denied(&self, what: &str) -> bool {
        self.scenario.denied.iter().any(|d| self.same(d, what))
    }

    fn denied_error(what: &'static str, path: &str) -> ProbeError {
        ProbeError::Io {
            what,
            path: PathBuf::from(path),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        }
    }

    fn entry(&self, path: &str) -> Option<&PathEntry> {
        self.scenario
            .paths
            .iter()
            .find(|(p, _)| self.same(p, path))
            .map(|(_, e)| e)
    }
}

impl Probe for FixtureProbe {
    fn scheduled_task(&self, name: &str) -> Result<ScheduledTask, ProbeError> {
        let Some(tasks) = &self.scenario.scheduled_tasks else {
            return Err(ProbeError::Unsupported {
                what: "scheduled tasks (not recorded in this scenario)",
            });
        };
        let state = tasks
            .iter()
            .find(|(n, _)| self.same(n, name))
            .map_or(TaskState::Missing, |(_, s)| *s);
        Ok(ScheduledTask {
            name: name.to_owned(),
            state,
            read_from: format!(r"C:\Windows\System32\Tasks\{name}"),
        })
    }

    fn preference(&self, domain: &str, key: &str) -> Result<Option<PreferenceValue>, ProbeError> {
        let Some(domains) = &self.scenario.preferences else {
            return Err(ProbeError::Unsupported {
                what: "preferences domains (not recorded in this scenario)",
            });
        };
        Ok(domains
            .get(domain)
            .and_then(|keys| keys.get(key))
            .map(|value| PreferenceValue {
                value: value.clone(),
                read_from: format!("defaults read /Library/Preferences/{domain} {key}"),
            }))
    }

    fn source(&self) -> ProbeSource {
        ProbeSource::Scenario {
            name: self.scenario.name.clone(),
            path: self.path.display().to_string(),
        }
    }

    fn os(&self) -> Result<OsFacts, ProbeError> {
        Ok(self.scenario.os.clone())
    }

    fn processes(&self) -> Result<Vec<ProcessInfo>, ProbeError> {
        Ok(self.scenario.processes.clone())
    }

    fn service(&self, name: &str) -> Result<ServiceInfo, ProbeError> {
        Ok(self
            .scenario
            .services
            .iter()
            .find(|s| self.same(&s.name, name))
            .cloned()
            .unwrap_or_else(|| ServiceInfo::not_installed(name)))
    }

    fn path_kind(&self, path: &str) -> Result<PathKind, ProbeError> {
        if self.denied(path) {
            return Err(Self::denied_error("a file", path));
        }
        if let Some(entry) = self.entry(path) {
            return Ok(match entry {
                PathEntry::Kind(k) if k == "dir" => PathKind::Dir,
                _ => PathKind::File,
            });
        }
        let sep = if self.windows() { '\\' } else { '/' };
        let prefix = format!("{}{sep}", path.trim_end_matches(sep));
        let is_parent = self
            .scenario
            .paths
            .keys()
            .any(|p| p.len() > prefix.len() && self.starts_with(p, &prefix));
        Ok(if is_parent {
            PathKind::Dir
        } else {
            PathKind::Missing
        })
    }

    fn list_dir(&self, path: &str) -> Result<Vec<DirEntry>, ProbeError> {
        if self.path_kind(path)? != PathKind::Dir {
            return Err(ProbeError::Io {
                what: "a folder",
                path: PathBuf::from(path),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
        let sep = if self.windows() { '\\' } else { '/' };
        let prefix = format!("{}{sep}", path.trim_end_matches(sep));
        let mut out: Vec<DirEntry> = Vec::new();
        for (p, entry) in &self.scenario.paths {
            if p.len() <= prefix.len() || !self.starts_with(p, &prefix) {
                continue;
            }
            let Some(rest) = p.get(prefix.len()..) else {
                continue;
            };
            let (name, deeper) = match rest.split_once(sep) {
                Some((n, _)) => (n, true),
                None => (rest, false),
            };
            if out.iter().any(|e| e.name == name) {
                continue;
            }
            let is_dir = deeper || matches!(entry, PathEntry::Kind(k) if k == "dir");
            out.push(DirEntry {
                name: name.to_owned(),
                is_dir,
                size: if is_dir { 0 } else { entry_size(entry) },
                modified: None,
            });
        }
        Ok(out)
    }

    fn read_tail(&self, path: &str, max_bytes: u64) -> Result<Vec<u8>, ProbeError> {
        match self.entry(path) {
            Some(PathEntry::Text { text }) => {
                let bytes = text.as_bytes();
                let skip = bytes
                    .len()
                    .saturating_sub(usize::try_from(max_bytes).unwrap_or(usize::MAX));
                Ok(bytes[skip..].to_vec())
            }
            Some(_) => Ok(Vec::new()),
            None => Err(ProbeError::Io {
                what: "a file",
                path: PathBuf::from(path),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            }),
        }
    }

    fn file_size(&self, path: &str) -> Result<u64, ProbeError> {
        match self.entry(path) {
            Some(PathEntry::Text { text }) => Ok(text.len() as u64),
            Some(PathEntry::Size(n)) => Ok(*n),
            Some(_) => Ok(0),
            None => Err(ProbeError::Io {
                what: "a file",
                path: PathBuf::from(path),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            }),
        }
    }

    fn registry_value(&self, key: &str, value: &str) -> Result<Option<RegistryValue>, ProbeError> {
        if !self.windows() {
            return Err(ProbeError::Unsupported {
                what: "the Windows registry",
            });
        }
        if self.denied(key) {
            return Err(Self::denied_error("a registry key", key));
        }
        Ok(self
            .scenario
            .registry
            .iter()
            .find(|(k, _)| self.same(k, key))
            .and_then(|(_, values)| {
                values
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(value))
                    .map(|(_, v)| v.clone())
            }))
    }

    fn trusted_root_thumbprints(&self) -> Result<Vec<String>, ProbeError> {
        let spec = &self.scenario.root_certificates;
        if spec.unreadable {
            return Err(ProbeError::Query {
                what: "the trusted root certificates".into(),
                detail: "the scenario marks the certificate store as unreadable".into(),
            });
        }
        let mut out: Vec<String> = Vec::new();
        if spec.all_catalogue_roots {
            let removed: Vec<String> = spec
                .remove
                .iter()
                .map(|r| normalise_thumbprint(r))
                .collect();
            for ca in Catalogue::embedded().root_cas {
                let gone = spec.remove.iter().any(|r| r.eq_ignore_ascii_case(&ca.name))
                    || removed.contains(&ca.sha1);
                if !gone {
                    out.push(ca.sha1);
                }
            }
        }
        out.extend(spec.extra.iter().map(|t| normalise_thumbprint(t)));
        Ok(out)
    }

    fn proxy(&self) -> Result<ProxySettings, ProbeError> {
        // Masked as the live probes mask them: a replay shows no more than the machine.
        let mut p = self.scenario.proxy.clone();
        for (_, v) in &mut p.environment {
            *v = mask_credentials(v);
        }
        if let Some(w) = &mut p.wininet {
            w.server = w.server.as_deref().map(mask_credentials);
            w.autoconfig_url = w.autoconfig_url.as_deref().map(mask_credentials);
        }
        p.winhttp = p.winhttp.as_deref().map(mask_credentials);
        Ok(p)
    }

    fn addresses(&self) -> Vec<std::net::IpAddr> {
        self.scenario.addresses.clone()
    }

    fn recorded_network(&self) -> Option<Vec<crate::netfacts::HostResult>> {
        // A replay must never probe the real network on the scenario's behalf.
        let mut results = self.scenario.network.clone().unwrap_or_default();
        for r in &mut results {
            r.via_proxy = r.via_proxy.as_deref().map(mask_credentials);
        }
        Some(results)
    }

    fn free_space(&self, path: &str) -> Result<u64, ProbeError> {
        self.scenario
            .free_space
            .iter()
            .find(|(p, _)| self.same(p, path))
            .map(|(_, n)| *n)
            .ok_or_else(|| ProbeError::Query {
                what: format!("free space on {path}"),
                detail: "the scenario does not say".into(),
            })
    }
}
