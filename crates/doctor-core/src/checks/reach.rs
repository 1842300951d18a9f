//! Judges step 2's probe results: one finding per host, then what they mean together
//! (everything reachable, nothing reachable, only some), TLS inspection, TLS below 1.2,
//! the clock, and the proxy. When one cause explains the failures (a dead proxy, its
//! policy or upstream, TLS inspection by one CA, DNS down, no route) the summary names it
//! as the one problem and the hosts it explains point to it instead of each blaming
//! itself. It does no I/O; `network::live` gathers the results.

use crate::catalogue::Catalogue;
use crate::finding::{Finding, Message, Status, Step};
use crate::i18n::key_param;
use crate::netfacts::{
    authority, Explained, HostResult, NetError, NetworkReport, ProxyChoice, RegionChoice,
    RootCause, Stage, StageName,
};
use crate::probe::mask_credentials;

/// Clock difference that fails registration (vendor's pre-install check), and a margin.
const SKEW_FAIL_SECS: i64 = 30 * 60;
const SKEW_WARN_SECS: i64 = 5 * 60;

fn f(id: &str, status: Status, key: &str) -> Finding {
    Finding::new(id, Step::Network, status, Message::new(key))
}

pub fn host_id(r: &HostResult) -> String {
    format!("network.host.{}:{}", r.target.host, r.target.port)
}

/// A stage's outcome as evidence: what it got, or why it failed in words (the failure's
/// locale key) with the raw detail as its own, labelled line.
fn stage_evidence<T>(
    finding: Finding,
    label: &str,
    stage: &Stage<T>,
    ok: impl Fn(&T) -> String,
) -> Finding {
    match stage {
        Stage::Ok { ms, value } => finding.evidence(label, format!("{} ({ms} ms)", ok(value))),
        Stage::Failed { ms, error, detail } => finding
            .evidence_keyed(
                label,
                &format!("{} — {detail} ({ms} ms)", error.as_str()),
                format!("note.error.{}", error.as_str()),
            )
            .evidence("technical_detail", format!("{detail} ({ms} ms)")),
        Stage::NotRun => finding,
    }
}

fn source_param(p: &ProxyChoice) -> String {
    key_param(&format!("value.proxy_source.{}", p.source))
}

