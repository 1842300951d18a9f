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
pub mod watch;

pub use crate::netfacts::{
    CertInfo, HostResult, HttpInfo, NetError, NetEvent, NetworkReport, ProxyChoice, RegionChoice,
    Stage, StageName, StageOutcome, TlsInfo,
};
pub use live::{probe_hosts, NetConfig};
pub use run::{run, run_blocking, NetworkOptions};
pub use watch::{Cancel, Observer};

/// `NAME:PORT` or `[IPv6]:PORT` typed by a person (the CLI's `--host`, the app's field) → a
/// target to test. Names with spaces or control characters are refused, so nothing odd
/// reaches a CONNECT line.
pub fn parse_target(text: &str) -> Option<crate::catalogue::HostEntry> {
    let (host, port) = text.trim().rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
    let host = match host.strip_prefix('[') {
        Some(inner) => inner.strip_suffix(']')?,
        None if host.contains(':') => return None,
        None => host,
    };
    crate::netfacts::valid_host_name(host).then(|| crate::catalogue::HostEntry {
        host: host.to_owned(),
        port,
        purpose: "custom".to_owned(),
        optional: false,
    })
}
