//! How the commands print: readable text grouped by the guide's steps (coloured on a terminal,
//! plain when piped or with `NO_COLOR`), or one JSON object.

use anstream::AutoStream;
use anstyle::{AnsiColor, Style};
use doctor_core::finding::{Status, Step};
use doctor_core::probe::ProbeSource;
use doctor_core::Locale;
use doctor_core::Report;
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

    // The findings that stand for one host each (typed: from step 2's results).
    let host_findings: Vec<String> = report
        .network
        .iter()
        .flat_map(|n| n.results.iter().map(doctor_core::checks::reach::host_id))
        .collect();
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
            let per_host = host_findings.contains(&f.id);
            let show_details =
                verbose || (!per_host && (f.status.severity() > 0 || f.status == Status::Skipped));
            if show_details {
                for e in &f.evidence {
                    writeln!(out, "      {dim}{}: {}{dim:#}", e.label, e.value)?;
                }
            }
            if let Some(remedy) = &f.remedy {
                if f.show_remedy && !said.contains(&remedy.as_str()) {
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
        // Everything not checked, step 2 not run included (it has no finding of its own).
        ("skipped", report.unchecked.len().max(s.skipped)),
        ("info", s.info),
    ] {
        counts.insert(k.to_owned(), v.to_string());
    }
    let v = style(report.verdict.status());
    writeln!(out, "{v}{}{v:#}", report.verdict_text)?;
    for u in &report.unchecked {
        writeln!(out, "  - {}", u.what)?;
        writeln!(out, "    {dim}{}{dim:#}", u.how)?;
    }
    writeln!(out, "{}", locale.render("summary.counts", &counts))?;
    out.flush()
}

/// Step 2's progress on one line of stderr (hosts done of all), only when stderr is a
/// terminal; the line is cleared when the last host is done.
pub fn network_progress(locale: &Locale) -> doctor_core::network::Observer {
    use doctor_core::netfacts::NetEvent;
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return doctor_core::network::Observer::default();
    }
    let template = locale.text("network.cli.progress").to_owned();
    let counts = std::sync::Mutex::new((0usize, 0usize));
    doctor_core::network::Observer::new(move |event| {
        let mut c = counts.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            NetEvent::Targets { hosts, .. } => *c = (0, hosts.len()),
            NetEvent::HostDone { .. } => c.0 += 1,
            _ => return,
        }
        let (done, total) = *c;
        if total > 0 && done == total {
            eprint!("\r\x1b[2K");
            return;
        }
        let line = template
            .replace("{done}", &done.to_string())
            .replace("{total}", &total.to_string());
        eprint!("\r\x1b[2K{line}");
    })
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
            doctor_core::units::human_bytes(p.bytes_done),
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
        doctor_core::units::human_bytes(outcome.bytes),
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
    use doctor_core::fleet::printable as p;
    use doctor_core::fleet::sites::{stage_label, SiteSource};
    let mut out = AutoStream::auto(std::io::stdout().lock());
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let params = |pairs: &[(&str, String)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    };
    let summary = params(&[
        ("read", report.read.to_string()),
        ("groups", report.groups.len().to_string()),
        ("unreadable", report.unreadable.len().to_string()),
    ]);
    writeln!(
        out,
        "{bold}{}{bold:#}",
        locale.render("fleet.summary", &summary)
    )?;

    if !report.sites.is_empty() {
        writeln!(out)?;
        writeln!(out, "{bold}{}{bold:#}", locale.text("fleet.site.title"))?;
    }
    for s in &report.sites {
        let name = if s.source == SiteSource::Unknown {
            locale.text("fleet.site.unknown").to_owned()
        } else {
            p(&s.site)
        };
        let colour = match (s.failing, s.warning) {
            (0, 0) => style(Status::Pass),
            (0, _) => style(Status::Warn),
            _ => style(Status::Fail),
        };
        let line = params(&[
            ("site", name),
            ("endpoints", s.endpoints.to_string()),
            ("failing", s.failing.to_string()),
            ("warning", s.warning.to_string()),
        ]);
        writeln!(out)?;
        writeln!(
            out,
            "{colour}{}{colour:#}",
            locale.render("fleet.site.line", &line)
        )?;
        for g in s.host_groups.iter().filter(|g| g.failed > 0) {
            let stages: Vec<String> = g
                .stages
                .iter()
                .map(|st| {
                    format!(
                        "{} ({}) ×{}",
                        stage_label(st.stage),
                        st.error.as_str(),
                        st.endpoints
                    )
                })
                .collect();
            let gp = params(&[
                ("group", p(locale.text(&format!("purpose.{}", g.purpose)))),
                ("failed", g.failed.to_string()),
                ("tested", g.tested.to_string()),
                ("stages", stages.join(", ")),
            ]);
            writeln!(out, "  {}", locale.render("fleet.site.group_fail", &gp))?;
        }
        if let Some(rc) = &s.root_cause {
            let cause = params(&[
                ("count", rc.endpoints.to_string()),
                ("of", rc.of.to_string()),
                ("message", p(&locale.render(&rc.message_key, &rc.params))),
            ]);
            writeln!(out, "  {}", locale.render("fleet.site.root_cause", &cause))?;
            if let Some(rk) = &rc.remedy_key {
                writeln!(
                    out,
                    "      → {bold}{}{bold:#}: {}",
                    locale.text("label.remedy"),
                    p(&locale.render(rk, &rc.remedy_params))
                )?;
            }
        }
    }

    for g in &report.groups {
        let s = style(Status::Fail);
        let gp = params(&[
            (
                "kind",
                locale.text(&format!("fleet.kind.{}", g.kind)).to_owned(),
            ),
            ("value", p(&g.value)),
            ("count", g.members.len().to_string()),
        ]);
        writeln!(out)?;
        writeln!(out, "{s}{}{s:#}", locale.render("fleet.group", &gp))?;
        for m in &g.members {
            writeln!(out, "  {}  {dim}{}{dim:#}", p(&m.hostname), p(&m.source))?;
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
        writeln!(out)?;
        writeln!(out, "{}", locale.text("fleet.none"))?;
    }
    if !report.unreadable.is_empty() {
        let s = style(Status::Warn);
        writeln!(out)?;
        writeln!(out, "{s}{}{s:#}", locale.text("fleet.unreadable.title"))?;
        for u in &report.unreadable {
            writeln!(
                out,
                "  {dim}{} — {} ({}){dim:#}",
                p(&u.source),
                locale.text(&format!("fleet.unreadable.{}", u.reason)),
                p(&u.detail)
            )?;
        }
        writeln!(
            out,
            "      → {bold}{}{bold:#}: {}",
            locale.text("label.remedy"),
            locale.text("fleet.unreadable.remedy")
        )?;
    }
    out.flush()
}

