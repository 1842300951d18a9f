//! `report.html`: the check results for people, self-contained (no scripts, no remote
//! anything), localised, readable offline and printable.

use super::answers::{AnswerLine, Section};
use super::manifest::Manifest;
use super::pipeline::FileList;
use super::BundleRequest;
use crate::finding::Step;
use crate::i18n::Locale;
use crate::present::report::render_finding;
use crate::probe::ProbeSource;
use crate::units::human_bytes;
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Catalogue text for the page: escaped, with its code (commands, paths; marked with
/// backticks in the catalogues) shown as code, never as literal backticks. An unpaired
/// backtick stays as typed.
fn rich(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len() % 2 == 0 {
        return escape(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", escape(p))
            } else {
                escape(p)
            }
        })
        .collect()
}

/// Standard base64 (RFC 4648) for data URIs; a few lines, not worth a dependency.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

const STYLE: &str = r#"
body{font-family:"Yu Gothic UI","Meiryo","Noto Sans CJK JP","Noto Sans JP",system-ui,sans-serif;color:#1d2327;max-width:980px;margin:24px auto;padding:0 16px;line-height:1.6}
h1{color:#0b6e63;margin-bottom:0}h2{margin-top:28px;border-bottom:2px solid #e3e6e8}
.meta{color:#5f6368;font-size:.9em}.replay{border:2px solid #8a5a00;background:#fff4ce;padding:8px 12px;font-weight:bold}
.verdict{border-left:8px solid #1e7b34;padding:8px 14px;background:#f4f6f7}.verdict.warn{border-color:#8a5a00}.verdict.fail{border-color:#b3261e}.verdict.incomplete{border-color:#5f6368}
.unchecked li{margin:2px 0}.unchecked small{color:#5f6368;display:block}
.f{display:flex;gap:12px;padding:8px 0;border-top:1px solid #e3e6e8;break-inside:avoid}
.chip{flex:0 0 6.5em;text-align:center;font-size:.8em;font-weight:bold;color:#fff;border-radius:999px;padding:2px 8px;height:fit-content}
.chip.pass{background:#1e7b34}.chip.warn{background:#8a5a00}.chip.fail{background:#b3261e}.chip.info{background:#1f5f99}.chip.skipped{background:#5f6368}
.remedy{background:#eef6f5;padding:4px 10px;border-radius:6px;margin:4px 0}
code{font-family:Consolas,"Cascadia Mono","Noto Sans Mono",monospace;font-size:.9em;background:#eef0f1;padding:0 3px;border-radius:3px}
table{border-collapse:collapse;width:100%;font-size:.85em}td,th{border:1px solid #d5d9dc;padding:3px 6px;text-align:left;vertical-align:top}
dl{display:grid;grid-template-columns:max-content 1fr;gap:0 12px;font-size:.85em;margin:4px 0}dt{color:#5f6368}dd{margin:0;overflow-wrap:anywhere}
.shot img{max-width:100%;border:1px solid #d5d9dc}.shot figcaption{font-size:.85em;color:#5f6368}
@media print{body{margin:0}.f{page-break-inside:avoid}}
"#;

/// Writes the report of `request` to `out`; the table of files is streamed, so a bundle of
/// 100,000 files does not build the whole page in memory. `answers` are `answers::lines`.
pub(crate) fn write(
    out: &mut dyn std::io::Write,
    request: &BundleRequest<'_>,
    manifest: &Manifest<FileList<'_>>,
    answers: &[AnswerLine],
) -> std::io::Result<()> {
    let l = Locale::for_face(request.lang, request.from_app);
    let d = request.diagnosis;
    let t = |k: &str| escape(l.text(k));
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        request.lang.code(),
        t("bundle.report.title")
    );
    let _ = write!(h, "<h1>{}</h1>", t("bundle.report.title"));
    let _ = write!(
        h,
        "<p class=\"meta\">{}: {} · {}: {} · {}: {} · {}: {}</p>",
        t("bundle.report.created"),
        escape(
            &chrono::DateTime::parse_from_rfc3339(&manifest.created_at_local)
                .map(|t| t.format("%Y-%m-%d %H:%M:%S (UTC%:z)").to_string())
                .unwrap_or_else(|_| manifest.created_at_local.clone())
        ),
        t("evidence.hostname"),
        escape(&d.os.hostname),
        t("label.system"),
        escape(&format!(
            "{} {} {}",
            d.os.name,
            d.os.version,
            d.os.build.clone().unwrap_or_default()
        )),
        t("label.catalogue"),
        escape(&manifest.catalogue_version)
    );
    if let ProbeSource::Scenario { name, .. } = &d.source {
        let mut p = BTreeMap::new();
        p.insert("name".to_owned(), name.clone());
        let _ = write!(
            h,
            "<p class=\"replay\">{}</p>",
            escape(&l.render("source.scenario", &p))
        );
    }
    let verdict = d.summary.verdict().as_str();
    let s = &d.summary;
    let counts: BTreeMap<String, String> = [
        ("pass", s.pass),
        ("warn", s.warn),
        ("fail", s.fail),
        // Everything not checked, step 2 not run included (it has no finding of its own).
        ("skipped", d.unchecked.len().max(s.skipped)),
        ("info", s.info),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), v.to_string()))
    .collect();
    let _ = write!(
        h,
        "<div class=\"verdict {verdict}\"><p><strong>{}</strong></p>",
        t(&format!("verdict.{verdict}"))
    );
    // What was not checked, with how to check it: why the verdict is not "no problems".
    if !d.unchecked.is_empty() {
        // The incomplete verdict's own sentence leads into the list; after another it is
        // named.
        if d.summary.verdict() != crate::finding::Verdict::Incomplete {
            let _ = write!(h, "<p>{}</p>", t("bundle.report.unchecked"));
        }
        h.push_str("<ul class=\"unchecked\">");
        for u in &d.unchecked {
            let _ = write!(
                h,
                "<li>{}<small>{}</small></li>",
                rich(&l.message(&u.what)),
                rich(&l.message(&u.how))
            );
        }
        h.push_str("</ul>");
    }
    let _ = write!(
        h,
        "<p>{}</p></div>",
        escape(&l.render("summary.counts", &counts))
    );

    // The answers go under their step's heading: step 3's under step 3, the rest under
    // step 4 ("information for support"), so that heading is said once.
    let answers_of = |step: Step| -> Vec<&AnswerLine> {
        answers
            .iter()
            .filter(|a| match step {
                Step::Connection => a.section == Section::Connection,
                Step::Support => a.section != Section::Connection,
                _ => false,
            })
            .collect()
    };
    let apex_one =
        answers.iter().any(|a| a.section == Section::ApexOne) || d.coexistence.apex_one.is_some();
    for step in Step::ALL {
        // No Apex One row where there is no Apex One (neither on this endpoint nor in the
        // answers): the "none found" line is left out.
        let items: Vec<_> = d
            .findings
            .iter()
            .filter(|f| f.step == step && (apex_one || f.id != "coexist.apex_one"))
            .collect();
        let typed = answers_of(step);
        if items.is_empty() && typed.is_empty() {
            continue;
        }
        let _ = write!(h, "<h2>{}</h2>", t(&step.title_key()));
        for f in items {
            let r = render_finding(f, l);
            let _ = write!(
                h,
                "<div class=\"f\"><span class=\"chip {}\">{}</span><div><div>{}</div>",
                r.status.as_str(),
                escape(&r.status_text),
                rich(&r.message)
            );
            if let (Some(remedy), true) = (&r.remedy, r.show_remedy) {
                let _ = write!(
                    h,
                    "<div class=\"remedy\"><strong>{}</strong>: {}</div>",
                    t("label.remedy"),
                    rich(remedy)
                );
            }
            if !r.evidence.is_empty() {
                h.push_str("<dl>");
                for e in &r.evidence {
                    let _ = write!(
                        h,
                        "<dt>{}</dt><dd>{}</dd>",
                        escape(&e.label),
                        escape(&e.value)
                    );
                }
                h.push_str("</dl>");
            }
            h.push_str("</div></div>");
        }
        if !typed.is_empty() {
            let _ = write!(
                h,
                "<h3>{}</h3><dl class=\"answers\">",
                t("bundle.report.answers_given")
            );
            for a in typed {
                let _ = write!(
                    h,
                    "<dt>{}</dt><dd>{}</dd>",
                    t(a.label_key),
                    escape(&a.value_text(l))
                );
            }
            h.push_str("</dl>");
        }
    }

    if !manifest.screenshots.is_empty() {
        let _ = write!(h, "<h2>{}</h2>", t("bundle.report.screenshots"));
        for s in &manifest.screenshots {
            // Embedded, so the report shows them even outside the zip and when printed.
            let img = std::fs::read(&s.original_path)
                .map(|b| {
                    format!(
                        "<img src=\"data:image/png;base64,{}\" alt=\"{}\">",
                        base64(&b),
                        escape(&s.caption)
                    )
                })
                .unwrap_or_default();
            let slot_key = format!("ui.slot.{}", s.slot);
            let caption = if s.caption.is_empty() {
                l.text(&slot_key)
            } else {
                &s.caption
            };
            let _ = write!(
                h,
                "<figure class=\"shot\">{img}<figcaption>{} — <code>{}</code></figcaption></figure>",
                escape(caption),
                escape(&s.entry)
            );
        }
    }

    let _ = write!(h, "<h2>{}</h2>", t("bundle.report.files"));
    if manifest.files.len() == 0 {
        // No empty table: one sentence.
        let _ = write!(h, "<p>{}</p>", t("bundle.report.no_files"));
    } else {
        write_files(&mut h, out, manifest, l)?;
    }
    if !manifest.skipped.is_empty() {
        let _ = write!(h, "<h2>{}</h2><table>", t("bundle.report.skipped"));
        for s in &manifest.skipped {
            if h.len() >= 64 * 1024 {
                out.write_all(h.as_bytes())?;
                h.clear();
            }
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&s.path),
                t(&format!("bundle.skip.{}", s.reason.as_str())),
                escape(&s.detail)
            );
        }
        h.push_str("</table>");
    }
    let _ = write!(
        h,
        "<p class=\"meta\">{}</p></body></html>",
        t("bundle.report.footer")
    );
    out.write_all(h.as_bytes())
}

/// The table of collected files, streamed through `out` every 64 KiB.
fn write_files(
    h: &mut String,
    out: &mut dyn std::io::Write,
    manifest: &Manifest<FileList<'_>>,
    l: &Locale,
) -> std::io::Result<()> {
    let t = |k: &str| escape(l.text(k));
    let _ = write!(
        h,
        "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        t("bundle.report.entry"),
        t("bundle.report.size"),
        t("bundle.report.stored"),
        t("bundle.report.notes")
    );
    for f in manifest.files.iter() {
        if h.len() >= 64 * 1024 {
            out.write_all(h.as_bytes())?;
            h.clear();
        }
        let mut notes = Vec::new();
        if f.cut {
            notes.push(l.text("bundle.report.cut").to_owned());
        }
        if f.redactions > 0 {
            let mut p = BTreeMap::new();
            p.insert("count".to_owned(), f.redactions.to_string());
            notes.push(l.render("bundle.report.masked", &p));
        }
        if f.changed_while_read {
            notes.push(l.text("bundle.report.changed").to_owned());
        }
        let _ = write!(
            h,
            "<tr><td>{}<br><small>{}</small></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&f.entry),
            escape(&f.original_path),
            human_bytes(f.size),
            human_bytes(f.stored_size),
            escape(&notes.join(" / "))
        );
    }
    h.push_str("</table>");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn code_in_catalogue_text_is_shown_as_code_never_as_backticks() {
        assert_eq!(
            super::rich("Run `a <b>` now"),
            "Run <code>a &lt;b&gt;</code> now"
        );
        assert_eq!(super::rich("one ` alone"), "one ` alone");
    }

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(super::base64(b"foobar"), "Zm9vYmFy");
    }
}
