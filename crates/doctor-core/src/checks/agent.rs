//! Step 1 of the guide: is Endpoint Basecamp running, are its services (Basecamp, the Web
//! Service Communicator plug-in, the sensor) installed and started, and is it registered
//! to Vision One. It does not test the network (step 2) or read logs (the bundle).

use super::{skipped, skipped_probe_error, Ctx};
use crate::finding::{Finding, Message, Status, Step};
use crate::layout::Registration;
use crate::probe::{PathKind, Platform, ServiceInfo, ServiceState, StartType};
use crate::units::utc_time;

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let basecamp_service = basecamp_service_name(ctx);
    let service = ctx.probe.service(&basecamp_service);
    let installed = basecamp_installed(ctx, service.as_ref().ok());
    let running = ctx
        .processes_named(basecamp_processes(ctx))
        .is_some_and(|p| !p.is_empty());

    let mut out = vec![process(ctx, installed)];
    out.push(match &service {
        Ok(info) => service_finding(ctx, "agent.basecamp.service", info, Role::Basecamp),
        Err(e) => skipped_probe_error("agent.basecamp.service", Step::Process, e),
    });
    for (id, role) in [
        ("agent.wsc.service", Role::Communicator),
        ("agent.sensor.service", Role::Sensor),
    ] {
        out.push(plugin_service(ctx, id, role, installed));
    }
    out.push(registration(ctx, running, installed));
    out
}

fn basecamp_processes<'c>(ctx: &'c Ctx) -> &'c [String] {
    let a = &ctx.catalogue.agent;
    match ctx.platform() {
        Platform::Windows => &a.windows.basecamp_processes,
        Platform::Linux => &a.linux.basecamp_processes,
        Platform::Macos => &a.macos.basecamp_processes,
    }
}

fn basecamp_service_name(ctx: &Ctx) -> String {
    let a = &ctx.catalogue.agent;
    match ctx.platform() {
        Platform::Windows => a.windows.basecamp_service.clone(),
        Platform::Linux => a.linux.basecamp_service.clone(),
        Platform::Macos => a.macos.basecamp_service.clone(),
    }
}

fn basecamp_installed(ctx: &Ctx, service: Option<&ServiceInfo>) -> bool {
    let service_installed = service.is_some_and(|s| s.state != ServiceState::NotInstalled);
    service_installed || ctx.probe.path_kind(&ctx.agent.install_dir).ok() == Some(PathKind::Dir)
}

fn process(ctx: &Ctx, installed: bool) -> Finding {
    const ID: &str = "agent.basecamp.process";
    let names = basecamp_processes(ctx);
    let Some(found) = ctx.processes_named(names) else {
        let err = ctx.processes.as_ref().err().cloned().unwrap_or_default();
        return Finding::new(
            ID,
            Step::Process,
            Status::Skipped,
            Message::new("check.skipped.probe_error"),
        )
        .evidence("error", err);
    };
    let expected = names.join(", ");
    if !found.is_empty() {
        let mut f = Finding::new(
            ID,
            Step::Process,
            Status::Pass,
            Message::new("agent.basecamp.process.pass").with("count", found.len().to_string()),
        );
        for p in found {
            f = f.evidence("process", format!("{} (PID {})", p.name, p.pid));
            if let Some(exe) = &p.exe {
                f = f.evidence("path", exe.clone());
            }
            if let Some(t) = p.started_at {
                f = f.evidence("started_at", utc_time(t));
            }
        }
        return f;
    }
    // Installed but not running (service stopped, or folder present without a process)
    // needs a start, not a new install.
    let key = if installed {
        "agent.basecamp.process.stopped"
    } else {
        "agent.basecamp.process.missing"
    };
    Finding::new(
        ID,
        Step::Process,
        Status::Fail,
        Message::new(key).with("names", expected.clone()),
    )
    .evidence("expected_process", expected)
    .evidence("install_dir", ctx.agent.install_dir.clone())
    .evidence_keyed(
        "install_dir_state",
        if installed { "present" } else { "missing" },
        format!("value.{}", if installed { "present" } else { "missing" }),
    )
    .remedy(Message::new(format!(
        "{key}.remedy.{}",
        ctx.platform().as_str()
    )))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Basecamp,
    Communicator,
    Sensor,
}

impl Role {
    fn key(self) -> &'static str {
        match self {
            Role::Basecamp => "basecamp",
            Role::Communicator => "wsc",
            Role::Sensor => "sensor",
        }
    }
}

