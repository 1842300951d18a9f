//! The real probe for Linux. Processes and services are read live (sysinfo, systemd);
//! files, os-release and the CA bundle are read under a root folder (default `/`) so tests
//! can point it at a temporary tree.

use super::common;
use super::unix::Root;
use super::{
    DirEntry, OsFacts, PathKind, Platform, Probe, ProbeError, ProbeSource, ProcessInfo,
    ProxySettings, RegistryValue, ServiceInfo, ServiceState, StartType,
};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

const CA_BUNDLES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

const UNIT_DIRS: [&str; 4] = [
    "/etc/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
    "/run/systemd/system",
];

#[derive(Debug, Clone)]
pub struct LinuxProbe {
    root: Root,
}

impl LinuxProbe {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LinuxProbe {
            root: Root::new(root),
        }
    }

    fn unit_file_present(&self, unit: &str) -> Result<bool, ProbeError> {
        for dir in UNIT_DIRS {
            if self.root.path_kind(&format!("{dir}/{unit}"))? != PathKind::Missing {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Parses os-release: `KEY=value` lines, values optionally quoted.
pub(crate) fn parse_os_release(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let (k, v) = line.trim().split_once('=')?;
            if k.starts_with('#') {
                return None;
            }
            let v = v.trim().trim_matches('"').trim_matches('\'');
            Some((k.trim().to_owned(), v.to_owned()))
        })
        .collect()
}

/// Maps `systemctl show` properties to a service state and start type.
pub(crate) fn parse_systemctl_show(name: &str, text: &str) -> ServiceInfo {
    let props: HashMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
    if matches!(props.get("LoadState"), Some(&"not-found") | None) {
        return ServiceInfo::not_installed(name);
    }
    let state = match props.get("ActiveState").copied() {
        Some("active") | Some("reloading") => ServiceState::Running,
        Some("inactive") | Some("failed") => ServiceState::Stopped,
        Some("activating") => ServiceState::Starting,
        Some("deactivating") => ServiceState::Stopping,
        _ => ServiceState::Unknown,
    };
    let start_type = match props.get("UnitFileState").copied() {
        Some("enabled") | Some("enabled-runtime") | Some("alias") => StartType::Auto,
        Some("disabled") | Some("static") | Some("indirect") => StartType::Manual,
        Some("masked") | Some("masked-runtime") => StartType::Disabled,
        _ => StartType::Unknown,
    };
    ServiceInfo {
        name: name.to_owned(),
        display_name: props
            .get("Description")
            .map(|s| (*s).to_owned())
            .filter(|s| !s.is_empty()),
        state,
        start_type,
        detail: props
            .get("ActiveState")
            .filter(|s| **s == "failed")
            .map(|_| "failed".to_owned()),
    }
}

impl Probe for LinuxProbe {
    fn source(&self) -> ProbeSource {
        ProbeSource::Live
    }

    fn os(&self) -> Result<OsFacts, ProbeError> {
        let release = self
            .root
            .read_to_string("/etc/os-release")?
            .or(self.root.read_to_string("/usr/lib/os-release")?)
            .map(|t| parse_os_release(&t))
            .unwrap_or_default();
        let hostname = common::hostname();
        let domain = match hostname.split_once('.') {
            Some((_, d)) if !d.is_empty() => Some(d.to_owned()),
            _ => self
                .root
                .read_to_string("/etc/resolv.conf")?
                .and_then(|t| resolv_domain(&t)),
        };
        let (cpu_cores, memory_bytes) = common::cores_and_memory();
        let arch = std::env::consts::ARCH.to_owned();
        Ok(OsFacts {
            platform: Platform::Linux,
            name: release
                .get("PRETTY_NAME")
                .or(release.get("NAME"))
                .cloned()
                .unwrap_or_else(|| "Linux".to_owned()),
            version: release.get("VERSION_ID").cloned().unwrap_or_default(),
            build: sysinfo::System::kernel_version().ok(),
            edition: None,
            distro_id: release.get("ID").cloned(),
            bits: if arch == "x86" || arch == "arm" {
                32
            } else {
                64
            },
            arch,
            hostname,
            domain,
            system_drive: "/".to_owned(),
            program_files: None,
            program_files_x86: None,
            cpu_cores,
            memory_bytes,
        })
    }

    fn processes(&self) -> Result<Vec<ProcessInfo>, ProbeError> {
        common::list_processes()
    }

    fn service(&self, name: &str) -> Result<ServiceInfo, ProbeError> {
        let unit = format!("{name}.service");
        let file_present = self.unit_file_present(&unit)?;
        if self.root.is_system_root() {
            let out = Command::new("systemctl")
                .args([
                    "show",
                    "--no-pager",
                    "--property=LoadState,ActiveState,UnitFileState,Description",
                    "--",
                    &unit,
                ])
                .output();
            if let Ok(out) = out {
                if out.status.success() {
                    let info = parse_systemctl_show(name, &String::from_utf8_lossy(&out.stdout));
                    if info.state != ServiceState::NotInstalled || !file_present {
                        return Ok(info);
                    }
                }
            }
        }
        // systemd is not running here (a container, a chroot) or the root is not `/`:
        // the unit file tells whether it is installed, not whether it runs.
        Ok(if file_present {
            ServiceInfo {
                name: name.to_owned(),
                display_name: None,
                state: ServiceState::Unknown,
                start_type: StartType::Unknown,
                detail: Some("systemd is not available to report the unit's state".into()),
            }
        } else {
            ServiceInfo::not_installed(name)
        })
    }

    fn path_kind(&self, path: &str) -> Result<PathKind, ProbeError> {
        self.root.path_kind(path)
    }

    fn file_size(&self, path: &str) -> Result<u64, ProbeError> {
        self.root.file_size(path)
    }

    fn list_dir(&self, path: &str) -> Result<Vec<DirEntry>, ProbeError> {
        self.root.list_dir(path)
    }

    fn read_tail(&self, path: &str, max_bytes: u64) -> Result<Vec<u8>, ProbeError> {
        self.root.read_tail(path, max_bytes)
    }

    fn registry_value(&self, _: &str, _: &str) -> Result<Option<RegistryValue>, ProbeError> {
        Err(ProbeError::Unsupported {
            what: "the Windows registry",
        })
    }

    fn trusted_root_thumbprints(&self) -> Result<Vec<String>, ProbeError> {
        self.root.bundle_thumbprints(&CA_BUNDLES)
    }

    fn proxy(&self) -> Result<ProxySettings, ProbeError> {
        Ok(ProxySettings {
            environment: common::environment_proxies(),
            ..Default::default()
        })
    }

    fn free_space(&self, path: &str) -> Result<u64, ProbeError> {
        self.root.free_space(path)
    }
}

fn resolv_domain(text: &str) -> Option<String> {
    let mut search = None;
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        match parts.next() {
            Some("domain") => return parts.next().map(str::to_owned),
            Some("search") if search.is_none() => search = parts.next().map(str::to_owned),
            _ => {}
        }
    }
    search
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_values_are_unquoted() {
        let r = parse_os_release("ID=debian\nVERSION_ID=\"12\"\n# c\nPRETTY_NAME='Debian 12'\n");
        assert_eq!(r["ID"], "debian");
        assert_eq!(r["VERSION_ID"], "12");
        assert_eq!(r["PRETTY_NAME"], "Debian 12");
    }

    #[test]
    fn systemctl_show_maps_states() {
        let s = parse_systemctl_show(
            "tmxbc",
            "LoadState=loaded\nActiveState=active\nUnitFileState=enabled\nDescription=XBC\n",
        );
        assert_eq!(s.state, ServiceState::Running);
        assert_eq!(s.start_type, StartType::Auto);
        let s = parse_systemctl_show("tmxbc", "LoadState=not-found\nActiveState=inactive\n");
        assert_eq!(s.state, ServiceState::NotInstalled);
        let s = parse_systemctl_show(
            "tmxbc",
            "LoadState=loaded\nActiveState=failed\nUnitFileState=masked\n",
        );
        assert_eq!(s.state, ServiceState::Stopped);
        assert_eq!(s.start_type, StartType::Disabled);
    }

    #[test]
    fn resolv_conf_domain_wins_over_search() {
        assert_eq!(
            resolv_domain("search a.example\ndomain b.example\n"),
            Some("b.example".into())
        );
        assert_eq!(
            resolv_domain("search a.example c\n"),
            Some("a.example".into())
        );
        assert_eq!(resolv_domain("nameserver 1.1.1.1\n"), None);
    }
}
