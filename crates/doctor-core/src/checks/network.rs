//! Judges step 2's probe results: one finding per host, then what they mean together
//! (everything reachable, nothing reachable, only some), TLS inspection, TLS below 1.2,
//! the clock, and the proxy. It does no I/O; `network::live` gathers the results.

use crate::catalogue::Catalogue;
use crate::finding::{Finding, Message, Status, Step};
use crate::i18n::key_param;
use crate::network::proxy::ProxyChoice;
use crate::network::region::RegionChoice;
use crate::network::{HostResult, NetError, Stage, StageName};
use serde::{Deserialize, Serialize};

/// Clock difference that fails registration (vendor's pre-install check), and a margin.
const SKEW_FAIL_SECS: i64 = 30 * 60;
const SKEW_WARN_SECS: i64 = 5 * 60;

/// What step 2 ran against and found, kept for the report, the note and the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkReport {
    pub region: Option<RegionChoice>,
    pub proxy: Option<ProxyChoice>,
    /// A proxy auto-configuration script that is set but was not evaluated.
    pub pac_url: Option<String>,
    pub timeout_secs: u64,
    pub results: Vec<HostResult>,
}

fn f(id: &str, status: Status, key: &str) -> Finding {
    Finding::new(id, Step::Network, status, Message::new(key))
}

pub fn host_id(r: &HostResult) -> String {
    format!("network.host.{}:{}", r.target.host, r.target.port)
}

fn stage_text<T>(stage: &Stage<T>, ok: impl Fn(&T) -> String) -> Option<String> {
    match stage {
        Stage::Ok { ms, value } => Some(format!("{} ({ms} ms)", ok(value))),
        Stage::Failed { ms, error, detail } => {
            Some(format!("{} — {detail} ({ms} ms)", error.as_str()))
        }
        Stage::NotRun => None,
    }
}

