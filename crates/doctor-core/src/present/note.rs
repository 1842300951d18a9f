//! The note for the network team: plain text, in Japanese or English, listing what failed
//! from this endpoint (host, port, stage, error) and what to do about each: allow rules only
//! for hosts that were blocked, inspection exclusions (naming the CA) where the connection
//! got through, the proxy's own trouble where it was the proxy's. It states the endpoint's
//! addresses, the proxy and the time with its UTC offset, ready for a change request.

use crate::catalogue::Catalogue;
use crate::i18n::{Lang, Locale};
use crate::netfacts::{authority, shown_issuer, HostResult, NetworkReport, RootCause};
use crate::network::NetError;
use crate::probe::OsFacts;
use std::collections::BTreeMap;
use std::fmt::Write;

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The endpoint's own addresses on the connections it made (what the firewall sees).
fn endpoint_addresses(report: &NetworkReport) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in report.results.iter().filter_map(|r| r.local_addr.clone()) {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// When the test ran, in the endpoint's local time with its UTC offset.
fn checked_at(report: &NetworkReport) -> String {
    let local = report
        .checked_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .unwrap_or_else(|| chrono::Local::now().fixed_offset());
    local.format("%Y-%m-%d %H:%M (UTC%:z)").to_string()
}

/// What the network team is asked to do about one failing host.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ask {
    /// Blocked on the way: allow it.
    Allow,
    /// Connected, but the certificate was re-signed: exclude it from inspection.
    Exclude,
    /// The proxy wants credentials.
    Auth,
    /// The proxy could not resolve or reach it: check the proxy, no rule.
    ProxyUpstream,
    /// The endpoint's DNS could not resolve it.
    Dns,
    /// Something else answers: look at the details.
    Check,
}

fn ask(r: &HostResult) -> Ask {
    if r.proxy_fault().is_some() {
        return Ask::Check;
    }
    match r.failure().map(|(_, e, _)| e) {
        Some(
            NetError::Refused
            | NetError::Reset
            | NetError::Timeout
            | NetError::Closed
            | NetError::Unreachable
            | NetError::Prohibited
            | NetError::ProxyDenied
            | NetError::ProxyRefused,
        ) => Ask::Allow,
        Some(NetError::TlsUntrusted | NetError::TlsInspected) => Ask::Exclude,
        Some(NetError::ProxyAuthRequired) => Ask::Auth,
        Some(NetError::ProxyUpstream) => Ask::ProxyUpstream,
        Some(NetError::DnsNotFound | NetError::DnsTimeout) => Ask::Dns,
        _ => Ask::Check,
    }
}

