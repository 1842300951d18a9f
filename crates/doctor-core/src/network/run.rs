//! Runs step 2: decides the region, the targets and the proxy, then tests every host (or,
//! for a replayed scenario, takes its recorded results). What it finds are facts; judging
//! them is `checks::reach`'s job.

use crate::catalogue::Catalogue;
use crate::layout;
use crate::netfacts::{NetworkReport, RegionChoice};

/// What the user asked for step 2.
#[derive(Debug, Clone, Default)]
pub struct NetworkOptions {
    /// `us`, `eu`, `jp`, `sg`, `au`, `in` or `mea`; `None` detects it from the agent's files.
    pub region: Option<String>,
    /// Further targets (`--host NAME:PORT`), e.g. a Service Gateway.
    pub extra_hosts: Vec<crate::catalogue::HostEntry>,
    /// A proxy to test through instead of the one the system is set to use.
    pub proxy: Option<String>,
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
        None => {
            let install = layout::install_dir(catalogue, os);
            let sep = if os.platform == crate::probe::Platform::Windows {
                "\\"
            } else {
                "/"
            };
            let dirs = vec![install.clone(), format!("{install}{sep}etc")];
            // The agent's own `vom_env` first: it is its registration, not a trace of it.
            let values = layout::agent_values(probe, catalogue, os);
            values
                .environment
                .as_deref()
                .and_then(|env| {
                    let place = format!(
                        "{}\\{}",
                        values.read_from.as_deref().unwrap_or_default(),
                        catalogue.agent.windows.environment_value
                    );
                    region::from_agent_environment(catalogue, env, &place)
                })
                .or_else(|| {
                    region::detect(probe, catalogue, &dirs, &layout::log_dir(catalogue, os))
                })
        }
    };
    let settings = probe.proxy().unwrap_or_default();
    let proxy = crate::network::proxy::choose(options.proxy.as_deref(), &settings);
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
    };
    let Some(region) = region.and_then(|r| catalogue.region(r.code())) else {
        report.region = None;
        return report;
    };
    let mut targets = catalogue.targets(region);
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
            recorded
        }
        None => {
            let mut config = options.config.clone();
            config.proxy = proxy;
            crate::network::probe_hosts(&targets, &config).await
        }
    };
    report
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
    Ok(rt.block_on(run(probe, catalogue, os, options)))
}
