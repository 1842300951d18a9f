//! "The machine as the checks see it." One trait, [`Probe`], for everything a check reads:
//! processes, services, files, registry values, OS facts, trust-store certificates, proxy
//! settings, free space. Real implementations exist per OS; [`fixture::FixtureProbe`] reads
//! a scenario file so every check can be tested on any machine. Probes only read; they
//! never change the machine.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub mod fixture;
#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "macos")]
pub mod macos;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
pub mod windows;

mod common;
pub use common::{mask_credentials, parse_winhttp_settings};
pub mod task_xml;

pub use crate::platform::Platform;

/// Facts about the operating system. Fields the OS does not have stay `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OsFacts {
    pub platform: Platform,
    /// Human-readable name, e.g. "Windows 11 Pro", "Debian GNU/Linux 12 (bookworm)".
    pub name: String,
    /// Version as the OS writes it: "24H2", "12", "14.5".
    pub version: String,
    /// Windows build number ("26100"), Linux kernel, macOS build.
    #[serde(default)]
    pub build: Option<String>,
    /// Windows: `client` or `server`.
    #[serde(default)]
    pub edition: Option<String>,
    /// Linux: os-release `ID` ("debian"), macOS: "macos".
    #[serde(default)]
    pub distro_id: Option<String>,
    /// CPU architecture of the OS: `x86_64`, `x86`, `aarch64`.
    pub arch: String,
    /// 32 or 64: decides the Windows Program Files folder and registry view.
    pub bits: u8,
    pub hostname: String,
    #[serde(default)]
    pub domain: Option<String>,
    /// Where the OS is installed (`C:\` or `/`), for the free-space check.
    pub system_drive: String,
    #[serde(default)]
    pub program_files: Option<String>,
    #[serde(default)]
    pub program_files_x86: Option<String>,
    #[serde(default)]
    pub cpu_cores: Option<u32>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub memory_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessInfo {
    pub name: String,
    pub pid: u32,
    #[serde(default)]
    pub exe: Option<String>,
    /// Start time, seconds since the Unix epoch (UTC).
    #[serde(default)]
    pub started_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    NotInstalled,
    Running,
    Stopped,
    Starting,
    Stopping,
    Paused,
    /// Installed, but its state could not be read (see `ServiceInfo::detail`).
    Unknown,
}

impl ServiceState {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceState::NotInstalled => "not_installed",
            ServiceState::Running => "running",
            ServiceState::Stopped => "stopped",
            ServiceState::Starting => "starting",
            ServiceState::Stopping => "stopping",
            ServiceState::Paused => "paused",
            ServiceState::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartType {
    Auto,
    Manual,
    Disabled,
    Unknown,
}

impl StartType {
    pub fn as_str(self) -> &'static str {
        match self {
            StartType::Auto => "auto",
            StartType::Manual => "manual",
            StartType::Disabled => "disabled",
            StartType::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceInfo {
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    pub state: ServiceState,
    #[serde(default = "unknown_start")]
    pub start_type: StartType,
    /// Why the state is unknown, when it is.
    #[serde(default)]
    pub detail: Option<String>,
}

fn unknown_start() -> StartType {
    StartType::Unknown
}

impl ServiceInfo {
    pub fn not_installed(name: &str) -> Self {
        ServiceInfo {
            name: name.to_owned(),
            display_name: None,
            state: ServiceState::NotInstalled,
            start_type: StartType::Unknown,
            detail: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PathKind {
    Missing,
    File,
    Dir,
}

/// One entry of a folder listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirEntry {
    pub name: String,
    pub is_dir: bool,
    pub size: u64,
    /// Last modification, seconds since the Unix epoch.
    pub modified: Option<i64>,
}

/// A registry value as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RegistryValue {
    Dword(u32),
    Text(String),
    Binary(Vec<u8>),
}

impl RegistryValue {
    pub fn as_text(&self) -> String {
        match self {
            RegistryValue::Dword(n) => n.to_string(),
            RegistryValue::Text(s) => s.clone(),
            RegistryValue::Binary(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
        }
    }

    pub fn as_dword(&self) -> Option<u32> {
        match self {
            RegistryValue::Dword(n) => Some(*n),
            RegistryValue::Text(s) => s.trim().parse().ok(),
            RegistryValue::Binary(_) => None,
        }
    }
}

/// What the Task Scheduler holds for a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Missing,
    Enabled,
    Disabled,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Missing => "missing",
            TaskState::Enabled => "enabled",
            TaskState::Disabled => "disabled",
        }
    }
}

/// A scheduled task and where its state was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledTask {
    pub name: String,
    pub state: TaskState,
    /// The file or registry key the state was read from.
    #[serde(default)]
    pub read_from: String,
}

/// A value of a macOS preferences domain and the place it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreferenceValue {
    pub value: String,
    pub read_from: String,
}

