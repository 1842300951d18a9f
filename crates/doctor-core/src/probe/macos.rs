//! The real probe for macOS (best effort; compiled in CI, not run there). Processes come
//! from sysinfo, launchd jobs from `launchctl`, files under a root folder, the OS version
//! from SystemVersion.plist, trusted roots from the keychain (`rustls-native-certs`).

use super::common;
use super::unix::Root;
use super::{
    DirEntry, OsFacts, PathKind, Platform, PreferenceValue, Probe, ProbeError, ProbeSource,
    ProcessInfo, ProxySettings, RegistryValue, ServiceInfo, ServiceState, StartType,
};
use std::path::PathBuf;
use std::process::Command;

const SYSTEM_VERSION: &str = "/System/Library/CoreServices/SystemVersion.plist";

#[derive(Debug, Clone)]
pub struct MacProbe {
    root: Root,
}

impl MacProbe {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        MacProbe {
            root: Root::new(root),
        }
    }
}

/// The `<string>` following `<key>name</key>` in an XML property list.
fn plist_string(text: &str, name: &str) -> Option<String> {
    let at = text.find(&format!("<key>{name}</key>"))?;
    let rest = &text[at..];
    let start = rest.find("<string>")? + "<string>".len();
    let end = rest[start..].find("</string>")?;
    Some(rest[start..start + end].trim().to_owned())
}

impl Probe for MacProbe {
    fn source(&self) -> ProbeSource {
        ProbeSource::Live
    }

    fn os(&self) -> Result<OsFacts, ProbeError> {
        let plist = self
            .root
            .read_to_string(SYSTEM_VERSION)?
            .unwrap_or_default();
        let version = plist_string(&plist, "ProductVersion").unwrap_or_default();
        let arch = std::env::consts::ARCH.to_owned();
        let (cpu_cores, memory_bytes) = common::cores_and_memory();
        let hostname = common::hostname();
        Ok(OsFacts {
            platform: Platform::Macos,
            name: format!(
                "{} {version}",
                plist_string(&plist, "ProductName").unwrap_or_else(|| "macOS".into())
            ),
            version,
            build: plist_string(&plist, "ProductBuildVersion"),
            edition: None,
            distro_id: Some("macos".into()),
            bits: 64,
            arch,
            domain: hostname.split_once('.').map(|(_, d)| d.to_owned()),
            hostname,
            system_drive: "/".into(),
            program_files: None,
            program_files_x86: None,
            cpu_cores,
            memory_bytes,
        })
    }

    fn processes(&self) -> Result<Vec<ProcessInfo>, ProbeError> {
        common::list_processes()
    }

    fn service(&self, label: &str) -> Result<ServiceInfo, ProbeError> {
        let plist = format!("/Library/LaunchDaemons/{label}.plist");
        let installed = self.root.path_kind(&plist)? != PathKind::Missing;
        if !installed {
            return Ok(ServiceInfo::not_installed(label));
        }
        let mut info = ServiceInfo {
            name: label.to_owned(),
            display_name: None,
            state: ServiceState::Unknown,
            start_type: StartType::Auto,
            detail: None,
        };
        if self.root.is_system_root() {
            match Command::new("launchctl")
                .args(["print", &format!("system/{label}")])
                .output()
            {
                Ok(out) if out.status.success() => {
                    let text = String::from_utf8_lossy(&out.stdout);
                    info.state = if text.contains("state = running") {
                        ServiceState::Running
                    } else {
                        ServiceState::Stopped
                    };
                }
                Ok(_) => info.state = ServiceState::Stopped,
                Err(e) => info.detail = Some(format!("launchctl could not be run: {e}")),
            }
        }
        Ok(info)
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
        if !self.root.is_system_root() {
            return self.root.bundle_thumbprints(&["/etc/ssl/cert.pem"]);
        }
        let result = rustls_native_certs::load_native_certs();
        if result.certs.is_empty() {
            return Err(ProbeError::Query {
                what: "the macOS keychain".into(),
                detail: "no root certificates were returned".into(),
            });
        }
        Ok(result
            .certs
            .iter()
            .map(|c| common::thumbprint(c.as_ref()))
            .collect())
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

    /// Reads the key with `defaults` from each place root would find it: the system-wide
    /// file, the managed (profile-installed) preferences, root's own domain, then the
    /// domain by name as the running user (root when run with sudo).
    fn preference(&self, domain: &str, key: &str) -> Result<Option<PreferenceValue>, ProbeError> {
        if !self.root.is_system_root() {
            return Err(ProbeError::Unsupported {
                what: "preferences domains of a mounted system",
            });
        }
        let places = [
            format!("/Library/Preferences/{domain}"),
            format!("/Library/Managed Preferences/{domain}"),
            format!("/var/root/Library/Preferences/{domain}"),
            domain.to_owned(),
        ];
        let mut last_error = None;
        for place in places {
            match Command::new("/usr/bin/defaults")
                .args(["read", &place, key])
                .output()
            {
                Ok(out) if out.status.success() => {
                    let value = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                    if !value.is_empty() {
                        return Ok(Some(PreferenceValue {
                            value,
                            read_from: format!("defaults read {place} {key}"),
                        }));
                    }
                }
                // `defaults` exits 1 when the domain or key does not exist.
                Ok(_) => {}
                Err(e) => last_error = Some(e),
            }
        }
        match last_error {
            Some(source) => Err(ProbeError::Io {
                what: "the defaults command",
                path: PathBuf::from("/usr/bin/defaults"),
                source,
            }),
            None => Ok(None),
        }
    }
}
