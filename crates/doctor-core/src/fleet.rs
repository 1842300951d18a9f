//! Comparing many endpoints: reads `identity.json` files, support bundles and collect
//! files (or folders of them), finds machines that share the Vision One agent ID, the
//! Apex One agent GUID or the OS machine ID (clones made without ImageSetupTool), and from
//! collect files draws the picture per site, proxy and region ([`sites`]). Every input is
//! untrusted ([`read`]): zips are read without extracting, sizes, entry counts and
//! compression ratios are bounded, links are not followed, and whatever cannot be read is
//! listed with the reason, never skipped in silence. Exports ([`to_csv`],
//! [`to_endpoints_csv`], [`html::render`]) neutralise what a spreadsheet or a browser
//! would run.

use crate::identity::Identity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub mod html;
mod read;
pub mod sites;
mod view;

pub use sites::{EndpointRow, FindingTally, SiteMap, SiteSummary, Tally};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Member {
    pub hostname: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Group {
    /// `xdr_device_id`, `apex_one_guid` or `machine_guid`.
    pub kind: String,
    pub value: String,
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Unreadable {
    pub source: String,
    /// `json`, `schema_version`, `zip`, `unsafe_name`, `ambiguous` (two entries of one
    /// name), `too_many_entries`, `too_large`, `no_manifest`, `no_identity`, `io`,
    /// `walk` (a folder could not be listed), `too_deep`, `symlink`, `not_a_file`.
    pub reason: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FleetReport {
    pub read: usize,
    pub groups: Vec<Group>,
    pub unreadable: Vec<Unreadable>,
    /// How many of the files read were collect files (the rest below comes from them).
    #[serde(default)]
    pub collected: usize,
    #[serde(default)]
    pub sites: Vec<SiteSummary>,
    #[serde(default)]
    pub by_proxy: Vec<Tally>,
    #[serde(default)]
    pub by_region: Vec<Tally>,
    /// Findings at warn or fail, with how many endpoints have each.
    #[serde(default)]
    pub findings: Vec<FindingTally>,
    /// Endpoints × findings: one row per collect file.
    #[serde(default)]
    pub endpoints: Vec<EndpointRow>,
}

impl FleetReport {
    /// What the CLI exits with: 0 when every file was read, no IDs are shared and no
    /// endpoint has a problem; 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        let problems = self.sites.iter().any(|s| s.failing + s.warning > 0);
        i32::from(!self.groups.is_empty() || !self.unreadable.is_empty() || problems)
    }
}

/// What `fleet` can be told besides the paths.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub sites: SiteMap,
}

fn unreadable(source: &Path, reason: &str, detail: impl ToString) -> Unreadable {
    Unreadable {
        source: source.display().to_string(),
        reason: reason.to_owned(),
        detail: detail.to_string(),
    }
}

/// Groups of two or more endpoints sharing an ID. The same host read twice (its bundle
/// and its identity file) is not a duplicate.
pub fn compare(entries: &[(PathBuf, Identity)]) -> Vec<Group> {
    let mut groups = Vec::new();
    for kind in ["xdr_device_id", "apex_one_guid", "machine_guid"] {
        let mut by_value: BTreeMap<String, Vec<Member>> = BTreeMap::new();
        for (path, id) in entries {
            let value = match kind {
                "xdr_device_id" => &id.xdr_device_id,
                "apex_one_guid" => &id.apex_one_guid,
                _ => &id.machine_guid,
            };
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                by_value
                    .entry(v.to_ascii_lowercase())
                    .or_default()
                    .push(Member {
                        hostname: id.hostname.clone(),
                        source: path.display().to_string(),
                    });
            }
        }
        for (value, members) in by_value {
            let mut hosts: Vec<String> = members
                .iter()
                .map(|m| m.hostname.to_ascii_lowercase())
                .collect();
            hosts.sort();
            hosts.dedup();
            if hosts.len() >= 2 {
                groups.push(Group {
                    kind: kind.to_owned(),
                    value,
                    members,
                });
            }
        }
    }
    groups
}

pub fn run(paths: &[PathBuf]) -> FleetReport {
    run_with(paths, &Options::default())
}

#[derive(Debug, Default)]
struct Acc {
    identities: Vec<(usize, Identity)>,
    unreadable: Vec<(usize, Unreadable)>,
    collected: usize,
    fleet: sites::FleetAcc,
}

