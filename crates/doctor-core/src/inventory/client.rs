//! The HTTP client for Vision One's endpoint-data API (`GET /v3.0/eiqs/endpoints`): one
//! query per call with its pages (`nextLink`, followed only on the API's own origin so the
//! key never goes elsewhere), `429` answered by waiting (`Retry-After`, bounded), a time
//! limit per request, a bound on requests in flight, the proxy step 2 uses and the OS's
//! trust store. It returns typed records and typed errors; it judges nothing.

use super::secret::Secret;
use crate::network::proxy::ProxyChoice;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The API path, after the regional base URL.
pub const ENDPOINTS_PATH: &str = "/v3.0/eiqs/endpoints";

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `https://api.xdr.trendmicro.co.jp` (no path), or a test server's URL.
    pub base_url: String,
    /// Time limit of each request (connect and answer). The API itself gives up after 60 s.
    pub timeout: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    pub proxy: Option<ProxyChoice>,
    /// How many `429` answers one request may get before it gives up.
    pub max_retries: u32,
    /// The longest wait a `Retry-After` can impose; longer values are cut to this.
    pub max_retry_wait: Duration,
    /// The wait after a `429` without `Retry-After`.
    pub default_retry_wait: Duration,
    /// Safety net against a server that links pages forever.
    pub max_pages: usize,
    /// Use only the OS trust store (false) or nothing but `extra_roots` (tests).
    pub skip_os_roots: bool,
    pub extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
}

impl ClientConfig {
    pub fn new(base_url: &str) -> ClientConfig {
        ClientConfig {
            base_url: base_url.trim_end_matches('/').to_owned(),
            timeout: Duration::from_secs(30),
            concurrency: 4,
            proxy: None,
            max_retries: 5,
            max_retry_wait: Duration::from_secs(60),
            default_retry_wait: Duration::from_secs(5),
            max_pages: 1000,
            skip_os_roots: false,
            extra_roots: Vec::new(),
        }
    }
}

/// One entry of Endpoint Inventory as the API returns it (the fields this tool uses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRecord {
    pub agent_guid: String,
    pub endpoint_name: String,
    /// When the name was last updated (`endpointName.updatedDateTime`).
    #[serde(default)]
    pub updated: Option<String>,
    #[serde(default)]
    pub ips: Vec<String>,
    #[serde(default)]
    pub macs: Vec<String>,
    #[serde(default)]
    pub os_name: Option<String>,
    #[serde(default)]
    pub product_code: Option<String>,
    #[serde(default)]
    pub installed_product_codes: Vec<String>,
}

fn text(v: &serde_json::Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `{"value": "x", "updatedDateTime": ...}` or a bare `"x"`.
fn value_and_date(v: Option<&serde_json::Value>) -> (Option<String>, Option<String>) {
    match v {
        Some(serde_json::Value::Object(o)) => (
            o.get("value").and_then(text),
            o.get("updatedDateTime").and_then(text),
        ),
        Some(other) => (text(other), None),
        None => (None, None),
    }
}

/// `{"value": ["a","b"], ...}`, `["a","b"]` or `"a"`.
fn list(v: Option<&serde_json::Value>) -> Vec<String> {
    let inner = match v {
        Some(serde_json::Value::Object(o)) => o.get("value"),
        other => other,
    };
    match inner {
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(text).collect(),
        Some(other) => text(other).into_iter().collect(),
        None => Vec::new(),
    }
}

impl EndpointRecord {
    /// Reads one item of `items[]`, tolerating plain strings where the documented shape
    /// has `{value, updatedDateTime}`. `None` without an agent GUID or a name.
    pub fn from_json(item: &serde_json::Value) -> Option<EndpointRecord> {
        let agent_guid = item.get("agentGuid").and_then(text)?;
        let (name, updated) = value_and_date(item.get("endpointName"));
        Some(EndpointRecord {
            agent_guid,
            endpoint_name: name?,
            updated,
            ips: list(item.get("ip")),
            macs: list(item.get("macAddress")),
            os_name: item.get("osName").and_then(text),
            product_code: item.get("productCode").and_then(text),
            installed_product_codes: list(item.get("installedProductCodes")),
        })
    }
}

/// Why a query got no answer. Details never hold the key: only statuses, the API's own
/// error code and message, and transport errors (which name the URL, not the headers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApiError {
    /// 401: the key is wrong, expired, revoked, or belongs to another region's API.
    KeyRefused { detail: String },
    /// 403: the key's role may not read endpoint data.
    Forbidden { detail: String },
    /// Still 429 after the allowed retries.
    RateLimited { attempts: u32 },
    /// No HTTP answer (DNS, connect, proxy, TLS, time limit).
    Network { detail: String, timed_out: bool },
    /// Another status, e.g. 400 for a query the API does not accept, or 5xx.
    Http { status: u16, detail: String },
    /// An answer that is not the documented JSON.
    Malformed { detail: String },
    /// `nextLink` pointed away from the API's origin; not followed, the key stays home.
    ForeignLink { origin: String },
    /// The client could not be set up (bad URL, TLS configuration).
    Setup { detail: String },
    /// Not sent because an earlier request showed the key is refused.
    Cancelled,
}

