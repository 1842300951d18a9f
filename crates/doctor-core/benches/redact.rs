//! Redaction on a typical agent log (200,000 lines, one in a hundred holding a secret):
//! prints the time of the fail-closed `Redactor` and its ratio to the single-line rules it
//! replaced (kept here verbatim as the baseline), both behind their prefilter. Run with
//! `cargo bench -p doctor-core --bench redact`.
#![allow(clippy::unwrap_used)]

use doctor_core::bundle::redact::Redactor;
use regex::bytes::{Regex, RegexSet};
use std::borrow::Cow;
use std::time::Instant;

/// The redaction before issue 14: four single-line rules behind a RegexSet.
struct Baseline {
    set: RegexSet,
    rules: Vec<(Regex, &'static [u8])>,
}

impl Baseline {
    fn new() -> Baseline {
        let rules: Vec<(&str, &'static [u8])> = vec![
            (
                r"(?i)\b([a-z][a-z0-9+.-]{1,15}://)[^\s:/@]+:[^\s/@]+@",
                b"${1}***:***@",
            ),
            (
                r"(?i)\b((?:proxy-)?authorization\s*[:=]\s*)(?:(bearer|basic|digest|negotiate|ntlm)\s+)?[^\s,;]+",
                b"${1}${2} ***",
            ),
            (r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{12,}", b"Bearer ***"),
            (
                r#"(?i)\b((?:proxy[_-]?)?(?:password|passwd|pwd|secret|client[_-]?secret|api[_-]?key|access[_-]?key|token|xbc_agent_token))(\s*"?\s*[:=]\s*"?)([^"\s,;&}]+)"#,
                b"${1}${2}***",
            ),
        ];
        Baseline {
            set: RegexSet::new(rules.iter().map(|r| r.0)).unwrap(),
            rules: rules
                .into_iter()
                .map(|(p, r)| (Regex::new(p).unwrap(), r))
                .collect(),
        }
    }

    fn redact<'a>(&self, line: &'a [u8]) -> Cow<'a, [u8]> {
        let mut current = Cow::Borrowed(line);
        if !self.set.is_match(line) {
            return current;
        }
        for (re, rep) in &self.rules {
            if re.is_match(&current) {
                current = Cow::Owned(re.replace_all(&current, *rep).into_owned());
            }
        }
        current
    }
}

fn typical_log() -> Vec<u8> {
    let ordinary = [
        "2026-11-20 08:01:12.345 [INFO ] [XbcAgent] connecting to https://api-ap2.xbc.trendmicro.com/v1 (GUID 3f6b2a9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b)\n",
        "2026-11-20 08:01:12.402 [DEBUG] [Updater] component EndpointBasecamp 1.2.0.3456 is up to date\n",
        "2026-11-20 08:01:13.001 [INFO ] [Heartbeat] sent 1834 bytes in 212 ms, next in 300 s\n",
        "2026-11-20 08:01:13.550 [WARN ] [Proxy] CONNECT proxy.corp:8080 answered 200 Connection established\n",
        "2026-11-20 08:01:14.120 [INFO ] [Policy] applied policy 17 (revision 42) to 3 modules\n",
        "2026-11-20 08:01:15.777 [DEBUG] [Tls] negotiated TLS 1.3 TLS_AES_256_GCM_SHA384 with api-ap2.xbc.trendmicro.com\n",
        "2026-11-20 08:01:16.010 [INFO ] [Service] registry key HKLM\\SOFTWARE\\TrendMicro\\Endpoint Basecamp read\n",
        "2026-11-20 08:01:17.300 [ERROR] [Upload] 503 Service Unavailable, retry 2 of 5 after 30 s\n",
    ];
    let secret = [
        "2026-11-20 08:01:18.000 [DEBUG] [Auth] Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl\n",
        "2026-11-20 08:01:18.100 [DEBUG] [Proxy] using http://alice:S3cr3t@proxy.corp:8080\n",
    ];
    let mut out = Vec::new();
    for i in 0..200_000 {
        let line = if i % 100 == 99 {
            secret[i / 100 % secret.len()]
        } else {
            ordinary[i % ordinary.len()]
        };
        out.extend_from_slice(line.as_bytes());
    }
    out
}

fn main() {
    let log = typical_log();
    let lines: Vec<&[u8]> = log.split_inclusive(|&b| b == b'\n').collect();
    let base = Baseline::new();
    let run_base = || {
        let mut n = 0usize;
        for l in &lines {
            n += base.redact(l).len();
        }
        n
    };
    let run_new = || {
        let mut red = Redactor::new();
        let mut n = 0usize;
        for l in &lines {
            n += red.line(l).len();
        }
        n
    };
    // Warm up both, then take the best of five.
    run_base();
    run_new();
    let best = |f: &dyn Fn() -> usize| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min)
    };
    let old = best(&run_base);
    let new = best(&run_new);
    let mb = log.len() as f64 / 1e6;
    println!(
        "redact: {} lines, {mb:.1} MB: baseline {:.1} ms ({:.0} MB/s), fail-closed {:.1} ms ({:.0} MB/s), ratio {:.2}",
        lines.len(),
        old * 1e3,
        mb / old,
        new * 1e3,
        mb / new,
        new / old
    );
}
