//! Basecamp Doctor's diagnosis engine. It never prints, never talks to a GUI and never
//! decides how results look on a screen; the CLI, the desktop app and the bundle do that.
//!
//! Three layers, each importing only from the ones above it (a test checks there is no
//! import cycle between the top-level modules; see docs/architecture.md):
//!
//! - **facts** — what the machine says: [`probe`] (processes, services, files, registry),
//!   [`layout`] (the agent's folders, registration, image traces), [`network`] (step 2's
//!   connection tests) with their shared types in [`netfacts`], and [`identity`];
//! - **judgement** — [`checks`] turn facts into [`Finding`]s;
//! - **presentation** — [`present`] (the rendered report, the network-team note), the
//!   support [`bundle`], and [`fleet`] comparisons.
//!
//! Leaves every layer uses: [`finding`], [`i18n`], [`catalogue`], [`units`].
//! [`diagnose`] is the one entry point: facts → judgement, with the facts beside the
//! findings in the returned [`Diagnosis`].

pub mod bundle;
pub mod catalogue;
pub mod checks;
pub mod collect;
pub mod datafile;
mod diagnosis;
pub mod draft;
pub mod finding;
pub mod fleet;
pub mod i18n;
pub mod identity;
pub mod interfaces;
pub mod inventory;
pub mod layout;
pub mod netfacts;
pub mod network;
pub mod platform;
pub mod present;
pub mod probe;
pub mod screenshot;
pub mod units;

pub use catalogue::Catalogue;
pub use checks::install_log;
pub use diagnosis::{
    diagnose, diagnose_with, open_probe, DiagnoseError, Diagnosis, Options, Source,
};
pub use finding::{Evidence, Finding, Message, Status, Step, Unchecked, Verdict};
pub use i18n::{Lang, Locale};
pub use layout::AgentFacts;
pub use network::NetworkOptions;
pub use present::report::Report;
pub use probe::Probe;

/// The version of this engine, shown in reports and bundles.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