impl ApiError {
    /// The key or its permission was refused: nothing else will work either.
    pub fn is_key_problem(&self) -> bool {
        matches!(
            self,
            ApiError::KeyRefused { .. } | ApiError::Forbidden { .. }
        )
    }

    /// How bad, to pick the error that explains a failed run: key > network > rest.
    pub fn rank(&self) -> u8 {
        match self {
            ApiError::KeyRefused { .. } => 9,
            ApiError::Forbidden { .. } => 8,
            ApiError::Setup { .. } => 7,
            ApiError::Network { .. } => 6,
            ApiError::ForeignLink { .. } => 5,
            ApiError::RateLimited { .. } => 4,
            ApiError::Http { .. } => 3,
            ApiError::Malformed { .. } => 2,
            ApiError::Cancelled => 0,
        }
    }
}

/// Counters for the report and for tests: how the client behaved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientStats {
    pub requests: usize,
    pub pages: usize,
    pub retries_after_429: usize,
}

#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    key: Secret,
    base: reqwest::Url,
    config: ClientConfig,
    limit: Arc<Semaphore>,
    /// No request starts before this instant (set by a 429 for everyone).
    not_before: Mutex<Option<Instant>>,
    refused: AtomicBool,
    requests: AtomicUsize,
    pages: AtomicUsize,
    retries: AtomicUsize,
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut detail = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !detail.contains(&t) {
            detail.push_str(": ");
            detail.push_str(&t);
        }
        src = s.source();
    }
    detail
}

/// `Retry-After: 7` or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = when.timestamp() - chrono::Utc::now().timestamp();
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

/// The API's error body: `{"error": {"code": "...", "message": "..."}}`.
fn error_detail(status: u16, body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let err = parsed.as_ref().and_then(|v| v.get("error"));
    let code = err.and_then(|e| e.get("code")).and_then(text);
    let message = err.and_then(|e| e.get("message")).and_then(text);
    match (code, message) {
        (Some(c), Some(m)) => format!("HTTP {status} {c}: {m}"),
        (Some(c), None) => format!("HTTP {status} {c}"),
        (None, Some(m)) => format!("HTTP {status}: {m}"),
        (None, None) => {
            let short: String = body.chars().take(200).collect();
            if short.trim().is_empty() {
                format!("HTTP {status}")
            } else {
                format!("HTTP {status}: {}", short.trim())
            }
        }
    }
}

