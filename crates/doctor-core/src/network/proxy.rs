//! Which proxy the network test goes through, and the HTTP CONNECT that opens a tunnel
//! through it. Credentials are never used or shown: a proxy that wants them answers 407,
//! which is itself the finding (Endpoint Basecamp on Linux cannot send proxy credentials).

use super::NetError;
pub use crate::netfacts::ProxyChoice;
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
    let make = |text: &str, source: &str| {
        parse_proxy(text).map(|(host, port)| ProxyChoice {
            host,
            port,
            source: source.to_owned(),
            display: mask_credentials(text),
        })
    };
    if let Some(f) = flag {
        return make(f, "flag");
    }
    if let Some(w) = settings.winhttp.as_deref().and_then(https_entry) {
        return make(&w, "winhttp");
    }
    if let Some(w) = settings.wininet.as_ref().filter(|w| w.enabled) {
        if let Some(s) = w.server.as_deref().and_then(https_entry) {
            return make(&s, "wininet");
        }
    }
    for name in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        if let Some((_, v)) = settings.environment.iter().find(|(n, _)| n == name) {
            return make(v, "environment");
        }
    }
    None
}

/// Sends `CONNECT host:port` and reads the proxy's answer. `Ok(status)` only for 2xx.
pub(crate) async fn connect_tunnel<S>(
    stream: &mut S,
    host: &str,
    port: u16,
) -> Result<u16, (NetError, String)>
where
    S: AsyncReadExt + AsyncWriteExt + Unpin,
{
    let request =
        format!("CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: basecamp-doctor\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| (NetError::Reset, e.to_string()))?;
    let mut buf = Vec::with_capacity(512);
    let mut byte = [0u8; 1];
    // Byte by byte up to the blank line, so nothing of the tunnelled stream is consumed.
    while !buf.ends_with(b"\r\n\r\n") {
        if buf.len() > 16 * 1024 {
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
    let status_line = head.lines().next().unwrap_or_default().to_owned();
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
    match status {
        200..=299 => Ok(status),
        407 => Err((NetError::ProxyAuthRequired, status_line)),
        _ => Err((NetError::ProxyRefused, status_line)),
    }
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
