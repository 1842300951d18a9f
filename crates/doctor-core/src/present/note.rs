//! The note for the network team: plain text, in Japanese or English, listing what failed
//! from this endpoint (host, port, stage, error) and what to allow, ready to paste into a
//! firewall or proxy change request.

use crate::catalogue::Catalogue;
use crate::i18n::{Lang, Locale};
use crate::netfacts::NetworkReport;
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

pub fn render(report: &NetworkReport, os: &OsFacts, catalogue: &Catalogue, lang: Lang) -> String {
    let l = Locale::get(lang);
    let mut out = String::new();
    let code = report
        .region
        .as_ref()
        .map(|r| r.code().to_owned())
        .unwrap_or_default();
    let region_name = l.text(&format!("region.{code}")).to_owned();
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    let host = match &os.domain {
        Some(d) => format!("{} ({d})", os.hostname),
        None => os.hostname.clone(),
    };
    let proxy = match &report.proxy {
        Some(p) => crate::probe::mask_credentials(&p.display),
        None => l.text("note.direct").to_owned(),
    };
    let _ = writeln!(out, "{}", l.text("note.title"));
    let _ = writeln!(out);
    for (label, value) in [
        ("note.created", now.as_str()),
        ("note.endpoint", host.as_str()),
        ("note.os", os.name.as_str()),
        ("note.region", &format!("{region_name} ({code})")),
        ("note.proxy", proxy.as_str()),
    ] {
        let _ = writeln!(out, "{}: {value}", l.text(label));
    }
    if let Some(r) = catalogue.region(&code) {
        let _ = writeln!(out, "{}: {}", l.text("note.source"), r.source);
    }
    let _ = writeln!(out);

    let failed: Vec<_> = report.results.iter().filter(|r| !r.reachable()).collect();
    if failed.is_empty() {
        let n = report.results.len().to_string();
        let _ = writeln!(
            out,
            "{}",
            l.render("note.all_ok", &params(&[("total", &n)]))
        );
        return out;
    }
    let counts = params(&[
        ("failed", &failed.len().to_string()),
        ("total", &report.results.len().to_string()),
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
        let _ = writeln!(
            out,
            "  - {}:{}  [{}]  {}: {} ({detail})",
            r.target.host,
            r.target.port,
            l.text(&format!("purpose.{}", r.target.purpose)),
            l.text(&format!("note.stage.{}", stage.as_str())),
            l.text(&format!("note.error.{}", error.as_str())),
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", l.text("note.allow_heading"));
    for r in &failed {
        let proto = if r.target.port == 80 { "HTTP" } else { "HTTPS" };
        let _ = writeln!(
            out,
            "  - {}  TCP {} ({proto})",
            r.target.host, r.target.port
        );
    }
    let inspected: Vec<_> = failed
        .iter()
        .filter(|r| matches!(r.failure(), Some((_, NetError::TlsUntrusted, _))))
        .collect();
    if !inspected.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", l.text("note.inspection_heading"));
        for r in inspected {
            let _ = writeln!(out, "  - {}", r.target.host);
        }
    }
    if report.proxy.is_some() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", l.text("note.proxy_hint"));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", l.text("note.footer"));
    out
}