impl Client {
    pub fn new(config: ClientConfig, key: Secret) -> Result<Client, ApiError> {
        let setup = |detail: String| ApiError::Setup { detail };
        let base = reqwest::Url::parse(&config.base_url)
            .map_err(|e| setup(format!("{}: {e}", config.base_url)))?;
        if !matches!(base.scheme(), "https" | "http") || base.host_str().is_none() {
            return Err(setup(format!("{}: not an http(s) URL", config.base_url)));
        }
        let mut roots = rustls::RootCertStore::empty();
        if !config.skip_os_roots {
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        }
        roots.add_parsable_certificates(config.extra_roots.iter().cloned());
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| setup(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let mut builder = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .connect_timeout(config.timeout)
            .timeout(config.timeout)
            // A redirect would carry the Authorization header to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("basecamp-doctor/", env!("CARGO_PKG_VERSION")));
        builder = match &config.proxy {
            Some(p) => {
                let proxy = reqwest::Proxy::all(format!("http://{}:{}", p.host, p.port))
                    .map_err(|e| setup(e.to_string()))?;
                builder.proxy(proxy)
            }
            None => builder.no_proxy(),
        };
        let http = builder.build().map_err(|e| setup(chain(&e)))?;
        Ok(Client {
            http,
            key,
            base,
            limit: Arc::new(Semaphore::new(config.concurrency.max(1))),
            config,
            not_before: Mutex::new(None),
            refused: AtomicBool::new(false),
            requests: AtomicUsize::new(0),
            pages: AtomicUsize::new(0),
            retries: AtomicUsize::new(0),
        })
    }

    pub fn config_timeout(&self) -> Duration {
        self.config.timeout
    }

    pub fn proxy(&self) -> Option<&ProxyChoice> {
        self.config.proxy.as_ref()
    }

    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    pub fn stats(&self) -> ClientStats {
        ClientStats {
            requests: self.requests.load(Ordering::Relaxed),
            pages: self.pages.load(Ordering::Relaxed),
            retries_after_429: self.retries.load(Ordering::Relaxed),
        }
    }

    /// All entries matching `query` (a `TMV1-Query` expression), every page.
    pub async fn query(&self, query: &str) -> Result<Vec<EndpointRecord>, ApiError> {
        let mut url = self
            .base
            .join(ENDPOINTS_PATH)
            .map_err(|e| ApiError::Setup {
                detail: e.to_string(),
            })?;
        let mut out = Vec::new();
        for _ in 0..self.config.max_pages {
            let body = self.get(&url, query).await?;
            self.pages.fetch_add(1, Ordering::Relaxed);
            let doc: serde_json::Value =
                serde_json::from_str(&body).map_err(|e| ApiError::Malformed {
                    detail: format!("not JSON: {e}"),
                })?;
            let items =
                doc.get("items")
                    .and_then(|i| i.as_array())
                    .ok_or_else(|| ApiError::Malformed {
                        detail: "no items[] in the answer".to_owned(),
                    })?;
            out.extend(items.iter().filter_map(EndpointRecord::from_json));
            let Some(next) = doc.get("nextLink").and_then(text) else {
                return Ok(out);
            };
            let next_url = self.base.join(&next).map_err(|e| ApiError::Malformed {
                detail: format!("nextLink: {e}"),
            })?;
            if next_url.origin() != self.base.origin() {
                return Err(ApiError::ForeignLink {
                    origin: next_url.origin().ascii_serialization(),
                });
            }
            url = next_url;
        }
        Err(ApiError::Malformed {
            detail: format!("more than {} pages", self.config.max_pages),
        })
    }

    /// One page, with the 429 retries. Holds a concurrency permit only while sending.
    async fn get(&self, url: &reqwest::Url, query: &str) -> Result<String, ApiError> {
        let mut attempts = 0u32;
        loop {
            if self.refused.load(Ordering::Relaxed) {
                return Err(ApiError::Cancelled);
            }
            self.wait_for_gate().await;
            let permit = self.limit.acquire().await.map_err(|e| ApiError::Setup {
                detail: e.to_string(),
            })?;
            // Checked again: the refusal may have come while this one waited for a permit.
            if self.refused.load(Ordering::Relaxed) {
                return Err(ApiError::Cancelled);
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let sent = self
                .http
                .get(url.clone())
                .bearer_auth(self.key.expose())
                .header("TMV1-Query", query)
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    return Err(ApiError::Network {
                        timed_out: e.is_timeout(),
                        detail: chain(&e),
                    })
                }
            };
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let body = resp.text().await.map_err(|e| ApiError::Network {
                timed_out: e.is_timeout(),
                detail: chain(&e),
            })?;
            drop(permit);
            match status {
                200..=299 => return Ok(body),
                429 => {
                    attempts += 1;
                    if attempts > self.config.max_retries {
                        return Err(ApiError::RateLimited { attempts });
                    }
                    self.retries.fetch_add(1, Ordering::Relaxed);
                    let wait = retry_after
                        .unwrap_or(self.config.default_retry_wait)
                        .min(self.config.max_retry_wait);
                    self.close_gate(wait);
                }
                401 => {
                    self.refused.store(true, Ordering::Relaxed);
                    return Err(ApiError::KeyRefused {
                        detail: error_detail(status, &body),
                    });
                }
                403 => {
                    self.refused.store(true, Ordering::Relaxed);
                    return Err(ApiError::Forbidden {
                        detail: error_detail(status, &body),
                    });
                }
                _ => {
                    return Err(ApiError::Http {
                        status,
                        detail: error_detail(status, &body),
                    })
                }
            }
        }
    }

