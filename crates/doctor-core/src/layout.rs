//! The agent's layout on this machine, as facts: the Basecamp install and log folders for
//! this OS and bitness, where registration to Vision One is kept and what it says, and the
//! traces an image deployment leaves. Read once per run (see [`AgentFacts::read`]); the
//! checks judge these facts, `identity` and `bundle` use them, nobody reads them twice.

use crate::catalogue::Catalogue;
use crate::probe::{OsFacts, PathKind, Platform, Probe, ProbeError};
use serde::{Deserialize, Serialize};

/// What this endpoint's disk and registry say about Endpoint Basecamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgentFacts {
    /// The install folder for this OS and bitness.
    pub install_dir: String,
    /// The log folder support asks for (guide 4-2).
    pub log_dir: String,
    pub registration: Registration,
    /// Traces of an image deployment (`sysprep_generalized`, `clone_tag`).
    pub image_traces: Vec<String>,
    /// The Business ID of the company whose package installed the agent (`business_id`).
    #[serde(default)]
    pub business_id: Option<String>,
    /// The agent's environment, e.g. `prod-us1` (`vom_env`): names the region directly.
    #[serde(default)]
    pub environment: Option<String>,
    /// The registry key those two values were read from.
    #[serde(default)]
    pub read_from: Option<String>,
}

/// The agent's own registration values under `TMSecurityService` (Windows only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentValues {
    pub business_id: Option<String>,
    pub environment: Option<String>,
    pub read_from: Option<String>,
}

