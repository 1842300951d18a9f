//! Judges what the API returned for one endpoint: listed, not listed, listed under another
//! name with this endpoint's agent ID (a clone), or several entries for this name, and
//! turns the verdict and the API's failures into findings with remedies. No I/O here.

use super::client::{ApiError, EndpointRecord};
use crate::finding::{Finding, Message, Status, Step};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// One entry under this name.
    Listed,
    /// One entry under this name, but with another agent GUID than this endpoint's.
    ListedOtherId,
    /// Nothing under this name, nor under this endpoint's agent ID.
    NotListed,
    /// This endpoint's agent ID is listed under another name: two machines share one ID.
    Clone,
    /// More than one entry carries this name.
    Several,
    /// The name cannot be put into a query (it holds a quote or a control character).
    Unqueryable,
}

impl VerdictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Listed => "listed",
            VerdictKind::ListedOtherId => "listed_other_id",
            VerdictKind::NotListed => "not_listed",
            VerdictKind::Clone => "clone",
            VerdictKind::Several => "several",
            VerdictKind::Unqueryable => "unqueryable",
        }
    }

    /// Missing from Endpoint Inventory as far as this machine is concerned: nothing under
    /// its name, or its ID shown for another machine.
    pub fn is_missing(self) -> bool {
        matches!(self, VerdictKind::NotListed | VerdictKind::Clone)
    }

    pub fn status(self) -> Status {
        match self {
            VerdictKind::Listed => Status::Pass,
            VerdictKind::ListedOtherId | VerdictKind::Several => Status::Warn,
            VerdictKind::NotListed | VerdictKind::Clone => Status::Fail,
            VerdictKind::Unqueryable => Status::Skipped,
        }
    }
}

/// An endpoint to look for: its name and, when known, its agent ID (`xdr_device_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wanted {
    pub name: String,
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Where the name came from (a collect file's path), for the report.
    #[serde(default)]
    pub source: Option<String>,
    /// The endpoint's own diagnosis from its collect file, when there is one.
    #[serde(default)]
    pub local: Option<LocalSummary>,
}

impl Wanted {
    pub fn named(name: &str) -> Wanted {
        Wanted {
            name: name.trim().to_owned(),
            agent_id: None,
            source: None,
            local: None,
        }
    }

    /// The agent ID if it can be looked up: the Linux identity is only a fingerprint of the
    /// agent's file (`sha256:…`), not the ID itself.
    pub fn queryable_agent_id(&self) -> Option<&str> {
        self.agent_id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty() && !id.starts_with("sha256:"))
            .filter(|id| super::client::queryable(id))
    }
}

/// The local diagnosis read from a collect file, shown next to the console's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalSummary {
    /// `pass`, `warn` or `fail`.
    #[serde(default)]
    pub verdict: Option<String>,
    /// Ids of the findings that failed or warned, first few.
    #[serde(default)]
    pub problems: Vec<String>,
}

/// The console's answer for one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointVerdict {
    pub name: String,
    #[serde(default)]
    pub agent_id: Option<String>,
    pub verdict: VerdictKind,
    /// Entries carrying this name.
    pub by_name: Vec<EndpointRecord>,
    /// Entries carrying this endpoint's agent ID under another name.
    pub same_id_elsewhere: Vec<EndpointRecord>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub local: Option<LocalSummary>,
    pub finding: Finding,
}

/// Host names compare without case, and `pc-01.corp.local` matches `PC-01` (the console
/// may show either form).
pub fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    let short = |s: &str| s.split('.').next().unwrap_or(s).to_owned();
    // Only shorten names that are host names, not IP addresses.
    let is_ip = |s: &str| s.parse::<std::net::IpAddr>().is_ok();
    !is_ip(a) && !is_ip(b) && short(a).eq_ignore_ascii_case(&short(b))
}

