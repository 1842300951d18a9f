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

/// How strongly a piece of text points to one region, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Basis {
    /// The agent's own Basecamp server, `api-<xbc>.xbc.trendmicro.com`.
    BasecampServer,
    /// The agent's environment, `prod-<xbc>`.
    Environment,
    /// Another host that only this region's list has or only its codes produce.
    RegionHost,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::BasecampServer => "basecamp_server",
            Basis::Environment => "environment",
            Basis::RegionHost => "region_host",
        }
    }
}

/// What decided the region, and how strong it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub code: String,
    /// The text that decided, e.g. `api-ap2.xbc.trendmicro.com`.
    pub evidence: String,
    pub basis: Basis,
}

/// Host names under the vendor's domains, lower-cased, in the order they appear.
fn vendor_names(lower: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for suffix in [".trendmicro.com", ".trendmicro.co.jp"] {
        for (at, _) in lower.match_indices(suffix) {
            let end = at + suffix.len();
            // `.trendmicro.com` inside `.trendmicro.com.au` and the like is not a name end.
            if lower[end..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                continue;
            }
            let start = lower[..at]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
                .map_or(0, |i| i + 1);
            out.push((start, &lower[start..end]));
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

/// The regions a host name belongs to: those whose list has it, and those whose codes make
/// it (`-<xbc>.xbc.`, `-<xbc>.mgcp.`, `-<aws>.xdr.`). A name with several is shared across
/// sites (the Middle East's `er-ws-ase1`, Europe's `api-ap3`) and decides nothing alone.
fn regions_of<'a>(regions: &[&'a crate::catalogue::Region], name: &str) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for r in regions {
        let listed = r.hosts.iter().any(|h| h.host.eq_ignore_ascii_case(name));
        let made = name.contains(&format!("-{}.xbc.trendmicro.com", r.xbc))
            || name.contains(&format!("-{}.mgcp.trendmicro.com", r.xbc))
            || name.contains(&format!("-{}.xdr.trendmicro.com", r.aws));
        if (listed || made) && !out.contains(&r.code.as_str()) {
            out.push(&r.code);
        }
    }
    out
}

/// Decides the region `text` belongs to on its most specific evidence: the Basecamp server
/// first, then the `prod-<xbc>` environment, then hosts that belong to one region only.
/// Within the strongest kind found, the region seen most often wins; a tie, or only names
/// shared across sites, decides nothing.
pub fn detect_in_text(catalogue: &Catalogue, text: &str) -> Option<Detection> {
    let lower = text.to_ascii_lowercase();
    // Sites without known codes cannot be recognised; a site sharing an earlier one's codes
    // (Canada, on the Americas hosts) is never told apart from it.
    let mut regions: Vec<&crate::catalogue::Region> = Vec::new();
    for r in catalogue
        .network
        .regions
        .iter()
        .filter(|r| !r.xbc.is_empty())
    {
        if !regions.iter().any(|o| o.xbc == r.xbc && o.aws == r.aws) {
            regions.push(r);
        }
    }
    // (basis, code) → (count, first position, the text).
    let mut seen: Vec<(Basis, String, usize, usize, String)> = Vec::new();
    let mut note = |basis: Basis, code: &str, at: usize, evidence: &str| match seen
        .iter_mut()
        .find(|(b, c, ..)| *b == basis && c == code)
    {
        Some(entry) => entry.2 += 1,
        None => seen.push((basis, code.to_owned(), 1, at, evidence.to_owned())),
    };
    for (at, name) in vendor_names(&lower) {
        let owners = regions_of(&regions, name);
        if let [code] = owners.as_slice() {
            let r = regions.iter().find(|r| r.code == *code);
            let server = r.is_some_and(|r| name == format!("api-{}.xbc.trendmicro.com", r.xbc));
            let basis = if server {
                Basis::BasecampServer
            } else {
                Basis::RegionHost
            };
            note(basis, code, at, &text[at..at + name.len()]);
        }
    }
    for r in &regions {
        let pattern = format!("prod-{}", r.xbc);
        for (at, _) in lower.match_indices(&pattern) {
            let end = at + pattern.len();
            let whole = !lower[end..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric());
            if whole {
                note(Basis::Environment, &r.code, at, &text[at..end]);
            }
        }
    }
    for basis in [Basis::BasecampServer, Basis::Environment, Basis::RegionHost] {
        let mut here: Vec<&(Basis, String, usize, usize, String)> =
            seen.iter().filter(|(b, ..)| *b == basis).collect();
        here.sort_by(|a, b| b.2.cmp(&a.2).then(a.3.cmp(&b.3)));
        match here.as_slice() {
            [] => continue,
            [first, second, ..] if first.2 == second.2 => continue,
            [first, ..] => {
                return Some(Detection {
                    code: first.1.clone(),
                    evidence: first.4.clone(),
                    basis,
                })
            }
        }
    }
    None
}