/// Proxy settings the OS and the environment give this machine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxySettings {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY` (either case), credentials masked.
    #[serde(default)]
    pub environment: Vec<(String, String)>,
    /// Windows per-user (WinINET) settings.
    #[serde(default)]
    pub wininet: Option<WinInetProxy>,
    /// Windows machine-wide (WinHTTP) proxy, what services use (`netsh winhttp show proxy`).
    #[serde(default)]
    pub winhttp: Option<String>,
    #[serde(default)]
    pub winhttp_bypass: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WinInetProxy {
    pub enabled: bool,
    #[serde(default)]
    pub server: Option<String>,
    #[serde(default)]
    pub bypass: Option<String>,
    #[serde(default)]
    pub autoconfig_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("could not read {what} at {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} cannot be read on this system")]
    Unsupported { what: &'static str },
    #[error("could not query {what}: {detail}")]
    Query { what: String, detail: String },
    #[error("the scenario file {path} could not be used: {detail}")]
    Scenario { path: PathBuf, detail: String },
    /// The scenario file is not a readable UTF-8 file of sane size (`datafile`).
    #[error("{0}")]
    File(crate::datafile::DataFileError),
}

/// Where the probe's facts come from, shown so nobody mistakes a replay for the real machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ProbeSource {
    /// This machine, read live.
    Live,
    /// A scenario file replayed by the fixture probe.
    Scenario { name: String, path: String },
}

pub trait Probe: Send + Sync {
    fn source(&self) -> ProbeSource;
    fn os(&self) -> Result<OsFacts, ProbeError>;
    fn processes(&self) -> Result<Vec<ProcessInfo>, ProbeError>;
    /// A service by its service name (Windows), unit name (systemd) or label (launchd).
    fn service(&self, name: &str) -> Result<ServiceInfo, ProbeError>;
    fn path_kind(&self, path: &str) -> Result<PathKind, ProbeError>;
    /// Size in bytes of a file.
    fn file_size(&self, path: &str) -> Result<u64, ProbeError>;
    /// The entries of a folder (not recursive), in no particular order.
    fn list_dir(&self, path: &str) -> Result<Vec<DirEntry>, ProbeError>;
    /// The last `max_bytes` of a file (all of it when smaller), opened read-only and
    /// shared so the agent can keep writing.
    fn read_tail(&self, path: &str, max_bytes: u64) -> Result<Vec<u8>, ProbeError>;
    /// A registry value such as `HKLM\SOFTWARE\...` + `xdr_device_id`; `Ok(None)` when the
    /// key or value does not exist. Non-Windows probes answer `Unsupported`.
    fn registry_value(&self, key: &str, value: &str) -> Result<Option<RegistryValue>, ProbeError>;
    /// SHA-1 thumbprints (upper-case hex) of the root certificates the OS trusts.
    fn trusted_root_thumbprints(&self) -> Result<Vec<String>, ProbeError>;
    fn proxy(&self) -> Result<ProxySettings, ProbeError>;
    /// Free bytes available to the user on the volume holding `path`.
    fn free_space(&self, path: &str) -> Result<u64, ProbeError>;
    /// Network results recorded with a replayed scenario; live probes have none and the
    /// network is probed for real.
    fn recorded_network(&self) -> Option<Vec<crate::netfacts::HostResult>> {
        None
    }
    /// A Task Scheduler task by its name (Windows). Other probes answer `Unsupported`.
    fn scheduled_task(&self, _name: &str) -> Result<ScheduledTask, ProbeError> {
        Err(ProbeError::Unsupported {
            what: "scheduled tasks",
        })
    }
    /// A key of a preferences domain as root reads it (macOS): the system domain
    /// (`/Library/Preferences`), managed preferences, then root's own domain. `Ok(None)`
    /// when no domain has the key. Other probes answer `Unsupported`.
    fn preference(&self, _domain: &str, _key: &str) -> Result<Option<PreferenceValue>, ProbeError> {
        Err(ProbeError::Unsupported {
            what: "preferences domains",
        })
    }
    /// This endpoint's own IP addresses, to group many endpoints by site. A replayed
    /// scenario answers with what it recorded (nothing when it recorded nothing), never
    /// with the addresses of the machine replaying it.
    fn addresses(&self) -> Vec<std::net::IpAddr> {
        crate::interfaces::local_addresses()
    }
}

/// The probe for the machine this program runs on.
pub fn live() -> Box<dyn Probe> {
    #[cfg(target_os = "linux")]
    {
        Box::new(linux::LinuxProbe::new("/"))
    }
    #[cfg(target_os = "macos")]
    {
        Box::new(macos::MacProbe::new("/"))
    }
    #[cfg(windows)]
    {
        Box::new(windows::WindowsProbe::new())
    }
}
