//! Runs step 2: decides the region, the targets and the proxy, then tests every host (or,
//! for a replayed scenario, takes its recorded results). What it finds are facts; judging
//! them is `checks::reach`'s job.

use crate::catalogue::Catalogue;
use crate::netfacts::{NetworkReport, RegionChoice};

/// What the user asked for step 2.
#[derive(Debug, Clone, Default)]
pub struct NetworkOptions {
    /// A catalogue region code (`jp`, `uk`, …); `None` detects it from the agent's files.
    pub region: Option<String>,
    /// Further targets (`--host NAME:PORT`), e.g. a Service Gateway.
    pub extra_hosts: Vec<crate::catalogue::HostEntry>,
    /// A proxy to test through instead of the one the system is set to use.
    pub proxy: Option<String>,
    /// A Service Gateway with its cloud-service extension (`HOST[:PORT]`, port 8080 by
    /// default): everything is tested through it except the region's `xlogr-<code>` log
    /// receiver, which endpoints then still reach directly.
    pub service_gateway: Option<String>,
    pub config: crate::network::NetConfig,
}

/// Decides the region, the targets and the proxy, then probes (or, for a replayed
/// scenario, takes its recorded results).
pub async fn run(
    probe: &dyn crate::probe::Probe,
    catalogue: &Catalogue,
    os: &crate::probe::OsFacts,
    options: &NetworkOptions,
) -> NetworkReport {
    use crate::network::region;
    let region = match &options.region {
        Some(code) => Some(RegionChoice::Chosen { code: code.clone() }),
        None => region::of_agent(probe, catalogue, os),
    };
    let settings = probe.proxy().unwrap_or_default();
    let mut proxy = crate::network::proxy::choose(options.proxy.as_deref(), &settings);
    if let Some(gateway) = &options.service_gateway {
        proxy = crate::network::proxy::service_gateway(gateway, catalogue, region.as_ref());
    }
    let pac_url = settings
        .wininet
        .as_ref()
        .and_then(|w| w.autoconfig_url.as_deref())
        .map(crate::probe::mask_credentials);
    let mut report = NetworkReport {
        region: region.clone(),
        proxy: proxy.clone(),
        pac_url,
        timeout_secs: options.config.timeout.as_secs(),
        results: Vec::new(),
        root_cause: None,
        checked_at: Some(chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)),
        only_given_hosts: false,
        region_hosts_unknown: false,
        pac_evaluated: false,
        cancelled: false,
    };
    let mut targets = match region.and_then(|r| catalogue.region(r.code())) {
        Some(region) => {
            report.region_hosts_unknown = !region.hosts_published;
            catalogue.targets(region)
        }
        None => {
            report.region = None;
            // Hosts given by hand are tested even when the region is not known; the
            // report says the region's own hosts were not.
            if options.extra_hosts.is_empty() {
                return report;
            }
            report.only_given_hosts = true;
            Vec::new()
        }
    };
    for extra in &options.extra_hosts {
        if !targets
            .iter()
            .any(|t| t.host == extra.host && t.port == extra.port)
        {
            targets.push(extra.clone());
        }
    }
    report.results = match probe.recorded_network() {
        Some(mut recorded) => {
            for r in &mut recorded {
                r.via_proxy = r.via_proxy.as_deref().map(crate::probe::mask_credentials);
            }
            crate::network::watch::replay(&recorded, &options.config.observer);
            recorded
        }
        None => {
            let mut config = options.config.clone();
            let by_script = options.proxy.is_none() && options.service_gateway.is_none();
            if let (true, None, Some(pac)) = (by_script, &proxy, &report.pac_url) {
                if cfg!(windows) {
                    config.proxy_for = evaluate_pac(pac, &targets, config.timeout).await;
                    report.pac_evaluated = !config.proxy_for.is_empty();
                    report.proxy = config.proxy_for.values().flatten().next().cloned();
                }
            }
            config.proxy = proxy;
            if config.agent_roots.is_empty() {
                // The agent trusts its own roots, not the computer's.
                config.agent_roots = catalogue
                    .root_cas
                    .iter()
                    .filter(|ca| ca.tls)
                    .map(|ca| ca.sha1.clone())
                    .collect();
            }
            crate::network::probe_hosts(&targets, &config).await
        }
    };
    // Stopped hosts say nothing: a run cut short names no cause and is not checked.
    report.cancelled = report.results.iter().any(|r| r.stopped);
    report.root_cause = if report.cancelled {
        None
    } else {
        crate::netfacts::root_cause(&report.results)
    };
    report
}

/// Runs the proxy script through Windows' resolver for every target's URL, each within the
/// time limit; a host whose evaluation fails or times out keeps the default (direct).
async fn evaluate_pac(
    pac: &str,
    targets: &[crate::catalogue::HostEntry],
    timeout: std::time::Duration,
) -> std::collections::HashMap<String, Option<crate::netfacts::ProxyChoice>> {
    use crate::network::pac::{proxy_for_url, PacChoice};
    let mut out = std::collections::HashMap::new();
    for t in targets {
        let scheme = if t.port == 80 { "http" } else { "https" };
        let url = format!(
            "{scheme}://{}/",
            crate::netfacts::authority(&t.host, t.port)
        );
        let script = pac.to_owned();
        let job = tokio::task::spawn_blocking(move || proxy_for_url(&script, &url));
        let chosen = match tokio::time::timeout(timeout, job).await {
            Ok(Ok(Ok(PacChoice::Direct))) => None,
            Ok(Ok(Ok(PacChoice::Proxy { proxy, .. }))) => {
                crate::network::proxy::parse_proxy(&proxy).map(|(host, port)| {
                    crate::netfacts::ProxyChoice {
                        host,
                        port,
                        source: "pac".to_owned(),
                        display: proxy.clone(),
                        bypass: Vec::new(),
                    }
                })
            }
            _ => continue,
        };
        out.insert(t.host.clone(), chosen);
    }
    out
}

/// [`run`] for callers without an async runtime.
pub fn run_blocking(
    probe: &dyn crate::probe::Probe,
    catalogue: &Catalogue,
    os: &crate::probe::OsFacts,
    options: &NetworkOptions,
) -> std::io::Result<NetworkReport> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let report = rt.block_on(run(probe, catalogue, os, options));
    // A system lookup still blocking past its budget must not hold the step open: dropping
    // the runtime would wait for it.
    rt.shutdown_background();
    Ok(report)
}
