//! The real network probe: every host concurrently (bounded by a semaphore), each host's
//! whole test (DNS included) within one time budget, nothing retried. The HTTPS request
//! goes through reqwest with the same trust roots and, for a direct connection, pinned to
//! the address the DNS stage found. Plain-HTTP hosts go through a proxy the way a proxy
//! client sends them (`GET http://host/`), not through a CONNECT tunnel.

use super::proxy::{connect_tunnel, get_through, ProxyChoice};
use super::tls::{classify_handshake, describe, RecordingVerifier};
use super::watch::{Cancel, Observer};
use super::{HostResult, HttpInfo, NetError, Stage, StageName, TlsInfo};
use crate::catalogue::HostEntry;
use crate::netfacts::{authority, valid_host_name, NetEvent};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::RootCertStore;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// A blocking name lookup used instead of the system's (tests: a resolver that hangs).
#[derive(Clone)]
pub struct Resolver(pub Arc<LookupFn>);

/// Name and port → the addresses, blocking like the system resolver.
pub type LookupFn = dyn Fn(&str, u16) -> std::io::Result<Vec<IpAddr>> + Send + Sync;

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Resolver(..)")
    }
}

/// How long after the first address's attempt the next one starts (Happy Eyeballs).
const NEXT_ADDRESS_AFTER: Duration = Duration::from_millis(250);

#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Each host's whole test (DNS, connect, CONNECT, handshake, request) ends within this.
    pub timeout: Duration,
    /// How many hosts are probed at the same time.
    pub concurrency: usize,
    pub proxy: Option<ProxyChoice>,
    /// Roots trusted in addition to the OS store (tests use their own CA).
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Skip the OS trust store (tests that must not depend on the machine's roots).
    pub skip_os_roots: bool,
    /// Host names answered without asking DNS, like curl's `--resolve` (tests).
    pub resolve: HashMap<String, Vec<IpAddr>>,
    /// The blocking lookup to use instead of the system resolver.
    pub resolver: Option<Resolver>,
    /// The proxy per host name where it differs from `proxy` (what a proxy script chose
    /// for that host's URL); `None` means direct.
    pub proxy_for: HashMap<String, Option<ProxyChoice>>,
    /// SHA-1 thumbprints of the roots the agent itself relies on (the catalogue's TLS
    /// roots); empty skips the check that a verified chain ends in one of them.
    pub agent_roots: Vec<String>,
    /// Told of every host's progress as it happens (the app's live rows).
    pub observer: Observer,
    /// Stops the test: hosts not finished come back `stopped`.
    pub cancel: Cancel,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            timeout: Duration::from_secs(10),
            concurrency: 32,
            proxy: None,
            extra_roots: Vec::new(),
            skip_os_roots: false,
            resolve: HashMap::new(),
            resolver: None,
            agent_roots: Vec::new(),
            proxy_for: HashMap::new(),
            observer: Observer::default(),
            cancel: Cancel::default(),
        }
    }
}

