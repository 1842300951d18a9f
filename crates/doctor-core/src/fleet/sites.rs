//! The fleet's picture from collect files: each endpoint put in a site (a CIDR → site map,
//! else the deployment's site hint, else its IPv4 /24), then per site which Vision One
//! host groups fail at which stage, and the one cause shared by most endpoints with a
//! problem; also counts by proxy and by region and the endpoints × findings list. Folds
//! run per reading thread and merge at the end, so memory grows with sites and findings,
//! plus one small row per endpoint.

use super::view::{CollectView, HostView};
use crate::finding::{Status, Step};
use crate::network::{NetError, StageName};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};

/// CIDR → site name, longest prefix first.
#[derive(Debug, Clone, Default)]
pub struct SiteMap {
    nets: Vec<(u32, u8, String)>,
}

impl SiteMap {
    /// One `CIDR NAME` per line (comma, tab or space between), `#` comments, blank lines
    /// and a header line ignored. `Err` names the line.
    pub fn parse(text: &str) -> Result<SiteMap, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut nets = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (cidr, name) = line
                .split_once([',', '\t', ' ', ';'])
                .map_or((line, ""), |(c, r)| (c.trim(), r.trim()));
            let name = name.trim_matches('"').trim();
            let parsed = parse_cidr(cidr);
            match parsed {
                Some((net, prefix)) if !name.is_empty() => {
                    nets.push((net, prefix, clean_label(name)));
                }
                None if n == 0 && nets.is_empty() && !cidr.contains('.') => continue,
                _ => {
                    return Err(format!(
                        "line {}: expected \"CIDR,site name\" (e.g. 10.1.0.0/16,Tokyo), found {:?}",
                        n + 1,
                        clean_label(line)
                    ))
                }
            }
        }
        nets.sort_by_key(|n| std::cmp::Reverse(n.1));
        Ok(SiteMap { nets })
    }

    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    fn site_of(&self, ip: Ipv4Addr) -> Option<&str> {
        let ip = u32::from(ip);
        self.nets
            .iter()
            .find(|(net, prefix, _)| mask(ip, *prefix) == *net)
            .map(|(_, _, name)| name.as_str())
    }
}

fn mask(ip: u32, prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        ip & (u32::MAX << (32 - u32::from(prefix)))
    }
}

fn parse_cidr(text: &str) -> Option<(u32, u8)> {
    let (ip, prefix) = text.split_once('/').unwrap_or((text, "32"));
    let ip: Ipv4Addr = ip.trim().parse().ok()?;
    let prefix: u8 = prefix.trim().parse().ok().filter(|p| *p <= 32)?;
    Some((mask(u32::from(ip), prefix), prefix))
}

/// A label from a file or a site map: control characters out, at most 100 characters.
pub(crate) fn clean_label(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(100).collect()
}

/// Where an endpoint's site came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SiteSource {
    Map,
    Hint,
    Subnet,
    Unknown,
}

/// The site of an endpoint and why.
pub fn site_of(addresses: &[IpAddr], hint: Option<&str>, map: &SiteMap) -> (String, SiteSource) {
    let v4 = || {
        addresses.iter().filter_map(|a| match a {
            IpAddr::V4(v) => Some(*v),
            IpAddr::V6(v) => v.to_ipv4_mapped(),
        })
    };
    if let Some(name) = v4().find_map(|ip| map.site_of(ip)) {
        return (name.to_owned(), SiteSource::Map);
    }
    if let Some(h) = hint.map(clean_label).filter(|h| !h.trim().is_empty()) {
        return (h, SiteSource::Hint);
    }
    match v4().next() {
        Some(ip) => {
            let o = ip.octets();
            (
                format!("{}.{}.{}.0/24", o[0], o[1], o[2]),
                SiteSource::Subnet,
            )
        }
        None => (String::new(), SiteSource::Unknown),
    }
}

/// One stage's failures within a host group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StageCount {
    pub stage: StageName,
    pub error: NetError,
    pub endpoints: usize,
}