fn host_finding(r: &HostResult, cause: Option<&Explained>) -> Finding {
    let id = host_id(r);
    let name = authority(&r.target.host, r.target.port);
    let explained = cause.filter(|c| c.hosts.contains(&name));
    let (status, key, remedy) = match (r.failure(), explained) {
        // Stopped before it finished: not tested, so neither passed nor failed.
        (None, _) if r.stopped => (
            Status::Info,
            "network.host.stopped".to_owned(),
            Some("network.host.stopped.remedy".to_owned()),
        ),
        (None, _) => (Status::Pass, "network.host.ok".to_owned(), None),
        (Some(_), Some(c)) => (
            Status::Info,
            format!("network.host.explained.{}", c.cause.as_str()),
            Some("network.host.explained.remedy".to_owned()),
        ),
        (Some(_), None) if r.target.optional => (
            Status::Info,
            "network.host.optional_failed".to_owned(),
            Some("network.host.optional_failed.remedy".to_owned()),
        ),
        (Some(_), None) if r.proxy_fault().is_some() => (
            Status::Fail,
            "network.host.proxy_unreachable".to_owned(),
            Some("network.remedy.proxy_unreachable".to_owned()),
        ),
        (Some((_, error, _)), None) => (
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
    let proxy = r.via_proxy.clone().unwrap_or_default();
    let reason = r
        .failure()
        .map(|(_, e, _)| key_param(&format!("note.error.{}", e.as_str())))
        .unwrap_or_default();
    let mut finding = Finding::new(
        &id,
        Step::Network,
        status,
        Message::new(key)
            .with("host", r.target.host.clone())
            .with("port", r.target.port.to_string())
            .with("stage", stage.to_owned())
            .with("proxy", proxy.clone())
            .with("reason", reason),
    )
    .evidence("host", name.clone())
    .evidence_keyed(
        "purpose",
        &r.target.purpose,
        format!("purpose.{}", r.target.purpose),
    );
    if let Some(p) = &r.via_proxy {
        finding = finding.evidence("via_proxy", mask_credentials(p));
    }
    if let Some(rule) = &r.bypassed_by {
        finding = finding.evidence("proxy_bypassed", rule.clone());
    }
    if let Some(reply) = &r.proxy_reply {
        finding = finding.evidence("proxy_status", reply.status_line.clone());
        if let Some(t) = &reply.title {
            finding = finding.evidence("proxy_page_title", t.clone());
        }
        if let Some(c) = &reply.error_code {
            finding = finding.evidence("proxy_error_code", c.clone());
        }
    }
    if let Some(a) = &r.local_addr {
        finding = finding.evidence("local_address", a.clone());
    }
    let joined = |ips: &Vec<std::net::IpAddr>| {
        ips.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    finding = stage_evidence(finding, "stage_dns", &r.dns, joined);
    finding = stage_evidence(finding, "stage_tcp", &r.tcp, |a| a.clone());
    finding = stage_evidence(finding, "stage_proxy", &r.proxy, |s| format!("HTTP {s}"));
    finding = stage_evidence(finding, "stage_tls", &r.tls, |t| {
        format!("{}, {}", t.version, t.cipher)
    });
    finding = stage_evidence(finding, "stage_http", &r.http, |h| match &h.request {
        Some(req) => format!("HTTP {} ({req})", h.status),
        None => format!("HTTP {}", h.status),
    });
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
                .with("stage", stage.to_owned())
                .with("proxy", proxy),
        );
    }
    finding
}

/// The summary when one cause explains the failures: that cause is the one problem.
fn cause_summary(report: &NetworkReport, explained: &Explained) -> Finding {
    let kind = explained.cause.as_str();
    let key = match explained.cause {
        RootCause::DnsDown => "network.summary.offline".to_owned(),
        _ => format!("network.summary.cause.{kind}"),
    };
    let mut params: Vec<(&str, String)> = vec![("count", explained.hosts.len().to_string())];
    if let Some(p) = &report.proxy {
        params.push(("proxy", p.display.clone()));
        params.push(("source", source_param(p)));
    }
    let mut evidence: Vec<(&str, String)> = Vec::new();
    let reply = match &explained.cause {
        RootCause::ProxyAuth { reply }
        | RootCause::ProxyDenied { reply }
        | RootCause::ProxyUpstream { reply } => reply.clone(),
        _ => None,
    };
    match &explained.cause {
        RootCause::ProxyUnreachable { error, .. } => {
            params.push((
                "reason",
                key_param(&format!("note.error.{}", error.as_str())),
            ));
        }
        RootCause::TlsInspection { issuer } => {
            params.push(("ca", issuer.clone()));
            evidence.push(("intercepting_ca", issuer.clone()));
        }
        _ => {}
    }
    let status_line = reply
        .as_ref()
        .map(|r| r.status_line.clone())
        .unwrap_or_default();
    params.push(("status_line", status_line));
    if let Some(reply) = &reply {
        evidence.push(("proxy_status", reply.status_line.clone()));
        if let Some(t) = &reply.title {
            evidence.push(("proxy_page_title", t.clone()));
        }
        if let Some(c) = &reply.error_code {
            evidence.push(("proxy_error_code", c.clone()));
        }
    }
    let mut remedy =
        Message::new(format!("{key}.remedy")).with("hosts", explained.hosts.join(", "));
    for (k, v) in &params {
        remedy = remedy.with(k, v.clone());
    }
    let mut finding = f("network.summary", Status::Fail, &key);
    for (k, v) in &params {
        finding = finding.with_params(&[(k, v.as_str())]);
    }
    if let Some(p) = &report.proxy {
        finding = finding.evidence("proxy", p.display.clone()).evidence_keyed(
            "proxy_source",
            &p.source,
            format!("value.proxy_source.{}", p.source),
        );
    }
    finding = finding.evidence_keyed("root_cause", kind, format!("value.root_cause.{kind}"));
    if let RootCause::ProxyUnreachable { error, detail } = &explained.cause {
        finding = finding
            .evidence_keyed(
                "proxy_error",
                detail,
                format!("note.error.{}", error.as_str()),
            )
            .evidence("technical_detail", detail.clone());
    }
    for (k, v) in evidence {
        finding = finding.evidence(k, v);
    }
    for h in &explained.hosts {
        finding = finding.evidence("explained_host", h.clone());
    }
    finding.remedy(remedy)
}

/// The CA that issued what the endpoint was shown: the issuer of the last certificate
/// the server (or the inspecting proxy) sent.
fn intercepting_ca(results: &[HostResult]) -> Option<String> {
    results
        .iter()
        .filter(|r| {
            matches!(
                r.failure(),
                Some((_, NetError::TlsUntrusted | NetError::TlsInspected, _))
            )
        })
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
    let mut out = Vec::new();
    match &report.region {
        None if report.only_given_hosts && !report.results.is_empty() => {
            out.push(
                f("network.region", Status::Warn, "network.region.only_given")
                    .with_params(&[("count", &report.results.len().to_string())])
                    .evidence("hosts_checked", report.results.len().to_string())
                    .evidence("timeout", format!("{} s", report.timeout_secs))
                    .remedy(Message::new("network.region.unknown.remedy")),
            );
        }
        None => {
            return vec![
                f("network.region", Status::Skipped, "network.region.unknown")
                    .remedy(Message::new("network.region.unknown.remedy")),
            ];
        }
        Some(region) => {
            let code = region.code().to_owned();
            let mut region_f = match region {
                RegionChoice::Chosen { .. } => {
                    f("network.region", Status::Info, "network.region.chosen")
                }
                RegionChoice::Detected {
                    file,
                    evidence,
                    basis,
                    ..
                } => {
                    let mut fd = f("network.region", Status::Info, "network.region.detected")
                        .with_params(&[("file", file), ("evidence", evidence)])
                        .evidence("found_at", file.clone())
                        .evidence("region_evidence", evidence.clone());
                    if let Some(b) = basis {
                        fd =
                            fd.evidence_keyed("region_basis", b, format!("value.region_basis.{b}"));
                    }
                    fd
                }
            };
            region_f = region_f
                .with_params(&[("region", &key_param(&format!("region.{code}")))])
                .evidence_keyed("region", &code, format!("region.{code}"));
            if let Some(r) = catalogue.region(&code).filter(|r| !r.source.is_empty()) {
                region_f = region_f.evidence("source_page", crate::netfacts::page_url(&r.source));
            }
            region_f = region_f
                .evidence("hosts_checked", report.results.len().to_string())
                .evidence("timeout", format!("{} s", report.timeout_secs));
            if report.region_hosts_unknown {
                // The site exists but its hosts are not published: say what was not tested.
                region_f.status = Status::Warn;
                region_f.message.key = "network.region.hosts_unknown".into();
                region_f = region_f.remedy(Message::new("network.region.hosts_unknown.remedy"));
            }
            if report.results.is_empty() && !report.cancelled && report.region_hosts_unknown {
                // Still a warning (the site's hosts are not published), but nothing was
                // tested: no claim about which hosts were.
                region_f.message.key = "network.region.hosts_unknown.not_checked".into();
            } else if report.results.is_empty() && !report.cancelled {
                // Nothing was tested (a replayed scenario without recorded results, or no
                // hosts): the region is known, the hosts were not checked.
                region_f.status = Status::Skipped;
                region_f.message.key = "network.region.not_checked".into();
                region_f = region_f.remedy(Message::new("network.region.not_checked.remedy"));
            } else if report.cancelled && region_f.status == Status::Info {
                // Stopped part-way: the region's hosts were not all checked; say so.
                let key = format!("{}.stopped", region_f.message.key);
                region_f.message.key = key;
            }
            out.push(region_f);
        }
    }
    // Recorded reports (scenarios) may predate the field: derive it the same way. A run
    // that was stopped names no cause: what was not tested could tell otherwise.
    let cause = report
        .root_cause
        .clone()
        .or_else(|| crate::netfacts::root_cause(&report.results))
        .filter(|_| !report.cancelled);
    let proxy_cause = cause.as_ref().is_some_and(|c| {
        matches!(
            c.cause,
            RootCause::ProxyUnreachable { .. }
                | RootCause::ProxyAuth { .. }
                | RootCause::ProxyDenied { .. }
                | RootCause::ProxyUpstream { .. }
        )
    });

    // The proxy the test went through, and the agent's own order of trying proxies.
    let auth_needed = !hosts_with(&report.results, NetError::ProxyAuthRequired).is_empty();
    let mut proxy_f = match (&report.proxy, auth_needed && !proxy_cause) {
        (Some(p), true) => f("network.proxy", Status::Fail, "network.proxy.auth_required")
            .with_params(&[("proxy", &mask_credentials(&p.display))])
            .remedy(Message::new("network.proxy.auth_required.remedy")),
        (Some(p), false) if p.source == "service_gateway" => f(
            "network.proxy",
            Status::Info,
            "network.proxy.service_gateway",
        )
        .with_params(&[("proxy", &p.display), ("direct", &p.bypass.join(", "))])
        .remedy(Message::new("network.proxy.order")),
        (Some(p), false) => f("network.proxy", Status::Info, "network.proxy.used")
            .with_params(&[
                ("proxy", &mask_credentials(&p.display)),
                ("source", &source_param(p)),
            ])
            .remedy(Message::new("network.proxy.order")),
        (None, _) => f("network.proxy", Status::Info, "network.proxy.direct"),
    };
    if let Some(p) = &report.proxy {
        proxy_f = proxy_f
            .evidence("proxy", mask_credentials(&p.display))
            .evidence_keyed(
                "proxy_source",
                &p.source,
                format!("value.proxy_source.{}", p.source),
            );
        if !p.bypass.is_empty() {
            proxy_f = proxy_f.evidence("proxy_bypass_list", p.bypass.join("; "));
        }
        for r in report.results.iter().filter(|r| r.bypassed_by.is_some()) {
            proxy_f = proxy_f.evidence(
                "proxy_bypassed_host",
                authority(&r.target.host, r.target.port),
            );
        }
    }
    if let Some(pac) = &report.pac_url {
        proxy_f = proxy_f.evidence("proxy_pac", mask_credentials(pac));
        if report.proxy.is_none() && report.pac_evaluated {
            proxy_f = f("network.proxy", Status::Info, "network.proxy.pac_direct")
                .with_params(&[("pac", &mask_credentials(pac))])
                .evidence("proxy_pac", mask_credentials(pac));
        } else if report.proxy.is_none() {
            proxy_f = f(
                "network.proxy",
                Status::Warn,
                "network.proxy.pac_not_evaluated",
            )
            .with_params(&[("pac", &mask_credentials(pac))])
            .evidence("proxy_pac", mask_credentials(pac))
            .remedy(Message::new("network.proxy.pac_not_evaluated.remedy"));
        }
    }
    if report.results.is_empty() && proxy_f.status == Status::Info {
        // No host was tested: the proxy setting is stated, never "checked through it".
        let key = format!("{}.not_checked", proxy_f.message.key);
        proxy_f.message.key = key;
    }
    out.push(proxy_f);

    // Hosts only an older copy of the vendor's list has do not count.
    let required: Vec<&HostResult> = report
        .results
        .iter()
        .filter(|r| !r.target.optional)
        .collect();
    let total = required.len();
    let failed: Vec<&HostResult> = required
        .iter()
        .copied()
        .filter(|r| r.unreachable())
        .collect();
    let summary = if report.cancelled {
        // Stopped before every host was tested: not checked, never "all reachable".
        let tested = report.results.iter().filter(|r| !r.stopped).count();
        f(
            "network.summary",
            Status::Skipped,
            "network.summary.cancelled",
        )
        .with_params(&[
            ("tested", &tested.to_string()),
            ("hosts", &report.results.len().to_string()),
        ])
        .evidence("hosts_stopped", (report.results.len() - tested).to_string())
        .remedy(Message::new("network.summary.cancelled.remedy"))
    } else if report.results.is_empty() {
        f(
            "network.summary",
            Status::Skipped,
            "network.summary.no_hosts",
        )
        .remedy(Message::new("network.region.not_checked.remedy"))
    } else if failed.is_empty() && report.region_hosts_unknown {
        // Never "all reachable" when the site's own hosts could not be tested.
        f(
            "network.summary",
            Status::Warn,
            "network.summary.partial_ok",
        )
        .remedy(Message::new("network.region.hosts_unknown.remedy"))
    } else if failed.is_empty() {
        f("network.summary", Status::Pass, "network.summary.all_ok")
    } else if let Some(c) = &cause {
        cause_summary(report, c)
    } else if failed.len() == total {
        f(
            "network.summary",
            Status::Fail,
            "network.summary.all_failed",
        )
        .remedy(Message::new("network.summary.all_failed.remedy"))
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

    let mut inspected = hosts_with(&report.results, NetError::TlsUntrusted);
    inspected.extend(hosts_with(&report.results, NetError::TlsInspected));
    let inspection_is_the_cause = cause
        .as_ref()
        .is_some_and(|c| matches!(c.cause, RootCause::TlsInspection { .. }));
    if !inspected.is_empty() && !inspection_is_the_cause {
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
            // Recorded values may be anything: ±2⁶³ must neither panic nor wrap.
            let off = median.unsigned_abs();
            let minutes = off.saturating_add(30) / 60;
            let (status, key) = if off > SKEW_FAIL_SECS.unsigned_abs() {
                (Status::Fail, "network.clock.fail")
            } else if off > SKEW_WARN_SECS.unsigned_abs() {
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
    // Nothing tested, nothing to say about the clock either.
    if !report.results.is_empty() {
        out.push(clock);
    }
    // The verdicts first, then the list of hosts they are drawn from.
    out.extend(
        report
            .results
            .iter()
            .map(|r| host_finding(r, cause.as_ref())),
    );
    out
}