/// [`detect_in_text`] as region code and the text that decided.
pub fn region_in_text(catalogue: &Catalogue, text: &str) -> Option<(String, String)> {
    detect_in_text(catalogue, text).map(|d| (d.code, d.evidence))
}

fn join(dir: &str, name: &str) -> String {
    let sep = if dir.contains('\\') { '\\' } else { '/' };
    format!("{}{sep}{name}", dir.trim_end_matches(sep))
}

/// The region named by the agent's own environment value (`vom_env`, e.g. `prod-us1`, read
/// from `place`). It is the agent's registration itself, so it outranks anything found
/// in files or logs: callers try it first.
pub fn from_agent_environment(
    catalogue: &Catalogue,
    environment: &str,
    place: &str,
) -> Option<RegionChoice> {
    let env = environment.trim().to_ascii_lowercase();
    let xbc = env.rsplit('-').next()?;
    let r = catalogue
        .network
        .regions
        .iter()
        .find(|r| r.xbc.eq_ignore_ascii_case(xbc))?;
    Some(RegionChoice::Detected {
        code: r.code.clone(),
        file: place.to_owned(),
        evidence: environment.trim().to_owned(),
        // The agent's registered environment value itself (vom_env), not a trace of it.
        basis: Some("agent_environment".to_owned()),
    })
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
        detect_in_text(catalogue, &text).map(|d| RegionChoice::Detected {
            code: d.code,
            file,
            evidence: d.evidence,
            basis: Some(d.basis.as_str().to_owned()),
        })
    })
}

/// The region this agent is registered to, as step 2 decides it when the user did not
/// choose one: the agent's own `vom_env` value first (its registration, not a trace of
/// it), then the region its files and logs name. The one rule for every face (step 2, the
/// console check, the CLI).
pub fn of_agent(
    probe: &dyn Probe,
    catalogue: &Catalogue,
    os: &crate::probe::OsFacts,
) -> Option<RegionChoice> {
    use crate::layout;
    let install = layout::install_dir(catalogue, os);
    let sep = if os.platform == crate::probe::Platform::Windows {
        "\\"
    } else {
        "/"
    };
    let dirs = vec![install.clone(), format!("{install}{sep}etc")];
    let values = layout::agent_values(probe, catalogue, os);
    values
        .environment
        .as_deref()
        .and_then(|env| {
            let place = format!(
                "{}\\{}",
                values.read_from.as_deref().unwrap_or_default(),
                catalogue.agent.windows.environment_value
            );
            from_agent_environment(catalogue, env, &place)
        })
        .or_else(|| detect(probe, catalogue, &dirs, &layout::log_dir(catalogue, os)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agents_environment_value_names_its_region() {
        let cat = Catalogue::embedded();
        let got = from_agent_environment(&cat, "prod-us1", r"HKLM\X\vom_env").unwrap();
        assert_eq!(got.code(), "us");
        assert_eq!(
            from_agent_environment(&cat, " PROD-AP2 ", "k")
                .unwrap()
                .code(),
            "jp"
        );
        assert!(from_agent_environment(&cat, "staging-zz9", "k").is_none());
    }

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

    #[test]
    fn names_shared_across_sites_do_not_decide_and_the_strongest_evidence_wins() {
        let cat = Catalogue::embedded();
        // The Middle East's response host looks like Singapore's, many times over; its
        // Basecamp server decides.
        let mea = "ws er-ws-ase1.xdr.trendmicro.com\n".repeat(20)
            + "register https://api-mea.xbc.trendmicro.com/v1";
        let d = detect_in_text(&cat, &mea).unwrap();
        assert_eq!(
            (d.code.as_str(), d.evidence.as_str(), d.basis),
            ("mea", "api-mea.xbc.trendmicro.com", Basis::BasecampServer)
        );
        // Europe's list names api-ap3 / cdn-api-ap3; its environment decides.
        let eu = "fetch cdn-api-ap3.xbc.trendmicro.com\n".repeat(9) + "vom_env=prod-eu1";
        let d = detect_in_text(&cat, &eu).unwrap();
        assert_eq!((d.code.as_str(), d.basis), ("eu", Basis::Environment));
        // Shared names alone decide nothing.
        assert!(detect_in_text(
            &cat,
            "er-ws-ase1.xdr.trendmicro.com api-ap3.xbc.trendmicro.com"
        )
        .is_none());
        // A host only one region has still decides when nothing stronger is there.
        let d = detect_in_text(&cat, "upload to xlogr-ane1.xdr.trendmicro.com").unwrap();
        assert_eq!((d.code.as_str(), d.basis), ("jp", Basis::RegionHost));
        // A name is not found inside a longer one.
        assert!(detect_in_text(&cat, "prod-ap2x").is_none());
    }
}
