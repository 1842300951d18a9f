//! The facts that change over time (process and service names, folders, registry keys,
//! supported systems, root CAs), kept as data in `catalogue/default.json` with a version,
//! a date and the source pages. The checks read them from here and never hard-code them.
//! A newer file can replace the embedded one ([`Catalogue::from_json`]). Every entry has a
//! provenance record in `facts` (source URL, date checked, whether a vendor page confirms
//! it); findings that rest on an unconfirmed fact say so (see [`Catalogue::unverified_for`]).

use serde::{Deserialize, Serialize};

const DEFAULT: &str = include_str!("../catalogue/default.json");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub version: String,
    pub date: String,
    pub sources: Vec<String>,
    pub agent: AgentNames,
    pub apex_one: ApexOneNames,
    pub deep_security: DeepSecurityNames,
    pub requirements: Requirements,
    pub root_cas: Vec<RootCa>,
    pub network: NetworkCatalogue,
    /// Where each entry comes from. A record covers the field at its path and everything
    /// under it; the longest matching path wins.
    pub facts: Vec<FactSource>,
}

/// The provenance of one catalogue entry: the page it was checked against and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactSource {
    /// Dotted path into the catalogue: `agent.macos`, `requirements`, `agent.windows.scheduled_task`.
    pub path: String,
    /// The page that states the fact; empty when no public vendor page does.
    pub url: String,
    /// The date the page was last checked (`YYYY-MM-DD`).
    pub checked: String,
    /// `false` when no vendor page confirms the fact (it comes from third-party scripts,
    /// file listings or inference).
    pub verified: bool,
    /// Ids of the findings whose result rests on this fact.
    #[serde(default)]
    pub findings: Vec<String>,
    #[serde(default)]
    pub note: String,
}

/// The Vision One hosts an endpoint must reach, per region, plus those every region needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkCatalogue {
    pub note: String,
    pub regions: Vec<Region>,
    pub global: Vec<HostEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// What the user types: `us`, `eu`, `jp`, `sg`, `au`, `in`, `mea`, `ca`, `uk`, `za`,
    /// `usgov`.
    pub code: String,
    /// The code in Basecamp host names (`api-ap2.xbc...`) and environments (`prod-ap2`);
    /// empty when not known.
    pub xbc: String,
    /// The AWS-style code in the XDR host names (`xlogr-ane1.xdr...`); empty when not known.
    pub aws: String,
    /// Slug of the vendor page the hosts come from; empty when there is none.
    pub source: String,
    /// Where the entry comes from when that needs saying (a shared page, a missing list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `false` for a site the vendor lists without publishing its endpoint hosts: only the
    /// global hosts and the ones the user adds can be tested, and "all reachable" is never said.
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub hosts_published: bool,
    pub hosts: Vec<HostEntry>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct HostEntry {
    pub host: String,
    pub port: u16,
    /// Key of what the host is for (`purpose.<key>` in the locales).
    pub purpose: String,
    /// In an older copy of the vendor's list but not in the current one: tested and shown,
    /// but its failure alone does not fail step 2.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentNames {
    pub windows: WindowsAgent,
    pub linux: LinuxAgent,
    pub macos: MacAgent,
}

