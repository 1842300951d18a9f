//! How the commands print: readable text grouped by the guide's steps (coloured on a terminal,
//! plain when piped or with `NO_COLOR`), or one JSON object.

use anstream::AutoStream;
use anstyle::{AnsiColor, Style};
use doctor_core::finding::{Status, Step};
use doctor_core::probe::ProbeSource;
use doctor_core::report::Report;
use doctor_core::Locale;
use std::collections::BTreeMap;
use std::io::Write;

/// Any result as one pretty JSON object on stdout (check, bundle, fleet).
pub fn json<T: serde::Serialize>(value: &T) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(std::io::Error::other)?;
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

/// A one-line progress bar on stderr, only when stderr is a terminal; also the bundle's
/// cancel flag, which the signal handler sets.
pub struct ProgressBar {
    enabled: bool,
    label: String,
    last: std::sync::Mutex<Option<std::time::Instant>>,
    cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl ProgressBar {
    pub fn new(wanted: bool, locale: &Locale) -> ProgressBar {
        use std::io::IsTerminal;
        ProgressBar {
            enabled: wanted && std::io::stderr().is_terminal(),
            label: locale.text("bundle.cli.collecting").to_owned(),
            last: std::sync::Mutex::new(None),
            cancel: std::sync::Arc::default(),
        }
    }

    /// Setting it stops the bundle, which then removes its partial file.
    pub fn cancel_flag(&self) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
        self.cancel.clone()
    }

    pub fn clear(&self) {
        if self.enabled {
            eprint!("\r\x1b[2K");
        }
    }
}

impl doctor_core::bundle::ProgressSink for ProgressBar {
    fn cancelled(&self) -> bool {
        self.cancel.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn update(&self, p: &doctor_core::bundle::Progress) {
        if !self.enabled {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let done = p.files_done == p.files_total;
        if !done && last.is_some_and(|t| t.elapsed().as_millis() < 100) {
            return;
        }
        *last = Some(std::time::Instant::now());
        let fraction = if p.bytes_total == 0 {
            1.0
        } else {
            p.bytes_done as f64 / p.bytes_total as f64
        };
        let filled = (fraction * 30.0).round() as usize;
        let eta = p.eta_secs.map(|s| format!(" ETA {s}s")).unwrap_or_default();
        eprint!(
            "\r\x1b[2K{} [{}{}] {}/{} · {}{eta}",
            self.label,
            "#".repeat(filled.min(30)),
            " ".repeat(30 - filled.min(30)),
            p.files_done,
            p.files_total,
            doctor_core::checks::human_bytes(p.bytes_done),
        );
    }
}

pub fn bundle_text(
    outcome: &doctor_core::bundle::BundleOutcome,
    locale: &Locale,
) -> std::io::Result<()> {
    let mut out = AutoStream::auto(std::io::stdout().lock());
    let ok = style(Status::Pass);
    let mut p = BTreeMap::new();
    p.insert("path".to_owned(), outcome.path.display().to_string());
    writeln!(out, "{ok}{}{ok:#}", locale.render("bundle.cli.saved", &p))?;
    let mut s = BTreeMap::new();
    s.insert("files".to_owned(), outcome.files.to_string());
    s.insert(
        "size".to_owned(),
        doctor_core::checks::human_bytes(outcome.bytes),
    );
    s.insert("skipped".to_owned(), outcome.skipped.len().to_string());
    s.insert("cut".to_owned(), outcome.cut.to_string());
    s.insert("masked".to_owned(), outcome.redactions.to_string());
    writeln!(out, "{}", locale.render("bundle.cli.summary", &s))?;
    for skipped in &outcome.skipped {
        let dim = Style::new().dimmed();
        writeln!(
            out,
            "  {dim}{} — {}{dim:#}",
            skipped.path,
            locale.text(&format!("bundle.skip.{}", skipped.reason.as_str()))
        )?;
    }
    out.flush()
}

pub fn fleet_text(
    report: &doctor_core::fleet::FleetReport,
    locale: &Locale,
) -> std::io::Result<()> {
    let mut out = AutoStream::auto(std::io::stdout().lock());
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let mut p = BTreeMap::new();
    p.insert("read".to_owned(), report.read.to_string());
    p.insert("groups".to_owned(), report.groups.len().to_string());
    p.insert("unreadable".to_owned(), report.unreadable.len().to_string());
    writeln!(out, "{bold}{}{bold:#}", locale.render("fleet.summary", &p))?;
    for g in &report.groups {
        let s = style(Status::Fail);
        let mut gp = BTreeMap::new();
        gp.insert(
            "kind".to_owned(),
            locale.text(&format!("fleet.kind.{}", g.kind)).to_owned(),
        );
        gp.insert("value".to_owned(), g.value.clone());
        gp.insert("count".to_owned(), g.members.len().to_string());
        writeln!(out)?;
        writeln!(out, "{s}{}{s:#}", locale.render("fleet.group", &gp))?;
        for m in &g.members {
            writeln!(out, "  {}  {dim}{}{dim:#}", m.hostname, m.source)?;
        }
    }
    if !report.groups.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "→ {bold}{}{bold:#}: {}",
            locale.text("label.remedy"),
            locale.text("identity.clone_risk.remedy")
        )?;
    } else {
        writeln!(out, "{}", locale.text("fleet.none"))?;
    }
    for u in &report.unreadable {
        writeln!(
            out,
            "  {dim}{} — {} ({}){dim:#}",
            u.source,
            locale.text(&format!("fleet.unreadable.{}", u.reason)),
            u.detail
        )?;
    }
    out.flush()
}
