//! How `check` prints: readable text grouped by the guide's steps (coloured on a terminal,
//! plain when piped or with `NO_COLOR`), or one JSON object.

use anstream::AutoStream;
use anstyle::{AnsiColor, Style};
use doctor_core::finding::{Status, Step};
use doctor_core::probe::ProbeSource;
use doctor_core::report::Report;
use doctor_core::Locale;
use std::collections::BTreeMap;
use std::io::Write;

pub fn json(report: &Report) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, report).map_err(std::io::Error::other)?;
    writeln!(out)
}

fn style(status: Status) -> Style {
    let colour = match status {
        Status::Pass => AnsiColor::Green,
        Status::Warn => AnsiColor::Yellow,
        Status::Fail => AnsiColor::Red,
        Status::Info => AnsiColor::Cyan,
        Status::Skipped => AnsiColor::BrightBlack,
    };
    Style::new().fg_color(Some(colour.into())).bold()
}

pub fn text(report: &Report, locale: &Locale, verbose: bool) -> std::io::Result<()> {
    let mut out = AutoStream::auto(std::io::stdout().lock());
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let mut host = BTreeMap::new();
    host.insert("host".to_owned(), report.os.hostname.clone());
    let source = match &report.source {
        ProbeSource::Live => locale.render("source.live", &host),
        ProbeSource::Scenario { name, .. } => {
            let mut p = BTreeMap::new();
            p.insert("name".to_owned(), name.clone());
            locale.render("source.scenario", &p)
        }
    };
    writeln!(out, "{bold}{}{bold:#}", locale.text("app.title"))?;
    let source_style = match report.source {
        ProbeSource::Live => dim,
        ProbeSource::Scenario { .. } => style(Status::Warn),
    };
    writeln!(out, "{source_style}{source}{source_style:#}")?;
    let build = report.os.build.as_deref().unwrap_or("");
    writeln!(
        out,
        "{dim}{}: {} {} {build} ({}) · {}: {}{dim:#}",
        locale.text("label.system"),
        report.os.name,
        report.os.version,
        report.os.arch,
        locale.text("label.catalogue"),
        report.catalogue_version
    )?;

    for step in Step::ALL {
        let items: Vec<_> = report.findings.iter().filter(|f| f.step == step).collect();
        if items.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{bold}{}{bold:#}", locale.text(&step.title_key()))?;
        // The same remedy under many hosts is said once per step.
        let mut said: Vec<&str> = Vec::new();
        for f in items {
            let s = style(f.status);
            writeln!(out, "  {s}[{}]{s:#} {}", f.status_text, f.message)?;
            // One line per host is enough; their stages are in -v and --json.
            let per_host = f.id.starts_with("network.host.");
            let show_details =
                verbose || (!per_host && (f.status.severity() > 0 || f.status == Status::Skipped));
            if show_details {
                for e in &f.evidence {
                    writeln!(out, "      {dim}{}: {}{dim:#}", e.label, e.value)?;
                }
            }
            if let Some(remedy) = &f.remedy {
                if f.status != Status::Pass && !said.contains(&remedy.as_str()) {
                    said.push(remedy);
                    writeln!(
                        out,
                        "      → {bold}{}{bold:#}: {remedy}",
                        locale.text("label.remedy")
                    )?;
                }
            }
        }
    }
    writeln!(out)?;
    let s = &report.summary;
    let mut counts = BTreeMap::new();
    for (k, v) in [
        ("pass", s.pass),
        ("warn", s.warn),
        ("fail", s.fail),
        ("skipped", s.skipped),
        ("info", s.info),
    ] {
        counts.insert(k.to_owned(), v.to_string());
    }
    let v = style(report.verdict);
    writeln!(out, "{v}{}{v:#}", report.verdict_text)?;
    writeln!(out, "{}", locale.render("summary.counts", &counts))?;
    out.flush()
}