/// Windows paths may hold `{ProgramFiles}` and `{ProgramFilesX86}`, filled from the probe's
/// OS facts so a redirected Program Files folder is honoured.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsAgent {
    pub basecamp_processes: Vec<String>,
    pub basecamp_service: String,
    pub wsc_service: String,
    pub sensor_service: String,
    pub install_dir_64: String,
    pub install_dir_32: String,
    pub log_dir_64: String,
    pub log_dir_32: String,
    pub identity_key_64: String,
    pub identity_key_32: String,
    pub identity_value: String,
    /// The sensor's update log folder, collected into bundles when present.
    pub sensor_log_dir: String,
    /// The Task Scheduler task that starts Basecamp (KB 000262137).
    pub scheduled_task: String,
    /// Values beside `identity_value` under the identity key.
    pub business_id_value: String,
    pub environment_value: String,
    /// The deployment script's log, relative to each user's roaming AppData folder.
    pub install_log: String,
    /// The folder holding the user profiles (`{SystemDrive}` is filled from the machine).
    pub users_dir: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinuxAgent {
    pub basecamp_processes: Vec<String>,
    pub basecamp_service: String,
    pub install_dir: String,
    pub log_dir: String,
    pub identity_file: String,
    /// The deployment script's log.
    pub install_log: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MacAgent {
    pub basecamp_processes: Vec<String>,
    pub basecamp_service: String,
    pub wsc_service: String,
    pub sensor_service: String,
    pub install_dir: String,
    pub identity_file: String,
    pub identity_value: String,
    /// The preferences domain the registration is read from (`defaults read <domain>`).
    pub preferences_domain: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApexOneNames {
    pub processes: Vec<String>,
    pub services: Vec<String>,
    pub registry_key_64: String,
    pub registry_key_32: String,
    pub guid_value: String,
    pub server_value: String,
    pub path_value: String,
    /// Default install folders, when the registry does not name one.
    pub install_dir_64: String,
    pub install_dir_32: String,
    /// The agent's connection logs, under its install folder.
    pub connection_log_subdir: String,
    pub saas_server_suffixes: Vec<String>,
    pub macos_dir: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeepSecurityNames {
    pub windows_services: Vec<String>,
    pub windows_registry_key: String,
    pub windows_version_value: String,
    pub windows_dir: String,
    pub linux_dir: String,
    pub linux_service: String,
    pub macos_dir: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    pub min_cpu_cores: u32,
    /// Memory and disk differ per OS on the vendor's requirements page.
    pub resources: PerOs<Resources>,
    pub windows_client: WindowsFamily,
    pub windows_server: WindowsFamily,
    pub windows_arm64_supported: bool,
    pub linux: Vec<LinuxDistro>,
    pub macos_min_major: u32,
    pub macos_max_known_major: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerOs<T> {
    pub windows: T,
    pub linux: T,
    pub macos: T,
}

impl<T> PerOs<T> {
    pub fn get(&self, platform: crate::platform::Platform) -> &T {
        match platform {
            crate::platform::Platform::Windows => &self.windows,
            crate::platform::Platform::Linux => &self.linux,
            crate::platform::Platform::Macos => &self.macos,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    pub min_memory_bytes: u64,
    pub min_free_bytes: u64,
    /// The page gives the disk figure as "recommended", not a minimum (Linux): less free
    /// space is a warning, not a failure.
    pub free_space_is_recommendation: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsFamily {
    /// Builds below this are a Windows generation the agent does not support at all.
    pub family_min_build: u32,
    pub supported: Vec<BuildRange>,
    /// 32-bit Windows is supported only below this build (Windows 11 has no x86 edition).
    #[serde(default)]
    pub x86_supported_below_build: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildRange {
    pub from: u32,
    pub to: Option<u32>,
    pub label: String,
}

impl BuildRange {
    pub fn contains(&self, build: u32) -> bool {
        build >= self.from && self.to.is_none_or(|to| build <= to)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinuxDistro {
    /// `ID` from os-release.
    pub id: String,
    /// Versions as `VERSION_ID` writes them; `9` also matches `9.4`.
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootCa {
    pub name: String,
    /// SHA-1 thumbprint, upper-case hex.
    pub sha1: String,
    /// Used for TLS to Vision One (checked on every OS); the others are Windows
    /// code-signing and timestamping roots, checked on Windows only.
    pub tls: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("the catalogue is not valid: {detail} (line {line}, column {column})")]
pub struct CatalogueError {
    pub detail: String,
    pub line: usize,
    pub column: usize,
}

impl Catalogue {
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.network
            .regions
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(code))
    }

    /// The region's hosts followed by the global ones, without duplicates.
    pub fn targets(&self, region: &Region) -> Vec<HostEntry> {
        let mut out: Vec<HostEntry> = Vec::new();
        for h in region.hosts.iter().chain(&self.network.global) {
            if !out.iter().any(|o| o.host == h.host && o.port == h.port) {
                out.push(h.clone());
            }
        }
        out
    }

    /// The catalogue embedded in this build (parsed once per process).
    pub fn embedded() -> Catalogue {
        static PARSED: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
        PARSED
            .get_or_init(|| Catalogue::from_json(DEFAULT).expect("embedded catalogue is valid"))
            .clone()
    }

    /// The provenance record covering a catalogue path (the longest matching one).
    pub fn fact(&self, path: &str) -> Option<&FactSource> {
        self.facts
            .iter()
            .filter(|f| path == f.path || path.starts_with(&format!("{}.", f.path)))
            .max_by_key(|f| f.path.len())
    }

    /// The unconfirmed facts a finding rests on, on this platform: records with
    /// `verified: false` that name the finding's id or its message key (or a dotted prefix
    /// of either) and belong to this OS's section or to no OS section.
    pub fn unverified_for(
        &self,
        finding_id: &str,
        message_key: &str,
        platform: crate::platform::Platform,
    ) -> Vec<&FactSource> {
        let names = |id: &str, of: &str| of == id || of.starts_with(&format!("{id}."));
        let os_sections = ["windows", "linux", "macos"];
        self.facts
            .iter()
            .filter(|f| !f.verified)
            .filter(|f| {
                f.findings
                    .iter()
                    .any(|id| names(id, finding_id) || names(id, message_key))
            })
            .filter(|f| {
                let os = f.path.split('.').find(|p| os_sections.contains(p));
                os.is_none_or(|os| os == platform.as_str())
            })
            .collect()
    }

    pub fn from_json(text: &str) -> Result<Catalogue, CatalogueError> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut cat: Catalogue = serde_json::from_str(text).map_err(|e| CatalogueError {
            detail: e.to_string(),
            line: e.line(),
            column: e.column(),
        })?;
        for ca in &mut cat.root_cas {
            ca.sha1 = normalise_thumbprint(&ca.sha1);
        }
        Ok(cat)
    }
}

/// Upper-case hex without separators, as Windows' certificate manager shows thumbprints.
pub fn normalise_thumbprint(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_hexdigit())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_loads_with_thirteen_root_cas() {
        let cat = Catalogue::embedded();
        assert_eq!(cat.root_cas.len(), 13);
        assert!(cat.root_cas.iter().all(|ca| ca.sha1.len() == 40));
    }

    #[test]
    fn malformed_catalogue_names_the_place() {
        let err = Catalogue::from_json("{\n  \"version\": 3\n}").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().contains("line 2"));
    }

    #[test]
    fn every_region_has_its_basecamp_host_and_the_global_hosts() {
        let cat = Catalogue::embedded();
        let codes: Vec<_> = cat
            .network
            .regions
            .iter()
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(
            codes,
            ["us", "eu", "jp", "sg", "au", "in", "mea", "ca", "uk", "za", "usgov"]
        );
        for r in cat.network.regions.iter().filter(|r| r.hosts_published) {
            let targets = cat.targets(r);
            let api = format!("api-{}.xbc.trendmicro.com", r.xbc);
            assert!(targets.iter().any(|t| t.host == api), "{}", r.code);
            assert!(targets
                .iter()
                .any(|t| t.host == "release-us1.mgcp.trendmicro.com"));
        }
        let jp = cat.region("JP").unwrap();
        let cdn = jp
            .hosts
            .iter()
            .find(|h| h.host == "cdn-api-ap2.xbc.trendmicro.com")
            .unwrap();
        assert_eq!(cdn.port, 80, "written http:// by the vendor");
        assert!(
            cdn.optional,
            "only an older copy of the Japan page lists it"
        );
        // Canada's hosts are the Americas page's; the other new sites publish none.
        assert_eq!(
            cat.targets(cat.region("ca").unwrap()),
            cat.targets(cat.region("us").unwrap())
        );
        for code in ["uk", "za", "usgov"] {
            let r = cat.region(code).unwrap();
            assert!(!r.hosts_published && r.hosts.is_empty() && r.xbc.is_empty());
            assert!(
                !cat.targets(r).is_empty(),
                "the global hosts are still tested"
            );
        }
    }

    /// Every leaf of the catalogue (arrays count as one entry) has a provenance record
    /// with a date, so no fact can be added without saying where it comes from.
    #[test]
    fn every_catalogue_entry_has_a_source_and_a_checked_date() {
        fn leaves(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        let p = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        leaves(&p, v, out);
                    }
                }
                _ => out.push(prefix.to_owned()),
            }
        }
        let cat = Catalogue::embedded();
        let value: serde_json::Value = serde_json::from_str(DEFAULT).unwrap();
        let mut paths = Vec::new();
        leaves("", &value, &mut paths);
        for p in paths {
            if ["version", "date", "sources", "facts"].contains(&p.as_str()) {
                continue;
            }
            let fact = cat.fact(&p).unwrap_or_else(|| panic!("no source for {p}"));
            assert_eq!(fact.checked.len(), 10, "{p}: checked date");
            assert!(
                !fact.verified || fact.url.starts_with("https://"),
                "{p}: a verified fact needs its page"
            );
        }
    }

    #[test]
    fn requirements_differ_per_os_as_the_vendor_page_lists_them() {
        use crate::platform::Platform;
        let r = &Catalogue::embedded().requirements.resources;
        let gb = 1024 * 1024 * 1024;
        assert_eq!(r.get(Platform::Windows).min_memory_bytes, 512 * 1024 * 1024);
        assert_eq!(r.get(Platform::Windows).min_free_bytes, 3 * gb);
        assert_eq!(r.get(Platform::Linux).min_memory_bytes, 2 * gb);
        assert_eq!(r.get(Platform::Linux).min_free_bytes, gb);
        assert!(r.get(Platform::Linux).free_space_is_recommendation);
        assert_eq!(r.get(Platform::Macos).min_memory_bytes, 4 * gb);
        assert_eq!(r.get(Platform::Macos).min_free_bytes, 500 * 1024 * 1024);
    }

    #[test]
    fn macos_process_names_are_marked_unverified_for_the_process_finding() {
        use crate::platform::Platform;
        let cat = Catalogue::embedded();
        let key = "agent.basecamp.process.pass";
        let on_mac = cat.unverified_for("agent.basecamp.process", key, Platform::Macos);
        // The whole macOS section (process names, daemon labels) is unconfirmed.
        assert!(on_mac
            .iter()
            .any(|f| f.path.split('.').eq(["agent", "macos"])));
        assert!(cat
            .unverified_for("agent.basecamp.process", key, Platform::Windows)
            .is_empty());
    }

    #[test]
    fn thumbprints_are_normalised() {
        assert_eq!(normalise_thumbprint("ab:cd 01"), "ABCD01");
    }
}
