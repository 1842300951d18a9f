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
    /// No route to the network at all: this endpoint has no route to the address.
    Unreachable,
    /// A firewall or router answered "destination unreachable" (host, net or port
    /// administratively prohibited, what firewalld and router ACLs send) although this
    /// endpoint has a route: the connection was rejected, not lost.
    Prohibited,
    /// The peer closed the connection without answering.
    Closed,
    ProxyAuthRequired,
    /// The proxy answered 403: its own policy denies the host.
    ProxyDenied,
    /// The proxy answered 500/502/503/504: it could not resolve or reach the host itself.
    ProxyUpstream,
    /// The proxy answered something else than 2xx.
    ProxyRefused,
    /// The certificate chain does not lead to a root this computer trusts.
    TlsUntrusted,
    /// The chain ends in a private CA this computer trusts but the agent does not: TLS
    /// inspection with a CA installed on the computer.
    TlsInspected,
    /// The server's certificate is signed by itself.
    TlsSelfSigned,
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
            NetError::Prohibited => "prohibited",
            NetError::Closed => "closed",
            NetError::ProxyAuthRequired => "proxy_auth_required",
            NetError::ProxyDenied => "proxy_denied",
            NetError::ProxyUpstream => "proxy_upstream",
            NetError::ProxyRefused => "proxy_refused",
            NetError::TlsUntrusted => "tls_untrusted",
            NetError::TlsInspected => "tls_inspected",
            NetError::TlsSelfSigned => "tls_self_signed",
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

    /// How the stage ended, without what it found.
    pub fn outcome(&self) -> StageOutcome {
        match self {
            Stage::Ok { ms, .. } => StageOutcome::Ok { ms: *ms },
            Stage::Failed { ms, error, .. } => StageOutcome::Failed {
                ms: *ms,
                error: *error,
            },
            Stage::NotRun => StageOutcome::NotRun,
        }
    }
}

/// How one stage ended, without what it found: what step 2's progress shows per cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StageOutcome {
    Ok {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        ms: u64,
    },
    Failed {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        ms: u64,
        error: NetError,
    },
    NotRun,
}

/// Step 2's progress as it happens, for a window that fills in a row per host. Every
/// host gets `HostStarted`, then a `Stage` per stage that ran, then `HostDone` with its
/// whole result (which is what counts: a stage not reported is `NotRun` there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NetEvent {
    /// The hosts to test, in the order of the report; `index` below is a position here.
    Targets {
        hosts: Vec<HostEntry>,
        /// The proxy each host goes through (credentials masked), `None` for direct.
        via_proxy: Vec<Option<String>>,
    },
    /// A host's test began (it got its turn among those tested at the same time).
    HostStarted {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        index: usize,
    },
    /// One stage of a host ended.
    Stage {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        index: usize,
        stage: StageName,
        outcome: StageOutcome,
    },
    /// A host's test ended, finished or stopped.
    HostDone {
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        index: usize,
        result: Box<HostResult>,
    },
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
    /// How the request was sent when that matters, e.g. `GET http://host/` through a proxy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
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
    /// The proxy's own answer when it refused (status line, error page title), as evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_reply: Option<ProxyReply>,
    /// The bypass rule that sent this host direct although a proxy is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bypassed_by: Option<String>,
    /// The endpoint's own address on the connection (what the firewall sees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_addr: Option<String>,
    /// The test was stopped before this host's test finished: the stages left `NotRun`
    /// are unknown, not passed, and the host is neither reachable nor failed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stopped: bool,
}

/// What a proxy said when it did not open the way: read from its status line, headers and
/// error page, so the verdict tells its policy from its upstream trouble.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProxyReply {
    pub status: u16,
    /// As sent, e.g. `HTTP/1.1 403 Forbidden`.
    pub status_line: String,
    /// The `<title>` of its error page, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Squid's `X-Squid-Error` header (`ERR_DNS_FAIL 0`), when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

impl ProxyReply {
    /// What a proxy's status means for the connection it was asked to make.
    pub fn error(status: u16) -> Option<NetError> {
        match status {
            200..=299 => None,
            407 => Some(NetError::ProxyAuthRequired),
            403 => Some(NetError::ProxyDenied),
            500 | 502 | 503 | 504 => Some(NetError::ProxyUpstream),
            _ => Some(NetError::ProxyRefused),
        }
    }
}