/// `inventory`: one line per endpoint with its verdict, details for those not plainly
/// listed, the remedy once per kind, then the counts; or the one error and its remedy.
pub fn inventory_text(
    report: &doctor_core::inventory::RenderedInventory,
    locale: &Locale,
) -> std::io::Result<()> {
    let mut out = AutoStream::auto(std::io::stdout().lock());
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    writeln!(out, "{bold}{}{bold:#}", locale.text("step.console.title"))?;
    writeln!(out, "{dim}{}{dim:#}", report.api)?;
    writeln!(out)?;
    if let Some(e) = &report.error {
        let s = style(e.status);
        writeln!(out, "{s}[{}]{s:#} {}", e.status_text, e.message)?;
        for ev in &e.evidence {
            writeln!(out, "      {dim}{}: {}{dim:#}", ev.label, ev.value)?;
        }
        if let Some(r) = &e.remedy {
            writeln!(
                out,
                "      → {bold}{}{bold:#}: {r}",
                locale.text("label.remedy")
            )?;
        }
        return out.flush();
    }
    let mut said: Vec<&str> = Vec::new();
    for v in &report.endpoints {
        let f = &v.finding;
        let s = style(f.status);
        writeln!(out, "  {s}[{}]{s:#} {}", f.status_text, f.message)?;
        if f.status != Status::Pass {
            for ev in f.evidence.iter().skip(1) {
                writeln!(out, "      {dim}{}: {}{dim:#}", ev.label, ev.value)?;
            }
        }
        if let Some(local) = &v.local {
            let verdict = local
                .verdict
                .as_deref()
                .map(|k| locale.text(&format!("status.{k}")).to_owned())
                .unwrap_or_default();
            writeln!(
                out,
                "      {dim}{}: {verdict} {}{dim:#}",
                locale.text("inventory.cli.local"),
                local.problems.join(", ")
            )?;
        }
        if let Some(r) = &f.remedy {
            if !said.contains(&r.as_str()) {
                said.push(r);
                writeln!(
                    out,
                    "      → {bold}{}{bold:#}: {r}",
                    locale.text("label.remedy")
                )?;
            }
        }
    }
    for n in &report.skipped {
        writeln!(
            out,
            "  {dim}{}: {} ({}){dim:#}",
            locale.text("inventory.cli.skipped"),
            n.path,
            n.reason
        )?;
    }
    writeln!(out)?;
    let s = style(if report.missing > 0 {
        Status::Fail
    } else {
        Status::Pass
    });
    writeln!(out, "{s}{}{s:#}", report.summary_text)?;
    out.flush()
}