    /// Everyone waits after a 429, not only the request that got it.
    fn close_gate(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut gate = self.not_before.lock().unwrap_or_else(|e| e.into_inner());
        if gate.is_none_or(|g| g < until) {
            *gate = Some(until);
        }
    }

    async fn wait_for_gate(&self) {
        let until = *self.not_before.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = until {
            let now = Instant::now();
            if until > now {
                tokio::time::sleep(until - now).await;
            }
        }
    }
}

/// A value fit to stand between single quotes in a `TMV1-Query`. No escape for a quote is
/// documented, so values holding one (or control characters) are not queried at all.
pub fn queryable(value: &str) -> bool {
    !value.is_empty() && !value.contains('\'') && !value.chars().any(char::is_control)
}

/// `(field eq 'a') or (field eq 'b')`: the shape pytmv1 builds for several values.
pub fn or_query(field: &str, values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("({field} eq '{v}')"))
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_the_documented_shape_and_tolerate_flat_values() {
        let doc = serde_json::json!({
            "agentGuid": "35fa11da-a24e-40cf-8b56-baf8828cc151",
            "endpointName": {"value": "PC-01", "updatedDateTime": "2026-11-20T01:02:03Z"},
            "ip": {"value": ["10.0.0.5"], "updatedDateTime": "2026-11-20T01:02:03Z"},
            "macAddress": {"value": ["00:11:22:33:44:55"], "updatedDateTime": "x"},
            "osName": "Windows",
            "productCode": "xes",
            "installedProductCodes": ["xes", "sao"]
        });
        let r = EndpointRecord::from_json(&doc).expect("record");
        assert_eq!(r.endpoint_name, "PC-01");
        assert_eq!(r.updated.as_deref(), Some("2026-11-20T01:02:03Z"));
        assert_eq!(r.ips, ["10.0.0.5"]);
        assert_eq!(r.installed_product_codes, ["xes", "sao"]);
        let flat =
            serde_json::json!({"agentGuid": "g", "endpointName": "PC-02", "ip": ["1.2.3.4"]});
        let r = EndpointRecord::from_json(&flat).expect("record");
        assert_eq!((r.endpoint_name.as_str(), r.ips.len()), ("PC-02", 1));
        assert!(EndpointRecord::from_json(&serde_json::json!({"agentGuid": "g"})).is_none());
    }

    #[test]
    fn queries_join_values_like_pytmv1_and_refuse_quotes() {
        assert_eq!(
            or_query("endpointName", &["A", "B"]),
            "(endpointName eq 'A') or (endpointName eq 'B')"
        );
        assert!(queryable("PC-01"));
        assert!(!queryable("O'Brien-PC"));
        assert!(!queryable("a\nb"));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn error_bodies_give_code_and_message() {
        assert_eq!(
            error_detail(
                401,
                r#"{"error":{"code":"InvalidToken","message":"expired"}}"#
            ),
            "HTTP 401 InvalidToken: expired"
        );
        assert_eq!(error_detail(403, ""), "HTTP 403");
    }
}
