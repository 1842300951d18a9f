//! The review screen's optional console check: with the API key the user typed (held in
//! memory only, as a [`Secret`] from the moment it arrives), ask Vision One's API whether
//! this endpoint is in Endpoint Inventory. Thin: the lookup and the verdict are
//! `doctor_core::inventory`'s; the endpoint's name and agent ID are the last checks'.

use crate::error::{ErrorCode, Result};
use crate::session::{lock, Session};
use doctor_core::finding::Finding;
use doctor_core::inventory::{self, Outcome, RegionHint, Secret, Wanted};
use serde::Serialize;
use std::sync::Arc;

/// Test hook: ask this address instead of the region's API (the end-to-end test's fake).
/// Never shown in the UI.
const API_URL_ENV: &str = "BASECAMP_DOCTOR_API_URL";

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsoleCheck {
    pub outcome: Outcome,
    /// `listed`, `not_listed`, `clone`, ... (`None` when the API could not answer).
    pub verdict: Option<inventory::VerdictKind>,
    /// The verdict's finding, or the error's; rendered by the UI like any other.
    pub finding: Option<Finding>,
}

/// The regions whose API the user can choose (more than step 2 knows: UK, US Government).
#[tauri::command]
pub fn list_api_regions() -> Vec<String> {
    inventory::ApiDomains::embedded()
        .codes()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// `region`: the console's region, or null for the agent's own.
#[tauri::command]
pub async fn check_inventory(
    session: tauri::State<'_, Session>,
    key: String,
    region: Option<String>,
) -> Result<ConsoleCheck> {
    let key = Secret::new(&key).ok_or_else(|| ErrorCode::ConsoleKey.with(""))?;
    let (identity, agent_region) = lock(&session.diagnosis)
        .as_ref()
        .map(|d| {
            let region = d.agent_region.as_ref().map(|r| r.code().to_owned());
            (d.identity.clone(), region)
        })
        .ok_or_else(|| ErrorCode::NoChecks.with(""))?;
    let api_url = std::env::var(API_URL_ENV)
        .ok()
        .filter(|u| !u.trim().is_empty());
    let asked = region.or_else(|| agent_region.clone());
    let base = inventory::api_base(api_url.as_deref(), asked.as_deref())
        .ok_or_else(|| ErrorCode::RegionUnknown.with(""))?;
    let settings = doctor_core::probe::live().proxy().unwrap_or_default();
    let config = inventory::ClientConfig {
        proxy: inventory::proxy_for(&base, None, &settings),
        ..inventory::ClientConfig::new(&base)
    };
    let hint = RegionHint {
        asked: if api_url.is_some() { None } else { asked },
        agent: agent_region,
    };
    let wanted = [Wanted {
        agent_id: identity.xdr_device_id.clone(),
        ..Wanted::named(&identity.hostname)
    }];
    let report = match inventory::Client::new(config, key) {
        Ok(client) => {
            inventory::reconcile(&Arc::new(client), &wanted, inventory::DEFAULT_BATCH, hint).await
        }
        Err(e) => inventory::setup_failure(&base, e, hint),
    };
    Ok(ConsoleCheck {
        outcome: report.outcome(),
        verdict: report.verdicts.first().map(|v| v.verdict),
        finding: report.findings().into_iter().next(),
    })
}
