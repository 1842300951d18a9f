//! Step 2 of the guide: can this endpoint reach the Vision One hosts of its region? For each
//! host, concurrently and with a bound, it times DNS, TCP connect (directly or through a
//! proxy's CONNECT), the TLS handshake (version, chain, verification against the OS trust
//! store) and one HTTPS request (status, `Date`). It records what happened; judging the
//! results is `checks::reach`'s job, and the text is in the locales.

pub mod live;
pub mod pac;
pub mod proxy;
pub mod region;
mod run;
mod tls;

pub use crate::netfacts::{
    CertInfo, HostResult, HttpInfo, NetError, NetworkReport, ProxyChoice, RegionChoice, Stage,
    StageName, TlsInfo,
};
pub use live::{probe_hosts, NetConfig};
pub use run::{run, run_blocking, NetworkOptions};
