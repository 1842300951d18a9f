//! The one entry point every face calls: [`diagnose`] reads the facts (the machine through a
//! probe, the agent's layout, step 2's connections), judges them into findings and returns
//! a [`Diagnosis`] with the typed facts beside the findings, so nothing downstream has to
//! find a fact by matching finding ids or evidence keys.

use crate::catalogue::Catalogue;
use crate::checks::{self, Coexistence};
use crate::finding::{Finding, Summary, Unchecked};
use crate::identity::{self, Identity};
use crate::layout::AgentFacts;
use crate::netfacts::NetworkReport;
use crate::network::{self, NetworkOptions};
use crate::probe::{fixture::FixtureProbe, OsFacts, Probe, ProbeError, ProbeSource};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Everything one run found, ready for any face to show.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Diagnosis {
    pub source: ProbeSource,
    pub os: OsFacts,
    pub catalogue_version: String,
    /// In the guide's step order.
    pub findings: Vec<Finding>,
    /// Which other agents are here; decides the questions of step 4.
    pub coexistence: Coexistence,
    pub summary: Summary,
    /// What was not checked and how to check it (`summary.verdict` is `incomplete` when
    /// this is not empty and nothing failed).
    #[serde(default)]
    pub unchecked: Vec<Unchecked>,
    /// Step 2's results, when the network was checked.
    #[serde(default)]
    pub network: Option<NetworkReport>,
    /// The agent's layout and registration, as read for the checks.
    pub agent: AgentFacts,
    /// This endpoint's IDs, for the bundle's manifest and `fleet`.
    pub identity: Identity,
    /// Some checks were refused by the OS: running as administrator would let them run.
    pub needs_admin: bool,
    /// This endpoint's own IP addresses (what a scenario recorded, when replayed), for
    /// grouping many endpoints by site.
    #[serde(default)]
    pub addresses: Vec<std::net::IpAddr>,
    /// Where the deployment script's install logs are, for the bundle to collect.
    #[serde(default)]
    pub install_logs: Vec<crate::checks::install_log::Source>,
    /// The region the agent itself is registered to (its `vom_env`, else what its files
    /// name), whatever region step 2 was asked to test: the console check's default.
    #[serde(default)]
    pub agent_region: Option<crate::netfacts::RegionChoice>,
}

/// Where the facts come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Source {
    /// This computer.
    #[default]
    Live,
    /// A scenario file replaying a described machine.
    Scenario(PathBuf),
}

/// What to diagnose and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub source: Source,
    /// `None`: the catalogue built into the program.
    pub catalogue: Option<Catalogue>,
    /// Step 2's settings; `None` leaves step 2 out.
    pub network: Option<NetworkOptions>,
}

/// Why no diagnosis could be made at all (each check's own trouble is a finding instead).
#[derive(Debug, thiserror::Error)]
pub enum DiagnoseError {
    /// The scenario file could not be read (`Io`) or is malformed.
    #[error(transparent)]
    Scenario(ProbeError),
    /// The OS facts themselves could not be read: nothing can be judged without them.
    #[error(transparent)]
    Probe(ProbeError),
    /// Step 2 could not start (no async runtime could be built).
    #[error("step 2 could not start: {0}")]
    Network(std::io::Error),
}

/// Opens the probe `source` names.
pub fn open_probe(source: &Source) -> Result<Box<dyn Probe>, DiagnoseError> {
    match source {
        Source::Live => Ok(crate::probe::live()),
        Source::Scenario(path) => FixtureProbe::load(path)
            .map(|p| Box::new(p) as Box<dyn Probe>)
            .map_err(DiagnoseError::Scenario),
    }
}

/// Runs everything `options` asks for, blocking. Step 2 runs on its own small runtime;
/// call from a thread that may block (the app calls it off its main thread).
pub fn diagnose(options: &Options) -> Result<Diagnosis, DiagnoseError> {
    let probe = open_probe(&options.source)?;
    diagnose_with(probe.as_ref(), options)
}

/// [`diagnose`] against a probe the caller already holds.
pub fn diagnose_with(probe: &dyn Probe, options: &Options) -> Result<Diagnosis, DiagnoseError> {
    let embedded;
    let catalogue = match &options.catalogue {
        Some(c) => c,
        None => {
            embedded = Catalogue::embedded();
            &embedded
        }
    };
    let os = probe.os().map_err(DiagnoseError::Probe)?;
    let agent = AgentFacts::read(probe, catalogue, &os);
    let (mut findings, coexistence) = checks::judge_local(probe, catalogue, os.clone(), &agent);
    let apex_guid = coexistence
        .apex_one
        .as_ref()
        .and_then(|a| a.guid.as_deref());
    let identity = identity::collect(probe, catalogue, &os, &agent, apex_guid);
    let network = match &options.network {
        Some(net) => {
            let report = network::run_blocking(probe, catalogue, &os, net)
                .map_err(DiagnoseError::Network)?;
            findings.extend(checks::reach::findings(catalogue, &report));
            Some(report)
        }
        None => None,
    };
    let addresses = probe.addresses();
    let install_logs = checks::install_log::bundle_sources(probe, catalogue, &os);
    let agent_region = network::region::of_agent(probe, catalogue, &os);
    let mut diagnosis = Diagnosis::assemble(
        (addresses, install_logs),
        probe.source(),
        os,
        catalogue,
        findings,
        coexistence,
        network,
        agent,
        identity,
    );
    diagnosis.agent_region = agent_region;
    Ok(diagnosis)
}

impl Diagnosis {
    /// This diagnosis with one more finding (judged after the checks, e.g. the Business ID
    /// typed at save time), in step order, with the summary and verdict made again.
    pub fn with_finding(mut self, finding: Finding) -> Diagnosis {
        self.findings.push(finding);
        self.findings.sort_by_key(|f| f.step);
        self.summary = Summary::of(&self.findings).with_unchecked(self.network.is_none());
        self.unchecked = Unchecked::of(&self.findings, self.network.is_some());
        self
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        (addresses, install_logs): (
            Vec<std::net::IpAddr>,
            Vec<crate::checks::install_log::Source>,
        ),
        source: ProbeSource,
        os: OsFacts,
        catalogue: &Catalogue,
        mut findings: Vec<Finding>,
        coexistence: Coexistence,
        network: Option<NetworkReport>,
        agent: AgentFacts,
        identity: Identity,
    ) -> Diagnosis {
        // Stable order: by step, then the order the checks produced.
        findings.sort_by_key(|f| f.step);
        let needs_admin = findings.iter().any(checks::was_denied);
        Diagnosis {
            addresses,
            install_logs,
            needs_admin,
            source,
            os,
            catalogue_version: catalogue.version.clone(),
            summary: Summary::of(&findings).with_unchecked(network.is_none()),
            unchecked: Unchecked::of(&findings, network.is_some()),
            findings,
            coexistence,
            network,
            agent,
            identity,
            agent_region: None,
        }
    }
}
