//! What the agent says about itself beyond "registered": its Business ID (`business_id`)
//! and environment (`vom_env`, e.g. `prod-us1`) under `TMSecurityService`, and on Windows
//! the Task Scheduler task "Trend Micro Endpoint Basecamp" that starts it (KB 000262137).
//! The values are read with the agent's layout (`layout::AgentFacts`) and carried beside the findings, for the region
//! (step 2) and the Business ID question (step 4); they are never scraped back out of
//! evidence. It does not judge registration itself (that is [`super::agent`]).

use super::{skipped_probe_error, Ctx};
use crate::finding::{Finding, Message, Status, Step};
use crate::layout::AgentFacts;
use crate::probe::{Platform, ProbeError, TaskState};

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

    fn unknown() -> AgentFacts {
        AgentFacts {
            install_dir: String::new(),
            log_dir: String::new(),
            registration: crate::layout::Registration::NotReadable,
            image_traces: Vec::new(),
            business_id: None,
            environment: None,
            read_from: None,
        }
    }

    fn facts(id: &str) -> AgentFacts {
        AgentFacts {
            business_id: Some(id.into()),
            environment: Some("prod-us1".into()),
            read_from: Some(r"HKLM\SOFTWARE\WOW6432Node\TrendMicro\TMSecurityService".into()),
            ..unknown()
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
        assert!(business_id_mismatch(&unknown(), "abc").is_none());
        assert!(business_id_mismatch(&facts("abc"), "").is_none());
    }
}
