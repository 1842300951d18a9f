//! A fake of Vision One's endpoint-data API on 127.0.0.1, built from the shapes pytmv1
//! documents (see docs/inventory.md): `GET /v3.0/eiqs/endpoints`, `Authorization: Bearer`,
//! a `TMV1-Query` header of `(field eq 'value')` terms joined by `or`/`and`, an answer of
//! `{items: [...], nextLink}` with `nextLink` carrying a `skipToken`, error bodies of
//! `{error: {code, message}}`. Plain std threads, one connection per request. Shared by the
//! engine's tests and the CLI's tests (`#[path]`).
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub const TIME: &str = "2026-11-20T03:04:05Z";

/// One entry in the documented shape.
pub fn entry(name: &str, guid: &str, ip: &str) -> serde_json::Value {
    serde_json::json!({
        "agentGuid": guid,
        "loginAccount": {"value": ["CORP\\user"], "updatedDateTime": TIME},
        "endpointName": {"value": name, "updatedDateTime": TIME},
        "macAddress": {"value": ["00:11:22:33:44:55"], "updatedDateTime": TIME},
        "ip": {"value": [ip], "updatedDateTime": TIME},
        "osName": "Windows",
        "osVersion": "10.0.19045",
        "osDescription": "Windows 10 Enterprise (64 bit)",
        "productCode": "xes",
        "installedProductCodes": ["xes"]
    })
}

#[derive(Debug, Default)]
pub struct Behaviour {
    /// The key that is accepted.
    pub key: String,
    /// Answer every request with this status (401, 403, 500...).
    pub status: Option<u16>,
    /// Items per page.
    pub page_size: usize,
    /// Answer the first request of all with 429 and this `Retry-After`.
    pub rate_limit_first: Option<&'static str>,
    /// Use this origin in `nextLink` instead of our own.
    pub next_origin: Option<String>,
    /// Answer with a redirect to this URL.
    pub redirect_to: Option<String>,
}

#[derive(Debug)]
pub struct Seen {
    pub path: String,
    pub authorization: Option<String>,
    pub query: Option<String>,
}

#[derive(Debug)]
struct State {
    records: Vec<serde_json::Value>,
    behaviour: Behaviour,
    pages: Mutex<HashMap<String, (Vec<serde_json::Value>, usize)>>,
    seen: Mutex<Vec<Seen>>,
    limited: AtomicBool,
    tokens: AtomicUsize,
    requests: AtomicUsize,
}

#[derive(Debug)]
pub struct FakeApi {
    pub url: String,
    state: Arc<State>,
}

impl FakeApi {
    pub fn start(records: Vec<serde_json::Value>, behaviour: Behaviour) -> FakeApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State {
            records,
            behaviour: Behaviour {
                page_size: behaviour.page_size.max(1),
                ..behaviour
            },
            pages: Mutex::new(HashMap::new()),
            seen: Mutex::new(Vec::new()),
            limited: AtomicBool::new(false),
            tokens: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
        });
        let s = state.clone();
        let base = url.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (s, base) = (s.clone(), base.clone());
                std::thread::spawn(move || handle(stream, &s, &base));
            }
        });
        FakeApi { url, state }
    }

    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    pub fn seen(&self) -> std::sync::MutexGuard<'_, Vec<Seen>> {
        self.state.seen.lock().unwrap()
    }
}

/// A listener that only counts connections: anything reaching it is a leak.
#[derive(Debug)]
pub struct Tripwire {
    pub url: String,
    hits: Arc<AtomicUsize>,
}

