//! The console's side, optional: with a Vision One API key, ask the public endpoint-data
//! API whether this endpoint (or each of many) is in Endpoint Inventory, and whether its
//! agent ID shows up under another name (a clone). Without a key nothing here runs and
//! nothing is sent. The key is a [`Secret`]: never printed, serialised or written.
//!
//! What is sent, and only to the regional API host (or `--api-url`): the key in the
//! `Authorization` header, and in the `TMV1-Query` header the names asked about and this
//! endpoint's agent ID. Shapes and what is unconfirmed: `docs/inventory.md`.

pub mod client;
pub mod input;
pub mod secret;
pub mod verdict;

pub use client::{ApiError, Client, ClientConfig, ClientStats, EndpointRecord};
pub use secret::Secret;
pub use verdict::{EndpointVerdict, LocalSummary, RegionHint, VerdictKind, Wanted};

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

const API_DOMAINS: &str = include_str!("../../catalogue/api-domains.json");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiDomains {
    pub source: String,
    pub date: String,
    pub note: String,
    pub domains: Vec<ApiDomain>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiDomain {
    pub code: String,
    pub site: String,
    pub host: String,
}

impl ApiDomains {
    pub fn embedded() -> ApiDomains {
        // Embedded and covered by a test; a parse failure is a build defect.
        serde_json::from_str(API_DOMAINS).unwrap_or_else(|_| ApiDomains {
            source: String::new(),
            date: String::new(),
            note: String::new(),
            domains: Vec::new(),
        })
    }

    /// `https://api.xdr.trendmicro.co.jp` for `jp`.
    pub fn base_url(&self, code: &str) -> Option<String> {
        self.domains
            .iter()
            .find(|d| d.code.eq_ignore_ascii_case(code))
            .map(|d| format!("https://{}", d.host))
    }

    pub fn codes(&self) -> Vec<&str> {
        self.domains.iter().map(|d| d.code.as_str()).collect()
    }
}

/// Names per query. The API documents no limit on the `TMV1-Query` header; ten names keep
/// it short (about 400 bytes) while cutting a 1,000-name list to 100 queries.
pub const DEFAULT_BATCH: usize = 10;

/// What the console said about every endpoint asked for, or why it could not say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryReport {
    /// The API's base URL (never the key).
    pub api: String,
    pub region: RegionHint,
    pub checked: usize,
    pub listed: usize,
    pub missing: usize,
    pub verdicts: Vec<EndpointVerdict>,
    /// Set when the API could not answer; `verdicts` is then empty, since a name that got
    /// no answer is not known to be missing.
    pub error: Option<ApiError>,
    pub error_finding: Option<Finding>,
    pub stats: ClientStats,
}

/// How a run ended, for exit codes and the app's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    AllListed,
    SomeMissing,
    KeyRefused,
    Unreachable,
}

impl InventoryReport {
    pub fn outcome(&self) -> Outcome {
        match &self.error {
            Some(e) if e.is_key_problem() => Outcome::KeyRefused,
            Some(_) => Outcome::Unreachable,
            None if self.missing > 0 => Outcome::SomeMissing,
            None => Outcome::AllListed,
        }
    }

    /// One finding per endpoint, or the one error finding.
    pub fn findings(&self) -> Vec<Finding> {
        match &self.error_finding {
            Some(f) => vec![f.clone()],
            None => self.verdicts.iter().map(|v| v.finding.clone()).collect(),
        }
    }
}

