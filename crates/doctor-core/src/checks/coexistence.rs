//! Which other Trend Micro agents share this endpoint: the Apex One / OfficeScan / Virus
//! Buster Corp. security agent (SaaS-managed or on-premises, told apart by its `Server`
//! value) and the Deep Security Agent. The result is data ([`Coexistence`]) because it
//! decides what step 3 and step 4 ask the administrator; the findings only describe it.

use super::Ctx;
use crate::finding::{Finding, Message, Status, Step};
use crate::probe::{PathKind, Platform, ServiceState};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Management {
    /// Reports to `*.manage.trendmicro.com`: Apex One SaaS or Standard Endpoint Protection.
    Saas,
    /// Reports to an internal server: on-premises Apex One, OfficeScan, Virus Buster Corp.
    OnPremises,
    /// Present, but the server it reports to could not be read.
    Unknown,
}

impl Management {
    pub fn as_str(self) -> &'static str {
        match self {
            Management::Saas => "saas",
            Management::OnPremises => "on_premises",
            Management::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApexOne {
    pub management: Management,
    pub server: Option<String>,
    pub guid: Option<String>,
    pub install_path: Option<String>,
    pub processes: Vec<String>,
    pub services: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeepSecurity {
    pub version: Option<String>,
    pub services: Vec<String>,
    pub install_dir: Option<String>,
}

/// A question step 4 must ask (what support needs), with whether it is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Question {
    /// `business_id`, `basecamp_logs`, `apex_one_saas_server`, `on_premises_server`,
    /// `deep_security`.
    pub id: String,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Coexistence {
    pub apex_one: Option<ApexOne>,
    pub deep_security: Option<DeepSecurity>,
    /// Step 3 (switching the connection destination in the old Apex One console) applies:
    /// `Some(true)` on-premises agent, `None` maybe (SaaS agent that may have been migrated),
    /// `Some(false)` no Apex One agent.
    pub connection_switch_relevant: Option<bool>,
    pub questions: Vec<Question>,
}

fn question(id: &str, required: bool) -> Question {
    Question {
        id: id.to_owned(),
        required,
    }
}

pub fn detect(ctx: &Ctx) -> Coexistence {
    let apex_one = detect_apex_one(ctx);
    let deep_security = detect_deep_security(ctx);
    let mut questions = vec![
        question("business_id", true),
        question("basecamp_logs", true),
    ];
    let connection_switch_relevant = match apex_one.as_ref().map(|a| a.management) {
        Some(Management::Saas) => {
            questions.push(question("apex_one_saas_server", true));
            questions.push(question("on_premises_server", false));
            None
        }
        Some(Management::OnPremises) => {
            questions.push(question("on_premises_server", true));
            Some(true)
        }
        Some(Management::Unknown) => {
            questions.push(question("apex_one_saas_server", false));
            questions.push(question("on_premises_server", false));
            None
        }
        None => Some(false),
    };
    if deep_security.is_some() {
        questions.push(question("deep_security", true));
    }
    Coexistence {
        apex_one,
        deep_security,
        connection_switch_relevant,
        questions,
    }
}

fn detect_apex_one(ctx: &Ctx) -> Option<ApexOne> {
    let cat = &ctx.catalogue.apex_one;
    match ctx.platform() {
        Platform::Windows => {
            let keys = if ctx.os.bits == 32 {
                vec![&cat.registry_key_32]
            } else {
                vec![&cat.registry_key_64, &cat.registry_key_32]
            };
            let read = |value: &str| {
                keys.iter().find_map(|k| {
                    ctx.probe
                        .registry_value(k, value)
                        .ok()
                        .flatten()
                        .map(|v| v.as_text().trim().to_owned())
                        .filter(|s| !s.is_empty())
                })
            };
            let guid = read(&cat.guid_value);
            let server = read(&cat.server_value);
            let install_path = read(&cat.path_value);
            let processes: Vec<String> = ctx
                .processes_named(&cat.processes)
                .unwrap_or_default()
                .iter()
                .map(|p| p.name.clone())
                .collect();
            let services: Vec<String> = cat
                .services
                .iter()
                .filter(|s| {
                    ctx.probe
                        .service(s)
                        .is_ok_and(|i| i.state != ServiceState::NotInstalled)
                })
                .cloned()
                .collect();
            if guid.is_none() && server.is_none() && processes.is_empty() && services.is_empty() {
                return None;
            }
            let management = match &server {
                Some(s) => {
                    let host = server_host(s).to_ascii_lowercase();
                    if cat
                        .saas_server_suffixes
                        .iter()
                        .any(|suffix| host.ends_with(&suffix.to_ascii_lowercase()))
                    {
                        Management::Saas
                    } else {
                        Management::OnPremises
                    }
                }
                None => Management::Unknown,
            };
            Some(ApexOne {
                management,
                server,
                guid,
                install_path,
                processes,
                services,
            })
        }
        Platform::Macos => {
            (ctx.probe.path_kind(&cat.macos_dir).ok() == Some(PathKind::Dir)).then(|| ApexOne {
                management: Management::Unknown,
                server: None,
                guid: None,
                install_path: Some(cat.macos_dir.clone()),
                processes: vec![],
                services: vec![],
            })
        }
        Platform::Linux => None,
    }
}

/// The host part of a `Server` value, which may be a bare name, `host:port` or a URL.
fn server_host(value: &str) -> &str {
    let v = value.trim();
    let v = v.split_once("://").map_or(v, |(_, rest)| rest);
    let v = v.split(['/', '\\']).next().unwrap_or(v);
    match v.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => v,
    }
}

fn detect_deep_security(ctx: &Ctx) -> Option<DeepSecurity> {
    let cat = &ctx.catalogue.deep_security;
    let installed = |name: &str| {
        ctx.probe
            .service(name)
            .is_ok_and(|i| i.state != ServiceState::NotInstalled)
    };
    let dir_if_present =
        |dir: String| (ctx.probe.path_kind(&dir).ok() == Some(PathKind::Dir)).then_some(dir);
    let (version, services, install_dir) = match ctx.platform() {
        Platform::Windows => (
            ctx.probe
                .registry_value(&cat.windows_registry_key, &cat.windows_version_value)
                .ok()
                .flatten()
                .map(|v| v.as_text()),
            cat.windows_services
                .iter()
                .filter(|s| installed(s))
                .cloned()
                .collect::<Vec<_>>(),
            dir_if_present(ctx.windows_path(&cat.windows_dir)),
        ),
        Platform::Linux => (
            None,
            [&cat.linux_service]
                .into_iter()
                .filter(|s| installed(s))
                .cloned()
                .collect(),
            dir_if_present(cat.linux_dir.clone()),
        ),
        Platform::Macos => (None, vec![], dir_if_present(cat.macos_dir.clone())),
    };
    if version.is_none() && services.is_empty() && install_dir.is_none() {
        return None;
    }
    Some(DeepSecurity {
        version,
        services,
        install_dir,
    })
}

pub fn findings(ctx: &Ctx, co: &Coexistence) -> Vec<Finding> {
    let platform = ctx.platform().as_str();
    let apex = match (&co.apex_one, ctx.platform()) {
        (None, Platform::Linux) => Finding::new(
            "coexist.apex_one",
            Step::Support,
            Status::Info,
            Message::new("coexist.apex_one.not_on_linux"),
        ),
        (None, _) => Finding::new(
            "coexist.apex_one",
            Step::Support,
            Status::Info,
            Message::new("coexist.apex_one.none"),
        ),
        (Some(a), _) => {
            let key = format!("coexist.apex_one.{}", a.management.as_str());
            let mut f = Finding::new(
                "coexist.apex_one",
                Step::Support,
                Status::Info,
                Message::new(key.clone()).with("server", a.server.clone().unwrap_or_default()),
            )
            .remedy(Message::new(format!("{key}.remedy")));
            if let Some(g) = &a.guid {
                f = f.evidence("agent_guid", g.clone());
            }
            if let Some(s) = &a.server {
                f = f.evidence("server", s.clone());
            }
            if let Some(p) = &a.install_path {
                f = f.evidence("install_dir", p.clone());
            }
            if !a.processes.is_empty() {
                f = f.evidence("processes", a.processes.join(", "));
            }
            if !a.services.is_empty() {
                f = f.evidence("services", a.services.join(", "));
            }
            f
        }
    };
    let ds = match &co.deep_security {
        None => Finding::new(
            "coexist.deep_security",
            Step::Support,
            Status::Info,
            Message::new("coexist.deep_security.none"),
        ),
        Some(d) => {
            let mut f = Finding::new(
                "coexist.deep_security",
                Step::Support,
                Status::Info,
                Message::new("coexist.deep_security.present")
                    .with("version", d.version.clone().unwrap_or_else(|| "?".into())),
            )
            .remedy(Message::new(format!(
                "coexist.deep_security.present.remedy.{platform}"
            )));
            if let Some(v) = &d.version {
                f = f.evidence("version", v.clone());
            }
            if !d.services.is_empty() {
                f = f.evidence("services", d.services.join(", "));
            }
            if let Some(dir) = &d.install_dir {
                f = f.evidence("install_dir", dir.clone());
            }
            f
        }
    };
    let mut out = vec![apex, ds];
    if let Some(a) = &co.apex_one {
        out.push(clone_risk(ctx, a));
    }
    out
}

/// The master-image problem: an Apex One agent next to the Vision One agent, cloned
/// without ImageSetupTool, gives every clone the same agent ID. One endpoint cannot prove
/// it; image traces on this one make it a warning.
fn clone_risk(ctx: &Ctx, apex: &ApexOne) -> Finding {
    let signs = &ctx.agent.image_traces;
    let (status, key) = if signs.is_empty() {
        (Status::Info, "identity.clone_risk.info")
    } else {
        (Status::Warn, "identity.clone_risk.signs")
    };
    let mut f = Finding::new(
        "identity.clone_risk",
        Step::Support,
        status,
        Message::new(key),
    )
    .remedy(Message::new("identity.clone_risk.remedy"));
    for s in signs {
        f = f.evidence_keyed("clone_sign", s, format!("value.clone_sign.{s}"));
    }
    if let Some(g) = &apex.guid {
        f = f.evidence("agent_guid", g.clone());
    }
    f
}

#[cfg(test)]
mod tests {
    use super::server_host;

    #[test]
    fn server_host_strips_scheme_port_and_path() {
        assert_eq!(
            server_host("abc.manage.trendmicro.com"),
            "abc.manage.trendmicro.com"
        );
        assert_eq!(
            server_host("https://abc.manage.trendmicro.com:443/officescan"),
            "abc.manage.trendmicro.com"
        );
        assert_eq!(server_host("10.0.0.5:8080"), "10.0.0.5");
        assert_eq!(server_host(" apexone01 "), "apexone01");
    }
}
