//! Comparing many endpoints: reads `identity.json` files and support bundles (or folders
//! of them) and finds machines that share the Vision One agent ID, the Apex One agent
//! GUID or the OS machine ID, the mark of clones made without ImageSetupTool. Every input
//! is untrusted: zips are read without extracting, entry sizes and compression ratios are
//! bounded, unsafe entry names and unknown schema versions make a file unreadable (listed
//! with the reason), never a crash.

use crate::identity::{Identity, SCHEMA_VERSION};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest identity file or manifest read, and the most a manifest may be compressed.
const MAX_JSON_BYTES: u64 = 32 << 20;
const MAX_RATIO: u64 = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Member {
    pub hostname: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Group {
    /// `xdr_device_id`, `apex_one_guid` or `machine_guid`.
    pub kind: String,
    pub value: String,
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Unreadable {
    pub source: String,
    /// `json`, `schema_version`, `zip`, `unsafe_name`, `too_large`, `no_manifest`,
    /// `no_identity`, `io`.
    pub reason: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FleetReport {
    pub read: usize,
    pub groups: Vec<Group>,
    pub unreadable: Vec<Unreadable>,
}

fn unreadable(source: &Path, reason: &str, detail: impl ToString) -> Unreadable {
    Unreadable {
        source: source.display().to_string(),
        reason: reason.to_owned(),
        detail: detail.to_string(),
    }
}

fn identity_from_json(
    bytes: &[u8],
    source: &Path,
    in_manifest: bool,
) -> Result<Identity, Unreadable> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| unreadable(source, "json", e))?;
    let version = value.get("schema_version").and_then(|v| v.as_u64());
    let expected = if in_manifest {
        u64::from(crate::bundle::manifest::SCHEMA_VERSION)
    } else {
        u64::from(SCHEMA_VERSION)
    };
    if version != Some(expected) {
        return Err(unreadable(
            source,
            "schema_version",
            format!("schema version {version:?}, this tool reads {expected}"),
        ));
    }
    let identity = if in_manifest {
        match value.get("identity") {
            Some(v) if !v.is_null() => v.clone(),
            _ => {
                return Err(unreadable(
                    source,
                    "no_identity",
                    "the manifest holds no identity",
                ))
            }
        }
    } else {
        value
    };
    serde_json::from_value(identity).map_err(|e| unreadable(source, "json", e))
}

/// A zip entry name that could escape a folder if extracted.
fn unsafe_name(name: &str) -> bool {
    name.starts_with('/')
        || name.starts_with('\\')
        || name.contains('\\')
        || name.get(1..2) == Some(":")
        || name.split('/').any(|part| part == "..")
}

fn read_bundle(path: &Path) -> Result<Identity, Unreadable> {
    let file = std::fs::File::open(path).map_err(|e| unreadable(path, "io", e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| unreadable(path, "zip", e))?;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| unreadable(path, "zip", e))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if unsafe_name(&name) {
            return Err(unreadable(path, "unsafe_name", name));
        }
    }
    let mut entry = zip
        .by_name("manifest.json")
        .map_err(|_| unreadable(path, "no_manifest", "no manifest.json"))?;
    let (size, packed) = (entry.size(), entry.compressed_size().max(1));
    if size > MAX_JSON_BYTES || size / packed > MAX_RATIO {
        return Err(unreadable(
            path,
            "too_large",
            format!("manifest.json: {size} bytes from {packed}"),
        ));
    }
    let mut bytes = Vec::new();
    (&mut entry)
        .take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(path, "zip", e))?;
    if bytes.len() as u64 > MAX_JSON_BYTES {
        return Err(unreadable(
            path,
            "too_large",
            "manifest.json is larger than it says",
        ));
    }
    identity_from_json(&bytes, path, true)
}

fn read_identity_file(path: &Path) -> Result<Identity, Unreadable> {
    let file = std::fs::File::open(path).map_err(|e| unreadable(path, "io", e))?;
    let mut bytes = Vec::new();
    file.take(MAX_JSON_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(path, "io", e))?;
    if bytes.len() as u64 > MAX_JSON_BYTES {
        return Err(unreadable(path, "too_large", "larger than 32 MiB"));
    }
    identity_from_json(&bytes, path, false)
}

/// Reads identity files (`.json`) and bundles (`.zip`), descending into folders.
pub fn read(paths: &[PathBuf]) -> (Vec<(PathBuf, Identity)>, Vec<Unreadable>) {
    let mut files = Vec::new();
    let mut bad = Vec::new();
    for p in paths {
        if p.is_dir() {
            for e in walkdir::WalkDir::new(p)
                .follow_links(false)
                .into_iter()
                .flatten()
            {
                let name = e.file_name().to_string_lossy().to_ascii_lowercase();
                if e.file_type().is_file() && (name.ends_with(".json") || name.ends_with(".zip")) {
                    files.push(e.into_path());
                }
            }
        } else {
            files.push(p.clone());
        }
    }
    files.sort();
    let mut ok = Vec::with_capacity(files.len());
    for f in files {
        let is_zip = f.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"));
        match if is_zip {
            read_bundle(&f)
        } else {
            read_identity_file(&f)
        } {
            Ok(id) => ok.push((f, id)),
            Err(u) => bad.push(u),
        }
    }
    (ok, bad)
}

/// Groups of two or more endpoints sharing an ID. The same host read twice (its bundle
/// and its identity file) is not a duplicate.
pub fn compare(entries: &[(PathBuf, Identity)]) -> Vec<Group> {
    let mut groups = Vec::new();
    for kind in ["xdr_device_id", "apex_one_guid", "machine_guid"] {
        let mut by_value: BTreeMap<String, Vec<Member>> = BTreeMap::new();
        for (path, id) in entries {
            let value = match kind {
                "xdr_device_id" => &id.xdr_device_id,
                "apex_one_guid" => &id.apex_one_guid,
                _ => &id.machine_guid,
            };
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                by_value
                    .entry(v.to_ascii_lowercase())
                    .or_default()
                    .push(Member {
                        hostname: id.hostname.clone(),
                        source: path.display().to_string(),
                    });
            }
        }
        for (value, members) in by_value {
            let mut hosts: Vec<String> = members
                .iter()
                .map(|m| m.hostname.to_ascii_lowercase())
                .collect();
            hosts.sort();
            hosts.dedup();
            if hosts.len() >= 2 {
                groups.push(Group {
                    kind: kind.to_owned(),
                    value,
                    members,
                });
            }
        }
    }
    groups
}

pub fn run(paths: &[PathBuf]) -> FleetReport {
    let (entries, unreadable) = read(paths);
    FleetReport {
        read: entries.len(),
        groups: compare(&entries),
        unreadable,
    }
}

/// The groups as CSV: kind, shared value, host name, source file.
pub fn to_csv(report: &FleetReport) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = String::from("kind,shared_value,hostname,source\n");
    for g in &report.groups {
        for m in &g.members {
            out.push_str(&format!(
                "{},{},{},{}\n",
                field(&g.kind),
                field(&g.value),
                field(&m.hostname),
                field(&m.source)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unsafe_name;

    #[test]
    fn traversal_and_absolute_names_are_unsafe() {
        for n in ["../x", "a/../../x", "/etc/passwd", "C:/x", "a\\b", "\\x"] {
            assert!(unsafe_name(n), "{n}");
        }
        for n in [
            "manifest.json",
            "logs/basecamp/x..log",
            "screenshots/01-a.png",
        ] {
            assert!(!unsafe_name(n), "{n}");
        }
    }
}