/// Looks every wanted endpoint up: names in batches, then the known agent IDs, all
/// through one client (bounded, paced by 429s). `region` only shapes the error message.
pub async fn reconcile(
    client: &Arc<Client>,
    wanted: &[Wanted],
    batch: usize,
    region: RegionHint,
) -> InventoryReport {
    let batch = batch.max(1);
    let names: Vec<&str> = wanted
        .iter()
        .map(|w| w.name.as_str())
        .filter(|n| client::queryable(n))
        .collect();
    let ids: Vec<&str> = wanted
        .iter()
        .filter_map(Wanted::queryable_agent_id)
        .collect();
    let mut queries: Vec<String> = names
        .chunks(batch)
        .map(|c| client::or_query("endpointName", c))
        .collect();
    queries.extend(ids.chunks(batch).map(|c| client::or_query("agentGuid", c)));

    let results = futures_join(client, &queries).await;
    let mut records: Vec<EndpointRecord> = Vec::new();
    let mut worst: Option<ApiError> = None;
    for r in results {
        match r {
            Ok(list) => records.extend(list),
            Err(e) => {
                if worst.as_ref().is_none_or(|w| e.rank() > w.rank()) {
                    worst = Some(e);
                }
            }
        }
    }
    let mut report = InventoryReport {
        api: client.base_url().to_owned(),
        region: region.clone(),
        checked: wanted.len(),
        listed: 0,
        missing: 0,
        verdicts: Vec::new(),
        error: None,
        error_finding: None,
        stats: client.stats(),
    };
    if let Some(e) = worst {
        let network = match &e {
            ApiError::Network { .. } => diagnose_network(client).await,
            _ => None,
        };
        report.error_finding = Some(verdict::error_finding(
            &e,
            client.base_url(),
            &region,
            network
                .as_ref()
                .map(|(s, n, d)| (s.as_str(), *n, d.as_str())),
        ));
        report.error = Some(e);
        report.stats = client.stats();
        return report;
    }
    // Index by name and by ID so 1,000 endpoints do not scan every record each.
    let mut by_short: HashMap<String, Vec<&EndpointRecord>> = HashMap::new();
    let mut by_id: HashMap<String, Vec<&EndpointRecord>> = HashMap::new();
    for r in &records {
        by_short
            .entry(short_key(&r.endpoint_name))
            .or_default()
            .push(r);
        by_id
            .entry(r.agent_guid.to_ascii_lowercase())
            .or_default()
            .push(r);
    }
    for w in wanted {
        let mut mine: Vec<EndpointRecord> = by_short
            .get(&short_key(&w.name))
            .map(|v| v.iter().map(|r| (*r).clone()).collect())
            .unwrap_or_default();
        if let Some(id) = w.queryable_agent_id() {
            for r in by_id.get(&id.to_ascii_lowercase()).into_iter().flatten() {
                if !mine.contains(r) {
                    mine.push((*r).clone());
                }
            }
        }
        let v = verdict::judge(w, &mine);
        if v.verdict.is_missing() {
            report.missing += 1;
        } else if matches!(
            v.verdict,
            VerdictKind::Listed | VerdictKind::ListedOtherId | VerdictKind::Several
        ) {
            report.listed += 1;
        }
        report.verdicts.push(v);
    }
    report.stats = client.stats();
    report
}

fn short_key(name: &str) -> String {
    let n = name.trim();
    if n.parse::<std::net::IpAddr>().is_ok() {
        return n.to_owned();
    }
    n.split('.').next().unwrap_or(n).to_ascii_lowercase()
}

async fn futures_join(
    client: &Arc<Client>,
    queries: &[String],
) -> Vec<Result<Vec<EndpointRecord>, ApiError>> {
    // Every query is started at once; the client's semaphore bounds what is in flight.
    let mut set = tokio::task::JoinSet::new();
    for (i, q) in queries.iter().cloned().enumerate() {
        let client = Arc::clone(client);
        set.spawn(async move { (i, client.query(&q).await) });
    }
    let mut out: Vec<Option<Result<Vec<EndpointRecord>, ApiError>>> =
        (0..queries.len()).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((i, r)) => out[i] = Some(r),
            Err(e) => {
                return vec![Err(ApiError::Setup {
                    detail: e.to_string(),
                })]
            }
        }
    }
    out.into_iter().flatten().collect()
}

