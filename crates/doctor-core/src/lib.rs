//! Basecamp Doctor's diagnosis engine: it reads the machine through a [`probe::Probe`],
//! runs the checks of the vendor's troubleshooting guide and returns [`finding::Finding`]s
//! whose text lives in `locales/`. It never prints, never talks to a GUI and never decides
//! how results are shown; the CLI, the desktop app and the bundle report do that.

pub mod bundle;
pub mod catalogue;
pub mod checks;
pub mod collect;
pub mod finding;
pub mod fleet;
pub mod i18n;
pub mod identity;
pub mod interfaces;
pub mod network;
pub mod probe;
pub mod report;
pub mod screenshot;

pub use catalogue::Catalogue;
pub use checks::{run_checks, Diagnosis};
pub use finding::{Evidence, Finding, Message, Status, Step};
pub use i18n::{Lang, Locale};
pub use probe::Probe;
pub use report::Report;

/// The version of this engine, shown in reports and bundles.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
