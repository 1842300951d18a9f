//! The fleet report as one self-contained HTML page (inline CSS, no script, no remote
//! anything; a Content-Security-Policy forbids them too): the site × host-group table
//! coloured by failure rate with the counts behind it, the likely cause per site with
//! its remedy, proxies, regions, shared IDs, the endpoints with a problem and the files
//! that could not be read. Everything that came from a file is escaped; every sentence is
//! a locale key.

use super::sites::{stage_label, SiteSource, SiteSummary};
use super::FleetReport;
use crate::bundle::html::escape;
use crate::i18n::{Lang, Locale};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Rows of the endpoint table; the CSV export has them all.
const MAX_ENDPOINT_ROWS: usize = 2000;

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI','Yu Gothic UI','Noto Sans CJK JP',sans-serif;margin:24px;color:#1b1b1b}\
h1{font-size:22px}h2{font-size:17px;margin-top:28px}\
table{border-collapse:collapse;margin:8px 0;font-size:13px}\
th,td{border:1px solid #c8c8c8;padding:4px 8px;text-align:left;vertical-align:top}\
th{background:#f2f2f2}td.n{text-align:right}\
td.c{text-align:center;min-width:92px}td.c small{display:block;color:#333}\
.r0{background:#dff3e4}.r1{background:#fff3c4}.r2{background:#fdd9b5}.r3{background:#f6b9b9}.na{background:#f4f4f4;color:#777}\
.muted{color:#666;font-size:12px}.cause{margin:6px 0 14px}.cause b{display:block}\
@media print{body{margin:8mm}}";

fn site_name(locale: &Locale, s: &SiteSummary) -> String {
    if s.source == SiteSource::Unknown {
        locale.text("fleet.site.unknown").to_owned()
    } else {
        s.site.clone()
    }
}

fn site_source(locale: &Locale, source: SiteSource) -> &str {
    match source {
        SiteSource::Map => locale.text("fleet.site.source.map"),
        SiteSource::Hint => locale.text("fleet.site.source.hint"),
        SiteSource::Subnet => locale.text("fleet.site.source.subnet"),
        SiteSource::Unknown => "",
    }
}

fn rate_class(failed: usize, tested: usize) -> &'static str {
    if tested == 0 {
        return "na";
    }
    let rate = failed as f64 / tested as f64;
    if failed == 0 {
        "r0"
    } else if rate < 0.25 {
        "r1"
    } else if rate < 0.75 {
        "r2"
    } else {
        "r3"
    }
}