impl HostResult {
    /// A host not tested yet: every stage `NotRun`.
    pub fn untested(target: HostEntry, via_proxy: Option<String>) -> HostResult {
        HostResult {
            target,
            via_proxy,
            dns: Stage::NotRun,
            tcp: Stage::NotRun,
            proxy: Stage::NotRun,
            tls: Stage::NotRun,
            tls_seen: None,
            http: Stage::NotRun,
            proxy_reply: None,
            bypassed_by: None,
            local_addr: None,
            stopped: false,
        }
    }

    /// Each stage's outcome without its value, in the order they run.
    pub fn outcomes(&self) -> [(StageName, StageOutcome); 5] {
        [
            (StageName::Dns, self.dns.outcome()),
            (StageName::Tcp, self.tcp.outcome()),
            (StageName::Proxy, self.proxy.outcome()),
            (StageName::Tls, self.tls.outcome()),
            (StageName::Http, self.http.outcome()),
        ]
    }

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

    /// Tested and not reachable: a host whose test was stopped is neither.
    pub fn unreachable(&self) -> bool {
        !self.stopped && !self.reachable()
    }

    /// A failure that is the configured proxy's own, not the host's: its name did not
    /// resolve, its port refused or did not answer, or it did not answer the request.
    pub fn proxy_fault(&self) -> Option<NetError> {
        self.via_proxy.as_ref()?;
        match self.failure()? {
            (StageName::Dns | StageName::Tcp, e, _) => Some(e),
            (StageName::Proxy, e @ (NetError::Timeout | NetError::Closed | NetError::Reset), _) => {
                Some(e)
            }
            _ => None,
        }
    }
}

/// Whether `name` can be a host name or an IP address literal: no spaces, no control
/// characters, nothing that could end a request line.
pub fn valid_host_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':'))
}

/// The vendor page a region's host list comes from, as a full address.
pub fn page_url(slug: &str) -> String {
    if slug.starts_with("https://") {
        slug.to_owned()
    } else {
        format!("https://docs.trendmicro.com/en-us/documentation/article/{slug}")
    }
}

/// `host:port` as it is written in a URL or a CONNECT line: IPv6 literals in brackets.
pub fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The one thing that explains every failure of step 2 (or every failure of its kind),
/// so the verdict names it once instead of blaming each host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RootCause {
    /// The proxy itself could not be reached: nothing was tested behind it.
    ProxyUnreachable { error: NetError, detail: String },
    /// The proxy wants credentials (407).
    ProxyAuth { reply: Option<ProxyReply> },
    /// The proxy's policy denies the hosts (403).
    ProxyDenied { reply: Option<ProxyReply> },
    /// The proxy could not resolve or reach the hosts itself (5xx).
    ProxyUpstream { reply: Option<ProxyReply> },
    /// Every failing host was shown a certificate from the same CA.
    TlsInspection { issuer: String },
    /// No host name resolved (no proxy).
    DnsDown,
    /// No route to any host (no proxy).
    Offline,
}

impl RootCause {
    pub fn as_str(&self) -> &'static str {
        match self {
            RootCause::ProxyUnreachable { .. } => "proxy_unreachable",
            RootCause::ProxyAuth { .. } => "proxy_auth",
            RootCause::ProxyDenied { .. } => "proxy_denied",
            RootCause::ProxyUpstream { .. } => "proxy_upstream",
            RootCause::TlsInspection { .. } => "tls_inspection",
            RootCause::DnsDown => "dns_down",
            RootCause::Offline => "offline",
        }
    }
}

/// A root cause with the hosts (`host:port`) it explains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Explained {
    pub cause: RootCause,
    pub hosts: Vec<String>,
}

/// The CA that issued what the endpoint was shown: the issuer of the last certificate sent.
pub fn shown_issuer(r: &HostResult) -> Option<String> {
    r.tls_seen.as_ref()?.chain.last().map(|c| c.issuer.clone())
}

