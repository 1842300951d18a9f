//! Facts about the network, shared by the side that gathers them (`network`, the fixture
//! probe that replays them) and the sides that judge and show them (`checks`, `present`,
//! `bundle`): every stage of one host's test, the region and proxy chosen, and step 2's
//! results as a whole. A leaf: it imports nothing of this crate but the catalogue's types.

use crate::catalogue::HostEntry;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Why a stage failed, as the diagnosis needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NetError {
    /// The name does not exist (or no DNS server answers it).
    DnsNotFound,
    DnsTimeout,
    /// The port actively refused the connection (RST): something rejects it.
    Refused,
    /// The connection was reset after it was established.
    Reset,
    /// No answer within the timeout: something drops the traffic.
    Timeout,
    /// No route to the network at all.
    Unreachable,
    /// The peer closed the connection without answering.
    Closed,
    ProxyAuthRequired,
    ProxyRefused,
    /// The certificate chain does not lead to a root this computer trusts.
    TlsUntrusted,
    TlsExpired,
    TlsNameMismatch,
    /// The server only speaks TLS below 1.2.
    TlsOldVersion,
    TlsFailed,
    HttpFailed,
}

impl NetError {
    pub fn as_str(self) -> &'static str {
        match self {
            NetError::DnsNotFound => "dns_not_found",
            NetError::DnsTimeout => "dns_timeout",
            NetError::Refused => "refused",
            NetError::Reset => "reset",
            NetError::Timeout => "timeout",
            NetError::Unreachable => "unreachable",
            NetError::Closed => "closed",
            NetError::ProxyAuthRequired => "proxy_auth_required",
            NetError::ProxyRefused => "proxy_refused",
            NetError::TlsUntrusted => "tls_untrusted",
            NetError::TlsExpired => "tls_expired",
            NetError::TlsNameMismatch => "tls_name_mismatch",
            NetError::TlsOldVersion => "tls_old_version",
            NetError::TlsFailed => "tls_failed",
            NetError::HttpFailed => "http_failed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StageName {
    Dns,
    Tcp,
    Proxy,
    Tls,
    Http,
}

impl StageName {
    pub fn as_str(self) -> &'static str {
        match self {
            StageName::Dns => "dns",
            StageName::Tcp => "tcp",
            StageName::Proxy => "proxy",
            StageName::Tls => "tls",
            StageName::Http => "http",
        }
    }
}

/// The outcome of one stage with how long it took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Stage<T> {
    Ok {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        ms: u64,
        value: T,
    },
    Failed {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        ms: u64,
        error: NetError,
        detail: String,
    },
    /// Not attempted (an earlier stage failed, or it does not apply).
    NotRun,
}

impl<T> Stage<T> {
    pub fn value(&self) -> Option<&T> {
        match self {
            Stage::Ok { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn failure(&self) -> Option<(NetError, &str)> {
        match self {
            Stage::Failed { error, detail, .. } => Some((*error, detail.as_str())),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TlsInfo {
    /// "TLS 1.3" or "TLS 1.2".
    pub version: String,
    pub cipher: String,
    /// As the server sent it: the server's certificate first.
    pub chain: Vec<CertInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HttpInfo {
    pub status: u16,
    /// The server's `Date` header, as sent.
    pub date: Option<String>,
    /// Server time minus local time, in seconds, from `Date`.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub skew_secs: Option<i64>,
}

/// Everything one host's probe found out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HostResult {
    pub target: HostEntry,
    /// The proxy the connection went through, credentials masked.
    pub via_proxy: Option<String>,
    pub dns: Stage<Vec<IpAddr>>,
    pub tcp: Stage<String>,
    /// The proxy's answer to CONNECT (its status code), when a proxy is used.
    pub proxy: Stage<u16>,
    pub tls: Stage<TlsInfo>,
    /// What the handshake showed even when verification failed: names the CA that issued
    /// an intercepted certificate.
    pub tls_seen: Option<TlsInfo>,
    pub http: Stage<HttpInfo>,
}

impl HostResult {
    /// The first stage that failed, if any.
    pub fn failure(&self) -> Option<(StageName, NetError, &str)> {
        let stages: [(StageName, Option<(NetError, &str)>); 5] = [
            (StageName::Dns, self.dns.failure()),
            (StageName::Tcp, self.tcp.failure()),
            (StageName::Proxy, self.proxy.failure()),
            (StageName::Tls, self.tls.failure()),
            (StageName::Http, self.http.failure()),
        ];
        stages
            .into_iter()
            .find_map(|(name, f)| f.map(|(e, d)| (name, e, d)))
    }

    /// Reachable means an HTTP answer came back, whatever its status.
    pub fn reachable(&self) -> bool {
        self.failure().is_none() && self.http.value().is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RegionChoice {
    /// Named by the user (`--region`, or chosen in the app).
    Chosen { code: String },
    /// Found in the agent's files.
    Detected {
        code: String,
        file: String,
        /// The text that gave it away, e.g. `api-ap2.xbc.trendmicro.com`.
        evidence: String,
    },
}

impl RegionChoice {
    pub fn code(&self) -> &str {
        match self {
            RegionChoice::Chosen { code } | RegionChoice::Detected { code, .. } => code,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProxyChoice {
    pub host: String,
    pub port: u16,
    /// Where it came from: `flag`, `winhttp`, `wininet` or `environment`.
    pub source: String,
    /// As configured, credentials masked.
    pub display: String,
}

/// What step 2 ran against and found, kept for the report, the note and the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NetworkReport {
    pub region: Option<RegionChoice>,
    pub proxy: Option<ProxyChoice>,
    /// A proxy auto-configuration script that is set but was not evaluated.
    pub pac_url: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub timeout_secs: u64,
    pub results: Vec<HostResult>,
}