/// Reads `paths` on every core, one file at a time, and folds as it goes: memory grows
/// with the number of endpoints only by their IDs and one row each.
pub fn run_with(paths: &[PathBuf], options: &Options) -> FleetReport {
    let (files, mut unreadable) = read::list(paths);
    let accs = read::read_parallel(&files, Acc::default, |acc, i, path, parsed| match parsed {
        Ok(read::Parsed::Identity(id)) => acc.identities.push((i, *id)),
        Ok(read::Parsed::Collect(c)) => {
            acc.collected += 1;
            acc.fleet
                .add(i, &path.display().to_string(), &c, &options.sites);
            acc.identities.push((i, c.identity));
        }
        Err(u) => acc.unreadable.push((i, u)),
    });
    let mut identities = Vec::new();
    let mut bad = Vec::new();
    let mut collected = 0;
    let mut fleet = sites::FleetAcc::default();
    for a in accs {
        identities.extend(a.identities);
        bad.extend(a.unreadable);
        collected += a.collected;
        fleet.merge(a.fleet);
    }
    identities.sort_by_key(|(i, _)| *i);
    bad.sort_by_key(|(i, _)| *i);
    unreadable.extend(bad.into_iter().map(|(_, u)| u));
    let entries: Vec<(PathBuf, Identity)> = identities
        .into_iter()
        .map(|(i, id)| (files[i].clone(), id))
        .collect();
    let sites::Finished {
        sites,
        by_proxy,
        by_region,
        findings,
        endpoints,
    } = fleet.finish();
    FleetReport {
        read: entries.len(),
        groups: compare(&entries),
        unreadable,
        collected,
        sites,
        by_proxy,
        by_region,
        findings,
        endpoints,
    }
}

/// Text from a file made safe for a terminal: control characters (escape sequences,
/// carriage returns, bidirectional overrides) shown as `\u{..}` instead of acting.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        if c.is_control() || bidi {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// One CSV cell: quoted when needed, escape sequences shown as text, and a leading `=`, `+`, `-`, `@`, tab or carriage
/// return neutralised with `'` so a spreadsheet shows it instead of running it.
pub fn csv_cell(s: &str) -> String {
    let mut v = String::with_capacity(s.len() + 2);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        v.push('\'');
    }
    // A tab or carriage return is kept (quoted); other control characters are shown.
    for c in s.chars() {
        if c.is_control() && c != '\t' && c != '\r' && c != '\n' {
            v.push_str(&printable(&c.to_string()));
        } else {
            v.push(c);
        }
    }
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// The groups as CSV: kind, shared value, host name, source file.
pub fn to_csv(report: &FleetReport) -> String {
    let mut out = String::from("kind,shared_value,hostname,source\n");
    for g in &report.groups {
        for m in &g.members {
            let cells = [&g.kind, &g.value, &m.hostname, &m.source].map(|c| csv_cell(c));
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    out
}

/// Endpoints × findings as CSV: one line per problem of each endpoint (one line with the
/// finding left empty for an endpoint without problems).
pub fn to_endpoints_csv(report: &FleetReport) -> String {
    let mut out = String::from(
        "hostname,site,address,proxy,region,verdict,finding,status,message_key,source\n",
    );
    for e in &report.endpoints {
        let address = e.address.map(|a| a.to_string()).unwrap_or_default();
        let base = [
            e.hostname.as_str(),
            e.site.as_str(),
            address.as_str(),
            e.proxy.as_deref().unwrap_or(""),
            e.region.as_deref().unwrap_or(""),
            e.verdict.as_str(),
        ];
        let mut line = |f: [&str; 3]| {
            let cells: Vec<String> = base
                .iter()
                .chain(f.iter())
                .chain([e.source.as_str()].iter())
                .map(|c| csv_cell(c))
                .collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        };
        if e.problems.is_empty() {
            line(["", "", ""]);
        }
        for p in &e.problems {
            line([&p.id, p.status.as_str(), &p.key]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{csv_cell, printable};

    #[test]
    fn formulas_never_reach_a_spreadsheet() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\rx"), "\"'\rx\"");
        assert_eq!(csv_cell("PC-1"), "PC-1");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(printable("PC\u{1b}[2J"), "PC\\u{1b}[2J");
        assert_eq!(printable("a\rb\n"), "a\\u{d}b\\u{a}");
        assert_eq!(printable("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(printable("営業部-PC"), "営業部-PC");
    }
}