/// After a transport failure, step 2's probe of the API host says which stage broke.
async fn diagnose_network(client: &Client) -> Option<(String, crate::network::NetError, String)> {
    let url = reqwest::Url::parse(client.base_url()).ok()?;
    let host = url.host_str()?.trim_matches(['[', ']']).to_owned();
    let port = url.port_or_known_default()?;
    let target = crate::catalogue::HostEntry {
        host,
        port,
        purpose: "inventory_api".to_owned(),
        optional: false,
    };
    let config = crate::network::NetConfig {
        timeout: client.config_timeout(),
        concurrency: 1,
        proxy: client.proxy().cloned(),
        ..crate::network::NetConfig::default()
    };
    let result = crate::network::probe_hosts(&[target], &config).await;
    let r = result.first()?;
    let (stage, error, detail) = r.failure()?;
    Some((
        stage.as_str().to_ascii_uppercase(),
        error,
        detail.to_owned(),
    ))
}

/// Where to ask: `--api-url` wins, else the region's API host.
pub fn api_base(api_url: Option<&str>, region: Option<&str>) -> Option<String> {
    match api_url {
        Some(u) => Some(u.trim().trim_end_matches('/').to_owned()),
        None => region.and_then(|r| ApiDomains::embedded().base_url(r)),
    }
}

/// [`reconcile`] for callers without an async runtime (the CLI).
pub fn reconcile_blocking(
    config: ClientConfig,
    key: Secret,
    wanted: &[Wanted],
    batch: usize,
    region: RegionHint,
) -> std::io::Result<InventoryReport> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let api = config.base_url.clone();
    Ok(rt.block_on(async move {
        match Client::new(config, key) {
            Ok(client) => reconcile(&Arc::new(client), wanted, batch, region).await,
            Err(e) => setup_failure(&api, e, region),
        }
    }))
}

/// The report for a client that could not even be built (a malformed `--api-url`).
pub fn setup_failure(api: &str, e: ApiError, region: RegionHint) -> InventoryReport {
    InventoryReport {
        api: api.to_owned(),
        error_finding: Some(verdict::error_finding(&e, api, &region, None)),
        region,
        checked: 0,
        listed: 0,
        missing: 0,
        verdicts: Vec::new(),
        error: Some(e),
        stats: ClientStats::default(),
    }
}

/// Step 2's proxy choice, except for an API on this computer itself (a test server).
pub fn proxy_for(
    base_url: &str,
    flag: Option<&str>,
    settings: &crate::probe::ProxySettings,
) -> Option<crate::network::proxy::ProxyChoice> {
    let loopback = reqwest::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .is_some_and(|h| {
            h == "localhost"
                || h.trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        });
    if loopback && flag.is_none() {
        return None;
    }
    crate::network::proxy::choose(flag, settings)
}

/// One endpoint's answer in one language, for JSON output and the app.
#[derive(Debug, Clone, Serialize)]
pub struct RenderedVerdict {
    pub name: String,
    pub agent_id: Option<String>,
    pub verdict: VerdictKind,
    pub console_entries: Vec<EndpointRecord>,
    pub same_id_elsewhere: Vec<EndpointRecord>,
    pub source: Option<String>,
    pub local: Option<LocalSummary>,
    pub finding: crate::present::report::RenderedFinding,
}

/// A whole run in one language. Holds no key: the report never had it.
#[derive(Debug, Clone, Serialize)]
pub struct RenderedInventory {
    pub tool_version: &'static str,
    pub lang: crate::Lang,
    pub generated_at: String,
    pub api: String,
    pub outcome: Outcome,
    pub summary_text: String,
    pub checked: usize,
    pub listed: usize,
    pub missing: usize,
    pub endpoints: Vec<RenderedVerdict>,
    pub error: Option<crate::present::report::RenderedFinding>,
    pub stats: ClientStats,
    /// Files under `--collected` that were not collect files, with the reason.
    pub skipped: Vec<input::NotRead>,
}