pub fn render(report: &NetworkReport, os: &OsFacts, catalogue: &Catalogue, lang: Lang) -> String {
    let l = Locale::get(lang);
    let mut out = String::new();
    let code = report
        .region
        .as_ref()
        .map(|r| r.code().to_owned())
        .unwrap_or_default();
    let region_name = l.text(&format!("region.{code}")).to_owned();
    let now = checked_at(report);
    let host = match &os.domain {
        Some(d) => format!("{} ({d})", os.hostname),
        None => os.hostname.clone(),
    };
    let source_text = |p: &crate::netfacts::ProxyChoice| {
        l.text(&format!("value.proxy_source.{}", p.source))
            .to_owned()
    };
    let proxy = match &report.proxy {
        Some(p) => l.render(
            "note.proxy_value",
            &params(&[
                ("proxy", &crate::probe::mask_credentials(&p.display)),
                ("source", &source_text(p)),
            ]),
        ),
        None => l.text("note.direct").to_owned(),
    };
    let addresses = endpoint_addresses(report);
    let addresses = if addresses.is_empty() {
        l.text("note.addresses_unknown").to_owned()
    } else {
        addresses.join(", ")
    };
    let region_line = if report.only_given_hosts {
        l.text("note.region_not_tested").to_owned()
    } else {
        format!("{region_name} ({code})")
    };
    let _ = writeln!(out, "{}", l.text("note.title"));
    let _ = writeln!(out);
    for (label, value) in [
        ("note.created", now.as_str()),
        ("note.endpoint", host.as_str()),
        ("note.addresses", addresses.as_str()),
        ("note.os", os.name.as_str()),
        ("note.region", region_line.as_str()),
        ("note.proxy", proxy.as_str()),
    ] {
        let _ = writeln!(out, "{}: {value}", l.text(label));
    }
    if let Some(r) = catalogue.region(&code).filter(|r| !r.source.is_empty()) {
        let _ = writeln!(
            out,
            "{}: {}",
            l.text("note.source"),
            crate::netfacts::page_url(&r.source)
        );
    }
    let _ = writeln!(out);

    let optional_failed: Vec<&HostResult> = report
        .results
        .iter()
        .filter(|r| r.target.optional && r.unreachable())
        .collect();
    let required: Vec<&HostResult> = report
        .results
        .iter()
        .filter(|r| !r.target.optional)
        .collect();
    let failed: Vec<&HostResult> = required
        .iter()
        .copied()
        .filter(|r| r.unreachable())
        .collect();
    if report.cancelled {
        // Only what was tested is reported: the rest is unknown, not fine.
        let stopped = report.results.iter().filter(|r| r.stopped).count();
        let _ = writeln!(
            out,
            "{}",
            l.render(
                "note.cancelled",
                &params(&[
                    ("stopped", &stopped.to_string()),
                    ("hosts", &report.results.len().to_string()),
                ])
            )
        );
        let _ = writeln!(out);
    }
    if report.region_hosts_unknown {
        let _ = writeln!(out, "{}", l.text("note.hosts_unknown"));
        let _ = writeln!(out);
    }
    if report.results.is_empty() && !report.cancelled {
        // Nothing was tested: no claim that the hosts were reached.
        let _ = writeln!(out, "{}", l.text("note.not_checked"));
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", l.text("note.footer"));
        return out;
    }
    if failed.is_empty() && report.cancelled {
        optional_section(&mut out, l, &optional_failed);
        return out;
    }
    if failed.is_empty() {
        let n = required.len().to_string();
        let key = if report.region_hosts_unknown {
            "note.partial_ok"
        } else {
            "note.all_ok"
        };
        let _ = writeln!(out, "{}", l.render(key, &params(&[("total", &n)])));
        optional_section(&mut out, l, &optional_failed);
        return out;
    }
    let proxy_display = report
        .proxy
        .as_ref()
        .map(|p| p.display.clone())
        .unwrap_or_default();
    let proxy_source = report.proxy.as_ref().map(source_text).unwrap_or_default();
    let cause = report
        .root_cause
        .clone()
        .or_else(|| crate::netfacts::root_cause(&report.results));
    // Causes that leave nothing to allow: say so, and ask for nothing on Vision One's hosts.
    let no_rule = match cause.as_ref().map(|c| &c.cause) {
        Some(RootCause::ProxyUnreachable { error, detail }) => Some(l.render(
            "note.cause.proxy_unreachable",
            &params(&[
                ("proxy", &proxy_display),
                ("source", &proxy_source),
                ("reason", l.text(&format!("note.error.{}", error.as_str()))),
                ("detail", detail),
            ]),
        )),
        Some(RootCause::DnsDown) => Some(l.text("note.cause.dns_down").to_owned()),
        Some(RootCause::Offline) => Some(l.text("note.cause.offline").to_owned()),
        _ => None,
    };
    if let Some(text) = no_rule {
        let _ = writeln!(out, "{text}");
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", l.text("note.footer"));
        return out;
    }
    let counts = params(&[
        ("failed", &failed.len().to_string()),
        ("total", &required.len().to_string()),
    ]);
    let _ = writeln!(out, "{}", l.render("note.intro", &counts));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", l.text("note.failed_heading"));
    for r in &failed {
        let (stage, error, detail) = r.failure().unwrap_or((
            crate::network::StageName::Http,
            NetError::HttpFailed,
            "no answer",
        ));
        // The cause in words first; the raw detail only as labelled technical detail.
        let _ = writeln!(
            out,
            "  - {}  [{}]  {}: {}{}",
            authority(&r.target.host, r.target.port),
            l.text(&format!("purpose.{}", r.target.purpose)),
            l.text(&format!("note.stage.{}", stage.as_str())),
            l.text(&format!("note.error.{}", error.as_str())),
            l.render("note.detail", &params(&[("detail", detail)])),
        );
    }
    let with = |kind: Ask| -> Vec<&HostResult> {
        failed.iter().copied().filter(|r| ask(r) == kind).collect()
    };
    let allow = with(Ask::Allow);
    if !allow.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", l.text("note.allow_heading"));
        for r in &allow {
            let proto = if r.target.port == 80 { "HTTP" } else { "HTTPS" };
            let _ = writeln!(
                out,
                "  - {}  TCP {} ({proto})",
                r.target.host, r.target.port
            );
        }
    }
    let exclude = with(Ask::Exclude);
    if !exclude.is_empty() {
        let ca = exclude
            .iter()
            .find_map(|r| shown_issuer(r))
            .unwrap_or_else(|| "?".into());
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            l.render("note.inspection_heading", &params(&[("ca", &ca)]))
        );
        for r in exclude {
            let _ = writeln!(out, "  - {}", r.target.host);
        }
    }
    for (kind, key) in [
        (Ask::Auth, "note.auth_heading"),
        (Ask::ProxyUpstream, "note.upstream_heading"),
        (Ask::Dns, "note.dns_heading"),
        (Ask::Check, "note.check_heading"),
    ] {
        let hosts = with(kind);
        if hosts.is_empty() {
            continue;
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            l.render(key, &params(&[("proxy", &proxy_display)]))
        );
        for r in hosts {
            let evidence = r
                .proxy_reply
                .as_ref()
                .map(|p| match &p.title {
                    Some(t) => format!("  ({}, \"{t}\")", p.status_line),
                    None => format!("  ({})", p.status_line),
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  - {}{evidence}",
                authority(&r.target.host, r.target.port)
            );
        }
    }
    optional_section(&mut out, l, &optional_failed);
    if report.proxy.is_some() && !allow.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", l.text("note.proxy_hint"));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", l.text("note.footer"));
    out
}

fn optional_section(out: &mut String, l: &Locale, hosts: &[&HostResult]) {
    if hosts.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", l.text("note.optional_heading"));
    for r in hosts {
        let _ = writeln!(out, "  - {}", authority(&r.target.host, r.target.port));
    }
}