fn plugin_service(ctx: &Ctx, id: &str, role: Role, basecamp_installed: bool) -> Finding {
    let a = &ctx.catalogue.agent;
    let name = match (ctx.platform(), role) {
        (Platform::Windows, Role::Communicator) => &a.windows.wsc_service,
        (Platform::Windows, _) => &a.windows.sensor_service,
        (Platform::Macos, Role::Communicator) => &a.macos.wsc_service,
        (Platform::Macos, _) => &a.macos.sensor_service,
        // Does not apply (Linux has no such service): information, not "not checked".
        (Platform::Linux, _) => {
            return Finding::new(
                id,
                Step::Process,
                Status::Info,
                Message::new("agent.service.not_on_linux"),
            )
        }
    };
    match ctx.probe.service(name) {
        // Basecamp installs its plug-ins; without Basecamp their absence says nothing new.
        Ok(info) if info.state == ServiceState::NotInstalled && !basecamp_installed => {
            Finding::new(
                id,
                Step::Process,
                Status::Skipped,
                Message::new("agent.service.needs_basecamp").with("service", info.name.clone()),
            )
            .evidence("service_name", info.name)
        }
        Ok(info) => service_finding(ctx, id, &info, role),
        Err(e) => skipped_probe_error(id, Step::Process, &e),
    }
}

/// Judges one service: Basecamp's own problems fail; the plug-ins' only warn, because
/// Basecamp installs them itself after it registers.
fn service_finding(ctx: &Ctx, id: &str, info: &ServiceInfo, role: Role) -> Finding {
    let platform = ctx.platform().as_str();
    let down = if role == Role::Basecamp {
        Status::Fail
    } else {
        Status::Warn
    };
    let (status, key, remedy): (Status, String, Option<String>) =
        match (info.state, info.start_type) {
            (ServiceState::NotInstalled, _) => (
                down,
                format!("agent.service.{}.not_installed", role.key()),
                Some(format!("agent.service.{}.not_installed.remedy", role.key())),
            ),
            (ServiceState::Unknown, _) => (Status::Skipped, "agent.service.unknown".into(), None),
            (ServiceState::Running, StartType::Manual) => (
                Status::Warn,
                "agent.service.manual".into(),
                Some(format!("agent.service.manual.remedy.{platform}")),
            ),
            (ServiceState::Running, StartType::Disabled) => (
                Status::Warn,
                "agent.service.running_disabled".into(),
                Some(format!("agent.service.disabled.remedy.{platform}")),
            ),
            (ServiceState::Running, _) => (Status::Pass, "agent.service.running".into(), None),
            (ServiceState::Starting, _) => (
                Status::Warn,
                "agent.service.starting".into(),
                Some("agent.service.starting.remedy".into()),
            ),
            (_, StartType::Disabled) => (
                down,
                "agent.service.disabled".into(),
                Some(format!("agent.service.disabled.remedy.{platform}")),
            ),
            _ => (
                down,
                "agent.service.stopped".into(),
                Some(format!("agent.service.stopped.remedy.{platform}")),
            ),
        };
    let mut f = Finding::new(
        id,
        Step::Process,
        status,
        Message::new(key).with("service", info.name.clone()),
    )
    .evidence("service_name", info.name.clone());
    if let Some(detail) = &info.detail {
        f = f.evidence("detail", detail.clone());
    }
    if let Some(display) = &info.display_name {
        f = f.evidence("display_name", display.clone());
    }
    f = f.evidence_keyed(
        "service_state",
        info.state.as_str(),
        format!("value.service_state.{}", info.state.as_str()),
    );
    if info.state != ServiceState::NotInstalled {
        f = f.evidence_keyed(
            "start_type",
            info.start_type.as_str(),
            format!("value.start_type.{}", info.start_type.as_str()),
        );
    }
    if let Some(r) = remedy {
        f = f.remedy(Message::new(r).with("service", info.name.clone()));
    }
    f
}

/// Registration to Vision One: `xdr_device_id` on Windows, the `.identity` file on Linux.
/// A running Basecamp without it may be the on-premises Apex One's support-only copy.
fn registration(ctx: &Ctx, running: bool, installed: bool) -> Finding {
    const ID: &str = "agent.registration";
    let looked_at = match &ctx.agent.registration {
        Registration::NotReadable => {
            return Finding::new(
                ID,
                Step::Process,
                Status::Skipped,
                Message::new("agent.registration.macos_unverified"),
            )
            .remedy(Message::new("agent.registration.macos_unverified.remedy"))
        }
        Registration::Unreadable { error, denied } => {
            return skipped(ID, Step::Process, error, *denied)
        }
        Registration::Registered { id, place } => {
            return Finding::new(
                ID,
                Step::Process,
                Status::Pass,
                Message::new("agent.registration.pass"),
            )
            .evidence("device_id", id.clone())
            .evidence("found_at", place.clone())
        }
        Registration::Absent { looked_at } => looked_at.clone(),
    };
    let (status, key, remedy) = if running {
        (
            Status::Warn,
            "agent.registration.running_unregistered",
            Some("agent.registration.running_unregistered.remedy"),
        )
    } else if installed {
        (
            Status::Fail,
            "agent.registration.missing",
            Some("agent.registration.missing.remedy"),
        )
    } else {
        (Status::Skipped, "agent.registration.not_installed", None)
    };
    let f =
        Finding::new(ID, Step::Process, status, Message::new(key)).evidence("looked_at", looked_at);
    match remedy {
        Some(r) => f.remedy(Message::new(r)),
        None => f,
    }
}