/// Finds the one cause behind the failures of the required hosts, when there is one.
/// Proxy, DNS and route failures explain a run only when every required host failed that
/// way; a proxy's status or an inspecting CA explains the hosts that failed with it, as long
/// as no required host failed for another reason.
pub fn root_cause(results: &[HostResult]) -> Option<Explained> {
    // Hosts whose test was stopped say nothing either way.
    let required: Vec<&HostResult> = results
        .iter()
        .filter(|r| !r.target.optional && !r.stopped)
        .collect();
    let failed: Vec<&HostResult> = required
        .iter()
        .copied()
        .filter(|r| !r.reachable())
        .collect();
    let first = failed.first()?;
    let hosts = || {
        failed
            .iter()
            .map(|r| authority(&r.target.host, r.target.port))
            .collect::<Vec<_>>()
    };
    let everything_failed = failed.len() == required.len();
    if everything_failed {
        if let Some(error) = first.proxy_fault() {
            if failed.iter().all(|r| r.proxy_fault().is_some()) {
                let detail = first
                    .failure()
                    .map(|(_, _, d)| d.to_owned())
                    .unwrap_or_default();
                return Some(Explained {
                    cause: RootCause::ProxyUnreachable { error, detail },
                    hosts: hosts(),
                });
            }
        }
        if first.via_proxy.is_none() {
            let all = |pred: &dyn Fn(StageName, NetError) -> bool| {
                failed
                    .iter()
                    .all(|r| r.failure().is_some_and(|(s, e, _)| pred(s, e)))
            };
            if all(&|s, _| s == StageName::Dns) {
                return Some(Explained {
                    cause: RootCause::DnsDown,
                    hosts: hosts(),
                });
            }
            if all(&|_, e| e == NetError::Unreachable) {
                return Some(Explained {
                    cause: RootCause::Offline,
                    hosts: hosts(),
                });
            }
        }
    }
    let (_, error, _) = first.failure()?;
    let same_error = failed
        .iter()
        .all(|r| r.failure().is_some_and(|(_, e, _)| e == error));
    if !same_error {
        return None;
    }
    let reply = || first.proxy_reply.clone();
    let cause = match error {
        NetError::ProxyAuthRequired => RootCause::ProxyAuth { reply: reply() },
        NetError::ProxyDenied if everything_failed => RootCause::ProxyDenied { reply: reply() },
        NetError::ProxyUpstream if everything_failed => RootCause::ProxyUpstream { reply: reply() },
        NetError::TlsUntrusted | NetError::TlsInspected => {
            let issuer = shown_issuer(first)?;
            if !failed
                .iter()
                .all(|r| shown_issuer(r).as_ref() == Some(&issuer))
            {
                return None;
            }
            RootCause::TlsInspection { issuer }
        }
        _ => return None,
    };
    Some(Explained {
        cause,
        hosts: hosts(),
    })
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
        /// What kind of evidence decided: `basecamp_server`, `environment`, `region_host`, `agent_environment` (its `vom_env`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        basis: Option<String>,
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
    /// Where it came from: `flag`, `winhttp`, `wininet`, `environment` or `pac`.
    pub source: String,
    /// As configured, credentials masked.
    pub display: String,
    /// The bypass list of the same setting (WinHTTP bypass list, WinINET `ProxyOverride`,
    /// `NO_PROXY`): hosts it matches go direct, as the agent would send them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bypass: Vec<String>,
}

/// What step 2 ran against and found, kept for the report, the note and the bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NetworkReport {
    pub region: Option<RegionChoice>,
    pub proxy: Option<ProxyChoice>,
    /// A proxy auto-configuration script that is set (evaluated when `pac_evaluated`).
    pub pac_url: Option<String>,
    /// The script was run through Windows' own resolver for each host (Windows only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pac_evaluated: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub timeout_secs: u64,
    pub results: Vec<HostResult>,
    /// The one cause behind the failures, with the hosts it explains ([`root_cause`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<Explained>,
    /// When the test ran, in the endpoint's local time with its UTC offset (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    /// Only the hosts given by hand were tested: the region's own hosts were not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub only_given_hosts: bool,
    /// The region is a site whose endpoint hosts the vendor does not publish: only the
    /// global hosts and the ones given by hand were tested.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub region_hosts_unknown: bool,
    /// The user stopped the test before every host was tested: the hosts with `stopped`
    /// were not (fully) tested, and step 2 as a whole is not checked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
}