fn params(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// The page, in `lang`. `generated_at` is shown as given.
pub fn render(report: &FleetReport, lang: Lang, generated_at: &str) -> String {
    let l = Locale::get(lang);
    let mut h = String::with_capacity(64 * 1024);
    // Text from files is escaped, and its control characters are shown, not kept.
    let e = |s: &str| escape(&super::printable(s));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>{}</title><style>{CSS}</style></head><body>",
        lang.code(),
        e(l.text("fleet.html.title"))
    );
    let _ = write!(h, "<h1>{}</h1>", e(l.text("fleet.html.title")));
    let summary = params(&[
        ("read", report.read.to_string()),
        ("groups", report.groups.len().to_string()),
        ("unreadable", report.unreadable.len().to_string()),
    ]);
    let _ = write!(
        h,
        "<p>{}<br><span class=\"muted\">{}</span></p>",
        e(&l.render("fleet.summary", &summary)),
        e(&l.render(
            "fleet.html.generated",
            &params(&[
                ("time", generated_at.to_owned()),
                ("count", report.collected.to_string())
            ])
        ))
    );

    // Site × host group.
    if !report.sites.is_empty() {
        let groups: BTreeSet<&str> = report
            .sites
            .iter()
            .flat_map(|s| s.host_groups.iter().map(|g| g.purpose.as_str()))
            .collect();
        let _ = write!(
            h,
            "<h2>{}</h2><p class=\"muted\">{}</p><table><tr><th>{}</th><th>{}</th><th>{}</th>",
            e(l.text("fleet.html.site_table")),
            e(l.text("fleet.html.legend")),
            e(l.text("fleet.html.col_site")),
            e(l.text("fleet.html.col_endpoints")),
            e(l.text("fleet.html.col_failing")),
        );
        for g in &groups {
            let _ = write!(h, "<th>{}</th>", e(l.text(&format!("purpose.{g}"))));
        }
        h.push_str("</tr>");
        for s in &report.sites {
            let _ = write!(
                h,
                "<tr><th>{}<br><span class=\"muted\">{}</span></th><td class=\"n\">{}</td><td class=\"n\">{}</td>",
                e(&site_name(l, s)),
                e(site_source(l, s.source)),
                s.endpoints,
                s.failing
            );
            for g in &groups {
                match s.host_groups.iter().find(|c| c.purpose == *g) {
                    None => {
                        let _ = write!(
                            h,
                            "<td class=\"c na\">{}</td>",
                            e(l.text("fleet.html.not_tested"))
                        );
                    }
                    Some(c) => {
                        let stages: Vec<String> = c
                            .stages
                            .iter()
                            .take(3)
                            .map(|st| {
                                format!(
                                    "{} {} ×{}",
                                    stage_label(st.stage),
                                    st.error.as_str(),
                                    st.endpoints
                                )
                            })
                            .collect();
                        let _ = write!(
                            h,
                            "<td class=\"c {}\">{} / {}<small>{}</small></td>",
                            rate_class(c.failed, c.tested),
                            c.failed,
                            c.tested,
                            e(&stages.join(", "))
                        );
                    }
                }
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>");

        // The likely cause per site, with what to do.
        let _ = write!(h, "<h2>{}</h2>", e(l.text("fleet.html.root_causes")));
        let mut any = false;
        for s in &report.sites {
            let Some(rc) = &s.root_cause else { continue };
            any = true;
            let message = l.render(&rc.message_key, &rc.params);
            let groups: Vec<String> = rc
                .host_groups
                .iter()
                .map(|g| l.text(&format!("purpose.{g}")).to_owned())
                .collect();
            let stages: Vec<&str> = rc.stages.iter().map(|s| stage_label(*s)).collect();
            let _ = write!(
                h,
                "<div class=\"cause\"><b>{}</b>{}",
                e(&site_name(l, s)),
                e(&l.render(
                    "fleet.site.root_cause",
                    &params(&[
                        ("count", rc.endpoints.to_string()),
                        ("of", rc.of.to_string()),
                        ("message", message)
                    ])
                ))
            );
            if !groups.is_empty() {
                let _ = write!(
                    h,
                    "<br>{}",
                    e(&l.render(
                        "fleet.site.where",
                        &params(&[("groups", groups.join(", ")), ("stages", stages.join(", "))])
                    ))
                );
            }
            if let Some(rk) = &rc.remedy_key {
                let _ = write!(
                    h,
                    "<br>→ {}: {}",
                    e(l.text("label.remedy")),
                    e(&l.render(rk, &rc.remedy_params))
                );
            }
            h.push_str("</div>");
        }
        if !any {
            let _ = write!(h, "<p>{}</p>", e(l.text("fleet.html.none")));
        }

        for (title, rows, empty) in [
            ("fleet.proxy.title", &report.by_proxy, "fleet.proxy.direct"),
            (
                "fleet.region.title",
                &report.by_region,
                "fleet.region.unknown",
            ),
        ] {
            let _ = write!(
                h,
                "<h2>{}</h2><table><tr><th></th><th>{}</th><th>{}</th></tr>",
                e(l.text(title)),
                e(l.text("fleet.html.col_endpoints")),
                e(l.text("fleet.html.col_failing"))
            );
            for t in rows {
                let region_key = format!("region.{}", t.value);
                let name = if t.value.is_empty() {
                    l.text(empty).to_owned()
                } else if title == "fleet.region.title" && l.has(&region_key) {
                    l.text(&region_key).to_owned()
                } else {
                    t.value.clone()
                };
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    e(&name),
                    t.endpoints,
                    t.failing
                );
            }
            h.push_str("</table>");
        }

        if !report.findings.is_empty() {
            let _ = write!(
                h,
                "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
                e(l.text("fleet.html.findings")),
                e(l.text("fleet.html.col_finding")),
                e(l.text("fleet.html.col_fail")),
                e(l.text("fleet.html.col_warn"))
            );
            for f in &report.findings {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    e(&f.id),
                    f.fail,
                    f.warn
                );
            }
            h.push_str("</table>");
        }
    }

    // Shared IDs.
    let _ = write!(h, "<h2>{}</h2>", e(l.text("fleet.html.duplicates")));
    if report.groups.is_empty() {
        let _ = write!(h, "<p>{}</p>", e(l.text("fleet.none")));
    } else {
        for g in &report.groups {
            let text = l.render(
                "fleet.group",
                &params(&[
                    ("kind", l.text(&format!("fleet.kind.{}", g.kind)).to_owned()),
                    ("value", g.value.clone()),
                    ("count", g.members.len().to_string()),
                ]),
            );
            let _ = write!(h, "<p><b>{}</b></p><ul>", e(&text));
            for m in &g.members {
                let _ = write!(
                    h,
                    "<li>{} <span class=\"muted\">{}</span></li>",
                    e(&m.hostname),
                    e(&m.source)
                );
            }
            h.push_str("</ul>");
        }
        let _ = write!(
            h,
            "<p>→ {}: {}</p>",
            e(l.text("label.remedy")),
            e(l.text("identity.clone_risk.remedy"))
        );
    }

    // Endpoints with a problem.
    let with_problem: Vec<_> = report
        .endpoints
        .iter()
        .filter(|r| !r.problems.is_empty())
        .collect();
    if !with_problem.is_empty() {
        let _ = write!(
            h,
            "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            e(l.text("fleet.html.endpoints")),
            e(l.text("fleet.html.col_host")),
            e(l.text("fleet.html.col_site")),
            e(l.text("fleet.html.col_address")),
            e(l.text("fleet.html.col_proxy")),
            e(l.text("fleet.html.col_verdict")),
            e(l.text("fleet.html.col_finding")),
        );
        for r in with_problem.iter().take(MAX_ENDPOINT_ROWS) {
            let ids: Vec<&str> = r.problems.iter().map(|p| p.id.as_str()).collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                e(&r.hostname),
                e(&r.site),
                r.address.map(|a| a.to_string()).unwrap_or_default(),
                e(r.proxy.as_deref().unwrap_or("")),
                e(l.text(&format!("status.{}", r.verdict.as_str()))),
                e(&ids.join(", "))
            );
        }
        h.push_str("</table>");
        if with_problem.len() > MAX_ENDPOINT_ROWS {
            let _ = write!(
                h,
                "<p class=\"muted\">{}</p>",
                e(&l.render(
                    "fleet.html.more",
                    &params(&[(
                        "count",
                        (with_problem.len() - MAX_ENDPOINT_ROWS).to_string()
                    )])
                ))
            );
        }
    }

    if !report.unreadable.is_empty() {
        let _ = write!(
            h,
            "<h2>{}</h2><p>{}</p><table><tr><th>{}</th><th>{}</th></tr>",
            e(l.text("fleet.unreadable.title")),
            e(l.text("fleet.unreadable.remedy")),
            e(l.text("fleet.html.col_source")),
            e(l.text("fleet.html.col_reason"))
        );
        for u in &report.unreadable {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{} <span class=\"muted\">{}</span></td></tr>",
                e(&u.source),
                e(l.text(&format!("fleet.unreadable.{}", u.reason))),
                e(&u.detail)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</body></html>\n");
    h
}
