//! Who this endpoint is, as the agents and the OS know it: the Vision One agent ID
//! (`xdr_device_id` / the Linux `.identity`), the Apex One agent GUID, the OS's machine ID
//! (Windows `MachineGuid`, Linux `/etc/machine-id`), host name, OS install date, Basecamp
//! install time, and the traces an image deployment leaves. Cloned endpoints share these
//! IDs and vanish from Endpoint Inventory; one endpoint alone cannot prove it, so this is
//! written small (`identity.json`) to be gathered from many and compared by `fleet`.

use crate::catalogue::Catalogue;
use crate::layout::AgentFacts;
use crate::probe::{OsFacts, PathKind, Platform, Probe};
use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Identity {
    pub schema_version: u32,
    pub tool_version: String,
    pub created_at_utc: String,
    pub hostname: String,
    #[serde(default)]
    pub domain: Option<String>,
    pub platform: Platform,
    #[serde(default)]
    pub xdr_device_id: Option<String>,
    #[serde(default)]
    pub apex_one_guid: Option<String>,
    #[serde(default)]
    pub machine_guid: Option<String>,
    #[serde(default)]
    pub os_install_date: Option<String>,
    #[serde(default)]
    pub basecamp_installed_at: Option<String>,
    /// Traces of an image deployment (sysprep generalize, CloneTag).
    #[serde(default)]
    pub clone_signs: Vec<String>,
}

const MACHINE_GUID_KEY: &str = r"HKLM\SOFTWARE\Microsoft\Cryptography";
const NT_CURRENT_VERSION: &str = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion";

fn secs_to_rfc3339(secs: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(secs, 0).map(|t| t.to_rfc3339())
}

/// When `path` was last modified, read from its parent's listing.
fn modified(probe: &dyn Probe, path: &str) -> Option<String> {
    let sep = if path.contains('\\') { '\\' } else { '/' };
    let (parent, name) = path.trim_end_matches(sep).rsplit_once(sep)?;
    let parent = if parent.is_empty() { "/" } else { parent };
    probe
        .list_dir(parent)
        .ok()?
        .into_iter()
        .find(|e| e.name.eq_ignore_ascii_case(name))
        .and_then(|e| e.modified)
        .and_then(secs_to_rfc3339)
}

/// This endpoint's identity from the facts read for the checks (`agent`, the Apex One
/// agent's GUID when one is here) and the few values only identity needs.
pub fn collect(
    probe: &dyn Probe,
    catalogue: &Catalogue,
    os: &OsFacts,
    agent: &AgentFacts,
    apex_one_guid: Option<&str>,
) -> Identity {
    let text = |key: &str, value: &str| {
        probe
            .registry_value(key, value)
            .ok()
            .flatten()
            .map(|v| v.as_text().trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let install_dir = &agent.install_dir;
    let mut identity = Identity {
        schema_version: SCHEMA_VERSION,
        tool_version: crate::VERSION.to_owned(),
        created_at_utc: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        hostname: os.hostname.clone(),
        domain: os.domain.clone(),
        platform: os.platform,
        xdr_device_id: None,
        apex_one_guid: apex_one_guid.map(str::to_owned),
        machine_guid: None,
        os_install_date: None,
        basecamp_installed_at: (probe.path_kind(install_dir).ok() == Some(PathKind::Dir))
            .then(|| modified(probe, install_dir))
            .flatten(),
        clone_signs: Vec::new(),
    };
    match os.platform {
        Platform::Windows => {
            identity.xdr_device_id = agent.registration.device_id().map(str::to_owned);
            identity.machine_guid = text(MACHINE_GUID_KEY, "MachineGuid");
            identity.os_install_date = probe
                .registry_value(NT_CURRENT_VERSION, "InstallDate")
                .ok()
                .flatten()
                .and_then(|v| v.as_dword())
                .and_then(|s| secs_to_rfc3339(i64::from(s)));
            identity.clone_signs = agent.image_traces.clone();
        }
        // macOS keeps registration in a preference the app cannot read yet (see
        // agent.registration.macos_unverified); only the machine ID is left out there too.
        Platform::Macos => {}
        Platform::Linux => {
            // The `.identity` file's format is the agent's own and may hold more than an
            // ID, so only a fingerprint of it leaves the machine: equal files, equal print.
            let file = &catalogue.agent.linux.identity_file;
            identity.xdr_device_id = probe
                .read_tail(file, 64 * 1024)
                .ok()
                .filter(|b| !b.is_empty())
                .map(|b| {
                    use sha2::Digest;
                    let hash = sha2::Sha256::digest(&b);
                    let hex: String = hash.iter().take(16).map(|x| format!("{x:02x}")).collect();
                    format!("sha256:{hex}")
                });
            identity.machine_guid = probe
                .read_tail("/etc/machine-id", 64)
                .ok()
                .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
                .filter(|s| !s.is_empty());
        }
    }
    identity
}
