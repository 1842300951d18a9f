//! Which Vision One region the endpoint belongs to: the one the user names, or the one the
//! agent's own files reveal (its Basecamp server `api-ap2.xbc.trendmicro.com`, its
//! environment `prod-ap2`, its XDR hosts `xlogr-ane1.xdr...`). Reads configuration files
//! of the install folder first, then the tails of the newest logs.

use crate::catalogue::Catalogue;
pub use crate::netfacts::RegionChoice;
use crate::probe::Probe;

const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
const LOG_TAIL_BYTES: u64 = 256 * 1024;
const NEWEST_LOGS: usize = 5;

/// The region whose hosts appear most often in `text`, with the first matching text.
pub fn region_in_text(catalogue: &Catalogue, text: &str) -> Option<(String, String)> {
    let lower = text.to_ascii_lowercase();
    let mut best: Option<(usize, String, String)> = None;
    // A site whose codes are not known cannot be recognised; one that shares another's
    // codes (Canada, on the Americas hosts) is never told apart, so the first listed wins.
    for r in catalogue
        .network
        .regions
        .iter()
        .filter(|r| !r.xbc.is_empty())
    {
        let patterns = [
            format!("-{}.xbc.trendmicro.com", r.xbc),
            format!("prod-{}", r.xbc),
            format!("-{}.xdr.trendmicro.com", r.aws),
        ];
        let mut count = 0;
        let mut first: Option<String> = None;
        for p in &patterns {
            for (at, _) in lower.match_indices(p.as_str()) {
                count += 1;
                if first.is_none() {
                    // Widen to the whole host name for the evidence.
                    let start = lower[..at]
                        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
                        .map_or(0, |i| i + 1);
                    first = Some(text[start..at + p.len()].to_owned());
                }
            }
        }
        if count > 0 && best.as_ref().is_none_or(|(c, _, _)| count > *c) {
            best = Some((count, r.code.clone(), first.unwrap_or_default()));
        }
    }
    best.map(|(_, code, evidence)| (code, evidence))
}

fn join(dir: &str, name: &str) -> String {
    let sep = if dir.contains('\\') { '\\' } else { '/' };
    format!("{}{sep}{name}", dir.trim_end_matches(sep))
}

/// Looks through the agent's configuration files and newest logs for its region.
pub fn detect(
    probe: &dyn Probe,
    catalogue: &Catalogue,
    config_dirs: &[String],
    log_dir: &str,
) -> Option<RegionChoice> {
    let mut candidates: Vec<(String, u64)> = Vec::new();
    for dir in config_dirs {
        if let Ok(entries) = probe.list_dir(dir) {
            let mut files: Vec<_> = entries
                .into_iter()
                .filter(|e| !e.is_dir && e.size <= MAX_CONFIG_BYTES)
                .filter(|e| {
                    let n = e.name.to_ascii_lowercase();
                    [
                        ".json",
                        ".conf",
                        ".cfg",
                        ".ini",
                        ".xml",
                        ".property",
                        ".properties",
                        ".yaml",
                    ]
                    .iter()
                    .any(|ext| n.ends_with(ext))
                })
                .collect();
            files.sort_by(|a, b| a.name.cmp(&b.name));
            candidates.extend(
                files
                    .into_iter()
                    .map(|e| (join(dir, &e.name), MAX_CONFIG_BYTES)),
            );
        }
    }
    if let Ok(entries) = probe.list_dir(log_dir) {
        let mut logs: Vec<_> = entries.into_iter().filter(|e| !e.is_dir).collect();
        logs.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.name.cmp(&b.name)));
        candidates.extend(
            logs.into_iter()
                .take(NEWEST_LOGS)
                .map(|e| (join(log_dir, &e.name), LOG_TAIL_BYTES)),
        );
    }
    candidates.into_iter().find_map(|(file, max)| {
        let bytes = probe.read_tail(&file, max).ok()?;
        let text = String::from_utf8_lossy(&bytes);
        region_in_text(catalogue, &text).map(|(code, evidence)| RegionChoice::Detected {
            code,
            file,
            evidence,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_is_read_from_host_names_and_environments() {
        let cat = Catalogue::embedded();
        let (code, ev) = region_in_text(
            &cat,
            "2026-11-20 connect https://api-ap2.xbc.trendmicro.com/v1 ok; env=prod-ap2",
        )
        .unwrap();
        assert_eq!(code, "jp");
        assert_eq!(ev, "api-ap2.xbc.trendmicro.com");
        assert_eq!(
            region_in_text(&cat, "{\"xbc_env\": \"prod-eu1\"}")
                .unwrap()
                .0,
            "eu"
        );
        assert_eq!(
            region_in_text(&cat, "upload xlogr-ase2.xdr.trendmicro.com")
                .unwrap()
                .0,
            "au"
        );
        assert!(region_in_text(&cat, "nothing here").is_none());
    }
}
