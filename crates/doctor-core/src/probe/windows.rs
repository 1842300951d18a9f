//! The real probe for Windows: processes through sysinfo, services through the Service
//! Control Manager (`windows-service`), registry values through `winreg` (always the
//! 64-bit view, so `WOW6432Node` paths mean what they say), trusted roots from the
//! certificate store (`rustls-native-certs`), WinINET proxy settings from the registry.

use super::common;
use super::{
    DirEntry, OsFacts, PathKind, Platform, Probe, ProbeError, ProbeSource, ProcessInfo,
    ProxySettings, RegistryValue, ScheduledTask, ServiceInfo, ServiceState, StartType, TaskState,
    WinInetProxy,
};
use std::path::PathBuf;
use windows_service::service::{ServiceAccess, ServiceStartType};
use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};
use winreg::enums::{RegType, HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE, KEY_READ, KEY_WOW64_64KEY};
use winreg::RegKey;

const ERROR_SERVICE_DOES_NOT_EXIST: i32 = 1060;
const NT_CURRENT_VERSION: &str = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion";
const TCPIP_PARAMETERS: &str = r"HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters";
const WINHTTP_CONNECTIONS: &str =
    r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections";
const TASK_CACHE_TREE: &str =
    r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache\Tree";
const INTERNET_SETTINGS: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings";

#[derive(Debug, Default)]
pub struct WindowsProbe;

impl WindowsProbe {
    pub fn new() -> Self {
        WindowsProbe
    }

    fn text(&self, key: &str, value: &str) -> Option<String> {
        self.registry_value(key, value)
            .ok()
            .flatten()
            .map(|v| v.as_text())
            .filter(|s| !s.trim().is_empty())
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn open_key(path: &str) -> std::io::Result<RegKey> {
    let (hive, sub) = if let Some(rest) = path.strip_prefix(r"HKLM\") {
        (HKEY_LOCAL_MACHINE, rest)
    } else if let Some(rest) = path.strip_prefix(r"HKCU\") {
        (HKEY_CURRENT_USER, rest)
    } else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "registry paths start with HKLM\\ or HKCU\\",
        ));
    };
    RegKey::predef(hive).open_subkey_with_flags(sub, KEY_READ | KEY_WOW64_64KEY)
}

/// "AMD64" / "x86" / "ARM64" as Windows names the OS architecture, seen from any process.
fn os_arch() -> String {
    let raw = env("PROCESSOR_ARCHITEW6432")
        .or_else(|| env("PROCESSOR_ARCHITECTURE"))
        .unwrap_or_else(|| "AMD64".into());
    match raw.to_ascii_uppercase().as_str() {
        "AMD64" | "EM64T" => "x86_64".into(),
        "X86" => "x86".into(),
        "ARM64" => "aarch64".into(),
        other => other.to_ascii_lowercase(),
    }
}

impl Probe for WindowsProbe {
    fn source(&self) -> ProbeSource {
        ProbeSource::Live
    }

    fn os(&self) -> Result<OsFacts, ProbeError> {
        let build = self
            .text(NT_CURRENT_VERSION, "CurrentBuildNumber")
            .or_else(|| self.text(NT_CURRENT_VERSION, "CurrentBuild"));
        let build_no: u32 = build.as_deref().and_then(|b| b.parse().ok()).unwrap_or(0);
        let edition = self.text(NT_CURRENT_VERSION, "InstallationType").map(|t| {
            if t.eq_ignore_ascii_case("server") || t.eq_ignore_ascii_case("server core") {
                "server".to_owned()
            } else {
                "client".to_owned()
            }
        });
        let mut name = self
            .text(NT_CURRENT_VERSION, "ProductName")
            .unwrap_or_else(|| "Windows".into());
        // Windows 11 still writes "Windows 10" in ProductName; the build tells them apart.
        if build_no >= 22000 && edition.as_deref() != Some("server") {
            name = name.replacen("Windows 10", "Windows 11", 1);
        }
        let version = self
            .text(NT_CURRENT_VERSION, "DisplayVersion")
            .or_else(|| self.text(NT_CURRENT_VERSION, "ReleaseId"))
            .unwrap_or_default();
        let ubr = self
            .registry_value(NT_CURRENT_VERSION, "UBR")
            .ok()
            .flatten()
            .and_then(|v| v.as_dword());
        let arch = os_arch();
        let (cpu_cores, memory_bytes) = common::cores_and_memory();
        Ok(OsFacts {
            platform: Platform::Windows,
            name,
            version,
            build: build.map(|b| match ubr {
                Some(u) => format!("{b}.{u}"),
                None => b,
            }),
            edition,
            distro_id: None,
            bits: if arch == "x86" { 32 } else { 64 },
            arch,
            hostname: env("COMPUTERNAME").unwrap_or_else(common::hostname),
            domain: self
                .text(TCPIP_PARAMETERS, "Domain")
                .or_else(|| env("USERDNSDOMAIN")),
            system_drive: format!("{}\\", env("SystemDrive").unwrap_or_else(|| "C:".into())),
            program_files: env("ProgramW6432").or_else(|| env("ProgramFiles")),
            program_files_x86: env("ProgramFiles(x86)"),
            cpu_cores,
            memory_bytes,
        })
    }