/// A site × host group cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HostGroupCell {
    pub purpose: String,
    /// Endpoints that tested a host of this group.
    pub tested: usize,
    /// Of those, endpoints where at least one host of the group failed.
    pub failed: usize,
    /// Where they failed, most endpoints first.
    pub stages: Vec<StageCount>,
}

/// The cause shared by most endpoints with a problem in a site (or the whole fleet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RootCause {
    /// `network:<error>` for a connection failure, else the finding's message key.
    pub cause: String,
    pub message_key: String,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    #[serde(default)]
    pub remedy_key: Option<String>,
    #[serde(default)]
    pub remedy_params: BTreeMap<String, String>,
    /// Endpoints with this cause, of `of` endpoints with any problem.
    pub endpoints: usize,
    pub of: usize,
    /// For a connection failure: the host groups and stages it was seen at.
    #[serde(default)]
    pub host_groups: Vec<String>,
    #[serde(default)]
    pub stages: Vec<StageName>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SiteSummary {
    /// The site's name (from the map or a hint), its /24, or empty when unknown.
    pub site: String,
    pub source: SiteSource,
    pub endpoints: usize,
    /// Endpoints whose verdict is fail / warn.
    pub failing: usize,
    pub warning: usize,
    pub host_groups: Vec<HostGroupCell>,
    pub root_cause: Option<RootCause>,
}

/// Endpoints sharing a proxy (`""` = direct) or a region (`""` = unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Tally {
    pub value: String,
    pub endpoints: usize,
    pub failing: usize,
    pub warning: usize,
}

/// How many endpoints have a finding at warn or fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FindingTally {
    pub id: String,
    pub key: String,
    pub warn: usize,
    pub fail: usize,
}

/// A finding of one endpoint that is a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    pub id: String,
    pub status: Status,
    pub key: String,
}

/// One endpoint in the endpoints × findings list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EndpointRow {
    pub hostname: String,
    pub source: String,
    pub site: String,
    #[serde(default)]
    pub address: Option<IpAddr>,
    #[serde(default)]
    pub proxy: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    pub verdict: Status,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Default)]
struct CauseAcc {
    endpoints: usize,
    message_key: String,
    params: BTreeMap<String, String>,
    remedy_key: Option<String>,
    groups: BTreeSet<String>,
    stages: BTreeSet<u8>,
    hosts: BTreeSet<String>,
    network: bool,
}

#[derive(Debug, Default)]
struct GroupAcc {
    tested: usize,
    failed: usize,
    stages: HashMap<(u8, NetError), usize>,
}

#[derive(Debug)]
struct SiteAcc {
    source: SiteSource,
    endpoints: usize,
    failing: usize,
    warning: usize,
    with_problem: usize,
    groups: BTreeMap<String, GroupAcc>,
    causes: HashMap<String, CauseAcc>,
}

/// The folds merged and sorted.
#[derive(Debug)]
pub(crate) struct Finished {
    pub sites: Vec<SiteSummary>,
    pub by_proxy: Vec<Tally>,
    pub by_region: Vec<Tally>,
    pub findings: Vec<FindingTally>,
    pub endpoints: Vec<EndpointRow>,
}

/// What one reading thread folded.
#[derive(Debug, Default)]
pub(crate) struct FleetAcc {
    sites: HashMap<String, SiteAcc>,
    proxies: HashMap<String, Tally>,
    regions: HashMap<String, Tally>,
    findings: HashMap<String, FindingTally>,
    pub(crate) rows: Vec<(usize, EndpointRow)>,
}

/// Technical stage names read the same in both languages (as in the per-host findings).
pub fn stage_label(stage: StageName) -> &'static str {
    match stage {
        StageName::Dns => "DNS",
        StageName::Tcp => "TCP",
        StageName::Proxy => "CONNECT",
        StageName::Tls => "TLS",
        StageName::Http => "HTTP",
    }
}

fn stage_order(s: StageName) -> u8 {
    match s {
        StageName::Dns => 0,
        StageName::Tcp => 1,
        StageName::Proxy => 2,
        StageName::Tls => 3,
        StageName::Http => 4,
    }
}