impl Tripwire {
    pub fn start() -> Tripwire {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        std::thread::spawn(move || {
            for s in listener.incoming().flatten() {
                h.fetch_add(1, Ordering::SeqCst);
                drop(s);
            }
        });
        Tripwire { url, hits }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// `(endpointName eq 'A') or (agentGuid eq 'B')` → [(field, value)].
pub fn terms(query: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = query;
    while let Some(at) = rest.find(" eq '") {
        let field: String = rest[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after = &rest[at + 5..];
        let Some(end) = after.find('\'') else { break };
        out.push((field, after[..end].to_owned()));
        rest = &after[end + 1..];
    }
    out
}

fn matches(record: &serde_json::Value, field: &str, value: &str) -> bool {
    let v = &record[field];
    let one = |x: &serde_json::Value| x.as_str().is_some_and(|s| s.eq_ignore_ascii_case(value));
    match v {
        serde_json::Value::String(_) => one(v),
        serde_json::Value::Object(o) => match o.get("value") {
            Some(serde_json::Value::Array(a)) => a.iter().any(one),
            Some(x) => one(x),
            None => false,
        },
        serde_json::Value::Array(a) => a.iter().any(one),
        _ => false,
    }
}

fn respond(stream: &mut TcpStream, status: u16, headers: &[(&str, String)], body: &str) {
    let reason = match status {
        200 => "OK",
        302 => "Found",
        401 => "Unauthorized",
        403 => "Forbidden",
        429 => "Too Many Requests",
        _ => "Error",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

fn error_body(code: &str, message: &str) -> String {
    serde_json::json!({"error": {"code": code, "message": message}}).to_string()
}

fn handle(mut stream: TcpStream, state: &State, base: &str) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut headers: HashMap<String, String> = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    if let Some(len) = headers
        .get("content-length")
        .and_then(|l| l.parse::<usize>().ok())
    {
        let mut body = vec![0; len];
        let _ = reader.read_exact(&mut body);
    }
    state.requests.fetch_add(1, Ordering::SeqCst);
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_owned();
    state.seen.lock().unwrap().push(Seen {
        path: target.clone(),
        authorization: headers.get("authorization").cloned(),
        query: headers.get("tmv1-query").cloned(),
    });
    let b = &state.behaviour;
    if let Some(to) = &b.redirect_to {
        return respond(&mut stream, 302, &[("Location", to.clone())], "");
    }
    if let Some(retry) = b.rate_limit_first {
        if !state.limited.swap(true, Ordering::SeqCst) {
            return respond(
                &mut stream,
                429,
                &[("Retry-After", retry.to_owned())],
                &error_body("TooManyRequests", "Too many API requests"),
            );
        }
    }
    if let Some(status) = b.status {
        let body = match status {
            401 => error_body("InvalidCredentials", "Invalid token"),
            403 => error_body("AccessDenied", "Insufficient permissions"),
            _ => error_body("InternalServerError", "Something went wrong"),
        };
        return respond(&mut stream, status, &[], &body);
    }
    if headers.get("authorization") != Some(&format!("Bearer {}", b.key)) {
        return respond(
            &mut stream,
            401,
            &[],
            &error_body("InvalidCredentials", "Invalid token"),
        );
    }
    let (path, query_string) = target.split_once('?').unwrap_or((&target, ""));
    if path != "/v3.0/eiqs/endpoints" {
        return respond(&mut stream, 404, &[], &error_body("NotFound", path));
    }
    let token = query_string
        .split('&')
        .find_map(|kv| kv.strip_prefix("skipToken="))
        .map(str::to_owned);
    let (all, offset) = match token {
        Some(t) => match state.pages.lock().unwrap().remove(&t) {
            Some(p) => p,
            None => {
                return respond(
                    &mut stream,
                    400,
                    &[],
                    &error_body("BadRequest", "skipToken"),
                )
            }
        },
        None => {
            let Some(q) = headers.get("tmv1-query") else {
                return respond(
                    &mut stream,
                    400,
                    &[],
                    &error_body("BadRequest", "TMV1-Query is required"),
                );
            };
            let wanted = terms(q);
            let hits: Vec<serde_json::Value> = state
                .records
                .iter()
                .filter(|r| wanted.iter().any(|(f, v)| matches(r, f, v)))
                .cloned()
                .collect();
            (hits, 0)
        }
    };
    let end = (offset + b.page_size).min(all.len());
    let items: Vec<serde_json::Value> = all[offset..end].to_vec();
    let mut body = serde_json::json!({ "items": items });
    if end < all.len() {
        let t = format!("t{}", state.tokens.fetch_add(1, Ordering::SeqCst));
        state.pages.lock().unwrap().insert(t.clone(), (all, end));
        let origin = b.next_origin.clone().unwrap_or_else(|| base.to_owned());
        body["nextLink"] = serde_json::json!(format!("{origin}/v3.0/eiqs/endpoints?skipToken={t}"));
    }
    respond(&mut stream, 200, &[], &body.to_string());
}