pub fn judge(wanted: &Wanted, records: &[EndpointRecord]) -> EndpointVerdict {
    let mut by_name: Vec<EndpointRecord> = Vec::new();
    let mut same_id_elsewhere: Vec<EndpointRecord> = Vec::new();
    let id = wanted.queryable_agent_id();
    for r in records {
        let named = same_name(&r.endpoint_name, &wanted.name);
        let same_id = id.is_some_and(|id| r.agent_guid.eq_ignore_ascii_case(id));
        let list = if named {
            &mut by_name
        } else if same_id {
            &mut same_id_elsewhere
        } else {
            continue;
        };
        if !list.contains(r) {
            list.push(r.clone());
        }
    }
    let kind = if !super::client::queryable(&wanted.name) {
        VerdictKind::Unqueryable
    } else if !same_id_elsewhere.is_empty() {
        VerdictKind::Clone
    } else if by_name.len() > 1 {
        VerdictKind::Several
    } else if let Some(entry) = by_name.first() {
        match id {
            Some(id) if !entry.agent_guid.eq_ignore_ascii_case(id) => VerdictKind::ListedOtherId,
            _ => VerdictKind::Listed,
        }
    } else {
        VerdictKind::NotListed
    };
    let finding = finding_for(wanted, kind, &by_name, &same_id_elsewhere);
    EndpointVerdict {
        name: wanted.name.clone(),
        agent_id: wanted.agent_id.clone(),
        verdict: kind,
        by_name,
        same_id_elsewhere,
        source: wanted.source.clone(),
        local: wanted.local.clone(),
        finding,
    }
}

fn entry_text(r: &EndpointRecord) -> String {
    let mut t = format!("{} · {}", r.endpoint_name, r.agent_guid);
    if let Some(u) = &r.updated {
        t.push_str(&format!(" · {u}"));
    }
    if !r.ips.is_empty() {
        t.push_str(&format!(" · {}", r.ips.join(", ")));
    }
    t
}

fn finding_for(
    wanted: &Wanted,
    kind: VerdictKind,
    by_name: &[EndpointRecord],
    elsewhere: &[EndpointRecord],
) -> Finding {
    let key = format!("inventory.{}", kind.as_str());
    let mut message = Message::new(&key).with("name", wanted.name.clone());
    if let Some(first) = by_name.first() {
        message = message.with("guid", first.agent_guid.clone()).with(
            "updated",
            first.updated.clone().unwrap_or_else(|| "-".into()),
        );
    }
    message = message.with("count", by_name.len().to_string());
    if let Some(other) = elsewhere.first() {
        message = message.with("other", other.endpoint_name.clone());
    }
    let mut f = Finding::new(&key, Step::Console, kind.status(), message)
        .evidence("inventory_name", wanted.name.clone());
    if let Some(id) = &wanted.agent_id {
        f = f.evidence("inventory_agent_id", id.clone());
    }
    for r in by_name {
        f = f.evidence("inventory_entry", entry_text(r));
    }
    for r in elsewhere {
        f = f.evidence("inventory_entry_same_id", entry_text(r));
    }
    if kind != VerdictKind::Listed {
        f = f.remedy(Message::new(format!("{key}.remedy")));
    }
    f
}

/// Which region the API said no in, and which the agent's own files point to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionHint {
    /// The region whose API was asked (`None` with `--api-url`).
    pub asked: Option<String>,
    /// The region found in the agent's files, when known.
    pub agent: Option<String>,
}