/// A duration for people: `10 s`, `0.8 s`.
fn secs(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

fn ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn io_error(e: &std::io::Error) -> NetError {
    use std::io::ErrorKind::*;
    match e.kind() {
        ConnectionRefused => NetError::Refused,
        ConnectionReset | ConnectionAborted => NetError::Reset,
        TimedOut => NetError::Timeout,
        HostUnreachable | NetworkUnreachable | AddrNotAvailable => NetError::Unreachable,
        UnexpectedEof => NetError::Closed,
        _ => match e.raw_os_error() {
            // ENETUNREACH / EHOSTUNREACH on Linux and macOS, WSAENETUNREACH on Windows.
            Some(101) | Some(113) | Some(51) | Some(65) | Some(10051) | Some(10065) => {
                NetError::Unreachable
            }
            _ => NetError::Reset,
        },
    }
}

/// "Unreachable" from the kernel means one of two things: this endpoint has no route to the
/// address (not connected), or a router or firewall on the way answered with an ICMP
/// "destination unreachable" such as administratively prohibited (Linux reports host and
/// admin prohibited as EHOSTUNREACH, net prohibited as ENETUNREACH). A route lookup, which
/// sends nothing (connecting a UDP socket), tells them apart.
fn rejected_or_unreachable(error: NetError, addr: SocketAddr) -> NetError {
    if error != NetError::Unreachable {
        return error;
    }
    let unspecified: SocketAddr = if addr.is_ipv6() {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    };
    let has_route = std::net::UdpSocket::bind(unspecified)
        .and_then(|s| s.connect(addr))
        .is_ok();
    if has_route {
        NetError::Prohibited
    } else {
        NetError::Unreachable
    }
}

/// The trust roots of this computer plus the configured extras, as a store and as the
/// certificates themselves (to tell which root a verified chain ends in).
fn root_store(config: &NetConfig) -> (RootCertStore, Vec<CertificateDer<'static>>) {
    let mut anchors: Vec<CertificateDer<'static>> = Vec::new();
    if !config.skip_os_roots {
        anchors.extend(rustls_native_certs::load_native_certs().certs);
    }
    anchors.extend(config.extra_roots.iter().cloned());
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(anchors.iter().cloned());
    (roots, anchors)
}

/// Upper-case hex SHA-1 of a certificate, as the catalogue writes thumbprints.
fn thumbprint(der: &[u8]) -> String {
    use sha1::Digest;
    sha1::Sha1::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// A chain this computer verified, checked against the roots the agent itself relies on
/// (the catalogue's TLS roots): one that ends in a private CA this computer trusts is
/// still inspection, since the agent does not use the computer's roots. A chain ending in
/// a public root (Mozilla's list) that is not the agent's is left alone: that is a choice
/// of the vendor's, not a device in between. `None` when it is fine or cannot be told.
fn inspected_by_trusted_ca(
    chain: &[CertificateDer<'_>],
    anchors: &[CertificateDer<'static>],
    agent_roots: &[String],
) -> Option<String> {
    if agent_roots.is_empty() {
        return None;
    }
    let last = x509_parser::parse_x509_certificate(chain.last()?.as_ref())
        .ok()?
        .1;
    let issuer = last.issuer().as_raw();
    let anchor = anchors.iter().find(|a| {
        x509_parser::parse_x509_certificate(a.as_ref())
            .is_ok_and(|(_, c)| c.subject().as_raw() == issuer)
    })?;
    if agent_roots.contains(&thumbprint(anchor.as_ref())) {
        return None;
    }
    let (_, parsed) = x509_parser::parse_x509_certificate(anchor.as_ref()).ok()?;
    let spki = parsed.public_key().raw;
    let public = webpki_roots::TLS_SERVER_ROOTS
        .iter()
        .any(|t| spki.ends_with(t.subject_public_key_info.as_ref()));
    (!public).then(|| parsed.subject().to_string())
}

/// Probes every target and returns the results in the targets' order. The observer hears
/// of each stage as it ends; a cancel ends every probe at once, and the hosts it stopped
/// come back with `stopped` set and their unfinished stages `NotRun`.
pub async fn probe_hosts(targets: &[HostEntry], config: &NetConfig) -> Vec<HostResult> {
    let (roots, anchors) = root_store(config);
    let (roots, anchors) = (Arc::new(roots), Arc::new(anchors));
    let limit = Arc::new(Semaphore::new(config.concurrency.max(1)));
    // Each host's own settings: the proxy a script chose for it, or direct when the proxy
    // setting's bypass list matches it (as the agent sends it).
    let per_host: Vec<(NetConfig, Option<String>)> = targets
        .iter()
        .map(|target| {
            let mut config = config.clone();
            if let Some(chosen) = config.proxy_for.get(&target.host) {
                config.proxy = chosen.clone();
            }
            let bypassed_by = config
                .proxy
                .as_ref()
                .and_then(|p| super::proxy::bypass_rule(p, &target.host));
            if bypassed_by.is_some() {
                config.proxy = None;
            }
            (config, bypassed_by)
        })
        .collect();
    config.observer.emit(NetEvent::Targets {
        hosts: targets.to_vec(),
        via_proxy: per_host
            .iter()
            .map(|(c, _)| c.proxy.as_ref().map(|p| p.display.clone()))
            .collect(),
    });
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (target, (config, bypassed_by))) in targets.iter().cloned().zip(per_host).enumerate() {
        let (roots, anchors, limit) = (roots.clone(), anchors.clone(), limit.clone());
        tasks.spawn(async move {
            let mut r =
                HostResult::untested(target, config.proxy.as_ref().map(|p| p.display.clone()));
            r.bypassed_by = bypassed_by;
            let cancel = config.cancel.clone();
            let finished = tokio::select! {
                biased;
                () = cancel.cancelled() => false,
                () = async {
                    let _permit = limit.acquire_owned().await;
                    config.observer.emit(NetEvent::HostStarted { index: i });
                    let mut said = Said::new(i, &config.observer);
                    probe_one(&mut r, &config, roots, &anchors, &mut said).await;
                } => true,
            };
            r.stopped = !finished;
            config.observer.emit(NetEvent::HostDone {
                index: i,
                result: Box::new(r.clone()),
            });
            (i, r)
        });
    }
    let mut out: Vec<Option<HostResult>> = vec![None; targets.len()];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((i, r)) = joined {
            out[i] = Some(r);
        }
    }
    out.into_iter().flatten().collect()
}

/// Tells the observer of a host's stages in their order, each once: reporting up to a
/// stage also reports the ones before it that were passed over (`NotRun`).
struct Said<'a> {
    index: usize,
    observer: &'a Observer,
    next: usize,
}

impl<'a> Said<'a> {
    fn new(index: usize, observer: &'a Observer) -> Said<'a> {
        Said {
            index,
            observer,
            next: 0,
        }
    }

    fn upto(&mut self, r: &HostResult, last: StageName) {
        for (n, (stage, outcome)) in r.outcomes().into_iter().enumerate().skip(self.next) {
            self.observer.emit(NetEvent::Stage {
                index: self.index,
                stage,
                outcome,
            });
            self.next = n + 1;
            if stage == last {
                break;
            }
        }
    }
}

/// Resolves `host` within the budget. The lookup runs on a blocking thread that is left
/// behind when the budget ends: the system resolver cannot be interrupted, but its answer
/// is no longer waited for.
async fn resolve(
    host: &str,
    port: u16,
    config: &NetConfig,
    deadline: Instant,
) -> Stage<Vec<IpAddr>> {
    let start = Instant::now();
    if let Some(ips) = config.resolve.get(host) {
        return Stage::Ok {
            ms: 0,
            value: ips.clone(),
        };
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Stage::Ok {
            ms: 0,
            value: vec![ip],
        };
    }
    if !valid_host_name(host) {
        return Stage::Failed {
            ms: 0,
            error: NetError::DnsNotFound,
            detail: format!("{host:?} is not a valid host name"),
        };
    }
    let (name, resolver) = (host.to_owned(), config.resolver.clone());
    let lookup = tokio::task::spawn_blocking(move || match resolver {
        Some(r) => (r.0)(&name, port),
        None => std::net::ToSocketAddrs::to_socket_addrs(&(name.as_str(), port))
            .map(|a| a.map(|a| a.ip()).collect()),
    });
    match tokio::time::timeout_at(deadline.into(), lookup).await {
        Err(_) => Stage::Failed {
            ms: ms(start),
            error: NetError::DnsTimeout,
            detail: format!("no answer for {host} within {}", secs(config.timeout)),
        },
        Ok(Err(e)) => Stage::Failed {
            ms: ms(start),
            error: NetError::DnsNotFound,
            detail: format!("{host}: the lookup failed: {e}"),
        },
        Ok(Ok(Err(e))) => Stage::Failed {
            ms: ms(start),
            error: NetError::DnsNotFound,
            detail: format!("{host}: {e}"),
        },
        Ok(Ok(Ok(found))) => {
            let mut ips: Vec<IpAddr> = Vec::new();
            for ip in found {
                if !ips.contains(&ip) {
                    ips.push(ip);
                }
            }
            if ips.is_empty() {
                Stage::Failed {
                    ms: ms(start),
                    error: NetError::DnsNotFound,
                    detail: format!("{host}: no addresses"),
                }
            } else {
                Stage::Ok {
                    ms: ms(start),
                    value: ips,
                }
            }
        }
    }
}

/// Connects to the first address that answers, IPv4 first (as most firewalls are written),
/// starting the next address's attempt a moment after the previous one (Happy Eyeballs);
/// all attempts share the host's budget.
async fn connect(
    addrs: &[SocketAddr],
    deadline: Instant,
    timeout: Duration,
) -> (Stage<String>, Option<TcpStream>) {
    let start = Instant::now();
    let mut sorted = addrs.to_vec();
    sorted.sort_by_key(|a| a.is_ipv6());
    sorted.truncate(4);
    let mut attempts = tokio::task::JoinSet::new();
    for (i, addr) in sorted.iter().copied().enumerate() {
        attempts.spawn(async move {
            tokio::time::sleep(NEXT_ADDRESS_AFTER * u32::try_from(i).unwrap_or(4)).await;
            (addr, TcpStream::connect(addr).await)
        });
    }
    let mut errors: Vec<(NetError, String)> = Vec::new();
    let failed = |error, detail| Stage::Failed {
        ms: ms(start),
        error,
        detail,
    };
    loop {
        match tokio::time::timeout_at(deadline.into(), attempts.join_next()).await {
            Err(_) => {
                let answered: Vec<&str> = errors.iter().map(|(_, d)| d.as_str()).collect();
                let mut detail = format!(
                    "{}: no answer within {}",
                    sorted
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    secs(timeout)
                );
                if !answered.is_empty() {
                    detail.push_str(&format!(" ({})", answered.join("; ")));
                }
                return (failed(NetError::Timeout, detail), None);
            }
            Ok(None) => break,
            Ok(Some(Ok((addr, Ok(stream))))) => {
                attempts.abort_all();
                return (
                    Stage::Ok {
                        ms: ms(start),
                        value: addr.to_string(),
                    },
                    Some(stream),
                );
            }
            Ok(Some(Ok((addr, Err(e))))) => errors.push((
                rejected_or_unreachable(io_error(&e), addr),
                format!("{addr}: {e}"),
            )),
            Ok(Some(Err(_))) => {}
        }
    }
    let (error, detail) = match errors.len() {
        0 => (NetError::Unreachable, "no address to connect to".to_owned()),
        _ => (
            errors[0].0,
            errors
                .iter()
                .map(|(_, d)| d.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        ),
    };
    (failed(error, detail), None)
}

async fn handshake(
    stream: TcpStream,
    host: &str,
    roots: Arc<RootCertStore>,
    (anchors, agent_roots): (&[CertificateDer<'static>], &[String]),
    deadline: Instant,
    timeout: Duration,
) -> (Stage<TlsInfo>, Option<TlsInfo>, Option<Tls>) {
    let start = Instant::now();
    let failed = |error, detail: String| Stage::Failed {
        ms: ms(start),
        error,
        detail,
    };
    let verifier = Arc::new(RecordingVerifier::new(roots));
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map(|b| {
        b.dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth()
    });
    let config = match config {
        Ok(c) => c,
        Err(e) => return (failed(NetError::TlsFailed, e.to_string()), None, None),
    };
    let Ok(name) = ServerName::try_from(host.to_owned()) else {
        return (
            failed(
                NetError::TlsFailed,
                format!("{host} is not a valid server name"),
            ),
            None,
            None,
        );
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tls = match tokio::time::timeout_at(deadline.into(), connector.connect(name, stream)).await
    {
        Err(_) => {
            return (
                failed(
                    NetError::Timeout,
                    format!("the TLS handshake got no answer within {}", secs(timeout)),
                ),
                None,
                None,
            )
        }
        Ok(Err(e)) => return (failed(classify_handshake(&e), e.to_string()), None, None),
        Ok(Ok(s)) => s,
    };
    let (_, conn) = tls.get_ref();
    let rec = verifier
        .recorded
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    let version = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_owned(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_owned(),
        Some(v) => format!("{v:?}"),
        None => "?".to_owned(),
    };
    let info = TlsInfo {
        version,
        cipher: conn
            .negotiated_cipher_suite()
            .map(|c| format!("{:?}", c.suite()))
            .unwrap_or_default(),
        chain: if rec.chain.is_empty() {
            conn.peer_certificates()
                .unwrap_or_default()
                .iter()
                .map(|c| describe(c.as_ref()))
                .collect()
        } else {
            rec.chain
        },
    };
    let peer: Vec<CertificateDer<'static>> = conn
        .peer_certificates()
        .unwrap_or_default()
        .iter()
        .map(|c| c.clone().into_owned())
        .collect();
    let problem = match rec.problem {
        // One certificate signed by itself is a self-signed server, not an inspecting CA.
        Some((NetError::TlsUntrusted, detail))
            if info.chain.len() == 1 && info.chain[0].subject == info.chain[0].issuer =>
        {
            Some((NetError::TlsSelfSigned, detail))
        }
        Some(p) => Some(p),
        None => inspected_by_trusted_ca(&peer, anchors, agent_roots).map(|ca| {
            (
                NetError::TlsInspected,
                format!(
                    "the chain ends in {ca}, which this computer trusts but the agent does not"
                ),
            )
        }),
    };
    match problem {
        Some((error, detail)) => (failed(error, detail), Some(info), None),
        None => (
            Stage::Ok {
                ms: ms(start),
                value: info.clone(),
            },
            Some(info),
            Some(tls),
        ),
    }
}

type Tls = tokio_rustls::client::TlsStream<TcpStream>;

/// One request over the connection the handshake verified: for IP-address targets, whose
/// name reqwest cannot carry through a proxy tunnel.
async fn http_over(
    mut tls: Tls,
    target: &HostEntry,
    deadline: Instant,
    timeout: Duration,
) -> Stage<HttpInfo> {
    use tokio::io::AsyncWriteExt;
    let start = Instant::now();
    let failed = |error, detail: String| Stage::Failed {
        ms: ms(start),
        error,
        detail,
    };
    let host = authority(&target.host, target.port);
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: basecamp-doctor\r\nConnection: close\r\n\r\n"
    );
    let exchange = async {
        tls.write_all(request.as_bytes())
            .await
            .map_err(|e| (NetError::HttpFailed, e.to_string()))?;
        super::proxy::read_answer(&mut tls)
            .await
            .map_err(|(_, d)| (NetError::HttpFailed, d))
    };
    match tokio::time::timeout_at(deadline.into(), exchange).await {
        Err(_) => failed(
            NetError::Timeout,
            format!("no HTTP answer within {}", secs(timeout)),
        ),
        Ok(Err((error, detail))) => failed(error, detail),
        Ok(Ok(answer)) => {
            let date = answer.header("Date").map(str::to_owned);
            Stage::Ok {
                ms: ms(start),
                value: HttpInfo {
                    status: answer.status,
                    skew_secs: skew_from(date.as_deref()),
                    date,
                    request: None,
                },
            }
        }
    }
}

async fn http_request(
    target: &HostEntry,
    pinned: Option<SocketAddr>,
    config: &NetConfig,
    roots: Arc<RootCertStore>,
    deadline: Instant,
) -> Stage<HttpInfo> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Stage::Failed {
            ms: 0,
            error: NetError::Timeout,
            detail: format!("no HTTP answer within {}", secs(config.timeout)),
        };
    }
    let start = Instant::now();
    let failed = |detail: String| Stage::Failed {
        ms: ms(start),
        error: NetError::HttpFailed,
        detail,
    };
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map(|b| b.with_root_certificates(roots).with_no_client_auth());
    let tls = match tls {
        Ok(t) => t,
        Err(e) => return failed(e.to_string()),
    };
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .connect_timeout(left)
        .timeout(left)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("basecamp-doctor/", env!("CARGO_PKG_VERSION")));
    builder = match &config.proxy {
        Some(p) => match reqwest::Proxy::all(format!("http://{}", authority(&p.host, p.port))) {
            Ok(proxy) => builder.proxy(proxy),
            Err(e) => return failed(e.to_string()),
        },
        None => builder.no_proxy(),
    };
    if let Some(addr) = pinned.filter(|_| target.host.parse::<IpAddr>().is_err()) {
        builder = builder.resolve(&target.host, addr);
    }
    let client = match builder.build() {
        Ok(c) => c,
        Err(e) => return failed(e.to_string()),
    };
    let scheme = if target.port == 80 { "http" } else { "https" };
    let url = format!("{scheme}://{}/", authority(&target.host, target.port));
    match client.get(&url).send().await {
        Ok(resp) => {
            let date = resp
                .headers()
                .get(reqwest::header::DATE)
                .and_then(|d| d.to_str().ok())
                .map(str::to_owned);
            let skew_secs = skew_from(date.as_deref());
            Stage::Ok {
                ms: ms(start),
                value: HttpInfo {
                    status: resp.status().as_u16(),
                    request: None,
                    date,
                    skew_secs,
                },
            }
        }
        Err(e) if e.is_timeout() => Stage::Failed {
            ms: ms(start),
            error: NetError::Timeout,
            detail: format!("no HTTP answer within {}", secs(config.timeout)),
        },
        Err(e) => {
            // reqwest hides the cause behind a chain of sources; show all of it.
            let mut detail = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                detail.push_str(&format!(": {s}"));
                src = s.source();
            }
            failed(detail)
        }
    }
}

fn skew_from(date: Option<&str>) -> Option<i64> {
    date.and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
        .map(|d| d.timestamp() - chrono::Utc::now().timestamp())
}

async fn probe_one(
    r: &mut HostResult,
    config: &NetConfig,
    roots: Arc<RootCertStore>,
    anchors: &[CertificateDer<'static>],
    said: &mut Said<'_>,
) {
    let deadline = Instant::now() + config.timeout;
    let target = r.target.clone();
    // Nothing that could end a request line reaches the network.
    if !valid_host_name(&target.host) {
        r.dns = Stage::Failed {
            ms: 0,
            error: NetError::DnsNotFound,
            detail: format!("{:?} is not a valid host name", target.host),
        };
        said.upto(r, StageName::Dns);
        return;
    }
    // Through a proxy the proxy resolves the target; we resolve and reach the proxy.
    let (dns_host, dns_port) = match &config.proxy {
        Some(p) => (p.host.clone(), p.port),
        None => (target.host.clone(), target.port),
    };
    r.dns = resolve(&dns_host, dns_port, config, deadline).await;
    said.upto(r, StageName::Dns);
    let Some(ips) = r.dns.value().cloned() else {
        return;
    };
    let addrs: Vec<SocketAddr> = ips
        .iter()
        .map(|ip| SocketAddr::new(*ip, dns_port))
        .collect();
    let (tcp, stream) = connect(&addrs, deadline, config.timeout).await;
    r.tcp = tcp;
    let plain_http = target.port == 80;
    // Direct, the proxy stage is passed over; plain HTTP has no TLS stage.
    said.upto(
        r,
        match (&config.proxy, plain_http, r.tcp.value().is_some()) {
            (_, _, false) | (Some(_), _, true) => StageName::Tcp,
            (None, false, true) => StageName::Proxy,
            (None, true, true) => StageName::Tls,
        },
    );
    let Some(mut stream) = stream else {
        return;
    };
    r.local_addr = stream.local_addr().ok().map(|a| a.ip().to_string());
    if config.proxy.is_some() {
        let start = Instant::now();
        if plain_http {
            // The way the agent's HTTP client uses a proxy for http:// URLs.
            let answer = tokio::time::timeout_at(
                deadline.into(),
                get_through(&mut stream, &target.host, target.port),
            )
            .await;
            match answer {
                Err(_) => {
                    r.proxy = Stage::Failed {
                        ms: ms(start),
                        error: NetError::Timeout,
                        detail: format!(
                            "the proxy did not answer the request within {}",
                            secs(config.timeout)
                        ),
                    }
                }
                Ok(Err((error, detail, reply))) => {
                    r.proxy = Stage::Failed {
                        ms: ms(start),
                        error,
                        detail,
                    };
                    r.proxy_reply = reply;
                }
                Ok(Ok(fetched)) => {
                    r.http = Stage::Ok {
                        ms: ms(start),
                        value: HttpInfo {
                            status: fetched.status,
                            skew_secs: skew_from(fetched.date.as_deref()),
                            date: fetched.date,
                            request: Some(fetched.request),
                        },
                    }
                }
            }
            said.upto(r, StageName::Http);
            return;
        }
        let answer = tokio::time::timeout_at(
            deadline.into(),
            connect_tunnel(&mut stream, &target.host, target.port),
        )
        .await;
        r.proxy = match answer {
            Err(_) => Stage::Failed {
                ms: ms(start),
                error: NetError::Timeout,
                detail: format!(
                    "the proxy did not answer CONNECT within {}",
                    secs(config.timeout)
                ),
            },
            Ok(Err((error, detail, reply))) => {
                r.proxy_reply = reply;
                Stage::Failed {
                    ms: ms(start),
                    error,
                    detail,
                }
            }
            Ok(Ok(status)) => Stage::Ok {
                ms: ms(start),
                value: status,
            },
        };
        said.upto(r, StageName::Proxy);
        if r.proxy.failure().is_some() {
            return;
        }
    }
    if !plain_http {
        let (tls, seen, verified) = handshake(
            stream,
            &target.host,
            roots.clone(),
            (anchors, &config.agent_roots),
            deadline,
            config.timeout,
        )
        .await;
        r.tls = tls;
        r.tls_seen = seen;
        said.upto(r, StageName::Tls);
        if r.tls.failure().is_some() {
            return;
        }
        if let Some(verified) = verified.filter(|_| target.host.parse::<IpAddr>().is_ok()) {
            r.http = http_over(verified, &target, deadline, config.timeout).await;
            said.upto(r, StageName::Http);
            return;
        }
    } else {
        drop(stream);
    }
    let pinned = match (&config.proxy, &r.tcp) {
        (None, Stage::Ok { value, .. }) => value.parse().ok(),
        _ => None,
    };
    r.http = http_request(&target, pinned, config, roots, deadline).await;
    said.upto(r, StageName::Http);
}
