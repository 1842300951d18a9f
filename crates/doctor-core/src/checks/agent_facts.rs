//! What the agent says about itself beyond "registered": its Business ID (`business_id`)
//! and environment (`vom_env`, e.g. `prod-us1`) under `TMSecurityService`, and on Windows
//! the Task Scheduler task "Trend Micro Endpoint Basecamp" that starts it (KB 000262137).
//! The values are carried as typed [`AgentFacts`] beside the findings, for the region
//! (step 2) and the Business ID question (step 4); they are never scraped back out of
//! evidence. It does not judge registration itself (that is [`super::agent`]).

use super::{skipped_probe_error, Ctx};
use crate::catalogue::Catalogue;
use crate::finding::{Finding, Message, Status, Step};
use crate::network::region::{self, RegionChoice};
use crate::probe::{OsFacts, Platform, Probe, ProbeError, TaskState};
use serde::{Deserialize, Serialize};

/// The agent's own registration values, where this OS has them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentFacts {
    /// The Business ID of the company whose package installed the agent.
    #[serde(default)]
    pub business_id: Option<String>,
    /// The agent's environment, e.g. `prod-us1`: names the region directly.
    #[serde(default)]
    pub environment: Option<String>,
    /// The registry key the values were read from.
    #[serde(default)]
    pub read_from: Option<String>,
}

/// Reads `business_id` and `vom_env` from the identity key for this OS's bitness, then the
/// other view (as `xdr_device_id` is read). Values that cannot be read stay `None`.
pub fn read(ctx: &Ctx) -> AgentFacts {
    read_from(ctx.probe, ctx.catalogue, &ctx.os)
}

/// [`read`] without a check context, for step 2.
pub fn read_from(probe: &dyn Probe, catalogue: &Catalogue, os: &OsFacts) -> AgentFacts {
    if os.platform != Platform::Windows {
        return AgentFacts::default();
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
            return AgentFacts {
                business_id,
                environment,
                read_from: Some(key.clone()),
            };
        }
    }
    AgentFacts::default()
}

/// The region the agent's `vom_env` names: the strongest region evidence there is.
pub fn environment_region(
    probe: &dyn Probe,
    catalogue: &Catalogue,
    os: &OsFacts,
) -> Option<RegionChoice> {
    let facts = read_from(probe, catalogue, os);
    let env = facts.environment?;
    let place = format!(
        "{}\\{}",
        facts.read_from.unwrap_or_default(),
        catalogue.agent.windows.environment_value
    );
    region::from_agent_environment(catalogue, &env, &place)
}

/// Step 1 on Windows: the scheduled task exists and is enabled. `None` where the probe
/// cannot know tasks (other OSes, scenarios that did not record them).
pub fn scheduled_task(ctx: &Ctx) -> Option<Finding> {
    const ID: &str = "agent.basecamp.task";
    if ctx.platform() != Platform::Windows {
        return None;
    }
    let name = &ctx.catalogue.agent.windows.scheduled_task;
    let task = match ctx.probe.scheduled_task(name) {
        Err(ProbeError::Unsupported { .. }) => return None,
        Err(e) => return Some(skipped_probe_error(ID, Step::Process, &e)),
        Ok(t) => t,
    };
    let (status, key) = match task.state {
        TaskState::Enabled => (Status::Pass, "agent.basecamp.task.enabled"),
        TaskState::Disabled => (Status::Fail, "agent.basecamp.task.disabled"),
        TaskState::Missing => (Status::Warn, "agent.basecamp.task.missing"),
    };
    let mut f = Finding::new(
        ID,
        Step::Process,
        status,
        Message::new(key).with("task", name),
    )
    .evidence("task_name", name.clone())
    .evidence_keyed(
        "task_state",
        task.state.as_str(),
        format!("value.task_state.{}", task.state.as_str()),
    )
    .evidence("found_at", task.read_from);
    if status != Status::Pass {
        f = f.remedy(Message::new(format!("{key}.remedy")).with("task", name));
    }
    Some(f)
}

/// Step 4: the Business ID typed by the user against the agent's. `None` when either is
/// unknown or they agree (case and surrounding spaces do not count).
pub fn business_id_mismatch(agent: &AgentFacts, typed: &str) -> Option<Finding> {
    let theirs = agent.business_id.as_deref()?.trim();
    let typed = typed.trim();
    if typed.is_empty() || theirs.eq_ignore_ascii_case(typed) {
        return None;
    }
    let mut f = Finding::new(
        "agent.business_id",
        Step::Support,
        Status::Warn,
        Message::new("agent.business_id.mismatch")
            .with("typed", typed)
            .with("agent", theirs),
    )
    .evidence("business_id_typed", typed)
    .evidence("business_id_agent", theirs)
    .remedy(Message::new("agent.business_id.mismatch.remedy"));
    if let Some(place) = &agent.read_from {
        f = f.evidence("found_at", place.clone());
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(id: &str) -> AgentFacts {
        AgentFacts {
            business_id: Some(id.into()),
            environment: Some("prod-us1".into()),
            read_from: Some(r"HKLM\SOFTWARE\WOW6432Node\TrendMicro\TMSecurityService".into()),
        }
    }

    #[test]
    fn a_business_id_from_another_company_is_a_warning_with_what_to_do() {
        let f = business_id_mismatch(&facts("8f1c0d2e-aaaa"), "1234-bbbb").unwrap();
        assert_eq!(f.status, Status::Warn);
        assert_eq!(f.message.key, "agent.business_id.mismatch");
        assert_eq!(f.message.params["agent"], "8f1c0d2e-aaaa");
        assert_eq!(f.remedy.unwrap().key, "agent.business_id.mismatch.remedy");
    }

    #[test]
    fn the_same_business_id_or_an_unknown_one_says_nothing() {
        assert!(business_id_mismatch(&facts("ABC-1"), " abc-1 ").is_none());
        assert!(business_id_mismatch(&AgentFacts::default(), "abc").is_none());
        assert!(business_id_mismatch(&facts("abc"), "").is_none());
    }
}