fn stage_of_order(n: u8) -> StageName {
    match n {
        0 => StageName::Dns,
        1 => StageName::Tcp,
        2 => StageName::Proxy,
        3 => StageName::Tls,
        _ => StageName::Http,
    }
}

fn tally<'a>(map: &'a mut HashMap<String, Tally>, value: &str) -> &'a mut Tally {
    map.entry(value.to_owned()).or_insert_with(|| Tally {
        value: value.to_owned(),
        endpoints: 0,
        failing: 0,
        warning: 0,
    })
}

impl FleetAcc {
    pub(crate) fn add(&mut self, index: usize, source: &str, c: &CollectView<'_>, map: &SiteMap) {
        let (site, from) = site_of(&c.addresses, c.site_hint.as_deref(), map);
        let failing = usize::from(c.verdict == Status::Fail);
        let warning = usize::from(c.verdict == Status::Warn);
        let proxy = c
            .network
            .as_ref()
            .and_then(|n| n.proxy.as_ref())
            .map(|p| clean_label(&p.label()));
        let region = c
            .network
            .as_ref()
            .and_then(|n| n.region.as_deref())
            .map(clean_label);
        for (map, value) in [
            (&mut self.proxies, proxy.clone().unwrap_or_default()),
            (&mut self.regions, region.clone().unwrap_or_default()),
        ] {
            let t = tally(map, &value);
            t.endpoints += 1;
            t.failing += failing;
            t.warning += warning;
        }

        let s = self.sites.entry(site.clone()).or_insert_with(|| SiteAcc {
            source: from,
            endpoints: 0,
            failing: 0,
            warning: 0,
            with_problem: 0,
            groups: BTreeMap::new(),
            causes: HashMap::new(),
        });
        s.endpoints += 1;
        s.failing += failing;
        s.warning += warning;

        // Host groups: an endpoint counts once per group, at its first failing host.
        let hosts: &[HostView] = c.network.as_ref().map_or(&[][..], |n| n.hosts.as_slice());
        let mut per_group: BTreeMap<&str, Option<&HostView>> = BTreeMap::new();
        for h in hosts {
            let slot = per_group.entry(&h.purpose).or_insert(None);
            if h.error.is_some() && slot.is_none() {
                *slot = Some(h);
            }
        }
        for (purpose, failed) in &per_group {
            let g = s.groups.entry(clean_label(purpose)).or_default();
            g.tested += 1;
            if let Some(h) = failed {
                g.failed += 1;
                if let Some(e) = h.error {
                    *g.stages.entry((stage_order(h.stage), e)).or_default() += 1;
                }
            }
        }

        // Causes: each connection failure kind, and each other finding at warn or fail.
        let mut seen: HashSet<String> = HashSet::new();
        for h in hosts {
            let Some(error) = h.error else { continue };
            let cause = format!("network:{}", error.as_str());
            let first = seen.insert(cause.clone());
            let acc = s.causes.entry(cause).or_default();
            if first {
                acc.endpoints += 1;
            }
            if acc.message_key.is_empty() {
                acc.network = true;
                acc.message_key = format!("network.host.{}", error.as_str());
                let stage = stage_label(h.stage).to_owned();
                acc.params = BTreeMap::from([
                    ("host".to_owned(), clean_label(&h.host)),
                    ("port".to_owned(), h.port.to_string()),
                    ("stage".to_owned(), stage),
                ]);
                acc.remedy_key = Some(match error {
                    NetError::TlsUntrusted => "network.tls_inspection.found.remedy".to_owned(),
                    NetError::ProxyAuthRequired => "network.proxy.auth_required.remedy".to_owned(),
                    NetError::TlsOldVersion => "network.tls_version.old.remedy".to_owned(),
                    e => format!("network.remedy.{}", e.as_str()),
                });
            }
            if acc.groups.len() < 50 {
                acc.groups.insert(clean_label(&h.purpose));
            }
            acc.stages.insert(stage_order(h.stage));
            if acc.hosts.len() < 20 {
                acc.hosts.insert(clean_label(&h.host));
            }
        }
        let mut problems = Vec::new();
        for f in &c.findings {
            if f.status.severity() == 0 {
                continue;
            }
            problems.push(Problem {
                id: clean_label(&f.id),
                status: f.status,
                key: clean_label(&f.key),
            });
            let t = self
                .findings
                .entry(f.id.to_string())
                .or_insert_with(|| FindingTally {
                    id: clean_label(&f.id),
                    key: clean_label(&f.key),
                    warn: 0,
                    fail: 0,
                });
            if f.status == Status::Fail {
                t.fail += 1;
            } else {
                t.warn += 1;
            }
            // Step 2's findings restate the host failures counted above.
            if f.step == Step::Network {
                continue;
            }
            if seen.insert(f.key.to_string()) {
                let acc = s.causes.entry(f.key.to_string()).or_default();
                acc.endpoints += 1;
                if acc.message_key.is_empty() {
                    acc.message_key = clean_label(&f.key);
                    acc.params = f
                        .params
                        .0
                        .iter()
                        .map(|(k, v)| (clean_label(k), clean_label(v)))
                        .collect();
                    acc.remedy_key = f.remedy_key.as_deref().map(clean_label);
                }
            }
        }
        if !seen.is_empty() {
            s.with_problem += 1;
        }
        self.rows.push((
            index,
            EndpointRow {
                hostname: clean_label(&c.hostname),
                source: source.to_owned(),
                site,
                address: c.addresses.first().copied(),
                proxy,
                region,
                verdict: c.verdict,
                problems,
            },
        ));
    }