fn host_finding(r: &HostResult) -> Finding {
    let id = host_id(r);
    let (status, key, remedy) = match r.failure() {
        None => (Status::Pass, "network.host.ok".to_owned(), None),
        Some((_, error, _)) => (
            Status::Fail,
            format!("network.host.{}", error.as_str()),
            Some(format!("network.remedy.{}", error.as_str())),
        ),
    };
    // Technical stage names read the same in both languages.
    let stage = match r.failure().map(|(s, _, _)| s) {
        Some(StageName::Dns) => "DNS",
        Some(StageName::Tcp) => "TCP",
        Some(StageName::Proxy) => "CONNECT",
        Some(StageName::Tls) => "TLS",
        _ => "HTTP",
    };
    let mut finding = Finding::new(
        &id,
        Step::Network,
        status,
        Message::new(key)
            .with("host", r.target.host.clone())
            .with("port", r.target.port.to_string())
            .with("stage", stage.to_owned()),
    )
    .evidence("host", format!("{}:{}", r.target.host, r.target.port))
    .evidence_keyed(
        "purpose",
        &r.target.purpose,
        format!("purpose.{}", r.target.purpose),
    );
    if let Some(p) = &r.via_proxy {
        finding = finding.evidence("via_proxy", p.clone());
    }
    let joined = |ips: &Vec<std::net::IpAddr>| {
        ips.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (label, text) in [
        ("stage_dns", stage_text(&r.dns, joined)),
        ("stage_tcp", stage_text(&r.tcp, |a| a.clone())),
        ("stage_proxy", stage_text(&r.proxy, |s| format!("HTTP {s}"))),
        (
            "stage_tls",
            stage_text(&r.tls, |t| format!("{}, {}", t.version, t.cipher)),
        ),
        (
            "stage_http",
            stage_text(&r.http, |h| format!("HTTP {}", h.status)),
        ),
    ] {
        if let Some(t) = text {
            finding = finding.evidence(label, t);
        }
    }
    if let Some(seen) = &r.tls_seen {
        for cert in &seen.chain {
            finding = finding.evidence(
                "certificate",
                format!(
                    "{} ← {} ({} – {})",
                    cert.subject, cert.issuer, cert.not_before, cert.not_after
                ),
            );
        }
    }
    if let Some(date) = r.http.value().and_then(|h| h.date.clone()) {
        finding = finding.evidence("server_date", date);
    }
    if let Some(rk) = remedy {
        finding = finding.remedy(
            Message::new(rk)
                .with("host", r.target.host.clone())
                .with("port", r.target.port.to_string())
                .with("stage", stage.to_owned()),
        );
    }
    finding
}

/// The CA that issued what the endpoint was shown: the issuer of the last certificate
/// the server (or the inspecting proxy) sent.
fn intercepting_ca(results: &[HostResult]) -> Option<String> {
    results
        .iter()
        .filter(|r| matches!(r.failure(), Some((_, NetError::TlsUntrusted, _))))
        .find_map(|r| r.tls_seen.as_ref()?.chain.last().map(|c| c.issuer.clone()))
}

fn hosts_with(results: &[HostResult], error: NetError) -> Vec<String> {
    results
        .iter()
        .filter(|r| r.failure().is_some_and(|(_, e, _)| e == error))
        .map(|r| r.target.host.clone())
        .collect()
}

pub fn findings(catalogue: &Catalogue, report: &NetworkReport) -> Vec<Finding> {
    let Some(region) = &report.region else {
        return vec![
            f("network.region", Status::Skipped, "network.region.unknown")
                .remedy(Message::new("network.region.unknown.remedy")),
        ];
    };
    let code = region.code().to_owned();
    let mut region_f = match region {
        RegionChoice::Chosen { .. } => f("network.region", Status::Info, "network.region.chosen"),
        RegionChoice::Detected { file, evidence, .. } => {
            f("network.region", Status::Info, "network.region.detected")
                .with_params(&[("file", file), ("evidence", evidence)])
                .evidence("found_at", file.clone())
                .evidence("region_evidence", evidence.clone())
        }
    };
    region_f = region_f
        .with_params(&[("region", &key_param(&format!("region.{code}")))])
        .evidence_keyed("region", &code, format!("region.{code}"));
    if let Some(r) = catalogue.region(&code) {
        region_f = region_f.evidence("source_page", r.source.clone());
    }
    region_f = region_f
        .evidence("hosts_checked", report.results.len().to_string())
        .evidence("timeout", format!("{} s", report.timeout_secs));
    let mut out = vec![region_f];

    // The proxy the test went through, and the agent's own order of trying proxies.
    let auth_needed = !hosts_with(&report.results, NetError::ProxyAuthRequired).is_empty();
    let mut proxy_f = match (&report.proxy, auth_needed) {
        (Some(p), true) => f("network.proxy", Status::Fail, "network.proxy.auth_required")
            .with_params(&[("proxy", &p.display)])
            .remedy(Message::new("network.proxy.auth_required.remedy")),
        (Some(p), false) => f("network.proxy", Status::Info, "network.proxy.used")
            .with_params(&[("proxy", &p.display)])
            .remedy(Message::new("network.proxy.order")),
        (None, _) => f("network.proxy", Status::Info, "network.proxy.direct"),
    };
    if let Some(p) = &report.proxy {
        proxy_f = proxy_f.evidence("proxy", p.display.clone()).evidence_keyed(
            "proxy_source",
            &p.source,
            format!("value.proxy_source.{}", p.source),
        );
    }
    if let Some(pac) = &report.pac_url {
        proxy_f = proxy_f.evidence("proxy_pac", pac.clone());
        if report.proxy.is_none() {
            proxy_f = f(
                "network.proxy",
                Status::Warn,
                "network.proxy.pac_not_evaluated",
            )
            .with_params(&[("pac", pac)])
            .evidence("proxy_pac", pac.clone())
            .remedy(Message::new("network.proxy.pac_not_evaluated.remedy"));
        }
    }
    out.push(proxy_f);

    let total = report.results.len();
    let failed: Vec<&HostResult> = report.results.iter().filter(|r| !r.reachable()).collect();
    let summary = if total == 0 {
        f(
            "network.summary",
            Status::Skipped,
            "network.summary.no_hosts",
        )
    } else if failed.is_empty() {
        f("network.summary", Status::Pass, "network.summary.all_ok")
    } else if failed.len() == total {
        let all_dns = failed
            .iter()
            .all(|r| matches!(r.failure(), Some((StageName::Dns, _, _))));
        let key = if all_dns && report.proxy.is_none() {
            "network.summary.offline"
        } else {
            "network.summary.all_failed"
        };
        f("network.summary", Status::Fail, key).remedy(Message::new(format!("{key}.remedy")))
    } else {
        f(
            "network.summary",
            Status::Fail,
            "network.summary.some_failed",
        )
        .remedy(Message::new("network.summary.some_failed.remedy"))
    };
    out.push(summary.with_params(&[
        ("failed", &failed.len().to_string()),
        ("total", &total.to_string()),
    ]));

    let inspected = hosts_with(&report.results, NetError::TlsUntrusted);
    if !inspected.is_empty() {
        let ca = intercepting_ca(&report.results).unwrap_or_else(|| "?".into());
        let mut fi = f(
            "network.tls_inspection",
            Status::Fail,
            "network.tls_inspection.found",
        )
        .with_params(&[("ca", &ca), ("count", &inspected.len().to_string())])
        .evidence("intercepting_ca", ca.clone());
        for h in &inspected {
            fi = fi.evidence("host", h.clone());
        }
        out.push(fi.remedy(
            Message::new("network.tls_inspection.found.remedy").with("hosts", inspected.join(", ")),
        ));
    }
    let old = hosts_with(&report.results, NetError::TlsOldVersion);
    if !old.is_empty() {
        let mut fo = f(
            "network.tls_version",
            Status::Fail,
            "network.tls_version.old",
        )
        .with_params(&[("count", &old.len().to_string())]);
        for h in &old {
            fo = fo.evidence("host", h.clone());
        }
        out.push(fo.remedy(Message::new("network.tls_version.old.remedy")));
    }

    let mut skews: Vec<i64> = report
        .results
        .iter()
        .filter_map(|r| r.http.value()?.skew_secs)
        .collect();
    skews.sort_unstable();
    let clock = match skews.get(skews.len() / 2) {
        None => f("network.clock", Status::Skipped, "network.clock.unknown"),
        Some(&median) => {
            let minutes = (median.abs() + 30) / 60;
            let (status, key) = if median.abs() > SKEW_FAIL_SECS {
                (Status::Fail, "network.clock.fail")
            } else if median.abs() > SKEW_WARN_SECS {
                (Status::Warn, "network.clock.warn")
            } else {
                (Status::Pass, "network.clock.pass")
            };
            let direction = if median >= 0 { "behind" } else { "ahead" };
            let mut fc = f("network.clock", status, key)
                .with_params(&[("minutes", &minutes.to_string())])
                .evidence("clock_skew", format!("{median} s"))
                .evidence_keyed(
                    "clock_direction",
                    direction,
                    format!("value.clock.{direction}"),
                );
            if status != Status::Pass {
                fc = fc.remedy(Message::new("network.clock.remedy"));
            }
            fc
        }
    };
    out.push(clock);
    // The verdicts first, then the list of hosts they are drawn from.
    out.extend(report.results.iter().map(host_finding));
    out
}

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
            let install = super::agent::install_dir_for(catalogue, os);
            let sep = if os.platform == crate::probe::Platform::Windows {
                "\\"
            } else {
                "/"
            };
            let dirs = vec![install.clone(), format!("{install}{sep}etc")];
            // The agent's own `vom_env` first: it is its registration, not a trace of it.
            super::agent_facts::environment_region(probe, catalogue, os).or_else(|| {
                region::detect(
                    probe,
                    catalogue,
                    &dirs,
                    &super::agent::log_dir_for(catalogue, os),
                )
            })
        }
    };
    let settings = probe.proxy().unwrap_or_default();
    let proxy = crate::network::proxy::choose(options.proxy.as_deref(), &settings);
    let pac_url = settings
        .wininet
        .as_ref()
        .and_then(|w| w.autoconfig_url.clone());
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
        Some(recorded) => recorded,
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