pub fn render(
    report: &InventoryReport,
    lang: crate::Lang,
    skipped: Vec<input::NotRead>,
) -> RenderedInventory {
    let locale = crate::Locale::get(lang);
    let mut counts = std::collections::BTreeMap::new();
    counts.insert("checked".to_owned(), report.checked.to_string());
    counts.insert("listed".to_owned(), report.listed.to_string());
    counts.insert("missing".to_owned(), report.missing.to_string());
    RenderedInventory {
        tool_version: crate::VERSION,
        lang,
        generated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        api: report.api.clone(),
        outcome: report.outcome(),
        summary_text: locale.render("inventory.cli.summary", &counts),
        checked: report.checked,
        listed: report.listed,
        missing: report.missing,
        endpoints: report
            .verdicts
            .iter()
            .map(|v| RenderedVerdict {
                name: v.name.clone(),
                agent_id: v.agent_id.clone(),
                verdict: v.verdict,
                console_entries: v.by_name.clone(),
                same_id_elsewhere: v.same_id_elsewhere.clone(),
                source: v.source.clone(),
                local: v.local.clone(),
                finding: crate::present::report::render_finding(&v.finding, locale),
            })
            .collect(),
        error: report
            .error_finding
            .as_ref()
            .map(|f| crate::present::report::render_finding(f, locale)),
        stats: report.stats.clone(),
        skipped,
    }
}

/// Flat rows for `--csv`: one per endpoint (or one error row).
pub fn to_csv(report: &InventoryReport) -> String {
    let esc = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let mut out = String::from(
        "name,verdict,agent_id,console_agent_guid,console_updated,entries,same_id_under,local_verdict,local_problems,source\r\n",
    );
    if let Some(e) = &report.error {
        let kind = serde_json::to_value(e)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
            .unwrap_or_default();
        out.push_str(&format!(",error:{},,,,,,,,\r\n", esc(&kind)));
        return out;
    }
    for v in &report.verdicts {
        let first = v.by_name.first();
        let row = [
            v.name.clone(),
            v.verdict.as_str().to_owned(),
            v.agent_id.clone().unwrap_or_default(),
            first.map(|r| r.agent_guid.clone()).unwrap_or_default(),
            first.and_then(|r| r.updated.clone()).unwrap_or_default(),
            v.by_name.len().to_string(),
            v.same_id_elsewhere
                .iter()
                .map(|r| r.endpoint_name.clone())
                .collect::<Vec<_>>()
                .join(" "),
            v.local
                .as_ref()
                .and_then(|l| l.verdict.clone())
                .unwrap_or_default(),
            v.local
                .as_ref()
                .map(|l| l.problems.join(" "))
                .unwrap_or_default(),
            v.source.clone().unwrap_or_default(),
        ];
        out.push_str(&row.iter().map(|c| esc(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_regional_domains_load_and_cover_every_endpoint_region() {
        let d = ApiDomains::embedded();
        assert_eq!(d.domains.len(), 9);
        assert_eq!(
            d.base_url("jp").as_deref(),
            Some("https://api.xdr.trendmicro.co.jp")
        );
        // Canada and South Africa are Vision One sites whose API host the regional-domains
        // page does not list (see the file's note): they must ask for the API address
        // instead of guessing one. Every other endpoint region has its host.
        let unpublished: Vec<String> = crate::Catalogue::embedded()
            .network
            .regions
            .into_iter()
            .filter(|r| d.base_url(&r.code).is_none())
            .map(|r| r.code)
            .collect();
        assert_eq!(unpublished, ["ca", "za"]);
    }

    #[test]
    fn api_url_beats_region() {
        assert_eq!(
            api_base(Some("http://127.0.0.1:9/"), Some("jp")).as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(
            api_base(None, Some("eu")).as_deref(),
            Some("https://api.eu.xdr.trendmicro.com")
        );
        assert_eq!(api_base(None, None), None);
    }
}
