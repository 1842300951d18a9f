//! System requirements, the items the vendor's XDR Endpoint Checker looks at: supported
//! OS, 32/64-bit (which decides the log folder), host name and domain, CPU and memory,
//! free disk space, TLS 1.2 on Windows, the root CAs the agent relies on, and the proxy
//! settings in effect. Reachability and the clock are step 2's job, not this module's.

use super::{skipped_probe_error, Ctx};
use crate::finding::{Finding, Message, Status, Step};
use crate::probe::Platform;
use crate::units::human_bytes;

const SCHANNEL_TLS12_CLIENT: &str =
    r"HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client";

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    vec![
        os_support(ctx),
        architecture(ctx),
        host(ctx),
        resources(ctx),
        disk(ctx),
        tls12(ctx),
        root_cas(ctx),
        proxy(ctx),
    ]
}

fn finding(id: &str, status: Status, key: &str) -> Finding {
    Finding::new(id, Step::System, status, Message::new(key))
}

fn os_support(ctx: &Ctx) -> Finding {
    const ID: &str = "system.os";
    let os = &ctx.os;
    let req = &ctx.catalogue.requirements;
    let (status, key, label) = match os.platform {
        Platform::Windows => {
            let build: u32 = os
                .build
                .as_deref()
                .and_then(|b| b.split('.').next())
                .and_then(|b| b.parse().ok())
                .unwrap_or(0);
            let server = os.edition.as_deref() == Some("server");
            let family = if server {
                &req.windows_server
            } else {
                &req.windows_client
            };
            let hit = family.supported.iter().find(|r| r.contains(build));
            if os.arch == "aarch64" && !req.windows_arm64_supported {
                (Status::Fail, "system.os.windows_arm64", String::new())
            } else if os.arch == "x86"
                && family
                    .x86_supported_below_build
                    .is_some_and(|limit| build >= limit)
            {
                (Status::Fail, "system.os.unsupported", String::new())
            } else if let Some(r) = hit {
                (Status::Pass, "system.os.supported", r.label.clone())
            } else if build == 0 {
                (Status::Warn, "system.os.unknown", String::new())
            } else if build < family.family_min_build {
                (Status::Fail, "system.os.unsupported", String::new())
            } else {
                let targets = family
                    .supported
                    .iter()
                    .map(|r| r.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                (Status::Warn, "system.os.not_listed", targets)
            }
        }
        Platform::Linux => {
            let id = os.distro_id.clone().unwrap_or_default();
            let version = os.version.as_str();
            match req.linux.iter().find(|d| d.id == id) {
                Some(d) => {
                    let hit = d
                        .versions
                        .iter()
                        .find(|v| version == v.as_str() || version.starts_with(&format!("{v}.")));
                    match hit {
                        Some(_) => (Status::Pass, "system.os.supported", os.name.clone()),
                        None => (
                            Status::Warn,
                            "system.os.not_listed",
                            format!("{} {}", d.id, d.versions.join(", ")),
                        ),
                    }
                }
                None => (
                    Status::Warn,
                    "system.os.linux_unknown_distro",
                    String::new(),
                ),
            }
        }
        Platform::Macos => {
            let major: u32 = os
                .version
                .split('.')
                .next()
                .and_then(|m| m.parse().ok())
                .unwrap_or(0);
            if major == 0 {
                (Status::Warn, "system.os.unknown", String::new())
            } else if major < req.macos_min_major {
                (Status::Fail, "system.os.unsupported", String::new())
            } else if major > req.macos_max_known_major {
                (Status::Warn, "system.os.newer_than_list", String::new())
            } else {
                (Status::Pass, "system.os.supported", os.name.clone())
            }
        }
    };
    let mut f = Finding::new(
        ID,
        Step::System,
        status,
        Message::new(key)
            .with("os", os.name.clone())
            .with("label", label),
    )
    .evidence("os_name", os.name.clone())
    .evidence("os_version", os.version.clone());
    if let Some(b) = &os.build {
        f = f.evidence("os_build", b.clone());
    }
    f = f.evidence("arch", os.arch.clone());
    if status != Status::Pass {
        f = f.remedy(Message::new("system.os.remedy"));
    }
    f
}

fn architecture(ctx: &Ctx) -> Finding {
    let bits = ctx.os.bits.to_string();
    finding(
        "system.architecture",
        Status::Info,
        "system.architecture.info",
    )
    .with_params(&[("bits", &bits), ("arch", &ctx.os.arch)])
    .evidence("bits", bits.clone())
    .evidence("install_dir", ctx.agent.install_dir.clone())
    .evidence("log_dir", ctx.agent.log_dir.clone())
}

fn host(ctx: &Ctx) -> Finding {
    let domain = ctx.os.domain.clone().unwrap_or_default();
    let key = if domain.is_empty() {
        "system.host.no_domain"
    } else {
        "system.host.info"
    };
    let mut f = finding("system.host", Status::Info, key)
        .with_params(&[("host", &ctx.os.hostname), ("domain", &domain)])
        .evidence("hostname", ctx.os.hostname.clone());
    if !domain.is_empty() {
        f = f.evidence("domain", domain);
    }
    f
}

fn resources(ctx: &Ctx) -> Finding {
    const ID: &str = "system.resources";
    let req = &ctx.catalogue.requirements;
    let min_memory = req.resources.get(ctx.platform()).min_memory_bytes;
    let (Some(cores), Some(memory)) = (ctx.os.cpu_cores, ctx.os.memory_bytes) else {
        return finding(ID, Status::Skipped, "system.resources.unknown");
    };
    let ok = cores >= req.min_cpu_cores && memory >= min_memory;
    let mut f = finding(
        ID,
        if ok { Status::Pass } else { Status::Warn },
        if ok {
            "system.resources.pass"
        } else {
            "system.resources.low"
        },
    )
    .with_params(&[
        ("cores", &cores.to_string()),
        ("memory", &human_bytes(memory)),
        ("min_cores", &req.min_cpu_cores.to_string()),
        ("min_memory", &human_bytes(min_memory)),
    ])
    .evidence("cpu_cores", cores.to_string())
    .evidence("memory", human_bytes(memory));
    if !ok {
        f = f.remedy(Message::new("system.resources.low.remedy"));
    }
    f
}

fn disk(ctx: &Ctx) -> Finding {
    const ID: &str = "system.disk";
    let drive = ctx.os.system_drive.clone();
    let need = *ctx.catalogue.requirements.resources.get(ctx.platform());
    let min = need.min_free_bytes;
    match ctx.probe.free_space(&drive) {
        Err(e) => skipped_probe_error(ID, Step::System, &e),
        Ok(free) => {
            let ok = free >= min;
            // Linux's figure is a recommendation on the vendor's page: short of it warns.
            let (status, key) = match (ok, need.free_space_is_recommendation) {
                (true, _) => (Status::Pass, "system.disk.pass"),
                (false, true) => (Status::Warn, "system.disk.below_recommended"),
                (false, false) => (Status::Fail, "system.disk.low"),
            };
            let mut f = finding(ID, status, key)
                .with_params(&[
                    ("drive", &drive),
                    ("free", &human_bytes(free)),
                    ("min", &human_bytes(min)),
                ])
                .evidence("drive", drive.clone())
                .evidence("free_space", human_bytes(free));
            if !ok {
                f = f.remedy(Message::new("system.disk.low.remedy").with("min", human_bytes(min)));
            }
            f
        }
    }
}

fn tls12(ctx: &Ctx) -> Finding {
    const ID: &str = "system.tls12";
    if ctx.platform() != Platform::Windows {
        // Does not apply: information, not "not checked".
        return finding(ID, Status::Info, "system.tls12.not_windows");
    }
    let read = |v: &str| ctx.probe.registry_value(SCHANNEL_TLS12_CLIENT, v);
    let (enabled, disabled_by_default) = match (read("Enabled"), read("DisabledByDefault")) {
        (Ok(a), Ok(b)) => (a.and_then(|v| v.as_dword()), b.and_then(|v| v.as_dword())),
        (Err(e), _) | (_, Err(e)) => return skipped_probe_error(ID, Step::System, &e),
    };
    let show = |v: Option<u32>| v.map_or_else(|| "-".to_owned(), |n| n.to_string());
    // Before Windows 8 / Server 2012 (build 9200) TLS 1.2 is off for clients unless these
    // values turn it on.
    let build: u32 = ctx
        .os
        .build
        .as_deref()
        .and_then(|b| b.split('.').next())
        .and_then(|b| b.parse().ok())
        .unwrap_or(u32::MAX);
    let (status, key) = if enabled == Some(0) {
        (Status::Fail, "system.tls12.disabled")
    } else if disabled_by_default == Some(1) {
        (Status::Warn, "system.tls12.disabled_by_default")
    } else if build < 9200 && (enabled.is_none() || disabled_by_default.is_none()) {
        (Status::Warn, "system.tls12.old_windows_default")
    } else {
        (Status::Pass, "system.tls12.pass")
    };
    let mut f = finding(ID, status, key)
        .evidence("registry_key", SCHANNEL_TLS12_CLIENT)
        .evidence("enabled", show(enabled))
        .evidence("disabled_by_default", show(disabled_by_default));
    if status != Status::Pass {
        f = f.remedy(Message::new("system.tls12.remedy").with("key", SCHANNEL_TLS12_CLIENT));
    }
    f
}

fn root_cas(ctx: &Ctx) -> Finding {
    const ID: &str = "system.root_cas";
    let windows = ctx.platform() == Platform::Windows;
    let present = match ctx.probe.trusted_root_thumbprints() {
        Ok(p) => p,
        Err(e) => return skipped_probe_error(ID, Step::System, &e),
    };
    // Windows needs every root (several sign code); elsewhere only the TLS roots matter.
    let required: Vec<_> = ctx
        .catalogue
        .root_cas
        .iter()
        .filter(|ca| windows || ca.tls)
        .collect();
    let missing: Vec<_> = required
        .iter()
        .filter(|ca| !present.iter().any(|t| t.eq_ignore_ascii_case(&ca.sha1)))
        .collect();
    let names = missing
        .iter()
        .map(|ca| ca.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let checked = required.len().to_string();
    if missing.is_empty() {
        return finding(ID, Status::Pass, "system.root_cas.pass")
            .with_params(&[("checked", &checked)])
            .evidence("store_size", present.len().to_string());
    }
    let mut f = finding(
        ID,
        if windows { Status::Fail } else { Status::Warn },
        "system.root_cas.missing",
    )
    .with_params(&[
        ("count", &missing.len().to_string()),
        ("checked", &checked),
        ("names", &names),
    ])
    .evidence("store_size", present.len().to_string());
    for ca in &missing {
        f = f.evidence("missing_ca", format!("{} ({})", ca.name, ca.sha1));
    }
    f.remedy(Message::new(format!(
        "system.root_cas.missing.remedy.{}",
        ctx.platform().as_str()
    )))
}

fn proxy(ctx: &Ctx) -> Finding {
    const ID: &str = "system.proxy";
    let settings = match ctx.probe.proxy() {
        Ok(s) => s,
        Err(e) => return skipped_probe_error(ID, Step::System, &e),
    };
    let mut f = finding(ID, Status::Info, "system.proxy.none");
    let mut any = false;
    use crate::probe::mask_credentials as mask;
    for (name, value) in &settings.environment {
        any = true;
        f = f.evidence("proxy_env", format!("{name}={}", mask(value)));
    }
    if let Some(w) = &settings.wininet {
        if w.enabled {
            if let Some(server) = &w.server {
                any = true;
                f = f.evidence("proxy_wininet", mask(server));
            }
        }
        if let Some(bypass) = w.bypass.as_ref().filter(|_| w.enabled) {
            f = f.evidence("proxy_bypass", bypass.clone());
        }
        if let Some(pac) = &w.autoconfig_url {
            any = true;
            f = f.evidence("proxy_pac", mask(pac));
        }
    }
    if any {
        f.message = Message::new("system.proxy.configured");
        f = f.remedy(Message::new("system.proxy.configured.remedy"));
    }
    f
}