    pub(crate) fn merge(&mut self, other: FleetAcc) {
        for (name, o) in other.sites {
            match self.sites.get_mut(&name) {
                None => {
                    self.sites.insert(name, o);
                }
                Some(s) => {
                    s.endpoints += o.endpoints;
                    s.failing += o.failing;
                    s.warning += o.warning;
                    s.with_problem += o.with_problem;
                    for (g, og) in o.groups {
                        let sg = s.groups.entry(g).or_default();
                        sg.tested += og.tested;
                        sg.failed += og.failed;
                        for (k, v) in og.stages {
                            *sg.stages.entry(k).or_default() += v;
                        }
                    }
                    for (k, oc) in o.causes {
                        match s.causes.get_mut(&k) {
                            None => {
                                s.causes.insert(k, oc);
                            }
                            Some(c) => {
                                c.endpoints += oc.endpoints;
                                c.groups.extend(oc.groups);
                                c.stages.extend(oc.stages);
                                if c.hosts.len() < 20 {
                                    c.hosts.extend(oc.hosts);
                                }
                            }
                        }
                    }
                }
            }
        }
        for (mine, theirs) in [
            (&mut self.proxies, other.proxies),
            (&mut self.regions, other.regions),
        ] {
            for (k, t) in theirs {
                let m = tally(mine, &k);
                m.endpoints += t.endpoints;
                m.failing += t.failing;
                m.warning += t.warning;
            }
        }
        for (k, t) in other.findings {
            let m = self.findings.entry(k).or_insert_with(|| FindingTally {
                warn: 0,
                fail: 0,
                ..t.clone()
            });
            m.warn += t.warn;
            m.fail += t.fail;
        }
        self.rows.extend(other.rows);
    }

