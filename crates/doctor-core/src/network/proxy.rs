//! Which proxy the network test goes through, and the HTTP CONNECT that opens a tunnel
//! through it. Credentials are never used or shown: a proxy that wants them answers 407,
//! which is itself the finding (Endpoint Basecamp on Linux cannot send proxy credentials).

use super::NetError;
pub use crate::netfacts::ProxyChoice;
use crate::netfacts::{authority, ProxyReply};
use crate::probe::{mask_credentials, ProxySettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `http://user:pw@host:port/`, `host:port` or `host` (port 8080, the Service Gateway's
/// default) → host and port.
pub fn parse_proxy(text: &str) -> Option<(String, u16)> {
    let t = text.trim();
    let t = t.split_once("://").map_or(t, |(_, rest)| rest);
    let t = t.rsplit_once('@').map_or(t, |(_, rest)| rest);
    let t = t.split('/').next().unwrap_or(t);
    if t.is_empty() {
        return None;
    }
    if let Some(rest) = t.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = after
            .strip_prefix(':')
            .map_or(Some(8080), |p| p.parse().ok())?;
        return Some((host.to_owned(), port));
    }
    match t.rsplit_once(':') {
        Some((host, port)) => Some((host.to_owned(), port.parse().ok()?)),
        None => Some((t.to_owned(), 8080)),
    }
}

/// WinINET / WinHTTP proxy lists may name one proxy per scheme: `http=a:80;https=b:8080`.
fn https_entry(list: &str) -> Option<String> {
    if !list.contains('=') {
        return Some(list.to_owned());
    }
    let entries: Vec<(&str, &str)> = list
        .split(';')
        .filter_map(|e| e.trim().split_once('='))
        .collect();
    ["https", "http"].iter().find_map(|scheme| {
        entries
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(scheme))
            .map(|(_, v)| (*v).to_owned())
    })
}

/// Picks the proxy to test through: the one given on the command line, else the machine's
/// WinHTTP proxy (what services such as Basecamp use), else the user's WinINET proxy, else
/// the environment's `HTTPS_PROXY`/`ALL_PROXY`. `None` means a direct connection.
pub fn choose(flag: Option<&str>, settings: &ProxySettings) -> Option<ProxyChoice> {
    let make = |text: &str, source: &str, bypass: Option<&str>| {
        parse_proxy(text).map(|(host, port)| ProxyChoice {
            host,
            port,
            source: source.to_owned(),
            display: mask_credentials(text),
            bypass: bypass.map(split_bypass).unwrap_or_default(),
        })
    };
    if let Some(f) = flag {
        return make(f, "flag", None);
    }
    if let Some(w) = settings.winhttp.as_deref().and_then(https_entry) {
        return make(&w, "winhttp", settings.winhttp_bypass.as_deref());
    }
    if let Some(w) = settings.wininet.as_ref().filter(|w| w.enabled) {
        if let Some(s) = w.server.as_deref().and_then(https_entry) {
            return make(&s, "wininet", w.bypass.as_deref());
        }
    }
    let no_proxy = ["NO_PROXY", "no_proxy"].iter().find_map(|name| {
        settings
            .environment
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    });
    for name in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        if let Some((_, v)) = settings.environment.iter().find(|(n, _)| n == name) {
            return make(v, "environment", no_proxy);
        }
    }
    None
}

/// A Service Gateway with the cloud-service extension, as a proxy whose bypass list is what
/// endpoints still reach directly: the region's XDR log receiver `xlogr-<code>` (the
/// vendor's firewall pages for the cloud-service extension).
pub fn service_gateway(
    text: &str,
    catalogue: &crate::catalogue::Catalogue,
    region: Option<&crate::netfacts::RegionChoice>,
) -> Option<ProxyChoice> {
    let (host, port) = parse_proxy(text)?;
    let direct = region
        .and_then(|r| catalogue.region(r.code()))
        .filter(|r| !r.aws.is_empty())
        .map(|r| format!("xlogr-{}.xdr.trendmicro.com", r.aws));
    Some(ProxyChoice {
        host,
        port,
        source: "service_gateway".to_owned(),
        display: mask_credentials(text),
        bypass: direct.into_iter().collect(),
    })
}

