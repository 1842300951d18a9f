//! Masks credentials in collected text: user:password in URLs, Authorization headers,
//! bearer tokens, and password/secret/token/key values in configuration lines. Works on
//! bytes line by line, so logs in any encoding pass through unchanged except for what is
//! masked. What the admin typed for support (GUIDs, activation codes) never goes through it.

use regex::bytes::{Regex, RegexSet};
use std::borrow::Cow;
use std::sync::OnceLock;

struct Rule {
    name: &'static str,
    regex: Regex,
    replacement: &'static [u8],
}

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let rule = |name, pattern: &str, replacement: &'static [u8]| Rule {
            name,
            regex: Regex::new(pattern).expect("redaction pattern compiles"),
            replacement,
        };
        vec![
            rule(
                "url_credentials",
                r"(?i)\b([a-z][a-z0-9+.-]{1,15}://)[^\s:/@]+:[^\s/@]+@",
                b"${1}***:***@",
            ),
            rule(
                "authorization_header",
                r"(?i)\b((?:proxy-)?authorization\s*[:=]\s*)(?:(bearer|basic|digest|negotiate|ntlm)\s+)?[^\s,;]+",
                b"${1}${2} ***",
            ),
            rule(
                "bearer_token",
                r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{12,}",
                b"Bearer ***",
            ),
            rule(
                "secret_value",
                r#"(?i)\b((?:proxy[_-]?)?(?:password|passwd|pwd|secret|client[_-]?secret|api[_-]?key|access[_-]?key|token|xbc_agent_token))(\s*"?\s*[:=]\s*"?)([^"\s,;&}]+)"#,
                b"${1}${2}***",
            ),
        ]
    })
}

/// All patterns at once: one pass tells whether a line needs any rule at all.
fn any_rule() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| {
        RegexSet::new(rules().iter().map(|r| r.regex.as_str())).expect("redaction patterns compile")
    })
}

/// The names of the rules, for the manifest.
pub fn rule_names() -> Vec<&'static str> {
    rules().iter().map(|r| r.name).collect()
}

/// Masks one chunk of text (a line) and returns how many values were masked. Lines
/// without secrets (nearly all) are borrowed, not copied.
pub fn redact(line: &[u8]) -> (Cow<'_, [u8]>, usize) {
    let mut current = Cow::Borrowed(line);
    if !any_rule().is_match(line) {
        return (current, 0);
    }
    let mut count = 0;
    for rule in rules() {
        let n = rule.regex.find_iter(&current).count();
        if n > 0 {
            count += n;
            current = Cow::Owned(
                rule.regex
                    .replace_all(&current, rule.replacement)
                    .into_owned(),
            );
        }
    }
    (current, count)
}

/// A file is text if its first bytes hold no NUL; binary files cannot be scanned.
pub fn looks_binary(head: &[u8]) -> bool {
    head.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> (String, usize) {
        let (out, n) = redact(s.as_bytes());
        (String::from_utf8(out.into_owned()).unwrap(), n)
    }

    #[test]
    fn proxy_urls_lose_their_credentials() {
        assert_eq!(
            r("proxy=http://alice:S3cr3t!@proxy.corp:8080 ok"),
            ("proxy=http://***:***@proxy.corp:8080 ok".into(), 1)
        );
    }

    #[test]
    fn authorization_headers_and_bearer_tokens_are_masked() {
        let (out, n) = r("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def");
        assert_eq!(out, "Authorization: Bearer ***");
        assert!(n >= 1);
        let (out, _) = r("Proxy-Authorization: Basic YWxpY2U6c2VjcmV0");
        assert_eq!(out, "Proxy-Authorization: Basic ***");
        let (out, _) = r("sent bearer abcdefghijklmnop1234 to server");
        assert_eq!(out, "sent Bearer *** to server");
    }

    #[test]
    fn password_and_token_values_are_masked_in_config_lines() {
        assert_eq!(r("password=hunter2").0, "password=***");
        assert_eq!(
            r("\"xbc_agent_token\": \"abc123\",").0,
            "\"xbc_agent_token\": \"***\","
        );
        assert_eq!(r("ProxyPassword : p@ss").0, "ProxyPassword : ***");
        assert_eq!(r("api_key=XYZ; next").0, "api_key=***; next");
    }

    #[test]
    fn ordinary_log_lines_are_left_alone() {
        let line = "2026-11-20 08:01:12 [INFO] connecting to https://api-ap2.xbc.trendmicro.com/v1 (GUID 3f6b2a9e)";
        assert_eq!(r(line), (line.into(), 0));
        assert_eq!(r("password reset page visited").1, 0);
    }

    #[test]
    fn binary_is_recognised_by_nul_bytes() {
        assert!(looks_binary(b"MZ\x90\x00\x03"));
        assert!(!looks_binary("ログ 日本語 text".as_bytes()));
    }
}