    /// The finished picture: sites with most failing endpoints first.
    pub(crate) fn finish(self) -> Finished {
        let mut sites: Vec<SiteSummary> = self
            .sites
            .into_iter()
            .map(|(site, s)| {
                let root_cause = s
                    .causes
                    .into_iter()
                    // Most endpoints; on a tie a connection failure (a site's network)
                    // before a finding, then by name for a stable answer.
                    .max_by(|(ka, a), (kb, b)| {
                        (a.endpoints, a.network, std::cmp::Reverse(ka)).cmp(&(
                            b.endpoints,
                            b.network,
                            std::cmp::Reverse(kb),
                        ))
                    })
                    .map(|(cause, c)| {
                        let mut remedy_params = BTreeMap::new();
                        if c.network {
                            for k in ["host", "port", "stage"] {
                                if let Some(v) = c.params.get(k) {
                                    remedy_params.insert(k.to_owned(), v.clone());
                                }
                            }
                            remedy_params.insert(
                                "hosts".to_owned(),
                                c.hosts.iter().cloned().collect::<Vec<_>>().join(", "),
                            );
                        }
                        RootCause {
                            cause,
                            message_key: c.message_key,
                            params: c.params,
                            remedy_key: c.remedy_key,
                            remedy_params,
                            endpoints: c.endpoints,
                            of: s.with_problem,
                            host_groups: c.groups.into_iter().collect(),
                            stages: c.stages.into_iter().map(stage_of_order).collect(),
                        }
                    });
                let host_groups = s
                    .groups
                    .into_iter()
                    .map(|(purpose, g)| {
                        let mut stages: Vec<StageCount> = g
                            .stages
                            .into_iter()
                            .map(|((stage, error), endpoints)| StageCount {
                                stage: stage_of_order(stage),
                                error,
                                endpoints,
                            })
                            .collect();
                        stages.sort_by(|a, b| {
                            b.endpoints
                                .cmp(&a.endpoints)
                                .then(stage_order(a.stage).cmp(&stage_order(b.stage)))
                                .then(a.error.as_str().cmp(b.error.as_str()))
                        });
                        HostGroupCell {
                            purpose,
                            tested: g.tested,
                            failed: g.failed,
                            stages,
                        }
                    })
                    .collect();
                SiteSummary {
                    site,
                    source: s.source,
                    endpoints: s.endpoints,
                    failing: s.failing,
                    warning: s.warning,
                    host_groups,
                    root_cause,
                }
            })
            .collect();
        sites.sort_by(|a, b| {
            b.failing
                .cmp(&a.failing)
                .then(b.warning.cmp(&a.warning))
                .then(a.site.cmp(&b.site))
        });
        let sorted = |m: HashMap<String, Tally>| {
            let mut v: Vec<Tally> = m.into_values().collect();
            v.sort_by(|a, b| b.endpoints.cmp(&a.endpoints).then(a.value.cmp(&b.value)));
            v
        };
        let mut findings: Vec<FindingTally> = self.findings.into_values().collect();
        findings.sort_by(|a, b| {
            (b.fail + b.warn)
                .cmp(&(a.fail + a.warn))
                .then(a.id.cmp(&b.id))
        });
        let mut rows = self.rows;
        rows.sort_by_key(|(i, _)| *i);
        Finished {
            sites,
            by_proxy: sorted(self.proxies),
            by_region: sorted(self.regions),
            findings,
            endpoints: rows.into_iter().map(|(_, r)| r).collect(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a test that cannot unwrap has failed
mod tests {
    use super::*;

    #[test]
    fn the_longest_matching_prefix_names_the_site() {
        let map = SiteMap::parse(
            "cidr,site\n# comment\n10.0.0.0/8,Japan\n10.1.0.0/16, Tokyo HQ\n192.168.5.7 Lab\n",
        )
        .unwrap();
        let ip = |s: &str| vec![s.parse::<IpAddr>().unwrap()];
        assert_eq!(site_of(&ip("10.1.2.3"), None, &map).0, "Tokyo HQ");
        assert_eq!(site_of(&ip("10.9.2.3"), None, &map).0, "Japan");
        assert_eq!(site_of(&ip("192.168.5.7"), None, &map).0, "Lab");
        assert_eq!(
            site_of(&ip("172.16.4.9"), None, &map),
            ("172.16.4.0/24".to_owned(), SiteSource::Subnet)
        );
        assert_eq!(
            site_of(&ip("172.16.4.9"), Some("Osaka"), &map),
            ("Osaka".to_owned(), SiteSource::Hint)
        );
        assert_eq!(site_of(&[], None, &map).1, SiteSource::Unknown);
    }

    #[test]
    fn a_bad_site_map_line_is_named() {
        let err = SiteMap::parse("10.0.0.0/8,Japan\n10.0.0.0/40,Bad\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
        assert!(SiteMap::parse("10.0.0.0/8\n").is_err());
    }
}