    fn processes(&self) -> Result<Vec<ProcessInfo>, ProbeError> {
        common::list_processes()
    }

    fn service(&self, name: &str) -> Result<ServiceInfo, ProbeError> {
        let query = |detail: String| ProbeError::Query {
            what: format!("the service \"{name}\""),
            detail,
        };
        let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT)
            .map_err(|e| query(e.to_string()))?;
        let service = match manager.open_service(
            name,
            ServiceAccess::QUERY_STATUS | ServiceAccess::QUERY_CONFIG,
        ) {
            Ok(s) => s,
            Err(windows_service::Error::Winapi(e))
                if e.raw_os_error() == Some(ERROR_SERVICE_DOES_NOT_EXIST) =>
            {
                return Ok(ServiceInfo::not_installed(name))
            }
            Err(e) => return Err(query(e.to_string())),
        };
        let status = service.query_status().map_err(|e| query(e.to_string()))?;
        use windows_service::service::ServiceState as S;
        let state = match status.current_state {
            S::Running => ServiceState::Running,
            S::Stopped => ServiceState::Stopped,
            S::StartPending | S::ContinuePending => ServiceState::Starting,
            S::StopPending | S::PausePending => ServiceState::Stopping,
            S::Paused => ServiceState::Paused,
        };
        let (start_type, display_name) = match service.query_config() {
            Ok(c) => (
                match c.start_type {
                    ServiceStartType::AutoStart
                    | ServiceStartType::SystemStart
                    | ServiceStartType::BootStart => StartType::Auto,
                    ServiceStartType::OnDemand => StartType::Manual,
                    ServiceStartType::Disabled => StartType::Disabled,
                },
                Some(c.display_name.to_string_lossy().into_owned()),
            ),
            Err(_) => (StartType::Unknown, None),
        };
        Ok(ServiceInfo {
            name: name.to_owned(),
            display_name,
            state,
            start_type,
            detail: None,
        })
    }

    fn path_kind(&self, path: &str) -> Result<PathKind, ProbeError> {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Ok(PathKind::Dir),
            Ok(_) => Ok(PathKind::File),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PathKind::Missing),
            Err(source) => Err(ProbeError::Io {
                what: "a file",
                path: PathBuf::from(path),
                source,
            }),
        }
    }

    fn file_size(&self, path: &str) -> Result<u64, ProbeError> {
        std::fs::metadata(path)
            .map(|m| m.len())
            .map_err(|source| ProbeError::Io {
                what: "a file",
                path: PathBuf::from(path),
                source,
            })
    }

    fn list_dir(&self, path: &str) -> Result<Vec<DirEntry>, ProbeError> {
        common::list_dir_at(std::path::Path::new(path))
    }

    fn read_tail(&self, path: &str, max_bytes: u64) -> Result<Vec<u8>, ProbeError> {
        common::read_tail_at(std::path::Path::new(path), max_bytes)
    }

    fn registry_value(&self, key: &str, value: &str) -> Result<Option<RegistryValue>, ProbeError> {
        let io_err = |source: std::io::Error| ProbeError::Io {
            what: "a registry key",
            path: PathBuf::from(format!("{key}\\{value}")),
            source,
        };
        let reg = match open_key(key) {
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(e)),
        };
        let raw = match reg.get_raw_value(value) {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(e)),
        };
        Ok(Some(match raw.vtype {
            RegType::REG_DWORD => {
                RegistryValue::Dword(reg.get_value::<u32, _>(value).map_err(io_err)?)
            }
            RegType::REG_QWORD => {
                RegistryValue::Text(reg.get_value::<u64, _>(value).map_err(io_err)?.to_string())
            }
            RegType::REG_SZ | RegType::REG_EXPAND_SZ | RegType::REG_MULTI_SZ => {
                RegistryValue::Text(reg.get_value::<String, _>(value).map_err(io_err)?)
            }
            _ => RegistryValue::Text(raw.bytes.iter().map(|b| format!("{b:02x}")).collect()),
        }))
    }

    fn trusted_root_thumbprints(&self) -> Result<Vec<String>, ProbeError> {
        let result = rustls_native_certs::load_native_certs();
        if result.certs.is_empty() {
            return Err(ProbeError::Query {
                what: "the Windows certificate store".into(),
                detail: result
                    .errors
                    .first()
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "no root certificates were returned".into()),
            });
        }
        Ok(result
            .certs
            .iter()
            .map(|c| common::thumbprint(c.as_ref()))
            .collect())
    }

    fn proxy(&self) -> Result<ProxySettings, ProbeError> {
        let enabled = self
            .registry_value(INTERNET_SETTINGS, "ProxyEnable")?
            .and_then(|v| v.as_dword())
            .unwrap_or(0)
            != 0;
        let wininet = WinInetProxy {
            enabled,
            server: self
                .text(INTERNET_SETTINGS, "ProxyServer")
                .map(|s| common::mask_credentials(&s)),
            bypass: self.text(INTERNET_SETTINGS, "ProxyOverride"),
            autoconfig_url: self
                .text(INTERNET_SETTINGS, "AutoConfigURL")
                .map(|s| common::mask_credentials(&s)),
        };
        let winhttp = match self.registry_value(WINHTTP_CONNECTIONS, "WinHttpSettings")? {
            Some(RegistryValue::Binary(b)) => super::parse_winhttp_settings(&b),
            _ => None,
        };
        Ok(ProxySettings {
            environment: common::environment_proxies(),
            wininet: Some(wininet),
            winhttp: winhttp.as_ref().map(|(p, _)| common::mask_credentials(p)),
            winhttp_bypass: winhttp.and_then(|(_, b)| b),
        })
    }

    fn free_space(&self, path: &str) -> Result<u64, ProbeError> {
        common::free_space_at(std::path::Path::new(path))
    }

    /// The task's definition file under `%SystemRoot%\System32\Tasks` decides: it is what
    /// Task Scheduler loads, and its `<Settings><Enabled>` is the documented place of the
    /// enabled flag (the registry's TaskCache does not record it in a documented form).
    /// The TaskCache tree key only confirms a registration whose file is unreadable.
    fn scheduled_task(&self, name: &str) -> Result<ScheduledTask, ProbeError> {
        let root = std::env::var("SystemRoot").unwrap_or_else(|_| r"C:\Windows".into());
        let file = format!(r"{}\System32\Tasks\{name}", root.trim_end_matches('\\'));
        let tree = format!(r"{TASK_CACHE_TREE}\{name}");
        match std::fs::read(&file) {
            Ok(bytes) => Ok(ScheduledTask {
                name: name.to_owned(),
                state: super::task_xml::state(&super::task_xml::decode(&bytes)),
                read_from: file,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match open_key(&tree) {
                Ok(_) => Err(ProbeError::Query {
                    what: format!("the scheduled task \"{name}\""),
                    detail: format!("registered under {tree} but {file} is missing"),
                }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ScheduledTask {
                    name: name.to_owned(),
                    state: TaskState::Missing,
                    read_from: file,
                }),
                Err(source) => Err(ProbeError::Io {
                    what: "a registry key",
                    path: PathBuf::from(tree),
                    source,
                }),
            },
            Err(source) => Err(ProbeError::Io {
                what: "a scheduled task file",
                path: PathBuf::from(file),
                source,
            }),
        }
    }
}