/// A bypass list as written: `;` (Windows), `,` (`NO_PROXY`) or spaces (netsh) between entries.
fn split_bypass(list: &str) -> Vec<String> {
    list.split([';', ',', ' ', '\t'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A Windows wildcard pattern (`*.trendmicro.com`, `10.*`), case-insensitive.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

/// The rule of `proxy`'s bypass list that sends `host` direct, as the agent's HTTP stack
/// reads it: Windows lists take wildcards and `<local>` (names without a dot); `NO_PROXY`
/// takes `*`, exact names and addresses, and domain suffixes (`example.com` and
/// `.example.com` both cover `api.example.com`). Ports in entries are ignored.
pub fn bypass_rule(proxy: &ProxyChoice, host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let windows = matches!(proxy.source.as_str(), "winhttp" | "wininet");
    proxy
        .bypass
        .iter()
        .find(|entry| {
            let e = entry.to_ascii_lowercase();
            if windows {
                if e == "<local>" {
                    return !host.contains('.') && !host.contains(':');
                }
                let e = e
                    .strip_prefix("http://")
                    .or_else(|| e.strip_prefix("https://"))
                    .unwrap_or(&e);
                let e = e.rsplit_once(':').map_or(e, |(h, p)| {
                    if p.chars().all(|c| c.is_ascii_digit()) && !h.contains(':') {
                        h
                    } else {
                        e
                    }
                });
                wildcard(e, &host)
            } else {
                if e == "*" {
                    return true;
                }
                let e = e.trim_start_matches("*.").trim_start_matches('.');
                let e = match e.rsplit_once(':') {
                    Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !h.contains(':') => h,
                    _ => e,
                };
                let e = e.trim_start_matches('[').trim_end_matches(']');
                !e.is_empty() && (host == e || host.ends_with(&format!(".{e}")))
            }
        })
        .cloned()
}

/// How long the error page after a refusing status line may take to arrive: the status is
/// the finding, the page's title only evidence.
const BODY_WAIT: std::time::Duration = std::time::Duration::from_millis(1500);
const MAX_HEAD: usize = 16 * 1024;
const MAX_BODY: usize = 64 * 1024;

/// A proxy's answer: the status line, the headers and, for refusals, the error page.
#[derive(Debug, Clone, Default)]
pub(crate) struct Answer {
    pub status: u16,
    pub status_line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn reply(&self) -> ProxyReply {
        ProxyReply {
            status: self.status,
            status_line: self.status_line.clone(),
            title: page_title(&self.body),
            error_code: self.header("X-Squid-Error").map(str::to_owned),
        }
    }
}

/// The `<title>` of an HTML page, whitespace folded, at most 200 characters.
pub(crate) fn page_title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title: String = text[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect();
    (!title.is_empty()).then_some(title)
}

/// Reads an HTTP response head byte by byte up to the blank line, so nothing after it (a
/// tunnelled stream) is consumed; for a status outside 2xx also reads the body (bounded).
pub(crate) async fn read_answer<S>(stream: &mut S) -> Result<Answer, (NetError, String)>
where
    S: AsyncReadExt + Unpin,
{
    let mut buf = Vec::with_capacity(512);
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if buf.len() > MAX_HEAD {
            return Err((
                NetError::ProxyRefused,
                "the proxy's answer is too long".into(),
            ));
        }
        match stream.read(&mut byte).await {
            Ok(0) => return Err((NetError::Closed, "the proxy closed the connection".into())),
            Ok(_) => buf.push(byte[0]),
            Err(e) => return Err((NetError::Reset, e.to_string())),
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default().trim().to_owned();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            (
                NetError::ProxyRefused,
                format!("not an HTTP answer: {status_line}"),
            )
        })?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut answer = Answer {
        status,
        status_line,
        headers,
        body: Vec::new(),
    };
    if !(200..300).contains(&status) {
        let length = answer
            .header("Content-Length")
            .and_then(|l| l.parse::<usize>().ok());
        let want = length.unwrap_or(MAX_BODY).min(MAX_BODY);
        let mut body = Vec::new();
        let _ = tokio::time::timeout(BODY_WAIT, async {
            let mut chunk = [0u8; 4096];
            while body.len() < want {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => body.extend_from_slice(&chunk[..n]),
                }
                if length.is_none() && body.windows(7).any(|w| w.eq_ignore_ascii_case(b"</html>")) {
                    break;
                }
            }
        })
        .await;
        body.truncate(want);
        answer.body = body;
    }
    Ok(answer)
}

/// A refusal read as what it means, with the status line and the page title as detail.
fn refusal(answer: &Answer) -> (NetError, String, ProxyReply) {
    let reply = answer.reply();
    let error = ProxyReply::error(answer.status).unwrap_or(NetError::ProxyRefused);
    let mut detail = reply.status_line.clone();
    if let Some(t) = &reply.title {
        detail.push_str(&format!(" — \"{t}\""));
    }
    if let Some(c) = &reply.error_code {
        detail.push_str(&format!(" ({c})"));
    }
    (error, detail, reply)
}

/// What went wrong on the way through a proxy: the kind, a detail for people, and the
/// proxy's own answer when it gave one.
pub(crate) type ProxyFailure = (NetError, String, Option<ProxyReply>);

/// Sends `CONNECT host:port` and reads the proxy's answer. `Ok(status)` only for 2xx.
pub(crate) async fn connect_tunnel<S>(
    stream: &mut S,
    host: &str,
    port: u16,
) -> Result<u16, ProxyFailure>
where
    S: AsyncReadExt + AsyncWriteExt + Unpin,
{
    let target = authority(host, port);
    let request = format!(
        "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: basecamp-doctor\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| (NetError::Reset, e.to_string(), None))?;
    let answer = read_answer(stream).await.map_err(|(e, d)| (e, d, None))?;
    if (200..300).contains(&answer.status) {
        return Ok(answer.status);
    }
    let (error, detail, reply) = refusal(&answer);
    Err((error, detail, Some(reply)))
}

/// What a plain-HTTP request through a proxy came back with.
#[derive(Debug)]
pub(crate) struct Fetched {
    pub request: String,
    pub status: u16,
    pub date: Option<String>,
}

/// Sends a plain-HTTP request the way a proxy client does (`GET http://host/` in absolute
/// form, no CONNECT) and tells the proxy's own refusals from the server's answer: a 407,
/// a page marked by Squid's `X-Squid-Error`, or a 502/504 come from the proxy.
pub(crate) async fn get_through<S>(
    stream: &mut S,
    host: &str,
    port: u16,
) -> Result<Fetched, ProxyFailure>
where
    S: AsyncReadExt + AsyncWriteExt + Unpin,
{
    let target = if port == 80 {
        authority(host, port)
            .rsplit_once(':')
            .map_or_else(String::new, |(h, _)| h.to_owned())
    } else {
        authority(host, port)
    };
    let line = format!("GET http://{target}/");
    let request = format!(
        "{line} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: basecamp-doctor\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| (NetError::Reset, e.to_string(), None))?;
    let answer = read_answer(stream).await.map_err(|(e, d)| (e, d, None))?;
    let from_proxy = answer.status == 407
        || answer.header("X-Squid-Error").is_some()
        || matches!(answer.status, 502 | 504);
    if from_proxy {
        let (error, detail, reply) = refusal(&answer);
        return Err((error, detail, Some(reply)));
    }
    Ok(Fetched {
        request: line,
        status: answer.status,
        date: answer.header("Date").map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::WinInetProxy;

    #[test]
    fn proxy_addresses_parse_in_every_common_spelling() {
        assert_eq!(
            parse_proxy("http://u:p@proxy.corp:3128/"),
            Some(("proxy.corp".into(), 3128))
        );
        assert_eq!(
            parse_proxy("proxy.corp:8080"),
            Some(("proxy.corp".into(), 8080))
        );
        assert_eq!(parse_proxy("sg01"), Some(("sg01".into(), 8080)));
        assert_eq!(parse_proxy("http://[::1]:3128"), Some(("::1".into(), 3128)));
        assert_eq!(parse_proxy(""), None);
    }

    #[test]
    fn bypass_lists_are_read_the_way_their_owners_write_them() {
        let mut p = ProxyChoice {
            host: "proxy".into(),
            port: 8080,
            source: "wininet".into(),
            display: "proxy:8080".into(),
            bypass: split_bypass("<local>;*.trendmicro.com;10.*;intranet.corp:443"),
        };
        assert_eq!(
            bypass_rule(&p, "api-ap2.xbc.trendmicro.com").as_deref(),
            Some("*.trendmicro.com")
        );
        assert_eq!(bypass_rule(&p, "fileserver").as_deref(), Some("<local>"));
        assert_eq!(bypass_rule(&p, "10.1.2.3").as_deref(), Some("10.*"));
        assert_eq!(
            bypass_rule(&p, "intranet.corp").as_deref(),
            Some("intranet.corp:443")
        );
        assert_eq!(bypass_rule(&p, "api.xdr.trendmicro.co.jp"), None);
        p.source = "environment".into();
        p.bypass = split_bypass("localhost, .trendmicro.co.jp,trendmicro.com:443");
        assert!(bypass_rule(&p, "api.xdr.trendmicro.co.jp").is_some());
        assert!(bypass_rule(&p, "trendmicro.com").is_some());
        assert!(bypass_rule(&p, "wsc-ap2.xbc.trendmicro.com").is_some());
        assert!(bypass_rule(&p, "nottrendmicro.com").is_none());
        p.bypass = vec!["*".into()];
        assert!(bypass_rule(&p, "anything.example").is_some());
    }

    #[test]
    fn each_setting_brings_its_own_bypass_list() {
        let s = ProxySettings {
            environment: vec![
                ("HTTPS_PROXY".into(), "http://env:1".into()),
                ("no_proxy".into(), "a.example,b.example".into()),
            ],
            winhttp: Some("machine:3".into()),
            winhttp_bypass: Some("*.corp;<local>".into()),
            ..Default::default()
        };
        assert_eq!(choose(None, &s).unwrap().bypass, ["*.corp", "<local>"]);
        assert!(choose(Some("flag:1"), &s).unwrap().bypass.is_empty());
        let env_only = ProxySettings {
            winhttp: None,
            winhttp_bypass: None,
            ..s
        };
        assert_eq!(
            choose(None, &env_only).unwrap().bypass,
            ["a.example", "b.example"]
        );
    }

    #[test]
    fn an_error_page_title_is_read_whatever_its_case_and_spacing() {
        assert_eq!(
            page_title(
                b"<html><HEAD><Title>\n ERROR: The requested URL\n could not be retrieved </TITLE>"
            )
            .as_deref(),
            Some("ERROR: The requested URL could not be retrieved")
        );
        assert_eq!(page_title(b"no page"), None);
    }

    #[test]
    fn flag_beats_winhttp_beats_wininet_beats_environment() {
        let mut s = ProxySettings {
            environment: vec![("HTTPS_PROXY".into(), "http://env:1".into())],
            wininet: Some(WinInetProxy {
                enabled: true,
                server: Some("http=x:80;https=user:2".into()),
                ..Default::default()
            }),
            winhttp: Some("machine:3".into()),
            ..Default::default()
        };
        assert_eq!(choose(Some("flag:4"), &s).unwrap().source, "flag");
        assert_eq!(choose(None, &s).unwrap().host, "machine");
        s.winhttp = None;
        let c = choose(None, &s).unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.source.as_str()),
            ("user", 2, "wininet")
        );
        s.wininet = None;
        assert_eq!(choose(None, &s).unwrap().source, "environment");
        s.environment.clear();
        assert!(choose(None, &s).is_none());
    }
}