/// The finding for a query that got no usable answer. `network` is step 2's probe of the
/// API host (stage and error), run after a transport failure.
pub fn error_finding(
    error: &ApiError,
    api: &str,
    region: &RegionHint,
    network: Option<(&str, crate::network::NetError, &str)>,
) -> Finding {
    let (name, status) = match error {
        ApiError::KeyRefused { .. } => match (&region.asked, &region.agent) {
            (Some(a), Some(b)) if a != b => ("region", Status::Fail),
            _ => ("key_refused", Status::Fail),
        },
        ApiError::Forbidden { .. } => ("forbidden", Status::Fail),
        ApiError::Network {
            timed_out: true, ..
        } if network.is_none() => ("timeout", Status::Fail),
        ApiError::Network { .. } => ("network", Status::Fail),
        ApiError::RateLimited { .. } => ("rate_limited", Status::Fail),
        ApiError::Http { .. } => ("http", Status::Fail),
        ApiError::Malformed { .. } => ("malformed", Status::Fail),
        ApiError::ForeignLink { .. } => ("foreign_link", Status::Fail),
        ApiError::Setup { .. } => ("setup", Status::Fail),
        ApiError::Cancelled => ("key_refused", Status::Fail),
    };
    let key = format!("inventory.error.{name}");
    let mut message = Message::new(&key).with("api", api.to_owned());
    if let Some(a) = &region.asked {
        message = message.with("asked", crate::i18n::key_param(&format!("region.{a}")));
    }
    if let Some(b) = &region.agent {
        message = message.with("agent", crate::i18n::key_param(&format!("region.{b}")));
    }
    let detail = match error {
        ApiError::KeyRefused { detail }
        | ApiError::Forbidden { detail }
        | ApiError::Http { detail, .. }
        | ApiError::Malformed { detail }
        | ApiError::Setup { detail }
        | ApiError::Network { detail, .. } => detail.clone(),
        ApiError::RateLimited { attempts } => format!("HTTP 429 × {attempts}"),
        ApiError::ForeignLink { origin } => origin.clone(),
        ApiError::Cancelled => String::new(),
    };
    let mut f = Finding::new(&key, Step::Console, status, message).evidence("inventory_api", api);
    if !detail.is_empty() {
        f = f.evidence("inventory_error", detail);
    }
    // After a transport failure, step 2's words for what broke and what to do.
    let remedy = match network {
        Some((stage, net_error, net_detail)) => {
            f = f.evidence("inventory_stage", format!("{stage}: {net_detail}"));
            format!("network.remedy.{}", net_error.as_str())
        }
        None => format!("{key}.remedy"),
    };
    // Step 2's remedies name the host and port.
    let mut remedy = Message::new(remedy);
    if let Ok(url) = reqwest::Url::parse(api) {
        if let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) {
            remedy = remedy
                .with("host", host.to_owned())
                .with("port", port.to_string());
        }
    }
    if let Some((stage, _, _)) = network {
        remedy = remedy.with("stage", stage.to_owned());
    }
    f.remedy(remedy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(name: &str, guid: &str) -> EndpointRecord {
        EndpointRecord {
            agent_guid: guid.into(),
            endpoint_name: name.into(),
            updated: Some("2026-11-20T00:00:00Z".into()),
            ips: vec![],
            macs: vec![],
            os_name: None,
            product_code: None,
            installed_product_codes: vec![],
        }
    }

    fn wanted(name: &str, id: Option<&str>) -> Wanted {
        Wanted {
            agent_id: id.map(str::to_owned),
            ..Wanted::named(name)
        }
    }

    #[test]
    fn the_four_verdicts() {
        let w = wanted("PC-01", Some("AAA"));
        assert_eq!(
            judge(&w, &[rec("pc-01", "aaa")]).verdict,
            VerdictKind::Listed
        );
        assert_eq!(judge(&w, &[]).verdict, VerdictKind::NotListed);
        assert_eq!(
            judge(&w, &[rec("PC-77", "AAA")]).verdict,
            VerdictKind::Clone
        );
        assert_eq!(
            judge(&w, &[rec("PC-01", "AAA"), rec("PC-01", "BBB")]).verdict,
            VerdictKind::Several
        );
        assert_eq!(
            judge(&w, &[rec("PC-01", "BBB")]).verdict,
            VerdictKind::ListedOtherId
        );
    }

    #[test]
    fn a_linux_fingerprint_is_not_an_agent_id() {
        let w = wanted("srv", Some("sha256:0011"));
        assert_eq!(w.queryable_agent_id(), None);
        assert_eq!(judge(&w, &[rec("srv", "x")]).verdict, VerdictKind::Listed);
    }

    #[test]
    fn short_and_long_names_match_but_addresses_do_not_shorten() {
        assert!(same_name("pc-01.corp.local", "PC-01"));
        assert!(!same_name("10.0.0.1", "10.0.0.2"));
        assert!(!same_name("PC-01", "PC-010"));
    }

    #[test]
    fn every_finding_but_listed_has_a_remedy() {
        let w = wanted("PC-01", Some("AAA"));
        assert!(judge(&w, &[rec("PC-01", "AAA")]).finding.remedy.is_none());
        for records in [vec![], vec![rec("PC-02", "AAA")]] {
            assert!(judge(&w, &records).finding.remedy.is_some());
        }
    }

    #[test]
    fn a_refused_key_in_another_region_than_the_agent_says_so() {
        let e = ApiError::KeyRefused {
            detail: "HTTP 401".into(),
        };
        let hint = RegionHint {
            asked: Some("us".into()),
            agent: Some("jp".into()),
        };
        assert_eq!(
            error_finding(&e, "https://api", &hint, None).id,
            "inventory.error.region"
        );
        assert_eq!(
            error_finding(&e, "https://api", &RegionHint::default(), None).id,
            "inventory.error.key_refused"
        );
    }

    #[test]
    fn every_key_this_module_builds_is_in_both_locales() {
        use crate::{Lang, Locale};
        let mut keys = vec![
            "step.console.title".to_owned(),
            judge(&wanted("PC'1", None), &[]).finding.message.key,
        ];
        for kind in [
            VerdictKind::Listed,
            VerdictKind::ListedOtherId,
            VerdictKind::NotListed,
            VerdictKind::Clone,
            VerdictKind::Several,
            VerdictKind::Unqueryable,
        ] {
            keys.push(format!("inventory.{}", kind.as_str()));
            if kind != VerdictKind::Listed {
                keys.push(format!("inventory.{}.remedy", kind.as_str()));
            }
        }
        let errors = [
            ApiError::KeyRefused {
                detail: String::new(),
            },
            ApiError::Forbidden {
                detail: String::new(),
            },
            ApiError::RateLimited { attempts: 1 },
            ApiError::Network {
                detail: String::new(),
                timed_out: true,
            },
            ApiError::Network {
                detail: String::new(),
                timed_out: false,
            },
            ApiError::Http {
                status: 500,
                detail: String::new(),
            },
            ApiError::Malformed {
                detail: String::new(),
            },
            ApiError::ForeignLink {
                origin: String::new(),
            },
            ApiError::Setup {
                detail: String::new(),
            },
        ];
        let hint = RegionHint {
            asked: Some("uk".into()),
            agent: Some("usgov".into()),
        };
        for e in &errors {
            for h in [&hint, &RegionHint::default()] {
                let f = error_finding(e, "https://api", h, None);
                keys.push(f.message.key.clone());
                keys.extend(f.remedy.map(|r| r.key));
                keys.extend(f.evidence.iter().map(|e| e.key.clone()));
                keys.extend(
                    f.message
                        .params
                        .values()
                        .filter_map(|v| v.strip_prefix(crate::i18n::KEY_PARAM).map(str::to_owned)),
                );
            }
        }
        for label in [
            "inventory_name",
            "inventory_agent_id",
            "inventory_entry",
            "inventory_entry_same_id",
            "inventory_stage",
        ] {
            keys.push(format!("evidence.{label}"));
        }
        for lang in Lang::ALL {
            let l = Locale::get(lang);
            for k in &keys {
                assert!(l.has(k), "{k} missing in {lang:?}");
            }
        }
    }
}