/// Reads `business_id` and `vom_env` from the identity key for this OS's bitness, then the
/// other view (as `xdr_device_id` is read). Values that cannot be read stay `None`.
pub fn agent_values(probe: &dyn Probe, catalogue: &Catalogue, os: &OsFacts) -> AgentValues {
    if os.platform != Platform::Windows {
        return AgentValues::default();
    }
    let w = &catalogue.agent.windows;
    let keys = if os.bits == 32 {
        vec![&w.identity_key_32]
    } else {
        vec![&w.identity_key_64, &w.identity_key_32]
    };
    let text = |key: &str, value: &str| {
        probe
            .registry_value(key, value)
            .ok()
            .flatten()
            .map(|v| v.as_text().trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    for key in keys {
        let business_id = text(key, &w.business_id_value);
        let environment = text(key, &w.environment_value);
        if business_id.is_some() || environment.is_some() {
            return AgentValues {
                business_id,
                environment,
                read_from: Some(key.clone()),
            };
        }
    }
    AgentValues::default()
}

/// Registration to Vision One: `xdr_device_id` on Windows, the `.identity` file on Linux.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Registration {
    /// Registered: the agent ID (on Linux, the identity file's size) and where it was read.
    Registered { id: String, place: String },
    /// Nothing at `looked_at`.
    Absent { looked_at: String },
    /// The place could not be read.
    Unreadable { error: String, denied: bool },
    /// This platform keeps it where the app cannot read it yet (macOS).
    NotReadable,
}

impl Registration {
    /// The agent ID, when registered.
    pub fn device_id(&self) -> Option<&str> {
        match self {
            Registration::Registered { id, .. } => Some(id),
            _ => None,
        }
    }
}

impl AgentFacts {
    pub fn read(probe: &dyn Probe, catalogue: &Catalogue, os: &OsFacts) -> AgentFacts {
        let values = agent_values(probe, catalogue, os);
        AgentFacts {
            business_id: values.business_id,
            environment: values.environment,
            read_from: values.read_from,
            install_dir: install_dir(catalogue, os),
            log_dir: log_dir(catalogue, os),
            registration: registration(probe, catalogue, os),
            image_traces: match os.platform {
                Platform::Windows => image_traces(probe),
                Platform::Linux | Platform::Macos => Vec::new(),
            },
        }
    }
}

/// Whether a probe error is the OS refusing access (worth running as administrator).
pub fn is_denied(err: &ProbeError) -> bool {
    matches!(err, ProbeError::Io { source, .. }
        if source.kind() == std::io::ErrorKind::PermissionDenied)
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

/// The Basecamp install folder for this machine (32/64-bit Program Files on Windows).
pub fn install_dir(catalogue: &Catalogue, os: &OsFacts) -> String {
    let a = &catalogue.agent;
    match os.platform {
        Platform::Windows if os.bits == 32 => windows_path(os, &a.windows.install_dir_32),
        Platform::Windows => windows_path(os, &a.windows.install_dir_64),
        Platform::Linux => a.linux.install_dir.clone(),
        Platform::Macos => a.macos.install_dir.clone(),
    }
}

/// The Basecamp log folder support asks for (guide 4-2).
pub fn log_dir(catalogue: &Catalogue, os: &OsFacts) -> String {
    let a = &catalogue.agent;
    match os.platform {
        Platform::Windows if os.bits == 32 => windows_path(os, &a.windows.log_dir_32),
        Platform::Windows => windows_path(os, &a.windows.log_dir_64),
        Platform::Linux => a.linux.log_dir.clone(),
        Platform::Macos => format!("{}/log", a.macos.install_dir),
    }
}

/// Where registration is kept on this OS.
pub fn registration_place(catalogue: &Catalogue, os: &OsFacts) -> String {
    let a = &catalogue.agent;
    match os.platform {
        Platform::Windows => {
            let key = if os.bits == 32 {
                &a.windows.identity_key_32
            } else {
                &a.windows.identity_key_64
            };
            format!("{key}\\{}", a.windows.identity_value)
        }
        Platform::Linux => a.linux.identity_file.clone(),
        Platform::Macos => format!(
            "defaults read {} {}",
            a.macos.preferences_domain, a.macos.identity_value
        ),
    }
}

fn registration(probe: &dyn Probe, catalogue: &Catalogue, os: &OsFacts) -> Registration {
    let found = match os.platform {
        Platform::Windows => windows_registration(probe, catalogue, os),
        Platform::Linux => {
            let file = &catalogue.agent.linux.identity_file;
            match probe.path_kind(file) {
                Ok(PathKind::File) => match probe.file_size(file) {
                    Ok(0) => Ok(None),
                    Ok(n) => Ok(Some((format!("{n} bytes"), file.clone()))),
                    Err(e) => Err(e),
                },
                Ok(_) => Ok(None),
                Err(e) => Err(e),
            }
        }
        Platform::Macos => {
            let m = &catalogue.agent.macos;
            match probe.preference(&m.preferences_domain, &m.identity_value) {
                Ok(Some(p)) => Ok(Some((p.value, p.read_from))),
                Ok(None) => Ok(None),
                // A probe that cannot read preferences keeps the earlier, honest answer.
                Err(ProbeError::Unsupported { .. }) => return Registration::NotReadable,
                Err(e) => Err(e),
            }
        }
    };
    match found {
        Ok(Some((id, place))) => Registration::Registered { id, place },
        Ok(None) => Registration::Absent {
            looked_at: registration_place(catalogue, os),
        },
        Err(e) => Registration::Unreadable {
            denied: is_denied(&e),
            error: e.to_string(),
        },
    }
}

/// Reads `xdr_device_id` from the key for this OS's bitness, then from the other view.
fn windows_registration(
    probe: &dyn Probe,
    catalogue: &Catalogue,
    os: &OsFacts,
) -> Result<Option<(String, String)>, ProbeError> {
    let w = &catalogue.agent.windows;
    let keys = if os.bits == 32 {
        vec![&w.identity_key_32]
    } else {
        vec![&w.identity_key_64, &w.identity_key_32]
    };
    let mut first_err = None;
    for key in keys {
        match probe.registry_value(key, &w.identity_value) {
            Ok(Some(v)) if !v.as_text().trim().is_empty() => {
                return Ok(Some((
                    v.as_text().trim().to_owned(),
                    format!("{key}\\{}", w.identity_value),
                )))
            }
            Ok(_) => {}
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(None),
    }
}

const SYSPREP_STATUS: &str = r"HKLM\SYSTEM\Setup\Status\SysprepStatus";
const SETUP: &str = r"HKLM\SYSTEM\Setup";

/// Traces Windows leaves on a machine deployed from a generalised image.
pub fn image_traces(probe: &dyn Probe) -> Vec<String> {
    let mut signs = Vec::new();
    if probe
        .registry_value(SYSPREP_STATUS, "GeneralizationState")
        .ok()
        .flatten()
        .and_then(|v| v.as_dword())
        == Some(7)
    {
        signs.push("sysprep_generalized".to_owned());
    }
    if probe
        .registry_value(SETUP, "CloneTag")
        .ok()
        .flatten()
        .is_some_and(|v| !v.as_text().trim().is_empty())
    {
        signs.push("clone_tag".to_owned());
    }
    signs
}
